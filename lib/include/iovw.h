/*
 * iovw.h - libiovw, a scatter-gather serialization writer.
 *
 * A serializer is one function that describes a file as a sequence of
 * pieces: borrowed memory, small copies, zero padding for alignment and
 * reserved slots that are patched later (headers written last). The same
 * function runs against a writer in one of four modes:
 *
 *   plan     records the pieces as an iovec list; nothing is copied but
 *            pieces below the coalescing threshold and reserved slots,
 *            which go to the writer's arena. The plan is then written with
 *            batched pwritev().
 *   measure  only counts offsets and sizes (to size a buffer or a file).
 *   direct   copies each piece into a caller-provided region (a heap buffer
 *            or an mmap'ed file) at its offset.
 *   stream   writes as it goes (the IOVW_STREAM strategy): a bounded window
 *            of iovecs and a reused staging buffer for small pieces are
 *            written whenever one of them is full; reserved slots are kept
 *            and written at their offsets when the serializer returns. The
 *            serializer runs once and memory does not grow with the file.
 *
 * iovw_write_file() and iovw_write_fd() run a serializer in the modes a
 * strategy needs and write the result; every strategy writes the same bytes.
 * They allocate what they need and free it before returning; a context
 * (iovw_ctx_new) keeps that memory for the next file instead.
 *
 * Conventions: every function that can fail returns 0 (or a count) on
 * success and a negative errno value on failure, as liburing does;
 * iovw_strerror() turns one into text. The library has no global state,
 * never prints and never exits. A writer is not thread-safe; distinct
 * writers may be used from distinct threads.
 */
#ifndef IOVW_H
#define IOVW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#ifdef _WIN32
/* Windows has no <sys/uio.h>: the same layout as POSIX's struct iovec. */
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#else
#include <sys/uio.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(_WIN32)
#define IOVW_API __attribute__((visibility("default")))
#else
#define IOVW_API
#endif

#define IOVW_VERSION_MAJOR  0
#define IOVW_VERSION_MINOR  1
#define IOVW_VERSION_PATCH  0
#define IOVW_VERSION_STRING "0.1.0"

/* Largest alignment iovw_append() and friends accept (one page of zeros). */
#define IOVW_MAX_ALIGN 4096u

typedef struct iovw_writer iovw_writer;

typedef enum iovw_mode {
	IOVW_MODE_PLAN = 0,
	IOVW_MODE_MEASURE = 1,
	IOVW_MODE_DIRECT = 2,
	IOVW_MODE_STREAM = 3, /* only inside the IOVW_STREAM strategy */
} iovw_mode;

typedef enum iovw_strategy {
	IOVW_PWRITEV = 0, /* plan, then batched pwritev() */
	IOVW_BUFFER = 1, /* measure, malloc one buffer, direct, one pwrite()  */
	IOVW_MMAP = 2,	 /* measure, ftruncate, mmap(MAP_SHARED), direct      */
	IOVW_WRITE_EACH = 3, /* plan, then one pwrite() per iovec (naive) */
	IOVW_STREAM = 4,   /* one pass: bounded window + staging, pwritev as it
			      fills, reserved slots written at the end */
	IOVW_URING = 5,	   /* stream's windows as IORING_OP_WRITEV requests,
			      the next window filled meanwhile */
	IOVW_PIPELINE = 6, /* stream's windows written by a writer thread,
			      the next window filled meanwhile */
} iovw_strategy;
#define IOVW_STRATEGY_COUNT 7

/*
 * The asynchronous strategies, IOVW_URING ("io_uring") and IOVW_PIPELINE
 * ("pipelined"), run stream mode (the same window, staging and slots, the
 * same bytes) but hand each full window to the kernel or to a thread and
 * fill the next one meanwhile: at most IOVW_ASYNC_WINDOWS windows are
 * being written while one fills, so a write holds up to 1 +
 * IOVW_ASYNC_WINDOWS windows (a context keeps their blocks). Borrowed
 * pieces must stay valid until the write call returns, as in stream mode;
 * iovw_flush() waits for every window handed over. The first error stops
 * the write (windows already in flight are waited for, never abandoned)
 * and is returned. The reserved slots are written last through the same
 * path (a request, the thread), after every window has completed. Their
 * write_ns is the time the serializer's thread waited for windows in
 * flight (and for the last ones, the ring or the thread's end), build_ns
 * the rest: the writes themselves overlap the build.
 *
 * IOVW_URING: one ring per write (io_uring_queue_init, 4 entries, no
 * SQPOLL, no registered buffers), through the seam's uring_* members. A
 * completion shorter than its request is resubmitted for the rest, one of
 * -EINTR or -EAGAIN is resubmitted whole, 0 bytes is -EIO, another error
 * is returned. Where the ring cannot be set up (a kernel without io_uring:
 * ENOSYS; seccomp or kernel.io_uring_disabled: EPERM; a build without
 * liburing) the write returns -ENOSYS before the serializer runs, and
 * iovw_write_file() leaves nothing behind. Buffered writes on a file
 * system without async buffered writes are run by the kernel's io-wq
 * worker threads ("iou-wrk-<pid>"): iovw_stats.uring_workers says whether
 * that happened. IOVW_F_DONTCACHE does not apply (requests carry no
 * RWF_ flags).
 *
 * IOVW_PIPELINE: one writer thread per write (pthreads; always joined
 * before the call returns), which makes the pwritev calls (the same write
 * loop as stream: batches, partial writes, EINTR) through the seam: a
 * seam used with it is called from that thread.
 */
#define IOVW_ASYNC_WINDOWS 2

/* Stream mode's staging buffer when iovw_options.stage_bytes is 0. A
 * provisional value (the prototype's), to be settled by measurement. */
#define IOVW_STAGE_DEFAULT ((size_t)256 << 10)
/* Stream mode's coalescing threshold when iovw_options.coalesce_below is
 * 0: pieces shorter than this are copied into the staging buffer. A write
 * call costs about 65 ns per iovec here (make tune); copying a 512-byte
 * piece that is still in cache should cost less. Provisional, to be
 * settled by measurement. */
#define IOVW_STREAM_COALESCE_DEFAULT ((size_t)512)

/* System calls the library makes, for iovw_stats.syscalls[]. */
typedef enum iovw_syscall {
	IOVW_SYS_OPEN = 0,
	IOVW_SYS_CLOSE,
	IOVW_SYS_PWRITE,
	IOVW_SYS_PWRITEV,
	IOVW_SYS_FTRUNCATE,
	IOVW_SYS_FALLOCATE,
	IOVW_SYS_FSTAT,
	IOVW_SYS_MMAP,
	IOVW_SYS_MUNMAP,
	IOVW_SYS_FDATASYNC,
	IOVW_SYS_FSYNC,
	IOVW_SYS_RENAME,
	IOVW_SYS_UNLINK,
	IOVW_SYS_FCNTL, /* fcntl(F_GETFL): the O_APPEND check */
	IOVW_SYS_LINKAT,
	IOVW_SYS_GETPID,
	IOVW_SYS_KILL, /* kill(pid, 0): iovw_clean_stale's liveness test */
	IOVW_SYS_UNLINKAT,
	IOVW_SYS_GETDENTS,     /* getdents64 */
	IOVW_SYS_PWRITEV2,     /* pwritev2(..., RWF_DONTCACHE) */
	IOVW_SYS_URING_SETUP,  /* io_uring_setup (the ring's creation) */
	IOVW_SYS_URING_SUBMIT, /* a request submitted: io_uring_enter */
	IOVW_SYS_URING_WAIT,   /* a completion waited for (io_uring_enter unless
				  it had arrived) */
	IOVW_SYS_TASKS, /* the scan of /proc/self/task for io-wq workers */
	IOVW_SYS_COUNT
} iovw_syscall;

/*
 * The syscall seam. Every system call the library makes goes through one of
 * these; a NULL member means the real call. Each returns what the real call
 * returns on success and a negative errno on failure (never -1 and errno);
 * getpid cannot fail (a value <= 0 fails the write with it, or -EINVAL).
 * Tests use it to inject short writes, EINTR, ENOSPC or EIO; a harness may
 * use it to count or trace. `ctx` is passed back untouched.
 */
typedef struct iovw_sys {
	void *ctx;
	int (*open)(void *ctx, const char *path, int flags, unsigned mode);
	int (*close)(void *ctx, int fd);
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t n,
			  int64_t off);
	ssize_t (*pwritev)(void *ctx, int fd, const struct iovec *iov, int cnt,
			   int64_t off);
	int (*ftruncate)(void *ctx, int fd, int64_t len);
	int (*fallocate)(void *ctx, int fd, int64_t off, int64_t len);
	int (*fsize)(void *ctx, int fd, int64_t *size); /* fstat() st_size */
	int (*mmap)(void *ctx, size_t len, int fd, int64_t off, void **out);
	int (*munmap)(void *ctx, void *p, size_t len);
	int (*fdatasync)(void *ctx, int fd);
	int (*fsync)(void *ctx, int fd);
	int (*rename)(void *ctx, const char *from, const char *to);
	int (*unlink)(void *ctx, const char *path);
	int (*getfl)(void *ctx, int fd); /* fcntl(fd, F_GETFL): the flags */
	int (*linkat)(void *ctx, int olddirfd, const char *oldpath,
		      int newdirfd, const char *newpath, int flags);
	int (*getpid)(void *ctx);
	int (*kill)(void *ctx, int pid, int sig);
	int (*unlinkat)(void *ctx, int dirfd, const char *path, int flags);
	/* getdents64(): records as struct dirent64 in `buf` */
	ssize_t (*getdents)(void *ctx, int fd, void *buf, size_t n);
	/* Private anonymous read-write memory of `len` bytes (IOVW_F_HUGEPAGE's
	 * buffer), advised MADV_HUGEPAGE where the build has it (the advice
	 * failing is ignored: it is advice). Counted as IOVW_SYS_MMAP; given
	 * back with this table's munmap (IOVW_SYS_MUNMAP). */
	int (*mmap_anon)(void *ctx, size_t len, void **out);
	/* pwritev2() with RWF_ flags (IOVW_F_DONTCACHE), counted as
	 * IOVW_SYS_PWRITEV2. */
	ssize_t (*pwritev2)(void *ctx, int fd, const struct iovec *iov, int cnt,
			    int64_t off, int flags);
	/*
	 * io_uring (IOVW_URING). uring_setup creates a ring of `entries`
	 * (no SQPOLL) into *ring, an opaque handle (the default: a malloc'ed
	 * struct io_uring of liburing; -ENOSYS in a build without it);
	 * uring_writev prepares and submits one IORING_OP_WRITEV request
	 * tagged `tag` (the iovec array need not outlive the call: the kernel
	 * copies it at submission) and returns 0; uring_wait waits for one
	 * completion and gives its tag and result (cqe->res: bytes or a
	 * negative errno); uring_exit tears the ring down (after every
	 * request has completed). uring_result sees each completion's result
	 * before the library does and returns the one to use: `req` numbers
	 * the write's requests from 0 in the order they were submitted
	 * (resubmissions included). The default returns `res`. Tests use it
	 * to make the k-th request complete short or with -EINTR, -ENOSPC or
	 * -EIO (the kernel's bytes are then written again, or the write
	 * fails). uring_workers returns the number of the process's io-wq
	 * worker threads (named "iou-wrk-*" in /proc/self/task/<tid>/comm),
	 * counted as IOVW_SYS_TASKS.
	 */
	int (*uring_setup)(void *ctx, unsigned entries, void **ring);
	int (*uring_writev)(void *ctx, void *ring, int fd,
			    const struct iovec *iov, int cnt, int64_t off,
			    uint64_t tag);
	int (*uring_wait)(void *ctx, void *ring, uint64_t *tag, int *res);
	void (*uring_exit)(void *ctx, void *ring);
	int (*uring_result)(void *ctx, uint64_t req, int res);
	int (*uring_workers)(void *ctx);
} iovw_sys;

/*
 * The allocator hook. NULL members mean malloc/realloc/free. The library
 * allocates only a few, geometrically growing blocks per writer (the iovec
 * array, the slot table, arena chunks), so counting calls here shows that
 * no allocation is made per piece.
 */
typedef struct iovw_allocator {
	void *ctx;
	void *(*malloc)(void *ctx, size_t n);
	void *(*realloc)(void *ctx, void *p, size_t n);
	void (*free)(void *ctx, void *p);
} iovw_allocator;

/* iovw_options.flags */
#define IOVW_F_FDATASYNC 0x1u /* fdatasync() the file before rename */
#define IOVW_F_FSYNC_DIR 0x2u /* fsync() the directory after rename */
#define IOVW_F_NO_ATOMIC 0x4u /* iovw_write_file: write the target in place */
/* iovw_write_file: skip the unnamed O_TMPFILE file and write the named
 * temporary file (.iovw-<pid>-<random>.tmp) at once: two system calls
 * fewer a file (no O_TMPFILE open, no linkat), about 10 us a small file on
 * tmpfs here, but a killed writer leaves its partial temporary file, for
 * iovw_clean_stale() to remove. For many tiny files. */
#define IOVW_F_NAMED_TEMP 0x8u
/* IOVW_BUFFER: the buffer is anonymous memory from the seam's mmap_anon
 * (not the allocator hook, which cannot promise an alignment), 2 MiB
 * aligned and a multiple of 2 MiB long, advised MADV_HUGEPAGE where the
 * build has it: with transparent huge pages on ("madvise" or "always" in
 * /sys/kernel/mm/transparent_hugepage/enabled) a large buffer costs about
 * one page fault per 2 MiB instead of one per 4 KiB. It is unmapped with
 * the same seam's munmap, when a later write replaces it or the context
 * (see iovw_ctx_new) is trimmed or freed: that seam's ctx must stay valid
 * until then (the one-shot calls unmap it before they return). The
 * mapping is 2 MiB longer than the buffer, for the alignment; that slack
 * is never touched. Other strategies ignore the flag. */
#define IOVW_F_HUGEPAGE 0x10u
/* Write with pwritev2(..., RWF_DONTCACHE) (Linux 6.14+): the pages go
 * through the page cache and are dropped once written back, so the file
 * leaves (almost) no page cache behind. Applies to the strategies that
 * write with pwrite/pwritev: IOVW_PWRITEV, IOVW_WRITE_EACH, IOVW_BUFFER,
 * IOVW_STREAM and IOVW_PIPELINE (each of their write calls becomes one
 * pwritev2); IOVW_MMAP and IOVW_URING ignore it. Probed once per write:
 * when the first pwritev2 fails with EOPNOTSUPP (tmpfs, a file system
 * without it) or EINVAL (a kernel without the flag), that write uses
 * plain writes from then on and iovw_stats.dontcache_fallbacks counts
 * it; iovw_stats.dontcache_writes counts the calls that carried it. */
#define IOVW_F_DONTCACHE 0x20u

/* Called by the strategies when the build phase is over: the plan is
 * built, the buffer or the mapping is filled, nothing is written yet (the
 * moment a strategy holds the most memory). For measuring tools.
 * IOVW_STREAM writes while it builds: there the hook runs when the
 * serializer has returned, before the last window and the reserved slots
 * are written (the writer holds its peak memory: window, staging buffer,
 * slots), and most of the stream is already written. */
typedef void (*iovw_phase_fn)(void *ctx);

typedef struct iovw_options {
	/* Most iovecs one pwritev() call carries. 0 means the default,
	 * sysconf(_SC_IOV_MAX); larger values are -EINVAL. */
	size_t batch_limit;
	/* Plan mode copies pieces shorter than this into the arena, where
	 * consecutive copies merge into one iovec. 0 disables it.
	 * Stream mode copies them into its staging buffer; there 0 means
	 * IOVW_STREAM_COALESCE_DEFAULT and 1 stages nothing (but copies). */
	size_t coalesce_below;
	/* Stream mode's staging buffer at most, 0 meaning
	 * IOVW_STAGE_DEFAULT: the window (iovecs and staging, one block)
	 * starts at 64 iovecs and 4 KiB and doubles when it fills, up to
	 * batch_limit and stage_bytes; only then is it written. Through a
	 * context it starts at the block kept from earlier writes, of which
	 * it uses no more than these limits. Other modes ignore it. */
	size_t stage_bytes;
	unsigned flags;	     /* IOVW_F_* */
	unsigned file_mode;  /* mode for a new file; 0 means 0666 (& ~umask) */
	const iovw_sys *sys; /* NULL: the real system calls */
	const iovw_allocator *alloc; /* NULL: malloc/realloc/free */
	iovw_phase_fn built;	     /* NULL: none */
	void *built_ctx;
} iovw_options;

/*
 * Counters; a function that takes a stats pointer adds to it (NULL: none).
 * IOVW_STREAM builds and writes in turns: its write_ns is the time inside
 * the write calls (and the sync), its build_ns all the rest of the write
 * (the serializer, staging copies, the observer); its iovecs are the
 * entries of every window and of the final slot writes, and its
 * bytes_written counts the file's bytes once (a reserved slot in a window
 * written before the serializer returned is written again, patched: the
 * second time is in batches and iovecs, not in bytes_written).
 */
typedef struct iovw_stats {
	uint64_t bytes_written; /* bytes the kernel accepted                 */
	uint64_t bytes_copied;	/* bytes memcpy'd in user space (arena,
				   staging, direct mode, patches)            */
	uint64_t pieces;	/* non-empty appends and reserves            */
	uint64_t iovecs;	/* entries of the written plan (after merge) */
	uint64_t batches;	/* pwrite/pwritev calls that carried data    */
	uint64_t build_ns;	/* running the serializer(s), mapping        */
	uint64_t write_ns;	/* the write system calls, sync, unmap       */
	uint64_t syscalls[IOVW_SYS_COUNT]; /* calls made, by iovw_syscall    */
	/* IOVW_F_DONTCACHE: write calls that carried RWF_DONTCACHE, and
	 * writes whose probe failed (EOPNOTSUPP, EINVAL) and so used plain
	 * writes. */
	uint64_t dontcache_writes;
	uint64_t dontcache_fallbacks;
	/* IOVW_URING: requests submitted (resubmissions included), the
	 * resubmissions (short, -EINTR or -EAGAIN completions), and the
	 * process's io-wq worker threads ("iou-wrk-*") found when the write's
	 * last request had completed, before the ring was torn down (summed
	 * over writes). Nonzero means the kernel punted writes to workers
	 * instead of completing them inline; the count is the process's, so
	 * it includes workers of other rings of the process, and a worker
	 * lingers a few seconds after its last work: a fresh process writing
	 * one file sees only its own. */
	uint64_t uring_requests;
	uint64_t uring_resubmits;
	uint64_t uring_workers;
} iovw_stats;

/* ---- writers ----------------------------------------------------------- */

/*
 * Create a writer in plan or measure mode. `o` may be NULL; it is copied,
 * but the sys and alloc tables it points to must outlive the writer.
 * On success *out owns a writer the caller frees with iovw_writer_free().
 */
IOVW_API int iovw_writer_new(iovw_writer **out, iovw_mode mode,
			     const iovw_options *o);

/*
 * Create a writer in direct mode over `region` of `cap` bytes, which the
 * caller owns and must keep valid until the writer is freed. A piece that
 * would end past `cap` fails with -ENOSPC.
 */
IOVW_API int iovw_writer_new_direct(iovw_writer **out, void *region,
				    uint64_t cap, const iovw_options *o);

/* Free a writer and everything it allocated (arena, iovecs). NULL is ok.
 * Borrowed memory is never touched. */
IOVW_API void iovw_writer_free(iovw_writer *w);

/* Forget every piece but keep the allocations, for the next file. Clears
 * a sticky error and the written state. */
IOVW_API void iovw_writer_reset(iovw_writer *w);

/*
 * Append `n` bytes at `p`, borrowed: in plan mode the writer keeps the
 * pointer, so the memory must stay valid and unchanged until the plan is
 * written or the writer is freed or reset. In stream mode it must stay so
 * until the window holding it is written: at the latest when the
 * serializer returns, at once by iovw_flush(); after a successful
 * iovw_flush() every piece appended so far may be reused. (A serializer
 * meant for every mode keeps its pieces until the write call returns.)
 * Pieces shorter than coalesce_below are copied in plan and stream mode
 * and never borrowed. The stream is first padded with
 * zeros to a multiple of `align` (a power of two, at most IOVW_MAX_ALIGN).
 * On success *off (if not NULL) is the offset where the bytes land.
 * p may be NULL only when n is 0.
 *
 * Errors are sticky: after a failed call every later call returns the
 * same error and nothing is written. -EINVAL for misuse (alignment, NULL,
 * size overflow, a writer already written), -ENOMEM, -ENOSPC (direct mode
 * region too small).
 */
IOVW_API int iovw_append(iovw_writer *w, const void *p, size_t n, size_t align,
			 uint64_t *off);

/* Like iovw_append() but copies the bytes (into the arena in plan mode,
 * through the staging buffer in stream mode), so `p` may be reused as soon
 * as the call returns. */
IOVW_API int iovw_append_copy(iovw_writer *w, const void *p, size_t n,
			      size_t align, uint64_t *off);

/* Reserve a zero-filled slot of `n` bytes, to be filled by iovw_patch().
 * `n` may be 0: the empty slot takes no bytes, but a patch of 0 bytes at
 * its offset succeeds, so reserve(count * size) followed by
 * patch(off, arr, count * size) works for count 0 in every mode. */
IOVW_API int iovw_reserve(iovw_writer *w, size_t n, size_t align,
			  uint64_t *off);

/* Copy `n` bytes from `p` into the stream at `off`, which must lie wholly
 * inside one reserved slot (-EINVAL otherwise; with n 0, `off` must still
 * be in or at the end of a slot, an empty one included). Allowed until
 * written; in stream mode until the serializer returns (slots are kept in
 * writer memory and written last, whatever was written around them). */
IOVW_API int iovw_patch(iovw_writer *w, uint64_t off, const void *p, size_t n);

/* Bytes in the stream so far (the file size once complete). */
IOVW_API uint64_t iovw_size(const iovw_writer *w);
/* Non-empty appends and reserves so far. */
IOVW_API uint64_t iovw_pieces(const iovw_writer *w);
/* Add the writer's build counters to `st`: pieces, bytes_copied and, in
 * plan mode, iovecs. (iovw_plan_write() adds the I/O counters.) */
IOVW_API void iovw_writer_stats(const iovw_writer *w, iovw_stats *st);
/* Plan mode: the iovec list (valid until the next append, reset or free);
 * *n receives its length. Other modes (stream too): NULL and 0. */
IOVW_API const struct iovec *iovw_iovecs(const iovw_writer *w, size_t *n);
/* The writer's sticky error (0 if none). */
IOVW_API int iovw_error(const iovw_writer *w);
IOVW_API iovw_mode iovw_writer_mode(const iovw_writer *w);

/*
 * Write a plan-mode writer's stream to `fd` at offset `off`: batches of at
 * most batch_limit iovecs through pwritev (pwrite for a batch of one),
 * partial writes resumed in place, EINTR retried, a write of 0 bytes is
 * -EIO. `each` set writes one pwrite per iovec instead. The writer is then
 * sealed (appends fail with -EINVAL) but the plan is left intact and may be
 * written again. An `fd` opened with O_APPEND is refused with -EINVAL
 * before anything is written, as by iovw_write_fd(). Returns 0 or a
 * negative errno.
 */
IOVW_API int iovw_plan_write(iovw_writer *w, int fd, uint64_t off, int each,
			     iovw_stats *st);

/* Copy a plan's bytes into `dst` (`cap` bytes; -ENOSPC if too small).
 * This is the gather step of a buffer fallback, without the I/O. */
IOVW_API int iovw_plan_gather(const iovw_writer *w, void *dst, uint64_t cap);

/* Called by iovw_scan() with consecutive runs of the stream's bytes;
 * returns 0 to go on, or a negative errno to stop with it. */
typedef int (*iovw_scan_fn)(void *ctx, const void *p, size_t n);

/*
 * Pass the stream's bytes from offset `from` to the current end to `fn`,
 * in order, without copying: the iovecs in plan mode, the region in direct
 * mode. Measure mode has no bytes: `fn` is not called. Reserved slots show
 * what has been patched into them so far. Stream mode has written and
 * forgotten most of its bytes: -EOPNOTSUPP there (use iovw_observe()).
 * Returns 0, fn's error, -EINVAL (`from` past the end) or the writer's
 * sticky error.
 */
IOVW_API int iovw_scan(const iovw_writer *w, uint64_t from, iovw_scan_fn fn,
		       void *ctx);

/*
 * Attach an observer: `fn` receives every byte of the stream from the
 * current size on, once, in order, in runs of at least one byte, with
 * reserved slots read as zeros whatever is patched into them. It is how a
 * serializer computes a checksum in the pass that writes the file, in
 * every mode alike:
 *   stream        each window as it is written, just before the write
 *                 call (the bytes are still in cache);
 *   plan, direct  from the iovecs or the region, when iovw_flush() is
 *                 called;
 *   measure       never.
 * Bytes reach `fn` only in iovw_flush() and, in stream mode, in appends
 * and reserves that fill a window. A nonzero return from `fn` stops the
 * write with that error (sticky). fn NULL detaches the observer (bytes not
 * yet passed on are dropped). The writer detaches it when the serializer
 * returns, so `ctx` may live on the serializer's stack; call iovw_flush()
 * first to see the last bytes. `fn` must not call the writer.
 * Returns 0 or the writer's sticky error.
 */
IOVW_API int iovw_observe(iovw_writer *w, iovw_scan_fn fn, void *ctx);

/*
 * Bring every byte appended so far as far as the mode takes it: in stream
 * mode write the current window now (after the observer has seen it), so
 * that borrowed pieces may be reused; in plan and direct mode pass the
 * bytes not yet observed to the observer (nothing is written). Reserved
 * slots are still written last, in stream mode when the serializer
 * returns. Returns 0, a write or observer error (sticky) or the writer's
 * sticky error.
 */
IOVW_API int iovw_flush(iovw_writer *w);

/*
 * Pass every byte appended so far that the observer has not seen to it
 * (reserved slots as zeros), and write nothing, in every mode: in stream
 * mode the window stays, so a file that fits one window is still written
 * in one call, its slots patched (what a serializer wants before it
 * patches a header with a checksum). Returns 0, the observer's error
 * (sticky) or the writer's sticky error.
 */
IOVW_API int iovw_observe_sync(iovw_writer *w);

/* ---- one call: run a serializer with a strategy and write the file ------ */

/* A serializer: describes the stream by calling iovw_append() and friends on
 * `w`, returns 0 or a negative errno. It may run more than once (measure,
 * then direct) and must describe the same stream each time. */
typedef int (*iovw_serialize_fn)(iovw_writer *w, void *ctx);

/*
 * Run `fn` in the modes strategy `s` needs and write the result to `path`.
 *
 * By default the write is atomic. The new file is created in the target's
 * directory without a name (open(dir, O_TMPFILE)), written, optionally
 * fdatasync'ed, then linked under a fresh temporary name
 * ".iovw-<pid>-<16 hex>.tmp" (linkat() through /proc/self/fd, or with
 * AT_EMPTY_PATH where /proc is missing and the process has
 * CAP_DAC_READ_SEARCH), closed, renamed over `path`, and the directory
 * optionally fsync'ed. Where open() refuses O_TMPFILE (EOPNOTSUPP, EISDIR,
 * EINVAL), the file is created under the temporary name with O_EXCL
 * instead; where the unnamed file cannot be linked (ENOENT, EPERM) it is
 * dropped and the stream written again that way (so `fn` runs again).
 *
 * On any error up to the rename a named temporary file is removed and an
 * existing `path` is left untouched; a failure of the directory fsync
 * (IOVW_F_FSYNC_DIR) comes after the rename and is reported with the new
 * file in place. A process killed (SIGKILL, a crash) during the write
 * leaves `path` old or complete and new, and by the unnamed file nothing
 * else, except when killed in the short window between link and rename: a
 * complete temporary file. By the named file it leaves its temporary file.
 * Either carries the dead writer's pid: iovw_clean_stale() removes them.
 *
 * A symlink at `path` is replaced itself by the new regular file; the file
 * it pointed to is not touched. With IOVW_F_NO_ATOMIC the target is opened
 * with O_CREAT | O_TRUNC and written in place instead: a symlink is
 * followed and the file it points to is rewritten (a dangling one is
 * created), and a failure or a kill may leave it partly written.
 *
 * The new file gets file_mode (default 0666 & ~umask): the mode of a file
 * it replaces is not kept. `o` and `st` may be NULL.
 *
 * On Windows there is no unnamed file: the named temporary file is
 * written, closed and moved over `path` with MoveFileExW(
 * MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH), which returns when
 * the move is on disk (IOVW_F_FSYNC_DIR adds nothing). `path` is UTF-8;
 * file_mode is not used (the new file takes its directory's permissions);
 * a target that another process holds open without FILE_SHARE_DELETE
 * cannot be replaced (-EACCES or -EBUSY, the target untouched).
 */
IOVW_API int iovw_write_file(const char *path, iovw_strategy s,
			     iovw_serialize_fn fn, void *ctx,
			     const iovw_options *o, iovw_stats *st);

/*
 * Run `fn` with strategy `s` and write the stream to the open `fd` starting
 * at `off` (offsets the serializer sees are relative to `off`). The file is
 * never shrunk. IOVW_MMAP needs `fd` open O_RDWR; it reserves the blocks
 * with fallocate() first, so a full disk is -ENOSPC and not SIGBUS, except
 * on file systems without fallocate, where it falls back to ftruncate().
 * A failure may leave part of the stream written.
 *
 * An `fd` opened with O_APPEND is refused with -EINVAL before the
 * serializer runs and before anything is written: Linux ignores pwrite's
 * offset on such a descriptor and appends, while a mapping writes at the
 * offset, so the strategies would write to different places. The check is
 * one fcntl(F_GETFL) through the seam (IOVW_SYS_FCNTL in the stats); its
 * own failure (-EBADF) is returned as it is. (pwritev2's RWF_NOAPPEND
 * would write at the offset instead, but only from Linux 6.9 on.)
 * On Windows `fd` is a C runtime descriptor and O_APPEND is accepted: the
 * runtime appends only in its own _write, and a positioned WriteFile
 * writes at the offset, as a mapping does.
 */
IOVW_API int iovw_write_fd(int fd, uint64_t off, iovw_strategy s,
			   iovw_serialize_fn fn, void *ctx,
			   const iovw_options *o, iovw_stats *st);

/*
 * Remove the temporary files that writers killed during iovw_write_file()
 * left in `dir`, and only those: regular files named
 * ".iovw-<pid>-<16 hex digits>.tmp" whose pid is not a live process
 * (kill(pid, 0) fails with ESRCH). Writers leave them only where the file
 * system has no O_TMPFILE, or when killed between naming the finished file
 * and renaming it over the target; older versions' ".iovw-<hex>.tmp" names
 * carry no pid and are never touched. `o` gives the seam (other options
 * are ignored) and may be NULL, like `st`.
 *
 * Limits of the rule: a pid is judged in the caller's pid namespace on the
 * caller's host. A writer in another pid namespace (a container sharing
 * the directory) or on another NFS client may look dead, and its file is
 * then removed under it; that writer's rename fails (-ENOENT) and it
 * reports the error, its target untouched. So run it where every writer
 * of `dir` is a process of this namespace, e.g. when a build tool that
 * owns the cache starts. A dead writer's pid reused by a live process keeps
 * its file until that process ends (never wrongly removed).
 *
 * -ENOTSUP on Windows and on systems other than Linux (the directory is
 * read with getdents64).
 *
 * Returns the number of files removed, or the first failure (after trying
 * every candidate; those removed stay removed): the directory's open or
 * read error, or an unlinkat() error other than ENOENT (a concurrent
 * cleaner won) or EISDIR (not a file).
 */
IOVW_API int iovw_clean_stale(const char *dir, const iovw_options *o,
			      iovw_stats *st);

/* ---- contexts: memory kept between writes ------------------------------ */

/*
 * A context keeps what a write allocates for the next one: the plan
 * writer's arena and iovec array, the slot table, the stream window (its
 * iovecs and staging buffer), the buffer strategy's buffer and the room for
 * a temporary name. A long-lived process (a compiler daemon, a build tool)
 * writing many files through one context then neither allocates nor faults
 * in fresh pages for each file.
 *
 * Bound: per kind of memory (the writer's arena, iovecs, slots and stream
 * window; the buffer; the name) a context keeps at most what the largest
 * single write through it needed of that kind, never the sum over writes:
 * each grows only when a write needs more and is then replaced, not added
 * to (the arena's chunks of one write become one chunk of their total at
 * the start of the next). iovw_ctx_trim() gives it all back.
 *
 * Threads: one thread at a time per context, no locking inside; distinct
 * contexts are independent. Ownership: the context owns its memory; the
 * pieces a serializer borrows are never kept past the write call.
 * A failed write (any error: allocation, a system call, the serializer)
 * leaves the context usable: the next write starts clean, nothing of the
 * failed one's state (a sticky error, a half-filled window) carried over.
 */
typedef struct iovw_ctx iovw_ctx;

/* Create a context; on success *out owns it (iovw_ctx_free()). `a` is the
 * allocator for all its memory (NULL: malloc); it must outlive the
 * context. The context itself is one small allocation; the rest comes
 * with the first write. -EINVAL (out NULL) or -ENOMEM. */
IOVW_API int iovw_ctx_new(iovw_ctx **out, const iovw_allocator *a);

/* Free a context and all it keeps. NULL is ok. */
IOVW_API void iovw_ctx_free(iovw_ctx *c);

/* Give back everything kept (the context stays usable: the next write
 * allocates afresh). NULL is ok. */
IOVW_API void iovw_ctx_trim(iovw_ctx *c);

/* Bytes of memory the context keeps now (not counting its own small
 * struct; 0 after iovw_ctx_trim()). A huge-page buffer counts its length
 * (a multiple of 2 MiB), not the alignment slack of its mapping. 0 for
 * NULL. */
IOVW_API size_t iovw_ctx_retained(const iovw_ctx *c);

/*
 * iovw_write_file() and iovw_write_fd() through context `c`: the same
 * contract, the same bytes, the same system calls (except IOVW_F_HUGEPAGE's
 * mmap and munmap, made only when the kept buffer is too small or of the
 * other kind); only memory is reused (and allocated, when the context
 * holds too little, with the context's allocator). o->alloc must be NULL
 * or the allocator the context was created with (-EINVAL otherwise,
 * before anything is done).
 */
IOVW_API int iovw_ctx_write_file(iovw_ctx *c, const char *path, iovw_strategy s,
				 iovw_serialize_fn fn, void *arg,
				 const iovw_options *o, iovw_stats *st);
IOVW_API int iovw_ctx_write_fd(iovw_ctx *c, int fd, uint64_t off,
			       iovw_strategy s, iovw_serialize_fn fn, void *arg,
			       const iovw_options *o, iovw_stats *st);

/* ---- names and errors --------------------------------------------------- */

/* Text for a negative errno (or 0); never NULL, never freed. */
IOVW_API const char *iovw_strerror(int err);
/* "pwritev", "buffer", "mmap", "write-each", "stream", "io_uring",
 * "pipelined"; NULL if out of range. */
IOVW_API const char *iovw_strategy_name(iovw_strategy s);
/* Parse a strategy name; 0 on success, -EINVAL if unknown. */
IOVW_API int iovw_strategy_parse(const char *name, iovw_strategy *out);
/* "open", "pwritev", ...; NULL if out of range. */
IOVW_API const char *iovw_syscall_name(iovw_syscall c);
/* sysconf(_SC_IOV_MAX), or 1024 where it is not known. */
IOVW_API size_t iovw_iov_max(void);
/* Add counters of `from` into `to`. */
IOVW_API void iovw_stats_add(iovw_stats *to, const iovw_stats *from);

#ifdef __cplusplus
}
#endif
#endif /* IOVW_H */
