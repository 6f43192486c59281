/*
 * test_ctx.c - the writer context (iovw_ctx_*): the same bytes and the same
 * system calls as the one-shot calls, for every strategy and for a mixed
 * sequence of files through one context; memory kept within its bound and
 * not growing over a thousand writes; no allocation on a warm write; the
 * allocator check; trim and free. (test_ctx_faults.c: failed writes then
 * good ones; test_hugepage.c: IOVW_F_HUGEPAGE.)
 */
#include "helpers.h"
#include "internal.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

static void check_same_stats(const iovw_stats *a, const iovw_stats *b,
			     const char *what, int line)
{
	int i;

	if (a->bytes_written != b->bytes_written ||
	    a->bytes_copied != b->bytes_copied || a->pieces != b->pieces ||
	    a->iovecs != b->iovecs || a->batches != b->batches)
		t_fail_at(__FILE__, line, "%s: counters differ", what);
	for (i = 0; i < IOVW_SYS_COUNT; i++)
		if (a->syscalls[i] != b->syscalls[i])
			t_fail_at(__FILE__, line, "%s: %s %llu, one-shot %llu",
				  what, iovw_syscall_name((iovw_syscall)i),
				  (unsigned long long)a->syscalls[i],
				  (unsigned long long)b->syscalls[i]);
}

/* ---- the same bytes, the same calls -------------------------------------- */

/* Every strategy, small and big workloads, file and fd: through a context
 * (twice: cold, then warm) the bytes and counters of the one-shot call. */
static void same_as_one_shot(void)
{
	iovw_options o = {.coalesce_below = 64};
	struct h_wl ws[2] = {h_wl_small(), h_wl_big(MIB)};
	iovw_ctx *c;
	int s, k, rep;

	h_wl_fill();
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		for (k = 0; k < 2; k++) {
			iovw_stats one = {0};
			unsigned char *want;
			size_t wlen;
			int fd;

			want = h_wl_bytes(&ws[k], &wlen);
			REQUIRE(iovw_write_file(h_path("one"), (iovw_strategy)s,
						h_wl_fn(&ws[k]),
						h_wl_arg(&ws[k]), &o,
						&one) == 0);
			h_check_file(h_path("one"), want, wlen, __LINE__);
			for (rep = 0; rep < 2; rep++) {
				iovw_stats st = {0};
				h_ctx_expect(c, "ctx", (iovw_strategy)s, &ws[k],
					     &o, &st, __LINE__);
				check_same_stats(&st, &one, "file", __LINE__);
			}
			/* the fd path, at an offset */
			fd = open(h_path("fd"), O_RDWR | O_CREAT | O_TRUNC,
				  0600);
			REQUIRE(fd >= 0);
			CHECK_EQ(iovw_ctx_write_fd(c, fd, 0, (iovw_strategy)s,
						   h_wl_fn(&ws[k]),
						   h_wl_arg(&ws[k]), &o, NULL),
				 0);
			close(fd);
			h_check_file(h_path("fd"), want, wlen, __LINE__);
			free(want);
		}
	}
	iovw_ctx_free(c);
}

/* A write-call seam that checks every call's iovec count against a limit
 * and counts them. */
struct limit_sys {
	iovw_sys sys;
	size_t limit;
	int over;
};

static ssize_t lim_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			   int64_t off)
{
	struct limit_sys *l = ctx;
	ssize_t r;

	if ((size_t)cnt > l->limit)
		l->over++;
	r = pwritev(fd, iov, cnt, (off_t)off);
	return r < 0 ? -errno : r;
}

/* One step of a sequence: workload, strategy, batch limit, stage bytes. */
struct step {
	size_t n; /* 0: the small workload */
	iovw_strategy s;
	size_t batch, stage;
};

static const struct step seq[] = {
	{MIB, IOVW_STREAM, 0, 0},
	{3000, IOVW_BUFFER, 0, 0}, /* the buffer grows at the next one */
	{0, IOVW_STREAM, 0, 0},
	{2 * MIB + 17, IOVW_BUFFER, 0, 0},
	{3000, IOVW_PWRITEV, 0, 0},
	{MIB, IOVW_STREAM, 4, 256}, /* smaller limits than the block */
	{2 * MIB + 17, IOVW_PWRITEV, 0, 0},
	{0, IOVW_MMAP, 0, 0},
	{MIB / 2 + 5, IOVW_WRITE_EACH, 0, 0},
	{2 * MIB + 17, IOVW_STREAM, 0, 0},
	{4096, IOVW_BUFFER, 0, 0},
	{MIB, IOVW_MMAP, 0, 0},
	{0, IOVW_PWRITEV, 0, 0},
	{MIB, IOVW_PWRITEV, 3, 0},
	{MIB, IOVW_STREAM, 2, 16},
};
#define NSEQ (sizeof(seq) / sizeof(seq[0]))

static struct h_wl step_wl(const struct step *p)
{
	return p->n ? h_wl_big(p->n) : h_wl_small();
}

static iovw_options step_opts(const struct step *p, struct limit_sys *l)
{
	iovw_options o = {.coalesce_below = 64,
			  .batch_limit = p->batch,
			  .stage_bytes = p->stage,
			  .sys = &l->sys};

	memset(l, 0, sizeof(*l));
	l->sys.ctx = l;
	l->sys.pwritev = lim_pwritev;
	l->limit = p->batch ? p->batch : iovw_iov_max();
	return o;
}

/* Files of different sizes and strategies through one context, each
 * compared byte for byte, each with the counters of the one-shot call
 * (so a window larger than this write's limits is not used past them),
 * and no write call over its batch limit. */
static void sequence_one_ctx(void)
{
	struct limit_sys l;
	iovw_ctx *c;
	size_t i;
	int round;

	h_wl_fill();
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NSEQ; i++) {
			struct h_wl w = step_wl(&seq[i]);
			iovw_options o = step_opts(&seq[i], &l);
			iovw_stats one = {0}, st = {0};
			char name[32];

			REQUIRE(iovw_write_file(h_path("one"), seq[i].s,
						h_wl_fn(&w), h_wl_arg(&w), &o,
						&one) == 0);
			snprintf(name, sizeof(name), "f%zu", i);
			h_ctx_expect(c, name, seq[i].s, &w, &o, &st, __LINE__);
			check_same_stats(&st, &one, name, __LINE__);
			CHECK_EQ(l.over, 0);
		}
	}
	iovw_ctx_free(c);
}

/* ---- smaller limits than the kept window ----------------------------------
 */

#define NREC 64

/* A seam counting the bytes written so far, and a serializer recording,
 * after each piece, how many bytes were written by then. */
struct rec {
	iovw_sys sys;
	uint64_t written;
	uint64_t at[NREC];
};

static ssize_t rec_pwrite(void *ctx, int fd, const void *b, size_t n,
			  int64_t off)
{
	struct rec *r = ctx;
	ssize_t k = pwrite(fd, b, n, (off_t)off);

	if (k > 0)
		r->written += (uint64_t)k;
	return k < 0 ? -errno : k;
}

static ssize_t rec_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			   int64_t off)
{
	struct rec *r = ctx;
	ssize_t k = pwritev(fd, iov, cnt, (off_t)off);

	if (k > 0)
		r->written += (uint64_t)k;
	return k < 0 ? -errno : k;
}

/* Three 100-byte copies (staged, 300 bytes in one iovec), then a
 * borrowed 4 KiB piece that touches nothing (no merging), over again. */
static int rec_fn(iovw_writer *w, void *ctx)
{
	struct rec *r = ctx;
	int i, rc;

	for (i = 0; i < NREC; i++) {
		const unsigned char *p = h_data + (size_t)i * 8192;
		rc = i % 4 == 3 ? iovw_append(w, p, 4096, 1, NULL)
				: iovw_append_copy(w, p, 100, 1, NULL);
		if (rc)
			return rc;
		r->at[i] = r->written;
	}
	return 0;
}

/* A context whose window grew large (default limits) then writes with a
 * batch limit of 2 iovecs and 256 staging bytes: its windows are written
 * at the same pieces as a fresh write's, not later (a window used past
 * the limits would hold more before writing). */
static void smaller_limits_respected(void)
{
	struct h_wl big = h_wl_big(2 * MIB);
	struct rec one, warm;
	iovw_options o = {
		.coalesce_below = 64, .batch_limit = 2, .stage_bytes = 256};
	iovw_ctx *c;
	int i;

	h_wl_fill();
	memset(&one, 0, sizeof(one));
	one.sys = (iovw_sys){
		.ctx = &one, .pwrite = rec_pwrite, .pwritev = rec_pwritev};
	warm = one;
	warm.sys.ctx = &warm;
	o.sys = &one.sys;
	REQUIRE(iovw_write_file(h_path("one"), IOVW_STREAM, rec_fn, &one, &o,
				NULL) == 0);
	CHECK(one.at[NREC - 1] > 0 && one.at[NREC - 1] < one.written);
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	h_ctx_expect(c, "big", IOVW_STREAM, &big, NULL, NULL, __LINE__);
	CHECK(c->w->stream.blk_cap > 2 && c->w->stream.blk_stage > 256);
	o.sys = &warm.sys;
	REQUIRE(iovw_ctx_write_file(c, h_path("warm"), IOVW_STREAM, rec_fn,
				    &warm, &o, NULL) == 0);
	for (i = 0; i < NREC; i++)
		if (warm.at[i] != one.at[i]) {
			t_fail_at(__FILE__, __LINE__,
				  "piece %d: %llu bytes written, fresh %llu", i,
				  (unsigned long long)warm.at[i],
				  (unsigned long long)one.at[i]);
			break;
		}
	CHECK_EQ(warm.written, one.written);
	iovw_ctx_free(c);
}

/* ---- the bound ----------------------------------------------------------- */

/* What a context keeps, by kind (the library's internals). */
enum { K_WRITER, K_IOVECS, K_SLOTS, K_ARENA, K_WINDOW, K_BUFFER, K_NAME, NK };
static const char *const k_names[NK] = {"writer", "iovecs", "slots", "arena",
					"window", "buffer", "name"};

static void kinds(const iovw_ctx *c, size_t k[NK])
{
	const struct iovw_chunk *ch;
	const iovw_writer *w = c->w;
	size_t sum = 0;
	int i;

	memset(k, 0, NK * sizeof(k[0]));
	if (w) {
		k[K_WRITER] = sizeof(*w);
		k[K_IOVECS] = w->iov_cap * sizeof(struct iovec);
		k[K_SLOTS] = w->slot_cap * sizeof(struct iovw_slot);
		for (ch = w->chunks; ch; ch = ch->next)
			k[K_ARENA] += sizeof(*ch) + ch->cap;
		if (w->stream.win.mem)
			k[K_WINDOW] = w->stream.blk_cap * sizeof(struct iovec) +
				      w->stream.blk_stage;
	}
	k[K_BUFFER] = c->buf_cap;
	k[K_NAME] = c->tmp_cap;
	for (i = 0; i < NK; i++)
		sum += k[i];
	CHECK_EQ(sum, iovw_ctx_retained(c));
}

/* Raise max[] to what one write of step p keeps on a fresh context. */
static void fresh_kinds(const struct step *p, size_t max[NK])
{
	struct limit_sys l;
	struct h_wl w = step_wl(p);
	iovw_options o = step_opts(p, &l);
	size_t k[NK];
	iovw_ctx *c;
	int i;

	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	REQUIRE(iovw_ctx_write_file(c, h_path("fresh"), p->s, h_wl_fn(&w),
				    h_wl_arg(&w), &o, NULL) == 0);
	kinds(c, k);
	for (i = 0; i < NK; i++)
		max[i] = k[i] > max[i] ? k[i] : max[i];
	iovw_ctx_free(c);
}

/* Run steps[0, n) through c; after each, every kind within max[]. */
static void run_bounded(iovw_ctx *c, const struct step *steps, size_t n,
			const size_t max[NK], int line)
{
	struct limit_sys l;
	size_t i, k[NK];
	int j;

	for (i = 0; i < n; i++) {
		struct h_wl w = step_wl(&steps[i]);
		iovw_options o = step_opts(&steps[i], &l);
		REQUIRE(iovw_ctx_write_file(c, h_path("seq"), steps[i].s,
					    h_wl_fn(&w), h_wl_arg(&w), &o,
					    NULL) == 0);
		kinds(c, k);
		for (j = 0; j < NK; j++)
			if (k[j] > max[j])
				t_fail_at(__FILE__, line,
					  "step %zu (%s): %s %zu kept, the "
					  "largest single write %zu",
					  i, iovw_strategy_name(steps[i].s),
					  k_names[j], k[j], max[j]);
	}
}

/* Run seq[from, to) through c. */
static void run_steps(iovw_ctx *c, size_t from, size_t to)
{
	static const size_t huge[NK] = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX,
					SIZE_MAX, SIZE_MAX, SIZE_MAX};
	run_bounded(c, seq + from, to - from, huge, __LINE__);
}

/* The documented bound: after every write, each kind of memory a context
 * keeps is at most the largest any single write of the sequence keeps of
 * it on a fresh context. One strategy with large and small files in turn,
 * then the mixed sequence. */
static void bound(void)
{
	static const iovw_strategy one[] = {IOVW_PWRITEV, IOVW_STREAM,
					    IOVW_BUFFER, IOVW_MMAP,
					    IOVW_WRITE_EACH};
	static const size_t sizes[] = {MIB, 3000, 2 * MIB + 17, 0, MIB};
	struct step steps[sizeof(sizes) / sizeof(sizes[0])];
	size_t max[NK], i, j;
	iovw_ctx *c;

	h_wl_fill();
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		memset(max, 0, sizeof(max));
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			steps[j] = (struct step){sizes[j], one[i], 0, 0};
			fresh_kinds(&steps[j], max);
		}
		REQUIRE(iovw_ctx_new(&c, NULL) == 0);
		run_bounded(c, steps, j, max, __LINE__);
		run_bounded(c, steps, j, max, __LINE__);
		iovw_ctx_free(c);
	}
	memset(max, 0, sizeof(max));
	for (i = 0; i < NSEQ; i++)
		fresh_kinds(&seq[i], max);
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	run_bounded(c, seq, NSEQ, max, __LINE__);
	run_bounded(c, seq, NSEQ, max, __LINE__);
	iovw_ctx_free(c);
}

/* A thousand writes (scaled) through one context: what it keeps after
 * the first round of the sequence is what it keeps after every later
 * round. */
static void no_growth(void)
{
	uint64_t rounds = t_scaled(1000) / NSEQ + 1, r;
	size_t first;
	iovw_ctx *c;

	h_wl_fill();
	REQUIRE(iovw_ctx_new(&c, NULL) == 0);
	run_steps(c, 0, NSEQ);
	run_steps(c, 0, NSEQ); /* the arena's chunks merged */
	first = iovw_ctx_retained(c);
	CHECK(first > 0);
	for (r = 0; r < rounds; r++) {
		run_steps(c, 0, NSEQ);
		if (iovw_ctx_retained(c) != first) {
			t_fail_at(__FILE__, __LINE__,
				  "round %llu: %zu kept, %zu after the first",
				  (unsigned long long)r, iovw_ctx_retained(c),
				  first);
			break;
		}
	}
	iovw_ctx_free(c);
}

/* ---- reuse --------------------------------------------------------------- */

/* With a counting allocator: the second write of the same workload
 * through a context allocates nothing, except pwritev and write-each on
 * the big workload, whose arena had several chunks: they become one (one
 * malloc). The third allocates nothing for any. */
static void warm_writes_allocate_nothing(void)
{
	struct h_wl ws[2] = {h_wl_small(), h_wl_big(MIB)};
	struct h_alloc h;
	iovw_options o;
	iovw_ctx *c;
	uint64_t before, frees;
	int s, k, rep;

	h_wl_fill();
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		for (k = 0; k < 2; k++) {
			int plan = s == IOVW_PWRITEV || s == IOVW_WRITE_EACH;

			h_alloc_init(&h);
			o = (iovw_options){.alloc = &h.a, .coalesce_below = 64};
			REQUIRE(iovw_ctx_new(&c, &h.a) == 0);
			h_ctx_expect(c, "w", (iovw_strategy)s, &ws[k], &o, NULL,
				     __LINE__);
			CHECK(h.mallocs + h.reallocs > 1);
			for (rep = 0; rep < 2; rep++) {
				before = h.mallocs + h.reallocs;
				frees = h.frees;
				h_ctx_expect(c, "w", (iovw_strategy)s, &ws[k],
					     &o, NULL, __LINE__);
				if (rep == 0 && plan && k == 1) {
					CHECK_EQ(h.mallocs + h.reallocs,
						 before + 1);
					CHECK(h.frees > frees);
				} else {
					CHECK_EQ(h.mallocs + h.reallocs,
						 before);
					CHECK_EQ(h.frees, frees);
				}
			}
			iovw_ctx_free(c);
			CHECK_EQ(h.frees, h.blocks);
		}
	}
}

/* ---- the allocator check, trim, free ------------------------------------- */

/* o->alloc other than the context's: -EINVAL before anything is done (no
 * file, no allocation). NULL and the context's own are fine. */
static void other_allocator(void)
{
	struct h_alloc h, other;
	iovw_options o = {0};
	iovw_ctx *c, *plain;
	uint64_t before;
	int fd;

	h_fill(h_small_src, sizeof(h_small_src), 77);
	h_alloc_init(&h);
	h_alloc_init(&other);
	REQUIRE(iovw_ctx_new(&c, &h.a) == 0);
	REQUIRE(iovw_ctx_new(&plain, NULL) == 0);
	before = h.mallocs + h.reallocs;
	o.alloc = &other.a;
	CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), IOVW_PWRITEV, h_small_fn,
				     NULL, &o, NULL),
		 -EINVAL);
	fd = open(h_path("fd"), O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(iovw_ctx_write_fd(c, fd, 0, IOVW_STREAM, h_small_fn, NULL, &o,
				   NULL),
		 -EINVAL);
	o.alloc = &h.a; /* a context without a hook, given one */
	CHECK_EQ(iovw_ctx_write_file(plain, h_path("t"), IOVW_BUFFER,
				     h_small_fn, NULL, &o, NULL),
		 -EINVAL);
	CHECK_EQ(other.mallocs + other.reallocs, 0);
	CHECK_EQ(h.mallocs + h.reallocs, before);
	CHECK_EQ(t_count_dir(t_tmpdir()), 1); /* "fd" only */
	/* the context's own, and none */
	CHECK_EQ(iovw_ctx_write_file(c, h_path("t"), IOVW_BUFFER, h_small_fn,
				     NULL, &o, NULL),
		 0);
	CHECK_EQ(iovw_ctx_write_fd(c, fd, 0, IOVW_STREAM, h_small_fn, NULL,
				   NULL, NULL),
		 0);
	CHECK(h.mallocs + h.reallocs > before);
	CHECK_EQ(iovw_ctx_write_file(NULL, h_path("t"), IOVW_BUFFER, h_small_fn,
				     NULL, NULL, NULL),
		 -EINVAL);
	CHECK_EQ(iovw_ctx_new(NULL, NULL), -EINVAL);
	close(fd);
	iovw_ctx_free(plain);
	iovw_ctx_free(c);
	CHECK_EQ(h.frees, h.blocks);
}

/* Trim gives everything back (0 kept, every block freed but the context)
 * and the context writes on; free gives back the rest. */
static void trim_and_free(void)
{
	struct h_wl big = h_wl_big(MIB);
	struct h_alloc h;
	iovw_ctx *c;
	int s;

	h_wl_fill();
	h_alloc_init(&h);
	REQUIRE(iovw_ctx_new(&c, &h.a) == 0);
	CHECK_EQ(iovw_ctx_retained(c), 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++)
		h_ctx_expect(c, "t", (iovw_strategy)s, &big, NULL, NULL,
			     __LINE__);
	CHECK(iovw_ctx_retained(c) >= MIB); /* the buffer at least */
	iovw_ctx_trim(c);
	CHECK_EQ(iovw_ctx_retained(c), 0);
	CHECK_EQ(h.frees + 1, h.blocks); /* the context itself */
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++)
		h_ctx_expect(c, "t", (iovw_strategy)s, &big, NULL, NULL,
			     __LINE__);
	iovw_ctx_free(c);
	CHECK_EQ(h.frees, h.blocks);
	iovw_ctx_free(NULL);
	iovw_ctx_trim(NULL);
	CHECK_EQ(iovw_ctx_retained(NULL), 0);
}

static const struct t_case cases[] = {
	{"same_as_one_shot", same_as_one_shot},
	{"sequence_one_ctx", sequence_one_ctx},
	{"smaller_limits_respected", smaller_limits_respected},
	{"bound", bound},
	{"no_growth", no_growth},
	{"warm_writes_allocate_nothing", warm_writes_allocate_nothing},
	{"other_allocator", other_allocator},
	{"trim_and_free", trim_and_free},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "ctx", cases);
}
