#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What nfipsec must refuse on the wire, and that it says why: namespace A
# runs nfipsec (ipsecctl), namespace B the kernel's XFRM (ip xfrm), joined
# by a veth pair; AES-GCM SAs with replay-window 32.
#   1. a replayed ESP packet (captured on A's link, sent again from B's
#      side) is dropped as replay, exactly once per copy; sequence numbers
#      left of the window (and 0) as too_old; a packet with a fresh
#      sequence number but no valid ICV as auth, without moving the window
#      and a truncated one as malformed; after SA_UPDATE the window still
#      knows the old sequence numbers, also when the update changes the
#      window's size (transport mode; the replayed copies also in tunnel
#      mode);
#   2. a wrong key on the peer: ping fails, auth counted on the SA and in
#      the namespace;
#   3. ESP with an SPI (or a dst, SPI pair) A has no SA for is left to the
#      stack and counted as no_sa; the SAs' counters do not move;
#   4. bypass (action allow) wins over protect by priority; action block
#      drops and counts policy_block in both directions; cleartext on an
#      inbound protect policy is dropped as plaintext;
#   5. a decrypted packet whose inbound policy names another reqid is
#      dropped as policy_mismatch (transport and tunnel mode);
#   6. an outbound protect policy without SA drops as no_out_sa and
#      nothing (neither cleartext nor ESP) leaves A;
#   7. keys never show up in ipsecctl output (text, JSON, show, dry run)
#      nor in the kernel log;
#   8. rmmod while ping floods and a TCP stream cross the SAs, insmod and a
#      fresh SA works; a namespace with SAs and policies deleted under
#      traffic, then rmmod; no kernel splat.
#
#   A (nfipsec)                               B (XFRM)
#   dummy0 10.1.0.1/32                        dummy0 10.2.0.2/32 (tunnel inner)
#   va 10.0.0.1/24 ------------------------- vb 10.0.0.2/24     (outer)
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

if [[ $NFIPSEC_SIDE != nfipsec ]]; then
	echo "1..0 # SKIP nfipsec drop counters need the nfipsec side"
	exit 0
fi

INJECT=$REPO/selftests/lib/esp_inject.py
A=nfi-na-$$ B=nfi-nb-$$
O1=10.0.0.1 O2=10.0.0.2 I1=10.1.0.1 I2=10.2.0.2
GCM='rfc4106(gcm(aes))'
TMP=$(mktemp -d /tmp/nfipsec-negative.XXXXXX)
on_exit "rm -rf $TMP"
DMESG0=$(dmesg | wc -l)

load_nfipsec
two_sites "$A" "$B" || bail_out "two sites: setup failed"
MAC_A=$(nsx "$A" cat /sys/class/net/va/address)

# ------------------------------------------------------------ helpers ---
ctl() { nsx "$A" "$IPSECCTL" "$@"; }
bx() { nsx "$B" ip xfrm "$@"; }

reset_all() {
	ctl sa flush && ctl policy flush && bx state flush && bx policy flush
}

# conf_a MODE OUTSPI INSPI OUTKEY INKEY [IN_REQID [PRIO]]: A's two SAs
# (reqid 1) and its out/in protect policies; the in policy's template
# names IN_REQID (default 1).
conf_a() {
	local mode=$1 ospi=$2 ispi=$3 okey=$4 ikey=$5 ireq=${6:-1} prio=${7:-}
	local ls=$O1/32 ps=$O2/32 p=()
	[[ $mode == tunnel ]] && ls=$I1/32 ps=$I2/32
	[[ -z $prio ]] || p=(priority "$prio")
	ctl sa add src "$O1" dst "$O2" proto esp spi "$ospi" reqid 1 \
		mode "$mode" replay-window 32 aead "$GCM" "$okey" 128 &&
	ctl sa add src "$O2" dst "$O1" proto esp spi "$ispi" reqid 1 \
		mode "$mode" replay-window 32 aead "$GCM" "$ikey" 128 &&
	ctl policy add src "$ls" dst "$ps" dir out "${p[@]}" \
		tmpl src "$O1" dst "$O2" proto esp reqid 1 mode "$mode" &&
	ctl policy add src "$ps" dst "$ls" dir in "${p[@]}" \
		tmpl src "$O2" dst "$O1" proto esp reqid "$ireq" mode "$mode"
}

# conf_b MODE OUTSPI INSPI OUTKEY INKEY: the XFRM peer (B's out = A's in).
conf_b() {
	local mode=$1 ospi=$2 ispi=$3 okey=$4 ikey=$5 ls=$O2/32 ps=$O1/32
	[[ $mode == tunnel ]] && ls=$I2/32 ps=$I1/32
	bx state add src "$O2" dst "$O1" proto esp spi "$ospi" reqid 1 \
		mode "$mode" replay-window 32 aead "$GCM" "$okey" 128 &&
	bx state add src "$O1" dst "$O2" proto esp spi "$ispi" reqid 1 \
		mode "$mode" replay-window 32 aead "$GCM" "$ikey" 128 &&
	bx policy add src "$ls" dst "$ps" dir out \
		tmpl src "$O2" dst "$O1" proto esp reqid 1 mode "$mode" &&
	bx policy add src "$ps" dst "$ls" dir in \
		tmpl src "$O1" dst "$O2" proto esp reqid 1 mode "$mode"
}

# sa_json SPI JQ: a value of A's SA with that SPI (number); 0 if null.
sa_json() {
	ctl -j sa list | jq -r --argjson s "$(($1))" \
		"[.[] | select(.spi_num == \$s)][0] | ($2) // 0"
}
sa_err() { sa_json "$1" ".stats.errors.$2"; }
drops() { ctl -j stats | jq -r ".drops.$1 // 0"; }

# delta NAME BEFORE AFTER OP WANT: (AFTER - BEFORE) OP WANT (-eq, -ge, ...)
delta() {
	local d=$(($3 - $2))
	echo "$1: $2 -> $3 (+$d, want $4 $5)"
	test "$d" "$4" "$5"
}

# xfrm_in_packets NS DST SPI: packets the XFRM SA counted
xfrm_in_packets() {
	ip -n "$1" -s xfrm state get src "$O1" dst "$2" proto esp spi "$3" |
		awk '/lifetime current:/ { getline; gsub(/[(),]/, " ");
		     print $3; exit }'
}

is() { echo "$1: $2 (want $3)"; [[ $2 == "$3" ]]; }

ping_ok() { # NS DST: 3 of 3 answered
	local out
	out=$(nsx "$1" ping -n -c 3 -i 0.2 -w 10 "$2" 2>&1) || true
	echo "$out"
	grep -q ' 3 received' <<<"$out"
}
# ping_no NS DST: 2 echo requests (exactly: no -w), expected to fail
ping_no() { nsx "$1" ping -n -c 2 -i 0.3 -W 1 "$2"; }

inject() { nsx "$B" python3 -B "$INJECT" "$@"; }
# esp_to_a SPI SEQ [COUNT [LEN]]: forged ESP packets from B's link to A
# with LEN (default 64) random bytes after the ESP header.
esp_to_a() {
	inject send --iface vb --dst-mac "$MAC_A" --src "$O2" --dst "$O1" \
		--spi "$1" --seq "$2" --count "${3:-1}" --len "${4:-64}"
}

# capture NS DEV FILE FILTER...: start tcpdump, wait until it listens.
CAP_PID=
capture() {
	local n=$1 dev=$2 f=$3 i
	shift 3
	pretty "$n" "tcpdump -i $dev -w $f $*"
	# not through a function: $! must be timeout(1), which passes the
	# SIGINT of capture_stop on to tcpdump
	ip netns exec "$n" timeout 30 tcpdump -i "$dev" -n -U -w "$f" "$@" \
		2>"$f.err" &
	CAP_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$f.err" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "tcpdump did not start: $(cat "$f.err")"
	return 1
}
capture_stop() {
	sleep 0.3
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
}
pcap_count() { # FILE FILTER: packets in FILE matching FILTER
	tcpdump -r "$1" -n "${@:2}" 2>/dev/null | wc -l
}

splat_lines() {
	dmesg | tail -n +"$((DMESG0 + 1))" |
		grep -E 'WARNING|BUG|Oops|leak|general protection|Call Trace' || true
}
no_splat() {
	local s
	s=$(splat_lines)
	[[ -z $s ]] || { echo "$s"; return 1; }
}

# ----------------------------------------------------- 1. anti-replay ---
# replay_case MODE OUTSPI INSPI [full]: full adds too_old and forged ICVs
replay_case() {
	local mode=$1 ospi=$2 ispi=$3 full=${4:-} k1 k2 dst=$O1 b a bn an top pcap
	k1=$(randhex 20) k2=$(randhex 20)
	[[ $mode == tunnel ]] && dst=$I1
	diag "1. anti-replay, $mode mode (at ${SECONDS}s)"
	reset_all || not_ok "$mode: reset"
	check "$mode: configure A (nfipsec) and B (xfrm)" eval \
		'conf_a $mode $ospi $ispi $k1 $k2 && conf_b $mode $ispi $ospi $k2 $k1'
	check "$mode: ping B -> A through the SAs" ping_ok "$B" "$dst"

	pcap=$TMP/replay-$mode.pcap
	if capture "$A" va "$pcap" -c 1 esp and src "$O2"; then
		nsx "$B" ping -n -c 1 -W 2 "$dst" >/dev/null || true
		wait "$CAP_PID" || true
	fi
	check "$mode: captured one ESP packet from B" \
		grep -q "^esp $O2 $O1 spi $(printf '0x%x' $((ispi)))" \
		<(inject list --pcap "$pcap" 2>&1)
	b=$(sa_err "$ispi" replay) bn=$(drops replay)
	inject replay --pcap "$pcap" --iface vb --count 3 >/dev/null ||
		diag "replay injection failed"
	sleep 0.5
	a=$(sa_err "$ispi" replay) an=$(drops replay)
	check "$mode: 3 replayed copies: SA errors.replay +3" \
		delta replay "$b" "$a" -eq 3
	check "$mode: 3 replayed copies: namespace drops.replay +3" \
		delta drops.replay "$bn" "$an" -eq 3
	check "$mode: ping B -> A still works after the replay" \
		ping_ok "$B" "$dst"
	[[ $full == full ]] || return 0

	# SA_UPDATE carries the replay window over, also when it changes the
	# window's size: first to 64, then back to 32 (the namespace counter
	# is compared)
	b=$(drops replay)
	check "$mode: ipsecctl sa update of the inbound SA to replay-window 64" \
		ctl sa update src "$O2" dst "$O1" proto esp spi "$ispi" reqid 1 \
		mode "$mode" replay-window 64 aead "$GCM" "$k2" 128
	inject replay --pcap "$pcap" --iface vb >/dev/null ||
		diag "replay injection failed"
	sleep 0.3
	check "$mode: after growing the window the captured packet is still a replay" \
		delta drops.replay "$b" "$(drops replay)" -eq 1
	b=$(drops replay)
	check "$mode: ipsecctl sa update of the inbound SA (same key)" \
		ctl sa update src "$O2" dst "$O1" proto esp spi "$ispi" reqid 1 \
		mode "$mode" replay-window 32 aead "$GCM" "$k2" 128
	inject replay --pcap "$pcap" --iface vb >/dev/null ||
		diag "replay injection failed"
	sleep 0.3
	check "$mode: after the update the captured packet is still a replay" \
		delta drops.replay "$b" "$(drops replay)" -eq 1

	# move the window past 32 + 1, then seq 1 and seq 0 are too old
	nsx "$B" ping -n -q -c 40 -i 0.01 -W 2 "$dst" >/dev/null 2>&1 || true
	top=$(sa_json "$ispi" .replay.top)
	check "$mode: replay window top moved past 33" [ "$top" -gt 33 ]
	b=$(sa_err "$ispi" too_old) bn=$(drops too_old)
	esp_to_a "$ispi" 1,1,0 >/dev/null
	sleep 0.3
	a=$(sa_err "$ispi" too_old) an=$(drops too_old)
	check "$mode: seq 1 twice (left of the window) and seq 0: SA errors.too_old +3" \
		delta too_old "$b" "$a" -eq 3
	check "$mode: namespace drops.too_old +3" \
		delta drops.too_old "$bn" "$an" -eq 3

	# a fresh sequence number without a valid ICV: auth, window stays
	# twice: the second is no replay, as the first never verified
	top=$(sa_json "$ispi" .replay.top)
	b=$(sa_err "$ispi" auth) bn=$(sa_err "$ispi" replay)
	esp_to_a "$ispi" $((top + 100)) 2 >/dev/null
	sleep 0.3
	a=$(sa_err "$ispi" auth) an=$(sa_err "$ispi" replay)
	check "$mode: forged ICV at seq top+100, twice: SA errors.auth +2" \
		delta auth "$b" "$a" -eq 2
	check "$mode: the second copy was no replay (the first never verified)" \
		delta replay "$bn" "$an" -eq 0
	check "$mode: the forged packets did not move the window" \
		is replay.top "$(sa_json "$ispi" .replay.top)" "$top"
	# shorter than header, IV, pad length, next header and ICV
	b=$(sa_err "$ispi" malformed)
	esp_to_a "$ispi" $((top + 200)) 1 4 >/dev/null
	sleep 0.3
	check "$mode: truncated ESP (4 bytes after the header): errors.malformed +1" \
		delta malformed "$b" "$(sa_err "$ispi" malformed)" -eq 1
	check "$mode: ping B -> A still works" ping_ok "$B" "$dst"
}
replay_case transport 0x1101 0x1102 full
replay_case tunnel 0x1201 0x1202

# ----------------------------------------------------- 2. wrong key ---
diag "2. wrong key on the peer (at ${SECONDS}s)"
reset_all || not_ok "reset"
K1=$(randhex 20) K2=$(randhex 20) K3=$(randhex 20)
check "configure: B encrypts B -> A with another key than A expects" eval \
	'conf_a transport 0x2101 0x2102 $K1 $K2 &&
	 conf_b transport 0x2102 0x2101 $K3 $K1'
b=$(drops auth)
check_fails "ping B -> A fails" ping_no "$B" "$O1"
check "A's SA counted errors.auth" delta auth 0 "$(sa_err 0x2102 auth)" -gt 0
check "A's namespace counted drops.auth" delta drops.auth "$b" "$(drops auth)" -gt 0
check "nothing decapsulated: in_packets 0" \
	is in_packets "$(sa_json 0x2102 .stats.in_packets)" 0
check "the replay window did not move: top 0" \
	is replay.top "$(sa_json 0x2102 .replay.top)" 0
check_fails "ping A -> B fails (the replies do not verify)" ping_no "$A" "$O2"
check "A -> B direction still encrypts: B decrypted A's packets" \
	[ "$(xfrm_in_packets "$B" "$O2" 0x2101)" -gt 0 ]

# --------------------------------------------------- 3. unknown SPI ---
diag "3. unknown SPI (at ${SECONDS}s)"
reset_all || not_ok "reset"
K1=$(randhex 20) K2=$(randhex 20)
check "configure A and B" eval \
	'conf_a transport 0x3101 0x3102 $K1 $K2 &&
	 conf_b transport 0x3102 0x3101 $K2 $K1'
check "ping B -> A" ping_ok "$B" "$O1"
c0=$(nfipsec_sa_counters "$A") b=$(drops no_sa)
esp_to_a 0xdead0001 1 2 >/dev/null
sleep 0.3
check "2 packets with an unknown SPI: drops.no_sa +2" \
	delta drops.no_sa "$b" "$(drops no_sa)" -eq 2
check "the SAs' counters did not move" is counters "$(nfipsec_sa_counters "$A")" "$c0"
b=$(drops no_sa)
# 0x3101 is A's outbound SA: (dst 10.0.0.2, 0x3101); not A's (dst, SPI)
esp_to_a 0x3101 5 >/dev/null
sleep 0.3
check "SPI of A's outbound SA sent to A: drops.no_sa +1" \
	delta drops.no_sa "$b" "$(drops no_sa)" -eq 1
check "the SAs' counters still did not move" \
	is counters "$(nfipsec_sa_counters "$A")" "$c0"

# ------------------------------------------ 4. bypass and discard ---
diag "4. bypass, discard, plaintext (at ${SECONDS}s)"
reset_all || not_ok "reset"
K1=$(randhex 20) K2=$(randhex 20)
check "configure A only (protect, priority 100); B sends cleartext" \
	conf_a transport 0x4101 0x4102 "$K1" "$K2" 1 100
b=$(drops plaintext)
check_fails "cleartext ping B -> A fails" ping_no "$B" "$O1"
check "A counted drops.plaintext for both echo requests" \
	delta drops.plaintext "$b" "$(drops plaintext)" -eq 2
check "add allow policies for ICMP (priority 10) in and out" eval \
	'ctl policy add src $O2/32 dst $O1/32 proto icmp dir in priority 10 action allow &&
	 ctl policy add src $O1/32 dst $O2/32 proto icmp dir out priority 10 action allow'
b=$(drops plaintext)
check "cleartext ping B -> A passes the bypass" ping_ok "$B" "$O1"
check "cleartext ping A -> B passes the bypass" ping_ok "$A" "$O2"
check "no plaintext drop while bypassed" \
	delta drops.plaintext "$b" "$(drops plaintext)" -eq 0
check "the allow policy counted hits" eval \
	'[[ $(ctl -j policy list | jq "[.[] | select(.action == \"allow\") | .hits // 0] | add") -ge 6 ]]'

# A policy's key is (dir, selector): the block policies use a /24 side.
check "add a block policy dir out (priority 5)" \
	ctl policy add src "$O1/24" dst "$O2/32" proto icmp dir out priority 5 action block
b=$(drops policy_block)
check_fails "ping A -> B blocked" ping_no "$A" "$O2"
check "A counted drops.policy_block for both echo requests" \
	delta drops.policy_block "$b" "$(drops policy_block)" -eq 2
check "delete it; ping A -> B passes again" eval \
	'ctl policy del src $O1/24 dst $O2/32 proto icmp dir out &&
	 ping_ok $A $O2'
check "add a block policy dir in (priority 5)" \
	ctl policy add src "$O2/24" dst "$O1/32" proto icmp dir in priority 5 action block
b=$(drops policy_block)
check_fails "cleartext ping B -> A blocked" ping_no "$B" "$O1"
check "A counted drops.policy_block for B's echo requests" \
	delta drops.policy_block "$b" "$(drops policy_block)" -eq 2
check "delete it; ping B -> A passes again" eval \
	'ctl policy del src $O2/24 dst $O1/32 proto icmp dir in &&
	 ping_ok $B $O1'

# ------------------------------------------- 5. policy mismatch ---
mismatch_case() {
	local mode=$1 ospi=$2 ispi=$3 k1 k2 dst=$O1 ls=$O1/32 ps=$O2/32 b
	k1=$(randhex 20) k2=$(randhex 20)
	[[ $mode == tunnel ]] && dst=$I1 ls=$I1/32 ps=$I2/32
	diag "5. policy mismatch, $mode mode (at ${SECONDS}s)"
	reset_all || not_ok "$mode: reset"
	check "$mode: configure; A's dir in template names reqid 2, SAs reqid 1" \
		eval 'conf_a $mode $ospi $ispi $k1 $k2 2 &&
		      conf_b $mode $ispi $ospi $k2 $k1'
	b=$(drops policy_mismatch)
	check_fails "$mode: ping B -> A fails" ping_no "$B" "$dst"
	check "$mode: A counted drops.policy_mismatch" \
		delta drops.policy_mismatch "$b" "$(drops policy_mismatch)" -ge 2
	check "$mode: the packets did authenticate (no auth error)" \
		is auth "$(sa_err "$ispi" auth)" 0
	check "$mode: with the template's reqid fixed, ping B -> A works" eval \
		'ctl policy update src $ps dst $ls dir in tmpl src $O2 dst $O1 \
		     proto esp reqid 1 mode $mode && ping_ok $B $dst'
}
mismatch_case transport 0x5101 0x5102
mismatch_case tunnel 0x5201 0x5202

# -------------------------------------------- 6. no outbound SA ---
diag "6. outbound protect policy without SA (at ${SECONDS}s)"
reset_all || not_ok "reset"
check "A: dir out protect policy, no SA" \
	ctl policy add src "$O1/32" dst "$O2/32" dir out \
	tmpl src "$O1" dst "$O2" proto esp reqid 9 mode transport
pcap=$TMP/noout.pcap
capture "$B" vb "$pcap" icmp or esp || not_ok "capture on B's link"
b=$(drops no_out_sa)
check_fails "ping A -> B fails" nsx "$A" ping -n -c 3 -i 0.3 -W 1 "$O2"
nsx "$B" ping -n -c 1 -W 2 "$O1" >/dev/null 2>&1 || true
capture_stop
check "A counted drops.no_out_sa (3 requests, 1 reply)" \
	delta drops.no_out_sa "$b" "$(drops no_out_sa)" -ge 4
check "B's capture works: it saw B's echo request" \
	[ "$(pcap_count "$pcap" icmp and src "$O2")" -ge 1 ]
check "nothing left A: no ICMP from A on the link" \
	is icmp_from_A "$(pcap_count "$pcap" icmp and src "$O1")" 0
check "nothing left A: no ESP on the link" \
	is esp "$(pcap_count "$pcap" esp)" 0

# ------------------------------------------------ 7. key hygiene ---
diag "7. key hygiene (at ${SECONDS}s)"
reset_all || not_ok "reset"
KG=0x5ec2e7a1b2c3d4e5f60718293a4b5c6d7e8f9012
KE=0x0badc0de5ec2e7a1b2c3d4e5f6071829
KH=0x5eed5eed0123456789abcdeffedcba98765432100123456789abcdeffedcba98
check "add SAs with distinctive keys (AEAD and cbc/hmac)" eval \
	'ctl sa add src $O1 dst $O2 proto esp spi 0x7101 mode transport \
	     aead "$GCM" $KG 128 &&
	 ctl sa add src $O1 dst $O2 proto esp spi 0x7102 mode transport \
	     enc "cbc(aes)" $KE auth-trunc "hmac(sha256)" $KH 128'
# no_key NAME TEXT: none of the keys (nor their first 8 bytes) in TEXT
no_key() {
	local k h
	for k in "$KG" "$KE" "$KH"; do
		h=${k#0x}
		if grep -qiF -e "$h" -e "${h:0:16}" <<<"$2"; then
			echo "$1 contains key material ${h:0:16}..."
			return 1
		fi
	done
	echo "$1: $(wc -c <<<"$2") bytes, no key"
}
LIST=$(ctl sa list 2>&1)
check "ipsecctl sa list shows no key" no_key "sa list" "$LIST"
check "ipsecctl sa list says (hidden) for all three keys" \
	is hidden "$(grep -c '(hidden)' <<<"$LIST")" 3
check "ipsecctl -s sa list shows no key" no_key "-s sa list" "$(ctl -s sa list 2>&1)"
LIST=$(ctl -j sa list 2>&1)
check "ipsecctl -j sa list shows no key" no_key "-j sa list" "$LIST"
check "ipsecctl -j sa list has both SAs" \
	is sa_count "$(jq length <<<"$LIST")" 2
check "ipsecctl show shows no key" no_key "show" "$(ctl show 2>&1)"
check "ipsecctl -j show shows no key" no_key "-j show" "$(ctl -j show 2>&1)"
check "ipsecctl -n sa add (dry run) shows no key" no_key "-n sa add" \
	"$(ctl -n sa add src $O1 dst $O2 proto esp spi 0x7103 mode transport \
	   aead "$GCM" "$KG" 128 2>&1)"
check "ipsecctl sa get shows no key" no_key "sa get" \
	"$(ctl sa get src $O1 dst $O2 proto esp spi 0x7101 2>&1)"
check "the kernel log shows no key" no_key dmesg "$(dmesg)"

# --------------------------------------------- 8. rmmod, netns del ---
diag "8. rmmod and namespace deletion under traffic (at ${SECONDS}s)"
reset_all || not_ok "reset"
K1=$(randhex 20) K2=$(randhex 20)
check "configure A and B" eval \
	'conf_a transport 0x8101 0x8102 $K1 $K2 &&
	 conf_b transport 0x8102 0x8101 $K2 $K1'
check "ping A -> B" ping_ok "$A" "$O2"
PORT=5001
nsx "$B" timeout "$(tmo 8)" socat -u "TCP-LISTEN:$PORT,reuseaddr" /dev/null \
	>/dev/null 2>&1 &
wait_listen "$B" "$PORT" || diag "no TCP listener"
pids=()
nsx "$A" timeout "$(tmo 5)" socat -u /dev/zero "TCP:$O2:$PORT" >/dev/null 2>&1 &
pids+=($!)
nsx "$A" timeout "$(tmo 5)" ping -f -q "$O2" >/dev/null 2>&1 &
pids+=($!)
nsx "$B" timeout "$(tmo 5)" ping -f -q "$O1" >/dev/null 2>&1 &
pids+=($!)
sleep 1
o1=$(sa_json 0x8101 .stats.out_packets)
sleep 1
o2=$(sa_json 0x8101 .stats.out_packets)
check "traffic flows through A's SA" delta out_packets "$o1" "$o2" -gt 0
check "rmmod nfipsec while traffic flows and SAs exist" rmmod nfipsec
_NFIPSEC_LOADED=0
check "the module is gone" eval \
	'! lsmod | grep -q "^nfipsec " && [[ ! -d /sys/module/nfipsec ]]'
wait "${pids[@]}" 2>/dev/null || true
check "no kernel splat after rmmod" no_splat
check "insmod again" insmod "$NFIPSEC_KO"
_NFIPSEC_LOADED=1
check "the new module instance starts empty" \
	is sa_count "$(ctl -j stats | jq .sa_count)" 0
bx state flush && bx policy flush
K1=$(randhex 20) K2=$(randhex 20)
check "configure fresh SAs" eval \
	'conf_a transport 0x8201 0x8202 $K1 $K2 &&
	 conf_b transport 0x8202 0x8201 $K2 $K1'
check "ping A -> B through the fresh SAs" ping_ok "$A" "$O2"
check "the fresh SAs counted the pings" eval \
	'[[ $(sa_json 0x8202 .stats.in_packets) -ge 3 &&
	    $(sa_json 0x8201 .stats.out_packets) -ge 3 ]]'

C=nfi-nc-$$ D=nfi-nd-$$
ns_add "$C" "$D"
check "namespace C (nfipsec) with SAs and policies, D (xfrm)" \
	nfipsec_xfrm_transport "$C" "$D" 32
check "ping C -> D" ping_ok "$C" 10.0.9.2
pids=()
nsx "$D" timeout "$(tmo 4)" ping -f -q 10.0.9.1 >/dev/null 2>&1 &
pids+=($!)
nsx "$C" timeout "$(tmo 4)" ping -f -q 10.0.9.2 >/dev/null 2>&1 &
pids+=($!)
sleep 1.5
check "delete namespace C under traffic" eval \
	'ip netns pids $C | xargs -r kill -9; ip netns del $C'
wait "${pids[@]}" 2>/dev/null || true
check "namespace C is gone" eval '! ip netns list | grep -qw "$C"'
check "A still works after C's deletion" ping_ok "$A" "$O2"
check "rmmod nfipsec (A still has SAs)" rmmod nfipsec
_NFIPSEC_LOADED=0
check "the module is gone" eval \
	'! lsmod | grep -q "^nfipsec " && [[ ! -d /sys/module/nfipsec ]]'
check "no kernel splat (WARNING, BUG, Oops, leak) in the whole test" no_splat

diag "done after ${SECONDS}s"
tap_done
