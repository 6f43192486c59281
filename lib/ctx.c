/*
 * ctx.c - the writer context: memory kept between writes.
 *
 * A context holds one writer, armed anew for each mode a write runs (plan,
 * measure, direct, stream) and keeping what iovw_writer_reset() keeps: the
 * iovec array, the slot table, the arena (its chunks merged into one) and
 * the stream window's block (and the asynchronous strategies' other
 * windows' blocks). Besides it, the buffer strategy's buffer and
 * the room for a temporary name. Each part grows only when one write
 * needs more, and then replaces what it had: what a context keeps of each
 * kind is what the largest write needed of it.
 *
 * The one-shot calls, iovw_write_file() and iovw_write_fd(), run on a
 * context on their stack that they release before returning.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define HUGE_PAGE ((size_t)2 << 20)

void iovw__ctx_init(struct iovw_ctx *c, const iovw_allocator *a)
{
	memset(c, 0, sizeof(*c));
	c->given = a;
	iovw__alloc_resolve(&c->alloc, a);
}

/* Give back the buffer (a huge one through the seam that mapped it). */
static void buffer_release(struct iovw_ctx *c, iovw_stats *st)
{
	if (c->map) {
		if (st)
			st->syscalls[IOVW_SYS_MUNMAP]++;
		/* nothing to do if it fails: the range is forgotten */
		(void)c->map_sys.munmap(c->map_sys.ctx, c->map, c->map_len);
	} else {
		c->alloc.free(c->alloc.ctx, c->buf);
	}
	c->buf = NULL;
	c->buf_cap = 0;
	c->map = NULL;
	c->map_len = 0;
}

void iovw__ctx_release(struct iovw_ctx *c, iovw_stats *st)
{
	iovw_writer_free(c->w);
	c->w = NULL;
	buffer_release(c, st);
	c->alloc.free(c->alloc.ctx, c->tmp);
	c->tmp = NULL;
	c->tmp_cap = 0;
}

int iovw_ctx_new(iovw_ctx **out, const iovw_allocator *a)
{
	iovw_allocator al;
	iovw_ctx *c;

	if (!out)
		return -EINVAL;
	*out = NULL;
	iovw__alloc_resolve(&al, a);
	c = al.malloc(al.ctx, sizeof(*c));
	if (!c)
		return -ENOMEM;
	iovw__ctx_init(c, a);
	*out = c;
	return 0;
}

void iovw_ctx_free(iovw_ctx *c)
{
	if (!c)
		return;
	iovw__ctx_release(c, NULL);
	c->alloc.free(c->alloc.ctx, c);
}

void iovw_ctx_trim(iovw_ctx *c)
{
	if (c)
		iovw__ctx_release(c, NULL);
}

size_t iovw__writer_retained(const iovw_writer *w)
{
	const struct iovw_chunk *ch;
	size_t n, i;

	if (!w)
		return 0;
	n = sizeof(*w) + w->iov_cap * sizeof(struct iovec) +
	    w->slot_cap * sizeof(struct iovw_slot);
	for (ch = w->chunks; ch; ch = ch->next)
		n += sizeof(*ch) + ch->cap;
	if (w->stream.win.mem)
		n += w->stream.blk_cap * sizeof(struct iovec) +
		     w->stream.blk_stage;
	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++)
		if (w->stream.spare[i].mem)
			n += w->stream.spare[i].cap * sizeof(struct iovec) +
			     w->stream.spare[i].stage;
	return n;
}

size_t iovw_ctx_retained(const iovw_ctx *c)
{
	if (!c)
		return 0;
	return iovw__writer_retained(c->w) + c->buf_cap + c->tmp_cap;
}

void iovw__writer_arm(iovw_writer *w, iovw_mode mode, const iovw_options *o,
		      size_t batch, const iovw_allocator *a)
{
	iovw_writer old;

	w->alloc = *a;
	iovw_writer_reset(w); /* merges the arena's chunks into one */
	old = *w;
	memset(w, 0, sizeof(*w));
	w->mode = mode;
	w->batch_limit = batch;
	if (o) {
		w->coalesce_below = o->coalesce_below;
		w->flags = o->flags;
		w->file_mode = o->file_mode;
	}
	iovw__sys_resolve(&w->sys, o ? o->sys : NULL);
	w->alloc = *a;
	/* the memory, and nothing else */
	w->iov = old.iov;
	w->iov_cap = old.iov_cap;
	w->chunks = old.chunks;
	w->acur = old.acur;
	w->aend = old.aend;
	w->next_chunk = old.next_chunk;
	w->slots = old.slots;
	w->slot_cap = old.slot_cap;
	w->stream.win.mem = old.stream.win.mem;
	w->stream.blk_cap = old.stream.blk_cap;
	w->stream.blk_stage = old.stream.blk_stage;
	memcpy(w->stream.spare, old.stream.spare, sizeof(w->stream.spare));
}

int iovw__ctx_writer(struct iovw_ctx *c, iovw_writer **out, iovw_mode mode,
		     const iovw_options *o, size_t batch)
{
	if (!c->w) {
		c->w = c->alloc.malloc(c->alloc.ctx, sizeof(*c->w));
		if (!c->w)
			return -ENOMEM;
		memset(c->w, 0, sizeof(*c->w));
		c->w->next_chunk = IOVW__FIRST_CHUNK;
	}
	iovw__writer_arm(c->w, mode, o, batch, &c->alloc);
	*out = c->w;
	return 0;
}

/* A huge-page buffer of `len` (a multiple of HUGE_PAGE) bytes: a mapping
 * one huge page longer, the buffer at its first 2 MiB boundary. */
static int map_huge(struct iovw_ctx *c, size_t len, const iovw_sys *s,
		    iovw_stats *st)
{
	void *base;
	uintptr_t at;
	int rc;

	if (len > SIZE_MAX - HUGE_PAGE)
		return -ENOMEM;
	st->syscalls[IOVW_SYS_MMAP]++;
	rc = s->mmap_anon(s->ctx, len + HUGE_PAGE, &base);
	if (rc)
		return rc;
	at = ((uintptr_t)base + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	c->map = base;
	c->map_len = len + HUGE_PAGE;
	c->map_sys = *s;
	c->buf = (unsigned char *)at;
	c->buf_cap = len;
	return 0;
}

int iovw__ctx_buffer(struct iovw_ctx *c, size_t size, int huge,
		     const iovw_sys *s, iovw_stats *st, unsigned char **out)
{
	size_t len = size;
	int rc;

	if (c->buf && c->buf_cap >= size && !c->map == !huge) {
		*out = c->buf;
		return 0;
	}
	buffer_release(c, st);
	if (huge) {
		if (size > SIZE_MAX - (HUGE_PAGE - 1))
			return -ENOMEM;
		len = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		rc = map_huge(c, len, s, st);
		if (rc)
			return rc;
	} else {
		c->buf = c->alloc.malloc(c->alloc.ctx, len);
		if (!c->buf)
			return -ENOMEM;
		c->buf_cap = len;
	}
	*out = c->buf;
	return 0;
}

char *iovw__ctx_tmp(struct iovw_ctx *c, size_t n)
{
	if (c->tmp_cap < n) {
		c->alloc.free(c->alloc.ctx, c->tmp);
		c->tmp_cap = 0;
		c->tmp = c->alloc.malloc(c->alloc.ctx, n);
		if (!c->tmp)
			return NULL;
		c->tmp_cap = n;
	}
	return c->tmp;
}

/* o->alloc, if given, must be the context's. */
int iovw__ctx_check(const struct iovw_ctx *c, const iovw_options *o)
{
	if (!c)
		return -EINVAL;
	if (o && o->alloc && o->alloc != c->given)
		return -EINVAL;
	return 0;
}
