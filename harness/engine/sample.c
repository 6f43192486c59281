/*
 * sample.c - measured runs in child processes (see sample.h).
 */
#include "engine/sample.h"

#include "engine/child.h"
#include "engine/session.h"
#include "stats/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static void child(const void *ctx, int wfd)
{
	const struct sample_job *job = ctx;
	struct rusage r0, r1;
	struct child_state cs = {0};
	struct sample s;
	struct mem end;
	iovw_options o = job->opts;
	uint64_t t0;

	memset(&s, 0, sizeof(s));
	o.built = on_built;
	o.built_ctx = &cs;
	s.rc = job->prepare ? job->prepare(job->ctx, &job->opts) : 0;
	if (!s.rc) {
		reset_hwm();
		read_mem(&cs.start);
		getrusage(RUSAGE_SELF, &r0);
		t0 = clock_now_ns();
		s.rc = job->run(job->ctx, &o, &s.st);
		s.total_ns = clock_now_ns() - t0;
		getrusage(RUSAGE_SELF, &r1);
		s.utime_ns =
			clock_tv_ns(r1.ru_utime) - clock_tv_ns(r0.ru_utime);
		s.stime_ns =
			clock_tv_ns(r1.ru_stime) - clock_tv_ns(r0.ru_stime);
		s.minflt = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
		s.majflt = (uint64_t)(r1.ru_majflt - r0.ru_majflt);
		read_mem(&end);
		if (!cs.seen)
			cs.built = end; /* no build phase (reference rows) */
		s.peak_rss_delta = end.hwm - cs.start.rss;
		s.anon_delta = cs.built.anon - cs.start.anon;
		s.file_delta = cs.built.file - cs.start.file;
	}
	s.cache_bytes = -1;
	if (!s.rc && job->cached) {
		uint64_t b;
		if (!job->cached(job->ctx, &b))
			s.cache_bytes = (int64_t)b;
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
	int rc = child_run(child, job, out, sizeof(*out), &n, &status, &ru);

	if (rc)
		return rc;
	if (WIFSIGNALED(status)) /* killed: by Ctrl-C, or it crashed */
		return session_interrupted() ? -EINTR : -EIO;
	if (n != (ssize_t)sizeof(*out) || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EIO;
	out->proc_utime_ns = clock_tv_ns(ru.ru_utime);
	out->proc_stime_ns = clock_tv_ns(ru.ru_stime);
	out->proc_minflt = (uint64_t)ru.ru_minflt;
	out->proc_majflt = (uint64_t)ru.ru_majflt;
	return 0;
}
