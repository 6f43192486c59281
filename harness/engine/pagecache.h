/*
 * pagecache.h - how much of a written file the page cache holds.
 */
#ifndef IOVBENCH_ENGINE_PAGECACHE_H
#define IOVBENCH_ENGINE_PAGECACHE_H

#include <stdint.h>

/* Bytes of `path` (a regular file, or every regular file under a
 * directory) that the page cache keeps once written back: each file is
 * fdatasync()ed first (so that RWF_DONTCACHE's pages, dropped when their
 * writeback ends, are not counted while still dirty), then mapped
 * read-only and asked with mincore(), a page counted as the page size.
 * 0 or a negative errno. */
int pagecache_resident(const char *path, uint64_t *bytes);

#endif
