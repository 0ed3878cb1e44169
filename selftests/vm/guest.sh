#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs as PID 1 inside the selftest VM, on the host's root (read-only 9p
# with tmpfs on /tmp, /run, /var/tmp). Reads the job the host wrote on the
# result share, runs each test under its own timeout, stores its TAP, exit
# status, duration and kernel log delta there, then ends the VM.
set -u
REPO=$1
RES=/run/nfipsec/results
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8

SPLAT='WARNING:|BUG:|KASAN|Oops|lockdep|RCU|stall|general protection|kmemleak|Call Trace:'

finish() {
	sync
	echo "nfipsec-vm: done"
	/bin/busybox reboot -f
	echo b >/proc/sysrq-trigger
}
trap finish EXIT

mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts 2>/dev/null ||
	{ mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; }
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
ln -sf /proc/self/fd /dev/fd 2>/dev/null || true
echo /sbin/modprobe >/proc/sys/kernel/modprobe
echo 1 >/proc/sys/kernel/panic_on_oops
echo -1 >/proc/sys/kernel/panic
hostname nfipsec-vm
ip link set lo up

read -r up _ </proc/uptime
echo "$up" >"$RES/boot-seconds"
echo "nfipsec-vm: up after ${up}s, kernel $(uname -r)"

# The job: TESTS=(...), TEST_TIMEOUT=..., exported NFIPSEC_* variables.
# shellcheck source=/dev/null
. "$RES/job"

# Preflight: module autoloading through the host's modprobe must work, or
# every ESP test fails with "not found" algorithms.
preflight() {
	local key
	key=0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
	{ [[ ! -d /lib/modules/$(uname -r) ]] || modprobe esp4; } &&
	ip netns add nfipsec-preflight &&
	ip -n nfipsec-preflight xfrm state add src 10.9.9.1 dst 10.9.9.2 \
		proto esp spi 0x100 mode transport \
		aead 'rfc4106(gcm(aes))' "$key" 128 &&
	ip -n nfipsec-preflight xfrm state flush
}
if preflight; then
	echo "nfipsec-vm: preflight ok (modprobe esp4, rfc4106(gcm(aes)) via request_module)"
	echo ok >"$RES/preflight"
else
	echo "nfipsec-vm: preflight FAILED: module autoloading does not work"
	echo failed >"$RES/preflight"
fi
ip netns delete nfipsec-preflight 2>/dev/null

i=0
for t in "${TESTS[@]}"; do
	i=$((i + 1))
	id=$(printf '%02d-%s' "$i" "$(basename "$t" .sh)")
	echo "nfipsec-vm: === $id: $t"
	marker="nfipsec-selftest-begin-$id"
	echo "$marker" >/dev/kmsg
	start=$(date +%s.%N)
	# The test runs in a session of its own: whatever it leaves running
	# (even under a nested timeout) is killed when it ends.
	(cd "$REPO" && exec setsid timeout -k 10 "$TEST_TIMEOUT" "$t") \
		</dev/null >"$RES/$id.tap" 2>&1 &
	tpid=$!
	tail -n +1 -f --pid="$tpid" "$RES/$id.tap" &
	rc=0
	wait "$tpid" || rc=$?
	ps -e -o pid=,sid= | awk -v s="$tpid" '$2 == s { print $1 }' |
		xargs -r kill -9 2>/dev/null
	wait
	end=$(date +%s.%N)
	echo "$rc" >"$RES/$id.rc"
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }' \
		>"$RES/$id.seconds"
	dmesg | awk -v m="$marker" 'f; index($0, m) { f = 1 }' >"$RES/$id.dmesg"
	grep -E "$SPLAT" "$RES/$id.dmesg" >"$RES/$id.splat" || true
	ip -all netns delete 2>/dev/null
	echo "nfipsec-vm: === $id: exit $rc after $(cat "$RES/$id.seconds")s"
done
