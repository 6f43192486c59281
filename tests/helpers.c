/*
 * helpers.c - iovw-specific helpers shared by the test programs.
 */
#include "helpers.h"

#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *h_path(const char *name)
{
	static char buf[4200];
	snprintf(buf, sizeof(buf), "%s/%s", t_tmpdir(), name);
	return buf;
}

int h_write_read(const char *name, iovw_strategy s, iovw_serialize_fn fn,
		 void *ctx, const iovw_options *o, iovw_stats *st,
		 unsigned char **out, size_t *len)
{
	char path[4200];
	int rc;

	snprintf(path, sizeof(path), "%s", h_path(name));
	*out = NULL;
	*len = 0;
	rc = iovw_write_file(path, s, fn, ctx, o, st);
	if (rc)
		return rc;
	*out = t_read_file(path, len);
	return *out ? 0 : -EIO;
}

void h_fill(void *p, size_t n, uint64_t seed)
{
	unsigned char *c = p;
	uint64_t s = seed * 2654435761u + 1;
	size_t i = 0;

	while (i < n) {
		uint64_t r = t_rand(&s);
		size_t k;
		for (k = 0; k < 8 && i < n; k++, i++)
			c[i] = (unsigned char)(r >> (8 * k));
	}
}

int h_make_file(const char *path, size_t n, int c)
{
	unsigned char *buf = malloc(n ? n : 1);
	int fd, rc = 0;

	if (!buf)
		return -ENOMEM;
	memset(buf, c, n);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, n) != (ssize_t)n)
		rc = -errno ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int tick(struct h_alloc *h)
{
	uint64_t call = h->calls++;

	if (h->fail_one)
		return call == h->fail_from;
	return h->mallocs + h->reallocs >= h->fail_from;
}

static void *h_malloc(void *ctx, size_t n)
{
	struct h_alloc *h = ctx;
	if (tick(h))
		return NULL;
	h->mallocs++;
	h->blocks++;
	h->bytes += n;
	return malloc(n ? n : 1);
}

static void *h_realloc(void *ctx, void *p, size_t n)
{
	struct h_alloc *h = ctx;
	if (tick(h))
		return NULL;
	h->reallocs++;
	if (!p)
		h->blocks++;
	h->bytes += n;
	return realloc(p, n ? n : 1);
}

static void h_free(void *ctx, void *p)
{
	struct h_alloc *h = ctx;
	if (p)
		h->frees++;
	free(p);
}

void h_alloc_init(struct h_alloc *h)
{
	memset(h, 0, sizeof(*h));
	h->fail_from = UINT64_MAX;
	h->a.ctx = h;
	h->a.malloc = h_malloc;
	h->a.realloc = h_realloc;
	h->a.free = h_free;
}
