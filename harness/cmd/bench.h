/*
 * bench.h - what the measuring commands (run, tune) share on the command
 * line: their options, and the steps around measuring with their
 * messages.
 */
#ifndef IOVBENCH_CMD_BENCH_H
#define IOVBENCH_CMD_BENCH_H

#include "engine/config.h"
#include "engine/measure.h"
#include "engine/plan.h"
#include "engine/session.h"
#include "report/report.h"

/* The long options both take (their codes for bench_option()), to be
 * copied into a command's table before its own. */
#define BENCH_LONGOPTS                                      \
	{"workloads", required_argument, NULL, 'w'},        \
		{"reps", required_argument, NULL, 'r'},     \
		{"warmup", required_argument, NULL, 'u'},   \
		{"batch", required_argument, NULL, 'b'},    \
		{"coalesce", required_argument, NULL, 'c'}, \
		{"stage", required_argument, NULL, 'g'},    \
		{"dir", required_argument, NULL, 'd'},      \
		{"syscalls", required_argument, NULL, 'y'}, \
		{"no-syscalls", no_argument, NULL, 'n'},    \
		{"json", required_argument, NULL, 'j'},     \
		{"seed", required_argument, NULL, 'e'},     \
		{"scale", required_argument, NULL, 'S'},    \
		{"quick", no_argument, NULL, 'q'},          \
	{                                                   \
		"help", no_argument, NULL, 'h'              \
	}

/* Apply option `c` (of BENCH_LONGOPTS) with value `arg` to cfg (and
 * *json). 0, or EXIT_USAGE / EXIT_RUNTIME after saying why. */
int bench_option(const char *cmd, int c, const char *arg, struct bench_cfg *cfg,
		 const char **json);

/* The help lines of the shared options. */
void bench_help(FILE *f);

/* What a measuring command holds while it runs. */
struct bench {
	const char *cmd;
	const struct bench_cfg *cfg;
	struct session ses;
	struct measure m;
	struct report rep;
	struct load_mark load0; /* when measuring began */
};

/* Open the session (scratch directory, Ctrl-C caught), set up measuring,
 * start the report. 0 or an exit code after saying why. */
int bench_begin(struct bench *b, const char *cmd, const struct bench_cfg *cfg,
		int argc, char **argv);

/* Generate workload wl_defs[i] (progress, error message). 0 or an exit
 * code. */
int bench_workload(struct bench *b, size_t i, struct workload **w);

/* Measure rows[0..n) of w (measure_rows()); an error is said with the
 * row that failed. 0 or an exit code (EXIT_INTERRUPTED after Ctrl-C). */
int bench_measure(struct bench *b, const struct workload *w, struct row *rows,
		  size_t n);

/* After a workload: when it was measured and printed (ok not NULL),
 * clear *ok if its outputs differ and add its rows to the report; then
 * free the rows and the workload and empty the scratch directory. */
void bench_done(struct bench *b, struct workload *w, struct row_set *rows,
		int *ok);

/* End the session; when `rc` is 0 and the session was not interrupted,
 * write the report to `json` (if given) with verify.ok = `ok` and say
 * where. Frees everything. Returns rc, or the exit code of an interrupt
 * or of the report's writing. */
int bench_end(struct bench *b, int rc, const char *json, int ok);

#endif
