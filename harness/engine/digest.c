/*
 * digest.c - the digest of an output (see digest.h).
 */
#include "engine/digest.h"

#include <errno.h>
#include <stdio.h>
#include <xxhash.h>

int digest_begin(struct digest *d)
{
	XXH3_state_t *hs = XXH3_createState();

	d->state = hs;
	if (!hs)
		return -ENOMEM;
	XXH3_128bits_reset(hs);
	return 0;
}

void digest_file(struct digest *d, const void *p, size_t n)
{
	XXH128_hash_t h = XXH3_128bits(p, n);

	XXH3_128bits_update(d->state, &h, sizeof(h));
}

void digest_end(struct digest *d, char hex[DIGEST_HEX])
{
	XXH128_hash_t h = XXH3_128bits_digest(d->state);

	snprintf(hex, DIGEST_HEX, "%016llx%016llx",
		 (unsigned long long)h.high64, (unsigned long long)h.low64);
	digest_abort(d);
}

void digest_abort(struct digest *d)
{
	XXH3_freeState(d->state);
	d->state = NULL;
}
