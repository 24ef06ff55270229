/*
 * The remote approver: Access-Request on a worker thread, the temporary
 * approval timer on the loop (see approve_remote.h).
 */
#include "approve_remote.h"

#include <errno.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "log.h"
#include "radius.h"
#include "store.h"
#include "workers.h"

/* One request being asked: what the worker sends, and what it got. */
struct asking {
	struct approve_remote *ar;
	struct asking *next;
	int64_t request_id;
	struct event *timer; /* the temporary approval, if the answer is slow */
	/* Copies for the worker thread, which must not touch the store. */
	uint64_t session_id;
	int64_t price;
	char mac[STORE_MAC_LEN], port[STORE_IFNAME_LEN], plan[STORE_PLAN_NAME_LEN];
	char currency[STORE_CURRENCY_LEN], room[STORE_ROOM_LEN];
	char account[128], secret[128];
	struct radius_auth_result result;
	char error[256];
};

struct approve_remote {
	struct billing *billing;
	struct gateway *gw;
	struct asking *asking; /* in flight, for close */
};

int approve_remote_open(struct billing *b, struct gateway *gw, struct approve_remote **out, char *err,
			size_t errlen)
{
	struct approve_remote *ar = calloc(1, sizeof(*ar));

	if (!ar) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ar->billing = b;
	ar->gw = gw;
	*out = ar;
	return 0;
}

static void forget(struct asking *a)
{
	struct asking **p = &a->ar->asking;

	while (*p && *p != a)
		p = &(*p)->next;
	if (*p)
		*p = a->next;
	if (a->timer)
		event_free(a->timer);
	OPENSSL_cleanse(a->secret, sizeof(a->secret));
	free(a);
}

void approve_remote_close(struct approve_remote *ar)
{
	if (!ar)
		return;
	/* The worker pool is closed first (main.c): every job's done() has run and forgotten it. */
	while (ar->asking)
		forget(ar->asking);
	free(ar);
}

/* The answer is slow: a temporary approval, so the guest is not left waiting. */
static void on_slow(evutil_socket_t fd, short what, void *arg)
{
	struct asking *a = arg;

	(void)fd;
	(void)what;
	billing_provisional(a->ar->billing, a->request_id);
}

/* Worker thread: the exchange with the RADIUS server, nothing else. */
static void ask(void *arg)
{
	struct asking *a = arg;
	struct radius_auth_request q = {
		.session_id = a->session_id,
		.mac = a->mac,
		.port = a->port,
		.user_name = a->account,
		.password = a->secret,
		.plan = a->plan,
		.price = a->price,
		.currency = a->currency,
		.room = a->room,
	};

	radius_auth(a->ar->gw->radius, &q, &a->result, a->error, sizeof(a->error));
	OPENSSL_cleanse(a->secret, sizeof(a->secret));
}

/* Loop thread: the answer goes to billing. */
static void answered(void *arg, int cancelled)
{
	struct asking *a = arg;
	struct billing_terms terms = {
		.session_timeout_s = a->result.session_timeout_s,
		.class_ = a->result.class_,
		.class_len = a->result.class_len,
	};
	const char *reason = NULL;
	int ret = 0;

	if (cancelled) {
		forget(a);
		return;
	}
	switch (a->result.verdict) {
	case RADIUS_ACCEPT:
		ret = billing_answer(a->ar->billing, a->request_id, 1, NULL, "radius", &terms);
		break;
	case RADIUS_REJECT:
		reason = a->result.reply_message[0] ? a->result.reply_message : "the payment was declined";
		ret = billing_answer(a->ar->billing, a->request_id, 0, reason, "radius", NULL);
		break;
	case RADIUS_TIMEOUT:
		/*
		 * No answer is no decision: the temporary approval stands (it is
		 * given now if the timer has not given it yet) and runs out by
		 * itself, when the kernel closes the gate at its deadline.
		 */
		log_warn("request %lld: RADIUS: %s; the temporary approval stands", (long long)a->request_id,
			 a->error);
		ret = billing_provisional(a->ar->billing, a->request_id);
		break;
	case RADIUS_ERROR:
		log_warn("request %lld: RADIUS: %s", (long long)a->request_id, a->error);
		reason = "the payment service could not be asked: try again in a moment, or choose another "
			 "way "
			 "to pay";
		ret = billing_answer(a->ar->billing, a->request_id, 0, reason, "radius", NULL);
		break;
	}
	if (ret && ret != -EALREADY)
		log_err("request %lld: the RADIUS answer could not be recorded", (long long)a->request_id);
	forget(a);
}

void approve_remote_ask(struct approve_remote *ar, const struct store_request *r,
			const struct billing_preference *pref)
{
	struct gateway *gw = ar->gw;
	struct timeval slow = { .tv_sec = gw->config->billing.provisional_after };
	struct asking *a = calloc(1, sizeof(*a));
	struct store_session_row row;
	struct store_plan plan = { 0 };
	struct store_port port = { 0 };

	if (!a || store_session_row_get(gw->store, r->session_id, &row)) {
		free(a);
		billing_answer(ar->billing, r->id, 0, "the gateway could not ask for the payment: try again",
			       "radius", NULL);
		return;
	}
	store_plan_get(gw->store, r->plan_id, &plan);
	store_port_get(gw->store, row.port, &port);
	snprintf(a->room, sizeof(a->room), "%s", r->room[0] ? r->room : port.room);
	a->ar = ar;
	a->request_id = r->id;
	a->session_id = r->session_id;
	a->price = plan.price;
	snprintf(a->mac, sizeof(a->mac), "%s", row.mac);
	snprintf(a->port, sizeof(a->port), "%s", row.port);
	snprintf(a->plan, sizeof(a->plan), "%s", plan.name);
	snprintf(a->currency, sizeof(a->currency), "%s", plan.currency);
	snprintf(a->account, sizeof(a->account), "%s", pref->account);
	snprintf(a->secret, sizeof(a->secret), "%s", pref->secret);
	a->timer = evtimer_new(gw->base, on_slow, a);
	if (!a->timer || evtimer_add(a->timer, &slow) || workers_submit(gw->workers, ask, answered, a)) {
		forget(a);
		billing_answer(ar->billing, r->id, 0, "the gateway is busy: try again in a moment", "radius",
			       NULL);
		return;
	}
	a->next = ar->asking;
	ar->asking = a;
}

struct open_remote {
	int64_t ids[256];
	size_t n;
};

static int note_open(const struct store_request_row *r, void *arg)
{
	struct open_remote *o = arg;

	/* A temporary approval runs out by itself; only those never answered at all are told. */
	if (!strcmp(r->request.method, "remote") && !strcmp(r->request.state, "pending") &&
	    o->n < sizeof(o->ids) / sizeof(o->ids[0]))
		o->ids[o->n++] = r->request.id;
	return 0;
}

void approve_remote_resume(struct approve_remote *ar)
{
	struct open_remote o = { .n = 0 };

	store_requests_open(ar->gw->store, note_open, &o);
	for (size_t i = 0; i < o.n; i++)
		billing_answer(ar->billing, o.ids[i], 0,
			       "the gateway restarted before the payment was confirmed: please send it again",
			       "restart", NULL);
}
