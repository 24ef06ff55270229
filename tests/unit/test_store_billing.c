/*
 * Unit tests of daemon/store_billing.c and daemon/store_outbox.c against
 * real SQLite databases in a temporary directory: plans and their offers,
 * vouchers, the guest list, billing requests, what sessions are billed,
 * revenue reports and the accounting outbox. Every refusal is checked to
 * leave the billing tables exactly as they were.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_fixture.h"
#include "store_billing.h"
#include "store_internal.h"
#include "store_outbox.h"
#include "uapi/wicket.h"

#define ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

/* --- helpers */

/* Every row of every table billing touches, as text: equal snapshots, equal stores. */
static char *snapshot(struct store *s)
{
	static const char *const tables[] = { "plans",        "plan_offers", "vouchers",
					      "voucher_uses", "guests",      "billing_requests",
					      "sessions",     "outbox",      "session_events" };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		char sql[96];
		sqlite3_stmt *q;

		snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY rowid", tables[t]);
		assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &q, NULL), SQLITE_OK);
		fprintf(out, "[%s]\n", tables[t]);
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(q); c++) {
				const unsigned char *v = sqlite3_column_text(q, c);

				fprintf(out, "%s|", v ? (const char *)v : "NULL");
			}
			fputc('\n', out);
		}
		sqlite3_finalize(q);
	}
	fclose(out);
	return buf;
}

/* call returns err, says why, and changes nothing. */
#define REFUSED(s, call, err)                                                                                \
	do {                                                                                                 \
		char *before_ = snapshot(s);                                                                 \
		assert_int_equal((call), (err));                                                             \
		assert_true(store_error(s)[0] != '\0');                                                      \
		char *after_ = snapshot(s);                                                                  \
		assert_string_equal(before_, after_);                                                        \
		free(before_);                                                                               \
		free(after_);                                                                                \
	} while (0)

static int64_t db_int(struct store *s, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* A plan with the limits its kind needs. */
static struct store_plan plan(const char *name, const char *kind, int64_t price, const char *currency,
			      unsigned int methods)
{
	struct store_plan p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.kind, sizeof(p.kind), "%s", kind);
	snprintf(p.currency, sizeof(p.currency), "%s", currency);
	p.price = price;
	p.methods = methods;
	if (!strcmp(kind, "time") || !strcmp(kind, "time+data"))
		p.duration_s = 86400;
	if (!strcmp(kind, "data") || !strcmp(kind, "time+data"))
		p.bytes = 1000000000;
	return p;
}

static int64_t add_plan(struct store *s, const char *name, const char *kind, int64_t price,
			const char *currency, unsigned int methods)
{
	struct store_plan p = plan(name, kind, price, currency, methods);
	int64_t id = 0;

	assert_int_equal(store_plan_add(s, &p, 1000, &id), 0);
	assert_true(id > 0);
	return id;
}

/* A client on port (added with room if new). */
static int64_t client(struct store *s, const char *port, const char *room, const char *mac)
{
	int64_t c;

	assert_int_equal(store_port_configure(s, port, room, WICKET_PORT_CHARGE, 1000), 0);
	assert_int_equal(store_client_get_or_add(s, port, mac, 1000, &c), 0);
	return c;
}

static uint64_t session(struct store *s, int64_t client_id, int64_t at)
{
	uint64_t id = 0;

	assert_int_equal(store_session_start(s, client_id, "pending", 0, 0, NULL, 0, at, &id), 0);
	return id;
}

/* --- collectors */

struct plans {
	int n;
	struct store_plan p[16];
};

static int collect_plan(const struct store_plan *p, void *arg)
{
	struct plans *ps = arg;

	assert_true(ps->n < 16);
	ps->p[ps->n++] = *p;
	return 0;
}

static int stop_at_first_plan(const struct store_plan *p, void *arg)
{
	(void)p;
	(*(int *)arg)++;
	return 7;
}

struct offers {
	int n;
	char port[8][STORE_IFNAME_LEN];
	char room[8][STORE_ROOM_LEN];
};

static int collect_offer(const char *port, const char *room, void *arg)
{
	struct offers *os = arg;

	assert_true(os->n < 8);
	strcpy(os->port[os->n], port);
	strcpy(os->room[os->n], room);
	os->n++;
	return 0;
}

struct vouchers {
	int n;
	struct store_voucher *v;
	int cap;
};

static int collect_voucher(const struct store_voucher *v, void *arg)
{
	struct vouchers *vs = arg;

	assert_true(vs->n < vs->cap);
	vs->v[vs->n++] = *v;
	return 0;
}

struct guests {
	int n;
	struct store_guest g[8];
};

static int collect_guest(const struct store_guest *g, void *arg)
{
	struct guests *gs = arg;

	assert_true(gs->n < 8);
	gs->g[gs->n++] = *g;
	return 0;
}

struct requests {
	int n;
	struct store_request_row r[8];
};

static int collect_request(const struct store_request_row *r, void *arg)
{
	struct requests *rs = arg;

	assert_true(rs->n < 8);
	rs->r[rs->n++] = *r;
	return 0;
}

struct revenues {
	int n;
	struct store_revenue r[8];
};

static int collect_revenue(const struct store_revenue *r, void *arg)
{
	struct revenues *rs = arg;

	assert_true(rs->n < 8);
	rs->r[rs->n++] = *r;
	return 0;
}

struct accts {
	int n;
	struct store_acct a[8];
};

static int collect_acct(const struct store_acct *a, void *arg)
{
	struct accts *as = arg;

	assert_true(as->n < 8);
	as->a[as->n++] = *a;
	return 0;
}

static struct accts due(struct store *s, int64_t now_ms, unsigned int limit)
{
	struct accts as = { 0 };

	assert_int_equal(store_outbox_due(s, now_ms, limit, collect_acct, &as), 0);
	return as;
}

/* --- methods */

static void methods_parse_and_format(void **state)
{
	unsigned int m = 99;
	char buf[STORE_METHODS_LEN], tiny[8];

	(void)state;
	assert_int_equal(store_methods_parse("room,voucher", &m), 0);
	assert_int_equal(m, STORE_METHOD_ROOM | STORE_METHOD_VOUCHER);
	assert_int_equal(store_methods_parse("voucher,room", &m), 0);
	assert_int_equal(m, STORE_METHOD_ROOM | STORE_METHOD_VOUCHER);
	assert_int_equal(store_methods_parse("staff", &m), 0);
	assert_int_equal(m, STORE_METHOD_STAFF);
	m = 99;
	assert_int_equal(store_methods_parse("", &m), -EINVAL);
	assert_int_equal(store_methods_parse(NULL, &m), -EINVAL);
	assert_int_equal(store_methods_parse("room,room", &m), -EINVAL);
	assert_int_equal(store_methods_parse("room,", &m), -EINVAL);
	assert_int_equal(store_methods_parse(",room", &m), -EINVAL);
	assert_int_equal(store_methods_parse("room, voucher", &m), -EINVAL);
	assert_int_equal(store_methods_parse("cash", &m), -EINVAL);
	assert_int_equal(store_methods_parse("vouchers", &m), -EINVAL);
	assert_int_equal(m, 99);

	store_methods_format(STORE_METHOD_ALL, buf, sizeof(buf));
	assert_string_equal(buf, "free,remote,room,staff,voucher");
	store_methods_format(STORE_METHOD_VOUCHER | STORE_METHOD_REMOTE, buf, sizeof(buf));
	assert_string_equal(buf, "remote,voucher");
	store_methods_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	store_methods_format(STORE_METHOD_ALL, tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
	assert_int_equal(store_methods_parse("free,remote,room,staff,voucher", &m), 0);
	assert_int_equal(m, STORE_METHOD_ALL);

	assert_string_equal(store_method_name(STORE_METHOD_ROOM), "room");
	assert_string_equal(store_method_name(STORE_METHOD_FREE), "free");
	assert_null(store_method_name(0));
	assert_null(store_method_name(STORE_METHOD_ROOM | STORE_METHOD_FREE));
	assert_null(store_method_name(1 << 5));
	assert_int_equal(store_method_parse("voucher"), STORE_METHOD_VOUCHER);
	assert_int_equal(store_method_parse("Voucher"), 0);
	assert_int_equal(store_method_parse(NULL), 0);
}

/* --- plans */

static void plan_add_get_find_list(void **state)
{
	struct fixture *f = *state;
	struct store_plan p = plan("Day pass", "time", 500, "EUR", STORE_METHOD_VOUCHER | STORE_METHOD_ROOM);
	struct store_plan got;
	struct plans ps = { 0 };
	int64_t id, id2, free_id;
	int calls = 0;

	p.per_minute = 2;
	p.idle_timeout_s = 900;
	p.keepalive_s = 30;
	assert_int_equal(store_plan_add(f->s, &p, 5000, &id), 0);
	assert_int_equal(store_plan_get(f->s, id, &got), 0);
	assert_int_equal(got.id, id);
	assert_string_equal(got.name, "Day pass");
	assert_string_equal(got.kind, "time");
	assert_int_equal(got.price, 500);
	assert_string_equal(got.currency, "EUR");
	assert_int_equal(got.per_minute, 2);
	assert_int_equal(got.per_mb, 0);
	assert_int_equal(got.duration_s, 86400);
	assert_int_equal(got.bytes, 0);
	assert_int_equal(got.idle_timeout_s, 900);
	assert_int_equal(got.keepalive_s, 30);
	assert_int_equal(got.methods, STORE_METHOD_VOUCHER | STORE_METHOD_ROOM);
	assert_int_equal(got.created_at, 5000);
	assert_int_equal(got.retired_at, 0);
	assert_int_equal(db_int(f->s, "SELECT methods = 'room,voucher' FROM plans"), 1);

	memset(&got, 0, sizeof(got));
	assert_int_equal(store_plan_find(f->s, "Day pass", &got), 0);
	assert_int_equal(got.id, id);
	assert_int_equal(store_plan_find(f->s, "day pass", &got), -ENOENT);
	assert_non_null(strstr(store_error(f->s), "no plan \"day pass\""));
	assert_int_equal(store_plan_get(f->s, id + 100, &got), -ENOENT);

	/* A name in use, in any form of the plan. */
	p = plan("Day pass", "data", 100, "USD", STORE_METHOD_STAFF);
	REFUSED(f->s, store_plan_add(f->s, &p, 6000, &id2), -EEXIST);
	assert_non_null(strstr(store_error(f->s), "Day pass"));

	id2 = add_plan(f->s, "Week, 3 devices – café", "time+data", 2500, "EUR", STORE_METHOD_REMOTE);
	free_id = add_plan(f->s, "Lobby", "free", 0, "EUR", STORE_METHOD_FREE);
	assert_int_equal(store_plan_list(f->s, 0, collect_plan, &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.p[0].id, id);
	assert_int_equal(ps.p[1].id, id2);
	assert_string_equal(ps.p[1].name, "Week, 3 devices – café");
	assert_int_equal(ps.p[2].id, free_id);
	assert_int_equal(store_plan_list(f->s, 1, stop_at_first_plan, &calls), 7);
	assert_int_equal(calls, 1);
}

static void plan_refusals_change_nothing(void **state)
{
	struct fixture *f = *state;
	const unsigned int V = STORE_METHOD_VOUCHER;
	struct store_plan p;
	int64_t id = 0;

	add_plan(f->s, "Existing", "time", 100, "EUR", V);
#define BAD_PLAN(setup_)                                                                                     \
	do {                                                                                                 \
		p = plan("Hour", "time", 300, "EUR", V);                                                     \
		setup_;                                                                                      \
		REFUSED(f->s, store_plan_add(f->s, &p, 2000, &id), -EINVAL);                                 \
	} while (0)
	BAD_PLAN(p.name[0] = '\0');
	BAD_PLAN(strcpy(p.name, "Hour\n"));
	BAD_PLAN(strcpy(p.name, "Hour\t2"));
	BAD_PLAN(strcpy(p.name, "Hour \x7f"));
	BAD_PLAN(strcpy(p.name, "Hour \xc2\x85")); /* C1 control NEL */
	BAD_PLAN(strcpy(p.name, "Hour \xff"));
	BAD_PLAN(strcpy(p.name, "Hour \xc3"));
	BAD_PLAN(strcpy(p.name, "Hour \xc0\xaf")); /* overlong '/' */
	BAD_PLAN(strcpy(p.name, "Hour \xed\xa0\x80")); /* a surrogate */
	BAD_PLAN(strcpy(p.name, " Hour"));
	BAD_PLAN(strcpy(p.name, "Hour "));
	BAD_PLAN(memset(p.name, 'x', sizeof(p.name))); /* 65 bytes, no NUL */
	BAD_PLAN(strcpy(p.kind, "weekly"));
	BAD_PLAN(strcpy(p.kind, ""));
	BAD_PLAN(memset(p.kind, 't', sizeof(p.kind)));
	BAD_PLAN(strcpy(p.currency, "eur"));
	BAD_PLAN(strcpy(p.currency, "EU"));
	BAD_PLAN(strcpy(p.currency, "E1R"));
	BAD_PLAN(memcpy(p.currency, "EURO", 4));
	BAD_PLAN(p.price = -1);
	BAD_PLAN(p.price = 1000000001);
	BAD_PLAN(p.per_minute = -5);
	BAD_PLAN(p.per_mb = -5);
	BAD_PLAN(p.duration_s = -1);
	BAD_PLAN(p.duration_s = 20LL * 366 * 86400);
	BAD_PLAN(p.idle_timeout_s = -1);
	BAD_PLAN(p.keepalive_s = -1);
	BAD_PLAN(p.keepalive_s = 100000);
	BAD_PLAN(p.methods = 0);
	BAD_PLAN(p.methods = V | (1u << 5));
	/* Per kind. */
	BAD_PLAN(p.duration_s = 0);
	BAD_PLAN(p.bytes = 1000);
	BAD_PLAN((strcpy(p.kind, "data"), p.bytes = 0, p.duration_s = 0));
	BAD_PLAN((strcpy(p.kind, "data"), p.bytes = 1000));
	BAD_PLAN(strcpy(p.kind, "time+data"));
	BAD_PLAN((strcpy(p.kind, "time+data"), p.duration_s = 0, p.bytes = 1000));
	BAD_PLAN((strcpy(p.kind, "until-checkout"), p.methods = STORE_METHOD_ROOM));
	BAD_PLAN((strcpy(p.kind, "until-checkout"), p.duration_s = 0, p.methods = STORE_METHOD_STAFF));
	BAD_PLAN((strcpy(p.kind, "until-checkout"), p.duration_s = 0, p.methods = STORE_METHOD_ROOM | V));
	BAD_PLAN(p.methods = V | STORE_METHOD_FREE);
	BAD_PLAN((strcpy(p.kind, "free"), p.price = 0, p.methods = STORE_METHOD_FREE | V));
	BAD_PLAN((strcpy(p.kind, "free"), p.price = 0, p.methods = V));
	BAD_PLAN((strcpy(p.kind, "free"), p.methods = STORE_METHOD_FREE));
	BAD_PLAN((strcpy(p.kind, "free"), p.price = 0, p.per_minute = 1, p.methods = STORE_METHOD_FREE));
	BAD_PLAN((strcpy(p.kind, "free"), p.price = 0, p.per_mb = 1, p.methods = STORE_METHOD_FREE));
#undef BAD_PLAN
	p = plan("Hour", "time", 300, "EUR", V);
	REFUSED(f->s, store_plan_add(f->s, &p, 0, &id), -EINVAL);
	REFUSED(f->s, store_plan_add(f->s, NULL, 2000, &id), -EINVAL);
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM plans"), 1);

	/* What the rules allow. */
	p = plan("Hour", "time", 300, "EUR", V);
	assert_int_equal(store_plan_add(f->s, &p, 2000, NULL), 0);
	p = plan("Stay", "until-checkout", 900, "EUR", STORE_METHOD_ROOM | STORE_METHOD_STAFF);
	assert_int_equal(store_plan_add(f->s, &p, 2000, &id), 0);
	p = plan("Free 30 min", "free", 0, "EUR", STORE_METHOD_FREE);
	p.duration_s = 1800;
	p.bytes = 100000000;
	assert_int_equal(store_plan_add(f->s, &p, 2000, &id), 0);
	p = plan("Metered", "data", 0, "CHF", STORE_METHOD_STAFF);
	p.per_mb = 3;
	assert_int_equal(store_plan_add(f->s, &p, 2000, &id), 0);
	p = plan("Straße 😀", "time", 1000000000, "EUR", STORE_METHOD_REMOTE);
	assert_int_equal(store_plan_add(f->s, &p, 2000, &id), 0);
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM plans"), 6);
}

static void plan_update_and_retire(void **state)
{
	struct fixture *f = *state;
	int64_t id = add_plan(f->s, "Day pass", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	struct store_plan p, got;
	struct plans ps = { 0 }, all = { 0 };

	assert_int_equal(store_plan_get(f->s, id, &p), 0);
	strcpy(p.name, "Renamed");
	p.price = 650;
	p.methods = STORE_METHOD_VOUCHER | STORE_METHOD_REMOTE;
	p.duration_s = 43200;
	p.created_at = 1;
	p.retired_at = 2;
	assert_int_equal(store_plan_update(f->s, &p), 0);
	assert_int_equal(store_plan_get(f->s, id, &got), 0);
	assert_string_equal(got.name, "Day pass"); /* the name stays */
	assert_int_equal(got.price, 650);
	assert_int_equal(got.methods, STORE_METHOD_VOUCHER | STORE_METHOD_REMOTE);
	assert_int_equal(got.duration_s, 43200);
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.retired_at, 0);

	p = got;
	p.price = -1;
	REFUSED(f->s, store_plan_update(f->s, &p), -EINVAL);
	p = got;
	strcpy(p.kind, "data");
	REFUSED(f->s, store_plan_update(f->s, &p), -EINVAL);
	p = got;
	p.id = id + 50;
	REFUSED(f->s, store_plan_update(f->s, &p), -ENOENT);
	REFUSED(f->s, store_plan_update(f->s, NULL), -EINVAL);

	REFUSED(f->s, store_plan_retire(f->s, id, 0), -EINVAL);
	REFUSED(f->s, store_plan_retire(f->s, id + 50, 9000), -ENOENT);
	assert_int_equal(store_plan_retire(f->s, id, 9000), 0);
	assert_int_equal(store_plan_get(f->s, id, &got), 0);
	assert_int_equal(got.retired_at, 9000);
	REFUSED(f->s, store_plan_retire(f->s, id, 9500), -EALREADY);
	p = got;
	p.price = 700;
	REFUSED(f->s, store_plan_update(f->s, &p), -ESTALE);
	assert_non_null(strstr(store_error(f->s), "retired"));
	/* Found by name still, listed only with the retired. */
	assert_int_equal(store_plan_find(f->s, "Day pass", &got), 0);
	assert_int_equal(store_plan_list(f->s, 0, collect_plan, &ps), 0);
	assert_int_equal(ps.n, 0);
	assert_int_equal(store_plan_list(f->s, 1, collect_plan, &all), 0);
	assert_int_equal(all.n, 1);
	assert_int_equal(all.p[0].retired_at, 9000);
	/* Its name is still taken. */
	p = plan("Day pass", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	REFUSED(f->s, store_plan_add(f->s, &p, 9600, NULL), -EEXIST);
	assert_non_null(strstr(store_error(f->s), "retired"));
}

/* --- offers */

static void offers_everywhere_port_room(void **state)
{
	struct fixture *f = *state;
	int64_t all, port101, room102, none, retired, tie;
	struct plans ps;
	struct offers os;

	assert_int_equal(store_port_configure(f->s, "lan.101", "101", WICKET_PORT_CHARGE, 1000), 0);
	assert_int_equal(store_port_configure(f->s, "lan.102", "102", WICKET_PORT_CHARGE, 1000), 0);
	assert_int_equal(store_port_configure(f->s, "lobby", NULL, WICKET_PORT_CHARGE, 1000), 0);
	all = add_plan(f->s, "Everywhere", "time", 300, "EUR", STORE_METHOD_VOUCHER);
	port101 = add_plan(f->s, "Port 101", "time", 100, "EUR", STORE_METHOD_VOUCHER);
	room102 = add_plan(f->s, "Room 102", "time", 200, "EUR", STORE_METHOD_VOUCHER);
	none = add_plan(f->s, "Nowhere", "time", 50, "EUR", STORE_METHOD_VOUCHER);
	retired = add_plan(f->s, "Retired", "time", 10, "EUR", STORE_METHOD_VOUCHER);
	tie = add_plan(f->s, "Also 300", "time", 300, "EUR", STORE_METHOD_STAFF);
	(void)none;

	assert_int_equal(store_plan_offer(f->s, all, NULL, NULL), 0);
	assert_int_equal(store_plan_offer(f->s, all, "", ""), 0); /* the same offer again */
	assert_int_equal(store_plan_offer(f->s, port101, "lan.101", NULL), 0);
	assert_int_equal(store_plan_offer(f->s, port101, "lan.101", ""), 0);
	assert_int_equal(store_plan_offer(f->s, room102, NULL, "102"), 0);
	assert_int_equal(store_plan_offer(f->s, tie, NULL, NULL), 0);
	assert_int_equal(store_plan_offer(f->s, retired, NULL, NULL), 0);
	assert_int_equal(store_plan_retire(f->s, retired, 2000), 0);
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM plan_offers"), 5);

	REFUSED(f->s, store_plan_offer(f->s, all, "lan.101", "101"), -EINVAL);
	REFUSED(f->s, store_plan_offer(f->s, all, "lan.999", NULL), -ENOENT);
	assert_non_null(strstr(store_error(f->s), "lan.999"));
	REFUSED(f->s, store_plan_offer(f->s, all, NULL, "bad\nroom"), -EINVAL);
	REFUSED(f->s, store_plan_offer(f->s, retired, "lan.102", NULL), -ESTALE);
	REFUSED(f->s, store_plan_offer(f->s, 999, NULL, NULL), -ENOENT);

	/* By price, then id; the retired one and the one without offers never. */
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_plans_offered(f->s, "lan.101", "101", collect_plan, &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.p[0].id, port101);
	assert_int_equal(ps.p[1].id, all);
	assert_int_equal(ps.p[2].id, tie);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_plans_offered(f->s, "lan.102", "102", collect_plan, &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.p[0].id, room102);
	assert_int_equal(ps.p[1].id, all);
	/* Room 102 on another port (a suite with two ports). */
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_plans_offered(f->s, "lobby", "102", collect_plan, &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.p[0].id, room102);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_plans_offered(f->s, "lobby", NULL, collect_plan, &ps), 0);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.p[0].id, all);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_plans_offered(f->s, "lobby", "", collect_plan, &ps), 0);
	assert_int_equal(ps.n, 2);

	memset(&os, 0, sizeof(os));
	assert_int_equal(store_plan_offers(f->s, all, collect_offer, &os), 0);
	assert_int_equal(os.n, 1);
	assert_string_equal(os.port[0], "");
	assert_string_equal(os.room[0], "");
	assert_int_equal(store_plan_offer(f->s, port101, NULL, "lobby-bar"), 0);
	memset(&os, 0, sizeof(os));
	assert_int_equal(store_plan_offers(f->s, port101, collect_offer, &os), 0);
	assert_int_equal(os.n, 2);
	assert_string_equal(os.port[0], "");
	assert_string_equal(os.room[0], "lobby-bar");
	assert_string_equal(os.port[1], "lan.101");
	assert_string_equal(os.room[1], "");
	assert_int_equal(store_plan_offers(f->s, 999, collect_offer, &os), -ENOENT);

	assert_int_equal(store_plan_offers_clear(f->s, port101), 0);
	memset(&os, 0, sizeof(os));
	assert_int_equal(store_plan_offers(f->s, port101, collect_offer, &os), 0);
	assert_int_equal(os.n, 0);
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_plans_offered(f->s, "lan.101", "101", collect_plan, &ps), 0);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.p[0].id, all);
	REFUSED(f->s, store_plan_offers_clear(f->s, 999), -ENOENT);
}

/* --- vouchers */

static void vouchers_create_codes_and_batches(void **state)
{
	struct fixture *f = *state;
	int64_t plan_id = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	int64_t staff_only = add_plan(f->s, "Staff", "time", 500, "EUR", STORE_METHOD_STAFF);
	int64_t gone = add_plan(f->s, "Gone", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	struct store_voucher made[200], listed[210];
	struct vouchers vm = { 0, made, 200 }, vl = { 0, listed, 210 }, none = { 0, listed, 210 };
	int seen[256] = { 0 };

	assert_int_equal(
		store_vouchers_create(f->s, plan_id, 200, 2, "2024-06-01.desk_1", 5000, collect_voucher, &vm),
		0);
	assert_int_equal(vm.n, 200);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(strlen(made[i].code), 10);
		assert_int_equal(strspn(made[i].code, ALPHABET), 10);
		for (int k = 0; k < 10; k++)
			seen[(unsigned char)made[i].code[k]]++;
		for (int j = 0; j < i; j++)
			assert_string_not_equal(made[i].code, made[j].code);
		assert_int_equal(made[i].plan_id, plan_id);
		assert_int_equal(made[i].devices, 2);
		assert_int_equal(made[i].used, 0);
		assert_string_equal(made[i].batch, "2024-06-01.desk_1");
		assert_int_equal(made[i].created_at, 5000);
		assert_int_equal(made[i].revoked_at, 0);
	}
	/* 2000 draws: every one of the 32 symbols comes up (all but certain). */
	for (const char *c = ALPHABET; *c; c++)
		assert_true(seen[(unsigned char)*c] > 0);
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM vouchers"), 200);

	assert_int_equal(store_vouchers_list(f->s, "2024-06-01.desk_1", collect_voucher, &vl), 0);
	assert_int_equal(vl.n, 200);
	for (int i = 1; i < 200; i++)
		assert_true(strcmp(listed[i - 1].code, listed[i].code) < 0);

	/* One more batch, later: listed after the first, and alone by its name. */
	assert_int_equal(store_vouchers_create(f->s, plan_id, 3, 1, "b2", 6000, NULL, NULL), 0);
	vl.n = 0;
	assert_int_equal(store_vouchers_list(f->s, NULL, collect_voucher, &vl), 0);
	assert_int_equal(vl.n, 203);
	assert_string_equal(listed[0].batch, "2024-06-01.desk_1");
	assert_string_equal(listed[202].batch, "b2");
	vl.n = 0;
	assert_int_equal(store_vouchers_list(f->s, "b2", collect_voucher, &vl), 0);
	assert_int_equal(vl.n, 3);
	assert_int_equal(listed[0].devices, 1);
	assert_int_equal(store_vouchers_list(f->s, "b3", collect_voucher, &none), -ENOENT);
	assert_int_equal(store_vouchers_list(f->s, "bad batch", collect_voucher, &none), -EINVAL);
	assert_int_equal(none.n, 0);

	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 0, 1, "b3", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 10001, 1, "b3", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 0, "b3", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 1001, "b3", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 1, "", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 1, NULL, 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 1, "b 3", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 1, "b/3", 7000, NULL, NULL), -EINVAL);
	REFUSED(f->s,
		store_vouchers_create(f->s, plan_id, 1, 1, "123456789012345678901234567890123", 7000, NULL,
				      NULL),
		-EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, plan_id, 1, 1, "b3", 0, NULL, NULL), -EINVAL);
	REFUSED(f->s, store_vouchers_create(f->s, staff_only, 1, 1, "b3", 7000, NULL, NULL), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "voucher"));
	REFUSED(f->s, store_vouchers_create(f->s, 999, 1, 1, "b3", 7000, NULL, NULL), -ENOENT);
	assert_int_equal(store_plan_retire(f->s, gone, 6500), 0);
	REFUSED(f->s, store_vouchers_create(f->s, gone, 1, 1, "b3", 7000, NULL, NULL), -ESTALE);
	/* 32 characters is the longest batch name. */
	assert_int_equal(store_vouchers_create(f->s, plan_id, 1, 1, "12345678901234567890123456789012", 7000,
					       NULL, NULL),
			 0);
	/* A batch name made again (by the same second's clock) adds to the batch. */
	assert_int_equal(store_vouchers_create(f->s, plan_id, 2, 1, "b2", 8000, NULL, NULL), 0);
	vl.n = 0;
	assert_int_equal(store_vouchers_list(f->s, "b2", collect_voucher, &vl), 0);
	assert_int_equal(vl.n, 5);
	assert_int_equal(listed[4].created_at, 8000);
}

static int stop_voucher(const struct store_voucher *v, void *arg)
{
	(void)v;
	(*(int *)arg)++;
	return 5;
}

static void vouchers_create_callback_may_stop(void **state)
{
	struct fixture *f = *state;
	int64_t plan_id = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	int calls = 0;

	/* The callback only shows what is stored: stopping it keeps them all. */
	assert_int_equal(store_vouchers_create(f->s, plan_id, 4, 1, "b", 5000, stop_voucher, &calls), 5);
	assert_int_equal(calls, 1);
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM vouchers"), 4);
}

/* One voucher of plan_id, its code. */
static void one_voucher(struct store *s, int64_t plan_id, unsigned int devices, const char *batch,
			char code[STORE_VOUCHER_LEN])
{
	struct store_voucher v;
	struct vouchers vs = { 0, &v, 1 };

	assert_int_equal(store_vouchers_create(s, plan_id, 1, devices, batch, 5000, collect_voucher, &vs), 0);
	assert_int_equal(vs.n, 1);
	strcpy(code, v.code);
}

static void voucher_lookup_is_normalised(void **state)
{
	struct fixture *f = *state;
	int64_t plan_id = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	char code[STORE_VOUCHER_LEN], typed[40], lower[STORE_VOUCHER_LEN];
	struct store_voucher v;

	one_voucher(f->s, plan_id, 1, "b", code);
	for (int i = 0; code[i]; i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
	lower[10] = '\0';
	snprintf(typed, sizeof(typed), "%.4s-%.4s %.2s", lower, lower + 4, lower + 8);
	assert_int_equal(store_voucher_get(f->s, typed, &v), 0);
	assert_string_equal(v.code, code);
	assert_int_equal(v.plan_id, plan_id);
	snprintf(typed, sizeof(typed), " %s - ", code);
	assert_int_equal(store_voucher_get(f->s, typed, &v), 0);
	assert_int_equal(store_voucher_get(f->s, code, &v), 0);

	snprintf(typed, sizeof(typed), "%.9s", code);
	assert_int_equal(store_voucher_get(f->s, typed, &v), -ENOENT);
	snprintf(typed, sizeof(typed), "%s_", code);
	assert_int_equal(store_voucher_get(f->s, typed, &v), -ENOENT);
	assert_int_equal(store_voucher_get(f->s, "ABCDEFGHJKLMNPQRS", &v), -ENOENT); /* 17 */
	assert_int_equal(store_voucher_get(f->s, "ABCD'; --", &v), -ENOENT);
	assert_int_equal(store_voucher_get(f->s, "", &v), -ENOENT);
	assert_int_equal(store_voucher_get(f->s, " - -", &v), -ENOENT);
	assert_int_equal(store_voucher_get(f->s, NULL, &v), -EINVAL);
}

static void voucher_redeem_counts_devices(void **state)
{
	struct fixture *f = *state;
	int64_t plan_id = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	int64_t c1 = client(f->s, "lan.1", "1", "02:00:00:00:00:01");
	int64_t c2 = client(f->s, "lan.1", "1", "02:00:00:00:00:02");
	int64_t c3 = client(f->s, "lan.1", "1", "02:00:00:00:00:03");
	uint64_t s1 = session(f->s, c1, 2000), s2 = session(f->s, c2, 2000), s3 = session(f->s, c3, 2000);
	char code[STORE_VOUCHER_LEN], other[STORE_VOUCHER_LEN], typed[40];
	struct store_voucher v;

	one_voucher(f->s, plan_id, 2, "b1", code);
	assert_int_equal(store_voucher_redeem(f->s, code, c1, s1, 3000, &v, NULL), 0);
	assert_int_equal(v.used, 1);
	assert_int_equal(v.devices, 2);
	/* The same device again, in a new session: no more used. */
	assert_int_equal(store_session_end(f->s, s1, "logout", 3500), 0);
	s1 = session(f->s, c1, 3600);
	int64_t first = 0;

	assert_int_equal(store_voucher_redeem(f->s, code, c1, s1, 3700, &v, &first), 0);
	assert_int_equal(first, 3000); /* the same device's clock runs from its first use */
	assert_int_equal(v.used, 1);
	snprintf(typed, sizeof(typed), "%.5s-%.5s", code, code + 5);
	assert_int_equal(store_voucher_redeem(f->s, typed, c2, s2, 3800, NULL, &first), 0);
	assert_int_equal(first, 3800);
	assert_int_equal(store_voucher_get(f->s, code, &v), 0);
	assert_int_equal(v.used, 2);
	REFUSED(f->s, store_voucher_redeem(f->s, code, c3, s3, 3900, &v, NULL), -EUSERS);
	assert_non_null(strstr(store_error(f->s), "used on 2 devices already"));
	assert_non_null(strstr(store_error(f->s), code));
	/* Those who used it still may. */
	assert_int_equal(store_voucher_redeem(f->s, code, c2, s2, 4000, &v, NULL), 0);
	assert_int_equal(v.used, 2);
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM voucher_uses"), 2);
	assert_int_equal(db_int(f->s, "SELECT session_id FROM voucher_uses WHERE client_id = 1"), 1);

	/* Not the client's session; unknown things. */
	one_voucher(f->s, plan_id, 5, "b2", other);
	REFUSED(f->s, store_voucher_redeem(f->s, other, c3, s2, 4000, &v, NULL), -EINVAL);
	REFUSED(f->s, store_voucher_redeem(f->s, other, c3, 999, 4000, &v, NULL), -ENOENT);
	REFUSED(f->s, store_voucher_redeem(f->s, other, c3, 0, 4000, &v, NULL), -ENOENT);
	REFUSED(f->s, store_voucher_redeem(f->s, "ZZZZZZZZZZ", c3, s3, 4000, &v, NULL), -ENOENT);
	REFUSED(f->s, store_voucher_redeem(f->s, other, c3, s3, 0, &v, NULL), -EINVAL);

	/* Revoked: nobody, not even a device that used it. */
	assert_int_equal(store_voucher_revoke(f->s, code, 5000), 0);
	REFUSED(f->s, store_voucher_redeem(f->s, code, c1, s1, 5100, &v, NULL), -EKEYREVOKED);
	REFUSED(f->s, store_voucher_revoke(f->s, code, 5200), -EALREADY);
	REFUSED(f->s, store_voucher_revoke(f->s, "ZZZZZZZZZZ", 5200), -ENOENT);
	assert_int_equal(store_voucher_get(f->s, code, &v), 0);
	assert_int_equal(v.revoked_at, 5000);

	/* A retired plan's vouchers are no longer good. */
	assert_int_equal(store_plan_retire(f->s, plan_id, 6000), 0);
	REFUSED(f->s, store_voucher_redeem(f->s, other, c3, s3, 6100, &v, NULL), -ESTALE);
	assert_non_null(strstr(store_error(f->s), "Day"));
}

/* --- guests */

static struct store_guest guest(const char *room, const char *surname, int64_t arrival, int64_t departure,
				const char *folio)
{
	struct store_guest g;

	memset(&g, 0, sizeof(g));
	snprintf(g.room, sizeof(g.room), "%s", room);
	snprintf(g.surname, sizeof(g.surname), "%s", surname);
	g.arrival = arrival;
	g.departure = departure;
	snprintf(g.folio, sizeof(g.folio), "%s", folio);
	return g;
}

static void guests_replace_whole_list(void **state)
{
	struct fixture *f = *state;
	struct store_guest first[3] = { guest("102", "Smith", 0, 0, "F-2"),
					guest("101", "O'Brien", 10, 20, ""),
					guest("101", "Ng", 0, 50, "F-1") };
	struct store_guest second[2] = { guest("201", "Dupont", 0, 0, ""), guest("101", "Müller", 0, 0, "") };
	struct store_guest dup[4] = { guest("101", "Mac Neil", 20, 90, ""),
				      guest("101", "macneil", 10, 50, "F-9"), guest("102", "Roe", 10, 0, ""),
				      guest("102", "ROE", 0, 50, "") };
	struct store_guest bad;
	struct guests gs = { 0 };

	assert_int_equal(store_guests_replace(f->s, first, 3, 1000), 0);
	assert_int_equal(store_guests_list(f->s, collect_guest, &gs), 0);
	assert_int_equal(gs.n, 3);
	assert_string_equal(gs.g[0].room, "101");
	assert_string_equal(gs.g[0].surname, "Ng");
	assert_string_equal(gs.g[0].folio, "F-1");
	assert_int_equal(gs.g[0].departure, 50);
	assert_string_equal(gs.g[1].surname, "O'Brien");
	assert_int_equal(gs.g[1].arrival, 10);
	assert_string_equal(gs.g[1].folio, "");
	assert_string_equal(gs.g[2].room, "102");

	assert_int_equal(store_guests_replace(f->s, second, 2, 2000), 0);
	memset(&gs, 0, sizeof(gs));
	assert_int_equal(store_guests_list(f->s, collect_guest, &gs), 0);
	assert_int_equal(gs.n, 2);
	assert_string_equal(gs.g[0].surname, "Müller");
	assert_string_equal(gs.g[1].surname, "Dupont");
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM guests WHERE surname_key = 'müller'"), 1);

	/* Two of a room that room charges cannot tell apart are one household: one row, both stays. */
	assert_int_equal(store_guests_replace(f->s, dup, 4, 3000), 0);
	memset(&gs, 0, sizeof(gs));
	assert_int_equal(store_guests_list(f->s, collect_guest, &gs), 0);
	assert_int_equal(gs.n, 2);
	assert_string_equal(gs.g[0].room, "101");
	assert_string_equal(gs.g[0].surname, "Mac Neil");
	assert_int_equal(gs.g[0].arrival, 10);
	assert_int_equal(gs.g[0].departure, 90);
	assert_string_equal(gs.g[0].folio, "F-9");
	assert_string_equal(gs.g[1].room, "102");
	assert_int_equal(gs.g[1].arrival, 0);
	assert_int_equal(gs.g[1].departure, 0);
	assert_int_equal(store_guests_replace(f->s, second, 2, 2000), 0);

#define BAD_GUEST(setup_)                                                                                    \
	do {                                                                                                 \
		struct store_guest list_[2] = { guest("401", "Good", 0, 0, ""),                              \
						guest("402", "Ok", 0, 0, "") };                              \
		bad = list_[1];                                                                              \
		setup_;                                                                                      \
		list_[1] = bad;                                                                              \
		REFUSED(f->s, store_guests_replace(f->s, list_, 2, 3000), -EINVAL);                          \
	} while (0)
	BAD_GUEST(bad.room[0] = '\0');
	BAD_GUEST(bad.surname[0] = '\0');
	BAD_GUEST(strcpy(bad.surname, "- '"));
	BAD_GUEST(strcpy(bad.surname, "Ok\r"));
	BAD_GUEST(strcpy(bad.room, "4\x01"));
	BAD_GUEST(strcpy(bad.folio, "\xff"));
	BAD_GUEST(memset(bad.surname, 'a', sizeof(bad.surname)));
	BAD_GUEST(bad.arrival = -1);
	BAD_GUEST(bad.departure = -1);
	BAD_GUEST((bad.arrival = 100, bad.departure = 100));
	BAD_GUEST((bad.arrival = 100, bad.departure = 50));
#undef BAD_GUEST
	REFUSED(f->s, store_guests_replace(f->s, NULL, 2, 3000), -EINVAL);
	REFUSED(f->s, store_guests_replace(f->s, second, 2, 0), -EINVAL);
	memset(&gs, 0, sizeof(gs));
	assert_int_equal(store_guests_list(f->s, collect_guest, &gs), 0);
	assert_int_equal(gs.n, 2);

	/* An empty export: nobody stays. */
	assert_int_equal(store_guests_replace(f->s, NULL, 0, 4000), 0);
	memset(&gs, 0, sizeof(gs));
	assert_int_equal(store_guests_list(f->s, collect_guest, &gs), 0);
	assert_int_equal(gs.n, 0);
}

static void guest_match_folds_and_checks_the_stay(void **state)
{
	struct fixture *f = *state;
	struct store_guest list[3] = { guest("101", "Van der Berg-O'Neil", 1000, 5000, "F-7"),
				       guest("102", "Müller", 0, 0, ""), guest("103", "Early", 0, 3000, "") };
	struct store_guest g;
	char longname[400];

	assert_int_equal(store_guests_replace(f->s, list, 3, 500), 0);
	assert_int_equal(store_guest_match(f->s, "101", "vanderbergoneil", 1000, &g), 0);
	assert_string_equal(g.surname, "Van der Berg-O'Neil");
	assert_string_equal(g.folio, "F-7");
	assert_int_equal(g.arrival, 1000);
	assert_int_equal(g.departure, 5000);
	assert_int_equal(store_guest_match(f->s, "101", "VAN DER BERG O\u2019NEIL", 4999, &g), 0);
	assert_int_equal(store_guest_match(f->s, "101", "van-der-berg-o'neil", 2000, NULL), 0);
	/* The stay: arrival <= now < departure. */
	assert_int_equal(store_guest_match(f->s, "101", "vanderbergoneil", 999, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "101", "vanderbergoneil", 5000, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "103", "early", 1, &g), 0);
	assert_int_equal(store_guest_match(f->s, "103", "early", 3000, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "102", "muller", 1, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "102", "Müller", 999999999999, &g), 0);
	/* Wrong room, wrong name, nonsense. */
	assert_int_equal(store_guest_match(f->s, "102", "vanderbergoneil", 2000, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "101", "vanderberg", 2000, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "101 ", "vanderbergoneil", 2000, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, "101", "", 2000, &g), -ENOENT);
	/* Non-ASCII letters match only as imported. */
	assert_int_equal(store_guest_match(f->s, "102", "müller", 1, &g), 0);
	assert_int_equal(store_guest_match(f->s, "102", "MÜLLER", 1, &g), -ENOENT);
	/* Too long to be anyone's, even folded. */
	memset(longname, '-', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "Muller", 6);
	assert_int_equal(store_guest_match(f->s, "102", longname, 1, &g), -ENOENT);
	assert_int_equal(store_guest_match(f->s, NULL, "Müller", 1, &g), -EINVAL);
	assert_int_equal(store_guest_match(f->s, "102", NULL, 1, &g), -EINVAL);
}

/* --- billing requests */

static void request_transitions(void **state)
{
	struct fixture *f = *state;
	int64_t plan_id = add_plan(f->s, "Day", "time", 500, "EUR",
				   STORE_METHOD_STAFF | STORE_METHOD_REMOTE | STORE_METHOD_ROOM);
	int64_t vplan = add_plan(f->s, "Voucher only", "time", 500, "EUR", STORE_METHOD_VOUCHER);
	int64_t old = add_plan(f->s, "Old", "time", 500, "EUR", STORE_METHOD_STAFF);
	int64_t c = client(f->s, "lan.1", "1", "02:00:00:00:00:01");
	int64_t c2 = client(f->s, "lan.1", "1", "02:00:00:00:00:02");
	uint64_t sid = session(f->s, c, 2000), other = session(f->s, c2, 2000);
	struct store_request r;
	int64_t r1, r2, r3;

	assert_int_equal(store_request_latest(f->s, sid, &r), -ENOENT);
	assert_int_equal(store_request_latest(f->s, 999, &r), -ENOENT);
	assert_int_equal(store_request_add(f->s, sid, plan_id, "remote", "card ****4242", NULL, 3000, &r1),
			 0);
	assert_int_equal(store_request_get(f->s, r1, &r), 0);
	assert_int_equal(r.id, r1);
	assert_int_equal(r.session_id, sid);
	assert_int_equal(r.plan_id, plan_id);
	assert_string_equal(r.method, "remote");
	assert_string_equal(r.detail, "card ****4242");
	assert_string_equal(r.room, "");
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.created_at, 3000);
	assert_int_equal(r.decided_at, 0);
	assert_string_equal(r.decided_by, "");

	/* pending -> provisional -> approved; then final. */
	assert_int_equal(store_request_decide(f->s, r1, "provisional", NULL, "radius", 3100), 0);
	assert_int_equal(store_request_get(f->s, r1, &r), 0);
	assert_string_equal(r.state, "provisional");
	assert_int_equal(r.decided_at, 0);
	assert_string_equal(r.decided_by, "radius");
	REFUSED(f->s, store_request_decide(f->s, r1, "provisional", NULL, "radius", 3150), -EINVAL);
	REFUSED(f->s, store_request_decide(f->s, r1, "pending", NULL, "radius", 3150), -EINVAL);
	assert_int_equal(store_request_decide(f->s, r1, "approved", NULL, "radius", 3200), 0);
	assert_int_equal(store_request_get(f->s, r1, &r), 0);
	assert_string_equal(r.state, "approved");
	assert_int_equal(r.decided_at, 3200);
	REFUSED(f->s, store_request_decide(f->s, r1, "rejected", "late", "radius", 3300), -EALREADY);
	REFUSED(f->s, store_request_decide(f->s, r1, "approved", NULL, "radius", 3300), -EALREADY);

	/* pending -> rejected, with the reason; a new try is a new request. */
	assert_int_equal(store_request_add(f->s, sid, plan_id, "room", "101 Smith", "101", 4000, &r2), 0);
	assert_int_equal(store_request_decide(f->s, r2, "rejected", "no such guest", "room", 4100), 0);
	assert_int_equal(store_request_get(f->s, r2, &r), 0);
	assert_string_equal(r.state, "rejected");
	assert_string_equal(r.reason, "no such guest");
	assert_string_equal(r.room, "101");
	assert_int_equal(r.decided_at, 4100);
	assert_string_equal(r.decided_by, "room");
	REFUSED(f->s, store_request_decide(f->s, r2, "provisional", NULL, "radius", 4200), -EALREADY);
	/* pending -> approved straight; provisional -> rejected. */
	assert_int_equal(store_request_add(f->s, sid, plan_id, "staff", NULL, NULL, 5000, &r3), 0);
	assert_int_equal(store_request_latest(f->s, sid, &r), 0);
	assert_int_equal(r.id, r3);
	assert_int_equal(store_request_decide(f->s, r3, "approved", NULL, "alice", 5100), 0);
	assert_int_equal(store_request_add(f->s, other, plan_id, "remote", NULL, NULL, 5000, &r3), 0);
	assert_int_equal(store_request_decide(f->s, r3, "provisional", NULL, "radius", 5100), 0);
	assert_int_equal(store_request_decide(f->s, r3, "rejected", "card declined", "radius", 5200), 0);
	assert_int_equal(store_request_get(f->s, r3, &r), 0);
	assert_string_equal(r.state, "rejected");

	/* Refusals. */
	assert_int_equal(store_request_add(f->s, other, plan_id, "staff", NULL, NULL, 6000, &r3), 0);
	REFUSED(f->s, store_request_decide(f->s, r3, "ended", NULL, "alice", 6100), -EINVAL);
	REFUSED(f->s, store_request_decide(f->s, r3, NULL, NULL, "alice", 6100), -EINVAL);
	REFUSED(f->s, store_request_decide(f->s, r3, "approved", NULL, "", 6100), -EINVAL);
	REFUSED(f->s, store_request_decide(f->s, r3, "approved", NULL, NULL, 6100), -EINVAL);
	REFUSED(f->s,
		store_request_decide(f->s, r3, "approved", NULL, "a-very-long-staff-user-name-xxxxx", 6100),
		-EINVAL);
	REFUSED(f->s, store_request_decide(f->s, r3, "rejected", "bad\x1b[31m", "alice", 6100), -EINVAL);
	REFUSED(f->s, store_request_decide(f->s, r3, "approved", NULL, "alice", 0), -EINVAL);
	REFUSED(f->s, store_request_decide(f->s, 999, "approved", NULL, "alice", 6100), -ENOENT);
	REFUSED(f->s, store_request_add(f->s, sid, vplan, "staff", NULL, NULL, 6000, &r3), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "Voucher only"));
	REFUSED(f->s, store_request_add(f->s, sid, plan_id, "cash", NULL, NULL, 6000, &r3), -EINVAL);
	REFUSED(f->s, store_request_add(f->s, sid, plan_id, NULL, NULL, NULL, 6000, &r3), -EINVAL);
	REFUSED(f->s, store_request_add(f->s, sid, plan_id, "room", "Smith", NULL, 6000, &r3), -EINVAL);
	REFUSED(f->s, store_request_add(f->s, sid, 999, "staff", NULL, NULL, 6000, &r3), -ENOENT);
	REFUSED(f->s, store_request_add(f->s, 999, plan_id, "staff", NULL, NULL, 6000, &r3), -ENOENT);
	REFUSED(f->s, store_request_add(f->s, sid, plan_id, "staff", "line\nbreak", NULL, 6000, &r3),
		-EINVAL);
	REFUSED(f->s, store_request_add(f->s, sid, plan_id, "staff", NULL, NULL, 0, &r3), -EINVAL);
	assert_int_equal(store_plan_retire(f->s, old, 6000), 0);
	REFUSED(f->s, store_request_add(f->s, sid, old, "staff", NULL, NULL, 6000, &r3), -ESTALE);
	assert_int_equal(store_session_end(f->s, sid, "logout", 7000), 0);
	REFUSED(f->s, store_request_add(f->s, sid, plan_id, "staff", NULL, NULL, 7100, &r3), -EALREADY);
}

static void open_requests_listed_with_client_and_plan(void **state)
{
	struct fixture *f = *state;
	int64_t day = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_STAFF | STORE_METHOD_REMOTE);
	int64_t week = add_plan(f->s, "Week", "time", 2000, "EUR", STORE_METHOD_STAFF);
	int64_t c1 = client(f->s, "lan.1", "1", "02:00:00:00:00:01");
	int64_t c2 = client(f->s, "lan.2", "2", "02:00:00:00:00:02");
	uint64_t s1 = session(f->s, c1, 1000), s2 = session(f->s, c2, 1000);
	struct requests rs = { 0 };
	int64_t a, b, c, d;

	assert_int_equal(store_request_add(f->s, s1, day, "staff", NULL, NULL, 2000, &a), 0);
	assert_int_equal(store_request_add(f->s, s2, week, "staff", NULL, NULL, 2100, &b), 0);
	assert_int_equal(store_request_add(f->s, s2, day, "remote", NULL, NULL, 2200, &c), 0);
	assert_int_equal(store_request_add(f->s, s1, week, "staff", NULL, NULL, 2300, &d), 0);
	assert_int_equal(store_request_decide(f->s, a, "rejected", "who?", "bob", 2400), 0);
	assert_int_equal(store_request_decide(f->s, c, "provisional", NULL, "radius", 2400), 0);
	assert_int_equal(store_requests_open(f->s, collect_request, &rs), 0);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.r[0].request.id, b);
	assert_string_equal(rs.r[0].port, "lan.2");
	assert_string_equal(rs.r[0].mac, "02:00:00:00:00:02");
	assert_string_equal(rs.r[0].plan, "Week");
	assert_int_equal(rs.r[1].request.id, c);
	assert_string_equal(rs.r[1].request.state, "provisional");
	assert_string_equal(rs.r[1].plan, "Day");
	assert_int_equal(rs.r[2].request.id, d);
	assert_string_equal(rs.r[2].port, "lan.1");
	assert_int_equal(rs.r[2].request.session_id, s1);
}

/* --- what a session is billed */

static void session_bill_and_charge(void **state)
{
	struct fixture *f = *state;
	int64_t day = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_ROOM | STORE_METHOD_STAFF);
	int64_t usd = add_plan(f->s, "Dollar day", "time", 500, "USD", STORE_METHOD_STAFF);
	int64_t c = client(f->s, "lan.1", "1", "02:00:00:00:00:01");
	int64_t c2 = client(f->s, "lan.1", "1", "02:00:00:00:00:02");
	uint64_t sid = session(f->s, c, 1000), comp = session(f->s, c2, 1000);
	struct store_session_bill b;

	assert_int_equal(store_session_bill_get(f->s, sid, &b), 0);
	assert_int_equal(b.plan_id, 0);
	assert_string_equal(b.method, "");
	assert_string_equal(b.currency, "");
	assert_int_equal(b.charge, 0);
	REFUSED(f->s, store_session_set_charge(f->s, comp, 100), -EINVAL);
	assert_int_equal(store_session_set_charge(f->s, comp, 0), 0);

	REFUSED(f->s, store_session_bill(f->s, sid, day, "voucher", "101"), -EINVAL);
	REFUSED(f->s, store_session_bill(f->s, sid, day, "bogus", NULL), -EINVAL);
	REFUSED(f->s, store_session_bill(f->s, sid, 999, "room", "101"), -ENOENT);
	REFUSED(f->s, store_session_bill(f->s, 999, day, "room", "101"), -ENOENT);
	REFUSED(f->s, store_session_bill(f->s, 0, day, "room", "101"), -ENOENT);
	REFUSED(f->s, store_session_bill(f->s, sid, day, "room", "10\n1"), -EINVAL);
	assert_int_equal(store_session_bill(f->s, sid, day, "room", "101"), 0);
	assert_int_equal(store_session_bill_get(f->s, sid, &b), 0);
	assert_int_equal(b.plan_id, day);
	assert_string_equal(b.method, "room");
	assert_string_equal(b.room, "101");
	assert_string_equal(b.currency, "EUR");

	assert_int_equal(store_session_set_charge(f->s, sid, 500), 0);
	assert_int_equal(store_session_set_charge(f->s, sid, 500), 0);
	REFUSED(f->s, store_session_set_charge(f->s, sid, 499), -EINVAL);
	REFUSED(f->s, store_session_set_charge(f->s, sid, -1), -EINVAL);
	REFUSED(f->s, store_session_set_charge(f->s, 999, 600), -ENOENT);
	assert_int_equal(store_session_set_charge(f->s, sid, 720), 0);
	/* Another currency once charged: no. The same one: an upgrade. */
	REFUSED(f->s, store_session_bill(f->s, sid, usd, "staff", NULL), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "EUR"));
	assert_int_equal(store_session_bill(f->s, sid, day, "staff", NULL), 0);
	assert_int_equal(store_session_bill_get(f->s, sid, &b), 0);
	assert_int_equal(b.charge, 720);
	assert_string_equal(b.method, "staff");
	assert_string_equal(b.room, "");
	/* After it ended, the final charge still goes in. */
	assert_int_equal(store_session_end(f->s, sid, "logout", 9000), 0);
	assert_int_equal(store_session_set_charge(f->s, sid, 800), 0);
	assert_int_equal(store_session_bill_get(f->s, sid, &b), 0);
	assert_int_equal(b.charge, 800);
	assert_int_equal(store_session_bill_get(f->s, 999, &b), -ENOENT);
}

/* --- reports */

/* A session of a new client on port that ran [start, end) and was billed so. */
static uint64_t billed_session(struct store *s, const char *mac, int64_t plan_id, const char *method,
			       const char *room, int64_t charge, int64_t start, int64_t end, uint64_t bytes)
{
	int64_t c = client(s, "lan.1", "1", mac);
	uint64_t id = session(s, c, start);

	if (plan_id) {
		assert_int_equal(store_session_bill(s, id, plan_id, method, room), 0);
		assert_int_equal(store_session_set_charge(s, id, charge), 0);
	}
	assert_int_equal(store_session_add_counters(s, id, bytes, bytes / 2, 1, 1), 0);
	if (end)
		assert_int_equal(store_session_end(s, id, "logout", end), 0);
	return id;
}

/*
 * The charge is the price the session was sold at, plus its metered rates
 * per started minute since approval and per started MB; a plan changed
 * later does not reprice it.
 */
static void settled_charges_keep_the_price_sold(void **state)
{
	struct fixture *f = *state;
	struct store_plan p = plan("Metered", "time", 50, "EUR", STORE_METHOD_ROOM);
	struct store_session_bill bill;
	int64_t id;
	uint64_t sid;

	p.per_minute = 2;
	p.per_mb = 10;
	assert_int_equal(store_plan_add(f->s, &p, 1000, &id), 0);
	sid = session(f->s, client(f->s, "lan.1", "1", "02:00:00:00:00:01"), 1000);
	assert_int_equal(store_session_bill(f->s, sid, id, "room", "1"), 0);
	assert_int_equal(store_session_approve(f->s, sid, 0, 0, 60000, NULL), 0);
	assert_int_equal(store_session_bill_get(f->s, sid, &bill), 0);
	assert_int_equal(bill.charge, 50); /* at approval: the price */
	/* 2.5 MB and 90 s later: 3 started MB, 2 started minutes. */
	assert_int_equal(store_session_add_counters(f->s, sid, 2000000, 500000, 1, 1), 0);
	assert_int_equal(store_session_settle(f->s, sid, 150000), 0);
	assert_int_equal(store_session_bill_get(f->s, sid, &bill), 0);
	assert_int_equal(bill.charge, 50 + 2 * 2 + 10 * 3);
	/* The plan is made dearer: the running session keeps its rates. */
	store_plan_get(f->s, id, &p);
	p.price = 900;
	p.per_mb = 1000;
	assert_int_equal(store_plan_update(f->s, &p), 0);
	assert_int_equal(store_session_end(f->s, sid, "logout", 190000), 0);
	assert_int_equal(store_session_bill_get(f->s, sid, &bill), 0);
	assert_int_equal(bill.charge, 50 + 2 * 3 + 10 * 3);
	/* The Stop is not queued without a Start; the charge is settled all the same. */
	assert_int_equal(db_int(f->s, "SELECT count(*) FROM outbox"), 0);
}

static int note_rejected(uint64_t session_id, void *arg)
{
	uint64_t *found = arg;

	found[found[0] + 1] = session_id;
	found[0]++;
	return 0;
}

/* A rejected session is listed once its last request was decided before the cutoff. */
static void rejected_sessions_listed_after_a_while(void **state)
{
	struct fixture *f = *state;
	int64_t id = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_STAFF);
	uint64_t sid = session(f->s, client(f->s, "lan.1", "1", "02:00:00:00:00:01"), 1000);
	uint64_t other = session(f->s, client(f->s, "lan.1", "1", "02:00:00:00:00:02"), 1000);
	uint64_t found[4] = { 0 };
	int64_t rid;

	assert_int_equal(store_request_add(f->s, sid, id, "staff", NULL, NULL, 2000, &rid), 0);
	assert_int_equal(store_request_decide(f->s, rid, "rejected", "no", "clerk", 5000), 0);
	assert_int_equal(store_session_set_state(f->s, sid, "rejected", "no", 5000), 0);
	assert_int_equal(store_request_add(f->s, other, id, "staff", NULL, NULL, 2000, &rid), 0);
	assert_int_equal(store_sessions_rejected_before(f->s, 5000, note_rejected, found), 0);
	assert_int_equal(found[0], 0);
	assert_int_equal(store_sessions_rejected_before(f->s, 5001, note_rejected, found), 0);
	assert_int_equal(found[0], 1);
	assert_int_equal(found[1], sid);
	/* Ended, it is not listed again; the pending one never was. */
	assert_int_equal(store_session_end(f->s, sid, "rejected", 6000), 0);
	found[0] = 0;
	assert_int_equal(store_sessions_rejected_before(f->s, 99999, note_rejected, found), 0);
	assert_int_equal(found[0], 0);
}

static void report_groups_and_window(void **state)
{
	struct fixture *f = *state;
	int64_t day = add_plan(f->s, "Day", "time", 500, "EUR",
			       STORE_METHOD_VOUCHER | STORE_METHOD_ROOM | STORE_METHOD_STAFF);
	int64_t hour = add_plan(f->s, "Hour", "time", 300, "USD", STORE_METHOD_REMOTE);
	struct revenues rs;
	struct store_plan p;

	billed_session(f->s, "02:00:00:00:00:01", day, "voucher", NULL, 500, 1000, 61000, 100);
	billed_session(f->s, "02:00:00:00:00:02", day, "room", "101", 700, 1000, 121000, 10);
	billed_session(f->s, "02:00:00:00:00:03", hour, "remote", NULL, 300, 1000, 50000, 1000);
	billed_session(f->s, "02:00:00:00:00:04", 0, NULL, NULL, 0, 1000, 70000, 2); /* a comp */
	billed_session(f->s, "02:00:00:00:00:05", day, "voucher", NULL, 900, 1000, 150000, 4); /* after */
	billed_session(f->s, "02:00:00:00:00:06", day, "voucher", NULL, 900, 1000, 0, 4); /* running */
	/* Day's price moves to francs: its old sessions stay in euros. */
	assert_int_equal(store_plan_get(f->s, day, &p), 0);
	strcpy(p.currency, "CHF");
	assert_int_equal(store_plan_update(f->s, &p), 0);
	billed_session(f->s, "02:00:00:00:00:07", day, "staff", NULL, 400, 100000, 130000, 8);

	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_report(f->s, "plan", 0, 150000, collect_revenue, &rs), 0);
	assert_int_equal(rs.n, 4);
	assert_string_equal(rs.r[0].key, "");
	assert_string_equal(rs.r[0].currency, "");
	assert_int_equal(rs.r[0].sessions, 1);
	assert_int_equal(rs.r[0].charge, 0);
	assert_int_equal(rs.r[0].seconds, 69);
	assert_int_equal(rs.r[0].bytes, 3);
	assert_string_equal(rs.r[1].key, "Day");
	assert_string_equal(rs.r[1].currency, "CHF");
	assert_int_equal(rs.r[1].sessions, 1);
	assert_int_equal(rs.r[1].charge, 400);
	assert_int_equal(rs.r[1].seconds, 30);
	assert_int_equal(rs.r[1].bytes, 12);
	assert_string_equal(rs.r[2].key, "Day");
	assert_string_equal(rs.r[2].currency, "EUR");
	assert_int_equal(rs.r[2].sessions, 2);
	assert_int_equal(rs.r[2].charge, 1200);
	assert_int_equal(rs.r[2].seconds, 180);
	assert_int_equal(rs.r[2].bytes, 150 + 15);
	assert_string_equal(rs.r[3].key, "Hour");
	assert_string_equal(rs.r[3].currency, "USD");
	assert_int_equal(rs.r[3].charge, 300);
	assert_int_equal(rs.r[3].seconds, 49);
	assert_int_equal(rs.r[3].bytes, 1500);

	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_report(f->s, "method", 0, 150000, collect_revenue, &rs), 0);
	assert_int_equal(rs.n, 5);
	assert_string_equal(rs.r[0].key, "");
	assert_string_equal(rs.r[1].key, "remote");
	assert_string_equal(rs.r[1].currency, "USD");
	assert_string_equal(rs.r[2].key, "room");
	assert_int_equal(rs.r[2].charge, 700);
	assert_string_equal(rs.r[3].key, "staff");
	assert_string_equal(rs.r[3].currency, "CHF");
	assert_string_equal(rs.r[4].key, "voucher");
	assert_int_equal(rs.r[4].charge, 500);
	assert_int_equal(rs.r[4].sessions, 1);

	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_report(f->s, "room", 0, 150000, collect_revenue, &rs), 0);
	assert_int_equal(rs.n, 5);
	assert_string_equal(rs.r[0].key, "");
	assert_string_equal(rs.r[0].currency, "");
	assert_string_equal(rs.r[1].key, "");
	assert_string_equal(rs.r[1].currency, "CHF");
	assert_string_equal(rs.r[2].key, "");
	assert_string_equal(rs.r[2].currency, "EUR");
	assert_int_equal(rs.r[2].charge, 500);
	assert_string_equal(rs.r[3].key, "");
	assert_string_equal(rs.r[3].currency, "USD");
	assert_string_equal(rs.r[4].key, "101");
	assert_int_equal(rs.r[4].charge, 700);
	assert_int_equal(rs.r[4].seconds, 120);

	/* [from, to): an end at from counts, one at to does not. */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_report(f->s, "plan", 61000, 121000, collect_revenue, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.r[0].key, "");
	assert_string_equal(rs.r[1].key, "Day");
	assert_string_equal(rs.r[1].currency, "EUR");
	assert_int_equal(rs.r[1].sessions, 1);
	assert_int_equal(rs.r[1].charge, 500);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_report(f->s, "plan", 150000, 150001, collect_revenue, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].charge, 900);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_report(f->s, "plan", 5000, 5000, collect_revenue, &rs), 0);
	assert_int_equal(rs.n, 0);

	assert_int_equal(store_report(f->s, "day", 0, 150000, collect_revenue, &rs), -EINVAL);
	assert_int_equal(store_report(f->s, NULL, 0, 150000, collect_revenue, &rs), -EINVAL);
	assert_int_equal(store_report(f->s, "Plan", 0, 150000, collect_revenue, &rs), -EINVAL);
	assert_int_equal(store_report(f->s, "plan", 150000, 0, collect_revenue, &rs), -EINVAL);
	assert_int_equal(rs.n, 0);
}

/* --- outbox */

static void outbox_add_snapshots_the_session(void **state)
{
	struct fixture *f = *state;
	int64_t day = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_ROOM | STORE_METHOD_VOUCHER);
	int64_t c = client(f->s, "lan.7", "7", "02:00:00:00:00:07");
	uint64_t sid = session(f->s, c, 1000);
	struct store_acct a;
	int64_t start, interim, interim2, stop, n, oldest;
	uint64_t other;

	assert_int_equal(store_session_bill(f->s, sid, day, "voucher", NULL), 0);
	assert_int_equal(store_session_set_charge(f->s, sid, 500), 0);
	assert_int_equal(store_session_add_counters(f->s, sid, 100, 200, 3, 4), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "start", 5500, &start), 0);
	assert_int_equal(store_outbox_get(f->s, start, &a), 0);
	assert_int_equal(a.id, start);
	assert_int_equal(a.session_id, sid);
	assert_string_equal(a.kind, "start");
	assert_int_equal(a.event_at, 5500);
	assert_int_equal(a.session_time_s, 4);
	assert_int_equal(a.up_bytes, 100);
	assert_int_equal(a.down_bytes, 200);
	assert_int_equal(a.up_packets, 3);
	assert_int_equal(a.down_packets, 4);
	assert_int_equal(a.charge, 500);
	assert_string_equal(a.currency, "EUR");
	assert_string_equal(a.terminate_cause, "");
	assert_int_equal(a.attempts, 0);
	assert_int_equal(a.next_at, 5500);
	assert_string_equal(a.last_error, "");
	assert_int_equal(a.acked_at, 0);
	assert_string_equal(a.port, "lan.7");
	assert_string_equal(a.mac, "02:00:00:00:00:07");
	assert_string_equal(a.room, "7"); /* none charged: the port's */
	assert_string_equal(a.plan, "Day");
	assert_string_equal(a.method, "voucher");

	REFUSED(f->s, store_outbox_add(f->s, sid, "start", 5600, &n), -EALREADY);
	REFUSED(f->s, store_outbox_add(f->s, sid, "stop", 5600, &n), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "not ended"));
	REFUSED(f->s, store_outbox_add(f->s, sid, "Start", 5600, &n), -EINVAL);
	REFUSED(f->s, store_outbox_add(f->s, sid, NULL, 5600, &n), -EINVAL);
	REFUSED(f->s, store_outbox_add(f->s, 999, "interim", 5600, &n), -ENOENT);
	REFUSED(f->s, store_outbox_add(f->s, 0, "interim", 5600, &n), -ENOENT);
	REFUSED(f->s, store_outbox_add(f->s, sid, "interim", 0, &n), -EINVAL);

	assert_int_equal(store_session_add_counters(f->s, sid, 1000, 2000, 10, 20), 0);
	assert_int_equal(store_session_set_charge(f->s, sid, 650), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "interim", 61000, &interim), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "interim", 121000, &interim2), 0);
	assert_true(interim2 > interim && interim > start);
	assert_int_equal(store_outbox_get(f->s, interim, &a), 0);
	assert_int_equal(a.session_time_s, 60);
	assert_int_equal(a.up_bytes, 1100);
	assert_int_equal(a.down_packets, 24);
	assert_int_equal(a.charge, 650);
	/* The start keeps what it saw. */
	assert_int_equal(store_outbox_get(f->s, start, &a), 0);
	assert_int_equal(a.up_bytes, 100);
	assert_int_equal(a.charge, 500);

	/*
	 * A room charged is the record's room. Ending a session whose start
	 * was queued queues its stop (store_session_end), with the end.
	 */
	assert_int_equal(store_session_bill(f->s, sid, day, "room", "714"), 0);
	assert_int_equal(store_session_end(f->s, sid, "keepalive-timeout", 150500), 0);
	REFUSED(f->s, store_outbox_add(f->s, sid, "stop", 153000, &n), -EALREADY);
	REFUSED(f->s, store_outbox_add(f->s, sid, "interim", 151000, &n), -EINVAL);
	REFUSED(f->s, store_outbox_add(f->s, sid, "start", 151000, &n), -EALREADY);
	stop = db_int(f->s, "SELECT id FROM outbox WHERE kind = 'stop'");
	assert_int_equal(store_outbox_get(f->s, stop, &a), 0);
	assert_int_equal(a.session_id, sid);
	assert_int_equal(a.event_at, 150500);
	assert_int_equal(a.session_time_s, 149);
	assert_int_equal(a.up_bytes, 1100);
	assert_int_equal(a.charge, 650);
	assert_string_equal(a.terminate_cause, "keepalive-timeout");
	assert_int_equal(a.next_at, 150500);
	assert_string_equal(a.room, "714");
	assert_string_equal(a.method, "room");
	assert_int_equal(store_outbox_get(f->s, 999, &a), -ENOENT);

	/* A session that ended without a start: its stop is queued by hand, with its end's time. */
	other = session(f->s, client(f->s, "lan.8", NULL, "02:00:00:00:00:08"), 160000);
	assert_int_equal(store_session_add_counters(f->s, other, 7, 8, 1, 2), 0);
	assert_int_equal(store_session_end(f->s, other, "deadline", 170999), 0);
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 4);
	REFUSED(f->s, store_outbox_add(f->s, other, "start", 171000, &n), -EINVAL);
	assert_int_equal(store_session_add_counters(f->s, other, 1, 1, 1, 1),
			 0); /* the kernel's last deltas */
	assert_int_equal(store_outbox_add(f->s, other, "stop", 172000, &stop), 0);
	assert_int_equal(store_outbox_get(f->s, stop, &a), 0);
	assert_string_equal(a.kind, "stop");
	assert_int_equal(a.event_at, 170999);
	assert_int_equal(a.session_time_s, 10);
	assert_int_equal(a.up_bytes, 8);
	assert_int_equal(a.down_packets, 3);
	assert_int_equal(a.charge, 0);
	assert_string_equal(a.currency, "");
	assert_string_equal(a.terminate_cause, "deadline");
	assert_int_equal(a.next_at, 172000);
	assert_string_equal(a.room, "");
	assert_string_equal(a.plan, "");
	assert_string_equal(a.method, "");
	REFUSED(f->s, store_outbox_add(f->s, other, "stop", 173000, &n), -EALREADY);

	assert_int_equal(store_outbox_depth(f->s, &n, &oldest), 0);
	assert_int_equal(n, 5);
	assert_int_equal(oldest, 5500);
}

static void outbox_due_in_order_one_per_session(void **state)
{
	struct fixture *f = *state;
	int64_t ca = client(f->s, "lan.1", NULL, "02:00:00:00:00:0a");
	int64_t cb = client(f->s, "lan.1", NULL, "02:00:00:00:00:0b");
	uint64_t sa = session(f->s, ca, 1000), sb = session(f->s, cb, 1000);
	int64_t a_start, b_start, a_interim, a_stop, n, oldest;
	struct accts as;
	struct store_acct a;
	char longerr[300];

	assert_int_equal(store_outbox_depth(f->s, &n, &oldest), 0);
	assert_int_equal(n, 0);
	assert_int_equal(oldest, 0);
	assert_int_equal(store_outbox_add(f->s, sa, "start", 2000, &a_start), 0);
	assert_int_equal(store_outbox_add(f->s, sb, "start", 2100, &b_start), 0);
	assert_int_equal(store_outbox_add(f->s, sa, "interim", 3000, &a_interim), 0);
	assert_int_equal(store_session_end(f->s, sa, "logout", 3500), 0); /* queues the stop */
	a_stop = db_int(f->s, "SELECT id FROM outbox WHERE kind = 'stop'");
	assert_true(a_stop > a_interim);

	/* Not yet due; then each session's oldest only. */
	as = due(f->s, 1999, 10);
	assert_int_equal(as.n, 0);
	as = due(f->s, 2000, 10);
	assert_int_equal(as.n, 1);
	assert_int_equal(as.a[0].id, a_start);
	assert_string_equal(as.a[0].room, "");
	as = due(f->s, 9000, 10);
	assert_int_equal(as.n, 2);
	assert_int_equal(as.a[0].id, a_start);
	assert_int_equal(as.a[1].id, b_start);
	as = due(f->s, 9000, 1);
	assert_int_equal(as.n, 1);
	assert_int_equal(as.a[0].id, a_start);

	/* A's stop waits for its start and interim to be acknowledged. */
	assert_int_equal(store_outbox_acked(f->s, a_start, 9100), 0);
	as = due(f->s, 9200, 10);
	assert_int_equal(as.n, 2);
	assert_int_equal(as.a[0].id, b_start);
	assert_int_equal(as.a[1].id, a_interim);

	/* A failure: counted, kept, and not due before its next try. */
	assert_int_equal(store_outbox_failed(f->s, b_start, "timeout from 192.0.2.1", 20000), 0);
	assert_int_equal(store_outbox_failed(f->s, b_start, "no reply", 30000), 0);
	assert_int_equal(store_outbox_get(f->s, b_start, &a), 0);
	assert_int_equal(a.attempts, 2);
	assert_int_equal(a.next_at, 30000);
	assert_string_equal(a.last_error, "no reply");
	as = due(f->s, 29999, 10);
	assert_int_equal(as.n, 1);
	assert_int_equal(as.a[0].id, a_interim);
	as = due(f->s, 30000, 10);
	assert_int_equal(as.n, 2);
	assert_int_equal(as.a[0].id, b_start);

	assert_int_equal(store_outbox_acked(f->s, a_interim, 9300), 0);
	as = due(f->s, 9400, 10);
	assert_int_equal(as.n, 1);
	assert_int_equal(as.a[0].id, a_stop);
	assert_string_equal(as.a[0].kind, "stop");
	assert_string_equal(as.a[0].terminate_cause, "logout");

	/* Acknowledged again: fine, and the first time stays. */
	assert_int_equal(store_outbox_acked(f->s, a_interim, 9999), 0);
	assert_int_equal(store_outbox_get(f->s, a_interim, &a), 0);
	assert_int_equal(a.acked_at, 9300);
	REFUSED(f->s, store_outbox_acked(f->s, 999, 9999), -ENOENT);
	REFUSED(f->s, store_outbox_acked(f->s, a_stop, 0), -EINVAL);
	REFUSED(f->s, store_outbox_failed(f->s, a_interim, "late", 40000), -EALREADY);
	REFUSED(f->s, store_outbox_failed(f->s, 999, "x", 40000), -ENOENT);
	REFUSED(f->s, store_outbox_failed(f->s, a_stop, "x", -1), -EINVAL);

	assert_int_equal(store_outbox_depth(f->s, &n, &oldest), 0);
	assert_int_equal(n, 2);
	assert_int_equal(oldest, 2100);

	/* A long error is shortened whole characters at a time; control characters go. */
	memset(longerr, 0, sizeof(longerr));
	strcpy(longerr, "radius:\n");
	while (strlen(longerr) + 3 < sizeof(longerr))
		strcat(longerr, "\u00e9");
	assert_int_equal(store_outbox_failed(f->s, a_stop, longerr, 40000), 0);
	assert_int_equal(store_outbox_get(f->s, a_stop, &a), 0);
	assert_true(strlen(a.last_error) <= STORE_ACCT_ERROR_LEN - 1);
	assert_true(strlen(a.last_error) >= STORE_ACCT_ERROR_LEN - 3);
	assert_int_equal(strncmp(a.last_error, "radius: \u00e9", 10), 0);
	assert_int_equal(strlen(a.last_error) % 2, 0); /* "radius: " and whole two-byte é */
	assert_int_equal(store_outbox_failed(f->s, a_stop, NULL, 40000), 0);
	assert_int_equal(store_outbox_get(f->s, a_stop, &a), 0);
	assert_string_equal(a.last_error, "");
	assert_int_equal(a.attempts, 2);

	assert_int_equal(store_outbox_acked(f->s, a_stop, 50000), 0);
	assert_int_equal(store_outbox_acked(f->s, b_start, 50000), 0);
	assert_int_equal(store_outbox_depth(f->s, &n, &oldest), 0);
	assert_int_equal(n, 0);
	assert_int_equal(oldest, 0);
	as = due(f->s, 99999, 10);
	assert_int_equal(as.n, 0);
}

static int ack_and_stop(const struct store_acct *a, void *arg)
{
	struct store *s = arg;

	assert_int_equal(store_outbox_acked(s, a->id, 7000), 0);
	return 3;
}

static void outbox_with_the_session_or_not_at_all(void **state)
{
	struct fixture *f = *state;
	int64_t c = client(f->s, "lan.1", NULL, "02:00:00:00:00:01");
	uint64_t sid = session(f->s, c, 1000);
	struct store_session ss;
	int64_t id, n;

	/* A batch that queues the start, ends the session (queueing its stop), rolled back: none of it. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "start", 1500, NULL), 0);
	assert_int_equal(store_session_end(f->s, sid, "kick", 2000), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "stop", 2000, &id), -EALREADY);
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_rollback(f->s), 0);
	assert_int_equal(store_session_get(f->s, sid, &ss), 0);
	assert_string_equal(ss.state, "pending");
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 0);
	/* Committed: both. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "start", 1500, NULL), 0);
	assert_int_equal(store_session_end(f->s, sid, "kick", 2000), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "interim", 2000, &id),
			 -EINVAL); /* refused, batch goes on */
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 2);
	/* A callback may acknowledge what it is shown, and stop. */
	assert_int_equal(store_outbox_due(f->s, 5000, 10, ack_and_stop, f->s), 3);
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_due(f->s, 5000, 10, ack_and_stop, f->s), 3);
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 0);
}

/* --- durability */

static void everything_survives_a_reopen(void **state)
{
	struct fixture *f = *state;
	int64_t day = add_plan(f->s, "Day", "time", 500, "EUR", STORE_METHOD_VOUCHER | STORE_METHOD_STAFF);
	int64_t c = client(f->s, "lan.1", "1", "02:00:00:00:00:01");
	uint64_t sid = session(f->s, c, 1000);
	struct store_guest gl[1] = { guest("1", "Ng", 0, 0, "F-1") };
	char code[STORE_VOUCHER_LEN];
	struct store_voucher v;
	struct store_guest g;
	struct store_request r;
	struct store_session_bill b;
	struct store_acct a;
	struct store_plan p;
	struct plans ps = { 0 };
	int64_t req, rec, n;
	char *before, *after;

	assert_int_equal(store_plan_offer(f->s, day, "lan.1", NULL), 0);
	one_voucher(f->s, day, 3, "b1", code);
	assert_int_equal(store_voucher_redeem(f->s, code, c, sid, 1500, NULL, NULL), 0);
	assert_int_equal(store_guests_replace(f->s, gl, 1, 1600), 0);
	assert_int_equal(store_request_add(f->s, sid, day, "voucher", code, NULL, 1700, &req), 0);
	assert_int_equal(store_request_decide(f->s, req, "approved", NULL, "voucher", 1800), 0);
	assert_int_equal(store_session_bill(f->s, sid, day, "voucher", NULL), 0);
	assert_int_equal(store_session_set_charge(f->s, sid, 500), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "start", 1900, &rec), 0);
	assert_int_equal(store_outbox_failed(f->s, rec, "down", 2500), 0);
	before = snapshot(f->s);

	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->path, &f->s), 0);
	after = snapshot(f->s);
	assert_string_equal(before, after);
	free(before);
	free(after);

	assert_int_equal(store_plan_find(f->s, "Day", &p), 0);
	assert_int_equal(p.id, day);
	assert_int_equal(p.methods, STORE_METHOD_VOUCHER | STORE_METHOD_STAFF);
	assert_int_equal(store_plans_offered(f->s, "lan.1", "1", collect_plan, &ps), 0);
	assert_int_equal(ps.n, 1);
	assert_int_equal(store_voucher_get(f->s, code, &v), 0);
	assert_int_equal(v.used, 1);
	assert_int_equal(v.devices, 3);
	assert_int_equal(store_guest_match(f->s, "1", "ng", 5000, &g), 0);
	assert_string_equal(g.folio, "F-1");
	assert_int_equal(store_request_latest(f->s, sid, &r), 0);
	assert_int_equal(r.id, req);
	assert_string_equal(r.state, "approved");
	assert_int_equal(store_session_bill_get(f->s, sid, &b), 0);
	assert_int_equal(b.charge, 500);
	assert_string_equal(b.currency, "EUR");
	assert_int_equal(store_outbox_get(f->s, rec, &a), 0);
	assert_int_equal(a.attempts, 1);
	assert_string_equal(a.last_error, "down");
	assert_int_equal(store_outbox_depth(f->s, &n, NULL), 0);
	assert_int_equal(n, 1);
	/* And it goes on working: the statements are prepared again. */
	assert_int_equal(store_outbox_acked(f->s, rec, 3000), 0);
	assert_int_equal(store_integrity_check(f->s), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup, store_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(methods_parse_and_format),
		T(plan_add_get_find_list),
		T(plan_refusals_change_nothing),
		T(plan_update_and_retire),
		T(offers_everywhere_port_room),
		T(vouchers_create_codes_and_batches),
		T(vouchers_create_callback_may_stop),
		T(voucher_lookup_is_normalised),
		T(voucher_redeem_counts_devices),
		T(guests_replace_whole_list),
		T(guest_match_folds_and_checks_the_stay),
		T(request_transitions),
		T(open_requests_listed_with_client_and_plan),
		T(session_bill_and_charge),
		T(settled_charges_keep_the_price_sold),
		T(rejected_sessions_listed_after_a_while),
		T(report_groups_and_window),
		T(outbox_add_snapshots_the_session),
		T(outbox_due_in_order_one_per_session),
		T(outbox_with_the_session_or_not_at_all),
		T(everything_survives_a_reopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
