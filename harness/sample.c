/*
 * sample.c - measured runs in child processes (see sample.h).
 */
#include "sample.h"

#include "timefn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fields of /proc/self/status, in bytes. */
struct mem {
	int64_t rss, hwm, anon, file;
};

static void read_mem(struct mem *m)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if ((p = strstr(buf, "VmRSS:")))
		m->rss = strtoll(p + 6, NULL, 10) * 1024;
	if ((p = strstr(buf, "VmHWM:")))
		m->hwm = strtoll(p + 6, NULL, 10) * 1024;
	if ((p = strstr(buf, "RssAnon:")))
		m->anon = strtoll(p + 8, NULL, 10) * 1024;
	if ((p = strstr(buf, "RssFile:")))
		m->file = strtoll(p + 8, NULL, 10) * 1024;
}

static void reset_hwm(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "5", 1) < 0) {
			/* older kernels: the peak then includes the setup */
		}
		close(fd);
	}
}

struct child_state {
	struct mem start, built;
	int seen;
};

static void on_built(void *ctx)
{
	struct child_state *c = ctx;
	read_mem(&c->built);
	c->seen = 1;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* Fork a child that runs fn(job, wfd), read what it writes to wfd into
 * buf (at most len bytes; *got says how many) and reap it. 0 with its
 * status (and rusage), or a negative errno. */
static int in_child(void (*fn)(const struct sample_job *, int),
		    const struct sample_job *job, void *buf, size_t len,
		    ssize_t *got, int *status, struct rusage *ru)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(fds[0]);
		close(fds[1]);
		return e;
	}
	if (pid == 0) {
		close(fds[0]);
		fn(job, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	do
		*got = read(fds[0], buf, len);
	while (*got < 0 && errno == EINTR);
	close(fds[0]);
	while (wait4(pid, status, 0, ru) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void child(const struct sample_job *job, int wfd)
{
	struct rusage r0, r1;
	struct child_state cs = {0};
	struct sample s;
	struct mem end;
	iovw_options o = job->opts;
	uint64_t t0;

	memset(&s, 0, sizeof(s));
	o.built = on_built;
	o.built_ctx = &cs;
	s.rc = job->prepare ? job->prepare(job->ctx) : 0;
	if (!s.rc) {
		reset_hwm();
		read_mem(&cs.start);
		getrusage(RUSAGE_SELF, &r0);
		t0 = tf_now_ns();
		s.rc = job->run(job->ctx, &o, &s.st);
		s.total_ns = tf_now_ns() - t0;
		getrusage(RUSAGE_SELF, &r1);
		s.utime_ns = tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime);
		s.stime_ns = tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime);
		s.minflt = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
		s.majflt = (uint64_t)(r1.ru_majflt - r0.ru_majflt);
		read_mem(&end);
		if (!cs.seen)
			cs.built = end; /* no build phase (reference rows) */
		s.peak_rss_delta = end.hwm - cs.start.rss;
		s.anon_delta = cs.built.anon - cs.start.anon;
		s.file_delta = cs.built.file - cs.start.file;
	}
	if (write(wfd, &s, sizeof(s)) != (ssize_t)sizeof(s))
		_exit(2);
	_exit(0);
}

int sample_run(const struct sample_job *job, struct sample *out)
{
	struct rusage ru;
	int status;
	ssize_t n;
	int rc = in_child(child, job, out, sizeof(*out), &n, &status, &ru);

	if (rc)
		return rc;
	if (WIFSIGNALED(status))
		return -EINTR;
	if (n != (ssize_t)sizeof(*out) || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EIO;
	out->proc_utime_ns = tv_ns(ru.ru_utime);
	out->proc_stime_ns = tv_ns(ru.ru_stime);
	out->proc_minflt = (uint64_t)ru.ru_minflt;
	out->proc_majflt = (uint64_t)ru.ru_majflt;
	return 0;
}

/* ---- system calls by name, through ptrace ------------------------------- */

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
	N(read),     N(write),	    N(pwrite64),  N(pwritev),	N(writev),
	N(openat),   N(close),	    N(fsync),	  N(fdatasync), N(renameat2),
	N(unlinkat), N(mmap),	    N(munmap),	  N(mremap),	N(madvise),
	N(brk),	     N(ftruncate),  N(fallocate), N(fstat),	N(newfstatat),
	N(statx),    N(lseek),	    N(getrandom), N(futex),	N(mkdirat),
	N(msync),    N(exit_group), N(getpid),
#ifdef SYS_open
	N(open),     N(rename),	    N(unlink),	  N(mkdir),
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

/* ---- system calls by name, through the kernel's tracepoints ------------ */

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
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, group,
			    PERF_FLAG_FD_CLOEXEC);
}

#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Opening a tracepoint counter registers the tracepoint, which is slow
 * (tens of ms here) unless somebody has it registered already. The parent
 * keeps a disabled counter on each open for the whole run, so that every
 * child's opens are cheap. */
void sample_syscalls_warm(void)
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
static void tp_child(const struct sample_job *job, int wfd)
{
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
	if (job->prepare && job->prepare(job->ctx))
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

static int sample_syscalls_tp(const struct sample_job *job,
			      struct sc_count *out)
{
	uint64_t vals[1 + 1 + NNAMES];
	struct rusage ru;
	int status;
	ssize_t n;
	int rc = in_child(tp_child, job, vals, sizeof(vals), &n, &status, &ru);

	if (rc)
		return rc;
	if (WIFSIGNALED(status))
		return -EINTR;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
		return -ENOSYS;
	if (n != (ssize_t)sizeof(vals) || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EIO;
	tp_fill(vals, out);
	return 0;
}

static int sample_syscalls_ptrace(const struct sample_job *job,
				  struct sc_count *out);

int sample_syscalls(const struct sample_job *job, struct sc_count *out)
{
	int rc;

	const char *how = getenv("IOVBENCH_SYSCALLS"); /* "ptrace" forces it */

	memset(out, 0, sizeof(*out));
	if (!how || strcmp(how, "ptrace")) {
		rc = sample_syscalls_tp(job, out);
		if (rc != -ENOSYS)
			return rc;
	}
	return sample_syscalls_ptrace(job, out);
}

static int sample_syscalls_ptrace(const struct sample_job *job,
				  struct sc_count *out)
{
	struct __ptrace_syscall_info info;
	int status, in = 0, markers = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		iovw_options o = job->opts;
		iovw_stats st = {0};
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(3);
		raise(SIGSTOP);
		if (job->prepare && job->prepare(job->ctx))
			_exit(4);
		marker();
		job->run(job->ctx, &o, &st);
		marker();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status)) {
		waitpid(pid, &status, 0);
		return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? -ENOSYS
								     : -EIO;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) <
	    0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -ENOSYS;
	}
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0)
			break;
		if (waitpid(pid, &status, 0) < 0)
			return -errno;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (!(WIFSTOPPED(status) &&
		      WSTOPSIG(status) == (SIGTRAP | 0x80)))
			continue; /* a signal stop: let it go on */
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info),
			   &info) <= 0)
			continue;
		if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
			continue;
		if (info.entry.nr == SYS_write &&
		    (int)info.entry.args[0] == -1 && info.entry.args[1] == 0) {
			in = !in;
			markers++;
			continue;
		}
		if (in)
			count(out, (long)info.entry.nr);
	}
	if (WIFSIGNALED(status))
		return -EINTR;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || markers != 2)
		return -EIO;
	return 0;
}
