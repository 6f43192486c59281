/*
 * sys_uring.c - the syscall seam's real calls for pwritev2 and io_uring.
 *
 * With liburing (IOVW_HAVE_URING, set by the Makefile where pkg-config
 * finds it) a ring is a malloc'ed struct io_uring set up by
 * io_uring_queue_init (no flags: no SQPOLL), a request one
 * IORING_OP_WRITEV submitted at once, a completion io_uring_wait_cqe.
 * Without it every ring call returns -ENOSYS, which the strategy reports.
 * Each returns a negative errno instead of setting errno.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#endif

#ifdef IOVW_HAVE_URING
#include <liburing.h>
#endif

#ifdef __linux__
static ssize_t sys_pwritev2(void *ctx, int fd, const struct iovec *iov, int cnt,
			    int64_t off, int flags)
{
	ssize_t r = pwritev2(fd, iov, cnt, (off_t)off, flags);
	(void)ctx;
	return r < 0 ? -errno : r;
}
#else
/* No pwritev2 (Windows, other systems): IOVW_F_DONTCACHE's probe takes
 * -EOPNOTSUPP as "not here" and falls back to plain writes. */
static ssize_t sys_pwritev2(void *ctx, int fd, const struct iovec *iov, int cnt,
			    int64_t off, int flags)
{
	(void)ctx;
	(void)fd;
	(void)iov;
	(void)cnt;
	(void)off;
	(void)flags;
	return -EOPNOTSUPP;
}
#endif

#ifdef IOVW_HAVE_URING
static int sys_uring_setup(void *ctx, unsigned entries, void **ring)
{
	struct io_uring *r = malloc(sizeof(*r));
	int rc;

	(void)ctx;
	if (!r)
		return -ENOMEM;
	rc = io_uring_queue_init(entries, r, 0);
	if (rc < 0) {
		free(r);
		return rc;
	}
	*ring = r;
	return 0;
}

static int sys_uring_writev(void *ctx, void *ring, int fd,
			    const struct iovec *iov, int cnt, int64_t off,
			    uint64_t tag)
{
	struct io_uring *r = ring;
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);
	int rc;

	(void)ctx;
	if (!sqe)
		return -EBUSY; /* more requests than the ring has entries */
	io_uring_prep_writev(sqe, fd, iov, (unsigned)cnt, (__u64)off);
	io_uring_sqe_set_data64(sqe, tag);
	do
		rc = io_uring_submit(r);
	while (rc == -EINTR);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -EIO;
}

static int sys_uring_wait(void *ctx, void *ring, uint64_t *tag, int *res)
{
	struct io_uring *r = ring;
	struct io_uring_cqe *cqe;
	int rc;

	(void)ctx;
	rc = io_uring_wait_cqe(r, &cqe);
	if (rc < 0)
		return rc;
	*tag = io_uring_cqe_get_data64(cqe);
	*res = cqe->res;
	io_uring_cqe_seen(r, cqe);
	return 0;
}

static void sys_uring_exit(void *ctx, void *ring)
{
	(void)ctx;
	io_uring_queue_exit(ring);
	free(ring);
}
#else
static int sys_uring_setup(void *ctx, unsigned entries, void **ring)
{
	(void)ctx;
	(void)entries;
	(void)ring;
	return -ENOSYS;
}

static int sys_uring_writev(void *ctx, void *ring, int fd,
			    const struct iovec *iov, int cnt, int64_t off,
			    uint64_t tag)
{
	(void)ctx;
	(void)ring;
	(void)fd;
	(void)iov;
	(void)cnt;
	(void)off;
	(void)tag;
	return -ENOSYS;
}

static int sys_uring_wait(void *ctx, void *ring, uint64_t *tag, int *res)
{
	(void)ctx;
	(void)ring;
	(void)tag;
	(void)res;
	return -ENOSYS;
}

static void sys_uring_exit(void *ctx, void *ring)
{
	(void)ctx;
	(void)ring;
}
#endif

static int sys_uring_result(void *ctx, uint64_t req, int res)
{
	(void)ctx;
	(void)req;
	return res;
}

#ifdef __linux__
/* Is thread `name` (a /proc/self/task entry) an io-wq worker? Its comm is
 * "iou-wrk-<pid>". */
static int is_worker(int dfd, const char *name)
{
	char path[64], comm[32];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/comm", name) >= (int)sizeof(path))
		return 0;
	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* the thread has gone */
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	comm[n] = '\0';
	return !strncmp(comm, "iou-wrk-", 8);
}

static int sys_uring_workers(void *ctx)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	(void)ctx;
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && is_worker(dirfd(d), e->d_name))
			n++;
	closedir(d);
	return n;
}
#else
static int sys_uring_workers(void *ctx)
{
	(void)ctx;
	return 0; /* no io_uring, no workers */
}
#endif

void iovw__sys_resolve_async(iovw_sys *out, const iovw_sys *in)
{
	out->pwritev2 = in && in->pwritev2 ? in->pwritev2 : sys_pwritev2;
	out->uring_setup =
		in && in->uring_setup ? in->uring_setup : sys_uring_setup;
	out->uring_writev =
		in && in->uring_writev ? in->uring_writev : sys_uring_writev;
	out->uring_wait =
		in && in->uring_wait ? in->uring_wait : sys_uring_wait;
	out->uring_exit =
		in && in->uring_exit ? in->uring_exit : sys_uring_exit;
	out->uring_result =
		in && in->uring_result ? in->uring_result : sys_uring_result;
	out->uring_workers =
		in && in->uring_workers ? in->uring_workers : sys_uring_workers;
}
