/*
 * Unit tests of a store whose disk fills up (issue 9): every write of
 * SQLite fails as on a full disk (SQLITE_FULL, what its unix VFS gives
 * for ENOSPC), through a VFS put in front of the real one; reads go on.
 * - A known client is still found (its last_seen is only a hint), so its
 *   status and logout answer; a new one is refused, saying why.
 * - A failed commit's error survives the rollback: a login whose commit
 *   fails is refused with that error (not an empty one), and a clerk's
 *   approval too (not "no batch is open").
 * - Counters the kernel gave (and reset) that cannot be written are held
 *   and written with the next write: in a batch, a session's end (and its
 *   Stop), or a flush. Not a byte is lost or counted twice.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "billing.h"
#include "config.h"
#include "gateway.h"
#include "session.h"
#include "store.h"
#include "store_billing.h"
#include "store_fixture.h"
#include "store_outbox.h"

/* --- a disk that can be made full: every write fails with SQLITE_FULL while disk_full is set */

static int disk_full;
static sqlite3_vfs *real_vfs;
static sqlite3_vfs full_vfs;

struct full_file {
	sqlite3_file base;
	sqlite3_file *real; /* the real VFS's file, right after this one */
};

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct full_file *)f)->real;
}

static int f_close(sqlite3_file *f)
{
	return real_of(f)->pMethods->xClose(real_of(f));
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (disk_full)
		return SQLITE_FULL;
	return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int f_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int f_chars(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int f_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
	return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static const sqlite3_io_methods full_methods = {
	.iVersion = 2,
	.xClose = f_close,
	.xRead = f_read,
	.xWrite = f_write,
	.xTruncate = f_truncate,
	.xSync = f_sync,
	.xFileSize = f_size,
	.xLock = f_lock,
	.xUnlock = f_unlock,
	.xCheckReservedLock = f_reserved,
	.xFileControl = f_control,
	.xSectorSize = f_sector,
	.xDeviceCharacteristics = f_chars,
	.xShmMap = f_shm_map,
	.xShmLock = f_shm_lock,
	.xShmBarrier = f_shm_barrier,
	.xShmUnmap = f_shm_unmap,
};

static int full_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct full_file *p = (struct full_file *)f;
	int rc;

	(void)vfs;
	p->real = (sqlite3_file *)(p + 1);
	rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out);
	/* SQLite closes a file whose methods are set, even after a failed open. */
	f->pMethods = p->real->pMethods ? &full_methods : NULL;
	return rc;
}

static int install_full_vfs(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs)
		return -1;
	full_vfs = *real_vfs;
	full_vfs.zName = "wicket-test-full";
	full_vfs.szOsFile = (int)sizeof(struct full_file) + real_vfs->szOsFile;
	full_vfs.xOpen = full_open;
	return sqlite3_vfs_register(&full_vfs, 1) == SQLITE_OK ? 0 : -1;
}

static int setup(void **state)
{
	disk_full = 0;
	return store_fixture_setup(state);
}

static int teardown(void **state)
{
	disk_full = 0;
	return store_fixture_teardown(state);
}

static void assert_cannot_be_written(struct store *s)
{
	const char *err = store_error(s);

	if (!strstr(err, "the store cannot be written (its disk is full)"))
		fail_msg("the store's error does not say the store cannot be written: \"%s\"", err);
}

static int64_t client_on(struct store *s, const char *mac)
{
	int64_t id = 0;

	assert_int_equal(store_port_configure(s, "r1", NULL, WICKET_PORT_CHARGE, 1000), 0);
	assert_int_equal(store_client_get_or_add(s, "r1", mac, 1000, &id), 0);
	return id;
}

static uint64_t active_session(struct store *s, const char *mac)
{
	uint64_t id = 0;

	assert_int_equal(store_session_start(s, client_on(s, mac), "active", 0, 0, NULL, 0, 1000, &id), 0);
	return id;
}

static void assert_counters(struct store *s, uint64_t id, uint64_t up, uint64_t down, uint64_t upp,
			    uint64_t downp)
{
	struct store_session ss;

	assert_int_equal(store_session_get(s, id, &ss), 0);
	assert_int_equal(ss.up_bytes, up);
	assert_int_equal(ss.down_bytes, down);
	assert_int_equal(ss.up_packets, upp);
	assert_int_equal(ss.down_packets, downp);
}

/* --- the client lookup and the errors */

static void known_client_is_found_on_a_full_disk(void **state)
{
	struct fixture *f = *state;
	int64_t known = client_on(f->s, "02:00:00:00:00:01"), again = 0, other = 0;
	struct store_client c;

	disk_full = 1;
	/* Its last_seen cannot be written: found all the same (status and logout go on). */
	assert_int_equal(store_client_get_or_add(f->s, "r1", "02:00:00:00:00:01", 5000, &again), 0);
	assert_int_equal(again, known);
	assert_int_equal(store_client_get(f->s, known, &c), 0);
	assert_int_equal(c.last_seen, 1000);
	/* A new one cannot be added: refused, saying why. */
	assert_int_equal(store_client_get_or_add(f->s, "r1", "02:00:00:00:00:02", 5000, &other), -ENOSPC);
	assert_cannot_be_written(f->s);
	disk_full = 0;
	assert_int_equal(store_client_get_or_add(f->s, "r1", "02:00:00:00:00:01", 6000, &again), 0);
	assert_int_equal(store_client_get(f->s, known, &c), 0);
	assert_int_equal(c.last_seen, 6000);
}

static void failed_commit_keeps_its_error_through_the_rollback(void **state)
{
	struct fixture *f = *state;
	uint64_t id = active_session(f->s, "02:00:00:00:00:01");

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_session_set_state(f->s, id, "pending", "again", 2000), 0);
	disk_full = 1;
	assert_int_equal(store_commit(f->s), -ENOSPC);
	assert_cannot_be_written(f->s);
	/* Whether or not SQLite rolled it back itself: rolled back, and the error is still the one. */
	assert_int_equal(store_rollback(f->s), 0);
	assert_cannot_be_written(f->s);
	assert_int_equal(store_rollback(f->s), -EINVAL);
	assert_cannot_be_written(f->s);
	disk_full = 0;
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_commit(f->s), 0);
}

/* A login whose commit fails: refused with the store's error, and nothing of it stays. */
static void login_refused_on_a_full_disk_says_why(void **state)
{
	struct fixture *f = *state;
	struct wicket_config cfg;
	struct gateway gw;
	struct billing *b;
	struct store_plan plan = { .name = "Hour",
				   .kind = "time",
				   .currency = "EUR",
				   .price = 3,
				   .duration_s = 3600,
				   .methods = STORE_METHOD_VOUCHER };
	struct store_voucher v;
	struct session_client c = { .port = "r1", .mac = "02:00:00:00:00:01" };
	struct billing_preference pref = { .plan = "Hour", .method = "voucher" };
	struct billing_outcome out;
	char err[256];
	int64_t plan_id;

	memset(&cfg, 0, sizeof(cfg));
	memset(&gw, 0, sizeof(gw));
	gw.config = &cfg;
	gw.store = f->s;
	assert_int_equal(billing_open(&gw, &b, err, sizeof(err)), 0);
	gw.billing = b;
	c.client_id = client_on(f->s, c.mac);
	assert_int_equal(store_plan_add(f->s, &plan, 1000, &plan_id), 0);
	assert_int_equal(store_plan_offer(f->s, plan_id, NULL, NULL), 0);
	assert_int_equal(store_vouchers_create(f->s, plan_id, 1, 1, "b1", 1000, NULL, NULL), 0);
	{
		/* The one voucher's code. */
		sqlite3 *db;
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT code FROM vouchers", -1, &q, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		snprintf(pref.voucher, sizeof(pref.voucher), "%s", (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		sqlite3_close(db);
	}

	disk_full = 1;
	err[0] = '\0';
	assert_int_equal(billing_submit(b, &c, &pref, &out, err, sizeof(err)), -ENOSPC);
	if (!strstr(err, "the store cannot be written (its disk is full)"))
		fail_msg("the guest is not told that the store cannot be written: \"%s\"", err);
	disk_full = 0;
	assert_int_equal(store_voucher_get(f->s, pref.voucher, &v), 0);
	assert_int_equal(v.used, 0);
	/* Space back: the same voucher logs the same client in. */
	c.session_id = 0;
	assert_int_equal(billing_submit(b, &c, &pref, &out, err, sizeof(err)), 0);
	assert_string_equal(out.state, "active");
	billing_close(b);
}

/* A clerk's approval whose commit fails: the clerk hears why (not that no batch is open), and it stays
 * pending. */
static void approval_refused_on_a_full_disk_says_why(void **state)
{
	struct fixture *f = *state;
	struct wicket_config cfg;
	struct gateway gw;
	struct billing *b;
	struct store_plan plan = { .name = "Desk",
				   .kind = "time",
				   .currency = "EUR",
				   .price = 5,
				   .duration_s = 3600,
				   .methods = STORE_METHOD_STAFF };
	struct session_client c = { .port = "r1", .mac = "02:00:00:00:00:01" };
	struct billing_preference pref = { .plan = "Desk", .method = "staff" };
	struct billing_outcome out;
	struct store_request r;
	char err[256];
	int64_t plan_id;

	memset(&cfg, 0, sizeof(cfg));
	memset(&gw, 0, sizeof(gw));
	gw.config = &cfg;
	gw.store = f->s;
	assert_int_equal(billing_open(&gw, &b, err, sizeof(err)), 0);
	gw.billing = b;
	c.client_id = client_on(f->s, c.mac);
	assert_int_equal(store_plan_add(f->s, &plan, 1000, &plan_id), 0);
	assert_int_equal(store_plan_offer(f->s, plan_id, NULL, NULL), 0);
	assert_int_equal(billing_submit(b, &c, &pref, &out, err, sizeof(err)), 0);
	assert_string_equal(out.state, "pending");
	disk_full = 1;
	err[0] = '\0';
	assert_int_equal(billing_decide(b, out.request_id, 1, NULL, "clerk", err, sizeof(err)), -ENOSPC);
	if (!strstr(err, "the store cannot be written (its disk is full)"))
		fail_msg("the clerk is not told that the store cannot be written: \"%s\"", err);
	disk_full = 0;
	assert_int_equal(store_request_get(f->s, out.request_id, &r), 0);
	assert_string_equal(r.state, "pending");
	billing_close(b);
}

/* --- counters the kernel reset that cannot be written */

static void refused_counters_are_held_and_go_in_with_the_next(void **state)
{
	struct fixture *f = *state;
	uint64_t id = active_session(f->s, "02:00:00:00:00:01");
	size_t n;

	assert_int_equal(store_session_add_counters(f->s, id, 1, 2, 1, 1), 0);
	disk_full = 1;
	assert_int_equal(store_session_add_counters(f->s, id, 100, 200, 3, 4), -ENOSPC);
	assert_cannot_be_written(f->s);
	assert_int_equal(store_session_add_counters(f->s, id, 1000, 2000, 5, 6), -ENOSPC);
	assert_int_equal(store_counters_held(f->s, &n), 3300);
	assert_int_equal(n, 1);
	assert_counters(f->s, id, 1, 2, 1, 1);
	disk_full = 0;
	assert_int_equal(store_session_add_counters(f->s, id, 10, 20, 1, 1), 0);
	assert_counters(f->s, id, 1111, 2222, 10, 12);
	assert_int_equal(store_counters_held(f->s, &n), 0);
	assert_int_equal(n, 0);
}

/* The accounting sweep: a batch of counters whose commit fails, then the next sweep. */
static void sweep_that_cannot_commit_loses_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t a = active_session(f->s, "02:00:00:00:00:01"), b = active_session(f->s, "02:00:00:00:00:02");

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_counters_flush(f->s, 2000), 0);
	assert_int_equal(store_session_add_counters(f->s, a, 100, 200, 1, 2), 0);
	assert_int_equal(store_session_add_counters(f->s, b, 300, 400, 3, 4), 0);
	disk_full = 1;
	assert_int_not_equal(store_commit(f->s), 0);
	assert_cannot_be_written(f->s);
	assert_int_equal(store_rollback(f->s), 0);
	assert_int_equal(store_counters_held(f->s, NULL), 1000);
	/* A sweep on the full disk: the same again, nothing twice. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_counters_flush(f->s, 3000), 0);
	assert_int_equal(store_session_add_counters(f->s, a, 1, 1, 1, 1), 0);
	assert_int_not_equal(store_commit(f->s), 0);
	assert_int_equal(store_rollback(f->s), 0);
	assert_int_equal(store_counters_held(f->s, NULL), 1002);
	disk_full = 0;
	/* The next sweep: held first, then what the kernel gives now (b sent nothing). */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_counters_flush(f->s, 4000), 0);
	assert_int_equal(store_session_add_counters(f->s, a, 5, 5, 1, 1), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_counters_held(f->s, NULL), 0);
	assert_counters(f->s, a, 106, 206, 3, 4);
	assert_counters(f->s, b, 300, 400, 3, 4);
	/* Committed once: a rollback of a later, empty batch holds nothing again. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_rollback(f->s), 0);
	assert_int_equal(store_counters_held(f->s, NULL), 0);
}

/* A logout on a full disk: its end is refused, its counters held; the end that works has them, and its Stop.
 */
static void session_end_takes_the_held_counters(void **state)
{
	struct fixture *f = *state;
	uint64_t id = active_session(f->s, "02:00:00:00:00:01");
	struct store_session ss;
	struct store_acct stop;
	int64_t stop_id;

	assert_int_equal(store_outbox_add(f->s, id, "start", 1000, NULL), 0);
	disk_full = 1;
	assert_int_equal(store_session_add_counters(f->s, id, 700, 800, 7, 8), -ENOSPC);
	assert_int_equal(store_session_end(f->s, id, "logout", 2000), -ENOSPC);
	assert_cannot_be_written(f->s);
	assert_int_equal(store_session_get(f->s, id, &ss), 0);
	assert_string_equal(ss.state, "active");
	assert_int_equal(store_counters_held(f->s, NULL), 1500);
	disk_full = 0;
	assert_int_equal(store_session_end(f->s, id, "logout", 3000), 0);
	assert_counters(f->s, id, 700, 800, 7, 8);
	assert_int_equal(store_counters_held(f->s, NULL), 0);
	{
		sqlite3 *db;
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(
			sqlite3_prepare_v2(db, "SELECT id FROM outbox WHERE kind = 'stop'", -1, &q, NULL),
			SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		stop_id = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		sqlite3_close(db);
	}
	assert_int_equal(store_outbox_get(f->s, stop_id, &stop), 0);
	assert_int_equal(stop.up_bytes, 700);
	assert_int_equal(stop.down_bytes, 800);
}

/* An end refused inside a batch (an ended session) gives back what it took: the batch commits without it. */
static void end_refused_in_a_batch_keeps_the_held_counters(void **state)
{
	struct fixture *f = *state;
	uint64_t id = active_session(f->s, "02:00:00:00:00:01");

	assert_int_equal(store_session_end(f->s, id, "logout", 2000), 0);
	disk_full = 1;
	assert_int_equal(store_session_add_counters(f->s, id, 50, 60, 1, 1), -ENOSPC);
	disk_full = 0;
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_session_end(f->s, id, "kick", 3000), -EALREADY);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_counters_held(f->s, NULL), 110);
	assert_counters(f->s, id, 0, 0, 0, 0);
	/* The flush bills them to the ended session (counters count also after the end). */
	assert_int_equal(store_counters_flush(f->s, 4000), 0);
	assert_int_equal(store_counters_held(f->s, NULL), 0);
	assert_counters(f->s, id, 50, 60, 1, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(known_client_is_found_on_a_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_commit_keeps_its_error_through_the_rollback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(login_refused_on_a_full_disk_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(approval_refused_on_a_full_disk_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_counters_are_held_and_go_in_with_the_next, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sweep_that_cannot_commit_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(session_end_takes_the_held_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(end_refused_in_a_batch_keeps_the_held_counters, setup,
						teardown),
	};

	if (install_full_vfs()) {
		fprintf(stderr, "cannot put the full-disk VFS in front of SQLite's\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
