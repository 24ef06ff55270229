/* Counters the store could not commit yet: held in memory (see store_carry.h). */
#include "store_carry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void store_delta_merge(struct store_delta *d, const struct store_delta *more)
{
	d->up_bytes += more->up_bytes;
	d->down_bytes += more->down_bytes;
	d->up_packets += more->up_packets;
	d->down_packets += more->down_packets;
}

int store_deltas_add(struct store_deltas *set, const struct store_delta *d)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].session_id == d->session_id) {
			store_delta_merge(&set->v[i], d);
			return 0;
		}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct store_delta *bigger = realloc(set->v, cap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		set->v = bigger;
		set->cap = cap;
	}
	set->v[set->n++] = *d;
	return 0;
}

int store_deltas_take(struct store_deltas *set, uint64_t session_id, struct store_delta *d)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].session_id == session_id) {
			*d = set->v[i];
			set->v[i] = set->v[--set->n];
			return 1;
		}
	memset(d, 0, sizeof(*d));
	d->session_id = session_id;
	return 0;
}

void store_carry_committed(struct store_carry *c)
{
	c->pending.n = 0;
}

int store_carry_rolled_back(struct store_carry *c)
{
	int err = 0;

	for (size_t i = 0; i < c->pending.n; i++)
		if (store_deltas_add(&c->held, &c->pending.v[i]))
			err = -ENOMEM;
	c->pending.n = 0;
	return err;
}

uint64_t store_carry_held_bytes(const struct store_carry *c, size_t *sessions)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < c->held.n; i++)
		bytes += c->held.v[i].up_bytes + c->held.v[i].down_bytes;
	if (sessions)
		*sessions = c->held.n;
	return bytes;
}

void store_carry_free(struct store_carry *c)
{
	free(c->held.v);
	free(c->pending.v);
	memset(c, 0, sizeof(*c));
}
