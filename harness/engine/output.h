/*
 * output.h - a workload's output: where its files go, writing them with
 * one strategy, and their digest.
 */
#ifndef IOVBENCH_ENGINE_OUTPUT_H
#define IOVBENCH_ENGINE_OUTPUT_H

#include "iovw.h"
#include "workload.h"

#include <stddef.h>

/* Path of file i of `w` written to `out` (a file, or a directory for
 * workloads of many files). */
void out_path(const struct workload *w, const char *out, size_t i, char *buf,
	      size_t n);

/* Write every file of `w` to `out` with strategy `s` (creating the
 * directory when the workload has many files). Adds to `st`. 0 or a
 * negative errno; *failed names the file that failed. */
int out_write(const struct workload *w, const char *out, iovw_strategy s,
	      const iovw_options *o, iovw_stats *st, char *failed, size_t n);

/* out_write() with every file through writer context `c` (iovw_ctx),
 * as a compiler writing its cache would; c NULL: the one-shot calls. */
int out_write_ctx(const struct workload *w, const char *out, iovw_ctx *c,
		  iovw_strategy s, const iovw_options *o, iovw_stats *st,
		  char *failed, size_t n);

/* Like out_write(), but all or nothing for a workload of many files: they
 * are written into a new directory beside `out`, "<out>.iovbench-XXXXXX",
 * which then takes out's place (renameat2 RENAME_EXCHANGE when `out`
 * exists, the old one then removed; a plain rename when it does not).
 * On any failure, or when the session is interrupted (session.h) before
 * the exchange, the new directory is removed and `out` is as it was. A
 * workload of one file is written as iovw_write_file writes it, which is
 * atomic already. */
int out_write_atomic(const struct workload *w, const char *out, iovw_strategy s,
		     const iovw_options *o, iovw_stats *st, char *failed,
		     size_t n);

/* Remove the files of `w` under `out` (a directory stays). 0 or a
 * negative errno. */
int out_remove(const struct workload *w, const char *out);

/* The digest (digest.h) of a workload's output into hex (DIGEST_HEX
 * bytes). 0 or a negative errno;
 * *failed names the file that could not be read. */
int out_digest(const struct workload *w, const char *out, char *hex,
	       char *failed, size_t n);

#endif
