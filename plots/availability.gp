# plots/availability.gp: the long-run availability of a scenario (`topsim availability`).
#
# Left: downtime per year by cause (incident class and stage), a horizontal bar per cause
# with its interval across batches of years, most downtime at the top, the value beside
# it. Right: the distribution of a single year's downtime as a survival curve: the fraction
# of years with more downtime than x, through the stored p50 (0.5), p90 (0.1) and p99
# (0.01), and the worst of all the simulated years drawn at 1/years; the dashed line is the
# mean downtime per year. Both x axes in minutes per year.
#
# Data (written by `topsim plot DB availability`, in datadir):
#   meta.gp     title, causes, has_yearly, years, level, downtime, downtime_half (min/year),
#               write_availability
#   causes.dat  row, downtime (min/year), low, high, incidents/year, samples, "cause"
#   yearly.dat  a year's downtime (min), fraction of years with more, "label"
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/availability.gp

load datadir.'/meta.gp'

rows = causes > 0 ? causes : 1
height = 380 > 160 + 30 * rows ? 380 : 160 + 30 * rows
if (term eq 'svg') {
    set terminal svg size 1200, height font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size 1200, height font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

data = datadir.'/causes.dat'
set multiplot title sprintf("Availability: writes %.7f, downtime %.4g +- %.3g min/year (%.0f%% interval)\n%s", \
    write_availability, downtime, downtime_half, 100 * level, title) font ',12'
set grid xtics lc rgb '#dddddd'

# downtime by cause
set origin 0, 0
set size 0.62, 0.9
set lmargin at screen 0.36
set rmargin at screen 0.6
set title 'downtime per year by cause (bars: mean; whiskers: interval)'
set xlabel 'downtime (min/year)'
set yrange [rows + 0.5:0.5]
set xrange [0:*]
set ytics () font ',9'
if (causes > 0) {
    set ytics () nomirror font ',9'
    plot data using (0):1:(0):2:($1 - 0.35):($1 + 0.35):ytic(7) with boxxyerror \
             fs solid 0.5 lc rgb '#377eb8' notitle, \
         data using 2:1:3:4 with xerrorbars pt -1 lc rgb 'black' lw 1.2 notitle, \
         data using 4:1:(sprintf('%.3g', $2)) with labels left offset 0.6, 0 font ',9' notitle
} else {
    set label 1 'no outage in the simulated years' at graph 0.5, 0.5 center
    plot NaN notitle
    unset label 1
}

# a single year's downtime
set origin 0.62, 0
set size 0.38, 0.9
set lmargin at screen 0.68
set rmargin at screen 0.97
unset ytics
set ytics
set title "a single year's downtime: fraction of years with more"
set xlabel 'downtime in a year (min)'
set ylabel 'fraction of years with more'
set logscale y
set format y '%g'
set yrange [0.5 / years:1]
set autoscale x
set logscale x
set grid xtics ytics
if (has_yearly) {
    set arrow 1 from downtime, graph 0 to downtime, graph 1 nohead lc rgb '#cc0000' dt 2
    set label 2 'mean' at downtime, graph 0.95 left offset 0.5, 0 tc rgb '#cc0000' font ',9'
    plot datadir.'/yearly.dat' using ($1 > 0 ? $1 : NaN):2 with linespoints pt 7 ps 1 \
             lw 1.5 lc rgb '#e41a1c' notitle, \
         '' every ::0::2 using ($1 > 0 ? $1 : NaN):2:3 with labels left offset 0.8, 0.4 \
             font ',9' notitle, \
         '' every ::3::3 using ($1 > 0 ? $1 : NaN):2:3 with labels right offset -0.8, 0.4 \
             font ',9' notitle
} else {
    unset logscale x
    set label 2 "not estimated (importance sampling, or no downtime)" at graph 0.5, 0.5 center
    plot [0:1] NaN notitle
}
unset multiplot
