/*
 * cmd_write.c - iovbench write: one workload, one strategy, one output;
 * prints what the library counted.
 */
#include "cli.h"
#include "output.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench write -w WORKLOAD -s STRATEGY -o PATH "
		"[--batch N]\n"
		"                      [--coalesce N] [--seed N] [--scale F | "
		"--quick] [--fsync]\n"
		"  Writes the workload with the strategy to PATH (a directory "
		"for 'project'),\n"
		"  atomically, and prints bytes, pieces, iovecs and system "
		"calls.\n");
}

int cmd_write(int argc, char **argv)
{
	static const struct option opts[] = {
		{"workload", required_argument, NULL, 'w'},
		{"strategy", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"batch", required_argument, NULL, 'b'},
		{"coalesce", required_argument, NULL, 'c'},
		{"seed", required_argument, NULL, 'e'},
		{"scale", required_argument, NULL, 'S'},
		{"quick", no_argument, NULL, 'q'},
		{"fsync", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *wname = NULL, *sname = NULL, *out = NULL;
	iovw_options o = {0};
	iovw_stats st = {0};
	struct workload *w;
	iovw_strategy s;
	uint64_t seed = 1, v, calls = 0;
	double scale = 1;
	char failed[4096];
	unsigned i;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			wname = optarg;
			break;
		case 's':
			sname = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'b':
			if (cli_parse_u64(optarg, 1, iovw_iov_max(), 0, &v))
				return cli_usage_error("write",
						       "--batch needs a number "
						       "from 1 to %zu",
						       iovw_iov_max());
			o.batch_limit = (size_t)v;
			break;
		case 'c':
			if (cli_parse_u64(optarg, 0, 1 << 20, 1, &v))
				return cli_usage_error("write",
						       "--coalesce needs a "
						       "number of bytes from 0 "
						       "to 1M");
			o.coalesce_below = (size_t)v;
			break;
		case 'f':
			o.flags |= IOVW_F_FDATASYNC;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			rc = cli_workload_option("write", c, optarg,
						 argv[optind - 1], &seed,
						 &scale);
			if (rc)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return cli_usage_error("write", "unexpected argument '%s'",
				       argv[optind]);
	if (!wname || !sname || !out)
		return cli_usage_error("write", "-w, -s and -o are required");
	if (!wl_find(wname))
		return cli_usage_error("write",
				       "unknown workload '%s' (see 'iovbench "
				       "list')",
				       wname);
	if (iovw_strategy_parse(sname, &s))
		return cli_usage_error("write",
				       "unknown strategy '%s' (see 'iovbench "
				       "list')",
				       sname);
	rc = wl_make(wname, seed, scale, &w);
	if (rc)
		return cli_runtime_error("%s: %s", wname, iovw_strerror(rc));
	rc = out_write(w, out, s, &o, &st, failed, sizeof(failed));
	if (rc) {
		wl_free(w);
		return cli_runtime_error("%s: %s", failed, iovw_strerror(rc));
	}
	for (i = 0; i < IOVW_SYS_COUNT; i++)
		calls += st.syscalls[i];
	printf("wrote %s: %zu file%s, %llu bytes, %llu pieces, %llu iovecs, "
	       "%llu batches, %llu bytes copied\n",
	       out, w->nfiles, w->nfiles == 1 ? "" : "s",
	       (unsigned long long)st.bytes_written,
	       (unsigned long long)st.pieces, (unsigned long long)st.iovecs,
	       (unsigned long long)st.batches,
	       (unsigned long long)st.bytes_copied);
	printf("time: build %.3f ms, write %.3f ms (the library's clocks; "
	       "generation excluded)\n",
	       st.build_ns / 1e6, st.write_ns / 1e6);
	printf("syscalls: %llu:", (unsigned long long)calls);
	for (i = 0; i < IOVW_SYS_COUNT; i++)
		if (st.syscalls[i])
			printf(" %s %llu", iovw_syscall_name((iovw_syscall)i),
			       (unsigned long long)st.syscalls[i]);
	printf("\n");
	wl_free(w);
	return EXIT_OK;
}
