/*
 * test_hugepage.c - IOVW_F_HUGEPAGE: the buffer strategy's buffer is
 * anonymous memory from the seam, 2 MiB aligned and a multiple of 2 MiB,
 * advised for transparent huge pages; the bytes are the same.
 */
#include "helpers.h"
#include "internal.h"
#include "t.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

#define HUGE_PAGE (2 * MIB)

/* A seam that records the buffer strategy's pwrite source and counts
 * anonymous maps and unmaps (real ones) or fails the map. */
struct huge_sys {
	iovw_sys sys;
	const void *src;
	int maps, unmaps, fail_map;
	size_t map_len, unmap_len;
	void *map_at, *unmap_at;
};

static ssize_t hs_pwrite(void *ctx, int fd, const void *b, size_t n,
			 int64_t off)
{
	struct huge_sys *h = ctx;
	ssize_t r = pwrite(fd, b, n, (off_t)off);

	h->src = b;
	return r < 0 ? -errno : r;
}

/* Real anonymous memory, but one page past a 2 MiB boundary (the kernel
 * aligns large anonymous mappings itself from 6.7 on): the library must
 * align the buffer. */
#define SKEW 4096

static int hs_mmap_anon(void *ctx, size_t len, void **out)
{
	struct huge_sys *h = ctx;
	unsigned char *p;
	uintptr_t at;

	if (h->fail_map)
		return -ENOMEM;
	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	at = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	at += SKEW;
	/* keep [at, at + len) */
	if (at > (uintptr_t)p)
		munmap(p, at - (uintptr_t)p);
	munmap((void *)(at + len), (uintptr_t)p + len + HUGE_PAGE - at - len);
	h->maps++;
	h->map_len = len;
	h->map_at = (void *)at;
	*out = (void *)at;
	return 0;
}

static int hs_munmap(void *ctx, void *p, size_t len)
{
	struct huge_sys *h = ctx;

	h->unmaps++;
	h->unmap_len = len;
	h->unmap_at = p;
	return munmap(p, len) < 0 ? -errno : 0;
}

static void huge_init(struct huge_sys *h, int count)
{
	memset(h, 0, sizeof(*h));
	h->sys.ctx = h;
	h->sys.pwrite = hs_pwrite;
	if (count) {
		h->sys.mmap_anon = hs_mmap_anon;
		h->sys.munmap = hs_munmap;
	}
}

/* The bytes of the buffer strategy with IOVW_F_HUGEPAGE are the plan's,
 * written from a 2 MiB-aligned buffer a multiple of 2 MiB long (the real
 * seam, one-shot and through a context); the mapping is made and unmapped
 * through the seam, once per kept buffer; a failing map is -ENOMEM with
 * the target untouched, and the context writes on. */
static void hugepage_bytes_aligned(void)
{
	struct h_wl ws[2] = {h_wl_small(), h_wl_big(2 * MIB + 17)};
	struct huge_sys hs;
	iovw_options o = {.flags = IOVW_F_HUGEPAGE, .sys = &hs.sys};
	unsigned char *want;
	size_t wlen;
	iovw_ctx *c;
	int k;

	h_wl_fill();
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	for (k = 0; k < 2; k++) {
		want = h_wl_bytes(&ws[k], &wlen);
		huge_init(&hs, 0);
		REQUIRE(iovw_write_file(h_path("one"), IOVW_BUFFER,
					h_wl_fn(&ws[k]), h_wl_arg(&ws[k]), &o,
					NULL) == 0);
		h_check_file(h_path("one"), want, wlen, __LINE__);
		CHECK_EQ((uintptr_t)hs.src % HUGE_PAGE, 0);
		huge_init(&hs, 0);
		h_ctx_expect(c, "ctx", IOVW_BUFFER, &ws[k], &o, NULL, __LINE__);
		CHECK_EQ((uintptr_t)hs.src % HUGE_PAGE, 0);
		CHECK(iovw_ctx_retained(c) >= wlen);
		free(want);
	}
	iovw_ctx_trim(c);
	/* counted: one map, unmapped with the mapping's length at trim */
	huge_init(&hs, 1);
	h_ctx_expect(c, "ctx", IOVW_BUFFER, &ws[1], &o, NULL, __LINE__);
	h_ctx_expect(c, "ctx", IOVW_BUFFER, &ws[0], &o, NULL, __LINE__);
	CHECK_EQ(hs.maps, 1);
	CHECK_EQ(hs.unmaps, 0);
	CHECK_EQ((uintptr_t)hs.map_at % HUGE_PAGE, SKEW);
	CHECK_EQ((uintptr_t)hs.src % HUGE_PAGE, 0);
	CHECK(c->map != NULL);
	CHECK_EQ(c->buf_cap, 4 * MIB); /* 2 MiB + 17, rounded up */
	iovw_ctx_trim(c);
	CHECK_EQ(hs.unmaps, 1);
	CHECK_EQ(hs.unmap_len, hs.map_len);
	CHECK(hs.unmap_at == hs.map_at);
	CHECK(hs.map_len >= 4 * MIB + HUGE_PAGE);
	/* a failing map */
	hs.fail_map = 1;
	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), IOVW_BUFFER, h_big_fn,
				     &ws[1].big, &o, NULL),
		 -ENOMEM);
	REQUIRE(unlink(h_path("one")) == 0 && unlink(h_path("ctx")) == 0);
	h_check_untouched(__LINE__);
	hs.fail_map = 0;
	want = h_wl_bytes(&ws[1], &wlen);
	CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), IOVW_BUFFER, h_big_fn,
				     &ws[1].big, &o, NULL),
		 0);
	h_check_alone(want, wlen, __LINE__);
	free(want);
	/* the flag off: a heap buffer replaces the mapping */
	o.flags = 0;
	CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), IOVW_BUFFER, h_big_fn,
				     &ws[1].big, &o, NULL),
		 0);
	CHECK_EQ(hs.unmaps, 2);
	iovw_ctx_free(c);
	CHECK_EQ(hs.unmaps, 2);
}

/* Is the mapping holding `p` advised for huge pages? 1, 0, or -1 when
 * /proc/self/smaps has no THPeligible line for it. */
static int thp_eligible(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, r = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int v;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (in && sscanf(line, "THPeligible: %d", &v) == 1) {
			r = v;
			break;
		}
	}
	fclose(f);
	return r;
}

/* Where the build has MADV_HUGEPAGE and the kernel's THP mode is not
 * "never", the kept buffer's mapping is eligible for huge pages (the
 * advice was given), and a plain buffer is not (with THP "madvise"). */
static void hugepage_advised(void)
{
#ifdef MADV_HUGEPAGE
	struct h_wl big = h_wl_big(2 * MIB + 17);
	struct huge_sys hs;
	iovw_options o = {.flags = IOVW_F_HUGEPAGE, .sys = &hs.sys};
	char mode[200] = "";
	const void *buf;
	iovw_ctx *c;
	FILE *f;

	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f || !fgets(mode, sizeof(mode), f)) {
		if (f)
			fclose(f);
		t_skip("no /sys/kernel/mm/transparent_hugepage/enabled");
	}
	fclose(f);
	if (strstr(mode, "[never]"))
		t_skip("transparent huge pages: never");
	h_wl_fill();
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	huge_init(&hs, 0);
	h_ctx_expect(c, "t", IOVW_BUFFER, &big, &o, NULL, __LINE__);
	buf = hs.src;
	if (thp_eligible(buf) < 0) {
		iovw_ctx_free(c);
		t_skip("no THPeligible in /proc/self/smaps");
	}
	CHECK_EQ(thp_eligible(buf), 1);
	if (strstr(mode, "[madvise]")) {
		o.flags = 0; /* a heap buffer: not advised */
		h_ctx_expect(c, "t", IOVW_BUFFER, &big, &o, NULL, __LINE__);
		CHECK_EQ(thp_eligible(hs.src), 0);
	}
	iovw_ctx_free(c);
#else
	t_skip("the build has no MADV_HUGEPAGE");
#endif
}

static const struct t_case cases[] = {
	{"hugepage_bytes_aligned", hugepage_bytes_aligned},
	{"hugepage_advised", hugepage_advised},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "hugepage", cases);
}
