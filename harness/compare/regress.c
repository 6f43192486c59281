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
#include "compare/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cmp_regression(struct cmp_ctx *c, const char *workload, const char *row,
		    const char *metric, json_t *base, json_t *cur,
		    const char *what)
{
	int timing = !strcmp(metric, "time") || !strcmp(metric, "ratio");

	json_array_append_new(
		c->loaded && timing ? c->unconfirmed : c->regressions,
		json_pack("{s:s,s:s,s:s,s:o,s:o,s:s}", "workload", workload,
			  "row", row, "metric", metric, "base", base, "new",
			  cur, "what", what));
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
			 "the reports measure different workloads: seed %llu "
			 "in %s, %llu in %s",
			 (unsigned long long)cj_int(a->config, "seed"), a->path,
			 (unsigned long long)cj_int(b->config, "seed"),
			 b->path);
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

/* Compare every row of BASE with its match in NEW into `rows`; rows of
 * one report only into only_base and only_new. 0 or -ENOMEM. */
static int compare_rows(struct cmp_ctx *c, json_t *rows, json_t *only_base,
			json_t *only_new)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(c->base->results) && !rc; i++) {
		const json_t *a = json_array_get(c->base->results, i);
		const json_t *b = creport_find_row(c->cur, a);
		json_t *r;

		compare_row_label(c->base, a, c->row, sizeof(c->row));
		if (!b) {
			json_array_append_new(only_base,
					      json_pack("{s:s,s:s}", "workload",
							cj_str(a, "workload"),
							"row", c->row));
			continue;
		}
		r = json_pack("{s:s,s:s,s:s,s:[],s:[]}", "workload",
			      cj_str(a, "workload"), "row", c->row, "kind",
			      cj_str(a, "kind"), "changes", "missing");
		rc = cmp_times(c, a, b, r);
		cmp_rss(c, a, b, r);
		cmp_exact(c, a, b, r);
		json_array_append_new(rows, r);
	}
	for (i = 0; i < json_array_size(c->cur->results); i++) {
		const json_t *b = json_array_get(c->cur->results, i);
		if (creport_find_row(c->base, b))
			continue;
		compare_row_label(c->cur, b, c->row, sizeof(c->row));
		json_array_append_new(only_new,
				      json_pack("{s:s,s:s}", "workload",
						cj_str(b, "workload"), "row",
						c->row));
	}
	return rc ? rc : cmp_judge(c, rows);
}

/* Was the report taken on a busy machine (its load.busy)? */
static int busy(const struct creport *r)
{
	return json_is_true(
		json_object_get(json_object_get(r->root, "load"), "busy"));
}

/* A note on a report taken under load. */
static void load_note(json_t *notes, const struct creport *r, const char *which)
{
	const json_t *l = json_object_get(r->root, "load");
	char t[300];

	if (!busy(r))
		return;
	snprintf(t, sizeof(t),
		 "%s (%s) was taken under load: other processes used %.2f "
		 "cores, %.1f%% of CPU time stolen; its timing changes are "
		 "listed as unconfirmed, not as regressions, until a run "
		 "confirms them",
		 which, r->path,
		 json_number_value(json_object_get(l, "others_cores")),
		 json_number_value(json_object_get(l, "steal")) * 100);
	json_array_append_new(notes, json_string(t));
}

/* What the reader must know to read the comparison. */
static json_t *notes_of(const struct cmp_ctx *c)
{
	json_t *notes = json_array();
	char t[200];

	load_note(notes, c->base, "base");
	load_note(notes, c->cur, "new");
	if (!c->same_machine)
		json_array_append_new(
			notes, json_string("the reports come from different "
					   "machines or file systems: absolute "
					   "timings are shown but do not gate; "
					   "ratios to pwrite-limit and exact "
					   "metrics do"));
	if (!c->same_platform)
		json_array_append_new(
			notes,
			json_string("different platforms: batch and "
				    "system call counts are shown but do "
				    "not gate"));
	if (c->weak_test) {
		snprintf(
			t, sizeof(t),
			"some rows have too few samples for the U test ever to "
			"reach alpha %g: they are gated on the %g%% threshold "
			"alone (take at least 4 against 4 samples)",
			c->o->alpha, c->o->threshold * 100);
		json_array_append_new(notes, json_string(t));
	}
	return notes;
}

/* The settings the comparison was made with. */
static json_t *settings_of(const struct compare_opts *o)
{
	static const char *const names[] = {"exact", "time", "ratio", "rss"};
	json_t *gate = json_array();
	size_t i;

	for (i = 0; i < 4; i++)
		if (o->gate & (1u << i))
			json_array_append_new(gate, json_string(names[i]));
	return json_pack("{s:f,s:f,s:f,s:o}", "threshold", o->threshold,
			 "alpha", o->alpha, "rss_threshold", o->rss_threshold,
			 "gate", gate);
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
	struct cmp_ctx c = {.base = base, .cur = cur, .o = o};
	json_t *rows, *only_base, *only_new, *out;
	int rc;

	*bad_input = 1;
	if (!same_workloads(base, cur, err, n))
		return NULL;
	*bad_input = 0;
	c.same_machine = env_same(base->env, cur->env, machine);
	c.same_platform = env_same(base->env, cur->env, platform);
	c.same_pages = env_same(base->env, cur->env, pages);
	c.loaded = busy(base) || busy(cur);
	c.regressions = json_array();
	c.unconfirmed = json_array();
	rows = json_array();
	only_base = json_array();
	only_new = json_array();
	if ((rc = compare_rows(&c, rows, only_base, only_new)) ||
	    !json_array_size(rows)) {
		if (rc)
			snprintf(err, n, "%s", strerror(-rc));
		else
			snprintf(err, n, "%s and %s have no row in common",
				 base->path, cur->path);
		*bad_input = !rc;
		json_decref(c.regressions);
		json_decref(c.unconfirmed);
		json_decref(rows);
		json_decref(only_base);
		json_decref(only_new);
		return NULL;
	}
	cmp_timing_regressions(&c, rows);
	out = json_pack(
		"{s:s,s:s,s:o,s:o,s:b,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:O,s:O,s:"
		"s}",
		"schema", COMPARE_SCHEMA, "mode", "regression", "base",
		creport_info(base), "new", creport_info(cur), "same_machine",
		c.same_machine, "same_platform", c.same_platform, "env_diff",
		env_diff(base->env, cur->env), "settings", settings_of(o),
		"notes", notes_of(&c), "rows", rows, "only_base", only_base,
		"only_new", only_new, "regressions", c.regressions,
		"unconfirmed", c.unconfirmed, "verdict",
		json_array_size(c.regressions)	 ? "regression"
		: json_array_size(c.unconfirmed) ? "unconfirmed"
						 : "ok");
	json_decref(c.regressions);
	json_decref(c.unconfirmed);
	if (!out)
		snprintf(err, n, "out of memory");
	return out;
}
