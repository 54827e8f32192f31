#!/usr/bin/env bash
# Runs compare.sh's "connections" scenario (Corvid and Mosquitto, idle connections, memory per
# connection) inside a throw-away Debian virtual machine started with qemu.
#
# Why a VM: one broker process needs one file descriptor per connection, and a container's hard
# RLIMIT_NOFILE (20,000 in the sandbox where Corvid is developed) cannot be raised without
# CAP_SYS_RESOURCE. Inside the VM the kernel is ours, so its init raises the limit and the
# brokers and the generator run exactly as compare.sh starts them anywhere else. Memory per
# connection measured there is what the same JVM and the same C code use on any x86-64 Linux;
# connect rates under software emulation (ACCEL=tcg) are far below the host's and only
# comparable between the two brokers of the same run.
#
# Usage: benchmarks/vm/connections-vm.sh            (as root: apt-get, debootstrap, chroot)
#
# Settings (environment variables):
#   CONNECTIONS=50000     idle connections per broker
#   ACCEL=tcg             qemu accelerator: tcg (software, works everywhere) or kvm
#   VM_CPUS=2 VM_MEMORY=10G
#   VM_DIR=benchmarks/target/vm   where the root file system, image and serial log go
#   MIRROR=http://deb.debian.org/debian   Debian mirror for debootstrap (bookworm)
#
# The first run downloads a minimal Debian with OpenJDK 17 and Mosquitto (about 900 MB on
# disk) and keeps it in VM_DIR; later runs only copy the current jars into it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONNECTIONS=${CONNECTIONS:-50000}
ACCEL=${ACCEL:-tcg}
VM_CPUS=${VM_CPUS:-2}
VM_MEMORY=${VM_MEMORY:-10G}
VM_DIR=${VM_DIR:-$ROOT/benchmarks/target/vm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
GUEST_PACKAGES=openjdk-17-jdk-headless,mosquitto,linux-image-cloud-amd64,initramfs-tools,procps,iproute2,kmod,udev,zstd

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot and mke2fs -d need it)"

missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mke2fs >/dev/null || missing+=(e2fsprogs)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi

CORVID_JAR=$ROOT/broker-cli/target/broker-cli.jar
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
if [ ! -f "$CORVID_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
  log "building broker-cli and benchmarks (jars missing)"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl broker-cli,benchmarks -am) || die "build failed"
fi

GUEST=$VM_DIR/root
mkdir -p "$VM_DIR"
if [ ! -f "$GUEST/.corvid-guest-ready" ]; then
  log "creating the guest file system in $GUEST (debootstrap bookworm, a few minutes)"
  rm -rf "$GUEST"
  debootstrap --variant=minbase --include="$GUEST_PACKAGES" bookworm "$GUEST" "$MIRROR" \
    > "$VM_DIR/debootstrap.log" 2>&1 || die "debootstrap failed, see $VM_DIR/debootstrap.log"
  touch "$GUEST/.corvid-guest-ready"
fi

log "copying the current jars and compare.sh into the guest"
mkdir -p "$GUEST/corvid/benchmarks/target" "$GUEST/corvid/broker-cli/target"
cp "$ROOT/benchmarks/compare.sh" "$GUEST/corvid/benchmarks/"
cp "$BENCH_JAR" "$GUEST/corvid/benchmarks/target/"
cp "$CORVID_JAR" "$GUEST/corvid/broker-cli/target/"

# The guest's PID 1: no services, only the measurement, then power off. CONNECTIONS arrives as
# an environment variable from the kernel command line.
cat > "$GUEST/corvid-init.sh" <<'INIT'
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mount -t tmpfs -o size=2g tmpfs /tmp
ip link set lo up
sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" net.core.somaxconn=65535 \
  net.ipv4.tcp_max_syn_backlog=65535
ulimit -n 300000
echo "guest: $(nproc) CPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo), kernel $(uname -r)," \
  "open-file limit $(ulimit -n), $(java -version 2>&1 | head -1)"
cd /corvid && SCENARIOS=connections ROUNDS=1 RESULTS_DIR=/tmp/results bash benchmarks/compare.sh 2>&1
echo "--- RESULT lines"
cat /tmp/results/results.txt
echo "--- guest done"
sync
echo 1 > /proc/sys/kernel/sysrq
echo o > /proc/sysrq-trigger
# Power-off is asynchronous; PID 1 must not exit first (panic=1 ends qemu anyway).
sleep 30
INIT
chmod +x "$GUEST/corvid-init.sh"

log "building the disk image"
kernel=$(ls "$GUEST"/boot/vmlinuz-* | sort -V | tail -1)
initrd=$(ls "$GUEST"/boot/initrd.img-* | sort -V | tail -1)
rm -f "$VM_DIR/root.img"
mke2fs -q -t ext4 -d "$GUEST" "$VM_DIR/root.img" 6G >/dev/null

SERIAL=$VM_DIR/serial.log
log "starting the guest ($ACCEL, $VM_CPUS CPUs, $VM_MEMORY, $CONNECTIONS connections); console in $SERIAL"
accel=(-accel kvm -cpu host)
[ "$ACCEL" = tcg ] && accel=(-accel tcg,thread=multi -cpu max)
timeout 5400 qemu-system-x86_64 "${accel[@]}" -smp "$VM_CPUS" -m "$VM_MEMORY" \
  -display none -monitor none -nic none -no-reboot \
  -kernel "$kernel" -initrd "$initrd" \
  -append "root=/dev/vda rw console=ttyS0 edd=off quiet panic=1 init=/corvid-init.sh CONNECTIONS=$CONNECTIONS" \
  -drive file="$VM_DIR/root.img",format=raw,if=virtio \
  -serial file:"$SERIAL" || die "the guest did not finish (see $SERIAL)"

grep -aq -- '--- guest done' "$SERIAL" || die "the guest stopped before the end of the run (see $SERIAL)"
# The guest's own lines, without the kernel's.
grep -av '^\[ *[0-9]' "$SERIAL" | sed -n '/^guest:/,/^--- guest done/p' | tr -d '\r'
