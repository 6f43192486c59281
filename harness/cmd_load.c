/*
 * cmd_load.c - iovbench load: validate module files and rebuild them.
 */
#include "cli.h"
#include "kinds.h"
#include "loader.h"
#include "timefn.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f, "usage: iovbench load [--mmap] [--repeat N] FILE...\n"
		   "  Validates each file (header, layout, checksum, every "
		   "array, what the arrays\n"
		   "  mean) and rebuilds its structures. Prints one line a "
		   "file; exit 1 if any\n"
		   "  is invalid or unreadable. --repeat N times the "
		   "validation (header, arrays,\n"
		   "  checksum, what the arrays mean; no copies) N times and "
		   "prints the median.\n");
}

/* Validate the loaded bytes `n` times; print the median. */
static void time_validation(const struct iovm_file *f, unsigned n)
{
	uint64_t *ns = calloc(n, sizeof(*ns));
	char err[IOVM_ERRLEN];
	struct tf_summary s;
	unsigned i;

	if (!ns)
		return;
	for (i = 0; i < n; i++) {
		struct iovm_file g;
		uint64_t t0 = tf_now_ns();
		int rc = iovm_open_mem(f->base, (size_t)f->size, &g, err,
				       sizeof(err));
		if (!rc)
			rc = iovm_rebuild(&g, NULL, err, sizeof(err));
		ns[i] = tf_now_ns() - t0;
		if (rc)
			break;
	}
	if (!i) {
		free(ns);
		return;
	}
	s = tf_summarize(ns, i);
	printf("  validated %u times: median %.3f ms (min %.3f, max %.3f), "
	       "%.2f GiB/s\n",
	       i, s.median / 1e6, s.min / 1e6, s.max / 1e6,
	       (double)f->size / (1u << 30) / (s.median / 1e9));
	free(ns);
}

/* 0 valid, 1 not. */
static int load_one(const char *path, enum iovm_path how, unsigned repeat)
{
	char err[IOVM_ERRLEN] = "", desc[256];
	struct iovm_file f;
	void *obj = NULL;
	int rc = iovm_open_path(path, how, &f, err, sizeof(err));

	if (rc) {
		printf("%s: %s: %s\n", path, rc < 0 ? "cannot read" : "invalid",
		       err);
		return 1;
	}
	rc = iovm_rebuild(&f, &obj, err, sizeof(err));
	if (rc) {
		printf("%s: invalid: %s\n", path,
		       rc < 0 ? iovw_strerror(rc) : err);
		iovm_close(&f);
		return 1;
	}
	kind_ops_of(f.h->kind)->describe(obj, desc, sizeof(desc));
	printf("%s: ok, %s v%u, %llu bytes; %s\n", path, f.l->name,
	       f.h->version, (unsigned long long)f.size, desc);
	if (repeat)
		time_validation(&f, repeat);
	kind_ops_of(f.h->kind)->free(obj);
	iovm_close(&f);
	return 0;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mmap", no_argument, NULL, 'm'},
		{"repeat", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum iovm_path how = IOVM_READ;
	uint64_t repeat = 0;
	int c, bad = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			how = IOVM_MMAP;
			break;
		case 'r':
			if (cli_parse_u64(optarg, 1, 100000, 0, &repeat))
				return cli_usage_error(
					"load", "--repeat needs a number "
						"from 1 to 100000");
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("load", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind == argc)
		return cli_usage_error("load", "no file given");
	for (; optind < argc; optind++)
		bad |= load_one(argv[optind], how, (unsigned)repeat);
	return bad ? EXIT_CHECK : EXIT_OK;
}
