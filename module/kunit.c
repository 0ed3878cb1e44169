// SPDX-License-Identifier: GPL-2.0
/*
 * nfipsec_kunit.ko: the KUnit suites of nfipsec's units, in a module of
 * their own. The units are compiled into this translation unit together
 * with their tests, so static helpers are reachable and nfipsec.ko itself
 * carries no test code. What the units call outside themselves (the SA
 * object, the datapath completions) is stubbed below.
 *
 * Built only against a kernel with CONFIG_KUNIT; insmod runs every suite
 * and leaves the results in /sys/kernel/debug/kunit/<suite>/results.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "hash.c"
#include "replay.c"
#include "alg.c"
#include "sa_crypto.c"
#include "sad.c"
#include "spd.c"
#include "esp.c"
#include "txorder.c"

/* ---- stubs for what the units call outside themselves ---- */

/* Test SAs carved out of one big array: the array owner frees them. */
#define NFIPSEC_TEST_SA_F_BULK	BIT(31)

static atomic_t nfipsec_test_sa_allocs = ATOMIC_INIT(0);
static atomic_t nfipsec_test_sa_frees = ATOMIC_INIT(0);

/* sa.c: the last reference frees the SA after a grace period. */
void nfipsec_sa_put(struct nfipsec_sa *sa)
{
	if (!sa || !refcount_dec_and_test(&sa->ref))
		return;
	atomic_inc(&nfipsec_test_sa_frees);
	if (!(sa->flags & NFIPSEC_TEST_SA_F_BULK))
		kfree_rcu(sa, rcu);
}

static atomic_t nfipsec_test_takeovers = ATOMIC_INIT(0);

/* sa.c: the last step of an update; the state only, and counted. */
void nfipsec_sa_takeover(struct nfipsec_sa *sa, struct nfipsec_sa *old)
{
	atomic_inc(&nfipsec_test_takeovers);
	WRITE_ONCE(old->state, NFIPSEC_SA_STATE_DEAD);
	WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_VALID);
}

/* main.c: nothing is ever in flight, esp_input/esp_output are not run. */
void nfipsec_inflight_get(struct nfipsec_net *nn)
{
}

void nfipsec_inflight_put(struct nfipsec_net *nn)
{
}

/* output.c and input.c: the datapath halves esp.c hands packets back to. */
void nfipsec_output_done(struct sk_buff *skb, int err)
{
	kfree_skb(skb);
}

void nfipsec_input_done(struct sk_buff *skb, int err)
{
	kfree_skb(skb);
}

/* ---- helpers shared by the suites ---- */

/* A reproducible random stream: the seed is printed by each user. */
static u32 nfipsec_test_rand(struct rnd_state *rnd, u32 ceil)
{
	return prandom_u32_state(rnd) % ceil;
}

#include "replay_test.c"
#include "spd_test.c"
#include "sad_test.c"
#include "esp_test.c"
#include "alg_test.c"
#include "sa_crypto_test.c"
#include "txorder_test.c"

kunit_test_suites(&nfipsec_replay_suite, &nfipsec_esn_suite,
		  &nfipsec_spd_suite, &nfipsec_sad_suite,
		  &nfipsec_esp_trailer_suite, &nfipsec_alg_suite,
		  &nfipsec_sa_crypto_suite, &nfipsec_txorder_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the nfipsec units");
