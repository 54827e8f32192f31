#!/usr/bin/env bash
# Recovery time of Corvid's durable session store: how long a broker takes to come back with one
# persistent session holding MESSAGES stored QoS 1 messages, and to deliver them all.
#
#   1. starts broker-cli.jar --data-dir D (a fresh temporary directory) --durability DURABILITY;
#   2. the load generator's recovery filler (LoadGenerator recovery --phase fill) creates one
#      persistent session (MQTT 3.1.1 clean session 0; 5.0 clean start 0, session expiry 3600 s)
#      subscribed to bench/recovery/<session>, disconnects it, and publishes MESSAGES QoS 1
#      messages of PAYLOAD bytes there, WINDOW in flight, until every one is acknowledged (Corvid
#      acknowledges a message for a persistent session once it is stored);
#   3. stops the broker with SIGTERM (by process id) and waits for it to exit;
#   4. starts it again on D and measures the time from the process start until it listens (the
#      script probes the port every 10 ms; the launcher's log adds when the store was open, when
#      it logged "Restored N sessions and M retained messages from the session store" and
#      "Listening for MQTT on ...");
#   5. the generator resumes the session (LoadGenerator recovery --phase drain) and measures the
#      time from its TCP connect to the CONNACK, the first and the last of the MESSAGES messages
#      (receive_s; deliver_s counts from the CONNACK), counting loss and duplicates exactly;
#   6. stops the broker again.
# It prints those times and the size of D/sessions.mvstore after the fill (broker running), after
# the stop (closed and compacted) and after the drain, then one RESULT line. The broker gets
# queue limits and a memory budget that hold every message (--max-queued-messages,
# --max-queued-bytes, --memory-budget), and CORVID_JAVA_OPTS the heap for them: a restored session
# holds its queued messages in memory as well.
#
# Usage: benchmarks/recovery.sh [--messages N] [--durability OS|FSYNC] [--protocol 3.1.1|5] [--help]
#
# Settings (environment variables; the options above override them):
#   MESSAGES=1000000      QoS 1 messages stored for the session
#   PAYLOAD=64            payload bytes
#   QOS=1                 1 or 2
#   WINDOW=1000           publisher's messages in flight
#   PROTOCOL=3.1.1        3.1.1 or 5
#   DURABILITY=OS         Corvid's --durability: OS or FSYNC
#   CORVID_JAR=broker-cli/target/broker-cli.jar
#   CORVID_JAVA_OPTS="-Xmx4g"
#   LOADGEN_JAVA_OPTS="-Xms256m -Xmx2g"
#   START_TIMEOUT=600     most seconds for a broker start to listen (the restart restores everything first)
#   STOP_TIMEOUT=300      most seconds for the broker to exit after SIGTERM; then SIGKILL (reported)
#   FILL_TIMEOUT=1800     most seconds for publishing every message
#   DRAIN_TIMEOUT=1800    most seconds for receiving every message
#   DRAIN_STALL=60        the drain gives up when nothing arrived for this long
#   KEEP_DATA=0           1 keeps the data directory (its path is printed)
#   RESULTS_DIR=benchmarks/target/recovery-<time>
#
# Builds nothing unless a jar is missing. Every step is bounded; what the script starts it stops by
# process id, also when interrupted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MESSAGES=${MESSAGES:-1000000}
PAYLOAD=${PAYLOAD:-64}
QOS=${QOS:-1}
WINDOW=${WINDOW:-1000}
PROTOCOL=${PROTOCOL:-3.1.1}
DURABILITY=${DURABILITY:-OS}
CORVID_JAR=${CORVID_JAR:-$ROOT/broker-cli/target/broker-cli.jar}
CORVID_JAVA_OPTS=${CORVID_JAVA_OPTS:--Xmx4g}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xms256m -Xmx2g}
START_TIMEOUT=${START_TIMEOUT:-600}
STOP_TIMEOUT=${STOP_TIMEOUT:-300}
FILL_TIMEOUT=${FILL_TIMEOUT:-1800}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-1800}
DRAIN_STALL=${DRAIN_STALL:-60}
KEEP_DATA=${KEEP_DATA:-0}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/benchmarks/target/recovery-$(date +%Y%m%d-%H%M%S)}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --messages) MESSAGES=$2; shift 2 ;;
    --durability) DURABILITY=$2; shift 2 ;;
    --protocol) PROTOCOL=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 1 ;;
  esac
done
DURABILITY=$(printf '%s' "$DURABILITY" | tr '[:lower:]' '[:upper:]')
case "$DURABILITY" in
  OS|FSYNC) ;;
  *) echo "DURABILITY must be OS or FSYNC: $DURABILITY" >&2; exit 1 ;;
esac
[[ "$MESSAGES" =~ ^[1-9][0-9]*$ ]] || { echo "MESSAGES must be a positive number: $MESSAGES" >&2; exit 1; }

BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
LOADGEN=(java $LOADGEN_JAVA_OPTS -cp "$BENCH_JAR" io.corvid.broker.benchmarks.load.LoadGenerator)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ ! -f "$CORVID_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
  log "building broker-cli and benchmarks (jars missing)"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl broker-cli,benchmarks -am) || die "build failed"
fi

mkdir -p "$RESULTS_DIR"
RAW=$RESULTS_DIR/raw.log
: > "$RAW"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/corvid-recovery.XXXXXX")
DATA=$WORK/data
SESSION=lg-rec-$(date +%s)-$RANDOM
BROKER_PID=

# ---------------------------------------------------------------- broker

# stop_broker: SIGTERM, then wait up to STOP_TIMEOUT s (SIGKILL after that); sets STOP_S and STOP_HOW.
stop_broker() {
  local pid=$BROKER_PID start
  STOP_S=0
  STOP_HOW=none
  [ -n "$pid" ] || return 0
  BROKER_PID=
  start=$EPOCHREALTIME
  kill -TERM "$pid" 2>/dev/null || { STOP_HOW=gone; return 0; }
  STOP_HOW=sigterm
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      STOP_HOW=sigkill
      log "warning: the broker did not exit within $STOP_TIMEOUT s of SIGTERM; killed"
      break
    fi
    sleep 0.05
  done
  wait "$pid" 2>/dev/null || true
  STOP_S=$(elapsed "$start" "$EPOCHREALTIME")
}

cleanup() {
  if [ -n "$BROKER_PID" ]; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$BROKER_PID" 2>/dev/null || true
  fi
  if [ "$KEEP_DATA" = 1 ]; then
    log "data directory kept: $DATA"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# elapsed <start> <end>: seconds between two $EPOCHREALTIME values, 3 decimals
elapsed() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

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

# Seconds from <start> ($EPOCHREALTIME) to the launcher's first log line matching <pattern>, by the
# log's own millisecond timestamps; "-" when there is no such line.
log_offset() {
  local file=$1 pattern=$2 start=$3 stamp ms
  stamp=$(grep -m1 -e "$pattern" "$file" | awk '{print $1}' || true)
  [ -n "$stamp" ] || { echo -; return; }
  ms=$(date -d "$stamp" +%s%3N 2>/dev/null) || { echo -; return; }
  awk -v a="$start" -v b="$ms" 'BEGIN { printf "%.3f", b / 1000 - a }'
}

# start_broker <label>: starts Corvid on DATA; sets BROKER_PID, LISTEN_S (process start to the
# port accepting connections) and the log offsets OPEN_S, RESTORED_S, LOGGED_LISTEN_S.
start_broker() {
  local label=$1 start
  BROKER_LOG=$RESULTS_DIR/corvid-$label.log
  start=$EPOCHREALTIME
  # shellcheck disable=SC2086
  java $CORVID_JAVA_OPTS -jar "$CORVID_JAR" -h 127.0.0.1 -p "$PORT" --data-dir "$DATA" --durability "$DURABILITY" \
    --max-queued-messages "$((MESSAGES + 1000))" --max-queued-bytes "$QUEUE_BYTES" --memory-budget "$QUEUE_BYTES" \
    > "$BROKER_LOG" 2>&1 &
  BROKER_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT))
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
    kill -0 "$BROKER_PID" 2>/dev/null || { BROKER_PID=; die "Corvid exited at start ($label); see $BROKER_LOG"; }
    [ "$SECONDS" -lt "$deadline" ] || die "Corvid does not listen on $PORT after $START_TIMEOUT s ($label); see $BROKER_LOG"
    sleep 0.01
  done
  LISTEN_S=$(elapsed "$start" "$EPOCHREALTIME")
  # The log is written by an asynchronous appender: give it a moment.
  for _ in $(seq 1 50); do
    grep -q 'Listening for MQTT' "$BROKER_LOG" && break
    sleep 0.1
  done
  OPEN_S=$(log_offset "$BROKER_LOG" 'are stored in' "$start")
  RESTORED_S=$(log_offset "$BROKER_LOG" 'Restored .* sessions' "$start")
  LOGGED_LISTEN_S=$(log_offset "$BROKER_LOG" 'Listening for MQTT' "$start")
  RESTORED_LINE=$(grep -m1 -o 'Restored [0-9]* sessions and [0-9]* retained messages' "$BROKER_LOG" || true)
}

file_size() {
  stat -c %s "$DATA/sessions.mvstore" 2>/dev/null || echo missing
}

# generator <phase> <timeout s> [more arguments]: runs the recovery scenario; sets GEN_RESULT (its
# RESULT line without "RESULT ") and GEN_STATUS.
generator() {
  local phase=$1 limit=$2 output
  shift 2
  local args=(recovery --phase "$phase" --session "$SESSION" --messages "$MESSAGES" --qos "$QOS" --payload "$PAYLOAD"
    --window "$WINDOW" --protocol "$PROTOCOL" --port "$PORT" --timeout "$limit" "$@")
  echo "$ ${LOADGEN[*]} ${args[*]}" >> "$RAW"
  set +e
  output=$(timeout "$((limit + 120))" "${LOADGEN[@]}" "${args[@]}" 2>&1)
  GEN_STATUS=$?
  set -e
  printf '%s\n(exit %d)\n' "$output" "$GEN_STATUS" >> "$RAW"
  printf '%s\n' "$output" | grep -v '^RESULT \|^#' | sed 's/^/    /' >&2 || true
  GEN_RESULT=$(printf '%s\n' "$output" | grep '^RESULT ' | tail -1 | sed 's/^RESULT //' || true)
}

# field <key> <key=value line>
field() {
  printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}

# ---------------------------------------------------------------- run

PORT=$(free_port)
QUEUE_BYTES=$((MESSAGES * (PAYLOAD + 512) + 64 * 1024 * 1024))
log "Corvid $CORVID_JAR ($CORVID_JAVA_OPTS), durability $DURABILITY, data in $DATA, port $PORT"
log "session $SESSION: $MESSAGES QoS $QOS messages of $PAYLOAD B, window $WINDOW, protocol $PROTOCOL; results in $RESULTS_DIR"

start_broker first
FIRST_LISTEN_S=$LISTEN_S
log "first start (empty store): listening after $FIRST_LISTEN_S s"

log "filling the session"
generator fill "$FILL_TIMEOUT"
FILL=$GEN_RESULT
[ -n "$FILL" ] || die "the filler printed no result (exit $GEN_STATUS); see $RAW"
[ "$(field status "$FILL")" = ok ] || die "the filler did not store every message: $FILL"
SIZE_FILLED=$(file_size)
if grep -q 'queue full\|memory budget exhausted' "$BROKER_LOG"; then
  log "warning: the broker dropped messages for the session (queue full or memory budget); see $BROKER_LOG"
fi

log "stopping the broker (SIGTERM)"
stop_broker
STOP_FILLED_S=$STOP_S
STOP_FILLED_HOW=$STOP_HOW
SIZE_STOPPED=$(file_size)
log "stopped after $STOP_FILLED_S s ($STOP_FILLED_HOW); sessions.mvstore $SIZE_FILLED bytes after the fill, $SIZE_STOPPED bytes after the stop"

log "restarting on the same data directory"
start_broker restart
RESTART_LOG=$BROKER_LOG
RESTART_LISTEN_S=$LISTEN_S
RESTART_OPEN_S=$OPEN_S
RESTART_RESTORED_S=$RESTORED_S
RESTART_LOGGED_LISTEN_S=$LOGGED_LISTEN_S
RESTORED_SESSIONS=$(printf '%s' "$RESTORED_LINE" | awk '{print $2}')
RESTORED_RETAINED=$(printf '%s' "$RESTORED_LINE" | awk '{print $5}')
log "restart: listening after $RESTART_LISTEN_S s (log: store open +$RESTART_OPEN_S s, restored +$RESTART_RESTORED_S s, listening +$RESTART_LOGGED_LISTEN_S s): ${RESTORED_LINE:-no Restored line}"

log "resuming the session"
generator drain "$DRAIN_TIMEOUT" --stall "$DRAIN_STALL"
DRAIN=$GEN_RESULT
SIZE_DRAINED=$(file_size)
stop_broker
SIZE_CLOSED=$(file_size)
[ -n "$DRAIN" ] || die "the drain printed no result (exit $GEN_STATUS); see $RAW"

STATUS=$(field status "$DRAIN")
[ "$STOP_FILLED_HOW" = sigterm ] || STATUS=ERROR
RESULT="RESULT scenario=recovery-restart broker=corvid durability=$DURABILITY protocol=$PROTOCOL qos=$QOS payload=$PAYLOAD"
RESULT="$RESULT messages=$MESSAGES window=$WINDOW fill_s=$(field publish_s "$FILL") fill_per_s=$(field msgs_per_s_in "$FILL")"
RESULT="$RESULT file_bytes_filled=$SIZE_FILLED file_bytes_stopped=$SIZE_STOPPED stop_s=$STOP_FILLED_S stop=$STOP_FILLED_HOW"
RESULT="$RESULT first_listen_s=$FIRST_LISTEN_S restart_listen_s=$RESTART_LISTEN_S restart_open_s=$RESTART_OPEN_S"
RESULT="$RESULT restart_restored_s=$RESTART_RESTORED_S restart_logged_listen_s=$RESTART_LOGGED_LISTEN_S"
RESULT="$RESULT restored_sessions=${RESTORED_SESSIONS:--} restored_retained=${RESTORED_RETAINED:--}"
RESULT="$RESULT session_present=$(field session_present "$DRAIN") connack_ms=$(field connack_ms "$DRAIN")"
RESULT="$RESULT first_ms=$(field first_ms "$DRAIN") receive_s=$(field receive_s "$DRAIN") deliver_s=$(field deliver_s "$DRAIN")"
RESULT="$RESULT receive_per_s=$(field msgs_per_s_out "$DRAIN")"
RESULT="$RESULT received=$(field received "$DRAIN") lost=$(field lost "$DRAIN") dup=$(field dup "$DRAIN")"
RESULT="$RESULT file_bytes_drained=$SIZE_DRAINED file_bytes_closed=$SIZE_CLOSED status=$STATUS"

{
  echo
  echo "Recovery of one persistent session holding $MESSAGES QoS $QOS messages of $PAYLOAD B (Corvid, durability $DURABILITY,"
  echo "MQTT $PROTOCOL, publisher window $WINDOW):"
  echo "  fill:     $(field acked "$FILL") messages stored and acknowledged in $(field publish_s "$FILL") s ($(field msgs_per_s_in "$FILL") msg/s)"
  echo "  file:     sessions.mvstore $SIZE_FILLED bytes after the fill (running), $SIZE_STOPPED bytes after the stop"
  echo "  stop:     SIGTERM to exit $STOP_FILLED_S s ($STOP_FILLED_HOW)"
  echo "  restart:  process start to listening $RESTART_LISTEN_S s (first start, empty store: $FIRST_LISTEN_S s);"
  echo "            by its log: store open +$RESTART_OPEN_S s, '${RESTORED_LINE:-no Restored line}' +$RESTART_RESTORED_S s,"
  echo "            listening +$RESTART_LOGGED_LISTEN_S s"
  echo "  drain:    session present $(field session_present "$DRAIN"); CONNACK after $(field connack_ms "$DRAIN") ms, first message after"
  echo "            $(field first_ms "$DRAIN") ms, $(field received "$DRAIN") of $MESSAGES after $(field receive_s "$DRAIN") s ($(field msgs_per_s_out "$DRAIN") msg/s;"
  echo "            $(field deliver_s "$DRAIN") s from the CONNACK to the last message);"
  echo "            lost $(field lost "$DRAIN"), duplicates $(field dup "$DRAIN") (end: $(field end "$DRAIN"))"
  echo "  file:     $SIZE_DRAINED bytes after the drain (running), $SIZE_CLOSED bytes after the final stop"
  echo
  echo "$RESULT"
} | tee "$RESULTS_DIR/summary.txt"
echo
echo "Broker logs: $RESULTS_DIR/corvid-first.log, $RESTART_LOG; generator output: $RAW"
[ "$STATUS" = ok ]
