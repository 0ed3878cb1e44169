/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors and the policy database (icmp.c).
 */
#ifndef _NFIPSEC_ICMP_H
#define _NFIPSEC_ICMP_H

#include <linux/skbuff.h>

#include "nfipsec.h"

struct nfipsec_policy;

/* icmp.c APIs: */
/* Under RCU: the out policy that decides @skb; may rewrite @flow. */
struct nfipsec_policy *nfipsec_icmp_out_lookup(struct nfipsec_net *nn,
					       const struct sk_buff *skb,
					       struct nfipsec_flow *flow);

#endif /* _NFIPSEC_ICMP_H */
