/*
 * exact.c - the exact metrics of `compare` (bytes, pieces, iovecs, digests,
 * batches, system calls) and peak RSS.
 */
#include "compare/internal.h"

#include <stdio.h>
#include <stdlib.h>

#define RSS_FLOOR (256 << 10) /* a smaller peak RSS change never counts */

void cmp_rss(struct cmp_ctx *c, const json_t *a, const json_t *b, json_t *out)
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
		cmp_regression(c, cj_str(a, "workload"), c->row, "rss",
			       json_real(x), json_real(y), what);
	}
}

/* One exact metric: v in base, w in new (either may be NULL). */
static void exact_one(struct cmp_ctx *c, const json_t *row, json_t *out,
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
			cmp_regression(c, cj_str(row, "workload"), c->row,
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
	cmp_regression(c, cj_str(row, "workload"), c->row, metric,
		       json_deep_copy(v), json_deep_copy(w), what);
}

void cmp_exact(struct cmp_ctx *c, const json_t *a, const json_t *b, json_t *out)
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
