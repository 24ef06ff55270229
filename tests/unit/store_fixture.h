/*
 * A fresh store in a temporary directory for each test (store_fixture.c),
 * shared by the store's unit tests.
 */
#ifndef WICKET_TEST_STORE_FIXTURE_H
#define WICKET_TEST_STORE_FIXTURE_H

#include "store.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
};

/* cmocka setup and teardown: *state is a struct fixture with an open store. */
int store_fixture_setup(void **state);
int store_fixture_teardown(void **state);
/* A database file and the files SQLite keeps beside it. */
void store_fixture_remove_db(const char *path);

#endif
