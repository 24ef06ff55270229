/*
 * The gateway's component manifest: see manifest.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "manifest.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int manifest_hex_decode(const char *text, size_t len, uint8_t *out, size_t n)
{
	if (len == 2 * n + 1 && text[2 * n] == '\n')
		len--;
	if (len != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void manifest_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int manifest_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > MANIFEST_NAME_MAX || name[0] == '.')
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int manifest_verify(const uint8_t key[MANIFEST_KEY_LEN], const void *body, size_t len,
		    const uint8_t sig[MANIFEST_SIG_LEN])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, MANIFEST_KEY_LEN);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = -EBADMSG;

	if (!pkey || !ctx) {
		/* A 32-byte string that is no point of the curve is refused here too. */
		ret = pkey ? -ENOMEM : -EBADMSG;
		goto out;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, MANIFEST_SIG_LEN, body, len) == 1)
		ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ret;
}

/* obj[key] as a string of 1..max bytes into out. */
static int get_string(json_t *obj, const char *key, char *out, size_t outlen, const char *where, char *err,
		      size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	if (!v)
		return fail(err, errlen, "the manifest has no \"%s\"%s", key, where);
	if (!json_is_string(v))
		return fail(err, errlen, "the manifest's \"%s\"%s is not a string", key, where);
	n = json_string_length(v);
	if (n == 0 || n >= outlen || strlen(json_string_value(v)) != n)
		return fail(err, errlen, "the manifest's \"%s\"%s is empty or too long", key, where);
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

static int get_int(json_t *obj, const char *key, int64_t *out, const char *where, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return fail(err, errlen, "the manifest has no \"%s\"%s", key, where);
	if (!json_is_integer(v))
		return fail(err, errlen, "the manifest's \"%s\"%s is not an integer", key, where);
	*out = json_integer_value(v);
	return 0;
}

static int parse_component(json_t *c, size_t i, struct manifest_component *mc, char *err, size_t errlen)
{
	char where[48], url[sizeof(mc->url) + 1];
	int ret;

	snprintf(where, sizeof(where), " in component %zu", i + 1);
	if (!json_is_object(c))
		return fail(err, errlen, "the manifest's component %zu is not an object", i + 1);
	if ((ret = get_string(c, "name", mc->name, sizeof(mc->name), where, err, errlen)) ||
	    (ret = get_int(c, "version", &mc->version, where, err, errlen)) ||
	    (ret = get_string(c, "sha256", mc->sha256, sizeof(mc->sha256), where, err, errlen)) ||
	    (ret = get_int(c, "size", &mc->size, where, err, errlen)) ||
	    (ret = get_string(c, "url", url, sizeof(url), where, err, errlen)))
		return ret;
	if (!manifest_name_valid(mc->name))
		return fail(err, errlen, "the manifest's component %zu has an invalid name", i + 1);
	if (mc->version < 0)
		return fail(err, errlen, "component %s has a negative version", mc->name);
	if (strlen(mc->sha256) != 64 || strspn(mc->sha256, "0123456789abcdefABCDEF") != 64)
		return fail(err, errlen, "component %s's sha256 is not 64 hex digits", mc->name);
	for (char *s = mc->sha256; *s; s++)
		if (*s >= 'A' && *s <= 'F')
			*s = (char)(*s - 'A' + 'a');
	if (mc->size < 0 || mc->size > MANIFEST_MAX_SIZE)
		return fail(err, errlen, "component %s's size %" PRId64 " is not within 0..%lld", mc->name,
			    mc->size, MANIFEST_MAX_SIZE);
	snprintf(mc->url, sizeof(mc->url), "%s%s", MANIFEST_FILES_PATH, mc->name);
	if (strcmp(url, mc->url) != 0)
		return fail(err, errlen, "component %s's url is not %s", mc->name, mc->url);
	return 0;
}

int manifest_parse(const void *body, size_t len, struct manifest *m, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *list, *c;
	int64_t format;
	size_t i;
	int ret;

	memset(m, 0, sizeof(*m));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(err, errlen, "the manifest is not JSON: %s (line %d)", jerr.text, jerr.line);
	if (!json_is_object(root)) {
		ret = fail(err, errlen, "the manifest is not a JSON object");
		goto out;
	}
	if ((ret = get_int(root, "format", &format, "", err, errlen)))
		goto out;
	if (format != 1) {
		ret = fail(err, errlen,
			   "the manifest's format %" PRId64 " is not 1: this helper is too old for it",
			   format);
		goto out;
	}
	if ((ret = get_string(root, "gateway", m->gateway, sizeof(m->gateway), "", err, errlen)) ||
	    (ret = get_int(root, "issued", &m->issued, "", err, errlen)))
		goto out;
	list = json_object_get(root, "components");
	if (!json_is_array(list)) {
		ret = fail(err, errlen, "the manifest's \"components\" is %s",
			   list ? "not an array" : "missing");
		goto out;
	}
	if (json_array_size(list) > MANIFEST_MAX_COMPONENTS) {
		ret = fail(err, errlen, "the manifest lists %zu components, more than %d",
			   json_array_size(list), MANIFEST_MAX_COMPONENTS);
		goto out;
	}
	json_array_foreach(list, i, c)
	{
		if ((ret = parse_component(c, i, &m->c[i], err, errlen)))
			goto out;
		if (manifest_find(m, m->c[i].name)) {
			ret = fail(err, errlen, "the manifest lists component %s twice", m->c[i].name);
			goto out;
		}
		m->n = i + 1;
	}
	ret = 0;
out:
	json_decref(root);
	if (ret)
		m->n = 0;
	return ret;
}

const struct manifest_component *manifest_find(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->c[i].name, name) == 0)
			return &m->c[i];
	return NULL;
}
