// SPDX-License-Identifier: GPL-2.0
/*
 * The client table. Changes happen under wicket_net.lock, in process
 * context; the packet path only reads, under RCU, and writes its own CPU's
 * counters. A removed client is freed after a grace period, once its
 * deadline timer can no longer run.
 */

#include <linux/sizes.h>
#include <linux/slab.h>

#include "events.h"
#include "stats.h"
#include "table.h"

static struct kmem_cache *wicket_client_cache __read_mostly;
static struct kmem_cache *wicket_addr_cache __read_mostly;

int __init wicket_table_module_init(void)
{
	wicket_client_cache = KMEM_CACHE(wicket_client, SLAB_ACCOUNT);
	wicket_addr_cache = KMEM_CACHE(wicket_addr, SLAB_ACCOUNT);
	if (!wicket_client_cache || !wicket_addr_cache) {
		kmem_cache_destroy(wicket_client_cache);
		kmem_cache_destroy(wicket_addr_cache);
		return -ENOMEM;
	}
	return 0;
}

/* After rcu_barrier(): every client and address freed is gone. */
void wicket_table_module_exit(void)
{
	wicket_stats_exit();
	kmem_cache_destroy(wicket_client_cache);
	kmem_cache_destroy(wicket_addr_cache);
}

int wicket_table_init(struct wicket_net *wn)
{
	int ret;

	INIT_LIST_HEAD(&wn->client_list);
	ret = rhashtable_init(&wn->clients, &wicket_client_params);
	if (ret)
		return ret;
	ret = rhashtable_init(&wn->addrs, &wicket_addr_params);
	if (ret)
		rhashtable_destroy(&wn->clients);
	return ret;
}

void wicket_table_destroy(struct wicket_net *wn)
{
	wicket_client_flush(wn, 0);
	rhashtable_destroy(&wn->addrs);
	rhashtable_destroy(&wn->clients);
}

/* The deadline passed with no packet to notice it: close the gate now. */
static void wicket_client_timeout(struct timer_list *t)
{
	struct wicket_client *c = from_timer(c, t, timer);
	unsigned long deadline = READ_ONCE(c->deadline);

	if (!READ_ONCE(c->has_deadline))
		return;
	if (time_before(jiffies, deadline)) {
		mod_timer(&c->timer, deadline);
		return;
	}
	wicket_client_close(c, WICKET_CLOSE_DEADLINE);
}

struct wicket_client *wicket_client_alloc(struct wicket_net *wn,
					  const struct wicket_client_key *key)
{
	struct wicket_client *c;

	c = kmem_cache_zalloc(wicket_client_cache, GFP_KERNEL);
	if (!c)
		return NULL;
	c->stats = wicket_stats_alloc(&c->stats_block);
	if (!c->stats) {
		kmem_cache_free(wicket_client_cache, c);
		return NULL;
	}
	/* Heard now, by whatever CPU: its idle time starts here. */
	per_cpu_ptr(c->stats, raw_smp_processor_id())->last_seen =
		wicket_jiffies32();
	c->key = *key;
	c->state = WICKET_STATE_CAPTIVE;
	c->wn = wn;
	INIT_LIST_HEAD(&c->addrs);
	INIT_LIST_HEAD(&c->list);
	timer_setup(&c->timer, wicket_client_timeout, 0);
	return c;
}

/* Free a client that was never inserted, or whose removal is complete. */
void wicket_client_free(struct wicket_client *c)
{
	struct wicket_addr *a, *tmp;

	list_for_each_entry_safe(a, tmp, &c->addrs, list)
		wicket_addr_free(a);
	wicket_stats_free(c->stats_block, c->stats);
	kmem_cache_free(wicket_client_cache, c);
}

static void wicket_client_free_rcu(struct rcu_head *rcu)
{
	wicket_client_free(container_of(rcu, struct wicket_client, rcu));
}

int wicket_client_insert(struct wicket_net *wn, struct wicket_client *c)
{
	int ret;

	ret = rhashtable_lookup_insert_fast(&wn->clients, &c->node,
					    wicket_client_params);
	if (ret)
		return ret;
	list_add_tail(&c->list, &wn->client_list);
	wn->nclients++;
	wicket_net_changed(wn);
	return 0;
}

void wicket_client_remove(struct wicket_net *wn, struct wicket_client *c)
{
	struct wicket_addr *a, *tmp;

	list_for_each_entry_safe(a, tmp, &c->addrs, list)
		wicket_addr_remove(wn, a);
	rhashtable_remove_fast(&wn->clients, &c->node, wicket_client_params);
	list_del(&c->list);
	wn->nclients--;
	wicket_net_changed(wn);

	/* The timer re-arms itself only while there is a deadline. */
	WRITE_ONCE(c->has_deadline, false);
	timer_delete_sync(&c->timer);
	call_rcu(&c->rcu, wicket_client_free_rcu);
}

/* Remove the clients on port @ifindex, or every client when it is 0. */
void wicket_client_flush(struct wicket_net *wn, u32 ifindex)
{
	struct wicket_client *c, *tmp;

	list_for_each_entry_safe(c, tmp, &wn->client_list, list) {
		if (!ifindex || c->key.ifindex == ifindex)
			wicket_client_remove(wn, c);
		cond_resched();
	}
}

struct wicket_addr *wicket_addr_alloc(const struct in6_addr *addr)
{
	struct wicket_addr *a;

	a = kmem_cache_zalloc(wicket_addr_cache, GFP_KERNEL);
	if (!a)
		return NULL;
	a->addr = *addr;
	INIT_LIST_HEAD(&a->list);
	return a;
}

/* Bind @a to @c; -EEXIST when the address is bound already. */
int wicket_addr_insert(struct wicket_net *wn, struct wicket_client *c,
		       struct wicket_addr *a)
{
	int ret;

	a->client = c;
	ret = rhashtable_lookup_insert_fast(&wn->addrs, &a->node,
					    wicket_addr_params);
	if (ret)
		return ret;
	list_add_tail(&a->list, &c->addrs);
	c->naddrs++;
	return 0;
}

void wicket_addr_free(struct wicket_addr *a)
{
	kmem_cache_free(wicket_addr_cache, a);
}

static void wicket_addr_free_rcu(struct rcu_head *rcu)
{
	wicket_addr_free(container_of(rcu, struct wicket_addr, rcu));
}

void wicket_addr_remove(struct wicket_net *wn, struct wicket_addr *a)
{
	rhashtable_remove_fast(&wn->addrs, &a->node, wicket_addr_params);
	list_del(&a->list);
	a->client->naddrs--;
	call_rcu(&a->rcu, wicket_addr_free_rcu);
}

void wicket_client_set_deadline(struct wicket_client *c, u64 timeout_ms)
{
	unsigned long delta, deadline;

	if (!timeout_ms) {
		WRITE_ONCE(c->has_deadline, false);
		timer_delete(&c->timer);
		return;
	}
	/* Never early: round up, and clamp what jiffies can compare. */
	timeout_ms = min_t(u64, timeout_ms, (u64)U32_MAX * 1000);
	delta = min_t(u64, DIV_ROUND_UP_ULL(timeout_ms * HZ, 1000),
		      MAX_JIFFY_OFFSET);
	deadline = jiffies + delta;
	WRITE_ONCE(c->deadline, deadline);
	WRITE_ONCE(c->has_deadline, true);
	mod_timer(&c->timer, deadline);
}

void wicket_client_set_cap(struct wicket_client *c, u64 bytes)
{
	u64 chunk;

	if (!bytes) {
		WRITE_ONCE(c->has_cap, false);
		return;
	}
	/*
	 * Each CPU takes chunks from a shared pool, so the cap costs one
	 * atomic per chunk; small chunks keep what idle CPUs hold (and the
	 * last client of a cap never gets) a small share of it.
	 */
	chunk = div_u64(bytes, 16 * num_possible_cpus());
	c->cap_chunk = clamp_t(u64, chunk, 1, SZ_64K);
	atomic64_set(&c->cap_pool, min_t(u64, bytes, S64_MAX));
	/*
	 * A new generation makes every CPU drop its slice of the old cap;
	 * pairs with the smp_rmb() in wicket_cap_take().
	 */
	smp_wmb();
	WRITE_ONCE(c->cap_gen, c->cap_gen + 1);
	WRITE_ONCE(c->has_cap, true);
}

bool wicket_cap_take(struct wicket_client *c, struct wicket_stats *s,
		     unsigned int len)
{
	u32 gen = READ_ONCE(c->cap_gen);
	s64 have, want, take;

	if (unlikely(s->cap_gen != gen)) {
		s->cap_gen = gen;
		s->cap_slice = 0;
		/* Pairs with wicket_client_set_cap(): read the new pool. */
		smp_rmb();
	}
	if (likely(s->cap_slice >= len)) {
		s->cap_slice -= len;
		return true;
	}
	want = max_t(s64, len - s->cap_slice, READ_ONCE(c->cap_chunk));
	have = atomic64_read(&c->cap_pool);
	do {
		if (have <= 0)
			goto spent;
		take = min(have, want);
	} while (!atomic64_try_cmpxchg(&c->cap_pool, &have, have - take));
	s->cap_slice += take;
	if (s->cap_slice >= len) {
		s->cap_slice -= len;
		return true;
	}
spent:
	wicket_client_close(c, WICKET_CLOSE_BYTE_CAP);
	return false;
}

/* Close the gate on @c; the first to close it reports it, once. */
void wicket_client_close(struct wicket_client *c, u8 reason)
{
	if (test_and_set_bit(WICKET_CLIENT_CLOSED_BIT, &c->flags))
		return;
	WRITE_ONCE(c->close_reason, reason);
	wicket_event_closed(c, reason);
}

void wicket_client_read(struct wicket_client *c, struct wicket_counters *sum,
			u32 *last_seen)
{
	u32 seen = 0;
	unsigned int start;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct wicket_stats *s = per_cpu_ptr(c->stats, cpu);
		u64 up_packets, up_bytes, down_packets, down_bytes;
		u32 cpu_seen;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			up_packets = u64_stats_read(&s->up_packets);
			up_bytes = u64_stats_read(&s->up_bytes);
			down_packets = u64_stats_read(&s->down_packets);
			down_bytes = u64_stats_read(&s->down_bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->up_packets += up_packets;
		sum->up_bytes += up_bytes;
		sum->down_packets += down_packets;
		sum->down_bytes += down_bytes;
		cpu_seen = READ_ONCE(s->last_seen);
		if (cpu_seen && (!seen || (s32)(cpu_seen - seen) > 0))
			seen = cpu_seen;
	}
	if (last_seen)
		*last_seen = seen;
}
