/*
 * test_async.c - the asynchronous strategies (io_uring, pipelined) and
 * IOVW_F_DONTCACHE: faults on the k-th request or write call (short,
 * -EINTR, -ENOSPC, -EIO), the io_uring probe's -ENOSYS, iovw_flush()
 * waiting for windows in flight, no thread left behind, the DONTCACHE
 * probe's fallback (forced, and on tmpfs) and its use on /tmp.
 */
#include "helpers.h"
#include "internal.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#define MIB (1u << 20)

static unsigned char data[MIB];

/* 1 MiB in 4 KiB pieces through 16 KiB windows: many requests. */
static iovw_options small_windows(iovw_sys *sys)
{
	iovw_options o = {.sys = sys,
			  .stage_bytes = 16 << 10,
			  .batch_limit = 8,
			  .coalesce_below = 64};
	return o;
}

/* Skip unless io_uring works here (a build with liburing, a kernel and a
 * seccomp policy that allow a ring). */
static void need_uring(void)
{
	struct h_big b = {data, 4096};
	int rc = iovw_write_file(h_path("probe"), IOVW_URING, h_big_fn, &b,
				 NULL, NULL);

	if (rc == -ENOSYS)
		t_skip("io_uring unavailable (no liburing in the build, or "
		       "the kernel refuses a ring)");
	REQUIRE(rc == 0);
	REQUIRE(unlink(h_path("probe")) == 0);
}

/* ---- io_uring: the k-th completion's result replaced ------------------ */

struct fault {
	iovw_sys sys;
	uint64_t k;    /* the request (uring) or write call (pwritev) */
	int how;       /* 0 none, 1 short, else the error */
	uint64_t seen; /* requests or calls so far */
	int setup_err; /* uring_setup's result */
	int workers;   /* uring_workers' result, if >= 0 */
	int dc_err;    /* pwritev2's result, if nonzero */
	uint64_t dc_calls;
};

static int f_result(void *ctx, uint64_t req, int res)
{
	struct fault *f = ctx;

	f->seen++;
	if (req != f->k || !f->how || res <= 0)
		return res;
	if (f->how == 1)
		/* short, mid-entry: the rest is resubmitted */
		return res > 2000 ? res - 1001 : res > 1 ? res / 2 : res;
	return f->how;
}

static int f_setup(void *ctx, unsigned entries, void **ring)
{
	struct fault *f = ctx;

	(void)entries;
	(void)ring;
	return f->setup_err;
}

static int f_workers(void *ctx)
{
	return ((struct fault *)ctx)->workers;
}

static void fault_init(struct fault *f, uint64_t k, int how)
{
	memset(f, 0, sizeof(*f));
	f->k = k;
	f->how = how;
	f->workers = -1;
	f->sys.ctx = f;
	f->sys.uring_result = f_result;
}

/* Write data through `o` to "t" (holding 10 x 'o'): the result `want`;
 * on success "t" holds data, else it is untouched; alone either way. */
static void expect(iovw_strategy s, const iovw_options *o, int want,
		   iovw_stats *st, int line)
{
	struct h_big b = {data, sizeof(data)};
	int rc;

	if (h_make_file(h_path("t"), 10, 'o'))
		t_fail_at(__FILE__, line, "cannot make the old target");
	rc = iovw_write_file(h_path("t"), s, h_big_fn, &b, o, st);
	if (rc != want)
		t_fail_at(__FILE__, line, "%s: rc %d (%s), want %d",
			  iovw_strategy_name(s), rc, iovw_strerror(rc), want);
	if (rc)
		h_check_untouched(line);
	else
		h_check_alone(data, sizeof(data), line);
}

/* Each request in turn completes short, with -EINTR, -ENOSPC or -EIO:
 * the first two are resubmitted (once: the stats say so) and the file is
 * whole; the others fail the write, the target untouched, nothing left. */
static void uring_faults(void)
{
	static const int hows[] = {1, -EINTR, -ENOSPC, -EIO};
	struct fault f;
	iovw_options o;
	iovw_stats st;
	uint64_t n, k;
	unsigned i;

	need_uring();
	h_fill(data, sizeof(data), 3);
	fault_init(&f, UINT64_MAX, 0);
	o = small_windows(&f.sys);
	memset(&st, 0, sizeof(st));
	expect(IOVW_URING, &o, 0, &st, __LINE__);
	n = f.seen;
	CHECK(n >= 10);
	CHECK_EQ(st.uring_requests, n);
	CHECK_EQ(st.uring_resubmits, 0);
	CHECK_EQ(st.bytes_written, sizeof(data));
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV] + st.syscalls[IOVW_SYS_PWRITE],
		 0);
	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		for (k = 0; k < n; k += 1 + n / 7) {
			int ok = hows[i] == 1 || hows[i] == -EINTR;

			fault_init(&f, k, hows[i]);
			memset(&st, 0, sizeof(st));
			expect(IOVW_URING, &o, ok ? 0 : hows[i], &st, __LINE__);
			if (ok) {
				CHECK_EQ(st.uring_resubmits, 1);
				CHECK_EQ(st.uring_requests, n + 1);
				/* a short one's first half counted once */
				CHECK_EQ(st.bytes_written, sizeof(data));
			}
		}
	}
}

/* The probe: a ring that cannot be set up (ENOSYS, EPERM as seccomp or
 * io_uring_disabled give) is -ENOSYS before anything is written; another
 * error is itself. Needs no io_uring: the seam stands in for it. */
static void uring_probe(void)
{
	static const int errs[][2] = {
		{-ENOSYS, -ENOSYS}, {-EPERM, -ENOSYS}, {-ENOMEM, -ENOMEM}};
	struct fault f;
	iovw_options o;
	iovw_stats st;
	unsigned i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fault_init(&f, UINT64_MAX, 0);
		f.sys.uring_setup = f_setup;
		f.setup_err = errs[i][0];
		o = small_windows(&f.sys);
		memset(&st, 0, sizeof(st));
		expect(IOVW_URING, &o, errs[i][1], &st, __LINE__);
		CHECK_EQ(st.syscalls[IOVW_SYS_URING_SETUP], 1);
		CHECK_EQ(st.uring_requests, 0);
		CHECK_EQ(st.pieces, 0); /* the serializer never ran */
	}
#ifndef IOVW_HAVE_URING
	/* a build without liburing: the real seam says -ENOSYS */
	expect(IOVW_URING, NULL, -ENOSYS, NULL, __LINE__);
#endif
}

/* The worker-thread report comes from the seam's count, taken once a
 * write; the real count is a number (0 where the kernel wrote inline). */
static void uring_workers(void)
{
	struct fault f;
	iovw_options o;
	iovw_stats st;

	need_uring();
	fault_init(&f, UINT64_MAX, 0);
	f.sys.uring_workers = f_workers;
	f.workers = 3;
	o = small_windows(&f.sys);
	memset(&st, 0, sizeof(st));
	expect(IOVW_URING, &o, 0, &st, __LINE__);
	CHECK_EQ(st.uring_workers, 3);
	CHECK_EQ(st.syscalls[IOVW_SYS_TASKS], 1);
}

/* ---- pipelined: the k-th write call fails or is short ------------------ */

static ssize_t f_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			 int64_t off)
{
	struct fault *f = ctx;
	struct iovec one;
	ssize_t r;

	if (f->seen++ == f->k && f->how) {
		if (f->how != 1)
			return f->how;
		one = iov[0]; /* short: the first entry, at most half */
		if (one.iov_len > 1)
			one.iov_len /= 2;
		iov = &one;
		cnt = 1;
	}
	r = pwritev(fd, iov, cnt, (off_t)off);
	return r < 0 ? -errno : r;
}

static ssize_t f_pwrite(void *ctx, int fd, const void *buf, size_t n,
			int64_t off)
{
	struct iovec v = {(void *)buf, n};
	return f_pwritev(ctx, fd, &v, 1, off);
}

/* Threads of this process (/proc/self/task entries). */
static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void pipeline_faults(void)
{
	static const int hows[] = {1, -EINTR, -ENOSPC, -EIO};
	struct fault f;
	iovw_options o;
	uint64_t n, k;
	unsigned i;
	int before = threads();

	REQUIRE(before >= 1);
	h_fill(data, sizeof(data), 4);
	fault_init(&f, UINT64_MAX, 0);
	f.sys.pwritev = f_pwritev;
	f.sys.pwrite = f_pwrite;
	o = small_windows(&f.sys);
	expect(IOVW_PIPELINE, &o, 0, NULL, __LINE__);
	n = f.seen;
	CHECK(n >= 10);
	CHECK_EQ(threads(), before);
	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		for (k = 0; k < n; k += 1 + n / 7) {
			int ok = hows[i] == 1 || hows[i] == -EINTR;

			fault_init(&f, k, hows[i]);
			f.sys.pwritev = f_pwritev;
			f.sys.pwrite = f_pwrite;
			expect(IOVW_PIPELINE, &o, ok ? 0 : hows[i], NULL,
			       __LINE__);
			/* the writer thread joined on every path */
			CHECK_EQ(threads(), before);
			/* the first error stops the pipeline: no call after */
			if (!ok)
				CHECK_EQ(f.seen, k + 1);
		}
	}
}

/* ---- iovw_flush() waits for the windows in flight ---------------------- */

/* Appends a borrowed piece, flushes, then scribbles over it: the file
 * must hold the bytes as they were at the append. */
static int scribble_fn(iovw_writer *w, void *ctx)
{
	unsigned char *buf = ctx;
	int rc, i;

	for (i = 0; i < 64; i++) {
		memset(buf, 'a' + i % 26, 8192);
		if ((rc = iovw_append(w, buf, 8192, 1, NULL)))
			return rc;
		if ((rc = iovw_flush(w)))
			return rc;
		memset(buf, '#', 8192);
	}
	return 0;
}

static void flush_waits(void)
{
	static unsigned char buf[8192];
	iovw_options o = {.stage_bytes = 4096};
	unsigned char *got;
	size_t len, i;
	int s;

	for (s = IOVW_URING; s <= IOVW_PIPELINE; s++) {
		int rc = h_write_read("f", (iovw_strategy)s, scribble_fn, buf,
				      &o, NULL, &got, &len);
		if (rc == -ENOSYS && s == IOVW_URING)
			continue; /* io_uring unavailable: pipelined only */
		REQUIRE(rc == 0);
		REQUIRE(len == 64 * 8192);
		for (i = 0; i < len; i++)
			if (got[i] != 'a' + (i / 8192) % 26)
				break;
		CHECK_EQ(i, len);
		free(got);
	}
}

/* ---- io_uring: nothing left in flight, whatever failed ---------------- */

/* The real ring calls, wrapped: requests submitted and completions
 * waited for, so that a test sees how many are in flight; the k-th
 * submission or wait may fail instead (without reaching the ring), every
 * completion may be made -ENOSPC, a resubmission after a failure counted. */
struct track {
	iovw_sys sys;
	iovw_sys real;
	uint64_t submits, waits, subs_after_fail;
	uint64_t fail_submit, fail_wait; /* 1-based; 0: none */
	int all_enospc, failed, short_once;
	uint64_t left_at_flush; /* in flight when iovw_flush returned */
	int flush_rc;
};

static int tr_writev(void *ctx, void *ring, int fd, const struct iovec *iov,
		     int cnt, int64_t off, uint64_t tag)
{
	struct track *t = ctx;
	int rc;

	if (t->failed)
		t->subs_after_fail++;
	if (t->fail_submit && t->submits + 1 + t->failed == t->fail_submit) {
		t->failed = 1;
		return -EAGAIN;
	}
	rc = t->real.uring_writev(t->real.ctx, ring, fd, iov, cnt, off, tag);
	if (!rc)
		t->submits++;
	return rc;
}

static int tr_wait(void *ctx, void *ring, uint64_t *tag, int *res)
{
	struct track *t = ctx;
	int rc;

	if (t->fail_wait && t->waits + 1 == t->fail_wait && !t->failed) {
		t->failed = 1;
		return -EIO;
	}
	rc = t->real.uring_wait(t->real.ctx, ring, tag, res);
	if (!rc)
		t->waits++;
	return rc;
}

static int tr_result(void *ctx, uint64_t req, int res)
{
	struct track *t = ctx;

	(void)req;
	if (t->all_enospc)
		return -ENOSPC;
	if (t->short_once && res > 1) {
		t->short_once = 0;
		return res / 2;
	}
	return res;
}

static void track_init(struct track *t)
{
	memset(t, 0, sizeof(*t));
	iovw__sys_resolve(&t->real, NULL);
	t->sys.ctx = t;
	t->sys.uring_writev = tr_writev;
	t->sys.uring_wait = tr_wait;
	t->sys.uring_result = tr_result;
}

/* Appends 4 KiB pieces until two windows are in flight, one more, then
 * iovw_flush(): its hand-over waits for the oldest, which failed. */
static int two_then_flush_fn(iovw_writer *w, void *ctx)
{
	struct track *t = ctx;
	size_t i;
	int rc;

	/* 4 KiB apart: pieces that do not merge into one entry */
	for (i = 0; t->submits < 2 && i < 100; i++)
		if ((rc = iovw_append(w, data + i * 8192, 4096, 1, NULL)))
			return rc;
	if ((rc = iovw_append(w, data, 4096, 1, NULL)))
		return rc;
	t->flush_rc = iovw_flush(w);
	t->left_at_flush = t->submits - t->waits;
	return t->flush_rc;
}

/* iovw_flush() failing (a window in flight failed) has still waited for
 * every window: the caller may reuse what it lent. */
static void uring_flush_fails(void)
{
	struct track t;
	iovw_options o;
	int rc;

	need_uring();
	track_init(&t);
	t.all_enospc = 1;
	o = small_windows(&t.sys);
	rc = iovw_write_file(h_path("t"), IOVW_URING, two_then_flush_fn, &t, &o,
			     NULL);
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(t.flush_rc, -ENOSPC);
	CHECK_EQ(t.submits, 2);
	CHECK_EQ(t.left_at_flush, 0);
	CHECK(access(h_path("t"), F_OK) != 0);
	CHECK_EQ(t_count_dir(t_tmpdir()), 0);
}

/* A submission that fails may leave its entry queued in the ring, which
 * the next submission would take along: after it, nothing is submitted
 * again (the short completion of the window in flight is not resubmitted:
 * the write fails), and every request submitted was waited for. */
static void uring_submit_fails(void)
{
	struct track t;
	iovw_options o;
	iovw_stats st;

	need_uring();
	h_fill(data, sizeof(data), 5);
	track_init(&t);
	t.fail_submit = 2;
	t.short_once = 1;
	o = small_windows(&t.sys);
	memset(&st, 0, sizeof(st));
	expect(IOVW_URING, &o, -EAGAIN, &st, __LINE__);
	CHECK_EQ(t.failed, 1);
	CHECK_EQ(t.subs_after_fail, 0);
	CHECK_EQ(t.submits, t.waits);
}

/* A wait that fails for good (here once): the requests still in flight
 * are waited for before the ring goes and their windows are reused. */
static void uring_wait_fails(void)
{
	struct track t;
	iovw_options o;
	iovw_stats st;

	need_uring();
	h_fill(data, sizeof(data), 6);
	track_init(&t);
	t.fail_wait = 1;
	o = small_windows(&t.sys);
	memset(&st, 0, sizeof(st));
	expect(IOVW_URING, &o, -EIO, &st, __LINE__);
	CHECK_EQ(t.failed, 1);
	CHECK(t.submits >= 2);
	CHECK_EQ(t.submits, t.waits);
}

/* ---- IOVW_F_DONTCACHE -------------------------------------------------- */

static ssize_t f_pwritev2(void *ctx, int fd, const struct iovec *iov, int cnt,
			  int64_t off, int flags)
{
	struct fault *f = ctx;
	ssize_t r;

	f->dc_calls++;
	if (f->dc_err)
		return f->dc_err;
	r = pwritev2(fd, iov, cnt, (off_t)off, flags);
	return r < 0 ? -errno : r;
}

static int dontcache_applies(iovw_strategy s)
{
	return s != IOVW_MMAP && s != IOVW_URING;
}

/* The probe fails (EOPNOTSUPP, EINVAL): one pwritev2, then plain writes,
 * the fallback in the stats; the file whole. Strategies it does not apply
 * to make no pwritev2 at all. */
static void dontcache_forced_fallback(void)
{
	static const int errs[] = {-EOPNOTSUPP, -EINVAL};
	struct fault f;
	iovw_options o;
	iovw_stats st;
	unsigned i;
	int s, rc;

	h_fill(data, sizeof(data), 6);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		for (i = 0; i < 2; i++) {
			fault_init(&f, UINT64_MAX, 0);
			f.sys.pwritev2 = f_pwritev2;
			f.dc_err = errs[i];
			o = small_windows(&f.sys);
			o.flags = IOVW_F_DONTCACHE;
			memset(&st, 0, sizeof(st));
			if (h_make_file(h_path("t"), 10, 'o'))
				t_fail_at(__FILE__, __LINE__, "old target");
			{
				struct h_big b = {data, sizeof(data)};
				rc = iovw_write_file(h_path("t"),
						     (iovw_strategy)s, h_big_fn,
						     &b, &o, &st);
			}
			if (rc == -ENOSYS && s == IOVW_URING)
				continue;
			CHECK_EQ(rc, 0);
			h_check_alone(data, sizeof(data), __LINE__);
			CHECK_EQ(st.dontcache_writes, 0);
			CHECK_EQ(st.dontcache_fallbacks,
				 dontcache_applies((iovw_strategy)s));
			CHECK_EQ(f.dc_calls,
				 dontcache_applies((iovw_strategy)s));
			CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV2], f.dc_calls);
		}
	}
}

/* Real pwritev2 in directory `dir`; *st gets the stats of a pwritev
 * write of 1 MiB there, whose bytes are checked. */
static void dontcache_in(const char *dir, iovw_strategy s, iovw_stats *st)
{
	char path[256];
	struct h_big b = {data, sizeof(data)};
	iovw_options o = {.flags = IOVW_F_DONTCACHE, .stage_bytes = 64 << 10};
	unsigned char *got;
	size_t len;

	snprintf(path, sizeof(path), "%s/iovw-dc-%d", dir, (int)getpid());
	memset(st, 0, sizeof(*st));
	REQUIRE(iovw_write_file(path, s, h_big_fn, &b, &o, st) == 0);
	got = t_read_file(path, &len);
	unlink(path);
	REQUIRE(got);
	CHECK(len == sizeof(data) && !memcmp(got, data, len));
	free(got);
}

/* tmpfs has no RWF_DONTCACHE: the probe falls back, and says so. */
static void dontcache_tmpfs(void)
{
	struct statfs sf;
	iovw_stats st;

	if (statfs("/dev/shm", &sf) || sf.f_type != 0x01021994 /* TMPFS */ ||
	    access("/dev/shm", W_OK))
		t_skip("no writable tmpfs at /dev/shm");
	h_fill(data, sizeof(data), 7);
	dontcache_in("/dev/shm", IOVW_PWRITEV, &st);
	CHECK_EQ(st.dontcache_fallbacks, 1);
	CHECK_EQ(st.dontcache_writes, 0);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV2], 1);
}

/* /tmp (ext4 on the 6.18 kernel here) takes RWF_DONTCACHE: every write
 * call carries it. SKIP where the kernel or file system does not. */
static void dontcache_tmp(void)
{
	static const iovw_strategy ss[] = {IOVW_PWRITEV, IOVW_STREAM,
					   IOVW_PIPELINE, IOVW_BUFFER};
	iovw_stats st;
	unsigned i;

	h_fill(data, sizeof(data), 8);
	dontcache_in("/tmp", IOVW_PWRITEV, &st);
	if (st.dontcache_fallbacks)
		t_skip("RWF_DONTCACHE not supported on /tmp here (kernel "
		       "before 6.14 or the file system lacks it)");
	for (i = 0; i < sizeof(ss) / sizeof(ss[0]); i++) {
		dontcache_in("/tmp", ss[i], &st);
		CHECK_EQ(st.dontcache_fallbacks, 0);
		CHECK(st.dontcache_writes > 0);
		CHECK_EQ(st.dontcache_writes, st.syscalls[IOVW_SYS_PWRITEV2]);
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV] +
				 st.syscalls[IOVW_SYS_PWRITE],
			 0);
	}
}

static const struct t_case cases[] = {
	{"uring_faults", uring_faults},
	{"uring_probe", uring_probe},
	{"uring_workers", uring_workers},
	{"pipeline_faults", pipeline_faults},
	{"flush_waits", flush_waits},
	{"uring_flush_fails", uring_flush_fails},
	{"uring_submit_fails", uring_submit_fails},
	{"uring_wait_fails", uring_wait_fails},
	{"dontcache_forced_fallback", dontcache_forced_fallback},
	{"dontcache_tmpfs", dontcache_tmpfs},
	{"dontcache_tmp", dontcache_tmp},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "async", cases);
}
