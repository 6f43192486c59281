/*
 * digest.h - the digest of an output: XXH3-128 over the XXH3-128 of each
 * of its files, in order, printed as 32 hex digits. Every digest in
 * reports and in `verify` is this one.
 */
#ifndef IOVBENCH_ENGINE_DIGEST_H
#define IOVBENCH_ENGINE_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX 33 /* 32 hex digits and the NUL */

struct digest {
	void *state; /* XXH3_state_t */
};

/* 0 or -ENOMEM. */
int digest_begin(struct digest *d);
/* Add one file's bytes. */
void digest_file(struct digest *d, const void *p, size_t n);
/* The digest into hex; frees the state. */
void digest_end(struct digest *d, char hex[DIGEST_HEX]);
/* Free the state without a result (after a failure). */
void digest_abort(struct digest *d);

#endif
