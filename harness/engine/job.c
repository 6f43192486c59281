/*
 * job.c - what one sample of a row does (see job.h).
 */
#include "engine/job.h"

#include "engine/output.h"
#include "engine/pagecache.h"
#include "engine/twin.h"
#include "stats/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reference rows: each file's bytes in a warm, pre-faulted buffer. */
static int prepare_bufs(struct job *j)
{
	size_t i;
	int rc = 0;

	j->bufs = calloc(j->w->nfiles, sizeof(*j->bufs));
	j->sizes = calloc(j->w->nfiles, sizeof(*j->sizes));
	if (!j->bufs || !j->sizes)
		return -ENOMEM;
	for (i = 0; i < j->w->nfiles && !rc; i++) {
		iovw_writer *p;
		if ((rc = iovw_writer_new(&p, IOVW_MODE_PLAN, NULL)))
			break;
		rc = j->w->files[i].ops->serialize(p, j->w->files[i].obj);
		j->sizes[i] = iovw_size(p);
		j->bufs[i] = malloc(j->sizes[i] ? (size_t)j->sizes[i] : 1);
		if (!rc && !j->bufs[i])
			rc = -ENOMEM;
		if (!rc)
			rc = iovw_plan_gather(p, j->bufs[i], j->sizes[i]);
		iovw_writer_free(p);
	}
	return rc;
}

/* Read a byte of every page the workload's pieces lie in. A fresh child
 * reaches its inherited memory through page tables of its own, and on a
 * virtual machine with shadow paging the first touch of each page costs
 * microseconds (measured here: 180 ms to read 150 MB the first time in a
 * child, 11 ms after). A compiler writes its cache from memory it has
 * just used, so the samples start warm too. */
static int touch_workload(const struct workload *w)
{
	volatile unsigned char sink = 0;
	long page = sysconf(_SC_PAGESIZE);
	size_t i, k, n;
	int rc = 0;

	for (i = 0; i < w->nfiles && !rc; i++) {
		const struct iovec *iov;
		iovw_writer *p;

		if ((rc = iovw_writer_new(&p, IOVW_MODE_PLAN, NULL)))
			break;
		rc = w->files[i].ops->serialize(p, w->files[i].obj);
		iov = iovw_iovecs(p, &n);
		for (k = 0; k < n && !rc; k++) {
			const unsigned char *b = iov[k].iov_base;
			size_t off;
			for (off = 0; off < iov[k].iov_len; off += (size_t)page)
				sink ^= b[off];
			sink ^= b[iov[k].iov_len - 1];
		}
		iovw_writer_free(p);
	}
	(void)sink;
	return rc;
}

/* A twin: fio's byte count (the workload's, measured, in whole blocks)
 * and one block of bytes, touched, as fio's buffer is (what the bytes are
 * does not matter to the page cache). */
static int prepare_twin(struct job *j)
{
	uint64_t total = 0;
	unsigned char *b;
	size_t i;
	int rc = 0;

	for (i = 0; i < j->w->nfiles && !rc; i++) {
		iovw_writer *m;
		if ((rc = iovw_writer_new(&m, IOVW_MODE_MEASURE, NULL)))
			break;
		rc = j->w->files[i].ops->serialize(m, j->w->files[i].obj);
		total += iovw_size(m);
		iovw_writer_free(m);
	}
	if (rc)
		return rc;
	j->twin_bytes = (total + TWIN_BLOCK - 1) / TWIN_BLOCK * TWIN_BLOCK;
	if (!(b = malloc(TWIN_BLOCK)))
		return -ENOMEM;
	for (i = 0; i < TWIN_BLOCK; i++)
		b[i] = (unsigned char)(i * 131 + 7);
	j->twin_block = b;
	return 0;
}

int job_remove(const struct job *j)
{
	if (j->spec->kind != ROW_TWIN)
		return out_remove(j->w, j->out);
	return unlink(j->out) < 0 && errno != ENOENT ? -errno : 0;
}

int job_prepare(void *ctx, const iovw_options *o)
{
	struct job *j = ctx;
	iovw_stats st = {0};
	int rc = job_remove(j);

	/* the reference rows' gathering and a warm row's first run read
	 * every page of the workload anyway */
	if (!rc && j->spec->kind == ROW_STRATEGY && !j->spec->warm)
		rc = touch_workload(j->w);
	if (!rc && j->spec->kind == ROW_TWIN)
		rc = prepare_twin(j);
	else if (!rc && j->spec->kind != ROW_STRATEGY)
		rc = prepare_bufs(j); /* the gather writes into these: warm */
	if (rc || !j->spec->warm)
		return rc;
	rc = job_run(j, o, &st);
	return rc ? rc : job_remove(j);
}

struct one_piece {
	const void *p;
	uint64_t n;
};

static int one_piece_fn(iovw_writer *w, void *ctx)
{
	const struct one_piece *o = ctx;
	return iovw_append(w, o->p, (size_t)o->n, 1, NULL);
}

/* gather-limit: plan each file, copy its pieces into the warm buffer.
 * One plan writer for all files, reset between them (kept between runs:
 * warm memory). */
static int run_gather(struct job *j, iovw_stats *st)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < j->w->nfiles && !rc; i++) {
		const struct wl_file *f = &j->w->files[i];
		uint64_t t0 = clock_now_ns();
		iovw_stats ws = {0};
		iovw_writer *p = j->plan;

		if (!p &&
		    (rc = iovw_writer_new(&j->plan, IOVW_MODE_PLAN, NULL)))
			break;
		p = j->plan;
		iovw_writer_reset(p);
		rc = f->ops->serialize(p, f->obj);
		if (!rc)
			rc = iovw_plan_gather(p, j->bufs[i], j->sizes[i]);
		/* the plan's own copies are part of the file: count the
		 * file's bytes once, as the bytes gathered */
		iovw_writer_stats(p, &ws);
		ws.bytes_copied = j->sizes[i];
		iovw_stats_add(st, &ws);
		st->build_ns += clock_now_ns() - t0;
	}
	return rc;
}

/* pwrite-limit: one pwrite of each warm buffer, as a file is written. */
static int run_pwrite_limit(struct job *j, const iovw_options *o,
			    iovw_stats *st)
{
	char path[4096];
	size_t i;
	int rc = 0;

	if (j->w->is_dir && mkdir(j->out, 0777) < 0 && errno != EEXIST)
		return -errno;
	for (i = 0; i < j->w->nfiles && !rc; i++) {
		struct one_piece op = {j->bufs[i], j->sizes[i]};
		out_path(j->w, j->out, i, path, sizeof(path));
		rc = iovw_ctx_write_file(j->ctx, path, IOVW_PWRITEV,
					 one_piece_fn, &op, o, st);
	}
	return rc;
}

int job_cached(void *ctx, uint64_t *bytes)
{
	const struct job *j = ctx;

	return pagecache_resident(j->out, bytes);
}

int job_run(void *ctx, const iovw_options *o, iovw_stats *st)
{
	struct job *j = ctx;
	char failed[4096];
	int rc;

	/* the writer context: made by the first run (fresh memory: in the
	 * measured run; warm: in the untimed one before) and kept */
	if (!j->ctx &&
	    (j->spec->kind == ROW_STRATEGY ||
	     j->spec->kind == ROW_PWRITE_LIMIT) &&
	    (rc = iovw_ctx_new(&j->ctx, NULL)))
		return rc;
	switch (j->spec->kind) {
	case ROW_STRATEGY:
		return out_write_ctx(j->w, j->out, j->ctx, j->spec->strategy, o,
				     st, failed, sizeof(failed));
	case ROW_GATHER_LIMIT:
		return run_gather(j, st);
	case ROW_PWRITE_LIMIT:
		return run_pwrite_limit(j, o, st);
	case ROW_TWIN:
		return twin_write(j->spec->engine, j->out, j->twin_block,
				  j->twin_bytes, j->spec->fsync, st);
	default:
		return -EINVAL; /* peers run fio, not a job */
	}
}
