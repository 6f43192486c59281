/*
 * peers.h - fio as a peer: its psync, pvsync, vsync and mmap engines
 * writing the same number of bytes, read back from fio's JSON output.
 */
#ifndef IOVBENCH_ENGINE_PEERS_H
#define IOVBENCH_ENGINE_PEERS_H

#include "engine/sample.h"

#include <stdint.h>

#define PEER_COUNT 4
extern const char *const peer_engines[PEER_COUNT];

/* Is fio on the PATH? */
int peer_available(void);

/* One fio run writing `bytes` (rounded up to whole 1 MiB blocks, which is
 * all fio writes) to `path` in 1 MiB blocks with `engine`:
 * total_ns is the time fio spent in its I/O calls (mean latency times the
 * number of I/Os), bytes_written, CPU and faults as fio reports them.
 * `scratch` is a file name for fio's JSON. 0 or a negative errno. */
int peer_run(const char *engine, const char *path, uint64_t bytes, int fsync,
	     const char *scratch, struct sample *out);

#endif
