#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
A generic netlink client for the nfipsec family (uapi/linux/nfipsec.h),
standard library only, used by selftests/netlink.sh:

  nlfuzz.py cases     invalid requests, one at a time: each must fail with
                      the expected errno and an extended ACK message that
                      names the offending attribute; nothing half-applied
  nlfuzz.py fuzz      mutated SA/policy requests; replies are success or
                      error, never silence; afterwards the tables hold
                      exactly what was accepted
  nlfuzz.py eperm     every command (and both dumps) is refused with EPERM
  nlfuzz.py owner     in a netns owned by our user namespace: allowed
  nlfuzz.py flush     flush SAs and policies

Output for the shell: "ok DESC", "not ok DESC" and "# TEXT" lines.
Environment: NFIPSEC_FUZZ_SEED, NFIPSEC_FUZZ_COUNT (default 5000),
NFIPSEC_FUZZ_SECONDS (default 50).
"""
import errno
import os
import random
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_REPLACE = 0x100
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2

NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff

GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2

AF_INET = 2
AF_INET6 = 10
ESP = 50

# enum nfipsec_cmd
(SA_NEW, SA_UPDATE, SA_DEL, SA_GET, SA_FLUSH, POL_NEW, POL_UPDATE, POL_DEL,
 POL_GET, POL_FLUSH, STATS_GET) = range(1, 12)
CMD_NAMES = {1: "SA_NEW", 2: "SA_UPDATE", 3: "SA_DEL", 4: "SA_GET",
             5: "SA_FLUSH", 6: "POL_NEW", 7: "POL_UPDATE", 8: "POL_DEL",
             9: "POL_GET", 10: "POL_FLUSH", 11: "STATS_GET"}
# enum nfipsec_attr
A_SA, A_POLICY, A_STATS, A_INFO = range(1, 5)
# enum nfipsec_sa_attr
(SA_FAMILY, SA_SRC, SA_DST, SA_PROTO, SA_SPI, SA_REQID, SA_MODE, SA_FLAGS,
 SA_REPLAY_WINDOW, SA_DF, SA_ALG_AEAD, SA_ALG_ENC, SA_ALG_AUTH, SA_SEL,
 SA_LIFETIME, SA_CURLIFE, SA_STATS, SA_REPLAY, SA_OSEQ, SA_STATE,
 SA_OVERHEAD, SA_PMTU, SA_PAD) = range(1, 24)
SA_MAX = SA_PAD
# enum nfipsec_alg_attr
ALG_NAME, ALG_KEY, ALG_ICV_BITS, ALG_TRUNC_BITS, ALG_KEY_BITS = range(1, 6)
# enum nfipsec_sel_attr
(SEL_FAMILY, SEL_SRC, SEL_SRC_PLEN, SEL_DST, SEL_DST_PLEN, SEL_PROTO,
 SEL_SPORT, SEL_DPORT) = range(1, 9)
# enum nfipsec_life_attr
(LIFE_SOFT_SECS, LIFE_HARD_SECS, LIFE_SOFT_BYTES, LIFE_HARD_BYTES,
 LIFE_SOFT_PACKETS, LIFE_HARD_PACKETS, LIFE_ADD_TIME) = range(1, 8)
# enum nfipsec_tmpl_attr
(TMPL_FAMILY, TMPL_SRC, TMPL_DST, TMPL_PROTO, TMPL_REQID,
 TMPL_MODE) = range(1, 7)
# enum nfipsec_pol_attr
(POL_DIR, POL_SEL, POL_ACTION, POL_PRIORITY, POL_INDEX, POL_TMPL,
 POL_HITS, POL_PAD, POL_FLAGS) = range(1, 10)
SA_F_ESN, SA_F_ICMP = 0x1, 0x2
POL_F_ICMP = 0x1
# enum nfipsec_info_attr
INFO_SA_COUNT, INFO_POL_COUNT = 1, 2

A1 = bytes([10, 0, 0, 1])
A2 = bytes([10, 0, 0, 2])
GCM_KEY = bytes(range(0xa0, 0xb4))          # 20 bytes: AES-128 + salt


# ------------------------------------------------------------ encoding ---
def u8(v):
    return struct.pack("=B", v)


def u16(v):
    return struct.pack("=H", v)


def u32(v):
    return struct.pack("=I", v)


def be32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack("=Q", v)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def nla(atype, payload=b"", nested=False):
    """One attribute; nested=True sets NLA_F_NESTED."""
    if isinstance(payload, (list, tuple)):
        payload = b"".join(payload)
        nested = True
    t = atype | (NLA_F_NESTED if nested else 0)
    return pad4(struct.pack("=HH", 4 + len(payload), t) + payload)


def nest(atype, *attrs):
    return nla(atype, b"".join(attrs), nested=True)


def cstr(s):
    return s.encode() + b"\0"


def parse_attrs(data):
    """[(type without flags, payload, raw type)]; stops at garbage."""
    out, off = [], 0
    while off + 4 <= len(data):
        ln, t = struct.unpack_from("=HH", data, off)
        if ln < 4 or off + ln > len(data):
            break
        out.append((t & NLA_TYPE_MASK, data[off + 4:off + ln], t))
        off += (ln + 3) & ~3
    return out


def attr_table(data):
    """type -> payload, the last occurrence wins (as nla_parse does)."""
    return {t: p for t, p, _ in parse_attrs(data)}


# ------------------------------------------------------------- builders ---
def alg(atype, name, key, icv=None, trunc=None, extra=b""):
    a = []
    if name is not None:
        a.append(nla(ALG_NAME, cstr(name) if isinstance(name, str) else name))
    if key is not None:
        a.append(nla(ALG_KEY, key))
    if icv is not None:
        a.append(nla(ALG_ICV_BITS, u32(icv)))
    if trunc is not None:
        a.append(nla(ALG_TRUNC_BITS, u32(trunc)))
    return nest(atype, *a, extra)


def gcm(key=GCM_KEY, icv=128, name="rfc4106(gcm(aes))"):
    return alg(SA_ALG_AEAD, name, key, icv=icv)


def cbc(enckey=bytes(16), authkey=bytes(32), enc="cbc(aes)",
        auth="hmac(sha256)", trunc=128):
    return (alg(SA_ALG_ENC, enc, enckey) +
            alg(SA_ALG_AUTH, auth, authkey, trunc=trunc))


def sa(spi=0x1000, drop=(), over=None, extra=b"", algs=None, top=True):
    """An SA nest (A_SA); drop: names to leave out; over: name -> raw."""
    f = {
        "family": nla(SA_FAMILY, u16(AF_INET)),
        "src": nla(SA_SRC, A1),
        "dst": nla(SA_DST, A2),
        "proto": nla(SA_PROTO, u8(ESP)),
        "spi": nla(SA_SPI, be32(spi)),
        "reqid": nla(SA_REQID, u32(1)),
        "mode": nla(SA_MODE, u8(0)),
        "replay": nla(SA_REPLAY_WINDOW, u32(32)),
        "algs": gcm() if algs is None else algs,
    }
    f.update(over or {})
    body = b"".join(v for k, v in f.items() if k not in drop) + extra
    return nest(A_SA, body) if top else body


def sa_id(spi, dst=A2):
    return nest(A_SA, nla(SA_FAMILY, u16(AF_INET)), nla(SA_DST, dst),
                nla(SA_PROTO, u8(ESP)), nla(SA_SPI, be32(spi)))


def sel(src=A1, splen=32, dst=A2, dplen=32, proto=None, sport=None,
        dport=None, atype=POL_SEL, extra=b""):
    a = [nla(SEL_FAMILY, u16(AF_INET)), nla(SEL_SRC, src),
         nla(SEL_SRC_PLEN, u8(splen)), nla(SEL_DST, dst),
         nla(SEL_DST_PLEN, u8(dplen))]
    if proto is not None:
        a.append(nla(SEL_PROTO, u8(proto)))
    if sport is not None:
        a.append(nla(SEL_SPORT, u16(sport)))
    if dport is not None:
        a.append(nla(SEL_DPORT, u16(dport)))
    return nest(atype, *a, extra)


def tmpl(src=A1, dst=A2, proto=ESP, reqid=1, mode=0, drop=()):
    f = {"family": nla(TMPL_FAMILY, u16(AF_INET)),
         "src": nla(TMPL_SRC, src), "dst": nla(TMPL_DST, dst),
         "proto": nla(TMPL_PROTO, u8(proto)),
         "reqid": nla(TMPL_REQID, u32(reqid)),
         "mode": nla(TMPL_MODE, u8(mode))}
    return nest(POL_TMPL, *(v for k, v in f.items() if k not in drop))


def pol(dir_=1, selector=None, action=None, prio=None, tm=True,
        drop=(), extra=b""):
    f = {"dir": nla(POL_DIR, u8(dir_)),
         "sel": sel() if selector is None else selector}
    if action is not None:
        f["action"] = nla(POL_ACTION, u8(action))
    if prio is not None:
        f["prio"] = nla(POL_PRIORITY, u32(prio))
    if tm is True:
        f["tmpl"] = tmpl()
    elif tm:
        f["tmpl"] = tm
    return nest(A_POLICY, *(v for k, v in f.items() if k not in drop),
                extra)


# ---------------------------------------------------------------- socket ---
class Reply:
    def __init__(self):
        self.error = None       # 0 or positive errno; None: no reply
        self.msg = None         # extack message
        self.offs = None        # extack offset into the request
        self.payloads = []      # genl payloads (after genlmsghdr)
        self.intr = False


class Hang(Exception):
    pass


class Genl:
    def __init__(self, family="nfipsec"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.bind((0, 0))
        self.s.settimeout(10)
        self.seq = int(time.time()) & 0xffff
        self.fam = GENL_ID_CTRL
        self.fam = self.resolve(family)

    def resolve(self, name):
        r = self.raw(self.build(CTRL_CMD_GETFAMILY,
                                nla(CTRL_ATTR_FAMILY_NAME, cstr(name)),
                                ftype=GENL_ID_CTRL))
        if r.error:
            raise OSError(r.error, "generic netlink family %s: %s" %
                          (name, os.strerror(r.error)))
        for p in r.payloads:
            t = attr_table(p)
            if CTRL_ATTR_FAMILY_ID in t:
                return struct.unpack("=H", t[CTRL_ATTR_FAMILY_ID][:2])[0]
        raise OSError(errno.ENOENT, "no family id for " + name)

    def build(self, cmd, attrs=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
              ftype=None, version=1, reserved=0):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, reserved) + attrs
        return struct.pack("=IHHII", 16 + len(body),
                           self.fam if ftype is None else ftype, flags,
                           self.seq, 0) + body

    def raw(self, msg):
        """Send one message, collect replies up to the ACK or DONE."""
        seq = struct.unpack_from("=I", msg, 8)[0]
        self.s.send(msg)
        r = Reply()
        while r.error is None:
            try:
                data = self.s.recv(1 << 20)
            except socket.timeout:
                raise Hang("no reply within 10 s")
            off = 0
            while off + 16 <= len(data):
                ln, typ, fl, sq, _ = struct.unpack_from("=IHHII", data, off)
                if ln < 16:
                    break
                m = data[off:off + ln]
                off += (ln + 3) & ~3
                if sq != seq:
                    continue
                if fl & NLM_F_DUMP_INTR:
                    r.intr = True
                if typ == NLMSG_ERROR or typ == NLMSG_DONE:
                    err = struct.unpack_from("=i", m, 16)[0] \
                        if len(m) >= 20 else 0
                    r.error = -err
                    tlv = 20
                    if typ == NLMSG_ERROR:
                        if fl & NLM_F_CAPPED:
                            tlv = 36
                        else:
                            olen = struct.unpack_from("=I", m, 20)[0]
                            tlv = 20 + ((olen + 3) & ~3)
                    if fl & NLM_F_ACK_TLVS:
                        t = attr_table(m[tlv:])
                        if NLMSGERR_ATTR_MSG in t:
                            r.msg = t[NLMSGERR_ATTR_MSG].split(b"\0")[0] \
                                .decode(errors="replace")
                        if NLMSGERR_ATTR_OFFS in t:
                            r.offs = struct.unpack(
                                "=I", t[NLMSGERR_ATTR_OFFS][:4])[0]
                    break
                r.payloads.append(m[20:])
                # a doit reply without NLM_F_ACK would end here
        return r

    def req(self, cmd, attrs=b"", flags=NLM_F_REQUEST | NLM_F_ACK, **kw):
        return self.raw(self.build(cmd, attrs, flags, **kw))

    def dump(self, cmd):
        for _ in range(5):
            r = self.req(cmd, flags=NLM_F_REQUEST | NLM_F_DUMP)
            if not r.intr:
                return r
        return r

    def counts(self):
        r = self.req(STATS_GET)
        if r.error:
            raise OSError(r.error, "STATS_GET: %s" % r.msg)
        for p in r.payloads:
            t = attr_table(p)
            if A_INFO in t:
                i = attr_table(t[A_INFO])
                return (struct.unpack("=I", i[INFO_SA_COUNT])[0],
                        struct.unpack("=I", i[INFO_POL_COUNT])[0])
        raise OSError(errno.EPROTO, "STATS_GET reply without INFO")

    def flush(self):
        a = self.req(SA_FLUSH)
        b = self.req(POL_FLUSH)
        return a.error or b.error


# --------------------------------------------------------------- output ---
def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def diag(text):
    for ln in str(text).splitlines() or [""]:
        out("# " + ln)


def result(good, desc, why=""):
    out(("ok " if good else "not ok ") + desc)
    if not good and why:
        diag(why)
    return good


def ename(e):
    if e is None:
        return "no reply"
    return errno.errorcode.get(e, str(e)) if e else "success"


def attr_at(msg, offs):
    """Type (flags masked) of the attribute at offset offs of msg."""
    if offs is None or offs + 4 > len(msg):
        return None
    return struct.unpack_from("=H", msg, offs + 2)[0] & NLA_TYPE_MASK


# ---------------------------------------------------------------- cases ---
def run_cases(g):
    """Every case: errno, extack message (and keyword), nothing applied."""
    E = errno
    aead_ok = gcm()
    cases = []

    def case(desc, cmd, attrs, errs, kw, at=None, **build):
        cases.append((desc, cmd, attrs, errs, kw, at, build))

    EI = (E.EINVAL,)
    # --- SA_NEW: the identity
    case("SA_NEW without SA nest", SA_NEW, b"", EI, "SA")
    for name, kw in (("dst", "DST"), ("proto", "PROTO"), ("spi", "SPI"),
                     ("src", "SRC")):
        case("SA_NEW without %s" % kw, SA_NEW, sa(drop=(name,)), EI, kw)
    case("SA_NEW SPI 0", SA_NEW, sa(spi=0), EI, "SPI", SA_SPI)
    case("SA_NEW PROTO 51 (AH)", SA_NEW,
         sa(over={"proto": nla(SA_PROTO, u8(51))}), (E.EPROTONOSUPPORT,),
         "PROTO", SA_PROTO)
    case("SA_NEW PROTO 17", SA_NEW,
         sa(over={"proto": nla(SA_PROTO, u8(17))}), (E.EPROTONOSUPPORT,),
         "PROTO", SA_PROTO)
    case("SA_NEW FAMILY AF_INET6", SA_NEW,
         sa(over={"family": nla(SA_FAMILY, u16(AF_INET6))}),
         (E.EAFNOSUPPORT,), "FAMILY", SA_FAMILY)
    case("SA_NEW FAMILY 99", SA_NEW,
         sa(over={"family": nla(SA_FAMILY, u16(99))}), (E.EAFNOSUPPORT,),
         "FAMILY", SA_FAMILY)
    for n in (3, 5, 16):
        case("SA_NEW DST of %d bytes" % n, SA_NEW,
             sa(over={"dst": nla(SA_DST, bytes(range(1, n + 1)))}), EI,
             "DST", SA_DST)
    case("SA_NEW SRC of 3 bytes", SA_NEW,
         sa(over={"src": nla(SA_SRC, A1[:3])}), EI, "SRC", SA_SRC)
    case("SA_NEW DST of 17 bytes (policy length)", SA_NEW,
         sa(over={"dst": nla(SA_DST, bytes(17))}), (E.EINVAL, E.ERANGE),
         None, SA_DST)
    case("SA_NEW MODE 7", SA_NEW, sa(over={"mode": nla(SA_MODE, u8(7))}),
         EI, "MODE", SA_MODE)
    case("SA_NEW tunnel mode with SRC 0.0.0.0", SA_NEW,
         sa(over={"mode": nla(SA_MODE, u8(1)), "src": nla(SA_SRC, bytes(4))}),
         EI, "SRC", SA_SRC)
    case("SA_NEW FLAGS unknown bits", SA_NEW,
         sa(extra=nla(SA_FLAGS, u32(0x80000002))), (E.EOPNOTSUPP,),
         "FLAGS", SA_FLAGS)
    case("SA_NEW FLAGS first unknown bit (0x4)", SA_NEW,
         sa(extra=nla(SA_FLAGS, u32(0x4))), (E.EOPNOTSUPP,), "FLAGS",
         SA_FLAGS)
    case("SA_NEW REPLAY_WINDOW 4097", SA_NEW,
         sa(over={"replay": nla(SA_REPLAY_WINDOW, u32(4097))}), EI,
         "REPLAY_WINDOW", SA_REPLAY_WINDOW)
    case("SA_NEW DF 9", SA_NEW, sa(extra=nla(SA_DF, u8(9))), EI, "DF",
         SA_DF)
    # --- algorithms
    for n in ("gcm(aes)", "rfc4106(gcm(aes)) ", "cbc(aes)", ""):
        case("SA_NEW AEAD NAME %r" % n, SA_NEW,
             sa(algs=gcm(name=n)), EI, "NAME")
    case("SA_NEW ENC NAME 'cbc(des)'", SA_NEW,
         sa(algs=cbc(enc="cbc(des)", enckey=bytes(8))), EI, "NAME")
    case("SA_NEW AUTH NAME 'hmac(md5)'", SA_NEW,
         sa(algs=cbc(auth="hmac(md5)", authkey=bytes(16))), EI, "NAME")
    case("SA_NEW AEAD NAME without NUL", SA_NEW,
         sa(algs=alg(SA_ALG_AEAD, b"rfc4106(gcm(aes))", GCM_KEY, icv=128)),
         (E.EINVAL, E.ERANGE), None, ALG_NAME)
    case("SA_NEW AEAD NAME of 64 bytes", SA_NEW,
         sa(algs=gcm(name="r" * 64)), (E.EINVAL, E.ERANGE), None, ALG_NAME)
    case("SA_NEW AEAD without NAME", SA_NEW,
         sa(algs=alg(SA_ALG_AEAD, None, GCM_KEY, icv=128)), EI, "NAME")
    case("SA_NEW AEAD without KEY", SA_NEW,
         sa(algs=alg(SA_ALG_AEAD, "rfc4106(gcm(aes))", None, icv=128)), EI,
         "KEY")
    case("SA_NEW AEAD without ICV_BITS", SA_NEW,
         sa(algs=alg(SA_ALG_AEAD, "rfc4106(gcm(aes))", GCM_KEY)), EI, "ICV")
    for n in (19, 21, 27, 29, 35, 37, 0):
        case("SA_NEW rfc4106 KEY of %d bytes" % n, SA_NEW,
             sa(algs=gcm(key=bytes(n))), EI, "KEY")
    for n in (15, 17, 33, 0):
        case("SA_NEW cbc(aes) KEY of %d bytes" % n, SA_NEW,
             sa(algs=cbc(enckey=bytes(n))), EI, "KEY")
    case("SA_NEW hmac KEY of 0 bytes", SA_NEW,
         sa(algs=cbc(authkey=b"")), EI, "KEY")
    for n in (32, 127, 0, 256):
        case("SA_NEW ICV_BITS %d" % n, SA_NEW, sa(algs=gcm(icv=n)), EI, "ICV")
    for n in (8, 520, 100, 264):
        case("SA_NEW hmac(sha256) TRUNC_BITS %d" % n, SA_NEW,
             sa(algs=cbc(trunc=n)), EI, "TRUNC")
    case("SA_NEW AEAD together with ENC", SA_NEW,
         sa(algs=aead_ok + alg(SA_ALG_ENC, "cbc(aes)", bytes(16))), EI,
         "AEAD", SA_ALG_ENC)
    case("SA_NEW AEAD together with AUTH", SA_NEW,
         sa(algs=aead_ok + alg(SA_ALG_AUTH, "hmac(sha256)", bytes(32),
                               trunc=128)), EI, "AEAD", SA_ALG_AUTH)
    case("SA_NEW ENC without AUTH", SA_NEW,
         sa(algs=alg(SA_ALG_ENC, "cbc(aes)", bytes(16))), EI, "AUTH")
    case("SA_NEW AUTH without ENC", SA_NEW,
         sa(algs=alg(SA_ALG_AUTH, "hmac(sha256)", bytes(32), trunc=128)),
         EI, "ENC")
    case("SA_NEW without any algorithm", SA_NEW, sa(drop=("algs",)), EI,
         "ALG")
    case("SA_NEW KEY of 129 bytes (policy length)", SA_NEW,
         sa(algs=gcm(key=bytes(129))), (E.EINVAL, E.ERANGE), None, ALG_KEY)
    case("SA_NEW ALG KEY_BITS is read only", SA_NEW,
         sa(algs=alg(SA_ALG_AEAD, "rfc4106(gcm(aes))", GCM_KEY, icv=128,
                     extra=nla(ALG_KEY_BITS, u32(160)))), EI, "read only",
         ALG_KEY_BITS)
    # --- wrong types, unknown and read-only attributes
    case("SA_NEW REQID as u8 (too short)", SA_NEW,
         sa(over={"reqid": nla(SA_REQID, u8(1))}), (E.EINVAL, E.ERANGE),
         None, SA_REQID)
    case("SA_NEW SPI as u16 (too short)", SA_NEW,
         sa(over={"spi": nla(SA_SPI, u16(0x1001))}), (E.EINVAL, E.ERANGE),
         None, SA_SPI)
    case("SA_NEW FAMILY as u8 (too short)", SA_NEW,
         sa(over={"family": nla(SA_FAMILY, u8(AF_INET))}),
         (E.EINVAL, E.ERANGE), None, SA_FAMILY)
    case("SA_NEW REPLAY_WINDOW as u64 (too long)", SA_NEW,
         sa(over={"replay": nla(SA_REPLAY_WINDOW, u64(32))}),
         (E.EINVAL, E.ERANGE), None, SA_REPLAY_WINDOW)
    case("SA_NEW unknown attribute type %d in the SA nest" % (SA_MAX + 1),
         SA_NEW, sa(extra=nla(SA_MAX + 1, u32(0))), EI, "nknown attribute",
         SA_MAX + 1)
    case("SA_NEW attribute type 0 in the SA nest", SA_NEW,
         sa(extra=nla(0, u32(0))), EI, None, 0)
    case("SA_NEW PAD attribute in the SA nest", SA_NEW,
         sa(extra=nla(SA_PAD, u32(0))), EI, None, SA_PAD)
    case("SA_NEW unknown top-level attribute", SA_NEW,
         sa() + nla(A_INFO + 1, u32(0)), EI, "nknown attribute", A_INFO + 1)
    for t, n in ((SA_STATS, "STATS"), (SA_OSEQ, "OSEQ"),
                 (SA_CURLIFE, "CURLIFE"), (SA_REPLAY, "REPLAY"),
                 (SA_STATE, "STATE"), (SA_OVERHEAD, "OVERHEAD"),
                 (SA_PMTU, "PMTU")):
        case("SA_NEW read-only %s" % n, SA_NEW, sa(extra=nla(t, u64(1))), EI,
             "read only", t)
    case("SA_NEW read-only lifetime ADD_TIME", SA_NEW,
         sa(extra=nest(SA_LIFETIME, nla(LIFE_ADD_TIME, u64(1)))), EI,
         "read only", LIFE_ADD_TIME)
    case("SA_NEW top-level STATS is read only", SA_NEW,
         sa() + nla(A_STATS, u64(0)), EI, "read only", A_STATS)
    case("SA_NEW lifetime SOFT_SECS > HARD_SECS", SA_NEW,
         sa(extra=nest(SA_LIFETIME, nla(LIFE_SOFT_SECS, u64(20)),
                       nla(LIFE_HARD_SECS, u64(10)))), EI, "SOFT_SECS")
    case("SA_NEW SA nest without NLA_F_NESTED", SA_NEW,
         nla(A_SA, sa(top=False)), EI, None, A_SA)
    case("SA_NEW SPI with NLA_F_NESTED", SA_NEW,
         sa(over={"spi": nla(SA_SPI, be32(0x1001), nested=True)}), EI, None,
         SA_SPI)
    case("SA_NEW selector SRC_PLEN 33", SA_NEW,
         sa(extra=sel(splen=33, atype=SA_SEL)), EI, "SRC_PLEN", SEL_SRC_PLEN)
    # --- netlink header
    case("SA_NEW with NLM_F_CREATE", SA_NEW, sa(), EI, "nlmsg_flags",
         flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE)
    case("SA_NEW with NLM_F_EXCL", SA_NEW, sa(), EI, "nlmsg_flags",
         flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL)
    case("POL_NEW with NLM_F_REPLACE", POL_NEW, pol(), EI, "nlmsg_flags",
         flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE)
    case("SA_NEW with genlmsghdr.reserved set", SA_NEW, sa(), EI,
         "reserved", reserved=1)
    # --- policies
    case("POL_NEW without POLICY nest", POL_NEW, b"", EI, "POLICY")
    case("POL_NEW without DIR", POL_NEW, pol(drop=("dir",)), EI, "DIR")
    case("POL_NEW DIR 3", POL_NEW, pol(dir_=3), EI, "DIR", POL_DIR)
    case("POL_NEW without SEL", POL_NEW, pol(drop=("sel",)), EI, "SEL")
    for bits in (0x2, 0x80000001):
        case("POL_NEW FLAGS unknown bits 0x%x" % bits, POL_NEW,
             pol(extra=nla(POL_FLAGS, u32(bits))), (E.EOPNOTSUPP,),
             "FLAGS", POL_FLAGS)
    case("POL_NEW FLAGS of 2 bytes", POL_NEW,
         pol(extra=nla(POL_FLAGS, u16(1))), (E.EINVAL, E.ERANGE), None,
         POL_FLAGS)
    case("POL_NEW ACTION 3", POL_NEW, pol(action=3), EI, "ACTION",
         POL_ACTION)
    case("POL_NEW protect without TMPL", POL_NEW, pol(action=0, tm=False),
         EI, "TMPL")
    case("POL_NEW block with TMPL", POL_NEW, pol(action=2), EI, "TMPL",
         POL_TMPL)
    case("POL_NEW tunnel TMPL without SRC", POL_NEW,
         pol(tm=tmpl(mode=1, drop=("src",))), EI, "SRC")
    case("POL_NEW tunnel TMPL without DST", POL_NEW,
         pol(tm=tmpl(mode=1, drop=("dst",))), EI, "DST")
    case("POL_NEW TMPL PROTO 51", POL_NEW, pol(tm=tmpl(proto=51)),
         (E.EPROTONOSUPPORT,), "PROTO", TMPL_PROTO)
    case("POL_NEW TMPL MODE 2", POL_NEW, pol(tm=tmpl(mode=2)), EI, "MODE",
         TMPL_MODE)
    case("POL_NEW TMPL DST of 5 bytes", POL_NEW,
         pol(tm=nest(POL_TMPL, nla(TMPL_DST, bytes(5)),
                     nla(TMPL_PROTO, u8(ESP)))), EI, "DST", TMPL_DST)
    case("POL_NEW selector SRC_PLEN 33", POL_NEW, pol(selector=sel(splen=33)),
         EI, "SRC_PLEN", SEL_SRC_PLEN)
    case("POL_NEW selector DST_PLEN 40", POL_NEW, pol(selector=sel(dplen=40)),
         EI, "DST_PLEN", SEL_DST_PLEN)
    case("POL_NEW selector ports with PROTO 0", POL_NEW,
         pol(selector=sel(proto=0, dport=80)), EI, "PORT", SEL_DPORT)
    case("POL_NEW selector ports without PROTO", POL_NEW,
         pol(selector=sel(sport=5)), EI, "PORT", SEL_SPORT)
    case("POL_NEW selector FAMILY AF_INET6", POL_NEW,
         pol(selector=nest(POL_SEL, nla(SEL_FAMILY, u16(AF_INET6)))),
         (E.EAFNOSUPPORT,), "FAMILY", SEL_FAMILY)
    case("POL_NEW INDEX is chosen by the kernel", POL_NEW,
         pol(extra=nla(POL_INDEX, u32(5))), EI, "INDEX", POL_INDEX)
    case("POL_NEW read-only HITS", POL_NEW, pol(extra=nla(POL_HITS, u64(1))),
         EI, "read only", POL_HITS)
    case("POL_NEW unknown attribute in the POLICY nest", POL_NEW,
         pol(extra=nla(30, u32(0))), EI, "nknown attribute", 30)
    case("POL_NEW with NLM_F_CREATE|NLM_F_EXCL", POL_NEW, pol(), EI,
         "nlmsg_flags",
         flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
    # --- lookups of what is not there
    case("SA_UPDATE of a missing SA", SA_UPDATE, sa(spi=0x7777),
         (E.ENOENT,), "SA")
    case("SA_DEL of a missing SA", SA_DEL, sa_id(0x7777), (E.ENOENT,), "SA")
    case("SA_GET of a missing SA", SA_GET, sa_id(0x7777), (E.ENOENT,), "SA")
    case("SA_DEL without SPI", SA_DEL,
         nest(A_SA, nla(SA_DST, A2), nla(SA_PROTO, u8(ESP))), EI, "SPI")
    case("POL_DEL of a missing policy", POL_DEL,
         pol(selector=sel(src=bytes([10, 9, 9, 9]))), (E.ENOENT,), "policy")
    case("POL_GET of a missing policy", POL_GET,
         pol(selector=sel(src=bytes([10, 9, 9, 9]))), (E.ENOENT,), "policy")
    case("POL_DEL of a missing INDEX", POL_DEL,
         nest(A_POLICY, nla(POL_INDEX, u32(0xfffffff0))), (E.ENOENT,),
         "policy")

    stats = {"cases": 0}
    good = 0
    base = g.counts()
    diag("tables before the cases: %d SAs, %d policies" % base)
    for desc, cmd, attrs, errs, kw, at, build in cases:
        msg = g.build(cmd, attrs, **build)
        try:
            r = g.raw(msg)
        except Hang as e:
            result(False, desc, str(e))
            continue
        why = []
        if r.error not in errs:
            why.append("errno %s, expected %s" %
                       (ename(r.error), "/".join(ename(e) for e in errs)))
        if not r.msg:
            why.append("no extack message")
        elif kw and kw.lower() not in r.msg.lower():
            why.append("extack message %r does not contain %r" % (r.msg, kw))
        if at is not None:
            t = attr_at(msg, r.offs)
            if t != at:
                why.append("extack offset %s points at attribute type %s, "
                           "expected %d" % (r.offs, t, at))
        now = g.counts()
        if now != base:
            why.append("tables changed: %s -> %s (half-applied)" %
                       (base, now))
            base = now
        good += result(not why, "%s: %s%s" % (desc, ename(r.error),
                       " %r" % r.msg if r.msg else ""), "; ".join(why))
        stats["cases"] += 1

    # existing objects: duplicates, positive controls
    def expect(desc, cmd, attrs, err, kw=None, delta=(0, 0)):
        nonlocal base
        r = g.req(cmd, attrs)
        why = []
        if r.error != err:
            why.append("errno %s, expected %s (%s)" %
                       (ename(r.error), ename(err), r.msg))
        if err and not r.msg:
            why.append("no extack message")
        elif err and kw and kw.lower() not in r.msg.lower():
            why.append("extack message %r does not contain %r" % (r.msg, kw))
        now = g.counts()
        want = (base[0] + delta[0], base[1] + delta[1])
        if now != want:
            why.append("tables %s, expected %s" % (now, want))
        base = now
        result(not why, "%s: %s%s" % (desc, ename(r.error),
               " %r" % r.msg if r.msg else ""), "; ".join(why))
        return r

    expect("SA_NEW valid AEAD SA is accepted", SA_NEW, sa(spi=0x2001), 0,
           delta=(1, 0))
    expect("SA_NEW duplicate SPI", SA_NEW, sa(spi=0x2001), errno.EEXIST,
           "exists")
    expect("SA_NEW duplicate SPI with another algorithm", SA_NEW,
           sa(spi=0x2001, algs=cbc()), errno.EEXIST, "exists")
    expect("SA_NEW same SPI, other DST is another SA", SA_NEW,
           sa(spi=0x2001, over={"dst": nla(SA_DST, A1),
                                "src": nla(SA_SRC, A2)}), 0, delta=(1, 0))
    expect("SA_NEW REPLAY_WINDOW 4096 (the maximum) is accepted", SA_NEW,
           sa(spi=0x2002, over={"replay": nla(SA_REPLAY_WINDOW,
                                               u32(4096))}), 0, delta=(1, 0))
    expect("SA_NEW cbc(aes)+hmac(sha256) is accepted", SA_NEW,
           sa(spi=0x2003, algs=cbc()), 0, delta=(1, 0))
    expect("SA_UPDATE of an existing SA is accepted", SA_UPDATE,
           sa(spi=0x2003, algs=cbc(trunc=96)), 0)
    expect("SA_UPDATE with an invalid key length changes nothing", SA_UPDATE,
           sa(spi=0x2003, algs=cbc(enckey=bytes(17))), errno.EINVAL, "KEY")
    r = expect("SA_GET of an existing SA", SA_GET, sa_id(0x2001), 0)
    raw = b"".join(r.payloads)
    result(bool(raw) and GCM_KEY not in raw and
           SA_ALG_AEAD in attr_table(attr_table(raw).get(A_SA, b"")),
           "SA_GET reply has the AEAD nest but not the key bytes")
    t = attr_table(attr_table(attr_table(raw).get(A_SA, b""))
                   .get(SA_ALG_AEAD, b""))
    result(ALG_KEY not in t and t.get(ALG_KEY_BITS) == u32(160),
           "SA_GET reply: no KEY attribute, KEY_BITS 160",
           "algorithm attributes: %s" % sorted(t))
    r = g.dump(SA_GET)
    raw = b"".join(r.payloads)
    result(r.error == 0 and GCM_KEY not in raw and len(r.payloads) == 4,
           "SA dump: 4 SAs, no key bytes",
           "errno %s, %d SAs" % (ename(r.error), len(r.payloads)))
    expect("SA_NEW FLAGS esn|icmp is accepted", SA_NEW,
           sa(spi=0x2004, extra=nla(SA_FLAGS, u32(SA_F_ESN | SA_F_ICMP))),
           0, delta=(1, 0))
    r = expect("SA_GET of it", SA_GET, sa_id(0x2004), 0)
    t = attr_table(attr_table(b"".join(r.payloads)).get(A_SA, b""))
    result(t.get(SA_FLAGS) == u32(SA_F_ESN | SA_F_ICMP),
           "SA_GET reply: FLAGS esn|icmp", "FLAGS %r" % t.get(SA_FLAGS))
    expect("SA_DEL of it", SA_DEL, sa_id(0x2004), 0, delta=(-1, 0))
    expect("SA_DEL with a wrong SRC", SA_DEL,
           nest(A_SA, nla(SA_DST, A2), nla(SA_PROTO, u8(ESP)),
                nla(SA_SPI, be32(0x2001)), nla(SA_SRC, A2)), errno.ENOENT,
           "SA")
    expect("SA_DEL of an existing SA", SA_DEL, sa_id(0x2001), 0,
           delta=(-1, 0))
    expect("SA_DEL of the same SA again", SA_DEL, sa_id(0x2001),
           errno.ENOENT, "SA")
    expect("POL_NEW valid policy is accepted", POL_NEW, pol(), 0,
           delta=(0, 1))
    expect("POL_NEW duplicate policy", POL_NEW, pol(), errno.EEXIST,
           "exists")
    expect("POL_NEW /24 selector with host bits set is accepted", POL_NEW,
           pol(selector=sel(src=bytes([10, 0, 0, 77]), splen=24,
                            dst=bytes([10, 0, 0, 88]), dplen=24),
               action=1, tm=False), 0, delta=(0, 1))
    expect("POL_NEW same selector with host bits is a duplicate", POL_NEW,
           pol(selector=sel(src=bytes([10, 0, 0, 5]), splen=24,
                            dst=bytes([10, 0, 0, 6]), dplen=24),
               action=2, tm=False), errno.EEXIST, "exists")
    expect("POL_NEW same selector, other DIR is another policy", POL_NEW,
           pol(dir_=0), 0, delta=(0, 1))
    expect("POL_UPDATE of an existing policy", POL_UPDATE,
           pol(action=2, tm=False), 0)
    expect("POL_UPDATE with TMPL PROTO 51 changes nothing", POL_UPDATE,
           pol(tm=tmpl(proto=51)), errno.EPROTONOSUPPORT, "PROTO")
    expect("POL_UPDATE with FLAGS icmp is accepted", POL_UPDATE,
           pol(dir_=0, extra=nla(POL_FLAGS, u32(POL_F_ICMP))), 0)
    r = expect("POL_GET of it", POL_GET, pol(dir_=0), 0)
    t = attr_table(attr_table(b"".join(r.payloads)).get(A_POLICY, b""))
    result(t.get(POL_FLAGS) == u32(POL_F_ICMP), "POL_GET reply: FLAGS icmp",
           "FLAGS %r" % t.get(POL_FLAGS))
    expect("POL_UPDATE with unknown FLAGS changes nothing", POL_UPDATE,
           pol(dir_=0, extra=nla(POL_FLAGS, u32(0x8))), errno.EOPNOTSUPP,
           "FLAGS")
    r = g.req(POL_GET, pol(dir_=0))
    t = attr_table(attr_table(b"".join(r.payloads)).get(A_POLICY, b""))
    result(t.get(POL_FLAGS) == u32(POL_F_ICMP),
           "POL_GET after the refused update: FLAGS still icmp",
           "FLAGS %r" % t.get(POL_FLAGS))
    expect("POL_DEL of an existing policy", POL_DEL, pol(dir_=0), 0,
           delta=(0, -1))
    expect("POL_DEL of the same policy again", POL_DEL, pol(dir_=0),
           errno.ENOENT, "policy")
    # unknown command: answered by the genetlink core without a message
    r = g.req(12)
    result(r.error == errno.EOPNOTSUPP,
           "unknown command 12: %s (genetlink core, no extack)" %
           ename(r.error))
    g.flush()
    result(g.counts() == (0, 0), "flush leaves 0 SAs and 0 policies")
    diag("netlink: %d invalid requests, each with the expected errno and "
         "extack" % stats["cases"] if good == stats["cases"] else
         "netlink: %d of %d invalid requests as expected" %
         (good, stats["cases"]))


# ----------------------------------------------------------------- fuzz ---
def sel_key(data):
    """Canonical selector as the kernel keys it, None if unusable."""
    t = attr_table(data)
    fam = struct.unpack("=H", t[SEL_FAMILY])[0] if SEL_FAMILY in t \
        else AF_INET
    if fam != AF_INET:
        return None
    vals = []
    for a, p in ((SEL_SRC, SEL_SRC_PLEN), (SEL_DST, SEL_DST_PLEN)):
        addr = int.from_bytes(t.get(a, bytes(4)), "big")
        plen = t[p][0] if p in t else 0
        mask = (0xffffffff << (32 - plen)) & 0xffffffff if plen else 0
        vals += [addr & mask, plen]
    proto = t[SEL_PROTO][0] if SEL_PROTO in t else 0
    sp = struct.unpack("=H", t[SEL_SPORT])[0] if SEL_SPORT in t else 0
    dp = struct.unpack("=H", t[SEL_DPORT])[0] if SEL_DPORT in t else 0
    return tuple(vals) + (proto, sp, dp)


def msg_key(cmd, msg):
    """The SA or policy key of an accepted request (what the kernel saw)."""
    top = attr_table(msg[20:])
    if cmd in (SA_NEW, SA_UPDATE, SA_DEL):
        t = attr_table(top.get(A_SA, b""))
        life = attr_table(t.get(SA_LIFETIME, b""))
        expires = any(life.get(x, bytes(8)) != bytes(8)
                      for x in (LIFE_HARD_SECS, LIFE_SOFT_SECS))
        return ("sa", t.get(SA_DST), t.get(SA_SPI)), expires
    t = attr_table(top.get(A_POLICY, b""))
    return ("pol", t.get(POL_DIR, b"?")[:1], sel_key(t.get(POL_SEL, b""))), \
        False


def kernel_tables(g):
    got = []
    r = g.dump(SA_GET)
    for p in r.payloads:
        t = attr_table(attr_table(p).get(A_SA, b""))
        got.append(("sa", t.get(SA_DST), t.get(SA_SPI)))
    e1 = r.error
    r = g.dump(POL_GET)
    for p in r.payloads:
        t = attr_table(attr_table(p).get(A_POLICY, b""))
        got.append(("pol", t.get(POL_DIR, b"?")[:1],
                    sel_key(t.get(POL_SEL, b""))))
    return got, e1 or r.error


def attr_headers(data, base=0, depth=0):
    """Offsets of every attribute header in data (nests followed)."""
    offs, off = [], 0
    while off + 4 <= len(data):
        ln, t = struct.unpack_from("=HH", data, off)
        if ln < 4 or off + ln > len(data):
            break
        offs.append(base + off)
        if t & NLA_F_NESTED and depth < 4:
            offs += attr_headers(data[off + 4:off + ln], base + off + 4,
                                 depth + 1)
        off += (ln + 3) & ~3
    return offs


def random_valid(rng, tracked):
    """A valid request: (cmd, attrs)."""
    k = rng.random()
    spi = rng.randrange(1, 48)
    if k < 0.40:
        if rng.random() < 0.6:
            algs = gcm(key=os.urandom(rng.choice((20, 28, 36))),
                       icv=rng.choice((64, 96, 128)))
        else:
            algs = cbc(enckey=os.urandom(rng.choice((16, 24, 32))),
                       authkey=os.urandom(32), trunc=rng.choice((96, 128)))
        extra = b""
        if rng.random() < 0.3:
            extra += sel(src=bytes([10, 1, 0, rng.randrange(4)]), splen=24,
                         proto=6, dport=rng.randrange(1, 3), atype=SA_SEL)
        if rng.random() < 0.2:
            extra += nest(SA_LIFETIME, nla(LIFE_HARD_PACKETS, u64(1000)))
        cmd = SA_UPDATE if rng.random() < 0.1 else SA_NEW
        return cmd, sa(spi=spi, algs=algs, extra=extra,
                       over={"mode": nla(SA_MODE, u8(rng.randrange(2)))})
    if k < 0.75:
        s = sel(src=bytes([10, 1, rng.randrange(3), 0]),
                splen=rng.choice((16, 24)),
                dst=bytes([10, 2, rng.randrange(3), 0]), dplen=24,
                proto=rng.choice((None, 6, 17)))
        a = rng.randrange(3)
        m = rng.randrange(2)
        tm = tmpl(mode=m, reqid=rng.randrange(4)) if a == 0 else False
        cmd = POL_UPDATE if rng.random() < 0.1 else POL_NEW
        return cmd, pol(dir_=rng.randrange(3), selector=s, action=a,
                        prio=rng.randrange(100), tm=tm)
    if k < 0.88:
        if tracked and rng.random() < 0.8:
            key = rng.choice(sorted(x for x in tracked if x[0] == "sa")
                             or [("sa", A2, be32(spi))])
            return SA_DEL, nest(A_SA, nla(SA_FAMILY, u16(AF_INET)),
                                nla(SA_DST, key[1]), nla(SA_PROTO, u8(ESP)),
                                nla(SA_SPI, key[2]))
        return SA_DEL, sa_id(spi)
    pols = sorted(x for x in tracked if x[0] == "pol" and x[2])
    if pols and rng.random() < 0.8:
        _, d, sk = rng.choice(pols)
        s = nest(POL_SEL, nla(SEL_FAMILY, u16(AF_INET)),
                 nla(SEL_SRC, sk[0].to_bytes(4, "big")),
                 nla(SEL_SRC_PLEN, u8(sk[1])),
                 nla(SEL_DST, sk[2].to_bytes(4, "big")),
                 nla(SEL_DST_PLEN, u8(sk[3])), nla(SEL_PROTO, u8(sk[4])),
                 nla(SEL_SPORT, u16(sk[5])), nla(SEL_DPORT, u16(sk[6])))
        return POL_DEL, nest(A_POLICY, nla(POL_DIR, d), s)
    return POL_DEL, pol(dir_=rng.randrange(3))


def mutate(rng, msg):
    """Mutate the attributes of msg (nlmsghdr and genlmsghdr kept)."""
    b = bytearray(msg)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        heads = attr_headers(bytes(b[20:]), 20)
        m = rng.randrange(8)
        if m == 0 and len(b) > 21:              # truncate
            del b[rng.randrange(20, len(b)):]
        elif m == 1 and len(b) > 20:            # random bytes anywhere
            for _ in range(rng.randrange(1, 5)):
                b[rng.randrange(20, len(b))] = rng.randrange(256)
        elif m == 2 and heads:                  # absurd nla_len
            h = rng.choice(heads)
            ln = struct.unpack_from("=H", b, h)[0]
            v = rng.choice((0, 1, 2, 3, 4, 5, 7, ln - 1, ln + 1, ln + 4,
                            ln + rng.randrange(1, 300), 0xffff, 0x8000,
                            len(b) - h, len(b) - h + 1))
            struct.pack_into("=H", b, h, v & 0xffff)
        elif m == 3 and heads:                  # type flip
            h = rng.choice(heads)
            t = struct.unpack_from("=H", b, h + 2)[0]
            v = rng.choice((t ^ NLA_F_NESTED, t ^ 0x4000, t + 1, t - 1, 0,
                            rng.randrange(0x10000), rng.randrange(32)))
            struct.pack_into("=H", b, h + 2, v & 0xffff)
        elif m == 4 and heads:                  # payload bytes
            h = rng.choice(heads)
            ln = struct.unpack_from("=H", b, h)[0]
            if ln > 4 and h + ln <= len(b):
                for _ in range(rng.randrange(1, 3)):
                    b[h + 4 + rng.randrange(ln - 4)] = rng.choice(
                        (0, 0xff, 0x80, rng.randrange(256)))
        elif m == 5 and heads:                  # garbage nest inside
            h = rng.choice(heads)
            ln, t = struct.unpack_from("=HH", b, h)
            if t & NLA_F_NESTED and h + ln <= len(b):
                g = os.urandom(rng.randrange(0, 24))
                if rng.random() < 0.5:
                    g = nla(rng.randrange(0, 40), g,
                            nested=rng.random() < 0.5)
                b[h + ln:h + ln] = g
                struct.pack_into("=H", b, h, (ln + len(g)) & 0xffff)
                # fix the enclosing nests' lengths
                for o in heads:
                    ol = struct.unpack_from("=H", b, o)[0]
                    if o < h and o + ol >= h + ln:
                        struct.pack_into("=H", b, o, (ol + len(g)) & 0xffff)
        elif m == 6 and heads:                  # duplicate an attribute
            h = rng.choice(heads)
            ln = struct.unpack_from("=H", b, h)[0]
            if 4 <= ln and h + ln <= len(b) and h == 20:
                b += bytes(b[h:h + ((ln + 3) & ~3)])
        else:                                   # append garbage
            b += os.urandom(rng.randrange(1, 40))
    struct.pack_into("=I", b, 0, len(b))
    return bytes(b)


def run_fuzz(g):
    seed = int(os.environ.get("NFIPSEC_FUZZ_SEED") or
               int.from_bytes(os.urandom(4), "big"))
    limit = int(os.environ.get("NFIPSEC_FUZZ_COUNT", "5000"))
    secs = float(os.environ.get("NFIPSEC_FUZZ_SECONDS", "50"))
    rng = random.Random(seed)
    diag("fuzz seed %d (NFIPSEC_FUZZ_SEED to repeat), at most %d requests "
         "or %.0f s" % (seed, limit, secs))
    g.flush()
    tracked = {}            # key -> may expire by itself
    n = acc = ext = noext = 0
    noext_ex = []
    bad = []
    errs = {}
    base = g.counts()
    t0 = time.monotonic()
    while n < limit and time.monotonic() - t0 < secs:
        cmd, attrs = random_valid(rng, tracked)
        msg = g.build(cmd, attrs)
        if rng.random() < 0.85:
            msg = mutate(rng, msg)
        n += 1
        try:
            r = g.raw(msg)
        except Hang as e:
            bad.append("request %d (%s, %s) hung: %s" %
                       (n, CMD_NAMES[cmd], msg.hex(), e))
            break
        now = g.counts()
        if r.error == 0:
            acc += 1
            key, expires = msg_key(cmd, msg)
            had = key in tracked
            want = base
            if cmd == SA_NEW or cmd == POL_NEW:
                want = (base[0] + (key[0] == "sa"),
                        base[1] + (key[0] == "pol"))
                if had:
                    bad.append("request %d: %s of an existing %s accepted: %s"
                               % (n, CMD_NAMES[cmd], key, msg.hex()))
                tracked[key] = expires
            elif cmd == POL_UPDATE:
                if not had:
                    want = (base[0], base[1] + 1)
                tracked[key] = False
            elif cmd == SA_UPDATE:
                if not had:
                    bad.append("request %d: SA_UPDATE of a missing SA "
                               "accepted: %s" % (n, msg.hex()))
                tracked[key] = expires
            else:
                want = (base[0] - (key[0] == "sa"),
                        base[1] - (key[0] == "pol"))
                if not had:
                    bad.append("request %d: %s of an unknown %s accepted: %s"
                               % (n, CMD_NAMES[cmd], key, msg.hex()))
                tracked.pop(key, None)
            if now != want and not any(tracked.values()):
                bad.append("request %d (%s) accepted, tables %s -> %s, "
                           "expected %s: %s" % (n, CMD_NAMES[cmd], base, now,
                                                want, msg.hex()))
        else:
            errs[r.error] = errs.get(r.error, 0) + 1
            if r.msg:
                ext += 1
            else:
                noext += 1
                if len(noext_ex) < 5:
                    noext_ex.append("%s %s: %s" % (CMD_NAMES[cmd],
                                                   ename(r.error), msg.hex()))
            if now != base and not any(tracked.values()):
                bad.append("request %d (%s) rejected (%s %r) but tables "
                           "changed %s -> %s: %s" %
                           (n, CMD_NAMES[cmd], ename(r.error), r.msg, base,
                            now, msg.hex()))
        base = now
    dt = time.monotonic() - t0
    diag("fuzz errnos: " + ", ".join("%s %d" % (ename(e), c) for e, c in
                                      sorted(errs.items())))
    diag("netlink: %d requests fuzzed, %d accepted, %d rejected with "
         "extack, %d rejected without extack (%.1f s)" %
         (n, acc, ext, noext, dt))
    result(not any("hung" in x for x in bad),
           "fuzz: every one of %d requests was answered" % n,
           "\n".join(x for x in bad if "hung" in x))
    result(n >= min(limit, 300),
           "fuzz: at least %d requests in %.0f s (ran %d)" %
           (min(limit, 300), secs, n))
    result(noext == 0, "fuzz: every rejection carried an extack message",
           "\n".join(noext_ex))
    result(acc > 0 and ext > 0,
           "fuzz: both accepted (%d) and rejected (%d) requests" % (acc, ext))
    half = [x for x in bad if "hung" not in x]
    result(not half, "fuzz: table counts moved only with accepted requests",
           "\n".join(half[:5]))
    got, err = kernel_tables(g)
    want = {k for k, exp in tracked.items() if not exp}
    maybe = {k for k, exp in tracked.items() if exp}
    gs = set(got)
    why = []
    if err:
        why.append("dump failed: %s" % ename(err))
    if len(got) != len(gs):
        why.append("duplicates in the dumps")
    if want - gs:
        why.append("missing: %s" % sorted(want - gs)[:5])
    if gs - want - maybe:
        why.append("not accepted but present: %s" %
                   sorted(gs - want - maybe)[:5])
    result(not why, "fuzz: the dumps hold exactly the %d accepted SAs and "
           "policies" % len(want), "; ".join(why))
    g.flush()
    result(g.counts() == (0, 0), "fuzz: flush leaves empty tables")


# ---------------------------------------------------------- permissions ---
def run_eperm(g, label):
    for cmd in range(SA_NEW, STATS_GET + 1):
        attrs = b""
        if cmd in (SA_NEW, SA_UPDATE):
            attrs = sa(spi=0x3001)
        elif cmd in (SA_DEL, SA_GET):
            attrs = sa_id(0x3001)
        elif cmd in (POL_NEW, POL_UPDATE, POL_DEL, POL_GET):
            attrs = pol()
        r = g.req(cmd, attrs)
        result(r.error == errno.EPERM, "%s: %s refused: %s" %
               (label, CMD_NAMES[cmd], ename(r.error)))
    for cmd in (SA_GET, POL_GET):
        r = g.dump(cmd)
        result(r.error == errno.EPERM and not r.payloads,
               "%s: %s dump refused: %s, %d messages" %
               (label, CMD_NAMES[cmd], ename(r.error), len(r.payloads)))


def run_owner(g, label):
    """Our user namespace owns this netns: configuration is allowed."""
    r = g.req(STATS_GET)
    result(r.error == 0, "%s: STATS_GET allowed: %s" % (label,
                                                         ename(r.error)))
    r = g.req(SA_NEW, sa(spi=0x3002))
    result(r.error == 0, "%s: SA_NEW allowed: %s %s" %
           (label, ename(r.error), r.msg or ""))
    r = g.req(POL_NEW, pol())
    result(r.error == 0, "%s: POL_NEW allowed: %s %s" %
           (label, ename(r.error), r.msg or ""))
    r = g.dump(SA_GET)
    result(r.error == 0 and len(r.payloads) == 1,
           "%s: SA dump shows the SA (%d)" % (label, len(r.payloads)))
    # leave them: the namespace goes away with them


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "cases"
    label = sys.argv[2] if len(sys.argv) > 2 else what
    try:
        g = Genl()
    except OSError as e:
        result(False, "%s: resolve the nfipsec family" % label, str(e))
        return 1
    if what == "cases":
        run_cases(g)
    elif what == "fuzz":
        run_fuzz(g)
    elif what == "eperm":
        run_eperm(g, label)
    elif what == "owner":
        run_owner(g, label)
    elif what == "flush":
        return 1 if g.flush() else 0
    else:
        sys.stderr.write("usage: nlfuzz.py cases|fuzz|eperm|owner|flush\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
