#!/usr/bin/env bash
# check_completion.sh BIN COMPLETION: the bash completion, sourced into this shell, completes
# against BIN: command names, a command's options, the values of its option words, the
# field paths of --set and a command's own words (catalog sections, plot kinds).
set -uo pipefail
bin=$1
# shellcheck source=/dev/null
source "$2"
fail=0
# complete WORDS...: COMPREPLY for the command line WORDS, the last word being completed.
complete_words() {
  COMP_WORDS=("$bin" "$@")
  COMP_CWORD=$#
  COMP_LINE="${COMP_WORDS[*]}"
  COMPREPLY=()
  _topsim
  printf '%s\n' "${COMPREPLY[@]}"
}
# expect "LINE" WANTED... [-- UNWANTED...]: completing LINE offers every WANTED, no UNWANTED.
expect() {
  local line=$1; shift
  # shellcheck disable=SC2086
  local got; got=$(complete_words $line "")
  [[ $line == *" " ]] || got=$(complete_words $line)
  local w neg=0
  for w in "$@"; do
    if [ "$w" = -- ]; then neg=1; continue; fi
    if grep -qxF -- "$w" <<<"$got"; then
      [ $neg -eq 1 ] && { echo "FAIL: '$line' offers $w"; fail=1; }
    else
      [ $neg -eq 0 ] && { echo "FAIL: '$line' does not offer $w (got: $(tr '\n' ' ' <<<"$got"))"; fail=1; }
    fi
  done
}
expect "ru" run -- check
expect "c" check compare catalog -- run
expect "help va" validate
expect "run x.json --se" --seed --set --series-width -- --sweep
expect "sweep x.json --sw" --sweep
expect "run x.json --set mirror.qos" mirror.qos_timeout=
expect "show x.json --set hosts[0].instance" "hosts[0].instance_type="
expect "catalog " instances volumes regions
expect "plot x.db ti" timeline
expect "schema --" --json --paths --help
[ $fail -eq 0 ] && echo "ok: completion of commands, options, --set paths and words"
exit $fail
