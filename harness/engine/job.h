/*
 * job.h - what one sample of a row does: prepare (not measured) and run
 * (measured), for a strategy row or a reference row. Peer rows run fio
 * instead (peers.h).
 */
#ifndef IOVBENCH_ENGINE_JOB_H
#define IOVBENCH_ENGINE_JOB_H

#include "engine/row.h"
#include "iovw.h"
#include "workload.h"

#include <stdint.h>

struct job {
	const struct workload *w;
	const struct row_spec *spec;
	const char *out;      /* output file or directory */
	unsigned char **bufs; /* reference rows: the bytes of each file */
	uint64_t *sizes;
	iovw_ctx *ctx;		   /* strategy and pwrite-limit: the writer
				      context of every file and run */
	iovw_writer *plan;	   /* gather-limit: the plan writer, reset */
	unsigned char *twin_block; /* twins: the block written over and over */
	uint64_t twin_bytes;	   /* ... to make fio's byte count */
};

/* sample_job callbacks; ctx is a struct job. In a sample's child: what
 * job_prepare() allocates is never freed (the child exits).
 * job_prepare() removes the row's output and reads the workload's pages
 * (the samples start from the memory a compiler has just used); the
 * reference rows' buffers are filled; with warm memory it then runs the
 * job once, untimed, and removes its output again, so that the measured
 * run finds its memory (and the page cache's freed pages) in use. */
int job_prepare(void *ctx, const iovw_options *o);

/* Remove what the job wrote (a twin: its one file). 0 or a negative
 * errno. */
int job_remove(const struct job *j);
int job_run(void *ctx, const iovw_options *o, iovw_stats *st);
/* The bytes of what the job wrote that are in the page cache now
 * (pagecache.h): a sample_job's `cached`. 0 or a negative errno. */
int job_cached(void *ctx, uint64_t *bytes);

#endif
