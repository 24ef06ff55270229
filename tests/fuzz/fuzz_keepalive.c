/*
 * libFuzzer: keepalive_verify() (daemon/keepalive_proto.c) on any UDP
 * datagram, as wicketd's keepalive server takes them from the guests.
 *
 * Input: one control byte, then the datagram.
 *   bits 0-1  what the session lookup answers: 0 and 1 the session's key
 *             and last counter, 2 -ENOENT, 3 -EIO
 *   bit 2     sign: the harness writes the right tag (HMAC-SHA256 of
 *             bytes 0..39 under the session's key, as keepalive_proto.h
 *             specifies it) into a datagram of KEEPALIVE_LEN bytes, so
 *             that the checks after the tag are reached too
 *   bits 3-7  the last accepted counter, as a small number (0..31)
 *
 * Checked, besides what ASan and UBSan see: the lookup is called at most
 * once and only for a well-framed datagram; the result is in the enum;
 * out is zeroed unless the datagram was authenticated; a signed datagram
 * of a known session is never refused as a forgery; only a counter above
 * the last accepted one is OK.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "keepalive_proto.h"

/* Every session's key: derived once from a fixed master secret. */
static const uint8_t master[32] = "wicket fuzz keepalive master 01";
static uint8_t key[KEEPALIVE_KEY_LEN];

struct lookup_state {
	unsigned int mode;
	uint64_t last_counter;
	int calls;
};

static int lookup(void *arg, uint64_t session_id, uint8_t out[KEEPALIVE_KEY_LEN], uint64_t *last_counter)
{
	struct lookup_state *s = arg;

	(void)session_id;
	s->calls++;
	if (s->mode == 2)
		return -ENOENT;
	if (s->mode == 3)
		return -EIO;
	memcpy(out, key, KEEPALIVE_KEY_LEN);
	*last_counter = s->last_counter;
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* One key for every session id: the lookup does not derive per call. */
	if (keepalive_derive_key(master, sizeof(master), 1, key))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lookup_state s = { 0 };
	struct keepalive_msg msg, zero = { 0 };
	uint8_t *dgram;
	size_t len;
	int signed_, r;

	if (size < 1)
		return 0;
	s.mode = data[0] & 3;
	signed_ = (data[0] >> 2) & 1;
	s.last_counter = data[0] >> 3;
	len = size - 1;
	/* A copy of its own size: ASan sees any read past the datagram. */
	dgram = malloc(len ? len : 1);
	if (!dgram)
		return 0;
	memcpy(dgram, data + 1, len);
	if (signed_ && len == KEEPALIVE_LEN) {
		unsigned int n = 0;

		if (!HMAC(EVP_sha256(), key, sizeof(key), dgram, KEEPALIVE_OFF_TAG, dgram + KEEPALIVE_OFF_TAG,
			  &n))
			abort();
	}

	memset(&msg, 0xa5, sizeof(msg));
	r = keepalive_verify(dgram, len, lookup, &s, &msg);

	if (r < 0 || r >= KEEPALIVE_RESULT_COUNT || !keepalive_result_name(r))
		abort();
	if (s.calls > 1)
		abort();
	/* The lookup comes after the framing checks, and only then. */
	if (s.calls != (r == KEEPALIVE_OK || r >= KEEPALIVE_UNKNOWN_SESSION))
		abort();
	if (len != KEEPALIVE_LEN && (r == KEEPALIVE_OK || r >= KEEPALIVE_BAD_FLAGS))
		abort();
	if (r == KEEPALIVE_UNKNOWN_SESSION && s.mode != 2)
		abort();
	if (r == KEEPALIVE_ERROR && s.mode != 3)
		abort();
	if (r == KEEPALIVE_OK || r == KEEPALIVE_REPLAY) {
		uint64_t counter = be64(dgram + KEEPALIVE_OFF_COUNTER);

		if (s.mode >= 2 || msg.session_id != be64(dgram + KEEPALIVE_OFF_SESSION) ||
		    msg.counter != counter || msg.flags != 0 ||
		    memcmp(msg.nonce, dgram + KEEPALIVE_OFF_NONCE, KEEPALIVE_NONCE_LEN))
			abort();
		if ((r == KEEPALIVE_OK) != (counter > s.last_counter))
			abort();
	} else if (memcmp(&msg, &zero, sizeof(msg))) {
		abort();
	}
	/* A datagram signed with the session's key is never taken for a forgery. */
	if (signed_ && len == KEEPALIVE_LEN && s.mode < 2 && r == KEEPALIVE_BAD_TAG)
		abort();
	/* Without the key, the fuzzer cannot have forged one (2^-256). */
	if (!signed_ && r == KEEPALIVE_OK && s.mode < 2) {
		uint8_t tag[KEEPALIVE_TAG_LEN];
		unsigned int n = 0;

		HMAC(EVP_sha256(), key, sizeof(key), dgram, KEEPALIVE_OFF_TAG, tag, &n);
		if (memcmp(tag, dgram + KEEPALIVE_OFF_TAG, sizeof(tag)))
			abort();
	}
	free(dgram);
	return 0;
}
