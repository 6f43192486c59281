/*
 * report.h - the JSON report of `run` and `tune` (schema
 * results/schema.json): the tool, the machine, the resolved
 * configuration and one object a row.
 */
#ifndef IOVBENCH_REPORT_REPORT_H
#define IOVBENCH_REPORT_REPORT_H

#include "engine/config.h"
#include "engine/measure.h"
#include "engine/row.h"

#include <jansson.h>
#include <stddef.h>

struct report {
	json_t *root, *results, *failures;
	size_t checked; /* rows with a digest */
};

/* A new report for files written under `dir`, by the command line
 * argv[0..argc), with the resolved configuration. 0 or -ENOMEM. */
int report_init(struct report *rep, const char *dir, int argc, char **argv,
		const struct bench_cfg *cfg);

/* The report's "config" object, for a command to add its own settings. */
json_t *report_config(struct report *rep);

/* Add the rows of one workload (measured and summarized). */
void report_add_rows(struct report *rep, const struct row *rows, size_t n);

/* The machine's load into the report: the whole run and each round.
 * Returns whether the run counts as busy: the whole run busy
 * (load_busy()), or more than a quarter of its rounds long enough to be
 * judged. */
int report_set_load(struct report *rep, const struct load_span *whole,
		    const struct round_load *r, size_t n);

/* Write the report atomically, with verify.ok = `ok`. 0 or a negative
 * errno. */
int report_write(struct report *rep, const char *path, int ok);

void report_free(struct report *rep);

#endif
