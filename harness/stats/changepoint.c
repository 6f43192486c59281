/*
 * changepoint.c - change points by E-Divisive means (Matteson and James,
 * "A nonparametric approach for multiple change point analysis of
 * multivariate data", JASA 2014), the method MongoDB runs on its
 * performance history (Daly et al., ICPE 2020).
 *
 * Binary segmentation. A segment x[a..b) of at least 2 * min_size points
 * is split at the tau that maximizes the E-Divisive statistic with
 * exponent alpha = 1:
 *
 *   Q(tau) = n m / (n + m) * ( 2/(n m)   sum_{i<tau<=j} |x_i - x_j|
 *                            - 1/C(n,2)  sum_{i<k<tau}  |x_i - x_k|
 *                            - 1/C(m,2)  sum_{tau<=j<k} |x_j - x_k| )
 *
 * with n = tau - a and m = b - tau, both at least min_size: the energy
 * distance between the two sides, large when their distributions differ
 * (a shift of the mean, but also of the spread). The three sums are kept
 * incrementally as tau moves right, so a segment of L points costs
 * O(L^2) time and O(L) memory.
 *
 * Significance: a permutation test. The segment's values are shuffled
 * `permutations` times (Fisher-Yates, xorshift64* seeded with `seed`, so
 * the answer is deterministic) and the best split of each shuffle scored
 * the same way; p = (1 + shuffles scoring at least Q) / (1 + shuffles).
 * Because every shuffle takes its own best split, p accounts for the
 * split having been chosen as the best of many. A split with p <= p_max
 * whose means differ by at least min_change (relative to the left one)
 * is kept and both halves are searched again; otherwise the segment is
 * done. Each change point's size is reported between the means of the
 * final segments either side of it.
 *
 * Parameters (struct cp_opts, defaults in changepoint.h): p_max 0.01,
 * permutations 199 (the smallest p is 1/200), min_size 3 points a side,
 * min_change 0 (any significant shift), seed 1. A change that alternates
 * with no level to settle at (fewer than min_size points a side) is not
 * a change point; exact metrics, which have no noise, are compared
 * revision to revision by the caller instead.
 */
#include "stats/changepoint.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The tau in [a + min, b - min] with the largest Q (the first if several),
 * Q into *qbest; `right` is scratch of b - a + 1 doubles. */
static size_t best_split(const double *x, size_t a, size_t b, size_t min,
			 double *right, double *qbest)
{
	double within_l = 0, cross = 0, best = -DBL_MAX, q, n, m, e;
	size_t tau, i, best_tau = a + min;

	/* right[t - a]: the pairs within x[t..b) */
	right[b - a] = 0;
	for (tau = b; tau-- > a;) {
		double s = 0;
		for (i = tau + 1; i < b; i++)
			s += fabs(x[tau] - x[i]);
		right[tau - a] = right[tau + 1 - a] + s;
	}
	for (tau = a; tau <= b - min; tau++) {
		if (tau >= a + min) {
			n = (double)(tau - a);
			m = (double)(b - tau);
			e = 2 * cross / (n * m) - within_l / (n * (n - 1) / 2) -
			    right[tau - a] / (m * (m - 1) / 2);
			q = n * m / (n + m) * e;
			if (q > best) {
				best = q;
				best_tau = tau;
			}
		}
		/* move x[tau] from the right side to the left */
		for (i = a; i < tau; i++) {
			within_l += fabs(x[tau] - x[i]);
			cross -= fabs(x[tau] - x[i]);
		}
		for (i = tau + 1; i < b; i++)
			cross += fabs(x[tau] - x[i]);
	}
	*qbest = best;
	return best_tau;
}

static double mean_of(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s / (double)n;
}

static int cmp_cp(const void *x, const void *y)
{
	size_t a = ((const struct cp *)x)->index;
	size_t b = ((const struct cp *)y)->index;
	return a < b ? -1 : a > b;
}

/* xorshift64*: the permutations' generator (seeded: the same series
 * gives the same answer). */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* The permutation test of the best split of v[0..len): the share of
 * random orders of the same values whose best split scores at least q
 * (counting the observed order). perm and scratch: len + 1 doubles. */
static double perm_p(const double *v, size_t len, double q,
		     const struct cp_opts *o, double *perm, double *scratch,
		     uint64_t *rng)
{
	size_t r, i, j, hits = 0;
	double t, qp;

	memcpy(perm, v, len * sizeof(*v));
	for (r = 0; r < o->permutations; r++) {
		for (i = len - 1; i > 0; i--) { /* Fisher-Yates */
			j = (size_t)(next_rand(rng) % (i + 1));
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		best_split(perm, 0, len, o->min_size, scratch, &qp);
		hits += qp >= q * (1 - 1e-12);
	}
	return (double)(hits + 1) / (double)(o->permutations + 1);
}

/* Binary segmentation: the kept splits into cuts and their p-values into
 * ps, unsorted. */
static int segment(const double *x, size_t n, const struct cp_opts *o,
		   size_t *cuts, double *ps, size_t *ncuts)
{
	size_t *stack = malloc(2 * (n + 1) * sizeof(*stack)), top = 0;
	double *scratch = malloc((n + 1) * sizeof(*scratch));
	double *perm = malloc((n + 1) * sizeof(*perm));
	uint64_t rng = o->seed ? o->seed : 1;

	*ncuts = 0;
	if (!stack || !scratch || !perm) {
		free(stack);
		free(scratch);
		free(perm);
		return -ENOMEM;
	}
	stack[top++] = 0;
	stack[top++] = n;
	while (top) {
		size_t b = stack[--top], a = stack[--top], tau;
		double q, p, before, after;

		if (b - a < 2 * o->min_size)
			continue;
		tau = best_split(x, a, b, o->min_size, scratch, &q);
		before = mean_of(x + a, tau - a);
		after = mean_of(x + tau, b - tau);
		if (!(q > 0) || fabs(after - before) <= 1e-12 * fabs(before) ||
		    fabs(after - before) < o->min_change * fabs(before))
			continue;
		p = perm_p(x + a, b - a, q, o, perm, scratch, &rng);
		if (!(p <= o->p_max))
			continue;
		cuts[*ncuts] = tau;
		ps[(*ncuts)++] = p;
		stack[top++] = a;
		stack[top++] = tau;
		stack[top++] = tau;
		stack[top++] = b;
	}
	free(stack);
	free(scratch);
	free(perm);
	return 0;
}

int cp_detect(const double *x, size_t n, const struct cp_opts *o,
	      struct cp *out, size_t max, size_t *count)
{
	static const struct cp_opts def = CP_OPTS_DEFAULT;
	size_t *cuts, i, k, nc;
	struct cp *all;
	double *ps;
	int rc;

	o = o ? o : &def;
	*count = 0;
	if (o->min_size < 2 || !(o->p_max > 0) || o->p_max > 1 ||
	    !(o->min_change >= 0) || !o->permutations)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	cuts = malloc((n + 1) * sizeof(*cuts));
	ps = malloc((n + 1) * sizeof(*ps));
	all = malloc((n + 1) * sizeof(*all));
	if (!cuts || !ps || !all) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = segment(x, n, o, cuts, ps, &nc)))
		goto out;
	for (k = 0; k < nc; k++) {
		all[k].index = cuts[k];
		all[k].p = ps[k];
	}
	qsort(all, nc, sizeof(*all), cmp_cp);
	for (k = 0; k < nc; k++) {
		size_t lo = k ? all[k - 1].index : 0, at = all[k].index;
		size_t hi = k + 1 < nc ? all[k + 1].index : n;

		all[k].before = mean_of(x + lo, at - lo);
		all[k].after = mean_of(x + at, hi - at);
		if (k < max)
			out[k] = all[k];
	}
	*count = nc;
out:
	free(cuts);
	free(ps);
	free(all);
	return rc;
}
