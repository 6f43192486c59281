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
		"usage: iovbench tune [-w LIST] [--batch LIST] [--coalesce "
		"LIST] [--reps N]\n"
		"                     [--warmup N] [--dir DIR] [--syscalls M "
		"| --no-syscalls]\n"
		"                     [--seed N] [--scale F | --quick] [--json "
		"FILE]\n"
		"  Sweeps pwritev's batch limit (iovecs a call, coalescing "
		"at the default 0)\n"
		"  and its coalescing threshold (the batch limit at the "
		"default IOV_MAX) on\n"
		"  each workload, beside the reference rows gather-limit and "
		"pwrite-limit,\n"
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
		"  --batch LIST     batch limits (default 1,2,4,...,IOV_MAX)\n"
		"  --coalesce LIST  thresholds in bytes (default "
		"0,16,32,64,...,4096)\n"
		"                   (the defaults IOV_MAX and 0 are always "
		"measured)\n");
	bench_help(f);
	fprintf(f, "Exit: 0 ok, 1 outputs differ, 2 usage, 3 runtime failure, "
		   "130 interrupted.\n");
}

/* Options into cfg and the sweep; 0, or an exit code (-1: stop with
 * EXIT_OK). */
static int parse(int argc, char **argv, struct bench_cfg *cfg, struct sweep *sw,
		 const char **json)
{
	static const struct option opts[] = {BENCH_LONGOPTS,
					     {NULL, 0, NULL, 0}};
	struct cli_args a = CLI_ARGS("tune", opts, "w:", help, argc, argv);
	int c, rc;

	bench_cfg_tune(cfg);
	*json = NULL;
	while ((c = cli_next(&a)) > 0)
		if ((rc = bench_option("tune", c, a.arg, cfg, json)))
			return rc;
	if (c < 0)
		return a.status == EXIT_OK ? -1 : a.status;
	if ((rc = cli_operands(&a, 0, 0, NULL)))
		return rc;
	sweep_init(sw, cfg);
	if (sw->nbatch + sw->ncoalesce - 1 < 2)
		return cli_usage_error("tune",
				       "--batch and --coalesce leave only the "
				       "default setting; nothing to compare");
	return 0;
}

/* The strategy rows of rows[0..n) as the points of t. */
static int collect(const struct row *rows, size_t n, struct tune_result *t)
{
	size_t k, i;
	int rc = 0;

	tune_result_free(t);
	for (k = 0; k < n && !rc; k++) {
		const struct row *r = &rows[k];
		double *v;

		if (r->spec.kind != ROW_STRATEGY || !r->res.n)
			continue;
		if (!(v = malloc(r->res.n * sizeof(*v))))
			return -ENOMEM;
		for (i = 0; i < r->res.n; i++)
			v[i] = (double)r->res.s[i].total_ns;
		rc = tune_add(t, r->spec.batch, r->spec.coalesce, v, r->res.n,
			      r->stats.mib_s, k);
		free(v);
	}
	return rc;
}

/* When the workload's best batch limit and best threshold are both not the
 * defaults, measure their combination, a row more, and summarize the
 * rows again with it. 0 or an exit code. */
static int combine(struct bench *b, const struct sweep *sw,
		   const struct workload *w, struct row_set *rows,
		   struct tune_result *t)
{
	size_t bb = tune_best_in(t, TUNE_ANY, sw->def_coalesce);
	size_t bc = tune_best_in(t, sw->def_batch, TUNE_ANY);
	int rc;

	if (t->pts[bb].batch == sw->def_batch ||
	    t->pts[bc].coalesce == sw->def_coalesce)
		return 0;
	if (rows_add(rows, w->name, ROW_STRATEGY, IOVW_PWRITEV, NULL,
		     t->pts[bb].batch, t->pts[bc].coalesce, 0))
		return cli_runtime_error("tune", "out of memory");
	b->m.total++;
	if ((rc = bench_measure(b, w, &rows->v[rows->n - 1], 1)))
		return rc;
	if (rows_summarize(rows->v, rows->n) || collect(rows->v, rows->n, t))
		return cli_runtime_error("tune", "out of memory");
	return 0;
}

/* Measure one workload's sweep (and the combination of its bests), print
 * its table and add its rows to the report. 0 or an exit code. */
static int tune_workload(struct bench *b, const struct sweep *sw, size_t i,
			 struct tune_result *t, int *ok)
{
	struct row_set rows = {0};
	struct workload *w;
	int rc = bench_workload(b, i, &w);

	if (rc)
		return rc;
	snprintf(t->workload, sizeof(t->workload), "%s", w->name);
	if (plan_tune(sw, w->name, &rows))
		rc = cli_runtime_error("tune", "out of memory");
	if (!rc)
		rc = bench_measure(b, w, rows.v, rows.n);
	if (!rc &&
	    (rows_summarize(rows.v, rows.n) || collect(rows.v, rows.n, t)))
		rc = cli_runtime_error("tune", "out of memory");
	if (!rc)
		rc = combine(b, sw, w, &rows, t);
	if (!rc && (rc = tune_pick(t, sw->def_batch, sw->def_coalesce)))
		rc = cli_errno("tune", rc, w->name, "no report written");
	if (!rc) {
		cli_progress_done();
		tune_print(stdout, sw, rows.v, rows.n, t);
		fflush(stdout);
	}
	bench_done(b, w, &rows, rc ? NULL : ok);
	return rc;
}

/* The recommendation over every workload: printed, into the report. */
static int recommend(struct bench *b, const struct sweep *sw,
		     const struct tune_result *res, size_t n)
{
	struct tune_rec rec;
	int rc = tune_recommend(res, n, sw->def_batch, sw->def_coalesce, &rec);

	if (rc)
		return cli_errno("tune", rc, "recommendation", "");
	tune_print_rec(stdout, sw, &rec);
	json_object_set_new(b->rep.root, "tune", tune_json(res, n, sw, &rec));
	return 0;
}

int cmd_tune(int argc, char **argv)
{
	struct tune_result *res;
	struct bench_cfg cfg;
	struct sweep sw;
	struct bench b;
	const char *json;
	size_t i, nres = 0;
	int rc = parse(argc, argv, &cfg, &sw, &json), ok = 1;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!(res = calloc(wl_count, sizeof(*res))))
		return cli_runtime_error("tune", "out of memory");
	if ((rc = bench_begin(&b, "tune", &cfg, argc, argv))) {
		free(res);
		return rc;
	}
	tune_config_json(report_config(&b.rep), &sw);
	b.m.total = (size_t)__builtin_popcount(cfg.wmask) *
		    (2 + sw.nbatch + sw.ncoalesce - 1);
	for (i = 0; i < wl_count && !rc; i++)
		if (cfg.wmask & (1u << i))
			rc = tune_workload(&b, &sw, i, &res[nres++], &ok);
	if (!rc && !session_interrupted())
		rc = recommend(&b, &sw, res, nres);
	rc = bench_end(&b, rc, json, ok);
	for (i = 0; i < nres; i++)
		tune_result_free(&res[i]);
	free(res);
	if (rc)
		return rc;
	if (!ok)
		printf("tune: outputs of one workload differ\n");
	return ok ? EXIT_OK : EXIT_CHECK;
}
