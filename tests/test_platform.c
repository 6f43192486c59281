/*
 * test_platform.c - what must hold on every platform the library builds
 * on, in one program that builds on Linux (make test) and with mingw-w64
 * for Windows (make test-windows, run under wine): only C, the library and
 * the workloads' serializers, no POSIX call of its own (its descriptors
 * come from the library's own seam).
 *
 * The bytes: every strategy writes the golden files (tests/golden, made on
 * Linux) and, for larger workloads, files whose XXH3-128 digests are the
 * ones committed below, through iovw_write_file, iovw_write_fd at offsets
 * (a mapping's offset is rounded to 64 KiB on Windows, to a page on Linux)
 * and a context. Atomic replacement: the target is replaced, nothing else
 * is left, a failure leaves the old target alone. An O_APPEND descriptor.
 * (test_platform_seam.c tests the seam's own calls, test_platform_faults.c
 * injects failures.)
 */
#include "iovw.h"
#include "internal.h"
#include "platform_here.h"
#include "t.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#ifndef O_BINARY
#define O_BINARY 0
#endif

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/golden"
#endif

static const struct {
	const char *workload;
	double scale;
	const char *file;
} golden[] = {
	{"module-small", 0.002, "module.iovm"},
	{"tree", 0.00005, "tree.iovm"},
	{"blob", 0.0001, "blob.iovm"},
};
#define NGOLDEN (sizeof(golden) / sizeof(golden[0]))

/* Larger files, seed 1: the digests Linux's build writes (and so must
 * every build). A change of a generator or of the format changes them:
 * the failure prints the new digest. */
static const struct {
	const char *workload;
	double scale;
	uint64_t hi, lo; /* XXH3-128 of the file */
} digests[] = {
	{"module-large", 0.04, 0xfc561497c9afad93u, 0x64bc563f74d3b5d2u},
	{"tree", 0.01, 0xa7fd736174703b3au, 0x09975ef863ae9b70u},
	{"blob", 0.02, 0x5ec147a7ff872edau, 0xf533ad26cc4cead3u},
};
#define NDIGESTS (sizeof(digests) / sizeof(digests[0]))

/* Options each file is written with: the defaults; small windows and
 * batches (stream then writes many windows, pwritev many batches); the
 * buffer strategy's buffer from the seam's mmap_anon (IOVW_F_HUGEPAGE:
 * on Windows a view of a pagefile-backed section). */
static const iovw_options opts[] = {
	{0},
	{.stage_bytes = 64, .batch_limit = 3, .coalesce_below = 8},
	{.flags = IOVW_F_HUGEPAGE},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static char *path_of(const char *name)
{
	static char buf[2][4200];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", t_tmpdir(), name);
	return buf[k];
}

static int put_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -EIO;
}

/* The file's bytes equal want[0, n). */
static int same_file(const char *path, const unsigned char *want, size_t n)
{
	size_t len;
	unsigned char *got = t_read_file(path, &len);
	int same = got && len == n && !memcmp(got, want, n);

	free(got);
	return same;
}

static unsigned char *golden_bytes(size_t i, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/v%u/%s", GOLDEN_DIR, IOVM_VERSION,
		 golden[i].file);
	return t_read_file(path, len);
}

/* Every strategy, with each set of options, writes each golden file. */
static void golden_files(void)
{
	size_t i, k, len;
	int s;

	for (i = 0; i < NGOLDEN; i++) {
		unsigned char *g = golden_bytes(i, &len);
		struct workload *w;

		REQUIRE(g);
		REQUIRE(wl_make(golden[i].workload, 1, golden[i].scale, &w) ==
			0);
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			if (!strategy_here((int)s))
				continue;
			for (k = 0; k < NOPTS; k++) {
				const char *p = path_of("g");
				int rc = iovw_write_file(
					p, (iovw_strategy)s,
					w->files[0].ops->serialize,
					w->files[0].obj, &opts[k], NULL);

				if (rc || !same_file(p, g, len))
					t_fail_at(__FILE__, __LINE__,
						  "%s by %s (options %zu): "
						  "rc %d, bytes differ",
						  golden[i].file,
						  iovw_strategy_name(s), k, rc);
			}
		}
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
		wl_free(w);
		free(g);
	}
}

/* iovw_write_fd at offsets around a page and the 64 KiB granularity: the
 * bytes before the offset are kept, the stream lands at it. */
static void write_fd_offsets(void)
{
	static const uint64_t offs[] = {0,     1,     4095,	    4097,
					65535, 65537, 3 * 65536 + 5};
	static unsigned char pre[3 * 65536 + 5];
	unsigned char *g, *got;
	iovw_sys sys;
	size_t len, glen, i;
	struct workload *w;
	int s, fd;

	iovw__sys_resolve(&sys, NULL);
	memset(pre, 'p', sizeof(pre));
	g = golden_bytes(0, &glen);
	REQUIRE(g);
	REQUIRE(wl_make(golden[0].workload, 1, golden[0].scale, &w) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			const char *p = path_of("o");
			REQUIRE(put_file(p, pre, (size_t)offs[i]) == 0);
			fd = sys.open(sys.ctx, p, O_RDWR, 0);
			REQUIRE(fd >= 0);
			CHECK_EQ(iovw_write_fd(fd, offs[i], (iovw_strategy)s,
					       w->files[0].ops->serialize,
					       w->files[0].obj, NULL, NULL),
				 0);
			CHECK_EQ(sys.close(sys.ctx, fd), 0);
			got = t_read_file(p, &len);
			REQUIRE(got);
			if (len != offs[i] + glen ||
			    memcmp(got, pre, (size_t)offs[i]) ||
			    memcmp(got + offs[i], g, glen))
				t_fail_at(__FILE__, __LINE__,
					  "%s at offset %llu: %zu bytes",
					  iovw_strategy_name(s),
					  (unsigned long long)offs[i], len);
			free(got);
		}
	}
	wl_free(w);
	free(g);
}

/* The committed digests, by every strategy. */
static void workload_digests(void)
{
	size_t i, k, len;
	int s;

	for (i = 0; i < NDIGESTS; i++) {
		struct workload *w;

		REQUIRE(wl_make(digests[i].workload, 1, digests[i].scale, &w) ==
			0);
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			if (!strategy_here((int)s))
				continue;
			for (k = 0; k < NOPTS; k++) {
				const char *p = path_of("d");
				unsigned char *got;
				XXH128_hash_t h;

				CHECK_EQ(iovw_write_file(
						 p, (iovw_strategy)s,
						 w->files[0].ops->serialize,
						 w->files[0].obj, &opts[k],
						 NULL),
					 0);
				got = t_read_file(p, &len);
				REQUIRE(got);
				h = XXH3_128bits(got, len);
				free(got);
				if (h.high64 != digests[i].hi ||
				    h.low64 != digests[i].lo)
					t_fail_at(__FILE__, __LINE__,
						  "%s %g by %s: %zu bytes, "
						  "digest 0x%016llx, 0x%016llx",
						  digests[i].workload,
						  digests[i].scale,
						  iovw_strategy_name(s), len,
						  (unsigned long long)h.high64,
						  (unsigned long long)h.low64);
			}
		}
		wl_free(w);
	}
}

/* ---- a stream of every kind of piece ------------------------------------ */

#define MIX_BYTES ((size_t)300 << 10)
static unsigned char mix_src[MIX_BYTES];

struct mix {
	size_t n; /* bytes of mix_src to write */
	int fail; /* the serializer fails half-way with this */
};

/* An 8-byte header reserved first and patched last, then mix_src in
 * pieces of 1 byte to 20 KiB, every third one copied, some aligned. */
static int mix_fn(iovw_writer *w, void *ctx)
{
	static const size_t sizes[] = {1,    7,	   100, 5000,  3, 20000,
				       4095, 4096, 64,	17000, 2, 511};
	const struct mix *m = ctx;
	uint64_t hdr, size;
	size_t at = 0, k = 0;
	int rc = iovw_reserve(w, 8, 8, &hdr);

	while (!rc && at < m->n) {
		size_t n = sizes[k % 12];
		size_t align = k % 5 == 0 ? 16 : 1;

		if (n > m->n - at)
			n = m->n - at;
		if (m->fail && at > m->n / 2)
			return m->fail;
		rc = k % 3 ? iovw_append(w, mix_src + at, n, align, NULL)
			   : iovw_append_copy(w, mix_src + at, n, align, NULL);
		at += n;
		k++;
	}
	size = iovw_size(w);
	return rc ? rc : iovw_patch(w, hdr, &size, 8);
}

static void mix_fill(void)
{
	uint64_t s = 42;
	size_t i;

	for (i = 0; i < MIX_BYTES; i++)
		mix_src[i] = (unsigned char)(t_rand(&s) >> 56);
}

/* mix_fn's bytes, from a plan (no I/O). */
static unsigned char *mix_bytes(const struct mix *m, size_t *len)
{
	return planned_bytes(mix_fn, (void *)m, len);
}

/* The target is replaced by each strategy, again and again; the directory
 * holds nothing else. On Windows, a path with backslashes too. */
static void atomic_replace(void)
{
	struct mix m = {MIX_BYTES, 0};
	unsigned char *want;
	size_t len, k;
	int s;

	mix_fill();
	want = mix_bytes(&m, &len);
	REQUIRE(want);
	for (k = 0; k < 2; k++) {
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			if (!strategy_here((int)s))
				continue;
			char *p = path_of("t");
#ifdef _WIN32
			if (k ==
			    1) /* C:\...\t: the directory part ends at a \ */
				p[strlen(t_tmpdir())] = '\\';
#endif
			REQUIRE(put_file(p, "old", 3) == 0);
			CHECK_EQ(iovw_write_file(p, (iovw_strategy)s, mix_fn,
						 &m, &opts[k], NULL),
				 0);
			CHECK(same_file(p, want, len));
			CHECK_EQ(t_count_dir(t_tmpdir()), 1);
			/* and over the new file at once */
			CHECK_EQ(iovw_write_file(p, (iovw_strategy)s, mix_fn,
						 &m, NULL, NULL),
				 0);
			CHECK(same_file(p, want, len));
			CHECK_EQ(t_count_dir(t_tmpdir()), 1);
		}
	}
	free(want);
}

/* A serializer that fails half-way: the old target is intact and the
 * temporary file removed, by every strategy (stream has written part of
 * its temporary file by then). */
static void atomic_failure(void)
{
	struct mix m = {MIX_BYTES, -EPROTO};
	iovw_options small = {.stage_bytes = 4096};
	int s;

	mix_fill();
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		const char *p = path_of("t");

		REQUIRE(put_file(p, "old", 3) == 0);
		CHECK_EQ(iovw_write_file(p, (iovw_strategy)s, mix_fn, &m,
					 &small, NULL),
			 -EPROTO);
		CHECK(same_file(p, (const unsigned char *)"old", 3));
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
	}
	/* a target in a directory that does not exist: an error, nothing
	 * made */
	m.fail = 0;
	CHECK_EQ(iovw_write_file(path_of("none/t"), IOVW_PWRITEV, mix_fn, &m,
				 NULL, NULL),
		 -ENOENT);
	CHECK_EQ(t_count_dir(t_tmpdir()), 1);
}

/* IOVW_F_NO_ATOMIC writes the target in place, truncating a longer one;
 * with IOVW_F_FDATASYNC | IOVW_F_FSYNC_DIR the atomic write works too. */
static void in_place_and_sync(void)
{
	static unsigned char longer[MIX_BYTES + 100000];
	struct mix m = {MIX_BYTES, 0};
	iovw_options inplace = {.flags = IOVW_F_NO_ATOMIC};
	iovw_options sync = {.flags = IOVW_F_FDATASYNC | IOVW_F_FSYNC_DIR};
	unsigned char *want;
	size_t len;
	int s;

	mix_fill();
	want = mix_bytes(&m, &len);
	REQUIRE(want);
	memset(longer, 'x', sizeof(longer));
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		const char *p = path_of("t");

		REQUIRE(put_file(p, longer, sizeof(longer)) == 0);
		CHECK_EQ(iovw_write_file(p, (iovw_strategy)s, mix_fn, &m,
					 &inplace, NULL),
			 0);
		CHECK(same_file(p, want, len));
		CHECK_EQ(iovw_write_file(p, (iovw_strategy)s, mix_fn, &m, &sync,
					 NULL),
			 0);
		CHECK(same_file(p, want, len));
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
	}
	free(want);
}

/* One context writes the golden workloads with every strategy in turn,
 * a failing write in between: each file is the golden one. */
static void ctx_bytes(void)
{
	struct mix bad = {MIX_BYTES, -EPROTO};
	iovw_ctx *c;
	size_t i, len;
	int s;

	mix_fill();
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		for (i = 0; i < NGOLDEN; i++) {
			unsigned char *g = golden_bytes(i, &len);
			struct workload *w;
			const char *p = path_of("c");

			REQUIRE(g);
			REQUIRE(wl_make(golden[i].workload, 1, golden[i].scale,
					&w) == 0);
			CHECK_EQ(iovw_ctx_write_file(c, p, (iovw_strategy)s,
						     w->files[0].ops->serialize,
						     w->files[0].obj,
						     &opts[i % NOPTS], NULL),
				 0);
			CHECK(same_file(p, g, len));
			CHECK_EQ(iovw_ctx_write_file(c, p, (iovw_strategy)s,
						     mix_fn, &bad, NULL, NULL),
				 -EPROTO);
			CHECK(same_file(p, g, len));
			wl_free(w);
			free(g);
		}
	}
	CHECK(iovw_ctx_retained(c) > 0);
	iovw_ctx_trim(c);
	CHECK_EQ(iovw_ctx_retained(c), 0);
	CHECK_EQ(t_count_dir(t_tmpdir()), 1);
	iovw_ctx_free(c);
}

/* iovw_clean_stale: -ENOTSUP on Windows (not written there), a count
 * elsewhere (nothing to remove in an empty directory). */
static void clean_stale(void)
{
	int rc = iovw_clean_stale(t_tmpdir(), NULL, NULL);
#ifdef _WIN32
	CHECK_EQ(rc, -ENOTSUP);
	CHECK(strcmp(iovw_strerror(rc), "Not supported") == 0);
#else
	CHECK_EQ(rc, 0);
#endif
}

/* A descriptor opened O_APPEND: Linux would append pwrite's bytes while a
 * mapping writes at the offset, so the library refuses it (-EINVAL,
 * nothing written). On Windows the C runtime appends only in its own
 * _write: a positioned WriteFile writes at the offset, as the mapping
 * does, so every strategy writes the stream there (at offset 1, inside
 * the file: appending would put it after "pre"). */
static void append_fd(void)
{
	struct mix m = {20000, 0};
	unsigned char *want, *got;
	size_t wlen, len;
	int s, fd;

	mix_fill();
	want = mix_bytes(&m, &wlen);
	REQUIRE(want);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		if (!strategy_here((int)s))
			continue;
		const char *p = path_of("a");

		REQUIRE(put_file(p, "pre", 3) == 0);
		fd = open(p, O_RDWR | O_APPEND | O_BINARY);
		REQUIRE(fd >= 0);
#ifdef _WIN32
		CHECK_EQ(iovw_write_fd(fd, 1, (iovw_strategy)s, mix_fn, &m,
				       NULL, NULL),
			 0);
#else
		CHECK_EQ(iovw_write_fd(fd, 1, (iovw_strategy)s, mix_fn, &m,
				       NULL, NULL),
			 -EINVAL);
#endif
		close(fd);
		got = t_read_file(p, &len);
		REQUIRE(got);
#ifdef _WIN32
		CHECK(len == 1 + wlen && got[0] == 'p' &&
		      !memcmp(got + 1, want, wlen));
#else
		CHECK(len == 3 && !memcmp(got, "pre", 3));
#endif
		free(got);
	}
	free(want);
}

/* Where no ring is to be had (always on Windows), io_uring says -ENOSYS
 * and leaves nothing: no target, no temporary file, an old target as it
 * was; where it is, the other cases write with it (SKIP here). */
static void uring_unavailable(void)
{
	struct mix m = {MIX_BYTES, 0};
	unsigned char *got;
	const char *p;
	size_t len;

#ifdef _WIN32
	CHECK(!strategy_here(IOVW_URING));
#endif
	if (strategy_here(IOVW_URING))
		t_skip("io_uring is available here: the other cases use it");
	mix_fill();
	p = path_of("u");
	CHECK_EQ(iovw_write_file(p, IOVW_URING, mix_fn, &m, NULL, NULL),
		 -ENOSYS);
	CHECK_EQ(t_count_dir(t_tmpdir()), 0);
	REQUIRE(put_file(p, "old", 3) == 0);
	CHECK_EQ(iovw_write_file(p, IOVW_URING, mix_fn, &m, NULL, NULL),
		 -ENOSYS);
	got = t_read_file(p, &len);
	CHECK(got && len == 3 && !memcmp(got, "old", 3));
	free(got);
	CHECK_EQ(t_count_dir(t_tmpdir()), 1);
}

static const struct t_case cases[] = {
	{"uring_unavailable", uring_unavailable},
	{"golden_files", golden_files},
	{"write_fd_offsets", write_fd_offsets},
	{"workload_digests", workload_digests},
	{"atomic_replace", atomic_replace},
	{"atomic_failure", atomic_failure},
	{"in_place_and_sync", in_place_and_sync},
	{"ctx_bytes", ctx_bytes},
	{"clean_stale", clean_stale},
	{"append_fd", append_fd},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "platform", cases);
}
