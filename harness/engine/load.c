/*
 * load.c - how busy the machine was (see load.h).
 */
#include "engine/load.h"

#include "stats/clock.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Read a small /proc file into buf; its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return -1;
	k = read(fd, buf, n - 1);
	close(fd);
	if (k < 0)
		return -1;
	buf[k] = '\0';
	return k;
}

/* The "cpu " line: user nice system idle iowait irq softirq steal, in
 * clock ticks. */
static int read_stat(struct load_mark *m)
{
	unsigned long long v[8] = {0};
	long hz = sysconf(_SC_CLK_TCK);
	char buf[1024];
	uint64_t tick;

	if (hz <= 0 || slurp("/proc/stat", buf, sizeof(buf)) < 0)
		return 0;
	if (sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return 0;
	tick = 1000000000u / (uint64_t)hz;
	m->busy_ns = (v[0] + v[1] + v[2] + v[5] + v[6]) * tick;
	m->steal_ns = v[7] * tick;
	return 1;
}

void load_mark(struct load_mark *m)
{
	struct rusage self, kids;
	char buf[128];

	memset(m, 0, sizeof(*m));
	m->ok = read_stat(m);
	if (slurp("/proc/loadavg", buf, sizeof(buf)) > 0)
		m->load1 = strtod(buf, NULL);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	m->self_ns = clock_tv_ns(self.ru_utime) + clock_tv_ns(self.ru_stime) +
		     clock_tv_ns(kids.ru_utime) + clock_tv_ns(kids.ru_stime);
	m->t_ns = clock_now_ns();
}

void load_span(const struct load_mark *a, const struct load_mark *b,
	       struct load_span *out)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double wall = (double)(b->t_ns - a->t_ns), busy, self, all;

	memset(out, 0, sizeof(*out));
	out->secs = wall / 1e9;
	out->load1 = b->load1;
	if (!a->ok || !b->ok || wall <= 0 || b->busy_ns < a->busy_ns)
		return;
	if (cpus < 1)
		cpus = 1;
	busy = (double)(b->busy_ns - a->busy_ns);
	self = (double)(b->self_ns - a->self_ns);
	all = wall * (double)cpus;
	/* ticks are coarse (10 ms): a short span can show our own time as
	 * a little more than the machine's */
	out->others_cores = busy > self ? (busy - self) / wall : 0;
	if (out->others_cores > (double)cpus)
		out->others_cores = (double)cpus;
	out->steal = (double)(b->steal_ns - a->steal_ns) / all;
	if (out->steal > 1)
		out->steal = 1;
}

int load_judged(const struct load_span *s)
{
	return s->secs >= LOAD_MIN_SECS;
}

int load_busy(const struct load_span *s)
{
	return load_judged(s) && (s->others_cores >= LOAD_BUSY_CORES ||
				  s->steal >= LOAD_BUSY_STEAL);
}
