# plots/utilisation.gp: CPU utilisation per host over a run. Each point is the host's
# utilisation since the end of the warm-up, at the end of a time-series bucket (the
# cpu_utilisation series), so it is a running average.
#
# Data (written by `topsim plot DB utilisation`, in datadir):
#   meta.gp          title, hosts, host_names, warmup (s)
#   utilisation.dat  one block per host (gnuplot index h-1): t (s), CPU utilisation (%)
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/utilisation.gp

load datadir.'/meta.gp'

if (term eq 'svg') {
    set terminal svg size 800, 480 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size 800, 480 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

set title "CPU utilisation per host (since the warm-up)\n".title
set xlabel 'simulated time (s)'
set ylabel 'CPU utilisation (%)'
set yrange [0:1<*]
set grid xtics ytics lc rgb '#dddddd'
set key outside right top
if (warmup > 0) {
    set arrow 1 from warmup, graph 0 to warmup, graph 1 nohead lc rgb 'gray' dt 2
    set label 1 'end of warm-up' at warmup, graph 0.95 left offset 0.5, 0 font ',9'
}
plot for [h=1:hosts] datadir.'/utilisation.dat' index (h - 1) using 1:2 with linespoints \
         pt 7 ps 0.5 lw 1.5 lt h title word(host_names, h)
