/*
 * cmd_tune.c - iovbench tune: sweep pwritev's batch limit and coalescing
 * threshold, and recommend the library's defaults.
 *
 * Two one-dimensional sweeps per workload, measured like `run`'s rows
 * (measure.c): the batch sweep (each --batch value, coalescing at the
 * default, 0) and the coalescing sweep (each --coalesce value, the batch
 * limit at the default, IOV_MAX); the default setting is one row of both.
 * Beside them, the reference rows gather-limit and pwrite-limit. Their
 * samples are interleaved (one of every row a round, in a new order each
 * round), since the settings are compared with each other on a machine
 * that may be busy. When a workload's best batch limit and best threshold
 * are both not the defaults, their combination is measured after the
 * sweeps (its samples in a row). Per workload, the best setting with
 * its margin to the runner-up and to the defaults (tune.c); then one
 * recommendation over all workloads. The table goes to stdout, the report
 * (run's, with a "tune" object) to --json, atomically; nothing is written
 * when the run fails or is interrupted.
 */
#include "cli.h"
#include "jobs.h"
#include "measure.h"
#include "report.h"
#include "tune.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The workloads tuned by default: where the batch limit and the
 * threshold can matter (blob's 5 pieces fit one call whatever they are). */
static const char *const default_workloads[] = {"module-large", "project",
						"tree"};

/* The settings swept: the lists given (or the defaults), sorted, without
 * duplicates, with the library's defaults added. */
struct sweep {
	size_t batch[MEASURE_MAX_LIST + 1], nbatch;
	size_t coalesce[MEASURE_MAX_LIST + 1], ncoalesce;
	size_t def_batch, def_coalesce;
};

/* The usage text. */
static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench tune [-w LIST] [--batch LIST] [--coalesce "
		"LIST] [--reps N]\n"
		"                     [--warmup N] [--dir DIR] [--seed N] "
		"[--scale F | --quick]\n"
		"                     [--syscalls] [--json FILE]\n"
		"  Sweeps pwritev's batch limit (iovecs a call, coalescing "
		"at the default 0)\n"
		"  and its coalescing threshold (the batch limit at the "
		"default IOV_MAX) on\n"
		"  each workload, beside the reference rows gather-limit and "
		"pwrite-limit,\n"
		"  measured as 'iovbench run' measures but interleaved (a "
		"round takes one\n"
		"  sample of every setting, in a new order each round). "
		"Prints the best\n"
		"  setting of each workload with its margin to the next best "
		"and to the\n"
		"  defaults (Mann-Whitney U, two-sided, alpha 0.05), and a "
		"recommendation for\n"
		"  the library's defaults: a setting replaces them only if it "
		"is 5%% or more\n"
		"  faster, significantly, on most workloads and significantly "
		"slower on none.\n"
		"  -w LIST          workloads, comma-separated, or 'all' "
		"(default:\n"
		"                   module-large,project,tree)\n"
		"  --batch LIST     batch limits (default 1,2,4,...,IOV_MAX)\n"
		"  --coalesce LIST  thresholds in bytes (default "
		"0,16,32,64,...,4096)\n"
		"                   (the defaults IOV_MAX and 0 are always "
		"measured)\n"
		"  --reps N         samples a setting (default 5)\n"
		"  --warmup N       unrecorded samples first (default 1)\n"
		"  --dir DIR        where files are written (default: a new "
		"directory under\n"
		"                   $TMPDIR or /tmp, removed afterwards)\n"
		"  --quick          scale 0.02: seconds, for CI\n"
		"  --syscalls       also count each row's system calls (one "
		"more run a row)\n"
		"  --json FILE      write the report (schema "
		"results/schema.json)\n"
		"Exit: 0 ok, 1 outputs differ, 2 usage, 3 runtime failure, 130 "
		"interrupted.\n");
}

/* Sort a list and drop repeated values. */
static void sort_unique(size_t *v, size_t *n)
{
	size_t i, j, k = 0;

	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			size_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < *n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

/* Options into cfg and the sweep; 0, -1 after --help, or an exit code. */
static int parse(int argc, char **argv, struct measure_cfg *cfg,
		 struct sweep *sw)
{
	static const struct option opts[] = {
		{"workloads", required_argument, NULL, 'w'},
		{"reps", required_argument, NULL, 'r'},
		{"warmup", required_argument, NULL, 'u'},
		{"batch", required_argument, NULL, 'b'},
		{"coalesce", required_argument, NULL, 'c'},
		{"dir", required_argument, NULL, 'd'},
		{"syscalls", no_argument, NULL, 'y'},
		{"json", required_argument, NULL, 'j'},
		{"seed", required_argument, NULL, 'e'},
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	size_t i, v;
	int c, rc;

	memset(cfg, 0, sizeof(*cfg));
	memset(sw, 0, sizeof(*sw));
	for (i = 0; i < sizeof(default_workloads) / sizeof(*default_workloads);
	     i++)
		cfg->wmask |= 1u << (wl_find(default_workloads[i]) - wl_defs);
	cfg->smask = 1u << IOVW_PWRITEV;
	cfg->reps = 5;
	cfg->warmup = 1;
	cfg->seed = 1;
	cfg->scale = 1;
	sw->def_batch = iovw_iov_max();
	sw->def_coalesce = 0;
	for (v = 1; v < sw->def_batch && cfg->nbatch < MEASURE_MAX_LIST - 1;
	     v *= 2)
		cfg->batch[cfg->nbatch++] = v;
	cfg->batch[cfg->nbatch++] = sw->def_batch;
	cfg->coalesce[cfg->ncoalesce++] = 0;
	for (v = 16; v <= 4096; v *= 2)
		cfg->coalesce[cfg->ncoalesce++] = v;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:h", opts, NULL)) != -1) {
		if (c == 'h') {
			help(stdout);
			return -1;
		}
		if (c == 'y') {
			cfg->syscalls = 1;
			continue;
		}
		rc = measure_option("tune", c, optarg, argv[optind - 1], cfg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error("tune", "unexpected argument '%s'",
				       argv[optind]);
	memcpy(sw->batch, cfg->batch, cfg->nbatch * sizeof(size_t));
	sw->nbatch = cfg->nbatch;
	sw->batch[sw->nbatch++] = sw->def_batch;
	sort_unique(sw->batch, &sw->nbatch);
	memcpy(sw->coalesce, cfg->coalesce, cfg->ncoalesce * sizeof(size_t));
	sw->ncoalesce = cfg->ncoalesce;
	sw->coalesce[sw->ncoalesce++] = sw->def_coalesce;
	sort_unique(sw->coalesce, &sw->ncoalesce);
	if (sw->nbatch + sw->ncoalesce - 1 < 2)
		return cli_usage_error("tune",
				       "--batch and --coalesce leave only the "
				       "default setting; nothing to compare");
	return 0;
}

/* The rows of one workload: the reference rows, the batch sweep, the
 * coalescing sweep without the default (already in the batch sweep). */
static size_t plan_rows(const struct sweep *sw, const struct workload *w,
			struct rrow *rows)
{
	size_t n = 0, i;

	rrow_init(&rows[n++], w->name, "gather-limit", REF_GATHER, 0, 0, 0);
	rrow_init(&rows[n++], w->name, "pwrite-limit", REF_PWRITE, 0, 0, 0);
	for (i = 0; i < sw->nbatch; i++)
		rrow_init(&rows[n++], w->name, "pwritev", IOVW_PWRITEV,
			  sw->batch[i], sw->def_coalesce, 0);
	for (i = 0; i < sw->ncoalesce; i++)
		if (sw->coalesce[i] != sw->def_coalesce)
			rrow_init(&rows[n++], w->name, "pwritev", IOVW_PWRITEV,
				  sw->def_batch, sw->coalesce[i], 0);
	return n;
}

/* The pwritev rows of rows[0..n) as the points of t. */
static int collect(const struct rrow *rows, size_t n, struct tune_result *t)
{
	size_t k, i;
	int rc = 0;

	tune_result_free(t);
	for (k = 0; k < n && !rc; k++) {
		const struct rrow *r = &rows[k];
		double *v;

		if (r->strategy != IOVW_PWRITEV || !r->n)
			continue;
		if (!(v = malloc(r->n * sizeof(*v))))
			return -ENOMEM;
		for (i = 0; i < r->n; i++)
			v[i] = (double)r->s[i].total_ns;
		rc = tune_add(t, r->batch, r->coalesce, v, r->n, r->mib_s, k);
		free(v);
	}
	return rc;
}

/* "batch=B coalesce=C" into buf. */
static const char *setting(char *buf, size_t n, const struct tune_point *p)
{
	snprintf(buf, n, "batch=%zu coalesce=%zu", p->batch, p->coalesce);
	return buf;
}

/* One line of the table: a row with its marks and the ratio to the best. */
static void print_row(FILE *f, const char *mark, const char *label,
		      const struct rrow *r, const struct rrow *best)
{
	char writes[24], iovecs[24], vs[24];
	const struct sample *s0 = &r->s[0];

	snprintf(writes, sizeof(writes), "-");
	snprintf(iovecs, sizeof(iovecs), "-");
	snprintf(vs, sizeof(vs), "-");
	if (r->strategy == IOVW_PWRITEV) {
		snprintf(writes, sizeof(writes), "%llu",
			 (unsigned long long)s0->st.batches);
		snprintf(iovecs, sizeof(iovecs), "%llu",
			 (unsigned long long)s0->st.iovecs);
		snprintf(vs, sizeof(vs), "%+.1f%%",
			 100 * (r->wall.median / best->wall.median - 1));
	}
	fprintf(f, "  %-2s%-26s %10.3f %8.3f %8.0f %8.3f %9s %9s %8s\n", mark,
		label, r->wall.median / 1e6, r->wall.mad / 1e6, r->mib_s,
		r->x_pwrite, writes, iovecs, vs);
}

/* A point's line of the table, marked when it is the best or default. */
static void print_point(FILE *f, const struct rrow *rows,
			const struct tune_result *t, size_t i,
			const char *label)
{
	char mark[3] = "";

	if (i == t->best)
		strcat(mark, "*");
	if (i == t->def)
		strcat(mark, "D");
	print_row(f, mark, label, &rows[t->pts[i].row],
		  &rows[t->pts[t->best].row]);
}

/* One comparison line: "next  SETTING  +M%  p=P  significant". */
static void print_cmp(FILE *f, const char *what, const struct tune_point *p,
		      const struct tune_cmp *c, int is_best)
{
	char buf[64];

	fprintf(f, "  %-8s %-30s %+8.1f%%", what, setting(buf, sizeof(buf), p),
		100 * c->margin);
	if (is_best)
		fprintf(f, "  (the best)\n");
	else
		fprintf(f, "  p=%.4f  %s\n", c->p_value,
			c->significant ? "significant" : "not significant");
}

/* The workload's table: reference rows, the two sweeps, the combination,
 * then the best setting and how far the next best and the defaults are. */
static void print_table(FILE *f, const struct sweep *sw,
			const struct rrow *rows, const struct tune_result *t)
{
	const struct tune_point *b = &t->pts[t->best];
	const struct sample *s0 = &rows[t->pts[0].row].s[0];
	char label[64];
	size_t i, shown = 0;

	fprintf(f, "%s: %llu bytes, %llu pieces, %zu samples a setting\n",
		t->workload, (unsigned long long)s0->st.bytes_written,
		(unsigned long long)s0->st.pieces, rows[0].n);
	fprintf(f, "  %-28s %10s %8s %8s %8s %9s %9s %8s\n", "setting",
		"median ms", "MAD ms", "MiB/s", "x pwrite", "writes", "iovecs",
		"vs best");
	print_row(f, "", "gather-limit", &rows[0], &rows[t->pts[t->best].row]);
	print_row(f, "", "pwrite-limit", &rows[1], &rows[t->pts[t->best].row]);
	fprintf(f, "  batch sweep (coalesce=%zu):\n", sw->def_coalesce);
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].coalesce == sw->def_coalesce) {
			snprintf(label, sizeof(label), "  batch=%zu",
				 t->pts[i].batch);
			print_point(f, rows, t, i, label);
		}
	fprintf(f, "  coalescing sweep (batch=%zu):\n", sw->def_batch);
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].batch == sw->def_batch) {
			snprintf(label, sizeof(label), "  coalesce=%zu",
				 t->pts[i].coalesce);
			print_point(f, rows, t, i, label);
		}
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].batch != sw->def_batch &&
		    t->pts[i].coalesce != sw->def_coalesce) {
			if (!shown++)
				fprintf(f, "  combination of the two bests "
					   "(measured after the sweeps, not "
					   "interleaved):\n");
			snprintf(label, sizeof(label),
				 "  batch=%zu coalesce=%zu", t->pts[i].batch,
				 t->pts[i].coalesce);
			print_point(f, rows, t, i, label);
		}
	fprintf(f, "  (* best, D the library's default; writes: write calls a "
		   "sample; vs best:\n"
		   "  median over the best's)\n");
	fprintf(f, "  %-8s %-30s %9.3f ms  %.0f MiB/s  %.3f x pwrite\n", "best",
		setting(label, sizeof(label), b), b->median_ns / 1e6, b->mib_s,
		rows[b->row].x_pwrite);
	print_cmp(f, "next", &t->pts[t->next], &t->to_next, 0);
	print_cmp(f, "default", &t->pts[t->def], &t->to_def, t->def == t->best);
	fprintf(f, "\n");
}

/* Measure one workload's sweep (and the combination of its bests), print
 * its table and add its rows to the report. 0, -EINTR, or an exit code. */
static int tune_workload(const struct measure_cfg *cfg, const struct sweep *sw,
			 const struct workload *w,
			 const struct measure_session *ses, struct report *rep,
			 struct tune_result *t, size_t *idx, size_t *total,
			 int *status)
{
	struct rrow *rows =
		calloc(3 + sw->nbatch + sw->ncoalesce, sizeof(*rows));
	size_t n, k, bb, bc;
	int rc;

	if (!rows)
		return cli_runtime_error("out of memory");
	n = plan_rows(sw, w, rows);
	rc = measure_rows_interleaved(cfg, w, ses, rows, n, idx, *total);
	if (!rc) {
		rrows_finish(rows, n);
		rc = collect(rows, n, t);
	}
	if (!rc) {
		bb = tune_best_in(t, TUNE_ANY, sw->def_coalesce);
		bc = tune_best_in(t, sw->def_batch, TUNE_ANY);
		if (t->pts[bb].batch != sw->def_batch &&
		    t->pts[bc].coalesce != sw->def_coalesce) {
			rrow_init(&rows[n], w->name, "pwritev", IOVW_PWRITEV,
				  t->pts[bb].batch, t->pts[bc].coalesce, 0);
			++*total;
			rc = measure_rows(cfg, w, ses, rows, n, n + 1, idx,
					  *total);
			n++;
			for (k = 0; k < n; k++)
				rows[k].fastest = 0;
			if (!rc)
				rrows_finish(rows, n);
			if (!rc)
				rc = collect(rows, n, t);
		}
	}
	if (!rc)
		rc = tune_pick(t, sw->def_batch, sw->def_coalesce);
	if (rc > 0 || rc == -EINTR) {
		/* said, or interrupted */
	} else if (rc) {
		rc = cli_runtime_error("%s: %s", w->name, iovw_strerror(rc));
	} else {
		cli_progress_done();
		print_table(stdout, sw, rows, t);
		if (!rrows_equivalent(rows, n))
			*status = EXIT_CHECK;
		report_add_rows(rep, rows, n);
	}
	rrows_free(rows, n);
	free(rows);
	return rc;
}

/* The recommendation lines. */
static void print_rec(FILE *f, const struct sweep *sw,
		      const struct tune_rec *rec)
{
	if (rec->keep)
		fprintf(f,
			"recommendation: keep the library's defaults "
			"(batch=%zu coalesce=%zu)\n",
			sw->def_batch, sw->def_coalesce);
	else
		fprintf(f,
			"recommendation: make batch=%zu coalesce=%zu the "
			"library's defaults (now batch=%zu coalesce=%zu)\n",
			rec->batch, rec->coalesce, sw->def_batch,
			sw->def_coalesce);
	fprintf(f, "  %s.\n", rec->reason);
}

/* Replace config's batch and coalesce lists by the swept ones. */
static void config_sweep(json_t *c, const struct sweep *sw)
{
	json_t *b = json_array(), *co = json_array();
	size_t i;

	for (i = 0; i < sw->nbatch; i++)
		json_array_append_new(b,
				      json_integer((json_int_t)sw->batch[i]));
	for (i = 0; i < sw->ncoalesce; i++)
		json_array_append_new(
			co, json_integer((json_int_t)sw->coalesce[i]));
	json_object_set_new(c, "batch", b);
	json_object_set_new(c, "coalesce", co);
}

int cmd_tune(int argc, char **argv)
{
	struct measure_session ses;
	struct measure_cfg cfg;
	struct sweep sw;
	struct report rep;
	struct tune_result *res;
	struct tune_rec rec;
	size_t i, nres = 0, total = 0, idx = 0;
	int rc = parse(argc, argv, &cfg, &sw), status = EXIT_OK;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!(res = calloc(wl_count, sizeof(*res))))
		return cli_runtime_error("out of memory");
	if ((rc = measure_begin(&ses, "tune", &cfg))) {
		free(res);
		return rc;
	}
	report_init(&rep, ses.base, argc, argv);
	measure_config_json(report_config(&rep), &cfg);
	config_sweep(report_config(&rep), &sw);
	total = (size_t)__builtin_popcount(cfg.wmask) *
		(2 + sw.nbatch + sw.ncoalesce - 1);
	for (i = 0; i < wl_count && !rc; i++) {
		struct workload *w;

		if (!(cfg.wmask & (1u << i)))
			continue;
		if ((rc = measure_workload(i, &cfg, &w)))
			break;
		snprintf(res[nres].workload, sizeof(res[nres].workload), "%s",
			 w->name);
		rc = tune_workload(&cfg, &sw, w, &ses, &rep, &res[nres], &idx,
				   &total, &status);
		nres++;
		wl_free(w);
		measure_clear(&ses);
	}
	rc = measure_end(&ses, rc);
	if (!rc && (rc = tune_recommend(res, nres, sw.def_batch,
					sw.def_coalesce, &rec)))
		rc = cli_runtime_error("%s", iovw_strerror(rc));
	if (!rc) {
		print_rec(stdout, &sw, &rec);
		json_object_set_new(rep.root, "tune",
				    tune_json(res, nres, sw.def_batch,
					      sw.def_coalesce, &rec));
		if (cfg.json)
			rc = measure_save(&rep, cfg.json, status == EXIT_OK);
	}
	for (i = 0; i < nres; i++)
		tune_result_free(&res[i]);
	free(res);
	report_free(&rep);
	if (rc)
		return rc;
	if (status != EXIT_OK)
		printf("tune: outputs of one workload differ\n");
	return status;
}
