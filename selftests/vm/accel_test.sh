#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Offline tests of selftests/vm/accel.sh with a stand-in QEMU: a /dev/kvm
# that opens but cannot run a guest (QEMU aborts, or the guest hangs) must
# give TCG with the reason, a working one KVM, the verdict is cached, and
# NFIPSEC_ACCEL forces either. TAP on stdout.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/cache"
cat >"$T/bin/qemu-system-x86_64" <<'QEMU'
#!/bin/bash
[[ $1 == --version ]] && { echo "QEMU emulator version 0.0-fake"; exit 0; }
echo run >>"$FAKE_QEMU_CALLS"
for a in "$@"; do [[ $a == file:* ]] && serial=${a#file:}; done
case $FAKE_QEMU_MODE in
abort) echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
	kill -ABRT $$;;
hang) exec sleep 60;;
boot) echo "[    0.000000] Linux version 6.1.0-fake" >"$serial"
	echo "Kernel panic - not syncing: VFS: Unable to mount root fs" >>"$serial"
	exit 0;;
esac
QEMU
chmod +x "$T/bin/qemu-system-x86_64"
: >"$T/kvm"
export PATH=$T/bin:$PATH FAKE_QEMU_CALLS=$T/calls NFIPSEC_KVM_DEV=$T/kvm
export NFIPSEC_KVM_PROBE_TIMEOUT=2
unset NFIPSEC_ACCEL

n=0 fails=0
check() { # DESCRIPTION COMMAND...
	local d=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		fails=$((fails + 1))
	fi
}
accel() { # MODE [CACHE] -> output of accel.sh in $out, status in $rc
	rm -f "$T/calls"
	out=$(FAKE_QEMU_MODE=$1 "$HERE/accel.sh" /boot/fake-kernel "${2:-$T/cache-$1}" 2>"$T/err")
	rc=$?
}
calls() { [[ -f $T/calls ]] && wc -l <"$T/calls" || echo 0; }

echo "1..11"
accel abort
check "QEMU aborting under KVM (MSR 0x10a) gives tcg and says why: $out" \
	bash -c '[[ $0 == "tcg a probe guest did not boot under KVM (exit "*"failed to set MSR 0x10a"* ]]' "$out"
accel hang
check "a guest hanging under KVM gives tcg after the probe timeout: $out" \
	bash -c '[[ $0 == "tcg a probe guest did not boot under KVM in 2s" ]]' "$out"
accel boot
check "a guest that boots under KVM gives kvm: $out" \
	bash -c '[[ $0 == "kvm a probe guest booted under KVM" ]]' "$out"
accel boot
check "the verdict is cached: no second probe" \
	bash -c '[[ $0 == "kvm a probe guest booted under KVM (cached)" && $1 == 0 ]]' "$out" "$(calls)"
accel abort "$T/cache-abort"
check "a cached tcg verdict is kept too" \
	bash -c '[[ $0 == *"(cached)" && $0 == tcg* && $1 == 0 ]]' "$out" "$(calls)"
NFIPSEC_KVM_DEV=$T/nonexistent accel boot "$T/cache-nodev"
check "no /dev/kvm gives tcg without a probe: $out" \
	bash -c '[[ $0 == "tcg $2 is not usable" && $1 == 0 ]]' "$out" "$(calls)" "$T/nonexistent"
NFIPSEC_ACCEL=tcg accel boot "$T/cache-forced"
check "NFIPSEC_ACCEL=tcg forces tcg without a probe" \
	bash -c '[[ $0 == "tcg NFIPSEC_ACCEL=tcg" && $1 == 0 ]]' "$out" "$(calls)"
NFIPSEC_ACCEL=kvm accel abort "$T/cache-forced"
check "NFIPSEC_ACCEL=kvm forces kvm without a probe" \
	bash -c '[[ $0 == "kvm NFIPSEC_ACCEL=kvm" && $1 == 0 ]]' "$out" "$(calls)"
NFIPSEC_ACCEL=xen accel boot "$T/cache-forced"
check "NFIPSEC_ACCEL=xen is refused, naming the value" \
	bash -c '[[ $0 == 2 ]] && grep -q "NFIPSEC_ACCEL=xen: must be kvm or tcg" "$1"' "$rc" "$T/err"
check "the probe leaves no files behind" \
	bash -c '! ls "$0"/cache-*/kvm-probe.* >/dev/null 2>&1' "$T"
check "run.sh takes its accelerator from accel.sh" \
	grep -q '"$VMDIR/accel.sh" "$KERNEL"' "$HERE/run.sh"
echo "# accel: $n tests, $fails failed"
((fails == 0))
