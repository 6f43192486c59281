/*
 * table.c - `run`'s table (see table.h).
 */
#include "report/table.h"

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

void table_print(FILE *f, const struct row *rows, size_t n)
{
	size_t i;

	if (!n)
		return;
	fprintf(f, "%s: %llu bytes, %zu samples a row\n", rows[0].spec.workload,
		workload_bytes(rows, n), rows[0].res.n);
	fprintf(f, "  %-30s %10s %8s %9s %8s %8s %9s %9s %9s %4s\n", "row",
		"median ms", "MAD ms", "MiB/s", "x gather", "x pwrite",
		"syscalls", "peak MiB", "minflt", "same");
	for (i = 0; i < n; i++)
		print_row(f, &rows[i]);
	fprintf(f, "  (* fastest strategy; x gather / x pwrite: throughput "
		   "relative to the reference rows; fio rows: time in\n"
		   "  fio's write calls, 1 MiB blocks)\n\n");
}
