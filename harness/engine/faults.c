/*
 * faults.c - what fresh memory costs (see faults.h).
 */
#include "engine/faults.h"

#include "stats/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE ((size_t)2 << 20)

/* The word in [brackets] of a sysfs THP setting. */
static void thp_setting(const char *path, char *buf, size_t n)
{
	char line[256], *a, *b;
	FILE *f = fopen(path, "r");

	snprintf(buf, n, "unknown");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (a = strchr(line, '[')) &&
	    (b = strchr(a, ']'))) {
		*b = '\0';
		snprintf(buf, n, "%s", a + 1);
	}
	fclose(f);
}

/* AnonHugePages of the mapping at `p` (bytes), from /proc/self/smaps. */
static size_t huge_bytes(const void *p)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	size_t kb = 0;
	int in = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)p);
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') &&
		    strchr(line, '-') < strchr(line, ' '))
			in = !strncmp(line, want, strlen(want));
		else if (in && !strncmp(line, "AnonHugePages:", 14))
			kb = strtoul(line + 14, NULL, 10);
	}
	fclose(f);
	return kb * 1024;
}

/* Map `bytes` (2 MiB aligned when `huge`), write a byte of every page,
 * unmap: ns per 4 KiB page into *ns, the THP-backed share into *share. */
static int touch_once(size_t bytes, int huge, double *ns, double *share)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = bytes + (huge ? HUGE : 0), off;
	unsigned char *m, *p;
	uint64_t t0;

	if (page <= 0)
		page = 4096;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	p = m;
#ifdef MADV_NOHUGEPAGE
	if (!huge) /* 4 KiB pages even where THP is "always" */
		madvise(m, len, MADV_NOHUGEPAGE);
#endif
	if (huge) {
		p = (unsigned char *)(((uintptr_t)m + HUGE - 1) &
				      ~(uintptr_t)(HUGE - 1));
#ifdef MADV_HUGEPAGE
		madvise(p, bytes, MADV_HUGEPAGE); /* may fail: THP off */
#endif
	}
	t0 = clock_now_ns();
	for (off = 0; off < bytes; off += (size_t)page)
		p[off] = 1;
	*ns = (double)(clock_now_ns() - t0) / ((double)bytes / 4096);
	*share = huge ? (double)huge_bytes(p) / (double)bytes : 0;
	munmap(m, len);
	return 0;
}

static double median3(double *v)
{
	double t;
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (v[j] < v[i]) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return v[1];
}

int fault_cost_measure(size_t bytes, struct fault_cost *out)
{
	double ns[3], hns[3], share[3], unused;
	int i, rc = 0;

	memset(out, 0, sizeof(*out));
	thp_setting("/sys/kernel/mm/transparent_hugepage/enabled",
		    out->thp_enabled, sizeof(out->thp_enabled));
	thp_setting("/sys/kernel/mm/transparent_hugepage/defrag",
		    out->thp_defrag, sizeof(out->thp_defrag));
	for (i = 0; i < 3 && !rc; i++)
		if (!(rc = touch_once(bytes, 0, &ns[i], &unused)))
			rc = touch_once(bytes, 1, &hns[i], &share[i]);
	if (rc)
		return rc;
	out->ns_per_page = median3(ns);
	out->huge_ns_per_page = median3(hns);
	out->huge_share = median3(share);
	return 0;
}
