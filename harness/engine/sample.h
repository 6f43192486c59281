/*
 * sample.h - one measured run in a fresh child process.
 *
 * The child calls prepare() (not measured), resets its peak RSS through
 * /proc/self/clear_refs, then times run(). run() gets options whose
 * `built` hook records the memory at the end of the build phase. CPU time
 * and page faults of the region come from getrusage() around it; the
 * parent also collects the whole child's with wait4().
 */
#ifndef IOVBENCH_ENGINE_SAMPLE_H
#define IOVBENCH_ENGINE_SAMPLE_H

#include "iovw.h"

#include <stdint.h>

struct sample_job {
	void *ctx;
	/* before the measured region, in the child, with `opts` (no memory
	 * hook): 0 or a negative errno */
	int (*prepare)(void *ctx, const iovw_options *o);
	/* the measured region; `o` carries the memory hook; adds to st */
	int (*run)(void *ctx, const iovw_options *o, iovw_stats *st);
	/* after the measured region, in the child (NULL: none): the bytes
	 * of the output the page cache keeps once written back (untimed,
	 * but it waits for writeback: run --dontcache only); 0 or a
	 * negative errno */
	int (*cached)(void *ctx, uint64_t *bytes);
	iovw_options opts; /* copied into the child's options */
};

struct sample {
	int rc; /* 0, or the negative errno prepare/run returned */
	uint64_t total_ns;
	iovw_stats st;		/* build_ns, write_ns, counters */
	int64_t peak_rss_delta; /* VmHWM at the end - VmRSS at the start */
	int64_t anon_delta;	/* RssAnon at the end of the build - start */
	int64_t file_delta;	/* RssFile likewise */
	int64_t cache_bytes;	/* the output's bytes in the page cache right
				   after the write; -1: not measured */
	/* the measured region: getrusage() in the child before and after */
	uint64_t utime_ns, stime_ns, minflt, majflt;
	/* the whole child, preparation included: wait4() */
	uint64_t proc_utime_ns, proc_stime_ns, proc_minflt, proc_majflt;
};

/* Run one sample in a child. 0 (out->rc says whether the job itself
 * failed), -EINTR if the child was killed by a signal (Ctrl-C), or another
 * negative errno (fork, pipe, a child that died without a result). */
int sample_run(const struct sample_job *job, struct sample *out);

#endif
