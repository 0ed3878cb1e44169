// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound ICMP errors (RFC 4301 6.2), as XFRM's icmp_route_lookup():
 * an error is first looked up as a flow of its own (proto icmp, type and
 * code). If no protect policy takes it, the flow of the packet it quotes,
 * reversed, is looked up; a policy found there decides the error only if
 * it carries NFIPSEC_POL_F_ICMP: protect sends it through that policy's
 * SA, block drops it, allow lets it pass. Otherwise the error's own
 * policy decides (a block policy for it suppresses it). As in XFRM, only
 * for errors the host generates: a forwarded error, whose quoted header
 * anyone can write, is looked up as the flow it is.
 *
 * Inbound, input.c does the counterpart for errors that came through an
 * SA with NFIPSEC_SA_F_ICMP.
 */
#include "icmp.h"
#include "quote.h"
#include "spd.h"

/*
 * Under RCU: the out policy that decides @skb, whose selector view is
 * @flow, or NULL. When the quoted flow's policy decides an ICMP error,
 * @flow becomes that flow: the SA is looked up for it.
 */
struct nfipsec_policy *nfipsec_icmp_out_lookup(struct nfipsec_net *nn,
					       const struct sk_buff *skb,
					       struct nfipsec_flow *flow)
{
	struct nfipsec_policy *pol, *qpol;
	struct nfipsec_flow rev;

	pol = nfipsec_spd_lookup(nn, NFIPSEC_DIR_OUT, flow);
	if (pol && pol->action == NFIPSEC_ACTION_PROTECT)
		return pol;
	if ((IPCB(skb)->flags & IPSKB_FORWARDED) ||
	    !nfipsec_quote_flow(skb, flow, &rev))
		return pol;
	qpol = nfipsec_spd_lookup(nn, NFIPSEC_DIR_OUT, &rev);
	if (!qpol || !(qpol->flags & NFIPSEC_POL_F_ICMP))
		return pol;
	*flow = rev;
	return qpol;
}
