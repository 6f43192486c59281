/*
 * summary.h - the statistics of a set of samples: median, min, max and
 * the median absolute deviation. Every median in the harness comes from
 * here.
 */
#ifndef IOVBENCH_STATS_SUMMARY_H
#define IOVBENCH_STATS_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

struct summary {
	double median, min, max, mad; /* MAD: median absolute deviation */
};

/* Summarize v[0..n) (not changed); all zero when n is 0. 0 or -ENOMEM. */
int summarize(const double *v, size_t n, struct summary *out);

/* The same for whole numbers. 0 or -ENOMEM. */
int summarize_u64(const uint64_t *v, size_t n, struct summary *out);

/* Median of v[0..n) (not changed); 0 when n is 0. 0 or -ENOMEM. */
int median_dbl(const double *v, size_t n, double *out);

#endif
