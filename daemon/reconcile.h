/* Reconcile at start (reconcile.c): the kernel made equal to the store. */
#ifndef WICKET_RECONCILE_H
#define WICKET_RECONCILE_H

#include <stddef.h>

#include "gateway.h"

struct reconcile_stats {
	size_t restored; /* live sessions the kernel had lost */
	size_t kept; /* live sessions the kernel still held */
	size_t ended; /* sessions that ended while wicketd was away */
	size_t closed; /* open gates without a live session, closed */
};

int reconcile(struct gateway *gw, struct reconcile_stats *stats);

#endif
