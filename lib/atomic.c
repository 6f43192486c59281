/*
 * atomic.c - iovw_write_file(): write a new file and rename it into place.
 *
 * The new file lives in the target's directory (rename() is atomic only
 * within one file system). Where the file system can, it is created
 * without a name, open(dir, O_TMPFILE), written (and fdatasync'ed if
 * asked), then given a fresh temporary name with linkat() and renamed over
 * the target. A writer killed before the link leaves nothing: the kernel
 * frees an unnamed file with its last descriptor. Killed in the short
 * window between link and rename it leaves a complete file under the
 * temporary name, which carries its pid for iovw_clean_stale() (tmpname.c).
 *
 * linkat() names the file through /proc/self/fd/N with AT_SYMLINK_FOLLOW,
 * which needs no privilege; without /proc it tries AT_EMPTY_PATH, which
 * needs CAP_DAC_READ_SEARCH. If neither can link it (ENOENT, or EPERM
 * where the file system has no hard links), the unnamed file is dropped
 * and the stream is written again the named way below.
 *
 * Where open() refuses O_TMPFILE (EOPNOTSUPP from the file system, EISDIR
 * from a kernel before 3.11, EINVAL), the file is created under its
 * temporary name with O_EXCL (a name taken makes the open fail, and a new
 * name is tried), as before; a writer killed while writing leaves that
 * file behind, again named with its pid.
 *
 * On any failure before the rename a named temporary file is unlinked, so
 * the target is either the old file, untouched, or the complete new one.
 *
 * Where the platform has no O_TMPFILE (Windows, the BSDs, macOS) only the
 * named way exists. On Windows the seam's rename is MoveFileExW with
 * MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH (sys_win.c), which
 * returns when the rename is on disk: IOVW_F_FSYNC_DIR adds no call there
 * (a directory cannot be opened as a file descriptor).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#define TMP_TRIES 64

/* Length of the directory part of `path`, with its trailing '/' (0 if
 * there is none: the current directory). */
static size_t dir_len(const char *path)
{
	size_t i, n = 0;

	for (i = 0; path[i]; i++)
		if (IOVW__IS_SEP(path[i]))
			n = i + 1;
	return n;
}

#ifndef _WIN32
/* The directory part of `path` into buf, "." for none. */
static void dir_name(char *buf, const char *path, size_t dlen)
{
	if (dlen) {
		memcpy(buf, path, dlen);
		buf[dlen] = '\0';
	} else {
		strcpy(buf, ".");
	}
}
#endif

static int fsync_dir(const iovw_sys *s, iovw_stats *st, const char *path,
		     size_t dlen, char *buf)
{
#ifdef _WIN32
	(void)s;
	(void)st;
	(void)path;
	(void)dlen;
	(void)buf;
	return 0; /* MOVEFILE_WRITE_THROUGH did it (see the top) */
#else
	int fd, rc, rc2;

	dir_name(buf, path, dlen);
	st->syscalls[IOVW_SYS_OPEN]++;
	fd = s->open(s->ctx, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	st->syscalls[IOVW_SYS_FSYNC]++;
	rc = s->fsync(s->ctx, fd);
	st->syscalls[IOVW_SYS_CLOSE]++;
	rc2 = s->close(s->ctx, fd);
	return rc ? rc : rc2;
#endif
}

static int write_in_place(struct iovw_ctx *c, const iovw_sys *s, iovw_stats *st,
			  const char *path, iovw_strategy strat,
			  iovw_serialize_fn fn, void *ctx,
			  const iovw_options *o, unsigned mode)
{
	int fd, rc, rc2;

	st->syscalls[IOVW_SYS_OPEN]++;
	fd = s->open(s->ctx, path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		     mode);
	if (fd < 0)
		return fd;
	rc = iovw__write_fd(c, s, st, fd, 0, strat, fn, ctx, o);
	st->syscalls[IOVW_SYS_CLOSE]++;
	rc2 = s->close(s->ctx, fd);
	return rc ? rc : rc2;
}

/* What one atomic write needs besides the strategy's arguments. */
struct atomic {
	struct iovw_ctx *c;
	const iovw_sys *s;
	iovw_stats *st;
	const char *path;
	size_t dlen;
	unsigned mode;
	int pid;
	char *tmp; /* dlen + IOVW__TMP_NAME_MAX bytes */
};

/* Close `fd`, whose file is named a->tmp, after the write's result `rc`;
 * if all went well rename it over the target. On any failure the name is
 * unlinked. */
static int finish(const struct atomic *a, int fd, int rc)
{
	const iovw_sys *s = a->s;
	int rc2;

	a->st->syscalls[IOVW_SYS_CLOSE]++;
	rc2 = s->close(s->ctx, fd); /* may report a deferred write error */
	if (!rc)
		rc = rc2;
	if (!rc) {
		a->st->syscalls[IOVW_SYS_RENAME]++;
		rc = s->rename(s->ctx, a->tmp, a->path);
	}
	if (rc) {
		a->st->syscalls[IOVW_SYS_UNLINK]++;
		s->unlink(s->ctx, a->tmp);
	}
	return rc;
}

#ifdef O_TMPFILE
/* Give the unnamed file `fd` a fresh temporary name in a->tmp. 0, 1 if it
 * cannot be linked here (no /proc, no privilege, no hard links), or a
 * negative errno. */
static int link_tmp(const struct atomic *a, int fd)
{
	const iovw_sys *s = a->s;
	char proc[32];
	unsigned try;
	int rc = -EEXIST;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (try = 0; try < TMP_TRIES && rc == -EEXIST; try++) {
		iovw__tmp_name(a->tmp, a->path, a->dlen, a->pid, try);
		a->st->syscalls[IOVW_SYS_LINKAT]++;
		rc = s->linkat(s->ctx, AT_FDCWD, proc, AT_FDCWD, a->tmp,
			       AT_SYMLINK_FOLLOW);
		if (rc == -ENOENT) {
			a->st->syscalls[IOVW_SYS_LINKAT]++;
			rc = s->linkat(s->ctx, fd, "", AT_FDCWD, a->tmp,
				       AT_EMPTY_PATH);
		}
	}
	return rc == -ENOENT || rc == -EPERM ? 1 : rc;
}

/* The unnamed way. 0, 1 if O_TMPFILE or linking is not available here
 * (nothing is left behind), or a negative errno. */
static int via_tmpfile(const struct atomic *a, iovw_strategy strat,
		       iovw_serialize_fn fn, void *ctx, const iovw_options *o)
{
	const iovw_sys *s = a->s;
	int fd, rc;

	dir_name(a->tmp, a->path, a->dlen);
	a->st->syscalls[IOVW_SYS_OPEN]++;
	fd = s->open(s->ctx, a->tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, a->mode);
	if (fd == -EOPNOTSUPP || fd == -EISDIR || fd == -EINVAL)
		return 1;
	if (fd < 0)
		return fd;
	rc = iovw__write_fd(a->c, s, a->st, fd, 0, strat, fn, ctx, o);
	if (!rc)
		rc = link_tmp(a, fd);
	if (!rc)
		return finish(a, fd, 0);
	a->st->syscalls[IOVW_SYS_CLOSE]++;
	s->close(s->ctx, fd); /* unnamed: closing it removes it */
	return rc;
}
#else
/* No O_TMPFILE on this platform: always the named way. */
static int via_tmpfile(const struct atomic *a, iovw_strategy strat,
		       iovw_serialize_fn fn, void *ctx, const iovw_options *o)
{
	(void)a;
	(void)strat;
	(void)fn;
	(void)ctx;
	(void)o;
	return 1;
}
#endif

/* The named way: created under its temporary name with O_EXCL. */
static int via_named(const struct atomic *a, iovw_strategy strat,
		     iovw_serialize_fn fn, void *ctx, const iovw_options *o)
{
	const iovw_sys *s = a->s;
	unsigned try;
	int fd = -EEXIST, rc;

	for (try = 0; try < TMP_TRIES && fd == -EEXIST; try++) {
		iovw__tmp_name(a->tmp, a->path, a->dlen, a->pid, try);
		a->st->syscalls[IOVW_SYS_OPEN]++;
		fd = s->open(s->ctx, a->tmp,
			     O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, a->mode);
	}
	if (fd < 0)
		return fd;
	rc = iovw__write_fd(a->c, s, a->st, fd, 0, strat, fn, ctx, o);
	return finish(a, fd, rc);
}

static int write_atomic(struct atomic *a, iovw_strategy strat,
			iovw_serialize_fn fn, void *ctx, const iovw_options *o)
{
	int rc;

	a->st->syscalls[IOVW_SYS_GETPID]++;
	a->pid = a->s->getpid(a->s->ctx);
	if (a->pid <= 0)
		return a->pid < 0 ? a->pid : -EINVAL;
	rc = o && (o->flags & IOVW_F_NAMED_TEMP)
		     ? 1
		     : via_tmpfile(a, strat, fn, ctx, o);
	if (rc == 1)
		rc = via_named(a, strat, fn, ctx, o);
	if (!rc && o && (o->flags & IOVW_F_FSYNC_DIR))
		rc = fsync_dir(a->s, a->st, a->path, a->dlen, a->tmp);
	return rc;
}

int iovw_ctx_write_file(iovw_ctx *c, const char *path, iovw_strategy strat,
			iovw_serialize_fn fn, void *arg, const iovw_options *o,
			iovw_stats *st)
{
	iovw_stats local = {0};
	unsigned mode = o && o->file_mode ? o->file_mode : 0666;
	struct atomic a;
	size_t batch;
	iovw_sys sys;
	int rc;

	if (!path || !*path || !fn || (unsigned)strat >= IOVW_STRATEGY_COUNT)
		return -EINVAL;
	rc = iovw__ctx_check(c, o);
	if (!rc)
		rc = iovw__options_check(o, &batch);
	if (rc)
		return rc;
	iovw__sys_resolve(&sys, o ? o->sys : NULL);
	if (o && (o->flags & IOVW_F_NO_ATOMIC)) {
		rc = write_in_place(c, &sys, &local, path, strat, fn, arg, o,
				    mode);
	} else {
		a = (struct atomic){.c = c,
				    .s = &sys,
				    .st = &local,
				    .path = path,
				    .dlen = dir_len(path),
				    .mode = mode};
		a.tmp = iovw__ctx_tmp(c, a.dlen + IOVW__TMP_NAME_MAX);
		if (!a.tmp)
			return -ENOMEM;
		rc = write_atomic(&a, strat, fn, arg, o);
	}
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}

int iovw_write_file(const char *path, iovw_strategy strat, iovw_serialize_fn fn,
		    void *arg, const iovw_options *o, iovw_stats *st)
{
	struct iovw_ctx c;
	iovw_stats local = {0};
	int rc;

	iovw__ctx_init(&c, o ? o->alloc : NULL);
	rc = iovw_ctx_write_file(&c, path, strat, fn, arg, o, &local);
	iovw__ctx_release(&c, &local);
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}
