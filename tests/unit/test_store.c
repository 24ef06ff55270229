/*
 * Unit tests of daemon/store.c against real SQLite databases in a
 * temporary directory: schema and migrations, pragmas, ports, clients and
 * their addresses, the session life cycle with its events and counters,
 * batches, durability across a reopen, and a 10000-session batch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_billing.h"
#include "store_fixture.h"
#include "store_internal.h"
#include "store_outbox.h"

#define WICKET_XSTR(x) #x
#define WICKET_STR(x) WICKET_XSTR(x)
#include "uapi/wicket.h"

static void reopen(struct fixture *f)
{
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->path, &f->s), 0);
}

/* An integer from a separate, raw SQLite connection to the same file. */
static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int64_t v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A port, a client on it and that client's session, in state. */
static uint64_t new_session(struct store *s, const char *mac, const char *state, int64_t *client)
{
	int64_t c;
	uint64_t id = 0;

	assert_int_equal(store_port_set(s, "eth1", "101", WICKET_PORT_CHARGE, 1000), 0);
	assert_int_equal(store_client_get_or_add(s, "eth1", mac, 1000, &c), 0);
	assert_int_equal(store_session_start(s, c, state, 0, 0, NULL, 0, 1000, &id), 0);
	assert_true(id > 0);
	if (client)
		*client = c;
	return id;
}

/* --- collectors for the listing callbacks */

struct ports {
	int n;
	struct store_port p[8];
};

static int collect_port(const struct store_port *p, void *arg)
{
	struct ports *ps = arg;

	assert_true(ps->n < 8);
	ps->p[ps->n++] = *p;
	return 0;
}

struct addrs {
	int n;
	char a[WICKET_MAX_ADDRS + 1][STORE_ADDR_LEN];
};

static int collect_addr(const struct store_addr *a, void *arg)
{
	struct addrs *as = arg;

	assert_true(as->n <= WICKET_MAX_ADDRS);
	strcpy(as->a[as->n++], a->addr);
	return 0;
}

struct events {
	int n;
	struct store_event e[16];
};

static int collect_event(const struct store_event *e, void *arg)
{
	struct events *es = arg;

	assert_true(es->n < 16);
	es->e[es->n++] = *e;
	return 0;
}

static int count_events(struct store *s, uint64_t id)
{
	struct events es = { 0 };

	assert_int_equal(store_session_events(s, id, collect_event, &es), 0);
	return es.n;
}

struct actives {
	int n;
	struct store_active a[8];
};

static int collect_active(const struct store_active *a, void *arg)
{
	struct actives *as = arg;

	if (as->n < 8)
		as->a[as->n] = *a;
	as->n++;
	return 0;
}

/* --- schema */

static void open_creates_schema_and_version(void **state)
{
	struct fixture *f = *state;
	struct store_settings st;
	struct stat sb;

	assert_int_equal(store_settings(f->s, &st), 0);
	assert_int_equal(st.user_version, STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path,
				 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
				 "('ports', 'clients', 'client_addrs', 'sessions', 'session_events')"),
			 5);
	assert_int_equal(
		raw_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE name = 'client_addrs_bound'"), 1);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void reopen_is_idempotent(void **state)
{
	struct fixture *f = *state;
	struct store_settings st;
	struct ports ps = { 0 };
	int64_t tables = raw_int(f->path, "SELECT count(*) FROM sqlite_schema");

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_FREE, 5), 0);
	reopen(f);
	reopen(f);
	assert_int_equal(store_settings(f->s, &st), 0);
	assert_int_equal(st.user_version, STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema"), tables);
	assert_int_equal(store_port_list(f->s, collect_port, &ps), 0);
	assert_int_equal(ps.n, 1);
	assert_string_equal(ps.p[0].ifname, "eth1");
}

static void newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s2 = (struct store *)1;

	store_close(f->s);
	f->s = NULL;
	raw_exec(f->path, "PRAGMA user_version = 99");
	assert_int_equal(store_open(f->path, &s2), -EPROTONOSUPPORT);
	assert_null(s2);
	assert_non_null(strstr(store_error(NULL), "newer"));
	/* Nothing was touched. */
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 99);
	raw_exec(f->path, "PRAGMA user_version = " WICKET_STR(STORE_SCHEMA_VERSION));
	assert_int_equal(store_open(f->path, &f->s), 0);
}

/*
 * A store of schema version 1, made with version 1's own SQL and holding a
 * session, is migrated on open: its rows kept, the new columns at their
 * defaults, the new tables there.
 */
static void version_1_is_migrated(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	struct store_port p;
	struct store_client c;
	char old[128];

	snprintf(old, sizeof(old), "%s/v1.db", f->dir);
	raw_exec(old, store_migration_sql(1));
	raw_exec(old, "INSERT INTO ports VALUES ('eth1', '101', 1, 5);"
		      "INSERT INTO clients VALUES (7, 'eth1', '02:00:00:00:00:01', 5, 5);"
		      "INSERT INTO sessions (id, client_id, state, started_at) VALUES (3, 7, 'active', 6);");
	assert_int_equal(raw_int(old, "PRAGMA user_version"), 1);
	store_close(f->s);
	assert_int_equal(store_open(old, &f->s), 0);
	assert_int_equal(raw_int(old, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_session_get(f->s, 3, &ss), 0);
	assert_string_equal(ss.state, "active");
	assert_int_equal(ss.client_id, 7);
	assert_int_equal(ss.keepalive_at, 0);
	assert_int_equal(store_port_get(f->s, "eth1", &p), 0);
	assert_string_equal(p.room, "101");
	assert_int_equal(p.set_by_staff, 0);
	assert_int_equal(store_client_get(f->s, 7, &c), 0);
	assert_int_equal(c.blocked_at, 0);
	assert_int_equal(store_session_keepalive(f->s, 3, 1, 5000), 0);
	assert_int_equal(raw_int(old, "SELECT count(*) FROM sqlite_schema WHERE name IN ('plans', 'outbox')"),
			 2);
	assert_int_equal(raw_int(old, "SELECT charge FROM sessions WHERE id = 3"), 0);
	assert_int_equal(store_integrity_check(f->s), 0);
	store_close(f->s);
	store_fixture_remove_db(old);
	assert_int_equal(store_open(f->path, &f->s), 0);
}

static void foreign_database_is_refused(void **state)
{
	struct fixture *f = *state;
	char other[128];
	struct store *s2 = NULL;

	snprintf(other, sizeof(other), "%s/other.db", f->dir);
	raw_exec(other, "CREATE TABLE foo (x)");
	assert_int_equal(store_open(other, &s2), -EINVAL);
	assert_null(s2);
	assert_non_null(strstr(store_error(NULL), "not a wicketd store"));
	assert_int_equal(raw_int(other, "SELECT count(*) FROM sqlite_schema"), 1);
	unlink(other);
}

static void pragmas_are_in_effect(void **state)
{
	struct fixture *f = *state;
	struct store_settings st;

	assert_int_equal(store_settings(f->s, &st), 0);
	assert_string_equal(st.journal_mode, "wal");
	assert_int_equal(st.synchronous, 2);
	assert_int_equal(st.foreign_keys, 1);
	assert_true(st.busy_timeout_ms >= 1000);
	/* WAL is a property of the file: another connection sees it too. */
	assert_int_equal(raw_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

/* --- ports and clients */

static void ports_set_list_update(void **state)
{
	struct fixture *f = *state;
	struct ports ps = { 0 };

	assert_int_equal(store_port_set(f->s, "eth2", "102", WICKET_PORT_CHARGE, 10), 0);
	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_FREE, 11), 0);
	assert_int_equal(store_port_set(f->s, "eth2", "lobby", WICKET_PORT_BLOCKED, 12), 0);
	assert_int_equal(store_port_set(f->s, "eth3", NULL, 0, 13), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "mode"));
	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_MODE_MAX + 1, 13), -EINVAL);
	assert_int_equal(store_port_set(f->s, "", NULL, WICKET_PORT_FREE, 13), -EINVAL);
	assert_int_equal(store_port_set(f->s, "a-name-too-long", NULL, WICKET_PORT_FREE, 13), 0);
	assert_int_equal(store_port_set(f->s, "a-name-too-long!", NULL, WICKET_PORT_FREE, 13), -EINVAL);
	assert_int_equal(store_port_set(f->s, "eth 4", NULL, WICKET_PORT_FREE, 13), -EINVAL);
	assert_int_equal(store_port_list(f->s, collect_port, &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_string_equal(ps.p[0].ifname, "a-name-too-long");
	assert_string_equal(ps.p[1].ifname, "eth1");
	assert_string_equal(ps.p[1].room, "");
	assert_int_equal(ps.p[1].mode, WICKET_PORT_FREE);
	assert_int_equal(ps.p[1].updated_at, 11);
	assert_string_equal(ps.p[2].ifname, "eth2");
	assert_string_equal(ps.p[2].room, "lobby");
	assert_int_equal(ps.p[2].mode, WICKET_PORT_BLOCKED);
	assert_int_equal(ps.p[2].updated_at, 12);
}

/* The config's values apply until staff set the port, and again after a reset. */
static void staff_setting_outlives_config(void **state)
{
	struct fixture *f = *state;
	struct store_port p;

	assert_int_equal(store_port_configure(f->s, "eth1", "101", WICKET_PORT_CHARGE, 10), 0);
	assert_int_equal(store_port_get(f->s, "eth1", &p), 0);
	assert_int_equal(p.set_by_staff, 0);
	assert_int_equal(p.updated_at, 10);
	/* The same config again changes nothing, not even the time. */
	assert_int_equal(store_port_configure(f->s, "eth1", "101", WICKET_PORT_CHARGE, 11), 0);
	assert_int_equal(store_port_get(f->s, "eth1", &p), 0);
	assert_int_equal(p.updated_at, 10);
	assert_int_equal(store_port_configure(f->s, "eth1", "102", WICKET_PORT_CHARGE, 12), 0);
	assert_int_equal(store_port_get(f->s, "eth1", &p), 0);
	assert_string_equal(p.room, "102");

	assert_int_equal(store_port_set(f->s, "eth1", "pool", WICKET_PORT_FREE, 20), 0);
	assert_int_equal(store_port_configure(f->s, "eth1", "102", WICKET_PORT_CHARGE, 21), 0);
	assert_int_equal(store_port_get(f->s, "eth1", &p), 0);
	assert_int_equal(p.set_by_staff, 1);
	assert_string_equal(p.room, "pool");
	assert_int_equal(p.mode, WICKET_PORT_FREE);
	assert_int_equal(p.updated_at, 20);

	assert_int_equal(store_port_reset(f->s, "eth1", 30), 0);
	assert_int_equal(store_port_configure(f->s, "eth1", "102", WICKET_PORT_CHARGE, 31), 0);
	assert_int_equal(store_port_get(f->s, "eth1", &p), 0);
	assert_int_equal(p.set_by_staff, 0);
	assert_string_equal(p.room, "102");
	assert_int_equal(p.mode, WICKET_PORT_CHARGE);
	/* An empty room is none. */
	assert_int_equal(store_port_set(f->s, "eth1", "", WICKET_PORT_CHARGE, 40), 0);
	assert_int_equal(raw_int(f->path, "SELECT room IS NULL FROM ports WHERE ifname = 'eth1'"), 1);

	assert_int_equal(store_port_reset(f->s, "eth9", 50), -ENOENT);
	assert_int_equal(store_port_get(f->s, "eth9", &p), -ENOENT);
	assert_int_equal(store_port_reset(f->s, "bad name", 50), -EINVAL);
}

struct blocked {
	int n;
	struct store_client c[4];
};

static int collect_blocked(const struct store_client *c, void *arg)
{
	struct blocked *b = arg;

	if (b->n < 4)
		b->c[b->n] = *c;
	b->n++;
	return 0;
}

static void blocks_are_kept_and_listed(void **state)
{
	struct fixture *f = *state;
	struct blocked b = { 0 };
	struct store_client c;
	int64_t c1, c2;
	uint64_t sid = 0;

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 1, &c1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:02", 1, &c2), 0);
	assert_int_equal(store_client_block(f->s, c2, 100), 0);
	assert_int_equal(store_client_block(f->s, c2 + 100, 100), -ENOENT);
	assert_int_equal(store_client_block(f->s, c1, -1), -EINVAL);
	reopen(f);
	assert_int_equal(store_clients_blocked(f->s, collect_blocked, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.c[0].id, c2);
	assert_string_equal(b.c[0].mac, "02:00:00:00:00:02");
	assert_string_equal(b.c[0].port, "eth1");
	assert_int_equal(b.c[0].blocked_at, 100);
	assert_int_equal(store_client_block(f->s, c2, 0), 0);
	assert_int_equal(store_client_get(f->s, c2, &c), 0);
	assert_int_equal(c.blocked_at, 0);
	b.n = 0;
	assert_int_equal(store_clients_blocked(f->s, collect_blocked, &b), 0);
	assert_int_equal(b.n, 0);

	assert_int_equal(store_client_session(f->s, c1, &sid), -ENOENT);
	assert_int_equal(store_session_start(f->s, c1, "active", 0, 0, NULL, 0, 2, &sid), 0);
	uint64_t found = 0;
	assert_int_equal(store_client_session(f->s, c1, &found), 0);
	assert_int_equal(found, sid);
	assert_int_equal(store_session_end(f->s, sid, "kick", 3), 0);
	assert_int_equal(store_client_session(f->s, c1, &found), -ENOENT);
	assert_int_equal(store_client_get(f->s, c1 + 100, &c), -ENOENT);
}

static void client_get_or_add_is_stable(void **state)
{
	struct fixture *f = *state;
	int64_t a, b, c, d;

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_port_set(f->s, "eth2", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 10, &a), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 20, &b), 0);
	assert_int_equal(a, b);
	/* Case does not make another client. */
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:0A", 20, &b), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:0a", 20, &c), 0);
	assert_int_equal(b, c);
	assert_int_not_equal(a, b);
	/* The same MAC on another port is another client. */
	assert_int_equal(store_client_get_or_add(f->s, "eth2", "02:00:00:00:00:01", 20, &d), 0);
	assert_int_not_equal(a, d);
	assert_int_equal(store_client_get_or_add(f->s, "eth9", "02:00:00:00:00:01", 20, &d), -ENOENT);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00", 20, &d), -EINVAL);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01:", 20, &d), -EINVAL);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "2:0:0:0:0:1", 20, &d), -EINVAL);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM clients"), 3);
	assert_int_equal(raw_int(f->path, "SELECT last_seen FROM clients WHERE mac = '02:00:00:00:00:01' "
					  "AND port = 'eth1'"),
			 20);
}

static void address_of_another_client_is_refused(void **state)
{
	struct fixture *f = *state;
	struct addrs as = { 0 };
	char addr[32];
	int64_t a, b;

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 1, &a), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:02", 1, &b), 0);
	assert_int_equal(store_client_bind_addr(f->s, a, "10.0.0.5", 2), 0);
	assert_int_equal(store_client_bind_addr(f->s, a, "2001:DB8:0:0::5", 2), 0);
	assert_int_equal(store_client_bind_addr(f->s, a, "10.0.0.5", 3), 0);
	assert_int_equal(store_client_bind_addr(f->s, b, "10.0.0.5", 4), -EADDRINUSE);
	assert_non_null(strstr(store_error(f->s), "10.0.0.5"));
	assert_int_equal(store_client_bind_addr(f->s, b, "2001:db8::5", 4), -EADDRINUSE);
	assert_int_equal(store_client_bind_addr(f->s, b, "10.0.0.256", 4), -EINVAL);
	assert_int_equal(store_client_bind_addr(f->s, 999, "10.0.0.9", 4), -ENOENT);

	assert_int_equal(store_client_addrs(f->s, a, collect_addr, &as), 0);
	assert_int_equal(as.n, 2);
	assert_string_equal(as.a[0], "10.0.0.5");
	assert_string_equal(as.a[1], "2001:db8::5");
	as.n = 0;
	assert_int_equal(store_client_addrs(f->s, b, collect_addr, &as), 0);
	assert_int_equal(as.n, 0);

	/* Released, it may go to the other client; the first one keeps the history. */
	assert_int_equal(store_client_unbind_addr(f->s, b, "10.0.0.5", 5), -ENOENT);
	assert_int_equal(store_client_unbind_addr(f->s, a, "10.0.0.5", 5), 0);
	assert_int_equal(store_client_bind_addr(f->s, b, "10.0.0.5", 6), 0);
	assert_int_equal(store_client_bind_addr(f->s, a, "10.0.0.5", 7), -EADDRINUSE);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client_addrs WHERE addr = '10.0.0.5'"), 2);

	/* At most WICKET_MAX_ADDRS at a time. */
	for (int i = 1; i < WICKET_MAX_ADDRS; i++) {
		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		assert_int_equal(store_client_bind_addr(f->s, b, addr, 8), 0);
	}
	assert_int_equal(store_client_bind_addr(f->s, b, "10.2.0.1", 8), -ENOSPC);
	assert_int_equal(store_client_bind_addr(f->s, b, "10.1.0.1", 9), 0);
}

/*
 * A departed client lets go of all its addresses at once, for the next
 * device; one with a session that has not ended, or a blocked one, keeps
 * them; an unknown one releases nothing.
 */
static void departed_client_releases_its_addresses(void **state)
{
	struct fixture *f = *state;
	unsigned int n = 99;
	uint64_t sid;
	int64_t a, b, c;

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 1, &a), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:02", 1, &b), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:03", 1, &c), 0);
	assert_int_equal(store_client_bind_addr(f->s, a, "10.0.0.1", 2), 0);
	assert_int_equal(store_client_bind_addr(f->s, a, "2001:db8::1", 2), 0);
	assert_int_equal(store_client_bind_addr(f->s, b, "10.0.0.2", 2), 0);
	assert_int_equal(store_client_bind_addr(f->s, c, "10.0.0.3", 2), 0);
	assert_int_equal(store_session_start(f->s, b, "active", 0, 0, NULL, 0, 3, &sid), 0);
	assert_int_equal(store_client_block(f->s, c, 3), 0);

	assert_int_equal(store_client_release(f->s, "eth1", "02:00:00:00:00:01", 10, &n), 0);
	assert_int_equal(n, 2);
	/* A session not ended (a payment pending) or a block: not departed. */
	n = 99;
	assert_int_equal(store_client_release(f->s, "eth1", "02:00:00:00:00:02", 10, &n), -EBUSY);
	assert_int_equal(n, 0);
	assert_string_equal(store_error(f->s), "client 02:00:00:00:00:02 on eth1 has a session not ended");
	n = 99;
	assert_int_equal(store_client_release(f->s, "eth1", "02:00:00:00:00:03", 10, &n), -EBUSY);
	assert_int_equal(n, 0);
	assert_string_equal(store_error(f->s), "client 02:00:00:00:00:03 on eth1 is blocked");
	/* Unknown ones have nothing to release. */
	assert_int_equal(store_client_release(f->s, "eth1", "02:00:00:00:00:09", 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_client_release(f->s, "eth2", "02:00:00:00:00:01", 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client_addrs WHERE bound = 1"), 2);
	/* History stays, with when it was let go. */
	assert_int_equal(raw_int(f->path,
				 "SELECT count(*) FROM client_addrs WHERE client_id = 1 AND bound = 0 "
				 "AND last_seen = 10"),
			 2);
	/* The next device may have them. */
	assert_int_equal(store_client_bind_addr(f->s, b, "10.0.0.1", 11), 0);
	assert_int_equal(store_session_end(f->s, sid, "logout", 12), 0);
	assert_int_equal(store_client_release(f->s, "eth1", "02:00:00:00:00:02", 13, &n), 0);
	assert_int_equal(n, 2);
}

/* --- sessions */

static void session_lifecycle_writes_one_event_per_transition(void **state)
{
	static const char *const expect[] = { "new", "pending", "provisional", "active", "ended" };
	struct fixture *f = *state;
	struct store_session ss;
	struct events es = { 0 };
	uint8_t key[32];
	uint64_t id;
	int64_t c;

	memset(key, 0xa5, sizeof(key));
	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 1, &c), 0);
	assert_int_equal(store_session_start(f->s, c, "new", 0, 0, key, sizeof(key), 100, &id), 0);
	assert_int_equal(store_session_set_state(f->s, id, "pending", "plan 2", 200), 0);
	assert_int_equal(store_session_set_state(f->s, id, "provisional", NULL, 300), 0);
	assert_int_equal(store_session_set_state(f->s, id, "active", "paid", 400), 0);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "active");
	assert_int_equal(ss.ended_at, 0);
	assert_int_equal(store_session_end(f->s, id, "logout", 500), 0);

	assert_int_equal(store_session_events(f->s, id, collect_event, &es), 0);
	assert_int_equal(es.n, 5);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(es.e[i].event, expect[i]);
		assert_int_equal(es.e[i].at, 100 * (i + 1));
		assert_int_equal(es.e[i].session_id, id);
		if (i)
			assert_true(es.e[i].id > es.e[i - 1].id);
	}
	assert_string_equal(es.e[1].detail, "plan 2");
	assert_string_equal(es.e[2].detail, "");
	assert_string_equal(es.e[4].detail, "logout");

	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_int_equal(ss.id, id);
	assert_int_equal(ss.client_id, c);
	assert_string_equal(ss.state, "ended");
	assert_int_equal(ss.started_at, 100);
	assert_int_equal(ss.ended_at, 500);
	assert_string_equal(ss.end_reason, "logout");
	assert_int_equal(ss.keepalive_keylen, sizeof(key));
	assert_memory_equal(ss.keepalive_key, key, sizeof(key));
}

static void bad_input_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	char longer[STORE_DETAIL_LEN + 1];
	uint64_t id = new_session(f->s, "02:00:00:00:00:01", "pending", NULL), id2;
	int64_t c2;

	assert_int_equal(store_session_set_state(f->s, id, "bogus", NULL, 2), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "bogus"));
	assert_int_equal(store_session_set_state(f->s, id, NULL, NULL, 2), -EINVAL);
	assert_int_equal(store_session_set_state(f->s, id, "ended", NULL, 2), -EINVAL);
	assert_int_equal(store_session_set_state(f->s, id + 100, "active", NULL, 2), -ENOENT);
	assert_int_equal(store_session_set_state(f->s, 0, "active", NULL, 2), -ENOENT);
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(store_session_set_state(f->s, id, "active", longer, 2), -EINVAL);
	assert_int_equal(store_session_end(f->s, id, "Not A Reason", 2), -EINVAL);
	assert_int_equal(store_session_end(f->s, id + 100, "kick", 2), -ENOENT);
	assert_int_equal(store_session_add_counters(f->s, id + 100, 1, 1, 1, 1), -ENOENT);
	assert_int_equal(store_session_extend(f->s, id + 100, 5, 2), -ENOENT);
	assert_int_equal(store_session_events(f->s, id + 100, collect_event, NULL), -ENOENT);
	assert_int_equal(store_session_get(f->s, id + 100, &ss), -ENOENT);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:02", 1, &c2), 0);
	assert_int_equal(store_session_start(f->s, c2, "ended", 0, 0, NULL, 0, 1, &id2), -EINVAL);
	assert_int_equal(store_session_start(f->s, c2, "new", 0, 0, NULL, STORE_KEY_MAX + 1, 1, &id2),
			 -EINVAL);
	assert_int_equal(store_session_start(f->s, c2 + 100, "new", 0, 0, NULL, 0, 1, &id2), -ENOENT);

	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "pending");
	assert_int_equal(count_events(f->s, id), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM session_events"), 1);
}

static void one_open_session_per_client(void **state)
{
	struct fixture *f = *state;
	int64_t c;
	uint64_t id = new_session(f->s, "02:00:00:00:00:01", "new", &c), id2, id3;

	assert_int_equal(store_session_start(f->s, c, "new", 0, 0, NULL, 0, 2, &id2), -EBUSY);
	assert_int_equal(store_session_set_state(f->s, id, "rejected", "voucher unknown", 3), 0);
	assert_int_equal(store_session_start(f->s, c, "new", 0, 0, NULL, 0, 3, &id2), -EBUSY);
	assert_int_equal(store_session_set_state(f->s, id, "pending", "voucher retyped", 4), 0);
	assert_int_equal(store_session_end(f->s, id, "staff", 5), 0);
	assert_int_equal(store_session_start(f->s, c, "new", 0, 0, NULL, 0, 6, &id2), 0);
	assert_true(id2 > id);
	/* Ids are never reused, even after the newest row is gone. */
	assert_int_equal(store_session_end(f->s, id2, "staff", 7), 0);
	raw_exec(f->path, "DELETE FROM session_events WHERE session_id = (SELECT max(id) FROM sessions);"
			  "DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions)");
	assert_int_equal(store_session_start(f->s, c, "new", 0, 0, NULL, 0, 8, &id3), 0);
	assert_true(id3 > id2);
}

static void counters_accumulate(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	uint64_t id = new_session(f->s, "02:00:00:00:00:01", "active", NULL);

	assert_int_equal(store_session_add_counters(f->s, id, 1000, 20000, 10, 20), 0);
	assert_int_equal(store_session_add_counters(f->s, id, 500, 0, 5, 0), 0);
	assert_int_equal(store_session_add_counters(f->s, id, UINT64_MAX, 0, 0, 0), -EINVAL);
	assert_int_equal(store_session_end(f->s, id, "deadline", 9), 0);
	/* The kernel's final counters come with its CLOSED event, maybe after the end. */
	assert_int_equal(store_session_add_counters(f->s, id, 1, 2, 1, 1), 0);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_int_equal(ss.up_bytes, 1501);
	assert_int_equal(ss.down_bytes, 20002);
	assert_int_equal(ss.up_packets, 16);
	assert_int_equal(ss.down_packets, 21);
}

static void end_twice_is_ealready(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	uint64_t id = new_session(f->s, "02:00:00:00:00:01", "active", NULL);

	assert_int_equal(store_session_end(f->s, id, "kick", 50), 0);
	assert_int_equal(store_session_end(f->s, id, "logout", 60), -EALREADY);
	assert_int_equal(store_session_set_state(f->s, id, "active", NULL, 60), -EALREADY);
	assert_int_equal(store_session_extend(f->s, id, 1000, 60), -EALREADY);
	assert_int_equal(store_session_keepalive(f->s, id, 1, 1000), -EALREADY);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_int_equal(ss.ended_at, 50);
	assert_string_equal(ss.end_reason, "kick");
	assert_int_equal(ss.deadline_at, 0);
	assert_int_equal(count_events(f->s, id), 2);
}

static void keepalive_and_extend(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	struct events es = { 0 };
	uint64_t id = new_session(f->s, "02:00:00:00:00:01", "active", NULL);

	assert_int_equal(store_session_keepalive(f->s, id, 1, 60000), 0);
	assert_int_equal(store_session_keepalive(f->s, id, 1, 70000), -ESTALE);
	assert_int_equal(store_session_keepalive(f->s, id, 0, 70000), -EINVAL);
	assert_int_equal(store_session_keepalive(f->s, id, 7, 90000), 0);
	assert_int_equal(store_session_keepalive(f->s, id, 6, 95000), -ESTALE);
	assert_int_equal(store_session_keepalive(f->s, id + 1, 8, 95000), -ENOENT);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_int_equal(ss.keepalive_counter, 7);
	assert_int_equal(ss.keepalive_at, 90000);
	assert_int_equal(ss.deadline_at, 0);

	assert_int_equal(store_session_extend(f->s, id, 120000, 100), 0);
	assert_int_equal(store_session_extend(f->s, id, -1, 100), -EINVAL);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_int_equal(ss.deadline_at, 120000);
	assert_int_equal(store_session_extend(f->s, id, 0, 101), 0);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_int_equal(ss.deadline_at, 0);
	assert_int_equal(store_session_events(f->s, id, collect_event, &es), 0);
	assert_int_equal(es.n, 3);
	assert_string_equal(es.e[1].event, "extend");
	assert_string_equal(es.e[1].detail, "deadline 120000");
	assert_string_equal(es.e[2].detail, "no deadline");
}

static void active_sessions_exclude_ended(void **state)
{
	struct fixture *f = *state;
	struct actives as = { 0 };
	int64_t c1, c3;
	uint64_t s1 = new_session(f->s, "02:00:00:00:00:01", "active", &c1);
	uint64_t s2 = new_session(f->s, "02:00:00:00:00:02", "provisional", NULL);
	uint64_t s3 = new_session(f->s, "02:00:00:00:00:03", "pending", &c3);

	assert_int_equal(store_client_bind_addr(f->s, c1, "10.0.0.1", 1), 0);
	assert_int_equal(store_client_bind_addr(f->s, c1, "2001:db8::1", 1), 0);
	assert_int_equal(store_client_bind_addr(f->s, c3, "10.0.0.3", 1), 0);
	assert_int_equal(store_session_end(f->s, s2, "keepalive-timeout", 5), 0);
	assert_int_equal(store_sessions_active(f->s, collect_active, &as), 0);
	assert_int_equal(as.n, 2);
	assert_int_equal(as.a[0].session.id, s1);
	assert_string_equal(as.a[0].session.state, "active");
	assert_string_equal(as.a[0].port, "eth1");
	assert_string_equal(as.a[0].mac, "02:00:00:00:00:01");
	assert_int_equal(as.a[0].naddrs, 2);
	assert_string_equal(as.a[0].addrs[0], "10.0.0.1");
	assert_string_equal(as.a[0].addrs[1], "2001:db8::1");
	assert_int_equal(as.a[1].session.id, s3);
	assert_string_equal(as.a[1].mac, "02:00:00:00:00:03");
	assert_int_equal(as.a[1].naddrs, 1);
	assert_string_equal(as.a[1].addrs[0], "10.0.0.3");
}

static int end_each(const struct store_active *a, void *arg)
{
	struct store *s = arg;

	return store_session_end(s, a->session.id, "expired-while-down", 99);
}

static int stop_at_first(const struct store_active *a, void *arg)
{
	(void)a;
	++*(int *)arg;
	return 42;
}

static void active_callback_may_write_and_stop(void **state)
{
	struct fixture *f = *state;
	struct actives as = { 0 };
	int calls = 0;

	new_session(f->s, "02:00:00:00:00:01", "active", NULL);
	new_session(f->s, "02:00:00:00:00:02", "active", NULL);
	assert_int_equal(store_sessions_active(f->s, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
	assert_int_equal(store_sessions_active(f->s, end_each, f->s), 0);
	assert_int_equal(store_sessions_active(f->s, collect_active, &as), 0);
	assert_int_equal(as.n, 0);
	assert_int_equal(
		raw_int(f->path, "SELECT count(*) FROM sessions WHERE end_reason = 'expired-while-down'"), 2);
}

/* --- batches, integrity, durability */

static void rolled_back_batch_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct ports ps = { 0 };
	struct actives as = { 0 };

	assert_int_equal(store_commit(f->s), -EINVAL);
	assert_int_equal(store_rollback(f->s), -EINVAL);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_begin(f->s), -EALREADY);
	new_session(f->s, "02:00:00:00:00:01", "active", NULL);
	assert_int_equal(store_rollback(f->s), 0);
	assert_int_equal(store_port_list(f->s, collect_port, &ps), 0);
	assert_int_equal(ps.n, 0);
	assert_int_equal(store_sessions_active(f->s, collect_active, &as), 0);
	assert_int_equal(as.n, 0);
	assert_int_equal(raw_int(f->path,
				 "SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM sessions) + "
				 "(SELECT count(*) FROM session_events)"),
			 0);
}

static void refusal_inside_a_batch_keeps_the_batch(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	uint64_t id;

	assert_int_equal(store_begin(f->s), 0);
	id = new_session(f->s, "02:00:00:00:00:01", "new", NULL);
	assert_int_equal(store_session_set_state(f->s, id, "pending", NULL, 2), 0);
	assert_int_equal(store_session_end(f->s, id, "bad reason!", 3), -EINVAL);
	assert_int_equal(store_session_set_state(f->s, id + 1, "active", NULL, 3), -ENOENT);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "pending");
	assert_int_equal(count_events(f->s, id), 2);
}

/* A write that fails half-way (here: its event row) leaves no half: the state change goes too. */
static void failure_half_way_is_rolled_back(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	uint64_t id = new_session(f->s, "02:00:00:00:00:01", "pending", NULL);

	raw_exec(f->path,
		 "CREATE TRIGGER no_active BEFORE INSERT ON session_events WHEN NEW.event = 'active' "
		 "BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
	assert_int_equal(store_session_set_state(f->s, id, "active", NULL, 2), -EINVAL);
	assert_non_null(strstr(store_error(f->s), "refused by test"));
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "pending");

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_session_set_state(f->s, id, "provisional", NULL, 3), 0);
	assert_int_equal(store_session_set_state(f->s, id, "active", NULL, 4), -EINVAL);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "provisional");
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(count_events(f->s, id), 2);
	assert_int_equal(raw_int(f->path, "SELECT state = 'provisional' FROM sessions"), 1);
}

static void integrity_check_is_ok(void **state)
{
	struct fixture *f = *state;

	new_session(f->s, "02:00:00:00:00:01", "active", NULL);
	assert_int_equal(store_integrity_check(f->s), 0);
}

static void data_survives_close_and_reopen(void **state)
{
	struct fixture *f = *state;
	struct store_session ss;
	struct addrs as = { 0 };
	const uint8_t key[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	int64_t c, c2;
	uint64_t id;

	assert_int_equal(store_port_set(f->s, "eth1", "7", WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 1, &c), 0);
	assert_int_equal(store_client_bind_addr(f->s, c, "10.0.0.1", 1), 0);
	assert_int_equal(store_session_start(f->s, c, "active", 3600000, 1 << 30, key, sizeof(key), 2, &id),
			 0);
	assert_int_equal(store_session_add_counters(f->s, id, 11, 22, 3, 4), 0);
	assert_int_equal(store_session_keepalive(f->s, id, 5, 7200000), 0);
	reopen(f);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:01", 3, &c2), 0);
	assert_int_equal(c2, c);
	assert_int_equal(store_client_addrs(f->s, c, collect_addr, &as), 0);
	assert_int_equal(as.n, 1);
	assert_string_equal(as.a[0], "10.0.0.1");
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "active");
	assert_int_equal(ss.deadline_at, 3600000);
	assert_int_equal(ss.keepalive_at, 7200000);
	assert_int_equal(ss.byte_cap, 1 << 30);
	assert_int_equal(ss.up_bytes, 11);
	assert_int_equal(ss.down_bytes, 22);
	assert_int_equal(ss.up_packets, 3);
	assert_int_equal(ss.down_packets, 4);
	assert_int_equal(ss.keepalive_counter, 5);
	assert_int_equal(ss.keepalive_keylen, sizeof(key));
	assert_memory_equal(ss.keepalive_key, key, sizeof(key));
	assert_int_equal(store_integrity_check(f->s), 0);
}

static void ten_thousand_sessions_in_one_batch(void **state)
{
	struct fixture *f = *state;
	struct actives as = { 0 };
	struct timespec t0, t1;
	char mac[STORE_MAC_LEN], addr[32];
	uint8_t key[32] = { 0 };
	int64_t c;
	uint64_t id;
	const int n = 10000;

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < n; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16, (i >> 8) & 0xff, i & 0xff);
		memcpy(key, &i, sizeof(i));
		assert_int_equal(store_client_get_or_add(f->s, "eth1", mac, 1, &c), 0);
		assert_int_equal(store_client_bind_addr(f->s, c, addr, 1), 0);
		assert_int_equal(store_session_start(f->s, c, "active", 3600000, 0, key, sizeof(key), 1, &id),
				 0);
	}
	assert_int_equal(store_commit(f->s), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %d clients, addresses and sessions in one batch: %.1f ms\n", n,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_sessions_active(f->s, collect_active, &as), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %d active sessions listed: %.1f ms\n", n,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(as.n, n);
	assert_int_equal(as.a[0].naddrs, 1);
	assert_string_equal(as.a[0].addrs[0], "10.0.0.0");
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM session_events"), n);
	assert_int_equal(store_integrity_check(f->s), 0);
}

struct rows {
	int n;
	struct store_session_row r[8];
};

static int collect_row(const struct store_session_row *r, void *arg)
{
	struct rows *rs = arg;

	if (rs->n < 8)
		rs->r[rs->n++] = *r;
	return 0;
}

static void sessions_list_by_activity_and_start(void **state)
{
	struct fixture *f = *state;
	struct rows all = { 0 }, active = { 0 }, later = { 0 };
	uint64_t s1 = new_session(f->s, "02:00:00:00:00:01", "active", NULL);
	uint64_t s2 = new_session(f->s, "02:00:00:00:00:02", "active", NULL);
	int64_t c3;
	uint64_t s3 = 0;

	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:00:03", 5000, &c3), 0);
	assert_int_equal(store_session_start(f->s, c3, "active", 0, 0, NULL, 0, 5000, &s3), 0);
	assert_int_equal(store_session_end(f->s, s2, "kick", 6000), 0);

	assert_int_equal(store_sessions_list(f->s, 0, 0, collect_row, &all), 0);
	assert_int_equal(all.n, 3);
	assert_int_equal(all.r[0].session.id, s1);
	assert_string_equal(all.r[0].mac, "02:00:00:00:00:01");
	assert_string_equal(all.r[0].port, "eth1");
	assert_string_equal(all.r[1].session.end_reason, "kick");

	assert_int_equal(store_sessions_list(f->s, 1, 0, collect_row, &active), 0);
	assert_int_equal(active.n, 2);
	assert_int_equal(active.r[0].session.id, s1);
	assert_int_equal(active.r[1].session.id, s3);

	assert_int_equal(store_sessions_list(f->s, 0, 4000, collect_row, &later), 0);
	assert_int_equal(later.n, 1);
	assert_int_equal(later.r[0].session.id, s3);
}

struct recent {
	int n;
	struct store_event e[8];
};

static int collect_recent(const struct store_event *e, void *arg)
{
	struct recent *es = arg;

	if (es->n < 8)
		es->e[es->n++] = *e;
	return 0;
}

/* A token's hash finds its session; a new token replaces the old; two sessions never share one. */
static void tokens_find_their_session(void **state)
{
	struct fixture *f = *state;
	uint8_t h1[STORE_TOKEN_HASH_LEN], h2[STORE_TOKEN_HASH_LEN];
	uint64_t a = new_session(f->s, "02:00:00:00:00:01", "active", NULL);
	uint64_t b = new_session(f->s, "02:00:00:00:00:02", "active", NULL);
	uint64_t found = 0;

	memset(h1, 0x11, sizeof(h1));
	memset(h2, 0x22, sizeof(h2));
	assert_int_equal(store_session_by_token(f->s, h1, &found), -ENOENT);
	assert_int_equal(store_session_set_token(f->s, a, h1), 0);
	assert_int_equal(store_session_by_token(f->s, h1, &found), 0);
	assert_int_equal(found, a);
	assert_int_equal(store_session_set_token(f->s, b, h1), -EINVAL);
	assert_int_equal(store_session_set_token(f->s, a, h2), 0);
	assert_int_equal(store_session_by_token(f->s, h1, &found), -ENOENT);
	assert_int_equal(store_session_by_token(f->s, h2, &found), 0);
	assert_int_equal(found, a);
	assert_int_equal(store_session_set_token(f->s, b + 100, h1), -ENOENT);
}

static void recent_events_newest_first_and_limited(void **state)
{
	struct fixture *f = *state;
	struct recent two = { 0 }, many = { 0 };
	uint64_t s1 = new_session(f->s, "02:00:00:00:00:01", "pending", NULL);

	assert_int_equal(store_session_set_state(f->s, s1, "active", "approved", 2000), 0);
	assert_int_equal(store_session_end(f->s, s1, "logout", 3000), 0);
	assert_int_equal(store_events_recent(f->s, 2, collect_recent, &two), 0);
	assert_int_equal(two.n, 2);
	assert_string_equal(two.e[0].event, "ended");
	assert_string_equal(two.e[1].event, "active");
	assert_string_equal(two.e[1].detail, "approved");
	assert_int_equal(store_events_recent(f->s, 100, collect_recent, &many), 0);
	assert_int_equal(many.n, 3);
	assert_true(many.e[0].id > many.e[1].id && many.e[1].id > many.e[2].id);
}

/*
 * What a login, the portal's token, a keepalive, a sweep's counters and
 * interim, a logout and the reconcile at start read must not grow with
 * the venue's history: the sessions and the outbox keep every session and
 * record ever (the outbox's Start/Stop lookups read the whole of it until
 * they named outbox_once's condition; the sweep's rejected sessions and
 * the reconcile's open ones, every session). SQLite counts the steps of
 * full scans per statement (SQLITE_STMTSTATUS_FULLSCAN_STEP), read here
 * as each one finishes.
 */
struct scans {
	int total;
	char worst[256];
	int worst_steps;
};

static int count_scans(unsigned int type, void *ctx, void *stmt, void *x)
{
	struct scans *sc = ctx;
	int n = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);

	(void)type;
	(void)x;
	sc->total += n;
	if (n > sc->worst_steps) {
		sc->worst_steps = n;
		snprintf(sc->worst, sizeof(sc->worst), "%s", sqlite3_sql(stmt));
	}
	return 0;
}

static int note_rejected(uint64_t session_id, void *arg)
{
	(void)session_id;
	(void)arg;
	return 0;
}

static int note_active(const struct store_active *a, void *arg)
{
	(*(int *)arg)++;
	return a->session.id ? 0 : -EINVAL;
}

static void hot_paths_do_not_read_the_history(void **state)
{
	struct fixture *f = *state;
	struct scans sc = { 0 };
	enum { HISTORY = 400 };
	int64_t client, rec;
	uint64_t sid;
	char mac[18];
	int active = 0;
	uint8_t token[STORE_TOKEN_HASH_LEN] = { 0x77 };
	uint64_t found;
	struct store_session_row row;

	assert_int_equal(store_port_set(f->s, "eth1", NULL, WICKET_PORT_CHARGE, 1), 0);
	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < HISTORY; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		assert_int_equal(store_client_get_or_add(f->s, "eth1", mac, 10, &client), 0);
		assert_int_equal(store_session_start(f->s, client, "active", 0, 0, NULL, 0, 10, &sid), 0);
		assert_int_equal(store_outbox_add(f->s, sid, "start", 10, &rec), 0);
		assert_int_equal(store_outbox_acked(f->s, rec, 11), 0);
		assert_int_equal(store_outbox_add(f->s, sid, "interim", 20, NULL), 0);
		assert_int_equal(store_session_end(f->s, sid, "logout", 30), 0);
	}
	assert_int_equal(store_commit(f->s), 0);

	/* Counted from here: the history's own steps are left behind. */
	for (sqlite3_stmt *q = sqlite3_next_stmt(store_db(f->s), NULL); q;
	     q = sqlite3_next_stmt(store_db(f->s), q))
		sqlite3_stmt_status(q, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
	sqlite3_trace_v2(store_db(f->s), SQLITE_TRACE_PROFILE, count_scans, &sc);
	assert_int_equal(store_client_get_or_add(f->s, "eth1", "02:00:00:00:ff:ff", 40, &client), 0);
	assert_int_equal(store_client_bind_addr(f->s, client, "10.0.9.9", 40), 0);
	assert_int_equal(store_session_start(f->s, client, "active", 0, 0, NULL, 0, 40, &sid), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "start", 40, &rec), 0);
	assert_int_equal(store_outbox_acked(f->s, rec, 41), 0);
	assert_int_equal(store_session_set_token(f->s, sid, token), 0);
	assert_int_equal(store_session_by_token(f->s, token, &found), 0);
	assert_int_equal(found, sid);
	assert_int_equal(store_session_keepalive(f->s, sid, 1, 45), 0);
	assert_int_equal(store_client_session(f->s, client, &found), 0);
	assert_int_equal(store_session_row_get(f->s, sid, &row), 0);
	assert_int_equal(store_session_add_counters(f->s, sid, 1000, 2000, 10, 20), 0);
	assert_int_equal(store_session_settle(f->s, sid, 48), 0);
	assert_int_equal(store_outbox_add(f->s, sid, "interim", 50, NULL), 0);
	assert_int_equal(store_sessions_rejected_before(f->s, 60, note_rejected, NULL), 0);
	assert_int_equal(store_sessions_active(f->s, note_active, &active), 0);
	assert_int_equal(active, 1);
	assert_int_equal(store_session_end(f->s, sid, "logout", 70), 0);
	sqlite3_trace_v2(store_db(f->s), 0, NULL, NULL);
	if (sc.total >= HISTORY / 4)
		fail_msg("%d full-scan steps; the most, %d, by: %s", sc.total, sc.worst_steps, sc.worst);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup, store_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(open_creates_schema_and_version),
		T(reopen_is_idempotent),
		T(newer_schema_is_refused),
		T(version_1_is_migrated),
		T(foreign_database_is_refused),
		T(pragmas_are_in_effect),
		T(ports_set_list_update),
		T(staff_setting_outlives_config),
		T(blocks_are_kept_and_listed),
		T(client_get_or_add_is_stable),
		T(address_of_another_client_is_refused),
		T(departed_client_releases_its_addresses),
		T(hot_paths_do_not_read_the_history),
		T(session_lifecycle_writes_one_event_per_transition),
		T(bad_input_changes_nothing),
		T(one_open_session_per_client),
		T(counters_accumulate),
		T(end_twice_is_ealready),
		T(keepalive_and_extend),
		T(active_sessions_exclude_ended),
		T(sessions_list_by_activity_and_start),
		T(recent_events_newest_first_and_limited),
		T(tokens_find_their_session),
		T(active_callback_may_write_and_stop),
		T(rolled_back_batch_leaves_nothing),
		T(refusal_inside_a_batch_keeps_the_batch),
		T(failure_half_way_is_rolled_back),
		T(integrity_check_is_ok),
		T(data_survives_close_and_reopen),
		T(ten_thousand_sessions_in_one_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
