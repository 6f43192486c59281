/*
 * files.h - files and directories the harness reads and writes.
 */
#ifndef IOVBENCH_ENGINE_FILES_H
#define IOVBENCH_ENGINE_FILES_H

#include <stddef.h>

/* Read the whole regular file `path` into a new buffer (*buf, freed by
 * the caller; one byte more, a NUL, follows the data) of *len bytes.
 * 0 or a negative errno (-EISDIR for a directory). */
int file_read_all(const char *path, unsigned char **buf, size_t *len);

/* Write a whole string to `path` atomically (through libiovw: a
 * temporary file renamed over it). 0 or a negative errno. */
int file_write_text(const char *path, const char *text);

/* Create a new directory "PARENT/iovbench-WHAT-XXXXXX" into buf, where
 * PARENT is `parent`, else $TMPDIR, else /tmp. 0 or a negative errno. */
int dir_make_temp(char *buf, size_t n, const char *parent, const char *what);

/* Remove a directory tree, or a file (best effort, links not followed). */
void dir_remove(const char *path);

#endif
