// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound: the POST_ROUTING hook looks the packet up in the SPD (dir out);
 * a protect policy hands it to its SA: path MTU, GSO segmentation,
 * checksums, ESP, then out through ip_local_out() as a new packet.
 *
 * The route a packet leaves on is referenced, not borrowed, from before
 * the encryption on: the crypto may complete asynchronously, after the
 * RCU read side that a borrowed (noref) dst needs has ended.
 */
#include <linux/icmp.h>
#include <net/dst_cache.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "conntrack.h"
#include "esp.h"
#include "icmp.h"
#include "main.h"
#include "pmtu.h"
#include "sa.h"
#include "spd.h"
#include "txorder.h"

static void nfipsec_out_drop(struct nfipsec_sa *sa, struct sk_buff *skb,
			     enum nfipsec_drop reason)
{
	nfipsec_sa_error(sa, reason);
	kfree_skb(skb);
	nfipsec_sa_put(sa);
}

/*
 * The route to the peer; tunnel mode only. Called with BH disabled. The
 * packet's mark selects it, as in XFRM (policy routing by fwmark); the
 * SA's route cache holds the route of unmarked packets only.
 */
static struct rtable *nfipsec_route(struct nfipsec_sa *sa, struct net *net,
				    u32 mark)
{
	struct flowi4 fl4 = {};
	struct rtable *rt;
	__be32 saddr;

	if (!mark) {
		rt = (struct rtable *)dst_cache_get_ip4(&sa->dst_cache, &saddr);
		if (rt)
			return rt;
	}
	fl4.daddr = sa->id.daddr.a4;
	fl4.saddr = sa->tid.saddr.a4;
	fl4.flowi4_proto = IPPROTO_ESP;
	fl4.flowi4_mark = mark;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt) || mark)
		return rt;
	dst_cache_set_ip4(&sa->dst_cache, &rt->dst, fl4.saddr);
	return rt;
}

/*
 * In sequence number order (txorder.c): send the packet as one of its own,
 * or free it if it failed after it took its number. Consumes the
 * reference on its SA.
 */
static void nfipsec_output_xmit(struct sk_buff *skb, bool drop)
{
	struct nfipsec_sa *sa = NFIPSEC_CB(skb)->sa;
	struct net *net = sa->nn->net;

	nfipsec_sa_put(sa);
	if (drop) {
		kfree_skb(skb);
		return;
	}
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	/*
	 * Transformed: our hook and NAT's policy re-lookup leave it alone.
	 * Sized for the SA's path MTU already (pmtu.c): the IP layer is to
	 * hold it to the route's own MTU, as a forwarded packet, not to the
	 * PMTU learned on the route, which is the inner limit when the peer
	 * is also the inner destination.
	 */
	IPCB(skb)->flags = IPSKB_XFRM_TRANSFORMED | IPSKB_FORWARDED;
	skb->protocol = htons(ETH_P_IP);
	skb->ip_summed = CHECKSUM_NONE;
	skb->ignore_df = 1;
	ip_select_ident(net, skb, NULL);
	ip_local_out(net, NULL, skb);
}

/* Too many packets of the SA wait to be sent: this one is dropped. */
static void nfipsec_output_overflow(struct sk_buff *skb)
{
	nfipsec_sa_error(NFIPSEC_CB(skb)->sa, NFIPSEC_DROP_BACKLOG);
	nfipsec_output_xmit(skb, true);
}

/*
 * A sender gave its part up with packets ready: should no packet come to
 * take it, nfipsec_wq sends them. The packets hold references on the SA,
 * but another sender may send them first, so the work holds one of its
 * own, and counts as in flight (the namespace waits for it).
 */
static void nfipsec_output_defer(struct nfipsec_txorder *txo)
{
	struct nfipsec_sa *sa = container_of(txo, struct nfipsec_sa, txorder);

	refcount_inc(&sa->ref);
	nfipsec_inflight_get(sa->nn);
	if (!queue_work(nfipsec_wq, &txo->resume)) {
		/* already queued: that one will do */
		nfipsec_inflight_put(sa->nn);
		nfipsec_sa_put(sa);
	}
}

static const struct nfipsec_txorder_ops nfipsec_output_txops = {
	.send = nfipsec_output_xmit,
	.overflow = nfipsec_output_overflow,
	.defer = nfipsec_output_defer,
};

void nfipsec_output_resume(struct work_struct *work)
{
	struct nfipsec_sa *sa = container_of(work, struct nfipsec_sa,
					     txorder.resume);
	struct nfipsec_net *nn = sa->nn;

	nfipsec_txorder_resume(&sa->txorder, &nfipsec_output_txops);
	nfipsec_sa_put(sa);
	nfipsec_inflight_put(nn);	/* the last use of nn */
}

/* A packet that took a sequence number failed: it keeps its place. */
static void nfipsec_out_drop_seq(struct sk_buff *skb, enum nfipsec_drop reason)
{
	struct nfipsec_sa *sa = NFIPSEC_CB(skb)->sa;

	if (reason != __NFIPSEC_DROP_MAX)
		nfipsec_sa_error(sa, reason);
	nfipsec_txorder_done(&sa->txorder, skb, NFIPSEC_CB(skb)->seq, true,
			     &nfipsec_output_txops);
}

/* Encrypted (or failed): on to the wire in sequence number order. */
void nfipsec_output_done(struct sk_buff *skb, int err)
{
	struct nfipsec_sa *sa = NFIPSEC_CB(skb)->sa;

	if (err) {
		nfipsec_out_drop_seq(skb, err == -ENOMEM ? NFIPSEC_DROP_NOMEM :
				     NFIPSEC_DROP_CRYPTO);
		return;
	}
	nfipsec_txorder_done(&sa->txorder, skb, NFIPSEC_CB(skb)->seq, false,
			     &nfipsec_output_txops);
}

/* One packet, no GSO; consumes @skb and a reference on @sa. */
static void nfipsec_output_one(struct nfipsec_sa *sa, struct sk_buff *skb,
			       struct rtable *rt, bool df)
{
	u64 seq;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		nfipsec_out_drop(sa, skb, NFIPSEC_DROP_OUTPUT);
		return;
	}
	/*
	 * Take the number first: pairs with the barrier in an SA update.
	 * From here on the packet passes nfipsec_txorder_done() once.
	 */
	seq = atomic64_inc_return(&sa->oseq);
	NFIPSEC_CB(skb)->sa = sa;
	NFIPSEC_CB(skb)->seq = seq;
	if (READ_ONCE(sa->state) == NFIPSEC_SA_STATE_DEAD) {
		nfipsec_out_drop_seq(skb, NFIPSEC_DROP_EXPIRED);
		return;
	}
	if (!(sa->flags & NFIPSEC_SA_F_ESN) && seq > U32_MAX) {
		nfipsec_sa_kill(sa);
		nfipsec_out_drop_seq(skb, NFIPSEC_DROP_SEQ_OVERFLOW);
		return;
	}
	/* Bytes protected: the payload, as XFRM counts (transport: no IP),
	 * before the transform, as XFRM does. A hard limit: counted there.
	 */
	if (!nfipsec_sa_account(sa, skb->len - (sa->mode == NFIPSEC_MODE_TRANSPORT ?
						ip_hdrlen(skb) : 0), true)) {
		nfipsec_out_drop_seq(skb, __NFIPSEC_DROP_MAX);
		return;
	}
	if (sa->mode == NFIPSEC_MODE_TUNNEL) {
		skb_dst_drop(skb);
		skb_dst_set(skb, dst_clone(&rt->dst));
	}
	nf_reset_ct(skb);
	nfipsec_esp_output(sa, skb, seq, df, LL_RESERVED_SPACE(rt->dst.dev));
}

/*
 * Consumes @skb and the reference on @sa. Called with BH disabled. @rt is
 * our reference in tunnel mode; in transport mode the packet's own, which
 * its segments share.
 */
static void nfipsec_output(struct nfipsec_sa *sa, struct sk_buff *skb)
{
	struct net *net = sa->nn->net;
	struct sk_buff *segs, *seg, *next;
	const struct iphdr *iph = ip_hdr(skb);
	bool inner_df = iph->frag_off & htons(IP_DF);
	bool tunnel = sa->mode == NFIPSEC_MODE_TUNNEL;
	bool df, too_big;
	struct rtable *rt;
	u32 mtu, max;

	if (tunnel) {
		rt = nfipsec_route(sa, net, skb->mark);
		if (IS_ERR(rt)) {
			nfipsec_out_drop(sa, skb, NFIPSEC_DROP_NO_ROUTE);
			return;
		}
	} else {
		/* As xfrm_output(): segments copy it, the crypto outlives RCU. */
		if (!skb_dst_force(skb)) {
			nfipsec_out_drop(sa, skb, NFIPSEC_DROP_NO_ROUTE);
			return;
		}
		rt = skb_rtable(skb);
	}

	mtu = nfipsec_pmtu_get(sa, &rt->dst);
	max = nfipsec_sa_mtu(sa, mtu);
	too_big = skb_is_gso(skb) ? !skb_gso_validate_network_len(skb, max) :
				    skb->len > max;
	switch (sa->df) {
	case NFIPSEC_DF_CLEAR:
		df = false;
		break;
	case NFIPSEC_DF_SET:
		/* A too big packet that may be fragmented is, after ESP. */
		df = !too_big || inner_df;
		break;
	default:
		df = inner_df;
	}
	if (too_big && df && !skb->ignore_df) {
		/* Tell the sender the MTU inside the tunnel (RFC 4301 8.2). */
		skb_dst_update_pmtu_no_confirm(skb, max);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(max));
		nfipsec_out_drop(sa, skb, NFIPSEC_DROP_MTU);
		goto out;
	}

	if (!skb_is_gso(skb)) {
		nfipsec_output_one(sa, skb, rt, df);
		goto out;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		nfipsec_out_drop(sa, skb, NFIPSEC_DROP_OUTPUT);
		goto out;
	}
	consume_skb(skb);
	/* Transport mode: each segment holds rt until it is sent. */
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		refcount_inc(&sa->ref);
		nfipsec_output_one(sa, seg, rt, df);
	}
	nfipsec_sa_put(sa);
out:
	if (tunnel)
		dst_release(&rt->dst);
}

unsigned int nfipsec_out_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct nfipsec_net *nn = priv;
	struct nfipsec_policy *pol;
	struct nfipsec_sa_tid tid;
	struct nfipsec_flow flow;
	struct nfipsec_sa *sa;
	unsigned int verdict;

	/* Bridged frames: not routed, and their control block is not IPCB. */
	if (!READ_ONCE(nn->spd.count[NFIPSEC_DIR_OUT]) || nfipsec_bridged(skb) ||
	    IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED)
		return NF_ACCEPT;

	nfipsec_flow4(skb, &flow);
	pol = nfipsec_icmp_out_lookup(nn, skb, &flow);
	if (!pol || pol->action == NFIPSEC_ACTION_ALLOW)
		return NF_ACCEPT;
	if (pol->action == NFIPSEC_ACTION_BLOCK) {
		nfipsec_drop_count(nn, NFIPSEC_DROP_POLICY_BLOCK);
		return NF_DROP;
	}

	memset(&tid, 0, sizeof(tid));
	tid.family = pol->tmpl.family;
	tid.proto = pol->tmpl.proto;
	tid.mode = pol->tmpl.mode;
	tid.reqid = pol->tmpl.reqid;
	tid.saddr = pol->tmpl.saddr;
	tid.daddr = pol->tmpl.daddr;
	if (ipv6_addr_any(&tid.saddr.a6))
		tid.saddr = flow.src;
	if (ipv6_addr_any(&tid.daddr.a6))
		tid.daddr = flow.dst;
	sa = nfipsec_sad_lookup_out(nn, &tid, &flow);
	if (!sa || !nfipsec_sa_get(sa)) {
		nfipsec_drop_count(nn, NFIPSEC_DROP_NO_OUT_SA);
		return NF_DROP;
	}
	/* Known to conntrack as after all of POST_ROUTING, but not SNATed. */
	verdict = nfipsec_ct_confirm(skb);
	if (verdict != NF_ACCEPT) {
		nfipsec_sa_put(sa);
		return verdict;
	}
	local_bh_disable();
	nfipsec_output(sa, skb);
	local_bh_enable();
	return NF_STOLEN;
}
