#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input on the wire: namespace A runs nfipsec with known keys, B
# sends crafted frames on its end of the link (AF_PACKET: B's stack never
# sees them; selftests/lib/esp_craft.py builds them, also with valid ICVs).
# A's inbound SAs (replay window 64), each with its own UDP listener:
#   gcm-tr   transport, rfc4106(gcm(aes)) 128  -> UDP 10.0.0.1:7000
#   gcm-tun  tunnel 10.2.0.2 -> 10.1.0.1, GCM  -> UDP 10.1.0.1:7001
#   cbc-tr   transport, cbc(aes) + hmac(sha256) 128 -> UDP 10.0.0.1:7002
#   nest     transport 10.0.0.12 -> 10.0.0.11, GCM, policy for any
#            protocol (nested ESP layers pass it) -> UDP 10.0.0.11:7003
# and cleartext that inbound policies refuse: UDP to 10.0.0.1:7000
# (fragmented or not, with and without conntrack, DNATed to another local
# address and port) and to 10.9.9.5:7004, a local address only through a
# policy routing rule (table 100).
# For every kind of bad packet: N packets, then exactly the expected
# counters moved by N (the SA's error and the namespace's drop counter,
# the replay window's top for packets whose ICV verifies, the IP layer's
# counters where it acts) and nothing else: no other error, no packet
# delivered to a listener, in_packets unchanged. Then one valid packet on
# the same SA must still be accepted. Counters compared: every SA's
# in_packets, replay top and errors, the namespace drops, the listeners'
# datagrams and A's IpReasmReqds, IpReasmOKs, IpExtReasmOverlaps,
# UdpNoPorts. Ends with one figure line per kind.
# NFIPSEC_HOSTILE_RECHECK=0: the valid packet after each kind is left out
# (the debug kernel, where each case costs some ten seconds), but for
# every SA after the last kind.
#
#   A (nfipsec)                               B (injects)
#   dummy0 10.1.0.1/32
#   va 10.0.0.1/24 ------------------------- vb 10.0.0.2/24
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

if [[ $NFIPSEC_SIDE != nfipsec ]]; then
	echo "1..0 # SKIP nfipsec drop counters need the nfipsec side"
	exit 0
fi

PY=/usr/bin/python3
CRAFT=$REPO/selftests/lib/esp_craft.py
A=nfi-ha-$$ B=nfi-hb-$$
O1=10.0.0.1 O2=10.0.0.2 I1=10.1.0.1 I2=10.2.0.2
GCM='rfc4106(gcm(aes))'
N=20 RECHECK=${NFIPSEC_HOSTILE_RECHECK:-1}
TMP=$(mktemp -d /tmp/nfipsec-hostile.XXXXXX)
on_exit "rm -rf $TMP"
DMESG0=$(dmesg | wc -l)

load_nfipsec
ns_add "$A" "$B"
ns_link "$A" va "$O1/24" "$B" vb "$O2/24" || bail_out "veth: setup failed"
ns_inner "$A" "$I1" || bail_out "dummy0: setup failed"
N1=10.0.0.11 N2=10.0.0.12 LR=10.9.9.5
nsx "$A" ip addr add "$N1/24" dev va
# 10.9.9.0/24 is local through table 100 only, not through table local
nsx "$A" ip route add local 10.9.9.0/24 dev lo table 100
nsx "$A" ip rule add to 10.9.9.0/24 table 100
nsx "$A" sysctl -qw net.ipv4.ip_nonlocal_bind=1
nsx "$A" ip route add "$I2/32" via "$O2"
MAC_A=$(nsx "$A" cat /sys/class/net/va/address)
MTU=$(nsx "$B" cat /sys/class/net/vb/mtu)

ctl() { nsx "$A" "$IPSECCTL" "$@"; }

# ------------------------------------------------------------- the SAs ---
declare -A SPEC PORT NEXT XARGS
KT=$(randhex 20) KU=$(randhex 20) KCE=$(randhex 16) KCA=$(randhex 32)
SPEC[gcm-tr]="spi=0x1001,mode=transport,aead=$KT"
SPEC[gcm-tun]="spi=0x1002,mode=tunnel,aead=$KU"
SPEC[cbc-tr]="spi=0x1003,mode=transport,enc=$KCE,auth=$KCA"
KN=$(randhex 20)
SPEC[nest]="spi=0x1004,mode=transport,aead=$KN"
SPEC[plain]=${SPEC[gcm-tr]} SPEC[lroute]=${SPEC[gcm-tr]}
XARGS[nest]="--src $N2 --dst $N1" XARGS[lroute]="--dst $LR"
PORT[gcm-tr]=7000 PORT[gcm-tun]=7001 PORT[cbc-tr]=7002 PORT[nest]=7003
PORT[plain]=7000 PORT[lroute]=7004
NEXT[gcm-tr]=1 NEXT[gcm-tun]=1 NEXT[cbc-tr]=1 NEXT[nest]=1
NAMES='{"4097":"gcm-tr","4098":"gcm-tun","4099":"cbc-tr","4100":"nest"}'

check "A: three inbound SAs (replay-window 64) and their dir in policies" eval '
	ctl sa add src $O2 dst $O1 proto esp spi 0x1001 reqid 1 mode transport \
	    replay-window 64 aead "$GCM" $KT 128 &&
	ctl sa add src $O2 dst $O1 proto esp spi 0x1002 reqid 2 mode tunnel \
	    replay-window 64 aead "$GCM" $KU 128 &&
	ctl sa add src $O2 dst $O1 proto esp spi 0x1003 reqid 3 mode transport \
	    replay-window 64 enc "cbc(aes)" $KCE auth-trunc "hmac(sha256)" $KCA 128 &&
	ctl policy add src $O2/32 dst $O1/32 proto udp dport 7000 dir in \
	    tmpl src $O2 dst $O1 proto esp reqid 1 mode transport &&
	ctl policy add src $I2/32 dst $I1/32 dir in \
	    tmpl src $O2 dst $O1 proto esp reqid 2 mode tunnel &&
	ctl policy add src $O2/32 dst $O1/32 proto udp dport 7002 dir in \
	    tmpl src $O2 dst $O1 proto esp reqid 3 mode transport'
check "A: the nesting SA and its dir in policy (any protocol); 10.9.9.0/24 protected" eval '
	ctl sa add src $N2 dst $N1 proto esp spi 0x1004 reqid 4 mode transport \
	    replay-window 64 aead "$GCM" $KN 128 &&
	ctl policy add src $N2/32 dst $N1/32 dir in \
	    tmpl src $N2 dst $N1 proto esp reqid 4 mode transport &&
	ctl policy add src $O2/32 dst 10.9.9.0/24 dir in \
	    tmpl src $O2 dst $O1 proto esp reqid 1 mode transport'

# fragments of a packet that never completes: give up soon
nsx "$A" sysctl -qw net.ipv4.ipfrag_time=3

# Two long-running helpers (Python starts in seconds under emulation):
# the crafter in B (fd 5 requests, fd 6 answers) and, in A, the monitor
# (fd 7, fd 8): UDP listeners and the counter snapshots.
mkfifo "$TMP"/{craft,mon}.{in,out}
nsx "$B" "$PY" -u -B "$CRAFT" serve <"$TMP/craft.in" >"$TMP/craft.out" \
	2>"$TMP/craft.err" &
exec 5>"$TMP/craft.in" 6<"$TMP/craft.out"
nsx "$A" "$PY" -u -B "$CRAFT" monitor --ipsecctl "$IPSECCTL" --names "$NAMES" \
	--listen "$O1:7000,$I1:7001,$O1:7002,$N1:7003,$LR:7004" \
	<"$TMP/mon.in" >"$TMP/mon.out" &
exec 7>"$TMP/mon.in" 8<"$TMP/mon.out"
on_exit "exec 5>&- 7>&-"
read -r -t 120 line <&8 || line="no answer"
[[ $line == ready ]] || bail_out "the monitor in A did not start: $line"

# ------------------------------------------------------------ helpers ---
# snap: "key value" lines, sorted: every counter this test compares.
snap() {
	local l
	echo snap >&7
	while IFS= read -r -t 60 l <&8; do
		[[ $l == END ]] && return 0
		echo "$l"
	done
	echo "snap.timeout 1"
}
# sdiff BEFORE AFTER: "key +N" for every key that changed, sorted.
sdiff() {
	awk 'NR == FNR { b[$1] = $2; next } { a[$1] = $2 }
	     END { for (k in a) if (a[k] != b[k] + 0)
			printf "%s %+d\n", k, a[k] - b[k]
	           for (k in b) if (!(k in a)) printf "%s gone\n", k }' \
		<(echo "$1") <(echo "$2") | sort
}
# want KEY N ...: the expected sdiff output
want() {
	while (($#)); do printf '%s %+d\n' "$1" "$2"; shift 2; done | sort
}
same() { # NAME GOT WANT
	if [[ $2 == "$3" ]]; then
		echo "$1: counters that moved: ${2//$'\n'/, }"
		return 0
	fi
	echo "$1: counters that moved:"
	echo "${2:-(none)}"
	echo "expected:"
	echo "${3:-(none)}"
	return 1
}
# settle BEFORE WANT: the snapshot once WANT is reached (or after 5 s).
# The packets are processed when they arrive (synchronous crypto): a
# counter that moves late would move within the first wait.
settle() {
	local end=$((SECONDS + 5)) a
	sleep 0.5
	while :; do
		a=$(snap)
		[[ $(sdiff "$1" "$a") != "$2" ]] || break
		((SECONDS < end)) || break
		sleep 0.3
	done
	echo "$a"
}

# craft SA KIND ARG SEQ COUNT [more esp_craft.py send options]
craft() {
	local sa=$1 kind=$2 arg=$3 seq=$4 count=$5 reply
	shift 5
	printf '%q ' --iface vb --dst-mac "$MAC_A" \
		--src "$O2" --dst "$O1" --inner-src "$I2" --inner-dst "$I1" \
		--sa "${SPEC[$sa]}" --dport "${PORT[$sa]}" --tag "$kind" \
		--kind "$kind" --arg "$arg" --seq "$seq" --count "$count" \
		${XARGS[$sa]:-} "$@" >&5
	echo >&5
	read -r -t 120 reply <&6 || reply="error: no answer from esp_craft.py"
	echo "$reply"
	[[ $reply == ok* ]]
}
# fresh SA COUNT: the first of COUNT unused sequence numbers of SA
fresh() { FRESH=${NEXT[$1]}; NEXT[$1]=$((NEXT[$1] + $2)); }

# figures: one line per kind at the end
FIG=() TRIED=0 DROPPED=0
figure() { # KIND TRIED DELIVERED REASON
	FIG+=("hostile: $1 tried $2 dropped $(($2 - $3)) counter $4")
	TRIED=$((TRIED + $2)) DROPPED=$((DROPPED + $2 - $3))
}

# valid_after KIND SA [SNAPSHOT]: one valid packet on SA is still accepted
valid_after() {
	local b=${3:-} a w top p=${PORT[$2]}
	fresh "$2" 1
	[[ -n $b ]] || b=$(snap)
	top=$(awk -v k="sa.$2.top" '$1 == k { print $2 }' <<<"$b")
	craft "$2" valid "" "$FRESH" 1 >/dev/null || diag "craft failed"
	w=$(want "sa.$2.in_packets" 1 "sa.$2.top" $((FRESH - top)) "rx.$p" 1)
	a=$(settle "$b" "$w")
	check "$1: then a valid packet on $2 is accepted" \
		same "$1/valid" "$(sdiff "$b" "$a")" "$w"
}

# run KIND SA REASON N DELIVERED "WANT" CRAFT-KIND ARG SEQ [STEP [opts]]
#   send N packets, compare the counters that moved with WANT (output of
#   want), record the figures; then a valid packet on SA.
# try LABEL SA WANT CRAFT-ARGS...: craft (craft SA CRAFT-ARGS...), wait
# until WANT moved; D: the counters that moved, AFTER: the snapshot after.
# The snapshot before is BEFORE if set (then unset), else taken here.
try() {
	local label=$1 sa=$2 w=$3 b=$BEFORE out
	shift 3
	BEFORE=
	[[ -n $b ]] || b=$(snap)
	out=$(craft "$sa" "$@" 2>&1) || diag "$label: esp_craft.py: $out"
	AFTER=$(settle "$b" "$w")
	D=$(sdiff "$b" "$AFTER")
}
BEFORE=
# sum PREFIX: the sum of D's counters named PREFIX.*
sum() { awk -v p="^$1\\." '$1 ~ p { s += $2 } END { print s + 0 }' <<<"$D"; }
# top_moves SNAPSHOT SA SEQ WANT: WANT, where the SA's replay window top
# moves by K with packets SEQ..SEQ + K - 1, moved from the top in
# SNAPSHOT to the last of them (more than K when numbers taken before
# never reached the window, as without the valid packet after each kind)
top_moves() {
	awk -v k="sa.$2.top" -v seq="$3" '
		NR == FNR { if ($1 == k) top = $2; next }
		$1 == k && $2 + 0 > 0 { printf "%s %+d\n", k, seq + $2 - 1 - top; next }
		{ print }' <(echo "$1") <(echo "$4")
}

run() {
	local kind=$1 sa=$2 reason=$3 n=$4 dlv=$5 w=$6 ck=$7 arg=$8 seq=$9 got
	shift 9
	BEFORE=$(snap)
	w=$(top_moves "$BEFORE" "$sa" "$seq" "$w")
	try "$kind" "$sa" "$w" "$ck" "$arg" "$seq" "$n" "$@"
	check "$kind: $n packets on $sa: only the expected counters moved" \
		same "$kind" "$D" "$w"
	got=$(sum rx)
	figure "$kind" "$n" "$got" "$reason"
	((dlv == got)) || diag "$kind: $got delivered, expected $dlv"
	[[ $RECHECK == 0 ]] || valid_after "$kind" "$sa" "$AFTER"
}

diag "link MTU $MTU; NAT-T (ESP in UDP) is not implemented: UDP 4500 is" \
	"ordinary UDP to nfipsec (checked: no counter moves)"

# ----------------------------------------------- 0. valid baseline ---
for sa in gcm-tr gcm-tun cbc-tr; do
	fresh "$sa" 5
	run "baseline $sa" "$sa" none 5 5 \
		"$(want "sa.$sa.in_packets" 5 "sa.$sa.top" 5 "rx.${PORT[$sa]}" 5)" \
		valid "" "$FRESH"
done

# ------------------------------------------------ 1. truncated ESP ---
# 0..7 bytes after the IP header: not even an SPI: namespace malformed
fresh gcm-tr $N
run "truncated 0-7 bytes (no SPI)" gcm-tr malformed $N 0 \
	"$(want ns.malformed $N)" trunc 0,1,2,3,4,5,6,7 "$FRESH"
# SPI and seq, but shorter than 8 + IV 8 + 2 + ICV 16 = 34
fresh gcm-tr $N
run "truncated 8-33 bytes (gcm)" gcm-tr malformed $N 0 \
	"$(want sa.gcm-tr.malformed $N ns.malformed $N)" trunc 8,9,16,20,33 "$FRESH"
fresh gcm-tun $N
run "truncated 8-33 bytes (gcm, tunnel)" gcm-tun malformed $N 0 \
	"$(want sa.gcm-tun.malformed $N ns.malformed $N)" trunc 8,12,24,33 "$FRESH"
# cbc: 8 + IV 16 + 2 + ICV 16 = 42
fresh cbc-tr $N
run "truncated 8-41 bytes (cbc)" cbc-tr malformed $N 0 \
	"$(want sa.cbc-tr.malformed $N ns.malformed $N)" trunc 8,24,40,41 "$FRESH"

# --------------------------------- 2. ciphertext not a block multiple ---
fresh gcm-tr $N
run "ciphertext not a multiple of 4 (gcm)" gcm-tr malformed $N 0 \
	"$(want sa.gcm-tr.malformed $N ns.malformed $N)" ctlen 1,2,3,5 "$FRESH"
fresh cbc-tr $N
run "ciphertext not a multiple of 16 (cbc)" cbc-tr malformed $N 0 \
	"$(want sa.cbc-tr.malformed $N ns.malformed $N)" ctlen 4,8,12 "$FRESH"

# ----------------------------------------- 3. trailer, valid ICV ---
# the window moves (the ICV verified), the packet is dropped
fresh gcm-tr $N
run "bad pad length (valid ICV)" gcm-tr bad_padding $N 0 \
	"$(want sa.gcm-tr.bad_padding $N ns.bad_padding $N sa.gcm-tr.top $N)" \
	padlen 255,100,60 "$FRESH"
fresh gcm-tr $N
run "pad bytes not 1,2,3,... (valid ICV)" gcm-tr bad_padding $N 0 \
	"$(want sa.gcm-tr.bad_padding $N ns.bad_padding $N sa.gcm-tr.top $N)" \
	padbytes "" "$FRESH"
fresh cbc-tr $N
run "pad bytes not 1,2,3,... (cbc, valid ICV)" cbc-tr bad_padding $N 0 \
	"$(want sa.cbc-tr.bad_padding $N ns.bad_padding $N sa.cbc-tr.top $N)" \
	padbytes "" "$FRESH"
fresh gcm-tun $N
run "tunnel next header not IPv4 (valid ICV)" gcm-tun bad_nexthdr $N 0 \
	"$(want sa.gcm-tun.bad_nexthdr $N ns.bad_nexthdr $N sa.gcm-tun.top $N)" \
	nexthdr 17,41,6,0,255 "$FRESH"
# a dummy packet: dropped without any error; only the window moves
fresh gcm-tr $N
run "next header 59, dummy (transport)" gcm-tr none $N 0 \
	"$(want sa.gcm-tr.top $N)" nexthdr 59 "$FRESH"
fresh gcm-tun $N
run "next header 59, dummy (tunnel)" gcm-tun none $N 0 \
	"$(want sa.gcm-tun.top $N)" nexthdr 59 "$FRESH"

# ----------------------------------------------------- 4. the ICV ---
fresh gcm-tr $N
run "ICV mismatch (gcm)" gcm-tr auth $N 0 \
	"$(want sa.gcm-tr.auth $N ns.auth $N)" icv "" "$FRESH"
fresh cbc-tr $N
run "ICV mismatch (cbc/hmac)" cbc-tr auth $N 0 \
	"$(want sa.cbc-tr.auth $N ns.auth $N)" icv "" "$FRESH"

# ------------------------------------------ 5. sequence numbers ---
# 10 valid packets, then the same 10 twice: 20 replays
fresh gcm-tr 10
S=$FRESH
b=$(snap)
out=$(craft gcm-tr valid "" "$S" 10 2>&1) || diag "$out"
w=$(want sa.gcm-tr.in_packets 10 sa.gcm-tr.top 10 rx.7000 10)
w=$(top_moves "$b" gcm-tr "$S" "$w")
a=$(settle "$b" "$w")
check "replayed packets: first 10 valid ones accepted" \
	same replay-first "$(sdiff "$b" "$a")" "$w"
b=$a
out=$(craft gcm-tr valid "" "$S" 10 2>&1) || diag "$out"
out=$(craft gcm-tr valid "" "$S" 10 2>&1) || diag "$out"
w=$(want sa.gcm-tr.replay $N ns.replay $N)
a=$(settle "$b" "$w")
d=$(sdiff "$b" "$a")
check "replayed packets: $N on gcm-tr: only the expected counters moved" \
	same replay "$d" "$w"
D=$d
figure replayed $N "$(sum rx)" replay
valid_after replayed gcm-tr
# left of the window (top - 100 ...), then sequence number 0
TOP=$((NEXT[gcm-tr] - 1))
run "too old (top - 100)" gcm-tr too_old $N 0 \
	"$(want sa.gcm-tr.too_old $N ns.too_old $N)" valid "" $((TOP - 100))
run "sequence number 0" gcm-tr too_old $N 0 \
	"$(want sa.gcm-tr.too_old $N ns.too_old $N)" valid "" 0 --step 0
# ------------------------------------------------- 6. unknown SPI ---
SPEC[unknown]="spi=0xdead0001,mode=transport,aead=$KT" PORT[unknown]=7000
w=$(want ns.no_sa $N)
try "unknown SPI" unknown "$w" valid "" 1 $N
check "unknown SPI: $N packets: only drops.no_sa moved" same no_sa "$D" "$w"
figure "unknown SPI" $N "$(sum rx)" no_sa
valid_after "unknown SPI" gcm-tr

# --------------------------------------------- 7. ESP in UDP 4500 ---
run "UDP 4500 (zero length, keepalive, marker, truncated ESP)" gcm-tr \
	none $N 0 "$(want ip.UdpNoPorts $N)" udp4500 \
	empty,keepalive,marker,trunc7,esphdr "${NEXT[gcm-tr]}"

# ---------------------------------------------------- 8. fragments ---
F=10
fresh gcm-tr $F
run "fragmented valid ESP (in order)" gcm-tr none $F $F \
	"$(want ip.IpReasmReqds $((3 * F)) ip.IpReasmOKs $F \
		sa.gcm-tr.in_packets $F sa.gcm-tr.top $F rx.7000 $F)" \
	frag ok "$FRESH"
fresh gcm-tun $F
run "fragmented valid ESP (reverse order, tunnel)" gcm-tun none $F $F \
	"$(want ip.IpReasmReqds $((3 * F)) ip.IpReasmOKs $F \
		sa.gcm-tun.in_packets $F sa.gcm-tun.top $F rx.7001 $F)" \
	frag reverse "$FRESH"
fresh gcm-tr $F
run "overlapping fragments" gcm-tr ip-layer $F 0 \
	"$(want ip.IpReasmReqds $((3 * F)) ip.IpExtReasmOverlaps $F)" \
	frag overlap "$FRESH"
fresh gcm-tr $F
run "a missing fragment" gcm-tr ip-layer $F 0 \
	"$(want ip.IpReasmReqds $((2 * F)))" frag missing "$FRESH"

# ------------------------------------------- 9. outer IPv4 options ---
fresh gcm-tr $N
run "outer IPv4 options (NOP, record route)" gcm-tr none $N $N \
	"$(want sa.gcm-tr.in_packets $N sa.gcm-tr.top $N rx.7000 $N)" \
	options "" "$FRESH"
fresh gcm-tun $N
run "outer IPv4 options (tunnel)" gcm-tun none $N $N \
	"$(want sa.gcm-tun.in_packets $N sa.gcm-tun.top $N rx.7001 $N)" \
	options "" "$FRESH"

# the tunnel SA's window is far enough from 0 by now
run "too old (tunnel, top - 64 - $N)" gcm-tun too_old $N 0 \
	"$(want sa.gcm-tun.too_old $N ns.too_old $N)" valid "" \
	$((NEXT[gcm-tun] - 1 - 64 - N))

# -------------------------------------------------- 10. link MTU ---
fresh gcm-tr 5
run "valid ESP of exactly the MTU ($MTU), DF" gcm-tr none 5 5 \
	"$(want sa.gcm-tr.in_packets 5 sa.gcm-tr.top 5 rx.7000 5)" \
	size "$MTU" "$FRESH"
# GCM ESP lengths are multiples of 4: MTU + 1 can carry no valid ESP;
# MTU + 4 is the next valid one. The link refuses both.
fresh gcm-tr 2
b=$(snap)
check "MTU + 1 and MTU + 4 bytes with DF: the link refuses to send them" \
	craft gcm-tr trunc "$((MTU + 1 - 20))" "$FRESH" 1 --expect-refused
check "(MTU + 4: a valid ESP packet)" \
	craft gcm-tr size "$((MTU + 4))" "$((FRESH + 1))" 1 --expect-refused
sleep 0.5
check "nothing reached A: no counter moved" same over-mtu "$(sdiff "$b" "$(snap)")" ""
figure "MTU + 1, MTU + 4 with DF (refused by the sending link)" 2 0 none

# --------------------------------- 11. tunnel: broken inner header ---
fresh gcm-tun $N
run "tunnel inner IPv4 header broken (valid ICV)" gcm-tun malformed $N 0 \
	"$(want sa.gcm-tun.malformed $N ns.malformed $N sa.gcm-tun.top $N)" \
	inner version,ihl,totlen,short,csum "$FRESH"

# ------------------------------- 12. cleartext a policy must refuse ---
# UDP to 10.0.0.1:7000, which its dir in policy says arrives in ESP:
# whole or in fragments (checked after reassembly, where the ports are),
# first with no conntrack in A, then with it (nftables ct rule).
plain_case() { # LABEL PSEUDO-SA SIZE FRAMES
	local w kind="cleartext UDP $3 bytes ($1)"
	w=$(want ns.plaintext $N)
	(($4 > 1)) && w=$(want ns.plaintext $N ip.IpReasmReqds $(($4 * N)) \
		ip.IpReasmOKs $N)
	try "$kind" "$2" "$w" plain "$3" 1 $N --step 0
	check "$kind: $N datagrams: only the expected counters moved" \
		same "$kind" "$D" "$w"
	figure "$kind" $N "$(sum rx)" plaintext
}
plain_case "no conntrack" plain 100 1
plain_case "no conntrack, 3 fragments" plain 3000 3
check "A: an nftables ruleset that uses conntrack" \
	nsx "$A" nft -f - <<<'table inet hostile {
		chain in { type filter hook input priority 0; ct state invalid counter; }
	}'
plain_case "conntrack" plain 100 1
plain_case "conntrack, 3 fragments" plain 3000 3
nsx "$A" nft delete table inet hostile
# to an address that is local through policy routing only
plain_case "to $LR, local through table 100" lroute 100 1
# DNATed on arrival to $N1:7003, whose own policy does not ask for ESP:
# the dir in policy matches the flow as it was on the wire (XFRM:
# nf_nat_decode_session), so the port-forward does not let it in
check "A: nftables DNAT of UDP to $O1:7000 to $N1:7003" \
	nsx "$A" nft -f - <<<"table ip hostnat {
		chain pre { type nat hook prerouting priority -100;
			    ip daddr $O1 udp dport 7000 dnat to $N1:7003; }
	}"
plain_case "DNAT to $N1:7003" plain 100 1
nsx "$A" nft delete table ip hostnat
nsx "$A" conntrack -F >/dev/null 2>&1 || true
valid_after "cleartext" gcm-tr
# Cleartext ICMP errors about protected flows (RFC 4301 6.2), as XFRM
# treats them: checked as ICMP packets of their own. Where the dir in
# policy protects every protocol (the nest SA's), they are dropped; where
# it protects UDP to one port (gcm-tr's), they are not ESP's business and
# reach the IP layer (here: no socket, nothing counted).
icmp_case() { # LABEL PSEUDO-SA TYPE WANT
	local kind="cleartext ICMP $3 ($1)"
	try "$kind" "$2" "$4" icmperr "$3" 1 $N --step 0
	check "$kind: $N errors: only the expected counters moved" \
		same "$kind" "$D" "$4"
	figure "$kind" $N $((N - $(sum ns))) \
		"$([[ -n $4 ]] && echo plaintext || echo none)"
}
SPEC[icmp-all]=${SPEC[nest]} PORT[icmp-all]=7003 XARGS[icmp-all]=${XARGS[nest]}
SPEC[icmp-udp]=${SPEC[gcm-tr]} PORT[icmp-udp]=7000
for t in unreach fragneeded; do
	icmp_case "policy for every protocol" icmp-all $t "$(want ns.plaintext $N)"
	icmp_case "policy for UDP port 7000 only" icmp-udp $t ""
done

# ------------------------------------------------ 13. nested ESP ---
# Layer after layer of ESP under one SA, each valid, in one packet (IP
# fragments from 40 layers on). XFRM accepts 6 transforms per packet; so
# do we: 6 layers are decrypted (and counted), the 7th is dropped as
# nesting. Each layer goes back through the stack as a packet of its own,
# never on the stack of the one before: 1000 layers leave the kernel up.
MAXDEPTH=6
nest_tried=0 nest_dlv=0
for depth in 1 2 3 4 5 6 7 8 12 30 60 100 300 1000; do
	fresh nest "$depth"
	b=$(snap)
	out=$(craft nest nest "$depth" "$FRESH" 1 2>&1) ||
		diag "nest $depth: esp_craft.py: $out"
	frames=$(sed -n 's/.* in \([0-9]*\) frames.*/\1/p' <<<"$out")
	frag=()
	((frames > 1)) && frag=(ip.IpReasmReqds "$frames" ip.IpReasmOKs 1)
	if ((depth <= MAXDEPTH)); then
		w=$(want sa.nest.in_packets "$depth" sa.nest.top "$depth" \
			rx.7003 1 "${frag[@]}")
	else
		w=$(want sa.nest.in_packets $MAXDEPTH sa.nest.top $MAXDEPTH \
			sa.nest.nesting 1 ns.nesting 1 "${frag[@]}")
	fi
	a=$(settle "$b" "$w")
	d=$(sdiff "$b" "$a")
	check "nested ESP, $depth layer(s) in $frames frame(s): only the expected counters moved" \
		same "nest $depth" "$d" "$w"
	nest_tried=$((nest_tried + 1))
	D=$d
	nest_dlv=$((nest_dlv + $(sum rx)))
	# nothing is left half done: the next layer numbers are the next ones
	NEXT[nest]=$((FRESH + (depth < MAXDEPTH ? depth : MAXDEPTH)))
done
figure "nested ESP, 1..1000 layers" "$nest_tried" "$nest_dlv" nesting
valid_after "nested ESP" nest

# ---------------------------------------------------------- the end ---
for sa in gcm-tun cbc-tr; do valid_after "all the kinds" "$sa"; done
check "A still has its 4 SAs, all valid" eval \
	'[[ $(ctl -j sa list | jq "[.[] | select(.state == \"valid\")] | length") == 4 ]]'
check "no kernel splat" eval \
	'! dmesg | tail -n +$((DMESG0 + 1)) |
	   grep -E "WARNING|BUG|Oops|KASAN|lockdep|RCU|leak|Call Trace"'
for f in "${FIG[@]}"; do diag "$f"; done
diag "hostile: total tried $TRIED dropped $DROPPED"
diag "done after ${SECONDS}s"
tap_done
