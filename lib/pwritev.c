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

/* One write call of cnt entries: pwritev2 with RWF_DONTCACHE while *dc
 * says so (its probe falling back to the plain call), else pwrite for one
 * entry, pwritev for more. */
static ssize_t write_call(const iovw_sys *s, iovw_stats *st, int fd,
			  const struct iovec *iov, size_t cnt, uint64_t off,
			  int *dc)
{
	ssize_t r;

	if (*dc == IOVW__DC_PROBE || *dc == IOVW__DC_ON) {
		st->syscalls[IOVW_SYS_PWRITEV2]++;
		r = s->pwritev2(s->ctx, fd, iov, (int)cnt, (int64_t)off,
				RWF_DONTCACHE);
		if (*dc == IOVW__DC_PROBE &&
		    (r == -EOPNOTSUPP || r == -EINVAL)) {
			*dc = IOVW__DC_FELL;
			st->dontcache_fallbacks++;
		} else {
			if (r >= 0) {
				*dc = IOVW__DC_ON;
				st->dontcache_writes++;
			}
			return r;
		}
	}
	if (cnt == 1) {
		st->syscalls[IOVW_SYS_PWRITE]++;
		return s->pwrite(s->ctx, fd, iov->iov_base, iov->iov_len,
				 (int64_t)off);
	}
	st->syscalls[IOVW_SYS_PWRITEV]++;
	return s->pwritev(s->ctx, fd, iov, (int)cnt, (int64_t)off);
}

int iovw__writev_all(const iovw_sys *s, iovw_stats *st, int fd,
		     struct iovec *iov, size_t n, uint64_t off, size_t batch)
{
	int dc = IOVW__DC_OFF;

	return iovw__writev_all_dc(s, st, fd, iov, n, off, batch, &dc);
}

int iovw__writev_all_dc(const iovw_sys *s, iovw_stats *st, int fd,
			struct iovec *iov, size_t n, uint64_t off, size_t batch,
			int *dc)
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

		r = write_call(s, st, fd, &iov[i], cnt, off, dc);
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
