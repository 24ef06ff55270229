/*
 * The keepalive wire protocol, shared by wicketd (verifier) and
 * wicket-helper (sender). Pure functions: no sockets, no event loop, no
 * globals; the daemon and the helper wrap them.
 *
 * Transport
 *   One UDP datagram per keepalive, client -> gateway. The gateway answers
 *   nothing: no amplification, no oracle telling a forger which check
 *   failed. (A signed acknowledgement may come later; the flags field is
 *   reserved for it and for anything else a later version needs.)
 *
 * Datagram (KEEPALIVE_LEN = 72 bytes, fixed; integers big-endian)
 *
 *   offset size field
 *        0    4 magic       "WKA1": "WKA" + protocol version '1'
 *        4    4 flags       u32, must be 0 in version 1 (unknown bits: rejected)
 *        8    8 session id  u64, the gateway's id of the session
 *       16    8 counter     u64, starts at 1, strictly increasing per session
 *       24   16 nonce       random (RAND_bytes) per datagram
 *       40   32 tag         HMAC-SHA256(session key, bytes 0..39)
 *
 * Session key
 *   32 bytes, HKDF-SHA256 (RFC 5869) with
 *     IKM  = the gateway's master secret,
 *     salt = none (RFC 5869: HashLen zero bytes),
 *     info = "wicket keepalive v1" (19 bytes, no NUL) || session id (u64 BE),
 *     L    = 32.
 *   The gateway derives it (keepalive_derive_key) and hands it to the client
 *   at login over TLS; the master secret never leaves the gateway.
 *
 * Verification, in this order, each failure with its own result code so
 * the daemon can count every kind:
 *   1. at least the 4 magic bytes, "WKA"         KEEPALIVE_TOO_SHORT, _BAD_MAGIC
 *   2. version byte '1'                          KEEPALIVE_BAD_VERSION
 *      (before the length, so that a later version with another length is
 *      reported as what it is)
 *   3. exactly KEEPALIVE_LEN bytes               KEEPALIVE_TOO_SHORT, _TOO_LONG
 *   4. flags zero                                KEEPALIVE_BAD_FLAGS
 *   5. the caller's lookup knows the session     KEEPALIVE_UNKNOWN_SESSION
 *   6. tag, compared in constant time            KEEPALIVE_BAD_TAG
 *   7. counter > the last accepted counter       KEEPALIVE_REPLAY
 * The session id is read before the tag is checked only to find the key
 * and the last accepted counter; nothing else of the datagram is trusted,
 * and nothing is returned, before the tag verifies. The daemon stores the
 * last accepted counter per session durably, so that a replay after a
 * daemon restart is rejected too; counter 0 is never accepted.
 */
#ifndef WICKET_KEEPALIVE_PROTO_H
#define WICKET_KEEPALIVE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define KEEPALIVE_MAGIC "WKA" /* followed by the version byte */
#define KEEPALIVE_VERSION '1'
#define KEEPALIVE_LEN 72
#define KEEPALIVE_KEY_LEN 32
#define KEEPALIVE_NONCE_LEN 16
#define KEEPALIVE_TAG_LEN 32
/* Flags defined by this version: none. A bit outside the mask is rejected. */
#define KEEPALIVE_FLAGS_ALL 0U
/* HKDF info prefix; the session id (u64 BE) follows it. */
#define KEEPALIVE_KDF_INFO "wicket keepalive v1"
/* The shortest master secret keepalive_derive_key accepts. */
#define KEEPALIVE_MASTER_MIN_LEN 16

/* Field offsets in the datagram. */
enum {
	KEEPALIVE_OFF_MAGIC = 0,
	KEEPALIVE_OFF_FLAGS = 4,
	KEEPALIVE_OFF_SESSION = 8,
	KEEPALIVE_OFF_COUNTER = 16,
	KEEPALIVE_OFF_NONCE = 24,
	KEEPALIVE_OFF_TAG = 40,
};

/* keepalive_verify's outcome; small non-negative values, so a daemon can index counters with them. */
enum keepalive_result {
	KEEPALIVE_OK = 0,
	KEEPALIVE_TOO_SHORT,
	KEEPALIVE_TOO_LONG,
	KEEPALIVE_BAD_MAGIC,
	KEEPALIVE_BAD_VERSION,
	KEEPALIVE_BAD_FLAGS,
	KEEPALIVE_UNKNOWN_SESSION,
	KEEPALIVE_BAD_TAG, /* forgery, a wrong key, or damage in transit */
	KEEPALIVE_REPLAY, /* authentic, but the counter is not above the last accepted one */
	KEEPALIVE_ERROR, /* ours, not the sender's: the lookup or the crypto library failed */
	KEEPALIVE_RESULT_COUNT
};

/* An authenticated keepalive. */
struct keepalive_msg {
	uint32_t flags;
	uint64_t session_id;
	uint64_t counter;
	uint8_t nonce[KEEPALIVE_NONCE_LEN];
};

/*
 * The caller's session lookup: for session_id, fill key and the last
 * accepted counter (0 if none yet) and return 0; return -ENOENT if there is
 * no such session, another -errno if the lookup itself failed.
 */
typedef int (*keepalive_lookup_fn)(void *arg, uint64_t session_id, uint8_t key[KEEPALIVE_KEY_LEN],
				   uint64_t *last_counter);

/*
 * The session key for session_id from the gateway's master secret (at
 * least KEEPALIVE_MASTER_MIN_LEN bytes). 0, -EINVAL for a short master,
 * -EIO if OpenSSL fails.
 */
int keepalive_derive_key(const uint8_t *master, size_t master_len, uint64_t session_id,
			 uint8_t key[KEEPALIVE_KEY_LEN]);

/*
 * Sender: the datagram for (session_id, counter) with a fresh random nonce.
 * 0, -EINVAL for counter 0, -EIO if the RNG or HMAC fails (out is then
 * zeroed, never half-built).
 */
int keepalive_build(const uint8_t key[KEEPALIVE_KEY_LEN], uint64_t session_id, uint64_t counter,
		    uint8_t out[KEEPALIVE_LEN]);

/*
 * Verifier: one received datagram. Calls lookup(arg, ...) at most once, with
 * the datagram's claimed session id. Returns an enum keepalive_result. out
 * (may be NULL) is filled for KEEPALIVE_OK and KEEPALIVE_REPLAY (both
 * authenticated, so the daemon may log them) and zeroed otherwise. On
 * KEEPALIVE_OK the caller stores out->counter as the session's last
 * accepted counter.
 */
int keepalive_verify(const uint8_t *dgram, size_t len, keepalive_lookup_fn lookup, void *arg,
		     struct keepalive_msg *out);

/* A result's name for logs and counters, e.g. "bad-tag"; "unknown" for a value outside the enum. */
const char *keepalive_result_name(int result);

#endif
