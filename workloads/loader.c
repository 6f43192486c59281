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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int validate(struct iovm_file *f, int checksum, char *err, size_t errlen)
{
	const struct iovm_header *h;
	uint64_t size = f->size, table;
	uint32_t i;

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
	memcpy(f->root, f->base + h->root_offset, (size_t)table);
	for (i = 0; i < f->l->nfields; i++) {
		const struct iovm_field *fd = &f->l->fields[i];
		const struct iovm_array *a = &f->root[i];

		if (a->length == 0) {
			if (a->offset != 0)
				return iovm_bad(err, errlen,
						"empty array '%s' has offset "
						"%llu (must be 0)",
						fd->name,
						(unsigned long long)a->offset);
			continue;
		}
		if (a->offset < IOVM_HEADER_SIZE || a->offset > size)
			return iovm_bad(err, errlen,
					"array '%s' starts outside the file at "
					"offset %llu",
					fd->name,
					(unsigned long long)a->offset);
		if (a->offset % fd->align)
			return iovm_bad(err, errlen,
					"array '%s' at offset %llu is not "
					"aligned to %u",
					fd->name, (unsigned long long)a->offset,
					fd->align);
		if (a->length > (size - a->offset) / fd->elem_size)
			return iovm_bad(err, errlen,
					"array '%s' runs past end of file at "
					"offset %llu (%llu elements of %u "
					"bytes)",
					fd->name, (unsigned long long)a->offset,
					(unsigned long long)a->length,
					fd->elem_size);
	}
	if (checksum && iovm_checksum(f->base, (size_t)size) != h->checksum)
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
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = S_ISDIR(sb.st_mode) ? -EISDIR : -errno ? -errno : -EINVAL;
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
	if (f->map)
		munmap(f->map, f->map_len);
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
