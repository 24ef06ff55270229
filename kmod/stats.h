/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counter slots for clients, carved from blocks: one percpu
 * allocation per block instead of one per client, which is what makes
 * loading 100000 clients fast (alloc_percpu() is slow and serialized).
 */
#ifndef _WICKET_STATS_H
#define _WICKET_STATS_H

#include <linux/percpu.h>

struct wicket_stats;
struct wicket_stats_block;

/* A zeroed slot; NULL when out of memory. Process context. */
struct wicket_stats __percpu *
wicket_stats_alloc(struct wicket_stats_block **block);
/* Give a slot back; any context, once no packet can still count on it. */
void wicket_stats_free(struct wicket_stats_block *block,
		       struct wicket_stats __percpu *slot);
/* At module exit, after the last slot came back. */
void wicket_stats_exit(void);

#endif /* _WICKET_STATS_H */
