// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "nfipsec": SA and policy configuration,
 * dumps and statistics. Attribute tree: uapi/linux/nfipsec.h. Keys are
 * accepted, never sent back. Every rejection names what it rejects.
 */
#include <linux/slab.h>
#include <linux/inetdevice.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "sa.h"
#include "spd.h"
#include "esp.h"

static struct genl_family nfipsec_genl_family;

static const struct nla_policy nfipsec_alg_policy[NFIPSEC_ALG_A_MAX + 1] = {
	[NFIPSEC_ALG_A_NAME] = { .type = NLA_NUL_STRING,
				 .len = NFIPSEC_ALG_NAME_MAX - 1 },
	[NFIPSEC_ALG_A_KEY] = { .type = NLA_BINARY, .len = NFIPSEC_KEY_MAX },
	[NFIPSEC_ALG_A_ICV_BITS] = { .type = NLA_U32 },
	[NFIPSEC_ALG_A_TRUNC_BITS] = { .type = NLA_U32 },
	[NFIPSEC_ALG_A_KEY_BITS] = { .type = NLA_REJECT,
				     .reject_message = "algorithm KEY_BITS is read only" },
};

static const struct nla_policy nfipsec_sel_policy[NFIPSEC_SEL_A_MAX + 1] = {
	[NFIPSEC_SEL_A_FAMILY] = { .type = NLA_U16 },
	[NFIPSEC_SEL_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[NFIPSEC_SEL_A_SRC_PLEN] = { .type = NLA_U8 },
	[NFIPSEC_SEL_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[NFIPSEC_SEL_A_DST_PLEN] = { .type = NLA_U8 },
	[NFIPSEC_SEL_A_PROTO] = { .type = NLA_U8 },
	[NFIPSEC_SEL_A_SPORT] = { .type = NLA_U16 },
	[NFIPSEC_SEL_A_DPORT] = { .type = NLA_U16 },
};

#define NFIPSEC_RO(what) { .type = NLA_REJECT, .reject_message = what " is read only" }

static const struct nla_policy nfipsec_life_policy[NFIPSEC_LIFE_A_MAX + 1] = {
	[NFIPSEC_LIFE_A_SOFT_SECS] = { .type = NLA_U64 },
	[NFIPSEC_LIFE_A_HARD_SECS] = { .type = NLA_U64 },
	[NFIPSEC_LIFE_A_SOFT_BYTES] = { .type = NLA_U64 },
	[NFIPSEC_LIFE_A_HARD_BYTES] = { .type = NLA_U64 },
	[NFIPSEC_LIFE_A_SOFT_PACKETS] = { .type = NLA_U64 },
	[NFIPSEC_LIFE_A_HARD_PACKETS] = { .type = NLA_U64 },
	[NFIPSEC_LIFE_A_ADD_TIME] = NFIPSEC_RO("lifetime ADD_TIME"),
	[NFIPSEC_LIFE_A_USE_TIME] = NFIPSEC_RO("lifetime USE_TIME"),
	[NFIPSEC_LIFE_A_BYTES] = NFIPSEC_RO("lifetime BYTES"),
	[NFIPSEC_LIFE_A_PACKETS] = NFIPSEC_RO("lifetime PACKETS"),
};

static const struct nla_policy nfipsec_sa_policy[NFIPSEC_SA_A_MAX + 1] = {
	[NFIPSEC_SA_A_FAMILY] = { .type = NLA_U16 },
	[NFIPSEC_SA_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[NFIPSEC_SA_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[NFIPSEC_SA_A_PROTO] = { .type = NLA_U8 },
	[NFIPSEC_SA_A_SPI] = { .type = NLA_BE32 },
	[NFIPSEC_SA_A_REQID] = { .type = NLA_U32 },
	[NFIPSEC_SA_A_MODE] = { .type = NLA_U8 },
	[NFIPSEC_SA_A_FLAGS] = { .type = NLA_U32 },
	[NFIPSEC_SA_A_REPLAY_WINDOW] = { .type = NLA_U32 },
	[NFIPSEC_SA_A_DF] = { .type = NLA_U8 },
	[NFIPSEC_SA_A_ALG_AEAD] = NLA_POLICY_NESTED(nfipsec_alg_policy),
	[NFIPSEC_SA_A_ALG_ENC] = NLA_POLICY_NESTED(nfipsec_alg_policy),
	[NFIPSEC_SA_A_ALG_AUTH] = NLA_POLICY_NESTED(nfipsec_alg_policy),
	[NFIPSEC_SA_A_SEL] = NLA_POLICY_NESTED(nfipsec_sel_policy),
	[NFIPSEC_SA_A_LIFETIME] = NLA_POLICY_NESTED(nfipsec_life_policy),
	[NFIPSEC_SA_A_CURLIFE] = NFIPSEC_RO("SA CURLIFE"),
	[NFIPSEC_SA_A_STATS] = NFIPSEC_RO("SA STATS"),
	[NFIPSEC_SA_A_REPLAY] = NFIPSEC_RO("SA REPLAY"),
	[NFIPSEC_SA_A_OSEQ] = NFIPSEC_RO("SA OSEQ"),
	[NFIPSEC_SA_A_STATE] = NFIPSEC_RO("SA STATE"),
	[NFIPSEC_SA_A_OVERHEAD] = NFIPSEC_RO("SA OVERHEAD"),
	[NFIPSEC_SA_A_PMTU] = NFIPSEC_RO("SA PMTU"),
};

static const struct nla_policy nfipsec_tmpl_policy[NFIPSEC_TMPL_A_MAX + 1] = {
	[NFIPSEC_TMPL_A_FAMILY] = { .type = NLA_U16 },
	[NFIPSEC_TMPL_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[NFIPSEC_TMPL_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[NFIPSEC_TMPL_A_PROTO] = { .type = NLA_U8 },
	[NFIPSEC_TMPL_A_REQID] = { .type = NLA_U32 },
	[NFIPSEC_TMPL_A_MODE] = { .type = NLA_U8 },
};

static const struct nla_policy nfipsec_pol_policy[NFIPSEC_POL_A_MAX + 1] = {
	[NFIPSEC_POL_A_DIR] = { .type = NLA_U8 },
	[NFIPSEC_POL_A_SEL] = NLA_POLICY_NESTED(nfipsec_sel_policy),
	[NFIPSEC_POL_A_ACTION] = { .type = NLA_U8 },
	[NFIPSEC_POL_A_PRIORITY] = { .type = NLA_U32 },
	[NFIPSEC_POL_A_INDEX] = { .type = NLA_U32 },
	[NFIPSEC_POL_A_TMPL] = NLA_POLICY_NESTED(nfipsec_tmpl_policy),
	[NFIPSEC_POL_A_HITS] = NFIPSEC_RO("policy HITS"),
	[NFIPSEC_POL_A_FLAGS] = { .type = NLA_U32 },
};

static const struct nla_policy nfipsec_policy[NFIPSEC_A_MAX + 1] = {
	[NFIPSEC_A_SA] = NLA_POLICY_NESTED(nfipsec_sa_policy),
	[NFIPSEC_A_POLICY] = NLA_POLICY_NESTED(nfipsec_pol_policy),
	[NFIPSEC_A_STATS] = NFIPSEC_RO("STATS"),
	[NFIPSEC_A_INFO] = NFIPSEC_RO("INFO"),
};

/* Addresses: exactly 4 bytes for AF_INET; IPv6 is refused for now. */
static int nfipsec_nl_addr(const struct nlattr *attr, u16 family,
			   union nfipsec_addr *addr, const char *what_len,
			   struct netlink_ext_ack *extack)
{
	memset(addr, 0, sizeof(*addr));
	if (!attr)
		return 0;
	if (family != AF_INET || nla_len(attr) != sizeof(addr->a4)) {
		extack->_msg = what_len;
		extack->bad_attr = attr;
		return -EINVAL;
	}
	addr->a4 = nla_get_in_addr(attr);
	return 0;
}

static int nfipsec_nl_family(const struct nlattr *attr, u16 *family,
			     struct netlink_ext_ack *extack)
{
	if (!attr) {
		*family = AF_INET;
		return 0;
	}
	*family = nla_get_u16(attr);
	if (*family == AF_INET)
		return 0;
	if (*family == AF_INET6)
		NL_SET_ERR_MSG_ATTR(extack, attr, "FAMILY AF_INET6 is not supported yet");
	else
		NL_SET_ERR_MSG_ATTR(extack, attr, "FAMILY must be AF_INET");
	return -EAFNOSUPPORT;
}

static bool nfipsec_has_ports(u8 proto)
{
	return nfipsec_proto_ports(proto) || proto == IPPROTO_ICMP;
}

static int nfipsec_nl_sel(const struct nlattr *nest, u16 family,
			  struct nfipsec_sel *sel,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFIPSEC_SEL_A_MAX + 1];
	int err;

	memset(sel, 0, sizeof(*sel));
	err = nla_parse_nested(tb, NFIPSEC_SEL_A_MAX, nest, nfipsec_sel_policy,
			       extack);
	if (err)
		return err;
	err = nfipsec_nl_family(tb[NFIPSEC_SEL_A_FAMILY], &sel->family, extack);
	if (err)
		return err;
	if (sel->family != family) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "selector FAMILY differs from the outer family");
		return -EINVAL;
	}
	err = nfipsec_nl_addr(tb[NFIPSEC_SEL_A_SRC], family, &sel->src,
			      "selector SRC must be 4 bytes", extack);
	if (!err)
		err = nfipsec_nl_addr(tb[NFIPSEC_SEL_A_DST], family, &sel->dst,
				      "selector DST must be 4 bytes", extack);
	if (err)
		return err;
	if (tb[NFIPSEC_SEL_A_SRC_PLEN])
		sel->src_plen = nla_get_u8(tb[NFIPSEC_SEL_A_SRC_PLEN]);
	if (tb[NFIPSEC_SEL_A_DST_PLEN])
		sel->dst_plen = nla_get_u8(tb[NFIPSEC_SEL_A_DST_PLEN]);
	if (sel->src_plen > 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SEL_A_SRC_PLEN],
				    "selector SRC_PLEN must be at most 32");
		return -EINVAL;
	}
	if (sel->dst_plen > 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SEL_A_DST_PLEN],
				    "selector DST_PLEN must be at most 32");
		return -EINVAL;
	}
	/* Canonical form: host bits cleared, so keys compare as equal. */
	sel->src.a4 &= sel->src_plen ? inet_make_mask(sel->src_plen) : 0;
	sel->dst.a4 &= sel->dst_plen ? inet_make_mask(sel->dst_plen) : 0;
	if (tb[NFIPSEC_SEL_A_PROTO])
		sel->proto = nla_get_u8(tb[NFIPSEC_SEL_A_PROTO]);
	if (tb[NFIPSEC_SEL_A_SPORT])
		sel->sport = nla_get_u16(tb[NFIPSEC_SEL_A_SPORT]);
	if (tb[NFIPSEC_SEL_A_DPORT])
		sel->dport = nla_get_u16(tb[NFIPSEC_SEL_A_DPORT]);
	if ((sel->sport || sel->dport) && !nfipsec_has_ports(sel->proto)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SEL_A_SPORT] ?:
				    tb[NFIPSEC_SEL_A_DPORT],
				    "selector SPORT/DPORT need PROTO tcp, udp, sctp, dccp or icmp");
		return -EINVAL;
	}
	return 0;
}

static int nfipsec_nl_alg(const struct nlattr *nest, bool aead,
			  struct nfipsec_alg *alg, const u8 **key, u32 *keylen,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFIPSEC_ALG_A_MAX + 1];
	int err;

	memset(alg, 0, sizeof(*alg));
	err = nla_parse_nested(tb, NFIPSEC_ALG_A_MAX, nest, nfipsec_alg_policy,
			       extack);
	if (err)
		return err;
	if (!tb[NFIPSEC_ALG_A_NAME]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "algorithm NAME missing");
		return -EINVAL;
	}
	if (!tb[NFIPSEC_ALG_A_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "algorithm KEY missing");
		return -EINVAL;
	}
	nla_strscpy(alg->name, tb[NFIPSEC_ALG_A_NAME], sizeof(alg->name));
	*key = nla_data(tb[NFIPSEC_ALG_A_KEY]);
	*keylen = nla_len(tb[NFIPSEC_ALG_A_KEY]);
	if (aead) {
		if (!tb[NFIPSEC_ALG_A_ICV_BITS]) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "AEAD ICV_BITS missing");
			return -EINVAL;
		}
		alg->icv_bits = nla_get_u32(tb[NFIPSEC_ALG_A_ICV_BITS]);
	} else if (tb[NFIPSEC_ALG_A_TRUNC_BITS]) {
		alg->icv_bits = nla_get_u32(tb[NFIPSEC_ALG_A_TRUNC_BITS]);
	}
	return 0;
}

static int nfipsec_nl_life(const struct nlattr *nest,
			   struct nfipsec_lifetime *l,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFIPSEC_LIFE_A_MAX + 1];
	int err, i;

	memset(l, 0, sizeof(*l));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, NFIPSEC_LIFE_A_MAX, nest,
			       nfipsec_life_policy, extack);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		if (tb[NFIPSEC_LIFE_A_SOFT_SECS + i])
			l->secs[i] = nla_get_u64(tb[NFIPSEC_LIFE_A_SOFT_SECS + i]);
		if (tb[NFIPSEC_LIFE_A_SOFT_BYTES + i])
			l->bytes[i] = nla_get_u64(tb[NFIPSEC_LIFE_A_SOFT_BYTES + i]);
		if (tb[NFIPSEC_LIFE_A_SOFT_PACKETS + i])
			l->packets[i] = nla_get_u64(tb[NFIPSEC_LIFE_A_SOFT_PACKETS + i]);
	}
	if (l->secs[1] && l->secs[0] > l->secs[1]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_LIFE_A_SOFT_SECS],
				    "lifetime SOFT_SECS exceeds HARD_SECS");
		return -EINVAL;
	}
	if (l->bytes[1] && l->bytes[0] > l->bytes[1]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_LIFE_A_SOFT_BYTES],
				    "lifetime SOFT_BYTES exceeds HARD_BYTES");
		return -EINVAL;
	}
	if (l->packets[1] && l->packets[0] > l->packets[1]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_LIFE_A_SOFT_PACKETS],
				    "lifetime SOFT_PACKETS exceeds HARD_PACKETS");
		return -EINVAL;
	}
	return 0;
}

/* The SA's identity: FAMILY, DST, PROTO, SPI. */
static int nfipsec_nl_sa_id(struct nlattr **tb, const struct nlattr *nest,
			    struct nfipsec_sa_id *id,
			    struct netlink_ext_ack *extack)
{
	int err;

	memset(id, 0, sizeof(*id));
	err = nfipsec_nl_family(tb[NFIPSEC_SA_A_FAMILY], &id->family, extack);
	if (err)
		return err;
	if (!tb[NFIPSEC_SA_A_DST]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "SA DST missing");
		return -EINVAL;
	}
	err = nfipsec_nl_addr(tb[NFIPSEC_SA_A_DST], id->family, &id->daddr,
			      "SA DST must be 4 bytes", extack);
	if (err)
		return err;
	if (!tb[NFIPSEC_SA_A_PROTO]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "SA PROTO missing");
		return -EINVAL;
	}
	id->proto = nla_get_u8(tb[NFIPSEC_SA_A_PROTO]);
	if (id->proto == IPPROTO_AH) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_PROTO],
				    "SA PROTO ah is not supported yet");
		return -EPROTONOSUPPORT;
	}
	if (id->proto != IPPROTO_ESP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_PROTO],
				    "SA PROTO must be esp (50)");
		return -EPROTONOSUPPORT;
	}
	if (!tb[NFIPSEC_SA_A_SPI]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "SA SPI missing");
		return -EINVAL;
	}
	id->spi = nla_get_be32(tb[NFIPSEC_SA_A_SPI]);
	if (!id->spi) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_SPI], "SA SPI must not be 0");
		return -EINVAL;
	}
	return 0;
}

static int nfipsec_nl_sa_parse(struct nlattr *nest, struct nfipsec_sa_cfg *cfg,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFIPSEC_SA_A_MAX + 1];
	struct nlattr *aead, *enc, *auth;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	err = nla_parse_nested(tb, NFIPSEC_SA_A_MAX, nest, nfipsec_sa_policy,
			       extack);
	if (err)
		return err;
	err = nfipsec_nl_sa_id(tb, nest, &cfg->id, extack);
	if (err)
		return err;
	if (!tb[NFIPSEC_SA_A_SRC]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "SA SRC missing");
		return -EINVAL;
	}
	err = nfipsec_nl_addr(tb[NFIPSEC_SA_A_SRC], cfg->id.family, &cfg->saddr,
			      "SA SRC must be 4 bytes", extack);
	if (err)
		return err;
	if (tb[NFIPSEC_SA_A_REQID])
		cfg->reqid = nla_get_u32(tb[NFIPSEC_SA_A_REQID]);
	if (tb[NFIPSEC_SA_A_MODE]) {
		cfg->mode = nla_get_u8(tb[NFIPSEC_SA_A_MODE]);
		if (cfg->mode >= __NFIPSEC_MODE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_MODE],
					    "SA MODE must be transport (0) or tunnel (1)");
			return -EINVAL;
		}
	}
	if (cfg->mode == NFIPSEC_MODE_TUNNEL &&
	    nfipsec_addr_any(cfg->id.family, &cfg->saddr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_SRC],
				    "tunnel mode SA SRC is the unspecified address (0.0.0.0 or ::)");
		return -EINVAL;
	}
	if (tb[NFIPSEC_SA_A_FLAGS]) {
		cfg->flags = nla_get_u32(tb[NFIPSEC_SA_A_FLAGS]);
		if (cfg->flags & ~NFIPSEC_SA_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_FLAGS],
					    "SA FLAGS has unknown bits");
			return -EOPNOTSUPP;
		}
	}
	if (tb[NFIPSEC_SA_A_REPLAY_WINDOW]) {
		cfg->replay_window = nla_get_u32(tb[NFIPSEC_SA_A_REPLAY_WINDOW]);
		if (cfg->replay_window > NFIPSEC_REPLAY_WINDOW_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_REPLAY_WINDOW],
					    "SA REPLAY_WINDOW must be at most 4096");
			return -EINVAL;
		}
	}
	if (tb[NFIPSEC_SA_A_DF]) {
		cfg->df = nla_get_u8(tb[NFIPSEC_SA_A_DF]);
		if (cfg->df >= __NFIPSEC_DF_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_SA_A_DF],
					    "SA DF must be copy (0), clear (1) or set (2)");
			return -EINVAL;
		}
	}
	aead = tb[NFIPSEC_SA_A_ALG_AEAD];
	enc = tb[NFIPSEC_SA_A_ALG_ENC];
	auth = tb[NFIPSEC_SA_A_ALG_AUTH];
	if (aead && (enc || auth)) {
		NL_SET_ERR_MSG_ATTR(extack, enc ?: auth,
				    "SA ALG_AEAD excludes ALG_ENC and ALG_AUTH");
		return -EINVAL;
	}
	if (aead) {
		cfg->is_aead = true;
		err = nfipsec_nl_alg(aead, true, &cfg->alg[0], &cfg->key[0],
				     &cfg->keylen[0], extack);
	} else if (enc && auth) {
		err = nfipsec_nl_alg(enc, false, &cfg->alg[0], &cfg->key[0],
				     &cfg->keylen[0], extack);
		if (!err)
			err = nfipsec_nl_alg(auth, false, &cfg->alg[1],
					     &cfg->key[1], &cfg->keylen[1],
					     extack);
	} else {
		NL_SET_ERR_MSG_ATTR(extack, enc ?: auth ?: nest,
				    "SA needs ALG_AEAD, or ALG_ENC with ALG_AUTH");
		return -EINVAL;
	}
	if (err)
		return err;
	if (tb[NFIPSEC_SA_A_SEL]) {
		err = nfipsec_nl_sel(tb[NFIPSEC_SA_A_SEL], cfg->id.family,
				     &cfg->sel, extack);
		if (err)
			return err;
		cfg->has_sel = true;
	}
	return nfipsec_nl_life(tb[NFIPSEC_SA_A_LIFETIME], &cfg->lft, extack);
}

static struct nfipsec_net *nfipsec_nl_net(struct genl_info *info)
{
	return nfipsec_pernet(genl_info_net(info));
}

static int nfipsec_nl_sa_set(struct sk_buff *skb, struct genl_info *info,
			     bool update)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	struct netlink_ext_ack *extack = info->extack;
	struct nfipsec_sa *sa, *old;
	struct nfipsec_sa_cfg cfg;
	int err;

	if (!info->attrs[NFIPSEC_A_SA]) {
		NL_SET_ERR_MSG_MOD(extack, "SA attribute missing");
		return -EINVAL;
	}
	err = nfipsec_nl_sa_parse(info->attrs[NFIPSEC_A_SA], &cfg, extack);
	if (err)
		return err;
	sa = nfipsec_sa_create(nn, &cfg, extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);

	mutex_lock(&nn->lock);
	old = nfipsec_sad_find(nn, &cfg.id);
	if (old && !update) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[NFIPSEC_A_SA],
				    "SA with this DST, PROTO and SPI exists");
		err = -EEXIST;
		goto err_unlock;
	}
	if (!old && update) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[NFIPSEC_A_SA],
				    "no SA with this DST, PROTO and SPI to update");
		err = -ENOENT;
		goto err_unlock;
	}
	err = nfipsec_hooks_register(nn);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register netfilter hooks");
		goto err_unlock;
	}
	if (old)
		nfipsec_sa_inherit(sa, old);
	err = nfipsec_sad_insert(nn, sa, old, extack);
	if (err)
		goto err_unlock;
	/* Only now: an update's time limits count from the inherited add. */
	nfipsec_sa_arm_expiry(sa);
	mutex_unlock(&nn->lock);
	return 0;

err_unlock:
	mutex_unlock(&nn->lock);
	nfipsec_sa_put(sa);
	return err;
}

static int nfipsec_nl_sa_new(struct sk_buff *skb, struct genl_info *info)
{
	return nfipsec_nl_sa_set(skb, info, false);
}

static int nfipsec_nl_sa_update(struct sk_buff *skb, struct genl_info *info)
{
	return nfipsec_nl_sa_set(skb, info, true);
}

static int nfipsec_nl_put_addr(struct sk_buff *skb, int type, u16 family,
			       const union nfipsec_addr *a)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, a->a4);
	return nla_put_in6_addr(skb, type, &a->a6);
}

static int nfipsec_nl_put_sel(struct sk_buff *skb, int type,
			      const struct nfipsec_sel *sel)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u16(skb, NFIPSEC_SEL_A_FAMILY, sel->family) ||
	    nfipsec_nl_put_addr(skb, NFIPSEC_SEL_A_SRC, sel->family, &sel->src) ||
	    nla_put_u8(skb, NFIPSEC_SEL_A_SRC_PLEN, sel->src_plen) ||
	    nfipsec_nl_put_addr(skb, NFIPSEC_SEL_A_DST, sel->family, &sel->dst) ||
	    nla_put_u8(skb, NFIPSEC_SEL_A_DST_PLEN, sel->dst_plen) ||
	    nla_put_u8(skb, NFIPSEC_SEL_A_PROTO, sel->proto) ||
	    nla_put_u16(skb, NFIPSEC_SEL_A_SPORT, sel->sport) ||
	    nla_put_u16(skb, NFIPSEC_SEL_A_DPORT, sel->dport))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Name and key length only: keys never leave the kernel. */
static int nfipsec_nl_put_alg(struct sk_buff *skb, int type,
			      const struct nfipsec_alg *alg, int icv_type)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_string(skb, NFIPSEC_ALG_A_NAME, alg->name) ||
	    nla_put_u32(skb, NFIPSEC_ALG_A_KEY_BITS, alg->key_bits) ||
	    (icv_type && nla_put_u32(skb, icv_type, alg->icv_bits)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nfipsec_nl_put_u64s(struct sk_buff *skb, int type, const u64 *v,
			       int n, int first, int pad)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u64_64bit(skb, first + i, v[i], pad))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nfipsec_nl_put_stats(struct sk_buff *skb, struct nfipsec_sa *sa)
{
	u64 errors[__NFIPSEC_DROP_MAX];
	struct nfipsec_sa_pcpu sum;
	struct nlattr *nest;
	int i;

	nfipsec_sa_stats_read(sa, &sum);
	for (i = 0; i < __NFIPSEC_DROP_MAX; i++)
		errors[i] = atomic64_read(&sa->errors[i]);
	nest = nla_nest_start(skb, NFIPSEC_SA_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, NFIPSEC_SA_STATS_A_IN_PACKETS, sum.in_packets,
			      NFIPSEC_SA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, NFIPSEC_SA_STATS_A_IN_BYTES, sum.in_bytes,
			      NFIPSEC_SA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, NFIPSEC_SA_STATS_A_OUT_PACKETS,
			      sum.out_packets, NFIPSEC_SA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, NFIPSEC_SA_STATS_A_OUT_BYTES, sum.out_bytes,
			      NFIPSEC_SA_STATS_A_PAD) ||
	    nfipsec_nl_put_u64s(skb, NFIPSEC_SA_STATS_A_ERRORS, errors,
				__NFIPSEC_DROP_MAX, NFIPSEC_STAT_BASE, 0) ||
	    nla_put_u64_64bit(skb, NFIPSEC_SA_STATS_A_PMTU_UPDATES,
			      atomic64_read(&sa->pmtu_updates),
			      NFIPSEC_SA_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nfipsec_nl_put_life(struct sk_buff *skb, struct nfipsec_sa *sa)
{
	struct nfipsec_sa_pcpu sum;
	u64 v[4], use = READ_ONCE(sa->use_jiffies);
	u64 lim[6] = {
		sa->lft.secs[0], sa->lft.secs[1], sa->lft.bytes[0],
		sa->lft.bytes[1], sa->lft.packets[0], sa->lft.packets[1],
	};

	nfipsec_sa_stats_read(sa, &sum);
	v[0] = sa->add_time;
	v[1] = use ? sa->add_time + (use - sa->add_jiffies) / HZ : 0;
	v[2] = sum.in_bytes + sum.out_bytes;
	v[3] = sum.in_packets + sum.out_packets;
	if (nfipsec_nl_put_u64s(skb, NFIPSEC_SA_A_LIFETIME, lim, 6,
				NFIPSEC_LIFE_A_SOFT_SECS, NFIPSEC_LIFE_A_PAD) ||
	    nfipsec_nl_put_u64s(skb, NFIPSEC_SA_A_CURLIFE, v, 4,
				NFIPSEC_LIFE_A_ADD_TIME, NFIPSEC_LIFE_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int nfipsec_nl_put_replay(struct sk_buff *skb, struct nfipsec_sa *sa)
{
	unsigned int nwords = DIV_ROUND_UP(sa->replay.window, 32);
	struct nlattr *nest;
	u32 *words = NULL;
	u64 top;
	int err = -EMSGSIZE;

	if (nwords) {
		words = kmalloc_array(nwords, sizeof(u32), GFP_KERNEL);
		if (!words)
			return -ENOMEM;
	}
	spin_lock_bh(&sa->lock);
	top = sa->replay.top;
	if (words)
		nfipsec_replay_bitmap(&sa->replay, words, nwords);
	spin_unlock_bh(&sa->lock);

	nest = nla_nest_start(skb, NFIPSEC_SA_A_REPLAY);
	if (!nest ||
	    nla_put_u32(skb, NFIPSEC_REPLAY_A_WINDOW, sa->replay.window) ||
	    nla_put_u64_64bit(skb, NFIPSEC_REPLAY_A_TOP, top,
			      NFIPSEC_REPLAY_A_PAD) ||
	    (words && nla_put(skb, NFIPSEC_REPLAY_A_BITMAP,
			      nwords * sizeof(u32), words)))
		goto out;
	nla_nest_end(skb, nest);
	err = 0;
out:
	kfree(words);
	return err;
}

static int nfipsec_nl_put_sa(struct sk_buff *skb, struct nfipsec_sa *sa)
{
	u16 family = sa->id.family;
	struct nlattr *nest;
	u32 overhead;

	overhead = sa->header_len + sa->blksize - 1 + 2 + sa->icvlen;
	nest = nla_nest_start(skb, NFIPSEC_A_SA);
	if (!nest ||
	    nla_put_u16(skb, NFIPSEC_SA_A_FAMILY, family) ||
	    nfipsec_nl_put_addr(skb, NFIPSEC_SA_A_SRC, family, &sa->tid.saddr) ||
	    nfipsec_nl_put_addr(skb, NFIPSEC_SA_A_DST, family, &sa->id.daddr) ||
	    nla_put_u8(skb, NFIPSEC_SA_A_PROTO, sa->id.proto) ||
	    nla_put_be32(skb, NFIPSEC_SA_A_SPI, sa->id.spi) ||
	    nla_put_u32(skb, NFIPSEC_SA_A_REQID, sa->tid.reqid) ||
	    nla_put_u8(skb, NFIPSEC_SA_A_MODE, sa->mode) ||
	    nla_put_u32(skb, NFIPSEC_SA_A_FLAGS, sa->flags) ||
	    nla_put_u32(skb, NFIPSEC_SA_A_REPLAY_WINDOW, sa->replay.window) ||
	    nla_put_u8(skb, NFIPSEC_SA_A_DF, sa->df) ||
	    nla_put_u8(skb, NFIPSEC_SA_A_STATE, READ_ONCE(sa->state)) ||
	    nla_put_u32(skb, NFIPSEC_SA_A_OVERHEAD, overhead) ||
	    nla_put_u32(skb, NFIPSEC_SA_A_PMTU, READ_ONCE(sa->pmtu)) ||
	    nla_put_u64_64bit(skb, NFIPSEC_SA_A_OSEQ, atomic64_read(&sa->oseq),
			      NFIPSEC_SA_A_PAD))
		return -EMSGSIZE;
	if (sa->is_aead) {
		if (nfipsec_nl_put_alg(skb, NFIPSEC_SA_A_ALG_AEAD, &sa->alg[0],
				       NFIPSEC_ALG_A_ICV_BITS))
			return -EMSGSIZE;
	} else if (nfipsec_nl_put_alg(skb, NFIPSEC_SA_A_ALG_ENC, &sa->alg[0], 0) ||
		   nfipsec_nl_put_alg(skb, NFIPSEC_SA_A_ALG_AUTH, &sa->alg[1],
				      NFIPSEC_ALG_A_TRUNC_BITS)) {
		return -EMSGSIZE;
	}
	if (sa->has_sel && nfipsec_nl_put_sel(skb, NFIPSEC_SA_A_SEL, &sa->sel))
		return -EMSGSIZE;
	if (nfipsec_nl_put_life(skb, sa) || nfipsec_nl_put_stats(skb, sa) ||
	    nfipsec_nl_put_replay(skb, sa))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static struct nfipsec_sa *nfipsec_nl_sa_find(struct nfipsec_net *nn,
					     struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[NFIPSEC_SA_A_MAX + 1];
	struct nlattr *nest = info->attrs[NFIPSEC_A_SA];
	union nfipsec_addr saddr;
	struct nfipsec_sa_id id;
	struct nfipsec_sa *sa;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG_MOD(extack, "SA attribute missing");
		return ERR_PTR(-EINVAL);
	}
	err = nla_parse_nested(tb, NFIPSEC_SA_A_MAX, nest, nfipsec_sa_policy,
			       extack);
	if (!err)
		err = nfipsec_nl_sa_id(tb, nest, &id, extack);
	if (!err)
		err = nfipsec_nl_addr(tb[NFIPSEC_SA_A_SRC], id.family, &saddr,
				      "SA SRC must be 4 bytes", extack);
	if (err)
		return ERR_PTR(err);
	sa = nfipsec_sad_find(nn, &id);
	if (sa && tb[NFIPSEC_SA_A_SRC] &&
	    memcmp(&saddr, &sa->tid.saddr, sizeof(saddr)))
		sa = NULL;
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no such SA");
		return ERR_PTR(-ENOENT);
	}
	return sa;
}

static int nfipsec_nl_sa_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	struct nfipsec_sa *sa;

	mutex_lock(&nn->lock);
	sa = nfipsec_nl_sa_find(nn, info);
	if (!IS_ERR(sa))
		nfipsec_sad_unlink(nn, sa);
	mutex_unlock(&nn->lock);
	return PTR_ERR_OR_ZERO(sa);
}

static int nfipsec_nl_reply(struct genl_info *info, u8 cmd,
			    int (*fill)(struct sk_buff *, void *), void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nfipsec_genl_family, 0, cmd);
	err = -EMSGSIZE;
	if (!hdr)
		goto err;
	err = fill(msg, arg);
	if (err)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return err;
}

static int nfipsec_nl_fill_sa(struct sk_buff *msg, void *arg)
{
	return nfipsec_nl_put_sa(msg, arg);
}

static int nfipsec_nl_sa_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	struct nfipsec_sa *sa;
	int err;

	mutex_lock(&nn->lock);
	sa = nfipsec_nl_sa_find(nn, info);
	if (IS_ERR(sa))
		err = PTR_ERR(sa);
	else
		err = nfipsec_nl_reply(info, NFIPSEC_CMD_SA_GET,
				       nfipsec_nl_fill_sa, sa);
	mutex_unlock(&nn->lock);
	return err;
}

/*
 * Dump cursor, in cb->ctx: how many SAs were sent and the key of the last
 * one, never a pointer. The next part goes on after the SA with that key,
 * found under nn->lock, so linked (an update keeps its place in the list);
 * when it is gone, by count. Any change in between makes the next message
 * say NLM_F_DUMP_INTR (the generation).
 */
struct nfipsec_sa_dump_ctx {
	long done;
	struct nfipsec_sa_id last;
};

static int nfipsec_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfipsec_net *nn = nfipsec_pernet(sock_net(skb->sk));
	struct nfipsec_sa_dump_ctx *ctx = (void *)cb->ctx;
	struct nfipsec_sa *sa, *last = NULL;
	struct list_head *pos;
	long i = 0;
	void *hdr;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	mutex_lock(&nn->lock);
	cb->seq = nn->gen;
	if (ctx->done)
		last = nfipsec_sad_find(nn, &ctx->last);
	if (last) {
		pos = &last->list;
		i = ctx->done;
	} else {
		pos = &nn->sad.list;
		for (i = 0; i < ctx->done && pos->next != &nn->sad.list; i++)
			pos = pos->next;
	}
	sa = list_entry(pos, struct nfipsec_sa, list);
	list_for_each_entry_continue(sa, &nn->sad.list, list) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &nfipsec_genl_family,
				  NLM_F_MULTI, NFIPSEC_CMD_SA_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		if (nfipsec_nl_put_sa(skb, sa)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		ctx->last = sa->id;
		i++;
	}
	ctx->done = i;
	mutex_unlock(&nn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int nfipsec_nl_sa_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);

	mutex_lock(&nn->lock);
	nfipsec_sad_flush(nn);
	mutex_unlock(&nn->lock);
	return 0;
}

static int nfipsec_nl_tmpl(const struct nlattr *nest, u16 family,
			   struct nfipsec_tmpl *t, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFIPSEC_TMPL_A_MAX + 1];
	int err;

	memset(t, 0, sizeof(*t));
	err = nla_parse_nested(tb, NFIPSEC_TMPL_A_MAX, nest,
			       nfipsec_tmpl_policy, extack);
	if (err)
		return err;
	err = nfipsec_nl_family(tb[NFIPSEC_TMPL_A_FAMILY], &t->family, extack);
	if (err)
		return err;
	if (t->family != family) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "template FAMILY differs from the selector's");
		return -EINVAL;
	}
	err = nfipsec_nl_addr(tb[NFIPSEC_TMPL_A_SRC], family, &t->saddr,
			      "template SRC must be 4 bytes", extack);
	if (!err)
		err = nfipsec_nl_addr(tb[NFIPSEC_TMPL_A_DST], family, &t->daddr,
				      "template DST must be 4 bytes", extack);
	if (err)
		return err;
	t->proto = tb[NFIPSEC_TMPL_A_PROTO] ?
		   nla_get_u8(tb[NFIPSEC_TMPL_A_PROTO]) : 0;
	if (t->proto != IPPROTO_ESP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_TMPL_A_PROTO] ?: nest,
				    "template PROTO must be esp (50)");
		return -EPROTONOSUPPORT;
	}
	if (tb[NFIPSEC_TMPL_A_REQID])
		t->reqid = nla_get_u32(tb[NFIPSEC_TMPL_A_REQID]);
	if (tb[NFIPSEC_TMPL_A_MODE]) {
		t->mode = nla_get_u8(tb[NFIPSEC_TMPL_A_MODE]);
		if (t->mode >= __NFIPSEC_MODE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_TMPL_A_MODE],
					    "template MODE must be transport (0) or tunnel (1)");
			return -EINVAL;
		}
	}
	if (t->mode == NFIPSEC_MODE_TUNNEL &&
	    (!t->saddr.a4 || !t->daddr.a4)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "tunnel mode template needs SRC and DST");
		return -EINVAL;
	}
	return 0;
}

/* DIR and SEL (the policy's key); INDEX instead when @by_index. */
static int nfipsec_nl_pol_key(struct nlattr **tb, const struct nlattr *nest,
			      struct nfipsec_pol_key *key,
			      struct netlink_ext_ack *extack)
{
	memset(key, 0, sizeof(*key));
	if (!tb[NFIPSEC_POL_A_DIR]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "policy DIR missing");
		return -EINVAL;
	}
	key->dir = nla_get_u8(tb[NFIPSEC_POL_A_DIR]);
	if (key->dir >= __NFIPSEC_DIR_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_POL_A_DIR],
				    "policy DIR must be in (0), out (1) or fwd (2)");
		return -EINVAL;
	}
	if (!tb[NFIPSEC_POL_A_SEL]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "policy SEL missing");
		return -EINVAL;
	}
	return nfipsec_nl_sel(tb[NFIPSEC_POL_A_SEL], AF_INET, &key->sel, extack);
}

static int nfipsec_nl_pol_parse(struct nlattr *nest,
				struct nfipsec_policy *pol,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFIPSEC_POL_A_MAX + 1];
	struct nlattr *tmpl;
	int err;

	err = nla_parse_nested(tb, NFIPSEC_POL_A_MAX, nest, nfipsec_pol_policy,
			       extack);
	if (err)
		return err;
	if (tb[NFIPSEC_POL_A_INDEX]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_POL_A_INDEX],
				    "policy INDEX is chosen by the kernel");
		return -EINVAL;
	}
	err = nfipsec_nl_pol_key(tb, nest, &pol->key, extack);
	if (err)
		return err;
	tmpl = tb[NFIPSEC_POL_A_TMPL];
	pol->action = tmpl ? NFIPSEC_ACTION_PROTECT : NFIPSEC_ACTION_ALLOW;
	if (tb[NFIPSEC_POL_A_ACTION]) {
		pol->action = nla_get_u8(tb[NFIPSEC_POL_A_ACTION]);
		if (pol->action >= __NFIPSEC_ACTION_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_POL_A_ACTION],
					    "policy ACTION must be protect (0), allow (1) or block (2)");
			return -EINVAL;
		}
		/* As in XFRM: allow with a template applies the template. */
		if (pol->action == NFIPSEC_ACTION_ALLOW && tmpl)
			pol->action = NFIPSEC_ACTION_PROTECT;
	}
	if (pol->action == NFIPSEC_ACTION_PROTECT && !tmpl) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "protect policy needs TMPL");
		return -EINVAL;
	}
	if (pol->action == NFIPSEC_ACTION_BLOCK && tmpl) {
		NL_SET_ERR_MSG_ATTR(extack, tmpl, "block policy takes no TMPL");
		return -EINVAL;
	}
	if (tb[NFIPSEC_POL_A_PRIORITY])
		pol->priority = nla_get_u32(tb[NFIPSEC_POL_A_PRIORITY]);
	if (tb[NFIPSEC_POL_A_FLAGS]) {
		pol->flags = nla_get_u32(tb[NFIPSEC_POL_A_FLAGS]);
		if (pol->flags & ~NFIPSEC_POL_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFIPSEC_POL_A_FLAGS],
					    "policy FLAGS has unknown bits");
			return -EOPNOTSUPP;
		}
	}
	if (tmpl) {
		err = nfipsec_nl_tmpl(tmpl, AF_INET, &pol->tmpl, extack);
		if (err)
			return err;
		pol->has_tmpl = true;
	}
	return 0;
}

static int nfipsec_nl_pol_set(struct sk_buff *skb, struct genl_info *info,
			      bool update)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	struct netlink_ext_ack *extack = info->extack;
	struct nfipsec_policy *pol, *old;
	int err;

	if (!info->attrs[NFIPSEC_A_POLICY]) {
		NL_SET_ERR_MSG_MOD(extack, "POLICY attribute missing");
		return -EINVAL;
	}
	pol = nfipsec_policy_alloc();
	if (!pol)
		return -ENOMEM;
	err = nfipsec_nl_pol_parse(info->attrs[NFIPSEC_A_POLICY], pol, extack);
	if (err)
		goto err_free;

	mutex_lock(&nn->lock);
	old = nfipsec_spd_find(nn, &pol->key);
	if (old && !update) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[NFIPSEC_A_POLICY],
				    "policy with this DIR and SEL exists");
		err = -EEXIST;
		goto err_unlock;
	}
	err = nfipsec_hooks_register(nn);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register netfilter hooks");
		goto err_unlock;
	}
	err = nfipsec_spd_insert(nn, pol, old);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot grow the policy table");
		goto err_unlock;
	}
	mutex_unlock(&nn->lock);
	return 0;

err_unlock:
	mutex_unlock(&nn->lock);
err_free:
	nfipsec_policy_free(pol);
	return err;
}

static int nfipsec_nl_pol_new(struct sk_buff *skb, struct genl_info *info)
{
	return nfipsec_nl_pol_set(skb, info, false);
}

static int nfipsec_nl_pol_update(struct sk_buff *skb, struct genl_info *info)
{
	return nfipsec_nl_pol_set(skb, info, true);
}

static struct nfipsec_policy *nfipsec_nl_pol_find(struct nfipsec_net *nn,
						  struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[NFIPSEC_A_POLICY];
	struct nlattr *tb[NFIPSEC_POL_A_MAX + 1];
	struct nfipsec_policy *pol;
	struct nfipsec_pol_key key;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG_MOD(extack, "POLICY attribute missing");
		return ERR_PTR(-EINVAL);
	}
	err = nla_parse_nested(tb, NFIPSEC_POL_A_MAX, nest, nfipsec_pol_policy,
			       extack);
	if (err)
		return ERR_PTR(err);
	if (tb[NFIPSEC_POL_A_INDEX]) {
		pol = nfipsec_spd_find_index(nn,
					     nla_get_u32(tb[NFIPSEC_POL_A_INDEX]));
	} else {
		err = nfipsec_nl_pol_key(tb, nest, &key, extack);
		if (err)
			return ERR_PTR(err);
		pol = nfipsec_spd_find(nn, &key);
	}
	if (!pol) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no such policy");
		return ERR_PTR(-ENOENT);
	}
	return pol;
}

static int nfipsec_nl_pol_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	struct nfipsec_policy *pol;

	mutex_lock(&nn->lock);
	pol = nfipsec_nl_pol_find(nn, info);
	if (!IS_ERR(pol))
		nfipsec_spd_unlink(nn, pol);
	mutex_unlock(&nn->lock);
	return PTR_ERR_OR_ZERO(pol);
}

static int nfipsec_nl_put_pol(struct sk_buff *skb, struct nfipsec_policy *pol)
{
	const struct nfipsec_tmpl *t = &pol->tmpl;
	struct nlattr *nest, *tn;

	nest = nla_nest_start(skb, NFIPSEC_A_POLICY);
	if (!nest ||
	    nla_put_u8(skb, NFIPSEC_POL_A_DIR, pol->key.dir) ||
	    nfipsec_nl_put_sel(skb, NFIPSEC_POL_A_SEL, &pol->key.sel) ||
	    nla_put_u8(skb, NFIPSEC_POL_A_ACTION, pol->action) ||
	    nla_put_u32(skb, NFIPSEC_POL_A_PRIORITY, pol->priority) ||
	    nla_put_u32(skb, NFIPSEC_POL_A_INDEX, pol->index) ||
	    nla_put_u32(skb, NFIPSEC_POL_A_FLAGS, pol->flags) ||
	    nla_put_u64_64bit(skb, NFIPSEC_POL_A_HITS, nfipsec_policy_hits(pol),
			      NFIPSEC_POL_A_PAD))
		return -EMSGSIZE;
	if (pol->has_tmpl) {
		tn = nla_nest_start(skb, NFIPSEC_POL_A_TMPL);
		if (!tn ||
		    nla_put_u16(skb, NFIPSEC_TMPL_A_FAMILY, t->family) ||
		    nfipsec_nl_put_addr(skb, NFIPSEC_TMPL_A_SRC, t->family,
					&t->saddr) ||
		    nfipsec_nl_put_addr(skb, NFIPSEC_TMPL_A_DST, t->family,
					&t->daddr) ||
		    nla_put_u8(skb, NFIPSEC_TMPL_A_PROTO, t->proto) ||
		    nla_put_u32(skb, NFIPSEC_TMPL_A_REQID, t->reqid) ||
		    nla_put_u8(skb, NFIPSEC_TMPL_A_MODE, t->mode))
			return -EMSGSIZE;
		nla_nest_end(skb, tn);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nfipsec_nl_fill_pol(struct sk_buff *msg, void *arg)
{
	return nfipsec_nl_put_pol(msg, arg);
}

static int nfipsec_nl_pol_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	struct nfipsec_policy *pol;
	int err;

	mutex_lock(&nn->lock);
	pol = nfipsec_nl_pol_find(nn, info);
	if (IS_ERR(pol))
		err = PTR_ERR(pol);
	else
		err = nfipsec_nl_reply(info, NFIPSEC_CMD_POL_GET,
				       nfipsec_nl_fill_pol, pol);
	mutex_unlock(&nn->lock);
	return err;
}

/* Policies in lookup order: out, in, fwd lists; cursor by count. */
static int nfipsec_nl_pol_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfipsec_net *nn = nfipsec_pernet(sock_net(skb->sk));
	struct nfipsec_policy *pol;
	long done = cb->args[0], i = 0;
	int dir, err = 0;
	void *hdr;

	mutex_lock(&nn->lock);
	cb->seq = nn->gen;
	for (dir = 0; dir < __NFIPSEC_DIR_MAX && !err; dir++) {
		list_for_each_entry(pol, &nn->spd.dir[dir], list) {
			if (i++ < done)
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq,
					  &nfipsec_genl_family, NLM_F_MULTI,
					  NFIPSEC_CMD_POL_GET);
			if (!hdr) {
				err = -EMSGSIZE;
				break;
			}
			genl_dump_check_consistent(cb, hdr);
			if (nfipsec_nl_put_pol(skb, pol)) {
				genlmsg_cancel(skb, hdr);
				err = -EMSGSIZE;
				break;
			}
			genlmsg_end(skb, hdr);
			done = i;
		}
	}
	cb->args[0] = done;
	mutex_unlock(&nn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int nfipsec_nl_pol_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);

	mutex_lock(&nn->lock);
	nfipsec_spd_flush(nn);
	mutex_unlock(&nn->lock);
	return 0;
}

static int nfipsec_nl_fill_stats(struct sk_buff *msg, void *arg)
{
	struct nfipsec_net *nn = arg;
	u64 drops[__NFIPSEC_DROP_MAX];
	unsigned int npol = 0;
	struct nlattr *nest;
	int dir;

	nfipsec_drops_read(nn, drops);
	for (dir = 0; dir < __NFIPSEC_DIR_MAX; dir++)
		npol += nn->spd.count[dir];
	if (nfipsec_nl_put_u64s(msg, NFIPSEC_A_STATS, drops, __NFIPSEC_DROP_MAX,
				NFIPSEC_STAT_BASE, 0))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, NFIPSEC_A_INFO);
	if (!nest ||
	    nla_put_u32(msg, NFIPSEC_INFO_A_SA_COUNT, nn->sad.count) ||
	    nla_put_u32(msg, NFIPSEC_INFO_A_POL_COUNT, npol))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int nfipsec_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nfipsec_net *nn = nfipsec_nl_net(info);
	int err;

	mutex_lock(&nn->lock);
	err = nfipsec_nl_reply(info, NFIPSEC_CMD_STATS_GET,
			       nfipsec_nl_fill_stats, nn);
	mutex_unlock(&nn->lock);
	return err;
}

static const struct genl_ops nfipsec_genl_ops[] = {
	{ .cmd = NFIPSEC_CMD_SA_NEW, .doit = nfipsec_nl_sa_new,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_SA_UPDATE, .doit = nfipsec_nl_sa_update,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_SA_DEL, .doit = nfipsec_nl_sa_del,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_SA_GET, .doit = nfipsec_nl_sa_get,
	  .dumpit = nfipsec_nl_sa_dump, .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_SA_FLUSH, .doit = nfipsec_nl_sa_flush,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_POL_NEW, .doit = nfipsec_nl_pol_new,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_POL_UPDATE, .doit = nfipsec_nl_pol_update,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_POL_DEL, .doit = nfipsec_nl_pol_del,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_POL_GET, .doit = nfipsec_nl_pol_get,
	  .dumpit = nfipsec_nl_pol_dump, .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_POL_FLUSH, .doit = nfipsec_nl_pol_flush,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NFIPSEC_CMD_STATS_GET, .doit = nfipsec_nl_stats_get,
	  .flags = GENL_UNS_ADMIN_PERM },
};

static struct genl_family nfipsec_genl_family __ro_after_init = {
	.name = NFIPSEC_GENL_NAME,
	.version = NFIPSEC_GENL_VERSION,
	.maxattr = NFIPSEC_A_MAX,
	.policy = nfipsec_policy,
	.netnsok = true,
	.parallel_ops = true,
	.resv_start_op = NFIPSEC_CMD_SA_NEW,
	.ops = nfipsec_genl_ops,
	.n_ops = ARRAY_SIZE(nfipsec_genl_ops),
	.module = THIS_MODULE,
};

int __init nfipsec_genl_init(void)
{
	return genl_register_family(&nfipsec_genl_family);
}

void nfipsec_genl_exit(void)
{
	genl_unregister_family(&nfipsec_genl_family);
}
