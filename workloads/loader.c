/*
 * loader.c - open and validate module files (see loader.h).
 */
#include "loader.h"
#include "kinds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _WIN32
/* the read path only, in binary mode (make test-windows) */
#define O_CLOEXEC O_BINARY
#else
#include <sys/mman.h>
#endif

int iovm_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return IOVM_INVALID;
}

/* ---- the header and the root table -------------------------------------- */

static int check_header(struct iovm_file *f, char *err, size_t errlen)
{
	const struct iovm_header *h;
	uint64_t size = f->size, table;

	if (size < IOVM_HEADER_SIZE)
		return iovm_bad(err, errlen,
				"file too short for a header (%llu bytes, "
				"need %u)",
				(unsigned long long)size, IOVM_HEADER_SIZE);
	if ((uintptr_t)f->base % 8)
		return iovm_bad(err, errlen, "buffer is not 8-byte aligned");
	h = (const struct iovm_header *)f->base;
	if (memcmp(h->magic, IOVM_MAGIC, sizeof(h->magic)))
		return iovm_bad(err, errlen, "bad magic: not a module file");
	if (h->version != IOVM_VERSION)
		return iovm_bad(err, errlen,
				"unsupported format version %u (this build "
				"reads %u)",
				h->version, IOVM_VERSION);
	f->l = iovm_layout_of(h->kind);
	if (!f->l)
		return iovm_bad(err, errlen, "unknown kind %u", h->kind);
	if (h->layout_hash != iovm_layout_hash(f->l))
		return iovm_bad(err, errlen,
				"layout hash %016llx does not match kind '%s' "
				"(%016llx)",
				(unsigned long long)h->layout_hash, f->l->name,
				(unsigned long long)iovm_layout_hash(f->l));
	if (h->total_size != size)
		return iovm_bad(err, errlen,
				"size in header %llu != file size %llu "
				"(truncated or extended)",
				(unsigned long long)h->total_size,
				(unsigned long long)size);
	if (h->flags || h->reserved)
		return iovm_bad(err, errlen, "reserved header fields not zero");
	if (h->root_count != f->l->nfields)
		return iovm_bad(err, errlen,
				"root table has %u entries, kind '%s' has %u",
				h->root_count, f->l->name, f->l->nfields);
	table = (uint64_t)h->root_count * sizeof(struct iovm_array);
	if (h->root_offset < IOVM_HEADER_SIZE || h->root_offset % 8 ||
	    h->root_offset > size || table > size - h->root_offset)
		return iovm_bad(err, errlen,
				"root table at offset %llu is outside the file "
				"or misaligned",
				(unsigned long long)h->root_offset);
	/* the writer reserves the table right after the header */
	if (h->root_offset != IOVM_HEADER_SIZE)
		return iovm_bad(err, errlen,
				"root table at offset %llu does not follow the "
				"header (offset %u)",
				(unsigned long long)h->root_offset,
				IOVM_HEADER_SIZE);
	memcpy(f->root, f->base + h->root_offset, (size_t)table);
	return 0;
}

/* ---- the arrays: inside the file, then exactly where the writer puts them */

static const unsigned char zeros[IOVW_MAX_ALIGN];

static uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/* End of non-empty array i (in bounds: no overflow). */
static uint64_t array_end(const struct iovm_file *f, unsigned i)
{
	return f->root[i].offset +
	       f->root[i].length * f->l->fields[i].elem_size;
}

/* Array i starts inside the file, is aligned and ends inside it. */
static int check_bounds(const struct iovm_file *f, unsigned i, char *err,
			size_t errlen)
{
	const struct iovm_field *fd = &f->l->fields[i];
	const struct iovm_array *a = &f->root[i];

	if (a->offset > f->size)
		return iovm_bad(err, errlen,
				"array '%s' starts outside the file at offset "
				"%llu",
				fd->name, (unsigned long long)a->offset);
	if (a->offset % fd->align)
		return iovm_bad(err, errlen,
				"array '%s' at offset %llu is not aligned to "
				"%u",
				fd->name, (unsigned long long)a->offset,
				fd->align);
	if (a->length > (f->size - a->offset) / fd->elem_size)
		return iovm_bad(err, errlen,
				"array '%s' runs past end of file at offset "
				"%llu (%llu elements of %u bytes)",
				fd->name, (unsigned long long)a->offset,
				(unsigned long long)a->length, fd->elem_size);
	return 0;
}

/* Array i starts before the end of the array before it, `prev`: name an
 * earlier array it overlaps, or say that it is out of order. Only arrays
 * already found in order and disjoint are compared. */
static int misplaced(const struct iovm_file *f, unsigned i, unsigned prev,
		     char *err, size_t errlen)
{
	const struct iovm_field *fd = f->l->fields;
	uint64_t start = f->root[i].offset, end = array_end(f, i);
	unsigned j;

	for (j = 0; j < i; j++)
		if (f->root[j].length && f->root[j].offset < end &&
		    start < array_end(f, j))
			return iovm_bad(err, errlen,
					"arrays '%s' [%llu, %llu) and '%s' "
					"[%llu, %llu) overlap",
					fd[j].name,
					(unsigned long long)f->root[j].offset,
					(unsigned long long)array_end(f, j),
					fd[i].name, (unsigned long long)start,
					(unsigned long long)end);
	return iovm_bad(err, errlen,
			"array '%s' at offset %llu comes before '%s' at offset "
			"%llu: arrays must be in the root table's order",
			fd[i].name, (unsigned long long)start, fd[prev].name,
			(unsigned long long)f->root[prev].offset);
}

/* What lies before array i, from `cur` (the end of the array before it,
 * `prev`, or of the root table when prev is -1): exactly its alignment
 * padding, all zero. */
static int check_gap(const struct iovm_file *f, unsigned i, uint64_t cur,
		     int prev, char *err, size_t errlen)
{
	const struct iovm_field *fd = &f->l->fields[i];
	uint64_t off = f->root[i].offset, pad = align_up(cur, fd->align) - cur;
	uint64_t k;

	if (off - cur != pad)
		return iovm_bad(err, errlen,
				"array '%s' at offset %llu leaves %llu bytes "
				"after %s%s%s (ends at %llu); alignment to %u "
				"needs %llu",
				fd->name, (unsigned long long)off,
				(unsigned long long)(off - cur),
				prev < 0 ? "the root table" : "array '",
				prev < 0 ? "" : f->l->fields[prev].name,
				prev < 0 ? "" : "'", (unsigned long long)cur,
				fd->align, (unsigned long long)pad);
	if (!pad || !memcmp(f->base + cur, zeros, (size_t)pad))
		return 0;
	for (k = cur; !f->base[k]; k++)
		;
	return iovm_bad(err, errlen,
			"padding before array '%s' is not zero (byte at offset "
			"%llu)",
			fd->name, (unsigned long long)k);
}

/* Array i starts on the header or the root table. */
static int on_table(const struct iovm_file *f, unsigned i, uint64_t table_end,
		    char *err, size_t errlen)
{
	uint64_t off = f->root[i].offset;
	int hdr = off < IOVM_HEADER_SIZE;

	return iovm_bad(
		err, errlen,
		"array '%s' at offset %llu lies on the %s [%llu, %llu)",
		f->l->fields[i].name, (unsigned long long)off,
		hdr ? "header" : "root table",
		hdr ? 0ull : (unsigned long long)IOVM_HEADER_SIZE,
		(unsigned long long)(hdr ? IOVM_HEADER_SIZE : table_end));
}

/* One pass over the root table. Arrays are checked to lie inside the
 * file, after the root table, disjoint and in the table's order; what
 * lies between them (checked in the same pass, touching only the gaps) and
 * after the last are reported only when nothing worse was found, so that
 * an array moved onto another is called an overlap, not a gap. */
static int check_arrays(const struct iovm_file *f, char *err, size_t errlen)
{
	const struct iovm_field *fd = f->l->fields;
	uint64_t table_end =
		IOVM_HEADER_SIZE +
		(uint64_t)f->l->nfields * sizeof(struct iovm_array);
	uint64_t cur = table_end;
	int rc, late = 0, prev = -1; /* the last non-empty array */
	unsigned i;

	for (i = 0; i < f->l->nfields; i++) {
		const struct iovm_array *a = &f->root[i];

		if (!a->length) {
			if (a->offset)
				return iovm_bad(err, errlen,
						"empty array '%s' has offset "
						"%llu (must be 0)",
						fd[i].name,
						(unsigned long long)a->offset);
			continue;
		}
		if ((rc = check_bounds(f, i, err, errlen)))
			return rc;
		if (a->offset < table_end)
			return on_table(f, i, table_end, err, errlen);
		if (a->offset < cur) /* then prev >= 0 */
			return misplaced(f, i, (unsigned)prev, err, errlen);
		if (!late)
			late = check_gap(f, i, cur, prev, err, errlen);
		cur = array_end(f, i);
		prev = (int)i;
	}
	if (late)
		return late;
	if (cur != f->size && prev < 0)
		return iovm_bad(err, errlen,
				"%llu bytes trail the root table (every array "
				"is empty; the table ends at offset %llu)",
				(unsigned long long)(f->size - cur),
				(unsigned long long)cur);
	if (cur != f->size)
		return iovm_bad(err, errlen,
				"%llu bytes trail the last array '%s' (it ends "
				"at offset %llu, the file at %llu)",
				(unsigned long long)(f->size - cur),
				fd[prev].name, (unsigned long long)cur,
				(unsigned long long)f->size);
	return 0;
}

static int validate(struct iovm_file *f, int checksum, char *err, size_t errlen)
{
	const struct iovm_header *h;
	int rc = check_header(f, err, errlen);

	if (!rc)
		rc = check_arrays(f, err, errlen);
	if (rc)
		return rc;
	h = (const struct iovm_header *)f->base;
	if (checksum && iovm_checksum(f->base, (size_t)f->size) != h->checksum)
		return iovm_bad(err, errlen, "bad checksum");
	f->h = h;
	return 0;
}

int iovm_open_mem(const void *p, size_t n, struct iovm_file *f, char *err,
		  size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->base = p;
	f->size = n;
	return validate(f, 1, err, errlen);
}

int iovm_open_mem_unchecked(const void *p, size_t n, struct iovm_file *f,
			    char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->base = p;
	f->size = n;
	return validate(f, 0, err, errlen);
}

int iovm_open_path(const char *path, enum iovm_path how, struct iovm_file *f,
		   char *err, size_t errlen)
{
	struct stat sb;
	int fd, rc;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		iovm_bad(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		close(fd);
		iovm_bad(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		iovm_bad(err, errlen, "%s",
			 rc == -EINVAL ? "not a regular file" : strerror(-rc));
		return rc;
	}
	f->size = (uint64_t)sb.st_size;
	if (f->size == 0) {
		close(fd);
		return iovm_bad(err, errlen, "empty file");
	}
	if (how == IOVM_MMAP) {
#ifdef _WIN32
		close(fd);
		iovm_bad(err, errlen, "mmap: %s", strerror(ENOTSUP));
		return -ENOTSUP;
#else
		f->map = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, fd,
			      0);
		if (f->map == MAP_FAILED) {
			rc = -errno;
			f->map = NULL;
			close(fd);
			iovm_bad(err, errlen, "mmap: %s", strerror(-rc));
			return rc;
		}
		f->map_len = (size_t)f->size;
		f->base = f->map;
#endif
	} else {
		size_t got = 0;
		f->owned = malloc((size_t)f->size);
		if (!f->owned) {
			close(fd);
			iovm_bad(err, errlen, "out of memory");
			return -ENOMEM;
		}
		while (got < f->size) {
			ssize_t r = read(fd, (char *)f->owned + got,
					 (size_t)f->size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				rc = r < 0 ? -errno : -EIO;
				close(fd);
				iovm_close(f);
				iovm_bad(err, errlen, "read: %s",
					 r < 0 ? strerror(-rc)
					       : "file shrank while read");
				return rc;
			}
			got += (size_t)r;
		}
		f->base = f->owned;
	}
	close(fd);
	rc = validate(f, 1, err, errlen);
	if (rc)
		iovm_close(f);
	return rc;
}

void iovm_close(struct iovm_file *f)
{
#ifndef _WIN32
	if (f->map)
		munmap(f->map, f->map_len);
#endif
	free(f->owned);
	memset(f, 0, sizeof(*f));
}

const void *iovm_field(const struct iovm_file *f, unsigned field,
		       uint64_t *count)
{
	*count = f->root[field].length;
	return *count ? f->base + f->root[field].offset : NULL;
}

const struct kind_ops *kind_ops_of(uint32_t kind)
{
	switch (kind) {
	case IOVM_KIND_MODULE:
		return &module_ops;
	case IOVM_KIND_TREE:
		return &tree_ops;
	case IOVM_KIND_BLOB:
		return &blob_ops;
	default:
		return NULL;
	}
}

int iovm_rebuild(const struct iovm_file *f, void **obj, char *err,
		 size_t errlen)
{
	const struct kind_ops *k = kind_ops_of(f->h->kind);

	if (obj)
		*obj = NULL;
	if (!k)
		return iovm_bad(err, errlen, "unknown kind %u", f->h->kind);
	return k->rebuild(f, obj, err, errlen);
}

uint64_t iovm_load_bound(uint32_t kind, uint64_t size)
{
	switch (kind) {
	case IOVM_KIND_TREE:
		return 6 * size + IOVM_LOAD_SLACK;
	case IOVM_KIND_MODULE:
	case IOVM_KIND_BLOB:
		return 2 * size + IOVM_LOAD_SLACK;
	default:
		return size + IOVM_LOAD_SLACK;
	}
}
