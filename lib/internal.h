/*
 * internal.h - what libiovw's files share and users do not see.
 */
#ifndef IOVW_INTERNAL_H
#define IOVW_INTERNAL_H

#include "iovw.h"
#include "platform.h"

#include <pthread.h>
#include <stdint.h>
#ifndef _WIN32
#include <sys/uio.h>
#endif

/* Largest stream (and file offset) the library handles: off_t's range. */
#define IOVW_LIMIT ((uint64_t)INT64_MAX)

/* The arena's first chunk; each next one is twice the last. */
#define IOVW__FIRST_CHUNK ((size_t)64 << 10)

/* One arena chunk; chunks are linked newest first. */
struct iovw_chunk {
	struct iovw_chunk *next;
	size_t cap;
	unsigned char data[];
};

/* A reserved slot: stream offset, length and where its bytes live (arena in
 * plan mode, the region in direct mode, nowhere in measure mode). */
struct iovw_slot {
	uint64_t off;
	uint64_t len;
	unsigned char *mem;
};

/*
 * Stream mode's window: at most `cap` iovecs and a staging buffer for small
 * pieces, one allocation (`mem`) made once and reused for every window.
 * Filling it and writing it are separate steps (stream.c), so that a later
 * writer may fill one window while another is written.
 */
struct iovw_window {
	struct iovec *iov;
	size_t n, cap;
	unsigned char *stage;
	size_t used, stage_cap;
	uint64_t bytes; /* bytes the window holds */
	void *mem;	/* the block behind iov and stage */
};

/* A window's block (iovecs, then staging bytes) and its sizes. */
struct iovw_block {
	void *mem;
	size_t cap;   /* iovecs */
	size_t stage; /* staging bytes */
};

struct iovw_async;

/* Stream mode's state besides the window. */
struct iovw_stream {
	struct iovw_window win;
	/* the asynchronous strategies' other windows' blocks, kept (by a
	 * context) between writes like win's */
	struct iovw_block spare[IOVW_ASYNC_WINDOWS];
	struct iovw_async *async; /* NULL: windows are written at once */
	int fd;
	uint64_t base;	  /* file offset of stream byte 0 */
	uint64_t flushed; /* stream bytes written so far: the window's start */
	uint64_t iovecs;  /* entries handed to write calls */
	size_t cap_max;	  /* the window's limits: batch_limit iovecs, */
	size_t stage_max; /* stage_bytes of staging */
	size_t blk_cap;	  /* the block `win.mem` holds this many iovecs */
	size_t blk_stage; /* and this many staging bytes (kept by a context
			     between writes; the window uses at most the
			     limits of it) */
	iovw_stats io;	  /* the write calls: syscalls, batches, write_ns */
};

struct iovw_writer {
	iovw_mode mode;
	int err;    /* sticky: the first failure */
	int sealed; /* plan was written: no more appends */
	uint64_t size;
	uint64_t pieces;
	uint64_t bytes_copied;
	size_t batch_limit;
	size_t coalesce_below;
	unsigned flags;
	unsigned file_mode;
	int dc;		      /* IOVW_F_DONTCACHE's probe: an IOVW__DC_* */
	iovw_sys sys;	      /* resolved: no NULL members */
	iovw_allocator alloc; /* resolved: no NULL members */

	/* plan mode */
	struct iovec *iov;
	size_t niov, iov_cap;
	struct iovw_chunk *chunks; /* newest (current) first */
	unsigned char *acur, *aend;
	size_t next_chunk; /* size of the next chunk to allocate */

	/* every mode: reserved slots, in stream order */
	struct iovw_slot *slots;
	size_t nslots, slot_cap;

	/* direct mode */
	unsigned char *region;
	uint64_t cap;

	/* stream mode */
	struct iovw_stream stream;

	/* the observer (observe.c): the next offset it is due, and where that
	 * lies in plan mode's iovecs and in the slot table */
	iovw_scan_fn obs_fn;
	void *obs_ctx;
	uint64_t obs_pos;
	size_t obs_iov;
	uint64_t obs_iov_off; /* stream offset of iov[obs_iov] */
	size_t obs_slot;
};

/*
 * A context (ctx.c): what is kept between writes. One writer serves every
 * mode in turn (its arena, iovecs, slot table and stream window stay), the
 * buffer strategy's buffer and the temporary name's room. Each grows only
 * to what one write needs and is reused when big enough.
 */
struct iovw_ctx {
	iovw_allocator alloc;	     /* resolved */
	const iovw_allocator *given; /* as passed to iovw_ctx_new() */
	iovw_writer *w;		     /* NULL until the first write */
	unsigned char *buf;	     /* the buffer strategy's buffer */
	size_t buf_cap;
	void *map; /* IOVW_F_HUGEPAGE: the mapping `buf` lies in (NULL: buf
		      came from the allocator) */
	size_t map_len;
	iovw_sys map_sys; /* the seam that mapped it: its munmap unmaps it */
	char *tmp;	  /* room for a temporary name */
	size_t tmp_cap;
};

/* A context on the caller's storage (the one-shot calls use one on their
 * stack); iovw__ctx_release() gives back what it holds, counting an
 * munmap into `st` (may be NULL). */
void iovw__ctx_init(struct iovw_ctx *c, const iovw_allocator *a);
void iovw__ctx_release(struct iovw_ctx *c, iovw_stats *st);

/* The context's writer, armed as a new one of `mode` with o's options
 * (batch limit `batch`, resolved): every piece forgotten, the sticky error
 * and written state cleared, the memory kept. 0 or -ENOMEM. */
int iovw__ctx_writer(struct iovw_ctx *c, iovw_writer **out, iovw_mode mode,
		     const iovw_options *o, size_t batch);

/* A buffer of at least `size` (> 0) bytes for the buffer strategy: the
 * kept one if big enough and of the kind asked (`huge`: anonymous memory
 * through s->mmap_anon, aligned to 2 MiB), else a new one in its place.
 * Counts mmap and munmap into `st`. 0 or a negative errno. */
int iovw__ctx_buffer(struct iovw_ctx *c, size_t size, int huge,
		     const iovw_sys *s, iovw_stats *st, unsigned char **out);

/* Room for `n` bytes (a temporary name), kept; NULL if out of memory. */
char *iovw__ctx_tmp(struct iovw_ctx *c, size_t n);

/* 0 if `c` is a context and o->alloc NULL or its allocator; -EINVAL. */
int iovw__ctx_check(const struct iovw_ctx *c, const iovw_options *o);

/* Rearm `w` as a new writer of `mode` (writer.c): what iovw_writer_reset()
 * keeps is kept, every option set anew from `o`, the allocator `a`. */
void iovw__writer_arm(iovw_writer *w, iovw_mode mode, const iovw_options *o,
		      size_t batch, const iovw_allocator *a);

/* Bytes of memory `w` holds besides the pieces it borrows. */
size_t iovw__writer_retained(const iovw_writer *w);

/* 4096 zero bytes, the source of all padding. */
extern const unsigned char iovw__zeros[IOVW_MAX_ALIGN];

/* Fill `out` from `in` (either may be NULL members / NULL): real calls and
 * malloc where the caller gave nothing. */
void iovw__sys_resolve(iovw_sys *out, const iovw_sys *in);
void iovw__alloc_resolve(iovw_allocator *out, const iovw_allocator *in);

/* Validate options and fill the resolved batch limit; 0 or -EINVAL. */
int iovw__options_check(const iovw_options *o, size_t *batch_limit);

/*
 * Write `n` iovecs to `fd` at `off`, at most `batch` a call (pwrite for a
 * call of one). Partial writes advance in place; every entry changed on the
 * way is restored before returning, so the array is as it was. Counts into
 * `st` (not NULL). 0 or a negative errno.
 */
int iovw__writev_all(const iovw_sys *s, iovw_stats *st, int fd,
		     struct iovec *iov, size_t n, uint64_t off, size_t batch);

/* IOVW_F_DONTCACHE's state in one write: not asked, asked and not yet
 * tried (the next call probes), working, fallen back to plain writes. */
#define IOVW__DC_OFF   0
#define IOVW__DC_PROBE 1
#define IOVW__DC_ON    2
#define IOVW__DC_FELL  3

/* RWF_DONTCACHE where the headers lack it (Linux 6.14's value). */
#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE 0x80
#endif

/* iovw__writev_all() with IOVW_F_DONTCACHE's state `dc` (not NULL):
 * while it is PROBE or ON each call is a pwritev2(RWF_DONTCACHE); the
 * first one failing with EOPNOTSUPP or EINVAL turns it to FELL (counted
 * in st->dontcache_fallbacks) and the call is made again plainly. */
int iovw__writev_all_dc(const iovw_sys *s, iovw_stats *st, int fd,
			struct iovec *iov, size_t n, uint64_t off, size_t batch,
			int *dc);

/* The seam's members for pwritev2 and io_uring (sys_uring.c), filled into
 * `out` as iovw__sys_resolve() does the others. */
void iovw__sys_resolve_async(iovw_sys *out, const iovw_sys *in);
/* A caller's descriptor may be written at an offset: 0, -EINVAL if it is
 * O_APPEND (Linux would put pwrite's bytes at the end, mmap's at the
 * offset), or fcntl's error. One fcntl(F_GETFL), counted into `st`. */
int iovw__fd_check(const iovw_sys *s, iovw_stats *st, int fd);

/* iovw_plan_write() without the descriptor check, for the library's own
 * descriptors. */
int iovw__plan_write(iovw_writer *w, int fd, uint64_t off, int each,
		     iovw_stats *st);

/* Run a strategy on an open fd through context `c`; fdatasync if asked.
 * Counts into `st`. */
int iovw__write_fd(struct iovw_ctx *c, const iovw_sys *s, iovw_stats *st,
		   int fd, uint64_t off, iovw_strategy strat,
		   iovw_serialize_fn fn, void *ctx, const iovw_options *o);

/* Room a temporary name takes after its directory part, with the NUL. */
#define IOVW__TMP_NAME_MAX 48

/* Write "<dir>.iovw-<pid>-<16 hex>.tmp" into `tmp`: the first `dlen`
 * bytes of `path` (its directory, with the '/'), then a name that differs
 * with `try`, the time and the thread. `tmp` holds dlen +
 * IOVW__TMP_NAME_MAX bytes. No system call. */
void iovw__tmp_name(char *tmp, const char *path, size_t dlen, int pid,
		    unsigned try);

/* The pid in a name (no directory part) of that form, or 0 if `name` is
 * not exactly one. */
int iovw__tmp_pid(const char *name);

/* Stream mode (stream.c). The piece functions return 0 or a negative
 * errno and leave the sticky error to the caller. */
int iovw__stream_put(iovw_writer *w, const void *p, size_t n, int copy);
int iovw__stream_pad(iovw_writer *w, size_t pad);
int iovw__stream_zeros(iovw_writer *w, uint64_t n);
/* Write the window (the observer sees it first). */
int iovw__stream_flush(iovw_writer *w);
/* The IOVW_STREAM strategy on an open fd with `w`, a plan-mode writer
 * (armed, not freed here). Counts into `st`. */
int iovw__stream_write_fd(iovw_writer *w, iovw_stats *st, int fd, uint64_t off,
			  iovw_serialize_fn fn, void *ctx,
			  const iovw_options *o);

/* The run p[0, n) at stream offset `pos` to the observer, the parts
 * inside reserved slots as zeros (observe.c). Runs come in stream order.
 * 0 or the observer's error. */
int iovw__observe_run(iovw_writer *w, const unsigned char *p, size_t n,
		      uint64_t pos);

/* Stream mode: the window's bytes the observer has not seen, to it. */
int iovw__stream_observe(iovw_writer *w);

/* Stream mode: a reserved slot's memory (zeros until patched) into the
 * window, as a borrowed piece. 0 or a negative errno. */
int iovw__stream_slot(iovw_writer *w, const void *mem, size_t n);

/* The window (emptied) within its limits again, after its block was
 * swapped (a NULL block: a first, small one). 0 or -ENOMEM. */
int iovw__stream_reopen(iovw_writer *w);
/* iovw__stream_flush(), then wait for every window handed over (the
 * asynchronous strategies): what iovw_flush() promises. */
int iovw__stream_flush_all(iovw_writer *w);
/* write_window's limit check: -EFBIG if `bytes` at stream offset `at`
 * would end past IOVW_LIMIT. */
int iovw__stream_check(const iovw_writer *w, uint64_t at, uint64_t bytes);

/* ---- the asynchronous strategies (async.c, uring.c, pipeline.c) ---- */

/* One window being written. */
struct iovw_job {
	struct iovw_window win; /* what is written (its iovecs, at win.iov) */
	struct iovw_block blk;	/* the block the job holds (mem may be NULL) */
	uint64_t off;		/* file offset of the window's first byte */
	uint64_t seq;		/* order of submission */
	size_t cur;		/* first entry not fully written */
	size_t cur_done;	/* bytes of win.iov[cur] written */
	uint64_t req;		/* uring: the request's number */
	int busy;		/* handed over, not yet reaped */
	int queued;		/* pipeline: handed to the thread (under mu) */
	int finished;		/* pipeline: written (rc set, under mu) */
	int rc;
};

struct iovw_async;
struct iovw_async_ops {
	int (*start)(struct iovw_async *a);
	/* start writing j (busy set by the caller) */
	int (*submit)(struct iovw_async *a, struct iovw_job *j);
	/* wait until a busy job is done: *out, its rc in (*out)->rc; a
	 * returned error means no job could be reaped (fatal) */
	int (*reap)(struct iovw_async *a, struct iovw_job **out);
	/* wait for what is still in flight and let go of the ring/thread */
	void (*stop)(struct iovw_async *a);
};

struct iovw_async {
	iovw_writer *w;
	const struct iovw_async_ops *ops;
	struct iovw_job job[IOVW_ASYNC_WINDOWS];
	unsigned busy; /* jobs in flight */
	uint64_t seq;  /* the next job's */
	int err;       /* the first error */
	int fatal;     /* reap failed: jobs may be in flight still */
	iovw_stats io; /* the writes' counters (made where they run) */
	int fd;
	/* uring */
	void *ring;
	uint64_t reqs;
	int broken; /* a submission failed: its entry may still be queued,
		       so nothing is submitted again (the next submission
		       would take it along) */
	/* pipeline */
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, quit;
};

extern const struct iovw_async_ops iovw__uring_ops;
extern const struct iovw_async_ops iovw__pipeline_ops;

/* Hand the stream's full window to the async writer and continue in
 * another (stream.c calls it from iovw__stream_flush). */
int iovw__async_window(iovw_writer *w);
/* Write `v` at stream offset `at` through the async writer and wait for
 * it (the final slot writes). */
int iovw__async_write_now(iovw_writer *w, struct iovw_window *v, uint64_t at);
/* Wait for every window in flight; 0 or the first error. */
int iovw__async_drain(iovw_writer *w);
/* IOVW_URING or IOVW_PIPELINE on an open fd with `w`, a plan-mode writer
 * armed (not freed here). Counts into `st`. */
int iovw__async_write_fd(iovw_writer *w, iovw_stats *st, int fd, uint64_t off,
			 iovw_strategy strat, iovw_serialize_fn fn, void *ctx,
			 const iovw_options *o);

/* Nanoseconds of CLOCK_MONOTONIC (vDSO: no system call). */
uint64_t iovw__now_ns(void);

#endif /* IOVW_INTERNAL_H */
