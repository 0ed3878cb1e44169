/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Outbound packets of one SA leave in sequence number order (txorder.c).
 */
#ifndef _NFIPSEC_TXORDER_H
#define _NFIPSEC_TXORDER_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct nfipsec_txorder;

/* What the owner of a txorder does for it. */
struct nfipsec_txorder_ops {
	/* Send @skb, or free it if @drop; sets its control block up anew. */
	void (*send)(struct sk_buff *skb, bool drop);
	/* Drop @skb, one too many ready to be sent; count it. */
	void (*overflow)(struct sk_buff *skb);
	/*
	 * Queue txo->resume, which then calls nfipsec_txorder_resume(),
	 * keeping txo (and whatever @send needs) alive until it ran.
	 */
	void (*defer)(struct nfipsec_txorder *txo);
};

/*
 * Packets are encrypted in parallel on every CPU, each with the number it
 * took; one that finishes before an earlier number waits here for it.
 */
struct nfipsec_txorder {
	spinlock_t lock;		/* protects all below but resume */
	u64 next;			/* next number to send, 0: none yet */
	struct sk_buff_head held;	/* later ones, ascending */
	struct sk_buff_head ready;	/* in order, to be sent */
	bool sending;			/* a CPU or resume is the sender */
	struct work_struct resume;	/* sends, if no packet came */
};

/* txorder.c APIs: */
void nfipsec_txorder_init(struct nfipsec_txorder *txo, work_func_t resume);
void nfipsec_txorder_done(struct nfipsec_txorder *txo, struct sk_buff *skb,
			  u64 seq, bool drop,
			  const struct nfipsec_txorder_ops *ops);
void nfipsec_txorder_resume(struct nfipsec_txorder *txo,
			    const struct nfipsec_txorder_ops *ops);

#endif /* _NFIPSEC_TXORDER_H */
