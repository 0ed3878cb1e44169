// SPDX-License-Identifier: GPL-2.0
/*
 * The `ip xfrm state` / `ip xfrm policy` argument grammar.
 *
 * Options come in any order after the object keyword, as in ip xfrm.
 * `sel` opens a selector that runs until the first word that is not a
 * selector keyword; `tmpl` likewise for a template; `flag` takes a list.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

const char *const mode_names[__NFIPSEC_MODE_MAX] = {
	[NFIPSEC_MODE_TRANSPORT] = "transport",
	[NFIPSEC_MODE_TUNNEL] = "tunnel",
};

const char *const df_names[__NFIPSEC_DF_MAX] = {
	[NFIPSEC_DF_COPY] = "copy",
	[NFIPSEC_DF_CLEAR] = "clear",
	[NFIPSEC_DF_SET] = "set",
};

const char *const dir_names[__NFIPSEC_DIR_MAX] = {
	[NFIPSEC_DIR_IN] = "in",
	[NFIPSEC_DIR_OUT] = "out",
	[NFIPSEC_DIR_FWD] = "fwd",
};

const char *const action_names[__NFIPSEC_ACTION_MAX] = {
	[NFIPSEC_ACTION_PROTECT] = "protect",
	[NFIPSEC_ACTION_ALLOW] = "allow",
	[NFIPSEC_ACTION_BLOCK] = "block",
};

const char *const state_names[3] = {
	[NFIPSEC_SA_STATE_VALID] = "valid",
	[NFIPSEC_SA_STATE_SOFT_EXPIRED] = "soft-expired",
	[NFIPSEC_SA_STATE_DEAD] = "dead",
};

static const struct alg_desc algs[] = {
	{ "rfc4106(gcm(aes))", NULL, ALG_AEAD, { 20, 28, 36 }, "20, 28 or 36",
	  0, "esp-aes-gcm", 8 },
	/* the same, with the crypto run asynchronously */
	{ "pcrypt(rfc4106(gcm(aes)))", NULL, ALG_AEAD, { 20, 28, 36 },
	  "20, 28 or 36", 0, "esp-aes-gcm", 8 },
	{ "cbc(aes)", "aes", ALG_ENC, { 16, 24, 32 }, "16, 24 or 32",
	  0, "esp-aes", 16 },
	{ "hmac(sha256)", "sha256", ALG_AUTH, { 0 }, NULL, 256,
	  "esp-sha256-hmac", 0 },
	{ "hmac(sha384)", "sha384", ALG_AUTH, { 0 }, NULL, 384,
	  "esp-sha384-hmac", 0 },
	{ "hmac(sha512)", "sha512", ALG_AUTH, { 0 }, NULL, 512,
	  "esp-sha512-hmac", 0 },
};

static const char *const alg_kind_names[] = {
	[ALG_AEAD] = "aead", [ALG_ENC] = "enc", [ALG_AUTH] = "auth",
};

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "any", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 },
	{ "udp", 17 }, { "dccp", 33 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "sctp", 132 },
	{ "udplite", 136 },
};

/* ip xfrm keywords that nfipsec has no use for */
static const char *const unsupported[] = {
	"mark", "encap", "coa", "ctx", "if_id", "output-mark", "offload",
	"extra-flag", "tfcpad", "replay-seq", "replay-oseq", "replay-seq-hi",
	"replay-oseq-hi", "seq", "comp", "dev", "type", "code", "key",
	"time-use-soft", "time-use-hard",
};

const struct alg_desc *alg_lookup(const char *name, enum alg_kind kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		if (algs[i].kind != kind)
			continue;
		if (!strcmp(name, algs[i].name) ||
		    (algs[i].alias && !strcmp(name, algs[i].alias)))
			return &algs[i];
	}
	return NULL;
}

const struct alg_desc *alg_by_name(const char *kernel_name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(kernel_name, algs[i].name))
			return &algs[i];
	return NULL;
}

const char *enum_name(const char *const *names, size_t n, unsigned int v)
{
	return v < n ? names[v] : NULL;
}

const char *proto_name(uint8_t proto)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(protos); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

bool ports_allowed(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

const char *addr_fmt(const struct addr *a, char *buf)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->a, buf, ADDRSTRLEN))
		snprintf(buf, ADDRSTRLEN, "?");
	return buf;
}

/* ------------------------------------------------------------------ */

struct args {
	int argc, i;
	char **argv;
	char *err;
	enum op op;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, ERRLEN, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *next(struct args *a, const char *kw)
{
	if (a->i >= a->argc) {
		fail(a, "missing argument after \"%s\"", kw);
		return NULL;
	}
	return a->argv[a->i++];
}

static const char *peek(const struct args *a)
{
	return a->i < a->argc ? a->argv[a->i] : NULL;
}

static bool is_unsupported(const char *kw)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (!strcmp(kw, unsupported[i]))
			return true;
	return false;
}

static int bad_keyword(struct args *a, const char *kw, bool known)
{
	if (is_unsupported(kw))
		return fail(a, "\"%s\" is not supported by nfipsec", kw);
	if (known)
		return fail(a, "\"%s\" is not valid with %s", kw,
			    a->op == OP_ADD ? "add/update" : "del/get");
	return fail(a, "unknown keyword \"%s\"", kw);
}

/* decimal or 0x-hex, no sign, no trailing garbage, at most max */
static int num(const char *s, uint64_t max, uint64_t *v)
{
	const char *p = s;
	unsigned long long x;
	int base = 10;
	char *end;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -1;
	for (; *p; p++)
		if (base == 16 ? !isxdigit((unsigned char)*p) :
				 !isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	x = strtoull(base == 16 ? s + 2 : s, &end, base);
	if (errno || *end || x > max)
		return -1;
	*v = x;
	return 0;
}

static int arg_num(struct args *a, const char *kw, uint64_t max,
		   uint64_t *v)
{
	const char *s = next(a, kw);

	if (!s)
		return -1;
	if (num(s, max, v))
		return fail(a, "invalid %s \"%s\"", kw, s);
	return 0;
}

static int arg_u32(struct args *a, const char *kw, uint32_t *v)
{
	uint64_t x;

	if (arg_num(a, kw, UINT32_MAX, &x))
		return -1;
	*v = x;
	return 0;
}

static int addr_parse(struct args *a, const char *s, const char *tok,
		      struct addr *ad)
{
	uint8_t tmp[16];

	memset(ad, 0, sizeof(*ad));
	if (inet_pton(AF_INET, s, ad->a) == 1) {
		ad->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, tmp) == 1)
		return fail(a, "IPv6 is not supported yet: \"%s\"", tok);
	return fail(a, "invalid address \"%s\"", tok);
}

static int arg_addr(struct args *a, const char *kw, struct addr *ad)
{
	const char *s = next(a, kw);

	if (!s)
		return -1;
	return addr_parse(a, s, s, ad);
}

static int arg_prefix(struct args *a, const char *kw, struct addr *ad,
		      uint8_t *plen)
{
	const char *s = next(a, kw), *slash;
	char buf[ADDRSTRLEN];
	uint64_t len;
	size_t n;

	if (!s)
		return -1;
	if (!strcmp(s, "any") || !strcmp(s, "default") || !strcmp(s, "all")) {
		memset(ad, 0, sizeof(*ad));
		ad->family = AF_INET;
		*plen = 0;
		return 0;
	}
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf))
		return fail(a, "invalid address \"%s\"", s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (addr_parse(a, buf, s, ad))
		return -1;
	if (!slash) {
		*plen = 32;
		return 0;
	}
	if (slash[1] == '0' && slash[2] == 'x')
		return fail(a, "invalid prefix \"%s\"", s);
	if (num(slash + 1, 32, &len))
		return fail(a, "invalid prefix \"%s\"", s);
	*plen = len;
	return 0;
}

static int proto_parse(const char *s, uint8_t *proto)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].num;
			return 0;
		}
	}
	if (num(s, 255, &v))
		return -1;
	*proto = v;
	return 0;
}

/* `proto esp` of an SA or template: esp or 50 */
static int arg_xfrm_proto(struct args *a, const char *kw, uint8_t *proto)
{
	const char *s = next(a, kw);

	if (!s)
		return -1;
	if (!strcmp(s, "esp") || !strcmp(s, "50")) {
		*proto = IPPROTO_ESP;
		return 0;
	}
	if (!strcmp(s, "ah") || !strcmp(s, "comp") || !strcmp(s, "51") ||
	    !strcmp(s, "route2") || !strcmp(s, "hao") ||
	    !strcmp(s, "ipsec-any"))
		return fail(a, "protocol \"%s\" is not supported (only esp)",
			    s);
	return fail(a, "invalid protocol \"%s\"", s);
}

static int arg_mode(struct args *a, const char *kw, uint8_t *mode)
{
	const char *s = next(a, kw);

	if (!s)
		return -1;
	if (!strcmp(s, "transport"))
		*mode = NFIPSEC_MODE_TRANSPORT;
	else if (!strcmp(s, "tunnel"))
		*mode = NFIPSEC_MODE_TUNNEL;
	else
		return fail(a, "unknown mode \"%s\"", s);
	return 0;
}

static int dup_kw(struct args *a, const char *kw)
{
	return fail(a, "duplicate \"%s\"", kw);
}

/*
 * One selector keyword. Returns 1 if kw was one (and was consumed), 0 if
 * it is not a selector keyword, -1 on error.
 */
static int sel_kw(struct args *a, const char *kw, struct sel *sel)
{
	uint64_t v;
	const char *s;

	if (!strcmp(kw, "src")) {
		if (HAS(*sel, NFIPSEC_SEL_A_SRC))
			return dup_kw(a, kw);
		if (arg_prefix(a, kw, &sel->src, &sel->splen))
			return -1;
		SET(*sel, NFIPSEC_SEL_A_SRC);
	} else if (!strcmp(kw, "dst")) {
		if (HAS(*sel, NFIPSEC_SEL_A_DST))
			return dup_kw(a, kw);
		if (arg_prefix(a, kw, &sel->dst, &sel->dplen))
			return -1;
		SET(*sel, NFIPSEC_SEL_A_DST);
	} else if (!strcmp(kw, "proto")) {
		if (HAS(*sel, NFIPSEC_SEL_A_PROTO))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (proto_parse(s, &sel->proto))
			return fail(a, "invalid protocol \"%s\"", s);
		SET(*sel, NFIPSEC_SEL_A_PROTO);
	} else if (!strcmp(kw, "sport") || !strcmp(kw, "dport")) {
		int attr = kw[0] == 's' ? NFIPSEC_SEL_A_SPORT :
					  NFIPSEC_SEL_A_DPORT;

		if (sel->has & BIT(attr))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (num(s, 65535, &v))
			return fail(a, "invalid port \"%s\"", s);
		if (attr == NFIPSEC_SEL_A_SPORT)
			sel->sport = v;
		else
			sel->dport = v;
		sel->has |= BIT(attr);
	} else {
		return 0;
	}
	return 1;
}

static bool sel_given(const struct sel *sel)
{
	return sel->has & (BIT(NFIPSEC_SEL_A_SRC) | BIT(NFIPSEC_SEL_A_DST) |
			   BIT(NFIPSEC_SEL_A_PROTO) | BIT(NFIPSEC_SEL_A_SPORT) |
			   BIT(NFIPSEC_SEL_A_DPORT));
}

/* check ports against the protocol; absent addresses mean 0.0.0.0/0 */
static int sel_finish(struct args *a, struct sel *sel)
{
	if (!ports_allowed(sel->proto)) {
		if (HAS(*sel, NFIPSEC_SEL_A_SPORT))
			return fail(a, "\"sport\" is only valid with proto tcp, udp or sctp");
		if (HAS(*sel, NFIPSEC_SEL_A_DPORT))
			return fail(a, "\"dport\" is only valid with proto tcp, udp or sctp");
	}
	if (!HAS(*sel, NFIPSEC_SEL_A_SRC)) {
		sel->src.family = AF_INET;
		sel->splen = 0;
	}
	if (!HAS(*sel, NFIPSEC_SEL_A_DST)) {
		sel->dst.family = AF_INET;
		sel->dplen = 0;
	}
	sel->family = sel->src.family;
	sel->has |= BIT(NFIPSEC_SEL_A_FAMILY) | BIT(NFIPSEC_SEL_A_SRC) |
		    BIT(NFIPSEC_SEL_A_SRC_PLEN) | BIT(NFIPSEC_SEL_A_DST) |
		    BIT(NFIPSEC_SEL_A_DST_PLEN) | BIT(NFIPSEC_SEL_A_PROTO);
	return 0;
}

/* ------------------------------------------------------------------ */
/* SA                                                                   */

static int key_parse(struct args *a, const char *s, struct alg *alg,
		     const struct alg_desc *d)
{
	size_t n, i;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return fail(a, "invalid key \"%s\": expected 0x and hex digits",
			    s);
	n = strlen(s + 2);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[2 + i]))
			return fail(a, "invalid key \"%s\": expected 0x and hex digits",
				    s);
	if (n == 0 || n % 2)
		return fail(a, "invalid key \"%s\": odd or empty number of hex digits",
			    s);
	n /= 2;
	if (n > NFIPSEC_KEY_MAX)
		return fail(a, "key for %s is too long, at most %d bytes, got %zu: \"%s\"",
			    d->name, NFIPSEC_KEY_MAX, n, s);
	if (d->key_lens[0]) {
		bool ok = false;

		for (i = 0; i < ARRAY_SIZE(d->key_lens) && d->key_lens[i]; i++)
			ok |= d->key_lens[i] == n;
		if (!ok)
			return fail(a, "key for %s must be %s bytes, got %zu: \"%s\"",
				    d->name, d->key_lens_text, n, s);
	}
	for (i = 0; i < n; i++) {
		char hex[3] = { s[2 + 2 * i], s[3 + 2 * i], 0 };

		alg->key[i] = strtoul(hex, NULL, 16);
	}
	alg->key_len = n;
	alg->has |= BIT(NFIPSEC_ALG_A_KEY);
	return 0;
}

static int alg_kw(struct args *a, const char *kw, struct sa *sa)
{
	enum alg_kind kind;
	const struct alg_desc *d;
	const char *s;
	struct alg *alg;
	uint64_t bits;
	int attr;

	if (!strcmp(kw, "aead")) {
		kind = ALG_AEAD;
		attr = NFIPSEC_SA_A_ALG_AEAD;
		alg = &sa->aead;
	} else if (!strcmp(kw, "enc")) {
		kind = ALG_ENC;
		attr = NFIPSEC_SA_A_ALG_ENC;
		alg = &sa->enc;
	} else {	/* auth, auth-trunc */
		kind = ALG_AUTH;
		attr = NFIPSEC_SA_A_ALG_AUTH;
		alg = &sa->auth;
	}
	if (sa->has & BIT(attr))
		return dup_kw(a, kw);
	if (kind == ALG_AEAD && (HAS(*sa, NFIPSEC_SA_A_ALG_ENC) ||
				 HAS(*sa, NFIPSEC_SA_A_ALG_AUTH)))
		return fail(a, "\"aead\" cannot be combined with \"enc\" or \"auth\"");
	if (kind != ALG_AEAD && HAS(*sa, NFIPSEC_SA_A_ALG_AEAD))
		return fail(a, "\"%s\" cannot be combined with \"aead\"", kw);

	s = next(a, kw);
	if (!s)
		return -1;
	d = alg_lookup(s, kind);
	if (!d)
		return fail(a, "unknown %s algorithm \"%s\"",
			    alg_kind_names[kind], s);
	snprintf(alg->name, sizeof(alg->name), "%s", d->name);
	alg->has |= BIT(NFIPSEC_ALG_A_NAME);

	s = next(a, kw);
	if (!s || key_parse(a, s, alg, d))
		return -1;

	if (kind == ALG_AEAD) {
		s = next(a, kw);
		if (!s)
			return -1;
		if (num(s, UINT32_MAX, &bits) ||
		    (bits != 64 && bits != 96 && bits != 128))
			return fail(a, "invalid ICV length \"%s\" for %s: must be 64, 96 or 128",
				    s, d->name);
		alg->icv_bits = bits;
		alg->has |= BIT(NFIPSEC_ALG_A_ICV_BITS);
	} else if (kind == ALG_AUTH) {
		alg->trunc_bits = 0;	/* the kernel's default */
		if (!strcmp(kw, "auth-trunc")) {
			s = next(a, kw);
			if (!s)
				return -1;
			if (num(s, UINT32_MAX, &bits) || bits < 64 ||
			    bits > d->digest_bits || bits % 32)
				return fail(a, "invalid truncation length \"%s\" for %s: must be a multiple of 32 from 64 to %u",
					    s, d->name, d->digest_bits);
			alg->trunc_bits = bits;
		}
		alg->has |= BIT(NFIPSEC_ALG_A_TRUNC_BITS);
	}
	sa->has |= BIT(attr);
	return 0;
}

/*
 * FLAG-LIST: the words after kw that @word takes (returns 1); the first
 * must be one. @word returns 0 for a word that is not a flag (the list
 * ends before it), -1 after fail().
 */
static int flag_words(struct args *a, const char *kw,
		      int (*word)(struct args *a, const char *s, void *obj),
		      void *obj)
{
	bool first = true;
	const char *s;
	int r;

	for (;;) {
		s = first ? next(a, kw) : peek(a);
		if (!s)
			return first ? -1 : 0;
		r = word(a, s, obj);
		if (r < 0)
			return -1;
		if (!r)
			return first ? fail(a, "unknown flag \"%s\"", s) : 0;
		if (!first)
			a->i++;
		first = false;
	}
}

/* A flag of ip xfrm's that nfipsec refuses by name (in @names), or 0. */
static int unsupported_flag(struct args *a, const char *s,
			    const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return fail(a, "flag \"%s\" is not supported by nfipsec",
				    s);
	return 0;
}

static int sa_flag(struct args *a, const char *s, void *obj)
{
	static const char *const other[] = {
		"noecn", "decap-dscp", "wildrecv", "af-unspec", "align4",
	};
	struct sa *sa = obj;

	if (!strcmp(s, "esn")) {
		sa->flags |= NFIPSEC_SA_F_ESN;
	} else if (!strcmp(s, "icmp")) {
		sa->flags |= NFIPSEC_SA_F_ICMP;
	} else if (!strcmp(s, "nopmtudisc")) {
		if (HAS(*sa, NFIPSEC_SA_A_DF))
			return dup_kw(a, "df");
		sa->df = NFIPSEC_DF_CLEAR;
		SET(*sa, NFIPSEC_SA_A_DF);
		return 1;
	} else {
		return unsupported_flag(a, s, other, ARRAY_SIZE(other));
	}
	SET(*sa, NFIPSEC_SA_A_FLAGS);
	return 1;
}

static int flag_list(struct args *a, const char *kw, struct sa *sa)
{
	return flag_words(a, kw, sa_flag, sa);
}

static int limit_kw(struct args *a, const char *kw, struct sa *sa)
{
	static const struct {
		const char *name;
		int attr;
	} limits[] = {
		{ "time-soft", NFIPSEC_LIFE_A_SOFT_SECS },
		{ "time-hard", NFIPSEC_LIFE_A_HARD_SECS },
		{ "byte-soft", NFIPSEC_LIFE_A_SOFT_BYTES },
		{ "byte-hard", NFIPSEC_LIFE_A_HARD_BYTES },
		{ "packet-soft", NFIPSEC_LIFE_A_SOFT_PACKETS },
		{ "packet-hard", NFIPSEC_LIFE_A_HARD_PACKETS },
	};
	const char *s = next(a, kw);
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		int attr = limits[i].attr;

		if (strcmp(s, limits[i].name))
			continue;
		if (HAS(sa->life, attr))
			return dup_kw(a, s);
		if (arg_num(a, s, UINT64_MAX, &sa->life.v[attr]))
			return -1;
		SET(sa->life, attr);
		SET(*sa, NFIPSEC_SA_A_LIFETIME);
		return 0;
	}
	if (is_unsupported(s))
		return fail(a, "limit \"%s\" is not supported by nfipsec", s);
	return fail(a, "unknown limit \"%s\"", s);
}

static int sa_kw(struct args *a, const char *kw, struct sa *sa)
{
	const char *s;
	uint64_t v;
	int r;

	if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
		int attr = kw[0] == 's' ? NFIPSEC_SA_A_SRC : NFIPSEC_SA_A_DST;

		if (sa->has & BIT(attr))
			return dup_kw(a, kw);
		sa->has |= BIT(attr);
		return arg_addr(a, kw, attr == NFIPSEC_SA_A_SRC ? &sa->src :
								&sa->dst);
	}
	if (!strcmp(kw, "proto")) {
		if (HAS(*sa, NFIPSEC_SA_A_PROTO))
			return dup_kw(a, kw);
		SET(*sa, NFIPSEC_SA_A_PROTO);
		return arg_xfrm_proto(a, kw, &sa->proto);
	}
	if (!strcmp(kw, "spi")) {
		if (HAS(*sa, NFIPSEC_SA_A_SPI))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (num(s, UINT32_MAX, &v))
			return fail(a, "invalid SPI \"%s\"", s);
		if (!v)
			return fail(a, "invalid SPI \"%s\": must not be zero", s);
		sa->spi = v;
		SET(*sa, NFIPSEC_SA_A_SPI);
		return 0;
	}
	if (a->op != OP_ADD)
		return bad_keyword(a, kw, !strcmp(kw, "reqid") ||
				   !strcmp(kw, "mode") || !strcmp(kw, "sel") ||
				   !strcmp(kw, "aead") || !strcmp(kw, "enc") ||
				   !strcmp(kw, "auth") ||
				   !strcmp(kw, "auth-trunc") ||
				   !strcmp(kw, "replay-window") ||
				   !strcmp(kw, "flag") || !strcmp(kw, "limit") ||
				   !strcmp(kw, "df"));

	if (!strcmp(kw, "reqid")) {
		if (HAS(*sa, NFIPSEC_SA_A_REQID))
			return dup_kw(a, kw);
		SET(*sa, NFIPSEC_SA_A_REQID);
		return arg_u32(a, kw, &sa->reqid);
	}
	if (!strcmp(kw, "mode")) {
		if (HAS(*sa, NFIPSEC_SA_A_MODE))
			return dup_kw(a, kw);
		SET(*sa, NFIPSEC_SA_A_MODE);
		return arg_mode(a, kw, &sa->mode);
	}
	if (!strcmp(kw, "aead") || !strcmp(kw, "enc") || !strcmp(kw, "auth") ||
	    !strcmp(kw, "auth-trunc"))
		return alg_kw(a, kw, sa);
	if (!strcmp(kw, "replay-window")) {
		if (HAS(*sa, NFIPSEC_SA_A_REPLAY_WINDOW))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (num(s, NFIPSEC_REPLAY_WINDOW_MAX, &v))
			return fail(a, "invalid replay-window \"%s\": must be 0..%d",
				    s, NFIPSEC_REPLAY_WINDOW_MAX);
		sa->replay_window = v;
		SET(*sa, NFIPSEC_SA_A_REPLAY_WINDOW);
		return 0;
	}
	if (!strcmp(kw, "flag"))
		return flag_list(a, kw, sa);
	if (!strcmp(kw, "limit"))
		return limit_kw(a, kw, sa);
	if (!strcmp(kw, "df")) {
		if (HAS(*sa, NFIPSEC_SA_A_DF))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (!strcmp(s, "copy"))
			sa->df = NFIPSEC_DF_COPY;
		else if (!strcmp(s, "clear"))
			sa->df = NFIPSEC_DF_CLEAR;
		else if (!strcmp(s, "set"))
			sa->df = NFIPSEC_DF_SET;
		else
			return fail(a, "unknown df \"%s\": copy, clear or set", s);
		SET(*sa, NFIPSEC_SA_A_DF);
		return 0;
	}
	if (!strcmp(kw, "sel")) {
		if (HAS(*sa, NFIPSEC_SA_A_SEL))
			return dup_kw(a, kw);
		while ((s = peek(a))) {
			a->i++;
			r = sel_kw(a, s, &sa->sel);
			if (r < 0)
				return -1;
			if (!r) {
				a->i--;
				break;
			}
		}
		SET(*sa, NFIPSEC_SA_A_SEL);
		return sel_finish(a, &sa->sel);
	}
	return bad_keyword(a, kw, false);
}

static int missing(struct args *a, const char *kw)
{
	return fail(a, "missing \"%s\"", kw);
}

int parse_sa(enum op op, int argc, char **argv, struct sa *sa, char *err)
{
	struct args a = { .argc = argc, .argv = argv, .err = err, .op = op };

	memset(sa, 0, sizeof(*sa));
	err[0] = '\0';
	while (a.i < a.argc) {
		const char *kw = a.argv[a.i++];

		if (sa_kw(&a, kw, sa))
			return -1;
	}

	if (op == OP_ADD && !HAS(*sa, NFIPSEC_SA_A_SRC))
		return missing(&a, "src");
	if (!HAS(*sa, NFIPSEC_SA_A_DST))
		return missing(&a, "dst");
	if (!HAS(*sa, NFIPSEC_SA_A_SPI))
		return missing(&a, "spi");
	if (HAS(*sa, NFIPSEC_SA_A_SRC) && sa->src.family != sa->dst.family)
		return fail(&a, "\"src\" and \"dst\" are of different families");
	sa->family = sa->dst.family;
	SET(*sa, NFIPSEC_SA_A_FAMILY);
	if (!HAS(*sa, NFIPSEC_SA_A_PROTO)) {
		sa->proto = IPPROTO_ESP;	/* the only one there is */
		SET(*sa, NFIPSEC_SA_A_PROTO);
	}
	if (op != OP_ADD)
		return 0;

	if (HAS(*sa, NFIPSEC_SA_A_ALG_ENC) && !HAS(*sa, NFIPSEC_SA_A_ALG_AUTH))
		return fail(&a, "\"enc\" requires \"auth\" or \"auth-trunc\"");
	if (HAS(*sa, NFIPSEC_SA_A_ALG_AUTH) && !HAS(*sa, NFIPSEC_SA_A_ALG_ENC))
		return fail(&a, "\"auth\" requires \"enc\" (or use \"aead\")");
	if (!HAS(*sa, NFIPSEC_SA_A_ALG_AEAD) && !HAS(*sa, NFIPSEC_SA_A_ALG_ENC))
		return fail(&a, "missing algorithm: \"aead\", or \"enc\" with \"auth\"");
	/* ip xfrm defaults */
	sa->has |= BIT(NFIPSEC_SA_A_REQID) | BIT(NFIPSEC_SA_A_MODE) |
		   BIT(NFIPSEC_SA_A_REPLAY_WINDOW);
	if (HAS(*sa, NFIPSEC_SA_A_SEL) && sa->sel.family != sa->family)
		return fail(&a, "\"sel\" and the SA are of different families");
	return 0;
}

/* ------------------------------------------------------------------ */
/* policy                                                               */

static int tmpl_parse(struct args *a, struct tmpl *t)
{
	const char *s;

	if (t->has)
		return fail(a, "only one \"tmpl\" is supported");
	while ((s = peek(a))) {
		int attr;

		if (!strcmp(s, "src"))
			attr = NFIPSEC_TMPL_A_SRC;
		else if (!strcmp(s, "dst"))
			attr = NFIPSEC_TMPL_A_DST;
		else if (!strcmp(s, "proto"))
			attr = NFIPSEC_TMPL_A_PROTO;
		else if (!strcmp(s, "reqid"))
			attr = NFIPSEC_TMPL_A_REQID;
		else if (!strcmp(s, "mode"))
			attr = NFIPSEC_TMPL_A_MODE;
		else if (!strcmp(s, "spi"))
			return fail(a, "\"spi\" in \"tmpl\" is not supported by nfipsec");
		else if (!strcmp(s, "level"))
			attr = 0;
		else
			break;
		a->i++;
		if (attr && (t->has & BIT(attr)))
			return dup_kw(a, s);
		t->has |= BIT(attr);
		switch (attr) {
		case NFIPSEC_TMPL_A_SRC:
			if (arg_addr(a, s, &t->src))
				return -1;
			break;
		case NFIPSEC_TMPL_A_DST:
			if (arg_addr(a, s, &t->dst))
				return -1;
			break;
		case NFIPSEC_TMPL_A_PROTO:
			if (arg_xfrm_proto(a, s, &t->proto))
				return -1;
			break;
		case NFIPSEC_TMPL_A_REQID:
			if (arg_u32(a, s, &t->reqid))
				return -1;
			break;
		case NFIPSEC_TMPL_A_MODE:
			if (arg_mode(a, s, &t->mode))
				return -1;
			break;
		default:	/* level */
			s = next(a, s);
			if (!s)
				return -1;
			if (strcmp(s, "required"))
				return fail(a, "level \"%s\" is not supported by nfipsec",
					    s);
			break;
		}
	}
	t->has &= ~BIT(0);
	if (HAS(*t, NFIPSEC_TMPL_A_SRC) && HAS(*t, NFIPSEC_TMPL_A_DST) &&
	    t->src.family != t->dst.family)
		return fail(a, "\"tmpl\" \"src\" and \"dst\" are of different families");
	if (t->mode == NFIPSEC_MODE_TUNNEL &&
	    (!HAS(*t, NFIPSEC_TMPL_A_SRC) || !HAS(*t, NFIPSEC_TMPL_A_DST)))
		return fail(a, "\"tmpl\" \"mode tunnel\" requires \"src\" and \"dst\"");
	t->family = AF_INET;
	if (!HAS(*t, NFIPSEC_TMPL_A_PROTO))
		t->proto = IPPROTO_ESP;
	t->has |= BIT(NFIPSEC_TMPL_A_FAMILY) | BIT(NFIPSEC_TMPL_A_PROTO) |
		  BIT(NFIPSEC_TMPL_A_REQID) | BIT(NFIPSEC_TMPL_A_MODE);
	return 0;
}

static int pol_flag(struct args *a, const char *s, void *obj)
{
	static const char *const other[] = { "localok" };
	struct policy *p = obj;

	if (strcmp(s, "icmp"))
		return unsupported_flag(a, s, other, ARRAY_SIZE(other));
	p->flags |= NFIPSEC_POL_F_ICMP;
	SET(*p, NFIPSEC_POL_A_FLAGS);
	return 1;
}

/* ip xfrm policy's FLAG-LIST: "flag icmp", also "flag icmp icmp" */
static int pol_flag_list(struct args *a, const char *kw, struct policy *p)
{
	return flag_words(a, kw, pol_flag, p);
}

static int pol_kw(struct args *a, const char *kw, struct policy *p)
{
	const char *s;
	int r;

	r = sel_kw(a, kw, &p->sel);
	if (r)
		return r < 0 ? -1 : 0;
	if (!strcmp(kw, "dir")) {
		if (HAS(*p, NFIPSEC_POL_A_DIR))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (!strcmp(s, "in"))
			p->dir = NFIPSEC_DIR_IN;
		else if (!strcmp(s, "out"))
			p->dir = NFIPSEC_DIR_OUT;
		else if (!strcmp(s, "fwd"))
			p->dir = NFIPSEC_DIR_FWD;
		else
			return fail(a, "unknown dir \"%s\"", s);
		SET(*p, NFIPSEC_POL_A_DIR);
		return 0;
	}
	if (!strcmp(kw, "ptype")) {
		s = next(a, kw);
		if (!s)
			return -1;
		if (strcmp(s, "main"))
			return fail(a, "ptype \"%s\" is not supported by nfipsec",
				    s);
		return 0;
	}
	if (!strcmp(kw, "index")) {
		if (a->op == OP_ADD)
			return fail(a, "\"index\" is assigned by the kernel, not valid with add/update");
		if (HAS(*p, NFIPSEC_POL_A_INDEX))
			return dup_kw(a, kw);
		SET(*p, NFIPSEC_POL_A_INDEX);
		return arg_u32(a, kw, &p->index);
	}
	if (a->op != OP_ADD)
		return bad_keyword(a, kw, !strcmp(kw, "action") ||
				   !strcmp(kw, "priority") ||
				   !strcmp(kw, "prio") || !strcmp(kw, "tmpl") ||
				   !strcmp(kw, "flag"));
	if (!strcmp(kw, "action")) {
		if (HAS(*p, NFIPSEC_POL_A_ACTION))
			return dup_kw(a, kw);
		s = next(a, kw);
		if (!s)
			return -1;
		if (!strcmp(s, "allow"))
			p->action = NFIPSEC_ACTION_ALLOW;
		else if (!strcmp(s, "block"))
			p->action = NFIPSEC_ACTION_BLOCK;
		else if (!strcmp(s, "protect"))
			p->action = NFIPSEC_ACTION_PROTECT;
		else
			return fail(a, "unknown action \"%s\"", s);
		SET(*p, NFIPSEC_POL_A_ACTION);
		return 0;
	}
	if (!strcmp(kw, "priority") || !strcmp(kw, "prio")) {
		if (HAS(*p, NFIPSEC_POL_A_PRIORITY))
			return dup_kw(a, kw);
		SET(*p, NFIPSEC_POL_A_PRIORITY);
		return arg_u32(a, kw, &p->priority);
	}
	if (!strcmp(kw, "flag"))
		return pol_flag_list(a, kw, p);
	if (!strcmp(kw, "tmpl")) {
		if (tmpl_parse(a, &p->tmpl))
			return -1;
		SET(*p, NFIPSEC_POL_A_TMPL);
		return 0;
	}
	return bad_keyword(a, kw, false);
}

int parse_policy(enum op op, int argc, char **argv, struct policy *p,
		 char *err)
{
	struct args a = { .argc = argc, .argv = argv, .err = err, .op = op };

	memset(p, 0, sizeof(*p));
	err[0] = '\0';
	while (a.i < a.argc) {
		const char *kw = a.argv[a.i++];

		if (pol_kw(&a, kw, p))
			return -1;
	}

	if (op == OP_KEY && HAS(*p, NFIPSEC_POL_A_INDEX)) {
		/* by index: dir and selector are optional */
		if (!sel_given(&p->sel))
			return 0;
	} else if (!HAS(*p, NFIPSEC_POL_A_DIR)) {
		return missing(&a, "dir");
	}
	if (sel_finish(&a, &p->sel))
		return -1;
	if (HAS(p->sel, NFIPSEC_SEL_A_SRC) && HAS(p->sel, NFIPSEC_SEL_A_DST) &&
	    p->sel.src.family != p->sel.dst.family)
		return fail(&a, "\"src\" and \"dst\" are of different families");
	SET(*p, NFIPSEC_POL_A_SEL);
	if (op != OP_ADD)
		return 0;

	if (HAS(*p, NFIPSEC_POL_A_TMPL)) {
		/* ip xfrm: "allow" with a template means protect */
		if (!HAS(*p, NFIPSEC_POL_A_ACTION) ||
		    p->action == NFIPSEC_ACTION_ALLOW)
			p->action = NFIPSEC_ACTION_PROTECT;
		else if (p->action == NFIPSEC_ACTION_BLOCK)
			return fail(&a, "\"tmpl\" cannot be used with action \"block\"");
	} else if (!HAS(*p, NFIPSEC_POL_A_ACTION)) {
		p->action = NFIPSEC_ACTION_ALLOW;
	} else if (p->action == NFIPSEC_ACTION_PROTECT) {
		return fail(&a, "action \"protect\" requires \"tmpl\"");
	}
	p->has |= BIT(NFIPSEC_POL_A_ACTION) | BIT(NFIPSEC_POL_A_PRIORITY);
	return 0;
}
