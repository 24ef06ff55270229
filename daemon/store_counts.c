/* Session counts by end reason (store_counts.h). */
#include "store_counts.h"

#include <stdio.h>
#include <string.h>

void store_counts_end(struct store_counts *c, const char *reason, uint64_t n)
{
	size_t i;

	for (i = 0; i < c->nreasons; i++)
		if (!strcmp(c->ended[i].reason, reason))
			break;
	if (i == c->nreasons) {
		/* The last slot is "other" once the table is full. */
		if (c->nreasons >= STORE_COUNTED_REASONS - 1)
			reason = "other";
		for (i = 0; i < c->nreasons; i++)
			if (!strcmp(c->ended[i].reason, reason))
				break;
		if (i == c->nreasons) {
			snprintf(c->ended[i].reason, sizeof(c->ended[i].reason), "%s", reason);
			c->ended[i].n = 0;
			c->nreasons++;
		}
	}
	c->ended[i].n += n;
}

void store_counts_merge(struct store_counts *into, const struct store_counts *from)
{
	into->started += from->started;
	for (size_t i = 0; i < from->nreasons; i++)
		store_counts_end(into, from->ended[i].reason, from->ended[i].n);
}
