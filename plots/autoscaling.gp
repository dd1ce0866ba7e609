# plots/autoscaling.gp: size of the compute nodes' Auto Scaling group over a run: nodes up
# and registered (warming included) and nodes launching, at the end of each time-series
# bucket (series asg_in_service and asg_launching; docs/models.md §14.1).
#
# Data (written by `topsim plot DB autoscaling`, in datadir):
#   meta.gp          title, warmup (s)
#   autoscaling.dat  t (s), nodes in service, nodes launching
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/autoscaling.gp

load datadir.'/meta.gp'

if (term eq 'svg') {
    set terminal svg size 800, 400 font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size 800, 400 font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

set title "Compute nodes of the Auto Scaling group\n".title
set xlabel 'simulated time (s)'
set ylabel 'nodes'
set yrange [0:*]
set grid xtics ytics lc rgb '#dddddd'
set key outside right top
if (warmup > 0) {
    set arrow 1 from warmup, graph 0 to warmup, graph 1 nohead lc rgb 'gray' dt 2
    set label 1 'end of warm-up' at warmup, graph 0.95 left offset 0.5, 0 font ',9'
}
plot datadir.'/autoscaling.dat' using 1:2 with steps lw 2 lt 1 title 'in service', \
     datadir.'/autoscaling.dat' using 1:3 with steps lw 2 lt 2 title 'launching'
