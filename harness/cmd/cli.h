/*
 * cli.h - what the iovbench commands share: exit codes, messages, option
 * parsing, progress.
 *
 * Only the commands (this folder) print messages and choose exit codes;
 * everything they call returns negative errno values.
 */
#ifndef IOVBENCH_CMD_CLI_H
#define IOVBENCH_CMD_CLI_H

#include "iovw.h"

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	EXIT_OK = 0,
	EXIT_CHECK = 1,	       /* a check failed: mismatch, invalid file */
	EXIT_USAGE = 2,	       /* bad command line or input */
	EXIT_RUNTIME = 3,      /* I/O, memory */
	EXIT_INTERRUPTED = 130 /* Ctrl-C (SIGINT, SIGTERM, SIGHUP) */
};

/* A usage error: "iovbench CMD: message" and the usage hint on stderr;
 * returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A runtime error: "iovbench CMD: message" on stderr; returns
 * EXIT_RUNTIME. */
int cli_runtime_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The exit code and message for a negative errno: -ENOMEM and I/O errors
 * are runtime failures ("iovbench CMD: WHAT: text"), -EINTR an interrupt
 * ("iovbench CMD: interrupted; SAID"). */
int cli_errno(const char *cmd, int err, const char *what, const char *said);

/* ---- options ------------------------------------------------------------ */

/* A command's options, read one at a time by cli_next():
 *
 *	struct cli_args a = CLI_ARGS("run", longopts, "w:s:", help, argc,
 *				     argv);
 *	while ((c = cli_next(&a)) > 0)
 *		switch (c) { ... a.arg is the value ... }
 *	if (c < 0)
 *		return a.status;	(after --help, or a bad option)
 *
 * -h and --help print the help and stop with EXIT_OK; an unknown option
 * or a missing value is said, naming the option, and stops with
 * EXIT_USAGE. The long options must include {"help", no_argument, NULL,
 * 'h'}. Operands (arguments that are not options) stay for
 * cli_operands(). */
struct cli_args {
	const char *cmd;
	const struct option *longopts;
	const char *shortopts; /* getopt's, without 'h' and the leading ':' */
	void (*help)(FILE *f);
	int argc;
	char **argv;
	const char *arg; /* the value of the option just read */
	int status;	 /* the exit code when cli_next() returned -1 */
	int started;
};

#define CLI_ARGS(cmd_, longopts_, shortopts_, help_, argc_, argv_)           \
	{                                                                    \
		.cmd = (cmd_), .longopts = (longopts_),                      \
		.shortopts = (shortopts_), .help = (help_), .argc = (argc_), \
		.argv = (argv_)                                              \
	}

/* The next option's code, 0 after the last, or -1 to stop (a.status). */
int cli_next(struct cli_args *a);

/* The operands left after the options: their count must be in [min, max]
 * (a usage error otherwise, naming the first one too many). Sets *first
 * to the index of the first. 0 or EXIT_USAGE. */
int cli_operands(struct cli_args *a, int min, int max, int *first);

/* Parse a whole number in [lo, hi] (accepts K/M/G suffixes when `units`);
 * digits only, no sign or blank. 0 or -EINVAL. */
int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, int units,
		  uint64_t *out);
/* Parse a positive number up to 1000 (a scale factor). 0 or -EINVAL. */
int cli_parse_scale(const char *s, double *out);

/* The options every workload command takes, with these codes:
 * {"seed", required_argument, NULL, 'e'}, {"scale", ..., 'S'},
 * {"quick", no_argument, NULL, 'q'}. Returns 0 when `c` was applied,
 * EXIT_USAGE after saying why its value is bad (or that `c` is none of
 * them). */
int cli_workload_option(const char *cmd, int c, const char *arg, uint64_t *seed,
			double *scale);

/* Split a comma-separated list in place; returns the count (<= max). */
size_t cli_split(char *s, char **items, size_t max);

/* Workload and strategy selections: bit i = wl_defs[i] / strategy i.
 * 0, or EXIT_USAGE / EXIT_RUNTIME after saying why. */
int cli_workloads(const char *cmd, const char *arg, unsigned *mask);
int cli_strategies(const char *cmd, const char *arg, unsigned *mask);

/* Progress on stderr, only when it is a terminal. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);

/* The commands. */
int cmd_run(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_history(int argc, char **argv);

#endif
