#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU, and the output path's route under asynchronous crypto.
#
#  1. Transport mode, nfipsec C -> XFRM D over a 1500-byte link: a 10 MiB
#     TCP transfer; the ESP packets on the wire are near the link MTU
#     (at least 1400 bytes, none fragmented) and C's route to D carries
#     no locked PMTU (each inner "fragmentation needed" must not lower
#     the outer path MTU again).
#  2. The same for host-to-host tunnel mode (E -> F): the inner and the
#     outer packets share one route.
#  3. Gateways with a 1400-byte link behind a router:
#
#     h1 192.168.1.10 -- g1 10.255.1.2 -- r -- 10.255.2.2 g2 -- h2 172.16.1.10
#                       (nfipsec)      1500 1400       (XFRM)
#
#     the router answers g1's too big ESP with ICMP "fragmentation
#     needed"; g1 must learn the SA's path MTU (1400) from it, or large
#     packets vanish. TCP in both directions; forged notices (MTU below
#     the minimum, unknown SPI, foreign source, sequence number never
#     sent) change nothing.
#  4. Asynchronous crypto: transport SAs whose AEAD is a pcrypt instance
#     of rfc4106(gcm(aes)) (completed from a kernel thread, after the
#     hook's RCU read side), with TCP and ping traffic while the SA is
#     updated and the route to the peer is replaced over and over. The
#     kernel log must stay clean (the debug kernel's KASAN sees a use of a
#     freed route). Skipped when the kernel has no pcrypt. Under lockdep,
#     its validation is paused for this case only (kernel.prove_locking
#     0, then back): 6.1's padata trips it at pcrypt's first packet,
#     whoever uses pcrypt; KASAN and the rest of the debug kernel keep
#     watching. Runs last: once a pcrypt instance is registered, the
#     crypto API prefers it for rfc4106(gcm(aes)) to every later user,
#     XFRM included.
#
# NFIPSEC_PMTU_BYTES (or NFIPSEC_XFER_BYTES): size of the transfers of 1, 2
# and 4 (default 10 MiB).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

if [[ $NFIPSEC_SIDE != nfipsec ]]; then
	echo "1..0 # SKIP pmtu tests the nfipsec side"
	exit 0
fi

XFER_BYTES=${NFIPSEC_PMTU_BYTES:-${NFIPSEC_XFER_BYTES:-10485760}}
GCM='rfc4106(gcm(aes))'
P=nfi-pm$$
TMP=$(mktemp -d /tmp/nfipsec-pmtu.XXXXXX)
on_exit "rm -rf $TMP"
FILE=$TMP/file
head -c "$XFER_BYTES" /dev/urandom >"$FILE"
DMESG0=$(dmesg | wc -l)

load_nfipsec

# pair SIDE NS ME PEER MODE OSPI ISPI AEAD KEY: an SA pair and the policies
# protecting ME <-> PEER (hosts) in MODE.
pair() {
	local side=$1 ns=$2 me=$3 peer=$4 mode=$5 ospi=$6 ispi=$7 alg=$8 key=$9
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp spi "$ospi" \
		reqid 1 mode "$mode" aead "$alg" "$key" 128 &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp spi "$ispi" \
		reqid 1 mode "$mode" aead "$alg" "$key" 128 &&
	xf "$side" "$ns" policy add src "$me" dst "$peer" dir out \
		tmpl src "$me" dst "$peer" proto esp reqid 1 mode "$mode" &&
	xf "$side" "$ns" policy add src "$peer" dst "$me" dir in \
		tmpl src "$peer" dst "$me" proto esp reqid 1 mode "$mode"
}

# capture NS DEV NAME: ESP headers arriving on DEV in NS, in the background.
capture() {
	local i
	(exec ip netns exec "$1" tcpdump -i "$2" -n -U -Z root -s 64 \
		-w "$TMP/$3.pcap" esp 2>"$TMP/$3.log") &
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$TMP/$3.log" && return 0
		sleep 0.1
	done
	bail_out "tcpdump: $(cat "$TMP/$3.log")"
}

# esp_sizes NAME MIN: the captured ESP packets include one of at least MIN
# bytes, and no fragment.
esp_sizes() {
	local s
	s=$(tcpdump -r "$TMP/$1.pcap" -n -v 2>/dev/null | awk '
		/proto ESP \(50\), length/ {
			n++
			l = $0; sub(/.*length /, "", l); l += 0
			if (l > max) max = l
			if ($0 ~ /flags \[\+\]/ || $0 !~ /offset 0,/) f++
		}
		END { printf "%d %d %d\n", n, max, f }')
	read -r n max f <<<"$s"
	echo "$n ESP packets, largest $max bytes, $f fragments" |
		tee "$TMP/$1.sizes"
	((n > 0 && max >= $2 && f == 0))
}

# no_lock NS DST: the route to DST carries no locked MTU.
no_lock() {
	local r
	r=$(nsx "$1" ip route get "$2")
	echo "$r"
	! grep -q 'mtu lock' <<<"$r"
}

# sa_json NS SPI: the SA's object from ipsecctl -j sa list.
sa_json() {
	ip netns exec "$1" "$IPSECCTL" -j sa list |
		jq -c --arg s "$2" '.. | objects | select(.spi? == $s)'
}

# mtu_case NAME MODE NFI XFRM A B: a transfer from NFI (address A) to XFRM
# (B) over their 1500-byte link, then the sizes on the wire and the route.
mtu_case() {
	local name=$1 mode=$2 n=$3 x=$4 a=$5 b=$6 key
	key=$(randhex 20)
	ns_add "$n" "$x"
	ns_link "$n" vn "$a/24" "$x" vx "$b/24" ||
		bail_out "$name: link setup failed"
	pair nfipsec "$n" "$a" "$b" "$mode" 0x7101 0x7102 "$GCM" "$key" &&
	pair xfrm "$x" "$b" "$a" "$mode" 0x7102 0x7101 "$GCM" "$key" ||
		bail_out "$name: SA setup failed"
	capture "$x" vx "$name"
	local pid=$!
	check "$name: tcp nfipsec -> xfrm, $XFER_BYTES bytes" \
		tcp_xfer "$n" "$x" "$b" "$FILE"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || true
	check "$name: ESP packets of at least 1400 bytes on the wire" \
		esp_sizes "$name" 1400
	check "$name: no locked PMTU on the route to the peer" no_lock "$n" "$b"
	diag "$name: $(cat "$TMP/$name.sizes" 2>/dev/null)" \
		"$name: $(ip netns exec "$n" ip route get "$b" | tr -s ' \n' ' ')" \
		"$name: SA errors: $(nfipsec_sa_errors "$n")" \
		"$name: SA $(sa_json "$n" 0x00007101 | jq -c '{pmtu, overhead}')"
}

# ------------------------------------------------- 1, 2: no ratchet ---
mtu_case transport transport "$P-c" "$P-d" 10.0.9.1 10.0.9.2
mtu_case tunnel tunnel "$P-e" "$P-f" 10.0.8.1 10.0.8.2

# ---------------------------------------- 3: a 1400-byte link behind ---
h1=$P-h1 g1=$P-g1 r=$P-r g2=$P-g2 h2=$P-h2
G1=10.255.1.2 G2=10.255.2.2 H1=192.168.1.10 H2=172.16.1.10
L1=192.168.1.0/24 L2=172.16.1.0/24
ns_add "$h1" "$g1" "$r" "$g2" "$h2"
{
	ns_link "$h1" eth0 $H1/24 "$g1" lan 192.168.1.1/24 &&
	ns_link "$g1" wan $G1/24 "$r" g1 10.255.1.1/24 &&
	ns_link "$r" g2 10.255.2.1/24 "$g2" wan $G2/24 &&
	ns_link "$g2" lan 172.16.1.1/24 "$h2" eth0 $H2/24 &&
	nsx "$r" ip link set g2 mtu 1400 &&
	nsx "$g2" ip link set wan mtu 1400 &&
	nsx "$h1" ip route add default via 192.168.1.1 &&
	nsx "$h2" ip route add default via 172.16.1.1 &&
	nsx "$g1" ip route add default via 10.255.1.1 &&
	nsx "$g2" ip route add default via 10.255.2.1 &&
	for ns in "$g1" "$r" "$g2"; do
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 || exit 1
	done
} || bail_out "gateways: setup failed"

# gw SIDE NS ME PEER LOCAL REMOTE OSPI ISPI KEY: tunnel SAs, policies.
gw() {
	local side=$1 ns=$2 me=$3 peer=$4 l=$5 rm=$6 ospi=$7 ispi=$8 key=$9 d
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp spi "$ospi" \
		reqid 5 mode tunnel aead "$GCM" "$key" 128 &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp spi "$ispi" \
		reqid 5 mode tunnel aead "$GCM" "$key" 128 &&
	xf "$side" "$ns" policy add dir out src "$l" dst "$rm" \
		tmpl src "$me" dst "$peer" proto esp reqid 5 mode tunnel || return
	for d in in fwd; do
		xf "$side" "$ns" policy add dir "$d" src "$rm" dst "$l" \
			tmpl src "$peer" dst "$me" proto esp reqid 5 \
			mode tunnel || return
	done
}
KEY=$(randhex 20)
gw nfipsec "$g1" $G1 $G2 $L1 $L2 0x7301 0x7302 "$KEY" &&
gw xfrm "$g2" $G2 $G1 $L2 $L1 0x7302 0x7301 "$KEY" ||
	bail_out "gateways: SA setup failed"

GW_BYTES=$((XFER_BYTES < 4194304 ? XFER_BYTES : 4194304))
head -c "$GW_BYTES" "$FILE" >"$TMP/gwfile"
check "1400-byte link: tcp h1 -> h2, $GW_BYTES bytes" \
	tcp_xfer "$h1" "$h2" $H2 "$TMP/gwfile"
check "1400-byte link: tcp h2 -> h1, $GW_BYTES bytes" \
	tcp_xfer "$h2" "$h1" $H1 "$TMP/gwfile"

# sa_pmtu NS SPI WANT: the SA's path MTU is WANT and was learned.
sa_pmtu() {
	local j
	j=$(sa_json "$1" "$2")
	jq -c '{pmtu, pmtu_updates: .stats.pmtu_updates}' <<<"$j"
	jq -e --argjson w "$3" '.pmtu == $w and .stats.pmtu_updates >= 1' \
		<<<"$j" >/dev/null
}
check "g1's SA towards g2 shows path MTU 1400" sa_pmtu "$g1" 0x00007301 1400

# notice FROM TO MTU SPI SRC SEQ: send TO an ICMP "fragmentation needed"
# (MTU) that quotes an ESP packet SRC -> g2 with SPI and sequence number.
notice() {
	ip netns exec "$r" python3 - "$@" <<-'EOF'
	import socket, struct, sys
	frm, to, mtu, spi, src, seq = sys.argv[1:7]
	def csum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    s = (s >> 16) + (s & 0xffff)
	    s += s >> 16
	    return ~s & 0xffff
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1500, 1, 0x4000, 63, 50, 0,
	                 socket.inet_aton(src), socket.inet_aton("10.255.2.2"))
	ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
	quote = ip + struct.pack("!II", int(spi, 0), int(seq))
	icmp = struct.pack("!BBHHH", 3, 4, 0, 0, int(mtu)) + quote
	icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
	s.bind((frm, 0))
	s.sendto(icmp, (to, 0))
	EOF
}
# forged NAME MTU SPI SRC SEQ: the notice changes neither MTU nor count.
forged() {
	local before after
	before=$(sa_json "$g1" 0x00007301 | jq -c '[.pmtu, .stats.pmtu_updates]')
	notice 10.255.1.1 $G1 "$2" "$3" "$4" "$5" || return
	sleep 0.2
	after=$(sa_json "$g1" 0x00007301 | jq -c '[.pmtu, .stats.pmtu_updates]')
	echo "$1: [pmtu, updates] $before -> $after"
	[[ $before == "$after" ]]
}
check "forged notice: MTU 500 (below the minimum) ignored" \
	forged min 500 0x7301 $G1 1
check "forged notice: unknown SPI ignored" forged spi 1300 0x7399 $G1 1
check "forged notice: foreign source address ignored" \
	forged src 1300 0x7301 10.255.1.7 1
check "forged notice: sequence number never sent ignored" \
	forged seq 1300 0x7301 $G1 1000000000
learned() {
	notice 10.255.1.1 $G1 1300 0x7301 $G1 1 || return
	sleep 0.2
	sa_pmtu "$g1" 0x00007301 1300
}
check "valid notice: path MTU 1300 learned" learned
check "1400-byte link, path MTU 1300: tcp h1 -> h2 still completes" \
	tcp_xfer "$h1" "$h2" $H2 "$TMP/gwfile"

# -------------------------------------------- 4: asynchronous crypto ---
# async_case NAME AEAD: transport SAs nfipsec (AEAD) - XFRM (rfc4106) with
# traffic while the SA is updated and the route replaced.
async_case() {
	local name=$1 alg=$2 n=$P-$1-n x=$P-$1-x a=10.0.6.1 b=10.0.6.2 key
	local i ping_pid route_pid sa_pid
	key=$(randhex 20)
	kmod "$name" >/dev/null 2>&1 || true
	if [[ ! -d /sys/kernel/$name ]]; then
		skip "$name: SAs with $alg" "the kernel has no $name"
		return 0
	fi
	# 6.1.192's padata nests two locks of one lockdep class (the serial
	# queue's, then a reorder list's, in padata_reorder()): lockdep
	# reports recursive locking at pcrypt's first packet, whoever uses
	# it. Its validation pauses for this case; KASAN does not.
	local prove=
	if [[ -w /proc/sys/kernel/prove_locking ]]; then
		prove=$(cat /proc/sys/kernel/prove_locking)
		echo 0 >/proc/sys/kernel/prove_locking
		on_exit "echo $prove >/proc/sys/kernel/prove_locking"
		diag "$name: lockdep validation paused for this case (padata)"
	fi
	ns_add "$n" "$x"
	ns_link "$n" vn "$a/24" "$x" vx "$b/24" ||
		bail_out "$name: link setup failed"
	if ! pair nfipsec "$n" "$a" "$b" transport 0x7601 0x7602 "$alg" \
		"$key" >"$TMP/$name.err" 2>&1; then
		not_ok "$name: SAs with $alg"
		diag "$(cat "$TMP/$name.err")"
		return 0
	fi
	ok "$name: SAs with $alg"
	check "$name: the SA's transform is seqiv($name(...))" \
		grep -q "^driver *: seqiv($name(" /proc/crypto
	pair xfrm "$x" "$b" "$a" transport 0x7602 0x7601 "$GCM" "$key" ||
		bail_out "$name: XFRM setup failed"
	nsx "$n" ping -q -f -w 60 -s 1200 "$b" >/dev/null 2>&1 &
	ping_pid=$!
	# The churn, until the transfers end: SA updates (new transforms
	# under the packets in flight), and a host route to the peer added
	# and removed (the sockets' routes die under the packets in flight).
	rm -f "$TMP/stop"
	for ((i = 0; i < 50; i++)); do
		echo "route add $b/32 dev vn"
		echo "route del $b/32 dev vn"
	done >"$TMP/routes"
	(
		i=0 end=$((SECONDS + 150))
		while [[ ! -e $TMP/stop ]] && ((SECONDS < end)); do
			# -force: a change refused under load does not end it.
			ip -n "$n" -force -batch "$TMP/routes" \
				2>>"$TMP/$name.route-errors" || true
			i=$((i + 100))
		done
		echo "$i" >"$TMP/$name.routes"
	) &
	route_pid=$!
	(
		i=0 end=$((SECONDS + 150))
		while [[ ! -e $TMP/stop ]] && ((SECONDS < end)); do
			ip netns exec "$n" "$IPSECCTL" sa update src $a dst $b \
				proto esp spi 0x7601 reqid 1 mode transport \
				aead "$alg" "$key" 128 || exit 1
			i=$((i + 1))
		done
		echo "$i" >"$TMP/$name.updates"
	) &
	sa_pid=$!
	check "$name: tcp nfipsec -> xfrm under churn, $XFER_BYTES bytes" \
		tcp_xfer "$n" "$x" $b "$FILE"
	check "$name: tcp xfrm -> nfipsec under churn, $XFER_BYTES bytes" \
		tcp_xfer "$x" "$n" $a "$FILE"
	touch "$TMP/stop"
	wait "$route_pid" "$sa_pid" || true
	check "$name: the route churn ran" test -s "$TMP/$name.routes"
	check "$name: the SA churn ran" test -s "$TMP/$name.updates"
	wait "$ping_pid" || true
	diag "$name: $(cat "$TMP/$name.updates" 2>/dev/null) SA updates," \
		"$(cat "$TMP/$name.routes" 2>/dev/null) route changes" \
		"($(grep -c . "$TMP/$name.route-errors" 2>/dev/null) refused);" \
		"SA errors: $(nfipsec_sa_errors "$n")"
	ip netns del "$n"
	ip netns del "$x"
	[[ -z $prove ]] || echo "$prove" >/proc/sys/kernel/prove_locking
}
async_case pcrypt "pcrypt($GCM)"

splat() {
	local s
	s=$(dmesg | tail -n +"$((DMESG0 + 1))" |
		grep -E 'WARNING:|BUG:|Oops|Call Trace:|KASAN|refcount_t' || true)
	[[ -z $s ]] || { echo "$s" | head -n 40; return 1; }
}
check "no kernel warning during the test" splat
tap_done
