/*
 * test_sweep.c - every system call of a write fails in turn: for
 * iovw_write_file by the unnamed file (O_TMPFILE), by the named one (no
 * O_TMPFILE) and by the named one after a failed link, with every strategy,
 * with and without the syncs; and for iovw_write_fd. Each failure ends in
 * -EIO with the old target, or after the rename with the new one, and
 * nothing else left in the directory. (test_faults.c injects write faults
 * of every kind; test_atomic.c checks each path's behaviour.)
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static unsigned char body[3000];

/* A header patched last, then the body in three pieces. */
static int small_fn(iovw_writer *w, void *ctx)
{
	uint64_t h, v;
	int rc, i;

	(void)ctx;
	if ((rc = iovw_reserve(w, 8, 8, &h)))
		return rc;
	for (i = 0; i < 3; i++)
		if ((rc = iovw_append(w, body + 1000 * i, 1000 - i, 1, NULL)))
			return rc;
	v = iovw_size(w);
	return iovw_patch(w, h, &v, sizeof(v));
}

static unsigned char *small_bytes(size_t *len)
{
	h_fill(body, sizeof(body), 21);
	return h_plan_bytes(small_fn, NULL, len);
}

/* ---- every system call of a write fails in turn ------------------------ */

struct sweep {
	iovw_sys sys;
	unsigned calls;	  /* calls made so far */
	unsigned fail_at; /* this call (from 1) fails with err; 0: none */
	int err;
	int tmpfile_err;	  /* O_TMPFILE opens fail with this (0: real) */
	int link_err;		  /* every linkat fails with this (0: real) */
	int renamed;		  /* a rename succeeded */
	int unnamed_close_failed; /* the injected failure hit the close of
				     a file without a name (dropped) */
};

static int tick(void *ctx)
{
	struct sweep *w = ctx;
	return ++w->calls == w->fail_at ? w->err : 0;
}

#define TICK(ctx)                   \
	do {                        \
		int e_ = tick(ctx); \
		if (e_)             \
			return e_;  \
	} while (0)
#define REAL(call) return (call) < 0 ? -errno : 0

static int sw_open(void *ctx, const char *path, int flags, unsigned mode)
{
	struct sweep *w = ctx;
	int fd;

	TICK(ctx);
	if ((flags & O_TMPFILE) == O_TMPFILE && w->tmpfile_err)
		return w->tmpfile_err;
	fd = open(path, flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

static int sw_close(void *ctx, int fd)
{
	struct sweep *w = ctx;
	struct stat sb;
	int e = tick(ctx), r;

	if (e && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && !sb.st_nlink)
		w->unnamed_close_failed = 1;
	r = close(fd); /* gone either way, as in Linux */
	return e ? e : r < 0 ? -errno : 0;
}

static ssize_t sw_pwrite(void *ctx, int fd, const void *b, size_t n,
			 int64_t off)
{
	ssize_t r;

	TICK(ctx);
	r = pwrite(fd, b, n, (off_t)off);
	return r < 0 ? -errno : r;
}

static ssize_t sw_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			  int64_t off)
{
	ssize_t r;

	TICK(ctx);
	r = pwritev(fd, iov, cnt, (off_t)off);
	return r < 0 ? -errno : r;
}

/* io_uring's completions: the k-th fails instead of its result (the
 * ring's own calls are not swept: their failure is the probe's -ENOSYS,
 * tested in test_async). */
static int sw_uring_result(void *ctx, uint64_t req, int res)
{
	(void)req;
	TICK(ctx);
	return res;
}

static int sw_ftruncate(void *ctx, int fd, int64_t len)
{
	TICK(ctx);
	REAL(ftruncate(fd, (off_t)len));
}

static int sw_fallocate(void *ctx, int fd, int64_t off, int64_t len)
{
	TICK(ctx);
	REAL(fallocate(fd, 0, (off_t)off, (off_t)len));
}

static int sw_fsize(void *ctx, int fd, int64_t *size)
{
	struct stat sb;

	TICK(ctx);
	if (fstat(fd, &sb) < 0)
		return -errno;
	*size = sb.st_size;
	return 0;
}

static int sw_mmap(void *ctx, size_t len, int fd, int64_t off, void **out)
{
	void *p;

	TICK(ctx);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

static int sw_munmap(void *ctx, void *p, size_t len)
{
	int e = tick(ctx), r = munmap(p, len);
	return e ? e : r < 0 ? -errno : 0;
}

static int sw_fdatasync(void *ctx, int fd)
{
	TICK(ctx);
	REAL(fdatasync(fd));
}

static int sw_fsync(void *ctx, int fd)
{
	TICK(ctx);
	REAL(fsync(fd));
}

static int sw_rename(void *ctx, const char *a, const char *b)
{
	struct sweep *w = ctx;

	TICK(ctx);
	if (rename(a, b) < 0)
		return -errno;
	w->renamed = 1;
	return 0;
}

static int sw_unlink(void *ctx, const char *path)
{
	TICK(ctx);
	REAL(unlink(path));
}

static int sw_getfl(void *ctx, int fd)
{
	int r;

	TICK(ctx);
	r = fcntl(fd, F_GETFL);
	return r < 0 ? -errno : r;
}

static int sw_linkat(void *ctx, int ofd, const char *from, int nfd,
		     const char *to, int flags)
{
	struct sweep *w = ctx;

	TICK(ctx);
	if (w->link_err)
		return w->link_err;
	REAL(linkat(ofd, from, nfd, to, flags));
}

static int sw_getpid(void *ctx)
{
	TICK(ctx);
	return getpid();
}

static void sweep_init(struct sweep *w, unsigned fail_at, int path)
{
	memset(w, 0, sizeof(*w));
	w->fail_at = fail_at;
	w->err = -EIO;
	w->tmpfile_err = path == 1 ? -EOPNOTSUPP : 0;
	w->link_err = path == 2 ? -ENOENT : 0;
	w->sys = (iovw_sys){
		.ctx = w,
		.open = sw_open,
		.close = sw_close,
		.pwrite = sw_pwrite,
		.pwritev = sw_pwritev,
		.ftruncate = sw_ftruncate,
		.fallocate = sw_fallocate,
		.fsize = sw_fsize,
		.mmap = sw_mmap,
		.munmap = sw_munmap,
		.fdatasync = sw_fdatasync,
		.fsync = sw_fsync,
		.rename = sw_rename,
		.unlink = sw_unlink,
		.getfl = sw_getfl,
		.linkat = sw_linkat,
		.getpid = sw_getpid,
		.uring_result = sw_uring_result,
	};
}

/* One atomic write with call `k` failing (0: none): -EIO and the old
 * target, or, when the failing call came after the rename (the directory's
 * fsync), -EIO and the new one; never anything else in the directory.
 * The one failure that does not matter is the close of an unnamed file
 * dropped because it could not be linked: the write goes on by a named
 * file and succeeds. Returns the calls made. */
static unsigned sweep_one(iovw_strategy s, unsigned flags, int path, unsigned k,
			  const unsigned char *want, size_t wlen)
{
	struct sweep w;
	iovw_options o;
	int rc;

	sweep_init(&w, k, path);
	o = (iovw_options){.sys = &w.sys, .flags = flags};
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	rc = iovw_write_file(h_path("t"), s, small_fn, NULL, &o, NULL);
	if (rc != (k && !w.unnamed_close_failed ? -EIO : 0))
		t_fail_at(__FILE__, __LINE__,
			  "%s, flags %u, path %d, call %u fails: rc %d",
			  iovw_strategy_name(s), flags, path, k, rc);
	if (w.unnamed_close_failed && path != 2)
		t_fail_at(__FILE__, __LINE__, "an unnamed file was dropped");
	if (w.renamed)
		h_check_alone(want, wlen, __LINE__);
	else
		h_check_alone((const unsigned char *)"oooooooooo", 10,
			      __LINE__);
	return w.calls;
}

/* Every strategy, with and without the syncs, by the given paths: 0 the
 * unnamed file, 1 the named one (no O_TMPFILE), 2 the named one after a
 * failed link. */
static void sweep_paths(int first, int last)
{
	static const unsigned flagsets[] = {0, IOVW_F_FDATASYNC |
						       IOVW_F_FSYNC_DIR};
	unsigned char *want;
	unsigned n, k, f, total = 0;
	size_t wlen;
	int s, path;

	want = small_bytes(&wlen);
	REQUIRE(want);
	for (path = first; path <= last; path++) {
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			for (f = 0; f < 2; f++) {
				n = sweep_one((iovw_strategy)s, flagsets[f],
					      path, 0, want, wlen);
				CHECK(n >= 5);
				for (k = 1; k <= n; k++)
					sweep_one((iovw_strategy)s, flagsets[f],
						  path, k, want, wlen);
				total += n;
			}
		}
	}
	printf("    %s: %u failure points\n",
	       first == 0   ? "unnamed file"
	       : first == 1 ? "named file (no O_TMPFILE)"
			    : "named file after a failed link",
	       total);
	free(want);
}

static void every_call_fails_unnamed(void)
{
	h_need_tmpfile();
	sweep_paths(0, 0);
	sweep_paths(2, 2);
}

static void every_call_fails_named(void)
{
	sweep_paths(1, 1);
}

/* iovw_write_fd: the O_APPEND check and every write call fail in turn. */
static void write_fd_every_call_fails(void)
{
	struct sweep w;
	iovw_options o;
	unsigned k, n;
	int s, fd;

	h_fill(body, sizeof(body), 21);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		for (k = 0, n = 1; k <= n; k++) {
			sweep_init(&w, k, 0);
			o = (iovw_options){.sys = &w.sys};
			fd = open(h_path("f"), O_RDWR | O_CREAT | O_TRUNC,
				  0644);
			REQUIRE(fd >= 0);
			CHECK_EQ(iovw_write_fd(fd, 7, (iovw_strategy)s,
					       small_fn, NULL, &o, NULL),
				 k ? -EIO : 0);
			close(fd);
			if (!k)
				n = w.calls;
		}
		CHECK(n >= 2); /* fcntl and a write at least */
	}
}

static const struct t_case cases[] = {
	{"every_call_fails_unnamed", every_call_fails_unnamed},
	{"every_call_fails_named", every_call_fails_named},
	{"write_fd_every_call_fails", write_fd_every_call_fails},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "sweep", cases);
}
