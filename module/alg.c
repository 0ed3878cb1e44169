// SPDX-License-Identifier: GPL-2.0
/*
 * Algorithm names, key lengths, ICV and truncation lengths: everything an SA
 * configuration is checked against before any crypto is allocated. Names
 * match exactly; nothing is guessed.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "alg.h"
#include "sa.h"

struct nfipsec_auth_desc {
	const char *name;
	const char *authenc;	/* the authenc(...) transform to ask for */
	const char *authencesn;
	u32 full_bits;
	u32 default_bits;	/* what ip xfrm applies without auth-trunc */
};

static const struct nfipsec_auth_desc nfipsec_auths[] = {
	{ "hmac(sha256)", "echainiv(authenc(hmac(sha256),cbc(aes)))",
	  "echainiv(authencesn(hmac(sha256),cbc(aes)))", 256, 96 },
	{ "hmac(sha384)", "echainiv(authenc(hmac(sha384),cbc(aes)))",
	  "echainiv(authencesn(hmac(sha384),cbc(aes)))", 384, 192 },
	{ "hmac(sha512)", "echainiv(authenc(hmac(sha512),cbc(aes)))",
	  "echainiv(authencesn(hmac(sha512),cbc(aes)))", 512, 256 },
};

/*
 * The AEAD, also run by pcrypt (on several CPUs, completed in order): the
 * same packets on the wire, the crypto asynchronous. Not cryptd: on 6.1 a
 * cryptd AEAD instance fails the crypto manager's self-test (it changes
 * the caller's request) with a WARN.
 */
static const struct nfipsec_aead_desc {
	const char *name;
	const char *tfm;
	const char *pcrypt;
} nfipsec_aeads[] = {
	{ "rfc4106(gcm(aes))", "seqiv(rfc4106(gcm(aes)))", NULL },
	{ "pcrypt(rfc4106(gcm(aes)))", "seqiv(pcrypt(rfc4106(gcm(aes))))",
	  "rfc4106(gcm(aes))" },
};

static int nfipsec_alg_check_aead(const struct nfipsec_sa_cfg *cfg,
				  struct nfipsec_alg_plan *plan,
				  struct netlink_ext_ack *extack)
{
	const struct nfipsec_alg *alg = &cfg->alg[0];
	const struct nfipsec_aead_desc *desc = NULL;
	u32 keylen = cfg->keylen[0];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfipsec_aeads); i++)
		if (!strcmp(alg->name, nfipsec_aeads[i].name))
			desc = &nfipsec_aeads[i];
	if (!desc) {
		NL_SET_ERR_MSG_MOD(extack,
				   "unsupported AEAD algorithm NAME (rfc4106(gcm(aes)), also as pcrypt(rfc4106(gcm(aes))), is supported)");
		return -EINVAL;
	}
	if (keylen != 20 && keylen != 28 && keylen != 36) {
		NL_SET_ERR_MSG_MOD(extack,
				   "AEAD KEY must be 20, 28 or 36 bytes (AES key and 4-byte salt)");
		return -EINVAL;
	}
	if (alg->icv_bits != 64 && alg->icv_bits != 96 && alg->icv_bits != 128) {
		NL_SET_ERR_MSG_MOD(extack, "AEAD ICV_BITS must be 64, 96 or 128");
		return -EINVAL;
	}
	plan->tfm = desc->tfm;
	plan->pcrypt = desc->pcrypt;
	plan->auth = NULL;
	plan->icv_bytes = alg->icv_bits / 8;
	return 0;
}

static int nfipsec_alg_check_authenc(const struct nfipsec_sa_cfg *cfg,
				     struct nfipsec_alg_plan *plan,
				     struct netlink_ext_ack *extack)
{
	const struct nfipsec_alg *enc = &cfg->alg[0], *auth = &cfg->alg[1];
	u32 enclen = cfg->keylen[0], authlen = cfg->keylen[1];
	const struct nfipsec_auth_desc *desc = NULL;
	unsigned int i;
	u32 trunc;

	if (strcmp(enc->name, "cbc(aes)")) {
		NL_SET_ERR_MSG_MOD(extack,
				   "unsupported encryption algorithm NAME (cbc(aes) is supported)");
		return -EINVAL;
	}
	if (enclen != 16 && enclen != 24 && enclen != 32) {
		NL_SET_ERR_MSG_MOD(extack,
				   "encryption KEY for cbc(aes) must be 16, 24 or 32 bytes");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(nfipsec_auths); i++)
		if (!strcmp(auth->name, nfipsec_auths[i].name))
			desc = &nfipsec_auths[i];
	if (!desc) {
		NL_SET_ERR_MSG_MOD(extack,
				   "unsupported authentication algorithm NAME (hmac(sha256), hmac(sha384), hmac(sha512) are supported)");
		return -EINVAL;
	}
	if (!authlen) {
		NL_SET_ERR_MSG_MOD(extack, "authentication KEY must not be empty");
		return -EINVAL;
	}
	trunc = auth->icv_bits ? auth->icv_bits : desc->default_bits;
	if (trunc < 64 || trunc > desc->full_bits || trunc % 8) {
		NL_SET_ERR_MSG_MOD(extack,
				   "authentication TRUNC_BITS must be a multiple of 8 from 64 to the digest size");
		return -EINVAL;
	}
	plan->tfm = cfg->flags & NFIPSEC_SA_F_ESN ? desc->authencesn :
						    desc->authenc;
	plan->auth = desc->name;
	plan->pcrypt = NULL;
	plan->icv_bytes = trunc / 8;
	return 0;
}

int nfipsec_alg_check(const struct nfipsec_sa_cfg *cfg,
		      struct nfipsec_alg_plan *plan,
		      struct netlink_ext_ack *extack)
{
	if (cfg->is_aead)
		return nfipsec_alg_check_aead(cfg, plan, extack);
	return nfipsec_alg_check_authenc(cfg, plan, extack);
}
