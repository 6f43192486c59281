/*
 * db.c - opening a history database: refuse what is not ours before
 * writing, create a new one, migrate an old one (see history.h).
 *
 * Versions: migrations[v] brings a database from version v to v + 1;
 * version 0 is an empty file. The version lives in the table
 * history_version (one row) and the file is marked as ours by SQLite's
 * application_id, so a foreign SQLite file is recognized before any
 * table is read. Every migration runs in the write transaction that
 * checked the version, so two processes opening an old file migrate it
 * once.
 */
#include "history/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const migrations[HISTORY_VERSION] = {
	/* 0 -> 1: runs and their rows */
	"CREATE TABLE history_version(version INTEGER NOT NULL);"
	"INSERT INTO history_version VALUES(0);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, revision TEXT NOT NULL,"
	" host TEXT NOT NULL, fs_type TEXT NOT NULL, date TEXT NOT NULL,"
	" kernel TEXT, schema TEXT NOT NULL, setup TEXT NOT NULL,"
	" config TEXT, UNIQUE(revision, host, fs_type, date));"
	"CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id),"
	" workload TEXT NOT NULL, row TEXT NOT NULL, kind TEXT NOT NULL,"
	" params TEXT NOT NULL, median_ns REAL, ratio REAL, bytes INTEGER,"
	" pieces INTEGER, iovecs INTEGER, batches INTEGER, syscalls INTEGER,"
	" digest TEXT, UNIQUE(run_id, workload, row));"
	"CREATE INDEX results_row ON results(workload, row);",
};

/* A negative errno for a SQLite result code. */
int hist_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
	case SQLITE_SCHEMA:
	case SQLITE_MISMATCH:
		return -EINVAL;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_FULL:
		return -ENOSPC;
	default:
		return -EIO;
	}
}

int hist_fail(sqlite3 *db, int rc, const char *path, char *err, size_t n)
{
	int e = hist_errno(rc);

	if (e == -EINVAL)
		snprintf(err, n,
			 "%s: not an iovbench history: damaged or not a "
			 "SQLite database (%s)",
			 path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	else
		snprintf(err, n, "%s: %s", path,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return e ? e : -EIO;
}

/* One integer from a one-row query into *out. SQLite's code. */
static int query_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_MISMATCH; /* no row: not what we made */
	}
	sqlite3_finalize(st);
	return rc;
}

/* What db is: *version (0: an empty database, nothing in it) or a
 * negative errno with the reason in err. `deep`: SQLite's quick_check
 * too. */
static int check(sqlite3 *db, const char *path, int deep, long long *version,
		 char *err, size_t n)
{
	long long app = 0, tables = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = query_int(db, "PRAGMA application_id", &app)) ||
	    (rc = query_int(db, "SELECT count(*) FROM sqlite_master", &tables)))
		return hist_fail(db, rc, path, err, n);
	if (app == 0 && tables == 0) {
		*version = 0;
		return 0;
	}
	if (app != HISTORY_APP_ID) {
		snprintf(err, n,
			 "%s: not an iovbench history (a SQLite database of "
			 "another application, id 0x%llx)",
			 path, app);
		return -EINVAL;
	}
	if (deep) {
		rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st,
					NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *r =
				(const char *)sqlite3_column_text(st, 0);
			rc = r && !strcmp(r, "ok") ? SQLITE_OK : SQLITE_CORRUPT;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return hist_fail(db, SQLITE_CORRUPT, path, err, n);
	}
	rc = query_int(db, "SELECT version FROM history_version", version);
	if (rc != SQLITE_OK)
		return hist_fail(db, rc == SQLITE_ERROR ? SQLITE_CORRUPT : rc,
				 path, err, n);
	if (*version < 1 || *version > HISTORY_VERSION) {
		snprintf(err, n,
			 "%s: history version %lld; this iovbench knows "
			 "versions 1 to %d",
			 path, *version, HISTORY_VERSION);
		return -EINVAL;
	}
	return 0;
}

/* The read-only look at an existing file: its *version. */
static int precheck(const char *path, long long *version, char *err, size_t n)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);

	if (rc != SQLITE_OK) {
		rc = hist_fail(db, rc, path, err, n);
	} else {
		sqlite3_busy_timeout(db, HISTORY_BUSY_MS);
		rc = check(db, path, 1, version, err, n);
		if (!rc && *version == 0) {
			snprintf(err, n,
				 "%s: not an iovbench history (an empty "
				 "SQLite database)",
				 path);
			rc = -EINVAL;
		}
	}
	sqlite3_close(db);
	return rc;
}

/* Inside the write transaction: check again, then create or migrate. */
static int bring_up(struct history *h, char *err, size_t n)
{
	long long version;
	char sql[64];
	int rc, v;

	if ((rc = check(h->db, h->path, 0, &version, err, n)))
		return rc;
	if (version == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
			 HISTORY_APP_ID);
		if ((rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL)))
			return hist_fail(h->db, rc, h->path, err, n);
	}
	for (v = (int)version; v < HISTORY_VERSION; v++) {
		snprintf(sql, sizeof(sql),
			 "UPDATE history_version SET version = %d", v + 1);
		if ((rc = sqlite3_exec(h->db, migrations[v], NULL, NULL,
				       NULL)) ||
		    (rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL)))
			return hist_fail(h->db, rc, h->path, err, n);
	}
	return 0;
}

/* A new struct history for path; NULL on -ENOMEM. */
static struct history *alloc(const char *path)
{
	struct history *h = calloc(1, sizeof(*h));

	if (h && !(h->path = strdup(path))) {
		free(h);
		h = NULL;
	}
	return h;
}

int history_open(const char *path, int create, struct history **out, char *err,
		 size_t n)
{
	long long version = 0;
	struct history *h;
	struct stat st;
	int rc, exists = stat(path, &st) == 0, ro;

	*out = NULL;
	if ((!exists || !st.st_size) && !create) {
		snprintf(err, n, "%s: no such history%s", path,
			 exists ? " (an empty file)" : "");
		return -ENOENT;
	}
	if (exists && S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: is a directory, not a history", path);
		return -EINVAL;
	}
	/* an existing file is checked without being opened for writing;
	 * an empty one may be a new history another writer just made */
	if (exists && st.st_size > 0 && (rc = precheck(path, &version, err, n)))
		return rc;
	/* a reader of a current history only reads */
	ro = !create && version == HISTORY_VERSION;
	if (!(h = alloc(path))) {
		snprintf(err, n, "out of memory");
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &h->db,
			     ro ? SQLITE_OPEN_READONLY
				: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     NULL);
	if (rc != SQLITE_OK) {
		rc = hist_fail(h->db, rc, path, err, n);
		goto fail;
	}
	sqlite3_busy_timeout(h->db, HISTORY_BUSY_MS);
	if (ro) {
		*out = h;
		return 0;
	}
	if ((rc = hist_begin(h, err, n)))
		goto fail;
	if ((rc = bring_up(h, err, n))) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	if ((rc = hist_commit(h, err, n)))
		goto fail;
	*out = h;
	return 0;
fail:
	history_close(h);
	return rc;
}

int hist_begin(struct history *h, char *err, size_t n)
{
	int rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	return rc ? hist_fail(h->db, rc, h->path, err, n) : 0;
}

int hist_commit(struct history *h, char *err, size_t n)
{
	int rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);

	if (rc) {
		rc = hist_fail(h->db, rc, h->path, err, n);
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}
