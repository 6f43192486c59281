/*
 * async.c - the asynchronous strategies' common part: stream mode whose
 * full windows are handed to a writer (io_uring in uring.c, a thread in
 * pipeline.c) while the serializer fills the next one.
 *
 * The stream fills its window as in IOVW_STREAM. When the window is full
 * it becomes a job: the job takes the window's block (its iovecs and
 * staging bytes) and the stream goes on in the block the job held before,
 * or a new small one. At most IOVW_ASYNC_WINDOWS jobs are in flight; a
 * further full window first waits for the oldest (the serializer's thread
 * blocks: that wait is the strategy's write_ns). The blocks live in the
 * writer (stream.spare) between writes, so a context keeps them.
 *
 * Errors: the first failed job's error is kept and returned by every
 * later hand-over, so the serializer stops at its next append; jobs in
 * flight are always waited for before the write returns (the kernel or the
 * thread may still read their memory).
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* Wait for one job; its block stays with it, free for the next window. */
static int reap_one(struct iovw_async *a)
{
	struct iovw_job *j;
	int rc;

	if (!a->busy)
		return 0;
	rc = a->ops->reap(a, &j);
	if (rc) {
		a->fatal = 1;
		if (!a->err)
			a->err = rc;
		return rc;
	}
	j->busy = 0;
	a->busy--;
	if (j->rc && !a->err)
		a->err = j->rc;
	return j->rc;
}

/* Wait for every job; the first error. The time is the write's. */
static int drain(struct iovw_async *a)
{
	struct iovw_stream *s = &a->w->stream;
	uint64_t t0 = iovw__now_ns();

	while (a->busy && !a->fatal)
		reap_one(a);
	s->io.write_ns += iovw__now_ns() - t0;
	return a->err;
}

int iovw__async_drain(iovw_writer *w)
{
	return drain(w->stream.async);
}

/* A free job (there is one when busy < IOVW_ASYNC_WINDOWS). */
static struct iovw_job *free_job(struct iovw_async *a)
{
	unsigned i;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++)
		if (!a->job[i].busy)
			return &a->job[i];
	return NULL;
}

/* Start job j on window `v` at file offset `off`. */
static int submit(struct iovw_async *a, struct iovw_job *j,
		  const struct iovw_window *v, uint64_t off)
{
	int rc;

	j->win = *v;
	j->off = off;
	j->seq = a->seq++;
	j->cur = 0;
	j->cur_done = 0;
	j->rc = 0;
	j->busy = 1;
	a->busy++;
	rc = a->ops->submit(a, j);
	if (rc) {
		j->busy = 0;
		a->busy--;
		if (!a->err)
			a->err = rc;
	}
	return rc;
}

/* The block the stream continues in as large as the one it handed over
 * (a first window grows to what the stream needs; the others start
 * there), so that every block is grown once, in the first write that
 * needs it, and a warm write allocates nothing. Failing to allocate is no
 * error: the window grows as it fills, or is written sooner. */
static void match(iovw_writer *w, struct iovw_block *mine,
		  const struct iovw_block *full)
{
	size_t cap = mine->cap > full->cap ? mine->cap : full->cap;
	size_t stage = mine->stage > full->stage ? mine->stage : full->stage;
	void *m;

	if (mine->mem && mine->cap == cap && mine->stage == stage)
		return;
	m = w->alloc.malloc(w->alloc.ctx, cap * sizeof(struct iovec) + stage);
	if (!m)
		return;
	w->alloc.free(w->alloc.ctx, mine->mem);
	mine->mem = m;
	mine->cap = cap;
	mine->stage = stage;
}

int iovw__async_window(iovw_writer *w)
{
	struct iovw_stream *s = &w->stream;
	struct iovw_async *a = s->async;
	struct iovw_window *v = &s->win;
	struct iovw_block mine;
	struct iovw_job *j;
	uint64_t t0 = iovw__now_ns();
	int rc;

	if (!a->err && a->busy == IOVW_ASYNC_WINDOWS)
		reap_one(a);
	s->io.write_ns += iovw__now_ns() - t0;
	if (a->err)
		return a->err;
	if ((rc = iovw__stream_check(w, s->flushed, v->bytes)))
		return rc;
	j = free_job(a);
	mine = j->blk; /* the stream continues in it */
	j->blk.mem = v->mem;
	j->blk.cap = s->blk_cap;
	j->blk.stage = s->blk_stage;
	rc = submit(a, j, v, s->base + s->flushed);
	s->flushed += v->bytes;
	s->iovecs += v->n;
	match(w, &mine, &j->blk);
	v->mem = mine.mem;
	s->blk_cap = mine.cap;
	s->blk_stage = mine.stage;
	if (!rc)
		rc = iovw__stream_reopen(w);
	else
		(void)iovw__stream_reopen(w); /* keeps the stream usable */
	return rc;
}

int iovw__async_write_now(iovw_writer *w, struct iovw_window *v, uint64_t at)
{
	struct iovw_stream *s = &w->stream;
	struct iovw_async *a = s->async;
	uint64_t t0;
	int rc;

	if ((rc = drain(a)))
		return rc;
	if ((rc = iovw__stream_check(w, at, v->bytes)))
		return rc;
	t0 = iovw__now_ns();
	/* the window stays the stream's: the job's block is untouched */
	rc = submit(a, &a->job[0], v, s->base + at);
	s->iovecs += v->n;
	s->io.write_ns += iovw__now_ns() - t0;
	return rc ? rc : drain(a);
}

/* Blocks from the writer to the jobs (start) or back (end). */
static void blocks_take(struct iovw_async *a)
{
	unsigned i;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++)
		a->job[i].blk = a->w->stream.spare[i];
}

/* A job still busy after a reap failed for good may still be read by
 * the kernel: its memory is let go of (leaked), never reused or freed:
 * the job's block, or the stream's own (iovw__async_write_now's). */
static void blocks_give(struct iovw_async *a)
{
	struct iovw_stream *s = &a->w->stream;
	unsigned i;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++) {
		struct iovw_job *j = &a->job[i];

		if (j->busy && j->win.n && j->win.mem == j->blk.mem) {
			memset(&j->blk, 0, sizeof(j->blk));
		} else if (j->busy && j->win.n && j->win.mem == s->win.mem) {
			s->win.mem = NULL;
			s->blk_cap = 0;
			s->blk_stage = 0;
		}
		s->spare[i] = j->blk;
	}
}

int iovw__async_write_fd(iovw_writer *w, iovw_stats *st, int fd, uint64_t off,
			 iovw_strategy strat, iovw_serialize_fn fn, void *ctx,
			 const iovw_options *o)
{
	struct iovw_async a;
	uint64_t t0 = iovw__now_ns();
	int rc;

	memset(&a, 0, sizeof(a));
	a.w = w;
	a.fd = fd;
	a.ops = strat == IOVW_URING ? &iovw__uring_ops : &iovw__pipeline_ops;
	rc = a.ops->start(&a);
	if (rc) {
		iovw_stats_add(st, &a.io);
		st->write_ns += iovw__now_ns() - t0;
		return rc;
	}
	blocks_take(&a);
	w->stream.async = &a;
	rc = iovw__stream_write_fd(w, st, fd, off, fn, ctx, o);
	/* on every path: nothing in flight, the ring or thread gone */
	t0 = iovw__now_ns();
	drain(&a);
	a.ops->stop(&a);
	st->write_ns += iovw__now_ns() - t0;
	w->stream.async = NULL;
	blocks_give(&a);
	iovw_stats_add(st, &a.io);
	return rc ? rc : a.err;
}
