#!/usr/bin/env bash
# check_determinism.sh BIN SCENARIO: the same scenario and seed give identical results,
# whatever the thread count. Runs BIN twice into two databases, once on one thread (-j 1)
# and once on two (-j 2), and compares everything simulated (runs with their experiment and
# variant, metrics, latency, latency buckets, time series, incidents, timeline, violations)
# in the order written (run_id); only the wall-clock columns of `runs` may differ.
set -euo pipefail
bin=$1 scenario=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for k in 1 2; do
  "$bin" run "$scenario" -j $k -n 4 --duration 3m --warmup 30s --no-progress -o "$dir/$k.db" >"$dir/$k.out" ||
    { rc=$?; [ $rc -eq 1 ] || exit $rc; } # 1: an expectation of the full-length drill fails
done
dump() {
  sqlite3 "$1" "
    select 'run', run_id, seed, replication, scenario_hash, events, experiment, variant from runs order by run_id;
    select 'metric', run_id, name, qualifier, value, unit from metrics order by 2, 3, 4;
    select 'latency', run_id, op_class, count, mean_s, p50_s, p99_s, max_s from latency order by 2, 3;
    select 'bucket', run_id, op_class, lower_s, count from latency_buckets order by 2, 3, 4;
    select 'series', run_id, t_s, name, qualifier, value from timeseries order by 2, 3, 4, 5;
    select 'incident', run_id, kind, target, rto_s, rpo_tx, primary_after from incidents order by 2, 3, 4;
    select 'event', run_id, t_s, source, event from incident_events order by event_id;
    select 'violation', run_id, t_s, invariant from invariant_violations order by 2, 3;"
}
dump "$dir/1.db" >"$dir/1.txt"
dump "$dir/2.db" >"$dir/2.txt"
rows=$(wc -l <"$dir/1.txt")
if ! diff -q "$dir/1.txt" "$dir/2.txt" >/dev/null; then
  diff "$dir/1.txt" "$dir/2.txt" | head -20
  echo "0 passed, 1 failed"
  exit 1
fi
[ "$rows" -gt 100 ] || { echo "too few rows compared ($rows)"; echo "0 passed, 1 failed"; exit 1; }
echo "identical: $rows rows"
echo "1 passed, 0 failed"
