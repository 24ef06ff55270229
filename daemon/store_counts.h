/*
 * Sessions started and ended since the store was opened, for metrics:
 * counted when their transaction commits, so a rolled-back start or end
 * never shows. The store (store.c) keeps two of these, the committed
 * counts and those of the open batch.
 */
#ifndef WICKET_STORE_COUNTS_H
#define WICKET_STORE_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Distinct end reasons counted by name; any more are counted as "other". */
#define STORE_COUNTED_REASONS 24

struct store_counts {
	uint64_t started;
	size_t nreasons;
	struct {
		char reason[STORE_REASON_LEN];
		uint64_t n;
	} ended[STORE_COUNTED_REASONS];
};

/* n sessions ended with reason (a valid end reason). */
void store_counts_end(struct store_counts *c, const char *reason, uint64_t n);
/* Add from's counts to into's. */
void store_counts_merge(struct store_counts *into, const struct store_counts *from);

/* The committed counts of the store. */
const struct store_counts *store_counts(const struct store *s);

#endif
