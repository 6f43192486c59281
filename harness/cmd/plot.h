/*
 * plot.h - iovbench plot: figures from reports, by the installed plot
 * scripts.
 */
#ifndef IOVBENCH_CMD_PLOT_H
#define IOVBENCH_CMD_PLOT_H

/* iovbench plot REPORT... -o DIR [-f FORMATS]: runs the plot scripts of
 * the data directory (plot.c says where it looks) in place of this
 * process; returns only on a usage or runtime error, its exit code. */
int cmd_plot(int argc, char **argv);

#endif
