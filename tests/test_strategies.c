/*
 * test_strategies.c - the strategies end to end: the same bytes through
 * iovw_write_file and iovw_write_fd (at offsets), serializer errors and
 * non-deterministic serializers, stats, the build hook, file modes.
 */
#include "helpers.h"
#include "internal.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int det_calls;
/* A serializer that describes a different stream each time it runs. */
static int nondeterministic_fn(iovw_writer *w, void *ctx)
{
	(void)ctx;
	return iovw_append_copy(w, "abcdefgh", 4 + (det_calls++ % 2) * 4, 1,
				NULL);
}

static void nondeterministic_rejected(void)
{
	unsigned char *got;
	size_t len;

	det_calls = 0;
	CHECK_EQ(h_write_read("f", IOVW_BUFFER, nondeterministic_fn, NULL, NULL,
			      NULL, &got, &len),
		 -ENOSPC);
	det_calls = 1;
	CHECK_EQ(h_write_read("f", IOVW_MMAP, nondeterministic_fn, NULL, NULL,
			      NULL, &got, &len),
		 -EINVAL);
	CHECK_EQ(t_count_dir(t_tmpdir()), 0); /* no temp file left */
}

static int fail_fn(iovw_writer *w, void *ctx)
{
	(void)ctx;
	iovw_append_copy(w, "x", 1, 1, NULL);
	return -EPROTO;
}

static int positive_fn(iovw_writer *w, void *ctx)
{
	(void)w;
	(void)ctx;
	return 1;
}

static int misuse_fn(iovw_writer *w, void *ctx)
{
	(void)ctx;
	iovw_append(w, "x", 1, 3, NULL); /* error ignored by the caller */
	return 0;
}

static void callback_errors(void)
{
	unsigned char *got;
	size_t len;
	int s;

	REQUIRE(h_make_file(h_path("f"), 10, 'o') == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		CHECK_EQ(h_write_read("f", (iovw_strategy)s, fail_fn, NULL,
				      NULL, NULL, &got, &len),
			 -EPROTO);
		CHECK_EQ(h_write_read("f", (iovw_strategy)s, positive_fn, NULL,
				      NULL, NULL, &got, &len),
			 -EINVAL);
		CHECK_EQ(h_write_read("f", (iovw_strategy)s, misuse_fn, NULL,
				      NULL, NULL, &got, &len),
			 -EINVAL);
		CHECK_EQ(t_count_dir(t_tmpdir()), 1);
		got = t_read_file(h_path("f"), &len);
		REQUIRE(got);
		CHECK(len == 10 && got[0] == 'o' && got[9] == 'o');
		free(got);
	}
}

struct blob {
	const unsigned char *p;
	size_t n;
};

/* Two pieces of a buffer with a gap of one byte between them (so they do
 * not merge) and padding to 4 between them (3 bytes for n = 10000). */
static int blob_fn(iovw_writer *w, void *ctx)
{
	const struct blob *b = ctx;
	size_t first = b->n / 2 + 1; /* odd for even n: padding follows */
	int rc = iovw_append(w, b->p, first, 1, NULL);
	return rc ? rc
		  : iovw_append(w, b->p + first + 1, b->n - first - 1, 4, NULL);
}

/* The bytes blob_fn describes for n = 10000. */
static void blob_expect(unsigned char *dst, const unsigned char *data)
{
	memcpy(dst, data, 5001);
	memset(dst + 5001, 0, 3);
	memcpy(dst + 5004, data + 5002, 4998);
}

/* iovw_write_fd at an offset: bytes before it kept, the file never shrunk,
 * unaligned offsets handled by the mmap path. */
static void write_fd_at_offset(void)
{
	unsigned char data[10000], *got, *want;
	struct blob b = {data, sizeof(data)};
	uint64_t offs[] = {0, 100, 4096, 5000};
	size_t len, i;
	int s, fd;

	h_fill(data, sizeof(data), 11);
	for (i = 0; i < 4; i++) {
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			REQUIRE(h_make_file(h_path("f"), 20000, 'q') == 0);
			fd = open(h_path("f"), O_RDWR);
			REQUIRE(fd >= 0);
			CHECK_EQ(iovw_write_fd(fd, offs[i], (iovw_strategy)s,
					       blob_fn, &b, NULL, NULL),
				 0);
			close(fd);
			got = t_read_file(h_path("f"), &len);
			REQUIRE(got);
			CHECK_EQ(len, 20000);
			want = malloc(20000);
			memset(want, 'q', 20000);
			blob_expect(want + offs[i], data);
			CHECK(memcmp(got, want, 20000) == 0);
			free(want);
			free(got);
		}
	}
	/* past the end: the file grows */
	REQUIRE(h_make_file(h_path("g"), 10, 'q') == 0);
	fd = open(h_path("g"), O_RDWR);
	REQUIRE(fd >= 0);
	CHECK_EQ(iovw_write_fd(fd, 9000, IOVW_MMAP, blob_fn, &b, NULL, NULL),
		 0);
	close(fd);
	got = t_read_file(h_path("g"), &len);
	REQUIRE(got);
	CHECK_EQ(len, 9000 + 10000 + 2);
	CHECK(got[0] == 'q' && got[10] == 0 && got[8999] == 0);
	want = malloc(10002);
	blob_expect(want, data);
	CHECK(memcmp(got + 9000, want, 10002) == 0);
	free(want);
	free(got);
}

static void mmap_needs_rdwr(void)
{
	unsigned char data[100];
	struct blob b = {data, sizeof(data)};
	int fd = open(h_path("f"), O_WRONLY | O_CREAT, 0644);

	h_fill(data, sizeof(data), 4);
	REQUIRE(fd >= 0);
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_MMAP, blob_fn, &b, NULL, NULL),
		 -EACCES);
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_PWRITEV, blob_fn, &b, NULL, NULL),
		 0);
	close(fd);
}

static int getfl_calls;
static int getfl_ebadf(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	getfl_calls++;
	return -EBADF;
}

/* Linux ignores pwrite's offset on an O_APPEND descriptor (the bytes go
 * to the end) while mmap writes at the offset: iovw_write_fd and
 * iovw_plan_write refuse such a descriptor with -EINVAL, before anything
 * is written, with one fcntl(F_GETFL) through the seam. */
static void append_fd_refused(void)
{
	unsigned char data[100], *got, want[120];
	struct blob b = {data, sizeof(data)};
	iovw_sys sys = {.getfl = getfl_ebadf};
	iovw_options o = {.sys = &sys};
	iovw_stats st;
	iovw_writer *w;
	size_t len;
	int s, fd;

	h_fill(data, sizeof(data), 8);
	REQUIRE(h_make_file(h_path("a"), 20, 'q') == 0);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		memset(&st, 0, sizeof(st));
		fd = open(h_path("a"), O_RDWR | O_APPEND);
		REQUIRE(fd >= 0);
		CHECK_EQ(iovw_write_fd(fd, 0, (iovw_strategy)s, blob_fn, &b,
				       NULL, &st),
			 -EINVAL);
		CHECK_EQ(st.syscalls[IOVW_SYS_FCNTL], 1);
		CHECK_EQ(st.bytes_written, 0);
		close(fd);
	}
	REQUIRE(iovw_writer_new(&w, IOVW_MODE_PLAN, NULL) == 0);
	REQUIRE(blob_fn(w, &b) == 0);
	fd = open(h_path("a"), O_WRONLY | O_APPEND);
	REQUIRE(fd >= 0);
	memset(&st, 0, sizeof(st));
	CHECK_EQ(iovw_plan_write(w, fd, 0, 0, &st), -EINVAL);
	CHECK_EQ(st.syscalls[IOVW_SYS_FCNTL], 1);
	CHECK_EQ(iovw_append(w, "x", 1, 1, NULL), 0); /* not sealed */
	close(fd);
	got = t_read_file(h_path("a"), &len);
	REQUIRE(got);
	CHECK_EQ(len, 20); /* nothing written anywhere */
	CHECK(len == 20 && got[0] == 'q' && got[19] == 'q');
	free(got);

	/* a descriptor without O_APPEND: written at the offset, one fcntl */
	memset(want, 'q', 10);
	REQUIRE(iovw_plan_gather(w, want + 10, 110) == 0);
	REQUIRE(iovw_size(w) == 101); /* 100 bytes and the 'x' */
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		memset(&st, 0, sizeof(st));
		REQUIRE(h_make_file(h_path("n"), 20, 'q') == 0);
		fd = open(h_path("n"), O_RDWR);
		REQUIRE(fd >= 0);
		CHECK_EQ(iovw_write_fd(fd, 10, (iovw_strategy)s, blob_fn, &b,
				       NULL, &st),
			 0);
		CHECK_EQ(st.syscalls[IOVW_SYS_FCNTL], 1);
		close(fd);
		got = t_read_file(h_path("n"), &len);
		CHECK(got && len == 110 && !memcmp(got, want, 110));
		free(got);
	}
	fd = open(h_path("n"), O_WRONLY | O_TRUNC);
	REQUIRE(fd >= 0);
	memset(&st, 0, sizeof(st));
	CHECK_EQ(iovw_plan_write(w, fd, 0, 1, &st), 0);
	CHECK_EQ(st.syscalls[IOVW_SYS_FCNTL], 1);
	close(fd);
	got = t_read_file(h_path("n"), &len);
	CHECK(got && len == 101 && !memcmp(got, want + 10, 101));
	free(got);
	iovw_writer_free(w);

	/* the library's own descriptors need no check */
	memset(&st, 0, sizeof(st));
	CHECK_EQ(h_write_read("f", IOVW_PWRITEV, blob_fn, &b, NULL, &st, &got,
			      &len),
		 0);
	free(got);
	CHECK_EQ(st.syscalls[IOVW_SYS_FCNTL], 0);

	/* fcntl's own failure is returned, nothing is written */
	getfl_calls = 0;
	fd = open(h_path("n"), O_RDWR | O_TRUNC);
	REQUIRE(fd >= 0);
	CHECK_EQ(iovw_write_fd(fd, 0, IOVW_PWRITEV, blob_fn, &b, &o, NULL),
		 -EBADF);
	CHECK_EQ(getfl_calls, 1);
	close(fd);
	got = t_read_file(h_path("n"), &len);
	CHECK(got && len == 0);
	free(got);
}

static int empty_fn(iovw_writer *w, void *ctx)
{
	(void)w;
	(void)ctx;
	return 0;
}

static void empty_stream(void)
{
	unsigned char *got;
	iovw_stats st = {0};
	size_t len;
	int s;

	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		REQUIRE(h_make_file(h_path("e"), 10, 'o') == 0);
		CHECK_EQ(h_write_read("e", (iovw_strategy)s, empty_fn, NULL,
				      NULL, &st, &got, &len),
			 0);
		CHECK_EQ(len, 0);
		free(got);
	}
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE] + st.syscalls[IOVW_SYS_PWRITEV],
		 0);
	CHECK_EQ(st.syscalls[IOVW_SYS_MMAP], 0);
	/* at an offset past the end: no strategy grows the file */
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		struct stat sb;
		int fd = open(h_path("z"), O_RDWR | O_CREAT | O_TRUNC, 0644);
		REQUIRE(fd >= 0);
		CHECK_EQ(iovw_write_fd(fd, 5000, (iovw_strategy)s, empty_fn,
				       NULL, NULL, NULL),
			 0);
		REQUIRE(fstat(fd, &sb) == 0);
		CHECK_EQ(sb.st_size, 0);
		close(fd);
	}
}

static void stats_counted(void)
{
	unsigned char data[10000], *got;
	struct blob b = {data, sizeof(data)};
	iovw_stats st = {0};
	size_t len;

	h_fill(data, sizeof(data), 6);
	CHECK_EQ(h_write_read("f", IOVW_PWRITEV, blob_fn, &b, NULL, &st, &got,
			      &len),
		 0);
	free(got);
	CHECK_EQ(st.bytes_written, 10002);
	CHECK_EQ(st.pieces, 2);
	CHECK_EQ(st.iovecs, 3); /* data, padding, data */
	CHECK_EQ(st.batches, 1);
	CHECK_EQ(st.bytes_copied, 0);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITEV], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], 0);
	CHECK_EQ(st.syscalls[IOVW_SYS_OPEN], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_CLOSE], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_RENAME], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_FDATASYNC], 0);

	memset(&st, 0, sizeof(st));
	CHECK_EQ(h_write_read("f", IOVW_BUFFER, blob_fn, &b, NULL, &st, &got,
			      &len),
		 0);
	free(got);
	CHECK_EQ(st.bytes_copied, 9999); /* data, not padding */
	CHECK_EQ(st.syscalls[IOVW_SYS_PWRITE], 1);
	CHECK_EQ(st.batches, 1);

	memset(&st, 0, sizeof(st));
	{
		iovw_options o = {.flags = IOVW_F_FDATASYNC | IOVW_F_FSYNC_DIR};
		CHECK_EQ(h_write_read("f", IOVW_MMAP, blob_fn, &b, &o, &st,
				      &got, &len),
			 0);
		free(got);
	}
	CHECK_EQ(st.syscalls[IOVW_SYS_MMAP], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_MUNMAP], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_FALLOCATE], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_FTRUNCATE], 0);
	CHECK_EQ(st.syscalls[IOVW_SYS_FDATASYNC], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_FSYNC], 1);
	CHECK_EQ(st.syscalls[IOVW_SYS_OPEN], 2); /* temp file, directory */
	CHECK_EQ(st.bytes_written, 10002);
}

static void count_built(void *ctx)
{
	++*(int *)ctx;
}

/* The build hook runs once per write, after the build, before the write. */
static void built_hook(void)
{
	unsigned char data[1000];
	struct blob b = {data, sizeof(data)};
	unsigned char *got;
	size_t len;
	int s, n = 0;
	iovw_options o = {.built = count_built, .built_ctx = &n};

	h_fill(data, sizeof(data), 12);
	for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
		n = 0;
		CHECK_EQ(h_write_read("b", (iovw_strategy)s, blob_fn, &b, &o,
				      NULL, &got, &len),
			 0);
		CHECK_EQ(n, 1);
		free(got);
		n = 0;
		CHECK_EQ(h_write_read("b", (iovw_strategy)s, fail_fn, NULL, &o,
				      NULL, &got, &len),
			 -EPROTO);
		CHECK_EQ(n, 0); /* not after a failed build */
	}
}

static void file_mode_and_in_place(void)
{
	unsigned char data[100], *got;
	struct blob b = {data, sizeof(data)};
	iovw_options o = {.file_mode = 0600};
	struct stat sb;
	size_t len;
	mode_t old = umask(022);

	h_fill(data, sizeof(data), 2);
	CHECK_EQ(h_write_read("m", IOVW_PWRITEV, blob_fn, &b, &o, NULL, &got,
			      &len),
		 0);
	free(got);
	REQUIRE(stat(h_path("m"), &sb) == 0);
	CHECK_EQ(sb.st_mode & 0777, 0600);
	CHECK_EQ(h_write_read("n", IOVW_PWRITEV, blob_fn, &b, NULL, NULL, &got,
			      &len),
		 0);
	free(got);
	REQUIRE(stat(h_path("n"), &sb) == 0);
	CHECK_EQ(sb.st_mode & 0777, 0644);
	/* in place: same inode, no rename */
	{
		iovw_options ip = {.flags = IOVW_F_NO_ATOMIC};
		iovw_stats st = {0};
		struct stat before;
		REQUIRE(h_make_file(h_path("p"), 5000, 'z') == 0);
		REQUIRE(stat(h_path("p"), &before) == 0);
		CHECK_EQ(h_write_read("p", IOVW_PWRITEV, blob_fn, &b, &ip, &st,
				      &got, &len),
			 0);
		REQUIRE(stat(h_path("p"), &sb) == 0);
		CHECK_EQ(sb.st_ino, before.st_ino);
		CHECK_EQ(len, 100);
		CHECK_EQ(st.syscalls[IOVW_SYS_RENAME], 0);
		free(got);
	}
	umask(old);
}

static const struct t_case cases[] = {
	{"nondeterministic_rejected", nondeterministic_rejected},
	{"callback_errors", callback_errors},
	{"write_fd_at_offset", write_fd_at_offset},
	{"mmap_needs_rdwr", mmap_needs_rdwr},
	{"append_fd_refused", append_fd_refused},
	{"empty_stream", empty_stream},
	{"stats_counted", stats_counted},
	{"built_hook", built_hook},
	{"file_mode_and_in_place", file_mode_and_in_place},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "strategies", cases);
}
