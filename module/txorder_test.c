// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of txorder.c: packets passed in any order leave in sequence
 * number order, dropped ones keep their place, the sender sends a budget
 * at most before it gives its part up (to the next packet, or to its
 * resume work), and no more than NFIPSEC_TXORDER_READY_MAX wait to be
 * sent. Included by kunit.c.
 */

#define TXO_TEST_MAX	1024

/* What the test's ops saw; one test runs at a time. */
static struct {
	u64 sent[TXO_TEST_MAX];
	bool dropped[TXO_TEST_MAX];
	unsigned int nsent;
	unsigned int defers;
	unsigned int overflows;
	bool pending;		/* resume queued */
} txo_seen;

static void txo_test_send(struct sk_buff *skb, bool drop)
{
	if (txo_seen.nsent < TXO_TEST_MAX) {
		txo_seen.sent[txo_seen.nsent] = nfipsec_txorder_cb(skb)->seq;
		txo_seen.dropped[txo_seen.nsent] = drop;
	}
	txo_seen.nsent++;
	kfree_skb(skb);
}

static void txo_test_overflow(struct sk_buff *skb)
{
	txo_seen.overflows++;
	kfree_skb(skb);
}

/* The work is not queued: the test resumes by hand, as it would run. */
static void txo_test_defer(struct nfipsec_txorder *txo)
{
	txo_seen.defers++;
	txo_seen.pending = true;
}

static const struct nfipsec_txorder_ops txo_test_ops = {
	.send = txo_test_send,
	.overflow = txo_test_overflow,
	.defer = txo_test_defer,
};

static void txo_test_work(struct work_struct *work)
{
}

static int txorder_test_init(struct kunit *test)
{
	struct nfipsec_txorder *txo;

	memset(&txo_seen, 0, sizeof(txo_seen));
	txo = kunit_kzalloc(test, sizeof(*txo), GFP_KERNEL);
	if (!txo)
		return -ENOMEM;
	nfipsec_txorder_init(txo, txo_test_work);
	test->priv = txo;
	return 0;
}

static void txorder_test_exit(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;

	__skb_queue_purge(&txo->held);
	__skb_queue_purge(&txo->ready);
}

/* Pass number @seq through, as the datapath does (BH disabled). */
static void txo_pass(struct kunit *test, u64 seq, bool drop)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	local_bh_disable();
	nfipsec_txorder_done(test->priv, skb, seq, drop, &txo_test_ops);
	local_bh_enable();
}

/*
 * Run the resume work while it is queued, as the workqueue would; then
 * nothing may be left ready, and no one the sender.
 */
static void txo_resume_all(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;

	while (txo_seen.pending) {
		txo_seen.pending = false;
		nfipsec_txorder_resume(txo, &txo_test_ops);
	}
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&txo->ready));
	KUNIT_EXPECT_FALSE(test, txo->sending);
}

/* The numbers sent are first..first + n - 1, in order. */
static void txo_expect_sent(struct kunit *test, u64 first, unsigned int n)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, txo_seen.nsent, n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, txo_seen.sent[i], first + i);
}

static void txorder_in_order(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;
	u64 seq;

	for (seq = 1; seq <= 50; seq++)
		txo_pass(test, seq, false);
	txo_expect_sent(test, 1, 50);
	KUNIT_EXPECT_FALSE(test, txo->sending);
	KUNIT_EXPECT_EQ(test, txo_seen.defers, 0U);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&txo->held));
}

/* A random permutation of 100..299 (seed printed) leaves in order. */
static void txorder_shuffled(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;
	const unsigned int n = 200;
	struct rnd_state rnd;
	unsigned int i, j;
	u32 seed = get_random_u32();
	u64 *seq, t;

	seq = kunit_kcalloc(test, n, sizeof(*seq), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seq);
	kunit_info(test, "seed %u", seed);
	prandom_seed_state(&rnd, seed);
	for (i = 0; i < n; i++)
		seq[i] = 100 + i;
	/* the first one passes first: it starts this SA object's numbers */
	for (i = n - 1; i > 1; i--) {
		j = 1 + nfipsec_test_rand(&rnd, i);
		t = seq[i];
		seq[i] = seq[j];
		seq[j] = t;
	}
	for (i = 0; i < n; i++)
		txo_pass(test, seq[i], seq[i] % 7 == 0);
	txo_resume_all(test);
	txo_expect_sent(test, 100, n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, txo_seen.dropped[i], (100 + i) % 7 == 0);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&txo->held));
	KUNIT_EXPECT_FALSE(test, txo->sending);
}

/*
 * 200 packets become ready at once: the sender sends the budget and gives
 * its part up; the next packet takes it and sends a budget; the resume
 * work sends the rest, in order, a budget at a time.
 */
static void txorder_budget(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;
	u64 seq;

	txo_pass(test, 1, false);
	for (seq = 3; seq <= 201; seq++)
		txo_pass(test, seq, false);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, 1U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&txo->held), 199U);
	txo_pass(test, 2, false);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, 1U + NFIPSEC_TXORDER_BUDGET);
	KUNIT_EXPECT_EQ(test, txo_seen.defers, 1U);
	KUNIT_EXPECT_FALSE(test, txo->sending);
	/* the next packet (another CPU's) takes the sender's part */
	txo_pass(test, 202, false);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, 1U + 2 * NFIPSEC_TXORDER_BUDGET);
	KUNIT_EXPECT_EQ(test, txo_seen.defers, 2U);
	txo_resume_all(test);
	txo_expect_sent(test, 1, 202);
	KUNIT_EXPECT_EQ(test, txo_seen.defers, 3U);
	KUNIT_EXPECT_EQ(test, txo_seen.overflows, 0U);
	/* a resume that finds nothing to do does nothing */
	nfipsec_txorder_resume(txo, &txo_test_ops);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, 202U);
	KUNIT_EXPECT_FALSE(test, txo->sending);
}

/*
 * While another CPU is the sender (sending, outside the lock), 1100
 * packets become ready: 1024 wait, the 76 latest are dropped as overflow.
 */
static void txorder_overflow(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;
	u64 seq;

	txo->sending = true;
	for (seq = 1; seq <= 1100; seq++)
		txo_pass(test, seq, false);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, 0U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&txo->ready),
			NFIPSEC_TXORDER_READY_MAX);
	KUNIT_EXPECT_EQ(test, txo_seen.overflows,
			1100U - NFIPSEC_TXORDER_READY_MAX);
	/* that sender is back for more */
	spin_lock_bh(&txo->lock);
	txo->sending = false;
	spin_unlock_bh(&txo->lock);
	txo_seen.pending = true;
	txo_resume_all(test);
	txo_expect_sent(test, 1, NFIPSEC_TXORDER_READY_MAX);
}

/* More than NFIPSEC_TXORDER_MAX wait for a number: the gap is given up. */
static void txorder_gap(struct kunit *test)
{
	struct nfipsec_txorder *txo = test->priv;
	u64 seq, last = 3 + NFIPSEC_TXORDER_MAX;
	unsigned int i;

	txo_pass(test, 1, false);
	for (seq = 3; seq < last; seq++)
		txo_pass(test, seq, false);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, 1U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&txo->held), NFIPSEC_TXORDER_MAX);
	txo_pass(test, last, false);
	txo_resume_all(test);
	/* 2 never came: 3..last went in order over it */
	KUNIT_ASSERT_EQ(test, txo_seen.nsent, NFIPSEC_TXORDER_MAX + 2U);
	KUNIT_EXPECT_EQ(test, txo_seen.sent[0], 1ULL);
	for (i = 1; i < txo_seen.nsent; i++)
		KUNIT_ASSERT_EQ(test, txo_seen.sent[i], i + 2ULL);
	/* 2, late, is sent when it comes, not held */
	txo_pass(test, 2, false);
	KUNIT_EXPECT_EQ(test, txo_seen.nsent, NFIPSEC_TXORDER_MAX + 3U);
	KUNIT_EXPECT_EQ(test, txo_seen.sent[NFIPSEC_TXORDER_MAX + 2], 2ULL);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&txo->held));
	KUNIT_EXPECT_FALSE(test, txo->sending);
}

static struct kunit_case nfipsec_txorder_cases[] = {
	KUNIT_CASE(txorder_in_order),
	KUNIT_CASE(txorder_shuffled),
	KUNIT_CASE(txorder_budget),
	KUNIT_CASE(txorder_overflow),
	KUNIT_CASE(txorder_gap),
	{}
};

static struct kunit_suite nfipsec_txorder_suite = {
	.name = "nfipsec_txorder",
	.init = txorder_test_init,
	.exit = txorder_test_exit,
	.test_cases = nfipsec_txorder_cases,
};
