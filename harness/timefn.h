/*
 * timefn.h - clocks and the statistics of samples.
 */
#ifndef IOVBENCH_TIMEFN_H
#define IOVBENCH_TIMEFN_H

#include <stddef.h>
#include <stdint.h>

uint64_t tf_now_ns(void);

struct tf_summary {
	double median, min, max, mad; /* MAD: median absolute deviation */
};

/* Summarize n > 0 values (the array is not changed). */
struct tf_summary tf_summarize(const uint64_t *v, size_t n);

/* Median of n > 0 doubles (the array is not changed). */
double tf_median_dbl(const double *v, size_t n);

#endif
