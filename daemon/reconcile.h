/* Reconcile (reconcile.c): the kernel's client table made equal to the store. */
#ifndef WICKET_RECONCILE_H
#define WICKET_RECONCILE_H

#include <stddef.h>

#include "gateway.h"

/* What a reconcile did; the kernel's figures count what wicket.ko accepted. */
struct reconcile_stats {
	size_t restored; /* live sessions the kernel had lost, put back */
	size_t kept; /* live sessions the kernel still held, brought up to date */
	size_t ended; /* sessions that ended while wicketd was away (or were found ended) */
	size_t closed; /* open gates without a live session, closed */
	size_t blocked; /* clients the store blocks, held blocked in the kernel */
	size_t removed; /* entries without a session that held an address a wanted client needs */
	size_t failed; /* clients wicket.ko refused, and sessions the store could not end */
	double elapsed_ms; /* the whole reconcile, wall clock */
};

/*
 * Make the kernel's table what the store says: at start, and after the
 * kernel's events were lost. Returns 0 (clients wicket.ko refused one by
 * one are logged and counted in stats->failed) or -errno when the store or
 * the kernel's table cannot be read, or memory runs out.
 */
int reconcile(struct gateway *gw, struct reconcile_stats *stats);

#endif
