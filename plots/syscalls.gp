# syscalls.gp - system calls (all kinds, inside the measured region) per
# MiB written, per strategy row and workload, log y. Run by
# scripts/plots.sh (term.gp, meta.gp, bars.dat).
load "term.gp"
load "meta.gp"
load plotdir . "/style.gp"
set ylabel "system calls per MiB written (log scale)"
load plotdir . "/bars.gp"
