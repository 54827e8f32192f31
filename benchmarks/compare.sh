#!/usr/bin/env bash
# Compares Corvid with Mosquitto on the load generator's scenarios: starts both brokers on
# 127.0.0.1 (fresh for each scenario, with what that scenario needs), runs the scenario against
# them interleaved (Corvid, Mosquitto, Corvid, Mosquitto ...) for ROUNDS rounds, and prints a
# table of medians and the Corvid/Mosquitto ratio. Raw output goes to RESULTS_DIR.
#
# Usage: benchmarks/compare.sh [--rounds N] [--warmup S] [--duration S] [--scenarios "a b ..."]
#                              [--with-connections] [--pressure] [--latency] [--durable] [--durability OS|FSYNC]
#                              [--help]
#
# Durable runs (--durable, or DURABLE=1): the subscribers of fanin/fanout/pairs/latency keep
# persistent sessions (the generator's --persistent-subscribers: MQTT 3.1.1 clean session 0, 5.0
# clean start 0 and session expiry 3600 s; client identifiers unique per run, sessions discarded
# after it; publishers stay clean), so that their QoS 1/2 messages are stored, and each round runs
# three brokers in turn:
#   corvid-mem  Corvid --in-memory: persistent sessions in memory only (the baseline);
#   corvid      Corvid --data-dir <fresh directory per broker start> --durability $DURABILITY:
#               a QoS 1/2 PUBLISH to a persistent subscriber is acknowledged (PUBACK/PUBREC)
#               only once stored (OS: written to the operating system; FSYNC: forced to disk);
#   mosquitto   persistence true, a fresh persistence_location per broker start, autosave_interval
#               1800 (its default). Mosquitto keeps its state in memory and writes its database
#               (mosquitto.db) only every autosave_interval seconds and when it exits: a message it
#               acknowledged is not on disk at that moment, unlike Corvid's. Same work on the wire,
#               not the same promise.
# The table shows all three, with corvid/mosquitto and corvid/corvid-mem. Default scenarios with
# --durable: fanin-q1 fanin-q2 pairs-q1 pairs-q2; any fanin|fanout|pairs|latency|retained-qN may be
# given (retained-qN stores retained messages; it has no subscribers to make persistent). Not with
# connections or the pressure scenarios. CORVID_STORE_ARGS does not apply to durable runs.
# Durable runs warm up for DURABLE_WARMUP (20 s) unless --warmup or WARMUP is given: the store's
# code (MVStore's) is large, and on two cores shared with the generator the JIT compiler keeps
# half a core busy for about 20 s before Corvid's durable throughput settles.
#
# Pressure scenarios: how each broker treats misbehaving subscribers, with a fixed number of
# messages per run instead of a measured period (so WARMUP and DURATION do not apply), each run
# bounded by PRESSURE_TIMEOUT. Not run by default; --pressure selects stuck-q0 stuck-q1 stuck-q2
# late-readers-q0 late-readers-1k-q0 slow-subscriber-q0 slow-subscriber-q1 slow-subscriber-q2
# (added to --scenarios when that is given). Any of:
#   stuck-q{0,1,2}         a subscriber that never reads beside STUCK_LIVE live ones on one topic;
#                          each round runs with and without the stuck peer (after a warm-up of
#                          Corvid's JIT, not counted; the baseline first in even rounds) and the table
#                          shows the live subscribers' rate both ways and their ratio
#   late-readers-q{0,1,2}  LATE_PAIRS pairs whose subscribers read only once their publisher is done
#   late-readers-1k-q{0,1,2}  the same with 1024-byte payloads
#   slow-subscriber-q{0,1,2}  a subscriber that spends SLOW_BUSY_US per message
# Both brokers run with their own defaults for these, Mosquitto's included (max_inflight_messages
# 20, max_queued_messages 1000): the comparison is with Mosquitto as a user runs it.
#
# Latency and footprint (--latency, issue #13): latency-q{0,1,2}-r{1000,10000,50000} (QoS x a
# fixed offered rate; coordinated omission corrected: latency counts from each message's
# scheduled send time), roundtrip-q1 (ROUNDTRIP_PAIRS pairs, one message in flight per
# publisher: it sends the next only once its subscriber has the previous one and the PUBACK is
# in, the request/response pattern) and connections (idle connections: resident and heap
# memory per connection). Added to --scenarios when that is given. Any latency-qN-rRATE and
# roundtrip-qN may also be named alone.
#
# Settings (environment variables; the options above override them):
#   ROUNDS=3              rounds per scenario and broker
#   WARMUP=3 DURATION=10  seconds of warm-up and of measurement per run
#   SCENARIOS="fanin-q0 fanin-q1 fanout-q0 fanout-q1 pairs-q0 pairs-q1 pairs-q2 latency-q1 retained-q1"
#                         (add "connections", or pass --with-connections: it is slow)
#   PROTOCOL=3.1.1        MQTT version the generator speaks: 3.1.1 or 5
#   CLIENT=netty          generator client: netty (its own) or hivemq (not for retained, connections)
#   PAYLOAD=64            payload bytes
#   FANIN_PUBLISHERS=100 FANOUT_SUBSCRIBERS=100 PAIRS=20
#   LATENCY_RATE=10000    messages per second offered in the latency-qN scenario (latency-qN-rRATE names its own)
#   ROUNDTRIP_PAIRS=10    publisher/subscriber pairs of the roundtrip scenario
#   RETAINED=100000       retained messages in the retained scenario
#   CONNECTIONS=50000     idle connections in the connections scenario (capped by the fd limit)
#   SOURCE_ADDRESSES=127.0.0.1-127.0.0.16
#   PRESSURE_TIMEOUT=60   pressure scenarios: most seconds per run; what arrived by then is reported
#   PRESSURE_STALL=5      pressure scenarios: a run also ends when nothing moved for this long
#   PRESSURE_WINDOW=100   pressure scenarios: QoS 1/2 publishes in flight (Paho Python's default)
#   STUCK_MESSAGES=20000 STUCK_PAYLOAD=256 STUCK_LIVE=1
#   STUCK_STEADY_AFTER=0  stuck: also the live rate from this message on (once the stuck peer's socket
#                         buffers are full); e.g. STUCK_MESSAGES=60000 STUCK_STEADY_AFTER=30000
#   STUCK_RATE=0          stuck: the publisher's messages per second; 0 = as fast as the broker takes them
#   LATE_PAIRS=10 LATE_MESSAGES=10000 LATE_PAYLOAD=16   (messages per publisher)
#   SLOW_MESSAGES=20000 SLOW_BUSY_US=50
#   CORVID_JAR=broker-cli/target/broker-cli.jar
#   CORVID_JAVA_OPTS=""   JVM flags for the broker (java -jar broker-cli.jar)
#   CORVID_STORE_ARGS="--in-memory"  Corvid's store options, e.g. "--data-dir /tmp/d --durability FSYNC"
#   DURABLE=0             1 = --durable
#   DURABILITY=OS         durable runs: Corvid's --durability, OS or FSYNC
#   LOADGEN_JAVA_OPTS="-Xms1g -Xmx4g"
#   RESULTS_DIR=benchmarks/target/compare-<time>
#
# Builds nothing unless a jar is missing; installs mosquitto with apt-get when it is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}
WARMUP_GIVEN=${WARMUP:+1}
WARMUP=${WARMUP:-3}
DURABLE_WARMUP=${DURABLE_WARMUP:-20}
DURATION=${DURATION:-10}
PROTOCOL=${PROTOCOL:-3.1.1}
CLIENT=${CLIENT:-netty}
PAYLOAD=${PAYLOAD:-64}
FANIN_PUBLISHERS=${FANIN_PUBLISHERS:-100}
FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-100}
PAIRS=${PAIRS:-20}
LATENCY_RATE=${LATENCY_RATE:-10000}
ROUNDTRIP_PAIRS=${ROUNDTRIP_PAIRS:-10}
RETAINED=${RETAINED:-100000}
CONNECTIONS=${CONNECTIONS:-50000}
SOURCE_ADDRESSES=${SOURCE_ADDRESSES:-127.0.0.1-127.0.0.16}
PRESSURE_TIMEOUT=${PRESSURE_TIMEOUT:-60}
PRESSURE_STALL=${PRESSURE_STALL:-5}
PRESSURE_WINDOW=${PRESSURE_WINDOW:-100}
STUCK_MESSAGES=${STUCK_MESSAGES:-20000}
STUCK_PAYLOAD=${STUCK_PAYLOAD:-256}
STUCK_LIVE=${STUCK_LIVE:-1}
STUCK_STEADY_AFTER=${STUCK_STEADY_AFTER:-0}
STUCK_RATE=${STUCK_RATE:-0}
LATE_PAIRS=${LATE_PAIRS:-10}
LATE_MESSAGES=${LATE_MESSAGES:-10000}
LATE_PAYLOAD=${LATE_PAYLOAD:-16}
SLOW_MESSAGES=${SLOW_MESSAGES:-20000}
SLOW_BUSY_US=${SLOW_BUSY_US:-50}
SCENARIOS_GIVEN=${SCENARIOS:+1}
SCENARIOS=${SCENARIOS:-"fanin-q0 fanin-q1 fanout-q0 fanout-q1 pairs-q0 pairs-q1 pairs-q2 latency-q1 retained-q1"}
CORVID_JAVA_OPTS=${CORVID_JAVA_OPTS:-}
# Mosquitto runs with persistence false; Corvid's launcher stores sessions by default.
CORVID_STORE_ARGS=${CORVID_STORE_ARGS:---in-memory}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xms1g -Xmx4g}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/benchmarks/target/compare-$(date +%Y%m%d-%H%M%S)}
WITH_CONNECTIONS=${WITH_CONNECTIONS:-0}
PRESSURE=${PRESSURE:-0}
DURABLE=${DURABLE:-0}
DURABILITY=${DURABILITY:-OS}
DURABLE_SCENARIOS="fanin-q1 fanin-q2 pairs-q1 pairs-q2"
LATENCY_SCENARIOS="latency-q0-r1000 latency-q0-r10000 latency-q0-r50000 latency-q1-r1000 latency-q1-r10000 latency-q1-r50000 latency-q2-r1000 latency-q2-r10000 latency-q2-r50000 roundtrip-q1 connections"
PRESSURE_SCENARIOS="stuck-q0 stuck-q1 stuck-q2 late-readers-q0 late-readers-1k-q0 slow-subscriber-q0 slow-subscriber-q1 slow-subscriber-q2"

# Corvid's in-flight default, mirrored in Mosquitto's configuration; Mosquitto's queue bound for
# the throughput scenarios (Corvid keeps its defaults: 100,000 messages and 32 MiB per session).
MAX_INFLIGHT=128
MAX_QUEUED=1000

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; WARMUP_GIVEN=1; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; SCENARIOS_GIVEN=1; shift 2 ;;
    --with-connections) WITH_CONNECTIONS=1; shift ;;
    --pressure) PRESSURE=1; shift ;;
    --latency) LATENCY=1; shift ;;
    --durable) DURABLE=1; shift ;;
    --durability) DURABILITY=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 1 ;;
  esac
done
DURABILITY=$(printf '%s' "$DURABILITY" | tr '[:lower:]' '[:upper:]')
case "$DURABILITY" in
  OS|FSYNC) ;;
  *) echo "DURABILITY must be OS or FSYNC: $DURABILITY" >&2; exit 1 ;;
esac
if [ "$DURABLE" = 1 ] && [ -z "$WARMUP_GIVEN" ]; then
  WARMUP=$DURABLE_WARMUP
fi
if [ "$DURABLE" = 1 ] && [ -z "$SCENARIOS_GIVEN" ] && [ "$PRESSURE" != 1 ] && [ "$WITH_CONNECTIONS" != 1 ]; then
  SCENARIOS=$DURABLE_SCENARIOS
fi
if [ "$PRESSURE" = 1 ]; then
  if [ -z "$SCENARIOS_GIVEN" ]; then
    SCENARIOS=$PRESSURE_SCENARIOS
  else
    for scenario in $PRESSURE_SCENARIOS; do
      [[ " $SCENARIOS " == *" $scenario "* ]] || SCENARIOS="$SCENARIOS $scenario"
    done
  fi
fi
if [ "${LATENCY:-0}" = 1 ]; then
  if [ -z "$SCENARIOS_GIVEN" ] && [ "$PRESSURE" != 1 ]; then
    SCENARIOS=$LATENCY_SCENARIOS
  else
    for scenario in $LATENCY_SCENARIOS; do
      [[ " $SCENARIOS " == *" $scenario "* ]] || SCENARIOS="$SCENARIOS $scenario"
    done
  fi
fi
if [ "$WITH_CONNECTIONS" = 1 ] && [[ " $SCENARIOS " != *" connections "* ]]; then
  SCENARIOS="$SCENARIOS connections"
fi

# Pressure scenarios: bounded runs against misbehaving subscribers, brokers on their defaults.
is_pressure() {
  case "$1" in
    stuck-q*|late-readers-*|slow-subscriber-q*) return 0 ;;
    *) return 1 ;;
  esac
}

CORVID_JAR=${CORVID_JAR:-$ROOT/broker-cli/target/broker-cli.jar}
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
LOADGEN=(java $LOADGEN_JAVA_OPTS -cp "$BENCH_JAR" io.corvid.broker.benchmarks.load.LoadGenerator)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- prerequisites

if [ ! -f "$CORVID_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
  log "building broker-cli and benchmarks (jars missing)"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl broker-cli,benchmarks -am) || die "build failed"
fi

MOSQUITTO=$(command -v mosquitto || true)
[ -z "$MOSQUITTO" ] && [ -x /usr/sbin/mosquitto ] && MOSQUITTO=/usr/sbin/mosquitto
if [ -z "$MOSQUITTO" ]; then
  log "installing mosquitto"
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq mosquitto >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq mosquitto >/dev/null; }
  else
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null \
      || die "mosquitto is missing; install it (apt-get install -y mosquitto) or run as root"
  fi
  MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  [ -x "$MOSQUITTO" ] || die "mosquitto did not install"
fi

# Many idle connections need many file descriptors in the generator and in each broker; the
# brokers and the generator's JVM inherit this shell's limit.
if [ "$(ulimit -n)" -lt 200000 ]; then
  ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
FD_LIMIT=$(ulimit -n)
if [[ " $SCENARIOS " == *" connections "* ]] && [ "$FD_LIMIT" != unlimited ] \
    && [ "$((CONNECTIONS + 1000))" -gt "$FD_LIMIT" ]; then
  log "warning: open-file limit is $FD_LIMIT and cannot be raised here; connections capped at $((FD_LIMIT - 1000)) instead of $CONNECTIONS (benchmarks/vm/connections-vm.sh runs the scenario in a VM without that limit)"
  CONNECTIONS=$((FD_LIMIT - 1000))
fi

for scenario in $SCENARIOS; do
  if [ "$DURABLE" = 1 ]; then
    case "$scenario" in
      fanin-q[012]|fanout-q[012]|pairs-q[012]|latency-q[012]|retained-q[012]) ;;
      *) die "--durable runs fanin-qN, fanout-qN, pairs-qN, latency-qN and retained-qN only, not '$scenario'" ;;
    esac
  fi
  case "$scenario" in
    fanin-q[012]|fanout-q[012]|pairs-q[012]|latency-q[012]|retained-q[012]|connections) ;;
    latency-q[012]-r[1-9]*|roundtrip-q[012]) ;;
    stuck-q[012]|late-readers-q[012]|late-readers-1k-q[012]|slow-subscriber-q[012]) ;;
    *) die "unknown scenario '$scenario': fanin-qN, fanout-qN, pairs-qN, latency-qN, latency-qN-rRATE, roundtrip-qN, retained-qN, stuck-qN, late-readers-qN, late-readers-1k-qN, slow-subscriber-qN (N = 0, 1, 2) or connections" ;;
  esac
done

mkdir -p "$RESULTS_DIR"
RESULTS=$RESULTS_DIR/results.txt
RAW=$RESULTS_DIR/raw.log
: > "$RESULTS"
: > "$RAW"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/corvid-compare.XXXXXX")

# ---------------------------------------------------------------- brokers

CORVID_PID=
CORVID_MEM_PID=
MOSQUITTO_PID=
CORVID_DATA=
MOSQUITTO_DATA=
STARTS=0

stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop_brokers() {
  stop_pid "$CORVID_PID"
  stop_pid "$CORVID_MEM_PID"
  stop_pid "$MOSQUITTO_PID"
  CORVID_PID=
  CORVID_MEM_PID=
  MOSQUITTO_PID=
}

cleanup() {
  stop_brokers
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on, below the ephemeral range.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

wait_port() {
  local port=$1 pid=$2 name=$3
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || die "$name exited at start; see $RESULTS_DIR"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "$name does not listen on $port after 30 s"
}

# start_brokers <scenario> <corvid extra args> <mosquitto max_queued_messages, or "default">
# With "default" Mosquitto keeps its own inflight and queue limits (the pressure scenarios).
# Durable runs: Corvid on a fresh data directory, a second Corvid --in-memory, and Mosquitto
# with persistence in a fresh directory.
start_brokers() {
  local scenario=$1 corvid_extra=$2 queued=$3 store_args=$CORVID_STORE_ARGS
  STARTS=$((STARTS + 1))
  if [ "$DURABLE" = 1 ]; then
    CORVID_DATA=$WORK/corvid-data-$scenario-$STARTS
    MOSQUITTO_DATA=$WORK/mosquitto-data-$scenario-$STARTS
    store_args="--data-dir $CORVID_DATA --durability $DURABILITY"
  fi
  CORVID_PORT=$(free_port)
  # shellcheck disable=SC2086
  java $CORVID_JAVA_OPTS -jar "$CORVID_JAR" -h 127.0.0.1 -p "$CORVID_PORT" $store_args $corvid_extra \
    > "$RESULTS_DIR/corvid-$scenario.log" 2>&1 &
  CORVID_PID=$!
  if [ "$DURABLE" = 1 ]; then
    CORVID_MEM_PORT=$(free_port)
    while [ "$CORVID_MEM_PORT" = "$CORVID_PORT" ]; do CORVID_MEM_PORT=$(free_port); done
    # shellcheck disable=SC2086
    java $CORVID_JAVA_OPTS -jar "$CORVID_JAR" -h 127.0.0.1 -p "$CORVID_MEM_PORT" --in-memory $corvid_extra \
      > "$RESULTS_DIR/corvid-mem-$scenario.log" 2>&1 &
    CORVID_MEM_PID=$!
  fi
  MOSQUITTO_PORT=$(free_port)
  while [ "$MOSQUITTO_PORT" = "$CORVID_PORT" ] || [ "$MOSQUITTO_PORT" = "${CORVID_MEM_PORT:-}" ]; do
    MOSQUITTO_PORT=$(free_port)
  done
  local limits="max_inflight_messages $MAX_INFLIGHT
max_queued_messages $queued"
  local comment="limits as Corvid's defaults"
  if [ "$queued" = default ]; then
    limits=""
    comment="Mosquitto's own inflight and queue limits"
  fi
  local persistence="persistence false" stored="no persistence"
  if [ "$DURABLE" = 1 ]; then
    # Mosquitto writes mosquitto.db every autosave_interval seconds (1800, its default) and when
    # it exits, not when it acknowledges a message.
    mkdir -p "$MOSQUITTO_DATA"
    if [ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1; then
      # Started as root, Mosquitto runs as the user mosquitto: let it reach and write its directory.
      chmod 711 "$WORK"
      chown mosquitto: "$MOSQUITTO_DATA"
    fi
    persistence="persistence true
persistence_location $MOSQUITTO_DATA/
autosave_interval 1800"
    stored="persistence in $MOSQUITTO_DATA (saved every autosave_interval s and at exit)"
  fi
  cat > "$WORK/mosquitto-$scenario.conf" <<EOF
# Generated by compare.sh: $comment, $stored, loopback only.
listener $MOSQUITTO_PORT 127.0.0.1
allow_anonymous true
$persistence
$limits
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
EOF
  "$MOSQUITTO" -c "$WORK/mosquitto-$scenario.conf" > "$RESULTS_DIR/mosquitto-$scenario.log" 2>&1 &
  MOSQUITTO_PID=$!
  wait_port "$CORVID_PORT" "$CORVID_PID" Corvid
  [ "$DURABLE" = 1 ] && wait_port "$CORVID_MEM_PORT" "$CORVID_MEM_PID" "Corvid --in-memory"
  wait_port "$MOSQUITTO_PORT" "$MOSQUITTO_PID" Mosquitto
}

# Durable runs, after stop_brokers: what each broker left on disk (Mosquitto writes at exit).
report_store_sizes() {
  [ "$DURABLE" = 1 ] || return 0
  local corvid_bytes mosquitto_bytes
  corvid_bytes=$(stat -c %s "$CORVID_DATA/sessions.mvstore" 2>/dev/null || echo missing)
  mosquitto_bytes=$(stat -c %s "$MOSQUITTO_DATA/mosquitto.db" 2>/dev/null || echo missing)
  log "$1: on disk after stop: Corvid sessions.mvstore $corvid_bytes bytes, Mosquitto mosquitto.db $mosquitto_bytes bytes"
  rm -rf "$CORVID_DATA" "$MOSQUITTO_DATA"
}

# ---------------------------------------------------------------- scenarios

# scenario_args <scenario>: the generator's arguments (without port and pid)
scenario_args() {
  # Publishers keep at most the brokers' inflight maximum unacknowledged: Mosquitto silently drops
  # incoming MQTT 3.1.1 QoS 2 PUBLISHes beyond it (no PUBREC), which MQTT 5.0's Receive Maximum prevents.
  local common=(--protocol "$PROTOCOL" --payload "$PAYLOAD" --warmup "$WARMUP" --duration "$DURATION" --window "$MAX_INFLIGHT")
  # Pressure scenarios: a publisher window as a common client's (Paho Python: 100), not the brokers'.
  local pressure=(--protocol "$PROTOCOL" --window "$PRESSURE_WINDOW" --timeout "$PRESSURE_TIMEOUT" --stall "$PRESSURE_STALL")
  # Durable runs: the subscribers keep persistent sessions, whose QoS 1/2 messages the brokers store.
  local subscribers=()
  [ "$DURABLE" = 1 ] && subscribers=(--persistent-subscribers)
  case "$1" in
    fanin-q*) echo "fanin --qos ${1#fanin-q} --client $CLIENT --publishers $FANIN_PUBLISHERS --subscribers 1 ${common[*]} ${subscribers[*]}" ;;
    fanout-q*) echo "fanout --qos ${1#fanout-q} --client $CLIENT --publishers 1 --subscribers $FANOUT_SUBSCRIBERS ${common[*]} ${subscribers[*]}" ;;
    pairs-q*) echo "pairs --qos ${1#pairs-q} --client $CLIENT --pairs $PAIRS ${common[*]} ${subscribers[*]}" ;;
    latency-q*-r*) local q=${1#latency-q}; echo "latency --qos ${q%%-*} --client $CLIENT --rate ${1##*-r} ${common[*]} ${subscribers[*]}" ;;
    latency-q*) echo "latency --qos ${1#latency-q} --client $CLIENT --rate $LATENCY_RATE ${common[*]} ${subscribers[*]}" ;;
    roundtrip-q*) echo "pairs --qos ${1#roundtrip-q} --client $CLIENT --pairs $ROUNDTRIP_PAIRS --protocol $PROTOCOL --payload $PAYLOAD --warmup $WARMUP --duration $DURATION --window 1 --e2e-window 1 ${subscribers[*]}" ;;
    retained-q*) echo "retained --qos ${1#retained-q} --retained-count $RETAINED ${common[*]}" ;;
    connections) echo "connections --connections $CONNECTIONS --source-addresses $SOURCE_ADDRESSES --protocol $PROTOCOL --warmup $WARMUP --duration $DURATION" ;;
    stuck-q*) echo "stuck --qos ${1#stuck-q} --messages $STUCK_MESSAGES --payload $STUCK_PAYLOAD --live-subscribers $STUCK_LIVE --steady-after $STUCK_STEADY_AFTER $( [ "$STUCK_RATE" != 0 ] && echo "--rate $STUCK_RATE") ${pressure[*]}" ;;
    late-readers-1k-q*) echo "late-readers --qos ${1#late-readers-1k-q} --pairs $LATE_PAIRS --messages $LATE_MESSAGES --payload 1024 ${pressure[*]}" ;;
    late-readers-q*) echo "late-readers --qos ${1#late-readers-q} --pairs $LATE_PAIRS --messages $LATE_MESSAGES --payload $LATE_PAYLOAD ${pressure[*]}" ;;
    slow-subscriber-q*) echo "slow-subscriber --qos ${1#slow-subscriber-q} --messages $SLOW_MESSAGES --busy-us $SLOW_BUSY_US ${pressure[*]}" ;;
    *) die "unknown scenario $1" ;;
  esac
}

# Seconds one run may take at most.
run_timeout() {
  case "$1" in
    retained-*) echo 900 ;;
    connections) echo $((900 + DURATION)) ;;
    stuck-*|late-readers-*|slow-subscriber-*) echo $((PRESSURE_TIMEOUT + 120)) ;;
    *) echo $((WARMUP + DURATION + 180)) ;;
  esac
}

# run_one <scenario> <broker name> <port> <pid> <round> [more generator arguments]
run_one() {
  local scenario=$1 broker=$2 port=$3 pid=$4 round=$5 output status line
  shift 5
  local args
  read -r -a args <<< "$(scenario_args "$scenario")"
  args+=("$@")
  log "$scenario round $round: $broker${*:+ ($*)}"
  {
    echo "=== $scenario broker=$broker round=$round port=$port${*:+ $*}"
    echo "$ ${LOADGEN[*]} ${args[*]} --port $port --broker-pid $pid"
  } >> "$RAW"
  set +e
  output=$(timeout "$(run_timeout "$scenario")" "${LOADGEN[@]}" "${args[@]}" --port "$port" --broker-pid "$pid" 2>&1)
  status=$?
  set -e
  printf '%s\n(exit %d)\n' "$output" "$status" >> "$RAW"
  line=$(printf '%s\n' "$output" | grep '^RESULT ' | tail -1 || true)
  if [ -n "$line" ]; then
    echo "RESULT case=$scenario broker=$broker round=$round ${line#RESULT }" >> "$RESULTS"
    printf '%s\n' "$output" | grep -v '^RESULT \|^#' | head -1 | sed "s/^/    $broker: /" >&2
  else
    echo "FAILED case=$scenario broker=$broker round=$round exit=$status" >> "$RESULTS"
    log "  $broker: no result (exit $status); see $RAW"
  fi
  kill -0 "$pid" 2>/dev/null || die "$broker died during $scenario; see $RESULTS_DIR"
}

# warm_up <scenario> <broker name> <port> <pid>: twice a run with and one without the stuck peer,
# of 5 x STUCK_MESSAGES each; the output goes to the raw log only.
warm_up() {
  local scenario=$1 broker=$2 port=$3 pid=$4 args extra
  read -r -a args <<< "$(scenario_args "$scenario" | sed "s/--messages $STUCK_MESSAGES/--messages $((STUCK_MESSAGES * 5))/")"
  log "$scenario warm-up: $broker (not counted)"
  for extra in "" --no-stuck "" --no-stuck; do
    echo "=== warm-up (not counted) $scenario broker=$broker port=$port $extra" >> "$RAW"
    timeout "$(run_timeout "$scenario")" "${LOADGEN[@]}" "${args[@]}" $extra --port "$port" --broker-pid "$pid" \
      >> "$RAW" 2>&1 || true
  done
}

log "Corvid $CORVID_JAR (JVM options: ${CORVID_JAVA_OPTS:-none}); Mosquitto $("$MOSQUITTO" -h 2>&1 | head -1 | sed 's/^mosquitto version //')"
log "scenarios: $SCENARIOS; $ROUNDS rounds; warm-up $WARMUP s, measure $DURATION s; protocol $PROTOCOL, client $CLIENT, payload $PAYLOAD B; fd limit $FD_LIMIT"
if [ "$DURABLE" = 1 ]; then
  log "durable: persistent subscribers; corvid = --data-dir (fresh per scenario) --durability $DURABILITY, corvid-mem = --in-memory, mosquitto = persistence true (autosave_interval 1800)"
fi
log "results in $RESULTS_DIR"

for scenario in $SCENARIOS; do
  corvid_extra=""
  queued=$MAX_QUEUED
  case "$scenario" in
    retained-*)
      # A '#' subscription gets every retained message at once: both queues must hold them.
      queued=$((RETAINED + MAX_QUEUED))
      corvid_extra="--max-queued-messages $queued"
      ;;
  esac
  # What a broker does with subscribers that fall behind is the question: each on its defaults.
  is_pressure "$scenario" && queued=default
  start_brokers "$scenario" "$corvid_extra" "$queued"
  if [ "$queued" = default ]; then
    log "$scenario: Corvid pid $CORVID_PID port $CORVID_PORT (defaults); Mosquitto pid $MOSQUITTO_PID port $MOSQUITTO_PORT (defaults)"
  elif [ "$DURABLE" = 1 ]; then
    log "$scenario: Corvid --in-memory pid $CORVID_MEM_PID port $CORVID_MEM_PORT; Corvid --data-dir $CORVID_DATA --durability $DURABILITY pid $CORVID_PID port $CORVID_PORT ${corvid_extra}; Mosquitto pid $MOSQUITTO_PID port $MOSQUITTO_PORT (persistence true in $MOSQUITTO_DATA, max_inflight_messages $MAX_INFLIGHT, max_queued_messages $queued)"
  else
    log "$scenario: Corvid pid $CORVID_PID port $CORVID_PORT ${corvid_extra:-(defaults)}; Mosquitto pid $MOSQUITTO_PID port $MOSQUITTO_PORT (max_inflight_messages $MAX_INFLIGHT, max_queued_messages $queued)"
  fi
  if [[ "$scenario" == stuck-* ]]; then
    # A stuck run lasts well under a second on Corvid: the first ones on a fresh JVM would measure
    # its JIT compiler, and the with/without pair would compare a cold broker with a warm one.
    # (Mosquitto, a C program, has nothing to warm up.)
    warm_up "$scenario" corvid "$CORVID_PORT" "$CORVID_PID"
  fi
  for round in $(seq 1 "$ROUNDS"); do
    if [ "$scenario" = connections ] && [ "$round" -gt 1 ]; then
      # Memory per connection needs a fresh broker: an allocator keeps what it once held.
      stop_brokers
      start_brokers "$scenario" "$corvid_extra" "$queued"
    fi
    if [[ "$scenario" == stuck-* ]] && [ $((round % 2)) = 0 ]; then
      # Even rounds run the baseline first, so that neither side always follows the other.
      run_one "$scenario" corvid "$CORVID_PORT" "$CORVID_PID" "$round" --no-stuck
      run_one "$scenario" mosquitto "$MOSQUITTO_PORT" "$MOSQUITTO_PID" "$round" --no-stuck
    fi
    if [ "$DURABLE" = 1 ]; then
      run_one "$scenario" corvid-mem "$CORVID_MEM_PORT" "$CORVID_MEM_PID" "$round"
    fi
    run_one "$scenario" corvid "$CORVID_PORT" "$CORVID_PID" "$round"
    run_one "$scenario" mosquitto "$MOSQUITTO_PORT" "$MOSQUITTO_PID" "$round"
    if [[ "$scenario" == stuck-* ]] && [ $((round % 2)) = 1 ]; then
      # The baseline: the same run without the stuck peer (its RESULT line says stuck=0).
      run_one "$scenario" corvid "$CORVID_PORT" "$CORVID_PID" "$round" --no-stuck
      run_one "$scenario" mosquitto "$MOSQUITTO_PORT" "$MOSQUITTO_PID" "$round" --no-stuck
    fi
  done
  stop_brokers
  report_store_sizes "$scenario"
done

# ---------------------------------------------------------------- table

HAS_THROUGHPUT=0
HAS_PRESSURE=0
for scenario in $SCENARIOS; do
  if is_pressure "$scenario"; then HAS_PRESSURE=1; else HAS_THROUGHPUT=1; fi
done
echo
echo "Corvid vs Mosquitto: medians of $ROUNDS rounds; protocol $PROTOCOL."
if [ "$HAS_THROUGHPUT" = 1 ]; then
  echo "Throughput scenarios: warm-up $WARMUP s, measured $DURATION s per run; generator client $CLIENT, payload $PAYLOAD B,"
  echo "publisher window $MAX_INFLIGHT, end-to-end window 500. Corvid defaults (max inflight $MAX_INFLIGHT, max queued 100,000 messages / 32 MiB);"
  echo "Mosquitto: max_inflight_messages $MAX_INFLIGHT, max_queued_messages $MAX_QUEUED (retained: $((RETAINED + MAX_QUEUED)), Corvid too),"
  if [ "$DURABLE" = 1 ]; then
    echo "set_tcp_nodelay true. DURABLE: subscribers with persistent sessions (clean session 0; MQTT 5: session expiry 3600 s)."
    echo "corvid-mem = Corvid --in-memory; corvid = Corvid --data-dir (fresh per scenario) --durability $DURABILITY, acknowledging"
    echo "QoS 1/2 messages to persistent subscribers once stored; mosquitto = persistence true (fresh persistence_location,"
    echo "autosave_interval 1800): it writes mosquitto.db only periodically and at exit, so its acknowledged messages are"
    echo "not on disk at ack time. corvid/mosq = corvid (durable) / mosquitto; corvid/mem = corvid (durable) / corvid-mem."
  else
    echo "persistence false, set_tcp_nodelay true."
  fi
fi
if [ "$HAS_PRESSURE" = 1 ]; then
  echo "Pressure scenarios: fixed message counts (stuck $STUCK_MESSAGES x ${STUCK_PAYLOAD} B to $STUCK_LIVE live + 1 stuck subscriber;"
  echo "late-readers $LATE_PAIRS pairs x $LATE_MESSAGES; slow-subscriber $SLOW_MESSAGES at $SLOW_BUSY_US us each), publisher window $PRESSURE_WINDOW,"
  echo "at most $PRESSURE_TIMEOUT s per run (or $PRESSURE_STALL s without progress); both brokers on their own defaults"
  echo "(Mosquitto: max_inflight_messages 20, max_queued_messages 1000; set_tcp_nodelay true). ratio = delivered/sent;"
  echo "live_rate(_alone) = the slowest live subscriber's msg/s with (without) the stuck peer; live_rate_ratio = with/without;"
  echo "live_p99_us(_alone) = the live subscribers' p99 publish-to-arrival latency with (without) the stuck peer"
  echo "(from message STUCK_STEADY_AFTER on when that is set: before it, a fresh generator JVM measures its own warm-up);"
  if [ "$STUCK_RATE" != 0 ]; then echo "stuck publisher paced at $STUCK_RATE msg/s;"; fi
  if [ "$STUCK_STEADY_AFTER" -gt 0 ]; then
    echo "steady_rate(_alone, _ratio) = the same from the live subscriber's message $STUCK_STEADY_AFTER on, once the stuck peer's"
    echo "socket buffers are full (the kernel takes about 4 MB for a peer that does not read: until then it is not yet stuck);"
  fi
  echo "time_s = first message to last arrival, over the runs that delivered everything only (- when none did)."
fi
echo
awk '
function median(list,    n, a, i, j, t) {
  n = split(list, a, " ")
  if (n == 0) return "-"
  for (i = 2; i <= n; i++) {
    t = a[i]; j = i - 1
    while (j >= 1 && a[j] + 0 > t + 0) { a[j + 1] = a[j]; j-- }
    a[j + 1] = t
  }
  if (n % 2) return a[(n + 1) / 2]
  return (a[n / 2] + a[n / 2 + 1]) / 2
}
# The metrics of a case; live_rate_ratio is derived from the medians of the two before it.
function metrics(c) {
  if (c ~ /^(fanin|fanout|pairs)/) return "msgs_per_s_out msgs_per_s_in p50_us p99_us"
  if (c ~ /^latency/) return "p50_us p99_us p999_us max_us"
  if (c ~ /^roundtrip/) return "msgs_per_s_out p50_us p99_us"
  if (c ~ /^retained/) return "fetch_ms store_per_s"
  if (c ~ /^connections/) return "conn_per_s rss_per_conn_bytes heap_per_conn_bytes"
  if (c ~ /^stuck/) return "live_rate live_rate_alone live_rate_ratio steady_rate steady_rate_alone steady_rate_ratio live_p99_us live_p99_us_alone ratio lost time_s"
  if (c ~ /^late-readers/) return "ratio lost time_s"
  if (c ~ /^slow-subscriber/) return "ratio lost disconnected time_s"
  return ""
}
function better(m) {
  return (m ~ /per_s|rate|ratio/) ? "higher" : "lower"
}
function show(m, v) {
  if (v == "-") return v
  if (m ~ /ratio/) return sprintf("%.3f", v)
  if (m ~ /_s$/ || m == "disconnected") return sprintf("%.2f", v)
  return sprintf("%.0f", v)
}
function ratio(a, b) {
  return (a != "-" && b != "-" && b + 0 != 0) ? sprintf("%.2f", a / b) : "-"
}
function value(m, b,    with, alone, base) {
  if (m ~ /_rate_ratio$/) {
    base = substr(m, 1, length(m) - 6)
    with = median(values[c, base, b]); alone = median(values[c, base "_alone", b])
    return (with != "-" && alone != "-" && alone + 0 != 0) ? with / alone : "-"
  }
  return median(values[c, m, b])
}
{
  delete f
  for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = substr($i, length(kv[1]) + 2) }
  c = f["case"]
  if (!(c in seen)) { seen[c] = 1; order[++cases] = c }
  if ($1 == "FAILED") { problems[++np] = $0; next }
  qos[c] = ("qos" in f) ? f["qos"] : "-"
  payload[c] = ("payload" in f) ? f["payload"] : "-"
  if (f["status"] != "ok") problems[++np] = $0
  if (f["disconnected"] == "true") f["disconnected"] = 1
  if (f["disconnected"] == "false") f["disconnected"] = 0
  # A pressure run that was cut took as long as the cut: its time would flatter whoever gave up sooner.
  if (c ~ /^(stuck|late-readers|slow-subscriber)/ && f["status"] != "ok" && f["status"] != "dup") delete f["time_s"]
  if ("live_rate_steady" in f && f["live_rate_steady"] + 0 > 0) f["steady_rate"] = f["live_rate_steady"]
  if (f["stuck"] == "0") {
    # The run without the stuck peer: only its live rates count, as the baseline.
    if ("live_rate" in f) values[c, "live_rate_alone", f["broker"]] = values[c, "live_rate_alone", f["broker"]] " " f["live_rate"]
    if ("steady_rate" in f) values[c, "steady_rate_alone", f["broker"]] = values[c, "steady_rate_alone", f["broker"]] " " f["steady_rate"]
    if ("live_p99_us" in f) values[c, "live_p99_us_alone", f["broker"]] = values[c, "live_p99_us_alone", f["broker"]] " " f["live_p99_us"]
    next
  }
  n = split(metrics(c), ms, " ")
  for (k = 1; k <= n; k++) {
    m = ms[k]
    if ((m in f) && f[m] != "na") values[c, m, f["broker"]] = values[c, m, f["broker"]] " " f[m]
  }
}
END {
  if (durable == 1)
    printf "%-19s %3s %7s  %-20s %15s %15s %15s %11s %10s  %s\n", "scenario", "qos", "payload", "metric", "corvid-mem", "corvid", "mosquitto", "corvid/mosq", "corvid/mem", "better"
  else
    printf "%-19s %3s %7s  %-20s %15s %15s %8s  %s\n", "scenario", "qos", "payload", "metric", "corvid", "mosquitto", "ratio", "better"
  for (i = 1; i <= cases; i++) {
    c = order[i]
    n = split(metrics(c), ms, " ")
    for (k = 1; k <= n; k++) {
      m = ms[k]
      a = value(m, "corvid"); b = value(m, "mosquitto")
      if (durable == 1) {
        mem = value(m, "corvid-mem")
        printf "%-19s %3s %7s  %-20s %15s %15s %15s %11s %10s  %s\n", c, qos[c], payload[c], m, show(m, mem), show(m, a), show(m, b), ratio(a, b), ratio(a, mem), better(m)
      } else {
        printf "%-19s %3s %7s  %-20s %15s %15s %8s  %s\n", c, qos[c], payload[c], m, show(m, a), show(m, b), ratio(a, b), better(m)
      }
    }
  }
  if (np > 0) {
    print ""
    print "Runs that were not clean (status LOSS = messages lost or duplicated at QoS 1/2, ERROR = a connection failed,"
    print "incomplete = a pressure run ended before every message was sent, acknowledged and delivered; see raw.log):"
    for (i = 1; i <= np; i++) print "  " problems[i]
  }
}' durable="$DURABLE" "$RESULTS" | tee "$RESULTS_DIR/table.txt"
echo
echo "Raw output: $RAW; RESULT lines: $RESULTS"
