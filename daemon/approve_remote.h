/*
 * The remote approver (approve_remote.c): a billing request asked of the
 * RADIUS server (Access-Request) on a worker thread, with the temporary
 * approval timer of [billing] provisional_after running on the loop. The
 * answer comes back to the loop and goes to billing_answer().
 */
#ifndef WICKET_APPROVE_REMOTE_H
#define WICKET_APPROVE_REMOTE_H

#include <stddef.h>

#include "billing.h"

struct approve_remote;

int approve_remote_open(struct billing *b, struct gateway *gw, struct approve_remote **out, char *err,
			size_t errlen);
/* Requests still being asked are cancelled; their guests keep what they have until they ask again. */
void approve_remote_close(struct approve_remote *ar);
/* Ask the server about request r (pending); pref holds the credentials, which are not kept. */
void approve_remote_ask(struct approve_remote *ar, const struct store_request *r,
			const struct billing_preference *pref);
/*
 * At start: remote requests still pending in the store lost their
 * answer with the old process; the credentials are gone too, so they are
 * rejected with a reason that asks the guest to send them again. Those
 * on a temporary approval keep it until it runs out.
 */
void approve_remote_resume(struct approve_remote *ar);

#endif
