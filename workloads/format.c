/*
 * format.c - layouts and writing the module format (see format.h).
 */
#include "format.h"
#include "kinds.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static uint64_t layout_hash(const struct iovm_layout *l)
{
	XXH3_state_t st;
	char buf[128];
	uint32_t i;
	int n;

	XXH3_64bits_reset(&st);
	n = snprintf(buf, sizeof(buf), "%s;v%u;", l->name, IOVM_VERSION);
	XXH3_64bits_update(&st, buf, (size_t)n);
	for (i = 0; i < l->nfields; i++) {
		n = snprintf(buf, sizeof(buf), "%s:%u:%u;", l->fields[i].name,
			     l->fields[i].elem_size, l->fields[i].align);
		XXH3_64bits_update(&st, buf, (size_t)n);
	}
	return XXH3_64bits_digest(&st);
}

/* The built-in layouts' hashes, computed once (formatting and hashing the
 * description costs 4 to 6 us, most of the time spent on a small file).
 * Zero means not yet; a race computes the same value twice. */
static _Atomic uint64_t builtin_hash[3];

uint64_t iovm_layout_hash(const struct iovm_layout *l)
{
	const struct iovm_layout *builtin[3] = {&module_layout, &tree_layout,
						&blob_layout};
	uint64_t h;
	int i;

	for (i = 0; i < 3 && l != builtin[i]; i++)
		;
	if (i == 3) /* a layout of the caller's: its contents may change */
		return layout_hash(l);
	if (!(h = builtin_hash[i])) {
		h = layout_hash(l);
		builtin_hash[i] = h;
	}
	return h;
}

const struct iovm_layout *iovm_layout_of(uint32_t kind)
{
	switch (kind) {
	case IOVM_KIND_MODULE:
		return &module_layout;
	case IOVM_KIND_TREE:
		return &tree_layout;
	case IOVM_KIND_BLOB:
		return &blob_layout;
	default:
		return NULL;
	}
}

static void hash_flush(struct iovm_hasher *h)
{
	if (h->used)
		XXH3_64bits_update(&h->st, h->stage, h->used);
	h->used = 0;
}

/* The observer: the stream's bytes in order, reserved slots as zeros. */
static int hash_run(void *ctx, const void *p, size_t n)
{
	struct iovm_hasher *h = ctx;

	if (n >= IOVM_HASH_SMALL) {
		hash_flush(h);
		XXH3_64bits_update(&h->st, p, n);
		return 0;
	}
	if (h->used + n > IOVM_HASH_STAGE)
		hash_flush(h);
	memcpy(h->stage + h->used, p, n);
	h->used += n;
	return 0;
}

static void hash_zeros(XXH3_state_t *st, uint64_t n)
{
	static const unsigned char zero[1024];

	while (n) {
		size_t k = n < sizeof(zero) ? (size_t)n : sizeof(zero);
		XXH3_64bits_update(st, zero, k);
		n -= k;
	}
}

/* The second step: the header (checksum read as zero) and the root table,
 * seeded with the body hash. */
static uint64_t meta_checksum(const struct iovm_header *hdr, const void *root,
			      size_t table, uint64_t body)
{
	struct iovm_header h = *hdr;
	XXH3_state_t st;

	h.checksum = 0;
	/* reset_withSeed reads the state's old seed: start from zeros */
	memset(&st, 0, sizeof(st));
	XXH3_64bits_reset_withSeed(&st, body);
	XXH3_64bits_update(&st, &h, sizeof(h));
	XXH3_64bits_update(&st, root, table);
	return XXH3_64bits_digest(&st);
}

int iovm_begin(struct iovm_out *o, iovw_writer *w, const struct iovm_layout *l)
{
	uint64_t hdr;
	int rc;

	if (l->nfields > IOVM_MAX_FIELDS)
		return -EINVAL;
	memset(o, 0, offsetof(struct iovm_out, body));
	o->w = w;
	o->l = l;
	o->body.used = 0;
	XXH3_64bits_reset(&o->body.st);
	rc = iovw_observe(w, hash_run, &o->body);
	if (rc)
		return rc;
	rc = iovw_reserve(w, IOVM_HEADER_SIZE, 8, &hdr);
	if (rc)
		return rc;
	if (hdr != 0)
		return -EINVAL; /* the header must start the stream */
	return iovw_reserve(w, (size_t)l->nfields * sizeof(struct iovm_array),
			    8, &o->root_off);
}

static int put(struct iovm_out *o, unsigned f, const void *p, uint64_t count,
	       int copy)
{
	const struct iovm_field *fd;
	uint64_t off;
	int rc;

	if (f >= o->l->nfields)
		return -EINVAL;
	fd = &o->l->fields[f];
	if (count > SIZE_MAX / fd->elem_size)
		return -EINVAL;
	if (!count) {
		o->root[f].offset = 0;
		o->root[f].length = 0;
		return 0;
	}
	rc = (copy ? iovw_append_copy : iovw_append)(
		o->w, p, (size_t)count * fd->elem_size, fd->align, &off);
	if (rc)
		return rc;
	o->root[f].offset = off;
	o->root[f].length = count;
	return 0;
}

int iovm_put(struct iovm_out *o, unsigned f, const void *p, uint64_t count)
{
	return put(o, f, p, count, 0);
}

int iovm_put_copy(struct iovm_out *o, unsigned f, const void *p, uint64_t count)
{
	return put(o, f, p, count, 1);
}

int iovm_array_begin(struct iovm_out *o, unsigned f)
{
	if (f >= o->l->nfields)
		return -EINVAL;
	return iovw_append(o->w, NULL, 0, o->l->fields[f].align,
			   &o->open_start);
}

int iovm_array_end(struct iovm_out *o, unsigned f)
{
	uint64_t bytes = iovw_size(o->w) - o->open_start;
	uint32_t es = o->l->fields[f].elem_size;

	if (f >= o->l->nfields || bytes % es)
		return -EINVAL;
	o->root[f].offset = bytes ? o->open_start : 0;
	o->root[f].length = bytes / es;
	return 0;
}

uint64_t iovm_checksum(const void *file, size_t n)
{
	const unsigned char *b = file;
	struct iovm_header h;
	XXH3_state_t st;
	uint64_t table, end;

	if (n < sizeof(h))
		return 0;
	memcpy(&h, file, sizeof(h));
	table = (uint64_t)h.root_count * sizeof(struct iovm_array);
	if (h.root_offset < sizeof(h) || h.root_offset > n ||
	    table > n - h.root_offset)
		return 0;
	end = h.root_offset + table;
	/* the body: header and root table as zeros, the rest as it is */
	XXH3_64bits_reset(&st);
	hash_zeros(&st, sizeof(h));
	XXH3_64bits_update(&st, b + sizeof(h),
			   (size_t)h.root_offset - sizeof(h));
	hash_zeros(&st, table);
	XXH3_64bits_update(&st, b + end, n - (size_t)end);
	return meta_checksum(&h, b + h.root_offset, (size_t)table,
			     XXH3_64bits_digest(&st));
}

int iovm_finish(struct iovm_out *o)
{
	size_t table = o->l->nfields * sizeof(struct iovm_array);
	struct iovm_header h;
	uint64_t body;
	int rc;

	/* every byte so far to the body hash, the header and the root table
	 * as zeros; nothing written (in stream mode the last window waits
	 * for the header and the table, and takes them in the same call) */
	rc = iovw_observe_sync(o->w);
	iovw_observe(o->w, NULL, NULL);
	if (rc)
		return rc;
	hash_flush(&o->body);
	body = XXH3_64bits_digest(&o->body.st);
	rc = iovw_patch(o->w, o->root_off, o->root, table);
	if (rc)
		return rc;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IOVM_MAGIC, sizeof(h.magic));
	h.version = IOVM_VERSION;
	h.kind = o->l->kind;
	h.layout_hash = iovm_layout_hash(o->l);
	h.total_size = iovw_size(o->w);
	h.root_offset = o->root_off;
	h.root_count = o->l->nfields;
	h.checksum = meta_checksum(&h, o->root, table, body);
	return iovw_patch(o->w, 0, &h, sizeof(h));
}
