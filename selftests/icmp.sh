#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP errors about protected flows (RFC 4301 6.2), as XFRM handles them.
# A (nfipsec) and B (XFRM) protect, in tunnel mode, only UDP with port
# 7300 at either end between their inner addresses; an ICMP error is a
# flow of its own (proto icmp) that no policy covers. A connected UDP
# socket sends one datagram to a port nobody listens on; the port
# unreachable that comes back is what is looked at: where it went (a
# capture of what the sender of the error transmits: clear ICMP or ESP),
# and whether the socket saw ECONNREFUSED.
#
#  1. No flags: the error leaves in clear, from A and from B alike.
#  2. flag icmp on A's out policy: A's error goes through ESP; B's SA
#     with flag icmp delivers it.
#  3. flag icmp on B's out policy: B's error goes through ESP; A drops it
#     (policy_mismatch) while its SA lacks flag icmp, accepts it with it.
#  4. A's inbound policy covers every protocol from B: a clear error from
#     B is dropped (plaintext), as XFRM does.
#  5. A block policy for A's own ICMP: with flag icmp on the policy of the
#     quoted flow the error still goes through ESP; without, it is not
#     sent at all.
#
#   A (nfipsec) va 10.0.0.1 ------------- vb 10.0.0.2 B (XFRM)
#   dummy0 10.1.0.1                            dummy0 10.2.0.2
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

PY=/usr/bin/python3
GCM='rfc4106(gcm(aes))'
A=nfi-ca-$$ B=nfi-cb-$$
OA=10.0.0.1 OB=10.0.0.2 IA=10.1.0.1 IB=10.2.0.2
P=7300
SPI_AB=0x5001 SPI_BA=0x5002
TMP=$(mktemp -d /tmp/nfipsec-icmp.XXXXXX)
on_exit "rm -rf $TMP"
DMESG0=$(dmesg | wc -l)

load_nfipsec
two_sites "$A" "$B" || bail_out "two sites: setup failed"
for ns in "$A" "$B"; do
	nsx "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0
done

KAB=$(randhex 20) KBA=$(randhex 20)
# sa SIDE NS SRC DST SPI KEY [flag icmp]: a tunnel mode SA
sa() {
	local side=$1 ns=$2 s=$3 d=$4 spi=$5 k=$6
	shift 6
	xf "$side" "$ns" state add src "$s" dst "$d" proto esp spi "$spi" \
		mode tunnel aead "$GCM" "$k" 128 "$@"
}
# sa_readd SIDE NS SRC DST SPI KEY [flag icmp]: the same SA, other flags
sa_readd() {
	xf "$1" "$2" state del src "$3" dst "$4" proto esp spi "$5" &&
	sa "$@"
}
# pol CMD SIDE NS ME PEER MYOUTER PEEROUTER DIR PORTKW [ARGS...]: UDP with
# PORTKW (sport or dport) 7300 from ME to PEER (out) or PEER to ME (in).
pol() {
	local cmd=$1 side=$2 ns=$3 me=$4 peer=$5 mo=$6 po=$7 dir=$8 pk=$9
	shift 9
	if [[ $dir == out ]]; then
		xf "$side" "$ns" policy "$cmd" src "$me" dst "$peer" proto udp \
			"$pk" $P dir out "$@" \
			tmpl src "$mo" dst "$po" proto esp mode tunnel
	else
		xf "$side" "$ns" policy "$cmd" src "$peer" dst "$me" proto udp \
			"$pk" $P dir in "$@" \
			tmpl src "$po" dst "$mo" proto esp mode tunnel
	fi
}
# site SIDE NS ME PEER MYOUTER PEEROUTER SPI_OUT KEY_OUT SPI_IN KEY_IN
site() {
	local side=$1 ns=$2 me=$3 peer=$4 mo=$5 po=$6 d pk
	sa "$side" "$ns" "$mo" "$po" "$7" "$8" &&
	sa "$side" "$ns" "$po" "$mo" "$9" "${10}" || return
	for d in out in; do
		for pk in sport dport; do
			pol add "$side" "$ns" "$me" "$peer" "$mo" "$po" $d $pk ||
				return
		done
	done
}
check "A (nfipsec) and B (XFRM): tunnel SAs, policies for UDP port $P only" eval '
	site nfipsec $A $IA $IB $OA $OB $SPI_AB $KAB $SPI_BA $KBA &&
	site xfrm $B $IB $IA $OB $OA $SPI_BA $KBA $SPI_AB $KAB'

# probe NS SRC DST: a UDP socket bound to SRC, connected to DST:7300,
# sends one datagram and waits 2 s: prints refused (ECONNREFUSED),
# silent or answered.
probe() {
	nsx "$1" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.connect((sys.argv[2], int(sys.argv[3])))
s.settimeout(2)
s.send(b"icmp.sh")
try:
    s.recv(64)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("silent")
' "$2" "$3" $P
}

# capture NS DEV PROBE_ARGS...: what NS transmits on DEV (ICMP and ESP)
# while probe runs; sets CAP to "icmp N esp N" and RES to the probe's
# result. --immediate-mode: each packet is written as it comes, not when a
# buffer block times out, so the SIGINT that ends the capture loses none.
CAP='' RES=''
capture() {
	local ns=$1 dev=$2 f=$TMP/cap.pcap i pid
	rm -f "$f" "$TMP/cap.log"
	ip netns exec "$ns" tcpdump -i "$dev" -Q out -nn -U --immediate-mode -w "$f" \
		'icmp or esp' 2>"$TMP/cap.log" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on" "$TMP/cap.log" 2>/dev/null && break
		sleep 0.1
	done
	shift 2
	RES=$(probe "$@")
	sleep 1
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	CAP="icmp $(tcpdump -r "$f" -nn icmp 2>/dev/null | wc -l)"
	CAP+=" esp $(tcpdump -r "$f" -nn esp 2>/dev/null | wc -l)"
	diag "probe: $RES; transmitted by $ns: $CAP"
}

# drops NAME: A's namespace drop counter NAME (nfipsec side only).
drops() { nsx "$A" "$IPSECCTL" -j stats | jq -r ".drops.$1"; }
is_nfipsec nfipsec && NFI=1 || NFI=0

# same GOT WANT: passes when they are equal, else says what it got.
same() { [[ $1 == "$2" ]] || { echo "got \"$1\", want \"$2\""; false; }; }
# case_checks DESC RESULT TRANSMITTED: the last capture's probe result
# and what the error's sender transmitted.
case_checks() {
	check "$1: socket sees $2" same "$RES" "$2"
	check "$1: transmitted $3" same "$CAP" "$3"
}

# ------------------------------------------------------ 1. no flags ---
capture "$A" va "$B" "$IB" "$IA"
case_checks "1a. A's error, no flags" refused "icmp 1 esp 0"
capture "$B" vb "$A" "$IA" "$IB"
case_checks "1b. B's error, no flags" refused "icmp 1 esp 0"

# ------------------------------ 2. flag icmp on A's out policy -------
check "2. A: out policy (sport $P) with flag icmp; B: SA from A with flag icmp" eval '
	pol update nfipsec $A $IA $IB $OA $OB out sport flag icmp &&
	sa_readd xfrm $B $OA $OB $SPI_AB $KAB flag icmp'
if ((NFI)); then
	check "2. ipsecctl shows the flag (policy list, JSON)" eval '
		nsx $A $IPSECCTL policy list | grep -q "flag icmp" &&
		[[ $(nsx $A $IPSECCTL -j policy list |
		     jq -c "[.[] | select(.flags == [\"icmp\"]) | .sport]") == "[$P]" ]]'
fi
capture "$A" va "$B" "$IB" "$IA"
case_checks "2. A's error, policy flag icmp" refused "icmp 0 esp 1"

# ------------------- 5. a block policy for A's own outbound ICMP ----
check "5. A: out policy blocking ICMP to B" \
	xf nfipsec "$A" policy add src "$IA" dst "$IB" proto icmp dir out action block
capture "$A" va "$B" "$IB" "$IA"
case_checks "5a. A's error, own flow blocked, quoted flow's policy has flag icmp" \
	refused "icmp 0 esp 1"
check "5. A: out policy (sport $P) without flag icmp" \
	pol update nfipsec "$A" "$IA" "$IB" "$OA" "$OB" out sport
((NFI)) && b=$(drops policy_block)
capture "$A" va "$B" "$IB" "$IA"
case_checks "5b. A's error, own flow blocked, no flag icmp: suppressed" \
	silent "icmp 0 esp 0"
if ((NFI)); then
	check "5b. counted as policy_block" eval '(( $(drops policy_block) >= b + 1 ))'
fi
check "5. A: the block policy removed" \
	xf nfipsec "$A" policy del src "$IA" dst "$IB" proto icmp dir out

# ------------------------------ 3. flag icmp on B's out policy -------
check "3. B: out policy (sport $P) with flag icmp" \
	pol update xfrm "$B" "$IB" "$IA" "$OB" "$OA" out sport flag icmp
((NFI)) && b=$(drops policy_mismatch)
capture "$B" vb "$A" "$IA" "$IB"
case_checks "3a. B's protected error, A's SA without flag icmp: dropped" \
	silent "icmp 0 esp 1"
if ((NFI)); then
	check "3a. counted as policy_mismatch" \
		eval '(( $(drops policy_mismatch) == b + 1 ))'
fi
check "3. A: SA from B with flag icmp" \
	sa_readd nfipsec "$A" "$OB" "$OA" "$SPI_BA" "$KBA" flag icmp
if ((NFI)); then
	check "3. ipsecctl shows the SA flag (sa list, JSON)" eval '
		nsx $A $IPSECCTL sa list | grep -q "flag icmp" &&
		[[ $(nsx $A $IPSECCTL -j sa list |
		     jq -c "[.[] | select(.flags == [\"icmp\"]) | .spi]") == "[\"0x00005002\"]" ]]'
	b=$(drops policy_mismatch)
fi
capture "$B" vb "$A" "$IA" "$IB"
case_checks "3b. B's protected error, A's SA with flag icmp: accepted" \
	refused "icmp 0 esp 1"
if ((NFI)); then
	check "3b. nothing dropped as policy_mismatch" \
		eval '(( $(drops policy_mismatch) == b ))'
fi

# ---------------- 4. clear error, A's inbound policy covers it ------
check "4. B: out policy (sport $P) without flag icmp" \
	pol update xfrm "$B" "$IB" "$IA" "$OB" "$OA" out sport
capture "$B" vb "$A" "$IA" "$IB"
case_checks "4a. B's error in clear, A's inbound policies UDP only: accepted" \
	refused "icmp 1 esp 0"
check "4. A: inbound policy for every protocol from B (priority 10)" \
	xf nfipsec "$A" policy add src "$IB" dst "$IA" dir in priority 10 \
	tmpl src "$OB" dst "$OA" proto esp mode tunnel
((NFI)) && b=$(drops plaintext)
capture "$B" vb "$A" "$IA" "$IB"
case_checks "4b. B's error in clear, A's inbound policy covers ICMP: dropped" \
	silent "icmp 1 esp 0"
if ((NFI)); then
	check "4b. counted as plaintext" eval '(( $(drops plaintext) == b + 1 ))'
	diag "A's drops: $(nsx "$A" "$IPSECCTL" -j stats | jq -c '.drops | with_entries(select(.value != 0))')"
fi

check "no kernel splat" eval \
	'! dmesg | tail -n +$((DMESG0 + 1)) |
	   grep -E "WARNING|BUG|Oops|KASAN|lockdep|RCU|leak|Call Trace"'
tap_done
