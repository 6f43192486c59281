/*
 * tune.h - `tune`'s output: its table, its recommendation and the
 * report's "tune" object (schema results/schema.json).
 */
#ifndef IOVBENCH_REPORT_TUNE_H
#define IOVBENCH_REPORT_TUNE_H

#include "engine/plan.h"
#include "engine/row.h"
#include "stats/tune_rule.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* A workload's table for one sweep's strategy: the reference rows, the
 * two sweeps, the combination, then the best setting and how far the next
 * best and the defaults are. t's points name their rows (rows[0..n)). */
void tune_print(FILE *f, const struct sweep *sw, const struct row *rows,
		size_t n, const struct tune_result *t);

/* The recommendation's lines. */
void tune_print_rec(FILE *f, const struct sweep *sw,
		    const struct tune_rec *rec);

/* Replace the config's lists by the swept ones: pwritev's "batch" and
 * "coalesce", stream's "stage" and "stream_coalesce". */
void tune_config_json(json_t *config, const struct sweep *sw);

/* The "tune" object of one sweep over n workloads' results: its
 * defaults, each workload's best, next and default setting, the
 * recommendation (the keys of x: "batch" for pwritev, "stage" for
 * stream). */
json_t *tune_json(const struct tune_result *t, size_t n, const struct sweep *sw,
		  const struct tune_rec *rec);

#endif
