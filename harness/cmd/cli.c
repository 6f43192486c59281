/*
 * cli.c - what the iovbench commands share (see cli.h).
 */
#include "cmd/cli.h"

#include "engine/config.h"
#include "engine/session.h"
#include "workload.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iovbench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'iovbench %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_runtime_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iovbench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RUNTIME;
}

int cli_errno(const char *cmd, int err, const char *what, const char *said)
{
	cli_progress_done();
	/* a step that failed because a signal stopped it (fio cut short, a
	 * child killed) failed because of the interrupt */
	if (err == -EINTR || session_interrupted()) {
		fprintf(stderr, "iovbench %s: interrupted; %s\n", cmd, said);
		return EXIT_INTERRUPTED;
	}
	return cli_runtime_error(cmd, "%s: %s", what, iovw_strerror(err));
}

/* ---- options ------------------------------------------------------------ */

/* The name of the long option with code c, or NULL. */
static const char *long_name(const struct cli_args *a, int c)
{
	const struct option *o;

	for (o = a->longopts; o->name; o++)
		if (!o->flag && o->val == c)
			return o->name;
	return NULL;
}

/* The option getopt stopped at, as the user wrote it, into buf. *value
 * says whether it came with "=VALUE". */
static const char *typed(const struct cli_args *a, char *buf, size_t n,
			 int *value)
{
	const char *t =
		optind > 0 && optind <= a->argc ? a->argv[optind - 1] : "?";
	size_t k = strncmp(t, "--", 2) ? 0 : strcspn(t + 2, "=");
	const char *l = optopt ? long_name(a, optopt) : NULL;

	*value = k && t[2 + k] == '=';
	if (optopt && !(l && k && !strncmp(t + 2, l, k))) {
		/* a short option (in a cluster, t is not its argument) */
		snprintf(buf, n, "-%c", optopt);
		*value = 0;
	} else if (optopt) {
		snprintf(buf, n, "--%s", l); /* a long option, maybe cut */
	} else {
		snprintf(buf, n, "%.*s", (int)(k + 2), t); /* unknown */
	}
	return buf;
}

/* How many long options begin with the typed "--name"? */
static int matches(const struct cli_args *a, const char *typed_name)
{
	const struct option *o;
	size_t k = strlen(typed_name + 2);
	int m = 0;

	for (o = a->longopts; o->name; o++)
		m += !strncmp(o->name, typed_name + 2, k);
	return m;
}

int cli_next(struct cli_args *a)
{
	char opts[64], name[128];
	int c, value;

	if (!a->started) {
		a->started = 1;
		opterr = 0;
		optind = 1;
	}
	snprintf(opts, sizeof(opts), ":%sh", a->shortopts ? a->shortopts : "");
	optopt = 0;
	c = getopt_long(a->argc, a->argv, opts, a->longopts, NULL);
	a->arg = optarg;
	switch (c) {
	case -1:
		return 0;
	case 'h':
		a->help(stdout);
		a->status = EXIT_OK;
		return -1;
	case ':':
		a->status =
			cli_usage_error(a->cmd, "%s needs a value",
					typed(a, name, sizeof(name), &value));
		return -1;
	case '?':
		typed(a, name, sizeof(name), &value);
		if (optopt && value)
			a->status = cli_usage_error(a->cmd, "%s takes no value",
						    name);
		else if (!optopt && matches(a, name) > 1)
			a->status = cli_usage_error(
				a->cmd, "ambiguous option '%s'", name);
		else
			a->status = cli_usage_error(
				a->cmd, "unknown option '%s'", name);
		return -1;
	default:
		return c;
	}
}

int cli_operands(struct cli_args *a, int min, int max, int *first)
{
	int n = a->argc - optind;

	if (first)
		*first = optind;
	if (n > max)
		return cli_usage_error(a->cmd, "unexpected argument '%s'",
				       a->argv[optind + max]);
	if (n < min)
		return cli_usage_error(a->cmd, "missing argument");
	return 0;
}

/* ---- values ------------------------------------------------------------- */

int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, int units,
		  uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL; /* strtoull would take blanks and a sign */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (units && *end) {
		unsigned shift = *end == 'K' || *end == 'k'   ? 10
				 : *end == 'M' || *end == 'm' ? 20
				 : *end == 'G' || *end == 'g' ? 30
							      : 64;
		if (shift == 64 || end[1] || v > (UINT64_MAX >> shift))
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_scale(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 1000)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_workload_option(const char *cmd, int c, const char *arg, uint64_t *seed,
			double *scale)
{
	switch (c) {
	case 'e':
		if (cli_parse_u64(arg, 0, UINT64_MAX, 0, seed))
			return cli_usage_error(cmd,
					       "--seed needs a whole number");
		return 0;
	case 'S':
		if (cli_parse_scale(arg, scale))
			return cli_usage_error(cmd,
					       "--scale needs a number > 0 "
					       "and <= 1000");
		return 0;
	case 'q':
		*scale = QUICK_SCALE;
		return 0;
	default: /* a code in the option table that nothing handles */
		return cli_usage_error(cmd, "unknown option");
	}
}

size_t cli_split(char *s, char **items, size_t max)
{
	size_t n = 0;
	char *save, *t;

	for (t = strtok_r(s, ",", &save); t && n < max;
	     t = strtok_r(NULL, ",", &save))
		items[n++] = t;
	return n;
}

static int select_names(const char *cmd, const char *what, const char *arg,
			unsigned *mask, size_t count,
			const char *(*name)(size_t))
{
	char *copy = strdup(arg), *items[64];
	size_t n, i, k;
	int rc = 0;

	if (!copy)
		return cli_runtime_error(cmd, "out of memory");
	*mask = 0;
	n = cli_split(copy, items, 64);
	for (i = 0; i < n && !rc; i++) {
		if (!strcmp(items[i], "all")) {
			*mask = (1u << count) - 1;
			continue;
		}
		for (k = 0; k < count && strcmp(items[i], name(k)); k++)
			;
		if (k == count)
			rc = cli_usage_error(cmd,
					     "unknown %s '%s' (see 'iovbench "
					     "list')",
					     what, items[i]);
		else
			*mask |= 1u << k;
	}
	free(copy);
	if (!rc && !*mask)
		rc = cli_usage_error(cmd, "no %s given", what);
	return rc;
}

static const char *wl_name(size_t i)
{
	return wl_defs[i].name;
}

static const char *strategy_name(size_t i)
{
	return iovw_strategy_name((iovw_strategy)i);
}

int cli_workloads(const char *cmd, const char *arg, unsigned *mask)
{
	return select_names(cmd, "workload", arg, mask, wl_count, wl_name);
}

int cli_strategies(const char *cmd, const char *arg, unsigned *mask)
{
	return select_names(cmd, "strategy", arg, mask, IOVW_STRATEGY_COUNT,
			    strategy_name);
}

/* ---- progress ----------------------------------------------------------- */

static int progress_shown;

void cli_progress(const char *fmt, ...)
{
	va_list ap;

	if (!isatty(2))
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = 1;
}

void cli_progress_done(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}
