# rss.gp - peak RSS growth of the write region per strategy row and
# workload (MiB, log y: buffer and mmap hold the whole file, pwritev
# almost nothing). Run by scripts/plots.sh (term.gp, meta.gp, bars.dat).
load "term.gp"
load "meta.gp"
load plotdir . "/style.gp"
set ylabel clamped > 0 ? "peak RSS growth (MiB, log scale; under 4 KiB drawn at 4 KiB)" \
                       : "peak RSS growth (MiB, log scale)"
load plotdir . "/bars.gp"
