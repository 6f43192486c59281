/*
 * report.c - the JSON report of `run` and `tune` (see report.h).
 */
#include "report/report.h"

#include "engine/files.h"
#include "report/env.h"
#include "iovw.h"
#include "workload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef IOVB_GIT
#define IOVB_GIT "unknown"
#endif

/* The resolved settings into a report's "config" object. */
static void config_json(json_t *c, const struct bench_cfg *cfg)
{
	json_t *wl = json_array(), *st = json_array(), *b = json_array(),
	       *co = json_array(), *mem;
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
	if (cfg->smask & (1u << IOVW_STREAM)) {
		json_t *sg = json_array();
		for (i = 0; i < cfg->nstage; i++)
			json_array_append_new(
				sg,
				json_integer((
					json_int_t)(cfg->stage[i]
							    ? cfg->stage[i]
							    : IOVW_STAGE_DEFAULT)));
		json_object_set_new(c, "stage", sg);
	}
	json_object_set_new(c, "fsync", json_boolean(cfg->fsync));
	mem = json_array();
	if (cfg->memory & MEM_FRESH)
		json_array_append_new(mem, json_string("fresh"));
	if (cfg->memory & MEM_WARM)
		json_array_append_new(mem, json_string("warm"));
	json_object_set_new(c, "memory", mem);
	json_object_set_new(c, "hugepage", json_boolean(cfg->hugepage));
	json_object_set_new(c, "dontcache", json_boolean(cfg->dontcache));
	json_object_set_new(c, "precision", json_real(cfg->precision));
	json_object_set_new(c, "syscalls",
			    json_boolean(cfg->syscalls != SC_OFF));
	json_object_set_new(c, "syscall_method",
			    json_string(sc_method_name(cfg->syscalls)));
	/* sample i of every row was taken in round i (compare pairs them) */
	json_object_set_new(c, "rounds", json_true());
	json_object_set_new(c, "peers", json_boolean(cfg->peers));
}

int report_init(struct report *rep, const char *dir, int argc, char **argv,
		const struct bench_cfg *cfg)
{
	json_t *tool = json_object(), *config = json_object(),
	       *args = json_array();
	int i;

	memset(rep, 0, sizeof(*rep));
	rep->root = json_object();
	rep->results = json_array();
	rep->failures = json_array();
	json_object_set_new(rep->root, "schema",
			    json_string("iovbench-report/1"));
	json_object_set_new(tool, "name", json_string("iovbench"));
	json_object_set_new(tool, "version", json_string(IOVW_VERSION_STRING));
	json_object_set_new(tool, "git", json_string(IOVB_GIT));
	json_object_set_new(rep->root, "tool", tool);
	json_object_set_new(rep->root, "env", env_info(dir));
	for (i = 0; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	json_object_set_new(config, "args", args);
	config_json(config, cfg);
	json_object_set_new(rep->root, "config", config);
	json_object_set_new(rep->root, "results", rep->results);
	if (!rep->root || !rep->results || !rep->failures || !tool || !config ||
	    !args) {
		report_free(rep);
		return -ENOMEM;
	}
	return 0;
}

json_t *report_config(struct report *rep)
{
	return json_object_get(rep->root, "config");
}

static json_t *summary_json(const struct summary *s)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "median", (json_int_t)s->median,
			 "min", (json_int_t)s->min, "max", (json_int_t)s->max,
			 "mad", (json_int_t)s->mad);
}

static const char *const kind_json[] = {
	[ROW_STRATEGY] = "strategy",
	[ROW_GATHER_LIMIT] = "reference",
	[ROW_PWRITE_LIMIT] = "reference",
	[ROW_PEER] = "peer",
	[ROW_TWIN] = "twin",
};

/* The row's parameters as the library applies them (a default resolved),
 * only those that apply to it: batch for pwritev and stream, coalesce for
 * pwritev, write-each and stream, stage for stream, hugepage for buffer;
 * dontcache where a row has IOVW_F_DONTCACHE;
 * fsync for every row that writes; memory for every row but fio's. */
static json_t *params_json(const struct row_spec *p)
{
	int strat = p->kind == ROW_STRATEGY;
	iovw_strategy s = p->strategy;
	int stream = strat && s == IOVW_STREAM;
	json_t *o = json_object();

	if (strat && (s == IOVW_PWRITEV || stream))
		json_object_set_new(
			o, "batch",
			json_integer((json_int_t)(p->batch ? p->batch
							   : iovw_iov_max())));
	if (strat && (s == IOVW_PWRITEV || s == IOVW_WRITE_EACH || stream))
		json_object_set_new(
			o, "coalesce",
			json_integer((
				json_int_t)(stream && !p->coalesce
						    ? IOVW_STREAM_COALESCE_DEFAULT
						    : p->coalesce)));
	if (stream)
		json_object_set_new(
			o, "stage",
			json_integer(
				(json_int_t)(p->stage ? p->stage
						      : IOVW_STAGE_DEFAULT)));
	if (strat && s == IOVW_BUFFER)
		json_object_set_new(o, "hugepage", json_boolean(p->hugepage));
	if (p->dontcache)
		json_object_set_new(o, "dontcache", json_true());
	if (p->kind != ROW_GATHER_LIMIT)
		json_object_set_new(o, "fsync", json_boolean(p->fsync));
	if (p->kind != ROW_PEER)
		json_object_set_new(o, "memory",
				    json_string(p->warm ? "warm" : "fresh"));
	return o;
}

/* What the row is: workload, strategy, kind, params, and what its first
 * sample counted. */
static void row_what(json_t *o, const struct row *r)
{
	const struct row_spec *p = &r->spec;
	const struct sample *s0 = r->res.n ? &r->res.s[0] : NULL;

	json_object_set_new(o, "workload", json_string(p->workload));
	json_object_set_new(o, "strategy", json_string(p->name));
	json_object_set_new(o, "kind", json_string(kind_json[p->kind]));
	json_object_set_new(o, "params", params_json(p));
	if (!s0)
		return;
	json_object_set_new(o, "bytes",
			    json_integer((json_int_t)r->stats.bytes));
	json_object_set_new(o, "pieces",
			    json_integer((json_int_t)s0->st.pieces));
	json_object_set_new(o, "iovecs",
			    json_integer((json_int_t)s0->st.iovecs));
	if (p->kind != ROW_GATHER_LIMIT)
		json_object_set_new(o, "batches",
				    json_integer((json_int_t)s0->st.batches));
	/* what the library says of its asynchronous writes, first sample */
	if (p->kind == ROW_STRATEGY && p->strategy == IOVW_URING)
		json_object_set_new(
			o, "io_uring",
			json_pack("{s:I,s:I,s:I}", "requests",
				  (json_int_t)s0->st.uring_requests,
				  "resubmits",
				  (json_int_t)s0->st.uring_resubmits, "workers",
				  (json_int_t)s0->st.uring_workers));
	if (p->dontcache)
		json_object_set_new(
			o, "dontcache",
			json_pack("{s:I,s:b}", "writes",
				  (json_int_t)s0->st.dontcache_writes,
				  "fell_back",
				  s0->st.dontcache_fallbacks != 0));
}

/* How long it took: the samples, their summary, phases, throughput and
 * the ratios to the reference rows. */
static void row_time(json_t *o, const struct row *r)
{
	const struct row_stats *s = &r->stats;
	json_t *samples = json_array();
	size_t i;

	for (i = 0; i < r->res.n; i++)
		json_array_append_new(
			samples,
			json_integer((json_int_t)r->res.s[i].total_ns));
	json_object_set_new(o, "samples_ns", samples);
	json_object_set_new(o, "wall_ns", summary_json(&s->wall));
	if (r->spec.kind != ROW_PEER)
		json_object_set_new(o, "phases_ns",
				    json_pack("{s:I,s:I}", "build",
					      (json_int_t)s->build.median,
					      "write",
					      (json_int_t)s->write.median));
	json_object_set_new(o, "throughput_mib_s", json_real(s->mib_s));
	if (r->spec.kind == ROW_STRATEGY || r->spec.kind == ROW_PEER)
		json_object_set_new(o, "ratio",
				    json_pack("{s:f,s:f}", "gather_limit",
					      s->x_gather, "pwrite_limit",
					      s->x_pwrite));
}

/* What it cost beside time: CPU, faults, system calls, memory. */
static void row_cost(json_t *o, const struct row *r)
{
	const struct row_medians *m = &r->stats.med;
	const struct sc_count *sc = &r->res.sc;
	json_t *by;
	unsigned i;

	json_object_set_new(o, "cpu_ns",
			    json_pack("{s:I,s:I}", "user",
				      (json_int_t)m->utime_ns, "sys",
				      (json_int_t)m->stime_ns));
	json_object_set_new(o, "faults",
			    json_pack("{s:I,s:I}", "minor",
				      (json_int_t)m->minflt, "major",
				      (json_int_t)m->majflt));
	json_object_set_new(o, "process",
			    json_pack("{s:{s:I,s:I},s:{s:I,s:I}}", "cpu_ns",
				      "user", (json_int_t)m->proc_utime_ns,
				      "sys", (json_int_t)m->proc_stime_ns,
				      "faults", "minor",
				      (json_int_t)m->proc_minflt, "major",
				      (json_int_t)m->proc_majflt));
	if (r->res.sc_rc == 0 && r->res.n) {
		by = json_object();
		for (i = 0; i < sc->n; i++)
			json_object_set_new(
				by, sc->e[i].name,
				json_integer((json_int_t)sc->e[i].calls));
		json_object_set_new(o, "syscalls",
				    json_pack("{s:I,s:o,s:s}", "total",
					      (json_int_t)sc->total, "by_name",
					      by, "method",
					      sc_method_name(sc->method)));
	}
	json_object_set_new(o, "rss",
			    json_pack("{s:I,s:I,s:I}", "peak_delta_bytes",
				      (json_int_t)m->peak_rss,
				      "anon_delta_bytes", (json_int_t)m->anon,
				      "file_delta_bytes", (json_int_t)m->file));
	if (row_has_output(&r->spec) && m->cache >= 0)
		json_object_set_new(o, "page_cache",
				    json_pack("{s:I}", "resident_bytes",
					      (json_int_t)m->cache));
}

static json_t *row_json(const struct row *r)
{
	json_t *o = json_object();

	row_what(o, r);
	row_time(o, r);
	row_cost(o, r);
	if (r->res.has_digest) {
		json_object_set_new(
			o, "digest",
			json_pack("s+", "xxh3-128:", r->res.digest));
		json_object_set_new(o, "equivalent",
				    json_boolean(r->stats.same));
	}
	return o;
}

/* A span's figures into a new object. */
static json_t *span_json(const struct load_span *s)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:b}", "secs", s->secs,
			 "others_cores", s->others_cores, "steal", s->steal,
			 "load1", s->load1, "busy", load_busy(s));
}

int report_set_load(struct report *rep, const struct load_span *whole,
		    const struct round_load *r, size_t n)
{
	json_t *rounds = json_array(), *o;
	size_t i, busy = 0, judged = 0;
	int verdict;

	for (i = 0; i < n; i++) {
		json_t *x = span_json(&r[i].span);
		json_object_set_new(x, "workload", json_string(r[i].workload));
		json_object_set_new(x, "round",
				    json_integer((json_int_t)r[i].round));
		json_array_append_new(rounds, x);
		busy += (size_t)load_busy(&r[i].span);
		judged += (size_t)load_judged(&r[i].span);
	}
	/* busy over the whole run, or in more than a quarter of the rounds
	 * long enough to judge (a burst that the run's mean dilutes) */
	verdict = load_busy(whole) || 4 * busy > judged;
	o = span_json(whole);
	json_object_set_new(o, "busy", json_boolean(verdict));
	json_object_set_new(o, "busy_rounds", json_integer((json_int_t)busy));
	json_object_set_new(o, "judged_rounds",
			    json_integer((json_int_t)judged));
	json_object_set_new(o, "busy_rule",
			    json_pack("{s:f,s:f,s:f}", "others_cores",
				      LOAD_BUSY_CORES, "steal", LOAD_BUSY_STEAL,
				      "min_secs", LOAD_MIN_SECS));
	json_object_set_new(o, "rounds", rounds);
	json_object_set_new(rep->root, "load", o);
	return verdict;
}

void report_add_rows(struct report *rep, const struct row *rows, size_t n)
{
	size_t i;
	char buf[160];

	for (i = 0; i < n; i++) {
		json_array_append_new(rep->results, row_json(&rows[i]));
		if (!rows[i].res.has_digest)
			continue;
		rep->checked++;
		if (rows[i].stats.same)
			continue;
		snprintf(buf, sizeof(buf), "%s %s: digest differs",
			 rows[i].spec.workload, rows[i].spec.label);
		json_array_append_new(rep->failures, json_string(buf));
	}
}

int report_write(struct report *rep, const char *path, int ok)
{
	char *text;
	int rc;

	json_object_set_new(rep->root, "verify",
			    json_pack("{s:b,s:I,s:O}", "ok", ok, "checked",
				      (json_int_t)rep->checked, "failures",
				      rep->failures));
	text = json_dumps(rep->root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return -ENOMEM;
	rc = file_write_text(path, text);
	free(text);
	return rc;
}

void report_free(struct report *rep)
{
	json_decref(rep->root);
	json_decref(rep->failures);
	memset(rep, 0, sizeof(*rep));
}
