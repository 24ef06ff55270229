/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client table: clients by (port, MAC) and their addresses by address,
 * two RCU hash tables. The packet path looks up, compares and counts on
 * per-CPU counters: no lock, no allocation, no shared write (but for one
 * atomic per chunk of a byte cap, on capped clients only).
 */
#ifndef _WICKET_TABLE_H
#define _WICKET_TABLE_H

#include <linux/etherdevice.h>
#include <linux/in6.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/timer.h>
#include <linux/u64_stats_sync.h>
#include <net/ipv6.h>

#include "uapi/wicket.h"
#include "wicket.h"

struct wicket_client_key {
	u32 ifindex;
	u8 mac[ETH_ALEN];
	u16 zero;	/* keeps the key free of padding: memcmp'd */
};

/* Written only by its own CPU, from the packet path. */
struct wicket_stats {
	u64_stats_t up_packets;
	u64_stats_t up_bytes;
	u64_stats_t down_packets;
	u64_stats_t down_bytes;
	struct u64_stats_sync syncp;
	/*
	 * wicket_jiffies32() at the last upstream packet, let through or
	 * not (0: none on this CPU). 32 bits keep the slot at 48 bytes; an
	 * idle time reads 0 again after 2^31 jiffies (24 days at HZ=1000),
	 * long after its session or the guest was ended or forgotten.
	 */
	u32 last_seen;
	u32 cap_gen;			/* the cap the slice belongs to */
	s64 cap_slice;			/* bytes of the cap this CPU holds */
};

struct wicket_counters {
	u64 up_packets;
	u64 up_bytes;
	u64 down_packets;
	u64 down_bytes;
};

enum {
	WICKET_CLIENT_CLOSED_BIT,	/* the kernel closed the gate */
};

struct wicket_client {
	struct rhash_head node;
	struct wicket_client_key key;

	/* Read by the packet path, written by the control path. */
	u8 state;
	bool has_deadline;
	bool has_cap;
	u8 close_reason;
	unsigned long flags;
	unsigned long deadline;		/* jiffies */
	u32 cap_gen;
	u32 cap_chunk;			/* bytes a CPU takes from the pool */
	atomic64_t cap_pool;		/* cap bytes no CPU holds yet */
	struct wicket_stats __percpu *stats;
	struct wicket_stats_block *stats_block;

	/* Control path only (under wicket_net.lock). */
	u64 session;
	struct wicket_counters base;	/* counters returned by the last reset */
	struct list_head addrs;
	unsigned int naddrs;
	/*
	 * The list is walked under wicket_net.lock only, and the client is
	 * off it before its RCU grace period starts: the two share memory
	 * (16 bytes less per client).
	 */
	union {
		struct list_head list;	/* in wicket_net.client_list */
		struct rcu_head rcu;
	};
	struct timer_list timer;	/* closes the gate at the deadline */
	struct wicket_net *wn;
};

struct wicket_addr {
	struct rhash_head node;
	struct in6_addr addr;		/* IPv4 as ::ffff:a.b.c.d */
	struct wicket_client *client;
	/* As the client's: off the list before the grace period. */
	union {
		struct list_head list;	/* in client->addrs */
		struct rcu_head rcu;
	};
};

/*
 * Compare functions the compiler can inline into lookups (the default
 * calls memcmp() with a length read from the table).
 */
static inline int wicket_client_cmp(struct rhashtable_compare_arg *arg,
				    const void *obj)
{
	const struct wicket_client_key *key = arg->key;
	const struct wicket_client *c = obj;

	return c->key.ifindex != key->ifindex ||
	       !ether_addr_equal(c->key.mac, key->mac);
}

static inline int wicket_addr_cmp(struct rhashtable_compare_arg *arg,
				  const void *obj)
{
	const struct wicket_addr *a = obj;

	return !ipv6_addr_equal(&a->addr, arg->key);
}

static const struct rhashtable_params wicket_client_params = {
	.key_len = sizeof(struct wicket_client_key),
	.key_offset = offsetof(struct wicket_client, key),
	.head_offset = offsetof(struct wicket_client, node),
	.obj_cmpfn = wicket_client_cmp,
	.automatic_shrinking = true,
};

/*
 * One final mix of three words instead of jhash2() over four: every
 * packet pays it. The prefix words are folded together; what a guest
 * chooses (the interface identifier) is hashed whole, under a random seed.
 */
static inline u32 wicket_addr_hash(const void *data, u32 len, u32 seed)
{
	const struct in6_addr *a = data;

	return jhash_3words(a->s6_addr32[0] ^ a->s6_addr32[1],
			    a->s6_addr32[2], a->s6_addr32[3], seed);
}

static const struct rhashtable_params wicket_addr_params = {
	.key_len = sizeof(struct in6_addr),
	.key_offset = offsetof(struct wicket_addr, addr),
	.head_offset = offsetof(struct wicket_addr, node),
	.hashfn = wicket_addr_hash,
	.obj_cmpfn = wicket_addr_cmp,
	.automatic_shrinking = true,
};

struct wicket_stats_block;

int wicket_table_module_init(void);
void wicket_table_module_exit(void);
int wicket_table_init(struct wicket_net *wn);
void wicket_table_destroy(struct wicket_net *wn);

struct wicket_client *wicket_client_alloc(struct wicket_net *wn,
					  const struct wicket_client_key *key);
void wicket_client_free(struct wicket_client *c);
int wicket_client_insert(struct wicket_net *wn, struct wicket_client *c);
void wicket_client_remove(struct wicket_net *wn, struct wicket_client *c);
void wicket_client_flush(struct wicket_net *wn, u32 ifindex);

struct wicket_addr *wicket_addr_alloc(const struct in6_addr *addr);
void wicket_addr_free(struct wicket_addr *a);
int wicket_addr_insert(struct wicket_net *wn, struct wicket_client *c,
		       struct wicket_addr *a);
void wicket_addr_remove(struct wicket_net *wn, struct wicket_addr *a);

void wicket_client_set_deadline(struct wicket_client *c, u64 timeout_ms);
void wicket_client_set_cap(struct wicket_client *c, u64 bytes);
void wicket_client_read(struct wicket_client *c, struct wicket_counters *sum,
			u32 *last_seen);

static inline struct wicket_client *
wicket_client_lookup(struct wicket_net *wn, const struct wicket_client_key *key)
{
	return rhashtable_lookup(&wn->clients, key, wicket_client_params);
}

static inline struct wicket_addr *
wicket_addr_lookup(struct wicket_net *wn, const struct in6_addr *addr)
{
	return rhashtable_lookup(&wn->addrs, addr, wicket_addr_params);
}

void wicket_client_close(struct wicket_client *c, u8 reason);

/*
 * Whether the client's state lets its traffic through now. Past the
 * deadline the gate closes here even if the timer has not fired yet.
 */
static inline bool wicket_client_open(struct wicket_client *c)
{
	u8 state = READ_ONCE(c->state);

	if (state != WICKET_STATE_PROVISIONAL &&
	    state != WICKET_STATE_AUTHORIZED)
		return false;
	if (test_bit(WICKET_CLIENT_CLOSED_BIT, &c->flags))
		return false;
	if (READ_ONCE(c->has_deadline) &&
	    time_after_eq(jiffies, READ_ONCE(c->deadline))) {
		wicket_client_close(c, WICKET_CLOSE_DEADLINE);
		return false;
	}
	return true;
}

bool wicket_cap_take(struct wicket_client *c, struct wicket_stats *s,
		     unsigned int len);

/* The low 32 bits of jiffies, never 0 (which says "never" in last_seen). */
static inline u32 wicket_jiffies32(void)
{
	return (u32)jiffies | 1;
}

/* Count @len bytes for @c on this CPU. Runs in the packet path, BHs off. */
static inline void wicket_client_count(struct wicket_client *c,
				       struct wicket_stats *s, bool up,
				       unsigned int len)
{
	u64_stats_update_begin(&s->syncp);
	if (up) {
		u64_stats_inc(&s->up_packets);
		u64_stats_add(&s->up_bytes, len);
	} else {
		u64_stats_inc(&s->down_packets);
		u64_stats_add(&s->down_bytes, len);
	}
	u64_stats_update_end(&s->syncp);
	if (up)
		s->last_seen = wicket_jiffies32();
}

/*
 * @c sent a packet its gate did not let through (or that went to the
 * gateway's portal): nothing is counted, but the device is still there,
 * and its idle time (what wicketd forgets departed guests by) restarts.
 * Written once a jiffy at most: a captive guest's retries do not dirty
 * the cache line on every packet.
 */
static inline void wicket_client_heard(struct wicket_client *c)
{
	struct wicket_stats *s = this_cpu_ptr(c->stats);
	u32 now = wicket_jiffies32();

	if (READ_ONCE(s->last_seen) != now)
		WRITE_ONCE(s->last_seen, now);
}

#endif /* _WICKET_TABLE_H */
