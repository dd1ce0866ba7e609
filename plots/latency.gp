# plots/latency.gp: latency CDF per operation class of one run, log x, with the stored p50,
# p99 and p99.9 marked. Drawn as steps: the CDF is flat across empty histogram buckets.
#
# Data (written by `topsim plot DB latency`, in datadir):
#   meta.gp        title, classes, class_names
#   cdf.dat        one block per class (gnuplot index c-1): latency (ms) at a histogram
#                  bucket's upper bound, fraction of requests at most that
#   quantiles.dat  one block per class: quantile (ms), fraction, "label"
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/latency.gp

load datadir.'/meta.gp'

if (term eq 'svg') {
    set terminal svg size 800, 560 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size 800, 560 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

set title "Latency CDF per operation class\n".title
# y is the number of nines of the cumulative fraction F, -log10(1 - F), so the tail
# (p99, p99.9) gets as much room as the body; 0.9999 and above are drawn at 4.
nines(F) = F < 0.9999 ? -log10(1 - F) : 4
set logscale x
set format x '%g'
set xlabel 'latency (ms, log scale)'
set ylabel 'fraction of requests at or below'
set yrange [0:4.2]
set ytics ('0' 0, '0.5' nines(0.5), '0.9' 1, '0.99' 2, '0.999' 3, '0.9999 and up' 4)
set grid xtics mxtics ytics lc rgb '#dddddd'
set key top left

plot for [c=1:classes] datadir.'/cdf.dat' index (c - 1) using 1:(nines($2)) with steps lw 2 \
         lt c title word(class_names, c), \
     for [c=1:classes] datadir.'/quantiles.dat' index (c - 1) using 1:(nines($2)) \
         with points pt 7 ps 1 lt c notitle, \
     for [c=1:classes] datadir.'/quantiles.dat' index (c - 1) using 1:(nines($2)):3 \
         with labels left offset 0.8, 0.9 * (classes - c) font ',8' tc lt c notitle
