/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP transforms (esp.c) and the datapath halves they hand back to.
 */
#ifndef _NFIPSEC_ESP_H
#define _NFIPSEC_ESP_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

#include "nfipsec.h"
#include "pmtu.h"

struct nfipsec_sa;

/* esp.c APIs: */
void nfipsec_esp_output(struct nfipsec_sa *sa, struct sk_buff *skb, u64 seq,
			bool df, unsigned int hroom);
void nfipsec_esp_input(struct nfipsec_sa *sa, struct sk_buff *skb, u64 seq);
int nfipsec_esp_trailer(const u8 *data, unsigned int len, u8 *nexthdr);

/* output.c APIs: */
void nfipsec_output_done(struct sk_buff *skb, int err);
void nfipsec_output_resume(struct work_struct *work);
unsigned int nfipsec_out_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state);

/* input.c APIs: */
void nfipsec_input_done(struct sk_buff *skb, int err);
unsigned int nfipsec_in_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);
unsigned int nfipsec_fwd_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state);

/* hooks.c APIs: */
void nfipsec_flow4_hdr(const struct sk_buff *skb, const struct iphdr *iph,
		       unsigned int off, struct nfipsec_flow *flow);
void nfipsec_flow4(const struct sk_buff *skb, struct nfipsec_flow *flow);
bool nfipsec_bridged(const struct sk_buff *skb);
int nfipsec_hooks_register(struct nfipsec_net *nn);
void nfipsec_hooks_unregister(struct nfipsec_net *nn);

#endif /* _NFIPSEC_ESP_H */
