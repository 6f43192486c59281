/*
 * bench.c - options and steps of the measuring commands (see bench.h).
 */
#include "cmd/bench.h"

#include "cmd/cli.h"
#include "engine/rowstats.h"
#include "workload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parse a comma-separated list of 1 to CFG_MAX_LIST numbers in [lo, hi]
 * (with K/M/G suffixes when `units`) into out[0..*n). */
static int parse_list(const char *cmd, const char *flag, const char *arg,
		      uint64_t lo, uint64_t hi, int units, size_t *out,
		      size_t *n)
{
	char *copy = strdup(arg), *items[CFG_MAX_LIST + 1];
	size_t i, k;
	int rc = 0;

	if (!copy)
		return cli_runtime_error(cmd, "out of memory");
	k = cli_split(copy, items, CFG_MAX_LIST + 1);
	if (k == 0 || k > CFG_MAX_LIST)
		rc = cli_usage_error(cmd,
				     "%s needs 1 to %d comma-separated "
				     "values",
				     flag, CFG_MAX_LIST);
	for (i = 0; i < k && !rc; i++) {
		uint64_t v;
		if (cli_parse_u64(items[i], lo, hi, units, &v))
			rc = cli_usage_error(
				cmd,
				"%s: '%s' is not a number from %llu to %llu",
				flag, items[i], (unsigned long long)lo,
				(unsigned long long)hi);
		else
			out[i] = (size_t)v;
	}
	if (!rc)
		*n = k;
	free(copy);
	return rc;
}

static int parse_uint(const char *cmd, const char *flag, const char *arg,
		      uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (cli_parse_u64(arg, lo, hi, 0, out))
		return cli_usage_error(
			cmd, "%s needs a number from %llu to %llu", flag,
			(unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

int bench_option(const char *cmd, int c, const char *arg, struct bench_cfg *cfg,
		 const char **json)
{
	switch (c) {
	case 'w':
		return cli_workloads(cmd, arg, &cfg->wmask);
	case 'r':
		return parse_uint(cmd, "--reps", arg, 1, 10000, &cfg->reps);
	case 'u':
		return parse_uint(cmd, "--warmup", arg, 0, 1000, &cfg->warmup);
	case 'b':
		return parse_list(cmd, "--batch", arg, 1, iovw_iov_max(), 0,
				  cfg->batch, &cfg->nbatch);
	case 'c':
		return parse_list(cmd, "--coalesce", arg, 0, 1 << 20, 1,
				  cfg->coalesce, &cfg->ncoalesce);
	case 'g':
		return parse_list(cmd, "--stage", arg, 1, 1u << 30, 1,
				  cfg->stage, &cfg->nstage);
	case 'd':
		cfg->dir = arg;
		return 0;
	case 'y':
		if (sc_method_parse(arg, &cfg->syscalls))
			return cli_usage_error(cmd,
					       "--syscalls wants auto, "
					       "tracepoints, ptrace or off, "
					       "not '%s'",
					       arg);
		return 0;
	case 'n':
		cfg->syscalls = SC_OFF;
		return 0;
	case 'j':
		*json = arg;
		return 0;
	default:
		return cli_workload_option(cmd, c, arg, &cfg->seed,
					   &cfg->scale);
	}
}

void bench_help(FILE *f)
{
	fprintf(f,
		"  --reps N          recorded rounds: samples a row (default "
		"5; run: at most)\n"
		"  --warmup N        unrecorded rounds first (default 1)\n"
		"  --dir DIR         where files are written (default: a new "
		"directory under\n"
		"                    $TMPDIR or /tmp, removed afterwards)\n"
		"  --syscalls M      how system calls are counted, in one more "
		"untimed run a\n"
		"                    row: auto (default: kernel tracepoints, "
		"else ptrace),\n"
		"                    tracepoints, ptrace, or off\n"
		"  --no-syscalls     the same as --syscalls off\n"
		"  --seed N          the workloads' seed (default 1)\n"
		"  --scale F         multiply every workload's size by F "
		"(default 1)\n"
		"  --quick           scale 0.02: seconds, for CI\n"
		"  --json FILE       write the report (schema "
		"results/schema.json), atomically\n");
}

/* Progress of measuring, on a terminal. */
static void on_progress(void *ctx, const struct measure_progress *p)
{
	(void)ctx;
	if (p->step == MEASURE_SYSCALLS)
		cli_progress("[%zu/%zu] %s %s: counting system calls", p->done,
			     p->total, p->row->workload, p->row->label);
	else
		cli_progress("[%zu/%zu] %s: %s %llu/%llu: %s", p->done,
			     p->total, p->row->workload,
			     p->row->kind == ROW_PEER ? "sample" : "round",
			     (unsigned long long)p->round,
			     (unsigned long long)p->rounds, p->row->label);
}

int bench_begin(struct bench *b, const char *cmd, const struct bench_cfg *cfg,
		int argc, char **argv)
{
	int rc;

	memset(b, 0, sizeof(*b));
	b->cmd = cmd;
	b->cfg = cfg;
	if ((rc = session_begin(&b->ses, cfg->dir, cmd)))
		return cfg->dir ? cli_runtime_error(cmd, "--dir %s: %s",
						    cfg->dir, iovw_strerror(rc))
				: cli_runtime_error(cmd,
						    "temporary directory: %s",
						    iovw_strerror(rc));
	if (report_init(&b->rep, b->ses.dir, argc, argv, cfg)) {
		session_end(&b->ses);
		return cli_runtime_error(cmd, "out of memory");
	}
	measure_init(cfg);
	load_mark(&b->load0);
	b->m.cfg = cfg;
	b->m.dir = b->ses.dir;
	b->m.progress = on_progress;
	return 0;
}

int bench_workload(struct bench *b, size_t i, struct workload **w)
{
	int rc;

	cli_progress("generating %s", wl_defs[i].name);
	rc = measure_workload(wl_defs[i].name, b->cfg, w);
	return rc ? cli_errno(b->cmd, rc, wl_defs[i].name, "no report written")
		  : 0;
}

int bench_measure(struct bench *b, const struct workload *w, struct row *rows,
		  size_t n)
{
	char what[160];
	int rc = measure_rows(&b->m, w, rows, n);

	if (!rc)
		return 0;
	if (b->m.failed)
		snprintf(what, sizeof(what), "%s %s", w->name,
			 b->m.failed->spec.label);
	else
		snprintf(what, sizeof(what), "%s", w->name);
	return cli_errno(b->cmd, rc, what, "no report written");
}

void bench_done(struct bench *b, struct workload *w, struct row_set *rows,
		int *ok)
{
	if (ok) {
		if (!rows_equivalent(rows->v, rows->n))
			*ok = 0;
		report_add_rows(&b->rep, rows->v, rows->n);
	}
	rows_clear(rows);
	wl_free(w);
	session_clear(&b->ses);
}

/* The load into the report; a warning when the machine was busy. */
static void bench_load(struct bench *b)
{
	struct load_span whole;
	struct load_mark end;

	load_mark(&end);
	load_span(&b->load0, &end, &whole);
	if (!report_set_load(&b->rep, &whole, b->m.loads, b->m.nloads))
		return;
	fprintf(stderr,
		"iovbench %s: warning: the machine was busy while measuring "
		"(other processes used %.2f cores on average, %.1f%% of CPU "
		"time stolen, load average %.2f): timings and ratios are "
		"unreliable; run again on an idle machine\n",
		b->cmd, whole.others_cores, whole.steal * 100, whole.load1);
}

int bench_end(struct bench *b, int rc, const char *json, int ok)
{
	int wrc;

	cli_progress_done();
	session_end(&b->ses);
	if (!rc)
		bench_load(b);
	measure_free(&b->m);
	if (!rc && session_interrupted())
		rc = cli_errno(b->cmd, -EINTR, NULL, "no report written");
	if (!rc && json) {
		if ((wrc = report_write(&b->rep, json, ok)))
			rc = cli_runtime_error(b->cmd, "%s: %s", json,
					       iovw_strerror(wrc));
		else
			printf("report: %s\n", json);
	}
	report_free(&b->rep);
	return rc;
}
