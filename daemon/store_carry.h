/*
 * Counters the store could not commit yet (store_carry.c). The kernel's
 * counters are read and reset in one request, so a delta that a full or
 * read-only disk refuses exists nowhere else: the store holds it here and
 * adds it to the session's next write of counters (store.h:
 * store_session_add_counters, store_session_end, store_counters_flush).
 * A delta written inside a transaction is pending until that transaction
 * commits; if it rolls back, it is held again.
 */
#ifndef WICKET_STORE_CARRY_H
#define WICKET_STORE_CARRY_H

#include <stddef.h>
#include <stdint.h>

struct store_delta {
	uint64_t session_id;
	uint64_t up_bytes, down_bytes, up_packets, down_packets;
};

/* At most one entry per session. */
struct store_deltas {
	struct store_delta *v;
	size_t n, cap;
};

struct store_carry {
	struct store_deltas held; /* refused: added to the session's next write */
	struct store_deltas pending; /* written in the open transaction, not committed yet */
};

/* Add d to its session's entry of set (a new entry if none): 0, or -ENOMEM. */
int store_deltas_add(struct store_deltas *set, const struct store_delta *d);
/* Remove the entry of session_id from set into *d: 1, or 0 (and *d all zero but the id) if none. */
int store_deltas_take(struct store_deltas *set, uint64_t session_id, struct store_delta *d);
/* d += more (same session). */
void store_delta_merge(struct store_delta *d, const struct store_delta *more);
/* The open transaction committed: what it wrote is in the store. */
void store_carry_committed(struct store_carry *c);
/* It rolled back: what it wrote is held again; -ENOMEM if some of it could not be kept. */
int store_carry_rolled_back(struct store_carry *c);
/* Bytes (both ways) held, and the number of sessions they belong to. */
uint64_t store_carry_held_bytes(const struct store_carry *c, size_t *sessions);
void store_carry_free(struct store_carry *c);

#endif
