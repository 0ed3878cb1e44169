// SPDX-License-Identifier: GPL-2.0
/*
 * ESP (RFC 4303) packet transforms on one AEAD code path, as in esp4.c:
 * GCM is seqiv(rfc4106(gcm(aes))), CBC+HMAC is echainiv(authenc(...)).
 * One allocation per packet holds [ESN scratch | IV | request | sg]; it
 * lives in the skb control block until the completion frees it. When the
 * crypto API returns -EINPROGRESS it owns the skb until its callback runs.
 *
 * Both directions work on a linear, writable skb whose data starts at the
 * IPv4 header.
 */
#include <crypto/aead.h>
#include <linux/scatterlist.h>
#include <asm/unaligned.h>
#include <net/esp.h>

#include "esp.h"
#include "main.h"
#include "sa.h"

struct nfipsec_esp_extra {
	__be32 saved;		/* the 4 bytes ESN borrows before the header */
};

static void *nfipsec_esp_alloc_tmp(struct crypto_aead *aead)
{
	unsigned int len = sizeof(struct nfipsec_esp_extra);

	len += crypto_aead_ivsize(aead);
	len += crypto_aead_alignmask(aead) & ~(crypto_tfm_ctx_alignment() - 1);
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	len += sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	len = ALIGN(len, __alignof__(struct scatterlist));
	len += sizeof(struct scatterlist);
	return kmalloc(len, GFP_ATOMIC);
}

static u8 *nfipsec_esp_tmp_iv(struct crypto_aead *aead, void *tmp)
{
	return PTR_ALIGN((u8 *)tmp + sizeof(struct nfipsec_esp_extra),
			 crypto_aead_alignmask(aead) + 1);
}

static struct aead_request *nfipsec_esp_tmp_req(struct crypto_aead *aead,
						u8 *iv)
{
	struct aead_request *req;

	req = (void *)PTR_ALIGN(iv + crypto_aead_ivsize(aead),
				crypto_tfm_ctx_alignment());
	aead_request_set_tfm(req, aead);
	return req;
}

static struct scatterlist *nfipsec_esp_tmp_sg(struct crypto_aead *aead,
					      struct aead_request *req)
{
	return (void *)ALIGN((unsigned long)(req + 1) + crypto_aead_reqsize(aead),
			     __alignof__(struct scatterlist));
}

/*
 * ESN: the AAD is SPI | seq hi | seq lo. Slide SPI 4 bytes to the left over
 * the end of the IP header and put the high half where SPI was; undo after.
 */
static void nfipsec_esn_set(struct ip_esp_hdr *esph, void *tmp, u32 seqhi)
{
	struct nfipsec_esp_extra *extra = tmp;
	__be32 *p = (__be32 *)esph - 1;

	extra->saved = p[0];
	p[0] = esph->spi;
	p[1] = htonl(seqhi);
}

static void nfipsec_esn_restore(struct ip_esp_hdr *esph, void *tmp)
{
	struct nfipsec_esp_extra *extra = tmp;
	__be32 *p = (__be32 *)esph - 1;

	p[1] = p[0];
	p[0] = extra->saved;
}

static struct ip_esp_hdr *nfipsec_esph(struct sk_buff *skb)
{
	return (struct ip_esp_hdr *)skb_transport_header(skb);
}

/* After the crypto: ESN's borrowed header bytes back, scratch freed. */
static void nfipsec_esp_finish(struct sk_buff *skb, int err,
			       void (*done)(struct sk_buff *skb, int err))
{
	struct nfipsec_sa *sa = NFIPSEC_CB(skb)->sa;

	if (sa->flags & NFIPSEC_SA_F_ESN)
		nfipsec_esn_restore(nfipsec_esph(skb), NFIPSEC_CB(skb)->tmp);
	kfree(NFIPSEC_CB(skb)->tmp);
	NFIPSEC_CB(skb)->tmp = NULL;
	done(skb, err);
}

/* An asynchronous request completed: finish as the datapath would. */
static void nfipsec_esp_complete(struct sk_buff *skb, int err,
				 void (*done)(struct sk_buff *skb, int err))
{
	struct nfipsec_net *nn = NFIPSEC_CB(skb)->sa->nn;

	rcu_read_lock();
	local_bh_disable();
	nfipsec_esp_finish(skb, err, done);
	local_bh_enable();
	nfipsec_inflight_put(nn);
	rcu_read_unlock();
}

static void nfipsec_esp_output_cb(struct crypto_async_request *base, int err)
{
	nfipsec_esp_complete(base->data, err, nfipsec_output_done);
}

static void nfipsec_esp_input_cb(struct crypto_async_request *base, int err)
{
	nfipsec_esp_complete(base->data, err, nfipsec_input_done);
}

/*
 * Encapsulate @skb (an IPv4 packet) for @sa with sequence number @seq and
 * outer DF @df; reserve @hroom bytes of link layer headroom. Ends in
 * nfipsec_output_done(), now or from the crypto completion.
 */
void nfipsec_esp_output(struct nfipsec_sa *sa, struct sk_buff *skb, u64 seq,
			bool df, unsigned int hroom)
{
	struct crypto_aead *aead = sa->aead;
	unsigned int ihl, plen, clen, padlen, tailen, hlen, i, esn;
	struct ip_esp_hdr *esph;
	struct aead_request *req;
	struct scatterlist *sg;
	struct iphdr *iph, *top;
	int nhead, ntail, err;
	u8 proto, *tail, *iv;
	void *tmp;

	iph = ip_hdr(skb);
	if (sa->mode == NFIPSEC_MODE_TRANSPORT) {
		ihl = iph->ihl * 4;
		proto = iph->protocol;
	} else {
		ihl = 0;
		proto = IPPROTO_IPIP;
	}
	plen = skb->len - ihl;
	clen = ALIGN(plen + 2, sa->blksize);
	padlen = clen - plen - 2;
	tailen = clen - plen + sa->icvlen;
	hlen = sizeof(*esph) + sa->ivlen;
	esn = sa->flags & NFIPSEC_SA_F_ESN ? 4 : 0;

	nhead = hlen + hroom + (sa->mode == NFIPSEC_MODE_TUNNEL ?
				sizeof(*top) : 0) - skb_headroom(skb);
	ntail = tailen + skb->data_len - skb_tailroom(skb);
	if (nhead > 0 || ntail > 0 || skb_cloned(skb)) {
		err = pskb_expand_head(skb, max(nhead, 0), max(ntail, 0),
				       GFP_ATOMIC);
		if (err)
			goto fail;
	}
	if (skb_linearize(skb)) {
		err = -ENOMEM;
		goto fail;
	}
	iph = ip_hdr(skb);

	tail = skb_put(skb, tailen);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = proto;

	if (sa->mode == NFIPSEC_MODE_TUNNEL) {
		u8 tos = iph->tos;	/* DSCP and ECN: copied (RFC 6040) */

		esph = skb_push(skb, hlen);
		top = skb_push(skb, sizeof(*top));
		top->version = 4;
		top->ihl = 5;
		top->tos = tos;
		top->frag_off = df ? htons(IP_DF) : 0;
		top->ttl = 64;
		top->protocol = IPPROTO_ESP;
		top->saddr = sa->tid.saddr.a4;
		top->daddr = sa->id.daddr.a4;
		top->id = 0;
		ihl = sizeof(*top);
	} else {
		skb_push(skb, hlen);
		memmove(skb->data, skb->data + hlen, ihl);
		top = (struct iphdr *)skb->data;
		top->protocol = IPPROTO_ESP;
		esph = (struct ip_esp_hdr *)(skb->data + ihl);
	}
	top->tot_len = htons(skb->len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, ihl);

	esph->spi = sa->id.spi;
	esph->seq_no = htonl(lower_32_bits(seq));

	tmp = nfipsec_esp_alloc_tmp(aead);
	if (!tmp) {
		err = -ENOMEM;
		goto fail;
	}
	iv = nfipsec_esp_tmp_iv(aead, tmp);
	req = nfipsec_esp_tmp_req(aead, iv);
	sg = nfipsec_esp_tmp_sg(aead, req);
	NFIPSEC_CB(skb)->tmp = tmp;
	if (esn)
		nfipsec_esn_set(esph, tmp, upper_32_bits(seq));
	sg_init_one(sg, (u8 *)esph - esn, esn + hlen + clen + sa->icvlen);

	aead_request_set_callback(req, 0, nfipsec_esp_output_cb, skb);
	aead_request_set_crypt(req, sg, sg, sa->ivlen + clen, iv);
	aead_request_set_ad(req, sizeof(*esph) + esn);
	/* The IV generator's input: the 64-bit sequence number. */
	memset(iv, 0, sa->ivlen);
	put_unaligned_be64(seq, iv + sa->ivlen - min(sa->ivlen, 8U));

	nfipsec_inflight_get(sa->nn);
	err = crypto_aead_encrypt(req);
	if (err == -EINPROGRESS)
		return;
	nfipsec_inflight_put(sa->nn);
	nfipsec_esp_finish(skb, err, nfipsec_output_done);
	return;
fail:
	nfipsec_output_done(skb, err);
}

/*
 * The decrypted ESP trailer (RFC 4303 2.4-2.6): @data holds @len bytes of
 * payload, padding, pad length and next header (the ICV excluded). Padding
 * must be the monotonic 1, 2, 3, ... of 2.4. Returns the payload length and
 * sets @nexthdr, or -EBADMSG.
 */
int nfipsec_esp_trailer(const u8 *data, unsigned int len, u8 *nexthdr)
{
	unsigned int padlen, i;
	const u8 *pad;

	if (len < 2)
		return -EBADMSG;
	padlen = data[len - 2];
	if (padlen + 2 > len)
		return -EBADMSG;
	pad = data + len - 2 - padlen;
	for (i = 0; i < padlen; i++)
		if (pad[i] != i + 1)
			return -EBADMSG;
	*nexthdr = data[len - 1];
	return len - 2 - padlen;
}

/*
 * Verify and decrypt in place; the caller checked the lengths and set the
 * transport header to the ESP header. Ends in nfipsec_input_done().
 */
void nfipsec_esp_input(struct nfipsec_sa *sa, struct sk_buff *skb, u64 seq)
{
	struct ip_esp_hdr *esph = nfipsec_esph(skb);
	struct crypto_aead *aead = sa->aead;
	unsigned int esn = sa->flags & NFIPSEC_SA_F_ESN ? 4 : 0;
	unsigned int len = skb_tail_pointer(skb) - (u8 *)esph;
	struct aead_request *req;
	struct scatterlist *sg;
	void *tmp;
	u8 *iv;
	int err;

	tmp = nfipsec_esp_alloc_tmp(aead);
	if (!tmp) {
		nfipsec_input_done(skb, -ENOMEM);
		return;
	}
	iv = nfipsec_esp_tmp_iv(aead, tmp);
	req = nfipsec_esp_tmp_req(aead, iv);
	sg = nfipsec_esp_tmp_sg(aead, req);
	NFIPSEC_CB(skb)->tmp = tmp;
	if (esn)
		nfipsec_esn_set(esph, tmp, upper_32_bits(seq));
	sg_init_one(sg, (u8 *)esph - esn, esn + len);
	skb->ip_summed = CHECKSUM_NONE;

	aead_request_set_callback(req, 0, nfipsec_esp_input_cb, skb);
	aead_request_set_crypt(req, sg, sg, len - sizeof(*esph), iv);
	aead_request_set_ad(req, sizeof(*esph) + esn);

	nfipsec_inflight_get(sa->nn);
	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return;
	nfipsec_inflight_put(sa->nn);
	nfipsec_esp_finish(skb, err, nfipsec_input_done);
}
