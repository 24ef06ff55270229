/*
 * Billing in the store: plans and their offers, vouchers, the guest list,
 * billing requests, what each session is billed, and revenue reports. See
 * store_billing.h for the API and store.c (migration 3) for the tables.
 */
#include "store_billing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <sqlite3.h>

#include "store_internal.h"

/* Upper bounds that keep charge arithmetic (amount x minutes or MB) far from overflow. */
#define AMOUNT_MAX 1000000000LL /* minor units: 10 million of a currency with cents */
#define DURATION_MAX_S (10LL * 366 * 86400) /* ten years */
#define KEEPALIVE_MAX_S 86400LL

#define VOUCHER_CODE_CHARS 10
#define VOUCHER_COUNT_MAX 10000
#define VOUCHER_DEVICES_MAX 1000
#define VOUCHER_TRIES 8 /* fresh codes to try when one is taken (one in 2^50 per code in use) */
#define GUEST_TYPED_LEN 256 /* a surname as a guest typed it, with spaces and hyphens */

static const char voucher_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
_Static_assert(sizeof(voucher_alphabet) - 1 == 32, "voucher codes take 5 bits per character");

static const char *const method_names[] = { "free", "remote", "room", "staff", "voucher" };
_Static_assert(1u << (sizeof(method_names) / sizeof(method_names[0])) == STORE_METHOD_ALL + 1,
	       "one name per method bit");

static const char *const plan_kinds[] = { "time", "data", "time+data", "until-checkout", "free" };

/* --- statements */

#define PLAN_COLUMNS                                                                                         \
	"p.id, p.name, p.kind, p.price, p.currency, p.per_minute, p.per_mb, p.duration_s, p.bytes, "         \
	"p.idle_timeout_s, p.keepalive_s, p.methods, p.created_at, p.retired_at"
#define PLAN_NCOLUMNS 14

static const char SQL_PLAN_BY_NAME[] = "SELECT " PLAN_COLUMNS " FROM plans p WHERE p.name = ?1";
static const char SQL_PLAN_BY_ID[] = "SELECT " PLAN_COLUMNS " FROM plans p WHERE p.id = ?1";
static const char SQL_PLAN_INSERT[] =
	"INSERT INTO plans (name, kind, price, currency, per_minute, per_mb, duration_s, bytes, "
	"idle_timeout_s, keepalive_s, methods, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_PLAN_UPDATE[] =
	"UPDATE plans SET kind = ?2, price = ?3, currency = ?4, per_minute = ?5, per_mb = ?6, "
	"duration_s = ?7, bytes = ?8, idle_timeout_s = ?9, keepalive_s = ?10, methods = ?11 "
	"WHERE id = ?1 AND retired_at IS NULL";
static const char SQL_PLAN_RETIRE[] = "UPDATE plans SET retired_at = ?2 WHERE id = ?1 AND retired_at IS NULL";
static const char SQL_PLAN_LIST[] =
	"SELECT " PLAN_COLUMNS " FROM plans p WHERE ?1 OR p.retired_at IS NULL ORDER BY p.id";

static const char SQL_PORT_KNOWN[] = "SELECT 1 FROM ports WHERE ifname = ?1";
static const char SQL_OFFER_ADD[] =
	"INSERT INTO plan_offers (plan_id, port, room) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
static const char SQL_OFFERS_CLEAR[] = "DELETE FROM plan_offers WHERE plan_id = ?1";
static const char SQL_OFFERS_OF[] = "SELECT ifnull(port, ''), ifnull(room, '') FROM plan_offers "
				    "WHERE plan_id = ?1 ORDER BY ifnull(port, ''), ifnull(room, '')";
static const char SQL_PLANS_OFFERED[] =
	"SELECT " PLAN_COLUMNS " FROM plans p WHERE p.retired_at IS NULL AND EXISTS ("
	"SELECT 1 FROM plan_offers o WHERE o.plan_id = p.id AND "
	"((o.port IS NULL AND o.room IS NULL) OR o.port = ?1 OR o.room = ?2)) "
	"ORDER BY p.price, p.id";

#define VOUCHER_COLUMNS                                                                                      \
	"v.code, v.plan_id, v.devices, (SELECT count(*) FROM voucher_uses u WHERE u.code = v.code), "        \
	"v.batch, v.created_at, v.revoked_at"

static const char SQL_VOUCHER_INSERT[] =
	"INSERT INTO vouchers (code, plan_id, devices, batch, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
	"ON CONFLICT DO NOTHING";
static const char SQL_VOUCHER_GET[] = "SELECT " VOUCHER_COLUMNS " FROM vouchers v WHERE v.code = ?1";
static const char SQL_VOUCHER_USED_BY[] = "SELECT at FROM voucher_uses WHERE code = ?1 AND client_id = ?2";
static const char SQL_VOUCHER_USE[] =
	"INSERT INTO voucher_uses (code, client_id, session_id, at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_VOUCHER_REVOKE[] =
	"UPDATE vouchers SET revoked_at = ?2 WHERE code = ?1 AND revoked_at IS NULL";
static const char SQL_VOUCHERS_LIST[] = "SELECT " VOUCHER_COLUMNS " FROM vouchers v "
					"WHERE ?1 IS NULL OR v.batch = ?1 ORDER BY v.created_at, v.code";

static const char SQL_GUESTS_CLEAR[] = "DELETE FROM guests";
/*
 * Two guests of a room whose surnames fold the same (a couple, a family)
 * are one household to a room charge: one row, staying from the earliest
 * arrival to the latest departure (an open end stays open), with the first
 * spelling and the first folio given.
 */
static const char SQL_GUEST_INSERT[] =
	"INSERT INTO guests (room, surname, surname_key, arrival, departure, folio, imported_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (room, surname_key) DO UPDATE SET "
	"arrival = CASE WHEN arrival IS NULL OR excluded.arrival IS NULL THEN NULL "
	"ELSE min(arrival, excluded.arrival) END, "
	"departure = CASE WHEN departure IS NULL OR excluded.departure IS NULL THEN NULL "
	"ELSE max(departure, excluded.departure) END, "
	"folio = coalesce(folio, excluded.folio)";
static const char SQL_GUEST_MATCH[] =
	"SELECT room, surname, arrival, departure, folio FROM guests WHERE room = ?1 AND surname_key = ?2 "
	"AND (arrival IS NULL OR arrival <= ?3) AND (departure IS NULL OR ?3 < departure)";
static const char SQL_GUESTS_LIST[] =
	"SELECT room, surname, arrival, departure, folio FROM guests ORDER BY room, surname_key";

static const char SQL_SESSION_BILLING[] =
	"SELECT client_id, state, charge, ifnull(currency, '') FROM sessions WHERE id = ?1";

#define REQUEST_COLUMNS                                                                                      \
	"r.id, r.session_id, r.plan_id, r.method, r.detail, r.room, r.state, r.reason, r.created_at, "       \
	"r.decided_at, r.decided_by"
#define REQUEST_NCOLUMNS 11

static const char SQL_REQUEST_INSERT[] =
	"INSERT INTO billing_requests (session_id, plan_id, method, detail, room, state, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)";
static const char SQL_REQUEST_GET[] = "SELECT " REQUEST_COLUMNS " FROM billing_requests r WHERE r.id = ?1";
static const char SQL_REQUEST_DECIDE[] =
	"UPDATE billing_requests SET state = ?3, reason = ?4, decided_by = ?5, decided_at = ?6 "
	"WHERE id = ?1 AND state = ?2";
static const char SQL_REQUEST_LATEST[] = "SELECT " REQUEST_COLUMNS " FROM billing_requests r "
					 "WHERE r.session_id = ?1 ORDER BY r.id DESC LIMIT 1";
/*
 * Run at every sweep: through the sessions not ended only (the partial
 * index sessions_open), not every session the venue ever sold.
 */
static const char SQL_REJECTED_BEFORE[] =
	"SELECT s.id FROM sessions s INDEXED BY sessions_open WHERE s.state != 'ended' AND "
	"s.state = 'rejected' AND "
	"(SELECT max(r.decided_at) FROM billing_requests r WHERE r.session_id = s.id) < ?1 ORDER BY s.id";
static const char SQL_REQUESTS_OPEN[] =
	"SELECT " REQUEST_COLUMNS ", c.port, c.mac, p.name FROM billing_requests r "
	"JOIN sessions s ON s.id = r.session_id JOIN clients c ON c.id = s.client_id "
	"JOIN plans p ON p.id = r.plan_id WHERE r.state IN ('pending', 'provisional') ORDER BY r.id";

/* The plan's rates are copied: a plan changed later does not reprice the sessions it sold. */
static const char SQL_SESSION_BILL[] =
	"UPDATE sessions SET plan_id = ?2, method = ?3, room = ?4, currency = ?5, "
	"rate_price = ?6, rate_per_minute = ?7, rate_per_mb = ?8, keepalive_s = ?9 WHERE id = ?1";
static const char SQL_SESSION_CHARGE[] = "UPDATE sessions SET charge = ?2 WHERE id = ?1 AND charge <= ?2";
static const char SQL_SESSION_BILL_GET[] = "SELECT ifnull(plan_id, 0), ifnull(method, ''), ifnull(room, ''), "
					   "charge, ifnull(currency, '') FROM sessions WHERE id = ?1";

#define REPORT_SQL(key)                                                                                      \
	"SELECT " key ", ifnull(s.currency, ''), count(*), sum(s.charge), "                                  \
	"sum(s.ended_at - s.started_at) / 1000, sum(s.up_bytes + s.down_bytes) "                             \
	"FROM sessions s LEFT JOIN plans p ON p.id = s.plan_id "                                             \
	"WHERE s.ended_at >= ?1 AND s.ended_at < ?2 GROUP BY 1, 2 ORDER BY 1, 2"
static const char SQL_REPORT_PLAN[] = REPORT_SQL("ifnull(p.name, '')");
static const char SQL_REPORT_METHOD[] = REPORT_SQL("ifnull(s.method, '')");
static const char SQL_REPORT_ROOM[] = REPORT_SQL("ifnull(s.room, '')");

/* The cached statement for sql, or the store's error. */
static int prep(struct store *s, const char *sql, sqlite3_stmt **q)
{
	*q = store_sql(s, sql);
	return *q ? 0 : -EIO;
}

/* --- validation */

/*
 * Whether t[0..n) is UTF-8 without control characters (C0, DEL, C1):
 * 0 yes, 1 not UTF-8, 2 a control character.
 */
static int text_kind(const unsigned char *t, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = t[i];
		unsigned int cp, more;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 2;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
		} else {
			return 1;
		}
		if (n - i <= more)
			return 1;
		for (unsigned int k = 1; k <= more; k++) {
			if ((t[i + k] & 0xc0) != 0x80)
				return 1;
			cp = cp << 6 | (t[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((more == 2 && cp < 0x800) || (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 1;
		if (cp >= 0x80 && cp <= 0x9f)
			return 2;
		i += more + 1;
	}
	return 0;
}

/*
 * Text a clerk or a guest typed: at most max bytes of UTF-8 without control
 * characters; NULL or "" is refused when required.
 */
static int check_text(struct store *s, const char *what, const char *t, size_t max, int required)
{
	size_t n = t ? strlen(t) : 0;

	if (n == 0)
		return required ? store_fail(s, -EINVAL, "%s is empty", what) : 0;
	if (n > max)
		return store_fail(s, -EINVAL, "%s is longer than %zu bytes", what, max);
	switch (text_kind((const unsigned char *)t, n)) {
	case 1:
		return store_fail(s, -EINVAL, "%s is not valid UTF-8", what);
	case 2:
		return store_fail(s, -EINVAL, "%s has a control character", what);
	}
	return 0;
}

/* A field of a fixed-size array that may lack its NUL. */
static int check_field(struct store *s, const char *what, const char *t, size_t size, int required)
{
	if (strnlen(t, size) == size)
		return store_fail(s, -EINVAL, "%s is longer than %zu bytes", what, size - 1);
	return check_text(s, what, t, size - 1, required);
}

static int check_plan_name(struct store *s, const char *name, size_t size)
{
	int err = check_field(s, "plan name", name, size, 1);
	size_t n;

	if (err)
		return err;
	n = strlen(name);
	if (name[0] == ' ' || name[n - 1] == ' ')
		return store_fail(s, -EINVAL, "plan name \"%s\" starts or ends with a space", name);
	return 0;
}

static int check_currency(struct store *s, const char *c, size_t size)
{
	if (strnlen(c, size) != 3 || strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		return store_fail(s, -EINVAL,
				  "currency must be three upper-case letters (ISO 4217, e.g. EUR)");
	return 0;
}

static int check_range(struct store *s, const char *what, int64_t v, int64_t max)
{
	if (v < 0 || v > max)
		return store_fail(s, -EINVAL, "%s %lld is out of range (0 to %lld)", what, (long long)v,
				  (long long)max);
	return 0;
}

static int check_now(struct store *s, int64_t now_ms)
{
	if (now_ms <= 0)
		return store_fail(s, -EINVAL, "bad time %lld", (long long)now_ms);
	return 0;
}

static int valid_kind(const char *kind, size_t size)
{
	if (strnlen(kind, size) == size)
		return 0;
	for (size_t i = 0; i < sizeof(plan_kinds) / sizeof(plan_kinds[0]); i++)
		if (!strcmp(kind, plan_kinds[i]))
			return 1;
	return 0;
}

/* Every field of a plan but its name, id and times. */
static int check_plan(struct store *s, const struct store_plan *p)
{
	const char *k = p->kind;
	int err;

	if (!valid_kind(k, sizeof(p->kind)))
		return store_fail(s, -EINVAL,
				  "plan kind must be time, data, time+data, until-checkout or free");
	if ((err = check_currency(s, p->currency, sizeof(p->currency))) ||
	    (err = check_range(s, "price", p->price, AMOUNT_MAX)) ||
	    (err = check_range(s, "price per minute", p->per_minute, AMOUNT_MAX)) ||
	    (err = check_range(s, "price per MB", p->per_mb, AMOUNT_MAX)) ||
	    (err = check_range(s, "duration (s)", p->duration_s, DURATION_MAX_S)) ||
	    (err = check_range(s, "bytes", p->bytes, INT64_MAX)) ||
	    (err = check_range(s, "idle timeout (s)", p->idle_timeout_s, DURATION_MAX_S)) ||
	    (err = check_range(s, "keepalive interval (s)", p->keepalive_s, KEEPALIVE_MAX_S)))
		return err;
	if (p->methods == 0 || (p->methods & ~(unsigned int)STORE_METHOD_ALL))
		return store_fail(s, -EINVAL,
				  "a plan needs one or more ways to pay: free, remote, room, "
				  "staff, voucher");
	if (!strcmp(k, "free")) {
		if (p->price || p->per_minute || p->per_mb)
			return store_fail(s, -EINVAL, "a free plan has no price");
		if (p->methods != STORE_METHOD_FREE)
			return store_fail(s, -EINVAL, "a free plan is paid by method free only");
		return 0;
	}
	if (p->methods & STORE_METHOD_FREE)
		return store_fail(s, -EINVAL, "method free is for plans of kind free only");
	if (!strcmp(k, "time") && (p->duration_s == 0 || p->bytes))
		return store_fail(s, -EINVAL,
				  "a time plan has a duration and no byte limit (that is time+data)");
	if (!strcmp(k, "data") && (p->bytes == 0 || p->duration_s))
		return store_fail(s, -EINVAL,
				  "a data plan has a byte limit and no duration (that is time+data)");
	if (!strcmp(k, "time+data") && (p->duration_s == 0 || p->bytes == 0))
		return store_fail(s, -EINVAL, "a time+data plan has both a duration and a byte limit");
	if (!strcmp(k, "until-checkout")) {
		if (p->duration_s || p->bytes)
			return store_fail(s, -EINVAL,
					  "an until-checkout plan ends at departure: no duration "
					  "or byte limit");
		if (!(p->methods & STORE_METHOD_ROOM) || (p->methods & STORE_METHOD_VOUCHER))
			return store_fail(s, -EINVAL,
					  "an until-checkout plan is paid by room (the guest list "
					  "knows the departure), not by voucher");
	}
	return 0;
}

static int check_session_id(struct store *s, uint64_t id)
{
	if (id == 0 || id > INT64_MAX)
		return store_fail(s, -ENOENT, "no session %llu", (unsigned long long)id);
	return 0;
}

/* --- methods */

const char *store_method_name(unsigned int method)
{
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (method == 1u << i)
			return method_names[i];
	return NULL;
}

unsigned int store_method_parse(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (!strcmp(name, method_names[i]))
			return 1u << i;
	return 0;
}

int store_methods_parse(const char *list, unsigned int *methods)
{
	unsigned int set = 0, bit;
	char name[STORE_METHOD_LEN];
	const char *p = list;
	size_t n;

	if (!list || !*list)
		return -EINVAL;
	for (;;) {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, n);
		name[n] = '\0';
		bit = store_method_parse(name);
		if (!bit || (set & bit))
			return -EINVAL;
		set |= bit;
		if (!p[n])
			break;
		p += n + 1;
	}
	*methods = set;
	return 0;
}

void store_methods_format(unsigned int methods, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
		if (!(methods & (1u << i)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", method_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

/* --- plans */

static void read_plan(sqlite3_stmt *q, struct store_plan *p)
{
	char methods[STORE_METHODS_LEN];

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(q, 0);
	store_text(p->name, sizeof(p->name), q, 1);
	store_text(p->kind, sizeof(p->kind), q, 2);
	p->price = sqlite3_column_int64(q, 3);
	store_text(p->currency, sizeof(p->currency), q, 4);
	p->per_minute = sqlite3_column_int64(q, 5);
	p->per_mb = sqlite3_column_int64(q, 6);
	p->duration_s = sqlite3_column_int64(q, 7);
	p->bytes = sqlite3_column_int64(q, 8);
	p->idle_timeout_s = sqlite3_column_int64(q, 9);
	p->keepalive_s = sqlite3_column_int64(q, 10);
	store_text(methods, sizeof(methods), q, 11);
	if (store_methods_parse(methods, &p->methods))
		p->methods = 0;
	p->created_at = sqlite3_column_int64(q, 12);
	p->retired_at = sqlite3_column_int64(q, 13);
}

/* One plan by id; -ENOENT if unknown. */
static int plan_by_id(struct store *s, int64_t id, struct store_plan *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_PLAN_BY_ID, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	rc = store_row(s, q, "get plan");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no plan %lld", (long long)id);
	read_plan(q, out);
	sqlite3_reset(q);
	return 0;
}

/* A plan that is still offered: -ENOENT, or -ESTALE when retired. */
static int plan_offered(struct store *s, int64_t id, struct store_plan *out)
{
	int rc = plan_by_id(s, id, out);

	if (rc)
		return rc;
	if (out->retired_at)
		return store_fail(s, -ESTALE, "plan \"%s\" is retired", out->name);
	return 0;
}

/* Bind kind .. methods of p to ?2 .. ?11, as both insert and update take them. */
static void bind_plan(sqlite3_stmt *q, const struct store_plan *p)
{
	char methods[STORE_METHODS_LEN];

	store_methods_format(p->methods, methods, sizeof(methods));
	sqlite3_bind_text(q, 2, p->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, p->price);
	sqlite3_bind_text(q, 4, p->currency, 3, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 5, p->per_minute);
	sqlite3_bind_int64(q, 6, p->per_mb);
	store_bind_int(q, 7, p->duration_s);
	store_bind_int(q, 8, p->bytes);
	store_bind_int(q, 9, p->idle_timeout_s);
	store_bind_int(q, 10, p->keepalive_s);
	sqlite3_bind_text(q, 11, methods, -1, SQLITE_TRANSIENT);
}

int store_plan_add(struct store *s, const struct store_plan *p, int64_t now_ms, int64_t *id)
{
	struct store_plan old;
	sqlite3_stmt *q;
	int rc;

	if (!p)
		return store_fail(s, -EINVAL, "no plan given");
	if ((rc = check_plan_name(s, p->name, sizeof(p->name))) || (rc = check_plan(s, p)) ||
	    (rc = check_now(s, now_ms)))
		return rc;
	rc = store_plan_find(s, p->name, &old);
	if (rc == 0)
		return store_fail(s, -EEXIST, "a plan named \"%s\" exists already%s", p->name,
				  old.retired_at ? " (retired)" : "");
	if (rc != -ENOENT)
		return rc;
	if ((rc = prep(s, SQL_PLAN_INSERT, &q)))
		return rc;
	bind_plan(q, p);
	sqlite3_bind_text(q, 1, p->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 12, now_ms);
	if ((rc = store_run(s, q, "add plan")))
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return 0;
}

int store_plan_update(struct store *s, const struct store_plan *p)
{
	struct store_plan old;
	sqlite3_stmt *q;
	int rc;

	if (!p)
		return store_fail(s, -EINVAL, "no plan given");
	if ((rc = plan_offered(s, p->id, &old)) || (rc = check_plan(s, p)))
		return rc;
	if ((rc = prep(s, SQL_PLAN_UPDATE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, p->id);
	bind_plan(q, p);
	return store_run(s, q, "update plan");
}

int store_plan_retire(struct store *s, int64_t id, int64_t now_ms)
{
	struct store_plan old;
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_now(s, now_ms)) || (rc = plan_offered(s, id, &old)))
		return rc == -ESTALE ? store_fail(s, -EALREADY, "plan \"%s\" is retired already", old.name)
				     : rc;
	if ((rc = prep(s, SQL_PLAN_RETIRE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now_ms);
	return store_run(s, q, "retire plan");
}

int store_plan_get(struct store *s, int64_t id, struct store_plan *out)
{
	return plan_by_id(s, id, out);
}

int store_plan_find(struct store *s, const char *name, struct store_plan *out)
{
	sqlite3_stmt *q;
	int rc;

	if (!name)
		return store_fail(s, -EINVAL, "no plan name given");
	if ((rc = prep(s, SQL_PLAN_BY_NAME, &q)))
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	rc = store_row(s, q, "find plan");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no plan \"%.64s\"", name);
	read_plan(q, out);
	sqlite3_reset(q);
	return 0;
}

/* Rows of PLAN_COLUMNS to cb. */
static int list_plans(struct store *s, sqlite3_stmt *q, const char *what,
		      int (*cb)(const struct store_plan *p, void *arg), void *arg)
{
	struct store_plan p;
	int rc;

	while ((rc = store_row(s, q, what)) == 1) {
		read_plan(q, &p);
		rc = cb(&p, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

int store_plan_list(struct store *s, int include_retired, int (*cb)(const struct store_plan *p, void *arg),
		    void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_PLAN_LIST, &q)))
		return rc;
	sqlite3_bind_int(q, 1, include_retired != 0);
	return list_plans(s, q, "list plans", cb, arg);
}

/* --- offers */

int store_plan_offer(struct store *s, int64_t plan_id, const char *port, const char *room)
{
	struct store_plan p;
	sqlite3_stmt *q;
	int rc;

	if (port && *port && room && *room)
		return store_fail(s, -EINVAL, "an offer is on a port or in a room, not both");
	if ((rc = check_text(s, "port", port, STORE_IFNAME_LEN - 1, 0)) ||
	    (rc = check_text(s, "room", room, STORE_ROOM_LEN - 1, 0)) || (rc = plan_offered(s, plan_id, &p)))
		return rc;
	if (port && *port) {
		if ((rc = prep(s, SQL_PORT_KNOWN, &q)))
			return rc;
		sqlite3_bind_text(q, 1, port, -1, SQLITE_TRANSIENT);
		rc = store_row(s, q, "find port");
		sqlite3_reset(q);
		if (rc <= 0)
			return rc < 0 ? rc : store_fail(s, -ENOENT, "no port %s", port);
	}
	if ((rc = prep(s, SQL_OFFER_ADD, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, plan_id);
	store_bind_text(q, 2, port);
	store_bind_text(q, 3, room);
	return store_run(s, q, "add offer");
}

int store_plan_offers_clear(struct store *s, int64_t plan_id)
{
	struct store_plan p;
	sqlite3_stmt *q;
	int rc;

	if ((rc = plan_by_id(s, plan_id, &p)) || (rc = prep(s, SQL_OFFERS_CLEAR, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, plan_id);
	return store_run(s, q, "clear offers");
}

int store_plan_offers(struct store *s, int64_t plan_id,
		      int (*cb)(const char *port, const char *room, void *arg), void *arg)
{
	char port[STORE_IFNAME_LEN], room[STORE_ROOM_LEN];
	struct store_plan p;
	sqlite3_stmt *q;
	int rc;

	if ((rc = plan_by_id(s, plan_id, &p)) || (rc = prep(s, SQL_OFFERS_OF, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, plan_id);
	while ((rc = store_row(s, q, "list offers")) == 1) {
		store_text(port, sizeof(port), q, 0);
		store_text(room, sizeof(room), q, 1);
		rc = cb(port, room, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

int store_plans_offered(struct store *s, const char *port, const char *room,
			int (*cb)(const struct store_plan *p, void *arg), void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_PLANS_OFFERED, &q)))
		return rc;
	store_bind_text(q, 1, port);
	store_bind_text(q, 2, room);
	return list_plans(s, q, "list offered plans", cb, arg);
}

/* --- vouchers */

/* A code as typed to its stored form: upper case, no spaces or hyphens. */
static int norm_code(struct store *s, const char *code, char out[STORE_VOUCHER_LEN])
{
	size_t n = 0;

	if (!code)
		return store_fail(s, -EINVAL, "no voucher code given");
	for (const char *c = code; *c; c++) {
		if (*c == ' ' || *c == '-')
			continue;
		if (n == STORE_VOUCHER_LEN - 1 ||
		    !((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			return store_fail(s, -ENOENT,
					  "no such voucher: a code is up to %d letters and digits",
					  STORE_VOUCHER_LEN - 1);
		out[n++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
	}
	out[n] = '\0';
	if (n == 0)
		return store_fail(s, -ENOENT, "no voucher code given");
	return 0;
}

static void read_voucher(sqlite3_stmt *q, struct store_voucher *v)
{
	memset(v, 0, sizeof(*v));
	store_text(v->code, sizeof(v->code), q, 0);
	v->plan_id = sqlite3_column_int64(q, 1);
	v->devices = sqlite3_column_int64(q, 2);
	v->used = sqlite3_column_int64(q, 3);
	store_text(v->batch, sizeof(v->batch), q, 4);
	v->created_at = sqlite3_column_int64(q, 5);
	v->revoked_at = sqlite3_column_int64(q, 6);
}

/* A voucher by its normalised code; -ENOENT if none. */
static int voucher_by_code(struct store *s, const char *code, struct store_voucher *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_VOUCHER_GET, &q)))
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_TRANSIENT);
	rc = store_row(s, q, "get voucher");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no voucher %s", code);
	read_voucher(q, out);
	sqlite3_reset(q);
	return 0;
}

static int check_batch(struct store *s, const char *batch)
{
	size_t n = batch ? strlen(batch) : 0;

	if (n == 0 || n >= STORE_BATCH_LEN ||
	    strspn(batch, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return store_fail(s, -EINVAL, "bad batch name: 1 to %d of A-Z, a-z, 0-9, '.', '_' and '-'",
				  STORE_BATCH_LEN - 1);
	return 0;
}

/* A new random code: 5 bits of a random byte per character (256 is a multiple of 32: no bias). */
static int voucher_code(struct store *s, char out[VOUCHER_CODE_CHARS + 1])
{
	unsigned char b[VOUCHER_CODE_CHARS];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return store_fail(s, -EIO, "the random number generator failed: no voucher made");
	for (size_t i = 0; i < sizeof(b); i++)
		out[i] = voucher_alphabet[b[i] & 31];
	out[VOUCHER_CODE_CHARS] = '\0';
	return 0;
}

static int vouchers_create(struct store *s, int64_t plan_id, unsigned int count, unsigned int devices,
			   const char *batch, int64_t now_ms, char (*codes)[VOUCHER_CODE_CHARS + 1])
{
	struct store_plan p;
	sqlite3_stmt *q;
	int rc;

	if ((rc = plan_offered(s, plan_id, &p)))
		return rc;
	if (!(p.methods & STORE_METHOD_VOUCHER))
		return store_fail(s, -EINVAL, "plan \"%s\" is not paid by voucher", p.name);
	for (unsigned int i = 0; i < count; i++) {
		int tries = 0;

		do {
			if (++tries > VOUCHER_TRIES)
				return store_fail(s, -EIO, "no free voucher code after %d tries",
						  VOUCHER_TRIES);
			if ((rc = voucher_code(s, codes[i])) || (rc = prep(s, SQL_VOUCHER_INSERT, &q)))
				return rc;
			sqlite3_bind_text(q, 1, codes[i], -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(q, 2, plan_id);
			sqlite3_bind_int64(q, 3, devices);
			sqlite3_bind_text(q, 4, batch, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(q, 5, now_ms);
			if ((rc = store_run(s, q, "add voucher")))
				return rc;
		} while (sqlite3_changes(store_db(s)) == 0);
	}
	return 0;
}

int store_vouchers_create(struct store *s, int64_t plan_id, unsigned int count, unsigned int devices,
			  const char *batch, int64_t now_ms,
			  int (*cb)(const struct store_voucher *v, void *arg), void *arg)
{
	char(*codes)[VOUCHER_CODE_CHARS + 1];
	struct store_voucher v;
	int nested, rc;

	if (count < 1 || count > VOUCHER_COUNT_MAX)
		return store_fail(s, -EINVAL, "voucher count %u is out of range (1 to %d)", count,
				  VOUCHER_COUNT_MAX);
	if (devices < 1 || devices > VOUCHER_DEVICES_MAX)
		return store_fail(s, -EINVAL, "devices per voucher %u is out of range (1 to %d)", devices,
				  VOUCHER_DEVICES_MAX);
	if ((rc = check_batch(s, batch)) || (rc = check_now(s, now_ms)))
		return rc;
	codes = calloc(count, sizeof(*codes));
	if (!codes)
		return store_fail(s, -ENOMEM, "out of memory");
	if ((rc = store_op_begin(s, &nested))) {
		free(codes);
		return rc;
	}
	rc = store_op_end(s, nested, vouchers_create(s, plan_id, count, devices, batch, now_ms, codes));
	/* Only codes that are stored are shown. */
	for (unsigned int i = 0; !rc && cb && i < count; i++) {
		memset(&v, 0, sizeof(v));
		memcpy(v.code, codes[i], sizeof(codes[i]));
		v.plan_id = plan_id;
		v.devices = devices;
		snprintf(v.batch, sizeof(v.batch), "%s", batch);
		v.created_at = now_ms;
		rc = cb(&v, arg);
	}
	free(codes);
	return rc;
}

int store_voucher_get(struct store *s, const char *code, struct store_voucher *out)
{
	char c[STORE_VOUCHER_LEN];
	int rc;

	if ((rc = norm_code(s, code, c)))
		return rc;
	return voucher_by_code(s, c, out);
}

static int voucher_redeem(struct store *s, const char *code, int64_t client_id, uint64_t session_id,
			  int64_t now_ms, int64_t *first_use)
{
	struct store_voucher v;
	struct store_plan p;
	sqlite3_stmt *q;
	int rc;

	if ((rc = voucher_by_code(s, code, &v)))
		return rc;
	if (v.revoked_at)
		return store_fail(s, -EKEYREVOKED, "voucher %s was revoked", code);
	if ((rc = plan_by_id(s, v.plan_id, &p)))
		return rc;
	if (p.retired_at)
		return store_fail(s, -ESTALE, "voucher %s is for plan \"%s\", which is retired", code,
				  p.name);
	if ((rc = prep(s, SQL_SESSION_BILLING, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	rc = store_row(s, q, "find session");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
	rc = sqlite3_column_int64(q, 0) != client_id;
	sqlite3_reset(q);
	if (rc)
		return store_fail(s, -EINVAL, "session %llu is not client %lld's",
				  (unsigned long long)session_id, (long long)client_id);
	if ((rc = prep(s, SQL_VOUCHER_USED_BY, &q)))
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, client_id);
	*first_use = now_ms;
	rc = store_row(s, q, "find voucher use");
	if (rc > 0)
		*first_use = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc)
		return rc < 0 ? rc : 0; /* this device again: no more used */
	if (v.used >= v.devices)
		return store_fail(s, -EUSERS, "voucher %s has been used on %lld device%s already", code,
				  (long long)v.used, v.used == 1 ? "" : "s");
	if ((rc = prep(s, SQL_VOUCHER_USE, &q)))
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, client_id);
	sqlite3_bind_int64(q, 3, (int64_t)session_id);
	sqlite3_bind_int64(q, 4, now_ms);
	return store_run(s, q, "use voucher");
}

int store_voucher_redeem(struct store *s, const char *code, int64_t client_id, uint64_t session_id,
			 int64_t now_ms, struct store_voucher *out, int64_t *first_use_ms)
{
	char c[STORE_VOUCHER_LEN];
	int64_t first = 0;
	int nested, rc;

	if ((rc = norm_code(s, code, c)) || (rc = check_session_id(s, session_id)) ||
	    (rc = check_now(s, now_ms)) || (rc = store_op_begin(s, &nested)))
		return rc;
	rc = store_op_end(s, nested, voucher_redeem(s, c, client_id, session_id, now_ms, &first));
	if (!rc && first_use_ms)
		*first_use_ms = first;
	if (!rc && out)
		rc = voucher_by_code(s, c, out);
	return rc;
}

int store_voucher_revoke(struct store *s, const char *code, int64_t now_ms)
{
	struct store_voucher v;
	char c[STORE_VOUCHER_LEN];
	sqlite3_stmt *q;
	int rc;

	if ((rc = norm_code(s, code, c)) || (rc = check_now(s, now_ms)) || (rc = voucher_by_code(s, c, &v)))
		return rc;
	if (v.revoked_at)
		return store_fail(s, -EALREADY, "voucher %s is revoked already", c);
	if ((rc = prep(s, SQL_VOUCHER_REVOKE, &q)))
		return rc;
	sqlite3_bind_text(q, 1, c, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, now_ms);
	return store_run(s, q, "revoke voucher");
}

int store_vouchers_list(struct store *s, const char *batch,
			int (*cb)(const struct store_voucher *v, void *arg), void *arg)
{
	struct store_voucher v;
	sqlite3_stmt *q;
	int rc, n = 0;

	if ((batch && (rc = check_batch(s, batch))) || (rc = prep(s, SQL_VOUCHERS_LIST, &q)))
		return rc;
	if (batch)
		sqlite3_bind_text(q, 1, batch, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(s, q, "list vouchers")) == 1) {
		n++;
		read_voucher(q, &v);
		rc = cb(&v, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	if (rc == 0 && n == 0 && batch)
		return store_fail(s, -ENOENT, "no batch %s", batch);
	return rc;
}

/* --- guests */

/*
 * A surname folded for matching: ASCII letters in lower case; spaces,
 * hyphens and apostrophes (', and the typographic ' and ' that phones
 * type) left out; every other byte as it is, so non-ASCII letters match
 * only exactly as imported ("Müller" is not "MÜLLER" nor "Mueller").
 */
static void fold_surname(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)in; *c && n + 1 < len; c++) {
		if (*c == ' ' || *c == '-' || *c == '\'')
			continue;
		/* U+2018 and U+2019: E2 80 98, E2 80 99. */
		if (c[0] == 0xe2 && c[1] == 0x80 && (c[2] == 0x98 || c[2] == 0x99)) {
			c += 2;
			continue;
		}
		out[n++] = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : (char)*c;
	}
	out[n] = '\0';
}

static int check_guest(struct store *s, const struct store_guest *g, size_t i)
{
	char key[STORE_SURNAME_LEN];
	int rc;

	if ((rc = check_field(s, "room", g->room, sizeof(g->room), 1)) ||
	    (rc = check_field(s, "surname", g->surname, sizeof(g->surname), 1)) ||
	    (rc = check_field(s, "folio", g->folio, sizeof(g->folio), 0))) {
		char why[128];

		snprintf(why, sizeof(why), "%s", store_error(s));
		return store_fail(s, rc, "guest %zu of the list: %s", i + 1, why);
	}
	fold_surname(g->surname, key, sizeof(key));
	if (!key[0])
		return store_fail(s, -EINVAL, "guest %zu of room %s: surname \"%s\" has no letters", i + 1,
				  g->room, g->surname);
	if (g->arrival < 0 || g->departure < 0 || (g->arrival && g->departure && g->departure <= g->arrival))
		return store_fail(s, -EINVAL, "guest %s of room %s: departure is not after arrival",
				  g->surname, g->room);
	return 0;
}

static int guests_replace(struct store *s, const struct store_guest *guests, size_t n, int64_t now_ms)
{
	char key[STORE_SURNAME_LEN];
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_GUESTS_CLEAR, &q)) || (rc = store_run(s, q, "clear guests")))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct store_guest *g = &guests[i];

		fold_surname(g->surname, key, sizeof(key));
		if ((rc = prep(s, SQL_GUEST_INSERT, &q)))
			return rc;
		sqlite3_bind_text(q, 1, g->room, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, g->surname, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 3, key, -1, SQLITE_TRANSIENT);
		store_bind_int(q, 4, g->arrival);
		store_bind_int(q, 5, g->departure);
		store_bind_text(q, 6, g->folio);
		sqlite3_bind_int64(q, 7, now_ms);
		if ((rc = store_run(s, q, "add guest")))
			return rc;
	}
	return 0;
}

int store_guests_replace(struct store *s, const struct store_guest *guests, size_t n, int64_t now_ms)
{
	int nested, rc;

	if (n && !guests)
		return store_fail(s, -EINVAL, "no guests given");
	if ((rc = check_now(s, now_ms)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = check_guest(s, &guests[i], i)))
			return rc;
	if ((rc = store_op_begin(s, &nested)))
		return rc;
	return store_op_end(s, nested, guests_replace(s, guests, n, now_ms));
}

static void read_guest(sqlite3_stmt *q, struct store_guest *g)
{
	memset(g, 0, sizeof(*g));
	store_text(g->room, sizeof(g->room), q, 0);
	store_text(g->surname, sizeof(g->surname), q, 1);
	g->arrival = sqlite3_column_int64(q, 2);
	g->departure = sqlite3_column_int64(q, 3);
	store_text(g->folio, sizeof(g->folio), q, 4);
}

int store_guest_match(struct store *s, const char *room, const char *surname, int64_t now_ms,
		      struct store_guest *out)
{
	char key[GUEST_TYPED_LEN];
	sqlite3_stmt *q;
	int rc;

	if (!room || !surname)
		return store_fail(s, -EINVAL, "a room charge needs the room and the surname");
	/* What cannot be on the list matches no one (and is not truncated into someone who is). */
	if (strlen(surname) >= sizeof(key) || strlen(room) >= STORE_ROOM_LEN)
		return store_fail(s, -ENOENT, "no guest of that name stays in room %.63s", room);
	fold_surname(surname, key, sizeof(key));
	if ((rc = prep(s, SQL_GUEST_MATCH, &q)))
		return rc;
	sqlite3_bind_text(q, 1, room, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, now_ms);
	rc = store_row(s, q, "match guest");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "no guest of that name stays in room %s now", room);
	if (out)
		read_guest(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_guests_list(struct store *s, int (*cb)(const struct store_guest *g, void *arg), void *arg)
{
	struct store_guest g;
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_GUESTS_LIST, &q)))
		return rc;
	while ((rc = store_row(s, q, "list guests")) == 1) {
		read_guest(q, &g);
		rc = cb(&g, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

/* --- billing requests */

/* The session's client, state, charge and currency; -ENOENT if unknown. */
static int session_billing(struct store *s, uint64_t id, int64_t *client_id, char state[STORE_STATE_LEN],
			   int64_t *charge, char currency[STORE_CURRENCY_LEN])
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_session_id(s, id)) || (rc = prep(s, SQL_SESSION_BILLING, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)id);
	rc = store_row(s, q, "find session");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)id);
	if (client_id)
		*client_id = sqlite3_column_int64(q, 0);
	if (state)
		store_text(state, STORE_STATE_LEN, q, 1);
	if (charge)
		*charge = sqlite3_column_int64(q, 2);
	if (currency)
		store_text(currency, STORE_CURRENCY_LEN, q, 3);
	sqlite3_reset(q);
	return 0;
}

/* A plan that takes method m (a single method's name). */
static int plan_takes(struct store *s, const struct store_plan *p, const char *method)
{
	unsigned int m = store_method_parse(method);

	if (!m)
		return store_fail(s, -EINVAL, "bad method \"%.16s\": free, remote, room, staff or voucher",
				  method ? method : "");
	if (!(p->methods & m))
		return store_fail(s, -EINVAL, "plan \"%s\" cannot be paid by %s", p->name, method);
	return 0;
}

int store_request_add(struct store *s, uint64_t session_id, int64_t plan_id, const char *method,
		      const char *detail, const char *room, int64_t now_ms, int64_t *id)
{
	char state[STORE_STATE_LEN];
	struct store_plan p;
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_text(s, "request detail", detail, STORE_REQ_DETAIL_LEN - 1, 0)) ||
	    (rc = check_text(s, "room", room, STORE_ROOM_LEN - 1, 0)) || (rc = check_now(s, now_ms)))
		return rc;
	if ((rc = session_billing(s, session_id, NULL, state, NULL, NULL)))
		return rc;
	if (!strcmp(state, "ended"))
		return store_fail(s, -EALREADY, "session %llu has ended", (unsigned long long)session_id);
	if ((rc = plan_offered(s, plan_id, &p)) || (rc = plan_takes(s, &p, method)))
		return rc;
	if (!strcmp(method, "room") && !(room && *room))
		return store_fail(s, -EINVAL, "a room charge needs the room");
	if ((rc = prep(s, SQL_REQUEST_INSERT, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	sqlite3_bind_int64(q, 2, plan_id);
	sqlite3_bind_text(q, 3, method, -1, SQLITE_TRANSIENT);
	store_bind_text(q, 4, detail);
	store_bind_text(q, 5, room);
	sqlite3_bind_int64(q, 6, now_ms);
	if ((rc = store_run(s, q, "add billing request")))
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return 0;
}

static void read_request(sqlite3_stmt *q, struct store_request *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(q, 0);
	r->session_id = (uint64_t)sqlite3_column_int64(q, 1);
	r->plan_id = sqlite3_column_int64(q, 2);
	store_text(r->method, sizeof(r->method), q, 3);
	store_text(r->detail, sizeof(r->detail), q, 4);
	store_text(r->room, sizeof(r->room), q, 5);
	store_text(r->state, sizeof(r->state), q, 6);
	store_text(r->reason, sizeof(r->reason), q, 7);
	r->created_at = sqlite3_column_int64(q, 8);
	r->decided_at = sqlite3_column_int64(q, 9);
	store_text(r->decided_by, sizeof(r->decided_by), q, 10);
}

int store_request_get(struct store *s, int64_t id, struct store_request *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_REQUEST_GET, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	rc = store_row(s, q, "get billing request");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no billing request %lld", (long long)id);
	read_request(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_request_decide(struct store *s, int64_t id, const char *state, const char *reason,
			 const char *decider, int64_t now_ms)
{
	struct store_request r;
	sqlite3_stmt *q;
	int final, rc;

	if (!state ||
	    (strcmp(state, "provisional") && strcmp(state, "approved") && strcmp(state, "rejected")))
		return store_fail(s, -EINVAL,
				  "a request is decided provisional, approved or rejected, not "
				  "\"%.16s\"",
				  state ? state : "");
	if ((rc = check_text(s, "reason", reason, STORE_REQ_REASON_LEN - 1, 0)) ||
	    (rc = check_text(s, "decider", decider, STORE_DECIDER_LEN - 1, 1)) ||
	    (rc = check_now(s, now_ms)) || (rc = store_request_get(s, id, &r)))
		return rc;
	if (!strcmp(r.state, "approved") || !strcmp(r.state, "rejected"))
		return store_fail(s, -EALREADY, "billing request %lld was %s already", (long long)id,
				  r.state);
	if (!strcmp(r.state, "provisional") && !strcmp(state, "provisional"))
		return store_fail(s, -EINVAL, "billing request %lld is provisional already", (long long)id);
	final = strcmp(state, "provisional") != 0;
	if ((rc = prep(s, SQL_REQUEST_DECIDE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, r.state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, state, -1, SQLITE_TRANSIENT);
	store_bind_text(q, 4, reason);
	sqlite3_bind_text(q, 5, decider, -1, SQLITE_TRANSIENT);
	store_bind_int(q, 6, final ? now_ms : 0);
	return store_run(s, q, "decide billing request");
}

int store_request_latest(struct store *s, uint64_t session_id, struct store_request *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = session_billing(s, session_id, NULL, NULL, NULL, NULL)) ||
	    (rc = prep(s, SQL_REQUEST_LATEST, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	rc = store_row(s, q, "latest billing request");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "session %llu has no billing request",
					   (unsigned long long)session_id);
	read_request(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_requests_open(struct store *s, int (*cb)(const struct store_request_row *r, void *arg), void *arg)
{
	struct store_request_row r;
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_REQUESTS_OPEN, &q)))
		return rc;
	while ((rc = store_row(s, q, "list open billing requests")) == 1) {
		read_request(q, &r.request);
		store_text(r.port, sizeof(r.port), q, REQUEST_NCOLUMNS);
		store_text(r.mac, sizeof(r.mac), q, REQUEST_NCOLUMNS + 1);
		store_text(r.plan, sizeof(r.plan), q, REQUEST_NCOLUMNS + 2);
		rc = cb(&r, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

/* --- what a session is billed */

int store_session_bill(struct store *s, uint64_t session_id, int64_t plan_id, const char *method,
		       const char *room)
{
	char currency[STORE_CURRENCY_LEN];
	struct store_plan p;
	sqlite3_stmt *q;
	int64_t charge;
	int rc;

	if ((rc = check_text(s, "room", room, STORE_ROOM_LEN - 1, 0)) ||
	    (rc = session_billing(s, session_id, NULL, NULL, &charge, currency)) ||
	    (rc = plan_by_id(s, plan_id, &p)) || (rc = plan_takes(s, &p, method)))
		return rc;
	if (charge && strcmp(currency, p.currency))
		return store_fail(s, -EINVAL, "session %llu is charged in %s already, plan \"%s\" is in %s",
				  (unsigned long long)session_id, currency, p.name, p.currency);
	if ((rc = prep(s, SQL_SESSION_BILL, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	sqlite3_bind_int64(q, 2, plan_id);
	sqlite3_bind_text(q, 3, method, -1, SQLITE_TRANSIENT);
	store_bind_text(q, 4, room);
	sqlite3_bind_text(q, 5, p.currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 6, p.price);
	sqlite3_bind_int64(q, 7, p.per_minute);
	sqlite3_bind_int64(q, 8, p.per_mb);
	store_bind_int(q, 9, p.keepalive_s);
	return store_run(s, q, "bill session");
}

int store_session_set_charge(struct store *s, uint64_t session_id, int64_t charge)
{
	char currency[STORE_CURRENCY_LEN];
	sqlite3_stmt *q;
	int64_t old;
	int rc;

	if (charge < 0)
		return store_fail(s, -EINVAL, "bad charge %lld", (long long)charge);
	if ((rc = session_billing(s, session_id, NULL, NULL, &old, currency)))
		return rc;
	if (charge < old)
		return store_fail(s, -EINVAL, "session %llu: a charge is never lowered (%lld to %lld)",
				  (unsigned long long)session_id, (long long)old, (long long)charge);
	if (charge && !currency[0])
		return store_fail(s, -EINVAL, "session %llu has no plan to charge in",
				  (unsigned long long)session_id);
	if ((rc = prep(s, SQL_SESSION_CHARGE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	sqlite3_bind_int64(q, 2, charge);
	return store_run(s, q, "set charge");
}

int store_session_bill_get(struct store *s, uint64_t session_id, struct store_session_bill *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_session_id(s, session_id)) || (rc = prep(s, SQL_SESSION_BILL_GET, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	rc = store_row(s, q, "get session bill");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
	memset(out, 0, sizeof(*out));
	out->plan_id = sqlite3_column_int64(q, 0);
	store_text(out->method, sizeof(out->method), q, 1);
	store_text(out->room, sizeof(out->room), q, 2);
	out->charge = sqlite3_column_int64(q, 3);
	store_text(out->currency, sizeof(out->currency), q, 4);
	sqlite3_reset(q);
	return 0;
}

/* --- reports */

int store_report(struct store *s, const char *group_by, int64_t from_ms, int64_t to_ms,
		 int (*cb)(const struct store_revenue *r, void *arg), void *arg)
{
	struct store_revenue r;
	const char *sql;
	sqlite3_stmt *q;
	int rc;

	if (group_by && !strcmp(group_by, "plan"))
		sql = SQL_REPORT_PLAN;
	else if (group_by && !strcmp(group_by, "method"))
		sql = SQL_REPORT_METHOD;
	else if (group_by && !strcmp(group_by, "room"))
		sql = SQL_REPORT_ROOM;
	else
		return store_fail(s, -EINVAL, "a report is by plan, method or room, not \"%.16s\"",
				  group_by ? group_by : "");
	if (from_ms < 0 || to_ms < from_ms)
		return store_fail(s, -EINVAL, "bad report period %lld to %lld", (long long)from_ms,
				  (long long)to_ms);
	if ((rc = prep(s, sql, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	while ((rc = store_row(s, q, "revenue report")) == 1) {
		memset(&r, 0, sizeof(r));
		store_text(r.key, sizeof(r.key), q, 0);
		store_text(r.currency, sizeof(r.currency), q, 1);
		r.sessions = sqlite3_column_int64(q, 2);
		r.charge = sqlite3_column_int64(q, 3);
		r.seconds = sqlite3_column_int64(q, 4);
		r.bytes = (uint64_t)sqlite3_column_int64(q, 5);
		rc = cb(&r, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

int store_sessions_rejected_before(struct store *s, int64_t cutoff_ms,
				   int (*cb)(uint64_t session_id, void *arg), void *arg)
{
	sqlite3_stmt *q;
	uint64_t ids[256];
	size_t n = 0;
	int rc;

	if ((rc = prep(s, SQL_REJECTED_BEFORE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, cutoff_ms);
	/* Collected first: the callback ends sessions, which this query reads. */
	while (n < sizeof(ids) / sizeof(ids[0]) && (rc = store_row(s, q, "list rejected sessions")) == 1)
		ids[n++] = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = cb(ids[i], arg)))
			return rc;
	return 0;
}
