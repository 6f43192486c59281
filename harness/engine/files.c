/*
 * files.c - reading, writing and removing files (see files.h).
 */
#include "engine/files.h"

#include "iovw.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_all(const char *path, unsigned char **buf, size_t *len)
{
	struct stat sb;
	size_t got = 0;
	int fd, rc = 0;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
	} else if (S_ISDIR(sb.st_mode)) {
		rc = -EISDIR;
	} else if ((uint64_t)sb.st_size >= SIZE_MAX) {
		rc = -EFBIG;
	} else if (!(*buf = malloc((size_t)sb.st_size + 1))) {
		rc = -ENOMEM;
	}
	while (!rc && got < (size_t)sb.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		else if (n == 0)
			rc = -EIO; /* shrank while it was read */
		else
			got += (size_t)n;
	}
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

static int text_fn(iovw_writer *w, void *ctx)
{
	const char *s = ctx;
	return iovw_append(w, s, strlen(s), 1, NULL);
}

int file_write_text(const char *path, const char *text)
{
	return iovw_write_file(path, IOVW_PWRITEV, text_fn, (void *)text, NULL,
			       NULL);
}

int dir_make_temp(char *buf, size_t n, const char *parent, const char *what)
{
	const char *base = parent ? parent : getenv("TMPDIR");

	if ((size_t)snprintf(buf, n, "%s/iovbench-%s-XXXXXX",
			     base && *base ? base : "/tmp", what) >= n)
		return -ENAMETOOLONG;
	return mkdtemp(buf) ? 0 : -errno;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

void dir_remove(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
