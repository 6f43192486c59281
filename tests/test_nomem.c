/*
 * test_nomem.c - every allocation the library makes fails, in turn: the
 * right negative errno (-ENOMEM), every block freed (ASan and valgrind
 * check no leak), the old target intact and alone; and where stream's
 * window only grows, the file whole.
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* With every allocation from the n-th on failing, stream: -ENOMEM and the
 * old target intact where the allocation was needed, or, where it only
 * grew the window (which is written instead), the new file whole. 1 if it
 * succeeded. */
static int stream_big_or_enomem(const iovw_options *o, const struct h_big *b,
				int line)
{
	unsigned char *got;
	size_t len;
	int rc;

	REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
	rc = iovw_write_file(h_path("t"), IOVW_STREAM, h_big_fn, (void *)b, o,
			     NULL);
	if (rc == -ENOMEM) {
		h_check_untouched(line);
		return 0;
	}
	got = t_read_file(h_path("t"), &len);
	if (rc || !got || len != b->n || memcmp(got, b->p, len))
		t_fail_at(__FILE__, line, "stream: rc %d (%s), %zu bytes", rc,
			  iovw_strerror(rc), got ? len : 0);
	free(got);
	return 1;
}

/* Every allocation the library makes may fail: -ENOMEM, nothing leaked
 * (ASan and valgrind check that), the old target intact. Stream's window
 * growing is the exception: a failed one is written as it is, and the
 * file comes out whole. */
static void allocation_failures(void)
{
	static unsigned char data[1 << 20];
	struct h_big b = {data, sizeof(data)};
	struct h_alloc h;
	iovw_options o;
	uint64_t calls, n, ok;
	int s;

	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		/* a clean run counts the allocations */
		h_alloc_init(&h);
		o = (iovw_options){.alloc = &h.a, .coalesce_below = 64};
		REQUIRE(iovw_write_file(h_path("c"), (iovw_strategy)s, h_big_fn,
					&b, &o, NULL) == 0);
		REQUIRE(unlink(h_path("c")) == 0);
		calls = h.mallocs + h.reallocs;
		CHECK(calls >= 2);
		for (n = ok = 0; n < calls; n++) {
			h_alloc_init(&h);
			h.fail_from = n;
			if (s == IOVW_STREAM)
				ok += stream_big_or_enomem(&o, &b, __LINE__);
			else
				h_expect_big((iovw_strategy)s, &o, -ENOMEM,
					     __LINE__);
		}
		/* stream: the first block is needed, growing is not */
		if (s == IOVW_STREAM)
			CHECK(ok > 0 && ok < calls);
	}
}

/* Stream mode's allocations (writer, window and staging buffer, slot
 * table, arena for the slots, temporary name) fail in turn, each with
 * all later ones and each alone: -ENOMEM, every block freed, the old
 * target intact. */
static void stream_allocation_failures(void)
{
	struct h_alloc h;
	iovw_options o;
	uint64_t calls, n;

	h_fill(h_small_src, sizeof(h_small_src), 77);
	h_alloc_init(&h);
	o = (iovw_options){.alloc = &h.a, .stage_bytes = 16};
	REQUIRE(iovw_write_file(h_path("c"), IOVW_STREAM, h_small_fn, NULL, &o,
				NULL) == 0);
	REQUIRE(unlink(h_path("c")) == 0);
	calls = h.mallocs + h.reallocs;
	CHECK_EQ(calls, 5);
	for (n = 0; n < 2 * calls; n++) {
		h_alloc_init(&h);
		h.fail_from = n / 2;
		h.fail_one = n % 2;
		REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
		CHECK_EQ(iovw_write_file(h_path("t"), IOVW_STREAM, h_small_fn,
					 NULL, &o, NULL),
			 -ENOMEM);
		CHECK_EQ(h.frees, h.blocks);
		h_check_untouched(__LINE__);
	}
}

static const struct t_case cases[] = {
	{"allocation_failures", allocation_failures},
	{"stream_allocation_failures", stream_allocation_failures},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "nomem", cases);
}
