// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack of the packets nfipsec takes over.
 *
 * XFRM encrypts an inner packet after it passed all of POST_ROUTING, and
 * decrypts an ESP packet after it passed all of LOCAL_IN: conntrack has
 * confirmed both entries. Our hooks take packets earlier: outbound before
 * SNAT, so that protected flows are not masqueraded, inbound after the
 * filter table. A new entry left unconfirmed dies with the packet
 * (nf_reset_ct() frees it), one allocated and freed per packet, and the
 * flow is never known: the answer to a SYN is INVALID to a stateful
 * firewall, and a DNAT binding is lost with the entry. So the entry is
 * confirmed, as the confirm hook would have done, before the packet is
 * taken.
 *
 * Through nf_ct_hook, as br_netfilter does, not nf_conntrack_confirm():
 * that would make nf_conntrack.ko a dependency of ours, loaded with its
 * hooks where nobody tracks connections. A packet carries an entry only
 * while nf_conntrack is loaded.
 *
 * What that means:
 * - NAT: the outbound entry is confirmed before the SRC manip is set up,
 *   and nf_nat_setup_info() leaves a confirmed entry alone, so no packet
 *   of a protected flow is ever source NATed (the flow keeps the address
 *   its policy selected); DNAT, done in PRE_ROUTING, is bound in the
 *   entry, and its replies are un-DNATed at POST_ROUTING as usual.
 * - Helpers and sequence adjustment (nf_confirm()) do not see the packets
 *   we take, as before; events cached on a new entry are delivered with
 *   the next packet of the flow that reaches the confirm hook.
 */
#include "conntrack.h"

/* The slow path of nfipsec_ct_confirm(): a new entry. Called under RCU. */
unsigned int __nfipsec_ct_confirm(struct sk_buff *skb)
{
	const struct nf_ct_hook *ct_hook = rcu_dereference(nf_ct_hook);

	if (unlikely(!ct_hook)) {
		/* nf_conntrack is going away: nothing to keep. */
		nf_reset_ct(skb);
		return NF_ACCEPT;
	}
	return ct_hook->confirm(skb);
}

static void nfipsec_ct_addr(union nfipsec_addr *to, u16 family,
			    const union nf_inet_addr *from)
{
	if (family == AF_INET)
		to->a4 = from->ip;
	else
		to->a6 = from->in6;
}

/*
 * @flow (of @skb, after PRE_ROUTING) as it was on the wire, before NAT
 * rewrote it here: inbound policies match that flow, as XFRM's do
 * (nf_nat_decode_session()). A DNAT port-forward does not make cleartext
 * to a protected address and port acceptable. Called under RCU.
 */
void nfipsec_ct_wire_flow(const struct sk_buff *skb,
			  struct nfipsec_flow *flow)
{
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	const struct nf_conn *ct;
	unsigned long bit;
	bool ports;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || !(READ_ONCE(ct->status) & IPS_NAT_MASK) ||
	    nf_ct_l3num(ct) != flow->family)
		return;
	dir = CTINFO2DIR(ctinfo);
	t = &ct->tuplehash[dir].tuple;
	ports = nfipsec_proto_ports(t->dst.protonum) &&
		t->dst.protonum == flow->proto;
	/* the manip of this direction's destination, then its source */
	bit = dir == IP_CT_DIR_ORIGINAL ? IPS_DST_NAT : IPS_SRC_NAT;
	if (ct->status & bit) {
		nfipsec_ct_addr(&flow->dst, flow->family, &t->dst.u3);
		if (ports)
			flow->dport = ntohs(t->dst.u.all);
	}
	bit ^= IPS_NAT_MASK;
	if (ct->status & bit) {
		nfipsec_ct_addr(&flow->src, flow->family, &t->src.u3);
		if (ports)
			flow->sport = ntohs(t->src.u.all);
	}
}
