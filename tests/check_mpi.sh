#!/usr/bin/env bash
# check_mpi.sh BIN SRC: replications spread over MPI ranks (sim/run/cluster.h) give the
# database a single process writes, and a rank that dies loses nothing.
#   1. A sweep (2 points x 3 replications of a host-crash drill) in one process (-j 1),
#      under `mpirun -np 2` and
#      under `mpirun -np 3 -j 2`: every table of the three databases is compared row for row,
#      in the order written, all columns but the wall-clock ones (runs.started_at, wall_s).
#   2. The same sweep under `mpirun -np 3 --enable-recovery` with rank 2 killed (SIGKILL)
#      once the run is under way: rank 0 notices the silence or a send that cannot complete
#      (TOPSIM_RANK_TIMEOUT=3), runs the lost replication (if any) elsewhere, and the database is again identical: nothing lost,
#      nothing stored twice.
#   3. Without --enable-recovery, mpirun ends the whole job when rank 1 is killed: the
#      database holds complete replications only (every run has its metrics, latency and
#      series, and no replication twice).
# Skipped (77) when BIN was built without MPI or mpirun is missing.
set -uo pipefail
bin=$1 src=$2
if ! "$bin" --version | grep -q '^cluster: .*MPI [0-9]'; then
  echo "skipped: $bin was built without MPI (scripts/setup --mpi installs Open MPI)"
  exit 77
fi
command -v mpirun >/dev/null || { echo "skipped: no mpirun (apt-get install openmpi-bin)"; exit 77; }
dir=$(mktemp -d)
trap 'pkill -9 -P $$ 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
# As root in a container, Open MPI wants to be told; 3 ranks on 2 cores oversubscribe.
mpirun=(mpirun --allow-run-as-root --oversubscribe -x TOPSIM_RANK_TIMEOUT)
export TOPSIM_RANK_TIMEOUT=3
# A drill (the primary's host crashes at 3m), so incidents and their timelines are compared
# too; its expectations are for its full length, so they are left out here.
sweep=(sweep "$src/scenarios/drills/primary-host-crash.json" --sweep mirror.qos_timeout=2s,8s
       -n 3 --set 'expectations=[]' --include-root "$src/scenarios" --no-progress)
passed=0 failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAILED: $1"; failed=$((failed + 1)); }

# dump DB: every table, rows in rowid order, wall-clock columns left out.
dump() {
  local db=$1 t cols
  for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table' order by name"); do
    cols=$(sqlite3 "$db" "select group_concat(name, ', ') from pragma_table_info('$t')
                          where name not in ('started_at', 'wall_s')")
    echo "== $t"
    sqlite3 "$db" "select $cols from $t order by rowid"
  done
}

"$bin" "${sweep[@]}" --duration 4m -j 1 -o "$dir/one.db" >"$dir/one.out" 2>&1 ||
  { cat "$dir/one.out"; bad "single-process sweep"; }
dump "$dir/one.db" >"$dir/one.txt"
rows=$(wc -l <"$dir/one.txt")
[ "$rows" -gt 1000 ] || bad "too few rows to compare ($rows)"

for spec in "2 1" "3 2"; do
  set -- $spec
  np=$1 j=$2
  timeout 300 "${mpirun[@]}" -np "$np" "$bin" "${sweep[@]}" --duration 4m -j "$j" \
    -o "$dir/np$np.db" >"$dir/np$np.out" 2>&1 || { tail -20 "$dir/np$np.out"; }
  dump "$dir/np$np.db" >"$dir/np$np.txt"
  if diff -q "$dir/one.txt" "$dir/np$np.txt" >/dev/null; then
    ok "mpirun -np $np -j $j: identical database ($rows rows)"
  else
    diff "$dir/one.txt" "$dir/np$np.txt" | head -10
    bad "mpirun -np $np -j $j: the database differs from one process's"
  fi
  # The printed table too (the database path aside).
  if diff <(sed 1d "$dir/one.out") <(grep -v 'PMIX ERROR' "$dir/np$np.out" | sed 1d) >/dev/null; then
    ok "mpirun -np $np: the same summary table"
  else
    bad "mpirun -np $np: the summary table differs"
  fi
done

# rank_pid R: the pid of the topsim process of rank R (from its environment).
rank_pid() {
  local p
  for p in $(pgrep -x topsim); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" &&
      { echo "$p"; return 0; }
  done
  return 1
}

# kill_rank R DB: once DB holds a run, kill rank R.
kill_rank() {
  local r=$1 db=$2 pid n
  for _ in $(seq 600); do
    n=$(sqlite3 "$db" "select count(*) from runs" 2>/dev/null || echo 0)
    pid=$(rank_pid "$r") || pid=
    if [ "${n:-0}" -ge 1 ] && [ -n "$pid" ]; then
      kill -9 "$pid"
      echo "killed rank $r (pid $pid) after $n stored runs"
      return 0
    fi
    sleep 0.1
  done
  echo "could not kill rank $r"
  return 1
}

# 2. A rank dies; the job goes on (--enable-recovery).
"$bin" "${sweep[@]}" --duration 8m -j 1 -o "$dir/long.db" >/dev/null 2>&1
dump "$dir/long.db" >"$dir/long.txt"
timeout 300 "${mpirun[@]}" --enable-recovery -np 3 "$bin" "${sweep[@]}" --duration 8m -j 1 \
  -o "$dir/killed.db" >"$dir/killed.out" 2>&1 &
job=$!
kill_rank 2 "$dir/killed.db" >"$dir/kill.log"
wait $job
cat "$dir/kill.log"
dump "$dir/killed.db" >"$dir/killed.txt"
if grep -q '^topsim: rank 2 ' "$dir/killed.out" &&
   diff -q "$dir/long.txt" "$dir/killed.txt" >/dev/null; then
  ok "rank 2 killed: its replication ran elsewhere, the database is identical"
else
  tail -20 "$dir/killed.out"
  diff "$dir/long.txt" "$dir/killed.txt" | head -10
  bad "rank 2 killed: replications lost or stored twice"
fi

# 3. A rank dies and mpirun ends the job: complete replications only.
timeout 300 "${mpirun[@]}" -np 2 "$bin" "${sweep[@]}" --duration 8m -j 1 \
  -o "$dir/aborted.db" >"$dir/aborted.out" 2>&1 &
job=$!
kill_rank 1 "$dir/aborted.db" >"$dir/kill.log"
wait $job
rc=$?
runs=$(sqlite3 "$dir/aborted.db" "select count(*) from runs")
complete=$(sqlite3 "$dir/aborted.db" "select count(*) from runs r where
  exists (select 1 from metrics m where m.run_id = r.run_id) and
  exists (select 1 from latency l where l.run_id = r.run_id) and
  exists (select 1 from timeseries t where t.run_id = r.run_id)")
twice=$(sqlite3 "$dir/aborted.db" "select count(*) from (select variant, replication from runs
  group by 1, 2 having count(*) > 1)")
if [ "$rc" -ne 0 ] && [ "$runs" -ge 1 ] && [ "$runs" -lt 6 ] && [ "$runs" = "$complete" ] &&
   [ "$twice" = 0 ] && sqlite3 "$dir/aborted.db" "pragma integrity_check" | grep -qx ok; then
  ok "rank 1 killed without recovery: mpirun exit $rc, $runs complete runs, none twice"
else
  bad "rank 1 killed without recovery: exit $rc, runs $runs, complete $complete, twice $twice"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
