/*
 * store-fill: fill a wicketd store with N active sessions on one access
 * port, through the store's public API (daemon/store.h), for the daemon's
 * scale benchmark (bench/daemon-scale.sh).
 *
 *   store-fill DB PORT N [--minutes M] [--batch B]
 *
 * Creates (or opens) the store at DB, configures PORT (mode charge, no
 * room: wicketd applies its config's room and mode at start), then adds N
 * clients, each with a unique MAC 02:00:xx:xx:xx:xx and a unique IPv4
 * address from 10.64.0.0/10 (client i has 02:00 followed by i, and
 * 10.64.0.0 + i + 1), each with a session in state "active" whose deadline
 * is M minutes (default 60) from now, in transactions of B calls' worth
 * of clients (default 10000). Prints how long that took; exits 1 on any
 * failure, saying what the store said, and 2 on a usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "uapi/wicket.h"

/* 10.64.0.0/10: 2^22 addresses, the first (network) one left out. */
#define FILL_NET 0x0a400000u
#define FILL_MAX ((1u << 22) - 2)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: store-fill DB PORT N [--minutes M] [--batch B]\n"
		"  N            sessions to add (1 to %u)\n"
		"  --minutes M  each session's time left (default 60)\n"
		"  --batch B    clients per transaction (default 10000)\n",
		FILL_MAX);
}

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A decimal number in [min, max], or -1. */
static long long parse_num(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	return v;
}

static int fail(struct store *s, const char *what, unsigned long i)
{
	fprintf(stderr, "store-fill: %s (client %lu): %s\n", what, i, store_error(s));
	return 1;
}

/* One client with its address and an active session. */
static int add_one(struct store *s, const char *port, uint32_t i, int64_t now, int64_t deadline)
{
	char mac[STORE_MAC_LEN], addr[16];
	uint32_t a = FILL_NET + i + 1;
	int64_t client;
	uint64_t session;

	snprintf(mac, sizeof(mac), "02:00:%02x:%02x:%02x:%02x", i >> 24, (i >> 16) & 0xff, (i >> 8) & 0xff,
		 i & 0xff);
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	if (store_client_get_or_add(s, port, mac, now, &client))
		return fail(s, "add client", i);
	if (store_client_bind_addr(s, client, addr, now))
		return fail(s, "bind address", i);
	if (store_session_start(s, client, "active", deadline, 0, NULL, 0, now, &session))
		return fail(s, "start session", i);
	return 0;
}

int main(int argc, char **argv)
{
	const char *db, *port;
	long long n, minutes = 60, batch = 10000;
	struct store *s;
	int64_t now, deadline;
	double t0, secs;
	int ret = 1;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 4 || (argc - 4) % 2) {
		usage(stderr);
		return 2;
	}
	db = argv[1];
	port = argv[2];
	n = parse_num(argv[3], 1, FILL_MAX);
	if (n < 0) {
		fprintf(stderr, "store-fill: bad N '%s' (1 to %u)\n", argv[3], FILL_MAX);
		return 2;
	}
	for (int i = 4; i < argc; i += 2) {
		if (!strcmp(argv[i], "--minutes")) {
			minutes = parse_num(argv[i + 1], 1, 525600);
		} else if (!strcmp(argv[i], "--batch")) {
			batch = parse_num(argv[i + 1], 1, 1000000);
		} else {
			fprintf(stderr, "store-fill: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
		if (minutes < 0 || batch < 0) {
			fprintf(stderr, "store-fill: bad %s '%s'\n", argv[i], argv[i + 1]);
			return 2;
		}
	}

	log_init("store-fill", 0, 0);
	t0 = mono_s();
	if (store_open(db, &s)) {
		fprintf(stderr, "store-fill: %s\n", store_error(NULL));
		return 1;
	}
	now = realtime_ms();
	deadline = now + minutes * 60000;
	if (store_port_configure(s, port, NULL, WICKET_PORT_CHARGE, now)) {
		fprintf(stderr, "store-fill: port %s: %s\n", port, store_error(s));
		goto out;
	}
	for (long long i = 0; i < n; i += batch) {
		long long end = i + batch < n ? i + batch : n;

		if (store_begin(s)) {
			fprintf(stderr, "store-fill: begin: %s\n", store_error(s));
			goto out;
		}
		for (long long j = i; j < end; j++)
			if (add_one(s, port, (uint32_t)j, now, deadline))
				goto out;
		if (store_commit(s)) {
			fprintf(stderr, "store-fill: commit: %s\n", store_error(s));
			goto out;
		}
	}
	secs = mono_s() - t0;
	printf("store-fill: %lld active sessions on %s in %.3f s (%.1f us each), deadline in %lld min\n", n,
	       port, secs, secs * 1e6 / (double)n, minutes);
	ret = 0;
out:
	store_close(s);
	return ret;
}
