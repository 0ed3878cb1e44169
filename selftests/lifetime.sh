#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# SA time limits, without traffic (churn.sh expires SAs under traffic):
#   1. an sa update keeps the hard time limit counted from the first add:
#      time-hard 20, updated (same limit) at 10 s, the SA is gone at 24 s
#      (and still there right after the update);
#   2. time-hard 18446744073709551615 (2^64 - 1, what ip xfrm shows as INF
#      for byte and packet limits) and other times too large for the timer
#      are accepted and never expire: reported as given, the SAs still
#      VALID after 3 s, and 20 such SAs raise no storm of timer softirqs
#      (TIMER count over 3 s at most 300 above the same time with none);
#   3. soft and hard together: time-soft 2 time-hard 10, soft expired at
#      4 s, gone at 11.5 s (wide margins: the VM may run slowly).
# Times are taken after the add returned (the limits started before).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

ns=nfi-life-$$
load_nfipsec
ns_add "$ns"
GCM='rfc4106(gcm(aes))'
KEY=$(randhex 20)

ctl() { nsx "$ns" "$IPSECCTL" "$@"; }
# sa_add VERB SPI LIMITS...: an SA 10.0.0.1 -> 10.0.0.2 with SPI
sa_add() {
	local verb=$1 spi=$2
	shift 2
	ctl sa "$verb" src 10.0.0.1 dst 10.0.0.2 proto esp spi "$spi" \
		mode transport replay-window 32 aead "$GCM" "$KEY" 128 "$@"
}
# sa_val SPI JQ: a value of the SA with that SPI, "none" without the SA
sa_val() {
	ctl -j sa list | jq -r --arg s "$(printf '0x%08x' $(($1)))" \
		"[.[] | select(.spi == \$s)] | if length == 0 then \"none\"
		 else .[0] | $2 end"
}
is() { echo "$1: $2 (want $3)"; [[ $2 == "$3" ]]; }
# timer_softirqs: TIMER softirqs so far, summed over the CPUs
timer_softirqs() {
	awk '$1 == "TIMER:" { for (i = 2; i <= NF; i++) n += $i } END { print n }' \
		/proc/softirqs
}
# sleep_until T0 SECS: sleep until SECS (fractional) after T0 (date +%s.%N)
sleep_until() {
	local d
	d=$(echo "$1 + $2 - $(date +%s.%N)" | bc)
	[[ $d == -* ]] || sleep "$d"
}

# ------------------------------------------- 1. update, hard limit kept ---
diag "1. sa update keeps the hard time limit (at ${SECONDS}s)"
check "add SA 0x101 with time-hard 20" sa_add add 0x101 limit time-hard 20
t0=$(date +%s.%N)	# after the add: its limits started earlier
sleep_until "$t0" 10
check "sa update of 0x101 at 10 s (time-hard 20)" \
	sa_add update 0x101 limit time-hard 20
check "0x101 is there after the update" \
	is state "$(sa_val 0x101 .state)" valid
sleep_until "$t0" 24
check "0x101 is gone 24 s after its add (20 s limit from the add)" \
	is state "$(sa_val 0x101 .state)" none

# ------------------------------------------- 2. absurd times: infinite ---
diag "2. time limits beyond the timer's range (at ${SECONDS}s)"
INF=18446744073709551615
check "flush" ctl sa flush
sleep 1
s0=$(timer_softirqs)
sleep 3
s1=$(timer_softirqs)
idle=$((s1 - s0))
n=0
for i in $(seq 1 20); do
	sa_add add $((0x200 + i)) limit time-hard $INF && n=$((n + 1))
done
check "20 SAs with time-hard $INF added" is added "$n" 20
check "add SA 0x301 with time-soft 2^63 time-hard 2^64 - 1" \
	sa_add add 0x301 limit time-soft 9223372036854775808 limit time-hard $INF
check "add SA 0x302 with time-soft 2^62 / 250 + 1 (past the timer: served in steps)" \
	sa_add add 0x302 limit time-soft 18446744073709553
sleep 1
s0=$(timer_softirqs)
sleep 3
s1=$(timer_softirqs)
busy=$((s1 - s0))
check "TIMER softirqs over 3 s: $busy with the SAs, $idle without" \
	[ "$busy" -le $((idle + 300)) ]
# (ipsecctl's text: jq would round the number to a double)
check "time-hard is reported as given" eval \
	'[[ $(ctl sa list -s) == *"expire add: soft 0(sec), hard $INF(sec)"* ]]'
check "the SAs are still valid" eval \
	'[[ $(ctl -j sa list | jq "[.[] | select(.state == \"valid\")] | length") == 22 ]]'
check "flush" ctl sa flush

# --------------------------------------------------- 3. soft, then hard ---
diag "3. soft then hard (at ${SECONDS}s)"
check "add SA 0x401 with time-soft 2 time-hard 10" \
	sa_add add 0x401 limit time-soft 2 limit time-hard 10
t0=$(date +%s.%N)
sleep_until "$t0" 4
check "0x401 is soft expired at 4 s" \
	is state "$(sa_val 0x401 .state)" soft-expired
sleep_until "$t0" 11.5
check "0x401 is gone at 11.5 s" is state "$(sa_val 0x401 .state)" none

diag "done after ${SECONDS}s"
tap_done
