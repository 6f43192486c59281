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
 * seed gives the same bytes on any little-endian 64-bit machine. The
 * header's checksum is XXH3-64 of the whole file, header included, with
 * the checksum field itself read as zero: a flipped bit anywhere fails it.
 */
#ifndef IOVW_FORMAT_H
#define IOVW_FORMAT_H

#include "iovw.h"

#include <stddef.h>
#include <stdint.h>

#define IOVM_MAGIC	 "IOVWMOD" /* 8 bytes with the NUL */
#define IOVM_VERSION	 1u
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
	uint64_t checksum; /* XXH3-64 of the file, this field as zero */
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

/* The checksum a file of `n` bytes (n >= 64, 8-aligned) should carry. */
uint64_t iovm_checksum(const void *file, size_t n);

/* The layout of a kind, or NULL. */
const struct iovm_layout *iovm_layout_of(uint32_t kind);

/* ---- writing ------------------------------------------------------------ */

struct iovm_out {
	iovw_writer *w;
	const struct iovm_layout *l;
	uint64_t root_off;
	struct iovm_array root[IOVM_MAX_FIELDS];
	uint64_t open_start; /* iovm_array_begin() */
};

/* Reserve the header and the root table. */
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
/* Patch the root table, checksum the body, patch the header. */
int iovm_finish(struct iovm_out *o);

#endif
