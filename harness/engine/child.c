/*
 * child.c - a function in a child process (see child.h).
 */
#include "engine/child.h"

#include "engine/session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int child_reap(pid_t pid, int *status, struct rusage *ru)
{
	while (wait4(pid, status, 0, ru) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int child_run(void (*fn)(const void *ctx, int wfd), const void *ctx, void *buf,
	      size_t len, ssize_t *got, int *status, struct rusage *ru)
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
		fn(ctx, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		if (session_interrupted()) {
			/* Ctrl-C came before the wait began: stop it now */
			kill(pid, SIGKILL);
			*got = -1;
			break;
		}
		*got = read(fds[0], buf, len);
		if (*got >= 0 || errno != EINTR)
			break;
		if (session_interrupted()) {
			/* Ctrl-C: the sample is lost anyway, stop it now */
			kill(pid, SIGKILL);
			break;
		}
	}
	close(fds[0]);
	return child_reap(pid, status, ru);
}
