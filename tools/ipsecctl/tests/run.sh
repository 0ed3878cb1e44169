#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Offline tests of ipsecctl: no kernel needed. Commands run with -n (parse
# only: the request is printed, not sent) or with --selftest-print FIXTURE
# (the printers read canned kernel replies). Output is TAP.
#
# usage: run.sh [path/to/ipsecctl]      REGEN=1 rewrites tests/print/*.out

BIN=$(realpath "${1:-./ipsecctl}")
HERE=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC LC_ALL=C

n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

run() {
	"$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# dump DESC EXPECTED ARGS...: `ipsecctl -n ARGS` prints EXPECTED, exit 0
dump() {
	local desc=$1 want=$2
	shift 2
	run -n "$@"
	if [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$want" ] &&
	   [ ! -s "$tmp/err" ]; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc" "stderr: $(cat "$tmp/err")" \
			"$(diff <(echo "$want") "$tmp/out")"
	fi
}

# has DESC LINES ARGS...: every line of LINES is in the -n dump, exit 0
has() {
	local desc=$1 want=$2 line
	shift 2
	run -n "$@"
	if [ $rc -ne 0 ]; then
		not_ok "$desc" "exit $rc" "stderr: $(cat "$tmp/err")"
		return
	fi
	while IFS= read -r line; do
		if ! grep -qxF -- "$line" "$tmp/out"; then
			not_ok "$desc" "missing line: '$line'" "$(cat "$tmp/out")"
			return
		fi
	done <<<"$want"
	ok "$desc"
}

# lacks DESC PATTERN ARGS...: no line of the -n dump matches PATTERN
lacks() {
	local desc=$1 pat=$2
	shift 2
	run -n "$@"
	if [ $rc -eq 0 ] && ! grep -q -- "$pat" "$tmp/out"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc" "$(cat "$tmp/out")"
	fi
}

# same DESC "ARGS A" "ARGS B": both parse to the same request
same() {
	local desc=$1
	run -n $2
	local a=$rc out_a
	out_a=$(cat "$tmp/out")
	run -n $3
	if [ $a -eq 0 ] && [ $rc -eq 0 ] && [ "$out_a" = "$(cat "$tmp/out")" ]
	then
		ok "$desc"
	else
		not_ok "$desc" "exit $a/$rc" "$(diff <(echo "$out_a") "$tmp/out")"
	fi
}

# err DESC MESSAGE ARGS...: stderr is "ipsecctl: MESSAGE", exit 2, nothing
# built (the -n dump stays empty)
err() {
	local desc=$1 want="ipsecctl: $2"
	shift 2
	run -n "$@"
	if [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "$want" ] &&
	   [ ! -s "$tmp/out" ]; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc, want 2" "stderr: $(cat "$tmp/err")" \
			"want:   $want" "stdout: $(cat "$tmp/out")"
	fi
}

K16=0x000102030405060708090a0b0c0d0e0f
K20=0x000102030405060708090a0b0c0d0e0f10111213
K24=0x000102030405060708090a0b0c0d0e0f1011121314151617
K28=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b
K32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K36=${K32}20212223
K48=${K32}202122232425262728292a2b2c2d2e2f
K64=${K48}303132333435363738393a3b3c3d3e3f
ID="src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1000"
GCM="aead rfc4106(gcm(aes)) $K20 128"
CBC="enc cbc(aes) $K16 auth-trunc hmac(sha256) $K32 128"
# the -n dump of $ID, then of the defaults of sa add (transport, reqid 0,
# window 0)
ID_ATTRS="  FAMILY 2
  SRC 10.0.0.1
  DST 10.0.0.2
  PROTO 50
  SPI 0x00001000"
ID_DEFAULTS="$ID_ATTRS
  REQID 0
  MODE transport
  REPLAY_WINDOW 0"
# the -n dump of a policy without selector (0/0) and tmpl: allow
POL_ANY="  SEL
   FAMILY 2
   SRC 0.0.0.0
   SRC_PLEN 0
   DST 0.0.0.0
   DST_PLEN 0
   PROTO 0
  ACTION allow
  PRIORITY 0"

echo "TAP version 13"

# ---------------------------------------------------------------- sa add
dump "sa add: aead, tunnel, every option" "SA_NEW
 SA
  FAMILY 2
  SRC 10.0.0.1
  DST 10.0.0.2
  PROTO 50
  SPI 0x0000abcd
  REQID 7
  MODE tunnel
  FLAGS 1
  REPLAY_WINDOW 128
  DF set
  ALG_AEAD
   NAME rfc4106(gcm(aes))
   KEY <36 bytes>
   ICV_BITS 128
  SEL
   FAMILY 2
   SRC 192.168.1.0
   SRC_PLEN 24
   DST 192.168.2.0
   DST_PLEN 24
   PROTO 6
   SPORT 1024
   DPORT 443
  LIFETIME
   SOFT_SECS 3000
   HARD_SECS 3600
   SOFT_BYTES 1000000
   HARD_BYTES 2000000
   SOFT_PACKETS 1000
   HARD_PACKETS 2000" \
	sa add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0xabcd reqid 7 \
	mode tunnel aead 'rfc4106(gcm(aes))' $K36 128 replay-window 128 \
	flag esn sel src 192.168.1.0/24 dst 192.168.2.0/24 proto tcp \
	sport 1024 dport 443 limit time-soft 3000 limit time-hard 3600 \
	limit byte-soft 1000000 limit byte-hard 2000000 \
	limit packet-soft 1000 limit packet-hard 2000 df set

dump "sa add: enc + auth-trunc, defaults (transport, reqid 0, window 0)" \
"SA_NEW
 SA
$ID_DEFAULTS
  ALG_ENC
   NAME cbc(aes)
   KEY <16 bytes>
  ALG_AUTH
   NAME hmac(sha256)
   KEY <32 bytes>
   TRUNC_BITS 128" \
	sa add $ID $CBC

has "auth without -trunc sends TRUNC_BITS 0 (kernel default)" \
"   NAME hmac(sha256)
   TRUNC_BITS 0" sa add $ID enc aes $K16 auth sha256 $K32
dump "sa update: SA_UPDATE" "SA_UPDATE
 SA
$ID_DEFAULTS
  ALG_AEAD
   NAME rfc4106(gcm(aes))
   KEY <20 bytes>
   ICV_BITS 128" sa update $ID $GCM
same "state is an alias of sa" "sa add $ID $GCM" "state add $ID $GCM"
same "spi decimal = hex" "sa add $ID $GCM" \
	"sa add src 10.0.0.1 dst 10.0.0.2 proto esp spi 4096 $GCM"
same "spi upper-case hex" "sa add $ID $GCM" \
	"sa add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0X00001000 $GCM"
same "proto 50 = proto esp" "sa add $ID $GCM" \
	"sa add src 10.0.0.1 dst 10.0.0.2 proto 50 spi 0x1000 $GCM"
same "proto may be omitted (esp)" "sa add $ID $GCM" \
	"sa add src 10.0.0.1 dst 10.0.0.2 spi 0x1000 $GCM"
same "options in any order" \
	"sa add $ID mode tunnel reqid 3 $GCM replay-window 32" \
	"sa add replay-window 32 $GCM reqid 3 spi 0x1000 mode tunnel dst 10.0.0.2 proto esp src 10.0.0.1"
same "mode transport is the default" "sa add $ID $GCM" \
	"sa add $ID mode transport $GCM"
same "aes = cbc(aes)" "sa add $ID enc cbc(aes) $K16 auth hmac(sha256) $K32" \
	"sa add $ID enc aes $K16 auth sha256 $K32"
same "sha384 = hmac(sha384)" \
	"sa add $ID enc aes $K16 auth-trunc hmac(sha384) $K48 192" \
	"sa add $ID enc aes $K16 auth-trunc sha384 $K48 192"
same "sha512 = hmac(sha512)" \
	"sa add $ID enc aes $K16 auth hmac(sha512) $K64" \
	"sa add $ID enc aes $K16 auth sha512 $K64"
same "auth before enc" "sa add $ID $CBC" \
	"sa add $ID auth-trunc sha256 $K32 128 enc aes $K16"
same "flag nopmtudisc = df clear" "sa add $ID $GCM df clear" \
	"sa add $ID $GCM flag nopmtudisc"
same "flag list: esn nopmtudisc" "sa add $ID $GCM flag esn df clear" \
	"sa add $ID $GCM flag esn nopmtudisc"
has "flag icmp" "  FLAGS 2" sa add $ID $GCM flag icmp
has "flag list: esn icmp" "  FLAGS 3" sa add $ID $GCM flag esn icmp
same "flag icmp given twice" "sa add $ID $GCM flag icmp" \
	"sa add $ID $GCM flag icmp flag icmp"
same "sel keywords in any order, ends at a non-selector word" \
	"sa add $ID sel src 1.0.0.0/8 dst 2.0.0.0/8 proto udp dport 53 $GCM" \
	"sa add $ID sel dport 53 proto udp dst 2.0.0.0/8 src 1.0.0.0/8 $GCM"
has "sel: prefix without /len is /32, absent side is 0.0.0.0/0" \
"   SRC 1.2.3.4
   SRC_PLEN 32
   DST 0.0.0.0
   DST_PLEN 0
   PROTO 0" sa add $ID $GCM sel src 1.2.3.4
has "sel proto by number, sctp ports" "   PROTO 132
   DPORT 9" sa add $ID $GCM sel proto 132 dport 9
has "sel proto icmp" "   PROTO 1" sa add $ID $GCM sel proto icmp
has "df copy" "  DF copy" sa add $ID $GCM df copy
has "df clear" "  DF clear" sa add $ID $GCM df clear
has "aes-192 key, rfc4106 28 byte key" "   KEY <28 bytes>" \
	sa add $ID aead 'rfc4106(gcm(aes))' $K28 96
has "ICV 64" "   ICV_BITS 64" sa add $ID aead 'rfc4106(gcm(aes))' $K20 64
has "cbc(aes) 24 byte key" "   KEY <24 bytes>" \
	sa add $ID enc aes $K24 auth sha256 $K32
has "cbc(aes) 32 byte key, auth-trunc 256 with sha512" "   KEY <32 bytes>
   TRUNC_BITS 256" sa add $ID enc aes $K32 auth-trunc sha512 $K64 256
has "replay-window 4096 (maximum)" "  REPLAY_WINDOW 4096" \
	sa add $ID $GCM replay-window 4096
has "reqid hex" "  REQID 255" sa add $ID $GCM reqid 0xff
lacks "keys are never printed" "0001020304" sa add $ID $CBC
lacks "no SEL, LIFETIME, DF, FLAGS unless given" "SEL\|LIFETIME\|DF\|FLAGS" \
	sa add $ID $GCM

# ------------------------------------------------------- sa del/get/...
dump "sa del" "SA_DEL
 SA
$ID_ATTRS" sa del $ID
dump "sa get without src" "SA_GET
 SA
  FAMILY 2
  DST 10.0.0.2
  PROTO 50
  SPI 0x00000005" sa get dst 10.0.0.2 proto esp spi 5
same "sa delete = del" "sa del $ID" "sa delete $ID"
dump "sa list" "SA_GET flags=dump" sa list
dump "sa list -s" "SA_GET flags=dump" sa list -s
dump "sa (no command) lists" "SA_GET flags=dump" sa
dump "sa flush" "SA_FLUSH" sa flush
dump "sa flush proto esp" "SA_FLUSH" sa flush proto esp
dump "stats" "STATS_GET" stats
dump "show fetches SAs, policies, stats" "SA_GET flags=dump
POL_GET flags=dump
STATS_GET" show
same "sa show = show" "show" "sa show"

# ---------------------------------------------------------------- policy
dump "policy add: tunnel tmpl, default action protect" \
"POL_NEW
 POLICY
  DIR out
  SEL
   FAMILY 2
   SRC 192.168.1.0
   SRC_PLEN 24
   DST 192.168.2.0
   DST_PLEN 24
   PROTO 6
   SPORT 22
  ACTION protect
  PRIORITY 100
  TMPL
   FAMILY 2
   SRC 10.0.0.1
   DST 10.0.0.2
   PROTO 50
   REQID 7
   MODE tunnel" \
	policy add src 192.168.1.0/24 dst 192.168.2.0/24 proto tcp sport 22 \
	dir out priority 100 tmpl src 10.0.0.1 dst 10.0.0.2 proto esp \
	reqid 7 mode tunnel
dump "policy add: no selector (0/0), no tmpl: allow" \
"POL_NEW
 POLICY
  DIR in
$POL_ANY" policy add dir in
has "policy action block" "  ACTION block
  DIR fwd" policy add src 10.0.0.0/8 dir fwd action block
has "policy action allow with tmpl protects (ip xfrm)" "  ACTION protect" \
	policy add dir out action allow tmpl proto esp mode transport
has "policy action protect (explicit)" "  ACTION protect" \
	policy add dir out action protect tmpl mode transport
has "tmpl: transport, no addresses, defaults" "  TMPL
   FAMILY 2
   PROTO 50
   REQID 0
   MODE transport" policy add dir out tmpl proto esp
lacks "tmpl without addresses sends none" "   SRC 10\|   DST 10" \
	policy add dir out tmpl proto esp level required
same "prio = priority" "policy add dir out priority 5" \
	"policy add dir out prio 5"
same "policy proto name = number" \
	"policy add src 1.0.0.0/8 proto udp dport 53 dir out" \
	"policy add src 1.0.0.0/8 proto 17 dport 53 dir out"
same "selector and dir in any order" \
	"policy add src 1.1.1.1 dst 2.2.2.2 dir out priority 1" \
	"policy add priority 1 dir out dst 2.2.2.2/32 src 1.1.1.1/32"
same "ptype main accepted" "policy add dir out" \
	"policy add dir out ptype main"
has "policy flag icmp" "  FLAGS 1" \
	policy add src 10.0.0.1 dst 10.0.0.2 proto udp sport 7 dir out \
	flag icmp tmpl proto esp mode transport
lacks "policy without flag sends no FLAGS" "FLAGS" \
	policy add dir out tmpl proto esp mode transport
same "policy flag after tmpl ends the tmpl" \
	"policy add dir out flag icmp tmpl mode transport" \
	"policy add dir out tmpl mode transport flag icmp"
same "policy flag list ends at a non-flag word" \
	"policy add dir out flag icmp priority 3" \
	"policy add dir out priority 3 flag icmp icmp"
has "policy update flag icmp" "POL_UPDATE
  FLAGS 1" policy update dir out flag icmp
dump "policy update (adds if missing, no flags)" "POL_UPDATE
 POLICY
  DIR out
$POL_ANY" policy update dir out
dump "policy del" "POL_DEL
 POLICY
  DIR out
  SEL
   FAMILY 2
   SRC 10.0.0.0
   SRC_PLEN 8
   DST 0.0.0.0
   DST_PLEN 0
   PROTO 6
   DPORT 80" policy del src 10.0.0.0/8 proto tcp dport 80 dir out
has "policy get" "POL_GET
  DIR in" policy get dir in
dump "policy get by index" "POL_GET
 POLICY
  INDEX 9" policy get index 9
dump "policy list" "POL_GET flags=dump" policy list
dump "policy show = list" "POL_GET flags=dump" policy show
dump "policy flush" "POL_FLUSH" policy flush

# ---------------------------------------------------------------- errors
err "bad address" 'invalid address "10.0.0.256"' \
	sa add src 10.0.0.256 dst 10.0.0.2 spi 1 $GCM
err "bad address (name)" 'invalid address "gateway"' \
	sa add src gateway dst 10.0.0.2 spi 1 $GCM
err "IPv6 address" 'IPv6 is not supported yet: "2001:db8::1"' \
	sa add src 2001:db8::1 dst 10.0.0.2 spi 1 $GCM
err "IPv6 prefix" 'IPv6 is not supported yet: "2001:db8::/64"' \
	policy add src 2001:db8::/64 dir out
err "IPv6 tmpl address" 'IPv6 is not supported yet: "::1"' \
	policy add dir out tmpl src ::1 dst 10.0.0.1 mode tunnel
err "bad prefix length" 'invalid prefix "10.0.0.0/33"' \
	policy add src 10.0.0.0/33 dir out
err "bad prefix (garbage)" 'invalid prefix "10.0.0.0/x"' \
	policy add dst 10.0.0.0/x dir out
err "bad prefix (empty length)" 'invalid prefix "10.0.0.0/"' \
	sa add $ID $GCM sel src 10.0.0.0/
err "bad SPI" 'invalid SPI "0xzz"' sa add src 10.0.0.1 dst 10.0.0.2 spi 0xzz
err "SPI too large" 'invalid SPI "0x100000000"' \
	sa add src 10.0.0.1 dst 10.0.0.2 spi 0x100000000 $GCM
err "SPI negative" 'invalid SPI "-1"' sa del dst 10.0.0.2 spi -1
err "SPI 0" 'invalid SPI "0": must not be zero' \
	sa add src 10.0.0.1 dst 10.0.0.2 spi 0 $GCM
err "SPI 0x0" 'invalid SPI "0x0": must not be zero' \
	sa get dst 10.0.0.2 spi 0x0
err "unknown keyword" 'unknown keyword "foo"' sa add $ID $GCM foo bar
err "unknown policy keyword" 'unknown keyword "foo"' policy add dir out foo
err "unsupported ip xfrm keyword" '"mark" is not supported by nfipsec' \
	sa add $ID $GCM mark 5
err "sa del takes only the id" '"reqid" is not valid with del/get' \
	sa del $ID reqid 5
err "policy del takes no tmpl" '"tmpl" is not valid with del/get' \
	policy del dir out tmpl proto esp
err "missing argument at end (spi)" 'missing argument after "spi"' \
	sa add src 10.0.0.1 dst 10.0.0.2 spi
err "missing argument at end (aead key)" 'missing argument after "aead"' \
	sa add $ID aead 'rfc4106(gcm(aes))'
err "missing argument at end (icv)" 'missing argument after "aead"' \
	sa add $ID aead 'rfc4106(gcm(aes))' $K20
err "missing argument at end (dir)" 'missing argument after "dir"' \
	policy add dir
err "missing argument at end (sel src)" 'missing argument after "src"' \
	sa add $ID $GCM sel src
err "missing argument at end (limit)" 'missing argument after "time-hard"' \
	sa add $ID $GCM limit time-hard
err "missing argument at end (flag)" 'missing argument after "flag"' \
	sa add $ID $GCM flag
err "missing src" 'missing "src"' sa add dst 10.0.0.2 spi 1 $GCM
err "missing spi" 'missing "spi"' sa del dst 10.0.0.2
err "missing algorithm" 'missing algorithm: "aead", or "enc" with "auth"' \
	sa add $ID
err "enc without auth" '"enc" requires "auth" or "auth-trunc"' \
	sa add $ID enc aes $K16
err "auth without enc" '"auth" requires "enc" (or use "aead")' \
	sa add $ID auth sha256 $K32
err "aead with enc" '"enc" cannot be combined with "aead"' \
	sa add $ID $GCM enc aes $K16
err "duplicate spi" 'duplicate "spi"' sa add $ID spi 5 $GCM
err "duplicate auth" 'duplicate "auth-trunc"' \
	sa add $ID $CBC auth-trunc sha256 $K32 128
err "bad key hex" 'invalid key "0x00zz": expected 0x and hex digits' \
	sa add $ID aead 'rfc4106(gcm(aes))' 0x00zz 128
err "key without 0x" 'invalid key "secret": expected 0x and hex digits' \
	sa add $ID aead 'rfc4106(gcm(aes))' secret 128
err "key with odd digits" 'invalid key "0xabc": odd or empty number of hex digits' \
	sa add $ID enc aes 0xabc auth sha256 $K32
err "key empty" 'invalid key "0x": odd or empty number of hex digits' \
	sa add $ID enc aes 0x auth sha256 $K32
K15=0x000102030405060708090a0b0c0d0e
err "cbc(aes) key length" "key for cbc(aes) must be 16, 24 or 32 bytes, got 15: \"$K15\"" \
	sa add $ID enc aes $K15 auth sha256 $K32
err "rfc4106 key length (AES key without salt)" \
	"key for rfc4106(gcm(aes)) must be 20, 28 or 36 bytes, got 16: \"$K16\"" \
	sa add $ID aead 'rfc4106(gcm(aes))' $K16 128
err "rfc4106 key length (32)" \
	"key for rfc4106(gcm(aes)) must be 20, 28 or 36 bytes, got 32: \"$K32\"" \
	sa add $ID aead 'rfc4106(gcm(aes))' $K32 128
K129=${K64}${K64#0x}00
err "hmac key too long" "key for hmac(sha256) is too long, at most 128 bytes, got 129: \"$K129\"" \
	sa add $ID enc aes $K16 auth sha256 $K129
err "bad ICV bits" 'invalid ICV length "100" for rfc4106(gcm(aes)): must be 64, 96 or 128' \
	sa add $ID aead 'rfc4106(gcm(aes))' $K20 100
err "bad ICV bits (text)" 'invalid ICV length "full" for rfc4106(gcm(aes)): must be 64, 96 or 128' \
	sa add $ID aead 'rfc4106(gcm(aes))' $K20 full
err "bad truncation" 'invalid truncation length "512" for hmac(sha256): must be a multiple of 32 from 64 to 256' \
	sa add $ID enc aes $K16 auth-trunc sha256 $K32 512
err "unknown enc algorithm" 'unknown enc algorithm "des"' \
	sa add $ID enc des $K16 auth sha256 $K32
err "unknown auth algorithm" 'unknown auth algorithm "md5"' \
	sa add $ID enc aes $K16 auth md5 $K16
err "unknown aead algorithm" 'unknown aead algorithm "rfc4543(gcm(aes))"' \
	sa add $ID aead 'rfc4543(gcm(aes))' $K20 128
err "no prefix matching of algorithm names" 'unknown enc algorithm "cbc"' \
	sa add $ID enc cbc $K16 auth sha256 $K32
err "no prefix matching (sha2)" 'unknown auth algorithm "sha2"' \
	sa add $ID enc aes $K16 auth sha2 $K32
err "sport without proto" '"sport" is only valid with proto tcp, udp or sctp' \
	policy add src 10.0.0.0/8 sport 80 dir out
err "dport with icmp" '"dport" is only valid with proto tcp, udp or sctp' \
	sa add $ID $GCM sel proto icmp dport 80
err "bad port" 'invalid port "65536"' policy add proto tcp dport 65536 dir out
err "bad protocol" 'invalid protocol "foo"' policy add proto foo dir out
err "bad protocol number" 'invalid protocol "256"' policy add proto 256 dir out
err "SA proto ah" 'protocol "ah" is not supported (only esp)' \
	sa add src 10.0.0.1 dst 10.0.0.2 proto ah spi 1 $GCM
err "SA proto garbage" 'invalid protocol "tcp"' \
	sa add src 10.0.0.1 dst 10.0.0.2 proto tcp spi 1 $GCM
err "replay-window > 4096" 'invalid replay-window "4097": must be 0..4096' \
	sa add $ID $GCM replay-window 4097
err "replay-window garbage" 'invalid replay-window "big": must be 0..4096' \
	sa add $ID $GCM replay-window big
err "unknown mode" 'unknown mode "beet"' sa add $ID $GCM mode beet
err "unknown tmpl mode" 'unknown mode "tunel"' \
	policy add dir out tmpl mode tunel
err "unknown dir" 'unknown dir "inbound"' policy add dir inbound
err "unknown action" 'unknown action "drop"' policy add dir out action drop
err "missing dir" 'missing "dir"' policy add src 10.0.0.0/8
err "protect without tmpl" 'action "protect" requires "tmpl"' \
	policy add dir out action protect
err "tunnel tmpl needs endpoints" '"tmpl" "mode tunnel" requires "src" and "dst"' \
	policy add dir out tmpl src 10.0.0.1 mode tunnel
err "block with tmpl" '"tmpl" cannot be used with action "block"' \
	policy add dir out action block tmpl mode transport
err "two tmpls" 'only one "tmpl" is supported' \
	policy add dir out tmpl mode transport tmpl mode transport
err "tmpl spi" '"spi" in "tmpl" is not supported by nfipsec' \
	policy add dir out tmpl spi 5
err "policy unknown flag (the token)" 'unknown flag "icmpv6"' \
	policy add dir out flag icmpv6
err "policy flag localok" 'flag "localok" is not supported by nfipsec' \
	policy add dir out flag icmp localok
err "policy flag without argument" 'missing argument after "flag"' \
	policy add dir out flag
err "policy flag with del" '"flag" is not valid with del/get' \
	policy del dir out flag icmp
err "index with add" '"index" is assigned by the kernel, not valid with add/update' \
	policy add dir out index 5
err "bad priority" 'invalid priority "high"' policy add dir out priority high
err "priority overflow" 'invalid priority "4294967296"' \
	policy add dir out priority 4294967296
err "bad reqid" 'invalid reqid "-1"' sa add $ID $GCM reqid -1
err "unknown flag" 'unknown flag "fast"' sa add $ID $GCM flag fast
err "SA flag localok (a policy flag)" 'unknown flag "localok"' \
	sa add $ID $GCM flag localok
err "unsupported flag" 'flag "noecn" is not supported by nfipsec' \
	sa add $ID $GCM flag esn noecn
err "unknown df" 'unknown df "maybe": copy, clear or set' sa add $ID $GCM df maybe
err "df twice (nopmtudisc)" 'duplicate "df"' \
	sa add $ID $GCM df set flag nopmtudisc
err "unknown limit" 'unknown limit "bytes-hard"' \
	sa add $ID $GCM limit bytes-hard 5
err "unsupported limit" 'limit "time-use-hard" is not supported by nfipsec' \
	sa add $ID $GCM limit time-use-hard 5
err "bad limit value" 'invalid time-hard "1h"' sa add $ID $GCM limit time-hard 1h
err "duplicate limit" 'duplicate "time-hard"' \
	sa add $ID $GCM limit time-hard 5 limit time-hard 6
err "duplicate sel" 'duplicate "sel"' sa add $ID $GCM sel src 1.1.1.1 sel
err "duplicate selector src (policy)" 'duplicate "src"' \
	policy add src 1.1.1.1 dir out src 2.2.2.2
err "unknown sa command" 'unknown sa command "create", try "ipsecctl sa help"' \
	sa create $ID
err "unknown policy command" 'unknown policy command "new", try "ipsecctl policy help"' \
	policy new
err "unknown object" 'unknown object "route", try "ipsecctl help"' route
err "unknown option" 'unknown option "-x"' -x sa list
err "sa list filter" 'unknown keyword "src"' sa list src 10.0.0.1
err "sa flush proto ah" 'protocol "ah" is not supported (only esp)' \
	sa flush proto ah
err "stats argument" 'unknown keyword "now"' stats now

# ------------------------------------------------------------ help, exit
run help
if [ $rc -eq 0 ] && grep -q -- "-n  parse only" "$tmp/out"; then
	ok "help documents -n"
else
	not_ok "help documents -n" "exit $rc"
fi
run sa help
if [ $rc -eq 0 ] && grep -q "rfc4106(gcm(aes))" "$tmp/out"; then
	ok "sa help"
else
	not_ok "sa help" "exit $rc"
fi
run policy help
if [ $rc -eq 0 ] && grep -q "tmpl" "$tmp/out"; then
	ok "policy help"
else
	not_ok "policy help" "exit $rc"
fi
run
if [ $rc -eq 2 ]; then ok "no arguments: exit 2"; else not_ok "no arguments: exit 2" "exit $rc"; fi

# ------------------------------------------------------------- printers
# name|arguments (after --selftest-print FIXTURE)
views=(
	"sa-list|sa list"
	"sa-list-s|sa list -s"
	"sa-list-json|-j sa list"
	"sa-list-json-pretty|-jp sa list"
	"policy-list|policy list"
	"policy-list-json|-j policy list"
	"stats|stats"
	"stats-json|-j stats"
	"show|show"
	"show-json|-j show"
)
FIX="$HERE/print/fixture.txt"
for v in "${views[@]}"; do
	name=${v%%|*}
	args=${v#*|}
	exp="$HERE/print/$name.out"
	run --selftest-print "$FIX" $args
	if [ -n "$REGEN" ]; then
		cp "$tmp/out" "$exp"
	fi
	if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$exp" "$tmp/out"; then
		ok "print: $args"
	else
		not_ok "print: $args" "exit $rc" "stderr: $(cat "$tmp/err")" \
			"$(diff "$exp" "$tmp/out" 2>&1 | head -40)"
	fi
	case $name in
	*json*)
		if python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/jerr"; then
			ok "valid JSON: $args"
		else
			not_ok "valid JSON: $args" "$(cat "$tmp/jerr")"
		fi
		;;
	esac
done

# the exact JSON keys other tools rely on
run --selftest-print "$FIX" -j sa list
if python3 - "$tmp/out" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
reasons = ["no_sa", "replay", "too_old", "auth", "bad_padding",
           "bad_nexthdr", "malformed", "policy_mismatch", "plaintext",
           "policy_block", "no_out_sa", "seq_overflow", "expired", "mtu",
           "no_route", "nomem", "crypto", "output", "nesting", "backlog"]
full = v[1]
for k in ["src", "dst", "proto", "spi", "spi_num", "reqid", "mode",
          "replay_window", "flags", "state", "aead", "sel", "lifetime",
          "curlife", "stats", "replay", "overhead", "pmtu"]:
    assert k in full, k
assert v[0]["oseq"] == 1000 and "oseq" not in full
assert full["spi"] == "0x5e9b1c2d" and full["spi_num"] == 0x5e9b1c2d
assert full["proto"] == "esp" and full["mode"] == "tunnel"
assert full["flags"] == ["esn"] and full["state"] == "soft-expired"
assert full["aead"] == {"name": "rfc4106(gcm(aes))", "key_bits": 288,
                        "icv_bits": 128}
assert full["sel"]["src"] == "192.168.200.0/24"
assert list(full["stats"]["errors"]) == reasons
assert full["replay"] == {"window": 64, "top": 1001,
                          "bitmap": "0x0000001ffffffffb"}
assert v[0]["df"] == "clear" and v[0]["flags"] == ["esn", "icmp"]
assert set(v[0]["lifetime"]) == {"time_soft", "time_hard", "byte_soft",
                                 "byte_hard", "packet_soft", "packet_hard"}
assert set(v[0]["curlife"]) == {"add_time", "use_time", "bytes", "packets"}
assert v[2]["enc"] == {"name": "cbc(aes)", "key_bits": 128}
assert v[2]["auth"] == {"name": "hmac(sha256)", "key_bits": 256,
                        "trunc_bits": 128}
assert v[2]["flags"] == []
assert "sel" not in v[2] and "stats" not in v[4] and "reqid" not in v[4]
PY
then ok "JSON keys: sa list"; else not_ok "JSON keys: sa list"; fi

run --selftest-print "$FIX" -j policy list
if python3 - "$tmp/out" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
p = v[0]
assert p == {"dir": "out", "src": "192.168.100.0/24",
             "dst": "192.168.200.0/24", "proto": 0, "action": "protect",
             "priority": 100, "index": 9, "hits": 1000,
             "tmpl": {"src": "192.0.2.1", "dst": "198.51.100.2",
                      "proto": "esp", "reqid": 7, "mode": "tunnel"}}, p
assert v[2]["proto"] == 6 and v[2]["dport"] == 443
assert v[4]["action"] == "block" and "tmpl" not in v[4]
assert v[4]["dir"] == "fwd"
assert v[2]["flags"] == ["icmp"] and v[3]["flags"] == []
assert "flags" not in v[4]
PY
then ok "JSON keys: policy list"; else not_ok "JSON keys: policy list"; fi

run --selftest-print "$FIX" -j stats
if python3 - "$tmp/out" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
assert v["sa_count"] == 5 and v["policy_count"] == 5
assert list(v["drops"])[0] == "no_sa" and len(v["drops"]) == 20
assert v["drops"]["policy_block"] == 42
PY
then ok "JSON keys: stats"; else not_ok "JSON keys: stats"; fi

# a bad fixture is reported, not crashed on
printf 'SA\n  FAMILY 2\n' >"$tmp/bad.txt"
run --selftest-print "$tmp/bad.txt" sa list
if [ $rc -eq 2 ] && grep -q "line 2: bad indentation" "$tmp/err"; then
	ok "fixture errors are reported"
else
	not_ok "fixture errors are reported" "exit $rc: $(cat "$tmp/err")"
fi

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
