// SPDX-License-Identifier: GPL-2.0
/* Drop reason names, in enum nfipsec_drop order: one table for all output. */
#include "ipsecctl.h"

const char *const drop_reason[NFIPSEC_DROP_COUNT] = {
	[NFIPSEC_DROP_NO_SA] = "no_sa",
	[NFIPSEC_DROP_REPLAY] = "replay",
	[NFIPSEC_DROP_TOO_OLD] = "too_old",
	[NFIPSEC_DROP_AUTH] = "auth",
	[NFIPSEC_DROP_BAD_PADDING] = "bad_padding",
	[NFIPSEC_DROP_BAD_NEXTHDR] = "bad_nexthdr",
	[NFIPSEC_DROP_MALFORMED] = "malformed",
	[NFIPSEC_DROP_POLICY_MISMATCH] = "policy_mismatch",
	[NFIPSEC_DROP_PLAINTEXT] = "plaintext",
	[NFIPSEC_DROP_POLICY_BLOCK] = "policy_block",
	[NFIPSEC_DROP_NO_OUT_SA] = "no_out_sa",
	[NFIPSEC_DROP_SEQ_OVERFLOW] = "seq_overflow",
	[NFIPSEC_DROP_EXPIRED] = "expired",
	[NFIPSEC_DROP_MTU] = "mtu",
	[NFIPSEC_DROP_NO_ROUTE] = "no_route",
	[NFIPSEC_DROP_NOMEM] = "nomem",
	[NFIPSEC_DROP_CRYPTO] = "crypto",
	[NFIPSEC_DROP_OUTPUT] = "output",
	[NFIPSEC_DROP_NESTING] = "nesting",
	[NFIPSEC_DROP_BACKLOG] = "backlog",
};

/* a new reason in the uapi must get a name here */
_Static_assert(NFIPSEC_DROP_COUNT == 20, "update drop_reason[]");
