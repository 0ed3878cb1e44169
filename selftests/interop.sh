#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Interoperability of nfipsec with the kernel's XFRM stack: namespace n1
# (nfipsec, configured with ipsecctl) and namespace n2 (XFRM, configured
# with ip xfrm) joined by a veth pair, for transport and tunnel mode and
# every supported algorithm:
#   - ping and a sha256-checked TCP transfer in both directions;
#   - the XFRM side's inbound SA counted the packets and bytes (so it
#     really decrypted them) and /proc/net/xfrm_stat shows no error;
#   - the nfipsec side's SA counters (ipsecctl -j sa list) likewise;
#   - once n1 has no SA/policy left, its plaintext is refused by n2's
#     inbound policy and counted in n2's /proc/net/xfrm_stat.
#
#   n1 (nfipsec)                              n2 (XFRM)
#   dummy0 10.1.0.1/32                        dummy0 10.2.0.2/32   (tunnel inner)
#   veth1 10.0.0.1/24 ---------------------- veth2 10.0.0.2/24     (outer)
#
# NFIPSEC_INTEROP_CASES: "all" (default: 18 cases, below), "full" (all 30)
# or a regex on the case names of the full set, e.g. 'tunnel cbc256'.
# NFIPSEC_XFER_BYTES: size of the file sent each way (default 1 MiB).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

CASES_RE=${NFIPSEC_INTEROP_CASES:-all}
XFER_BYTES=${NFIPSEC_XFER_BYTES:-1048576}
PINGS=3

n1=nfi-n1-$$ n2=nfi-n2-$$
O1=10.0.0.1 O2=10.0.0.2 I1=10.1.0.1 I2=10.2.0.2

load_nfipsec
ns_add "$n1" "$n2"
ip link add veth1 netns "$n1" type veth peer name veth2 netns "$n2"
for x in 1 2; do
	ns=n$x
	ns=${!ns}
	nsx "$ns" ip addr add "10.0.0.$x/24" dev "veth$x"
	nsx "$ns" ip link set "veth$x" up
	nsx "$ns" ip link add dummy0 type dummy
	nsx "$ns" ip addr add "10.$x.0.$x/32" dev dummy0
	nsx "$ns" ip link set dummy0 up
done
nsx "$n1" ip route add "$I2/32" via "$O2" src "$I1"
nsx "$n2" ip route add "$I1/32" via "$O1" src "$I2"

FILE=$(mktemp /tmp/nfipsec-interop.XXXXXX)
on_exit "rm -f $FILE"
head -c "$XFER_BYTES" /dev/urandom >"$FILE"

# make_alg VAR gcm KEYBITS ICVBITS | VAR cbc KEYBITS HASH: fresh keys.
make_alg() {
	local -n _a=$1
	case $2 in
	gcm) _a=(aead 'rfc4106(gcm(aes))' "$(randhex $(($3 / 8 + 4)))" "$4");;
	cbc)
		local t=${4#sha}
		_a=(enc 'cbc(aes)' "$(randhex $(($3 / 8)))"
		    auth-trunc "hmac($4)" "$(randhex $((t / 8)))" $((t / 2)));;
	esac
}

# side_conf SIDE NS MODE LOCAL PEER LOCALSEL PEERSEL OUTSPI INSPI OUTALG INALG
# (OUTALG, INALG: names of arrays made by make_alg): SAs and policies.
side_conf() {
	local side=$1 ns=$2 mode=$3 me=$4 peer=$5 mysel=$6 peersel=$7
	local ospi=$8 ispi=$9
	local -n oalg=${10} ialg=${11}
	xf "$side" "$ns" state add src "$me" dst "$peer" proto esp \
		spi "$ospi" reqid 7 mode "$mode" "${oalg[@]}" &&
	xf "$side" "$ns" state add src "$peer" dst "$me" proto esp \
		spi "$ispi" reqid 7 mode "$mode" "${ialg[@]}" &&
	xf "$side" "$ns" policy add dir out src "$mysel" dst "$peersel" \
		tmpl src "$me" dst "$peer" proto esp reqid 7 mode "$mode" &&
	xf "$side" "$ns" policy add dir in src "$peersel" dst "$mysel" \
		tmpl src "$peer" dst "$me" proto esp reqid 7 mode "$mode"
}

flush_all() {
	xf nfipsec "$n1" state flush && xf nfipsec "$n1" policy flush &&
	xf xfrm "$n2" state flush && xf xfrm "$n2" policy flush
}

# counters_ok SIDE NS LOCAL: inbound and outbound SA counted the pings and
# at least one file each way, and no SA error.
counters_ok() {
	local c
	c=$(sa_counters "$@") || return 1
	read -r ip ib op ob e <<<"$c"
	echo "in $ip packets $ib bytes, out $op packets $ob bytes, errors $e"
	((ip >= 2 * PINGS && ib >= XFER_BYTES && op >= 2 * PINGS &&
	  ob >= XFER_BYTES && e == 0))
}

no_delta() { [[ -z $1 ]] || { echo "$1"; return 1; }; }

tmpl_counted() {
	echo "$1"
	grep -Eq '^(XfrmInTmplMismatch|XfrmInNoPols|XfrmInPolBlock) \+[1-9]' <<<"$1"
}

SPI=$((0x1000))
ALG_12=() ALG_21=()
run_case() {
	local mode=$1 name=$2 t0 before after d dst1 dst2 sel1 sel2 s12 s21
	shift 2
	make_alg ALG_12 "$@"
	make_alg ALG_21 "$@"
	SPI=$((SPI + 16))
	s12=$(printf '0x%x' $((SPI + 1))) s21=$(printf '0x%x' $((SPI + 2)))
	t0=$SECONDS
	diag "case $mode $name"
	if [[ $mode == tunnel ]]; then
		dst1=$I2 dst2=$I1 sel1=$I1/32 sel2=$I2/32
	else
		dst1=$O2 dst2=$O1 sel1=$O1/32 sel2=$O2/32
	fi
	if ! flush_all; then
		not_ok "$mode $name: flush"
		return
	fi
	check "$mode $name: configure nfipsec side" side_conf nfipsec "$n1" \
		"$mode" "$O1" "$O2" "$sel1" "$sel2" "$s12" "$s21" ALG_12 ALG_21
	check "$mode $name: configure xfrm side" side_conf xfrm "$n2" \
		"$mode" "$O2" "$O1" "$sel2" "$sel1" "$s21" "$s12" ALG_21 ALG_12

	before=$(xfrm_stat "$n2")
	check "$mode $name: ping nfipsec -> xfrm" ping_all "$n1" "$dst1" $PINGS
	check "$mode $name: ping xfrm -> nfipsec" ping_all "$n2" "$dst2" $PINGS
	if ping_all "$n1" "$dst1" 1 >/dev/null; then
		check "$mode $name: tcp nfipsec -> xfrm" tcp_xfer "$n1" "$n2" "$dst1" "$FILE"
		check "$mode $name: tcp xfrm -> nfipsec" tcp_xfer "$n2" "$n1" "$dst2" "$FILE"
	else
		not_ok "$mode $name: tcp nfipsec -> xfrm (not tried: no ping)"
		not_ok "$mode $name: tcp xfrm -> nfipsec (not tried: no ping)"
	fi
	after=$(xfrm_stat "$n2")
	check "$mode $name: xfrm side SAs decrypted and encrypted it all" \
		counters_ok xfrm "$n2" "$O2"
	check "$mode $name: xfrm side xfrm_stat shows no error" \
		no_delta "$(xfrm_stat_delta "$before" "$after")"
	check "$mode $name: nfipsec side SA counters" \
		counters_ok nfipsec "$n1" "$O1"

	xf nfipsec "$n1" state flush && xf nfipsec "$n1" policy flush ||
		not_ok "$mode $name: flush nfipsec side"
	before=$(xfrm_stat "$n2")
	check_fails "$mode $name: plaintext from nfipsec side is refused" \
		nsx "$n1" ping -n -c 2 -i 0.2 -W 1 "$dst1"
	after=$(xfrm_stat "$n2")
	d=$(xfrm_stat_delta "$before" "$after")
	check "$mode $name: xfrm side counted the plaintext as policy violation" \
		tmpl_counted "$d"
	diag "case $mode $name took $((SECONDS - t0))s"
}

# The default set: per mode every GCM key size x ICV length, and three CBC
# key size / HMAC pairs, rotated between the modes so that six of the nine
# CBC combinations run (each key size with each hash at least once).
# "full" runs all 30 cases (about twice as long).
CASES=()
for mode in transport tunnel; do
	for k in 128 256; do
		for icv in 64 96 128; do
			CASES+=("$mode gcm$k-icv$icv gcm $k $icv")
		done
	done
	hashes=(sha256 sha384 sha512)
	for i in 0 1 2; do
		k=$((128 + 64 * i))
		for ((j = 0; j < 3; j++)); do
			h=${hashes[j]}
			if [[ $CASES_RE == full ]] ||
			   { [[ $mode == transport ]] && ((j == i)); } ||
			   { [[ $mode == tunnel ]] && ((j == (i + 2) % 3)); } ||
			   [[ $CASES_RE != all && "$mode cbc$k-$h" =~ $CASES_RE ]]; then
				CASES+=("$mode cbc$k-$h cbc $k $h")
			fi
		done
	done
done

for c in "${CASES[@]}"; do
	read -r mode name kind a b <<<"$c"
	[[ $CASES_RE == all || $CASES_RE == full || "$mode $name" =~ $CASES_RE ]] ||
		continue
	run_case "$mode" "$name" "$kind" "$a" "$b"
done

if [[ $NFIPSEC_DEMO == 1 ]]; then
	diag "final state of the XFRM side:" "$(ip -n "$n2" -s xfrm state)"
fi
tap_done
