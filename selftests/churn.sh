#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# SAD and SPD churn under traffic: A (nfipsec) and B (XFRM) protect
# 10.1.0.1 <-> 10.2.0.2 in tunnel mode while 3 pings (-i 0.05 and 0.1) and
# 2 TCP streams (one each way) run. For a bounded time A keeps changing
# its tables: sa update with the same key, replacing the SA pair by a new
# SPI pair, deleting the SAs and adding new ones, sa flush and re-add,
# policy update, deleting the outbound protect policy (a lower priority
# block policy catches the traffic meanwhile), policy flush and re-add,
# and SAs with `limit packet-hard 200` (outbound) and `limit time-hard 3`
# (inbound) that expire under the traffic. B follows with ip xfrm.
# tcpdump on the link (A's end, started before and stopped after) must
# see no cleartext ICMP or TCP between 10.1.0.1 and 10.2.0.2: a protect
# policy without SA drops (no_out_sa). It must see the unprotected control
# ping 10.0.0.1 -> 10.0.0.2, or the capture proves nothing.
# A policy flush removes the block policy too: during the flush and the
# re-add, A's route to 10.2.0.2 is "unreachable", so that the only
# cleartext the capture could see is what the module let through.
# Then: namespace A deleted with SAs and policies while traffic flows,
# and rmmod nfipsec while a second nfipsec namespace (C) carries a ping
# flood. No kernel splat, rmmod succeeds.
#
#   A (nfipsec)                               B (XFRM)
#   dummy0 10.1.0.1/32                        dummy0 10.2.0.2/32
#   va 10.0.0.1/24 ------------------------- vb 10.0.0.2/24
#   C (nfipsec) vc 10.0.9.1/24 ------------- D (XFRM) vd 10.0.9.2/24
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

if [[ $NFIPSEC_SIDE != nfipsec ]]; then
	echo "1..0 # SKIP churn needs the nfipsec side"
	exit 0
fi

A=nfi-ca-$$ B=nfi-cb-$$ C=nfi-cc-$$ D=nfi-cd-$$
O1=10.0.0.1 O2=10.0.0.2 I1=10.1.0.1 I2=10.2.0.2
GCM='rfc4106(gcm(aes))'
CHURN_SECS=${CHURN_SECS:-70}
TMP=$(mktemp -d /tmp/nfipsec-churn.XXXXXX)
on_exit "rm -rf $TMP"
DMESG0=$(dmesg | wc -l)

load_nfipsec
two_sites "$A" "$B" || bail_out "two sites: setup failed"

ctl() { nsx "$A" "$IPSECCTL" "$@"; }
bx() { nsx "$B" ip xfrm "$@"; }
drops() { ctl -j stats | jq -r ".drops.$1 // 0"; }

# ----------------------------------------------------------- the SAs ---
# A's operations are counted; a failed one is remembered.
OPS=0 OPFAIL=()
op() {
	OPS=$((OPS + 1))
	ctl "$@" >/dev/null 2>"$TMP/op.err" ||
		OPFAIL+=("$* ($(head -c 200 "$TMP/op.err"))")
}
# sa_args DIR SPI KEY: the `sa add` arguments; DIR out = A -> B
sa_args() {
	local s=$O1 d=$O2
	[[ $1 == in ]] && s=$O2 d=$O1
	echo "src $s dst $d proto esp spi $2 reqid 1 mode tunnel" \
		"replay-window 64 aead $GCM $3 128"
}
sa_id() { # DIR SPI
	local s=$O1 d=$O2
	[[ $1 == in ]] && s=$O2 d=$O1
	echo "src $s dst $d proto esp spi $2"
}
# shellcheck disable=SC2046
a_add() { op sa add $(sa_args "$1" "$2" "$3") "${@:4}"; }
# shellcheck disable=SC2046
a_del() { op sa del $(sa_id "$1" "$2"); }
# shellcheck disable=SC2046
b_add() {
	bx state add $(sa_args "$1" "$2" "$3") >/dev/null 2>&1 ||
		diag "B: ip xfrm state add spi $2 failed"
}
# shellcheck disable=SC2046
b_del() { bx state del $(sa_id "$1" "$2") 2>/dev/null || true; }
a_has() { # SPI: listed (in any state)
	[[ $(ctl -j sa list | jq --argjson s "$(($1))" \
		'[.[] | select(.spi_num == $s)] | length') != 0 ]]
}

# The current pair: A's outbound SPI CO (key KO) and inbound CI (key KI).
SPI=$((0x1000)) CO= CI= KO= KI=
# new_pair [OUT-LIMITS [-- IN-LIMITS]]: a fresh SPI pair: A's new inbound,
# B's two, A's new outbound, then both sides drop the old pair.
new_pair() {
	local no=$SPI ni=$((SPI + 1)) ko ki outl=() inl=() x
	SPI=$((SPI + 2))
	ko=$(randhex 20) ki=$(randhex 20)
	while (($#)); do
		x=$1
		shift
		[[ $x == -- ]] && { inl=("$@"); break; }
		outl+=("$x")
	done
	a_add in "$ni" "$ki" "${inl[@]}"
	b_add in "$ni" "$ki"
	b_add out "$no" "$ko"
	a_add out "$no" "$ko" "${outl[@]}"
	if [[ -n $CO ]]; then
		! a_has "$CO" || a_del out "$CO"
		! a_has "$CI" || a_del in "$CI"
		b_del out "$CO"
		b_del in "$CI"
	fi
	CO=$no CI=$ni KO=$ko KI=$ki
}
pol_out() { # add|update
	op policy "$1" src "$I1/32" dst "$I2/32" dir out priority 10 \
		tmpl src "$O1" dst "$O2" proto esp reqid 1 mode tunnel
}
pol_in() {
	op policy "$1" src "$I2/32" dst "$I1/32" dir in priority 10 \
		tmpl src "$O2" dst "$O1" proto esp reqid 1 mode tunnel
}
pol_block() { # the backstop: what the protect policy does not take
	op policy add src "$I1/32" dst 10.2.0.0/16 dir out priority 100 \
		action block
}

check "B: XFRM policies for the tunnel" eval '
	bx policy add src $I2/32 dst $I1/32 dir out \
	    tmpl src $O2 dst $O1 proto esp reqid 1 mode tunnel &&
	bx policy add src $I1/32 dst $I2/32 dir in \
	    tmpl src $O1 dst $O2 proto esp reqid 1 mode tunnel'
new_pair
pol_out add
pol_in add
pol_block
check "A: SA pair, protect policies and a block backstop (${OPS} operations)" \
	eval '((${#OPFAIL[@]} == 0)) || { printf "%s\n" "${OPFAIL[@]}"; false; }'
check "ping 10.1.0.1 -> 10.2.0.2 through the tunnel" ping_all "$A" "$I2"

# --------------------------------------------- capture and traffic ---
PCAP=$TMP/link.pcap
# On A's end: there the capture sees exactly what A sent and received.
# (On B's end it would also see the packets B's XFRM decapsulated: XFRM
# tunnel mode hands them to the stack again as received on vb.)
# Not through nsx (a function): $! must be timeout(1), which passes the
# SIGINT on to tcpdump.
pretty "$A" "tcpdump -i va -w $PCAP"
ip netns exec "$A" timeout 600 tcpdump -i va -n -U -B 8192 -s 128 \
	-w "$PCAP" 2>"$TMP/tcpdump.err" &
CAP_PID=$!
for ((i = 0; i < 100; i++)); do
	grep -q 'listening on' "$TMP/tcpdump.err" 2>/dev/null && break
	sleep 0.1
done
check "tcpdump listens on the link" grep -q 'listening on' "$TMP/tcpdump.err"

# long enough for a slow emulator: they are ended explicitly
T=$((CHURN_SECS + 400))
PIDS=()
bg() { "$@" >/dev/null 2>&1 & PIDS+=($!); }
bg nsx "$A" timeout "$T" ping -n -q -i 0.05 "$I2"
bg nsx "$B" timeout "$T" ping -n -q -i 0.05 "$I1"
bg nsx "$A" timeout "$T" ping -n -q -i 0.1 -s 1000 "$I2"
bg nsx "$A" timeout "$T" ping -n -q -i 0.2 "$O2"	# control: cleartext
# TCP both ways, paced (about 20 kB/s each), reconnecting when cut
for dir in AB BA; do
	src=$A dst=$B daddr=$I2 port=5001
	[[ $dir == BA ]] && src=$B dst=$A daddr=$I1 port=5002
	bg nsx "$dst" timeout "$T" socat -u \
		"TCP-LISTEN:$port,bind=$daddr,reuseaddr,fork" /dev/null
	wait_listen "$dst" "$port" || diag "no TCP listener on $port"
	bg nsx "$src" timeout "$T" bash -c "while :; do socat -u \
		SYSTEM:'while :; do head -c 2000 /dev/zero; sleep 0.1; done' \
		TCP:$daddr:$port,connect-timeout=3; sleep 0.3; done"
done
sleep 2

# ------------------------------------------------------------ churn ---
# pkts: "in_packets of the inbound SA, out_packets of the outbound SA"
pkts() {
	ctl -j sa list | jq -r --argjson i "$((CI))" --argjson o "$((CO))" \
		'[([.[] | select(.spi_num == $i) | .stats.in_packets][0] // 0),
		  ([.[] | select(.spi_num == $o) | .stats.out_packets][0] // 0)]
		 | map(tostring) | join(" ")'
}
# traffic_ok: the current SAs carry traffic both ways
traffic_ok() {
	local a b
	read -r -a b <<<"$(pkts)"
	sleep 1.5
	read -r -a a <<<"$(pkts)"
	echo "inbound SA $(printf 0x%x "$CI") in_packets ${b[0]} -> ${a[0]}," \
		"outbound SA $(printf 0x%x "$CO") out_packets ${b[1]} -> ${a[1]}"
	((a[0] > b[0] && a[1] > b[1])) && return 0
	# what the next look at a stall needs: both sides' tables and
	# counters, and whether the traffic's processes still run
	echo "A:"; ctl -j sa list | jq -c '.[] | {spi, state, stats}'
	ctl policy list; ctl -j stats | jq -c .
	echo "B:"; bx state list | grep -E '^src|spi'; xfrm_stat "$B" | grep -v ' 0$'
	ip netns pids "$A" | xargs -r ps -o pid=,stat=,etime=,args= -p
	ip netns pids "$B" | xargs -r ps -o pid=,stat=,etime=,args= -p
	nsx "$A" ip route get "$I2" from "$I1" || true
	date
	return 1
}
# gone_or_dead SPI...: each SA is gone from the list or in state dead
gone_or_dead() {
	local s
	for s in "$@"; do
		ctl -j sa list | jq -e --argjson s "$((s))" \
			'[.[] | select(.spi_num == $s and .state != "dead")]
			 | length == 0' >/dev/null || return 1
	done
}
# expired SPI...: gone_or_dead, and else what the SAs say
expired() {
	gone_or_dead "$@" && return 0
	ctl -j sa list | jq -c '.[] | {spi, state, lifetime, curlife, stats}'
	ctl -j stats
	date
	ip netns pids "$A" | xargs -r ps -o pid=,args= -p
	return 1
}

EXPIRIES=0 EXP_PKT=0 CYCLE=0
END=$((SECONDS + CHURN_SECS))
E0=$(drops expired) NOSA0=$(drops no_out_sa) BLK0=$(drops policy_block)
while ((SECONDS < END)); do
	CYCLE=$((CYCLE + 1))
	# 1. update both SAs with the same key
	# shellcheck disable=SC2046
	op sa update $(sa_args out "$CO" "$KO")
	# shellcheck disable=SC2046
	op sa update $(sa_args in "$CI" "$KI")
	sleep 0.5
	# 2. replace by a new SPI pair
	new_pair
	sleep 0.5
	# 3. delete both SAs (no_out_sa meanwhile), then a new pair
	a_del out "$CO"
	a_del in "$CI"
	sleep 0.5
	new_pair
	sleep 0.5
	# 4. sa flush, then a new pair
	op sa flush
	sleep 0.5
	new_pair
	# 5. policy update in place
	pol_out update
	pol_in update
	sleep 0.5
	# 6. delete the outbound protect policy: the block policy drops
	op policy del src "$I1/32" dst "$I2/32" dir out
	sleep 0.5
	pol_out add
	# 7. policy flush and re-add, A's route to 10.2.0.2 unreachable
	nsx "$A" ip route replace unreachable "$I2/32"
	op policy flush
	sleep 0.3
	pol_block
	pol_in add
	pol_out add
	nsx "$A" ip route replace "$I2/32" via "$O2" src "$I1"
	sleep 0.5
	check "cycle $CYCLE: traffic flows after the table changes" traffic_ok
	# 8. expiring SAs: outbound packet-hard 200, inbound time-hard 3
	new_pair limit packet-hard 200 -- limit time-hard 3
	xo=$CO xi=$CI
	for ((i = 0; i < 30; i++)); do
		gone_or_dead "$xo" "$xi" && break
		sleep 0.5
	done
	check "cycle $CYCLE: SAs with packet-hard 200 and time-hard 3 expired under traffic" \
		expired $((xo)) $((xi))
	gone_or_dead "$xo" && EXPIRIES=$((EXPIRIES + 1)) EXP_PKT=$((EXP_PKT + 1))
	gone_or_dead "$xi" && EXPIRIES=$((EXPIRIES + 1))
	new_pair
	sleep 0.5
done
check "all $OPS operations on A succeeded" \
	eval '((${#OPFAIL[@]} == 0)) || { printf "%s\n" "${OPFAIL[@]}"; false; }'
check "the namespace counted drops.expired (>= $EXP_PKT packet-hard expiries)" \
	eval '(( $(drops expired) - E0 >= EXP_PKT && EXP_PKT > 0 ))'
check "A dropped packets without SA as no_out_sa" \
	eval '(( $(drops no_out_sa) > NOSA0 ))'
check "the block backstop dropped packets (policy_block)" \
	eval '(( $(drops policy_block) > BLK0 ))'
check "after the churn: ping 10.1.0.1 -> 10.2.0.2" ping_all "$A" "$I2"
check "after the churn: ping 10.2.0.2 -> 10.1.0.1" ping_all "$B" "$I1"

sleep 0.5
kill -INT "$CAP_PID" 2>/dev/null || true
wait "$CAP_PID" 2>/dev/null || true
pc() { tcpdump -r "$PCAP" -n "$@" 2>/dev/null | wc -l; }
LEAKS=$(pc "host $I1 and host $I2 and (icmp or tcp)")
CONTROL=$(pc "icmp and host $O1 and host $O2")
ESP=$(pc esp)
diag "capture: $(grep -E 'captured|dropped' "$TMP/tcpdump.err" | tr '\n' ' ')"
check "the capture saw the ESP traffic ($ESP packets)" [ "$ESP" -gt 500 ]
check "the capture saw the cleartext control ping ($CONTROL packets)" \
	[ "$CONTROL" -gt 10 ]
check "tcpdump dropped no packets" \
	grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.err"
check "no cleartext ICMP/TCP between 10.1.0.1 and 10.2.0.2 on the link" \
	eval '((LEAKS == 0)) || { tcpdump -r $PCAP -n "host $I1 and host $I2 and (icmp or tcp)" 2>/dev/null | head -n 20; false; }'

# ------------------------------- namespace deletion, rmmod under load ---
diag "namespace deletion and rmmod under traffic (at ${SECONDS}s)"
ns_add "$C" "$D"
check "C (nfipsec) and D (XFRM): transport SAs and policies" \
	nfipsec_xfrm_transport "$C" "$D" 64
check "ping C -> D" ping_all "$C" 10.0.9.2
FL=()
fl() { "$@" >/dev/null 2>&1 & FL+=($!); }
fl nsx "$A" timeout 120 ping -f -q "$I2"
fl nsx "$B" timeout 120 ping -f -q "$I1"
fl nsx "$C" timeout 120 ping -f -q 10.0.9.2
fl nsx "$D" timeout 120 ping -f -q 10.0.9.1
sleep 1.5
check "A still has SAs and policies" eval \
	'[[ $(ctl -j stats | jq ".sa_count > 0 and .policy_count > 0") == true ]]'
# the processes in A are this test's own (pings, TCP, listeners)
check "delete namespace A under traffic" eval \
	'ip netns pids $A | xargs -r kill -9; ip netns del $A'
check "namespace A is gone" eval '! ip netns list | grep -qw "$A"'
c_out() {
	nsx "$C" "$IPSECCTL" -j sa list |
		jq '[.[] | select(.spi_num == 37121) | .stats.out_packets][0] // 0'
}
o1=$(c_out)
sleep 1
o2=$(c_out)
check "C's flood still flows after A's deletion ($o1 -> $o2 packets)" [ "$o2" -gt "$o1" ]
check "rmmod nfipsec under C's ping flood" rmmod nfipsec
_NFIPSEC_LOADED=0
check "the module is gone" eval \
	'! lsmod | grep -q "^nfipsec " && [[ ! -d /sys/module/nfipsec ]]'
# the processes in B, C, D are this test's own
for n in "$B" "$C" "$D"; do ip netns pids "$n" | xargs -r kill 2>/dev/null || true; done
wait 2>/dev/null || true
check "no kernel splat" eval \
	'! dmesg | tail -n +$((DMESG0 + 1)) |
	   grep -E "WARNING|BUG|Oops|KASAN|lockdep|RCU|leak|Call Trace"'

diag "churn: $OPS operations under traffic, $EXPIRIES SA expiries, $LEAKS cleartext leaks (must be 0)"
diag "done after ${SECONDS}s"
tap_done
