/*
 * format.h - the module file format shared by every workload.
 *
 *   offset 0   header (64 bytes), reserved first and patched last
 *   offset 64  root table: one {u64 offset, u64 length} per array of the
 *              layout, offsets from the file start, lengths in elements;
 *              an empty array is {0, 0}
 *   then       the arrays, each aligned for its element type
 *
 * Little-endian, fixed-width fields, every padding byte zero, so the same
 * seed gives the same bytes on any little-endian 64-bit machine.
 *
 * The checksum (version 2) is computable in the pass that writes the file,
 * although the header and the root table are patched after everything
 * else, and by a loader in one pass over it:
 *
 *   body     = XXH3-64 of the whole file with the header and the root
 *              table read as zeros
 *   checksum = XXH3-64, seeded with body, of the header (checksum field
 *              read as zero) followed by the root table
 *
 * A writer gets `body` from iovw_observe(), which passes on every byte
 * with reserved slots as zeros (in stream mode as each window is written),
 * then patches the root table and the header. A flipped bit anywhere
 * changes `body` or the second hash's input. (Version 1 hashed the whole
 * file after patching, which needs every byte a second time.)
 */
#ifndef IOVW_FORMAT_H
#define IOVW_FORMAT_H

#include "iovw.h"

#include <stddef.h>
#include <stdint.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t inside struct iovm_out */
#include <xxhash.h>

#define IOVM_MAGIC	 "IOVWMOD" /* 8 bytes with the NUL */
#define IOVM_VERSION	 2u
#define IOVM_HEADER_SIZE 64u
#define IOVM_MAX_FIELDS	 64u

enum iovm_kind {
	IOVM_KIND_MODULE = 1,
	IOVM_KIND_TREE = 2,
	IOVM_KIND_BLOB = 3,
};

struct iovm_header {
	char magic[8];
	uint32_t version;
	uint32_t kind;
	uint64_t layout_hash;
	uint64_t total_size;
	uint64_t checksum; /* see above: body hash, then header and table */
	uint64_t root_offset;
	uint32_t root_count;
	uint32_t flags;	   /* 0 */
	uint64_t reserved; /* 0 */
};

struct iovm_array {
	uint64_t offset;
	uint64_t length; /* elements */
};

struct iovm_field {
	const char *name;
	uint32_t elem_size;
	uint32_t align;
};

struct iovm_layout {
	uint32_t kind;
	const char *name;
	const struct iovm_field *fields;
	uint32_t nfields;
};

/* XXH3-64 of the layout's canonical description ("module;v1;source:1:1;"
 * ...): any change of a field's name, size, alignment or order changes it. */
uint64_t iovm_layout_hash(const struct iovm_layout *l);

/* The checksum a file of `n` bytes (8-aligned) should carry, in one pass.
 * It reads the root table where the header puts it: 0 if that is not
 * inside the file (the loader checks it first). */
uint64_t iovm_checksum(const void *file, size_t n);

/* The layout of a kind, or NULL. */
const struct iovm_layout *iovm_layout_of(uint32_t kind);

/* ---- writing ------------------------------------------------------------ */

/* The body hash as the writer's observer: runs shorter than
 * IOVM_HASH_SMALL are gathered first, because each XXH3 update has a fixed
 * cost. */
#define IOVM_HASH_SMALL 256
#define IOVM_HASH_STAGE 8192

struct iovm_hasher {
	XXH3_state_t st;
	size_t used;
	unsigned char stage[IOVM_HASH_STAGE];
};

/* A serializer's state between iovm_begin() and iovm_finish(); on its
 * stack (about 10 KiB). Nothing to free: a serializer that fails half-way
 * just returns. */
struct iovm_out {
	iovw_writer *w;
	const struct iovm_layout *l;
	uint64_t root_off;
	struct iovm_array root[IOVM_MAX_FIELDS];
	uint64_t open_start; /* iovm_array_begin() */
	struct iovm_hasher body;
};

/* Attach the body hash as the writer's observer, reserve the header and
 * the root table. */
int iovm_begin(struct iovm_out *o, iovw_writer *w, const struct iovm_layout *l);
/* Append field `f` as one borrowed piece of `count` elements: `p` must
 * stay valid until the plan is written (not a local of the serializer). */
int iovm_put(struct iovm_out *o, unsigned f, const void *p, uint64_t count);
/* The same, copied: for values the serializer computes on its stack. */
int iovm_put_copy(struct iovm_out *o, unsigned f, const void *p,
		  uint64_t count);
/* An array whose bytes come in several appends (align 1) between these. */
int iovm_array_begin(struct iovm_out *o, unsigned f);
int iovm_array_end(struct iovm_out *o, unsigned f);
/* Flush the writer (the observer sees the last bytes; stream mode writes
 * them), patch the root table and the header with the checksum. */
int iovm_finish(struct iovm_out *o);

#endif
