/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Outbound packets of one SA leave in sequence number order (txorder.c).
 */
#ifndef _NFIPSEC_TXORDER_H
#define _NFIPSEC_TXORDER_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>

/*
 * Packets are encrypted in parallel on every CPU, each with the number it
 * took; one that finishes before an earlier number waits here for it.
 */
struct nfipsec_txorder {
	spinlock_t lock;		/* protects all below */
	u64 next;			/* next number to send, 0: none yet */
	struct sk_buff_head held;	/* later ones, ascending */
	struct sk_buff_head ready;	/* in order, to be sent */
	bool sending;			/* a CPU is sending ready ones */
};

/* txorder.c APIs: */
void nfipsec_txorder_init(struct nfipsec_txorder *txo);
void nfipsec_txorder_done(struct nfipsec_txorder *txo, struct sk_buff *skb,
			  u64 seq, bool drop,
			  void (*send)(struct sk_buff *skb, bool drop));

#endif /* _NFIPSEC_TXORDER_H */
