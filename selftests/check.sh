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

echo "check.sh: === harness offline tests: selftests/vm/accel_test.sh"
rc=0
./selftests/vm/accel_test.sh 2>&1 | tee "$OUT/accel-test.log" || rc=$?
p=$(grep -cE '^ok( |$)' "$OUT/accel-test.log" || true)
f=$(grep -cE '^not ok( |$)' "$OUT/accel-test.log" || true)
((rc == 0 || f > 0)) || f=1
count "harness offline" "$p" "$f"

# One VM run of selftests/vm/run.sh, counted as one stage of the total.
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
read_tests() { # FILE: the scripts it lists, as paths from the top
	local t
	while read -r t _; do
		[[ -z $t || $t == \#* ]] || echo "selftests/$t"
	done <"$1"
}
mapfile -t TESTS < <(read_tests selftests/TESTS)
echo "check.sh: === VM selftests, stock kernel: ${TESTS[*]}"
# Measured: 583 s idle, some 1400 s on a loaded machine; a hung kernel
# must not take the debug stage's time as well.
vm_stage "VM selftests, stock kernel" "$OUT/vm.log" --out "$OUT" \
	--total-timeout "${NFIPSEC_STOCK_TIMEOUT:-2400}" "$@" "${TESTS[@]}"

# The same suite on the debug kernel (KASAN, kmemleak, lockdep, KUnit),
# bracketed by kmemleak.sh. CI gives 90 minutes: the stage starts only if
# it can finish by DEADLINE. Measured on this 2-core machine: the whole
# suite took 2389 s there (DEBUG_NEED leaves a margin), the reduced list
# 873 s on a loaded machine, the cold kernel build 750 s idle and 2352 s
# loaded (BUILD_NEED). Short of time it runs selftests/TESTS-debug, the
# reduced list, and says what it left out; with less still it does not
# run at all, and says so: a stage not run is reported, never counted as
# passed. NFIPSEC_DEBUG=0 skips it.
DEADLINE=${NFIPSEC_DEADLINE:-5100}
DEBUG_NEED=${NFIPSEC_DEBUG_NEED:-2700}
REDUCED_NEED=${NFIPSEC_REDUCED_NEED:-1200}
BUILD_NEED=${NFIPSEC_BUILD_NEED:-2400}
DEBUG_INTEROP='transport gcm128-icv128|tunnel gcm256-icv64|transport cbc256-sha512|tunnel cbc128-sha384'
not_run=()
debug_stage() {
	local kd db left list=full
	local -a tests

	if ! kd=$(./selftests/kernel/build.sh --print-dir); then
		count "debug kernel and module build" 0 1
		return
	fi
	if [[ ! -f $kd/.done ]] &&
	   ((SECONDS + BUILD_NEED + REDUCED_NEED > DEADLINE)); then
		not_run+=("debug kernel stage: the kernel is not built and ${SECONDS}s of CI's time are gone")
		return
	fi
	echo "check.sh: === debug kernel: selftests/kernel/build.sh"
	if ! kd=$(./selftests/kernel/build.sh | tail -n 1) || [[ ! -d $kd ]]; then
		count "debug kernel and module build" 0 1
		return
	fi
	db=$PWD/$OUT/debug-build
	rm -rf "$db"
	mkdir -p "$db/module"
	cp Kbuild "$db/"
	cp -r uapi "$db/"
	cp module/Kbuild module/*.c module/*.h "$db/module/"
	if ! make -C "$kd" M="$db" modules; then
		count "debug kernel and module build" 0 1
		return
	fi
	count "debug kernel and module build" 1 0

	left=$((DEADLINE - SECONDS))
	if ((left >= DEBUG_NEED)); then
		mapfile -t tests < <(read_tests selftests/TESTS)
	elif ((left >= REDUCED_NEED)); then
		list=reduced
		mapfile -t tests < <(read_tests selftests/TESTS-debug)
		local -x NFIPSEC_INTEROP_CASES=$DEBUG_INTEROP
		not_run+=("debug kernel, only ${left}s left: the reduced list ran; not run there: $(
			comm -23 <(read_tests selftests/TESTS | sort) <(printf '%s\n' "${tests[@]}" | sort) |
			xargs -r -n1 basename | xargs); interop.sh only on '$DEBUG_INTEROP'")
	else
		not_run+=("debug kernel stage: only ${left}s of CI's time left")
		return
	fi
	echo "check.sh: === VM selftests, debug kernel ($list): ${tests[*]}"
	# kmemleak.sh brackets the run: kunit.sh need not scan too.
	local -x NFIPSEC_KUNIT_KMEMLEAK=0 NFIPSEC_KO=$db/module/nfipsec.ko \
		NFIPSEC_KUNIT_KO=$db/module/nfipsec_kunit.ko
	vm_stage "VM selftests, debug kernel" "$OUT/vm-debug.log" \
		--kernel "$kd/arch/x86/boot/bzImage" \
		--total-timeout $((left - 120)) --panic-on-warn \
		--out "$OUT/debug" "$@" selftests/kmemleak.sh \
		"${tests[@]}" selftests/kmemleak.sh
}
if [[ ${NFIPSEC_DEBUG:-1} == 1 ]]; then
	debug_stage "$@"
else
	not_run+=("debug kernel stage: NFIPSEC_DEBUG=0")
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
for n in "${not_run[@]}"; do
	echo "check.sh: NOT RUN: $n"
done
echo "$passed passed, $failed failed"
((failed == 0))
