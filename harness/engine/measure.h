/*
 * measure.h - measuring the rows of a workload: what `run` and `tune`
 * share.
 *
 * A command plans rows (plan.h), then for each workload generates it
 * (measure_workload(), before anything is timed) and measures its rows
 * (measure_rows()): samples in fresh children, in rounds, then each
 * row's system calls and its output's digest. Nothing here prints: the
 * command gets progress through a callback and errors as negative errno
 * values, with the row that failed.
 */
#ifndef IOVBENCH_ENGINE_MEASURE_H
#define IOVBENCH_ENGINE_MEASURE_H

#include "engine/config.h"
#include "engine/load.h"
#include "engine/row.h"
#include "workload.h"

#include <stddef.h>
#include <stdint.h>

enum measure_step {
	MEASURE_SAMPLE,	  /* a sample of `row` (round of rounds) */
	MEASURE_SYSCALLS, /* counting the system calls of `row` */
};

struct measure_progress {
	enum measure_step step;
	const struct row_spec *row;
	uint64_t round, rounds; /* 1-based */
	size_t done, total;	/* rows complete, of all the command's */
};

/* The load of one round (load.h). */
struct round_load {
	char workload[32];
	uint64_t round; /* 1-based, warm-up rounds included */
	struct load_span span;
};

struct measure {
	const struct bench_cfg *cfg;
	const char *dir; /* where the rows' files are written */
	void (*progress)(void *ctx, const struct measure_progress *p);
	void *progress_ctx;
	size_t done, total;	  /* for progress: rows complete, in all */
	const struct row *failed; /* the row that failed, when one did */
	/* how busy the machine was in each round of each workload */
	struct round_load *loads;
	size_t nloads, loads_cap;
};

/* Once, before measuring: large allocations always come from fresh
 * mappings (a fixed M_MMAP_THRESHOLD), so that a sample's buffer costs
 * what it costs in a new process; the syscall tracepoints are warmed. */
void measure_init(const struct bench_cfg *cfg);

/* Generate workload `name` and give generation's free memory back, so
 * that the samples do not reuse resident pages. 0 or a negative errno;
 * free *w with wl_free(). */
int measure_workload(const char *name, const struct bench_cfg *cfg,
		     struct workload **w);

/* Measure rows[0..n) of `w`. The strategy and reference rows are sampled
 * in rounds: `warmup` unrecorded (fresh rows only: a warm row's
 * preparation runs it once already) and `reps` recorded rounds, each
 * taking one sample of every row in a new random order (from the seed), so that
 * a slow spell of the machine falls on every row alike; with a
 * cfg->precision a row leaves the rounds once it has CFG_MIN_REPS
 * recorded samples whose half range is within that share of their median
 * (its sample i is still from round i); a row's files are removed after
 * each of its samples; after its last, its system calls are counted
 * (cfg->syscalls) and its output's digest taken. Then the
 * peer rows, one after the other, writing the byte count of the
 * pwrite-limit row. 0, -EINTR when the session was interrupted, or a
 * negative errno with m->failed set. */
int measure_rows(struct measure *m, const struct workload *w, struct row *rows,
		 size_t n);

/* Free the load log (the rest of `m` is the caller's). */
void measure_free(struct measure *m);

#endif
