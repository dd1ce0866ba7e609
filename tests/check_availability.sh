#!/usr/bin/env bash
# check_availability.sh BIN SOURCE_DIR: topsim availability from the command line.
#   A production scenario with every class at its default rate exits 0, prints availability,
#   downtime by cause and the chain's verdict, and stores one avail_runs row with its causes
#   and failures and the incident library (request-level RTO with stages for a crash of the
#   primary's host, an outage of its AZ, a failed volume by purpose, and the primary's
#   restart after a double failure; the journal pair ridden through); -j 1 and -j 3 store the
#   same figures, the second from the library's cache; a changed scenario or
#   --rebuild-library simulates the library again; read downtime is stored apart from
#   writes. The experiment is numbered after the previous one. Without stochastic_faults every class fails at its default rate. A link class:
#   partitions charged from the library or harmless, stored by class and cause. Bad
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
want_lib="az_outage us-east-1a:1 host_crash iris-a:1 volume_failure iris-a/db:1 volume_failure iris-a/sys:1 "
[ "$lib" = "$want_lib" ] && ok "incident library stored" \
  || bad "library rows: $lib"
rpo=$(sqlite3 "$dir/a.db" "SELECT rpo_tx_per_year IS NOT NULL FROM avail_runs")
[ "$rpo" = 1 ] && ok "expected RPO stored" || bad "rpo_tx_per_year: $rpo"
grep -A1 "host_crash: takeover  *host_crash iris-a$" <<<"$out" \
  | grep -q "^    RTO [0-9.]* ± [0-9.]* s (3/3 recovered; detect" \
  && ok "library printed" || bad "library line missing"
# The double failure: the backup's host down, then the primary's for 2 min: the restart on
# its return is charged from the run (RTO less the 2 min), not failover_time.
dbl=$(sqlite3 "$dir/a.db" "SELECT used, rto_s >= 120 FROM avail_library WHERE fault = 'host_crash iris-b + host_crash iris-a'")
[ "$dbl" = "1|1" ] && ok "double failure in the library" || bad "double failure row: '$dbl'"
grep -q "charged on the primary's return: writes [0-9.]* s" <<<"$out" \
  && ok "double failure charged on return" || bad "double failure not printed: $out"
# The journal volumes: the alternate takes over at request level, so the upper level does
# not take the instance down for one of them (no cause row of that class).
grep -q "harmless: iris-a stays primary" <<<"$out" && ok "journal volume ridden through" \
  || bad "no harmless journal: $out"
jc=$(sqlite3 "$dir/a.db" "SELECT count(*) FROM avail_causes WHERE incident_class LIKE '%journal volume_failure%'")
[ "$jc" = 0 ] && ok "no journal volume outage" || bad "journal volume causes: $jc"
# Reads apart from writes: stored, and never more than writes.
rd=$(sqlite3 "$dir/a.db" "SELECT read_downtime_min_per_year IS NOT NULL, read_downtime_min_per_year <= downtime_min_per_year + 1e-12, read_availability >= write_availability FROM avail_runs")
[ "$rd" = "1|1|1" ] && ok "read downtime stored" || bad "read downtime: $rd"
grep -q "^  reads   0.99[0-9]* ± [0-9.]*  (unavailability .*; read downtime [0-9.]* ± [0-9.]* min/year)" <<<"$out" \
  && ok "read downtime printed" || bad "reads line: $out"
grep -q "incident library (request-level runs around each incident class: 7 simulated, 0 from the cache" <<<"$out" \
  && ok "library simulated first" || bad "first library: $out"
o0=$("$bin" availability "$prod" --set "$all" --years 100 --library 0 --no-store 2>&1)
grep -q "incident library: not built" <<<"$o0" && ok "--library 0" || bad "--library 0: $o0"
o3=$("$bin" availability "$prod" --set "$all" --years 2000 -j 3 -o "$dir/a.db" 2>&1)
grep -q "7 from the cache" <<<"$o3" && ok "second invocation: library from the cache" \
  || bad "cache not used: $o3"
cached=$(sqlite3 "$dir/a.db" "SELECT count(*) FROM avail_library l JOIN avail_runs r USING (avail_id) WHERE r.experiment = 'availability-2' AND cached = 1")
[ "$cached" = 7 ] && ok "cached entries marked" || bad "cached rows: $cached"
# The cached figures are the simulated ones.
q1="SELECT incident_class, rto_s, read_unavailable_s, used FROM avail_library l JOIN avail_runs r USING (avail_id) WHERE r.experiment = 'availability-%s' ORDER BY incident_class"
l1=$(sqlite3 "$dir/a.db" "$(printf "$q1" 1)")
l2=$(sqlite3 "$dir/a.db" "$(printf "$q1" 2)")
[ -n "$l1" ] && [ "$l1" = "$l2" ] && ok "cached library identical" || bad "cached library differs: $l1 vs $l2"
# The cache's key: a small pair (three classes) with one replication each.
vols='[{"name":"db","type":"gp3","purpose":"db","size":"100GB"}]'
pair=(availability "$src/tests/validation/availability/pair.json" --include-root "$src"
      --years 100 --library 1 -o "$dir/p.db" --set "hosts[0].volumes=$vols"
      --set "hosts[1].volumes=$vols")
o4=$("$bin" "${pair[@]}" 2>&1)
grep -q "3 simulated, 0 from the cache" <<<"$o4" && ok "pair library simulated" || bad "pair: $o4"
o4=$("$bin" "${pair[@]}" 2>&1)
grep -q "0 simulated, 3 from the cache" <<<"$o4" && ok "pair library from the cache" || bad "pair cached: $o4"
o4=$("$bin" "${pair[@]}" --rebuild-library 2>&1)
grep -q "3 simulated, 0 from the cache" <<<"$o4" && ok "--rebuild-library" || bad "rebuild: $o4"
o5=$("$bin" "${pair[@]}" --set 'mirror.qos_timeout="4s"' 2>&1)
grep -q "3 simulated, 0 from the cache" <<<"$o5" && ok "changed scenario rebuilds the library" \
  || bad "changed scenario: $o5"
o5=$("$bin" "${pair[@]}" -s 7 2>&1)
grep -q "3 simulated, 0 from the cache" <<<"$o5" && ok "another seed rebuilds the library" \
  || bad "another seed: $o5"
keys=$(sqlite3 "$dir/p.db" "SELECT count(DISTINCT scenario_hash), count(DISTINCT seed), count(*) FROM avail_library_cache")
[ "$keys" = "2|2|9" ] && ok "cache keyed by scenario hash and seed" || bad "cache rows: $keys"
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
[ $rc -eq 0 ] && grep -q "no stochastic_faults: every host, volume, AZ, region and link fails" <<<"$o" \
  && grep -q "^  region  MTBF 10 y (default)" <<<"$o" && grep -q "^  link    MTBF 5 y (default)" <<<"$o" && ok "no stochastic class: class defaults" \
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

# Time-of-day strata: each class runs once per stratum at its load (the figures differ),
# printed and stored per stratum, cached under the stratum's slot; shares must sum to 1.
strata='availability.strata=[{"name":"peak","share":0.25,"load":2},{"name":"off-peak","share":0.75,"load":0.5}]'
o=$("$bin" availability "$prod" --set 'stochastic_faults=[{"class":"host"}]' --set "$strata" \
  --years 200 --library 1 -o "$dir/s.db" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "^  \[peak: 0.25 of the day, load x2\]" <<<"$o" \
  && grep -q "^  \[off-peak: 0.75 of the day, load x0.5\]" <<<"$o" \
  && grep -q "6 simulated, 0 from the cache" <<<"$o" && ok "strata printed" || bad "strata: rc $rc: $o"
st=$(sqlite3 "$dir/s.db" "SELECT count(*), count(DISTINCT stratum) FROM avail_library")
[ "$st" = "6|2" ] && ok "strata stored" || bad "strata rows: $st"
slots=$(sqlite3 "$dir/s.db" "SELECT count(*) FROM avail_library_cache WHERE slot LIKE '% @peak' OR slot LIKE '% @off-peak'")
[ "$slots" = 6 ] && ok "strata cached by slot" || bad "strata slots: $slots"
# The load reached the runs: the same seed and fault at another load gives other figures.
d=$(sqlite3 "$dir/s.db" "SELECT count(*) FROM avail_library a JOIN avail_library b ON a.incident_class = b.incident_class AND a.stratum = 'peak' AND b.stratum = 'off-peak' WHERE a.incident_class LIKE '%host_crash: takeover' AND (a.rpo_tx != b.rpo_tx OR a.rto_s != b.rto_s)")
[ "$d" = 1 ] && ok "strata loads differ in the runs" || bad "strata runs identical: $d"
expect_2 "strata shares sum to 1" '$.availability.strata' "$prod" --library 0 \
  --set 'availability.strata=[{"name":"a","share":0.5},{"name":"b","share":0.4}]'
expect_2 "strata names distinct" '$.availability.strata[1].name' "$prod" --library 0 \
  --set 'availability.strata=[{"name":"a","share":0.5},{"name":"a","share":0.5}]'

# Links: production's AZ pairs holding hosts and its region pair, each partitioned in the
# library (one replication): primary and backup AZs apart is charged the whole partition
# (clients of the ALB node in the backup's AZ keep failing until it heals), the arbiter's AZ
# apart and the regions apart cost nothing; failures stored by class.
ol=$("$bin" availability "$prod" --set 'stochastic_faults=[{"class":"link"}]' --years 1000 --library 1 -o "$dir/l.db" 2>&1)
grep -q "^  link    MTBF 5 y (default), MTTR 30m (default), 0.8[0-9]* failures/year" <<<"$ol" \
  && ok "link class printed with its default rate" || bad "link class: $ol"
grep -A2 "^  link us-east-1b <-> us-east-1c: partition" <<<"$ol" | grep -q "harmless: writes back" \
  && ok "arbiter's AZ apart is harmless" || bad "b|c link: $ol"
grep -A2 "^  link us-east-1a <-> us-east-1b: partition" <<<"$ol" | grep -q "charged: writes.* out for as long as the partition lasts" \
  && ok "primary's and backup's AZs apart charged the whole partition" || bad "a|b link: $ol"
lf=$(sqlite3 "$dir/l.db" "SELECT failures_per_year > 0.7 AND failures_per_year < 0.9 FROM avail_failures WHERE class = 'link'")
[ "$lf" = 1 ] && ok "link failures stored (4 links, MTBF 5 y)" || bad "link failures: $lf"
# With cross-zone load balancing the ALB node in us-east-1b keeps sending its clients across
# the cut (the partition-1a-1b drill): writes are out for the whole partition, MTTR 30 min,
# so minutes/year = incidents/year x 30 (to sampling error: about 200 partitions, 7%).
lc=$(sqlite3 -separator ' ' "$dir/l.db" "SELECT c.incidents_per_year, c.minutes_per_year FROM avail_causes c WHERE c.incident_class = 'link us-east-1a <-> us-east-1b: partition' AND c.stage = 'partition'" \
  | awk '{ got = $2 / ($1 * 30);
           print ($1 > 0.15 && $1 < 0.25 && got > 0.8 && got < 1.2) ? 1 : "incidents " $1 " ratio " got }')
[ "$lc" = 1 ] && ok "partition downtime = rate x partition length" || bad "partition cause: $lc"
nc=$(sqlite3 "$dir/l.db" "SELECT count(*) FROM avail_causes WHERE incident_class LIKE 'link%' AND incident_class != 'link us-east-1a <-> us-east-1b: partition'")
[ "$nc" = 0 ] && ok "harmless links cost nothing" || bad "harmless link causes: $nc"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
