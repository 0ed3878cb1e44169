#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Extended sequence numbers (flag esn) against the kernel's XFRM: both
# suites in both modes, then an XFRM sender whose 64-bit sequence number
# crosses 2^32, which nfipsec must infer (RFC 4303 appendix A2) to verify
# the ICV, whose AAD carries the high half.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

n1=nfi-esn1-$$ n2=nfi-esn2-$$
load_nfipsec
ns_add "$n1" "$n2"
ip link add veth1 netns "$n1" type veth peer name veth2 netns "$n2"
nsx "$n1" ip addr add 10.0.0.1/24 dev veth1
nsx "$n2" ip addr add 10.0.0.2/24 dev veth2
nsx "$n1" ip link set veth1 up
nsx "$n2" ip link set veth2 up

gcm_key=$(randhex 20)
enc_key=$(randhex 16)
auth_key=$(randhex 32)

# pair SIDE NS MODE ALG... [-- EXTRA for the 2->1 SA]
pair() {
	local side=$1 ns=$2 mode=$3 extra=()
	shift 3
	local alg=()
	while (($#)) && [[ $1 != -- ]]; do alg+=("$1"); shift; done
	(($#)) && { shift; extra=("$@"); }
	xf "$side" "$ns" state add src 10.0.0.1 dst 10.0.0.2 proto esp \
		spi 0x100 reqid 1 mode "$mode" "${alg[@]}" replay-window 64 \
		flag esn &&
	xf "$side" "$ns" state add src 10.0.0.2 dst 10.0.0.1 proto esp \
		spi 0x200 reqid 1 mode "$mode" "${alg[@]}" replay-window 64 \
		flag esn "${extra[@]}"
}

policies() {
	local mode=$1
	xf nfipsec "$n1" policy add src 10.0.0.1 dst 10.0.0.2 dir out \
		tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 1 mode "$mode" &&
	xf nfipsec "$n1" policy add src 10.0.0.2 dst 10.0.0.1 dir in \
		tmpl src 10.0.0.2 dst 10.0.0.1 proto esp reqid 1 mode "$mode" &&
	xf xfrm "$n2" policy add src 10.0.0.2 dst 10.0.0.1 dir out \
		tmpl src 10.0.0.2 dst 10.0.0.1 proto esp reqid 1 mode "$mode" &&
	xf xfrm "$n2" policy add src 10.0.0.1 dst 10.0.0.2 dir in \
		tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 1 mode "$mode"
}

flush() {
	xf nfipsec "$n1" state flush && xf nfipsec "$n1" policy flush &&
	xf xfrm "$n2" state flush && xf xfrm "$n2" policy flush
}

# The inbound SA (spi 0x200) of the nfipsec side: "top errors.auth".
inbound() {
	nsx "$n1" "$IPSECCTL" -j sa list |
		jq -r '.[] | select(.spi == "0x00000200") |
			"\(.replay.top) \(.stats.errors.auth) \(.stats.in_packets)"'
}

for mode in transport tunnel; do
	for suite in gcm cbc; do
		if [[ $suite == gcm ]]; then
			alg=(aead 'rfc4106(gcm(aes))' "$gcm_key" 128)
		else
			alg=(enc 'cbc(aes)' "$enc_key" auth-trunc 'hmac(sha256)'
			     "$auth_key" 128)
		fi
		check "$mode $suite esn: configure both sides" \
			eval 'pair nfipsec "$n1" "$mode" "${alg[@]}" &&
			      pair xfrm "$n2" "$mode" "${alg[@]}" &&
			      policies "$mode"'
		check "$mode $suite esn: ping nfipsec -> xfrm" \
			ping_all "$n1" 10.0.0.2
		check "$mode $suite esn: ping xfrm -> nfipsec" \
			ping_all "$n2" 10.0.0.1
		flush
	done
done

# XFRM starts its outbound sequence just below 2^32.
alg=(aead 'rfc4106(gcm(aes))' "$gcm_key" 128)
check "wrap: configure, XFRM sender at 0xfffffffd" \
	eval 'pair nfipsec "$n1" tunnel "${alg[@]}" &&
	      pair xfrm "$n2" tunnel "${alg[@]}" -- replay-oseq 0xfffffffd &&
	      policies tunnel'
check "wrap: 6 pings across 2^32 verify" ping_all "$n2" 10.0.0.1 6
read -r top auth inp <<<"$(inbound)"
diag "inbound SA after the wrap: top $top, auth errors $auth, in $inp"
check "wrap: the window's top is past 2^32 (0x100000003 or more)" \
	test "$top" -ge $((0x100000003))
check "wrap: no ICV failure" test "$auth" -eq 0
tap_done
