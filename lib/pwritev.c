/*
 * pwritev.c - the write loop: batches of iovecs, partial writes, EINTR.
 *
 * The kernel takes at most IOV_MAX iovecs and at most MAX_RW_COUNT
 * (INT_MAX rounded down to a page, just under 2 GiB) bytes per call, and a
 * regular file may take fewer on a full disk or a signal. So the loop
 * writes up to `batch` entries a call and resumes after a short write by
 * adjusting the first unfinished entry in place: no copy of the rest of
 * the array. That one entry is saved and put back, so the caller's plan is
 * unchanged afterwards and can be written again.
 */
#include "internal.h"

#include <errno.h>

int iovw__writev_all(const iovw_sys *s, iovw_stats *st, int fd,
		     struct iovec *iov, size_t n, uint64_t off, size_t batch)
{
	struct iovec saved = {0};
	size_t saved_at = SIZE_MAX;
	size_t i = 0;
	int rc = 0;

	if (batch == 0)
		return -EINVAL;
	while (i < n) {
		size_t cnt = n - i < batch ? n - i : batch;
		size_t end = i + cnt;
		size_t left;
		ssize_t r;

		if (cnt == 1) {
			st->syscalls[IOVW_SYS_PWRITE]++;
			r = s->pwrite(s->ctx, fd, iov[i].iov_base,
				      iov[i].iov_len, (int64_t)off);
		} else {
			st->syscalls[IOVW_SYS_PWRITEV]++;
			r = s->pwritev(s->ctx, fd, &iov[i], (int)cnt,
				       (int64_t)off);
		}
		if (r == -EINTR)
			continue;
		if (r < 0) {
			rc = (int)r;
			break;
		}
		if (r == 0) {
			rc = -EIO; /* no progress: never loop on it */
			break;
		}
		st->batches++;
		st->bytes_written += (uint64_t)r;
		off += (uint64_t)r;
		left = (size_t)r;
		while (i < end && left >= iov[i].iov_len) {
			left -= iov[i].iov_len;
			if (saved_at == i) {
				iov[i] = saved;
				saved_at = SIZE_MAX;
			}
			i++;
		}
		if (left) {
			if (i == end) {
				rc = -EIO; /* more than asked: a broken seam */
				break;
			}
			if (saved_at != i) {
				saved = iov[i];
				saved_at = i;
			}
			iov[i].iov_base = (char *)iov[i].iov_base + left;
			iov[i].iov_len -= left;
		}
	}
	if (saved_at != SIZE_MAX)
		iov[saved_at] = saved;
	return rc;
}
