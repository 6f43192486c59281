/*
 * render.c - render a comparison (compare.h) as a terminal table or
 * as GitHub-flavoured markdown for a pull-request comment.
 */
#include "compare/internal.h"

#include <string.h>

/* A JSON scalar as text into buf (strings without quotes). */
static const char *scalar(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_number(v))
		snprintf(buf, n, "%g", json_number_value(v));
	else
		snprintf(buf, n, "-");
	return buf;
}

/* One line a field of the environment's differences: fmt takes the
 * field, its base value and its new value. */
static void print_env_diff(FILE *f, const json_t *e, const char *fmt)
{
	char a[64], b[64];
	size_t i;

	for (i = 0; i < json_array_size(e); i++) {
		const json_t *d = json_array_get(e, i);
		fprintf(f, fmt, cj_str(d, "field"),
			scalar(json_object_get(d, "base"), a, sizeof(a)),
			scalar(json_object_get(d, "new"), b, sizeof(b)));
	}
}

/* "regression: time, rss" / "faster" / "slower (not significant)" ... */
static void row_verdict(const json_t *row, char *buf, size_t n)
{
	static const char *const keys[] = {"time", "ratio", "rss"};
	const json_t *ch = json_object_get(row, "changes");
	size_t i, len = 0;
	int reg = 0;

	buf[0] = 0;
	for (i = 0; i < 3; i++)
		if (json_is_true(json_object_get(json_object_get(row, keys[i]),
						 "regression")))
			len += (size_t)snprintf(
				buf + len, n - len, "%s%s",
				reg++ ? ", " : "regression: ", keys[i]);
	for (i = 0; i < json_array_size(ch) && len < n; i++)
		if (json_is_true(
			    json_object_get(json_array_get(ch, i), "gated")))
			len += (size_t)snprintf(
				buf + len, n - len, "%s%s",
				reg++ ? ", " : "regression: ",
				cj_str(json_array_get(ch, i), "metric"));
	if (reg)
		return;
	for (i = 0; i < 2; i++)
		if (json_is_true(json_object_get(json_object_get(row, keys[i]),
						 "unconfirmed")))
			len += (size_t)snprintf(
				buf + len, n - len, "%s%s",
				reg++ ? ", " : "unconfirmed (under load): ",
				keys[i]);
	if (reg)
		return;
	{
		const json_t *t = json_object_get(row, "time");
		const char *v = cj_str(t, "verdict");
		if (!strcmp(v, "worse"))
			snprintf(buf, n, "slower%s",
				 json_is_true(json_object_get(t, "gated"))
					 ? ""
					 : " (not gated)");
		else if (!strcmp(v, "better"))
			snprintf(buf, n, "faster");
		else if (!strcmp(v, "noise"))
			snprintf(buf, n, "changed, not significant");
		else if (!strcmp(cj_str(json_object_get(row, "ratio"),
					"verdict"),
				 "worse"))
			snprintf(buf, n, "ratio worse (not gated)");
		else
			snprintf(buf, n,
				 json_array_size(ch) ? "changed" : "same");
	}
}

static void cells(const json_t *row, char *base, char *cur, char *change,
		  char *p, char *ratio, size_t n)
{
	const json_t *t = json_object_get(row, "time");
	const json_t *r = json_object_get(row, "ratio");

	snprintf(base, n, "%.3f", cj_dbl(t, "base") / 1e6);
	snprintf(cur, n, "%.3f", cj_dbl(t, "new") / 1e6);
	snprintf(change, n, "%+.1f%%", cj_dbl(t, "change") * 100);
	snprintf(p, n, "%.3f", cj_dbl(t, "p"));
	if (r)
		snprintf(ratio, n, "%.3f -> %.3f", cj_dbl(r, "base"),
			 cj_dbl(r, "new"));
	else
		snprintf(ratio, n, "-");
}

/* A row's changed and missing exact metrics, a line each: `prefix`, the
 * metric, `sep`, what happened. */
static void print_exact_changes(FILE *f, const json_t *r, const char *prefix,
				const char *sep)
{
	const json_t *chs = json_object_get(r, "changes");
	const json_t *mss = json_object_get(r, "missing");
	char a[64], b[64];
	size_t j;

	for (j = 0; j < json_array_size(chs); j++) {
		const json_t *ch = json_array_get(chs, j);
		fprintf(f, "%s%s%s%s -> %s%s\n", prefix, cj_str(ch, "metric"),
			sep, scalar(json_object_get(ch, "base"), a, sizeof(a)),
			scalar(json_object_get(ch, "new"), b, sizeof(b)),
			json_is_true(json_object_get(ch, "gated"))
				? ""
				: " (not gated)");
	}
	for (j = 0; j < json_array_size(mss); j++)
		fprintf(f, "%s%s%snot measured in %s\n", prefix,
			cj_str(json_array_get(mss, j), "metric"), sep,
			cj_str(json_array_get(mss, j), "in"));
}

/* The timing changes of a comparison under load. */
static void print_unconfirmed(FILE *f, const json_t *c, const char *head,
			      const char *line)
{
	const json_t *u = json_object_get(c, "unconfirmed");
	size_t i;

	if (!json_array_size(u))
		return;
	fprintf(f, head, json_array_size(u),
		json_array_size(u) == 1 ? "" : "s");
	for (i = 0; i < json_array_size(u); i++) {
		const json_t *g = json_array_get(u, i);
		fprintf(f, line, cj_str(g, "workload"), cj_str(g, "row"),
			cj_str(g, "what"));
	}
}

static void print_regressions_table(FILE *f, const json_t *c)
{
	const json_t *rows = json_object_get(c, "rows");
	const json_t *regs = json_object_get(c, "regressions");
	const json_t *e = json_object_get(c, "env_diff");
	const char *last = "";
	char b1[64], b2[64], b3[64], b4[64], b5[64], v[200];
	size_t i, j;

	for (i = 0; i < 2; i++) {
		const json_t *r = json_object_get(c, i ? "new" : "base");
		fprintf(f, "%s %s (%s, %s, kernel %s, git %s, %s)\n",
			i ? "new: " : "base:", cj_str(r, "path"),
			cj_str(r, "host"), cj_str(r, "fs_type"),
			cj_str(r, "kernel"), cj_str(r, "git"),
			cj_str(r, "date"));
	}
	if (json_array_size(e)) {
		fprintf(f, "\nenvironment differences:\n");
		print_env_diff(f, e, "  %-10s %s  ->  %s\n");
	}
	for (i = 0; i < json_array_size(json_object_get(c, "notes")); i++)
		fprintf(f, "%snote: %s\n", i ? "" : "\n",
			json_string_value(json_array_get(
				json_object_get(c, "notes"), i)));
	for (i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		if (strcmp(last, cj_str(r, "workload"))) {
			last = cj_str(r, "workload");
			fprintf(f, "\n%s\n  %-26s %9s %9s %8s %7s  %-16s %s\n",
				last, "row", "base ms", "new ms", "change", "p",
				"x pwrite", "verdict");
		}
		cells(r, b1, b2, b3, b4, b5, sizeof(b1));
		row_verdict(r, v, sizeof(v));
		fprintf(f, "  %-26s %9s %9s %8s %7s  %-16s %s\n",
			cj_str(r, "row"), b1, b2, b3, b4, b5, v);
		print_exact_changes(f, r, "      ", ": ");
	}
	for (j = 0; j < 2; j++) {
		const json_t *only =
			json_object_get(c, j ? "only_new" : "only_base");
		for (i = 0; i < json_array_size(only); i++)
			fprintf(f, "%sonly in %s: %s %s\n", i ? "" : "\n",
				j ? "new" : "base",
				cj_str(json_array_get(only, i), "workload"),
				cj_str(json_array_get(only, i), "row"));
	}
	print_unconfirmed(f, c,
			  "\n%zu timing change%s under load, not "
			  "regressions until a run on an idle machine "
			  "confirms them:\n",
			  "  %s %s: %s\n");
	if (!json_array_size(regs)) {
		fprintf(f, "\nno regression (%zu rows compared)\n",
			json_array_size(rows));
		return;
	}
	fprintf(f, "\n%zu regression%s:\n", json_array_size(regs),
		json_array_size(regs) == 1 ? "" : "s");
	for (i = 0; i < json_array_size(regs); i++) {
		const json_t *g = json_array_get(regs, i);
		fprintf(f, "  %s %s: %s\n", cj_str(g, "workload"),
			cj_str(g, "row"), cj_str(g, "what"));
	}
}

static void print_regressions_md(FILE *f, const json_t *c)
{
	const json_t *rows = json_object_get(c, "rows");
	const json_t *regs = json_object_get(c, "regressions");
	const json_t *e = json_object_get(c, "env_diff");
	const json_t *b = json_object_get(c, "base");
	const json_t *n = json_object_get(c, "new");
	char b1[64], b2[64], b3[64], b4[64], b5[64], v[200];
	size_t i;

	if (json_array_size(regs))
		fprintf(f, "### iovbench: %zu regression%s\n\n",
			json_array_size(regs),
			json_array_size(regs) == 1 ? "" : "s");
	else if (json_array_size(json_object_get(c, "unconfirmed")))
		fprintf(f, "### iovbench: no confirmed regression (taken under "
			   "load)\n\n");
	else
		fprintf(f, "### iovbench: no regression\n\n");
	fprintf(f, "Base `%s` (%s, git %s) against new `%s` (%s, git %s).\n\n",
		cj_str(b, "path"), cj_str(b, "host"), cj_str(b, "git"),
		cj_str(n, "path"), cj_str(n, "host"), cj_str(n, "git"));
	if (json_array_size(e)) {
		fprintf(f, "| environment | base | new |\n|---|---|---|\n");
		print_env_diff(f, e, "| %s | %s | %s |\n");
		fputc('\n', f);
	}
	for (i = 0; i < json_array_size(json_object_get(c, "notes")); i++)
		fprintf(f, "> %s\n\n",
			json_string_value(json_array_get(
				json_object_get(c, "notes"), i)));
	print_unconfirmed(f, c,
			  "%zu timing change%s under load, not regressions "
			  "until a run on an idle machine confirms them:\n\n",
			  "- %s `%s`: %s\n");
	if (json_array_size(json_object_get(c, "unconfirmed")))
		fputc('\n', f);
	if (json_array_size(regs)) {
		for (i = 0; i < json_array_size(regs); i++) {
			const json_t *g = json_array_get(regs, i);
			fprintf(f, "- **%s `%s`**: %s\n", cj_str(g, "workload"),
				cj_str(g, "row"), cj_str(g, "what"));
		}
		fputc('\n', f);
	}
	fprintf(f, "| workload | row | base ms | new ms | change | p | "
		   "x pwrite-limit | verdict |\n"
		   "|---|---|---:|---:|---:|---:|---|---|\n");
	for (i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		cells(r, b1, b2, b3, b4, b5, sizeof(b1));
		row_verdict(r, v, sizeof(v));
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s%s%s |\n",
			cj_str(r, "workload"), cj_str(r, "row"), b1, b2, b3, b4,
			b5, strncmp(v, "regression", 10) ? "" : "**", v,
			strncmp(v, "regression", 10) ? "" : "**");
	}
	for (i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		char prefix[300];

		snprintf(prefix, sizeof(prefix),
			 "- %s `%s`: ", cj_str(r, "workload"),
			 cj_str(r, "row"));
		print_exact_changes(f, r, prefix, " ");
	}
	for (i = 0; i < 2; i++) {
		const json_t *only =
			json_object_get(c, i ? "only_new" : "only_base");
		size_t j;
		for (j = 0; j < json_array_size(only); j++)
			fprintf(f, "%s- only in %s: %s `%s`\n", j ? "" : "\n",
				i ? "new" : "base",
				cj_str(json_array_get(only, j), "workload"),
				cj_str(json_array_get(only, j), "row"));
	}
}

static void print_platforms(FILE *f, const json_t *c, int md)
{
	const json_t *reps = json_object_get(c, "reports");
	const json_t *rows = json_object_get(c, "rows");
	size_t i, k, n = json_array_size(reps);
	const char *last = "";

	for (k = 0; k < n; k++) {
		const json_t *r = json_array_get(reps, k);
		fprintf(f,
			md ? "%s- **[%zu]** %s, %s, kernel %s, `%s` (`%s`)\n"
			   : "%s[%zu] %s, %s, kernel %s, %s (%s)\n",
			k ? "" : (md ? "" : "reports:\n"), k + 1,
			cj_str(r, "host"), cj_str(r, "fs_type"),
			cj_str(r, "kernel"), cj_str(r, "dir"),
			cj_str(r, "path"));
	}
	if (md) {
		fprintf(f, "\n| workload | row |");
		for (k = 0; k < n; k++)
			fprintf(f, " [%zu] MiB/s | [%zu] x pwrite |", k + 1,
				k + 1);
		fprintf(f, "\n|---|---|");
		for (k = 0; k < n; k++)
			fprintf(f, "---:|---:|");
		fputc('\n', f);
	}
	for (i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		if (!md && strcmp(last, cj_str(r, "workload"))) {
			last = cj_str(r, "workload");
			fprintf(f, "\n%-28s", last);
			for (k = 0; k < n; k++) {
				char h[32];
				snprintf(h, sizeof(h), "[%zu] MiB/s", k + 1);
				fprintf(f, " %11s %8s", h, "x pwrite");
			}
			fputc('\n', f);
		}
		if (md)
			fprintf(f, "| %s | %s |", cj_str(r, "workload"),
				cj_str(r, "row"));
		else
			fprintf(f, "  %-26s", cj_str(r, "row"));
		for (k = 0; k < n; k++) {
			const json_t *cell =
				json_array_get(json_object_get(r, "cells"), k);
			char x[32] = "-", m[32] = "-";
			int star =
				json_is_true(json_object_get(cell, "fastest"));
			if (json_is_object(cell)) {
				snprintf(m, sizeof(m), "%s%.0f",
					 star ? (md ? "**" : "*") : "",
					 cj_dbl(cell, "mib_s"));
				if (star && md)
					strcat(m, "**");
				if (json_object_get(cell, "x_pwrite"))
					snprintf(x, sizeof(x), "%.3f",
						 cj_dbl(cell, "x_pwrite"));
			}
			fprintf(f, md ? " %s | %s |" : " %11s %8s", m, x);
		}
		fputc('\n', f);
	}
	fprintf(f, md ? "\nMiB/s by strategy; **bold**: the fastest strategy "
			"in that report; x pwrite: throughput relative to the "
			"report's own pwrite-limit.\n"
		      : "\n(* fastest strategy in that report; x pwrite: "
			"throughput relative to the report's own "
			"pwrite-limit)\n");
}

void compare_print_table(FILE *f, const json_t *c)
{
	if (!strcmp(cj_str(c, "mode"), "platforms"))
		print_platforms(f, c, 0);
	else
		print_regressions_table(f, c);
}

void compare_print_markdown(FILE *f, const json_t *c)
{
	if (!strcmp(cj_str(c, "mode"), "platforms"))
		print_platforms(f, c, 1);
	else
		print_regressions_md(f, c);
}
