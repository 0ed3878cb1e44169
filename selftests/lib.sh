# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers sourced by every nfipsec selftest: TAP output, network namespaces
# that are deleted on exit, loading the module, and "xf", which configures
# either side of an IPsec pair with the same `ip xfrm` grammar.
#
# Environment:
#   NFIPSEC_SIDE=xfrm   the "nfipsec" side uses `ip xfrm` too (validates the
#                       tests without the module); default: nfipsec
#   NFIPSEC_VERBOSE=1   print every namespace command (demo mode sets it)
#   NFIPSEC_DEMO=1      tests print what a human wants to see
#   NFIPSEC_TIMEOUT_SCALE=N  multiply the time limits of transfers by N
#                       (the debug kernel, KASAN on one CPU, runs TCP some
#                       ten times slower than the stock one)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IPSECCTL=${IPSECCTL:-$REPO/tools/ipsecctl/ipsecctl}
NFIPSEC_KO=${NFIPSEC_KO:-$REPO/module/nfipsec.ko}
NFIPSEC_SIDE=${NFIPSEC_SIDE:-nfipsec}
NFIPSEC_DEMO=${NFIPSEC_DEMO:-0}
NFIPSEC_VERBOSE=${NFIPSEC_VERBOSE:-$NFIPSEC_DEMO}
NFIPSEC_TIMEOUT_SCALE=${NFIPSEC_TIMEOUT_SCALE:-1}
[[ $NFIPSEC_TIMEOUT_SCALE =~ ^[1-9][0-9]*$ ]] || {
	echo "Bail out! NFIPSEC_TIMEOUT_SCALE=$NFIPSEC_TIMEOUT_SCALE: not a whole number from 1" >&2
	exit 1
}

# tmo SECONDS: a transfer's time limit, scaled by NFIPSEC_TIMEOUT_SCALE
tmo() { echo $(($1 * NFIPSEC_TIMEOUT_SCALE)); }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# fd 3: the test's real stdout, also from inside $(...) captures.
exec 3>&1

# ---------------------------------------------------------------- TAP ---
_tap_n=0
_tap_fail=0
_tap_plan=
echo "TAP version 13"

tap_plan() { _tap_plan=$1; echo "1..$1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /' >&3; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*" >&3; }
not_ok() {
	_tap_n=$((_tap_n + 1)) _tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n - $*" >&3
}
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP ${2:-}" >&3; }
bail_out() { echo "Bail out! $*" >&3; exit 1; }

# check "description" cmd...: one test case; passes when cmd succeeds.
# Never aborts the script; on failure prints the command and its output.
check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		ok "$desc"
		[[ $NFIPSEC_VERBOSE != 1 || -z $out ]] || diag "$out"
	else
		not_ok "$desc"
		diag "command: $*" "exit status: $rc"
		[[ -z $out ]] || diag "$out"
	fi
	return 0
}
# check_fails "description" cmd...: passes when cmd fails.
check_fails() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc != 0)); then
		ok "$desc"
		[[ $NFIPSEC_VERBOSE != 1 || -z $out ]] || diag "$out"
	else
		not_ok "$desc"
		diag "command unexpectedly succeeded: $*"
		[[ -z $out ]] || diag "$out"
	fi
	return 0
}

# tap_done: print the plan if none was given; the exit status says whether
# every case passed. Use as the last line of a test: tap_done
tap_done() {
	if [[ -z $_tap_plan ]]; then
		echo "1..$_tap_n"
	elif ((_tap_plan != _tap_n)); then
		diag "planned $_tap_plan cases, ran $_tap_n"
		exit 1
	fi
	diag "$((_tap_n - _tap_fail)) passed, $_tap_fail failed"
	((_tap_fail == 0))
}

# ---------------------------------------------------------- namespaces ---
_NS_LIST=()
_CLEANUP_HOOKS=()
_NFIPSEC_LOADED=0

pretty() { # NS "command"
	[[ $NFIPSEC_VERBOSE == 1 ]] || return 0
	printf '# [%s] %s\n' "$1" "$2" >&3
}

# ns_add NAME...: create namespaces with lo up; deleted at exit.
ns_add() {
	local ns
	for ns in "$@"; do
		pretty host "ip netns add $ns"
		ip netns add "$ns"
		_NS_LIST+=("$ns")
		ip -n "$ns" link set lo up
	done
}

# nsx NS cmd...: run cmd in namespace NS (printed in verbose mode).
nsx() {
	local ns=$1
	shift
	pretty "$ns" "$*"
	ip netns exec "$ns" "$@"
}

# ns_link NS1 DEV1 ADDR1 NS2 DEV2 ADDR2: a veth pair DEV1 (in NS1) -
# DEV2 (in NS2), addressed (ADDR with its prefix length) and up.
ns_link() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" &&
	nsx "$1" ip addr add "$3" dev "$2" &&
	nsx "$4" ip addr add "$6" dev "$5" &&
	nsx "$1" ip link set "$2" up &&
	nsx "$4" ip link set "$5" up
}

# ns_inner NS ADDR [PEER VIA]: dummy0 up with ADDR/32, the inner address
# of tunnel tests; with PEER and VIA, a route from ADDR to PEER/32 via VIA.
ns_inner() {
	nsx "$1" ip link add dummy0 type dummy &&
	nsx "$1" ip link set dummy0 up &&
	nsx "$1" ip addr add "$2/32" dev dummy0 || return
	[[ -z ${3:-} ]] || nsx "$1" ip route add "$3/32" via "$4" src "$2"
}

# two_sites A B: namespaces A and B joined by veth va (10.0.0.1/24) - vb
# (10.0.0.2/24); A's inner address 10.1.0.1 and B's 10.2.0.2, each routed
# to the other through the link.
two_sites() {
	ns_add "$1" "$2"
	ns_link "$1" va 10.0.0.1/24 "$2" vb 10.0.0.2/24 &&
	ns_inner "$1" 10.1.0.1 10.2.0.2 10.0.0.2 &&
	ns_inner "$2" 10.2.0.2 10.1.0.1 10.0.0.1
}

# nfipsec_xfrm_transport C D WINDOW: namespaces C (nfipsec, ipsecctl) and
# D (XFRM, ip xfrm), made by ns_add, joined by veth vc (10.0.9.1/24) - vd
# (10.0.9.2/24), protecting all their traffic with a pair of transport
# mode AES-GCM SAs (SPIs 0x9101 and 0x9102, random keys, replay window
# WINDOW). Runs in check's subshell: it adds no namespace itself.
nfipsec_xfrm_transport() {
	local c=$1 d=$2 w=$3 k1 k2 gcm='rfc4106(gcm(aes))'
	local a=10.0.9.1 b=10.0.9.2
	ns_link "$c" vc $a/24 "$d" vd $b/24 || return
	k1=$(randhex 20) k2=$(randhex 20)
	nsx "$c" "$IPSECCTL" sa add src $a dst $b proto esp spi 0x9101 \
		mode transport replay-window "$w" aead "$gcm" "$k1" 128 &&
	nsx "$c" "$IPSECCTL" sa add src $b dst $a proto esp spi 0x9102 \
		mode transport replay-window "$w" aead "$gcm" "$k2" 128 &&
	nsx "$c" "$IPSECCTL" policy add src $a dst $b dir out \
		tmpl src $a dst $b proto esp mode transport &&
	nsx "$c" "$IPSECCTL" policy add src $b dst $a dir in \
		tmpl src $b dst $a proto esp mode transport &&
	nsx "$d" ip xfrm state add src $a dst $b proto esp spi 0x9101 \
		mode transport replay-window "$w" aead "$gcm" "$k1" 128 &&
	nsx "$d" ip xfrm state add src $b dst $a proto esp spi 0x9102 \
		mode transport replay-window "$w" aead "$gcm" "$k2" 128 &&
	nsx "$d" ip xfrm policy add src $b dst $a dir out \
		tmpl src $b dst $a proto esp mode transport &&
	nsx "$d" ip xfrm policy add src $a dst $b dir in \
		tmpl src $a dst $b proto esp mode transport
}

# on_exit "command": run at cleanup, before the namespaces are deleted.
on_exit() { _CLEANUP_HOOKS+=("$1"); }

cleanup() {
	local rc=$? h ns
	set +e
	for h in "${_CLEANUP_HOOKS[@]}"; do eval "$h" >/dev/null 2>&1; done
	for ns in "${_NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	((_NFIPSEC_LOADED == 0)) || unload_nfipsec
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------- modules ---
# load_nfipsec: the module's dependencies, esp4/xfrm_user for the XFRM
# peer, then module/nfipsec.ko. With NFIPSEC_SIDE=xfrm only the latter two.
# kmod NAME: load a module unless this kernel has no module tree (the debug
# kernel builds everything in).
kmod() {
	[[ -d /lib/modules/$(uname -r) ]] || return 0
	modprobe "$1"
}

load_nfipsec() {
	local d
	kmod esp4
	kmod xfrm_user
	[[ $NFIPSEC_SIDE == nfipsec ]] || return 0
	[[ -f $NFIPSEC_KO ]] || bail_out "$NFIPSEC_KO not built (run make)"
	[[ -x $IPSECCTL ]] || bail_out "$IPSECCTL not built"
	if [[ -d /sys/module/nfipsec ]]; then
		diag "nfipsec already loaded, using it"
		return 0
	fi
	for d in $(modinfo -F depends "$NFIPSEC_KO" | tr ',' ' '); do
		kmod "$d"
	done
	pretty host "insmod $NFIPSEC_KO"
	insmod "$NFIPSEC_KO" || bail_out "insmod $NFIPSEC_KO failed"
	_NFIPSEC_LOADED=1
}

unload_nfipsec() {
	[[ -d /sys/module/nfipsec ]] || return 0
	pretty host "rmmod nfipsec"
	rmmod nfipsec
	_NFIPSEC_LOADED=0
}

# ----------------------------------------------------------- IPsec CLI ---
# xf SIDE NS ARGS...: `ip xfrm ARGS` in NS, done by ipsecctl (SIDE nfipsec,
# unless NFIPSEC_SIDE=xfrm) or by ip xfrm (SIDE xfrm).
xf() {
	local side=$1 ns=$2
	shift 2
	if [[ $side == nfipsec && $NFIPSEC_SIDE == nfipsec ]]; then
		nsx "$ns" "$IPSECCTL" "$@"
	else
		nsx "$ns" ip xfrm "$@"
	fi
}

# is_nfipsec SIDE: true when SIDE is really driven by nfipsec.
is_nfipsec() { [[ $1 == nfipsec && $NFIPSEC_SIDE == nfipsec ]]; }

# xfrm_sa_counters NS LOCAL: "in_packets in_bytes out_packets out_bytes
# errors" summed over the XFRM SAs of NS; inbound = destination LOCAL.
# errors = replay + integrity/other failures the SAs counted.
xfrm_sa_counters() {
	ip netns exec "$1" ip -s xfrm state | awk -v l="$2" '
		/^src / { dir = ($4 == l) ? "in" : "out"; next }
		/lifetime current:/ { cur = 1; next }
		cur { gsub(/[(),]/, " "); b[dir] += $1; p[dir] += $3; cur = 0; next }
		/replay-window .* replay .* failed/ { e += $4 + $6 }
		END { printf "%d %d %d %d %d\n", p["in"], b["in"], p["out"], b["out"], e }'
}

# nfipsec_sa_counters NS: the same five numbers from `ipsecctl -j sa list`.
# Drops for reason "mtu" (a packet too big for the path with DF set, answered
# with a PMTU notice, as XFRM does without counting it) are not errors.
nfipsec_sa_counters() {
	ip netns exec "$1" "$IPSECCTL" -j sa list | jq -r '
		[.. | objects | select((.stats? | type) == "object")
		    | .stats] as $s
		| def sum(f): [$s[] | f // 0] | add // 0;
		[sum(.in_packets), sum(.in_bytes), sum(.out_packets),
		 sum(.out_bytes),
		 ([$s[] | .errors // {} | to_entries[]
		   | select(.key != "mtu") | .value | numbers] | add // 0)]
		| map(tostring) | join(" ")'
}

# nfipsec_sa_errors NS: the non-zero per-reason error counters of all SAs.
nfipsec_sa_errors() {
	ip netns exec "$1" "$IPSECCTL" -j sa list | jq -r '
		[.. | objects | select((.stats? | type) == "object")
		    | .stats.errors // {} | to_entries[] | select(.value != 0)]
		| group_by(.key) | map("\(.[0].key) \(map(.value) | add)")
		| join(", ")'
}

# sa_counters SIDE NS LOCAL: the five numbers for either side.
sa_counters() {
	if is_nfipsec "$1"; then
		nfipsec_sa_counters "$2" &&
		echo "per-reason SA errors: $(nfipsec_sa_errors "$2")" >&2
	else
		xfrm_sa_counters "$2" "$3"
	fi
}

# xfrm_stat NS: /proc/net/xfrm_stat of NS as "Name value" lines.
xfrm_stat() { ip netns exec "$1" cat /proc/net/xfrm_stat; }

# xfrm_stat_delta BEFORE AFTER: the counters that changed, "Name +N".
xfrm_stat_delta() {
	awk 'NR == FNR { a[$1] = $2; next }
	     $2 != a[$1] { printf "%s +%d\n", $1, $2 - a[$1] }' <(echo "$1") <(echo "$2")
}

# ---------------------------------------------------------------- misc ---
# randhex BYTES: a random key as 0x...
randhex() { echo "0x$(od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n')"; }

# wait_listen NS PORT: wait until a TCP socket listens on PORT in NS.
wait_listen() {
	local i
	for ((i = 0; i < 200; i++)); do
		[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]] && return 0
		sleep 0.05
	done
	echo "nothing listens on port $2 in $1" >&2
	return 1
}

# ping_all NS DST [COUNT]: every echo request (default 3) is answered.
ping_all() {
	local out n=${3:-3}
	out=$(nsx "$1" ping -n -c "$n" -i 0.2 -w 5 "$2" 2>&1) || true
	echo "$out"
	grep -q " $n received" <<<"$out"
}

# tcp_xfer FROM_NS TO_NS TO_ADDR FILE: send FILE over TCP with socat,
# compare sha256 of what arrived; prints the rate.
tcp_xfer() {
	local from=$1 to=$2 addr=$3 file=$4 port recv pid rc=0 t0 t1 size
	port=$((20000 + RANDOM % 20000))
	recv=$(mktemp /tmp/nfipsec-recv.XXXXXX)
	nsx "$to" timeout "$(tmo 60)" socat -u \
		"TCP-LISTEN:$port,bind=$addr,reuseaddr" "CREATE:$recv" &
	pid=$!
	wait_listen "$to" "$port" || { kill "$pid"; return 1; }
	t0=$(date +%s.%N)
	nsx "$from" timeout "$(tmo 60)" socat -u "OPEN:$file" \
		"TCP:$addr:$port,connect-timeout=10" || rc=$?
	((rc == 0)) || kill "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	t1=$(date +%s.%N)
	size=$(stat -c %s "$file")
	if ((rc == 0)) && [[ $(sha256sum <"$file") == $(sha256sum <"$recv") ]]; then
		awk -v s="$size" -v a="$t0" -v b="$t1" 'BEGIN {
			printf "%d bytes in %.2fs, %.1f Mbit/s, sha256 equal\n",
			s, b - a, s * 8 / (b - a) / 1e6 }'
	else
		echo "transfer failed (rc $rc): sent $size bytes, received $(stat -c %s "$recv")"
		rc=1
	fi
	rm -f "$recv"
	return "$rc"
}
