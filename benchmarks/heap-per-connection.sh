#!/usr/bin/env bash
# What an idle connection costs Corvid, by class: starts the launcher (--in-memory, 127.0.0.1),
# takes `jmap -histo:live` (which collects first), opens N idle MQTT connections with the load
# generator's connections scenario, takes the histogram again while they are held, and prints
# the live heap per connection, the classes that grew most per connection, and the generator's
# own figures (resident memory and heap per connection).
#
# Usage: benchmarks/heap-per-connection.sh [N]    (default 10000; the open-file limit caps it)
# Settings: PROTOCOL=3.1.1 (or 5)  CORVID_JAVA_OPTS=""  PORT=28883  TOP=30
# Needs the jars (mvn -B -q package -DskipTests) and the JDK's jmap. Prints; asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-10000}
PROTOCOL=${PROTOCOL:-3.1.1}
PORT=${PORT:-28883}
TOP=${TOP:-30}
CORVID_JAR=${CORVID_JAR:-$ROOT/broker-cli/target/broker-cli.jar}
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
WORK=$(mktemp -d /tmp/corvid-heap.XXXXXX)
[ -f "$CORVID_JAR" ] && [ -f "$BENCH_JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }

# shellcheck disable=SC2086
java ${CORVID_JAVA_OPTS:-} -jar "$CORVID_JAR" -h 127.0.0.1 -p "$PORT" --in-memory > "$WORK/broker.log" 2>&1 &
BROKER=$!
GENERATOR=
cleanup() {
  [ -n "$GENERATOR" ] && kill "$GENERATOR" 2>/dev/null || true
  kill "$BROKER" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q "Ready" "$WORK/broker.log" 2>/dev/null && break; sleep 0.2; done
grep -q "Ready" "$WORK/broker.log" || { cat "$WORK/broker.log"; exit 1; }

jmap -histo:live "$BROKER" > "$WORK/before.txt"
java -Xms1g -Xmx4g -cp "$BENCH_JAR" io.corvid.broker.benchmarks.load.LoadGenerator connections \
  --connections "$N" --source-addresses 127.0.0.1-127.0.0.16 --protocol "$PROTOCOL" --warmup 2 --duration 25 \
  --port "$PORT" --broker-pid "$BROKER" > "$WORK/generator.log" 2>&1 &
GENERATOR=$!
# Wait until every connection is up, then a little longer for the last CONNACKs.
for _ in $(seq 1 120); do
  [ "$(ss -tn state established "( sport = :$PORT )" | tail -n +2 | wc -l)" -ge "$N" ] && break
  sleep 0.5
done
sleep 3
jmap -histo:live "$BROKER" > "$WORK/after.txt"
wait "$GENERATOR" || true
GENERATOR=
grep "^RESULT" "$WORK/generator.log" | tr ' ' '\n' | grep -E "^(connected|rss_before_kb|rss_after_kb|rss_per_conn_bytes|heap_before_kb|heap_after_kb|heap_per_conn_bytes)=" || true

awk -v n="$N" -v top="$TOP" '
  FNR == 1 { file++ }
  $1 ~ /^[0-9]+:$/ { if (file == 1) before[$4] = $3; else after[$4] = $3; count[$4, file] = $2 }
  END {
    for (c in after) { d = after[c] - before[c]; if (d > 0) { delta[c] = d; total += d } }
    printf "live heap per connection (jmap -histo:live): %.0f bytes\n", total / n
    for (i = 0; i < top; i++) {
      best = ""; for (c in delta) if (best == "" || delta[c] > delta[best]) best = c
      if (best == "") break
      printf "%8.1f B/conn %6.2f objects/conn  %s\n", delta[best] / n, (count[best, 2] - count[best, 1]) / n, best
      delete delta[best]
    }
  }' "$WORK/before.txt" "$WORK/after.txt"
echo "(histograms and logs in $WORK)"
