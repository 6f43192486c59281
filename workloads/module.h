/*
 * module.h - the module workload's structures, shared by its generator
 * (module_gen.c) and its serializer, loader and comparison (module.c).
 */
#ifndef IOVW_MODULE_H
#define IOVW_MODULE_H

#include <stddef.h>
#include <stdint.h>

#define PAGE	   1024u
#define NLISTS	   35u
#define NODE_TAGS  48u
#define DESC_KINDS 16u
#define EMPTY_SLOT UINT32_MAX

enum {
	F_IDENT_BYTES,
	F_IDENT_INDEX,
	F_STRINGS,
	F_SOURCE,
	F_LINE_STARTS,
	F_NODE_TAGS,
	F_NODE_PAYLOAD,
	F_NODE_REGIONS,
	F_EXTRA,
	F_TYPE_SLOTS,
	F_DESC_A,
	F_DESC_B,
	F_DESC_C,
	F_TYPE_VARS,
	F_EXPOSED,
	F_ALIGNED16,
	F_LIST0, /* NLISTS of them */
	F_COUNT = F_LIST0 + NLISTS
};

/* Bytes kept in pages, as an arena-backed interner keeps them. */
struct pages {
	unsigned char **page;
	uint32_t *used;
	size_t n, cap;
	uint64_t total;
};

struct exposed {
	uint32_t ident; /* offset of the name in ident_bytes */
	uint32_t node;
};

struct module {
	struct pages idents;
	uint32_t *ident_index;
	uint64_t index_len; /* a power of two, or 0 */
	struct pages strings;
	char *source;
	uint64_t source_len;
	uint32_t *line_starts;
	uint64_t nlines;
	uint8_t *tags;
	uint8_t (*payload)[16];
	uint32_t (*regions)[2];
	uint64_t nnodes;
	uint32_t *extra;
	uint64_t nextra;
	uint64_t *slots;
	uint64_t nslots;
	uint8_t (*desc_a)[24];
	uint8_t *desc_b;
	uint32_t *desc_c;
	uint64_t ndescs;
	uint32_t *vars;
	uint64_t nvars;
	struct exposed *exposed;
	uint64_t nexposed;
	uint32_t *list[NLISTS];
	uint64_t list_len[NLISTS];
	uint64_t (*aligned)[2];
	uint64_t naligned;
};

void pages_free(struct pages *p);
/* `n` bytes (at least one) aligned to 16, given back with free(); NULL if
 * out of memory. */
void *module_alloc16(size_t n);
void module_free(void *obj);

#endif
