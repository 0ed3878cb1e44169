/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conntrack entries of the packets nfipsec takes before the confirm hook.
 */
#ifndef _NFIPSEC_CONNTRACK_H
#define _NFIPSEC_CONNTRACK_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "nfipsec.h"

/* conntrack.c APIs: */
unsigned int __nfipsec_ct_confirm(struct sk_buff *skb);
void nfipsec_ct_wire_flow(const struct sk_buff *skb,
			  struct nfipsec_flow *flow);

/*
 * Confirm the conntrack entry of a packet a hook of ours is about to take,
 * as the confirm hook would have: see conntrack.c. Returns a netfilter
 * verdict, NF_ACCEPT or NF_DROP (conntrack refused the entry). Costs one
 * test of a bit once the flow's entry is confirmed. Called under RCU.
 */
static inline unsigned int nfipsec_ct_confirm(struct sk_buff *skb)
{
	struct nf_conn *ct = (struct nf_conn *)skb_nfct(skb);

	if (likely(!ct || nf_ct_is_confirmed(ct)))
		return NF_ACCEPT;
	return __nfipsec_ct_confirm(skb);
}

#endif /* _NFIPSEC_CONNTRACK_H */
