// SPDX-License-Identifier: GPL-2.0
/*
 * Where a request goes: printed (-n), answered from a canned fixture
 * (--selftest-print) or sent to the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "attr.h"
#include "nl.h"

struct nlmsghdr *req_start(char *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0;	/* the family id, set when sent */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = NFIPSEC_GENL_VERSION;
	return nlh;
}

int msgs_add(struct msgs *m, const struct nlmsghdr *nlh)
{
	struct nlmsghdr **v, *copy;

	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	m->v = v;
	copy = malloc(nlh->nlmsg_len);
	if (!copy)
		return -1;
	memcpy(copy, nlh, nlh->nlmsg_len);
	m->v[m->n++] = copy;
	return 0;
}

void msgs_free(struct msgs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

uint8_t msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->cmd;
}

int ctx_transact(struct ctx *c, struct nlmsghdr *req, struct msgs *out)
{
	const char *what;
	size_t i;

	if (c->dry_run) {
		attr_dump(stdout, req);
		return EXIT_OK;
	}
	if (c->fixture) {
		/* every canned reply of the same command */
		for (i = 0; out && i < c->canned.n; i++)
			if (msg_cmd(c->canned.v[i]) == msg_cmd(req) &&
			    msgs_add(out, c->canned.v[i]))
				return EXIT_SYS;
		return EXIT_OK;
	}
	req->nlmsg_flags |= (req->nlmsg_flags & NLM_F_DUMP) ? 0 : NLM_F_ACK;
	if (!c->nl) {
		c->nl = nl_open();
		if (!c->nl)
			return EXIT_SYS;
	}
	if (!nl_transact(c->nl, req, out))
		return EXIT_OK;
	switch (msg_cmd(req)) {
	case NFIPSEC_CMD_SA_NEW:
		what = "adding SA";
		break;
	case NFIPSEC_CMD_SA_UPDATE:
		what = "updating SA";
		break;
	case NFIPSEC_CMD_SA_DEL:
		what = "deleting SA";
		break;
	case NFIPSEC_CMD_SA_GET:
		what = "getting SAs";
		break;
	case NFIPSEC_CMD_SA_FLUSH:
		what = "flushing SAs";
		break;
	case NFIPSEC_CMD_POL_NEW:
		what = "adding policy";
		break;
	case NFIPSEC_CMD_POL_UPDATE:
		what = "updating policy";
		break;
	case NFIPSEC_CMD_POL_DEL:
		what = "deleting policy";
		break;
	case NFIPSEC_CMD_POL_GET:
		what = "getting policies";
		break;
	case NFIPSEC_CMD_POL_FLUSH:
		what = "flushing policies";
		break;
	default:
		what = "getting statistics";
		break;
	}
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	return EXIT_SYS;
}

int ctx_walk(struct ctx *c, struct nlmsghdr *req,
	     int (*fn)(const struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct msgs m = { 0 };
	size_t i;
	int ret;

	ret = ctx_transact(c, req, fn ? &m : NULL);
	for (i = 0; !ret && i < m.n; i++)
		ret = fn(m.v[i], arg);
	msgs_free(&m);
	return ret;
}
