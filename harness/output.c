/*
 * output.c - write a workload's files with one strategy.
 */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

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
	char path[4096];
	size_t i;
	int rc;

	if (w->is_dir && mkdir(out, 0777) < 0 && errno != EEXIST) {
		snprintf(failed, n, "%s", out);
		return -errno;
	}
	for (i = 0; i < w->nfiles; i++) {
		out_path(w, out, i, path, sizeof(path));
		rc = iovw_write_file(path, s, w->files[i].ops->serialize,
				     w->files[i].obj, o, st);
		if (rc) {
			snprintf(failed, n, "%s", path);
			return rc;
		}
	}
	return 0;
}
