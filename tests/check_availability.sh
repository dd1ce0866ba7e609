#!/usr/bin/env bash
# check_availability.sh BIN SOURCE_DIR: topsim availability from the command line.
#   A production scenario with every class at its default rate exits 0, prints availability,
#   downtime by cause and the chain's verdict, and stores one avail_runs row with its causes
#   and failures and the incident library (request-level RTO with stages for a crash of the
#   primary's host and an outage of its AZ); -j 1 and -j 3 store the same figures; the experiment is numbered after
#   the previous one. Without stochastic_faults every class fails at its default rate. Bad
#   input exits 2 naming the JSON path (a bad crew) or the option (--years 0, more batches than years), and writes nothing.
set -uo pipefail
bin=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
prod=$src/scenarios/production.json
all='stochastic_faults=[{"class":"host"},{"class":"volume"},{"class":"az"},{"class":"region"}]'

out=$("$bin" availability "$prod" --set "$all" --years 2000 -j 1 -o "$dir/a.db" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "exit 0" || bad "exit $rc: $out"
for want in "writes  0.99" "downtime by cause" "MIRROR1 primary host_crash: takeover" \
            "exact chain: does not apply" "(default)" "experiment availability-1"; do
  grep -qF "$want" <<<"$out" && ok "prints '$want'" || bad "missing '$want' in: $out"
done
rows=$(sqlite3 "$dir/a.db" "SELECT count(*) FROM avail_runs WHERE years = 2000 AND batches = 20")
[ "$rows" = 1 ] && ok "one avail_runs row" || bad "avail_runs rows: $rows"
causes=$(sqlite3 "$dir/a.db" "SELECT count(*) FROM avail_causes WHERE minutes_per_year > 0")
[ "${causes:-0}" -ge 3 ] && ok "causes stored ($causes)" || bad "causes: $causes"
fails=$(sqlite3 "$dir/a.db" "SELECT class FROM avail_failures WHERE failures_per_year > 0 ORDER BY class" | tr '\n' ' ')
[ "$fails" = "az host region volume " ] && ok "failures by class" || bad "failures: $fails"
lib=$(sqlite3 "$dir/a.db" "SELECT fault || ':' || used FROM avail_library WHERE rto_s > 0 AND detect_s > 0 ORDER BY fault" | tr '\n' ' ')
[ "$lib" = "az_outage us-east-1a:1 host_crash iris-a:1 " ] && ok "incident library stored" \
  || bad "library rows: $lib"
rpo=$(sqlite3 "$dir/a.db" "SELECT rpo_tx_per_year IS NOT NULL FROM avail_runs")
[ "$rpo" = 1 ] && ok "expected RPO stored" || bad "rpo_tx_per_year: $rpo"
grep -q "host_crash iris-a .*RTO [0-9.]* ± [0-9.]* s (3/3 recovered; detect" <<<"$out" \
  && ok "library printed" || bad "library line missing"
o0=$("$bin" availability "$prod" --set "$all" --years 100 --library 0 --no-store 2>&1)
grep -q "incident library: not built" <<<"$o0" && ok "--library 0" || bad "--library 0: $o0"
"$bin" availability "$prod" --set "$all" --years 2000 -j 3 -o "$dir/a.db" >/dev/null 2>&1
q="SELECT write_availability, downtime_min_per_year_half, yearly_downtime_p99_min, events FROM avail_runs"
one=$(sqlite3 "$dir/a.db" "$q WHERE experiment = 'availability-1'")
three=$(sqlite3 "$dir/a.db" "$q WHERE experiment = 'availability-2'")
[ -n "$one" ] && [ "$one" = "$three" ] && ok "-j 1 and -j 3 store the same figures" \
  || bad "-j differs: '$one' vs '$three'"

expect_2() { # NAME WANT ARGS...
  local name=$1 want=$2; shift 2
  local o
  o=$("$bin" availability "$@" -o "$dir/b.db" 2>&1)
  local rc=$?
  if [ $rc -eq 2 ] && grep -qF "$want" <<<"$o"; then ok "$name"; else bad "$name: rc $rc: $o"; fi
}
o=$("$bin" availability "$prod" --years 100 --library 0 --no-store 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "no stochastic_faults: every host, volume, AZ and region fails" <<<"$o" \
  && grep -q "^  region  MTBF 10 y (default)" <<<"$o" && ok "no stochastic class: class defaults" \
  || bad "no stochastic class: rc $rc: $o"
expect_2 "crew for an AZ" '$.availability.crews[0].class' "$prod" --set "$all" \
  --set 'availability.crews=[{"class":"az"}]'
expect_2 "years 0" "years must be" "$prod" --years 0
expect_2 "more batches than years" "batches need" "$prod" --set "$all" --years 5
expect_2 "request-level option" "request-level" "$prod" -n 3
[ ! -s "$dir/b.db" ] && ok "bad input writes no rows" || {
  n=$(sqlite3 "$dir/b.db" "SELECT count(*) FROM avail_runs" 2>/dev/null)
  [ "${n:-0}" = 0 ] && ok "bad input writes no rows" || bad "bad input stored $n rows"; }
"$bin" availability --help | grep -q "^usage: topsim availability" && ok "--help" || bad "--help"

# compare --years: annual downtime per variant, paired by batch; a variant without an
# arbiter loses more (a crash of the primary's host can no longer be confirmed).
noarb=$dir/no-arbiter.json
python3 - "$prod" "$noarb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
del s["mirrors"][0]["arbiter"]
s["hosts"] = [h for h in s["hosts"] if h["name"] != "arbiter"]
s["name"] = "production-no-arbiter"
json.dump(s, open(sys.argv[2], "w"))
PY
cmp_out=$("$bin" compare "$prod" "$noarb" -n 2 --duration 20s --warmup 5s --no-progress \
  -o "$dir/c.db" --set "$all" --years 2000 --library 0 --include-root / 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "compare --years exit 0" || bad "compare --years rc $rc: $cmp_out"
grep -q "^annual downtime (availability mode: 2000 years" <<<"$cmp_out" && ok "compare prints annual downtime" \
  || bad "compare: no annual downtime table: $cmp_out"
grep -qE "^no-arbiter +0\.99[0-9]+ ±[0-9.]+ +[0-9.]+ ±[0-9.]+ +\+[0-9.]+ ±[0-9.]+ \*" <<<"$cmp_out" \
  && ok "no arbiter: significantly more downtime" || bad "compare row: $cmp_out"

# check: annual_downtime_s expectations on the availability mode's batches; a bound that
# holds passes, one that does not exits 1.
cat >"$dir/annual.json" <<'JSON'
{"expectations": [
  {"metric": "annual_downtime_s", "of": "upper_bound", "op": "<=", "value": "10m"}
]}
JSON
cat >"$dir/annual-fail.json" <<'JSON'
{"expectations": [
  {"metric": "annual_downtime_s", "of": "mean", "op": "<=", "value": "10s"}
]}
JSON
chk=(check "$prod" -n 2 --duration 20s --warmup 5s --no-progress --set "$all"
     --set availability.library=0 --set availability.years=500)
o=$("$bin" "${chk[@]}" --expect "$dir/annual.json" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "annual_downtime_s upper_bound(95%) <= 10m  ok .*20 batches in" <<<"$o" \
  && ok "check: annual downtime within bound" || bad "check pass: rc $rc: $o"
o=$("$bin" "${chk[@]}" --expect "$dir/annual-fail.json" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "annual_downtime_s mean <= 10s  *FAIL" <<<"$o" \
  && ok "check: annual downtime over bound exits 1" || bad "check fail: rc $rc: $o"

# --bias: importance sampling prints and stores its effective sample count.
o=$("$bin" availability "$src/tests/validation/availability/rare-pair.json" --years 2000 \
  --bias 0.3 --library 0 -o "$dir/is.db" --include-root "$src" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "importance sampling: [0-9]* regenerative cycles, effective sample count" <<<"$o" \
  && ok "--bias prints the effective sample count" || bad "--bias: rc $rc: $o"
ess=$(sqlite3 "$dir/is.db" "SELECT bias, effective_samples > 30, yearly_downtime_p50_min IS NULL FROM avail_runs")
[ "$ess" = "0.3|1|1" ] && ok "--bias stored" || bad "--bias stored: $ess"
expect_2 "bias out of range" "bias must be" "$prod" --bias 1.5

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
