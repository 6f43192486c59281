/*
 * report.h - rows of measurements, the table and the JSON report.
 */
#ifndef IOVBENCH_REPORT_H
#define IOVBENCH_REPORT_H

#include "sample.h"
#include "timefn.h"

#include <jansson.h>
#include <stdio.h>

/* Strategy numbers at or above this are reference rows, and from
 * RROW_PEER on peer rows (fio engines). */
#define RROW_REFERENCE 100
#define RROW_PEER      200

struct rrow {
	char workload[32];
	char label[64]; /* "pwritev coalesce=64" */
	char id[128];	/* a file-name-safe version of the label */
	char name[24];	/* strategy or reference name */
	int strategy;
	size_t batch, coalesce;
	int fsync;
	struct sample *s;
	size_t n, cap;
	struct sc_count sc;
	int sc_rc;
	char digest[40];
	int has_digest, same;
	/* rrows_finish() */
	struct tf_summary wall, build, write;
	double mib_s, x_gather, x_pwrite;
	int fastest;
};

void rrow_init(struct rrow *r, const char *workload, const char *name,
	       int strategy, size_t batch, size_t coalesce, int fsync);
void rrow_add_sample(struct rrow *r, const struct sample *s);
/* Summaries, ratios to the reference rows, the fastest strategy, and
 * whether each digest equals the workload's first one. */
void rrows_finish(struct rrow *rows, size_t n);
int rrows_equivalent(const struct rrow *rows, size_t n);
void rrows_print(FILE *f, const struct rrow *rows, size_t n);
void rrows_free(struct rrow *rows, size_t n);

struct report {
	json_t *root, *results, *failures;
	size_t checked;
};

void report_init(struct report *rep, const char *dir, int argc, char **argv);
/* The report's "config" object, to add resolved settings to. */
json_t *report_config(struct report *rep);
void report_add_rows(struct report *rep, const struct rrow *rows, size_t n);
/* Write the report atomically; 0 or a negative errno. */
int report_write(struct report *rep, const char *path, int ok);
void report_free(struct report *rep);

#endif
