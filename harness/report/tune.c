/*
 * tune.c - `tune`'s output: a table a workload, the recommendation, and the
 * report's "tune" object (see tune.h).
 */
#include "report/tune.h"

#include <math.h>
#include <string.h>

/* "batch=B coalesce=C" into buf. */
static const char *setting(char *buf, size_t n, const struct tune_point *p)
{
	snprintf(buf, n, "batch=%zu coalesce=%zu", p->batch, p->coalesce);
	return buf;
}

/* One line of the table: a row with its marks and the ratio to the best. */
static void print_row(FILE *f, const char *mark, const char *label,
		      const struct row *r, const struct row *best)
{
	char writes[24] = "-", iovecs[24] = "-", vs[24] = "-";
	const struct sample *s0 = &r->res.s[0];

	if (r->spec.kind == ROW_STRATEGY) {
		snprintf(writes, sizeof(writes), "%llu",
			 (unsigned long long)s0->st.batches);
		snprintf(iovecs, sizeof(iovecs), "%llu",
			 (unsigned long long)s0->st.iovecs);
		snprintf(vs, sizeof(vs), "%+.1f%%",
			 100 * (r->stats.wall.median / best->stats.wall.median -
				1));
	}
	fprintf(f, "  %-2s%-26s %10.3f %8.3f %8.0f %8.3f %9s %9s %8s\n", mark,
		label, r->stats.wall.median / 1e6, r->stats.wall.mad / 1e6,
		r->stats.mib_s, r->stats.x_pwrite, writes, iovecs, vs);
}

/* A point's line of the table, marked when it is the best or default. */
static void print_point(FILE *f, const struct row *rows,
			const struct tune_result *t, size_t i,
			const char *label)
{
	char mark[3] = "";

	if (i == t->best)
		strcat(mark, "*");
	if (i == t->def)
		strcat(mark, "D");
	print_row(f, mark, label, &rows[t->pts[i].row],
		  &rows[t->pts[t->best].row]);
}

/* One comparison line: "next  SETTING  +M%  p=P  significant". */
static void print_cmp(FILE *f, const char *what, const struct tune_point *p,
		      const struct tune_cmp *c, int is_best)
{
	char buf[64];

	fprintf(f, "  %-8s %-30s %+8.1f%%", what, setting(buf, sizeof(buf), p),
		100 * c->margin);
	if (is_best)
		fprintf(f, "  (the best)\n");
	else
		fprintf(f, "  p=%.4f  %s\n", c->p_value,
			c->significant ? "significant" : "not significant");
}

void tune_print(FILE *f, const struct sweep *sw, const struct row *rows,
		size_t n, const struct tune_result *t)
{
	const struct tune_point *b = &t->pts[t->best];
	const struct row *best = &rows[b->row];
	const struct sample *s0 = &rows[t->pts[0].row].res.s[0];
	char label[64];
	size_t i, shown = 0;

	fprintf(f, "%s: %llu bytes, %llu pieces, %zu samples a setting\n",
		t->workload, (unsigned long long)s0->st.bytes_written,
		(unsigned long long)s0->st.pieces, rows[0].res.n);
	fprintf(f, "  %-28s %10s %8s %8s %8s %9s %9s %8s\n", "setting",
		"median ms", "MAD ms", "MiB/s", "x pwrite", "writes", "iovecs",
		"vs best");
	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == ROW_GATHER_LIMIT ||
		    rows[i].spec.kind == ROW_PWRITE_LIMIT)
			print_row(f, "", rows[i].spec.name, &rows[i], best);
	fprintf(f, "  batch sweep (coalesce=%zu):\n", sw->def_coalesce);
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].coalesce == sw->def_coalesce) {
			snprintf(label, sizeof(label), "  batch=%zu",
				 t->pts[i].batch);
			print_point(f, rows, t, i, label);
		}
	fprintf(f, "  coalescing sweep (batch=%zu):\n", sw->def_batch);
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].batch == sw->def_batch) {
			snprintf(label, sizeof(label), "  coalesce=%zu",
				 t->pts[i].coalesce);
			print_point(f, rows, t, i, label);
		}
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].batch != sw->def_batch &&
		    t->pts[i].coalesce != sw->def_coalesce) {
			if (!shown++)
				fprintf(f, "  combination of the two bests "
					   "(measured after the sweeps, not "
					   "interleaved):\n");
			snprintf(label, sizeof(label),
				 "  batch=%zu coalesce=%zu", t->pts[i].batch,
				 t->pts[i].coalesce);
			print_point(f, rows, t, i, label);
		}
	fprintf(f, "  (* best, D the library's default; writes: write calls a "
		   "sample; vs best:\n"
		   "  median over the best's)\n");
	fprintf(f, "  %-8s %-30s %9.3f ms  %.0f MiB/s  %.3f x pwrite\n", "best",
		setting(label, sizeof(label), b), b->median_ns / 1e6, b->mib_s,
		best->stats.x_pwrite);
	print_cmp(f, "next", &t->pts[t->next], &t->to_next, 0);
	print_cmp(f, "default", &t->pts[t->def], &t->to_def, t->def == t->best);
	fprintf(f, "\n");
}

/* The recommendation lines. */
void tune_print_rec(FILE *f, const struct sweep *sw, const struct tune_rec *rec)
{
	if (rec->keep)
		fprintf(f,
			"recommendation: keep the library's defaults "
			"(batch=%zu coalesce=%zu)\n",
			sw->def_batch, sw->def_coalesce);
	else
		fprintf(f,
			"recommendation: make batch=%zu coalesce=%zu the "
			"library's defaults (now batch=%zu coalesce=%zu)\n",
			rec->batch, rec->coalesce, sw->def_batch,
			sw->def_coalesce);
	fprintf(f, "  %s.\n", rec->reason);
}

/* Replace config's batch and coalesce lists by the swept ones. */
void tune_config_json(json_t *c, const struct sweep *sw)
{
	json_t *b = json_array(), *co = json_array();
	size_t i;

	for (i = 0; i < sw->nbatch; i++)
		json_array_append_new(b,
				      json_integer((json_int_t)sw->batch[i]));
	for (i = 0; i < sw->ncoalesce; i++)
		json_array_append_new(
			co, json_integer((json_int_t)sw->coalesce[i]));
	json_object_set_new(c, "batch", b);
	json_object_set_new(c, "coalesce", co);
}

/* {"batch", "coalesce", "median_ns", "throughput_mib_s"} of a point. */
static json_t *point_json(const struct tune_point *p)
{
	return json_pack("{s:I,s:I,s:I,s:f}", "batch", (json_int_t)p->batch,
			 "coalesce", (json_int_t)p->coalesce, "median_ns",
			 (json_int_t)llround(p->median_ns), "throughput_mib_s",
			 p->mib_s);
}

json_t *tune_json(const struct tune_result *t, size_t n, const struct sweep *sw,
		  const struct tune_rec *rec)
{
	json_t *wl = json_array();
	size_t k;

	for (k = 0; k < n; k++) {
		const struct tune_result *r = &t[k];
		json_array_append_new(
			wl,
			json_pack("{s:s,s:o,s:o,s:f,s:f,s:b,s:o,s:f,s:f,s:b}",
				  "workload", r->workload, "best",
				  point_json(&r->pts[r->best]), "next",
				  point_json(&r->pts[r->next]), "margin",
				  r->to_next.margin, "p_value",
				  r->to_next.p_value, "significant",
				  r->to_next.significant, "default",
				  point_json(&r->pts[r->def]), "default_margin",
				  r->to_def.margin, "default_p_value",
				  r->to_def.p_value, "default_significant",
				  r->to_def.significant));
	}
	return json_pack("{s:{s:I,s:I},s:f,s:f,s:o,s:{s:I,s:I,s:b,s:s}}",
			 "defaults", "batch", (json_int_t)sw->def_batch,
			 "coalesce", (json_int_t)sw->def_coalesce, "alpha",
			 TUNE_ALPHA, "min_gain", TUNE_MIN_GAIN, "workloads", wl,
			 "recommendation", "batch", (json_int_t)rec->batch,
			 "coalesce", (json_int_t)rec->coalesce, "keep_defaults",
			 rec->keep, "reason", rec->reason);
}
