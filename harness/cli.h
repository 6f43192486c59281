/*
 * cli.h - what the iovbench commands share: exit codes, option parsing,
 * messages, progress, files.
 */
#ifndef IOVBENCH_CLI_H
#define IOVBENCH_CLI_H

#include "iovw.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	EXIT_OK = 0,
	EXIT_CHECK = 1,	  /* a check failed: mismatch, invalid file */
	EXIT_USAGE = 2,	  /* bad command line */
	EXIT_RUNTIME = 3, /* I/O, memory */
};

/* A usage error: "iovbench CMD: message" and the usage hint on stderr;
 * returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A runtime error: "iovbench: message" on stderr; returns EXIT_RUNTIME. */
int cli_runtime_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Parse a whole number in [lo, hi] (accepts K/M/G suffixes when `units`). */
int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, int units,
		  uint64_t *out);
/* Parse a positive number (a scale factor). */
int cli_parse_scale(const char *s, double *out);

/* The options every workload command takes, with these getopt codes:
 * {"seed", required_argument, NULL, 'e'}, {"scale", ..., 'S'},
 * {"quick", no_argument, NULL, 'q'}; the last case of each command's
 * option switch. Returns 0 if `c` was one of them and is applied, else
 * EXIT_USAGE after saying why (a bad value, or `opt`, the argument that
 * getopt did not know or found without its value). */
int cli_workload_option(const char *cmd, int c, const char *arg,
			const char *opt, uint64_t *seed, double *scale);

/* Split a comma-separated list in place; returns the count (<= max). */
size_t cli_split(char *s, char **items, size_t max);

/* Workload and strategy selections: bit i = wl_defs[i] / strategy i. */
int cli_workloads(const char *cmd, const char *arg, unsigned *mask);
int cli_strategies(const char *cmd, const char *arg, unsigned *mask);

/* Progress on stderr, only when it is a terminal. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);

/* Write a whole string to `path` atomically (through libiovw). */
int cli_write_text(const char *path, const char *text);

/* Create a fresh directory under $TMPDIR or /tmp into buf; 0 or -errno. */
int cli_tempdir(char *buf, size_t n, const char *what);
/* Remove a directory tree (best effort). */
void cli_rmtree(const char *path);

/* The commands. */
int cmd_tune(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
