/*
 * test_tune_rule.c - tune_rule.c's decisions on made-up samples: the best
 * setting, the runner-up and the default with their margins and tests,
 * and when a setting is worth making the library's default.
 */
#include "t.h"
#include "report/tune.h"
#include "stats/tune_rule.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define DEF_B 1024
#define DEF_C 0

/* Add a setting with 5 samples around `ms` milliseconds (spread +-2%). */
static const struct tune_names names = {"batch", "coalesce"};

static void add5(struct tune_result *t, size_t batch, size_t coalesce,
		 double ms)
{
	const double f[5] = {0.98, 0.99, 1.0, 1.01, 1.02};
	double v[5];
	size_t i;

	for (i = 0; i < 5; i++)
		v[i] = ms * 1e6 * f[i];
	REQUIRE(tune_add(t, batch, coalesce, v, 5, 100 / ms, t->npts) == 0);
}

/* A workload where each setting is `ms` of the default's 10 ms. */
static void workload(struct tune_result *t, const char *name, double b8,
		     double c64)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->workload, sizeof(t->workload), "%s", name);
	add5(t, 1, DEF_C, 40);
	add5(t, 8, DEF_C, b8);
	add5(t, DEF_B, DEF_C, 10);
	add5(t, DEF_B, 64, c64);
	REQUIRE(tune_pick(t, DEF_B, DEF_C) == 0);
}

/* Best, runner-up and default, with margins and exact tests: 5 against 5
 * wholly apart gives p = 2 / C(10, 5) = 0.0079, significant. */
static void pick(void)
{
	struct tune_result t;

	workload(&t, "w", 12, 9);
	CHECK_EQ(t.best, 3); /* batch=1024 coalesce=64 */
	CHECK_EQ(t.next, 2); /* the default */
	CHECK_EQ(t.def, 2);
	CHECK(fabs(t.to_next.margin - (10.0 / 9 - 1)) < 1e-9);
	CHECK(fabs(t.to_next.p_value - 2.0 / 252) < 1e-9);
	CHECK(t.to_next.significant);
	CHECK(t.to_def.margin == t.to_next.margin);
	CHECK_EQ(tune_best_in(&t, TUNE_ANY, DEF_C), 2);
	CHECK_EQ(tune_best_in(&t, DEF_B, TUNE_ANY), 3);
	CHECK_EQ(tune_best_in(&t, 3, TUNE_ANY), t.npts);
	tune_result_free(&t);
}

/* The default is the best: margin 0, p 1; overlapping samples are not
 * significant. */
static void default_best(void)
{
	struct tune_result t;

	workload(&t, "w", 10.1, 11);
	CHECK_EQ(t.best, 2);
	CHECK(t.to_def.margin == 0 && t.to_def.p_value == 1);
	CHECK(!t.to_def.significant);
	CHECK_EQ(t.next, 1);
	CHECK(!t.to_next.significant && t.to_next.p_value > 0.2);
	tune_result_free(&t);
}

/* Too few samples can never be significant (3 against 3: p >= 0.1). */
static void unreachable(void)
{
	const double a[3] = {1, 1.1, 1.2}, b[3] = {5, 5.1, 5.2};
	struct tune_result t = {0};

	REQUIRE(tune_add(&t, DEF_B, DEF_C, b, 3, 1, 0) == 0);
	REQUIRE(tune_add(&t, 8, DEF_C, a, 3, 1, 1) == 0);
	REQUIRE(tune_pick(&t, DEF_B, DEF_C) == 0);
	CHECK_EQ(t.best, 1);
	CHECK(fabs(t.to_def.p_value - 0.1) < 1e-9 && !t.to_def.significant);
	tune_result_free(&t);
}

static void pick_errors(void)
{
	const double a[1] = {1};
	struct tune_result t = {0};

	CHECK_EQ(tune_add(&t, 1, 0, a, 0, 1, 0), -EINVAL);
	REQUIRE(tune_add(&t, DEF_B, DEF_C, a, 1, 1, 0) == 0);
	CHECK_EQ(tune_pick(&t, DEF_B, DEF_C), -EINVAL); /* one setting */
	REQUIRE(tune_add(&t, 8, DEF_C, a, 1, 1, 1) == 0);
	CHECK_EQ(tune_pick(&t, 16, DEF_C), -ENOENT); /* no default */
	CHECK_EQ(tune_pick(&t, DEF_B, DEF_C), 0);
	tune_result_free(&t);
}

/* Recommend over three workloads built with (b8, c64) each. */
static void recommend(const double spec[3][2], struct tune_rec *rec)
{
	struct tune_result t[3];
	size_t i;

	for (i = 0; i < 3; i++)
		workload(&t[i], "w", spec[i][0], spec[i][1]);
	REQUIRE(tune_recommend(t, 3, DEF_B, DEF_C, &names, rec) == 0);
	CHECK(rec->reason[0]);
	for (i = 0; i < 3; i++)
		tune_result_free(&t[i]);
}

/* 20% faster on two of three, no worse on the third: change. */
static void change(void)
{
	const double spec[3][2] = {{8, 11}, {8, 11}, {10, 11}};
	struct tune_rec rec;

	recommend(spec, &rec);
	CHECK(!rec.keep);
	CHECK_EQ(rec.x, 8);
	CHECK_EQ(rec.y, DEF_C);
	CHECK(strstr(rec.reason, "2 of 3"));
}

/* Of two that qualify, the larger geometric mean gain. */
static void change_best_gain(void)
{
	const double spec[3][2] = {{9, 7}, {9, 7}, {9, 10}};
	struct tune_rec rec;

	recommend(spec, &rec);
	CHECK(!rec.keep);
	CHECK_EQ(rec.x, DEF_B);
	CHECK_EQ(rec.y, 64);
}

/* Faster on two, significantly slower on the third: keep. */
static void veto(void)
{
	const double spec[3][2] = {{8, 11}, {8, 11}, {12, 11}};
	struct tune_rec rec;

	recommend(spec, &rec);
	CHECK(rec.keep);
	CHECK_EQ(rec.x, DEF_B);
	CHECK_EQ(rec.y, DEF_C);
	CHECK(strstr(rec.reason, "batch=8 coalesce=0"));
}

/* Faster everywhere, significantly (samples apart), but by 4%: keep. */
static void small_gain(void)
{
	const double spec[3][2] = {{9.6, 11}, {9.6, 11}, {9.6, 11}};
	struct tune_rec rec;

	recommend(spec, &rec);
	CHECK(rec.keep);
}

/* Faster by 20% on one of three only: keep. */
static void one_of_three(void)
{
	const double spec[3][2] = {{8, 11}, {10, 11}, {10, 11}};
	struct tune_rec rec;

	recommend(spec, &rec);
	CHECK(rec.keep);
	CHECK(strstr(rec.reason, "1 of 3"));
}

/* The JSON carries every field the schema requires. */
static void json_fields(void)
{
	const double spec[2] = {8, 11};
	struct tune_result t;
	struct tune_rec rec;
	struct sweep sw = {.s = IOVW_PWRITEV,
			   .xname = "batch",
			   .def_x = DEF_B,
			   .def_y = DEF_C};
	json_t *j, *w;

	workload(&t, "tree", spec[0], spec[1]);
	REQUIRE(tune_recommend(&t, 1, DEF_B, DEF_C, &names, &rec) == 0);
	j = tune_json(&t, 1, &sw, &rec);
	REQUIRE(j);
	CHECK_EQ(json_integer_value(json_object_get(
			 json_object_get(j, "defaults"), "batch")),
		 DEF_B);
	w = json_array_get(json_object_get(j, "workloads"), 0);
	REQUIRE(w);
	CHECK(!strcmp(json_string_value(json_object_get(w, "workload")),
		      "tree"));
	CHECK_EQ(json_integer_value(
			 json_object_get(json_object_get(w, "best"), "batch")),
		 8);
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(w, "best"),
						    "median_ns")),
		 8000000);
	CHECK(json_is_real(json_object_get(w, "margin")));
	CHECK(json_is_boolean(json_object_get(w, "significant")));
	CHECK(json_object_get(w, "default_p_value"));
	CHECK(json_is_false(json_object_get(
		json_object_get(j, "recommendation"), "keep_defaults")));
	json_decref(j);
	tune_result_free(&t);
}

static const struct t_case cases[] = {
	{"pick", pick},
	{"default_best", default_best},
	{"unreachable", unreachable},
	{"pick_errors", pick_errors},
	{"change", change},
	{"change_best_gain", change_best_gain},
	{"veto", veto},
	{"small_gain", small_gain},
	{"one_of_three", one_of_three},
	{"json_fields", json_fields},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "tune_rule", cases);
}
