// SPDX-License-Identifier: GPL-2.0
/*
 * The policy database of a namespace. A hash table keyed by (direction,
 * selector) serves configuration; per direction, an RCU list ordered by
 * priority (lower first, older first among equals) serves packets: the
 * first policy whose selector takes the packet decides.
 */
#include <linux/rculist.h>
#include <linux/slab.h>

#include "sa.h"
#include "spd.h"

static const struct rhashtable_params nfipsec_spd_params = {
	.key_len = sizeof(struct nfipsec_pol_key),
	.key_offset = offsetof(struct nfipsec_policy, key),
	.head_offset = offsetof(struct nfipsec_policy, node),
	.hashfn = nfipsec_hash,
	.automatic_shrinking = true,
};

int nfipsec_spd_init(struct nfipsec_spd *spd)
{
	int i;

	for (i = 0; i < __NFIPSEC_DIR_MAX; i++) {
		INIT_LIST_HEAD(&spd->dir[i]);
		spd->count[i] = 0;
	}
	spd->next_index = 1;
	return rhashtable_init(&spd->by_sel, &nfipsec_spd_params);
}

void nfipsec_spd_destroy(struct nfipsec_net *nn)
{
	mutex_lock(&nn->lock);
	nfipsec_spd_flush(nn);
	mutex_unlock(&nn->lock);
	rhashtable_destroy(&nn->spd.by_sel);
}

struct nfipsec_policy *nfipsec_policy_alloc(void)
{
	struct nfipsec_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL);

	if (!pol)
		return NULL;
	pol->hits = alloc_percpu(u64);
	if (!pol->hits) {
		kfree(pol);
		return NULL;
	}
	return pol;
}

void nfipsec_policy_free(struct nfipsec_policy *pol)
{
	free_percpu(pol->hits);
	kfree(pol);
}

static void nfipsec_policy_free_rcu(struct rcu_head *rcu)
{
	nfipsec_policy_free(container_of(rcu, struct nfipsec_policy, rcu));
}

u64 nfipsec_policy_hits(const struct nfipsec_policy *pol)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(pol->hits, cpu));
	return sum;
}

/* Link @pol; with @old, replace it without a moment where neither acts. */
int nfipsec_spd_insert(struct nfipsec_net *nn, struct nfipsec_policy *pol,
		       struct nfipsec_policy *old)
{
	struct nfipsec_spd *spd = &nn->spd;
	struct list_head *head = &spd->dir[pol->key.dir];
	struct nfipsec_policy *pos;
	int err;

	lockdep_assert_held(&nn->lock);
	if (old)
		err = rhashtable_replace_fast(&spd->by_sel, &old->node,
					      &pol->node, nfipsec_spd_params);
	else
		err = rhashtable_lookup_insert_fast(&spd->by_sel, &pol->node,
						    nfipsec_spd_params);
	if (err)
		return err;
	pol->index = old ? old->index : spd->next_index++;
	list_for_each_entry(pos, head, list)
		if (pos->priority > pol->priority)
			break;
	list_add_tail_rcu(&pol->list, &pos->list);
	if (old) {
		/*
		 * Moved ahead of the old one: a reader between the two
		 * positions would miss both. Let such readers finish first.
		 */
		if (pol->priority < old->priority)
			synchronize_rcu();
		list_del_rcu(&old->list);
		call_rcu(&old->rcu, nfipsec_policy_free_rcu);
	} else {
		spd->count[pol->key.dir]++;
	}
	nfipsec_changed(nn);
	return 0;
}

struct nfipsec_policy *nfipsec_spd_find(struct nfipsec_net *nn,
					const struct nfipsec_pol_key *key)
{
	lockdep_assert_held(&nn->lock);
	return rhashtable_lookup_fast(&nn->spd.by_sel, key, nfipsec_spd_params);
}

struct nfipsec_policy *nfipsec_spd_find_index(struct nfipsec_net *nn,
					      u32 index)
{
	struct nfipsec_policy *pol;
	int dir;

	lockdep_assert_held(&nn->lock);
	for (dir = 0; dir < __NFIPSEC_DIR_MAX; dir++)
		list_for_each_entry(pol, &nn->spd.dir[dir], list)
			if (pol->index == index)
				return pol;
	return NULL;
}

void nfipsec_spd_unlink(struct nfipsec_net *nn, struct nfipsec_policy *pol)
{
	lockdep_assert_held(&nn->lock);
	rhashtable_remove_fast(&nn->spd.by_sel, &pol->node, nfipsec_spd_params);
	list_del_rcu(&pol->list);
	nn->spd.count[pol->key.dir]--;
	nfipsec_changed(nn);
	call_rcu(&pol->rcu, nfipsec_policy_free_rcu);
}

void nfipsec_spd_flush(struct nfipsec_net *nn)
{
	struct nfipsec_policy *pol, *tmp;
	int dir;

	lockdep_assert_held(&nn->lock);
	for (dir = 0; dir < __NFIPSEC_DIR_MAX; dir++)
		list_for_each_entry_safe(pol, tmp, &nn->spd.dir[dir], list)
			nfipsec_spd_unlink(nn, pol);
}

struct nfipsec_policy *nfipsec_spd_lookup(struct nfipsec_net *nn, u8 dir,
					  const struct nfipsec_flow *flow)
{
	struct nfipsec_policy *pol;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "nfipsec SPD lookup without RCU");
	list_for_each_entry_rcu(pol, &nn->spd.dir[dir], list) {
		if (nfipsec_sel_match(&pol->key.sel, flow)) {
			this_cpu_inc(*pol->hits);
			return pol;
		}
	}
	return NULL;
}

/* Inbound check (RFC 4301 5.2): does the template name this SA? */
bool nfipsec_tmpl_takes_sa(const struct nfipsec_tmpl *t,
			   const struct nfipsec_sa *sa)
{
	if (t->proto != sa->id.proto || t->mode != sa->mode)
		return false;
	if (t->reqid && t->reqid != sa->tid.reqid)
		return false;
	if (sa->mode != NFIPSEC_MODE_TUNNEL)
		return true;
	if (memcmp(&t->daddr, &sa->id.daddr, sizeof(t->daddr)))
		return false;
	return ipv6_addr_any(&t->saddr.a6) ||
	       !memcmp(&t->saddr, &sa->tid.saddr, sizeof(t->saddr));
}
