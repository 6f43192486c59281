/*
 * env.h - the machine a report was measured on.
 */
#ifndef IOVBENCH_REPORT_ENV_H
#define IOVBENCH_REPORT_ENV_H

#include <jansson.h>

/* The report's "env" object for output directory `dir`. */
json_t *env_info(const char *dir);

#endif
