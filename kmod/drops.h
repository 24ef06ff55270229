/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packets the gate dropped, by reason (the WICKET_STATS_A_DROP_* values of
 * the uapi), per namespace and per CPU: the packet path only bumps its own
 * CPU's counter, and WICKET_CMD_STATS_GET sums them.
 */
#ifndef _WICKET_DROPS_H
#define _WICKET_DROPS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

#include "uapi/wicket.h"

#define WICKET_DROP_FIRST WICKET_STATS_A_DROP_UNKNOWN
#define WICKET_DROP_LAST WICKET_STATS_A_DROP_PORT_BLOCKED

struct wicket_drops {
	u64_stats_t n[WICKET_DROP_LAST + 1];
	struct u64_stats_sync syncp;
};

/* Count one packet dropped for @reason. Packet path, BHs off. */
static inline void wicket_drop_count(struct wicket_drops __percpu *drops,
				     u8 reason)
{
	struct wicket_drops *d = this_cpu_ptr(drops);

	u64_stats_update_begin(&d->syncp);
	u64_stats_inc(&d->n[reason]);
	u64_stats_update_end(&d->syncp);
}

struct wicket_drops __percpu *wicket_drops_alloc(void);
void wicket_drops_free(struct wicket_drops __percpu *drops);
/* Every CPU's counts added up into @sum, indexed by reason. */
void wicket_drops_sum(struct wicket_drops __percpu *drops,
		      u64 sum[WICKET_DROP_LAST + 1]);

#endif /* _WICKET_DROPS_H */
