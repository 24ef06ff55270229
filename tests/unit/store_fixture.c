/* A fresh store in a temporary directory for each test. */
#include "store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int store_fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/wicket.db", f->dir);
	if (store_open(f->path, &f->s)) {
		fprintf(stderr, "store_open: %s\n", store_error(NULL));
		rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

void store_fixture_remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

int store_fixture_teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	store_fixture_remove_db(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}
