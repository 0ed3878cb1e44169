// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hook registration per namespace, and what the hooks share:
 * the selector view of a packet and the inbound direction (in or fwd).
 */
#include <linux/icmp.h>
#include <linux/netdevice.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <net/route.h>

#include "esp.h"

static const struct nf_hook_ops nfipsec_hook_ops[] = {
	{
		/* After the filter table, so firewall rules see the ESP;
		 * after reassembly and the routing decision.
		 */
		.hook = nfipsec_in_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_FILTER + 1,
	},
	{
		/* Cleartext a dir fwd policy refuses. */
		.hook = nfipsec_fwd_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER + 1,
	},
	{
		/* Before SNAT: protected flows are not masqueraded. */
		.hook = nfipsec_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_NAT_SRC - 1,
	},
};

#define NFIPSEC_NHOOKS ARRAY_SIZE(nfipsec_hook_ops)

/*
 * The selector view of the IPv4 header @iph whose payload starts at @off
 * in @skb: a packet's own, or one that an ICMP error quotes. As in XFRM,
 * fragments offer no ports; ICMP offers type and code.
 */
void nfipsec_flow4_hdr(const struct sk_buff *skb, const struct iphdr *iph,
		       unsigned int off, struct nfipsec_flow *flow)
{
	__be16 _ports[2];
	const __be16 *ports;
	u8 _icmp[2];
	const u8 *icmp;

	memset(flow, 0, sizeof(*flow));
	flow->family = AF_INET;
	flow->src.a4 = iph->saddr;
	flow->dst.a4 = iph->daddr;
	flow->proto = iph->protocol;
	if (ip_is_fragment(iph))
		return;
	switch (iph->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
		if (ports) {
			flow->sport = ntohs(ports[0]);
			flow->dport = ntohs(ports[1]);
		}
		break;
	case IPPROTO_ICMP:
		icmp = skb_header_pointer(skb, off, sizeof(_icmp), _icmp);
		if (icmp) {
			flow->sport = icmp[0];
			flow->dport = icmp[1];
		}
		break;
	}
}

/* The selector view of an IPv4 packet whose data starts at the IP header. */
void nfipsec_flow4(const struct sk_buff *skb, struct nfipsec_flow *flow)
{
	const struct iphdr *iph = ip_hdr(skb);

	nfipsec_flow4_hdr(skb, iph, skb_network_offset(skb) + iph->ihl * 4,
			  flow);
}

/*
 * br_netfilter runs the IPv4 hooks on bridged frames too: their device
 * is a bridge port, their control block the bridge's, and they are not
 * routed, so no policy of ours applies to them (nor would XFRM's).
 */
bool nfipsec_bridged(const struct sk_buff *skb)
{
	/*
	 * The extension, not the device alone: a frame a bridge port passes
	 * up (link-local addresses) is routed on the port itself.
	 */
	return nf_bridge_info_exists(skb) && skb->dev &&
	       netif_is_bridge_port(skb->dev);
}

/* Registered on the first SA or policy; caller holds nn->lock. */
int nfipsec_hooks_register(struct nfipsec_net *nn)
{
	unsigned int i;
	int err;

	lockdep_assert_held(&nn->lock);
	if (nn->hooks)
		return 0;
	for (i = 0; i < NFIPSEC_NHOOKS; i++) {
		nn->ops[i] = nfipsec_hook_ops[i];
		nn->ops[i].priv = nn;
	}
	err = nf_register_net_hooks(nn->net, nn->ops, NFIPSEC_NHOOKS);
	if (!err)
		nn->hooks = true;
	return err;
}

void nfipsec_hooks_unregister(struct nfipsec_net *nn)
{
	if (nn->hooks)
		nf_unregister_net_hooks(nn->net, nn->ops, NFIPSEC_NHOOKS);
	nn->hooks = false;
}
