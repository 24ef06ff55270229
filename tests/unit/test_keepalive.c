/*
 * Unit tests of daemon/keepalive_proto.c: the keepalive datagram, its key
 * derivation and every way the verifier refuses one. Expected bytes come
 * from outside the code under test: RFC 5869's vectors, an HKDF written out
 * here with OpenSSL's one-shot HMAC(), and vectors computed with Python's
 * hmac module.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "keepalive_proto.h"

/* The master secret of most tests: bytes 0x00..0x1f. */
static const uint8_t master[32] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
				    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
				    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
#define SESSION 0x0123456789abcdefULL

/*
 * The daemon's side of the lookup, in miniature: one session whose key is
 * derived from a master, or every session (any_session) so that a damaged
 * session id reaches the tag check.
 */
struct sessions {
	const uint8_t *master;
	uint64_t session_id;
	bool any_session;
	uint64_t last_counter;
	int error;
	int calls;
};

static int lookup(void *arg, uint64_t session_id, uint8_t key[KEEPALIVE_KEY_LEN], uint64_t *last_counter)
{
	struct sessions *s = arg;

	s->calls++;
	if (s->error)
		return s->error;
	if (!s->any_session && session_id != s->session_id)
		return -ENOENT;
	if (keepalive_derive_key(s->master, 32, session_id, key))
		return -EIO;
	*last_counter = s->last_counter;
	return 0;
}

static struct sessions one_session(void)
{
	return (struct sessions){ .master = master, .session_id = SESSION };
}

static void session_key(uint64_t session_id, uint8_t key[KEEPALIVE_KEY_LEN])
{
	assert_int_equal(keepalive_derive_key(master, sizeof(master), session_id, key), 0);
}

static void build(uint64_t counter, uint8_t dgram[KEEPALIVE_LEN])
{
	uint8_t key[KEEPALIVE_KEY_LEN];

	session_key(SESSION, key);
	assert_int_equal(keepalive_build(key, SESSION, counter, dgram), 0);
}

/* Recompute the tag after a test changed the header: only the framing checks can then refuse it. */
static void retag(uint8_t dgram[KEEPALIVE_LEN])
{
	uint8_t key[KEEPALIVE_KEY_LEN];
	unsigned int len;

	session_key(SESSION, key);
	assert_non_null(HMAC(EVP_sha256(), key, sizeof(key), dgram, KEEPALIVE_OFF_TAG,
			     dgram + KEEPALIVE_OFF_TAG, &len));
	assert_int_equal(len, KEEPALIVE_TAG_LEN);
}

/* RFC 5869 HKDF with SHA-256, written out with HMAC(): the reference for keepalive_derive_key. */
static void reference_hkdf(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
			   const uint8_t *info, size_t info_len, uint8_t *okm, size_t okm_len)
{
	static const uint8_t zeros[32];
	uint8_t prk[32], t[32], block[32 + 64 + 1];
	unsigned int len;
	size_t done = 0, t_len = 0;

	assert_true(info_len <= 64);
	if (!salt_len) {
		salt = zeros;
		salt_len = sizeof(zeros);
	}
	assert_non_null(HMAC(EVP_sha256(), salt, (int)salt_len, ikm, ikm_len, prk, &len));
	for (uint8_t i = 1; done < okm_len; i++) {
		memcpy(block, t, t_len);
		memcpy(block + t_len, info, info_len);
		block[t_len + info_len] = i;
		assert_non_null(HMAC(EVP_sha256(), prk, sizeof(prk), block, t_len + info_len + 1, t, &len));
		t_len = sizeof(t);
		memcpy(okm + done, t, okm_len - done < t_len ? okm_len - done : t_len);
		done += t_len;
	}
}

static void reference_hkdf_matches_rfc5869(void **state)
{
	/* RFC 5869 A.1 and A.3. */
	static const uint8_t salt1[13] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
					   0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c };
	static const uint8_t info1[10] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9 };
	static const uint8_t okm1[42] = { 0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f,
					  0x64, 0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a,
					  0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf, 0x34,
					  0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65 };
	static const uint8_t okm3[42] = { 0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f, 0x80,
					  0x2a, 0x06, 0x3c, 0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1,
					  0x87, 0x9e, 0xc3, 0x45, 0x4e, 0x5f, 0x3c, 0x73, 0x8d, 0x2d, 0x9d,
					  0x20, 0x13, 0x95, 0xfa, 0xa4, 0xb6, 0x1a, 0x96, 0xc8 };
	uint8_t ikm[22], okm[42];

	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	reference_hkdf(ikm, sizeof(ikm), salt1, sizeof(salt1), info1, sizeof(info1), okm, sizeof(okm));
	assert_memory_equal(okm, okm1, sizeof(okm));
	reference_hkdf(ikm, sizeof(ikm), NULL, 0, NULL, 0, okm, sizeof(okm));
	assert_memory_equal(okm, okm3, sizeof(okm));
}

static void derived_key_matches_reference_hkdf(void **state)
{
	static const uint64_t ids[] = { 0, 1, 0x100, SESSION, UINT64_MAX };
	static const size_t lens[] = { KEEPALIVE_MASTER_MIN_LEN, 32, 64 };
	uint8_t long_master[64], info[sizeof(KEEPALIVE_KDF_INFO) - 1 + 8], want[32], got[32];
	const size_t prefix = sizeof(KEEPALIVE_KDF_INFO) - 1;

	(void)state;
	for (size_t i = 0; i < sizeof(long_master); i++)
		long_master[i] = (uint8_t)(0xc0 ^ i * 7);
	memcpy(info, "wicket keepalive v1", prefix);
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			for (int b = 0; b < 8; b++)
				info[prefix + b] = (uint8_t)(ids[i] >> (56 - 8 * b));
			reference_hkdf(long_master, lens[l], NULL, 0, info, sizeof(info), want, sizeof(want));
			assert_int_equal(keepalive_derive_key(long_master, lens[l], ids[i], got), 0);
			assert_memory_equal(got, want, sizeof(want));
		}
	}
}

static void derived_key_known_answer(void **state)
{
	/* Python: HKDF-SHA256(ikm=bytes(range(32)), salt=b"", info=b"wicket keepalive v1" + SESSION BE, 32).
	 */
	static const uint8_t want[32] = { 0x38, 0x0f, 0xdb, 0x6e, 0x27, 0x31, 0x72, 0x7b, 0xfd, 0x4c, 0x52,
					  0x91, 0xc5, 0xbc, 0x97, 0x2d, 0x3e, 0x98, 0x98, 0x43, 0xd3, 0x7f,
					  0x7c, 0x37, 0x9f, 0xf0, 0xa5, 0x89, 0x59, 0xaa, 0x6c, 0x30 };
	uint8_t key[KEEPALIVE_KEY_LEN];

	(void)state;
	session_key(SESSION, key);
	assert_memory_equal(key, want, sizeof(want));
}

static void derived_key_differs_per_session_and_master(void **state)
{
	uint8_t other_master[32], a[32], b[32], c[32];

	(void)state;
	memcpy(other_master, master, sizeof(master));
	other_master[31] ^= 1;
	session_key(SESSION, a);
	session_key(SESSION + 1, b);
	assert_int_equal(keepalive_derive_key(other_master, sizeof(other_master), SESSION, c), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	assert_memory_not_equal(b, c, sizeof(b));
}

static void short_master_is_refused(void **state)
{
	uint8_t key[KEEPALIVE_KEY_LEN];

	(void)state;
	assert_int_equal(keepalive_derive_key(master, KEEPALIVE_MASTER_MIN_LEN - 1, SESSION, key), -EINVAL);
	assert_int_equal(keepalive_derive_key(NULL, 32, SESSION, key), -EINVAL);
}

/* A datagram built byte by byte in Python, tag included: pins the layout and byte order. */
static const uint8_t wire_vector[KEEPALIVE_LEN] = {
	0x57, 0x4b, 0x41, 0x31, 0x00, 0x00, 0x00, 0x00, 0x01, 0x23, 0x45, 0x67, /* "WKA1", flags, session */
	0x89, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, /* counter 258 */
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, /* nonce */
	0xac, 0xad, 0xae, 0xaf, 0x34, 0xa4, 0x54, 0xed, 0xed, 0x6f, 0x73, 0x0d, /* tag */
	0x46, 0xc9, 0xbe, 0x2f, 0x9d, 0xb8, 0xd4, 0x02, 0xb4, 0x02, 0xde, 0x90,
	0x4d, 0x28, 0x4a, 0x61, 0xb9, 0x41, 0xca, 0x45, 0xe4, 0xc3, 0x71, 0x4f,
};

static void wire_known_answer_verifies(void **state)
{
	struct sessions s = one_session();
	struct keepalive_msg msg;

	(void)state;
	s.last_counter = 257;
	assert_int_equal(keepalive_verify(wire_vector, sizeof(wire_vector), lookup, &s, &msg), KEEPALIVE_OK);
	assert_int_equal(msg.flags, 0);
	assert_true(msg.session_id == SESSION);
	assert_int_equal(msg.counter, 258);
	assert_memory_equal(msg.nonce, wire_vector + 24, KEEPALIVE_NONCE_LEN);
	assert_int_equal(msg.nonce[0], 0xa0);
}

static void build_then_verify_round_trip(void **state)
{
	struct sessions s = one_session();
	uint8_t dgram[KEEPALIVE_LEN];
	struct keepalive_msg msg;

	(void)state;
	build(0x1122334455667788ULL, dgram);
	assert_memory_equal(
		dgram, "WKA1\0\0\0\0\x01\x23\x45\x67\x89\xab\xcd\xef\x11\x22\x33\x44\x55\x66\x77\x88", 24);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, &msg), KEEPALIVE_OK);
	assert_int_equal(s.calls, 1);
	assert_true(msg.session_id == SESSION);
	assert_true(msg.counter == 0x1122334455667788ULL);
	assert_memory_equal(msg.nonce, dgram + KEEPALIVE_OFF_NONCE, KEEPALIVE_NONCE_LEN);
	/* The caller may pass no out. */
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_OK);
}

static void every_flipped_bit_is_rejected(void **state)
{
	struct sessions s = { .master = master, .any_session = true };
	uint8_t dgram[KEEPALIVE_LEN];
	struct keepalive_msg msg;

	(void)state;
	build(5, dgram);
	for (size_t i = 0; i < KEEPALIVE_LEN; i++) {
		int want = i < 3   ? KEEPALIVE_BAD_MAGIC
			   : i < 4 ? KEEPALIVE_BAD_VERSION
			   : i < 8 ? KEEPALIVE_BAD_FLAGS
				   : KEEPALIVE_BAD_TAG;

		for (int bit = 0; bit < 8; bit++) {
			dgram[i] ^= (uint8_t)(1 << bit);
			msg.counter = 99;
			assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, &msg), want);
			assert_int_equal(msg.counter, 0);
			dgram[i] ^= (uint8_t)(1 << bit);
		}
	}
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, &msg), KEEPALIVE_OK);
}

static void wrong_key_is_rejected(void **state)
{
	struct sessions s = one_session();
	uint8_t other_master[32], key[KEEPALIVE_KEY_LEN], dgram[KEEPALIVE_LEN];

	(void)state;
	/* Another gateway's key for the same session id. */
	memcpy(other_master, master, sizeof(master));
	other_master[0] ^= 0x80;
	assert_int_equal(keepalive_derive_key(other_master, sizeof(other_master), SESSION, key), 0);
	assert_int_equal(keepalive_build(key, SESSION, 1, dgram), 0);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_BAD_TAG);

	/* Another session's key, claiming this session. */
	session_key(SESSION + 1, key);
	assert_int_equal(keepalive_build(key, SESSION, 1, dgram), 0);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_BAD_TAG);
}

static void replayed_and_older_counters_are_rejected(void **state)
{
	struct sessions s = one_session();
	uint8_t older[KEEPALIVE_LEN], same[KEEPALIVE_LEN], next[KEEPALIVE_LEN];
	struct keepalive_msg msg;

	(void)state;
	build(9, older);
	build(10, same);
	build(11, next);
	s.last_counter = 10;
	assert_int_equal(keepalive_verify(same, sizeof(same), lookup, &s, &msg), KEEPALIVE_REPLAY);
	assert_int_equal(msg.counter, 10); /* authentic, so reported for the log */
	assert_int_equal(keepalive_verify(older, sizeof(older), lookup, &s, &msg), KEEPALIVE_REPLAY);
	assert_int_equal(msg.counter, 9);
	assert_int_equal(keepalive_verify(next, sizeof(next), lookup, &s, &msg), KEEPALIVE_OK);
	assert_int_equal(msg.counter, 11);
	s.last_counter = msg.counter;
	assert_int_equal(keepalive_verify(next, sizeof(next), lookup, &s, &msg), KEEPALIVE_REPLAY);
}

static void counter_zero_is_never_built_nor_accepted(void **state)
{
	struct sessions s = one_session();
	uint8_t key[KEEPALIVE_KEY_LEN], dgram[KEEPALIVE_LEN];

	(void)state;
	session_key(SESSION, key);
	assert_int_equal(keepalive_build(key, SESSION, 0, dgram), -EINVAL);
	/* Forced by hand: authentic, yet not above a fresh session's 0. */
	build(1, dgram);
	memset(dgram + KEEPALIVE_OFF_COUNTER, 0, 8);
	retag(dgram);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_REPLAY);
}

static void wrong_lengths_are_rejected(void **state)
{
	struct sessions s = one_session();
	uint8_t dgram[2 * KEEPALIVE_LEN];

	(void)state;
	build(1, dgram);
	memset(dgram + KEEPALIVE_LEN, 0, KEEPALIVE_LEN);
	assert_int_equal(keepalive_verify(dgram, 0, lookup, &s, NULL), KEEPALIVE_TOO_SHORT);
	assert_int_equal(keepalive_verify(dgram, 3, lookup, &s, NULL), KEEPALIVE_TOO_SHORT);
	assert_int_equal(keepalive_verify(dgram, 4, lookup, &s, NULL), KEEPALIVE_TOO_SHORT);
	assert_int_equal(keepalive_verify(dgram, KEEPALIVE_LEN - 1, lookup, &s, NULL), KEEPALIVE_TOO_SHORT);
	assert_int_equal(keepalive_verify(dgram, KEEPALIVE_LEN + 1, lookup, &s, NULL), KEEPALIVE_TOO_LONG);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_TOO_LONG);
	assert_int_equal(s.calls, 0);
	assert_int_equal(keepalive_verify(dgram, KEEPALIVE_LEN, lookup, &s, NULL), KEEPALIVE_OK);
}

static void bad_magic_is_rejected(void **state)
{
	struct sessions s = one_session();
	uint8_t dgram[KEEPALIVE_LEN];

	(void)state;
	build(1, dgram);
	memcpy(dgram, "WKB1", 4);
	retag(dgram);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_BAD_MAGIC);
	/* Not even ours: no length verdict for a stranger's datagram. */
	assert_int_equal(keepalive_verify((const uint8_t *)"GET / HTTP/1.0\r\n", 16, lookup, &s, NULL),
			 KEEPALIVE_BAD_MAGIC);
	assert_int_equal(s.calls, 0);
}

static void other_version_is_rejected(void **state)
{
	struct sessions s = one_session();
	uint8_t dgram[KEEPALIVE_LEN + 16];

	(void)state;
	build(1, dgram);
	dgram[3] = '2';
	retag(dgram);
	assert_int_equal(keepalive_verify(dgram, KEEPALIVE_LEN, lookup, &s, NULL), KEEPALIVE_BAD_VERSION);
	/* A later version with a longer datagram is still named a version mismatch. */
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_BAD_VERSION);
	dgram[3] = '0';
	assert_int_equal(keepalive_verify(dgram, KEEPALIVE_LEN, lookup, &s, NULL), KEEPALIVE_BAD_VERSION);
	assert_int_equal(s.calls, 0);
}

static void non_zero_flags_are_rejected_even_when_signed(void **state)
{
	struct sessions s = one_session();
	uint8_t dgram[KEEPALIVE_LEN];

	(void)state;
	for (int bit = 0; bit < 32; bit++) {
		build(1, dgram);
		dgram[KEEPALIVE_OFF_FLAGS + 3 - bit / 8] = (uint8_t)(1 << (bit % 8));
		retag(dgram);
		assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL),
				 KEEPALIVE_BAD_FLAGS);
	}
	assert_int_equal(s.calls, 0);
}

static void unknown_session_is_rejected(void **state)
{
	struct sessions s = one_session();
	uint8_t key[KEEPALIVE_KEY_LEN], dgram[KEEPALIVE_LEN];
	struct keepalive_msg msg;

	(void)state;
	session_key(SESSION + 1, key);
	assert_int_equal(keepalive_build(key, SESSION + 1, 1, dgram), 0);
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, &msg), KEEPALIVE_UNKNOWN_SESSION);
	assert_int_equal(s.calls, 1);
	assert_true(msg.session_id == 0); /* untrusted: not handed back */
}

static void failed_lookup_is_our_error(void **state)
{
	struct sessions s = one_session();
	uint8_t dgram[KEEPALIVE_LEN];

	(void)state;
	build(1, dgram);
	s.error = -EIO;
	assert_int_equal(keepalive_verify(dgram, sizeof(dgram), lookup, &s, NULL), KEEPALIVE_ERROR);
}

static void builds_with_the_same_counter_differ_and_both_verify(void **state)
{
	struct sessions s = one_session();
	uint8_t a[KEEPALIVE_LEN], b[KEEPALIVE_LEN];

	(void)state;
	build(7, a);
	build(7, b);
	assert_memory_equal(a, b, KEEPALIVE_OFF_NONCE);
	assert_memory_not_equal(a + KEEPALIVE_OFF_NONCE, b + KEEPALIVE_OFF_NONCE, KEEPALIVE_NONCE_LEN);
	assert_memory_not_equal(a + KEEPALIVE_OFF_TAG, b + KEEPALIVE_OFF_TAG, KEEPALIVE_TAG_LEN);
	assert_int_equal(keepalive_verify(a, sizeof(a), lookup, &s, NULL), KEEPALIVE_OK);
	assert_int_equal(keepalive_verify(b, sizeof(b), lookup, &s, NULL), KEEPALIVE_OK);
}

static void every_result_has_its_own_name(void **state)
{
	(void)state;
	for (int i = 0; i < KEEPALIVE_RESULT_COUNT; i++) {
		assert_non_null(keepalive_result_name(i));
		assert_string_not_equal(keepalive_result_name(i), "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(keepalive_result_name(i), keepalive_result_name(j));
	}
	assert_string_equal(keepalive_result_name(KEEPALIVE_BAD_TAG), "bad-tag");
	assert_string_equal(keepalive_result_name(-1), "unknown");
	assert_string_equal(keepalive_result_name(KEEPALIVE_RESULT_COUNT), "unknown");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The daemon's lookup once the session's key is cached: a copy. */
struct cached_key {
	uint8_t key[KEEPALIVE_KEY_LEN];
	uint64_t last_counter;
};

static int cached_lookup(void *arg, uint64_t session_id, uint8_t key[KEEPALIVE_KEY_LEN],
			 uint64_t *last_counter)
{
	const struct cached_key *c = arg;

	(void)session_id;
	memcpy(key, c->key, KEEPALIVE_KEY_LEN);
	*last_counter = c->last_counter;
	return 0;
}

static double rate(const uint8_t dgram[KEEPALIVE_LEN], keepalive_lookup_fn fn, void *arg)
{
	double start = now(), elapsed;
	long n = 0;

	do {
		for (int i = 0; i < 256; i++, n++)
			assert_int_equal(keepalive_verify(dgram, KEEPALIVE_LEN, fn, arg, NULL), KEEPALIVE_OK);
		elapsed = now() - start;
	} while (elapsed < 1.0);
	return n / elapsed;
}

/* Information, not a verdict: what one core verifies per second, over about a second each. */
static void verifications_per_second(void **state)
{
	struct sessions s = one_session();
	struct cached_key c = { .last_counter = 1 };
	uint8_t dgram[KEEPALIVE_LEN];

	(void)state;
	build(2, dgram);
	session_key(SESSION, c.key);
	printf("# keepalive: %.0f verifications/s on one core, key cached\n", rate(dgram, cached_lookup, &c));
	s.last_counter = 1;
	printf("# keepalive: %.0f verifications/s on one core, key derived (HKDF) per datagram\n",
	       rate(dgram, lookup, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_hkdf_matches_rfc5869),
		cmocka_unit_test(derived_key_matches_reference_hkdf),
		cmocka_unit_test(derived_key_known_answer),
		cmocka_unit_test(derived_key_differs_per_session_and_master),
		cmocka_unit_test(short_master_is_refused),
		cmocka_unit_test(wire_known_answer_verifies),
		cmocka_unit_test(build_then_verify_round_trip),
		cmocka_unit_test(every_flipped_bit_is_rejected),
		cmocka_unit_test(wrong_key_is_rejected),
		cmocka_unit_test(replayed_and_older_counters_are_rejected),
		cmocka_unit_test(counter_zero_is_never_built_nor_accepted),
		cmocka_unit_test(wrong_lengths_are_rejected),
		cmocka_unit_test(bad_magic_is_rejected),
		cmocka_unit_test(other_version_is_rejected),
		cmocka_unit_test(non_zero_flags_are_rejected_even_when_signed),
		cmocka_unit_test(unknown_session_is_rejected),
		cmocka_unit_test(failed_lookup_is_our_error),
		cmocka_unit_test(builds_with_the_same_counter_differ_and_both_verify),
		cmocka_unit_test(every_result_has_its_own_name),
		cmocka_unit_test(verifications_per_second),
	};

	return cmocka_run_group_tests_name("keepalive", tests, NULL, NULL);
}
