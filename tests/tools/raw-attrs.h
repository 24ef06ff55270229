/*
 * The attribute language of wicket-nl raw, one word at a time:
 *
 *   TYPE:KIND:VALUE   KIND u8|u16|u32|u64: 2, 4, 8 or 16 hex digits, the
 *                     bytes in order (1:u32:01000000 is 1 on x86), or a
 *                     0x-prefixed number in host order; str (no NUL), strz
 *                     (with NUL), hex (pairs of hex digits, may be empty)
 *   TYPE:nest{ ... }  a nest (NLA_F_NESTED is set), closed by the word "}"
 *   hexrep:TYPE:BYTE:COUNT   COUNT copies of the hex byte BYTE
 *
 * TYPE is a number (decimal or 0x...) and may carry NLA_F_* bits itself.
 */
#ifndef WICKET_RAW_ATTRS_H
#define WICKET_RAW_ATTRS_H

#include <stddef.h>
#include <stdint.h>

#include "wicket-nl.h"

#define RAW_MAX (2 * KERNEL_BATCH_BYTES - 64)
#define RAW_DEPTH 16

/* Zero it before use. */
struct raw_attrs {
	uint8_t data[RAW_MAX] __attribute__((aligned(4)));
	size_t len;
	size_t open[RAW_DEPTH];
	int depth;
};

/* Appends one word; 0, or -1 with a reason in why (WHY_LEN bytes). */
int raw_attrs_add(struct raw_attrs *r, const char *word, char *why);
/* After the last word: -1 (and why) if a nest is still open. */
int raw_attrs_finish(struct raw_attrs *r, char *why);

#endif
