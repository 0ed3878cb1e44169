/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family (netlink.c).
 */
#ifndef _NFIPSEC_NETLINK_H
#define _NFIPSEC_NETLINK_H

/* netlink.c APIs: */
int nfipsec_genl_init(void);
void nfipsec_genl_exit(void);

#endif /* _NFIPSEC_NETLINK_H */
