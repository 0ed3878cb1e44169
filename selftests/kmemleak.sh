#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak bracket for the debug kernel's suite: listed first, it clears
# what boot left (kernel objects that are not ours to judge); listed last,
# it scans and fails on any unreferenced object the tests left behind.
# On a kernel without kmemleak it skips.
. "$(dirname "$0")/lib.sh"

KML=/sys/kernel/debug/kmemleak
MARK=/run/nfipsec-kmemleak-cleared
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

if [[ ! -w $KML ]]; then
	skip "kmemleak" "this kernel has no kmemleak"
	tap_done
	exit
fi
if [[ ! -e $MARK ]]; then
	diag "kernel: $(uname -r), panic_on_warn=$(cat /proc/sys/kernel/panic_on_warn)"
	echo scan >"$KML"
	echo clear >"$KML"
	touch "$MARK"
	ok "kmemleak: boot objects cleared, leaks are counted from here"
	tap_done
	exit
fi
# Two scans: an object must look unreferenced twice to be reported.
echo scan >"$KML"
sleep 6
echo scan >"$KML"
report=$(cat "$KML")
n=$(grep -c '^unreferenced object' <<<"$report" || true)
diag "kmemleak: $n leaks found"
if ((n == 0)); then
	ok "kmemleak: no leak after the suite"
else
	not_ok "kmemleak: $n unreferenced objects after the suite"
	diag "$report"
fi
tap_done
