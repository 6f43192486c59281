/*
 * jobs.h - what one sample of `iovbench run` does: prepare (not measured)
 * and run (measured) one row, for a strategy or a reference row.
 */
#ifndef IOVBENCH_JOBS_H
#define IOVBENCH_JOBS_H

#include "iovw.h"
#include "workload.h"

#include <stdint.h>

struct job_ctx {
	const struct workload *w;
	const char *out;      /* output file or directory */
	int strategy;	      /* iovw_strategy, or REF_GATHER / REF_PWRITE */
	unsigned char **bufs; /* reference rows: the bytes of each file */
	uint64_t *sizes;
};

enum { REF_GATHER = 100, REF_PWRITE = 101 };

/* sample_job callbacks; ctx is a struct job_ctx */
int job_prepare(void *ctx);
int job_run(void *ctx, const iovw_options *o, iovw_stats *st);

/* Remove the files the previous sample wrote (the directory of a
 * workload of many files stays); job_prepare() starts with it. 0 or a
 * negative errno. */
int job_clear_out(const struct job_ctx *j);

/* XXH3-128 over the digests of the workload's files under `out`, as 32 hex
 * digits into hex (33 bytes). 0 or a negative errno. */
int digest_out(const struct workload *w, const char *out, char *hex);

#endif
