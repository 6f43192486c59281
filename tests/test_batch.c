/*
 * test_batch.c - many pieces, batch limits, the kernel's per-call cap.
 *
 * The number of write calls must be ceil(iovecs / batch_limit), as the
 * library counts them and as the kernel sees them (strace -c), for plans
 * and for stream's windows; stream's staging buffer makes one call per
 * buffer full; streams over 2 GiB must complete although the kernel
 * accepts at most MAX_RW_COUNT (just under 2 GiB) bytes per call.
 */
#include "helpers.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PIECE 16

struct many {
	const unsigned char *buf;
	size_t n; /* pieces of PIECE bytes, each followed by a gap */
};

static int many_fn(iovw_writer *w, void *ctx)
{
	const struct many *m = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->n && !rc; i++)
		rc = iovw_append(w, m->buf + 2 * PIECE * i, PIECE, 1, NULL);
	return rc;
}

static int check_many(const char *path, const struct many *m)
{
	size_t len, i;
	unsigned char *got = t_read_file(path, &len);
	int ok = got && len == m->n * PIECE;

	for (i = 0; ok && i < m->n; i++)
		ok = !memcmp(got + PIECE * i, m->buf + 2 * PIECE * i, PIECE);
	free(got);
	return ok;
}

static void many_pieces(void)
{
	size_t iov_max = iovw_iov_max();
	size_t batches[] = {0, 1000, 7, 2, 1};
	struct many m;
	unsigned char *buf;
	unsigned i;

	m.n = (size_t)t_scaled(100003);
	buf = malloc(m.n * 2 * PIECE);
	REQUIRE(buf);
	h_fill(buf, m.n * 2 * PIECE, 8);
	m.buf = buf;
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		iovw_options o = {.batch_limit = batches[i]};
		size_t b = batches[i] ? batches[i] : iov_max;
		uint64_t want = (m.n + b - 1) / b;
		iovw_stats st = {0};

		REQUIRE(iovw_write_file(h_path("many"), IOVW_PWRITEV, many_fn,
					&m, &o, &st) == 0);
		CHECK(check_many(h_path("many"), &m));
		CHECK_EQ(st.iovecs, m.n);
		CHECK_EQ(st.pieces, m.n);
		CHECK_EQ(st.batches, want);
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV] +
				 st.syscalls[IOVW_SYS_PWRITE],
			 want);
		/* pwrite only for a batch of one iovec */
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE],
			 (m.n % b == 1 || b == 1) ? (b == 1 ? m.n : 1) : 0);
		CHECK_EQ(st.bytes_written, m.n * PIECE);
	}
	/* stream without staging: the same calls, a window at a time */
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		iovw_options o = {.batch_limit = batches[i],
				  .coalesce_below = 1};
		size_t b = batches[i] ? batches[i] : iov_max;
		uint64_t want = (m.n + b - 1) / b;
		iovw_stats st = {0};

		REQUIRE(iovw_write_file(h_path("many"), IOVW_STREAM, many_fn,
					&m, &o, &st) == 0);
		CHECK(check_many(h_path("many"), &m));
		CHECK_EQ(st.iovecs, m.n);
		CHECK_EQ(st.batches, want);
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV] +
				 st.syscalls[IOVW_SYS_PWRITE],
			 want);
		CHECK_EQ(st.bytes_copied, 0);
	}
	/* stream's default: staged, one call per staging buffer full */
	{
		iovw_stats st = {0};
		uint64_t bytes = m.n * PIECE;
		uint64_t want =
			(bytes + IOVW_STAGE_DEFAULT - 1) / IOVW_STAGE_DEFAULT;

		REQUIRE(iovw_write_file(h_path("many"), IOVW_STREAM, many_fn,
					&m, NULL, &st) == 0);
		CHECK(check_many(h_path("many"), &m));
		CHECK_EQ(st.batches, want);
		CHECK_EQ(st.iovecs, want);
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], want);
		CHECK_EQ(st.bytes_copied, bytes);
		CHECK_EQ(st.pieces, m.n);
	}
	/* coalescing turns them into a handful of iovecs */
	{
		iovw_options o = {.coalesce_below = PIECE + 1};
		iovw_stats st = {0};
		REQUIRE(iovw_write_file(h_path("many"), IOVW_PWRITEV, many_fn,
					&m, &o, &st) == 0);
		CHECK(check_many(h_path("many"), &m));
		CHECK(st.iovecs < 20);
		CHECK_EQ(st.bytes_copied, m.n * PIECE);
	}
	free(buf);
}

/* Helper mode, run under strace: write n pieces with the batch limit and
 * strategy s (stream without staging). */
static int helper_write(const char *path, size_t n, size_t batch,
			iovw_strategy s)
{
	iovw_options o = {.batch_limit = batch, .coalesce_below = 1};
	unsigned char *buf = calloc(n, 2 * PIECE);
	struct many m = {buf, n};
	int rc =
		buf ? iovw_write_file(path, s, many_fn, &m, &o, NULL) : -ENOMEM;

	free(buf);
	if (rc)
		fprintf(stderr, "helper: %s\n", iovw_strerror(rc));
	return rc ? 1 : 0;
}

/* Calls of `name` in strace -c output, or -1. */
static long strace_calls(const char *file, const char *name)
{
	FILE *f = fopen(file, "r");
	char line[512];
	long calls = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *tok[8];
		int nt = 0;
		char *save, *t = strtok_r(line, " \t\n", &save);
		while (t && nt < 8) {
			tok[nt++] = t;
			t = strtok_r(NULL, " \t\n", &save);
		}
		if (nt >= 5 && !strcmp(tok[nt - 1], name))
			calls = strtol(tok[3], NULL, 10);
	}
	fclose(f);
	return calls;
}

static void run_strace(size_t n, size_t batch, const char *strategy,
		       long *pwritev, long *pwrite)
{
	char out[4200], target[4200], ns[32], bs[32];
	int status;
	pid_t pid;

	snprintf(out, sizeof(out), "%s", h_path("strace.txt"));
	snprintf(target, sizeof(target), "%s", h_path("traced"));
	snprintf(ns, sizeof(ns), "%zu", n);
	snprintf(bs, sizeof(bs), "%zu", batch);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		/* LeakSanitizer cannot run under ptrace */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execlp("strace", "strace", "-f", "-c", "-o", out, "-e",
		       "trace=pwritev,pwrite64", t_argv0, "--helper-write",
		       target, ns, bs, strategy, (char *)NULL);
		_exit(127);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*pwritev = strace_calls(out, "pwritev");
	*pwrite = strace_calls(out, "pwrite64");
}

static void strace_agrees(void)
{
	long pv, pw;
	struct {
		size_t n, batch;
		long pwritev, pwrite;
		const char *strategy;
	} c[] = {
		{100003, 1024, 98, 0, "pwritev"}, /* last batch of 675 */
		{100003, 3, 33334, 1, "pwritev"}, /* last batch of one */
		{100003, 100003 % 1024, 0, 0, "pwritev"},
		{100003, 1024, 98, 0, "stream"}, /* a window a call */
		{100003, 3, 33334, 1, "stream"},
	};
	unsigned i;

	if (system("strace -V >/dev/null 2>&1") != 0)
		t_skip("strace is not installed (apt-get install strace)");
	c[2].batch = iovw_iov_max();
	c[2].pwritev = (long)((100003 + c[2].batch - 1) / c[2].batch);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		run_strace(c[i].n, c[i].batch, c[i].strategy, &pv, &pw);
		CHECK_EQ(pv, c[i].pwritev);
		CHECK_EQ(pw, c[i].pwrite);
		{
			size_t len;
			unsigned char *got =
				t_read_file(h_path("traced"), &len);
			CHECK(got && len == c[i].n * PIECE);
			free(got);
		}
	}
}

struct huge {
	const unsigned char *p;
	size_t n, count;
};

static int huge_fn(iovw_writer *w, void *ctx)
{
	const struct huge *h = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < h->count && !rc; i++)
		rc = iovw_append(w, h->p, h->n, 1, NULL);
	return rc;
}

/* Over 2 GiB to /dev/null, which reads nothing but takes at most
 * MAX_RW_COUNT bytes a call: the loop must resume until all is written. */
static void over_2gib(void)
{
	const size_t gib = (size_t)1 << 30;
	unsigned char *p = calloc(1, 3 * gib); /* untouched: no memory used */
	struct huge h = {p, gib + 1, 3};
	iovw_stats st = {0};
	int fd = open("/dev/null", O_WRONLY);
	int s;

	REQUIRE(p && fd >= 0);
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_PWRITEV, huge_fn, &h, NULL, &st), 0);
	CHECK_EQ(st.bytes_written, 3 * (gib + 1));
	CHECK_EQ(st.batches, 2); /* 0x7ffff000 then the rest */
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV], 2);
	/* one piece of 3 GiB: pwrite, twice */
	memset(&st, 0, sizeof(st));
	h.n = 3 * gib;
	h.count = 1;
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_PWRITEV, huge_fn, &h, NULL, &st), 0);
	CHECK_EQ(st.bytes_written, 3 * gib);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], 2);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV], 0);
	/* stream: the same pieces borrowed into one window, written when
	 * the serializer returns */
	memset(&st, 0, sizeof(st));
	h.n = gib + 1;
	h.count = 3;
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_STREAM, huge_fn, &h, NULL, &st), 0);
	CHECK_EQ(st.bytes_written, 3 * (gib + 1));
	CHECK_EQ(st.batches, 2);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV], 2);
	CHECK_EQ(st.bytes_copied, 0);
	/* write-each and a batch of one behave the same */
	for (s = 0; s < 2; s++) {
		iovw_options o = {.batch_limit = 1};
		memset(&st, 0, sizeof(st));
		h.n = 2 * gib + gib / 2;
		h.count = 2; /* the same memory twice: not merged */
		CHECK_EQ(iovw_write_fd(fd, 0,
				       s ? IOVW_WRITE_EACH : IOVW_PWRITEV,
				       huge_fn, &h, s ? NULL : &o, &st),
			 0);
		CHECK_EQ(st.bytes_written, 5 * gib);
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], 4);
		CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV], 0);
	}
	close(fd);
	free(p);
}

static const struct t_case cases[] = {
	{"many_pieces", many_pieces},
	{"strace_agrees", strace_agrees},
	{"over_2gib", over_2gib},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	iovw_strategy s;

	if (argc == 6 && !strcmp(argv[1], "--helper-write") &&
	    !iovw_strategy_parse(argv[5], &s))
		return helper_write(argv[2], strtoul(argv[3], NULL, 10),
				    strtoul(argv[4], NULL, 10), s);
	return t_main(argc, argv, "batch", cases);
}
