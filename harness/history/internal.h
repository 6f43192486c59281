/*
 * internal.h - what the history's files share (not for the commands).
 */
#ifndef IOVBENCH_HISTORY_INTERNAL_H
#define IOVBENCH_HISTORY_INTERNAL_H

#include "history/history.h"

#include <sqlite3.h>

struct history {
	sqlite3 *db;
	char *path;
};

/* A negative errno for a SQLite result code (0 for OK, ROW, DONE). */
int hist_errno(int rc);
/* Write the reason for SQLite's rc into err ("PATH: message"); returns
 * the negative errno. */
int hist_fail(sqlite3 *db, int rc, const char *path, char *err, size_t n);
/* BEGIN IMMEDIATE (waits for the write lock) and COMMIT (rolls back when
 * it fails). 0 or a negative errno with the reason in err. */
int hist_begin(struct history *h, char *err, size_t n);
int hist_commit(struct history *h, char *err, size_t n);

#endif
