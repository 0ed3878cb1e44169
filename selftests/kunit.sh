#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites of the module's units (module/nfipsec_kunit.ko, built
# only against a kernel with CONFIG_KUNIT). insmod runs every suite; each
# KUnit case (each parameter of a parameterised case) becomes one TAP line
# here, read from /sys/kernel/debug/kunit/<suite>/results. Then the kernel
# log of the run is checked for splats and, with kmemleak, for leaks.
# On a kernel without KUnit (Debian's stock kernel) the test is skipped.
#
# Environment: NFIPSEC_KUNIT_KO  the module (default module/nfipsec_kunit.ko)
#              NFIPSEC_KUNIT_KMEMLEAK=0  skip the kmemleak scans (two scans
#              take some 150 s on an emulated CPU with KASAN)
set -u
# shellcheck source=selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KO=${NFIPSEC_KUNIT_KO:-$REPO/module/nfipsec_kunit.ko}
SUITES=(nfipsec_replay nfipsec_esn nfipsec_spd nfipsec_sad
	nfipsec_esp_trailer nfipsec_alg nfipsec_sa_crypto nfipsec_txorder)
DBG=/sys/kernel/debug
SPLAT='BUG:|WARNING:|KASAN|Oops|possible recursive locking|lockdep|suspicious RCU|kmemleak|Call Trace:|ODEBUG'

mountpoint -q "$DBG" 2>/dev/null || mount -t debugfs debugfs "$DBG" 2>/dev/null
if [[ ! -d $DBG/kunit ]] && ! grep -qw __kunit_test_suites_init /proc/kallsyms; then
	skip kunit "stock kernel has no KUnit"
	tap_done
	exit
fi
[[ -f $KO ]] || bail_out "$KO not built (make -C <kernel build dir> M=$REPO modules)"
[[ -d $DBG/kunit ]] || bail_out "KUnit has no debugfs results (CONFIG_KUNIT_DEBUGFS)"

unload_kunit() { [[ ! -d /sys/module/nfipsec_kunit ]] || rmmod nfipsec_kunit; }
on_exit unload_kunit
unload_kunit

kmemleak=
[[ ! -w $DBG/kmemleak || ${NFIPSEC_KUNIT_KMEMLEAK:-1} == 0 ]] ||
	kmemleak=$DBG/kmemleak

# ktap_cases SUITE FILE: "ok|not ok|skip <TAB> name <TAB> directive" per
# KUnit case, "diag <TAB> text" for the log lines of failed cases, from the
# suite's KTAP. Lines: <4 spaces>1..N, <4>ok I case, ok I suite; results of
# parameters (<8>ok I param) only go into the log: 6.1 keeps only the last.
# "missing <TAB> n" when fewer cases reported than planned (a case log is
# 512 bytes: when full, the case's own result line is lost).
ktap_cases() {
	awk -v suite="$1" '
	function emit(st, name, dir) { printf "%s\t%s\t%s\n", st, name, dir }
	function result(line, indent,   rest) {
		rest = substr(line, indent + 1)
		RES_ST = rest ~ /^not ok / ? "not ok" : "ok"
		sub(/^(not )?ok [0-9]+ ?/, "", rest)
		RES_NAME = rest; RES_DIR = ""
		if (match(rest, / # SKIP/)) {
			RES_NAME = substr(rest, 1, RSTART - 1)
			RES_DIR = substr(rest, RSTART + 7)
			sub(/^ +/, "", RES_DIR)
			RES_ST = "skip"
		}
	}
	/^    1\.\.[0-9]+$/ { planned = substr($0, 8) + 0; next }
	/^    (not )?ok [0-9]+/ {
		result($0, 4)
		cases++
		emit(RES_ST, suite "." RES_NAME, RES_DIR)
		if (RES_ST == "not ok")
			for (i = 1; i <= nlog; i++)
				emit("diag", lines[i], "")
		nlog = 0
		next
	}
	/^(not )?ok [0-9]+/ { result($0, 0); suite_st = RES_ST; next }
	/^ *KTAP version|^ *# Subtest:|^ *1\.\.[0-9]+$/ { next }
	{ lines[++nlog] = $0 }
	END {
		if (planned != cases)
			emit("missing", planned - cases, "")
		if (suite_st == "not ok")
			emit("suite_failed", suite, "")
		if (suite_st == "")
			emit("missing", "suite", "")
	}' "$2"
}

# dmesg_ktap SUITE: the suite's KTAP as printed to the kernel log.
dmesg_ktap() {
	dmesg | sed -n "/nfipsec-kunit-begin $$/,\$p" | sed 's/^\[[^]]*\] \{0,1\}//' |
		awk -v suite="$1" '
		$0 ~ "^    # Subtest: " suite "$" { on = 1 }
		on { print }
		on && $0 ~ "^(not )?ok [0-9]+ " suite "$" { exit }'
}

# report SUITE FILE: the TAP lines of one suite; status 1 if its KTAP lost
# case results (the caller then tries the kernel log).
report() {
	local st name dir l failed=0 suite_failed=0 lines=()

	while IFS=$'\t' read -r st name dir; do
		[[ $st == missing ]] && return 1
		lines+=("$st"$'\t'"$name"$'\t'"$dir")
	done < <(ktap_cases "$1" "$2")
	for l in "${lines[@]}"; do
		IFS=$'\t' read -r st name dir <<<"$l"
		case $st in
		ok) ok "$name"; ran=$((ran + 1));;
		skip) skip "$name" "$dir"; ran=$((ran + 1));;
		"not ok") not_ok "$name"; ran=$((ran + 1)) failed=1;;
		diag) diag "$name";;
		suite_failed) suite_failed=1;;
		esac
	done
	# the suite failed without a failed case: its init, say
	if ((suite_failed && !failed)); then
		not_ok "$1: the suite failed"
		diag "$(sed 's/^/    /' "$2")"
	fi
	# kunit_info lines (numbers, timings)
	grep -E '^    # [a-z_]+: [^E]' "$2" | grep -v 'pass:[0-9]' |
		sed 's/^ *# //' | while IFS= read -r l; do diag "$1: $l"; done
	return 0
}

echo "nfipsec-kunit-begin $$" >/dev/kmsg
start=$SECONDS
t0=$(date +%s.%N)
out=$(insmod "$KO" 2>&1)
rc=$?
t1=$(date +%s.%N)
diag "insmod $KO: exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
[[ -z $out ]] || diag "$out"

ran=0
tmp=$(mktemp /tmp/nfipsec-kunit.XXXXXX)
on_exit "rm -f $tmp"
for s in "${SUITES[@]}"; do
	f=$DBG/kunit/$s/results
	if [[ ! -r $f ]]; then
		not_ok "$s: no results in $f"
		continue
	fi
	report "$s" "$f" && continue
	diag "$s: results in debugfs incomplete, reading the kernel log"
	dmesg_ktap "$s" >"$tmp"
	report "$s" "$tmp" || not_ok "$s: results incomplete in the kernel log too"
done

unload_kunit
if ((ran == 0)); then
	not_ok "kunit: no KUnit case ran"
fi

# The kernel log of the run: no KASAN, lockdep, RCU or object debugging
# report while the suites ran.
splat=$(dmesg | sed -n "/nfipsec-kunit-begin $$/,\$p" | grep -E "$SPLAT" || true)
if [[ -z $splat ]]; then
	ok "kunit: no kernel splat while the suites ran"
else
	not_ok "kunit: kernel splat while the suites ran"
	diag "$(dmesg | sed -n "/nfipsec-kunit-begin $$/,\$p" | grep -E -A 30 "$SPLAT" | head -n 80)"
fi

# kmemleak reports objects unreferenced for 5 seconds, after two scans
# (the first one only records their checksums). Only objects allocated
# since insmod count: those younger than the time since then.
if [[ -n $kmemleak ]]; then
	sleep 6
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	since=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	leaks=$(awk -v since="$since" '
		/^unreferenced object/ { keep = 0 }
		/^  comm .*\(age [0-9.]+s\)/ {
			age = $0; sub(/.*\(age /, "", age); sub(/s\).*/, "", age)
			keep = age + 0 <= since + 0
			if (keep) print prev
		}
		keep { print }
		{ prev = $0 }' "$kmemleak")
	if [[ -z $leaks ]]; then
		ok "kunit: kmemleak reports nothing allocated by the suites"
	else
		not_ok "kunit: kmemleak reports $(grep -c '^unreferenced object' <<<"$leaks") objects allocated by the suites"
		diag "$(head -n 60 <<<"$leaks")"
	fi
	diag "kmemleak scans done after $((SECONDS - start))s"
else
	skip "kunit: kmemleak" "no $DBG/kmemleak, or NFIPSEC_KUNIT_KMEMLEAK=0"
fi

tap_done
