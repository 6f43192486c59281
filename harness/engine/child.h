/*
 * child.h - run a function in a child process and collect what it says.
 */
#ifndef IOVBENCH_ENGINE_CHILD_H
#define IOVBENCH_ENGINE_CHILD_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Fork a child that runs fn(ctx, wfd) and exits 0 when fn returns; read
 * what it writes to wfd into buf (at most len bytes; *got says how many)
 * and reap it. When the session is interrupted (session.h) while the
 * parent waits, the child is killed (its status then says so) and reaped.
 * 0 with its wait status and rusage, or a negative errno (pipe, fork). */
int child_run(void (*fn)(const void *ctx, int wfd), const void *ctx, void *buf,
	      size_t len, ssize_t *got, int *status, struct rusage *ru);

/* Wait for pid, retrying on EINTR; 0 or a negative errno. */
int child_reap(pid_t pid, int *status, struct rusage *ru);

#endif
