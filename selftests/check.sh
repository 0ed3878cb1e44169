#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test suite: install the dependencies, build (make), run the
# ipsecctl offline tests (make -C tools/ipsecctl check, when that target
# exists), then every VM selftest listed in selftests/TESTS in one QEMU VM.
# The last line is "N passed, N failed" over all of it; exit status 0 only
# if nothing failed. Options are passed to selftests/vm/run.sh.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
OUT=selftests/out
mkdir -p "$OUT"
rm -f "$OUT/vm.log" "$OUT/vm-debug.log"

./scripts/install-deps.sh

passed=0 failed=0
summary=()
count() { # STAGE PASSED FAILED
	passed=$((passed + $2)) failed=$((failed + $3))
	summary+=("check.sh: $1: $2 passed, $3 failed")
}

echo "check.sh: === build: make"
if make; then
	count build 1 0
else
	echo "check.sh: make failed"
	count build 0 1
fi

if make -C tools/ipsecctl -n check >/dev/null 2>&1; then
	echo "check.sh: === ipsecctl offline tests: make -C tools/ipsecctl check"
	rc=0
	make -C tools/ipsecctl check 2>&1 | tee "$OUT/ipsecctl-check.log" || rc=$?
	p=$(grep -cE '^ok( |$)' "$OUT/ipsecctl-check.log" || true)
	f=$(grep -cE '^not ok( |$)' "$OUT/ipsecctl-check.log" || true)
	if ((p + f == 0)); then
		# No TAP: the target is one case.
		((rc == 0)) && p=1 || f=1
	elif ((rc != 0)); then
		f=$((f + 1))
	fi
	count "ipsecctl offline" "$p" "$f"
else
	echo "check.sh: no 'check' target in tools/ipsecctl, no offline tests"
fi

TESTS=()
while read -r t _; do
	[[ -z $t || $t == \#* ]] && continue
	TESTS+=("selftests/$t")
done <selftests/TESTS
echo "check.sh: === VM selftests: ${TESTS[*]}"
rc=0
./selftests/vm/run.sh --out "$OUT" "$@" "${TESTS[@]}" | tee "$OUT/vm.log" || rc=$?
last=$(tail -n 1 "$OUT/vm.log")
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	((rc == 0 || f > 0)) || f=1
	count "VM selftests" "$p" "$f"
else
	echo "check.sh: selftests/vm/run.sh did not report a result (exit $rc)"
	count "VM selftests" 0 1
fi

# The suite on the debug kernel (KASAN, kmemleak, lockdep, KUnit): the
# tests in selftests/TESTS-debug, bracketed by kmemleak.sh;
# NFIPSEC_DEBUG=0 skips it.
vm_stage() { # NAME LOG run.sh-arguments...
	local name=$1 log=$2 rc=0 last
	shift 2
	./selftests/vm/run.sh "$@" | tee "$log" || rc=$?
	last=$(tail -n 1 "$log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
		((rc == 0 || f > 0)) || f=1
		count "$name" "$p" "$f"
	else
		echo "check.sh: $name did not report a result (exit $rc)"
		count "$name" 0 1
	fi
}
DTESTS=()
while read -r t _; do
	[[ -z $t || $t == \#* ]] && continue
	DTESTS+=("selftests/$t")
done <selftests/TESTS-debug
DEBUG_INTEROP='transport gcm128-icv128|tunnel gcm256-icv64|transport cbc256-sha512|tunnel cbc128-sha384'
# CI has 90 minutes: a debug stage that cannot finish is not started, and
# says so (counted as skipped, never as passed).
BUDGET=${NFIPSEC_DEBUG_START_BY:-3000}
skipped=0
if [[ ${NFIPSEC_DEBUG:-1} == 1 ]] && ((SECONDS > BUDGET)); then
	echo "check.sh: debug kernel stage NOT RUN: ${SECONDS}s used, start limit ${BUDGET}s"
	summary+=("check.sh: VM selftests, debug kernel: not run (time budget)")
	skipped=1
elif [[ ${NFIPSEC_DEBUG:-1} == 1 ]]; then
	echo "check.sh: === debug kernel: selftests/kernel/build.sh"
	if KD=$(./selftests/kernel/build.sh | tail -n 1) && [[ -d $KD ]]; then
		DB=$PWD/$OUT/debug-build
		rm -rf "$DB"
		mkdir -p "$DB/module"
		cp Kbuild "$DB/"
		cp -r uapi "$DB/"
		cp module/Kbuild module/*.c module/*.h "$DB/module/"
		left=$((5100 - SECONDS))
		if ((left < 1200)); then
			echo "check.sh: debug kernel stage NOT RUN: only ${left}s left of CI's 90 minutes"
			summary+=("check.sh: VM selftests, debug kernel: not run (time budget)")
			skipped=1
		elif make -C "$KD" M="$DB" modules; then
			count "debug kernel and module build" 1 0
			# kmemleak.sh brackets the run: kunit.sh need not scan
			# too. KASAN and lockdep slow TCG down a few times: the
			# interop matrix runs four cases there (the stock run
			# has them all).
			NFIPSEC_KUNIT_KMEMLEAK=0 \
			NFIPSEC_INTEROP_CASES=${NFIPSEC_INTEROP_CASES:-$DEBUG_INTEROP} \
			NFIPSEC_KO=$DB/module/nfipsec.ko \
			NFIPSEC_KUNIT_KO=$DB/module/nfipsec_kunit.ko \
			vm_stage "VM selftests, debug kernel" "$OUT/vm-debug.log" \
				--kernel "$KD/arch/x86/boot/bzImage" \
				--total-timeout $((left - 300)) \
				--out "$OUT/debug" "$@" selftests/kmemleak.sh \
				"${DTESTS[@]}" selftests/kmemleak.sh
		else
			count "debug kernel and module build" 0 1
		fi
	else
		count "debug kernel and module build" 0 1
	fi
fi

# The figures the tests print (malformed packets, fuzzed requests, churn,
# leaks) and the kernel splats the harness found, from both kernels.
echo "check.sh: === figures"
for log in "$OUT/vm.log" "$OUT/vm-debug.log"; do
	[[ -f $log ]] || continue
	echo "check.sh: $(basename "$log" .log):"
	grep -E '^# (hostile|netlink|churn|kmemleak): ' "$log" | sed 's/^# /    /' || true
	echo "    splats: $(grep -c 'kernel splat in dmesg' "$log" || true) (must be 0)"
done

printf '%s\n' "${summary[@]}"
if ((skipped)); then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
((failed == 0))
