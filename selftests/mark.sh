#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The packet's mark selects the route of its ESP packet, as in XFRM: A
# (nfipsec) reaches B (XFRM) over two links; a fwmark rule sends marked
# traffic to B's address over the second. Pings in tunnel mode, marked
# (SO_MARK) and not, in turns, so that a route cached for one kind would
# show in the other: each ESP packet leaves on the link its mark routes it
# to.
#
#   A (nfipsec) va  10.0.0.1 --------- vb  10.0.0.2 B (XFRM)
#               va2 10.0.1.1 --------- vb2 10.0.1.2
#   dummy0 10.1.0.1                            dummy0 10.2.0.2
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

GCM='rfc4106(gcm(aes))'
A=nfi-ma-$$ B=nfi-mb-$$
N=5
DMESG0=$(dmesg | wc -l)

load_nfipsec
two_sites "$A" "$B" || bail_out "two sites: setup failed"
ns_link "$A" va2 10.0.1.1/24 "$B" vb2 10.0.1.2/24 ||
	bail_out "second link: setup failed"
nsx "$A" ip route add 10.0.0.2/32 via 10.0.1.2 dev va2 table 7
nsx "$A" ip rule add fwmark 7 table 7
K1=$(randhex 20) K2=$(randhex 20)
check "a tunnel SA pair 10.1.0.1 <-> 10.2.0.2 between A (nfipsec) and B (XFRM)" eval '
	xf nfipsec $A state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x6001 mode tunnel aead "$GCM" $K1 128 &&
	xf nfipsec $A state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x6002 mode tunnel aead "$GCM" $K2 128 &&
	xf nfipsec $A policy add src 10.1.0.1 dst 10.2.0.2 dir out tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel &&
	xf nfipsec $A policy add src 10.2.0.2 dst 10.1.0.1 dir in tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode tunnel &&
	xf xfrm $B state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x6001 mode tunnel aead "$GCM" $K1 128 &&
	xf xfrm $B state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x6002 mode tunnel aead "$GCM" $K2 128 &&
	xf xfrm $B policy add src 10.2.0.2 dst 10.1.0.1 dir out tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode tunnel &&
	xf xfrm $B policy add src 10.1.0.1 dst 10.2.0.2 dir in tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel'

rx() { nsx "$B" cat "/sys/class/net/$1/statistics/rx_packets"; }
# pings MARK: N pings 10.1.0.1 -> 10.2.0.2 with SO_MARK (0: none); the
# ESP of all N must arrive on the link the mark routes to
pings() {
	local want=vb other=vb2 w0 o0 w1 o1 m=()
	if (($1)); then
		want=vb2 other=vb
		m=(-m "$1")
	fi
	w0=$(rx $want) o0=$(rx $other)
	nsx "$A" ping -n -c $N -i 0.2 -w 5 -I 10.1.0.1 "${m[@]}" 10.2.0.2 |
		grep -q " $N received" || {
		echo "pings with mark $1 not answered"
		return 1
	}
	w1=$(rx $want) o1=$(rx $other)
	echo "mark $1: $want received $((w1 - w0)), $other $((o1 - o0))"
	((w1 - w0 >= N && o1 - o0 < N))
}
for round in 1 2; do
	check "round $round: unmarked pings: their ESP arrives on vb (main table)" pings 0
	check "round $round: pings with mark 7: their ESP arrives on vb2 (table 7)" pings 7
done
check "B's SA decrypted them all" \
	eval '(( $(xfrm_sa_counters "$B" 10.0.0.2 | cut -d" " -f1) >= 4 * N ))'
check "no kernel splat" eval \
	'! dmesg | tail -n +$((DMESG0 + 1)) |
	   grep -E "WARNING|BUG|Oops|KASAN|lockdep|RCU|leak|Call Trace"'
tap_done
