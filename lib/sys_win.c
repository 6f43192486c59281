/*
 * sys_win.c - the syscall seam's real calls on Windows (mingw-w64).
 *
 * Descriptors are the C runtime's (what _open and _open_osfhandle return):
 * the library and its callers keep the seam's int descriptors, and each
 * call here works on the descriptor's HANDLE (_get_osfhandle). Paths are
 * UTF-8 and go to the wide calls as UTF-16. Errors are the C runtime's
 * errno values, negated (GetLastError() mapped by win_err()).
 *
 * Writing at an offset: WriteFile with an OVERLAPPED whose Offset and
 * OffsetHigh give the position (on a handle opened without
 * FILE_FLAG_OVERLAPPED the call is synchronous and ignores, but moves,
 * the file pointer; on an overlapped one it is waited for). Windows has
 * no pwritev: this file's pwritev writes each piece of STAGE_MIN bytes or
 * more where it lies, with a WriteFile of its own, and copies the smaller
 * ones, consecutive ones together, into a staging buffer on the stack
 * (STAGE_BYTES) written with one WriteFile: a system call per large piece
 * and per staging buffer, not per piece. It returns the bytes written
 * before a short or failed WriteFile, as pwritev returns a short count,
 * and the write loop (pwritev.c) resumes from there. Both sizes are
 * provisional and wait for a measurement on Windows itself (wine's
 * timings mean nothing). The staging copies are not in iovw_stats'
 * bytes_copied: they happen below the seam.
 *
 * WriteFileGather is not used: it takes one system page per segment, each
 * page-aligned, on a handle opened with FILE_FLAG_NO_BUFFERING and
 * FILE_FLAG_OVERLAPPED, and a total that is a multiple of the sector
 * size. A serializer's pieces are arbitrary pointers and lengths (borrowed
 * structures), so every piece would first be copied into aligned pages:
 * the buffer strategy with more constraints, and unbuffered I/O besides,
 * which bypasses the cache a module cache is read back from.
 *
 * mmap: CreateFileMappingW over the file and MapViewOfFile of the range
 * (its offset a multiple of the allocation granularity, 64 KiB: see
 * iovw__map_align); the section handle is closed at once, the view keeps
 * it; munmap is UnmapViewOfFile. fallocate sets the end of file when it
 * grows it (NTFS allocates the clusters then, so a full disk should be
 * -ENOSPC there and not an in-page error while the view is written: as
 * documented, untested under wine, whose files are the host's).
 * mmap_anon is a view of a pagefile-backed section, so that munmap is
 * UnmapViewOfFile for both (no huge pages: they need SeLockMemoryPrivilege).
 *
 * rename is MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH):
 * it replaces the target in one step and returns when the move is on disk.
 * Files are opened with FILE_SHARE_READ | FILE_SHARE_WRITE |
 * FILE_SHARE_DELETE, so that another writer's rename over a target we
 * hold open does not fail; the target itself can still be replaced only if
 * every other process that holds it open shared it for deletion.
 *
 * There is no linkat, kill, unlinkat or getdents here (-ENOSYS): the
 * atomic write takes the named way (no O_TMPFILE), and iovw_clean_stale()
 * returns -ENOTSUP on Windows. getfl returns 0 for a valid descriptor: a
 * positioned WriteFile writes at its offset on any handle the C runtime
 * opened, _O_APPEND or not (the runtime emulates appending in _write), as
 * a mapping does, so the strategies agree without the check.
 */
#ifdef _WIN32

#include "internal.h"

#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_BYTES ((size_t)16 << 10)
#define STAGE_MIN   ((size_t)4 << 10)
#define WRITE_MAX   ((DWORD)1 << 30) /* most bytes one WriteFile is given */
#define WPATH_STACK 520
#define PWRITEV_MAX ((size_t)1 << 30) /* most bytes one pwritev writes */

/* A Win32 error as a negative errno. */
static int win_err(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
	case ERROR_BAD_NETPATH:
		return -ENOENT;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return -EEXIST;
	case ERROR_ACCESS_DENIED:
	case ERROR_WRITE_PROTECT:
		return -EACCES;
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
	case ERROR_USER_MAPPED_FILE:
		return -EBUSY;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return -ENOSPC;
	case ERROR_FILE_TOO_LARGE:
		return -EFBIG;
	case ERROR_INVALID_HANDLE:
		return -EBADF;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
	case ERROR_COMMITMENT_LIMIT:
		return -ENOMEM;
	case ERROR_INVALID_PARAMETER:
	case ERROR_INVALID_NAME:
	case ERROR_NEGATIVE_SEEK:
		return -EINVAL;
	case ERROR_FILENAME_EXCED_RANGE:
		return -ENAMETOOLONG;
	case ERROR_NOT_SAME_DEVICE:
		return -EXDEV;
	case ERROR_DIRECTORY:
		return -ENOTDIR;
	case ERROR_DIR_NOT_EMPTY:
		return -ENOTEMPTY;
	case ERROR_NOT_SUPPORTED:
	case ERROR_INVALID_FUNCTION:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static int last_err(void)
{
	return win_err(GetLastError());
}

/* `path` as UTF-16: into `stack` (WPATH_STACK wide characters) if it fits,
 * else a malloc'ed copy (*heap, which the caller frees). NULL and *err
 * set on failure. */
static wchar_t *wpath(const char *path, wchar_t *stack, wchar_t **heap,
		      int *err)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1,
				    NULL, 0);
	wchar_t *w = stack;

	*heap = NULL;
	if (n <= 0) {
		*err = -EINVAL; /* not UTF-8 */
		return NULL;
	}
	if (n > WPATH_STACK) {
		w = *heap = malloc((size_t)n * sizeof(wchar_t));
		if (!w) {
			*err = -ENOMEM;
			return NULL;
		}
	}
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, n);
	return w;
}

static HANDLE fd_handle(int fd)
{
	return (HANDLE)_get_osfhandle(fd);
}

static DWORD disposition(int flags)
{
	if (flags & O_CREAT) {
		if (flags & O_EXCL)
			return CREATE_NEW;
		return flags & O_TRUNC ? CREATE_ALWAYS : OPEN_ALWAYS;
	}
	return flags & O_TRUNC ? TRUNCATE_EXISTING : OPEN_EXISTING;
}

/* open(): CreateFileW, then a C runtime descriptor for the handle. The
 * mode is not used: a new file takes its directory's permissions. */
static int sys_open(void *ctx, const char *path, int flags, unsigned mode)
{
	wchar_t stack[WPATH_STACK], *heap, *w;
	DWORD access = GENERIC_READ;
	HANDLE h;
	int err = 0, fd;

	(void)ctx;
	(void)mode;
	w = wpath(path, stack, &heap, &err);
	if (!w)
		return err;
	if ((flags & O_ACCMODE) == O_WRONLY)
		access = GENERIC_WRITE;
	else if ((flags & O_ACCMODE) == O_RDWR)
		access = GENERIC_READ | GENERIC_WRITE;
	h = CreateFileW(w, access,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, disposition(flags), FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE)
		err = last_err();
	free(heap);
	if (err)
		return err;
	fd = _open_osfhandle((intptr_t)h, (flags & (O_ACCMODE | O_APPEND)) |
						  _O_BINARY | _O_NOINHERIT);
	if (fd < 0) {
		CloseHandle(h);
		return -EMFILE;
	}
	return fd;
}

static int sys_close(void *ctx, int fd)
{
	(void)ctx;
	return _close(fd) < 0 ? -errno : 0;
}

/* One WriteFile of at most WRITE_MAX bytes at `off`: the bytes written or
 * a negative errno. */
static ssize_t write_at(HANDLE h, const void *buf, size_t n, int64_t off)
{
	OVERLAPPED ov;
	DWORD done = 0;

	if (h == INVALID_HANDLE_VALUE)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	memset(&ov, 0, sizeof(ov));
	ov.Offset = (DWORD)((uint64_t)off & 0xffffffffu);
	ov.OffsetHigh = (DWORD)((uint64_t)off >> 32);
	if (n > WRITE_MAX)
		n = WRITE_MAX; /* a short write: the caller goes on */
	if (!WriteFile(h, buf, (DWORD)n, &done, &ov)) {
		if (GetLastError() != ERROR_IO_PENDING)
			return last_err();
		if (!GetOverlappedResult(h, &ov, &done, TRUE))
			return last_err();
	}
	return (ssize_t)done;
}

static ssize_t sys_pwrite(void *ctx, int fd, const void *buf, size_t n,
			  int64_t off)
{
	(void)ctx;
	return write_at(fd_handle(fd), buf, n, off);
}

/* The state of one emulated pwritev: what is written so far and the
 * staging buffer's bytes not yet written. */
struct gather {
	HANDLE h;
	int64_t off; /* where the call started */
	size_t done; /* bytes written from there */
	size_t used; /* bytes in stage, to go at off + done */
	unsigned char stage[STAGE_BYTES];
};

/* Write `n` bytes at `p` (the staging buffer or a piece) at the current
 * position. 0 if all went, 1 if fewer (the call stops: a short count),
 * or a negative errno. */
static int put(struct gather *g, const void *p, size_t n)
{
	ssize_t r = write_at(g->h, p, n, g->off + (int64_t)g->done);

	if (r < 0)
		return (int)r;
	g->done += (size_t)r;
	return (size_t)r < n ? 1 : 0;
}

static int drain(struct gather *g)
{
	size_t n = g->used;

	g->used = 0;
	return n ? put(g, g->stage, n) : 0;
}

static ssize_t sys_pwritev(void *ctx, int fd, const struct iovec *iov, int cnt,
			   int64_t off)
{
	struct gather g;
	int i, rc = 0;

	(void)ctx;
	g.h = fd_handle(fd);
	g.off = off;
	g.done = 0;
	g.used = 0;
	if (cnt < 0)
		return -EINVAL;
	for (i = 0; i < cnt && !rc && g.done + g.used < PWRITEV_MAX; i++) {
		size_t n = iov[i].iov_len;

		if (n >= STAGE_MIN) {
			rc = drain(&g);
			if (!rc)
				rc = put(&g, iov[i].iov_base, n);
			continue;
		}
		if (g.used + n > STAGE_BYTES)
			rc = drain(&g);
		if (!rc) {
			memcpy(g.stage + g.used, iov[i].iov_base, n);
			g.used += n;
		}
	}
	if (!rc)
		rc = drain(&g);
	/* bytes written count for more than a later error, as in pwritev */
	return rc < 0 && !g.done ? rc : (ssize_t)g.done;
}

static int set_size(HANDLE h, int64_t len)
{
	FILE_END_OF_FILE_INFO eof;

	if (h == INVALID_HANDLE_VALUE)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	eof.EndOfFile.QuadPart = len;
	if (!SetFileInformationByHandle(h, FileEndOfFileInfo, &eof,
					sizeof(eof)))
		return last_err();
	return 0;
}

static int sys_ftruncate(void *ctx, int fd, int64_t len)
{
	(void)ctx;
	return set_size(fd_handle(fd), len);
}

static int sys_fsize(void *ctx, int fd, int64_t *size)
{
	LARGE_INTEGER sz;
	HANDLE h = fd_handle(fd);

	(void)ctx;
	if (h == INVALID_HANDLE_VALUE)
		return -EBADF;
	if (!GetFileSizeEx(h, &sz))
		return last_err();
	*size = (int64_t)sz.QuadPart;
	return 0;
}

/* Grow the file to off + len if it is shorter; never shrinks it. */
static int sys_fallocate(void *ctx, int fd, int64_t off, int64_t len)
{
	int64_t cur = 0;
	int rc = sys_fsize(ctx, fd, &cur);

	if (rc)
		return rc;
	if (off < 0 || len <= 0 || off > INT64_MAX - len)
		return -EINVAL;
	return cur >= off + len ? 0 : set_size(fd_handle(fd), off + len);
}

static int map_view(HANDLE file, size_t len, int64_t off, DWORD protect,
		    void **out)
{
	uint64_t end = (uint64_t)off + len;
	HANDLE sec;
	void *p;

	if (off < 0)
		return -EINVAL;
	sec = CreateFileMappingW(file, NULL, protect, (DWORD)(end >> 32),
				 (DWORD)(end & 0xffffffffu), NULL);
	if (!sec)
		return last_err();
	p = MapViewOfFile(sec, FILE_MAP_WRITE, (DWORD)((uint64_t)off >> 32),
			  (DWORD)((uint64_t)off & 0xffffffffu), len);
	if (!p) {
		int rc = last_err();
		CloseHandle(sec);
		return rc;
	}
	CloseHandle(sec); /* the view keeps the section */
	*out = p;
	return 0;
}

static int sys_mmap(void *ctx, size_t len, int fd, int64_t off, void **out)
{
	HANDLE h = fd_handle(fd);

	(void)ctx;
	if (h == INVALID_HANDLE_VALUE)
		return -EBADF;
	return map_view(h, len, off, PAGE_READWRITE, out);
}

static int sys_mmap_anon(void *ctx, size_t len, void **out)
{
	(void)ctx;
	return map_view(INVALID_HANDLE_VALUE, len, 0, PAGE_READWRITE, out);
}

static int sys_munmap(void *ctx, void *p, size_t len)
{
	(void)ctx;
	(void)len;
	return UnmapViewOfFile(p) ? 0 : last_err();
}

static int sys_fsync(void *ctx, int fd)
{
	HANDLE h = fd_handle(fd);

	(void)ctx;
	if (h == INVALID_HANDLE_VALUE)
		return -EBADF;
	return FlushFileBuffers(h) ? 0 : last_err();
}

static int sys_rename(void *ctx, const char *from, const char *to)
{
	wchar_t s1[WPATH_STACK], s2[WPATH_STACK], *h1, *h2, *w1, *w2;
	int err = 0;

	(void)ctx;
	w1 = wpath(from, s1, &h1, &err);
	w2 = w1 ? wpath(to, s2, &h2, &err) : NULL;
	if (w2 &&
	    !MoveFileExW(w1, w2,
			 MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		err = last_err();
	free(h1);
	if (w1)
		free(h2);
	return err;
}

static int sys_unlink(void *ctx, const char *path)
{
	wchar_t stack[WPATH_STACK], *heap, *w;
	int err = 0;

	(void)ctx;
	w = wpath(path, stack, &heap, &err);
	if (w && !DeleteFileW(w))
		err = last_err();
	free(heap);
	return err;
}

static int sys_getfl(void *ctx, int fd)
{
	(void)ctx;
	return fd_handle(fd) == INVALID_HANDLE_VALUE ? -EBADF : 0;
}

static int sys_getpid(void *ctx)
{
	(void)ctx;
	return (int)GetCurrentProcessId();
}

static int sys_linkat(void *ctx, int olddirfd, const char *oldpath,
		      int newdirfd, const char *newpath, int flags)
{
	(void)ctx;
	(void)olddirfd;
	(void)oldpath;
	(void)newdirfd;
	(void)newpath;
	(void)flags;
	return -ENOSYS;
}

static int sys_kill(void *ctx, int pid, int sig)
{
	(void)ctx;
	(void)pid;
	(void)sig;
	return -ENOSYS;
}

static int sys_unlinkat(void *ctx, int dirfd, const char *path, int flags)
{
	(void)ctx;
	(void)dirfd;
	(void)path;
	(void)flags;
	return -ENOSYS;
}

static ssize_t sys_getdents(void *ctx, int fd, void *buf, size_t n)
{
	(void)ctx;
	(void)fd;
	(void)buf;
	(void)n;
	return -ENOSYS;
}

void iovw__sys_win(iovw_sys *out)
{
	static const iovw_sys real = {
		.open = sys_open,
		.close = sys_close,
		.pwrite = sys_pwrite,
		.pwritev = sys_pwritev,
		.ftruncate = sys_ftruncate,
		.fallocate = sys_fallocate,
		.fsize = sys_fsize,
		.mmap = sys_mmap,
		.munmap = sys_munmap,
		.fdatasync = sys_fsync, /* FlushFileBuffers for both */
		.fsync = sys_fsync,
		.rename = sys_rename,
		.unlink = sys_unlink,
		.getfl = sys_getfl,
		.linkat = sys_linkat,
		.getpid = sys_getpid,
		.kill = sys_kill,
		.unlinkat = sys_unlinkat,
		.getdents = sys_getdents,
		.mmap_anon = sys_mmap_anon,
	};

	*out = real;
}

uint64_t iovw__now_ns(void)
{
	LARGE_INTEGER t, f;

	QueryPerformanceCounter(&t);
	QueryPerformanceFrequency(&f);
	return (uint64_t)((double)t.QuadPart * 1e9 / (double)f.QuadPart);
}

uint64_t iovw__wall_ns(void)
{
	FILETIME ft;

	GetSystemTimePreciseAsFileTime(&ft);
	return ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) * 100u;
}

uint64_t iovw__map_align(void)
{
	SYSTEM_INFO si;

	GetSystemInfo(&si);
	return si.dwAllocationGranularity ? si.dwAllocationGranularity : 65536u;
}

#else
/* ISO C wants something in every translation unit. */
typedef int iovw__sys_win_unused;
#endif /* _WIN32 */
