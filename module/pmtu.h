/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer path MTU of outbound SAs (pmtu.c), kept on the SA apart from
 * the route, which carries the inner limit; learned from ICMP
 * "fragmentation needed" that quotes our ESP packets.
 */
#ifndef _NFIPSEC_PMTU_H
#define _NFIPSEC_PMTU_H

#include <linux/ip.h>
#include <linux/skbuff.h>

struct dst_entry;
struct nfipsec_net;
struct nfipsec_sa;

/* pmtu.c APIs: */
u32 nfipsec_pmtu_get(struct nfipsec_sa *sa, const struct dst_entry *dst);
void nfipsec_pmtu_icmp4(struct nfipsec_net *nn, struct sk_buff *skb);

/* LOCAL_IN, on every packet: look at ICMP, never take it. */
static inline void nfipsec_pmtu_input(struct nfipsec_net *nn,
				      struct sk_buff *skb)
{
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		nfipsec_pmtu_icmp4(nn, skb);
}

#endif /* _NFIPSEC_PMTU_H */
