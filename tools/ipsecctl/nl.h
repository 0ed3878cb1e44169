/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink socket of the nfipsec family. */
#ifndef IPSECCTL_NL_H
#define IPSECCTL_NL_H

#include <libmnl/libmnl.h>

#include "ipsecctl.h"

/* NULL on error (already reported on stderr) */
struct nl *nl_open(void);
void nl_close(struct nl *nl);

/*
 * Send req (its nlmsg_type is set to the family id here) and collect the
 * replies into out (may be NULL). With NLM_F_DUMP in req the dump is
 * repeated when the kernel flags it NLM_F_DUMP_INTR. A kernel extended
 * ACK message is printed as "ipsecctl: kernel: <msg>". Returns 0, or -1
 * with errno set.
 */
int nl_transact(struct nl *nl, struct nlmsghdr *req, struct msgs *out);

#endif
