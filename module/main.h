/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module wide state (main.c).
 */
#ifndef _NFIPSEC_MAIN_H
#define _NFIPSEC_MAIN_H

#include <linux/workqueue.h>

/* Expiry and deferred frees; drained at namespace and module exit. */
extern struct workqueue_struct *nfipsec_wq;

struct nfipsec_net;

/* Packets in the crypto API or queued to re-enter the stack; namespace
 * exit waits for them.
 */
void nfipsec_inflight_get(struct nfipsec_net *nn);
void nfipsec_inflight_put(struct nfipsec_net *nn);

#endif /* _NFIPSEC_MAIN_H */
