/*
 * blob.c - a few very large arrays (tens to hundreds of MiB): few pieces,
 * many bytes. Each array is page-aligned in the file and in memory.
 */
#include "kinds.h"
#include "loader.h"
#include "rng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Page-aligned arrays: posix_memalign, or on Windows (where free() cannot
 * take such memory) _aligned_malloc and _aligned_free. */
static int page_alloc(uint64_t **p, size_t n)
{
#ifdef _WIN32
	*p = _aligned_malloc(n, 4096);
	return *p ? 0 : ENOMEM;
#else
	return posix_memalign((void **)p, 4096, n);
#endif
}

static void page_free(void *p)
{
#ifdef _WIN32
	_aligned_free(p);
#else
	free(p);
#endif
}

#define NBLOBS 4u

static const struct iovm_field fields[NBLOBS] = {
	{"blob0", 8, 4096},
	{"blob1", 8, 4096},
	{"blob2", 8, 4096},
	{"blob3", 8, 4096},
};

const struct iovm_layout blob_layout = {IOVM_KIND_BLOB, "blob", fields, NBLOBS};

struct blob {
	uint64_t *a[NBLOBS];
	uint64_t n[NBLOBS]; /* elements of 8 bytes */
};

static void blob_free(void *obj)
{
	struct blob *b = obj;
	unsigned i;

	if (!b)
		return;
	for (i = 0; i < NBLOBS; i++)
		page_free(b->a[i]);
	free(b);
}

struct blob *blob_generate(uint64_t seed, const uint64_t *bytes, unsigned n)
{
	struct blob *b = calloc(1, sizeof(*b));
	struct rng r = {seed ^ 0x626c6f62u};
	unsigned i;
	uint64_t k;

	if (!b || n > NBLOBS) {
		free(b);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		b->n[i] = bytes[i] / 8;
		if (page_alloc(&b->a[i], (size_t)(b->n[i] ? b->n[i] * 8 : 8))) {
			b->a[i] = NULL;
			blob_free(b);
			return NULL;
		}
		for (k = 0; k < b->n[i]; k++)
			b->a[i][k] = rng_next(&r);
	}
	return b;
}

static int blob_serialize(iovw_writer *w, void *ctx)
{
	const struct blob *b = ctx;
	struct iovm_out o;
	unsigned i;
	int rc = iovm_begin(&o, w, &blob_layout);

	for (i = 0; i < NBLOBS && !rc; i++)
		rc = iovm_put(&o, i, b->a[i], b->n[i]);
	return rc ? rc : iovm_finish(&o);
}

static int blob_rebuild(const struct iovm_file *f, void **obj, char *err,
			size_t errlen)
{
	struct blob *b;
	unsigned i;

	(void)err;
	(void)errlen;
	if (!obj)
		return 0; /* any bytes are a valid blob */
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < NBLOBS; i++) {
		const void *p = iovm_field(f, i, &b->n[i]);
		if (page_alloc(&b->a[i], (size_t)(b->n[i] ? b->n[i] * 8 : 8))) {
			b->a[i] = NULL;
			blob_free(b);
			return -ENOMEM;
		}
		if (b->n[i])
			memcpy(b->a[i], p, (size_t)b->n[i] * 8);
	}
	*obj = b;
	return 0;
}

static int blob_equal(const void *x, const void *y, char *err, size_t errlen)
{
	const struct blob *a = x, *b = y;
	unsigned i;

	for (i = 0; i < NBLOBS; i++)
		if (a->n[i] != b->n[i] ||
		    (a->n[i] && memcmp(a->a[i], b->a[i], (size_t)a->n[i] * 8)))
			return iovm_bad(err, errlen, "blob: array %u differs",
					i);
	return 0;
}

static void blob_describe(const void *obj, char *buf, size_t n)
{
	const struct blob *b = obj;
	snprintf(buf, n, "blob: arrays of %llu, %llu, %llu, %llu bytes",
		 (unsigned long long)b->n[0] * 8,
		 (unsigned long long)b->n[1] * 8,
		 (unsigned long long)b->n[2] * 8,
		 (unsigned long long)b->n[3] * 8);
}

const struct kind_ops blob_ops = {
	IOVM_KIND_BLOB, &blob_layout,  blob_serialize, blob_rebuild,
	blob_equal,	blob_describe, blob_free,
};
