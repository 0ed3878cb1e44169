#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A stateful firewall and NAT on the nfipsec gateway. gw1 (nfipsec) and
# gw2 (XFRM) protect LAN1 <-> LAN2 with a tunnel-mode SA pair; gw1 runs
# the ruleset of a typical site gateway:
#
#   forward: policy drop; ct state established,related accept;
#            ct state invalid drop; new connections from the LAN only
#   nat:     tcp 192.168.100.1:8080 (gw1's LAN address) DNATed to
#            h2:80 at the remote site, reached through the tunnel;
#            masquerade on the WAN
#
#  h1 192.168.100.10 -- gw1 10.255.1.2 -- wan -- 10.255.2.2 gw2 -- h2 172.16.10.10
#                      (nfipsec)        router        (XFRM)
#
# Connections opened from h1 carry data both ways, directly and through
# the port-forward (whose replies must be un-DNATed), and gw1's conntrack
# holds them ESTABLISHED and ASSURED: the inner packet's conntrack entry
# is confirmed before it is encrypted, as XFRM does. Protected flows are
# not masqueraded (nfipsec takes them before SNAT), other flows are. The
# outer ESP arriving at gw1 is tracked as well.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER_BYTES=${NFIPSEC_XFER_BYTES:-262144}
P=nfw
h1=$P-h1 gw1=$P-gw1 wan=$P-wan gw2=$P-gw2 h2=$P-h2
GW1=10.255.1.2 GW2=10.255.2.2 WAN1=10.255.1.1
LAN1=192.168.100.0/24 LAN2=172.16.10.0/24
H1=192.168.100.10 H2=172.16.10.10 GW1_LAN=192.168.100.1

load_nfipsec
for m in nf_conntrack nf_conntrack_netlink nf_nat nft_ct nft_nat nft_masq; do
	kmod "$m" 2>/dev/null || true
done
ns_add "$h1" "$gw1" "$wan" "$gw2" "$h2"

ns_link "$h1" eth0 $H1/24 "$gw1" lan0 $GW1_LAN/24
ns_link "$gw1" wan0 $GW1/24 "$wan" gw1 $WAN1/24
ns_link "$gw2" wan0 $GW2/24 "$wan" gw2 10.255.2.1/24
ns_link "$h2" eth0 $H2/24 "$gw2" lan0 172.16.10.1/24
nsx "$h1" ip route add default via $GW1_LAN
nsx "$h2" ip route add default via 172.16.10.1
nsx "$gw1" ip route add default via $WAN1
nsx "$gw2" ip route add default via 10.255.2.1
for ns in "$gw1" "$wan" "$gw2"; do
	nsx "$ns" sysctl -qw net.ipv4.ip_forward=1
done

# gw_conf SIDE NS ME PEER LOCAL_LAN REMOTE_LAN OUT_SPI IN_SPI
ALG=(aead 'rfc4106(gcm(aes))' "$(randhex 36)" 128)
gw_conf() {
	local side=$1 ns=$2 me=$3 peer=$4 l=$5 r=$6 ospi=$7 ispi=$8 d
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp spi "$ospi" \
		reqid 1 mode tunnel "${ALG[@]}" &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp spi "$ispi" \
		reqid 1 mode tunnel "${ALG[@]}" &&
	xf "$side" "$ns" policy add dir out src "$l" dst "$r" \
		tmpl src "$me" dst "$peer" proto esp reqid 1 mode tunnel || return
	for d in in fwd; do
		xf "$side" "$ns" policy add dir "$d" src "$r" dst "$l" \
			tmpl src "$peer" dst "$me" proto esp reqid 1 \
			mode tunnel || return
	done
}
check "gw1 (nfipsec): SAs and policies for $LAN1 <-> $LAN2" \
	gw_conf nfipsec "$gw1" $GW1 $GW2 $LAN1 $LAN2 0x3001 0x3002
check "gw2 (xfrm): SAs and policies for $LAN2 <-> $LAN1" \
	gw_conf xfrm "$gw2" $GW2 $GW1 $LAN2 $LAN1 0x3002 0x3001

check "gw1: stateful forward ruleset (policy drop, invalid drop, new from LAN only)" \
	nsx "$gw1" nft -f - <<EOF
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct state invalid counter drop
		iifname "lan0" ct state new accept
	}
}
EOF

# XFRM would masquerade protected flows too (then re-look them up as
# flows of the WAN address): there the usual exception is needed.
MASQ='oifname "wan0" masquerade'
is_nfipsec nfipsec || MASQ="oifname \"wan0\" ip daddr != $LAN2 masquerade"
NAT=1
if out=$(nsx "$gw1" nft -f - 2>&1 <<EOF
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		iifname "lan0" ip daddr $GW1_LAN tcp dport 8080 dnat to $H2:80
	}
	chain postrouting {
		type nat hook postrouting priority srcnat;
		$MASQ
	}
}
EOF
); then
	ok "gw1: DNAT $GW1_LAN:8080 -> $H2:80 (through the tunnel), masquerade on the WAN"
else
	NAT=0
	skip "gw1: DNAT and masquerade" "no NAT in this kernel: $out"
fi
CTNL=1
nsx "$gw1" conntrack -L >/dev/null 2>&1 || CTNL=0

# ct_show NS ARGS...: the conntrack entries matching ARGS (conntrack -L).
ct_show() { ip netns exec "$1" conntrack -L "${@:2}" 2>/dev/null; }

# ct_wait NS REGEX ARGS...: wait (up to 10 s) until a conntrack entry
# matching ARGS matches REGEX; prints the entries.
ct_wait() {
	local end=$((SECONDS + $(tmo 10))) out
	while ((SECONDS < end)); do
		out=$(ct_show "$1" "${@:3}")
		grep -qE "$2" <<<"$out" && { echo "$out"; return 0; }
		sleep 0.2
	done
	echo "no entry matching /$2/:"
	ct_show "$1"
	return 1
}

# No connection from the remote site: gw1 drops new connections from the
# tunnel, and it sends nothing back, so no ESP has left gw1 yet.
nsx "$h1" timeout "$(tmo 20)" socat -u TCP-LISTEN:5000,reuseaddr OPEN:/dev/null &
LPID=$!
wait_listen "$h1" 5000 || bail_out "no listener on h1"
check_fails "h2 cannot open a connection to h1 (gw1 forwards new only from the LAN)" \
	nsx "$h2" timeout 10 socat -u OPEN:/dev/null "TCP:$H1:5000,connect-timeout=3"
kill "$LPID" 2>/dev/null
wait "$LPID" 2>/dev/null || true
if ((CTNL)); then
	check "gw1 tracks the inbound ESP (its conntrack entry is confirmed)" \
		ct_wait "$gw1" "^[a-z]+ +50 .*src=$GW2 dst=$GW1" -s $GW2 -d $GW1
else
	skip "gw1 tracks the inbound ESP" "no ctnetlink in this kernel"
fi

FILE=$(mktemp /tmp/nfipsec-fw.XXXXXX)
on_exit "rm -f $FILE"
head -c "$XFER_BYTES" /dev/urandom >"$FILE"

# xfer up|down CLIENT ADDR PORT SERVER LPORT: a connection from CLIENT to
# ADDR:PORT, accepted by SERVER on LPORT, carries FILE to the server (up)
# or from it (down); the sha256 of what arrived must be equal.
xfer() {
	local dir=$1 cl=$2 addr=$3 port=$4 srv=$5 lport=$6 recv pid rc=0
	recv=$(mktemp /tmp/nfipsec-recv.XXXXXX)
	if [[ $dir == up ]]; then
		nsx "$srv" timeout "$(tmo 20)" socat -u "TCP-LISTEN:$lport,reuseaddr" \
			"CREATE:$recv" &
	else
		nsx "$srv" timeout "$(tmo 20)" socat -u "OPEN:$FILE" \
			"TCP-LISTEN:$lport,reuseaddr" &
	fi
	pid=$!
	wait_listen "$srv" "$lport" || { kill "$pid"; rm -f "$recv"; return 1; }
	if [[ $dir == up ]]; then
		nsx "$cl" timeout "$(tmo 20)" socat -u "OPEN:$FILE" \
			"TCP:$addr:$port,connect-timeout=10" || rc=$?
	else
		nsx "$cl" timeout "$(tmo 20)" socat -u "TCP:$addr:$port,connect-timeout=10" \
			"CREATE:$recv" || rc=$?
	fi
	((rc == 0)) || kill "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	if ((rc == 0)) && cmp -s "$FILE" "$recv"; then
		echo "$XFER_BYTES bytes $dir, equal"
	else
		echo "transfer failed (rc $rc): received $(stat -c %s "$recv") of $XFER_BYTES bytes"
		rc=1
	fi
	rm -f "$recv"
	return "$rc"
}

# hold_ct NAME CLIENT ADDR PORT SERVER LPORT CT_ARGS...: a connection from
# CLIENT to ADDR:PORT held open while gw1's conntrack entry for it (CT_ARGS
# select it) must read ESTABLISHED and ASSURED.
hold_ct() {
	local cl=$2 addr=$3 port=$4 srv=$5 lport=$6 got spid cpid i rc=0
	got=$(mktemp /tmp/nfipsec-hold.XXXXXX)
	nsx "$srv" timeout "$(tmo 20)" socat -u "SYSTEM:echo hello; sleep $(tmo 8)" \
		"TCP-LISTEN:$lport,reuseaddr" &
	spid=$!
	wait_listen "$srv" "$lport" || { kill "$spid"; rm -f "$got"; return 1; }
	nsx "$cl" timeout "$(tmo 20)" socat -u "TCP:$addr:$port,connect-timeout=10" \
		"CREATE:$got" &
	cpid=$!
	if ((CTNL)); then
		ct_wait "$gw1" "ESTABLISHED .*\[ASSURED\]" "${@:7}" || rc=1
	fi
	for ((i = 0; i < 50; i++)); do
		grep -q hello "$got" && break
		sleep 0.1
	done
	grep -q hello "$got" || { echo "the server's greeting did not arrive"; rc=1; }
	kill "$cpid" "$spid" 2>/dev/null
	wait "$cpid" "$spid" 2>/dev/null
	rm -f "$got"
	return "$rc"
}

check "ping h1 -> h2 through the firewall" ping_all "$h1" $H2
check "tcp h1 -> h2: upload over a connection h1 opened" \
	xfer up "$h1" $H2 5001 "$h2" 5001
check "tcp h2 -> h1: download over a connection h1 opened" \
	xfer down "$h1" $H2 5002 "$h2" 5002
if ((CTNL)); then
	check "gw1 conntrack: h1 -> h2:5003 ESTABLISHED [ASSURED]" \
		hold_ct direct "$h1" $H2 5003 "$h2" 5003 -p tcp -s $H1 --dport 5003
else
	skip "gw1 conntrack: h1 -> h2 ESTABLISHED [ASSURED]" "no ctnetlink"
fi

if ((NAT)); then
	check "DNAT tcp h1 -> $GW1_LAN:8080 -> h2:80: upload" \
		xfer up "$h1" $GW1_LAN 8080 "$h2" 80
	check "DNAT tcp h1 <- $GW1_LAN:8080 <- h2:80: download (replies un-DNATed)" \
		xfer down "$h1" $GW1_LAN 8080 "$h2" 80
	if ((CTNL)); then
		check "gw1 conntrack: h1 -> $GW1_LAN:8080 (h2:80) ESTABLISHED [ASSURED]" \
			hold_ct dnat "$h1" $GW1_LAN 8080 "$h2" 80 \
			-p tcp -s $H1 -d $GW1_LAN --dport 8080 --reply-src $H2
	else
		skip "gw1 conntrack: DNAT flow ESTABLISHED [ASSURED]" "no ctnetlink"
	fi

	# peer NAME CLIENT SERVER ADDR PORT WANT: the address SERVER sees.
	peer() {
		local pid got rc=0
		# shellcheck disable=SC2016 # expanded by the server's shell
		nsx "$3" timeout "$(tmo 20)" socat "TCP-LISTEN:$5,reuseaddr" \
			SYSTEM:'echo $SOCAT_PEERADDR' &
		pid=$!
		wait_listen "$3" "$5" || { kill "$pid"; return 1; }
		got=$(nsx "$2" timeout "$(tmo 20)" socat -u "TCP:$4:$5,connect-timeout=10" -) || rc=$?
		wait "$pid" || rc=$?
		echo "$1 sees the connection from ${got:-nothing}"
		((rc == 0)) && [[ $got == "$6" ]]
	}
	check "masquerade rule present, protected flow keeps its source (h2 sees $H1)" \
		peer h2 "$h1" "$h2" $H2 5004 $H1
	check "an unprotected flow is masqueraded (the WAN router sees $GW1)" \
		peer wan "$h1" "$wan" $WAN1 5005 $GW1
else
	for c in "DNAT upload" "DNAT download" "DNAT conntrack" \
		 "protected flow not masqueraded" "unprotected flow masqueraded"; do
		skip "$c" "no NAT in this kernel"
	done
fi

invalid() {
	local n
	n=$(ip netns exec "$gw1" nft -j list chain inet fw forward | jq '
		[.nftables[] | .rule? // empty | select(any(.expr[];
		    .match?.right == "invalid")) | .expr[] | .counter?.packets
		    // empty] | add // 0')
	echo "$n forwarded packets classed invalid"
	((n == 0))
}
check "gw1 classed no forwarded packet invalid" invalid

counters_ok() {
	local ip ib op ob e
	read -r ip ib op ob e <<<"$(sa_counters nfipsec "$gw1" $GW1)"
	echo "in $ip packets $ib bytes, out $op packets $ob bytes, errors $e"
	((ib >= XFER_BYTES && ob >= XFER_BYTES && e == 0))
}
check "gw1 SAs carried the transfers" counters_ok
tap_done
