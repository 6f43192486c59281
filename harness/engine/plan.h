/*
 * plan.h - the rows of a workload: `run`'s matrix and `tune`'s sweeps.
 *
 * Planning fills each row's spec and nothing else; the rows are measured
 * (measure.h), then summarized (rowstats.h).
 */
#ifndef IOVBENCH_ENGINE_PLAN_H
#define IOVBENCH_ENGINE_PLAN_H

#include "engine/config.h"
#include "engine/row.h"

#include <stddef.h>

/* A growing array of rows. */
struct row_set {
	struct row *v;
	size_t n, cap;
};

/* Append a row of `workload` to `set` whose spec is `spec`'s kind,
 * strategy (ROW_STRATEGY), fio's engine (ROW_PEER) and parameters; its
 * name, label and id are derived. 0 or -ENOMEM. */
int rows_add(struct row_set *set, const char *workload,
	     const struct row_spec *spec);

/* Free the rows and their results; the set is empty again. */
void rows_clear(struct row_set *set);

/* `run`'s rows of a workload: gather-limit, then for each memory in
 * cfg->memory (fresh, then warm) pwrite-limit and each selected strategy (warm
 * write-each only with cfg->warm_each)
 * (pwritev with every batch limit and threshold, write-each with every
 * threshold, stream with every staging size and threshold, the others
 * once); then with cfg->peers fio's engines and their twins (twin.h)
 * in each memory.
 * 0 or -ENOMEM. */
int plan_run(const struct bench_cfg *cfg, const char *workload,
	     struct row_set *set);

/* What `tune` sweeps for one strategy: two settings, x (pwritev's batch
 * limit, stream's staging size) and y (the coalescing threshold), each
 * swept with the other at its default. The lists are sorted, without
 * duplicates, with the library's defaults added. */
struct sweep {
	iovw_strategy s;   /* IOVW_PWRITEV or IOVW_STREAM */
	const char *xname; /* "batch" or "stage" */
	size_t x[CFG_MAX_LIST + 1], nx;
	size_t y[CFG_MAX_LIST + 1], ny;
	size_t def_x, def_y; /* the library's defaults */
};

/* The sweep of strategy s (pwritev or stream) from cfg's lists: pwritev's
 * x from --batch, stream's from --stage; y from --coalesce (for stream, 0
 * there means staging nothing, its threshold 1). */
void sweep_init(struct sweep *sw, const struct bench_cfg *cfg, iovw_strategy s);

/* The spec of the sweep's setting (x, y). */
struct row_spec sweep_spec(const struct sweep *sw, size_t x, size_t y);

/* Is the row one of the sweep's settings? Its x and y into *x, *y. */
int sweep_has(const struct sweep *sw, const struct row_spec *spec, size_t *x,
	      size_t *y);

/* `tune`'s rows of a workload: gather-limit, pwrite-limit, then for each
 * of the n sweeps its x sweep (y at its default) and its y sweep without
 * the default setting (already in the x sweep). 0 or -ENOMEM. */
int plan_tune(const struct sweep *sw, size_t n, const char *workload,
	      struct row_set *set);

#endif
