/*
 * compare.c - iovbench compare: regressions between two reports, a
 * platform table over several, and exports to other tools' formats.
 */
#include "cmd/cli.h"
#include "compare/compare.h"
#include "engine/files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPORTS 32

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench compare BASE.json NEW.json [--threshold PCT] "
		"[--alpha A]\n"
		"                        [--rss-threshold PCT] [--gate LIST] "
		"[--format F] [-o FILE]\n"
		"       iovbench compare A.json B.json C.json ... [--format F]"
		"   (platform table)\n"
		"       iovbench compare --export bencher|github-action-"
		"benchmark REPORT.json [-o FILE]\n"
		"  Two reports: rows matched by workload, strategy and "
		"parameters. Exact metrics\n"
		"  (bytes, pieces, iovecs, digests; batches and system calls "
		"on the same platform)\n"
		"  must be equal. Timings: a Mann-Whitney U test on the raw "
		"samples and a\n"
		"  threshold on the median; a regression needs both. "
		"Absolute timings gate only\n"
		"  between reports of the same machine; each strategy's time "
		"relative to its own\n"
		"  report's pwrite-limit gates everywhere. When either report "
		"was taken on a\n"
		"  busy machine (its load.busy), its timing changes are listed "
		"as unconfirmed\n"
		"  (verdict \"unconfirmed\", exit 0) until a run on an idle "
		"machine confirms them;\n"
		"  exact metrics still gate.\n"
		"  --threshold PCT      relative change of a median that "
		"counts (default 10)\n"
		"  --alpha A            significance level (default 0.05)\n"
		"  --rss-threshold PCT  peak RSS growth that counts (default "
		"20; changes under\n"
		"                       256 KiB never count)\n"
		"  --gate LIST          what fails the comparison: "
		"exact,time,ratio,rss or all\n"
		"                       (default all)\n"
		"  --holm               Holm's correction over all gated "
		"tests (the chance of\n"
		"                       any false alarm stays below alpha)\n"
		"  --platforms          the platform table even for two "
		"reports\n"
		"  --format F           table (default), markdown (for a pull "
		"request) or json\n"
		"  --export FORMAT      write REPORT in Bencher's metric "
		"format (bencher) or\n"
		"                       github-action-benchmark's "
		"customSmallerIsBetter\n"
		"  -o, --output FILE    write there (atomically) instead of "
		"stdout\n"
		"Exit: 0 no regression (or only unconfirmed ones), 1 "
		"regression, 2 bad input (usage, a "
		"file that is not a\n"
		"report, reports of different workloads), 3 runtime "
		"failure.\n");
}

/* A percentage "10" or "10%" in (0, 1000] as a fraction. */
static int parse_pct(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || (*end && strcmp(end, "%")) || !(v > 0) || v > 1000)
		return -1;
	*out = v / 100;
	return 0;
}

static int parse_gate(const char *arg, unsigned *gate)
{
	static const char *const names[] = {"exact", "time", "ratio", "rss"};
	char buf[256], *items[8];
	size_t i, j, n;

	snprintf(buf, sizeof(buf), "%s", arg);
	n = cli_split(buf, items, 8);
	*gate = 0;
	for (i = 0; i < n; i++) {
		if (!strcmp(items[i], "all")) {
			*gate |= GATE_ALL;
			continue;
		}
		for (j = 0; j < 4 && strcmp(items[i], names[j]); j++)
			;
		if (j == 4)
			return -1;
		*gate |= 1u << j;
	}
	return n ? 0 : -1;
}

/* Render `c` in `format` to FILE or stdout. */
static int emit(const json_t *c, const char *format, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int rc = 0;

	if (!m)
		return cli_runtime_error("compare", "out of memory");
	if (!strcmp(format, "json")) {
		char *s = json_dumps(c, JSON_INDENT(1));
		if (s)
			fprintf(m, "%s\n", s);
		free(s);
	} else if (!strcmp(format, "markdown")) {
		compare_print_markdown(m, c);
	} else {
		compare_print_table(m, c);
	}
	if (fclose(m) || !text) {
		free(text);
		return cli_runtime_error("compare", "out of memory");
	}
	if (path) {
		if ((rc = file_write_text(path, text)) < 0)
			rc = cli_runtime_error("compare",
					       "cannot write '%s': %s", path,
					       iovw_strerror(rc));
	} else {
		fputs(text, stdout);
		fflush(stdout);
	}
	free(text);
	return rc;
}

struct compare_args {
	struct compare_opts o;
	const char *format, *export, *out;
	int platforms;
};

/* One option into ca; 0 or EXIT_USAGE. */
static int compare_option(int c, const char *arg, struct compare_args *ca)
{
	switch (c) {
	case 't':
		if (parse_pct(arg, &ca->o.threshold))
			return cli_usage_error("compare",
					       "--threshold wants a percentage "
					       "in (0, 1000], not '%s'",
					       arg);
		return 0;
	case 'r':
		if (parse_pct(arg, &ca->o.rss_threshold))
			return cli_usage_error("compare",
					       "--rss-threshold wants a "
					       "percentage in (0, 1000], not "
					       "'%s'",
					       arg);
		return 0;
	case 'a': {
		char *end;
		ca->o.alpha = strtod(arg, &end);
		if (end == arg || *end || !(ca->o.alpha > 0) ||
		    ca->o.alpha >= 1)
			return cli_usage_error("compare",
					       "--alpha wants a number in (0, "
					       "1), not '%s'",
					       arg);
		return 0;
	}
	case 'g':
		if (parse_gate(arg, &ca->o.gate))
			return cli_usage_error("compare",
					       "--gate wants a list of exact, "
					       "time, ratio, rss or all, not "
					       "'%s'",
					       arg);
		return 0;
	case 'f':
		if (strcmp(arg, "table") && strcmp(arg, "markdown") &&
		    strcmp(arg, "json"))
			return cli_usage_error("compare",
					       "--format wants table, markdown "
					       "or json, not '%s'",
					       arg);
		ca->format = arg;
		return 0;
	case 'x':
		if (strcmp(arg, "bencher") &&
		    strcmp(arg, "github-action-benchmark"))
			return cli_usage_error("compare",
					       "--export wants bencher or "
					       "github-action-benchmark, not "
					       "'%s'",
					       arg);
		ca->export = arg;
		return 0;
	case 'o':
		ca->out = arg;
		return 0;
	case 'P':
		ca->platforms = 1;
		return 0;
	default: /* 'H' */
		ca->o.holm = 1;
		return 0;
	}
}

/* Load reports argv[first..argc); 0, or EXIT_USAGE (not a report) or
 * EXIT_RUNTIME (memory) after saying why. */
static int load_all(char **argv, int first, int argc, struct creport *reps)
{
	char err[512];
	int i, rc;

	for (i = first; i < argc; i++)
		if ((rc = creport_load(argv[i], &reps[i - first], err,
				       sizeof(err)))) {
			fprintf(stderr, "iovbench compare: %s\n", err);
			while (i-- > first)
				creport_free(&reps[i - first]);
			return rc == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		}
	return 0;
}

/* What the reports give: an export, a platform table or a comparison.
 * NULL after saying why, with *rc set. */
static json_t *compute(const struct compare_args *ca,
		       const struct creport *reps, size_t n, int *rc)
{
	char err[512];
	json_t *c;
	int bad = 0;

	if (ca->export) {
		if (!json_array_size(reps[0].results)) {
			fprintf(stderr,
				"iovbench compare: %s: the report has no "
				"rows to export\n",
				reps[0].path);
			*rc = EXIT_USAGE;
			return NULL;
		}
		c = compare_export(&reps[0], ca->export);
	} else if (n > 2 || ca->platforms) {
		c = compare_platforms(reps, n);
	} else if (!(c = compare_two(&reps[0], &reps[1], &ca->o, err,
				     sizeof(err), &bad))) {
		fprintf(stderr, "iovbench compare: %s\n", err);
		*rc = bad ? EXIT_USAGE : EXIT_RUNTIME;
		return NULL;
	}
	if (!c)
		*rc = cli_runtime_error("compare", "out of memory");
	return c;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"threshold", required_argument, NULL, 't'},
		{"alpha", required_argument, NULL, 'a'},
		{"rss-threshold", required_argument, NULL, 'r'},
		{"gate", required_argument, NULL, 'g'},
		{"format", required_argument, NULL, 'f'},
		{"platforms", no_argument, NULL, 'P'},
		{"holm", no_argument, NULL, 'H'},
		{"export", required_argument, NULL, 'x'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a =
		CLI_ARGS("compare", longopts, "o:", help, argc, argv);
	struct compare_args ca = {.o = {.threshold = 0.10,
					.alpha = 0.05,
					.rss_threshold = 0.20,
					.gate = GATE_ALL},
				  .format = "table"};
	struct creport reps[MAX_REPORTS];
	json_t *c;
	int ch, first, rc = EXIT_OK;
	size_t n, i;

	while ((ch = cli_next(&a)) > 0)
		if ((rc = compare_option(ch, a.arg, &ca)))
			return rc;
	if (ch < 0)
		return a.status;
	cli_operands(&a, 0, argc, &first);
	n = (size_t)(argc - first);
	if (ca.export && n != 1)
		return cli_usage_error("compare",
				       "--export takes exactly one report");
	if (!ca.export && n < 2)
		return cli_usage_error("compare",
				       "needs two reports (BASE NEW), or more "
				       "for a platform table");
	if (n > MAX_REPORTS)
		return cli_usage_error("compare", "at most %d reports",
				       MAX_REPORTS);
	if ((rc = load_all(argv, first, argc, reps)))
		return rc;
	if ((c = compute(&ca, reps, n, &rc))) {
		rc = emit(c, ca.export ? "json" : ca.format, ca.out);
		if (!rc &&
		    !strcmp(json_string_value(json_object_get(c, "verdict"))
				    ?: "",
			    "regression"))
			rc = EXIT_CHECK;
	}
	json_decref(c);
	for (i = 0; i < n; i++)
		creport_free(&reps[i]);
	return rc;
}
