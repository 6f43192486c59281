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

/* A workload's table: the reference rows, the two sweeps, the
 * combination, then the best setting and how far the next best and the
 * defaults are. t's points name their rows (rows[0..n)). */
void tune_print(FILE *f, const struct sweep *sw, const struct row *rows,
		size_t n, const struct tune_result *t);

/* The recommendation's lines. */
void tune_print_rec(FILE *f, const struct sweep *sw,
		    const struct tune_rec *rec);

/* Replace the config's batch and coalesce lists by the swept ones. */
void tune_config_json(json_t *config, const struct sweep *sw);

/* The report's "tune" object of n workloads' results. */
json_t *tune_json(const struct tune_result *t, size_t n, const struct sweep *sw,
		  const struct tune_rec *rec);

#endif
