/*
 * measure.c - measuring rows of a workload (see measure.h).
 *
 * Each row: `--warmup` unrecorded and `--reps` recorded samples, each in a
 * fresh child process (sample.c); then one untimed run counts the system
 * calls by name; then the output's digest. Peer rows run fio instead.
 */
#include "measure.h"

#include "cli.h"
#include "jobs.h"
#include "peers.h"
#include "sample.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(REF_GATHER == RROW_REFERENCE && REF_PWRITE == RROW_REFERENCE + 1,
	       "jobs.h and report.h number the reference rows alike");

static volatile sig_atomic_t interrupted;

/* SIGINT, SIGTERM: stop after the current sample (its child dies too). */
static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Parse a comma-separated list of 1 to MEASURE_MAX_LIST numbers in
 * [lo, hi] (with K/M/G suffixes when `units`) into out[0..*n). */
static int parse_list(const char *cmd, const char *flag, const char *arg,
		      uint64_t lo, uint64_t hi, int units, size_t *out,
		      size_t *n)
{
	char *copy = strdup(arg), *items[MEASURE_MAX_LIST + 1];
	size_t i, k;

	if (!copy)
		return cli_runtime_error("out of memory");
	k = cli_split(copy, items, MEASURE_MAX_LIST + 1);
	if (k == 0 || k > MEASURE_MAX_LIST) {
		free(copy);
		return cli_usage_error(cmd,
				       "%s needs 1 to %d comma-separated "
				       "values",
				       flag, MEASURE_MAX_LIST);
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

int measure_option(const char *cmd, int c, const char *arg, const char *opt,
		   struct measure_cfg *cfg)
{
	switch (c) {
	case 'w':
		return cli_workloads(cmd, arg, &cfg->wmask);
	case 's':
		return cli_strategies(cmd, arg, &cfg->smask);
	case 'r':
		if (cli_parse_u64(arg, 1, 10000, 0, &cfg->reps))
			return cli_usage_error(cmd, "--reps needs a number "
						    "from 1 to 10000");
		return 0;
	case 'u':
		if (cli_parse_u64(arg, 0, 1000, 0, &cfg->warmup))
			return cli_usage_error(cmd, "--warmup needs a number "
						    "from 0 to 1000");
		return 0;
	case 'b':
		return parse_list(cmd, "--batch", arg, 1, iovw_iov_max(), 0,
				  cfg->batch, &cfg->nbatch);
	case 'c':
		return parse_list(cmd, "--coalesce", arg, 0, 1 << 20, 1,
				  cfg->coalesce, &cfg->ncoalesce);
	case 'd':
		cfg->dir_arg = arg;
		return 0;
	case 'f':
		cfg->fsync = 1;
		return 0;
	case 'n':
		cfg->syscalls = 0;
		return 0;
	case 'p':
		cfg->peers = 1;
		return 0;
	case 'j':
		cfg->json = arg;
		return 0;
	default:
		return cli_workload_option(cmd, c, arg, opt, &cfg->seed,
					   &cfg->scale);
	}
}

void measure_config_json(json_t *c, const struct measure_cfg *cfg)
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

int measure_begin(struct measure_session *s, const char *cmd,
		  const struct measure_cfg *cfg)
{
	struct sigaction sa;
	int rc;

	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	if (cfg->dir_arg) {
		snprintf(s->base, sizeof(s->base), "%s/iovbench-%s-XXXXXX",
			 cfg->dir_arg, cmd);
		if (!mkdtemp(s->base))
			return cli_runtime_error("--dir %s: %s", cfg->dir_arg,
						 strerror(errno));
	} else if ((rc = cli_tempdir(s->base, sizeof(s->base), cmd))) {
		return cli_runtime_error("temporary directory: %s",
					 iovw_strerror(rc));
	}
	/* Large blocks always come from fresh mappings (no dynamic threshold),
	 * so that a sample's buffer costs what it costs in a new process. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	if (cfg->syscalls)
		sample_syscalls_warm();
	return 0;
}

int measure_workload(size_t i, const struct measure_cfg *cfg,
		     struct workload **w)
{
	int rc;

	cli_progress("generating %s", wl_defs[i].name);
	rc = wl_make(wl_defs[i].name, cfg->seed, cfg->scale, w);
	if (rc)
		return cli_runtime_error("%s: %s", wl_defs[i].name,
					 iovw_strerror(rc));
	/* give generation's free memory back, so that the samples
	 * (children) do not reuse pages that are already resident */
	malloc_trim(0);
	return 0;
}

/* What the samples of one row need: the job and where it writes. */
struct row_job {
	struct job_ctx j;
	struct sample_job job;
	char out[4200];
};

/* Set up rj (which must not move afterwards) for row r of w. */
static void row_job_init(struct row_job *rj, const struct workload *w,
			 const char *base, const struct rrow *r)
{
	memset(rj, 0, sizeof(*rj));
	snprintf(rj->out, sizeof(rj->out), "%s/%s%s", base, r->id,
		 w->is_dir ? "" : ".iovm");
	rj->j.w = w;
	rj->j.out = rj->out;
	rj->j.strategy = r->strategy;
	rj->job.ctx = &rj->j;
	rj->job.prepare = job_prepare;
	rj->job.run = job_run;
	rj->job.opts.batch_limit = r->batch;
	rj->job.opts.coalesce_below = r->coalesce;
	rj->job.opts.flags = r->fsync ? IOVW_F_FDATASYNC : 0;
}

/* One sample of row r, added to it when `keep`. 0 or a negative errno. */
static int row_sample(struct row_job *rj, struct rrow *r, int keep)
{
	struct sample s;
	int rc = sample_run(&rj->job, &s);

	if (!rc && s.rc)
		rc = s.rc;
	if (!rc && keep)
		rrow_add_sample(r, &s);
	return rc;
}

/* After the samples of row r: its system calls and its output's digest. */
static int row_end(const struct measure_cfg *cfg, struct row_job *rj,
		   const struct workload *w, struct rrow *r, size_t idx,
		   size_t total)
{
	if (cfg->syscalls) {
		cli_progress("[%zu/%zu] %s %s: counting system calls", idx,
			     total, w->name, r->label);
		r->sc_rc = sample_syscalls(&rj->job, &r->sc);
		if (r->sc_rc == -EINTR)
			return -EINTR;
	}
	if (r->strategy != REF_GATHER) {
		int rc = digest_out(w, rj->out, r->digest);
		r->has_digest = !rc;
		return rc;
	}
	return 0;
}

/* Measure one row: samples, syscalls, digest. */
static int measure_row(const struct measure_cfg *cfg, const struct workload *w,
		       const char *base, struct rrow *r, size_t idx,
		       size_t total)
{
	struct row_job rj;
	uint64_t i, n = cfg->reps + cfg->warmup;
	int rc = 0;

	row_job_init(&rj, w, base, r);
	for (i = 0; i < n && !rc; i++) {
		if (interrupted)
			return -EINTR;
		cli_progress("[%zu/%zu] %s %s: sample %llu/%llu", idx, total,
			     w->name, r->label, (unsigned long long)i + 1,
			     (unsigned long long)n);
		rc = row_sample(&rj, r, i >= cfg->warmup);
	}
	if (rc)
		return rc;
	return row_end(cfg, &rj, w, r, idx, total);
}

/* fio writing the same byte count as the workload, one engine a row. */
static int measure_peer(const struct measure_cfg *cfg, const char *wname,
			const char *base, uint64_t bytes, struct rrow *r,
			size_t idx, size_t total)
{
	char path[4200], scratch[4200];
	uint64_t i, n = cfg->reps + cfg->warmup;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s.fio", base, r->id);
	snprintf(scratch, sizeof(scratch), "%s/%s.json", base, r->id);
	for (i = 0; i < n && !rc; i++) {
		struct sample s;

		if (interrupted)
			return -EINTR;
		cli_progress("[%zu/%zu] %s %s: sample %llu/%llu", idx, total,
			     wname, r->label, (unsigned long long)i + 1,
			     (unsigned long long)n);
		rc = peer_run(r->name + 4, path, bytes, cfg->fsync, scratch,
			      &s);
		if (!rc && i >= cfg->warmup)
			rrow_add_sample(r, &s);
	}
	return rc;
}

int measure_rows(const struct measure_cfg *cfg, const struct workload *w,
		 const struct measure_session *s, struct rrow *rows,
		 size_t first, size_t n, size_t *idx, size_t total)
{
	size_t k;
	int rc = 0;

	for (k = first; k < n && !rc; k++) {
		if (rows[k].strategy >= RROW_PEER)
			rc = measure_peer(cfg, w->name, s->base,
					  rows[1].s[0].st.bytes_written,
					  &rows[k], ++*idx, total);
		else
			rc = measure_row(cfg, w, s->base, &rows[k], ++*idx,
					 total);
		if (rc == -EINTR)
			break;
		if (rc)
			rc = cli_runtime_error("%s %s: %s", w->name,
					       rows[k].label,
					       iovw_strerror(rc));
	}
	return rc;
}

/* xorshift64*: the order of the rows in a round. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

int measure_rows_interleaved(const struct measure_cfg *cfg,
			     const struct workload *w,
			     const struct measure_session *s, struct rrow *rows,
			     size_t n, size_t *idx, size_t total)
{
	struct row_job *rj = calloc(n ? n : 1, sizeof(*rj));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	uint64_t round, rounds = cfg->reps + cfg->warmup;
	uint64_t x = cfg->seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t i, k = 0;
	int rc = 0;

	if (!rj || !order) {
		free(rj);
		free(order);
		return cli_runtime_error("out of memory");
	}
	for (i = 0; i < n; i++) {
		row_job_init(&rj[i], w, s->base, &rows[i]);
		order[i] = i;
	}
	for (round = 0; round < rounds && !rc; round++) {
		for (i = n; i > 1; i--) { /* Fisher-Yates */
			size_t j = (size_t)(next_rand(&x) % i),
			       t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		for (i = 0; i < n && !rc; i++) {
			k = order[i];
			if (interrupted) {
				rc = -EINTR;
				break;
			}
			cli_progress("%s: round %llu/%llu: %s", w->name,
				     (unsigned long long)round + 1,
				     (unsigned long long)rounds, rows[k].label);
			rc = row_sample(&rj[k], &rows[k], round >= cfg->warmup);
			/* the row's files go now (as its next preparation
			 * would remove them), not to wait for writeback while
			 * the other rows are measured; after the last round,
			 * once its system calls are counted and its digest
			 * taken */
			if (!rc && round + 1 == rounds) {
				++*idx;
				rc = row_end(cfg, &rj[k], w, &rows[k], *idx,
					     total);
			}
			if (!rc)
				rc = job_clear_out(&rj[k].j);
		}
	}
	if (rc && rc != -EINTR)
		rc = cli_runtime_error("%s %s: %s", w->name, rows[k].label,
				       iovw_strerror(rc));
	free(rj);
	free(order);
	return rc;
}

void measure_clear(const struct measure_session *s)
{
	cli_rmtree(s->base);
	mkdir(s->base, 0700);
}

int measure_end(struct measure_session *s, int rc)
{
	cli_progress_done();
	cli_rmtree(s->base);
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	if (rc == -EINTR || interrupted) {
		fprintf(stderr, "iovbench %s: interrupted; no report written\n",
			s->cmd);
		return 130;
	}
	return rc;
}

int measure_save(struct report *rep, const char *path, int ok)
{
	int rc = report_write(rep, path, ok);

	if (rc)
		return cli_runtime_error("%s: %s", path, iovw_strerror(rc));
	printf("report: %s\n", path);
	return 0;
}
