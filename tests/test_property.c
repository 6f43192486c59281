/*
 * test_property.c - random plans against a naive reference serializer.
 *
 * Each plan is a script of operations (borrowed and copied appends of 0 to
 * 1 MiB, alignments 1 to 4096, reserves, patches of earlier reserves)
 * drawn from a fixed seed, with random coalescing thresholds, batch limits
 * and staging buffer sizes. The reference executes the script into one
 * growing buffer, the obvious way. Every strategy, stream included, must
 * write exactly those bytes, through iovw_write_file and through
 * iovw_write_fd at a nonzero offset, return the same offsets and report
 * the same size; an observer attached anywhere, with iovw_flush() called
 * between random operations, must see the reference's bytes from there on
 * with the reserved slots as zeros, in every mode.
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POOL_SIZE ((size_t)2 << 20)
#define MAX_OPS	  120

enum op_kind { OP_BORROW, OP_COPY, OP_RESERVE, OP_PATCH };

struct op {
	enum op_kind kind;
	size_t src;   /* pool offset (borrow, copy, patch) */
	size_t n;     /* length */
	size_t align; /* borrow, copy, reserve */
	size_t slot;  /* patch: which reserve, counted from 0 */
	size_t at;    /* patch: offset inside the slot */
};

struct plan {
	struct op ops[MAX_OPS];
	size_t nops, nslots;
	const unsigned char *pool;
	uint64_t want_off[MAX_OPS]; /* from the reference */
	uint64_t slot_off[MAX_OPS]; /* filled while running */
	unsigned bad_offsets;
	/* observing (observed_plans): attach before op `attach_at` (nops:
	 * at the end), iovw_flush() after the ops flagged in `flush` */
	size_t attach_at;
	unsigned char flush[MAX_OPS];
	struct obs *obs; /* NULL: no observer */
};

/* What an observer saw. */
struct obs {
	unsigned char *buf;
	size_t n, cap;
	int overflow, empty_runs;
};

static size_t draw_size(uint64_t *rs)
{
	uint64_t r = t_rand(rs) % 1000;

	if (r < 40)
		return 0;
	if (r < 640)
		return (size_t)(t_rand(rs) % 64) + 1;
	if (r < 940)
		return (size_t)(t_rand(rs) % 4096) + 1;
	if (r < 997)
		return (size_t)(t_rand(rs) % 65536) + 1;
	return (size_t)(t_rand(rs) % (1u << 20)) + 1;
}

static size_t draw_align(uint64_t *rs)
{
	uint64_t r = t_rand(rs) % 10;
	if (r < 4)
		return 1;
	if (r < 8)
		return (size_t)1 << (t_rand(rs) % 5); /* 1..16 */
	return (size_t)1 << (t_rand(rs) % 13);	      /* 1..4096 */
}

static void make_plan(struct plan *p, uint64_t seed)
{
	uint64_t rs = seed * 0x9e3779b97f4a7c15u + 7;
	size_t i, prev_end = 0;

	memset(p->ops, 0, sizeof(p->ops));
	p->nops = (size_t)(t_rand(&rs) % MAX_OPS) + 1;
	p->nslots = 0;
	for (i = 0; i < p->nops; i++) {
		struct op *o = &p->ops[i];
		uint64_t r = t_rand(&rs) % 100;

		o->n = draw_size(&rs);
		o->align = draw_align(&rs);
		/* a third of the pieces continue the previous one in memory,
		 * so merging is exercised */
		if (t_rand(&rs) % 3 == 0 && prev_end + o->n <= POOL_SIZE)
			o->src = prev_end;
		else
			o->src = (size_t)(t_rand(&rs) % (POOL_SIZE - o->n + 1));
		if (r < 55) {
			o->kind = OP_BORROW;
		} else if (r < 75) {
			o->kind = OP_COPY;
		} else if (r < 85 || p->nslots == 0) {
			o->kind = OP_RESERVE;
			if (o->n)
				p->nslots++;
		} else {
			size_t k = (size_t)(t_rand(&rs) % p->nslots), j,
			       seen = 0;
			/* find the k-th non-empty reserve to bound the patch */
			for (j = 0; j < i; j++) {
				if (p->ops[j].kind != OP_RESERVE ||
				    !p->ops[j].n)
					continue;
				if (seen++ == k)
					break;
			}
			o->kind = OP_PATCH;
			o->slot = k;
			o->at = (size_t)(t_rand(&rs) % p->ops[j].n);
			o->n = (size_t)(t_rand(&rs) % (p->ops[j].n - o->at)) +
			       1;
			o->src = (size_t)(t_rand(&rs) % (POOL_SIZE - o->n + 1));
		}
		prev_end = o->src + o->n;
	}
}

/* The reference: one buffer, grown as needed, bytes copied in. */
static unsigned char *reference(struct plan *p, size_t *len)
{
	size_t cap = 1 << 16, size = 0, i, k = 0;
	unsigned char *buf = malloc(cap);
	uint64_t slot_off[MAX_OPS];

	for (i = 0; i < p->nops && buf; i++) {
		const struct op *o = &p->ops[i];
		size_t start;

		if (o->kind == OP_PATCH) {
			memcpy(buf + slot_off[o->slot] + o->at,
			       p->pool + o->src, o->n);
			continue;
		}
		start = (size + o->align - 1) / o->align * o->align;
		while (start + o->n > cap) {
			unsigned char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		memset(buf + size, 0, start - size);
		if (o->kind == OP_RESERVE) {
			memset(buf + start, 0, o->n);
			if (o->n)
				slot_off[k++] = start;
		} else {
			memcpy(buf + start, p->pool + o->src, o->n);
		}
		p->want_off[i] = start;
		size = start + o->n;
	}
	*len = size;
	return buf;
}

static int obs_collect(void *ctx, const void *b, size_t n)
{
	struct obs *ob = ctx;

	if (!n)
		ob->empty_runs++;
	if (n > ob->cap - ob->n) {
		ob->overflow = 1;
		return -ENOSPC;
	}
	memcpy(ob->buf + ob->n, b, n);
	ob->n += n;
	return 0;
}

/* Attach the observer, afresh (the serializer may run twice). */
static int attach(iovw_writer *w, struct plan *p)
{
	p->obs->n = 0;
	p->obs->overflow = p->obs->empty_runs = 0;
	return iovw_observe(w, obs_collect, p->obs);
}

/* The serializer under test: the same script against the writer. */
static int plan_fn(iovw_writer *w, void *ctx)
{
	struct plan *p = ctx;
	size_t i, k = 0;
	uint64_t off;
	int rc = 0;

	for (i = 0; i < p->nops && !rc; i++) {
		const struct op *o = &p->ops[i];
		const unsigned char *src = p->pool + o->src;

		if (p->obs && i == p->attach_at && (rc = attach(w, p)))
			break;
		/* odd ops: iovw_flush (stream writes), even: observe only */
		if (p->obs && i && p->flush[i - 1] &&
		    (rc = i % 2 ? iovw_flush(w) : iovw_observe_sync(w)))
			break;
		switch (o->kind) {
		case OP_BORROW:
			rc = iovw_append(w, src, o->n, o->align, &off);
			break;
		case OP_COPY:
			rc = iovw_append_copy(w, src, o->n, o->align, &off);
			break;
		case OP_RESERVE:
			rc = iovw_reserve(w, o->n, o->align, &off);
			if (o->n)
				p->slot_off[k++] = off;
			break;
		case OP_PATCH:
			rc = iovw_patch(w, p->slot_off[o->slot] + o->at, src,
					o->n);
			continue;
		}
		if (!rc && off != p->want_off[i])
			p->bad_offsets++;
	}
	if (!rc && p->obs) {
		if (p->attach_at >= p->nops)
			rc = attach(w, p);
		if (!rc)
			rc = iovw_flush(w);
	}
	return rc;
}

/* iovw_write_fd at `off` into a file of `off + len / 2` bytes of 'q': the
 * bytes before off kept, the stream's bytes after them, nothing shrunk. */
static int write_at(struct plan *p, iovw_strategy s, const iovw_options *o,
		    uint64_t at, const unsigned char *want, size_t wlen)
{
	size_t pre = (size_t)at + wlen / 2, len, i;
	unsigned char *got;
	int fd, rc, ok;

	REQUIRE(h_make_file(h_path("at"), pre, 'q') == 0);
	fd = open(h_path("at"), O_RDWR);
	REQUIRE(fd >= 0);
	p->bad_offsets = 0;
	rc = iovw_write_fd(fd, at, s, plan_fn, p, o, NULL);
	close(fd);
	got = t_read_file(h_path("at"), &len);
	REQUIRE(got);
	ok = !rc && !p->bad_offsets && len == at + wlen;
	for (i = 0; ok && i < at; i++)
		ok = got[i] == 'q';
	ok = ok && !memcmp(got + at, want, wlen);
	free(got);
	return ok ? 0 : rc ? rc : -EPROTO;
}

static void random_plans(void)
{
	static const size_t coalesce[] = {0, 0, 0, 1, 8, 16, 64, 512, 4096};
	unsigned char *pool = malloc(POOL_SIZE), *want, *got;
	uint64_t plans = t_scaled(2000), seed, bytes = 0;
	size_t iov_max = iovw_iov_max();
	struct plan *p = calloc(1, sizeof(*p));
	unsigned failures = 0;

	REQUIRE(pool && p);
	h_fill(pool, POOL_SIZE, 42);
	p->pool = pool;
	for (seed = 1; seed <= plans && failures < 5; seed++) {
		uint64_t rs = seed;
		iovw_options o = {0};
		size_t wlen, glen;
		int s;

		make_plan(p, seed);
		want = reference(p, &wlen);
		REQUIRE(want);
		o.coalesce_below = coalesce[t_rand(&rs) % 9];
		switch (t_rand(&rs) % 4) { /* stream's staging buffer */
		case 0:
			o.stage_bytes = 0;
			break;
		case 1:
			o.stage_bytes = (size_t)(t_rand(&rs) % 16) + 1;
			break;
		default:
			o.stage_bytes = (size_t)(t_rand(&rs) % 100000) + 1;
			break;
		}
		switch (t_rand(&rs) % 4) {
		case 0:
			o.batch_limit = (size_t)(t_rand(&rs) % 8) + 1;
			break;
		case 1:
			o.batch_limit = (size_t)(t_rand(&rs) % iov_max) + 1;
			break;
		case 2:
			o.batch_limit = iov_max;
			break;
		default:
			o.batch_limit = 0;
			break;
		}
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			iovw_stats st = {0};
			size_t batch = o.batch_limit ? o.batch_limit : iov_max;
			int rc;

			uint64_t at, wrote = wlen; /* the file's bytes, once */

			p->bad_offsets = 0;
			rc = h_write_read("out", (iovw_strategy)s, plan_fn, p,
					  &o, &st, &got, &glen);
			if (rc || glen != wlen || memcmp(got, want, wlen) ||
			    p->bad_offsets || st.bytes_written != wrote) {
				t_fail_at(__FILE__, __LINE__,
					  "seed %llu strategy %s: rc %d, %zu "
					  "bytes "
					  "(want %zu), %u bad offsets, batch "
					  "%zu, "
					  "coalesce %zu, stage %zu",
					  (unsigned long long)seed,
					  iovw_strategy_name((iovw_strategy)s),
					  rc, glen, wlen, p->bad_offsets, batch,
					  o.coalesce_below, o.stage_bytes);
				failures++;
			}
			/* every fourth plan also at an offset */
			at = t_rand(&rs) % 10000;
			if (seed % 4 == 0 &&
			    (rc = write_at(p, (iovw_strategy)s, &o, at, want,
					   wlen))) {
				t_fail_at(__FILE__, __LINE__,
					  "seed %llu strategy %s at %llu: rc "
					  "%d",
					  (unsigned long long)seed,
					  iovw_strategy_name((iovw_strategy)s),
					  (unsigned long long)at, rc);
				failures++;
			}
			if (s == IOVW_PWRITEV && !rc) {
				uint64_t calls = st.syscalls[IOVW_SYS_PWRITEV] +
						 st.syscalls[IOVW_SYS_PWRITE];
				CHECK_EQ(calls,
					 (st.iovecs + batch - 1) / batch);
				CHECK_EQ(st.batches, calls);
			}
			if (s == IOVW_WRITE_EACH && !rc)
				CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE],
					 st.iovecs);
			if (s == IOVW_STREAM &&
			    !rc) /* every call carried data */
				CHECK_EQ(st.batches,
					 st.syscalls[IOVW_SYS_PWRITEV] +
						 st.syscalls[IOVW_SYS_PWRITE]);
			free(got);
		}
		bytes += wlen;
		free(want);
	}
	printf("    %llu plans, %llu bytes each strategy\n",
	       (unsigned long long)(seed - 1), (unsigned long long)bytes);
	free(pool);
	free(p);
}

/* The reference with the reserved slots as zeros, and the stream size
 * before op `upto` (where an observer attached there starts). */
static unsigned char *zeroed_reference(const struct plan *p,
				       const unsigned char *want, size_t wlen,
				       size_t upto, size_t *from)
{
	unsigned char *z = malloc(wlen ? wlen : 1);
	size_t i;

	if (!z)
		return NULL;
	memcpy(z, want, wlen);
	*from = 0;
	for (i = 0; i < p->nops; i++) {
		const struct op *o = &p->ops[i];
		if (o->kind == OP_PATCH)
			continue;
		if (o->kind == OP_RESERVE)
			memset(z + p->want_off[i], 0, o->n);
		if (i < upto)
			*from = (size_t)p->want_off[i] + o->n;
	}
	return z;
}

/* An observer attached before a random operation, iovw_flush() after
 * random ones: every strategy's observer sees the stream from there on,
 * slots as zeros, and the file is still right. */
static void observed_plans(void)
{
	unsigned char *pool = malloc(POOL_SIZE), *want, *zero, *got;
	uint64_t plans = t_scaled(600), seed;
	struct plan *p = calloc(1, sizeof(*p));
	struct obs ob = {0};
	unsigned failures = 0;

	REQUIRE(pool && p);
	h_fill(pool, POOL_SIZE, 44);
	p->pool = pool;
	for (seed = 9000; seed < 9000 + plans && failures < 5; seed++) {
		uint64_t rs = seed ^ 0x5555;
		iovw_options o = {0};
		size_t wlen, glen, from, i;
		int s, rc;

		make_plan(p, seed);
		want = reference(p, &wlen);
		REQUIRE(want);
		p->attach_at = (size_t)(t_rand(&rs) % (p->nops + 1));
		for (i = 0; i < p->nops; i++)
			p->flush[i] = t_rand(&rs) % 5 == 0;
		zero = zeroed_reference(p, want, wlen, p->attach_at, &from);
		ob.cap = wlen;
		ob.buf = malloc(wlen ? wlen : 1);
		REQUIRE(zero && ob.buf);
		p->obs = &ob;
		o.coalesce_below = (size_t)(t_rand(&rs) % 3) * 40;
		o.stage_bytes = (size_t)(t_rand(&rs) % 5000) + 1;
		o.batch_limit = (size_t)(t_rand(&rs) % 16) + 1;
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			p->bad_offsets = 0;
			rc = h_write_read("o", (iovw_strategy)s, plan_fn, p, &o,
					  NULL, &got, &glen);
			if (rc || glen != wlen || memcmp(got, want, wlen) ||
			    ob.n != wlen - from || ob.overflow ||
			    ob.empty_runs ||
			    memcmp(ob.buf, zero + from, wlen - from)) {
				t_fail_at(__FILE__, __LINE__,
					  "seed %llu %s: rc %d, observed %zu "
					  "bytes from %zu of %zu, %s",
					  (unsigned long long)seed,
					  iovw_strategy_name((iovw_strategy)s),
					  rc, ob.n, from, wlen,
					  ob.empty_runs		? "empty runs"
					  : ob.n == wlen - from ? "other bytes"
								: "");
				failures++;
			}
			free(got);
		}
		p->obs = NULL;
		free(ob.buf);
		free(zero);
		free(want);
	}
	free(pool);
	free(p);
}

struct scan_buf {
	unsigned char *dst;
	size_t n;
};

static int scan_collect(void *ctx, const void *p, size_t n)
{
	struct scan_buf *sb = ctx;
	if (!n)
		return -EPROTO; /* never called with an empty run */
	memcpy(sb->dst + sb->n, p, n);
	sb->n += n;
	return 0;
}

/* The same plans through measure and direct mode by hand, gather, scan. */
static void modes_agree(void)
{
	unsigned char *pool = malloc(POOL_SIZE), *want, *region, *gathered;
	struct plan *p = calloc(1, sizeof(*p));
	uint64_t plans = t_scaled(500), seed, seed_rs = 99;

	REQUIRE(pool && p);
	h_fill(pool, POOL_SIZE, 43);
	p->pool = pool;
	for (seed = 5000; seed < 5000 + plans; seed++) {
		iovw_writer *m, *d, *pl;
		size_t wlen;

		make_plan(p, seed);
		want = reference(p, &wlen);
		REQUIRE(want);
		region = malloc(wlen + 1);
		gathered = malloc(wlen + 1);
		REQUIRE(region && gathered);
		REQUIRE(iovw_writer_new(&m, IOVW_MODE_MEASURE, NULL) == 0);
		REQUIRE(iovw_writer_new_direct(&d, region, wlen, NULL) == 0);
		REQUIRE(iovw_writer_new(&pl, IOVW_MODE_PLAN, NULL) == 0);
		p->bad_offsets = 0;
		{ /* measure mode has no bytes to observe */
			struct obs ob = {NULL, 0, 0, 0, 0};
			p->obs = &ob;
			p->attach_at = 0;
			memset(p->flush, 1, sizeof(p->flush));
			CHECK_EQ(plan_fn(m, p), 0);
			CHECK_EQ(ob.n + (size_t)ob.overflow, 0);
			p->obs = NULL;
		}
		CHECK_EQ(plan_fn(d, p), 0);
		CHECK_EQ(plan_fn(pl, p), 0);
		CHECK_EQ(p->bad_offsets, 0);
		CHECK_EQ(iovw_size(m), wlen);
		CHECK_EQ(iovw_size(d), wlen);
		CHECK_EQ(iovw_size(pl), wlen);
		CHECK_EQ(iovw_pieces(m), iovw_pieces(pl));
		CHECK(memcmp(region, want, wlen) == 0);
		CHECK_EQ(iovw_plan_gather(pl, gathered, wlen), 0);
		CHECK(memcmp(gathered, want, wlen) == 0);
		/* iovw_scan from any offset yields the stream's tail */
		{
			struct scan_buf sb = {gathered, 0};
			uint64_t from = t_rand(&seed_rs) % (wlen + 1);

			memset(gathered, 0xEE, wlen + 1);
			CHECK_EQ(iovw_scan(pl, from, scan_collect, &sb), 0);
			CHECK_EQ(sb.n, wlen - from);
			CHECK(memcmp(gathered, want + from, wlen - from) == 0);
			sb.n = 0;
			memset(gathered, 0xEE, wlen + 1);
			CHECK_EQ(iovw_scan(d, from, scan_collect, &sb), 0);
			CHECK_EQ(sb.n, wlen - from);
			CHECK(memcmp(gathered, want + from, wlen - from) == 0);
			sb.n = 0;
			CHECK_EQ(iovw_scan(m, from, scan_collect, &sb), 0);
			CHECK_EQ(sb.n, 0);
			CHECK_EQ(iovw_scan(pl, wlen + 1, scan_collect, &sb),
				 -EINVAL);
		}
		iovw_writer_free(m);
		iovw_writer_free(d);
		iovw_writer_free(pl);
		free(region);
		free(gathered);
		free(want);
	}
	free(pool);
	free(p);
}

static const struct t_case cases[] = {
	{"random_plans", random_plans},
	{"modes_agree", modes_agree},
	{"observed_plans", observed_plans},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "property", cases);
}
