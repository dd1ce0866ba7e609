#!/usr/bin/env bash
# check_golden.sh BIN SOURCE_DIR [--update]: the simulated results of the drills, the
# validation scenarios and the main job are what tests/golden/expected.sha256 records.
# Each scenario runs short (2 replications, a few simulated minutes) and every simulated
# table is dumped in a fixed order (wall-clock columns left out); the dump's SHA-256 must
# match. A structural change must reproduce these bit for bit; a change that moves results
# on purpose regenerates them with --update and says why in its commit.
set -euo pipefail
bin=$1 src=$2 mode=${3:-check}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
expected=$src/tests/golden/expected.sha256
cd "$src"
scenarios=(scenarios/production.json scenarios/large-production.json
           scenarios/sharded-compute.json scenarios/drills/*.json tests/validation/*.json)
dump() {
  sqlite3 "$1" "
    select 'run', seed, replication, scenario_hash, events from runs order by run_id;
    select 'metric', run_id, name, qualifier, value, unit from metrics order by 2, 3, 4;
    select 'latency', run_id, op_class, count, mean_s, p50_s, p99_s, max_s from latency order by 2, 3;
    select 'bucket', run_id, op_class, lower_s, count from latency_buckets order by 2, 3, 4;
    select 'series', run_id, t_s, name, qualifier, value, unit from timeseries order by 2, 3, 4, 5;
    select 'incident', * from incidents order by run_id, incident_id;
    select 'event', run_id, t_s, source, event from incident_events order by event_id;
    select 'violation', run_id, t_s, invariant, detail from invariant_violations order by 2, 3;"
}
: >"$dir/actual.sha256"
for s in "${scenarios[@]}"; do
  "$bin" run "$s" -n 2 --duration 4m --warmup 30s --no-progress -o "$dir/run.db" >/dev/null ||
    { rc=$?; [ $rc -eq 1 ] || exit $rc; }
  dump "$dir/run.db" >"$dir/dump.txt"
  echo "$(sha256sum <"$dir/dump.txt" | cut -c1-64)  $s  $(wc -l <"$dir/dump.txt") rows" \
    >>"$dir/actual.sha256"
  mkdir -p "$dir/dumps/$(dirname "$s")"; cp "$dir/dump.txt" "$dir/dumps/$s.txt"
  rm -f "$dir/run.db" "$dir/run.db-wal" "$dir/run.db-shm"
done
if [ "$mode" = "--update" ]; then
  cp "$dir/actual.sha256" "$expected"
  echo "golden results written to $expected"
  exit 0
fi
if [ -n "${GOLDEN_KEEP:-}" ]; then rm -rf "$GOLDEN_KEEP"; cp -r "$dir/dumps" "$GOLDEN_KEEP"; fi
if diff "$expected" "$dir/actual.sha256"; then
  echo "golden results reproduced: $(wc -l <"$expected") scenarios"
  echo "1 passed, 0 failed"
else
  echo "golden results differ (GOLDEN_KEEP=DIR keeps the dumps for diffing)"
  echo "0 passed, 1 failed"
  exit 1
fi
