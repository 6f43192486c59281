/*
 * compare.c - compare two reports for regressions; tabulate several.
 *
 * Between BASE and NEW, rows are matched by workload, strategy and
 * parameters. Four classes of metric, each gating when selected:
 *  - exact: bytes, pieces, iovecs and digests must be equal; batches and
 *    system calls too when both reports come from the same platform (arch,
 *    OS, IOV_MAX, page size, file system), which decides them;
 *  - time: the raw samples, a Mann-Whitney U test and a relative
 *    threshold on the median; only between reports of the same machine;
 *  - ratio: each sample's speed relative to its own report's pwrite-limit
 *    sample of the same round, which cancels the machine's speed, tested
 *    the same way;
 *  - rss: the peak RSS delta, a relative threshold above a floor.
 * A timing regression needs both size (the threshold) and significance (p
 * below alpha), except where the sample sizes can never reach alpha: then
 * the threshold alone decides, and the comparison says so.
 */
#include "compare.h"

#include "mwu.h"
#include "timefn.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RSS_FLOOR (256 << 10) /* a smaller peak RSS change never counts */

/* The pwrite-limit row of the row's workload (and fsync setting). */
static const json_t *find_limit(const struct creport *r, const json_t *row)
{
	const json_t *p = json_object_get(row, "params");
	size_t i;

	for (i = 0; i < json_array_size(r->results); i++) {
		const json_t *x = json_array_get(r->results, i);
		if (!strcmp(cj_str(x, "strategy"), "pwrite-limit") &&
		    !strcmp(cj_str(x, "workload"), cj_str(row, "workload")) &&
		    json_is_true(json_object_get(json_object_get(x, "params"),
						 "fsync")) ==
			    json_is_true(json_object_get(p, "fsync")))
			return x;
	}
	return NULL;
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

	if (!v || !l) {
		free(v);
		free(l);
		return NULL;
	}
	med = tf_median_dbl(l, nl);
	for (i = 0; i < *n; i++)
		v[i] = (rounds && nl == *n ? l[i] : med) / v[i];
	free(l);
	return v;
}

struct ctx {
	const struct creport *base, *cur;
	const struct compare_opts *o;
	int same_machine, same_platform, same_pages;
	int weak_test; /* some pair of rows could never reach alpha */
	json_t *regressions;
	char row[200];
};

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void add_regression(struct ctx *c, const char *workload, const char *row,
			   const char *metric, json_t *base, json_t *cur,
			   const char *what)
{
	json_array_append_new(c->regressions,
			      json_pack("{s:s,s:s,s:s,s:o,s:o,s:s}", "workload",
					workload, "row", row, "metric", metric,
					"base", base, "new", cur, "what",
					what));
}

/* Compare two sets of samples: times (bigger is worse) or ratios
 * (bigger is better). Adds its object to `out` under `key`; the verdict
 * comes later, in judge_all(), once every test's p-value is known. */
static int compare_samples(struct ctx *c, json_t *out, const char *key,
			   const double *a, size_t na, const double *b,
			   size_t nb, int bigger_better, int gated)
{
	struct mwu m;
	double ma = tf_median_dbl(a, na), mb = tf_median_dbl(b, nb);
	int rc;

	(void)c;
	if ((rc = mwu_test(a, na, b, nb, &m)))
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
static int judge_all(struct ctx *c, json_t *rows)
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

/* The regressions of the timing tests, in row order. */
static void timing_regressions(struct ctx *c, json_t *rows)
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
			snprintf(what, sizeof(what),
				 "median %.3f ms -> %.3f ms (%+.1f%%, p=%.3g)",
				 a / 1e6, b / 1e6, (b / a - 1) * 100, p);
			add_regression(c, cj_str(r, "workload"),
				       cj_str(r, "row"), "time", json_real(a),
				       json_real(b), what);
		}
		x = json_object_get(r, "ratio");
		a = json_number_value(json_object_get(x, "base"));
		b = json_number_value(json_object_get(x, "new"));
		p = json_number_value(json_object_get(x, "p"));
		if (json_is_true(json_object_get(x, "regression"))) {
			snprintf(what, sizeof(what),
				 "x pwrite-limit %.3f -> %.3f (%.2fx the time "
				 "relative to pwrite-limit, p=%.3g)",
				 a, b, a / b, p);
			add_regression(c, cj_str(r, "workload"),
				       cj_str(r, "row"), "ratio", json_real(a),
				       json_real(b), what);
		}
	}
}

static int compare_times(struct ctx *c, const json_t *a, const json_t *b,
			 json_t *out)
{
	const json_t *la, *lb;
	double *sa, *sb;
	size_t na, nb;
	int rc;

	sa = samples(a, &na);
	sb = samples(b, &nb);
	rc = !sa || !sb ? -ENOMEM
			: compare_samples(c, out, "time", sa, na, sb, nb, 0,
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
			: compare_samples(c, out, "ratio", sa, na, sb, nb, 1,
					  !!(c->o->gate & GATE_RATIO));
	free(sa);
	free(sb);
	return rc;
}

static void compare_rss(struct ctx *c, const json_t *a, const json_t *b,
			json_t *out)
{
	const json_t *ra =
		json_object_get(json_object_get(a, "rss"), "peak_delta_bytes");
	const json_t *rb =
		json_object_get(json_object_get(b, "rss"), "peak_delta_bytes");
	double x, y, lim;
	int reg, gated = (c->o->gate & GATE_RSS) && c->same_pages;
	char what[160];

	if (!json_is_integer(ra) || !json_is_integer(rb))
		return;
	x = (double)json_integer_value(ra);
	y = (double)json_integer_value(rb);
	lim = x * c->o->rss_threshold;
	if (lim < RSS_FLOOR)
		lim = RSS_FLOOR;
	reg = y - x > lim;
	json_object_set_new(out, "rss",
			    json_pack("{s:f,s:f,s:s,s:b,s:b}", "base", x, "new",
				      y, "verdict",
				      reg	    ? "worse"
				      : x - y > lim ? "better"
						    : "same",
				      "gated", gated, "regression",
				      reg && gated));
	if (reg && gated) {
		snprintf(what, sizeof(what), "peak RSS %.2f MiB -> %.2f MiB",
			 x / (1 << 20), y / (1 << 20));
		add_regression(c, cj_str(a, "workload"), c->row, "rss",
			       json_real(x), json_real(y), what);
	}
}

/* One exact metric: v in base, w in new (either may be NULL). */
static void exact_one(struct ctx *c, const json_t *row, json_t *out,
		      const char *metric, const json_t *v, const json_t *w,
		      int platform)
{
	int gated =
		(c->o->gate & GATE_EXACT) && (!platform || c->same_platform);
	char what[200], *sv, *sw;

	if (!v && !w)
		return;
	if (!v || !w) {
		/* measured in BASE, not in NEW: the check is lost (counting
		 * or digesting broke, or --no-syscalls); that gates */
		json_array_append_new(
			json_object_get(out, "missing"),
			json_pack("{s:s,s:s,s:b}", "metric", metric, "in",
				  v ? "new" : "base", "gated", v && gated));
		if (v && gated) {
			snprintf(what, sizeof(what),
				 "%s was measured in base, not in new", metric);
			add_regression(c, cj_str(row, "workload"), c->row,
				       metric, json_deep_copy(v), json_null(),
				       what);
		}
		return;
	}
	if (json_equal((json_t *)v, (json_t *)w))
		return;
	json_array_append_new(json_object_get(out, "changes"),
			      json_pack("{s:s,s:O,s:O,s:b}", "metric", metric,
					"base", v, "new", w, "gated", gated));
	if (!gated)
		return;
	sv = json_dumps(v, JSON_ENCODE_ANY);
	sw = json_dumps(w, JSON_ENCODE_ANY);
	snprintf(what, sizeof(what), "%s changed: %s -> %s", metric,
		 sv ? sv : "?", sw ? sw : "?");
	free(sv);
	free(sw);
	add_regression(c, cj_str(row, "workload"), c->row, metric,
		       json_deep_copy(v), json_deep_copy(w), what);
}

static void compare_exact(struct ctx *c, const json_t *a, const json_t *b,
			  json_t *out)
{
	static const struct {
		const char *key;
		int platform;
	} f[] = {{"bytes", 0},
		 {"pieces", 0},
		 {"iovecs", 0},
		 {"digest", 0},
		 {"batches", 1}};
	const json_t *sa = json_object_get(a, "syscalls");
	const json_t *sb = json_object_get(b, "syscalls");
	const json_t *na = json_object_get(sa, "by_name");
	const json_t *nb = json_object_get(sb, "by_name");
	const char *k;
	json_t *v;
	char metric[80];
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		exact_one(c, a, out, f[i].key, json_object_get(a, f[i].key),
			  json_object_get(b, f[i].key), f[i].platform);
	if (!sa || !sb) { /* counted in one report only (--no-syscalls) */
		exact_one(c, a, out, "syscalls", sa, sb, 1);
		return;
	}
	exact_one(c, a, out, "syscalls.total", json_object_get(sa, "total"),
		  json_object_get(sb, "total"), 1);
	json_object_foreach((json_t *)na, k, v)
	{
		const json_t *w = json_object_get(nb, k);
		json_t *zero = w ? NULL : json_integer(0);

		snprintf(metric, sizeof(metric), "syscalls.%s", k);
		exact_one(c, a, out, metric, v, w ? w : zero, 1);
		json_decref(zero);
	}
	json_object_foreach((json_t *)nb, k, v)
	{
		json_t *zero;

		if (json_object_get(na, k))
			continue;
		zero = json_integer(0);
		snprintf(metric, sizeof(metric), "syscalls.%s", k);
		exact_one(c, a, out, metric, zero, v, 1);
		json_decref(zero);
	}
}

static const char *const env_fields[] = {
	"host",	     "os",	  "kernel",  "arch",	"cpu",	    "cores",
	"mem_bytes", "page_size", "iov_max", "fs_type", "compiler", "cflags",
};

/* Equal values, or both missing. */
static int same_value(const json_t *x, const json_t *y)
{
	return x == y || json_equal((json_t *)x, (json_t *)y);
}

/* Whether the two environments agree on every field listed. */
static int env_same(const json_t *a, const json_t *b, const char *const *f)
{
	for (; *f; f++)
		if (!same_value(json_object_get(a, *f), json_object_get(b, *f)))
			return 0;
	return 1;
}

static json_t *env_diff(const json_t *a, const json_t *b)
{
	json_t *d = json_array();
	size_t i;

	for (i = 0; i < sizeof(env_fields) / sizeof(env_fields[0]); i++) {
		json_t *x = json_object_get(a, env_fields[i]);
		json_t *y = json_object_get(b, env_fields[i]);
		if (same_value(x, y))
			continue;
		json_array_append_new(d, json_pack("{s:s,s:O,s:O}", "field",
						   env_fields[i], "base",
						   x ? x : json_null(), "new",
						   y ? y : json_null()));
	}
	return d;
}

/* The two reports must measure the same workloads. */
static int same_workloads(const struct creport *a, const struct creport *b,
			  char *err, size_t n)
{
	double sa = json_number_value(json_object_get(a->config, "scale"));
	double sb = json_number_value(json_object_get(b->config, "scale"));

	if (cj_int(a->config, "seed") != cj_int(b->config, "seed")) {
		snprintf(err, n,
			 "the reports measure different workloads: seed %lld "
			 "in %s, %lld in %s",
			 cj_int(a->config, "seed"), a->path,
			 cj_int(b->config, "seed"), b->path);
		return 0;
	}
	if (fabs(sa - sb) > 1e-9 * (fabs(sa) + fabs(sb))) {
		snprintf(err, n,
			 "the reports measure different workloads: scale %g "
			 "in %s, %g in %s",
			 sa, a->path, sb, b->path);
		return 0;
	}
	return 1;
}

json_t *compare_two(const struct creport *base, const struct creport *cur,
		    const struct compare_opts *o, char *err, size_t n,
		    int *bad_input)
{
	static const char *const machine[] = {"host",	 "cpu",	  "arch",
					      "kernel",	 "cores", "mem_bytes",
					      "fs_type", NULL};
	static const char *const platform[] = {
		"arch", "os", "iov_max", "page_size", "fs_type", NULL};
	static const char *const pages[] = {"page_size", NULL};
	struct ctx c = {.base = base, .cur = cur, .o = o};
	json_t *rows = json_array(), *only_base = json_array();
	json_t *only_new = json_array(), *notes = json_array(), *out;
	size_t i;
	int rc = 0;

	*bad_input = 1;
	if (!same_workloads(base, cur, err, n))
		goto fail;
	*bad_input = 0;
	c.same_machine = env_same(base->env, cur->env, machine);
	c.same_platform = env_same(base->env, cur->env, platform);
	c.same_pages = env_same(base->env, cur->env, pages);
	c.regressions = json_array();
	for (i = 0; i < json_array_size(base->results) && !rc; i++) {
		const json_t *a = json_array_get(base->results, i);
		const json_t *b = creport_find_row(cur, a);
		json_t *r;

		compare_row_label(base, a, c.row, sizeof(c.row));
		if (!b) {
			json_array_append_new(only_base,
					      json_pack("{s:s,s:s}", "workload",
							cj_str(a, "workload"),
							"row", c.row));
			continue;
		}
		r = json_pack("{s:s,s:s,s:s,s:[],s:[]}", "workload",
			      cj_str(a, "workload"), "row", c.row, "kind",
			      cj_str(a, "kind"), "changes", "missing");
		rc = compare_times(&c, a, b, r);
		compare_rss(&c, a, b, r);
		compare_exact(&c, a, b, r);
		json_array_append_new(rows, r);
	}
	for (i = 0; i < json_array_size(cur->results); i++) {
		const json_t *b = json_array_get(cur->results, i);
		if (creport_find_row(base, b))
			continue;
		compare_row_label(cur, b, c.row, sizeof(c.row));
		json_array_append_new(only_new,
				      json_pack("{s:s,s:s}", "workload",
						cj_str(b, "workload"), "row",
						c.row));
	}
	if (!rc)
		rc = judge_all(&c, rows);
	if (rc) {
		snprintf(err, n, "%s", strerror(-rc));
		goto fail;
	}
	if (!json_array_size(rows)) {
		snprintf(err, n, "%s and %s have no row in common", base->path,
			 cur->path);
		*bad_input = 1;
		goto fail;
	}
	timing_regressions(&c, rows);
	if (!c.same_machine)
		json_array_append_new(
			notes, json_string("the reports come from different "
					   "machines or file systems: absolute "
					   "timings are shown but do not gate; "
					   "ratios to pwrite-limit and exact "
					   "metrics do"));
	if (!c.same_platform)
		json_array_append_new(
			notes,
			json_string("different platforms: batch and "
				    "system call counts are shown but do "
				    "not gate"));
	if (c.weak_test) {
		char t[200];
		snprintf(
			t, sizeof(t),
			"some rows have too few samples for the U test ever to "
			"reach alpha %g: they are gated on the %g%% threshold "
			"alone (take at least 4 against 4 samples)",
			o->alpha, o->threshold * 100);
		json_array_append_new(notes, json_string(t));
	}
	out = json_pack(
		"{s:s,s:s,s:o,s:o,s:b,s:b,s:o,s:{s:f,s:f,s:f,s:[]},s:o,s:o,"
		"s:o,s:o,s:O,s:s}",
		"schema", COMPARE_SCHEMA, "mode", "regression", "base",
		creport_info(base), "new", creport_info(cur), "same_machine",
		c.same_machine, "same_platform", c.same_platform, "env_diff",
		env_diff(base->env, cur->env), "settings", "threshold",
		o->threshold, "alpha", o->alpha, "rss_threshold",
		o->rss_threshold, "gate", "notes", notes, "rows", rows,
		"only_base", only_base, "only_new", only_new, "regressions",
		c.regressions, "verdict",
		json_array_size(c.regressions) ? "regression" : "ok");
	json_decref(c.regressions);
	if (out) {
		json_t *g = json_object_get(json_object_get(out, "settings"),
					    "gate");
		static const char *const names[] = {"exact", "time", "ratio",
						    "rss"};
		for (i = 0; i < 4; i++)
			if (o->gate & (1u << i))
				json_array_append_new(g, json_string(names[i]));
	} else {
		snprintf(err, n, "out of memory");
	}
	return out;
fail:
	json_decref(c.regressions);
	json_decref(rows);
	json_decref(only_base);
	json_decref(only_new);
	json_decref(notes);
	return NULL;
}

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
	return json_pack("{s:s,s:s,s:o,s:o}", "schema", COMPARE_SCHEMA, "mode",
			 "platforms", "reports", reports, "rows", rows);
}
