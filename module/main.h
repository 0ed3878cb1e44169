/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module wide state (main.c).
 */
#ifndef _NFIPSEC_MAIN_H
#define _NFIPSEC_MAIN_H

#include <linux/workqueue.h>

/* Expiry and deferred frees; drained at namespace and module exit. */
extern struct workqueue_struct *nfipsec_wq;

/* Packets inside the crypto API; module exit waits for them. */
void nfipsec_inflight_get(void);
void nfipsec_inflight_put(void);

#endif /* _NFIPSEC_MAIN_H */
