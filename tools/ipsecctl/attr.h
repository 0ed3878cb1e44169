/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink attribute helpers: the canonical text form of an nfipsec
 * message (dumped by -n, read back as test fixtures), checked getters and
 * the selector codec shared by SAs and policies.
 */
#ifndef IPSECCTL_ATTR_H
#define IPSECCTL_ATTR_H

#include <libmnl/libmnl.h>

#include "ipsecctl.h"

void attr_dump(FILE *f, const struct nlmsghdr *nlh);
int fixture_load(const char *path, struct msgs *out, time_t *now,
		 char *err);

/* tb[] of a message (after the genl header) or of a nest */
void tb_msg(const struct nlmsghdr *nlh, const struct nlattr **tb,
	    unsigned int max);
void tb_nest(const struct nlattr *nest, const struct nlattr **tb,
	     unsigned int max);
/* tb[] of the top level nest type of a message; false if it has none */
bool tb_msg_nest(const struct nlmsghdr *nlh, unsigned int type,
		 const struct nlattr **tb, unsigned int max);

/* false if absent or of the wrong length (a nest: if absent) */
bool get_u8(const struct nlattr *a, uint8_t *v);
bool get_u16(const struct nlattr *a, uint16_t *v);
bool get_u32(const struct nlattr *a, uint32_t *v);
bool get_u64(const struct nlattr *a, uint64_t *v);
bool get_addr(const struct nlattr *a, uint16_t family, struct addr *ad);
bool get_str(const struct nlattr *a, char *buf, size_t len);

void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct addr *ad);
void put_sel(struct nlmsghdr *nlh, uint16_t type, const struct sel *sel);
bool get_sel(const struct nlattr *nest, struct sel *sel);
/* nested NFIPSEC_STAT_BASE + reason counters */
void get_reasons(const struct nlattr *nest, struct counters *c);

#endif
