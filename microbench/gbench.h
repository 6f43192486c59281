/*
 * gbench.h - google-benchmark from C: a small C API over the C++ library.
 * gbench.cc implements it; it is the only C++ in the project.
 *
 * A benchmark is a C function that does its set-up, then runs the code to
 * measure in a loop while gb_keep_running() says so, then reports what one
 * run processed:
 *
 *	static void bm_append(gb_state *st, void *ctx)
 *	{
 *		size_t n = (size_t)gb_range(st, 0);
 *		... set-up, not timed ...
 *		while (gb_keep_running(st))
 *			... the measured code ...
 *		gb_set_items_processed(st, gb_iterations(st));
 *	}
 *
 *	int main(int argc, char **argv)
 *	{
 *		gb_bench *b = gb_register("BM_append", bm_append, NULL);
 *		gb_bench_arg(b, 16);	// runs as BM_append/16
 *		gb_bench_arg(b, 256);	// and as BM_append/256
 *		return gb_run(argc, argv);
 *	}
 *
 * The timer runs from the first gb_keep_running() that returns true to the
 * one that returns false; the function must not return before that (unless
 * it called gb_skip_with_error()). gb_keep_running() is a function call
 * into C++ (a couple of ns, see the BM_empty benchmark): for operations of
 * a few ns, run a fixed inner loop per iteration and count the items.
 *
 * Conventions: functions that can fail return 0 or a negative errno
 * (-EINVAL misuse, -ENOMEM), as libiovw does. No C++ exception ever
 * crosses into C: every gb_ function catches them and turns them into an
 * error code. Not thread-safe: register and run from one thread.
 */
#ifndef GBENCH_H
#define GBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One running benchmark (a benchmark::State); valid only inside the call
 * of the benchmark function it was passed to. Owned by the shim. */
typedef struct gb_state gb_state;

/* A registered benchmark (a benchmark::internal::Benchmark). Owned by the
 * shim (google-benchmark's registry): never freed by the caller; valid
 * until the program exits. */
typedef struct gb_bench gb_bench;

/* A benchmark function. `ctx` is the pointer given to gb_register(). */
typedef void (*gb_fn)(gb_state *st, void *ctx);

/* ---- registration (before gb_run) ------------------------------------- */

/*
 * Register `fn` under `name` (copied; '/' may be used to group, e.g.
 * "BM_gather/tree"). `ctx` is passed to every call of `fn`; the caller
 * owns it and keeps it valid until gb_run() returns. Without any
 * gb_bench_arg*() call the benchmark runs once, with no arguments.
 * Returns the benchmark, or NULL (name or fn NULL, out of memory).
 */
gb_bench *gb_register(const char *name, gb_fn fn, void *ctx);

/* Add a run with one argument `a` (the name gets "/a"). 0 or -EINVAL
 * (b NULL, or the benchmark's earlier runs take another number of
 * arguments), -ENOMEM. */
int gb_bench_arg(gb_bench *b, int64_t a);

/* Add a run with the `n` arguments at `a` (copied; 1 <= n <= 16); every
 * run of one benchmark takes the same number of arguments. 0, -EINVAL or
 * -ENOMEM. */
int gb_bench_args(gb_bench *b, const int64_t *a, size_t n);

/* Add one-argument runs from `lo` to `hi` (0 <= lo <= hi): lo, then the
 * powers of `mult` (>= 2) strictly between them, then hi. 0, -EINVAL or
 * -ENOMEM. */
int gb_bench_range(gb_bench *b, int64_t lo, int64_t hi, int mult);

/* Name the arguments in the benchmark's name ("BM_x/size:16" instead of
 * "BM_x/16"): `n` names at `names` (copied). 0, -EINVAL or -ENOMEM. */
int gb_bench_arg_names(gb_bench *b, const char *const *names, size_t n);

enum gb_unit { GB_NS = 0, GB_US = 1, GB_MS = 2, GB_S = 3 };

/* The time unit of the benchmark's console and JSON times (default ns).
 * 0 or -EINVAL. */
int gb_bench_unit(gb_bench *b, enum gb_unit u);

/* ---- inside a benchmark function --------------------------------------- */

/* True (1) while the benchmark should run one more iteration; the first
 * call starts the timer and the last (returning 0) stops it. */
int gb_keep_running(gb_state *st);

/* Argument `i` of this run (0 if the run has fewer than i + 1). */
int64_t gb_range(const gb_state *st, size_t i);

/* Iterations run so far (after the loop: all of them). */
uint64_t gb_iterations(const gb_state *st);

/* Bytes or items processed by the whole run (all iterations, usually
 * iterations * per-iteration), reported as bytes_per_second and
 * items_per_second. Call after the loop. */
void gb_set_bytes_processed(gb_state *st, int64_t bytes);
void gb_set_items_processed(gb_state *st, int64_t items);

/* Stop and restart the timer inside the loop, for untimed work in an
 * iteration. Each costs far more than a call (clock reads): use them only
 * around work that is long beside them. */
void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);

/* gb_counter() flags; 0 reports the value as given. RATE divides by the
 * run's CPU seconds; ITERATION_INVARIANT multiplies by the iterations (a
 * per-iteration value with RATE becomes a rate; with INVERT too, the time
 * per item); AVG_ITERATIONS divides by the iterations; INVERT reports
 * 1 / the result; 1024 prints with 1024-based prefixes (Ki, Mi). */
#define GB_COUNTER_RATE		       0x1u
#define GB_COUNTER_ITERATION_INVARIANT 0x2u
#define GB_COUNTER_AVG_ITERATIONS      0x4u
#define GB_COUNTER_INVERT	       0x8u
#define GB_COUNTER_1024		       0x10u

/*
 * Set the user counter `name` (copied) of this run to `value`, adjusted
 * by `flags` (GB_COUNTER_*); it appears as a column of the console table
 * and as a field of the run in the JSON output. For example a counter of
 * value k (items per iteration) with RATE | ITERATION_INVARIANT | INVERT
 * is the time per item, in seconds. 0, -EINVAL (NULL name, unknown flag)
 * or -ENOMEM.
 */
int gb_counter(gb_state *st, const char *name, double value, unsigned flags);

/* Set the run's label (copied), shown after its counters. 0 or -ENOMEM. */
int gb_set_label(gb_state *st, const char *label);

/* Report the run as failed with `msg` (copied): gb_keep_running() returns
 * 0 from now on, the run's times are not reported, and gb_run() returns 3
 * at the end. Call at most once per run. */
void gb_skip_with_error(gb_state *st, const char *msg);

/* Make the compiler assume that *p is read and memory is written here, so
 * it neither drops the code that computed it nor moves stores across. */
static inline void gb_do_not_optimize(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* A compiler barrier: memory may have been read or written here. */
static inline void gb_clobber_memory(void)
{
	__asm__ volatile("" : : : "memory");
}

/* ---- running ------------------------------------------------------------ */

/*
 * Parse the --benchmark_* flags of google-benchmark (removing them from
 * argv, which the caller owns), run the registered benchmarks they select,
 * print the table on stdout (and the file of --benchmark_out) and shut the
 * library down. --help prints the flags and exits 0. Returns the exit
 * status: 0 ok; 2 a usage error (an argument that is not a known flag, or
 * a filter that matches nothing), with one line on stderr, e.g.
 * "microbench: unknown argument '--foo' (see --help)"; 3 a benchmark
 * failed (gb_skip_with_error) or the library threw. The program name in
 * messages is argv[0]'s last component. Call once.
 */
int gb_run(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif /* GBENCH_H */
