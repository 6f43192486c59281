/*
 * pipeline.c - IOVW_PIPELINE's writer: one thread makes the pwritev calls
 * for the windows handed to it, in the order they were handed over, while
 * the serializer's thread fills the next window.
 *
 * The queue is the async writer's jobs (at most IOVW_ASYNC_WINDOWS), under
 * one mutex and one condition variable: the serializer's thread marks a
 * job queued and signals; the writer takes the oldest queued job not
 * finished,
 * writes it with the same loop as stream (iovw__writev_all_dc: batches,
 * partial writes, EINTR, IOVW_F_DONTCACHE's probe), marks it finished and
 * signals. After the first failed job the writer writes nothing more (the
 * later jobs finish with that error), so the pipeline stops there. The
 * writer counts into the async writer's stats, which only it touches until
 * it is joined; stop() always joins it.
 */
#include "internal.h"

#include <errno.h>

/* The oldest job handed over and not yet written; NULL if none. */
static struct iovw_job *next_job(struct iovw_async *a)
{
	struct iovw_job *best = NULL;
	unsigned i;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++) {
		struct iovw_job *j = &a->job[i];
		if (j->queued && !j->finished && (!best || j->seq < best->seq))
			best = j;
	}
	return best;
}

static void *writer_main(void *arg)
{
	struct iovw_async *a = arg;
	iovw_writer *w = a->w;
	struct iovw_job *j;
	int failed = 0, rc;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->quit && !(j = next_job(a)))
			pthread_cond_wait(&a->cv, &a->mu);
		if (!(j = next_job(a)))
			break; /* quit, nothing left */
		pthread_mutex_unlock(&a->mu);
		rc = failed;
		if (!rc)
			rc = iovw__writev_all_dc(&w->sys, &a->io, a->fd,
						 j->win.iov, j->win.n, j->off,
						 w->batch_limit, &w->dc);
		if (rc)
			failed = rc;
		pthread_mutex_lock(&a->mu);
		j->rc = rc;
		j->finished = 1;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static int pipe_start(struct iovw_async *a)
{
	int rc;

	if ((rc = pthread_mutex_init(&a->mu, NULL)))
		return -rc;
	if ((rc = pthread_cond_init(&a->cv, NULL))) {
		pthread_mutex_destroy(&a->mu);
		return -rc;
	}
	if ((rc = pthread_create(&a->thr, NULL, writer_main, a))) {
		pthread_cond_destroy(&a->cv);
		pthread_mutex_destroy(&a->mu);
		return -rc;
	}
	a->started = 1;
	return 0;
}

static int pipe_submit(struct iovw_async *a, struct iovw_job *j)
{
	pthread_mutex_lock(&a->mu);
	j->finished = 0;
	j->queued = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return 0;
}

/* The oldest busy job, once written. */
static int pipe_reap(struct iovw_async *a, struct iovw_job **out)
{
	struct iovw_job *j = NULL;
	unsigned i;

	for (i = 0; i < IOVW_ASYNC_WINDOWS; i++)
		if (a->job[i].busy && (!j || a->job[i].seq < j->seq))
			j = &a->job[i];
	if (!j)
		return -EINVAL;
	pthread_mutex_lock(&a->mu);
	while (!j->finished)
		pthread_cond_wait(&a->cv, &a->mu);
	j->queued = 0;
	pthread_mutex_unlock(&a->mu);
	*out = j;
	return 0;
}

static void pipe_stop(struct iovw_async *a)
{
	if (!a->started)
		return;
	pthread_mutex_lock(&a->mu);
	a->quit = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thr, NULL);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	a->started = 0;
}

const struct iovw_async_ops iovw__pipeline_ops = {
	.start = pipe_start,
	.submit = pipe_submit,
	.reap = pipe_reap,
	.stop = pipe_stop,
};
