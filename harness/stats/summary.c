/*
 * summary.c - median, min, max and MAD of samples (see summary.h).
 */
#include "stats/summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Summarize c[0..n), which it sorts and overwrites. */
static void summarize_in_place(double *c, size_t n, struct summary *s)
{
	size_t i;

	qsort(c, n, sizeof(*c), cmp_dbl);
	s->median = median_sorted(c, n);
	s->min = c[0];
	s->max = c[n - 1];
	for (i = 0; i < n; i++)
		c[i] = c[i] > s->median ? c[i] - s->median : s->median - c[i];
	qsort(c, n, sizeof(*c), cmp_dbl);
	s->mad = median_sorted(c, n);
}

int summarize(const double *v, size_t n, struct summary *out)
{
	double *c;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	if (!(c = malloc(n * sizeof(*c))))
		return -ENOMEM;
	memcpy(c, v, n * sizeof(*c));
	summarize_in_place(c, n, out);
	free(c);
	return 0;
}

int summarize_u64(const uint64_t *v, size_t n, struct summary *out)
{
	double *c;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	if (!(c = malloc(n * sizeof(*c))))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		c[i] = (double)v[i];
	summarize_in_place(c, n, out);
	free(c);
	return 0;
}

int median_dbl(const double *v, size_t n, double *out)
{
	struct summary s;
	int rc = summarize(v, n, &s);

	*out = s.median;
	return rc;
}
