/*
 * Billing preferences, approvers and the approval state machine (see
 * billing.h). The remote approver's RADIUS exchange is in
 * approve_remote.c; everything here runs on the loop thread.
 */
#include "billing.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "approve_remote.h"
#include "log.h"
#include "store.h"
#include "store_outbox.h"
#include "uapi/wicket.h"

_Static_assert(STORE_METHOD_ALL == (1 << BILLING_METHOD_COUNT) - 1, "one row of answers per way to pay");

struct billing {
	struct gateway *gw;
	struct approve_remote *remote; /* NULL without [radius] */
	struct billing_stats stats;
};

const struct billing_stats *billing_stats(const struct billing *b)
{
	return &b->stats;
}

const char *billing_result_name(enum billing_result r)
{
	static const char *const names[] = { "approved", "rejected", "provisional" };

	return r < BILLING_RESULT_COUNT ? names[r] : "?";
}

/* An answer to a request paid by method (its name), once committed. */
static void count_answer(struct billing *b, const char *method, enum billing_result r)
{
	unsigned int bit = store_method_parse(method);

	if (bit)
		b->stats.answers[__builtin_ctz(bit)][r]++;
}

int billing_open(struct gateway *gw, struct billing **out, char *err, size_t errlen)
{
	struct billing *b = calloc(1, sizeof(*b));
	int ret = 0;

	*out = NULL;
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	b->gw = gw;
	if (gw->config->radius.host[0])
		ret = approve_remote_open(b, gw, &b->remote, err, errlen);
	if (ret) {
		free(b);
		return ret;
	}
	*out = b;
	return 0;
}

void billing_close(struct billing *b)
{
	if (!b)
		return;
	approve_remote_close(b->remote);
	free(b);
}

void billing_resume(struct billing *b)
{
	if (b->remote)
		approve_remote_resume(b->remote);
}

/* The kernel entry of a session's client, found through the store. */
static int session_gate(struct gateway *gw, uint64_t session_id, struct kernel_client *k,
			struct store_session_row *row)
{
	memset(k, 0, sizeof(*k));
	if (store_session_row_get(gw->store, session_id, row))
		return -EIO;
	k->port = if_nametoindex(row->port);
	if (!k->port || kernel_mac_parse(row->mac, k->mac))
		return -ENODEV;
	return 0;
}

/*
 * What is left of a session's byte cap (0: none), for the kernel, whose cap
 * counts down from when it is set: the cap less what the store has counted
 * and what the kernel counted since (its counters are read, not reset).
 */
static uint64_t remaining_bytes(struct gateway *gw, const struct store_session *s,
				const struct kernel_client *key)
{
	struct kernel_client now = *key;
	uint64_t used = s->up_bytes + s->down_bytes;

	if (!s->byte_cap)
		return 0;
	if (kernel_client_get(gw->kernel, &now, 0) == 0)
		used += now.up_bytes + now.down_bytes;
	return used < s->byte_cap ? s->byte_cap - used : 1;
}

/* Open (or close) the gate of a session as the store has it now. */
static int set_gate(struct gateway *gw, uint64_t session_id, uint8_t state, int64_t now)
{
	struct store_session_row row;
	struct kernel_client k;
	int64_t closes;
	int ret = session_gate(gw, session_id, &k, &row);

	if (ret) {
		log_warn("session %llu: its client's port is gone: %s", (unsigned long long)session_id,
			 ret == -EIO ? store_error(gw->store) : "no such interface");
		return ret;
	}
	k.has = KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_TIMEOUT |
		KERNEL_CLIENT_HAS_BYTE_CAP;
	k.state = state;
	if (state == WICKET_STATE_CAPTIVE) {
		k.session = 0;
		k.timeout_ms = 0;
		k.byte_cap = 0;
	} else {
		closes = session_closes_at(gw->config, &row.session);
		k.session = session_id;
		k.timeout_ms = closes ? (closes > now ? (uint64_t)(closes - now) : 1) : 0;
		k.byte_cap = remaining_bytes(gw, &row.session, &k);
	}
	ret = kernel_client_update(gw->kernel, &k, 1);
	if (ret == -ENOENT) {
		/* Not seen since the module was loaded: the store says enough to add it. */
		k.has |= KERNEL_CLIENT_HAS_ADDRS;
		ret = kernel_client_add(gw->kernel, &k, 1);
	}
	if (ret)
		log_warn("session %llu: wicket.ko: %s", (unsigned long long)session_id,
			 kernel_error(gw->kernel));
	return ret;
}

/*
 * Deadline and byte cap of a plan whose time runs from since (the
 * approval, or a voucher's first use by this device); guest (may be NULL)
 * is the room's guest, whose departure ends an until-checkout plan.
 */
static void plan_limits(const struct store_plan *p, const struct store_guest *guest, int64_t since,
			int64_t *deadline, uint64_t *cap)
{
	*deadline = p->duration_s ? since + p->duration_s * 1000 : 0;
	*cap = p->bytes > 0 ? (uint64_t)p->bytes : 0;
	if (!strcmp(p->kind, "until-checkout") && guest && guest->departure)
		*deadline = guest->departure;
}

static int session_is_active(struct billing *b, uint64_t session_id)
{
	struct store_session s;

	return store_session_get(b->gw->store, session_id, &s) == 0 && !strcmp(s.state, "active");
}

/*
 * An approved extension of a running session, inside the caller's
 * transaction: the plan's time from the current deadline (or now, if it
 * has none ahead), its bytes on top of the cap, its price on the charge.
 */
static int extend_in(struct billing *b, const struct store_request *r, const struct store_plan *plan,
		     const char *decider, int64_t now)
{
	struct store *st = b->gw->store;
	struct store_session s;
	struct store_session_bill bill;
	int64_t from, deadline;
	uint64_t cap;
	int ret;

	if ((ret = store_session_get(st, r->session_id, &s)) ||
	    (ret = store_session_bill_get(st, r->session_id, &bill)))
		return ret;
	from = s.deadline_at > now ? s.deadline_at : now;
	deadline = plan->duration_s ? from + plan->duration_s * 1000 : s.deadline_at;
	cap = s.byte_cap && plan->bytes ? s.byte_cap + (uint64_t)plan->bytes : s.byte_cap;
	if ((ret = store_request_decide(st, r->id, "approved", NULL, decider, now)) ||
	    (ret = store_session_limits(st, r->session_id, deadline, cap)) ||
	    (ret = store_session_set_charge(st, r->session_id, bill.charge + plan->price)))
		return ret;
	return store_session_extend(st, r->session_id, deadline, now);
}

/*
 * Approve a request, inside the caller's transaction: the request, the
 * session's plan, limits and charge, and the accounting Start. The gate
 * opens after the commit (open_after).
 */
static int approve_in(struct billing *b, const struct store_request *r, const struct store_guest *guest,
		      int64_t since, const struct billing_terms *terms, const char *decider, int64_t now)
{
	struct store *st = b->gw->store;
	struct store_plan plan;
	char detail[STORE_DETAIL_LEN];
	int64_t deadline;
	uint64_t cap;
	int ret = store_plan_get(st, r->plan_id, &plan);

	if (ret)
		return ret;
	if (session_is_active(b, r->session_id))
		return extend_in(b, r, &plan, decider, now);
	plan_limits(&plan, guest, since, &deadline, &cap);
	/* The approver may grant less time than the plan (RADIUS Session-Timeout), never more. */
	if (terms && terms->session_timeout_s) {
		int64_t until = now + (int64_t)terms->session_timeout_s * 1000;

		deadline = deadline && deadline < until ? deadline : until;
	}
	if (terms && terms->class_len &&
	    (ret = store_session_set_class(st, r->session_id, terms->class_, terms->class_len)))
		return ret;
	snprintf(detail, sizeof(detail), "%s by %s: %s", r->method, decider, plan.name);
	if ((ret = store_request_decide(st, r->id, "approved", NULL, decider, now)) ||
	    (ret = store_session_bill(st, r->session_id, r->plan_id, r->method,
				      r->room[0] ? r->room : NULL)) ||
	    (ret = store_session_approve(st, r->session_id, deadline, cap, now, detail)))
		return ret;
	ret = store_outbox_add(st, r->session_id, "start", now, NULL);
	return ret == -EALREADY ? 0 : ret;
}

/*
 * Reject a request inside the caller's transaction: the guest may try
 * again. A rejected extension leaves the running session as it was.
 */
static int reject_in(struct billing *b, const struct store_request *r, const char *reason,
		     const char *decider, int64_t now)
{
	int ret = store_request_decide(b->gw->store, r->id, "rejected", reason, decider, now);

	if (ret || session_is_active(b, r->session_id))
		return ret;
	return store_session_set_state(b->gw->store, r->session_id, "rejected", reason, now);
}

/*
 * Commit what approve_in or reject_in wrote, then make the kernel follow.
 * *committed (may be NULL) tells a failed commit (nothing happened) from
 * a gate that did not follow.
 */
static int commit_then_gate(struct billing *b, const struct store_request *r, int approved, const char *why,
			    int *committed)
{
	struct store *st = b->gw->store;
	int64_t now = session_now_ms();
	int ret = store_commit(st);

	if (committed)
		*committed = !ret;
	if (ret) {
		log_err("request %lld: store: %s", (long long)r->id, store_error(st));
		store_rollback(st);
		return ret;
	}
	count_answer(b, r->method, approved ? BILLING_APPROVED : BILLING_REJECTED);
	log_info("session %llu %s: %s", (unsigned long long)r->session_id, approved ? "approved" : "rejected",
		 why ? why : "");
	if (approved)
		return set_gate(b->gw, r->session_id, WICKET_STATE_AUTHORIZED, now);
	/* A temporary approval ends with the rejection; a pending one had nothing open. */
	return strcmp(r->state, "provisional") ? 0
					       : set_gate(b->gw, r->session_id, WICKET_STATE_CAPTIVE, now);
}

/* Decide a request in its own transaction. */
static int decide(struct billing *b, const struct store_request *r, int approved,
		  const struct billing_terms *terms, const char *reason, const char *decider)
{
	int64_t now = session_now_ms();
	int ret = store_begin(b->gw->store);

	if (!ret)
		ret = approved ? approve_in(b, r, NULL, now, terms, decider, now)
			       : reject_in(b, r, reason, decider, now);
	if (ret) {
		log_err("request %lld: store: %s", (long long)r->id, store_error(b->gw->store));
		store_rollback(b->gw->store);
		return ret;
	}
	return commit_then_gate(b, r, approved, approved ? decider : reason, NULL);
}

int billing_provisional(struct billing *b, int64_t request_id)
{
	struct store *st = b->gw->store;
	const struct wicket_config *cfg = b->gw->config;
	int64_t now = session_now_ms();
	struct store_request r;
	char detail[96];
	int ret = store_request_get(st, request_id, &r);

	if (ret || strcmp(r.state, "pending"))
		return ret ? ret : -EALREADY;
	/* An extension being confirmed: the guest still has the time it paid for. */
	if (session_is_active(b, r.session_id))
		return 0;
	snprintf(detail, sizeof(detail), "temporary: %u min, %llu MB while %s confirms",
		 cfg->billing.provisional_minutes,
		 (unsigned long long)(cfg->billing.provisional_bytes / 1000000), r.method);
	ret = store_begin(st);
	if (!ret)
		ret = store_request_decide(st, r.id, "provisional", NULL, "timeout", now);
	if (!ret)
		ret = store_session_set_state(st, r.session_id, "provisional", detail, now);
	if (!ret)
		ret = store_session_limits(st, r.session_id,
					   now + (int64_t)cfg->billing.provisional_minutes * 60000,
					   cfg->billing.provisional_bytes);
	if (!ret)
		ret = store_commit(st);
	if (ret) {
		log_err("temporary approval of request %lld: store: %s", (long long)r.id, store_error(st));
		store_rollback(st);
		return ret;
	}
	count_answer(b, r.method, BILLING_PROVISIONAL);
	log_info("session %llu: %s", (unsigned long long)r.session_id, detail);
	return set_gate(b->gw, r.session_id, WICKET_STATE_PROVISIONAL, now);
}

int billing_answer(struct billing *b, int64_t request_id, int approved, const char *reason,
		   const char *decider, const struct billing_terms *terms)
{
	struct store_request r;
	int ret = store_request_get(b->gw->store, request_id, &r);

	if (ret)
		return ret;
	if (strcmp(r.state, "pending") && strcmp(r.state, "provisional"))
		return -EALREADY;
	return decide(b, &r, approved, terms, reason, decider);
}

int billing_decide(struct billing *b, int64_t request_id, int approved, const char *reason,
		   const char *decider, char *err, size_t errlen)
{
	int ret = billing_answer(b, request_id, approved, reason, decider, NULL);

	if (ret == -ENOENT)
		snprintf(err, errlen, "no request %lld (wicketctl pending lists them)",
			 (long long)request_id);
	else if (ret == -EALREADY)
		snprintf(err, errlen, "request %lld was decided already", (long long)request_id);
	else if (ret)
		snprintf(err, errlen, "store: %s", store_error(b->gw->store));
	return ret;
}

struct plan_hit {
	int64_t id;
	int hit;
};

static int note_hit(const struct store_plan *p, void *arg)
{
	struct plan_hit *h = arg;

	h->hit |= p->id == h->id;
	return 0;
}

/* The plan named name, if it is offered on the client's port (the rule the guest's list is made with). */
static int offered_plan(struct gateway *gw, const struct session_client *c, const char *name,
			struct store_plan *plan)
{
	struct store_port port = { 0 };
	struct plan_hit h = { 0 };
	int ret;

	store_port_get(gw->store, c->port, &port);
	if (store_plan_find(gw->store, name, plan) || plan->retired_at)
		return -ENOENT;
	h.id = plan->id;
	ret = store_plans_offered(gw->store, c->port, port.room, note_hit, &h);
	if (ret < 0)
		return ret;
	return h.hit ? 0 : -ENOENT;
}

/* The session the request goes to: the client's own, back to pending, or a new one. */
static int pending_session(struct gateway *gw, struct session_client *c, int64_t now, char *err,
			   size_t errlen)
{
	struct store_session s;
	int ret;

	if (!c->session_id)
		return store_session_start(gw->store, c->client_id, "pending", 0, 0, NULL, 0, now,
					   &c->session_id);
	ret = store_session_get(gw->store, c->session_id, &s);
	if (ret)
		return ret;
	if (!strcmp(s.state, "pending") || !strcmp(s.state, "provisional")) {
		snprintf(err, errlen,
			 "a payment of this device is waiting for approval: wait for its answer");
		return -EBUSY;
	}
	if (!strcmp(s.state, "active")) {
		snprintf(err, errlen, "this device is connected already (session %llu)",
			 (unsigned long long)c->session_id);
		return -EALREADY;
	}
	return store_session_set_state(gw->store, c->session_id, "pending", "billing preference sent again",
				       now);
}

/* What staff see of a payment: never a secret. */
static void request_detail(const struct billing_preference *pref, unsigned int method, char *buf, size_t len)
{
	size_t n = strlen(pref->account);

	buf[0] = '\0';
	if (method == STORE_METHOD_VOUCHER)
		snprintf(buf, len, "voucher %s", pref->voucher);
	else if (method == STORE_METHOD_ROOM)
		snprintf(buf, len, "room %.40s, %.64s", pref->room, pref->surname);
	else if (method == STORE_METHOD_REMOTE)
		snprintf(buf, len, "account ...%s", n > 4 ? pref->account + n - 4 : "");
}

/* A local approver's answer, in the open transaction; *approved and the reason for the guest. */
static int ask_local(struct billing *b, const struct session_client *c, const struct store_plan *plan,
		     const struct store_request *r, const struct billing_preference *pref,
		     unsigned int method, int extend, int *approved, struct store_guest *guest,
		     int64_t *since, const char **reason)
{
	struct store_voucher v;
	int64_t now = session_now_ms();
	int ret;

	*approved = 1;
	*since = now;
	if (method == STORE_METHOD_FREE)
		return 0;
	if (method == STORE_METHOD_ROOM) {
		ret = store_guest_match(b->gw->store, pref->room, pref->surname, now, guest);
		*approved = ret == 0;
		*reason = "the room and surname do not match a guest staying with us: check both, or ask the "
			  "front desk";
		return ret == -ENOENT ? 0 : ret;
	}
	/* Voucher: it must be one of this plan's. */
	ret = store_voucher_get(b->gw->store, pref->voucher, &v);
	if (!ret && v.plan_id != plan->id) {
		*approved = 0;
		*reason = "this voucher is for another plan: choose the plan printed on it";
		return 0;
	}
	if (!ret)
		ret = store_voucher_redeem(b->gw->store, pref->voucher, c->client_id, r->session_id, now,
					   NULL, since);
	*approved = ret == 0;
	switch (ret) {
	case -ENOENT:
		*reason = "unknown voucher code: check it, or ask the front desk";
		return 0;
	case -EKEYREVOKED:
		*reason = "this voucher is no longer valid";
		return 0;
	case -EUSERS:
		*reason = "this voucher has been used on as many devices as it allows";
		return 0;
	case -ESTALE:
		*reason = "this voucher's plan is no longer offered";
		return 0;
	}
	/* A voucher pays once per device: not for an extension after it, and not past its time. */
	if (!ret && extend && *since < now) {
		*approved = 0;
		*reason = "this voucher has paid for this device already: use another one";
	} else if (!ret && plan->duration_s && *since + plan->duration_s * 1000 <= now) {
		*approved = 0;
		*reason = "this voucher's time has run out";
	}
	return ret;
}

static int submit_error(struct billing *b, int ret, char *err, size_t errlen)
{
	if (!err[0])
		snprintf(err, errlen, "store: %s", store_error(b->gw->store));
	store_rollback(b->gw->store);
	return ret;
}

/* An extension must be of the running session's own plan (its rates stay what they were sold at). */
static int extendable(struct billing *b, struct session_client *c, struct billing_preference *pref, char *err,
		      size_t errlen)
{
	struct store_session_bill bill;
	struct store_plan plan;

	if (!c->session_id || !session_is_active(b, c->session_id) ||
	    store_session_bill_get(b->gw->store, c->session_id, &bill) || !bill.plan_id ||
	    store_plan_get(b->gw->store, bill.plan_id, &plan)) {
		snprintf(err, errlen, "this device has no paid session to extend: choose a plan");
		return -ENOENT;
	}
	if (!pref->plan[0])
		snprintf(pref->plan, sizeof(pref->plan), "%s", plan.name);
	if (strcmp(pref->plan, plan.name)) {
		snprintf(err, errlen, "a session is extended with its own plan, \"%s\"", plan.name);
		return -EINVAL;
	}
	return 0;
}

/* pref is the caller's copy: an extension fills in its plan. */
static int submit(struct billing *b, struct session_client *c, struct billing_preference *pref, int extend,
		  struct billing_outcome *out, char *err, size_t errlen)
{
	struct gateway *gw = b->gw;
	struct store_guest guest = { 0 };
	struct store_plan plan;
	struct store_request r;
	unsigned int method = store_method_parse(pref->method);
	char detail[STORE_REQ_DETAIL_LEN], methods[STORE_METHODS_LEN];
	const char *reason = NULL;
	int64_t now = session_now_ms(), since;
	int approved, committed, ret;

	err[0] = '\0';
	if (c->blocked) {
		snprintf(err, errlen, "this device is blocked: ask the front desk");
		return -EPERM;
	}
	if (extend && (ret = extendable(b, c, pref, err, errlen)))
		return ret;
	if (offered_plan(gw, c, pref->plan, &plan)) {
		snprintf(err, errlen, "no plan \"%.64s\" is offered here: choose one of the plans listed",
			 pref->plan);
		return -ENOENT;
	}
	if (!(plan.methods & method)) {
		store_methods_format(plan.methods, methods, sizeof(methods));
		snprintf(err, errlen, "plan \"%s\" is paid by: %s", plan.name, methods);
		return -EINVAL;
	}
	if (method == STORE_METHOD_REMOTE && !b->remote) {
		snprintf(err, errlen, "this gateway cannot take %s payments: choose another way to pay",
			 pref->method);
		return -EOPNOTSUPP;
	}
	request_detail(pref, method, detail, sizeof(detail));
	ret = store_begin(gw->store);
	if (!ret && !extend)
		ret = pending_session(gw, c, now, err, errlen);
	if (!ret)
		ret = store_request_add(gw->store, c->session_id, plan.id, pref->method,
					detail[0] ? detail : NULL,
					method == STORE_METHOD_ROOM ? pref->room : NULL, now, &r.id);
	if (!ret)
		ret = store_request_get(gw->store, r.id, &r);
	if (ret)
		return submit_error(b, ret, err, errlen);
	if (method == STORE_METHOD_STAFF || method == STORE_METHOD_REMOTE) {
		/* Asked later: a clerk (wicketctl pending), or the RADIUS server once this is committed. */
		ret = store_commit(gw->store);
		if (ret)
			return submit_error(b, ret, err, errlen);
		if (method == STORE_METHOD_REMOTE)
			approve_remote_ask(b->remote, &r, pref);
		else
			log_info("session %llu: waiting for staff (request %lld)",
				 (unsigned long long)r.session_id, (long long)r.id);
		return billing_outcome_of(b, c->session_id, out);
	}
	ret = ask_local(b, c, &plan, &r, pref, method, extend, &approved, &guest, &since, &reason);
	if (!ret)
		ret = approved ? approve_in(b, &r, &guest, since, NULL, pref->method, now)
			       : reject_in(b, &r, reason, pref->method, now);
	if (ret)
		return submit_error(b, ret, err, errlen);
	/* A commit refused (a full disk) is the guest's answer: nothing was sold, nothing to show. */
	ret = commit_then_gate(b, &r, approved, approved ? pref->method : reason, &committed);
	if (!committed)
		return submit_error(b, ret, err, errlen);
	return billing_outcome_of(b, c->session_id, out);
}

int billing_submit(struct billing *b, struct session_client *c, const struct billing_preference *pref,
		   struct billing_outcome *out, char *err, size_t errlen)
{
	struct billing_preference copy = *pref;
	int ret = submit(b, c, &copy, 0, out, err, errlen);

	OPENSSL_cleanse(copy.secret, sizeof(copy.secret));
	return ret;
}

int billing_extend(struct billing *b, struct session_client *c, const struct billing_preference *pref,
		   struct billing_outcome *out, char *err, size_t errlen)
{
	struct billing_preference copy = *pref;
	int ret = submit(b, c, &copy, 1, out, err, errlen);

	OPENSSL_cleanse(copy.secret, sizeof(copy.secret));
	return ret;
}

int billing_outcome_of(struct billing *b, uint64_t session_id, struct billing_outcome *out)
{
	struct store_session s;
	struct store_request r;
	int ret = store_session_get(b->gw->store, session_id, &s);

	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->session_id = session_id;
	snprintf(out->state, sizeof(out->state), "%s", s.state);
	out->deadline_at = session_closes_at(b->gw->config, &s);
	out->byte_cap = s.byte_cap;
	out->keepalive_s = s.keepalive_s ? (unsigned int)s.keepalive_s : b->gw->config->keepalive.interval;
	if (store_request_latest(b->gw->store, session_id, &r) == 0) {
		out->request_id = r.id;
		if (!strcmp(s.state, "rejected"))
			snprintf(out->reason, sizeof(out->reason), "%s", r.reason);
	}
	return 0;
}

static int end_rejected(uint64_t session_id, void *arg)
{
	struct billing *b = arg;

	if (store_session_end(b->gw->store, session_id, "rejected", session_now_ms()))
		log_warn("session %llu: store: %s", (unsigned long long)session_id,
			 store_error(b->gw->store));
	else
		log_info("session %llu ended: rejected, and no other payment came",
			 (unsigned long long)session_id);
	return 0;
}

void billing_expire(struct billing *b, int64_t now_ms)
{
	if (store_sessions_rejected_before(b->gw->store, now_ms - BILLING_RETRY_MS, end_rejected, b) < 0)
		log_warn("ending rejected sessions: store: %s", store_error(b->gw->store));
}
