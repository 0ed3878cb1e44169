// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "attr.h"
#include "nl.h"

#define RECV_BUF	32768
#define DUMP_TRIES	5

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t portid, seq;
};

struct rx {
	struct msgs *out;
	bool intr;
	char ext[256];		/* extack message, if any */
};

static void ext_msg(const struct nlmsghdr *nlh, size_t off, struct rx *rx)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) <= NLMSGERR_ATTR_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	if (tb[NLMSGERR_ATTR_MSG])
		get_str(tb[NLMSGERR_ATTR_MSG], rx->ext, sizeof(rx->ext));
}

static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct rx *rx = data;
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&e->msg);
	if (off <= mnl_nlmsg_get_payload_len(nlh))
		ext_msg(nlh, off, rx);
	if (e->error) {
		errno = -e->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct rx *rx = data;
	int err = 0;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rx->intr = true;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		ext_msg(nlh, sizeof(int), rx);
	}
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct rx *rx = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rx->intr = true;
	if (rx->out && msgs_add(rx->out, nlh))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/*
 * Like mnl_cb_run(), but an NLM_F_DUMP_INTR message only marks the dump
 * as to be repeated (libmnl would stop mid-dump with EINTR).
 */
static int run(const char *buf, size_t len, uint32_t seq, uint32_t portid,
	       struct rx *rx)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len_left = len, ret = MNL_CB_OK;

	while (mnl_nlmsg_ok(nlh, len_left)) {
		if (!mnl_nlmsg_portid_ok(nlh, portid) ||
		    !mnl_nlmsg_seq_ok(nlh, seq)) {
			errno = ESRCH;
			return MNL_CB_ERROR;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR)
			ret = cb_error(nlh, rx);
		else if (nlh->nlmsg_type == NLMSG_DONE)
			ret = cb_done(nlh, rx);
		else if (nlh->nlmsg_type == NLMSG_OVERRUN)
			ret = (errno = ENOSPC, MNL_CB_ERROR);
		else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			ret = cb_data(nlh, rx);
		if (ret <= MNL_CB_STOP)
			return ret;
		nlh = mnl_nlmsg_next(nlh, &len_left);
	}
	return ret;
}

/* one request and its replies */
static int once(struct nl *nl, struct nlmsghdr *req, struct rx *rx)
{
	char *buf;
	int ret;

	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	buf = malloc(RECV_BUF);
	if (!buf)
		return -1;
	do {
		ret = mnl_socket_recvfrom(nl->sock, buf, RECV_BUF);
		if (ret < 0)
			break;
		ret = run(buf, ret, req->nlmsg_seq, nl->portid, rx);
	} while (ret > MNL_CB_STOP);
	free(buf);
	if (rx->ext[0])
		fprintf(stderr, PROG ": kernel: %s\n", rx->ext);
	return ret < 0 ? -1 : 0;
}

int nl_transact(struct nl *nl, struct nlmsghdr *req, struct msgs *out)
{
	struct rx rx;
	int i, ret;

	req->nlmsg_type = nl->family;
	for (i = 0; i < DUMP_TRIES; i++) {
		memset(&rx, 0, sizeof(rx));
		rx.out = out;
		if (out)
			msgs_free(out);
		ret = once(nl, req, &rx);
		if (ret || !(req->nlmsg_flags & NLM_F_DUMP) || !rx.intr)
			return ret;
	}
	if (out)
		msgs_free(out);
	fprintf(stderr, PROG ": dump interrupted %d times by concurrent changes\n",
		DUMP_TRIES);
	errno = EINTR;
	return -1;
}

static int cb_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nl *nl = data;
	uint32_t version = 0;

	tb_msg(nlh, tb, CTRL_ATTR_MAX);
	if (!get_u16(tb[CTRL_ATTR_FAMILY_ID], &nl->family))
		return MNL_CB_ERROR;
	get_u32(tb[CTRL_ATTR_VERSION], &version);
	if (version < NFIPSEC_GENL_VERSION)
		fprintf(stderr, PROG ": warning: kernel speaks %s version %u, this tool %u\n",
			NFIPSEC_GENL_NAME, version, NFIPSEC_GENL_VERSION);
	return MNL_CB_OK;
}

static int resolve(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NFIPSEC_GENL_NAME);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ret = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (ret < 0)
			return -1;
		ret = mnl_cb_run(buf, ret, nl->seq, nl->portid, cb_family, nl);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

struct nl *nl_open(void)
{
	struct nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl) {
		perror(PROG);
		return NULL;
	}
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, PROG ": netlink socket: %s\n", strerror(errno));
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* best effort: older kernels lack these */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (resolve(nl)) {
		if (errno == ENOENT)
			fprintf(stderr, PROG ": generic netlink family \"%s\" not found (is the module loaded?)\n",
				NFIPSEC_GENL_NAME);
		else
			fprintf(stderr, PROG ": resolving \"%s\": %s\n",
				NFIPSEC_GENL_NAME, strerror(errno));
		goto err;
	}
	return nl;
err:
	nl_close(nl);
	return NULL;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}
