# bars.gp - one cluster of bars per workload, one bar per strategy row,
# log y; the figure script sets ylabel first. Reads meta.gp's nw, W (tick
# labels), ns, S (series), nl, L (reference lines), title, and the data
# files bars.dat (block s: "workload-index value" for series s) and
# limits.dat (block k: a short line across each workload for L[k]).

bw = 0.8 / ns
set xrange [0.5:nw + 0.5]
set xtics () scale 0
do for [i=1:nw] { set xtics add (W[i] i) }
set logscale y 10
if (exists("ylo")) { set yrange [ylo:yhi] }
set format y "%g"
set mytics 10
set title title
set bmargin 4
# gather-limit dotted, pwrite-limit dashed (the tune figures say the same);
# the warm-memory ones grey
limit_dt(name) = name[1:12] eq "gather-limit" ? 3 : 2
limit_lc(name) = strstrt(name, " warm") ? "#888888" : "black"

if (nl > 0) {
	plot for [s=1:ns] "bars.dat" index (s - 1) \
		using ($1 + (s - (ns + 1) / 2.0) * bw):2:(bw) with boxes lt s title S[s], \
	     for [k=1:nl] "limits.dat" index (k - 1) using 1:2 with lines \
		lc rgb limit_lc(L[k]) lw 2 dt limit_dt(L[k]) title L[k]
} else {
	plot for [s=1:ns] "bars.dat" index (s - 1) \
		using ($1 + (s - (ns + 1) / 2.0) * bw):2:(bw) with boxes lt s title S[s]
}
