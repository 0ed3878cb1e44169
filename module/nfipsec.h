/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfipsec: shared types of the module's units.
 */
#ifndef _NFIPSEC_H
#define _NFIPSEC_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <net/dst_cache.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "../uapi/linux/nfipsec.h"

union nfipsec_addr {
	__be32 a4;
	struct in6_addr a6;
	__be32 all[4];
};

/* The unspecified address of @family: 0.0.0.0 or ::. */
static inline bool nfipsec_addr_any(u16 family, const union nfipsec_addr *a)
{
	if (family == AF_INET)
		return !a->a4;
	return ipv6_addr_any(&a->a6);
}

/* A traffic selector; ports are in host order, 0 means any. */
struct nfipsec_sel {
	union nfipsec_addr src;
	union nfipsec_addr dst;
	u16 family;
	u8 src_plen;
	u8 dst_plen;
	u8 proto;
	u8 pad;
	u16 sport;
	u16 dport;
};

/* Does @proto carry ports in its first 4 bytes (selectors, flows)? */
static inline bool nfipsec_proto_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

/* What a packet offers to selectors (ICMP: type in sport, code in dport). */
struct nfipsec_flow {
	union nfipsec_addr src;
	union nfipsec_addr dst;
	u16 family;
	u8 proto;
	u16 sport;
	u16 dport;
};

/* Per namespace drop counters, one per enum nfipsec_drop. */
struct nfipsec_drops {
	u64 ctr[__NFIPSEC_DROP_MAX];
	struct u64_stats_sync syncp;
};

/* sad.c: the SA database of one namespace */
struct nfipsec_sad {
	struct rhashtable by_id;	/* (family, dst, spi, proto) */
	struct rhltable by_tmpl;	/* (family, proto, mode, reqid, src, dst) */
	struct list_head list;		/* all SAs, RCU; for dumps and flush */
	unsigned int count;
};

/* spd.c: the policy database of one namespace */
struct nfipsec_spd {
	struct rhashtable by_sel;	/* (dir, sel) */
	struct list_head dir[__NFIPSEC_DIR_MAX]; /* by priority, RCU */
	unsigned int count[__NFIPSEC_DIR_MAX];
	u32 next_index;
};

struct nfipsec_net {
	struct net *net;
	struct mutex lock;	/* serialises every writer of sad, spd, gen */
	struct nfipsec_sad sad;	/* writers: lock; readers: RCU */
	struct nfipsec_spd spd;	/* writers: lock; readers: RCU */
	u32 gen;		/* bumped on every change, protected by lock */
	struct nfipsec_drops __percpu *drops;
	atomic_t inflight;	/* in the crypto API or the re-injection queue */
	bool hooks;		/* netfilter hooks registered, under lock */
	struct nf_hook_ops ops[3];
};

/* Private skb control block, after the IP layer's own. */
struct nfipsec_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	union {
		void *tmp;	/* crypto request, while in the crypto API */
		struct nfipsec_net *nn;	/* re-injection queue: counted here */
	};
	struct nfipsec_sa *sa;	/* a reference, until the packet is done */
	u64 seq;		/* sequence number */
};

#define NFIPSEC_CB(skb) ((struct nfipsec_cb *)((skb)->cb))

/* main.c APIs: */
struct nfipsec_net *nfipsec_pernet(const struct net *net);
void nfipsec_drop_count(struct nfipsec_net *nn, enum nfipsec_drop reason);
void nfipsec_drops_read(struct nfipsec_net *nn, u64 *out);

/* Bump the generation seen by dumps; caller holds nn->lock. */
static inline void nfipsec_changed(struct nfipsec_net *nn)
{
	lockdep_assert_held(&nn->lock);
	WRITE_ONCE(nn->gen, nn->gen + 1);
}

/* hash.c APIs: */
u32 nfipsec_hash(const void *data, u32 len, u32 seed);
void nfipsec_hash_init(void);

#endif /* _NFIPSEC_H */
