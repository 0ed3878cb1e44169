// SPDX-License-Identifier: GPL-2.0
/*
 * Sequence number order on the wire. A packet takes its number before the
 * crypto, which runs on every CPU at once (and may complete elsewhere,
 * later); were each sent as soon as it is encrypted, packets from two CPUs
 * would interleave on the wire by as many as one CPU sends while the other
 * is held up, and a peer's replay window (32 packets in strongSwan)
 * refuses what falls behind it. So each packet, sent or dropped after it
 * took its number, passes here in any order: it waits until every earlier
 * number has passed, and one CPU at a time sends what is ready, in order,
 * as a qdisc runs on one CPU at a time.
 *
 * A dropped packet holds its place (it is freed instead of sent). Numbers
 * are never lost: every packet that took one comes here once. Should more
 * than NFIPSEC_TXORDER_MAX wait all the same (a deep asynchronous crypto
 * queue), they go out in order over the gap rather than wait longer.
 *
 * The sender sends NFIPSEC_TXORDER_BUDGET packets at most, however fast
 * the other CPUs add to them, so that no CPU sends for the others without
 * end with BH disabled: then it gives the part up, and the next packet to
 * pass here takes it; the owner's work (ops->defer) takes it should no
 * packet come. Ready packets are NFIPSEC_TXORDER_READY_MAX at most: a
 * packet beyond is dropped in its turn (ops->overflow), as a full device
 * queue would drop it.
 *
 * The txorder lives in an SA object that its last packet's ops->send may
 * release: the object is freed after an RCU grace period, and every
 * caller here has BH disabled, so it outlives the lock taken after a send.
 */
#include <net/ip.h>

#include "txorder.h"

#define NFIPSEC_TXORDER_MAX	256
#define NFIPSEC_TXORDER_BUDGET	64
#define NFIPSEC_TXORDER_READY_MAX	1024

/*
 * A held packet's number, in the room of its IP control block: the caller's
 * own part of the control block, after it, is left alone, and @send sets
 * the IP control block up anew.
 */
struct nfipsec_txorder_cb {
	u64 seq;
	bool drop;
};

static struct nfipsec_txorder_cb *nfipsec_txorder_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct nfipsec_txorder_cb) >
		     sizeof(struct inet_skb_parm));
	return (struct nfipsec_txorder_cb *)skb->cb;
}

void nfipsec_txorder_init(struct nfipsec_txorder *txo, work_func_t resume)
{
	spin_lock_init(&txo->lock);
	txo->next = 0;
	__skb_queue_head_init(&txo->held);
	__skb_queue_head_init(&txo->ready);
	txo->sending = false;
	INIT_WORK(&txo->resume, resume);
}

/* Hold @skb, number @seq, in ascending order; caller holds txo->lock. */
static void nfipsec_txorder_hold(struct nfipsec_txorder *txo,
				 struct sk_buff *skb, u64 seq, bool drop)
{
	struct sk_buff *p;

	/* Usually the latest: search from the tail. */
	skb_queue_reverse_walk(&txo->held, p)
		if (nfipsec_txorder_cb(p)->seq < seq)
			break;
	/* After p, or first when every held one is later. */
	__skb_queue_after(&txo->held, p, skb);
	nfipsec_txorder_cb(skb)->seq = seq;
	nfipsec_txorder_cb(skb)->drop = drop;
}

/* @skb is next in order: ready to be sent, or dropped if too many are. */
static void nfipsec_txorder_ready(struct nfipsec_txorder *txo,
				  struct sk_buff *skb,
				  const struct nfipsec_txorder_ops *ops)
{
	if (skb_queue_len(&txo->ready) < NFIPSEC_TXORDER_READY_MAX)
		__skb_queue_tail(&txo->ready, skb);
	else if (nfipsec_txorder_cb(skb)->drop)
		ops->send(skb, true);
	else
		ops->overflow(skb);
}

/*
 * The sender's part: send what is ready, in order, until nothing is or the
 * budget is spent; then give the part up (ops->defer, should no packet
 * come to take it). Called with txo->lock held, as the sender; returns
 * with it released.
 */
static void nfipsec_txorder_send(struct nfipsec_txorder *txo,
				 const struct nfipsec_txorder_ops *ops)
	__releases(&txo->lock)
{
	unsigned int budget = NFIPSEC_TXORDER_BUDGET;
	struct sk_buff_head out;
	struct sk_buff *p;

	__skb_queue_head_init(&out);
	while (!skb_queue_empty(&txo->ready)) {
		if (!budget) {
			txo->sending = false;
			ops->defer(txo);
			spin_unlock(&txo->lock);
			return;
		}
		while (budget && (p = __skb_dequeue(&txo->ready))) {
			__skb_queue_tail(&out, p);
			budget--;
		}
		spin_unlock(&txo->lock);
		while ((p = __skb_dequeue(&out)))
			ops->send(p, nfipsec_txorder_cb(p)->drop);
		spin_lock(&txo->lock);
	}
	txo->sending = false;
	spin_unlock(&txo->lock);
}

/*
 * @skb (number @seq; to be freed if @drop) is encrypted, or failed. Sends
 * it with ops->send now, or once every earlier number has passed here; the
 * sender may send it. The control block of a held packet is this unit's
 * until ops->send: that must set it up for what follows. Called with BH
 * disabled.
 */
void nfipsec_txorder_done(struct nfipsec_txorder *txo, struct sk_buff *skb,
			  u64 seq, bool drop,
			  const struct nfipsec_txorder_ops *ops)
{
	struct sk_buff *p;

	lockdep_assert_in_softirq();
	spin_lock(&txo->lock);
	if (!txo->next)
		txo->next = seq;	/* the first one of this SA object */
	if (seq < txo->next) {
		/* Late (it came before the first number seen): send it. */
		nfipsec_txorder_cb(skb)->seq = seq;
		nfipsec_txorder_cb(skb)->drop = drop;
		nfipsec_txorder_ready(txo, skb, ops);
	} else {
		nfipsec_txorder_hold(txo, skb, seq, drop);
		/* Too many wait: give up the gap, keep the order. */
		if (skb_queue_len(&txo->held) > NFIPSEC_TXORDER_MAX)
			txo->next = nfipsec_txorder_cb(skb_peek(&txo->held))->seq;
		while ((p = skb_peek(&txo->held)) &&
		       nfipsec_txorder_cb(p)->seq == txo->next) {
			__skb_unlink(p, &txo->held);
			nfipsec_txorder_ready(txo, p, ops);
			txo->next++;
		}
	}
	if (txo->sending) {
		spin_unlock(&txo->lock);
		return;
	}
	txo->sending = true;
	nfipsec_txorder_send(txo, ops);
}

/*
 * txo->resume, queued by ops->defer: a sender that gave its part up after
 * its budget left packets ready; send them unless a packet since took
 * the part.
 */
void nfipsec_txorder_resume(struct nfipsec_txorder *txo,
			    const struct nfipsec_txorder_ops *ops)
{
	local_bh_disable();
	spin_lock(&txo->lock);
	if (txo->sending || skb_queue_empty(&txo->ready)) {
		spin_unlock(&txo->lock);
	} else {
		txo->sending = true;
		nfipsec_txorder_send(txo, ops);
	}
	local_bh_enable();
}
