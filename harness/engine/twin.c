/*
 * twin.c - fio's engines, done by us (see twin.h).
 */
#include "engine/twin.h"

#include "stats/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

enum engine { PSYNC, PVSYNC, VSYNC, MMAP, UNKNOWN };

static enum engine engine_of(const char *name)
{
	static const char *const names[] = {"psync", "pvsync", "vsync", "mmap"};
	int i;

	for (i = 0; i < UNKNOWN; i++)
		if (!strcmp(name, names[i]))
			return (enum engine)i;
	return UNKNOWN;
}

int twin_known(const char *engine)
{
	return engine_of(engine) != UNKNOWN;
}

/* One block by a system call at `off`; 0 or a negative errno. A short
 * write is finished by the next call, as fio resubmits the rest. */
static int write_block(enum engine e, int fd, const unsigned char *p, size_t n,
		       uint64_t off, iovw_stats *st)
{
	while (n) {
		struct iovec iov = {(void *)p, n};
		uint64_t t0 = clock_now_ns();
		ssize_t k;

		if (e == PSYNC) {
			k = pwrite(fd, p, n, (off_t)off);
			st->syscalls[IOVW_SYS_PWRITE]++;
		} else if (e == PVSYNC) {
			k = pwritev(fd, &iov, 1, (off_t)off);
			st->syscalls[IOVW_SYS_PWRITEV]++;
		} else {
			k = writev(fd, &iov, 1); /* at the file offset */
		}
		st->write_ns += clock_now_ns() - t0;
		st->batches++;
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		st->bytes_written += (uint64_t)k;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static int write_mapped(int fd, const unsigned char *block, uint64_t bytes,
			iovw_stats *st)
{
	unsigned char *map;
	uint64_t off;

	st->syscalls[IOVW_SYS_FTRUNCATE]++;
	if (ftruncate(fd, (off_t)bytes) < 0)
		return -errno;
	st->syscalls[IOVW_SYS_MMAP]++;
	map = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	if (map == MAP_FAILED)
		return -errno;
	for (off = 0; off < bytes; off += TWIN_BLOCK) {
		uint64_t t0 = clock_now_ns();
		memcpy(map + off, block, TWIN_BLOCK);
		st->write_ns += clock_now_ns() - t0;
		st->batches++;
	}
	st->bytes_written += bytes;
	st->syscalls[IOVW_SYS_MUNMAP]++;
	return munmap(map, (size_t)bytes) < 0 ? -errno : 0;
}

int twin_write(const char *engine, const char *path, const void *block,
	       uint64_t bytes, int sync, iovw_stats *st)
{
	enum engine e = engine_of(engine);
	uint64_t off;
	int fd, rc = 0;

	if (e == UNKNOWN || bytes % TWIN_BLOCK || !bytes)
		return -EINVAL;
	st->syscalls[IOVW_SYS_OPEN]++;
	/* a shared mapping needs read access too */
	fd = open(path,
		  (e == MMAP ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC |
			  O_CLOEXEC,
		  0666);
	if (fd < 0)
		return -errno;
	if (e == MMAP)
		rc = write_mapped(fd, block, bytes, st);
	for (off = 0; e != MMAP && off < bytes && !rc; off += TWIN_BLOCK)
		rc = write_block(e, fd, block, TWIN_BLOCK, off, st);
	if (!rc && sync) { /* fio's end_fsync is an fsync() */
		st->syscalls[IOVW_SYS_FSYNC]++;
		if (fsync(fd) < 0)
			rc = -errno;
	}
	st->syscalls[IOVW_SYS_CLOSE]++;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}
