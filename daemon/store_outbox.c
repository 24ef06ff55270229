/*
 * The accounting outbox: records for the network management system,
 * kept until acknowledged. See store_outbox.h for the API and store.c
 * (migration 3) for the table.
 */
#include "store_outbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

static const char SQL_SESSION_SNAPSHOT[] =
	"SELECT started_at, ifnull(ended_at, 0), end_reason, up_bytes, down_bytes, up_packets, down_packets, "
	"charge, currency FROM sessions WHERE id = ?1";
/*
 * The last term is the partial index outbox_once's own: SQLite uses that
 * index only when the query says it word for word. Without it every Start
 * and Stop read the whole outbox, which keeps every record ever sent.
 */
static const char SQL_OUTBOX_ONCE[] =
	"SELECT id FROM outbox WHERE session_id = ?1 AND kind = ?2 AND kind != 'interim'";
static const char SQL_OUTBOX_INSERT[] =
	"INSERT INTO outbox (session_id, kind, event_at, session_time_s, up_bytes, down_bytes, up_packets, "
	"down_packets, charge, currency, terminate_cause, next_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/* A record with what the sender needs of its session (the port's room when none was charged). */
#define ACCT_SELECT                                                                                          \
	"SELECT o.id, o.session_id, o.kind, o.event_at, o.session_time_s, o.up_bytes, o.down_bytes, "        \
	"o.up_packets, o.down_packets, o.charge, o.currency, o.terminate_cause, o.attempts, o.next_at, "     \
	"o.last_error, o.acked_at, c.port, c.mac, coalesce(s.room, pt.room, ''), ifnull(p.name, ''), "       \
	"ifnull(s.method, ''), s.radius_class "
#define ACCT_JOINS                                                                                           \
	"JOIN sessions s ON s.id = o.session_id JOIN clients c ON c.id = s.client_id "                       \
	"LEFT JOIN ports pt ON pt.ifname = c.port LEFT JOIN plans p ON p.id = s.plan_id "

static const char SQL_OUTBOX_GET[] = ACCT_SELECT "FROM outbox o " ACCT_JOINS "WHERE o.id = ?1";
/*
 * Each session's oldest unacknowledged record, read from the unacknowledged
 * ones only (the partial index outbox_unacked), then those that are due.
 */
static const char SQL_OUTBOX_DUE[] =
	"WITH firsts AS (SELECT min(id) AS id FROM outbox WHERE acked_at IS NULL GROUP BY "
	"session_id) " ACCT_SELECT "FROM firsts f JOIN outbox o ON o.id = f.id " ACCT_JOINS
	"WHERE o.next_at <= ?1 ORDER BY o.id LIMIT ?2";
static const char SQL_OUTBOX_ACK[] = "UPDATE outbox SET acked_at = ?2 WHERE id = ?1 AND acked_at IS NULL";
static const char SQL_OUTBOX_FAILED[] = "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, "
					"next_at = ?3 WHERE id = ?1 AND acked_at IS NULL";
static const char SQL_OUTBOX_EXISTS[] = "SELECT acked_at FROM outbox WHERE id = ?1";
static const char SQL_OUTBOX_DEPTH[] =
	"SELECT count(*), ifnull(min(event_at), 0) FROM outbox WHERE acked_at IS NULL";

static int prep(struct store *s, const char *sql, sqlite3_stmt **q)
{
	*q = store_sql(s, sql);
	return *q ? 0 : -EIO;
}

int store_outbox_has(struct store *s, uint64_t session_id, const char *kind)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_OUTBOX_ONCE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_TRANSIENT);
	rc = store_row(s, q, "find accounting record");
	sqlite3_reset(q);
	return rc;
}

static int outbox_add(struct store *s, uint64_t session_id, const char *kind, int64_t now_ms, int64_t *id)
{
	int64_t started, ended, event_at;
	int stop = !strcmp(kind, "stop");
	sqlite3_stmt *q, *ins;
	int rc;

	if (strcmp(kind, "interim")) {
		rc = store_outbox_has(s, session_id, kind);
		if (rc)
			return rc < 0 ? rc
				      : store_fail(s, -EALREADY, "session %llu has its %s record already",
						   (unsigned long long)session_id, kind);
	}
	if ((rc = prep(s, SQL_SESSION_SNAPSHOT, &q)) || (rc = prep(s, SQL_OUTBOX_INSERT, &ins)))
		return rc;
	sqlite3_bind_int64(q, 1, (int64_t)session_id);
	rc = store_row(s, q, "read session");
	if (rc <= 0)
		return rc < 0 ? rc
			      : store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
	started = sqlite3_column_int64(q, 0);
	ended = sqlite3_column_int64(q, 1);
	if (stop != (ended != 0)) {
		sqlite3_reset(q);
		return store_fail(s, -EINVAL,
				  stop ? "session %llu has not ended: no stop record yet"
				       : "session %llu has ended: only its stop record is left",
				  (unsigned long long)session_id);
	}
	event_at = stop ? ended : now_ms;
	sqlite3_bind_int64(ins, 1, (int64_t)session_id);
	sqlite3_bind_text(ins, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 3, event_at);
	sqlite3_bind_int64(ins, 4, event_at > started ? (event_at - started) / 1000 : 0);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(ins, 5 + i, sqlite3_column_int64(q, 3 + i));
	sqlite3_bind_int64(ins, 9, sqlite3_column_int64(q, 7));
	sqlite3_bind_value(ins, 10, sqlite3_column_value(q, 8));
	if (stop)
		sqlite3_bind_value(ins, 11, sqlite3_column_value(q, 2));
	sqlite3_bind_int64(ins, 12, now_ms);
	sqlite3_reset(q);
	if ((rc = store_run(s, ins, "add accounting record")))
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return 0;
}

int store_outbox_add(struct store *s, uint64_t session_id, const char *kind, int64_t now_ms, int64_t *id)
{
	int nested, rc;

	if (!kind || (strcmp(kind, "start") && strcmp(kind, "interim") && strcmp(kind, "stop")))
		return store_fail(s, -EINVAL, "an accounting record is start, interim or stop, not \"%.16s\"",
				  kind ? kind : "");
	if (session_id == 0 || session_id > INT64_MAX)
		return store_fail(s, -ENOENT, "no session %llu", (unsigned long long)session_id);
	if (now_ms <= 0)
		return store_fail(s, -EINVAL, "bad time %lld", (long long)now_ms);
	if ((rc = store_op_begin(s, &nested)))
		return rc;
	return store_op_end(s, nested, outbox_add(s, session_id, kind, now_ms, id));
}

static void read_acct(sqlite3_stmt *q, struct store_acct *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(q, 0);
	a->session_id = (uint64_t)sqlite3_column_int64(q, 1);
	store_text(a->kind, sizeof(a->kind), q, 2);
	a->event_at = sqlite3_column_int64(q, 3);
	a->session_time_s = sqlite3_column_int64(q, 4);
	a->up_bytes = (uint64_t)sqlite3_column_int64(q, 5);
	a->down_bytes = (uint64_t)sqlite3_column_int64(q, 6);
	a->up_packets = (uint64_t)sqlite3_column_int64(q, 7);
	a->down_packets = (uint64_t)sqlite3_column_int64(q, 8);
	a->charge = sqlite3_column_int64(q, 9);
	store_text(a->currency, sizeof(a->currency), q, 10);
	store_text(a->terminate_cause, sizeof(a->terminate_cause), q, 11);
	a->attempts = sqlite3_column_int64(q, 12);
	a->next_at = sqlite3_column_int64(q, 13);
	store_text(a->last_error, sizeof(a->last_error), q, 14);
	a->acked_at = sqlite3_column_int64(q, 15);
	store_text(a->port, sizeof(a->port), q, 16);
	store_text(a->mac, sizeof(a->mac), q, 17);
	store_text(a->room, sizeof(a->room), q, 18);
	store_text(a->plan, sizeof(a->plan), q, 19);
	store_text(a->method, sizeof(a->method), q, 20);
	if (sqlite3_column_bytes(q, 21) > 0 && sqlite3_column_bytes(q, 21) <= STORE_CLASS_MAX) {
		a->class_len = (size_t)sqlite3_column_bytes(q, 21);
		memcpy(a->class_, sqlite3_column_blob(q, 21), a->class_len);
	}
}

int store_outbox_due(struct store *s, int64_t now_ms, unsigned int limit,
		     int (*cb)(const struct store_acct *a, void *arg), void *arg)
{
	struct store_acct a;
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_OUTBOX_DUE, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, now_ms);
	sqlite3_bind_int64(q, 2, limit);
	while ((rc = store_row(s, q, "list due accounting records")) == 1) {
		read_acct(q, &a);
		rc = cb(&a, arg);
		if (rc) {
			sqlite3_reset(q);
			return rc;
		}
	}
	return rc;
}

/* After an update that changed nothing: -ENOENT for an unknown record, else 1 when acknowledged. */
static int outbox_acked_at(struct store *s, int64_t id)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_OUTBOX_EXISTS, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	rc = store_row(s, q, "find accounting record");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no accounting record %lld", (long long)id);
	rc = sqlite3_column_type(q, 0) != SQLITE_NULL;
	sqlite3_reset(q);
	return rc;
}

int store_outbox_acked(struct store *s, int64_t id, int64_t now_ms)
{
	sqlite3_stmt *q;
	int rc;

	if (now_ms <= 0)
		return store_fail(s, -EINVAL, "bad time %lld", (long long)now_ms);
	if ((rc = prep(s, SQL_OUTBOX_ACK, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now_ms);
	if ((rc = store_run(s, q, "acknowledge accounting record")))
		return rc;
	if (sqlite3_changes(store_db(s)))
		return 0;
	rc = outbox_acked_at(s, id);
	return rc < 0 ? rc : 0;
}

int store_outbox_failed(struct store *s, int64_t id, const char *error, int64_t next_at)
{
	char msg[STORE_ACCT_ERROR_LEN];
	sqlite3_stmt *q;
	size_t n = 0;
	int rc;

	if (next_at < 0)
		return store_fail(s, -EINVAL, "bad retry time %lld", (long long)next_at);
	/* A diagnostic, kept short: control characters become spaces, cut at a character's start. */
	for (const unsigned char *c = (const unsigned char *)(error ? error : ""); *c && n + 1 < sizeof(msg);
	     c++)
		msg[n++] = *c < 0x20 || *c == 0x7f ? ' ' : (char)*c;
	while (n > 0 && error[n] && ((unsigned char)error[n] & 0xc0) == 0x80)
		n--;
	msg[n] = '\0';
	if ((rc = prep(s, SQL_OUTBOX_FAILED, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	store_bind_text(q, 2, msg);
	sqlite3_bind_int64(q, 3, next_at);
	if ((rc = store_run(s, q, "count failed attempt")))
		return rc;
	if (sqlite3_changes(store_db(s)))
		return 0;
	rc = outbox_acked_at(s, id);
	return rc < 0 ? rc
		      : store_fail(s, -EALREADY, "accounting record %lld was acknowledged already",
				   (long long)id);
}

int store_outbox_get(struct store *s, int64_t id, struct store_acct *out)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_OUTBOX_GET, &q)))
		return rc;
	sqlite3_bind_int64(q, 1, id);
	rc = store_row(s, q, "get accounting record");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -ENOENT, "no accounting record %lld", (long long)id);
	read_acct(q, out);
	sqlite3_reset(q);
	return 0;
}

int store_outbox_depth(struct store *s, int64_t *unacked, int64_t *oldest_event_at)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = prep(s, SQL_OUTBOX_DEPTH, &q)))
		return rc;
	rc = store_row(s, q, "count accounting records");
	if (rc <= 0)
		return rc < 0 ? rc : store_fail(s, -EIO, "count accounting records: no answer");
	if (unacked)
		*unacked = sqlite3_column_int64(q, 0);
	if (oldest_event_at)
		*oldest_event_at = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	return 0;
}
