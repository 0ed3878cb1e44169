#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Site-to-site gateways: gw1 runs nfipsec (ipsecctl), gw2 runs XFRM
# (ip xfrm); one tunnel-mode ESP SA pair per network pair. Hosts behind
# the gateways ping each other and exchange files over TCP in both
# directions, while a capture in the WAN router shows that only ESP
# crosses the untrusted segment.
#
#  h1a 192.168.100.10 --.                                    .-- h2 172.16.10.10
#                       gw1 10.255.1.2 -- wan -- 10.255.2.2 gw2
#  h1b 192.168.200.10 --'    (nfipsec)   router    (XFRM)
#
# NFIPSEC_DEMO=1: print the topology, every command, ping output, rates,
# and gw1's state in full. NFIPSEC_XFER_BYTES: file size (default 1 MiB).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER_BYTES=${NFIPSEC_XFER_BYTES:-1048576}
P=nfi
h1a=$P-h1a h1b=$P-h1b gw1=$P-gw1 wan=$P-wan gw2=$P-gw2 h2=$P-h2
GW1=10.255.1.2 GW2=10.255.2.2
LAN1A=192.168.100.0/24 LAN1B=192.168.200.0/24 LAN2=172.16.10.0/24
H1A=192.168.100.10 H1B=192.168.200.10 H2=172.16.10.10

if [[ $NFIPSEC_DEMO == 1 ]]; then
	diag "" \
	"Site 1: LANs 192.168.100.0/24 and 192.168.200.0/24 behind gw1 (nfipsec)" \
	"Site 2: LAN 172.16.10.0/24 behind gw2 (Linux XFRM)" \
	"" \
	"  h1a 192.168.100.10 --.                                     .-- h2 172.16.10.10" \
	"                       gw1 10.255.1.2 -- wan -- 10.255.2.2 gw2" \
	"  h1b 192.168.200.10 --'    (nfipsec)   router    (XFRM)" \
	"" \
	"One tunnel-mode ESP SA pair per network pair:" \
	"  192.168.100.0/24 <-> 172.16.10.0/24  rfc4106(gcm(aes)) 256-bit, ICV 128" \
	"  192.168.200.0/24 <-> 172.16.10.0/24  cbc(aes) 256-bit + hmac(sha256)" \
	"gw1 side: $(is_nfipsec nfipsec && echo "nfipsec via $IPSECCTL" || echo "ip xfrm (NFIPSEC_SIDE=xfrm)")" ""
fi

load_nfipsec
ns_add "$h1a" "$h1b" "$gw1" "$wan" "$gw2" "$h2"

# link NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair, addresses /24.
link() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	nsx "$1" ip addr add "$3/24" dev "$2"
	nsx "$4" ip addr add "$6/24" dev "$5"
	nsx "$1" ip link set "$2" up
	nsx "$4" ip link set "$5" up
}
link "$h1a" eth0 $H1A "$gw1" lan100 192.168.100.1
link "$h1b" eth0 $H1B "$gw1" lan200 192.168.200.1
link "$gw1" wan0 $GW1 "$wan" gw1 10.255.1.1
link "$gw2" wan0 $GW2 "$wan" gw2 10.255.2.1
link "$h2" eth0 $H2 "$gw2" lan 172.16.10.1
nsx "$h1a" ip route add default via 192.168.100.1
nsx "$h1b" ip route add default via 192.168.200.1
nsx "$h2" ip route add default via 172.16.10.1
nsx "$gw1" ip route add default via 10.255.1.1
nsx "$gw2" ip route add default via 10.255.2.1
for ns in "$gw1" "$wan" "$gw2"; do
	nsx "$ns" sysctl -qw net.ipv4.ip_forward=1
done

# gw_conf SIDE NS ME PEER LOCAL_LAN REMOTE_LAN REQID OUT_SPI IN_SPI ALG...
gw_conf() {
	local side=$1 ns=$2 me=$3 peer=$4 l=$5 r=$6 reqid=$7 ospi=$8 ispi=$9
	shift 9
	local d
	local -a alg=("$@")
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp spi "$ospi" \
		reqid "$reqid" mode tunnel "${alg[@]}" &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp spi "$ispi" \
		reqid "$reqid" mode tunnel "${alg[@]}" &&
	xf "$side" "$ns" policy add dir out src "$l" dst "$r" \
		tmpl src "$me" dst "$peer" proto esp reqid "$reqid" mode tunnel || return
	for d in in fwd; do
		xf "$side" "$ns" policy add dir "$d" src "$r" dst "$l" \
			tmpl src "$peer" dst "$me" proto esp reqid "$reqid" \
			mode tunnel || return
	done
}
# The same keys on both gateways (one key per pair here, for brevity).
ALG_A=(aead 'rfc4106(gcm(aes))' "$(randhex 36)" 128)
ALG_B=(enc 'cbc(aes)' "$(randhex 32)" auth-trunc 'hmac(sha256)' "$(randhex 32)" 128)
check "gw1 (nfipsec): SAs and policies for $LAN1A <-> $LAN2" \
	gw_conf nfipsec "$gw1" $GW1 $GW2 $LAN1A $LAN2 100 0x100a 0x100b "${ALG_A[@]}"
check "gw1 (nfipsec): SAs and policies for $LAN1B <-> $LAN2" \
	gw_conf nfipsec "$gw1" $GW1 $GW2 $LAN1B $LAN2 200 0x200a 0x200b "${ALG_B[@]}"
check "gw2 (xfrm): SAs and policies for $LAN2 <-> $LAN1A" \
	gw_conf xfrm "$gw2" $GW2 $GW1 $LAN2 $LAN1A 100 0x100b 0x100a "${ALG_A[@]}"
check "gw2 (xfrm): SAs and policies for $LAN2 <-> $LAN1B" \
	gw_conf xfrm "$gw2" $GW2 $GW1 $LAN2 $LAN1B 200 0x200b 0x200a "${ALG_B[@]}"

# Capture on the WAN router: every IP packet that is not ESP (there should
# be none), and the first ESP packets (there should be some).
PCAP=$(mktemp -d /tmp/nfipsec-wan.XXXXXX)
on_exit "rm -rf $PCAP"
# capture NAME FILTER [ARGS]: start tcpdump in the background
capture() {
	pretty "$wan" "tcpdump -i any -n -U -w $PCAP/$1.pcap ${*:3} '$2'"
	(exec ip netns exec "$wan" tcpdump -i any -n -U -Z root -s 128 "${@:3}" \
		-w "$PCAP/$1.pcap" "$2" 2>"$PCAP/$1.log") &
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$PCAP/$1.log" && return 0
		sleep 0.1
	done
	bail_out "tcpdump: $(cat "$PCAP/$1.log")"
}
capture plain 'ip and not esp'
PLAIN_PID=$!
capture esp esp -c 50
ESP_PID=$!

check "ping h1a -> h2 ($H1A -> $H2)" ping_all "$h1a" $H2
check "ping h2 -> h1a ($H2 -> $H1A)" ping_all "$h2" $H1A
check "ping h1b -> h2 ($H1B -> $H2)" ping_all "$h1b" $H2
check "ping h2 -> h1b ($H2 -> $H1B)" ping_all "$h2" $H1B

FILE=$(mktemp /tmp/nfipsec-gw.XXXXXX)
on_exit "rm -f $FILE"
head -c "$XFER_BYTES" /dev/urandom >"$FILE"
# tcp_both NAME NS ADDR: a file from the host to h2 and one back.
tcp_both() {
	if ping_all "$2" $H2 1 >/dev/null; then
		check "tcp $1 -> h2, $XFER_BYTES bytes" tcp_xfer "$2" "$h2" $H2 "$FILE"
		check "tcp h2 -> $1, $XFER_BYTES bytes" tcp_xfer "$h2" "$2" "$3" "$FILE"
	else
		not_ok "tcp $1 -> h2 (not tried: no ping)"
		not_ok "tcp h2 -> $1 (not tried: no ping)"
	fi
}
tcp_both h1a "$h1a" $H1A
tcp_both h1b "$h1b" $H1B

kill -TERM "$PLAIN_PID" "$ESP_PID" 2>/dev/null || true
wait "$PLAIN_PID" "$ESP_PID" || true
count() { tcpdump -r "$PCAP/$1.pcap" -n "${@:2}" 2>/dev/null | wc -l; }
check "WAN carried ESP between the gateways" \
	test "$(count esp "esp and src $GW1 and dst $GW2")" -gt 0 \
	-a "$(count esp "esp and src $GW2 and dst $GW1")" -gt 0
plain() {
	local n
	n=$(count plain)
	echo "$n non-ESP IP packets on the WAN"
	((n == 0)) || { tcpdump -r "$PCAP/plain.pcap" -n 2>/dev/null | head -n 20; return 1; }
}
check "WAN carried no plaintext (no IP packet but ESP)" plain
check "WAN never saw a LAN address in clear" \
	test "$(count plain "net $LAN1A or net $LAN1B or net $LAN2")" -eq 0

# Counters: each gateway decrypted two files' worth, encrypted two more.
counters_ok() {
	local c ip ib op ob e
	c=$(sa_counters "$@") || return 1
	read -r ip ib op ob e <<<"$c"
	echo "in $ip packets $ib bytes, out $op packets $ob bytes, errors $e"
	((ib >= 2 * XFER_BYTES && ob >= 2 * XFER_BYTES && ip >= 12 &&
	  op >= 12 && e == 0))
}
check "gw2 (xfrm) SAs decrypted and encrypted the traffic" counters_ok xfrm "$gw2" $GW2
check "gw1 SA counters show the traffic" counters_ok nfipsec "$gw1" $GW1

if is_nfipsec nfipsec; then
	SHOW=("$IPSECCTL" show) STATS=("$IPSECCTL" stats)
else
	SHOW=(sh -c 'ip -s xfrm state; ip -s xfrm policy') STATS=(cat /proc/net/xfrm_stat)
fi
if out=$(ip netns exec "$gw1" "${SHOW[@]}" 2>&1); then
	ok "gw1: ${SHOW[*]}"
else
	not_ok "gw1: ${SHOW[*]}"
fi
diag "gw1: ${SHOW[*]}" "$out"
if [[ $NFIPSEC_DEMO == 1 ]]; then
	if out=$(ip netns exec "$gw1" "${STATS[@]}" 2>&1); then
		ok "gw1: ${STATS[*]}"
	else
		not_ok "gw1: ${STATS[*]}"
	fi
	diag "gw1: ${STATS[*]}" "$out"
fi
tap_done
