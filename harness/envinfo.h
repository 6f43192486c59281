/*
 * envinfo.h - the machine a report was measured on.
 */
#ifndef IOVBENCH_ENVINFO_H
#define IOVBENCH_ENVINFO_H

#include <jansson.h>

/* The report's "env" object for output directory `dir`. */
json_t *env_info(const char *dir);

/* The file system type of `path` ("ext4", "tmpfs", ... or "0x..."). */
const char *env_fs_type(const char *path, char *buf, size_t n);

/* The host name, for report file names. */
const char *env_host(char *buf, size_t n);

#endif
