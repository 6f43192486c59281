/*
 * cmd_compare.c - iovbench compare: regressions between two reports, a
 * platform table over several, and exports to other tools' formats.
 */
#include "cli.h"
#include "compare.h"

#include <getopt.h>
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
		"  report's pwrite-limit gates everywhere.\n"
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
		"Exit: 0 no regression, 1 regression, 2 bad input (usage, a "
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
		return cli_runtime_error("out of memory");
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
		return cli_runtime_error("out of memory");
	}
	if (path) {
		if ((rc = cli_write_text(path, text)) < 0)
			rc = cli_runtime_error("cannot write '%s': %s", path,
					       strerror(-rc));
	} else {
		fputs(text, stdout);
		fflush(stdout);
	}
	free(text);
	return rc;
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
	struct compare_opts o = {.threshold = 0.10,
				 .alpha = 0.05,
				 .rss_threshold = 0.20,
				 .gate = GATE_ALL};
	struct creport reps[MAX_REPORTS];
	const char *format = "table", *export = NULL, *out = NULL;
	char err[512];
	json_t *c = NULL;
	int ch, platforms = 0, rc = EXIT_OK, bad = 0;
	size_t n = 0, i;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (parse_pct(optarg, &o.threshold))
				return cli_usage_error(
					"compare",
					"--threshold wants a percentage in (0, "
					"1000], not '%s'",
					optarg);
			break;
		case 'r':
			if (parse_pct(optarg, &o.rss_threshold))
				return cli_usage_error(
					"compare",
					"--rss-threshold wants a percentage in "
					"(0, 1000], not '%s'",
					optarg);
			break;
		case 'a': {
			char *end;
			o.alpha = strtod(optarg, &end);
			if (end == optarg || *end || !(o.alpha > 0) ||
			    o.alpha >= 1)
				return cli_usage_error(
					"compare",
					"--alpha wants a number in (0, 1), "
					"not '%s'",
					optarg);
			break;
		}
		case 'g':
			if (parse_gate(optarg, &o.gate))
				return cli_usage_error(
					"compare",
					"--gate wants a list of exact, time, "
					"ratio, rss or all, not '%s'",
					optarg);
			break;
		case 'f':
			if (strcmp(optarg, "table") &&
			    strcmp(optarg, "markdown") &&
			    strcmp(optarg, "json"))
				return cli_usage_error(
					"compare",
					"--format wants table, markdown or "
					"json, not '%s'",
					optarg);
			format = optarg;
			break;
		case 'P':
			platforms = 1;
			break;
		case 'H':
			o.holm = 1;
			break;
		case 'x':
			if (strcmp(optarg, "bencher") &&
			    strcmp(optarg, "github-action-benchmark"))
				return cli_usage_error(
					"compare",
					"--export wants bencher or "
					"github-action-benchmark, not '%s'",
					optarg);
			export = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error("compare", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("compare", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	n = (size_t)(argc - optind);
	if (export && n != 1)
		return cli_usage_error("compare",
				       "--export takes exactly one report");
	if (!export && n < 2)
		return cli_usage_error(
			"compare", "needs two reports (BASE NEW), or more for "
				   "a platform table");
	if (n > MAX_REPORTS)
		return cli_usage_error("compare", "at most %d reports",
				       MAX_REPORTS);
	for (i = 0; i < n; i++)
		if (creport_load(argv[optind + (int)i], &reps[i], err,
				 sizeof(err))) {
			fprintf(stderr, "iovbench compare: %s\n", err);
			while (i--)
				creport_free(&reps[i]);
			return EXIT_USAGE;
		}

	if (export) {
		c = compare_export(&reps[0], export);
		format = "json";
	} else if (n > 2 || platforms) {
		c = compare_platforms(reps, n);
	} else if (!(c = compare_two(&reps[0], &reps[1], &o, err, sizeof(err),
				     &bad))) {
		fprintf(stderr, "iovbench compare: %s\n", err);
		rc = bad ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (c) {
		rc = emit(c, format, out);
		if (!rc &&
		    !strcmp(json_string_value(json_object_get(c, "verdict"))
				    ?: "",
			    "regression"))
			rc = EXIT_CHECK;
	} else if (!rc) {
		rc = cli_runtime_error("out of memory");
	}
	json_decref(c);
	for (i = 0; i < n; i++)
		creport_free(&reps[i]);
	return rc;
}
