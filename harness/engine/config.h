/*
 * config.h - what a measuring command (run, tune) measures and how: the
 * resolved command line, and the defaults of each command.
 */
#ifndef IOVBENCH_ENGINE_CONFIG_H
#define IOVBENCH_ENGINE_CONFIG_H

#include "engine/syscalls.h"

#include <stddef.h>
#include <stdint.h>

/* Most values a --batch or --coalesce list takes. */
#define CFG_MAX_LIST 16
/* The fewest recorded samples a row stops at (--precision). */
#define CFG_MIN_REPS 4
/* The scale --quick means. */
#define QUICK_SCALE 0.02

/* Memory a strategy row starts from (--memory). */
enum {
	MEM_FRESH = 1, /* the write allocates what it needs, as a new process */
	MEM_WARM = 2,  /* the same context wrote this workload once before */
};

struct bench_cfg {
	unsigned wmask;	 /* bit i: wl_defs[i] */
	unsigned smask;	 /* bit i: strategy i */
	uint64_t reps;	 /* recorded rounds: samples a row, at most */
	uint64_t warmup; /* unrecorded rounds first */
	uint64_t seed;
	double scale;
	size_t batch[CFG_MAX_LIST], nbatch; /* 0: the default, IOV_MAX */
	size_t coalesce[CFG_MAX_LIST], ncoalesce;
	size_t stage[CFG_MAX_LIST], nstage; /* stream's; 0: the default */
	unsigned memory;		    /* MEM_FRESH | MEM_WARM */
	int hugepage;  /* buffer also with IOVW_F_HUGEPAGE */
	int warm_each; /* write-each with warm memory too (the naive
			  baseline: slow, and no memory of its own) */
	/* a row stops taking samples once it has CFG_MIN_REPS and half
	 * their range is within `precision` of their median (0: never) */
	double precision;
	int fsync, peers;
	int dontcache; /* pwritev and stream also with IOVW_F_DONTCACHE */
	enum sc_method syscalls; /* SC_OFF: not counted */
	const char *dir;	 /* where the scratch directory goes, or NULL */
};

/* `iovbench run`'s defaults: every workload and strategy but the
 * asynchronous ones (io_uring, pipelined: --full or -s), 1 warm-up and 5
 * recorded rounds (a row stops at 4 once its median is known to +-2%),
 * seed 1, scale 1, each strategy at the library's defaults (batch limit,
 * coalescing, staging size), fresh and warm memory, system calls counted
 * (SC_AUTO). */
void bench_cfg_run(struct bench_cfg *c);

/* What `run --full` adds: coalescing thresholds 0 and 64 (stream's 0 is
 * its default), buffer with huge pages, write-each with warm memory, the
 * io_uring and pipelined strategies, and fio's engines with their twins. */
void bench_cfg_full(struct bench_cfg *c);

/* The strategies `run` measures by default: all but io_uring and
 * pipelined. */
#define CFG_DEFAULT_STRATEGIES               \
	(((1u << IOVW_STRATEGY_COUNT) - 1) & \
	 ~(1u << IOVW_URING | 1u << IOVW_PIPELINE))

/* Can this process use io_uring? A write of an empty stream to /dev/null
 * by the library's IOVW_URING (it sets up a ring first): 0, or -ENOSYS
 * where the kernel, seccomp or the build refuse it. */
int cfg_uring_probe(void);

/* `iovbench tune`'s: run's, but fresh memory only, every sample taken,
 * pwritev and stream on
 * module-large, project and tree (where the settings can matter: blob's 5
 * pieces fit one call whatever they are), batch limits 1, 2, 4, ... IOV_MAX,
 * thresholds 0, 16, 32, ... 4096 and staging sizes 4 KiB, 16 KiB, ... 4 MiB. */
void bench_cfg_tune(struct bench_cfg *c);

#endif
