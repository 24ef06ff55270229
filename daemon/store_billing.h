/*
 * Billing in the store (store_billing.c): the plans guests choose from and
 * where each is offered, vouchers, the property's guest list, every
 * billing request with its outcome, what each session is billed, and the
 * revenue reports. The tables are in store.c, schema version 3.
 *
 * Conventions are store.h's: 0 or -errno with store_error() saying what,
 * in words a clerk can act on; bad input changes nothing; times are unix
 * ms from the caller; listings call cb per row in a stable order and stop
 * at its non-zero return. Amounts are integers in minor units (cents) of
 * an ISO 4217 currency ("EUR"); a session's and a plan's currency agree.
 */
#ifndef WICKET_STORE_BILLING_H
#define WICKET_STORE_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_PLAN_NAME_LEN 65 /* 1 to 64 bytes of printable UTF-8, no control characters */
#define STORE_KIND_LEN 16
#define STORE_CURRENCY_LEN 4 /* three upper-case ASCII letters */
#define STORE_METHODS_LEN 40 /* "free,remote,room,staff,voucher" */
#define STORE_VOUCHER_LEN 17 /* codes are 10 characters; up to 16 accepted from an import */
#define STORE_BATCH_LEN 33
#define STORE_SURNAME_LEN 65
#define STORE_FOLIO_LEN 65
#define STORE_METHOD_LEN 8
#define STORE_REQ_DETAIL_LEN 128
#define STORE_REQ_REASON_LEN 128
#define STORE_DECIDER_LEN 33

/* The ways to pay, as bits of a plan's method set. */
enum store_method {
	STORE_METHOD_FREE = 1 << 0,
	STORE_METHOD_REMOTE = 1 << 1, /* RADIUS Access-Request to a card processor or property system */
	STORE_METHOD_ROOM = 1 << 2, /* room + surname against the guest list, charged to the room */
	STORE_METHOD_STAFF = 1 << 3, /* a clerk approves or rejects (wicketctl pending) */
	STORE_METHOD_VOUCHER = 1 << 4,
	STORE_METHOD_ALL = (1 << 5) - 1,
};

/* "free", "remote", "room", "staff", "voucher" for one bit; NULL for anything else. */
const char *store_method_name(unsigned int method);
/* One name to its bit; 0 when it is none of them. */
unsigned int store_method_parse(const char *name);
/* "room,voucher" (any order, no spaces, each once) to a set; -EINVAL for an empty or bad list. */
int store_methods_parse(const char *list, unsigned int *methods);
/* A set as its names, sorted, comma-separated ("" for none). */
void store_methods_format(unsigned int methods, char *buf, size_t len);

/*
 * A plan. kind decides which limits it needs:
 *   time            duration_s (and no bytes: that is time+data)
 *   data            bytes (and no duration_s)
 *   time+data       duration_s and bytes (whichever runs out first)
 *   until-checkout  neither: the session ends at the guest's departure;
 *                   methods include room and not voucher
 *   free            none required; price and per_* must be 0, methods must be "free"
 * Method free is for kind free only. 0 means none for duration_s, bytes,
 * idle_timeout_s and keepalive_s. Nothing is negative; amounts are at most
 * 10^9, durations at most ten years, keepalive_s at most a day. A name has
 * no space at either end.
 */
struct store_plan {
	int64_t id;
	char name[STORE_PLAN_NAME_LEN];
	char kind[STORE_KIND_LEN];
	int64_t price; /* fixed part */
	char currency[STORE_CURRENCY_LEN];
	int64_t per_minute; /* metered part: per started minute of connect time */
	int64_t per_mb; /* and per started MB (10^6 bytes, up and down together) */
	int64_t duration_s, bytes, idle_timeout_s, keepalive_s;
	unsigned int methods; /* enum store_method bits, at least one */
	int64_t created_at;
	int64_t retired_at; /* 0: offered */
};

/* Add a plan (p->id, created_at and retired_at are ignored); -EEXIST for a name in use. */
int store_plan_add(struct store *s, const struct store_plan *p, int64_t now_ms, int64_t *id);
/*
 * Change every field of plan p->id but its name, created_at and
 * retired_at. Sessions already running keep what they were sold: the
 * caller reads a session's limits when it starts. -ENOENT, -ESTALE for a
 * retired plan.
 */
int store_plan_update(struct store *s, const struct store_plan *p);
/* No longer offered; kept for the sessions and reports that name it. -EALREADY when retired. */
int store_plan_retire(struct store *s, int64_t id, int64_t now_ms);
int store_plan_get(struct store *s, int64_t id, struct store_plan *out);
/* By name (exact); -ENOENT if none. */
int store_plan_find(struct store *s, const char *name, struct store_plan *out);
/* Every plan by id; retired ones too when include_retired. */
int store_plan_list(struct store *s, int include_retired, int (*cb)(const struct store_plan *p, void *arg),
		    void *arg);

/*
 * Where a plan is offered. A plan is offered to a client when it is not
 * retired and has an offer everywhere (port and room both NULL), on the
 * client's port, or in the room of the client's port. A plan without
 * offers is offered nowhere.
 */
/*
 * Add an offer (port or room, not both; both NULL or "": everywhere); adding
 * one twice is fine. The port must be known (-ENOENT), the plan not retired
 * (-ESTALE).
 */
int store_plan_offer(struct store *s, int64_t plan_id, const char *port, const char *room);
/* Remove every offer of the plan. */
int store_plan_offers_clear(struct store *s, int64_t plan_id);
/* A plan's offers; port and room are "" where NULL. */
int store_plan_offers(struct store *s, int64_t plan_id,
		      int (*cb)(const char *port, const char *room, void *arg), void *arg);
/* The plans offered on port whose room is room ("" or NULL for none), by price then id. */
int store_plans_offered(struct store *s, const char *port, const char *room,
			int (*cb)(const struct store_plan *p, void *arg), void *arg);

/*
 * Vouchers. Codes are 10 characters from "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
 * (no 0/O, 1/I), made with OpenSSL's RNG (50 bits of chance each). A
 * code typed by a guest is matched in upper case with spaces and hyphens
 * taken out ("abcd-efgh 23" is "ABCDEFGH23").
 */
struct store_voucher {
	char code[STORE_VOUCHER_LEN];
	int64_t plan_id;
	int64_t devices; /* how many clients may use it */
	int64_t used; /* how many have */
	char batch[STORE_BATCH_LEN];
	int64_t created_at;
	int64_t revoked_at; /* 0: valid */
};

/*
 * count (1 to 10000) new vouchers of a plan that is not retired and takes
 * vouchers, each for devices (1 to 1000) clients, in one transaction,
 * named batch (1 to 32 of [A-Za-z0-9._-]; the caller makes one up, e.g.
 * from the time; a batch made again with the same name grows); cb (may be
 * NULL) sees each one made, in order, once they are stored. -EINVAL for a
 * plan not paid by voucher, -ESTALE for a retired one.
 */
int store_vouchers_create(struct store *s, int64_t plan_id, unsigned int count, unsigned int devices,
			  const char *batch, int64_t now_ms,
			  int (*cb)(const struct store_voucher *v, void *arg), void *arg);
/* A voucher by the code as typed; -ENOENT if none (an empty code too). */
int store_voucher_get(struct store *s, const char *code, struct store_voucher *out);
/*
 * The client uses the voucher for session_id. Using it again from the
 * same client is fine (a new session of the same guest) and uses no more
 * devices. -ENOENT unknown code, -EKEYREVOKED revoked, -EUSERS every
 * device used by other clients, -ESTALE its plan is retired, -EINVAL the
 * session is not the client's. out (may be NULL) is the voucher after use.
 */
int store_voucher_redeem(struct store *s, const char *code, int64_t client_id, uint64_t session_id,
			 int64_t now_ms, struct store_voucher *out, int64_t *first_use_ms);
/* -EALREADY when revoked already. */
int store_voucher_revoke(struct store *s, const char *code, int64_t now_ms);
/* Vouchers of a batch (NULL: all), by creation then code; -ENOENT for a batch with none. */
int store_vouchers_list(struct store *s, const char *batch,
			int (*cb)(const struct store_voucher *v, void *arg), void *arg);

/* The property's guest list: who stays in which room, for room charges. */
struct store_guest {
	char room[STORE_ROOM_LEN];
	char surname[STORE_SURNAME_LEN];
	int64_t arrival; /* 0: open */
	int64_t departure; /* 0: open */
	char folio[STORE_FOLIO_LEN]; /* "" when none */
};

/*
 * Replace the whole guest list with these n guests, in one transaction
 * (the property system's export is the truth of who stays now). Guests
 * of one room whose surnames fold the same (a couple) are one household:
 * one row, from the earliest arrival to the latest departure, with the
 * first spelling and folio.
 */
int store_guests_replace(struct store *s, const struct store_guest *guests, size_t n, int64_t now_ms);
/*
 * The guest of room whose surname matches (folded: ASCII case, spaces,
 * hyphens and apostrophes, typographic ones too, do not count; other
 * letters, accented ones included, match only exactly as imported) and who
 * stays at now_ms (arrival <= now_ms < departure). -ENOENT when none: the
 * caller rejects without saying which part was wrong.
 */
int store_guest_match(struct store *s, const char *room, const char *surname, int64_t now_ms,
		      struct store_guest *out);
int store_guests_list(struct store *s, int (*cb)(const struct store_guest *g, void *arg), void *arg);

/*
 * Billing requests: each billing preference a session sends. States:
 * pending -> approved | rejected | provisional; provisional -> approved |
 * rejected. approved and rejected are final (a guest who tries again
 * sends a new request for the same session).
 */
struct store_request {
	int64_t id;
	uint64_t session_id;
	int64_t plan_id;
	char method[STORE_METHOD_LEN];
	char detail[STORE_REQ_DETAIL_LEN];
	char room[STORE_ROOM_LEN];
	char state[STORE_STATE_LEN];
	char reason[STORE_REQ_REASON_LEN];
	int64_t created_at;
	int64_t decided_at; /* 0: not yet */
	char decided_by[STORE_DECIDER_LEN];
};

/* With its session's client, for `wicketctl pending`. */
struct store_request_row {
	struct store_request request;
	char port[STORE_IFNAME_LEN];
	char mac[STORE_MAC_LEN];
	char plan[STORE_PLAN_NAME_LEN];
};

/*
 * A new pending request; detail and room may be NULL (room not for method
 * room). -EINVAL for a method the plan does not take, -ESTALE for a retired
 * plan, -EALREADY for a session that has ended.
 */
int store_request_add(struct store *s, uint64_t session_id, int64_t plan_id, const char *method,
		      const char *detail, const char *room, int64_t now_ms, int64_t *id);
/*
 * Move a request to state ("provisional", "approved" or "rejected") by
 * decider (1 to 32 bytes), with reason (may be NULL; for rejections).
 * decided_by is the latest mover's; decided_at is set by approved and
 * rejected only. -EALREADY when it was decided already, -EINVAL for a move
 * the states above do not allow.
 */
int store_request_decide(struct store *s, int64_t id, const char *state, const char *reason,
			 const char *decider, int64_t now_ms);
int store_request_get(struct store *s, int64_t id, struct store_request *out);
/* The newest request of a session; -ENOENT if it has none. */
int store_request_latest(struct store *s, uint64_t session_id, struct store_request *out);
/* Pending and provisional requests, oldest first. */
int store_requests_open(struct store *s, int (*cb)(const struct store_request_row *r, void *arg), void *arg);

/*
 * Sessions still "rejected" whose last request was decided before
 * cutoff_ms (the guest gave up), by id, at most 256 per call.
 */
int store_sessions_rejected_before(struct store *s, int64_t cutoff_ms,
				   int (*cb)(uint64_t session_id, void *arg), void *arg);

/*
 * What a session is billed: its plan, how it pays, the room charged (may
 * be NULL), and the plan's currency. Set when it is approved. -EINVAL for
 * a method the plan does not take, or a session already charged in another
 * currency.
 */
int store_session_bill(struct store *s, uint64_t session_id, int64_t plan_id, const char *method,
		       const char *room);
/* The session's charge so far (never lowered: -EINVAL; above 0 only once it is billed). */
int store_session_set_charge(struct store *s, uint64_t session_id, int64_t charge);
/* The billing columns of a session; plan_id 0 when it has none yet. */
struct store_session_bill {
	int64_t plan_id;
	char method[STORE_METHOD_LEN];
	char room[STORE_ROOM_LEN];
	int64_t charge;
	char currency[STORE_CURRENCY_LEN];
};
int store_session_bill_get(struct store *s, uint64_t session_id, struct store_session_bill *out);

/*
 * Revenue of the sessions that ended in [from_ms, to_ms), grouped by
 * "plan" (its name), "method" or "room" ("" for none), and currency; by
 * key then currency. Any other group_by is -EINVAL.
 */
struct store_revenue {
	char key[STORE_PLAN_NAME_LEN];
	char currency[STORE_CURRENCY_LEN];
	int64_t sessions;
	int64_t charge;
	int64_t seconds; /* connect time */
	uint64_t bytes; /* up and down */
};
int store_report(struct store *s, const char *group_by, int64_t from_ms, int64_t to_ms,
		 int (*cb)(const struct store_revenue *r, void *arg), void *arg);

#endif
