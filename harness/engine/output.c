/*
 * output.c - a workload's output (see output.h).
 */
#include "engine/output.h"

#include "engine/digest.h"
#include "engine/files.h"
#include "engine/session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void out_path(const struct workload *w, const char *out, size_t i, char *buf,
	      size_t n)
{
	if (w->is_dir)
		snprintf(buf, n, "%s/%s", out, w->files[i].name);
	else
		snprintf(buf, n, "%s", out);
}

int out_write(const struct workload *w, const char *out, iovw_strategy s,
	      const iovw_options *o, iovw_stats *st, char *failed, size_t n)
{
	return out_write_ctx(w, out, NULL, s, o, st, failed, n);
}

int out_write_ctx(const struct workload *w, const char *out, iovw_ctx *c,
		  iovw_strategy s, const iovw_options *o, iovw_stats *st,
		  char *failed, size_t n)
{
	char path[4096];
	size_t i;
	int rc;

	if (w->is_dir && mkdir(out, 0777) < 0 && errno != EEXIST) {
		snprintf(failed, n, "%s", out);
		return -errno;
	}
	for (i = 0; i < w->nfiles; i++) {
		out_path(w, out, i, path, sizeof(path));
		rc = c ? iovw_ctx_write_file(c, path, s,
					     w->files[i].ops->serialize,
					     w->files[i].obj, o, st)
		       : iovw_write_file(path, s, w->files[i].ops->serialize,
					 w->files[i].obj, o, st);
		if (rc) {
			snprintf(failed, n, "%s", path);
			return rc;
		}
	}
	return 0;
}

/* Put directory `tmp` in the place of `out`: exchanged with an existing
 * `out` (then removed, the old one with it), or renamed to it. */
static int dir_replace(const char *tmp, const char *out)
{
	struct stat sb;

	if (lstat(out, &sb) < 0) {
		if (errno != ENOENT)
			return -errno;
		return rename(tmp, out) < 0 ? -errno : 0;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) < 0)
		return -errno;
	dir_remove(tmp); /* now the old one */
	return 0;
}

int out_write_atomic(const struct workload *w, const char *out, iovw_strategy s,
		     const iovw_options *o, iovw_stats *st, char *failed,
		     size_t n)
{
	char tmp[4200];
	int rc;

	if (!w->is_dir)
		return out_write(w, out, s, o, st, failed, n);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.iovbench-XXXXXX", out) >=
	    sizeof(tmp))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp)) {
		snprintf(failed, n, "%s", tmp);
		return -errno;
	}
	rc = out_write(w, tmp, s, o, st, failed, n);
	if (!rc && session_interrupted())
		rc = -EINTR;
	if (!rc && (rc = dir_replace(tmp, out)))
		snprintf(failed, n, "%s", out);
	if (rc)
		dir_remove(tmp);
	return rc;
}

int out_remove(const struct workload *w, const char *out)
{
	char path[4096];
	size_t i;

	for (i = 0; i < w->nfiles; i++) {
		out_path(w, out, i, path, sizeof(path));
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	return 0;
}

int out_digest(const struct workload *w, const char *out, char *hex,
	       char *failed, size_t n)
{
	struct digest d;
	char path[4096];
	size_t i;
	int rc = digest_begin(&d);

	for (i = 0; i < w->nfiles && !rc; i++) {
		unsigned char *buf;
		size_t len;

		out_path(w, out, i, path, sizeof(path));
		if ((rc = file_read_all(path, &buf, &len))) {
			snprintf(failed, n, "%s", path);
			break;
		}
		digest_file(&d, buf, len);
		free(buf);
	}
	if (rc)
		digest_abort(&d);
	else
		digest_end(&d, hex);
	return rc;
}
