/*
 * Unit tests of daemon/kernel.c's parsers: what wicketd makes of the
 * module's answers, good, newer and broken.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"
#include "uapi/wicket.h"

static char buf[4096];

static struct nlmsghdr *genl_message(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = WICKET_GENL_VERSION;
	return nlh;
}

static struct nlmsghdr *version_reply(void)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_GET_VERSION);

	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, 3);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL_MIN, 2);
	mnl_attr_put_strz(nlh, WICKET_A_RELEASE, "1.2.3");
	return nlh;
}

static void version_is_parsed(void **state)
{
	struct kernel_version v;

	(void)state;
	assert_int_equal(kernel_parse_version(version_reply(), &v), 0);
	assert_int_equal(v.protocol, 3);
	assert_int_equal(v.protocol_min, 2);
	assert_string_equal(v.release, "1.2.3");
}

static void version_skips_attributes_of_a_newer_module(void **state)
{
	struct nlmsghdr *nlh = version_reply();
	struct kernel_version v;

	(void)state;
	mnl_attr_put_u64(nlh, WICKET_A_MAX + 7, 42);
	assert_int_equal(kernel_parse_version(nlh, &v), 0);
	assert_int_equal(v.protocol, 3);
}

static void version_with_a_wrong_type_is_refused(void **state)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_GET_VERSION);
	struct kernel_version v;

	(void)state;
	mnl_attr_put_u16(nlh, WICKET_A_PROTOCOL, 1);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL_MIN, 1);
	mnl_attr_put_strz(nlh, WICKET_A_RELEASE, "1.2.3");
	assert_int_equal(kernel_parse_version(nlh, &v), -EBADMSG);
}

static void version_without_release_is_refused(void **state)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_GET_VERSION);
	struct kernel_version v;

	(void)state;
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, 1);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL_MIN, 1);
	assert_int_equal(kernel_parse_version(nlh, &v), -EBADMSG);
}

static void version_with_inverted_range_is_refused(void **state)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_GET_VERSION);
	struct kernel_version v;

	(void)state;
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, 1);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL_MIN, 2);
	mnl_attr_put_strz(nlh, WICKET_A_RELEASE, "1.2.3");
	assert_int_equal(kernel_parse_version(nlh, &v), -EBADMSG);
}

static void version_with_unterminated_release_is_refused(void **state)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_GET_VERSION);
	struct kernel_version v;

	(void)state;
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, 1);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL_MIN, 1);
	mnl_attr_put(nlh, WICKET_A_RELEASE, 4, "abcd");
	assert_int_equal(kernel_parse_version(nlh, &v), -EBADMSG);
}

/* An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and EXT_ACK. */
static struct nlmsghdr *error_message(int error, const char *text, int capped)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr) + 64;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	}
	return nlh;
}

static void error_message_of_the_kernel_is_kept(void **state)
{
	char msg[64];

	(void)state;
	assert_int_equal(kernel_parse_error(error_message(-EPROTO, "unsupported wicket protocol revision", 1),
					    msg, sizeof(msg)),
			 -EPROTO);
	assert_string_equal(msg, "unsupported wicket protocol revision");
}

static void error_without_message_gives_the_code(void **state)
{
	char msg[64];

	(void)state;
	assert_int_equal(kernel_parse_error(error_message(-EPERM, NULL, 1), msg, sizeof(msg)), -EPERM);
	assert_string_equal(msg, "");
}

static void ack_is_zero(void **state)
{
	char msg[64];

	(void)state;
	assert_int_equal(kernel_parse_error(error_message(0, NULL, 1), msg, sizeof(msg)), 0);
}

static void uncapped_error_with_a_lying_length_is_refused(void **state)
{
	char msg[64];

	(void)state;
	/* Not capped: the TLVs would start after a 64-byte echo that is not there. */
	assert_int_equal(kernel_parse_error(error_message(-EINVAL, "x", 0), msg, sizeof(msg)), -EBADMSG);
}

static void truncated_error_is_refused(void **state)
{
	struct nlmsghdr *nlh = error_message(-EINVAL, NULL, 1);
	char msg[64];

	(void)state;
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(kernel_parse_error(nlh, msg, sizeof(msg)), -EBADMSG);
}

static void long_error_message_is_cut_not_overflowed(void **state)
{
	char text[300], msg[16];

	(void)state;
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(kernel_parse_error(error_message(-EINVAL, text, 1), msg, sizeof(msg)), -EINVAL);
	assert_int_equal(strlen(msg), sizeof(msg) - 1);
}

static void family_id_is_parsed(void **state)
{
	struct nlmsghdr *nlh = genl_message(CTRL_CMD_NEWFAMILY);
	uint16_t id;

	(void)state;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1d);
	assert_int_equal(kernel_parse_family_id(nlh, &id), 0);
	assert_int_equal(id, 0x1d);
}

static void family_without_id_is_refused(void **state)
{
	struct nlmsghdr *nlh = genl_message(CTRL_CMD_NEWFAMILY);
	uint16_t id;

	(void)state;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	assert_int_equal(kernel_parse_family_id(nlh, &id), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_is_parsed),
		cmocka_unit_test(version_skips_attributes_of_a_newer_module),
		cmocka_unit_test(version_with_a_wrong_type_is_refused),
		cmocka_unit_test(version_without_release_is_refused),
		cmocka_unit_test(version_with_inverted_range_is_refused),
		cmocka_unit_test(version_with_unterminated_release_is_refused),
		cmocka_unit_test(error_message_of_the_kernel_is_kept),
		cmocka_unit_test(error_without_message_gives_the_code),
		cmocka_unit_test(ack_is_zero),
		cmocka_unit_test(uncapped_error_with_a_lying_length_is_refused),
		cmocka_unit_test(truncated_error_is_refused),
		cmocka_unit_test(long_error_message_is_cut_not_overflowed),
		cmocka_unit_test(family_id_is_parsed),
		cmocka_unit_test(family_without_id_is_refused),
	};

	return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
