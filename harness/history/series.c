/*
 * series.c - reading the history back: each row's series (one point a
 * run, oldest first) and the whole history as JSON.
 */
#include "history/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char series_sql[] =
	"SELECT r.host, r.fs_type, r.setup, x.workload, x.row, r.revision,"
	" r.date, x.median_ns, x.ratio, x.bytes, x.pieces, x.iovecs,"
	" x.batches, x.syscalls, x.digest"
	" FROM results x JOIN runs r ON r.id = x.run_id"
	" WHERE (?1 IS NULL OR r.host = ?1) AND (?2 IS NULL OR r.fs_type = ?2)"
	" AND (?3 IS NULL OR x.workload = ?3) AND (?4 IS NULL OR x.row = ?4)"
	" ORDER BY r.host, r.fs_type, r.setup, x.workload, x.row, r.date, r.id";

static void copy_text(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, n, "%s", s ? s : "");
}

static int64_t col_int(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? -1
		       : (int64_t)sqlite3_column_int64(st, col);
}

static void read_point(sqlite3_stmt *st, struct hist_point *p)
{
	copy_text(p->revision, sizeof(p->revision), st, 5);
	copy_text(p->date, sizeof(p->date), st, 6);
	p->median_ns = sqlite3_column_double(st, 7);
	p->ratio = sqlite3_column_type(st, 8) == SQLITE_NULL
			   ? NAN
			   : sqlite3_column_double(st, 8);
	p->bytes = col_int(st, 9);
	p->pieces = col_int(st, 10);
	p->iovecs = col_int(st, 11);
	p->batches = col_int(st, 12);
	p->syscalls = col_int(st, 13);
	copy_text(p->digest, sizeof(p->digest), st, 14);
}

/* The series being gathered. */
struct gather {
	char key[5][256]; /* host, fs_type, setup, workload, row */
	struct hist_point *p;
	size_t n, cap;
};

static int same_key(const struct gather *g, sqlite3_stmt *st)
{
	int i;

	for (i = 0; i < 5; i++) {
		const char *s = (const char *)sqlite3_column_text(st, i);
		if (strcmp(g->key[i], s ? s : ""))
			return 0;
	}
	return 1;
}

static int flush(struct gather *g,
		 int (*fn)(const struct hist_series *, void *), void *ctx)
{
	struct hist_series s = {g->key[0], g->key[1], g->key[2], g->key[3],
				g->key[4], g->p,      g->n};

	if (!g->n)
		return 0;
	g->n = 0;
	return fn(&s, ctx);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int history_each_series(struct history *h, const struct hist_filter *f,
			int (*fn)(const struct hist_series *s, void *ctx),
			void *ctx)
{
	struct gather g = {0};
	sqlite3_stmt *st;
	int rc, i;

	if ((rc = sqlite3_prepare_v2(h->db, series_sql, -1, &st, NULL)))
		return hist_errno(rc);
	if (f) {
		bind_opt(st, 1, f->host);
		bind_opt(st, 2, f->fs_type);
		bind_opt(st, 3, f->workload);
		bind_opt(st, 4, f->row);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (g.n && !same_key(&g, st) && (rc = flush(&g, fn, ctx)))
			break;
		if (!g.n)
			for (i = 0; i < 5; i++)
				copy_text(g.key[i], sizeof(g.key[i]), st, i);
		if (g.n == g.cap) {
			size_t cap = g.cap ? 2 * g.cap : 16;
			void *p = realloc(g.p, cap * sizeof(*g.p));
			if (!p) {
				rc = -ENOMEM;
				break;
			}
			g.p = p;
			g.cap = cap;
		}
		read_point(st, &g.p[g.n++]);
	}
	if (rc == SQLITE_DONE)
		rc = flush(&g, fn, ctx);
	else if (rc > 0)
		rc = hist_errno(rc);
	sqlite3_finalize(st);
	free(g.p);
	return rc;
}

/* Column `col` of st as JSON (null, integer, real or string). */
static json_t *col_json(sqlite3_stmt *st, int col)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, col));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, col));
	case SQLITE_TEXT:
		if (!strcmp(sqlite3_column_name(st, col), "params"))
			return json_loads(
				(const char *)sqlite3_column_text(st, col),
				JSON_DECODE_ANY, NULL);
		return json_string((const char *)sqlite3_column_text(st, col));
	default:
		return json_null();
	}
}

/* Every row of `sql` as an object of its columns, appended to arr.
 * SQLite's code (SQLITE_DONE at the end) or SQLITE_NOMEM. */
static int rows_json(sqlite3 *db, const char *sql, sqlite3_int64 id,
		     json_t *arr)
{
	sqlite3_stmt *st;
	json_t *o;
	int rc, i;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)))
		return rc;
	if (id >= 0)
		sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(o = json_object()) || json_array_append_new(arr, o)) {
			rc = SQLITE_NOMEM;
			break;
		}
		for (i = 0; i < sqlite3_column_count(st); i++)
			if (json_object_set_new(o, sqlite3_column_name(st, i),
						col_json(st, i))) {
				rc = SQLITE_NOMEM;
				break;
			}
	}
	sqlite3_finalize(st);
	return rc;
}

json_t *history_export(struct history *h, int *rc)
{
	json_t *out =
		json_pack("{s:s, s:i, s:[]}", "schema", "iovbench-history/1",
			  "version", HISTORY_VERSION, "runs");
	json_t *runs = json_object_get(out, "runs"), *r, *rows;
	size_t i;
	int s;

	*rc = -ENOMEM;
	if (!out)
		return NULL;
	s = rows_json(h->db,
		      "SELECT id, revision, host, fs_type, date, kernel, "
		      "schema, setup FROM runs ORDER BY date, id",
		      -1, runs);
	for (i = 0; s == SQLITE_DONE && i < json_array_size(runs); i++) {
		r = json_array_get(runs, i);
		if (!(rows = json_array()) ||
		    json_object_set_new(r, "results", rows)) {
			s = SQLITE_NOMEM;
			break;
		}
		s = rows_json(h->db,
			      "SELECT workload, row, kind, params, median_ns, "
			      "ratio, bytes, pieces, iovecs, batches, "
			      "syscalls, digest FROM results WHERE run_id = ?1"
			      " ORDER BY rowid",
			      json_integer_value(json_object_get(r, "id")),
			      rows);
		json_object_del(r, "id");
	}
	if (s != SQLITE_DONE) {
		*rc = hist_errno(s) ? hist_errno(s) : -EIO;
		json_decref(out);
		return NULL;
	}
	*rc = 0;
	return out;
}
