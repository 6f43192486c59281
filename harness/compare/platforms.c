/*
 * platforms.c - one table over several reports: each row's throughput and
 * ratios in each report.
 */
#include "compare/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A row's cell in the platform table. */
static json_t *platform_cell(const json_t *row)
{
	const json_t *ratio = json_object_get(row, "ratio");
	json_t *cell = json_pack(
		"{s:f,s:f}", "mib_s",
		json_number_value(json_object_get(row, "throughput_mib_s")),
		"median_ns",
		json_number_value(json_object_get(
			json_object_get(row, "wall_ns"), "median")));
	if (ratio) {
		json_object_set_new(cell, "x_pwrite",
				    json_real(json_number_value(json_object_get(
					    ratio, "pwrite_limit"))));
		json_object_set_new(cell, "x_gather",
				    json_real(json_number_value(json_object_get(
					    ratio, "gather_limit"))));
	}
	return cell;
}

/* Is the row one of warm memory (its label ends in " warm")? */
static int warm_row(const json_t *row)
{
	const char *l = cj_str(row, "row");
	size_t n = strlen(l);

	return n >= 5 && !strcmp(l + n - 5, " warm");
}

/* Rows by workload, then memory. */
static int by_group(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	int c = strcmp(cj_str(x, "workload"), cj_str(y, "workload"));

	return c ? c : warm_row(x) - warm_row(y);
}

/* Report k's cell of the row if it is a strategy row with a cell. */
static json_t *strategy_cell(const json_t *row, size_t k)
{
	json_t *cell = json_array_get(json_object_get(row, "cells"), k);

	return !strcmp(cj_str(row, "kind"), "strategy") && json_is_object(cell)
		       ? cell
		       : NULL;
}

/* Mark, in each report's column, the fastest strategy row of each
 * workload and memory ("fastest": true in its cell): rows sorted by
 * workload and memory, one pass a group. 0 or -ENOMEM. */
static int mark_fastest(json_t *rows, size_t n)
{
	size_t nr = json_array_size(rows), i, j, k;
	json_t **v = malloc((nr ? nr : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		v[i] = json_array_get(rows, i);
	qsort(v, nr, sizeof(*v), by_group);
	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && !by_group(&v[i], &v[j]); j++)
			;
		for (k = 0; k < n; k++) {
			double best = 0;
			size_t m;
			json_t *c;

			for (m = i; m < j; m++)
				if ((c = strategy_cell(v[m], k)) &&
				    cj_dbl(c, "mib_s") > best)
					best = cj_dbl(c, "mib_s");
			for (m = i; m < j; m++)
				if ((c = strategy_cell(v[m], k)) &&
				    cj_dbl(c, "mib_s") >= best)
					json_object_set_new(c, "fastest",
							    json_true());
		}
	}
	free(v);
	return 0;
}

json_t *compare_platforms(const struct creport *r, size_t n)
{
	json_t *reports = json_array(), *rows = json_array();
	size_t i, j, k;
	char label[200];

	for (i = 0; i < n; i++)
		json_array_append_new(reports, creport_info(&r[i]));
	/* every row of every report, in order of first appearance */
	for (i = 0; i < n; i++)
		for (j = 0; j < json_array_size(r[i].results); j++) {
			const json_t *x = json_array_get(r[i].results, j);
			json_t *cells;

			for (k = 0; k < i && !creport_find_row(&r[k], x); k++)
				;
			if (k < i) /* seen in an earlier report */
				continue;
			compare_row_label(&r[i], x, label, sizeof(label));
			cells = json_array();
			for (k = 0; k < n; k++) {
				const json_t *y = creport_find_row(&r[k], x);
				json_array_append_new(cells,
						      y ? platform_cell(y)
							: json_null());
			}
			json_array_append_new(
				rows,
				json_pack("{s:s,s:s,s:s,s:o}", "workload",
					  cj_str(x, "workload"), "row", label,
					  "kind", cj_str(x, "kind"), "cells",
					  cells));
		}
	if (mark_fastest(rows, n)) {
		json_decref(reports);
		json_decref(rows);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:o,s:o}", "schema", COMPARE_SCHEMA, "mode",
			 "platforms", "reports", reports, "rows", rows);
}
