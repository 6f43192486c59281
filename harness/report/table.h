/*
 * table.h - `run`'s table of a workload's rows, for a terminal.
 */
#ifndef IOVBENCH_REPORT_TABLE_H
#define IOVBENCH_REPORT_TABLE_H

#include "engine/row.h"

#include <stddef.h>
#include <stdio.h>

/* The rows of one workload (measured and summarized), a line each. */
void table_print(FILE *f, const struct row *rows, size_t n);

#endif
