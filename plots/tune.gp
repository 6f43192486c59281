# tune.gp - pwritev throughput along one of `iovbench tune`'s sweeps (the
# batch limit, or the coalescing threshold), one line per workload, that
# workload's pwrite-limit (dashed) and gather-limit (dotted) in its colour,
# and the setting tune chose (open circle) where it lies on this sweep.
# Run by scripts/plots.sh in a directory holding term.gp, meta.gp
# (nw, W, xlo, xhi, xtics, xlabel, title), sweep.dat (block w: "x y"),
# limits.dat (blocks 2w-2, 2w-1: pwrite-limit, gather-limit of workload w)
# and best.dat ("x y workload-index").
load "term.gp"
load "meta.gp"
load plotdir . "/style.gp"
set logscale x 2
set logscale y 10
set format y "%g"
set mytics 10
set grid xtics
set xrange [xlo:xhi]
set xlabel xlabel
set ylabel "throughput (MiB/s, log scale)"
set title title

plot for [w=1:nw] "sweep.dat" index (w - 1) using 1:2 with linespoints lt w title W[w], \
     for [w=1:nw] "limits.dat" index (2 * w - 2) using 1:2 with lines lt w lw 1.5 dt 2 notitle, \
     for [w=1:nw] "limits.dat" index (2 * w - 1) using 1:2 with lines lt w lw 1.5 dt 3 notitle, \
     "best.dat" using 1:2:3 with points pt 6 ps 2.5 lw 2 lc variable notitle, \
     keyentry with lines lc rgb "black" lw 1.5 dt 2 title "pwrite-limit", \
     keyentry with lines lc rgb "black" lw 1.5 dt 3 title "gather-limit", \
     keyentry with points lc rgb "black" pt 6 ps 2 lw 2 title "tune's best"
