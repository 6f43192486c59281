/*
 * compare.h - compare iovbench reports: regressions between two, and a
 * platform table over several.
 *
 * A comparison is computed into a JSON object (schema
 * "iovbench-compare/1"), which the JSON output prints as it is and the
 * table and markdown outputs render (render.c).
 */
#ifndef IOVBENCH_COMPARE_COMPARE_H
#define IOVBENCH_COMPARE_COMPARE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define COMPARE_SCHEMA "iovbench-compare/1"

/* A loaded report. */
struct creport {
	const char *path;
	json_t *root;			/* owned */
	json_t *env, *config, *results; /* borrowed from root */
	char label[160];		/* "host fs kernel" */
	size_t *index; /* owned: rows by workload, strategy and params */
	size_t index_mask;
};

/* Load and check a report; 0, or after writing a one-line reason
 * ("PATH: ...") into err, -EINVAL (not a report, or a malformed one) or
 * -ENOMEM. */
int creport_load(const char *path, struct creport *r, char *err, size_t n);
void creport_free(struct creport *r);

/* The row of r with the same workload, strategy and parameters as `like`
 * (borrowed from r), or NULL; the first one if r has several. A hash
 * lookup: comparing reports of n rows takes O(n). */
const json_t *creport_find_row(const struct creport *r, const json_t *like);

/* A new object naming the report: path, host, kernel, fs_type, dir, date,
 * git. */
json_t *creport_info(const struct creport *r);

/* What gates: a bit per class. */
enum {
	GATE_EXACT = 1, /* bytes, pieces, iovecs, digests, syscalls, batches */
	GATE_TIME = 2,	/* absolute timings (only between the same machine) */
	GATE_RATIO = 4, /* time relative to the report's own pwrite-limit */
	GATE_RSS = 8,	/* peak RSS */
	GATE_ALL = 15,
};

struct compare_opts {
	double threshold;     /* relative size of a timing change that counts */
	double alpha;	      /* significance level of the U test */
	double rss_threshold; /* relative peak RSS growth that counts */
	unsigned gate;	      /* GATE_* */
	int holm;	      /* Holm's correction over all gated tests */
};

/* Compare NEW with BASE. Returns the comparison (its "verdict" is "ok" or
 * "regression"), or NULL after writing a one-line reason into err, with
 * *bad_input set when the reports cannot be compared (different
 * workloads, no row in common) and clear when memory ran out. */
json_t *compare_two(const struct creport *base, const struct creport *cur,
		    const struct compare_opts *o, char *err, size_t n,
		    int *bad_input);

/* One table over several reports: each row's throughput and ratios in
 * each report. */
json_t *compare_platforms(const struct creport *r, size_t n);

/* Render a comparison from compare_two() / compare_platforms(). */
void compare_print_table(FILE *f, const json_t *c);
void compare_print_markdown(FILE *f, const json_t *c);

/* A report in another tool's format: "bencher" (Bencher Metric Format) or
 * "github-action-benchmark" (customSmallerIsBetter). NULL if unknown. */
json_t *compare_export(const struct creport *r, const char *format);

/* A row's display label ("pwritev coalesce=64") into buf. */
void compare_row_label(const struct creport *r, const json_t *row, char *buf,
		       size_t n);

#endif
