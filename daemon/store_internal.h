/*
 * What the store's files share (store.c and the store_*.c of each
 * concern): the connection, errors, statements and the op pattern. Not
 * for use outside the store: everyone else goes through store.h and the
 * store_*.h of each concern.
 */
#ifndef WICKET_STORE_INTERNAL_H
#define WICKET_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

sqlite3 *store_db(struct store *s);
/* The SQL that takes the schema from version - 1 to version (tests build old stores with it). */
const char *store_migration_sql(int version);
/*
 * The prepared statement for sql, which must be a string constant (it is
 * cached by its address), reset and without bindings; NULL with the
 * store's error set if it cannot be prepared.
 */
sqlite3_stmt *store_sql(struct store *s, const char *sql);

/* Set the store's error message; returns err. */
int store_fail(struct store *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A failed SQLite call rc: its -errno, with what and SQLite's message as the error. */
int store_db_fail(struct store *s, int rc, const char *what);
/* Run a statement that returns no row; reset it. 0 or -errno. */
int store_run(struct store *s, sqlite3_stmt *stmt, const char *what);
/* Step a query for one row: 1 row, 0 none, <0 error (reset on none and error). */
int store_row(struct store *s, sqlite3_stmt *stmt, const char *what);
/* Column col as text into dst ("" for NULL). */
void store_text(char *dst, size_t len, sqlite3_stmt *stmt, int col);
/* Bind t, or NULL when t is NULL or empty. */
int store_bind_text(sqlite3_stmt *stmt, int i, const char *t);
/* Bind v, or NULL when v is 0. */
int store_bind_int(sqlite3_stmt *stmt, int i, int64_t v);
/*
 * A write of more than one statement is an op: store_op_begin opens a
 * transaction (or a savepoint inside a batch), store_op_end(s, nested,
 * err) commits when err is 0 and rolls back otherwise, returning err or
 * the commit's error. A refusal half-way leaves nothing behind.
 */
int store_op_begin(struct store *s, int *nested);
int store_op_end(struct store *s, int nested, int err);

#endif
