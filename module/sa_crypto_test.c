// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of sa_crypto.c: once an SA's transform is freed, none of its
 * key bytes is left in memory. Each case keys a real transform with fresh
 * random keys, finds the AES key in slab memory while the transform lives
 * (its key schedule starts with the key), frees it the way the SA's last
 * reference does, and scans again: every slab page, freed objects
 * included (KASAN's quarantine keeps them unreused for a while). A first
 * case shows that the scan finds a key freed without zeroing, so a
 * transform that leaked its key would fail here. Included by kunit.c.
 */
#include <linux/mm.h>

/* Reads freed objects on purpose, so without KASAN's checks. */
static unsigned long __no_sanitize_address
sa_crypto_find(const u8 *mem, size_t size, const u8 *needle, size_t len)
{
	unsigned long hits = 0;
	size_t i, j;

	for (i = 0; i + len <= size; i++) {
		if (mem[i] != needle[0])
			continue;
		for (j = 1; j < len && mem[i + j] == needle[j]; j++)
			;
		hits += j == len;
	}
	return hits;
}

/* Where the key occurs in slab memory (kmalloc'd transforms and SAs). */
static unsigned long sa_crypto_scan(const u8 *needle, size_t len)
{
	unsigned long pfn, end, hits = 0;
	struct page *page;
	pg_data_t *pgdat;
	size_t size;
	int nid;

	for_each_online_node(nid) {
		pgdat = NODE_DATA(nid);
		end = pgdat_end_pfn(pgdat);
		for (pfn = pgdat->node_start_pfn; pfn < end; pfn++) {
			if (!(pfn & 4095))
				cond_resched();
			if (!pfn_valid(pfn))
				continue;
			page = pfn_to_page(pfn);
			/* A slab is a compound page: scan it from its head. */
			if (!PageSlab(page) || PageTail(page))
				continue;
			size = min_t(unsigned long, page_size(page),
				     (end - pfn) << PAGE_SHIFT);
			hits += sa_crypto_find(page_address(page), size,
					       needle, len);
		}
	}
	return hits;
}

/* The scan sees freed memory: a key freed without zeroing is found. */
static void sa_crypto_scan_sees_freed(struct kunit *test)
{
	unsigned long n;
	u8 key[16];
	u8 *buf;

	get_random_bytes(key, sizeof(key));
	KUNIT_EXPECT_EQ(test, sa_crypto_scan(key, sizeof(key)), 0);
	/* At 160: clear of SLUB's free pointer (mid-object) and KASAN's. */
	buf = kmalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf + 160, key, sizeof(key));
	KUNIT_EXPECT_EQ(test, sa_crypto_scan(key, sizeof(key)), 1);
	kfree(buf);
	KUNIT_EXPECT_EQ_MSG(test, sa_crypto_scan(key, sizeof(key)), 1,
			    "a key freed without zeroing must be found");
	/* The same, zeroed on free: one copy fewer. */
	buf = kmalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf + 160, key, sizeof(key));
	n = sa_crypto_scan(key, sizeof(key));
	KUNIT_EXPECT_GE(test, n, 1);
	kfree_sensitive(buf);
	KUNIT_EXPECT_EQ(test, sa_crypto_scan(key, sizeof(key)), n - 1);
	memzero_explicit(key, sizeof(key));
}

struct sa_crypto_case {
	const char *desc;
	bool aead;
	const char *enc;
	u32 keylen;		/* bytes; AEAD: with the 4-byte salt */
	u32 icv_bits;
	const char *auth;
	u32 authkeylen;
	u32 trunc_bits;
};

static const struct sa_crypto_case sa_crypto_cases[] = {
	{ "1 gcm128", true, "rfc4106(gcm(aes))", 20, 128 },
	{ "2 gcm256", true, "rfc4106(gcm(aes))", 36, 64 },
	{ "3 cbc128-sha256", false, "cbc(aes)", 16, 0,
	  "hmac(sha256)", 32, 128 },
	{ "4 cbc256-sha512", false, "cbc(aes)", 32, 0,
	  "hmac(sha512)", 64, 256 },
};

static void sa_crypto_case_desc(const struct sa_crypto_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sa_crypto, sa_crypto_cases, sa_crypto_case_desc);

static void sa_crypto_keys_wiped(struct kunit *test)
{
	const struct sa_crypto_case *c = test->param_value;
	struct nfipsec_sa_cfg cfg = { .is_aead = c->aead };
	u8 enc[36], auth[64];
	struct nfipsec_sa *sa;
	u8 *kenc, *kauth;
	unsigned long live, left;
	u32 aes_len;
	int err;

	get_random_bytes(enc, c->keylen);
	get_random_bytes(auth, c->authkeylen);
	aes_len = c->aead ? c->keylen - 4 : c->keylen;
	/* The copies the SA is created from, as netlink's message would be. */
	kenc = kmemdup(enc, c->keylen, GFP_KERNEL);
	kauth = kmemdup(auth, max(c->authkeylen, 1U), GFP_KERNEL);
	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!kenc || !kauth || !sa) {
		KUNIT_FAIL(test, "out of memory");
		goto out;
	}

	strscpy(cfg.alg[0].name, c->enc, sizeof(cfg.alg[0].name));
	cfg.alg[0].icv_bits = c->icv_bits;
	cfg.key[0] = kenc;
	cfg.keylen[0] = c->keylen;
	if (!c->aead) {
		strscpy(cfg.alg[1].name, c->auth, sizeof(cfg.alg[1].name));
		cfg.alg[1].icv_bits = c->trunc_bits;
		cfg.key[1] = kauth;
		cfg.keylen[1] = c->authkeylen;
	}
	err = nfipsec_sa_crypto_init(sa, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, err, 0);
	kfree_sensitive(kenc);
	kfree_sensitive(kauth);
	kenc = NULL;
	kauth = NULL;
	if (err)
		goto out;

	/* The SA holds no key; its transform holds the key schedule. */
	KUNIT_EXPECT_EQ(test, sa_crypto_find((u8 *)sa, sizeof(*sa), enc,
					     aes_len), 0);
	live = sa_crypto_scan(enc, aes_len);
	KUNIT_EXPECT_GE_MSG(test, live, 1,
			    "the live key schedule was not found: the scan is blind");

	/* What the SA's last reference does (sa.c). */
	nfipsec_sa_crypto_free(sa);
	KUNIT_EXPECT_NULL(test, sa->aead);
	kfree_sensitive(sa);
	sa = NULL;

	left = sa_crypto_scan(enc, aes_len);
	KUNIT_EXPECT_EQ_MSG(test, left, 0,
			    "encryption key bytes left in freed memory");
	kunit_info(test, "%s: AES key in memory %lu times while keyed, %lu after free",
		   c->desc, live, left);
	if (!c->aead)
		KUNIT_EXPECT_EQ_MSG(test,
				    sa_crypto_scan(auth, c->authkeylen), 0,
				    "authentication key left in freed memory");
out:
	if (sa)
		nfipsec_sa_crypto_free(sa);
	kfree_sensitive(sa);
	kfree_sensitive(kenc);
	kfree_sensitive(kauth);
	memzero_explicit(enc, sizeof(enc));
	memzero_explicit(auth, sizeof(auth));
}

static struct kunit_case sa_crypto_test_cases[] = {
	KUNIT_CASE(sa_crypto_scan_sees_freed),
	KUNIT_CASE_PARAM(sa_crypto_keys_wiped, sa_crypto_gen_params),
	{}
};

static struct kunit_suite nfipsec_sa_crypto_suite = {
	.name = "nfipsec_sa_crypto",
	.test_cases = sa_crypto_test_cases,
};
