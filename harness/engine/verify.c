/*
 * verify.c - conformance of one setting (see verify.h).
 */
#include "engine/verify.h"

#include "engine/files.h"
#include "engine/output.h"
#include "kinds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t verify_settings(unsigned smask, struct verify_setting *out)
{
	static const struct verify_setting all[] = {
		{IOVW_BUFFER, 0, 0, 0},	    {IOVW_PWRITEV, 0, 0, 0},
		{IOVW_PWRITEV, 16, 0, 0},   {IOVW_PWRITEV, 0, 64, 0},
		{IOVW_WRITE_EACH, 0, 0, 0}, {IOVW_MMAP, 0, 0, 0},
		{IOVW_STREAM, 0, 0, 0},	    {IOVW_STREAM, 16, 0, 4096},
		{IOVW_URING, 0, 0, 0},	    {IOVW_URING, 16, 0, 4096},
		{IOVW_PIPELINE, 0, 0, 0},   {IOVW_PIPELINE, 16, 0, 4096},
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (smask & (1u << all[i].s) && n < VERIFY_MAX_SETTINGS)
			out[n++] = all[i];
	return n;
}

const char *verify_setting_name(const struct verify_setting *s, char *buf,
				size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "%s", iovw_strategy_name(s->s));

	if (s->batch && len < n)
		len += (size_t)snprintf(buf + len, n - len, " batch=%zu",
					s->batch);
	if (s->coalesce && len < n)
		len += (size_t)snprintf(buf + len, n - len, " coalesce=%zu",
					s->coalesce);
	if (s->stage && len < n)
		snprintf(buf + len, n - len, " stage=%zu", s->stage);
	return buf;
}

/* Load file i by one path, rebuild, compare with the original. */
static int load_check(const struct workload *w, size_t i, const char *path,
		      enum iovm_path how, char *err, size_t errlen)
{
	const struct kind_ops *k = w->files[i].ops;
	struct iovm_file f;
	void *obj = NULL;
	int rc = iovm_open_path(path, how, &f, err, errlen);

	if (rc)
		return rc;
	if (f.h->kind != k->kind) {
		iovm_close(&f);
		return iovm_bad(err, errlen, "kind %u, expected %u", f.h->kind,
				k->kind);
	}
	rc = iovm_rebuild(&f, &obj, err, errlen);
	if (!rc) {
		rc = k->equal(w->files[i].obj, obj, err, errlen);
		k->free(obj);
	}
	iovm_close(&f);
	return rc;
}

/* Flip the last byte of `path` (verify's own test). */
static int flip_last_byte(const char *path)
{
	unsigned char c;
	FILE *f = fopen(path, "r+b");
	int ok;

	if (!f)
		return -1;
	ok = !fseek(f, -1, SEEK_END) && fread(&c, 1, 1, f) == 1 &&
	     !fseek(f, -1, SEEK_END) && (c ^= 0x40, fwrite(&c, 1, 1, f) == 1);
	return fclose(f) || !ok ? -1 : 0;
}

/* Record the first failure of a row. */
static void first_error(struct verify_row *row, int *flag, const char *fmt,
			const char *a, const char *b)
{
	if (!row->error[0])
		snprintf(row->error, sizeof(row->error), fmt, a, b);
	*flag = 0;
}

/* Both load paths of file i. */
static void check_loads(const struct workload *w, size_t i, const char *path,
			struct verify_row *row)
{
	char err[IOVM_ERRLEN];
	int rc = load_check(w, i, path, IOVM_READ, err, sizeof(err));

	if (rc && row->load_read)
		first_error(row, &row->load_read, "read path: %s: %s",
			    w->files[i].name, rc < 0 ? iovw_strerror(rc) : err);
	rc = load_check(w, i, path, IOVM_MMAP, err, sizeof(err));
	if (rc && row->load_mmap)
		first_error(row, &row->load_mmap, "mmap path: %s: %s",
			    w->files[i].name, rc < 0 ? iovw_strerror(rc) : err);
}

/* Compare file i's bytes with the reference's. */
static int check_same(const struct workload *w, size_t i, const char *ref,
		      const char *path, const unsigned char *a, size_t la,
		      struct verify_row *row, char *failed, size_t n)
{
	char rpath[4096];
	unsigned char *b;
	size_t lb;
	int rc;

	out_path(w, ref, i, rpath, sizeof(rpath));
	if ((rc = file_read_all(rpath, &b, &lb))) {
		snprintf(failed, n, "%s", rpath);
		return rc;
	}
	if ((la != lb || memcmp(a, b, la)) && row->same)
		first_error(row, &row->same, "%s differs from %s", path, rpath);
	free(b);
	return 0;
}

int verify_one(const struct workload *w, const struct verify_setting *set,
	       const char *out, const char *ref, int corrupt,
	       struct verify_row *row, char *failed, size_t n)
{
	iovw_options o = {.batch_limit = set->batch,
			  .coalesce_below = set->coalesce,
			  .stage_bytes = set->stage};
	char path[4096];
	struct digest d;
	size_t i;
	int rc;

	memset(row, 0, sizeof(*row));
	row->workload = w->name;
	row->set = *set;
	row->files = w->nfiles;
	row->same = row->load_read = row->load_mmap = 1;
	if ((rc = out_write(w, out, set->s, &o, NULL, failed, n)))
		return rc;
	out_path(w, out, 0, path, sizeof(path));
	if (corrupt && flip_last_byte(path)) {
		snprintf(failed, n, "%s", path);
		return -EIO;
	}
	if ((rc = digest_begin(&d))) {
		snprintf(failed, n, "%s", out);
		return rc;
	}
	for (i = 0; i < w->nfiles && !rc; i++) {
		unsigned char *a;
		size_t la;

		out_path(w, out, i, path, sizeof(path));
		if ((rc = file_read_all(path, &a, &la))) {
			snprintf(failed, n, "%s", path);
			break;
		}
		digest_file(&d, a, la);
		row->bytes += la;
		if (ref)
			rc = check_same(w, i, ref, path, a, la, row, failed, n);
		free(a);
		if (!rc)
			check_loads(w, i, path, row);
	}
	if (rc)
		digest_abort(&d);
	else
		digest_end(&d, row->digest);
	return rc;
}
