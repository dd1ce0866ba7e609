# plots/rto.gp: RTO and RPO of every incident across replications, per fault kind and
# target: box plots (median, quartiles, whiskers at 1.5 IQR) with every incident drawn as a
# point over them.
#
# Data (written by `topsim plot DB rto`, in datadir):
#   meta.gp        title, kinds, incidents, kind_name[]
#   incidents.dat  kind, x (kind with a per-replication offset), RTO (s), RPO (commits),
#                  RPO span (ms), replication, run, "kind target"
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/rto.gp

load datadir.'/meta.gp'

width = 300 + 260 * kinds * 2
if (term eq 'svg') {
    set terminal svg size width, 520 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size width, 520 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

data = datadir.'/incidents.dat'
set multiplot layout 1, 2 title "RTO and RPO across replications (".incidents." incidents)\n".title
set xrange [0.5:kinds + 0.5]
set xtics () nomirror
do for [k=1:kinds] { set xtics add (kind_name[k] k) }
set grid ytics lc rgb '#dddddd'
set style fill solid 0.25 border
set style boxplot nooutliers
set boxwidth 0.5
set key below

set title 'RTO: fault start to writes accepted again'
set ylabel 'RTO (s)'
set yrange [0:*]
plot for [k=1:kinds] data using (k):($1 == k ? $3 : NaN) with boxplot lc rgb '#377eb8' \
         notitle, \
     data using 2:3 with points pt 7 ps 0.8 lc rgb '#e41a1c' title 'one incident'

set title 'RPO: acknowledged commits lost'
set ylabel 'RPO (commits)'
set yrange [0:1<*]
plot for [k=1:kinds] data using (k):($1 == k ? $4 : NaN) with boxplot lc rgb '#377eb8' \
         notitle, \
     data using 2:4 with points pt 7 ps 0.8 lc rgb '#e41a1c' title 'one incident'
unset multiplot
