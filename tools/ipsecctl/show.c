// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl show: the operator's view, after a firewall's
 * "show crypto ipsec sa". SAs are grouped into pairs (outbound A->B with
 * inbound B->A) and each pair is printed with its traffic selectors,
 * counters, MTU and the state of both SAs.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "parse.h"

enum sa_dir { D_UNKNOWN, D_OUT, D_IN };

struct entry {
	const struct sa *sa;
	enum sa_dir dir;
	const struct policy *pol;	/* the protect policy that names it */
	bool done;
};

static bool addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && !memcmp(a->a, b->a, 16);
}

static bool prefix_has(const struct addr *pfx, uint8_t plen,
		       const struct addr *a)
{
	unsigned int i, bits = plen;

	if (pfx->family != a->family)
		return false;
	for (i = 0; bits && i < 16; i++, bits = bits > 8 ? bits - 8 : 0) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((pfx->a[i] ^ a->a[i]) & mask)
			return false;
	}
	return true;
}

/* does the protect policy p name SA s? */
static bool pol_names(const struct policy *p, const struct sa *s)
{
	const struct tmpl *t = &p->tmpl;

	if (!HAS(*p, NFIPSEC_POL_A_TMPL) || p->action != NFIPSEC_ACTION_PROTECT)
		return false;
	if (t->reqid && t->reqid != s->reqid)
		return false;
	if (HAS(*t, NFIPSEC_TMPL_A_MODE) && t->mode != s->mode)
		return false;
	if (HAS(*t, NFIPSEC_TMPL_A_SRC) || HAS(*t, NFIPSEC_TMPL_A_DST))
		return (!HAS(*t, NFIPSEC_TMPL_A_SRC) ||
			addr_eq(&t->src, &s->src)) &&
		       (!HAS(*t, NFIPSEC_TMPL_A_DST) ||
			addr_eq(&t->dst, &s->dst));
	/* transport, addresses from the packet: the selector must cover */
	return prefix_has(&p->sel.src, p->sel.splen, &s->src) &&
	       prefix_has(&p->sel.dst, p->sel.dplen, &s->dst);
}

static void classify(struct entry *e, const struct policy *pol, size_t npol)
{
	const struct sa *s = e->sa;
	bool out = false, in = false;
	size_t i;

	for (i = 0; i < npol; i++) {
		if (!pol_names(&pol[i], s))
			continue;
		if (pol[i].dir == NFIPSEC_DIR_OUT)
			out = true;
		else
			in = true;
		if (!e->pol)
			e->pol = &pol[i];
	}
	if (!out && !in) {
		out = s->st.out_packets || s->oseq;
		in = s->st.in_packets || s->rp.top;
	}
	e->dir = out == in ? D_UNKNOWN : out ? D_OUT : D_IN;
}

static bool sel_reverse(const struct sel *a, const struct sel *b)
{
	return addr_eq(&a->src, &b->dst) && addr_eq(&a->dst, &b->src) &&
	       a->splen == b->dplen && a->dplen == b->splen &&
	       a->proto == b->proto && a->sport == b->dport &&
	       a->dport == b->sport;
}

static bool can_pair(const struct entry *a, const struct entry *b,
		     bool strict)
{
	const struct sa *x = a->sa, *y = b->sa;

	if (b->done || a == b || !addr_eq(&x->src, &y->dst) ||
	    !addr_eq(&x->dst, &y->src))
		return false;
	if (a->dir != D_UNKNOWN && a->dir == b->dir)
		return false;
	if (!strict)
		return true;
	if (x->reqid && x->reqid == y->reqid)
		return true;
	if (HAS(*x, NFIPSEC_SA_A_SEL) && HAS(*y, NFIPSEC_SA_A_SEL) &&
	    sel_reverse(&x->sel, &y->sel))
		return true;
	return a->pol && b->pol && sel_reverse(&a->pol->sel, &b->pol->sel);
}

/* ------------------------------------------------------------------ */

static const char *mask_fmt(const struct addr *a, uint8_t plen, char *buf)
{
	uint32_t m;

	if (a->family != AF_INET) {
		snprintf(buf, ADDRSTRLEN, "/%u", plen);
		return buf;
	}
	m = plen ? htonl(~0U << (32 - (plen > 32 ? 32 : plen))) : 0;
	inet_ntop(AF_INET, &m, buf, ADDRSTRLEN);
	return buf;
}

static void ident(FILE *f, const char *what, const struct addr *a,
		  uint8_t plen, uint8_t proto, uint16_t port)
{
	char b[ADDRSTRLEN], m[ADDRSTRLEN];

	fprintf(f, "   %s ident (addr/mask/prot/port): (%s/%s/%u/%u)\n", what,
		addr_fmt(a, b), mask_fmt(a, plen, m), proto, port);
}

/* local and remote traffic of the pair, from the outbound point of view */
static void idents(FILE *f, const struct entry *out, const struct entry *in)
{
	const struct sel *sel = NULL;
	bool rev = false;

	if (out && HAS(*out->sa, NFIPSEC_SA_A_SEL))
		sel = &out->sa->sel;
	else if (in && HAS(*in->sa, NFIPSEC_SA_A_SEL))
		sel = &in->sa->sel, rev = true;
	else if (out && out->pol)
		sel = &out->pol->sel;
	else if (in && in->pol)
		sel = &in->pol->sel, rev = true;

	if (sel && !rev) {
		ident(f, "local ", &sel->src, sel->splen, sel->proto,
		      sel->sport);
		ident(f, "remote", &sel->dst, sel->dplen, sel->proto,
		      sel->dport);
	} else if (sel) {
		ident(f, "local ", &sel->dst, sel->dplen, sel->proto,
		      sel->dport);
		ident(f, "remote", &sel->src, sel->splen, sel->proto,
		      sel->sport);
	} else {
		const struct sa *s = out ? out->sa : in->sa;

		ident(f, "local ", out ? &s->src : &s->dst, 32, 0, 0);
		ident(f, "remote", out ? &s->dst : &s->src, 32, 0, 0);
	}
}

/* Drops other than "fragmentation needed" sent back: those are PMTU work. */
static uint64_t errors(const struct sa *s)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < NFIPSEC_DROP_COUNT; i++)
		if (i != NFIPSEC_DROP_MTU)
			n += s->st.err[i];
	return n;
}

static void transform(FILE *f, const struct sa *s)
{
	const struct alg_desc *d;

	fputs("         transform:", f);
	if (HAS(*s, NFIPSEC_SA_A_ALG_AEAD)) {
		d = alg_by_name(s->aead.name);
		if (d && HAS(s->aead, NFIPSEC_ALG_A_KEY_BITS))
			fprintf(f, " %s-%u", d->transform,
				s->aead.key_bits - 32);
		else
			fprintf(f, " %s", d ? d->transform : s->aead.name);
		if (HAS(s->aead, NFIPSEC_ALG_A_ICV_BITS))
			fprintf(f, " (icv %u)", s->aead.icv_bits);
	}
	if (HAS(*s, NFIPSEC_SA_A_ALG_ENC)) {
		d = alg_by_name(s->enc.name);
		if (d && HAS(s->enc, NFIPSEC_ALG_A_KEY_BITS))
			fprintf(f, " %s-%u", d->transform, s->enc.key_bits);
		else if (d)
			fprintf(f, " %s", d->transform);
		else
			fprintf(f, " esp-%s", s->enc.name);
	}
	if (HAS(*s, NFIPSEC_SA_A_ALG_AUTH)) {
		d = alg_by_name(s->auth.name);
		if (d)
			fprintf(f, " %s", d->transform);
		else
			fprintf(f, " esp-%s", s->auth.name);
		if (HAS(s->auth, NFIPSEC_ALG_A_TRUNC_BITS) &&
		    s->auth.trunc_bits)
			fprintf(f, " (icv %u)", s->auth.trunc_bits);
	}
	fputc('\n', f);
}

static void timing(FILE *f, const struct sa *s, time_t now)
{
	const struct life *l = &s->life, *c = &s->cur;
	uint64_t hb = l->v[NFIPSEC_LIFE_A_HARD_BYTES];
	uint64_t hs = l->v[NFIPSEC_LIFE_A_HARD_SECS];
	uint64_t hp = l->v[NFIPSEC_LIFE_A_HARD_PACKETS];
	uint64_t used, end;

	fputs("         sa timing: remaining key lifetime", f);
	if (!hb && !hs) {
		fputs(": unlimited", f);
	} else {
		fputs(" (kB/sec): (", f);
		if (hb) {
			used = c->v[NFIPSEC_LIFE_A_BYTES];
			fprintf(f, "%" PRIu64, used < hb ? (hb - used) / 1024 : 0);
		} else {
			fputs("unlimited", f);
		}
		fputc('/', f);
		if (hs && HAS(*c, NFIPSEC_LIFE_A_ADD_TIME)) {
			end = c->v[NFIPSEC_LIFE_A_ADD_TIME] + hs;
			fprintf(f, "%" PRIu64,
				end > (uint64_t)now ? end - now : 0);
		} else if (hs) {
			fprintf(f, "%" PRIu64, hs);
		} else {
			fputs("unlimited", f);
		}
		fputc(')', f);
	}
	if (hp) {
		used = c->v[NFIPSEC_LIFE_A_PACKETS];
		fprintf(f, ", packets: %" PRIu64, used < hp ? hp - used : 0);
	}
	fputc('\n', f);
}

static void sa_block(FILE *f, const char *title, const struct sa *s,
		     time_t now)
{
	const struct alg_desc *d = NULL;
	const char *state;
	uint32_t i;

	fprintf(f, "\n    %s esp sas:\n", title);
	fprintf(f, "      spi: 0x%08X (%u)\n", s->spi, s->spi);
	if (!HAS(*s, NFIPSEC_SA_A_STATE))
		state = "unknown";
	else if (s->state == NFIPSEC_SA_STATE_VALID)
		state = "active";
	else if (s->state == NFIPSEC_SA_STATE_SOFT_EXPIRED)
		state = "soft-expired (rekey due)";
	else
		state = "dead";
	fprintf(f, "         SA State: %s\n", state);
	transform(f, s);
	fprintf(f, "         in use settings ={%s, %s%s}\n",
		s->mode == NFIPSEC_MODE_TUNNEL ? "Tunnel" : "Transport",
		s->flags & NFIPSEC_SA_F_ESN ? "ESN, " : "",
		s->flags & NFIPSEC_SA_F_ICMP ? "ICMP, " : "");
	timing(f, s, now);
	if (HAS(*s, NFIPSEC_SA_A_ALG_AEAD))
		d = alg_by_name(s->aead.name);
	else if (HAS(*s, NFIPSEC_SA_A_ALG_ENC))
		d = alg_by_name(s->enc.name);
	if (d)
		fprintf(f, "         IV size: %u bytes\n", d->iv_bytes);
	fprintf(f, "         replay detection support: %s\n",
		s->replay_window ? "Y" : "N");
	if (!s->replay_window || !HAS(s->rp, NFIPSEC_REPLAY_A_BITMAP))
		return;
	fputs("         Anti replay bitmap:", f);
	for (i = s->rp.nwords; i > 0; i--) {
		if ((s->rp.nwords - i) % 2 == 0)
			fputs("\n          ", f);
		else
			fputc(' ', f);
		fprintf(f, "0x%08x", s->rp.bitmap[i - 1]);
	}
	fputc('\n', f);
}

static const char *const df_policy[] = {
	[NFIPSEC_DF_COPY] = "copy-df",
	[NFIPSEC_DF_CLEAR] = "clear-df",
	[NFIPSEC_DF_SET] = "set-df",
};

static void pair(FILE *f, const struct entry *out, const struct entry *in,
		 bool guessed, time_t now)
{
	const struct sa *o = out ? out->sa : NULL, *i = in ? in->sa : NULL;
	const struct sa *any = o ? o : i;
	char a[ADDRSTRLEN], b[ADDRSTRLEN];
	const char *df;

	idents(f, out, in);
	fprintf(f, "   current_peer: %s, mode: %s%s\n",
		addr_fmt(o ? &o->dst : &i->src, a),
		any->mode == NFIPSEC_MODE_TUNNEL ? "tunnel" : "transport",
		guessed ? " (direction guessed: no policy names these SAs)" :
		!o || !i ? " (unpaired SA)" : "");
	if (o)
		fprintf(f, "      #pkts encaps: %" PRIu64 ", #pkts encrypt: %"
			PRIu64 ", #pkts digest: %" PRIu64 "\n",
			o->st.out_packets, o->st.out_packets,
			o->st.out_packets);
	if (i) {
		fprintf(f, "      #pkts decaps: %" PRIu64 ", #pkts decrypt: %"
			PRIu64 ", #pkts verify: %" PRIu64 "\n",
			i->st.in_packets, i->st.in_packets, i->st.in_packets);
		fprintf(f, "      #pkts verify failed: %" PRIu64
			", #pkts replay failed: %" PRIu64 "\n",
			i->st.err[NFIPSEC_DROP_AUTH],
			i->st.err[NFIPSEC_DROP_REPLAY] +
			i->st.err[NFIPSEC_DROP_TOO_OLD]);
	}
	fprintf(f, "      #PMTUs sent: %" PRIu64 ", #send errors: %" PRIu64
		", #recv errors: %" PRIu64 "\n\n",
		o ? o->st.err[NFIPSEC_DROP_MTU] : 0, o ? errors(o) : 0,
		i ? errors(i) : 0);

	fprintf(f, "      local crypto endpt.: %s, remote crypto endpt.: %s\n",
		addr_fmt(o ? &o->src : &i->dst, a),
		addr_fmt(o ? &o->dst : &i->src, b));
	if (o) {
		fputs("      path mtu ", f);
		if (o->pmtu)
			fprintf(f, "%u", o->pmtu);
		else
			fputs("unknown", f);
		if (HAS(*o, NFIPSEC_SA_A_OVERHEAD))
			fprintf(f, ", ipsec overhead %u", o->overhead);
		else
			fputs(", ipsec overhead unknown", f);
		if (o->pmtu && o->overhead && o->pmtu > o->overhead)
			fprintf(f, ", plaintext mtu %u", o->pmtu - o->overhead);
		fputc('\n', f);
		df = HAS(*o, NFIPSEC_SA_A_DF) ? ENUM_NAME(df_policy, o->df) :
						df_policy[NFIPSEC_DF_COPY];
		fprintf(f, "      DF policy: %s\n", df ? df : "?");
		fprintf(f, "      current outbound spi: %08X\n", o->spi);
	}
	if (i)
		fprintf(f, "      current inbound spi : %08X\n", i->spi);
	if (i)
		sa_block(f, out || in->dir == D_IN ? "inbound" : "unknown",
			 i, now);
	if (o)
		sa_block(f, in || out->dir == D_OUT ? "outbound" : "unknown",
			 o, now);
	fputc('\n', f);
}

static void drops(FILE *f, const struct nsstats *st)
{
	unsigned int i;
	bool any = false;

	if (st->info_has & BIT(NFIPSEC_INFO_A_SA_COUNT))
		fprintf(f, "SAs: %u, ", st->sa_count);
	if (st->info_has & BIT(NFIPSEC_INFO_A_POL_COUNT))
		fprintf(f, "policies: %u, ", st->pol_count);
	fputs("drops in this namespace:", f);
	for (i = 0; i < NFIPSEC_DROP_COUNT; i++) {
		if (!st->drops.err[i])
			continue;
		fprintf(f, "%s %s %" PRIu64, any ? "," : "", drop_reason[i],
			st->drops.err[i]);
		any = true;
	}
	fputs(any ? "\n" : " none\n", f);
}

static void show_json(struct ctx *c, const struct objs *sas,
		      const struct objs *pols, const struct nsstats *st)
{
	struct json j;

	json_init(&j, stdout, c->pretty);
	json_obj_begin(&j, NULL);
	obj_json_array(&j, "sa", &sa_type, sas);
	obj_json_array(&j, "policy", &pol_type, pols);
	stats_json(&j, "stats", st);
	json_obj_end(&j);
	json_finish(&j);
}

int cmd_show(struct ctx *c, int argc, char **argv)
{
	struct objs sas = { 0 }, pols = { 0 };
	const struct policy *pol;
	const struct sa *sa;
	struct entry *e = NULL;
	struct nsstats st;
	size_t nsa, npol, i, k;
	int pass, ret;

	ret = help_only(argc, argv, "Usage: " PROG " show\n"
			"SAs grouped in pairs with their selectors, counters,\n"
			"MTU, lifetimes and replay state; then the drops.\n");
	if (ret >= 0)
		return ret;
	ret = obj_fetch(c, &sa_type, &sas);
	if (!ret)
		ret = obj_fetch(c, &pol_type, &pols);
	if (!ret)
		ret = stats_fetch(c, &st);
	if (ret || c->dry_run)
		goto out;
	if (c->json) {
		show_json(c, &sas, &pols, &st);
		goto out;
	}
	sa = sas.v;
	nsa = sas.n;
	pol = pols.v;
	npol = pols.n;
	e = calloc(nsa ? nsa : 1, sizeof(*e));
	if (!e) {
		ret = EXIT_SYS;
		goto out;
	}
	for (i = 0; i < nsa; i++) {
		e[i].sa = &sa[i];
		classify(&e[i], pol, npol);
	}
	/* strict pairs first (reqid, selectors), then addresses only */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nsa; i++) {
			struct entry *a = &e[i], *b = NULL, *o, *in;
			bool guessed = false;

			if (a->done)
				continue;
			for (k = 0; k < nsa && !b; k++)
				if (can_pair(a, &e[k], pass == 0))
					b = &e[k];
			if (!b)
				continue;
			a->done = b->done = true;
			if (a->dir == D_OUT || b->dir == D_IN) {
				o = a;
				in = b;
			} else if (a->dir == D_IN || b->dir == D_OUT) {
				o = b;
				in = a;
			} else {
				o = a;
				in = b;
				guessed = true;
			}
			pair(stdout, o, in, guessed, c->now);
		}
	}
	for (i = 0; i < nsa; i++) {
		if (e[i].done)
			continue;
		if (e[i].dir == D_IN)
			pair(stdout, NULL, &e[i], false, c->now);
		else
			pair(stdout, &e[i], NULL, false, c->now);
	}
	drops(stdout, &st);
out:
	free(e);
	free(sas.v);
	free(pols.v);
	return ret;
}
