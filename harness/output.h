/*
 * output.h - write a workload's files with one strategy.
 */
#ifndef IOVBENCH_OUTPUT_H
#define IOVBENCH_OUTPUT_H

#include "iovw.h"
#include "workload.h"

#include <stddef.h>

/* The scale --quick means. */
#define QUICK_SCALE 0.02

/* Path of file i of `w` written to `out` (a file, or a directory for
 * workloads of many files). */
void out_path(const struct workload *w, const char *out, size_t i, char *buf,
	      size_t n);

/* Write every file of `w` to `out` with strategy `s` (creating the
 * directory when the workload has many files). Adds to `st`. 0 or a
 * negative errno; *failed names the file that failed. */
int out_write(const struct workload *w, const char *out, iovw_strategy s,
	      const iovw_options *o, iovw_stats *st, char *failed, size_t n);

#endif
