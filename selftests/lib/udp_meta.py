#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
UDP with IP metadata, for selftests/inbound.sh. Standard library only.

  udp_meta.py recv --port N --count N [--timeout S]
      Receive --count datagrams on 0.0.0.0:N with IP_PKTINFO and
      IP_RECVOPTS; print one line per datagram:
      "from ADDR ifindex N opts HEX" (opts "-" when there were none).
  udp_meta.py send --dst ADDR --port N --count N [--rr]
      Send --count datagrams; --rr adds a record route IP option.
"""
import argparse
import socket
import struct
import sys
import time

IP_PKTINFO, IP_RECVOPTS, IP_OPTIONS = 8, 6, 4


def recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVOPTS, 1)
    s.bind(("0.0.0.0", a.port))
    print("ready", flush=True)
    end = time.time() + a.timeout
    got = 0
    while got < a.count and time.time() < end:
        s.settimeout(max(end - time.time(), 0.01))
        try:
            _, anc, _, addr = s.recvmsg(2048, 256)
        except socket.timeout:
            break
        ifindex, opts = 0, "-"
        for level, kind, data in anc:
            if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
                ifindex = struct.unpack_from("=i", data)[0]
            elif level == socket.IPPROTO_IP and kind == IP_RECVOPTS:
                opts = data.hex()
        print("from %s ifindex %d opts %s" % (addr[0], ifindex, opts),
              flush=True)
        got += 1
    return 0 if got == a.count else 1


def send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if a.rr:
        # NOP, record route: type 7, length 11, pointer 4, two slots
        s.setsockopt(socket.IPPROTO_IP, IP_OPTIONS,
                     b"\x01" + bytes([7, 11, 4]) + bytes(8))
    for i in range(a.count):
        s.sendto(b"meta %d\n" % i, (a.dst, a.port))
        time.sleep(0.05)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--count", type=int, default=1)
    r.add_argument("--timeout", type=float, default=20)
    t = sub.add_parser("send")
    t.add_argument("--dst", required=True)
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--count", type=int, default=1)
    t.add_argument("--rr", action="store_true")
    a = p.parse_args()
    return recv(a) if a.cmd == "recv" else send(a)


if __name__ == "__main__":
    sys.exit(main())
