// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of sad.c (nfipsec_sad): inbound lookup by (family, dst,
 * spi, proto), duplicates, replacement, unlink and flush, the choice of
 * an outbound SA among those of one template, and table growth. The SAs
 * are bare structs; kunit.c's nfipsec_sa_put() frees them. Included by
 * kunit.c.
 */

static void sad_test_expire(struct work_struct *work)
{
}

static int sad_test_init(struct kunit *test)
{
	struct nfipsec_net *nn = kunit_kzalloc(test, sizeof(*nn), GFP_KERNEL);

	if (!nn)
		return -ENOMEM;
	mutex_init(&nn->lock);
	test->priv = nn;
	atomic_set(&nfipsec_test_sa_allocs, 0);
	atomic_set(&nfipsec_test_sa_frees, 0);
	return nfipsec_sad_init(&nn->sad);
}

static void sad_test_exit(struct kunit *test)
{
	struct nfipsec_net *nn = test->priv;

	nfipsec_sad_destroy(nn);
	rcu_barrier();
	mutex_destroy(&nn->lock);
	/* every SA the test made is gone: the tables dropped what they held */
	KUNIT_EXPECT_EQ(test, atomic_read(&nfipsec_test_sa_frees),
			atomic_read(&nfipsec_test_sa_allocs));
}

static void sad_sa_setup(struct nfipsec_sa *sa, struct nfipsec_net *nn,
			 u32 dst, u32 spi, u32 src, u32 reqid)
{
	sa->id.daddr.a4 = htonl(dst);
	sa->id.spi = htonl(spi);
	sa->id.family = AF_INET;
	sa->id.proto = IPPROTO_ESP;
	sa->tid.saddr.a4 = htonl(src);
	sa->tid.daddr.a4 = htonl(dst);
	sa->tid.reqid = reqid;
	sa->tid.family = AF_INET;
	sa->tid.proto = IPPROTO_ESP;
	sa->tid.mode = NFIPSEC_MODE_TUNNEL;
	sa->mode = NFIPSEC_MODE_TUNNEL;
	sa->nn = nn;
	refcount_set(&sa->ref, 1);
	spin_lock_init(&sa->lock);
	INIT_DELAYED_WORK(&sa->expire_work, sad_test_expire);
	atomic_inc(&nfipsec_test_sa_allocs);
}

static struct nfipsec_sa *sad_sa(struct kunit *test, u32 dst, u32 spi,
				 u32 src, u32 reqid)
{
	struct nfipsec_sa *sa = kzalloc(sizeof(*sa), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sa);
	sad_sa_setup(sa, test->priv, dst, spi, src, reqid);
	return sa;
}

/* A flow no SA of this suite has a selector for, where none matters. */
static const struct nfipsec_flow *sad_any_flow(void)
{
	static struct nfipsec_flow flow = { .family = AF_INET };

	return &flow;
}

static struct nfipsec_sa *sad_out(struct kunit *test,
				  const struct nfipsec_sa_tid *tid)
{
	struct nfipsec_sa *sa;

	rcu_read_lock();
	sa = nfipsec_sad_lookup_out(test->priv, tid, sad_any_flow());
	rcu_read_unlock();
	return sa;	/* compared as a pointer only */
}

static int sad_insert(struct kunit *test, struct nfipsec_sa *sa,
		      struct nfipsec_sa *old, struct netlink_ext_ack *extack)
{
	struct nfipsec_net *nn = test->priv;
	int err;

	mutex_lock(&nn->lock);
	err = nfipsec_sad_insert(nn, sa, old, extack);
	mutex_unlock(&nn->lock);
	return err;
}

static void sad_unlink(struct kunit *test, struct nfipsec_sa *sa)
{
	struct nfipsec_net *nn = test->priv;

	mutex_lock(&nn->lock);
	nfipsec_sad_unlink(nn, sa);
	mutex_unlock(&nn->lock);
}

static struct nfipsec_sa *sad_lookup(struct kunit *test, u16 family, u32 dst,
				     u32 spi, u8 proto)
{
	struct nfipsec_sa_id id = {};
	struct nfipsec_sa *sa;

	id.family = family;
	id.daddr.a4 = htonl(dst);
	id.spi = htonl(spi);
	id.proto = proto;
	rcu_read_lock();
	sa = nfipsec_sad_lookup(test->priv, &id);
	rcu_read_unlock();
	return sa;	/* compared as a pointer only */
}

#define A1 IP4(192, 0, 2, 1)
#define A2 IP4(192, 0, 2, 2)
#define ESP IPPROTO_ESP

static void sad_basic(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct nfipsec_net *nn = test->priv;
	struct nfipsec_sa *sa1, *sa1b, *sa2, *sa1r, *sa3;
	struct nfipsec_sa_id id;
	u32 gen = nn->gen;
	int err;

	/*  1 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x100, ESP));
	sa1 = sad_sa(test, A1, 0x100, A2, 1);
	/*  2 */ KUNIT_ASSERT_EQ(test, sad_insert(test, sa1, NULL, &extack), 0);
	/*  3 */ KUNIT_EXPECT_PTR_EQ(test, sad_lookup(test, AF_INET, A1, 0x100, ESP),
				    sa1);
	/*  4 */ KUNIT_EXPECT_TRUE(test, sa1->linked);
	/*  5 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 1U);
	/*  6 */ KUNIT_EXPECT_EQ(test, nn->gen - gen, 1U);
	id = sa1->id;
	mutex_lock(&nn->lock);
	/*  7 */ KUNIT_EXPECT_PTR_EQ(test, nfipsec_sad_find(nn, &id), sa1);
	mutex_unlock(&nn->lock);

	/* absent keys: every field of the key counts */
	/*  8 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x101, ESP));
	/*  9 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A2, 0x100, ESP));
	/* 10 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x100,
						 IPPROTO_AH));
	/* 11 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET6, A1, 0x100, ESP));
	/* 12 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x1000000,
						 ESP));
	/* 13 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0, ESP));

	/* a duplicate is refused, with a message, and leaves no trace */
	sa1b = sad_sa(test, A1, 0x100, A2, 1);
	err = sad_insert(test, sa1b, NULL, &extack);
	/* 14 */ KUNIT_EXPECT_EQ(test, err, -EEXIST);
	/* 15 */ KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	/* 16 */ KUNIT_EXPECT_FALSE(test, sa1b->linked);
	/* 17 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 1U);
	/* 18 */ KUNIT_EXPECT_EQ(test, nn->gen - gen, 1U);
	/* 19 */ KUNIT_EXPECT_PTR_EQ(test, sad_out(test, &sa1->tid), sa1);
	if (err)
		nfipsec_sa_put(sa1b);
	else
		sad_unlink(test, sa1b);	/* the unit took it: take it out */

	/* another SPI to the same destination */
	sa2 = sad_sa(test, A1, 0x200, A2, 2);
	/* 20 */ KUNIT_ASSERT_EQ(test, sad_insert(test, sa2, NULL, NULL), 0);
	/* 21 */ KUNIT_EXPECT_PTR_EQ(test, sad_lookup(test, AF_INET, A1, 0x200, ESP),
				    sa2);
	/* 22 */ KUNIT_EXPECT_PTR_EQ(test, sad_lookup(test, AF_INET, A1, 0x100, ESP),
				    sa1);
	/* 23 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 2U);

	/* replacement: the new SA takes the old one's place atomically */
	KUNIT_ASSERT_TRUE(test, nfipsec_sa_get(sa1));	/* watch it */
	sa1r = sad_sa(test, A1, 0x100, A2, 1);
	/* 24 */ KUNIT_EXPECT_EQ(test, sad_insert(test, sa1r, sa1, NULL), 0);
	/* 25 */ KUNIT_EXPECT_PTR_EQ(test, sad_lookup(test, AF_INET, A1, 0x100, ESP),
				    sa1r);
	/* 26 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 2U);
	/* 27 */ KUNIT_EXPECT_FALSE(test, sa1->linked);
	/* 28 */ KUNIT_EXPECT_TRUE(test, sa1r->linked);
	/* 29: the table's reference to the old SA was dropped */
	KUNIT_EXPECT_EQ(test, refcount_read(&sa1->ref), 1U);
	/* 30 */ KUNIT_EXPECT_PTR_EQ(test, sad_out(test, &sa1r->tid), sa1r);
	/* 31: the dump list holds the new one where the old one was */
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry(&nn->sad.list,
						   struct nfipsec_sa, list), sa1r);
	nfipsec_sa_put(sa1);

	/* replacing an SA that is not in the table fails */
	sa3 = sad_sa(test, A1, 0x300, A2, 3);
	KUNIT_ASSERT_TRUE(test, nfipsec_sa_get(sa1r));
	sa1 = sad_sa(test, A1, 0x300, A2, 3);
	/* 32 */ KUNIT_EXPECT_NE(test, sad_insert(test, sa3, sa1, NULL), 0);
	/* 33 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x300, ESP));
	/* 34 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 2U);
	nfipsec_sa_put(sa1);
	nfipsec_sa_put(sa3);

	/* unlink: gone, dead, the table's reference dropped; twice is once */
	sad_unlink(test, sa1r);
	/* 35 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x100, ESP));
	/* 36 */ KUNIT_EXPECT_EQ(test, READ_ONCE(sa1r->state),
			      (u8)NFIPSEC_SA_STATE_DEAD);
	/* 37 */ KUNIT_EXPECT_EQ(test, refcount_read(&sa1r->ref), 1U);
	sad_unlink(test, sa1r);
	/* 38 */ KUNIT_EXPECT_EQ(test, refcount_read(&sa1r->ref), 1U);
	/* 39 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 1U);
	/* 40 */ KUNIT_EXPECT_NULL(test, sad_out(test, &sa1r->tid));
	nfipsec_sa_put(sa1r);

	/* flush */
	mutex_lock(&nn->lock);
	nfipsec_sad_flush(nn);
	mutex_unlock(&nn->lock);
	/* 41 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 0U);
	/* 42 */ KUNIT_EXPECT_TRUE(test, list_empty(&nn->sad.list));
	/* 43 */ KUNIT_EXPECT_NULL(test, sad_lookup(test, AF_INET, A1, 0x200, ESP));
	/* 44 */ KUNIT_EXPECT_EQ(test, atomic_read(&nn->sad.by_id.nelems), 0);
}

/* One step of the outbound choice: make a change, then look up a flow. */
struct sad_out_step {
	int add;		/* SA to insert (index into the SA table), -1 */
	int kill;		/* SA to mark dead, -1 */
	int unlink;		/* SA to unlink, -1 */
	u32 flow_dst;		/* inner destination of the flow */
	u32 reqid;		/* template to look up */
	int want;		/* SA index, -1: none */
};

struct sad_out_sa {
	u32 spi;
	u32 reqid;
	u8 state;
	u64 add_jiffies;
	u32 sel_dst;		/* selector on the inner destination, 0: none */
	u8 sel_plen;
};

#define VALID NFIPSEC_SA_STATE_VALID
#define SOFT NFIPSEC_SA_STATE_SOFT_EXPIRED
#define DEAD NFIPSEC_SA_STATE_DEAD
#define NET1 IP4(10, 1, 1, 1)
#define NET2 IP4(10, 2, 2, 2)

static const struct sad_out_sa sad_out_sas[] = {
	/* 0 */ { 0x10, 7, VALID, 1000, 0, 0 },
	/* 1 */ { 0x11, 7, VALID, 2000, IP4(10, 1, 0, 0), 16 },
	/* 2 */ { 0x12, 7, SOFT, 3000, 0, 0 },
	/* 3 */ { 0x13, 7, DEAD, 4000, 0, 0 },
	/* 4 */ { 0x14, 8, VALID, 5000, 0, 0 },	/* another template */
	/* 5 */ { 0x15, 7, VALID, 2500, 0, 0 },
	/* 6 */ { 0x16, 7, SOFT, 9000, IP4(10, 2, 0, 0), 16 },
	/* 7 */ { 0x17, 7, VALID, 1500, IP4(10, 2, 0, 0), 16 },
};

static const struct sad_out_step sad_out_steps[] = {
	/*  1 */ { -1, -1, -1, NET1, 7, -1 },		/* empty */
	/*  2 */ { 0, -1, -1, NET1, 7, 0 },
	/*  3 */ { 1, -1, -1, NET1, 7, 1 },		/* newer, selector takes it */
	/*  4 */ { -1, -1, -1, NET2, 7, 0 },		/* selector refuses */
	/*  5 */ { 2, -1, -1, NET2, 7, 0 },		/* soft expired: last resort */
	/*  6 */ { 3, -1, -1, NET2, 7, 0 },		/* dead: never */
	/*  7 */ { 4, -1, -1, NET2, 7, 0 },		/* other template ignored */
	/*  8 */ { -1, -1, -1, NET2, 8, 4 },
	/*  9 */ { -1, -1, -1, NET1, 9, -1 },		/* no such template */
	/* 10 */ { 5, -1, -1, NET1, 7, 5 },		/* newest valid wins */
	/* 11 */ { -1, -1, -1, NET2, 7, 5 },
	/* 12 */ { -1, 5, -1, NET1, 7, 1 },		/* killed: next newest */
	/* 13 */ { -1, -1, -1, NET2, 7, 0 },
	/* 14 */ { -1, 0, -1, NET2, 7, 2 },		/* only soft one left */
	/* 15 */ { 6, -1, -1, NET2, 7, 6 },		/* newest soft one */
	/* 16 */ { 7, -1, -1, NET2, 7, 7 },		/* valid beats soft */
	/* 17 */ { -1, -1, 7, NET2, 7, 6 },
	/* 18 */ { -1, 6, -1, NET2, 7, 2 },
	/* 19 */ { -1, -1, 2, NET2, 7, -1 },		/* only dead left */
	/* 20 */ { -1, -1, -1, NET1, 7, 1 },
	/* 21 */ { -1, -1, 1, NET1, 7, -1 },
};

static void sad_lookup_out(struct kunit *test)
{
	struct nfipsec_sa *sas[ARRAY_SIZE(sad_out_sas)] = {};
	struct nfipsec_net *nn = test->priv;
	struct nfipsec_sa_tid tid;
	struct nfipsec_flow flow;
	struct nfipsec_sa *got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sad_out_steps); i++) {
		const struct sad_out_step *st = &sad_out_steps[i];

		if (st->add >= 0) {
			const struct sad_out_sa *d = &sad_out_sas[st->add];
			struct nfipsec_sa *sa;

			sa = sad_sa(test, A1, d->spi, A2, d->reqid);
			sa->state = d->state;
			sa->add_jiffies = d->add_jiffies;
			if (d->sel_plen) {
				sa->has_sel = true;
				sa->sel.family = AF_INET;
				sa->sel.dst.a4 = htonl(d->sel_dst);
				sa->sel.dst_plen = d->sel_plen;
			}
			KUNIT_ASSERT_EQ(test, sad_insert(test, sa, NULL, NULL), 0);
			sas[st->add] = sa;
		}
		if (st->kill >= 0)
			WRITE_ONCE(sas[st->kill]->state, DEAD);
		if (st->unlink >= 0)
			sad_unlink(test, sas[st->unlink]);
		memset(&tid, 0, sizeof(tid));
		tid.saddr.a4 = htonl(A2);
		tid.daddr.a4 = htonl(A1);
		tid.reqid = st->reqid;
		tid.family = AF_INET;
		tid.proto = IPPROTO_ESP;
		tid.mode = NFIPSEC_MODE_TUNNEL;
		spd_flow(&flow, IP4(10, 9, 9, 9), st->flow_dst, IPPROTO_UDP, 1, 2);
		rcu_read_lock();
		got = nfipsec_sad_lookup_out(nn, &tid, &flow);
		KUNIT_EXPECT_PTR_EQ_MSG(test, got,
					st->want < 0 ? NULL : sas[st->want],
					"step %u: want SA %d, got spi %x", i + 1,
					st->want, got ? ntohl(got->id.spi) : 0);
		rcu_read_unlock();
	}
}

#undef VALID
#undef SOFT
#undef DEAD
#undef NET1
#undef NET2

/*
 * Growth: many SAs, all found, the tables grew; then all removed, none
 * found. The SAs live in one array (flagged, so the put stub leaves them).
 * 100000 SAs; 20000 under KASAN, where each insert and delete costs some
 * 70 us on an emulated CPU.
 */
static void sad_resize(struct kunit *test)
{
	const unsigned int n = IS_ENABLED(CONFIG_KASAN) ? 20000 : 100000;
	struct nfipsec_net *nn = test->priv;
	unsigned int i, missing = 0, wrong = 0, found = 0;
	unsigned int size0, size1, size2;
	struct bucket_table *tbl;
	struct nfipsec_sa *sas;
	ktime_t t0, t1, t2, t3;
	int err = 0;

	rcu_read_lock();
	size0 = rht_dereference_rcu(nn->sad.by_id.tbl, &nn->sad.by_id)->size;
	rcu_read_unlock();
	sas = vzalloc(array_size(n, sizeof(*sas)));
	KUNIT_ASSERT_NOT_NULL(test, sas);

	t0 = ktime_get();
	mutex_lock(&nn->lock);
	for (i = 0; i < n && !err; i++) {
		sad_sa_setup(&sas[i], nn, A1 + i % 251, 0x1000 + i, A2, i);
		sas[i].flags |= NFIPSEC_TEST_SA_F_BULK;
		err = nfipsec_sad_insert(nn, &sas[i], NULL, NULL);
		if (!(i % 1024)) {
			mutex_unlock(&nn->lock);
			cond_resched();
			mutex_lock(&nn->lock);
		}
	}
	mutex_unlock(&nn->lock);
	if (err) {
		/* the one refused is the test's to drop; flush the others */
		atomic_inc(&nfipsec_test_sa_frees);
		mutex_lock(&nn->lock);
		nfipsec_sad_flush(nn);
		mutex_unlock(&nn->lock);
		synchronize_rcu();
		vfree(sas);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "insert %u", i);
	}
	t1 = ktime_get();
	/* 1 */ KUNIT_EXPECT_EQ(test, nn->sad.count, n);
	/* 2 */ KUNIT_EXPECT_EQ(test, (unsigned int)atomic_read(&nn->sad.by_id.nelems), n);

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		struct nfipsec_sa *sa = sad_lookup(test, AF_INET, A1 + i % 251,
						   0x1000 + i, ESP);

		if (!sa)
			missing++;
		else if (sa != &sas[i])
			wrong++;
		if (!(i % 4096)) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	/* the newest table: the current one, or the one a rehash fills */
	tbl = rht_dereference_rcu(nn->sad.by_id.tbl, &nn->sad.by_id);
	while (rht_dereference_rcu(tbl->future_tbl, &nn->sad.by_id))
		tbl = rht_dereference_rcu(tbl->future_tbl, &nn->sad.by_id);
	size1 = tbl->size;
	rcu_read_unlock();
	/* 3 */ KUNIT_EXPECT_EQ(test, missing, 0U);
	/* 4 */ KUNIT_EXPECT_EQ(test, wrong, 0U);
	/* 5 */ KUNIT_EXPECT_GE(test, size1, n / 2);
	/* 6 */ KUNIT_EXPECT_GT(test, size1, size0);
	t2 = ktime_get();

	/* every SA has a template of its own: the outbound table grew too */
	for (i = 0; i < n; i += 97)
		if (sad_out(test, &sas[i].tid) == &sas[i])
			found++;
	/* 7 */ KUNIT_EXPECT_EQ(test, found, (n + 96) / 97);

	mutex_lock(&nn->lock);
	for (i = 0; i < n; i++) {
		nfipsec_sad_unlink(nn, &sas[i]);
		if (!(i % 1024)) {
			mutex_unlock(&nn->lock);
			cond_resched();
			mutex_lock(&nn->lock);
		}
	}
	mutex_unlock(&nn->lock);
	t3 = ktime_get();
	/* 8 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 0U);
	missing = 0;
	rcu_read_lock();
	for (i = 0; i < n; i += 7)
		if (sad_lookup(test, AF_INET, A1 + i % 251, 0x1000 + i, ESP))
			missing++;
	rcu_read_unlock();
	/* 9 */ KUNIT_EXPECT_EQ(test, missing, 0U);
	/* 10 */ KUNIT_EXPECT_EQ(test, atomic_read(&nfipsec_test_sa_frees), n);

	/* shrinking is deferred: let the worker run (and rerun) */
	for (i = 0; i < 10; i++) {
		flush_work(&nn->sad.by_id.run_work);
		rcu_read_lock();
		tbl = rht_dereference_rcu(nn->sad.by_id.tbl, &nn->sad.by_id);
		size2 = tbl->size;
		found = !!rht_dereference_rcu(tbl->future_tbl, &nn->sad.by_id);
		rcu_read_unlock();
		if (!found)
			break;
	}
	/* 11 */ KUNIT_EXPECT_LT(test, size2, size1);

	synchronize_rcu();	/* lookups may still walk the array */
	vfree(sas);
	kunit_info(test, "%u SAs: insert %lld ms, lookup %lld ms, delete %lld ms; buckets %u -> %u -> %u",
		   n, ktime_ms_delta(t1, t0), ktime_ms_delta(t2, t1),
		   ktime_ms_delta(t3, t2), size0, size1, size2);
}

/*
 * An update that fails changes nothing: the template table refuses the new
 * object (full: -E2BIG, where a real table would fail with -ENOMEM), and
 * the old SA is still live and found both ways, in the list, with its
 * references; no takeover happened. Then the same update with room.
 */
static void sad_update_fails(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct nfipsec_net *nn = test->priv;
	struct rhashtable *ht = &nn->sad.by_tmpl.ht;
	struct nfipsec_sa *old, *sa;
	unsigned int max;
	int err;

	old = sad_sa(test, A1, 0x700, A2, 7);
	KUNIT_ASSERT_EQ(test, sad_insert(test, old, NULL, NULL), 0);
	KUNIT_ASSERT_TRUE(test, nfipsec_sa_get(old));	/* watch it */
	atomic_set(&nfipsec_test_takeovers, 0);

	/* another reqid: a new key in the template table, which is full */
	sa = sad_sa(test, A1, 0x700, A2, 8);
	max = ht->max_elems;
	ht->max_elems = atomic_read(&ht->nelems);
	err = sad_insert(test, sa, old, &extack);
	ht->max_elems = max;
	/*  1 */ KUNIT_EXPECT_EQ(test, err, -E2BIG);
	/*  2 */ KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	/*  3 */ KUNIT_EXPECT_EQ(test, atomic_read(&nfipsec_test_takeovers), 0);
	/*  4 */ KUNIT_EXPECT_EQ(test, READ_ONCE(old->state), NFIPSEC_SA_STATE_VALID);
	/*  5 */ KUNIT_EXPECT_TRUE(test, old->linked);
	/*  6 */ KUNIT_EXPECT_FALSE(test, sa->linked);
	/*  7 */ KUNIT_EXPECT_PTR_EQ(test, sad_lookup(test, AF_INET, A1, 0x700, ESP),
				    old);
	/*  8 */ KUNIT_EXPECT_PTR_EQ(test, sad_out(test, &old->tid), old);
	/*  9 */ KUNIT_EXPECT_NULL(test, sad_out(test, &sa->tid));
	/* 10 */ KUNIT_EXPECT_EQ(test, nn->sad.count, 1U);
	/* 11 */ KUNIT_EXPECT_PTR_EQ(test, list_first_entry(&nn->sad.list,
							 struct nfipsec_sa, list),
				    old);
	/* 12: the table's and ours */
	KUNIT_EXPECT_EQ(test, refcount_read(&old->ref), 2U);
	nfipsec_sa_put(sa);

	/* with room, the update goes through: one takeover */
	sa = sad_sa(test, A1, 0x700, A2, 8);
	/* 13 */ KUNIT_ASSERT_EQ(test, sad_insert(test, sa, old, NULL), 0);
	/* 14 */ KUNIT_EXPECT_EQ(test, atomic_read(&nfipsec_test_takeovers), 1);
	/* 15 */ KUNIT_EXPECT_EQ(test, READ_ONCE(old->state), NFIPSEC_SA_STATE_DEAD);
	/* 16 */ KUNIT_EXPECT_PTR_EQ(test, sad_lookup(test, AF_INET, A1, 0x700, ESP),
				    sa);
	/* 17 */ KUNIT_EXPECT_PTR_EQ(test, sad_out(test, &sa->tid), sa);
	/* 18 */ KUNIT_EXPECT_NULL(test, sad_out(test, &old->tid));
	/* 19 */ KUNIT_EXPECT_EQ(test, refcount_read(&old->ref), 1U);
	nfipsec_sa_put(old);
	sad_unlink(test, sa);
}

#undef A1
#undef A2
#undef ESP

static struct kunit_case nfipsec_sad_cases[] = {
	KUNIT_CASE(sad_basic),
	KUNIT_CASE(sad_lookup_out),
	KUNIT_CASE(sad_resize),
	KUNIT_CASE(sad_update_fails),
	{}
};

static struct kunit_suite nfipsec_sad_suite = {
	.name = "nfipsec_sad",
	.init = sad_test_init,
	.exit = sad_test_exit,
	.test_cases = nfipsec_sad_cases,
};
