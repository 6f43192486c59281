/*
 * writer.c - the writer: one serializer, three modes (plan, measure, direct).
 *
 * Plan mode records iovecs. Borrowed pieces are pointed to, never copied,
 * unless shorter than coalesce_below; copies and reserved slots go to arena
 * chunks that double in size, so a plan of n pieces makes O(log n)
 * allocations. An iovec whose memory starts where the previous one ends is
 * merged into it, which is what makes consecutive arena copies one iovec.
 * Padding points into iovw__zeros, except right after an arena copy while
 * coalescing, where a few zero bytes in the arena keep the run merged.
 * Stream mode hands its pieces to stream.c and keeps its reserved slots in
 * the arena.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define MAX_CHUNK    ((size_t)64 << 20)
#define FIRST_IOVECS 256
#define FIRST_SLOTS  16

const unsigned char iovw__zeros[IOVW_MAX_ALIGN];

static void writer_init(iovw_writer *w, iovw_mode mode, const iovw_options *o,
			size_t batch)
{
	memset(w, 0, sizeof(*w));
	w->mode = mode;
	w->batch_limit = batch;
	w->next_chunk = IOVW__FIRST_CHUNK;
	if (o) {
		w->coalesce_below = o->coalesce_below;
		w->flags = o->flags;
		w->file_mode = o->file_mode;
	}
	iovw__sys_resolve(&w->sys, o ? o->sys : NULL);
	iovw__alloc_resolve(&w->alloc, o ? o->alloc : NULL);
}

static int writer_create(iovw_writer **out, iovw_mode mode,
			 const iovw_options *o)
{
	iovw_allocator a;
	size_t batch;
	iovw_writer *w;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = iovw__options_check(o, &batch);
	if (rc)
		return rc;
	iovw__alloc_resolve(&a, o ? o->alloc : NULL);
	w = a.malloc(a.ctx, sizeof(*w));
	if (!w)
		return -ENOMEM;
	writer_init(w, mode, o, batch);
	*out = w;
	return 0;
}

int iovw_writer_new(iovw_writer **out, iovw_mode mode, const iovw_options *o)
{
	if (mode != IOVW_MODE_PLAN && mode != IOVW_MODE_MEASURE) {
		if (out)
			*out = NULL;
		return -EINVAL;
	}
	return writer_create(out, mode, o);
}

int iovw_writer_new_direct(iovw_writer **out, void *region, uint64_t cap,
			   const iovw_options *o)
{
	int rc;

	if (!region && cap) {
		if (out)
			*out = NULL;
		return -EINVAL;
	}
	rc = writer_create(out, IOVW_MODE_DIRECT, o);
	if (rc)
		return rc;
	(*out)->region = region;
	(*out)->cap = cap;
	return 0;
}

static void free_chunks(iovw_writer *w, struct iovw_chunk *c)
{
	while (c) {
		struct iovw_chunk *next = c->next;
		w->alloc.free(w->alloc.ctx, c);
		c = next;
	}
}

void iovw_writer_free(iovw_writer *w)
{
	size_t i;

	if (!w)
		return;
	free_chunks(w, w->chunks);
	w->alloc.free(w->alloc.ctx, w->stream.win.mem);
	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++)
		w->alloc.free(w->alloc.ctx, w->stream.spare[i].mem);
	w->alloc.free(w->alloc.ctx, w->iov);
	w->alloc.free(w->alloc.ctx, w->slots);
	w->alloc.free(w->alloc.ctx, w);
}

void iovw_writer_reset(iovw_writer *w)
{
	if (!w)
		return;
	/* Several chunks become one of their total size, so that the next
	 * plan of the same size allocates nothing. */
	if (w->chunks && w->chunks->next) {
		size_t total = 0;
		struct iovw_chunk *c;
		for (c = w->chunks; c; c = c->next)
			total += c->cap;
		free_chunks(w, w->chunks);
		w->chunks = NULL;
		w->acur = w->aend = NULL;
		c = w->alloc.malloc(w->alloc.ctx, sizeof(*c) + total);
		if (c) { /* else the next plan allocates as it goes */
			c->cap = total;
			c->next = NULL;
			w->chunks = c;
		}
	}
	if (w->chunks) {
		w->acur = w->chunks->data;
		w->aend = w->chunks->data + w->chunks->cap;
	}
	w->err = 0;
	w->sealed = 0;
	w->size = 0;
	w->pieces = 0;
	w->bytes_copied = 0;
	w->niov = 0;
	w->nslots = 0;
	w->obs_fn = NULL;
}

static int fail(iovw_writer *w, int err)
{
	w->err = err;
	return err;
}

/* Grow an array of `*cap` elements of `elem` bytes to hold `need`. */
static int grow(iovw_writer *w, void **arr, size_t *cap, size_t need,
		size_t elem, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *p;

	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	p = w->alloc.realloc(w->alloc.ctx, *arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Add an iovec, merged into the last one when the memory is contiguous. */
static int push_iov(iovw_writer *w, const void *p, size_t n)
{
	struct iovec *last;

	if (w->niov) {
		last = &w->iov[w->niov - 1];
		if ((uintptr_t)last->iov_base + last->iov_len == (uintptr_t)p) {
			last->iov_len += n;
			return 0;
		}
	}
	if (w->niov == w->iov_cap) {
		int rc = grow(w, (void **)&w->iov, &w->iov_cap, w->niov + 1,
			      sizeof(*w->iov), FIRST_IOVECS);
		if (rc)
			return rc;
	}
	w->iov[w->niov].iov_base = (void *)p;
	w->iov[w->niov].iov_len = n;
	w->niov++;
	return 0;
}

/* `n` bytes of arena, contiguous with the previous arena bytes when they
 * fit in the current chunk. */
static unsigned char *arena_take(iovw_writer *w, size_t n)
{
	struct iovw_chunk *c;
	unsigned char *p;
	size_t cap;

	if ((size_t)(w->aend - w->acur) < n) {
		cap = w->next_chunk;
		if (cap < n)
			cap = n;
		if (cap > SIZE_MAX - sizeof(*c))
			return NULL;
		c = w->alloc.malloc(w->alloc.ctx, sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->next = w->chunks;
		w->chunks = c;
		w->acur = c->data;
		w->aend = c->data + cap;
		if (w->next_chunk < MAX_CHUNK)
			w->next_chunk *= 2;
	}
	p = w->acur;
	w->acur += n;
	return p;
}

/* Does the last iovec end at the arena cursor (so arena bytes merge)? */
static int arena_tail(const iovw_writer *w)
{
	const struct iovec *last;

	if (!w->niov)
		return 0;
	last = &w->iov[w->niov - 1];
	return (unsigned char *)last->iov_base + last->iov_len == w->acur;
}

/*
 * Checks common to every piece, and padding. On success *start is the
 * offset where the piece's bytes land; the stream has been padded up to it.
 */
static int begin_piece(iovw_writer *w, const void *p, size_t n, size_t align,
		       uint64_t *start)
{
	uint64_t pad;
	int rc;

	if (w->err)
		return w->err;
	if (w->sealed)
		return -EINVAL; /* not sticky: the plan itself is fine */
	if (align == 0 || align > IOVW_MAX_ALIGN || (align & (align - 1)))
		return fail(w, -EINVAL);
	if (!p && n)
		return fail(w, -EINVAL);
	pad = (align - (w->size & (align - 1))) & (align - 1);
	if (pad > IOVW_LIMIT - w->size || n > IOVW_LIMIT - w->size - pad)
		return fail(w, -EINVAL);
	if (pad) {
		switch (w->mode) {
		case IOVW_MODE_PLAN:
			if (w->coalesce_below && pad < w->coalesce_below &&
			    arena_tail(w) &&
			    (size_t)(w->aend - w->acur) >= pad) {
				memset(w->acur, 0, pad);
				w->acur += pad;
				w->iov[w->niov - 1].iov_len += pad;
			} else if (push_iov(w, iovw__zeros, pad)) {
				return fail(w, -ENOMEM);
			}
			break;
		case IOVW_MODE_DIRECT:
			if (pad > w->cap - w->size)
				return fail(w, -ENOSPC);
			memset(w->region + w->size, 0, pad);
			break;
		case IOVW_MODE_STREAM:
			if ((rc = iovw__stream_pad(w, (size_t)pad)))
				return fail(w, rc);
			break;
		case IOVW_MODE_MEASURE:
			break;
		}
		w->size += pad;
	}
	if (w->mode == IOVW_MODE_DIRECT && n > w->cap - w->size)
		return fail(w, -ENOSPC);
	*start = w->size;
	return 0;
}

static int end_piece(iovw_writer *w, uint64_t start, size_t n, uint64_t *off)
{
	w->size = start + n;
	if (n)
		w->pieces++;
	if (off)
		*off = start;
	return 0;
}

/* Plan mode: copy n bytes into the arena and record them. */
static int plan_copy(iovw_writer *w, const void *p, size_t n)
{
	unsigned char *dst = arena_take(w, n);

	if (!dst)
		return fail(w, -ENOMEM);
	memcpy(dst, p, n);
	w->bytes_copied += n;
	if (push_iov(w, dst, n))
		return fail(w, -ENOMEM);
	return 0;
}

static int append(iovw_writer *w, const void *p, size_t n, size_t align,
		  uint64_t *off, int copy)
{
	uint64_t start;
	int rc = begin_piece(w, p, n, align, &start);

	if (rc)
		return rc;
	if (n) {
		switch (w->mode) {
		case IOVW_MODE_PLAN:
			if (copy || n < w->coalesce_below)
				rc = plan_copy(w, p, n);
			else if (push_iov(w, p, n))
				rc = fail(w, -ENOMEM);
			break;
		case IOVW_MODE_DIRECT:
			memcpy(w->region + start, p, n);
			w->bytes_copied += n;
			break;
		case IOVW_MODE_STREAM:
			if ((rc = iovw__stream_put(w, p, n, copy)))
				rc = fail(w, rc);
			break;
		case IOVW_MODE_MEASURE:
			break;
		}
		if (rc)
			return rc;
	}
	return end_piece(w, start, n, off);
}

int iovw_append(iovw_writer *w, const void *p, size_t n, size_t align,
		uint64_t *off)
{
	if (!w)
		return -EINVAL;
	return append(w, p, n, align, off, 0);
}

int iovw_append_copy(iovw_writer *w, const void *p, size_t n, size_t align,
		     uint64_t *off)
{
	if (!w)
		return -EINVAL;
	return append(w, p, n, align, off, 1);
}

int iovw_reserve(iovw_writer *w, size_t n, size_t align, uint64_t *off)
{
	unsigned char *mem = NULL;
	struct iovw_slot *s;
	uint64_t start;
	int rc;

	if (!w)
		return -EINVAL;
	/* Any non-NULL pointer: a reserve has no source bytes. */
	rc = begin_piece(w, iovw__zeros, n, align, &start);
	if (rc)
		return rc;
	/* An empty slot is recorded too (len 0, no memory), so that a
	 * patch of 0 bytes at its offset finds it: reserve(count * size)
	 * and patch(off, arr, count * size) must work for count 0. */
	if (w->nslots == w->slot_cap &&
	    grow(w, (void **)&w->slots, &w->slot_cap, w->nslots + 1,
		 sizeof(*w->slots), FIRST_SLOTS))
		return fail(w, -ENOMEM);
	switch (n ? w->mode : IOVW_MODE_MEASURE) { /* empty: no memory */
	case IOVW_MODE_PLAN:
		mem = arena_take(w, n);
		if (!mem)
			return fail(w, -ENOMEM);
		memset(mem, 0, n);
		if (push_iov(w, mem, n))
			return fail(w, -ENOMEM);
		break;
	case IOVW_MODE_DIRECT:
		mem = w->region + start;
		memset(mem, 0, n);
		break;
	case IOVW_MODE_STREAM: /* the slot's memory in the window */
		mem = arena_take(w, n);
		if (!mem)
			return fail(w, -ENOMEM);
		memset(mem, 0, n);
		if ((rc = iovw__stream_slot(w, mem, n)))
			return fail(w, rc);
		break;
	case IOVW_MODE_MEASURE:
		break;
	}
	s = &w->slots[w->nslots++];
	s->off = start;
	s->len = n;
	s->mem = mem;
	return end_piece(w, start, n, off);
}

/* The slot that holds [off, off + n), or NULL. Slots are in stream order
 * and do not overlap (empty ones may share an offset with the next), so a
 * binary search finds the last one at or before `off`. */
static struct iovw_slot *find_slot(const iovw_writer *w, uint64_t off, size_t n)
{
	size_t lo = 0, hi = w->nslots;
	struct iovw_slot *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->slots[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &w->slots[lo - 1];
	if (n > s->len || off - s->off > s->len - n)
		return NULL;
	return s;
}

int iovw_patch(iovw_writer *w, uint64_t off, const void *p, size_t n)
{
	struct iovw_slot *s;

	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->sealed)
		return -EINVAL;
	if (!p && n)
		return fail(w, -EINVAL);
	s = find_slot(w, off, n);
	if (!s)
		return fail(w, -EINVAL);
	if (s->mem && n) {
		memcpy(s->mem + (off - s->off), p, n);
		w->bytes_copied += n;
	}
	return 0;
}

uint64_t iovw_size(const iovw_writer *w)
{
	return w ? w->size : 0;
}

uint64_t iovw_pieces(const iovw_writer *w)
{
	return w ? w->pieces : 0;
}

const struct iovec *iovw_iovecs(const iovw_writer *w, size_t *n)
{
	if (!w || w->mode != IOVW_MODE_PLAN) {
		if (n)
			*n = 0;
		return NULL;
	}
	if (n)
		*n = w->niov;
	return w->iov;
}

int iovw_error(const iovw_writer *w)
{
	return w ? w->err : -EINVAL;
}

iovw_mode iovw_writer_mode(const iovw_writer *w)
{
	return w ? w->mode : IOVW_MODE_PLAN;
}

void iovw_writer_stats(const iovw_writer *w, iovw_stats *st)
{
	if (!w || !st)
		return;
	st->pieces += w->pieces;
	st->bytes_copied += w->bytes_copied;
	if (w->mode == IOVW_MODE_PLAN)
		st->iovecs += w->niov;
	else if (w->mode == IOVW_MODE_STREAM)
		st->iovecs += w->stream.iovecs;
}

int iovw_plan_write(iovw_writer *w, int fd, uint64_t off, int each,
		    iovw_stats *st)
{
	iovw_stats local = {0};
	int rc;

	if (!w || w->mode != IOVW_MODE_PLAN)
		return -EINVAL;
	if (w->err)
		return w->err;
	rc = iovw__fd_check(&w->sys, &local, fd);
	if (!rc)
		rc = iovw__plan_write(w, fd, off, each, &local);
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}

int iovw__plan_write(iovw_writer *w, int fd, uint64_t off, int each,
		     iovw_stats *st)
{
	iovw_stats local = {0};
	uint64_t t0;
	int rc, dc;

	if (!w || w->mode != IOVW_MODE_PLAN)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (off > IOVW_LIMIT - w->size)
		return -EFBIG;
	w->sealed = 1;
	t0 = iovw__now_ns();
	dc = w->flags & IOVW_F_DONTCACHE ? IOVW__DC_PROBE : IOVW__DC_OFF;
	rc = iovw__writev_all_dc(&w->sys, &local, fd, w->iov, w->niov, off,
				 each ? 1 : w->batch_limit, &dc);
	local.write_ns = iovw__now_ns() - t0;
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}

int iovw_plan_gather(const iovw_writer *w, void *dst, uint64_t cap)
{
	unsigned char *d = dst;
	size_t i;

	if (!w || w->mode != IOVW_MODE_PLAN || (!dst && cap))
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->size > cap)
		return -ENOSPC;
	for (i = 0; i < w->niov; i++) {
		memcpy(d, w->iov[i].iov_base, w->iov[i].iov_len);
		d += w->iov[i].iov_len;
	}
	return 0;
}

int iovw_scan(const iovw_writer *w, uint64_t from, iovw_scan_fn fn, void *ctx)
{
	uint64_t pos = 0;
	size_t i;
	int rc;

	if (!w || !fn || from > w->size)
		return -EINVAL;
	if (w->err)
		return w->err;
	switch (w->mode) {
	case IOVW_MODE_MEASURE:
		return 0;
	case IOVW_MODE_STREAM: /* written and forgotten: iovw_observe() */
		return -EOPNOTSUPP;
	case IOVW_MODE_DIRECT:
		return from < w->size ? fn(ctx, w->region + from,
					   (size_t)(w->size - from))
				      : 0;
	case IOVW_MODE_PLAN:
		break;
	}
	for (i = 0; i < w->niov; i++) {
		const unsigned char *b = w->iov[i].iov_base;
		size_t n = w->iov[i].iov_len;

		if (pos + n > from) {
			size_t skip = from > pos ? (size_t)(from - pos) : 0;
			rc = fn(ctx, b + skip, n - skip);
			if (rc)
				return rc;
		}
		pos += n;
	}
	return 0;
}
