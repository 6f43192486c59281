/*
 * observe.c - iovw_observe() and iovw_flush(): the stream's bytes, in
 * order, to a function of the serializer's, in every mode alike.
 *
 * A checksum over a file whose header is patched last cannot be computed
 * by reading the file once it is written, not without reading it again.
 * So the writer hands the serializer every byte as the mode produces it,
 * with reserved slots read as zeros (what they hold when their window goes
 * by in stream mode): stream mode each window just before it is written
 * (stream.c), plan and direct mode from the iovecs or the region when the
 * serializer calls iovw_flush(). The same definition holds in every mode,
 * so every strategy computes the same checksum.
 *
 * Plan mode keeps a cursor into its iovecs and the slot table, so that
 * flushing often costs no more than flushing once.
 */
#include "internal.h"

#include <errno.h>

int iovw_observe(iovw_writer *w, iovw_scan_fn fn, void *ctx)
{
	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	w->obs_fn = fn;
	w->obs_ctx = ctx;
	w->obs_pos = w->size;
	/* plan mode: the last iovec ends at the current size */
	w->obs_iov = w->niov ? w->niov - 1 : 0;
	w->obs_iov_off = w->niov ? w->size - w->iov[w->niov - 1].iov_len : 0;
	w->obs_slot = w->nslots; /* every slot so far ends before obs_pos */
	return 0;
}

/* n zero bytes to the observer. */
static int zeros(iovw_writer *w, uint64_t n)
{
	int rc;

	while (n) {
		size_t k = n < IOVW_MAX_ALIGN ? (size_t)n : IOVW_MAX_ALIGN;
		if ((rc = w->obs_fn(w->obs_ctx, iovw__zeros, k)))
			return rc;
		n -= k;
	}
	return 0;
}

/* The run p[0, n) at stream offset `pos` to the observer, the parts inside
 * reserved slots as zeros. */
int iovw__observe_run(iovw_writer *w, const unsigned char *p, size_t n,
		      uint64_t pos)
{
	int rc;

	while (n) {
		const struct iovw_slot *s;
		size_t k = n;

		while (w->obs_slot < w->nslots &&
		       w->slots[w->obs_slot].off + w->slots[w->obs_slot].len <=
			       pos)
			w->obs_slot++;
		s = w->obs_slot < w->nslots ? &w->slots[w->obs_slot] : NULL;
		if (s && s->off <= pos) { /* inside the slot */
			if (s->off + s->len - pos < k)
				k = (size_t)(s->off + s->len - pos);
			rc = zeros(w, k);
		} else {
			if (s && s->off - pos < k)
				k = (size_t)(s->off - pos);
			rc = w->obs_fn(w->obs_ctx, p, k);
		}
		if (rc)
			return rc;
		p += k;
		pos += k;
		n -= k;
	}
	return 0;
}

/* Plan mode: the iovecs from the cursor on. */
static int observe_plan(iovw_writer *w)
{
	uint64_t pos = w->obs_iov_off;
	size_t i;
	int rc;

	for (i = w->obs_iov; i < w->niov; i++) {
		const unsigned char *b = w->iov[i].iov_base;
		uint64_t end = pos + w->iov[i].iov_len;

		if (end > w->obs_pos) {
			size_t skip = w->obs_pos > pos
					      ? (size_t)(w->obs_pos - pos)
					      : 0;
			rc = iovw__observe_run(w, b + skip,
					       w->iov[i].iov_len - skip,
					       pos + skip);
			if (rc)
				return rc;
			w->obs_pos = end;
		}
		pos = end;
		/* the last iovec may still grow by merging: stay on it */
		if (i + 1 < w->niov)
			w->obs_iov_off = end;
	}
	if (w->niov)
		w->obs_iov = w->niov - 1;
	return 0;
}

static int observe(iovw_writer *w)
{
	if (!w->obs_fn || w->obs_pos >= w->size)
		return 0;
	switch (w->mode) {
	case IOVW_MODE_PLAN:
		return observe_plan(w);
	case IOVW_MODE_DIRECT: {
		uint64_t from = w->obs_pos;
		w->obs_pos = w->size;
		return iovw__observe_run(w, w->region + from,
					 (size_t)(w->size - from), from);
	}
	case IOVW_MODE_MEASURE:
	case IOVW_MODE_STREAM:
		break;
	}
	return 0;
}

int iovw_observe_sync(iovw_writer *w)
{
	int rc;

	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (!w->obs_fn)
		return 0;
	rc = w->mode == IOVW_MODE_STREAM ? iovw__stream_observe(w) : observe(w);
	if (rc > 0)
		rc = -EINVAL; /* an observer that broke the contract */
	if (rc)
		w->err = rc;
	return rc;
}

int iovw_flush(iovw_writer *w)
{
	int rc;

	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->mode == IOVW_MODE_STREAM)
		rc = iovw__stream_flush_all(w);
	else
		rc = observe(w);
	if (rc > 0)
		rc = -EINVAL; /* an observer that broke the contract */
	if (rc)
		w->err = rc;
	return rc;
}
