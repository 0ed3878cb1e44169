/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nfipsec: an IPsec (ESP) datapath on netfilter hooks.
 *
 * Generic netlink family NFIPSEC_GENL_NAME, version NFIPSEC_GENL_VERSION.
 * Every command needs CAP_NET_ADMIN in the user namespace that owns the
 * network namespace of the socket. Every rejection carries an extended ACK
 * message that names the offending attribute.
 *
 * Commands and the attributes they take (top level: enum nfipsec_attr):
 *
 * NFIPSEC_CMD_SA_NEW      NFIPSEC_A_SA: a full SA (below). Fails with EEXIST
 *                         if (family, dst, proto, spi) is already present.
 * NFIPSEC_CMD_SA_UPDATE   NFIPSEC_A_SA: a full SA that replaces the one with
 *                         the same (family, dst, proto, spi); ENOENT if none.
 *                         Sequence numbers and the replay window carry over.
 * NFIPSEC_CMD_SA_DEL      NFIPSEC_A_SA: family, dst, proto, spi (src is
 *                         checked when given).
 * NFIPSEC_CMD_SA_GET      NFIPSEC_A_SA with the same key; or NLM_F_DUMP for
 *                         all SAs. Replies carry NFIPSEC_A_SA, never keys.
 * NFIPSEC_CMD_SA_FLUSH    no attributes: deletes every SA of the namespace.
 * NFIPSEC_CMD_POL_NEW     NFIPSEC_A_POLICY: EEXIST for the same (dir, sel).
 * NFIPSEC_CMD_POL_UPDATE  NFIPSEC_A_POLICY: replaces (dir, sel), or adds it
 *                         when missing (as `ip xfrm policy update`).
 * NFIPSEC_CMD_POL_DEL     NFIPSEC_A_POLICY: dir and sel (or index).
 * NFIPSEC_CMD_POL_GET     NFIPSEC_A_POLICY: dir and sel (or index); or
 *                         NLM_F_DUMP for all policies (in order of lookup).
 * NFIPSEC_CMD_POL_FLUSH   no attributes: deletes every policy.
 * NFIPSEC_CMD_STATS_GET   no attributes; replies NFIPSEC_A_STATS and
 *                         NFIPSEC_A_INFO for the namespace.
 *
 * Requests carry no NLM_F_CREATE/EXCL/REPLACE flags: the command says it.
 * Dumps set NLM_F_DUMP_INTR on a message when the tables changed while the
 * dump ran (the dump is then to be repeated).
 *
 * Attribute tree:
 *
 * NFIPSEC_A_SA (nested, enum nfipsec_sa_attr)
 *   FAMILY        u16   AF_INET (AF_INET6 reserved for later)
 *   SRC, DST      binary, 4 bytes for AF_INET (outer addresses)
 *   PROTO         u8    IPPROTO_ESP
 *   SPI           be32  non-zero
 *   REQID         u32
 *   MODE          u8    enum nfipsec_mode
 *   FLAGS         u32   NFIPSEC_SA_F_*; unknown bits: EOPNOTSUPP
 *   REPLAY_WINDOW u32   0 (no anti-replay) .. NFIPSEC_REPLAY_WINDOW_MAX
 *   DF            u8    enum nfipsec_df (tunnel mode outer DF bit)
 *   ALG_AEAD      nested (enum nfipsec_alg_attr): NAME, KEY, ICV_BITS
 *   ALG_ENC       nested: NAME, KEY
 *   ALG_AUTH      nested: NAME, KEY, TRUNC_BITS (0: the length that
 *                 `ip xfrm` applies when none is given, for interop:
 *                 hmac(sha256) 96, hmac(sha384) 192, hmac(sha512) 256;
 *                 RFC 4868 wants 128 for hmac(sha256): give it explicitly)
 *                 Either ALG_AEAD, or ALG_ENC together with ALG_AUTH.
 *                 KEY is never sent back; dumps carry KEY_BITS instead.
 *   SEL           nested (enum nfipsec_sel_attr): optional SA selector
 *   LIFETIME      nested (enum nfipsec_life_attr): limits, 0 = none
 *   -- read only, in replies:
 *   CURLIFE       nested (enum nfipsec_life_attr): ADD_TIME, USE_TIME,
 *                 BYTES, PACKETS used so far
 *   STATS         nested (enum nfipsec_sa_stats_attr)
 *   REPLAY        nested (enum nfipsec_replay_attr)
 *   OSEQ          u64   last outbound sequence number sent
 *   STATE         u8    enum nfipsec_sa_state
 *   OVERHEAD      u32   bytes that ESP adds at most (headers, pad, ICV)
 *   PMTU          u32   outer path MTU towards DST in use (the route's MTU,
 *                       or lower as ICMP "fragmentation needed" for this
 *                       SA's packets said), 0 if not known
 *
 * NFIPSEC_A_POLICY (nested, enum nfipsec_pol_attr)
 *   DIR           u8    enum nfipsec_dir
 *   SEL           nested (enum nfipsec_sel_attr)
 *   ACTION        u8    enum nfipsec_action (default PROTECT with TMPL,
 *                       ALLOW without)
 *   PRIORITY      u32   lower value wins; equal: the older policy wins
 *   INDEX         u32   read only (assigned by the kernel); DEL/GET accept it
 *   TMPL          nested (enum nfipsec_tmpl_attr): required for PROTECT
 *   FLAGS         u32   NFIPSEC_POL_F_*; unknown bits: EOPNOTSUPP
 *   -- read only: HITS u64 (packets that matched this policy)
 *
 * NFIPSEC_A_STATS (nested, enum nfipsec_stat_attr): per namespace drops
 *   each NFIPSEC_STAT_x attribute is a u64 counter of packets dropped for
 *   reason x (enum nfipsec_drop).
 * NFIPSEC_A_INFO (nested, enum nfipsec_info_attr): SA_COUNT, POL_COUNT u32
 */
#ifndef _UAPI_LINUX_NFIPSEC_H
#define _UAPI_LINUX_NFIPSEC_H

#include <linux/types.h>

#define NFIPSEC_GENL_NAME		"nfipsec"
#define NFIPSEC_GENL_VERSION		1

#define NFIPSEC_REPLAY_WINDOW_MAX	4096
#define NFIPSEC_ALG_NAME_MAX		64
#define NFIPSEC_KEY_MAX			128

enum nfipsec_cmd {
	NFIPSEC_CMD_UNSPEC,
	NFIPSEC_CMD_SA_NEW,
	NFIPSEC_CMD_SA_UPDATE,
	NFIPSEC_CMD_SA_DEL,
	NFIPSEC_CMD_SA_GET,
	NFIPSEC_CMD_SA_FLUSH,
	NFIPSEC_CMD_POL_NEW,
	NFIPSEC_CMD_POL_UPDATE,
	NFIPSEC_CMD_POL_DEL,
	NFIPSEC_CMD_POL_GET,
	NFIPSEC_CMD_POL_FLUSH,
	NFIPSEC_CMD_STATS_GET,
	__NFIPSEC_CMD_MAX
};

#define NFIPSEC_CMD_MAX (__NFIPSEC_CMD_MAX - 1)

enum nfipsec_attr {
	NFIPSEC_A_UNSPEC,
	NFIPSEC_A_SA,
	NFIPSEC_A_POLICY,
	NFIPSEC_A_STATS,
	NFIPSEC_A_INFO,
	__NFIPSEC_A_MAX
};

#define NFIPSEC_A_MAX (__NFIPSEC_A_MAX - 1)

enum nfipsec_mode {
	NFIPSEC_MODE_TRANSPORT,
	NFIPSEC_MODE_TUNNEL,
	__NFIPSEC_MODE_MAX
};

enum nfipsec_df {
	NFIPSEC_DF_COPY,	/* outer DF = inner DF (default) */
	NFIPSEC_DF_CLEAR,
	NFIPSEC_DF_SET,
	__NFIPSEC_DF_MAX
};

enum nfipsec_dir {
	NFIPSEC_DIR_IN,
	NFIPSEC_DIR_OUT,
	NFIPSEC_DIR_FWD,
	__NFIPSEC_DIR_MAX
};

enum nfipsec_action {
	NFIPSEC_ACTION_PROTECT,
	NFIPSEC_ACTION_ALLOW,	/* bypass */
	NFIPSEC_ACTION_BLOCK,	/* discard */
	__NFIPSEC_ACTION_MAX
};

enum nfipsec_sa_state {
	NFIPSEC_SA_STATE_VALID,
	NFIPSEC_SA_STATE_SOFT_EXPIRED,	/* soft limit reached, still used */
	NFIPSEC_SA_STATE_DEAD,		/* hard limit or sequence exhausted */
};

/* SA flags (NFIPSEC_SA_A_FLAGS) */
#define NFIPSEC_SA_F_ESN	0x1	/* extended sequence numbers */
/*
 * Inbound (RFC 4301 6.2, as XFRM_STATE_ICMP): an ICMP error that came
 * through this SA and that no policy for its own flow takes is accepted
 * if the flow it quotes, reversed, passes the policy check.
 */
#define NFIPSEC_SA_F_ICMP	0x2
#define NFIPSEC_SA_F_ALL	(NFIPSEC_SA_F_ESN | NFIPSEC_SA_F_ICMP)

/*
 * Policy flags (NFIPSEC_POL_A_FLAGS). NFIPSEC_POL_F_ICMP (RFC 4301 6.2, as
 * XFRM_POLICY_ICMP), on an out policy: an outbound ICMP error that no
 * protect policy takes as a flow of its own is decided by the policy for
 * the flow it quotes, reversed, if that policy carries this flag; a
 * protect policy then sends it through its SA.
 */
#define NFIPSEC_POL_F_ICMP	0x1
#define NFIPSEC_POL_F_ALL	(NFIPSEC_POL_F_ICMP)

enum nfipsec_sa_attr {
	NFIPSEC_SA_A_UNSPEC,
	NFIPSEC_SA_A_FAMILY,
	NFIPSEC_SA_A_SRC,
	NFIPSEC_SA_A_DST,
	NFIPSEC_SA_A_PROTO,
	NFIPSEC_SA_A_SPI,
	NFIPSEC_SA_A_REQID,
	NFIPSEC_SA_A_MODE,
	NFIPSEC_SA_A_FLAGS,
	NFIPSEC_SA_A_REPLAY_WINDOW,
	NFIPSEC_SA_A_DF,
	NFIPSEC_SA_A_ALG_AEAD,
	NFIPSEC_SA_A_ALG_ENC,
	NFIPSEC_SA_A_ALG_AUTH,
	NFIPSEC_SA_A_SEL,
	NFIPSEC_SA_A_LIFETIME,
	NFIPSEC_SA_A_CURLIFE,
	NFIPSEC_SA_A_STATS,
	NFIPSEC_SA_A_REPLAY,
	NFIPSEC_SA_A_OSEQ,
	NFIPSEC_SA_A_STATE,
	NFIPSEC_SA_A_OVERHEAD,
	NFIPSEC_SA_A_PMTU,
	NFIPSEC_SA_A_PAD,
	__NFIPSEC_SA_A_MAX
};

#define NFIPSEC_SA_A_MAX (__NFIPSEC_SA_A_MAX - 1)

enum nfipsec_alg_attr {
	NFIPSEC_ALG_A_UNSPEC,
	NFIPSEC_ALG_A_NAME,		/* string, kernel crypto name */
	NFIPSEC_ALG_A_KEY,		/* binary, write only */
	NFIPSEC_ALG_A_ICV_BITS,		/* u32, AEAD: 64, 96 or 128 */
	NFIPSEC_ALG_A_TRUNC_BITS,	/* u32, auth: truncation length */
	NFIPSEC_ALG_A_KEY_BITS,		/* u32, read only: key length */
	__NFIPSEC_ALG_A_MAX
};

#define NFIPSEC_ALG_A_MAX (__NFIPSEC_ALG_A_MAX - 1)

enum nfipsec_sel_attr {
	NFIPSEC_SEL_A_UNSPEC,
	NFIPSEC_SEL_A_FAMILY,		/* u16 */
	NFIPSEC_SEL_A_SRC,		/* binary address */
	NFIPSEC_SEL_A_SRC_PLEN,		/* u8 */
	NFIPSEC_SEL_A_DST,
	NFIPSEC_SEL_A_DST_PLEN,		/* u8 */
	NFIPSEC_SEL_A_PROTO,		/* u8, 0 = any */
	NFIPSEC_SEL_A_SPORT,		/* u16 host order, 0 = any */
	NFIPSEC_SEL_A_DPORT,		/* u16 host order, 0 = any */
	__NFIPSEC_SEL_A_MAX
};

#define NFIPSEC_SEL_A_MAX (__NFIPSEC_SEL_A_MAX - 1)

enum nfipsec_life_attr {
	NFIPSEC_LIFE_A_UNSPEC,
	NFIPSEC_LIFE_A_SOFT_SECS,	/* u64 limits, 0 = no limit */
	NFIPSEC_LIFE_A_HARD_SECS,
	NFIPSEC_LIFE_A_SOFT_BYTES,
	NFIPSEC_LIFE_A_HARD_BYTES,
	NFIPSEC_LIFE_A_SOFT_PACKETS,
	NFIPSEC_LIFE_A_HARD_PACKETS,
	NFIPSEC_LIFE_A_ADD_TIME,	/* u64 read only, seconds (wall clock) */
	NFIPSEC_LIFE_A_USE_TIME,	/* u64 read only, 0 = never used */
	NFIPSEC_LIFE_A_BYTES,		/* u64 read only */
	NFIPSEC_LIFE_A_PACKETS,		/* u64 read only */
	NFIPSEC_LIFE_A_PAD,
	__NFIPSEC_LIFE_A_MAX
};

#define NFIPSEC_LIFE_A_MAX (__NFIPSEC_LIFE_A_MAX - 1)

enum nfipsec_tmpl_attr {
	NFIPSEC_TMPL_A_UNSPEC,
	NFIPSEC_TMPL_A_FAMILY,		/* u16 */
	NFIPSEC_TMPL_A_SRC,		/* binary; absent/zero: the packet's */
	NFIPSEC_TMPL_A_DST,
	NFIPSEC_TMPL_A_PROTO,		/* u8, IPPROTO_ESP */
	NFIPSEC_TMPL_A_REQID,		/* u32 */
	NFIPSEC_TMPL_A_MODE,		/* u8 enum nfipsec_mode */
	__NFIPSEC_TMPL_A_MAX
};

#define NFIPSEC_TMPL_A_MAX (__NFIPSEC_TMPL_A_MAX - 1)

enum nfipsec_pol_attr {
	NFIPSEC_POL_A_UNSPEC,
	NFIPSEC_POL_A_DIR,
	NFIPSEC_POL_A_SEL,
	NFIPSEC_POL_A_ACTION,
	NFIPSEC_POL_A_PRIORITY,
	NFIPSEC_POL_A_INDEX,
	NFIPSEC_POL_A_TMPL,
	NFIPSEC_POL_A_HITS,
	NFIPSEC_POL_A_PAD,
	NFIPSEC_POL_A_FLAGS,
	__NFIPSEC_POL_A_MAX
};

#define NFIPSEC_POL_A_MAX (__NFIPSEC_POL_A_MAX - 1)

enum nfipsec_replay_attr {
	NFIPSEC_REPLAY_A_UNSPEC,
	NFIPSEC_REPLAY_A_WINDOW,	/* u32 */
	NFIPSEC_REPLAY_A_TOP,		/* u64 highest sequence number seen */
	/* binary: window bits, bit i = TOP - i, packed as u32 words, host order */
	NFIPSEC_REPLAY_A_BITMAP,
	NFIPSEC_REPLAY_A_PAD,
	__NFIPSEC_REPLAY_A_MAX
};

#define NFIPSEC_REPLAY_A_MAX (__NFIPSEC_REPLAY_A_MAX - 1)

/*
 * Why a packet was dropped. Per SA error counters and the per namespace
 * drop counters share these reasons.
 */
enum nfipsec_drop {
	NFIPSEC_DROP_NO_SA,		/* inbound: SPI unknown */
	NFIPSEC_DROP_REPLAY,		/* inbound: sequence seen before */
	NFIPSEC_DROP_TOO_OLD,		/* inbound: left of the replay window */
	NFIPSEC_DROP_AUTH,		/* inbound: ICV did not verify */
	NFIPSEC_DROP_BAD_PADDING,	/* inbound: pad length or pad bytes */
	NFIPSEC_DROP_BAD_NEXTHDR,	/* inbound: next header unusable */
	NFIPSEC_DROP_MALFORMED,		/* inbound: truncated, bad header */
	/* inbound: decrypted packet matches no policy that names its SA */
	NFIPSEC_DROP_POLICY_MISMATCH,
	/* inbound: cleartext on a protect policy */
	NFIPSEC_DROP_PLAINTEXT,
	NFIPSEC_DROP_POLICY_BLOCK,	/* a block policy matched */
	NFIPSEC_DROP_NO_OUT_SA,		/* outbound: protect policy, no SA */
	NFIPSEC_DROP_SEQ_OVERFLOW,	/* outbound: sequence space used up */
	NFIPSEC_DROP_EXPIRED,		/* SA hard limit reached */
	/* outbound: DF packet too big (ICMP fragmentation needed was sent) */
	NFIPSEC_DROP_MTU,
	NFIPSEC_DROP_NO_ROUTE,		/* outbound: no route to the peer */
	NFIPSEC_DROP_NOMEM,		/* allocation failed */
	NFIPSEC_DROP_CRYPTO,		/* crypto API error other than auth */
	/* outbound: segmentation, checksum or transmit error */
	NFIPSEC_DROP_OUTPUT,
	/* inbound: more nested ESP layers than one packet may carry (6) */
	NFIPSEC_DROP_NESTING,
	/* inbound: the queue decrypted packets re-enter the stack by is full */
	NFIPSEC_DROP_BACKLOG,
	__NFIPSEC_DROP_MAX
};

#define NFIPSEC_DROP_MAX (__NFIPSEC_DROP_MAX - 1)

/* NFIPSEC_A_STATS: attribute type = NFIPSEC_STAT_BASE + enum nfipsec_drop */
#define NFIPSEC_STAT_BASE	1

enum nfipsec_sa_stats_attr {
	NFIPSEC_SA_STATS_A_UNSPEC,
	NFIPSEC_SA_STATS_A_IN_PACKETS,		/* u64, decapsulated */
	NFIPSEC_SA_STATS_A_IN_BYTES,		/* u64, inner bytes */
	NFIPSEC_SA_STATS_A_OUT_PACKETS,		/* u64, encapsulated */
	NFIPSEC_SA_STATS_A_OUT_BYTES,
	/* nested: NFIPSEC_STAT_BASE + enum nfipsec_drop, u64 each */
	NFIPSEC_SA_STATS_A_ERRORS,
	NFIPSEC_SA_STATS_A_PAD,
	/* u64, times ICMP "fragmentation needed" lowered the SA's PMTU */
	NFIPSEC_SA_STATS_A_PMTU_UPDATES,
	__NFIPSEC_SA_STATS_A_MAX
};

#define NFIPSEC_SA_STATS_A_MAX (__NFIPSEC_SA_STATS_A_MAX - 1)

enum nfipsec_info_attr {
	NFIPSEC_INFO_A_UNSPEC,
	NFIPSEC_INFO_A_SA_COUNT,	/* u32 */
	NFIPSEC_INFO_A_POL_COUNT,	/* u32 */
	__NFIPSEC_INFO_A_MAX
};

#define NFIPSEC_INFO_A_MAX (__NFIPSEC_INFO_A_MAX - 1)

#endif /* _UAPI_LINUX_NFIPSEC_H */
