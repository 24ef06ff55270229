// SPDX-License-Identifier: GPL-2.0
/*
 * The gate's drop counters (drops.h): allocated with the namespace's state,
 * summed over CPUs for WICKET_CMD_STATS_GET.
 */

#include <linux/string.h>

#include "drops.h"

struct wicket_drops __percpu *wicket_drops_alloc(void)
{
	struct wicket_drops __percpu *drops;
	int cpu;

	drops = alloc_percpu(struct wicket_drops);
	if (!drops)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(drops, cpu)->syncp);
	return drops;
}

void wicket_drops_free(struct wicket_drops __percpu *drops)
{
	free_percpu(drops);
}

void wicket_drops_sum(struct wicket_drops __percpu *drops,
		      u64 sum[WICKET_DROP_LAST + 1])
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * (WICKET_DROP_LAST + 1));
	for_each_possible_cpu(cpu) {
		const struct wicket_drops *d = per_cpu_ptr(drops, cpu);
		u64 n[WICKET_DROP_LAST + 1];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&d->syncp);
			for (i = WICKET_DROP_FIRST; i <= WICKET_DROP_LAST; i++)
				n[i] = u64_stats_read(&d->n[i]);
		} while (u64_stats_fetch_retry(&d->syncp, start));
		for (i = WICKET_DROP_FIRST; i <= WICKET_DROP_LAST; i++)
			sum[i] += n[i];
	}
}
