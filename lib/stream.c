/*
 * stream.c - stream mode and the IOVW_STREAM strategy: the serializer runs
 * once and the file is written as it goes.
 *
 * Plan mode holds an iovec per piece until the end, 16 bytes for each of
 * millions of tiny pieces, and coalescing copies them into fresh arena
 * memory. Stream mode holds one window instead: at most batch_limit iovecs
 * and a staging buffer of at most stage_bytes, in one block that starts
 * small (64 iovecs, 4 KiB) and doubles when it fills, up to those sizes,
 * moving what it holds (cache-hot, at most the limits, a logarithmic
 * number of times): a small file takes a small block from the heap, warm
 * from the files before it, not a fresh mapping of 272 KiB whose pages
 * fault, and is still written in one call. Pieces shorter than
 * the coalescing threshold, and every copy, go into the staging buffer,
 * where consecutive ones merge into one iovec; longer pieces are borrowed;
 * padding points at the static zeros (or goes into the staging buffer
 * right after a staged piece). When the window or the staging buffer is
 * full the window is written with the batched write loop (partial writes,
 * EINTR, -EIO on 0) and both start over, still warm in cache.
 *
 * A reserved slot is kept in the arena, and its memory joins the window as
 * a borrowed piece: written as it stands when its window is, zeros unless
 * patched already. iovw_patch() works until the serializer returns; then
 * the last window is written, with the slots in it as patched, and the
 * slots of earlier windows again at their offsets, adjacent ones in one
 * call: a file that fits one window takes one write call.
 * Memory is the window, the staging buffer and the slots: not the file.
 *
 * Filling a window (the push and copy functions) and writing it
 * (write_window) are separate steps, so that the asynchronous strategies
 * (async.c) fill one window while others are being written: there a full
 * window is handed over with its block and the stream goes on in another.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* The window's first block: iovecs and staging bytes. */
#define STREAM_IOV_START   64
#define STREAM_STAGE_START 4096

/* ---- the window's block ------------------------------------------------ */

/* The iovecs and staging bytes a block of this window's sizes holds. */
static void *window_block(iovw_writer *w, size_t cap, size_t stage)
{
	return w->alloc.malloc(w->alloc.ctx,
			       cap * sizeof(struct iovec) + stage);
}

/* Point the window into block `mem` of those sizes. */
static void window_set(struct iovw_stream *s, void *mem, size_t cap,
		       size_t stage)
{
	struct iovw_window *v = &s->win;

	v->mem = mem;
	v->iov = mem;
	v->cap = cap;
	v->stage = (unsigned char *)mem + cap * sizeof(struct iovec);
	v->stage_cap = stage;
	s->blk_cap = cap;
	s->blk_stage = stage;
}

/* Double the window's iovecs (`iov`) or its staging buffer (else), up to
 * their limits, moving what it holds: entries that point into the staging
 * buffer point into the new one. 1 if it grew, 0 if that part is at its
 * limit or the allocation failed (then the window is written instead:
 * growing only saves write calls). */
static int window_grow(iovw_writer *w, int iov)
{
	struct iovw_stream *s = &w->stream;
	struct iovw_window *v = &s->win;
	size_t cap = v->cap, stage = v->stage_cap;
	unsigned char *old = v->stage;
	void *mem;
	size_t i;

	if (iov)
		cap = cap < s->cap_max / 2 ? 2 * cap : s->cap_max;
	else
		stage = stage < s->stage_max / 2 ? 2 * stage : s->stage_max;
	if ((cap == v->cap && stage == v->stage_cap) ||
	    !(mem = window_block(w, cap, stage)))
		return 0;
	memcpy(mem, v->iov, v->n * sizeof(struct iovec));
	memcpy((unsigned char *)mem + cap * sizeof(struct iovec), old, v->used);
	w->alloc.free(w->alloc.ctx, v->mem);
	window_set(s, mem, cap, stage);
	for (i = 0; i < v->n; i++) {
		unsigned char *b = v->iov[i].iov_base;
		if (b >= old && b < old + v->used)
			v->iov[i].iov_base = v->stage + (b - old);
	}
	return 1;
}

/* ---- filling the window ------------------------------------------------- */

/* Can (p, ...) join the window without writing it first? It can when it
 * continues the last entry in memory or an entry is free. */
static int win_room(const struct iovw_window *v, const void *p)
{
	const struct iovec *last;

	if (v->n < v->cap)
		return 1;
	last = &v->iov[v->n - 1];
	return (const unsigned char *)last->iov_base + last->iov_len == p;
}

/* Add (p, n) to a window with room for it, merged into the last entry when
 * the memory continues it. */
static void win_add(struct iovw_window *v, const void *p, size_t n)
{
	struct iovec *last;

	v->bytes += n;
	if (v->n) {
		last = &v->iov[v->n - 1];
		if ((const unsigned char *)last->iov_base + last->iov_len ==
		    p) {
			last->iov_len += n;
			return;
		}
	}
	v->iov[v->n].iov_base = (void *)p;
	v->iov[v->n].iov_len = n;
	v->n++;
}

/* A borrowed piece (or zeros): written first when the window is full. */
static int push(iovw_writer *w, const void *p, size_t n)
{
	struct iovw_window *v = &w->stream.win;
	int rc;

	if (!win_room(v, p) && !window_grow(w, 1) &&
	    (rc = iovw__stream_flush(w)))
		return rc;
	win_add(v, p, n);
	return 0;
}

/* Copy n bytes into the staging buffer, in parts when it fills up: each
 * part joins the window, which is written when the buffer or the window is
 * full. */
static int stage_copy(iovw_writer *w, const unsigned char *p, size_t n)
{
	struct iovw_window *v = &w->stream.win;
	int rc;

	while (n) {
		size_t room, k;
		unsigned char *dst;

		/* either part may have to grow, or both (a window that
		 * starts in a small block grows as far as one kept) */
		if (v->used == v->stage_cap)
			window_grow(w, 0);
		if (!win_room(v, v->stage + v->used))
			window_grow(w, 1);
		/* the block may have moved */
		room = v->stage_cap - v->used;
		dst = v->stage + v->used;
		if (!room || !win_room(v, dst)) {
			if ((rc = iovw__stream_flush(w)))
				return rc;
			room = v->stage_cap;
			dst = v->stage;
		}
		k = n < room ? n : room;
		memcpy(dst, p, k);
		win_add(v, dst, k);
		v->used += k;
		w->bytes_copied += k;
		p += k;
		n -= k;
	}
	return 0;
}

int iovw__stream_slot(iovw_writer *w, const void *mem, size_t n)
{
	return push(w, mem, n);
}

int iovw__stream_put(iovw_writer *w, const void *p, size_t n, int copy)
{
	if (copy || n < w->coalesce_below)
		return stage_copy(w, p, n);
	return push(w, p, n);
}

/* n <= IOVW_MAX_ALIGN zero bytes: a run of the static zeros grows while it
 * fits in them. */
static int push_zeros(iovw_writer *w, size_t n)
{
	struct iovw_window *v = &w->stream.win;
	struct iovec *last = v->n ? &v->iov[v->n - 1] : NULL;

	if (last && last->iov_base == (void *)iovw__zeros &&
	    last->iov_len <= IOVW_MAX_ALIGN - n) {
		last->iov_len += n;
		v->bytes += n;
		return 0;
	}
	return push(w, iovw__zeros, n);
}

int iovw__stream_pad(iovw_writer *w, size_t pad)
{
	struct iovw_window *v = &w->stream.win;
	unsigned char *cur = v->stage + v->used;

	/* right after a staged piece: into the staging buffer, so that the
	 * run stays one iovec (as plan mode does in its arena) */
	if (pad < w->coalesce_below && v->n && v->stage_cap - v->used >= pad &&
	    (unsigned char *)v->iov[v->n - 1].iov_base +
			    v->iov[v->n - 1].iov_len ==
		    cur) {
		memset(cur, 0, pad);
		v->used += pad;
		v->iov[v->n - 1].iov_len += pad;
		v->bytes += pad;
		return 0;
	}
	return push_zeros(w, pad);
}

int iovw__stream_zeros(iovw_writer *w, uint64_t n)
{
	int rc;

	while (n) {
		size_t k = n < IOVW_MAX_ALIGN ? (size_t)n : IOVW_MAX_ALIGN;
		if ((rc = push_zeros(w, k)))
			return rc;
		n -= k;
	}
	return 0;
}

/* ---- writing the window ------------------------------------------------- */

int iovw__stream_check(const iovw_writer *w, uint64_t at, uint64_t bytes)
{
	if (at > IOVW_LIMIT - bytes || w->stream.base > IOVW_LIMIT - at - bytes)
		return -EFBIG;
	return 0;
}

/* Write v's entries at stream offset `at`, timed (through the async
 * writer, if any, which times itself). */
static int write_window(iovw_writer *w, struct iovw_window *v, uint64_t at)
{
	struct iovw_stream *s = &w->stream;
	uint64_t t0;
	int rc;

	if (s->async)
		return iovw__async_write_now(w, v, at);
	if ((rc = iovw__stream_check(w, at, v->bytes)))
		return rc;
	t0 = iovw__now_ns();
	rc = iovw__writev_all_dc(&w->sys, &s->io, s->fd, v->iov, v->n,
				 s->base + at, w->batch_limit, &w->dc);
	s->io.write_ns += iovw__now_ns() - t0;
	s->iovecs += v->n;
	return rc;
}

int iovw__stream_observe(iovw_writer *w)
{
	const struct iovw_window *v = &w->stream.win;
	uint64_t pos = w->stream.flushed;
	size_t i;
	int rc;

	for (i = 0; i < v->n; i++) {
		uint64_t end = pos + v->iov[i].iov_len;

		if (end > w->obs_pos) {
			size_t skip = w->obs_pos > pos
					      ? (size_t)(w->obs_pos - pos)
					      : 0;
			/* slots' memory is in the window: zeros to it */
			rc = iovw__observe_run(
				w,
				(const unsigned char *)v->iov[i].iov_base +
					skip,
				v->iov[i].iov_len - skip, pos + skip);
			if (rc)
				return rc > 0 ? -EINVAL : rc;
			w->obs_pos = end;
		}
		pos = end;
	}
	return 0;
}

int iovw__stream_flush(iovw_writer *w)
{
	struct iovw_stream *s = &w->stream;
	struct iovw_window *v = &s->win;
	int rc = 0;

	if (!v->n)
		return 0;
	if (w->obs_fn && (rc = iovw__stream_observe(w)))
		return rc;
	if (s->async)
		return iovw__async_window(w);
	rc = write_window(w, v, s->flushed);
	s->flushed += v->bytes;
	v->n = 0;
	v->used = 0;
	v->bytes = 0;
	return rc;
}

int iovw__stream_flush_all(iovw_writer *w)
{
	int rc = iovw__stream_flush(w);

	/* on every path: after iovw_flush, even a failed one, no window is
	 * in flight, so the caller may reuse what it lent */
	if (w->stream.async) {
		int r2 = iovw__async_drain(w);
		if (!rc)
			rc = r2;
	}
	return rc;
}

/* The reserved slots (their parts) before `final`, the start of the last
 * window, at their offsets, each run of adjacent slots in one call (or a
 * few, past batch_limit entries), through the empty window. The last
 * window held the rest as the serializer left it: written already. */
static int write_slots(iovw_writer *w, uint64_t final)
{
	struct iovw_window *v = &w->stream.win;
	size_t i = 0;
	int rc;

	while (i < w->nslots && w->slots[i].off < final) {
		uint64_t start = w->slots[i].off, end = start;

		v->n = 0;
		v->bytes = 0;
		while (i < w->nslots && w->slots[i].off == end && end < final) {
			const struct iovw_slot *sl = &w->slots[i];
			size_t k = (size_t)(sl->off + sl->len <= final
						    ? sl->len
						    : final - sl->off);
			if (k) {
				if (!win_room(v, sl->mem))
					break;
				win_add(v, sl->mem, k);
				end += k;
			}
			i++;
		}
		if (v->n && (rc = write_window(w, v, start)))
			return rc;
		/* counted once already, in their window: the stats count
		 * the file's bytes once, as other strategies do */
		w->stream.io.bytes_written -= v->bytes;
	}
	v->n = 0;
	v->bytes = 0;
	return 0;
}

/* ---- the strategy ------------------------------------------------------- */

/* The window within its limits: the block a context kept (the parts of
 * it the limits allow: a later write with smaller limits uses less of a
 * larger block), else a first, small one. */
static int window_open(iovw_writer *w)
{
	struct iovw_stream *s = &w->stream;
	struct iovw_window *v = &s->win;
	size_t cap =
		s->cap_max < STREAM_IOV_START ? s->cap_max : STREAM_IOV_START;
	size_t stage = s->stage_max < STREAM_STAGE_START ? s->stage_max
							 : STREAM_STAGE_START;
	void *mem;

	if (v->mem) {
		v->iov = v->mem;
		v->cap = s->blk_cap < s->cap_max ? s->blk_cap : s->cap_max;
		v->stage = (unsigned char *)v->mem +
			   s->blk_cap * sizeof(struct iovec);
		v->stage_cap = s->blk_stage < s->stage_max ? s->blk_stage
							   : s->stage_max;
		return 0;
	}
	if (!(mem = window_block(w, cap, stage)))
		return -ENOMEM;
	window_set(s, mem, cap, stage);
	return 0;
}

int iovw__stream_reopen(iovw_writer *w)
{
	struct iovw_window *v = &w->stream.win;

	v->n = 0;
	v->used = 0;
	v->bytes = 0;
	return window_open(w);
}

/* Turn a plan-mode writer just armed into a stream-mode one writing to fd
 * at off. */
static int stream_open(iovw_writer *w, int fd, uint64_t off,
		       const iovw_options *o)
{
	struct iovw_stream *s = &w->stream;
	size_t stage_max =
		o && o->stage_bytes ? o->stage_bytes : IOVW_STAGE_DEFAULT;
	int rc;

	if (off > IOVW_LIMIT)
		return -EFBIG;
	if (stage_max > SIZE_MAX - w->batch_limit * sizeof(struct iovec))
		return -ENOMEM;
	s->cap_max = w->batch_limit;
	s->stage_max = stage_max;
	if ((rc = window_open(w)))
		return rc;
	w->mode = IOVW_MODE_STREAM;
	w->stream.fd = fd;
	w->stream.base = off;
	w->dc = w->flags & IOVW_F_DONTCACHE ? IOVW__DC_PROBE : IOVW__DC_OFF;
	if (!w->coalesce_below)
		w->coalesce_below = IOVW_STREAM_COALESCE_DEFAULT;
	return 0;
}

int iovw__stream_write_fd(iovw_writer *w, iovw_stats *st, int fd, uint64_t off,
			  iovw_serialize_fn fn, void *ctx,
			  const iovw_options *o)
{
	uint64_t t0 = iovw__now_ns(), final;
	int rc = stream_open(w, fd, off, o);

	if (!rc) {
		rc = fn(w, ctx); /* as strategy.c's run_fn */
		if (rc > 0)
			rc = -EINVAL;
		if (!rc)
			rc = w->err;
	}
	w->obs_fn = NULL; /* its context may have gone with the serializer */
	if (!rc) {
		if (o && o->built)
			o->built(o->built_ctx);
		w->sealed = 1;
		final = w->stream.flushed; /* the last window's start */
		rc = iovw__stream_flush_all(w);
		if (!rc)
			rc = write_slots(w, final);
	}
	iovw_writer_stats(w, st);
	iovw_stats_add(st, &w->stream.io);
	st->build_ns += iovw__now_ns() - t0 - w->stream.io.write_ns;
	return rc;
}
