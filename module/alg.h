/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The algorithms an SA may use, and their parameter checks (alg.c).
 */
#ifndef _NFIPSEC_ALG_H
#define _NFIPSEC_ALG_H

#include <linux/netlink.h>

struct nfipsec_sa_cfg;

/* What the crypto API is asked for, once the parameters passed. */
struct nfipsec_alg_plan {
	const char *tfm;	/* e.g. "seqiv(rfc4106(gcm(aes)))" */
	const char *auth;	/* authenc: the hash, else NULL */
	const char *pcrypt;	/* the suite that tfm runs through pcrypt */
	u32 icv_bytes;		/* ICV or truncated MAC */
};

/* alg.c APIs: */
int nfipsec_alg_check(const struct nfipsec_sa_cfg *cfg,
		      struct nfipsec_alg_plan *plan,
		      struct netlink_ext_ack *extack);

#endif /* _NFIPSEC_ALG_H */
