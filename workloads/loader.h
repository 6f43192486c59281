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

/* printf into err; returns IOVM_INVALID. */
int iovm_bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
