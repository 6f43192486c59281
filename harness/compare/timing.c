/*
 * timing.c - the timing tests of `compare`: each row's time, and each
 * strategy's time relative to its own report's pwrite-limit, tested with
 * the Mann-Whitney U test and a threshold (see regress.c).
 */
#include "compare/internal.h"

#include "stats/mwu.h"
#include "stats/summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The pwrite-limit row of the row's workload, fsync setting and memory:
 * a lookup in the report's index, not a scan (a scan a row made
 * 10,000-row reports quadratic). */
static const json_t *find_limit(const struct creport *r, const json_t *row)
{
	const json_t *p = json_object_get(row, "params");
	const char *mem = cj_str(p, "memory");
	json_t *like = json_pack(
		"{s:s,s:s,s:{s:b,s:s}}", "workload", cj_str(row, "workload"),
		"strategy", "pwrite-limit", "params", "fsync",
		json_is_true(json_object_get(p, "fsync")), "memory",
		strcmp(mem, "warm") ? "fresh" : "warm");
	const json_t *x = like ? creport_find_row(r, like) : NULL;

	json_decref(like);
	return x;
}

/* The samples as doubles (malloc'ed). */
static double *samples(const json_t *row, size_t *n)
{
	const json_t *s = json_object_get(row, "samples_ns");
	double *v;
	size_t i;

	*n = json_array_size(s);
	if (!(v = malloc(*n * sizeof(*v))))
		return NULL;
	for (i = 0; i < *n; i++)
		v[i] = (double)json_integer_value(json_array_get(s, i));
	return v;
}

/* A row's speed relative to its report's pwrite-limit, one value a
 * sample: iovbench run takes sample i of every row in round i, so sample i
 * is divided into the limit's sample i of the same round, which cancels a
 * change of the machine's speed during the run. Without as many limit
 * samples, the limit's median. */
static double *ratios(const json_t *row, const json_t *limit, int rounds,
		      size_t *n)
{
	size_t nl, i;
	double *v = samples(row, n), *l = samples(limit, &nl), med;

	if (!v || !l || median_dbl(l, nl, &med)) {
		free(v);
		free(l);
		return NULL;
	}
	for (i = 0; i < *n; i++)
		v[i] = (rounds && nl == *n ? l[i] : med) / v[i];
	free(l);
	return v;
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Compare two sets of samples: times (bigger is worse) or ratios
 * (bigger is better). Adds its object to `out` under `key`; the verdict
 * comes later, in judge_all(), once every test's p-value is known. */
static int compare_samples(json_t *out, const char *key, const double *a,
			   size_t na, const double *b, size_t nb,
			   int bigger_better, int gated)
{
	struct mwu m;
	double ma, mb;
	int rc;

	if ((rc = median_dbl(a, na, &ma)) || (rc = median_dbl(b, nb, &mb)) ||
	    (rc = mwu_test(a, na, b, nb, &m)))
		return rc;
	/* worse: how much longer the time, or the time relative to
	 * pwrite-limit, became (a ratio 1.0 -> 0.8 is 25% worse) */
	json_object_set_new(
		out, key,
		json_pack("{s:o,s:o,s:o,s:o,s:f,s:s,s:b,s:I,s:I}", "base",
			  jnum(ma), "new", jnum(mb), "change",
			  jnum(mb / ma - 1), "worse",
			  jnum(bigger_better ? ma / mb - 1 : mb / ma - 1), "p",
			  m.p, "test", m.exact ? "exact" : "normal", "gated",
			  gated, "n_base", (json_int_t)na, "n_new",
			  (json_int_t)nb));
	return 0;
}

static int cmp_p(const void *x, const void *y)
{
	double a = json_number_value(json_object_get(*(json_t *const *)x, "p"));
	double b = json_number_value(json_object_get(*(json_t *const *)y, "p"));
	return a < b ? -1 : a > b;
}

/* The verdicts of every timing test. A test is significant when p <
 * alpha, or with --holm when Holm's step-down procedure over all gated
 * tests rejects it (the i-th smallest p against alpha / (m - i), stopping
 * at the first that fails), which keeps the chance of any false alarm in
 * the whole comparison below alpha. A test whose sample sizes can never
 * reach its level is judged on the threshold alone. */
int cmp_judge(struct cmp_ctx *c, json_t *rows)
{
	static const char *const keys[] = {"time", "ratio"};
	size_t i, k, m = 0, nt = 0;
	json_t **t = malloc(2 * json_array_size(rows) * sizeof(*t) + 1);
	double level;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < json_array_size(rows); i++)
		for (k = 0; k < 2; k++) {
			json_t *x = json_object_get(json_array_get(rows, i),
						    keys[k]);
			if (!x)
				continue;
			t[nt++] = x;
			m += json_is_true(json_object_get(x, "gated"));
		}
	level = c->o->holm && m ? c->o->alpha / (double)m : c->o->alpha;
	qsort(t, nt, sizeof(*t), cmp_p);
	for (i = 0, k = 0; i < nt; i++) { /* k: gated tests seen so far */
		json_t *x = t[i];
		int gated = json_is_true(json_object_get(x, "gated"));
		double p = json_number_value(json_object_get(x, "p"));
		double worse = json_number_value(json_object_get(x, "worse"));
		int can = mwu_min_p((size_t)json_integer_value(
					    json_object_get(x, "n_base")),
				    (size_t)json_integer_value(json_object_get(
					    x, "n_new"))) < level;
		int sig;

		if (c->o->holm && gated)
			sig = p < c->o->alpha / (double)(m - k++);
		else
			sig = p < c->o->alpha;
		if (c->o->holm && gated && !sig)
			k = m + 1; /* step-down: nothing after is rejected */
		if (!can) {
			sig = 1;
			c->weak_test |= gated;
		}
		json_object_set_new(
			x, "verdict",
			json_string(worse >= c->o->threshold
					    ? (sig ? "worse" : "noise")
				    : worse <= -c->o->threshold
					    ? (sig ? "better" : "noise")
					    : "same"));
		json_object_set_new(
			x, "regression",
			json_boolean(gated && sig && worse >= c->o->threshold));
	}
	free(t);
	return 0;
}

/* Under load a timing test's regression is only unconfirmed. */
static void unconfirm(const struct cmp_ctx *c, json_t *test)
{
	if (!c->loaded)
		return;
	json_object_set_new(test, "regression", json_false());
	json_object_set_new(test, "unconfirmed", json_true());
}

/* The regressions of the timing tests, in row order. */
void cmp_timing_regressions(struct cmp_ctx *c, json_t *rows)
{
	size_t i;
	char what[200];

	for (i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		json_t *x = json_object_get(r, "time");
		double a = json_number_value(json_object_get(x, "base"));
		double b = json_number_value(json_object_get(x, "new"));
		double p = json_number_value(json_object_get(x, "p"));

		if (json_is_true(json_object_get(x, "regression"))) {
			unconfirm(c, x);
			snprintf(what, sizeof(what),
				 "median %.3f ms -> %.3f ms (%+.1f%%, p=%.3g)",
				 a / 1e6, b / 1e6, (b / a - 1) * 100, p);
			cmp_regression(c, cj_str(r, "workload"),
				       cj_str(r, "row"), "time", json_real(a),
				       json_real(b), what);
		}
		x = json_object_get(r, "ratio");
		a = json_number_value(json_object_get(x, "base"));
		b = json_number_value(json_object_get(x, "new"));
		p = json_number_value(json_object_get(x, "p"));
		if (json_is_true(json_object_get(x, "regression"))) {
			unconfirm(c, x);
			snprintf(what, sizeof(what),
				 "x pwrite-limit %.3f -> %.3f (%.2fx the time "
				 "relative to pwrite-limit, p=%.3g)",
				 a, b, a / b, p);
			cmp_regression(c, cj_str(r, "workload"),
				       cj_str(r, "row"), "ratio", json_real(a),
				       json_real(b), what);
		}
	}
}

int cmp_times(struct cmp_ctx *c, const json_t *a, const json_t *b, json_t *out)
{
	const json_t *la, *lb;
	double *sa, *sb;
	size_t na, nb;
	int rc;

	sa = samples(a, &na);
	sb = samples(b, &nb);
	rc = !sa || !sb ? -ENOMEM
			: compare_samples(out, "time", sa, na, sb, nb, 0,
					  (c->o->gate & GATE_TIME) &&
						  c->same_machine);
	free(sa);
	free(sb);
	if (rc || strcmp(cj_str(a, "kind"), "strategy"))
		return rc;
	la = find_limit(c->base, a);
	lb = find_limit(c->cur, b);
	if (!la || !lb)
		return 0;
	sa = ratios(a, la,
		    json_is_true(json_object_get(c->base->config, "rounds")),
		    &na);
	sb = ratios(b, lb,
		    json_is_true(json_object_get(c->cur->config, "rounds")),
		    &nb);
	rc = !sa || !sb ? -ENOMEM
			: compare_samples(out, "ratio", sa, na, sb, nb, 1,
					  !!(c->o->gate & GATE_RATIO));
	free(sa);
	free(sb);
	return rc;
}
