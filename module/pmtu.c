// SPDX-License-Identifier: GPL-2.0
/*
 * Path MTU of outbound SAs. The outer path MTU towards the peer lives on
 * the SA: the route's own MTU (its metric, else its device's), lowered by
 * what ICMP "fragmentation needed" for our ESP packets said. The route's
 * learned PMTU is not used for it: when the peer is also the inner
 * destination (transport mode, host-to-host tunnel), the route is where
 * the inner limit is kept for the local sender, one ESP overhead lower,
 * and reading it back as the outer MTU would lower the limit again with
 * every notice. XFRM keeps the two apart in the same way: the inner limit
 * in the bundle's dst, the outer one in the route beneath.
 */
#include <linux/icmp.h>
#include <net/dst.h>
#include <net/esp.h>

#include "pmtu.h"
#include "sa.h"

/* Smallest IPv4 path MTU believed: ip_rt_min_pmtu's default. */
#define NFIPSEC_PMTU_MIN4	(512 + 20 + 20)
/* A learned path MTU is forgotten after ip_rt_mtu_expires' default. */
#define NFIPSEC_PMTU_EXPIRES	(10 * 60 * HZ)

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

/*
 * A notice says that a packet of @sa, @len bytes long, did not fit @mtu.
 * Believe it only when it lowers the path MTU in use to no less than @min.
 */
static void nfipsec_pmtu_update(struct nfipsec_sa *sa, u32 mtu, u32 len,
				u32 min)
{
	u32 cur;

	if (mtu < min || mtu >= len)
		return;
	spin_lock(&sa->lock);
	cur = READ_ONCE(sa->pmtu);
	if (!cur || mtu >= cur) {
		spin_unlock(&sa->lock);
		return;
	}
	WRITE_ONCE(sa->pmtu_expires, jiffies + NFIPSEC_PMTU_EXPIRES);
	WRITE_ONCE(sa->pmtu_learned, mtu);
	WRITE_ONCE(sa->pmtu, mtu);
	spin_unlock(&sa->lock);
	atomic64_inc(&sa->pmtu_updates);
}

/* Did @sa send a packet with sequence number @seq (low 32 bits)? */
static bool nfipsec_pmtu_sent(struct nfipsec_sa *sa, u32 seq)
{
	u32 last = lower_32_bits(atomic64_read(&sa->oseq));

	return seq && last - seq < BIT(31);
}

/*
 * ICMP to this host, LOCAL_IN, under RCU. "Fragmentation needed" that
 * quotes an ESP packet of one of our outbound SAs (SPI, both addresses and
 * a sequence number it sent) lowers the SA's path MTU; the ICMP goes on to
 * the stack either way. Checks as esp4_err() and ipv4_update_pmtu() do.
 */
void nfipsec_pmtu_icmp4(struct nfipsec_net *nn, struct sk_buff *skb)
{
	unsigned int off = ip_hdrlen(skb);
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
	} _hdr;
	const typeof(_hdr) *hdr;
	struct ip_esp_hdr _esph;
	const struct ip_esp_hdr *esph;
	struct nfipsec_sa_id id;
	struct nfipsec_sa *sa;

	if (!READ_ONCE(nn->sad.count))
		return;
	hdr = skb_header_pointer(skb, off, sizeof(_hdr), &_hdr);
	if (!hdr || hdr->icmp.type != ICMP_DEST_UNREACH ||
	    hdr->icmp.code != ICMP_FRAG_NEEDED ||
	    hdr->ip.version != 4 || hdr->ip.ihl < 5 ||
	    hdr->ip.protocol != IPPROTO_ESP)
		return;
	esph = skb_header_pointer(skb, off + sizeof(hdr->icmp) +
				  hdr->ip.ihl * 4, sizeof(_esph), &_esph);
	if (!esph)
		return;

	memset(&id, 0, sizeof(id));
	id.daddr.a4 = hdr->ip.daddr;
	id.spi = esph->spi;
	id.family = AF_INET;
	id.proto = IPPROTO_ESP;
	sa = nfipsec_sad_lookup(nn, &id);
	if (!sa || sa->tid.saddr.a4 != hdr->ip.saddr ||
	    !nfipsec_pmtu_sent(sa, ntohl(esph->seq_no)))
		return;
	/* Only now, for a notice about our own packets: the checksum. */
	if (csum_fold(skb_checksum(skb, off, skb->len - off, 0)))
		return;
	nfipsec_pmtu_update(sa, ntohs(hdr->icmp.un.frag.mtu),
			    ntohs(hdr->ip.tot_len), NFIPSEC_PMTU_MIN4);
}
