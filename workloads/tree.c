/*
 * tree.c - a pointer-rich syntax tree: one heap node per piece.
 *
 * Each node is its own allocation: two pointers (first child, next
 * sibling) and a record of 16 to 64 bytes (a multiple of 8) that is the
 * piece written: {u32 tag, u16 size, u16 kids} and a payload. The file
 * holds the records in preorder; the kid counts are enough to rebuild the
 * tree. Millions of tiny pieces: the case coalescing exists for.
 */
#include "kinds.h"
#include "loader.h"
#include "rng.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KIDS  4u
#define TREE_TAGS 64u

enum { F_META, F_RECORDS, F_COUNT };

static const struct iovm_field fields[F_COUNT] = {
	{"meta", 8, 8}, /* node count, record bytes, most nodes open at once */
	{"records", 1, 8}, /* preorder records */
};

const struct iovm_layout tree_layout = {IOVM_KIND_TREE, "tree", fields,
					F_COUNT};

struct rec {
	uint32_t tag;
	uint16_t size; /* bytes, header included: 16..64, a multiple of 8 */
	uint16_t kids;
};

/* The piece is rec and the payload after it: rec.size bytes from &rec. */
struct tnode {
	struct tnode *first, *next;
	struct rec rec;
	unsigned char payload[];
};

#define NODE_BYTES(size) (offsetof(struct tnode, rec) + (size))

struct tree {
	struct tnode *root;
	uint64_t nodes, bytes, depth;
};

/* Frees every node without a stack and without allocating, so that a
 * rebuild that ran out of memory can still free what it built: a node
 * with kids is rotated under its first kid (the kid's next sibling
 * becomes the node's first kid), until the node at hand has none and is
 * freed; its next sibling is the next node. */
static void tree_free(void *obj)
{
	struct tree *t = obj;
	struct tnode *n, *k;

	if (!t)
		return;
	n = t->root;
	while (n) {
		k = n->first;
		if (k) {
			n->first = k->next;
			k->next = n;
			n = k;
		} else {
			k = n->next;
			free(n);
			n = k;
		}
	}
	free(t);
}

static struct tnode *new_node(struct rng *r, unsigned kids)
{
	unsigned size = 16 + 8 * (unsigned)rng_below(r, 7); /* 16..64 */
	struct tnode *n = malloc(NODE_BYTES(size));
	size_t i;

	if (!n)
		return NULL;
	n->first = n->next = NULL;
	n->rec.tag = (uint32_t)rng_below(r, TREE_TAGS);
	n->rec.size = (uint16_t)size;
	n->rec.kids = (uint16_t)kids;
	for (i = 0; i < size - sizeof(struct rec); i++)
		n->payload[i] = (unsigned char)rng_next(r);
	return n;
}

/* Builds a tree from nodes given in preorder with their kid counts, for
 * generation and for rebuilding a file: a stack of open nodes (those still
 * waiting for kids), at most one per node. */
struct open {
	struct tnode *node, *last;
	unsigned left;
};

struct builder {
	struct open *st;
	size_t sp;	/* open nodes */
	uint64_t made;	/* nodes placed */
	uint64_t slots; /* kids promised and not yet placed */
	uint64_t depth; /* most nodes open at once */
	struct tnode *root;
};

/* Place `n` (NULL when only checking) as the root or as the next kid of
 * the innermost open node, then open it if it has kids. The caller checks
 * that a parent exists (made == 0 or sp > 0). */
static void place(struct builder *b, struct tnode *n, unsigned kids)
{
	if (b->made++ == 0) {
		b->root = n;
	} else {
		struct open *o = &b->st[b->sp - 1];
		if (n) {
			if (o->last)
				o->last->next = n;
			else
				o->node->first = n;
		}
		o->last = n;
		b->slots--;
		if (--o->left == 0)
			b->sp--;
	}
	if (kids) {
		b->st[b->sp].node = n;
		b->st[b->sp].last = NULL;
		b->st[b->sp].left = kids;
		b->sp++;
		b->slots += kids;
		if (b->sp > b->depth)
			b->depth = b->sp;
	}
}

struct tree *tree_generate(uint64_t seed, uint64_t nodes)
{
	struct tree *t = calloc(1, sizeof(*t));
	struct rng r = {seed ^ 0x74726565u};
	struct builder b = {0};

	if (!t)
		return NULL;
	if (nodes < 1)
		nodes = 1;
	b.st = malloc((size_t)nodes * sizeof(*b.st));
	if (!b.st) {
		free(t);
		return NULL;
	}
	while (b.made < nodes) {
		/* after this node fills a promised slot, how many nodes are
		 * neither made nor promised */
		uint64_t promised = b.made ? b.slots - 1 : 0;
		uint64_t room = nodes - b.made - 1 - promised;
		unsigned kids = (unsigned)rng_below(&r, MAX_KIDS + 1);
		struct tnode *n;

		if (kids > room)
			kids = (unsigned)room;
		if (kids == 0 && room && promised == 0)
			kids = 1; /* the last open slot: keep the tree going */
		n = new_node(&r, kids);
		if (!n)
			break;
		place(&b, n, kids);
		t->root = b.root;
		t->nodes = b.made;
		t->bytes += n->rec.size;
	}
	t->depth = b.depth;
	free(b.st);
	if (b.made < nodes) {
		tree_free(t);
		return NULL;
	}
	return t;
}

static int tree_serialize(iovw_writer *w, void *ctx)
{
	const struct tree *t = ctx;
	uint64_t meta[3] = {t->nodes, t->bytes, t->depth};
	const struct tnode **stack;
	struct iovm_out o;
	size_t sp = 0;
	int rc;

	if ((rc = iovm_begin(&o, w, &tree_layout)) ||
	    (rc = iovm_put_copy(&o, F_META, meta, 3)) || /* a local: copied */
	    (rc = iovm_array_begin(&o, F_RECORDS)))
		return rc;
	stack = malloc((size_t)(t->nodes + 1) * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	if (t->root)
		stack[sp++] = t->root;
	/* preorder: a node, then its kids in order */
	while (sp && !rc) {
		const struct tnode *n = stack[--sp];
		rc = iovw_append(w, &n->rec, n->rec.size, 8, NULL);
		if (n->next)
			stack[sp++] = n->next;
		if (n->first)
			stack[sp++] = n->first;
	}
	free(stack);
	if (rc || (rc = iovm_array_end(&o, F_RECORDS)))
		return rc;
	return iovm_finish(&o);
}

static int tree_rebuild(const struct iovm_file *f, void **obj, char *err,
			size_t errlen)
{
	const uint64_t *meta;
	const unsigned char *recs;
	uint64_t nmeta, nbytes, pos = 0;
	struct builder b = {0};
	struct tree *t = NULL;
	int rc = IOVM_INVALID;

	meta = iovm_field(f, F_META, &nmeta);
	recs = iovm_field(f, F_RECORDS, &nbytes);
	if (nmeta != 3)
		return iovm_bad(err, errlen,
				"tree: meta has %llu entries, not 3",
				(unsigned long long)nmeta);
	if (meta[0] == 0 || meta[1] != nbytes || meta[0] > nbytes / 16)
		return iovm_bad(err, errlen,
				"tree: meta (%llu nodes, %llu bytes) does not "
				"fit %llu bytes of records",
				(unsigned long long)meta[0],
				(unsigned long long)meta[1],
				(unsigned long long)nbytes);
	/* at most one open node per node, bounded by the file's size */
	b.st = malloc((size_t)(meta[0] + 1) * sizeof(*b.st));
	if (obj)
		t = calloc(1, sizeof(*t));
	if (!b.st || (obj && !t)) {
		rc = -ENOMEM;
		goto out;
	}
	while (pos < nbytes) {
		struct rec h;
		struct tnode *n = NULL;

		if (nbytes - pos < sizeof(h)) {
			iovm_bad(err, errlen,
				 "tree: record at byte %llu is cut",
				 (unsigned long long)pos);
			goto out;
		}
		memcpy(&h, recs + pos, sizeof(h));
		if (h.size < 16 || h.size > 64 || h.size % 8 ||
		    h.size > nbytes - pos || h.kids > MAX_KIDS ||
		    h.tag >= TREE_TAGS) {
			iovm_bad(err, errlen,
				 "tree: bad record at byte %llu (size %u, %u "
				 "kids, tag %u)",
				 (unsigned long long)pos, h.size, h.kids,
				 h.tag);
			goto out;
		}
		if (b.made == meta[0] || (b.made && !b.sp)) {
			iovm_bad(err, errlen,
				 "tree: record at byte %llu belongs to no node",
				 (unsigned long long)pos);
			goto out;
		}
		if (t) {
			n = malloc(NODE_BYTES(h.size));
			if (!n) {
				rc = -ENOMEM;
				goto out;
			}
			n->first = n->next = NULL;
			memcpy(&n->rec, recs + pos, h.size);
		}
		place(&b, n, h.kids);
		if (t) {
			t->root = b.root;
			t->nodes = b.made;
			t->bytes += h.size;
		}
		pos += h.size;
	}
	if (b.made != meta[0] || b.sp || b.depth != meta[2]) {
		iovm_bad(err, errlen,
			 "tree: %llu nodes (depth %llu) with %llu kids "
			 "missing; meta says %llu nodes, depth %llu",
			 (unsigned long long)b.made,
			 (unsigned long long)b.depth,
			 (unsigned long long)b.slots,
			 (unsigned long long)meta[0],
			 (unsigned long long)meta[2]);
		goto out;
	}
	rc = 0;
out:
	free(b.st);
	if (t)
		t->depth = b.depth;
	if (rc)
		tree_free(t);
	else if (obj)
		*obj = t;
	return rc;
}

static int tree_equal(const void *x, const void *y, char *err, size_t errlen)
{
	const struct tree *a = x, *b = y;
	const struct tnode **sa, **sb;
	size_t sp = 0;
	uint64_t i = 0;
	int rc = 0;

	if (a->nodes != b->nodes || a->bytes != b->bytes)
		return iovm_bad(err, errlen,
				"tree: %llu nodes / %llu bytes vs %llu / %llu",
				(unsigned long long)a->nodes,
				(unsigned long long)a->bytes,
				(unsigned long long)b->nodes,
				(unsigned long long)b->bytes);
	sa = malloc((size_t)(a->nodes + 1) * sizeof(*sa));
	sb = malloc((size_t)(a->nodes + 1) * sizeof(*sb));
	if (!sa || !sb) {
		free(sa);
		free(sb);
		return -ENOMEM;
	}
	sa[0] = a->root;
	sb[0] = b->root;
	sp = 1;
	while (sp && !rc) {
		const struct tnode *p, *q;

		sp--;
		p = sa[sp];
		q = sb[sp];
		if (!p || !q || p->rec.size != q->rec.size ||
		    memcmp(&p->rec, &q->rec, p->rec.size) ||
		    !p->next != !q->next || !p->first != !q->first) {
			rc = iovm_bad(err, errlen,
				      "tree: node %llu (preorder) differs",
				      (unsigned long long)i);
			break;
		}
		i++;
		if (p->next) {
			sa[sp] = p->next;
			sb[sp++] = q->next;
		}
		if (p->first) {
			sa[sp] = p->first;
			sb[sp++] = q->first;
		}
	}
	free(sa);
	free(sb);
	return rc;
}

static void tree_describe(const void *obj, char *buf, size_t n)
{
	const struct tree *t = obj;
	snprintf(buf, n, "tree: %llu nodes, %llu B of records, depth %llu",
		 (unsigned long long)t->nodes, (unsigned long long)t->bytes,
		 (unsigned long long)t->depth);
}

const struct kind_ops tree_ops = {
	IOVM_KIND_TREE, &tree_layout,  tree_serialize, tree_rebuild,
	tree_equal,	tree_describe, tree_free,
};
