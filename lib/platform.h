/*
 * platform.h - what differs between the platforms libiovw builds on.
 *
 * Two implementations: POSIX (sys.c, Linux first; the Linux-only calls
 * O_TMPFILE, linkat(AT_EMPTY_PATH), getdents64 and fallocate are guarded
 * there and in atomic.c and tmpname.c) and Windows (sys_win.c, built with
 * mingw-w64). Everything above the syscall seam (writer, stream, the
 * strategies, the write loop, the atomic write's sequence of calls) is the
 * same code on both: the seam's members are the platform.
 *
 * On Windows a file descriptor is a C runtime descriptor (_open_osfhandle),
 * the seam's real calls work on its HANDLE (_get_osfhandle), and paths are
 * UTF-8, turned into UTF-16 for the wide Win32 calls.
 */
#ifndef IOVW_PLATFORM_H
#define IOVW_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef _WIN32
#include <fcntl.h>
/* Handles are created not inheritable; the C runtime's flag for it. */
#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
/* The separators of a path's directory part (a drive "C:" ends one too). */
#define IOVW__IS_SEP(c) ((c) == '/' || (c) == '\\' || (c) == ':')
/* Windows fills the seam with its own calls (sys_win.c); the members
 * without a Windows counterpart (linkat, kill, unlinkat, getdents) return
 * -ENOSYS. */
void iovw__sys_win(iovw_sys *out);
#else
#define IOVW__IS_SEP(c) ((c) == '/')
#endif

/* The alignment of a file offset a mapping may start at: the page size on
 * POSIX, the allocation granularity (64 KiB) on Windows. */
uint64_t iovw__map_align(void);

/* Nanoseconds of the wall clock, for temporary names' seeds (no system
 * call where the vDSO has the clock). */
uint64_t iovw__wall_ns(void);

#endif /* IOVW_PLATFORM_H */
