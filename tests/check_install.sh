#!/usr/bin/env bash
# check_install.sh BUILD_DIR: `cmake --install BUILD_DIR --prefix TMP` gives a topsim that
# works away from the source tree: from a directory outside it, with no TOPSIM_* variable
# set, the installed binary reads the installed catalog (and fails naming the installed
# location when that catalog is moved away; TOPSIM_CATALOG_DIR then brings it back), runs an
# installed drill whose expectations hold, draws its timeline with the installed gnuplot
# scripts (when gnuplot is present), and man finds the installed pages; the bash completion
# is installed under share/bash-completion/completions; the Debian package that
# `cpack -G DEB` makes is named topsim_VERSION_amd64.deb, depends on the libraries topsim
# links (libgsl27, libsqlite3-0, libcjson1), recommends gnuplot and holds all of the above.
set -euo pipefail
build=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/topsim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset TOPSIM_CATALOG_DIR TOPSIM_PLOTS_DIR TOPSIM_DATA_DIR TOPSIM_SOURCE_DIR
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || {
  cat "$tmp/install.log" >&2; exit 1; }
bin=$tmp/prefix/bin/topsim share=$tmp/prefix/share
for f in topsim/catalog/instances.json topsim/plots/timeline.gp \
         topsim/scenarios/production.json topsim/scenarios/drills/primary-host-crash.json \
         man/man1/topsim.1 man/man1/topsim-run.1 man/man5/topsim-scenario.5 \
         bash-completion/completions/topsim; do
  [ -f "$share/$f" ] || err "not installed: share/$f"
done
mkdir "$tmp/work" && cd "$tmp/work"
"$bin" --version >/dev/null || err "installed topsim --version failed"
"$bin" catalog instances >/dev/null || err "installed topsim does not find its catalog"
# The drill (which includes ../production.json) from the installed scenarios, 2 short
# replications around its 3m host crash; the installed scenarios are the include root of
# an installed scenario.
drill=$share/topsim/scenarios/drills/primary-host-crash.json
if "$bin" run "$drill" -n 2 -j 2 --duration 4m --warmup 30s --series-width 2s -o drill.db \
     --no-progress >run.out 2>run.err; then
  grep -q 'primary_after \[host_crash iris-a\] every == "iris-b" *ok' run.out ||
    err "the installed drill's expectations are not in its output"
else
  err "installed drill failed: $(cat run.err)"
fi
if command -v gnuplot >/dev/null; then
  "$bin" plot drill.db timeline -o timeline.svg 2>plot.err || err "plot: $(cat plot.err)"
  grep -q '<svg' timeline.svg 2>/dev/null || err "plot: timeline.svg is not an SVG"
else
  echo "gnuplot not installed: the plot is not drawn"
fi
# Move the catalog away: the error names where an installed topsim looks.
mv "$share/topsim/catalog" "$tmp/moved-catalog"
if "$bin" catalog >/dev/null 2>catalog.err; then
  err "topsim found a catalog that was moved away (a path compiled in?)"
elif ! grep -q "$tmp/prefix/bin/../share/topsim/catalog" catalog.err; then
  err "the missing catalog's error does not name the installed location: $(cat catalog.err)"
fi
TOPSIM_CATALOG_DIR=$tmp/moved-catalog "$bin" catalog volumes >/dev/null ||
  err "TOPSIM_CATALOG_DIR does not override the catalog"
TOPSIM_DATA_DIR=$tmp/nowhere TOPSIM_CATALOG_DIR= "$bin" catalog >/dev/null 2>&1 &&
  err "TOPSIM_DATA_DIR is not used"
mv "$tmp/moved-catalog" "$share/topsim/catalog"
if command -v man >/dev/null; then
  MANPATH=$share/man man -P cat topsim-run 2>/dev/null | grep -q 'topsim run FILE' ||
    err "man topsim-run does not find the installed page"
fi
# The Debian package (cpack -G DEB): its name, dependencies and contents.
if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  if cpack -G DEB -B "$tmp/pkg" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1; then
    deb=$(ls "$tmp"/pkg/topsim_*_amd64.deb 2>/dev/null | head -1)
    if [ -z "$deb" ]; then
      err "cpack made no topsim_VERSION_amd64.deb: $(ls "$tmp/pkg")"
    else
      deps=$(dpkg-deb -f "$deb" Depends)
      for d in libgsl27 libsqlite3-0 libcjson1; do
        grep -q "$d" <<<"$deps" || err "the package does not depend on $d: $deps"
      done
      dpkg-deb -f "$deb" Recommends | grep -q gnuplot || err "the package does not recommend gnuplot"
      contents=$(dpkg-deb -c "$deb")
      for f in ./usr/bin/topsim ./usr/share/topsim/catalog/instances.json \
               ./usr/share/topsim/plots/timeline.gp ./usr/share/man/man1/topsim-run.1 \
               ./usr/share/man/man5/topsim-scenario.5 \
               ./usr/share/bash-completion/completions/topsim; do
        grep -q " $f\$" <<<"$contents" || err "the package lacks $f"
      done
    fi
  else
    err "cpack -G DEB failed: $(tail -5 "$tmp/cpack.log")"
  fi
else
  echo "cpack or dpkg-deb missing: the Debian package is not checked"
fi
[ $fail -eq 0 ] && echo "ok: installed into a temporary prefix, drill run from $tmp/work"
exit $fail
