// SPDX-License-Identifier: GPL-2.0
/*
 * An SA's transform: the crypto API instance its algorithms name, keyed,
 * and its teardown. Keys live only inside the transform; the one copy
 * made here (the authenc key blob) is zeroed before it is freed, and the
 * crypto API zeroes a transform's context (the key schedule) when it frees
 * it. module/sa_crypto_test.c checks that no key byte survives in freed
 * memory.
 */
#include <crypto/authenc.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "alg.h"
#include "sa.h"

/*
 * A pcrypt instance is found by its driver name only: its algorithm name
 * is that of the suite it runs. Into @buf: seqiv over pcrypt over the
 * implementation the crypto API picks for @suite, or over that one itself
 * when it is a pcrypt instance already.
 */
static int nfipsec_sa_pcrypt_tfm(const char *suite, char *buf, size_t len)
{
	struct crypto_aead *tfm;
	const char *drv;
	int n;

	tfm = crypto_alloc_aead(suite, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	drv = crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm));
	if (str_has_prefix(drv, "pcrypt("))
		n = snprintf(buf, len, "seqiv(%s)", drv);
	else
		n = snprintf(buf, len, "seqiv(pcrypt(%s))", drv);
	crypto_free_aead(tfm);
	return n < len ? 0 : -ENAMETOOLONG;
}

int nfipsec_sa_crypto_init(struct nfipsec_sa *sa,
			   const struct nfipsec_sa_cfg *cfg,
			   struct netlink_ext_ack *extack)
{
	struct crypto_authenc_key_param *param;
	char name[CRYPTO_MAX_ALG_NAME];
	struct nfipsec_alg_plan plan;
	const char *tfm_name;
	unsigned int keylen;
	struct rtattr *rta;
	u8 *key;
	int err;

	err = nfipsec_alg_check(cfg, &plan, extack);
	if (err)
		return err;
	tfm_name = plan.tfm;
	if (plan.pcrypt) {
		err = nfipsec_sa_pcrypt_tfm(plan.pcrypt, name, sizeof(name));
		tfm_name = name;
	}
	sa->aead = err ? ERR_PTR(err) : crypto_alloc_aead(tfm_name, 0, 0);
	if (IS_ERR(sa->aead)) {
		err = PTR_ERR(sa->aead);
		sa->aead = NULL;
		NL_SET_ERR_MSG_MOD(extack, "the kernel crypto API cannot provide the transform");
		return err;
	}
	if (cfg->is_aead) {
		err = crypto_aead_setkey(sa->aead, cfg->key[0], cfg->keylen[0]);
	} else {
		/* authenc keys: an rtattr with the cipher key length, then both */
		keylen = RTA_SPACE(sizeof(*param)) + cfg->keylen[1] + cfg->keylen[0];
		key = kmalloc(keylen, GFP_KERNEL);
		if (!key)
			return -ENOMEM;
		rta = (struct rtattr *)key;
		rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
		rta->rta_len = RTA_LENGTH(sizeof(*param));
		param = RTA_DATA(rta);
		param->enckeylen = cpu_to_be32(cfg->keylen[0]);
		memcpy(key + RTA_SPACE(sizeof(*param)), cfg->key[1], cfg->keylen[1]);
		memcpy(key + RTA_SPACE(sizeof(*param)) + cfg->keylen[1],
		       cfg->key[0], cfg->keylen[0]);
		err = crypto_aead_setkey(sa->aead, key, keylen);
		kfree_sensitive(key);
	}
	if (!err)
		err = crypto_aead_setauthsize(sa->aead, plan.icv_bytes);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "key or ICV length refused by the crypto API");
		return err;
	}
	sa->alg[0] = cfg->alg[0];
	sa->alg[0].key_bits = cfg->keylen[0] * 8;
	if (!cfg->is_aead) {
		sa->alg[1] = cfg->alg[1];
		sa->alg[1].key_bits = cfg->keylen[1] * 8;
		sa->alg[1].icv_bits = plan.icv_bytes * 8;
	}
	return 0;
}

/* The SA is not reachable any more: nothing uses the transform. */
void nfipsec_sa_crypto_free(struct nfipsec_sa *sa)
{
	if (sa->aead)
		crypto_free_aead(sa->aead);
	sa->aead = NULL;
}
