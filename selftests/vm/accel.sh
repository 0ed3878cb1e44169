#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Choose QEMU's accelerator for booting KERNEL: prints "kvm REASON" or
# "tcg REASON". KVM is chosen only once a short boot has proved it works:
# a /dev/kvm that opens may still be unable to run a guest (nested
# virtualisation without hardware support: QEMU aborts setting an MSR, or
# the guest hangs in the decompressor). The probe boots KERNEL with no
# root file system under KVM; KVM works if the kernel got as far as
# printing its banner. The verdict is cached in CACHEDIR per boot of the
# host, kernel and QEMU version. NFIPSEC_ACCEL=kvm|tcg forces one.
#
# usage: selftests/vm/accel.sh KERNEL CACHEDIR
set -euo pipefail
(($# == 2)) || { echo "usage: accel.sh KERNEL CACHEDIR" >&2; exit 2; }
KERNEL=$1 CACHE=$2
KVM_DEV=${NFIPSEC_KVM_DEV:-/dev/kvm}
PROBE_TIMEOUT=${NFIPSEC_KVM_PROBE_TIMEOUT:-20}

probe() { # -> 0 if a guest boots under KVM; sets WHY
	local log rc=0
	if [[ ! -r $KVM_DEV || ! -w $KVM_DEV ]]; then
		WHY="$KVM_DEV is not usable"
		return 1
	fi
	log=$(mktemp "$CACHE/kvm-probe.XXXXXX")
	# In a subshell: bash's own "Aborted" notice goes to the log too.
	(timeout -k 2 "$PROBE_TIMEOUT" qemu-system-x86_64 -no-user-config \
		-nodefaults -no-reboot -display none -enable-kvm -cpu host \
		-smp 1 -m 256 -kernel "$KERNEL" \
		-append "console=ttyS0 panic=-1 root=/dev/nonexistent" \
		-serial "file:$log" </dev/null) >"$log.qemu" 2>&1 || rc=$?
	if grep -q 'Linux version' "$log"; then
		WHY="a probe guest booted under KVM"
	elif ((rc == 124 || rc == 137)); then
		WHY="a probe guest did not boot under KVM in ${PROBE_TIMEOUT}s"
	else
		WHY="a probe guest did not boot under KVM (exit $rc: $(
			grep -m 1 . "$log.qemu" | cut -c1-100))"
	fi
	rm -f "$log" "$log.qemu"
	[[ $WHY == "a probe guest booted under KVM" ]]
}

case ${NFIPSEC_ACCEL:-} in
kvm|tcg) echo "$NFIPSEC_ACCEL NFIPSEC_ACCEL=$NFIPSEC_ACCEL"; exit 0;;
'') ;;
*) echo "accel.sh: NFIPSEC_ACCEL=$NFIPSEC_ACCEL: must be kvm or tcg" >&2; exit 2;;
esac
mkdir -p "$CACHE"
boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
key=$(echo "$boot_id $(readlink -f "$KERNEL") $KVM_DEV $(qemu-system-x86_64 --version | head -n 1)" |
	sha256sum | cut -c1-16)
verdict=$CACHE/accel-$key
if [[ -s $verdict ]]; then
	echo "$(cat "$verdict") (cached)"
	exit 0
fi
if probe; then name=kvm; else name=tcg; fi
echo "$name $WHY" >"$verdict"
echo "$name $WHY"
