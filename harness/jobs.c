/*
 * jobs.c - what one sample of `iovbench run` does (see jobs.h).
 */
#include "jobs.h"

#include "output.h"
#include "timefn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

int job_clear_out(const struct job_ctx *j)
{
	char path[4096];
	size_t i;

	for (i = 0; i < j->w->nfiles; i++) {
		out_path(j->w, j->out, i, path, sizeof(path));
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* Reference rows: each file's bytes in a warm, pre-faulted buffer. */
static int prepare_bufs(struct job_ctx *j)
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

int job_prepare(void *ctx)
{
	struct job_ctx *j = ctx;
	int rc = job_clear_out(j);

	if (!rc)
		rc = touch_workload(j->w);
	if (rc || j->strategy < REF_GATHER)
		return rc;
	return prepare_bufs(j); /* the gather writes into these: warm */
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

int job_run(void *ctx, const iovw_options *o, iovw_stats *st)
{
	struct job_ctx *j = ctx;
	char path[4096];
	size_t i;
	int rc = 0;

	if (j->strategy < REF_GATHER)
		return out_write(j->w, j->out, (iovw_strategy)j->strategy, o,
				 st, path, sizeof(path));
	if (j->strategy == REF_GATHER) {
		/* plan each file, copy its pieces into the warm buffer */
		for (i = 0; i < j->w->nfiles && !rc; i++) {
			iovw_writer *p;
			uint64_t t0 = tf_now_ns();
			if ((rc = iovw_writer_new(&p, IOVW_MODE_PLAN, NULL)))
				break;
			rc = j->w->files[i].ops->serialize(p,
							   j->w->files[i].obj);
			if (!rc)
				rc = iovw_plan_gather(p, j->bufs[i],
						      j->sizes[i]);
			/* the plan's own copies are part of the file: count
			 * the file's bytes once, as the bytes gathered */
			iovw_stats ws = {0};
			iovw_writer_stats(p, &ws);
			ws.bytes_copied = j->sizes[i];
			iovw_stats_add(st, &ws);
			st->build_ns += tf_now_ns() - t0;
			iovw_writer_free(p);
		}
		return rc;
	}
	/* pwrite-limit: one pwrite of each warm buffer, as a file is written */
	if (j->w->is_dir && mkdir(j->out, 0777) < 0 && errno != EEXIST)
		return -errno;
	for (i = 0; i < j->w->nfiles && !rc; i++) {
		struct one_piece op = {j->bufs[i], j->sizes[i]};
		out_path(j->w, j->out, i, path, sizeof(path));
		rc = iovw_write_file(path, IOVW_PWRITEV, one_piece_fn, &op, o,
				     st);
	}
	return rc;
}

int digest_out(const struct workload *w, const char *out, char *hex)
{
	XXH3_state_t *hs = XXH3_createState();
	char path[4096];
	size_t i;
	int rc = 0;

	if (!hs)
		return -ENOMEM;
	XXH3_128bits_reset(hs);
	for (i = 0; i < w->nfiles && !rc; i++) {
		struct stat sb;
		unsigned char *buf;
		XXH128_hash_t d;
		int fd;

		out_path(w, out, i, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) < 0) {
			rc = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		buf = malloc((size_t)sb.st_size + 1);
		if (!buf || read(fd, buf, (size_t)sb.st_size) != sb.st_size)
			rc = -EIO;
		else {
			d = XXH3_128bits(buf, (size_t)sb.st_size);
			XXH3_128bits_update(hs, &d, sizeof(d));
		}
		free(buf);
		close(fd);
	}
	if (!rc) {
		XXH128_hash_t d = XXH3_128bits_digest(hs);
		sprintf(hex, "%016llx%016llx", (unsigned long long)d.high64,
			(unsigned long long)d.low64);
	}
	XXH3_freeState(hs);
	return rc;
}
