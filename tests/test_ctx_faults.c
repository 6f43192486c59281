/*
 * test_ctx_faults.c - a failed write through a context (every allocation
 * failing in turn, a failing system call through the seam, a failing
 * serializer, a sticky writer error) leaves the target untouched and the
 * context usable: the next write through it is whole, nothing leaks.
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

/* Through c: allocations from the `k`-th on (or only it) fail. The write
 * fails with -ENOMEM and "t" keeps its old bytes, or (stream's window
 * only grows) succeeds whole; then a write with no failure through the
 * same context is whole. */
static void nomem_then_ok(iovw_ctx *c, struct h_alloc *h, iovw_strategy s,
			  struct h_wl *w, uint64_t k, int one, int line)
{
	iovw_options o = {.alloc = &h->a, .coalesce_below = 64};
	unsigned char *want;
	size_t wlen;
	int rc;

	want = h_wl_bytes(w, &wlen);
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	h->fail_from = h->mallocs + h->reallocs + k;
	h->fail_one = one;
	if (one) {
		h->calls = 0;
		h->fail_from = k;
	}
	rc = iovw_ctx_write_file(c, h_path("t"), s, h_wl_fn(w), h_wl_arg(w), &o,
				 NULL);
	h->fail_from = UINT64_MAX;
	if (rc == -ENOMEM)
		h_check_untouched(line);
	else if (rc)
		t_fail_at(__FILE__, line, "%s: rc %d", iovw_strategy_name(s),
			  rc);
	else
		h_check_alone(want, wlen, line);
	rc = iovw_ctx_write_file(c, h_path("t"), s, h_wl_fn(w), h_wl_arg(w), &o,
				 NULL);
	if (rc)
		t_fail_at(__FILE__, line, "%s after ENOMEM: rc %d",
			  iovw_strategy_name(s), rc);
	h_check_alone(want, wlen, line);
	free(want);
}

/* Warm c up for the failing write: nothing (0), a small write (1), the
 * big one (2: the arena's chunks are merged at the next write, an
 * allocation that may fail too). */
static void warm_up(iovw_ctx *c, struct h_alloc *h, iovw_strategy s, int warm)
{
	iovw_options o = {.alloc = &h->a, .coalesce_below = 64};
	struct h_wl w = warm == 1 ? h_wl_small() : h_wl_big(MIB);

	if (!warm)
		return;
	h_ctx_expect(c, "w", s, &w, &o, NULL, __LINE__);
	REQUIRE(unlink(h_path("w")) == 0);
}

/* Every allocation a write makes fails in turn (with every later one,
 * and alone), on a fresh context and on one warmed by a smaller or the
 * same write: then the next write through the same context is whole, and
 * nothing leaks. */
static void allocation_failure_then_ok(void)
{
	struct h_wl big = h_wl_big(MIB);
	iovw_options o;
	struct h_alloc h;
	iovw_ctx *c;
	uint64_t calls, k;
	int s, warm;

	h_wl_fill();
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		for (warm = 0; warm < 3; warm++) {
			/* a clean run counts the allocations */
			h_alloc_init(&h);
			o = (iovw_options){.alloc = &h.a, .coalesce_below = 64};
			REQUIRE(iovw_ctx_new(&c, &h.a) == 0);
			warm_up(c, &h, (iovw_strategy)s, warm);
			calls = h.mallocs + h.reallocs;
			h_ctx_expect(c, "t", (iovw_strategy)s, &big, &o, NULL,
				     __LINE__);
			calls = h.mallocs + h.reallocs - calls;
			iovw_ctx_free(c);
			REQUIRE(unlink(h_path("t")) == 0);
			/* the merge of pwritev's and write-each's arena */
			if (warm == 2 &&
			    (s == IOVW_PWRITEV || s == IOVW_WRITE_EACH))
				CHECK_EQ(calls, 1);
			if (!warm)
				CHECK(calls >= 2);
			for (k = 0; k < 2 * calls; k++) {
				h_alloc_init(&h);
				REQUIRE(iovw_ctx_new(&c, &h.a) == 0);
				warm_up(c, &h, (iovw_strategy)s, warm);
				nomem_then_ok(c, &h, (iovw_strategy)s, &big,
					      k / 2, (int)(k % 2), __LINE__);
				iovw_ctx_free(c);
				CHECK_EQ(h.frees, h.blocks);
				REQUIRE(unlink(h_path("t")) == 0);
			}
		}
	}
}

/* A seam failing one kind of call, the n-th of it, with -EIO. */
enum fail_kind { F_OPEN, F_WRITE, F_RENAME, F_MMAP, F_KINDS };
static const char *const kind_names[F_KINDS] = {"open", "write", "rename",
						"mmap"};

struct fail_sys {
	iovw_sys sys;
	enum fail_kind kind;
	int nth, seen;
};

static int hit(struct fail_sys *f, enum fail_kind k)
{
	return f->kind == k && ++f->seen == f->nth;
}

static int fs_open(void *ctx, const char *path, int flags, unsigned mode)
{
	int fd;

	if (hit(ctx, F_OPEN))
		return -EIO;
	fd = open(path, flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

static ssize_t fs_pwrite(void *ctx, int fd, const void *b, size_t n,
			 int64_t off)
{
	ssize_t r;

	if (hit(ctx, F_WRITE))
		return -EIO;
	r = pwrite(fd, b, n, (off_t)off);
	return r < 0 ? -errno : r;
}

static ssize_t fs_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			  int64_t off)
{
	ssize_t r;

	if (hit(ctx, F_WRITE))
		return -EIO;
	r = pwritev(fd, iov, cnt, (off_t)off);
	return r < 0 ? -errno : r;
}

static int fs_rename(void *ctx, const char *from, const char *to)
{
	if (hit(ctx, F_RENAME))
		return -EIO;
	return rename(from, to) < 0 ? -errno : 0;
}

static int fs_mmap(void *ctx, size_t len, int fd, int64_t off, void **out)
{
	void *p;

	if (hit(ctx, F_MMAP))
		return -EIO;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

/* A failing open, data write (the first and the third: with a batch limit
 * of 2 the stream's third window is written while the serializer still
 * runs), rename and mmap through the seam, for every strategy: the target
 * untouched, then the next write through the same context, without
 * faults, whole. */
static void syscall_failure_then_ok(void)
{
	struct h_wl big = h_wl_big(MIB);
	struct fail_sys f;
	unsigned char *want;
	size_t wlen;
	iovw_ctx *c;
	int s, k, nth;

	h_wl_fill();
	want = h_wl_bytes(&big, &wlen);
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		for (k = 0; k < F_KINDS; k++) {
			for (nth = 1; nth <= 3; nth += 2) {
				iovw_options o = {.coalesce_below = 64,
						  .batch_limit = 2,
						  .sys = &f.sys};
				int rc;

				memset(&f, 0, sizeof(f));
				f.sys = (iovw_sys){.ctx = &f,
						   .open = fs_open,
						   .pwrite = fs_pwrite,
						   .pwritev = fs_pwritev,
						   .rename = fs_rename,
						   .mmap = fs_mmap};
				f.kind = (enum fail_kind)k;
				f.nth = nth;
				REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
				rc = iovw_ctx_write_file(
					c, h_path("t"), (iovw_strategy)s,
					h_big_fn, &big.big, &o, NULL);
				if (f.seen >= nth) {
					if (rc != -EIO)
						t_fail_at(
							__FILE__, __LINE__,
							"%s, %s %d: rc %d",
							iovw_strategy_name(
								(iovw_strategy)
									s),
							kind_names[k], nth, rc);
					h_check_untouched(__LINE__);
				} else {
					CHECK_EQ(rc, 0);
				}
				f.kind = F_KINDS; /* no more faults */
				CHECK_EQ(iovw_ctx_write_file(c, h_path("t"),
							     (iovw_strategy)s,
							     h_big_fn, &big.big,
							     &o, NULL),
					 0);
				h_check_alone(want, wlen, __LINE__);
			}
		}
	}
	iovw_ctx_free(c);
	free(want);
}

/* A serializer that fails after `left` pieces (-EPROTO), else writes
 * the big workload. */
struct failing {
	struct h_big big;
	int left;
};

static int failing_fn(iovw_writer *w, void *ctx)
{
	struct failing *f = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < f->big.n && !rc; i += 4096) {
		if (f->left >= 0 && f->left-- == 0)
			return -EPROTO;
		rc = (i / 4096 % 2 ? iovw_append_copy : iovw_append)(
			w, f->big.p + i, 4096, 8, NULL);
	}
	return rc;
}

/* A serializer failing halfway, and a writer error left sticky (a
 * misaligned append the serializer ignores), then a good write through
 * the same context: whole (no error, no piece carried over). */
static int sticky_fn(iovw_writer *w, void *ctx)
{
	(void)ctx;
	(void)iovw_append(w, h_data, 10, 3, NULL); /* -EINVAL, sticky */
	return 0;
}

static void serializer_failure_then_ok(void)
{
	struct failing f;
	unsigned char *want;
	size_t wlen;
	iovw_ctx *c;
	int s;

	h_wl_fill();
	f.big = (struct h_big){h_data, MIB};
	f.left = -1;
	want = h_plan_bytes(failing_fn, &f, &wlen);
	REQUIRE(want != NULL);
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		iovw_options o = {.coalesce_below = 64, .batch_limit = 4};

		REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
		f.left = 100;
		CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), (iovw_strategy)s,
					     failing_fn, &f, &o, NULL),
			 -EPROTO);
		h_check_untouched(__LINE__);
		CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), (iovw_strategy)s,
					     sticky_fn, NULL, &o, NULL),
			 -EINVAL);
		h_check_untouched(__LINE__);
		f.left = -1;
		CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), (iovw_strategy)s,
					     failing_fn, &f, &o, NULL),
			 0);
		h_check_alone(want, wlen, __LINE__);
	}
	iovw_ctx_free(c);
	free(want);
}

static const struct t_case cases[] = {
	{"allocation_failure_then_ok", allocation_failure_then_ok},
	{"syscall_failure_then_ok", syscall_failure_then_ok},
	{"serializer_failure_then_ok", serializer_failure_then_ok},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "ctx_faults", cases);
}
