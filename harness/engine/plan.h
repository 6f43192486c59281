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

/* Append a row to `set` with its spec: kind, the strategy (ROW_STRATEGY),
 * fio's engine (ROW_PEER), the parameters; the label and id are derived.
 * 0 or -ENOMEM. */
int rows_add(struct row_set *set, const char *workload, enum row_kind kind,
	     iovw_strategy strategy, const char *engine, size_t batch,
	     size_t coalesce, int fsync);

/* Free the rows and their results; the set is empty again. */
void rows_clear(struct row_set *set);

/* `run`'s rows of a workload: gather-limit, pwrite-limit, each selected
 * strategy (pwritev with every batch limit and threshold, write-each with
 * every threshold, the others once), then with cfg->peers fio's engines.
 * 0 or -ENOMEM. */
int plan_run(const struct bench_cfg *cfg, const char *workload,
	     struct row_set *set);

/* The settings `tune` sweeps: the lists given, sorted, without duplicates,
 * with the library's defaults added. */
struct sweep {
	size_t batch[CFG_MAX_LIST + 1], nbatch;
	size_t coalesce[CFG_MAX_LIST + 1], ncoalesce;
	size_t def_batch, def_coalesce; /* the library's defaults */
};

/* The sweep of cfg's lists. */
void sweep_init(struct sweep *sw, const struct bench_cfg *cfg);

/* `tune`'s rows of a workload: gather-limit, pwrite-limit, the batch
 * sweep (coalescing at its default), the coalescing sweep without the
 * default setting (already in the batch sweep). 0 or -ENOMEM. */
int plan_tune(const struct sweep *sw, const char *workload,
	      struct row_set *set);

#endif
