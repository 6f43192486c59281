/*
 * config.c - the measuring commands' defaults (see config.h).
 */
#include "engine/config.h"

#include "iovw.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void bench_cfg_run(struct bench_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->wmask = (1u << wl_count) - 1;
	c->smask = CFG_DEFAULT_STRATEGIES;
	c->reps = 5;
	c->warmup = 1;
	c->seed = 1;
	c->scale = 1;
	c->syscalls = SC_AUTO;
	c->nbatch = 1;	  /* the default */
	c->ncoalesce = 1; /* the default: 0 (stream's 0 is its own) */
	c->nstage = 1;	  /* the default */
	c->memory = MEM_FRESH | MEM_WARM;
	c->precision = 0.02;
}

void bench_cfg_full(struct bench_cfg *c)
{
	c->ncoalesce = 2;
	c->coalesce[0] = 0;
	c->coalesce[1] = 64;
	c->hugepage = 1;
	c->warm_each = 1;
	c->peers = 1;
	c->smask |= 1u << IOVW_URING | 1u << IOVW_PIPELINE;
}

static int empty_fn(iovw_writer *w, void *ctx)
{
	(void)w;
	(void)ctx;
	return 0;
}

int cfg_uring_probe(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = iovw_write_fd(fd, 0, IOVW_URING, empty_fn, NULL, NULL, NULL);
	close(fd);
	return rc;
}

void bench_cfg_tune(struct bench_cfg *c)
{
	static const char *const workloads[] = {"module-large", "project",
						"tree"};
	size_t i, v, max = iovw_iov_max();

	bench_cfg_run(c);
	c->wmask = 0;
	for (i = 0; i < sizeof(workloads) / sizeof(*workloads); i++)
		c->wmask |= 1u << (wl_find(workloads[i]) - wl_defs);
	c->smask = 1u << IOVW_PWRITEV | 1u << IOVW_STREAM;
	c->memory = MEM_FRESH;
	c->precision = 0; /* its tests want every sample */
	c->nbatch = c->ncoalesce = c->nstage = 0;
	for (v = 1; v < max && c->nbatch < CFG_MAX_LIST - 1; v *= 2)
		c->batch[c->nbatch++] = v;
	c->batch[c->nbatch++] = max;
	c->coalesce[c->ncoalesce++] = 0;
	for (v = 16; v <= 4096; v *= 2)
		c->coalesce[c->ncoalesce++] = v;
	for (v = 4096; v <= (4u << 20); v *= 4)
		c->stage[c->nstage++] = v;
}
