/*
 * The guest's session as the helper keeps it (session.c):
 * RUN_DIR/session.json, mode 0600, written at login:
 *   {"origin": str, "session": int, "token": str (64 hex),
 *    "keepalive": {"host": str, "port": int, "interval_s": int,
 *    "key": str (64 hex)}}
 * and RUN_DIR/keepalive.counter, the last keepalive counter sent, written
 * before each datagram leaves, so that a restarted helper never sends a
 * counter the gateway would take for a replay.
 */
#ifndef WICKET_HELPER_SESSION_H
#define WICKET_HELPER_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "keepalive_proto.h"

struct helper_paths;

struct helper_session {
	char origin[256];
	uint64_t id;
	char token[65];
	char ka_host[64];
	int ka_port;
	int ka_interval_s;
	uint8_t ka_key[KEEPALIVE_KEY_LEN];
};

int session_save(const struct helper_paths *p, const struct helper_session *s);
/* 0, -ENOENT when there is no session, -EINVAL when the file is damaged. */
int session_load(const struct helper_paths *p, struct helper_session *s);
void session_forget(const struct helper_paths *p);
/*
 * The next keepalive counter, already stored as sent. 0 on error (-errno
 * in *err; -EOVERFLOW when the session has used up its counters).
 */
uint64_t session_next_counter(const struct helper_paths *p, int *err);
/* A session token as the gateway gives it: 64 hex digits. */
int session_token_valid(const char *token);
/* 64 hex digits into 32 bytes; -EINVAL if they are not. */
int session_unhex(const char *hex, uint8_t *out, size_t n);

#endif
