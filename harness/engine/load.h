/*
 * load.h - how busy the machine was while we measured.
 *
 * A mark reads the machine's CPU counters (/proc/stat: every CPU's busy
 * and steal time), the 1-minute load average and this process's own CPU
 * time with its waited-for children (the samples, fio). Between two marks
 * the CPU time used by everything else, "others", is the machine's busy
 * time minus ours: a CPU hog beside a run shows as about one core, while
 * our own sample children do not count. Steal is the time the hypervisor
 * ran someone else on our virtual CPUs. The kernel's writeback of our own
 * files runs in kernel threads and counts as others; the busy rule allows
 * for it.
 */
#ifndef IOVBENCH_ENGINE_LOAD_H
#define IOVBENCH_ENGINE_LOAD_H

#include <stdint.h>

struct load_mark {
	uint64_t t_ns;	   /* CLOCK_MONOTONIC */
	uint64_t busy_ns;  /* all CPUs: not idle, not iowait, not steal */
	uint64_t steal_ns; /* all CPUs: stolen by the hypervisor */
	uint64_t self_ns;  /* this process and its waited children */
	double load1;	   /* 1-minute load average */
	int ok;		   /* /proc/stat was read */
};

/* What happened between two marks. */
struct load_span {
	double secs;	     /* wall time */
	double others_cores; /* mean CPUs used by other processes */
	double steal;	     /* stolen share of the machine's CPU time */
	double load1;	     /* load average at the end */
};

/* Others using at least this many cores, or this share stolen, over a
 * span of at least LOAD_MIN_SECS makes it busy. /proc/stat counts in
 * clock ticks (10 ms): over a shorter span one tick at each end is a
 * large share of a core, and the span is not judged. */
#define LOAD_BUSY_CORES 0.35
#define LOAD_BUSY_STEAL 0.05
#define LOAD_MIN_SECS	0.5

/* Take a mark (never fails: what cannot be read is 0 and ok is 0). */
void load_mark(struct load_mark *m);

/* The span from a to b, with the machine's number of CPUs. */
void load_span(const struct load_mark *a, const struct load_mark *b,
	       struct load_span *out);

/* Can a span be judged (LOAD_MIN_SECS), and is it busy (LOAD_BUSY_*)? */
int load_judged(const struct load_span *s);
int load_busy(const struct load_span *s);

#endif
