/*
 * libFuzzer: the body of a guest's POST /api/v1/login or /api/v1/extend
 * (daemon/portal_api.c) into a billing preference, as wicketd reads it:
 * json_loadb() with JSON_REJECT_DUPLICATES of at most 16 KiB, as
 * portal_request_json() (portal.c) does, then
 * portal_preference_from_json(); the method then goes through
 * store_method_parse() as billing_submit() does.
 *
 * Input: the request body.
 *
 * Checked, besides what ASan and UBSan see: every field of the preference
 * is NUL-terminated, and is the body's string of that name cut to its
 * size (or "" when it is missing or not a string); a body that is not an
 * object is refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "billing.h"
#include "portal_internal.h"
#include "store_billing.h"

#define BODY_MAX (16 << 10) /* portal.c's */

static void check_field(const json_t *body, const char *key, const char *field, size_t size)
{
	const char *v = json_string_value(json_object_get(body, key));
	size_t n = strnlen(field, size), want = v ? strlen(v) : 0;

	if (n == size)
		abort(); /* no NUL */
	if (want > size - 1)
		want = size - 1;
	if (n != want || (n && memcmp(field, v, n)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct billing_preference pref;
	json_error_t jerr;
	json_t *body;
	char err[128];
	int ret;

	if (size > BODY_MAX)
		return 0;
	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	err[0] = '\0';
	memset(&pref, 0x5a, sizeof(pref));
	ret = portal_preference_from_json(body, &pref, err, sizeof(err));
	if (!json_is_object(body)) {
		static const struct billing_preference zero;

		if (ret == 0 || !err[0] || memcmp(&pref, &zero, sizeof(pref)))
			abort();
		json_decref(body);
		return 0;
	}
	if (ret)
		abort();
	check_field(body, "plan", pref.plan, sizeof(pref.plan));
	check_field(body, "method", pref.method, sizeof(pref.method));
	check_field(body, "voucher", pref.voucher, sizeof(pref.voucher));
	check_field(body, "room", pref.room, sizeof(pref.room));
	check_field(body, "surname", pref.surname, sizeof(pref.surname));
	check_field(body, "account", pref.account, sizeof(pref.account));
	check_field(body, "secret", pref.secret, sizeof(pref.secret));
	/* billing_submit()'s first look at it: a known method or none. */
	if (store_method_parse(pref.method) & ~STORE_METHOD_ALL)
		abort();
	json_decref(body);
	return 0;
}
