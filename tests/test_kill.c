/*
 * test_kill.c - writers killed with SIGKILL during atomic replacement, and
 * iovw_clean_stale(), which removes what dead writers left.
 *
 * A child replaces a target of a few MiB over and over (every strategy in
 * turn, each version's bytes known), the parent kills it at a random
 * moment; after each kill the target must be complete, an old or a new
 * version. By the unnamed file (O_TMPFILE) nothing may be left but, at
 * worst, a complete file named between link and rename; by the named file
 * the leftovers carry the dead child's pid and iovw_clean_stale() removes
 * exactly them. IOVW_TEST_KILLS sets the number of kills (default 60,
 * scaled by IOVW_TEST_SCALE), e.g. IOVW_TEST_KILLS=500 for a long run.
 */
#include "helpers.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- versions of a target ----------------------------------------------- */

#define BODY	 ((size_t)4 << 20)
#define PIECE	 ((size_t)64 << 10)
#define HDR	 16
#define NBODIES	 4
#define PER_KILL 1000000u /* versions a child may write between kills */

static unsigned char *bodies[NBODIES];

struct version {
	uint64_t v;
};

/* A 16-byte header patched last ("iovwkill" and the version), then the
 * body of version v % 4 in borrowed pieces of 64 KiB. */
static int version_fn(iovw_writer *w, void *ctx)
{
	const struct version *ver = ctx;
	const unsigned char *b = bodies[ver->v % NBODIES];
	unsigned char hdr[HDR];
	uint64_t h;
	size_t i;
	int rc;

	if ((rc = iovw_reserve(w, HDR, 8, &h)))
		return rc;
	for (i = 0; i < BODY; i += PIECE)
		if ((rc = iovw_append(w, b + i, PIECE, 1, NULL)))
			return rc;
	memcpy(hdr, "iovwkill", 8);
	memcpy(hdr + 8, &ver->v, 8);
	return iovw_patch(w, h, hdr, HDR);
}

static void bodies_init(void)
{
	unsigned i;

	for (i = 0; i < NBODIES; i++) {
		bodies[i] = malloc(BODY);
		REQUIRE(bodies[i]);
		h_fill(bodies[i], BODY, i + 100);
	}
}

/* The version a file holds, or -1 if it is not a complete one. */
static int64_t version_of(const char *path)
{
	unsigned char *got;
	uint64_t v;
	size_t len;
	int64_t res = -1;

	got = t_read_file(path, &len);
	if (!got)
		return -1;
	if (len == HDR + BODY && !memcmp(got, "iovwkill", 8)) {
		memcpy(&v, got + 8, 8);
		if (v < INT64_MAX &&
		    !memcmp(got + HDR, bodies[v % NBODIES], BODY))
			res = (int64_t)v;
	}
	free(got);
	return res;
}

static uint64_t kills_wanted(void)
{
	const char *e = getenv("IOVW_TEST_KILLS");

	if (e && *e)
		return strtoull(e, NULL, 10);
	return t_scaled(60);
}

/* ---- the seam: force the named file ------------------------------------- */

static int no_tmpfile_open(void *ctx, const char *path, int flags,
			   unsigned mode)
{
	int fd;

	(void)ctx;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	fd = open(path, flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

/* The child: versions first, first + 1, ... until killed. */
static void writer_child(const char *target, uint64_t first, int named)
{
	iovw_sys sys = {.open = no_tmpfile_open};
	iovw_options o = {.sys = named ? &sys : NULL};
	struct version ver;
	uint64_t i;
	int rc;

	for (i = 0;; i++) {
		ver.v = first + i;
		rc = iovw_write_file(target, (iovw_strategy)(i % 4), version_fn,
				     &ver, &o, NULL);
		if (rc) {
			printf("    child: version %llu: %s\n",
			       (unsigned long long)ver.v, iovw_strerror(rc));
			_exit(3);
		}
	}
}

/* ---- what a dead child left ---------------------------------------------- */

struct leftovers {
	int n;	      /* .iovw-* entries */
	int complete; /* of them, complete versions */
	int foreign;  /* not named with the dead child's pid */
	int other;    /* anything else but the target */
};

static void scan_leftovers(const char *dir, int pid, struct leftovers *l)
{
	char path[4400], want[32];
	struct dirent *e;
	DIR *d = opendir(dir);

	memset(l, 0, sizeof(*l));
	REQUIRE(d);
	snprintf(want, sizeof(want), ".iovw-%d-", pid);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "t"))
			continue;
		if (strncmp(e->d_name, ".iovw-", 6)) {
			l->other++;
			continue;
		}
		l->n++;
		if (strncmp(e->d_name, want, strlen(want)))
			l->foreign++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (version_of(path) >= 0)
			l->complete++;
	}
	closedir(d);
}

/* Random microseconds in [lo, hi). */
static unsigned rand_us(uint64_t *seed, unsigned lo, unsigned hi)
{
	return lo + (unsigned)(t_rand(seed) % (hi - lo));
}

static void sleep_us(unsigned us)
{
	struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The loop: kill a writer child `kills` times at random moments; check
 * the target, the leftovers, then clean them. `named` forces the named
 * temporary file.
 */
static void kill_loop(int named)
{
	const uint64_t kills = kills_wanted();
	struct version ver = {0};
	struct leftovers l;
	char target[4200];
	uint64_t k, seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	int64_t prev = 0, v;
	int status, left = 0, writes = 0, rc;
	pid_t pid;

	bodies_init();
	snprintf(target, sizeof(target), "%s", h_path("t"));
	REQUIRE(iovw_write_file(target, IOVW_PWRITEV, version_fn, &ver, NULL,
				NULL) == 0);
	for (k = 1; k <= kills; k++) {
		fflush(stdout);
		pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0)
			writer_child(target, k * PER_KILL, named);
		sleep_us(rand_us(&seed, 500, 40000));
		kill(pid, SIGKILL);
		REQUIRE(waitpid(pid, &status, 0) == pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			t_fail_at(__FILE__, __LINE__, "kill %llu: child %s %d",
				  (unsigned long long)k,
				  WIFEXITED(status) ? "exited" : "signal",
				  WIFEXITED(status) ? WEXITSTATUS(status)
						    : WTERMSIG(status));
			t_abort_case();
		}
		v = version_of(target);
		if (v < 0 || (v != prev && (uint64_t)v / PER_KILL != k)) {
			t_fail_at(__FILE__, __LINE__,
				  "kill %llu: target holds %lld, before %lld",
				  (unsigned long long)k, (long long)v,
				  (long long)prev);
			t_abort_case();
		}
		writes += v != prev;
		prev = v;
		scan_leftovers(t_tmpdir(), pid, &l);
		CHECK_EQ(l.other, 0);
		CHECK_EQ(l.foreign, 0);
		if (!named && l.n != l.complete)
			t_fail_at(__FILE__, __LINE__,
				  "kill %llu: %d incomplete temporary files",
				  (unsigned long long)k, l.n - l.complete);
		left += l.n;
		rc = iovw_clean_stale(t_tmpdir(), NULL, NULL);
		CHECK_EQ(rc, l.n);
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
		if (t_count_dir(t_tmpdir()) != 1)
			t_abort_case();
	}
	printf("    %llu kills, %d found a new version in place, %d left %s "
	       "(removed by iovw_clean_stale)\n",
	       (unsigned long long)kills, writes, left,
	       named ? "a temporary file"
		     : "a complete file between link and rename");
}

static void kill9_unnamed(void)
{
	static char why[200];
	struct statfs sf;
	int fd = open(t_tmpdir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (statfs(t_tmpdir(), &sf) < 0)
			sf.f_type = 0;
		snprintf(why, sizeof(why),
			 "%s (file system magic 0x%lx) has no O_TMPFILE",
			 t_tmpdir(), (unsigned long)sf.f_type);
		t_skip(why);
	}
	close(fd);
	kill_loop(0);
}

static void kill9_named(void)
{
	kill_loop(1);
}

/* ---- iovw_clean_stale ---------------------------------------------------- */

/* A pid that is no process now: a child that has exited and been reaped
 * (pids are handed out in order, so it is not reused within the case). */
static int dead_pid(void)
{
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(0);
	REQUIRE(waitpid(pid, NULL, 0) == pid);
	return (int)pid;
}

static void touch(const char *name)
{
	REQUIRE(h_make_file(h_path(name), 3, 'x') == 0);
}

/* Only regular files of exactly the library's form whose pid is dead. */
static void clean_stale_rules(void)
{
	static const char hex[] = "0123456789abcdef";
	char n[32][80], dirp[4200], linkp[4200];
	iovw_stats st = {0};
	int dead = dead_pid(), self = getpid(), i = 0, keep;

	snprintf(n[i++], 80, ".iovw-%d-%s.tmp", dead, hex); /* removed */
	snprintf(n[i++], 80, ".iovw-%d-%s.tmp", dead, "fedcba9876543210");
	keep = i;
	snprintf(n[i++], 80, ".iovw-%d-%s.tmp", self, hex);
	snprintf(n[i++], 80, ".iovw-1-%s.tmp", hex); /* init: alive */
	snprintf(n[i++], 80, ".iovw-0-%s.tmp", hex); /* a process group */
	snprintf(n[i++], 80, ".iovw-0%d-%s.tmp", dead, hex);
	snprintf(n[i++], 80, ".iovw--%d-%s.tmp", dead, hex);
	snprintf(n[i++], 80, ".iovw-99999999999-%s.tmp", hex);
	snprintf(n[i++], 80, ".iovw-2147483648-%s.tmp", hex);
	snprintf(n[i++], 80, ".iovw-%d-0123456789ABCDEF.tmp", dead);
	snprintf(n[i++], 80, ".iovw-%d-0123456789abcde.tmp", dead);
	snprintf(n[i++], 80, ".iovw-%d-0123456789abcdef0.tmp", dead);
	snprintf(n[i++], 80, ".iovw-%d-%s.tmpx", dead, hex);
	snprintf(n[i++], 80, ".iovw-%d-%s", dead, hex);
	snprintf(n[i++], 80, ".iovw-%d%s.tmp", dead, hex);
	snprintf(n[i++], 80, ".iovw-%s.tmp", hex); /* the old form */
	snprintf(n[i++], 80, "x.iovw-%d-%s.tmp", dead, hex);
	snprintf(n[i++], 80, ".iovw-%d-%s.tmp.keep", dead, hex);
	for (int j = 0; j < i; j++)
		touch(n[j]);
	/* a directory and a symlink of the right form: not files */
	snprintf(dirp, sizeof(dirp), "%s/.iovw-%d-1111111111111111.tmp",
		 t_tmpdir(), dead);
	REQUIRE(mkdir(dirp, 0700) == 0);
	snprintf(linkp, sizeof(linkp), "%s/.iovw-%d-2222222222222222.tmp",
		 t_tmpdir(), dead);
	REQUIRE(symlink(n[0], linkp) == 0);

	CHECK_EQ(iovw_clean_stale(t_tmpdir(), NULL, &st), keep);
	CHECK_EQ(t_count_dir(t_tmpdir()), i + 2 - keep);
	for (int j = 0; j < i; j++) {
		struct stat sb;
		CHECK_EQ(lstat(h_path(n[j]), &sb) == 0, j >= keep);
	}
	CHECK_EQ(st.syscalls[IOVW_SYS_OPEN], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_CLOSE], 1);
	CHECK(st.syscalls[IOVW_SYS_GETDENTS] >= 2);	/* until it returns 0 */
	CHECK_EQ(st.syscalls[IOVW_SYS_KILL], keep + 2); /* + self, init */
	CHECK_EQ(st.syscalls[IOVW_SYS_UNLINKAT], keep);
	/* nothing more to do */
	CHECK_EQ(iovw_clean_stale(t_tmpdir(), NULL, NULL), 0);

	CHECK_EQ(iovw_clean_stale(NULL, NULL, NULL), -EINVAL);
	CHECK_EQ(iovw_clean_stale("", NULL, NULL), -EINVAL);
	CHECK_EQ(iovw_clean_stale(h_path("nope"), NULL, NULL), -ENOENT);
	touch("file");
	CHECK_EQ(iovw_clean_stale(h_path("file"), NULL, NULL), -ENOTDIR);
}

/* More entries than one getdents64 buffer holds. */
static void clean_stale_many(void)
{
	char name[80];
	int dead = dead_pid(), i, n = (int)t_scaled(3000);

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), ".iovw-%d-%016x.tmp", dead, i);
		touch(name);
	}
	touch("keep");
	CHECK_EQ(iovw_clean_stale(t_tmpdir(), NULL, NULL), n);
	CHECK_EQ(t_count_dir(t_tmpdir()), 1);
}

/* A failing seam: every call of iovw_clean_stale in turn; a hostile
 * getdents64 buffer. */
struct cfault {
	iovw_sys sys;
	unsigned calls, fail_at;
	int err;
	int garbage; /* getdents returns a malformed record */
};

static int cf_tick(struct cfault *f)
{
	return ++f->calls == f->fail_at ? f->err : 0;
}

static int cf_open(void *ctx, const char *path, int flags, unsigned mode)
{
	int e = cf_tick(ctx), fd;

	if (e)
		return e;
	fd = open(path, flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

static int cf_close(void *ctx, int fd)
{
	int e = cf_tick(ctx);
	close(fd);
	return e;
}

static ssize_t cf_getdents(void *ctx, int fd, void *buf, size_t n)
{
	struct cfault *f = ctx;
	int e = cf_tick(ctx);
	ssize_t r;

	if (e)
		return e;
	r = getdents64(fd, buf, n);
	if (r > 0 && f->garbage) {
		unsigned short bad = 1000;
		memcpy((char *)buf + offsetof(struct dirent64, d_reclen), &bad,
		       sizeof(bad));
		return r < 1000 ? r : 999;
	}
	return r < 0 ? -errno : r;
}

static int cf_kill(void *ctx, int pid, int sig)
{
	int e = cf_tick(ctx);
	if (e)
		return e;
	return kill(pid, sig) < 0 ? -errno : 0;
}

static int cf_unlinkat(void *ctx, int dfd, const char *path, int flags)
{
	int e = cf_tick(ctx);
	if (e)
		return e;
	return unlinkat(dfd, path, flags) < 0 ? -errno : 0;
}

static void cfault_init(struct cfault *f, unsigned fail_at, int err)
{
	memset(f, 0, sizeof(*f));
	f->fail_at = fail_at;
	f->err = err;
	f->sys = (iovw_sys){.ctx = f,
			    .open = cf_open,
			    .close = cf_close,
			    .getdents = cf_getdents,
			    .kill = cf_kill,
			    .unlinkat = cf_unlinkat};
}

static void clean_stale_faults(void)
{
	struct cfault f;
	iovw_options o;
	char name[80];
	int dead = dead_pid(), i, rc, left;
	unsigned k, n;

	for (k = 0, n = 1; k <= n; k++) {
		for (i = 0; i < 2; i++) {
			snprintf(name, sizeof(name), ".iovw-%d-%016x.tmp", dead,
				 i);
			touch(name);
		}
		cfault_init(&f, k, -EIO);
		o = (iovw_options){.sys = &f.sys};
		rc = iovw_clean_stale(t_tmpdir(), &o, NULL);
		left = t_count_dir(t_tmpdir());
		if (!k) {
			n = f.calls; /* open, getdents x2, 2 x (kill, unlinkat),
					close */
			CHECK_EQ(n, 8);
			CHECK_EQ(rc, 2);
		} else if (k == 3 || k == 5) {
			/* kill failing for another reason than ESRCH: the
			 * writer is taken as alive, its file kept */
			CHECK_EQ(rc, 1);
			CHECK_EQ(left, 1);
		} else {
			CHECK_EQ(rc, -EIO);
			/* an unlinkat failure does not stop the others */
			if (k == 4)
				CHECK_EQ(left, 1);
		}
		for (i = 0; i < 2; i++) {
			snprintf(name, sizeof(name), ".iovw-%d-%016x.tmp", dead,
				 i);
			unlink(h_path(name));
		}
	}
	/* a buffer that is not a list of records: -EIO, nothing removed */
	snprintf(name, sizeof(name), ".iovw-%d-%016x.tmp", dead, 7);
	touch(name);
	cfault_init(&f, 0, 0);
	f.garbage = 1;
	o = (iovw_options){.sys = &f.sys};
	CHECK_EQ(iovw_clean_stale(t_tmpdir(), &o, NULL), -EIO);
	CHECK_EQ(t_count_dir(t_tmpdir()), 1);
}

static const struct t_case cases[] = {
	{"kill9_unnamed", kill9_unnamed},
	{"kill9_named", kill9_named},
	{"clean_stale_rules", clean_stale_rules},
	{"clean_stale_many", clean_stale_many},
	{"clean_stale_faults", clean_stale_faults},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "kill", cases);
}
