/*
 * history.h - what iovbench history's files share.
 */
#ifndef IOVBENCH_CMD_HISTORY_H
#define IOVBENCH_CMD_HISTORY_H

#include "cmd/cli.h"
#include "history/history.h"
#include "stats/changepoint.h"

/* iovbench history plot: the ratio series f selects (those with a ratio,
 * at most 8) and their change points (options cp) drawn by gnuplot into
 * out (.png: PNG, otherwise SVG), written whole or not at all. Returns
 * the exit code after saying what went wrong. h stays the caller's. */
int history_plot(struct history *h, const struct hist_filter *f,
		 const struct cp_opts *cp, const char *out);

#endif
