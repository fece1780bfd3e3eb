#!/usr/bin/env bash
# The whole system on this machine, with JDK 17 and Maven only: builds the jar when it is missing or
# older than the sources, then runs `local` on the shipped sample dataset with the shipped
# random-weight test model, or with the model directory given by --model.
# Usage: jobs/run-local.sh [--model DIR] [--dataset DIR] [--demo] [other `local` options]
#        (jobs/lesion-search local --help lists them)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
jar=target/lesion-search.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml src/main -newer "$jar" -print -quit)" ]]; then
  echo "building $jar (mvn -q package -DskipTests) ..." >&2
  mvn -q -B package -DskipTests
fi
args=("$@")
if [[ " $* " != *" --model "* && " $* " != *" --model="* ]]; then
  args=(--model src/test/resources/models/vit-s16-d1-bf16 "${args[@]}")
fi
exec jobs/lesion-search local "${args[@]}"
