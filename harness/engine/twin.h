/*
 * twin.h - our own twin of each fio engine, measured like our rows.
 *
 * fio's time for a job is the latency of its I/O calls added up: neither
 * creating nor closing the file counts, and it runs in a small process of
 * its own. Our rows time the whole file, create to rename, in a child that
 * holds the workload. So a fio row and a strategy row do not measure the
 * same thing. A twin does what the fio job does (the same byte count, one
 * file, 1 MiB blocks from one buffer, with the engine's call), in a sample
 * child like every row, and records both times: the whole file (create to
 * close, its wall time, comparable with our rows) and the time inside the
 * write calls (write_ns, comparable with fio's own figure). The first
 * pairs it with fio, the second with the strategies.
 */
#ifndef IOVBENCH_ENGINE_TWIN_H
#define IOVBENCH_ENGINE_TWIN_H

#include "iovw.h"

#include <stdint.h>

/* fio's block size, and what it rounds a job's size up to. */
#define TWIN_BLOCK ((size_t)1 << 20)

/* Is `engine` one a twin can do (fio's psync, pvsync, vsync, mmap)? */
int twin_known(const char *engine);

/*
 * Write `bytes` (a multiple of TWIN_BLOCK) to a new file `path` from the
 * TWIN_BLOCK bytes at `block`, as fio's `engine` does:
 *   psync   pwrite() a block at a time          pvsync  pwritev(), 1 iovec
 *   vsync   writev(), 1 iovec, at the file offset
 *   mmap    ftruncate(), mmap() the file, memcpy() a block at a time,
 *           munmap()
 * then fsync() if asked (fio's end_fsync), and close(). write_ns is the
 * time inside the write calls (the memcpy for mmap), batches their
 * number; the rest of the file's time is outside them. writev() has no
 * counter in iovw_stats: vsync's calls show in batches only. 0 or a negative
 * errno (the file is left for the caller to remove).
 */
int twin_write(const char *engine, const char *path, const void *block,
	       uint64_t bytes, int sync, iovw_stats *st);

#endif
