// SPDX-License-Identifier: GPL-2.0
/*
 * Decrypted packets re-enter the stack through PRE_ROUTING, but never on
 * the stack of the hook that decrypted them: each goes on a per-CPU queue
 * drained by a NAPI context of its own (as gro_cells do for tunnels), so
 * that a packet of many nested ESP layers costs one queue pass per layer,
 * not one stack frame set per layer. The IP control block, and with it
 * the decrypted mark, is kept: the packet does not go through ip_rcv
 * again.
 */
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <net/dst_metadata.h>
#include <net/route.h>

#include "main.h"
#include "nfipsec.h"
#include "reinject.h"

struct nfipsec_reinject_cell {
	struct sk_buff_head skbs;	/* only touched by this CPU, BH off */
	struct napi_struct napi;
};

static struct nfipsec_reinject_cell __percpu *nfipsec_cells;
/* The NAPI contexts' device: a dummy, never registered. */
static struct net_device nfipsec_napi_dev;

/*
 * The okfn of the re-injected packet: route it, unless PRE_ROUTING kept
 * the route it was given, and on to delivery or forwarding.
 */
static int nfipsec_reinject_finish(struct net *net, struct sock *sk,
				   struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_valid_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

/*
 * The queue holds a reference on the device and counts the packet in
 * flight in its namespace; both go once PRE_ROUTING has taken it.
 */
static void nfipsec_reinject_one(struct sk_buff *skb)
{
	struct nfipsec_net *nn = NFIPSEC_CB(skb)->nn;
	struct net_device *dev = skb->dev;

	rcu_read_lock();
	/* The device moved to another namespace meanwhile: not there. */
	if (unlikely(!net_eq(dev_net(dev), nn->net))) {
		nfipsec_drop_count(nn, NFIPSEC_DROP_NO_ROUTE);
		kfree_skb(skb);
	} else {
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, nn->net, NULL, skb,
			dev, NULL, nfipsec_reinject_finish);
	}
	rcu_read_unlock();
	dev_put(dev);
	nfipsec_inflight_put(nn);
}

static int nfipsec_reinject_poll(struct napi_struct *napi, int budget)
{
	struct nfipsec_reinject_cell *cell;
	struct sk_buff *skb;
	int done = 0;

	cell = container_of(napi, struct nfipsec_reinject_cell, napi);
	while (done < budget) {
		skb = __skb_dequeue(&cell->skbs);
		if (!skb)
			break;
		nfipsec_reinject_one(skb);
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/*
 * Queue @skb (a decrypted IPv4 packet of @nn, IP control block set,
 * skb->dev held by the caller) to re-enter the stack on this CPU. Called
 * with BH disabled. On success the queue owns the skb and the device
 * reference; on false (queue full) the caller still owns both.
 */
bool nfipsec_reinject(struct nfipsec_net *nn, struct sk_buff *skb)
{
	struct nfipsec_reinject_cell *cell = this_cpu_ptr(nfipsec_cells);

	lockdep_assert_in_softirq();
	if (skb_queue_len(&cell->skbs) > READ_ONCE(netdev_max_backlog))
		return false;
	/* A noref route lives only as long as the RCU section it came in. */
	skb_dst_force(skb);
	/* The namespace of the SA, whatever namespace the device goes to. */
	NFIPSEC_CB(skb)->nn = nn;
	nfipsec_inflight_get(nn);
	__skb_queue_tail(&cell->skbs, skb);
	if (skb_queue_len(&cell->skbs) == 1)
		napi_schedule(&cell->napi);
	return true;
}

int nfipsec_reinject_init(void)
{
	int cpu;

	nfipsec_cells = alloc_percpu(struct nfipsec_reinject_cell);
	if (!nfipsec_cells)
		return -ENOMEM;
	init_dummy_netdev(&nfipsec_napi_dev);
	for_each_possible_cpu(cpu) {
		struct nfipsec_reinject_cell *cell = per_cpu_ptr(nfipsec_cells, cpu);

		__skb_queue_head_init(&cell->skbs);
		netif_napi_add(&nfipsec_napi_dev, &cell->napi,
			       nfipsec_reinject_poll);
		napi_enable(&cell->napi);
	}
	return 0;
}

/*
 * After every namespace is gone: their exits waited for every packet in
 * flight, queued ones included, so the queues are empty.
 */
void nfipsec_reinject_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nfipsec_reinject_cell *cell = per_cpu_ptr(nfipsec_cells, cpu);

		napi_disable(&cell->napi);
		netif_napi_del(&cell->napi);
		WARN_ON_ONCE(!skb_queue_empty(&cell->skbs));
	}
	free_percpu(nfipsec_cells);
}
