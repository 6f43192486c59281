/*
 * test_platform_faults.c - failures injected through the syscall seam, on
 * every platform (make test and make test-windows): the fake seam wraps
 * the platform's real calls (iovw__sys_resolve with no table), so on
 * Windows the bytes go through WriteFile, the rename through MoveFileExW.
 *
 * Every case ends in the right bytes or the right negative errno; after a
 * failed atomic write the old target is intact and no temporary file is
 * left. The writes take the named temporary file (IOVW_F_NAMED_TEMP), the
 * only way on Windows, so that both platforms make the same calls.
 * (test_faults.c has the Linux-only cases: O_TMPFILE, /dev/full, a full
 * tmpfs, RLIMIT_FSIZE.)
 */
#include "iovw.h"
#include "internal.h"
#include "platform_here.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/stat.h>
#endif

struct fault {
	iovw_sys sys;
	iovw_sys real;
	size_t first_cap; /* the first write call takes at most this (0: no) */
	size_t every_cap; /* every write call takes at most this (0: no)     */
	unsigned eintr;	  /* EINTRs before each real write call              */
	unsigned eintr_left;
	int write_err; /* returned by write call number err_at (from 1)   */
	unsigned err_at;
	int over;		  /* write calls claim a byte more than asked */
	int zero;		  /* write calls return 0                     */
	unsigned writes;	  /* write calls that reached the fake        */
	int fail[IOVW_SYS_COUNT]; /* make this call fail with this      */
	unsigned open_eexist; /* the first n O_EXCL opens fail with EEXIST */
	unsigned opens;	      /* O_EXCL opens                              */
};

/* Gather up to the cap of the iovecs and write them with the real pwrite. */
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
	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (f->over)
		return (ssize_t)total + 1;
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
	r = f->real.pwrite(f->real.ctx, fd, buf, total, off);
	free(buf);
	return r;
}

static ssize_t f_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			 int64_t off)
{
	return fake_write(ctx, fd, iov, cnt, off);
}

static ssize_t f_pwrite(void *ctx, int fd, const void *b, size_t n, int64_t off)
{
	struct iovec v;

	v.iov_base = (void *)b;
	v.iov_len = n;
	return fake_write(ctx, fd, &v, 1, off);
}

static int f_open(void *ctx, const char *path, int flags, unsigned mode)
{
	struct fault *f = ctx;

	if ((flags & O_EXCL) && f->opens++ < f->open_eexist)
		return -EEXIST;
	if (f->fail[IOVW_SYS_OPEN])
		return f->fail[IOVW_SYS_OPEN];
	return f->real.open(f->real.ctx, path, flags, mode);
}

static int f_close(void *ctx, int fd)
{
	struct fault *f = ctx;
	int rc = f->real.close(f->real.ctx, fd); /* gone either way */

	return f->fail[IOVW_SYS_CLOSE] ? f->fail[IOVW_SYS_CLOSE] : rc;
}

/* The call fails if told to, else the real one runs. */
#define PASS(call, member, ...)                                    \
	do {                                                       \
		struct fault *f_ = ctx;                            \
		if (f_->fail[call])                                \
			return f_->fail[call];                     \
		return f_->real.member(f_->real.ctx, __VA_ARGS__); \
	} while (0)

static int f_ftruncate(void *ctx, int fd, int64_t len)
{
	PASS(IOVW_SYS_FTRUNCATE, ftruncate, fd, len);
}

static int f_fallocate(void *ctx, int fd, int64_t off, int64_t len)
{
	PASS(IOVW_SYS_FALLOCATE, fallocate, fd, off, len);
}

static int f_fdatasync(void *ctx, int fd)
{
	PASS(IOVW_SYS_FDATASYNC, fdatasync, fd);
}

static int f_rename(void *ctx, const char *a, const char *b)
{
	PASS(IOVW_SYS_RENAME, rename, a, b);
}

static int f_mmap(void *ctx, size_t len, int fd, int64_t off, void **out)
{
	PASS(IOVW_SYS_MMAP, mmap, len, fd, off, out);
}

static int f_munmap(void *ctx, void *p, size_t len)
{
	struct fault *f = ctx;
	int rc = f->real.munmap(f->real.ctx, p, len); /* unmapped either way */

	return f->fail[IOVW_SYS_MUNMAP] ? f->fail[IOVW_SYS_MUNMAP] : rc;
}

static void fault_init(struct fault *f)
{
	memset(f, 0, sizeof(*f));
	iovw__sys_resolve(&f->real, NULL);
	f->sys.ctx = f;
	f->sys.pwrite = f_pwrite;
	f->sys.pwritev = f_pwritev;
	f->sys.open = f_open;
	f->sys.close = f_close;
	f->sys.ftruncate = f_ftruncate;
	f->sys.fallocate = f_fallocate;
	f->sys.fdatasync = f_fdatasync;
	f->sys.rename = f_rename;
	f->sys.mmap = f_mmap;
	f->sys.munmap = f_munmap;
}

/* ---- the stream written ---------------------------------------------------
 */

static unsigned char src[3000];

/* A reserved 8-byte slot patched last, pieces that pad and merge, a
 * copy: 13 pieces of every kind. */
static int small_fn(iovw_writer *w, void *ctx)
{
	static const size_t sizes[] = {1, 30, 7, 200, 3, 1000, 64, 5, 500, 2};
	uint64_t hdr, v = 0x0102030405060708u;
	size_t at = 0, k;
	int rc = iovw_reserve(w, 8, 8, &hdr);

	(void)ctx;
	for (k = 0; k < 10 && !rc; k++) {
		rc = k % 4 == 3
			     ? iovw_append_copy(w, src + at, sizes[k], 1, NULL)
			     : iovw_append(w, src + at, sizes[k], k % 3 ? 1 : 8,
					   NULL);
		at += sizes[k];
	}
	return rc ? rc : iovw_patch(w, hdr, &v, 8);
}

static unsigned char *small_bytes(size_t *len)
{
	uint64_t s = 77;
	size_t i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(1 + (t_rand(&s) >> 58));
	return planned_bytes(small_fn, NULL, len);
}

static const char *target(void)
{
	static char buf[4200];
	snprintf(buf, sizeof(buf), "%s/t", t_tmpdir());
	return buf;
}

static int put_old(void)
{
	FILE *f = fopen(target(), "wb");
	int ok = f && fwrite("oooooooooo", 1, 10, f) == 10;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -EIO;
}

/* Write small_fn to the target through the fake; check the outcome. With
 * want_rc 0 it must hold the stream's bytes; otherwise the old target
 * (10 x 'o') must be intact. Either way the directory holds nothing else. */
static void expect(struct fault *f, iovw_strategy s, unsigned flags,
		   size_t batch, size_t stage, int want_rc, int line)
{
	iovw_options o = {.sys = &f->sys,
			  .flags = flags | IOVW_F_NAMED_TEMP,
			  .batch_limit = batch,
			  .stage_bytes = stage};
	unsigned char *want, *got;
	size_t wlen, glen = 0;
	int rc;

	want = small_bytes(&wlen);
	REQUIRE(want);
	REQUIRE(put_old() == 0);
	f->eintr_left = f->eintr;
	rc = iovw_write_file(target(), s, small_fn, NULL, &o, NULL);
	got = t_read_file(target(), &glen);
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

#define EXPECT(f, s, flags, rc) expect(f, s, flags, 0, 0, rc, __LINE__)

/* The strategies that write with pwrite/pwritev. */
static const iovw_strategy writers[] = {IOVW_PWRITEV, IOVW_WRITE_EACH,
					IOVW_BUFFER, IOVW_STREAM};
#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

/* Short writes of 1, 2, 4, 7, ... bytes (each about 1.5 times the last,
 * up to the stream's length), on the first call and on every call, with
 * batch limits 0 (the default) to 3; stream with a 16-byte staging buffer
 * every other time. (test_faults.c tries every byte boundary on Linux.) */
static void short_writes(void)
{
	size_t len, k, b;
	unsigned char *bytes = small_bytes(&len);
	struct fault f;
	unsigned i;

	REQUIRE(bytes);
	free(bytes);
	for (i = 0; i < NWRITERS; i++) {
		for (b = 0; b < 4; b++) {
			for (k = 1; k < len; k += 1 + k / 2) {
				size_t st = writers[i] == IOVW_STREAM && k % 2
						    ? 16
						    : 0;
				fault_init(&f);
				f.first_cap = k;
				expect(&f, writers[i], 0, b, st, 0, __LINE__);
				fault_init(&f);
				f.every_cap = k;
				expect(&f, writers[i], 0, b, st, 0, __LINE__);
			}
		}
	}
}

static void eintr_storm(void)
{
	struct fault f;
	unsigned i;

	for (i = 0; i < NWRITERS; i++) {
		fault_init(&f);
		f.eintr = 100;
		f.every_cap = 7;
		expect(&f, writers[i], 0, 2, 16, 0, __LINE__);
		CHECK(f.writes > 10);
	}
}

static void write_errors(void)
{
	static const int errs[] = {-ENOSPC, -EIO, -EFBIG, -EAGAIN};
	struct fault f;
	unsigned i, e, at;

	for (i = 0; i < NWRITERS; i++) {
		for (e = 0; e < sizeof(errs) / sizeof(errs[0]); e++) {
			for (at = 1; at <= 3; at++) {
				fault_init(&f);
				f.every_cap = 16;
				f.write_err = errs[e];
				f.err_at = at;
				EXPECT(&f, writers[i], 0, errs[e]);
				CHECK_EQ(f.writes, at);
			}
		}
		/* no progress is an error, not a loop */
		fault_init(&f);
		f.zero = 1;
		EXPECT(&f, writers[i], 0, -EIO);
		/* a seam that claims more than it was given */
		fault_init(&f);
		f.over = 1;
		EXPECT(&f, writers[i], 0, -EIO);
	}
}

/* Every other call of the atomic path and of the strategies fails. */
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
	struct fault f;
	unsigned i, s;

	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			fault_init(&f);
			f.fail[steps[i].call] = steps[i].err;
			EXPECT(&f, (iovw_strategy)s, steps[i].flags,
			       steps[i].err);
		}
		/* and with the syncs asked for and working: the new file */
		fault_init(&f);
		EXPECT(&f, (iovw_strategy)s,
		       IOVW_F_FDATASYNC | IOVW_F_FSYNC_DIR, 0);
	}
	fault_init(&f);
	f.fail[IOVW_SYS_FALLOCATE] = -ENOSPC;
	EXPECT(&f, IOVW_MMAP, 0, -ENOSPC);
	/* no fallocate: ftruncate grows the file instead */
	fault_init(&f);
	f.fail[IOVW_SYS_FALLOCATE] = -EOPNOTSUPP;
	EXPECT(&f, IOVW_MMAP, 0, 0);
	fault_init(&f);
	f.fail[IOVW_SYS_FALLOCATE] = -EOPNOTSUPP;
	f.fail[IOVW_SYS_FTRUNCATE] = -EFBIG;
	EXPECT(&f, IOVW_MMAP, 0, -EFBIG);
	fault_init(&f);
	f.fail[IOVW_SYS_MMAP] = -ENOMEM;
	EXPECT(&f, IOVW_MMAP, 0, -ENOMEM);
	fault_init(&f);
	f.fail[IOVW_SYS_MUNMAP] = -EINVAL;
	EXPECT(&f, IOVW_MMAP, 0, -EINVAL);
}

/* open(O_EXCL) finds temporary names taken: the next is tried, up to 64;
 * then -EEXIST and nothing left. */
static void temp_name_collisions(void)
{
	struct fault f;

	fault_init(&f);
	f.open_eexist = 5;
	EXPECT(&f, IOVW_PWRITEV, 0, 0);
	CHECK_EQ(f.opens, 6);
	fault_init(&f);
	f.open_eexist = 1000;
	EXPECT(&f, IOVW_STREAM, 0, -EEXIST);
	CHECK_EQ(f.opens, 64);
}

/* The real rename fails: the target is a directory (not empty). The
 * error comes back, the directory is intact, the temporary file gone. */
static void rename_onto_directory(void)
{
	char dir[4300], inner[4400];
	unsigned char *got;
	FILE *fp;
	size_t len;
	int s, rc;

	snprintf(dir, sizeof(dir), "%s/d", t_tmpdir());
	snprintf(inner, sizeof(inner), "%s/d/x", t_tmpdir());
#ifdef _WIN32
	REQUIRE(CreateDirectoryA(dir, NULL));
#else
	REQUIRE(mkdir(dir, 0700) == 0);
#endif
	fp = fopen(inner, "wb");
	REQUIRE(fp && fwrite("x", 1, 1, fp) == 1 && fclose(fp) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		iovw_options o = {.flags = s % 2 ? IOVW_F_NAMED_TEMP : 0};

		if (!strategy_here((int)s))
			continue;
		rc = iovw_write_file(dir, (iovw_strategy)s, small_fn, NULL, &o,
				     NULL);
		CHECK(rc < 0);
		got = t_read_file(inner, &len);
		CHECK(got && len == 1 && got[0] == 'x');
		free(got);
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
	}
}

/* Windows: the target held open by another handle that does not share
 * deletion cannot be replaced (MoveFileExW fails): an error, the old
 * target intact, the temporary file removed. Linux renames over open
 * files: nothing to test there. */
static void target_held_open(void)
{
#ifdef _WIN32
	HANDLE h;
	unsigned char *got;
	size_t len;
	int s, rc;

	REQUIRE(put_old() == 0);
	h = CreateFileA(target(), GENERIC_READ, FILE_SHARE_READ, NULL,
			OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	REQUIRE(h != INVALID_HANDLE_VALUE);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		rc = iovw_write_file(target(), (iovw_strategy)s, small_fn, NULL,
				     NULL, NULL);
		if (rc != -EACCES && rc != -EBUSY)
			t_fail_at(__FILE__, __LINE__, "%s: rc %d (%s)",
				  iovw_strategy_name(s), rc, iovw_strerror(rc));
		got = t_read_file(target(), &len);
		CHECK(got && len == 10 && !memcmp(got, "oooooooooo", 10));
		free(got);
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
	}
	CloseHandle(h);
	/* let go, and it is replaced */
	CHECK_EQ(iovw_write_file(target(), IOVW_MMAP, small_fn, NULL, NULL,
				 NULL),
		 0);
#else
	t_skip("Windows only: Linux renames over a file held open");
#endif
}

static const struct t_case cases[] = {
	{"short_writes", short_writes},
	{"eintr_storm", eintr_storm},
	{"write_errors", write_errors},
	{"step_failures", step_failures},
	{"temp_name_collisions", temp_name_collisions},
	{"rename_onto_directory", rename_onto_directory},
	{"target_held_open", target_held_open},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "platform_faults", cases);
}
