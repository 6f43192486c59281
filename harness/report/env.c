/*
 * env.c - the machine a report was measured on.
 */
#include "report/env.h"
#include "report/mount.h"

#include "engine/faults.h"

#include "iovw.h"

#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef IOVB_CFLAGS
#define IOVB_CFLAGS "unknown"
#endif

/* The file system type of `path` ("ext4", "tmpfs", ... or "0x..."). */
static const char *fs_type(const char *path, char *buf, size_t n)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} fs[] = {
		{0xEF53, "ext4"},	 {0x01021994, "tmpfs"},
		{0x58465342, "xfs"},	 {0x9123683E, "btrfs"},
		{0x794c7630, "overlay"}, {0x6969, "nfs"},
		{0x65735546, "fuse"},	 {0x2fc12fc1, "zfs"},
		{0xF2F52010, "f2fs"},	 {0x858458f6, "ramfs"},
	};
	struct statfs sb;
	size_t i;

	if (statfs(path, &sb) < 0) {
		snprintf(buf, n, "unknown");
		return buf;
	}
	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		if ((unsigned long)sb.f_type == fs[i].magic) {
			snprintf(buf, n, "%s", fs[i].name);
			return buf;
		}
	}
	snprintf(buf, n, "0x%lx", (unsigned long)sb.f_type);
	return buf;
}

/* The value of "key: value" in a file, or "unknown". */
static void field(const char *path, const char *key, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t k = strlen(key);

	snprintf(buf, n, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v;
		if (strncmp(line, key, k))
			continue;
		v = line + k;
		while (*v == ' ' || *v == '\t' || *v == ':' || *v == '=' ||
		       *v == '"')
			v++;
		v[strcspn(v, "\"\n")] = '\0';
		snprintf(buf, n, "%s", v);
		break;
	}
	fclose(f);
}

/* Fresh memory touched to measure its cost, three times each way. */
#define FAULT_BYTES ((size_t)16 << 20)

json_t *env_info(const char *dir)
{
	struct fault_cost fc;
	json_t *e = json_object(), *m;
	struct utsname u;
	char buf[256], date[32];
	time_t now = time(NULL);
	struct tm tm;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

	uname(&u);
	json_object_set_new(e, "host", json_string(u.nodename));
	field("/etc/os-release", "PRETTY_NAME", buf, sizeof(buf));
	json_object_set_new(e, "os", json_string(buf));
	json_object_set_new(e, "kernel", json_string(u.release));
	json_object_set_new(e, "arch", json_string(u.machine));
	field("/proc/cpuinfo", "model name", buf, sizeof(buf));
	json_object_set_new(e, "cpu", json_string(buf));
	json_object_set_new(e, "cores",
			    json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(e, "mem_bytes",
			    json_integer((json_int_t)pages * page));
	json_object_set_new(e, "page_size", json_integer(page));
	json_object_set_new(e, "iov_max",
			    json_integer((json_int_t)iovw_iov_max()));
	json_object_set_new(e, "dir", json_string(dir));
	json_object_set_new(e, "fs_type",
			    json_string(fs_type(dir, buf, sizeof(buf))));
	if ((m = mount_info(dir, NULL)))
		json_object_set_new(e, "mount", m);
#ifdef __VERSION__
	json_object_set_new(e, "compiler",
			    json_string(
#ifdef __clang__
				    "clang "
#else
				    "gcc "
#endif
				    __VERSION__));
#endif
	json_object_set_new(e, "cflags", json_string(IOVB_CFLAGS));
	if (!fault_cost_measure(FAULT_BYTES, &fc))
		json_object_set_new(
			e, "fresh_memory",
			json_pack("{s:f,s:f,s:f,s:s,s:s,s:I}", "ns_per_page",
				  fc.ns_per_page, "hugepage_ns_per_page",
				  fc.huge_ns_per_page, "hugepage_share",
				  fc.huge_share, "thp_enabled", fc.thp_enabled,
				  "thp_defrag", fc.thp_defrag, "bytes_touched",
				  (json_int_t)FAULT_BYTES));
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(e, "date", json_string(date));
	return e;
}
