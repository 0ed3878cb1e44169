#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Crafted ESP (RFC 4303) packets for selftests/hostile.sh: with the SA's
keys it builds packets whose ICV verifies but whose content is wrong
(padding, next header, inner header), and packets broken before the
crypto (lengths, ICV, sequence numbers, fragments, IP options, UDP 4500).
Frames go out on a link layer socket (AF_PACKET), so that the sender's own
stack never sees them. Needs the `cryptography` package.

  esp_craft.py send --iface IF --dst-mac MAC --src IP --dst IP
               --sa SPEC --kind KIND [--arg X] --seq N [--count N]
               [--step N] [--tag TEXT] [--dport N] [--inner-src IP]
               [--inner-dst IP] [--expect-refused]

SPEC: comma separated key=value: spi=0x.., mode=transport|tunnel and
either aead=0x<AES key><4 byte salt> (rfc4106(gcm(aes)), ICV 128) or
enc=0x<AES key>,auth=0x<HMAC-SHA-256 key> (cbc(aes), ICV 128 bits).

The payload is UDP to --dport carrying "TAG SEQ\\n" (transport mode: from
--src to --dst; tunnel mode: an inner IPv4 packet --inner-src ->
--inner-dst). Sequence numbers: --seq, --seq + --step, ... (--count
packets; --step 0 repeats one number). The IV is derived from the
sequence number, so a packet with the same number is the same packet.

KIND (and --arg; a comma separated --arg is used in turn, packet by
packet):
  valid              a packet that must be accepted
  trunc N            only N bytes after the IP header (SPI, seq, random)
  ctlen N            N random bytes inserted before the ICV (ciphertext
                     no longer a multiple of the block)
  padlen N           valid ICV, pad length byte N (too large)
  padbytes           valid ICV, pad bytes not 1, 2, 3, ...
  nexthdr N          valid ICV, next header N (59: dummy packet)
  icv                the last ICV byte flipped
  inner F            tunnel mode, valid ICV, inner IPv4 header broken:
                     F = version | ihl | totlen | short | csum
  options            valid, outer header with NOP + record route options
  size N             valid, outer IPv4 total length exactly N, DF set
  frag M             valid, outer packet split into 3 IP fragments:
                     M = ok | reverse | overlap | missing
  udp4500 P          UDP 4500 -> 4500, payload P = empty | keepalive
                     | marker | trunc7 | esphdr (SPI + seq, no more)
  nest D             D transport mode ESP layers of the SA around the
                     UDP payload, all valid: the outermost has sequence
                     number SEQ, the next SEQ + 1, ... (D numbers per
                     packet: use --step D); outer packets larger than
                     the link MTU (1500) go out as IP fragments
  plain N            no ESP: a cleartext UDP datagram of N payload bytes
                     from --src to --dst:--dport, as IP fragments of at
                     most 1500 bytes when it does not fit in one
  icmperr T          no ESP: a cleartext ICMP error (T = unreach: port
                     unreachable, fragneeded: fragmentation needed, MTU
                     1200) from --src to --dst, quoting a UDP datagram of
                     --dst to --src:--dport
Prints one line: "sent N packets in M frames"; with --expect-refused every
send must fail with EMSGSIZE (exit status 0 only then).

  esp_craft.py serve
      The same, one command line (send's options) per line on stdin,
      answered by one line "ok MSG" or "error MSG": Python and its crypto
      start once (seconds under emulation), not for every packet kind.
  esp_craft.py monitor --ipsecctl PATH --listen ADDR:PORT[,...]
                       [--names JSON]
      In the receiving namespace: UDP listeners that count datagrams, and
      for each "snap" line on stdin every counter the test compares, as
      sorted "key value" lines and then "END": rx.PORT (datagrams),
      sa.NAME.in_packets, sa.NAME.top, sa.NAME.REASON (NAME from --names,
      {"<spi number>": "name"}), ns.REASON (namespace drops) and
      ip.IpReasmReqds, ip.IpReasmOKs, ip.IpExtReasmOverlaps, ip.UdpNoPorts.
"""
import argparse
import errno
import hashlib
import hmac
import json
import os
import shlex
import socket
import struct
import subprocess
import sys

ETH_P_IP = 0x0800
IPPROTO_ICMP, IPPROTO_IPIP, IPPROTO_UDP, IPPROTO_ESP = 1, 4, 17, 50


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, payload, ident, frag=0x4000, options=b"",
         tot_len=None, ttl=64):
    """IPv4 header (with checksum) + payload; frag = flags|offset word."""
    ihl = 5 + len(options) // 4
    if tot_len is None:
        tot_len = ihl * 4 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot_len, ident, frag,
                    ttl, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(src, dst, sport, dport, data):
    ulen = 8 + len(data)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, IPPROTO_UDP, ulen)
    h = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = csum(pseudo + h + data) or 0xffff
    return struct.pack("!HHHH", sport, dport, ulen, c) + data


def unhex(s):
    s = s[2:] if s.lower().startswith("0x") else s
    return bytes.fromhex(s)


Cipher = algorithms = modes = AESGCM = None


def load_crypto():
    """cryptography takes seconds to import under emulation: only once."""
    global Cipher, algorithms, modes, AESGCM
    if AESGCM is None:
        from cryptography.hazmat.primitives.ciphers import (
            Cipher, algorithms, modes)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SA:
    def __init__(self, spec):
        load_crypto()
        kv = dict(x.split("=", 1) for x in spec.split(","))
        self.spi = int(kv["spi"], 0)
        self.mode = kv.get("mode", "transport")
        if "aead" in kv:
            k = unhex(kv["aead"])
            self.gcm, self.key, self.salt = True, k[:-4], k[-4:]
            self.ivlen, self.blk, self.icvlen = 8, 4, 16
        else:
            self.gcm = False
            self.ekey, self.akey = unhex(kv["enc"]), unhex(kv["auth"])
            self.ivlen, self.blk, self.icvlen = 16, 16, 16

    def iv(self, seq):
        if self.gcm:
            return struct.pack("!Q", seq)
        return hashlib.sha256(b"iv" + struct.pack("!Q", seq)).digest()[:16]

    def seal(self, seq, plain):
        """SPI | seq | IV | ciphertext | ICV for the padded plaintext."""
        assert len(plain) % self.blk == 0
        hdr = struct.pack("!II", self.spi, seq & 0xffffffff)
        iv = self.iv(seq)
        if self.gcm:
            ct = AESGCM(self.key).encrypt(self.salt + iv, plain, hdr)
            return hdr + iv + ct
        enc = Cipher(algorithms.AES(self.ekey), modes.CBC(iv)).encryptor()
        ct = enc.update(plain) + enc.finalize()
        icv = hmac.new(self.akey, hdr + iv + ct,
                       hashlib.sha256).digest()[:self.icvlen]
        return hdr + iv + ct + icv


def trailer(sa, plen, nexthdr, padlen=None, badpad=False):
    """Padding, pad length and next header for plen payload bytes."""
    p = (-(plen + 2)) % sa.blk
    if badpad:
        while p < 4:
            p += sa.blk
        pad = bytes(range(1, p + 1))
        pad = pad[:1] + pad[2:3] + pad[1:2] + pad[3:]    # 1, 3, 2, 4...
    else:
        pad = bytes(range(1, p + 1))
    return pad + bytes([p if padlen is None else padlen, nexthdr])


def rr_option():
    # NOP, record route (type 7, length 11, pointer 4, two empty slots)
    return b"\x01" + bytes([7, 11, 4]) + bytes(8)


class Crafter:
    def __init__(self, a):
        self.a = a
        self.sa = SA(a.sa)
        self.ident = int.from_bytes(os.urandom(2), "big")

    def next_ident(self):
        self.ident = (self.ident + 1) & 0xffff
        return self.ident

    def inner(self, seq, fill=0, brk=None):
        """The protected payload and its next header."""
        a = self.a
        data = ("%s %d\n" % (a.tag, seq)).encode()
        data += b"." * fill
        if self.sa.mode == "transport":
            return udp(a.src, a.dst, 4242, a.dport, data), IPPROTO_UDP
        pkt = ipv4(a.inner_src, a.inner_dst, IPPROTO_UDP,
                   udp(a.inner_src, a.inner_dst, 4242, a.dport, data),
                   self.next_ident())
        if brk:
            h = bytearray(pkt[:20])
            if brk == "version":
                h[0] = 0x65
            elif brk == "ihl":
                h[0] = 0x44
            elif brk == "totlen":   # longer than the packet
                struct.pack_into("!H", h, 2, len(pkt) + 40)
            elif brk == "short":    # shorter than the header
                struct.pack_into("!H", h, 2, 12)
            if brk != "csum":
                struct.pack_into("!H", h, 10, 0)
                struct.pack_into("!H", h, 10, csum(bytes(h)))
            else:
                struct.pack_into("!H", h, 10,
                                 struct.unpack_from("!H", h, 10)[0] ^ 0x5a5a)
            pkt = bytes(h) + pkt[20:]
        return pkt, IPPROTO_IPIP

    def esp(self, seq, fill=0, nexthdr=None, padlen=None, badpad=False,
            brk=None):
        payload, nh = self.inner(seq, fill, brk)
        if nexthdr is not None:
            nh = nexthdr
        plain = payload + trailer(self.sa, len(payload), nh, padlen, badpad)
        return self.sa.seal(seq, plain)

    def outer(self, esp, **kw):
        return ipv4(self.a.src, self.a.dst, IPPROTO_ESP, esp,
                    self.next_ident(), **kw)

    def fragments(self, seq, how):
        esp = self.esp(seq, fill=400)
        ident = self.next_ident()
        # pieces of 200 bytes of the IP payload (offsets in 8 byte units)
        cuts = [(0, 200), (200, 400), (400, len(esp))]
        frags = []
        for i, (s, e) in enumerate(cuts):
            mf = 0x2000 if i < len(cuts) - 1 else 0
            if how == "overlap" and i == 1:
                s -= 16   # overlaps the first fragment by 16 bytes
            frags.append(ipv4(self.a.src, self.a.dst, IPPROTO_ESP, esp[s:e],
                              ident, frag=mf | (s // 8)))
        if how == "reverse":
            frags.reverse()
        elif how == "missing":
            del frags[1]
        return frags

    def fragment(self, proto, payload, mtu=1500):
        """One IPv4 packet, or fragments of at most mtu bytes."""
        a = self.a
        ident = self.next_ident()
        if 20 + len(payload) <= mtu:
            return [ipv4(a.src, a.dst, proto, payload, ident, frag=0)]
        step = (mtu - 20) & ~7
        frags = []
        for off in range(0, len(payload), step):
            mf = 0x2000 if off + step < len(payload) else 0
            frags.append(ipv4(a.src, a.dst, proto,
                              payload[off:off + step], ident,
                              frag=mf | (off // 8)))
        return frags

    def icmp_error(self, what, seq):
        """An ICMP error about a datagram --dst sent to --src:--dport."""
        a = self.a
        quoted = ipv4(a.dst, a.src, IPPROTO_UDP,
                      udp(a.dst, a.src, 4242, a.dport, b"q %d\n" % seq),
                      self.next_ident())[:28]
        typ, code, rest = {
            "unreach": (3, 3, 0),
            "fragneeded": (3, 4, 1200),
        }[what]
        h = struct.pack("!BBHI", typ, code, 0, rest) + quoted
        h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
        return ipv4(a.src, a.dst, IPPROTO_ICMP, h, self.next_ident())

    def nested(self, seq, depth):
        """depth transport layers, seq the outermost, seq + 1 inside..."""
        a = self.a
        data = ("%s %d depth %d\n" % (a.tag, seq, depth)).encode()
        payload, nh = udp(a.src, a.dst, 4242, a.dport, data), IPPROTO_UDP
        for k in reversed(range(depth)):
            plain = payload + trailer(self.sa, len(payload), nh)
            payload, nh = self.sa.seal(seq + k, plain), IPPROTO_ESP
        return self.fragment(IPPROTO_ESP, payload)

    def udp4500(self, what, seq):
        a = self.a
        data = {
            "empty": b"",
            "keepalive": b"\xff",
            "marker": bytes(4),
            "trunc7": struct.pack("!I", self.sa.spi) + b"\0\0\1",
            "esphdr": struct.pack("!II", self.sa.spi, seq),
        }[what]
        return ipv4(a.src, a.dst, IPPROTO_UDP,
                    udp(a.src, a.dst, 4500, 4500, data), self.next_ident())

    def build(self, seq, i):
        """The IPv4 packets (frames without link header) for packet i."""
        args = self.a.arg.split(",")
        k, arg = self.a.kind, args[i % len(args)]
        if k == "valid":
            return [self.outer(self.esp(seq))]
        if k == "trunc":
            n = int(arg)
            esp = struct.pack("!II", self.sa.spi, seq) + os.urandom(max(n, 8))
            return [self.outer(esp[:n])]
        if k == "ctlen":
            esp = self.esp(seq)
            cut = len(esp) - self.sa.icvlen
            return [self.outer(esp[:cut] + os.urandom(int(arg)) + esp[cut:])]
        if k == "padlen":
            return [self.outer(self.esp(seq, padlen=int(arg)))]
        if k == "padbytes":
            return [self.outer(self.esp(seq, badpad=True))]
        if k == "nexthdr":
            return [self.outer(self.esp(seq, nexthdr=int(arg)))]
        if k == "icv":
            esp = bytearray(self.esp(seq))
            esp[-1] ^= 0x01
            return [self.outer(bytes(esp))]
        if k == "inner":
            return [self.outer(self.esp(seq, brk=arg))]
        if k == "options":
            return [self.outer(self.esp(seq), options=rr_option())]
        if k == "size":
            want = int(arg)
            base = len(self.outer(self.esp(seq)))
            fill = want - base
            if fill < 0 or fill % self.sa.blk:
                raise SystemExit("size %d: not reachable (base %d, block %d)"
                                 % (want, base, self.sa.blk))
            pkt = self.outer(self.esp(seq, fill=fill))
            assert len(pkt) == want, (len(pkt), want)
            return [pkt]
        if k == "frag":
            return self.fragments(seq, arg)
        if k == "udp4500":
            return [self.udp4500(arg, seq)]
        if k == "nest":
            return self.nested(seq, int(arg))
        if k == "icmperr":
            return [self.icmp_error(arg, seq)]
        if k == "plain":
            data = ("%s %d\n" % (self.a.tag, seq)).encode()
            data += b"." * max(int(arg) - len(data), 0)
            return self.fragment(IPPROTO_UDP, udp(self.a.src, self.a.dst,
                                                  4242, self.a.dport, data))
        raise SystemExit("unknown kind %s" % k)


def send_parser(p):
    p.add_argument("--iface", required=True)
    p.add_argument("--dst-mac", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--sa", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--arg", default="")
    p.add_argument("--seq", type=lambda x: int(x, 0), required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--step", type=int, default=1)
    p.add_argument("--tag", default="x")
    p.add_argument("--dport", type=int, default=7000)
    p.add_argument("--inner-src", default="")
    p.add_argument("--inner-dst", default="")
    p.add_argument("--expect-refused", action="store_true")


SOCKETS = {}


def send(a):
    """Send what a (parsed send arguments) asks; (success, message)."""
    c = Crafter(a)
    if a.iface not in SOCKETS:
        sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        sk.bind((a.iface, 0))
        SOCKETS[a.iface] = sk
    sk = SOCKETS[a.iface]
    src_mac = sk.getsockname()[4][:6]
    dst_mac = bytes(int(x, 16) for x in a.dst_mac.split(":"))
    eth = dst_mac + src_mac + struct.pack("!H", ETH_P_IP)
    frames = refused = 0
    for i in range(a.count):
        seq = a.seq + i * a.step
        for pkt in c.build(seq, i):
            try:
                sk.send(eth + pkt)
                frames += 1
            except OSError as e:
                if e.errno != errno.EMSGSIZE:
                    raise
                refused += 1
    msg = "sent %d packets in %d frames (%s %s, seq %d..%d), " \
          "%d refused with EMSGSIZE" % (a.count, frames, a.kind, a.arg,
                                        a.seq,
                                        a.seq + (a.count - 1) * a.step,
                                        refused)
    if a.expect_refused:
        return frames == 0 and refused > 0, msg
    return refused == 0, msg


def serve():
    """One send command line per stdin line; answers "ok MSG"/"error MSG"."""
    p = argparse.ArgumentParser(prog="serve", exit_on_error=False)
    send_parser(p)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            good, msg = send(p.parse_args(shlex.split(line)))
        except (Exception, SystemExit) as e:   # noqa: B036
            good, msg = False, "%s: %s" % (type(e).__name__, e)
        print("%s %s" % ("ok" if good else "error", msg), flush=True)
    return 0


NSTAT = ("Ip:ReasmReqds", "Ip:ReasmOKs", "IpExt:ReasmOverlaps",
         "Udp:NoPorts")


def proc_counters():
    """The counters of NSTAT from /proc/net/{snmp,netstat}, nstat names."""
    out = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        with open(path) as f:
            lines = f.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            pre = names.split(":")[0]
            for n, v in zip(names.split()[1:], values.split()[1:]):
                if "%s:%s" % (pre, n) in NSTAT:
                    out["ip.%s%s" % (pre, n)] = int(v)
    return out


def monitor(a):
    """
    In the receiving namespace: UDP listeners (datagrams counted per
    port) and, per "snap" line on stdin, every counter as "key value"
    lines, sorted, then "END".
    """
    names = json.loads(a.names)
    socks = {}
    for spec in a.listen.split(","):
        addr, port = spec.rsplit(":", 1)
        sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sk.bind((addr, int(port)))
        sk.setblocking(False)
        socks[port] = [sk, 0]
    print("ready", flush=True)

    def ctl(*args):
        return json.loads(subprocess.run([a.ipsecctl, "-j"] + list(args),
                                         check=True, capture_output=True,
                                         text=True).stdout or "null")

    for line in sys.stdin:
        if line.strip() == "quit":
            break
        out = {}
        for port, s in socks.items():
            while True:
                try:
                    s[0].recv(65536)
                    s[1] += 1
                except BlockingIOError:
                    break
            out["rx." + port] = s[1]
        try:
            show = ctl("show") or {}
            for sa in show.get("sa") or []:
                n = names.get(str(sa.get("spi_num")), sa.get("spi"))
                st = sa.get("stats", {})
                out["sa.%s.in_packets" % n] = st.get("in_packets", 0)
                out["sa.%s.top" % n] = sa.get("replay", {}).get("top", 0)
                for k, v in st.get("errors", {}).items():
                    out["sa.%s.%s" % (n, k)] = v
            for k, v in (show.get("stats") or {}).get("drops", {}).items():
                out["ns." + k] = v
        except (subprocess.CalledProcessError, ValueError) as e:
            out["error.ipsecctl"] = 1
            print("# ipsecctl: %s" % e, file=sys.stderr)
        out.update(proc_counters())
        for k in sorted(out):
            print(k, out[k])
        print("END", flush=True)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    send_parser(sub.add_parser("send"))
    sub.add_parser("serve")
    m = sub.add_parser("monitor")
    m.add_argument("--ipsecctl", required=True)
    m.add_argument("--names", default="{}")
    m.add_argument("--listen", required=True)
    a = p.parse_args()
    if a.cmd == "serve":
        return serve()
    if a.cmd == "monitor":
        return monitor(a)
    good, msg = send(a)
    print(msg)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
