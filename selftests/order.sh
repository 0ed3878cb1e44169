#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ESP packets leave in sequence number order. A (nfipsec) sends to B
# (XFRM, replay window 32, strongSwan's default) over one SA pair, several
# TCP flows at once from processes on every CPU: B must count no sequence
# number error (XfrmInStateSeqError, its SA's replay failures).
# Transport and tunnel mode, ROUNDS rounds each (NFIPSEC_ORDER_ROUNDS,
# default 2) of FLOWS parallel transfers (NFIPSEC_ORDER_FLOWS, default 4)
# of NFIPSEC_ORDER_BYTES each (default 2 MiB).
# The veth ends run GRO and no TSO, so that a veth receives through its one
# NAPI ring in the order packets were sent, as a NIC takes them off the
# wire: otherwise each sending CPU's packets are queued on that CPU and the
# two queues are processed at the same time, which reorders any sender.
# A's own too_old drops (B's ACKs: XFRM sending) are printed, not asserted.
#
#   A (nfipsec) va 10.0.0.1 ------------- vb 10.0.0.2 B (XFRM)
#   dummy0 10.1.0.1                            dummy0 10.2.0.2
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

ROUNDS=${NFIPSEC_ORDER_ROUNDS:-2} FLOWS=${NFIPSEC_ORDER_FLOWS:-4}
GCM='rfc4106(gcm(aes))'
A=nfi-oa-$$ B=nfi-ob-$$
TMP=$(mktemp -d /tmp/nfipsec-order.XXXXXX)
on_exit "rm -rf $TMP"
head -c "${NFIPSEC_ORDER_BYTES:-$((2 << 20))}" /dev/urandom >"$TMP/data"
DMESG0=$(dmesg | wc -l)

load_nfipsec
two_sites "$A" "$B" || bail_out "two sites: setup failed"
nsx "$A" ethtool -K va gro on tso off >/dev/null
nsx "$B" ethtool -K vb gro on tso off >/dev/null
diag "$(nproc) CPUs, $FLOWS flows x $ROUNDS rounds per mode, B's replay window 32"

# sas MODE SPI_AB SPI_BA SRC DST: the SA pair and policies on both sides
sas() {
	local mode=$1 ab=$2 ba=$3 s=$4 d=$5 k1 k2
	k1=$(randhex 20) k2=$(randhex 20)
	xf nfipsec "$A" state add src 10.0.0.1 dst 10.0.0.2 proto esp spi "$ab" \
		mode "$mode" replay-window 32 aead "$GCM" "$k1" 128 &&
	xf nfipsec "$A" state add src 10.0.0.2 dst 10.0.0.1 proto esp spi "$ba" \
		mode "$mode" replay-window 32 aead "$GCM" "$k2" 128 &&
	xf nfipsec "$A" policy add src "$s" dst "$d" proto tcp dir out \
		tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode "$mode" &&
	xf nfipsec "$A" policy add src "$d" dst "$s" proto tcp dir in \
		tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode "$mode" &&
	xf xfrm "$B" state add src 10.0.0.1 dst 10.0.0.2 proto esp spi "$ab" \
		mode "$mode" replay-window 32 aead "$GCM" "$k1" 128 &&
	xf xfrm "$B" state add src 10.0.0.2 dst 10.0.0.1 proto esp spi "$ba" \
		mode "$mode" replay-window 32 aead "$GCM" "$k2" 128 &&
	xf xfrm "$B" policy add src "$d" dst "$s" proto tcp dir out \
		tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode "$mode" &&
	xf xfrm "$B" policy add src "$s" dst "$d" proto tcp dir in \
		tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode "$mode"
}
check "transport SA pair 10.0.0.1 <-> 10.0.0.2 (TCP), replay window 32" \
	sas transport 0x5001 0x5002 10.0.0.1/32 10.0.0.2/32
check "tunnel SA pair 10.1.0.1 <-> 10.2.0.2 (TCP), replay window 32" \
	sas tunnel 0x5003 0x5004 10.1.0.1/32 10.2.0.2/32

# flows TO_ADDR: FLOWS transfers A -> TO_ADDR at once, all intact
flows() {
	local i pids=() rc=0
	for ((i = 0; i < FLOWS; i++)); do
		tcp_xfer "$A" "$B" "$1" "$TMP/data" >"$TMP/xfer.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { rc=1; cat "$TMP/xfer.$i"; }
	done
	cat "$TMP/xfer".*
	return $rc
}
seqerr() { xfrm_stat "$B" | awk '$1 == "XfrmInStateSeqError" { print $2 }'; }
# replay failures of B's inbound SAs (ip -s xfrm state: "replay N failed N")
bfail() { xfrm_sa_counters "$B" 10.0.0.2 | cut -d' ' -f5; }
too_old() {
	if is_nfipsec nfipsec; then
		nsx "$A" "$IPSECCTL" -j stats | jq '.drops.too_old'
	else
		echo 0
	fi
}

for mode in transport tunnel; do
	dst=10.0.0.2
	[[ $mode == tunnel ]] && dst=10.2.0.2
	for ((r = 1; r <= ROUNDS; r++)); do
		s0=$(seqerr) f0=$(bfail) o0=$(too_old)
		check "$mode round $r: $FLOWS parallel TCP transfers to $dst arrive intact" \
			flows "$dst"
		s1=$(seqerr) f1=$(bfail) o1=$(too_old)
		diag "$mode round $r: B XfrmInStateSeqError +$((s1 - s0)), replay failures +$((f1 - f0)); A too_old +$((o1 - o0))"
		check "$mode round $r: B counted no sequence number error" \
			eval "((s1 == s0 && f1 == f0))"
	done
done
check "B's SAs carried the traffic" \
	eval '(( $(xfrm_sa_counters "$B" 10.0.0.2 | cut -d" " -f1) > 1000 ))'
check "no kernel splat" eval \
	'! dmesg | tail -n +$((DMESG0 + 1)) |
	   grep -E "WARNING|BUG|Oops|KASAN|lockdep|RCU|leak|Call Trace"'
tap_done
