/*
 * test_platform_seam.c - the platform's own seam calls, on Linux (make
 * test) and on Windows (make test-windows, under wine), where pwritev is
 * a loop of positioned WriteFile calls with a staging buffer for small
 * pieces, and offsets travel in an OVERLAPPED.
 */
#include "iovw.h"
#include "internal.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *path_of(const char *name)
{
	static char buf[4200];

	snprintf(buf, sizeof(buf), "%s/%s", t_tmpdir(), name);
	return buf;
}

/* The seam's pwritev, the real one: pieces below and above the staging
 * threshold (4 KiB on Windows), more small ones than one staging buffer
 * (16 KiB) holds, at offset 0 and past the end of the file. */
static void seam_pwritev(void)
{
	static const size_t sizes[] = {1,     4095, 4096, 3,	 16384,
				       16385, 100,  9000, 70000, 0};
	static struct iovec iov[600];
	static unsigned char want[2 << 20];
	uint64_t seed = 9, offs[] = {0, 12345};
	size_t i, n = 0, total = 0, len;
	unsigned char *got;
	iovw_sys sys;
	unsigned k;
	int fd;

	iovw__sys_resolve(&sys, NULL);
	for (i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)(t_rand(&seed) >> 56);
	for (i = 0; i < 600; i++) {
		size_t sz = i < 500 ? 1 + i % 97 : sizes[i % 10];
		iov[n].iov_base = want + total;
		iov[n].iov_len = sz;
		total += sz;
		n++;
	}
	REQUIRE(total <= sizeof(want));
	for (k = 0; k < 2; k++) {
		const char *p = path_of("v");
		fd = sys.open(sys.ctx, p, O_RDWR | O_CREAT | O_TRUNC, 0644);
		REQUIRE(fd >= 0);
		CHECK_EQ(
			sys.pwritev(sys.ctx, fd, iov, (int)n, (int64_t)offs[k]),
			(long long)total);
		/* one more piece at the end, by pwrite */
		CHECK_EQ(sys.pwrite(sys.ctx, fd, want + total, 10,
				    (int64_t)(offs[k] + total)),
			 10);
		CHECK_EQ(sys.close(sys.ctx, fd), 0);
		got = t_read_file(p, &len);
		REQUIRE(got);
		CHECK_EQ(len, offs[k] + total + 10);
		for (i = 0; i < offs[k] && i < len; i++)
			if (got[i])
				break;
		CHECK_EQ(i, offs[k]); /* the hole reads as zeros */
		CHECK(len == offs[k] + total + 10 &&
		      !memcmp(got + offs[k], want, total + 10));
		free(got);
	}
}

/* A write past 4 GiB lands there (the offset's high word reaches the
 * call: OVERLAPPED.OffsetHigh on Windows). The file is sparse where the
 * file system can. */
static void offset_past_4g(void)
{
	const int64_t off = ((int64_t)1 << 32) + 5;
	unsigned char buf[10];
	int64_t size = 0;
	iovw_sys sys;
	FILE *f;
	int fd, ok;

	iovw__sys_resolve(&sys, NULL);
	fd = sys.open(sys.ctx, path_of("b"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	CHECK_EQ(sys.pwrite(sys.ctx, fd, "0123456789", 10, off), 10);
	CHECK_EQ(sys.fsize(sys.ctx, fd, &size), 0);
	CHECK_EQ(size, off + 10);
	CHECK_EQ(sys.ftruncate(sys.ctx, fd, off + 4), 0);
	CHECK_EQ(sys.fsize(sys.ctx, fd, &size), 0);
	CHECK_EQ(size, off + 4);
	CHECK_EQ(sys.close(sys.ctx, fd), 0);
	f = fopen(path_of("b"), "rb");
	REQUIRE(f);
#ifdef _WIN32
	ok = _fseeki64(f, off, SEEK_SET) == 0;
#else
	ok = fseeko(f, (off_t)off, SEEK_SET) == 0;
#endif
	CHECK(ok && fread(buf, 1, 10, f) == 4 && !memcmp(buf, "0123", 4));
	fclose(f);
}

static const struct t_case cases[] = {
	{"seam_pwritev", seam_pwritev},
	{"offset_past_4g", offset_past_4g},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "platform_seam", cases);
}
