/*
 * list.c - iovbench list: workloads with their size and piece count at
 * the chosen scale (measured: each is generated and run in measure mode),
 * and the strategies.
 */
#include "cmd/cli.h"
#include "workload.h"

#include <stdlib.h>

static void help(FILE *f)
{
	fprintf(f, "usage: iovbench list [--scale F | --quick] [--seed N]\n"
		   "  Lists the workloads (files, bytes and pieces at that "
		   "scale) and strategies.\n");
}

/* Bytes and pieces of every file, through measure mode. */
static int measure(const struct workload *w, uint64_t *bytes, uint64_t *pieces)
{
	iovw_writer *m;
	size_t i;
	int rc = iovw_writer_new(&m, IOVW_MODE_MEASURE, NULL);

	*bytes = *pieces = 0;
	for (i = 0; i < w->nfiles && !rc; i++) {
		iovw_writer_reset(m);
		rc = w->files[i].ops->serialize(m, w->files[i].obj);
		*bytes += iovw_size(m);
		*pieces += iovw_pieces(m);
	}
	iovw_writer_free(m);
	return rc;
}

/* What each strategy does, by iovw_strategy. */
static const char *strategy_what(iovw_strategy s)
{
	switch (s) {
	case IOVW_PWRITEV:
		return "plan, then batched pwritev";
	case IOVW_BUFFER:
		return "measure, malloc one buffer, copy, one pwrite";
	case IOVW_MMAP:
		return "measure, fallocate, mmap, copy into the mapping";
	case IOVW_WRITE_EACH:
		return "plan, then one pwrite per iovec (naive baseline)";
	case IOVW_STREAM:
		return "one pass: a bounded window and a reused staging "
		       "buffer, pwritev when full";
	case IOVW_URING:
		return "stream, its windows as io_uring writev requests while "
		       "the next fills (run: -s or --full)";
	case IOVW_PIPELINE:
		return "stream, its windows written by a thread while the "
		       "next fills (run: -s or --full)";
	default:
		return "";
	}
}

/* Generate each workload and print its line. 0 or an exit code. */
static int list_workloads(uint64_t seed, double scale)
{
	size_t i;
	int rc;

	printf("workloads (scale %g, seed %llu):\n", scale,
	       (unsigned long long)seed);
	printf("  %-13s %6s %14s %10s  %s\n", "name", "files", "bytes",
	       "pieces", "what");
	for (i = 0; i < wl_count; i++) {
		struct workload *w;
		uint64_t bytes, pieces;
		size_t files = 0;

		cli_progress("generating %s", wl_defs[i].name);
		rc = wl_make(wl_defs[i].name, seed, scale, &w);
		if (!rc) {
			files = w->nfiles;
			rc = measure(w, &bytes, &pieces);
			wl_free(w);
		}
		cli_progress_done();
		if (rc)
			return cli_runtime_error("list", "%s: %s",
						 wl_defs[i].name,
						 iovw_strerror(rc));
		printf("  %-13s %6zu %14llu %10llu  %s\n", wl_defs[i].name,
		       files, (unsigned long long)bytes,
		       (unsigned long long)pieces, wl_defs[i].desc);
		fflush(stdout);
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"seed", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a = CLI_ARGS("list", opts, "", help, argc, argv);
	double scale = 1;
	uint64_t seed = 1;
	unsigned s;
	int c, rc;

	while ((c = cli_next(&a)) > 0)
		if ((rc = cli_workload_option("list", c, a.arg, &seed, &scale)))
			return rc;
	if (c < 0)
		return a.status;
	if ((rc = cli_operands(&a, 0, 0, NULL)) ||
	    (rc = list_workloads(seed, scale)))
		return rc;
	printf("strategies:\n");
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++)
		printf("  %-13s %s\n", iovw_strategy_name((iovw_strategy)s),
		       strategy_what((iovw_strategy)s));
	return EXIT_OK;
}
