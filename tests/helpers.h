/*
 * helpers.h - iovw-specific helpers shared by the test programs.
 */
#ifndef IOVW_TEST_HELPERS_H
#define IOVW_TEST_HELPERS_H

#include "iovw.h"

#include <stddef.h>
#include <stdint.h>

/* Write with iovw_write_file() to dir/name and read the file back into a
 * malloc'ed buffer (*out, *len). Returns the library's result; *out is
 * NULL unless it is 0. */
int h_write_read(const char *name, iovw_strategy s, iovw_serialize_fn fn,
		 void *ctx, const iovw_options *o, iovw_stats *st,
		 unsigned char **out, size_t *len);

/* Path of `name` inside the case's temporary directory (static buffer). */
const char *h_path(const char *name);

/* Fill `n` bytes with a pattern derived from `seed`. */
void h_fill(void *p, size_t n, uint64_t seed);

/* Create `path` holding `n` copies of byte `c`; 0 or -errno. */
int h_make_file(const char *path, size_t n, int c);

/* The bytes serializer `fn` describes, gathered from a plan without I/O
 * (malloc'ed; *len their count), or NULL. */
unsigned char *h_plan_bytes(iovw_serialize_fn fn, void *ctx, size_t *len);

/* Skip the case unless its directory takes O_TMPFILE (the message names
 * the file system). */
void h_need_tmpfile(void);

/* Fail (at `line`) unless the case's "t" holds want[0, wlen) and the
 * directory holds nothing else. */
void h_check_alone(const unsigned char *want, size_t wlen, int line);

/* A small stream with every kind of piece: a reserved 8-byte slot
 * patched last (with a value without zero bytes), borrowed pieces that
 * pad and merge, a copy; from h_small_src. */
extern unsigned char h_small_src[4096];
int h_small_fn(iovw_writer *w, void *ctx);
/* Fill h_small_src (seed 77) and return h_small_fn's bytes. */
unsigned char *h_small_bytes(size_t *len);

/* A buffer written in pieces of 4 KiB, every other one copied. */
struct h_big {
	const unsigned char *p;
	size_t n;
};
int h_big_fn(iovw_writer *w, void *ctx); /* ctx: a struct h_big */

/* Fail (at `line`) unless "t" is still the 10 x 'o' a case made and
 * alone in the directory. */
void h_check_untouched(int line);

/* Write h_big_fn (1 MiB) to "t", which holds 10 x 'o', with strategy s:
 * the result must be `want`, "t" untouched and alone. */
void h_expect_big(iovw_strategy s, const iovw_options *o, int want, int line);

/* A counting allocator (iovw_allocator with ctx = the struct). */
struct h_alloc {
	iovw_allocator a;
	uint64_t mallocs, reallocs, frees;
	uint64_t blocks;    /* blocks created: mallocs and reallocs of NULL */
	uint64_t bytes;	    /* sizes asked for by mallocs and reallocs      */
	uint64_t fail_from; /* calls from this one on (counted from 0) fail;
			       UINT64_MAX (the default): none */
	int fail_one;	    /* only call fail_from fails, later ones work */
	uint64_t calls;	    /* malloc and realloc calls, failed ones too */
};
void h_alloc_init(struct h_alloc *h);

/* ---- workloads of the context tests ---- */

#define H_DATA_SIZE (((size_t)2 << 20) + 4096)
extern unsigned char h_data[H_DATA_SIZE];

/* h_big_fn over the first big.n bytes of h_data, or (small) h_small_fn. */
struct h_wl {
	int small;
	struct h_big big;
};
struct h_wl h_wl_big(size_t n); /* n <= H_DATA_SIZE */
struct h_wl h_wl_small(void);
iovw_serialize_fn h_wl_fn(const struct h_wl *w);
void *h_wl_arg(struct h_wl *w); /* the serializer's ctx */
/* Fill h_data (seed 5) and h_small_src (seed 77). */
void h_wl_fill(void);
/* The workload's bytes from a plan (malloc'ed); ends the case if none. */
unsigned char *h_wl_bytes(struct h_wl *w, size_t *len);

/* Fail (at `line`) unless `path` holds exactly want[0, wlen). */
void h_check_file(const char *path, const unsigned char *want, size_t wlen,
		  int line);

/* Write workload `w` through context `c` to `name` (in the case's
 * directory) with s, o and st: fail at `line` unless it succeeds and the
 * file holds the workload's bytes. */
void h_ctx_expect(iovw_ctx *c, const char *name, iovw_strategy s,
		  struct h_wl *w, const iovw_options *o, iovw_stats *st,
		  int line);

#endif
