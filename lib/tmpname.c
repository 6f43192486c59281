/*
 * tmpname.c - temporary file names, and removing those of dead writers.
 *
 * iovw_write_file() names its temporary files "<dir>.iovw-<pid>-<16 hex>
 * .tmp": the writer's process id, then 64 random bits. A name exists only
 * where the file system cannot create unnamed files (O_TMPFILE), or for the
 * moment between linking an unnamed file and renaming it over the target;
 * a writer killed there leaves the name behind. The pid in the name lets
 * iovw_clean_stale() tell such leftovers from the files of live writers
 * without any lock: kill(pid, 0) fails with ESRCH only for a process that
 * does not exist.
 *
 * The names are parsed strictly: a directory may hold anything, so a name
 * that only looks like ours (a pid of 0 or with leading zeros, which kill()
 * would read as a process group, too many digits, upper-case hex) is not
 * ours, and only regular files are removed.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <dirent.h>
#endif

#define PREFIX	   ".iovw-"
#define SUFFIX	   ".tmp"
#define HEX_DIGITS 16
#define DENTS_BUF  8192

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finalizer */
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* No system call: the clocks go through the vDSO (on Windows, user-mode
 * reads), and the stack address differs between threads. */
void iovw__tmp_name(char *tmp, const char *path, size_t dlen, int pid,
		    unsigned try)
{
	uint64_t wall = iovw__wall_ns(), seed;

	seed = wall ^ (wall << 30) ^
	       mix64(iovw__now_ns() + (uint64_t)(uintptr_t)&wall) ^ mix64(try);
	memcpy(tmp, path, dlen);
	snprintf(tmp + dlen, IOVW__TMP_NAME_MAX, PREFIX "%d-%016llx" SUFFIX,
		 pid, (unsigned long long)mix64(seed));
}

int iovw__tmp_pid(const char *name)
{
	const size_t plen = sizeof(PREFIX) - 1;
	const char *p = name;
	long long pid = 0;
	int i;

	if (strncmp(p, PREFIX, plen))
		return 0;
	p += plen;
	if (*p < '1' || *p > '9')
		return 0; /* no pid, 0, or a leading zero */
	for (i = 0; *p >= '0' && *p <= '9'; p++, i++) {
		if (i == 10)
			return 0;
		pid = pid * 10 + (*p - '0');
	}
	if (pid > INT_MAX || *p++ != '-')
		return 0;
	for (i = 0; i < HEX_DIGITS; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return strcmp(p, SUFFIX) ? 0 : (int)pid;
}

#ifdef __linux__
/* One directory entry: remove it if it is a dead writer's temporary file.
 * 1 removed, 0 left alone, or a negative errno. */
static int clean_one(const iovw_sys *s, iovw_stats *st, int dfd,
		     const char *name, unsigned char type)
{
	int pid = iovw__tmp_pid(name), rc;

	if (!pid || (type != DT_REG && type != DT_UNKNOWN))
		return 0;
	st->syscalls[IOVW_SYS_KILL]++;
	if (s->kill(s->ctx, pid, 0) != -ESRCH)
		return 0; /* alive (or not ours to signal: alive too) */
	st->syscalls[IOVW_SYS_UNLINKAT]++;
	rc = s->unlinkat(s->ctx, dfd, name, 0);
	if (rc == -ENOENT || rc == -EISDIR)
		return 0; /* removed by another cleaner; not a file */
	return rc ? rc : 1;
}

/* The entries of one getdents64 buffer, read field by field (a record
 * need not be aligned for struct dirent64 when a seam made it). Counts
 * removals into *removed and keeps the first failure in *err; returns
 * -EIO for a buffer that is not a list of records, else 0. */
static int clean_records(const iovw_sys *s, iovw_stats *st, int dfd,
			 const unsigned char *buf, size_t n, int *removed,
			 int *err)
{
	const size_t name_at = offsetof(struct dirent64, d_name);
	unsigned short reclen;
	unsigned char type;
	size_t pos;
	int rc;

	for (pos = 0; pos < n; pos += reclen) {
		if (n - pos < name_at + 1)
			return -EIO;
		memcpy(&reclen, buf + pos + offsetof(struct dirent64, d_reclen),
		       sizeof(reclen));
		if (reclen < name_at + 1 || reclen > n - pos ||
		    !memchr(buf + pos + name_at, '\0', reclen - name_at))
			return -EIO; /* not what getdents64 returns */
		type = buf[pos + offsetof(struct dirent64, d_type)];
		rc = clean_one(s, st, dfd, (const char *)buf + pos + name_at,
			       type);
		if (rc > 0)
			(*removed)++;
		else if (rc < 0 && !*err)
			*err = rc;
	}
	return 0;
}

static int clean_dir(const iovw_sys *s, iovw_stats *st, int dfd)
{
	union {
		struct dirent64 align;
		unsigned char b[DENTS_BUF];
	} buf;
	int removed = 0, err = 0, rc;
	ssize_t n;

	for (;;) {
		st->syscalls[IOVW_SYS_GETDENTS]++;
		n = s->getdents(s->ctx, dfd, buf.b, sizeof(buf.b));
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		if ((size_t)n > sizeof(buf.b))
			return -EIO;
		rc = clean_records(s, st, dfd, buf.b, (size_t)n, &removed,
				   &err);
		if (rc)
			return rc;
	}
	return err ? err : removed;
}

static int clean_stale(const char *dir, const iovw_options *o, iovw_stats *st)
{
	iovw_stats local = {0};
	iovw_sys sys;
	int fd, rc, rc2;

	iovw__sys_resolve(&sys, o ? o->sys : NULL);
	local.syscalls[IOVW_SYS_OPEN]++;
	fd = sys.open(sys.ctx, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = fd;
	} else {
		rc = clean_dir(&sys, &local, fd);
		local.syscalls[IOVW_SYS_CLOSE]++;
		rc2 = sys.close(sys.ctx, fd);
		if (rc >= 0 && rc2)
			rc = rc2;
	}
	if (st)
		iovw_stats_add(st, &local);
	return rc;
}
#endif /* __linux__ */

int iovw_clean_stale(const char *dir, const iovw_options *o, iovw_stats *st)
{
	size_t batch;
	int rc;

	if (!dir || !*dir)
		return -EINVAL;
	rc = iovw__options_check(o, &batch);
	if (rc)
		return rc;
#ifdef __linux__
	return clean_stale(dir, o, st);
#else
	/* -ENOTSUP off Linux (getdents64 reads the directory). On Windows a
	 * writer killed there leaves its named temporary file as on Linux,
	 * but finding those files and telling a dead pid (FindFirstFileW,
	 * OpenProcess) needs seam members of their own, not written yet. */
	(void)st;
	return -ENOTSUP;
#endif
}
