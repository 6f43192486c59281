/*
 * module_gen.c - generating a module: a synthetic source text whose names,
 * literals and line starts feed the interner, string table and line
 * table, and node, type and list stores of the sizes the README gives.
 * Deterministic from the seed.
 */
#include "kinds.h"
#include "module.h"
#include "rng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- pages -------------------------------------------------------------- */

/* Room for n bytes (n <= PAGE), in the last page or a new one; returns the
 * place and its offset in the concatenation. */
static unsigned char *pages_take(struct pages *p, size_t n, uint64_t *off)
{
	unsigned char *dst;

	if (!p->n || p->used[p->n - 1] + n > PAGE) {
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 16;
			unsigned char **pg =
				realloc(p->page, cap * sizeof(*pg));
			uint32_t *u;
			if (!pg)
				return NULL;
			p->page = pg;
			u = realloc(p->used, cap * sizeof(*u));
			if (!u)
				return NULL;
			p->used = u;
			p->cap = cap;
		}
		p->page[p->n] = malloc(PAGE);
		if (!p->page[p->n])
			return NULL;
		p->used[p->n++] = 0;
	}
	dst = p->page[p->n - 1] + p->used[p->n - 1];
	*off = p->total;
	p->used[p->n - 1] += (uint32_t)n;
	p->total += n;
	return dst;
}

/* ---- generation --------------------------------------------------------- */

static const char *const syllables[] = {
	"ka", "lo", "mi", "nu", "re", "sa", "ti", "vo", "xe", "zu",
	"an", "el", "in", "or", "um", "by", "dr", "st", "qu", "ph",
};

static uint32_t hash_name(const char *s, size_t n)
{
	return (uint32_t)XXH3_64bits(s, n);
}

/* Intern a name: its offset in ident_bytes. `names` maps index slots to
 * the interned names while the module is generated. */
static int intern(struct module *m, const char **names, const char *name,
		  uint32_t *off)
{
	size_t n = strlen(name) + 1;
	uint64_t mask = m->index_len - 1, i, o;
	unsigned char *dst;

	for (i = hash_name(name, n - 1) & mask;; i = (i + 1) & mask) {
		if (m->ident_index[i] == EMPTY_SLOT)
			break;
		if (!strcmp(names[i], name)) {
			*off = m->ident_index[i];
			return 0;
		}
	}
	dst = pages_take(&m->idents, n, &o);
	if (!dst)
		return -ENOMEM;
	memcpy(dst, name, n);
	m->ident_index[i] = (uint32_t)o;
	names[i] = (const char *)dst;
	*off = (uint32_t)o;
	return 0;
}

/* The name of vocabulary entry `id`: the same for the same id and seed. */
static void make_name(uint64_t seed, char *buf, uint64_t id)
{
	struct rng nr = {id * 0x9e3779b97f4a7c15u ^ seed};
	unsigned k, parts = 2 + (unsigned)rng_below(&nr, 3);
	size_t len = 0;

	for (k = 0; k < parts; k++) {
		const char *s = syllables[rng_below(&nr, 20)];
		memcpy(buf + len, s, 2);
		len += 2;
	}
	len += (size_t)sprintf(buf + len, "_%llu", (unsigned long long)id);
	buf[len] = '\0';
}

/* Grow-only byte buffer for the source text. */
static int put_text(struct module *m, uint64_t *cap, const char *s, size_t n)
{
	if (m->source_len + n > *cap) {
		uint64_t nc = *cap * 2 > m->source_len + n ? *cap * 2
							   : m->source_len + n;
		char *p = realloc(m->source, (size_t)nc);
		if (!p)
			return -ENOMEM;
		m->source = p;
		*cap = nc;
	}
	memcpy(m->source + m->source_len, s, n);
	m->source_len += n;
	return 0;
}

static int add_string(struct module *m, const char *s, uint32_t len)
{
	uint64_t off;
	unsigned char *dst = pages_take(&m->strings, 4 + (size_t)len, &off);

	if (!dst)
		return -ENOMEM;
	memcpy(dst, &len, 4);
	memcpy(dst + 4, s, len);
	return 0;
}

static int gen_source(struct module *m, const char **names, struct rng *r,
		      uint64_t target, uint64_t nvocab)
{
	static const char *const words[] = {"the",   "value", "of",    "list",
					    "error", "ok",    "parse", "type"};
	uint64_t cap = target + 256, lines_cap = 1024, name_seed = r->s;
	char line[256], name[64], lit[96];
	uint32_t off;
	int rc = 0;

	m->source = malloc((size_t)cap);
	m->line_starts = malloc(lines_cap * sizeof(uint32_t));
	if (!m->source || !m->line_starts)
		return -ENOMEM;
	while (m->source_len < target && !rc) {
		unsigned indent = 4 * (unsigned)rng_below(r, 3), kind;
		size_t n = 0;
		/* skewed choice: small ids are common, as names are */
		uint64_t id = (uint64_t)(rng_unit(r) * rng_unit(r) * nvocab);

		if (m->nlines == lines_cap) {
			uint32_t *p = realloc(m->line_starts,
					      2 * lines_cap * sizeof(uint32_t));
			if (!p)
				return -ENOMEM;
			m->line_starts = p;
			lines_cap *= 2;
		}
		m->line_starts[m->nlines++] = (uint32_t)m->source_len;
		memset(line, ' ', indent);
		n = indent;
		make_name(name_seed, name, id);
		if ((rc = intern(m, names, name, &off)))
			break;
		kind = (unsigned)rng_below(r, 4);
		if (kind == 0) {
			unsigned w = (unsigned)rng_below(r, 8), len;
			len = (unsigned)snprintf(
				lit, sizeof(lit), "%s %s %llu", words[w],
				words[(w + 3) % 8],
				(unsigned long long)rng_below(r, 100000));
			if ((rc = add_string(m, lit, len)))
				break;
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%s = \"%s\"\n", name, lit);
		} else if (kind == 1) {
			char other[64];
			make_name(name_seed, other,
				  (uint64_t)(rng_unit(r) * nvocab));
			if ((rc = intern(m, names, other, &off)))
				break;
			n += (size_t)snprintf(
				line + n, sizeof(line) - n,
				"%s = %s(%s, %llu)\n", name, other, name,
				(unsigned long long)rng_below(r, 1000));
		} else if (kind == 2) {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%s : List(%s) -> Result\n", name,
					      name);
		} else {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "# %s %s\n",
					      words[rng_below(r, 8)], name);
		}
		rc = put_text(m, &cap, line, n);
	}
	return rc;
}

static void *alloc_fill(struct rng *r, uint64_t n, size_t elem)
{
	unsigned char *p = malloc(n ? (size_t)(n * elem) : 1);
	uint64_t i;

	if (!p)
		return NULL;
	for (i = 0; i + 8 <= n * elem; i += 8) {
		uint64_t v = rng_next(r);
		memcpy(p + i, &v, 8);
	}
	for (; i < n * elem; i++)
		p[i] = (unsigned char)rng_next(r);
	return p;
}

static int cmp_exposed(const void *a, const void *b)
{
	const struct exposed *x = a, *y = b;
	return x->ident < y->ident ? -1 : x->ident > y->ident;
}

struct module *module_generate(uint64_t seed, uint64_t source_bytes)
{
	struct module *m = calloc(1, sizeof(*m));
	struct rng r = {seed ^ 0x6d6f64756c65u};
	const char **names = NULL;
	uint64_t nvocab, i, k;

	if (!m)
		return NULL;
	if (source_bytes < 64)
		source_bytes = 64;
	nvocab = source_bytes / 40 + 8;
	m->index_len = 16;
	while (m->index_len < 2 * nvocab)
		m->index_len *= 2;
	m->ident_index = malloc(m->index_len * sizeof(uint32_t));
	if (!m->ident_index)
		goto fail;
	memset(m->ident_index, 0xff, m->index_len * sizeof(uint32_t));
	names = calloc((size_t)m->index_len, sizeof(*names));
	if (!names || gen_source(m, names, &r, source_bytes, nvocab))
		goto fail;
	free(names);
	names = NULL;

	m->nnodes = m->source_len / 20 + 1;
	m->tags = malloc((size_t)m->nnodes);
	m->payload = alloc_fill(&r, m->nnodes, 16);
	m->regions = malloc((size_t)m->nnodes * 8);
	if (!m->tags || !m->payload || !m->regions)
		goto fail;
	for (i = 0; i < m->nnodes; i++) {
		uint64_t a = rng_below(&r, m->source_len);
		uint64_t b = a + rng_below(&r, 40);
		m->tags[i] = (uint8_t)rng_below(&r, NODE_TAGS);
		m->regions[i][0] = (uint32_t)a;
		m->regions[i][1] =
			(uint32_t)(b > m->source_len ? m->source_len : b);
	}
	m->nextra = m->nnodes / 4;
	m->extra = alloc_fill(&r, m->nextra, 4);
	m->nslots = m->source_len / 50 + 1;
	m->slots = alloc_fill(&r, m->nslots, 8);
	m->ndescs = m->nslots / 2 + 1;
	m->desc_a = alloc_fill(&r, m->ndescs, 24);
	m->desc_b = malloc((size_t)m->ndescs);
	m->desc_c = alloc_fill(&r, m->ndescs, 4);
	m->nvars = m->nslots / 4;
	m->vars = malloc((size_t)(m->nvars ? m->nvars : 1) * 4);
	if (!m->extra || !m->slots || !m->desc_a || !m->desc_b || !m->desc_c ||
	    !m->vars)
		goto fail;
	for (i = 0; i < m->ndescs; i++)
		m->desc_b[i] = (uint8_t)rng_below(&r, DESC_KINDS);
	for (i = 0; i < m->nvars; i++)
		m->vars[i] = (uint32_t)rng_below(&r, m->nslots);

	/* exposed: every 10th interned name, sorted by name offset */
	m->exposed = malloc((m->index_len / 10 + 1) * sizeof(*m->exposed));
	if (!m->exposed)
		goto fail;
	for (i = 0; i < m->index_len; i += 10) {
		if (m->ident_index[i] == EMPTY_SLOT)
			continue;
		m->exposed[m->nexposed].ident = m->ident_index[i];
		m->exposed[m->nexposed].node =
			(uint32_t)rng_below(&r, m->nnodes);
		m->nexposed++;
	}
	qsort(m->exposed, (size_t)m->nexposed, sizeof(*m->exposed),
	      cmp_exposed);

	for (k = 0; k < NLISTS; k++) {
		/* about 40% empty, the rest 1 to 64 node indices */
		m->list_len[k] =
			rng_below(&r, 5) < 2 ? 0 : 1 + rng_below(&r, 64);
		m->list[k] = malloc((size_t)(m->list_len[k] + 1) * 4);
		if (!m->list[k])
			goto fail;
		for (i = 0; i < m->list_len[k]; i++)
			m->list[k][i] = (uint32_t)rng_below(&r, m->nnodes);
	}
	m->naligned = 100;
	m->aligned = module_alloc16(100 * 16);
	if (!m->aligned)
		goto fail;
	for (i = 0; i < m->naligned; i++) {
		m->aligned[i][0] = rng_next(&r);
		m->aligned[i][1] = rng_next(&r);
	}
	return m;
fail:
	free(names);
	module_free(m);
	return NULL;
}
