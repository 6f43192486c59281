/*
 * workload.c - the named workloads and their default sizes.
 *
 *   module-small  one module of ~1 MiB of source (~3.3 MiB written)
 *   module-large  one module of ~18.6 MiB of source (~64 MiB written)
 *   project       2,000 modules, source sizes heavy-tailed: median ~300 B,
 *                 p90 ~1.8 KB, p99 ~15 KB, at most 800 KB; a file each
 *   tree          2,000,000 nodes of 16 to 64 bytes, one piece each
 *   blob          arrays of 96, 32 and 16 MiB
 */
#include "workload.h"

#include "rng.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct wl_def wl_defs[] = {
	{"module-small", "one compiler module, ~1 MiB of source"},
	{"module-large", "one compiler module, ~18.6 MiB of source"},
	{"project", "2000 modules of heavy-tailed sizes, a file each"},
	{"tree", "a syntax tree, one 16-64 byte heap node per piece"},
	{"blob", "a few arrays of tens of MiB"},
};
const size_t wl_count = sizeof(wl_defs) / sizeof(wl_defs[0]);

const struct wl_def *wl_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < wl_count; i++)
		if (!strcmp(name, wl_defs[i].name))
			return &wl_defs[i];
	return NULL;
}

void wl_free(struct workload *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->nfiles; i++)
		if (w->files[i].obj)
			w->files[i].ops->free(w->files[i].obj);
	free(w->files);
	free(w);
}

static uint64_t scaled(double base, double scale, uint64_t min)
{
	double v = base * scale;
	return v < (double)min ? min : (uint64_t)v;
}

/* A source size from the project distribution: log-normal around a
 * median of 300 bytes (p90 1.8 KB) with a heavier tail above p90 (p99
 * 15 KB), capped at 800 KB. */
static uint64_t project_size(struct rng *r)
{
	const double two_pi = 6.283185307179586;
	double u1 = rng_unit(r), u2 = rng_unit(r), z, x;

	if (u1 < 1e-300)
		u1 = 1e-300;
	z = sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
	if (z <= 1.2816)
		x = 300.0 * exp(1.398 * z);
	else
		x = 1800.0 * exp(2.03 * (z - 1.2816));
	if (x > 800e3)
		x = 800e3;
	if (x < 16)
		x = 16;
	return (uint64_t)x;
}

static int add(struct workload *w, const char *name, const struct kind_ops *ops,
	       void *obj)
{
	struct wl_file *f = &w->files[w->nfiles++];

	if (!obj)
		return -ENOMEM;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->ops = ops;
	f->obj = obj;
	return 0;
}

int wl_make(const char *name, uint64_t seed, double scale,
	    struct workload **out)
{
	const struct wl_def *d = wl_find(name);
	struct workload *w;
	char fname[32];
	size_t i, n = 1;
	int rc = 0;

	*out = NULL;
	if (!d || !(scale > 0) || scale > 1000)
		return -EINVAL;
	if (!strcmp(name, "project"))
		n = (size_t)scaled(2000, scale, 1);
	w = calloc(1, sizeof(*w));
	if (!w || !(w->files = calloc(n, sizeof(*w->files)))) {
		free(w);
		return -ENOMEM;
	}
	w->name = d->name;
	if (!strcmp(name, "module-small")) {
		rc = add(w, "module-small.iovm", &module_ops,
			 module_generate(seed, scaled(1 << 20, scale, 64)));
	} else if (!strcmp(name, "module-large")) {
		rc = add(w, "module-large.iovm", &module_ops,
			 module_generate(seed,
					 scaled(18.6 * (1 << 20), scale, 64)));
	} else if (!strcmp(name, "project")) {
		struct rng r = {seed ^ 0x70726f6au};
		w->is_dir = 1;
		for (i = 0; i < n && !rc; i++) {
			snprintf(fname, sizeof(fname), "mod-%05zu.iovm", i);
			rc = add(w, fname, &module_ops,
				 module_generate(seed + i + 1,
						 project_size(&r)));
		}
	} else if (!strcmp(name, "tree")) {
		rc = add(w, "tree.iovm", &tree_ops,
			 tree_generate(seed, scaled(2e6, scale, 1)));
	} else {
		uint64_t bytes[3] = {scaled(96 << 20, scale, 8) & ~7ull,
				     scaled(32 << 20, scale, 8) & ~7ull,
				     scaled(16 << 20, scale, 8) & ~7ull};
		rc = add(w, "blob.iovm", &blob_ops,
			 blob_generate(seed, bytes, 3));
	}
	if (rc) {
		wl_free(w);
		return rc;
	}
	*out = w;
	return 0;
}
