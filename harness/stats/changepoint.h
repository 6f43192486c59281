/*
 * changepoint.h - change points in a series of measurements (one value a
 * revision): where the series' distribution shifts, found by E-Divisive
 * means with its permutation test (Matteson and James; as MongoDB uses
 * it). The method and its parameters are described in changepoint.c.
 */
#ifndef IOVBENCH_STATS_CHANGEPOINT_H
#define IOVBENCH_STATS_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

struct cp_opts {
	double p_max;	     /* a split counts when its p-value <= p_max */
	double min_change;   /* ... and |after - before| / |before| >= this */
	size_t min_size;     /* points on each side of a split, at least 2 */
	size_t permutations; /* random orders of the permutation test */
	uint64_t seed;	     /* of the permutations (0: 1) */
};

/* The defaults: p_max 0.01, min_change 0, min_size 3, 199 permutations,
 * seed 1. */
#define CP_OPTS_DEFAULT              \
	{                            \
		0.01, 0.0, 3, 199, 1 \
	}

struct cp {
	size_t index;	      /* the first point of the new level */
	double before, after; /* the means of the segments either side */
	double p;	      /* the permutation test's p-value of the split */
};

/* Find the change points of x[0..n) (not changed) with options o (NULL:
 * the defaults). Writes up to max of them, sorted by index, into out
 * (the caller's) and their number into *count (which may exceed max:
 * then only the first max were written). Deterministic: the same series
 * and options give the same answer. 0, -EINVAL (a NaN or infinite value,
 * min_size < 2, p_max outside (0, 1], no permutations) or -ENOMEM. */
int cp_detect(const double *x, size_t n, const struct cp_opts *o,
	      struct cp *out, size_t max, size_t *count);

#endif
