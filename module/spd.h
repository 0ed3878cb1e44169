/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The security policy database (spd.c).
 */
#ifndef _NFIPSEC_SPD_H
#define _NFIPSEC_SPD_H

#include "nfipsec.h"

struct nfipsec_sa;

struct nfipsec_tmpl {
	union nfipsec_addr saddr;	/* all zero: the packet's */
	union nfipsec_addr daddr;
	u32 reqid;
	u16 family;
	u8 proto;
	u8 mode;
};

/* Policy key; padding is zeroed. */
struct nfipsec_pol_key {
	struct nfipsec_sel sel;
	u8 dir;
	u8 pad[3];
};

struct nfipsec_policy {
	struct rhash_head node;		/* spd.by_sel, writers: nn->lock */
	struct list_head list;		/* spd.dir[key.dir], writers: nn->lock */
	struct rcu_head rcu;
	/* Constant once published. */
	struct nfipsec_pol_key key;
	u32 priority;
	u32 index;
	u32 flags;			/* NFIPSEC_POL_F_* */
	u8 action;
	bool has_tmpl;
	struct nfipsec_tmpl tmpl;
	u64 __percpu *hits;
};

/* spd.c APIs: */
int nfipsec_spd_init(struct nfipsec_spd *spd);
void nfipsec_spd_destroy(struct nfipsec_net *nn);
struct nfipsec_policy *nfipsec_policy_alloc(void);
void nfipsec_policy_free(struct nfipsec_policy *pol);
int nfipsec_spd_insert(struct nfipsec_net *nn, struct nfipsec_policy *pol,
		       struct nfipsec_policy *old);
struct nfipsec_policy *nfipsec_spd_find(struct nfipsec_net *nn,
					const struct nfipsec_pol_key *key);
struct nfipsec_policy *nfipsec_spd_find_index(struct nfipsec_net *nn,
					      u32 index);
void nfipsec_spd_unlink(struct nfipsec_net *nn, struct nfipsec_policy *pol);
void nfipsec_spd_flush(struct nfipsec_net *nn);
u64 nfipsec_policy_hits(const struct nfipsec_policy *pol);
/* Under RCU: the first policy of @dir (by priority) that takes @flow. */
struct nfipsec_policy *nfipsec_spd_lookup(struct nfipsec_net *nn, u8 dir,
					  const struct nfipsec_flow *flow);
bool nfipsec_tmpl_takes_sa(const struct nfipsec_tmpl *t,
			   const struct nfipsec_sa *sa);

#endif /* _NFIPSEC_SPD_H */
