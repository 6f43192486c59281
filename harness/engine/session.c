/*
 * session.c - scratch directory and Ctrl-C (see session.h).
 */
#include "engine/session.h"

#include "engine/files.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

int session_begin(struct session *s, const char *parent, const char *what)
{
	struct sigaction sa;
	int i, rc;

	memset(s, 0, sizeof(*s));
	if (what && (rc = dir_make_temp(s->dir, sizeof(s->dir), parent, what)))
		return rc;
	interrupted = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waits see EINTR */
	for (i = 0; i < 3; i++) {
		sigaction(signals[i], NULL, &s->old[i]);
		/* an ignored signal stays ignored (nohup, a shell's
		 * background job) */
		if (s->old[i].sa_handler != SIG_IGN)
			sigaction(signals[i], &sa, NULL);
	}
	return 0;
}

int session_interrupted(void)
{
	return interrupted;
}

int session_clear(const struct session *s)
{
	dir_remove(s->dir);
	return mkdir(s->dir, 0700) < 0 ? -errno : 0;
}

void session_end(struct session *s)
{
	int i;

	if (s->dir[0])
		dir_remove(s->dir);
	for (i = 0; i < 3; i++)
		sigaction(signals[i], &s->old[i], NULL);
	s->dir[0] = '\0';
}
