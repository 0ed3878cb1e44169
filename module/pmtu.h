/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer path MTU of outbound SAs (pmtu.c), kept on the SA apart from
 * the route, which carries the inner limit.
 */
#ifndef _NFIPSEC_PMTU_H
#define _NFIPSEC_PMTU_H

#include <linux/types.h>

struct dst_entry;
struct nfipsec_sa;

/* pmtu.c APIs: */
u32 nfipsec_pmtu_get(struct nfipsec_sa *sa, const struct dst_entry *dst);

#endif /* _NFIPSEC_PMTU_H */
