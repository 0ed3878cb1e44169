// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound: the LOCAL_IN hook takes ESP whose SPI is in this namespace's SAD
 * (other ESP is left to the stack), checks the replay window, decrypts,
 * advances the window, removes the ESP framing, checks the inbound policy
 * (RFC 4301 5.2) and sends the inner packet through PRE_ROUTING again.
 * The PRE_ROUTING hook refuses cleartext that an inbound policy says must
 * arrive protected.
 */
#include <net/inet_ecn.h>
#include <net/dst_metadata.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "esp.h"
#include "sa.h"
#include "spd.h"

static void nfipsec_in_drop(struct nfipsec_sa *sa, struct sk_buff *skb,
			    enum nfipsec_drop reason)
{
	nfipsec_sa_error(sa, reason);
	kfree_skb(skb);
	nfipsec_sa_put(sa);
}

/* The okfn of the reinjected packet; also how our PRE_ROUTING hook knows. */
static int nfipsec_rcv_finish(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	int ret = NET_RX_DROP;

	rcu_read_lock();
	if (!skb_valid_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev)) {
		kfree_skb(skb);
		goto out;
	}
	ret = dst_input(skb);
out:
	rcu_read_unlock();
	return ret;
}

/* RFC 4301 5.2: the decrypted packet must fit a policy naming its SA. */
static enum nfipsec_drop nfipsec_in_policy(struct nfipsec_sa *sa,
					   struct sk_buff *skb)
{
	struct nfipsec_policy *pol;
	struct nfipsec_flow flow;

	nfipsec_flow4(skb, &flow);
	if (sa->has_sel && !nfipsec_sel_match(&sa->sel, &flow))
		return NFIPSEC_DROP_POLICY_MISMATCH;
	rcu_read_lock();
	pol = nfipsec_spd_lookup(sa->nn, nfipsec_in_dir(skb), &flow);
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

static void __nfipsec_input_done(struct sk_buff *skb, int err)
{
	struct nfipsec_sa *sa = NFIPSEC_CB(skb)->sa;
	u64 seq = NFIPSEC_CB(skb)->seq;
	enum nfipsec_replay_verdict v;
	enum nfipsec_drop reason;
	unsigned int ihl, hlen, plen;
	u8 nexthdr, tos;
	int ret;
	struct iphdr *iph;

	if (err) {
		nfipsec_in_drop(sa, skb, err == -EBADMSG ? NFIPSEC_DROP_AUTH :
				err == -ENOMEM ? NFIPSEC_DROP_NOMEM :
				NFIPSEC_DROP_CRYPTO);
		return;
	}
	spin_lock(&sa->lock);
	v = nfipsec_replay_advance(&sa->replay, seq);
	spin_unlock(&sa->lock);
	if (v != NFIPSEC_REPLAY_OK) {
		nfipsec_in_drop(sa, skb, v == NFIPSEC_REPLAY_DUP ?
				NFIPSEC_DROP_REPLAY : NFIPSEC_DROP_TOO_OLD);
		return;
	}

	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	tos = iph->tos;
	hlen = ihl + sizeof(struct ip_esp_hdr) + sa->ivlen;
	ret = nfipsec_esp_trailer(skb->data + hlen, skb->len - hlen - sa->icvlen,
				  &nexthdr);
	if (ret < 0) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_BAD_PADDING);
		return;
	}
	plen = ret;
	if (nexthdr == IPPROTO_NONE) {
		/* A dummy packet (RFC 4303 2.6): drop it quietly. */
		consume_skb(skb);
		nfipsec_sa_put(sa);
		return;
	}
	if (sa->mode == NFIPSEC_MODE_TUNNEL && nexthdr != IPPROTO_IPIP) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_BAD_NEXTHDR);
		return;
	}

	if (sa->mode == NFIPSEC_MODE_TUNNEL) {
		__skb_pull(skb, hlen);
		__skb_trim(skb, plen);
		skb_reset_network_header(skb);
		skb->protocol = htons(ETH_P_IP);
		if (!nfipsec_inner_ok(skb)) {
			nfipsec_in_drop(sa, skb, NFIPSEC_DROP_MALFORMED);
			return;
		}
		iph = ip_hdr(skb);
		__skb_trim(skb, ntohs(iph->tot_len));	/* TFC padding */
		if (INET_ECN_decapsulate(skb, tos, iph->tos) > 1) {
			nfipsec_in_drop(sa, skb, NFIPSEC_DROP_MALFORMED);
			return;
		}
		skb_dst_drop(skb);
	} else {
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
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	nf_reset_ct(skb);

	reason = nfipsec_in_policy(sa, skb);
	if (reason != __NFIPSEC_DROP_MAX) {
		nfipsec_in_drop(sa, skb, reason);
		return;
	}
	/* Counted once it passed every check: what is delivered. */
	if (!nfipsec_sa_account(sa, plen, false)) {
		kfree_skb(skb);
		nfipsec_sa_put(sa);
		return;
	}
	nfipsec_sa_put(sa);
	NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, dev_net(skb->dev), NULL,
		skb, skb->dev, NULL, nfipsec_rcv_finish);
}

void nfipsec_input_done(struct sk_buff *skb, int err)
{
	struct net_device *dev = skb->dev;	/* held across the crypto */

	__nfipsec_input_done(skb, err);
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
		nfipsec_in_drop(sa, skb, v == NFIPSEC_REPLAY_DUP ?
				NFIPSEC_DROP_REPLAY : NFIPSEC_DROP_TOO_OLD);
		return;
	}
	if (sa->mode == NFIPSEC_MODE_TRANSPORT && !skb_dst_force(skb)) {
		nfipsec_in_drop(sa, skb, NFIPSEC_DROP_NO_ROUTE);
		return;
	}
	NFIPSEC_CB(skb)->sa = sa;
	NFIPSEC_CB(skb)->seq = seq;
	dev_hold(skb->dev);
	nfipsec_esp_input(sa, skb, seq);
}

unsigned int nfipsec_in_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct nfipsec_net *nn = priv;
	const struct ip_esp_hdr *esph;
	struct nfipsec_sa_id id;
	struct nfipsec_sa *sa;
	unsigned int ihl;

	nfipsec_pmtu_input(nn, skb);
	if (ip_hdr(skb)->protocol != IPPROTO_ESP || !READ_ONCE(nn->sad.count))
		return NF_ACCEPT;
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
	nfipsec_input(sa, skb);
	return NF_STOLEN;
}

unsigned int nfipsec_pre_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct nfipsec_net *nn = priv;
	struct nfipsec_policy *pol;
	struct nfipsec_flow flow;
	u8 dir;

	if (state->okfn == nfipsec_rcv_finish)
		return NF_ACCEPT;	/* decrypted and checked already */
	if (!READ_ONCE(nn->spd.count[NFIPSEC_DIR_IN]) &&
	    !READ_ONCE(nn->spd.count[NFIPSEC_DIR_FWD]))
		return NF_ACCEPT;
	if (ip_hdr(skb)->protocol == IPPROTO_ESP)
		return NF_ACCEPT;	/* ciphertext: LOCAL_IN or forwarded */
	dir = nfipsec_in_dir(skb);
	if (!READ_ONCE(nn->spd.count[dir]))
		return NF_ACCEPT;
	nfipsec_flow4(skb, &flow);
	pol = nfipsec_spd_lookup(nn, dir, &flow);
	if (!pol || pol->action == NFIPSEC_ACTION_ALLOW)
		return NF_ACCEPT;
	nfipsec_drop_count(nn, pol->action == NFIPSEC_ACTION_BLOCK ?
			   NFIPSEC_DROP_POLICY_BLOCK : NFIPSEC_DROP_PLAINTEXT);
	return NF_DROP;
}
