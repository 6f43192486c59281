/*
 * write.c - iovbench write: one workload, one strategy, one output;
 * prints what the library counted.
 */
#include "cmd/cli.h"
#include "engine/output.h"
#include "engine/session.h"

#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench write -w WORKLOAD -s STRATEGY -o PATH "
		"[--batch N]\n"
		"                      [--coalesce N] [--stage N] [--seed N] "
		"[--scale F | --quick]\n"
		"                      [--fsync]\n"
		"  Writes the workload with the strategy to PATH (a directory "
		"for 'project'),\n"
		"  atomically (a directory is written beside PATH, then put in "
		"its place; on\n"
		"  failure or Ctrl-C what was at PATH stays), and prints "
		"bytes, "
		"pieces, iovecs\n"
		"  and system calls.\n"
		"Exit: 0 ok, 2 usage, 3 runtime failure, 130 interrupted.\n");
}

struct write_args {
	const char *workload, *strategy, *out;
	iovw_options o;
	uint64_t seed;
	double scale;
};

/* One option into wa; 0 or EXIT_USAGE. */
static int write_option(int c, const char *arg, struct write_args *wa)
{
	uint64_t v;

	switch (c) {
	case 'w':
		wa->workload = arg;
		return 0;
	case 's':
		wa->strategy = arg;
		return 0;
	case 'o':
		wa->out = arg;
		return 0;
	case 'b':
		if (cli_parse_u64(arg, 1, iovw_iov_max(), 0, &v))
			return cli_usage_error("write",
					       "--batch needs a number from 1 "
					       "to %zu",
					       iovw_iov_max());
		wa->o.batch_limit = (size_t)v;
		return 0;
	case 'c':
		if (cli_parse_u64(arg, 0, 1 << 20, 1, &v))
			return cli_usage_error("write",
					       "--coalesce needs a number of "
					       "bytes from 0 to 1M");
		wa->o.coalesce_below = (size_t)v;
		return 0;
	case 'g':
		if (cli_parse_u64(arg, 1, 1u << 30, 1, &v))
			return cli_usage_error(
				"write", "--stage needs a number of bytes "
					 "from 1 to 1G");
		wa->o.stage_bytes = (size_t)v;
		return 0;
	case 'f':
		wa->o.flags |= IOVW_F_FDATASYNC;
		return 0;
	default:
		return cli_workload_option("write", c, arg, &wa->seed,
					   &wa->scale);
	}
}

/* What the library counted. */
static void print_stats(const char *out, const struct workload *w,
			const iovw_stats *st)
{
	uint64_t calls = 0;
	unsigned i;

	for (i = 0; i < IOVW_SYS_COUNT; i++)
		calls += st->syscalls[i];
	printf("wrote %s: %zu file%s, %llu bytes, %llu pieces, %llu iovecs, "
	       "%llu batches, %llu bytes copied\n",
	       out, w->nfiles, w->nfiles == 1 ? "" : "s",
	       (unsigned long long)st->bytes_written,
	       (unsigned long long)st->pieces, (unsigned long long)st->iovecs,
	       (unsigned long long)st->batches,
	       (unsigned long long)st->bytes_copied);
	printf("time: build %.3f ms, write %.3f ms (the library's clocks; "
	       "generation excluded)\n",
	       st->build_ns / 1e6, st->write_ns / 1e6);
	printf("syscalls: %llu:", (unsigned long long)calls);
	for (i = 0; i < IOVW_SYS_COUNT; i++)
		if (st->syscalls[i])
			printf(" %s %llu", iovw_syscall_name((iovw_syscall)i),
			       (unsigned long long)st->syscalls[i]);
	printf("\n");
}

/* Write the output all or nothing, Ctrl-C caught meanwhile (a session
 * without a scratch directory). 0 or a negative errno. */
static int write_out(const struct workload *w, const struct write_args *wa,
		     iovw_strategy s, iovw_stats *st, char *failed, size_t n)
{
	struct session ses;
	int rc = session_begin(&ses, NULL, NULL);

	if (rc)
		return rc;
	rc = out_write_atomic(w, wa->out, s, &wa->o, st, failed, n);
	session_end(&ses);
	return rc;
}

int cmd_write(int argc, char **argv)
{
	static const struct option opts[] = {
		{"workload", required_argument, NULL, 'w'},
		{"strategy", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"batch", required_argument, NULL, 'b'},
		{"coalesce", required_argument, NULL, 'c'},
		{"stage", required_argument, NULL, 'g'},
		{"seed", required_argument, NULL, 'e'},
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"fsync", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a = CLI_ARGS("write", opts, "w:s:o:", help, argc, argv);
	struct write_args wa = {.seed = 1, .scale = 1};
	iovw_stats st = {0};
	struct workload *w;
	iovw_strategy s;
	char failed[4096];
	int c, rc;

	while ((c = cli_next(&a)) > 0)
		if ((rc = write_option(c, a.arg, &wa)))
			return rc;
	if (c < 0)
		return a.status;
	if ((rc = cli_operands(&a, 0, 0, NULL)))
		return rc;
	if (!wa.workload || !wa.strategy || !wa.out)
		return cli_usage_error("write", "-w, -s and -o are required");
	if (!wl_find(wa.workload))
		return cli_usage_error("write",
				       "unknown workload '%s' (see 'iovbench "
				       "list')",
				       wa.workload);
	if (iovw_strategy_parse(wa.strategy, &s))
		return cli_usage_error("write",
				       "unknown strategy '%s' (see 'iovbench "
				       "list')",
				       wa.strategy);
	if ((rc = wl_make(wa.workload, wa.seed, wa.scale, &w)))
		return cli_errno("write", rc, wa.workload, "");
	rc = write_out(w, &wa, s, &st, failed, sizeof(failed));
	if (rc)
		rc = cli_errno("write", rc, failed,
			       "the output is as it was before");
	else
		print_stats(wa.out, w, &st);
	wl_free(w);
	return rc ? rc : EXIT_OK;
}
