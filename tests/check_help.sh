#!/usr/bin/env bash
# check_help.sh BIN MANDIR: every command listed by `topsim --help` answers `topsim help
# COMMAND` with exactly its `--help` text, which opens with its synopsis and has an Options
# section when it takes options; an unknown command gives exit 2; the manual pages the
# build wrote into MANDIR are one per listed command plus topsim(1) and topsim-scenario(5),
# equal to what `topsim man PAGE` prints now, and render with groff's warnings on (skipped
# without groff).
set -euo pipefail
bin=$1 mandir=$2
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
commands=$("$bin" --help | sed -n '/^Commands:$/,/^[A-Z]/p' | awk '/^  [a-z]/ {print $1}')
[ -n "$commands" ] || err "topsim --help lists no commands"
pages="topsim.1"
for c in $commands; do
  a=$("$bin" help "$c") || err "topsim help $c: exit $?"
  b=$("$bin" "$c" --help) || err "topsim $c --help: exit $?"
  [ "$a" = "$b" ] || err "topsim help $c differs from topsim $c --help"
  case $a in "usage: topsim $c"*) ;; *) err "topsim help $c does not open with its synopsis" ;; esac
  if grep -q -- '--[a-z]' <<<"$(head -1 <<<"$a")" && ! grep -qx 'Options:' <<<"$a"; then
    err "topsim help $c: options in the synopsis but no Options: section"
  fi
  pages="$pages topsim-$c.1"
done
if "$bin" help no-such-command 2>/dev/null; then err "topsim help no-such-command: exit 0"; fi
set +e; "$bin" help no-such-command >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 2 ] || err "topsim help no-such-command: exit $rc, expected 2"
pages="$pages topsim-scenario.5"
listed=$("$bin" man --list | tr '\n' ' ')
[ "$listed" = "$pages " ] || err "topsim man --list gives \"$listed\", expected \"$pages \""
for p in $pages; do
  f=$mandir/$p
  [ -f "$f" ] || { err "$f missing (the build writes it)"; continue; }
  "$bin" man "${p%.*}" | cmp -s - "$f" || err "$f differs from topsim man ${p%.*} (rebuild)"
  if command -v groff >/dev/null; then
    w=$(groff -k -man -ww -z "$f" 2>&1)
    [ -z "$w" ] || err "$p: groff warnings: $w"
    grep -q '^\.SH SYNOPSIS\|^\.SH DESCRIPTION' "$f" || err "$p: no SYNOPSIS or DESCRIPTION"
  fi
done
[ $fail -eq 0 ] && echo "ok: help of $(wc -w <<<"$commands") commands, $(wc -w <<<"$pages") manual pages"
exit $fail
