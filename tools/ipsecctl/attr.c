// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "attr.h"
#include "parse.h"

enum atype {
	T_PAD, T_U8, T_U16, T_U32, T_U64, T_BE32, T_ADDR, T_STR, T_KEY,
	T_WORDS, T_NEST, T_ENUM,
};

struct nest;

struct adesc {
	const char *name;
	enum atype type;
	const struct nest *nest;		/* T_NEST */
	const char *const *names;		/* T_ENUM (u8) */
	size_t nnames;
};

struct nest {
	const struct adesc *a;
	unsigned int max;
	bool reasons;		/* NFIPSEC_STAT_BASE + drop reason, u64 */
};

#define NEST(tbl) { tbl, ARRAY_SIZE(tbl) - 1, false }
#define E(tbl) T_ENUM, NULL, tbl, ARRAY_SIZE(tbl)
#define N(n) T_NEST, &n

static const struct nest reasons_nest = { NULL, 0, true };

static const struct adesc alg_attrs[] = {
	[NFIPSEC_ALG_A_NAME] = { "NAME", T_STR },
	[NFIPSEC_ALG_A_KEY] = { "KEY", T_KEY },
	[NFIPSEC_ALG_A_ICV_BITS] = { "ICV_BITS", T_U32 },
	[NFIPSEC_ALG_A_TRUNC_BITS] = { "TRUNC_BITS", T_U32 },
	[NFIPSEC_ALG_A_KEY_BITS] = { "KEY_BITS", T_U32 },
};
static const struct nest alg_nest = NEST(alg_attrs);

static const struct adesc sel_attrs[] = {
	[NFIPSEC_SEL_A_FAMILY] = { "FAMILY", T_U16 },
	[NFIPSEC_SEL_A_SRC] = { "SRC", T_ADDR },
	[NFIPSEC_SEL_A_SRC_PLEN] = { "SRC_PLEN", T_U8 },
	[NFIPSEC_SEL_A_DST] = { "DST", T_ADDR },
	[NFIPSEC_SEL_A_DST_PLEN] = { "DST_PLEN", T_U8 },
	[NFIPSEC_SEL_A_PROTO] = { "PROTO", T_U8 },
	[NFIPSEC_SEL_A_SPORT] = { "SPORT", T_U16 },
	[NFIPSEC_SEL_A_DPORT] = { "DPORT", T_U16 },
};
static const struct nest sel_nest = NEST(sel_attrs);

static const struct adesc life_attrs[] = {
	[NFIPSEC_LIFE_A_SOFT_SECS] = { "SOFT_SECS", T_U64 },
	[NFIPSEC_LIFE_A_HARD_SECS] = { "HARD_SECS", T_U64 },
	[NFIPSEC_LIFE_A_SOFT_BYTES] = { "SOFT_BYTES", T_U64 },
	[NFIPSEC_LIFE_A_HARD_BYTES] = { "HARD_BYTES", T_U64 },
	[NFIPSEC_LIFE_A_SOFT_PACKETS] = { "SOFT_PACKETS", T_U64 },
	[NFIPSEC_LIFE_A_HARD_PACKETS] = { "HARD_PACKETS", T_U64 },
	[NFIPSEC_LIFE_A_ADD_TIME] = { "ADD_TIME", T_U64 },
	[NFIPSEC_LIFE_A_USE_TIME] = { "USE_TIME", T_U64 },
	[NFIPSEC_LIFE_A_BYTES] = { "BYTES", T_U64 },
	[NFIPSEC_LIFE_A_PACKETS] = { "PACKETS", T_U64 },
	[NFIPSEC_LIFE_A_PAD] = { "PAD", T_PAD },
};
static const struct nest life_nest = NEST(life_attrs);

static const struct adesc sastats_attrs[] = {
	[NFIPSEC_SA_STATS_A_IN_PACKETS] = { "IN_PACKETS", T_U64 },
	[NFIPSEC_SA_STATS_A_IN_BYTES] = { "IN_BYTES", T_U64 },
	[NFIPSEC_SA_STATS_A_OUT_PACKETS] = { "OUT_PACKETS", T_U64 },
	[NFIPSEC_SA_STATS_A_OUT_BYTES] = { "OUT_BYTES", T_U64 },
	[NFIPSEC_SA_STATS_A_ERRORS] = { "ERRORS", N(reasons_nest) },
	[NFIPSEC_SA_STATS_A_PAD] = { "PAD", T_PAD },
	[NFIPSEC_SA_STATS_A_PMTU_UPDATES] = { "PMTU_UPDATES", T_U64 },
};
static const struct nest sastats_nest = NEST(sastats_attrs);

static const struct adesc replay_attrs[] = {
	[NFIPSEC_REPLAY_A_WINDOW] = { "WINDOW", T_U32 },
	[NFIPSEC_REPLAY_A_TOP] = { "TOP", T_U64 },
	[NFIPSEC_REPLAY_A_BITMAP] = { "BITMAP", T_WORDS },
	[NFIPSEC_REPLAY_A_PAD] = { "PAD", T_PAD },
};
static const struct nest replay_nest = NEST(replay_attrs);

static const struct adesc sa_attrs[] = {
	[NFIPSEC_SA_A_FAMILY] = { "FAMILY", T_U16 },
	[NFIPSEC_SA_A_SRC] = { "SRC", T_ADDR },
	[NFIPSEC_SA_A_DST] = { "DST", T_ADDR },
	[NFIPSEC_SA_A_PROTO] = { "PROTO", T_U8 },
	[NFIPSEC_SA_A_SPI] = { "SPI", T_BE32 },
	[NFIPSEC_SA_A_REQID] = { "REQID", T_U32 },
	[NFIPSEC_SA_A_MODE] = { "MODE", E(mode_names) },
	[NFIPSEC_SA_A_FLAGS] = { "FLAGS", T_U32 },
	[NFIPSEC_SA_A_REPLAY_WINDOW] = { "REPLAY_WINDOW", T_U32 },
	[NFIPSEC_SA_A_DF] = { "DF", E(df_names) },
	[NFIPSEC_SA_A_ALG_AEAD] = { "ALG_AEAD", N(alg_nest) },
	[NFIPSEC_SA_A_ALG_ENC] = { "ALG_ENC", N(alg_nest) },
	[NFIPSEC_SA_A_ALG_AUTH] = { "ALG_AUTH", N(alg_nest) },
	[NFIPSEC_SA_A_SEL] = { "SEL", N(sel_nest) },
	[NFIPSEC_SA_A_LIFETIME] = { "LIFETIME", N(life_nest) },
	[NFIPSEC_SA_A_CURLIFE] = { "CURLIFE", N(life_nest) },
	[NFIPSEC_SA_A_STATS] = { "STATS", N(sastats_nest) },
	[NFIPSEC_SA_A_REPLAY] = { "REPLAY", N(replay_nest) },
	[NFIPSEC_SA_A_OSEQ] = { "OSEQ", T_U64 },
	[NFIPSEC_SA_A_STATE] = { "STATE", E(state_names) },
	[NFIPSEC_SA_A_OVERHEAD] = { "OVERHEAD", T_U32 },
	[NFIPSEC_SA_A_PMTU] = { "PMTU", T_U32 },
	[NFIPSEC_SA_A_PAD] = { "PAD", T_PAD },
};
static const struct nest sa_nest = NEST(sa_attrs);

static const struct adesc tmpl_attrs[] = {
	[NFIPSEC_TMPL_A_FAMILY] = { "FAMILY", T_U16 },
	[NFIPSEC_TMPL_A_SRC] = { "SRC", T_ADDR },
	[NFIPSEC_TMPL_A_DST] = { "DST", T_ADDR },
	[NFIPSEC_TMPL_A_PROTO] = { "PROTO", T_U8 },
	[NFIPSEC_TMPL_A_REQID] = { "REQID", T_U32 },
	[NFIPSEC_TMPL_A_MODE] = { "MODE", E(mode_names) },
};
static const struct nest tmpl_nest = NEST(tmpl_attrs);

static const struct adesc pol_attrs[] = {
	[NFIPSEC_POL_A_DIR] = { "DIR", E(dir_names) },
	[NFIPSEC_POL_A_SEL] = { "SEL", N(sel_nest) },
	[NFIPSEC_POL_A_ACTION] = { "ACTION", E(action_names) },
	[NFIPSEC_POL_A_PRIORITY] = { "PRIORITY", T_U32 },
	[NFIPSEC_POL_A_INDEX] = { "INDEX", T_U32 },
	[NFIPSEC_POL_A_TMPL] = { "TMPL", N(tmpl_nest) },
	[NFIPSEC_POL_A_HITS] = { "HITS", T_U64 },
	[NFIPSEC_POL_A_PAD] = { "PAD", T_PAD },
	[NFIPSEC_POL_A_FLAGS] = { "FLAGS", T_U32 },
};
static const struct nest pol_nest = NEST(pol_attrs);

static const struct adesc info_attrs[] = {
	[NFIPSEC_INFO_A_SA_COUNT] = { "SA_COUNT", T_U32 },
	[NFIPSEC_INFO_A_POL_COUNT] = { "POL_COUNT", T_U32 },
};
static const struct nest info_nest = NEST(info_attrs);

static const struct adesc top_attrs[] = {
	[NFIPSEC_A_SA] = { "SA", N(sa_nest) },
	[NFIPSEC_A_POLICY] = { "POLICY", N(pol_nest) },
	[NFIPSEC_A_STATS] = { "STATS", N(reasons_nest) },
	[NFIPSEC_A_INFO] = { "INFO", N(info_nest) },
};
static const struct nest top_nest = NEST(top_attrs);

static const char *const cmd_names[] = {
	[NFIPSEC_CMD_SA_NEW] = "SA_NEW",
	[NFIPSEC_CMD_SA_UPDATE] = "SA_UPDATE",
	[NFIPSEC_CMD_SA_DEL] = "SA_DEL",
	[NFIPSEC_CMD_SA_GET] = "SA_GET",
	[NFIPSEC_CMD_SA_FLUSH] = "SA_FLUSH",
	[NFIPSEC_CMD_POL_NEW] = "POL_NEW",
	[NFIPSEC_CMD_POL_UPDATE] = "POL_UPDATE",
	[NFIPSEC_CMD_POL_DEL] = "POL_DEL",
	[NFIPSEC_CMD_POL_GET] = "POL_GET",
	[NFIPSEC_CMD_POL_FLUSH] = "POL_FLUSH",
	[NFIPSEC_CMD_STATS_GET] = "STATS_GET",
};

/* the description of attribute type in nest n, or NULL if unknown */
static const struct adesc *lookup(const struct nest *n, unsigned int type,
				  struct adesc *tmp)
{
	if (n->reasons) {
		if (type < NFIPSEC_STAT_BASE ||
		    type - NFIPSEC_STAT_BASE >= NFIPSEC_DROP_COUNT)
			return NULL;
		tmp->name = drop_reason[type - NFIPSEC_STAT_BASE];
		tmp->type = T_U64;
		return tmp;
	}
	if (type > n->max || !n->a[type].name)
		return NULL;
	return &n->a[type];
}

/* ------------------------------------------------------------------ */
/* message -> text                                                      */

static void dump_value(FILE *f, const struct adesc *d, const struct nlattr *a)
{
	const void *p = mnl_attr_get_payload(a);
	uint16_t len = mnl_attr_get_payload_len(a);
	static const uint16_t need[] = {
		[T_U8] = 1, [T_U16] = 2, [T_U32] = 4, [T_U64] = 8,
		[T_BE32] = 4, [T_ENUM] = 1,
	};
	char buf[ADDRSTRLEN];
	const char *name;
	uint64_t v64;
	uint32_t w;
	size_t i;

	if (d->type < ARRAY_SIZE(need) && need[d->type] &&
	    len != need[d->type]) {
		fprintf(f, " <bad length %u>", len);
		return;
	}
	switch (d->type) {
	case T_U8:
		fprintf(f, " %u", mnl_attr_get_u8(a));
		break;
	case T_U16:
		fprintf(f, " %u", mnl_attr_get_u16(a));
		break;
	case T_U32:
		fprintf(f, " %u", mnl_attr_get_u32(a));
		break;
	case T_U64:
		memcpy(&v64, p, 8);
		fprintf(f, " %" PRIu64, v64);
		break;
	case T_BE32:
		fprintf(f, " 0x%08x", ntohl(mnl_attr_get_u32(a)));
		break;
	case T_ENUM:
		name = enum_name(d->names, d->nnames, mnl_attr_get_u8(a));
		if (name)
			fprintf(f, " %s", name);
		else
			fprintf(f, " %u", mnl_attr_get_u8(a));
		break;
	case T_ADDR:
		if ((len == 4 && inet_ntop(AF_INET, p, buf, sizeof(buf))) ||
		    (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof(buf))))
			fprintf(f, " %s", buf);
		else
			fprintf(f, " <%u bytes>", len);
		break;
	case T_STR:
		fputc(' ', f);
		for (i = 0; i < len && ((const char *)p)[i]; i++)
			fputc(isprint(((const unsigned char *)p)[i]) ?
			      ((const char *)p)[i] : '?', f);
		break;
	case T_WORDS:
		for (i = 0; i + 4 <= len; i += 4) {
			memcpy(&w, (const char *)p + i, 4);
			fprintf(f, " 0x%08x", w);
		}
		break;
	default:	/* T_KEY: never print key bytes */
		fprintf(f, " <%u bytes>", len);
		break;
	}
}

static void dump_attrs(FILE *f, const struct nest *n, const void *start,
		       size_t len, int depth)
{
	const struct nlattr *attr;
	struct adesc tmp;

	mnl_attr_for_each_payload(start, len) {
		unsigned int type = mnl_attr_get_type(attr);
		const struct adesc *d = lookup(n, type, &tmp);

		if (d && d->type == T_PAD)
			continue;
		fprintf(f, "%*s", depth, "");
		if (!d) {
			fprintf(f, "ATTR_%u <%u bytes>\n", type,
				mnl_attr_get_payload_len(attr));
			continue;
		}
		if (n->reasons) {
			const char *s;

			for (s = d->name; *s; s++)
				fputc(toupper((unsigned char)*s), f);
		} else {
			fputs(d->name, f);
		}
		if (d->type == T_NEST) {
			fputc('\n', f);
			dump_attrs(f, d->nest, mnl_attr_get_payload(attr),
				   mnl_attr_get_payload_len(attr), depth + 1);
			continue;
		}
		dump_value(f, d, attr);
		fputc('\n', f);
	}
}

void attr_dump(FILE *f, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const char *name = enum_name(cmd_names, ARRAY_SIZE(cmd_names), g->cmd);
	static const struct {
		uint16_t flag;
		const char *name;
	} flags[] = {
		{ NLM_F_DUMP, "dump" }, { NLM_F_CREATE, "create" },
		{ NLM_F_EXCL, "excl" }, { NLM_F_REPLACE, "replace" },
	};
	const char *sep = " flags=";
	size_t i;

	if (name)
		fputs(name, f);
	else
		fprintf(f, "CMD_%u", g->cmd);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		/* ROOT|MATCH (dump) share their bits with REPLACE|EXCL */
		if (i && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
			break;
		if ((nlh->nlmsg_flags & flags[i].flag) == flags[i].flag) {
			fprintf(f, "%s%s", sep, flags[i].name);
			sep = ",";
		}
	}
	fputc('\n', f);
	dump_attrs(f, &top_nest, (const char *)g + GENL_HDRLEN,
		   mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, 1);
}

/* ------------------------------------------------------------------ */
/* text -> message (test fixtures)                                      */

#define FIXTURE_BUF	65536
#define STACK_MAX	8

struct loader {
	char *buf;
	struct nlmsghdr *nlh;	/* message being built, or NULL */
	uint8_t cmd;
	struct {
		const struct nest *n;
		struct nlattr *start;
	} stack[STACK_MAX];
	int depth;		/* open nests */
	char *err;
	unsigned int line;
};

static int lfail(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(l->err, ERRLEN, "line %u: ", l->line);
	va_start(ap, fmt);
	vsnprintf(l->err + n, ERRLEN - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void close_to(struct loader *l, int depth)
{
	while (l->depth > depth) {
		l->depth--;
		mnl_attr_nest_end(l->nlh, l->stack[l->depth].start);
	}
}

static int flush_msg(struct loader *l, struct msgs *out)
{
	int ret = 0;

	if (l->nlh) {
		close_to(l, 0);
		ret = msgs_add(out, l->nlh);
	}
	l->nlh = NULL;
	return ret;
}

static int put_value(struct loader *l, const struct adesc *d,
		     unsigned int type, char *val)
{
	unsigned long long v = 0;
	uint8_t a[16];
	uint32_t w[REPLAY_WORDS_MAX];
	char *end, *tok;
	size_t i, n = 0;

	switch (d->type) {
	case T_ENUM:
		for (i = 0; i < d->nnames; i++) {
			if (d->names[i] && !strcmp(val, d->names[i])) {
				mnl_attr_put_u8(l->nlh, type, i);
				return 0;
			}
		}
		/* fall through */
	case T_U8:
	case T_U16:
	case T_U32:
	case T_U64:
	case T_BE32:
		errno = 0;
		v = strtoull(val, &end, 0);
		if (errno || end == val || *end)
			return lfail(l, "bad number \"%s\"", val);
		break;
	default:
		break;
	}
	switch (d->type) {
	case T_ENUM:
	case T_U8:
		mnl_attr_put_u8(l->nlh, type, v);
		break;
	case T_U16:
		mnl_attr_put_u16(l->nlh, type, v);
		break;
	case T_U32:
		mnl_attr_put_u32(l->nlh, type, v);
		break;
	case T_U64:
		mnl_attr_put_u64(l->nlh, type, v);
		break;
	case T_BE32:
		mnl_attr_put_u32(l->nlh, type, htonl(v));
		break;
	case T_ADDR:
		if (inet_pton(AF_INET, val, a) == 1)
			mnl_attr_put(l->nlh, type, 4, a);
		else if (inet_pton(AF_INET6, val, a) == 1)
			mnl_attr_put(l->nlh, type, 16, a);
		else
			return lfail(l, "bad address \"%s\"", val);
		break;
	case T_STR:
		mnl_attr_put_strz(l->nlh, type, val);
		break;
	case T_WORDS:
		for (tok = strtok(val, " "); tok; tok = strtok(NULL, " ")) {
			if (n == ARRAY_SIZE(w))
				return lfail(l, "too many words");
			w[n++] = strtoul(tok, NULL, 0);
		}
		mnl_attr_put(l->nlh, type, n * 4, w);
		break;
	default:
		return lfail(l, "attribute not allowed in a fixture");
	}
	return 0;
}

static int load_line(struct loader *l, struct msgs *out, time_t *now,
		     char *line)
{
	const struct nest *n;
	const struct adesc *d = NULL;
	struct adesc tmp;
	char *name, *val;
	unsigned int type;
	int depth = 0;

	while (line[depth] == ' ')
		depth++;
	name = line + depth;
	val = name + strcspn(name, " ");
	if (*val)
		*val++ = '\0';

	if (depth == 0) {
		if (!strcmp(name, "NOW")) {
			*now = strtoll(val, NULL, 0);
			return 0;
		}
		/* STATS and INFO share the STATS_GET reply */
		if (!(l->nlh && l->cmd == NFIPSEC_CMD_STATS_GET &&
		      (!strcmp(name, "STATS") || !strcmp(name, "INFO")))) {
			if (flush_msg(l, out))
				return lfail(l, "out of memory");
			l->cmd = !strcmp(name, "SA") ? NFIPSEC_CMD_SA_GET :
				 !strcmp(name, "POLICY") ? NFIPSEC_CMD_POL_GET :
				 NFIPSEC_CMD_STATS_GET;
			l->nlh = req_start(l->buf, l->cmd, 0);
		}
		close_to(l, 0);
		n = &top_nest;
	} else {
		if (depth > l->depth || !l->nlh)
			return lfail(l, "bad indentation");
		close_to(l, depth);
		n = l->stack[depth - 1].n;
	}

	for (type = 0; type < 0xffff; type++) {
		d = lookup(n, type, &tmp);
		if (d && !strcasecmp(d->name, name))
			break;
		if (!n->reasons && type > n->max)
			return lfail(l, "unknown attribute \"%s\"", name);
		if (n->reasons && type > NFIPSEC_DROP_COUNT)
			return lfail(l, "unknown reason \"%s\"", name);
	}
	if (d->type == T_NEST) {
		if (depth + 1 >= STACK_MAX)
			return lfail(l, "nested too deep");
		l->stack[depth].n = d->nest;
		l->stack[depth].start = mnl_attr_nest_start(l->nlh, type);
		l->depth = depth + 1;
		return 0;
	}
	close_to(l, depth);
	return put_value(l, d, type, val);
}

int fixture_load(const char *path, struct msgs *out, time_t *now, char *err)
{
	struct loader l = { .err = err };
	char line[4096];
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, ERRLEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	l.buf = calloc(1, FIXTURE_BUF);
	if (!l.buf) {
		fclose(f);
		snprintf(err, ERRLEN, "out of memory");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n#");

		l.line++;
		while (len && line[len - 1] == ' ')
			len--;
		line[len] = '\0';
		if (!len)
			continue;
		ret = load_line(&l, out, now, line);
		if (ret)
			break;
	}
	if (!ret && flush_msg(&l, out)) {
		snprintf(err, ERRLEN, "out of memory");
		ret = -1;
	}
	free(l.buf);
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------------ */
/* checked getters                                                      */

struct tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int tb_cb(const struct nlattr *a, void *data)
{
	struct tb *t = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

void tb_msg(const struct nlmsghdr *nlh, const struct nlattr **tb,
	    unsigned int max)
{
	struct tb t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse(nlh, GENL_HDRLEN, tb_cb, &t);
}

void tb_nest(const struct nlattr *nest, const struct nlattr **tb,
	     unsigned int max)
{
	struct tb t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nest)
		mnl_attr_parse_nested(nest, tb_cb, &t);
}

bool tb_msg_nest(const struct nlmsghdr *nlh, unsigned int type,
		 const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *top[NFIPSEC_A_MAX + 1];

	tb_msg(nlh, top, NFIPSEC_A_MAX);
	if (!top[type])
		return false;
	tb_nest(top[type], tb, max);
	return true;
}

bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) != 1)
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) != 2)
		return false;
	*v = mnl_attr_get_u16(a);
	return true;
}

bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) != 4)
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) != 8)
		return false;
	memcpy(v, mnl_attr_get_payload(a), 8);
	return true;
}

bool get_addr(const struct nlattr *a, uint16_t family, struct addr *ad)
{
	uint16_t len;

	if (!a)
		return false;
	len = mnl_attr_get_payload_len(a);
	memset(ad, 0, sizeof(*ad));
	if (len == 4 && family != AF_INET6)
		ad->family = AF_INET;
	else if (len == 16 && family != AF_INET)
		ad->family = AF_INET6;
	else
		return false;
	memcpy(ad->a, mnl_attr_get_payload(a), len);
	return true;
}

bool get_str(const struct nlattr *a, char *buf, size_t len)
{
	uint16_t n;

	if (!a)
		return false;
	n = mnl_attr_get_payload_len(a);
	if (n >= len)
		n = len - 1;
	memcpy(buf, mnl_attr_get_payload(a), n);
	buf[n] = '\0';
	return true;
}

static size_t addr_len(const struct addr *ad)
{
	return ad->family == AF_INET6 ? 16 : 4;
}

void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct addr *ad)
{
	mnl_attr_put(nlh, type, addr_len(ad), ad->a);
}

void put_sel(struct nlmsghdr *nlh, uint16_t type, const struct sel *sel)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u16(nlh, NFIPSEC_SEL_A_FAMILY, sel->family);
	put_addr(nlh, NFIPSEC_SEL_A_SRC, &sel->src);
	mnl_attr_put_u8(nlh, NFIPSEC_SEL_A_SRC_PLEN, sel->splen);
	put_addr(nlh, NFIPSEC_SEL_A_DST, &sel->dst);
	mnl_attr_put_u8(nlh, NFIPSEC_SEL_A_DST_PLEN, sel->dplen);
	mnl_attr_put_u8(nlh, NFIPSEC_SEL_A_PROTO, sel->proto);
	if (HAS(*sel, NFIPSEC_SEL_A_SPORT))
		mnl_attr_put_u16(nlh, NFIPSEC_SEL_A_SPORT, sel->sport);
	if (HAS(*sel, NFIPSEC_SEL_A_DPORT))
		mnl_attr_put_u16(nlh, NFIPSEC_SEL_A_DPORT, sel->dport);
	mnl_attr_nest_end(nlh, nest);
}

bool get_sel(const struct nlattr *nest, struct sel *sel)
{
	const struct nlattr *tb[NFIPSEC_SEL_A_MAX + 1];

	memset(sel, 0, sizeof(*sel));
	tb_nest(nest, tb, NFIPSEC_SEL_A_MAX);
	if (get_u16(tb[NFIPSEC_SEL_A_FAMILY], &sel->family))
		SET(*sel, NFIPSEC_SEL_A_FAMILY);
	if (get_addr(tb[NFIPSEC_SEL_A_SRC], sel->family, &sel->src))
		SET(*sel, NFIPSEC_SEL_A_SRC);
	if (get_addr(tb[NFIPSEC_SEL_A_DST], sel->family, &sel->dst))
		SET(*sel, NFIPSEC_SEL_A_DST);
	if (get_u8(tb[NFIPSEC_SEL_A_SRC_PLEN], &sel->splen))
		SET(*sel, NFIPSEC_SEL_A_SRC_PLEN);
	if (get_u8(tb[NFIPSEC_SEL_A_DST_PLEN], &sel->dplen))
		SET(*sel, NFIPSEC_SEL_A_DST_PLEN);
	if (get_u8(tb[NFIPSEC_SEL_A_PROTO], &sel->proto))
		SET(*sel, NFIPSEC_SEL_A_PROTO);
	if (get_u16(tb[NFIPSEC_SEL_A_SPORT], &sel->sport))
		SET(*sel, NFIPSEC_SEL_A_SPORT);
	if (get_u16(tb[NFIPSEC_SEL_A_DPORT], &sel->dport))
		SET(*sel, NFIPSEC_SEL_A_DPORT);
	/* an address without its family: take it from the length */
	if (!HAS(*sel, NFIPSEC_SEL_A_FAMILY) && HAS(*sel, NFIPSEC_SEL_A_SRC))
		sel->family = sel->src.family;
	return nest;
}

void get_reasons(const struct nlattr *nest, struct counters *c)
{
	const struct nlattr *tb[NFIPSEC_STAT_BASE + NFIPSEC_DROP_COUNT];
	unsigned int i;

	tb_nest(nest, tb, NFIPSEC_STAT_BASE + NFIPSEC_DROP_COUNT - 1);
	for (i = 0; i < NFIPSEC_DROP_COUNT; i++)
		if (get_u64(tb[NFIPSEC_STAT_BASE + i], &c->err[i]))
			c->err_has |= BIT(i);
}
