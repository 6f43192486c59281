/*
 * plan.c - which rows a workload gets (see plan.h).
 */
#include "engine/plan.h"

#include "engine/peers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS_MIN_BYTES (1u << 20)

/* "NAME[ batch=B][ coalesce=C][ stage=S][ hugepage][ dontcache][ warm]"
 * into label,
 * the id from it. */
static void row_names(struct row_spec *s)
{
	size_t len;
	char *p;

	len = (size_t)snprintf(s->label, sizeof(s->label), "%s", s->name);
	if (s->batch && len < sizeof(s->label))
		len += (size_t)snprintf(s->label + len, sizeof(s->label) - len,
					" batch=%zu", s->batch);
	if (s->coalesce && len < sizeof(s->label))
		len += (size_t)snprintf(s->label + len, sizeof(s->label) - len,
					" coalesce=%zu", s->coalesce);
	if (s->stage && len < sizeof(s->label))
		len += (size_t)snprintf(s->label + len, sizeof(s->label) - len,
					" stage=%zu", s->stage);
	if (s->hugepage && len < sizeof(s->label))
		len += (size_t)snprintf(s->label + len, sizeof(s->label) - len,
					" hugepage");
	if (s->dontcache && len < sizeof(s->label))
		len += (size_t)snprintf(s->label + len, sizeof(s->label) - len,
					" dontcache");
	if (s->warm && len < sizeof(s->label))
		snprintf(s->label + len, sizeof(s->label) - len, " warm");
	snprintf(s->id, sizeof(s->id), "%s-%s", s->workload, s->label);
	for (p = s->id; *p; p++)
		if (*p == ' ' || *p == '=')
			*p = '_';
}

int rows_add(struct row_set *set, const char *workload,
	     const struct row_spec *spec)
{
	static const char *const kind_names[] = {
		[ROW_GATHER_LIMIT] = "gather-limit",
		[ROW_PWRITE_LIMIT] = "pwrite-limit"};
	struct row *r;

	if (set->n == set->cap) {
		/* at least ROWS_MIN_BYTES: a block that large is a mapping of
		 * its own, off the heap the samples' children inherit, so that
		 * how many rows the harness holds does not change when a
		 * strategy's malloc grows the heap (its brk calls) */
		size_t cap = set->cap ? 2 * set->cap
				      : ROWS_MIN_BYTES / sizeof(struct row) + 1;
		struct row *v = realloc(set->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	r = &set->v[set->n++];
	memset(r, 0, sizeof(*r));
	r->spec = *spec;
	snprintf(r->spec.workload, sizeof(r->spec.workload), "%s", workload);
	if (spec->kind == ROW_STRATEGY)
		snprintf(r->spec.name, sizeof(r->spec.name), "%s",
			 iovw_strategy_name(spec->strategy));
	else if (spec->kind == ROW_PEER || spec->kind == ROW_TWIN)
		snprintf(r->spec.name, sizeof(r->spec.name), "%s-%s",
			 spec->kind == ROW_PEER ? "fio" : "twin", spec->engine);
	else
		snprintf(r->spec.name, sizeof(r->spec.name), "%s",
			 kind_names[spec->kind]);
	row_names(&r->spec);
	r->res.sc_rc = -ENODATA; /* not counted (yet) */
	return 0;
}

void rows_free(struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].res.s);
		rows[i].res.s = NULL;
	}
}

void rows_clear(struct row_set *set)
{
	rows_free(set->v, set->n);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* The limits, the reference rows every plan starts with: gather-limit
 * once (its buffer is pre-faulted and its plan writer kept between files
 * whatever the memory: warm rows are set against it too; `gather`), then
 * pwrite-limit in the memory `warm`. */
static int plan_limits(const char *workload, int fsync, int warm, int gather,
		       struct row_set *set)
{
	int rc = !gather ? 0
			 : rows_add(set, workload,
				    &(struct row_spec){.kind = ROW_GATHER_LIMIT,
						       .fsync = fsync,
						       .warm = warm});
	return rc ? rc
		  : rows_add(set, workload,
			     &(struct row_spec){.kind = ROW_PWRITE_LIMIT,
						.fsync = fsync,
						.warm = warm});
}

/* A strategy's rows: pwritev with every batch limit and threshold,
 * write-each with every threshold, stream with every staging size and
 * threshold, the others once at their defaults (buffer once more with
 * huge pages, cfg->hugepage). */
static int plan_strategy(const struct bench_cfg *cfg, const char *workload,
			 iovw_strategy s, int warm, struct row_set *set)
{
	int batched = s == IOVW_PWRITEV, staged = s == IOVW_STREAM;
	int coalesced = batched || staged || s == IOVW_WRITE_EACH;
	size_t b, c, g, nb = batched ? cfg->nbatch : 1;
	size_t nc = coalesced ? cfg->ncoalesce : 1;
	size_t ng = staged ? cfg->nstage : 1;
	struct row_spec spec = {.kind = ROW_STRATEGY,
				.strategy = s,
				.fsync = cfg->fsync,
				.warm = warm};
	int rc = 0;

	for (b = 0; b < nb && !rc; b++)
		for (g = 0; g < ng && !rc; g++)
			for (c = 0; c < nc && !rc; c++) {
				spec.batch = batched ? cfg->batch[b] : 0;
				spec.coalesce =
					coalesced ? cfg->coalesce[c] : 0;
				spec.stage = staged ? cfg->stage[g] : 0;
				rc = rows_add(set, workload, &spec);
			}
	if (!rc && s == IOVW_BUFFER && cfg->hugepage) {
		spec.hugepage = 1;
		rc = rows_add(set, workload, &spec);
	}
	/* --dontcache: pwritev and stream once more at their first settings,
	 * with IOVW_F_DONTCACHE */
	if (!rc && (batched || staged) && cfg->dontcache) {
		spec.batch = batched ? cfg->batch[0] : 0;
		spec.coalesce = cfg->coalesce[0];
		spec.stage = staged ? cfg->stage[0] : 0;
		spec.dontcache = 1;
		rc = rows_add(set, workload, &spec);
	}
	return rc;
}

int plan_run(const struct bench_cfg *cfg, const char *workload,
	     struct row_set *set)
{
	unsigned s;
	int warm, rc = 0;

	for (warm = 0; warm < 2 && !rc; warm++) {
		if (!(cfg->memory & (warm ? MEM_WARM : MEM_FRESH)))
			continue;
		rc = plan_limits(workload, cfg->fsync, warm,
				 !warm || !(cfg->memory & MEM_FRESH), set);
		for (s = 0; s < IOVW_STRATEGY_COUNT && !rc; s++)
			if ((cfg->smask & (1u << s)) &&
			    !(warm && s == IOVW_WRITE_EACH && !cfg->warm_each))
				rc = plan_strategy(cfg, workload,
						   (iovw_strategy)s, warm, set);
	}
	for (s = 0; cfg->peers && s < PEER_COUNT && !rc; s++)
		rc = rows_add(set, workload,
			      &(struct row_spec){.kind = ROW_PEER,
						 .engine = peer_engines[s],
						 .fsync = cfg->fsync});
	for (warm = 0; cfg->peers && warm < 2 && !rc; warm++)
		for (s = 0; s < PEER_COUNT && !rc &&
			    (cfg->memory & (warm ? MEM_WARM : MEM_FRESH));
		     s++)
			rc = rows_add(
				set, workload,
				&(struct row_spec){.kind = ROW_TWIN,
						   .engine = peer_engines[s],
						   .fsync = cfg->fsync,
						   .warm = warm});
	return rc;
}

/* Sort a list and drop repeated values. */
static void sort_unique(size_t *v, size_t *n)
{
	size_t i, j, k = 0;

	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			size_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < *n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

void sweep_init(struct sweep *sw, const struct bench_cfg *cfg, iovw_strategy s)
{
	int stream = s == IOVW_STREAM;
	size_t i;

	memset(sw, 0, sizeof(*sw));
	sw->s = s;
	sw->xname = stream ? "stage" : "batch";
	sw->def_x = stream ? IOVW_STAGE_DEFAULT : iovw_iov_max();
	sw->def_y = stream ? IOVW_STREAM_COALESCE_DEFAULT : 0;
	for (i = 0; i < (stream ? cfg->nstage : cfg->nbatch); i++) {
		size_t v = stream ? cfg->stage[i] : cfg->batch[i];
		sw->x[sw->nx++] = v ? v : sw->def_x;
	}
	sw->x[sw->nx++] = sw->def_x;
	sort_unique(sw->x, &sw->nx);
	for (i = 0; i < cfg->ncoalesce; i++)
		sw->y[sw->ny++] =
			stream && !cfg->coalesce[i] ? 1 : cfg->coalesce[i];
	sw->y[sw->ny++] = sw->def_y;
	sort_unique(sw->y, &sw->ny);
}

struct row_spec sweep_spec(const struct sweep *sw, size_t x, size_t y)
{
	struct row_spec s = {
		.kind = ROW_STRATEGY, .strategy = sw->s, .coalesce = y};

	if (sw->s == IOVW_STREAM)
		s.stage = x;
	else
		s.batch = x;
	return s;
}

int sweep_has(const struct sweep *sw, const struct row_spec *spec, size_t *x,
	      size_t *y)
{
	if (spec->kind != ROW_STRATEGY || spec->strategy != sw->s)
		return 0;
	*x = sw->s == IOVW_STREAM ? spec->stage : spec->batch;
	*y = spec->coalesce;
	return 1;
}

int plan_tune(const struct sweep *sw, size_t n, const char *workload,
	      struct row_set *set)
{
	struct row_spec spec;
	size_t i, k;
	int rc = plan_limits(workload, 0, 0, 1, set);

	for (k = 0; k < n && !rc; k++) {
		for (i = 0; i < sw[k].nx && !rc; i++) {
			spec = sweep_spec(&sw[k], sw[k].x[i], sw[k].def_y);
			rc = rows_add(set, workload, &spec);
		}
		for (i = 0; i < sw[k].ny && !rc; i++) {
			if (sw[k].y[i] == sw[k].def_y)
				continue;
			spec = sweep_spec(&sw[k], sw[k].def_x, sw[k].y[i]);
			rc = rows_add(set, workload, &spec);
		}
	}
	return rc;
}
