# plots/timeline.gp: throughput, errors per second and latency around each incident, over
# the replications of a scenario.
#
# Columns: one per incident (at most 4). Rows: throughput (1/s), errors (1/s), latency p50
# (dashed) and p99 (solid) in ms on a log axis, and the timeline events. Time is relative to
# the fault start of each replication. Lines are the mean over the replications; with more
# than one, the shaded band around throughput, errors and p99 is their range (min to max).
# The fault start (x = 0, black) and the mean RTO end (red) are dashed lines; the RTO stages
# (detect, decide, transition, reroute, reconnect; mean durations) are bands. The events are
# those of the first replication, in rows chosen so that nearby labels do not overlap (the
# picture's geometry here must match TL_PANEL_PX in sim/cli/cmd_plot.c).
#
# Data (written by `topsim plot DB timeline`, in datadir):
#   meta.gp        title, incidents, classes, class_names, replications, rto[], rpo[],
#                  xmin[], xmax[], errors_max[] (1/s), incident_title[], pooled[],
#                  unlabelled[] (events drawn without a label: no free row)
#   series-K.dat   t (s), then per class: throughput (1/s), errors (1/s), p50 (ms), p99 (ms)
#   band-K.dat     t (s), then per class: min and max of the same four
#   stages-K.dat   stage, start (s), end (s)
#   events-K.dat   t (s), row (5 down to 0), label (0 after the point, 1 before it, 2 none),
#                  "event"
# Run by hand:
#   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/timeline.gp

load datadir.'/meta.gp'

width = 150 + 640 * incidents
height = 1000
if (term eq 'svg') {
    set terminal svg size width, height font 'Helvetica,11' noenhanced background rgb 'white'
} else {
    set terminal pngcairo size width, height font 'Helvetica,10' noenhanced background rgb 'white'
}
set output outfile

stage_names = 'detect operator decide transition restore freeze reroute reconnect'
array stage_colour[8] = ['#e41a1c', '#a65628', '#ff7f00', '#377eb8', '#f781bf', '#66c2a5', '#4daf4a', '#984ea3']
series(k) = datadir.'/series-'.k.'.dat'
stages(k) = datadir.'/stages-'.k.'.dat'
events(k) = datadir.'/events-'.k.'.dat'
band(k) = datadir.'/band-'.k.'.dat'
# band columns of class c and figure m (1 throughput, 2 errors, 3 p50, 4 p99)
bmin(c, m) = column(2 + 8 * (c - 1) + 2 * (m - 1))
bmax(c, m) = column(3 + 8 * (c - 1) + 2 * (m - 1))

set multiplot title title font ',13'
set grid xtics ytics lc rgb '#dddddd'
set style fill transparent solid 0.2 noborder
set y2range [0:1]
unset y2tics
set key font ',9' samplen 2

col_w = 0.96 / incidents
rows_h = 0.92
row_h = rows_h / 4

do for [k=1:incidents] {
    x0 = 0.02 + (k - 1) * col_w
    set xrange [xmin[k]:xmax[k]]
    unset arrow
    set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb 'black' dt 2 lw 1.5
    if (rto[k] >= 0) {
        set arrow 2 from rto[k], graph 0 to rto[k], graph 1 nohead lc rgb '#cc0000' dt 2 lw 1.5
    }
    # Fixed margins (in pixels of the picture) keep the panels aligned; the keys sit in
    # the right margin, beside the data.
    set lmargin at screen x0 + 75.0 / width
    set rmargin at screen x0 + col_w - 130.0 / width

    # throughput
    set origin x0, 0.04 + 3 * row_h
    set size col_w, row_h
    set key at screen x0 + col_w, 0.04 + 4 * row_h - 0.03 right top
    set title incident_title[k] font ',11'
    set ylabel 'throughput (1/s)'
    set xlabel ''
    set format x ''
    set autoscale y
    nb = pooled[k] > 1 ? classes : 0
    plot for [s=1:8] stages(k) every ::s-1::s-1 using (($2+$3)/2):(0.5):2:3:(0):(1) \
             axes x1y2 with boxxyerror lc rgb stage_colour[s] title word(stage_names, s), \
         for [c=1:nb] band(k) using 1:(bmin(c, 1)):(bmax(c, 1)) with filledcurves \
             lt c fs transparent solid 0.15 noborder title (c == 1 ? 'range' : ''), \
         for [c=1:classes] series(k) using 1:(column(2 + 4 * (c - 1))) with linespoints \
             pt 7 ps 0.5 lw 1.5 lt c title word(class_names, c)
    unset title

    # errors per second
    set origin x0, 0.04 + 2 * row_h
    set ylabel 'errors (1/s)'
    if (errors_max[k] > 0) { set yrange [0:*] } else { set yrange [0:1] }
    plot for [s=1:8] stages(k) every ::s-1::s-1 using (($2+$3)/2):(0.5):2:3:(0):(1) \
             axes x1y2 with boxxyerror lc rgb stage_colour[s] notitle, \
         for [c=1:nb] band(k) using 1:(bmin(c, 2)):(bmax(c, 2)) with filledcurves \
             lt c fs transparent solid 0.15 noborder notitle, \
         for [c=1:classes] series(k) using 1:(column(3 + 4 * (c - 1))) with linespoints \
             pt 7 ps 0.5 lw 1.5 lt c notitle
    set autoscale y

    # latency percentiles
    set origin x0, 0.04 + row_h
    set key at screen x0 + col_w, 0.04 + 2 * row_h - 0.03 right top
    set ylabel 'latency (ms)'
    set logscale y
    plot for [s=1:8] stages(k) every ::s-1::s-1 using (($2+$3)/2):(0.5):2:3:(0):(1) \
             axes x1y2 with boxxyerror lc rgb stage_colour[s] notitle, \
         for [c=1:nb] band(k) using 1:(bmin(c, 4)):(bmax(c, 4)) with filledcurves \
             lt c fs transparent solid 0.15 noborder notitle, \
         for [c=1:classes] series(k) using 1:(column(4 + 4 * (c - 1))) with lines \
             lw 1.5 lt c dt 2 title (c == 1 ? 'p50 (dashed)' : ''), \
         for [c=1:classes] series(k) using 1:(column(5 + 4 * (c - 1))) with linespoints \
             pt 7 ps 0.5 lw 1.5 lt c title (c == 1 ? 'p99 (solid)' : '')
    unset logscale y

    # timeline events
    set origin x0, 0.04
    set ylabel 'events'
    set format x '%g'
    set xlabel 'time from the fault start (s)'
    set yrange [-0.5:6.6]
    unset ytics
    set label 1 'fault' at 0, 6.2 right offset -0.5, 0 font ',9'
    if (rto[k] >= 0) {
        set label 2 (pooled[k] > 1 ? 'mean RTO end' : 'RTO end') at rto[k], 6.2 left \
            offset 0.5, 0 font ',9' tc rgb '#cc0000'
    }
    if (unlabelled[k] > 0) {
        set label 3 sprintf('%d events too close to label', unlabelled[k]) at graph 0.99, \
            graph 0.94 right font ',8' tc rgb '#555555'
    }
    plot for [s=1:8] stages(k) every ::s-1::s-1 using (($2+$3)/2):(0.5):2:3:(0):(1) \
             axes x1y2 with boxxyerror lc rgb stage_colour[s] notitle, \
         events(k) using 1:2 with points pt 7 ps 0.8 lc rgb 'black' notitle, \
         events(k) using 1:($3 == 0 ? $2 : NaN):4 with labels left offset 0.8, 0 font ',8' \
             notitle, \
         events(k) using 1:($3 == 1 ? $2 : NaN):4 with labels right offset -0.8, 0 \
             font ',8' notitle
    unset label
    set ytics
    set autoscale y
}
unset multiplot
