# style.gp - the look shared by every figure. Loaded by the figure scripts
# after term.gp (fmt, out, plotdir) and meta.gp (width, height, ...), both
# written by scripts/plots.sh into the directory gnuplot runs in.

if (!exists("width")) width = 960
if (!exists("height")) height = 540
# fonts are whatever fontconfig finds; nothing depends on their metrics
if (fmt eq "svg") {
	set terminal svg size width,height noenhanced font "sans,12" background "white"
} else {
	if (fmt eq "pngcairo") {
		set terminal pngcairo size width,height noenhanced font "sans,10" background "white"
	} else {
		set terminal png size width,height noenhanced background "white"
	}
}
set output out

# Okabe-Ito colours (readable by the colour-blind), then greys; a series
# keeps its colour in every figure drawn from one report
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 1.0 dt solid
set linetype 2 lc rgb "#E69F00" lw 2 pt 5 ps 1.0 dt solid
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 1.2 dt solid
set linetype 4 lc rgb "#D55E00" lw 2 pt 11 ps 1.2 dt solid
set linetype 5 lc rgb "#CC79A7" lw 2 pt 13 ps 1.2 dt solid
set linetype 6 lc rgb "#56B4E9" lw 2 pt 7 ps 1.0 dt solid
set linetype 7 lc rgb "#999933" lw 2 pt 5 ps 1.0 dt solid
set linetype 8 lc rgb "#882255" lw 2 pt 9 ps 1.2 dt solid
set linetype 9 lc rgb "#666666" lw 2 pt 11 ps 1.2 dt solid
set linetype 10 lc rgb "#AAAAAA" lw 2 pt 13 ps 1.2 dt solid
set linetype cycle 10

set border 3 lw 1
set tics nomirror out
set grid ytics mytics lc rgb "#DDDDDD" lw 1 dt solid
set key outside right top vertical Left reverse noopaque nobox spacing 1.2
set style fill solid 0.85 border -1
