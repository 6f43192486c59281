/*
 * history.c - iovbench history: reports kept in SQLite (history/), each
 * row's series shown, its change points found (stats/changepoint.c),
 * the whole exported as JSON.
 */
#include "cmd/history.h"
#include "compare/compare.h"
#include "engine/files.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "results/history.db"

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench history add [--db FILE] REPORT.json...\n"
		"       iovbench history show [--db FILE] [FILTERS]\n"
		"       iovbench history detect [--db FILE] [FILTERS] "
		"[--p-max P] [--min-change PCT]\n"
		"       iovbench history plot [--db FILE] [FILTERS] -o "
		"FILE.svg|FILE.png\n"
		"       iovbench history export [--db FILE] [-o FILE]\n"
		"  The history of iovbench reports in a SQLite database "
		"(default " DEFAULT_DB ").\n"
		"  add     adds reports; a report whose git revision, host, "
		"file system and date\n"
		"          are there already is added once. All or none: a "
		"bad report adds nothing.\n"
		"  show    each row's series, oldest first: median, ratio to "
		"pwrite-limit (the\n"
		"          limit's time / the row's: smaller is slower), exact "
		"metrics\n"
		"  detect  change points of each row's ratio series "
		"(E-Divisive "
		"means with a\n"
		"          permutation test, stats/changepoint.c) with the "
		"revision where each\n"
		"          begins and its size; every change of an exact "
		"metric (bytes, pieces,\n"
		"          iovecs, batches, system calls, digest)\n"
		"  plot    the selected ratio series (at most 8) with their "
		"change points\n"
		"          marked, drawn by gnuplot\n"
		"  export  the whole history as JSON (iovbench-history/1)\n"
		"  --db FILE           the database (created by add)\n"
		"  -w, --workload W    --row LABEL  --host H  --fs FS: one "
		"series' selection\n"
		"  --p-max P           significance of a change point "
		"(default 0.01)\n"
		"  --min-change PCT    smallest change of the mean that counts "
		"(default 0)\n"
		"  -o, --output FILE   write there (atomically) instead of "
		"stdout\n"
		"Exit: 0 ok, 2 usage or bad input (not a report, another "
		"schema version, not an\n"
		"iovbench history: damaged, foreign, newer; such a file is "
		"never written),\n"
		"3 runtime failure.\n");
}

static const struct option longopts[] = {
	{"db", required_argument, NULL, 'd'},
	{"workload", required_argument, NULL, 'w'},
	{"row", required_argument, NULL, 'r'},
	{"host", required_argument, NULL, 'H'},
	{"fs", required_argument, NULL, 'F'},
	{"p-max", required_argument, NULL, 'p'},
	{"min-change", required_argument, NULL, 'm'},
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct hopts {
	const char *db, *out;
	struct hist_filter f;
	struct cp_opts cp;
};

/* An error of history_open / _add / _each_series: bad input (exit 2)
 * for -EINVAL and -ENOENT, a runtime failure otherwise. */
static int fail(const char *cmd, int rc, const char *err)
{
	fprintf(stderr, "iovbench %s: %s\n", cmd, err);
	return rc == -EINVAL || rc == -ENOENT ? EXIT_USAGE : EXIT_RUNTIME;
}

/* Parse the options of `cmd`; 0 with the operands from *first, -1 after
 * the help, or the exit code. */
static int parse(const char *cmd, int argc, char **argv, struct hopts *o,
		 int *first)
{
	struct cli_args a = CLI_ARGS(cmd, longopts, "w:o:", help, argc, argv);
	char *end;
	int c;

	while ((c = cli_next(&a)) > 0) {
		switch (c) {
		case 'd':
			o->db = a.arg;
			break;
		case 'w':
			o->f.workload = a.arg;
			break;
		case 'r':
			o->f.row = a.arg;
			break;
		case 'H':
			o->f.host = a.arg;
			break;
		case 'F':
			o->f.fs_type = a.arg;
			break;
		case 'o':
			o->out = a.arg;
			break;
		case 'p':
			o->cp.p_max = strtod(a.arg, &end);
			if (end == a.arg || *end || !(o->cp.p_max > 0) ||
			    o->cp.p_max > 1)
				return cli_usage_error(cmd,
						       "--p-max wants a number "
						       "in (0, 1], not '%s'",
						       a.arg);
			break;
		default: /* 'm' */
			o->cp.min_change = strtod(a.arg, &end) / 100;
			if (end == a.arg || (*end && strcmp(end, "%")) ||
			    !(o->cp.min_change >= 0) || o->cp.min_change > 10)
				return cli_usage_error(cmd,
						       "--min-change wants a "
						       "percentage in [0, "
						       "1000], not '%s'",
						       a.arg);
			break;
		}
	}
	if (c < 0)
		return a.status ? a.status : -1; /* -1: after --help */
	*first = optind;
	return 0;
}

static int add(int argc, char **argv, struct hopts *o, int first)
{
	struct creport *reps;
	json_t **roots;
	struct history *h;
	char err[512];
	size_t n = (size_t)(argc - first), i, loaded = 0, added = 0;
	int rc = 0;

	if (!n)
		return cli_usage_error("history add", "needs REPORT.json...");
	reps = calloc(n, sizeof(*reps));
	roots = calloc(n, sizeof(*roots));
	if (!reps || !roots) {
		free(reps);
		free(roots);
		return cli_runtime_error("history add", "out of memory");
	}
	/* every report is read and checked before the database is opened */
	for (i = 0; i < n && !rc; i++, loaded++)
		if ((rc = creport_load(argv[first + i], &reps[i], err,
				       sizeof(err))))
			break;
	if (rc) {
		rc = fail("history add", rc, err);
	} else if ((rc = history_open(o->db, 1, &h, err, sizeof(err)))) {
		rc = fail("history add", rc, err);
	} else {
		for (i = 0; i < n; i++)
			roots[i] = reps[i].root;
		if ((rc = history_add(h, roots, n, &added, err, sizeof(err))))
			rc = fail("history add", rc, err);
		else
			printf("history: %zu report(s) added, %zu already "
			       "there (%s)\n",
			       added, n - added, o->db);
		history_close(h);
	}
	for (i = 0; i < loaded; i++)
		creport_free(&reps[i]);
	free(reps);
	free(roots);
	return rc;
}

static void print_int(int64_t v)
{
	if (v < 0)
		printf(" %9s", "-");
	else
		printf(" %9lld", (long long)v);
}

static int show_one(const struct hist_series *s, void *ctx)
{
	size_t i;

	(void)ctx;
	printf("%s %s (%s, %s, %s)\n", s->workload, s->row, s->host, s->fs_type,
	       s->setup);
	printf("  %-12s %-20s %12s %7s %9s %9s %9s %9s %9s\n", "revision",
	       "date", "median_ms", "ratio", "bytes", "pieces", "iovecs",
	       "batches", "syscalls");
	for (i = 0; i < s->n; i++) {
		const struct hist_point *p = &s->p[i];
		printf("  %-12s %-20s %12.4f", p->revision, p->date,
		       p->median_ns / 1e6);
		if (isnan(p->ratio))
			printf(" %7s", "-");
		else
			printf(" %7.3f", p->ratio);
		print_int(p->bytes);
		print_int(p->pieces);
		print_int(p->iovecs);
		print_int(p->batches);
		print_int(p->syscalls);
		putchar('\n');
	}
	return 0;
}

struct detect_ctx {
	const struct cp_opts *cp;
	size_t found, series;
};

/* Every change of an exact metric between consecutive runs. */
static size_t exact_changes(const struct hist_series *s)
{
	static const char *const names[] = {"bytes", "pieces", "iovecs",
					    "batches", "syscalls"};
	size_t i, k, found = 0;

	for (i = 1; i < s->n; i++) {
		const struct hist_point *a = &s->p[i - 1], *b = &s->p[i];
		const int64_t va[] = {a->bytes, a->pieces, a->iovecs,
				      a->batches, a->syscalls};
		const int64_t vb[] = {b->bytes, b->pieces, b->iovecs,
				      b->batches, b->syscalls};
		for (k = 0; k < 5; k++)
			if (va[k] >= 0 && vb[k] >= 0 && va[k] != vb[k]) {
				printf("%s %s (%s, %s, %s): %s %lld -> %lld at "
				       "%s "
				       "(%s)\n",
				       s->workload, s->row, s->host, s->fs_type,
				       s->setup, names[k], (long long)va[k],
				       (long long)vb[k], b->revision, b->date);
				found++;
			}
		if (*a->digest && *b->digest && strcmp(a->digest, b->digest)) {
			printf("%s %s (%s, %s, %s): digest changed at %s "
			       "(%s)\n",
			       s->workload, s->row, s->host, s->fs_type,
			       s->setup, b->revision, b->date);
			found++;
		}
	}
	return found;
}

static int detect_one(const struct hist_series *s, void *ctx)
{
	struct detect_ctx *d = ctx;
	double *x = malloc((s->n + 1) * sizeof(*x));
	size_t *at = malloc((s->n + 1) * sizeof(*at));
	struct cp *cps = malloc((s->n + 1) * sizeof(*cps));
	size_t i, n = 0, count = 0;
	int rc = -ENOMEM;

	if (!x || !at || !cps)
		goto out;
	d->series++;
	d->found += exact_changes(s);
	for (i = 0; i < s->n; i++)
		if (isfinite(s->p[i].ratio)) {
			at[n] = i;
			x[n++] = s->p[i].ratio;
		}
	if ((rc = cp_detect(x, n, d->cp, cps, n + 1, &count)))
		goto out;
	for (i = 0; i < count; i++) {
		const struct hist_point *p = &s->p[at[cps[i].index]];
		printf("%s %s (%s, %s, %s): ratio %.3f -> %.3f (%+.1f%%) from "
		       "%s "
		       "(%s), p=%.3g\n",
		       s->workload, s->row, s->host, s->fs_type, s->setup,
		       cps[i].before, cps[i].after,
		       (cps[i].after - cps[i].before) / cps[i].before * 100,
		       p->revision, p->date, cps[i].p);
	}
	d->found += count;
out:
	free(x);
	free(at);
	free(cps);
	return rc;
}

/* show or detect over the selected series. */
static int each(const char *cmd, struct hopts *o, int detect)
{
	struct detect_ctx d = {&o->cp, 0, 0};
	struct history *h;
	char err[512];
	int rc;

	if ((rc = history_open(o->db, 0, &h, err, sizeof(err))))
		return fail(cmd, rc, err);
	rc = history_each_series(h, &o->f, detect ? detect_one : show_one, &d);
	history_close(h);
	if (rc)
		return cli_errno(cmd, rc, "reading the history", "");
	if (detect)
		printf("history: %zu change(s) in %zu series\n", d.found,
		       d.series);
	return EXIT_OK;
}

static int export(struct hopts *o)
{
	struct history *h;
	char err[512], *text;
	json_t *j;
	int rc;

	if ((rc = history_open(o->db, 0, &h, err, sizeof(err))))
		return fail("history export", rc, err);
	j = history_export(h, &rc);
	history_close(h);
	if (!j)
		return cli_errno("history export", rc, "exporting", "");
	text = json_dumps(j, JSON_INDENT(1));
	json_decref(j);
	if (!text)
		return cli_runtime_error("history export", "out of memory");
	if (o->out) {
		size_t len = strlen(text);
		char *t = realloc(text, len + 2);
		if (!t) {
			free(text);
			return cli_runtime_error("history export",
						 "out of memory");
		}
		text = t;
		memcpy(text + len, "\n", 2);
		if ((rc = file_write_text(o->out, text)) < 0)
			rc = cli_runtime_error("history export",
					       "cannot write '%s': %s", o->out,
					       iovw_strerror(rc));
	} else {
		puts(text);
	}
	free(text);
	return rc;
}

static int plot(struct hopts *o)
{
	struct history *h;
	char err[512];
	int rc;

	if (!o->out)
		return cli_usage_error("history plot",
				       "needs -o FILE (.svg or .png)");
	if ((rc = history_open(o->db, 0, &h, err, sizeof(err))))
		return fail("history plot", rc, err);
	rc = history_plot(h, &o->f, &o->cp, o->out);
	history_close(h);
	return rc;
}

int cmd_history(int argc, char **argv)
{
	static const char *const subs[] = {"add", "show", "detect", "export",
					   "plot"};
	struct hopts o = {.db = DEFAULT_DB, .cp = CP_OPTS_DEFAULT};
	char cmd[32];
	int rc, first = 0, s;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (s = 0; s < 5 && strcmp(argv[1], subs[s]); s++)
		;
	if (s == 5)
		return cli_usage_error("history",
				       "unknown subcommand '%s' (add, show, "
				       "detect, plot or export)",
				       argv[1]);
	snprintf(cmd, sizeof(cmd), "history %s", subs[s]);
	if ((rc = parse(cmd, argc - 1, argv + 1, &o, &first)))
		return rc < 0 ? EXIT_OK : rc;
	first++; /* argv + 1 */
	if (s == 0)
		return add(argc, argv, &o, first);
	if (first < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[first]);
	if (s == 3)
		return export(&o);
	if (s == 4)
		return plot(&o);
	return each(cmd, &o, s == 2);
}
