/*
 * loader.h - open, validate and rebuild module files.
 *
 * iovm_open_*() checks, before it trusts a byte: the size against the
 * header, magic, version, kind, layout hash, reserved fields, that the root
 * table and every array lie inside the file, are aligned for their element
 * type and cannot overflow, and the body checksum. Then a kind's rebuild
 * function checks what the arrays mean (indices in range, sorted tables,
 * records that parse) while it rebuilds the structures. Every failure is a
 * one-line message in `err`; nothing is read out of bounds whatever the
 * file holds.
 */
#ifndef IOVW_LOADER_H
#define IOVW_LOADER_H

#include "format.h"

#include <stddef.h>
#include <stdint.h>

#define IOVM_ERRLEN 256

/* Results: 0 valid; IOVM_INVALID the file is not a valid module (err says
 * why); a negative errno when the file could not be read. */
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

/* Open `path` by the read or mmap path and validate it. On any result but
 * 0, `f` holds nothing to close. */
int iovm_open_path(const char *path, enum iovm_path how, struct iovm_file *f,
		   char *err, size_t errlen);
/* Validate `n` bytes in memory the caller keeps alive (fuzzing, tests). */
int iovm_open_mem(const void *p, size_t n, struct iovm_file *f, char *err,
		  size_t errlen);

/* The same without the checksum test: only for the fuzzer, so that it
 * reaches the checks behind the checksum. */
int iovm_open_mem_unchecked(const void *p, size_t n, struct iovm_file *f,
			    char *err, size_t errlen);
void iovm_close(struct iovm_file *f);

/* Field f's elements and count (NULL and 0 for an empty array). */
const void *iovm_field(const struct iovm_file *f, unsigned field,
		       uint64_t *count);

/* Rebuild the structures of a validated file: checks what the arrays mean
 * and returns a new object of the file's kind in *obj (free it with the
 * kind's free function, see kinds.h). With obj NULL it only checks.
 * 0, IOVM_INVALID (err says why) or -ENOMEM. */
int iovm_rebuild(const struct iovm_file *f, void **obj, char *err,
		 size_t errlen);

/* printf into err; returns IOVM_INVALID. */
int iovm_bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
