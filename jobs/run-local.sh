#!/usr/bin/env bash
# The whole system on this machine, with JDK 17 and Maven only: builds the jar when it is missing or
# older than the sources, then runs `local` on the shipped sample dataset with the shipped
# random-weight test model, or with the model directory given by --model.
# Usage: jobs/run-local.sh [--model DIR] [--dataset DIR] [--demo] [other `local` options]
#        (jobs/lesion-search local --help lists them)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/lesion-search.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(cd "$here" && find pom.xml src/main -newer "$jar" -print -quit)" ]]; then
  echo "building $jar (mvn -q package -DskipTests) ..." >&2
  (cd "$here" && mvn -q -B package -DskipTests)
fi
# Relative paths the user gives stay relative to where they ran this; the defaults are the repository's.
defaults=()
if [[ " $* " != *" --model "* && " $* " != *" --model="* ]]; then
  defaults+=(--model "$here/src/test/resources/models/vit-s16-d1")
fi
if [[ " $* " != *" --dataset "* && " $* " != *" --dataset="* ]]; then
  defaults+=(--dataset "$here/datasets/sample")
fi
# ${a[@]+...}: an empty array is "unbound" under set -u in bash before 4.4 (macOS ships 3.2).
exec "$here/jobs/lesion-search" local ${defaults[@]+"${defaults[@]}"} "$@"
