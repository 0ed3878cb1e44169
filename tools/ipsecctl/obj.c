// SPDX-License-Identifier: GPL-2.0
/*
 * What the sa and policy commands share: getting and dumping a kernel
 * table, printing its objects, the printers of their common parts and
 * the reporting of argument errors.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "attr.h"
#include "json.h"
#include "parse.h"

int usage_error(const char *fmt, ...)
{
	char err[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\n", err);
	return EXIT_USAGE;
}

int help_only(int argc, char **argv, const char *help)
{
	if (!argc)
		return -1;
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h")) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	fprintf(stderr, PROG ": unknown keyword \"%s\"\n", argv[0]);
	return EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* getting and dumping                                                  */

static void *obj_at(const struct objtype *t, const struct objs *o, size_t i)
{
	return (char *)o->v + i * t->size;
}

struct fetch {
	const struct objtype *t;
	struct objs *o;
};

static int fetch_one(const struct nlmsghdr *nlh, void *arg)
{
	struct fetch *f = arg;
	size_t cap;
	void *v;

	if (f->o->n == f->o->cap) {	/* doubling: a dump is linear */
		cap = f->o->cap ? 2 * f->o->cap : 64;
		v = realloc(f->o->v, cap * f->t->size);
		if (!v)
			return EXIT_SYS;
		f->o->v = v;
		f->o->cap = cap;
	}
	if (!f->t->from_msg(nlh, obj_at(f->t, f->o, f->o->n)))
		f->o->n++;
	return EXIT_OK;
}

int obj_fetch(struct ctx *c, const struct objtype *t, struct objs *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fetch f = { t, o };

	o->v = NULL;
	o->n = 0;
	o->cap = 0;
	return ctx_walk(c, req_start(buf, t->get, NLM_F_DUMP), fetch_one, &f);
}

struct shown {
	struct ctx *c;
	const struct objtype *t;
	void *obj;
};

static int show_one(const struct nlmsghdr *nlh, void *arg)
{
	struct shown *s = arg;
	struct json j;

	if (s->t->from_msg(nlh, s->obj))
		return EXIT_OK;
	if (s->c->json) {
		json_init(&j, stdout, s->c->pretty);
		s->t->json(&j, s->obj);
		json_finish(&j);
	} else {
		s->t->print(stdout, s->obj, s->c->stats);
	}
	return EXIT_OK;
}

int obj_request(struct ctx *c, const struct objtype *t,
		struct nlmsghdr *req, void *obj)
{
	struct shown s = { c, t, obj };

	return ctx_walk(c, req, msg_cmd(req) == t->get ? show_one : NULL, &s);
}

void obj_json_array(struct json *j, const char *key, const struct objtype *t,
		    const struct objs *o)
{
	size_t i;

	json_arr_begin(j, key);
	for (i = 0; i < o->n; i++)
		t->json(j, obj_at(t, o, i));
	json_arr_end(j);
}

int obj_list(struct ctx *c, const struct objtype *t, bool stats)
{
	struct objs o;
	struct json j;
	size_t i;
	int ret;

	ret = obj_fetch(c, t, &o);
	if (ret || c->dry_run)
		goto out;
	if (c->json) {
		json_init(&j, stdout, c->pretty);
		obj_json_array(&j, NULL, t, &o);
		json_finish(&j);
	} else {
		for (i = 0; i < o.n; i++)
			t->print(stdout, obj_at(t, &o, i), stats);
	}
out:
	free(o.v);
	return ret;
}

int obj_cmd(struct ctx *c, const struct objtype *t, const char *sub,
	    int argc, char **argv)
{
	if (!strcmp(sub, "add"))
		return t->modify(c, t->new, OP_ADD, argc, argv);
	if (!strcmp(sub, "update"))
		return t->modify(c, t->update, OP_ADD, argc, argv);
	if (!strcmp(sub, "del") || !strcmp(sub, "delete"))
		return t->modify(c, t->del, OP_KEY, argc, argv);
	if (!strcmp(sub, "get"))
		return t->modify(c, t->get, OP_KEY, argc, argv);
	if (!strcmp(sub, "help") || !strcmp(sub, "-h") ||
	    !strcmp(sub, "--help")) {
		fputs(t->help, stdout);
		return EXIT_OK;
	}
	return usage_error("unknown %s command \"%s\", try \"" PROG
			   " %s help\"", t->name, sub, t->name);
}

/* ------------------------------------------------------------------ */
/* common parts                                                         */

const char *sel_side(const struct sel *sel, bool src, char *buf)
{
	char a[ADDRSTRLEN];

	snprintf(buf, ADDRSTRLEN + 4, "%s/%u",
		 addr_fmt(src ? &sel->src : &sel->dst, a),
		 src ? sel->splen : sel->dplen);
	return buf;
}

void print_sel(FILE *f, const struct sel *sel)
{
	char b[ADDRSTRLEN + 4];
	const char *p;

	fprintf(f, "src %s ", sel_side(sel, true, b));
	fprintf(f, "dst %s ", sel_side(sel, false, b));
	if (sel->proto) {
		p = proto_name(sel->proto);
		if (p)
			fprintf(f, "proto %s ", p);
		else
			fprintf(f, "proto %u ", sel->proto);
	}
	if (HAS(*sel, NFIPSEC_SEL_A_SPORT) && sel->sport)
		fprintf(f, "sport %u ", sel->sport);
	if (HAS(*sel, NFIPSEC_SEL_A_DPORT) && sel->dport)
		fprintf(f, "dport %u ", sel->dport);
}

void json_sel(struct json *j, const struct sel *sel)
{
	char b[ADDRSTRLEN + 4];

	if (HAS(*sel, NFIPSEC_SEL_A_SRC))
		json_str(j, "src", sel_side(sel, true, b));
	if (HAS(*sel, NFIPSEC_SEL_A_DST))
		json_str(j, "dst", sel_side(sel, false, b));
	if (HAS(*sel, NFIPSEC_SEL_A_PROTO))
		json_u64(j, "proto", sel->proto);
	if (HAS(*sel, NFIPSEC_SEL_A_SPORT))
		json_u64(j, "sport", sel->sport);
	if (HAS(*sel, NFIPSEC_SEL_A_DPORT))
		json_u64(j, "dport", sel->dport);
}

void print_enum(FILE *f, const char *kw, const char *const *names, size_t n,
		unsigned int v)
{
	const char *s = enum_name(names, n, v);

	if (s)
		fprintf(f, "%s %s ", kw, s);
	else
		fprintf(f, "%s %u ", kw, v);
}

void json_enum(struct json *j, const char *key, const char *const *names,
	       size_t n, unsigned int v)
{
	const char *s = enum_name(names, n, v);

	if (s)
		json_str(j, key, s);
	else
		json_u64(j, key, v);
}

void json_proto(struct json *j, uint8_t proto)
{
	if (proto == IPPROTO_ESP)
		json_str(j, "proto", "esp");
	else
		json_u64(j, "proto", proto);
}
