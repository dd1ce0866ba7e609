#!/bin/sh
# check_schema_sync.sh BIN FILE: FILE (docs/scenario-reference.md) must be exactly what
# `BIN schema` prints now, so the reference never drifts from the field tables.
# Exit 0 and "1 passed, 0 failed" when in sync; on a difference, a unified diff, the command
# that fixes it, and exit 1; exit 2 on bad usage or when BIN fails.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 TOPSIM_BINARY REFERENCE_MD" >&2
	exit 2
fi
bin=$1
file=$2

tmp=$(mktemp "${TMPDIR:-/tmp}/topsim-schema.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT HUP INT TERM

if ! "$bin" schema >"$tmp"; then
	echo "FAIL: \"$bin schema\" failed" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
if [ ! -f "$file" ]; then
	echo "FAIL: $file does not exist"
	echo "regenerate with: topsim schema > docs/scenario-reference.md"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! cmp -s "$file" "$tmp"; then
	echo "FAIL: $file differs from the output of \"topsim schema\":"
	diff -u "$file" "$tmp" | sed -e "1s|^--- .*|--- $file|" -e "2s|^+++ .*|+++ topsim schema|"
	echo "regenerate with: topsim schema > docs/scenario-reference.md"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
exit 0
