/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet an ICMP error quotes (quote.c).
 */
#ifndef _NFIPSEC_QUOTE_H
#define _NFIPSEC_QUOTE_H

#include <linux/skbuff.h>

#include "nfipsec.h"

/* quote.c APIs: */
bool nfipsec_quote_is_error(const struct nfipsec_flow *flow);
bool __must_check nfipsec_quote_flow(const struct sk_buff *skb,
				     const struct nfipsec_flow *flow,
				     struct nfipsec_flow *rev);

#endif /* _NFIPSEC_QUOTE_H */
