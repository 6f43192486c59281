/*
 * t_win.c - the tests' small framework on Windows (see t.h; t.c is the
 * POSIX one, with fork()).
 *
 * Each case runs in a process of its own, as on POSIX: the program starts
 * itself again (CreateProcessW on its own executable) with "--t-child
 * NAME", waits for it under the case's timeout (TerminateProcess when it
 * runs over) and reads its exit code: 0 passed, T_SKIP_CODE skipped,
 * anything else (an exception's code too: the child lets an unhandled one
 * end it) failed. The case's directory is made by the parent under the
 * temporary directory, handed to the child in IOVW_T_DIR and removed with
 * its contents afterwards.
 */
#ifdef _WIN32

#include "t.h"

#include <windows.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_SKIP_CODE 77

const char *t_argv0;
static int case_failed;
static char tmpdir[MAX_PATH + 64];

uint64_t t_scaled(uint64_t n)
{
	const char *e = getenv("IOVW_TEST_SCALE");
	uint64_t pct = e && *e ? strtoull(e, NULL, 10) : 100;
	uint64_t v = n * pct / 100;
	return v ? v : 1;
}

const char *t_tmpdir(void)
{
	return tmpdir;
}

void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (case_failed++ >= 10)
		return;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void t_abort_case(void)
{
	fflush(stdout);
	_exit(1);
}

void t_skip(const char *why)
{
	printf("    skip: %s\n", why);
	fflush(stdout);
	_exit(T_SKIP_CODE);
}

uint64_t t_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15u;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1du;
}

unsigned char *t_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf)
			*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int t_count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Remove `dir` and what it holds (files, and directories to a depth). */
static void rm_tree(const char *dir, int depth)
{
	char pat[MAX_PATH + 80], sub[MAX_PATH + 80];
	WIN32_FIND_DATAA fd;
	HANDLE h;

	snprintf(pat, sizeof(pat), "%s\\*", dir);
	h = FindFirstFileA(pat, &fd);
	if (h != INVALID_HANDLE_VALUE) {
		do {
			if (!strcmp(fd.cFileName, ".") ||
			    !strcmp(fd.cFileName, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s\\%s", dir, fd.cFileName);
			if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
				if (depth < 8)
					rm_tree(sub, depth + 1);
			} else {
				SetFileAttributesA(sub, FILE_ATTRIBUTE_NORMAL);
				DeleteFileA(sub);
			}
		} while (FindNextFileA(h, &fd));
		FindClose(h);
	}
	RemoveDirectoryA(dir);
}

static int wanted(int argc, char **argv, const char *name)
{
	int i, any = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = 1;
		if (!strcmp(argv[i], name))
			return 1;
	}
	return !any;
}

/* Start this program again for case `name`; its exit code, or -1. */
static long spawn_case(const char *name, unsigned tmo, int *timed_out)
{
	wchar_t exe[MAX_PATH], cmd[MAX_PATH + 200];
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	DWORD code = 1;

	*timed_out = 0;
	if (!GetModuleFileNameW(NULL, exe, MAX_PATH))
		return -1;
	_snwprintf(cmd, sizeof(cmd) / sizeof(cmd[0]), L"\"%ls\" --t-child %hs",
		   exe, name);
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si,
			    &pi))
		return -1;
	if (WaitForSingleObject(pi.hProcess, tmo * 1000u) == WAIT_TIMEOUT) {
		TerminateProcess(pi.hProcess, 1);
		WaitForSingleObject(pi.hProcess, INFINITE);
		*timed_out = 1;
	}
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	return (long)code;
}

/* Run one case in a child; 0 passed, 1 failed, 2 skipped. */
static int run_case(const char *prog, const struct t_case *c, unsigned tmo)
{
	static unsigned seq;
	char base[MAX_PATH];
	DWORD t0 = GetTickCount();
	int timed_out, res;
	long code;

	if (!GetTempPathA(sizeof(base), base))
		strcpy(base, ".\\");
	snprintf(tmpdir, sizeof(tmpdir), "%siovw-t-%s-%lu-%u", base, c->name,
		 (unsigned long)GetCurrentProcessId(), seq++);
	if (!CreateDirectoryA(tmpdir, NULL)) {
		printf("FAIL %s/%s: CreateDirectory %s: error %lu\n", prog,
		       c->name, tmpdir, (unsigned long)GetLastError());
		return 1;
	}
	SetEnvironmentVariableA("IOVW_T_DIR", tmpdir);
	fflush(stdout);
	code = spawn_case(c->name, tmo, &timed_out);
	rm_tree(tmpdir, 0);
	if (code == 0) {
		printf("ok   %s/%s (%lu ms)\n", prog, c->name,
		       (unsigned long)(GetTickCount() - t0));
		res = 0;
	} else if (code == T_SKIP_CODE) {
		printf("SKIP %s/%s\n", prog, c->name);
		res = 2;
	} else if (timed_out) {
		printf("FAIL %s/%s: timed out\n", prog, c->name);
		res = 1;
	} else {
		printf("FAIL %s/%s (exit 0x%lx)\n", prog, c->name,
		       (unsigned long)code);
		res = 1;
	}
	fflush(stdout);
	return res;
}

/* An unhandled exception ends the child with its code, without the
 * debugger wine would start. */
static LONG WINAPI crashed(EXCEPTION_POINTERS *e)
{
	fflush(stdout);
	ExitProcess(e->ExceptionRecord->ExceptionCode);
}

static int run_child(const char *name, const struct t_case *cases)
{
	const char *d = getenv("IOVW_T_DIR");
	const struct t_case *c;

	SetUnhandledExceptionFilter(crashed);
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
	snprintf(tmpdir, sizeof(tmpdir), "%s", d ? d : ".");
	for (c = cases; c->name; c++) {
		if (!strcmp(c->name, name)) {
			c->fn();
			fflush(stdout);
			return case_failed ? 1 : 0;
		}
	}
	printf("    no case '%s'\n", name);
	return 1;
}

int t_main(int argc, char **argv, const char *prog, const struct t_case *cases)
{
	const char *e = getenv("T_TIMEOUT");
	unsigned tmo = e && *e ? (unsigned)strtoul(e, NULL, 10) : 300;
	int counts[3] = {0, 0, 0};
	const struct t_case *c;
	int i;

	t_argv0 = argv[0];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--t-child"))
		return run_child(argv[2], cases);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list")) {
			for (c = cases; c->name; c++)
				printf("%s\n", c->name);
			return 0;
		}
	}
	for (c = cases; c->name; c++)
		if (wanted(argc, argv, c->name))
			counts[run_case(prog, c, tmo)]++;
	printf("# %s: %d passed, %d failed, %d skipped\n", prog, counts[0],
	       counts[1], counts[2]);
	return counts[1] ? 1 : 0;
}

#else
/* ISO C wants something in every translation unit. */
typedef int t_win_unused;
#endif /* _WIN32 */
