/*
 * cmd_run.c - iovbench run: measure every strategy on every workload.
 *
 * For each workload (generated once, before anything is timed), its rows
 * (the reference rows gather-limit and pwrite-limit, the strategies with
 * their batch/coalesce settings) are sampled in rounds: `--warmup`
 * unrecorded and `--reps` recorded rounds of one sample of every row, in a
 * new order each round, each sample in a fresh child process (sample.c).
 * After a row's last sample one untimed run counts its system calls by
 * name and its output's digest is taken. fio's rows (--peers) follow.
 * Rows whose digest differs from the workload's others make `run` exit 1.
 * The table goes to stdout, the report to `--json` (atomically); nothing
 * is written when the run fails or is interrupted.
 */
#include "cli.h"
#include "jobs.h"
#include "measure.h"
#include "peers.h"
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The usage text. */
static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench run [-w LIST] [-s LIST] [--reps N] [--warmup "
		"N]"
		"\n"
		"                    [--batch LIST] [--coalesce LIST] [--dir "
		"DIR]"
		" [--fsync]\n"
		"                    [--seed N] [--scale F | --quick] "
		"[--no-syscalls] [--peers]\n"
		"                    [--json FILE]\n"
		"  Measures every strategy on every workload, beside the "
		"reference rows\n"
		"  gather-limit (the pieces copied into a warm buffer, no I/O) "
		"and pwrite-limit\n"
		"  (one pwrite of a warm buffer of the same bytes). Rows are "
		"sampled in rounds\n"
		"  (one sample of every row a round), each sample in a fresh "
		"child process; a\n"
		"  separate untimed run counts system calls (kernel "
		"tracepoints, else ptrace).\n"
		"  -w LIST, -s LIST  workloads / strategies, comma-separated, "
		"or 'all'\n"
		"  --reps N          rounds recorded: samples a row (default "
		"5)\n"
		"  --warmup N        unrecorded rounds first (default 1)\n"
		"  --batch LIST      batch limits for pwritev (default: "
		"IOV_MAX)"
		"\n"
		"  --coalesce LIST   coalescing thresholds for pwritev and "
		"write-each (default 0,64)\n"
		"  --dir DIR         where files are written (default: a new "
		"directory under\n"
		"                    $TMPDIR or /tmp, removed afterwards)\n"
		"  --fsync           fdatasync every file before its rename\n"
		"  --quick           scale 0.02 and 5 samples: seconds, for "
		"CI\n"
		"  --no-syscalls     skip the system call count\n"
		"  --peers           add fio's psync, pvsync, vsync and mmap "
		"engines writing\n"
		"                    the same byte count (needs fio)\n"
		"  --json FILE       write the report (schema "
		"results/schema.json)"
		"\n"
		"Exit: 0 ok, 1 outputs differ, 2 usage, 3 runtime failure, 130 "
		"interrupted.\n");
}

/* The rows of one workload: reference rows, each strategy with its
 * settings (*own of them), then the peers. */
static size_t plan_rows(const struct measure_cfg *cfg, const struct workload *w,
			struct rrow *rows, size_t *own)
{
	size_t n = 0, b, c, s;

	rrow_init(&rows[n++], w->name, "gather-limit", REF_GATHER, 0, 0,
		  cfg->fsync);
	rrow_init(&rows[n++], w->name, "pwrite-limit", REF_PWRITE, 0, 0,
		  cfg->fsync);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!(cfg->smask & (1u << s)))
			continue;
		if (s == IOVW_PWRITEV || s == IOVW_WRITE_EACH) {
			size_t nb = s == IOVW_PWRITEV ? cfg->nbatch : 1;
			for (b = 0; b < nb; b++)
				for (c = 0; c < cfg->ncoalesce; c++)
					rrow_init(&rows[n++], w->name,
						  iovw_strategy_name(
							  (iovw_strategy)s),
						  (int)s,
						  s == IOVW_PWRITEV
							  ? cfg->batch[b]
							  : 0,
						  cfg->coalesce[c], cfg->fsync);
		} else {
			rrow_init(&rows[n++], w->name,
				  iovw_strategy_name((iovw_strategy)s), (int)s,
				  0, 0, cfg->fsync);
		}
	}
	*own = n;
	for (s = 0; cfg->peers && s < PEER_COUNT; s++) {
		char name[24];
		snprintf(name, sizeof(name), "fio-%s", peer_engines[s]);
		rrow_init(&rows[n++], w->name, name, RROW_PEER + (int)s, 0, 0,
			  cfg->fsync);
	}
	return n;
}

/* Options into cfg; 0, -1 after --help, or an exit code. */
static int parse(int argc, char **argv, struct measure_cfg *cfg)
{
	static const struct option opts[] = {
		{"workloads", required_argument, NULL, 'w'},
		{"strategies", required_argument, NULL, 's'},
		{"reps", required_argument, NULL, 'r'},
		{"warmup", required_argument, NULL, 'u'},
		{"batch", required_argument, NULL, 'b'},
		{"coalesce", required_argument, NULL, 'c'},
		{"dir", required_argument, NULL, 'd'},
		{"fsync", no_argument, NULL, 'f'},
		{"no-syscalls", no_argument, NULL, 'n'},
		{"peers", no_argument, NULL, 'p'},
		{"json", required_argument, NULL, 'j'},
		{"seed", required_argument, NULL, 'e'},
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->wmask = (1u << wl_count) - 1;
	cfg->smask = (1u << IOVW_STRATEGY_COUNT) - 1;
	cfg->reps = 5;
	cfg->warmup = 1;
	cfg->seed = 1;
	cfg->scale = 1;
	cfg->syscalls = 1;
	cfg->nbatch = 1;
	cfg->ncoalesce = 2; /* 0 and 64 */
	cfg->coalesce[1] = 64;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:s:h", opts, NULL)) != -1) {
		if (c == 'h') {
			help(stdout);
			return -1;
		}
		rc = measure_option("run", c, optarg, argv[optind - 1], cfg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error("run", "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct measure_session ses;
	struct measure_cfg cfg;
	struct report rep;
	size_t i, total = 0, idx = 0;
	int rc = parse(argc, argv, &cfg), status = EXIT_OK;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (cfg.peers && !peer_available()) {
		fprintf(stderr, "iovbench run: --peers: fio is not installed "
				"(apt-get install fio); no peer rows\n");
		cfg.peers = 0;
	}
	if ((rc = measure_begin(&ses, "run", &cfg)))
		return rc;
	report_init(&rep, ses.base, argc, argv);
	measure_config_json(report_config(&rep), &cfg);
	for (i = 0; i < wl_count; i++)
		if (cfg.wmask & (1u << i))
			total += 2 +
				 (size_t)__builtin_popcount(
					 cfg.smask & ~(1u << IOVW_PWRITEV) &
					 ~(1u << IOVW_WRITE_EACH)) +
				 ((cfg.smask >> IOVW_PWRITEV) & 1) *
					 cfg.nbatch * cfg.ncoalesce +
				 ((cfg.smask >> IOVW_WRITE_EACH) & 1) *
					 cfg.ncoalesce;
	for (i = 0; i < wl_count && !rc; i++) {
		struct workload *w;
		struct rrow *rows;
		size_t n, own;

		if (!(cfg.wmask & (1u << i)))
			continue;
		if ((rc = measure_workload(i, &cfg, &w)))
			break;
		rows = calloc(2 + IOVW_STRATEGY_COUNT * MEASURE_MAX_LIST *
					      MEASURE_MAX_LIST,
			      sizeof(*rows));
		if (!rows) {
			wl_free(w);
			rc = cli_runtime_error("out of memory");
			break;
		}
		n = plan_rows(&cfg, w, rows, &own);
		/* our rows in rounds; fio after them, with pwrite-limit's
		 * byte count */
		rc = measure_rows_interleaved(&cfg, w, &ses, rows, own, &idx,
					      total);
		if (!rc)
			rc = measure_rows(&cfg, w, &ses, rows, own, n, &idx,
					  total);
		if (!rc) {
			rrows_finish(rows, n);
			cli_progress_done();
			rrows_print(stdout, rows, n);
			if (!rrows_equivalent(rows, n))
				status = EXIT_CHECK;
			report_add_rows(&rep, rows, n);
		}
		rrows_free(rows, n);
		free(rows);
		wl_free(w);
		measure_clear(&ses);
	}
	if ((rc = measure_end(&ses, rc))) {
		report_free(&rep);
		return rc;
	}
	if (cfg.json &&
	    (rc = measure_save(&rep, cfg.json, status == EXIT_OK))) {
		report_free(&rep);
		return rc;
	}
	report_free(&rep);
	if (status != EXIT_OK)
		printf("run: outputs of one workload differ (see 'same')\n");
	return status;
}
