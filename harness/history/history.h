/*
 * history.h - iovbench reports kept in a SQLite database: one run per
 * (git revision, host, file system, date), each with its rows' medians,
 * ratios and exact metrics, read back as one series per row.
 *
 * The file is an iovbench history when its SQLite application_id is
 * HISTORY_APP_ID and its version table says a version this code knows;
 * anything else (another SQLite database, a damaged one, not SQLite at
 * all, a newer version) is refused before anything is written: the file
 * is opened read-only and checked (application_id, version, SQLite's
 * quick_check) first, and checked again inside the write transaction.
 * Writers take the database's write lock at once (BEGIN IMMEDIATE) and
 * wait up to HISTORY_BUSY_MS for it, so concurrent writers are
 * serialized and none loses its reports.
 */
#ifndef IOVBENCH_HISTORY_HISTORY_H
#define IOVBENCH_HISTORY_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define HISTORY_APP_ID	0x696f7668 /* "iovh" */
#define HISTORY_VERSION 1	   /* the schema this code writes */
#define HISTORY_BUSY_MS 30000

struct history;

/* Open the history at path; `create` (for writers): make it when there
 * is no file (or an empty one). An older version is brought up to
 * HISTORY_VERSION. Without `create` a missing or empty file is -ENOENT
 * and a current history is opened read-only. 0 with *out (the caller's,
 * for history_close), or a negative errno after writing a one-line
 * reason into err: -EINVAL (not an iovbench history, damaged, a newer
 * version), -ENOENT, -EBUSY (locked for longer than HISTORY_BUSY_MS),
 * -EIO, -ENOMEM. A refused file is never written. */
int history_open(const char *path, int create, struct history **out, char *err,
		 size_t n);
void history_close(struct history *h);

/* Add reports[0..nr) (parsed iovbench-report/1 objects, borrowed) in one
 * transaction: all or none. A report whose (revision, host, file system,
 * date) is already there is skipped. *added: how many were new. 0 or a
 * negative errno with a reason in err (-EINVAL: a report lacks a key). */
int history_add(struct history *h, json_t *const *reports, size_t nr,
		size_t *added, char *err, size_t n);

/* One run of a row. */
struct hist_point {
	char revision[48], date[32];
	double median_ns;
	double ratio; /* pwrite-limit / this row's time; NAN when none */
	int64_t bytes, pieces, iovecs, batches, syscalls; /* -1: none */
	char digest[64];
};

/* A row's series on one host and file system with one seed and scale
 * (setup: "seed=1 scale=0.02"), oldest run first. */
struct hist_series {
	const char *host, *fs_type, *setup, *workload, *row;
	const struct hist_point *p;
	size_t n;
};

/* Which series: NULL members match all. */
struct hist_filter {
	const char *host, *fs_type, *workload, *row;
};

/* Call fn for each series that f (NULL: all) selects, ordered by host,
 * file system, setup, workload and row; the series is borrowed for the call.
 * A non-zero return of fn stops and is returned. 0 or a negative
 * errno. */
int history_each_series(struct history *h, const struct hist_filter *f,
			int (*fn)(const struct hist_series *s, void *ctx),
			void *ctx);

/* The whole history as JSON ("iovbench-history/1": runs, each with its
 * rows), owned by the caller; NULL on -ENOMEM or a database error (*rc
 * says which). */
json_t *history_export(struct history *h, int *rc);

/* The row label of a report's row ("pwritev batch=1024 coalesce=0") into
 * buf. */
void history_row_label(const json_t *row, char *buf, size_t n);

#endif
