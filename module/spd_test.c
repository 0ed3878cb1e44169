// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of spd.c (nfipsec_spd): policy matching by prefix, protocol
 * and ports, priorities, replacement, unlink and flush, and a random
 * differential test against a naive linear reference. Included by kunit.c.
 */

#define IP4(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (d))

struct spd_def {
	u8 dir;
	u32 src;		/* host order */
	u8 src_plen;
	u32 dst;
	u8 dst_plen;
	u8 proto;
	u16 sport;
	u16 dport;
	u32 priority;
};

struct spd_flow_def {
	u8 dir;
	u32 src;
	u32 dst;
	u8 proto;
	u16 sport;
	u16 dport;
	int want;		/* index into the policy table, -1: none */
};

static int spd_test_init(struct kunit *test)
{
	struct nfipsec_net *nn = kunit_kzalloc(test, sizeof(*nn), GFP_KERNEL);

	if (!nn)
		return -ENOMEM;
	mutex_init(&nn->lock);
	test->priv = nn;
	return nfipsec_spd_init(&nn->spd);
}

static void spd_test_exit(struct kunit *test)
{
	struct nfipsec_net *nn = test->priv;

	nfipsec_spd_destroy(nn);
	rcu_barrier();		/* policy frees run module code */
	mutex_destroy(&nn->lock);
}

static u32 spd_mask(u32 addr, u8 plen)
{
	return plen ? addr & (~0U << (32 - plen)) : 0;
}

static struct nfipsec_policy *spd_policy(struct kunit *test,
					 const struct spd_def *d)
{
	struct nfipsec_policy *pol = nfipsec_policy_alloc();

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pol->key.dir = d->dir;
	pol->key.sel.family = AF_INET;
	pol->key.sel.src.a4 = htonl(spd_mask(d->src, d->src_plen));
	pol->key.sel.src_plen = d->src_plen;
	pol->key.sel.dst.a4 = htonl(spd_mask(d->dst, d->dst_plen));
	pol->key.sel.dst_plen = d->dst_plen;
	pol->key.sel.proto = d->proto;
	pol->key.sel.sport = d->sport;
	pol->key.sel.dport = d->dport;
	pol->priority = d->priority;
	pol->action = NFIPSEC_ACTION_PROTECT;
	return pol;
}

static int spd_insert(struct nfipsec_net *nn, struct nfipsec_policy *pol,
		      struct nfipsec_policy *old)
{
	int err;

	mutex_lock(&nn->lock);
	err = nfipsec_spd_insert(nn, pol, old);
	mutex_unlock(&nn->lock);
	return err;
}

/* Insert a new policy; the test owns nothing afterwards. */
static struct nfipsec_policy *spd_add(struct kunit *test,
				      const struct spd_def *d)
{
	struct nfipsec_policy *pol = spd_policy(test, d);
	int err = spd_insert(test->priv, pol, NULL);

	if (err)
		nfipsec_policy_free(pol);
	KUNIT_ASSERT_EQ(test, err, 0);
	return pol;
}

static void spd_flow(struct nfipsec_flow *flow, u32 src, u32 dst, u8 proto,
		     u16 sport, u16 dport)
{
	memset(flow, 0, sizeof(*flow));
	flow->family = AF_INET;
	flow->src.a4 = htonl(src);
	flow->dst.a4 = htonl(dst);
	flow->proto = proto;
	flow->sport = sport;
	flow->dport = dport;
}

static struct nfipsec_policy *spd_lookup(struct nfipsec_net *nn, u8 dir,
					 u32 src, u32 dst, u8 proto,
					 u16 sport, u16 dport)
{
	struct nfipsec_policy *pol;
	struct nfipsec_flow flow;

	spd_flow(&flow, src, dst, proto, sport, dport);
	rcu_read_lock();
	pol = nfipsec_spd_lookup(nn, dir, &flow);
	rcu_read_unlock();
	return pol;	/* compared as a pointer only */
}

#define OUT NFIPSEC_DIR_OUT
#define IN NFIPSEC_DIR_IN
#define FWD NFIPSEC_DIR_FWD
#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP
#define ICMP IPPROTO_ICMP

static const struct spd_def spd_match_pols[] = {
	/*  0 */ { OUT, 0, 0, IP4(10, 0, 0, 0), 8, 0, 0, 0, 100 },
	/*  1 */ { OUT, 0, 0, IP4(10, 1, 2, 0), 24, 0, 0, 0, 50 },
	/*  2 */ { OUT, 0, 0, IP4(10, 1, 2, 3), 32, TCP, 0, 443, 50 },
	/*  3 */ { OUT, IP4(192, 168, 0, 0), 16, IP4(10, 1, 2, 3), 32,
		   TCP, 0, 443, 10 },
	/*  4 */ { OUT, 0, 0, 0, 0, 0, 0, 0, 1000 },	/* catch all */
	/*  5 */ { OUT, 0, 0, IP4(172, 16, 0, 0), 13, 0, 0, 0, 20 },
	/*  6 */ { OUT, 0, 0, IP4(172, 16, 0, 0), 12, 0, 0, 0, 30 },
	/*  7 */ { OUT, IP4(198, 51, 100, 128), 25, IP4(203, 0, 113, 6), 31,
		   0, 0, 0, 40 },
	/*  8 */ { OUT, 0, 0, IP4(203, 0, 113, 0), 27, UDP, 500, 0, 40 },
	/*  9 */ { OUT, 0, 0, IP4(128, 0, 0, 0), 1, ICMP, 8, 0, 60 },
	/* 10 */ { OUT, IP4(10, 9, 0, 0), 16, 0, 0, UDP, 0, 53, 5 },
	/* 11 */ { IN, 0, 0, IP4(10, 0, 0, 0), 8, 0, 0, 0, 1 },
};

static const struct spd_flow_def spd_match_flows[] = {
	/*  1 */ { OUT, IP4(10, 5, 5, 5), IP4(10, 200, 0, 1), TCP, 1, 2, 0 },
	/*  2 */ { OUT, IP4(1, 1, 1, 1), IP4(10, 1, 2, 9), TCP, 1, 80, 1 },
	/* equal priority: the older policy wins */
	/*  3 */ { OUT, IP4(1, 1, 1, 1), IP4(10, 1, 2, 3), TCP, 1, 443, 1 },
	/*  4 */ { OUT, IP4(192, 168, 4, 4), IP4(10, 1, 2, 3), TCP, 1, 443, 3 },
	/*  5 */ { OUT, IP4(192, 168, 4, 4), IP4(10, 1, 2, 3), TCP, 1, 444, 1 },
	/*  6 */ { OUT, IP4(192, 168, 4, 4), IP4(10, 1, 2, 3), UDP, 1, 443, 1 },
	/*  7 */ { OUT, IP4(1, 1, 1, 1), IP4(172, 23, 255, 255), TCP, 1, 2, 5 },
	/*  8 */ { OUT, IP4(1, 1, 1, 1), IP4(172, 24, 0, 0), TCP, 1, 2, 6 },
	/*  9 */ { OUT, IP4(1, 1, 1, 1), IP4(172, 32, 0, 0), TCP, 1, 2, 4 },
	/* 10 */ { OUT, IP4(198, 51, 100, 200), IP4(203, 0, 113, 7), UDP, 500,
		   500, 7 },
	/* 11 */ { OUT, IP4(198, 51, 100, 127), IP4(203, 0, 113, 7), UDP, 500,
		   500, 8 },
	/* 12 */ { OUT, IP4(198, 51, 100, 200), IP4(203, 0, 113, 8), UDP, 500,
		   1, 8 },
	/* 13 */ { OUT, IP4(198, 51, 100, 200), IP4(203, 0, 113, 5), TCP, 500,
		   1, 4 },
	/* 14 */ { OUT, IP4(9, 9, 9, 9), IP4(200, 1, 1, 1), ICMP, 8, 0, 9 },
	/* 15 */ { OUT, IP4(9, 9, 9, 9), IP4(200, 1, 1, 1), ICMP, 0, 0, 4 },
	/* 16 */ { OUT, IP4(9, 9, 9, 9), IP4(100, 1, 1, 1), ICMP, 8, 0, 4 },
	/* 17 */ { OUT, IP4(10, 9, 1, 1), IP4(8, 8, 8, 8), UDP, 1, 53, 10 },
	/* 18 */ { OUT, IP4(10, 9, 1, 1), IP4(10, 1, 2, 9), UDP, 1, 53, 10 },
	/* 19 */ { OUT, IP4(10, 9, 1, 1), IP4(10, 1, 2, 9), UDP, 1, 54, 1 },
	/* 20 */ { OUT, IP4(10, 10, 1, 1), IP4(8, 8, 8, 8), UDP, 1, 53, 4 },
	/* 21 */ { IN, IP4(1, 1, 1, 1), IP4(10, 1, 1, 1), TCP, 1, 2, 11 },
	/* 22 */ { IN, IP4(1, 1, 1, 1), IP4(11, 1, 1, 1), TCP, 1, 2, -1 },
	/* 23 */ { FWD, IP4(10, 1, 1, 1), IP4(10, 1, 1, 1), TCP, 1, 2, -1 },
	/* 24 */ { OUT, IP4(1, 1, 1, 1), IP4(10, 255, 255, 255), 0, 0, 0, 0 },
	/* 25 */ { OUT, IP4(1, 1, 1, 1), IP4(11, 0, 0, 0), 0, 0, 0, 4 },
	/* 26 */ { OUT, IP4(1, 1, 1, 1), IP4(9, 255, 255, 255), 0, 0, 0, 4 },
	/* 27 */ { OUT, IP4(1, 1, 1, 1), IP4(172, 15, 255, 255), 0, 0, 0, 4 },
	/* 28 */ { OUT, IP4(1, 1, 1, 1), IP4(172, 31, 255, 255), 0, 0, 0, 6 },
	/* 29 */ { OUT, IP4(198, 51, 100, 255), IP4(203, 0, 113, 6), TCP, 1, 1,
		   7 },
	/* 30 */ { OUT, IP4(1, 1, 1, 1), IP4(127, 255, 255, 255), ICMP, 8, 0,
		   4 },
	/* 31 */ { OUT, IP4(1, 1, 1, 1), IP4(255, 255, 255, 255), ICMP, 0, 3,
		   4 },
	/* ICMP: the code is the "destination port", any code here */
	/* 32 */ { OUT, IP4(1, 1, 1, 1), IP4(255, 255, 255, 255), ICMP, 8, 3,
		   9 },
	/* 33 */ { OUT, IP4(1, 1, 1, 1), IP4(255, 255, 255, 255), ICMP, 8, 0,
		   9 },
};

static void spd_match(struct kunit *test)
{
	struct nfipsec_policy *pols[ARRAY_SIZE(spd_match_pols)];
	struct nfipsec_net *nn = test->priv;
	struct nfipsec_policy *got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(spd_match_pols); i++)
		pols[i] = spd_add(test, &spd_match_pols[i]);
	KUNIT_EXPECT_EQ(test, nn->spd.count[OUT], 11U);
	KUNIT_EXPECT_EQ(test, nn->spd.count[IN], 1U);
	KUNIT_EXPECT_EQ(test, nn->spd.count[FWD], 0U);

	for (i = 0; i < ARRAY_SIZE(spd_match_flows); i++) {
		const struct spd_flow_def *f = &spd_match_flows[i];

		got = spd_lookup(nn, f->dir, f->src, f->dst, f->proto,
				 f->sport, f->dport);
		KUNIT_EXPECT_PTR_EQ_MSG(test, got,
					f->want < 0 ? NULL : pols[f->want],
					"flow %u: want policy %d, got index %u",
					i + 1, f->want, got ? got->index : 0);
	}
	/* every insertion got a fresh index, in order */
	for (i = 0; i < ARRAY_SIZE(spd_match_pols); i++)
		KUNIT_EXPECT_EQ(test, pols[i]->index, i + 1);
	/* hits counted per policy */
	KUNIT_EXPECT_EQ(test, nfipsec_policy_hits(pols[1]), 5ULL);
	KUNIT_EXPECT_EQ(test, nfipsec_policy_hits(pols[2]), 0ULL);
}

/* Inserting the same (dir, selector) twice fails; the first stays. */
static void spd_duplicate(struct kunit *test)
{
	static const struct spd_def d = {
		OUT, 0, 0, IP4(10, 0, 0, 0), 8, 0, 0, 0, 10
	};
	struct nfipsec_net *nn = test->priv;
	struct nfipsec_policy *a, *b;
	struct nfipsec_pol_key key;
	int err;

	a = spd_add(test, &d);
	b = spd_policy(test, &d);
	b->priority = 1;
	err = spd_insert(nn, b, NULL);
	/* 1 */ KUNIT_EXPECT_EQ(test, err, -EEXIST);
	/* 2 */ KUNIT_EXPECT_EQ(test, nn->spd.count[OUT], 1U);
	/* 3 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, IP4(10, 1, 1, 1),
						 0, 0, 0), a);
	if (err) {
		nfipsec_policy_free(b);
	} else {
		/* the unit took it: take it out again */
		mutex_lock(&nn->lock);
		nfipsec_spd_unlink(nn, b);
		mutex_unlock(&nn->lock);
	}
	/* 4: the same selector in another direction is another policy */
	b = spd_policy(test, &d);
	b->key.dir = IN;
	KUNIT_EXPECT_EQ(test, spd_insert(nn, b, NULL), 0);
	/* 5 */ key = a->key;
	mutex_lock(&nn->lock);
	KUNIT_EXPECT_PTR_EQ(test, nfipsec_spd_find(nn, &key), a);
	key.dir = IN;
	/* 6 */ KUNIT_EXPECT_PTR_EQ(test, nfipsec_spd_find(nn, &key), b);
	key.dir = FWD;
	/* 7 */ KUNIT_EXPECT_NULL(test, nfipsec_spd_find(nn, &key));
	/* 8 */ KUNIT_EXPECT_PTR_EQ(test, nfipsec_spd_find_index(nn, b->index), b);
	/* 9 */ KUNIT_EXPECT_NULL(test, nfipsec_spd_find_index(nn, 1000));
	mutex_unlock(&nn->lock);
}

/*
 * Replacement (insert with old) takes the old policy's place in the
 * tables and keeps its index; like `ip xfrm policy update` it is queued
 * behind the other policies of its priority.
 */
static void spd_replace(struct kunit *test)
{
	static const struct spd_def defs[] = {
		/* A */ { OUT, 0, 0, IP4(10, 0, 0, 0), 8, 0, 0, 0, 10 },
		/* B */ { OUT, 0, 0, IP4(10, 1, 0, 0), 16, 0, 0, 0, 10 },
		/* C */ { OUT, 0, 0, 0, 0, 0, 0, 0, 20 },
	};
	struct nfipsec_net *nn = test->priv;
	struct nfipsec_policy *a, *b, *c, *a2, *a3, *b2;
	const u32 in_b = IP4(10, 1, 1, 1), in_a = IP4(10, 2, 2, 2);
	u32 index;

	a = spd_add(test, &defs[0]);
	b = spd_add(test, &defs[1]);
	c = spd_add(test, &defs[2]);
	index = a->index;
	/* 1 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_b, 0, 0, 0), a);

	/* same priority: A2 replaces A, keeps A's index */
	a2 = spd_policy(test, &defs[0]);
	a2->action = NFIPSEC_ACTION_BLOCK;
	mutex_lock(&nn->lock);
	/* 2 */ KUNIT_EXPECT_PTR_EQ(test, nfipsec_spd_find(nn, &a2->key), a);
	/* 3 */ KUNIT_EXPECT_EQ(test, nfipsec_spd_insert(nn, a2, a), 0);
	/* 4 */ KUNIT_EXPECT_PTR_EQ(test, nfipsec_spd_find(nn, &a2->key), a2);
	/* 5 */ KUNIT_EXPECT_EQ(test, a2->index, index);
	/* 6 */ KUNIT_EXPECT_PTR_EQ(test, nfipsec_spd_find_index(nn, index), a2);
	mutex_unlock(&nn->lock);
	/* 7 */ KUNIT_EXPECT_EQ(test, nn->spd.count[OUT], 3U);
	/* 8 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_a, 0, 0, 0), a2);
	/* 9: behind B now, as ip xfrm policy update does */
	KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_b, 0, 0, 0), b);

	/* a higher priority number moves it behind the catch all */
	a3 = spd_policy(test, &defs[0]);
	a3->priority = 30;
	/* 10 */ KUNIT_EXPECT_EQ(test, spd_insert(nn, a3, a2), 0);
	/* 11 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_a, 0, 0, 0), c);
	/* 12 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_b, 0, 0, 0), b);
	/* 13 */ KUNIT_EXPECT_EQ(test, a3->index, index);

	/* a lower one moves B to the front */
	b2 = spd_policy(test, &defs[1]);
	b2->priority = 5;
	/* 14 */ KUNIT_EXPECT_EQ(test, spd_insert(nn, b2, b), 0);
	/* 15 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_b, 0, 0, 0), b2);
	/* 16 */ KUNIT_EXPECT_EQ(test, nn->spd.count[OUT], 3U);

	/* unlink: the next policy in order takes the flow */
	mutex_lock(&nn->lock);
	nfipsec_spd_unlink(nn, b2);
	mutex_unlock(&nn->lock);
	/* 17 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_b, 0, 0, 0), c);
	/* 18 */ KUNIT_EXPECT_EQ(test, nn->spd.count[OUT], 2U);
	mutex_lock(&nn->lock);
	nfipsec_spd_unlink(nn, c);
	mutex_unlock(&nn->lock);
	/* 19 */ KUNIT_EXPECT_PTR_EQ(test, spd_lookup(nn, OUT, 1, in_b, 0, 0, 0), a3);
	/* 20 */ KUNIT_EXPECT_NULL(test, spd_lookup(nn, OUT, 1, IP4(11, 0, 0, 1),
						 0, 0, 0));
}

/* Flush empties every direction; the table takes new policies after. */
static void spd_flush(struct kunit *test)
{
	struct nfipsec_net *nn = test->priv;
	struct spd_def d = { OUT, 0, 0, IP4(10, 0, 0, 0), 8, 0, 0, 0, 10 };
	u32 gen = nn->gen;
	unsigned int i;

	for (i = 0; i < 30; i++) {
		d.dir = i % __NFIPSEC_DIR_MAX;
		d.dst = IP4(10, 0, 0, i);
		d.dst_plen = 32 - i % 4;
		spd_add(test, &d);
	}
	/* 1 */ KUNIT_EXPECT_EQ(test, nn->gen - gen, 30U);
	mutex_lock(&nn->lock);
	nfipsec_spd_flush(nn);
	mutex_unlock(&nn->lock);
	for (i = 0; i < __NFIPSEC_DIR_MAX; i++) {
		/* 2, 3, 4: nothing counted */
		KUNIT_EXPECT_EQ(test, nn->spd.count[i], 0U);
		/* 5, 6, 7: nothing listed */
		KUNIT_EXPECT_TRUE(test, list_empty(&nn->spd.dir[i]));
		/* 8, 9, 10: nothing found */
		KUNIT_EXPECT_NULL(test, spd_lookup(nn, i, 1, IP4(10, 0, 0, 1),
						   0, 0, 0));
	}
	/* 11 */ KUNIT_EXPECT_EQ(test, atomic_read(&nn->spd.by_sel.nelems), 0);
	/* 12 */ KUNIT_EXPECT_EQ(test, nn->gen - gen, 60U);
	d.dir = OUT;
	d.dst = IP4(10, 0, 0, 0);
	d.dst_plen = 8;
	/* 13 */ KUNIT_EXPECT_EQ(test, spd_add(test, &d)->index, 31U);
}

struct spd_reader {
	struct nfipsec_net *nn;
	unsigned long lookups;
	unsigned long misses;
};

static int spd_reader_fn(void *arg)
{
	struct spd_reader *rd = arg;
	struct nfipsec_policy *pol;
	struct nfipsec_flow flow;

	spd_flow(&flow, 1, IP4(10, 2, 2, 2), UDP, 1, 2);
	while (!kthread_should_stop()) {
		rcu_read_lock();
		pol = nfipsec_spd_lookup(rd->nn, OUT, &flow);
		if (!pol || pol->key.sel.dst_plen != 8)
			WRITE_ONCE(rd->misses, rd->misses + 1);
		rcu_read_unlock();
		WRITE_ONCE(rd->lookups, rd->lookups + 1);
		cond_resched();
	}
	return 0;
}

/*
 * Replacing a policy over and over while a reader looks up a flow only it
 * takes: the reader never finds nothing. The replacement keeps or raises
 * the priority number, so it is queued behind the policy it replaces.
 */
static void spd_replace_concurrent(struct kunit *test)
{
	struct spd_def d = { OUT, 0, 0, IP4(10, 0, 0, 0), 8, 0, 0, 0, 0 };
	struct spd_def other = { OUT, 0, 0, IP4(10, 2, 0, 0), 16, TCP, 0, 0, 0 };
	struct spd_reader rd = { .nn = test->priv };
	struct nfipsec_policy *cur, *next;
	struct task_struct *task;
	unsigned int i, n = 2000;
	unsigned long deadline;

	/* policies the flow does not match, spread over the priorities */
	for (i = 0; i < 20; i++) {
		other.dst = IP4(10, 2 + i, 0, 0);	/* distinct /16s */
		other.priority = i * 100;
		spd_add(test, &other);
	}
	cur = spd_add(test, &d);
	task = kthread_run(spd_reader_fn, &rd, "nfipsec-spd-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	deadline = jiffies + 5 * HZ;
	while (!READ_ONCE(rd.lookups) && time_before(jiffies, deadline))
		schedule_timeout_uninterruptible(1);
	for (i = 0; i < n; i++) {
		next = spd_policy(test, &d);
		next->priority = i % 2 ? i : cur->priority;
		KUNIT_EXPECT_EQ(test, spd_insert(test->priv, next, cur), 0);
		cur = next;
		cond_resched();
	}
	kthread_stop(task);
	KUNIT_EXPECT_GT(test, rd.lookups, 0UL);
	KUNIT_EXPECT_EQ(test, rd.misses, 0UL);
	kunit_info(test, "%u replacements, %lu concurrent lookups", n,
		   rd.lookups);
}

/* ---- random differential test ---- */

struct spd_ref {
	struct nfipsec_policy *pol;
	u64 order;		/* insertion order; replacement renews it */
};

static bool spd_ref_prefix(u32 sel, u8 plen, u32 addr)
{
	return !plen || !((sel ^ addr) >> (32 - plen));
}

static bool spd_ref_match(const struct nfipsec_policy *pol, u8 dir,
			  const struct spd_flow_def *f)
{
	const struct nfipsec_sel *s = &pol->key.sel;

	return pol->key.dir == dir &&
	       spd_ref_prefix(ntohl(s->src.a4), s->src_plen, f->src) &&
	       spd_ref_prefix(ntohl(s->dst.a4), s->dst_plen, f->dst) &&
	       (!s->proto || s->proto == f->proto) &&
	       (!s->sport || s->sport == f->sport) &&
	       (!s->dport || s->dport == f->dport);
}

static int spd_ref_cmp(const void *a, const void *b)
{
	const struct spd_ref *x = *(const struct spd_ref **)a;
	const struct spd_ref *y = *(const struct spd_ref **)b;

	if (x->pol->priority != y->pol->priority)
		return x->pol->priority < y->pol->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* @sorted: by (priority, order); the first one that takes the flow. */
static struct nfipsec_policy *spd_ref_lookup(const struct spd_ref **sorted,
					     unsigned int n,
					     const struct spd_flow_def *f)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (spd_ref_match(sorted[i]->pol, f->dir, f))
			return sorted[i]->pol;
	return NULL;
}

static const u32 spd_rand_bases[] = {
	IP4(10, 0, 0, 0), IP4(10, 1, 0, 0), IP4(172, 16, 0, 0),
	IP4(192, 168, 1, 0), IP4(203, 0, 113, 0),
};

static u32 spd_rand_addr(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	if (nfipsec_test_rand(rnd, 8) == 0)
		return r;
	/* near a base: share a prefix of random length with it */
	return spd_rand_bases[nfipsec_test_rand(rnd, ARRAY_SIZE(spd_rand_bases))] ^
	       (r >> (8 + nfipsec_test_rand(rnd, 24)));
}

static void spd_rand_def(struct rnd_state *rnd, struct spd_def *d)
{
	/* few wide selectors, or one of them at a low number shadows all */
	static const u8 src_plens[] = { 0, 0, 1, 8, 12, 16, 19, 24, 32 };
	static const u8 dst_plens[] = { 7, 8, 12, 13, 16, 19, 24, 27, 31, 32 };
	static const u8 protos[] = { 0, 0, 0, TCP, UDP, ICMP };
	static const u16 ports[] = { 0, 0, 0, 0, 53, 443, 500 };

	d->dir = nfipsec_test_rand(rnd, __NFIPSEC_DIR_MAX);
	d->src = spd_rand_addr(rnd);
	d->src_plen = src_plens[nfipsec_test_rand(rnd, ARRAY_SIZE(src_plens))];
	d->dst = spd_rand_addr(rnd);
	d->dst_plen = dst_plens[nfipsec_test_rand(rnd, ARRAY_SIZE(dst_plens))];
	d->proto = protos[nfipsec_test_rand(rnd, ARRAY_SIZE(protos))];
	d->sport = d->proto ? ports[nfipsec_test_rand(rnd, ARRAY_SIZE(ports))] : 0;
	d->dport = d->proto ? ports[nfipsec_test_rand(rnd, ARRAY_SIZE(ports))] : 0;
	d->priority = nfipsec_test_rand(rnd, 64);
}

static unsigned int spd_compare(struct kunit *test, const struct spd_ref *refs,
				unsigned int n, struct rnd_state *rnd,
				unsigned int nflows, unsigned int *hits)
{
	static const u8 protos[] = { TCP, UDP, ICMP, IPPROTO_ESP };
	static const u16 ports[] = { 53, 443, 500, 1, 4500 };
	struct nfipsec_net *nn = test->priv;
	struct nfipsec_policy *got, *want;
	unsigned int i, m = 0, bad = 0;
	const struct spd_ref **sorted;
	struct spd_flow_def f;

	sorted = kunit_kcalloc(test, n, sizeof(*sorted), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sorted);
	for (i = 0; i < n; i++)
		if (refs[i].pol)
			sorted[m++] = &refs[i];
	sort(sorted, m, sizeof(*sorted), spd_ref_cmp, NULL);
	for (i = 0; i < nflows; i++) {
		f.dir = nfipsec_test_rand(rnd, __NFIPSEC_DIR_MAX);
		f.src = spd_rand_addr(rnd);
		f.dst = spd_rand_addr(rnd);
		f.proto = protos[nfipsec_test_rand(rnd, ARRAY_SIZE(protos))];
		f.sport = ports[nfipsec_test_rand(rnd, ARRAY_SIZE(ports))];
		f.dport = ports[nfipsec_test_rand(rnd, ARRAY_SIZE(ports))];
		want = spd_ref_lookup(sorted, m, &f);
		got = spd_lookup(nn, f.dir, f.src, f.dst, f.proto, f.sport,
				 f.dport);
		if (want)
			(*hits)++;
		if (got != want && bad++ < 3)
			KUNIT_FAIL(test,
				   "flow %u: dir %u %pI4h -> %pI4h proto %u %u -> %u: index %u, want %u",
				   i + 1, f.dir, &f.src, &f.dst, f.proto,
				   f.sport, f.dport, got ? got->index : 0,
				   want ? want->index : 0);
	}
	kunit_kfree(test, sorted);
	return bad;
}

static void spd_random(struct kunit *test)
{
	const unsigned int npol = 3000, nflows = 3000;
	struct nfipsec_net *nn = test->priv;
	unsigned int i, n = 0, hits = 0, bad, dups = 0;
	u64 seed = get_random_u64(), order = 0;
	struct nfipsec_policy *pol;
	struct rnd_state rnd;
	struct spd_ref *refs;
	struct spd_def d;
	ktime_t t0 = ktime_get();
	int err;

	refs = kunit_kcalloc(test, npol, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	prandom_seed_state(&rnd, seed);
	kunit_info(test, "seed %llu", seed);

	/* 1: insert, with duplicates of (dir, selector) refused */
	for (i = 0; i < npol; i++) {
		spd_rand_def(&rnd, &d);
		pol = spd_policy(test, &d);
		err = spd_insert(nn, pol, NULL);
		if (err == -EEXIST) {
			nfipsec_policy_free(pol);
			dups++;
			continue;
		}
		KUNIT_ASSERT_EQ(test, err, 0);
		refs[n].pol = pol;
		refs[n++].order = order++;
	}
	KUNIT_EXPECT_EQ(test, nn->spd.count[0] + nn->spd.count[1] +
			nn->spd.count[2], n);
	bad = spd_compare(test, refs, n, &rnd, nflows, &hits);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "after inserting");

	/* 2: replace a fifth with new priorities */
	for (i = 0; i < n; i++) {
		if (nfipsec_test_rand(&rnd, 5))
			continue;
		pol = nfipsec_policy_alloc();
		KUNIT_ASSERT_NOT_NULL(test, pol);
		pol->key = refs[i].pol->key;
		pol->priority = nfipsec_test_rand(&rnd, 64);
		KUNIT_ASSERT_EQ(test, spd_insert(nn, pol, refs[i].pol), 0);
		refs[i].pol = pol;
		refs[i].order = order++;
	}
	bad = spd_compare(test, refs, n, &rnd, nflows, &hits);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "after replacing");

	/* 3: unlink half */
	mutex_lock(&nn->lock);
	for (i = 0; i < n; i++) {
		if (nfipsec_test_rand(&rnd, 2))
			continue;
		nfipsec_spd_unlink(nn, refs[i].pol);
		refs[i].pol = NULL;
	}
	mutex_unlock(&nn->lock);
	bad = spd_compare(test, refs, n, &rnd, nflows, &hits);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "after unlinking");

	kunit_info(test, "%u policies (%u duplicates refused), %u flows x 3, %u matched, %lld ms",
		   n, dups, nflows, hits,
		   ktime_ms_delta(ktime_get(), t0));
}

#undef OUT
#undef IN
#undef FWD
#undef TCP
#undef UDP
#undef ICMP

static struct kunit_case nfipsec_spd_cases[] = {
	KUNIT_CASE(spd_match),
	KUNIT_CASE(spd_duplicate),
	KUNIT_CASE(spd_replace),
	KUNIT_CASE(spd_flush),
	KUNIT_CASE(spd_replace_concurrent),
	KUNIT_CASE(spd_random),
	{}
};

static struct kunit_suite nfipsec_spd_suite = {
	.name = "nfipsec_spd",
	.init = spd_test_init,
	.exit = spd_test_exit,
	.test_cases = nfipsec_spd_cases,
};
