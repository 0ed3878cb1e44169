// SPDX-License-Identifier: GPL-2.0
/* ipsecctl policy: build requests, read replies, `ip xfrm policy` style. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "attr.h"
#include "json.h"
#include "parse.h"

static struct nlmsghdr *pol_build(char *buf, uint8_t cmd, uint16_t flags,
				  const struct policy *p)
{
	struct nlmsghdr *nlh = req_start(buf, cmd, flags);
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFIPSEC_A_POLICY);
	const struct tmpl *t = &p->tmpl;

	if (HAS(*p, NFIPSEC_POL_A_DIR))
		mnl_attr_put_u8(nlh, NFIPSEC_POL_A_DIR, p->dir);
	if (HAS(*p, NFIPSEC_POL_A_SEL))
		put_sel(nlh, NFIPSEC_POL_A_SEL, &p->sel);
	if (HAS(*p, NFIPSEC_POL_A_ACTION))
		mnl_attr_put_u8(nlh, NFIPSEC_POL_A_ACTION, p->action);
	if (HAS(*p, NFIPSEC_POL_A_PRIORITY))
		mnl_attr_put_u32(nlh, NFIPSEC_POL_A_PRIORITY, p->priority);
	if (HAS(*p, NFIPSEC_POL_A_INDEX))
		mnl_attr_put_u32(nlh, NFIPSEC_POL_A_INDEX, p->index);
	if (HAS(*p, NFIPSEC_POL_A_FLAGS))
		mnl_attr_put_u32(nlh, NFIPSEC_POL_A_FLAGS, p->flags);
	if (HAS(*p, NFIPSEC_POL_A_TMPL)) {
		struct nlattr *tn = mnl_attr_nest_start(nlh,
							NFIPSEC_POL_A_TMPL);

		mnl_attr_put_u16(nlh, NFIPSEC_TMPL_A_FAMILY, t->family);
		if (HAS(*t, NFIPSEC_TMPL_A_SRC))
			put_addr(nlh, NFIPSEC_TMPL_A_SRC, &t->src);
		if (HAS(*t, NFIPSEC_TMPL_A_DST))
			put_addr(nlh, NFIPSEC_TMPL_A_DST, &t->dst);
		mnl_attr_put_u8(nlh, NFIPSEC_TMPL_A_PROTO, t->proto);
		mnl_attr_put_u32(nlh, NFIPSEC_TMPL_A_REQID, t->reqid);
		mnl_attr_put_u8(nlh, NFIPSEC_TMPL_A_MODE, t->mode);
		mnl_attr_nest_end(nlh, tn);
	}
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static bool get_tmpl(const struct nlattr *nest, struct tmpl *t)
{
	const struct nlattr *tb[NFIPSEC_TMPL_A_MAX + 1];

	tb_nest(nest, tb, NFIPSEC_TMPL_A_MAX);
	if (get_u16(tb[NFIPSEC_TMPL_A_FAMILY], &t->family))
		SET(*t, NFIPSEC_TMPL_A_FAMILY);
	if (get_addr(tb[NFIPSEC_TMPL_A_SRC], t->family, &t->src))
		SET(*t, NFIPSEC_TMPL_A_SRC);
	if (get_addr(tb[NFIPSEC_TMPL_A_DST], t->family, &t->dst))
		SET(*t, NFIPSEC_TMPL_A_DST);
	if (get_u8(tb[NFIPSEC_TMPL_A_PROTO], &t->proto))
		SET(*t, NFIPSEC_TMPL_A_PROTO);
	if (get_u32(tb[NFIPSEC_TMPL_A_REQID], &t->reqid))
		SET(*t, NFIPSEC_TMPL_A_REQID);
	if (get_u8(tb[NFIPSEC_TMPL_A_MODE], &t->mode))
		SET(*t, NFIPSEC_TMPL_A_MODE);
	return nest;
}

/* 0 if nlh carries a policy */
static int pol_from_msg(const struct nlmsghdr *nlh, void *obj)
{
	const struct nlattr *tb[NFIPSEC_POL_A_MAX + 1];
	struct policy *p = obj;

	memset(p, 0, sizeof(*p));
	if (!tb_msg_nest(nlh, NFIPSEC_A_POLICY, tb, NFIPSEC_POL_A_MAX))
		return -1;
	if (get_u8(tb[NFIPSEC_POL_A_DIR], &p->dir))
		SET(*p, NFIPSEC_POL_A_DIR);
	if (get_u8(tb[NFIPSEC_POL_A_ACTION], &p->action))
		SET(*p, NFIPSEC_POL_A_ACTION);
	if (get_u32(tb[NFIPSEC_POL_A_PRIORITY], &p->priority))
		SET(*p, NFIPSEC_POL_A_PRIORITY);
	if (get_u32(tb[NFIPSEC_POL_A_INDEX], &p->index))
		SET(*p, NFIPSEC_POL_A_INDEX);
	if (get_u32(tb[NFIPSEC_POL_A_FLAGS], &p->flags))
		SET(*p, NFIPSEC_POL_A_FLAGS);
	if (get_u64(tb[NFIPSEC_POL_A_HITS], &p->hits))
		SET(*p, NFIPSEC_POL_A_HITS);
	if (get_sel(tb[NFIPSEC_POL_A_SEL], &p->sel))
		SET(*p, NFIPSEC_POL_A_SEL);
	if (get_tmpl(tb[NFIPSEC_POL_A_TMPL], &p->tmpl))
		SET(*p, NFIPSEC_POL_A_TMPL);
	return 0;
}

static void pol_print(FILE *f, const void *obj, bool stats)
{
	const struct policy *p = obj;
	const struct tmpl *t = &p->tmpl;
	char b[ADDRSTRLEN];

	(void)stats;
	print_sel(f, &p->sel);
	fputs("\n\t", f);
	if (HAS(*p, NFIPSEC_POL_A_DIR))
		print_enum(f, "dir", dir_names, ARRAY_SIZE(dir_names), p->dir);
	if (HAS(*p, NFIPSEC_POL_A_PRIORITY))
		fprintf(f, "priority %u ", p->priority);
	if (HAS(*p, NFIPSEC_POL_A_INDEX))
		fprintf(f, "index %u ", p->index);
	if (HAS(*p, NFIPSEC_POL_A_ACTION))
		print_enum(f, "action", action_names, ARRAY_SIZE(action_names),
			   p->action);
	if (p->flags & NFIPSEC_POL_F_ICMP)
		fputs("flag icmp ", f);
	if (p->flags & ~NFIPSEC_POL_F_ALL)
		fprintf(f, "flag 0x%x ", p->flags & ~NFIPSEC_POL_F_ALL);
	if (HAS(*p, NFIPSEC_POL_A_HITS))
		fprintf(f, "hits %" PRIu64, p->hits);
	fputc('\n', f);
	if (!HAS(*p, NFIPSEC_POL_A_TMPL))
		return;
	fputs("\ttmpl ", f);
	if (HAS(*t, NFIPSEC_TMPL_A_SRC))
		fprintf(f, "src %s ", addr_fmt(&t->src, b));
	if (HAS(*t, NFIPSEC_TMPL_A_DST))
		fprintf(f, "dst %s ", addr_fmt(&t->dst, b));
	if (t->proto == IPPROTO_ESP)
		fputs("proto esp ", f);
	else
		fprintf(f, "proto %u ", t->proto);
	fprintf(f, "reqid %u ", t->reqid);
	print_enum(f, "mode", mode_names, ARRAY_SIZE(mode_names), t->mode);
	fputc('\n', f);
}

static void pol_json(struct json *j, const void *obj)
{
	const struct policy *p = obj;
	const struct tmpl *t = &p->tmpl;
	char b[ADDRSTRLEN];

	json_obj_begin(j, NULL);
	if (HAS(*p, NFIPSEC_POL_A_DIR))
		json_enum(j, "dir", dir_names, ARRAY_SIZE(dir_names), p->dir);
	json_sel(j, &p->sel);
	if (HAS(*p, NFIPSEC_POL_A_ACTION))
		json_enum(j, "action", action_names, ARRAY_SIZE(action_names),
			  p->action);
	if (HAS(*p, NFIPSEC_POL_A_PRIORITY))
		json_u64(j, "priority", p->priority);
	if (HAS(*p, NFIPSEC_POL_A_INDEX))
		json_u64(j, "index", p->index);
	if (HAS(*p, NFIPSEC_POL_A_FLAGS)) {
		json_arr_begin(j, "flags");
		if (p->flags & NFIPSEC_POL_F_ICMP)
			json_str(j, NULL, "icmp");
		if (p->flags & ~NFIPSEC_POL_F_ALL) {
			snprintf(b, sizeof(b), "0x%x",
				 p->flags & ~NFIPSEC_POL_F_ALL);
			json_str(j, NULL, b);
		}
		json_arr_end(j);
	}
	if (HAS(*p, NFIPSEC_POL_A_HITS))
		json_u64(j, "hits", p->hits);
	if (HAS(*p, NFIPSEC_POL_A_TMPL)) {
		json_obj_begin(j, "tmpl");
		if (HAS(*t, NFIPSEC_TMPL_A_SRC))
			json_str(j, "src", addr_fmt(&t->src, b));
		if (HAS(*t, NFIPSEC_TMPL_A_DST))
			json_str(j, "dst", addr_fmt(&t->dst, b));
		if (HAS(*t, NFIPSEC_TMPL_A_PROTO))
			json_proto(j, t->proto);
		if (HAS(*t, NFIPSEC_TMPL_A_REQID))
			json_u64(j, "reqid", t->reqid);
		if (HAS(*t, NFIPSEC_TMPL_A_MODE))
			json_enum(j, "mode", mode_names, ARRAY_SIZE(mode_names),
				  t->mode);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static const char pol_help[] =
"Usage: " PROG " policy { add | update } [ SELECTOR ] dir DIR\n"
"              [ action { allow | block | protect } ] [ priority N ]\n"
"              [ flag icmp ]\n"
"              [ tmpl [ src ADDR ] [ dst ADDR ] [ proto esp ] [ reqid N ]\n"
"                     [ mode { transport | tunnel } ] [ level required ] ]\n"
"       " PROG " policy { del | get } { [ SELECTOR ] dir DIR | index N }\n"
"       " PROG " policy { list | show }\n"
"       " PROG " policy flush\n"
"\n"
"SELECTOR := [ src PREFIX ] [ dst PREFIX ]\n"
"            [ proto PROTO [ sport PORT ] [ dport PORT ] ]\n"
"PREFIX := ADDR[/LEN] (no LEN: /32; omitted: 0.0.0.0/0)\n"
"PROTO := tcp | udp | sctp | icmp | NAME | NUMBER (ports: tcp, udp, sctp)\n"
"DIR := in | out | fwd         priority (alias prio): lower value wins\n"
"\n"
"As with `ip xfrm policy`, a policy with a tmpl protects traffic (its\n"
"default action, also when given \"action allow\"); without a tmpl the\n"
"default action is allow (bypass). `update` adds the policy if missing.\n"
"flag icmp (dir out): ICMP errors quoting a packet of the reversed flow\n"
"follow this policy (RFC 4301 6.2).\n"
"The tunnel endpoints of a tmpl in mode tunnel are required.\n";

static int pol_modify(struct ctx *c, uint8_t cmd, enum op op, int argc,
		      char **argv);

const struct objtype pol_type = {
	.name = "policy",
	.help = pol_help,
	.new = NFIPSEC_CMD_POL_NEW,
	.update = NFIPSEC_CMD_POL_UPDATE,
	.del = NFIPSEC_CMD_POL_DEL,
	.get = NFIPSEC_CMD_POL_GET,
	.size = sizeof(struct policy),
	.modify = pol_modify,
	.from_msg = pol_from_msg,
	.print = pol_print,
	.json = pol_json,
};

static int pol_modify(struct ctx *c, uint8_t cmd, enum op op, int argc,
		      char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[ERRLEN];
	struct policy p;

	if (parse_policy(op, argc, argv, &p, err))
		return usage_error("%s", err);
	return obj_request(c, &pol_type, pol_build(buf, cmd, 0, &p), &p);
}

int cmd_policy(struct ctx *c, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *sub = argc ? argv[0] : "list";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "show") ||
	    !strcmp(sub, "ls") || !strcmp(sub, "dump")) {
		if (argc)
			return usage_error("unknown keyword \"%s\"", argv[0]);
		return obj_list(c, &pol_type, false);
	}
	if (!strcmp(sub, "flush") || !strcmp(sub, "deleteall")) {
		if (argc)
			return usage_error("unknown keyword \"%s\"", argv[0]);
		return ctx_transact(c, req_start(buf, NFIPSEC_CMD_POL_FLUSH, 0),
				    NULL);
	}
	return obj_cmd(c, &pol_type, sub, argc, argv);
}
