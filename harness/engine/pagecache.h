/*
 * pagecache.h - how much of a written file the page cache holds.
 */
#ifndef IOVBENCH_ENGINE_PAGECACHE_H
#define IOVBENCH_ENGINE_PAGECACHE_H

#include <stdint.h>

/* Bytes of `path` (a regular file, or every regular file under a
 * directory) resident in the page cache now: each file mapped read-only
 * and asked with mincore(), a page counted as 4 KiB or the page size.
 * Dirty pages and pages under writeback count (they are in the cache).
 * 0 or a negative errno. */
int pagecache_resident(const char *path, uint64_t *bytes);

#endif
