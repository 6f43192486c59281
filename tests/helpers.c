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
#include <sys/vfs.h>
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

unsigned char *h_plan_bytes(iovw_serialize_fn fn, void *ctx, size_t *len)
{
	iovw_writer *w;
	unsigned char *buf = NULL;

	if (iovw_writer_new(&w, IOVW_MODE_PLAN, NULL))
		return NULL;
	if (!fn(w, ctx)) {
		*len = iovw_size(w);
		buf = malloc(*len ? *len : 1);
		if (buf && iovw_plan_gather(w, buf, *len)) {
			free(buf);
			buf = NULL;
		}
	}
	iovw_writer_free(w);
	return buf;
}

void h_need_tmpfile(void)
{
	static char why[200];
	struct statfs sf;
	int fd = open(t_tmpdir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (statfs(t_tmpdir(), &sf) < 0)
		sf.f_type = 0;
	snprintf(why, sizeof(why),
		 "%s (file system magic 0x%lx) has no O_TMPFILE: %s",
		 t_tmpdir(), (unsigned long)sf.f_type, strerror(errno));
	t_skip(why);
}

void h_check_alone(const unsigned char *want, size_t wlen, int line)
{
	unsigned char *got;
	size_t len;

	got = t_read_file(h_path("t"), &len);
	if (!got || len != wlen || memcmp(got, want, wlen))
		t_fail_at(__FILE__, line, "target: wrong bytes (%zu, want %zu)",
			  got ? len : 0, wlen);
	if (t_count_dir(t_tmpdir()) != 1)
		t_fail_at(__FILE__, line, "%d entries in the directory",
			  t_count_dir(t_tmpdir()));
	free(got);
}

unsigned char h_small_src[4096];

int h_small_fn(iovw_writer *w, void *ctx)
{
	uint64_t h, v;
	int rc;

	(void)ctx;
	if ((rc = iovw_reserve(w, 8, 8, &h)) ||
	    (rc = iovw_append(w, h_small_src, 13, 1, NULL)) ||
	    (rc = iovw_append(w, h_small_src + 100, 7, 16, NULL)) ||
	    (rc = iovw_append_copy(w, h_small_src + 200, 21, 4, NULL)) ||
	    (rc = iovw_append(w, h_small_src + 300, 40, 32, NULL)) ||
	    (rc = iovw_append(w, h_small_src + 340, 9, 1, NULL))) /* merges */
		return rc;
	v = iovw_size(w) * 0x0101010101010101u; /* no zero byte */
	return iovw_patch(w, h, &v, sizeof(v));
}

unsigned char *h_small_bytes(size_t *len)
{
	h_fill(h_small_src, sizeof(h_small_src), 77);
	return h_plan_bytes(h_small_fn, NULL, len);
}

int h_big_fn(iovw_writer *w, void *ctx)
{
	const struct h_big *b = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < b->n && !rc; i += 4096)
		rc = (i / 4096 % 2 ? iovw_append_copy : iovw_append)(
			w, b->p + i, b->n - i < 4096 ? b->n - i : 4096, 8,
			NULL);
	return rc;
}

void h_check_untouched(int line)
{
	h_check_alone((const unsigned char *)"oooooooooo", 10, line);
}

void h_expect_big(iovw_strategy s, const iovw_options *o, int want, int line)
{
	static unsigned char data[1 << 20];
	struct h_big b = {data, sizeof(data)};
	int rc;

	if (h_make_file(h_path("t"), 10, 'o'))
		t_fail_at(__FILE__, line, "cannot make the old target");
	rc = iovw_write_file(h_path("t"), s, h_big_fn, &b, o, NULL);
	if (rc != want)
		t_fail_at(__FILE__, line, "%s: rc %d (%s), want %d",
			  iovw_strategy_name(s), rc, iovw_strerror(rc), want);
	h_check_untouched(line);
}

unsigned char h_data[H_DATA_SIZE];

struct h_wl h_wl_big(size_t n)
{
	struct h_wl w = {0, {h_data, n}};
	return w;
}

struct h_wl h_wl_small(void)
{
	struct h_wl w = {1, {NULL, 0}};
	return w;
}

iovw_serialize_fn h_wl_fn(const struct h_wl *w)
{
	return w->small ? h_small_fn : h_big_fn;
}

void *h_wl_arg(struct h_wl *w)
{
	return w->small ? NULL : &w->big;
}

void h_wl_fill(void)
{
	h_fill(h_data, sizeof(h_data), 5);
	h_fill(h_small_src, sizeof(h_small_src), 77);
}

unsigned char *h_wl_bytes(struct h_wl *w, size_t *len)
{
	unsigned char *b = h_plan_bytes(h_wl_fn(w), h_wl_arg(w), len);

	if (!b) {
		t_fail_at(__FILE__, __LINE__, "no plan bytes");
		t_abort_case();
	}
	return b;
}

void h_check_file(const char *path, const unsigned char *want, size_t wlen,
		  int line)
{
	unsigned char *got;
	size_t len;

	got = t_read_file(path, &len);
	if (!got || len != wlen || memcmp(got, want, wlen))
		t_fail_at(__FILE__, line, "%s: wrong bytes (%zu, want %zu)",
			  path, got ? len : 0, wlen);
	free(got);
}

void h_ctx_expect(iovw_ctx *c, const char *name, iovw_strategy s,
		  struct h_wl *w, const iovw_options *o, iovw_stats *st,
		  int line)
{
	unsigned char *want;
	size_t wlen;
	char path[4200];
	int rc;

	snprintf(path, sizeof(path), "%s", h_path(name));
	want = h_wl_bytes(w, &wlen);
	rc = iovw_ctx_write_file(c, path, s, h_wl_fn(w), h_wl_arg(w), o, st);
	if (rc)
		t_fail_at(__FILE__, line, "%s %s: rc %d (%s)", name,
			  iovw_strategy_name(s), rc, iovw_strerror(rc));
	else
		h_check_file(path, want, wlen, line);
	free(want);
}
