/*
 * rowstats.c - the statistics of measured rows (see rowstats.h).
 */
#include "engine/rowstats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GETTER(field)                                     \
	static double get_##field(const struct sample *s) \
	{                                                 \
		return (double)s->field;                  \
	}
GETTER(total_ns)
GETTER(peak_rss_delta)
GETTER(anon_delta)
GETTER(file_delta)
GETTER(cache_bytes)
GETTER(minflt)
GETTER(majflt)
GETTER(utime_ns)
GETTER(stime_ns)
GETTER(proc_minflt)
GETTER(proc_majflt)
GETTER(proc_utime_ns)
GETTER(proc_stime_ns)
#undef GETTER

static double get_build(const struct sample *s)
{
	return (double)s->st.build_ns;
}

static double get_write(const struct sample *s)
{
	return (double)s->st.write_ns;
}

/* A summary of the value `get` reads from each sample. */
static int summary_of(const struct row_result *r,
		      double (*get)(const struct sample *), struct summary *out)
{
	double *v = malloc((r->n ? r->n : 1) * sizeof(*v));
	size_t i;
	int rc;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < r->n; i++)
		v[i] = get(&r->s[i]);
	rc = summarize(v, r->n, out);
	free(v);
	return rc;
}

/* The median of the value `get` reads from each sample. */
static int med(const struct row_result *r, double (*get)(const struct sample *),
	       double *out)
{
	struct summary s = {0, 0, 0, 0};
	int rc = summary_of(r, get, &s);

	*out = s.median;
	return rc;
}

static int medians(const struct row_result *r, struct row_medians *m)
{
	return med(r, get_peak_rss_delta, &m->peak_rss) ||
			       med(r, get_anon_delta, &m->anon) ||
			       med(r, get_file_delta, &m->file) ||
			       med(r, get_cache_bytes, &m->cache) ||
			       med(r, get_minflt, &m->minflt) ||
			       med(r, get_majflt, &m->majflt) ||
			       med(r, get_utime_ns, &m->utime_ns) ||
			       med(r, get_stime_ns, &m->stime_ns) ||
			       med(r, get_proc_minflt, &m->proc_minflt) ||
			       med(r, get_proc_majflt, &m->proc_majflt) ||
			       med(r, get_proc_utime_ns, &m->proc_utime_ns) ||
			       med(r, get_proc_stime_ns, &m->proc_stime_ns)
		       ? -ENOMEM
		       : 0;
}

/* The bytes a row writes: gather-limit's are the bytes it gathers; a
 * peer's what fio wrote. */
static uint64_t row_bytes(const struct row *r)
{
	if (!r->res.n)
		return 0;
	if (r->spec.kind == ROW_GATHER_LIMIT)
		return r->res.s[0].st.bytes_copied;
	return r->res.s[0].st.bytes_written;
}

/* The stats of one row that need no other row. */
static int row_own(struct row *r)
{
	struct row_stats *s = &r->stats;

	memset(s, 0, sizeof(*s));
	if (summary_of(&r->res, get_total_ns, &s->wall) ||
	    summary_of(&r->res, get_build, &s->build) ||
	    summary_of(&r->res, get_write, &s->write) ||
	    medians(&r->res, &s->med))
		return -ENOMEM;
	s->bytes = row_bytes(r);
	s->mib_s = s->wall.median > 0 ? (double)s->bytes / (1 << 20) /
						(s->wall.median / 1e9)
				      : 0;
	return 0;
}

/* The reference row of `kind` with the memory of `warm`, else of the
 * other memory (gather-limit is measured once). */
static const struct row *find_ref(const struct row *rows, size_t n,
				  enum row_kind kind, int warm)
{
	const struct row *other = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].spec.kind == kind) {
			if (rows[i].spec.warm == warm)
				return &rows[i];
			other = other ? other : &rows[i];
		}
	return other;
}

/* x / y, 0 where there is no y. */
static double ratio(const struct row *ref, const struct row *r)
{
	return ref && r->stats.wall.median > 0
		       ? ref->stats.wall.median / r->stats.wall.median
		       : 0;
}

int rows_summarize(struct row *rows, size_t n)
{
	const struct row *first = NULL;
	struct row *fastest[2] = {NULL, NULL};
	int peer_warm;
	size_t i;

	for (i = 0; i < n; i++) {
		if (row_own(&rows[i]))
			return -ENOMEM;
		if (rows[i].res.has_digest && !first)
			first = &rows[i];
	}
	/* fio writes from one buffer it reuses: warm memory, where the run
	 * has it */
	peer_warm = find_ref(rows, n, ROW_PWRITE_LIMIT, 1) != NULL;
	for (i = 0; i < n; i++) {
		struct row *r = &rows[i], **f = &fastest[!!r->spec.warm];
		int warm = r->spec.kind == ROW_PEER ? peer_warm : r->spec.warm;

		r->stats.x_gather =
			ratio(find_ref(rows, n, ROW_GATHER_LIMIT, warm), r);
		r->stats.x_pwrite =
			ratio(find_ref(rows, n, ROW_PWRITE_LIMIT, warm), r);
		r->stats.same = !r->res.has_digest || !first ||
				!strcmp(r->res.digest, first->res.digest);
		if (r->spec.kind == ROW_STRATEGY &&
		    (!*f || r->stats.wall.median < (*f)->stats.wall.median))
			*f = r;
	}
	for (i = 0; i < 2; i++)
		if (fastest[i])
			fastest[i]->stats.fastest = 1;
	return 0;
}

int rows_equivalent(const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!rows[i].stats.same)
			return 0;
	return 1;
}
