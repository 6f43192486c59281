/*
 * test_writer.c - the writer's contract: offsets, alignment, padding,
 * merging, reserve/patch, modes, misuse, names.
 */
#include "helpers.h"
#include "internal.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void align_offsets(void)
{
	static const char a[] = "abc", b[] = "0123456789";
	unsigned char out[64];
	iovw_writer *w;
	uint64_t off;

	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	CHECK_EQ(iovw_append(w, a, 3, 1, &off), 0);
	CHECK_EQ(off, 0);
	CHECK_EQ(iovw_append(w, b, 10, 8, &off), 0);
	CHECK_EQ(off, 8);
	CHECK_EQ(iovw_append(w, a, 1, 16, &off), 0);
	CHECK_EQ(off, 32);
	CHECK_EQ(iovw_append(w, NULL, 0, 64, &off), 0); /* pads, no piece */
	CHECK_EQ(off, 64);
	CHECK_EQ(iovw_size(w), 64);
	CHECK_EQ(iovw_pieces(w), 3);
	REQUIRE(iovw_plan_gather(w, out, sizeof(out)) == 0);
	CHECK(memcmp(out, "abc\0\0\0\0\0", 8) == 0);
	CHECK(memcmp(out + 8, b, 10) == 0);
	CHECK(memcmp(out + 18, iovw__zeros, 14) == 0);
	CHECK(out[32] == 'a');
	CHECK(memcmp(out + 33, iovw__zeros, 31) == 0);
	CHECK_EQ(iovw_plan_gather(w, out, 63), -ENOSPC);
	iovw_writer_free(w);
}

static void max_alignment(void)
{
	iovw_writer *w;
	uint64_t off;
	unsigned char one = 1;
	size_t a;

	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	for (a = 1; a <= IOVW_MAX_ALIGN; a *= 2) {
		CHECK_EQ(iovw_append(w, &one, 1, a, &off), 0);
		CHECK_EQ(off % a, 0);
	}
	CHECK_EQ(iovw_size(w), 4097);
	iovw_writer_free(w);
}

/* Padding never allocates: every padding iovec points at one static block. */
static void padding_is_static(void)
{
	static unsigned char data[4096];
	const struct iovec *iov;
	iovw_writer *w;
	size_t n, i, pads = 0;

	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	for (i = 0; i < 200; i++)
		CHECK_EQ(iovw_append(w, data + 7 * i, 3, 1u << (i % 13), NULL),
			 0);
	iov = iovw_iovecs(w, &n);
	for (i = 0; i < n; i++) {
		if ((const unsigned char *)iov[i].iov_base >= iovw__zeros &&
		    (const unsigned char *)iov[i].iov_base <
			    iovw__zeros + sizeof(iovw__zeros)) {
			CHECK(iov[i].iov_base == (void *)iovw__zeros);
			pads++;
		}
	}
	CHECK(pads > 100);
	iovw_writer_free(w);
}

static void merge_adjacent(void)
{
	static unsigned char buf[1000];
	const struct iovec *iov;
	iovw_writer *w;
	size_t n;

	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	CHECK_EQ(iovw_append(w, buf, 400, 1, NULL), 0);
	CHECK_EQ(iovw_append(w, buf + 400, 600, 1, NULL), 0);
	iov = iovw_iovecs(w, &n);
	CHECK_EQ(n, 1);
	CHECK(iov[0].iov_base == buf && iov[0].iov_len == 1000);
	/* not adjacent: a second iovec */
	CHECK_EQ(iovw_append(w, buf, 10, 1, NULL), 0);
	iovw_iovecs(w, &n);
	CHECK_EQ(n, 2);
	CHECK_EQ(iovw_pieces(w), 3);
	iovw_writer_free(w);
}

/* Coalescing: many small scattered pieces, with padding, become one iovec. */
static void coalesce_small(void)
{
	static unsigned char src[100000];
	iovw_options o = {.coalesce_below = 64};
	unsigned char *got, *want;
	iovw_writer *w, *ref;
	size_t n, i;
	uint64_t a, b;

	h_fill(src, sizeof(src), 1);
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, &o) == 0);
	REQUIRE(iovw_writer_new(&ref, IOVW_MODE_PLAN, NULL) == 0);
	for (i = 0; i < 1000; i++) {
		CHECK_EQ(iovw_append(w, src + 97 * i, 5, 8, &a), 0);
		CHECK_EQ(iovw_append(ref, src + 97 * i, 5, 8, &b), 0);
		CHECK_EQ(a, b);
	}
	iovw_iovecs(w, &n);
	CHECK_EQ(n, 1);
	iovw_iovecs(ref, &n);
	CHECK(n >= 1999);
	got = malloc(iovw_size(w));
	want = malloc(iovw_size(ref));
	REQUIRE(iovw_size(w) == iovw_size(ref));
	REQUIRE(iovw_plan_gather(w, got, iovw_size(w)) == 0);
	REQUIRE(iovw_plan_gather(ref, want, iovw_size(ref)) == 0);
	CHECK(memcmp(got, want, iovw_size(w)) == 0);
	/* pieces at or above the threshold stay borrowed */
	CHECK_EQ(iovw_append(w, src, 64, 1, NULL), 0);
	{
		const struct iovec *iov = iovw_iovecs(w, &n);
		CHECK(iov[n - 1].iov_base == src);
	}
	free(got);
	free(want);
	iovw_writer_free(w);
	iovw_writer_free(ref);
}

/* append_copy: the source may change right after the call. */
static void copy_is_a_copy(void)
{
	unsigned char buf[32], out[32];
	iovw_writer *w;
	iovw_stats st = {0};

	memset(buf, 'x', sizeof(buf));
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	CHECK_EQ(iovw_append_copy(w, buf, sizeof(buf), 1, NULL), 0);
	memset(buf, 'y', sizeof(buf));
	REQUIRE(iovw_plan_gather(w, out, sizeof(out)) == 0);
	CHECK(out[0] == 'x' && out[31] == 'x');
	iovw_writer_stats(w, &st);
	CHECK_EQ(st.bytes_copied, 32);
	CHECK_EQ(st.pieces, 1);
	iovw_writer_free(w);
}

struct hdr_ctx {
	const unsigned char *body;
	size_t n;
};

/* A header reserved first and patched last, with the body's size and
 * offset: the pattern every module format uses. */
static int hdr_fn(iovw_writer *w, void *ctx)
{
	const struct hdr_ctx *c = ctx;
	uint64_t h, b, vals[2];
	int rc;

	if ((rc = iovw_reserve(w, 16, 8, &h)))
		return rc;
	if ((rc = iovw_append(w, c->body, c->n, 64, &b)))
		return rc;
	vals[0] = b;
	vals[1] = iovw_size(w);
	if ((rc = iovw_patch(w, h, vals, sizeof(vals))))
		return rc;
	return iovw_patch(w, h + 15, "Z", 1); /* last byte of the slot */
}

static void reserve_patch_all_strategies(void)
{
	unsigned char body[300];
	struct hdr_ctx c = {body, sizeof(body)};
	unsigned char *got;
	uint64_t v[2];
	size_t len;
	int s;

	h_fill(body, sizeof(body), 3);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_write_read("f", (iovw_strategy)s, hdr_fn, &c, NULL,
				     NULL, &got, &len) == 0);
		CHECK_EQ(len, 364);
		memcpy(v, got, sizeof(v));
		CHECK_EQ(v[0], 64);
		CHECK_EQ(v[1] & 0xffffffffffffffu, 364);
		CHECK(got[15] == 'Z');
		CHECK(memcmp(got + 16, iovw__zeros, 48) == 0);
		CHECK(memcmp(got + 64, body, sizeof(body)) == 0);
		free(got);
	}
}

static void patch_misuse(void)
{
	iovw_writer *w;
	uint64_t h, h2;
	int mode;

	for (mode = 0; mode < 3; mode++) {
		unsigned char region[256];
		if (mode == IOVW_MODE_DIRECT)
			REQUIRE(iovw_writer_new_direct(
					&w, region, sizeof(region), NULL) == 0);
		else
			REQUIRE(iovw_writer_new(&w, (iovw_mode)mode, NULL) ==
				0);
		CHECK_EQ(iovw_append(w, "abcd", 4, 1, NULL), 0);
		CHECK_EQ(iovw_reserve(w, 8, 8, &h), 0);
		CHECK_EQ(h, 8);
		CHECK_EQ(iovw_reserve(w, 8, 1, &h2), 0);
		CHECK_EQ(iovw_patch(w, h, "12345678", 8), 0);
		CHECK_EQ(iovw_patch(w, h2 + 4, "1234", 4), 0);
		CHECK_EQ(iovw_patch(w, h + 8, NULL, 0),
			 0); /* empty, at the end */
		/* straddles two adjacent slots */
		CHECK_EQ(iovw_patch(w, h + 4, "12345678", 8), -EINVAL);
		iovw_writer_reset(w);
		CHECK_EQ(iovw_append(w, "abcd", 4, 1, NULL), 0);
		CHECK_EQ(iovw_reserve(w, 8, 8, &h), 0);
		/* before the slot, in appended bytes */
		CHECK_EQ(iovw_patch(w, 0, "x", 1), -EINVAL);
		CHECK_EQ(iovw_error(w), -EINVAL); /* sticky */
		CHECK_EQ(iovw_append(w, "ab", 2, 1, NULL), -EINVAL);
		iovw_writer_reset(w);
		CHECK_EQ(iovw_reserve(w, 8, 8, &h), 0);
		CHECK_EQ(iovw_patch(w, h + 1, "12345678", 8),
			 -EINVAL); /* past end */
		iovw_writer_reset(w);
		CHECK_EQ(iovw_reserve(w, 8, 8, &h), 0);
		CHECK_EQ(iovw_patch(w, UINT64_MAX, "1", 1), -EINVAL);
		iovw_writer_reset(w);
		CHECK_EQ(iovw_reserve(w, 8, 8, &h), 0);
		CHECK_EQ(iovw_patch(w, h, NULL, 1), -EINVAL);
		iovw_writer_reset(w);
		CHECK_EQ(iovw_append(w, "abcd", 4, 1, NULL), 0);
		CHECK_EQ(iovw_patch(w, 0, "x", 0),
			 -EINVAL); /* empty, no slot */
		iovw_writer_free(w);
	}
}

/* reserve(count * size) then patch(off, arr, count * size) with count 0:
 * an empty slot is patchable with 0 bytes wherever it lies (at the start,
 * after appended bytes, after padding, twice at one offset), in every mode,
 * and the writer stays usable; 1 byte does not fit in it. */
static int empty_slots_fn(iovw_writer *w, void *ctx)
{
	static const uint32_t arr[1] = {7};
	uint64_t a, b, c, d, e;
	int rc;

	(void)ctx;
	if ((rc = iovw_reserve(w, 0, 1, &a)) || (rc = iovw_patch(w, a, arr, 0)))
		return rc;
	if ((rc = iovw_append(w, "abc", 3, 1, NULL)) ||
	    (rc = iovw_reserve(w, 0 * sizeof(arr), 8, &b)) ||
	    (rc = iovw_patch(w, b, arr, 0 * sizeof(arr))) ||
	    (rc = iovw_patch(w, b, NULL, 0)))
		return rc;
	if ((rc = iovw_append(w, "de", 2, 1, NULL)) ||
	    (rc = iovw_reserve(w, 0, 4, &c)) ||
	    (rc = iovw_reserve(w, 0, 4, &d)) ||
	    (rc = iovw_reserve(w, sizeof(arr), 4, &e)) ||
	    (rc = iovw_patch(w, d, arr, 0)) ||
	    (rc = iovw_patch(w, c, arr, 0)) ||
	    (rc = iovw_patch(w, e, arr, sizeof(arr))))
		return rc;
	if (a != 0 || b != 8 || c != 12 || d != 12 || e != 12)
		return -EPROTO;
	return iovw_append(w, "f", 1, 1, NULL);
}

static void reserve_empty_patch(void)
{
	unsigned char region[64], *got;
	static const unsigned char want[17] = "abc\0\0\0\0\0de\0\0\7\0\0\0f";
	iovw_writer *w;
	uint64_t off;
	size_t len;
	int mode, s;

	for (mode = 0; mode < 3; mode++) {
		if (mode == IOVW_MODE_DIRECT)
			REQUIRE(iovw_writer_new_direct(
					&w, region, sizeof(region), NULL) == 0);
		else
			REQUIRE(iovw_writer_new(&w, (iovw_mode)mode, NULL) ==
				0);
		CHECK_EQ(empty_slots_fn(w, NULL), 0);
		CHECK_EQ(iovw_error(w), 0);
		CHECK_EQ(iovw_size(w), 17);
		CHECK_EQ(iovw_pieces(w), 4); /* empty slots are no pieces */
		if (mode == IOVW_MODE_DIRECT)
			CHECK(memcmp(region, want, 17) == 0);
		/* not a byte fits in an empty slot */
		CHECK_EQ(iovw_reserve(w, 0, 1, &off), 0);
		CHECK_EQ(iovw_patch(w, off, "x", 1), -EINVAL);
		iovw_writer_free(w);
	}
	/* plan mode: no empty iovec, the same bytes */
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	REQUIRE(empty_slots_fn(w, NULL) == 0);
	{
		size_t n, i;
		const struct iovec *iov = iovw_iovecs(w, &n);
		for (i = 0; i < n; i++)
			CHECK(iov[i].iov_len > 0);
		CHECK_EQ(iovw_plan_gather(w, region, sizeof(region)), 0);
		CHECK(memcmp(region, want, 17) == 0);
	}
	iovw_writer_free(w);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		CHECK_EQ(h_write_read("f", (iovw_strategy)s, empty_slots_fn,
				      NULL, NULL, NULL, &got, &len),
			 0);
		CHECK(got && len == 17 && !memcmp(got, want, 17));
		free(got);
	}
}

static void misuse_einval(void)
{
	static unsigned char big[16];
	iovw_options o = {0};
	iovw_writer *w;
	uint64_t off = 12345;
	size_t bad[] = {0, 3, 6, 12, 8192, (size_t)1 << 40};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
		CHECK_EQ(iovw_append(w, big, 1, bad[i], &off), -EINVAL);
		CHECK_EQ(off, 12345); /* untouched on failure */
		CHECK_EQ(iovw_reserve(w, 1, 1, &off), -EINVAL); /* sticky */
		CHECK_EQ(iovw_size(w), 0);
		iovw_writer_free(w);
	}
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	CHECK_EQ(iovw_append(w, NULL, 1, 1, NULL), -EINVAL);
	iovw_writer_free(w);
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	CHECK_EQ(iovw_append(w, NULL, 0, 1, NULL), 0);
	CHECK_EQ(iovw_append_copy(w, NULL, 0, 1, NULL), 0);
	iovw_writer_free(w);

	/* size overflow, checked without touching the bytes (measure mode) */
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_MEASURE, NULL) == 0);
	CHECK_EQ(iovw_append(w, big, (size_t)INT64_MAX, 1, NULL), 0);
	CHECK_EQ(iovw_append(w, big, 1, 1, NULL), -EINVAL);
	iovw_writer_free(w);
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_MEASURE, NULL) == 0);
	CHECK_EQ(iovw_append(w, big, 1, 1, NULL), 0);
	CHECK_EQ(iovw_append(w, big, SIZE_MAX, 1, NULL), -EINVAL);
	iovw_writer_free(w);
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_MEASURE, NULL) == 0);
	CHECK_EQ(iovw_append(w, big, (size_t)INT64_MAX - 2, 1, NULL), 0);
	CHECK_EQ(iovw_reserve(w, 0, 8, NULL), -EINVAL); /* padding overflows */
	iovw_writer_free(w);

	/* bad options */
	o.batch_limit = iovw_iov_max() + 1;
	CHECK_EQ(iovw_writer_new(&w, IOVW_MODE_PLAN, &o), -EINVAL);
	CHECK(w == NULL);
	o.batch_limit = 0;
	o.flags = 0x100;
	CHECK_EQ(iovw_writer_new(&w, IOVW_MODE_PLAN, &o), -EINVAL);
	CHECK_EQ(iovw_writer_new(&w, IOVW_MODE_DIRECT, NULL), -EINVAL);
	CHECK_EQ(iovw_writer_new(&w, (iovw_mode)7, NULL), -EINVAL);
	CHECK_EQ(iovw_writer_new_direct(&w, NULL, 10, NULL), -EINVAL);
	CHECK_EQ(iovw_writer_new(NULL, IOVW_MODE_PLAN, NULL), -EINVAL);
	CHECK_EQ(iovw_append(NULL, big, 1, 1, NULL), -EINVAL);
	CHECK_EQ(iovw_patch(NULL, 0, big, 1), -EINVAL);
	CHECK_EQ(iovw_write_file(NULL, IOVW_PWRITEV, NULL, NULL, NULL, NULL),
		 -EINVAL);
	CHECK_EQ(iovw_write_file("", IOVW_PWRITEV, NULL, NULL, NULL, NULL),
		 -EINVAL);
	CHECK_EQ(iovw_write_fd(-1, 0, IOVW_PWRITEV, NULL, NULL, NULL, NULL),
		 -EINVAL);
}

/* After a plan is written, appends fail (not sticky); the plan can be
 * written again and gives the same bytes. */
static void sealed_after_write(void)
{
	unsigned char buf[5000], *a, *b;
	iovw_writer *w;
	size_t la, lb;
	int fd1, fd2;

	h_fill(buf, sizeof(buf), 9);
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	CHECK_EQ(iovw_append(w, buf, 3000, 1, NULL), 0);
	CHECK_EQ(iovw_append(w, buf + 3500, 1000, 512, NULL), 0);
	fd1 = open(h_path("a"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fd2 = open(h_path("b"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd1 >= 0 && fd2 >= 0);
	CHECK_EQ(iovw_plan_write(w, fd1, 0, 0, NULL), 0);
	CHECK_EQ(iovw_append(w, buf, 1, 1, NULL), -EINVAL);
	CHECK_EQ(iovw_reserve(w, 1, 1, NULL), -EINVAL);
	CHECK_EQ(iovw_patch(w, 0, buf, 1), -EINVAL);
	CHECK_EQ(iovw_error(w), 0);
	CHECK_EQ(iovw_plan_write(w, fd2, 0, 1, NULL), 0);
	close(fd1);
	close(fd2);
	a = t_read_file(h_path("a"), &la);
	b = t_read_file(h_path("b"), &lb);
	REQUIRE(a && b);
	CHECK_EQ(la, 4072);
	CHECK_EQ(lb, la);
	CHECK(memcmp(a, b, la) == 0);
	CHECK(memcmp(a, buf, 3000) == 0);
	CHECK(memcmp(a + 3072, buf + 3500, 1000) == 0);
	free(a);
	free(b);
	/* reset makes it usable again */
	iovw_writer_reset(w);
	CHECK_EQ(iovw_append(w, buf, 1, 1, NULL), 0);
	CHECK_EQ(iovw_size(w), 1);
	iovw_writer_free(w);
}

static void direct_mode(void)
{
	unsigned char region[100], data[64];
	iovw_writer *w;
	uint64_t off;

	memset(region, 0xAA, sizeof(region));
	h_fill(data, sizeof(data), 5);
	REQUIRE(iovw_writer_new_direct(&w, region, 80, NULL) == 0);
	CHECK_EQ(iovw_append(w, data, 10, 1, &off), 0);
	CHECK_EQ(iovw_append(w, data, 60, 16, &off), 0);
	CHECK_EQ(off, 16);
	CHECK(memcmp(region, data, 10) == 0);
	CHECK(memcmp(region + 10, iovw__zeros, 6) == 0); /* padding written */
	CHECK(memcmp(region + 16, data, 60) == 0);
	CHECK_EQ(iovw_append(w, data, 5, 1, &off), -ENOSPC);
	CHECK(region[76] == 0xAA); /* nothing past the region's end */
	CHECK(region[80] == 0xAA);
	iovw_writer_free(w);
	/* padding alone past the end */
	REQUIRE(iovw_writer_new_direct(&w, region, 10, NULL) == 0);
	CHECK_EQ(iovw_append(w, data, 9, 1, NULL), 0);
	CHECK_EQ(iovw_append(w, NULL, 0, 16, NULL), -ENOSPC);
	CHECK_EQ(iovw_iovecs(w, NULL) == NULL, 1);
	iovw_writer_free(w);
}

static void names(void)
{
	iovw_strategy s;
	unsigned i;

	CHECK(strcmp(iovw_strerror(-ENOSPC), "No space left on device") == 0);
	CHECK(strcmp(iovw_strerror(0), "success") == 0);
	CHECK(iovw_strerror(5) != NULL);
	CHECK(iovw_strerror(-99999) != NULL);
	for (i = 0; i < IOVW_STRATEGY_COUNT; i++) {
		CHECK_EQ(iovw_strategy_parse(
				 iovw_strategy_name((iovw_strategy)i), &s),
			 0);
		CHECK_EQ(s, i);
	}
	CHECK(iovw_strategy_name((iovw_strategy)IOVW_STRATEGY_COUNT) == NULL);
	CHECK_EQ(iovw_strategy_parse("pwritev2", &s), -EINVAL);
	CHECK(strcmp(iovw_strategy_name(IOVW_WRITE_EACH), "write-each") == 0);
	for (i = 0; i < IOVW_SYS_COUNT; i++)
		CHECK(iovw_syscall_name((iovw_syscall)i) != NULL);
	CHECK(iovw_syscall_name(IOVW_SYS_COUNT) == NULL);
	CHECK_EQ(iovw_iov_max(), sysconf(_SC_IOV_MAX));
}

static const struct t_case cases[] = {
	{"align_offsets", align_offsets},
	{"max_alignment", max_alignment},
	{"padding_is_static", padding_is_static},
	{"merge_adjacent", merge_adjacent},
	{"coalesce_small", coalesce_small},
	{"copy_is_a_copy", copy_is_a_copy},
	{"reserve_patch_all_strategies", reserve_patch_all_strategies},
	{"patch_misuse", patch_misuse},
	{"reserve_empty_patch", reserve_empty_patch},
	{"misuse_einval", misuse_einval},
	{"sealed_after_write", sealed_after_write},
	{"direct_mode", direct_mode},
	{"names", names},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "writer", cases);
}
