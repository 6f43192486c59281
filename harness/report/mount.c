/*
 * mount.c - the mount a directory lives on (see mount.h).
 *
 * A line of mountinfo (proc(5)):
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw
 *   id parent dev root point options [optional...] - fstype source super
 * with space, tab, newline and backslash in paths written as \ooo. The
 * mount of a directory is, among those whose mount point is its real path
 * or a directory above it, one whose device is the directory's (st_dev),
 * if any (a later mount on a directory above hides an earlier one below),
 * then the longest mount point, then the last listed (a later mount on
 * the same point hides the earlier ones). btrfs gives st_dev numbers of
 * its own, which no line lists: then the longest mount point decides.
 */
#include "report/mount.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The fields of a mountinfo line that a report records. */
struct mnt {
	unsigned maj, min;
	char *point, *options, *fs, *source, *super;
};

/* Decode \ooo escapes in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Split a line (modified in place) into m; 0, or -1 if malformed. */
static int parse_line(char *line, struct mnt *m)
{
	char *f[6], *save = NULL, *t;
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (t = strtok_r(line, " ", &save); t && n < 6;
	     t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n < 6 || sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
		return -1;
	m->point = f[4];
	m->options = f[5];
	while (t && strcmp(t, "-")) /* optional fields, up to "-" */
		t = strtok_r(NULL, " ", &save);
	if (!t || !(m->fs = strtok_r(NULL, " ", &save)) ||
	    !(m->source = strtok_r(NULL, " ", &save)))
		return -1;
	m->super = strtok_r(NULL, " ", &save);
	if (!m->super)
		m->super = "";
	unescape(m->point);
	unescape(m->source);
	return m->point[0] == '/' ? 0 : -1;
}

/* The length of `point` if it is `path` or a directory above it, else 0
 * ("/" counts as length 1). */
static size_t prefix_len(const char *point, const char *path)
{
	size_t n = strlen(point);

	if (n == 1)
		return 1;
	if (strncmp(point, path, n) || (path[n] && path[n] != '/'))
		return 0;
	return n;
}

/* What kind of device holds the file system. */
static const char *device_kind(const struct mnt *m)
{
	static const char *const net[] = {"nfs",  "nfs4", "cifs",
					  "smb3", "9p",	  "ceph"};
	size_t i;

	if (!strcmp(m->fs, "tmpfs") || !strcmp(m->fs, "ramfs"))
		return "memory";
	if (!strncmp(m->source, "/dev/loop", 9) && m->source[9] >= '0' &&
	    m->source[9] <= '9' &&
	    strspn(m->source + 9, "0123456789") == strlen(m->source + 9))
		return "loop";
	for (i = 0; i < sizeof(net) / sizeof(net[0]); i++)
		if (!strcmp(m->fs, net[i]))
			return "network";
	if (!strcmp(m->fs, "overlay"))
		return "overlay";
	if (!strncmp(m->source, "/dev/", 5))
		return "block";
	return "other";
}

/* The first line of /sys/block/DEV/loop/WHAT into buf; 0 or -1. */
static int loop_attr(const char *dev, const char *what, char *buf, size_t n)
{
	char path[128];
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "/sys/block/%s/loop/%s", dev, what);
	if (!(f = fopen(path, "r")))
		return -1;
	if (fgets(buf, (int)n, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		rc = buf[0] ? 0 : -1;
	}
	fclose(f);
	return rc;
}

/* The backing file of loop device `source` ("/dev/loopN") and whether it
 * is read and written with direct I/O into o, if the kernel says. */
static void loop_backing(const char *source, json_t *o)
{
	char buf[PATH_MAX + 2];

	if (!loop_attr(source + 5, "backing_file", buf, sizeof(buf)))
		json_object_set_new(o, "backing_file", json_string(buf));
	if (!loop_attr(source + 5, "dio", buf, sizeof(buf)))
		json_object_set_new(o, "direct_io",
				    json_boolean(!strcmp(buf, "1")));
}

static json_t *mount_json(const struct mnt *m)
{
	const char *kind = device_kind(m);
	json_t *o =
		json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "point", m->point, "fs",
			  m->fs, "source", m->source, "options", m->options,
			  "super_options", m->super, "device", kind);

	if (o && !strcmp(kind, "loop"))
		loop_backing(m->source, o);
	return o;
}

json_t *mount_info(const char *dir, const char *mountinfo)
{
	char real[PATH_MAX], *line = NULL, *best = NULL;
	size_t cap = 0, best_len = 0;
	int best_dev = 0;
	struct stat sb;
	json_t *o = NULL;
	FILE *f;

	if (!realpath(dir, real) || stat(real, &sb) < 0)
		return NULL;
	if (!(f = fopen(mountinfo ? mountinfo : "/proc/self/mountinfo", "r")))
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char *copy = strdup(line);
		struct mnt m;
		size_t n;
		int dev;

		if (!copy)
			break;
		if (parse_line(copy, &m) || !(n = prefix_len(m.point, real))) {
			free(copy);
			continue;
		}
		dev = m.maj == major(sb.st_dev) && m.min == minor(sb.st_dev);
		if (dev > best_dev || (dev == best_dev && n >= best_len)) {
			free(best);
			best = strdup(line);
			best_len = n;
			best_dev = dev;
		}
		free(copy);
	}
	fclose(f);
	free(line);
	if (best) {
		struct mnt m;

		if (!parse_line(best, &m))
			o = mount_json(&m);
		free(best);
	}
	return o;
}
