/*
 * tune.c - `tune`'s output: a table a workload, the recommendation, and the
 * report's "tune" object (see tune.h).
 */
#include "report/tune.h"

#include <math.h>
#include <string.h>

/* "batch=B coalesce=C" (or "stage=S coalesce=C") into buf. */
static const char *setting(char *buf, size_t n, const struct sweep *sw,
			   const struct tune_point *p)
{
	snprintf(buf, n, "%s=%zu coalesce=%zu", sw->xname, p->x, p->y);
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
static void print_cmp(FILE *f, const struct sweep *sw, const char *what,
		      const struct tune_point *p, const struct tune_cmp *c,
		      int is_best)
{
	char buf[64];

	fprintf(f, "  %-8s %-30s %+8.1f%%", what,
		setting(buf, sizeof(buf), sw, p), 100 * c->margin);
	if (is_best)
		fprintf(f, "  (the best)\n");
	else
		fprintf(f, "  p=%.4f  %s\n", c->p_value,
			c->significant ? "significant" : "not significant");
}

/* The points of the sweep along x (y at its default), along y (x at its
 * default), then the combination of the two bests if there is one. */
static void print_sweeps(FILE *f, const struct sweep *sw,
			 const struct row *rows, const struct tune_result *t)
{
	char label[64];
	size_t i, shown = 0;

	fprintf(f, "  %s sweep (coalesce=%zu):\n", sw->xname, sw->def_y);
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].y == sw->def_y) {
			snprintf(label, sizeof(label), "  %s=%zu", sw->xname,
				 t->pts[i].x);
			print_point(f, rows, t, i, label);
		}
	fprintf(f, "  coalescing sweep (%s=%zu):\n", sw->xname, sw->def_x);
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].x == sw->def_x) {
			snprintf(label, sizeof(label), "  coalesce=%zu",
				 t->pts[i].y);
			print_point(f, rows, t, i, label);
		}
	for (i = 0; i < t->npts; i++)
		if (t->pts[i].x != sw->def_x && t->pts[i].y != sw->def_y) {
			if (!shown++)
				fprintf(f, "  combination of the two bests "
					   "(measured after the sweeps, not "
					   "interleaved):\n");
			label[0] = label[1] = ' ';
			setting(label + 2, sizeof(label) - 2, sw, &t->pts[i]);
			print_point(f, rows, t, i, label);
		}
}

void tune_print(FILE *f, const struct sweep *sw, const struct row *rows,
		size_t n, const struct tune_result *t)
{
	const struct tune_point *b = &t->pts[t->best];
	const struct row *best = &rows[b->row];
	const struct sample *s0 = &rows[t->pts[0].row].res.s[0];
	char label[64];
	size_t i;

	fprintf(f, "%s, %s: %llu bytes, %llu pieces, %zu samples a setting\n",
		t->workload, iovw_strategy_name(sw->s),
		(unsigned long long)best->stats.bytes,
		(unsigned long long)s0->st.pieces, best->res.n);
	fprintf(f, "  %-28s %10s %8s %8s %8s %9s %9s %8s\n", "setting",
		"median ms", "MAD ms", "MiB/s", "x pwrite", "writes", "iovecs",
		"vs best");
	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == ROW_GATHER_LIMIT ||
		    rows[i].spec.kind == ROW_PWRITE_LIMIT)
			print_row(f, "", rows[i].spec.name, &rows[i], best);
	print_sweeps(f, sw, rows, t);
	fprintf(f, "  (* best, D the library's default; writes: write calls a "
		   "sample; vs best:\n"
		   "  median over the best's)\n");
	fprintf(f, "  %-8s %-30s %9.3f ms  %.0f MiB/s  %.3f x pwrite\n", "best",
		setting(label, sizeof(label), sw, b), b->median_ns / 1e6,
		b->mib_s, best->stats.x_pwrite);
	print_cmp(f, sw, "next", &t->pts[t->next], &t->to_next, 0);
	print_cmp(f, sw, "default", &t->pts[t->def], &t->to_def,
		  t->def == t->best);
	fprintf(f, "\n");
}

/* The recommendation lines. */
void tune_print_rec(FILE *f, const struct sweep *sw, const struct tune_rec *rec)
{
	const char *s = iovw_strategy_name(sw->s);

	if (rec->keep)
		fprintf(f,
			"recommendation for %s: keep the library's defaults "
			"(%s=%zu coalesce=%zu)\n",
			s, sw->xname, sw->def_x, sw->def_y);
	else
		fprintf(f,
			"recommendation for %s: make %s=%zu coalesce=%zu the "
			"library's defaults (now %s=%zu coalesce=%zu)\n",
			s, sw->xname, rec->x, rec->y, sw->xname, sw->def_x,
			sw->def_y);
	fprintf(f, "  %s.\n", rec->reason);
}

static json_t *list_json(const size_t *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

void tune_config_json(json_t *c, const struct sweep *sw)
{
	json_object_set_new(c, sw->xname, list_json(sw->x, sw->nx));
	json_object_set_new(
		c, sw->s == IOVW_STREAM ? "stream_coalesce" : "coalesce",
		list_json(sw->y, sw->ny));
}

/* {"batch" or "stage", "coalesce", "median_ns", "throughput_mib_s"} of a
 * point. */
static json_t *point_json(const struct sweep *sw, const struct tune_point *p)
{
	return json_pack("{s:I,s:I,s:I,s:f}", sw->xname, (json_int_t)p->x,
			 "coalesce", (json_int_t)p->y, "median_ns",
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
				  point_json(sw, &r->pts[r->best]), "next",
				  point_json(sw, &r->pts[r->next]), "margin",
				  r->to_next.margin, "p_value",
				  r->to_next.p_value, "significant",
				  r->to_next.significant, "default",
				  point_json(sw, &r->pts[r->def]),
				  "default_margin", r->to_def.margin,
				  "default_p_value", r->to_def.p_value,
				  "default_significant",
				  r->to_def.significant));
	}
	return json_pack("{s:{s:I,s:I},s:f,s:f,s:o,s:{s:I,s:I,s:b,s:s}}",
			 "defaults", sw->xname, (json_int_t)sw->def_x,
			 "coalesce", (json_int_t)sw->def_y, "alpha", TUNE_ALPHA,
			 "min_gain", TUNE_MIN_GAIN, "workloads", wl,
			 "recommendation", sw->xname, (json_int_t)rec->x,
			 "coalesce", (json_int_t)rec->y, "keep_defaults",
			 rec->keep, "reason", rec->reason);
}
