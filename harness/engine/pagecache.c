/*
 * pagecache.c - a written file's resident pages (see pagecache.h).
 *
 * RWF_DONTCACHE drops a file's pages once they are written back; a plain
 * write leaves them cached. Once the file is written back (fdatasync),
 * mapping it and asking mincore() which of its pages are resident says
 * what the file left in the page cache, and maps nothing in (a PROT_READ
 * mapping that is never touched).
 */
#include "engine/pagecache.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t walk_total;
static int walk_err;

/* The resident bytes of one regular file, added to *bytes. */
static int file_resident(const char *path, uint64_t *bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *vec;
	struct stat sb;
	size_t pages, i;
	void *map;
	int fd, rc = 0;

	if (page <= 0)
		page = 4096;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fdatasync(fd) < 0) { /* writeback done: what the cache keeps */
		rc = -errno;
		close(fd);
		return rc;
	}
	if (fstat(fd, &sb) < 0 || sb.st_size <= 0) {
		rc = sb.st_size == 0 ? 0 : -errno;
		close(fd);
		return rc;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	pages = ((size_t)sb.st_size + (size_t)page - 1) / (size_t)page;
	if (!(vec = malloc(pages))) {
		munmap(map, (size_t)sb.st_size);
		return -ENOMEM;
	}
	if (mincore(map, (size_t)sb.st_size, vec) < 0)
		rc = -errno;
	for (i = 0; !rc && i < pages; i++)
		if (vec[i] & 1)
			*bytes += (uint64_t)page;
	free(vec);
	munmap(map, (size_t)sb.st_size);
	return rc;
}

static int walk_one(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	int rc;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	rc = file_resident(path, &walk_total);
	if (rc && !walk_err)
		walk_err = rc;
	return 0;
}

int pagecache_resident(const char *path, uint64_t *bytes)
{
	struct stat sb;

	*bytes = 0;
	if (lstat(path, &sb) < 0)
		return -errno;
	if (S_ISREG(sb.st_mode))
		return file_resident(path, bytes);
	walk_total = 0;
	walk_err = 0;
	if (nftw(path, walk_one, 16, FTW_PHYS) < 0)
		return -errno;
	*bytes = walk_total;
	return walk_err;
}
