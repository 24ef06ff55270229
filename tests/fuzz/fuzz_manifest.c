/*
 * libFuzzer: what wicket-helper's `update` reads from the gateway
 * (client/manifest.c): the manifest's key and signature in hex
 * (manifest_hex_decode(), as update.c decodes the bodies of
 * /api/v1/components/key and .../manifest.sig) and the manifest itself
 * (manifest_parse(), the strict parse; in update.c only after the
 * signature verified, here on any bytes, as a gateway with a stolen key
 * could send them).
 *
 * Input: the body.
 *
 * Checked, besides what ASan and UBSan see: a hex decode takes exactly
 * 2n hex digits and one optional newline, and gives back the digits it
 * read; a parsed manifest keeps every promise of manifest.h (names valid
 * and unique, each found by manifest_find(), lower-case sha256 of 64
 * digits, sizes and versions in range, url that of the name); a refused
 * one has a message and no components.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

static void check_hex(const uint8_t *data, size_t size, size_t n)
{
	uint8_t out[MANIFEST_SIG_LEN];
	char again[2 * MANIFEST_SIG_LEN + 1];
	int ret = manifest_hex_decode((const char *)data, size, out, n);
	size_t digits = size;
	int want = 1;

	if (size == 2 * n + 1 && data[2 * n] == '\n')
		digits--;
	if (digits != 2 * n)
		want = 0;
	for (size_t i = 0; want && i < digits; i++)
		want = isxdigit(data[i]) != 0;
	if ((ret == 0) != want)
		abort();
	if (ret == 0) {
		manifest_hex_encode(out, n, again);
		for (size_t i = 0; i < 2 * n; i++)
			if (again[i] != tolower(data[i]))
				abort();
	}
}

static void check_manifest(const struct manifest *m)
{
	if (m->n > MANIFEST_MAX_COMPONENTS || !m->gateway[0] ||
	    strnlen(m->gateway, sizeof(m->gateway)) == sizeof(m->gateway))
		abort();
	for (size_t i = 0; i < m->n; i++) {
		const struct manifest_component *c = &m->c[i];

		if (!manifest_name_valid(c->name) || manifest_find(m, c->name) != c || c->version < 0 ||
		    c->size < 0 || c->size > MANIFEST_MAX_SIZE || strlen(c->sha256) != 64 ||
		    strspn(c->sha256, "0123456789abcdef") != 64 ||
		    strncmp(c->url, MANIFEST_FILES_PATH, strlen(MANIFEST_FILES_PATH)) ||
		    strcmp(c->url + strlen(MANIFEST_FILES_PATH), c->name))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = malloc(sizeof(*m));
	char err[256];
	int ret;

	if (!m)
		abort();
	check_hex(data, size, MANIFEST_KEY_LEN);
	check_hex(data, size, MANIFEST_SIG_LEN);

	err[0] = '\0';
	memset(m, 0x5a, sizeof(*m));
	ret = manifest_parse(data, size, m, err, sizeof(err));
	if (ret == 0)
		check_manifest(m);
	else if (ret != -EINVAL || !err[0] || m->n != 0)
		abort();
	free(m);
	return 0;
}
