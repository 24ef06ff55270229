/*
 * The keepalive server (keepalive.c): wicketd's UDP socket for the
 * datagrams of keepalive_proto.h. Each good keepalive is written to the
 * store (its counter, so that a replay is refused even after a restart)
 * and then moves the kernel's deadline of the client's gate forward to
 * the last keepalive plus interval * misses, never past the session's own
 * deadline. From its first good keepalive on, a session is held to them:
 * when they stop, wicket.ko closes the gate by itself (also while wicketd
 * is down) and the session ends as keepalive-timeout.
 *
 * Datagrams are taken in batches: one store transaction (one fsync) and
 * one kernel request per batch, so a burst costs little more than one.
 * Every datagram is counted by its keepalive_result; nothing is answered.
 */
#ifndef WICKET_KEEPALIVE_H
#define WICKET_KEEPALIVE_H

#include <stddef.h>
#include <stdint.h>

#include "keepalive_proto.h"

struct gateway;
struct wicket_config;
struct keepalive_server;

/* The most datagrams taken in one batch (one transaction), and per receive call. */
#define KEEPALIVE_BATCH 2048
#define KEEPALIVE_RECV 256

struct keepalive_stats {
	uint64_t results[KEEPALIVE_RESULT_COUNT]; /* by enum keepalive_result */
	uint64_t batches;
	uint64_t store_failures; /* batches whose commit failed: their keepalives were not taken */
};

/*
 * Read the master secret from cfg's secret_file (creating it with 32
 * random bytes, mode 0600, when it does not exist), bind cfg's UDP port on
 * every address (IPv6 and IPv4) and watch it in gw->base. 0 or -errno
 * with err saying what to do. Verifying uses gw's config and store, and
 * gw's kernel when it has one (the benchmark runs without).
 */
int keepalive_open(struct gateway *gw, const struct wicket_config *cfg, struct keepalive_server **out,
		   char *err, size_t errlen);
void keepalive_close(struct keepalive_server *ks);

/* The key a session's client signs its keepalives with (handed out at login). */
int keepalive_session_key(const struct keepalive_server *ks, uint64_t session_id,
			  uint8_t key[KEEPALIVE_KEY_LEN]);

/* Take every datagram waiting now (what the event callback does). */
void keepalive_receive(struct keepalive_server *ks);

const struct keepalive_stats *keepalive_stats(const struct keepalive_server *ks);

/* The port it listens on (for tests that bind port 0: the one the kernel chose). */
uint16_t keepalive_port(const struct keepalive_server *ks);

#endif
