// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window: a ring of bits indexed by sequence number, as in
 * WireGuard's counter. The caller serialises check and advance (the SA
 * lock); check runs before decryption, advance only after the ICV verified
 * and repeats the check, since another CPU may have advanced meanwhile.
 */
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "replay.h"

int nfipsec_replay_init(struct nfipsec_replay *r, u32 window, gfp_t gfp)
{
	r->top = 0;
	r->window = window;
	r->ring = NULL;
	r->ring_bits = 0;
	r->moved = false;
	if (!window)
		return 0;
	/* One spare word, so the word holding top never shadows the window. */
	r->ring_bits = roundup_pow_of_two(window + BITS_PER_LONG);
	r->ring = kcalloc(BITS_TO_LONGS(r->ring_bits), sizeof(unsigned long),
			  gfp);
	return r->ring ? 0 : -ENOMEM;
}

void nfipsec_replay_free(struct nfipsec_replay *r)
{
	kfree(r->ring);
	r->ring = NULL;
}

enum nfipsec_replay_verdict nfipsec_replay_check(const struct nfipsec_replay *r,
						 u64 seq)
{
	if (r->moved)
		return NFIPSEC_REPLAY_MOVED;
	if (!seq)
		return NFIPSEC_REPLAY_OLD;
	if (!r->window || seq > r->top)
		return NFIPSEC_REPLAY_OK;
	if (r->top - seq >= r->window)
		return NFIPSEC_REPLAY_OLD;
	if (test_bit(seq & (r->ring_bits - 1), r->ring))
		return NFIPSEC_REPLAY_DUP;
	return NFIPSEC_REPLAY_OK;
}

enum nfipsec_replay_verdict nfipsec_replay_advance(struct nfipsec_replay *r,
						   u64 seq)
{
	enum nfipsec_replay_verdict v = nfipsec_replay_check(r, seq);
	unsigned long words, cur, new, i;

	if (v != NFIPSEC_REPLAY_OK)
		return v;
	if (!r->window) {
		if (seq > r->top)
			r->top = seq;
		return v;
	}
	words = r->ring_bits / BITS_PER_LONG;
	if (seq > r->top) {
		cur = r->top / BITS_PER_LONG;
		new = seq / BITS_PER_LONG;
		for (i = 1; i <= min(new - cur, words); i++)
			r->ring[(cur + i) & (words - 1)] = 0;
		r->top = seq;
	}
	__set_bit(seq & (r->ring_bits - 1), r->ring);
	return v;
}

/*
 * An SA update: hand the state of @from over to @to, a fresh window of the
 * SA's new object (of any size, not in use yet), and retire @from, which
 * accepts nothing afterwards: a packet that passed the check on the old
 * object but completes after the move is refused there, and the new object
 * alone decides. Whatever @from would have refused, @to refuses too: the
 * numbers @from saw, and those left of its window (or every number up to
 * top, when @from had no window) count as seen. The caller holds the lock
 * of both windows' SAs.
 */
void nfipsec_replay_move(struct nfipsec_replay *to,
			 struct nfipsec_replay *from)
{
	u64 top = from->top, seq, lo;

	to->top = top;
	if (to->window) {
		memset(to->ring, 0,
		       BITS_TO_LONGS(to->ring_bits) * sizeof(unsigned long));
		lo = top >= to->window ? top - to->window + 1 : 1;
		for (seq = lo; seq && seq <= top; seq++)
			if (!from->window || top - seq >= from->window ||
			    test_bit(seq & (from->ring_bits - 1), from->ring))
				__set_bit(seq & (to->ring_bits - 1), to->ring);
	}
	from->moved = true;
}

/*
 * RFC 4303 appendix A2.1: the high half of a 64-bit sequence number from
 * its low half and the window. Without anti-replay a window of one packet
 * still anchors the guess.
 */
u64 nfipsec_replay_esn_seq(const struct nfipsec_replay *r, u32 seq_lo)
{
	u32 w = r->window ? r->window : 1;
	u32 tl = lower_32_bits(r->top);
	u32 th = upper_32_bits(r->top);
	u32 bottom = tl - w + 1;

	if (tl >= w - 1) {
		if (seq_lo < bottom)
			th++;
	} else {
		/* The window spans two subspaces. */
		if (seq_lo >= bottom && th)
			th--;
	}
	return ((u64)th << 32) | seq_lo;
}

/* Bit i of the result (word i / 32, bit i % 32) tells if top - i was seen. */
void nfipsec_replay_bitmap(const struct nfipsec_replay *r, u32 *words,
			   unsigned int nwords)
{
	unsigned int i, n = min_t(unsigned int, nwords * 32, r->window);

	memset(words, 0, nwords * sizeof(u32));
	for (i = 0; i < n && i < r->top; i++)
		if (test_bit((r->top - i) & (r->ring_bits - 1), r->ring))
			words[i / 32] |= 1U << (i % 32);
}
