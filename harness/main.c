/*
 * main.c - iovbench, the benchmark and conformance harness: the command
 * table.
 *
 * The harness is layered; each folder uses only the ones below it:
 *
 *   cmd/      one file per command: options, messages, exit codes
 *   report/   the table, the JSON reports, the machine's description
 *   compare/  comparing reports: regressions, platforms, exports
 *   history/  reports kept in SQLite, read back as each row's series
 *   engine/   measuring: configuration, plans of rows, samples in child
 *             processes, system calls, peers, outputs and digests
 *   stats/    clocks, median/MAD, the Mann-Whitney U test, tune's rule,
 *             change points
 *
 * (cmd -> report, compare, engine, history -> stats; report -> engine ->
 * stats; compare -> stats; history -> stats.) Only cmd/ prints messages and
 * chooses exit codes; everything below returns negative errno values.
 * tests/test_layers.sh checks the includes.
 */
#include "cmd/cli.h"
#include "cmd/plot.h"

#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{"list", cmd_list, "workloads (size, pieces) and strategies"},
	{"write", cmd_write, "write one workload with one strategy"},
	{"load", cmd_load, "validate a module file"},
	{"run", cmd_run, "measure every strategy on every workload"},
	{"tune", cmd_tune, "sweep batch limit and coalescing, recommend"},
	{"verify", cmd_verify,
	 "byte equivalence and round trip of every strategy"},
	{"compare", cmd_compare, "regressions between reports; platform table"},
	{"plot", cmd_plot, "draw reports as figures (gnuplot)"},
	{"history", cmd_history, "reports in SQLite; change points per row"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: iovbench COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'iovbench COMMAND --help' describes each. Exit codes: 0 "
		   "ok, 1 a check failed,\n2 usage error, 3 runtime failure "
		   "(I/O, memory), 130 interrupted.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("iovbench %s (libiovw)\n", IOVW_VERSION_STRING);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "iovbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
