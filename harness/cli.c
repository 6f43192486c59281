/*
 * cli.c - what the iovbench commands share (see cli.h).
 */
#include "cli.h"

#include "output.h"
#include "workload.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int cli_runtime_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iovbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RUNTIME;
}

int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, int units,
		  uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
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

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 1000)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_workload_option(const char *cmd, int c, const char *arg,
			const char *opt, uint64_t *seed, double *scale)
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
	default:
		return cli_usage_error(
			cmd, "unknown option or missing value '%s'", opt);
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

	if (!copy)
		return cli_runtime_error("out of memory");
	*mask = 0;
	n = cli_split(copy, items, 64);
	for (i = 0; i < n; i++) {
		if (!strcmp(items[i], "all")) {
			*mask = (1u << count) - 1;
			continue;
		}
		for (k = 0; k < count; k++)
			if (!strcmp(items[i], name(k)))
				break;
		if (k == count) {
			int rc = cli_usage_error(cmd,
						 "unknown %s '%s' (see "
						 "'iovbench list')",
						 what, items[i]);
			free(copy);
			return rc;
		}
		*mask |= 1u << k;
	}
	free(copy);
	if (!*mask)
		return cli_usage_error(cmd, "no %s given", what);
	return 0;
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

static int text_fn(iovw_writer *w, void *ctx)
{
	const char *s = ctx;
	return iovw_append(w, s, strlen(s), 1, NULL);
}

int cli_write_text(const char *path, const char *text)
{
	return iovw_write_file(path, IOVW_PWRITEV, text_fn, (void *)text, NULL,
			       NULL);
}

int cli_tempdir(char *buf, size_t n, const char *what)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, n, "%s/iovbench-%s-XXXXXX", base && *base ? base : "/tmp",
		 what);
	return mkdtemp(buf) ? 0 : -errno;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

void cli_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
