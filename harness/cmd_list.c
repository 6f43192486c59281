/*
 * cmd_list.c - iovbench list: workloads with their size and piece count at
 * the chosen scale (measured: each is generated and run in measure mode),
 * and the strategies.
 */
#include "cli.h"
#include "output.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"seed", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const strat_desc[IOVW_STRATEGY_COUNT] = {
		"plan, then batched pwritev",
		"measure, malloc one buffer, copy, one pwrite",
		"measure, ftruncate, mmap, copy into the mapping",
		"plan, then one pwrite per iovec (naive baseline)",
	};
	double scale = 1;
	uint64_t seed = 1;
	size_t i;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			rc = cli_workload_option("list", c, optarg,
						 argv[optind - 1], &seed,
						 &scale);
			if (rc)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument '%s'",
				       argv[optind]);
	printf("workloads (scale %g, seed %llu):\n", scale,
	       (unsigned long long)seed);
	printf("  %-13s %6s %14s %10s  %s\n", "name", "files", "bytes",
	       "pieces", "what");
	for (i = 0; i < wl_count; i++) {
		struct workload *w;
		uint64_t bytes, pieces;

		cli_progress("generating %s", wl_defs[i].name);
		rc = wl_make(wl_defs[i].name, seed, scale, &w);
		if (!rc)
			rc = measure(w, &bytes, &pieces);
		cli_progress_done();
		if (rc) {
			wl_free(w);
			return cli_runtime_error("%s: %s", wl_defs[i].name,
						 iovw_strerror(rc));
		}
		printf("  %-13s %6zu %14llu %10llu  %s\n", wl_defs[i].name,
		       w->nfiles, (unsigned long long)bytes,
		       (unsigned long long)pieces, wl_defs[i].desc);
		wl_free(w);
	}
	printf("strategies:\n");
	for (i = 0; i < IOVW_STRATEGY_COUNT; i++)
		printf("  %-13s %s\n", iovw_strategy_name((iovw_strategy)i),
		       strat_desc[i]);
	return EXIT_OK;
}
