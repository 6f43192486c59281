/*
 * t.h - the tests' small framework.
 *
 * A test program is a table of cases and a main() that calls t_main().
 * Each case runs in a child process of its own, under an alarm, so a crash,
 * a hang or a leaked descriptor fails that case and no other. The program
 * prints one line per case and a summary line that tests/run.sh adds up:
 *   ok   writer/align_offsets (3 ms)
 *   FAIL writer/patch_outside: tests/test_writer.c:88: rc == -EINVAL (rc=0)
 *   # writer: 12 passed, 1 failed, 0 skipped
 */
#ifndef IOVW_T_H
#define IOVW_T_H

#include <stdint.h>
#include <stdio.h>

struct t_case {
	const char *name;
	void (*fn)(void);
};

/* Run the cases named on the command line, or all of them. Options:
 * --list. The environment variable IOVW_TEST_SCALE (percent, default 100)
 * scales iteration counts through t_scaled(); T_TIMEOUT (seconds, default
 * 300) is each case's alarm. */
int t_main(int argc, char **argv, const char *prog, const struct t_case *cases);

/* argv[0] of the test program (to re-run it as a helper). */
extern const char *t_argv0;

/* n * IOVW_TEST_SCALE / 100, at least 1. */
uint64_t t_scaled(uint64_t n);

/* A directory of its own for the running case, removed with its contents
 * after the case. */
const char *t_tmpdir(void);

/* mingw-w64's printf with __USE_MINGW_ANSI_STDIO is C99's (gnu_printf) */
#ifdef __MINGW_PRINTF_FORMAT
#define T_PRINTF __MINGW_PRINTF_FORMAT
#else
#define T_PRINTF printf
#endif
void t_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(T_PRINTF, 3, 4)));
/* Give up on the case as skipped, with the reason (does not return). */
void t_skip(const char *why) __attribute__((noreturn));

#define CHECK(c)                                                 \
	do {                                                     \
		if (!(c))                                        \
			t_fail_at(__FILE__, __LINE__, "%s", #c); \
	} while (0)

/* Compare two integers and print both values on failure. */
#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);    \
		if (t_a_ != t_b_)                                          \
			t_fail_at(__FILE__, __LINE__,                      \
				  "%s == %s (%lld != %lld)", #a, #b, t_a_, \
				  t_b_);                                   \
	} while (0)

/* Stop the case at the first failure of a check that later ones rely on. */
#define REQUIRE(c)                                               \
	do {                                                     \
		if (!(c)) {                                      \
			t_fail_at(__FILE__, __LINE__, "%s", #c); \
			t_abort_case();                          \
		}                                                \
	} while (0)

void t_abort_case(void) __attribute__((noreturn));

/* Read a whole file into a malloc'ed buffer; NULL on error. */
unsigned char *t_read_file(const char *path, size_t *len);
/* Deterministic pseudo-random numbers (xorshift64*). */
uint64_t t_rand(uint64_t *state);
/* Number of entries in a directory, not counting . and .. (-1 on error). */
int t_count_dir(const char *dir);

#endif
