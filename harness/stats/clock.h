/*
 * clock.h - the clock every timed region reads.
 */
#ifndef IOVBENCH_STATS_CLOCK_H
#define IOVBENCH_STATS_CLOCK_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

/* Nanoseconds of CLOCK_MONOTONIC (through the vDSO: no system call). */
static inline uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A struct timeval (getrusage's CPU times) in nanoseconds. */
static inline uint64_t clock_tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

#endif
