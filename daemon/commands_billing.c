/*
 * The billing commands of the control socket (shapes documented in
 * wicketctl.c): plans, vouchers, the guest list, pending requests and the
 * clerk's decisions, revenue reports, and a billing preference sent for a
 * guest (submit: the front desk selling at the desk, and the tests).
 */
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "billing.h"
#include "control.h"
#include "gateway.h"
#include "session.h"
#include "store.h"
#include "store_billing.h"

static json_t *int_or_null(int64_t v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static int offer_json(const char *port, const char *room, void *arg)
{
	json_array_append_new(arg,
			      json_pack("{s:o, s:o}", "port", str_or_null(port), "room", str_or_null(room)));
	return 0;
}

static json_t *methods_json(unsigned int methods)
{
	json_t *list = json_array();

	for (unsigned int m = 1; m <= STORE_METHOD_ALL; m <<= 1)
		if (methods & m)
			json_array_append_new(list, json_string(store_method_name(m)));
	return list;
}

static json_t *plan_json(struct store *st, const struct store_plan *p)
{
	json_t *offered = json_array();

	store_plan_offers(st, p->id, offer_json, offered);
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)p->id, "name", p->name, "kind", p->kind, "price", (json_int_t)p->price,
			 "currency", p->currency, "per_minute", (json_int_t)p->per_minute, "per_mb",
			 (json_int_t)p->per_mb, "duration_s", int_or_null(p->duration_s), "bytes",
			 int_or_null(p->bytes), "idle_timeout_s", int_or_null(p->idle_timeout_s),
			 "keepalive_s", int_or_null(p->keepalive_s), "methods", methods_json(p->methods),
			 "offered", offered, "retired", int_or_null(p->retired_at / 1000));
}

struct plan_list {
	struct store *st;
	json_t *list;
};

static int list_plan(const struct store_plan *p, void *arg)
{
	struct plan_list *l = arg;

	json_array_append_new(l->list, plan_json(l->st, p));
	return 0;
}

static json_t *store_failed(struct gateway *gw, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", store_error(gw->store));
	return NULL;
}

static json_t *cmd_plans(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			 size_t errlen)
{
	struct gateway *gw = arg;
	struct plan_list l = { gw->store, json_array() };

	(void)peer;
	if (store_plan_list(gw->store, json_is_true(json_object_get(args, "all")), list_plan, &l)) {
		json_decref(l.list);
		return store_failed(gw, err, errlen);
	}
	return l.list;
}

/* An optional non-negative integer field: 0 when absent or null; -1 when bad. */
static int64_t opt_int(const json_t *args, const char *key)
{
	const json_t *v = json_object_get(args, key);

	if (!v || json_is_null(v))
		return 0;
	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
}

/* The plan fields present in args, over p; err says what is wrong. */
static int plan_from_args(const json_t *args, struct store_plan *p, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} ints[] = {
		{ "price", offsetof(struct store_plan, price) },
		{ "per_minute", offsetof(struct store_plan, per_minute) },
		{ "per_mb", offsetof(struct store_plan, per_mb) },
		{ "duration_s", offsetof(struct store_plan, duration_s) },
		{ "bytes", offsetof(struct store_plan, bytes) },
		{ "idle_timeout_s", offsetof(struct store_plan, idle_timeout_s) },
		{ "keepalive_s", offsetof(struct store_plan, keepalive_s) },
	};
	const char *kind = json_string_value(json_object_get(args, "kind"));
	const char *currency = json_string_value(json_object_get(args, "currency"));
	const json_t *methods = json_object_get(args, "methods"), *m;
	size_t i;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		int64_t v = opt_int(args, ints[i].key);

		if (v < 0) {
			snprintf(err, errlen, "%s: give a whole number of at least 0", ints[i].key);
			return -EINVAL;
		}
		if (json_object_get(args, ints[i].key))
			*(int64_t *)((char *)p + ints[i].off) = v;
	}
	if (kind)
		snprintf(p->kind, sizeof(p->kind), "%s", kind);
	if (currency)
		snprintf(p->currency, sizeof(p->currency), "%s", currency);
	if (methods) {
		p->methods = 0;
		json_array_foreach(methods, i, m)
		{
			unsigned int bit = json_is_string(m) ? store_method_parse(json_string_value(m)) : 0;

			if (!bit) {
				snprintf(err, errlen,
					 "methods: give some of free, remote, room, staff, voucher");
				return -EINVAL;
			}
			p->methods |= bit;
		}
	}
	return 0;
}

/* Replace a plan's offers with args' "offered" list, if it has one. */
static int offers_from_args(struct store *st, int64_t plan_id, const json_t *args, char *err, size_t errlen)
{
	const json_t *offered = json_object_get(args, "offered"), *o;
	size_t i;
	int ret;

	if (!offered)
		return 0;
	if (!json_is_array(offered)) {
		snprintf(err, errlen, "offered: give a list of {\"port\": IFACE}, {\"room\": ROOM} or {}");
		return -EINVAL;
	}
	ret = store_plan_offers_clear(st, plan_id);
	json_array_foreach(offered, i, o)
	{
		if (ret)
			break;
		ret = store_plan_offer(st, plan_id, json_string_value(json_object_get(o, "port")),
				       json_string_value(json_object_get(o, "room")));
	}
	if (ret)
		snprintf(err, errlen, "%s", store_error(st));
	return ret;
}

/* Write a plan and its offers in one transaction; the plan as it is now. */
static json_t *plan_write(struct gateway *gw, const json_t *args, struct store_plan *p, int add, char *err,
			  size_t errlen)
{
	int ret = plan_from_args(args, p, err, errlen);

	if (ret)
		return NULL;
	if (add && !json_object_get(args, "offered")) {
		snprintf(err, errlen, "offered: say where the plan is offered ([{}] for everywhere)");
		return NULL;
	}
	ret = store_begin(gw->store);
	if (!ret)
		ret = add ? store_plan_add(gw->store, p, session_now_ms(), &p->id)
			  : store_plan_update(gw->store, p);
	if (ret)
		snprintf(err, errlen, "%s", store_error(gw->store));
	if (!ret)
		ret = offers_from_args(gw->store, p->id, args, err, errlen);
	if (!ret && (ret = store_commit(gw->store)))
		snprintf(err, errlen, "%s", store_error(gw->store));
	if (ret) {
		store_rollback(gw->store);
		return NULL;
	}
	if (store_plan_get(gw->store, p->id, p))
		return store_failed(gw, err, errlen);
	return plan_json(gw->store, p);
}

static json_t *cmd_plan_add(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			    size_t errlen)
{
	struct store_plan p = { 0 };
	const char *name = json_string_value(json_object_get(args, "name"));

	(void)peer;
	if (!name) {
		snprintf(err, errlen, "name the plan");
		return NULL;
	}
	snprintf(p.name, sizeof(p.name), "%s", name);
	return plan_write(arg, args, &p, 1, err, errlen);
}

/* The plan a command names by its "name" argument. */
static int named_plan(struct gateway *gw, const json_t *args, struct store_plan *p, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "name"));

	if (!name) {
		snprintf(err, errlen, "name the plan");
		return -EINVAL;
	}
	if (store_plan_find(gw->store, name, p)) {
		snprintf(err, errlen, "no plan \"%.64s\" (wicketctl plans lists them)", name);
		return -ENOENT;
	}
	return 0;
}

static json_t *cmd_plan_set(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			    size_t errlen)
{
	struct store_plan p;

	(void)peer;
	if (named_plan(arg, args, &p, err, errlen))
		return NULL;
	return plan_write(arg, args, &p, 0, err, errlen);
}

static json_t *cmd_plan_retire(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			       size_t errlen)
{
	struct gateway *gw = arg;
	struct store_plan p;

	(void)peer;
	if (named_plan(gw, args, &p, err, errlen))
		return NULL;
	if (store_plan_retire(gw->store, p.id, session_now_ms()) || store_plan_get(gw->store, p.id, &p))
		return store_failed(gw, err, errlen);
	return plan_json(gw->store, &p);
}

static json_t *voucher_json(struct store *st, const struct store_voucher *v)
{
	struct store_plan p = { 0 };

	store_plan_get(st, v->plan_id, &p);
	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:I, s:o}", "code", v->code, "plan", p.name, "devices",
			 (json_int_t)v->devices, "used", (json_int_t)v->used, "batch", v->batch, "created",
			 (json_int_t)(v->created_at / 1000), "revoked", int_or_null(v->revoked_at / 1000));
}

static int made_voucher(const struct store_voucher *v, void *arg)
{
	json_array_append_new(arg,
			      json_pack("{s:s, s:I}", "code", v->code, "devices", (json_int_t)v->devices));
	return 0;
}

static json_t *cmd_vouchers_create(const json_t *args, const struct control_peer *peer, void *arg, char *err,
				   size_t errlen)
{
	struct gateway *gw = arg;
	json_int_t count = json_integer_value(json_object_get(args, "count"));
	json_int_t devices =
		json_object_get(args, "devices") ? json_integer_value(json_object_get(args, "devices")) : 1;
	const char *name = json_string_value(json_object_get(args, "plan"));
	json_t *made = json_array();
	struct store_plan p;
	char batch[STORE_BATCH_LEN];
	time_t now = time(NULL);
	struct tm tm;

	(void)peer;
	if (count < 1 || count > 10000 || devices < 1 || devices > 1000) {
		snprintf(err, errlen, "give a count of 1 to 10000 and devices of 1 to 1000");
		json_decref(made);
		return NULL;
	}
	if (!name || store_plan_find(gw->store, name, &p)) {
		snprintf(err, errlen, "no plan \"%.64s\" (wicketctl plans lists them)", name ? name : "");
		json_decref(made);
		return NULL;
	}
	/* The batch is named by when it was made, to the second: what a clerk can find again. */
	localtime_r(&now, &tm);
	strftime(batch, sizeof(batch), "%Y%m%d-%H%M%S", &tm);
	if (store_vouchers_create(gw->store, p.id, (unsigned int)count, (unsigned int)devices, batch,
				  session_now_ms(), made_voucher, made)) {
		json_decref(made);
		return store_failed(gw, err, errlen);
	}
	return json_pack("{s:s, s:s, s:o}", "batch", batch, "plan", p.name, "vouchers", made);
}

struct voucher_list {
	struct store *st;
	json_t *list;
};

static int list_voucher(const struct store_voucher *v, void *arg)
{
	struct voucher_list *l = arg;

	json_array_append_new(l->list, voucher_json(l->st, v));
	return 0;
}

static json_t *cmd_vouchers(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			    size_t errlen)
{
	struct gateway *gw = arg;
	struct voucher_list l = { gw->store, json_array() };

	(void)peer;
	if (store_vouchers_list(gw->store, json_string_value(json_object_get(args, "batch")), list_voucher,
				&l)) {
		json_decref(l.list);
		return store_failed(gw, err, errlen);
	}
	return l.list;
}

static json_t *cmd_guests_import(const json_t *args, const struct control_peer *peer, void *arg, char *err,
				 size_t errlen)
{
	struct gateway *gw = arg;
	const json_t *guests = json_object_get(args, "guests"), *g;
	struct store_guest *list;
	size_t i, n = json_array_size(guests);
	int ret;

	(void)peer;
	if (!json_is_array(guests)) {
		snprintf(err, errlen, "guests: give a list of guests");
		return NULL;
	}
	list = calloc(n + 1, sizeof(*list));
	if (!list) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_array_foreach(guests, i, g)
	{
		const char *room = json_string_value(json_object_get(g, "room"));
		const char *surname = json_string_value(json_object_get(g, "surname"));
		const char *folio = json_string_value(json_object_get(g, "folio"));

		if (!room || !surname || opt_int(g, "arrival") < 0 || opt_int(g, "departure") < 0) {
			snprintf(err, errlen,
				 "guest %zu: give room, surname and optional arrival, departure "
				 "(unix seconds) and folio",
				 i + 1);
			free(list);
			return NULL;
		}
		snprintf(list[i].room, sizeof(list[i].room), "%s", room);
		snprintf(list[i].surname, sizeof(list[i].surname), "%s", surname);
		snprintf(list[i].folio, sizeof(list[i].folio), "%s", folio ? folio : "");
		list[i].arrival = opt_int(g, "arrival") * 1000;
		list[i].departure = opt_int(g, "departure") * 1000;
	}
	ret = store_guests_replace(gw->store, list, n, session_now_ms());
	free(list);
	if (ret)
		return store_failed(gw, err, errlen);
	return json_pack("{s:I}", "imported", (json_int_t)n);
}

static int list_guest(const struct store_guest *g, void *arg)
{
	json_array_append_new(arg,
			      json_pack("{s:s, s:s, s:o, s:o, s:o}", "room", g->room, "surname", g->surname,
					"arrival", int_or_null(g->arrival / 1000), "departure",
					int_or_null(g->departure / 1000), "folio", str_or_null(g->folio)));
	return 0;
}

static json_t *cmd_guests(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	struct gateway *gw = arg;
	json_t *list = json_array();

	(void)args;
	(void)peer;
	if (store_guests_list(gw->store, list_guest, list)) {
		json_decref(list);
		return store_failed(gw, err, errlen);
	}
	return list;
}

static json_t *request_json(const struct store_request *r, const char *mac, const char *port,
			    const char *plan)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:I, s:o, s:o}", "id",
			 (json_int_t)r->id, "session", (json_int_t)r->session_id, "mac", mac, "port", port,
			 "plan", plan, "method", r->method, "detail", str_or_null(r->detail), "room",
			 str_or_null(r->room), "state", r->state, "reason", str_or_null(r->reason), "created",
			 (json_int_t)(r->created_at / 1000), "decided", int_or_null(r->decided_at / 1000),
			 "decided_by", str_or_null(r->decided_by));
}

static int list_request(const struct store_request_row *r, void *arg)
{
	json_array_append_new(arg, request_json(&r->request, r->mac, r->port, r->plan));
	return 0;
}

static json_t *cmd_pending(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			   size_t errlen)
{
	struct gateway *gw = arg;
	json_t *list = json_array();

	(void)args;
	(void)peer;
	if (store_requests_open(gw->store, list_request, list)) {
		json_decref(list);
		return store_failed(gw, err, errlen);
	}
	return list;
}

/* approve and reject: the clerk, by user name, decides. */
static json_t *decide_command(const json_t *args, const struct control_peer *peer, struct gateway *gw,
			      int approve, char *err, size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(args, "id"));
	const char *reason = json_string_value(json_object_get(args, "reason"));
	struct passwd *pw = getpwuid(peer->uid);
	char decider[STORE_DECIDER_LEN];
	struct store_session_row row;
	struct store_request r;
	struct store_plan p = { 0 };

	if (id < 1) {
		snprintf(err, errlen, "give the request's number (wicketctl pending lists them)");
		return NULL;
	}
	snprintf(decider, sizeof(decider), "%s", pw ? pw->pw_name : "staff");
	if (billing_decide(gw->billing, id, approve, reason ? reason : (approve ? NULL : "rejected by staff"),
			   decider, err, errlen))
		return NULL;
	if (store_request_get(gw->store, id, &r) || store_session_row_get(gw->store, r.session_id, &row))
		return store_failed(gw, err, errlen);
	store_plan_get(gw->store, r.plan_id, &p);
	return request_json(&r, row.mac, row.port, p.name);
}

static json_t *cmd_approve(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			   size_t errlen)
{
	return decide_command(args, peer, arg, 1, err, errlen);
}

static json_t *cmd_reject(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	return decide_command(args, peer, arg, 0, err, errlen);
}

static int list_revenue(const struct store_revenue *r, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "key", r->key, "currency",
					     r->currency, "sessions", (json_int_t)r->sessions, "charge",
					     (json_int_t)r->charge, "seconds", (json_int_t)r->seconds,
					     "bytes", (json_int_t)r->bytes));
	return 0;
}

static json_t *cmd_report(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	struct gateway *gw = arg;
	int64_t from = opt_int(args, "from"), to = opt_int(args, "to");
	const char *by = json_string_value(json_object_get(args, "by"));
	json_t *list;

	(void)peer;
	if (from < 0 || to <= 0 || to < from) {
		snprintf(err, errlen, "give from and to as unix seconds, from before to");
		return NULL;
	}
	if (!by || (strcmp(by, "plan") && strcmp(by, "method") && strcmp(by, "room"))) {
		snprintf(err, errlen, "by: give plan, method or room");
		return NULL;
	}
	list = json_array();
	if (store_report(gw->store, by, from * 1000, to * 1000, list_revenue, list)) {
		json_decref(list);
		return store_failed(gw, err, errlen);
	}
	return list;
}

static void copy_arg(const json_t *args, const char *key, char *dst, size_t len)
{
	const char *v = json_string_value(json_object_get(args, key));

	snprintf(dst, len, "%s", v ? v : "");
}

static json_t *billing_outcome_json(const struct billing_outcome *o)
{
	return json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:i}", "session", (json_int_t)o->session_id,
			 "request", int_or_null(o->request_id), "state", o->state, "reason",
			 str_or_null(o->reason), "deadline", int_or_null(o->deadline_at / 1000), "byte_cap",
			 int_or_null((int64_t)o->byte_cap), "keepalive_s", (int)o->keepalive_s);
}

static json_t *cmd_submit(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	struct gateway *gw = arg;
	const char *mac = json_string_value(json_object_get(args, "mac"));
	struct billing_preference pref = { 0 };
	struct billing_outcome out;
	struct session_client c;

	(void)peer;
	if (!mac) {
		snprintf(err, errlen, "name the client by its MAC");
		return NULL;
	}
	copy_arg(args, "plan", pref.plan, sizeof(pref.plan));
	copy_arg(args, "method", pref.method, sizeof(pref.method));
	copy_arg(args, "voucher", pref.voucher, sizeof(pref.voucher));
	copy_arg(args, "room", pref.room, sizeof(pref.room));
	copy_arg(args, "surname", pref.surname, sizeof(pref.surname));
	copy_arg(args, "account", pref.account, sizeof(pref.account));
	copy_arg(args, "secret", pref.secret, sizeof(pref.secret));
	if (session_find(gw, mac, &c, err, errlen) ||
	    billing_submit(gw->billing, &c, &pref, &out, err, errlen))
		return NULL;
	return billing_outcome_json(&out);
}

int commands_billing_register(struct gateway *gw)
{
	static const struct {
		const char *name;
		control_fn fn;
	} cmds[] = {
		{ "plans", cmd_plans },
		{ "plan_add", cmd_plan_add },
		{ "plan_set", cmd_plan_set },
		{ "plan_retire", cmd_plan_retire },
		{ "vouchers_create", cmd_vouchers_create },
		{ "vouchers", cmd_vouchers },
		{ "guests_import", cmd_guests_import },
		{ "guests", cmd_guests },
		{ "pending", cmd_pending },
		{ "approve", cmd_approve },
		{ "reject", cmd_reject },
		{ "report", cmd_report },
		{ "submit", cmd_submit },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (control_register(gw->control, cmds[i].name, cmds[i].fn, gw))
			return -EINVAL;
	return 0;
}
