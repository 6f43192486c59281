/*
 * add.c - adding reports to the history: a run per (revision, host, file
 * system, date), added once, and its rows.
 */
#include "history/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void history_row_label(const json_t *row, char *buf, size_t n)
{
	const json_t *params = json_object_get(row, "params"), *v;
	const char *s = json_string_value(json_object_get(row, "strategy"));
	const char **keys;
	size_t k = 0, i, j, len;
	const char *key;

	len = (size_t)snprintf(buf, n, "%s", s ? s : "?");
	keys = malloc((json_object_size(params) + 1) * sizeof(*keys));
	if (!keys)
		return;
	json_object_foreach((json_t *)params, key, v) keys[k++] = key;
	for (i = 1; i < k; i++) /* sorted: a report's order may vary */
		for (j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	for (i = 0; i < k && len < n; i++) {
		v = json_object_get(params, keys[i]);
		if (json_is_integer(v))
			len += (size_t)snprintf(
				buf + len, n - len, " %s=%lld", keys[i],
				(long long)json_integer_value(v));
		else if (json_is_true(v))
			len += (size_t)snprintf(buf + len, n - len, " %s",
						keys[i]);
		else if (json_is_string(v))
			len += (size_t)snprintf(buf + len, n - len, " %s=%s",
						keys[i], json_string_value(v));
	}
	free(keys);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void bind_int(sqlite3_stmt *st, int i, const json_t *v)
{
	if (json_is_integer(v))
		sqlite3_bind_int64(st, i, json_integer_value(v));
	else
		sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, const json_t *v)
{
	if (json_is_number(v))
		sqlite3_bind_double(st, i, json_number_value(v));
	else
		sqlite3_bind_null(st, i);
}

/* Insert row r of run `run`. SQLite's code. */
static int add_row(sqlite3_stmt *st, sqlite3_int64 run, const json_t *r)
{
	char label[256], *params;
	const json_t *sc = json_object_get(r, "syscalls");
	int rc;

	history_row_label(r, label, sizeof(label));
	params = json_dumps(json_object_get(r, "params"),
			    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!params)
		return SQLITE_NOMEM;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, jstr(r, "workload"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, jstr(r, "kind") ?: "strategy", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, params, -1, free);
	bind_real(st, 6,
		  json_object_get(json_object_get(r, "wall_ns"), "median"));
	bind_real(st, 7,
		  json_object_get(json_object_get(r, "ratio"), "pwrite_limit"));
	bind_int(st, 8, json_object_get(r, "bytes"));
	bind_int(st, 9, json_object_get(r, "pieces"));
	bind_int(st, 10, json_object_get(r, "iovecs"));
	bind_int(st, 11, json_object_get(r, "batches"));
	bind_int(st, 12, json_object_get(sc, "total"));
	if (jstr(r, "digest"))
		sqlite3_bind_text(st, 13, jstr(r, "digest"), -1,
				  SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Insert report `rep`: *added 1 when its run is new. SQLite's code, or
 * SQLITE_MISMATCH when it lacks a key. */
static int add_one(sqlite3 *db, sqlite3_stmt *run_st, sqlite3_stmt *row_st,
		   const json_t *rep, int *added)
{
	const json_t *env = json_object_get(rep, "env"), *results, *r;
	const char *rev = jstr(json_object_get(rep, "tool"), "git");
	const json_t *cfg = json_object_get(rep, "config");
	char *config, setup[96];
	sqlite3_int64 run;
	size_t i;
	int rc;

	*added = 0;
	if (!rev || !jstr(env, "host") || !jstr(env, "fs_type") ||
	    !jstr(env, "date") || !jstr(rep, "schema"))
		return SQLITE_MISMATCH;
	/* runs of another seed or scale measure other bytes: their own
	 * series */
	snprintf(setup, sizeof(setup), "seed=%lld scale=%g",
		 (long long)json_integer_value(json_object_get(cfg, "seed")),
		 json_number_value(json_object_get(cfg, "scale")));
	config = json_dumps(cfg, JSON_COMPACT | JSON_ENCODE_ANY);
	sqlite3_reset(run_st);
	sqlite3_bind_text(run_st, 1, rev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 2, jstr(env, "host"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 3, jstr(env, "fs_type"), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 4, jstr(env, "date"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 5, jstr(env, "kernel"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 6, jstr(rep, "schema"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 7, setup, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(run_st, 8, config, -1, free);
	if ((rc = sqlite3_step(run_st)) != SQLITE_DONE)
		return rc;
	if (!sqlite3_changes(db))
		return SQLITE_OK; /* this run is there already */
	run = sqlite3_last_insert_rowid(db);
	results = json_object_get(rep, "results");
	for (i = 0; i < json_array_size(results); i++) {
		r = json_array_get(results, i);
		if (!jstr(r, "workload") || !jstr(r, "strategy"))
			return SQLITE_MISMATCH;
		if ((rc = add_row(row_st, run, r)))
			return rc;
	}
	*added = 1;
	return SQLITE_OK;
}

int history_add(struct history *h, json_t *const *reports, size_t nr,
		size_t *added, char *err, size_t n)
{
	sqlite3_stmt *run_st = NULL, *row_st = NULL;
	size_t i;
	int rc, one;

	*added = 0;
	if ((rc = hist_begin(h, err, n)))
		return rc;
	rc = sqlite3_prepare_v2(h->db,
				"INSERT OR IGNORE INTO runs(revision, host, "
				"fs_type, date, kernel, schema, setup, config) "
				"VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
				-1, &run_st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			h->db,
			"INSERT OR IGNORE INTO results(run_id, workload, row, "
			"kind, params, median_ns, ratio, bytes, pieces, iovecs,"
			" batches, syscalls, digest) VALUES(?, ?, ?, ?, ?, ?, "
			"?, ?, ?, ?, ?, ?, ?)",
			-1, &row_st, NULL);
	for (i = 0; rc == SQLITE_OK && i < nr; i++) {
		rc = add_one(h->db, run_st, row_st, reports[i], &one);
		*added += (size_t)one;
	}
	sqlite3_finalize(run_st);
	sqlite3_finalize(row_st);
	if (rc == SQLITE_MISMATCH) {
		snprintf(err, n,
			 "report %zu lacks its revision, host, file system, "
			 "date or a row's workload",
			 i);
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		*added = 0;
		return -EINVAL;
	}
	if (rc != SQLITE_OK) {
		rc = hist_fail(h->db, rc, h->path, err, n);
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		*added = 0;
		return rc;
	}
	if ((rc = hist_commit(h, err, n)))
		*added = 0;
	return rc;
}
