/*
 * rowstats.h - the statistics of measured rows, computed once.
 */
#ifndef IOVBENCH_ENGINE_ROWSTATS_H
#define IOVBENCH_ENGINE_ROWSTATS_H

#include "engine/row.h"

#include <stddef.h>

/* Fill the stats of rows[0..n), the rows of one workload: summaries of the
 * total, build and write times, medians of the other measurements, bytes
 * and throughput, ratios to the workload's gather-limit and pwrite-limit
 * rows of the same memory (fresh or warm; fio: warm where the run has it,
 * as it reuses one buffer), the fastest
 * strategy row of each memory, and whether each digest equals the first
 * one. 0 or -ENOMEM. */
int rows_summarize(struct row *rows, size_t n);

/* Do all the rows' digests agree? */
int rows_equivalent(const struct row *rows, size_t n);

#endif
