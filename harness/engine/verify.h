/*
 * verify.h - conformance: every strategy writes the same bytes, and those
 * bytes load back into the structures they were written from.
 */
#ifndef IOVBENCH_ENGINE_VERIFY_H
#define IOVBENCH_ENGINE_VERIFY_H

#include "engine/digest.h"
#include "iovw.h"
#include "loader.h"
#include "workload.h"

#include <stddef.h>
#include <stdint.h>

struct verify_setting {
	iovw_strategy s;
	size_t batch, coalesce, stage; /* 0: the defaults */
};

#define VERIFY_MAX_SETTINGS 12

struct verify_row {
	const char *workload;
	struct verify_setting set;
	size_t files;
	uint64_t bytes;
	char digest[DIGEST_HEX];
	int same;      /* every file equals the reference's */
	int load_read; /* every file loads by the read path, deep-equal */
	int load_mmap; /* ... and by the mmap path */
	char error[2 * 4096 + IOVM_ERRLEN + 64]; /* the first failure */
};

/* The settings to check for the strategies in `smask`, the reference
 * (buffer, when selected) first: each strategy at its defaults, pwritev
 * also with batch 16 and with coalescing below 64 bytes, stream also with
 * a 4 KiB staging buffer and windows of 16 iovecs (many windows a file).
 * Returns the count (at most VERIFY_MAX_SETTINGS). */
size_t verify_settings(unsigned smask, struct verify_setting *out);

/* "pwritev batch=16" into buf. */
const char *verify_setting_name(const struct verify_setting *s, char *buf,
				size_t n);

/* Write `w` with one setting into `out`, digest it, compare each file with
 * the reference output `ref` (NULL: this is the reference), load each
 * file back by both paths and compare the rebuilt structures with the
 * originals. With `corrupt` set, the last byte of the first file is
 * flipped after it is written (verify's own test: the row must fail).
 * Returns 0 with the verdicts in *row, or a negative errno (I/O, memory)
 * with *failed naming the file. */
int verify_one(const struct workload *w, const struct verify_setting *set,
	       const char *out, const char *ref, int corrupt,
	       struct verify_row *row, char *failed, size_t n);

#endif
