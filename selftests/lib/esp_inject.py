#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
ESP packets for selftests/negative.sh, sent on a link layer socket
(AF_PACKET) so that the sender's own IPsec stack never sees them.
Standard library only.

  esp_inject.py send --iface IF --dst-mac MAC --src IP --dst IP --spi N
                     --seq N[,N...] [--count N] [--len N]
      Ethernet/IPv4/ESP with SPI and sequence number and a random
      payload of --len bytes (default 64): it can never authenticate.
      --count copies of each sequence number, in the order given.
  esp_inject.py replay --pcap FILE --iface IF [--index N] [--count N]
      Send frame --index (default 0) of a pcap file (tcpdump -w on an
      Ethernet link) --count times, unchanged. Prints "spi 0x.. seq N".
  esp_inject.py list --pcap FILE
      One line per frame: "esp SRC DST spi 0x.. seq N" or "other".
"""
import argparse
import os
import socket
import struct
import sys

from esp_craft import ETH_P_IP, csum  # this directory: sys.path[0]


def ipv4(src, dst, proto, payload, ident=0x4242, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    0x4000, ttl, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def link_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    return s, s.getsockname()[4][:6]


def read_pcap(path):
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 24:
        raise SystemExit("%s: no pcap header" % path)
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not a pcap file" % path)
    linktype = struct.unpack_from(e + "I", d, 20)[0]
    if linktype != 1:
        raise SystemExit("%s: link type %d, need Ethernet (1)" %
                         (path, linktype))
    frames, off = [], 24
    while off + 16 <= len(d):
        incl = struct.unpack_from(e + "I", d, off + 8)[0]
        frames.append(d[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def describe(frame):
    if len(frame) < 14 + 20 + 8 or \
            struct.unpack_from("!H", frame, 12)[0] != ETH_P_IP:
        return "other"
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 50:
        return "other proto %d" % ip[9]
    spi, seq = struct.unpack_from("!II", ip, ihl)
    return "esp %s %s spi 0x%x seq %d" % (socket.inet_ntoa(ip[12:16]),
                                          socket.inet_ntoa(ip[16:20]),
                                          spi, seq)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--iface", required=True)
    s.add_argument("--dst-mac", required=True)
    s.add_argument("--src", required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--spi", type=lambda x: int(x, 0), required=True)
    s.add_argument("--seq", required=True,
                   type=lambda x: [int(v, 0) for v in x.split(",")])
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--len", type=int, default=64)
    r = sub.add_parser("replay")
    r.add_argument("--pcap", required=True)
    r.add_argument("--iface", required=True)
    r.add_argument("--index", type=int, default=0)
    r.add_argument("--count", type=int, default=1)
    li = sub.add_parser("list")
    li.add_argument("--pcap", required=True)
    a = p.parse_args()

    if a.cmd == "list":
        for f in read_pcap(a.pcap):
            print(describe(f))
        return 0
    if a.cmd == "replay":
        frames = read_pcap(a.pcap)
        if a.index >= len(frames):
            raise SystemExit("%s has %d frames" % (a.pcap, len(frames)))
        frame = frames[a.index]
        print(describe(frame))
        sk, _ = link_socket(a.iface)
        for _ in range(a.count):
            sk.send(frame)
        return 0
    sk, src_mac = link_socket(a.iface)
    n = 0
    for seq in a.seq:
        for _ in range(a.count):
            esp = struct.pack("!II", a.spi, seq) + os.urandom(a.len)
            pkt = ipv4(a.src, a.dst, 50, esp, ident=0x4242 + n)
            sk.send(mac(a.dst_mac) + src_mac + struct.pack("!H", ETH_P_IP) +
                    pkt)
            n += 1
    print("sent %d ESP packets spi 0x%x seq %s to %s" %
          (n, a.spi, ",".join(map(str, a.seq)), a.dst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
