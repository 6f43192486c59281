/*
 * kinds.h - the kinds of module file and what each can do.
 *
 * A kind has a layout (format.h), a serializer written once against the
 * writer, a rebuild function that turns a validated file back into the
 * structures, a deep comparison and a destructor.
 */
#ifndef IOVW_KINDS_H
#define IOVW_KINDS_H

#include "format.h"
#include "iovw.h"

#include <stddef.h>
#include <stdint.h>

struct iovm_file;

struct kind_ops {
	uint32_t kind;
	const struct iovm_layout *layout;
	iovw_serialize_fn serialize; /* ctx: the object */
	int (*rebuild)(const struct iovm_file *f, void **obj, char *err,
		       size_t errlen);
	/* 0 equal; IOVM_INVALID with the first difference in err */
	int (*equal)(const void *a, const void *b, char *err, size_t errlen);
	/* one line about the object: counts of its parts */
	void (*describe)(const void *obj, char *buf, size_t n);
	void (*free)(void *obj);
};

extern const struct iovm_layout module_layout, tree_layout, blob_layout;
extern const struct kind_ops module_ops, tree_ops, blob_ops;

const struct kind_ops *kind_ops_of(uint32_t kind);

/* Generators: deterministic from seed; NULL on allocation failure. */
struct module;
struct tree;
struct blob;
/* A module whose source text is about `source_bytes` long. */
struct module *module_generate(uint64_t seed, uint64_t source_bytes);
struct tree *tree_generate(uint64_t seed, uint64_t nodes);
struct blob *blob_generate(uint64_t seed, const uint64_t *bytes, unsigned n);

#endif
