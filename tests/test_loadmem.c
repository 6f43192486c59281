/*
 * test_loadmem.c - the memory loading a file takes (loader.h, "Memory"):
 * iovm_open_path() and iovm_rebuild() of each kind's worst case fit in
 * iovm_load_bound(); a module whose arrays all lie on the same bytes (which
 * once made `load` take 46 times the file's size) is rejected within it;
 * with less memory the loader returns -ENOMEM, never IOVM_INVALID, and
 * leaves nothing allocated.
 *
 * Each load runs in a fresh process, this program executed again with
 * --load, so that it starts from the same address space every time and
 * nothing the test allocated before is reused: it fixes malloc's mmap
 * threshold, turns its caches of freed blocks off, reads its VmSize, sets
 * RLIMIT_AS to that plus the budget, loads the file, frees everything and
 * prints the result and how many bytes mallinfo2() still counts as allocated.
 * The limit measures what malloc really takes (its headers, its alignment, the
 * file's copy or mapping); under AddressSanitizer (whose allocator and shadow
 * memory are something else) or without glibc the cases skip.
 */
#include "kinds.h"
#include "loader.h"
#include "module.h"
#include "t.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define NO_LIMIT "AddressSanitizer's allocator is not what RLIMIT_AS measures"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_LIMIT "AddressSanitizer's allocator is not what RLIMIT_AS measures"
#endif
#endif
#if !defined(NO_LIMIT) && !defined(__GLIBC__)
#define NO_LIMIT "needs glibc's mallopt and mallinfo2"
#endif

/* ---- the helper: one load under a limit, in a fresh process ------------ */

#ifndef NO_LIMIT
static uint64_t vm_size(void)
{
	char buf[64] = "";
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtoull(buf, NULL, 10) * (uint64_t)getpagesize() : 0;
}

static size_t allocated(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}
#endif

/* --load PATH read|mmap BUDGET: prints "rc LEFT ERR" or "skip WHY". */
static int helper(const char *path, const char *how, const char *budget)
{
#ifdef NO_LIMIT
	(void)path;
	(void)how;
	(void)budget;
	printf("skip %s\n", NO_LIMIT);
	return 0;
#else
	char err[IOVM_ERRLEN] = "";
	struct iovm_file f;
	struct rlimit rl;
	void *obj = NULL;
	void *volatile warm; /* not optimized away */
	size_t before;
	uint64_t base;
	int rc;

	/* big blocks always mapped, whatever was freed before; freed small
	 * blocks not kept aside (the tcache is off, see load_limited()), so
	 * that mallinfo2() counts only what is in use; malloc initialized */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_MXFAST, 0);
	warm = malloc(1);
	free(warm);
	before = allocated();
	base = vm_size();
	if (!base)
		return 1;
	rl.rlim_cur = rl.rlim_max = base + strtoull(budget, NULL, 10);
	if (setrlimit(RLIMIT_AS, &rl))
		return 1;
	rc = iovm_open_path(path, strcmp(how, "mmap") ? IOVM_READ : IOVM_MMAP,
			    &f, err, sizeof(err));
	if (!rc) {
		rc = iovm_rebuild(&f, &obj, err, sizeof(err));
		if (obj)
			kind_ops_of(f.h->kind)->free(obj);
		iovm_close(&f);
	}
	printf("%d %lld %s\n", rc, (long long)allocated() - (long long)before,
	       err);
	return 0;
#endif
}

struct result {
	int rc;
	long long left; /* bytes still allocated after everything was freed */
	char err[IOVM_ERRLEN];
};

/* Load `path` in a fresh process with `budget` bytes of address space. */
static void load_limited(const char *path, const char *how, uint64_t budget,
			 struct result *r)
{
	char num[32], out[512] = "";
	int p[2], status, n = 0;
	ssize_t got;
	pid_t pid;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)budget);
	REQUIRE(pipe(p) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
		execl(t_argv0, t_argv0, "--load", path, how, num, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((got = read(p[0], out + n, sizeof(out) - 1 - (size_t)n)) > 0)
		n += (int)got;
	close(p[0]);
	out[n] = '\0';
	REQUIRE(waitpid(pid, &status, 0) == pid);
	if (!strncmp(out, "skip ", 5)) {
		out[strcspn(out, "\n")] = '\0';
		t_skip(out + 5);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) ||
	    sscanf(out, "%d %lld %n", &r->rc, &r->left, &n) != 2) {
		t_fail_at(__FILE__, __LINE__, "helper failed (status %d): %s",
			  status, out);
		t_abort_case();
	}
	snprintf(r->err, sizeof(r->err), "%s", out + n);
	r->err[strcspn(r->err, "\n")] = '\0';
}

/* ---- the files ------------------------------------------------------------
 */

/* A tree of n records of 16 bytes, the fewest bytes a node takes: a
 * chain (each node has one kid but the last). */
struct chain {
	uint64_t meta[3];
	unsigned char *recs;
};

static int chain_serialize(iovw_writer *w, void *ctx)
{
	struct chain *c = ctx;
	struct iovm_out o;
	int rc;

	if ((rc = iovm_begin(&o, w, &tree_layout)) ||
	    (rc = iovm_put(&o, 0, c->meta, 3)) ||
	    (rc = iovm_put(&o, 1, c->recs, c->meta[1])))
		return rc;
	return iovm_finish(&o);
}

static uint64_t write_chain(const char *path, uint64_t n)
{
	struct chain c = {{n, 16 * n, 1}, malloc(16 * n)};
	uint64_t i;

	REQUIRE(c.recs);
	for (i = 0; i < n; i++) {
		uint32_t tag = (uint32_t)(i % 64);
		uint16_t size = 16, kids = i + 1 < n;
		memcpy(c.recs + 16 * i, &tag, 4);
		memcpy(c.recs + 16 * i + 4, &size, 2);
		memcpy(c.recs + 16 * i + 6, &kids, 2);
		memset(c.recs + 16 * i + 8, 0x5a, 8);
	}
	REQUIRE(iovw_write_file(path, IOVW_PWRITEV, chain_serialize, &c, NULL,
				NULL) == 0);
	free(c.recs);
	return 16 * n;
}

/* A workload's first file written to path. */
static void write_workload(const char *path, const char *name, double scale)
{
	struct workload *w;

	REQUIRE(wl_make(name, 1, scale, &w) == 0);
	REQUIRE(iovw_write_file(path, IOVW_PWRITEV, w->files[0].ops->serialize,
				w->files[0].obj, NULL, NULL) == 0);
	wl_free(w);
}

/* A module whose arrays all lie on the same `region` bytes of zeros after
 * the root table (the interner's index and the exposed items empty, so
 * that every semantic check passes): rebuilt, it would take about 46
 * times its size. Crafted by hand; the checksum is the format's. */
static uint64_t write_aliased(const char *path, uint64_t region)
{
	const uint64_t at = 896; /* after the table, aligned to 16 */
	uint64_t size = at + region, k;
	unsigned char *b = calloc(1, (size_t)size);
	struct iovm_header *h = (void *)b;
	struct iovm_array *r = (void *)(b + 64);
	FILE *f;

	REQUIRE(b);
	memcpy(h->magic, IOVM_MAGIC, 8);
	h->version = IOVM_VERSION;
	h->kind = IOVM_KIND_MODULE;
	h->layout_hash = iovm_layout_hash(&module_layout);
	h->total_size = size;
	h->root_offset = 64;
	h->root_count = F_COUNT;
	for (k = 0; k < F_COUNT; k++) {
		r[k].offset = at;
		r[k].length = region / module_layout.fields[k].elem_size;
	}
	r[F_IDENT_INDEX].offset = r[F_IDENT_INDEX].length = 0;
	r[F_EXPOSED].offset = r[F_EXPOSED].length = 0;
	r[F_LINE_STARTS].length = 1;
	r[F_NODE_TAGS].length = r[F_NODE_REGIONS].length =
		r[F_NODE_PAYLOAD].length;
	r[F_DESC_B].length = r[F_DESC_C].length = r[F_DESC_A].length;
	h->checksum = iovm_checksum(b, (size_t)size);
	f = fopen(path, "wb");
	REQUIRE(f && fwrite(b, 1, (size_t)size, f) == size && !fclose(f));
	free(b);
	return size;
}

static uint64_t file_size(const char *path)
{
	size_t len;
	unsigned char *b = t_read_file(path, &len);

	REQUIRE(b);
	free(b);
	return len;
}

/* ---- the cases ------------------------------------------------------------
 */

#define PATH_LEN 4200

/* `name` in the case's temporary directory. */
static char *tmp(char *buf, const char *name)
{
	snprintf(buf, PATH_LEN, "%s/%s", t_tmpdir(), name);
	return buf;
}

/* About 4 MiB at full scale, so that the factor, not the slack, decides. */
static double scale_pct(void)
{
	return (double)t_scaled(100) / 100;
}

/* The file loads by both paths within its kind's bound, and nothing is
 * left allocated. */
static void loads_within(const char *path, uint32_t kind)
{
	uint64_t budget = iovm_load_bound(kind, file_size(path));
	const char *how[] = {"read", "mmap"};
	struct result r;
	int i;

	for (i = 0; i < 2; i++) {
		load_limited(path, how[i], budget, &r);
		if (r.rc != 0 || r.left != 0)
			t_fail_at(__FILE__, __LINE__,
				  "%s by %s in %llu bytes: rc %d (%s), %lld "
				  "bytes left",
				  path, how[i], (unsigned long long)budget,
				  r.rc, r.err, r.left);
	}
}

static void tree_within_bound(void)
{
	char path[PATH_LEN];

	tmp(path, "tree16.iovm");

	write_chain(path, (uint64_t)(262144 * scale_pct()) + 1);
	loads_within(path, IOVM_KIND_TREE);
}

static void module_within_bound(void)
{
	char path[PATH_LEN];

	tmp(path, "module.iovm");

	write_workload(path, "module-small", scale_pct());
	loads_within(path, IOVM_KIND_MODULE);
}

static void blob_within_bound(void)
{
	char path[PATH_LEN];

	tmp(path, "blob.iovm");

	write_workload(path, "blob", 0.03 * scale_pct());
	loads_within(path, IOVM_KIND_BLOB);
}

/* Arrays all on the same bytes: rejected, in the module's bound, by the
 * layout check (not by running out of memory while copying them). */
static void aliased_rejected_within_bound(void)
{
	char path[PATH_LEN];
	uint64_t size = write_aliased(tmp(path, "aliased.iovm"), 4u << 20);
	struct result r;

	load_limited(path, "read", iovm_load_bound(IOVM_KIND_MODULE, size), &r);
	CHECK_EQ(r.rc, IOVM_INVALID);
	CHECK(strstr(r.err, "arrays 'ident_bytes' [896, ") != NULL);
	CHECK(strstr(r.err, "overlap") != NULL);
	CHECK_EQ(r.left, 0);
	if (r.rc != IOVM_INVALID || !strstr(r.err, "overlap"))
		printf("    rc %d: %s\n", r.rc, r.err);
}

/* From no memory at all up to the bound, in eighths: the load succeeds or
 * fails with -ENOMEM, and frees what it took either way. */
static void less_memory(const char *path, uint32_t kind)
{
	uint64_t bound = iovm_load_bound(kind, file_size(path)), k;
	const char *how[] = {"read", "mmap"};
	unsigned nomem = 0, ok = 0;
	struct result r;
	int i;

	for (i = 0; i < 2; i++)
		for (k = 0; k <= 8; k++) {
			load_limited(path, how[i], bound * k / 8, &r);
			if ((r.rc != 0 && r.rc != -ENOMEM) || r.left != 0 ||
			    (k == 0 && r.rc != -ENOMEM) ||
			    (k == 8 && r.rc != 0))
				t_fail_at(__FILE__, __LINE__,
					  "%s by %s in %llu/8 of the bound: rc "
					  "%d (%s), %lld bytes left",
					  path, how[i], (unsigned long long)k,
					  r.rc, r.err, r.left);
			nomem += r.rc == -ENOMEM;
			ok += r.rc == 0;
		}
	/* some failed in the rebuild, after the file was read */
	CHECK(nomem > 2 && ok > 2);
}

static void enomem_not_invalid(void)
{
	char tree[PATH_LEN], mod[PATH_LEN], blob[PATH_LEN];

	tmp(tree, "tree16.iovm");
	tmp(mod, "module.iovm");
	tmp(blob, "blob.iovm");
	/* about 1 MiB each, not scaled: much more than the free memory a
	 * process starts with, so that no memory at all fails */
	write_chain(tree, 65536);
	write_workload(mod, "module-small", 0.25);
	write_workload(blob, "blob", 0.01);
	less_memory(tree, IOVM_KIND_TREE);
	less_memory(mod, IOVM_KIND_MODULE);
	less_memory(blob, IOVM_KIND_BLOB);
}

static const struct t_case cases[] = {
	{"tree_within_bound", tree_within_bound},
	{"module_within_bound", module_within_bound},
	{"blob_within_bound", blob_within_bound},
	{"aliased_rejected_within_bound", aliased_rejected_within_bound},
	{"enomem_not_invalid", enomem_not_invalid},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--load"))
		return helper(argv[2], argv[3], argv[4]);
	return t_main(argc, argv, "loadmem", cases);
}
