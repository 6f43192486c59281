/*
 * session.h - a command's scratch directory, and Ctrl-C.
 *
 * A session creates a fresh directory for the command's files and catches
 * SIGINT, SIGTERM and SIGHUP (those not ignored when it begins, as under
 * nohup or in a shell's background job): the handler only sets a flag, which
 * the work checks between steps (session_interrupted()) so that it stops
 * cleanly, with every child reaped. session_end() removes the directory
 * and restores the handlers. One session at a time.
 */
#ifndef IOVBENCH_ENGINE_SESSION_H
#define IOVBENCH_ENGINE_SESSION_H

#include <signal.h>

struct session {
	char dir[4096]; /* the scratch directory */
	struct sigaction old[3];
};

/* Create the scratch directory "iovbench-WHAT-XXXXXX" under `parent`
 * (NULL: $TMPDIR or /tmp), none when `what` is NULL, and catch the
 * signals. 0 or a negative errno (nothing to end then). */
int session_begin(struct session *s, const char *parent, const char *what);

/* Has a signal asked the session to stop? */
int session_interrupted(void);

/* Empty the scratch directory (between workloads). 0 or a negative errno. */
int session_clear(const struct session *s);

/* Remove the scratch directory and restore the signal handlers. */
void session_end(struct session *s);

#endif
