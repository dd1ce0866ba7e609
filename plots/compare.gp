# plots/compare.gp: one metric per variant of an experiment (topsim compare): left, the mean
# across replications with its 95% Student-t interval; right, the paired difference from the
# first variant (replication by replication, common random numbers) with its 95% interval.
# A difference whose bar does not cross 0 is significant at 5%.
#
# Data (written by `topsim plot DB compare [--metric NAME[:QUAL]]`, in datadir):
#   meta.gp      title, ylabel, baseline, variants
#   compare.dat  variant, mean, 95% low, 95% high, replications, "variant",
#                difference: mean, 95% low, 95% high, pairs
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/compare.gp

load datadir.'/meta.gp'

width = 500 + 220 * variants
if (term eq 'svg') {
    set terminal svg size width, 520 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size width, 520 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

data = datadir.'/compare.dat'
set multiplot layout 1, 2 title title
set xrange [0.4:variants + 0.6]
set grid ytics lc rgb '#dddddd'
set style fill solid 0.3 border
set boxwidth 0.6
set xtics rotate by -30 nomirror
set key below

set title 'per variant'
set ylabel ylabel
set yrange [0:*]
plot data using 1:2:xtic(6) with boxes lc rgb '#377eb8' title 'mean', \
     '' using 1:2:3:4 with yerrorbars pt 7 lc rgb 'black' title '95% interval'

set title 'paired difference from '.baseline
set ylabel 'difference in '.ylabel
set yrange [*<0:0<*]
set xzeroaxis lt -1 lw 1.5
plot data using 1:7:xtic(6) with boxes lc rgb '#ff7f00' title 'mean difference', \
     '' using 1:7:8:9 with yerrorbars pt 7 lc rgb 'black' title '95% interval'
unset multiplot
