/*
 * sys.c - the syscall seam's real calls and the default allocator.
 *
 * Every system call libiovw makes goes through an iovw_sys table; these
 * are the members used where the caller leaves one NULL. Each returns a
 * negative errno instead of setting errno. These are the POSIX ones;
 * Windows has its own in sys_win.c (platform.h).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

#ifndef _WIN32
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int neg(long r)
{
	return r < 0 ? -errno : (int)r;
}

static int sys_open(void *ctx, const char *path, int flags, unsigned mode)
{
	(void)ctx;
	return neg(open(path, flags, (mode_t)mode));
}

static int sys_close(void *ctx, int fd)
{
	(void)ctx;
	return neg(close(fd));
}

static ssize_t sys_pwrite(void *ctx, int fd, const void *buf, size_t n,
			  int64_t off)
{
	ssize_t r = pwrite(fd, buf, n, (off_t)off);
	(void)ctx;
	return r < 0 ? -errno : r;
}

static ssize_t sys_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			   int64_t off)
{
	ssize_t r = pwritev(fd, iov, cnt, (off_t)off);
	(void)ctx;
	return r < 0 ? -errno : r;
}

static int sys_ftruncate(void *ctx, int fd, int64_t len)
{
	(void)ctx;
	return neg(ftruncate(fd, (off_t)len));
}

static int sys_fallocate(void *ctx, int fd, int64_t off, int64_t len)
{
	(void)ctx;
#ifdef __linux__
	return neg(fallocate(fd, 0, (off_t)off, (off_t)len));
#else
	/* returns the error instead of setting errno */
	return -posix_fallocate(fd, (off_t)off, (off_t)len);
#endif
}

static int sys_fsize(void *ctx, int fd, int64_t *size)
{
	struct stat sb;
	(void)ctx;
	if (fstat(fd, &sb) < 0)
		return -errno;
	*size = (int64_t)sb.st_size;
	return 0;
}

static int sys_mmap(void *ctx, size_t len, int fd, int64_t off, void **out)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)off);
	(void)ctx;
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

static int sys_munmap(void *ctx, void *p, size_t len)
{
	(void)ctx;
	return neg(munmap(p, len));
}

static int sys_fdatasync(void *ctx, int fd)
{
	(void)ctx;
	return neg(fdatasync(fd));
}

static int sys_fsync(void *ctx, int fd)
{
	(void)ctx;
	return neg(fsync(fd));
}

static int sys_rename(void *ctx, const char *from, const char *to)
{
	(void)ctx;
	return neg(rename(from, to));
}

static int sys_unlink(void *ctx, const char *path)
{
	(void)ctx;
	return neg(unlink(path));
}

static int sys_getfl(void *ctx, int fd)
{
	(void)ctx;
	return neg(fcntl(fd, F_GETFL));
}

static int sys_linkat(void *ctx, int olddirfd, const char *oldpath,
		      int newdirfd, const char *newpath, int flags)
{
	(void)ctx;
	return neg(linkat(olddirfd, oldpath, newdirfd, newpath, flags));
}

static int sys_getpid(void *ctx)
{
	(void)ctx;
	return (int)getpid();
}

static int sys_kill(void *ctx, int pid, int sig)
{
	(void)ctx;
	return neg(kill((pid_t)pid, sig));
}

static int sys_unlinkat(void *ctx, int dirfd, const char *path, int flags)
{
	(void)ctx;
	return neg(unlinkat(dirfd, path, flags));
}

static ssize_t sys_getdents(void *ctx, int fd, void *buf, size_t n)
{
#ifdef __linux__
	ssize_t r = getdents64(fd, buf, n);
	(void)ctx;
	return r < 0 ? -errno : r;
#else
	(void)ctx;
	(void)fd;
	(void)buf;
	(void)n;
	return -ENOSYS;
#endif
}

static int sys_mmap_anon(void *ctx, size_t len, void **out)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)ctx;
	if (p == MAP_FAILED)
		return -errno;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE); /* advice: EINVAL without THP */
#endif
	*out = p;
	return 0;
}
#endif /* !_WIN32 */

void iovw__sys_resolve(iovw_sys *out, const iovw_sys *in)
{
#ifdef _WIN32
	iovw__sys_win(out);
#else
	static const iovw_sys real = {
		.open = sys_open,
		.close = sys_close,
		.pwrite = sys_pwrite,
		.pwritev = sys_pwritev,
		.ftruncate = sys_ftruncate,
		.fallocate = sys_fallocate,
		.fsize = sys_fsize,
		.mmap = sys_mmap,
		.munmap = sys_munmap,
		.fdatasync = sys_fdatasync,
		.fsync = sys_fsync,
		.rename = sys_rename,
		.unlink = sys_unlink,
		.getfl = sys_getfl,
		.linkat = sys_linkat,
		.getpid = sys_getpid,
		.kill = sys_kill,
		.unlinkat = sys_unlinkat,
		.getdents = sys_getdents,
		.mmap_anon = sys_mmap_anon,
	};

	*out = real;
#endif
	iovw__sys_resolve_async(out, in);
	if (!in)
		return;
	out->ctx = in->ctx;
#define TAKE(m)    \
	if (in->m) \
	out->m = in->m
	TAKE(open);
	TAKE(close);
	TAKE(pwrite);
	TAKE(pwritev);
	TAKE(ftruncate);
	TAKE(fallocate);
	TAKE(fsize);
	TAKE(mmap);
	TAKE(munmap);
	TAKE(fdatasync);
	TAKE(fsync);
	TAKE(rename);
	TAKE(unlink);
	TAKE(getfl);
	TAKE(linkat);
	TAKE(getpid);
	TAKE(kill);
	TAKE(unlinkat);
	TAKE(getdents);
	TAKE(mmap_anon);
#undef TAKE
}

static void *std_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n ? n : 1);
}

static void *std_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return realloc(p, n ? n : 1);
}

static void std_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

void iovw__alloc_resolve(iovw_allocator *out, const iovw_allocator *in)
{
	out->ctx = in ? in->ctx : NULL;
	out->malloc = in && in->malloc ? in->malloc : std_malloc;
	out->realloc = in && in->realloc ? in->realloc : std_realloc;
	out->free = in && in->free ? in->free : std_free;
}

size_t iovw_iov_max(void)
{
#ifdef _WIN32
	return 1024; /* no kernel limit: sys_win.c's pwritev is a loop */
#else
	long v = sysconf(_SC_IOV_MAX);
	return v > 0 ? (size_t)v : 1024;
#endif
}

int iovw__options_check(const iovw_options *o, size_t *batch_limit)
{
	size_t max = iovw_iov_max();
	const unsigned known = IOVW_F_FDATASYNC | IOVW_F_FSYNC_DIR |
			       IOVW_F_NO_ATOMIC | IOVW_F_NAMED_TEMP |
			       IOVW_F_HUGEPAGE | IOVW_F_DONTCACHE;

	*batch_limit = max;
	if (!o)
		return 0;
	if (o->batch_limit > max || (o->flags & ~known) ||
	    (o->file_mode & ~07777u))
		return -EINVAL;
	if (o->batch_limit)
		*batch_limit = o->batch_limit;
	return 0;
}

#ifndef _WIN32
uint64_t iovw__now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t iovw__wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t iovw__map_align(void)
{
	long page = sysconf(_SC_PAGESIZE);
	return page > 0 ? (uint64_t)page : 4096;
}
#endif
