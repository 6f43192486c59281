/*
 * uring.c - IOVW_URING's writer: each window handed over is one
 * IORING_OP_WRITEV request at its file offset, on a ring of its own write.
 *
 * Everything goes through the seam (uring_setup, uring_writev,
 * uring_wait, uring_result, uring_workers, uring_exit), whose defaults
 * (sys_uring.c) use liburing. A request writes the job's entries from
 * `cur` on (the first of them advanced by cur_done bytes: the iovec is
 * copied for the request, the window is not changed); a completion short
 * of the rest resubmits the rest, -EINTR or -EAGAIN the same again, 0
 * bytes is -EIO, more than asked is -EIO (a broken seam), an error ends
 * the job with it. Completions may come in any order; the tag is the
 * job's index.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define RING_ENTRIES 4

static int uring_start(struct iovw_async *a)
{
	const iovw_sys *s = &a->w->sys;
	int rc;

	a->io.syscalls[IOVW_SYS_URING_SETUP]++;
	rc = s->uring_setup(s->ctx, RING_ENTRIES, &a->ring);
	if (rc == -ENOSYS || rc == -EPERM || rc == -EOPNOTSUPP)
		return -ENOSYS; /* no io_uring here: the caller may fall back */
	return rc;
}

/* Submit the rest of j: entries cur.. (at most the batch limit), the
 * first one advanced by cur_done. */
static int issue(struct iovw_async *a, struct iovw_job *j)
{
	const iovw_sys *s = &a->w->sys;
	struct iovec *iov = &j->win.iov[j->cur], first;
	size_t cnt = j->win.n - j->cur;
	uint64_t at = j->off;
	size_t i;
	int rc;

	if (a->broken)
		return -EIO; /* see struct iovw_async */
	if (cnt > a->w->batch_limit)
		cnt = a->w->batch_limit;
	for (i = 0; i < j->cur; i++)
		at += j->win.iov[i].iov_len;
	at += j->cur_done;
	first = iov[0];
	iov[0].iov_base = (char *)iov[0].iov_base + j->cur_done;
	iov[0].iov_len -= j->cur_done;
	j->req = a->reqs++;
	a->io.uring_requests++;
	a->io.syscalls[IOVW_SYS_URING_SUBMIT]++;
	rc = s->uring_writev(s->ctx, a->ring, a->fd, iov, (int)cnt, (int64_t)at,
			     (uint64_t)(j - a->job));
	iov[0] = first; /* the kernel copied the array at submission */
	if (rc)
		a->broken = 1;
	return rc;
}

static int uring_submit(struct iovw_async *a, struct iovw_job *j)
{
	return j->win.n ? issue(a, j) : 0;
}

/* Account `res` bytes written of j; 1 if j is complete, 0 if its rest is
 * to be submitted, -EIO if res is more than was asked. */
static int advance(struct iovw_async *a, struct iovw_job *j, size_t res)
{
	size_t lim = j->cur + a->w->batch_limit;

	a->io.batches++;
	a->io.bytes_written += res;
	while (j->cur < j->win.n && j->cur < lim &&
	       res >= j->win.iov[j->cur].iov_len - j->cur_done) {
		res -= j->win.iov[j->cur].iov_len - j->cur_done;
		j->cur++;
		j->cur_done = 0;
	}
	if (res) {
		if (j->cur == j->win.n || j->cur == lim)
			return -EIO;
		j->cur_done += res;
	}
	return j->cur == j->win.n;
}

/* One completion: 1 with *out set when it finished a job, 0 when it was
 * resubmitted, or a negative errno when no completion could be had. */
static int complete_one(struct iovw_async *a, struct iovw_job **out)
{
	const iovw_sys *s = &a->w->sys;
	struct iovw_job *j;
	uint64_t tag;
	int res, rc = 0, more = 0;

	a->io.syscalls[IOVW_SYS_URING_WAIT]++;
	rc = s->uring_wait(s->ctx, a->ring, &tag, &res);
	if (rc == -EINTR)
		return 0;
	if (rc)
		return rc;
	if (tag >= IOVW_ASYNC_WINDOWS || !a->job[tag].busy)
		return -EIO; /* not one of ours: a broken seam */
	j = &a->job[tag];
	res = s->uring_result(s->ctx, j->req, res);
	if (res == -EINTR || res == -EAGAIN) {
		more = 1;
	} else if (res < 0) {
		rc = res;
	} else if (res == 0) {
		rc = -EIO; /* no progress: never loop on it */
	} else if ((rc = advance(a, j, (size_t)res)) >= 0) {
		more = !rc;
		rc = 0;
	}
	if (more) {
		a->io.uring_resubmits++;
		rc = issue(a, j);
		if (!rc)
			return 0;
	}
	j->rc = rc;
	*out = j;
	return 1;
}

static int uring_reap(struct iovw_async *a, struct iovw_job **out)
{
	unsigned i;
	int rc;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++) {
		/* an empty window was never submitted */
		if (a->job[i].busy && !a->job[i].win.n) {
			*out = &a->job[i];
			return 0;
		}
	}
	do
		rc = complete_one(a, out);
	while (rc == 0);
	return rc < 0 ? rc : 0;
}

/* After a reap failed for good (a->fatal), requests may still be in
 * flight, reading their windows: wait for their completions, resubmitting
 * nothing, a few failed waits at most. A job still busy after that keeps
 * its memory from reuse (iovw__async_write_fd). */
static void wait_left(struct iovw_async *a)
{
	const iovw_sys *s = &a->w->sys;
	unsigned i, failed = 0;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++) {
		struct iovw_job *j = &a->job[i];
		if (j->busy && !j->win.n) { /* never submitted */
			j->busy = 0;
			a->busy--;
		}
	}
	while (a->busy && failed < 8) {
		uint64_t tag;
		int res, rc;

		a->io.syscalls[IOVW_SYS_URING_WAIT]++;
		rc = s->uring_wait(s->ctx, a->ring, &tag, &res);
		if (rc == -EINTR)
			continue;
		if (rc) {
			failed++;
			continue;
		}
		if (tag < IOVW_ASYNC_WINDOWS && a->job[tag].busy) {
			a->job[tag].busy = 0;
			a->busy--;
		}
	}
}

static void uring_stop(struct iovw_async *a)
{
	const iovw_sys *s = &a->w->sys;
	int n;

	if (!a->ring)
		return;
	if (a->fatal)
		wait_left(a);
	a->io.syscalls[IOVW_SYS_TASKS]++;
	n = s->uring_workers(s->ctx);
	if (n > 0)
		a->io.uring_workers += (uint64_t)n;
	s->uring_exit(s->ctx, a->ring);
	a->ring = NULL;
}

const struct iovw_async_ops iovw__uring_ops = {
	.start = uring_start,
	.submit = uring_submit,
	.reap = uring_reap,
	.stop = uring_stop,
};
