/*
 * Accounting (accounting.c): what the network management system hears.
 *
 * - The outbox (store_outbox.h) holds every Start, Interim-Update and Stop
 *   from the transaction that caused it; the sender here takes what is due,
 *   sends it with RADIUS on worker threads, and marks it acknowledged, or
 *   counts the failure and tries again later (backing off to 5 minutes),
 *   for ever: a record is never dropped. Without [radius], records wait.
 * - Every [gateway] sweep_interval seconds (30 by default), the kernel's
 *   counters of every open gate are read and reset in one dump and added
 *   to the sessions, their charges settled; every [radius] interim
 *   seconds an Interim-Update is queued for each active one too (at the
 *   first sweep after). Counters the store cannot commit (a full disk)
 *   are held by the store and go in with the next sweep.
 * - In the same sweep, a session whose plan has an idle timeout and whose
 *   client has sent nothing for that long ends as "idle", and a session
 *   left rejected for BILLING_RETRY_MS ends as "rejected".
 * - In the same sweep, guests with no session, not blocked and quiet for
 *   [gateway] forget_after are forgotten: their addresses are released
 *   in the store and their entries leave the kernel's table.
 */
#ifndef WICKET_ACCOUNTING_H
#define WICKET_ACCOUNTING_H

#include <stddef.h>
#include <stdint.h>

struct gateway;
struct accounting;

struct accounting_stats {
	uint64_t sent, acked, failed;
	uint64_t interims; /* Interim-Updates queued */
	uint64_t idle_ends;
	uint64_t forgotten; /* departed guests forgotten (forget_after) */
};

int accounting_open(struct gateway *gw, struct accounting **out, char *err, size_t errlen);
void accounting_close(struct accounting *a);
/* Look at the outbox now (after a commit that queued something). */
void accounting_kick(struct accounting *a);
const struct accounting_stats *accounting_stats(const struct accounting *a);

#endif
