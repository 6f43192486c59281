/*
 * test_stream.c - the stream strategy's own contract: staging and its
 * defaults, windows written as they fill, reserved slots kept and written
 * last (adjacent ones in one call), borrowed memory reusable after
 * iovw_flush(), the observer (slots as zeros, errors, detached when the
 * serializer returns), what plan-only calls do in stream mode, the built
 * hook, file size limits. Byte equality with the other strategies on
 * random serializers is test_property's; faults are test_faults'.
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char h_zeros[256];

/* ---- a counting seam: write calls, and the file at the built hook ------- */

struct seam {
	iovw_sys sys;
	unsigned writes;	  /* write calls */
	unsigned writes_at_built; /* ... when the built hook ran */
	int fd;			  /* the fd to read at the hook, or -1 */
	uint64_t peek_off, peek_len;
	unsigned char peek[256]; /* the file's bytes there at the hook */
	int peek_got;
};

static ssize_t s_pwrite(void *ctx, int fd, const void *b, size_t n, int64_t off)
{
	struct seam *s = ctx;
	ssize_t r = pwrite(fd, b, n, (off_t)off);

	s->writes++;
	return r < 0 ? -errno : r;
}

static ssize_t s_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			 int64_t off)
{
	struct seam *s = ctx;
	ssize_t r = pwritev(fd, iov, cnt, (off_t)off);

	s->writes++;
	return r < 0 ? -errno : r;
}

static void seam_init(struct seam *s)
{
	memset(s, 0, sizeof(*s));
	s->sys.ctx = s;
	s->sys.pwrite = s_pwrite;
	s->sys.pwritev = s_pwritev;
	s->fd = -1;
}

static void seam_built(void *ctx)
{
	struct seam *s = ctx;

	s->writes_at_built = s->writes;
	if (s->fd >= 0)
		s->peek_got = (int)pread(s->fd, s->peek, (size_t)s->peek_len,
					 (off_t)s->peek_off);
}

/* ---- names -------------------------------------------------------------- */

static void names(void)
{
	iovw_strategy s;

	CHECK(strcmp(iovw_strategy_name(IOVW_STREAM), "stream") == 0);
	CHECK_EQ(iovw_strategy_parse("stream", &s), 0);
	CHECK_EQ(s, IOVW_STREAM);
	CHECK(strcmp(iovw_strategy_name(IOVW_URING), "io_uring") == 0);
	CHECK(strcmp(iovw_strategy_name(IOVW_PIPELINE), "pipelined") == 0);
	CHECK_EQ(iovw_strategy_parse("pipelined", &s), 0);
	CHECK_EQ(s, IOVW_PIPELINE);
	CHECK_EQ(IOVW_STRATEGY_COUNT, IOVW_PIPELINE + 1);
}

/* ---- staging ------------------------------------------------------------ */

struct pieces {
	const unsigned char *buf;
	size_t n, size, stride, align;
	int copy;
};

/* n pieces of `size` bytes, `stride` apart in buf. */
static int pieces_fn(iovw_writer *w, void *ctx)
{
	const struct pieces *p = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n && !rc; i++)
		rc = (p->copy ? iovw_append_copy : iovw_append)(
			w, p->buf + i * p->stride, p->size, p->align, NULL);
	return rc;
}

/* Write p with stream and with buffer; the bytes must agree. */
static void stream_vs_buffer(struct pieces *p, const iovw_options *o,
			     iovw_stats *st)
{
	unsigned char *a, *b;
	size_t la, lb;

	REQUIRE(h_write_read("s", IOVW_STREAM, pieces_fn, p, o, st, &a, &la) ==
		0);
	REQUIRE(h_write_read("b", IOVW_BUFFER, pieces_fn, p, NULL, NULL, &b,
			     &lb) == 0);
	CHECK(la == lb && !memcmp(a, b, la));
	free(a);
	free(b);
}

/* The default threshold stages pieces shorter than 512 bytes and borrows
 * the others; coalesce_below 1 stages nothing, copies still go through the
 * staging buffer. */
static void staging_defaults(void)
{
	unsigned char *buf = malloc(200 * 1024);
	struct pieces p = {buf, 200, 0, 1024, 1, 0};
	iovw_options none = {.coalesce_below = 1};
	iovw_stats st;

	REQUIRE(buf);
	h_fill(buf, 200 * 1024, 1);
	/* just below: staged, one iovec, one write */
	p.size = IOVW_STREAM_COALESCE_DEFAULT - 1;
	memset(&st, 0, sizeof(st));
	stream_vs_buffer(&p, NULL, &st);
	CHECK_EQ(st.bytes_copied, 200 * p.size);
	CHECK_EQ(st.iovecs, 1);
	CHECK_EQ(st.batches, 1);
	/* at the threshold: borrowed, an iovec each */
	p.size = IOVW_STREAM_COALESCE_DEFAULT;
	memset(&st, 0, sizeof(st));
	stream_vs_buffer(&p, NULL, &st);
	CHECK_EQ(st.bytes_copied, 0);
	CHECK_EQ(st.iovecs, 200);
	/* 1: nothing staged */
	p.size = 16;
	memset(&st, 0, sizeof(st));
	stream_vs_buffer(&p, &none, &st);
	CHECK_EQ(st.bytes_copied, 0);
	CHECK_EQ(st.iovecs, 200);
	/* ... but copies are copies */
	p.copy = 1;
	memset(&st, 0, sizeof(st));
	stream_vs_buffer(&p, &none, &st);
	CHECK_EQ(st.bytes_copied, 200 * 16);
	CHECK_EQ(st.iovecs, 1);
	free(buf);
}

/* A full staging buffer writes the window: one call per stage_bytes of
 * staged pieces; padding after a staged piece goes into the buffer too,
 * so each window stays one iovec. */
static void staging_fills(void)
{
	unsigned char *buf = malloc(1000 * 64);
	struct pieces p = {buf, 1000, 100, 64, 1, 0};
	iovw_options o = {.stage_bytes = 1000};
	iovw_stats st = {0};

	REQUIRE(buf);
	h_fill(buf, 1000 * 64, 2);
	p.size = 40;
	p.stride = 64;
	stream_vs_buffer(&p, &o, &st);
	CHECK_EQ(st.batches, 40); /* 40,000 bytes, 1,000 a window */
	CHECK_EQ(st.iovecs, 40);
	/* 12-byte pieces aligned to 16: 4 bytes of padding after each,
	 * staged with it */
	memset(&st, 0, sizeof(st));
	p.size = 12;
	p.align = 16;
	stream_vs_buffer(&p, &o, &st);
	CHECK_EQ(st.bytes_written, 999 * 16 + 12);
	CHECK_EQ(st.batches, (999 * 16 + 12 + 999) / 1000);
	CHECK_EQ(st.iovecs, st.batches);
	free(buf);
}

/* A copy larger than the staging buffer goes through it in parts: a
 * window per buffer full. */
static void big_copy_in_parts(void)
{
	const size_t n = 1 << 20;
	unsigned char *buf = malloc(n);
	struct pieces p = {buf, 1, n, n, 1, 1};
	iovw_options o = {.stage_bytes = 4096};
	iovw_stats st = {0};

	REQUIRE(buf);
	h_fill(buf, n, 3);
	stream_vs_buffer(&p, &o, &st);
	CHECK_EQ(st.bytes_copied, n);
	CHECK_EQ(st.batches, n / 4096);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], n / 4096);
	free(buf);
}

/* A full window is written: batch_limit borrowed pieces a call. */
static void window_fills(void)
{
	unsigned char *buf = malloc(1000 * 2048);
	struct pieces p = {buf, 1000, 1024, 2048, 1, 0};
	iovw_options o = {.batch_limit = 7};
	iovw_stats st = {0};

	REQUIRE(buf);
	h_fill(buf, 1000 * 2048, 4);
	stream_vs_buffer(&p, &o, &st);
	CHECK_EQ(st.iovecs, 1000);
	CHECK_EQ(st.batches, (1000 + 6) / 7);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], 1000 % 7 == 1);
	free(buf);
}

/* ---- borrowed memory ---------------------------------------------------- */

/* One buffer refilled for every piece: allowed in stream mode after
 * iovw_flush(), which writes the window. */
static int reuse_fn(iovw_writer *w, void *ctx)
{
	unsigned char *buf = ctx;
	int i, rc = 0;

	for (i = 0; i < 50 && !rc; i++) {
		memset(buf, 'A' + i, 4096);
		if (!(rc = iovw_append(w, buf, 4096, 1, NULL)))
			rc = iovw_flush(w);
	}
	return rc;
}

static void borrowed_reuse_after_flush(void)
{
	static unsigned char buf[4096];
	unsigned char *got;
	size_t len, i;

	REQUIRE(h_write_read("r", IOVW_STREAM, reuse_fn, buf, NULL, NULL, &got,
			     &len) == 0);
	REQUIRE(len == 50 * 4096);
	for (i = 0; i < len; i++)
		if (got[i] != 'A' + i / 4096)
			break;
	CHECK_EQ(i, len);
	free(got);
}

/* What a module serializer does: a header slot, the body, the observer
 * brought up to date without writing (iovw_observe_sync), then the header
 * patched: the observer saw the slot as zeros, and the file, the slot
 * patched, went out in one write call. */
struct hdr_ctx {
	unsigned char seen[6000];
	size_t n;
};

static int hdr_observer(void *ctx, const void *p, size_t n)
{
	struct hdr_ctx *c = ctx;

	if (n > sizeof(c->seen) - c->n)
		return -ENOSPC;
	memcpy(c->seen + c->n, p, n);
	c->n += n;
	return 0;
}

static int hdr_fn(iovw_writer *w, void *ctx)
{
	static const char body[5000] = "body";
	uint64_t off, size;
	int rc;

	if ((rc = iovw_observe(w, hdr_observer, ctx)) ||
	    (rc = iovw_reserve(w, 64, 8, &off)) ||
	    (rc = iovw_append(w, body, sizeof(body), 8, NULL)) ||
	    (rc = iovw_observe_sync(w)))
		return rc;
	size = iovw_size(w);
	return iovw_patch(w, off, &size, sizeof(size));
}

static void observe_sync_one_call(void)
{
	struct hdr_ctx c = {{0}, 0};
	iovw_stats st = {0};
	unsigned char *got;
	size_t len;

	REQUIRE(h_write_read("h", IOVW_STREAM, hdr_fn, &c, NULL, &st, &got,
			     &len) == 0);
	CHECK_EQ(len, 64 + 5000);
	CHECK_EQ(st.batches, 1);
	CHECK_EQ(c.n, 64 + 5000); /* every byte once, the slot as zeros */
	CHECK(memcmp(c.seen, h_zeros, 64) == 0 &&
	      !memcmp(c.seen + 64, "body", 4));
	CHECK(got && *(const uint64_t *)got == 64 + 5000);
	free(got);
}

/* ---- reserved slots ----------------------------------------------------- */

struct slots {
	const unsigned char *data; /* 64 KiB */
	uint64_t a, b, c;	   /* the slots' offsets */
	int patch_first;	   /* patch, then iovw_flush (not after) */
};

#define SLOT_A 96u
#define SLOT_B 5000u /* more than a page of zeros */
#define SLOT_C 8u

/* Two adjacent slots, 1000-byte pieces (borrowed), a third slot, 300-byte
 * pieces (staged), all written by iovw_flush(), then the slots are patched
 * (or the other way round). */
static int slots_fn(iovw_writer *w, void *ctx)
{
	struct slots *s = ctx;
	unsigned char fill[5000];
	uint64_t v = 0x1122334455667788u;
	size_t i;
	int rc;

	if ((rc = iovw_reserve(w, SLOT_A, 8, &s->a)) ||
	    (rc = iovw_reserve(w, SLOT_B, 8, &s->b)))
		return rc;
	for (i = 0; i < 64 && !rc; i++)
		rc = iovw_append(w, s->data + 1024 * i, 1000, 8, NULL);
	if (rc || (rc = iovw_reserve(w, SLOT_C, 8, &s->c)))
		return rc;
	for (i = 0; i < 64 && !rc; i++)
		rc = iovw_append(w, s->data + 1024 * i + 7, 300, 4, NULL);
	if (rc || (!s->patch_first && (rc = iovw_flush(w))))
		return rc;
	memset(fill, 'b', sizeof(fill));
	if ((rc = iovw_patch(w, s->a, "header", 6)) ||
	    (rc = iovw_patch(w, s->a + SLOT_A - 6, "tail..", 6)) ||
	    (rc = iovw_patch(w, s->b, fill, sizeof(fill))) ||
	    (rc = iovw_patch(w, s->c, &v, sizeof(v))))
		return rc;
	return s->patch_first ? iovw_flush(w) : 0;
}

/* The slots are zeros on disk until the serializer returns, then written
 * at their offsets: the adjacent two in one call, the third in another. */
static void slots_written_last(void)
{
	static unsigned char data[64 * 1024];
	struct slots s = {data, 0, 0, 0, 0};
	struct seam sm;
	iovw_options o = {.stage_bytes = 2048, .batch_limit = 4};
	unsigned char *want, *got;
	size_t wlen, glen;
	int fd;

	h_fill(data, sizeof(data), 5);
	seam_init(&sm);
	o.sys = &sm.sys;
	o.built = seam_built;
	o.built_ctx = &sm;
	REQUIRE(h_write_read("b", IOVW_BUFFER, slots_fn, &s, NULL, NULL, &want,
			     &wlen) == 0);
	fd = open(h_path("s"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	sm.fd = fd;
	sm.peek_off = 0;
	sm.peek_len = sizeof(sm.peek);
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_STREAM, slots_fn, &s, &o, NULL), 0);
	close(fd);
	/* at the hook: the body written, the slots still zeros */
	CHECK_EQ(s.b, s.a + SLOT_A);
	CHECK_EQ(sm.peek_got, (int)sizeof(sm.peek));
	CHECK(memcmp(sm.peek, h_zeros, sizeof(sm.peek)) == 0);
	CHECK(sm.writes_at_built > 10);
	/* after it: two calls, the last window (with c) and {a, b} */
	CHECK_EQ(sm.writes - sm.writes_at_built, 2);
	got = t_read_file(h_path("s"), &glen);
	REQUIRE(got);
	CHECK(glen == wlen && !memcmp(got, want, wlen));
	CHECK(memcmp(got, "header", 6) == 0);
	free(want);
	free(got);
}

/* ---- the observer ------------------------------------------------------- */

struct seen {
	unsigned char buf[1 << 17];
	size_t n;
	unsigned calls, fail_at; /* fail_at: fail that call (from 1) */
};

static int seen_fn(void *ctx, const void *p, size_t n)
{
	struct seen *s = ctx;

	if (++s->calls == s->fail_at)
		return -EPROTO;
	if (n <= sizeof(s->buf) - s->n)
		memcpy(s->buf + s->n, p, n);
	s->n += n;
	return 0;
}

struct obs_ctx {
	struct slots sl;
	struct seen *seen;
	int flush; /* flush before returning */
};

/* slots_fn under an observer attached at the start. */
static int observed_fn(iovw_writer *w, void *ctx)
{
	struct obs_ctx *c = ctx;
	int rc;

	c->seen->n = 0;
	c->seen->calls = 0;
	if ((rc = iovw_observe(w, seen_fn, c->seen)) ||
	    (rc = slots_fn(w, &c->sl)))
		return rc;
	return c->flush ? iovw_flush(w) : 0;
}

/* Every strategy's observer sees the same bytes: the file with the slots
 * as zeros, although they are patched before the bytes reach the observer
 * (in stream mode: before their window is written, the whole stream is
 * one window here). */
static void observer_slots_zero(void)
{
	static unsigned char data[64 * 1024];
	static struct seen seen;
	struct obs_ctx c = {{data, 0, 0, 0, 1}, &seen, 0};
	iovw_stats st = {0};
	unsigned char *got;
	size_t len;
	int s;

	h_fill(data, sizeof(data), 6);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_write_read("o", (iovw_strategy)s, observed_fn, &c,
				     NULL, s == IOVW_STREAM ? &st : NULL, &got,
				     &len) == 0);
		REQUIRE(seen.n == len && len <= sizeof(seen.buf));
		memset(got + c.sl.a, 0, SLOT_A);
		memset(got + c.sl.b, 0, SLOT_B);
		memset(got + c.sl.c, 0, SLOT_C);
		if (memcmp(seen.buf, got, len))
			t_fail_at(__FILE__, __LINE__, "%s: other bytes",
				  iovw_strategy_name((iovw_strategy)s));
		free(got);
	}
	CHECK_EQ(st.batches, 3); /* one window, two slot runs */
}

/* An observer's error stops the write: the error is returned, nothing is
 * written after it, the old target is intact and no temporary file is
 * left. The observer fails on its 6th call (slot, two pages of slot, body,
 * slot, body: a slot reaches it as zeros, a call a page): in stream mode
 * inside the first window, before anything is written; in direct mode on
 * its last call. */
static void observer_error(void)
{
	static unsigned char data[64 * 1024];
	static struct seen seen;
	struct obs_ctx c = {{data, 0, 0, 0, 0}, &seen, 1};
	struct seam sm;
	iovw_options o = {.stage_bytes = 3000, .batch_limit = 5};
	unsigned char *got;
	size_t len;
	int s;

	h_fill(data, sizeof(data), 7);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		seam_init(&sm);
		o.sys = &sm.sys;
		seen.fail_at = 6;
		REQUIRE(h_make_file(h_path("t"), 10, 'o') == 0);
		CHECK_EQ(h_write_read("t", (iovw_strategy)s, observed_fn, &c,
				      &o, NULL, &got, &len),
			 -EPROTO);
		CHECK_EQ(seen.calls, 6);
		if (s != IOVW_MMAP)
			CHECK_EQ(sm.writes, 0);
		got = t_read_file(h_path("t"), &len);
		CHECK(got && len == 10 && !memcmp(got, "oooooooooo", 10));
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
		free(got);
	}
	seen.fail_at = 0;
}

/* The writer detaches the observer when the serializer returns: the last
 * window, written afterwards, does not reach it (its context may be gone,
 * as here: a local of the serializer's). */
static unsigned after_return_calls;

static int counting_fn(void *ctx, const void *p, size_t n)
{
	(void)p;
	(void)n;
	++*(unsigned *)ctx;
	++after_return_calls;
	return 0;
}

static int unflushed_fn(iovw_writer *w, void *ctx)
{
	unsigned calls = 0; /* dies with this frame */
	int rc;

	(void)ctx;
	after_return_calls = 0;
	if ((rc = iovw_observe(w, counting_fn, &calls)))
		return rc;
	return iovw_append_copy(w, "not flushed", 11, 1, NULL);
}

static void observer_detached(void)
{
	unsigned char *got;
	size_t len;
	int s;

	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_write_read("d", (iovw_strategy)s, unflushed_fn, NULL,
				     NULL, NULL, &got, &len) == 0);
		CHECK(len == 11 && !memcmp(got, "not flushed", 11));
		CHECK_EQ(after_return_calls, 0);
		free(got);
	}
}

/* ---- plan-only calls, hooks, limits ------------------------------------- */

static int scan_one(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

/* Inside a stream serializer: the mode, and what plan-only calls do. */
static int probe_fn(iovw_writer *w, void *ctx)
{
	int *bad = ctx;
	size_t n = 1;
	unsigned char out[8];

	*bad = 0;
	if (iovw_append(w, "abcdefgh", 8, 1, NULL))
		*bad |= 1;
	if (iovw_writer_mode(w) != IOVW_MODE_STREAM)
		*bad |= 2;
	if (iovw_scan(w, 0, scan_one, NULL) != -EOPNOTSUPP)
		*bad |= 4;
	if (iovw_iovecs(w, &n) != NULL || n != 0)
		*bad |= 8;
	if (iovw_plan_write(w, 1, 0, 0, NULL) != -EINVAL)
		*bad |= 16;
	if (iovw_plan_gather(w, out, sizeof(out)) != -EINVAL)
		*bad |= 32;
	if (iovw_error(w) != 0) /* none of that was sticky */
		*bad |= 64;
	return 0;
}

static void plan_calls_in_stream(void)
{
	unsigned char *got;
	size_t len;
	int bad = -1;

	CHECK_EQ(h_write_read("p", IOVW_STREAM, probe_fn, &bad, NULL, NULL,
			      &got, &len),
		 0);
	CHECK_EQ(bad, 0);
	CHECK(len == 8 && !memcmp(got, "abcdefgh", 8));
	free(got);
	/* a stream writer exists only inside the strategy */
	{
		iovw_writer *w = (iovw_writer *)&bad;
		CHECK_EQ(iovw_writer_new(&w, IOVW_MODE_STREAM, NULL), -EINVAL);
		CHECK(w == NULL);
	}
}

/* The stream's stats: build and write time apart, bytes written counting
 * the file's bytes once (the slots, written twice, too). */
static void stats(void)
{
	static unsigned char data[64 * 1024];
	struct slots s = {data, 0, 0, 0, 0};
	iovw_stats st = {0};
	unsigned char *got;
	size_t len;

	h_fill(data, sizeof(data), 8);
	CHECK_EQ(h_write_read("s", IOVW_STREAM, slots_fn, &s, NULL, &st, &got,
			      &len),
		 0);
	CHECK_EQ(st.bytes_written, len);
	CHECK_EQ(st.pieces, 3 + 128);
	CHECK_EQ(st.bytes_copied, 64 * 300 + 6 + 6 + 5000 + 8);
	CHECK(st.build_ns > 0 && st.write_ns > 0);
	CHECK_EQ(st.batches,
		 st.syscalls[IOVW_SYS_PWRITE] + st.syscalls[IOVW_SYS_PWRITEV]);
	free(got);
}

static int ran;

static int ran_fn(iovw_writer *w, void *ctx)
{
	ran = 1;
	return pieces_fn(w, ctx);
}

/* A stream that would end past the largest file offset: -EFBIG, and
 * nothing written; an offset past it: the serializer does not even run. */
static void offset_limit(void)
{
	unsigned char data[100];
	struct pieces p = {data, 1, 100, 100, 1, 0};
	struct stat sb;
	int fd = open(h_path("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	memset(data, 1, sizeof(data));
	CHECK_EQ(iovw_write_fd(fd, (uint64_t)INT64_MAX - 50, IOVW_STREAM,
			       pieces_fn, &p, NULL, NULL),
		 -EFBIG);
	ran = 0;
	CHECK_EQ(iovw_write_fd(fd, (uint64_t)INT64_MAX + 1, IOVW_STREAM, ran_fn,
			       &p, NULL, NULL),
		 -EFBIG);
	CHECK_EQ(ran, 0);
	REQUIRE(fstat(fd, &sb) == 0);
	CHECK_EQ(sb.st_size, 0);
	close(fd);
}

static const struct t_case cases[] = {
	{"names", names},
	{"staging_defaults", staging_defaults},
	{"staging_fills", staging_fills},
	{"big_copy_in_parts", big_copy_in_parts},
	{"window_fills", window_fills},
	{"borrowed_reuse_after_flush", borrowed_reuse_after_flush},
	{"slots_written_last", slots_written_last},
	{"observer_slots_zero", observer_slots_zero},
	{"observer_error", observer_error},
	{"observe_sync_one_call", observe_sync_one_call},
	{"observer_detached", observer_detached},
	{"plan_calls_in_stream", plan_calls_in_stream},
	{"stats", stats},
	{"offset_limit", offset_limit},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "stream", cases);
}
