// SPDX-License-Identifier: GPL-2.0
/* ipsecctl stats: per namespace drop counters and object counts. */
#include <inttypes.h>
#include <string.h>

#include "attr.h"
#include "json.h"

static int stats_from_msg(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *top[NFIPSEC_A_MAX + 1];
	const struct nlattr *tb[NFIPSEC_INFO_A_MAX + 1];
	struct nsstats *st = arg;

	tb_msg(nlh, top, NFIPSEC_A_MAX);
	if (top[NFIPSEC_A_STATS]) {
		st->has_drops = true;
		get_reasons(top[NFIPSEC_A_STATS], &st->drops);
	}
	tb_nest(top[NFIPSEC_A_INFO], tb, NFIPSEC_INFO_A_MAX);
	if (get_u32(tb[NFIPSEC_INFO_A_SA_COUNT], &st->sa_count))
		st->info_has |= BIT(NFIPSEC_INFO_A_SA_COUNT);
	if (get_u32(tb[NFIPSEC_INFO_A_POL_COUNT], &st->pol_count))
		st->info_has |= BIT(NFIPSEC_INFO_A_POL_COUNT);
	return EXIT_OK;
}

int stats_fetch(struct ctx *c, struct nsstats *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(st, 0, sizeof(*st));
	return ctx_walk(c, req_start(buf, NFIPSEC_CMD_STATS_GET, 0),
			stats_from_msg, st);
}

void stats_json(struct json *j, const char *key, const struct nsstats *st)
{
	json_obj_begin(j, key);
	if (st->info_has & BIT(NFIPSEC_INFO_A_SA_COUNT))
		json_u64(j, "sa_count", st->sa_count);
	if (st->info_has & BIT(NFIPSEC_INFO_A_POL_COUNT))
		json_u64(j, "policy_count", st->pol_count);
	if (st->has_drops)
		json_reasons(j, "drops", &st->drops);
	json_obj_end(j);
}

static void stats_print(FILE *f, const struct nsstats *st)
{
	unsigned int i;

	if (st->info_has & BIT(NFIPSEC_INFO_A_SA_COUNT))
		fprintf(f, "SAs: %u\n", st->sa_count);
	if (st->info_has & BIT(NFIPSEC_INFO_A_POL_COUNT))
		fprintf(f, "policies: %u\n", st->pol_count);
	if (!st->has_drops)
		return;
	fputs("drops:\n", f);
	for (i = 0; i < NFIPSEC_DROP_COUNT; i++)
		fprintf(f, "  %-16s %" PRIu64 "\n", drop_reason[i],
			st->drops.err[i]);
}

int cmd_stats(struct ctx *c, int argc, char **argv)
{
	struct nsstats st;
	struct json j;
	int ret;

	ret = help_only(argc, argv, "Usage: " PROG " stats\n"
			"Packets dropped in this network namespace, by reason,\n"
			"and the number of SAs and policies.\n");
	if (ret >= 0)
		return ret;
	ret = stats_fetch(c, &st);
	if (ret || c->dry_run)
		return ret;
	if (c->json) {
		json_init(&j, stdout, c->pretty);
		stats_json(&j, NULL, &st);
		json_finish(&j);
	} else {
		stats_print(stdout, &st);
	}
	return EXIT_OK;
}
