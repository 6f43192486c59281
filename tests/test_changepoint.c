/*
 * test_changepoint.c - change-point detection (stats/changepoint.c) on
 * synthetic series from a seeded generator: a 10% step in 5% noise is
 * found at its revision, two steps are both found, flat series of the
 * same noise give few false alarms (the rate over 1,000 series is
 * printed and bounded).
 */
#include "stats/changepoint.h"
#include "t.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#define NEAR(x, want, eps) (fabs((x) - (want)) < (eps))

/* A standard normal deviate (Box-Muller) from the seeded generator. */
static double gauss(uint64_t *s)
{
	double u1 = ((double)(t_rand(s) >> 11) + 1) / 9007199254740993.0;
	double u2 = (double)(t_rand(s) >> 11) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* n points of `level` times (1 + 5% noise) into x from index `from`. */
static void noisy(double *x, size_t from, size_t n, double level, uint64_t *s)
{
	size_t i;

	for (i = from; i < from + n; i++)
		x[i] = level * (1 + 0.05 * gauss(s));
}

/* |a - b| */
static size_t dist(size_t a, size_t b)
{
	return a > b ? a - b : b - a;
}

/* 30 revisions at 1.0, then 30 at 1.1, in 5% noise (a standard deviation
 * of 5% of the level), over 100 seeds: one change point each time, at
 * revision 30 (the first of the new level) in most series, within one
 * revision in three quarters, never more than ten off. (A 10% step is
 * two standard deviations: the revisions next to it often look like
 * either level, so no method places every one exactly: the best split of
 * a Gaussian mean shift of two deviations is exact about 60% of the
 * time.) */
static void step_found_at_revision(void)
{
	double x[60];
	struct cp cp[4];
	size_t count, exact = 0, near = 0;
	uint64_t seed, s;

	for (seed = 1; seed <= 100; seed++) {
		s = seed;
		noisy(x, 0, 30, 1.0, &s);
		noisy(x, 30, 30, 1.1, &s);
		REQUIRE(cp_detect(x, 60, NULL, cp, 4, &count) == 0);
		CHECK_EQ(count, 1);
		if (count != 1)
			continue;
		CHECK(dist(cp[0].index, 30) <= 10);
		exact += cp[0].index == 30;
		near += dist(cp[0].index, 30) <= 1;
		CHECK(cp[0].after / cp[0].before > 1.05 &&
		      cp[0].after / cp[0].before < 1.15);
		CHECK(cp[0].p <= 0.01);
	}
	printf("# step: at revision 30 in %zu of 100 series, within one in "
	       "%zu\n",
	       exact, near);
	CHECK(exact >= 55);
	CHECK(near >= 75);
}

/* The distance from `at` to the nearest change point of cp[0..n). */
static size_t nearest(const struct cp *cp, size_t n, size_t at)
{
	size_t k, d = (size_t)-1;

	for (k = 0; k < n; k++)
		if (dist(cp[k].index, at) < d)
			d = dist(cp[k].index, at);
	return d;
}

/* Two steps: up 10% at 30, down again at 60; and a staircase, up 10% at
 * 30 and again at 60, 50 seeds each, in 5% noise. Both steps have a
 * change point within three revisions in most series, within one in
 * half; a third, false, one is rare. (Binary segmentation tests the first
 * split of the up-and-down series against the whole rest, half of it at
 * the old level: it misses some of them entirely.) */
static void two_steps_found(void)
{
	double x[90];
	struct cp cp[8];
	size_t count, found = 0, near = 0, extra = 0;
	uint64_t seed, s;
	int stair;

	for (stair = 0; stair <= 1; stair++)
		for (seed = 1; seed <= 50; seed++) {
			s = seed * 7919;
			noisy(x, 0, 30, 1.0, &s);
			noisy(x, 30, 30, 1.1, &s);
			noisy(x, 60, 30, stair ? 1.21 : 1.0, &s);
			REQUIRE(cp_detect(x, 90, NULL, cp, 8, &count) == 0);
			REQUIRE(count <= 8);
			extra += count > 2;
			found += nearest(cp, count, 30) <= 3 &&
				 nearest(cp, count, 60) <= 3;
			near += nearest(cp, count, 30) <= 1 &&
				nearest(cp, count, 60) <= 1;
		}
	printf("# two steps: both found (within 3) in %zu of 100 series, "
	       "within one revision in %zu; %zu with a third\n",
	       found, near, extra);
	CHECK(found >= 75);
	CHECK(near >= 45);
	CHECK(extra <= 10);
}

/* 1,000 flat series of 60 revisions in the same 5% noise: the series
 * with any change point are false alarms; p_max 0.01 promises about 1%.
 * (IOVW_TEST_SCALE scales the count, for valgrind.) */
static void flat_false_alarms(void)
{
	double x[60];
	struct cp cp[8];
	size_t count, alarms = 0, n = (size_t)t_scaled(1000);
	uint64_t seed, s;

	for (seed = 1; seed <= n; seed++) {
		s = seed * 104729;
		noisy(x, 0, 60, 1.0, &s);
		REQUIRE(cp_detect(x, 60, NULL, cp, 8, &count) == 0);
		alarms += count > 0;
	}
	printf("# flat: %zu of %zu series with a false change point\n", alarms,
	       n);
	CHECK(alarms * 50 <= n); /* at most 2% */
}

/* A value without noise (a count of system calls) changing once: found
 * at its revision. */
static void exact_step(void)
{
	double x[16];
	struct cp cp[2];
	size_t count, i;

	for (i = 0; i < 16; i++)
		x[i] = i < 9 ? 6 : 9;
	REQUIRE(cp_detect(x, 16, NULL, cp, 2, &count) == 0);
	CHECK_EQ(count, 1);
	CHECK_EQ(cp[0].index, 9);
	CHECK(cp[0].before == 6 && cp[0].after == 9);
}

/* Too short to split, a NaN, bad options; min_change filters a small
 * significant shift. */
static void edges(void)
{
	const double x[] = {1, 1, 1, 2, 2};
	double y[60], nan_at[6] = {1, 1, 1, 1, 1, 1};
	struct cp_opts o = CP_OPTS_DEFAULT;
	struct cp cp[2];
	size_t count = 99, i;

	REQUIRE(cp_detect(x, 5, NULL, cp, 2, &count) == 0);
	CHECK_EQ(count, 0);
	nan_at[3] = NAN;
	CHECK_EQ(cp_detect(nan_at, 6, NULL, cp, 2, &count), -EINVAL);
	o.min_size = 1;
	CHECK_EQ(cp_detect(x, 5, &o, cp, 2, &count), -EINVAL);
	o = (struct cp_opts)CP_OPTS_DEFAULT;
	o.p_max = 0;
	CHECK_EQ(cp_detect(x, 5, &o, cp, 2, &count), -EINVAL);
	for (i = 0; i < 60; i++) /* a 2% step without noise */
		y[i] = i < 30 ? 1.0 : 1.02;
	o = (struct cp_opts)CP_OPTS_DEFAULT;
	REQUIRE(cp_detect(y, 60, &o, cp, 2, &count) == 0);
	CHECK_EQ(count, 1);
	o.min_change = 0.05;
	REQUIRE(cp_detect(y, 60, &o, cp, 2, &count) == 0);
	CHECK_EQ(count, 0);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{"step_found_at_revision", step_found_at_revision},
		{"two_steps_found", two_steps_found},
		{"flat_false_alarms", flat_false_alarms},
		{"exact_step", exact_step},
		{"edges", edges},
		{NULL, NULL},
	};
	return t_main(argc, argv, "changepoint", cases);
}
