/*
 * names.c - error text, strategy and syscall names, stats arithmetic.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

static const char *const strategy_names[IOVW_STRATEGY_COUNT] = {
	"pwritev", "buffer",   "mmap",	    "write-each",
	"stream",  "io_uring", "pipelined",
};

static const char *const syscall_names[IOVW_SYS_COUNT] = {
	[IOVW_SYS_OPEN] = "open",
	[IOVW_SYS_CLOSE] = "close",
	[IOVW_SYS_PWRITE] = "pwrite",
	[IOVW_SYS_PWRITEV] = "pwritev",
	[IOVW_SYS_FTRUNCATE] = "ftruncate",
	[IOVW_SYS_FALLOCATE] = "fallocate",
	[IOVW_SYS_FSTAT] = "fstat",
	[IOVW_SYS_MMAP] = "mmap",
	[IOVW_SYS_MUNMAP] = "munmap",
	[IOVW_SYS_FDATASYNC] = "fdatasync",
	[IOVW_SYS_FSYNC] = "fsync",
	[IOVW_SYS_RENAME] = "rename",
	[IOVW_SYS_UNLINK] = "unlink",
	[IOVW_SYS_FCNTL] = "fcntl",
	[IOVW_SYS_LINKAT] = "linkat",
	[IOVW_SYS_GETPID] = "getpid",
	[IOVW_SYS_KILL] = "kill",
	[IOVW_SYS_UNLINKAT] = "unlinkat",
	[IOVW_SYS_GETDENTS] = "getdents64",
	[IOVW_SYS_PWRITEV2] = "pwritev2",
	[IOVW_SYS_URING_SETUP] = "io_uring_setup",
	[IOVW_SYS_URING_SUBMIT] = "io_uring_submit",
	[IOVW_SYS_URING_WAIT] = "io_uring_wait",
	[IOVW_SYS_TASKS] = "proc_tasks",
};

const char *iovw_strerror(int err)
{
	const char *s;

	if (err == 0)
		return "success";
	if (err > 0 || err < -4095)
		return "not an error code";
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	s = strerrordesc_np(-err);
#elif defined(_WIN32)
	/* the C runtime knows only the codes below 100 */
	switch (-err) {
	case ENOTSUP:
		return "Not supported";
	case EOPNOTSUPP:
		return "Operation not supported";
	case EOVERFLOW:
		return "Value too large for defined data type";
	case ETIMEDOUT:
		return "Timed out";
	default:
		s = strerror(-err);
	}
#else
	s = strerror(-err);
#endif
	return s ? s : "unknown error";
}

const char *iovw_strategy_name(iovw_strategy s)
{
	if ((unsigned)s >= IOVW_STRATEGY_COUNT)
		return NULL;
	return strategy_names[s];
}

int iovw_strategy_parse(const char *name, iovw_strategy *out)
{
	unsigned i;

	if (!name || !out)
		return -EINVAL;
	for (i = 0; i < IOVW_STRATEGY_COUNT; i++) {
		if (!strcmp(name, strategy_names[i])) {
			*out = (iovw_strategy)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *iovw_syscall_name(iovw_syscall c)
{
	if ((unsigned)c >= IOVW_SYS_COUNT)
		return NULL;
	return syscall_names[c];
}

void iovw_stats_add(iovw_stats *to, const iovw_stats *from)
{
	unsigned i;

	if (!to || !from)
		return;
	to->bytes_written += from->bytes_written;
	to->bytes_copied += from->bytes_copied;
	to->pieces += from->pieces;
	to->iovecs += from->iovecs;
	to->batches += from->batches;
	to->build_ns += from->build_ns;
	to->write_ns += from->write_ns;
	for (i = 0; i < IOVW_SYS_COUNT; i++)
		to->syscalls[i] += from->syscalls[i];
	to->dontcache_writes += from->dontcache_writes;
	to->dontcache_fallbacks += from->dontcache_fallbacks;
	to->uring_requests += from->uring_requests;
	to->uring_resubmits += from->uring_resubmits;
	to->uring_workers += from->uring_workers;
}
