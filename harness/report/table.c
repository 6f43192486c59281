/*
 * table.c - `run`'s table (see table.h).
 */
#include "report/table.h"

#include <stdint.h>
#include <string.h>

/* The bytes the workload's files hold: the pwrite-limit row's. */
static unsigned long long workload_bytes(const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == ROW_PWRITE_LIMIT)
			return (unsigned long long)rows[i].stats.bytes;
	return 0;
}

static void print_row(FILE *f, const struct row *r)
{
	const struct row_stats *s = &r->stats;
	char sc[24] = "-", peak[24] = "-", label[sizeof(r->spec.label) + 1];
	const char *same = "-";

	snprintf(label, sizeof(label), "%s%s", s->fastest ? "*" : " ",
		 r->spec.label);
	if (r->spec.kind != ROW_PEER) {
		if (r->res.sc_rc == 0)
			snprintf(sc, sizeof(sc), "%llu",
				 (unsigned long long)r->res.sc.total);
		snprintf(peak, sizeof(peak), "%.1f",
			 s->med.peak_rss / (1 << 20));
		if (r->res.has_digest)
			same = s->same ? "yes" : "NO";
	}
	fprintf(f, "  %-30s %10.3f %8.3f %9.0f %8.3f %8.3f %9s %9s %9.0f %4s\n",
		label, s->wall.median / 1e6, s->wall.mad / 1e6, s->mib_s,
		s->x_gather, s->x_pwrite, sc, peak, s->med.minflt, same);
}

/* The row of `kind` with fio engine `engine`. */
static const struct row *find_engine(const struct row *rows, size_t n,
				     enum row_kind kind, const char *engine)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == kind &&
		    !strcmp(rows[i].spec.engine, engine))
			return &rows[i];
	return NULL;
}

/* The fastest row of `kind` and memory `warm`, by throughput. */
static const struct row *fastest_of(const struct row *rows, size_t n,
				    enum row_kind kind, int warm)
{
	const struct row *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == kind && rows[i].spec.warm == warm &&
		    (!best || rows[i].stats.mib_s > best->stats.mib_s))
			best = &rows[i];
	return best;
}

/* fio beside its twins, each measured both ways, and who is ahead. */
static void print_peers(FILE *f, const struct row *rows, size_t n)
{
	size_t i;
	int warm;

	if (!fastest_of(rows, n, ROW_TWIN, 0) &&
	    !fastest_of(rows, n, ROW_TWIN, 1))
		return;
	fprintf(f,
		"  fio and its twins: fio times only its write calls; a twin "
		"does what the fio job\n"
		"  does and is timed both that way and as our rows (the file, "
		"create to close)\n"
		"  %-13s %13s %14s %13s\n",
		"twin", "fio calls ms", "twin calls ms", "twin file ms");
	for (i = 0; i < n; i++) {
		const struct row *t = &rows[i], *p;
		char fio[24] = "-";

		if (t->spec.kind != ROW_TWIN)
			continue;
		p = find_engine(rows, n, ROW_PEER, t->spec.engine);
		if (p && p->res.n)
			snprintf(fio, sizeof(fio), "%.3f",
				 p->stats.wall.median / 1e6);
		fprintf(f, "  %-13s %13s %14.3f %13.3f\n", t->spec.label + 5,
			fio, t->stats.write.median / 1e6,
			t->stats.wall.median / 1e6);
	}
	for (warm = 0; warm < 2; warm++) {
		const struct row *s = fastest_of(rows, n, ROW_STRATEGY, warm);
		const struct row *t = fastest_of(rows, n, ROW_TWIN, warm);
		if (s && t && t->stats.mib_s > 0)
			fprintf(f,
				"  %s, whole files: %s %.0f MiB/s, the best "
				"twin (%s) %.0f MiB/s: %.2fx\n",
				warm ? "warm" : "fresh", s->spec.label,
				s->stats.mib_s, t->spec.engine, t->stats.mib_s,
				s->stats.mib_s / t->stats.mib_s);
	}
	fputc('\n', f);
}

/* With dontcache rows (run --dontcache): what each row's output left in
 * the page cache right after its write (medians), beside its bytes. */
static void print_cache(FILE *f, const struct row *rows, size_t n)
{
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++)
		any |= rows[i].spec.dontcache;
	if (!any)
		return;
	fprintf(f, "  page cache left by the output right after the write:\n");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (!row_has_output(&r->spec) || r->stats.med.cache < 0)
			continue;
		fprintf(f, "  %-30s %9.1f MiB of %9.1f MiB\n", r->spec.label,
			r->stats.med.cache / (1024.0 * 1024.0),
			(double)r->stats.bytes / (1024.0 * 1024.0));
	}
	fprintf(f, "\n");
}

void table_print(FILE *f, const struct row *rows, size_t n)
{
	size_t i, lo = SIZE_MAX, hi = 0;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (rows[i].res.n < lo)
			lo = rows[i].res.n;
		if (rows[i].res.n > hi)
			hi = rows[i].res.n;
	}
	if (lo == hi)
		fprintf(f, "%s: %llu bytes, %zu samples a row\n",
			rows[0].spec.workload, workload_bytes(rows, n), hi);
	else
		fprintf(f, "%s: %llu bytes, %zu to %zu samples a row\n",
			rows[0].spec.workload, workload_bytes(rows, n), lo, hi);
	fprintf(f, "  %-30s %10s %8s %9s %8s %8s %9s %9s %9s %4s\n", "row",
		"median ms", "MAD ms", "MiB/s", "x gather", "x pwrite",
		"syscalls", "peak MiB", "minflt", "same");
	for (i = 0; i < n; i++)
		print_row(f, &rows[i]);
	fprintf(f, "  (* fastest strategy; x gather / x pwrite: throughput "
		   "relative to the reference rows; fio rows: time in\n"
		   "  fio's write calls, 1 MiB blocks)\n\n");
	print_cache(f, rows, n);
	print_peers(f, rows, n);
}
