/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How decrypted packets re-enter the stack (reinject.c), and the mark
 * they carry there.
 */
#ifndef _NFIPSEC_REINJECT_H
#define _NFIPSEC_REINJECT_H

#include <linux/skbuff.h>
#include <net/ip.h>

/*
 * One packet may carry at most this many ESP layers, as XFRM_MAX_DEPTH:
 * the next one is dropped (NFIPSEC_DROP_NESTING).
 */
#define NFIPSEC_MAX_DEPTH	6

/*
 * A decrypted packet carries, until it leaves or is delivered, a mark in
 * its IP control block flags: it was decrypted here, passed the inbound
 * policy check for its SA, and went through @depth ESP layers. Bits the
 * IP layer does not use (IPSKB_* end at bit 9 in 6.1). ip_rcv clears the
 * control block of every packet from a device, so the mark is only ever
 * ours; reassembly keeps the first fragment's.
 */
#define NFIPSEC_IPSKB_DEPTH_SHIFT	12
#define NFIPSEC_IPSKB_DEPTH		(7 << NFIPSEC_IPSKB_DEPTH_SHIFT)
#define NFIPSEC_IPSKB_DECRYPTED		BIT(15)

static inline unsigned int nfipsec_depth(const struct sk_buff *skb)
{
	u16 flags = IPCB(skb)->flags;

	BUILD_BUG_ON(BIT(NFIPSEC_IPSKB_DEPTH_SHIFT) <= IPSKB_MULTIPATH);
	BUILD_BUG_ON(NFIPSEC_MAX_DEPTH >
		     NFIPSEC_IPSKB_DEPTH >> NFIPSEC_IPSKB_DEPTH_SHIFT);
	if (!(flags & NFIPSEC_IPSKB_DECRYPTED))
		return 0;
	return (flags & NFIPSEC_IPSKB_DEPTH) >> NFIPSEC_IPSKB_DEPTH_SHIFT;
}

static inline bool nfipsec_decrypted(const struct sk_buff *skb)
{
	return IPCB(skb)->flags & NFIPSEC_IPSKB_DECRYPTED;
}

static inline void nfipsec_mark_decrypted(struct sk_buff *skb,
					  unsigned int depth)
{
	IPCB(skb)->flags &= ~NFIPSEC_IPSKB_DEPTH;
	IPCB(skb)->flags |= NFIPSEC_IPSKB_DECRYPTED |
			    depth << NFIPSEC_IPSKB_DEPTH_SHIFT;
}

/* reinject.c APIs: */
int nfipsec_reinject_init(void);
void nfipsec_reinject_exit(void);
struct nfipsec_net;
bool nfipsec_reinject(struct nfipsec_net *nn, struct sk_buff *skb);

#endif /* _NFIPSEC_REINJECT_H */
