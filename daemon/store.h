/*
 * wicketd's store: one SQLite database (WAL, synchronous=FULL, foreign
 * keys on) holding the access ports, the clients with their addresses, the
 * sessions with their counters and keepalive keys, and every session's
 * history. The schema, with a comment on each table and column, is in
 * store.c (and, because SQLite keeps the comments, in `.schema` of the
 * database itself); it is versioned with PRAGMA user_version and migrated
 * forward on open.
 *
 * Conventions:
 * - Every function returns 0 or a negative errno; store_error() then
 *   says what went wrong, in words.
 * - Bad input changes nothing: every write is one transaction (or one
 *   savepoint inside a batch), so a refused call leaves no partial rows.
 * - Times are unix milliseconds, given by the caller (now_ms). A deadline
 *   or byte cap of 0 means none.
 * - A client is its MAC on its access port; its id is its identifier.
 *   MACs are text "aa:bb:cc:dd:ee:ff" (any case on input, lower case
 *   stored); addresses are IPv4 or IPv6 text, stored in inet_ntop's
 *   canonical form.
 * - Session states, as text: "new", "pending", "provisional", "active",
 *   "ended", "rejected". "ended" is final and is only reached through
 *   store_session_end(), which records why. A client has at most one
 *   session that has not ended. Session ids are never reused.
 * - Listing functions call cb once per row, in a stable order; a non-zero
 *   return from cb stops the listing and is returned. A callback may call
 *   other store functions, but not the listing it is called from.
 * - A store is used from one thread at a time.
 */
#ifndef WICKET_STORE_H
#define WICKET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/wicket.h"

struct store;

/* The schema version this code creates and understands. */
#define STORE_SCHEMA_VERSION 3

#define STORE_IFNAME_LEN 16 /* IFNAMSIZ */
#define STORE_MAC_LEN 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define STORE_ADDR_LEN 46 /* INET6_ADDRSTRLEN */
#define STORE_ROOM_LEN 64
#define STORE_STATE_LEN 12
#define STORE_REASON_LEN 32 /* end reasons: [a-z0-9-], 1 to 31 bytes */
#define STORE_EVENT_LEN 16
#define STORE_DETAIL_LEN 256 /* event details: at most 255 bytes */
#define STORE_KEY_MAX 64 /* bytes of a session's keepalive key */

struct store_port {
	char ifname[STORE_IFNAME_LEN];
	char room[STORE_ROOM_LEN]; /* "" when none */
	int mode; /* enum wicket_port_mode */
	int64_t updated_at;
	int set_by_staff; /* 1: `wicketctl port set` owns room and mode; 0: the config file does */
};

struct store_client {
	int64_t id;
	char port[STORE_IFNAME_LEN];
	char mac[STORE_MAC_LEN];
	int64_t first_seen;
	int64_t last_seen;
	int64_t blocked_at; /* 0: not blocked */
};

struct store_addr {
	char addr[STORE_ADDR_LEN];
	int64_t first_seen;
	int64_t last_seen;
};

struct store_session {
	uint64_t id; /* the session id given to the kernel; never 0 */
	int64_t client_id;
	char state[STORE_STATE_LEN];
	int64_t started_at;
	int64_t deadline_at; /* 0: none */
	uint64_t byte_cap; /* 0: none */
	int64_t ended_at; /* 0: not ended */
	char end_reason[STORE_REASON_LEN];
	uint64_t up_bytes, down_bytes, up_packets, down_packets;
	uint8_t keepalive_key[STORE_KEY_MAX];
	size_t keepalive_keylen;
	uint64_t keepalive_counter; /* the last accepted; 0: none yet */
	int64_t keepalive_at; /* when it was accepted; 0: none yet (not held to keepalives) */
	int64_t keepalive_s; /* its plan's keepalive interval; 0: the config's */
};

/* A session that has not ended, with what the kernel needs of its client. */
struct store_active {
	struct store_session session;
	char port[STORE_IFNAME_LEN];
	char mac[STORE_MAC_LEN];
	unsigned int naddrs;
	char addrs[WICKET_MAX_ADDRS][STORE_ADDR_LEN]; /* bound addresses, sorted */
};

struct store_event {
	int64_t id; /* increasing: the events' order */
	uint64_t session_id;
	int64_t at;
	char event[STORE_EVENT_LEN]; /* the state entered, or "extend" */
	char detail[STORE_DETAIL_LEN];
};

/*
 * Open (creating if needed, mode 0600) the database at path, set its
 * pragmas, migrate its schema up to STORE_SCHEMA_VERSION and prepare every
 * statement. A database of a newer schema is refused (-EPROTONOSUPPORT).
 * On failure *out is NULL and store_error(NULL) says why.
 */
int store_open(const char *path, struct store **out);
/* Close; an open batch is rolled back. NULL is fine. */
void store_close(struct store *s);
/* The last error's message; with s NULL, the last failed store_open()'s (per thread). */
const char *store_error(const struct store *s);

/*
 * Batches: many calls in one transaction (one fsync). Inside a batch a
 * refused call still changes nothing and the batch goes on. store_begin
 * in a batch is -EALREADY; store_commit/store_rollback outside one is
 * -EINVAL. A failed commit leaves the batch open: retry or roll back;
 * on some errors (a full disk) SQLite has rolled it back already, and
 * store_rollback is then 0. A rollback keeps the store's error as it was
 * (the error the caller rolls back for).
 */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* What the connection really runs with, read back from SQLite (for tests and wicketctl status). */
struct store_settings {
	char journal_mode[16]; /* "wal" */
	int64_t synchronous; /* 2: FULL */
	int64_t foreign_keys; /* 1: on */
	int64_t busy_timeout_ms;
	int64_t user_version; /* the schema version */
};
int store_settings(struct store *s, struct store_settings *out);

/* PRAGMA integrity_check: 0 when "ok", -EIO with its first finding otherwise. */
int store_integrity_check(struct store *s);

/*
 * Ports. The config file names the access ports and gives each a room and
 * mode; staff may change those with `wicketctl port set`, and their
 * setting stays until store_port_reset() hands the port back to the config.
 * mode: enum wicket_port_mode; room may be NULL or "" for none.
 */
/* Staff's setting: add or change the port; it is staff's from now on. */
int store_port_set(struct store *s, const char *ifname, const char *room, int mode, int64_t now_ms);
/* The config's setting: add the port, or change it unless staff own it. */
int store_port_configure(struct store *s, const char *ifname, const char *room, int mode, int64_t now_ms);
/* Give the port back to the config (which the caller then applies); -ENOENT if unknown. */
int store_port_reset(struct store *s, const char *ifname, int64_t now_ms);
/* One port; -ENOENT if unknown. */
int store_port_get(struct store *s, const char *ifname, struct store_port *out);
/* Every port, by name. */
int store_port_list(struct store *s, int (*cb)(const struct store_port *port, void *arg), void *arg);

/*
 * The client id of (port, mac), adding the client if it is new; last_seen
 * becomes now_ms. The port must be known (-ENOENT otherwise).
 */
int store_client_get_or_add(struct store *s, const char *port, const char *mac, int64_t now_ms,
			    int64_t *client_id);
/*
 * Bind addr to the client (or refresh its last_seen). An address bound to
 * another client is refused with -EADDRINUSE and stays where it is; a
 * client holds at most WICKET_MAX_ADDRS addresses (-ENOSPC).
 */
int store_client_bind_addr(struct store *s, int64_t client_id, const char *addr, int64_t now_ms);
/* One client by id; -ENOENT if unknown. */
int store_client_get(struct store *s, int64_t client_id, struct store_client *out);
/* Block the client (blocked_at_ms > 0) or lift its block (0); -ENOENT if unknown. */
int store_client_block(struct store *s, int64_t client_id, int64_t blocked_at_ms);
/* Every blocked client, by id. */
int store_clients_blocked(struct store *s, int (*cb)(const struct store_client *c, void *arg), void *arg);
/* The id of the client's session that has not ended; -ENOENT when it has none. */
int store_client_session(struct store *s, int64_t client_id, uint64_t *session_id);
/* Release a bound address (history stays); -ENOENT when it is not bound to the client. */
int store_client_unbind_addr(struct store *s, int64_t client_id, const char *addr, int64_t now_ms);
/*
 * A departed client (port, MAC) lets go of every address it holds, for
 * the next device the DHCP server gives them to (history stays); released
 * says how many (0 for an unknown one). A blocked client and one with a
 * session that has not ended (a payment pending) have not departed: they
 * keep theirs, and the answer is -EBUSY.
 */
int store_client_release(struct store *s, const char *port, const char *mac, int64_t now_ms,
			 unsigned int *released);
/* The client's bound addresses, sorted. */
int store_client_addrs(struct store *s, int64_t client_id,
		       int (*cb)(const struct store_addr *addr, void *arg), void *arg);

/*
 * Start a session for a client in state (any but "ended"), with its
 * deadline and byte cap (0: none) and keepalive key (keylen up to
 * STORE_KEY_MAX, 0 for none); writes its first event. -EBUSY when the
 * client already has a session that has not ended.
 */
int store_session_start(struct store *s, int64_t client_id, const char *state, int64_t deadline_ms,
			uint64_t byte_cap, const void *key, size_t keylen, int64_t now_ms,
			uint64_t *session_id);
/*
 * Move a session to state (not "ended": see store_session_end) and record
 * the event with detail (may be NULL) in the same transaction. A session
 * that has ended is -EALREADY.
 */
int store_session_set_state(struct store *s, uint64_t session_id, const char *state, const char *detail,
			    int64_t now_ms);
/* New deadline (0: none) of a session that has not ended; recorded as an "extend" event. */
int store_session_extend(struct store *s, uint64_t session_id, int64_t deadline_ms, int64_t now_ms);
/*
 * Accept keepalive counter (must exceed the last accepted one: -ESTALE
 * otherwise) received at now_ms, in one statement. -EALREADY for a
 * session that has ended.
 */
int store_session_keepalive(struct store *s, uint64_t session_id, uint64_t counter, int64_t now_ms);
/*
 * Approved: the session becomes "active" with its deadline and byte cap
 * (0: none), metered time counts from now (the first approval), the
 * charge is settled, and the event records detail (may be NULL).
 */
int store_session_approve(struct store *s, uint64_t session_id, int64_t deadline_ms, uint64_t byte_cap,
			  int64_t now_ms, const char *detail);
/*
 * The charge of a session on a plan as of now_ms: price + per started
 * minute since approval + per started MB. Never lowered. A session without
 * a plan or approval is left alone. store_session_end settles too.
 */
int store_session_settle(struct store *s, uint64_t session_id, int64_t now_ms);
/*
 * The portal's token of a session, kept as its SHA-256 only: set it (a new
 * one replaces the old), and find the session of one. -ENOENT if none.
 */
#define STORE_TOKEN_HASH_LEN 32
int store_session_set_token(struct store *s, uint64_t session_id, const uint8_t hash[STORE_TOKEN_HASH_LEN]);
int store_session_by_token(struct store *s, const uint8_t hash[STORE_TOKEN_HASH_LEN], uint64_t *session_id);
/* The RADIUS Class (up to STORE_CLASS_MAX bytes; 0: none) to send back in the session's accounting. */
#define STORE_CLASS_MAX 253
int store_session_set_class(struct store *s, uint64_t session_id, const void *class_, size_t len);
/* Set the deadline and byte cap (0: none) of a session that has not ended (-EALREADY otherwise). */
int store_session_limits(struct store *s, uint64_t session_id, int64_t deadline_ms, uint64_t byte_cap);
/*
 * Add the kernel's deltas to the session's counters (also after it ended).
 * The kernel reset them as it gave them, so none is ever lost: deltas the
 * store cannot write (a full or read-only disk), or that a rolled-back
 * transaction wrote, are held in memory and go in with the session's next
 * write of counters or its end, or with store_counters_flush. A session
 * that is unknown is -ENOENT, and nothing is held for it.
 */
int store_session_add_counters(struct store *s, uint64_t session_id, uint64_t up_bytes, uint64_t down_bytes,
			       uint64_t up_packets, uint64_t down_packets);
/* Write every held delta (and settle its session's charge at now_ms); stops at the first error. */
int store_counters_flush(struct store *s, int64_t now_ms);
/* The bytes (both ways) held, and how many sessions they are of (sessions may be NULL). */
uint64_t store_counters_held(const struct store *s, size_t *sessions);
/*
 * End a session: state "ended", ended_at, end_reason and an event, its
 * charge settled, and (when its accounting Start was queued) its Stop
 * queued in the outbox, all in one transaction. Ending an ended session
 * is -EALREADY and changes nothing.
 */
int store_session_end(struct store *s, uint64_t session_id, const char *reason, int64_t now_ms);
/* One session; -ENOENT if unknown. */
int store_session_get(struct store *s, uint64_t session_id, struct store_session *out);
/* Every session that has not ended, by id, with its client's port, MAC and addresses. */
int store_sessions_active(struct store *s, int (*cb)(const struct store_active *a, void *arg), void *arg);
/* How many sessions have not ended (one count, for status and metrics). */
int store_sessions_active_count(struct store *s, unsigned int *n);
/* A session's events, oldest first; -ENOENT if the session is unknown. */
int store_session_events(struct store *s, uint64_t session_id,
			 int (*cb)(const struct store_event *ev, void *arg), void *arg);

/* Whether name is one of the session states above. */
int store_state_valid(const char *state);

/* A session with its client's port and MAC, for listings. */
struct store_session_row {
	struct store_session session;
	char port[STORE_IFNAME_LEN];
	char mac[STORE_MAC_LEN];
};
/* One session with its client's port and MAC; -ENOENT if unknown. */
int store_session_row_get(struct store *s, uint64_t session_id, struct store_session_row *out);
/* Sessions started at or after since_ms (0: all), oldest first; only those
 * that have not ended when active_only. cb returns non-zero to stop. */
int store_sessions_list(struct store *s, int active_only, int64_t since_ms,
			int (*cb)(const struct store_session_row *r, void *arg), void *arg);
/* The newest events of all sessions, newest first, at most limit. */
int store_events_recent(struct store *s, unsigned int limit,
			int (*cb)(const struct store_event *ev, void *arg), void *arg);

#endif
