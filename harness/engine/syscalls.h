/*
 * syscalls.h - the system calls of one run, by name, as the kernel sees
 * them.
 *
 * A separate, untimed run of a sample's job in a child counts the calls
 * its run() makes (prepare() is not counted), with one of two methods:
 *  - tracepoints: the kernel's syscall tracepoints through
 *    perf_event_open(), counted by the kernel while the child runs at
 *    full speed; calls the name table does not list are counted as
 *    "other";
 *  - ptrace: a stop at every call (slow); unlisted calls are named
 *    "syscall_NR". Markers (write(-1, NULL, 0)) delimit the region.
 */
#ifndef IOVBENCH_ENGINE_SYSCALLS_H
#define IOVBENCH_ENGINE_SYSCALLS_H

#include "engine/sample.h"

#include <stdint.h>

enum sc_method {
	SC_AUTO,	/* tracepoints where they can be had, else ptrace */
	SC_TRACEPOINTS, /* only tracepoints (-ENOSYS where not allowed) */
	SC_PTRACE,	/* only ptrace */
	SC_OFF,		/* not counted */
};

#define SC_MAX_NAMES 48

struct sc_count {
	enum sc_method method; /* the method that counted */
	unsigned n;
	struct {
		char name[24];
		uint64_t calls;
	} e[SC_MAX_NAMES];
	uint64_t total;
};

/* "auto", "tracepoints", "ptrace", "off". */
const char *sc_method_name(enum sc_method m);
/* Parse a method name; 0 or -EINVAL. */
int sc_method_parse(const char *s, enum sc_method *out);

/* Count the system calls of job's run() in a child with method `how`
 * (not SC_OFF). 0, -ENOSYS if the method is not allowed here, -EINTR if
 * the child was killed by a signal, or another negative errno. The child
 * is always reaped. */
int syscalls_count(const struct sample_job *job, enum sc_method how,
		   struct sc_count *out);

/* Make later tracepoint counts fast (see syscalls.c); call once. */
void syscalls_warm(void);

#endif
