// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound. The LOCAL_IN hook takes ESP whose SPI is in this namespace's
 * SAD (other ESP is left to the stack), checks the replay window,
 * decrypts, advances the window, removes the ESP framing, checks the
 * decrypted packet against the inbound policy for its SA (RFC 4301 5.2)
 * and queues it to re-enter the stack through PRE_ROUTING (reinject.c),
 * marked as decrypted. Every other packet is checked where the routing
 * decision has been made and fragments are reassembled: LOCAL_IN for dir
 * in, FORWARD for dir fwd. Cleartext that an inbound protect policy says
 * must arrive protected is dropped there.
 */
#include <linux/inetdevice.h>
#include <net/inet_ecn.h>
#include <net/dst_metadata.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "conntrack.h"
#include "esp.h"
#include "quote.h"
#include "reinject.h"
#include "sa.h"
#include "spd.h"

static void nfipsec_in_drop(struct nfipsec_sa *sa, struct sk_buff *skb,
			    enum nfipsec_drop reason)
{
	nfipsec_sa_error(sa, reason);
	kfree_skb(skb);
	nfipsec_sa_put(sa);
}

/* An SA object whose window moved on (an update) is gone: as expired. */
static enum nfipsec_drop nfipsec_replay_drop(enum nfipsec_replay_verdict v)
{
	switch (v) {
	case NFIPSEC_REPLAY_DUP:
		return NFIPSEC_DROP_REPLAY;
	case NFIPSEC_REPLAY_MOVED:
		return NFIPSEC_DROP_EXPIRED;
	default:
		return NFIPSEC_DROP_TOO_OLD;
	}
}

/* RFC 4301 5.2: @flow must fit a policy naming its SA. */
static enum nfipsec_drop nfipsec_in_policy_flow(struct nfipsec_sa *sa,
						const struct nfipsec_flow *flow,
						u8 dir)
{
	struct nfipsec_policy *pol;

	if (sa->has_sel && !nfipsec_sel_match(&sa->sel, flow))
		return NFIPSEC_DROP_POLICY_MISMATCH;
	rcu_read_lock();
	pol = nfipsec_spd_lookup(sa->nn, dir, flow);
	if (pol && pol->action == NFIPSEC_ACTION_BLOCK) {
		rcu_read_unlock();
		return NFIPSEC_DROP_POLICY_BLOCK;
	}
	if (!pol || pol->action != NFIPSEC_ACTION_PROTECT ||
	    !nfipsec_tmpl_takes_sa(&pol->tmpl, sa)) {
		rcu_read_unlock();
		return NFIPSEC_DROP_POLICY_MISMATCH;
	}
	rcu_read_unlock();
	return __NFIPSEC_DROP_MAX;
}

/*
 * The decrypted packet must fit a policy naming its SA. An ICMP error for
 * this host that does not, but came through an SA with flag icmp, is
 * checked as the flow it quotes, reversed (RFC 4301 6.2, as XFRM's
 * icmp_rcv(), which sees only errors delivered locally).
 */
static enum nfipsec_drop nfipsec_in_policy(struct nfipsec_sa *sa,
					   struct sk_buff *skb, u8 dir)
{
	struct nfipsec_flow flow, rev;
	enum nfipsec_drop reason;

	nfipsec_flow4(skb, &flow);
	reason = nfipsec_in_policy_flow(sa, &flow, dir);
	if (reason == __NFIPSEC_DROP_MAX || !(sa->flags & NFIPSEC_SA_F_ICMP) ||
	    dir != NFIPSEC_DIR_IN || !nfipsec_quote_flow(skb, &flow, &rev) ||
	    nfipsec_in_policy_flow(sa, &rev, dir) != __NFIPSEC_DROP_MAX)
		return reason;
	return __NFIPSEC_DROP_MAX;
}

static bool nfipsec_inner_ok(struct sk_buff *skb)
{
	const struct iphdr *iph;
	unsigned int len;

	if (skb->len < sizeof(*iph))
		return false;
	iph = ip_hdr(skb);
	len = ntohs(iph->tot_len);
	return iph->version == 4 && iph->ihl >= 5 && len <= skb->len &&
	       len >= iph->ihl * 4 &&
	       !ip_fast_csum((const u8 *)iph, iph->ihl);
}

/*
 * A tunnel mode inner packet gets what ip_rcv gives a packet: a fresh
 * control block with the input interface and, once it is routed, its
 * options parsed (ip_rcv_options: source routes only where the interface
 * accepts them).
 */
static void nfipsec_inner_cb(struct sk_buff *skb)
{
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	IPCB(skb)->iif = skb->skb_iif;
}

static enum nfipsec_drop nfipsec_inner_opts(struct sk_buff *skb)
{
	struct ip_options *opt = &IPCB(skb)->opt;
	struct in_device *in_dev;

	opt->optlen = ip_hdr(skb)->ihl * 4 - sizeof(struct iphdr);
	if (ip_options_compile(dev_net(skb->dev), opt, skb))
		return NFIPSEC_DROP_MALFORMED;
	if (!opt->srr)
		return __NFIPSEC_DROP_MAX;
	in_dev = __in_dev_get_rcu(skb->dev);
	if (!in_dev || !IN_DEV_SOURCE_ROUTE(in_dev) ||
	    ip_options_rcv_srr(skb, skb->dev))
		return NFIPSEC_DROP_MALFORMED;
	return __NFIPSEC_DROP_MAX;
}

/*
 * The decrypted packet's direction comes from routing it, as the stack
 * will: delivered here (in) or forwarded (fwd). Transport mode keeps the
 * route of the outer header, which has the same addresses, as XFRM does.
 * A tunnel mode inner packet is routed again after PRE_ROUTING, as ip_rcv
 * would, so that marks and DNAT set there count; its options are parsed
 * here, against this route (ip_rcv_options).
 */
static enum nfipsec_drop nfipsec_in_route(struct sk_buff *skb, u8 *dir)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_valid_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev))
		return NFIPSEC_DROP_NO_ROUTE;
	*dir = skb_rtable(skb)->rt_flags & RTCF_LOCAL ? NFIPSEC_DIR_IN :
							NFIPSEC_DIR_FWD;
	return __NFIPSEC_DROP_MAX;
}

/*
 * Decrypted (or failed): consumes @skb and the reference on its SA.
 * Returns true if the packet went on to the re-injection queue, which
 * then holds the device reference too.
 */
static bool __nfipsec_input_done(struct sk_buff *skb, int err)
{
	struct nfipsec_sa *sa = NFIPSEC_CB(skb)->sa;
	u64 seq = NFIPSEC_CB(skb)->seq;
	unsigned int depth = nfipsec_depth(skb) + 1;
	enum nfipsec_replay_verdict v;
	enum nfipsec_drop reason;
	unsigned int ihl, hlen, plen;
	u8 nexthdr, tos, dir;
	int ret;
	struct iphdr *iph;

	if (err) {
		nfipsec_in_drop(sa, skb, err == -EBADMSG ? NFIPSEC_DROP_AUTH :
				err == -ENOMEM ? NFIPSEC_DROP_NOMEM :
				NFIPSEC_DROP_CRYPTO);
		return false;
	}
	spin_lock(&sa->lock);
	v = nfipsec_replay_advance(&sa->replay, seq);
	spin_unlock(&sa->lock);
	if (v != NFIPSEC_REPLAY_OK) {
		nfipsec_in_drop(sa, skb, nfipsec_replay_drop(v));
		return false;
	}

	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	tos = iph->tos;
	hlen = ihl + sizeof(struct ip_esp_hdr) + sa->ivlen;
	ret = nfipsec_esp_trailer(skb->data + hlen, skb->len - hlen - sa->icvlen,
				  &nexthdr);
	if (ret < 0) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_BAD_PADDING);
		return false;
	}
	plen = ret;
	if (nexthdr == IPPROTO_NONE) {
		/* A dummy packet (RFC 4303 2.6): drop it quietly. */
		consume_skb(skb);
		nfipsec_sa_put(sa);
		return false;
	}
	if (sa->mode == NFIPSEC_MODE_TUNNEL && nexthdr != IPPROTO_IPIP) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_BAD_NEXTHDR);
		return false;
	}

	if (sa->mode == NFIPSEC_MODE_TUNNEL) {
		__skb_pull(skb, hlen);
		__skb_trim(skb, plen);
		skb_reset_network_header(skb);
		skb->protocol = htons(ETH_P_IP);
		if (!nfipsec_inner_ok(skb)) {
			nfipsec_in_drop(sa, skb, NFIPSEC_DROP_MALFORMED);
			return false;
		}
		iph = ip_hdr(skb);
		__skb_trim(skb, ntohs(iph->tot_len));	/* TFC padding */
		if (INET_ECN_decapsulate(skb, tos, iph->tos) > 1) {
			nfipsec_in_drop(sa, skb, NFIPSEC_DROP_MALFORMED);
			return false;
		}
		nfipsec_inner_cb(skb);
		skb_dst_drop(skb);
	} else {
		/* The same header, moved: its control block (input
		 * interface, parsed options) stays valid, as in XFRM.
		 */
		memmove(skb->data + hlen - ihl, skb->data, ihl);
		__skb_pull(skb, hlen - ihl);
		__skb_trim(skb, ihl + plen);
		skb_reset_network_header(skb);
		iph = ip_hdr(skb);
		iph->protocol = nexthdr;
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	}
	skb_set_transport_header(skb, ip_hdrlen(skb));
	skb->ip_summed = CHECKSUM_NONE;
	nf_reset_ct(skb);

	reason = nfipsec_in_route(skb, &dir);
	if (reason == __NFIPSEC_DROP_MAX && sa->mode == NFIPSEC_MODE_TUNNEL &&
	    ip_hdr(skb)->ihl > 5)
		reason = nfipsec_inner_opts(skb);
	if (reason == __NFIPSEC_DROP_MAX)
		reason = nfipsec_in_policy(sa, skb, dir);
	if (reason != __NFIPSEC_DROP_MAX) {
		nfipsec_in_drop(sa, skb, reason);
		return false;
	}
	/* Routed again after PRE_ROUTING; a source route chose its hop. */
	if (sa->mode == NFIPSEC_MODE_TUNNEL && !IPCB(skb)->opt.srr)
		skb_dst_drop(skb);
	/* Counted once it passed every check: what is delivered. */
	if (!nfipsec_sa_account(sa, plen, false)) {
		kfree_skb(skb);
		nfipsec_sa_put(sa);
		return false;
	}
	nfipsec_mark_decrypted(skb, depth);
	if (!nfipsec_reinject(sa->nn, skb)) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_BACKLOG);
		return false;
	}
	nfipsec_sa_put(sa);
	return true;
}

void nfipsec_input_done(struct sk_buff *skb, int err)
{
	struct net_device *dev = skb->dev;	/* held across the crypto */

	if (!__nfipsec_input_done(skb, err))
		dev_put(dev);
}

static void nfipsec_input(struct nfipsec_sa *sa, struct sk_buff *skb)
{
	unsigned int ihl, len, elen;
	enum nfipsec_replay_verdict v;
	struct ip_esp_hdr *esph;
	u64 seq;

	if (READ_ONCE(sa->state) == NFIPSEC_SA_STATE_DEAD) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_EXPIRED);
		return;
	}
	/* A layer inside a packet that went through NFIPSEC_MAX_DEPTH. */
	if (nfipsec_depth(skb) >= NFIPSEC_MAX_DEPTH) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_NESTING);
		return;
	}
	if (skb_linearize_cow(skb)) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_NOMEM);
		return;
	}
	ihl = ip_hdrlen(skb);
	len = skb->len - ihl;
	/* Header, IV, at least pad length and next header, ICV. */
	if (len < sizeof(*esph) + sa->ivlen + 2 + sa->icvlen) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_MALFORMED);
		return;
	}
	elen = len - sizeof(*esph) - sa->ivlen - sa->icvlen;
	if (elen % sa->blksize) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_MALFORMED);
		return;
	}
	skb_set_transport_header(skb, ihl);
	esph = (struct ip_esp_hdr *)skb_transport_header(skb);

	spin_lock(&sa->lock);
	seq = ntohl(esph->seq_no);
	if (sa->flags & NFIPSEC_SA_F_ESN)
		seq = nfipsec_replay_esn_seq(&sa->replay, seq);
	v = nfipsec_replay_check(&sa->replay, seq);
	spin_unlock(&sa->lock);
	if (v != NFIPSEC_REPLAY_OK) {
		nfipsec_in_drop(sa, skb, nfipsec_replay_drop(v));
		return;
	}
	/*
	 * The crypto may complete after this RCU section: transport mode
	 * keeps its route referenced, tunnel mode is routed anew after.
	 */
	if (sa->mode == NFIPSEC_MODE_TUNNEL) {
		skb_dst_drop(skb);
	} else if (!skb_dst_force(skb)) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_NO_ROUTE);
		return;
	}
	NFIPSEC_CB(skb)->sa = sa;
	NFIPSEC_CB(skb)->seq = seq;
	dev_hold(skb->dev);
	nfipsec_esp_input(sa, skb, seq);
}

/* ESP for one of our SAs: stolen and decrypted. */
static unsigned int nfipsec_in_esp(struct nfipsec_net *nn, struct sk_buff *skb)
{
	const struct ip_esp_hdr *esph;
	struct nfipsec_sa_id id;
	struct nfipsec_sa *sa;
	unsigned int ihl, verdict;

	ihl = ip_hdrlen(skb);
	if (!pskb_may_pull(skb, ihl + sizeof(*esph))) {
		nfipsec_drop_count(nn, NFIPSEC_DROP_MALFORMED);
		return NF_DROP;
	}
	esph = (const struct ip_esp_hdr *)(skb->data + ihl);
	memset(&id, 0, sizeof(id));
	id.daddr.a4 = ip_hdr(skb)->daddr;
	id.spi = esph->spi;
	id.family = AF_INET;
	id.proto = IPPROTO_ESP;
	sa = nfipsec_sad_lookup(nn, &id);
	if (!sa || !nfipsec_sa_get(sa)) {
		/* Not ours: the kernel's own IPsec may know it. */
		nfipsec_drop_count(nn, NFIPSEC_DROP_NO_SA);
		return NF_ACCEPT;
	}
	/* The ESP flow, as known to conntrack after all of LOCAL_IN. */
	verdict = nfipsec_ct_confirm(skb);
	if (verdict != NF_ACCEPT) {
		nfipsec_sa_put(sa);
		return verdict;
	}
	nfipsec_input(sa, skb);
	return NF_STOLEN;
}

/*
 * Cleartext (RFC 4301 5.2): what a @dir policy says must arrive
 * protected, or not at all, is dropped. Decrypted packets were checked
 * against the policy for their SA before they re-entered the stack; ESP
 * is ciphertext, here or forwarded.
 */
static unsigned int nfipsec_in_check(struct nfipsec_net *nn,
				     struct sk_buff *skb, u8 dir)
{
	struct nfipsec_policy *pol;
	struct nfipsec_flow flow;

	if (!READ_ONCE(nn->spd.count[dir]) || nfipsec_decrypted(skb) ||
	    ip_hdr(skb)->protocol == IPPROTO_ESP)
		return NF_ACCEPT;
	nfipsec_flow4(skb, &flow);
	nfipsec_ct_wire_flow(skb, &flow);
	pol = nfipsec_spd_lookup(nn, dir, &flow);
	if (!pol || pol->action == NFIPSEC_ACTION_ALLOW)
		return NF_ACCEPT;
	nfipsec_drop_count(nn, pol->action == NFIPSEC_ACTION_BLOCK ?
			   NFIPSEC_DROP_POLICY_BLOCK : NFIPSEC_DROP_PLAINTEXT);
	return NF_DROP;
}

/* LOCAL_IN: routed to this host and reassembled. */
unsigned int nfipsec_in_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct nfipsec_net *nn = priv;
	unsigned int verdict;

	/*
	 * Softirq as a rule, but a packet an NFQUEUE verdict re-injects runs
	 * the rest of LOCAL_IN in the verdict's process context.
	 */
	local_bh_disable();
	if (ip_hdr(skb)->protocol == IPPROTO_ESP && READ_ONCE(nn->sad.count)) {
		verdict = nfipsec_in_esp(nn, skb);
	} else {
		verdict = nfipsec_in_check(nn, skb, NFIPSEC_DIR_IN);
		/* ICMP about ESP we sent, if the policy lets it in (pmtu.c). */
		if (verdict == NF_ACCEPT)
			nfipsec_pmtu_input(nn, skb);
	}
	local_bh_enable();
	return verdict;
}

/* FORWARD: routed through this host. Bridged frames are not routed. */
unsigned int nfipsec_fwd_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	if (nfipsec_bridged(skb))
		return NF_ACCEPT;
	return nfipsec_in_check(priv, skb, NFIPSEC_DIR_FWD);
}
