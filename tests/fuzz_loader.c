/*
 * fuzz_loader.c - libFuzzer target for the loader: any bytes are validated
 * and, when valid, rebuilt, without a crash, a leak or an out-of-bounds
 * read. `make fuzz` builds it with clang and runs it.
 *
 * Reaching past the checksum: a custom mutator changes an input the way a
 * crafter would (libFuzzer's own mutations anywhere, or on the root table
 * entries: an array aliasing another, moved into or next to another,
 * shifted, resized, emptied, swapped with another, placed anywhere; or on
 * the bytes of one array; or the file grown or cut), then makes total_size
 * and the checksum right with the format's own iovm_checksum(), so that
 * most inputs are valid up to the check they exercise. One in 16 is left
 * with a stale size or checksum. An input whose checksum is wrong (from an
 * old corpus, or left stale) is validated again without the checksum, so
 * that it still reaches the checks behind it.
 *
 * Oracle: a file the loader accepts must be exactly what the writer writes
 * for the structures it rebuilds (serialize(rebuild(file)) == file, the
 * checksum field aside when it was not checked): a valid file cannot hide
 * bytes the structures do not hold (overlaps, gaps, padding, trailing
 * bytes), which is also what bounds the memory a load takes. The check-only
 * rebuild must agree with the full one.
 */
#include "kinds.h"
#include "loader.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* ---- the oracle -----------------------------------------------------------
 */

/* The writer's bytes for obj, malloc'ed, or NULL. */
static unsigned char *serialize(const struct kind_ops *k, void *obj,
				size_t *len)
{
	unsigned char *buf = NULL;
	iovw_writer *w;

	if (iovw_writer_new(&w, IOVW_MODE_PLAN, NULL))
		return NULL;
	if (!k->serialize(w, obj)) {
		*len = (size_t)iovw_size(w);
		buf = malloc(*len ? *len : 1);
		if (buf && iovw_plan_gather(w, buf, *len)) {
			free(buf);
			buf = NULL;
		}
	}
	iovw_writer_free(w);
	return buf;
}

/* Abort unless b (n bytes) is what the writer writes for obj. */
static void same_as_written(const struct kind_ops *k, void *obj,
			    const unsigned char *b, size_t n, int checked)
{
	const size_t sum = offsetof(struct iovm_header, checksum);
	unsigned char *w;
	size_t len;

	w = serialize(k, obj, &len);
	if (!w)
		return; /* out of memory: nothing to compare */
	if (!checked && len >= sum + 8)
		memcpy(w + sum, b + sum, 8);
	if (len != n || memcmp(w, b, n))
		abort(); /* accepted bytes the writer would not write */
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[IOVM_ERRLEN];
	const struct kind_ops *k;
	struct iovm_file f;
	void *obj = NULL;
	unsigned char *copy = malloc(size ? size : 1); /* 16-aligned */
	int rc, checked = 1, full;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = iovm_open_mem(copy, size, &f, err, sizeof(err));
	if (rc == IOVM_INVALID && !strcmp(err, "bad checksum")) {
		checked = 0;
		rc = iovm_open_mem_unchecked(copy, size, &f, err, sizeof(err));
	}
	if (!rc) {
		k = kind_ops_of(f.h->kind);
		full = iovm_rebuild(&f, &obj, err, sizeof(err));
		if (!full && obj) {
			same_as_written(k, obj, copy, size, checked);
			k->free(obj);
		}
		rc = iovm_rebuild(&f, NULL, err, sizeof(err)); /* check only */
		if (full >= 0 && rc != full)
			abort(); /* the two disagree */
	}
	free(copy);
	return 0;
}

/* ---- the mutator ----------------------------------------------------------
 */

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1du;
}

/* The header, if data holds one whose root table lies inside data. */
static int table_of(const uint8_t *d, size_t n, struct iovm_header *h)
{
	if (n < sizeof(*h))
		return 0;
	memcpy(h, d, sizeof(*h));
	return h->root_count && h->root_count <= IOVM_MAX_FIELDS &&
	       h->root_offset <= n &&
	       (uint64_t)h->root_count * 16 <= n - h->root_offset;
}

/* Change entry i of the root table as a crafter would. */
static void mutate_entry(uint8_t *d, size_t n, const struct iovm_header *h,
			 uint64_t *s)
{
	const struct iovm_layout *l = iovm_layout_of(h->kind);
	unsigned i = (unsigned)(rnd(s) % h->root_count);
	unsigned j = (unsigned)(rnd(s) % h->root_count);
	uint8_t *ei = d + h->root_offset + 16 * i;
	uint8_t *ej = d + h->root_offset + 16 * j;
	uint64_t align = l && i < l->nfields ? l->fields[i].align : 8;
	uint64_t es = l && i < l->nfields ? l->fields[i].elem_size : 1;
	struct iovm_array a, b;

	memcpy(&a, ei, 16);
	memcpy(&b, ej, 16);
	switch (rnd(s) % 7) {
	case 0: /* on another's bytes */
		a = b;
		break;
	case 1: /* inside or just after another */
		a.offset = b.offset + align * (rnd(s) % 4);
		a.length = 1 + rnd(s) % (b.length % 4096 + 1);
		break;
	case 2: /* shifted by up to two alignments either way */
		a.offset += align * (rnd(s) % 5) - 2 * align;
		break;
	case 3: /* longer or shorter */
		a.length += rnd(s) % 5 - 2;
		break;
	case 4: /* empty */
		a.offset = a.length = 0;
		break;
	case 5: /* swapped with another */
		memcpy(ej, &a, 16);
		a = b;
		break;
	default: /* anywhere in the file */
		a.offset = (rnd(s) % (n + 1)) & ~(align - 1);
		a.length = rnd(s) % ((n - a.offset) / es + 1);
		break;
	}
	memcpy(ei, &a, 16);
}

/* libFuzzer's mutations on the bytes of one array that lies in data. */
static void mutate_array(uint8_t *d, size_t n, const struct iovm_header *h,
			 uint64_t *s)
{
	const struct iovm_layout *l = iovm_layout_of(h->kind);
	unsigned i = (unsigned)(rnd(s) % h->root_count);
	struct iovm_array a;
	uint64_t bytes;

	if (!l || i >= l->nfields)
		return;
	memcpy(&a, d + h->root_offset + 16 * i, 16);
	bytes = a.length * l->fields[i].elem_size;
	if (a.length && a.offset <= n &&
	    bytes / a.length == l->fields[i].elem_size && bytes <= n - a.offset)
		LLVMFuzzerMutate(d + a.offset, (size_t)bytes, (size_t)bytes);
}

/* Size and checksum made right, as a crafter would. */
static void seal(uint8_t *d, size_t n)
{
	struct iovm_header h;

	if (n < sizeof(h))
		return;
	memcpy(&h, d, sizeof(h));
	h.total_size = n;
	memcpy(d, &h, sizeof(h));
	h.checksum = iovm_checksum(d, n);
	memcpy(d, &h, sizeof(h));
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	uint64_t s = ((uint64_t)seed << 32) ^ seed ^ 0x9e3779b97f4a7c15u;
	struct iovm_header h;
	uint64_t op = rnd(&s) % 8;
	size_t k;

	if (op >= 3 && !table_of(data, size, &h))
		op = 0;
	if (op < 3) {
		size = LLVMFuzzerMutate(data, size, max_size);
	} else if (op < 6) {
		mutate_entry(data, size, &h, &s);
	} else if (op == 6) {
		mutate_array(data, size, &h, &s);
	} else {
		/* grown by zeros or cut, by up to 16 bytes */
		k = (size_t)(rnd(&s) % 16) + 1;
		if (rnd(&s) % 2 && size + k <= max_size) {
			memset(data + size, 0, k);
			size += k;
		} else if (size > k + sizeof(h)) {
			size -= k;
		}
	}
	if (rnd(&s) % 16)
		seal(data, size);
	return size;
}
