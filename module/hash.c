// SPDX-License-Identifier: GPL-2.0
/*
 * Keyed hashing for the SAD and SPD tables: SipHash under a random key made
 * at module load, mixed with the random seed rhashtable draws for each table
 * (and again on every rehash), so each table hashes under its own key.
 */
#include <linux/cache.h>
#include <linux/random.h>
#include <linux/siphash.h>

#include "nfipsec.h"

static siphash_key_t nfipsec_hash_key __ro_after_init;

void __init nfipsec_hash_init(void)
{
	get_random_bytes(&nfipsec_hash_key, sizeof(nfipsec_hash_key));
}

u32 nfipsec_hash(const void *data, u32 len, u32 seed)
{
	siphash_key_t key = {
		.key = { nfipsec_hash_key.key[0] ^ seed,
			 nfipsec_hash_key.key[1] },
	};

	return (u32)siphash(data, len, &key);
}
