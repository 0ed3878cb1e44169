// SPDX-License-Identifier: GPL-2.0
/*
 * Path MTU of outbound SAs. The outer path MTU towards the peer lives on
 * the SA: the route's own MTU (its metric, else its device's), lowered by
 * what the path said (sa->pmtu_learned). The route's learned PMTU is not
 * used for it: when the peer is also the inner destination (transport
 * mode, host-to-host tunnel), the route is where the inner limit is kept
 * for the local sender, one ESP overhead lower, and reading it back as the
 * outer MTU would lower the limit again with every notice. XFRM keeps the
 * two apart in the same way: the inner limit in the bundle's dst, the
 * outer one in the route beneath.
 */
#include <net/dst.h>

#include "pmtu.h"
#include "sa.h"

/*
 * The outer path MTU towards @sa's peer reached through @dst. Called for
 * every packet: reads only, writes sa->pmtu when it changed.
 */
u32 nfipsec_pmtu_get(struct nfipsec_sa *sa, const struct dst_entry *dst)
{
	u32 learned = READ_ONCE(sa->pmtu_learned);
	u32 mtu = dst_metric_raw(dst, RTAX_MTU);

	if (!mtu)
		mtu = READ_ONCE(dst->dev->mtu);
	if (learned && learned < mtu &&
	    time_before(jiffies, READ_ONCE(sa->pmtu_expires)))
		mtu = learned;
	if (READ_ONCE(sa->pmtu) != mtu)
		WRITE_ONCE(sa->pmtu, mtu);
	return mtu;
}
