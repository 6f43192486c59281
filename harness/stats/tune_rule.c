/*
 * tune_rule.c - choosing a x limit and a coalescing threshold (see
 * tune_rule.h).
 */
#include "stats/tune_rule.h"

#include "stats/mwu.h"
#include "stats/summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tune_add(struct tune_result *t, size_t x, size_t y,
	     const double *samples_ns, size_t n, double mib_s, size_t row)
{
	struct tune_point *p;

	if (!n)
		return -EINVAL;
	if (t->npts == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		p = realloc(t->pts, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->pts = p;
		t->cap = cap;
	}
	p = &t->pts[t->npts];
	memset(p, 0, sizeof(*p));
	p->samples_ns = malloc(n * sizeof(double));
	if (!p->samples_ns)
		return -ENOMEM;
	memcpy(p->samples_ns, samples_ns, n * sizeof(double));
	p->n = n;
	p->x = x;
	p->y = y;
	if (median_dbl(samples_ns, n, &p->median_ns)) {
		free(p->samples_ns);
		return -ENOMEM;
	}
	p->mib_s = mib_s;
	p->row = row;
	t->npts++;
	return 0;
}

size_t tune_best_in(const struct tune_result *t, size_t x, size_t y)
{
	size_t i, best = t->npts;

	for (i = 0; i < t->npts; i++) {
		const struct tune_point *p = &t->pts[i];
		if ((x != TUNE_ANY && p->x != x) ||
		    (y != TUNE_ANY && p->y != y))
			continue;
		if (best == t->npts || p->median_ns < t->pts[best].median_ns)
			best = i;
	}
	return best;
}

/* Is a test's p-value significant for these sample sizes? */
static int significant(double p, size_t n1, size_t n2)
{
	return p < TUNE_ALPHA && mwu_min_p(n1, n2) < TUNE_ALPHA;
}

/* Compare point b with point a (the faster one, usually): the margin of
 * b's median over a's, and the Mann-Whitney test of their samples. */
static int compare(const struct tune_point *a, const struct tune_point *b,
		   struct tune_cmp *out)
{
	struct mwu m;
	int rc;

	out->margin = a->median_ns > 0 ? b->median_ns / a->median_ns - 1 : 0;
	if (a == b) {
		out->p_value = 1;
		out->significant = 0;
		return 0;
	}
	rc = mwu_test(a->samples_ns, a->n, b->samples_ns, b->n, &m);
	if (rc)
		return rc;
	out->p_value = m.p;
	out->significant = significant(m.p, a->n, b->n);
	return 0;
}

int tune_pick(struct tune_result *t, size_t def_x, size_t def_y)
{
	size_t i;
	int rc;

	if (t->npts < 2)
		return -EINVAL;
	t->def = tune_best_in(t, def_x, def_y);
	if (t->def == t->npts)
		return -ENOENT;
	t->best = tune_best_in(t, TUNE_ANY, TUNE_ANY);
	t->next = t->npts;
	for (i = 0; i < t->npts; i++)
		if (i != t->best &&
		    (t->next == t->npts ||
		     t->pts[i].median_ns < t->pts[t->next].median_ns))
			t->next = i;
	rc = compare(&t->pts[t->best], &t->pts[t->next], &t->to_next);
	if (!rc)
		rc = compare(&t->pts[t->best], &t->pts[t->def], &t->to_def);
	return rc;
}

void tune_result_free(struct tune_result *t)
{
	size_t i;

	for (i = 0; i < t->npts; i++)
		free(t->pts[i].samples_ns);
	free(t->pts);
	t->pts = NULL;
	t->npts = t->cap = 0;
}

/* How one setting fares against the defaults over all workloads. */
struct verdict {
	size_t x, y;
	size_t wins;   /* faster by TUNE_MIN_GAIN or more, significantly */
	size_t losses; /* slower, significantly */
	double gain;   /* geometric mean of median_default / median - 1 */
};

/* Judge the setting of point `c` of t[0] against the defaults on every
 * workload; 1 if it was measured on all of them, 0 if not, or -ENOMEM. */
static int judge(const struct tune_result *t, size_t n,
		 const struct tune_point *c, struct verdict *v)
{
	double logsum = 0;
	size_t k;

	memset(v, 0, sizeof(*v));
	v->x = c->x;
	v->y = c->y;
	for (k = 0; k < n; k++) {
		size_t i = tune_best_in(&t[k], c->x, c->y);
		const struct tune_point *p, *d = &t[k].pts[t[k].def];
		struct tune_cmp cmp;
		int rc;

		if (i == t[k].npts)
			return 0;
		p = &t[k].pts[i];
		if ((rc = compare(p, d, &cmp)))
			return rc;
		if (cmp.significant && cmp.margin >= TUNE_MIN_GAIN)
			v->wins++;
		if (cmp.significant && cmp.margin < 0)
			v->losses++;
		logsum += log(d->median_ns / p->median_ns);
	}
	v->gain = exp(logsum / (double)n) - 1;
	return 1;
}

/* Does the verdict make the setting worth being the default? */
static int qualifies(const struct verdict *v, size_t n)
{
	return 2 * v->wins > n && v->losses == 0;
}

/* Is verdict a closer to qualifying than b? */
static int closer(const struct verdict *a, const struct verdict *b)
{
	long sa = (long)a->wins - (long)a->losses;
	long sb = (long)b->wins - (long)b->losses;
	return sa != sb ? sa > sb : a->gain > b->gain;
}

int tune_recommend(const struct tune_result *t, size_t n, size_t def_x,
		   size_t def_y, const struct tune_names *names,
		   struct tune_rec *out)
{
	struct verdict best = {0}, near = {0};
	int have_best = 0, have_near = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->keep = 1;
	out->x = def_x;
	out->y = def_y;
	for (i = 0; n && i < t[0].npts; i++) {
		const struct tune_point *c = &t[0].pts[i];
		struct verdict v;
		int rc;

		if (c->x == def_x && c->y == def_y)
			continue;
		rc = judge(t, n, c, &v);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		if (qualifies(&v, n)) {
			if (!have_best || v.gain > best.gain)
				best = v;
			have_best = 1;
		} else if (!have_near || closer(&v, &near)) {
			near = v;
			have_near = 1;
		}
	}
	if (have_best) {
		out->keep = 0;
		out->x = best.x;
		out->y = best.y;
		snprintf(out->reason, sizeof(out->reason),
			 "%s=%zu %s=%zu is %.0f%% or more faster than "
			 "the defaults with p < %.2f on %zu of %zu workloads "
			 "(speed %+.1f%% on the geometric mean) and "
			 "significantly slower on none",
			 names->x, best.x, names->y, best.y,
			 100 * TUNE_MIN_GAIN, TUNE_ALPHA, best.wins, n,
			 100 * best.gain);
	} else if (have_near) {
		snprintf(out->reason, sizeof(out->reason),
			 "no setting is %.0f%% or more faster than the "
			 "defaults with p < %.2f on most workloads without "
			 "being significantly slower on any; the closest, "
			 "%s=%zu %s=%zu, is so on %zu of %zu and "
			 "significantly slower on %zu (speed %+.1f%% on the "
			 "geometric mean)",
			 100 * TUNE_MIN_GAIN, TUNE_ALPHA, names->x, near.x,
			 names->y, near.y, near.wins, n, near.losses,
			 100 * near.gain);
	} else {
		snprintf(out->reason, sizeof(out->reason),
			 "no other setting was measured on every workload");
	}
	return 0;
}
