#!/usr/bin/env bash
# Submits target/lesion-search-cluster.jar (the jar without the local mode and its embedded services)
# to a running Flink cluster as one of its jobs, detached.
# jobs/submit-ingest.sh and jobs/submit-query.sh call this with the job's command word.
#
# Usage: jobs/submit-job.sh ingest-job|query-job [options] [--] [job options...]
#   --jobmanager URL   Flink REST endpoint (default: $FLINK_JOBMANAGER or http://localhost:8081)
#   --jar PATH         the shaded jar (default: $LESION_SEARCH_JAR or target/lesion-search-cluster.jar)
#   --parallelism N    job parallelism (default: the cluster's)
#   --rest             use the REST API even when the flink CLI is on PATH
#   --dry-run          print the command or requests instead of sending them
#   -h, --help
# Everything after the options (or after --) goes to the job unchanged, e.g.
#   jobs/submit-ingest.sh --jobmanager http://flink:8081 -- --model /opt/models/dino-vits16/fp32 --bootstrap-servers kafka:9092
#
# With the flink CLI on PATH (or $FLINK_BIN): flink run -d -c io.lesionsearch.cli.Main JAR JOB ARGS.
# The job's main then runs where the CLI runs, which must see --model's directory. Otherwise the REST
# API (curl): POST /jars/upload, then POST /jars/<id>/run with programArgsList; main runs on the
# JobManager. The jar is over 100 MB: the cluster needs rest.server.max-content-length above its size
# (flink-conf/config.yaml sets 512 MiB). The REST path also needs web.submit.enable: true, which
# flink-conf/config.yaml turns off (anyone who reaches the web UI could otherwise upload and run
# code); the CLI submits through POST /jobs, which that setting leaves open. Both paths ran against a
# real cluster in jobs/cluster-test.sh.
set -euo pipefail

main_class=io.lesionsearch.cli.Main
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
}

# fail MESSAGE [STATUS]: 2 for wrong usage, 1 otherwise.
fail() {
  echo "submit: $1" >&2
  exit "${2:-1}"
}

[[ $# -ge 1 ]] || { usage; exit 2; }
job="$1"
shift
case "$job" in
  ingest-job|query-job) ;;
  -h|--help) usage; exit 0 ;;
  *) usage; fail "the first argument must be ingest-job or query-job, got '$job'" 2 ;;
esac

jobmanager="${FLINK_JOBMANAGER:-http://localhost:8081}"
jar="${LESION_SEARCH_JAR:-$here/target/lesion-search-cluster.jar}"
parallelism=""
force_rest=false
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobmanager) [[ $# -ge 2 ]] || fail "--jobmanager needs a URL" 2; jobmanager="$2"; shift 2 ;;
    --jar) [[ $# -ge 2 ]] || fail "--jar needs a path" 2; jar="$2"; shift 2 ;;
    --parallelism)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || fail "--parallelism needs a positive number" 2
      parallelism="$2"; shift 2 ;;
    --rest) force_rest=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
job_args=("$@")

[[ "$jobmanager" =~ ^https?://[^/:]+(:[0-9]+)?/?$ ]] || fail "--jobmanager must look like http://host:8081, got '$jobmanager'" 2
jobmanager="${jobmanager%/}"
if [[ ! -f "$jar" ]]; then
  $dry_run || fail "$jar is missing; build it with: mvn -q package -DskipTests"
  echo "submit: (dry run) $jar is missing" >&2
fi

flink_bin="${FLINK_BIN:-flink}"
if ! $force_rest && command -v "$flink_bin" >/dev/null 2>&1; then
  hostport="${jobmanager#*://}"
  host="${hostport%%:*}"
  port=8081
  [[ "$hostport" == *:* ]] && port="${hostport##*:}"
  cmd=("$flink_bin" run -d "-Drest.address=$host" "-Drest.port=$port" -c "$main_class")
  [[ -n "$parallelism" ]] && cmd+=(-p "$parallelism")
  cmd+=("$jar" "$job" ${job_args[@]+"${job_args[@]}"})
  if $dry_run; then
    printf '%q ' "${cmd[@]}" | sed 's/ $//'
    echo
    exit 0
  fi
  exec "${cmd[@]}"
fi

json_string() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '"%s"' "$s"
}

run_body() {
  local args="" a
  for a in "$job" ${job_args[@]+"${job_args[@]}"}; do
    args+="${args:+,}$(json_string "$a")"
  done
  printf '{"entryClass":%s,"programArgsList":[%s]%s}' "$(json_string "$main_class")" "$args" \
    "${parallelism:+,\"parallelism\":$parallelism}"
}

if $dry_run; then
  echo "POST $jobmanager/jars/upload (multipart: jarfile=@$jar)"
  echo "POST $jobmanager/jars/<uploaded jar id>/run $(run_body)"
  exit 0
fi

command -v curl >/dev/null 2>&1 || fail "neither the flink CLI nor curl is on PATH; install one (or set FLINK_BIN)"
# request CURL-ARGS: sets $status and $body apart, so Flink's error text reaches the user.
request() {
  local out
  out="$(curl -sS -o - -w '\n%{http_code}' "$@")" || fail "cannot reach the Flink REST API at $jobmanager (is the JobManager running? set --jobmanager)"
  status="${out##*$'\n'}"
  body="${out%$'\n'*}"
}
post() {
  request "$@"
  [[ "$status" == 2* ]] || fail "Flink answered HTTP $status: $body"
  printf '%s' "$body"
}

echo "submit: uploading $jar to $jobmanager ..." >&2
request -X POST -H 'Expect:' -F "jarfile=@$jar" "$jobmanager/jars/upload"
# Without web.submit.enable Flink registers no /jars handlers: its multipart stage answers 400
# "POST request not allowed" (Flink 2.2), and a router without the route 404 or 405.
if [[ "$status" == 404 || "$status" == 405 ]] \
    || [[ "$status" == 400 && "$body" =~ (POST request|File upload)\ not\ allowed ]]; then
  fail "the Flink cluster at $jobmanager refuses jar uploads (HTTP $status from /jars/upload: $body), as it does with web.submit.enable: false (flink-conf/config.yaml). Submit with the flink CLI instead, which uses POST /jobs: put Flink's bin/ on PATH or set FLINK_BIN, and leave out --rest. Or open a submission window (README, Submitting): restart the JobManager with web.submit.enable: true, submit, and restart it with false; without high availability each restart ends the jobs it runs."
fi
[[ "$status" == 2* ]] || fail "Flink answered HTTP $status: $body"
upload="$body"
jar_path="$(printf '%s' "$upload" | sed -n 's/.*"filename" *: *"\([^"]*\)".*/\1/p')"
[[ -n "$jar_path" ]] || fail "unexpected answer to the upload: $upload"
jar_id="${jar_path##*/}"
run="$(post -X POST -H 'Content-Type: application/json' -d "$(run_body)" "$jobmanager/jars/$jar_id/run")"
job_id="$(printf '%s' "$run" | sed -n 's/.*"jobid" *: *"\([^"]*\)".*/\1/p')"
[[ -n "$job_id" ]] || fail "unexpected answer to the run request: $run"
echo "submitted $job as Flink job $job_id ($jobmanager/#/job/running/$job_id)"
