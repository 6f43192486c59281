/*
 * run.c - iovbench run: measure every strategy on every workload.
 *
 * For each workload (generated once, before anything is timed), its rows
 * (plan_run(): the reference rows gather-limit and pwrite-limit, the
 * strategies with their batch/coalesce settings, fio's engines with
 * --peers) are measured (measure_rows(): samples in rounds, each in a
 * fresh child, then system calls and digests), summarized once
 * (rows_summarize()), printed (table_print()) and added to the report.
 * Rows whose digest differs from the workload's others make `run` exit
 * 1. The report goes to --json atomically; nothing is written when the
 * run fails or is interrupted.
 */
#include "cmd/bench.h"
#include "cmd/cli.h"
#include "engine/peers.h"
#include "engine/plan.h"
#include "engine/rowstats.h"
#include "report/table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench run [-w LIST] [-s LIST] [--reps N] [--warmup "
		"N] [--batch LIST]\n"
		"                    [--coalesce LIST] [--stage LIST] [--dir "
		"DIR] [--fsync]\n"
		"                    [--peers] [--memory LIST] [--hugepage] "
		"[--full]\n"
		"                    [--dontcache] [--precision P]\n"
		"                    [--syscalls M | --no-syscalls] [--seed N] "
		"[--scale F | --quick]\n"
		"                    [--json FILE]\n"
		"  Measures every strategy on every workload, beside the "
		"reference rows\n"
		"  gather-limit (the pieces copied into a warm buffer, no I/O) "
		"and pwrite-limit\n"
		"  (one pwrite of a warm buffer of the same bytes). Rows are "
		"sampled in rounds\n"
		"  (one sample of every row a round, in a new order each "
		"round), each sample in\n"
		"  a fresh child process.\n"
		"  -w LIST, -s LIST  workloads / strategies, comma-separated, "
		"or 'all'\n"
		"  --batch LIST      batch limits for pwritev (default: "
		"IOV_MAX)\n"
		"  --coalesce LIST   coalescing thresholds for pwritev, "
		"write-each and stream\n"
		"                    (default 0; stream's 0 is its default, "
		"512)\n"
		"  --stage LIST      staging sizes for stream (default 256K)\n"
		"  --fsync           fdatasync every file before its rename\n"
		"  --dontcache       pwritev and stream once more with "
		"IOVW_F_DONTCACHE\n"
		"                    (pwritev2 RWF_DONTCACHE; tmpfs falls "
		"back to plain writes)\n"
		"  --hugepage        buffer once more with IOVW_F_HUGEPAGE (2 "
		"MiB aligned,\n"
		"                    MADV_HUGEPAGE)\n"
		"  --precision P     a row stops at 4 samples once half their "
		"range is within P%%\n"
		"                    of their median (default 2; 0: always "
		"--reps samples;\n"
		"                    --reps N alone means exactly N)\n"
		"  --full            everything: --coalesce 0,64 --hugepage "
		"--peers, io_uring\n"
		"                    and pipelined (not in the default "
		"strategies), and\n"
		"                    write-each with warm memory too (later "
		"options still apply)\n"
		"  --memory LIST     fresh, warm or both (default fresh,warm): "
		"fresh rows\n"
		"                    allocate what they need, as a new process "
		"does; warm rows\n"
		"                    write through a writer context that wrote "
		"the workload\n"
		"                    once before, untimed, in the same process "
		"(a compiler that\n"
		"                    keeps its buffers); each is set against "
		"the reference\n"
		"                    rows of its own memory (write-each, the "
		"naive baseline,\n"
		"                    is warm only with --full)\n"
		"  --peers           add fio's psync, pvsync, vsync and mmap "
		"engines writing\n"
		"                    the same byte count (needs fio), and a "
		"twin of each: the\n"
		"                    fio job done by iovbench, timed as a "
		"whole "
		"file and inside\n"
		"                    its write calls, as fio times itself\n");
	bench_help(f);
	fprintf(f, "Exit: 0 ok, 1 outputs differ, 2 usage, 3 runtime failure, "
		   "130 interrupted.\n");
}

/* --memory LIST: "fresh", "warm" or both. 0 or EXIT_USAGE. */
static int parse_memory(const char *arg, unsigned *mem)
{
	char *copy = strdup(arg), *items[3];
	size_t i, n;
	int rc = 0;

	if (!copy)
		return cli_runtime_error("run", "out of memory");
	*mem = 0;
	n = cli_split(copy, items, 3);
	for (i = 0; i < n && !rc; i++) {
		if (!strcmp(items[i], "fresh"))
			*mem |= MEM_FRESH;
		else if (!strcmp(items[i], "warm"))
			*mem |= MEM_WARM;
		else
			rc = 1;
	}
	if (rc || !n || n > 2)
		rc = cli_usage_error(
			"run",
			"--memory wants fresh, warm or fresh,warm, "
			"not '%s'",
			arg);
	free(copy);
	return rc;
}

/* --precision P: a percentage from 0 (off) to 50. 0 or EXIT_USAGE. */
static int parse_precision(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0 && v <= 50))
		return cli_usage_error("run",
				       "--precision wants a percentage from 0 "
				       "to 50, not '%s'",
				       arg);
	*out = v / 100;
	return 0;
}

/* Options into cfg; 0, or an exit code (-1: stop with EXIT_OK). */
static int parse(int argc, char **argv, struct bench_cfg *cfg,
		 const char **json)
{
	static const struct option opts[] = {
		BENCH_LONGOPTS,
		{"strategies", required_argument, NULL, 's'},
		{"fsync", no_argument, NULL, 'f'},
		{"peers", no_argument, NULL, 'p'},
		{"memory", required_argument, NULL, 'M'},
		{"hugepage", no_argument, NULL, 'H'},
		{"full", no_argument, NULL, 'F'},
		{"dontcache", no_argument, NULL, 'D'},
		{"precision", required_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a = CLI_ARGS("run", opts, "w:s:", help, argc, argv);
	int c, rc, reps = 0, precision = 0;

	bench_cfg_run(cfg);
	*json = NULL;
	while ((c = cli_next(&a)) > 0) {
		switch (c) {
		case 's':
			rc = cli_strategies("run", a.arg, &cfg->smask);
			break;
		case 'f':
			cfg->fsync = 1;
			rc = 0;
			break;
		case 'p':
			cfg->peers = 1;
			rc = 0;
			break;
		case 'M':
			rc = parse_memory(a.arg, &cfg->memory);
			break;
		case 'H':
			cfg->hugepage = 1;
			rc = 0;
			break;
		case 'F':
			bench_cfg_full(cfg);
			rc = 0;
			break;
		case 'D':
			cfg->dontcache = 1;
			rc = 0;
			break;
		case 'P':
			rc = parse_precision(a.arg, &cfg->precision);
			precision = 1;
			break;
		case 'r':
			reps = 1;
			rc = bench_option("run", c, a.arg, cfg, json);
			break;
		default:
			rc = bench_option("run", c, a.arg, cfg, json);
		}
		if (rc)
			return rc;
	}
	if (c < 0)
		return a.status == EXIT_OK ? -1 : a.status;
	if (reps && !precision)
		cfg->precision = 0; /* --reps N alone: exactly N */
	return cli_operands(&a, 0, 0, NULL);
}

/* Plan, measure, print and report one workload's rows; *ok cleared when
 * its outputs differ. 0 or an exit code. */
static int run_workload(struct bench *b, size_t i, int *ok)
{
	struct row_set rows = {0};
	struct workload *w;
	int rc = bench_workload(b, i, &w);

	if (rc)
		return rc;
	if (plan_run(b->cfg, w->name, &rows))
		rc = cli_runtime_error("run", "out of memory");
	if (!rc)
		rc = bench_measure(b, w, rows.v, rows.n);
	if (!rc && rows_summarize(rows.v, rows.n))
		rc = cli_runtime_error("run", "out of memory");
	if (!rc) {
		cli_progress_done();
		table_print(stdout, rows.v, rows.n);
		fflush(stdout);
	}
	bench_done(b, w, &rows, rc ? NULL : ok);
	return rc;
}

/* Rows of a workload, for progress: the plan does not depend on it. */
static size_t rows_a_workload(const struct bench_cfg *cfg)
{
	struct row_set rows = {0};
	size_t n = plan_run(cfg, "", &rows) ? 0 : rows.n;

	rows_clear(&rows);
	return n;
}

int cmd_run(int argc, char **argv)
{
	struct bench_cfg cfg;
	struct bench b;
	const char *json;
	size_t i;
	int rc = parse(argc, argv, &cfg, &json), ok = 1;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if ((cfg.smask & (1u << IOVW_URING)) && cfg_uring_probe() == -ENOSYS) {
		fprintf(stderr, "iovbench run: io_uring is unavailable here "
				"(-ENOSYS: no liburing in the build, or the "
				"kernel or seccomp refuse a ring); no io_uring "
				"rows\n");
		cfg.smask &= ~(1u << IOVW_URING);
		if (!cfg.smask)
			return EXIT_OK;
	}
	if (cfg.peers && !peer_available()) {
		fprintf(stderr, "iovbench run: --peers: fio is not installed "
				"(apt-get install fio); no peer rows\n");
		cfg.peers = 0;
	}
	if ((rc = bench_begin(&b, "run", &cfg, argc, argv)))
		return rc;
	b.m.total =
		rows_a_workload(&cfg) * (size_t)__builtin_popcount(cfg.wmask);
	for (i = 0; i < wl_count && !rc; i++)
		if (cfg.wmask & (1u << i))
			rc = run_workload(&b, i, &ok);
	if ((rc = bench_end(&b, rc, json, ok)))
		return rc;
	if (!ok)
		printf("run: outputs of one workload differ (see 'same')\n");
	return ok ? EXIT_OK : EXIT_CHECK;
}
