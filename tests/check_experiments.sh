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
#   sweep: a two-point grid prints one row per point and tags the runs.
set -uo pipefail
bin=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
drill=$src/scenarios/drills/primary-host-crash.json
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

"$bin" compare "$drill" --variant qos2s: --set mirror.qos_timeout=2s "${short[@]}" -n 4 -o "$dir/c.db" >"$dir/c.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^rto_s \[host_crash iris-a\] .* \*" "$dir/c.out" \
  && [ "$(sqlite3 "$dir/c.db" "select group_concat(variant || ':' || replications, ' ') from (select variant, count(*) as replications from runs where experiment = 'compare-1' group by variant order by variant)")" = "baseline:4 qos2s:4" ] \
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

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
