/*
 * Clients and sessions (session.c): discovery, staff decisions and the
 * kernel's own closes, written to the store first, then to the kernel.
 */
#ifndef WICKET_SESSION_H
#define WICKET_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "gateway.h"
#include "store.h"

/* A client as staff name it: by MAC, found through the kernel's table. */
struct session_client {
	struct kernel_client kernel; /* its entry, counters included */
	char port[16];
	char mac[18];
	int64_t client_id;
	uint64_t session_id; /* the session that has not ended, or 0 */
	int blocked; /* staff blocked it (the store says so) */
};

int64_t session_now_ms(void);

/*
 * When a session's gate closes by time: its deadline, or, once it is held
 * to keepalives (from its first good one on), the last keepalive plus
 * interval * misses, whichever is first. 0: never.
 */
int64_t session_closes_at(const struct wicket_config *cfg, const struct store_session *s);
/* Why a session whose time ran out ended: "keepalive-timeout" or "deadline". */
const char *session_timeout_reason(const struct wicket_config *cfg, const struct store_session *s);

/* A guest seen at an address on an access port (addr may be NULL). */
int session_sighting(struct gateway *gw, uint32_t ifindex, const uint8_t mac[6],
		     const struct kernel_addr *addr);

/* Every call below returns 0 or -errno with err saying what to do. */
int session_find(struct gateway *gw, const char *mac, struct session_client *out, char *err, size_t errlen);
/* The client of a kernel entry (k: its port, MAC and state), added to the store if new. */
int session_client_of(struct gateway *gw, const struct kernel_client *k, struct session_client *out,
		      char *err, size_t errlen);
/*
 * Comp: authorized for minutes from now, in a new or the running session;
 * a running session's later deadline (or none) stays as it was.
 */
int session_allow(struct gateway *gw, struct session_client *c, unsigned int minutes, char *err,
		  size_t errlen);
/* End the running session (if any) with reason; the client becomes captive. */
int session_end(struct gateway *gw, struct session_client *c, const char *reason, char *err, size_t errlen);
/* Block (ending its session as "block") or unblock a client; both kept in the store. */
int session_block(struct gateway *gw, struct session_client *c, int block, char *err, size_t errlen);

/* kernel_events_read() callback: sightings and the kernel's closes. */
int session_kernel_event(uint8_t cmd, const struct kernel_client *k, void *arg);

#endif
