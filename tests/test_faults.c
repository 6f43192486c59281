/*
 * test_faults.c - injected failures through the syscall seam, and real
 * ones (RLIMIT_FSIZE, /dev/full, a full tmpfs). (test_nomem.c makes
 * allocations fail.)
 *
 * Every case ends in the right bytes or the right negative errno, never a
 * hang (each case runs under an alarm); after a failed atomic write the
 * old target is intact and no temporary file is left, both by the unnamed
 * file (O_TMPFILE) and the named one. (test_sweep.c fails every system
 * call of a write in turn.)
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the fault-injecting seam ------------------------------------------- */

struct fault {
	iovw_sys sys;
	size_t first_cap; /* the first write call takes at most this (0: no) */
	size_t every_cap; /* every write call takes at most this (0: no)     */
	unsigned eintr;	  /* EINTRs before each real write call              */
	unsigned eintr_left;
	int write_err; /* returned by write call number err_at (from 1)   */
	unsigned err_at;
	int over;	 /* write calls claim a byte more than asked */
	int zero;	 /* write calls return 0                            */
	unsigned writes; /* write calls that reached the fake               */
	int fail_errno[IOVW_SYS_COUNT]; /* make this call fail with this    */
	unsigned open_eexist; /* the first n O_EXCL opens fail with EEXIST    */
	unsigned opens;	      /* O_EXCL opens                                 */
	int tmpfile_err;      /* O_TMPFILE opens fail with this (0: real)     */
	unsigned link_eexist; /* the first n linkats fail with EEXIST         */
	unsigned links;
};

/* Gather up to `cap` bytes of the iovecs and pwrite them for real. */
static ssize_t fake_write(struct fault *f, int fd, const struct iovec *iov,
			  int cnt, int64_t off)
{
	size_t total = 0, cap = SIZE_MAX, done = 0;
	unsigned char *buf;
	ssize_t r;
	int i;

	if (f->eintr_left) {
		f->eintr_left--;
		return -EINTR;
	}
	f->eintr_left = f->eintr;
	f->writes++;
	if (f->err_at && f->writes == f->err_at)
		return f->write_err;
	if (f->zero)
		return 0;
	if (f->over) {
		for (i = 0; i < cnt; i++)
			total += iov[i].iov_len;
		return (ssize_t)total + 1;
	}
	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (f->every_cap)
		cap = f->every_cap;
	if (f->first_cap && f->writes == 1)
		cap = f->first_cap;
	if (total > cap)
		total = cap;
	buf = malloc(total ? total : 1);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < cnt && done < total; i++) {
		size_t k = iov[i].iov_len < total - done ? iov[i].iov_len
							 : total - done;
		memcpy(buf + done, iov[i].iov_base, k);
		done += k;
	}
	r = pwrite(fd, buf, total, (off_t)off);
	free(buf);
	return r < 0 ? -errno : r;
}

static ssize_t f_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			 int64_t off)
{
	return fake_write(ctx, fd, iov, cnt, off);
}

static ssize_t f_pwrite(void *ctx, int fd, const void *b, size_t n, int64_t off)
{
	struct iovec v = {(void *)b, n};
	return fake_write(ctx, fd, &v, 1, off);
}

static int f_open(void *ctx, const char *path, int flags, unsigned mode)
{
	struct fault *f = ctx;
	int fd;

	if ((flags & O_EXCL) && f->opens++ < f->open_eexist)
		return -EEXIST;
	if ((flags & O_TMPFILE) == O_TMPFILE && f->tmpfile_err)
		return f->tmpfile_err;
	if (f->fail_errno[IOVW_SYS_OPEN])
		return f->fail_errno[IOVW_SYS_OPEN];
	fd = open(path, flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

#define PASS_OR_FAIL(call, real)                     \
	do {                                         \
		struct fault *f_ = ctx;              \
		if (f_->fail_errno[call])            \
			return f_->fail_errno[call]; \
		return (real) < 0 ? -errno : 0;      \
	} while (0)

static int f_close(void *ctx, int fd)
{
	struct fault *f = ctx;
	if (f->fail_errno[IOVW_SYS_CLOSE]) {
		close(fd); /* the descriptor is gone either way, as in Linux */
		return f->fail_errno[IOVW_SYS_CLOSE];
	}
	return close(fd) < 0 ? -errno : 0;
}

static int f_ftruncate(void *ctx, int fd, int64_t len)
{
	PASS_OR_FAIL(IOVW_SYS_FTRUNCATE, ftruncate(fd, (off_t)len));
}

static int f_fallocate(void *ctx, int fd, int64_t off, int64_t len)
{
	PASS_OR_FAIL(IOVW_SYS_FALLOCATE,
		     fallocate(fd, 0, (off_t)off, (off_t)len));
}

static int f_fdatasync(void *ctx, int fd)
{
	PASS_OR_FAIL(IOVW_SYS_FDATASYNC, fdatasync(fd));
}

static int f_fsync(void *ctx, int fd)
{
	PASS_OR_FAIL(IOVW_SYS_FSYNC, fsync(fd));
}

static int f_rename(void *ctx, const char *a, const char *b)
{
	PASS_OR_FAIL(IOVW_SYS_RENAME, rename(a, b));
}

static int f_linkat(void *ctx, int ofd, const char *from, int nfd,
		    const char *to, int flags)
{
	struct fault *f = ctx;

	if (f->links++ < f->link_eexist)
		return -EEXIST;
	PASS_OR_FAIL(IOVW_SYS_LINKAT, linkat(ofd, from, nfd, to, flags));
}

static int f_mmap(void *ctx, size_t len, int fd, int64_t off, void **out)
{
	struct fault *f = ctx;
	void *p;

	if (f->fail_errno[IOVW_SYS_MMAP])
		return f->fail_errno[IOVW_SYS_MMAP];
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

static int f_munmap(void *ctx, void *p, size_t len)
{
	struct fault *f = ctx;
	munmap(p, len);
	return f->fail_errno[IOVW_SYS_MUNMAP];
}

static void fault_init(struct fault *f)
{
	memset(f, 0, sizeof(*f));
	f->sys.ctx = f;
	f->sys.pwrite = f_pwrite;
	f->sys.pwritev = f_pwritev;
	f->sys.open = f_open;
	f->sys.close = f_close;
	f->sys.ftruncate = f_ftruncate;
	f->sys.fallocate = f_fallocate;
	f->sys.fdatasync = f_fdatasync;
	f->sys.fsync = f_fsync;
	f->sys.rename = f_rename;
	f->sys.mmap = f_mmap;
	f->sys.munmap = f_munmap;
	f->sys.linkat = f_linkat;
}

/* Write h_small_fn to "t" through the fake; check the outcome. With want_rc
 * 0 the file must hold the plan's bytes; otherwise the old "t" (10 x 'o')
 * must be intact and the directory must hold nothing else. `stage` is
 * stream's staging buffer (0: the default). */
static void expect(struct fault *f, iovw_strategy s, unsigned flags,
		   size_t batch, size_t stage, int want_rc, int line)
{
	iovw_options o = {.sys = &f->sys,
			  .flags = flags,
			  .batch_limit = batch,
			  .stage_bytes = stage};
	unsigned char *want, *got;
	size_t wlen, glen;
	int rc;

	want = h_small_bytes(&wlen);
	REQUIRE(want);
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	f->eintr_left = f->eintr;
	rc = iovw_write_file(h_path("t"), s, h_small_fn, NULL, &o, NULL);
	got = t_read_file(h_path("t"), &glen);
	if (rc != want_rc)
		t_fail_at(__FILE__, line, "%s: rc %d (%s), want %d",
			  iovw_strategy_name(s), rc, iovw_strerror(rc),
			  want_rc);
	if (!want_rc && (!got || glen != wlen || memcmp(got, want, wlen)))
		t_fail_at(__FILE__, line, "%s: wrong bytes (%zu, want %zu)",
			  iovw_strategy_name(s), glen, wlen);
	if (want_rc && (!got || glen != 10 || memcmp(got, "oooooooooo", 10)))
		t_fail_at(__FILE__, line, "%s: old target damaged",
			  iovw_strategy_name(s));
	if (t_count_dir(t_tmpdir()) != 1)
		t_fail_at(__FILE__, line, "%s: %d files left in the directory",
			  iovw_strategy_name(s), t_count_dir(t_tmpdir()));
	free(want);
	free(got);
}

#define EXPECT(f, s, flags, batch, rc) \
	expect(f, s, flags, batch, 0, rc, __LINE__)
#define EXPECT_STAGE(f, s, batch, stage, rc) \
	expect(f, s, 0, batch, stage, rc, __LINE__)

/* The strategies that write with pwrite/pwritev. */
static const iovw_strategy writers[] = {IOVW_PWRITEV, IOVW_WRITE_EACH,
					IOVW_BUFFER, IOVW_STREAM};
#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

/* Stream's staging buffer for the k-th case of a loop: the default (the
 * whole stream in one window) or 16 bytes (a window every few pieces). */
static size_t stage_for(iovw_strategy s, size_t k)
{
	return s == IOVW_STREAM && k % 2 ? 16 : 0;
}

/* A short write at every byte boundary of the stream, first call only and
 * on every call, with batch limits from 1 to unlimited. */
static void short_writes(void)
{
	size_t len, k, b, batches[] = {0, 1, 2, 3};
	unsigned char *bytes = h_small_bytes(&len);
	struct fault f;
	unsigned i;

	REQUIRE(bytes);
	free(bytes);
	for (i = 0; i < NWRITERS; i++) {
		for (b = 0; b < 4; b++) {
			for (k = 1; k < len; k++) {
				size_t st = stage_for(writers[i], k);
				fault_init(&f);
				f.first_cap = k;
				EXPECT_STAGE(&f, writers[i], batches[b], st, 0);
				fault_init(&f);
				f.every_cap = k;
				EXPECT_STAGE(&f, writers[i], batches[b], st, 0);
			}
		}
	}
}

/* Partial writes adjust one iovec in place and put it back: the plan is
 * unchanged afterwards. */
static void plan_restored(void)
{
	const struct iovec *iov;
	struct iovec before[64];
	iovw_options o;
	iovw_writer *w;
	struct fault f;
	size_t n, k;
	int fd;

	fault_init(&f);
	o = (iovw_options){.sys = &f.sys, .batch_limit = 2};
	h_fill(h_small_src, sizeof(h_small_src), 77);
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, &o) == 0);
	REQUIRE(h_small_fn(w, NULL) == 0);
	iov = iovw_iovecs(w, &n);
	REQUIRE(n <= 64);
	memcpy(before, iov, n * sizeof(*iov));
	fd = open(h_path("p"), O_WRONLY | O_CREAT, 0644);
	REQUIRE(fd >= 0);
	for (k = 1; k < iovw_size(w); k += 3) {
		f.writes = 0;
		f.first_cap = k;
		f.every_cap = k % 7 + 1;
		CHECK_EQ(iovw_plan_write(w, fd, 0, 0, NULL), 0);
		iov = iovw_iovecs(w, &n);
		CHECK(memcmp(before, iov, n * sizeof(*iov)) == 0);
	}
	/* and after a failure half-way */
	f.writes = 0;
	f.every_cap = 5;
	f.err_at = 3;
	f.write_err = -EIO;
	CHECK_EQ(iovw_plan_write(w, fd, 0, 0, NULL), -EIO);
	CHECK(memcmp(before, iovw_iovecs(w, &n), n * sizeof(*iov)) == 0);
	close(fd);
	iovw_writer_free(w);
}

static void eintr_storm(void)
{
	struct fault f;
	iovw_stats st = {0};
	iovw_options o;
	unsigned i;

	for (i = 0; i < NWRITERS; i++) {
		fault_init(&f);
		f.eintr = 1000;
		f.every_cap = 3;
		EXPECT(&f, writers[i], 0, 2, 0);
	}
	/* stream: a storm on every window and on the slot write */
	fault_init(&f);
	f.eintr = 1000;
	f.every_cap = 5;
	EXPECT_STAGE(&f, IOVW_STREAM, 3, 16, 0);
	CHECK(f.writes > 10);
	/* the library counts every attempt, and only real writes as batches */
	fault_init(&f);
	f.eintr = 10;
	f.eintr_left = 10;
	o = (iovw_options){.sys = &f.sys};
	REQUIRE(iovw_write_file(h_path("s"), IOVW_PWRITEV, h_small_fn, NULL, &o,
				&st) == 0);
	CHECK_EQ(st.batches, 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV], 11);
}

static void write_errors(void)
{
	static const int errs[] = {-ENOSPC, -EIO, -EFBIG, -EDQUOT, -EAGAIN};
	struct fault f;
	unsigned i, e, at;

	for (i = 0; i < NWRITERS; i++) {
		for (e = 0; e < sizeof(errs) / sizeof(errs[0]); e++) {
			for (at = 1; at <= 3; at++) {
				fault_init(&f);
				f.every_cap = 16;
				f.write_err = errs[e];
				f.err_at = at;
				EXPECT(&f, writers[i], 0, 0, errs[e]);
			}
		}
		/* a write that makes no progress is an error, not a loop */
		fault_init(&f);
		f.zero = 1;
		EXPECT(&f, writers[i], 0, 0, -EIO);
		/* a seam that claims more than it was given: -EIO, and no
		 * access past the array */
		fault_init(&f);
		f.over = 1;
		EXPECT(&f, writers[i], 0, 0, -EIO);
	}
}

/* Failures of every other call the atomic path and the strategies make. */
static void step_failures(void)
{
	static const struct {
		iovw_syscall call;
		int err;
		unsigned flags;
	} steps[] = {
		{IOVW_SYS_OPEN, -EACCES, 0},
		{IOVW_SYS_CLOSE, -EIO, 0},
		{IOVW_SYS_RENAME, -EXDEV, 0},
		{IOVW_SYS_FDATASYNC, -EIO, IOVW_F_FDATASYNC},
	};
	/* the unnamed file (O_TMPFILE), and the named one where the file
	 * system or the kernel has no O_TMPFILE */
	static const int tmpfile_errs[] = {0, -EOPNOTSUPP, -EISDIR, -EINVAL};
	struct fault f;
	unsigned i, s, t;

	for (t = 0; t < 4; t++) {
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
				fault_init(&f);
				f.tmpfile_err = tmpfile_errs[t];
				f.fail_errno[steps[i].call] = steps[i].err;
				EXPECT(&f, (iovw_strategy)s, steps[i].flags, 0,
				       steps[i].err);
			}
		}
	}
	/* naming the finished unnamed file fails: nothing is left */
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		fault_init(&f);
		f.fail_errno[IOVW_SYS_LINKAT] = -EDQUOT;
		EXPECT(&f, (iovw_strategy)s, IOVW_F_FDATASYNC, 0, -EDQUOT);
		CHECK_EQ(f.links, 1);
	}
	fault_init(&f);
	f.fail_errno[IOVW_SYS_FALLOCATE] = -ENOSPC;
	EXPECT(&f, IOVW_MMAP, 0, 0, -ENOSPC);
	/* no fallocate here: ftruncate grows the file instead */
	fault_init(&f);
	f.fail_errno[IOVW_SYS_FALLOCATE] = -EOPNOTSUPP;
	EXPECT(&f, IOVW_MMAP, 0, 0, 0);
	fault_init(&f);
	f.fail_errno[IOVW_SYS_FALLOCATE] = -EOPNOTSUPP;
	f.fail_errno[IOVW_SYS_FTRUNCATE] = -EFBIG;
	EXPECT(&f, IOVW_MMAP, 0, 0, -EFBIG);
	fault_init(&f);
	f.fail_errno[IOVW_SYS_MMAP] = -ENOMEM;
	EXPECT(&f, IOVW_MMAP, 0, 0, -ENOMEM);
	fault_init(&f);
	f.fail_errno[IOVW_SYS_MUNMAP] = -EINVAL;
	EXPECT(&f, IOVW_MMAP, 0, 0, -EINVAL);
	/* with the syncs asked for and working, the write succeeds */
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		fault_init(&f);
		EXPECT(&f, (iovw_strategy)s,
		       IOVW_F_FDATASYNC | IOVW_F_FSYNC_DIR, 0, 0);
	}
}

/* The directory fsync fails after the rename: the error is reported and
 * the new file is in place (the rename cannot be undone). */
static void dir_fsync_failure(void)
{
	iovw_options o;
	struct fault f;
	unsigned char *got;
	size_t len, wlen;
	unsigned char *want = h_small_bytes(&wlen);

	fault_init(&f);
	f.fail_errno[IOVW_SYS_FSYNC] = -EIO;
	o = (iovw_options){.sys = &f.sys, .flags = IOVW_F_FSYNC_DIR};
	CHECK_EQ(iovw_write_file(h_path("d"), IOVW_PWRITEV, h_small_fn, NULL,
				 &o, NULL),
		 -EIO);
	got = t_read_file(h_path("d"), &len);
	CHECK(got && want && len == wlen && !memcmp(got, want, len));
	CHECK_EQ(t_count_dir(t_tmpdir()), 1);
	free(got);
	free(want);
}

static void temp_name_collisions(void)
{
	struct fault f;

	/* the named file (no O_TMPFILE): open(O_EXCL) finds a name taken */
	fault_init(&f);
	f.tmpfile_err = -EOPNOTSUPP;
	f.open_eexist = 5; /* five names taken: the sixth is used */
	EXPECT(&f, IOVW_PWRITEV, 0, 0, 0);
	CHECK_EQ(f.opens, 6);
	fault_init(&f);
	f.tmpfile_err = -EOPNOTSUPP;
	f.open_eexist = 1000; /* never free: give up, leave nothing */
	EXPECT(&f, IOVW_PWRITEV, 0, 0, -EEXIST);
	CHECK_EQ(f.opens, 64);
	/* the unnamed file: linkat finds a name taken */
	fault_init(&f);
	f.link_eexist = 5;
	EXPECT(&f, IOVW_MMAP, 0, 0, 0);
	CHECK_EQ(f.links, 6);
	CHECK_EQ(f.opens, 0);
	fault_init(&f);
	f.link_eexist = 1000;
	EXPECT(&f, IOVW_BUFFER, 0, 0, -EEXIST);
	CHECK_EQ(f.links, 64);
}

/* A real EFBIG: RLIMIT_FSIZE below the stream size (the case runs in a
 * child process of its own, so the limit dies with it). The kernel first
 * writes up to the limit, then refuses. */
static void rlimit_fsize(void)
{
	struct rlimit rl = {65536 + 100, 65536 + 100};
	int s;

	signal(SIGXFSZ, SIG_IGN);
	REQUIRE(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++)
		h_expect_big((iovw_strategy)s, NULL, -EFBIG, __LINE__);
}

/* /dev/full: every write fails with ENOSPC. */
static void dev_full(void)
{
	static unsigned char data[100000];
	struct h_big b = {data, sizeof(data)};
	int fd = open("/dev/full", O_RDWR);
	unsigned i;

	if (fd < 0)
		t_skip("no /dev/full");
	for (i = 0; i < NWRITERS; i++)
		CHECK_EQ(iovw_write_fd(fd, 0, writers[i], h_big_fn, &b, NULL,
				       NULL),
			 -ENOSPC);
	/* mmap cannot size a character device: an error, not a crash */
	CHECK(iovw_write_fd(fd, 0, IOVW_MMAP, h_big_fn, &b, NULL, NULL) < 0);
	close(fd);
}

/* A real full disk: a 256 KiB tmpfs of our own (a mount namespace of the
 * case's child process), a 1 MiB stream. Every strategy reports -ENOSPC;
 * mmap, whose pages would be allocated only when written through the
 * mapping (SIGBUS), reserves them first. */
static void tmpfs_full(void)
{
	static unsigned char data[1 << 20];
	struct h_big b = {data, sizeof(data)};
	char dir[4200], target[4300];
	unsigned char *got;
	size_t len;
	int s;

	snprintf(dir, sizeof(dir), "%s/mnt", t_tmpdir());
	REQUIRE(mkdir(dir, 0700) == 0);
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=256k") < 0)
		t_skip("cannot mount a tmpfs (needs root or user namespaces)");
	snprintf(target, sizeof(target), "%s/t", dir);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_make_file(target, 10, 'o') == 0);
		CHECK_EQ(iovw_write_file(target, (iovw_strategy)s, h_big_fn, &b,
					 NULL, NULL),
			 -ENOSPC);
		got = t_read_file(target, &len);
		CHECK(got && len == 10 && !memcmp(got, "oooooooooo", 10));
		CHECK_EQ(t_count_dir(dir), 1);
		free(got);
	}
	umount(dir);
}

/* ENOSPC and EIO at every write call of a stream of many windows: the
 * error reaches the serializer, which stops (no write call after it); the
 * temporary file is removed and the old target intact. */
static void stream_midway_errors(void)
{
	static unsigned char data[1 << 20];
	static const int errs[] = {-ENOSPC, -EIO};
	struct h_big b = {data, sizeof(data)};
	struct fault f;
	iovw_options o;
	unsigned calls, k, e;
	int rc;

	h_fill(data, sizeof(data), 5);
	fault_init(&f);
	o = (iovw_options){
		.sys = &f.sys, .stage_bytes = 8192, .batch_limit = 8};
	REQUIRE(iovw_write_file(h_path("c"), IOVW_STREAM, h_big_fn, &b, &o,
				NULL) == 0);
	REQUIRE(unlink(h_path("c")) == 0);
	calls = f.writes;
	CHECK(calls >= 32); /* 256 pieces, 8 a window */
	for (e = 0; e < 2; e++) {
		for (k = 1; k <= calls; k++) {
			fault_init(&f);
			f.write_err = errs[e];
			f.err_at = k;
			REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
			rc = iovw_write_file(h_path("t"), IOVW_STREAM, h_big_fn,
					     &b, &o, NULL);
			CHECK_EQ(rc, errs[e]);
			CHECK_EQ(f.writes, k);
			h_check_untouched(__LINE__);
		}
	}
}

static const struct t_case cases[] = {
	{"short_writes", short_writes},
	{"plan_restored", plan_restored},
	{"eintr_storm", eintr_storm},
	{"write_errors", write_errors},
	{"step_failures", step_failures},
	{"dir_fsync_failure", dir_fsync_failure},
	{"temp_name_collisions", temp_name_collisions},
	{"rlimit_fsize", rlimit_fsize},
	{"dev_full", dev_full},
	{"tmpfs_full", tmpfs_full},
	{"stream_midway_errors", stream_midway_errors},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "faults", cases);
}
