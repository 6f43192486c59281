/*
 * module.c - one compiler module: generation, serializer, rebuild, compare.
 *
 * The parts follow a compiler's module cache: an identifier interner (names
 * in 1 KiB pages, NUL-terminated, with an open-addressing u32 hash index),
 * string literals (u32 length + bytes, also paged), the source text and its
 * line starts, a struct-of-arrays node store (u8 tag, 16-byte payload,
 * 8-byte region; one node per ~20 bytes of source), extra data, a type store
 * (8-byte slots, one per ~50 bytes; descriptors as 24 + 1 + 4 byte
 * arrays; type variables), exposed items sorted by name, 35 small lists of
 * which many are empty, and one 16-byte-aligned list. Every array is its
 * own allocation, as a compiler grows them; the serializer borrows them all.
 */
#include "kinds.h"
#include "loader.h"
#include "module.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_FIELD(i)           \
	{                       \
		"list" #i, 4, 4 \
	}
static const struct iovm_field fields[F_COUNT] = {
	{"ident_bytes", 1, 1},	 {"ident_index", 4, 4},	 {"strings", 1, 1},
	{"source", 1, 1},	 {"line_starts", 4, 4},	 {"node_tags", 1, 1},
	{"node_payload", 16, 8}, {"node_regions", 8, 4}, {"extra", 4, 4},
	{"type_slots", 8, 8},	 {"desc_a", 24, 8},	 {"desc_b", 1, 1},
	{"desc_c", 4, 4},	 {"type_vars", 4, 4},	 {"exposed", 8, 4},
	{"aligned16", 16, 16},	 LIST_FIELD(0),		 LIST_FIELD(1),
	LIST_FIELD(2),		 LIST_FIELD(3),		 LIST_FIELD(4),
	LIST_FIELD(5),		 LIST_FIELD(6),		 LIST_FIELD(7),
	LIST_FIELD(8),		 LIST_FIELD(9),		 LIST_FIELD(10),
	LIST_FIELD(11),		 LIST_FIELD(12),	 LIST_FIELD(13),
	LIST_FIELD(14),		 LIST_FIELD(15),	 LIST_FIELD(16),
	LIST_FIELD(17),		 LIST_FIELD(18),	 LIST_FIELD(19),
	LIST_FIELD(20),		 LIST_FIELD(21),	 LIST_FIELD(22),
	LIST_FIELD(23),		 LIST_FIELD(24),	 LIST_FIELD(25),
	LIST_FIELD(26),		 LIST_FIELD(27),	 LIST_FIELD(28),
	LIST_FIELD(29),		 LIST_FIELD(30),	 LIST_FIELD(31),
	LIST_FIELD(32),		 LIST_FIELD(33),	 LIST_FIELD(34),
};

const struct iovm_layout module_layout = {IOVM_KIND_MODULE, "module", fields,
					  F_COUNT};

/* ---- pages -------------------------------------------------------------- */

void pages_free(struct pages *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->page[i]);
	free(p->page);
	free(p->used);
	memset(p, 0, sizeof(*p));
}

/* ---- serializer --------------------------------------------------------- */

static int put_pages(struct iovm_out *o, unsigned f, const struct pages *p)
{
	size_t i;
	int rc = iovm_array_begin(o, f);

	for (i = 0; i < p->n && !rc; i++)
		rc = iovw_append(o->w, p->page[i], p->used[i], 1, NULL);
	return rc ? rc : iovm_array_end(o, f);
}

static int module_serialize(iovw_writer *w, void *ctx)
{
	const struct module *m = ctx;
	struct iovm_out o;
	unsigned k;
	int rc;

	if ((rc = iovm_begin(&o, w, &module_layout)) ||
	    (rc = put_pages(&o, F_IDENT_BYTES, &m->idents)) ||
	    (rc = iovm_put(&o, F_IDENT_INDEX, m->ident_index, m->index_len)) ||
	    (rc = put_pages(&o, F_STRINGS, &m->strings)) ||
	    (rc = iovm_put(&o, F_SOURCE, m->source, m->source_len)) ||
	    (rc = iovm_put(&o, F_LINE_STARTS, m->line_starts, m->nlines)) ||
	    (rc = iovm_put(&o, F_NODE_TAGS, m->tags, m->nnodes)) ||
	    (rc = iovm_put(&o, F_NODE_PAYLOAD, m->payload, m->nnodes)) ||
	    (rc = iovm_put(&o, F_NODE_REGIONS, m->regions, m->nnodes)) ||
	    (rc = iovm_put(&o, F_EXTRA, m->extra, m->nextra)) ||
	    (rc = iovm_put(&o, F_TYPE_SLOTS, m->slots, m->nslots)) ||
	    (rc = iovm_put(&o, F_DESC_A, m->desc_a, m->ndescs)) ||
	    (rc = iovm_put(&o, F_DESC_B, m->desc_b, m->ndescs)) ||
	    (rc = iovm_put(&o, F_DESC_C, m->desc_c, m->ndescs)) ||
	    (rc = iovm_put(&o, F_TYPE_VARS, m->vars, m->nvars)) ||
	    (rc = iovm_put(&o, F_EXPOSED, m->exposed, m->nexposed)) ||
	    (rc = iovm_put(&o, F_ALIGNED16, m->aligned, m->naligned)))
		return rc;
	for (k = 0; k < NLISTS; k++)
		if ((rc = iovm_put(&o, F_LIST0 + k, m->list[k],
				   m->list_len[k])))
			return rc;
	return iovm_finish(&o);
}

/* ---- rebuild: check what the arrays mean, then copy them ---------------- */

/* Offset `off` of ident_bytes is where a name starts: the first byte or
 * the one after a NUL, and not a NUL itself (names are never empty). */
static const char *not_a_name(const uint8_t *ib, uint64_t nib, uint64_t off)
{
	if (off >= nib)
		return "is past ident_bytes";
	if (ib[off] == 0)
		return "points at a NUL, not a name";
	if (off && ib[off - 1] != 0)
		return "points into the middle of a name";
	return NULL;
}

/* The interner: NUL-terminated names and an open-addressing index whose
 * entries are empty or the offset of a name. */
static int check_idents(const struct iovm_file *file, char *err, size_t errlen)
{
	uint64_t nib, nidx, i;
	const uint8_t *ib = iovm_field(file, F_IDENT_BYTES, &nib);
	const uint32_t *idx = iovm_field(file, F_IDENT_INDEX, &nidx);
	const char *why;

	if (nidx & (nidx - 1))
		return iovm_bad(err, errlen,
				"ident_index length %llu is not a power of two",
				(unsigned long long)nidx);
	if (nib > UINT32_MAX) /* its offsets are u32, a page's length too */
		return iovm_bad(err, errlen, "ident_bytes longer than 4 GiB");
	if (nib && ib[nib - 1] != 0)
		return iovm_bad(err, errlen,
				"ident_bytes does not end with a NUL");
	for (i = 0; i < nidx; i++)
		if (idx[i] != EMPTY_SLOT && (why = not_a_name(ib, nib, idx[i])))
			return iovm_bad(err, errlen,
					"ident_index[%llu] = %u %s (%llu bytes "
					"of names)",
					(unsigned long long)i, idx[i], why,
					(unsigned long long)nib);
	return 0;
}

/* String literals (u32 length + bytes), the line table and the nodes. */
static int check_text(const struct iovm_file *file, char *err, size_t errlen)
{
	uint64_t nstr, nsrc, nls, ntags, npay, nreg, i, pos;
	const uint8_t *str = iovm_field(file, F_STRINGS, &nstr);
	const uint32_t *ls = iovm_field(file, F_LINE_STARTS, &nls);
	const uint8_t *tags = iovm_field(file, F_NODE_TAGS, &ntags);
	const uint32_t *regions = iovm_field(file, F_NODE_REGIONS, &nreg);

	(void)iovm_field(file, F_SOURCE, &nsrc);
	(void)iovm_field(file, F_NODE_PAYLOAD, &npay);
	if (nstr > UINT32_MAX) /* one page when rebuilt: u32 length */
		return iovm_bad(err, errlen, "strings longer than 4 GiB");
	for (pos = 0; pos < nstr;) {
		uint32_t len;
		if (nstr - pos < 4)
			return iovm_bad(err, errlen,
					"strings: truncated length at byte "
					"%llu",
					(unsigned long long)pos);
		memcpy(&len, str + pos, 4);
		if (len > nstr - pos - 4)
			return iovm_bad(err, errlen,
					"strings: literal at byte %llu runs "
					"past the table",
					(unsigned long long)pos);
		pos += 4 + (uint64_t)len;
	}
	if (nsrc > UINT32_MAX)
		return iovm_bad(err, errlen, "source longer than 4 GiB");
	for (i = 0; i < nls; i++)
		if ((i == 0 && ls[0] != 0) || ls[i] >= (nsrc ? nsrc : 1) ||
		    (i && ls[i] <= ls[i - 1]))
			return iovm_bad(err, errlen,
					"line_starts[%llu] = %u is out of "
					"order or past the source",
					(unsigned long long)i, ls[i]);
	if (ntags != npay || ntags != nreg)
		return iovm_bad(err, errlen,
				"node arrays disagree in length (%llu tags, "
				"%llu payloads, %llu regions)",
				(unsigned long long)ntags,
				(unsigned long long)npay,
				(unsigned long long)nreg);
	for (i = 0; i < ntags; i++) {
		uint32_t a = regions[2 * i], b = regions[2 * i + 1];
		if (tags[i] >= NODE_TAGS)
			return iovm_bad(err, errlen,
					"node %llu has unknown tag %u",
					(unsigned long long)i, tags[i]);
		if (a > b || b > nsrc)
			return iovm_bad(err, errlen,
					"node %llu region %u..%u is outside "
					"the source",
					(unsigned long long)i, a, b);
	}
	return 0;
}

/* The type store: descriptor arrays of one length, kinds in range, type
 * variables naming slots. */
static int check_types(const struct iovm_file *file, char *err, size_t errlen)
{
	uint64_t nslots, na, nb, nc, nvars, i;
	const uint8_t *db = iovm_field(file, F_DESC_B, &nb);
	const uint32_t *vars = iovm_field(file, F_TYPE_VARS, &nvars);

	(void)iovm_field(file, F_TYPE_SLOTS, &nslots);
	(void)iovm_field(file, F_DESC_A, &na);
	(void)iovm_field(file, F_DESC_C, &nc);
	if (na != nb || na != nc)
		return iovm_bad(err, errlen,
				"type descriptor arrays disagree in length");
	for (i = 0; i < nb; i++)
		if (db[i] >= DESC_KINDS)
			return iovm_bad(err, errlen,
					"type descriptor %llu has unknown kind "
					"%u",
					(unsigned long long)i, db[i]);
	for (i = 0; i < nvars; i++)
		if (vars[i] >= nslots)
			return iovm_bad(err, errlen,
					"type_vars[%llu] = %u is past the %llu "
					"type slots",
					(unsigned long long)i, vars[i],
					(unsigned long long)nslots);
	return 0;
}

/* Exposed items (a name and a node, sorted by name) and the lists of
 * node indices. */
static int check_refs(const struct iovm_file *file, char *err, size_t errlen)
{
	uint64_t nib, ntags, nex, i, k;
	const uint8_t *ib = iovm_field(file, F_IDENT_BYTES, &nib);
	const struct exposed *ex = iovm_field(file, F_EXPOSED, &nex);
	const char *why;

	(void)iovm_field(file, F_NODE_TAGS, &ntags);
	for (i = 0; i < nex; i++) {
		if (ex[i].node >= ntags)
			return iovm_bad(err, errlen,
					"exposed item %llu points outside the "
					"module (node %u of %llu)",
					(unsigned long long)i, ex[i].node,
					(unsigned long long)ntags);
		if ((why = not_a_name(ib, nib, ex[i].ident)))
			return iovm_bad(
				err, errlen, "exposed item %llu: ident %u %s",
				(unsigned long long)i, ex[i].ident, why);
		if (i && ex[i].ident <= ex[i - 1].ident)
			return iovm_bad(err, errlen,
					"exposed items are not sorted at %llu",
					(unsigned long long)i);
	}
	for (k = 0; k < NLISTS; k++) {
		uint64_t n;
		const uint32_t *l = iovm_field(file, F_LIST0 + (unsigned)k, &n);
		for (i = 0; i < n; i++)
			if (l[i] >= ntags)
				return iovm_bad(err, errlen,
						"list%llu[%llu] = %u is not a "
						"node",
						(unsigned long long)k,
						(unsigned long long)i, l[i]);
	}
	return 0;
}

static int check(const struct iovm_file *file, char *err, size_t errlen)
{
	int rc;

	if ((rc = check_idents(file, err, errlen)) ||
	    (rc = check_text(file, err, errlen)) ||
	    (rc = check_types(file, err, errlen)) ||
	    (rc = check_refs(file, err, errlen)))
		return rc;
	return 0;
}

void *module_alloc16(size_t n)
{
	void *p;

#ifdef _WIN32
	/* malloc aligns to 16 on Win64, and only free() can take memory
	 * that free() is to take there */
	p = malloc(n ? n : 1);
#else
	if (posix_memalign(&p, 16, n ? n : 1))
		p = NULL;
#endif
	return p;
}

/* A copy of field f (at least one byte allocated, suitably aligned). */
static void *copy_field(const struct iovm_file *file, unsigned f, uint64_t *n)
{
	const void *p = iovm_field(file, f, n);
	size_t bytes = (size_t)*n * module_layout.fields[f].elem_size;
	void *dst;

	dst = module_alloc16(bytes);
	if (!dst)
		return NULL;
	if (bytes)
		memcpy(dst, p, bytes);
	return dst;
}

static int pages_from(struct pages *pg, const struct iovm_file *file,
		      unsigned f)
{
	uint64_t n;
	void *p = copy_field(file, f, &n);

	pg->page = malloc(sizeof(*pg->page));
	pg->used = malloc(sizeof(*pg->used));
	if (!p || !pg->page || !pg->used) {
		free(p);
		return -ENOMEM;
	}
	pg->page[0] = p;
	pg->used[0] = (uint32_t)n;
	pg->n = pg->cap = 1;
	pg->total = n;
	return 0;
}

static int module_rebuild(const struct iovm_file *file, void **obj, char *err,
			  size_t errlen)
{
	struct module *m;
	uint64_t dummy, k;
	int rc = check(file, err, errlen);

	if (rc || !obj)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (pages_from(&m->idents, file, F_IDENT_BYTES) ||
	    pages_from(&m->strings, file, F_STRINGS))
		goto nomem;
	m->ident_index = copy_field(file, F_IDENT_INDEX, &m->index_len);
	m->source = copy_field(file, F_SOURCE, &m->source_len);
	m->line_starts = copy_field(file, F_LINE_STARTS, &m->nlines);
	m->tags = copy_field(file, F_NODE_TAGS, &m->nnodes);
	m->payload = copy_field(file, F_NODE_PAYLOAD, &dummy);
	m->regions = copy_field(file, F_NODE_REGIONS, &dummy);
	m->extra = copy_field(file, F_EXTRA, &m->nextra);
	m->slots = copy_field(file, F_TYPE_SLOTS, &m->nslots);
	m->desc_a = copy_field(file, F_DESC_A, &m->ndescs);
	m->desc_b = copy_field(file, F_DESC_B, &dummy);
	m->desc_c = copy_field(file, F_DESC_C, &dummy);
	m->vars = copy_field(file, F_TYPE_VARS, &m->nvars);
	m->exposed = copy_field(file, F_EXPOSED, &m->nexposed);
	m->aligned = copy_field(file, F_ALIGNED16, &m->naligned);
	if (!m->ident_index || !m->source || !m->line_starts || !m->tags ||
	    !m->payload || !m->regions || !m->extra || !m->slots ||
	    !m->desc_a || !m->desc_b || !m->desc_c || !m->vars || !m->exposed ||
	    !m->aligned)
		goto nomem;
	for (k = 0; k < NLISTS; k++)
		if (!(m->list[k] = copy_field(file, F_LIST0 + (unsigned)k,
					      &m->list_len[k])))
			goto nomem;
	*obj = m;
	return 0;
nomem:
	module_free(m);
	return -ENOMEM;
}

/* ---- compare, describe, free -------------------------------------------- */

/* Compare the concatenated bytes of two page lists. */
static int pages_equal(const struct pages *a, const struct pages *b)
{
	size_t pa = 0, pb = 0, oa = 0, ob = 0;

	if (a->total != b->total)
		return 0;
	while (pa < a->n && pb < b->n) {
		size_t la = a->used[pa] - oa, lb = b->used[pb] - ob;
		size_t n = la < lb ? la : lb;
		if (memcmp(a->page[pa] + oa, b->page[pb] + ob, n))
			return 0;
		oa += n;
		ob += n;
		if (oa == a->used[pa]) {
			pa++;
			oa = 0;
		}
		if (ob == b->used[pb]) {
			pb++;
			ob = 0;
		}
	}
	return 1;
}

static int same(const void *a, const void *b, uint64_t na, uint64_t nb,
		size_t elem)
{
	return na == nb && (!na || !memcmp(a, b, (size_t)na * elem));
}

static int module_equal(const void *x, const void *y, char *err, size_t errlen)
{
	const struct module *a = x, *b = y;
	unsigned k;

#define DIFF(cond, what)                                                  \
	do {                                                              \
		if (!(cond))                                              \
			return iovm_bad(err, errlen, "module: %s differ", \
					what);                            \
	} while (0)
	DIFF(pages_equal(&a->idents, &b->idents), "ident_bytes");
	DIFF(same(a->ident_index, b->ident_index, a->index_len, b->index_len,
		  4),
	     "ident_index");
	DIFF(pages_equal(&a->strings, &b->strings), "strings");
	DIFF(same(a->source, b->source, a->source_len, b->source_len, 1),
	     "source");
	DIFF(same(a->line_starts, b->line_starts, a->nlines, b->nlines, 4),
	     "line_starts");
	DIFF(same(a->tags, b->tags, a->nnodes, b->nnodes, 1), "node_tags");
	DIFF(same(a->payload, b->payload, a->nnodes, b->nnodes, 16),
	     "node_payload");
	DIFF(same(a->regions, b->regions, a->nnodes, b->nnodes, 8),
	     "node_regions");
	DIFF(same(a->extra, b->extra, a->nextra, b->nextra, 4), "extra");
	DIFF(same(a->slots, b->slots, a->nslots, b->nslots, 8), "type_slots");
	DIFF(same(a->desc_a, b->desc_a, a->ndescs, b->ndescs, 24), "desc_a");
	DIFF(same(a->desc_b, b->desc_b, a->ndescs, b->ndescs, 1), "desc_b");
	DIFF(same(a->desc_c, b->desc_c, a->ndescs, b->ndescs, 4), "desc_c");
	DIFF(same(a->vars, b->vars, a->nvars, b->nvars, 4), "type_vars");
	DIFF(same(a->exposed, b->exposed, a->nexposed, b->nexposed, 8),
	     "exposed");
	DIFF(same(a->aligned, b->aligned, a->naligned, b->naligned, 16),
	     "aligned16");
	for (k = 0; k < NLISTS; k++)
		DIFF(same(a->list[k], b->list[k], a->list_len[k],
			  b->list_len[k], 4),
		     "lists");
#undef DIFF
	return 0;
}

static void module_describe(const void *obj, char *buf, size_t n)
{
	const struct module *m = obj;
	unsigned k, empty = 0;

	for (k = 0; k < NLISTS; k++)
		empty += !m->list_len[k];
	snprintf(buf, n,
		 "module: %llu B source, %llu lines, %llu nodes, %llu type "
		 "slots, %llu B of names, %llu exposed, %u of %u lists empty",
		 (unsigned long long)m->source_len,
		 (unsigned long long)m->nlines, (unsigned long long)m->nnodes,
		 (unsigned long long)m->nslots,
		 (unsigned long long)m->idents.total,
		 (unsigned long long)m->nexposed, empty, NLISTS);
}

void module_free(void *obj)
{
	struct module *m = obj;
	unsigned k;

	if (!m)
		return;
	pages_free(&m->idents);
	pages_free(&m->strings);
	free(m->ident_index);
	free(m->source);
	free(m->line_starts);
	free(m->tags);
	free(m->payload);
	free(m->regions);
	free(m->extra);
	free(m->slots);
	free(m->desc_a);
	free(m->desc_b);
	free(m->desc_c);
	free(m->vars);
	free(m->exposed);
	free(m->aligned);
	for (k = 0; k < NLISTS; k++)
		free(m->list[k]);
	free(m);
}

const struct kind_ops module_ops = {
	IOVM_KIND_MODULE, &module_layout,  module_serialize, module_rebuild,
	module_equal,	  module_describe, module_free,
};
