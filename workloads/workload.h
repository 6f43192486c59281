/*
 * workload.h - the named workloads: sets of objects to serialize, each
 * written to a file of its own, deterministic from a seed.
 */
#ifndef IOVW_WORKLOAD_H
#define IOVW_WORKLOAD_H

#include "kinds.h"

#include <stddef.h>
#include <stdint.h>

struct wl_file {
	char name[32]; /* file name, relative to the workload's output */
	const struct kind_ops *ops;
	void *obj;
};

struct workload {
	const char *name;
	int is_dir; /* output is a directory of files (project) */
	size_t nfiles;
	struct wl_file *files;
};

struct wl_def {
	const char *name;
	const char *desc;
};

extern const struct wl_def wl_defs[];
extern const size_t wl_count;

/* The workload called `name`, or NULL. */
const struct wl_def *wl_find(const char *name);

/* Generate a workload at `scale` (1.0 = the defaults). 0, -EINVAL (unknown
 * name, bad scale) or -ENOMEM. */
int wl_make(const char *name, uint64_t seed, double scale,
	    struct workload **out);
void wl_free(struct workload *w);

#endif
