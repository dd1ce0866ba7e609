#!/usr/bin/env bash
# check_plots.sh BIN SOURCE_DIR: topsim plot from a short drill database and from a compare
# and a sweep experiment (run from the source tree, as a user runs the drill).
#   Every kind is drawn as SVG and PNG: the PNG has the PNG signature and the size the
#   script asks for; the SVG is well-formed XML (xmllint, else python3) of that size and
#   holds the expected labels; drawing twice gives identical files.
#   The exported data files agree with the database, queried with the sqlite3 CLI: the
#   timeline's series (mean and range over the replications, and one replication with
#   --replication), RTO and its stages, staggered event labels, the latency CDF of the merged
#   histogram and its quantiles, incidents, CPU and volume utilisation, compare's
#   per-variant mean, and the availability plot's causes and yearly quantiles.
#   Without gnuplot (TOPSIM_GNUPLOT pointing nowhere) plot exits 3 and still writes the data;
#   bad usage exits 2.
#   topsim report: a well-formed, self-contained page with the tables, the expectations'
#   verdicts and inline plots, the same for the same database; without gnuplot the tables and
#   exit 3.
# Exits 77 (skipped) when gnuplot or sqlite3 is missing: scripts/setup installs both.
set -uo pipefail
bin=$1 src=$2
command -v gnuplot >/dev/null || { echo "SKIP: gnuplot not installed (scripts/setup)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed (scripts/setup)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$src" || exit 1
drill=scenarios/drills/primary-host-crash.json
short=(--duration 4m --warmup 30s --no-progress -j 2 --include-root scenarios)
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# same A B [TOLERANCE]: two numbers equal within a relative tolerance (default 1e-7)
same() { awk -v a="$1" -v b="$2" -v t="${3:-1e-7}" 'BEGIN {
  d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); if (m < 1e-12) m = 1e-12;
  exit !(a != "" && b != "" && d / m <= t) }'; }
q() { sqlite3 "$db" "$1"; }

db=$dir/t.db
"$bin" run "$drill" -n 2 "${short[@]}" -o "$db" >"$dir/run.out" 2>&1 \
  || { cat "$dir/run.out"; echo "FAIL drill run"; exit 1; }
"$bin" compare "$drill" --variant qos2s: --set mirror.qos_timeout=2s -n 3 "${short[@]}" \
  -o "$dir/c.db" >"$dir/c.out" 2>&1 || { cat "$dir/c.out"; echo "FAIL compare run"; exit 1; }
"$bin" sweep "$drill" --sweep mirror.qos_timeout=2s,8s -n 2 "${short[@]}" \
  -o "$dir/s.db" >"$dir/s.out" 2>&1 || { cat "$dir/s.out"; echo "FAIL sweep run"; exit 1; }
"$bin" availability scenarios/production.json --years 400 --library 0 -j 2 \
  --set 'stochastic_faults=[{"class":"host"},{"class":"volume"},{"class":"az"},{"class":"region"}]' \
  -o "$dir/a.db" >"$dir/a.out" 2>&1 || { cat "$dir/a.out"; echo "FAIL availability run"; exit 1; }

# PNG: signature, then IHDR width and height (big-endian) at bytes 16..23.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }'; }
png_ok() {
  [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(png_size "$1")" = "$2" ]
}
svg_wellformed() {
  if command -v xmllint >/dev/null; then xmllint --noout "$1"
  else python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"; fi
}
svg_ok() { # FILE WxH LABEL...
  local f=$1 size=$2; shift 2
  svg_wellformed "$f" || return 1
  grep -q "width=\"${size%x*}\" height=\"${size#*x}\"" "$f" || return 1
  for label in "$@"; do grep -qF ">$label<" "$f" || { echo "missing label '$label'"; return 1; }; done
}

# draw DB KIND WxH [plot options] -- LABEL...: SVG twice (identical) and PNG twice.
draw() {
  local d=$1 kind=$2 size=$3; shift 3
  local opts=() labels=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  labels=("$@")
  local out=$dir/$kind
  if "$bin" plot "$d" "$kind" "${opts[@]}" -o "$out.svg" 2>"$dir/$kind.err" \
     && "$bin" plot "$d" "$kind" "${opts[@]}" -o "$out-2.svg" 2>>"$dir/$kind.err" \
     && cmp -s "$out.svg" "$out-2.svg" && svg_ok "$out.svg" "$size" "${labels[@]}"; then
    ok "$kind: SVG ${size}, well-formed, labelled, same data same file"
  else
    cat "$dir/$kind.err"; bad "$kind: SVG"
  fi
  if "$bin" plot "$d" "$kind" "${opts[@]}" -o "$out.png" 2>"$dir/$kind.err" \
     && "$bin" plot "$d" "$kind" "${opts[@]}" -o "$out-2.png" 2>>"$dir/$kind.err" \
     && cmp -s "$out.png" "$out-2.png" && png_ok "$out.png" "$size" \
     && [ "$(stat -c %s "$out.png")" -gt 5000 ]; then
    ok "$kind: PNG ${size}, same data same file"
  else
    cat "$dir/$kind.err"; bad "$kind: PNG ($(png_size "$out.png" 2>/dev/null))"
  fi
}

draw "$db" timeline 790x1000 -- "throughput (1/s)" "errors (1/s)" "latency (ms)" "detect" \
  "transition" "mean RTO end" "range" "fault" "write" "host_crash iris-a starts"
draw "$db" latency 800x560 -- "latency (ms, log scale)" "read" "write" "commit" "0.999"
draw "$db" rto 820x520 -- "RTO (s)" "RPO (commits)" "host_crash iris-a"
draw "$db" utilisation 800x800 -- "CPU utilisation (%)" "simulated time (s)" "iris-a" "iris-b" \
  "IOPS utilisation (%)" "iris-a/db" "iris-b/jrn_pri"
draw "$dir/c.db" compare 940x520 --metric rto_s -- "rto_s (s)" "baseline" "qos2s" \
  "paired difference from baseline"
# one numeric axis: drawn against the swept value (variant_params), in its unit
draw "$dir/s.db" sweep 680x480 --metric rto_s -- "rto_s (s)" "mirror.qos_timeout (s)"
sd=$dir/sweep-data
if "$bin" plot "$dir/s.db" sweep --metric rto_s -o "$dir/sw.svg" --data-only --data-dir "$sd" >/dev/null 2>&1 \
   && grep -q '^numeric = 1$' "$sd/meta.gp" \
   && [ "$(grep -v '^#' "$sd/compare.dat" | awk '{print $11}' | tr '\n' ' ')" = "2 8 " ] \
   && [ "$(sqlite3 "$dir/s.db" "select group_concat(x, ' ') from (select variant || '|' || path || '|' || value_text || '|' || value_num || '|' || unit as x from variant_params order by rowid)")" \
        = "mirror.qos_timeout=2s|mirror.qos_timeout|2s|2.0|s mirror.qos_timeout=8s|mirror.qos_timeout|8s|8.0|s" ]; then
  ok "sweep: parameter values stored (variant_params), the x axis is their number"
else
  cat "$sd/meta.gp" "$sd/compare.dat"; bad "sweep: numeric axis"
fi
draw "$dir/a.db" availability 1200x380 -- "downtime (min/year)" "downtime in a year (min)" \
  "MIRROR1 primary host_crash: takeover (takeover)"

# ---- the exported data agree with the database --------------------------------------------
t=$dir/timeline-data
# Pooled (the default): the mean over both replications, aligned on each one's fault start;
# band-1.dat holds their min and max (commit is the first class: columns 2 and 3 throughput).
grep -q '^replications = 2$' "$t/meta.gp" && grep -q '^pooled\[1\] = 2$' "$t/meta.gp" \
  && ok "timeline: pools the 2 replications" || bad "timeline: not pooled"
starts="(select run_id, min(start_s) as s from incidents group by run_id)"
at() { echo "abs(t.t_s + t.width_s / 2 - i.s - ($1)) < 1e-6"; }
read -r rel thr_commit err_commit p50_commit p99_commit rest <<<"$(grep -v '^#' "$t/series-1.dat" | sed -n 3p)"
read -r brel thr_min thr_max rest <<<"$(grep -v '^#' "$t/band-1.dat" | sed -n 3p)"
want=$(q "select avg(value), min(value), max(value) from timeseries t join $starts i using (run_id) where name = 'throughput' and qualifier = 'commit' and $(at "$rel")")
want_p99=$(q "select avg(value) * 1000 from timeseries t join $starts i using (run_id) where name = 'latency_p99_s' and qualifier = 'commit' and $(at "$rel")")
IFS='|' read -r want_thr want_min want_max <<<"$want"
same "$thr_commit" "$want_thr" && same "$p99_commit" "$want_p99" && same "$rel" "$brel" \
  && same "$thr_min" "$want_min" && same "$thr_max" "$want_max" \
  && ok "timeline: series at t=$rel s are the mean (throughput, p99 ms) and range over the replications" \
  || bad "timeline series: $thr_commit/$want_thr [$thr_min, $thr_max]/[$want_min, $want_max] $p99_commit/$want_p99"
rto=$(sed -n 's/^rto\[1\] = //p' "$t/meta.gp")
detect_end=$(awk '$1 == "detect" { print $3 }' "$t/stages-1.dat")
transition_end=$(awk '$1 == "transition" { print $3 }' "$t/stages-1.dat")
same "$rto" "$(q "select avg(rto_s) from incidents")" \
  && same "$detect_end" "$(q "select avg(coalesce(detect_s, 0)) from incidents")" \
  && same "$transition_end" "$(q "select avg(coalesce(detect_s, 0) + coalesce(decide_s, 0) + coalesce(transition_s, 0)) from incidents")" \
  && ok "timeline: mean RTO and stage ends match the incidents table" \
  || bad "timeline stages: rto $rto detect $detect_end transition $transition_end"
[ "$(grep -c '^ *[-0-9]' "$t/events-1.dat")" -ge 3 ] && grep -q '"iris-b is primary"' "$t/events-1.dat" \
  && ok "timeline: events exported" || bad "timeline events"
# Labelled events less than 2 s apart are in different rows (their labels would overlap).
awk '!/^#/ && $3 < 2 { n++; t[n] = $1; r[n] = $2 } END {
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
    d = t[j] - t[i]; if (d < 0) d = -d
    if (d < 2 && r[i] == r[j]) { print "overlap", t[i], t[j], r[i]; exit 1 } } }' "$t/events-1.dat" \
  && [ "$(awk '!/^#/ { print $2 }' "$t/events-1.dat" | sort -u | wc -l)" -ge 3 ] \
  && ok "timeline: nearby event labels are staggered over rows" || bad "timeline: labels overlap"
# --replication 1: that replication alone (run 2), exactly.
"$bin" plot "$db" timeline --replication 1 --data-only --data-dir "$dir/tl1" -o "$dir/tl1.svg" 2>"$dir/tl1.err"
start=$(q "select start_s from incidents where run_id = 2 order by incident_id limit 1")
read -r rel thr_commit err_commit p50_commit p99_commit rest <<<"$(grep -v '^#' "$dir/tl1/series-1.dat" | sed -n 3p)"
want_thr=$(q "select value from timeseries where run_id = 2 and name = 'throughput' and qualifier = 'commit' and abs(t_s + width_s / 2 - $start - ($rel)) < 1e-6")
want_err=$(q "select value from timeseries where run_id = 2 and name = 'errors_per_s' and qualifier = 'commit' and abs(t_s + width_s / 2 - $start - ($rel)) < 1e-6")
same "$thr_commit" "$want_thr" && same "$err_commit" "$want_err" && grep -q '^pooled\[1\] = 1$' "$dir/tl1/meta.gp" \
  && same "$(sed -n 's/^rto\[1\] = //p' "$dir/tl1/meta.gp")" "$(q "select rto_s from incidents where run_id = 2")" \
  && grep -q "replication 1 (run 2)" "$dir/tl1/meta.gp" \
  && ok "timeline --replication 1: run 2's series and RTO" || { cat "$dir/tl1.err"; bad "timeline --replication: $thr_commit/$want_thr"; }

l=$dir/latency-data
# Pooled: the CDF of both replications' histograms merged; each quantile lies in the merged
# bucket where the cumulative count reaches it.
merged="(select lower_s, upper_s, sum(count) as c from latency_buckets where op_class = 'CLASS' group by lower_s, upper_s)"
for c in read write commit; do
  got=$(awk -v c="$c" '/^# class/ { cls = $3 } cls == c":" && /p99 / { print $1 }' "$l/quantiles.dat")
  m=${merged//CLASS/$c}
  IFS='|' read -r lo hi <<<"$(q "select lower_s * 1000, upper_s * 1000 from (select lower_s, upper_s, sum(c) over (order by lower_s) as cc, (select sum(c) from $m) as tot from $m) where cc >= 0.99 * tot order by lower_s limit 1")"
  awk -v g="$got" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(g != "" && g >= lo * (1 - 1e-9) && g <= hi * (1 + 1e-9)) }' \
    || bad "latency pooled p99 $c: $got not in [$lo, $hi]"
done
m=${merged//CLASS/read}
got=$(awk '/^# class read:/ { on = 1; next } /^# class/ { on = 0 } on && NF == 2 { v = $2 } END { print v }' "$l/cdf.dat")
want=$(q "select 1.0 * sum(case when upper_s < 1e308 then c else 0 end) / sum(c) from $m")
rows=$(awk '/^# class read:/ { on = 1; next } /^# class/ { on = 0 } on && NF == 2 { n++ } END { print n }' "$l/cdf.dat")
want_rows=$(q "select count(*) + 1 from $m where upper_s < 1e308")
grep -q "2 replications merged, $(q "select sum(count) from latency where op_class = 'read'") requests" "$l/cdf.dat" \
  && same "$got" "$want" && [ "$rows" = "$want_rows" ] \
  && ok "latency: the CDF is the merged histogram of both replications; p99 per class in its bucket" \
  || bad "latency CDF: last $got want $want, rows $rows want $want_rows"
# --replication 0: run 1 alone; its quantiles are the stored ones.
"$bin" plot "$db" latency --replication 0 --data-only --data-dir "$dir/l0" -o "$dir/l0.svg" 2>/dev/null
fails=0
for c in read write commit; do
  got=$(awk -v c="$c" '/^# class/ { cls = $3 } cls == c":" && /p99 / { print $1 }' "$dir/l0/quantiles.dat")
  same "$got" "$(q "select p99_s * 1000 from latency where run_id = 1 and op_class = '$c'")" || fails=1
done
[ $fails = 0 ] && ok "latency --replication 0: p99 per class matches the latency table" \
  || bad "latency --replication 0"

r=$dir/rto-data
[ "$(grep -vc '^#' "$r/incidents.dat")" = "$(q "select count(*) from incidents")" ] \
  && same "$(awk '!/^#/ && $7 == 2 { print $3 }' "$r/incidents.dat")" "$(q "select rto_s from incidents where run_id = 2")" \
  && [ "$(awk '!/^#/ && $7 == 2 { print $4 }' "$r/incidents.dat")" = "$(q "select rpo_tx from incidents where run_id = 2")" ] \
  && ok "rto: one row per incident, RTO and RPO match the incidents table" || bad "rto data"

u=$dir/utilisation-data
got=$(awk '/^# host iris-a:/ { on = 1; next } /^# host/ { on = 0 } on && NF == 2 { v = $2 } END { print v }' "$u/utilisation.dat")
want=$(q "select value * 100 from timeseries where run_id = 1 and name = 'cpu_utilisation' and qualifier = 'iris-a' order by t_s desc limit 1")
[ "$(grep -c '^ *[0-9]' "$u/utilisation.dat")" = "$(q "select count(*) from timeseries where run_id = 1 and name = 'cpu_utilisation'")" ] \
  && same "$got" "$want" && ok "utilisation: every point, last value of iris-a matches" \
  || bad "utilisation: $got want $want"
got=$(awk '/^# volume iris-a\/db:/ { on = 1; next } /^# volume/ { on = 0 } on && NF == 2 { v = $2 } END { print v }' "$u/volumes.dat")
want=$(q "select value * 100 from timeseries where run_id = 1 and name = 'volume_iops_utilisation' and qualifier = 'iris-a/db' order by t_s desc limit 1")
[ "$(grep -c '^ *[0-9]' "$u/volumes.dat")" = "$(q "select count(*) from timeseries where run_id = 1 and name = 'volume_iops_utilisation'")" ] \
  && same "$got" "$want" && grep -q "^volumes = 12$" "$u/meta.gp" \
  && ok "utilisation: every volume point, last value of iris-a/db matches" \
  || bad "utilisation volumes: $got want $want"

av=$dir/availability-data
aq() { sqlite3 "$dir/a.db" "$1"; }
read -r _ top lo hi rest <<<"$(grep -v '^#' "$av/causes.dat" | head -1)"
IFS='|' read -r want_top want_half <<<"$(aq "select minutes_per_year, minutes_per_year_half from avail_causes order by minutes_per_year desc limit 1")"
p99=$(awk '/"p99 / { print $1 }' "$av/yearly.dat")
[ "$(grep -vc '^#' "$av/causes.dat")" = "$(aq "select min(count(*), 24) from avail_causes")" ] \
  && same "$top" "$want_top" && same "$hi" "$(awk -v a="$want_top" -v b="$want_half" 'BEGIN { printf "%.12g", a + b }')" \
  && same "$p99" "$(aq "select yearly_downtime_p99_min from avail_runs")" \
  && same "$(sed -n 's/^downtime = //p' "$av/meta.gp")" "$(aq "select downtime_min_per_year from avail_runs")" \
  && ok "availability: causes sorted by downtime with their intervals, yearly p99 and mean match avail_*" \
  || bad "availability: top $top/$want_top hi $hi p99 $p99"
"$bin" plot "$db" availability -o "$dir/x.svg" --data-only 2>"$dir/av.err"
rc=$?
[ $rc -eq 2 ] && grep -q "no availability runs" "$dir/av.err" \
  && ok "availability: a database without availability runs exits 2" || bad "availability on a drill db: exit $rc"

got=$(awk '$6 == "\"qos2s\"" { print $2 }' "$dir/compare-data/compare.dat")
want=$(sqlite3 "$dir/c.db" "select avg(i.rto_s) from incidents i join runs r using (run_id) where r.variant = 'qos2s'")
same "$got" "$want" && [ "$(awk '$6 == "\"qos2s\"" { print $5 }' "$dir/compare-data/compare.dat")" = 3 ] \
  && ok "compare: per-variant mean RTO matches the database" || bad "compare: $got want $want"

# ---- without gnuplot, and bad usage --------------------------------------------------------
TOPSIM_GNUPLOT=/nonexistent/gnuplot "$bin" plot "$db" latency -o "$dir/nogp.svg" 2>"$dir/nogp.err"
rc=$?
[ $rc -eq 3 ] && grep -q gnuplot "$dir/nogp.err" && [ -s "$dir/nogp-data/cdf.dat" ] \
  && ok "no gnuplot: exit 3, clear message, data written" || { cat "$dir/nogp.err"; bad "no gnuplot: exit $rc"; }
TOPSIM_GNUPLOT=/nonexistent/gnuplot "$bin" plot "$db" rto -o "$dir/d.png" --data-only \
  --data-dir "$dir/dd" 2>"$dir/dd.err"
rc=$?
[ $rc -eq 0 ] && [ -s "$dir/dd/incidents.dat" ] && [ ! -e "$dir/d.png" ] \
  && ok "--data-only --data-dir: exit 0, data only" || { cat "$dir/dd.err"; bad "--data-only: exit $rc"; }
for args in "$db nosuchkind -o $dir/x.svg" "$db latency -o $dir/x.pdf" "$db latency" \
            "$dir/missing.db latency -o $dir/x.svg" "$db latency --run 99 -o $dir/x.svg" \
            "$db latency --run x -o $dir/x.svg" "$db latency --replication 7 -o $dir/x.svg" \
            "$db latency --replication -1 -o $dir/x.svg" "$db rto --replication 0 -o $dir/x.svg"; do
  # shellcheck disable=SC2086
  "$bin" plot $args >/dev/null 2>"$dir/u.err"
  rc=$?
  [ $rc -eq 2 ] || { cat "$dir/u.err"; bad "plot $args: exit $rc, want 2"; }
done
"$bin" plot "$db" latency --plots-dir "$dir/none" -o "$dir/x.svg" 2>"$dir/p.err"
rc=$?
[ $rc -eq 3 ] && grep -q 'cannot find the gnuplot script' "$dir/p.err" \
  && ok "bad usage exits 2; a missing --plots-dir exits 3" || bad "--plots-dir: exit $rc"

# ---- topsim report ---------------------------------------------------------------------------
# Well-formed (the page is XHTML syntax, so an XML parser checks it), self-contained (no
# script, no external reference), with its tables and inline plots; same database, same page.
report_ok() { # FILE MIN_SVG TEXT...
  local f=$1 min=$2; shift 2
  svg_wellformed "$f" || return 1
  [ "$(grep -o '<svg' "$f" | wc -l)" -ge "$min" ] || { echo "fewer than $min plots"; return 1; }
  ! grep -qiE '<script|<link|<img|<iframe|(src|href)="(https?:|//)' "$f" || { echo "external"; return 1; }
  for text in "$@"; do grep -qF "$text" "$f" || { echo "missing '$text'"; return 1; }; done
}
"$bin" report "$db" -o "$dir/r.html" 2>"$dir/r.err" && "$bin" report "$db" -o "$dir/r2.html" 2>>"$dir/r.err" \
  && cmp -s "$dir/r.html" "$dir/r2.html" \
  && report_ok "$dir/r.html" 3 "<h2>Runs</h2>" "<th>detect</th>" "<td>host_crash</td>" \
       "Timeline around the incidents (2 replications, runs 1-2" "<td>latency p99</td>" "<td>write_availability</td>" \
       "<h3>Architecture</h3>" "hourly cost of instances" "host iris-a  r5.2xlarge" \
       "<h3>Expectations</h3>" "IOPS utilisation per volume" \
  && ok "report: well-formed, self-contained, tables and timeline, latency, utilisation and RTO plots, same data same page" \
  || { cat "$dir/r.err"; bad "report from the drill"; }
# The verdict table: one row per stored verdict, marked pass or FAIL.
[ "$(grep -c '<tr class="pass">' "$dir/r.html")" = "$(q "select count(*) from expectation_verdicts where verdict = 'pass'")" ] \
  && [ "$(grep -c '<tr class="fail">' "$dir/r.html")" = "$(q "select count(*) from expectation_verdicts where verdict = 'fail'")" ] \
  && [ "$(q "select count(*) from expectation_verdicts")" -ge 10 ] \
  && grep -qF "$(q "select expectation from expectation_verdicts where position = 0" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g')" "$dir/r.html" \
  && ok "report: the expectations' verdicts, one row each" || bad "report: verdict rows"
# One row per incident, with the database's RTO.
[ "$(grep -c '<tr><td>[0-9]*</td><td>host_crash</td>' "$dir/r.html")" = "$(q "select count(*) from incidents")" ] \
  && ok "report: every incident listed" || bad "report: incident rows"
"$bin" report "$dir/c.db" -o "$dir/rc.html" 2>"$dir/rc.err" \
  && report_ok "$dir/rc.html" 5 "<h2>Comparison: compare-1</h2>" "variant qos2s" "<h3>Expectations</h3>" \
  && ok "report: compare experiment with its comparison plot" || { cat "$dir/rc.err"; bad "report from compare"; }
TOPSIM_GNUPLOT=/nonexistent/gnuplot "$bin" report "$db" -o "$dir/rn.html" 2>"$dir/rn.err"
rc=$?
[ $rc -eq 3 ] && report_ok "$dir/rn.html" 0 "plot not drawn" "<th>detect</th>" && grep -q gnuplot "$dir/rn.err" \
  && ok "report without gnuplot: tables written, exit 3" || { cat "$dir/rn.err"; bad "report without gnuplot: exit $rc"; }
"$bin" report "$dir/a.db" -o "$dir/ra.html" 2>"$dir/ra.err" \
  && report_ok "$dir/ra.html" 1 "<h2>Availability: availability-1</h2>" "downtime per year by cause" \
       "MIRROR1 primary host_crash: takeover" \
  && ok "report: an availability database gives its figures, causes and plot" || { cat "$dir/ra.err"; bad "report from availability"; }
"$bin" report "$dir/missing.db" -o "$dir/x.html" 2>/dev/null
rc=$?
[ $rc -eq 2 ] && ok "report: a missing database exits 2" || bad "report missing db: exit $rc"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
