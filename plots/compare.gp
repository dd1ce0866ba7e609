# plots/compare.gp: one run metric per variant of an experiment (compare or sweep): the
# mean across replications with its 95% Student-t interval.
#
# Data (written by `topsim plot DB compare [--metric NAME[:QUAL]]`, in datadir):
#   meta.gp      title, ylabel, variants
#   compare.dat  variant, mean, 95% low, 95% high, replications, "variant"
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/compare.gp

load datadir.'/meta.gp'

width = 360 + 110 * variants
if (term eq 'svg') {
    set terminal svg size width, 480 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size width, 480 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

set title title
set ylabel ylabel
set xlabel 'variant'
set xrange [0.4:variants + 0.6]
set yrange [0:*]
set grid ytics lc rgb '#dddddd'
set style fill solid 0.3 border
set boxwidth 0.6
set xtics rotate by -30 nomirror
plot datadir.'/compare.dat' using 1:2:xtic(6) with boxes lc rgb '#377eb8' title 'mean', \
     '' using 1:2:3:4 with yerrorbars pt 7 lc rgb 'black' title '95% interval'
