#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What a decrypted packet looks like to the stack, and what nfipsec must
# leave alone.
# 1. A (nfipsec) receives UDP from B (XFRM) in tunnel and in transport
#    mode, with a record route IP option: the receiving socket sees the
#    interface the ESP arrived on (IP_PKTINFO) and the options
#    (IP_RECVOPTS), as for a packet that was never encrypted.
# 2. A bridge in the gateway namespace with br_netfilter: the IPv4 hooks
#    see bridged frames too. Hosts on the bridge reach the remote site
#    through the tunnel; frames bridged between two of them are not
#    routed and no policy applies to them (as with XFRM), even where a
#    policy covering their addresses exists.
#
#   A (nfipsec) va 10.0.0.1 ------------- vb 10.0.0.2 B (XFRM)
#   dummy0 10.1.0.1                            dummy0 10.2.0.2
#
#   h1  192.168.100.10 --.
#                        br0 gw1 (nfipsec) 10.255.0.1 -- 10.255.0.2 gw2 (XFRM) -- h2 172.16.10.10
#   h1b 192.168.100.11 --'   192.168.100.1
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

PY=/usr/bin/python3
META=$REPO/selftests/lib/udp_meta.py
GCM='rfc4106(gcm(aes))'
A=nfi-ia-$$ B=nfi-ib-$$
TMP=$(mktemp -d /tmp/nfipsec-inbound.XXXXXX)
on_exit "rm -rf $TMP"
DMESG0=$(dmesg | wc -l)

load_nfipsec

# ---------------------------------------- 1. pktinfo and IP options ---
two_sites "$A" "$B" || bail_out "two sites: setup failed"
# pair SIDE NS ME PEER MESEL PEERSEL SPI_OUT SPI_IN MODE KEY_OUT KEY_IN [SEL...]
pair() {
	local side=$1 ns=$2 me=$3 peer=$4 ms=$5 ps=$6 so=$7 si=$8 mode=$9
	local ko=${10} ki=${11}
	shift 11
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp spi "$so" \
		mode "$mode" aead "$GCM" "$ko" 128 &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp spi "$si" \
		mode "$mode" aead "$GCM" "$ki" 128 &&
	xf "$side" "$ns" policy add src "$ms" dst "$ps" "$@" dir out \
		tmpl src "$me" dst "$peer" proto esp mode "$mode" &&
	xf "$side" "$ns" policy add src "$ps" dst "$ms" "$@" dir in \
		tmpl src "$peer" dst "$me" proto esp mode "$mode"
}
K1=$(randhex 20) K2=$(randhex 20) K3=$(randhex 20) K4=$(randhex 20)
check "A (nfipsec) and B (XFRM): a tunnel SA pair 10.1.0.1 <-> 10.2.0.2" eval '
	pair nfipsec $A 10.0.0.1 10.0.0.2 10.1.0.1 10.2.0.2 0x3001 0x3002 tunnel $K1 $K2 &&
	pair xfrm $B 10.0.0.2 10.0.0.1 10.2.0.2 10.1.0.1 0x3002 0x3001 tunnel $K2 $K1'
check "A and B: a transport SA pair for UDP port 7100" eval '
	pair nfipsec $A 10.0.0.1 10.0.0.2 10.0.0.1 10.0.0.2 0x3003 0x3004 transport $K3 $K4 proto udp &&
	pair xfrm $B 10.0.0.2 10.0.0.1 10.0.0.2 10.0.0.1 0x3004 0x3003 transport $K4 $K3 proto udp'
VA=$(nsx "$A" cat /sys/class/net/va/ifindex)

# meta MODE DST: 3 datagrams B -> DST:7100 with record route; A's socket
# must see ifindex of va and the option.
meta() {
	local out=$TMP/meta-$1 pid i n=3
	nsx "$A" "$PY" -u "$META" recv --port 7100 --count $n --timeout "$(tmo 20)" \
		>"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$out" && break
		sleep 0.1
	done
	nsx "$B" "$PY" "$META" send --dst "$2" --port 7100 --count $n --rr
	wait "$pid" || { cat "$out"; return 1; }
	cat "$out"
	[[ $(grep -c "^from" "$out") == "$n" ]] &&
	! grep "^from" "$out" | grep -qv " ifindex $VA opts 01070b"
}
b=$(xfrm_sa_counters "$B" 10.0.0.2 | cut -d" " -f3)
check "tunnel mode: the socket sees ifindex $VA (va) and the record route option" \
	meta tunnel 10.1.0.1
check "tunnel mode: the datagrams went through ESP (B's SA counted them)" \
	eval '(( $(xfrm_sa_counters "$B" 10.0.0.2 | cut -d" " -f3) >= b + 3 ))'
b=$(xfrm_sa_counters "$B" 10.0.0.2 | cut -d" " -f3)
check "transport mode: the socket sees ifindex $VA (va) and the record route option" \
	meta transport 10.0.0.1
check "transport mode: the datagrams went through ESP (B's SA counted them)" \
	eval '(( $(xfrm_sa_counters "$B" 10.0.0.2 | cut -d" " -f3) >= b + 3 ))'

# ------------------------------------------------- 2. bridged frames ---
P=nfi-ib$$
h1=$P-h1 h1b=$P-h1b gw1=$P-gw1 gw2=$P-gw2 h2=$P-h2
ns_add "$h1" "$h1b" "$gw1" "$gw2" "$h2"
kmod br_netfilter || true
check "gw1: br0 with two ports, bridge-nf-call-iptables on" eval '
	nsx $gw1 ip link add br0 type bridge &&
	ip link add p1 netns $gw1 type veth peer name eth0 netns $h1 &&
	ip link add p2 netns $gw1 type veth peer name eth0 netns $h1b &&
	nsx $gw1 ip link set p1 master br0 && nsx $gw1 ip link set p2 master br0 &&
	nsx $gw1 ip link set p1 up && nsx $gw1 ip link set p2 up &&
	nsx $gw1 ip addr add 192.168.100.1/24 dev br0 && nsx $gw1 ip link set br0 up &&
	nsx $gw1 sysctl -qw net.bridge.bridge-nf-call-iptables=1 &&
	[[ $(nsx $gw1 sysctl -n net.bridge.bridge-nf-call-iptables) == 1 ]]'
for h in "$h1:192.168.100.10" "$h1b:192.168.100.11"; do
	nsx "${h%%:*}" ip addr add "${h#*:}/24" dev eth0
	nsx "${h%%:*}" ip link set eth0 up
	nsx "${h%%:*}" ip route add default via 192.168.100.1
done
ns_link "$gw1" wan0 10.255.0.1/24 "$gw2" wan0 10.255.0.2/24
ns_link "$gw2" lan 172.16.10.1/24 "$h2" eth0 172.16.10.10/24
nsx "$h2" ip route add default via 172.16.10.1
nsx "$gw1" ip route add 172.16.10.0/24 via 10.255.0.2
nsx "$gw2" ip route add 192.168.100.0/24 via 10.255.0.1
for ns in "$gw1" "$gw2"; do nsx "$ns" sysctl -qw net.ipv4.ip_forward=1; done
# gw SIDE NS ME PEER LOCAL REMOTE OSPI ISPI KO KI
gw() {
	local side=$1 ns=$2 me=$3 peer=$4 l=$5 r=$6 so=$7 si=$8 d
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp spi "$so" \
		reqid 7 mode tunnel aead "$GCM" "$9" 128 &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp spi "$si" \
		reqid 7 mode tunnel aead "$GCM" "${10}" 128 &&
	xf "$side" "$ns" policy add src "$l" dst "$r" dir out \
		tmpl src "$me" dst "$peer" proto esp reqid 7 mode tunnel || return
	for d in in fwd; do
		xf "$side" "$ns" policy add src "$r" dst "$l" dir $d \
			tmpl src "$peer" dst "$me" proto esp reqid 7 mode tunnel ||
			return
	done
}
check "gw1 (nfipsec) and gw2 (XFRM): tunnel 192.168.100.0/24 <-> 172.16.10.0/24" eval '
	gw nfipsec $gw1 10.255.0.1 10.255.0.2 192.168.100.0/24 172.16.10.0/24 0x4001 0x4002 $K1 $K2 &&
	gw xfrm $gw2 10.255.0.2 10.255.0.1 172.16.10.0/24 192.168.100.0/24 0x4002 0x4001 $K2 $K1'
# Policies whose selectors cover frames bridged between h1 and h1b: were
# they routed, these would encrypt them (out) and refuse them (fwd).
check "gw1: out and fwd protect policies 192.168.100.0/24 -> 192.168.100.0/24" eval '
	xf nfipsec $gw1 policy add src 192.168.100.0/24 dst 192.168.100.0/24 dir out \
	    tmpl src 10.255.0.1 dst 10.255.0.2 proto esp reqid 7 mode tunnel &&
	xf nfipsec $gw1 policy add src 192.168.100.0/24 dst 192.168.100.0/24 dir fwd \
	    tmpl src 10.255.0.2 dst 10.255.0.1 proto esp reqid 7 mode tunnel'
check "h1 -> h2 through the bridge and the tunnel" ping_all "$h1" 172.16.10.10
check "h2 -> h1b through the tunnel and the bridge" ping_all "$h2" 192.168.100.11
check "the tunnel carried them (gw2's inbound SA counted)" \
	eval '(( $(xfrm_sa_counters "$gw2" 10.255.0.2 | cut -d" " -f1) >= 6 ))'
if is_nfipsec nfipsec; then
	before=$(nsx "$gw1" "$IPSECCTL" -j show |
		jq -c '[.stats.drops, [.sa[] | .stats.out_packets]]')
fi
check "h1 -> h1b, bridged: answered" ping_all "$h1" 192.168.100.11 5
check "h1b -> h1, bridged: answered" ping_all "$h1b" 192.168.100.10 5
if is_nfipsec nfipsec; then
	check "gw1 neither encrypted nor dropped a bridged frame (counters unchanged)" \
		eval '[[ $(nsx "$gw1" "$IPSECCTL" -j show |
			jq -c "[.stats.drops, [.sa[] | .stats.out_packets]]") == "$before" ]]'
fi

check "no kernel splat" eval \
	'! dmesg | tail -n +$((DMESG0 + 1)) |
	   grep -E "WARNING|BUG|Oops|KASAN|lockdep|RCU|leak|Call Trace"'
tap_done
