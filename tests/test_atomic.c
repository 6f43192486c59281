/*
 * test_atomic.c - iovw_write_file's atomic replacement: the unnamed file
 * (O_TMPFILE) that gets a name only when complete, the named file where
 * there is no O_TMPFILE or no way to link, and what happens to a symlink
 * at the target. (test_sweep.c fails every system call of a write in
 * turn; test_kill.c kills writers; test_faults.c injects write faults.)
 */
#include "helpers.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* ---- a small stream, and what a serializer sees of the directory -------- */

static unsigned char body[3000];

struct probe {
	int runs;	/* serializer runs */
	int max_tmp;	/* most .iovw-* names seen in the directory */
	int named_pid;	/* the pid in the last temporary name seen */
	int named_tmps; /* runs that saw a temporary name */
};

/* Temporary names in the case's directory; *pid gets the last one's. */
static int count_tmp(int *pid)
{
	DIR *d = opendir(t_tmpdir());
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, ".iovw-", 6))
			continue;
		n++;
		*pid = atoi(e->d_name + 6);
	}
	closedir(d);
	return n;
}

/* A header patched last, then the body in pieces of 1000 bytes; notes
 * what the directory holds while the file is being built. */
static int small_fn(iovw_writer *w, void *ctx)
{
	struct probe *p = ctx;
	uint64_t h, v;
	int rc, i, n;

	if (p) {
		p->runs++;
		n = count_tmp(&p->named_pid);
		if (n > p->max_tmp)
			p->max_tmp = n;
		if (n > 0)
			p->named_tmps++;
	}
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

/* ---- the unnamed file ---------------------------------------------------- */

/* Written without a name (no .iovw-* entry while the serializer runs),
 * named and renamed when complete, in the file's mode; the calls one file
 * takes. */
static void unnamed_while_written(void)
{
	iovw_options o = {.file_mode = 0640};
	unsigned char *want;
	struct probe p;
	struct stat sb;
	iovw_stats st;
	size_t wlen;
	mode_t old = umask(022);
	int s;

	h_need_tmpfile();
	want = small_bytes(&wlen);
	REQUIRE(want);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
		memset(&p, 0, sizeof(p));
		memset(&st, 0, sizeof(st));
		CHECK_EQ(iovw_write_file(h_path("t"), (iovw_strategy)s,
					 small_fn, &p, &o, &st),
			 0);
		CHECK(p.runs >= 1);
		CHECK_EQ(p.max_tmp, 0); /* no name while it is written */
		h_check_alone(want, wlen, __LINE__);
		REQUIRE(stat(h_path("t"), &sb) == 0);
		CHECK_EQ(sb.st_mode & 07777, 0640);
		CHECK_EQ(sb.st_nlink, 1);
		CHECK_EQ(st.syscalls[IOVW_SYS_GETPID], 1);
		CHECK_EQ(st.syscalls[IOVW_SYS_OPEN], 1);
		CHECK_EQ(st.syscalls[IOVW_SYS_LINKAT], 1);
		CHECK_EQ(st.syscalls[IOVW_SYS_CLOSE], 1);
		CHECK_EQ(st.syscalls[IOVW_SYS_RENAME], 1);
		CHECK_EQ(st.syscalls[IOVW_SYS_UNLINK], 0);
		CHECK_EQ(st.syscalls[IOVW_SYS_FCNTL], 0);
	}
	umask(old);
	free(want);
}

/* ---- the named file: no O_TMPFILE, or no way to link ------------------- */

struct forced {
	iovw_sys sys;
	int tmpfile_err; /* O_TMPFILE opens fail with this */
	int proc_err;	 /* linkat through /proc fails with this */
	int empty_err;	 /* linkat with AT_EMPTY_PATH fails with this */
	int proc_links, empty_links;
};

static int fo_open(void *ctx, const char *path, int flags, unsigned mode)
{
	struct forced *f = ctx;
	int fd;

	if ((flags & O_TMPFILE) == O_TMPFILE && f->tmpfile_err)
		return f->tmpfile_err;
	fd = open(path, flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

static int fo_linkat(void *ctx, int ofd, const char *from, int nfd,
		     const char *to, int flags)
{
	struct forced *f = ctx;
	int *count = flags & AT_EMPTY_PATH ? &f->empty_links : &f->proc_links;
	int err = flags & AT_EMPTY_PATH ? f->empty_err : f->proc_err;

	++*count;
	if (err)
		return err;
	return linkat(ofd, from, nfd, to, flags) < 0 ? -errno : 0;
}

static void forced_init(struct forced *f)
{
	memset(f, 0, sizeof(*f));
	f->sys.ctx = f;
	f->sys.open = fo_open;
	f->sys.linkat = fo_linkat;
}

/* Write small_fn with strategy s through seam f and `flags` by the named
 * file: "t" holds `want` and nothing else is there, the named file existed
 * while the stream was written (its name carries the pid), `opens` opens,
 * no linkat, one rename. */
static void write_named(struct forced *f, unsigned flags, iovw_strategy s,
			const unsigned char *want, size_t wlen, uint64_t opens,
			int line)
{
	iovw_options o = {.sys = &f->sys, .flags = flags};
	struct probe p;
	iovw_stats st;

	memset(&p, 0, sizeof(p));
	memset(&st, 0, sizeof(st));
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	if (iovw_write_file(h_path("t"), s, small_fn, &p, &o, &st))
		t_fail_at(__FILE__, line, "%s: the write failed",
			  iovw_strategy_name(s));
	h_check_alone(want, wlen, line);
	if (p.max_tmp != 1 || p.named_pid != getpid() ||
	    st.syscalls[IOVW_SYS_OPEN] != opens ||
	    st.syscalls[IOVW_SYS_LINKAT] || st.syscalls[IOVW_SYS_RENAME] != 1)
		t_fail_at(__FILE__, line,
			  "%s: %d named files (pid %d), %llu opens, %llu "
			  "linkats, %llu renames",
			  iovw_strategy_name(s), p.max_tmp, (int)p.named_pid,
			  (unsigned long long)st.syscalls[IOVW_SYS_OPEN],
			  (unsigned long long)st.syscalls[IOVW_SYS_LINKAT],
			  (unsigned long long)st.syscalls[IOVW_SYS_RENAME]);
}

/* Where open() refuses O_TMPFILE the file is created under a temporary
 * name that carries the writer's pid, and renamed; nothing is left. */
static void named_without_tmpfile(void)
{
	static const int errs[] = {-EOPNOTSUPP, -EISDIR, -EINVAL};
	unsigned char *want;
	struct forced f;
	size_t wlen;
	unsigned e;
	int s;

	want = small_bytes(&wlen);
	REQUIRE(want);
	for (e = 0; e < 3; e++) {
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			forced_init(&f);
			f.tmpfile_err = errs[e];
			write_named(&f, 0, (iovw_strategy)s, want, wlen, 2,
				    __LINE__);
		}
	}
	free(want);
}

/* IOVW_F_NAMED_TEMP: the named file at once, where O_TMPFILE works: no
 * unnamed open, no linkat; the name carries the pid. */
static void named_when_asked(void)
{
	unsigned char *want;
	struct forced f;
	size_t wlen;
	int s;

	want = small_bytes(&wlen);
	REQUIRE(want);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		forced_init(&f);
		write_named(&f, IOVW_F_NAMED_TEMP, (iovw_strategy)s, want, wlen,
			    1, __LINE__);
	}
	free(want);
}

/* No /proc and no CAP_DAC_READ_SEARCH (both linkats fail with ENOENT), or
 * no hard links (EPERM): the unnamed file is dropped and the stream is
 * written again under a name. */
static void named_when_link_fails(void)
{
	static const int errs[] = {-ENOENT, -EPERM};
	unsigned char *want;
	struct forced f;
	iovw_options o;
	struct probe p;
	iovw_stats st;
	size_t wlen;
	unsigned e;
	int s;

	h_need_tmpfile();
	want = small_bytes(&wlen);
	REQUIRE(want);
	for (e = 0; e < 2; e++) {
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			forced_init(&f);
			f.proc_err = -ENOENT;
			f.empty_err = errs[e];
			o = (iovw_options){.sys = &f.sys};
			memset(&p, 0, sizeof(p));
			memset(&st, 0, sizeof(st));
			REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
			CHECK_EQ(iovw_write_file(h_path("t"), (iovw_strategy)s,
						 small_fn, &p, &o, &st),
				 0);
			h_check_alone(want, wlen, __LINE__);
			CHECK_EQ(f.proc_links, 1);
			CHECK_EQ(f.empty_links, 1);
			CHECK_EQ(p.named_tmps, p.runs / 2); /* second round */
			CHECK_EQ(st.syscalls[IOVW_SYS_OPEN], 2);
			CHECK_EQ(st.syscalls[IOVW_SYS_CLOSE], 2);
			CHECK_EQ(st.syscalls[IOVW_SYS_LINKAT], 2);
		}
	}
	/* any other link failure is the write's error, nothing left */
	forced_init(&f);
	f.proc_err = -ENOSPC;
	o = (iovw_options){.sys = &f.sys};
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	CHECK_EQ(iovw_write_file(h_path("t"), IOVW_PWRITEV, small_fn, NULL, &o,
				 NULL),
		 -ENOSPC);
	h_check_alone((const unsigned char *)"oooooooooo", 10, __LINE__);
	free(want);
}

/* Without /proc the file is linked with AT_EMPTY_PATH, where the process
 * may (CAP_DAC_READ_SEARCH): written once, no named file. */
static void link_without_proc(void)
{
	unsigned char *want;
	struct forced f;
	iovw_options o;
	struct probe p = {0};
	size_t wlen;
	int fd, rc;

	h_need_tmpfile();
	fd = open(t_tmpdir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0);
	rc = linkat(fd, "", AT_FDCWD, h_path("probe"), AT_EMPTY_PATH);
	close(fd);
	if (rc < 0)
		t_skip("linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH");
	REQUIRE(unlink(h_path("probe")) == 0);
	want = small_bytes(&wlen);
	REQUIRE(want);
	forced_init(&f);
	f.proc_err = -ENOENT;
	o = (iovw_options){.sys = &f.sys};
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	CHECK_EQ(iovw_write_file(h_path("t"), IOVW_PWRITEV, small_fn, &p, &o,
				 NULL),
		 0);
	h_check_alone(want, wlen, __LINE__);
	CHECK_EQ(p.runs, 1);
	CHECK_EQ(p.named_tmps, 0);
	CHECK_EQ(f.empty_links, 1);
	free(want);
}

/* ---- symlinks ------------------------------------------------------------ */

/* An atomic write replaces a symlink at the target (the link itself) with
 * a regular file and leaves the file it pointed to alone; IOVW_F_NO_ATOMIC
 * follows the link and rewrites that file, the link stays. */
static void symlink_target(void)
{
	iovw_options ip = {.flags = IOVW_F_NO_ATOMIC};
	unsigned char *want, *got;
	size_t wlen, len;
	struct stat sb;
	int s;

	want = small_bytes(&wlen);
	REQUIRE(want);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_make_file(h_path("real"), 10, 'r') == 0);
		unlink(h_path("t"));
		REQUIRE(symlink("real", h_path("t")) == 0);
		CHECK_EQ(iovw_write_file(h_path("t"), (iovw_strategy)s,
					 small_fn, NULL, NULL, NULL),
			 0);
		REQUIRE(lstat(h_path("t"), &sb) == 0);
		CHECK(S_ISREG(sb.st_mode));
		got = t_read_file(h_path("t"), &len);
		CHECK(got && len == wlen && !memcmp(got, want, wlen));
		free(got);
		got = t_read_file(h_path("real"), &len);
		CHECK(got && len == 10 && !memcmp(got, "rrrrrrrrrr", 10));
		free(got);

		REQUIRE(unlink(h_path("t")) == 0);
		REQUIRE(symlink("real", h_path("t")) == 0);
		CHECK_EQ(iovw_write_file(h_path("t"), (iovw_strategy)s,
					 small_fn, NULL, &ip, NULL),
			 0);
		REQUIRE(lstat(h_path("t"), &sb) == 0);
		CHECK(S_ISLNK(sb.st_mode));
		got = t_read_file(h_path("real"), &len);
		CHECK(got && len == wlen && !memcmp(got, want, wlen));
		free(got);
		CHECK_EQ(t_count_dir(t_tmpdir()), 2);
	}
	free(want);
}

static const struct t_case cases[] = {
	{"unnamed_while_written", unnamed_while_written},
	{"named_without_tmpfile", named_without_tmpfile},
	{"named_when_link_fails", named_when_link_fails},
	{"named_when_asked", named_when_asked},
	{"link_without_proc", link_without_proc},
	{"symlink_target", symlink_target},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "atomic", cases);
}
