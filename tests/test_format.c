/*
 * test_format.c - the module format and its loader: determinism, golden
 * files (every strategy writes them, stream's one pass included), files
 * of another version refused by name, and bad input of every kind
 * rejected with a clear message.
 */
#include "helpers.h"
#include "kinds.h"
#include "loader.h"
#include "t.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/golden"
#endif

/* The golden files: workload, scale, file name (seed 1). */
static const struct {
	const char *workload;
	double scale;
	const char *file;
} golden[] = {
	{"module-small", 0.002, "module.iovm"},
	{"tree", 0.00005, "tree.iovm"},
	{"blob", 0.0001, "blob.iovm"},
};
#define NGOLDEN (sizeof(golden) / sizeof(golden[0]))

/* Serialize the only file of a workload into memory. */
static unsigned char *build(const char *name, uint64_t seed, double scale,
			    size_t *len)
{
	struct workload *w;
	iovw_writer *p;
	unsigned char *buf = NULL;

	if (wl_make(name, seed, scale, &w))
		return NULL;
	if (!iovw_writer_new(&p, IOVW_MODE_PLAN, NULL)) {
		if (!w->files[0].ops->serialize(p, w->files[0].obj)) {
			*len = iovw_size(p);
			buf = malloc(*len);
			if (buf && iovw_plan_gather(p, buf, *len)) {
				free(buf);
				buf = NULL;
			}
		}
		iovw_writer_free(p);
	}
	wl_free(w);
	return buf;
}

static void deterministic(void)
{
	size_t i, la, lb, lc;

	for (i = 0; i < NGOLDEN; i++) {
		unsigned char *a =
			build(golden[i].workload, 7, golden[i].scale, &la);
		unsigned char *b =
			build(golden[i].workload, 7, golden[i].scale, &lb);
		unsigned char *c =
			build(golden[i].workload, 8, golden[i].scale, &lc);
		REQUIRE(a && b && c);
		CHECK(la == lb && !memcmp(a, b, la));
		CHECK(la != lc || memcmp(a, c, la)); /* the seed matters */
		free(a);
		free(b);
		free(c);
	}
}

/* Each golden file of this format version is what the code writes today:
 * a format change without a version bump fails here. Rewrite them with
 * `make golden` when bumping IOVM_VERSION. */
static void golden_files(void)
{
	char path[512];
	size_t i, gl, bl;

	for (i = 0; i < NGOLDEN; i++) {
		unsigned char *g, *b;
		struct iovm_file f;
		char err[IOVM_ERRLEN];
		void *obj = NULL;

		snprintf(path, sizeof(path), "%s/v%u/%s", GOLDEN_DIR,
			 IOVM_VERSION, golden[i].file);
		g = t_read_file(path, &gl);
		if (!g) {
			t_fail_at(__FILE__, __LINE__, "%s missing", path);
			continue;
		}
		b = build(golden[i].workload, 1, golden[i].scale, &bl);
		REQUIRE(b);
		if (gl != bl || memcmp(g, b, gl))
			t_fail_at(__FILE__, __LINE__,
				  "%s: the code now writes other bytes (%zu vs "
				  "%zu): bump IOVM_VERSION and run make golden",
				  path, bl, gl);
		CHECK_EQ(iovm_open_path(path, IOVM_MMAP, &f, err, sizeof(err)),
			 0);
		if (f.h) {
			CHECK_EQ(iovm_rebuild(&f, &obj, err, sizeof(err)), 0);
			if (obj)
				kind_ops_of(f.h->kind)->free(obj);
			iovm_close(&f);
		}
		free(g);
		free(b);
	}
}

/* Every strategy writes the golden bytes: the checksum computed in the
 * pass that writes (stream mode: window by window, before the header is
 * patched) is the one the other modes compute. */
static void strategies_write_golden(void)
{
	char path[512];
	size_t i, gl, len;
	int s;

	for (i = 0; i < NGOLDEN; i++) {
		struct workload *w;
		unsigned char *g;

		snprintf(path, sizeof(path), "%s/v%u/%s", GOLDEN_DIR,
			 IOVM_VERSION, golden[i].file);
		g = t_read_file(path, &gl);
		REQUIRE(g);
		REQUIRE(wl_make(golden[i].workload, 1, golden[i].scale, &w) ==
			0);
		for (s = 0; s < IOVW_STRATEGY_COUNT; s++) {
			/* small buffers: many windows even for these files */
			iovw_options o = {.stage_bytes = 64, .batch_limit = 3};
			unsigned char *got;

			CHECK_EQ(h_write_read("g", (iovw_strategy)s,
					      w->files[0].ops->serialize,
					      w->files[0].obj, &o, NULL, &got,
					      &len),
				 0);
			if (!got || len != gl || memcmp(got, g, gl))
				t_fail_at(__FILE__, __LINE__,
					  "%s by %s differs", golden[i].file,
					  iovw_strategy_name((iovw_strategy)s));
			free(got);
		}
		wl_free(w);
		free(g);
	}
}

/* A file of version 1 (whole-file checksum) is refused by its version,
 * with a message that names both. */
static void other_version(void)
{
	char path[512], err[IOVM_ERRLEN], want[64];
	struct iovm_file f;
	size_t i;

	snprintf(want, sizeof(want),
		 "unsupported format version 1 (this build reads %u)",
		 IOVM_VERSION);
	for (i = 0; i < NGOLDEN; i++) {
		snprintf(path, sizeof(path), "%s/v1/%s", GOLDEN_DIR,
			 golden[i].file);
		err[0] = '\0';
		CHECK_EQ(iovm_open_path(path, IOVM_READ, &f, err, sizeof(err)),
			 IOVM_INVALID);
		if (!strstr(err, want))
			t_fail_at(__FILE__, __LINE__, "%s: '%s'", path, err);
	}
}

/* Open and rebuild bytes in memory; 0 valid, else the loader's result and
 * its message in err. The copy is 8-aligned (malloc). */
static int load_mem(const unsigned char *p, size_t n, char *err)
{
	unsigned char *copy = malloc(n ? n : 1);
	struct iovm_file f;
	void *obj = NULL;
	int rc;

	memcpy(copy, p, n);
	err[0] = '\0';
	rc = iovm_open_mem(copy, n, &f, err, IOVM_ERRLEN);
	if (!rc) {
		rc = iovm_rebuild(&f, &obj, err, IOVM_ERRLEN);
		if (obj)
			kind_ops_of(f.h->kind)->free(obj);
	}
	free(copy);
	return rc;
}

static unsigned char *golden_bytes(size_t i, size_t *len)
{
	return build(golden[i].workload, 1, golden[i].scale, len);
}

/* Truncation at every length rejects the file, with a message. */
static void truncated(void)
{
	char err[IOVM_ERRLEN];
	size_t i, n, len;

	for (i = 0; i < NGOLDEN; i++) {
		unsigned char *b = golden_bytes(i, &len);
		REQUIRE(b);
		CHECK_EQ(load_mem(b, len, err), 0);
		for (n = 0; n < len; n++) {
			int rc = load_mem(b, n, err);
			if (rc != IOVM_INVALID || !err[0]) {
				t_fail_at(__FILE__, __LINE__,
					  "%s cut to %zu: rc %d",
					  golden[i].file, n, rc);
				break;
			}
		}
		free(b);
	}
}

/* Every single-bit flip anywhere in the file is caught: in the header and
 * the root table (which the checksum reads as zeros in its first step),
 * in the checksum itself and in the body. (At a reduced IOVW_TEST_SCALE,
 * every byte of header and table and a sample of the body.) */
static void bit_flips(void)
{
	char err[IOVM_ERRLEN];
	size_t i, pos, len, table_end;
	size_t step = (size_t)(100 / t_scaled(100));
	unsigned bit;

	for (i = 0; i < NGOLDEN; i++) {
		unsigned char *b = golden_bytes(i, &len);
		const struct iovm_header *h = (const void *)b;
		REQUIRE(b);
		table_end = h->root_offset + h->root_count * 16;
		for (pos = 0; pos < len; pos += pos < table_end ? 1 : step) {
			for (bit = 0; bit < 8; bit++) {
				int rc;
				b[pos] ^= (unsigned char)(1u << bit);
				rc = load_mem(b, len, err);
				b[pos] ^= (unsigned char)(1u << bit);
				if (rc != IOVM_INVALID) {
					t_fail_at(__FILE__, __LINE__,
						  "%s: flip of bit %u at %zu "
						  "not caught (rc %d)",
						  golden[i].file, bit, pos, rc);
					pos = len;
					break;
				}
			}
		}
		free(b);
	}
}

/* Change a root entry, fix the checksum, expect `want` in the message. */
static void crafted(unsigned char *b, size_t len, unsigned field, uint64_t off,
		    uint64_t length, const char *want, int line)
{
	struct iovm_header *h = (void *)b;
	struct iovm_array a, saved;
	char err[IOVM_ERRLEN];
	uint64_t sum = h->checksum;
	int rc;

	memcpy(&saved, b + h->root_offset + 16 * field, 16);
	a.offset = off;
	a.length = length;
	memcpy(b + h->root_offset + 16 * field, &a, 16);
	h->checksum = iovm_checksum(b, len);
	rc = load_mem(b, len, err);
	if (rc != IOVM_INVALID || !strstr(err, want))
		t_fail_at(__FILE__, line, "rc %d, message '%s', want '%s'", rc,
			  err, want);
	memcpy(b + h->root_offset + 16 * field, &saved, 16);
	h->checksum = sum;
}

static void crafted_offsets(void)
{
	size_t len;
	unsigned char *b = golden_bytes(0, &len); /* module */
	struct iovm_header *h;
	struct iovm_array a;
	char err[IOVM_ERRLEN];
	unsigned char saved_tag;

	REQUIRE(b);
	h = (void *)b;
	/* field 3 is 'source' (bytes), 4 'line_starts' (u32), 6
	 * 'node_payload' (16 bytes, align 8) */
	crafted(b, len, 3, len + 10, 1, "'source' starts outside the file",
		__LINE__);
	crafted(b, len, 3, 8, 1, "'source' at offset 8 lies on the header",
		__LINE__);
	memcpy(&a, b + h->root_offset + 16 * 4, 16);
	crafted(b, len, 4, a.offset + 2, a.length, "'line_starts' at offset",
		__LINE__);
	crafted(b, len, 4, a.offset + 2, a.length, "not aligned to 4",
		__LINE__);
	crafted(b, len, 4, a.offset, len, "'line_starts' runs past end of file",
		__LINE__);
	crafted(b, len, 6, 64, UINT64_MAX / 8, "'node_payload' runs past end",
		__LINE__);
	crafted(b, len, 4, 4096, 0, "empty array 'line_starts' has offset",
		__LINE__);
	/* what the arrays mean: node arrays of different lengths (the tag
	 * left out becomes padding before node_payload, so it must be 0) */
	memcpy(&a, b + h->root_offset + 16 * 5, 16);
	saved_tag = b[a.offset + a.length - 1];
	b[a.offset + a.length - 1] = 0;
	crafted(b, len, 5, a.offset, a.length - 1, "node arrays disagree",
		__LINE__);
	b[a.offset + a.length - 1] = saved_tag;
	/* an unchanged file still loads */
	CHECK_EQ(load_mem(b, len, err), 0);
	/* header fields */
	h->total_size++;
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	CHECK(strstr(err, "size in header") != NULL);
	h->total_size--;
	h->version = 99;
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	CHECK(strstr(err, "unsupported format version 99") != NULL);
	h->version = IOVM_VERSION;
	h->kind = 42;
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	CHECK(strstr(err, "unknown kind 42") != NULL);
	h->kind = IOVM_KIND_TREE; /* a module claiming to be a tree */
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	CHECK(strstr(err, "layout hash") != NULL);
	h->kind = IOVM_KIND_MODULE;
	b[len - 1] ^= 1; /* the body */
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	CHECK(strcmp(err, "bad checksum") == 0);
	b[len - 1] ^= 1;
	h->root_offset += 16; /* a shifted table that would parse */
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	h->root_offset -= 16;
	CHECK_EQ(load_mem(b, len, err), 0);
	free(b);
}

/* Semantic checks inside a tree: a record that lies about its size. */
static void crafted_tree(void)
{
	size_t len;
	unsigned char *b = golden_bytes(1, &len);
	struct iovm_header *h;
	struct iovm_array recs;
	char err[IOVM_ERRLEN];
	uint16_t bad = 72;

	REQUIRE(b);
	h = (void *)b;
	memcpy(&recs, b + h->root_offset + 16, 16);
	memcpy(b + recs.offset + 4, &bad, 2); /* first record's size */
	h->checksum = iovm_checksum(b, len);
	CHECK_EQ(load_mem(b, len, err), IOVM_INVALID);
	CHECK(strstr(err, "tree: bad record at byte 0") != NULL);
	free(b);
}

static void bad_paths(void)
{
	struct iovm_file f;
	char err[IOVM_ERRLEN];

	CHECK_EQ(iovm_open_path(h_path("missing"), IOVM_READ, &f, err,
				sizeof(err)),
		 -ENOENT);
	CHECK(strstr(err, "No such file") != NULL);
	CHECK_EQ(iovm_open_path(t_tmpdir(), IOVM_MMAP, &f, err, sizeof(err)),
		 -EISDIR);
	REQUIRE(h_make_file(h_path("empty"), 0, 0) == 0);
	CHECK_EQ(iovm_open_path(h_path("empty"), IOVM_MMAP, &f, err,
				sizeof(err)),
		 IOVM_INVALID);
	CHECK(strcmp(err, "empty file") == 0);
	REQUIRE(h_make_file(h_path("junk"), 100, 'x') == 0);
	CHECK_EQ(
		iovm_open_path(h_path("junk"), IOVM_READ, &f, err, sizeof(err)),
		IOVM_INVALID);
	CHECK(strstr(err, "bad magic") != NULL);
}

static const struct t_case cases[] = {
	{"deterministic", deterministic},
	{"golden_files", golden_files},
	{"strategies_write_golden", strategies_write_golden},
	{"other_version", other_version},
	{"truncated", truncated},
	{"bit_flips", bit_flips},
	{"crafted_offsets", crafted_offsets},
	{"crafted_tree", crafted_tree},
	{"bad_paths", bad_paths},
	{NULL, NULL},
};

/* With --write-golden DIR: write the golden files of this version into
 * DIR/v<version>. */
int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-golden")) {
		char path[512];
		size_t i, len;

		snprintf(path, sizeof(path), "%s/v%u", argv[2], IOVM_VERSION);
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			perror(path);
			return 1;
		}
		for (i = 0; i < NGOLDEN; i++) {
			unsigned char *b = golden_bytes(i, &len);
			FILE *f;
			snprintf(path, sizeof(path), "%s/v%u/%s", argv[2],
				 IOVM_VERSION, golden[i].file);
			f = fopen(path, "wb");
			if (!b || !f || fwrite(b, 1, len, f) != len) {
				fprintf(stderr, "%s: cannot write\n", path);
				return 1;
			}
			fclose(f);
			free(b);
			printf("wrote %s (%zu bytes)\n", path, len);
		}
		return 0;
	}
	return t_main(argc, argv, "format", cases);
}
