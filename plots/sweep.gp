# plots/sweep.gp: one metric across the points of a sweep (topsim sweep): the mean across
# replications with its 95% Student-t interval. A sweep over one numeric axis is drawn
# against the swept value (x axis in its unit, from the variant_params table); otherwise the
# points in the order they were run, named by their values (e.g. mirror.qos_timeout=2s).
#
# Data (written by `topsim plot DB sweep [--metric NAME[:QUAL]]`, in datadir):
#   meta.gp      title, ylabel, baseline, variants, numeric (1: one numeric axis), xlabel
#   compare.dat  point, mean, 95% low, 95% high, replications, "point",
#                difference from the first point: mean, 95% low, 95% high, pairs,
#                the point's value on the numeric axis (its index when not numeric)
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/sweep.gp

load datadir.'/meta.gp'

width = 500 + 90 * variants
if (term eq 'svg') {
    set terminal svg size width, 480 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size width, 480 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

set title title
set ylabel ylabel
set yrange [0:*]
set grid ytics lc rgb '#dddddd'
set key below
if (numeric) {
    set xlabel xlabel
    set grid xtics lc rgb '#dddddd'
    set offsets graph 0.05, graph 0.05, 0, 0
    plot datadir.'/compare.dat' using 11:2 with linespoints pt 7 lw 2 lc rgb '#377eb8' \
             title 'mean', \
         '' using 11:2:3:4 with yerrorbars pt 7 lc rgb 'black' title '95% interval'
} else {
    set xrange [0.5:variants + 0.5]
    set xtics rotate by -30 nomirror
    plot datadir.'/compare.dat' using 1:2:xtic(6) with linespoints pt 7 lw 2 lc rgb '#377eb8' \
             title 'mean', \
         '' using 1:2:3:4 with yerrorbars pt 7 lc rgb 'black' title '95% interval'
}
