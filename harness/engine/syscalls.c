/*
 * syscalls.c - system calls by name, counted by the kernel's tracepoints
 * or through ptrace (see syscalls.h).
 */
#include "engine/syscalls.h"

#include "engine/child.h"
#include "engine/session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const method_names[] = {"auto", "tracepoints", "ptrace",
					   "off"};

const char *sc_method_name(enum sc_method m)
{
	return (unsigned)m < 4 ? method_names[m] : "?";
}

int sc_method_parse(const char *s, enum sc_method *out)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, method_names[i])) {
			*out = (enum sc_method)i;
			return 0;
		}
	return -EINVAL;
}

/* The marker around the counted region: write(-1, NULL, 0), which fails
 * with EBADF and which the library never makes. */
static void marker(void)
{
	syscall(SYS_write, -1, NULL, 0);
}

static const struct {
	long nr;
	const char *name;
} names[] = {
#define N(x)                \
	{                   \
		SYS_##x, #x \
	}
	N(read),
	N(write),
	N(pwrite64),
	N(pwritev),
	N(writev),
	N(openat),
	N(close),
	N(fsync),
	N(fdatasync),
	N(renameat2),
	N(unlinkat),
	N(mmap),
	N(munmap),
	N(mremap),
	N(madvise),
	N(brk),
	N(ftruncate),
	N(fallocate),
	N(fstat),
	N(newfstatat),
	N(statx),
	N(lseek),
	N(getrandom),
	N(futex),
	N(mkdirat),
	N(msync),
	N(exit_group),
	N(getpid),
	N(linkat),
	N(fcntl),
	N(io_uring_setup),
	N(io_uring_enter),
	N(io_uring_register),
	N(clone),
	N(clone3),
#ifdef SYS_open
	N(open),
	N(rename),
	N(unlink),
	N(mkdir),
#endif
#ifdef SYS_pwritev2
	N(pwritev2),
#endif
#undef N
};

static void count(struct sc_count *c, long nr)
{
	char buf[24];
	const char *name = NULL;
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			name = names[i].name;
	if (!name) {
		snprintf(buf, sizeof(buf), "syscall_%ld", nr);
		name = buf;
	}
	c->total++;
	for (i = 0; i < c->n; i++) {
		if (!strcmp(c->e[i].name, name)) {
			c->e[i].calls++;
			return;
		}
	}
	if (c->n < SC_MAX_NAMES) {
		snprintf(c->e[c->n].name, sizeof(c->e[c->n].name), "%s", name);
		c->e[c->n++].calls = 1;
	}
}

/* The id of tracepoint syscalls/sys_enter_NAME (or raw_syscalls/sys_enter
 * for NULL), or -1. */
static long tracepoint_id(const char *name)
{
	static const char *const roots[] = {"/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing"};
	char path[256], buf[32];
	unsigned i;

	for (i = 0; i < 2; i++) {
		ssize_t n;
		int fd;

		if (name)
			snprintf(path, sizeof(path),
				 "%s/events/syscalls/sys_enter_%s/id", roots[i],
				 name);
		else
			snprintf(path, sizeof(path),
				 "%s/events/raw_syscalls/sys_enter/id",
				 roots[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			return strtol(buf, NULL, 10);
		}
	}
	return -1;
}

static int tp_open(long id, int group)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	a.disabled = group < 0;
	a.read_format = PERF_FORMAT_GROUP;
	a.inherit = 1; /* threads the job starts (the pipelined writer) */
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, group,
			    PERF_FLAG_FD_CLOEXEC);
}

#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Opening a tracepoint counter registers the tracepoint, which is slow
 * (tens of ms here) unless somebody has it registered already. The parent
 * keeps a disabled counter on each open for the whole run, so that every
 * child's opens are cheap. */
void syscalls_warm(void)
{
	static int done;
	unsigned i;
	long id;

	if (done)
		return;
	done = 1;
	id = tracepoint_id(NULL);
	if (id >= 0)
		tp_open(id, -1);
	for (i = 0; i < NNAMES; i++) {
		id = tracepoint_id(names[i].name);
		if (id >= 0)
			tp_open(id, -1); /* kept open, never enabled */
	}
}

/* In the child: count its own system calls in the region with a group of
 * tracepoint counters (the kernel counts; nothing stops). Writes the
 * counts, raw total first, to wfd; exits 5 if counters cannot be had. */
static void tp_child(const void *ctx, int wfd)
{
	const struct sample_job *job = ctx;
	uint64_t vals[1 + 1 + NNAMES];
	int leader;
	iovw_options o = job->opts;
	iovw_stats st = {0};
	unsigned i;
	long id = tracepoint_id(NULL);

	if (id < 0 || (leader = tp_open(id, -1)) < 0)
		_exit(5);
	/* the counters stay open until the child exits */
	for (i = 0; i < NNAMES; i++) {
		long tid = tracepoint_id(names[i].name);
		if (tid >= 0 && tp_open(tid, leader) < 0)
			_exit(5);
	}
	if (job->prepare && job->prepare(job->ctx, &job->opts))
		_exit(4);
	ioctl(leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	job->run(job->ctx, &o, &st);
	ioctl(leader, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	memset(vals, 0, sizeof(vals));
	if (read(leader, vals, sizeof(vals)) <= 0)
		_exit(5);
	if (write(wfd, vals, sizeof(vals)) != (ssize_t)sizeof(vals))
		_exit(2);
	_exit(0);
}

/* Fill `out` from the group read: vals[0] = number of counters, then the
 * raw total, then one per opened name in table order. */
static void tp_fill(const uint64_t *vals, struct sc_count *out)
{
	uint64_t listed = 0, total = vals[1] ? vals[1] - 1 : 0; /* the
						       disabling ioctl */
	size_t k = 2;
	unsigned i;

	for (i = 0; i < NNAMES; i++) {
		long tid = tracepoint_id(names[i].name);
		uint64_t v;

		if (tid < 0)
			continue;
		v = vals[k++];
		if (names[i].nr == SYS_ioctl && v)
			v--;
		if (!v)
			continue;
		if (out->n < SC_MAX_NAMES) {
			snprintf(out->e[out->n].name,
				 sizeof(out->e[out->n].name), "%s",
				 names[i].name);
			out->e[out->n++].calls = v;
		}
		listed += v;
	}
	if (total > listed && out->n < SC_MAX_NAMES) {
		snprintf(out->e[out->n].name, sizeof(out->e[out->n].name),
			 "other");
		out->e[out->n++].calls = total - listed;
	}
	out->total = total > listed ? total : listed;
}

static int count_tracepoints(const struct sample_job *job, struct sc_count *out)
{
	uint64_t vals[1 + 1 + NNAMES];
	struct rusage ru;
	int status;
	ssize_t n;
	int rc = child_run(tp_child, job, vals, sizeof(vals), &n, &status, &ru);

	if (rc)
		return rc;
	if (WIFSIGNALED(status))
		return session_interrupted() ? -EINTR : -EIO;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
		return -ENOSYS;
	if (n != (ssize_t)sizeof(vals) || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EIO;
	tp_fill(vals, out);
	return 0;
}

/* Wait for the traced child's next stop or its end, through EINTR;
 * -EINTR when the session is interrupted. */
static int trace_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		if (session_interrupted())
			return -EINTR;
	}
	return 0;
}

/* Kill and reap the traced child after a failure; returns rc. */
static int trace_abort(pid_t pid, int rc)
{
	int status;

	kill(pid, SIGKILL);
	child_reap(pid, &status, NULL);
	return rc;
}

/* The traced child: prepare (untraced: a warm row's first run makes as
 * many calls as the measured one, and each would stop for the tracer),
 * stop for the tracer, run between markers. */
static void __attribute__((noreturn)) trace_child(const struct sample_job *job)
{
	iovw_options o = job->opts;
	iovw_stats st = {0};

	if (job->prepare && job->prepare(job->ctx, &job->opts))
		_exit(4);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(3);
	raise(SIGSTOP);
	marker();
	job->run(job->ctx, &o, &st);
	marker();
	_exit(0);
}

/* Follow the stopped child from call to call until it ends, counting the
 * calls between the markers; signals are delivered to it. */
static int trace_calls(pid_t pid, struct sc_count *out)
{
	struct __ptrace_syscall_info info;
	int status, in = 0, markers = 0, sig = 0, rc;

	for (;;) {
		if (session_interrupted())
			return trace_abort(pid, -EINTR);
		if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig) < 0)
			return trace_abort(pid, -errno);
		sig = 0;
		if ((rc = trace_wait(pid, &status)))
			return trace_abort(pid, rc);
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(status); /* a signal: let it arrive */
			continue;
		}
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info),
			   &info) <= 0 ||
		    info.op != PTRACE_SYSCALL_INFO_ENTRY)
			continue;
		if (info.entry.nr == SYS_write &&
		    (int)info.entry.args[0] == -1 && info.entry.args[1] == 0) {
			in = !in;
			markers++;
		} else if (in) {
			count(out, (long)info.entry.nr);
		}
	}
	if (WIFSIGNALED(status))
		return session_interrupted() ? -EINTR : -EIO;
	if (WEXITSTATUS(status) || markers != 2)
		return -EIO;
	return 0;
}

static int count_ptrace(const struct sample_job *job, struct sc_count *out)
{
	int status, rc;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		trace_child(job);
	if ((rc = trace_wait(pid, &status)))
		return trace_abort(pid, rc);
	if (!WIFSTOPPED(status)) { /* it could not be traced */
		if (!WIFEXITED(status) && !WIFSIGNALED(status))
			return trace_abort(pid, -EIO);
		return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? -ENOSYS
								     : -EIO;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) <
	    0)
		return trace_abort(pid, -ENOSYS);
	return trace_calls(pid, out);
}

int syscalls_count(const struct sample_job *job, enum sc_method how,
		   struct sc_count *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (how == SC_OFF)
		return -EINVAL;
	if (how != SC_PTRACE) {
		out->method = SC_TRACEPOINTS;
		rc = count_tracepoints(job, out);
		if (rc != -ENOSYS || how == SC_TRACEPOINTS)
			return rc;
		memset(out, 0, sizeof(*out));
	}
	out->method = SC_PTRACE;
	return count_ptrace(job, out);
}
