/*
 * load.c - reports for compare: loading and checking them, a row's
 * label, finding the row that matches another, a report's identity.
 */
#include "compare/internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_SCHEMA "iovbench-report/1"

/* Check row i of a report; NULL or what is missing. */
static const char *row_problem(const json_t *row)
{
	const json_t *s = json_object_get(row, "samples_ns");
	size_t i;

	if (!json_is_object(row))
		return "is not an object";
	if (!json_is_string(json_object_get(row, "workload")))
		return "has no workload";
	if (!json_is_string(json_object_get(row, "strategy")))
		return "has no strategy";
	if (!json_is_object(json_object_get(row, "params")))
		return "has no params";
	if (!json_is_array(s) || !json_array_size(s))
		return "has no samples_ns";
	for (i = 0; i < json_array_size(s); i++)
		if (!json_is_integer(json_array_get(s, i)) ||
		    json_integer_value(json_array_get(s, i)) <= 0)
			return "has a sample that is not a positive integer";
	return NULL;
}

/* The parameters that identify a row: those that apply to its strategy
 * (older reports gave every row batch, coalesce and fsync), a missing one
 * 0, memory 1 when warm. */
struct row_key {
	long long batch, coalesce, stage, fsync, warm, hugepage, dontcache;
};

static void row_key(const json_t *row, struct row_key *k)
{
	const json_t *p = json_object_get(row, "params");
	const char *s = cj_str(row, "strategy");
	int stream = !strcmp(s, "stream"), pwritev = !strcmp(s, "pwritev");

	memset(k, 0, sizeof(*k));
	if (pwritev || stream)
		k->batch = cj_int(p, "batch");
	if (pwritev || stream || !strcmp(s, "write-each"))
		k->coalesce = cj_int(p, "coalesce");
	if (stream)
		k->stage = cj_int(p, "stage");
	/* gather-limit writes nothing: older reports gave it fsync */
	k->fsync = strcmp(s, "gather-limit") &&
		   json_is_true(json_object_get(p, "fsync"));
	k->warm = !strcmp(cj_str(p, "memory"), "warm");
	k->hugepage = !strcmp(s, "buffer") &&
		      json_is_true(json_object_get(p, "hugepage"));
	k->dontcache = json_is_true(json_object_get(p, "dontcache"));
}

/* Same workload, strategy and parameters. */
static int same_row(const json_t *a, const json_t *b)
{
	struct row_key ka, kb;

	row_key(a, &ka);
	row_key(b, &kb);
	return !strcmp(cj_str(a, "workload"), cj_str(b, "workload")) &&
	       !strcmp(cj_str(a, "strategy"), cj_str(b, "strategy")) &&
	       !memcmp(&ka, &kb, sizeof(ka));
}

/* FNV-1a over n bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* The hash of what same_row() compares. */
static uint64_t row_hash(const json_t *row)
{
	const char *w = cj_str(row, "workload"), *s = cj_str(row, "strategy");
	uint64_t h = 0xcbf29ce484222325ULL;
	struct row_key k;

	row_key(row, &k);
	h = fnv(h, w, strlen(w) + 1);
	h = fnv(h, s, strlen(s) + 1);
	return fnv(h, &k, sizeof(k));
}

/* Index the rows: an open-addressing table of row numbers + 1 (0: free),
 * at most half full. 0 or -1 (out of memory). */
static int build_index(struct creport *r)
{
	size_t n = json_array_size(r->results), cap = 16, i, k;

	while (cap < 2 * n)
		cap *= 2;
	if (!(r->index = calloc(cap, sizeof(*r->index))))
		return -1;
	r->index_mask = cap - 1;
	for (i = 0; i < n; i++) {
		const json_t *row = json_array_get(r->results, i);
		for (k = row_hash(row) & r->index_mask; r->index[k];
		     k = (k + 1) & r->index_mask)
			if (same_row(
				    json_array_get(r->results, r->index[k] - 1),
				    row))
				break; /* a repeated row: the first stays */
		if (!r->index[k])
			r->index[k] = i + 1;
	}
	return 0;
}

const json_t *creport_find_row(const struct creport *r, const json_t *like)
{
	size_t k;

	for (k = row_hash(like) & r->index_mask; r->index[k];
	     k = (k + 1) & r->index_mask) {
		const json_t *x = json_array_get(r->results, r->index[k] - 1);
		if (same_row(x, like))
			return x;
	}
	return NULL;
}

int creport_load(const char *path, struct creport *r, char *err, size_t n)
{
	json_error_t je;
	struct stat st;
	const char *schema, *why;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->path = path;
	if (stat(path, &st) < 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: is a directory, not a report", path);
		return -EINVAL;
	}
	if (!(r->root = json_load_file(path, 0, &je))) {
		snprintf(err, n, "%s: not valid JSON: %s (line %d)", path,
			 je.text, je.line);
		return -EINVAL;
	}
	schema = json_string_value(json_object_get(r->root, "schema"));
	if (!schema) {
		snprintf(err, n,
			 "%s: not an iovbench report (no \"schema\" field)",
			 path);
		goto bad;
	}
	if (strcmp(schema, REPORT_SCHEMA)) {
		if (!strncmp(schema, "iovbench-report/", 16))
			snprintf(err, n,
				 "%s: report schema '%s' is not supported "
				 "(this iovbench reads %s)",
				 path, schema, REPORT_SCHEMA);
		else
			snprintf(err, n,
				 "%s: not an iovbench report (schema '%s')",
				 path, schema);
		goto bad;
	}
	r->env = json_object_get(r->root, "env");
	r->config = json_object_get(r->root, "config");
	r->results = json_object_get(r->root, "results");
	if (!json_is_object(r->env) || !json_is_object(r->config) ||
	    !json_is_array(r->results)) {
		snprintf(err, n,
			 "%s: malformed report: needs \"env\", \"config\" "
			 "and \"results\"",
			 path);
		goto bad;
	}
	for (i = 0; i < json_array_size(r->results); i++)
		if ((why = row_problem(json_array_get(r->results, i)))) {
			snprintf(err, n,
				 "%s: malformed report: results[%zu] %s", path,
				 i, why);
			goto bad;
		}
	snprintf(r->label, sizeof(r->label), "%s %s %s", cj_str(r->env, "host"),
		 cj_str(r->env, "fs_type"), cj_str(r->env, "kernel"));
	if (build_index(r)) {
		snprintf(err, n, "%s: out of memory", path);
		json_decref(r->root);
		r->root = NULL;
		return -ENOMEM;
	}
	return 0;
bad:
	json_decref(r->root);
	r->root = NULL;
	return -EINVAL;
}

void creport_free(struct creport *r)
{
	json_decref(r->root);
	r->root = NULL;
	free(r->index);
	r->index = NULL;
}

void compare_row_label(const struct creport *r, const json_t *row, char *buf,
		       size_t n)
{
	const json_t *p = json_object_get(row, "params");
	long long batch = cj_int(p, "batch"), coalesce = cj_int(p, "coalesce");
	size_t len;

	snprintf(buf, n, "%s", cj_str(row, "strategy"));
	len = strlen(buf);
	if (batch && batch != cj_int(r->env, "iov_max") && len < n)
		len += (size_t)snprintf(buf + len, n - len, " batch=%lld",
					batch);
	if (coalesce && len < n)
		len += (size_t)snprintf(buf + len, n - len, " coalesce=%lld",
					coalesce);
	if (cj_int(p, "stage") && len < n)
		len += (size_t)snprintf(buf + len, n - len, " stage=%lld",
					cj_int(p, "stage"));
	if (json_is_true(json_object_get(p, "fsync")) && len < n)
		len += (size_t)snprintf(buf + len, n - len, " fsync");
	if (json_is_true(json_object_get(p, "hugepage")) && len < n)
		len += (size_t)snprintf(buf + len, n - len, " hugepage");
	if (json_is_true(json_object_get(p, "dontcache")) && len < n)
		len += (size_t)snprintf(buf + len, n - len, " dontcache");
	if (!strcmp(cj_str(p, "memory"), "warm") && len < n)
		snprintf(buf + len, n - len, " warm");
}

json_t *creport_info(const struct creport *r)
{
	const json_t *tool = json_object_get(r->root, "tool");
	const json_t *load = json_object_get(r->root, "load");
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "path", r->path,
			 "host", cj_str(r->env, "host"), "kernel",
			 cj_str(r->env, "kernel"), "fs_type",
			 cj_str(r->env, "fs_type"), "dir",
			 cj_str(r->env, "dir"), "date", cj_str(r->env, "date"),
			 "git", cj_str(tool, "git"), "busy",
			 json_is_true(json_object_get(load, "busy")));
}
