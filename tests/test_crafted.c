/*
 * test_crafted.c - files crafted with a valid checksum: each breaks one
 * rule of the layout the writer produces (arrays disjoint, in the root
 * table's order, after the root table, gaps exactly their alignment
 * padding and zero, nothing after the last array) or of the interner, and
 * must be rejected with a message naming the arrays and offsets. The
 * checksum is always the format's own (iovm_checksum()), so these tests
 * follow it if it changes.
 *
 * `test_crafted --write-corpus DIR` writes every crafted file into DIR
 * (tests/corpus/loader holds them, for the fuzzer).
 */
#include "kinds.h"
#include "loader.h"
#include "module.h"
#include "t.h"
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *corpus_dir; /* --write-corpus */

/* The file of a workload (seed 1) as the writer lays it out. */
static unsigned char *build(const char *name, double scale, size_t *len)
{
	struct workload *w;
	iovw_writer *p;
	unsigned char *buf = NULL;

	if (wl_make(name, 1, scale, &w))
		return NULL;
	if (!iovw_writer_new(&p, IOVW_MODE_PLAN, NULL)) {
		if (!w->files[0].ops->serialize(p, w->files[0].obj)) {
			*len = iovw_size(p);
			buf = malloc(*len + 4096); /* room to grow */
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

/* The golden-sized files: a module, a tree, a blob (< 64 KiB each). */
static unsigned char *module_file(size_t *len)
{
	unsigned char *b = build("module-small", 0.002, len);
	REQUIRE(b);
	return b;
}

static struct iovm_array *root(unsigned char *b)
{
	return (struct iovm_array *)(b +
				     ((struct iovm_header *)b)->root_offset);
}

/* What a crafter does last: the size and the checksum made right. */
static void seal(unsigned char *b, size_t len)
{
	struct iovm_header *h = (void *)b;

	h->total_size = len;
	h->checksum = iovm_checksum(b, len);
}

/* Validate and rebuild a copy of b; the loader's result, err its message. */
static int load(const unsigned char *b, size_t len, char *err)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct iovm_file f;
	void *obj = NULL;
	int rc;

	REQUIRE(copy);
	memcpy(copy, b, len);
	err[0] = '\0';
	rc = iovm_open_mem(copy, len, &f, err, IOVM_ERRLEN);
	if (!rc) {
		rc = iovm_rebuild(&f, &obj, err, IOVM_ERRLEN);
		if (obj)
			kind_ops_of(f.h->kind)->free(obj);
	}
	free(copy);
	return rc;
}

static void save(const char *name, const unsigned char *b, size_t len)
{
	char path[4200];
	FILE *f;

	if (!corpus_dir)
		return;
	snprintf(path, sizeof(path), "%s/crafted-%s.iovm", corpus_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f)) {
		t_fail_at(__FILE__, __LINE__, "%s: cannot write", path);
		return;
	}
	printf("    wrote %s (%zu bytes)\n", path, len);
}

/* Seal b, then expect it rejected with exactly the message `want`. */
static void expect_at(const char *name, unsigned char *b, size_t len,
		      const char *want, int line)
{
	char err[IOVM_ERRLEN];
	int rc;

	seal(b, len);
	save(name, b, len);
	rc = load(b, len, err);
	if (rc != IOVM_INVALID || strcmp(err, want))
		t_fail_at(__FILE__, line,
			  "%s: rc %d, message\n      '%s', want\n      '%s'",
			  name, rc, err, want);
}
#define EXPECT(name, b, len, ...)                            \
	do {                                                 \
		char want_[IOVM_ERRLEN];                     \
		snprintf(want_, sizeof(want_), __VA_ARGS__); \
		expect_at(name, b, len, want_, __LINE__);    \
	} while (0)

#define U(x) ((unsigned long long)(x))

static uint64_t end_of(const unsigned char *b, unsigned f)
{
	const struct iovm_header *h = (const void *)b;
	const struct iovm_array *a = (const void *)(b + h->root_offset);

	return a[f].offset +
	       a[f].length * iovm_layout_of(h->kind)->fields[f].elem_size;
}

/* The first two non-empty lists of a module, from list `from` on. */
static void two_lists(unsigned char *b, unsigned from, unsigned *i, unsigned *j)
{
	struct iovm_array *r = root(b);

	for (*i = F_LIST0 + from; *i < F_COUNT && !r[*i].length; (*i)++)
		;
	for (*j = *i + 1; *j < F_COUNT && !r[*j].length; (*j)++)
		;
	REQUIRE(*j < F_COUNT);
}

/* The files as written load, and nothing here changes them by accident. */
static void writer_files_load(void)
{
	static const struct {
		const char *name;
		double scale;
	} w[] = {
		{"module-small", 0.002}, {"module-small", 0.02},
		{"tree", 0.00005},	 {"tree", 0.001},
		{"blob", 0.0001},	 {"blob", 0.001},
	};
	char err[IOVM_ERRLEN];
	size_t i, len;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		unsigned char *b = build(w[i].name, w[i].scale, &len);
		REQUIRE(b);
		if (load(b, len, err))
			t_fail_at(__FILE__, __LINE__, "%s at %g: %s", w[i].name,
				  w[i].scale, err);
		free(b);
	}
}

/* A file the loader accepts is byte for byte what the writer writes for
 * the structures rebuilt from it: the files as written, and a blob of
 * empty arrays (the header and the root table only). */
static void rebuilt_rewrites_same(void)
{
	static const struct {
		const char *name;
		double scale;
	} w[] = {
		{"module-small", 0.002},
		{"tree", 0.00005},
		{"blob", 0.0001},
	};
	char err[IOVM_ERRLEN];
	size_t i, len, wlen;

	for (i = 0; i <= sizeof(w) / sizeof(w[0]); i++) {
		unsigned char *b, *again = NULL;
		struct iovm_file f;
		void *obj = NULL;
		iovw_writer *p;

		if (i < sizeof(w) / sizeof(w[0])) {
			b = build(w[i].name, w[i].scale, &len);
		} else {
			b = build("blob", 0.0001, &len);
			REQUIRE(b);
			memset(root(b), 0, 4 * sizeof(struct iovm_array));
			len = 128;
			seal(b, len);
		}
		REQUIRE(b);
		REQUIRE(iovm_open_mem(b, len, &f, err, sizeof(err)) == 0);
		REQUIRE(iovm_rebuild(&f, &obj, err, sizeof(err)) == 0);
		REQUIRE(iovw_writer_new(&p, IOVW_MODE_PLAN, NULL) == 0);
		if (!kind_ops_of(f.h->kind)->serialize(p, obj)) {
			wlen = (size_t)iovw_size(p);
			again = malloc(wlen);
			if (again && iovw_plan_gather(p, again, wlen))
				wlen = 0;
		}
		if (!again || wlen != len || memcmp(again, b, len))
			t_fail_at(__FILE__, __LINE__,
				  "file %zu: rebuilt and written again, it "
				  "differs",
				  i);
		iovw_writer_free(p);
		kind_ops_of(f.h->kind)->free(obj);
		free(again);
		free(b);
	}
}

/* A list on another's bytes, or on a part of them. */
static void list_aliases_list(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b), saved;
	unsigned i, j;

	two_lists(b, 0, &i, &j);
	saved = r[j];
	r[j] = r[i];
	EXPECT("list-alias", b, len,
	       "arrays 'list%u' [%llu, %llu) and 'list%u' [%llu, %llu) overlap",
	       i - F_LIST0, U(r[i].offset), U(end_of(b, i)), j - F_LIST0,
	       U(r[i].offset), U(end_of(b, i)));
	/* a subset: the last element of list i */
	REQUIRE(r[i].length >= 2);
	r[j].offset = r[i].offset + 4 * (r[i].length - 1);
	r[j].length = 1;
	EXPECT("list-subset", b, len,
	       "arrays 'list%u' [%llu, %llu) and 'list%u' [%llu, %llu) overlap",
	       i - F_LIST0, U(r[i].offset), U(end_of(b, i)), j - F_LIST0,
	       U(end_of(b, i) - 4), U(end_of(b, i)));
	r[j] = saved;
	free(b);
}

/* All 35 lists of a module on the same bytes. */
static void all_lists_same(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b), one;
	unsigned i, j, k;

	two_lists(b, 0, &i, &j);
	one = r[i];
	for (k = F_LIST0; k < F_COUNT; k++)
		r[k] = one;
	/* list0 now lies where list i was, after the arrays before it */
	EXPECT("all-lists", b, len,
	       "arrays 'list0' [%llu, %llu) and 'list1' [%llu, %llu) overlap",
	       U(one.offset), U(end_of(b, F_LIST0)), U(one.offset),
	       U(end_of(b, F_LIST0)));
	free(b);
}

/* node_payload on top of node_regions; type_slots on top of desc_a. */
static void array_on_next(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b);

	r[F_NODE_PAYLOAD].offset = r[F_NODE_REGIONS].offset;
	EXPECT("payload-on-regions", b, len,
	       "arrays 'node_payload' [%llu, %llu) and 'node_regions' [%llu, "
	       "%llu) overlap",
	       U(r[F_NODE_REGIONS].offset), U(end_of(b, F_NODE_PAYLOAD)),
	       U(r[F_NODE_REGIONS].offset), U(end_of(b, F_NODE_REGIONS)));
	free(b);

	b = module_file(&len);
	r = root(b);
	r[F_TYPE_SLOTS].offset = r[F_DESC_A].offset;
	r[F_TYPE_SLOTS].length = r[F_DESC_A].length * 3; /* the same bytes */
	EXPECT("slots-on-desc-a", b, len,
	       "arrays 'type_slots' [%llu, %llu) and 'desc_a' [%llu, %llu) "
	       "overlap",
	       U(r[F_DESC_A].offset), U(end_of(b, F_DESC_A)),
	       U(r[F_DESC_A].offset), U(end_of(b, F_DESC_A)));
	free(b);
}

/* A blob whose first two arrays are the same bytes. */
static void blob_same_bytes(void)
{
	size_t len;
	unsigned char *b = build("blob", 0.0001, &len);
	struct iovm_array *r;

	REQUIRE(b);
	r = root(b);
	REQUIRE(r[0].length && r[1].length);
	r[1] = r[0];
	EXPECT("blob-alias", b, len,
	       "arrays 'blob0' [%llu, %llu) and 'blob1' [%llu, %llu) overlap",
	       U(r[0].offset), U(end_of(b, 0)), U(r[0].offset),
	       U(end_of(b, 0)));
	free(b);
}

/* Arrays on the root table or the header, or over the whole file. */
static void array_on_table(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b);
	const uint64_t table_end = 64 + 16 * F_COUNT;

	r[F_EXTRA].offset = 128;
	EXPECT("extra-on-table", b, len,
	       "array 'extra' at offset 128 lies on the root table [64, %llu)",
	       U(table_end));
	free(b);

	b = module_file(&len);
	r = root(b);
	r[F_SOURCE].offset = 0;
	r[F_SOURCE].length = len;
	EXPECT("source-whole-file", b, len,
	       "array 'source' at offset 0 lies on the header [0, 64)");
	r[F_SOURCE].offset = 64;
	r[F_SOURCE].length = len - 64;
	EXPECT("source-after-header", b, len,
	       "array 'source' at offset 64 lies on the root table [64, %llu)",
	       U(table_end));
	/* from the first array's place to the end of the file */
	r[F_SOURCE].offset = r[F_IDENT_BYTES].offset;
	r[F_SOURCE].length = len - r[F_IDENT_BYTES].offset;
	EXPECT("source-over-arrays", b, len,
	       "arrays 'ident_bytes' [%llu, %llu) and 'source' [%llu, %llu) "
	       "overlap",
	       U(r[F_IDENT_BYTES].offset), U(end_of(b, F_IDENT_BYTES)),
	       U(r[F_IDENT_BYTES].offset), U(len));
	free(b);
}

/* Two arrays swapped in the root table: disjoint, but out of order. */
static void out_of_order(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b), t;
	unsigned i, j;

	two_lists(b, 0, &i, &j);
	t = r[i];
	r[i] = r[j];
	r[j] = t;
	EXPECT("lists-swapped", b, len,
	       "array 'list%u' at offset %llu comes before 'list%u' at offset "
	       "%llu: arrays must be in the root table's order",
	       j - F_LIST0, U(r[j].offset), i - F_LIST0, U(r[i].offset));
	free(b);
}

/* A padding byte that is not zero: between two arrays, and after the
 * root table (a blob's first array is 4096-aligned). */
static void padding_not_zero(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b);
	unsigned k;

	/* the first array with padding before it */
	for (k = 1; k < F_COUNT; k++)
		if (r[k].length && r[k - 1].length &&
		    r[k].offset > end_of(b, k - 1))
			break;
	REQUIRE(k < F_COUNT);
	b[r[k].offset - 1] = 0x5a;
	EXPECT("padding-between", b, len,
	       "padding before array '%s' is not zero (byte at offset %llu)",
	       module_layout.fields[k].name, U(r[k].offset - 1));
	free(b);

	b = build("blob", 0.0001, &len);
	REQUIRE(b);
	r = root(b);
	REQUIRE(r[0].offset == 4096);
	b[200] = 1;
	EXPECT("padding-after-table", b, len,
	       "padding before array 'blob0' is not zero (byte at offset 200)");
	free(b);
}

/* The last two non-empty arrays of a module. */
static void last_two(unsigned char *b, unsigned *prev, unsigned *last)
{
	struct iovm_array *r = root(b);
	unsigned k;

	*prev = *last = F_COUNT;
	for (k = 0; k < F_COUNT; k++)
		if (r[k].length) {
			*prev = *last;
			*last = k;
		}
	REQUIRE(*prev < F_COUNT);
}

/* A gap of zeros wider than the alignment needs. */
static void gap_too_wide(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b);
	unsigned prev, last;
	uint64_t end;

	last_two(b, &prev, &last);
	end = end_of(b, last);
	REQUIRE(end == len && end_of(b, prev) == r[last].offset);
	/* move the last array 8 bytes on, zeros where it was */
	memmove(b + r[last].offset + 8, b + r[last].offset,
		(size_t)(end - r[last].offset));
	memset(b + r[last].offset, 0, 8);
	r[last].offset += 8;
	EXPECT("gap-wide", b, len + 8,
	       "array '%s' at offset %llu leaves 8 bytes after array '%s' "
	       "(ends at %llu); alignment to %u needs 0",
	       module_layout.fields[last].name, U(r[last].offset),
	       module_layout.fields[prev].name, U(r[last].offset - 8),
	       module_layout.fields[last].align);
	free(b);
}

/* Bytes after the last array, total_size raised to match; and after the
 * root table of a file whose arrays are all empty. */
static void trailing_bytes(void)
{
	char err[IOVM_ERRLEN];
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r;
	unsigned k, prev, last;

	last_two(b, &prev, &last);
	memset(b + len, 0, 16);
	EXPECT("trailing", b, len + 16,
	       "16 bytes trail the last array '%s' (it ends at offset %llu, "
	       "the file at %llu)",
	       module_layout.fields[last].name, U(len), U(len + 16));
	free(b);

	/* a blob of four empty arrays is the header and the root table */
	b = build("blob", 0.0001, &len);
	REQUIRE(b);
	r = root(b);
	for (k = 0; k < 4; k++)
		r[k].offset = r[k].length = 0;
	seal(b, 128);
	CHECK_EQ(load(b, 128, err), 0);
	memset(b + 128, 0, 8);
	EXPECT("trailing-table", b, 136,
	       "8 bytes trail the root table (every array is empty; the "
	       "table ends at offset 128)");
	free(b);
}

/* The root table anywhere but right after the header. */
static void table_not_after_header(void)
{
	size_t len;
	unsigned char *b = build("blob", 0.0001, &len);
	struct iovm_header *h = (void *)b;
	unsigned k;

	REQUIRE(b);
	/* an empty blob whose table is 8 bytes further, zeros before it */
	memset(b + 64, 0, 80);
	h->root_offset = 72;
	for (k = 0; k < 4; k++)
		root(b)[k].offset = root(b)[k].length = 0;
	EXPECT("table-moved", b, 136,
	       "root table at offset 72 does not follow the header (offset "
	       "64)");
	free(b);
}

/* The first interned name's offset in a module and its index slot. */
static void first_name(unsigned char *b, uint64_t *slot, uint32_t *off)
{
	struct iovm_array *r = root(b);
	uint32_t *idx = (uint32_t *)(b + r[F_IDENT_INDEX].offset);
	uint64_t i;

	for (i = 0; i < r[F_IDENT_INDEX].length; i++)
		if (idx[i] != EMPTY_SLOT)
			break;
	REQUIRE(i < r[F_IDENT_INDEX].length);
	*slot = i;
	*off = idx[i];
}

/* The interner's index and the exposed items point at names, not into
 * them, and not at the NUL that ends one. */
static void ident_mid_name(void)
{
	size_t len;
	unsigned char *b = module_file(&len);
	struct iovm_array *r = root(b);
	uint32_t *idx = (uint32_t *)(b + r[F_IDENT_INDEX].offset), off, nul;
	const char *names = (const char *)b + r[F_IDENT_BYTES].offset;
	struct exposed *ex = (void *)(b + r[F_EXPOSED].offset);
	uint64_t slot;

	first_name(b, &slot, &off);
	REQUIRE(strlen(names + off) >= 2);
	idx[slot] = off + 1;
	EXPECT("ident-mid-name", b, len,
	       "ident_index[%llu] = %u points into the middle of a name (%llu "
	       "bytes of names)",
	       U(slot), off + 1, U(r[F_IDENT_BYTES].length));
	nul = off + (uint32_t)strlen(names + off);
	idx[slot] = nul;
	EXPECT("ident-at-nul", b, len,
	       "ident_index[%llu] = %u points at a NUL, not a name (%llu bytes "
	       "of names)",
	       U(slot), nul, U(r[F_IDENT_BYTES].length));
	idx[slot] = off;
	REQUIRE(r[F_EXPOSED].length >= 1);
	ex[0].ident += 1;
	EXPECT("exposed-mid-name", b, len,
	       "exposed item 0: ident %u points into the middle of a name",
	       ex[0].ident);
	free(b);
}

static const struct t_case cases[] = {
	{"writer_files_load", writer_files_load},
	{"rebuilt_rewrites_same", rebuilt_rewrites_same},
	{"list_aliases_list", list_aliases_list},
	{"all_lists_same", all_lists_same},
	{"array_on_next", array_on_next},
	{"blob_same_bytes", blob_same_bytes},
	{"array_on_table", array_on_table},
	{"out_of_order", out_of_order},
	{"padding_not_zero", padding_not_zero},
	{"gap_too_wide", gap_too_wide},
	{"trailing_bytes", trailing_bytes},
	{"table_not_after_header", table_not_after_header},
	{"ident_mid_name", ident_mid_name},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-corpus")) {
		const struct t_case *c;

		corpus_dir = argv[2];
		for (c = cases; c->name; c++)
			c->fn();
		return 0;
	}
	return t_main(argc, argv, "crafted", cases);
}
