/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window (RFC 4303 3.4.3, ESN per appendix A2).
 */
#ifndef _NFIPSEC_REPLAY_H
#define _NFIPSEC_REPLAY_H

#include <linux/types.h>

struct nfipsec_replay {
	u64 top;		/* highest sequence number accepted */
	u32 window;		/* packets; 0: no anti-replay */
	u32 ring_bits;		/* bits in the ring, a power of two */
	unsigned long *ring;	/* bit (seq & (ring_bits - 1)): seq seen */
	bool moved;		/* handed over to another SA object */
};

enum nfipsec_replay_verdict {
	NFIPSEC_REPLAY_OK,
	NFIPSEC_REPLAY_DUP,	/* seen before */
	NFIPSEC_REPLAY_OLD,	/* left of the window, or sequence 0 */
	NFIPSEC_REPLAY_MOVED,	/* the window moved to the SA's new object */
};

/* replay.c APIs: */
int nfipsec_replay_init(struct nfipsec_replay *r, u32 window, gfp_t gfp);
void nfipsec_replay_free(struct nfipsec_replay *r);
enum nfipsec_replay_verdict nfipsec_replay_check(const struct nfipsec_replay *r,
						 u64 seq);
enum nfipsec_replay_verdict nfipsec_replay_advance(struct nfipsec_replay *r,
						   u64 seq);
void nfipsec_replay_move(struct nfipsec_replay *to,
			 struct nfipsec_replay *from);
u64 nfipsec_replay_esn_seq(const struct nfipsec_replay *r, u32 seq_lo);
void nfipsec_replay_bitmap(const struct nfipsec_replay *r, u32 *words,
			   unsigned int nwords);

#endif /* _NFIPSEC_REPLAY_H */
