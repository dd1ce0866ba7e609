#!/usr/bin/env bash
# Runs the malformed-scenario corpus: every CASE.expect in DIR is one case.
#
#   run_bad_scenarios.sh TOPSIM_BINARY DIR
#
# For each case, from inside DIR (so messages carry bare file names):
#   topsim validate [ARGS from CASE.args, one argument per line] CASE.json
# CASE.json may be absent on purpose (the "cannot read" case).
#   CASE.expect  substrings that must all appear in stderr, one per line
#                (blank lines are ignored)
#   CASE.args    optional: extra arguments placed before CASE.json
#   CASE.exit    optional: expected exit code (default 2)
#   CASE.absent  optional: substrings that must NOT appear in stderr or stdout, one per
#                line (a secret of an included file, a second copy of an error)
# On exit 2 stdout must be empty; on exit 0 it must say "CASE.json: ok".
# Sanitizer reports in stderr fail the case whatever the exit code.
# *.inc.json files are helpers included by cases and are not run on their own;
# any other *.json without a .expect is reported as a failure.
#
# Prints "ok CASE" or "FAIL CASE: reason" per case, then "N passed, M failed";
# exits 1 if any case failed, 2 on a usage error.
set -u

if [ "$#" -ne 2 ]; then
    echo "usage: $0 TOPSIM_BINARY DIR" >&2
    exit 2
fi
bin=$1
dir=$2

# The binary is run from inside DIR: make a relative path absolute first.
case "$bin" in
    /*) ;;
    */*) bin="$(cd "$(dirname -- "$bin")" && pwd)/$(basename -- "$bin")" ;;
    *) ;;  # bare name: found on PATH
esac
if ! command -v -- "$bin" >/dev/null 2>&1; then
    echo "$0: cannot run topsim binary '$bin'" >&2
    exit 2
fi
if ! cd -- "$dir"; then
    echo "$0: cannot enter '$dir'" >&2
    exit 2
fi

# A hung case must not hang the suite.
run_timeout=()
if command -v timeout >/dev/null 2>&1; then
    run_timeout=(timeout 60)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/topsim-bad.XXXXXX") || exit 2
trap 'rm -rf -- "$tmp"' EXIT

passed=0
failed=0

fail() {  # fail CASE REASON STDERR_FILE STDOUT_FILE
    echo "FAIL $1: $2"
    if [ -s "$3" ]; then
        echo "---- stderr of $1 ----"
        cat -- "$3"
    fi
    if [ -s "$4" ]; then
        echo "---- stdout of $1 ----"
        cat -- "$4"
    fi
    echo "----"
    failed=$((failed + 1))
}

shopt -s nullglob

# Every scenario file must belong to a case.
for json in *.json; do
    case "$json" in
        *.inc.json) continue ;;
    esac
    name=${json%.json}
    if [ ! -f "$name.expect" ]; then
        echo "FAIL $name: $json has no $name.expect"
        failed=$((failed + 1))
    fi
done

expects=(*.expect)
if [ "${#expects[@]}" -eq 0 ]; then
    echo "FAIL: no *.expect files in $dir"
    failed=$((failed + 1))
fi

for expect in ${expects[@]+"${expects[@]}"}; do
    name=${expect%.expect}
    args=()
    if [ -f "$name.args" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -n "$line" ] && args+=("$line")
        done < "$name.args"
    fi
    want_exit=2
    if [ -f "$name.exit" ]; then
        want_exit=$(tr -d ' \t\r\n' < "$name.exit")
    fi

    out="$tmp/$name.out"
    err="$tmp/$name.err"
    ${run_timeout[@]+"${run_timeout[@]}"} "$bin" validate ${args[@]+"${args[@]}"} "$name.json" >"$out" 2>"$err" </dev/null
    rc=$?
    stderr_text=$(cat -- "$err")
    stdout_text=$(cat -- "$out")

    reason=""
    if [ "$rc" -ne "$want_exit" ]; then
        reason="exit code $rc, expected $want_exit"
    elif [[ "$stderr_text" == *"Sanitizer"* || "$stderr_text" == *"runtime error:"* ]]; then
        reason="sanitizer report"
    elif [ "$want_exit" -eq 2 ] && [ -n "$stdout_text" ]; then
        reason="unexpected output on stdout"
    elif [ "$want_exit" -eq 0 ] && [[ "$stdout_text" != *"$name.json: ok"* ]]; then
        reason="stdout lacks \"$name.json: ok\""
    else
        n_expect=0
        while IFS= read -r sub || [ -n "$sub" ]; do
            sub=${sub%$'\r'}
            [ -z "$sub" ] && continue
            n_expect=$((n_expect + 1))
            if [[ "$stderr_text" != *"$sub"* ]]; then
                reason="missing $sub"
                break
            fi
        done < "$expect"
        if [ -z "$reason" ] && [ "$n_expect" -eq 0 ]; then
            reason="$expect lists no expected substring"
        fi
        if [ -z "$reason" ] && [ -f "$name.absent" ]; then
            while IFS= read -r sub || [ -n "$sub" ]; do
                sub=${sub%$'\r'}
                [ -z "$sub" ] && continue
                if [[ "$stderr_text$stdout_text" == *"$sub"* ]]; then
                    reason="unwanted $sub"
                    break
                fi
            done < "$name.absent"
        fi
    fi

    if [ -n "$reason" ]; then
        fail "$name" "$reason" "$err" "$out"
    else
        echo "ok $name"
        passed=$((passed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
