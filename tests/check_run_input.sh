#!/usr/bin/env bash
# check_run_input.sh BIN SOURCE_DIR: input bounds that the scenario corpus cannot express
# (it runs `topsim validate` on files in git): run options, the results database, FIFOs and
# oversized files. Each check asserts the exit code, a message naming the problem, and that
# nothing was simulated or written.
#
# Prints "ok NAME" or "FAIL NAME: reason" per check, then "N passed, M failed"; exit 1 when
# any check failed.
set -u
bin=$1 src=$2
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/topsim-run-input.XXXXXX") || exit 2
trap 'rm -rf -- "$tmp"' EXIT
cd "$src" || exit 2
scenario=scenarios/production.json
passed=0 failed=0

# check NAME WANT_EXIT WANT_SUBSTRING -- COMMAND...: runs COMMAND (60 s at most), output in
# $tmp/out and $tmp/err.
check() {
  local name=$1 want=$2 sub=$3
  shift 4
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  local reason=""
  if [ "$rc" -ne "$want" ]; then
    reason="exit $rc, expected $want"
  elif [ -n "$sub" ] && ! grep -qF -- "$sub" "$tmp/err"; then
    reason="stderr lacks: $sub"
  elif grep -qE 'Sanitizer|runtime error:' "$tmp/err"; then
    reason="sanitizer report"
  fi
  if [ -n "$reason" ]; then
    echo "FAIL $name: $reason"; sed 's/^/  | /' "$tmp/err" | head -20
    failed=$((failed + 1))
  else
    echo "ok $name"; passed=$((passed + 1))
  fi
}
# unchanged NAME FILE SHA: the file still has the digest it had before.
unchanged() {
  if [ "$(sha256sum <"$2")" = "$3" ] && [ ! -e "$2-wal" ]; then
    echo "ok $1"; passed=$((passed + 1))
  else
    echo "FAIL $1: $2 was modified"; failed=$((failed + 1))
  fi
}
absent() {
  if [ ! -e "$2" ]; then echo "ok $1"; passed=$((passed + 1))
  else echo "FAIL $1: $2 was written"; failed=$((failed + 1)); fi
}

# --- run options: refused before anything is simulated or written ---------------------------
check series-width-1ns 2 "time-series buckets per replication" -- \
  "$bin" run "$scenario" --series-width 1ns --no-progress -o "$tmp/w.db"
absent series-width-1ns-writes-nothing "$tmp/w.db"
check series-width-zero 2 "--series-width" -- \
  "$bin" run "$scenario" --series-width 0s --no-progress -o "$tmp/w.db"
check output-empty 2 '-o needs a database file name, not ""' -- \
  "$bin" run "$scenario" --no-progress -o ''
check output-memory 2 '-o needs a database file name, not ":memory:"' -- \
  "$bin" run "$scenario" --no-progress -o :memory:
check duration-over-cap 2 '$.duration: "400d" is above the maximum 365d' -- \
  "$bin" run "$scenario" --duration 400d --no-progress -o "$tmp/w.db"
check duration-plus-warmup-over-cap 2 'warmup (100d) plus duration (300d) must not exceed 365d' -- \
  "$bin" run "$scenario" --duration 300d --warmup 100d --no-progress -o "$tmp/w.db"
check duration-huge 2 '--duration:1:10: error: $.duration' -- \
  "$bin" run "$scenario" --duration 9999999999999999999d --no-progress -o "$tmp/w.db"
check warmup-negative 2 '--warmup:1:8: error: $.warmup' -- \
  "$bin" run "$scenario" --warmup=-1s --no-progress -o "$tmp/w.db"
check duration-set-same-rule 2 '"400d" is above the maximum 365d' -- \
  "$bin" validate --set duration=400d "$scenario"
absent run-options-write-nothing "$tmp/w.db"

# --- the results database: refused untouched ---------------------------------------------------
sqlite3 "$tmp/neg.db" 'PRAGMA user_version = -3; CREATE TABLE t(x);'
sum=$(sha256sum <"$tmp/neg.db")
check db-negative-version 2 'is not a topsim results database: schema version -3' -- \
  "$bin" run "$scenario" --duration 1s --no-progress -o "$tmp/neg.db"
unchanged db-negative-version-untouched "$tmp/neg.db" "$sum"
sqlite3 "$tmp/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1);'
sum=$(sha256sum <"$tmp/other.db")
check db-other-application 2 'it holds tables but no schema version' -- \
  "$bin" run "$scenario" --duration 1s --no-progress -o "$tmp/other.db"
unchanged db-other-application-untouched "$tmp/other.db" "$sum"
if [ "$(sqlite3 "$tmp/other.db" 'PRAGMA journal_mode')" = delete ]; then
  echo "ok db-other-application-journal-mode"; passed=$((passed + 1))
else
  echo "FAIL db-other-application-journal-mode: switched to WAL"; failed=$((failed + 1))
fi

# --- two runs on one database: the second stops at once, before simulating --------------------
"$bin" run "$scenario" --duration 1s --no-progress -o "$tmp/busy.db" >/dev/null 2>&1
if command -v flock >/dev/null 2>&1; then
  before=$(sqlite3 "$tmp/busy.db" 'SELECT count(*) FROM runs')
  flock "$tmp/busy.db" sleep 30 &
  holder=$!
  sleep 0.5
  check db-in-use 3 'is in use by another topsim run' -- \
    "$bin" run "$scenario" --duration 1s --no-progress -o "$tmp/busy.db"
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  runs=$(sqlite3 "$tmp/busy.db" 'SELECT count(*) FROM runs')
  if [ "$runs" = "$before" ]; then echo "ok db-in-use-wrote-nothing"; passed=$((passed + 1))
  else echo "FAIL db-in-use-wrote-nothing: $runs runs"; failed=$((failed + 1)); fi
fi

# --- files that are not regular, or too large: refused without reading -------------------------
mkfifo "$tmp/fifo.json"
check fifo-scenario 2 'not a regular file' -- "$bin" validate "$tmp/fifo.json"
printf '{"include": "fifo.json", "name": "x"}\n' >"$tmp/inc-fifo.json"
check fifo-include 2 'fifo.json": not a regular file' -- \
  "$bin" validate "$tmp/inc-fifo.json"
truncate -s 17M "$tmp/big.json"
check file-over-16mib 2 'larger than 16 MiB' -- "$bin" validate "$tmp/big.json"
printf '{"include": "big.json", "name": "x"}\n' >"$tmp/inc-big.json"
check include-over-16mib 2 'larger than 16 MiB' -- "$bin" validate "$tmp/inc-big.json"
check include-root-allows 0 '' -- "$bin" validate --include-root "$src" \
  "$src/scenarios/drills/az-1a-outage.json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
