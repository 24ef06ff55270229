/*
 * wicketd's store: SQLite schema, migrations and every query. See store.h
 * for the API; the schema is below, in migration 1, with a comment on each
 * table and column (SQLite keeps them: `.schema` in the sqlite3 shell shows
 * them too).
 */
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store_carry.h"
#include "store_counts.h"
#include "store_internal.h"
#include "store_outbox.h"

/* PRAGMA application_id of a wicket store: "WICK". */
#define STORE_APPLICATION_ID 1464419147
#define STORE_BUSY_TIMEOUT_MS 5000

/*
 * Schema, version 1. Times are unix milliseconds (INTEGER); NULL means
 * "none" where a column says so. Tables are STRICT: a value of the wrong
 * type is refused, not converted.
 */
static const char migration_1[] =
	"PRAGMA application_id = 1464419147;\n"
	/* The access ports, configured with wicketctl and given to the kernel at start. */
	"CREATE TABLE ports (\n"
	"  ifname TEXT NOT NULL PRIMARY KEY, -- the interface name (1 to 15 bytes)\n"
	"  room TEXT,                        -- the room or place it serves; NULL: none\n"
	"  mode INTEGER NOT NULL CHECK (mode IN (1, 2, 3)), -- enum wicket_port_mode: 1 charge, 2 free, 3 "
	"blocked\n"
	"  updated_at INTEGER NOT NULL       -- when it was last set\n"
	") STRICT;\n"
	/* A client is its MAC on its access port. */
	"CREATE TABLE clients (\n"
	"  id INTEGER PRIMARY KEY,           -- the client's unique identifier\n"
	"  port TEXT NOT NULL REFERENCES ports (ifname), -- its access port\n"
	"  mac TEXT NOT NULL,                -- aa:bb:cc:dd:ee:ff, lower case\n"
	"  first_seen INTEGER NOT NULL,      -- when it was added\n"
	"  last_seen INTEGER NOT NULL,       -- the latest time it was looked up by the daemon\n"
	"  UNIQUE (port, mac)\n"
	") STRICT;\n"
	/* Every address a client has used; an address is bound to one client at a time. */
	"CREATE TABLE client_addrs (\n"
	"  client_id INTEGER NOT NULL REFERENCES clients (id), -- the client\n"
	"  addr TEXT NOT NULL,               -- IPv4 or IPv6, inet_ntop's canonical text\n"
	"  first_seen INTEGER NOT NULL,      -- first bound to this client\n"
	"  last_seen INTEGER NOT NULL,       -- last bound, refreshed or released\n"
	"  bound INTEGER NOT NULL DEFAULT 1 CHECK (bound IN (0, 1)), -- 1: the client holds it now; 0: "
	"history\n"
	"  PRIMARY KEY (client_id, addr)\n"
	") STRICT;\n"
	/* At most one client holds an address at a time. */
	"CREATE UNIQUE INDEX client_addrs_bound ON client_addrs (addr) WHERE bound = 1;\n"
	/* Sessions: what a client is allowed, for how long, and what it used. */
	"CREATE TABLE sessions (\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, -- the u64 session id given to the kernel; never reused, "
	"never 0\n"
	"  client_id INTEGER NOT NULL REFERENCES clients (id), -- whose session it is\n"
	"  state TEXT NOT NULL CHECK (state IN ('new', 'pending', 'provisional', 'active', 'ended', "
	"'rejected')),\n"
	"  started_at INTEGER NOT NULL,      -- when it was created\n"
	"  deadline_at INTEGER,              -- when the gate closes; NULL: no deadline\n"
	"  byte_cap INTEGER CHECK (byte_cap > 0), -- bytes allowed, both ways; NULL: no cap\n"
	"  ended_at INTEGER,                 -- when it ended; NULL while it has not\n"
	"  end_reason TEXT,                  -- why: keepalive-timeout, deadline, byte-cap, logout, kick, "
	"staff, expired-while-down...\n"
	"  up_bytes INTEGER NOT NULL DEFAULT 0 CHECK (up_bytes >= 0),     -- client to network, summed "
	"from the kernel's deltas\n"
	"  down_bytes INTEGER NOT NULL DEFAULT 0 CHECK (down_bytes >= 0), -- network to client\n"
	"  up_packets INTEGER NOT NULL DEFAULT 0 CHECK (up_packets >= 0),\n"
	"  down_packets INTEGER NOT NULL DEFAULT 0 CHECK (down_packets >= 0),\n"
	"  keepalive_key BLOB,               -- the session's keepalive key; NULL: none\n"
	"  keepalive_counter INTEGER NOT NULL DEFAULT 0 CHECK (keepalive_counter >= 0), -- the last "
	"accepted keepalive's counter; 0: none yet\n"
	"  CHECK ((state = 'ended') = (ended_at IS NOT NULL AND end_reason IS NOT NULL))\n"
	") STRICT;\n"
	/* A client has at most one session that has not ended; this also lists them fast. */
	"CREATE UNIQUE INDEX sessions_open ON sessions (client_id) WHERE state != 'ended';\n"
	"CREATE INDEX sessions_client ON sessions (client_id);\n"
	/* Every state transition and notable event of a session. */
	"CREATE TABLE session_events (\n"
	"  id INTEGER PRIMARY KEY,           -- increasing: the events' order\n"
	"  session_id INTEGER NOT NULL REFERENCES sessions (id), -- the session\n"
	"  at INTEGER NOT NULL,              -- when\n"
	"  event TEXT NOT NULL,              -- the state entered (new ... ended), or 'extend'\n"
	"  detail TEXT                       -- free text: the reason, who, the plan, the new deadline\n"
	") STRICT;\n"
	"CREATE INDEX session_events_session ON session_events (session_id, id);\n"
	"PRAGMA user_version = 1;\n";

/*
 * Schema, version 2: keepalives, who owns a port's settings, and blocks.
 * Comments on the new columns are here (ALTER TABLE does not keep them).
 * - sessions.keepalive_at: when the last keepalive was accepted; NULL:
 *   none yet. A session is held to keepalives from its first good one on:
 *   its gate then closes at keepalive_at + interval * misses unless the
 *   next one comes, or at deadline_at, whichever is first.
 * - ports.set_by: 'config' while the port's room and mode are the config
 *   file's; 'staff' once `wicketctl port set` changed them. A staff
 *   setting outlives restarts and config reloads until it is reset.
 * - clients.blocked_at: when staff blocked the client; NULL: not blocked.
 *   A blocked client is kept out by the kernel until it is unblocked, also
 *   across restarts and module reloads.
 */
static const char migration_2[] =
	"ALTER TABLE sessions ADD COLUMN keepalive_at INTEGER;\n"
	"ALTER TABLE ports ADD COLUMN set_by TEXT NOT NULL DEFAULT 'config' "
	"CHECK (set_by IN ('config', 'staff'));\n"
	"ALTER TABLE clients ADD COLUMN blocked_at INTEGER;\n"
	"CREATE INDEX clients_blocked ON clients (id) WHERE blocked_at IS NOT NULL;\n"
	"PRAGMA user_version = 2;\n";

/*
 * Schema, version 3: billing. Plans (the billing options), where they are
 * offered, vouchers and the property's guest list (the local approvers'
 * truth), every billing request with its outcome, the charge of each
 * session, and the outbox of accounting records for the network
 * management system. Amounts are integers in minor units of the currency
 * (cents); currencies are ISO 4217 codes ("EUR").
 */
static const char migration_3[] =
	/* The billing options guests choose from. */
	"CREATE TABLE plans (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,        -- shown to guests and staff: 1 to 64 bytes\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('time', 'data', 'time+data', 'until-checkout', 'free')),\n"
	"  price INTEGER NOT NULL CHECK (price >= 0), -- fixed part, minor units\n"
	"  currency TEXT NOT NULL CHECK (length(currency) = 3), -- ISO 4217\n"
	"  per_minute INTEGER NOT NULL DEFAULT 0 CHECK (per_minute >= 0), -- metered: per started minute\n"
	"  per_mb INTEGER NOT NULL DEFAULT 0 CHECK (per_mb >= 0), -- metered: per started MB (10^6 bytes, "
	"both ways)\n"
	"  duration_s INTEGER CHECK (duration_s > 0), -- how long a session lasts; NULL: no limit\n"
	"  bytes INTEGER CHECK (bytes > 0),  -- bytes allowed both ways; NULL: no limit\n"
	"  idle_timeout_s INTEGER CHECK (idle_timeout_s > 0), -- ends after this long without traffic; NULL: "
	"never\n"
	"  keepalive_s INTEGER CHECK (keepalive_s > 0), -- the helper's keepalive interval; NULL: the "
	"config's\n"
	"  methods TEXT NOT NULL,            -- the ways to pay, comma-separated, sorted: "
	"free,remote,room,staff,voucher\n"
	"  created_at INTEGER NOT NULL,\n"
	"  retired_at INTEGER                -- no longer offered (kept for the sessions that used it); "
	"NULL: offered\n"
	") STRICT;\n"
	/* Where a plan is offered: on a port, in a room, or (neither) everywhere. No row: nowhere. */
	"CREATE TABLE plan_offers (\n"
	"  plan_id INTEGER NOT NULL REFERENCES plans (id),\n"
	"  port TEXT,                        -- an access port's interface name\n"
	"  room TEXT,                        -- a room label (of any port)\n"
	"  CHECK (port IS NULL OR room IS NULL)\n"
	") STRICT;\n"
	"CREATE UNIQUE INDEX plan_offers_unique ON plan_offers (plan_id, ifnull(port, ''), ifnull(room, "
	"''));\n"
	/* Voucher codes for the front desk. */
	"CREATE TABLE vouchers (\n"
	"  code TEXT PRIMARY KEY,            -- what the guest types, upper case, no separators\n"
	"  plan_id INTEGER NOT NULL REFERENCES plans (id),\n"
	"  devices INTEGER NOT NULL CHECK (devices >= 1), -- how many clients may use it\n"
	"  batch TEXT NOT NULL,              -- the `vouchers create` that made it\n"
	"  created_at INTEGER NOT NULL,\n"
	"  revoked_at INTEGER                -- no longer valid; NULL: valid\n"
	") STRICT;\n"
	"CREATE TABLE voucher_uses (\n"
	"  code TEXT NOT NULL REFERENCES vouchers (code),\n"
	"  client_id INTEGER NOT NULL REFERENCES clients (id),\n"
	"  session_id INTEGER NOT NULL REFERENCES sessions (id), -- the first session it paid for\n"
	"  at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (code, client_id)\n"
	") STRICT;\n"
	/* The property's guest list, for room charges (wicketctl guests import). */
	"CREATE TABLE guests (\n"
	"  room TEXT NOT NULL,\n"
	"  surname TEXT NOT NULL,            -- as imported\n"
	"  surname_key TEXT NOT NULL,        -- folded for matching: lower case ASCII, no spaces, hyphens or "
	"apostrophes\n"
	"  arrival INTEGER,                  -- stay from (unix ms); NULL: open\n"
	"  departure INTEGER,                -- stay until; NULL: open\n"
	"  folio TEXT,                       -- the property system's account, posted with charges\n"
	"  imported_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (room, surname_key)\n"
	") STRICT;\n"
	/* Every billing preference a session sent, and what became of it. */
	"CREATE TABLE billing_requests (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  session_id INTEGER NOT NULL REFERENCES sessions (id),\n"
	"  plan_id INTEGER NOT NULL REFERENCES plans (id),\n"
	"  method TEXT NOT NULL CHECK (method IN ('free', 'remote', 'room', 'staff', 'voucher')),\n"
	"  detail TEXT,                      -- what identifies the payment for staff: a voucher code, room "
	"and surname,\n"
	"                                    -- a masked card; never a secret\n"
	"  room TEXT,                        -- the room charged (method room)\n"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'provisional', 'approved', 'rejected')),\n"
	"  reason TEXT,                      -- why it was rejected, for the guest\n"
	"  created_at INTEGER NOT NULL,\n"
	"  decided_at INTEGER,               -- approved or rejected; NULL: not yet\n"
	"  decided_by TEXT                   -- the approver: free, voucher, room, radius, timeout, or a "
	"staff user\n"
	") STRICT;\n"
	"CREATE INDEX billing_requests_open ON billing_requests (state) WHERE state IN ('pending', "
	"'provisional');\n"
	"CREATE INDEX billing_requests_session ON billing_requests (session_id);\n"
	/* What a session is billed: its plan, the room charged, the charge so far. */
	"ALTER TABLE sessions ADD COLUMN plan_id INTEGER REFERENCES plans (id);\n"
	"ALTER TABLE sessions ADD COLUMN method TEXT;\n"
	"ALTER TABLE sessions ADD COLUMN room TEXT;\n"
	"ALTER TABLE sessions ADD COLUMN charge INTEGER NOT NULL DEFAULT 0 CHECK (charge >= 0);\n"
	"ALTER TABLE sessions ADD COLUMN currency TEXT;\n"
	"ALTER TABLE sessions ADD COLUMN approved_at INTEGER; -- when its payment was approved: metered time "
	"counts from here\n"
	/* The plan's rates when the session was sold: a plan changed later does not reprice it. */
	"ALTER TABLE sessions ADD COLUMN rate_price INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE sessions ADD COLUMN rate_per_minute INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE sessions ADD COLUMN rate_per_mb INTEGER NOT NULL DEFAULT 0;\n"
	/* The plan's keepalive interval (seconds); NULL: the config's. */
	"ALTER TABLE sessions ADD COLUMN keepalive_s INTEGER;\n"
	/* SHA-256 of the session's portal token (the token itself is only ever with the guest). */
	"ALTER TABLE sessions ADD COLUMN token_hash BLOB;\n"
	/* The RADIUS Class of the session's Access-Accept, returned in its accounting (RFC 2865 5.25). */
	"ALTER TABLE sessions ADD COLUMN radius_class BLOB;\n"
	"CREATE UNIQUE INDEX sessions_token ON sessions (token_hash) WHERE token_hash IS NOT NULL;\n"
	/* Accounting records for the network management system, kept until acknowledged. */
	"CREATE TABLE outbox (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  session_id INTEGER NOT NULL REFERENCES sessions (id),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('start', 'interim', 'stop')),\n"
	"  event_at INTEGER NOT NULL,        -- Event-Timestamp (unix ms); with the session and kind, the "
	"record's identity\n"
	"  session_time_s INTEGER NOT NULL,\n"
	"  up_bytes INTEGER NOT NULL, down_bytes INTEGER NOT NULL,\n"
	"  up_packets INTEGER NOT NULL, down_packets INTEGER NOT NULL,\n"
	"  charge INTEGER NOT NULL, currency TEXT,\n"
	"  terminate_cause TEXT,             -- stop: the session's end reason\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_at INTEGER NOT NULL,         -- not to be sent before\n"
	"  last_error TEXT,\n"
	"  acked_at INTEGER                  -- the server acknowledged it; NULL: still to send\n"
	") STRICT;\n"
	"CREATE INDEX outbox_unacked ON outbox (next_at) WHERE acked_at IS NULL;\n"
	/* One Start and one Stop per session; Interim-Updates as many as there are. */
	"CREATE UNIQUE INDEX outbox_once ON outbox (session_id, kind) WHERE kind != 'interim';\n"
	"PRAGMA user_version = 3;\n";

/*
 * The migration ladder: migrations[i] takes user_version i to i + 1, and
 * ends by setting user_version itself. Each runs in its own transaction.
 * Add version 2 as a new entry here and bump STORE_SCHEMA_VERSION.
 */
static const char *const migrations[] = {
	migration_1,
	migration_2,
	migration_3,
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

const char *store_migration_sql(int version)
{
	return version >= 1 && version <= STORE_SCHEMA_VERSION ? migrations[version - 1] : NULL;
}

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_INTEGRITY,
	ST_JOURNAL_MODE,
	ST_SYNCHRONOUS,
	ST_FOREIGN_KEYS,
	ST_BUSY_TIMEOUT,
	ST_USER_VERSION,
	ST_PORT_SET,
	ST_PORT_CONFIGURE,
	ST_PORT_RESET,
	ST_PORT_GET,
	ST_PORT_EXISTS,
	ST_PORT_LIST,
	ST_CLIENT_UPSERT,
	ST_CLIENT_EXISTS,
	ST_CLIENT_GET,
	ST_CLIENT_BLOCK,
	ST_CLIENTS_BLOCKED,
	ST_ADDR_OWNER,
	ST_ADDR_COUNT,
	ST_ADDR_BIND,
	ST_ADDR_UNBIND,
	ST_CLIENT_KEPT,
	ST_ADDR_RELEASE,
	ST_ADDR_LIST,
	ST_SESSION_OPEN_OF,
	ST_SESSION_INSERT,
	ST_EVENT_INSERT,
	ST_SESSION_STATE,
	ST_SESSION_SET_STATE,
	ST_SESSION_EXTEND,
	ST_SESSION_KEEPALIVE,
	ST_SESSION_COUNTERS,
	ST_SESSION_END,
	ST_SESSION_GET,
	ST_SESSION_ROW,
	ST_SESSIONS_ACTIVE,
	ST_SESSION_EVENTS,
	ST_SESSIONS_LIST,
	ST_EVENTS_RECENT,
	ST_COUNT
};

#define SESSION_COLUMNS                                                                                      \
	"s.id, s.client_id, s.state, s.started_at, s.deadline_at, s.byte_cap, s.ended_at, s.end_reason, "    \
	"s.up_bytes, s.down_bytes, s.up_packets, s.down_packets, s.keepalive_key, s.keepalive_counter, "     \
	"s.keepalive_at, s.keepalive_s"
#define SESSION_NCOLUMNS 16
#define PORT_COLUMNS "ifname, room, mode, updated_at, set_by"
#define CLIENT_COLUMNS "id, port, mac, first_seen, last_seen, blocked_at"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT store_op",
	[ST_RELEASE] = "RELEASE store_op",
	[ST_ROLLBACK_TO] = "ROLLBACK TO store_op",
	[ST_INTEGRITY] = "PRAGMA integrity_check",
	[ST_JOURNAL_MODE] = "PRAGMA journal_mode",
	[ST_SYNCHRONOUS] = "PRAGMA synchronous",
	[ST_FOREIGN_KEYS] = "PRAGMA foreign_keys",
	[ST_BUSY_TIMEOUT] = "PRAGMA busy_timeout",
	[ST_USER_VERSION] = "PRAGMA user_version",
	[ST_PORT_SET] = "INSERT INTO ports (ifname, room, mode, updated_at, set_by) "
			"VALUES (?1, ?2, ?3, ?4, 'staff') "
			"ON CONFLICT (ifname) DO UPDATE SET room = excluded.room, mode = excluded.mode, "
			"updated_at = excluded.updated_at, set_by = 'staff'",
	/* The config's values, unless staff set the port; updated_at moves only on a change. */
	[ST_PORT_CONFIGURE] =
		"INSERT INTO ports (ifname, room, mode, updated_at) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT (ifname) DO UPDATE SET room = excluded.room, mode = excluded.mode, "
		"updated_at = excluded.updated_at WHERE set_by = 'config' AND "
		"(room IS NOT excluded.room OR mode != excluded.mode)",
	[ST_PORT_RESET] = "UPDATE ports SET set_by = 'config', updated_at = ?2 WHERE ifname = ?1",
	[ST_PORT_GET] = "SELECT " PORT_COLUMNS " FROM ports WHERE ifname = ?1",
	[ST_PORT_EXISTS] = "SELECT 1 FROM ports WHERE ifname = ?1",
	[ST_PORT_LIST] = "SELECT " PORT_COLUMNS " FROM ports ORDER BY ifname",
	[ST_CLIENT_UPSERT] =
		"INSERT INTO clients (port, mac, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3) "
		"ON CONFLICT (port, mac) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen) "
		"RETURNING id",
	[ST_CLIENT_EXISTS] = "SELECT 1 FROM clients WHERE id = ?1",
	[ST_CLIENT_GET] = "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = ?1",
	[ST_CLIENT_BLOCK] = "UPDATE clients SET blocked_at = ?2 WHERE id = ?1",
	[ST_CLIENTS_BLOCKED] =
		"SELECT " CLIENT_COLUMNS " FROM clients WHERE blocked_at IS NOT NULL ORDER BY id",
	[ST_ADDR_OWNER] = "SELECT client_id FROM client_addrs WHERE addr = ?1 AND bound = 1",
	[ST_ADDR_COUNT] = "SELECT count(*) FROM client_addrs WHERE client_id = ?1 AND bound = 1",
	[ST_ADDR_BIND] = "INSERT INTO client_addrs (client_id, addr, first_seen, last_seen, bound) "
			 "VALUES (?1, ?2, ?3, ?3, 1) ON CONFLICT (client_id, addr) DO UPDATE SET "
			 "last_seen = max(last_seen, excluded.last_seen), bound = 1",
	[ST_ADDR_UNBIND] = "UPDATE client_addrs SET bound = 0, last_seen = max(last_seen, ?3) "
			   "WHERE client_id = ?1 AND addr = ?2 AND bound = 1",
	[ST_CLIENT_KEPT] = "SELECT id, blocked_at IS NOT NULL, EXISTS (SELECT 1 FROM sessions "
			   "WHERE client_id = c.id AND state != 'ended') FROM clients c "
			   "WHERE port = ?1 AND mac = ?2",
	[ST_ADDR_RELEASE] = "UPDATE client_addrs SET bound = 0, last_seen = max(last_seen, ?2) "
			    "WHERE client_id = ?1 AND bound = 1",
	[ST_ADDR_LIST] =
		"SELECT addr, first_seen, last_seen FROM client_addrs WHERE client_id = ?1 AND bound = 1 "
		"ORDER BY addr",
	[ST_SESSION_OPEN_OF] = "SELECT id FROM sessions WHERE client_id = ?1 AND state != 'ended'",
	[ST_SESSION_INSERT] = "INSERT INTO sessions (client_id, state, started_at, deadline_at, byte_cap, "
			      "keepalive_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_EVENT_INSERT] =
		"INSERT INTO session_events (session_id, at, event, detail) VALUES (?1, ?2, ?3, ?4)",
	[ST_SESSION_STATE] = "SELECT state, keepalive_counter FROM sessions WHERE id = ?1",
	[ST_SESSION_SET_STATE] = "UPDATE sessions SET state = ?2 WHERE id = ?1 AND state != 'ended'",
	[ST_SESSION_EXTEND] = "UPDATE sessions SET deadline_at = ?2 WHERE id = ?1 AND state != 'ended'",
	[ST_SESSION_KEEPALIVE] = "UPDATE sessions SET keepalive_counter = ?2, keepalive_at = ?3 "
				 "WHERE id = ?1 AND state != 'ended' AND keepalive_counter < ?2",
	[ST_SESSION_COUNTERS] =
		"UPDATE sessions SET up_bytes = up_bytes + ?2, down_bytes = down_bytes + ?3, "
		"up_packets = up_packets + ?4, down_packets = down_packets + ?5 WHERE id = ?1",
	[ST_SESSION_END] = "UPDATE sessions SET state = 'ended', ended_at = ?2, end_reason = ?3 "
			   "WHERE id = ?1 AND state != 'ended'",
	[ST_SESSION_GET] = "SELECT " SESSION_COLUMNS " FROM sessions s WHERE s.id = ?1",
	[ST_SESSION_ROW] = "SELECT " SESSION_COLUMNS ", c.port, c.mac FROM sessions s "
			   "JOIN clients c ON c.id = s.client_id WHERE s.id = ?1",
	/* The sessions not ended only (sessions_open), not the whole history: read at every start. */
	[ST_SESSIONS_ACTIVE] = "SELECT " SESSION_COLUMNS ", c.port, c.mac, a.addr FROM sessions s "
			       "INDEXED BY sessions_open JOIN clients c ON c.id = s.client_id "
			       "LEFT JOIN client_addrs a ON a.client_id = s.client_id AND a.bound = 1 "
			       "WHERE s.state != 'ended' ORDER BY s.id, a.addr",
	[ST_SESSION_EVENTS] = "SELECT id, session_id, at, event, detail FROM session_events "
			      "WHERE session_id = ?1 ORDER BY id",
	[ST_SESSIONS_LIST] = "SELECT " SESSION_COLUMNS ", c.port, c.mac FROM sessions s "
			     "JOIN clients c ON c.id = s.client_id "
			     "WHERE (?1 = 0 OR s.state != 'ended') AND s.started_at >= ?2 ORDER BY s.id",
	[ST_EVENTS_RECENT] = "SELECT id, session_id, at, event, detail FROM session_events "
			     "ORDER BY id DESC LIMIT ?1",
};

/* Statements of the other store files (store_sql), prepared on first use. */
#define STORE_SQL_CACHE 128
struct cached_sql {
	const char *sql; /* by address: each is a string constant of its file */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	struct cached_sql cache[STORE_SQL_CACHE];
	size_t ncached;
	char err[512];
	/* Sessions started and ended: committed, and in the open batch (store_counts.h). */
	struct store_counts counts, batch_counts;
	/*
	 * store_begin opened a batch that has not been committed or rolled
	 * back since; if SQLite rolled it back on an error (as on a full
	 * disk), that error and its message, for the commit to give.
	 */
	int batch, batch_lost;
	char batch_lost_err[512];
	/* Counters not committed yet (store_carry.h). */
	struct store_carry carry;
};

static __thread char open_err[512];

static const char *const states[] = { "new", "pending", "provisional", "active", "ended", "rejected" };

/* --- errors */

static int vfail(char *buf, size_t len, int err, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	return err;
}

int store_fail(struct store *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(s->err, sizeof(s->err), err, fmt, ap);
	va_end(ap);
	return err;
}

static int errno_of(sqlite3 *db, int rc)
{
	int sys;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		sys = db ? sqlite3_system_errno(db) : 0;
		return sys > 0 ? -sys : -EIO;
	default:
		return -EIO;
	}
}

/*
 * On some errors (a full disk among them) SQLite rolls the open
 * transaction back on its own: counters it wrote are held again.
 */
static void carry_sync(struct store *s)
{
	if (s->carry.pending.n && sqlite3_get_autocommit(s->db) && store_carry_rolled_back(&s->carry))
		log_err("store: out of memory: counters that could not be written are lost");
}

/*
 * A failed SQLite call: its errno and message. A store that cannot be
 * written says so first: staff and guests then know that nothing new
 * can be recorded (nor sold) until space or write access comes back.
 */
int store_db_fail(struct store *s, int rc, const char *what)
{
	int err = errno_of(s->db, rc);

	carry_sync(s);
	if (err == -ENOSPC || err == -EROFS)
		store_fail(s, err, "the store cannot be written (%s): %s: %s",
			   err == -ENOSPC ? "its disk is full" : "it is read-only", what,
			   sqlite3_errmsg(s->db));
	else
		store_fail(s, err, "%s: %s", what, sqlite3_errmsg(s->db));
	if (s->batch && !s->batch_lost && sqlite3_get_autocommit(s->db)) {
		s->batch_lost = err;
		memcpy(s->batch_lost_err, s->err, sizeof(s->err));
	}
	return err;
}

const char *store_error(const struct store *s)
{
	return s ? s->err : open_err;
}

/* --- statements */

/* A prepared statement, reset and without bindings, ready to bind. */
static sqlite3_stmt *st(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *stmt = s->stmt[id];

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return stmt;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

sqlite3_stmt *store_sql(struct store *s, const char *sql)
{
	sqlite3_stmt *stmt;
	int rc;

	for (size_t i = 0; i < s->ncached; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			return s->cache[i].stmt;
		}
	if (s->ncached == STORE_SQL_CACHE) {
		store_fail(s, -ENOMEM, "more than %d cached statements", STORE_SQL_CACHE);
		return NULL;
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		store_db_fail(s, rc, "prepare");
		return NULL;
	}
	s->cache[s->ncached++] = (struct cached_sql){ .sql = sql, .stmt = stmt };
	return stmt;
}

/* Run a statement that returns no row; reset it. */
int store_run(struct store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_fail(s, rc, what);
	return 0;
}

/* Step a query for one row: 1 row, 0 none, <0 error (reset on none and error). */
int store_row(struct store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return 0;
	return store_db_fail(s, rc, what);
}

void store_text(char *dst, size_t len, sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

int store_bind_text(sqlite3_stmt *stmt, int i, const char *t)
{
	return t && *t ? sqlite3_bind_text(stmt, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(stmt, i);
}

int store_bind_int(sqlite3_stmt *stmt, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(stmt, i, v) : sqlite3_bind_null(stmt, i);
}

/*
 * Every write that is more than one statement is an op: its own
 * transaction, or a savepoint inside a batch, so that a refusal half-way
 * leaves nothing behind.
 */
int store_op_begin(struct store *s, int *nested)
{
	carry_sync(s);
	*nested = !sqlite3_get_autocommit(s->db);
	return store_run(s, st(s, *nested ? ST_SAVEPOINT : ST_BEGIN), "begin");
}

/* End an op: commit when err is 0, roll back otherwise; returns err or the commit's error. */
int store_op_end(struct store *s, int nested, int err)
{
	char keep[sizeof(s->err)];
	int rc;

	if (nested && !err)
		return store_run(s, st(s, ST_RELEASE), "release savepoint");
	if (nested) {
		/*
		 * The error is what the caller hears: not that of the
		 * savepoint, gone already if SQLite rolled the whole
		 * transaction back (as it does on a full disk).
		 */
		memcpy(keep, s->err, sizeof(keep));
		if (!sqlite3_get_autocommit(s->db)) {
			store_run(s, st(s, ST_ROLLBACK_TO), "rollback to savepoint");
			store_run(s, st(s, ST_RELEASE), "release savepoint");
		}
		memcpy(s->err, keep, sizeof(keep));
		return err;
	}
	if (!err) {
		rc = store_run(s, st(s, ST_COMMIT), "commit");
		if (!rc) {
			store_carry_committed(&s->carry);
			return 0;
		}
		err = rc;
	}
	if (!sqlite3_get_autocommit(s->db)) {
		memcpy(keep, s->err, sizeof(keep));
		store_run(s, st(s, ST_ROLLBACK), "rollback");
		memcpy(s->err, keep, sizeof(keep));
	}
	carry_sync(s);
	return err;
}

/* --- validation */

int store_state_valid(const char *state)
{
	size_t i;

	if (!state)
		return 0;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(state, states[i]))
			return 1;
	return 0;
}

static int check_ifname(struct store *s, const char *ifname)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (n == 0 || n >= STORE_IFNAME_LEN || strchr(ifname, '/') || !strcmp(ifname, ".") ||
	    !strcmp(ifname, ".."))
		return store_fail(s, -EINVAL, "bad interface name '%.32s'", ifname ? ifname : "");
	for (; *ifname; ifname++)
		if (*ifname <= ' ' || *ifname == 0x7f || *ifname == ':')
			return store_fail(s, -EINVAL, "bad interface name: a space or control character");
	return 0;
}

/* Parse a MAC into its lower-case text form. */
static int norm_mac(struct store *s, const char *mac, char out[STORE_MAC_LEN])
{
	unsigned int b[6];
	int n = -1;

	if (!mac ||
	    sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
	    n != 17 || mac[n] != '\0')
		return store_fail(s, -EINVAL, "bad MAC address '%.32s'", mac ? mac : "");
	for (int i = 0; i < 17; i++)
		if ((i % 3 == 2) != (mac[i] == ':'))
			return store_fail(s, -EINVAL, "bad MAC address '%.32s'", mac);
	snprintf(out, STORE_MAC_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}

/* Parse an IPv4 or IPv6 address into its canonical text form. */
static int norm_addr(struct store *s, const char *addr, char out[STORE_ADDR_LEN])
{
	unsigned char bin[sizeof(struct in6_addr)];

	if (addr && inet_pton(AF_INET, addr, bin) == 1 && inet_ntop(AF_INET, bin, out, STORE_ADDR_LEN))
		return 0;
	if (addr && inet_pton(AF_INET6, addr, bin) == 1 && inet_ntop(AF_INET6, bin, out, STORE_ADDR_LEN))
		return 0;
	return store_fail(s, -EINVAL, "bad IP address '%.64s'", addr ? addr : "");
}

static int check_detail(struct store *s, const char *detail)
{
	if (detail && strlen(detail) >= STORE_DETAIL_LEN)
		return store_fail(s, -EINVAL, "event detail longer than %d bytes", STORE_DETAIL_LEN - 1);
	return 0;
}

static int check_reason(struct store *s, const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;

	if (n == 0 || n >= STORE_REASON_LEN || strspn(reason, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return store_fail(s, -EINVAL, "bad end reason '%.40s': 1 to %d of a-z, 0-9 and '-'",
				  reason ? reason : "", STORE_REASON_LEN - 1);
	return 0;
}

static int check_session_id(struct store *s, uint64_t id)
{
	if (id == 0 || id > INT64_MAX)
		return store_fail(s, -ENOENT, "no session %llu", (unsigned long long)id);
	return 0;
}

/* Within an op: the session's state (-ENOENT if unknown, -EALREADY if ended) and keepalive counter. */
static int session_state(struct store *s, uint64_t id, char state[STORE_STATE_LEN], uint64_t *counter)
{
	sqlite3_stmt *q = st(s, ST_SESSION_STATE);
	int rc;

	sqlite3_bind_int64(q, 1, (int64_t)id);
	rc = store_row(s, q, "session state");
	if (rc < 0)
		return rc;
	if (rc == 0)
		return store_fail(s, -ENOENT, "no session %llu", (unsigned long long)id);
	store_text(state, STORE_STATE_LEN, q, 0);
	if (counter)
		*counter = (uint64_t)sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	if (!strcmp(state, "ended"))
		return store_fail(s, -EALREADY, "session %llu has ended", (unsigned long long)id);
	return 0;
}

static int add_event(struct store *s, uint64_t id, int64_t now_ms, const char *event, const char *detail)
{
	sqlite3_stmt *q = st(s, ST_EVENT_INSERT);

	sqlite3_bind_int64(q, 1, (int64_t)id);
	sqlite3_bind_int64(q, 2, now_ms);
	sqlite3_bind_text(q, 3, event, -1, SQLITE_STATIC);
	store_bind_text(q, 4, detail);
	return store_run(s, q, "add session event");
}

/* --- open, schema, close */

static int open_fail(sqlite3 *db, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int open_fail(sqlite3 *db, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(open_err, sizeof(open_err), err, fmt, ap);
	va_end(ap);
	sqlite3_close_v2(db);
	return err;
}

static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(q, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_EMPTY;
	}
	sqlite3_finalize(q);
	return rc;
}

/* Bring the schema to STORE_SCHEMA_VERSION, one migration per transaction. */
static int migrate(sqlite3 *db, const char *path)
{
	int64_t v, app, objects;
	int rc;

	for (;;) {
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			break;
		if ((rc = query_int(db, "PRAGMA user_version", &v)) != SQLITE_OK ||
		    (rc = query_int(db, "PRAGMA application_id", &app)) != SQLITE_OK ||
		    (rc = query_int(db, "SELECT count(*) FROM sqlite_schema", &objects)) != SQLITE_OK)
			break;
		if (app != STORE_APPLICATION_ID && (app != 0 || v != 0 || objects != 0)) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(open_err, sizeof(open_err), "%s: not a wicketd store (application_id %lld)",
				 path, (long long)app);
			return -EINVAL;
		}
		if (v < 0 || v > STORE_SCHEMA_VERSION) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(open_err, sizeof(open_err),
				 "%s: schema version %lld is newer than this wicketd knows (%d): run a newer "
				 "wicketd",
				 path, (long long)v, STORE_SCHEMA_VERSION);
			return -EPROTONOSUPPORT;
		}
		if (v == STORE_SCHEMA_VERSION)
			return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
		rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			break;
		if ((rc = query_int(db, "PRAGMA user_version", &app)) != SQLITE_OK)
			break;
		if (app != v + 1) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(open_err, sizeof(open_err), "%s: migration %lld left version %lld", path,
				 (long long)v + 1, (long long)app);
			return -EPROTO;
		}
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			break;
		log_info("store %s: schema migrated to version %lld", path, (long long)v + 1);
	}
	snprintf(open_err, sizeof(open_err), "%s: schema migration: %s", path, sqlite3_errmsg(db));
	v = errno_of(db, rc);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return (int)v;
}

int store_open(const char *path, struct store **out)
{
	struct store *s;
	sqlite3 *db = NULL;
	sqlite3_stmt *q;
	int64_t fk = 0;
	int rc, fd, err;

	*out = NULL;
	open_err[0] = '\0';
	if (!path || !*path || *path == ':')
		return open_fail(NULL, -EINVAL, "store: a database file path is needed");
	/* Created private: the store holds MACs and keepalive keys (SQLite gives -wal and -shm the same
	 * mode). */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return open_fail(NULL, -errno, "%s: %s", path, strerror(errno));
	close(fd);

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK)
		return open_fail(db, errno_of(db, rc), "%s: %s", path,
				 db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_extended_result_codes(db, 1);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);

	rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return open_fail(db, errno_of(db, rc), "%s: %s", path, sqlite3_errmsg(db));
	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return open_fail(db, errno_of(db, rc), "%s: %s", path, sqlite3_errmsg(db));
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(q, 0), "wal")) {
		err = rc == SQLITE_ROW ? -EINVAL : errno_of(db, rc);
		sqlite3_finalize(q);
		return open_fail(db, err, "%s: cannot use WAL journal mode: %s", path,
				 rc == SQLITE_ROW ? "refused" : sqlite3_errmsg(db));
	}
	sqlite3_finalize(q);
	if (query_int(db, "PRAGMA foreign_keys", &fk) != SQLITE_OK || fk != 1)
		return open_fail(db, -ENOTSUP, "%s: this SQLite does not enforce foreign keys", path);

	err = migrate(db, path);
	if (err) {
		sqlite3_close_v2(db);
		return err;
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return open_fail(db, -ENOMEM, "store: out of memory");
	s->db = db;
	for (int i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			err = store_fail(s, errno_of(db, rc), "%s: statement %d: %s", path, i,
					 sqlite3_errmsg(db));
			snprintf(open_err, sizeof(open_err), "%s", s->err);
			store_close(s);
			return err;
		}
	}
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->db && !sqlite3_get_autocommit(s->db)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		store_carry_rolled_back(&s->carry);
	}
	if (s->carry.held.n)
		log_err("store: %llu bytes of %zu sessions could not be written before the store closed: "
			"they are not billed",
			(unsigned long long)store_carry_held_bytes(&s->carry, NULL), s->carry.held.n);
	store_carry_free(&s->carry);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (size_t i = 0; i < s->ncached; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close_v2(s->db);
	free(s);
}

/* --- batches, checks */

int store_begin(struct store *s)
{
	int rc;

	if (!sqlite3_get_autocommit(s->db))
		return store_fail(s, -EALREADY, "a batch is already open");
	carry_sync(s);
	memset(&s->batch_counts, 0, sizeof(s->batch_counts));
	rc = store_run(s, st(s, ST_BEGIN), "begin batch");
	s->batch = rc == 0;
	s->batch_lost = 0;
	return rc;
}

int store_commit(struct store *s)
{
	int rc;

	if (sqlite3_get_autocommit(s->db)) {
		if (!s->batch)
			return store_fail(s, -EINVAL, "no batch is open");
		/* SQLite rolled the batch back after an error: nothing of it can commit. */
		carry_sync(s);
		return store_fail(s, s->batch_lost ? s->batch_lost : -EIO, "commit batch: rolled back on %s",
				  s->batch_lost ? s->batch_lost_err : "an error");
	}
	rc = store_run(s, st(s, ST_COMMIT), "commit batch");
	if (!rc) {
		s->batch = 0;
		store_counts_merge(&s->counts, &s->batch_counts);
		memset(&s->batch_counts, 0, sizeof(s->batch_counts));
		store_carry_committed(&s->carry);
	}
	return rc;
}

int store_rollback(struct store *s)
{
	char keep[sizeof(s->err)];
	int rc, was = s->batch;

	memset(&s->batch_counts, 0, sizeof(s->batch_counts));
	s->batch = 0;
	if (sqlite3_get_autocommit(s->db)) {
		carry_sync(s);
		/*
		 * Rolled back already by SQLite (a failed commit on a full
		 * disk), or never begun: either way the error the caller is
		 * about to read stays the one that made it roll back.
		 */
		return was ? 0 : -EINVAL;
	}
	/* The caller reads the error that made it roll back, after. */
	memcpy(keep, s->err, sizeof(keep));
	rc = store_run(s, st(s, ST_ROLLBACK), "rollback batch");
	if (!rc)
		memcpy(s->err, keep, sizeof(keep));
	if (store_carry_rolled_back(&s->carry))
		log_err("store: out of memory: counters that could not be written are lost");
	return rc;
}

const struct store_counts *store_counts(const struct store *s)
{
	return &s->counts;
}

/* A session started or ended (reason NULL: started): counted now, or when the open batch commits. */
static void count_session(struct store *s, int nested, const char *reason)
{
	struct store_counts *c = nested ? &s->batch_counts : &s->counts;

	if (reason)
		store_counts_end(c, reason, 1);
	else
		c->started++;
}

int store_integrity_check(struct store *s)
{
	sqlite3_stmt *q = st(s, ST_INTEGRITY);
	int rc = store_row(s, q, "integrity check");

	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -EIO, "integrity check: no answer");
	store_text(s->err, sizeof(s->err), q, 0);
	sqlite3_reset(q);
	if (strcmp(s->err, "ok"))
		return -EIO;
	s->err[0] = '\0';
	return 0;
}

int store_settings(struct store *s, struct store_settings *out)
{
	static const enum stmt_id ids[] = { ST_SYNCHRONOUS, ST_FOREIGN_KEYS, ST_BUSY_TIMEOUT,
					    ST_USER_VERSION };
	int64_t *vals[] = { &out->synchronous, &out->foreign_keys, &out->busy_timeout_ms,
			    &out->user_version };
	sqlite3_stmt *q = st(s, ST_JOURNAL_MODE);
	int rc = store_row(s, q, "journal mode");

	memset(out, 0, sizeof(*out));
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -EIO, "journal mode: no answer");
	store_text(out->journal_mode, sizeof(out->journal_mode), q, 0);
	sqlite3_reset(q);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		q = st(s, ids[i]);
		rc = store_row(s, q, stmt_sql[ids[i]]);
		if (rc <= 0)
			return rc < 0 ? rc : store_fail(s, -EIO, "%s: no answer", stmt_sql[ids[i]]);
		*vals[i] = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	}
	return 0;
}

/* --- ports */

/* Staff's setting (ST_PORT_SET) or the config's (ST_PORT_CONFIGURE). */
static int port_write(struct store *s, enum stmt_id id, const char *ifname, const char *room, int mode,
		      int64_t now_ms)
{
	sqlite3_stmt *q;
	int err = check_ifname(s, ifname);

	if (err)
		return err;
	if (mode < WICKET_PORT_CHARGE || mode > WICKET_PORT_MODE_MAX)
		return store_fail(s, -EINVAL, "bad port mode %d for %s", mode, ifname);
	if (room && strlen(room) >= STORE_ROOM_LEN)
		return store_fail(s, -EINVAL, "room name longer than %d bytes", STORE_ROOM_LEN - 1);
	q = st(s, id);
	sqlite3_bind_text(q, 1, ifname, -1, SQLITE_STATIC);
	store_bind_text(q, 2, room && room[0] ? room : NULL);
	sqlite3_bind_int(q, 3, mode);
	sqlite3_bind_int64(q, 4, now_ms);
	return store_run(s, q, "set port");
}

int store_port_set(struct store *s, const char *ifname, const char *room, int mode, int64_t now_ms)
{
	return port_write(s, ST_PORT_SET, ifname, room, mode, now_ms);
}

int store_port_configure(struct store *s, const char *ifname, const char *room, int mode, int64_t now_ms)
{
	return port_write(s, ST_PORT_CONFIGURE, ifname, room, mode, now_ms);
}

int store_port_reset(struct store *s, const char *ifname, int64_t now_ms)
{
	sqlite3_stmt *q;
	int err = check_ifname(s, ifname);

	if (err)
		return err;
	q = st(s, ST_PORT_RESET);
	sqlite3_bind_text(q, 1, ifname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now_ms);
	if ((err = store_run(s, q, "reset port")))
		return err;
	return sqlite3_changes(s->db) ? 0 : store_fail(s, -ENOENT, "no port %s", ifname);
}

static void read_port(sqlite3_stmt *q, struct store_port *p)
{
	char by[8];

	memset(p, 0, sizeof(*p));
	store_text(p->ifname, sizeof(p->ifname), q, 0);
	store_text(p->room, sizeof(p->room), q, 1);
	p->mode = sqlite3_column_int(q, 2);
	p->updated_at = sqlite3_column_int64(q, 3);
	store_text(by, sizeof(by), q, 4);
	p->set_by_staff = strcmp(by, "staff") == 0;
}

int store_port_get(struct store *s, const char *ifname, struct store_port *out)
{
	sqlite3_stmt *q;
	int rc = check_ifname(s, ifname);

	if (rc)
		return rc;
	q = st(s, ST_PORT_GET);
	sqlite3_bind_text(q, 1, ifname, -1, SQLITE_STATIC);
	rc = store_row(s, q, "get port");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no port %s", ifname);
	read_port(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_port_list(struct store *s, int (*cb)(const struct store_port *port, void *arg), void *arg)
{
	sqlite3_stmt *q = st(s, ST_PORT_LIST);
	struct store_port p;
	int rc;

	while ((rc = store_row(s, q, "list ports")) == 1) {
		read_port(q, &p);
		rc = cb(&p, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

/* --- clients */

static const char SQL_CLIENT_FIND[] = "SELECT id FROM clients WHERE port = ?1 AND mac = ?2";

/*
 * A known client whose last_seen cannot be written (a full or read-only
 * disk): found all the same, since last_seen is only a hint and the
 * guest's status and logout must still answer. 0, or err as it was.
 */
static int client_known(struct store *s, const char *port, const char *mac, int err, int64_t *client_id)
{
	sqlite3_stmt *q = store_sql(s, SQL_CLIENT_FIND);
	char keep[sizeof(s->err)];
	int rc;

	if (!q || (err != -ENOSPC && err != -EROFS))
		return err;
	memcpy(keep, s->err, sizeof(keep));
	sqlite3_bind_text(q, 1, port, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, mac, -1, SQLITE_STATIC);
	rc = store_row(s, q, "find client");
	if (rc == 1)
		*client_id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	memcpy(s->err, keep, sizeof(keep));
	return rc == 1 ? 0 : err;
}

int store_client_get_or_add(struct store *s, const char *port, const char *mac, int64_t now_ms,
			    int64_t *client_id)
{
	char m[STORE_MAC_LEN];
	sqlite3_stmt *q;
	int err;

	if ((err = check_ifname(s, port)) || (err = norm_mac(s, mac, m)))
		return err;
	q = st(s, ST_PORT_EXISTS);
	sqlite3_bind_text(q, 1, port, -1, SQLITE_STATIC);
	err = store_row(s, q, "find port");
	sqlite3_reset(q);
	if (err <= 0)
		return err < 0 ? err : store_fail(s, -ENOENT, "no port %s", port);
	q = st(s, ST_CLIENT_UPSERT);
	sqlite3_bind_text(q, 1, port, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, m, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now_ms);
	err = store_row(s, q, "add client");
	if (err < 0)
		return client_known(s, port, m, err, client_id);
	if (err == 0)
		return store_fail(s, -EIO, "add client: no id returned");
	*client_id = sqlite3_column_int64(q, 0);
	/* RETURNING: step to the end so the statement completes (and commits, outside a batch). */
	err = store_run(s, q, "add client");
	return err ? client_known(s, port, m, err, client_id) : 0;
}

static int client_exists(struct store *s, int64_t client_id)
{
	sqlite3_stmt *q = st(s, ST_CLIENT_EXISTS);
	int rc;

	sqlite3_bind_int64(q, 1, client_id);
	rc = store_row(s, q, "find client");
	sqlite3_reset(q);
	if (rc < 0)
		return rc;
	return rc ? 0 : store_fail(s, -ENOENT, "no client %lld", (long long)client_id);
}

static void read_client(sqlite3_stmt *q, struct store_client *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(q, 0);
	store_text(c->port, sizeof(c->port), q, 1);
	store_text(c->mac, sizeof(c->mac), q, 2);
	c->first_seen = sqlite3_column_int64(q, 3);
	c->last_seen = sqlite3_column_int64(q, 4);
	c->blocked_at = sqlite3_column_int64(q, 5);
}

int store_client_get(struct store *s, int64_t client_id, struct store_client *out)
{
	sqlite3_stmt *q = st(s, ST_CLIENT_GET);
	int rc;

	sqlite3_bind_int64(q, 1, client_id);
	rc = store_row(s, q, "get client");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no client %lld", (long long)client_id);
	read_client(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_client_block(struct store *s, int64_t client_id, int64_t blocked_at_ms)
{
	sqlite3_stmt *q;
	int rc;

	if (blocked_at_ms < 0)
		return store_fail(s, -EINVAL, "bad block time %lld", (long long)blocked_at_ms);
	q = st(s, ST_CLIENT_BLOCK);
	sqlite3_bind_int64(q, 1, client_id);
	store_bind_int(q, 2, blocked_at_ms);
	if ((rc = store_run(s, q, "block client")))
		return rc;
	return sqlite3_changes(s->db) ? 0 : store_fail(s, -ENOENT, "no client %lld", (long long)client_id);
}

int store_clients_blocked(struct store *s, int (*cb)(const struct store_client *c, void *arg), void *arg)
{
	sqlite3_stmt *q = st(s, ST_CLIENTS_BLOCKED);
	struct store_client c;
	int rc;

	while ((rc = store_row(s, q, "list blocked clients")) == 1) {
		read_client(q, &c);
		rc = cb(&c, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

int store_client_session(struct store *s, int64_t client_id, uint64_t *session_id)
{
	sqlite3_stmt *q = st(s, ST_SESSION_OPEN_OF);
	int rc;

	sqlite3_bind_int64(q, 1, client_id);
	rc = store_row(s, q, "find open session");
	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	*session_id = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

static int bind_addr(struct store *s, int64_t client_id, const char *a, int64_t now_ms)
{
	sqlite3_stmt *q;
	int64_t owner, n;
	int rc;

	if ((rc = client_exists(s, client_id)))
		return rc;
	q = st(s, ST_ADDR_OWNER);
	sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	rc = store_row(s, q, "find address");
	if (rc < 0)
		return rc;
	if (rc) {
		owner = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		if (owner != client_id)
			return store_fail(s, -EADDRINUSE, "address %s is bound to client %lld", a,
					  (long long)owner);
	} else {
		q = st(s, ST_ADDR_COUNT);
		sqlite3_bind_int64(q, 1, client_id);
		rc = store_row(s, q, "count addresses");
		if (rc <= 0)
			return rc < 0 ? rc : store_fail(s, -EIO, "count addresses: no answer");
		n = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		if (n >= WICKET_MAX_ADDRS)
			return store_fail(s, -ENOSPC, "client %lld already holds %d addresses",
					  (long long)client_id, WICKET_MAX_ADDRS);
	}
	q = st(s, ST_ADDR_BIND);
	sqlite3_bind_int64(q, 1, client_id);
	sqlite3_bind_text(q, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now_ms);
	return store_run(s, q, "bind address");
}

int store_client_bind_addr(struct store *s, int64_t client_id, const char *addr, int64_t now_ms)
{
	char a[STORE_ADDR_LEN];
	int nested, err;

	if ((err = norm_addr(s, addr, a)) || (err = store_op_begin(s, &nested)))
		return err;
	return store_op_end(s, nested, bind_addr(s, client_id, a, now_ms));
}

int store_client_unbind_addr(struct store *s, int64_t client_id, const char *addr, int64_t now_ms)
{
	char a[STORE_ADDR_LEN];
	sqlite3_stmt *q;
	int err;

	if ((err = norm_addr(s, addr, a)))
		return err;
	q = st(s, ST_ADDR_UNBIND);
	sqlite3_bind_int64(q, 1, client_id);
	sqlite3_bind_text(q, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now_ms);
	if ((err = store_run(s, q, "unbind address")))
		return err;
	if (sqlite3_changes(s->db) == 0)
		return store_fail(s, -ENOENT, "address %s is not bound to client %lld", a,
				  (long long)client_id);
	return 0;
}

int store_client_release(struct store *s, const char *port, const char *mac, int64_t now_ms,
			 unsigned int *released)
{
	sqlite3_stmt *q = st(s, ST_CLIENT_KEPT);
	int64_t id;
	int err, blocked, open;

	*released = 0;
	sqlite3_bind_text(q, 1, port, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, mac, -1, SQLITE_STATIC);
	err = store_row(s, q, "look up a departing client");
	if (err <= 0)
		return err; /* unknown: nothing bound */
	id = sqlite3_column_int64(q, 0);
	blocked = sqlite3_column_int(q, 1);
	open = sqlite3_column_int(q, 2);
	sqlite3_reset(q);
	if (blocked)
		return store_fail(s, -EBUSY, "client %s on %s is blocked", mac, port);
	if (open)
		return store_fail(s, -EBUSY, "client %s on %s has a session not ended", mac, port);
	q = st(s, ST_ADDR_RELEASE);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now_ms);
	if ((err = store_run(s, q, "release addresses")))
		return err;
	*released = (unsigned int)sqlite3_changes(s->db);
	return 0;
}

int store_client_addrs(struct store *s, int64_t client_id,
		       int (*cb)(const struct store_addr *addr, void *arg), void *arg)
{
	sqlite3_stmt *q = st(s, ST_ADDR_LIST);
	struct store_addr a;
	int rc;

	sqlite3_bind_int64(q, 1, client_id);
	while ((rc = store_row(s, q, "list addresses")) == 1) {
		memset(&a, 0, sizeof(a));
		store_text(a.addr, sizeof(a.addr), q, 0);
		a.first_seen = sqlite3_column_int64(q, 1);
		a.last_seen = sqlite3_column_int64(q, 2);
		rc = cb(&a, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

/* --- sessions */

static int session_start(struct store *s, int64_t client_id, const char *state, int64_t deadline_ms,
			 uint64_t byte_cap, const void *key, size_t keylen, int64_t now_ms,
			 uint64_t *session_id)
{
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	if ((rc = client_exists(s, client_id)))
		return rc;
	q = st(s, ST_SESSION_OPEN_OF);
	sqlite3_bind_int64(q, 1, client_id);
	rc = store_row(s, q, "find open session");
	if (rc < 0)
		return rc;
	if (rc) {
		id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		return store_fail(s, -EBUSY, "client %lld already has session %lld", (long long)client_id,
				  (long long)id);
	}
	q = st(s, ST_SESSION_INSERT);
	sqlite3_bind_int64(q, 1, client_id);
	sqlite3_bind_text(q, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now_ms);
	store_bind_int(q, 4, deadline_ms);
	store_bind_int(q, 5, (int64_t)byte_cap);
	if (keylen)
		sqlite3_bind_blob(q, 6, key, (int)keylen, SQLITE_STATIC);
	if ((rc = store_run(s, q, "add session")))
		return rc;
	id = sqlite3_last_insert_rowid(s->db);
	if ((rc = add_event(s, (uint64_t)id, now_ms, state, "start")))
		return rc;
	*session_id = (uint64_t)id;
	return 0;
}

int store_session_start(struct store *s, int64_t client_id, const char *state, int64_t deadline_ms,
			uint64_t byte_cap, const void *key, size_t keylen, int64_t now_ms,
			uint64_t *session_id)
{
	int nested, err;

	if (!store_state_valid(state) || !strcmp(state, "ended"))
		return store_fail(s, -EINVAL, "bad initial session state '%.20s'", state ? state : "");
	if (deadline_ms < 0)
		return store_fail(s, -EINVAL, "bad deadline %lld", (long long)deadline_ms);
	if (byte_cap > INT64_MAX)
		return store_fail(s, -EINVAL, "byte cap too large");
	if (keylen > STORE_KEY_MAX || (keylen && !key))
		return store_fail(s, -EINVAL, "bad keepalive key (%zu bytes, at most %d)", keylen,
				  STORE_KEY_MAX);
	if ((err = store_op_begin(s, &nested)))
		return err;
	err = store_op_end(
		s, nested,
		session_start(s, client_id, state, deadline_ms, byte_cap, key, keylen, now_ms, session_id));
	if (!err)
		count_session(s, nested, NULL);
	return err;
}

static int session_set_state(struct store *s, uint64_t id, const char *state, const char *detail,
			     int64_t now_ms)
{
	char cur[STORE_STATE_LEN];
	sqlite3_stmt *q;
	int rc;

	if ((rc = session_state(s, id, cur, NULL)))
		return rc;
	q = st(s, ST_SESSION_SET_STATE);
	sqlite3_bind_int64(q, 1, (int64_t)id);
	sqlite3_bind_text(q, 2, state, -1, SQLITE_STATIC);
	if ((rc = store_run(s, q, "set session state")))
		return rc;
	return add_event(s, id, now_ms, state, detail);
}

int store_session_set_state(struct store *s, uint64_t session_id, const char *state, const char *detail,
			    int64_t now_ms)
{
	int nested, err;

	if (!store_state_valid(state))
		return store_fail(s, -EINVAL, "bad session state '%.20s'", state ? state : "");
	if (!strcmp(state, "ended"))
		return store_fail(s, -EINVAL, "a session ends with store_session_end, which says why");
	if ((err = check_detail(s, detail)) || (err = check_session_id(s, session_id)) ||
	    (err = store_op_begin(s, &nested)))
		return err;
	return store_op_end(s, nested, session_set_state(s, session_id, state, detail, now_ms));
}

static int session_extend(struct store *s, uint64_t id, int64_t deadline_ms, int64_t now_ms)
{
	char cur[STORE_STATE_LEN], detail[64];
	sqlite3_stmt *q;
	int rc;

	if ((rc = session_state(s, id, cur, NULL)))
		return rc;
	q = st(s, ST_SESSION_EXTEND);
	sqlite3_bind_int64(q, 1, (int64_t)id);
	store_bind_int(q, 2, deadline_ms);
	if ((rc = store_run(s, q, "extend session")))
		return rc;
	if (deadline_ms)
		snprintf(detail, sizeof(detail), "deadline %lld", (long long)deadline_ms);
	else
		snprintf(detail, sizeof(detail), "no deadline");
	return add_event(s, id, now_ms, "extend", detail);
}

int store_session_extend(struct store *s, uint64_t session_id, int64_t deadline_ms, int64_t now_ms)
{
	int nested, err;

	if (deadline_ms < 0)
		return store_fail(s, -EINVAL, "bad deadline %lld", (long long)deadline_ms);
	if ((err = check_session_id(s, session_id)) || (err = store_op_begin(s, &nested)))
		return err;
	return store_op_end(s, nested, session_extend(s, session_id, deadline_ms, now_ms));
}

int store_session_keepalive(struct store *s, uint64_t session_id, uint64_t counter, int64_t now_ms)
{
	char cur[STORE_STATE_LEN];
	uint64_t last = 0;
	sqlite3_stmt *q;
	int err;

	if ((err = check_session_id(s, session_id)))
		return err;
	if (counter == 0 || counter > INT64_MAX || now_ms <= 0)
		return store_fail(s, -EINVAL, "bad keepalive counter %llu or time %lld",
				  (unsigned long long)counter, (long long)now_ms);
	q = st(s, ST_SESSION_KEEPALIVE);
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	sqlite3_bind_int64(q, 2, (int64_t)counter);
	sqlite3_bind_int64(q, 3, now_ms);
	if ((err = store_run(s, q, "keepalive")))
		return err;
	if (sqlite3_changes(s->db))
		return 0;
	/* Nothing changed: say why. */
	if ((err = session_state(s, session_id, cur, &last)))
		return err;
	return store_fail(s, -ESTALE, "session %llu: keepalive counter %llu is not after %llu",
			  (unsigned long long)session_id, (unsigned long long)counter,
			  (unsigned long long)last);
}

static int session_settle(struct store *s, uint64_t id, int64_t at_ms);

/* Keep counters that could not be written, for the session's next write. */
static void hold_counters(struct store *s, const struct store_delta *d)
{
	if (store_deltas_add(&s->carry.held, d))
		log_err("session %llu: out of memory: %llu bytes that could not be written are lost",
			(unsigned long long)d->session_id, (unsigned long long)(d->up_bytes + d->down_bytes));
}

/*
 * Add d and what is held for its session to its counters: written (and
 * pending until the open transaction commits), held again when the write
 * fails, dropped when the session is unknown.
 */
static int write_counters(struct store *s, const struct store_delta *d)
{
	struct store_delta held, all;
	sqlite3_stmt *q;
	int err, in_tx;

	carry_sync(s);
	store_deltas_take(&s->carry.held, d->session_id, &held);
	all = held;
	store_delta_merge(&all, d);
	if (all.up_bytes > INT64_MAX || all.down_bytes > INT64_MAX || all.up_packets > INT64_MAX ||
	    all.down_packets > INT64_MAX) {
		hold_counters(s, &held);
		return store_fail(s, -EINVAL, "session %llu: counter delta too large",
				  (unsigned long long)d->session_id);
	}
	in_tx = !sqlite3_get_autocommit(s->db);
	q = st(s, ST_SESSION_COUNTERS);
	sqlite3_bind_int64(q, 1, (int64_t)all.session_id);
	sqlite3_bind_int64(q, 2, (int64_t)all.up_bytes);
	sqlite3_bind_int64(q, 3, (int64_t)all.down_bytes);
	sqlite3_bind_int64(q, 4, (int64_t)all.up_packets);
	sqlite3_bind_int64(q, 5, (int64_t)all.down_packets);
	if ((err = store_run(s, q, "add counters"))) {
		hold_counters(s, &all);
		return err;
	}
	if (sqlite3_changes(s->db) == 0)
		return store_fail(s, -ENOENT, "no session %llu", (unsigned long long)all.session_id);
	if (in_tx && store_deltas_add(&s->carry.pending, &all))
		log_err("session %llu: out of memory: its counters are lost if this transaction rolls back",
			(unsigned long long)all.session_id);
	return 0;
}

int store_session_add_counters(struct store *s, uint64_t session_id, uint64_t up_bytes, uint64_t down_bytes,
			       uint64_t up_packets, uint64_t down_packets)
{
	struct store_delta d = { session_id, up_bytes, down_bytes, up_packets, down_packets };
	int err;

	if ((err = check_session_id(s, session_id)))
		return err;
	if (up_bytes > INT64_MAX || down_bytes > INT64_MAX || up_packets > INT64_MAX ||
	    down_packets > INT64_MAX)
		return store_fail(s, -EINVAL, "session %llu: counter delta too large",
				  (unsigned long long)session_id);
	return write_counters(s, &d);
}

int store_counters_flush(struct store *s, int64_t now_ms)
{
	struct store_delta none = { 0 };
	int err;

	carry_sync(s);
	while (s->carry.held.n) {
		none.session_id = s->carry.held.v[s->carry.held.n - 1].session_id;
		err = write_counters(s, &none);
		if (err == -ENOENT)
			continue; /* its session is gone: nothing to bill them to */
		if (!err)
			err = session_settle(s, none.session_id, now_ms);
		if (err)
			return err;
	}
	return 0;
}

uint64_t store_counters_held(const struct store *s, size_t *sessions)
{
	return store_carry_held_bytes(&s->carry, sessions);
}

static const char SQL_CLOSE_REQUESTS[] =
	"UPDATE billing_requests SET state = 'rejected', reason = 'the session ended before the payment was "
	"confirmed', decided_at = ?2, decided_by = 'session end' WHERE session_id = ?1 AND state IN "
	"('pending', "
	"'provisional')";

/*
 * The charge of a session on a plan, as of at_ms: the price it was sold
 * at, plus its metered rates per started minute since approval and per
 * started MB (10^6 bytes, both ways). Never lowered: a charge staff or an
 * approver set higher stays.
 */
static const char SQL_SETTLE[] = "UPDATE sessions SET charge = max(charge, rate_price"
				 " + rate_per_minute * ((max(?2 - approved_at, 0) + 59999) / 60000)"
				 " + rate_per_mb * ((up_bytes + down_bytes + 999999) / 1000000))"
				 " WHERE id = ?1 AND plan_id IS NOT NULL AND approved_at IS NOT NULL";

static int session_settle(struct store *s, uint64_t id, int64_t at_ms)
{
	sqlite3_stmt *q = store_sql(s, SQL_SETTLE);

	if (!q)
		return -EIO;
	sqlite3_bind_int64(q, 1, (int64_t)id);
	sqlite3_bind_int64(q, 2, at_ms);
	return store_run(s, q, "settle the charge");
}

int store_session_settle(struct store *s, uint64_t session_id, int64_t now_ms)
{
	int err = check_session_id(s, session_id);

	return err ? err : session_settle(s, session_id, now_ms);
}

static const char SQL_APPROVE[] =
	"UPDATE sessions SET state = 'active', deadline_at = ?2, byte_cap = ?3,"
	" approved_at = coalesce(approved_at, ?4) WHERE id = ?1 AND state != 'ended'";

static int session_approve(struct store *s, uint64_t id, int64_t deadline_ms, uint64_t byte_cap,
			   int64_t now_ms, const char *detail)
{
	char cur[STORE_STATE_LEN];
	sqlite3_stmt *q;
	int rc;

	if ((rc = session_state(s, id, cur, NULL)))
		return rc;
	q = store_sql(s, SQL_APPROVE);
	if (!q)
		return -EIO;
	sqlite3_bind_int64(q, 1, (int64_t)id);
	store_bind_int(q, 2, deadline_ms);
	store_bind_int(q, 3, (int64_t)byte_cap);
	sqlite3_bind_int64(q, 4, now_ms);
	if ((rc = store_run(s, q, "approve session")) || (rc = session_settle(s, id, now_ms)))
		return rc;
	return add_event(s, id, now_ms, "active", detail);
}

int store_session_approve(struct store *s, uint64_t session_id, int64_t deadline_ms, uint64_t byte_cap,
			  int64_t now_ms, const char *detail)
{
	int nested, err;

	if (deadline_ms < 0 || byte_cap > INT64_MAX)
		return store_fail(s, -EINVAL, "bad deadline %lld or byte cap", (long long)deadline_ms);
	if ((err = check_detail(s, detail)) || (err = check_session_id(s, session_id)) ||
	    (err = store_op_begin(s, &nested)))
		return err;
	return store_op_end(s, nested, session_approve(s, session_id, deadline_ms, byte_cap, now_ms, detail));
}

static const char SQL_SET_TOKEN[] = "UPDATE sessions SET token_hash = ?2 WHERE id = ?1";
static const char SQL_BY_TOKEN[] = "SELECT id FROM sessions WHERE token_hash = ?1";

int store_session_set_token(struct store *s, uint64_t session_id, const uint8_t hash[STORE_TOKEN_HASH_LEN])
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_session_id(s, session_id)))
		return rc;
	q = store_sql(s, SQL_SET_TOKEN);
	if (!q)
		return -EIO;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	sqlite3_bind_blob(q, 2, hash, STORE_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
	if ((rc = store_run(s, q, "set the session's token")))
		return rc;
	return sqlite3_changes(s->db)
		       ? 0
		       : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
}

int store_session_by_token(struct store *s, const uint8_t hash[STORE_TOKEN_HASH_LEN], uint64_t *session_id)
{
	sqlite3_stmt *q = store_sql(s, SQL_BY_TOKEN);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_blob(q, 1, hash, STORE_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
	rc = store_row(s, q, "find the session of a token");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no session has this token");
	*session_id = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

static const char SQL_SET_CLASS[] = "UPDATE sessions SET radius_class = ?2 WHERE id = ?1";

int store_session_set_class(struct store *s, uint64_t session_id, const void *class_, size_t len)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_session_id(s, session_id)))
		return rc;
	if (len > STORE_CLASS_MAX)
		return store_fail(s, -EINVAL, "a RADIUS Class of %zu bytes (at most %d)", len,
				  STORE_CLASS_MAX);
	q = store_sql(s, SQL_SET_CLASS);
	if (!q)
		return -EIO;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	if (len)
		sqlite3_bind_blob(q, 2, class_, (int)len, SQLITE_TRANSIENT);
	return store_run(s, q, "set the session's RADIUS class");
}

static const char SQL_LIMITS[] =
	"UPDATE sessions SET deadline_at = ?2, byte_cap = ?3 WHERE id = ?1 AND state != 'ended'";

int store_session_limits(struct store *s, uint64_t session_id, int64_t deadline_ms, uint64_t byte_cap)
{
	sqlite3_stmt *q;
	int rc;

	if (deadline_ms < 0 || byte_cap > INT64_MAX)
		return store_fail(s, -EINVAL, "bad deadline %lld or byte cap", (long long)deadline_ms);
	if ((rc = check_session_id(s, session_id)))
		return rc;
	q = store_sql(s, SQL_LIMITS);
	if (!q)
		return -EIO;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	store_bind_int(q, 2, deadline_ms);
	store_bind_int(q, 3, (int64_t)byte_cap);
	if ((rc = store_run(s, q, "set session limits")))
		return rc;
	return sqlite3_changes(s->db) ? 0
				      : store_fail(s, -EALREADY, "session %llu has ended or is unknown",
						   (unsigned long long)session_id);
}

static int session_end(struct store *s, uint64_t id, const char *reason, int64_t now_ms)
{
	char cur[STORE_STATE_LEN];
	sqlite3_stmt *q;
	int rc;

	if ((rc = session_state(s, id, cur, NULL)))
		return rc;
	q = st(s, ST_SESSION_END);
	sqlite3_bind_int64(q, 1, (int64_t)id);
	sqlite3_bind_int64(q, 2, now_ms);
	sqlite3_bind_text(q, 3, reason, -1, SQLITE_STATIC);
	if ((rc = store_run(s, q, "end session")) || (rc = session_settle(s, id, now_ms)) ||
	    (rc = add_event(s, id, now_ms, "ended", reason)))
		return rc;
	/* A payment still being asked for a session that ended has nothing left to pay for. */
	q = store_sql(s, SQL_CLOSE_REQUESTS);
	if (!q)
		return -EIO;
	sqlite3_bind_int64(q, 1, (int64_t)id);
	sqlite3_bind_int64(q, 2, now_ms);
	if ((rc = store_run(s, q, "close the session's open requests")))
		return rc;
	/* The network management system hears of the end of what it heard begin, in this transaction. */
	rc = store_outbox_has(s, id, "start");
	if (rc <= 0)
		return rc;
	rc = store_outbox_add(s, id, "stop", now_ms, NULL);
	return rc == -EALREADY ? 0 : rc;
}

int store_sessions_active_count(struct store *s, unsigned int *n)
{
	static const char sql[] = "SELECT count(*) FROM sessions WHERE state != 'ended'";
	sqlite3_stmt *q = store_sql(s, sql);
	int rc;

	if (!q)
		return -EIO;
	rc = store_row(s, q, "count active sessions");
	if (rc < 0)
		return rc;
	*n = rc ? (unsigned int)sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return 0;
}

static int held_for(const struct store *s, uint64_t session_id)
{
	for (size_t i = 0; i < s->carry.held.n; i++)
		if (s->carry.held.v[i].session_id == session_id)
			return 1;
	return 0;
}

int store_session_end(struct store *s, uint64_t session_id, const char *reason, int64_t now_ms)
{
	struct store_delta before, wrote, none = { .session_id = session_id };
	int nested, err;

	if ((err = check_reason(s, reason)) || (err = check_session_id(s, session_id)) ||
	    (err = store_op_begin(s, &nested)))
		return err;
	/*
	 * Counters held for the session go in with its end, so that its
	 * charge and its Stop have them. What this op writes is told apart
	 * from what the batch around it wrote before.
	 */
	store_deltas_take(&s->carry.pending, session_id, &before);
	err = held_for(s, session_id) ? write_counters(s, &none) : 0;
	if (!err)
		err = session_end(s, session_id, reason, now_ms);
	err = store_op_end(s, nested, err);
	if (store_deltas_take(&s->carry.pending, session_id, &wrote)) {
		if (err)
			hold_counters(s, &wrote); /* rolled back to the op's savepoint */
		else
			store_deltas_add(&s->carry.pending, &wrote);
	}
	if (before.up_bytes || before.down_bytes || before.up_packets || before.down_packets)
		store_deltas_add(&s->carry.pending, &before);
	if (!err)
		count_session(s, nested, reason);
	return err;
}

/* Fill a session from SESSION_COLUMNS at the start of a row. */
static void read_session(sqlite3_stmt *q, struct store_session *out)
{
	int n;

	memset(out, 0, sizeof(*out));
	out->id = (uint64_t)sqlite3_column_int64(q, 0);
	out->client_id = sqlite3_column_int64(q, 1);
	store_text(out->state, sizeof(out->state), q, 2);
	out->started_at = sqlite3_column_int64(q, 3);
	out->deadline_at = sqlite3_column_int64(q, 4);
	out->byte_cap = (uint64_t)sqlite3_column_int64(q, 5);
	out->ended_at = sqlite3_column_int64(q, 6);
	store_text(out->end_reason, sizeof(out->end_reason), q, 7);
	out->up_bytes = (uint64_t)sqlite3_column_int64(q, 8);
	out->down_bytes = (uint64_t)sqlite3_column_int64(q, 9);
	out->up_packets = (uint64_t)sqlite3_column_int64(q, 10);
	out->down_packets = (uint64_t)sqlite3_column_int64(q, 11);
	n = sqlite3_column_bytes(q, 12);
	if (n > 0 && n <= STORE_KEY_MAX) {
		memcpy(out->keepalive_key, sqlite3_column_blob(q, 12), (size_t)n);
		out->keepalive_keylen = (size_t)n;
	}
	out->keepalive_counter = (uint64_t)sqlite3_column_int64(q, 13);
	out->keepalive_at = sqlite3_column_int64(q, 14);
	out->keepalive_s = sqlite3_column_int64(q, 15);
}

int store_session_get(struct store *s, uint64_t session_id, struct store_session *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_session_id(s, session_id)))
		return rc;
	q = st(s, ST_SESSION_GET);
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	rc = store_row(s, q, "get session");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
	read_session(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_sessions_active(struct store *s, int (*cb)(const struct store_active *a, void *arg), void *arg)
{
	sqlite3_stmt *q = st(s, ST_SESSIONS_ACTIVE);
	struct store_active *a = calloc(1, sizeof(*a));
	uint64_t id;
	int rc, have = 0;

	if (!a)
		return store_fail(s, -ENOMEM, "out of memory");
	while ((rc = store_row(s, q, "list active sessions")) == 1) {
		id = (uint64_t)sqlite3_column_int64(q, 0);
		if (have && id != a->session.id) {
			rc = cb(a, arg);
			have = 0;
			if (rc) {
				sqlite3_reset(q);
				break;
			}
		}
		if (!have) {
			memset(a, 0, sizeof(*a));
			read_session(q, &a->session);
			store_text(a->port, sizeof(a->port), q, SESSION_NCOLUMNS);
			store_text(a->mac, sizeof(a->mac), q, SESSION_NCOLUMNS + 1);
			have = 1;
		}
		if (sqlite3_column_type(q, SESSION_NCOLUMNS + 2) != SQLITE_NULL &&
		    a->naddrs < WICKET_MAX_ADDRS)
			store_text(a->addrs[a->naddrs++], STORE_ADDR_LEN, q, SESSION_NCOLUMNS + 2);
	}
	if (rc == 0 && have)
		rc = cb(a, arg);
	free(a);
	return rc;
}

/* Rows of (id, session_id, at, event, detail) to cb, which stops them by returning non-zero. */
static int list_events(struct store *s, sqlite3_stmt *q, const char *what,
		       int (*cb)(const struct store_event *ev, void *arg), void *arg)
{
	struct store_event ev;
	int rc;

	while ((rc = store_row(s, q, what)) == 1) {
		memset(&ev, 0, sizeof(ev));
		ev.id = sqlite3_column_int64(q, 0);
		ev.session_id = (uint64_t)sqlite3_column_int64(q, 1);
		ev.at = sqlite3_column_int64(q, 2);
		store_text(ev.event, sizeof(ev.event), q, 3);
		store_text(ev.detail, sizeof(ev.detail), q, 4);
		rc = cb(&ev, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

int store_session_events(struct store *s, uint64_t session_id,
			 int (*cb)(const struct store_event *ev, void *arg), void *arg)
{
	struct store_session sess;
	sqlite3_stmt *q;
	int rc;

	if ((rc = store_session_get(s, session_id, &sess)))
		return rc;
	q = st(s, ST_SESSION_EVENTS);
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	return list_events(s, q, "list session events", cb, arg);
}

/* A row of SESSION_COLUMNS, port, mac. */
static void read_session_row(sqlite3_stmt *q, struct store_session_row *r)
{
	memset(r, 0, sizeof(*r));
	read_session(q, &r->session);
	store_text(r->port, sizeof(r->port), q, SESSION_NCOLUMNS);
	store_text(r->mac, sizeof(r->mac), q, SESSION_NCOLUMNS + 1);
}

int store_session_row_get(struct store *s, uint64_t session_id, struct store_session_row *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_session_id(s, session_id)))
		return rc;
	q = st(s, ST_SESSION_ROW);
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	rc = store_row(s, q, "get session");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
	read_session_row(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_sessions_list(struct store *s, int active_only, int64_t since_ms,
			int (*cb)(const struct store_session_row *r, void *arg), void *arg)
{
	struct store_session_row r;
	sqlite3_stmt *q = st(s, ST_SESSIONS_LIST);
	int rc;

	sqlite3_bind_int(q, 1, active_only != 0);
	sqlite3_bind_int64(q, 2, since_ms);
	while ((rc = store_row(s, q, "list sessions")) == 1) {
		read_session_row(q, &r);
		rc = cb(&r, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

int store_events_recent(struct store *s, unsigned int limit,
			int (*cb)(const struct store_event *ev, void *arg), void *arg)
{
	sqlite3_stmt *q = st(s, ST_EVENTS_RECENT);

	sqlite3_bind_int64(q, 1, limit);
	return list_events(s, q, "list events", cb, arg);
}
