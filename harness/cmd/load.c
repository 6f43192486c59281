/*
 * load.c - iovbench load: validate module files and rebuild them.
 */
#include "cmd/cli.h"
#include "kinds.h"
#include "loader.h"
#include "stats/clock.h"
#include "stats/summary.h"

#include <errno.h>
#include <stdlib.h>

static void help(FILE *f)
{
	fprintf(f,
		"usage: iovbench load [--mmap] [--repeat N] FILE...\n"
		"  Validates each file (header, layout, checksum, every "
		"array, what the arrays\n"
		"  mean) and rebuilds its structures. Prints one line a "
		"file. --repeat N times\n"
		"  the validation (header, arrays, checksum, what the arrays "
		"mean; no copies)\n"
		"  N times and prints the median.\n"
		"Exit: 0 every file valid, 1 a file invalid or unreadable, "
		"2 usage, 3 out of\n"
		"memory.\n");
}

/* Validate the loaded bytes `n` times; print the median. */
static void time_validation(const struct iovm_file *f, unsigned n)
{
	uint64_t *ns = calloc(n, sizeof(*ns));
	char err[IOVM_ERRLEN];
	struct summary s;
	unsigned i;

	if (!ns)
		return;
	for (i = 0; i < n; i++) {
		struct iovm_file g;
		uint64_t t0 = clock_now_ns();
		int rc = iovm_open_mem(f->base, (size_t)f->size, &g, err,
				       sizeof(err));
		if (!rc)
			rc = iovm_rebuild(&g, NULL, err, sizeof(err));
		ns[i] = clock_now_ns() - t0;
		if (rc)
			break;
	}
	if (i && !summarize_u64(ns, i, &s))
		printf("  validated %u times: median %.3f ms (min %.3f, max "
		       "%.3f), %.2f GiB/s\n",
		       i, s.median / 1e6, s.min / 1e6, s.max / 1e6,
		       (double)f->size / (1u << 30) / (s.median / 1e9));
	free(ns);
}

/* EXIT_OK valid, EXIT_CHECK invalid or unreadable, EXIT_RUNTIME out of
 * memory. */
static int load_one(const char *path, enum iovm_path how, unsigned repeat)
{
	char err[IOVM_ERRLEN] = "", desc[256];
	struct iovm_file f;
	void *obj = NULL;
	int rc = iovm_open_path(path, how, &f, err, sizeof(err));

	if (rc == -ENOMEM)
		return cli_runtime_error("load", "%s: out of memory", path);
	if (rc) {
		printf("%s: %s: %s\n", path, rc < 0 ? "cannot read" : "invalid",
		       err);
		return EXIT_CHECK;
	}
	rc = iovm_rebuild(&f, &obj, err, sizeof(err));
	if (rc) {
		iovm_close(&f);
		if (rc < 0)
			return cli_runtime_error("load", "%s: %s", path,
						 iovw_strerror(rc));
		printf("%s: invalid: %s\n", path, err);
		return EXIT_CHECK;
	}
	kind_ops_of(f.h->kind)->describe(obj, desc, sizeof(desc));
	printf("%s: ok, %s v%u, %llu bytes; %s\n", path, f.l->name,
	       f.h->version, (unsigned long long)f.size, desc);
	if (repeat)
		time_validation(&f, repeat);
	kind_ops_of(f.h->kind)->free(obj);
	iovm_close(&f);
	return EXIT_OK;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mmap", no_argument, NULL, 'm'},
		{"repeat", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a = CLI_ARGS("load", opts, "", help, argc, argv);
	enum iovm_path how = IOVM_READ;
	uint64_t repeat = 0;
	int c, i, first, worst = EXIT_OK;

	while ((c = cli_next(&a)) > 0) {
		if (c == 'm') {
			how = IOVM_MMAP;
		} else if (cli_parse_u64(a.arg, 1, 100000, 0, &repeat)) {
			return cli_usage_error("load",
					       "--repeat needs a number from 1 "
					       "to 100000");
		}
	}
	if (c < 0)
		return a.status;
	cli_operands(&a, 0, a.argc, &first);
	if (first == a.argc)
		return cli_usage_error("load", "no file given");
	for (i = first; i < a.argc; i++) {
		int rc = load_one(a.argv[i], how, (unsigned)repeat);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}
