/*
 * internal.h - what the files of `compare` share: reading a report's JSON
 * fields, and the state of one comparison of two reports.
 */
#ifndef IOVBENCH_COMPARE_INTERNAL_H
#define IOVBENCH_COMPARE_INTERNAL_H

#include "compare/compare.h"

#include <jansson.h>

/* Fields of a report's JSON objects: a string ("?" when missing), a
 * number as double (0 when missing). */
static inline const char *cj_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "?";
}

static inline double cj_dbl(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* An integer field: its value, or 0 when it is missing or not an
 * integer (a number with a fraction, or too large, is not one). */
static inline long long cj_int(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* One comparison of BASE and NEW (regress.c). */
struct cmp_ctx {
	const struct creport *base, *cur;
	const struct compare_opts *o;
	int same_machine, same_platform, same_pages;
	int weak_test; /* some pair of rows could never reach alpha */
	json_t *regressions;
	/* timing regressions while either report was taken under load
	 * (its "load.busy"): not regressions until a run confirms them */
	int loaded;
	json_t *unconfirmed;
	char row[200]; /* the label of the row being compared */
};

/* Add a regression to the comparison (steals base and cur). */
void cmp_regression(struct cmp_ctx *c, const char *workload, const char *row,
		    const char *metric, json_t *base, json_t *cur,
		    const char *what);

/* Timings (timing.c): the row's "time" and, for strategies, "ratio" test
 * objects into out; their verdicts later, once every p-value is known,
 * from cmp_judge(); then cmp_timing_regressions() lists the regressions.
 * 0 or -ENOMEM. */
int cmp_times(struct cmp_ctx *c, const json_t *a, const json_t *b, json_t *out);
int cmp_judge(struct cmp_ctx *c, json_t *rows);
void cmp_timing_regressions(struct cmp_ctx *c, json_t *rows);

/* Peak RSS and the exact metrics (exact.c). */
void cmp_rss(struct cmp_ctx *c, const json_t *a, const json_t *b, json_t *out);
void cmp_exact(struct cmp_ctx *c, const json_t *a, const json_t *b,
	       json_t *out);

#endif
