#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel from Debian's linux-source-6.1: allnoconfig plus
# selftests/kernel/debug.config. Cached outside the work tree, keyed by the
# hash of the fragment and the source tarball, so a warm machine does not
# rebuild it. Prints the build directory (holding arch/x86/boot/bzImage and
# what out-of-tree modules build against) as its last line.
#
# usage: selftests/kernel/build.sh [--print-dir]
#   --print-dir  print the cache directory it would use and exit
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
FRAG=$HERE/debug.config
CACHE=${NFIPSEC_CACHE:-/var/cache/nfipsec}
TARBALL=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[[ -n $TARBALL ]] || { echo "build.sh: install linux-source-6.1" >&2; exit 1; }

key=$( (cat "$FRAG"; stat -c %s "$TARBALL") | sha256sum | cut -c1-16)
OUT=$CACHE/kernel-debug-$key
if [[ ${1:-} == --print-dir ]]; then
	echo "$OUT"
	exit 0
fi
if [[ -f $OUT/.done ]]; then
	echo "$OUT"
	exit 0
fi

SRC=$CACHE/linux-source-6.1
if [[ ! -f $SRC/.extracted ]]; then
	echo "build.sh: extracting $TARBALL" >&2
	mkdir -p "$CACHE"
	tar -C "$CACHE" -xf "$TARBALL"
	touch "$SRC/.extracted"
fi

mkdir -p "$OUT"
start=$(date +%s)
make -s -C "$SRC" O="$OUT" allnoconfig >&2
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$FRAG" >&2
make -s -C "$SRC" O="$OUT" olddefconfig >&2
# Every line of the fragment must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) sym=${line%%=*}
		grep -q "^$sym=" "$OUT/.config" && { echo "build.sh: $sym not off" >&2; missing=1; } ;;
	CONFIG_*) grep -qx "$line" "$OUT/.config" || { echo "build.sh: $line did not stick" >&2; missing=1; } ;;
	esac
done <"$FRAG"
((missing == 0)) || exit 1
make -C "$SRC" O="$OUT" -j"$(nproc)" bzImage modules >&2
make -s -C "$SRC" O="$OUT" modules_prepare >&2
echo "build.sh: built in $(( $(date +%s) - start ))s" >&2
touch "$OUT/.done"
echo "$OUT"
