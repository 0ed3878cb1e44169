/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `ip xfrm` argument grammar. Pure functions: no I/O, no netlink, no
 * global state. On error they return -1 and leave a message that quotes
 * the offending token in err.
 */
#ifndef IPSECCTL_PARSE_H
#define IPSECCTL_PARSE_H

#include "ipsecctl.h"

#define ERRLEN 1024
#define ADDRSTRLEN 64

enum alg_kind { ALG_AEAD, ALG_ENC, ALG_AUTH };

struct alg_desc {
	const char *name;	/* kernel crypto name */
	const char *alias;	/* short name accepted by ip xfrm, or NULL */
	enum alg_kind kind;
	uint8_t key_lens[4];	/* valid key lengths in bytes, 0-terminated;
				 * empty: any length > 0 */
	const char *key_lens_text;
	unsigned int digest_bits;	/* auth: upper bound for truncation */
	const char *transform;	/* name in the show view */
	unsigned int iv_bytes;
};

const struct alg_desc *alg_lookup(const char *name, enum alg_kind kind);
const struct alg_desc *alg_by_name(const char *kernel_name);

int parse_sa(enum op op, int argc, char **argv, struct sa *sa, char *err);
int parse_policy(enum op op, int argc, char **argv, struct policy *pol,
		 char *err);

/* formatting helpers shared by the printers */
const char *addr_fmt(const struct addr *a, char *buf);
const char *proto_name(uint8_t proto);	/* NULL if not known */
const char *enum_name(const char *const *names, size_t n, unsigned int v);
bool ports_allowed(uint8_t proto);

extern const char *const mode_names[__NFIPSEC_MODE_MAX];
extern const char *const df_names[__NFIPSEC_DF_MAX];
extern const char *const dir_names[__NFIPSEC_DIR_MAX];
extern const char *const action_names[__NFIPSEC_ACTION_MAX];
extern const char *const state_names[3];

#define ENUM_NAME(tbl, v) enum_name(tbl, ARRAY_SIZE(tbl), v)

#endif
