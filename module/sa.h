/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security associations: the object (sa.c) and the database (sad.c).
 */
#ifndef _NFIPSEC_SA_H
#define _NFIPSEC_SA_H

#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <crypto/aead.h>

#include "nfipsec.h"
#include "replay.h"
#include "txorder.h"

/* SAD key: how inbound packets find their SA. Padding is zeroed. */
struct nfipsec_sa_id {
	union nfipsec_addr daddr;
	__be32 spi;
	u16 family;
	u8 proto;
	u8 pad;
};

/* Template key: how outbound policies find their SA. */
struct nfipsec_sa_tid {
	union nfipsec_addr saddr;
	union nfipsec_addr daddr;
	u32 reqid;
	u16 family;
	u8 proto;
	u8 mode;
};

struct nfipsec_lifetime {
	u64 secs[2];		/* [0] soft, [1] hard; 0 = no limit */
	u64 bytes[2];
	u64 packets[2];
};

struct nfipsec_sa_pcpu {
	u64 in_packets;
	u64 in_bytes;
	u64 out_packets;
	u64 out_bytes;
	struct u64_stats_sync syncp;
};

struct nfipsec_alg {
	char name[NFIPSEC_ALG_NAME_MAX];
	u32 key_bits;
	u32 icv_bits;		/* AEAD ICV, or auth truncation */
};

struct nfipsec_sa {
	struct rhash_head id_node;	/* sad.by_id, writers: nn->lock */
	struct rhlist_head tmpl_node;	/* sad.by_tmpl, writers: nn->lock */
	struct list_head list;		/* sad.list, writers: nn->lock */
	struct rcu_head rcu;
	refcount_t ref;

	/* Set before the SA is published; constant afterwards. */
	struct nfipsec_sa_id id;
	struct nfipsec_sa_tid tid;
	struct nfipsec_net *nn;
	struct nfipsec_sel sel;
	bool has_sel;
	u8 mode;
	u8 df;
	u32 flags;
	struct nfipsec_lifetime lft;
	struct crypto_aead *aead;
	struct nfipsec_alg alg[3];	/* aead or enc, auth */
	bool is_aead;
	u32 ivlen;
	u32 icvlen;
	u32 blksize;			/* padding boundary, at least 4 */
	u32 header_len;			/* outer IP (tunnel) + ESP + IV */
	time64_t add_time;		/* wall clock seconds */
	u64 add_jiffies;

	/* protects replay, lifetime and learned path MTU state */
	spinlock_t lock;
	struct nfipsec_replay replay;	/* inbound, under lock */
	/* enum nfipsec_sa_state: written under lock, read with READ_ONCE */
	u8 state;
	bool soft_done;			/* under lock */
	atomic64_t oseq;		/* last outbound sequence number */
	atomic64_t life_bytes;		/* only kept when byte limits are set */
	atomic64_t life_packets;
	u64 use_jiffies;		/* last use, WRITE_ONCE/READ_ONCE */
	u32 pmtu;			/* outer path MTU in use, READ_ONCE */
	/* Path MTU from ICMP (pmtu.c), 0: none; under lock, READ_ONCE. */
	u32 pmtu_learned;
	unsigned long pmtu_expires;	/* jiffies, with pmtu_learned */
	atomic64_t pmtu_updates;	/* times ICMP lowered the path MTU */

	struct nfipsec_sa_pcpu __percpu *pcpu;
	atomic64_t errors[__NFIPSEC_DROP_MAX];
	struct dst_cache dst_cache;	/* route to the peer, tunnel mode */
	struct nfipsec_txorder txorder;	/* outbound, own lock */
	/* Time limits; holds a reference while queued. */
	struct delayed_work expire_work;
	struct rcu_work free_work;
	bool linked;			/* in the tables, under nn->lock */
};

/* Per SA configuration as parsed from netlink. */
struct nfipsec_sa_cfg {
	struct nfipsec_sa_id id;
	union nfipsec_addr saddr;
	u32 reqid;
	u8 mode;
	u8 df;
	u32 flags;
	u32 replay_window;
	struct nfipsec_sel sel;
	bool has_sel;
	struct nfipsec_lifetime lft;
	bool is_aead;
	struct nfipsec_alg alg[2];	/* aead, or enc and auth */
	const u8 *key[2];
	u32 keylen[2];
};

/* sa_crypto.c APIs: */
int nfipsec_sa_crypto_init(struct nfipsec_sa *sa,
			   const struct nfipsec_sa_cfg *cfg,
			   struct netlink_ext_ack *extack);
void nfipsec_sa_crypto_free(struct nfipsec_sa *sa);

/* sa.c APIs: */
struct nfipsec_sa *nfipsec_sa_create(struct nfipsec_net *nn,
				     const struct nfipsec_sa_cfg *cfg,
				     struct netlink_ext_ack *extack);
void nfipsec_sa_put(struct nfipsec_sa *sa);
static inline bool __must_check nfipsec_sa_get(struct nfipsec_sa *sa)
{
	return refcount_inc_not_zero(&sa->ref);
}

void nfipsec_sa_error(struct nfipsec_sa *sa, enum nfipsec_drop reason);
void nfipsec_sa_stats_read(struct nfipsec_sa *sa, struct nfipsec_sa_pcpu *sum);
bool nfipsec_sa_account(struct nfipsec_sa *sa, unsigned int bytes, bool out);
void nfipsec_sa_kill(struct nfipsec_sa *sa);
void nfipsec_sa_arm_expiry(struct nfipsec_sa *sa);
void nfipsec_sa_inherit(struct nfipsec_sa *sa, struct nfipsec_sa *old);
void nfipsec_sa_takeover(struct nfipsec_sa *sa, struct nfipsec_sa *old);
u32 nfipsec_sa_mtu(const struct nfipsec_sa *sa, u32 mtu);

/* sad.c APIs: */
int nfipsec_sad_init(struct nfipsec_sad *sad);
void nfipsec_sad_destroy(struct nfipsec_net *nn);
int nfipsec_sad_insert(struct nfipsec_net *nn, struct nfipsec_sa *sa,
		       struct nfipsec_sa *old, struct netlink_ext_ack *extack);
struct nfipsec_sa *nfipsec_sad_find(struct nfipsec_net *nn,
				    const struct nfipsec_sa_id *id);
void nfipsec_sad_unlink(struct nfipsec_net *nn, struct nfipsec_sa *sa);
void nfipsec_sad_flush(struct nfipsec_net *nn);
/* Lookups run under RCU and return no reference; take one to keep it. */
struct nfipsec_sa *nfipsec_sad_lookup(struct nfipsec_net *nn,
				      const struct nfipsec_sa_id *id);
struct nfipsec_sa *nfipsec_sad_lookup_out(struct nfipsec_net *nn,
					  const struct nfipsec_sa_tid *tid,
					  const struct nfipsec_flow *flow);

bool nfipsec_sel_match(const struct nfipsec_sel *sel,
		       const struct nfipsec_flow *flow);

#endif /* _NFIPSEC_SA_H */
