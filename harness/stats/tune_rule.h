/*
 * tune_rule.h - choosing a strategy's two settings from a sweep: pwritev's
 * batch limit and coalescing threshold, or stream's staging size and
 * threshold.
 *
 * A sweep gives, per workload, the samples of each setting (x, y: batch
 * limit or staging size, and coalescing threshold) measured. tune_pick() finds
 * the best setting (the lowest median), the runner-up and the library's
 * default, and compares the best with both (the margin of the medians and a
 * two-sided Mann-Whitney U test). tune_recommend() decides, over all workloads,
 * whether some setting is worth making the default. Nothing here measures
 * or prints: the tune command does, and report/tune.c writes the
 * result into the report.
 */
#ifndef IOVBENCH_STATS_TUNE_RULE_H
#define IOVBENCH_STATS_TUNE_RULE_H

#include <stddef.h>
#include <stdint.h>

/* A difference is significant when p < TUNE_ALPHA and the sample sizes
 * let the test reach it (mwu_min_p()). */
#define TUNE_ALPHA 0.05
/* A setting replaces the defaults only if it is faster by this much. */
#define TUNE_MIN_GAIN 0.05
/* tune_best_in(): any value of this field */
#define TUNE_ANY ((size_t)-1)

struct tune_point {
	size_t x, y;
	double *samples_ns; /* owned by the point */
	size_t n;
	double median_ns, mib_s;
	size_t row; /* the caller's index of the row measured */
};

/* The best setting against another: median_other / median_best - 1 and
 * the test of their samples. */
struct tune_cmp {
	double margin, p_value;
	int significant;
};

struct tune_result {
	char workload[32];
	struct tune_point *pts;
	size_t npts, cap;
	size_t best, next, def; /* indices into pts (tune_pick) */
	struct tune_cmp to_next, to_def;
};

/* Add a setting's samples (copied) to `t`; 0 or -ENOMEM, -EINVAL (no
 * samples). */
int tune_add(struct tune_result *t, size_t x, size_t y,
	     const double *samples_ns, size_t n, double mib_s, size_t row);

/* The point with the lowest median among those whose x and y
 * equal the given ones (TUNE_ANY: any); t->npts if there is none. */
size_t tune_best_in(const struct tune_result *t, size_t x, size_t y);

/* Fill best, next, def, to_next and to_def. 0, -EINVAL when there are
 * fewer than two points, -ENOENT when the default was not measured,
 * -ENOMEM. */
int tune_pick(struct tune_result *t, size_t def_x, size_t def_y);

/* Free the points (t itself is the caller's). */
void tune_result_free(struct tune_result *t);

struct tune_rec {
	size_t x, y;
	int keep; /* 1: keep the defaults (x and y are them) */
	char reason[400];
};

/* What x and y are called in messages ("batch", "coalesce"). */
struct tune_names {
	const char *x, *y;
};

/* The recommendation for the library's defaults from n picked results: a
 * setting measured on every workload replaces the defaults only if it is
 * faster than them by TUNE_MIN_GAIN or more, significantly, on most
 * workloads and significantly slower on none; of several, the one with
 * the largest geometric mean gain. The reason names the settings with
 * `names`. 0 or -ENOMEM. */
int tune_recommend(const struct tune_result *t, size_t n, size_t def_x,
		   size_t def_y, const struct tune_names *names,
		   struct tune_rec *out);

#endif
