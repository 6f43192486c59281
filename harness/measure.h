/*
 * measure.h - measuring rows of a workload: what `iovbench run` and
 * `iovbench tune` share.
 *
 * A command fills a struct measure_cfg from its options (measure_option()
 * handles the ones they have in common), opens a session (a scratch
 * directory for the outputs, Ctrl-C caught), and for each workload
 * generates it (measure_workload()), measures its rows (measure_rows():
 * samples in fresh children, system calls, digests) and clears the
 * scratch directory. measure_end() removes it and turns an interrupt into
 * exit 130; measure_save() writes the report.
 */
#ifndef IOVBENCH_MEASURE_H
#define IOVBENCH_MEASURE_H

#include "report.h"
#include "workload.h"

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Most values a --batch or --coalesce list takes. */
#define MEASURE_MAX_LIST 16

struct measure_cfg {
	unsigned wmask, smask; /* bit i: wl_defs[i] / strategy i */
	uint64_t reps, warmup, seed;
	size_t batch[MEASURE_MAX_LIST], nbatch; /* 0: the default, IOV_MAX */
	size_t coalesce[MEASURE_MAX_LIST], ncoalesce;
	int fsync, syscalls, peers;
	double scale;
	const char *dir_arg, *json;
};

/* Apply one option of a command's getopt table with these codes:
 * 'w' workloads, 's' strategies, 'r' --reps, 'u' --warmup, 'b' --batch,
 * 'c' --coalesce, 'd' --dir, 'f' --fsync, 'n' --no-syscalls, 'p' --peers,
 * 'j' --json, and cli_workload_option()'s (seed, scale, quick; anything
 * else is reported as unknown). `opt` is the argument getopt stopped at.
 * Returns 0, or EXIT_USAGE / EXIT_RUNTIME after saying why. */
int measure_option(const char *cmd, int c, const char *arg, const char *opt,
		   struct measure_cfg *cfg);

/* The resolved settings into a report's "config" object. */
void measure_config_json(json_t *c, const struct measure_cfg *cfg);

struct measure_session {
	const char *cmd;
	char base[4096]; /* the scratch directory */
	struct sigaction old_int, old_term;
};

/* Create the scratch directory (under --dir, else $TMPDIR or /tmp), fix
 * malloc's mmap threshold, catch SIGINT and SIGTERM. 0, or EXIT_RUNTIME
 * after saying why. */
int measure_begin(struct measure_session *s, const char *cmd,
		  const struct measure_cfg *cfg);

/* Generate workload wl_defs[i] (before anything is timed). 0, or
 * EXIT_RUNTIME after saying why; the caller frees *w with wl_free(). */
int measure_workload(size_t i, const struct measure_cfg *cfg,
		     struct workload **w);

/* Measure rows[first..n) of workload `w`: for each, `--warmup` and `--reps`
 * samples, the system calls (cfg->syscalls), the output's digest; peer
 * rows run fio with the byte count of rows[1] (pwrite-limit). *idx counts
 * rows for the progress line "[idx/total]". Returns 0, -EINTR on Ctrl-C,
 * or EXIT_RUNTIME after saying which row failed. */
int measure_rows(const struct measure_cfg *cfg, const struct workload *w,
		 const struct measure_session *s, struct rrow *rows,
		 size_t first, size_t n, size_t *idx, size_t total);

/* Like measure_rows() for rows[0..n) (no peer rows), but interleaved:
 * round after round, one sample of every row in a new random order (from
 * --seed), so that a slow spell of the machine falls on every row alike
 * and not on one. A row's files are removed after each of its samples;
 * after its last, its system calls are counted and its digest taken
 * first. *idx counts the rows whose measurement is complete. */
int measure_rows_interleaved(const struct measure_cfg *cfg,
			     const struct workload *w,
			     const struct measure_session *s, struct rrow *rows,
			     size_t n, size_t *idx, size_t total);

/* Empty the scratch directory between workloads. */
void measure_clear(const struct measure_session *s);

/* Remove the scratch directory and restore the signal handlers. Returns
 * 130 after saying so when the session was interrupted, else rc. */
int measure_end(struct measure_session *s, int rc);

/* Write the report atomically to `path` and say so on stdout. 0, or
 * EXIT_RUNTIME after saying why. */
int measure_save(struct report *rep, const char *path, int ok);

#endif
