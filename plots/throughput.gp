# throughput.gp - throughput of every strategy row per workload (bars),
# with gather-limit and pwrite-limit of that workload drawn across it.
# Run by scripts/plots.sh in a directory holding term.gp, meta.gp,
# bars.dat and limits.dat.
load "term.gp"
load "meta.gp"
load plotdir . "/style.gp"
set ylabel "throughput (MiB/s, log scale)"
load plotdir . "/bars.gp"
