/*
 * strategy.c - run a serializer in the modes a strategy needs, write to fd.
 *
 *   pwritev     plan, then batched pwritev
 *   write-each  plan, then one pwrite per iovec
 *   buffer      measure, allocate, direct into the buffer, one pwrite
 *   mmap        measure, fallocate, mmap(MAP_SHARED), direct, munmap
 *   stream      one pass, writing windows as they fill (stream.c)
 *   io_uring    stream, its windows written by io_uring (uring.c)
 *   pipelined   stream, its windows written by a thread (pipeline.c)
 *
 * build_ns covers the serializer runs (and, for mmap, mapping the file);
 * write_ns covers the write calls, munmap and fdatasync.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>

static void built(const iovw_options *o)
{
	if (o && o->built)
		o->built(o->built_ctx);
}

/* Run fn against w; a serializer that returned 0 over a failed writer
 * still fails. */
static int run_fn(iovw_writer *w, iovw_serialize_fn fn, void *ctx)
{
	int rc = fn(w, ctx);
	if (rc > 0)
		rc = -EINVAL; /* not a negative errno: the callback broke the
				 contract */
	return rc ? rc : iovw_error(w);
}

static int do_plan(struct iovw_ctx *c, iovw_stats *st, int fd, uint64_t off,
		   int each, iovw_serialize_fn fn, void *ctx,
		   const iovw_options *o, size_t batch)
{
	iovw_writer *w;
	uint64_t t0 = iovw__now_ns();
	int rc = iovw__ctx_writer(c, &w, IOVW_MODE_PLAN, o, batch);

	if (rc)
		return rc;
	rc = run_fn(w, fn, ctx);
	st->build_ns += iovw__now_ns() - t0;
	if (!rc) {
		built(o);
		rc = iovw__plan_write(w, fd, off, each, st);
	}
	iovw_writer_stats(w, st);
	return rc;
}

/* Measure mode: the stream's size. */
static int measure(struct iovw_ctx *c, iovw_serialize_fn fn, void *ctx,
		   const iovw_options *o, size_t batch, uint64_t *size)
{
	iovw_writer *w;
	int rc = iovw__ctx_writer(c, &w, IOVW_MODE_MEASURE, o, batch);

	if (rc)
		return rc;
	rc = run_fn(w, fn, ctx);
	*size = iovw_size(w);
	return rc;
}

/* Direct mode into region[0, size); the serializer must fill it exactly. */
static int direct(struct iovw_ctx *c, iovw_stats *st, void *region,
		  uint64_t size, iovw_serialize_fn fn, void *ctx,
		  const iovw_options *o, size_t batch)
{
	iovw_writer *w;
	int rc = iovw__ctx_writer(c, &w, IOVW_MODE_DIRECT, o, batch);

	if (rc)
		return rc;
	w->region = region;
	w->cap = size;
	rc = run_fn(w, fn, ctx);
	if (!rc && iovw_size(w) != size)
		rc = -EINVAL; /* a different stream than it measured */
	iovw_writer_stats(w, st);
	return rc;
}

static int do_buffer(struct iovw_ctx *c, const iovw_sys *s, iovw_stats *st,
		     int fd, uint64_t off, iovw_serialize_fn fn, void *ctx,
		     const iovw_options *o, size_t batch)
{
	struct iovec iov;
	uint64_t size, t0 = iovw__now_ns();
	unsigned char *buf = NULL;
	int huge = o && (o->flags & IOVW_F_HUGEPAGE);
	int dc = o && (o->flags & IOVW_F_DONTCACHE) ? IOVW__DC_PROBE
						    : IOVW__DC_OFF;
	int rc = measure(c, fn, ctx, o, batch, &size);

	if (rc)
		return rc;
	if (size > SIZE_MAX)
		return -ENOMEM;
	if (off > IOVW_LIMIT - size)
		return -EFBIG;
	if (size) {
		rc = iovw__ctx_buffer(c, (size_t)size, huge, s, st, &buf);
		if (rc)
			return rc;
	}
	rc = direct(c, st, buf, size, fn, ctx, o, batch);
	st->build_ns += iovw__now_ns() - t0;
	if (!rc && size) {
		built(o);
		t0 = iovw__now_ns();
		iov.iov_base = buf;
		iov.iov_len = (size_t)size;
		rc = iovw__writev_all_dc(s, st, fd, &iov, 1, off, 1, &dc);
		st->iovecs += 1;
		st->write_ns += iovw__now_ns() - t0;
	}
	return rc;
}

static int do_mmap(struct iovw_ctx *c, const iovw_sys *s, iovw_stats *st,
		   int fd, uint64_t off, iovw_serialize_fn fn, void *ctx,
		   const iovw_options *o, size_t batch)
{
	uint64_t size, t0 = iovw__now_ns();
	uint64_t page = iovw__map_align();
	uint64_t map_off, delta;
	int64_t cur;
	void *map;
	int rc = measure(c, fn, ctx, o, batch, &size);

	if (rc)
		return rc;
	if (off > IOVW_LIMIT - size)
		return -EFBIG;
	if (!size)
		return 0; /* nothing to map; the file is left as it is */
	/* Reserve the blocks, which also grows the file (never shrinks it):
	 * a full disk is then -ENOSPC here instead of SIGBUS when the
	 * mapping is written. Without fallocate, ftruncate grows the file. */
	st->syscalls[IOVW_SYS_FALLOCATE]++;
	rc = s->fallocate(s->ctx, fd, (int64_t)off, (int64_t)size);
	if (rc == -EOPNOTSUPP) {
		st->syscalls[IOVW_SYS_FSTAT]++;
		rc = s->fsize(s->ctx, fd, &cur);
		if (!rc && (uint64_t)cur < off + size) {
			st->syscalls[IOVW_SYS_FTRUNCATE]++;
			rc = s->ftruncate(s->ctx, fd, (int64_t)(off + size));
		}
	}
	if (rc)
		return rc;
	map_off = off & ~(page - 1);
	delta = off - map_off;
	if (size > SIZE_MAX - delta)
		return -ENOMEM;
	st->syscalls[IOVW_SYS_MMAP]++;
	rc = s->mmap(s->ctx, (size_t)(size + delta), fd, (int64_t)map_off,
		     &map);
	if (rc)
		return rc;
	rc = direct(c, st, (unsigned char *)map + delta, size, fn, ctx, o,
		    batch);
	st->build_ns += iovw__now_ns() - t0;
	if (!rc)
		built(o);
	t0 = iovw__now_ns();
	st->syscalls[IOVW_SYS_MUNMAP]++;
	{
		int rc2 = s->munmap(s->ctx, map, (size_t)(size + delta));
		if (!rc)
			rc = rc2;
	}
	if (!rc)
		st->bytes_written += size;
	st->write_ns += iovw__now_ns() - t0;
	return rc;
}

int iovw__write_fd(struct iovw_ctx *c, const iovw_sys *s, iovw_stats *st,
		   int fd, uint64_t off, iovw_strategy strat,
		   iovw_serialize_fn fn, void *ctx, const iovw_options *o)
{
	iovw_writer *w;
	uint64_t t0;
	size_t batch;
	int rc = iovw__options_check(o, &batch);

	if (rc)
		return rc;
	switch (strat) {
	case IOVW_PWRITEV:
	case IOVW_WRITE_EACH:
		rc = do_plan(c, st, fd, off, strat == IOVW_WRITE_EACH, fn, ctx,
			     o, batch);
		break;
	case IOVW_BUFFER:
		rc = do_buffer(c, s, st, fd, off, fn, ctx, o, batch);
		break;
	case IOVW_MMAP:
		rc = do_mmap(c, s, st, fd, off, fn, ctx, o, batch);
		break;
	case IOVW_STREAM:
		rc = iovw__ctx_writer(c, &w, IOVW_MODE_PLAN, o, batch);
		if (!rc)
			rc = iovw__stream_write_fd(w, st, fd, off, fn, ctx, o);
		break;
	case IOVW_URING:
	case IOVW_PIPELINE:
		rc = iovw__ctx_writer(c, &w, IOVW_MODE_PLAN, o, batch);
		if (!rc)
			rc = iovw__async_write_fd(w, st, fd, off, strat, fn,
						  ctx, o);
		break;
	default:
		return -EINVAL;
	}
	if (!rc && o && (o->flags & IOVW_F_FDATASYNC)) {
		t0 = iovw__now_ns();
		st->syscalls[IOVW_SYS_FDATASYNC]++;
		rc = s->fdatasync(s->ctx, fd);
		st->write_ns += iovw__now_ns() - t0;
	}
	return rc;
}

int iovw__fd_check(const iovw_sys *s, iovw_stats *st, int fd)
{
	int fl;

	st->syscalls[IOVW_SYS_FCNTL]++;
	fl = s->getfl(s->ctx, fd);
	if (fl < 0)
		return fl;
	return fl & O_APPEND ? -EINVAL : 0;
}

int iovw_ctx_write_fd(iovw_ctx *c, int fd, uint64_t off, iovw_strategy s,
		      iovw_serialize_fn fn, void *arg, const iovw_options *o,
		      iovw_stats *st)
{
	iovw_stats local = {0};
	size_t batch;
	iovw_sys sys;
	int rc;

	if (fd < 0 || !fn || (unsigned)s >= IOVW_STRATEGY_COUNT)
		return -EINVAL;
	rc = iovw__ctx_check(c, o);
	if (!rc)
		rc = iovw__options_check(o, &batch);
	if (rc)
		return rc;
	iovw__sys_resolve(&sys, o ? o->sys : NULL);
	rc = iovw__fd_check(&sys, &local, fd);
	if (!rc)
		rc = iovw__write_fd(c, &sys, &local, fd, off, s, fn, arg, o);
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}

int iovw_write_fd(int fd, uint64_t off, iovw_strategy s, iovw_serialize_fn fn,
		  void *arg, const iovw_options *o, iovw_stats *st)
{
	struct iovw_ctx c;
	iovw_stats local = {0};
	int rc;

	iovw__ctx_init(&c, o ? o->alloc : NULL);
	rc = iovw_ctx_write_fd(&c, fd, off, s, fn, arg, o, &local);
	iovw__ctx_release(&c, &local);
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}
