# plots/utilisation.gp: CPU utilisation per host and IOPS utilisation per volume over a run.
#
# Top: CPU utilisation of each IRIS host since the end of the warm-up, at the end of each
# time-series bucket (the cpu_utilisation series), so a running average. Bottom: each
# volume's IOPS utilisation within each bucket (the volume_iops_utilisation series: IO units
# admitted over the sustained IOPS limit; above 100% while a gp2 volume bursts), drawn as
# steps over the bucket.
#
# Data (written by `topsim plot DB utilisation`, in datadir):
#   meta.gp          title, hosts, host_names, volumes, volume_names, warmup (s)
#   utilisation.dat  one block per host (gnuplot index h-1): t (s), CPU utilisation (%)
#   volumes.dat      one block per volume (index v-1): t at the bucket's end (s), IOPS
#                    utilisation in the bucket (%)
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/utilisation.gp

load datadir.'/meta.gp'

if (term eq 'svg') {
    set terminal svg size 800, 800 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size 800, 800 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

set multiplot layout 2, 1 title title font ',12'
# the same plot area in both panels whatever the keys' widths
set lmargin at screen 0.09
set rmargin at screen 0.76
set xlabel 'simulated time (s)'
set yrange [0:1<*]
set grid xtics ytics lc rgb '#dddddd'
set key outside right top font ',9'
if (warmup > 0) {
    set arrow 1 from warmup, graph 0 to warmup, graph 1 nohead lc rgb 'gray' dt 2
    set label 1 'end of warm-up' at warmup, graph 0.95 left offset 0.5, 0 font ',9'
}

set title 'CPU utilisation per host (since the warm-up)'
set ylabel 'CPU utilisation (%)'
if (hosts > 0) {
    plot for [h=1:hosts] datadir.'/utilisation.dat' index (h - 1) using 1:2 with linespoints \
             pt 7 ps 0.5 lw 1.5 lt h title word(host_names, h)
} else {
    set label 2 'no CPU series in this run' at graph 0.5, 0.5 center
    plot NaN notitle
    unset label 2
}

set title 'IOPS utilisation per volume (in each bucket; above 100% while gp2 bursts)'
set ylabel 'IOPS utilisation (%)'
if (volumes > 0) {
    plot for [v=1:volumes] datadir.'/volumes.dat' index (v - 1) using 1:2 with steps \
             lw 1.5 lt v dashtype 1 + (v - 1) / 8 title word(volume_names, v)
} else {
    set label 2 'no volume series in this run' at graph 0.5, 0.5 center
    plot NaN notitle
}
unset multiplot
