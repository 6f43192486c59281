/*
 * loader.h - open, validate and rebuild module files.
 *
 * iovm_open_*() checks, before it trusts a byte: the size against the
 * header, magic, version, kind, layout hash, reserved fields, that the root
 * table follows the header and every array lies inside the file, is
 * aligned for its element type and cannot overflow; then that the layout is
 * exactly what the writer (format.c) produces: arrays after the root
 * table, disjoint and in the root table's order, each preceded by exactly
 * its alignment padding, every padding byte zero, nothing after the last
 * array (or after the root table when every array is empty), empty arrays
 * {0, 0}; then the checksum. Then a kind's rebuild function checks what the
 * arrays mean (indices in range, names the interner's index points at,
 * sorted tables, records that parse) while it rebuilds the structures.
 * Every failure is a one-line message in `err` naming the array(s) and
 * offsets; nothing is read out of bounds whatever the file holds. A valid
 * checksum proves no damage, not an honest author: every check runs on a
 * file whose checksum is right.
 *
 * Memory. Validation allocates nothing. Because a valid file's arrays are
 * disjoint and inside it, and each kind's rebuild allocates in proportion
 * to the bytes of its arrays, iovm_open_path() by the read path (which
 * holds the whole file) and iovm_rebuild() together need at most
 * iovm_load_bound(kind, size) bytes of address space:
 *   module, blob  2 x the file size + IOVM_LOAD_SLACK (the file, then a
 *                 copy of each array)
 *   tree          6 x the file size + IOVM_LOAD_SLACK (the file; for each
 *                 record, at least 16 bytes, a node of 16 bytes more,
 *                 malloc's header and 24 bytes of the builder's stack:
 *                 5.5 x for a file of 16-byte records, the worst case)
 * The mmap path maps the file instead of reading it, within the same
 * bound. tests/test_loadmem.c checks the bound under RLIMIT_AS.
 */
#ifndef IOVW_LOADER_H
#define IOVW_LOADER_H

#include "format.h"

#include <stddef.h>
#include <stdint.h>

#define IOVM_ERRLEN 256

/* Results: 0 valid; IOVM_INVALID the file is not a valid module (err says
 * why); a negative errno when the file could not be read or memory ran
 * out (never IOVM_INVALID for that), as each function says. */
#define IOVM_INVALID 1

/* The constant part of iovm_load_bound(). */
#define IOVM_LOAD_SLACK (1u << 20)

enum iovm_path { IOVM_READ, IOVM_MMAP };

struct iovm_file {
	const unsigned char *base;
	uint64_t size;
	const struct iovm_header *h;
	const struct iovm_layout *l;
	struct iovm_array root[IOVM_MAX_FIELDS];
	/* ownership of base */
	void *owned; /* malloc'ed copy (read path), or NULL */
	void *map;   /* mapping (mmap path), or NULL */
	size_t map_len;
};

/* Open `path` by the read or mmap path and validate it. On 0, `f` owns the
 * file's bytes (a malloc'ed copy or a mapping) until iovm_close(); on any
 * other result `f` holds nothing to close. Returns 0, IOVM_INVALID (the
 * bytes are not a valid module, an empty file included) or the negative
 * errno of open, fstat, read or mmap: -ENOENT, -EACCES, -EISDIR, -EINVAL
 * (not a regular file), -EIO (the file shrank while read), -ENOMEM (no
 * memory for the copy, or for the mapping) and so on. */
int iovm_open_path(const char *path, enum iovm_path how, struct iovm_file *f,
		   char *err, size_t errlen);
/* Validate `n` bytes in memory the caller owns and keeps alive and
 * unchanged while `f` is used (fuzzing, tests, timing); `p` must be 8-byte
 * aligned. Allocates nothing. Returns 0 or IOVM_INVALID. */
int iovm_open_mem(const void *p, size_t n, struct iovm_file *f, char *err,
		  size_t errlen);

/* The same without the checksum test: only for the fuzzer, so that inputs
 * whose checksum is stale still reach the checks behind it. */
int iovm_open_mem_unchecked(const void *p, size_t n, struct iovm_file *f,
			    char *err, size_t errlen);
void iovm_close(struct iovm_file *f);

/* Field f's elements and count (NULL and 0 for an empty array). */
const void *iovm_field(const struct iovm_file *f, unsigned field,
		       uint64_t *count);

/* Rebuild the structures of a validated file: checks what the arrays mean
 * and returns a new object of the file's kind in *obj, which the caller
 * owns (free it with the kind's free function, see kinds.h); it shares no
 * memory with the file. With obj NULL it only checks. Returns 0,
 * IOVM_INVALID (err says why) or -ENOMEM (nothing is left allocated; *obj
 * is NULL on any result but 0). */
int iovm_rebuild(const struct iovm_file *f, void **obj, char *err,
		 size_t errlen);

/* The most address space iovm_open_path() and iovm_rebuild() of a file of
 * `size` bytes and kind `kind` need together (see Memory above); for an
 * unknown kind, what reading the file needs. */
uint64_t iovm_load_bound(uint32_t kind, uint64_t size);

/* printf into err; returns IOVM_INVALID. */
int iovm_bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
