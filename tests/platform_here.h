/*
 * platform_here.h - what the platform tests (test_platform*.c) ask of
 * the platform they run on.
 */
#ifndef IOVW_TESTS_PLATFORM_HERE_H
#define IOVW_TESTS_PLATFORM_HERE_H

#include "iovw.h"
#include "internal.h"

#include <stdlib.h>

/* Can strategy s write here? io_uring cannot where no ring is to be had
 * (Windows, a build without liburing, a kernel that refuses one): it says
 * -ENOSYS and writes nothing, which test_platform's uring_unavailable
 * checks; the other cases leave it out there. Probed once, through the
 * library's own seam. */
static inline int strategy_here(int s)
{
	static int uring = -1;

	if (s != IOVW_URING)
		return 1;
	if (uring < 0) {
		iovw_sys sys;
		void *ring;

		iovw__sys_resolve(&sys, NULL);
		uring = sys.uring_setup(NULL, 4, &ring) == 0;
		if (uring)
			sys.uring_exit(NULL, ring);
	}
	return uring;
}

/* The bytes fn writes, from a plan gathered into a malloc'ed buffer (no
 * I/O): what a file written with it must hold. NULL on failure. */
static inline unsigned char *planned_bytes(iovw_serialize_fn fn, void *ctx,
					   size_t *len)
{
	iovw_writer *w;
	unsigned char *buf = NULL;

	if (iovw_writer_new(&w, IOVW_MODE_PLAN, NULL))
		return NULL;
	if (!fn(w, ctx)) {
		*len = (size_t)iovw_size(w);
		buf = malloc(*len);
		if (buf && iovw_plan_gather(w, buf, *len)) {
			free(buf);
			buf = NULL;
		}
	}
	iovw_writer_free(w);
	return buf;
}

#endif
