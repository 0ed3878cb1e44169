/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecctl: shared types. The parser fills these from the command line,
 * the reply parser fills them from kernel messages, and the printers only
 * ever read them, so every stage can be tested without a kernel.
 */
#ifndef IPSECCTL_H
#define IPSECCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "../../uapi/linux/nfipsec.h"

#define PROG "ipsecctl"

/* exit codes */
#define EXIT_OK		0
#define EXIT_SYS	1
#define EXIT_USAGE	2

#define BIT(n)		(1U << (n))
#define HAS(obj, a)	(!!((obj).has & BIT(a)))
#define SET(obj, a)	((obj).has |= BIT(a))
#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))

#define NFIPSEC_DROP_COUNT	(NFIPSEC_DROP_MAX + 1)
#define REPLAY_WORDS_MAX	(NFIPSEC_REPLAY_WINDOW_MAX / 32)

/* An address of any family: family + 16 bytes (AF_INET uses 4). */
struct addr {
	uint16_t family;
	uint8_t a[16];
};

struct sel {
	uint32_t has;			/* BIT(NFIPSEC_SEL_A_*) */
	uint16_t family;
	struct addr src, dst;
	uint8_t splen, dplen, proto;
	uint16_t sport, dport;
};

struct alg {
	uint32_t has;			/* BIT(NFIPSEC_ALG_A_*), 0: absent */
	char name[NFIPSEC_ALG_NAME_MAX];
	uint8_t key[NFIPSEC_KEY_MAX];
	uint32_t key_len;		/* bytes */
	uint32_t icv_bits, trunc_bits, key_bits;
};

struct life {
	uint32_t has;			/* BIT(NFIPSEC_LIFE_A_*) */
	uint64_t v[NFIPSEC_LIFE_A_MAX + 1];
};

/* per SA counters (NFIPSEC_SA_A_STATS), and per namespace drops */
struct counters {
	uint32_t has;			/* BIT(NFIPSEC_SA_STATS_A_*) */
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	uint64_t pmtu_updates;
	uint32_t err_has;		/* BIT(enum nfipsec_drop) */
	uint64_t err[NFIPSEC_DROP_COUNT];
};

struct replay {
	uint32_t has;			/* BIT(NFIPSEC_REPLAY_A_*) */
	uint32_t window;
	uint64_t top;
	uint32_t nwords;
	uint32_t bitmap[REPLAY_WORDS_MAX];	/* word 0: bits TOP..TOP-31 */
};

struct sa {
	uint32_t has;			/* BIT(NFIPSEC_SA_A_*) */
	uint16_t family;
	struct addr src, dst;
	uint8_t proto;
	uint32_t spi;			/* host order */
	uint32_t reqid;
	uint8_t mode;
	uint32_t flags;
	uint32_t replay_window;
	uint8_t df;
	struct alg aead, enc, auth;
	struct sel sel;
	struct life life, cur;
	struct counters st;
	struct replay rp;
	uint64_t oseq;
	uint8_t state;
	uint32_t overhead, pmtu;
};

struct tmpl {
	uint32_t has;			/* BIT(NFIPSEC_TMPL_A_*) */
	uint16_t family;
	struct addr src, dst;
	uint8_t proto;
	uint32_t reqid;
	uint8_t mode;
};

struct policy {
	uint32_t has;			/* BIT(NFIPSEC_POL_A_*) */
	uint8_t dir;
	struct sel sel;
	uint8_t action;
	uint32_t priority, index;
	uint32_t flags;			/* NFIPSEC_POL_F_* */
	struct tmpl tmpl;
	uint64_t hits;
};

struct nsstats {
	uint32_t info_has;		/* BIT(NFIPSEC_INFO_A_*) */
	uint32_t sa_count, pol_count;
	bool has_drops;
	struct counters drops;		/* only err/err_has used */
};

/* a list of received (or canned) netlink messages */
struct msgs {
	struct nlmsghdr **v;
	size_t n;
};

struct nl;

/* options and context of one invocation */
struct ctx {
	bool json, pretty, stats, dry_run;
	const char *fixture;		/* --selftest-print FILE */
	struct msgs canned;		/* messages loaded from the fixture */
	time_t now;
	struct nl *nl;
};

/* reasons.c */
extern const char *const drop_reason[NFIPSEC_DROP_COUNT];

/* transact.c: send one request (or print it with -n, or answer it from the
 * fixture); replies go to *out (may be NULL). Returns 0 or an exit code. */
int ctx_transact(struct ctx *c, struct nlmsghdr *req, struct msgs *out);
void msgs_free(struct msgs *m);
int msgs_add(struct msgs *m, const struct nlmsghdr *nlh);
struct nlmsghdr *req_start(char *buf, uint8_t cmd, uint16_t flags);

/*
 * ctx_walk: send req and call fn on every reply until fn returns non-zero
 * (fn NULL: the replies are not read). Returns 0 or an exit code.
 */
int ctx_walk(struct ctx *c, struct nlmsghdr *req,
	     int (*fn)(const struct nlmsghdr *nlh, void *arg), void *arg);
uint8_t msg_cmd(const struct nlmsghdr *nlh);

/* commands */
int cmd_sa(struct ctx *c, int argc, char **argv);
int cmd_policy(struct ctx *c, int argc, char **argv);
int cmd_stats(struct ctx *c, int argc, char **argv);
int cmd_show(struct ctx *c, int argc, char **argv);

/* obj.c: "ipsecctl: MESSAGE" on stderr, returns EXIT_USAGE */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* a command without arguments but help: an exit code, or -1 to go on */
int help_only(int argc, char **argv, const char *help);

enum op {
	OP_ADD,		/* add, update: a full object */
	OP_KEY,		/* del, get: only what identifies it */
};

/* a kind of object the kernel keeps a table of: SAs, policies */
struct json;
struct objtype {
	const char *name;		/* of its command */
	const char *help;
	uint8_t new, update, del;	/* its commands */
	uint8_t get;			/* also dumps with NLM_F_DUMP */
	size_t size;			/* of one object */
	/* parse argv and send the request cmd */
	int (*modify)(struct ctx *c, uint8_t cmd, enum op op, int argc,
		      char **argv);
	/* 0 if nlh carries one: then it is read into obj */
	int (*from_msg)(const struct nlmsghdr *nlh, void *obj);
	void (*print)(FILE *f, const void *obj, bool stats);
	void (*json)(struct json *j, const void *obj);
};

extern const struct objtype sa_type, pol_type;

/* objects from kernel replies, v allocated (free() it) */
struct objs {
	void *v;
	size_t n;
	size_t cap;	/* room in v, in objects */
};

/* every object of the table (a dump) */
int obj_fetch(struct ctx *c, const struct objtype *t, struct objs *o);
/* send req; if it is a get, print the objects it gets (obj: room for one) */
int obj_request(struct ctx *c, const struct objtype *t,
		struct nlmsghdr *req, void *obj);
/* dump and print the table */
int obj_list(struct ctx *c, const struct objtype *t, bool stats);
/* add, update, del (delete), get, help; or else the unknown command */
int obj_cmd(struct ctx *c, const struct objtype *t, const char *sub,
	    int argc, char **argv);
void obj_json_array(struct json *j, const char *key, const struct objtype *t,
		    const struct objs *o);

int stats_fetch(struct ctx *c, struct nsstats *st);
void stats_json(struct json *j, const char *key, const struct nsstats *st);
/* every drop reason as a JSON object, 0 for the ones not sent */
void json_reasons(struct json *j, const char *key, const struct counters *c);

/* printers of what SAs and policies share */
/* prefix text of a selector side: "10.0.0.0/24" */
const char *sel_side(const struct sel *sel, bool src, char *buf);
/* "src PREFIX dst PREFIX [ proto P ] [ sport N ] [ dport N ] " */
void print_sel(FILE *f, const struct sel *sel);
/* the keys of a selector, in the current object */
void json_sel(struct json *j, const struct sel *sel);
/* "KW NAME " or "KW NUMBER " */
void print_enum(FILE *f, const char *kw, const char *const *names, size_t n,
		unsigned int v);
void json_enum(struct json *j, const char *key, const char *const *names,
	       size_t n, unsigned int v);
/* "proto": "esp" or a number */
void json_proto(struct json *j, uint8_t proto);
#endif
