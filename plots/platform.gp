# platform.gp - every strategy row's throughput relative to pwrite-limit
# (same run, same bytes) per workload, one bar per report ("host fs"), so
# machines and file systems can be compared with their speed cancelled.
# Run by scripts/plots.sh in a directory holding term.gp, meta.gp (nr, R,
# nc, CL, CX, ng, G, GX, nsep, SEP, xhi, title) and bars.dat (block r:
# "x ratio" for report r).
load "term.gp"
load "meta.gp"
load plotdir . "/style.gp"
bw = 0.8 / nr
set xrange [0.4:xhi + 0.6]
set xtics () scale 0 rotate by 40 right
do for [i=1:nc] { set xtics add (CL[i] CX[i]) }
do for [g=1:ng] { set label g G[g] at first GX[g], graph 1.0 center offset 0,0.9 }
do for [k=1:nsep] { set arrow k from first SEP[k], graph 0 to first SEP[k], graph 1 nohead lc rgb "#BBBBBB" }
set arrow nsep + 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "black" lw 1.5 dt 2
set logscale y 10
if (exists("ylo")) { set yrange [ylo:yhi] }
set format y "%g"
set mytics 10
set ylabel "throughput / pwrite-limit (log scale)"
set title title offset 0,1
set tmargin 5
set bmargin 9

plot for [r=1:nr] "bars.dat" index (r - 1) \
	using ($1 + (r - (nr + 1) / 2.0) * bw):2:(bw) with boxes lt r title R[r], \
     keyentry with lines lc rgb "black" lw 1.5 dt 2 title "pwrite-limit = 1"
