/*
 * format.c - layouts and writing the module format (see format.h).
 */
#include "format.h"
#include "kinds.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

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

int iovm_begin(struct iovm_out *o, iovw_writer *w, const struct iovm_layout *l)
{
	uint64_t hdr;
	int rc;

	if (l->nfields > IOVM_MAX_FIELDS)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->w = w;
	o->l = l;
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

/* Hashing a plan run by run: runs shorter than SMALL (a tree has millions
 * of 16-64 byte pieces) are gathered into a staging buffer first, because
 * each XXH3 update has a fixed cost. The digest is the same either way. */
#define SMALL 256
#define STAGE 8192

struct hasher {
	XXH3_state_t st;
	size_t used;
	unsigned char stage[STAGE];
};

static void hash_flush(struct hasher *h)
{
	if (h->used)
		XXH3_64bits_update(&h->st, h->stage, h->used);
	h->used = 0;
}

static int hash_run(void *ctx, const void *p, size_t n)
{
	struct hasher *h = ctx;

	if (n >= SMALL) {
		hash_flush(h);
		XXH3_64bits_update(&h->st, p, n);
		return 0;
	}
	if (h->used + n > STAGE)
		hash_flush(h);
	memcpy(h->stage + h->used, p, n);
	h->used += n;
	return 0;
}

uint64_t iovm_checksum(const void *file, size_t n)
{
	struct iovm_header h;
	XXH3_state_t st;

	memcpy(&h, file, sizeof(h));
	h.checksum = 0;
	XXH3_64bits_reset(&st);
	XXH3_64bits_update(&st, &h, sizeof(h));
	XXH3_64bits_update(&st, (const unsigned char *)file + sizeof(h),
			   n - sizeof(h));
	return XXH3_64bits_digest(&st);
}

int iovm_finish(struct iovm_out *o)
{
	struct iovm_header h;
	struct hasher *hs;
	int rc;

	rc = iovw_patch(o->w, o->root_off, o->root,
			o->l->nfields * sizeof(struct iovm_array));
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
	/* the header (checksum 0), then the body as it lies in the plan */
	hs = malloc(sizeof(*hs));
	if (!hs)
		return -ENOMEM;
	hs->used = 0;
	XXH3_64bits_reset(&hs->st);
	XXH3_64bits_update(&hs->st, &h, sizeof(h));
	rc = iovw_scan(o->w, IOVM_HEADER_SIZE, hash_run, hs);
	hash_flush(hs);
	h.checksum = XXH3_64bits_digest(&hs->st);
	free(hs);
	if (rc)
		return rc;
	return iovw_patch(o->w, 0, &h, sizeof(h));
}
