/*
 * t.c - the tests' small framework (see t.h).
 */
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_SKIP_CODE 77

const char *t_argv0;
static int case_failed;
static char tmpdir[4096];

uint64_t t_scaled(uint64_t n)
{
	const char *e = getenv("IOVW_TEST_SCALE");
	uint64_t pct = e && *e ? strtoull(e, NULL, 10) : 100;
	uint64_t v = n * pct / 100;
	return v ? v : 1;
}

const char *t_tmpdir(void)
{
	return tmpdir;
}

void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (case_failed++ >= 10)
		return; /* enough said */
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void t_abort_case(void)
{
	fflush(stdout);
	_exit(1);
}

void t_skip(const char *why)
{
	printf("    skip: %s\n", why);
	fflush(stdout);
	_exit(T_SKIP_CODE);
}

uint64_t t_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15u;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1du;
}

unsigned char *t_read_file(const char *path, size_t *len)
{
	struct stat sb;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	while (buf && got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r <= 0) {
			free(buf);
			buf = NULL;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (buf)
		*len = got;
	return buf;
}

int t_count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int wanted(int argc, char **argv, const char *name)
{
	int i, any = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = 1;
		if (!strcmp(argv[i], name))
			return 1;
	}
	return !any;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run one case in a child; 0 passed, 1 failed, 2 skipped. */
static int run_case(const char *prog, const struct t_case *c, unsigned tmo)
{
	const char *base = getenv("TMPDIR");
	uint64_t t0 = now_ms();
	int status, res;
	pid_t pid;

	snprintf(tmpdir, sizeof(tmpdir), "%s/iovw-t-%s-XXXXXX",
		 base && *base ? base : "/tmp", c->name);
	if (!mkdtemp(tmpdir)) {
		printf("FAIL %s/%s: mkdtemp: %s\n", prog, c->name,
		       strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s/%s: fork: %s\n", prog, c->name,
		       strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(tmo);
		c->fn();
		fflush(stdout);
		_exit(case_failed ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok   %s/%s (%llu ms)\n", prog, c->name,
		       (unsigned long long)(now_ms() - t0));
		res = 0;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == T_SKIP_CODE) {
		printf("SKIP %s/%s\n", prog, c->name);
		res = 2;
	} else if (WIFSIGNALED(status)) {
		printf("FAIL %s/%s: killed by signal %d (%s)\n", prog, c->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM
			       ? "timed out"
			       : strsignal(WTERMSIG(status)));
		res = 1;
	} else {
		printf("FAIL %s/%s (exit %d)\n", prog, c->name,
		       WEXITSTATUS(status));
		res = 1;
	}
	fflush(stdout);
	return res;
}

int t_main(int argc, char **argv, const char *prog, const struct t_case *cases)
{
	const char *e = getenv("T_TIMEOUT");
	unsigned tmo = e && *e ? (unsigned)strtoul(e, NULL, 10) : 300;
	int counts[3] = {0, 0, 0};
	const struct t_case *c;
	int i;

	t_argv0 = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list")) {
			for (c = cases; c->name; c++)
				printf("%s\n", c->name);
			return 0;
		}
	}
	for (c = cases; c->name; c++)
		if (wanted(argc, argv, c->name))
			counts[run_case(prog, c, tmo)]++;
	printf("# %s: %d passed, %d failed, %d skipped\n", prog, counts[0],
	       counts[1], counts[2]);
	return counts[1] ? 1 : 0;
}
