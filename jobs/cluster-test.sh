#!/usr/bin/env bash
# The cluster deployment for real, on 127.0.0.1, every part its own process: a Kafka broker (KRaft,
# configured from docker-compose.yml's kafka service), the Qdrant endpoint (qdrant-local with a full
# and a read-only key, or a running server given with --qdrant), a Flink JobManager and two
# TaskManagers started from Maven's Flink jars with flink-conf/config.yaml as shipped (only addresses,
# ports, directories and memory sizes overridden, and printed) and DJL in lib/djl as README deploys
# it. The topics are made by docker-compose.yml's create-topics script and the jobs submitted by its
# submit-jobs script (jobs/submit-*.sh with the flink CLI); the REST path is refused as shipped and
# then run for real in README's submission window. Then, while images are ingested, one TaskManager
# is killed (SIGKILL) and a fresh one started, and later the Kafka broker is killed and restarted on
# its data; after each: exactly the unique valid images are points, the dead letters (de-duplicated
# by their dlq.source.* headers: at least once) are exactly the bad records sent, and the tutorial's
# searches through the query job match a brute-force search. The query job is cancelled and
# resubmitted on the same TaskManager, and the Prometheus reporters are scraped for the project's
# metrics.
#
# Usage: jobs/cluster-test.sh [--qdrant HOST:PORT [--qdrant-api-key KEY]] [--model DIR] [--time-limit-s 480]
#   --qdrant HOST:PORT   a running Qdrant server (gRPC) instead of qdrant-local; the test uses its own
#                        collection (cluster-test-...) and deletes it at the end
#   --qdrant-api-key K   that server's key (default: $QDRANT_API_KEY; none)
#   --model DIR          default: src/test/resources/models/vit-s16-d1 (the test model's export directory:
#                        each TaskManager runs the variant fastest on its CPU)
# One line per phase with its figures; exit 0 when every check held, 1 with the phase and the reason
# when one did not, 2 on wrong usage. Every process it started is stopped on any exit. Logs of each
# process, the scrapes and a summary: target/cluster-test/logs/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
out="$here/target/cluster-test"
logs="$out/logs"
run="$out/run"
started_at=$(date +%s)

qdrant_server=""
qdrant_key="${QDRANT_API_KEY:-}"
model="$here/src/test/resources/models/vit-s16-d1"
time_limit=480
while [[ $# -gt 0 ]]; do
  case "$1" in
    --qdrant) [[ $# -ge 2 ]] || { echo "cluster-test: --qdrant needs HOST:PORT" >&2; exit 2; }; qdrant_server="$2"; shift 2 ;;
    --qdrant-api-key) [[ $# -ge 2 ]] || { echo "cluster-test: --qdrant-api-key needs a key" >&2; exit 2; }; qdrant_key="$2"; shift 2 ;;
    --model) [[ $# -ge 2 ]] || { echo "cluster-test: --model needs a directory" >&2; exit 2; }; model="$(cd "$2" && pwd)"; shift 2 ;;
    --time-limit-s) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "cluster-test: --time-limit-s needs seconds" >&2; exit 2; }; time_limit="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster-test: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in java javac mvn curl jq setsid timeout awk; do
  command -v "$tool" >/dev/null || { echo "cluster-test: $tool is missing (Debian: apt-get install jq curl util-linux coreutils gawk)" >&2; exit 2; }
done
if [[ -n "$qdrant_server" && ! "$qdrant_server" =~ ^[^:]+:[0-9]+$ ]]; then
  echo "cluster-test: --qdrant must be HOST:PORT, got '$qdrant_server'" >&2
  exit 2
fi

# The dataset: DATASET_IMAGES synthetic images; the first phase sends the first PHASE1_IMAGES of them
# and the first REPEATS again (same image_ids: they must overwrite, not add), the second the rest.
DATASET_IMAGES=400
PHASE1_IMAGES=240
REPEATS=60
# TaskManagers of one slot (flink-conf's taskmanager.numberOfTaskSlots), as docker-compose's CPU
# taskmanager service runs them (scale): one slot for each job.
TASKMANAGERS=2
TM_PROCESS_MEMORY=1536m
JM_PROCESS_MEMORY=1024m
SMALL_JVM="-Xmx384m -XX:TieredStopAtLevel=1"

# ------------------------------------------------------------------------------------------------
# bookkeeping: phases, failures, processes, time

phase="setup"
failure=""
declare -A pids=()    # process name -> pid
declare -a order=()   # names in start order
summary_lines=()

elapsed() { echo $(( $(date +%s) - started_at )); }
# since T: seconds from T (date +%s.%N) to now, one decimal.
since() { awk -v t="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t }'; }
left() { echo $(( time_limit - $(elapsed) )); }
# say NAME FIGURES: the phase's line.
say() {
  local line
  line="$(printf 'cluster-test: [%3ds] %-13s %s' "$(elapsed)" "$1" "$2")"
  echo "$line"
  summary_lines+=("$line")
}
fail() {
  failure="$1"
  exit 1
}
need_time() {
  (( $(left) > 0 )) || fail "over the time limit of ${time_limit} s"
}
# bounded COMMAND...: runs it in the foreground for at most the time left.
bounded() {
  need_time
  timeout --kill-after=5 "$(left)" "$@"
}

# start NAME COMMAND...: a background process, in a process group of its own (so that stopping it
# stops whatever it started), with stdout and stderr in logs/NAME.out.
start() {
  local name="$1"
  shift
  setsid "$@" >"$logs/$name.out" 2>&1 &
  pids[$name]=$!
  order+=("$name")
}
alive() { [[ -n "${pids[$1]:-}" ]] && kill -0 "${pids[$1]}" 2>/dev/null; }
# finished NAME WHAT SECONDS: waits at most SECONDS for a background step; fails when it failed.
finished() {
  local name="$1" what="$2" status=0
  exited() { ! alive "$name"; }
  wait_for "$what" "$3" exited
  wait "${pids[$name]}" || status=$?
  unset "pids[$name]"
  [[ $status -eq 0 ]] || fail "$what failed (exit $status): $(log_tail "$name")"
}
# stop NAME [SIGNAL]: TERM (or SIGNAL), then KILL after 20 s.
stop() {
  local name="$1" signal="${2:-TERM}" pid="${pids[$1]:-}" i
  [[ -n "$pid" ]] || return 0
  kill -s "$signal" -- "-$pid" 2>/dev/null || kill -s "$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "pids[$name]"
}

cleanup() {
  local status=$? name
  trap - EXIT INT TERM
  [[ -n "${watchdog:-}" ]] && kill "$watchdog" 2>/dev/null || true
  for ((i = ${#order[@]} - 1; i >= 0; i--)); do
    name="${order[$i]}"
    [[ -n "${pids[$name]:-}" ]] && kill -TERM -- "-${pids[$name]}" 2>/dev/null || true
  done
  for name in "${!pids[@]}"; do
    stop "$name"
  done
  if [[ -n "$qdrant_server" && -n "${collection:-}" && -d "$out/classes" ]]; then
    timeout 60 java $SMALL_JVM -cp "$out/classes:$jar" ClusterCheck drop --qdrant "$qdrant_server" --api-key "$qdrant_key" \
      --collection "$collection" >>"$logs/check-drop.out" 2>&1 || echo "cluster-test: could not delete collection $collection on $qdrant_server" >&2
  fi
  if [[ $status -ne 0 ]]; then
    local why="${failure:-exit status $status}"
    echo "cluster-test: FAILED in phase $phase after $(elapsed) s: $why" >&2
    summary_lines+=("cluster-test: FAILED in phase $phase: $why")
    echo "cluster-test: logs of every process in ${logs#"$here"/}/" >&2
  fi
  [[ -d "$logs" ]] && printf '%s\n' "${summary_lines[@]}" >"$logs/summary.txt"
  exit $status
}
trap cleanup EXIT
trap 'failure="${failure:-interrupted}"; exit 130' INT TERM
# The last resort: every step is bounded by the time left, and this ends whatever one did not.
( deadline=$(( started_at + time_limit + 30 )); while kill -0 $$ 2>/dev/null; do
    (( $(date +%s) < deadline )) || { kill -TERM $$; break; }; sleep 1; done ) >/dev/null 2>&1 &
watchdog=$!

# wait_for WHAT SECONDS COMMAND...: polls COMMAND until it succeeds; fails the phase after SECONDS.
wait_for() {
  local what="$1" seconds="$2" deadline
  shift 2
  (( seconds > $(left) )) && seconds=$(left)
  deadline=$(( $(date +%s) + seconds ))
  until "$@"; do
    (( $(date +%s) < deadline )) || fail "$what: not within ${seconds} s"
    sleep 0.3
  done
}
# log_tail NAME: the last lines of a process's log, for a failure message.
log_tail() { tail -n 5 "$logs/$1.out" 2>/dev/null | tr '\n' ' ' | cut -c1-400; }
# expect_alive NAME...: fails when one of them has exited.
expect_alive() {
  local name
  for name in "$@"; do
    alive "$name" || fail "$name exited: $(log_tail "$name")"
  done
}

# check NAME ARGS...: the checker; its line of figures is $checked. A failed check fails the phase.
checked=""
check() {
  local name="$1" status=0
  shift
  need_time
  checked="$(timeout --kill-after=5 "$(left)" java $SMALL_JVM $opens -cp "$out/classes:$jar" ClusterCheck "$@" 2>>"$logs/check-$name.log")" || status=$?
  if [[ $status -ne 0 ]]; then
    fail "${checked#FAIL: }${checked:+ }(check $1, exit $status; log logs/check-$name.log)"
  fi
}

# pick_port VAR: a port free on 127.0.0.1 now, not handed out before, and below the kernel's
# ephemeral range: a port in that range can be taken by any outgoing connection (a Kafka client,
# Maven) between this check and the process's bind, as a JobManager's RPC port once was.
used_ports=" "
ephemeral_low=32768
read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
(( ephemeral_low > 21000 )) || ephemeral_low=50000
pick_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % (ephemeral_low - 20000) ))
    [[ "$used_ports" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+="$p "
      printf -v "$1" '%s' "$p"
      return
    fi
  done
}

# ------------------------------------------------------------------------------------------------
# setup: the jar, the processes' classpaths from Maven, the checker, the dataset

# The full jar for the checker and the tools; the cluster jar, without the local-only packages, for Flink.
jar="$here/target/lesion-search.jar"
cluster_jar="$here/target/lesion-search-cluster.jar"
if [[ ! -f "$jar" || ! -f "$cluster_jar" || ! -d "$here/target/flink-lib" ]] \
    || [[ -n "$(find pom.xml src/main -newer "$jar" -print -quit)" || -n "$(find pom.xml src/main -newer "$cluster_jar" -print -quit)" ]]; then
  echo "cluster-test: building $jar and $cluster_jar (mvn -q package -DskipTests) ..." >&2
  mvn -B -q package -DskipTests
fi
local_entries="$(jar tf "$cluster_jar" | grep -E '^io/lesionsearch/(local|qdrantlocal|cli/local)/' | head -3 || true)"
[[ -z "$local_entries" ]] || fail "$cluster_jar carries local-only classes: $local_entries"
rm -rf "$logs" "$run"
mkdir -p "$logs" "$run/tmp" "$run/flink-data" "$run/kafka-data" "$run/data"

lib="$out/lib"
if [[ ! -f "$lib/.resolved" ]] || [[ -n "$(find jobs/cluster -name pom.xml -newer "$lib/.resolved" -print -quit)" ]]; then
  # Resolved like any Maven build (CI reaches Maven Central); nothing is downloaded after this.
  rm -rf "$lib"
  mvn -B -q -f jobs/cluster/pom.xml dependency:copy-dependencies >"$logs/maven.log" 2>&1 || fail "resolving the cluster's jars failed: $(tail -n 5 "$logs/maven.log" | tr '\n' ' ')"
  touch "$lib/.resolved"
fi

opens="$(sed -n 's:.*<jvm.opens>\(.*\)</jvm.opens>.*:\1:p' pom.xml) -Dai.djl.offline=true"
if [[ ! -f "$out/classes/ClusterCheck.class" || jobs/cluster/ClusterCheck.java -nt "$out/classes/ClusterCheck.class" || "$jar" -nt "$out/classes/ClusterCheck.class" ]]; then
  rm -rf "$out/classes"
  mkdir -p "$out/classes"
  javac -nowarn -d "$out/classes" -cp "$jar" jobs/cluster/ClusterCheck.java 2>"$logs/javac.log" || fail "compiling jobs/cluster/ClusterCheck.java: $(head -c 400 "$logs/javac.log")"
fi

# A Flink home as a distribution lays it out: lib/ (Maven's jars; DJL in lib/djl, as docker-compose
# mounts target/flink-lib), plugins/metrics-prometheus/, conf/ with flink-conf/config.yaml as shipped.
flink_home="$out/flink"
rm -rf "$flink_home"
mkdir -p "$flink_home/lib" "$flink_home/plugins/metrics-prometheus" "$flink_home/conf"
ln -s "$lib"/flink/*.jar "$flink_home/lib/"
ln -s "$here/target/flink-lib" "$flink_home/lib/djl"
ln -s "$lib"/prometheus/*.jar "$flink_home/plugins/metrics-prometheus/"
cp flink-conf/config.yaml "$flink_home/conf/config.yaml"
cp jobs/cluster/log4j.properties "$flink_home/conf/log4j.properties"
cp jobs/cluster/log4j.properties "$flink_home/conf/log4j-cli.properties"
export FLINK_HOME="$flink_home" FLINK_CONF_DIR="$flink_home/conf" FLINK_LIB_DIR="$flink_home/lib" FLINK_PLUGINS_DIR="$flink_home/plugins"
# bin/config.sh's classpath: every jar under lib/, recursively, in path order.
flink_cp="$(find -L "$flink_home/lib" -name '*.jar' -type f | LC_ALL=C sort | paste -sd: -)"
flink_java_opts="$(sed -n 's/^env\.java\.opts\.all: *//p' "$flink_home/conf/config.yaml")"
kafka_cp="$(find "$lib/kafka" -name '*.jar' | LC_ALL=C sort | paste -sd: -)"

# The dataset, made once (same seed, same files) in the background while the processes start.
dataset="$out/dataset-$DATASET_IMAGES"
if [[ ! -f "$dataset/HAM10000_metadata.csv" ]]; then
  rm -rf "$dataset" "$dataset.partial"
  start synth env JAVA_OPTS="$SMALL_JVM" jobs/lesion-search datasets synth --count "$DATASET_IMAGES" --out "$dataset.partial" --seed 7
fi
check compose compose --file docker-compose.yml --out "$run/compose"
say setup "$(ls "$lib/flink" | wc -l) Flink jars, $(ls "$lib/kafka" | wc -l) Kafka jars and the Prometheus plugin from Maven; DJL in lib/djl -> target/flink-lib ($(ls "$here/target/flink-lib" | wc -l) jars); model ${model#"$here"/}"

# ------------------------------------------------------------------------------------------------
phase="start"

# Kafka: docker-compose.yml's kafka environment as the apache/kafka image turns it into
# server.properties (KAFKA_FOO_BAR -> foo.bar), with its addresses, ports and data directory here.
pick_port kafka_internal; pick_port kafka_controller; pick_port kafka_host
bootstrap_jobs="127.0.0.1:$kafka_internal"   # compose's kafka:9092, where the jobs connect
bootstrap="127.0.0.1:$kafka_host"            # compose's localhost:9094, where host tools connect
kafka_overrides=(
  "controller.quorum.voters=1@127.0.0.1:$kafka_controller"
  "listeners=INTERNAL://127.0.0.1:$kafka_internal,CONTROLLER://127.0.0.1:$kafka_controller,HOST://127.0.0.1:$kafka_host"
  "advertised.listeners=INTERNAL://127.0.0.1:$kafka_internal,HOST://127.0.0.1:$kafka_host"
  "log.dirs=$run/kafka-data"
)
{
  while IFS='=' read -r name value; do
    [[ "$name" == KAFKA_* ]] || continue
    key="$(echo "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed 's/___/-/g; s/__/@/g; s/_/./g; s/@/_/g')"
    skip=false
    for o in "${kafka_overrides[@]}"; do [[ "${o%%=*}" == "$key" ]] && skip=true; done
    $skip && continue
    [[ "$value" == *'${'* ]] && fail "docker-compose.yml's $name has a variable the test does not set: $value"
    echo "$key=$value"
  done <"$run/compose/kafka.env"
  printf '%s\n' "${kafka_overrides[@]}"
} >"$run/kafka.properties"
kafka_log4j="-Dlog4j2.configurationFile=file:$flink_home/conf/log4j.properties"
java $SMALL_JVM -cp "$kafka_cp" $kafka_log4j -Dlog.file="$logs/kafka-format.log" kafka.tools.StorageTool format \
  -t "$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)" -c "$run/kafka.properties" >"$logs/kafka-format.out" 2>&1 \
  || fail "formatting Kafka's data directory: $(tail -n 3 "$logs/kafka-format.out" | tr '\n' ' ')"
start_kafka() {
  start kafka java -Xms512m -Xmx512m -cp "$kafka_cp" $kafka_log4j -Dlog.file="$logs/kafka.log" kafka.Kafka "$run/kafka.properties"
}
start_kafka

# Qdrant: qdrant-local with a full and a read-only key, as docker-compose runs Qdrant; or the server given.
collection="cluster-test-$(date +%s)-$RANDOM"
api_key="ct-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
read_only_key="ct-ro-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
if [[ -z "$qdrant_server" ]]; then
  start qdrant env JAVA_OPTS="-Xmx512m" jobs/lesion-search qdrant-local --port 0 --api-key "$api_key" --read-only-api-key "$read_only_key"
else
  # A server without keys ignores them; one with a key takes only its own, for both jobs.
  [[ -n "$qdrant_key" ]] && { api_key="$qdrant_key"; read_only_key="$qdrant_key-read"; }
fi

# Flink: the overrides of flink-conf/config.yaml, the same for every Flink process: addresses, ports
# and directories, then memory sizes.
pick_port jm_rpc; pick_port rest_port
rest="http://127.0.0.1:$rest_port"
flink_places=(
  "jobmanager.rpc.address=127.0.0.1" "jobmanager.rpc.port=$jm_rpc" "jobmanager.bind-host=127.0.0.1"
  "rest.address=127.0.0.1" "rest.bind-address=127.0.0.1" "rest.port=$rest_port"
  "taskmanager.host=127.0.0.1" "taskmanager.bind-host=127.0.0.1"
  "execution.checkpointing.dir=file://$run/flink-data/checkpoints"
  "execution.checkpointing.savepoint-dir=file://$run/flink-data/savepoints"
  "io.tmp.dirs=$run/tmp" "web.tmpdir=$run/tmp/web"
)
flink_memory=("jobmanager.memory.process.size=$JM_PROCESS_MEMORY" "taskmanager.memory.process.size=$TM_PROCESS_MEMORY")
flink_overrides=("${flink_places[@]}" "${flink_memory[@]}")
dynamic=()
for o in "${flink_overrides[@]}"; do dynamic+=(-D "$o"); done
# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS KEY=VALUE...: CPU and memory as
# Flink's jobmanager.sh and taskmanager.sh set them: BashJavaUtils turns the configuration into JVM
# options (line 1) and explicit -D settings (line 2).
resource_params() {
  local command="$1" args=() o
  shift
  for o in "$@"; do args+=(-D "$o"); done
  java $SMALL_JVM -cp "$flink_cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$command" --configDir "$FLINK_CONF_DIR" "${args[@]}" \
    2>"$logs/bash-java-utils.log" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}
# With the shipped memory sizes first, as docker-compose starts them: both must be able to start.
[[ -n "$(resource_params GET_JM_RESOURCE_PARAMS "${flink_places[@]}")" ]] \
  || fail "a JobManager with flink-conf/config.yaml as shipped does not start: $(grep -m1 'Exception' "$logs/bash-java-utils.log" | cut -c1-300)"
[[ -n "$(resource_params GET_TM_RESOURCE_PARAMS "${flink_places[@]}")" ]] \
  || fail "a TaskManager with flink-conf/config.yaml as shipped does not start: $(grep -m1 'Exception' "$logs/bash-java-utils.log" | cut -c1-300)"
jm_params="$(resource_params GET_JM_RESOURCE_PARAMS "${flink_overrides[@]}")"
[[ -n "$jm_params" ]] || fail "no JobManager resources: $(grep -m1 'Exception' "$logs/bash-java-utils.log" | cut -c1-300)"
tm_params="$(resource_params GET_TM_RESOURCE_PARAMS "${flink_overrides[@]}")"
[[ -n "$tm_params" ]] || fail "no TaskManager resources: $(grep -m1 'Exception' "$logs/bash-java-utils.log" | cut -c1-300)"

# start_jobmanager NAME [-D key=value...]
start_jobmanager() {
  local name="$1"
  shift
  # shellcheck disable=SC2086 # JVM options are word lists, as Flink's scripts pass them
  start "$name" env QDRANT_API_KEY="$api_key" java $(sed -n 1p <<<"$jm_params") $flink_java_opts \
    -Dlog.file="$logs/$name.log" -Dlog4j.configurationFile="file:$FLINK_CONF_DIR/log4j.properties" -classpath "$flink_cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$FLINK_CONF_DIR" "${dynamic[@]}" \
    $(sed -n 2p <<<"$jm_params") "$@"
}
# start_taskmanager NAME: with docker-compose's TaskManager environment (glibc malloc settings).
tm_count=0
start_taskmanager() {
  tm_count=$((tm_count + 1))
  # shellcheck disable=SC2086
  start "taskmanager-$tm_count" env MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824 OPT_OUT_TRACKING=true \
    java $(sed -n 1p <<<"$tm_params") $flink_java_opts -Dlog.file="$logs/taskmanager-$tm_count.log" \
    -Dlog4j.configurationFile="file:$FLINK_CONF_DIR/log4j.properties" -classpath "$flink_cp" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$FLINK_CONF_DIR" "${dynamic[@]}" $(sed -n 2p <<<"$tm_params")
}
start_jobmanager jobmanager
for ((i = 0; i < TASKMANAGERS; i++)); do start_taskmanager; done

overview() { curl -sf --max-time 5 "$rest/overview"; }
taskmanagers_registered() { [[ "$(overview | jq -r '.taskmanagers' 2>/dev/null)" == "$1" ]]; }
kafka_started() { grep -q "Kafka Server started" "$logs/kafka.log" 2>/dev/null; }

expect_started() {
  expect_alive kafka jobmanager $(seq -f 'taskmanager-%g' "$TASKMANAGERS")
  [[ -z "$qdrant_server" ]] && expect_alive qdrant
  kafka_started && overview >/dev/null && taskmanagers_registered "$TASKMANAGERS" \
    && { [[ -n "$qdrant_server" ]] || grep -q "listening on" "$logs/qdrant.out"; }
}
wait_for "the broker, the Qdrant endpoint, the JobManager and $TASKMANAGERS TaskManagers starting" 120 expect_started
if [[ -z "$qdrant_server" ]]; then
  qdrant_address="$(sed -n 's/^qdrant-local listening on \([0-9.]*:[0-9]*\).*/\1/p' "$logs/qdrant.out")"
else
  qdrant_address="$qdrant_server"
fi
qdrant_host="${qdrant_address%:*}"
qdrant_port="${qdrant_address##*:}"
echo "cluster-test: flink-conf/config.yaml as shipped, with: ${flink_overrides[*]}"
echo "cluster-test: TaskManager resources (Flink's BashJavaUtils): $(sed -n 1p <<<"$tm_params") $(sed -n 2p <<<"$tm_params" | grep -o 'taskmanager.cpu.cores=[^ ]*\|taskmanager.memory.task.heap.size=[^ ]*\|taskmanager.memory.managed.size=[^ ]*' | tr '\n' ' ')"
echo "cluster-test: Kafka from docker-compose.yml's kafka environment, with: ${kafka_overrides[*]}"
say start "kafka :$kafka_internal (jobs) :$kafka_host (tools), qdrant ${qdrant_server:+server }$qdrant_address$([[ -z "$qdrant_server" ]] && echo " (full and read-only keys)") collection $collection, jobmanager REST :$rest_port, $TASKMANAGERS taskmanagers registered ($(overview | jq -r '."slots-total"') slots)"

# ------------------------------------------------------------------------------------------------
phase="topics"
# docker-compose.yml's create-topics script, with Kafka's scripts as this Kafka's tool classes.
mkdir -p "$run/kafka-bin"
for tool in "kafka-topics.sh org.apache.kafka.tools.TopicCommand" "kafka-configs.sh kafka.admin.ConfigCommand"; do
  cat >"$run/kafka-bin/${tool%% *}" <<EOF
#!/usr/bin/env bash
exec java $SMALL_JVM -cp "$kafka_cp" $kafka_log4j -Dlog.file="$logs/kafka-tools.log" ${tool#* } "\$@"
EOF
  chmod +x "$run/kafka-bin/${tool%% *}"
done
# compose_script NAME FROM=TO...: docker-compose.yml's script with its container paths and names
# replaced by this test's; every FROM must be there.
compose_script() {
  local script
  script="$(cat "$run/compose/$1.sh")"
  shift
  for r in "$@"; do
    [[ "$script" == *"${r%%=>*}"* ]] || fail "docker-compose.yml's script no longer has '${r%%=>*}'"
    script="${script//"${r%%=>*}"/"${r#*=>}"}"
  done
  printf '%s\n' "$script"
}
compose_script create-topics "/opt/kafka/bin/=>$run/kafka-bin/" "kafka:9092=>$bootstrap_jobs" >"$run/create-topics.sh"
t0=$(date +%s)
bounded bash "$run/create-topics.sh" >"$logs/create-topics.out" 2>&1 || fail "docker-compose.yml's create-topics failed: $(log_tail create-topics)"
topics="$(grep -c '^Created topic' "$logs/create-topics.out")"
say topics "$topics topics made by docker-compose.yml's create-topics script in $(( $(date +%s) - t0 )) s: $(sed -n 's/^Created topic \(.*\)\./\1/p' "$logs/create-topics.out" | tr '\n' ' ')"

# ------------------------------------------------------------------------------------------------
phase="submit"
export PATH="$here/jobs/cluster/bin:$PATH"   # `flink`, as in the Flink image compose submits from
job_args="--bootstrap-servers $bootstrap_jobs --qdrant-host $qdrant_host --qdrant-port $qdrant_port --collection $collection --model $model"
# The REST path against the cluster as shipped: web.submit.enable: false refuses the upload.
refused=0
bounded jobs/submit-ingest.sh --rest --jobmanager "$rest" --jar "$cluster_jar" -- $job_args >"$logs/submit-rest-refused.out" 2>&1 || refused=$?
[[ $refused -eq 1 ]] && grep -q "refuses jar uploads" "$logs/submit-rest-refused.out" \
  || fail "submit-ingest.sh --rest should be refused by web.submit.enable: false (exit 1 and the script's message), got exit $refused: $(log_tail submit-rest-refused)"
refusal="$(grep -o 'HTTP [0-9]* from /jars/upload: [^)]*' "$logs/submit-rest-refused.out" | head -1 | cut -c1-80)"

# docker-compose.yml's submit-jobs script: both jobs with the submit scripts and the flink CLI
# (POST /jobs), the ingest job with the full key, the query job with the read-only one.
compose_script submit-jobs "/opt/lesion-search/flink-conf/=>$here/flink-conf/" "/opt/flink/conf/=>$FLINK_CONF_DIR/" \
  "/opt/lesion-search/jobs/=>$here/jobs/" "http://jobmanager:8081=>$rest" \
  "/opt/lesion-search/lesion-search.jar=>$cluster_jar" "kafka:9092=>$bootstrap_jobs" \
  "--qdrant-host qdrant=>--qdrant-host $qdrant_host --qdrant-port $qdrant_port --collection $collection" \
  "/opt/lesion-search/model=>$model" >"$run/submit-jobs.sh"
t0=$(date +%s)
FLINK_LOG_FILE="$logs/flink-cli-submit.log" QDRANT_API_KEY="$api_key" QDRANT_READ_ONLY_API_KEY="$read_only_key" OPT_OUT_TRACKING=true \
  bounded bash "$run/submit-jobs.sh" >"$logs/submit-jobs.out" 2>&1 || fail "docker-compose.yml's submit-jobs failed: $(log_tail submit-jobs)"
submitted=( $(sed -n 's/.*Job has been submitted with JobID \([0-9a-f]*\).*/\1/p' "$logs/submit-jobs.out") )
[[ ${#submitted[@]} -eq 2 ]] || fail "submit-jobs should submit two jobs: $(log_tail submit-jobs)"
ingest_job="${submitted[0]}"
query_job="${submitted[1]}"
submit_s=$(( $(date +%s) - t0 ))

job_state() { curl -sf --max-time 5 "$rest/jobs/$1" | jq -r '.state' 2>/dev/null; }
# job_running JOB: RUNNING with every task running.
job_running() {
  curl -sf --max-time 5 "$rest/jobs/$1" | jq -e '.state == "RUNNING" and ([.vertices[] | .status == "RUNNING"] | all)' >/dev/null 2>&1
}
# job_taskmanager JOB: the TaskManager (our name) running the job's first subtask.
job_taskmanager() {
  local vertex resource name
  vertex="$(curl -sf --max-time 5 "$rest/jobs/$1" | jq -r '.vertices[0].id')"
  resource="$(curl -sf --max-time 5 "$rest/jobs/$1/vertices/$vertex" | jq -r '.subtasks[0]."taskmanager-id"')"
  for name in "${order[@]}"; do
    [[ "$name" == taskmanager-* ]] && grep -q "Starting TaskManager with ResourceID: $resource\$" "$logs/$name.log" 2>/dev/null && { echo "$name"; return; }
  done
  echo "unknown($resource)"
}
# job_attempt JOB: the attempt number of the job's first subtask (0 until it is restarted).
job_attempt() {
  local vertex
  vertex="$(curl -sf --max-time 5 "$rest/jobs/$1" | jq -r '.vertices[0].id')"
  curl -sf --max-time 5 "$rest/jobs/$1/vertices/$vertex" | jq -r '.subtasks[0].attempt'
}
both_running() { job_running "$ingest_job" && job_running "$query_job"; }
wait_for "both jobs running" 120 both_running
ingest_tm="$(job_taskmanager "$ingest_job")"
query_tm="$(job_taskmanager "$query_job")"
say submit "REST path refused as shipped ($refusal); docker-compose.yml's submit-jobs ran both jobs with the flink CLI in $submit_s s: ingest $ingest_job on $ingest_tm, query $query_job on $query_tm"

# ------------------------------------------------------------------------------------------------
phase="ingest"
if [[ -n "${pids[synth]:-}" ]]; then
  finished synth "making the dataset" 120
  mv "$dataset.partial" "$dataset"
fi
head -n 1 "$dataset/HAM10000_metadata.csv" >"$run/data/header"
metadata_part() { cat "$run/data/header"; tail -n +2 "$dataset/HAM10000_metadata.csv" | sed -n "$1,$2p"; }
metadata_part 1 "$PHASE1_IMAGES" >"$run/data/first.csv"
metadata_part 1 "$REPEATS" >"$run/data/repeats.csv"
metadata_part $((PHASE1_IMAGES + 1)) "$DATASET_IMAGES" >"$run/data/second.csv"
jpegs=("$dataset"/HAM10000_images_part_1/*.jpg)
first_image="${jpegs[0]}"
produce() {
  java $SMALL_JVM $opens -jar "$jar" produce --dataset "$dataset" --metadata "$1" --bootstrap-servers "$bootstrap" 2>>"$logs/produce.log" \
    | sed -n 's/^sent \([0-9]*\) images.* in \([0-9.]*\) s.*/\1 \2/p'
}
bad_records() {
  java $SMALL_JVM $opens -cp "$out/classes:$jar" ClusterCheck bad-records --bootstrap-servers "$bootstrap" \
    --topic lesion-images --image "$first_image" --tag "$1" --out "$run/bad-records.txt"
}
# feed NAME STEP...: a background feed, its steps one after the other (a script, to be stopped as one).
feed() {
  local name="$1"
  shift
  { echo 'set -euo pipefail'
    declare -p SMALL_JVM opens jar dataset bootstrap logs out run first_image
    declare -f produce bad_records
    printf '%s\n' "$@"; } >"$run/$name.sh"
  start "$name" bash "$run/$name.sh"
}
# The first feed: the images, their repeats and one bad record of each kind.
feed feed-1 'produce "$run/data/first.csv"' 'produce "$run/data/repeats.csv"' 'bad_records 1'

# SIGKILL the TaskManager running the ingest job once points arrive, mid-stream.
check wait-points wait-points --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" --min 20 --timeout-s 120
at_kill="${checked#points=}"
(( at_kill < PHASE1_IMAGES )) || fail "all $PHASE1_IMAGES images were indexed before the TaskManager could be killed"
killed_tm="$ingest_tm"
[[ "$killed_tm" == taskmanager-* ]] || fail "cannot tell which TaskManager runs the ingest job ($killed_tm)"
killed_at=$(date +%s.%N)
kill -KILL "${pids[$killed_tm]}"
wait "${pids[$killed_tm]}" 2>/dev/null || true
unset "pids[$killed_tm]"
start_taskmanager
fresh_tm="taskmanager-$tm_count"
finished feed-1 "producing the first feed" 120
feed1_figures="$(head -n 2 "$logs/feed-1.out" | awk '{n += $1; s += $2} END {printf "%d images in %.1f s", n, s}')"
ingest_moved() { job_running "$ingest_job" && [[ "$(job_taskmanager "$ingest_job")" == "$fresh_tm" ]]; }
wait_for "the ingest job running again on $fresh_tm" 180 ingest_moved
recovered_s="$(since "$killed_at")"
say kill-tm "sent $feed1_figures ($PHASE1_IMAGES unique, $REPEATS repeats) + $(tail -n 1 "$logs/feed-1.out" | sed 's/^sent //'); SIGKILL $killed_tm (ran ingest) at $at_kill points; $fresh_tm started; ingest RUNNING on it after $recovered_s s (attempt $(job_attempt "$ingest_job")); query job on $query_tm untouched (attempt $(job_attempt "$query_job"))"
[[ "$(job_attempt "$query_job")" == "0" ]] || fail "the query job restarted though its TaskManager was not killed"

phase="check-1"
check indexed-1 indexed --bootstrap-servers "$bootstrap" --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" \
  --dataset "$dataset" --metadata "$run/data/first.csv,$run/data/repeats.csv" --bad "$run/bad-records.txt" \
  --dead-letter-topic lesion-images-dlq --timeout-s 180
say check-1 "$checked"
check searches-1 searches --bootstrap-servers "$bootstrap" --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" \
  --dataset "$dataset" --metadata "$run/data/first.csv" --timeout-s 120
say search-1 "$checked"

# ------------------------------------------------------------------------------------------------
phase="metrics"
# prom_port NAME: the port the process's Prometheus reporter took in metrics.reporter.prom.port's range.
prom_port() { sed -n 's/.*Started PrometheusReporter HTTP server on port \([0-9]*\).*/\1/p' "$logs/$1.log" | tail -n 1; }
scrape() {
  local name port
  for name in "${order[@]}"; do
    [[ "$name" == jobmanager* || "$name" == taskmanager-* ]] && alive "$name" || continue
    port="$(prom_port "$name")"
    [[ -n "$port" ]] || fail "$name started no Prometheus reporter (metrics.reporter.prom.*): $(grep -m1 -i prometheus "$logs/$name.log" | cut -c1-200)"
    curl -sf --max-time 10 "http://127.0.0.1:$port/metrics" >"$logs/metrics-$1-$name.txt" || fail "scraping $name on :$port failed"
  done
}
scrape during-ingest
# metric NAME [LABEL-REGEX]: the sum of a metric's samples over every scraped process.
metric() {
  cat "$logs"/metrics-"$scrape_name"-*.txt | grep -E "^$1(\{|\s)" | { [[ -n "${2:-}" ]] && grep -E "$2" || cat; } \
    | awk '{s += $NF; n++} END {if (n) printf "%g", s; else print "absent"}'
}
scrape_name=during-ingest
ports() { local name; for name in "${order[@]}"; do [[ -f "$logs/metrics-$scrape_name-$name.txt" ]] && printf '%s :%s ' "$name" "$(prom_port "$name")"; done; }
say metrics "scraped $(ports)during the run: qdrantPointsWritten=$(metric flink_taskmanager_job_task_operator_qdrantPointsWritten) inferenceBatchTimeMs_p50=$(metric flink_taskmanager_job_task_operator_inferenceBatchTimeMs 'quantile="0.5"') queuedImages=$(metric flink_taskmanager_job_task_operator_queuedImages) numRestarts=$(metric flink_jobmanager_job_numRestarts)"

# ------------------------------------------------------------------------------------------------
phase="kill-kafka"
# The second feed in the background, bad records first; the broker is killed once its images are
# being indexed, while the feed may still be sending (the producer retries until the broker is back).
feed feed-2 'bad_records 2' 'produce "$run/data/second.csv"'
check wait-points-2 wait-points --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" --min $((PHASE1_IMAGES + 1)) --timeout-s 120
at_kill="${checked#points=}"
(( at_kill < DATASET_IMAGES )) || fail "all $DATASET_IMAGES images were indexed before the broker could be killed"
kill -KILL "${pids[kafka]}"
wait "${pids[kafka]}" 2>/dev/null || true
unset "pids[kafka]"
killed_at=$(date +%s.%N)
feed_running=$(alive feed-2 && echo "still sending" || echo "done sending")
mv "$logs/kafka.log" "$logs/kafka-before-kill.log"
mv "$logs/kafka.out" "$logs/kafka-before-kill.out"
start_kafka
wait_for "the broker restarting on its data directory" 90 kafka_started
kafka_down_s="$(since "$killed_at")"
finished feed-2 "the second feed, across the broker's restart" 180
say kill-kafka "sent $(head -n 1 "$logs/feed-2.out" | sed 's/^sent //') + $(tail -n 1 "$logs/feed-2.out" | awk '{printf "%d images in %.1f s", $1, $2}'); SIGKILL kafka at $at_kill of $DATASET_IMAGES points (feed $feed_running); restarted on its data directory, serving after $kafka_down_s s"

phase="check-2"
check indexed-2 indexed --bootstrap-servers "$bootstrap" --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" \
  --dataset "$dataset" --metadata "$run/data/first.csv,$run/data/repeats.csv,$run/data/second.csv" --bad "$run/bad-records.txt" \
  --dead-letter-topic lesion-images-dlq --timeout-s 180
say check-2 "$checked; jobs: ingest $(job_state "$ingest_job") (attempt $(job_attempt "$ingest_job")), query $(job_state "$query_job") (attempt $(job_attempt "$query_job"))"
check searches-2 searches --bootstrap-servers "$bootstrap" --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" \
  --dataset "$dataset" --metadata "$run/data/first.csv" --timeout-s 120
say search-2 "$checked"

# ------------------------------------------------------------------------------------------------
phase="resubmit"
# Cancel the query job (as the web UI does) and submit it again, with the read-only key, onto the
# same TaskManager: a second job classloader in that JVM, which must reuse PyTorch from lib/djl.
curl -sf --max-time 10 -X PATCH "$rest/jobs/$query_job?mode=cancel" >/dev/null || fail "cancelling the query job failed"
cancelled() { [[ "$(job_state "$query_job")" == CANCELED ]]; }
wait_for "the query job cancelled" 60 cancelled
t0=$(date +%s)
QDRANT_API_KEY="$read_only_key" FLINK_LOG_FILE="$logs/flink-cli-resubmit.log" bounded \
  jobs/submit-query.sh --jobmanager "$rest" --jar "$cluster_jar" -- $job_args >"$logs/resubmit-query.out" 2>&1 \
  || fail "resubmitting the query job failed: $(log_tail resubmit-query)"
query_job="$(sed -n 's/.*Job has been submitted with JobID \([0-9a-f]*\).*/\1/p' "$logs/resubmit-query.out")"
query_running() { job_running "$query_job"; }
wait_for "the resubmitted query job running" 120 query_running
resubmitted_tm="$(job_taskmanager "$query_job")"
[[ "$resubmitted_tm" == "$query_tm" ]] || fail "the resubmitted query job runs on $resubmitted_tm, not on $query_tm where it ran before"
check searches-3 searches --bootstrap-servers "$bootstrap" --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" \
  --dataset "$dataset" --metadata "$run/data/first.csv" --timeout-s 120
engines="$(grep -c 'PtEngine.*Number of inter-op threads' "$logs/$query_tm.log" || true)"
jobs_seen="$(grep -c 'Searching .* with .* on ' "$logs/$query_tm.log" || true)"
[[ "$engines" == 1 ]] || fail "$query_tm started PyTorch's engine $engines times for $jobs_seen query jobs: DJL is not loaded once from lib/"
say resubmit "query job cancelled and resubmitted with the flink CLI in $(( $(date +%s) - t0 )) s on the same $query_tm ($jobs_seen query jobs there, PyTorch's engine started once); $checked"

# ------------------------------------------------------------------------------------------------
phase="metrics"
scrape final
scrape_name=final
dlq_sent="$(metric flink_taskmanager_job_task_operator_numRecordsSend 'operator_name="kafka_lesion_images_dlq')"
for m in flink_taskmanager_job_task_operator_qdrantPointsWritten flink_taskmanager_job_task_operator_inferenceBatchTimeMs \
    flink_taskmanager_job_task_operator_queuedImages flink_taskmanager_job_task_operator_imagesDeadLettered \
    flink_taskmanager_job_task_operator_maxQueuedImages flink_taskmanager_job_task_operator_pendingRecords \
    flink_jobmanager_job_numRestarts flink_jobmanager_numRegisteredTaskManagers flink_taskmanager_Status_JVM_Memory_Heap_Used; do
  [[ "$(metric "$m")" != absent ]] || fail "$m is not among the scraped metrics (logs/metrics-final-*.txt)"
done
[[ "$dlq_sent" != absent ]] || fail "the dead-letter writer's numRecordsSend is not among the scraped metrics"
rss() {
  local name seen=" "
  for name in "${order[@]}"; do
    [[ "$seen" == *" $name "* ]] && continue
    seen+="$name "
    alive "$name" && printf '%s %d MB ' "$name" $(( $(ps -o rss= -p "${pids[$name]}") / 1024 ))
  done
}
say metrics "scraped $(ls "$logs"/metrics-final-*.txt | wc -l) reporters: qdrantPointsWritten=$(metric flink_taskmanager_job_task_operator_qdrantPointsWritten) (since each TaskManager started) dead-letter numRecordsSend=$dlq_sent inferenceBatchTimeMs p50=$(metric flink_taskmanager_job_task_operator_inferenceBatchTimeMs 'quantile="0.5"') p99=$(metric flink_taskmanager_job_task_operator_inferenceBatchTimeMs 'quantile="0.99"') queuedImages=$(metric flink_taskmanager_job_task_operator_queuedImages)/$(metric flink_taskmanager_job_task_operator_maxQueuedImages) numRestarts=$(metric flink_jobmanager_job_numRestarts); RSS $(rss)"

# ------------------------------------------------------------------------------------------------
phase="rest-window"
# README's REST path: the JobManager restarted with web.submit.enable: true for the submission, then
# set back. Without HA a JobManager restart ends the jobs it ran; the TaskManagers register again.
# restart_jobmanager NAME TASKMANAGERS [-D key=value...]: waits for the REST API and that many
# TaskManagers registered again.
restart_jobmanager() {
  local name="$1" taskmanagers="$2"
  shift 2
  stop jobmanager-current
  start_jobmanager "$name" "$@"
  pids[jobmanager-current]="${pids[$name]}"
  rest_up() { overview >/dev/null && { [[ "$taskmanagers" == 0 ]] || taskmanagers_registered "$taskmanagers"; }; }
  wait_for "$name up with $taskmanagers TaskManagers registered" 120 rest_up
}
pids[jobmanager-current]="${pids[jobmanager]}"
unset "pids[jobmanager]"
t0=$(date +%s)
restart_jobmanager jobmanager-rest-window "$TASKMANAGERS" -D web.submit.enable=true
window_up_s=$(( $(date +%s) - t0 ))
survived="$(overview | jq -r '."jobs-running"')"
t0=$(date +%s)
# On this path main runs on the JobManager, whose QDRANT_API_KEY is the full key: the query job is
# given its read-only key in the run request (README).
bounded jobs/submit-query.sh --rest --jobmanager "$rest" --jar "$cluster_jar" -- $job_args --qdrant-api-key "$read_only_key" \
  >"$logs/submit-rest.out" 2>&1 || fail "the REST path failed with web.submit.enable: true: $(log_tail submit-rest)"
query_job="$(sed -n 's/^submitted query-job as Flink job \([0-9a-f]*\).*/\1/p' "$logs/submit-rest.out")"
[[ -n "$query_job" ]] || fail "submit-query.sh --rest printed no job id: $(log_tail submit-rest)"
wait_for "the query job submitted over REST running" 120 query_running
alive jobmanager-current || fail "the JobManager exited after running the job's main: $(log_tail jobmanager-rest-window)"
rest_submit_s=$(( $(date +%s) - t0 ))
rest_tm="$(job_taskmanager "$query_job")"
check searches-rest searches --bootstrap-servers "$bootstrap" --qdrant "$qdrant_address" --api-key "$api_key" --collection "$collection" \
  --dataset "$dataset" --metadata "$run/data/first.csv" --timeout-s 120
rest_searches="${checked%% (*}"
engines="$(grep -c 'PtEngine.*Number of inter-op threads' "$logs/$rest_tm.log" || true)"
[[ "$engines" == 1 ]] || fail "$rest_tm started PyTorch's engine $engines times: DJL is not loaded once from lib/"
# Set back: web.submit.enable as shipped, by another restart, which ends the job just submitted.
restart_jobmanager jobmanager-shipped 0
say rest-window "jobmanager restarted with web.submit.enable=true, TaskManagers back after $window_up_s s, $survived jobs survived it (no HA); query job $query_job uploaded ($(( $(stat -c %s "$cluster_jar") / 1048576 )) MB) and run with POST /jars/upload + /jars/:id/run (main on the JobManager, which kept running) in $rest_submit_s s on $rest_tm (PyTorch's engine still started once there); $rest_searches; set back to false by a restart: $(overview | jq -r '."jobs-running"') jobs running"

# ------------------------------------------------------------------------------------------------
phase="stop"
for ((i = ${#order[@]} - 1; i >= 0; i--)); do
  name="${order[$i]}"
  [[ -n "${pids[$name]:-}" ]] && stop "$name"
done
stop jobmanager-current
say passed "in $(elapsed) s (limit $time_limit s); logs in ${logs#"$here"/}/"
