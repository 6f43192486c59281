/*
 * faults.h - what fresh memory costs on this machine.
 *
 * The first write to a page of new anonymous memory is a page fault: the
 * kernel finds a zeroed page and maps it. On bare metal that costs about
 * a microsecond a 4 KiB page; on a virtual machine with shadow paging it
 * can cost ten times more, and it decides how strategies that allocate a
 * buffer the size of the file (buffer, pwritev's plan) compare with those
 * that do not. With MADV_HUGEPAGE (transparent huge pages in "madvise" or
 * "always" mode) one fault maps 2 MiB. run measures both once and puts
 * them in the report's env, so that reports from two machines explain
 * their difference.
 */
#ifndef IOVBENCH_ENGINE_FAULTS_H
#define IOVBENCH_ENGINE_FAULTS_H

#include <stddef.h>

struct fault_cost {
	double ns_per_page;	 /* first touch, 4 KiB pages */
	double huge_ns_per_page; /* the same with MADV_HUGEPAGE, per 4 KiB */
	double huge_share;	 /* of that region, the share THP backed */
	char thp_enabled[32];	 /* "always", "madvise", "never", "unknown" */
	char thp_defrag[32];
};

/* Touch `bytes` of fresh memory, plain and with MADV_HUGEPAGE, three
 * times each: the medians. 0 or a negative errno (mmap). */
int fault_cost_measure(size_t bytes, struct fault_cost *out);

#endif
