/*
 * The accounting outbox (store_outbox.c): records for the network
 * management system (RADIUS accounting Start, Interim-Update, Stop), kept
 * in the store from the moment the event happened until the server
 * acknowledged them. A record is written in the same transaction as what
 * it reports (a session opened, ended), so a crash loses neither; it is
 * sent again until acknowledged, always with the same identity (session
 * id, kind, event time), so the server can count it once.
 *
 * Conventions are store.h's.
 */
#ifndef WICKET_STORE_OUTBOX_H
#define WICKET_STORE_OUTBOX_H

#include <stdint.h>

#include "store.h"
#include "store_billing.h"

#define STORE_ACCT_KIND_LEN 8
#define STORE_ACCT_ERROR_LEN 128

/* One record, with what the sender needs of its session and client. */
struct store_acct {
	int64_t id;
	uint64_t session_id;
	char kind[STORE_ACCT_KIND_LEN]; /* "start", "interim", "stop" */
	int64_t event_at;
	int64_t session_time_s; /* from the session's start to event_at */
	uint64_t up_bytes, down_bytes, up_packets, down_packets; /* the session's totals at event_at */
	int64_t charge;
	char currency[STORE_CURRENCY_LEN];
	char terminate_cause[STORE_REASON_LEN]; /* stop: the session's end reason; "" otherwise */
	int64_t attempts;
	int64_t next_at;
	char last_error[STORE_ACCT_ERROR_LEN];
	int64_t acked_at; /* 0: not yet */
	/* Of the session: */
	char port[STORE_IFNAME_LEN];
	char mac[STORE_MAC_LEN];
	char room[STORE_ROOM_LEN]; /* the room charged, else the port's room, else "" */
	char plan[STORE_PLAN_NAME_LEN]; /* "" when it has none (a comp) */
	char method[STORE_METHOD_LEN];
	unsigned char class_[STORE_CLASS_MAX]; /* the Access-Accept's Class, to send back */
	size_t class_len;
};

/*
 * Queue a record of kind for the session as the store has it now (its
 * counters, charge, and for a stop its end reason), due at once. Meant to
 * be called inside the transaction (store_begin or an op) that changed
 * the session, so that both are kept or neither. A second "start" or
 * "stop" of the same session is -EALREADY and adds nothing; a "stop" of a
 * session that has not ended, or a "start" or "interim" of one that has,
 * is -EINVAL. A stop's event time is the session's end.
 */
int store_outbox_add(struct store *s, uint64_t session_id, const char *kind, int64_t now_ms, int64_t *id);
/* Whether the session has its "start" (or "stop") record: 1 or 0, or an error. */
int store_outbox_has(struct store *s, uint64_t session_id, const char *kind);
/*
 * Records due at now_ms (next_at <= now_ms, not acknowledged), at most
 * limit, oldest first; of each session only its oldest unacknowledged one
 * (a session's Stop is not sent before its Start is acknowledged).
 */
int store_outbox_due(struct store *s, int64_t now_ms, unsigned int limit,
		     int (*cb)(const struct store_acct *a, void *arg), void *arg);
/* The server acknowledged record id. Acknowledging it again is fine. */
int store_outbox_acked(struct store *s, int64_t id, int64_t now_ms);
/*
 * Sending failed with error (may be NULL; kept to its first 127 bytes):
 * one more attempt counted, next try not before next_at. -EALREADY for a
 * record acknowledged already.
 */
int store_outbox_failed(struct store *s, int64_t id, const char *error, int64_t next_at);
int store_outbox_get(struct store *s, int64_t id, struct store_acct *out);
/* Records not yet acknowledged, and the oldest one's event time (0 when none). */
int store_outbox_depth(struct store *s, int64_t *unacked, int64_t *oldest_event_at);

#endif
