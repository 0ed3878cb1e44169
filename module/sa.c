// SPDX-License-Identifier: GPL-2.0
/*
 * The SA object: crypto setup, counters, lifetimes, teardown.
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "esp.h"
#include "sa.h"
#include "main.h"

static void nfipsec_sa_free_work(struct work_struct *work)
{
	struct nfipsec_sa *sa = container_of(to_rcu_work(work),
					     struct nfipsec_sa, free_work);

	dst_cache_destroy(&sa->dst_cache);
	nfipsec_sa_crypto_free(sa);
	nfipsec_replay_free(&sa->replay);
	free_percpu(sa->pcpu);
	kfree_sensitive(sa);
}

void nfipsec_sa_put(struct nfipsec_sa *sa)
{
	if (sa && refcount_dec_and_test(&sa->ref))
		queue_rcu_work(nfipsec_wq, &sa->free_work);
}

/*
 * A time limit in jiffies since the add; U64_MAX for none: 0, and times
 * whose jiffies do not fit 64 bits (over 584 million years at HZ=1000),
 * which never come.
 */
static u64 nfipsec_life_jiffies(u64 secs)
{
	if (!secs || secs > U64_MAX / HZ)
		return U64_MAX;
	return secs * HZ;
}

/* Jiffies from @age until the next time limit is due; U64_MAX: none. */
static u64 nfipsec_sa_next_expiry(const struct nfipsec_sa *sa, u64 age)
{
	u64 soft = nfipsec_life_jiffies(sa->lft.secs[0]);
	u64 hard = nfipsec_life_jiffies(sa->lft.secs[1]);
	u64 next = U64_MAX;

	lockdep_assert_held(&sa->lock);
	if (soft != U64_MAX && !sa->soft_done)
		next = soft > age ? soft - age : 0;
	if (hard != U64_MAX)
		next = min(next, hard > age ? hard - age : 0);
	return next;
}

/*
 * Queue the expiry work @delay jiffies ahead, with a reference of its own.
 * Never for a dead SA: nfipsec_sad_unlink() marks it dead under the lock
 * before it cancels the work, so a work item that runs meanwhile cannot
 * queue itself again for an unlinked SA. Long delays are served in steps.
 */
static void nfipsec_sa_queue_expiry(struct nfipsec_sa *sa, u64 delay)
{
	lockdep_assert_held(&sa->lock);
	if (delay == U64_MAX || sa->state == NFIPSEC_SA_STATE_DEAD ||
	    !nfipsec_sa_get(sa))
		return;
	if (!queue_delayed_work(nfipsec_wq, &sa->expire_work,
				min_t(u64, delay, MAX_JIFFY_OFFSET)))
		nfipsec_sa_put(sa);	/* already queued, with a reference */
}

/* Time limits: soft marks the SA, hard removes it. */
static void nfipsec_sa_expire_work(struct work_struct *work)
{
	struct nfipsec_sa *sa = container_of(to_delayed_work(work),
					     struct nfipsec_sa, expire_work);
	struct nfipsec_net *nn = sa->nn;
	u64 age = get_jiffies_64() - sa->add_jiffies;
	bool dead;

	spin_lock_bh(&sa->lock);
	if (age >= nfipsec_life_jiffies(sa->lft.secs[1]))
		WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_DEAD);
	dead = sa->state == NFIPSEC_SA_STATE_DEAD;
	if (!dead && !sa->soft_done &&
	    age >= nfipsec_life_jiffies(sa->lft.secs[0])) {
		sa->soft_done = true;
		WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_SOFT_EXPIRED);
	}
	if (!dead)
		nfipsec_sa_queue_expiry(sa, nfipsec_sa_next_expiry(sa, age));
	spin_unlock_bh(&sa->lock);

	/* nn outlives every linked SA: its exit unlinks all, then flushes us. */
	if (dead && READ_ONCE(sa->linked)) {
		mutex_lock(&nn->lock);
		if (sa->linked)
			nfipsec_sad_unlink(nn, sa);
		mutex_unlock(&nn->lock);
	}
	nfipsec_sa_put(sa);	/* the reference the queued work held */
}

/* Stop using the SA at once and have it removed from the tables. */
void nfipsec_sa_kill(struct nfipsec_sa *sa)
{
	WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_DEAD);
	if (!nfipsec_sa_get(sa))
		return;
	/* Pull a pending time limit forward; it then unlinks the SA. */
	if (!mod_delayed_work(nfipsec_wq, &sa->expire_work, 0))
		return;	/* was pending: it already holds a reference */
	nfipsec_sa_put(sa);
}

/*
 * Start the time limits of a linked SA, counted from its add time (which
 * an update inherits). Caller holds nn->lock.
 */
void nfipsec_sa_arm_expiry(struct nfipsec_sa *sa)
{
	u64 age = get_jiffies_64() - sa->add_jiffies;

	spin_lock_bh(&sa->lock);
	nfipsec_sa_queue_expiry(sa, nfipsec_sa_next_expiry(sa, age));
	spin_unlock_bh(&sa->lock);
}

struct nfipsec_sa *nfipsec_sa_create(struct nfipsec_net *nn,
				     const struct nfipsec_sa_cfg *cfg,
				     struct netlink_ext_ack *extack)
{
	struct nfipsec_sa *sa;
	int err;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	refcount_set(&sa->ref, 1);
	spin_lock_init(&sa->lock);
	nfipsec_txorder_init(&sa->txorder, nfipsec_output_resume);
	INIT_RCU_WORK(&sa->free_work, nfipsec_sa_free_work);
	INIT_DELAYED_WORK(&sa->expire_work, nfipsec_sa_expire_work);
	sa->nn = nn;
	sa->id = cfg->id;
	sa->tid.family = cfg->id.family;
	sa->tid.proto = cfg->id.proto;
	sa->tid.mode = cfg->mode;
	sa->tid.reqid = cfg->reqid;
	sa->tid.saddr = cfg->saddr;
	sa->tid.daddr = cfg->id.daddr;
	sa->sel = cfg->sel;
	sa->has_sel = cfg->has_sel;
	sa->mode = cfg->mode;
	sa->df = cfg->df;
	sa->flags = cfg->flags;
	sa->lft = cfg->lft;
	sa->is_aead = cfg->is_aead;
	sa->add_time = ktime_get_real_seconds();
	sa->add_jiffies = get_jiffies_64();

	err = dst_cache_init(&sa->dst_cache, GFP_KERNEL);
	if (err)
		goto err_free;
	sa->pcpu = netdev_alloc_pcpu_stats(struct nfipsec_sa_pcpu);
	if (!sa->pcpu) {
		err = -ENOMEM;
		goto err_dst;
	}
	err = nfipsec_replay_init(&sa->replay, cfg->replay_window, GFP_KERNEL);
	if (err)
		goto err_pcpu;
	err = nfipsec_sa_crypto_init(sa, cfg, extack);
	if (err)
		goto err_crypto;

	sa->ivlen = crypto_aead_ivsize(sa->aead);
	sa->icvlen = crypto_aead_authsize(sa->aead);
	sa->blksize = ALIGN(crypto_aead_blocksize(sa->aead), 4);
	sa->header_len = sizeof(struct ip_esp_hdr) + sa->ivlen;
	if (sa->mode == NFIPSEC_MODE_TUNNEL)
		sa->header_len += sizeof(struct iphdr);
	return sa;

err_crypto:
	nfipsec_sa_crypto_free(sa);
	nfipsec_replay_free(&sa->replay);
err_pcpu:
	free_percpu(sa->pcpu);
err_dst:
	dst_cache_destroy(&sa->dst_cache);
err_free:
	kfree_sensitive(sa);
	return ERR_PTR(err);
}

void nfipsec_sa_error(struct nfipsec_sa *sa, enum nfipsec_drop reason)
{
	atomic64_inc(&sa->errors[reason]);
	nfipsec_drop_count(sa->nn, reason);
}

void nfipsec_sa_stats_read(struct nfipsec_sa *sa, struct nfipsec_sa_pcpu *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct nfipsec_sa_pcpu *p = per_cpu_ptr(sa->pcpu, cpu);
		u64 ip, ib, op, ob;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			ip = p->in_packets;
			ib = p->in_bytes;
			op = p->out_packets;
			ob = p->out_bytes;
		} while (u64_stats_fetch_retry(&p->syncp, start));
		sum->in_packets += ip;
		sum->in_bytes += ib;
		sum->out_packets += op;
		sum->out_bytes += ob;
	}
}

/*
 * Count one packet of @bytes (inner length) through the SA. Returns false
 * when a hard limit is reached: the SA is then dead and the packet dropped.
 */
bool nfipsec_sa_account(struct nfipsec_sa *sa, unsigned int bytes, bool out)
{
	struct nfipsec_sa_pcpu *p = this_cpu_ptr(sa->pcpu);
	const struct nfipsec_lifetime *l = &sa->lft;
	u64 b, n;

	WRITE_ONCE(sa->use_jiffies, get_jiffies_64());
	if (l->bytes[0] || l->bytes[1] || l->packets[0] || l->packets[1]) {
		b = atomic64_add_return(bytes, &sa->life_bytes);
		n = atomic64_inc_return(&sa->life_packets);
		if ((l->bytes[1] && b > l->bytes[1]) ||
		    (l->packets[1] && n > l->packets[1])) {
			nfipsec_sa_kill(sa);
			nfipsec_sa_error(sa, NFIPSEC_DROP_EXPIRED);
			return false;
		}
		if (((l->bytes[0] && b >= l->bytes[0]) ||
		     (l->packets[0] && n >= l->packets[0])) &&
		    READ_ONCE(sa->state) == NFIPSEC_SA_STATE_VALID) {
			spin_lock_bh(&sa->lock);
			if (sa->state == NFIPSEC_SA_STATE_VALID) {
				sa->soft_done = true;
				WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_SOFT_EXPIRED);
			}
			spin_unlock_bh(&sa->lock);
		}
	}
	u64_stats_update_begin(&p->syncp);
	if (out) {
		p->out_packets++;
		p->out_bytes += bytes;
	} else {
		p->in_packets++;
		p->in_bytes += bytes;
	}
	u64_stats_update_end(&p->syncp);
	return true;
}

/* The largest inner packet that fits @mtu once encapsulated (esp4's rule). */
u32 nfipsec_sa_mtu(const struct nfipsec_sa *sa, u32 mtu)
{
	u32 net_adj = sa->mode == NFIPSEC_MODE_TRANSPORT ?
		      sizeof(struct iphdr) : 0;
	u32 room = sa->header_len + sa->icvlen + net_adj;

	if (mtu <= room + sa->blksize)
		return 0;
	return ((mtu - room) & ~(sa->blksize - 1)) + net_adj - 2;
}

/*
 * An update replaces the SA object, not the SA: keep its history (counters,
 * lifetime use, times, path MTU). @sa is not published yet; @old is left
 * as it is.
 */
void nfipsec_sa_inherit(struct nfipsec_sa *sa, struct nfipsec_sa *old)
{
	struct nfipsec_sa_pcpu sum, *p;
	int i;

	nfipsec_sa_stats_read(old, &sum);
	p = per_cpu_ptr(sa->pcpu, raw_smp_processor_id());
	p->in_packets = sum.in_packets;
	p->in_bytes = sum.in_bytes;
	p->out_packets = sum.out_packets;
	p->out_bytes = sum.out_bytes;
	for (i = 0; i < __NFIPSEC_DROP_MAX; i++)
		atomic64_set(&sa->errors[i], atomic64_read(&old->errors[i]));
	atomic64_set(&sa->life_bytes, atomic64_read(&old->life_bytes));
	atomic64_set(&sa->life_packets, atomic64_read(&old->life_packets));
	sa->add_time = old->add_time;
	sa->add_jiffies = old->add_jiffies;
	sa->use_jiffies = READ_ONCE(old->use_jiffies);
	sa->pmtu = READ_ONCE(old->pmtu);
	spin_lock_bh(&old->lock);
	sa->pmtu_learned = old->pmtu_learned;
	sa->pmtu_expires = old->pmtu_expires;
	spin_unlock_bh(&old->lock);
	atomic64_set(&sa->pmtu_updates, atomic64_read(&old->pmtu_updates));
}

/*
 * The last step of an update, which cannot fail: @old dies and @sa, linked
 * but dead (unused) until now, goes live with @old's sequence numbers and
 * replay window, all under both SAs' locks. A packet that passed @old's
 * replay check before and completes after is refused by @old's moved
 * window (nfipsec_replay_move()), so no sequence number is accepted twice
 * across the update, whatever the windows' sizes. Caller holds nn->lock.
 */
void nfipsec_sa_takeover(struct nfipsec_sa *sa, struct nfipsec_sa *old)
{
	spin_lock_bh(&old->lock);
	spin_lock_nested(&sa->lock, SINGLE_DEPTH_NESTING);
	WRITE_ONCE(old->state, NFIPSEC_SA_STATE_DEAD);
	smp_mb();	/* pairs with the atomic increment of oseq on output */
	atomic64_set(&sa->oseq, atomic64_read(&old->oseq));
	nfipsec_replay_move(&sa->replay, &old->replay);
	/* Output finds @sa once it is live; its oseq increment orders. */
	smp_wmb();
	WRITE_ONCE(sa->state, NFIPSEC_SA_STATE_VALID);
	spin_unlock(&sa->lock);
	spin_unlock_bh(&old->lock);
}
