/*
 * Billing (billing.c): a guest's billing preference, the approver it goes
 * to, and the approval state machine of its session:
 *
 *   new/none --submit--> pending --approver yes--> active --end--> ended
 *                           |  \--approver no---> rejected --submit--> pending
 *                           \--remote too slow--> provisional --yes--> active
 *                                                      \--no--> rejected
 *
 * Every transition is written to the store (the request, the session,
 * its event, and at approval the accounting Start) before the kernel is
 * changed. Approvers: free and voucher and room answer at once; staff
 * leave the request pending until a clerk decides (wicketctl pending,
 * approve, reject); remote asks the RADIUS server on a worker thread, and
 * when it has not answered within [billing] provisional_after the guest
 * gets a temporary approval: the kernel lets it pass in state provisional
 * with a short deadline and byte cap. An approval then extends the grant
 * to the plan; a rejection closes the gate at once, and the guest may send
 * another billing preference for the same session.
 */
#ifndef WICKET_BILLING_H
#define WICKET_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "store_billing.h"

/* What a guest sends: the plan, how it pays, and what that method needs. */
struct billing_preference {
	char plan[STORE_PLAN_NAME_LEN];
	char method[STORE_METHOD_LEN];
	char voucher[32]; /* voucher: the code as typed */
	char room[STORE_ROOM_LEN]; /* room: the room number */
	char surname[STORE_SURNAME_LEN]; /* room: the guest's surname */
	char account[128]; /* remote: User-Name (a card token, a property account) */
	char secret[128]; /* remote: User-Password; never stored, never logged */
};

/* What the guest is told. */
struct billing_outcome {
	uint64_t session_id;
	int64_t request_id;
	char state[STORE_STATE_LEN]; /* "pending", "provisional", "active" or "rejected" */
	char reason[STORE_REQ_REASON_LEN]; /* rejected: why, in words for the guest */
	int64_t deadline_at; /* when the gate closes (0: never) */
	uint64_t byte_cap; /* 0: none */
	unsigned int keepalive_s; /* the interval its helper keeps alive at */
};

struct billing;

/* Approvers' answers since start, for metrics: by method (its bit's index) and result. */
enum billing_result { BILLING_APPROVED, BILLING_REJECTED, BILLING_PROVISIONAL, BILLING_RESULT_COUNT };
#define BILLING_METHOD_COUNT 5 /* the bits of enum store_method */
struct billing_stats {
	uint64_t answers[BILLING_METHOD_COUNT][BILLING_RESULT_COUNT];
};
const struct billing_stats *billing_stats(const struct billing *b);
/* "approved", "rejected", "provisional". */
const char *billing_result_name(enum billing_result r);

int billing_open(struct gateway *gw, struct billing **out, char *err, size_t errlen);
/* Pending remote requests found at start (their answer was lost with the old process) are asked again. */
void billing_resume(struct billing *b);
void billing_close(struct billing *b);

/*
 * The client c sends its billing preference. 0 with out filled (which may
 * say rejected: a wrong voucher is an answer, not an error), or -errno with
 * err saying what to do (no such plan here, a method the plan does not
 * take, a payment already waiting for approval, a blocked client).
 */
int billing_submit(struct billing *b, struct session_client *c, const struct billing_preference *pref,
		   struct billing_outcome *out, char *err, size_t errlen);

/*
 * More of the same: the client's active session bought again (pref->plan
 * "" or the session's plan). Approved, its deadline moves by the plan's
 * time from the current deadline, its cap grows by the plan's bytes and
 * its charge by the plan's price; rejected, the session goes on as it
 * was. -ENOENT when the device has no paid session.
 */
int billing_extend(struct billing *b, struct session_client *c, const struct billing_preference *pref,
		   struct billing_outcome *out, char *err, size_t errlen);

/* The state of the client's session for the guest (after submit, when polling). -ENOENT: none. */
int billing_outcome_of(struct billing *b, uint64_t session_id, struct billing_outcome *out);

/*
 * A clerk decides a pending or provisional request: approve, or reject
 * with reason (may be NULL). decider names the clerk. -EALREADY when it
 * was decided already.
 */
int billing_decide(struct billing *b, int64_t request_id, int approve, const char *reason,
		   const char *decider, char *err, size_t errlen);

/*
 * A guest turned down has BILLING_RETRY_MS to send other billing
 * information on the same session; after that the session ends as
 * "rejected" (billing_expire, called by the accounting sweep).
 */
#define BILLING_RETRY_MS (30 * 60 * 1000)
void billing_expire(struct billing *b, int64_t now_ms);

/*
 * For the remote approver (approve_remote.c), on the loop thread: its
 * answer was too slow, so the guest gets a temporary approval; and its
 * answer. Both -EALREADY when the request was decided meanwhile.
 */
int billing_provisional(struct billing *b, int64_t request_id);
/* What a remote approver may add to its yes: a shorter time, and a Class for accounting. */
struct billing_terms {
	uint32_t session_timeout_s; /* 0: the plan's time */
	const void *class_;
	size_t class_len;
};
int billing_answer(struct billing *b, int64_t request_id, int approved, const char *reason,
		   const char *decider, const struct billing_terms *terms);

#endif
