// SPDX-License-Identifier: GPL-2.0
/* ipsecctl sa: build requests, read replies, print `ip xfrm state` style. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "attr.h"
#include "json.h"
#include "parse.h"

#define BITMAP_HEX	(2 + 8 * REPLAY_WORDS_MAX + 1)

static void put_alg(struct nlmsghdr *nlh, uint16_t type, const struct alg *a)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_strz(nlh, NFIPSEC_ALG_A_NAME, a->name);
	mnl_attr_put(nlh, NFIPSEC_ALG_A_KEY, a->key_len, a->key);
	if (HAS(*a, NFIPSEC_ALG_A_ICV_BITS))
		mnl_attr_put_u32(nlh, NFIPSEC_ALG_A_ICV_BITS, a->icv_bits);
	if (HAS(*a, NFIPSEC_ALG_A_TRUNC_BITS))
		mnl_attr_put_u32(nlh, NFIPSEC_ALG_A_TRUNC_BITS, a->trunc_bits);
	mnl_attr_nest_end(nlh, nest);
}

/* the request for a parsed SA (only the attributes it has) */
static struct nlmsghdr *sa_build(char *buf, uint8_t cmd, uint16_t flags,
				 const struct sa *sa)
{
	struct nlmsghdr *nlh = req_start(buf, cmd, flags);
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFIPSEC_A_SA);
	unsigned int i;

	mnl_attr_put_u16(nlh, NFIPSEC_SA_A_FAMILY, sa->family);
	if (HAS(*sa, NFIPSEC_SA_A_SRC))
		put_addr(nlh, NFIPSEC_SA_A_SRC, &sa->src);
	put_addr(nlh, NFIPSEC_SA_A_DST, &sa->dst);
	mnl_attr_put_u8(nlh, NFIPSEC_SA_A_PROTO, sa->proto);
	mnl_attr_put_u32(nlh, NFIPSEC_SA_A_SPI, htonl(sa->spi));
	if (HAS(*sa, NFIPSEC_SA_A_REQID))
		mnl_attr_put_u32(nlh, NFIPSEC_SA_A_REQID, sa->reqid);
	if (HAS(*sa, NFIPSEC_SA_A_MODE))
		mnl_attr_put_u8(nlh, NFIPSEC_SA_A_MODE, sa->mode);
	if (HAS(*sa, NFIPSEC_SA_A_FLAGS))
		mnl_attr_put_u32(nlh, NFIPSEC_SA_A_FLAGS, sa->flags);
	if (HAS(*sa, NFIPSEC_SA_A_REPLAY_WINDOW))
		mnl_attr_put_u32(nlh, NFIPSEC_SA_A_REPLAY_WINDOW,
				 sa->replay_window);
	if (HAS(*sa, NFIPSEC_SA_A_DF))
		mnl_attr_put_u8(nlh, NFIPSEC_SA_A_DF, sa->df);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_AEAD))
		put_alg(nlh, NFIPSEC_SA_A_ALG_AEAD, &sa->aead);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_ENC))
		put_alg(nlh, NFIPSEC_SA_A_ALG_ENC, &sa->enc);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_AUTH))
		put_alg(nlh, NFIPSEC_SA_A_ALG_AUTH, &sa->auth);
	if (HAS(*sa, NFIPSEC_SA_A_SEL))
		put_sel(nlh, NFIPSEC_SA_A_SEL, &sa->sel);
	if (HAS(*sa, NFIPSEC_SA_A_LIFETIME)) {
		struct nlattr *life = mnl_attr_nest_start(nlh,
							  NFIPSEC_SA_A_LIFETIME);

		for (i = NFIPSEC_LIFE_A_SOFT_SECS;
		     i <= NFIPSEC_LIFE_A_HARD_PACKETS; i++)
			if (HAS(sa->life, i))
				mnl_attr_put_u64(nlh, i, sa->life.v[i]);
		mnl_attr_nest_end(nlh, life);
	}
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* ------------------------------------------------------------------ */
/* replies                                                              */

static bool get_alg(const struct nlattr *nest, struct alg *a)
{
	const struct nlattr *tb[NFIPSEC_ALG_A_MAX + 1];

	tb_nest(nest, tb, NFIPSEC_ALG_A_MAX);
	if (get_str(tb[NFIPSEC_ALG_A_NAME], a->name, sizeof(a->name)))
		SET(*a, NFIPSEC_ALG_A_NAME);
	if (get_u32(tb[NFIPSEC_ALG_A_ICV_BITS], &a->icv_bits))
		SET(*a, NFIPSEC_ALG_A_ICV_BITS);
	if (get_u32(tb[NFIPSEC_ALG_A_TRUNC_BITS], &a->trunc_bits))
		SET(*a, NFIPSEC_ALG_A_TRUNC_BITS);
	if (get_u32(tb[NFIPSEC_ALG_A_KEY_BITS], &a->key_bits))
		SET(*a, NFIPSEC_ALG_A_KEY_BITS);
	return nest;
}

static bool get_life(const struct nlattr *nest, struct life *l)
{
	const struct nlattr *tb[NFIPSEC_LIFE_A_MAX + 1];
	unsigned int i;

	tb_nest(nest, tb, NFIPSEC_LIFE_A_MAX);
	for (i = 1; i < NFIPSEC_LIFE_A_PAD; i++)
		if (get_u64(tb[i], &l->v[i]))
			SET(*l, i);
	return nest;
}

static bool get_counters(const struct nlattr *nest, struct counters *c)
{
	const struct nlattr *tb[NFIPSEC_SA_STATS_A_MAX + 1];
	static const size_t off[] = {
		[NFIPSEC_SA_STATS_A_IN_PACKETS] =
			offsetof(struct counters, in_packets),
		[NFIPSEC_SA_STATS_A_IN_BYTES] =
			offsetof(struct counters, in_bytes),
		[NFIPSEC_SA_STATS_A_OUT_PACKETS] =
			offsetof(struct counters, out_packets),
		[NFIPSEC_SA_STATS_A_OUT_BYTES] =
			offsetof(struct counters, out_bytes),
	};
	unsigned int i;

	tb_nest(nest, tb, NFIPSEC_SA_STATS_A_MAX);
	for (i = NFIPSEC_SA_STATS_A_IN_PACKETS;
	     i <= NFIPSEC_SA_STATS_A_OUT_BYTES; i++)
		if (get_u64(tb[i], (uint64_t *)((char *)c + off[i])))
			SET(*c, i);
	if (get_u64(tb[NFIPSEC_SA_STATS_A_PMTU_UPDATES], &c->pmtu_updates))
		SET(*c, NFIPSEC_SA_STATS_A_PMTU_UPDATES);
	if (tb[NFIPSEC_SA_STATS_A_ERRORS]) {
		SET(*c, NFIPSEC_SA_STATS_A_ERRORS);
		get_reasons(tb[NFIPSEC_SA_STATS_A_ERRORS], c);
	}
	return nest;
}

static bool get_replay(const struct nlattr *nest, struct replay *r)
{
	const struct nlattr *tb[NFIPSEC_REPLAY_A_MAX + 1];
	const struct nlattr *bm;
	size_t len;

	tb_nest(nest, tb, NFIPSEC_REPLAY_A_MAX);
	if (get_u32(tb[NFIPSEC_REPLAY_A_WINDOW], &r->window))
		SET(*r, NFIPSEC_REPLAY_A_WINDOW);
	if (get_u64(tb[NFIPSEC_REPLAY_A_TOP], &r->top))
		SET(*r, NFIPSEC_REPLAY_A_TOP);
	bm = tb[NFIPSEC_REPLAY_A_BITMAP];
	if (bm && mnl_attr_get_payload_len(bm) % 4 == 0) {
		len = mnl_attr_get_payload_len(bm);
		if (len > sizeof(r->bitmap))
			len = sizeof(r->bitmap);
		memcpy(r->bitmap, mnl_attr_get_payload(bm), len);
		r->nwords = len / 4;
		SET(*r, NFIPSEC_REPLAY_A_BITMAP);
	}
	return nest;
}

/* 0 if nlh carries an SA */
static int sa_from_msg(const struct nlmsghdr *nlh, void *obj)
{
	const struct nlattr *tb[NFIPSEC_SA_A_MAX + 1];
	struct sa *sa = obj;
	uint32_t spi;

	memset(sa, 0, sizeof(*sa));
	if (!tb_msg_nest(nlh, NFIPSEC_A_SA, tb, NFIPSEC_SA_A_MAX))
		return -1;

#define GET(fn, attr, field) \
	do { if (fn(tb[attr], &sa->field)) SET(*sa, attr); } while (0)
	GET(get_u16, NFIPSEC_SA_A_FAMILY, family);
	if (get_addr(tb[NFIPSEC_SA_A_SRC], sa->family, &sa->src))
		SET(*sa, NFIPSEC_SA_A_SRC);
	if (get_addr(tb[NFIPSEC_SA_A_DST], sa->family, &sa->dst))
		SET(*sa, NFIPSEC_SA_A_DST);
	GET(get_u8, NFIPSEC_SA_A_PROTO, proto);
	if (get_u32(tb[NFIPSEC_SA_A_SPI], &spi)) {
		sa->spi = ntohl(spi);
		SET(*sa, NFIPSEC_SA_A_SPI);
	}
	GET(get_u32, NFIPSEC_SA_A_REQID, reqid);
	GET(get_u8, NFIPSEC_SA_A_MODE, mode);
	GET(get_u32, NFIPSEC_SA_A_FLAGS, flags);
	GET(get_u32, NFIPSEC_SA_A_REPLAY_WINDOW, replay_window);
	GET(get_u8, NFIPSEC_SA_A_DF, df);
	GET(get_u64, NFIPSEC_SA_A_OSEQ, oseq);
	GET(get_u8, NFIPSEC_SA_A_STATE, state);
	GET(get_u32, NFIPSEC_SA_A_OVERHEAD, overhead);
	GET(get_u32, NFIPSEC_SA_A_PMTU, pmtu);
	GET(get_alg, NFIPSEC_SA_A_ALG_AEAD, aead);
	GET(get_alg, NFIPSEC_SA_A_ALG_ENC, enc);
	GET(get_alg, NFIPSEC_SA_A_ALG_AUTH, auth);
	GET(get_sel, NFIPSEC_SA_A_SEL, sel);
	GET(get_life, NFIPSEC_SA_A_LIFETIME, life);
	GET(get_life, NFIPSEC_SA_A_CURLIFE, cur);
	GET(get_counters, NFIPSEC_SA_A_STATS, st);
	GET(get_replay, NFIPSEC_SA_A_REPLAY, rp);
#undef GET
	return 0;
}

/* ------------------------------------------------------------------ */
/* text                                                                 */

static const char *bitmap_hex(const struct replay *r, char *buf)
{
	char *p = buf + 2;
	uint32_t i;

	strcpy(buf, "0x");
	for (i = r->nwords; i > 0; i--)
		p += sprintf(p, "%08x", r->bitmap[i - 1]);
	if (!r->nwords)
		strcpy(p, "0");
	return buf;
}

static void print_alg(FILE *f, const char *kw, const struct alg *a)
{
	bool trunc = !strcmp(kw, "auth") && HAS(*a, NFIPSEC_ALG_A_TRUNC_BITS) &&
		     a->trunc_bits;

	fprintf(f, "\t%s%s %s (hidden)", kw, trunc ? "-trunc" : "", a->name);
	if (HAS(*a, NFIPSEC_ALG_A_ICV_BITS))
		fprintf(f, " %u", a->icv_bits);
	if (trunc)
		fprintf(f, " %u", a->trunc_bits);
	if (HAS(*a, NFIPSEC_ALG_A_KEY_BITS))
		fprintf(f, " key-bits %u", a->key_bits);
	fputc('\n', f);
}

static void print_limit(FILE *f, const struct life *l, int soft, int hard,
			const char *what)
{
	fputs(" soft ", f);
	if (l->v[soft])
		fprintf(f, "%" PRIu64, l->v[soft]);
	else
		fputs("(INF)", f);
	fprintf(f, "(%s), hard ", what);
	if (l->v[hard])
		fprintf(f, "%" PRIu64, l->v[hard]);
	else
		fputs("(INF)", f);
	fprintf(f, "(%s)\n", what);
}

static void print_time(FILE *f, uint64_t t)
{
	time_t tt = t;
	struct tm tm;
	char buf[64];

	if (!t || !localtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
		fputc('-', f);
	else
		fputs(buf, f);
}

static void print_stats(FILE *f, const struct sa *sa)
{
	const struct life *l = &sa->life, *cur = &sa->cur;
	char hex[BITMAP_HEX];
	unsigned int i;
	bool any = false;

	if (HAS(*sa, NFIPSEC_SA_A_LIFETIME)) {
		fputs("\tlifetime config:\n\t  limit:", f);
		print_limit(f, l, NFIPSEC_LIFE_A_SOFT_BYTES,
			    NFIPSEC_LIFE_A_HARD_BYTES, "bytes");
		fputs("\t  limit:", f);
		print_limit(f, l, NFIPSEC_LIFE_A_SOFT_PACKETS,
			    NFIPSEC_LIFE_A_HARD_PACKETS, "packets");
		fprintf(f, "\t  expire add: soft %" PRIu64 "(sec), hard %"
			PRIu64 "(sec)\n", l->v[NFIPSEC_LIFE_A_SOFT_SECS],
			l->v[NFIPSEC_LIFE_A_HARD_SECS]);
	}
	if (HAS(*sa, NFIPSEC_SA_A_CURLIFE)) {
		fprintf(f, "\tlifetime current:\n\t  %" PRIu64 "(bytes), %"
			PRIu64 "(packets)\n\t  add ",
			cur->v[NFIPSEC_LIFE_A_BYTES],
			cur->v[NFIPSEC_LIFE_A_PACKETS]);
		print_time(f, cur->v[NFIPSEC_LIFE_A_ADD_TIME]);
		fputs(" use ", f);
		print_time(f, cur->v[NFIPSEC_LIFE_A_USE_TIME]);
		fputc('\n', f);
	}
	if (HAS(*sa, NFIPSEC_SA_A_STATS)) {
		fprintf(f, "\tstats:\n\t  in %" PRIu64 "(packets) %" PRIu64
			"(bytes), out %" PRIu64 "(packets) %" PRIu64
			"(bytes)\n\t  errors:", sa->st.in_packets,
			sa->st.in_bytes, sa->st.out_packets, sa->st.out_bytes);
		for (i = 0; i < NFIPSEC_DROP_COUNT; i++) {
			if (!sa->st.err[i])
				continue;
			fprintf(f, " %s %" PRIu64, drop_reason[i],
				sa->st.err[i]);
			any = true;
		}
		fputs(any ? "\n" : " none\n", f);
	}
	if (HAS(*sa, NFIPSEC_SA_A_REPLAY) || HAS(*sa, NFIPSEC_SA_A_OSEQ)) {
		const char *sep = " ";

		fputs("\tanti-replay context:", f);
		if (HAS(sa->rp, NFIPSEC_REPLAY_A_WINDOW)) {
			fprintf(f, "%swindow %u", sep, sa->rp.window);
			sep = ", ";
		}
		if (HAS(sa->rp, NFIPSEC_REPLAY_A_TOP)) {
			fprintf(f, "%stop 0x%" PRIx64, sep, sa->rp.top);
			sep = ", ";
		}
		if (HAS(*sa, NFIPSEC_SA_A_OSEQ)) {
			fprintf(f, "%soseq 0x%" PRIx64, sep, sa->oseq);
			sep = ", ";
		}
		if (HAS(sa->rp, NFIPSEC_REPLAY_A_BITMAP))
			fprintf(f, "%sbitmap %s", sep, bitmap_hex(&sa->rp, hex));
		fputc('\n', f);
	}
	if (HAS(*sa, NFIPSEC_SA_A_STATE) || HAS(*sa, NFIPSEC_SA_A_OVERHEAD) ||
	    HAS(*sa, NFIPSEC_SA_A_PMTU)) {
		fputc('\t', f);
		if (HAS(*sa, NFIPSEC_SA_A_STATE))
			print_enum(f, "state", state_names,
				   ARRAY_SIZE(state_names), sa->state);
		if (HAS(*sa, NFIPSEC_SA_A_OVERHEAD))
			fprintf(f, "overhead %u ", sa->overhead);
		if (HAS(*sa, NFIPSEC_SA_A_PMTU))
			fprintf(f, "pmtu %u ", sa->pmtu);
		if (sa->st.pmtu_updates)
			fprintf(f, "pmtu-updates %" PRIu64 " ",
				sa->st.pmtu_updates);
		fputc('\n', f);
	}
}

static void sa_print(FILE *f, const void *obj, bool stats)
{
	char a[ADDRSTRLEN], b[ADDRSTRLEN];
	const struct sa *sa = obj;
	const char *s;

	fprintf(f, "src %s dst %s\n", addr_fmt(&sa->src, a),
		addr_fmt(&sa->dst, b));
	if (sa->proto == IPPROTO_ESP)
		fputs("\tproto esp", f);
	else
		fprintf(f, "\tproto %u", sa->proto);
	fprintf(f, " spi 0x%08x reqid %u", sa->spi, sa->reqid);
	s = ENUM_NAME(mode_names, sa->mode);
	if (HAS(*sa, NFIPSEC_SA_A_MODE) && s)
		fprintf(f, " mode %s", s);
	else if (HAS(*sa, NFIPSEC_SA_A_MODE))
		fprintf(f, " mode %u", sa->mode);
	fputc('\n', f);

	if (HAS(*sa, NFIPSEC_SA_A_REPLAY_WINDOW) || sa->flags ||
	    (HAS(*sa, NFIPSEC_SA_A_DF) && sa->df != NFIPSEC_DF_COPY)) {
		fputc('\t', f);
		if (HAS(*sa, NFIPSEC_SA_A_REPLAY_WINDOW))
			fprintf(f, "replay-window %u ", sa->replay_window);
		if (sa->flags & NFIPSEC_SA_F_ESN)
			fputs("flag esn ", f);
		if (sa->flags & NFIPSEC_SA_F_ICMP)
			fputs("flag icmp ", f);
		if (sa->flags & ~NFIPSEC_SA_F_ALL)
			fprintf(f, "flag 0x%x ", sa->flags & ~NFIPSEC_SA_F_ALL);
		if (HAS(*sa, NFIPSEC_SA_A_DF) && sa->df != NFIPSEC_DF_COPY) {
			s = ENUM_NAME(df_names, sa->df);
			if (s)
				fprintf(f, "df %s", s);
			else
				fprintf(f, "df %u", sa->df);
		}
		fputc('\n', f);
	}

	if (HAS(*sa, NFIPSEC_SA_A_ALG_AEAD))
		print_alg(f, "aead", &sa->aead);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_AUTH))
		print_alg(f, "auth", &sa->auth);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_ENC))
		print_alg(f, "enc", &sa->enc);
	if (HAS(*sa, NFIPSEC_SA_A_SEL)) {
		fputs("\tsel ", f);
		print_sel(f, &sa->sel);
		fputc('\n', f);
	}
	if (stats)
		print_stats(f, sa);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

static void json_alg(struct json *j, const char *key, const struct alg *a)
{
	json_obj_begin(j, key);
	if (HAS(*a, NFIPSEC_ALG_A_NAME))
		json_str(j, "name", a->name);
	if (HAS(*a, NFIPSEC_ALG_A_KEY_BITS))
		json_u64(j, "key_bits", a->key_bits);
	if (HAS(*a, NFIPSEC_ALG_A_ICV_BITS))
		json_u64(j, "icv_bits", a->icv_bits);
	if (HAS(*a, NFIPSEC_ALG_A_TRUNC_BITS))
		json_u64(j, "trunc_bits", a->trunc_bits);
	json_obj_end(j);
}

static void json_life(struct json *j, const char *key, const struct life *l,
		      int first, int last, const char *const *names)
{
	int i;

	json_obj_begin(j, key);
	for (i = first; i <= last; i++)
		if (HAS(*l, i))
			json_u64(j, names[i - first], l->v[i]);
	json_obj_end(j);
}

/* every reason, 0 if the kernel did not send it */
void json_reasons(struct json *j, const char *key, const struct counters *c)
{
	unsigned int i;

	json_obj_begin(j, key);
	for (i = 0; i < NFIPSEC_DROP_COUNT; i++)
		json_u64(j, drop_reason[i], c->err[i]);
	json_obj_end(j);
}

static void sa_json(struct json *j, const void *obj)
{
	static const char *const limits[] = {
		"time_soft", "time_hard", "byte_soft", "byte_hard",
		"packet_soft", "packet_hard",
	};
	static const char *const cur[] = {
		"add_time", "use_time", "bytes", "packets",
	};
	char a[ADDRSTRLEN], hex[BITMAP_HEX];
	const struct sa *sa = obj;

	json_obj_begin(j, NULL);
	if (HAS(*sa, NFIPSEC_SA_A_SRC))
		json_str(j, "src", addr_fmt(&sa->src, a));
	if (HAS(*sa, NFIPSEC_SA_A_DST))
		json_str(j, "dst", addr_fmt(&sa->dst, a));
	if (HAS(*sa, NFIPSEC_SA_A_PROTO))
		json_proto(j, sa->proto);
	if (HAS(*sa, NFIPSEC_SA_A_SPI)) {
		snprintf(a, sizeof(a), "0x%08x", sa->spi);
		json_str(j, "spi", a);
		json_u64(j, "spi_num", sa->spi);
	}
	if (HAS(*sa, NFIPSEC_SA_A_REQID))
		json_u64(j, "reqid", sa->reqid);
	if (HAS(*sa, NFIPSEC_SA_A_MODE))
		json_enum(j, "mode", mode_names, ARRAY_SIZE(mode_names),
			  sa->mode);
	if (HAS(*sa, NFIPSEC_SA_A_REPLAY_WINDOW))
		json_u64(j, "replay_window", sa->replay_window);
	if (HAS(*sa, NFIPSEC_SA_A_FLAGS)) {
		json_arr_begin(j, "flags");
		if (sa->flags & NFIPSEC_SA_F_ESN)
			json_str(j, NULL, "esn");
		if (sa->flags & NFIPSEC_SA_F_ICMP)
			json_str(j, NULL, "icmp");
		if (sa->flags & ~NFIPSEC_SA_F_ALL) {
			snprintf(a, sizeof(a), "0x%x",
				 sa->flags & ~NFIPSEC_SA_F_ALL);
			json_str(j, NULL, a);
		}
		json_arr_end(j);
	}
	if (HAS(*sa, NFIPSEC_SA_A_DF))
		json_enum(j, "df", df_names, ARRAY_SIZE(df_names), sa->df);
	if (HAS(*sa, NFIPSEC_SA_A_STATE))
		json_enum(j, "state", state_names, ARRAY_SIZE(state_names),
			  sa->state);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_AEAD))
		json_alg(j, "aead", &sa->aead);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_ENC))
		json_alg(j, "enc", &sa->enc);
	if (HAS(*sa, NFIPSEC_SA_A_ALG_AUTH))
		json_alg(j, "auth", &sa->auth);
	if (HAS(*sa, NFIPSEC_SA_A_SEL)) {
		json_obj_begin(j, "sel");
		json_sel(j, &sa->sel);
		json_obj_end(j);
	}
	if (HAS(*sa, NFIPSEC_SA_A_LIFETIME))
		json_life(j, "lifetime", &sa->life, NFIPSEC_LIFE_A_SOFT_SECS,
			  NFIPSEC_LIFE_A_HARD_PACKETS, limits);
	if (HAS(*sa, NFIPSEC_SA_A_CURLIFE))
		json_life(j, "curlife", &sa->cur, NFIPSEC_LIFE_A_ADD_TIME,
			  NFIPSEC_LIFE_A_PACKETS, cur);
	if (HAS(*sa, NFIPSEC_SA_A_STATS)) {
		json_obj_begin(j, "stats");
		if (HAS(sa->st, NFIPSEC_SA_STATS_A_IN_PACKETS))
			json_u64(j, "in_packets", sa->st.in_packets);
		if (HAS(sa->st, NFIPSEC_SA_STATS_A_IN_BYTES))
			json_u64(j, "in_bytes", sa->st.in_bytes);
		if (HAS(sa->st, NFIPSEC_SA_STATS_A_OUT_PACKETS))
			json_u64(j, "out_packets", sa->st.out_packets);
		if (HAS(sa->st, NFIPSEC_SA_STATS_A_OUT_BYTES))
			json_u64(j, "out_bytes", sa->st.out_bytes);
		if (HAS(sa->st, NFIPSEC_SA_STATS_A_PMTU_UPDATES))
			json_u64(j, "pmtu_updates", sa->st.pmtu_updates);
		if (HAS(sa->st, NFIPSEC_SA_STATS_A_ERRORS))
			json_reasons(j, "errors", &sa->st);
		json_obj_end(j);
	}
	if (HAS(*sa, NFIPSEC_SA_A_REPLAY)) {
		json_obj_begin(j, "replay");
		if (HAS(sa->rp, NFIPSEC_REPLAY_A_WINDOW))
			json_u64(j, "window", sa->rp.window);
		if (HAS(sa->rp, NFIPSEC_REPLAY_A_TOP))
			json_u64(j, "top", sa->rp.top);
		if (HAS(sa->rp, NFIPSEC_REPLAY_A_BITMAP))
			json_str(j, "bitmap", bitmap_hex(&sa->rp, hex));
		json_obj_end(j);
	}
	if (HAS(*sa, NFIPSEC_SA_A_OSEQ))
		json_u64(j, "oseq", sa->oseq);
	if (HAS(*sa, NFIPSEC_SA_A_OVERHEAD))
		json_u64(j, "overhead", sa->overhead);
	if (HAS(*sa, NFIPSEC_SA_A_PMTU))
		json_u64(j, "pmtu", sa->pmtu);
	json_obj_end(j);
}

/* ------------------------------------------------------------------ */
/* command                                                              */

static const char sa_help[] =
"Usage: " PROG " sa { add | update } src ADDR dst ADDR [ proto esp ] spi SPI\n"
"              [ reqid N ] [ mode { transport | tunnel } ] ALGO\n"
"              [ replay-window N ] [ flag esn ] [ flag nopmtudisc ]\n"
"              [ flag icmp ]\n"
"              [ df { copy | clear | set } ] [ sel SELECTOR ]\n"
"              [ limit LIMIT ]...\n"
"       " PROG " sa { del | get } [ src ADDR ] dst ADDR [ proto esp ] spi SPI\n"
"       " PROG " sa list [ -s ]\n"
"       " PROG " sa show\n"
"       " PROG " sa flush [ proto esp ]\n"
"\n"
"ALGO := aead AEAD KEY ICV-BITS\n"
"      | enc ENC KEY { auth AUTH KEY | auth-trunc AUTH KEY TRUNC-BITS }\n"
"AEAD := rfc4106(gcm(aes)) | pcrypt(rfc4106(gcm(aes)))\n"
"ENC  := cbc(aes) | aes                 KEY: 16, 24 or 32 bytes\n"
"AUTH := hmac(sha256) | sha256 | hmac(sha384) | sha384 | hmac(sha512) | sha512\n"
"KEY  := 0x followed by hex digits; rfc4106 keys are the AES key and a\n"
"        4 byte salt (20, 28 or 36 bytes); ICV-BITS := 64 | 96 | 128\n"
"        \"auth\" lets the kernel pick the truncation, \"auth-trunc\" sets it\n"
"SPI  := decimal or 0x-hex, not 0\n"
"SELECTOR := [ src PREFIX ] [ dst PREFIX ]\n"
"            [ proto PROTO [ sport PORT ] [ dport PORT ] ]\n"
"PREFIX := ADDR[/LEN] (no LEN: /32) | any      PROTO := tcp | udp | sctp\n"
"          | icmp | NUMBER; sport and dport only with tcp, udp, sctp\n"
"LIMIT := { time-soft | time-hard | byte-soft | byte-hard | packet-soft |\n"
"           packet-hard } N (0: no limit)\n"
"\n"
"Options may come in any order, as with `ip xfrm state`. Keys are never\n"
"printed; list shows \"(hidden)\" and their length in bits. `sa show` is\n"
"the operator's view, the same as `" PROG " show`.\n";

static int sa_modify(struct ctx *c, uint8_t cmd, enum op op, int argc,
		     char **argv);

const struct objtype sa_type = {
	.name = "sa",
	.help = sa_help,
	.new = NFIPSEC_CMD_SA_NEW,
	.update = NFIPSEC_CMD_SA_UPDATE,
	.del = NFIPSEC_CMD_SA_DEL,
	.get = NFIPSEC_CMD_SA_GET,
	.size = sizeof(struct sa),
	.modify = sa_modify,
	.from_msg = sa_from_msg,
	.print = sa_print,
	.json = sa_json,
};

static int sa_modify(struct ctx *c, uint8_t cmd, enum op op, int argc,
		     char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[ERRLEN];
	struct sa sa;

	if (parse_sa(op, argc, argv, &sa, err))
		return usage_error("%s", err);
	return obj_request(c, &sa_type, sa_build(buf, cmd, 0, &sa), &sa);
}

static int sa_list(struct ctx *c, int argc, char **argv)
{
	bool stats = c->stats;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-s") && strcmp(argv[i], "-stats"))
			return usage_error("unknown keyword \"%s\"", argv[i]);
		stats = true;
	}
	return obj_list(c, &sa_type, stats);
}

int cmd_sa(struct ctx *c, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *sub = argc ? argv[0] : "list";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "ls") ||
	    !strcmp(sub, "dump"))
		return sa_list(c, argc, argv);
	if (!strcmp(sub, "show"))
		return cmd_show(c, argc, argv);
	if (!strcmp(sub, "flush") || !strcmp(sub, "deleteall")) {
		if (argc && strcmp(argv[0], "proto"))
			return usage_error("unknown keyword \"%s\"", argv[0]);
		if (argc == 1)
			return usage_error("missing argument after \"proto\"");
		if (argc && strcmp(argv[1], "esp") && strcmp(argv[1], "50"))
			return usage_error("protocol \"%s\" is not supported (only esp)",
					   argv[1]);
		if (argc > 2)
			return usage_error("unknown keyword \"%s\"", argv[2]);
		return ctx_transact(c, req_start(buf, NFIPSEC_CMD_SA_FLUSH, 0),
				    NULL);
	}
	return obj_cmd(c, &sa_type, sub, argc, argv);
}
