// SPDX-License-Identifier: GPL-2.0
/*
 * nfipsec: module and namespace setup and teardown only.
 */
#include <linux/module.h>
#include <linux/wait_bit.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "esp.h"
#include "main.h"
#include "netlink.h"
#include "reinject.h"
#include "sa.h"
#include "spd.h"

struct workqueue_struct *nfipsec_wq __read_mostly;
static unsigned int nfipsec_net_id __read_mostly;
void nfipsec_inflight_get(struct nfipsec_net *nn)
{
	atomic_inc(&nn->inflight);
}

/* The last access to @nn: its exit may free it as soon as this is 0. */
void nfipsec_inflight_put(struct nfipsec_net *nn)
{
	if (atomic_dec_and_test(&nn->inflight))
		wake_up_var(&nn->inflight);
}

struct nfipsec_net *nfipsec_pernet(const struct net *net)
{
	return net_generic(net, nfipsec_net_id);
}

/* Called from process context and softirq alike: keep softirqs off. */
void nfipsec_drop_count(struct nfipsec_net *nn, enum nfipsec_drop reason)
{
	struct nfipsec_drops *d;

	local_bh_disable();
	d = this_cpu_ptr(nn->drops);
	u64_stats_update_begin(&d->syncp);
	d->ctr[reason]++;
	u64_stats_update_end(&d->syncp);
	local_bh_enable();
}

void nfipsec_drops_read(struct nfipsec_net *nn, u64 *out)
{
	unsigned int start, i;
	u64 v[__NFIPSEC_DROP_MAX];
	int cpu;

	memset(out, 0, sizeof(u64) * __NFIPSEC_DROP_MAX);
	for_each_possible_cpu(cpu) {
		const struct nfipsec_drops *d = per_cpu_ptr(nn->drops, cpu);

		do {
			start = u64_stats_fetch_begin(&d->syncp);
			memcpy(v, d->ctr, sizeof(v));
		} while (u64_stats_fetch_retry(&d->syncp, start));
		for (i = 0; i < __NFIPSEC_DROP_MAX; i++)
			out[i] += v[i];
	}
}

static int __net_init nfipsec_net_init(struct net *net)
{
	struct nfipsec_net *nn = nfipsec_pernet(net);
	int err;

	nn->net = net;
	mutex_init(&nn->lock);
	nn->drops = netdev_alloc_pcpu_stats(struct nfipsec_drops);
	if (!nn->drops)
		return -ENOMEM;
	err = nfipsec_sad_init(&nn->sad);
	if (err)
		goto err_drops;
	err = nfipsec_spd_init(&nn->spd);
	if (err)
		goto err_sad;
	return 0;

err_sad:
	nfipsec_sad_destroy(nn);
err_drops:
	free_percpu(nn->drops);
	return err;
}

/*
 * Unregistering a hook does not wait for the packets running it: the core
 * lets an RCU grace period pass between pre_exit and exit, after which no
 * hook of ours runs in this namespace and every packet it took is counted
 * in nn->inflight.
 */
static void __net_exit nfipsec_net_pre_exit(struct net *net)
{
	struct nfipsec_net *nn = nfipsec_pernet(net);

	mutex_lock(&nn->lock);
	nfipsec_hooks_unregister(nn);
	mutex_unlock(&nn->lock);
}

static void __net_exit nfipsec_net_exit(struct net *net)
{
	struct nfipsec_net *nn = nfipsec_pernet(net);

	/* Packets still inside the crypto API use nn when they complete. */
	wait_var_event(&nn->inflight, !atomic_read(&nn->inflight));
	nfipsec_spd_destroy(nn);
	nfipsec_sad_destroy(nn);
	/* Expiry work may still hold nn->lock of an SA we just unlinked. */
	flush_workqueue(nfipsec_wq);
	free_percpu(nn->drops);
}

static struct pernet_operations nfipsec_net_ops = {
	.init = nfipsec_net_init,
	.pre_exit = nfipsec_net_pre_exit,
	.exit = nfipsec_net_exit,
	.id = &nfipsec_net_id,
	.size = sizeof(struct nfipsec_net),
};

static int __init nfipsec_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct nfipsec_cb) > sizeof_field(struct sk_buff, cb));
	nfipsec_hash_init();
	nfipsec_wq = alloc_workqueue("nfipsec", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!nfipsec_wq)
		return -ENOMEM;
	err = nfipsec_reinject_init();
	if (err)
		goto err_wq;
	err = register_pernet_subsys(&nfipsec_net_ops);
	if (err)
		goto err_reinject;
	err = nfipsec_genl_init();
	if (err)
		goto err_pernet;
	pr_info("IPsec datapath loaded\n");
	return 0;

err_pernet:
	unregister_pernet_subsys(&nfipsec_net_ops);
err_reinject:
	nfipsec_reinject_exit();
err_wq:
	destroy_workqueue(nfipsec_wq);
	return err;
}

static void __exit nfipsec_exit(void)
{
	nfipsec_genl_exit();
	unregister_pernet_subsys(&nfipsec_net_ops);
	nfipsec_reinject_exit();
	/* Crypto callbacks end in an RCU read section: wait them out. */
	synchronize_rcu();
	rcu_barrier();	/* policy frees, and SA frees queueing their work */
	destroy_workqueue(nfipsec_wq);
}

module_init(nfipsec_init);
module_exit(nfipsec_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec ESP datapath on netfilter hooks");
MODULE_ALIAS_GENL_FAMILY(NFIPSEC_GENL_NAME);
