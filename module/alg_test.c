// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of alg.c (nfipsec_alg): names match exactly, key, ICV and
 * truncation lengths, the transform asked of the crypto API, and an
 * extended ACK message on every rejection. Included by kunit.c.
 */

#define GCM "rfc4106(gcm(aes))"
#define CBC "cbc(aes)"
#define SHA256 "hmac(sha256)"
#define SHA384 "hmac(sha384)"
#define SHA512 "hmac(sha512)"
#define TFM_GCM "seqiv(rfc4106(gcm(aes)))"
#define TFM_PCRYPT "seqiv(pcrypt(rfc4106(gcm(aes))))"
#define TFM_256 "echainiv(authenc(hmac(sha256),cbc(aes)))"
#define TFM_384 "echainiv(authenc(hmac(sha384),cbc(aes)))"
#define TFM_512 "echainiv(authenc(hmac(sha512),cbc(aes)))"
#define TFM_256_ESN "echainiv(authencesn(hmac(sha256),cbc(aes)))"
#define TFM_384_ESN "echainiv(authencesn(hmac(sha384),cbc(aes)))"
#define TFM_512_ESN "echainiv(authencesn(hmac(sha512),cbc(aes)))"
#define ESN NFIPSEC_SA_F_ESN

struct alg_case {
	bool aead;
	const char *name;	/* AEAD or encryption algorithm */
	u32 keylen;		/* bytes */
	u32 icv_bits;		/* AEAD ICV */
	const char *auth;	/* authentication algorithm */
	u32 authkeylen;
	u32 trunc_bits;
	u32 flags;
	const char *tfm;	/* expected transform; NULL: -EINVAL */
	u32 icv_bytes;
};

/* AEAD and authenc cases in the table's two shapes. */
#define AEAD(name, keylen, icv, flags, tfm, icvb) \
	{ true, name, keylen, icv, NULL, 0, 0, flags, tfm, icvb }
#define AUTHENC(name, keylen, auth, akeylen, trunc, flags, tfm, icvb) \
	{ false, name, keylen, 0, auth, akeylen, trunc, flags, tfm, icvb }

static const struct alg_case alg_cases[] = {
	/* names: exact matches only */
	/*  1 */ AEAD(GCM, 20, 128, 0, TFM_GCM, 16),
	/*  2 */ AEAD("gcm(aes)", 20, 128, 0, NULL, 0),
	/*  3 */ AEAD(GCM " ", 20, 128, 0, NULL, 0),
	/*  4 */ AEAD(" " GCM, 20, 128, 0, NULL, 0),
	/*  5 */ AEAD("RFC4106(GCM(AES))", 20, 128, 0, NULL, 0),
	/*  6 */ AEAD("rfc4106", 20, 128, 0, NULL, 0),
	/*  7 */ AEAD(TFM_GCM, 20, 128, 0, NULL, 0),
	/*  8 */ AEAD("", 20, 128, 0, NULL, 0),
	/*  9 */ AEAD(CBC, 20, 128, 0, NULL, 0),
	/* 10 */ AEAD("rfc4543(gcm(aes))", 20, 128, 0, NULL, 0),
	/* 11 */ AUTHENC(CBC, 16, SHA256, 32, 0, 0, TFM_256, 12),
	/* 12 */ AUTHENC("CBC(AES)", 16, SHA256, 32, 0, 0, NULL, 0),
	/* 13 */ AUTHENC(CBC " ", 16, SHA256, 32, 0, 0, NULL, 0),
	/* 14 */ AUTHENC("ecb(aes)", 16, SHA256, 32, 0, 0, NULL, 0),
	/* 15 */ AUTHENC("cbc(des3_ede)", 24, SHA256, 32, 0, 0, NULL, 0),
	/* 16 */ AUTHENC(GCM, 20, SHA256, 32, 0, 0, NULL, 0),
	/* 17 */ AUTHENC("", 16, SHA256, 32, 0, 0, NULL, 0),
	/* 18 */ AUTHENC(CBC, 16, "hmac(sha1)", 20, 0, 0, NULL, 0),
	/* 19 */ AUTHENC(CBC, 16, SHA256 " ", 32, 0, 0, NULL, 0),
	/* 20 */ AUTHENC(CBC, 16, "HMAC(SHA256)", 32, 0, 0, NULL, 0),
	/* 21 */ AUTHENC(CBC, 16, "hmac", 32, 0, 0, NULL, 0),
	/* 22 */ AUTHENC(CBC, 16, "hmac(sha2", 32, 0, 0, NULL, 0),
	/* 23 */ AUTHENC(CBC, 16, "sha256", 32, 0, 0, NULL, 0),
	/* 24 */ AUTHENC(CBC, 16, "", 32, 0, 0, NULL, 0),
	/* 25 */ AUTHENC(CBC, 16, "hmac(md5)", 16, 0, 0, NULL, 0),
	/* 26 */ AUTHENC(CBC, 16, SHA384, 48, 0, 0, TFM_384, 24),
	/* 27 */ AUTHENC(CBC, 16, SHA512, 64, 0, 0, TFM_512, 32),
	/* ESN picks the authencesn transform; GCM takes ESN as it is */
	/* 28 */ AUTHENC(CBC, 16, SHA256, 32, 0, ESN, TFM_256_ESN, 12),
	/* 29 */ AUTHENC(CBC, 32, SHA384, 48, 0, ESN, TFM_384_ESN, 24),
	/* 30 */ AUTHENC(CBC, 24, SHA512, 64, 128, ESN, TFM_512_ESN, 16),
	/* 31 */ AEAD(GCM, 36, 96, ESN, TFM_GCM, 12),
	/* an empty authentication key */
	/* 32 */ AUTHENC(CBC, 16, SHA256, 0, 0, 0, NULL, 0),
	/* 33 */ AUTHENC(CBC, 16, SHA512, 0, 256, ESN, NULL, 0),
	/* any HMAC key length but 0 */
	/* 34 */ AUTHENC(CBC, 16, SHA256, 1, 0, 0, TFM_256, 12),
	/* 35 */ AUTHENC(CBC, 16, SHA256, 100, 128, 0, TFM_256, 16),
	/* the AEAD run asynchronously: pcrypt, nothing else */
	/* 36 */ AEAD("pcrypt(" GCM ")", 20, 128, 0, TFM_PCRYPT, 16),
	/* 37 */ AEAD("pcrypt(" GCM ")", 36, 96, ESN, TFM_PCRYPT, 12),
	/* 38 */ AEAD("pcrypt(" GCM ")", 21, 128, 0, NULL, 0),
	/* 39 */ AEAD("cryptd(" GCM ")", 20, 128, 0, NULL, 0),
	/* 40 */ AEAD("pcrypt(gcm(aes))", 20, 128, 0, NULL, 0),
	/* 41 */ AEAD("pcrypt(" TFM_GCM ")", 20, 128, 0, NULL, 0),
	/* 42 */ AUTHENC("pcrypt(" CBC ")", 16, SHA256, 32, 0, 0, NULL, 0),
};

/*
 * Run one case: the plan on success, -EINVAL with an extack message on
 * rejection. Returns false if the unit disagreed.
 */
static bool alg_run(struct kunit *test, unsigned int num,
		    const struct alg_case *ac)
{
	struct netlink_ext_ack extack = {};
	struct nfipsec_alg_plan plan = {};
	struct nfipsec_sa_cfg *cfg;
	bool good = true;
	int err;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	cfg->is_aead = ac->aead;
	cfg->flags = ac->flags;
	strscpy(cfg->alg[0].name, ac->name, sizeof(cfg->alg[0].name));
	cfg->keylen[0] = ac->keylen;
	if (ac->aead) {
		cfg->alg[0].icv_bits = ac->icv_bits;
	} else {
		strscpy(cfg->alg[1].name, ac->auth, sizeof(cfg->alg[1].name));
		cfg->alg[1].icv_bits = ac->trunc_bits;
		cfg->keylen[1] = ac->authkeylen;
	}
	err = nfipsec_alg_check(cfg, &plan, &extack);
	kfree(cfg);

	if (ac->tfm) {
		good = !err && plan.tfm && !strcmp(plan.tfm, ac->tfm) &&
		       !plan.pcrypt == !strstr(ac->tfm, "pcrypt(") &&
		       plan.icv_bytes == ac->icv_bytes && !extack._msg &&
		       (ac->aead ? !plan.auth : !strcmp(plan.auth, ac->auth));
		KUNIT_EXPECT_TRUE_MSG(test, good,
				      "case %u: %d %s icv %u (%s), want %s icv %u",
				      num, err, plan.tfm ?: "-", plan.icv_bytes,
				      extack._msg ?: "", ac->tfm, ac->icv_bytes);
	} else {
		good = err == -EINVAL && extack._msg;
		KUNIT_EXPECT_TRUE_MSG(test, good,
				      "case %u: %d (%s), want -EINVAL with a message",
				      num, err, extack._msg ?: "no message");
	}
	return good;
}

static void alg_table(struct kunit *test)
{
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(alg_cases); c++)
		alg_run(test, c + 1, &alg_cases[c]);
}

/* AEAD keys 19..37 bytes: AES-128/192/256 and a 4-byte salt only. */
static void alg_aead_keys(struct kunit *test)
{
	struct alg_case ac = AEAD(GCM, 0, 128, 0, NULL, 16);
	unsigned int num = 0;

	for (ac.keylen = 19; ac.keylen <= 37; ac.keylen++) {
		ac.tfm = ac.keylen == 20 || ac.keylen == 28 || ac.keylen == 36 ?
			 TFM_GCM : NULL;
		alg_run(test, ++num, &ac);
	}
	ac.keylen = 0;
	ac.tfm = NULL;
	alg_run(test, ++num, &ac);
	ac.keylen = 16;			/* AES key without its salt */
	alg_run(test, ++num, &ac);
	KUNIT_EXPECT_EQ(test, num, 21U);
}

struct alg_bits_case {
	u32 bits;
	bool ok;
};

static const struct alg_bits_case alg_icv_cases[] = {
	/*  1 */ { 64, true },
	/*  2 */ { 96, true },
	/*  3 */ { 128, true },
	/*  4 */ { 0, false },
	/*  5 */ { 32, false },
	/*  6 */ { 63, false },
	/*  7 */ { 65, false },
	/*  8 */ { 127, false },
	/*  9 */ { 129, false },
	/* 10 */ { 256, false },
	/* 11 */ { 8, false },
	/* 12 */ { 112, false },
	/* 13 */ { U32_MAX, false },
};

static void alg_aead_icv(struct kunit *test)
{
	struct alg_case ac = AEAD(GCM, 28, 0, 0, NULL, 0);
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(alg_icv_cases); c++) {
		ac.icv_bits = alg_icv_cases[c].bits;
		ac.tfm = alg_icv_cases[c].ok ? TFM_GCM : NULL;
		ac.icv_bytes = ac.icv_bits / 8;
		alg_run(test, c + 1, &ac);
	}
}

static const struct alg_bits_case alg_cbc_keys[] = {
	/*  1 */ { 15, false },
	/*  2 */ { 16, true },
	/*  3 */ { 17, false },
	/*  4 */ { 23, false },
	/*  5 */ { 24, true },
	/*  6 */ { 25, false },
	/*  7 */ { 31, false },
	/*  8 */ { 32, true },
	/*  9 */ { 33, false },
	/* 10 */ { 0, false },
	/* 11 */ { 20, false },	/* a GCM key length */
	/* 12 */ { 64, false },
};

static void alg_cbc_keylen(struct kunit *test)
{
	struct alg_case ac = AUTHENC(CBC, 0, SHA256, 32, 128, 0, NULL, 16);
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(alg_cbc_keys); c++) {
		ac.keylen = alg_cbc_keys[c].bits;
		ac.tfm = alg_cbc_keys[c].ok ? TFM_256 : NULL;
		alg_run(test, c + 1, &ac);
	}
}

/*
 * Truncation per HMAC: 0 is the default ip xfrm applies, then every
 * multiple of 8 from 64 to the digest size; anything else is refused.
 */
static void alg_trunc(struct kunit *test)
{
	static const struct {
		const char *auth;
		const char *tfm;
		u32 full;
		u32 dflt;
	} auths[] = {
		{ SHA256, TFM_256, 256, 96 },
		{ SHA384, TFM_384, 384, 192 },
		{ SHA512, TFM_512, 512, 256 },
	};
	unsigned int a, num = 0, i;
	struct alg_case ac;

	for (a = 0; a < ARRAY_SIZE(auths); a++) {
		const u32 bad[] = { 8, 32, 56, 63, 65, 66, 71, 72 + 4,
				    auths[a].full - 1, auths[a].full + 1,
				    auths[a].full + 8, 1024, U32_MAX };

		ac = (struct alg_case)AUTHENC(CBC, 16, auths[a].auth, 32, 0, 0,
					      auths[a].tfm, auths[a].dflt / 8);
		/* the default */
		alg_run(test, ++num, &ac);
		for (ac.trunc_bits = 64; ac.trunc_bits <= auths[a].full;
		     ac.trunc_bits += 8) {
			ac.icv_bytes = ac.trunc_bits / 8;
			alg_run(test, ++num, &ac);
		}
		ac.tfm = NULL;
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			ac.trunc_bits = bad[i];
			alg_run(test, ++num, &ac);
		}
	}
	kunit_info(test, "%u cases", num);
}

#undef AEAD
#undef AUTHENC
#undef GCM
#undef CBC
#undef SHA256
#undef SHA384
#undef SHA512
#undef TFM_GCM
#undef TFM_256
#undef TFM_384
#undef TFM_512
#undef TFM_256_ESN
#undef TFM_384_ESN
#undef TFM_512_ESN
#undef ESN

static struct kunit_case nfipsec_alg_cases[] = {
	KUNIT_CASE(alg_table),
	KUNIT_CASE(alg_aead_keys),
	KUNIT_CASE(alg_aead_icv),
	KUNIT_CASE(alg_cbc_keylen),
	KUNIT_CASE(alg_trunc),
	{}
};

static struct kunit_suite nfipsec_alg_suite = {
	.name = "nfipsec_alg",
	.test_cases = nfipsec_alg_cases,
};
