/*
 * mwu.c - the Mann-Whitney U test.
 *
 * Ranks: the pooled values sorted, tied values sharing the mean of their
 * ranks. U1 = R1 - n1 (n1 + 1) / 2 where R1 is the first sample's rank sum.
 * The exact null distribution counts, for each u, the orderings of n1 a's
 * and n2 b's with u (a, b) inversions: c(m, n, u) = c(m - 1, n, u - n) +
 * c(m, n - 1, u), built one row of m at a time.
 */
#include "stats/mwu.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tagged {
	double v;
	int first;
};

static int cmp_tagged(const void *x, const void *y)
{
	double a = ((const struct tagged *)x)->v;
	double b = ((const struct tagged *)y)->v;
	return a < b ? -1 : a > b;
}

double mwu_min_p(size_t n1, size_t n2)
{
	double c = 1; /* C(n1 + n2, k) built up for k = 1..min */
	size_t k, m = n1 < n2 ? n1 : n2, n = n1 + n2;

	for (k = 1; k <= m; k++)
		c = c * (double)(n - m + k) / (double)k;
	return c > 2 ? 2 / c : 1;
}

/* P(U <= u) under the null hypothesis, for sizes n1, n2 without ties. */
static int exact_cdf(size_t n1, size_t n2, size_t u, double *out)
{
	size_t umax = n1 * n2, m, n, k;
	size_t w = umax + 1;
	/* prev[n][k] = c(m - 1, n, k), cur[n][k] = c(m, n, k) */
	double *prev = calloc((n2 + 1) * w, sizeof(double));
	double *cur = calloc((n2 + 1) * w, sizeof(double));
	double total = 0, below = 0;

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return -ENOMEM;
	}
	for (n = 0; n <= n2; n++)
		prev[n * w] = 1; /* m = 0: one ordering, no inversions */
	for (m = 1; m <= n1; m++) {
		memset(cur, 0, (n2 + 1) * w * sizeof(double));
		cur[0] = 1; /* n = 0 */
		for (n = 1; n <= n2; n++)
			for (k = 0; k <= m * n; k++)
				cur[n * w + k] =
					(k >= n ? prev[n * w + k - n] : 0) +
					cur[(n - 1) * w + k];
		double *t = prev;
		prev = cur;
		cur = t;
	}
	for (k = 0; k <= umax; k++) {
		total += prev[n2 * w + k];
		if (k <= u)
			below += prev[n2 * w + k];
	}
	free(prev);
	free(cur);
	*out = below / total;
	return 0;
}

int mwu_test(const double *a, size_t na, const double *b, size_t nb,
	     struct mwu *out)
{
	size_t n = na + nb, i, j;
	struct tagged *t;
	double r1 = 0, ties = 0, nn = (double)n;
	double n1 = (double)na, n2 = (double)nb;

	if (!na || !nb)
		return -EINVAL;
	if (!(t = malloc(n * sizeof(*t))))
		return -ENOMEM;
	for (i = 0; i < na; i++)
		t[i] = (struct tagged){a[i], 1};
	for (i = 0; i < nb; i++)
		t[na + i] = (struct tagged){b[i], 0};
	qsort(t, n, sizeof(*t), cmp_tagged);
	for (i = 0; i < n; i = j) {
		double rank, cnt;
		size_t k;

		for (j = i + 1; j < n && t[j].v == t[i].v; j++)
			;
		cnt = (double)(j - i);
		rank = ((double)i + 1 + (double)j) / 2; /* mean of i+1..j */
		for (k = i; k < j; k++)
			if (t[k].first)
				r1 += rank;
		ties += cnt * cnt * cnt - cnt;
	}
	free(t);

	memset(out, 0, sizeof(*out));
	out->u1 = r1 - n1 * (n1 + 1) / 2;
	out->u2 = n1 * n2 - out->u1;
	out->ties = ties > 0;
	if (!out->ties && n <= MWU_EXACT_MAX) {
		double umin = out->u1 < out->u2 ? out->u1 : out->u2, cdf;
		int rc = exact_cdf(na, nb, (size_t)umin, &cdf);
		if (rc)
			return rc;
		out->p = 2 * cdf > 1 ? 1 : 2 * cdf;
		out->exact = 1;
		return 0;
	}
	{
		double mu = n1 * n2 / 2;
		double var = n1 * n2 / 12 * ((nn + 1) - ties / (nn * (nn - 1)));
		double d = fabs(out->u1 - mu) - 0.5;

		if (var <= 0) /* every value equal */
			out->p = 1;
		else
			out->p = erfc((d > 0 ? d : 0) / sqrt(var) / sqrt(2.0));
		if (out->p > 1)
			out->p = 1;
	}
	return 0;
}
