/*
 * cmd_run.c - iovbench run: measure every strategy on every workload.
 *
 * For each workload (generated once, before anything is timed), its rows
 * (the strategies with their batch/coalesce settings, and the reference
 * rows gather-limit and pwrite-limit) are sampled in rounds: `--warmup`
 * unrecorded and `--reps` recorded rounds of one sample of every row, each
 * sample in a fresh child process (sample.c). Then, per row, one untimed
 * run counts the system calls by name, and the output's digest. Rows whose
 * digest differs from the workload's others make `run` exit 1. The table goes
 * to stdout, the report to
 * `--json` (atomically); nothing is written when the run fails or is
 * interrupted.
 */
#include "cli.h"
#include "envinfo.h"
#include "jobs.h"
#include "output.h"
#include "peers.h"
#include "report.h"
#include "sample.h"
#include "timefn.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define MAX_LIST 16

_Static_assert(REF_GATHER == RROW_REFERENCE && REF_PWRITE == RROW_REFERENCE + 1,
	       "jobs.h and report.h number the reference rows alike");

struct run_cfg {
	unsigned wmask, smask;
	uint64_t reps, warmup, seed;
	size_t batch[MAX_LIST], nbatch;
	size_t coalesce[MAX_LIST], ncoalesce;
	int fsync, syscalls, peers;
	double scale;
	const char *dir_arg, *json;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

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
		"  (one pwrite of a warm buffer of the same bytes). Each "
		"sample "
		"runs in a fresh\n"
		"  child process; a separate untimed run counts system calls "
		"with ptrace.\n"
		"  -w LIST, -s LIST  workloads / strategies, comma-separated, "
		"or 'all'\n"
		"  --reps N          samples a row (default 5)\n"
		"  --warmup N        unrecorded samples first (default 1)\n"
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
		"  --no-syscalls     skip the ptrace run\n"
		"  --peers           add fio's psync, pvsync, vsync and mmap "
		"engines writing\n"
		"                    the same byte count (needs fio)\n"
		"  --json FILE       write the report (schema "
		"results/schema.json)"
		"\n"
		"Exit: 0 ok, 1 outputs differ, 2 usage, 3 runtime failure, 130 "
		"interrupted.\n");
}

/* The sample job of a row (its ctx in *j, which must outlive it). */
static void row_job(struct workload *w, const char *base, const struct rrow *r,
		    struct job_ctx *j, char *out, size_t outn,
		    struct sample_job *job)
{
	snprintf(out, outn, "%s/%s%s", base, r->id, w->is_dir ? "" : ".iovm");
	memset(j, 0, sizeof(*j));
	j->w = w;
	j->out = out;
	j->strategy = r->strategy;
	memset(job, 0, sizeof(*job));
	job->ctx = j;
	job->prepare = job_prepare;
	job->run = job_run;
	job->opts.batch_limit = r->batch;
	job->opts.coalesce_below = r->coalesce;
	job->opts.flags = r->fsync ? IOVW_F_FDATASYNC : 0;
}

/* Sample `round` of a row (recorded after the warmup rounds); the bytes
 * it wrote into *written. */
static int measure_row(const struct run_cfg *cfg, struct workload *w,
		       const char *base, struct rrow *r, uint64_t round,
		       uint64_t *written)
{
	struct job_ctx j;
	struct sample_job job;
	struct sample s;
	char out[4200];
	int rc;

	row_job(w, base, r, &j, out, sizeof(out), &job);
	rc = sample_run(&job, &s);
	if (!rc && s.rc)
		rc = s.rc;
	if (!rc && round >= cfg->warmup)
		rrow_add_sample(r, &s);
	if (!rc)
		*written = s.st.bytes_written;
	return rc;
}

/* After the samples: count a row's system calls, digest its output. */
static int finish_row(const struct run_cfg *cfg, struct workload *w,
		      const char *base, struct rrow *r)
{
	struct job_ctx j;
	struct sample_job job;
	char out[4200];
	int rc = 0;

	row_job(w, base, r, &j, out, sizeof(out), &job);
	if (cfg->syscalls) {
		cli_progress("%s %s: counting system calls", w->name, r->label);
		r->sc_rc = sample_syscalls(&job, &r->sc);
		if (r->sc_rc == -EINTR)
			return -EINTR;
	}
	if (r->strategy != REF_GATHER) {
		rc = digest_out(w, out, r->digest);
		r->has_digest = !rc;
	}
	return rc;
}

/* Sample `round` of fio writing the same byte count as the workload. */
static int measure_peer(const struct run_cfg *cfg, const char *base,
			uint64_t bytes, struct rrow *r, uint64_t round)
{
	char path[4200], scratch[4200];
	struct sample s;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.fio", base, r->id);
	snprintf(scratch, sizeof(scratch), "%s/%s.json", base, r->id);
	rc = peer_run(r->name + 4, path, bytes, cfg->fsync, scratch, &s);
	if (!rc && round >= cfg->warmup)
		rrow_add_sample(r, &s);
	return rc;
}

/* Every row of a workload, sampled in rounds: one sample of each row a
 * round, so that a change of the machine's speed during the run (other
 * load, frequency) falls on every row alike instead of on whichever rows
 * ran then; ratios to the reference rows cancel it. Then each row's
 * system calls and digest. */
static int measure_rows(const struct run_cfg *cfg, struct workload *w,
			const char *base, struct rrow *rows, size_t n)
{
	uint64_t round, rounds = cfg->reps + cfg->warmup, limit_bytes = 0;
	size_t k;
	int rc = 0;

	for (round = 0; round < rounds && !rc; round++)
		for (k = 0; k < n && !rc; k++) {
			if (interrupted)
				return -EINTR;
			cli_progress("%s: round %llu/%llu, %s", w->name,
				     (unsigned long long)round + 1,
				     (unsigned long long)rounds, rows[k].label);
			if (rows[k].strategy >= RROW_PEER) {
				rc = measure_peer(cfg, base, limit_bytes,
						  &rows[k], round);
			} else {
				uint64_t written = 0;
				rc = measure_row(cfg, w, base, &rows[k], round,
						 &written);
				if (rows[k].strategy == REF_PWRITE)
					limit_bytes = written;
			}
			if (rc && rc != -EINTR)
				return cli_runtime_error("%s %s: %s", w->name,
							 rows[k].label,
							 iovw_strerror(rc));
		}
	for (k = 0; k < n && !rc; k++) {
		if (interrupted)
			return -EINTR;
		if (rows[k].strategy >= RROW_PEER)
			continue;
		rc = finish_row(cfg, w, base, &rows[k]);
		if (rc && rc != -EINTR)
			return cli_runtime_error("%s %s: %s", w->name,
						 rows[k].label,
						 iovw_strerror(rc));
	}
	return rc;
}

static size_t plan_rows(const struct run_cfg *cfg, const struct workload *w,
			struct rrow *rows)
{
	size_t n = 0, b, c, s;

	rrow_init(&rows[n++], w->name, "gather-limit", REF_GATHER, 0, 0,
		  cfg->fsync);
	rrow_init(&rows[n++], w->name, "pwrite-limit", REF_PWRITE, 0, 0,
		  cfg->fsync);
	for (s = 0; cfg->peers && s < PEER_COUNT; s++) {
		char name[24];
		snprintf(name, sizeof(name), "fio-%s", peer_engines[s]);
		rrow_init(&rows[n++], w->name, name, RROW_PEER + (int)s, 0, 0,
			  cfg->fsync);
	}
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
	return n;
}

/* ---- options ------------------------------------------------------------ */

static int parse_list(const char *cmd, const char *flag, const char *arg,
		      uint64_t lo, uint64_t hi, int units, size_t *out,
		      size_t *n)
{
	char *copy = strdup(arg), *items[MAX_LIST + 1];
	size_t i, k;

	if (!copy)
		return cli_runtime_error("out of memory");
	k = cli_split(copy, items, MAX_LIST + 1);
	if (k == 0 || k > MAX_LIST) {
		free(copy);
		return cli_usage_error(cmd,
				       "%s needs 1 to %d comma-separated "
				       "values",
				       flag, MAX_LIST);
	}
	for (i = 0; i < k; i++) {
		uint64_t v;
		if (cli_parse_u64(items[i], lo, hi, units, &v)) {
			int rc = cli_usage_error(
				cmd,
				"%s: '%s' is not a number from "
				"%llu to %llu",
				flag, items[i], (unsigned long long)lo,
				(unsigned long long)hi);
			free(copy);
			return rc;
		}
		out[i] = (size_t)v;
	}
	*n = k;
	free(copy);
	return 0;
}

static int parse(int argc, char **argv, struct run_cfg *cfg)
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
		switch (c) {
		case 'w':
			if ((rc = cli_workloads("run", optarg, &cfg->wmask)))
				return rc;
			break;
		case 's':
			if ((rc = cli_strategies("run", optarg, &cfg->smask)))
				return rc;
			break;
		case 'r':
			if (cli_parse_u64(optarg, 1, 10000, 0, &cfg->reps))
				return cli_usage_error("run", "--reps needs a "
							      "number from 1 "
							      "to 10000");
			break;
		case 'u':
			if (cli_parse_u64(optarg, 0, 1000, 0, &cfg->warmup))
				return cli_usage_error("run",
						       "--warmup needs a "
						       "number from 0 "
						       "to 1000");
			break;
		case 'b':
			if ((rc = parse_list("run", "--batch", optarg, 1,
					     iovw_iov_max(), 0, cfg->batch,
					     &cfg->nbatch)))
				return rc;
			break;
		case 'c':
			if ((rc = parse_list("run", "--coalesce", optarg, 0,
					     1 << 20, 1, cfg->coalesce,
					     &cfg->ncoalesce)))
				return rc;
			break;
		case 'd':
			cfg->dir_arg = optarg;
			break;
		case 'f':
			cfg->fsync = 1;
			break;
		case 'n':
			cfg->syscalls = 0;
			break;
		case 'p':
			cfg->peers = 1;
			break;
		case 'j':
			cfg->json = optarg;
			break;
		case 'h':
			help(stdout);
			return -1;
		default:
			rc = cli_workload_option("run", c, optarg,
						 argv[optind - 1], &cfg->seed,
						 &cfg->scale);
			if (rc)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return cli_usage_error("run", "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

/* The command line, resolved, into the report's "config". */
static void config_json(json_t *c, const struct run_cfg *cfg)
{
	json_t *wl = json_array(), *st = json_array(), *b = json_array(),
	       *co = json_array();
	size_t i;

	for (i = 0; i < wl_count; i++)
		if (cfg->wmask & (1u << i))
			json_array_append_new(wl, json_string(wl_defs[i].name));
	for (i = 0; i < IOVW_STRATEGY_COUNT; i++)
		if (cfg->smask & (1u << i))
			json_array_append_new(st,
					      json_string(iovw_strategy_name(
						      (iovw_strategy)i)));
	for (i = 0; i < cfg->nbatch; i++)
		json_array_append_new(
			b,
			json_integer((json_int_t)(cfg->batch[i]
							  ? cfg->batch[i]
							  : iovw_iov_max())));
	for (i = 0; i < cfg->ncoalesce; i++)
		json_array_append_new(
			co, json_integer((json_int_t)cfg->coalesce[i]));
	json_object_set_new(c, "workloads", wl);
	json_object_set_new(c, "strategies", st);
	json_object_set_new(c, "reps", json_integer((json_int_t)cfg->reps));
	json_object_set_new(c, "warmup", json_integer((json_int_t)cfg->warmup));
	json_object_set_new(c, "seed", json_integer((json_int_t)cfg->seed));
	json_object_set_new(c, "scale", json_real(cfg->scale));
	json_object_set_new(c, "batch", b);
	json_object_set_new(c, "coalesce", co);
	json_object_set_new(c, "fsync", json_boolean(cfg->fsync));
	json_object_set_new(c, "syscalls", json_boolean(cfg->syscalls));
	/* sample i of every row was taken in round i (compare pairs them) */
	json_object_set_new(c, "rounds", json_true());
	json_object_set_new(c, "peers", json_boolean(cfg->peers));
}

int cmd_run(int argc, char **argv)
{
	struct sigaction sa, old_int, old_term;
	struct run_cfg cfg;
	struct report rep;
	char base[4096];
	size_t i;
	int rc = parse(argc, argv, &cfg), status = EXIT_OK;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (cfg.peers && !peer_available()) {
		fprintf(stderr, "iovbench run: --peers: fio is not installed "
				"(apt-get install fio); no peer rows\n");
		cfg.peers = 0;
	}
	if (cfg.dir_arg) {
		snprintf(base, sizeof(base), "%s/iovbench-run-XXXXXX",
			 cfg.dir_arg);
		if (!mkdtemp(base))
			return cli_runtime_error("--dir %s: %s", cfg.dir_arg,
						 strerror(errno));
	} else if ((rc = cli_tempdir(base, sizeof(base), "run"))) {
		return cli_runtime_error("temporary directory: %s",
					 iovw_strerror(rc));
	}
	/* Large blocks always come from fresh mappings (no dynamic threshold),
	 * so that a sample's buffer costs what it costs in a new process. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (cfg.syscalls)
		sample_syscalls_warm();
	report_init(&rep, base, argc, argv);
	config_json(report_config(&rep), &cfg);
	for (i = 0; i < wl_count && !rc; i++) {
		struct workload *w;
		struct rrow *rows;
		size_t n;

		if (!(cfg.wmask & (1u << i)))
			continue;
		cli_progress("generating %s", wl_defs[i].name);
		rc = wl_make(wl_defs[i].name, cfg.seed, cfg.scale, &w);
		if (rc) {
			rc = cli_runtime_error("%s: %s", wl_defs[i].name,
					       iovw_strerror(rc));
			break;
		}
		/* give generation's free memory back, so that the samples
		 * (children) do not reuse pages that are already resident */
		malloc_trim(0);
		rows = calloc(2 + IOVW_STRATEGY_COUNT * MAX_LIST * MAX_LIST,
			      sizeof(*rows));
		if (!rows) {
			wl_free(w);
			rc = cli_runtime_error("out of memory");
			break;
		}
		n = plan_rows(&cfg, w, rows);
		rc = measure_rows(&cfg, w, base, rows, n);
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
		cli_rmtree(base);
		mkdir(base, 0700);
	}
	cli_progress_done();
	cli_rmtree(base);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc == -EINTR || interrupted) {
		report_free(&rep);
		fprintf(stderr,
			"iovbench run: interrupted; no report written\n");
		return 130;
	}
	if (rc) {
		report_free(&rep);
		return rc;
	}
	if (cfg.json) {
		int jr = report_write(&rep, cfg.json, status == EXIT_OK);
		if (jr) {
			report_free(&rep);
			return cli_runtime_error("%s: %s", cfg.json,
						 iovw_strerror(jr));
		}
		printf("report: %s\n", cfg.json);
	}
	report_free(&rep);
	if (status != EXIT_OK)
		printf("run: outputs of one workload differ (see 'same')\n");
	return status;
}
