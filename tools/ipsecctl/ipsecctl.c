// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl: configure the nfipsec IPsec (ESP) datapath.
 *
 * A small dispatcher: global options, then one of the subcommands below.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attr.h"
#include "nl.h"
#include "parse.h"

static int cmd_help(struct ctx *c, int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(struct ctx *c, int argc, char **argv);
	const char *help;
} subcommands[] = {
	{ "sa", cmd_sa, "security associations (alias: state)" },
	{ "state", cmd_sa, NULL },
	{ "policy", cmd_policy, "security policies" },
	{ "stats", cmd_stats, "drop counters of this network namespace" },
	{ "show", cmd_show, "SA pairs, counters and drops at a glance" },
	{ "help", cmd_help, "this text" },
};

static const char usage[] =
"Usage: " PROG " [ OPTIONS ] OBJECT { COMMAND | help }\n"
"\n"
"OBJECT := { sa | state | policy | stats | show | help }\n"
"OPTIONS := { -j[son] | -p[retty] | -s[tats] | -n }\n"
"\n"
"  -j  print JSON                -p  indent the JSON\n"
"  -s  with sa list: lifetimes, counters, errors and replay state\n"
"  -n  parse only: build the netlink request and print it as a text\n"
"      attribute tree instead of sending it (keys are never printed)\n"
"\n"
"Commands take the `ip xfrm state` and `ip xfrm policy` arguments:\n"
"`ip xfrm state add ARGS` is `" PROG " sa add ARGS`. Examples:\n"
"\n"
"  " PROG " sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 \\\n"
"          reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' \\\n"
"          0x0102030405060708090a0b0c0d0e0f1011121314 128 \\\n"
"          replay-window 128 sel src 10.1.0.0/16 dst 10.2.0.0/16\n"
"  " PROG " policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out \\\n"
"          tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel\n"
"  " PROG " -j sa list\n"
"  " PROG " show\n"
"\n"
"Exit status: 0 success, 1 kernel or system error, 2 usage error.\n"
"See \"" PROG " sa help\" and \"" PROG " policy help\".\n";

static int cmd_help(struct ctx *c, int argc, char **argv)
{
	size_t i;

	(void)c;
	(void)argc;
	(void)argv;
	fputs(usage, stdout);
	fputs("\nObjects:\n", stdout);
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (subcommands[i].help)
			printf("  %-8s %s\n", subcommands[i].name,
			       subcommands[i].help);
	return EXIT_OK;
}

/* -j, -jps style flags and their long forms; false for an unknown one */
static bool options(struct ctx *c, const char *arg)
{
	static const struct {
		const char *name;
		char flag;
	} longs[] = {
		{ "-json", 'j' }, { "--json", 'j' },
		{ "-pretty", 'p' }, { "--pretty", 'p' },
		{ "-stats", 's' }, { "-statistics", 's' }, { "--stats", 's' },
		{ "--dry-run", 'n' },
	};
	char one[3] = "-";
	const char *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(longs); i++) {
		if (!strcmp(arg, longs[i].name)) {
			one[1] = longs[i].flag;
			arg = one;
			break;
		}
	}
	for (p = arg + 1; *p; p++) {
		switch (*p) {
		case 'j':
			c->json = true;
			break;
		case 'p':
			c->pretty = true;
			break;
		case 's':
			c->stats = true;
			break;
		case 'n':
			c->dry_run = true;
			break;
		default:
			return false;
		}
	}
	return p > arg + 1;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	char err[ERRLEN];
	size_t i;
	int ret;

	c.now = time(NULL);
	argc--;
	argv++;
	while (argc && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help") ||
		    !strcmp(argv[0], "-help"))
			return cmd_help(&c, 0, NULL);
		if (!strcmp(argv[0], "-V") || !strcmp(argv[0], "--version")) {
			printf(PROG " for " NFIPSEC_GENL_NAME
			       " generic netlink version %d\n",
			       NFIPSEC_GENL_VERSION);
			return EXIT_OK;
		}
		if (!strcmp(argv[0], "--selftest-print")) {
			/* hidden: answer requests from a canned fixture */
			if (argc < 2) {
				fprintf(stderr, PROG ": missing argument after \"%s\"\n",
					argv[0]);
				return EXIT_USAGE;
			}
			c.fixture = argv[1];
			argc -= 2;
			argv += 2;
			continue;
		}
		if (!options(&c, argv[0])) {
			fprintf(stderr, PROG ": unknown option \"%s\"\n", argv[0]);
			return EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (!argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (c.fixture && fixture_load(c.fixture, &c.canned, &c.now, err)) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[0], subcommands[i].name))
			continue;
		ret = subcommands[i].fn(&c, argc - 1, argv + 1);
		nl_close(c.nl);
		msgs_free(&c.canned);
		return ret;
	}
	fprintf(stderr, PROG ": unknown object \"%s\", try \"" PROG " help\"\n",
		argv[0]);
	return EXIT_USAGE;
}
