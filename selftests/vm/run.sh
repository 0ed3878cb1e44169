#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a QEMU VM on the host's own root (read-only virtio-9p) and run
# selftests in it, one after another, each under its own timeout.
#
# usage: selftests/vm/run.sh [--kernel PATH] [--modules DIR] [--timeout S]
#                            [--total-timeout S] [--out DIR]
#                            [--panic-on-warn] TEST...
#   --kernel   kernel image (default: newest /boot/vmlinuz-*-amd64)
#   --modules  the kernel's modules tree, i.e. a lib/modules/<version>
#              directory (default: /lib/modules/<version of the kernel>)
#   --timeout  per-test timeout in seconds (default 900)
#   --total-timeout  hard limit for the whole VM run (default: tests x
#              timeout + 180)
#   --panic-on-warn  boot with panic_on_warn=1: the first WARN (or KASAN
#              report) ends the VM, and every test not run yet fails
#   --out      output directory (default selftests/out); keeps console.log
#              and results/ (TAP, exit status, dmesg delta of each test)
# Environment variables NFIPSEC_* are passed to the tests.
#
# Prints each test's TAP (live, from the VM console), one line per test and
# last "N passed, N failed" (N counts TAP test cases; a test that crashed,
# timed out, left a kernel splat, or exited non-zero without a failed case,
# adds a failed case).
# Exit status 0 only if nothing failed.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
VMDIR=$(dirname "$SELF")
REPO=$(cd "$VMDIR/../.." && pwd)

KERNEL= MODDIR= TIMEOUT=900 TOTAL= OUT=$REPO/selftests/out PANIC_ON_WARN=0
usage() { sed -n '/^# usage/,/^# Exit/s/^# \{0,1\}//p' "$SELF"; exit 2; }
while (($#)); do
	case $1 in
	--kernel) KERNEL=$2; shift 2;;
	--modules) MODDIR=$2; shift 2;;
	--timeout) TIMEOUT=$2; shift 2;;
	--total-timeout) TOTAL=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--panic-on-warn) PANIC_ON_WARN=1; shift;;
	-h|--help) usage;;
	--) shift; break;;
	-*) echo "run.sh: unknown option $1" >&2; usage;;
	*) break;;
	esac
done
(($#)) || usage
[[ $(id -u) -eq 0 ]] || { echo "run.sh: must run as root" >&2; exit 2; }

TESTS=()
for t in "$@"; do
	[[ $t = /* ]] || t=$(readlink -f "$t")
	[[ -x $t ]] || { echo "run.sh: $t: not an executable test" >&2; exit 2; }
	[[ $t = "$REPO"/* ]] || { echo "run.sh: $t is not in $REPO" >&2; exit 2; }
	TESTS+=("$t")
done
TOTAL=${TOTAL:-$((${#TESTS[@]} * TIMEOUT + 180))}

if [[ -z $KERNEL ]]; then
	KERNEL=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
	[[ -n $KERNEL ]] || { echo "run.sh: no /boot/vmlinuz-*-amd64" >&2; exit 2; }
fi
KERNEL=$(readlink -f "$KERNEL")
# The version string of a bzImage: header field kernel_version at 0x20e.
KVER=$(python3 - "$KERNEL" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(0x10000)
off = struct.unpack_from("<H", d, 0x20e)[0] + 0x200
print(d[off:off + 256].split(b"\0")[0].split()[0].decode())
PY
)
DEFAULT_MODDIR=$(readlink -f "/lib/modules/$KVER" || echo "/lib/modules/$KVER")
MODDIR=$(readlink -f "${MODDIR:-$DEFAULT_MODDIR}" || echo "$MODDIR")

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# ---- initramfs: busybox + the 9p/virtio modules that exist as modules ----
declare -A SEEN=()
ORDER=()
moddep() { # name -> "path: deps" line of modules.dep
	local n=${1//-/_}
	awk -v n="$n" -F: '{ b = $1; sub(".*/", "", b); sub("\\.ko.*", "", b);
		gsub("-", "_", b); if (b == n) { print; exit } }' \
		"$MODDIR/modules.dep" 2>/dev/null
}
addmod() { # path relative to MODDIR, dependencies first
	local p=$1 line d
	[[ -n ${SEEN[$p]:-} ]] && return 0
	SEEN[$p]=1
	line=$(awk -v p="$p" -F: '$1 == p { print $2; exit }' "$MODDIR/modules.dep")
	for d in $line; do addmod "$d"; done
	ORDER+=("$p")
}
for m in virtio_pci 9pnet_virtio 9p; do
	line=$(moddep "$m" || true)	# none: built in (debug kernel)
	[[ -n $line ]] && addmod "${line%%:*}"
done

BUSYBOX=$(command -v busybox || true)
[[ -x $BUSYBOX ]] || { echo "run.sh: busybox not found (busybox-static)" >&2; exit 2; }
hash=$({
	sha256sum "$VMDIR/init" "$BUSYBOX"
	echo "$KVER"
	for p in "${ORDER[@]}"; do sha256sum "$MODDIR/$p"; done
} | sha256sum | cut -c1-16)
CACHE=${XDG_CACHE_HOME:-/var/cache}/nfipsec
mkdir -p "$CACHE" 2>/dev/null && [[ -w $CACHE ]] || CACHE=$OUT
INITRD=$CACHE/initramfs-$hash.cpio.gz
if [[ ! -s $INITRD ]]; then
	stage=$(mktemp -d "$OUT/initramfs.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,newroot,modules}
	cp "$BUSYBOX" "$stage/bin/busybox"
	cp "$VMDIR/init" "$stage/init"
	chmod 755 "$stage/init"
	mknod -m 600 "$stage/dev/console" c 5 1
	for p in "${ORDER[@]}"; do
		b=$(basename "$p")
		case $b in
		*.ko) cp "$MODDIR/$p" "$stage/modules/$b";;
		*.ko.xz) xz -dc "$MODDIR/$p" >"$stage/modules/${b%.xz}";;
		*.ko.zst) zstd -qdc "$MODDIR/$p" >"$stage/modules/${b%.zst}";;
		*.ko.gz) gzip -dc "$MODDIR/$p" >"$stage/modules/${b%.gz}";;
		esac
		echo "${b%.ko*}.ko" >>"$stage/modules/order"
	done
	# a file of its own: another run.sh may build the same one meanwhile
	tmp=$(mktemp "$INITRD.XXXXXX")
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp"
	chmod 644 "$tmp"
	mv -f "$tmp" "$INITRD"
	rm -rf "$stage"
	echo "run.sh: built $INITRD (${#ORDER[@]} modules)"
fi

# ---- the job ----
RES=$OUT/results
rm -rf "$RES"
mkdir -p "$RES"
{
	printf 'TESTS=('
	printf '%q ' "${TESTS[@]}"
	printf ')\nTEST_TIMEOUT=%q\n' "$TIMEOUT"
	while IFS='=' read -r k _; do
		printf 'export %s=%q\n' "$k" "${!k}"
	done < <(env | grep -E '^NFIPSEC_[A-Za-z0-9_]*=' || true)
} >"$RES/job"

# ---- QEMU ----
# The accelerator: KVM only after a short boot proved it works (accel.sh).
read -r ACCEL_NAME WHY < <("$VMDIR/accel.sh" "$KERNEL" "$CACHE") || exit 2
[[ $ACCEL_NAME == kvm || $ACCEL_NAME == tcg ]] || exit 2
if [[ $ACCEL_NAME == kvm ]]; then
	ACCEL=(-enable-kvm -cpu host)
else
	ACCEL=(-accel tcg -cpu max)
fi
echo "run.sh: accelerator $ACCEL_NAME: $WHY"
APPEND="console=ttyS0 quiet loglevel=4 panic=-1 oops=panic log_buf_len=4M"
APPEND+=" nfipsec_repo=$REPO"
((PANIC_ON_WARN)) && APPEND+=" panic_on_warn=1"
FS=(
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
	-fsdev "local,id=repo,path=$REPO,security_model=none,readonly=on"
	-device "virtio-9p-pci,fsdev=repo,mount_tag=repo"
	-fsdev "local,id=results,path=$RES,security_model=none"
	-device "virtio-9p-pci,fsdev=results,mount_tag=results"
)
if [[ $MODDIR != "$DEFAULT_MODDIR" ]]; then
	APPEND+=" nfipsec_moddir=1"
	FS+=(-fsdev "local,id=modules,path=$MODDIR,security_model=none,readonly=on"
	     -device "virtio-9p-pci,fsdev=modules,mount_tag=modules")
fi
CONSOLE=$OUT/console.log
: >"$CONSOLE"
echo "run.sh: kernel $KERNEL ($KVER), ${ACCEL[*]}, ${#TESTS[@]} test(s), timeout ${TIMEOUT}s each, ${TOTAL}s total, panic_on_warn=$PANIC_ON_WARN"
t0=$(date +%s.%N)
timeout -k 10 "$TOTAL" qemu-system-x86_64 -no-user-config -nodefaults -no-reboot \
	-display none "${ACCEL[@]}" -smp 2 -m 2048 \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
	-chardev "file,id=con,path=$CONSOLE" -serial chardev:con \
	"${FS[@]}" </dev/null >"$OUT/qemu.log" 2>&1 &
qpid=$!
tail -n +1 -F --pid="$qpid" "$CONSOLE" 2>/dev/null &
tpid=$!
qrc=0
wait "$qpid" || qrc=$?
wait "$tpid" || true
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo
[[ -s $OUT/qemu.log ]] && sed 's/^/qemu: /' "$OUT/qemu.log"
if ((qrc == 124 || qrc == 137)); then
	echo "run.sh: VM killed after the total timeout of ${TOTAL}s"
fi

# ---- results ----
passed=0 failed=0
[[ -f $RES/boot-seconds ]] && echo "run.sh: VM boot to runner: $(cat "$RES/boot-seconds")s (guest clock)"
[[ $(cat "$RES/preflight" 2>/dev/null) == ok ]] ||
	echo "run.sh: WARNING: the VM preflight (module autoloading) failed"
i=0
for t in "${TESTS[@]}"; do
	i=$((i + 1))
	id=$(printf '%02d-%s' "$i" "$(basename "$t" .sh)")
	tap=$RES/$id.tap
	p=0 f=0 why=()
	if [[ -f $tap ]]; then
		p=$(grep -cE '^ok( |$)' "$tap" || true)
		f=$(grep -cE '^not ok( |$)' "$tap" || true)
		plan=$(sed -n 's/^1\.\.\([0-9]\+\).*/\1/p' "$tap" | tail -n 1)
		[[ -z $plan || $plan -eq $((p + f)) ]] || why+=("planned $plan, ran $((p + f))")
	fi
	rc=$(cat "$RES/$id.rc" 2>/dev/null || echo crashed)
	case $rc in
	0) ;;
	crashed) why+=("did not finish (VM crashed or was killed, see $CONSOLE)");;
	124|137) why+=("timed out after ${TIMEOUT}s");;
	*) ((f > 0)) || why+=("exit status $rc");;
	esac
	if [[ -s $RES/$id.splat ]]; then
		why+=("kernel splat in dmesg")
		echo "run.sh: $id: kernel log lines that fail the test:"
		sed 's/^/    /' "$RES/$id.splat"
	fi
	((${#why[@]} == 0)) || f=$((f + 1))
	passed=$((passed + p)) failed=$((failed + f))
	secs=$(cat "$RES/$id.seconds" 2>/dev/null || echo '?')
	status=PASS
	((f == 0)) || status=FAIL
	line="run.sh: $status $(basename "$t"): $p passed, $f failed, ${secs}s"
	((${#why[@]} == 0)) || line+=" ($(printf '%s; ' "${why[@]}" | sed 's/; $//'))"
	echo "$line"
done
if grep -qE 'Kernel panic|end Kernel panic' "$CONSOLE"; then
	echo "run.sh: kernel panic in the VM:"
	grep -E -B 40 'Kernel panic' "$CONSOLE" | sed 's/^/    /' | tail -n 60
fi
echo "run.sh: VM wall time ${wall}s"
echo "$passed passed, $failed failed"
((failed == 0))
