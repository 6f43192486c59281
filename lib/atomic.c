/*
 * atomic.c - iovw_write_file(): write a new file and rename it into place.
 *
 * The temporary file lives in the target's directory (rename() is atomic
 * only within one file system) under a name no other writer picks: O_EXCL
 * makes a collision fail, and a new name is tried. On any failure before
 * the rename the temporary file is unlinked, so the target is either the
 * old file, untouched, or the complete new one.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TMP_TRIES 64

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finalizer */
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* Length of the directory part of `path`, with its trailing '/' (0 if
 * there is none: the current directory). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Write "<dir>.iovw-<16 hex>.tmp" into tmp. No system call: the clocks go
 * through the vDSO, and the stack address differs between threads. */
static void tmp_name(char *tmp, const char *path, size_t dlen, unsigned try)
{
	struct timespec a, b;
	uint64_t seed;

	clock_gettime(CLOCK_REALTIME, &a);
	clock_gettime(CLOCK_MONOTONIC, &b);
	seed = (uint64_t)a.tv_nsec ^ ((uint64_t)a.tv_sec << 30) ^
	       mix64((uint64_t)b.tv_nsec + (uint64_t)(uintptr_t)&a) ^
	       mix64(try);
	memcpy(tmp, path, dlen);
	snprintf(tmp + dlen, 32, ".iovw-%016llx.tmp",
		 (unsigned long long)mix64(seed));
}

static int fsync_dir(const iovw_sys *s, iovw_stats *st, const char *path,
		     size_t dlen, char *buf)
{
	int fd, rc, rc2;

	if (dlen) {
		memcpy(buf, path, dlen);
		buf[dlen] = '\0';
	} else {
		strcpy(buf, ".");
	}
	st->syscalls[IOVW_SYS_OPEN]++;
	fd = s->open(s->ctx, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	st->syscalls[IOVW_SYS_FSYNC]++;
	rc = s->fsync(s->ctx, fd);
	st->syscalls[IOVW_SYS_CLOSE]++;
	rc2 = s->close(s->ctx, fd);
	return rc ? rc : rc2;
}

static int write_in_place(const iovw_sys *s, iovw_stats *st, const char *path,
			  iovw_strategy strat, iovw_serialize_fn fn, void *ctx,
			  const iovw_options *o, unsigned mode)
{
	int fd, rc, rc2;

	st->syscalls[IOVW_SYS_OPEN]++;
	fd = s->open(s->ctx, path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		     mode);
	if (fd < 0)
		return fd;
	rc = iovw__write_fd(s, st, fd, 0, strat, fn, ctx, o);
	st->syscalls[IOVW_SYS_CLOSE]++;
	rc2 = s->close(s->ctx, fd);
	return rc ? rc : rc2;
}

static int write_atomic(const iovw_sys *s, iovw_stats *st, const char *path,
			iovw_strategy strat, iovw_serialize_fn fn, void *ctx,
			const iovw_options *o, unsigned mode, char *tmp,
			size_t dlen)
{
	unsigned try;
	int fd = -EEXIST, rc, rc2;

	for (try = 0; try < TMP_TRIES && fd == -EEXIST; try++) {
		tmp_name(tmp, path, dlen, try);
		st->syscalls[IOVW_SYS_OPEN]++;
		fd = s->open(s->ctx, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			     mode);
	}
	if (fd < 0)
		return fd;
	rc = iovw__write_fd(s, st, fd, 0, strat, fn, ctx, o);
	st->syscalls[IOVW_SYS_CLOSE]++;
	rc2 = s->close(s->ctx, fd); /* may report a deferred write error */
	if (!rc)
		rc = rc2;
	if (!rc) {
		st->syscalls[IOVW_SYS_RENAME]++;
		rc = s->rename(s->ctx, tmp, path);
	}
	if (rc) {
		st->syscalls[IOVW_SYS_UNLINK]++;
		s->unlink(s->ctx, tmp);
		return rc;
	}
	if (o && (o->flags & IOVW_F_FSYNC_DIR))
		rc = fsync_dir(s, st, path, dlen, tmp);
	return rc;
}

int iovw_write_file(const char *path, iovw_strategy strat, iovw_serialize_fn fn,
		    void *ctx, const iovw_options *o, iovw_stats *st)
{
	iovw_stats local = {0};
	iovw_allocator a;
	unsigned mode = o && o->file_mode ? o->file_mode : 0666;
	size_t batch, dlen;
	iovw_sys sys;
	char *tmp;
	int rc;

	if (!path || !*path || !fn || (unsigned)strat >= IOVW_STRATEGY_COUNT)
		return -EINVAL;
	rc = iovw__options_check(o, &batch);
	if (rc)
		return rc;
	iovw__sys_resolve(&sys, o ? o->sys : NULL);
	if (o && (o->flags & IOVW_F_NO_ATOMIC)) {
		rc = write_in_place(&sys, &local, path, strat, fn, ctx, o,
				    mode);
	} else {
		iovw__alloc_resolve(&a, o ? o->alloc : NULL);
		dlen = dir_len(path);
		tmp = a.malloc(a.ctx, dlen + 32);
		if (!tmp)
			return -ENOMEM;
		rc = write_atomic(&sys, &local, path, strat, fn, ctx, o, mode,
				  tmp, dlen);
		a.free(a.ctx, tmp);
	}
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}
