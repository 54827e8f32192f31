#!/usr/bin/env bash
# Fuzzes one @FuzzTest method for as long as asked: a long campaign, outside Maven's test run.
#
#   fuzz/run.sh <target> [seconds]            e.g. fuzz/run.sh decoder 14400
#   fuzz/run.sh <module> <Class> <method> [seconds]
#
# <target> is one of the names below; any other @FuzzTest is named by module, fully qualified
# class and method. Without seconds it runs until stopped (Ctrl-C keeps everything found).
#
# It builds the module and its tests with the reactor (offline), then runs Jazzer's own driver on
# the test classpath: the method's checked-in corpus (src/test/resources/<package>/<Class>Inputs/
# <method>/) seeds the run, new inputs go to fuzz/corpus/<Class>.<method>/ (ignored by git, kept
# between campaigns; apart from the short mvn verify runs' corpus, so that a campaign does not
# slow every later build down), and a crashing input is written to fuzz/findings/<Class>.<method>/. See docs/testing.md, "Fuzzing", for turning one into a
# regression case.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    echo "targets: decoder engine frontend config passwd acl (and whatever else names module, class and method)"
    exit 2
}

case "${1:-}" in
    decoder) set -- broker-core io.corvid.broker.fuzz.DecoderFuzzTest decode "${@:2}" ;;
    engine)  set -- broker-core io.corvid.broker.engine.EngineFuzzTest packetSequences "${@:2}" ;;
    frontend) set -- broker-netty io.corvid.broker.netty.FrontEndFuzzTest bytesFromThePeer "${@:2}" ;;
    config)  set -- broker-cli io.corvid.broker.cli.fuzz.LauncherFilesFuzzTest configFile "${@:2}" ;;
    passwd)  set -- broker-cli io.corvid.broker.cli.fuzz.LauncherFilesFuzzTest passwordFile "${@:2}" ;;
    acl)     set -- broker-cli io.corvid.broker.cli.fuzz.LauncherFilesFuzzTest aclFile "${@:2}" ;;
    ""|-h|--help) usage ;;
esac
[ $# -ge 3 ] || usage
module=$1 class=$2 method=$3 seconds=${4:-0}

# Instrument the project's classes, and the YAML parser when the config file is the target.
includes='io.corvid.**'
if [ "$method" = configFile ]; then
    includes='io.corvid.**:org.snakeyaml.**'
fi

# package, not test-compile: broker-netty's tests need broker-core's test jar, made at package.
mvn -B -q -o package -DskipTests -Dfuzz.skip=true dependency:build-classpath -pl "$module" -am \
    -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test >&2

package_path=$(dirname "${class//.//}")
simple=${class##*.}
seeds="$root/$module/src/test/resources/$package_path/${simple}Inputs/$method"
corpus="$root/fuzz/corpus/$simple.$method"
findings="$root/fuzz/findings/$simple.$method"
mkdir -p "$corpus" "$findings"
[ -d "$seeds" ] || seeds=

cd "$root/$module"
exec java -Xmx1g \
    -Dlogback.configurationFile="$root/broker-cli/src/test/resources/logback-fuzz.xml" \
    -cp "target/test-classes:target/classes:$(cat target/fuzz-classpath.txt)" \
    com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" --target_method="$method" \
    --instrumentation_includes="$includes" \
    -max_total_time="$seconds" -rss_limit_mb=2048 \
    -artifact_prefix="$findings/" \
    "$corpus" $seeds
