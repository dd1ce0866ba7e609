#!/usr/bin/env bash
# check_plots.sh BIN SOURCE_DIR: topsim plot from a short drill database and from a compare
# and a sweep experiment (run from the source tree, as a user runs the drill).
#   Every kind is drawn as SVG and PNG: the PNG has the PNG signature and the size the
#   script asks for; the SVG is well-formed XML (xmllint, else python3) of that size and
#   holds the expected labels; drawing twice gives identical files.
#   The exported data files agree with the database, queried with the sqlite3 CLI: series
#   values, RTO and its stages, latency quantiles and histogram counts, incidents,
#   utilisation, and compare's per-variant mean.
#   Without gnuplot (TOPSIM_GNUPLOT pointing nowhere) plot exits 3 and still writes the data;
#   bad usage exits 2.
#   topsim report: a well-formed, self-contained page with the tables and inline plots, the
#   same for the same database; without gnuplot the tables and exit 3.
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
  "transition" "RTO end" "fault" "write" "host_crash iris-a starts"
draw "$db" latency 800x560 -- "latency (ms, log scale)" "read" "write" "commit" "0.999"
draw "$db" rto 820x520 -- "RTO (s)" "RPO (commits)" "host_crash iris-a"
draw "$db" utilisation 800x480 -- "CPU utilisation (%)" "simulated time (s)" "iris-a" "iris-b"
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

# ---- the exported data agree with the database --------------------------------------------
t=$dir/timeline-data
start=$(q "select start_s from incidents where run_id = 1 order by incident_id limit 1")
read -r rel thr_commit err_commit p50_commit p99_commit rest <<<"$(grep -v '^#' "$t/series-1.dat" | sed -n 3p)"
want_thr=$(q "select value from timeseries where run_id = 1 and name = 'throughput' and qualifier = 'commit' and abs(t_s + width_s / 2 - $start - ($rel)) < 1e-6")
want_p99=$(q "select value * 1000 from timeseries where run_id = 1 and name = 'latency_p99_s' and qualifier = 'commit' and abs(t_s + width_s / 2 - $start - ($rel)) < 1e-6")
want_err=$(q "select value from timeseries where run_id = 1 and name = 'errors_per_s' and qualifier = 'commit' and abs(t_s + width_s / 2 - $start - ($rel)) < 1e-6")
same "$thr_commit" "$want_thr" && same "$p99_commit" "$want_p99" && same "$err_commit" "$want_err" \
  && ok "timeline: series at t=$rel s (throughput, errors/s, p99 ms) match the timeseries table" \
  || bad "timeline series: $thr_commit/$want_thr $err_commit/$want_err $p99_commit/$want_p99"
rto=$(sed -n 's/^rto\[1\] = //p' "$t/meta.gp")
detect_end=$(awk '$1 == "detect" { print $3 }' "$t/stages-1.dat")
transition_end=$(awk '$1 == "transition" { print $3 }' "$t/stages-1.dat")
same "$rto" "$(q "select rto_s from incidents where run_id = 1 limit 1")" \
  && same "$detect_end" "$(q "select detect_s from incidents where run_id = 1 limit 1")" \
  && same "$transition_end" "$(q "select detect_s + decide_s + transition_s from incidents where run_id = 1 limit 1")" \
  && ok "timeline: RTO and stage ends match the incidents table" \
  || bad "timeline stages: rto $rto detect $detect_end transition $transition_end"
[ "$(grep -c '^ *[-0-9]' "$t/events-1.dat")" -ge 3 ] && grep -q '"iris-b is primary"' "$t/events-1.dat" \
  && ok "timeline: events exported" || bad "timeline events"

l=$dir/latency-data
for c in read write commit; do
  got=$(awk -v c="$c" '/^# class/ { cls = $3 } cls == c":" && /p99 / { print $1 }' "$l/quantiles.dat")
  want=$(q "select p99_s * 1000 from latency where run_id = 1 and op_class = '$c'")
  same "$got" "$want" || bad "latency p99 $c: $got, want $want"
done
# The last CDF point of read: the fraction of requests in finite buckets.
got=$(awk '/^# class read:/ { on = 1; next } /^# class/ { on = 0 } on && NF == 2 { v = $2 } END { print v }' "$l/cdf.dat")
want=$(q "select 1.0 * sum(case when upper_s < 1e308 then b.count else 0 end) / sum(b.count) from latency_buckets b where run_id = 1 and op_class = 'read'")
rows=$(awk '/^# class read:/ { on = 1; next } /^# class/ { on = 0 } on && NF == 2 { n++ } END { print n }' "$l/cdf.dat")
want_rows=$(q "select count(*) + 1 from latency_buckets where run_id = 1 and op_class = 'read' and upper_s < 1e308")
same "$got" "$want" && [ "$rows" = "$want_rows" ] \
  && ok "latency: p99 per class and the CDF's points match latency and latency_buckets" \
  || bad "latency CDF: last $got want $want, rows $rows want $want_rows"

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
            "$db latency --run x -o $dir/x.svg"; do
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
       "Timeline around the incidents of run 1" "<td>latency p99</td>" "<td>write_availability</td>" \
       "<h3>Architecture</h3>" "hourly cost of instances" "host iris-a  r5.2xlarge" \
  && ok "report: well-formed, self-contained, tables and timeline, latency and RTO plots, same data same page" \
  || { cat "$dir/r.err"; bad "report from the drill"; }
# One row per incident, with the database's RTO.
[ "$(grep -c '<tr><td>[0-9]*</td><td>host_crash</td>' "$dir/r.html")" = "$(q "select count(*) from incidents")" ] \
  && ok "report: every incident listed" || bad "report: incident rows"
"$bin" report "$dir/c.db" -o "$dir/rc.html" 2>"$dir/rc.err" \
  && report_ok "$dir/rc.html" 5 "<h2>Comparison: compare-1</h2>" "variant qos2s" \
  && ok "report: compare experiment with its comparison plot" || { cat "$dir/rc.err"; bad "report from compare"; }
TOPSIM_GNUPLOT=/nonexistent/gnuplot "$bin" report "$db" -o "$dir/rn.html" 2>"$dir/rn.err"
rc=$?
[ $rc -eq 3 ] && report_ok "$dir/rn.html" 0 "plot not drawn" "<th>detect</th>" && grep -q gnuplot "$dir/rn.err" \
  && ok "report without gnuplot: tables written, exit 3" || { cat "$dir/rn.err"; bad "report without gnuplot: exit $rc"; }
"$bin" report "$dir/missing.db" -o "$dir/x.html" 2>/dev/null
rc=$?
[ $rc -eq 2 ] && ok "report: a missing database exits 2" || bad "report missing db: exit $rc"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
