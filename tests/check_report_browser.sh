#!/usr/bin/env bash
# check_report_browser.sh BIN SOURCE_DIR: topsim report opens in a real browser. A short
# drill's report is loaded by headless Chromium (Debian package chromium, which
# scripts/setup installs when it can): the page loads without console or network errors,
# the DOM after loading holds every inline plot and the tables, the expectations' verdict
# table among them (one row per stored verdict), and a screenshot is drawn, at a desktop
# width and at a phone's.
# Exits 77 (skipped) with a message when no Chromium is installed.
set -uo pipefail
bin=$1 src=$2
browser=""
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null && { browser=$b; break; }
done
[ -n "$browser" ] || { echo "SKIP: no Chromium installed (scripts/setup installs the Debian package chromium)"; exit 77; }
command -v gnuplot >/dev/null || { echo "SKIP: gnuplot not installed (scripts/setup)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed (scripts/setup)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$src" || exit 1
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

"$bin" run scenarios/drills/primary-host-crash.json -n 2 --duration 4m --warmup 30s \
  --no-progress -j 2 --include-root scenarios -o "$dir/t.db" >"$dir/run.out" 2>&1 \
  || { cat "$dir/run.out"; echo "FAIL drill run"; exit 1; }
"$bin" report "$dir/t.db" -o "$dir/report.html" 2>"$dir/report.err" \
  || { cat "$dir/report.err"; echo "FAIL report"; exit 1; }

# Root cannot use Chromium's sandbox; the profile goes to the temporary directory.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
       --user-data-dir="$dir/profile" --enable-logging=stderr --v=0)
url="file://$dir/report.html"
timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$dir/dom.html" 2>"$dir/dom.err"
rc=$?
svgs=$(grep -o '<svg' "$dir/report.html" | wc -l)
[ $rc -eq 0 ] && [ "$svgs" -ge 3 ] && [ "$(grep -o '<svg' "$dir/dom.html" | wc -l)" = "$svgs" ] \
  && grep -q '<h1>topsim report: t.db</h1>' "$dir/dom.html" \
  && [ "$(grep -o '<figcaption>' "$dir/dom.html" | wc -l)" = "$svgs" ] \
  && grep -q '<th>detect</th>' "$dir/dom.html" \
  && ok "browser: the page loads, with its $svgs plots and the tables in the DOM" \
  || { tail -20 "$dir/dom.err"; bad "browser DOM (exit $rc)"; }
verdicts=$(sqlite3 "$dir/t.db" "select count(*) from expectation_verdicts" 2>/dev/null)
grep -q '<table class="verdicts">' "$dir/dom.html" && [ "${verdicts:-0}" -ge 10 ] \
  && [ "$(grep -o '<tr class="pass">\|<tr class="fail">' "$dir/dom.html" | wc -l)" = "$verdicts" ] \
  && ok "browser: the verdict table is in the DOM, one row per verdict ($verdicts)" \
  || bad "browser: verdict table (stored $verdicts)"
if grep -E 'CONSOLE|Uncaught|net::ERR|Not allowed to load' "$dir/dom.err"; then
  bad "browser: errors while loading"
else
  ok "browser: no console or load errors"
fi
timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1100,3000 \
  --screenshot="$dir/shot.png" "$url" >/dev/null 2>"$dir/shot.err"
rc=$?
[ $rc -eq 0 ] && [ "$(od -An -tx1 -N8 "$dir/shot.png" | tr -d ' \n')" = 89504e470d0a1a0a ] \
  && [ "$(stat -c %s "$dir/shot.png")" -gt 50000 ] \
  && ok "browser: screenshot drawn" || { tail -5 "$dir/shot.err"; bad "browser screenshot (exit $rc)"; }
timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size=390,2400 \
  --screenshot="$dir/phone.png" "$url" >/dev/null 2>"$dir/phone.err"
rc=$?
[ $rc -eq 0 ] && [ "$(od -An -tx1 -N8 "$dir/phone.png" | tr -d ' \n')" = 89504e470d0a1a0a ] \
  && ok "browser: screenshot at a phone's width drawn" || { tail -5 "$dir/phone.err"; bad "browser phone screenshot (exit $rc)"; }
[ -n "${REPORT_SHOTS:-}" ] && cp "$dir/shot.png" "$dir/phone.png" "$dir/report.html" "$REPORT_SHOTS"/

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
