/*
 * row.h - a row of a benchmark: one thing measured on one workload.
 *
 * A row passes through three stages, each writing its own part and reading
 * only the earlier ones:
 *
 *   plan.c      spec     what is measured: kind, strategy, parameters,
 *                        label (set once, never changed)
 *   measure.c   result   the recorded samples, the system calls, the
 *                        output's digest
 *   rowstats.c  stats    the statistics, computed once from the results
 *   (report/)            the table and the JSON report read all three
 *
 * `run` and `tune` use the same rows; only their plans differ.
 */
#ifndef IOVBENCH_ENGINE_ROW_H
#define IOVBENCH_ENGINE_ROW_H

#include "engine/sample.h"
#include "engine/syscalls.h"
#include "iovw.h"
#include "stats/summary.h"

#include <stddef.h>
#include <stdint.h>

enum row_kind {
	ROW_STRATEGY,	  /* a library strategy writing the workload */
	ROW_GATHER_LIMIT, /* the pieces copied into a warm buffer, no I/O */
	ROW_PWRITE_LIMIT, /* one pwrite of a warm buffer of the same bytes */
	ROW_PEER,	  /* fio writing the same byte count */
	ROW_TWIN,	  /* our twin of a fio engine (twin.h) */
};

struct row_spec {
	enum row_kind kind;
	iovw_strategy strategy; /* ROW_STRATEGY */
	const char *engine;	/* ROW_PEER, ROW_TWIN: fio's ioengine, e.g.
				   "psync" */
	size_t batch;		/* 0: the library's default (IOV_MAX) */
	size_t coalesce;	/* 0: off, for stream its default */
	size_t stage;		/* stream's staging bytes; 0: the default */
	int fsync;
	int warm;      /* memory: 0 fresh, 1 warm (MEM_*); not for peers */
	int hugepage;  /* buffer: IOVW_F_HUGEPAGE */
	int dontcache; /* IOVW_F_DONTCACHE (run --dontcache) */
	char workload[32];
	char name[24];	/* "pwritev", "gather-limit", "fio-psync",
			   "twin-psync" */
	char label[64]; /* "pwritev batch=16 coalesce=64", "stream stage=4096",
			   "buffer warm" */
	char id[128];	/* "<workload>-<label>", safe in a file name */
};

struct row_result {
	struct sample *s; /* recorded samples; s[i] was taken in round i */
	size_t n, cap;
	struct sc_count sc; /* system calls, when sc_rc is 0 */
	int sc_rc;	    /* -ENODATA: not counted */
	char digest[33];    /* XXH3-128 of the output, 32 hex digits */
	int has_digest;
};

/* Medians over the samples of what each sample measured beside time. */
struct row_medians {
	double peak_rss, anon, file; /* bytes */
	double cache; /* the output's bytes in the page cache after the write
			 (-1: not measured) */
	double minflt, majflt, utime_ns, stime_ns;
	/* the whole child, preparation included */
	double proc_minflt, proc_majflt, proc_utime_ns, proc_stime_ns;
};

struct row_stats {
	struct summary wall, build, write; /* ns */
	struct row_medians med;
	uint64_t bytes;	 /* the bytes the row writes (or gathers) */
	double mib_s;	 /* bytes / median wall time */
	double x_gather; /* throughput relative to gather-limit (0: none) */
	double x_pwrite; /* ... and to pwrite-limit */
	int fastest;	 /* the fastest strategy row of its workload and
			    memory */
	int same;	 /* digest equal to the workload's first one */
};

struct row {
	struct row_spec spec;
	struct row_result res;
	struct row_stats stats;
};

/* Does the row write files whose bytes can be digested? */
static inline int row_has_output(const struct row_spec *s)
{
	return s->kind == ROW_STRATEGY || s->kind == ROW_PWRITE_LIMIT;
}

/* Free the rows' results (the array is the caller's). */
void rows_free(struct row *rows, size_t n);

#endif
