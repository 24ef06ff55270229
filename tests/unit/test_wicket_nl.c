/*
 * Unit tests of wicket-nl's own languages: the attribute words of
 * "wicket-nl raw" (the bytes must be exactly what the words say, since the
 * kernel tests use them to probe the module's validation) and its numbers
 * and names.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../tools/raw-attrs.h"
#include "../tools/wicket-nl.h"

static struct raw_attrs *r;
static char why[WHY_LEN];

static int setup(void **state)
{
	(void)state;
	r = calloc(1, sizeof(*r));
	return r ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(r);
	return 0;
}

/* Feeds the words; 0 if all were taken and every nest closed. */
static int build(const char *const *words)
{
	memset(r, 0, sizeof(*r));
	for (; *words; words++)
		if (raw_attrs_add(r, *words, why))
			return -1;
	return raw_attrs_finish(r, why);
}

#define BUILD(...) build((const char *const[]){ __VA_ARGS__, NULL })

static const struct nlattr *attr_at(size_t offset)
{
	return (const struct nlattr *)(r->data + offset);
}

static void integers_are_their_bytes_in_order(void **state)
{
	static const uint8_t want[] = {
		8,  0, 1, 0, 0x01, 0,    0,    0, /* 1:u32:01000000 */
		5,  0, 4, 0, 0x09, 0,    0,    0, /* 4:u8:09, padded */
		6,  0, 1, 0, 0x01, 0,    0,    0, /* 1:u16:0100 */
		12, 0, 7, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* 7:u64:8877665544332211 */
	};

	(void)state;
	assert_int_equal(BUILD("1:u32:01000000", "4:u8:09", "1:u16:0100", "7:u64:8877665544332211"), 0);
	assert_int_equal(r->len, sizeof(want));
	assert_memory_equal(r->data, want, sizeof(want));
}

static void integers_as_numbers_are_in_host_order(void **state)
{
	uint32_t v32 = 0x12345678;
	uint64_t v64 = 0x1122334455667788ULL;
	uint16_t v16 = 0xabc;

	(void)state;
	assert_int_equal(BUILD("1:u32:0x12345678", "2:u64:0x1122334455667788", "3:u16:0xabc", "4:u8:0xff"),
			 0);
	assert_int_equal(attr_at(0)->nla_len, 8);
	assert_memory_equal(mnl_attr_get_payload(attr_at(0)), &v32, 4);
	assert_int_equal(attr_at(8)->nla_len, 12);
	assert_memory_equal(mnl_attr_get_payload(attr_at(8)), &v64, 8);
	assert_int_equal(attr_at(20)->nla_type, 3);
	assert_memory_equal(mnl_attr_get_payload(attr_at(20)), &v16, 2);
	assert_int_equal(*(const uint8_t *)mnl_attr_get_payload(attr_at(28)), 0xff);
	assert_int_equal(r->len, 36);
	/* As long as the bytes would be, still a number. */
	v16 = 0x12;
	assert_int_equal(BUILD("5:u16:0x12"), 0);
	assert_memory_equal(mnl_attr_get_payload(attr_at(0)), &v16, 2);
}

static void strings_and_hex_are_as_written(void **state)
{
	(void)state;
	assert_int_equal(BUILD("3:str:abc", "3:strz:abc", "3:hex:", "3:hex:00ff10", "3:str:a:b"), 0);
	assert_int_equal(attr_at(0)->nla_len, 7);
	assert_memory_equal(mnl_attr_get_payload(attr_at(0)), "abc", 3);
	assert_int_equal(attr_at(8)->nla_len, 8);
	assert_memory_equal(mnl_attr_get_payload(attr_at(8)), "abc", 4);
	assert_int_equal(attr_at(16)->nla_len, 4);
	assert_int_equal(attr_at(20)->nla_len, 7);
	assert_memory_equal(mnl_attr_get_payload(attr_at(20)), "\x00\xff\x10", 3);
	/* A value may hold colons. */
	assert_int_equal(attr_at(28)->nla_len, 7);
	assert_memory_equal(mnl_attr_get_payload(attr_at(28)), "a:b", 3);
	assert_int_equal(r->len, 36);
}

static void nests_wrap_what_they_hold(void **state)
{
	const struct nlattr *clients, *client, *inner;

	(void)state;
	assert_int_equal(BUILD("1:u32:01000000", "5:nest{", "6:nest{", "1:u32:07000000", "2:hex:020000000202",
			       "}", "6:nest{", "}", "}", "10:u32:00010000"),
			 0);
	clients = attr_at(8);
	assert_int_equal(clients->nla_type, 5 | NLA_F_NESTED);
	/* header, client { header, u32, mac }, empty client */
	assert_int_equal(clients->nla_len, 4 + (4 + 8 + 12) + 4);
	client = attr_at(12);
	assert_int_equal(client->nla_type, 6 | NLA_F_NESTED);
	assert_int_equal(client->nla_len, 4 + 8 + 12);
	inner = attr_at(16);
	assert_int_equal(mnl_attr_get_u32(inner), 7);
	inner = attr_at(24);
	assert_int_equal(inner->nla_len, 10);
	assert_memory_equal(mnl_attr_get_payload(inner), "\x02\x00\x00\x00\x02\x02", 6);
	assert_int_equal(attr_at(36)->nla_type, 6 | NLA_F_NESTED);
	assert_int_equal(attr_at(36)->nla_len, 4);
	assert_int_equal(attr_at(40)->nla_type, 10);
	assert_int_equal(mnl_attr_get_u32(attr_at(40)), 0x100);
	assert_int_equal(r->len, 48);
}

static void hexrep_repeats_a_byte(void **state)
{
	const uint8_t *p;
	size_t i;

	(void)state;
	assert_int_equal(BUILD("hexrep:3:41:60000", "hexrep:0x4:f:3"), 0);
	assert_int_equal(attr_at(0)->nla_type, 3);
	assert_int_equal(attr_at(0)->nla_len, 60004);
	p = mnl_attr_get_payload(attr_at(0));
	for (i = 0; i < 60000; i++)
		if (p[i] != 0x41)
			fail_msg("byte %zu is 0x%02x", i, p[i]);
	assert_int_equal(attr_at(60004)->nla_type, 4);
	assert_int_equal(attr_at(60004)->nla_len, 7);
	assert_memory_equal(mnl_attr_get_payload(attr_at(60004)), "\x0f\x0f\x0f", 3);
}

static void bad_words_are_refused(void **state)
{
	static const char *const bad[] = {
		"1:u32:010000",
		"1:u32:0100000000",
		"1:u32:1",
		"1:u32:",
		"1:u8:0x100",
		"1:u16:0x",
		"1:u32:zz000000",
		"1:u9:01",
		"1:nest",
		"x:u8:01",
		"65536:u8:01",
		"-1:u8:01",
		"1:hex:abc",
		"1:hex:zz",
		"1:u8",
		"1",
		"",
		"hexrep:3:41",
		"hexrep:3:4141:1",
		"hexrep:3::1",
		"hexrep:3:41:65532",
		"hexrep:3:g:1",
		"hexrep:x:41:1",
		"hexrep:3:41:-1",
		"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (BUILD(bad[i]) == 0)
			fail_msg("'%s' was taken", bad[i]);
	/* The largest attribute there is, though, fits. */
	assert_int_equal(BUILD("hexrep:3:41:65531"), 0);
}

static void nests_must_close_and_fit_16_bits(void **state)
{
	(void)state;
	assert_int_not_equal(BUILD("5:nest{", "1:u8:01"), 0);
	assert_non_null(strstr(why, "not closed"));
	assert_int_not_equal(BUILD("5:nest{", "}", "}"), 0);
	/* 2 * 40004 + 4 bytes: more than a nest's 16-bit length can say. */
	assert_int_not_equal(BUILD("5:nest{", "hexrep:1:00:40000", "hexrep:1:00:40000", "}"), 0);
	assert_int_equal(BUILD("5:nest{", "hexrep:1:00:40000", "hexrep:1:00:20000", "}"), 0);
	/* More than a request holds. */
	assert_int_not_equal(BUILD("hexrep:1:00:60000", "hexrep:1:00:60000", "hexrep:1:00:60000"), 0);
}

static void numbers_are_strict(void **state)
{
	static const char *const bad[] = { "",   "-1", "+1", " 1", "1 ", "1x", "0x1", "18446744073709551616",
					   "1e3" };
	uint64_t v;
	size_t i;

	(void)state;
	assert_int_equal(nl_parse_u64("0", 10, &v), 0);
	assert_true(v == 0);
	assert_int_equal(nl_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(nl_parse_u64("11", 10, &v), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nl_parse_u64(bad[i], UINT64_MAX, &v) == 0)
			fail_msg("'%s' was taken", bad[i]);

	assert_int_equal(nl_parse_number("0xff", 255, &v), 0);
	assert_true(v == 255);
	assert_int_equal(nl_parse_number("0XF00", UINT32_MAX, &v), 0);
	assert_true(v == 0xf00);
	assert_int_equal(nl_parse_number("4096", UINT32_MAX, &v), 0);
	assert_true(v == 4096);
	assert_int_equal(nl_parse_number("0x100", 255, &v), -1);
	assert_int_equal(nl_parse_number("0x", 255, &v), -1);
	assert_int_equal(nl_parse_number("0x-1", 255, &v), -1);
	assert_int_equal(nl_parse_number("0x 1", 255, &v), -1);
}

static void names_round_trip(void **state)
{
	static const char *const states[] = { "captive", "provisional", "authorized", "blocked" };
	static const char *const modes[] = { "charge", "free", "blocked" };
	char buf[16];
	uint8_t v;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(nl_parse_state(states[i], &v), 0);
		assert_int_equal(v, WICKET_STATE_CAPTIVE + i);
		assert_string_equal(nl_state_name(v, buf, sizeof(buf)), states[i]);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(nl_parse_mode(modes[i], &v), 0);
		assert_int_equal(v, WICKET_PORT_CHARGE + i);
		assert_string_equal(nl_mode_name(v, buf, sizeof(buf)), modes[i]);
	}
	assert_int_equal(nl_parse_state("charge", &v), -1);
	assert_int_equal(nl_parse_mode("captive", &v), -1);
	assert_int_equal(nl_parse_state("", &v), -1);
	assert_int_equal(nl_parse_state("Authorized", &v), -1);
	/* A value of a newer module: its number. */
	assert_string_equal(nl_state_name(9, buf, sizeof(buf)), "9");
	assert_string_equal(nl_state_name(0, buf, sizeof(buf)), "0");
	assert_string_equal(nl_mode_name(200, buf, sizeof(buf)), "200");
}

static void devices_are_numbers_or_names(void **state)
{
	uint32_t ifindex = 0;

	(void)state;
	assert_int_equal(nl_parse_dev("9999", &ifindex, why), 0);
	assert_int_equal(ifindex, 9999);
	assert_int_equal(nl_parse_dev("no-such-if0", &ifindex, why), -1);
	assert_non_null(strstr(why, "no-such-if0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers_are_their_bytes_in_order),
		cmocka_unit_test(integers_as_numbers_are_in_host_order),
		cmocka_unit_test(strings_and_hex_are_as_written),
		cmocka_unit_test(nests_wrap_what_they_hold),
		cmocka_unit_test(hexrep_repeats_a_byte),
		cmocka_unit_test(bad_words_are_refused),
		cmocka_unit_test(nests_must_close_and_fit_16_bits),
		cmocka_unit_test(numbers_are_strict),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(devices_are_numbers_or_names),
	};

	return cmocka_run_group_tests_name("wicket_nl", tests, setup, teardown);
}
