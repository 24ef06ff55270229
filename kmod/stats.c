// SPDX-License-Identifier: GPL-2.0
/*
 * Counter slots. Blocks with a free slot sit on a list; a slot is taken
 * under a spinlock (slots come back from RCU callbacks) and the block goes
 * when its last slot comes back, but for one spare kept against churn.
 */

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "stats.h"
#include "table.h"

#define WICKET_STATS_PER_BLOCK 256

struct wicket_stats_block {
	struct list_head list;		/* on wicket_stats_partial if not full */
	struct wicket_stats __percpu *slots;
	unsigned int used;
	DECLARE_BITMAP(busy, WICKET_STATS_PER_BLOCK);
};

static DEFINE_SPINLOCK(wicket_stats_lock);
static LIST_HEAD(wicket_stats_partial);

static struct wicket_stats_block *wicket_stats_block_new(void)
{
	struct wicket_stats_block *block;

	block = kzalloc(sizeof(*block), GFP_KERNEL_ACCOUNT);
	if (!block)
		return NULL;
	block->slots = __alloc_percpu_gfp(WICKET_STATS_PER_BLOCK *
					  sizeof(struct wicket_stats),
					  __alignof__(struct wicket_stats),
					  GFP_KERNEL_ACCOUNT);
	if (!block->slots) {
		kfree(block);
		return NULL;
	}
	return block;
}

static void wicket_stats_block_free(struct wicket_stats_block *block)
{
	free_percpu(block->slots);
	kfree(block);
}

struct wicket_stats __percpu *
wicket_stats_alloc(struct wicket_stats_block **blockp)
{
	struct wicket_stats_block *block, *fresh = NULL;
	struct wicket_stats __percpu *slot;
	unsigned int i;
	int cpu;

	spin_lock_bh(&wicket_stats_lock);
	while (list_empty(&wicket_stats_partial)) {
		spin_unlock_bh(&wicket_stats_lock);
		if (fresh)	/* another caller's block came first */
			wicket_stats_block_free(fresh);
		fresh = wicket_stats_block_new();
		if (!fresh)
			return NULL;
		spin_lock_bh(&wicket_stats_lock);
		if (list_empty(&wicket_stats_partial)) {
			list_add(&fresh->list, &wicket_stats_partial);
			fresh = NULL;
		}
	}
	block = list_first_entry(&wicket_stats_partial,
				 struct wicket_stats_block, list);
	i = find_first_zero_bit(block->busy, WICKET_STATS_PER_BLOCK);
	__set_bit(i, block->busy);
	if (++block->used == WICKET_STATS_PER_BLOCK)
		list_del_init(&block->list);
	spin_unlock_bh(&wicket_stats_lock);
	if (fresh)
		wicket_stats_block_free(fresh);

	slot = block->slots + i;
	for_each_possible_cpu(cpu) {
		struct wicket_stats *s = per_cpu_ptr(slot, cpu);

		memset(s, 0, sizeof(*s));
		u64_stats_init(&s->syncp);
	}
	*blockp = block;
	return slot;
}

void wicket_stats_free(struct wicket_stats_block *block,
		       struct wicket_stats __percpu *slot)
{
	bool drop = false;

	spin_lock_bh(&wicket_stats_lock);
	__clear_bit(slot - block->slots, block->busy);
	if (block->used-- == WICKET_STATS_PER_BLOCK)
		list_add(&block->list, &wicket_stats_partial);
	if (!block->used && !list_is_singular(&wicket_stats_partial)) {
		list_del(&block->list);
		drop = true;
	}
	spin_unlock_bh(&wicket_stats_lock);
	if (drop)
		wicket_stats_block_free(block);
}

void wicket_stats_exit(void)
{
	struct wicket_stats_block *block, *tmp;

	list_for_each_entry_safe(block, tmp, &wicket_stats_partial, list) {
		WARN_ON(block->used);
		list_del(&block->list);
		wicket_stats_block_free(block);
	}
}
