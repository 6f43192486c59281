/*
 * test_mount.c - report/mount.c on made-up mountinfo files: which mount
 * holds a directory (longest mount point, not a name prefix, the
 * directory's device first, the last of equals), the fields it records,
 * escapes, the device kinds, and lines it must refuse.
 */
#include "t.h"
#include "report/mount.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char dir_m[512], dir_m2[512], dir_sp[512];

/* t_tmpdir()/m, /m2 and "/with space", made. */
static void dirs(void)
{
	snprintf(dir_m, sizeof(dir_m), "%s/m", t_tmpdir());
	snprintf(dir_m2, sizeof(dir_m2), "%s/m2", t_tmpdir());
	snprintf(dir_sp, sizeof(dir_sp), "%s/with space", t_tmpdir());
	REQUIRE(!mkdir(dir_m, 0700) && !mkdir(dir_m2, 0700) &&
		!mkdir(dir_sp, 0700));
}

/* Write `text` (printf format, then args) as the mountinfo file. */
static const char *mountinfo(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *mountinfo(const char *fmt, ...)
{
	static char path[600];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/mountinfo", t_tmpdir());
	REQUIRE((f = fopen(path, "w")));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	REQUIRE(!fclose(f));
	return path;
}

/* The string field `key` of o, or "" */
static const char *s(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* The longest mount point above the directory wins, and a mount point
 * that is only a name prefix (m of m2) does not count. */
static void longest(void)
{
	const char *mi;
	json_t *o;

	dirs();
	mi = mountinfo("1 0 253:0 / / rw,relatime - ext4 /dev/vda rw\n"
		       "2 1 7:1 / %s rw,noatime shared:5 - xfs /dev/loop1 "
		       "rw,attr2,inode64\n"
		       "3 1 7:2 / %s rw - btrfs /dev/loop2 rw,ssd\n",
		       dir_m, t_tmpdir());
	REQUIRE((o = mount_info(dir_m2, mi)));
	CHECK(!strcmp(s(o, "point"), t_tmpdir()));
	CHECK(!strcmp(s(o, "fs"), "btrfs"));
	json_decref(o);
	REQUIRE((o = mount_info(dir_m, mi)));
	CHECK(!strcmp(s(o, "point"), dir_m));
	CHECK(!strcmp(s(o, "fs"), "xfs"));
	CHECK(!strcmp(s(o, "source"), "/dev/loop1"));
	CHECK(!strcmp(s(o, "options"), "rw,noatime"));
	CHECK(!strcmp(s(o, "super_options"), "rw,attr2,inode64"));
	CHECK(!strcmp(s(o, "device"), "loop"));
	json_decref(o);
}

/* Of two mounts on one point the later hides the earlier; a mount with
 * the directory's own device is preferred to a longer one without. */
static void hidden(void)
{
	struct stat sb;
	const char *mi;
	json_t *o;

	dirs();
	REQUIRE(!stat(dir_m, &sb));
	mi = mountinfo("1 0 999:1 / / rw - ext4 /dev/vda rw\n"
		       "2 1 999:2 / %s rw - ext4 /dev/loop3 rw\n"
		       "3 1 0:40 / %s rw,nosuid - tmpfs tmpfs rw,size=1024k\n",
		       dir_m, dir_m);
	REQUIRE((o = mount_info(dir_m, mi)));
	CHECK(!strcmp(s(o, "fs"), "tmpfs"));
	CHECK(!strcmp(s(o, "device"), "memory"));
	CHECK(!strcmp(s(o, "super_options"), "rw,size=1024k"));
	json_decref(o);
	mi = mountinfo("1 0 %u:%u / / rw - ext4 /dev/vda rw\n"
		       "2 1 999:2 / %s rw - xfs /dev/loop3 rw\n",
		       major(sb.st_dev), minor(sb.st_dev), t_tmpdir());
	REQUIRE((o = mount_info(dir_m, mi)));
	CHECK(!strcmp(s(o, "point"), "/"));
	CHECK(!strcmp(s(o, "device"), "block"));
	json_decref(o);
}

/* \040 in a mount point and a source is a space. */
static void escapes(void)
{
	char esc[600], *p;
	const char *mi;
	json_t *o;

	dirs();
	snprintf(esc, sizeof(esc), "%s", t_tmpdir());
	strcat(esc, "/with\\040space");
	mi = mountinfo("1 0 999:1 / / rw - ext4 /dev/vda rw\n"
		       "2 1 0:50 / %s rw - nfs4 srv:/a\\040b rw,vers=4.2\n",
		       esc);
	REQUIRE((o = mount_info(dir_sp, mi)));
	CHECK(!strcmp(s(o, "point"), dir_sp));
	CHECK(!strcmp(s(o, "source"), "srv:/a b"));
	CHECK(!strcmp(s(o, "device"), "network"));
	json_decref(o);
	p = strstr(esc, "\\040");
	memcpy(p, "\\04x", 4); /* not an escape: left as it is */
	mi = mountinfo("1 0 999:1 / / rw - ext4 /dev/vda rw\n"
		       "2 1 0:50 / %s rw - nfs4 srv:/x rw\n",
		       esc);
	REQUIRE((o = mount_info(dir_sp, mi)));
	CHECK(!strcmp(s(o, "point"), "/"));
	json_decref(o);
}

/* The device kinds by source and file system. */
static void kinds(void)
{
	static const struct {
		const char *fs, *source, *kind;
	} k[] = {
		{"ext4", "/dev/loop12", "loop"},
		{"ext4", "/dev/loop", "block"},
		{"ext4", "/dev/loop1p2", "block"},
		{"ramfs", "none", "memory"},
		{"overlay", "overlay", "overlay"},
		{"cifs", "//srv/share", "network"},
		{"xfs", "/dev/nvme0n1p1", "block"},
		{"fuse.sshfs", "me@srv:", "other"},
	};
	size_t i;

	dirs();
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		const char *mi = mountinfo("1 0 999:1 / %s rw - %s %s rw\n",
					   dir_m, k[i].fs, k[i].source);
		json_t *o = mount_info(dir_m, mi);

		REQUIRE(o);
		if (strcmp(s(o, "device"), k[i].kind))
			t_fail_at(__FILE__, __LINE__, "%s %s: %s, want %s",
				  k[i].fs, k[i].source, s(o, "device"),
				  k[i].kind);
		json_decref(o);
	}
}

/* Lines without the separator or its two fields, a relative mount point
 * or a bad device are refused; no mount at all, no file, no directory:
 * NULL. */
static void refused(void)
{
	char missing[600];
	const char *mi;
	json_t *o;

	dirs();
	mi = mountinfo("1 0 999:1 / / rw - ext4 /dev/vda rw\n"
		       "2 1 999:2 / %s rw shared:1 xfs /dev/loop1 rw\n"
		       "3 1 999:3 / %s rw - xfs\n"
		       "4 1 999:4 / m rw - xfs /dev/loop4 rw\n"
		       "5 1 x / %s rw - xfs /dev/loop5 rw\n"
		       "6 1 999:6 / %s\n",
		       dir_m, dir_m, dir_m, dir_m);
	REQUIRE((o = mount_info(dir_m, mi)));
	CHECK(!strcmp(s(o, "point"), "/"));
	json_decref(o);
	mi = mountinfo("2 1 999:2 / %s rw - xfs /dev/loop1 rw\n", dir_m);
	CHECK(!mount_info(dir_m2, mi));
	snprintf(missing, sizeof(missing), "%s/none", t_tmpdir());
	CHECK(!mount_info(dir_m, missing));
	CHECK(!mount_info(missing, mi));
}

/* This process's own mounts: the test's directory is on some mount. */
static void real(void)
{
	json_t *o = mount_info(t_tmpdir(), NULL);

	REQUIRE(o);
	CHECK(s(o, "point")[0] == '/');
	CHECK(strncmp(t_tmpdir(), s(o, "point"), strlen(s(o, "point"))) == 0);
	CHECK(s(o, "fs")[0] && s(o, "device")[0]);
	json_decref(o);
}

static const struct t_case cases[] = {
	{"longest", longest}, {"hidden", hidden},   {"escapes", escapes},
	{"kinds", kinds},     {"refused", refused}, {"real", real},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, "mount", cases);
}
