/*
 * mount.h - the mount a directory lives on, as /proc/self/mountinfo says.
 */
#ifndef IOVBENCH_REPORT_MOUNT_H
#define IOVBENCH_REPORT_MOUNT_H

#include <jansson.h>

/* The report env's "mount" object for directory `dir`: "point" (the mount
 * point), "fs" (the file system type as mounted), "source", "options"
 * (the mount's own), "super_options" (the file system's) and "device"
 * (loop, memory, block, network, overlay or other), and for a loop device
 * its "backing_file" and "direct_io" (true: the image is read and written
 * with direct I/O) when the kernel tells them. Read from the mountinfo
 * file `mountinfo` (NULL: /proc/self/mountinfo). Returns a new object the
 * caller owns, or NULL when `dir` or the file cannot be read or no mount
 * holds `dir`. */
json_t *mount_info(const char *dir, const char *mountinfo);

#endif
