// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of replay.c: the anti-replay window (nfipsec_replay) and
 * the ESN high half inference of RFC 4303 appendix A2 (nfipsec_esn).
 * Included by kunit.c.
 *
 * The receive path is modelled as the datapath runs it: check before the
 * decryption, advance once the ICV verified (advance checks again).
 */

static const u32 replay_windows[] = { 32, 64, 1000, 4096 };

static void replay_window_desc(const u32 *w, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "window %u", *w);
}

KUNIT_ARRAY_PARAM(replay_window, replay_windows, replay_window_desc);

static int replay_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct nfipsec_replay),
				   GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void replay_test_exit(struct kunit *test)
{
	nfipsec_replay_free(test->priv);
}

/* A fresh window of @window packets (the previous one is freed). */
static struct nfipsec_replay *replay_new(struct kunit *test, u32 window)
{
	struct nfipsec_replay *r = test->priv;

	nfipsec_replay_free(r);
	KUNIT_ASSERT_EQ(test, nfipsec_replay_init(r, window, GFP_KERNEL), 0);
	return r;
}

/* One packet through the window: check, then advance if it may pass. */
static enum nfipsec_replay_verdict replay_rx(struct nfipsec_replay *r, u64 seq)
{
	enum nfipsec_replay_verdict v = nfipsec_replay_check(r, seq);

	if (v == NFIPSEC_REPLAY_OK)
		v = nfipsec_replay_advance(r, seq);
	return v;
}

#define OK NFIPSEC_REPLAY_OK
#define DUP NFIPSEC_REPLAY_DUP
#define OLD NFIPSEC_REPLAY_OLD
#define T(n, v) do {							\
		u64 __seq = (n);					\
		++num;							\
		KUNIT_EXPECT_EQ_MSG(test, replay_rx(r, __seq), v,	\
				    "window %u case %u: seq %llu",	\
				    w, num, __seq);			\
	} while (0)

/*
 * The cases of WireGuard's counter self-test, in RFC 4303 terms: sequence
 * 0 is never valid, and the window holds top - W + 1 .. top (W numbers).
 */
static void replay_counter(struct kunit *test)
{
	const u32 w = *(const u32 *)test->param_value;
	const u64 L = (u64)w + 1, BIG = U32_MAX;
	struct nfipsec_replay *r;
	unsigned int num = 0, i;

	r = replay_new(test, w);
	/*  1 */ T(0, OLD);		/* sequence 0 is never sent */
	/*  2 */ T(1, OK);
	/*  3 */ T(1, DUP);
	/*  4 */ T(9, OK);		/* ahead, leaves a gap */
	/*  5 */ T(8, OK);		/* reordered into the gap */
	/*  6 */ T(7, OK);
	/*  7 */ T(7, DUP);
	/*  8 */ T(L, OK);		/* top = W + 1 */
	/*  9 */ T(L - 1, OK);
	/* 10 */ T(L - 1, DUP);
	/* 11 */ T(L - 2, OK);
	/* 12 */ T(2, OK);		/* top - W + 1: the window's left edge */
	/* 13 */ T(2, DUP);
	/* 14 */ T(L + 16, OK);
	/* 15 */ T(3, OLD);		/* fell out on the left */
	/* 16 */ T(L + 16, DUP);
	/* 17 */ T(L * 4, OK);
	/* 18 */ T(L * 4 - w + 1, OK);	/* exactly at the edge */
	/* 19 */ T(10, OLD);
	/* 20 */ T(L * 4 - w, OLD);	/* one past the edge */
	/* 21 */ T(L * 4 - w - 1, OLD);
	/* 22 */ T(L * 4 - w + 2, OK);
	/* 23 */ T(L * 4 - w + 1, DUP);
	/* 24 */ T(0, OLD);
	/* 25 */ T(BIG, OK);		/* far ahead: many rings in one jump */
	/* 26 */ T(BIG - 1, OK);
	/* 27 */ T(BIG, DUP);
	/* 28 */ T(BIG - 1, DUP);
	/* 29 */ T(BIG - 2, OK);
	/* 30 */ T(BIG + 1, OK);	/* past 2^32: ESN */
	/* 31 */ T(BIG + 2, OK);
	/* 32 */ T(BIG - 2, DUP);
	/* 33 */ T(BIG - 3, OK);
	/* 34 */ T(0, OLD);
	/* 35 */ T(BIG + 2 - w, OLD);
	/* 36 */ T(BIG + 3 - w, OK);
	/* 37 */ T(U64_MAX, OK);	/* the end of the 64-bit space */
	/* 38 */ T(U64_MAX, DUP);
	/* 39 */ T(U64_MAX - w + 1, OK);
	/* 40 */ T(U64_MAX - w, OLD);
	/* 41 */ T(U64_MAX - 1, OK);

	/* 1 .. W in order: all fit, then the window is full. */
	r = replay_new(test, w);
	for (i = 1; i <= w; i++)
		T(i, OK);
	T(0, OLD);
	T(1, DUP);
	T(w + 1, OK);
	T(1, OLD);			/* pushed out by W + 1 */

	/* 2 .. W + 1, then 1 is exactly one past the edge. */
	r = replay_new(test, w);
	for (i = 2; i <= w + 1; i++)
		T(i, OK);
	T(1, OLD);
	T(0, OLD);

	/* 2 .. W, then 1 is exactly at the edge. */
	r = replay_new(test, w);
	for (i = 2; i <= w; i++)
		T(i, OK);
	T(1, OK);
	T(1, DUP);

	/* W .. 1 in reverse: every one of them reordered into the window. */
	r = replay_new(test, w);
	for (i = w; i >= 1; i--)
		T(i, OK);
	T(0, OLD);

	/* W + 1 .. 2 in reverse, then 1 is too old. */
	r = replay_new(test, w);
	for (i = w + 1; i >= 2; i--)
		T(i, OK);
	T(1, OLD);

	/* W .. 1 in reverse, then W + 1 pushes 1 out and keeps 2. */
	r = replay_new(test, w);
	for (i = w; i >= 1; i--)
		T(i, OK);
	T(w + 1, OK);
	T(1, OLD);
	T(2, DUP);
	T(w + 1, DUP);

	kunit_info(test, "window %u: %u cases", w, num);
}

/*
 * Jumps of every interesting size from a window where everything was
 * seen: afterwards exactly the numbers seen before and still inside the
 * window are duplicates, the rest of the window is free.
 */
static void replay_jumps(struct kunit *test)
{
	const u32 w = *(const u32 *)test->param_value;
	struct nfipsec_replay *r = replay_new(test, w);
	const u64 ring = r->ring_bits;
	const u64 jumps[] = {
		/*  1 */ 1,
		/*  2 */ 2,
		/*  3 */ BITS_PER_LONG - 1,
		/*  4 */ BITS_PER_LONG,
		/*  5 */ BITS_PER_LONG + 1,
		/*  6 */ w - 1,
		/*  7 */ w,
		/*  8 */ w + 1,
		/*  9 */ ring - w,
		/* 10 */ ring - 1,
		/* 11 */ ring,
		/* 12 */ ring + 1,
		/* 13 */ 3 * ring + 7,
		/* 14 */ 1ULL << 40,
	};
	unsigned int j, bad;
	u64 top = 1000000, s, old_top, seen_lo;

	for (j = 0; j < ARRAY_SIZE(jumps); j++) {
		/* Everything from top - W + 1 to top seen. */
		r = replay_new(test, w);
		for (s = top - w + 1; s <= top; s++)
			KUNIT_ASSERT_EQ(test, replay_rx(r, s), OK);
		old_top = top;
		seen_lo = top - w + 1;
		top += jumps[j];
		KUNIT_EXPECT_EQ_MSG(test, replay_rx(r, top), OK,
				    "jump %u (+%llu)", j + 1, jumps[j]);
		bad = 0;
		for (s = top - w + 1; s <= top; s++) {
			enum nfipsec_replay_verdict v = DUP;

			if (s != top && (s < seen_lo || s > old_top))
				v = OK;
			if (nfipsec_replay_check(r, s) != v)
				bad++;
		}
		KUNIT_EXPECT_EQ_MSG(test, bad, 0,
				    "jump %u (+%llu): %u window slots wrong",
				    j + 1, jumps[j], bad);
		KUNIT_EXPECT_EQ_MSG(test, nfipsec_replay_check(r, top - w), OLD,
				    "jump %u (+%llu)", j + 1, jumps[j]);
		top = 1000000 + (j + 1) * 7;	/* vary the ring alignment */
	}
}

/*
 * In order over many wraps of the ring, every third number lost: the
 * whole window is verified at points spread over the ring positions.
 */
static void replay_wraps(struct kunit *test)
{
	const u32 w = *(const u32 *)test->param_value;
	struct nfipsec_replay *r = replay_new(test, w);
	const u64 end = 8ULL * r->ring_bits + 17;
	unsigned int checks = 0, bad = 0;
	u64 s, t;

	for (s = 1; s <= end; s++) {
		if (s % 3)
			KUNIT_ASSERT_EQ_MSG(test, replay_rx(r, s), OK,
					    "seq %llu", s);
		if (s % (r->ring_bits / 4 + 5) || s < 2 * (u64)w)
			continue;
		checks++;
		/* top is s, or s - 1 when s itself was lost */
		for (t = r->top - w + 1; t <= r->top; t++)
			if (nfipsec_replay_check(r, t) != (t % 3 ? DUP : OK))
				bad++;
		if (nfipsec_replay_check(r, r->top - w) != OLD)
			bad++;
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%u slots wrong in %u checks",
			    bad, checks);
	KUNIT_EXPECT_GT(test, checks, 8U);
}

/* Window 0: no anti-replay, anything but 0 passes, again and again. */
static void replay_no_window(struct kunit *test)
{
	struct nfipsec_replay *r = replay_new(test, 0);
	unsigned int num = 0;
	const u32 w = 0;
	u32 bitmap[2];

	/*  1 */ T(0, OLD);
	/*  2 */ T(1, OK);
	/*  3 */ T(1, OK);
	/*  4 */ T(1000, OK);
	/*  5 */ T(1, OK);
	/*  6 */ T(1000, OK);
	/*  7 */ T(U32_MAX + 5ULL, OK);
	/*  8 */ T(2, OK);
	/*  9 */ T(U64_MAX, OK);
	/* 10 */ T(0, OLD);
	KUNIT_EXPECT_EQ(test, r->top, U64_MAX);
	KUNIT_EXPECT_NULL(test, r->ring);
	nfipsec_replay_bitmap(r, bitmap, ARRAY_SIZE(bitmap));
	KUNIT_EXPECT_EQ(test, bitmap[0] | bitmap[1], 0U);
}

/* A packet whose ICV fails is checked but never advanced. */
static void replay_check_only(struct kunit *test)
{
	const u32 w = *(const u32 *)test->param_value;
	struct nfipsec_replay *r = replay_new(test, w);
	const u64 top = 2ULL * w + 100;
	unsigned int num = 0;

	/*  1 */ T(top, OK);
	/*  2 */ KUNIT_EXPECT_EQ(test, nfipsec_replay_check(r, top - 1), OK);
	/* ICV failed: no advance. The same number is still acceptable. */
	/*  3 */ KUNIT_EXPECT_EQ(test, nfipsec_replay_check(r, top - 1), OK);
	/*  4 */ KUNIT_EXPECT_EQ(test, nfipsec_replay_check(r, top + 5ULL * w),
			      OK);
	/* A forged far-ahead number must not have moved the window. */
	/*  5 */ KUNIT_EXPECT_EQ(test, r->top, top);
	/*  6 */ T(top - 1, OK);
	/*  7 */ T(top - 1, DUP);
	/*  8 */ T(top - w + 1, OK);
	/*
	 * advance repeats the check: a duplicate or an old number is refused
	 * (another CPU advanced between check and advance), nothing moves.
	 */
	/*  9 */ KUNIT_EXPECT_EQ(test, nfipsec_replay_advance(r, top - 1), DUP);
	/* 10 */ KUNIT_EXPECT_EQ(test, nfipsec_replay_advance(r, top - w), OLD);
	/* 11 */ KUNIT_EXPECT_EQ(test, nfipsec_replay_advance(r, 0), OLD);
	/* 12 */ KUNIT_EXPECT_EQ(test, r->top, top);
	/* 13 */ T(top - 2, OK);
	/* 14 */ T(top + 5ULL * w, OK);
	/* 15 */ T(top - 1, OLD);
}

struct replay_bitmap_case {
	u32 window;
	u64 top;		/* numbers 1 .. top are offered ... */
	u32 skip_mod;		/* ... except multiples of skip_mod */
	unsigned int nwords;	/* size of the export */
};

static const struct replay_bitmap_case replay_bitmap_cases[] = {
	/*  1 */ { 32, 10, 3, 1 },	/* top below the window */
	/*  2 */ { 32, 1000, 3, 1 },
	/*  3 */ { 32, 1000, 3, 4 },	/* more words than the window */
	/*  4 */ { 64, 64, 5, 2 },
	/*  5 */ { 64, 1000, 2, 2 },
	/*  6 */ { 64, 1000, 7, 1 },	/* fewer words than the window */
	/*  7 */ { 1000, 999, 4, 32 },
	/*  8 */ { 1000, 5000, 4, 32 },	/* 1000 bits: 31.25 words */
	/*  9 */ { 1000, 5000, 9, 40 },
	/* 10 */ { 4096, 20000, 11, 128 },
	/* 11 */ { 4096, 20000, 11, 16 },
	/* 12 */ { 4096, 4095, 2, 128 },
	/* 13 */ { 100, 300, 1000, 4 },	/* nothing lost */
};

/* Bit i of the export (word i / 32, bit i % 32) is set iff top - i was seen. */
static void replay_bitmap(struct kunit *test)
{
	unsigned int c, i, bad;
	u32 *words, *want;

	words = kunit_kcalloc(test, 128 + 16, sizeof(u32), GFP_KERNEL);
	want = kunit_kcalloc(test, 128 + 16, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, words);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (c = 0; c < ARRAY_SIZE(replay_bitmap_cases); c++) {
		const struct replay_bitmap_case *bc = &replay_bitmap_cases[c];
		struct nfipsec_replay *r = replay_new(test, bc->window);
		u64 s;

		for (s = 1; s <= bc->top; s++)
			if (s % bc->skip_mod)
				KUNIT_ASSERT_EQ(test, replay_rx(r, s), OK);
		/* the top must have been seen for the export to mean much */
		if (!(bc->top % bc->skip_mod))
			KUNIT_ASSERT_EQ(test, replay_rx(r, bc->top), OK);
		memset(want, 0, (128 + 16) * sizeof(u32));
		for (i = 0; i < bc->nwords * 32 && i < bc->window; i++) {
			s = bc->top - i;
			if (i < bc->top && (s % bc->skip_mod || s == bc->top))
				want[i / 32] |= 1U << (i % 32);
		}
		/* words past the export must stay untouched */
		memset(words, 0xa5, (128 + 16) * sizeof(u32));
		nfipsec_replay_bitmap(r, words, bc->nwords);
		bad = 0;
		for (i = 0; i < bc->nwords; i++)
			if (words[i] != want[i])
				bad++;
		KUNIT_EXPECT_EQ_MSG(test, bad, 0,
				    "case %u: %u words differ (first: %08x want %08x)",
				    c + 1, bad, words[0], want[0]);
		KUNIT_EXPECT_EQ_MSG(test, words[bc->nwords], 0xa5a5a5a5U,
				    "case %u: wrote past the export", c + 1);
	}
}

/*
 * An SA update moves the window to the SA's new object, whose window may
 * have another size: 1..100 accepted on the old one but for the gaps 90
 * and 95, and 90 in flight (checked, not yet advanced) at the move. The
 * new object refuses what the old one would have, accepts the gaps once;
 * the old object accepts nothing after the move, so the packet in flight
 * is refused there and a copy of it is taken once, on the new object.
 */
static const struct { u32 from, to; } replay_moves[] = {
	{ 32, 32 }, { 32, 64 }, { 64, 32 }, { 32, 4096 }, { 4096, 32 },
	{ 0, 32 }, { 32, 0 }, { 8, 32 },
};

static void replay_move(struct kunit *test)
{
	struct nfipsec_replay from, to;
	enum nfipsec_replay_verdict want;
	unsigned int i;
	bool gap;
	u64 seq;

	for (i = 0; i < ARRAY_SIZE(replay_moves); i++) {
		u32 fw = replay_moves[i].from, tw = replay_moves[i].to;

		KUNIT_ASSERT_EQ(test, nfipsec_replay_init(&from, fw, GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, nfipsec_replay_init(&to, tw, GFP_KERNEL), 0);
		for (seq = 1; seq <= 100; seq++)
			if (seq != 90 && seq != 95)
				KUNIT_EXPECT_EQ(test, replay_rx(&from, seq), OK);
		/* 90 passed the check before the decryption */
		KUNIT_EXPECT_EQ(test, nfipsec_replay_check(&from, 90),
				fw && fw < 11 ? OLD : OK);
		nfipsec_replay_move(&to, &from);
		/* 1 */ KUNIT_EXPECT_EQ_MSG(test, nfipsec_replay_advance(&from, 90),
					    NFIPSEC_REPLAY_MOVED, "%u -> %u", fw, tw);
		/* 2 */ KUNIT_EXPECT_EQ_MSG(test, nfipsec_replay_check(&from, 101),
					    NFIPSEC_REPLAY_MOVED, "%u -> %u", fw, tw);
		/* 3 */ KUNIT_EXPECT_EQ_MSG(test, to.top, 100ULL, "%u -> %u", fw, tw);
		for (seq = 1; seq <= 100 && tw; seq++) {
			gap = (seq == 90 || seq == 95) && fw && 100 - seq < fw;
			if (100 - seq >= tw)
				want = OLD;
			else
				want = gap ? OK : DUP;
			/* 4 */ KUNIT_EXPECT_EQ_MSG(test, nfipsec_replay_check(&to, seq),
						    want, "%u -> %u: seq %llu",
						    fw, tw, seq);
		}
		/* 5, 6: the packet in flight is taken once, by the new one */
		if (tw && fw >= 11) {
			KUNIT_EXPECT_EQ(test, replay_rx(&to, 90), OK);
			KUNIT_EXPECT_EQ(test, replay_rx(&to, 90), DUP);
		}
		/* 7 */ KUNIT_EXPECT_EQ(test, replay_rx(&to, 101), OK);
		/* 8 */ KUNIT_EXPECT_EQ(test, to.top, 101ULL);
		nfipsec_replay_free(&from);
		nfipsec_replay_free(&to);
	}
}

#undef T
#undef OK
#undef DUP
#undef OLD

static struct kunit_case nfipsec_replay_cases[] = {
	KUNIT_CASE_PARAM(replay_counter, replay_window_gen_params),
	KUNIT_CASE_PARAM(replay_jumps, replay_window_gen_params),
	KUNIT_CASE_PARAM(replay_wraps, replay_window_gen_params),
	KUNIT_CASE_PARAM(replay_check_only, replay_window_gen_params),
	KUNIT_CASE(replay_no_window),
	KUNIT_CASE(replay_bitmap),
	KUNIT_CASE(replay_move),
	{}
};

static struct kunit_suite nfipsec_replay_suite = {
	.name = "nfipsec_replay",
	.init = replay_test_init,
	.exit = replay_test_exit,
	.test_cases = nfipsec_replay_cases,
};

/* ---- ESN ---- */

/*
 * RFC 4303 appendix A2.1, transcribed: Tl, Th the halves of the top,
 * W the window, Seql the received low half. A window of 0 (no
 * anti-replay) anchors on the top alone (W = 1). In the first subspace
 * there is no previous one to fall back to.
 */
static u64 esn_reference(u64 top, u32 window, u32 seql)
{
	u64 w = window ? window : 1;
	u64 tl = top & 0xffffffffULL, th = top >> 32;
	u64 seqh;

	if (tl >= w - 1) {			/* case A */
		if (seql >= tl - w + 1)
			seqh = th;
		else
			seqh = th + 1;
	} else {				/* case B */
		if (seql >= tl - w + 1 + (1ULL << 32))
			seqh = th ? th - 1 : 0;
		else
			seqh = th;
	}
	return seqh << 32 | seql;
}

struct esn_case {
	u32 window;
	u64 top;
	u32 seql;
	u64 want;
};

#define HI(h) ((u64)(h) << 32)

static const struct esn_case esn_cases[] = {
	/* window inside one subspace: bottom = 1000 - 63 = 937 */
	/*  1 */ { 64, HI(5) | 1000, 1000, HI(5) | 1000 },
	/*  2 */ { 64, HI(5) | 1000, 937, HI(5) | 937 },	/* left edge */
	/*  3 */ { 64, HI(5) | 1000, 936, HI(6) | 936 },	/* below: next */
	/*  4 */ { 64, HI(5) | 1000, 1001, HI(5) | 1001 },
	/*  5 */ { 64, HI(5) | 1000, U32_MAX, HI(5) | U32_MAX },
	/*  6 */ { 64, HI(5) | 1000, 0, HI(6) | 0 },
	/* window spanning two subspaces: bottom = 10 - 63 = 0xffffffcb */
	/*  7 */ { 64, HI(5) | 10, 10, HI(5) | 10 },
	/*  8 */ { 64, HI(5) | 10, 0xffffffcb, HI(4) | 0xffffffcb },
	/*  9 */ { 64, HI(5) | 10, U32_MAX, HI(4) | U32_MAX },	/* late */
	/* 10 */ { 64, HI(5) | 10, 0xffffffca, HI(5) | 0xffffffca },
	/* 11 */ { 64, HI(5) | 10, 0, HI(5) | 0 },
	/* 12 */ { 64, HI(5) | 10, 11, HI(5) | 11 },
	/* wrap to the next subspace */
	/* 13 */ { 64, HI(5) | 0xfffffff0, 5, HI(6) | 5 },
	/* 14 */ { 64, HI(5) | 0xfffffff0, 0xfffffff1, HI(5) | 0xfffffff1 },
	/* 15 */ { 64, HI(5) | 0xfffffff0, 0xffffffb1, HI(5) | 0xffffffb1 },
	/* 16 */ { 64, HI(5) | 0xfffffff0, 0xffffffb0, HI(6) | 0xffffffb0 },
	/* Tl = W - 1: case A with bottom 0 */
	/* 17 */ { 64, HI(5) | 63, 0, HI(5) | 0 },
	/* 18 */ { 64, HI(5) | 63, U32_MAX, HI(5) | U32_MAX },
	/* Tl = W - 2: case B with bottom 0xffffffff */
	/* 19 */ { 64, HI(5) | 62, U32_MAX, HI(4) | U32_MAX },
	/* 20 */ { 64, HI(5) | 62, 0, HI(5) | 0 },
	/* 21 */ { 64, HI(5) | 62, 0xfffffffe, HI(5) | 0xfffffffe },
	/* top 0: a new SA, nothing before the first subspace */
	/* 22 */ { 64, 0, 1, 1 },
	/* 23 */ { 64, 0, U32_MAX, U32_MAX },
	/* 24 */ { 64, 0, 0, 0 },
	/* 25 */ { 4096, 0, 0xfffff001, 0xfffff001 },
	/* 26 */ { 64, 40, U32_MAX, U32_MAX },
	/* large windows */
	/* 27 */ { 4096, HI(1) | 100, 0xfffff065, HI(0) | 0xfffff065 },
	/* 28 */ { 4096, HI(1) | 100, 0xfffff064, HI(1) | 0xfffff064 },
	/* 29 */ { 4096, HI(7) | 0x10000, 0xf001, HI(7) | 0xf001 },
	/* 30 */ { 4096, HI(7) | 0x10000, 0xf000, HI(8) | 0xf000 },
	/* 31 */ { 1000, HI(2) | 999, 0, HI(2) | 0 },
	/* 32 */ { 1000, HI(2) | 998, U32_MAX, HI(1) | U32_MAX },
	/* window 0: anchored on the top alone */
	/* 33 */ { 0, HI(3) | 500, 500, HI(3) | 500 },
	/* 34 */ { 0, HI(3) | 500, 499, HI(4) | 499 },
	/* 35 */ { 0, HI(3) | 500, 501, HI(3) | 501 },
	/* 36 */ { 0, 0, 1, 1 },
	/* 37 */ { 0, HI(3) | 0, 0, HI(3) | 0 },
	/* window 1 */
	/* 38 */ { 1, HI(9) | 7, 6, HI(10) | 6 },
	/* 39 */ { 1, HI(9) | 7, 7, HI(9) | 7 },
};

#undef HI

static void esn_table(struct kunit *test)
{
	struct nfipsec_replay r = {};
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(esn_cases); c++) {
		const struct esn_case *ec = &esn_cases[c];

		r.window = ec->window;
		r.top = ec->top;
		KUNIT_EXPECT_EQ_MSG(test, nfipsec_replay_esn_seq(&r, ec->seql),
				    ec->want, "case %u", c + 1);
		KUNIT_EXPECT_EQ_MSG(test, esn_reference(ec->top, ec->window,
							ec->seql),
				    ec->want, "case %u (reference)", c + 1);
	}
}

/* Numbers near the interesting edges of a random subspace. */
static u32 esn_rand_lo(struct rnd_state *rnd, u32 w)
{
	switch (nfipsec_test_rand(rnd, 6)) {
	case 0:
		return nfipsec_test_rand(rnd, 2 * w + 8);
	case 1:
		return U32_MAX - nfipsec_test_rand(rnd, 2 * w + 8);
	case 2:
		return w - 4 + nfipsec_test_rand(rnd, 8);
	default:
		return prandom_u32_state(rnd);
	}
}

/* The unit against the transcription, and the interval RFC 4303 implies. */
static void esn_random(struct kunit *test)
{
	static const u32 windows[] = { 0, 1, 2, 32, 64, 1000, 4095, 4096 };
	unsigned int i, bad = 0, bad_range = 0, n = 200000;
	u64 seed = get_random_u64();
	struct nfipsec_replay r = {};
	struct rnd_state rnd;

	prandom_seed_state(&rnd, seed);
	for (i = 0; i < n; i++) {
		u32 w = windows[nfipsec_test_rand(&rnd, ARRAY_SIZE(windows))];
		u32 th = nfipsec_test_rand(&rnd, 4) ? nfipsec_test_rand(&rnd, 3) :
						       prandom_u32_state(&rnd) >> 1;
		u32 tl = esn_rand_lo(&rnd, w), seql, wl = w ? w : 1;
		u64 got, want, bottom;

		r.window = w;
		r.top = (u64)th << 32 | tl;
		seql = nfipsec_test_rand(&rnd, 2) ? esn_rand_lo(&rnd, w) :
						    tl - wl + nfipsec_test_rand(&rnd, 5);
		got = nfipsec_replay_esn_seq(&r, seql);
		want = esn_reference(r.top, w, seql);
		if (got != want && bad++ < 3)
			KUNIT_FAIL(test, "top %llx window %u seql %x: %llx, want %llx",
				   r.top, w, seql, got, want);
		/* the one value with these low bits in [bottom, bottom + 2^32) */
		bottom = r.top >= wl - 1 ? r.top - wl + 1 : 0;
		if ((u32)got != seql || got - bottom >= 1ULL << 32)
			bad_range++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	KUNIT_EXPECT_EQ(test, bad_range, 0U);
	kunit_info(test, "%u random cases, seed %llu", n, seed);
}

/* Inference and window together: a stream crossing subspaces is accepted. */
static void esn_stream(struct kunit *test)
{
	const u32 w = *(const u32 *)test->param_value;
	struct nfipsec_replay *r = test->priv;
	u64 seq, got, start = (1ULL << 32) - 3 * (u64)w;
	unsigned int bad = 0;

	KUNIT_ASSERT_EQ(test, nfipsec_replay_init(r, w, GFP_KERNEL), 0);
	for (seq = start; seq < start + 6 * (u64)w; seq++) {
		/* every fourth packet arrives late, after the next one */
		u64 s = seq % 4 == 1 ? seq + 1 : seq % 4 == 2 ? seq - 1 : seq;

		got = nfipsec_replay_esn_seq(r, lower_32_bits(s));
		if (got != s || nfipsec_replay_check(r, got) != NFIPSEC_REPLAY_OK ||
		    nfipsec_replay_advance(r, got) != NFIPSEC_REPLAY_OK)
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	KUNIT_EXPECT_EQ(test, r->top, start + 6 * (u64)w - 1);
	/* a packet from the previous subspace, still inside the window */
	got = nfipsec_replay_esn_seq(r, lower_32_bits(r->top - w + 1));
	KUNIT_EXPECT_EQ(test, got, r->top - w + 1);
}

static struct kunit_case nfipsec_esn_cases[] = {
	KUNIT_CASE(esn_table),
	KUNIT_CASE(esn_random),
	KUNIT_CASE_PARAM(esn_stream, replay_window_gen_params),
	{}
};

static struct kunit_suite nfipsec_esn_suite = {
	.name = "nfipsec_esn",
	.init = replay_test_init,
	.exit = replay_test_exit,
	.test_cases = nfipsec_esn_cases,
};
