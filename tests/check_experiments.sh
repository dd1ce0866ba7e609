#!/usr/bin/env bash
# check_experiments.sh BIN SOURCE_DIR: topsim check, compare and sweep from the command line.
#   check: a passing expectations file exits 0; a failing one exits 1 with a JUnit file
#   holding a <failure> whose message carries the measured figures (XML-escaped) and a JSON
#   report saying pass false; a bad expectations file exits 2 with file:line:col and runs
#   nothing; run exits 1 when an expectation fails; its summary warns of 2 replications,
#   prints failures per replication (never a total), the RTO max, the RPO span and the lost>0 column.
#   A fault after the end of the run or inside the warm-up: one warning naming it, exit 0.
#   Progress covers the whole experiment (compare's variants on one line).
#   Time series: errors_per_s is a rate whose integral is the error count; units stored.
#   compare: two variants with --variant print paired differences and tag the runs.
#   sweep: a two-point grid prints one row per point and tags the runs; ranges with steps
#   expand (their values stored in variant_params), bad ranges exit 2 before anything runs.
#   compare's cost: the fixed rows are the hand-computed ones, the traffic rows the catalog's
#   prices applied to the stored network_bytes; the busiest resources are listed.
#   Sequential stopping: rounds stop at the first whose intervals are narrow enough
#   (recomputed from the database), and -j 1 and -j 2 give the same database.
set -uo pipefail
bin=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The ALB with tuned checks straight to the members: its RTO follows the mirror's QoS timeout
# (with the web tier, primary-host-crash's RTO is the gateways' 60 s whatever the QoS).
drill=$src/scenarios/drills/alb-tuned-health-check.json
short=(-n 2 --duration 4m --warmup 30s --no-progress -j 2)
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

cat >"$dir/pass.json" <<'JSON'
{"expectations": [
  {"metric": "rpo_durable_tx", "kind": "host_crash", "target": "iris-a", "of": "every", "op": "==", "value": 0},
  {"metric": "primary_after", "kind": "host_crash", "target": "iris-a", "op": "==", "value": "iris-b"},
  {"metric": "rto_s", "kind": "host_crash", "target": "iris-a", "of": "p95", "op": "<=", "value": "60s"},
  {"metric": "latency_p50_s", "where": "read", "of": "upper_bound", "level": "95%", "op": "<", "value": "20ms"}
]}
JSON
cat >"$dir/fail.json" <<'JSON'
{"expectations": [
  {"metric": "rto_s", "kind": "host_crash", "target": "iris-a", "of": "mean", "op": "<=", "value": "1s"},
  {"metric": "write_availability", "of": "lower_bound", "op": ">=", "value": "99.99%"}
]}
JSON
printf '{"expectations": [\n  {"metric": "rto_s", "of": "p95", "op": "<=", "value": 60}\n]}\n' >"$dir/bad.json"

"$bin" check "$drill" --expect "$dir/pass.json" "${short[@]}" --junit "$dir/p.xml" >"$dir/p.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "4 expectations, 0 failed" "$dir/p.out" && grep -q 'failures="0"' "$dir/p.xml" \
  && ok "check passing expectations: exit 0" || { cat "$dir/p.out"; bad "check passing: exit $rc"; }

"$bin" check "$drill" --expect "$dir/fail.json" "${short[@]}" --junit "$dir/f.xml" --json "$dir/f.json" >"$dir/f.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'failures="2"' "$dir/f.xml" \
  && grep -q '<failure message="measured mean [0-9.]*s' "$dir/f.xml" \
  && grep -q 'name="rto_s \[host_crash iris-a\] mean &lt;= 1s"' "$dir/f.xml" \
  && grep -Eq '"pass":[[:space:]]*false' "$dir/f.json" && grep -q "FAIL" "$dir/f.out" \
  && ok "check failing expectations: exit 1, JUnit failure with the measured value, JSON" \
  || { cat "$dir/f.out" "$dir/f.xml"; bad "check failing: exit $rc"; }

# With -o the verdicts are stored: one row per expectation, the same figures and verdicts as
# the JSON report, tagged with the check's experiment and the file as variant.
"$bin" check "$drill" --expect "$dir/fail.json" "${short[@]}" --json "$dir/f2.json" -o "$dir/f.db" >/dev/null 2>&1
rc=$?
sqlite3 -json "$dir/f.db" "select * from expectation_verdicts order by position" >"$dir/v.json" 2>/dev/null
python3 - "$dir/f2.json" "$dir/v.json" "$drill" <<'PY' && [ $rc -eq 1 ] \
  && ok "check -o: the verdicts stored match the JSON report (expectation, measured, mean, verdict)" \
  || bad "check -o: stored verdicts (exit $rc)"
import json, math, sys
rep = json.load(open(sys.argv[1]))["scenarios"][0]["expectations"]
rows = json.load(open(sys.argv[2]))
assert len(rows) == len(rep) == 2, (len(rows), len(rep))
for i, (x, r) in enumerate(zip(rep, rows)):
    assert r["position"] == i and r["expectation"] == x["expectation"], r
    assert r["verdict"] == ("pass" if x["pass"] else "fail") == "fail", r
    assert r["experiment"] == "check-1" and r["variant"] == sys.argv[3], r
    for k in ("measured", "mean", "min", "max"):
        assert math.isclose(r[k], x[k], rel_tol=1e-12), (k, r[k], x[k])
    assert math.isclose(r["hi"] - r["mean"], x["half_width"], rel_tol=1e-9), r
    assert r["measured_text"] == x["measured_text"] and r["n_values"] == x["values"], r
PY

"$bin" check "$drill" --expect "$dir/bad.json" "${short[@]}" >"$dir/b.out" 2>"$dir/b.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'bad.json:2:57: error: \$.expectations\[0\].value: bare number "60" needs a unit' "$dir/b.err" \
  && [ ! -s "$dir/b.out" ] && ok "check bad expectations file: exit 2 with file:line:col" \
  || { cat "$dir/b.err"; bad "check bad input: exit $rc"; }

"$bin" run "$drill" --expect "$dir/fail.json" "${short[@]}" -o "$dir/r.db" >"$dir/r.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^expectations" "$dir/r.out" && ok "run exits 1 when an expectation fails" \
  || { cat "$dir/r.out"; bad "run failing expectation: exit $rc"; }
grep -q "^WARNING: 2 replications: the intervals rest on one degree of freedom" "$dir/r.out" \
  && ! grep -q "failed requests:" "$dir/r.out" \
  && grep -Eq "RTO s +max .* RPO span s +lost>0" "$dir/r.out" \
  && grep -Eq "^host_crash +iris-a +2/2 .* [0-2]/2  iris-b" "$dir/r.out" \
  && ! grep -Eq "(^| )-[0-9.]+ *[],]" "$dir/r.out" \
  && ok "run summary: few-replications warning, no failure total, RTO max, RPO span, lost>0" \
  || { cat "$dir/r.out"; bad "run summary"; }

"$bin" run "$drill" -n 1 --duration 10s --warmup 5s --no-progress -o "$dir/w.db" >"$dir/w.out" 2>"$dir/w.err"
rc=$?
# exit 1: the drill's own expectation of one incident fails, since the crash never happens
[ $rc -eq 1 ] && [ "$(grep -c 'warning: \$.faults\[0\].at: fault "host_crash iris-a" starts at 3m, after the end of the run (warmup 5s + duration 10s, with --duration or --warmup)' "$dir/w.err")" = 1 ] \
  && ok "run --duration before a fault: one warning naming it (exit 1 from the drill's expectation)" || { cat "$dir/w.err"; bad "duration warning: exit $rc"; }
"$bin" run "$drill" -n 1 --duration 1m --warmup 4m --no-progress -o "$dir/w.db" >"$dir/w.out" 2>"$dir/w.err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c 'fault "host_crash iris-a" starts at 3m, inside the warm-up (4m' "$dir/w.err")" = 1 ] \
  && ok "run with a fault inside the warm-up: one warning, exit 0" || { cat "$dir/w.err"; bad "warm-up warning: exit $rc"; }

# time series: errors_per_s is a rate (1/s) whose integral over the measured buckets is the
# run's error count; every series carries its registry unit
region=$src/scenarios/drills/region-1-outage-dr-promotion.json
"$bin" run "$region" -n 1 --duration 4m --warmup 30s --no-progress -o "$dir/e.db" >/dev/null 2>&1
series=$(sqlite3 "$dir/e.db" "select cast(round(sum(value * width_s)) as int) from timeseries where name = 'errors_per_s' and t_s >= 30")
counted=$(sqlite3 "$dir/e.db" "select cast(sum(value) as int) from metrics where name = 'errors'")
units=$(sqlite3 "$dir/e.db" "select group_concat(name || ':' || unit, ' ') from (select distinct name, unit from timeseries order by name)")
[ -n "$series" ] && [ "$series" -gt 0 ] && [ "$series" = "$counted" ] \
  && [ "$units" = "cpu_utilisation:fraction errors_per_s:1/s latency_mean_s:s latency_p50_s:s latency_p99_s:s throughput:1/s volume_iops_utilisation:fraction" ] \
  && ok "series: errors_per_s integrates to the error count ($series); units stored" \
  || bad "series: errors_per_s integral $series, errors $counted, units $units"

"$bin" compare "$drill" --variant qos2s: --set mirror.qos_timeout=2s "${short[@]}" -n 8 -o "$dir/c.db" >"$dir/c.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^rto_s \[host_crash iris-a\] .* \*" "$dir/c.out" \
  && [ "$(sqlite3 "$dir/c.db" "select group_concat(variant || ':' || replications, ' ') from (select variant, count(*) as replications from runs where experiment = 'compare-1' group by variant order by variant)")" = "baseline:8 qos2s:8" ] \
  && n_x=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["expectations"]))' "$drill") \
  && [ "$(sqlite3 "$dir/c.db" "select group_concat(variant || ':' || n, ' ') from (select variant, count(*) as n from expectation_verdicts where experiment = 'compare-1' group by variant order by variant)")" = "baseline:$n_x qos2s:$n_x" ] \
  && ok "compare --variant: paired RTO difference significant, runs and verdicts tagged" \
  || { cat "$dir/c.out"; bad "compare: exit $rc"; }

# progress (stderr on a terminal, faked with script(1) when present): one line over both
# variants, the second variant starting at half the experiment
if command -v script >/dev/null 2>&1; then
  script -qc "'$bin' compare '$drill' --variant qos2s: --set mirror.qos_timeout=2s -n 2 --duration 4m --warmup 30s -j 2 -o '$dir/p.db' >/dev/null" /dev/null \
    | tr '\r' '\n' >"$dir/progress.txt"
  grep -aEq "^baseline 1/2: [0-2]/2 reps, all +[0-4][0-9]\.[0-9]%  elapsed [0-9]+s  ETA [0-9]+s" "$dir/progress.txt" \
    && grep -aEq "^qos2s 2/2: 0/2 reps, all +5[0-9]\.[0-9]%" "$dir/progress.txt" \
    && ok "progress: one line over the whole compare with one ETA" \
    || { tail -c 2000 "$dir/progress.txt"; bad "progress line"; }
fi

"$bin" sweep "$drill" --sweep mirror.qos_timeout=2s,16s "${short[@]}" -o "$dir/c.db" >"$dir/s.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^mirror.qos_timeout=16s" "$dir/s.out" \
  && [ "$(sqlite3 "$dir/c.db" "select count(distinct variant) from runs where experiment = 'sweep-1'")" = 2 ] \
  && ok "sweep: one row per point, runs tagged sweep-1" || { cat "$dir/s.out"; bad "sweep: exit $rc"; }

# ---- sweep ranges --------------------------------------------------------------------------
"$bin" sweep "$drill" --sweep mirror.qos_timeout=2s:6s:4s,16s "${short[@]}" -n 1 -o "$dir/r.db" \
  --experiment ranges >"$dir/sr.out" 2>&1
rc=$?
params=$(sqlite3 "$dir/r.db" "select group_concat(x, ' ') from (select value_text || '=' || value_num || unit as x from variant_params where experiment = 'ranges' order by rowid)")
[ $rc -eq 0 ] && [ "$params" = "2s=2.0s 6s=6.0s 16s=16.0s" ] \
  && [ "$(grep -c '^mirror.qos_timeout=' "$dir/sr.out")" = 3 ] \
  && ok "sweep range 2s:6s:4s,16s: three points, values stored" \
  || { cat "$dir/sr.out"; bad "sweep range: exit $rc, params $params"; }
for spec in "2s:1s:1s|FROM is above TO" "2s:8s:0s|the step must be positive" \
            "2s:8s:-1s|the step must be positive" "1:8:x1|a factor above 1" \
            "1s:2000s:1ms|1999001 values: at most 1000 per axis" "2s:8:1s|the same unit" \
            "1s:2s|FROM:TO:STEP or FROM:TO:xFACTOR" "a:b:c|is not a number"; do
  "$bin" sweep "$drill" --sweep "mirror.qos_timeout=${spec%%|*}" -o "$dir/bad.db" >"$dir/b.out" 2>"$dir/b.err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q "${spec#*|}" "$dir/b.err" && [ ! -e "$dir/bad.db" ]; then
    ok "sweep bad range ${spec%%|*}: exit 2, nothing run"
  else
    cat "$dir/b.err"; bad "sweep bad range ${spec%%|*}: exit $rc"
  fi
done
# a multiplicative range and durations in different units
"$bin" sweep "$drill" --sweep mirror.qos_timeout=1s:8s:x2 --sweep mirror.qos_timeout=500ms:1s:250ms \
  -n 1 --duration 1s --warmup 0s --no-progress -o "$dir/x.db" --experiment x >"$dir/x.out" 2>&1
[ "$(sqlite3 "$dir/x.db" "select count(distinct variant) from runs where experiment = 'x'")" = 12 ] \
  && grep -q "^mirror.qos_timeout=8s mirror.qos_timeout=0.75s" "$dir/x.out" \
  && ok "sweep x2 steps and mixed duration units: 4 x 3 points" || { cat "$dir/x.out"; bad "sweep x2"; }

# ---- compare: cost and busiest resources ----------------------------------------------------
prod=$src/scenarios/production.json large=$src/scenarios/large-production.json
"$bin" compare "$prod" "$large" -n 2 --duration 1m --warmup 10s --no-progress -j 2 -o "$dir/cost.db" >"$dir/cost.out" 2>&1
rc=$?
# Hand-computed (docs/catalog.md): production 3 x r5.2xlarge $0.504 + 7 x m5.large $0.096 =
# $2.184; gp3 volumes 3 x 800 GB = 2400e9 B / 2^30 x $0.08 / 730 h = $0.2450; two ALBs $0.045.
grep -Eq '^instances +\$2\.1840 +\$8\.2320 +\+\$6\.0480' "$dir/cost.out" \
  && grep -Eq '^EBS volumes +\$0\.2450 ' "$dir/cost.out" \
  && grep -Eq '^load balancers \(hourly\) +\$0\.0450 +\$0\.0450' "$dir/cost.out" \
  && ok "compare cost: instances, EBS volumes and load balancers as computed by hand" \
  || { cat "$dir/cost.out"; bad "compare fixed cost: exit $rc"; }
# data transfer per replication from the stored bytes: cross-AZ $0.02/GB, us-east-1 ->
# us-west-2 $0.02/GB; load balancer bytes $0.008/GB (ALB); per hour of the 1 min measured
want=$(sqlite3 "$dir/cost.db" "select printf('%.4f %.4f', avg(dt), avg(lb)) from (select r.run_id,
  sum(case when m.qualifier = 'cross_az' then m.value * 0.02 when m.qualifier like 'cross_region us-east-1 %' then m.value * 0.02 else 0 end) / 1e9 * 60 as dt,
  sum(case when m.qualifier = 'load_balancer' then m.value * 0.008 else 0 end) / 1e9 * 60 as lb
  from metrics m join runs r using (run_id) where m.name = 'network_bytes' and r.variant = 'production' group by r.run_id)")
got=$(awk '/^data transfer/ {dt = $5} /^load balancers \(bytes/ {lb = $5} END {print dt, lb}' "$dir/cost.out" | tr -d '$')
[ -n "$want" ] && [ "$want" = "$got" ] \
  && grep -Eq '^total +\$[0-9.]+ ±[0-9.]+ +\$[0-9.]+ ±[0-9.]+ +\+\$[0-9.]+ ±[0-9.]+ \*' "$dir/cost.out" \
  && ok "compare cost: data transfer and load-balancer bytes from network_bytes ($got)" \
  || bad "compare traffic cost: want $want, got $got"
grep -q "^busiest resources" "$dir/cost.out" && grep -Eq "^cpu iris-a +[0-9.]+% ±[0-9.]+% +[0-9.]+% ±" "$dir/cost.out" \
  && ! grep -q "^cpu_utilisation" "$dir/cost.out" \
  && ok "compare: busiest resources with intervals and paired differences" \
  || { cat "$dir/cost.out"; bad "compare busiest resources"; }

# ---- sequential stopping ------------------------------------------------------------------
seq=(--variant qos2s: --set mirror.qos_timeout=2s -n 2 --duration 4m --warmup 30s --no-progress
     --target-width 0.35 --target-metric rto_s --max-replications 8 --experiment seq)
"$bin" compare "$drill" "${seq[@]}" -j 1 -o "$dir/seq1.db" >"$dir/seq1.out" 2>&1
rc1=$?
"$bin" compare "$drill" "${seq[@]}" -j 2 -o "$dir/seq2.db" >"$dir/seq2.out" 2>&1
rc2=$?
dumpdb() { sqlite3 "$1" "select variant, replication, seed, events from runs order by run_id;
  select run_id, name, qualifier, value from metrics order by 1, 2, 3;
  select run_id, kind, rto_s, rpo_tx from incidents order by run_id, incident_id"; }
# The rounds (2 replications each): stop after the first k (2, 4, 6, 8) where every variant's
# rto_s half-width (Student t, 95%) is at most 0.35 of its mean, recomputed from the database
# (at seed 1: baseline meets it after 4, qos2s after 6, so both run 6).
stop=$(sqlite3 "$dir/seq1.db" "select variant, replication, rto_s from incidents i join runs r using (run_id) where r.experiment = 'seq' order by variant, replication" | python3 -c '
import sys, statistics
t = {1: 12.706, 3: 3.182, 5: 2.571, 7: 2.365}
v = {}
for line in sys.stdin:
    name, rep, rto = line.strip().split("|")
    v.setdefault(name, []).append((int(rep), float(rto)))
for k in (2, 4, 6, 8):
    ok = True
    for name, xs in v.items():
        x = [r for rep, r in xs if rep < k]
        hw = t[k - 1] * statistics.stdev(x) / len(x) ** 0.5
        ok &= hw <= 0.35 * abs(statistics.mean(x))
    if ok or k == 8:
        print(k); break')
reps=$(sqlite3 "$dir/seq1.db" "select group_concat(n, ' ') from (select count(*) as n from runs where experiment = 'seq' group by variant order by variant)")
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -n "$stop" ] && [ "$stop" -gt 2 ] && [ "$stop" -lt 8 ] \
  && [ "$reps" = "$stop $stop" ] \
  && grep -q "^sequential stopping: rto_s" "$dir/seq1.out" \
  && cmp -s <(dumpdb "$dir/seq1.db") <(dumpdb "$dir/seq2.db") \
  && ok "sequential stopping: $stop replications (the first round meeting the width), same database with -j 1 and -j 2" \
  || { cat "$dir/seq1.out"; bad "sequential stopping: exit $rc1/$rc2, stop $stop, replications $reps"; }
"$bin" run "$drill" --target-width 0.1 -o "$dir/bad.db" >/dev/null 2>"$dir/t.err"
rc=$?
[ $rc -eq 2 ] && grep -q "needs --target-metric" "$dir/t.err" && [ ! -e "$dir/bad.db" ] \
  && "$bin" run "$drill" --target-width 0 --target-metric rto_s -o "$dir/bad.db" >/dev/null 2>&1; rc2=$?
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ ! -e "$dir/bad.db" ] \
  && ok "--target-width without a metric, or 0: exit 2" || bad "target-width usage: exit $rc/$rc2"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
