/*
 * micro.c - microbenchmarks of libiovw and the module format, on
 * google-benchmark through the C shim (gbench.h).
 *
 *   microbench [--benchmark_filter=REGEX] [--benchmark_min_time=SECONDS]
 *              [--benchmark_repetitions=N] [--benchmark_out=FILE] ...
 *
 * The library's calls, BATCH of them per iteration (a call to
 * gb_keep_running() costs a few ns, as much as what is measured, so it is
 * amortised; BM_empty measures it), into a plan-mode writer reset before
 * each batch (the reset is timed, once per BATCH calls):
 *   BM_empty                     the loop alone: gb_keep_running()
 *   BM_append_borrowed/N         iovw_append of N-byte pieces, apart in
 *                                memory (one iovec each)
 *   BM_append_borrowed_merged/N  the same, adjacent (merged into one)
 *   BM_append_copy/N             iovw_append_copy of N-byte pieces
 *   BM_append_aligned/align:A    12-byte pieces aligned to A: a padding
 *                                iovec before each
 *   BM_reserve_patch/N           iovw_reserve of N bytes, then iovw_patch
 *   BM_layout_hash               iovm_layout_hash of the module layout
 *                                (one call per iteration)
 * items_per_second counts calls (appends, reserve+patch pairs); the
 * per_item counter is the CPU time per call (seconds in the JSON).
 *
 * Per workload W (workload.h, seed 1, scale 0.02 as iovbench's --quick;
 * bytes_per_second counts the files' bytes, items_per_second the pieces
 * for plan build and gather, the files for the others):
 *   BM_plan_build/W     run the serializers into a reset plan-mode
 *                       writer, nothing written (this includes the body
 *                       checksum each serializer computes)
 *   BM_gather/W         iovw_plan_gather of the plans into warm buffers
 *   BM_checksum/W       iovm_checksum (XXH3-64) of the files in memory
 *   BM_load_validate/W  iovm_open_mem: header, root table, bounds,
 *                       alignment and checksum
 *   BM_load_check/W     the same, then iovm_rebuild's checks of what the
 *                       arrays mean, without building the structures
 *   BM_stream_null/W    the files through the stream strategy into
 *                       /dev/null (iovw_write_fd, default settings): the
 *                       serializer, staging copies, the checksum as the
 *                       windows go, and the write calls, which /dev/null
 *                       makes cheap
 *
 * Exit status: that of gb_run() (0 ok, 2 bad argument, 3 failure).
 */
#include "gbench.h"

#include "format.h"
#include "iovw.h"
#include "kinds.h"
#include "loader.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 1024u /* library calls per iteration */
#define SEED  1u
#define SCALE 0.02 /* iovbench's --quick */

/* Report `items` and `bytes` per iteration. */
static void per_iteration(gb_state *st, uint64_t items, uint64_t bytes)
{
	uint64_t it = gb_iterations(st);

	gb_set_items_processed(st, (int64_t)(it * items));
	if (bytes)
		gb_set_bytes_processed(st, (int64_t)(it * bytes));
}

/* The same, and the counter per_item: the CPU time per item (seconds in
 * the JSON, "ns" in the table), for BATCH items per iteration. */
static void per_item(gb_state *st, uint64_t items, uint64_t bytes)
{
	per_iteration(st, items, bytes);
	gb_counter(st, "per_item", (double)items,
		   GB_COUNTER_RATE | GB_COUNTER_ITERATION_INVARIANT |
			   GB_COUNTER_INVERT);
}

static void fail(gb_state *st, const char *what, int rc)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", what, iovw_strerror(rc));
	gb_skip_with_error(st, msg);
}

static void bm_empty(gb_state *st, void *ctx)
{
	(void)ctx;
	while (gb_keep_running(st))
		gb_clobber_memory();
	per_item(st, 1, 0);
}

/* ---- appends, reserves, patches ---------------------------------------- */

enum op { OP_BORROW, OP_BORROW_MERGED, OP_COPY, OP_ALIGNED, OP_RESERVE };

struct op_bench {
	enum op op;
};

static const struct op_bench op_borrow = {OP_BORROW};
static const struct op_bench op_borrow_merged = {OP_BORROW_MERGED};
static const struct op_bench op_copy = {OP_COPY};
static const struct op_bench op_aligned = {OP_ALIGNED};
static const struct op_bench op_reserve = {OP_RESERVE};

/* BATCH calls of `op` into `w` after a reset. `buf` holds the pieces, one
 * every `stride` bytes. */
static int op_batch(iovw_writer *w, enum op op, const unsigned char *buf,
		    size_t n, size_t stride, size_t align)
{
	uint64_t off;
	size_t i;
	int rc = 0;

	iovw_writer_reset(w);
	switch (op) {
	case OP_BORROW:
	case OP_BORROW_MERGED:
	case OP_ALIGNED:
		for (i = 0; i < BATCH; i++)
			rc |= iovw_append(w, buf + i * stride, n, align, NULL);
		break;
	case OP_COPY:
		for (i = 0; i < BATCH; i++)
			rc |= iovw_append_copy(w, buf + i * stride, n, 1, NULL);
		break;
	case OP_RESERVE:
		for (i = 0; i < BATCH; i++) {
			rc |= iovw_reserve(w, n, 8, &off);
			rc |= iovw_patch(w, off, buf + i * stride, n);
		}
		break;
	}
	return rc ? iovw_error(w) : 0;
}

static void bm_op(gb_state *st, void *ctx)
{
	const struct op_bench *b = ctx;
	size_t arg = (size_t)gb_range(st, 0), n = arg, align = 1, stride;
	unsigned char *buf;
	iovw_writer *w;
	int rc;

	if (b->op == OP_ALIGNED) {
		n = 12;
		align = arg;
	}
	/* apart in memory unless merging is what is measured */
	stride = b->op == OP_BORROW_MERGED ? n : 2 * n;
	buf = malloc(BATCH * stride);
	if (!buf) {
		fail(st, "malloc", -ENOMEM);
		return;
	}
	memset(buf, 0x5a, BATCH * stride);
	rc = iovw_writer_new(&w, IOVW_MODE_PLAN, NULL);
	if (rc) {
		free(buf);
		fail(st, "iovw_writer_new", rc);
		return;
	}
	/* one untimed batch: the writer's arrays and arena are grown */
	rc = op_batch(w, b->op, buf, n, stride, align);
	while (!rc && gb_keep_running(st))
		rc = op_batch(w, b->op, buf, n, stride, align);
	if (rc)
		fail(st, "append", rc);
	else
		per_item(st, BATCH, (uint64_t)BATCH * n);
	iovw_writer_free(w);
	free(buf);
}

/* iovm_layout_hash of the module layout (51 fields), which every module
 * file's serializer and every open computes once. */
static void bm_layout_hash(gb_state *st, void *ctx)
{
	uint64_t h = iovm_layout_hash(&module_layout); /* warm, untimed */

	(void)ctx;
	while (gb_keep_running(st)) {
		h += iovm_layout_hash(&module_layout);
		gb_do_not_optimize(&h);
	}
	per_item(st, 1, 0);
}

/* ---- per workload ------------------------------------------------------ */

/* A workload, generated on first use, with each file's plan and bytes. */
struct wl_bench {
	const char *name;
	int ready; /* 0 not yet, 1 ready, < 0 failed with that errno */
	struct workload *w;
	iovw_writer **plans;
	unsigned char **files; /* each file's bytes (8-aligned: malloc) */
	unsigned char **dst;   /* warm buffers the gather writes into */
	uint64_t *sizes;
	uint64_t bytes, pieces;
	char label[64];
};

static struct wl_bench *wls;

static int wl_prepare(struct wl_bench *b)
{
	size_t i, n;
	int rc;

	rc = wl_make(b->name, SEED, SCALE, &b->w);
	if (rc)
		return rc;
	n = b->w->nfiles;
	b->plans = calloc(n, sizeof(*b->plans));
	b->files = calloc(n, sizeof(*b->files));
	b->dst = calloc(n, sizeof(*b->dst));
	b->sizes = calloc(n, sizeof(*b->sizes));
	if (!b->plans || !b->files || !b->dst || !b->sizes)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct wl_file *f = &b->w->files[i];
		size_t sz;

		rc = iovw_writer_new(&b->plans[i], IOVW_MODE_PLAN, NULL);
		if (!rc)
			rc = f->ops->serialize(b->plans[i], f->obj);
		if (rc)
			return rc;
		b->sizes[i] = iovw_size(b->plans[i]);
		b->bytes += b->sizes[i];
		b->pieces += iovw_pieces(b->plans[i]);
		sz = b->sizes[i] ? (size_t)b->sizes[i] : 1;
		b->files[i] = malloc(sz);
		b->dst[i] = malloc(sz);
		if (!b->files[i] || !b->dst[i])
			return -ENOMEM;
		memset(b->dst[i], 0, sz); /* faulted in */
		rc = iovw_plan_gather(b->plans[i], b->files[i], b->sizes[i]);
		if (rc)
			return rc;
	}
	snprintf(b->label, sizeof(b->label), "%zu file%s, %llu B, %llu pieces",
		 n, n == 1 ? "" : "s", (unsigned long long)b->bytes,
		 (unsigned long long)b->pieces);
	return 0;
}

static void wl_release(struct wl_bench *b)
{
	size_t i, n = b->w ? b->w->nfiles : 0;

	for (i = 0; i < n; i++) {
		if (b->plans)
			iovw_writer_free(b->plans[i]);
		if (b->files)
			free(b->files[i]);
		if (b->dst)
			free(b->dst[i]);
	}
	free(b->plans);
	free(b->files);
	free(b->dst);
	free(b->sizes);
	wl_free(b->w);
	memset(b, 0, sizeof(*b));
}

/* The workload of a benchmark, generated when first needed (before the
 * timed loop), or NULL with the run marked failed. */
static struct wl_bench *wl_get(gb_state *st, void *ctx)
{
	struct wl_bench *b = ctx;

	if (!b->ready) {
		int rc = wl_prepare(b);
		b->ready = rc ? (rc < 0 ? rc : -EINVAL) : 1;
	}
	if (b->ready < 0) {
		fail(st, b->name, b->ready);
		return NULL;
	}
	gb_set_label(st, b->label);
	return b;
}

static void bm_plan_build(gb_state *st, void *ctx)
{
	struct wl_bench *b = wl_get(st, ctx);
	iovw_writer *p;
	size_t i;
	int rc;

	if (!b)
		return;
	if ((rc = iovw_writer_new(&p, IOVW_MODE_PLAN, NULL))) {
		fail(st, "iovw_writer_new", rc);
		return;
	}
	while (!rc && gb_keep_running(st)) {
		for (i = 0; i < b->w->nfiles && !rc; i++) {
			const struct wl_file *f = &b->w->files[i];
			iovw_writer_reset(p);
			rc = f->ops->serialize(p, f->obj);
		}
	}
	if (rc)
		fail(st, "serialize", rc);
	else
		per_iteration(st, b->pieces, b->bytes);
	iovw_writer_free(p);
}

static void bm_gather(gb_state *st, void *ctx)
{
	struct wl_bench *b = wl_get(st, ctx);
	size_t i;
	int rc = 0;

	if (!b)
		return;
	while (!rc && gb_keep_running(st)) {
		for (i = 0; i < b->w->nfiles; i++)
			rc |= iovw_plan_gather(b->plans[i], b->dst[i],
					       b->sizes[i]);
		gb_clobber_memory();
	}
	if (rc)
		fail(st, "iovw_plan_gather", rc);
	else
		per_iteration(st, b->pieces, b->bytes);
}

static void bm_checksum(gb_state *st, void *ctx)
{
	struct wl_bench *b = wl_get(st, ctx);
	uint64_t sum = 0;
	size_t i;

	if (!b)
		return;
	while (gb_keep_running(st)) {
		for (i = 0; i < b->w->nfiles; i++)
			sum += iovm_checksum(b->files[i], (size_t)b->sizes[i]);
		gb_do_not_optimize(&sum);
	}
	per_iteration(st, b->w->nfiles, b->bytes);
}

/* BM_load_validate (ctx's check 0) and BM_load_check (1). */
static void load_bench(gb_state *st, struct wl_bench *b, int check)
{
	char err[IOVM_ERRLEN] = "";
	size_t i;
	int rc = 0;

	if (!b)
		return;
	while (!rc && gb_keep_running(st)) {
		for (i = 0; i < b->w->nfiles && !rc; i++) {
			struct iovm_file f;
			rc = iovm_open_mem(b->files[i], (size_t)b->sizes[i], &f,
					   err, sizeof(err));
			if (!rc && check)
				rc = iovm_rebuild(&f, NULL, err, sizeof(err));
			if (!rc)
				iovm_close(&f);
		}
	}
	if (rc) {
		char msg[IOVM_ERRLEN + 64];
		snprintf(msg, sizeof(msg), "%s: %s", b->name,
			 rc == IOVM_INVALID ? err : iovw_strerror(rc));
		gb_skip_with_error(st, msg);
		return;
	}
	per_iteration(st, b->w->nfiles, b->bytes);
}

static void bm_load_validate(gb_state *st, void *ctx)
{
	load_bench(st, wl_get(st, ctx), 0);
}

static void bm_load_check(gb_state *st, void *ctx)
{
	load_bench(st, wl_get(st, ctx), 1);
}

static void bm_stream_null(gb_state *st, void *ctx)
{
	struct wl_bench *b = wl_get(st, ctx);
	int fd, rc = 0;
	size_t i;

	if (!b)
		return;
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(st, "/dev/null", -errno);
		return;
	}
	while (!rc && gb_keep_running(st)) {
		for (i = 0; i < b->w->nfiles && !rc; i++) {
			const struct wl_file *f = &b->w->files[i];
			rc = iovw_write_fd(fd, 0, IOVW_STREAM,
					   f->ops->serialize, f->obj, NULL,
					   NULL);
		}
	}
	close(fd);
	if (rc)
		fail(st, "stream", rc);
	else
		per_iteration(st, b->pieces, b->bytes);
}

/* ---- registration ------------------------------------------------------ */

static int add_op(const char *name, const struct op_bench *b,
		  const int64_t *args, size_t nargs, const char *arg_name)
{
	gb_bench *g = gb_register(name, bm_op, (void *)b);
	size_t i;
	int rc = g ? 0 : -ENOMEM;

	if (!rc && arg_name)
		rc = gb_bench_arg_names(g, &arg_name, 1);
	for (i = 0; i < nargs && !rc; i++)
		rc = gb_bench_arg(g, args[i]);
	return rc;
}

static int register_all(void)
{
	static const int64_t small[] = {16, 256}, one[] = {16},
			     copy[] = {16, 64, 256}, aligns[] = {8, 64, 4096},
			     slots[] = {8, 64};
	static const struct {
		const char *prefix;
		gb_fn fn;
	} per_wl[] = {
		{"BM_plan_build", bm_plan_build},
		{"BM_gather", bm_gather},
		{"BM_checksum", bm_checksum},
		{"BM_load_validate", bm_load_validate},
		{"BM_load_check", bm_load_check},
		{"BM_stream_null", bm_stream_null},
	};
	char name[64];
	size_t i, k;
	int rc = 0;

	if (!gb_register("BM_empty", bm_empty, NULL))
		return -ENOMEM;
	rc |= add_op("BM_append_borrowed", &op_borrow, small, 2, NULL);
	rc |= add_op("BM_append_borrowed_merged", &op_borrow_merged, one, 1,
		     NULL);
	rc |= add_op("BM_append_copy", &op_copy, copy, 3, NULL);
	rc |= add_op("BM_append_aligned", &op_aligned, aligns, 3, "align");
	rc |= add_op("BM_reserve_patch", &op_reserve, slots, 2, NULL);
	if (rc || !gb_register("BM_layout_hash", bm_layout_hash, NULL))
		return rc ? rc : -ENOMEM;
	wls = calloc(wl_count, sizeof(*wls));
	if (!wls)
		return -ENOMEM;
	for (k = 0; k < sizeof(per_wl) / sizeof(per_wl[0]); k++) {
		for (i = 0; i < wl_count; i++) {
			gb_bench *g;
			wls[i].name = wl_defs[i].name;
			snprintf(name, sizeof(name), "%s/%s", per_wl[k].prefix,
				 wl_defs[i].name);
			g = gb_register(name, per_wl[k].fn, &wls[i]);
			if (!g || gb_bench_unit(g, GB_US))
				return -ENOMEM;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;
	int rc = register_all();

	if (rc) {
		fprintf(stderr,
			"microbench: cannot register the benchmarks: %s\n",
			iovw_strerror(rc));
		return 3;
	}
	rc = gb_run(argc, argv);
	for (i = 0; i < wl_count; i++)
		wl_release(&wls[i]);
	free(wls);
	return rc;
}
