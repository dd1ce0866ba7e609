#!/usr/bin/env bash
# check_layers.sh SOURCE_DIR: every #include of the project's C files respects the layers
# (docs/architecture.md): a folder may include its own headers and those of the folders
# below it, and only the layers that own a library may include its headers (cJSON in the
# scenario layer and the CLI, SQLite in the results layer). The build's include scopes
# enforce the same rule; this test names the offending line.
set -euo pipefail
cd "$1"
areas="models/infra models/iris models/routing models/clients models/faults models/incidents"
# folder -> the folders whose headers it may include (besides its own)
allowed() {
  case $1 in
    sim/engine) echo "" ;;
    models/api) echo "sim/engine" ;;
    models/world) echo "sim/engine models/api $areas" ;;
    models/*) echo "sim/engine models/api $areas" ;;
    sim/scenario) echo "sim/engine models/api $areas" ;;
    sim/results) echo "sim/engine models/api" ;;
    sim/avail) echo "sim/engine models/api $areas sim/scenario" ;;
    sim/run) echo "sim/engine models/api $areas models/world sim/scenario sim/results sim/avail" ;;
    sim/cli) echo "sim/engine models/api $areas models/world sim/scenario sim/results sim/avail sim/run" ;;
    *) echo "UNKNOWN" ;;
  esac
}
# library header -> the folders that may include it
library_ok() {
  case $2 in
    cjson/*) [[ $1 == sim/scenario || $1 == sim/cli ]] ;;
    sqlite3.h) [[ $1 == sim/results ]] ;;
    *) true ;;
  esac
}
# where each project header lives
declare -A home
while IFS= read -r h; do home[$(basename "$h")]=$(dirname "$h"); done \
  < <(find sim models -name '*.h' -o -name '*.h.in' | sed 's/\.in$//')
home[version.h]=sim/cli
bad=0 checked=0
while IFS= read -r f; do
  dir=$(dirname "$f")
  ok=$(allowed "$dir")
  if [ "$ok" = UNKNOWN ]; then
    echo "$f: folder $dir is not a known layer"; bad=$((bad + 1)); continue
  fi
  while IFS=: read -r line inc; do
    checked=$((checked + 1))
    if [[ $inc =~ ^\<(.*)\>$ ]]; then
      lib=${BASH_REMATCH[1]}
      library_ok "$dir" "$lib" || { echo "$f:$line: <$lib> is not for layer $dir"; bad=$((bad + 1)); }
      continue
    fi
    name=${inc//\"/}
    name=$(basename "$name")
    target=${home[$name]:-}
    if [ -z "$target" ]; then
      echo "$f:$line: \"$name\" is not a project header"; bad=$((bad + 1)); continue
    fi
    [ "$target" = "$dir" ] && continue
    case " $ok " in
      *" $target "*) ;;
      *) echo "$f:$line: $dir may not include $target/$name"; bad=$((bad + 1)) ;;
    esac
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include' "$f" |
           sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*([<"][^>"]*[>"]).*/\1:\2/')
done < <(find sim models -name '*.c' -o -name '*.h' | sort)
echo "$checked includes checked"
if [ "$bad" -gt 0 ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
