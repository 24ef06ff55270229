/*
 * The keepalive wire protocol: see keepalive_proto.h for the datagram,
 * the key derivation and the order of the checks.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "keepalive_proto.h"

_Static_assert(KEEPALIVE_OFF_TAG + KEEPALIVE_TAG_LEN == KEEPALIVE_LEN, "datagram layout");
_Static_assert(KEEPALIVE_OFF_NONCE + KEEPALIVE_NONCE_LEN == KEEPALIVE_OFF_TAG, "datagram layout");

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* HMAC-SHA256(key, everything before the tag). */
static int compute_tag(const uint8_t key[KEEPALIVE_KEY_LEN], const uint8_t *dgram,
		       uint8_t tag[KEEPALIVE_TAG_LEN])
{
	unsigned int tag_len = 0;

	if (!HMAC(EVP_sha256(), key, KEEPALIVE_KEY_LEN, dgram, KEEPALIVE_OFF_TAG, tag, &tag_len) ||
	    tag_len != KEEPALIVE_TAG_LEN)
		return -EIO;
	return 0;
}

int keepalive_derive_key(const uint8_t *master, size_t master_len, uint64_t session_id,
			 uint8_t key[KEEPALIVE_KEY_LEN])
{
	uint8_t info[sizeof(KEEPALIVE_KDF_INFO) - 1 + 8];
	OSSL_PARAM params[4];
	EVP_KDF_CTX *ctx = NULL;
	EVP_KDF *kdf;
	int ret = -EIO;

	if (!master || master_len < KEEPALIVE_MASTER_MIN_LEN)
		return -EINVAL;

	memcpy(info, KEEPALIVE_KDF_INFO, sizeof(KEEPALIVE_KDF_INFO) - 1);
	put_be64(info + sizeof(KEEPALIVE_KDF_INFO) - 1, session_id);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)master, master_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info));
	params[3] = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		goto out;
	ctx = EVP_KDF_CTX_new(kdf);
	if (!ctx)
		goto out;
	if (EVP_KDF_derive(ctx, key, KEEPALIVE_KEY_LEN, params) == 1)
		ret = 0;
out:
	if (ret)
		OPENSSL_cleanse(key, KEEPALIVE_KEY_LEN);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

int keepalive_build(const uint8_t key[KEEPALIVE_KEY_LEN], uint64_t session_id, uint64_t counter,
		    uint8_t out[KEEPALIVE_LEN])
{
	if (counter == 0)
		return -EINVAL;

	memcpy(out + KEEPALIVE_OFF_MAGIC, KEEPALIVE_MAGIC, 3);
	out[KEEPALIVE_OFF_MAGIC + 3] = KEEPALIVE_VERSION;
	put_be32(out + KEEPALIVE_OFF_FLAGS, 0);
	put_be64(out + KEEPALIVE_OFF_SESSION, session_id);
	put_be64(out + KEEPALIVE_OFF_COUNTER, counter);
	if (RAND_bytes(out + KEEPALIVE_OFF_NONCE, KEEPALIVE_NONCE_LEN) != 1 ||
	    compute_tag(key, out, out + KEEPALIVE_OFF_TAG)) {
		memset(out, 0, KEEPALIVE_LEN);
		return -EIO;
	}
	return 0;
}

/* Steps 1-4 of the header comment: what can be checked without a key. */
static int check_framing(const uint8_t *dgram, size_t len)
{
	if (len < 4)
		return KEEPALIVE_TOO_SHORT;
	if (memcmp(dgram + KEEPALIVE_OFF_MAGIC, KEEPALIVE_MAGIC, 3))
		return KEEPALIVE_BAD_MAGIC;
	if (dgram[KEEPALIVE_OFF_MAGIC + 3] != KEEPALIVE_VERSION)
		return KEEPALIVE_BAD_VERSION;
	if (len < KEEPALIVE_LEN)
		return KEEPALIVE_TOO_SHORT;
	if (len > KEEPALIVE_LEN)
		return KEEPALIVE_TOO_LONG;
	if (get_be32(dgram + KEEPALIVE_OFF_FLAGS) & ~KEEPALIVE_FLAGS_ALL)
		return KEEPALIVE_BAD_FLAGS;
	return KEEPALIVE_OK;
}

int keepalive_verify(const uint8_t *dgram, size_t len, keepalive_lookup_fn lookup, void *arg,
		     struct keepalive_msg *out)
{
	uint8_t key[KEEPALIVE_KEY_LEN], tag[KEEPALIVE_TAG_LEN];
	uint64_t session_id, counter, last_counter = 0;
	int ret, err;

	if (out)
		memset(out, 0, sizeof(*out));
	ret = check_framing(dgram, len);
	if (ret != KEEPALIVE_OK)
		return ret;

	/* Untrusted until the tag verifies: used only to find the key. */
	session_id = get_be64(dgram + KEEPALIVE_OFF_SESSION);
	err = lookup(arg, session_id, key, &last_counter);
	if (err == -ENOENT)
		return KEEPALIVE_UNKNOWN_SESSION;
	if (err)
		return KEEPALIVE_ERROR;

	err = compute_tag(key, dgram, tag);
	OPENSSL_cleanse(key, sizeof(key));
	if (err)
		return KEEPALIVE_ERROR;
	if (CRYPTO_memcmp(tag, dgram + KEEPALIVE_OFF_TAG, KEEPALIVE_TAG_LEN))
		return KEEPALIVE_BAD_TAG;

	counter = get_be64(dgram + KEEPALIVE_OFF_COUNTER);
	ret = counter > last_counter ? KEEPALIVE_OK : KEEPALIVE_REPLAY;
	if (out) {
		out->flags = get_be32(dgram + KEEPALIVE_OFF_FLAGS);
		out->session_id = session_id;
		out->counter = counter;
		memcpy(out->nonce, dgram + KEEPALIVE_OFF_NONCE, KEEPALIVE_NONCE_LEN);
	}
	return ret;
}

const char *keepalive_result_name(int result)
{
	static const char *const names[KEEPALIVE_RESULT_COUNT] = {
		[KEEPALIVE_OK] = "ok",
		[KEEPALIVE_TOO_SHORT] = "too-short",
		[KEEPALIVE_TOO_LONG] = "too-long",
		[KEEPALIVE_BAD_MAGIC] = "bad-magic",
		[KEEPALIVE_BAD_VERSION] = "bad-version",
		[KEEPALIVE_BAD_FLAGS] = "bad-flags",
		[KEEPALIVE_UNKNOWN_SESSION] = "unknown-session",
		[KEEPALIVE_BAD_TAG] = "bad-tag",
		[KEEPALIVE_REPLAY] = "replay",
		[KEEPALIVE_ERROR] = "error",
	};

	if (result < 0 || result >= KEEPALIVE_RESULT_COUNT)
		return "unknown";
	return names[result];
}
