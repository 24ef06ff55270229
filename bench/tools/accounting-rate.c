/*
 * accounting-rate: accounting records the store commits per second, on
 * disk with the store's own settings (WAL, synchronous=FULL: every commit
 * is on disk before it returns), through its public API, for make bench.
 *
 *   accounting-rate DIR [--sessions N] [--batch B]
 *
 * In a fresh store DIR/wicket.db: N sessions (default 20000), each with
 * its accounting Start, made untimed. Then, timed, what wicketd writes:
 *   stop, one a transaction     a session ends: its end, its event and
 *                               its Stop record, committed alone (a
 *                               guest logs out, staff kick)
 *   stop, B a transaction       the same for B sessions a commit (the
 *                               kernel's closes of a burst; default 256)
 *   interim, one a transaction  an Interim-Update queued
 *   ack, one a transaction      the server acknowledged a Start
 * Each line gives the records, the seconds and the records per second.
 * The sessions are split between the four. Exits 1 on any store failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store_outbox.h"
#include "uapi/wicket.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int failed(struct store *s, const char *what)
{
	fprintf(stderr, "accounting-rate: %s: %s\n", what, store_error(s));
	return 1;
}

/* N sessions with their accounting Start, in batches: their ids in ids[], the Starts' in starts[]. */
static int make_sessions(struct store *s, size_t n, uint64_t *ids, int64_t *starts)
{
	char mac[18];
	int64_t client;

	if (store_port_set(s, "bench0", "", WICKET_PORT_CHARGE, now_ms()))
		return failed(s, "port");
	for (size_t i = 0; i < n; i++) {
		if (i % 5000 == 0 && store_begin(s))
			return failed(s, "begin");
		snprintf(mac, sizeof(mac), "02:00:%02x:%02x:%02x:%02x", (unsigned)(i >> 24) & 0xff,
			 (unsigned)(i >> 16) & 0xff, (unsigned)(i >> 8) & 0xff, (unsigned)i & 0xff);
		if (store_client_get_or_add(s, "bench0", mac, now_ms(), &client) ||
		    store_session_start(s, client, "active", now_ms() + 3600000, 0, NULL, 0, now_ms(),
					&ids[i]) ||
		    store_outbox_add(s, ids[i], "start", now_ms(), &starts[i]))
			return failed(s, "session");
		if ((i % 5000 == 4999 || i + 1 == n) && store_commit(s))
			return failed(s, "commit");
	}
	return 0;
}

static void report(const char *what, size_t n, double seconds)
{
	printf("%-28s %8zu records %8.3f s %10.0f records/s\n", what, n, seconds, (double)n / seconds);
}

int main(int argc, char **argv)
{
	size_t n = 20000, batch = 256, quarter;
	char path[4096];
	uint64_t *ids;
	int64_t *starts;
	struct store *s;
	char label[64];
	double t0;

	log_init("accounting-rate", 0, 0);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: accounting-rate DIR [--sessions N] [--batch B]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--sessions"))
			n = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--batch"))
			batch = strtoul(argv[i + 1], NULL, 10);
		else
			return fprintf(stderr, "accounting-rate: unknown option %s\n", argv[i]), 2;
	}
	if (n < 4 || batch < 1 || (argc % 2) != 0) {
		fprintf(stderr,
			"accounting-rate: --sessions at least 4, --batch at least 1, each with a value\n");
		return 2;
	}
	quarter = n / 4;
	snprintf(path, sizeof(path), "%s/wicket.db", argv[1]);
	ids = calloc(n, sizeof(*ids));
	starts = calloc(n, sizeof(*starts));
	if (!ids || !starts || store_open(path, &s)) {
		fprintf(stderr, "accounting-rate: %s: %s\n", path,
			ids && starts ? store_error(NULL) : "out of memory");
		return 1;
	}
	if (make_sessions(s, n, ids, starts))
		return 1;
	printf("# accounting records committed by the store (%s, WAL, synchronous=FULL), %zu sessions\n",
	       argv[1], n);

	t0 = now_s();
	for (size_t i = 0; i < quarter; i++)
		if (store_session_end(s, ids[i], "logout", now_ms()))
			return failed(s, "end");
	report("stop, one a transaction", quarter, now_s() - t0);

	t0 = now_s();
	for (size_t i = quarter; i < 2 * quarter; i++) {
		if ((i - quarter) % batch == 0 && store_begin(s))
			return failed(s, "begin");
		if (store_session_end(s, ids[i], "deadline", now_ms()))
			return failed(s, "end");
		if (((i - quarter) % batch == batch - 1 || i + 1 == 2 * quarter) && store_commit(s))
			return failed(s, "commit");
	}
	snprintf(label, sizeof(label), "stop, %zu a transaction", batch);
	report(label, quarter, now_s() - t0);

	t0 = now_s();
	for (size_t i = 2 * quarter; i < 3 * quarter; i++)
		if (store_outbox_add(s, ids[i], "interim", now_ms(), NULL))
			return failed(s, "interim");
	report("interim, one a transaction", quarter, now_s() - t0);

	/* The server's answers: the last quarter's Starts acknowledged one by one. */
	t0 = now_s();
	for (size_t i = 3 * quarter; i < 4 * quarter; i++)
		if (store_outbox_acked(s, starts[i], now_ms()))
			return failed(s, "ack");
	report("ack, one a transaction", quarter, now_s() - t0);
	store_close(s);
	free(ids);
	free(starts);
	return 0;
}
