/*
 * report.c - rows of measurements, the table and the JSON report.
 */
#include "report.h"

#include "cli.h"
#include "envinfo.h"
#include "iovw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef IOVB_GIT
#define IOVB_GIT "unknown"
#endif

void rrow_init(struct rrow *r, const char *workload, const char *name,
	       int strategy, size_t batch, size_t coalesce, int fsync)
{
	char *p;

	memset(r, 0, sizeof(*r));
	snprintf(r->workload, sizeof(r->workload), "%s", workload);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->strategy = strategy;
	r->batch = batch;
	r->coalesce = coalesce;
	r->fsync = fsync;
	r->sc_rc = -ENODATA; /* not counted (yet) */
	snprintf(r->label, sizeof(r->label), "%s", name);
	if (batch)
		snprintf(r->label + strlen(r->label),
			 sizeof(r->label) - strlen(r->label), " batch=%zu",
			 batch);
	if (coalesce)
		snprintf(r->label + strlen(r->label),
			 sizeof(r->label) - strlen(r->label), " coalesce=%zu",
			 coalesce);
	snprintf(r->id, sizeof(r->id), "%s-%s", workload, r->label);
	for (p = r->id; *p; p++)
		if (*p == ' ' || *p == '=')
			*p = '_';
}

void rrow_add_sample(struct rrow *r, const struct sample *s)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct sample *ns = realloc(r->s, cap * sizeof(*ns));
		if (!ns)
			return; /* the row keeps fewer samples */
		r->s = ns;
		r->cap = cap;
	}
	r->s[r->n++] = *s;
}

enum field {
	F_PEAK,
	F_ANON,
	F_FILE,
	F_MINFLT,
	F_MAJFLT,
	F_UTIME,
	F_STIME,
	F_PMINFLT,
	F_PMAJFLT,
	F_PUTIME,
	F_PSTIME
};

/* Median of one field over the samples. */
static double med(const struct rrow *r, enum field f)
{
	double *v = malloc((r->n ? r->n : 1) * sizeof(double)), m = 0;
	size_t i;

	if (!v || !r->n) {
		free(v);
		return 0;
	}
	for (i = 0; i < r->n; i++) {
		const struct sample *s = &r->s[i];
		v[i] = f == F_PEAK	? (double)s->peak_rss_delta
		       : f == F_ANON	? (double)s->anon_delta
		       : f == F_FILE	? (double)s->file_delta
		       : f == F_MINFLT	? (double)s->minflt
		       : f == F_MAJFLT	? (double)s->majflt
		       : f == F_UTIME	? (double)s->utime_ns
		       : f == F_STIME	? (double)s->stime_ns
		       : f == F_PMINFLT ? (double)s->proc_minflt
		       : f == F_PMAJFLT ? (double)s->proc_majflt
		       : f == F_PUTIME	? (double)s->proc_utime_ns
					: (double)s->proc_stime_ns;
	}
	m = tf_median_dbl(v, r->n);
	free(v);
	return m;
}

static struct tf_summary summary(const struct rrow *r, int which)
{
	uint64_t *v = malloc(r->n * sizeof(*v));
	struct tf_summary s = {0, 0, 0, 0};
	size_t i;

	if (!v || !r->n) {
		free(v);
		return s;
	}
	for (i = 0; i < r->n; i++)
		v[i] = which == 0   ? r->s[i].total_ns
		       : which == 1 ? r->s[i].st.build_ns
				    : r->s[i].st.write_ns;
	s = tf_summarize(v, r->n);
	free(v);
	return s;
}

static uint64_t row_bytes(const struct rrow *r)
{
	if (!r->n)
		return 0;
	if (r->strategy == RROW_REFERENCE) /* gather: bytes copied */
		return r->s[0].st.bytes_copied;
	/* a peer's bytes_written is what fio wrote */
	return r->s[0].st.bytes_written;
}

void rrows_finish(struct rrow *rows, size_t n)
{
	const struct rrow *gather = NULL, *pwr = NULL, *first = NULL;
	double best = 0;
	size_t i, fastest = n;

	for (i = 0; i < n; i++) {
		struct rrow *r = &rows[i];
		r->wall = summary(r, 0);
		r->build = summary(r, 1);
		r->write = summary(r, 2);
		r->mib_s = r->wall.median > 0
				   ? (double)row_bytes(r) / (1 << 20) /
					     (r->wall.median / 1e9)
				   : 0;
		if (r->strategy == RROW_REFERENCE)
			gather = r;
		else if (r->strategy == RROW_REFERENCE + 1)
			pwr = r;
		if (r->has_digest && !first)
			first = r;
	}
	for (i = 0; i < n; i++) {
		struct rrow *r = &rows[i];
		r->x_gather = gather && r->wall.median > 0
				      ? gather->wall.median / r->wall.median
				      : 0;
		r->x_pwrite = pwr && r->wall.median > 0
				      ? pwr->wall.median / r->wall.median
				      : 0;
		r->same = !r->has_digest || !first ||
			  !strcmp(r->digest, first->digest);
		if (r->strategy < RROW_REFERENCE &&
		    (fastest == n || r->wall.median < best)) {
			fastest = i;
			best = r->wall.median;
		}
	}
	if (fastest < n)
		rows[fastest].fastest = 1;
}

int rrows_equivalent(const struct rrow *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!rows[i].same)
			return 0;
	return 1;
}

void rrows_print(FILE *f, const struct rrow *rows, size_t n)
{
	size_t i;

	if (!n)
		return;
	fprintf(f, "%s: %llu bytes, %zu samples a row\n", rows[0].workload,
		(unsigned long long)row_bytes(&rows[1]), rows[0].n);
	fprintf(f, "  %-26s %10s %8s %9s %8s %8s %9s %9s %9s %4s\n", "row",
		"median ms", "MAD ms", "MiB/s", "x gather", "x pwrite",
		"syscalls", "peak MiB", "minflt", "same");
	for (i = 0; i < n; i++) {
		const struct rrow *r = &rows[i];
		char sc[24], label[sizeof(r->label) + 1];

		snprintf(label, sizeof(label), "%s%s", r->fastest ? "*" : " ",
			 r->label);
		if (r->strategy >= RROW_PEER) {
			fprintf(f,
				"  %-26s %10.3f %8.3f %9.0f %8.3f %8.3f %9s "
				"%9s %9.0f %4s\n",
				label, r->wall.median / 1e6, r->wall.mad / 1e6,
				r->mib_s, r->x_gather, r->x_pwrite, "-", "-",
				med(r, F_MINFLT), "-");
			continue;
		}
		if (r->sc_rc == 0)
			snprintf(sc, sizeof(sc), "%llu",
				 (unsigned long long)r->sc.total);
		else
			snprintf(sc, sizeof(sc), "-");
		fprintf(f,
			"  %-26s %10.3f %8.3f %9.0f %8.3f %8.3f %9s %9.1f "
			"%9.0f "
			"%4s\n",
			label, r->wall.median / 1e6, r->wall.mad / 1e6,
			r->mib_s, r->x_gather, r->x_pwrite, sc,
			med(r, F_PEAK) / (1 << 20), med(r, F_MINFLT),
			!r->has_digest ? "-"
			: r->same      ? "yes"
				       : "NO");
	}
	fprintf(f, "  (* fastest strategy; x gather / x pwrite: throughput "
		   "relative to the reference rows; fio rows: time in\n"
		   "  fio's write calls, 1 MiB blocks)\n\n");
}

void rrows_free(struct rrow *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].s);
}

void report_init(struct report *rep, const char *dir, int argc, char **argv)
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
	json_object_set_new(rep->root, "config", config);
	json_object_set_new(rep->root, "results", rep->results);
}

json_t *report_config(struct report *rep)
{
	return json_object_get(rep->root, "config");
}

static json_t *summary_json(const struct tf_summary *s)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "median", (json_int_t)s->median,
			 "min", (json_int_t)s->min, "max", (json_int_t)s->max,
			 "mad", (json_int_t)s->mad);
}

static json_t *row_json(const struct rrow *r)
{
	const struct sample *s0 = r->n ? &r->s[0] : NULL;
	int peer = r->strategy >= RROW_PEER;
	int ref = r->strategy >= RROW_REFERENCE && !peer;
	json_t *o = json_object(), *samples = json_array(), *by = json_object();
	size_t i;

	json_object_set_new(o, "workload", json_string(r->workload));
	json_object_set_new(o, "strategy", json_string(r->name));
	json_object_set_new(o, "kind",
			    json_string(peer  ? "peer"
					: ref ? "reference"
					      : "strategy"));
	json_object_set_new(
		o, "params",
		json_pack("{s:I,s:I,s:b}", "batch",
			  (json_int_t)(r->batch ? r->batch
						: (ref ? 0 : iovw_iov_max())),
			  "coalesce", (json_int_t)r->coalesce, "fsync",
			  r->fsync));
	if (s0) {
		json_object_set_new(
			o, "bytes",
			json_integer(
				(json_int_t)(r->strategy == RROW_REFERENCE
						     ? s0->st.bytes_copied
						     : s0->st.bytes_written)));
		json_object_set_new(o, "pieces",
				    json_integer((json_int_t)s0->st.pieces));
		json_object_set_new(o, "iovecs",
				    json_integer((json_int_t)s0->st.iovecs));
		if (r->strategy != RROW_REFERENCE)
			json_object_set_new(
				o, "batches",
				json_integer((json_int_t)s0->st.batches));
	}
	for (i = 0; i < r->n; i++)
		json_array_append_new(
			samples, json_integer((json_int_t)r->s[i].total_ns));
	json_object_set_new(o, "samples_ns", samples);
	json_object_set_new(o, "wall_ns", summary_json(&r->wall));
	if (!peer)
		json_object_set_new(o, "phases_ns",
				    json_pack("{s:I,s:I}", "build",
					      (json_int_t)r->build.median,
					      "write",
					      (json_int_t)r->write.median));
	json_object_set_new(o, "throughput_mib_s", json_real(r->mib_s));
	if (!ref) /* strategies and peers */
		json_object_set_new(o, "ratio",
				    json_pack("{s:f,s:f}", "gather_limit",
					      r->x_gather, "pwrite_limit",
					      r->x_pwrite));
	json_object_set_new(o, "cpu_ns",
			    json_pack("{s:I,s:I}", "user",
				      (json_int_t)med(r, F_UTIME), "sys",
				      (json_int_t)med(r, F_STIME)));
	json_object_set_new(o, "faults",
			    json_pack("{s:I,s:I}", "minor",
				      (json_int_t)med(r, F_MINFLT), "major",
				      (json_int_t)med(r, F_MAJFLT)));
	json_object_set_new(o, "process",
			    json_pack("{s:{s:I,s:I},s:{s:I,s:I}}", "cpu_ns",
				      "user", (json_int_t)med(r, F_PUTIME),
				      "sys", (json_int_t)med(r, F_PSTIME),
				      "faults", "minor",
				      (json_int_t)med(r, F_PMINFLT), "major",
				      (json_int_t)med(r, F_PMAJFLT)));
	if (r->sc_rc == 0 && r->n) {
		for (i = 0; i < r->sc.n; i++)
			json_object_set_new(
				by, r->sc.e[i].name,
				json_integer((json_int_t)r->sc.e[i].calls));
		json_object_set_new(o, "syscalls",
				    json_pack("{s:I,s:o}", "total",
					      (json_int_t)r->sc.total,
					      "by_name", by));
	} else {
		json_decref(by);
	}
	json_object_set_new(
		o, "rss",
		json_pack("{s:I,s:I,s:I}", "peak_delta_bytes",
			  (json_int_t)med(r, F_PEAK), "anon_delta_bytes",
			  (json_int_t)med(r, F_ANON), "file_delta_bytes",
			  (json_int_t)med(r, F_FILE)));
	if (r->has_digest) {
		json_object_set_new(o, "digest",
				    json_pack("s+", "xxh3-128:", r->digest));
		json_object_set_new(o, "equivalent", json_boolean(r->same));
	}
	return o;
}

void report_add_rows(struct report *rep, const struct rrow *rows, size_t n)
{
	size_t i;
	char buf[160];

	for (i = 0; i < n; i++) {
		json_array_append_new(rep->results, row_json(&rows[i]));
		if (rows[i].has_digest) {
			rep->checked++;
			if (!rows[i].same) {
				snprintf(buf, sizeof(buf),
					 "%s %s: digest differs",
					 rows[i].workload, rows[i].label);
				json_array_append_new(rep->failures,
						      json_string(buf));
			}
		}
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
	rc = cli_write_text(path, text);
	free(text);
	return rc;
}

void report_free(struct report *rep)
{
	json_decref(rep->root);
	json_decref(rep->failures);
	memset(rep, 0, sizeof(*rep));
}
