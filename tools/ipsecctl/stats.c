// SPDX-License-Identifier: GPL-2.0
/* ipsecctl stats: per namespace drop counters and object counts. */
#include <inttypes.h>
#include <string.h>

#include "attr.h"
#include "json.h"

int stats_fetch(struct ctx *c, struct nsstats *st)
{
	const struct nlattr *top[NFIPSEC_A_MAX + 1];
	const struct nlattr *tb[NFIPSEC_INFO_A_MAX + 1];
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct msgs m = { 0 };
	size_t i;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = ctx_transact(c, req_start(buf, NFIPSEC_CMD_STATS_GET, 0), &m);
	for (i = 0; !ret && i < m.n; i++) {
		tb_msg(m.v[i], top, NFIPSEC_A_MAX);
		if (top[NFIPSEC_A_STATS]) {
			st->has_drops = true;
			get_reasons(top[NFIPSEC_A_STATS], &st->drops);
		}
		tb_nest(top[NFIPSEC_A_INFO], tb, NFIPSEC_INFO_A_MAX);
		if (get_u32(tb[NFIPSEC_INFO_A_SA_COUNT], &st->sa_count))
			st->info_has |= BIT(NFIPSEC_INFO_A_SA_COUNT);
		if (get_u32(tb[NFIPSEC_INFO_A_POL_COUNT], &st->pol_count))
			st->info_has |= BIT(NFIPSEC_INFO_A_POL_COUNT);
	}
	msgs_free(&m);
	return ret;
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

	if (argc && (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h"))) {
		printf("Usage: " PROG " stats\n"
		       "Packets dropped in this network namespace, by reason,\n"
		       "and the number of SAs and policies.\n");
		return EXIT_OK;
	}
	if (argc) {
		fprintf(stderr, PROG ": unknown keyword \"%s\"\n", argv[0]);
		return EXIT_USAGE;
	}
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
