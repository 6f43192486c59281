/*
 * mwu.h - the Mann-Whitney U test (Wilcoxon rank-sum) on two samples.
 *
 * Exact p-values from the null distribution of U when there are no ties
 * and both samples are small (n1 + n2 <= MWU_EXACT_MAX); otherwise the
 * normal approximation with the tie correction of the variance and a
 * continuity correction of 0.5. The p-value is two-sided.
 */
#ifndef IOVBENCH_STATS_MWU_H
#define IOVBENCH_STATS_MWU_H

#include <stddef.h>

#define MWU_EXACT_MAX 40

struct mwu {
	double u1; /* U of the first sample: pairs (a, b) with a > b, ties 1/2
		    */
	double u2; /* n1 * n2 - u1 */
	double p;  /* two-sided p-value */
	int exact; /* 1: from the exact distribution */
	int ties;  /* 1: some values occur in both or either sample twice */
};

/* Test a[0..na) against b[0..nb); 0, or -EINVAL when a sample is empty,
 * -ENOMEM. The arrays are not changed. */
int mwu_test(const double *a, size_t na, const double *b, size_t nb,
	     struct mwu *out);

/* The smallest two-sided p-value the exact test can give for sizes n1, n2
 * (2 / C(n1 + n2, n1), capped at 1): when it exceeds alpha, no data can
 * make the test significant. */
double mwu_min_p(size_t n1, size_t n2);

#endif
