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

/* "NAME[ batch=B][ coalesce=C]" into label, the id from it. */
static void row_names(struct row_spec *s)
{
	size_t len;
	char *p;

	len = (size_t)snprintf(s->label, sizeof(s->label), "%s", s->name);
	if (s->batch && len < sizeof(s->label))
		len += (size_t)snprintf(s->label + len, sizeof(s->label) - len,
					" batch=%zu", s->batch);
	if (s->coalesce && len < sizeof(s->label))
		snprintf(s->label + len, sizeof(s->label) - len,
			 " coalesce=%zu", s->coalesce);
	snprintf(s->id, sizeof(s->id), "%s-%s", s->workload, s->label);
	for (p = s->id; *p; p++)
		if (*p == ' ' || *p == '=')
			*p = '_';
}

int rows_add(struct row_set *set, const char *workload, enum row_kind kind,
	     iovw_strategy strategy, const char *engine, size_t batch,
	     size_t coalesce, int fsync)
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
	r->spec.kind = kind;
	r->spec.strategy = strategy;
	r->spec.engine = engine;
	r->spec.batch = batch;
	r->spec.coalesce = coalesce;
	r->spec.fsync = fsync;
	snprintf(r->spec.workload, sizeof(r->spec.workload), "%s", workload);
	if (kind == ROW_STRATEGY)
		snprintf(r->spec.name, sizeof(r->spec.name), "%s",
			 iovw_strategy_name(strategy));
	else if (kind == ROW_PEER)
		snprintf(r->spec.name, sizeof(r->spec.name), "fio-%s", engine);
	else
		snprintf(r->spec.name, sizeof(r->spec.name), "%s",
			 kind_names[kind]);
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

/* The limits, the reference rows every plan starts with. */
static int plan_limits(const char *workload, int fsync, struct row_set *set)
{
	int rc =
		rows_add(set, workload, ROW_GATHER_LIMIT, 0, NULL, 0, 0, fsync);
	return rc ? rc
		  : rows_add(set, workload, ROW_PWRITE_LIMIT, 0, NULL, 0, 0,
			     fsync);
}

int plan_run(const struct bench_cfg *cfg, const char *workload,
	     struct row_set *set)
{
	size_t b, c, nb;
	unsigned s;
	int rc = plan_limits(workload, cfg->fsync, set);

	for (s = 0; s < IOVW_STRATEGY_COUNT && !rc; s++) {
		int batched = s == IOVW_PWRITEV,
		    coalesced = batched || s == IOVW_WRITE_EACH;
		if (!(cfg->smask & (1u << s)))
			continue;
		nb = batched ? cfg->nbatch : 1;
		for (b = 0; b < nb && !rc; b++)
			for (c = 0; c < (coalesced ? cfg->ncoalesce : 1) && !rc;
			     c++)
				rc = rows_add(set, workload, ROW_STRATEGY,
					      (iovw_strategy)s, NULL,
					      batched ? cfg->batch[b] : 0,
					      coalesced ? cfg->coalesce[c] : 0,
					      cfg->fsync);
	}
	for (s = 0; cfg->peers && s < PEER_COUNT && !rc; s++)
		rc = rows_add(set, workload, ROW_PEER, 0, peer_engines[s], 0, 0,
			      cfg->fsync);
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

void sweep_init(struct sweep *sw, const struct bench_cfg *cfg)
{
	memset(sw, 0, sizeof(*sw));
	sw->def_batch = iovw_iov_max();
	sw->def_coalesce = 0;
	memcpy(sw->batch, cfg->batch, cfg->nbatch * sizeof(size_t));
	sw->nbatch = cfg->nbatch;
	sw->batch[sw->nbatch++] = sw->def_batch;
	sort_unique(sw->batch, &sw->nbatch);
	memcpy(sw->coalesce, cfg->coalesce, cfg->ncoalesce * sizeof(size_t));
	sw->ncoalesce = cfg->ncoalesce;
	sw->coalesce[sw->ncoalesce++] = sw->def_coalesce;
	sort_unique(sw->coalesce, &sw->ncoalesce);
}

int plan_tune(const struct sweep *sw, const char *workload, struct row_set *set)
{
	size_t i;
	int rc = plan_limits(workload, 0, set);

	for (i = 0; i < sw->nbatch && !rc; i++)
		rc = rows_add(set, workload, ROW_STRATEGY, IOVW_PWRITEV, NULL,
			      sw->batch[i], sw->def_coalesce, 0);
	for (i = 0; i < sw->ncoalesce && !rc; i++)
		if (sw->coalesce[i] != sw->def_coalesce)
			rc = rows_add(set, workload, ROW_STRATEGY, IOVW_PWRITEV,
				      NULL, sw->def_batch, sw->coalesce[i], 0);
	return rc;
}
