/*
 * test_mwu.c - the Mann-Whitney U test against values worked out by hand
 * (and, where noted, the example in SciPy's mannwhitneyu documentation).
 */
#include "stats/mwu.h"
#include "t.h"

#include <errno.h>
#include <math.h>

#define NEAR(x, want) (fabs((x) - (want)) < 1e-9)

/* {1,2,3} against {4,5,6}: every a below every b, U1 = 0. Of the
 * C(6,3) = 20 orderings one has U = 0, so the two-sided p is 2/20. */
static void separated_3v3(void)
{
	const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
	struct mwu m;

	REQUIRE(mwu_test(a, 3, b, 3, &m) == 0);
	CHECK(m.exact && !m.ties);
	CHECK(NEAR(m.u1, 0) && NEAR(m.u2, 9));
	CHECK(NEAR(m.p, 0.1));
	/* swapped: the same p, the U's swap */
	REQUIRE(mwu_test(b, 3, a, 3, &m) == 0);
	CHECK(NEAR(m.u1, 9) && NEAR(m.p, 0.1));
}

/* SciPy's example: males {19,22,16,29,24}, females {20,11,17,12}.
 * U1 = 17, U2 = 3; orderings of 5 and 4 with U <= 3: 1 + 1 + 2 + 3 = 7 of
 * C(9,4) = 126, so p = 14/126 = 1/9 (SciPy: 0.1111111111111111). */
static void scipy_example_exact(void)
{
	const double a[] = {19, 22, 16, 29, 24}, b[] = {20, 11, 17, 12};
	struct mwu m;

	REQUIRE(mwu_test(a, 5, b, 4, &m) == 0);
	CHECK(m.exact);
	CHECK(NEAR(m.u1, 17) && NEAR(m.u2, 3));
	CHECK(NEAR(m.p, 1.0 / 9));
}

/* With ties: {1,2,2,3,3} against {2,3,4,4,5}. Mid-ranks 1, 3, 3, 3, 6,
 * 6, 6, 8.5, 8.5, 10; R1 = 1+3+3+6+6 = 19, U1 = 19 - 15 = 4. Tie term
 * T = 2 (3^3 - 3) + (2^3 - 2) = 54; var = 25/12 (11 - 54/90) = 21.667;
 * z = (|4 - 12.5| - 0.5) / sqrt(var) = 1.7187; p = erfc(z / sqrt 2) =
 * 0.0856734 (SciPy, method="asymptotic": 0.08567343955231686). */
static void ties_normal(void)
{
	const double a[] = {1, 2, 2, 3, 3}, b[] = {2, 3, 4, 4, 5};
	struct mwu m;

	REQUIRE(mwu_test(a, 5, b, 5, &m) == 0);
	CHECK(!m.exact && m.ties);
	CHECK(NEAR(m.u1, 4));
	CHECK(fabs(m.p - 0.08567343955231686) < 1e-12);
}

/* 0..11 against 3.5..14.5: U1 = 36 of 144, exact p = 0.0387211388692
 * (SciPy, method="exact"). */
static void exact_12v12(void)
{
	double a[12], b[12];
	struct mwu m;
	int i;

	for (i = 0; i < 12; i++) {
		a[i] = i;
		b[i] = i + 3.5;
	}
	REQUIRE(mwu_test(a, 12, b, 12, &m) == 0);
	CHECK(m.exact);
	CHECK(NEAR(m.u1, 36));
	CHECK(fabs(m.p - 0.03872113886920726) < 1e-12);
}

/* Beyond MWU_EXACT_MAX the normal approximation: 1..25 against 8.5..32.5,
 * U1 = 153 (pairs a > b: sum over a = 9..25 of a - 8). No ties: var =
 * 625 * 51 / 12; z = (312.5 - 153 - 0.5) / 51.539 = 3.0850, p =
 * 0.0020351578 (SciPy: 0.002035157807278379). */
static void large_normal(void)
{
	double a[25], b[25];
	struct mwu m;
	int i;

	for (i = 0; i < 25; i++) {
		a[i] = i + 1;
		b[i] = i + 8.5;
	}
	REQUIRE(mwu_test(a, 25, b, 25, &m) == 0);
	CHECK(!m.exact && !m.ties);
	CHECK(NEAR(m.u1, 153));
	CHECK(fabs(m.p - 0.002035157807278379) < 1e-12);
}

/* Identical samples: U at its mean, p = 1; all values equal: p = 1. */
static void no_difference(void)
{
	const double a[] = {5, 1, 3, 2, 4}, c[] = {7, 7, 7};
	struct mwu m;

	REQUIRE(mwu_test(a, 5, a, 5, &m) == 0);
	CHECK(NEAR(m.u1, 12.5) && NEAR(m.p, 1));
	REQUIRE(mwu_test(c, 3, c, 3, &m) == 0);
	CHECK(NEAR(m.p, 1));
}

/* 2 / C(n1 + n2, n1): 3v3 can never reach 0.05, 4v4 and 5v5 can. */
static void min_p(void)
{
	CHECK(NEAR(mwu_min_p(3, 3), 0.1));
	CHECK(NEAR(mwu_min_p(4, 4), 2.0 / 70));
	CHECK(NEAR(mwu_min_p(5, 5), 2.0 / 252));
	CHECK(NEAR(mwu_min_p(1, 1), 1));
	CHECK(NEAR(mwu_min_p(2, 7), 2.0 / 36));
	CHECK(mwu_min_p(3, 3) > 0.05 && mwu_min_p(4, 4) < 0.05);
}

static void empty(void)
{
	const double a[] = {1};
	struct mwu m;

	CHECK_EQ(mwu_test(a, 1, a, 0, &m), -EINVAL);
	CHECK_EQ(mwu_test(a, 0, a, 1, &m), -EINVAL);
}

static const struct t_case cases[] = {
	{"separated_3v3", separated_3v3},
	{"scipy_example_exact", scipy_example_exact},
	{"ties_normal", ties_normal},
	{"exact_12v12", exact_12v12},
	{"large_normal", large_normal},
	{"no_difference", no_difference},
	{"min_p", min_p},
	{"empty", empty},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "mwu", cases);
}
