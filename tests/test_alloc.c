/*
 * test_alloc.c - no allocation per piece.
 *
 * Building a plan of n pieces makes O(log n) allocations: the iovec array
 * and the slot table double, arena chunks double. Counted through the
 * allocator hook, for borrowed pieces, copies, coalesced pieces and
 * reserves, at 10,000 and at 1,000,000 pieces. Stream mode's memory does
 * not grow with the file at all: gigabytes of tiny pieces allocate the
 * window, the staging buffer and the slots, once.
 */
#include "helpers.h"
#include "t.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PIECE 16

enum kind { BORROW, COPY, COALESCE, RESERVE };
static const char *const kind_name[] = {"borrow", "copy", "coalesce",
					"reserve"};

/* Allocation calls made building a plan of n pieces of `kind`. */
static uint64_t allocs_for(const unsigned char *buf, size_t n, enum kind kind,
			   size_t *iovecs)
{
	struct h_alloc h;
	iovw_options o = {0};
	iovw_writer *w;
	uint64_t calls;
	size_t i;
	int rc = 0;

	h_alloc_init(&h);
	o.alloc = &h.a;
	o.coalesce_below = kind == COALESCE ? PIECE + 1 : 0;
	if (iovw_writer_new(&w, IOVW_MODE_PLAN, &o))
		return UINT64_MAX;
	for (i = 0; i < n && !rc; i++) {
		const unsigned char *p = buf + 2 * PIECE * i; /* not adjacent */
		switch (kind) {
		case BORROW:
		case COALESCE:
			rc = iovw_append(w, p, PIECE, 8, NULL);
			break;
		case COPY:
			rc = iovw_append_copy(w, p, PIECE, 8, NULL);
			break;
		case RESERVE:
			rc = iovw_reserve(w, PIECE, 8, NULL);
			break;
		}
	}
	iovw_iovecs(w, iovecs);
	calls = rc ? UINT64_MAX : h.mallocs + h.reallocs;
	iovw_writer_free(w);
	if (h.frees != h.blocks)
		t_fail_at(__FILE__, __LINE__, "%s: %llu blocks, %llu freed",
			  kind_name[kind], (unsigned long long)h.blocks,
			  (unsigned long long)h.frees);
	return calls;
}

static void log_allocations(void)
{
	const size_t big = 1000000, small = 10000;
	unsigned char *buf = calloc(big, 2 * PIECE);
	int k;

	REQUIRE(buf);
	for (k = BORROW; k <= RESERVE; k++) {
		size_t iov_small, iov_big;
		uint64_t a_small =
			allocs_for(buf, small, (enum kind)k, &iov_small);
		uint64_t a_big = allocs_for(buf, big, (enum kind)k, &iov_big);

		printf("    %-8s %7zu pieces: %2llu allocations, %7zu iovecs; "
		       "%zu pieces: %2llu allocations, %zu iovecs\n",
		       kind_name[k], small, (unsigned long long)a_small,
		       iov_small, big, (unsigned long long)a_big, iov_big);
		/* log2(1e6) is 20: a few growth sequences of that length */
		CHECK(a_big <= 40);
		/* 100 times the pieces: at most ~log2(100) more, per array */
		CHECK(a_big - a_small <= 2 * 7 + 2);
		if (k == COALESCE)
			CHECK(iov_big <
			      32); /* a million pieces, a few iovecs */
		if (k == BORROW)
			CHECK_EQ(iov_big, big); /* none adjacent, none merged */
	}
	free(buf);
}

/* A reset writer reuses its arrays: the next plan allocates nothing. */
static void reset_reuses(void)
{
	unsigned char *buf = calloc(100000, 2 * PIECE);
	struct h_alloc h;
	iovw_options o = {0};
	iovw_writer *w;
	uint64_t before;
	size_t i;
	int round;

	REQUIRE(buf);
	h_alloc_init(&h);
	o.alloc = &h.a;
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, &o) == 0);
	for (round = 0; round < 3; round++) {
		before = h.mallocs + h.reallocs;
		iovw_writer_reset(w);
		for (i = 0; i < 100000; i++) {
			CHECK_EQ(iovw_append(w, buf + 2 * PIECE * i, PIECE, 1,
					     NULL),
				 0);
			CHECK_EQ(iovw_reserve(w, 8, 8, NULL), 0);
		}
		CHECK(iovw_size(w) == 100000 * (PIECE + 8));
		/* the first reset folds the arena chunks into one */
		if (round > 1)
			CHECK_EQ(h.mallocs + h.reallocs, before);
	}
	iovw_writer_free(w);
	CHECK_EQ(h.frees, h.blocks);
	free(buf);
}

/* Reset folds the arena into one chunk; when that allocation fails the
 * writer must still work (and allocate as it goes). */
static void reset_allocation_fails(void)
{
	unsigned char *buf = calloc(20000, 2 * PIECE), out[64];
	struct h_alloc h;
	iovw_options o = {0};
	iovw_writer *w;
	size_t i;

	REQUIRE(buf);
	h_alloc_init(&h);
	o.alloc = &h.a;
	o.coalesce_below = PIECE + 1;
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, &o) == 0);
	for (i = 0; i < 20000; i++)
		CHECK_EQ(iovw_append(w, buf + 2 * PIECE * i, PIECE, 1, NULL),
			 0);
	h.fail_from = h.mallocs + h.reallocs; /* the next one fails */
	iovw_writer_reset(w);
	h.fail_from = UINT64_MAX;
	for (i = 0; i < 20000; i++) {
		buf[2 * PIECE * i] = (unsigned char)i;
		CHECK_EQ(iovw_append(w, buf + 2 * PIECE * i, PIECE, 1, NULL),
			 0);
	}
	CHECK_EQ(iovw_size(w), 20000 * PIECE);
	REQUIRE(iovw_size(w) >= sizeof(out));
	{
		unsigned char *all = malloc(20000 * PIECE);
		REQUIRE(all);
		CHECK_EQ(iovw_plan_gather(w, all, 20000 * PIECE), 0);
		for (i = 0; i < 20000; i++)
			if (all[PIECE * i] != (unsigned char)i)
				break;
		CHECK_EQ(i, 20000);
		free(all);
	}
	(void)out;
	iovw_writer_free(w);
	CHECK_EQ(h.frees, h.blocks);
	free(buf);
}

struct tiny {
	const unsigned char *pool; /* POOL bytes */
	uint64_t bytes;		   /* stop after this many */
	uint64_t borrowed;	   /* of which borrowed (4 KiB pieces) */
};

#define POOL ((size_t)64 << 10)

/* Pieces of 8 to 64 bytes from a small, hot pool, aligned to 8, a
 * borrowed 4 KiB piece every 1000, two reserved slots patched at the end
 * (as a header and a table). */
static int tiny_fn(iovw_writer *w, void *ctx)
{
	struct tiny *t = ctx;
	uint64_t rs = 12345, hdr, table, i = 0;
	int rc;

	if ((rc = iovw_reserve(w, 64, 8, &hdr)) ||
	    (rc = iovw_reserve(w, 512, 8, &table)))
		return rc;
	t->borrowed = 0;
	while (!rc && iovw_size(w) < t->bytes) {
		uint64_t r = t_rand(&rs);
		size_t n = 8 + (size_t)(r % 57);

		if (++i % 1000 == 0) {
			rc = iovw_append(w, t->pool, 4096, 8, NULL);
			t->borrowed += 4096;
		} else {
			rc = iovw_append(w, t->pool + (r >> 32) % (POOL - 64),
					 n, 8, NULL);
		}
	}
	if (!rc)
		rc = iovw_patch(w, table, t->pool, 512);
	return rc ? rc : iovw_patch(w, hdr, &i, sizeof(i));
}

/* Stream mode's memory is bounded by the window, the staging buffer and
 * the reserved slots, never by the file: 3 GiB of tiny pieces to
 * /dev/null allocate under 1 MiB in all, in a handful of calls. */
static void stream_bounded(void)
{
	unsigned char *pool = malloc(POOL);
	struct tiny t = {pool, t_scaled((uint64_t)3 << 30), 0};
	struct h_alloc h;
	iovw_options o = {0};
	iovw_stats st = {0};
	int fd = open("/dev/null", O_WRONLY);

	REQUIRE(pool && fd >= 0);
	h_fill(pool, POOL, 3);
	h_alloc_init(&h);
	o.alloc = &h.a;
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_STREAM, tiny_fn, &t, &o, &st), 0);
	printf("    stream: %llu bytes written, %llu pieces, %llu write calls; "
	       "%llu allocations, %llu bytes allocated\n",
	       (unsigned long long)st.bytes_written,
	       (unsigned long long)st.pieces, (unsigned long long)st.batches,
	       (unsigned long long)(h.mallocs + h.reallocs),
	       (unsigned long long)h.bytes);
	CHECK(st.bytes_written >= t.bytes);
	CHECK(h.bytes < ((uint64_t)1 << 20));
	/* the window's block doubles from 64 iovecs and 4 KiB: a few more */
	CHECK(h.mallocs + h.reallocs <= 12);
	CHECK_EQ(h.frees, h.blocks);
	/* tiny pieces were staged: the write calls are about one per
	 * staging buffer full, not one per 1024 pieces */
	CHECK(st.bytes_copied > (st.bytes_written - t.borrowed) / 2);
	CHECK(st.batches < st.bytes_written / (IOVW_STAGE_DEFAULT / 2));
	close(fd);
	free(pool);
}

/* A small file through stream takes a small window (it starts at 64
 * iovecs and 4 KiB), not the 256 KiB staging buffer a large one grows to:
 * from the heap, warm, it is no fresh mapping to fault in. (The rest is
 * the writer and the arena's first chunk, 64 KiB, for the slots.) */
static void stream_small_file(void)
{
	static unsigned char pool[POOL];
	struct tiny t = {pool, 2000, 0};
	struct h_alloc h;
	iovw_options o = {0};
	iovw_stats st = {0};
	int fd = open("/dev/null", O_WRONLY);

	REQUIRE(fd >= 0);
	h_fill(pool, POOL, 5);
	h_alloc_init(&h);
	o.alloc = &h.a;
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_STREAM, tiny_fn, &t, &o, &st), 0);
	printf("    a 2,000-byte stream: %llu allocations, %llu bytes\n",
	       (unsigned long long)(h.mallocs + h.reallocs),
	       (unsigned long long)h.bytes);
	CHECK(h.bytes < (64 << 10) + 16384);
	CHECK_EQ(st.batches, 1); /* one window, its slots in it */
	CHECK_EQ(h.frees, h.blocks);
	close(fd);
}

static const struct t_case cases[] = {
	{"stream_small_file", stream_small_file},
	{"log_allocations", log_allocations},
	{"reset_reuses", reset_reuses},
	{"reset_allocation_fails", reset_allocation_fails},
	{"stream_bounded", stream_bounded},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "alloc", cases);
}
