// SPDX-License-Identifier: GPL-2.0
/*
 * The packet an ICMP error quotes. An error carries the header of the
 * packet that caused it (RFC 792; RFC 4443 2.4 for ICMPv6): that packet's
 * flow, reversed, is the flow the error belongs to (RFC 4301 6.2), as
 * XFRM's xfrm_decode_session_reverse() reads it.
 */
#include <linux/icmp.h>

#include "esp.h"
#include "quote.h"

/* Is the packet whose selector view is @flow an ICMP error message? */
bool nfipsec_quote_is_error(const struct nfipsec_flow *flow)
{
	switch (flow->family) {
	case AF_INET:
		/* Type is in sport; a fragment offers none (0, echo reply). */
		return flow->proto == IPPROTO_ICMP && icmp_is_err(flow->sport);
	}
	return false;
}

static bool nfipsec_quote4(const struct sk_buff *skb,
			   struct nfipsec_flow *flow)
{
	unsigned int off = skb_network_offset(skb) + ip_hdrlen(skb) +
			   sizeof(struct icmphdr);
	const struct iphdr *q;
	struct iphdr _q;

	q = skb_header_pointer(skb, off, sizeof(_q), &_q);
	if (!q || q->version != 4 || q->ihl < 5)
		return false;
	/* Ports the error does not carry in full stay 0, as in XFRM. */
	nfipsec_flow4_hdr(skb, q, off + q->ihl * 4, flow);
	return true;
}

/*
 * If @skb, whose selector view is @flow (nfipsec_flow4()), is an ICMP
 * error quoting a header it carries, the flow of the quoted packet,
 * reversed, in @rev: addresses and ports swapped, ICMP type and code kept.
 * The network header of @skb is the error's IP header.
 */
bool nfipsec_quote_flow(const struct sk_buff *skb,
			const struct nfipsec_flow *flow,
			struct nfipsec_flow *rev)
{
	struct nfipsec_flow q;

	if (!nfipsec_quote_is_error(flow))
		return false;
	switch (flow->family) {
	case AF_INET:
		if (!nfipsec_quote4(skb, &q))
			return false;
		break;
	default:
		return false;
	}
	memset(rev, 0, sizeof(*rev));
	rev->family = q.family;
	rev->proto = q.proto;
	rev->src = q.dst;
	rev->dst = q.src;
	if (q.proto == IPPROTO_ICMP || q.proto == IPPROTO_ICMPV6) {
		rev->sport = q.sport;
		rev->dport = q.dport;
	} else {
		rev->sport = q.dport;
		rev->dport = q.sport;
	}
	return true;
}
