/*
 * cmd_load.c - iovbench load: validate module files and rebuild them.
 */
#include "cli.h"
#include "kinds.h"
#include "loader.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f, "usage: iovbench load [--mmap] FILE...\n"
		   "  Validates each file (header, layout, checksum, every "
		   "array, what the arrays\n"
		   "  mean) and rebuilds its structures. Prints one line a "
		   "file; exit 1 if any\n"
		   "  is invalid or unreadable.\n");
}

/* 0 valid, 1 not. */
static int load_one(const char *path, enum iovm_path how)
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
	kind_ops_of(f.h->kind)->free(obj);
	iovm_close(&f);
	return 0;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mmap", no_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum iovm_path how = IOVM_READ;
	int c, bad = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			how = IOVM_MMAP;
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
		bad |= load_one(argv[optind], how);
	return bad ? EXIT_CHECK : EXIT_OK;
}
