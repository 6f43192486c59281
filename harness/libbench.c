/*
 * libbench.c - libiovw's own benchmark, until `iovbench run` exists.
 *
 *   libbench [--dir DIR] [--size MIB] [--piece BYTES] [--reps N]
 *
 * 1. Write throughput. A plan of SIZE MiB in pieces of PIECE bytes, each
 *    piece a separate heap allocation (as a compiler's structures are),
 *    written by each strategy into a fresh file in DIR, beside the
 *    reference `pwrite-limit`: one pwrite() of a warm, pre-faulted,
 *    contiguous buffer of the same bytes. The methods run interleaved, in
 *    a rotating order, so that a noisy machine hurts them alike; the table
 *    gives medians and each method's ratio to pwrite-limit.
 * 2. Append cost. ns per iovw_append() of a borrowed 16-byte piece, over
 *    1,000,000 appends to a reset writer (steady state) and to a new one
 *    (with the array growth).
 *
 * Timed regions cover only the write (file creation and removal are
 * outside). Exit codes: 0 ok, 2 usage, 3 runtime failure.
 */
#include "iovw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { M_PWRITE_LIMIT, M_PWRITEV, M_BUFFER, M_MMAP, M_WRITE_EACH, M_COUNT };
static const char *const method_name[M_COUNT] = {
	"pwrite-limit", "pwritev", "buffer", "mmap", "write-each",
};

struct pieces {
	unsigned char **p;
	size_t n, size;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median_dbl(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int pieces_fn(iovw_writer *w, void *ctx)
{
	const struct pieces *ps = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < ps->n && !rc; i++)
		rc = iovw_append(w, ps->p[i], ps->size, 8, NULL);
	return rc;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "libbench: %s: %s\n", what, iovw_strerror(err));
	exit(3);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: libbench [--dir DIR] [--size MIB] [--piece BYTES] "
		"[--reps N]\n"
		"  --dir DIR      where the files are written (default /tmp)\n"
		"  --size MIB     bytes per file (default 64)\n"
		"  --piece BYTES  piece size (default 4096)\n"
		"  --reps N       samples per method (default 21, >= 3)\n");
}

static unsigned long parse_num(const char *flag, const char *v,
			       unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = v ? strtoul(v, &end, 10) : 0;
	if (!v || errno || *end || x < lo || x > hi) {
		fprintf(stderr, "libbench: %s needs a number from %lu to %lu\n",
			flag, lo, hi);
		usage(stderr);
		exit(2);
	}
	return x;
}

/* One timed write of `m` into a fresh file; returns ns. */
static uint64_t one_write(int m, const char *path, struct pieces *ps,
			  const unsigned char *warm, size_t total)
{
	uint64_t t0, t1;
	int fd, rc = 0;

	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path, -errno);
	t0 = now_ns();
	if (m == M_PWRITE_LIMIT) {
		size_t done = 0;
		while (done < total) {
			ssize_t r = pwrite(fd, warm + done, total - done,
					   (off_t)done);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				die("pwrite", r < 0 ? -errno : -EIO);
			done += (size_t)r;
		}
	} else {
		static const iovw_strategy s[M_COUNT] = {0, IOVW_PWRITEV,
							 IOVW_BUFFER, IOVW_MMAP,
							 IOVW_WRITE_EACH};
		rc = iovw_write_fd(fd, 0, s[m], pieces_fn, ps, NULL, NULL);
	}
	t1 = now_ns();
	if (rc)
		die(method_name[m], rc);
	close(fd);
	return t1 - t0;
}

/* The bytes to write: pieces in separate allocations, and the same bytes
 * in one warm contiguous buffer for pwrite-limit. */
struct data {
	struct pieces ps;
	unsigned char *warm;
	size_t total;
};

static void data_make(struct data *d, size_t mib, size_t piece)
{
	size_t i;

	d->total = mib << 20;
	d->ps.size = piece;
	d->ps.n = d->total / piece;
	d->total = d->ps.n * piece;
	d->ps.p = calloc(d->ps.n, sizeof(*d->ps.p));
	d->warm = malloc(d->total);
	if (!d->warm || !d->ps.p)
		die("malloc", -ENOMEM);
	for (i = 0; i < d->ps.n; i++) {
		d->ps.p[i] = malloc(piece);
		if (!d->ps.p[i])
			die("malloc", -ENOMEM);
		memset(d->ps.p[i], (int)(i * 131 + 7), piece); /* faulted in */
		memcpy(d->warm + i * piece, d->ps.p[i], piece);
	}
}

static void data_free(struct data *d)
{
	size_t i;

	for (i = 0; i < d->ps.n; i++)
		free(d->ps.p[i]);
	free(d->ps.p);
	free(d->warm);
}

/* Time the methods in `mask` (a bit per method), interleaved: two warm-up
 * rounds, then `reps` rounds, each in a new random order so that no
 * method always follows the same one. */
static void bench_write(const char *title, unsigned mask, const char *dir,
			struct data *d, size_t reps)
{
	uint64_t seed = 0x2545f4914f6cdd1du, min_limit, *ns[M_COUNT];
	uint64_t sorted[256];
	double ratios[256];
	char path[4096];
	size_t r, k;

	snprintf(path, sizeof(path), "%s/libbench-%d.tmp", dir, (int)getpid());
	for (k = 0; k < M_COUNT; k++)
		if (!(ns[k] = calloc(reps, sizeof(uint64_t))))
			die("malloc", -ENOMEM);
	for (r = 0; r < reps + 2; r++) {
		int order[M_COUNT], t;

		for (k = 0; k < M_COUNT; k++)
			order[k] = (int)k;
		for (k = M_COUNT - 1; k > 0; k--) {
			size_t j = (size_t)(next_rand(&seed) % (k + 1));
			t = order[k];
			order[k] = order[j];
			order[j] = t;
		}
		for (k = 0; k < M_COUNT; k++) {
			int m = order[k];
			uint64_t ns_one;

			if (!(mask & (1u << m)))
				continue;
			ns_one = one_write(m, path, &d->ps, d->warm, d->total);
			if (r >= 2)
				ns[m][r - 2] = ns_one;
		}
		if (isatty(2))
			fprintf(stderr, "\r%s: round %zu/%zu", title, r + 1,
				reps + 2);
	}
	if (isatty(2))
		fprintf(stderr, "\n");
	unlink(path);

	printf("%s: %zu MiB in %zu pieces of %zu B to %s, %zu rounds "
	       "(interleaved)\n",
	       title, d->total >> 20, d->ps.n, d->ps.size, dir, reps);
	memcpy(sorted, ns[M_PWRITE_LIMIT], reps * sizeof(uint64_t));
	qsort(sorted, reps, sizeof(uint64_t), cmp_u64);
	min_limit = sorted[0];
	printf("  %-13s %10s %10s %10s %10s %10s %10s\n", "method", "median ms",
	       "min ms", "max ms", "MiB/s", "x limit", "x lim(min)");
	for (k = 0; k < M_COUNT; k++) {
		double med;

		if (!(mask & (1u << k)))
			continue;
		/* the ratio within each round, then its median */
		for (r = 0; r < reps; r++)
			ratios[r] = (double)ns[M_PWRITE_LIMIT][r] /
				    (double)ns[k][r];
		memcpy(sorted, ns[k], reps * sizeof(uint64_t));
		med = median_u64(sorted, reps);
		printf("  %-13s %10.2f %10.2f %10.2f %10.0f %10.3f %10.3f\n",
		       method_name[k], med / 1e6, sorted[0] / 1e6,
		       sorted[reps - 1] / 1e6,
		       (double)d->total / (1 << 20) / (med / 1e9),
		       median_dbl(ratios, reps), (double)min_limit / sorted[0]);
	}
	for (k = 0; k < M_COUNT; k++)
		free(ns[k]);
}

static void bench_append(size_t reps)
{
	const size_t n = 1000000;
	unsigned char *buf = calloc(n, 32);
	uint64_t *fresh = calloc(reps, sizeof(uint64_t));
	uint64_t *steady = calloc(reps, sizeof(uint64_t));
	iovw_writer *w;
	size_t r, i;
	int rc;

	if (!buf || !fresh || !steady)
		die("malloc", -ENOMEM);
	rc = iovw_writer_new(&w, IOVW_MODE_PLAN, NULL);
	if (rc)
		die("iovw_writer_new", rc);
	for (r = 0; r < reps + 1; r++) {
		iovw_writer *f;
		uint64_t t0;

		iovw_writer_reset(w);
		t0 = now_ns();
		for (i = 0; i < n; i++)
			rc |= iovw_append(w, buf + 32 * i, 16, 8, NULL);
		if (r)
			steady[r - 1] = now_ns() - t0;

		if ((rc |= iovw_writer_new(&f, IOVW_MODE_PLAN, NULL)))
			break;
		t0 = now_ns();
		for (i = 0; i < n; i++)
			rc |= iovw_append(f, buf + 32 * i, 16, 8, NULL);
		if (r)
			fresh[r - 1] = now_ns() - t0;
		iovw_writer_free(f);
	}
	if (rc)
		die("iovw_append", rc);
	printf("append: %zu borrowed 16-byte pieces, %zu rounds\n", n, reps);
	printf("  %-24s %8.2f ns/append (median)\n", "reset writer (steady)",
	       median_u64(steady, reps) / (double)n);
	printf("  %-24s %8.2f ns/append (median)\n", "new writer (growing)",
	       median_u64(fresh, reps) / (double)n);
	iovw_writer_free(w);
	free(buf);
	free(fresh);
	free(steady);
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	size_t mib = 64, piece = 4096, reps = 21;
	struct data d;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--dir") && v) {
			dir = v;
			i++;
		} else if (!strcmp(a, "--size")) {
			mib = parse_num(a, v, 1, 4096);
			i++;
		} else if (!strcmp(a, "--piece")) {
			piece = parse_num(a, v, 1, 1 << 20);
			i++;
		} else if (!strcmp(a, "--reps")) {
			reps = parse_num(a, v, 3, 255);
			i++;
		} else {
			fprintf(stderr,
				"libbench: unknown or incomplete option '%s'\n",
				a);
			usage(stderr);
			return 2;
		}
	}
	if (access(dir, W_OK) != 0) {
		fprintf(stderr, "libbench: cannot write to '%s': %s\n", dir,
			strerror(errno));
		return 3;
	}
	printf("libiovw %s, IOV_MAX %zu\n", IOVW_VERSION_STRING,
	       iovw_iov_max());
	data_make(&d, mib, piece);
	/* The pair alone first: the buffer strategy's 64 MiB of freshly
	 * faulted and freed memory disturbs the writes that follow it, the
	 * one large pwrite most (see README). */
	bench_write("pair", 1u << M_PWRITE_LIMIT | 1u << M_PWRITEV, dir, &d,
		    reps);
	bench_write("all", (1u << M_COUNT) - 1, dir, &d, reps);
	printf("  x limit: median over rounds of (pwrite-limit time / method "
	       "time) in the same round;\n  x lim(min): fastest pwrite-limit / "
	       "fastest method; 1.0 = as fast as one pwrite of a warm "
	       "buffer.\n");
	data_free(&d);
	bench_append(reps);
	return 0;
}
