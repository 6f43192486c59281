/*
 * measure.c - measuring the rows of a workload (see measure.h).
 */
#include "engine/measure.h"

#include "engine/job.h"
#include "engine/output.h"
#include "engine/peers.h"
#include "engine/sample.h"
#include "engine/session.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void measure_init(const struct bench_cfg *cfg)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (cfg->syscalls != SC_OFF && cfg->syscalls != SC_PTRACE)
		syscalls_warm();
}

int measure_workload(const char *name, const struct bench_cfg *cfg,
		     struct workload **w)
{
	int rc = wl_make(name, cfg->seed, cfg->scale, w);

	/* give generation's free memory back, so that the samples
	 * (children) do not reuse pages that are already resident */
	malloc_trim(0);
	return rc;
}

/* What the samples of one row need: the job and where it writes. */
struct row_job {
	struct job j;
	struct sample_job job;
	char out[4200];
	int done;    /* its last sample taken */
	int counted; /* its system calls counted */
};

/* Set up rj (which must not move afterwards) for the row. */
static void row_job_init(struct row_job *rj, const struct workload *w,
			 const char *dir, const struct row_spec *spec,
			 int cache)
{
	memset(rj, 0, sizeof(*rj));
	snprintf(rj->out, sizeof(rj->out), "%s/%s%s", dir, spec->id,
		 spec->kind == ROW_TWIN ? ".twin"
		 : w->is_dir		? ""
					: ".iovm");
	rj->j.w = w;
	rj->j.spec = spec;
	rj->j.out = rj->out;
	rj->job.ctx = &rj->j;
	rj->job.prepare = job_prepare;
	rj->job.run = job_run;
	/* the page cache left behind: with --dontcache, whose rows it is
	 * about (it waits for writeback after each sample) */
	rj->job.cached = cache && row_has_output(spec) ? job_cached : NULL;
	rj->job.opts.batch_limit = spec->batch;
	rj->job.opts.coalesce_below = spec->coalesce;
	rj->job.opts.stage_bytes = spec->stage;
	rj->job.opts.flags = (spec->fsync ? IOVW_F_FDATASYNC : 0) |
			     (spec->hugepage ? IOVW_F_HUGEPAGE : 0) |
			     (spec->dontcache ? IOVW_F_DONTCACHE : 0);
}

/* Record a sample in the row's results. 0 or -ENOMEM. */
static int add_sample(struct row_result *r, const struct sample *s)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct sample *ns = realloc(r->s, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		r->s = ns;
		r->cap = cap;
	}
	r->s[r->n++] = *s;
	return 0;
}

static void progress(struct measure *m, enum measure_step step,
		     const struct row_spec *row, uint64_t round,
		     uint64_t rounds)
{
	struct measure_progress p = {step,   row,     round,
				     rounds, m->done, m->total};

	if (m->progress)
		m->progress(m->progress_ctx, &p);
}

/* One sample of the row, recorded when `keep`. 0 or a negative errno. */
static int row_sample(struct row_job *rj, struct row *r, int keep)
{
	struct sample s;
	int rc = sample_run(&rj->job, &s);

	if (!rc && s.rc)
		rc = s.rc;
	if (!rc && keep)
		rc = add_sample(&r->res, &s);
	return rc;
}

/* Count the row's system calls in a run of their own, once. A fresh row's
 * run is its warm-up sample (thrown away anyway), so counting costs no
 * extra run; a warm row's preparation takes the warm-up's place, so its
 * count comes after its last sample. Counting may find no method allowed
 * (auto): the row then has none. */
static int row_count(struct measure *m, struct row_job *rj, struct row *r)
{
	if (m->cfg->syscalls == SC_OFF || rj->counted)
		return 0;
	rj->counted = 1;
	r->res.sc_rc = syscalls_count(&rj->job, m->cfg->syscalls, &r->res.sc);
	if (r->res.sc_rc == -EINTR ||
	    (r->res.sc_rc && m->cfg->syscalls != SC_AUTO))
		return r->res.sc_rc;
	return 0;
}

/* After the row's last sample: its system calls, if not counted yet, and
 * its output's digest. */
static int row_end(struct measure *m, struct row_job *rj,
		   const struct workload *w, struct row *r)
{
	char failed[4096];
	int rc;

	if (m->cfg->syscalls != SC_OFF && !rj->counted)
		progress(m, MEASURE_SYSCALLS, &r->spec, 0, 0);
	if ((rc = row_count(m, rj, r)))
		return rc;
	if (!row_has_output(&r->spec))
		return 0;
	rc = out_digest(w, rj->out, r->res.digest, failed, sizeof(failed));
	r->res.has_digest = !rc;
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

static void shuffle(size_t *v, size_t n, uint64_t *x)
{
	size_t i;

	for (i = n; i > 1; i--) { /* Fisher-Yates */
		size_t j = (size_t)(next_rand(x) % i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Has the row enough samples: at least CFG_MIN_REPS, half their range
 * within `precision` of their median? */
static int settled(const struct row_result *r, double precision)
{
	struct summary s;
	double *v;
	size_t i;
	int ok;

	if (precision <= 0 || r->n < CFG_MIN_REPS ||
	    !(v = malloc(r->n * sizeof(*v))))
		return 0;
	for (i = 0; i < r->n; i++)
		v[i] = (double)r->s[i].total_ns;
	ok = !summarize(v, r->n, &s) &&
	     s.max - s.min <= 2 * precision * s.median;
	free(v);
	return ok;
}

/* One round: a sample of each row in order[0..n) that is not done; after
 * its last sample (the last round, or once settled()), a row's end. */
static int round_of(struct measure *m, const struct workload *w,
		    struct row *rows, struct row_job *rj, const size_t *order,
		    size_t n, uint64_t round, uint64_t rounds)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		size_t k = order[i];

		/* a warm row's preparation runs it once already: the warm-up
		 * rounds are for the fresh rows */
		if (rj[k].done || (rows[k].spec.warm && round < m->cfg->warmup))
			continue;
		if (session_interrupted())
			return -EINTR;
		progress(m, MEASURE_SAMPLE, &rows[k].spec, round + 1, rounds);
		m->failed = &rows[k];
		if (round < m->cfg->warmup && m->cfg->syscalls != SC_OFF &&
		    !rj[k].counted)
			rc = row_count(m, &rj[k], &rows[k]);
		else
			rc = row_sample(&rj[k], &rows[k],
					round >= m->cfg->warmup);
		rj[k].done = round + 1 == rounds ||
			     (!rc && settled(&rows[k].res, m->cfg->precision));
		/* the row's files go now (as its next preparation would
		 * remove them), not to wait for writeback while the other
		 * rows are measured; after its last sample, once its system
		 * calls are counted and its digest taken */
		if (!rc && rj[k].done) {
			m->done++;
			rc = row_end(m, &rj[k], w, &rows[k]);
		}
		if (!rc)
			rc = job_remove(&rj[k].j);
	}
	return rc;
}

/* Log the load of a round. 0 or -ENOMEM. */
static int log_load(struct measure *m, const struct workload *w, uint64_t round,
		    const struct load_mark *a)
{
	struct round_load *l;
	struct load_mark b;

	if (m->nloads == m->loads_cap) {
		size_t cap = m->loads_cap ? 2 * m->loads_cap : 64;
		l = realloc(m->loads, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		m->loads = l;
		m->loads_cap = cap;
	}
	load_mark(&b);
	l = &m->loads[m->nloads++];
	memset(l, 0, sizeof(*l));
	snprintf(l->workload, sizeof(l->workload), "%s", w->name);
	l->round = round + 1;
	load_span(a, &b, &l->span);
	return 0;
}

void measure_free(struct measure *m)
{
	free(m->loads);
	m->loads = NULL;
	m->nloads = m->loads_cap = 0;
}

/* The strategy and reference rows, in rounds. */
static int measure_rounds(struct measure *m, const struct workload *w,
			  struct row *rows, size_t n)
{
	struct row_job *rj = calloc(n ? n : 1, sizeof(*rj));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	uint64_t round, rounds = m->cfg->reps + m->cfg->warmup;
	uint64_t x = m->cfg->seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t i, k = 0;
	int rc = 0;

	if (!rj || !order)
		rc = -ENOMEM;
	for (i = 0; i < n && !rc; i++) {
		if (rows[i].spec.kind == ROW_PEER)
			continue;
		row_job_init(&rj[i], w, m->dir, &rows[i].spec,
			     m->cfg->dontcache);
		order[k++] = i;
	}
	for (round = 0; round < rounds && !rc; round++) {
		struct load_mark mark;
		size_t left = 0;

		for (i = 0; i < k; i++)
			left += !rj[order[i]].done;
		if (!left)
			break; /* every row settled (--precision) */
		load_mark(&mark);
		shuffle(order, k, &x);
		rc = round_of(m, w, rows, rj, order, k, round, rounds);
		if (!rc)
			rc = log_load(m, w, round, &mark);
	}
	free(rj);
	free(order);
	return rc;
}

/* fio writing the byte count of the pwrite-limit row, one engine a row. */
static int measure_peer(struct measure *m, const struct row *limit,
			struct row *r)
{
	char path[4200], scratch[4200];
	uint64_t i, n = m->cfg->reps + m->cfg->warmup;
	int rc = 0;

	m->failed = r;
	if (!limit || !limit->res.n)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s.fio", m->dir, r->spec.id);
	snprintf(scratch, sizeof(scratch), "%s/%s.json", m->dir, r->spec.id);
	for (i = 0; i < n && !rc; i++) {
		struct sample s;

		if (session_interrupted())
			return -EINTR;
		progress(m, MEASURE_SAMPLE, &r->spec, i + 1, n);
		rc = peer_run(r->spec.engine, path,
			      limit->res.s[0].st.bytes_written, m->cfg->fsync,
			      scratch, &s);
		if (!rc && i >= m->cfg->warmup)
			rc = add_sample(&r->res, &s);
	}
	m->done++;
	return rc;
}

int measure_rows(struct measure *m, const struct workload *w, struct row *rows,
		 size_t n)
{
	const struct row *limit = NULL;
	size_t i;
	int rc;

	m->failed = NULL;
	rc = measure_rounds(m, w, rows, n);
	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == ROW_PWRITE_LIMIT)
			limit = &rows[i];
	for (i = 0; i < n && !rc; i++)
		if (rows[i].spec.kind == ROW_PEER)
			rc = measure_peer(m, limit, &rows[i]);
	if (!rc || rc == -EINTR)
		m->failed = NULL;
	return rc;
}
