// SPDX-License-Identifier: GPL-2.0
/*
 * The SA database of a namespace: two resizable RCU hash tables (by SPI for
 * inbound packets, by template for outbound policies) and a list for dumps.
 * Writers hold nn->lock; readers hold RCU and take no reference unless they
 * keep the SA past their read-side section.
 */
#include <linux/inetdevice.h>
#include <linux/rculist.h>

#include "sa.h"

static const struct rhashtable_params nfipsec_sad_id_params = {
	.key_len = sizeof(struct nfipsec_sa_id),
	.key_offset = offsetof(struct nfipsec_sa, id),
	.head_offset = offsetof(struct nfipsec_sa, id_node),
	.hashfn = nfipsec_hash,
	.automatic_shrinking = true,
};

static const struct rhashtable_params nfipsec_sad_tmpl_params = {
	.key_len = sizeof(struct nfipsec_sa_tid),
	.key_offset = offsetof(struct nfipsec_sa, tid),
	.head_offset = offsetof(struct nfipsec_sa, tmpl_node),
	.hashfn = nfipsec_hash,
	.automatic_shrinking = true,
};

int nfipsec_sad_init(struct nfipsec_sad *sad)
{
	int err;

	INIT_LIST_HEAD(&sad->list);
	sad->count = 0;
	err = rhashtable_init(&sad->by_id, &nfipsec_sad_id_params);
	if (err)
		return err;
	err = rhltable_init(&sad->by_tmpl, &nfipsec_sad_tmpl_params);
	if (err)
		rhashtable_destroy(&sad->by_id);
	return err;
}

void nfipsec_sad_destroy(struct nfipsec_net *nn)
{
	mutex_lock(&nn->lock);
	nfipsec_sad_flush(nn);
	mutex_unlock(&nn->lock);
	rhltable_destroy(&nn->sad.by_tmpl);
	rhashtable_destroy(&nn->sad.by_id);
}

/*
 * Link @sa; with @old (found under the same lock), replace it: an update.
 * The table takes over the caller's reference. The steps that can fail
 * come first, while @sa is dead (no lookup uses it) and @old serves as
 * before: on an error nothing changed. Then @sa takes over from @old
 * (nfipsec_sa_takeover(), which cannot fail) and @old is unlinked.
 */
int nfipsec_sad_insert(struct nfipsec_net *nn, struct nfipsec_sa *sa,
		       struct nfipsec_sa *old, struct netlink_ext_ack *extack)
{
	struct nfipsec_sad *sad = &nn->sad;
	int err;

	lockdep_assert_held(&nn->lock);
	if (old)
		WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_DEAD);
	err = rhltable_insert(&sad->by_tmpl, &sa->tmpl_node,
			      nfipsec_sad_tmpl_params);
	if (err)
		goto err;
	if (old)
		err = rhashtable_replace_fast(&sad->by_id, &old->id_node,
					      &sa->id_node,
					      nfipsec_sad_id_params);
	else
		err = rhashtable_lookup_insert_fast(&sad->by_id, &sa->id_node,
						    nfipsec_sad_id_params);
	if (err) {
		rhltable_remove(&sad->by_tmpl, &sa->tmpl_node,
				nfipsec_sad_tmpl_params);
		goto err;
	}
	if (old) {
		nfipsec_sa_takeover(sa, old);
		/* Out of by_id already: finish the unlink by hand. */
		rhltable_remove(&sad->by_tmpl, &old->tmpl_node,
				nfipsec_sad_tmpl_params);
		list_replace_rcu(&old->list, &sa->list);
		WRITE_ONCE(old->linked, false);
		if (cancel_delayed_work(&old->expire_work))
			nfipsec_sa_put(old);
		nfipsec_sa_put(old);
	} else {
		list_add_tail_rcu(&sa->list, &sad->list);
		sad->count++;
	}
	WRITE_ONCE(sa->linked, true);
	nfipsec_changed(nn);
	return 0;
err:
	if (err == -EEXIST)
		NL_SET_ERR_MSG_MOD(extack, "SA exists");
	else
		NL_SET_ERR_MSG_MOD(extack, "cannot grow the SA table");
	return err;
}

void nfipsec_sad_unlink(struct nfipsec_net *nn, struct nfipsec_sa *sa)
{
	struct nfipsec_sad *sad = &nn->sad;

	lockdep_assert_held(&nn->lock);
	if (!sa->linked)
		return;
	/* Under the SA lock: its expiry work then queues itself no more. */
	spin_lock_bh(&sa->lock);
	WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_DEAD);
	spin_unlock_bh(&sa->lock);
	rhashtable_remove_fast(&sad->by_id, &sa->id_node,
			       nfipsec_sad_id_params);
	rhltable_remove(&sad->by_tmpl, &sa->tmpl_node,
			nfipsec_sad_tmpl_params);
	list_del_rcu(&sa->list);
	sad->count--;
	WRITE_ONCE(sa->linked, false);
	nfipsec_changed(nn);
	if (cancel_delayed_work(&sa->expire_work))
		nfipsec_sa_put(sa);
	nfipsec_sa_put(sa);	/* the table's reference */
}

void nfipsec_sad_flush(struct nfipsec_net *nn)
{
	struct nfipsec_sa *sa, *tmp;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry_safe(sa, tmp, &nn->sad.list, list) {
		nfipsec_sad_unlink(nn, sa);
		cond_resched();
	}
}

/* Under nn->lock. */
struct nfipsec_sa *nfipsec_sad_find(struct nfipsec_net *nn,
				    const struct nfipsec_sa_id *id)
{
	lockdep_assert_held(&nn->lock);
	return rhashtable_lookup_fast(&nn->sad.by_id, id, nfipsec_sad_id_params);
}

struct nfipsec_sa *nfipsec_sad_lookup(struct nfipsec_net *nn,
				      const struct nfipsec_sa_id *id)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "nfipsec SAD lookup without RCU");
	return rhashtable_lookup(&nn->sad.by_id, id, nfipsec_sad_id_params);
}

static bool nfipsec_prefix_match(const union nfipsec_addr *a,
				 const union nfipsec_addr *b, u16 family,
				 u8 plen)
{
	if (family == AF_INET)
		return !plen || !((a->a4 ^ b->a4) & inet_make_mask(plen));
	return ipv6_prefix_equal(&a->a6, &b->a6, plen);
}

bool nfipsec_sel_match(const struct nfipsec_sel *sel,
		       const struct nfipsec_flow *flow)
{
	if (sel->family && sel->family != flow->family)
		return false;
	if (!nfipsec_prefix_match(&sel->src, &flow->src, flow->family,
				  sel->src_plen) ||
	    !nfipsec_prefix_match(&sel->dst, &flow->dst, flow->family,
				  sel->dst_plen))
		return false;
	if (sel->proto && sel->proto != flow->proto)
		return false;
	if (sel->sport && sel->sport != flow->sport)
		return false;
	return !sel->dport || sel->dport == flow->dport;
}

/*
 * The SA an outbound protect policy uses: a live one whose selector takes
 * the flow; the newest of those not yet soft expired, else the newest.
 */
struct nfipsec_sa *nfipsec_sad_lookup_out(struct nfipsec_net *nn,
					  const struct nfipsec_sa_tid *tid,
					  const struct nfipsec_flow *flow)
{
	struct nfipsec_sa *sa, *best = NULL;
	struct rhlist_head *list, *pos;
	u8 state, best_state = 0;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "nfipsec SAD lookup without RCU");
	list = rhltable_lookup(&nn->sad.by_tmpl, tid, nfipsec_sad_tmpl_params);
	rhl_for_each_entry_rcu(sa, pos, list, tmpl_node) {
		state = READ_ONCE(sa->state);
		if (state == NFIPSEC_SA_STATE_DEAD)
			continue;
		if (sa->has_sel && !nfipsec_sel_match(&sa->sel, flow))
			continue;
		if (!best || state < best_state ||
		    (state == best_state &&
		     time_after64(sa->add_jiffies, best->add_jiffies))) {
			best = sa;
			best_state = state;
		}
	}
	return best;
}
