/*
 * tune.c - iovbench tune: sweep pwritev's batch limit and coalescing
 * threshold, and recommend the library's defaults.
 *
 * Two one-dimensional sweeps per workload (plan_tune()), measured as
 * `run` measures its rows (samples in rounds, a fresh child each): the
 * batch sweep (each --batch value, coalescing at the default, 0) and the
 * coalescing sweep (each --coalesce value, the batch limit at the
 * default, IOV_MAX), beside the reference rows. When a workload's best
 * batch limit and best threshold are both not the defaults, their
 * combination is measured after the sweeps (its samples in a row). Per
 * workload, the best setting with its margin to the runner-up and to the
 * defaults (stats/tune_rule.c); then one recommendation over all
 * workloads. The table goes to stdout (report/tune.c), the report (run's,
 * with a "tune" object) to --json, atomically; nothing is written when
 * the run fails or is interrupted.
 */
#include "cmd/bench.h"
#include "cmd/cli.h"
#include "engine/plan.h"
#include "engine/rowstats.h"
#include "report/tune.h"
#include "stats/tune_rule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench tune [-w LIST] [-s LIST] [--batch LIST] "
		"[--stage LIST]\n"
		"                     [--coalesce LIST] [--reps N]\n"
		"                     [--warmup N] [--dir DIR] [--syscalls M "
		"| --no-syscalls]\n"
		"                     [--seed N] [--scale F | --quick] [--json "
		"FILE]\n"
		"  Sweeps pwritev's batch limit (iovecs a call, coalescing "
		"at the default 0)\n"
		"  and its coalescing threshold (the batch limit at the "
		"default IOV_MAX), and\n"
		"  stream's staging size and threshold likewise, on each "
		"workload, beside the\n"
		"  reference rows gather-limit and pwrite-limit,\n"
		"  measured as 'iovbench run' measures (a round takes one "
		"sample of every\n"
		"  setting, in a new order each round). Prints the best "
		"setting of each\n"
		"  workload with its margin to the next best and to the "
		"defaults (Mann-Whitney\n"
		"  U, two-sided, alpha 0.05), and a recommendation for the "
		"library's defaults:\n"
		"  a setting replaces them only if it is 5%% or more faster, "
		"significantly, on\n"
		"  most workloads and significantly slower on none.\n"
		"  -w LIST          workloads, comma-separated, or 'all' "
		"(default:\n"
		"                   module-large,project,tree)\n"
		"  -s LIST          pwritev, stream or both (default)\n"
		"  --batch LIST     pwritev's batch limits (default "
		"1,2,4,...,IOV_MAX)\n"
		"  --stage LIST     stream's staging sizes (default "
		"4K,16K,...,4M)\n"
		"  --coalesce LIST  thresholds in bytes (default "
		"0,16,32,64,...,4096;\n"
		"                   for stream 0 is 1, staging nothing)\n"
		"                   (the library's defaults are always "
		"measured)\n");
	bench_help(f);
	fprintf(f, "Exit: 0 ok, 1 outputs differ, 2 usage, 3 runtime failure, "
		   "130 interrupted.\n");
}

/* Options into cfg and the sweeps (*nsw of them); 0, or an exit code
 * (-1: stop with EXIT_OK). */
static int parse(int argc, char **argv, struct bench_cfg *cfg, struct sweep *sw,
		 size_t *nsw, const char **json)
{
	static const struct option opts[] = {
		BENCH_LONGOPTS,
		{"strategies", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0}};
	static const iovw_strategy swept[] = {IOVW_PWRITEV, IOVW_STREAM};
	struct cli_args a = CLI_ARGS("tune", opts, "w:s:", help, argc, argv);
	size_t i;
	int c, rc;

	bench_cfg_tune(cfg);
	*json = NULL;
	*nsw = 0;
	while ((c = cli_next(&a)) > 0) {
		rc = c == 's' ? cli_strategies("tune", a.arg, &cfg->smask)
			      : bench_option("tune", c, a.arg, cfg, json);
		if (rc)
			return rc;
	}
	if (c < 0)
		return a.status == EXIT_OK ? -1 : a.status;
	if ((rc = cli_operands(&a, 0, 0, NULL)))
		return rc;
	if (cfg->smask & ~(1u << IOVW_PWRITEV | 1u << IOVW_STREAM))
		return cli_usage_error("tune", "-s: tune sweeps pwritev and "
					       "stream, no other strategy");
	for (i = 0; i < 2; i++) {
		if (!(cfg->smask & (1u << swept[i])))
			continue;
		sweep_init(&sw[*nsw], cfg, swept[i]);
		if (sw[*nsw].nx + sw[*nsw].ny - 1 < 2)
			return cli_usage_error(
				"tune",
				"%s: --%s and --coalesce leave only the "
				"default setting; nothing to compare",
				iovw_strategy_name(swept[i]), sw[*nsw].xname);
		++*nsw;
	}
	return 0;
}

/* The rows of the sweep among rows[0..n) as the points of t. */
static int collect(const struct sweep *sw, const struct row *rows, size_t n,
		   struct tune_result *t)
{
	size_t k, i, x, y;
	int rc = 0;

	tune_result_free(t);
	for (k = 0; k < n && !rc; k++) {
		const struct row *r = &rows[k];
		double *v;

		if (!sweep_has(sw, &r->spec, &x, &y) || !r->res.n)
			continue;
		if (!(v = malloc(r->res.n * sizeof(*v))))
			return -ENOMEM;
		for (i = 0; i < r->res.n; i++)
			v[i] = (double)r->res.s[i].total_ns;
		rc = tune_add(t, x, y, v, r->res.n, r->stats.mib_s, k);
		free(v);
	}
	return rc;
}

/* When the workload's best x and best threshold of a sweep are both not
 * the defaults, measure their combination, a row more. 0 or an exit
 * code; *added says whether a row was. */
static int combine(struct bench *b, const struct sweep *sw,
		   const struct workload *w, struct row_set *rows,
		   const struct tune_result *t, int *added)
{
	size_t bx = tune_best_in(t, TUNE_ANY, sw->def_y);
	size_t by = tune_best_in(t, sw->def_x, TUNE_ANY);
	struct row_spec spec;

	if (t->pts[bx].x == sw->def_x || t->pts[by].y == sw->def_y)
		return 0;
	spec = sweep_spec(sw, t->pts[bx].x, t->pts[by].y);
	if (rows_add(rows, w->name, &spec))
		return cli_runtime_error("tune", "out of memory");
	b->m.total++;
	*added = 1;
	return bench_measure(b, w, &rows->v[rows->n - 1], 1);
}

/* The points of every sweep from the rows, each sweep's combination
 * measured first where it has one. 0 or an exit code. */
static int results(struct bench *b, const struct sweep *sw, size_t nsw,
		   const struct workload *w, struct row_set *rows,
		   struct tune_result *t)
{
	size_t k;
	int rc = 0, added = 0;

	for (k = 0; k < nsw && !rc; k++)
		if (collect(&sw[k], rows->v, rows->n, &t[k]))
			rc = cli_runtime_error("tune", "out of memory");
		else
			rc = combine(b, &sw[k], w, rows, &t[k], &added);
	if (!rc && added)
		for (k = 0; k < nsw && !rc; k++)
			if (rows_summarize(rows->v, rows->n) ||
			    collect(&sw[k], rows->v, rows->n, &t[k]))
				rc = cli_runtime_error("tune", "out of memory");
	for (k = 0; k < nsw && !rc; k++) {
		snprintf(t[k].workload, sizeof(t[k].workload), "%s", w->name);
		if ((rc = tune_pick(&t[k], sw[k].def_x, sw[k].def_y)))
			rc = cli_errno("tune", rc, w->name,
				       "no report written");
	}
	return rc;
}

/* Measure one workload's sweeps (and the combinations of their bests),
 * print a table a sweep and add the rows to the report; t[k] is sweep k's
 * result. 0 or an exit code. */
static int tune_workload(struct bench *b, const struct sweep *sw, size_t nsw,
			 size_t i, struct tune_result *t, int *ok)
{
	struct row_set rows = {0};
	struct workload *w;
	size_t k;
	int rc = bench_workload(b, i, &w);

	if (rc)
		return rc;
	if (plan_tune(sw, nsw, w->name, &rows))
		rc = cli_runtime_error("tune", "out of memory");
	if (!rc)
		rc = bench_measure(b, w, rows.v, rows.n);
	if (!rc && rows_summarize(rows.v, rows.n))
		rc = cli_runtime_error("tune", "out of memory");
	if (!rc)
		rc = results(b, sw, nsw, w, &rows, t);
	if (!rc) {
		cli_progress_done();
		for (k = 0; k < nsw; k++)
			tune_print(stdout, &sw[k], rows.v, rows.n, &t[k]);
		fflush(stdout);
	}
	bench_done(b, w, &rows, rc ? NULL : ok);
	return rc;
}

/* The recommendation of each sweep over every workload: printed, into
 * the report (pwritev's as "tune", stream's as "tune"."stream"). */
static int recommend(struct bench *b, const struct sweep *sw, size_t nsw,
		     struct tune_result *const *res, size_t n)
{
	json_t *tune = NULL;
	size_t k;

	for (k = 0; k < nsw; k++) {
		struct tune_names names = {sw[k].xname, "coalesce"};
		struct tune_rec rec;
		json_t *j;
		int rc = tune_recommend(res[k], n, sw[k].def_x, sw[k].def_y,
					&names, &rec);

		if (rc)
			return cli_errno("tune", rc, "recommendation", "");
		tune_print_rec(stdout, &sw[k], &rec);
		j = tune_json(res[k], n, &sw[k], &rec);
		if (sw[k].s == IOVW_PWRITEV)
			tune = j;
		else if (tune)
			json_object_set_new(tune, "stream", j);
		else
			tune = json_pack("{s:o}", "stream", j);
	}
	json_object_set_new(b->rep.root, "tune", tune);
	return 0;
}

int cmd_tune(int argc, char **argv)
{
	struct tune_result *res[2] = {NULL, NULL};
	struct bench_cfg cfg;
	struct sweep sw[2];
	struct bench b;
	const char *json;
	size_t i, k, nsw, nres = 0, rows_a_wl;
	int rc = parse(argc, argv, &cfg, sw, &nsw, &json), ok = 1;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	for (k = 0; k < nsw; k++)
		if (!(res[k] = calloc(wl_count, sizeof(*res[k]))))
			rc = cli_runtime_error("tune", "out of memory");
	if (!rc && !(rc = bench_begin(&b, "tune", &cfg, argc, argv))) {
		for (k = 0, rows_a_wl = 2; k < nsw; k++) {
			tune_config_json(report_config(&b.rep), &sw[k]);
			rows_a_wl += sw[k].nx + sw[k].ny - 1;
		}
		b.m.total = (size_t)__builtin_popcount(cfg.wmask) * rows_a_wl;
		for (i = 0; i < wl_count && !rc; i++) {
			struct tune_result t[2];

			if (!(cfg.wmask & (1u << i)))
				continue;
			memset(t, 0, sizeof(t));
			rc = tune_workload(&b, sw, nsw, i, t, &ok);
			for (k = 0; k < nsw; k++)
				res[k][nres] = t[k];
			nres++;
		}
		if (!rc && !session_interrupted())
			rc = recommend(&b, sw, nsw, res, nres);
		rc = bench_end(&b, rc, json, ok);
	}
	for (k = 0; k < nsw; k++) {
		for (i = 0; res[k] && i < nres; i++)
			tune_result_free(&res[k][i]);
		free(res[k]);
	}
	if (rc)
		return rc;
	if (!ok)
		printf("tune: outputs of one workload differ\n");
	return ok ? EXIT_OK : EXIT_CHECK;
}
