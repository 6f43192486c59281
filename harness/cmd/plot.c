/*
 * plot.c - iovbench plot: draw reports as the figures `make plots` draws.
 *
 * The drawing is scripts/plots.sh's (jq turns a report into gnuplot data
 * with plots/figures.jq, one gnuplot script a figure), so a checkout and
 * an installation draw the same figures from the same files. This command
 * checks its options, finds that script and replaces itself with
 * `sh plots.sh --no-defaults -o DIR -f FORMATS -- REPORT...`, which tells
 * the reports apart by their contents and exits as iovbench does (0, 2
 * usage or a bad report, 3 jq or gnuplot missing or failing).
 *
 * Where the scripts are (the data directory, holding scripts/plots.sh and
 * plots/): $IOVBENCH_DATADIR if set; else found from the executable, so
 * that one build works under any PREFIX or DESTDIR without being built
 * again: EXE_DIR/../share/iovbench (installed), then EXE_DIR/.. when it
 * is a checkout (build/iovbench).
 */
#include "cmd/plot.h"
#include "cmd/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLOT_SCRIPT "scripts/plots.sh"

static void help(FILE *f)
{
	fprintf(f, "usage: iovbench plot -o DIR [-f FORMATS] REPORT...\n"
		   "  Draws run and tune reports as SVG and PNG figures with "
		   "gnuplot, as 'make plots'\n"
		   "  does: a run report gives throughput, rss and syscalls "
		   "(the first one named),\n"
		   "  a tune report tune-batch and tune-coalesce, two or more "
		   "run reports the\n"
		   "  platform figure. Prints the files written.\n"
		   "  -o, --output DIR   where the figures go (created if "
		   "missing)\n"
		   "  -f, --format LIST  svg, png or svg,png (default)\n"
		   "  Needs jq and gnuplot. The scripts are looked for in "
		   "$IOVBENCH_DATADIR, else\n"
		   "  in ../share/iovbench beside the executable.\n"
		   "Exit: 0 figures written, 2 usage or not a report, 3 jq or "
		   "gnuplot missing or\nfailing.\n");
}

/* The formats are svg and png, comma-separated, each at most once. */
static int formats_ok(const char *s)
{
	int svg = 0, png = 0;

	while (*s) {
		size_t n = strcspn(s, ",");

		if (n == 3 && !strncmp(s, "svg", 3) && !svg)
			svg = 1;
		else if (n == 3 && !strncmp(s, "png", 3) && !png)
			png = 1;
		else
			return 0;
		s += n;
		if (*s == ',' && !*++s)
			return 0;
	}
	return svg || png;
}

/* Does DIR hold the plot scripts? Its script's path into buf if so. */
static int has_scripts(const char *dir, char *buf, size_t n)
{
	char gp[PATH_MAX];
	int k = snprintf(buf, n, "%s/" PLOT_SCRIPT, dir);

	if (k < 0 || (size_t)k >= n ||
	    (size_t)snprintf(gp, sizeof(gp), "%s/plots/figures.jq", dir) >=
		    sizeof(gp))
		return 0;
	return !access(buf, R_OK) && !access(gp, R_OK);
}

/* The plot script into buf: 0, or EXIT_RUNTIME after saying where it was
 * looked for. */
static int find_script(char *buf, size_t n)
{
	const char *env = getenv("IOVBENCH_DATADIR");
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	ssize_t len;
	char *slash;

	if (env && *env) {
		if (has_scripts(env, buf, n))
			return 0;
		return cli_runtime_error("plot",
					 "IOVBENCH_DATADIR=%s: no " PLOT_SCRIPT
					 " and plots/figures.jq there",
					 env);
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0 || (size_t)len >= sizeof(exe) - 1)
		return cli_runtime_error("plot",
					 "cannot tell where iovbench is "
					 "(/proc/self/exe): set "
					 "IOVBENCH_DATADIR");
	exe[len] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/../share/iovbench", exe);
	if (has_scripts(dir, buf, n))
		return 0;
	snprintf(dir, sizeof(dir), "%s/..", exe);
	if (has_scripts(dir, buf, n))
		return 0;
	return cli_runtime_error("plot",
				 "the plot scripts are not in "
				 "%s/../share/iovbench (nor is %s/.. a "
				 "checkout): set IOVBENCH_DATADIR to the "
				 "directory holding " PLOT_SCRIPT,
				 exe, exe);
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_args a = CLI_ARGS("plot", opts, "o:f:", help, argc, argv);
	const char *out = NULL, *fmt = "svg,png";
	char script[PATH_MAX + 64];
	char **args;
	int c, first, rc, i, k = 0;

	while ((c = cli_next(&a)) > 0) {
		if (c == 'o')
			out = a.arg;
		else if (formats_ok(a.arg))
			fmt = a.arg;
		else
			return cli_usage_error("plot",
					       "--format %s: the formats are "
					       "svg and png (svg,png: both)",
					       a.arg);
	}
	if (c < 0)
		return a.status;
	if ((rc = cli_operands(&a, 1, argc, &first)))
		return rc;
	if (!out || !*out)
		return cli_usage_error("plot", "-o DIR is missing (where the "
					       "figures go)");
	if ((rc = find_script(script, sizeof(script))))
		return rc;
	args = calloc((size_t)(argc - first) + 10, sizeof(*args));
	if (!args)
		return cli_runtime_error("plot", "out of memory");
	args[k++] = "sh";
	args[k++] = script;
	args[k++] = "--no-defaults";
	args[k++] = "-o";
	args[k++] = (char *)out;
	args[k++] = "-f";
	args[k++] = (char *)fmt;
	args[k++] = "--";
	for (i = first; i < argc; i++)
		args[k++] = argv[i];
	fflush(stdout);
	if (setenv("IOVBENCH_PLOT_PROG", "iovbench plot", 1) == 0)
		execv("/bin/sh", args);
	rc = cli_runtime_error("plot", "cannot run /bin/sh %s: %s", script,
			       strerror(errno));
	free(args);
	return rc;
}
