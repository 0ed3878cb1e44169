#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The nfipsec generic netlink family under invalid, mutated and
# unprivileged requests (client: selftests/lib/nlfuzz.py, raw AF_NETLINK):
#   - invalid SA/policy requests, one per case: the expected errno, an
#     extended ACK message that names the attribute (and, for policy
#     violations found by the netlink core, an offset that points at it),
#     and SA/policy counts unchanged afterwards;
#   - duplicates, updates and deletes of what exists and of what does not;
#   - a few thousand mutated requests (truncated, flipped attribute
#     headers and payloads, garbage nests, absurd nla_len): each is
#     answered, every rejection carries a message, counts move only with
#     accepted requests, and the dumps hold exactly what was accepted;
#   - without CAP_NET_ADMIN over the namespace (uid 65534, or root of a
#     user namespace that does not own the netns) every command and dump
#     is refused with EPERM; root of a user namespace that owns its netns
#     is allowed.
# Rejections the kernel core answers itself (the family's attribute
# policy: lengths, unknown/unsupported attributes, NLA_F_NESTED, nlmsg_flags
# and genlmsghdr checks) carry the core's messages, which the cases
# require too. Only an unknown command number (EOPNOTSUPP) and missing
# permissions (EPERM) come without a message; the fuzzer never sends those.
#
# NFIPSEC_FUZZ_SEED, NFIPSEC_FUZZ_COUNT, NFIPSEC_FUZZ_SECONDS: see nlfuzz.py.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

NLFUZZ=$REPO/selftests/lib/nlfuzz.py
export NFIPSEC_FUZZ_SECONDS=${NFIPSEC_FUZZ_SECONDS:-50}
ns=nfi-nl-$$

load_nfipsec
ns_add "$ns"

# relay DESC cmd...: run an nlfuzz.py mode; its "ok", "not ok" and "# "
# lines become TAP cases and diagnostics; a non-zero exit fails DESC.
relay() {
	local desc=$1 out rc=0 line n0=$_tap_n
	shift
	out=$("$@" 2>&1) || rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok }";;
		"not ok "*) not_ok "${line#not ok }";;
		"# "*) diag "${line#\# }";;
		"") ;;
		*) diag "$line";;
		esac
	done <<<"$out"
	if ((rc != 0)); then
		not_ok "$desc: exit status $rc"
	elif ((_tap_n == n0)); then
		not_ok "$desc: no results"
	fi
}

# nlpy NS ARGS...: nlfuzz.py as root in NS.
nlpy() {
	local n=$1
	shift
	nsx "$n" python3 -B "$NLFUZZ" "$@"
}

ipsecctl_counts() { # NS: "sa_count policy_count"
	nsx "$1" "$IPSECCTL" -j stats | jq -r '"\(.sa_count) \(.policy_count)"'
}

counts_are() { # NS WANT
	local c
	c=$(ipsecctl_counts "$1") || return 1
	echo "ipsecctl -j stats: $c"
	[[ $c == "$2" ]]
}

t0=$SECONDS
relay "invalid requests" nlpy "$ns" cases
diag "invalid requests took $((SECONDS - t0))s"
check "ipsecctl agrees: no SA and no policy left" counts_are "$ns" "0 0"

t0=$SECONDS
relay "fuzz" nlpy "$ns" fuzz
diag "fuzz took $((SECONDS - t0))s"
check "ipsecctl agrees after the fuzz: no SA and no policy" \
	counts_are "$ns" "0 0"

# ------------------------------------------------------ unprivileged ---
# A valid SA and policy exist, so GET/DEL/dumps would have something to show.
K=$(randhex 20)
check "root: add an SA and a policy" eval \
	"nsx $ns $IPSECCTL sa add src 10.0.0.1 dst 10.0.0.2 proto esp \
	 spi 0x3001 mode transport aead 'rfc4106(gcm(aes))' $K 128 &&
	 nsx $ns $IPSECCTL policy add src 10.0.0.1 dst 10.0.0.2 dir out \
	 tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode transport"

# The script is read from stdin: the unprivileged user need not be able
# to read the repository.
relay "uid 65534" nsx "$ns" setpriv --reuid=65534 --regid=65534 \
	--clear-groups python3 -B - eperm "uid 65534" <"$NLFUZZ"
relay "userns root" nsx "$ns" unshare -U -r python3 -B - eperm \
	"root of a user namespace that does not own the netns" <"$NLFUZZ"
relay "userns owner" unshare -U -r -n sh -c 'ip link set lo up;
	exec python3 -B - owner "root of a user namespace owning its netns"' \
	<"$NLFUZZ"
check_fails "ipsecctl sa list as uid 65534 fails" \
	nsx "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$IPSECCTL" sa list
check_fails "ipsecctl sa flush as uid 65534 fails" \
	nsx "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$IPSECCTL" sa flush
check "the unprivileged requests changed nothing" counts_are "$ns" "1 1"
check "flush as root" nlpy "$ns" flush
check "tables empty at the end" counts_are "$ns" "0 0"

tap_done
