/*
 * history_plot.c - iovbench history plot: the selected rows' ratio
 * series drawn by gnuplot, each change point a dashed line labelled with
 * its revision and size (the same detection as history detect).
 */
#include "cmd/history.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SERIES 8

/* One series' points kept for the plot. */
struct pseries {
	char title[512];
	size_t n;
	double *x;
	char (*rev)[48];
	struct cp cp[16];
	size_t ncp;
};

struct plot_ctx {
	const struct cp_opts *cp;
	struct pseries s[MAX_SERIES];
	size_t n, seen;
};

/* Keep a series' ratios and change points (gnuplot quotes made safe). */
static int keep(const struct hist_series *hs, void *ctx)
{
	struct plot_ctx *p = ctx;
	struct pseries *s;
	size_t i, count;
	char *q;

	for (i = 0; i < hs->n && !isfinite(hs->p[i].ratio); i++)
		;
	if (i == hs->n)
		return 0; /* a reference row: no ratio to draw */
	if (p->seen++ >= MAX_SERIES)
		return 0; /* counted, said by the caller */
	s = &p->s[p->n++];
	snprintf(s->title, sizeof(s->title), "%s %s (%s, %s, %s)", hs->workload,
		 hs->row, hs->host, hs->fs_type, hs->setup);
	for (q = s->title; *q; q++)
		if (*q == '"' || *q == '\\' || *q == '\'')
			*q = ' ';
	s->x = malloc((hs->n + 1) * sizeof(*s->x));
	s->rev = malloc((hs->n + 1) * sizeof(*s->rev));
	if (!s->x || !s->rev)
		return -ENOMEM;
	for (i = 0; i < hs->n; i++)
		if (isfinite(hs->p[i].ratio)) {
			s->x[s->n] = hs->p[i].ratio;
			snprintf(s->rev[s->n++], sizeof(s->rev[0]), "%s",
				 hs->p[i].revision);
		}
	for (q = (char *)s->rev; q < (char *)(s->rev + s->n); q++)
		if (*q == '"' || *q == '\\')
			*q = ' ';
	if (cp_detect(s->x, s->n, p->cp, s->cp, 16, &count))
		return -ENOMEM;
	s->ncp = count < 16 ? count : 16;
	return 0;
}

/* The gnuplot program for the kept series, to f. */
static void script(FILE *f, const struct plot_ctx *p, const char *out)
{
	const char *ext = strrchr(out, '.');
	size_t i, k;

	if (ext && !strcmp(ext, ".png"))
		fprintf(f, "set terminal pngcairo size 1000,560\n");
	else
		fprintf(f, "set terminal svg size 1000,560 dynamic\n");
	fprintf(f,
		"set output '%s.tmp'\n"
		"set title 'iovbench history: time of pwrite-limit / "
		"time of the row (higher is faster)'\n"
		"set ylabel 'ratio to pwrite-limit'\nset xlabel 'run'\n"
		"set key outside bottom center\nset grid ytics\n"
		"set offsets 0.5, 0.5, 0, 0\n"
		"set xtics rotate by -45 font ',8'\n",
		out);
	for (i = 0; i < p->n; i++)
		for (k = 0; k < p->s[i].ncp; k++) {
			const struct cp *c = &p->s[i].cp[k];
			fprintf(f,
				"set arrow from %zu, graph 0 to %zu, graph 1 "
				"nohead dashtype 2 lc %zu\n"
				"set label \"%s %+.1f%%\" at %zu, graph "
				"%.2f offset 0.5, 0 font ',9' tc lt %zu\n",
				c->index, c->index, i + 1,
				p->s[i].rev[c->index],
				(c->after - c->before) / c->before * 100,
				c->index, 0.95 - 0.05 * (double)i, i + 1);
		}
	fprintf(f, "plot ");
	for (i = 0; i < p->n; i++)
		fprintf(f,
			"%s'-' using 1:2%s with linespoints lt %zu title "
			"\"%s\"",
			i ? ", " : "", i ? "" : ":xtic(3)", i + 1,
			p->s[i].title);
	fputc('\n', f);
	for (i = 0; i < p->n; i++) {
		for (k = 0; k < p->s[i].n; k++)
			fprintf(f, "%zu %.6g \"%s\"\n", k, p->s[i].x[k],
				p->s[i].rev[k]);
		fprintf(f, "e\n");
	}
}

/* Run gnuplot on the script; 0 or an exit code after saying why. */
static int draw(const struct plot_ctx *p, const char *out)
{
	char tmp[4096];
	FILE *g;
	int st;

	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	if (!(g = popen("gnuplot", "w")))
		return cli_runtime_error("history plot", "cannot run gnuplot");
	script(g, p, out);
	st = pclose(g);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		unlink(tmp);
		return cli_runtime_error(
			"history plot",
			"gnuplot failed (exit %d; is "
			"gnuplot-nox installed?)",
			st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	if (rename(tmp, out)) {
		unlink(tmp);
		return cli_runtime_error("history plot", "cannot write '%s'",
					 out);
	}
	return EXIT_OK;
}

int history_plot(struct history *h, const struct hist_filter *f,
		 const struct cp_opts *cp, const char *out)
{
	struct plot_ctx p = {.cp = cp};
	size_t i;
	int rc;

	rc = history_each_series(h, f, keep, &p);
	if (rc)
		rc = cli_errno("history plot", rc, "reading the history", "");
	else if (!p.seen)
		rc = cli_usage_error("history plot",
				     "no series with a ratio selected");
	else if (p.seen > MAX_SERIES)
		rc = cli_usage_error("history plot",
				     "%zu series selected; at most %d in one "
				     "plot (choose with -w, --row, --host, "
				     "--fs)",
				     p.seen, MAX_SERIES);
	else
		rc = draw(&p, out);
	for (i = 0; i < p.n; i++) {
		free(p.s[i].x);
		free(p.s[i].rev);
	}
	return rc;
}
