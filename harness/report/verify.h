/*
 * verify.h - `verify`'s output: a line a setting, and its JSON report
 * (schema "iovbench-verify/1").
 */
#ifndef IOVBENCH_REPORT_VERIFY_H
#define IOVBENCH_REPORT_VERIFY_H

#include "engine/verify.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void verify_print_header(FILE *f);
/* The row's line, and its first failure under it. */
void verify_print_row(FILE *f, const struct verify_row *r);

/* Write the report atomically to `path`. 0 or a negative errno. */
int verify_write_json(const char *path, const struct verify_row *rows, size_t n,
		      uint64_t seed, double scale, int ok);

#endif
