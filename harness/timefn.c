/*
 * timefn.c - clocks and the statistics of samples.
 */
#include "timefn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t tf_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double tf_median_dbl(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(*c)), m;

	if (!c)
		return 0;
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_dbl);
	m = median_sorted(c, n);
	free(c);
	return m;
}

struct tf_summary tf_summarize(const uint64_t *v, size_t n)
{
	struct tf_summary s = {0, 0, 0, 0};
	double *c = malloc(n * sizeof(*c));
	size_t i;

	if (!c || !n) {
		free(c);
		return s;
	}
	for (i = 0; i < n; i++)
		c[i] = (double)v[i];
	qsort(c, n, sizeof(*c), cmp_dbl);
	s.median = median_sorted(c, n);
	s.min = c[0];
	s.max = c[n - 1];
	for (i = 0; i < n; i++)
		c[i] = c[i] > s.median ? c[i] - s.median : s.median - c[i];
	qsort(c, n, sizeof(*c), cmp_dbl);
	s.mad = median_sorted(c, n);
	free(c);
	return s;
}
