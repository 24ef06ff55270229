/*
 * Unit tests of daemon/kernel.c's builders and parsers for the whole uapi:
 * client batches as the module will read them, the module's replies and
 * events (good, newer, broken), error offsets, the events group, and the
 * text forms of addresses and MACs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"
#include "uapi/wicket.h"

#define FAMILY 0x1d

static char buf[8192] __attribute__((aligned(4)));
/* Room for batch messages well beyond KERNEL_BATCH_BYTES. */
static char big[1 << 20] __attribute__((aligned(4)));

static struct nlmsghdr *genl_message(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = WICKET_GENL_VERSION;
	return nlh;
}

static struct kernel_addr v4(const char *s)
{
	struct kernel_addr a;

	assert_int_equal(kernel_addr_parse(s, &a), 0);
	assert_int_equal(a.family, AF_INET);
	return a;
}

static struct kernel_addr v6(const char *s)
{
	struct kernel_addr a;

	assert_int_equal(kernel_addr_parse(s, &a), 0);
	assert_int_equal(a.family, AF_INET6);
	return a;
}

static void set_mac(uint8_t mac[6], uint32_t i)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(mac, base, 6);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

/* --- walking a request the way the module will */

struct request {
	uint32_t protocol;
	int has_protocol;
	int clients_nests;
	size_t n;
	struct kernel_client *clients;
	size_t max;
};

static int request_client(const struct nlattr *attr, void *data)
{
	struct request *r = data;

	assert_int_equal(mnl_attr_get_type(attr), WICKET_A_CLIENT);
	assert_true(attr->nla_type & NLA_F_NESTED);
	assert_true(r->n < r->max);
	assert_int_equal(kernel_parse_client(attr, &r->clients[r->n]), 0);
	r->n++;
	return MNL_CB_OK;
}

static int request_attr(const struct nlattr *attr, void *data)
{
	struct request *r = data;

	switch (mnl_attr_get_type(attr)) {
	case WICKET_A_PROTOCOL:
		assert_int_equal(mnl_attr_validate(attr, MNL_TYPE_U32), 0);
		r->protocol = mnl_attr_get_u32(attr);
		r->has_protocol = 1;
		break;
	case WICKET_A_CLIENTS:
		assert_true(attr->nla_type & NLA_F_NESTED);
		r->clients_nests++;
		assert_int_equal(mnl_attr_parse_nested(attr, request_client, r), MNL_CB_OK);
		break;
	default:
		fail_msg("unexpected attribute %u", mnl_attr_get_type(attr));
	}
	return MNL_CB_OK;
}

/* Parses a batch request back; returns how many clients it holds. */
static size_t parse_request(const struct nlmsghdr *nlh, uint8_t cmd, struct kernel_client *out, size_t max)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct request r = { .clients = out, .max = max };

	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(genl->cmd, cmd);
	assert_int_equal(genl->version, WICKET_GENL_VERSION);
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*genl), request_attr, &r), MNL_CB_OK);
	assert_true(r.has_protocol);
	assert_int_equal(r.protocol, WICKET_PROTOCOL);
	assert_int_equal(r.clients_nests, 1);
	return r.n;
}

static void assert_addr_equal(const struct kernel_addr *a, const struct kernel_addr *b)
{
	assert_int_equal(a->family, b->family);
	if (a->family == AF_INET)
		assert_memory_equal(&a->v4, &b->v4, 4);
	else
		assert_memory_equal(&a->v6, &b->v6, 16);
}

/* What the module reads back of what we sent. */
static void assert_sent(const struct kernel_client *sent, const struct kernel_client *got, uint8_t cmd)
{
	uint32_t has = cmd == WICKET_CMD_CLIENT_DEL ? 0 : sent->has;
	unsigned int i;

	assert_int_equal(got->has, has | KERNEL_CLIENT_HAS_PORT | KERNEL_CLIENT_HAS_MAC);
	assert_int_equal(got->port, sent->port);
	assert_memory_equal(got->mac, sent->mac, 6);
	if (has & KERNEL_CLIENT_HAS_ADDRS) {
		assert_int_equal(got->naddrs, sent->naddrs);
		for (i = 0; i < sent->naddrs; i++)
			assert_addr_equal(&got->addrs[i], &sent->addrs[i]);
	} else {
		assert_int_equal(got->naddrs, 0);
	}
	if (has & KERNEL_CLIENT_HAS_STATE)
		assert_int_equal(got->state, sent->state);
	if (has & KERNEL_CLIENT_HAS_SESSION)
		assert_true(got->session == sent->session);
	if (has & KERNEL_CLIENT_HAS_TIMEOUT)
		assert_true(got->timeout_ms == sent->timeout_ms);
	if (has & KERNEL_CLIENT_HAS_BYTE_CAP)
		assert_true(got->byte_cap == sent->byte_cap);
}

static void sample_clients(struct kernel_client c[3])
{
	memset(c, 0, 3 * sizeof(*c));
	c[0].port = 5;
	set_mac(c[0].mac, 0x11);
	c[0].has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION |
		   KERNEL_CLIENT_HAS_TIMEOUT | KERNEL_CLIENT_HAS_BYTE_CAP;
	c[0].naddrs = 2;
	c[0].addrs[0] = v4("10.0.1.2");
	c[0].addrs[1] = v6("fd00:1::2");
	c[0].state = WICKET_STATE_AUTHORIZED;
	c[0].session = 0x123456789abcdefULL;
	c[0].timeout_ms = 3600000;
	c[0].byte_cap = 1ULL << 40;
	/* Nothing optional. */
	c[1].port = 7;
	set_mac(c[1].mac, 0xabcdef);
	/* An empty address set: clears the client's addresses. */
	c[2].port = 0xffffffff;
	set_mac(c[2].mac, 3);
	c[2].has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE;
	c[2].state = WICKET_STATE_BLOCKED;
}

static void client_add_round_trip(void **state)
{
	struct kernel_client c[3], got[4];
	int i;

	(void)state;
	sample_clients(c);
	assert_int_equal(
		kernel_build_clients(buf, sizeof(buf), WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, 3),
		3);
	assert_int_equal(parse_request((struct nlmsghdr *)buf, WICKET_CMD_CLIENT_ADD, got, 4), 3);
	for (i = 0; i < 3; i++)
		assert_sent(&c[i], &got[i], WICKET_CMD_CLIENT_ADD);
}

static void client_update_with_sixteen_addresses_round_trip(void **state)
{
	struct kernel_client c, got;
	unsigned int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.port = 9;
	set_mac(c.mac, 9);
	c.has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_TIMEOUT;
	c.naddrs = WICKET_MAX_ADDRS;
	for (i = 0; i < c.naddrs; i++) {
		c.addrs[i] = i % 2 ? v6("2001:db8::1") : v4("192.0.2.1");
		if (i % 2)
			c.addrs[i].v6.s6_addr[15] = (uint8_t)i;
		else
			c.addrs[i].v4.s_addr = htonl(0xc0000200 + i);
	}
	c.timeout_ms = 0; /* removes the deadline: still sent */
	assert_int_equal(kernel_build_clients(buf, sizeof(buf), WICKET_MAX_BATCH, FAMILY,
					      WICKET_CMD_CLIENT_UPDATE, &c, 1),
			 1);
	assert_int_equal(parse_request((struct nlmsghdr *)buf, WICKET_CMD_CLIENT_UPDATE, &got, 1), 1);
	assert_sent(&c, &got, WICKET_CMD_CLIENT_UPDATE);
}

static void client_del_sends_port_and_mac_only(void **state)
{
	struct kernel_client c[3], got[3];
	int i;

	(void)state;
	sample_clients(c);
	assert_int_equal(
		kernel_build_clients(buf, sizeof(buf), WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_DEL, c, 3),
		3);
	assert_int_equal(parse_request((struct nlmsghdr *)buf, WICKET_CMD_CLIENT_DEL, got, 3), 3);
	for (i = 0; i < 3; i++) {
		assert_sent(&c[i], &got[i], WICKET_CMD_CLIENT_DEL);
		assert_int_equal(got[i].has, KERNEL_CLIENT_HAS_PORT | KERNEL_CLIENT_HAS_MAC);
	}
}

/* n clients: bare (full 0), with one IPv4 address (1), or with every address (2). */
static struct kernel_client *many_clients(size_t n, int full)
{
	struct kernel_client *c = calloc(n, sizeof(*c));
	size_t i, j;

	assert_non_null(c);
	for (i = 0; i < n; i++) {
		c[i].port = 3;
		set_mac(c[i].mac, (uint32_t)i);
		if (full) {
			c[i].has =
				KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION;
			c[i].naddrs = 1;
			c[i].addrs[0] = v4("10.128.0.0");
			c[i].addrs[0].v4.s_addr = htonl(0x0a800000 + (uint32_t)i);
			c[i].state = WICKET_STATE_AUTHORIZED;
			c[i].session = i;
		}
		for (j = 1; full == 2 && j < WICKET_MAX_ADDRS; j++) {
			c[i].addrs[j] = v4("10.0.0.0");
			c[i].addrs[j].v4.s_addr = htonl(0x0b000000 + (uint32_t)(i * WICKET_MAX_ADDRS + j));
			c[i].naddrs = j + 1;
		}
	}
	return c;
}

/* Sends n clients the way kernel_client_*() does; returns the number of messages. */
static size_t split(uint8_t cmd, const struct kernel_client *c, size_t n, size_t size, size_t max)
{
	struct kernel_client *got = calloc(n, sizeof(*got));
	size_t done = 0, messages = 0, i;

	assert_non_null(got);
	while (done < n) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)big;
		int taken = kernel_build_clients(big, size, max, FAMILY, cmd, c + done, n - done);

		assert_true(taken > 0);
		assert_true((size_t)taken <= max);
		assert_true(nlh->nlmsg_len <= size);
		assert_int_equal(parse_request(nlh, cmd, got + done, n - done), taken);
		done += (size_t)taken;
		messages++;
	}
	/* Every client, once, in order. */
	for (i = 0; i < n; i++)
		assert_sent(&c[i], &got[i], cmd);
	free(got);
	return messages;
}

static void batch_of_max_plus_one_is_two_messages_under_64k(void **state)
{
	size_t n = WICKET_MAX_BATCH + 1;
	struct kernel_client *c = many_clients(n, 0);

	(void)state;
	assert_int_equal(split(WICKET_CMD_CLIENT_DEL, c, n, KERNEL_BATCH_BYTES, WICKET_MAX_BATCH), 2);
	free(c);
}

static void big_batch_fills_messages_up_to_64k(void **state)
{
	size_t n = 20000, first;
	/* Clients with every address: the 64 KiB limit binds before the count. */
	struct kernel_client *c = many_clients(n, 2);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)big;
	size_t per_client;

	(void)state;
	first = (size_t)kernel_build_clients(big, KERNEL_BATCH_BYTES, WICKET_MAX_BATCH, FAMILY,
					     WICKET_CMD_CLIENT_ADD, c, n);
	/* Full: one more client would not have fitted. */
	per_client = (nlh->nlmsg_len - 32) / first;
	assert_true(nlh->nlmsg_len <= KERNEL_BATCH_BYTES);
	assert_true(nlh->nlmsg_len + per_client > KERNEL_BATCH_BYTES);
	assert_int_equal(split(WICKET_CMD_CLIENT_ADD, c, n, KERNEL_BATCH_BYTES, WICKET_MAX_BATCH),
			 (n + first - 1) / first);
	free(c);
}

static void batch_respects_the_count_limit(void **state)
{
	struct kernel_client *c = many_clients(25, 1);

	(void)state;
	assert_int_equal(kernel_build_clients(big, sizeof(big), 10, FAMILY, WICKET_CMD_CLIENT_ADD, c, 25),
			 10);
	assert_int_equal(split(WICKET_CMD_CLIENT_ADD, c, 25, sizeof(big), 10), 3);
	free(c);
}

static int nest_len_of_clients(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == WICKET_A_CLIENTS)
		*(size_t *)data = attr->nla_len;
	return MNL_CB_OK;
}

static void batch_nest_never_outgrows_its_16_bit_length(void **state)
{
	size_t n = WICKET_MAX_BATCH, nest = 0;
	struct kernel_client *c = many_clients(n, 2);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)big;
	int taken;

	(void)state;
	/* A megabyte of room: the nest's u16 length is what limits. */
	taken = kernel_build_clients(big, sizeof(big), WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, n);
	assert_true(taken > 0 && (size_t)taken < n);
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nest_len_of_clients, &nest);
	assert_true(nest > 0 && nest <= UINT16_MAX);
	/* The nest covers the whole rest of the message. */
	assert_int_equal(nest, nlh->nlmsg_len - MNL_NLMSG_HDRLEN - 4 - 8);
	assert_int_equal(split(WICKET_CMD_CLIENT_ADD, c, n, sizeof(big), WICKET_MAX_BATCH),
			 (n + (size_t)taken - 1) / (size_t)taken);
	free(c);
}

static void batch_refuses_invalid_clients(void **state)
{
	struct kernel_client c[3];

	(void)state;
	sample_clients(c);
	c[0].naddrs = WICKET_MAX_ADDRS + 1;
	assert_int_equal(
		kernel_build_clients(buf, sizeof(buf), WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, 3),
		-EINVAL);
	sample_clients(c);
	c[0].addrs[1].family = AF_UNIX;
	assert_int_equal(
		kernel_build_clients(buf, sizeof(buf), WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, 3),
		-EINVAL);
	sample_clients(c);
	assert_int_equal(kernel_build_clients(buf, 40, WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, 3),
			 -EMSGSIZE);
	assert_int_equal(kernel_build_clients(buf, 8, WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, 3),
			 -EMSGSIZE);
}

/* --- error offsets */

struct offsets {
	uint32_t protocol;
	uint32_t clients;
	uint32_t mac[8];
	uint32_t client[8];
	int n;
	const char *base;
};

static int offsets_in_client(const struct nlattr *attr, void *data)
{
	struct offsets *o = data;

	if (mnl_attr_get_type(attr) == WICKET_CLIENT_A_MAC)
		o->mac[o->n] = (uint32_t)((const char *)attr - o->base);
	return MNL_CB_OK;
}

static int offsets_in_clients(const struct nlattr *attr, void *data)
{
	struct offsets *o = data;

	o->client[o->n] = (uint32_t)((const char *)attr - o->base);
	mnl_attr_parse_nested(attr, offsets_in_client, o);
	o->n++;
	return MNL_CB_OK;
}

static int offsets_in_request(const struct nlattr *attr, void *data)
{
	struct offsets *o = data;
	uint32_t at = (uint32_t)((const char *)attr - o->base);

	if (mnl_attr_get_type(attr) == WICKET_A_PROTOCOL)
		o->protocol = at;
	if (mnl_attr_get_type(attr) == WICKET_A_CLIENTS) {
		o->clients = at;
		mnl_attr_parse_nested(attr, offsets_in_clients, o);
	}
	return MNL_CB_OK;
}

static void error_offset_names_the_client(void **state)
{
	struct kernel_client c[5];
	struct offsets o = { .base = buf };
	const struct nlmsghdr *req = (const struct nlmsghdr *)buf;
	size_t index = 99;
	int i;

	(void)state;
	memset(c, 0, sizeof(c));
	for (i = 0; i < 5; i++) {
		c[i].port = 5;
		set_mac(c[i].mac, (uint32_t)i);
		c[i].has = KERNEL_CLIENT_HAS_ADDRS;
		c[i].naddrs = (unsigned int)i;
		memset(c[i].addrs, 0, sizeof(c[i].addrs));
		for (unsigned int j = 0; j < c[i].naddrs; j++)
			c[i].addrs[j] = v6("fd00::1");
	}
	assert_int_equal(
		kernel_build_clients(buf, sizeof(buf), WICKET_MAX_BATCH, FAMILY, WICKET_CMD_CLIENT_ADD, c, 5),
		5);
	mnl_attr_parse(req, sizeof(struct genlmsghdr), offsets_in_request, &o);
	assert_int_equal(o.n, 5);
	for (i = 0; i < 5; i++) {
		/* The nest itself, an attribute inside, its last byte. */
		assert_int_equal(kernel_request_client_at(req, o.client[i], &index), 0);
		assert_int_equal(index, i);
		assert_int_equal(kernel_request_client_at(req, o.mac[i], &index), 0);
		assert_int_equal(index, i);
		if (i < 4) {
			assert_int_equal(kernel_request_client_at(req, o.client[i + 1] - 1, &index), 0);
			assert_int_equal(index, i);
		}
	}
	/* Not in a client: the protocol, the CLIENTS nest's header, past the end. */
	assert_int_equal(kernel_request_client_at(req, o.protocol, &index), -ENOENT);
	assert_int_equal(kernel_request_client_at(req, o.clients, &index), -ENOENT);
	assert_int_equal(kernel_request_client_at(req, req->nlmsg_len, &index), -ENOENT);
	assert_int_equal(kernel_request_client_at(req, 0, &index), -ENOENT);
}

static struct nlmsghdr *ack_message(int error)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_len = 400;
	return nlh;
}

static void ack_offsets_are_parsed(void **state)
{
	struct nlmsghdr *nlh = ack_message(-EINVAL);
	struct kernel_ack ack;

	(void)state;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad MAC");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 132);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, 2);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST, 28);
	mnl_attr_put_u64(nlh, NLMSGERR_ATTR_MAX + 3, 1); /* newer kernels */
	assert_int_equal(kernel_parse_ack(nlh, &ack), 0);
	assert_int_equal(ack.error, -EINVAL);
	assert_string_equal(ack.msg, "bad MAC");
	assert_int_equal(ack.has, KERNEL_ACK_HAS_OFFS | KERNEL_ACK_HAS_MISS_TYPE | KERNEL_ACK_HAS_MISS_NEST);
	assert_int_equal(ack.offs, 132);
	assert_int_equal(ack.miss_type, 2);
	assert_int_equal(ack.miss_nest, 28);
}

static void ack_with_a_short_offset_is_refused(void **state)
{
	struct nlmsghdr *nlh = ack_message(-EINVAL);
	struct kernel_ack ack;

	(void)state;
	mnl_attr_put_u16(nlh, NLMSGERR_ATTR_OFFS, 132);
	assert_int_equal(kernel_parse_ack(nlh, &ack), -EBADMSG);
}

static void ack_with_a_positive_error_is_refused(void **state)
{
	struct kernel_ack ack;

	(void)state;
	assert_int_equal(kernel_parse_ack(ack_message(5), &ack), -EBADMSG);
}

static void ack_with_a_truncated_tlv_is_refused(void **state)
{
	struct nlmsghdr *nlh = ack_message(-EINVAL);
	struct kernel_ack ack;

	(void)state;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 132);
	nlh->nlmsg_len -= 2;
	assert_int_equal(kernel_parse_ack(nlh, &ack), -EBADMSG);
}

/* --- the events group */

static struct nlmsghdr *family_reply(void)
{
	struct nlmsghdr *nlh = genl_message(CTRL_CMD_NEWFAMILY);

	nlh->nlmsg_type = GENL_ID_CTRL;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	return nlh;
}

static void put_group(struct nlmsghdr *nlh, uint16_t index, const char *name, uint32_t id)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, index);

	if (name)
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, name);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, id);
	mnl_attr_nest_end(nlh, nest);
}

static void mcast_group_id_is_found_by_name(void **state)
{
	struct nlmsghdr *nlh = family_reply();
	struct nlattr *groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	uint32_t id = 0;
	uint16_t family;

	(void)state;
	put_group(nlh, 1, "other", 7);
	put_group(nlh, 2, WICKET_GENL_MCGRP_EVENTS, 9);
	mnl_attr_nest_end(nlh, groups);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MAX + 4, 1);
	assert_int_equal(kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &id), 0);
	assert_int_equal(id, 9);
	assert_int_equal(kernel_parse_mcast_group(nlh, "other", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(kernel_parse_family_id(nlh, &family), 0);
	assert_int_equal(family, FAMILY);
}

static void mcast_group_missing_is_enoent(void **state)
{
	struct nlmsghdr *nlh = family_reply();
	struct nlattr *groups;
	uint32_t id = 0;

	(void)state;
	assert_int_equal(kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &id), -ENOENT);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, "other", 7);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &id), -ENOENT);
}

static void mcast_group_malformed_is_refused(void **state)
{
	struct nlmsghdr *nlh = family_reply();
	struct nlattr *groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	struct nlattr *group;
	uint32_t id = 0;

	(void)state;
	/* An id of the wrong width. */
	group = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, WICKET_GENL_MCGRP_EVENTS);
	mnl_attr_put_u16(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_nest_end(nlh, group);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &id), -EBADMSG);

	/* A group without a name. */
	nlh = family_reply();
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, NULL, 9);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &id), -EBADMSG);

	/* A group nest cut short: its last attribute runs past it. */
	nlh = family_reply();
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, WICKET_GENL_MCGRP_EVENTS, 9);
	mnl_attr_nest_end(nlh, groups);
	((struct nlattr *)mnl_attr_get_payload(groups))->nla_len -= 4;
	assert_int_equal(kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &id), -EBADMSG);
}

/* --- client replies and events */

struct reply_options {
	int unknown; /* attributes of a newer module, everywhere */
	int pad; /* the kernel's u64 padding attributes */
	int skip; /* leave this client attribute out */
};

static struct nlattr *put_reply_client(struct nlmsghdr *nlh, const struct reply_options *o)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	struct nlattr *addrs;
	struct kernel_addr a = v4("10.0.1.2"), b = v6("fd00:1::2");

#define PUT(type, call)                                                                                      \
	do {                                                                                                 \
		if (o->skip != type)                                                                         \
			call;                                                                                \
	} while (0)
	PUT(WICKET_CLIENT_A_PORT, mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 5));
	PUT(WICKET_CLIENT_A_MAC, mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x11"));
	if (o->skip != WICKET_CLIENT_A_ADDRS) {
		addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
		mnl_attr_put(nlh, WICKET_ADDR_A_IPV4, 4, &a.v4);
		if (o->unknown)
			mnl_attr_put_u32(nlh, WICKET_ADDR_A_MAX + 1, 7);
		mnl_attr_put(nlh, WICKET_ADDR_A_IPV6, 16, &b.v6);
		mnl_attr_nest_end(nlh, addrs);
	}
	PUT(WICKET_CLIENT_A_STATE, mnl_attr_put_u8(nlh, WICKET_CLIENT_A_STATE, WICKET_STATE_AUTHORIZED));
	if (o->pad)
		mnl_attr_put(nlh, WICKET_CLIENT_A_PAD, 0, NULL);
	PUT(WICKET_CLIENT_A_SESSION, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_SESSION, 7));
	PUT(WICKET_CLIENT_A_FLAGS, mnl_attr_put_u32(nlh, WICKET_CLIENT_A_FLAGS, WICKET_CLIENT_F_CLOSED));
	PUT(WICKET_CLIENT_A_TIMEOUT_MS, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_TIMEOUT_MS, 59000));
	if (o->unknown)
		mnl_attr_put_strz(nlh, WICKET_CLIENT_A_MAX + 3, "from the future");
	PUT(WICKET_CLIENT_A_IDLE_MS, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_IDLE_MS, 1500));
	if (o->pad)
		mnl_attr_put(nlh, WICKET_CLIENT_A_PAD, 0, NULL);
	PUT(WICKET_CLIENT_A_UP_PACKETS, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_UP_PACKETS, 10));
	PUT(WICKET_CLIENT_A_UP_BYTES, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_UP_BYTES, 1000));
	PUT(WICKET_CLIENT_A_DOWN_PACKETS, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_DOWN_PACKETS, 20));
	PUT(WICKET_CLIENT_A_DOWN_BYTES, mnl_attr_put_u64(nlh, WICKET_CLIENT_A_DOWN_BYTES, 5000000000ULL));
	PUT(WICKET_CLIENT_A_REASON, mnl_attr_put_u8(nlh, WICKET_CLIENT_A_REASON, WICKET_CLOSE_BYTE_CAP));
#undef PUT
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

static struct nlmsghdr *client_reply(const struct reply_options *o)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_CLIENT_GET);

	if (o->unknown)
		mnl_attr_put_u32(nlh, WICKET_A_MAX + 2, 1);
	put_reply_client(nlh, o);
	if (o->unknown)
		mnl_attr_put_u64(nlh, WICKET_A_MAX + 5, 1);
	return nlh;
}

static void assert_reply_client(const struct kernel_client *c)
{
	struct kernel_addr a = v4("10.0.1.2"), b = v6("fd00:1::2");

	assert_int_equal(c->port, 5);
	assert_memory_equal(c->mac, "\x02\0\0\0\0\x11", 6);
	assert_int_equal(c->naddrs, 2);
	assert_addr_equal(&c->addrs[0], &a);
	assert_addr_equal(&c->addrs[1], &b);
	assert_int_equal(c->state, WICKET_STATE_AUTHORIZED);
	assert_true(c->session == 7);
	assert_int_equal(c->flags, WICKET_CLIENT_F_CLOSED);
	assert_true(c->timeout_ms == 59000);
	assert_false(c->has & KERNEL_CLIENT_HAS_BYTE_CAP);
	assert_true(c->idle_ms == 1500);
	assert_true(c->up_packets == 10 && c->up_bytes == 1000 && c->down_packets == 20);
	assert_true(c->down_bytes == 5000000000ULL);
}

static void client_reply_is_parsed(void **state)
{
	struct reply_options o = { 0 };
	struct kernel_client c;

	(void)state;
	assert_int_equal(kernel_parse_client_reply(client_reply(&o), &c), 0);
	assert_reply_client(&c);
}

static void client_reply_skips_unknown_and_pad_attributes(void **state)
{
	struct reply_options o = { .unknown = 1, .pad = 1 };
	struct kernel_client c;

	(void)state;
	assert_int_equal(kernel_parse_client_reply(client_reply(&o), &c), 0);
	assert_reply_client(&c);
}

static void client_reply_without_a_promised_field_is_refused(void **state)
{
	static const int needed[] = { WICKET_CLIENT_A_PORT,         WICKET_CLIENT_A_MAC,
				      WICKET_CLIENT_A_STATE,        WICKET_CLIENT_A_SESSION,
				      WICKET_CLIENT_A_FLAGS,        WICKET_CLIENT_A_IDLE_MS,
				      WICKET_CLIENT_A_UP_PACKETS,   WICKET_CLIENT_A_UP_BYTES,
				      WICKET_CLIENT_A_DOWN_PACKETS, WICKET_CLIENT_A_DOWN_BYTES };
	struct reply_options o = { 0 };
	struct kernel_client c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		o.skip = needed[i];
		assert_int_equal(kernel_parse_client_reply(client_reply(&o), &c), -EBADMSG);
	}
	/* Optional ones. */
	o.skip = WICKET_CLIENT_A_TIMEOUT_MS;
	assert_int_equal(kernel_parse_client_reply(client_reply(&o), &c), 0);
	assert_false(c.has & KERNEL_CLIENT_HAS_TIMEOUT);
	o.skip = WICKET_CLIENT_A_ADDRS;
	assert_int_equal(kernel_parse_client_reply(client_reply(&o), &c), 0);
	assert_int_equal(c.naddrs, 0);
}

/* A reply whose client nest holds one given attribute after port and MAC. */
static struct nlmsghdr *reply_with(uint16_t type, size_t len, const void *data)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_CLIENT_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);

	mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 5);
	mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x11");
	mnl_attr_put(nlh, type, len, data);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static int parse_first_client(const struct nlmsghdr *nlh, struct kernel_client *c)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(attr) == WICKET_A_CLIENT)
			return kernel_parse_client(attr, c);
	}
	return -ENOENT;
}

static void client_with_wrong_lengths_is_refused(void **state)
{
	static const uint8_t zeros[32];
	static const struct {
		uint16_t type;
		size_t len;
	} wrong[] = {
		{ WICKET_CLIENT_A_MAC, 5 },        { WICKET_CLIENT_A_MAC, 8 },
		{ WICKET_CLIENT_A_PORT, 2 },       { WICKET_CLIENT_A_PORT, 8 },
		{ WICKET_CLIENT_A_STATE, 4 },      { WICKET_CLIENT_A_SESSION, 4 },
		{ WICKET_CLIENT_A_TIMEOUT_MS, 0 }, { WICKET_CLIENT_A_BYTE_CAP, 9 },
		{ WICKET_CLIENT_A_FLAGS, 1 },      { WICKET_CLIENT_A_IDLE_MS, 16 },
		{ WICKET_CLIENT_A_UP_PACKETS, 4 }, { WICKET_CLIENT_A_REASON, 2 },
		{ WICKET_CLIENT_A_DOWN_BYTES, 7 },
	};
	struct kernel_client c;
	size_t i;

	(void)state;
	/* The right lengths pass, so the wrong ones are refused for their length. */
	assert_int_equal(parse_first_client(reply_with(WICKET_CLIENT_A_STATE, 1, zeros), &c), 0);
	assert_int_equal(parse_first_client(reply_with(WICKET_CLIENT_A_SESSION, 8, zeros), &c), 0);
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		assert_int_equal(parse_first_client(reply_with(wrong[i].type, wrong[i].len, zeros), &c),
				 -EBADMSG);
}

static void client_with_bad_addresses_is_refused(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *addrs;
	struct kernel_client c;
	int i;

	(void)state;
	/* An IPv4 address of 3 bytes, an IPv6 one of 4. */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 5);
	mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x11");
	addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
	mnl_attr_put(nlh, WICKET_ADDR_A_IPV4, 3, "\x0a\0\0");
	mnl_attr_nest_end(nlh, addrs);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_first_client(nlh, &c), -EBADMSG);

	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 5);
	mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x11");
	addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
	mnl_attr_put(nlh, WICKET_ADDR_A_IPV6, 4, "\x0a\0\0\0");
	mnl_attr_nest_end(nlh, addrs);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_first_client(nlh, &c), -EBADMSG);

	/* Two address sets: which one would be the client's? */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 5);
	mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x11");
	for (i = 0; i < 2; i++) {
		addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
		mnl_attr_put_u32(nlh, WICKET_ADDR_A_IPV4, htonl(0x0a000001 + (uint32_t)i));
		mnl_attr_nest_end(nlh, addrs);
	}
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_first_client(nlh, &c), -EBADMSG);

	/* WICKET_MAX_ADDRS fit, one more does not (addresses first: nothing after may hide an overflow). */
	for (int extra = 0; extra <= 1; extra++) {
		nlh = genl_message(WICKET_CMD_CLIENT_GET);
		nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
		addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
		for (i = 0; i < WICKET_MAX_ADDRS + extra; i++)
			mnl_attr_put_u32(nlh, WICKET_ADDR_A_IPV4, htonl(0x0a000001 + (uint32_t)i));
		mnl_attr_nest_end(nlh, addrs);
		mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 5);
		mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x11");
		mnl_attr_nest_end(nlh, nest);
		assert_int_equal(parse_first_client(nlh, &c), extra ? -EBADMSG : 0);
		if (!extra)
			assert_int_equal(c.naddrs, WICKET_MAX_ADDRS);
	}
}

static void truncated_client_nests_are_refused(void **state)
{
	struct reply_options o = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct kernel_client c;

	(void)state;
	/* The nest claims less than its last attribute needs. */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	nest = put_reply_client(nlh, &o);
	nest->nla_len -= 4;
	assert_int_equal(kernel_parse_client(nest, &c), -EBADMSG);
	assert_int_equal(kernel_parse_client_reply(nlh, &c), -EBADMSG);

	/* Two stray bytes after its last attribute. */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	nest = put_reply_client(nlh, &o);
	nest->nla_len += 2;
	nlh->nlmsg_len += 4;
	assert_int_equal(kernel_parse_client(nest, &c), -EBADMSG);
	assert_int_equal(kernel_parse_client_reply(nlh, &c), -EBADMSG);

	/* The message ends inside the nest. */
	nlh = client_reply(&o);
	nlh->nlmsg_len -= 8;
	assert_int_equal(kernel_parse_client_reply(nlh, &c), -EBADMSG);

	/* An inner attribute shorter than its own header. */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	nest = put_reply_client(nlh, &o);
	((struct nlattr *)mnl_attr_get_payload(nest))->nla_len = 2;
	assert_int_equal(kernel_parse_client(nest, &c), -EBADMSG);

	/* Two clients in one reply. */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	put_reply_client(nlh, &o);
	put_reply_client(nlh, &o);
	assert_int_equal(kernel_parse_client_reply(nlh, &c), -EBADMSG);

	/* No client at all. */
	nlh = genl_message(WICKET_CMD_CLIENT_GET);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, 1);
	assert_int_equal(kernel_parse_client_reply(nlh, &c), -EBADMSG);
}

static void events_are_parsed(void **state)
{
	struct reply_options o = { .unknown = 1, .pad = 1 };
	struct kernel_addr seen = v6("fe80::1");
	struct nlmsghdr *nlh;
	struct nlattr *nest, *addrs;
	struct kernel_client c;
	uint8_t cmd = 0;

	(void)state;
	nlh = genl_message(WICKET_CMD_EVENT_CLOSED);
	put_reply_client(nlh, &o);
	assert_int_equal(kernel_parse_event(nlh, &cmd, &c), 0);
	assert_int_equal(cmd, WICKET_CMD_EVENT_CLOSED);
	assert_int_equal(c.reason, WICKET_CLOSE_BYTE_CAP);
	assert_true(c.down_bytes == 5000000000ULL);

	nlh = genl_message(WICKET_CMD_EVENT_SEEN);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, 4);
	mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, "\x02\0\0\0\0\x12");
	addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
	mnl_attr_put(nlh, WICKET_ADDR_A_IPV6, 16, &seen.v6);
	mnl_attr_nest_end(nlh, addrs);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_event(nlh, &cmd, &c), 0);
	assert_int_equal(cmd, WICKET_CMD_EVENT_SEEN);
	assert_int_equal(c.port, 4);
	assert_int_equal(c.naddrs, 1);
	assert_int_equal(c.addrs[0].family, AF_INET6);

	/* Not an event: skipped by the reader, not an error. */
	nlh = genl_message(WICKET_CMD_MAX + 1);
	assert_int_equal(kernel_parse_event(nlh, &cmd, &c), -ENOENT);
}

static void closed_event_without_its_counters_is_refused(void **state)
{
	static const int needed[] = { WICKET_CLIENT_A_SESSION, WICKET_CLIENT_A_REASON,
				      WICKET_CLIENT_A_UP_BYTES, WICKET_CLIENT_A_DOWN_PACKETS };
	struct reply_options o = { 0 };
	struct nlmsghdr *nlh;
	struct kernel_client c;
	uint8_t cmd;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		o.skip = needed[i];
		nlh = genl_message(WICKET_CMD_EVENT_CLOSED);
		put_reply_client(nlh, &o);
		assert_int_equal(kernel_parse_event(nlh, &cmd, &c), -EBADMSG);
	}
}

/* --- ports, garden, config */

static struct nlmsghdr *port_reply(int ifindex_len, int mode)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_PORT_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_PORT);

	mnl_attr_put(nlh, WICKET_PORT_A_IFINDEX, (size_t)ifindex_len, "\x07\0\0\0\0\0\0\0");
	if (mode)
		mnl_attr_put_u8(nlh, WICKET_PORT_A_MODE, (uint8_t)mode);
	mnl_attr_put_u32(nlh, WICKET_PORT_A_MAX + 1, 3);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void ports_are_parsed(void **state)
{
	struct kernel_port p;

	(void)state;
	assert_int_equal(kernel_parse_port(port_reply(4, WICKET_PORT_FREE), &p), 0);
	assert_int_equal(p.ifindex, 7);
	assert_int_equal(p.mode, WICKET_PORT_FREE);
	assert_int_equal(kernel_parse_port(port_reply(2, WICKET_PORT_FREE), &p), -EBADMSG);
	assert_int_equal(kernel_parse_port(port_reply(8, WICKET_PORT_FREE), &p), -EBADMSG);
	assert_int_equal(kernel_parse_port(port_reply(4, 0), &p), -EBADMSG);
}

static struct nlmsghdr *garden_reply(uint16_t type, size_t len, const void *addr, int prefixlen)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_GARDEN_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_GARDEN);

	if (addr)
		mnl_attr_put(nlh, type, len, addr);
	if (prefixlen >= 0)
		mnl_attr_put_u8(nlh, WICKET_GARDEN_A_PREFIXLEN, (uint8_t)prefixlen);
	mnl_attr_put_u64(nlh, WICKET_GARDEN_A_MAX + 1, 3);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void garden_is_parsed(void **state)
{
	struct kernel_addr a = v4("10.9.0.0"), b = v6("2001:db8::");
	struct kernel_prefix p;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV4, 4, &a.v4, 16), &p), 0);
	assert_addr_equal(&p.addr, &a);
	assert_int_equal(p.prefixlen, 16);
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV6, 16, &b.v6, 128), &p), 0);
	assert_addr_equal(&p.addr, &b);
	assert_int_equal(p.prefixlen, 128);

	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV4, 4, &a.v4, 33), &p), -EBADMSG);
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV6, 16, &b.v6, 129), &p),
			 -EBADMSG);
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV4, 16, &b.v6, 8), &p), -EBADMSG);
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV6, 4, &a.v4, 8), &p), -EBADMSG);
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV4, 4, &a.v4, -1), &p), -EBADMSG);
	assert_int_equal(kernel_parse_garden(garden_reply(WICKET_GARDEN_A_IPV4, 4, NULL, 8), &p), -EBADMSG);

	/* Both families in one prefix. */
	nlh = genl_message(WICKET_CMD_GARDEN_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_GARDEN);
	mnl_attr_put(nlh, WICKET_GARDEN_A_IPV4, 4, &a.v4);
	mnl_attr_put(nlh, WICKET_GARDEN_A_IPV6, 16, &b.v6);
	mnl_attr_put_u8(nlh, WICKET_GARDEN_A_PREFIXLEN, 8);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_garden(nlh, &p), -EBADMSG);
}

static void config_is_parsed(void **state)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_CONFIG_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_CONFIG);
	struct kernel_config c;

	(void)state;
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MARK, 0x100);
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MARK_MASK, 0xf00);
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_SEEN_PER_SEC, 50);
	mnl_attr_put_u64(nlh, WICKET_CONFIG_A_MAX + 1, 50);
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MAX_CLIENTS, 100000);
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_CLIENTS, 12);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_config(nlh, &c), 0);
	assert_int_equal(c.has, KERNEL_CONFIG_HAS_ALL);
	assert_int_equal(c.mark, 0x100);
	assert_int_equal(c.mark_mask, 0xf00);
	assert_int_equal(c.seen_per_sec, 50);
	assert_int_equal(c.max_clients, 100000);
	assert_int_equal(c.clients, 12);
}

static void config_malformed_is_refused(void **state)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_CONFIG_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_CONFIG);
	struct kernel_config c;

	(void)state;
	/* A mark without its mask. */
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MARK, 0x100);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_config(nlh, &c), -EBADMSG);

	nlh = genl_message(WICKET_CMD_CONFIG_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CONFIG);
	mnl_attr_put_u64(nlh, WICKET_CONFIG_A_CLIENTS, 12);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_config(nlh, &c), -EBADMSG);

	/* Only some fields: parsed, has says which. */
	nlh = genl_message(WICKET_CMD_CONFIG_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CONFIG);
	mnl_attr_put_u32(nlh, WICKET_CONFIG_A_CLIENTS, 12);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_config(nlh, &c), 0);
	assert_int_equal(c.has, KERNEL_CONFIG_HAS_CLIENTS);
}

/* --- stats */

/* A STATS_GET reply with every drop reason r set to 1000 + r, but skip (0: none). */
static struct nlmsghdr *stats_reply(unsigned int skip)
{
	struct nlmsghdr *nlh = genl_message(WICKET_CMD_STATS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_STATS);

	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		if (r != skip)
			mnl_attr_put_u64(nlh, r, 1000 + r);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void stats_are_parsed(void **state)
{
	struct nlmsghdr *nlh = stats_reply(0);
	struct nlattr *nest;
	struct kernel_stats st;

	(void)state;
	assert_int_equal(kernel_parse_stats(nlh, &st), 0);
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		assert_int_equal(st.drops[r], 1000 + r);
	assert_string_equal(kernel_drop_reason_name(WICKET_STATS_A_DROP_BYTE_CAP), "byte-cap");
	assert_null(kernel_drop_reason_name(WICKET_STATS_A_PAD));
	assert_null(kernel_drop_reason_name(0));

	/* A newer module's counters (unknown types) are skipped. */
	nlh = genl_message(WICKET_CMD_STATS_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_STATS);
	mnl_attr_put_u64(nlh, WICKET_STATS_A_MAX + 1, 7);
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		mnl_attr_put_u64(nlh, r, r);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_stats(nlh, &st), 0);
	assert_int_equal(st.drops[WICKET_STATS_A_DROP_PORT_BLOCKED], WICKET_STATS_A_DROP_PORT_BLOCKED);
}

static void stats_malformed_are_refused(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct kernel_stats st;

	(void)state;
	/* Each reason missing in turn: refused, and nothing half-read is left. */
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++) {
		assert_int_equal(kernel_parse_stats(stats_reply(r), &st), -EBADMSG);
		assert_int_equal(st.drops[WICKET_STATS_A_DROP_UNKNOWN == r ? WICKET_STATS_A_DROP_CAPTIVE
									   : WICKET_STATS_A_DROP_UNKNOWN],
				 0);
	}
	/* A u32 where a u64 belongs. */
	nlh = genl_message(WICKET_CMD_STATS_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_STATS);
	mnl_attr_put_u32(nlh, WICKET_STATS_A_DROP_UNKNOWN, 1);
	for (unsigned int r = WICKET_STATS_A_DROP_CAPTIVE; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		mnl_attr_put_u64(nlh, r, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_stats(nlh, &st), -EBADMSG);
	/* Two stats nests. */
	nlh = stats_reply(0);
	nest = mnl_attr_nest_start(nlh, WICKET_A_STATS);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_parse_stats(nlh, &st), -EBADMSG);
	nlh = genl_message(WICKET_CMD_STATS_GET);
	nest = mnl_attr_nest_start(nlh, WICKET_A_STATS);
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		mnl_attr_put_u64(nlh, r, 1);
	mnl_attr_put_u64(nlh, WICKET_STATS_A_DROP_CAPTIVE, 2);
	mnl_attr_nest_end(nlh, nest);
	/* (a reason twice) */
	assert_int_equal(kernel_parse_stats(nlh, &st), -EBADMSG);
	/* No stats at all. */
	assert_int_equal(kernel_parse_stats(genl_message(WICKET_CMD_STATS_GET), &st), -EBADMSG);
}

/* --- text forms */

static void addresses_are_parsed(void **state)
{
	struct kernel_addr a;
	char text[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(kernel_addr_parse("10.0.1.2", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(ntohl(a.v4.s_addr), 0x0a000102);
	assert_string_equal(kernel_addr_format(&a, text, sizeof(text)), "10.0.1.2");
	assert_int_equal(kernel_addr_parse("fd00:1::2", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.v6.s6_addr[0], 0xfd);
	assert_int_equal(a.v6.s6_addr[15], 2);
	assert_string_equal(kernel_addr_format(&a, text, sizeof(text)), "fd00:1::2");
	assert_int_equal(kernel_addr_parse("::ffff:10.0.0.1", &a), 0);
	assert_int_equal(a.family, AF_INET6);

	assert_int_equal(kernel_addr_parse("", &a), -EINVAL);
	assert_int_equal(kernel_addr_parse("10.0.1", &a), -EINVAL);
	assert_int_equal(kernel_addr_parse("10.0.1.256", &a), -EINVAL);
	assert_int_equal(kernel_addr_parse("10.0.1.2 ", &a), -EINVAL);
	assert_int_equal(kernel_addr_parse("10.0.1.2/32", &a), -EINVAL);
	assert_int_equal(kernel_addr_parse("fd00::1::2", &a), -EINVAL);
	assert_int_equal(kernel_addr_parse("host.example", &a), -EINVAL);
}

static void prefixes_are_parsed(void **state)
{
	static const char *const bad[] = {
		"10.9.0.0/33",
		"2001:db8::/129",
		"10.9.0.0/",
		"10.9.0.0/-1",
		"10.9.0.0/+8",
		"10.9.0.0/ 8",
		"10.9.0.0/8 ",
		"10.9.0.0/1x",
		"10.9.0.0/16/2",
		"/8",
		"",
		"10.9.0.256/8",
		"10.9.0.0/0008",
		"nonsense/8",
		"2001:db8::/1280",
	};
	struct kernel_addr a;
	uint8_t len = 0;
	char text[INET6_ADDRSTRLEN];
	size_t i;

	(void)state;
	assert_int_equal(kernel_prefix_parse("10.9.0.0/16", &a, &len), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(len, 16);
	assert_string_equal(kernel_addr_format(&a, text, sizeof(text)), "10.9.0.0");
	assert_int_equal(kernel_prefix_parse("2001:db8::/32", &a, &len), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(len, 32);
	assert_int_equal(kernel_prefix_parse("192.0.2.7", &a, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(kernel_prefix_parse("2001:db8::7", &a, &len), 0);
	assert_int_equal(len, 128);
	assert_int_equal(kernel_prefix_parse("0.0.0.0/0", &a, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(kernel_prefix_parse("::/128", &a, &len), 0);
	assert_int_equal(len, 128);
	/* Host bits are the kernel's to judge. */
	assert_int_equal(kernel_prefix_parse("10.9.0.1/16", &a, &len), 0);
	assert_int_equal(ntohl(a.v4.s_addr), 0x0a090001);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = 77;
		if (kernel_prefix_parse(bad[i], &a, &len) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void macs_are_parsed(void **state)
{
	static const char *const bad[] = {
		"02:00:00:00:00:1",
		"02:00:00:00:00:111",
		"02-00-00-00-00-11",
		"g2:00:00:00:00:11",
		"02:00:00:00:00",
		"02:00:00:00:00:11:",
		"",
		"0200.0000.0011",
		" 02:00:00:00:00:11",
	};
	uint8_t mac[6];
	char text[18];
	size_t i;

	(void)state;
	assert_int_equal(kernel_mac_parse("02:00:00:Ab:cD:11", mac), 0);
	assert_memory_equal(mac, "\x02\x00\x00\xab\xcd\x11", 6);
	assert_string_equal(kernel_mac_format(mac, text, sizeof(text)), "02:00:00:ab:cd:11");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kernel_mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_add_round_trip),
		cmocka_unit_test(client_update_with_sixteen_addresses_round_trip),
		cmocka_unit_test(client_del_sends_port_and_mac_only),
		cmocka_unit_test(batch_of_max_plus_one_is_two_messages_under_64k),
		cmocka_unit_test(big_batch_fills_messages_up_to_64k),
		cmocka_unit_test(batch_respects_the_count_limit),
		cmocka_unit_test(batch_nest_never_outgrows_its_16_bit_length),
		cmocka_unit_test(batch_refuses_invalid_clients),
		cmocka_unit_test(error_offset_names_the_client),
		cmocka_unit_test(ack_offsets_are_parsed),
		cmocka_unit_test(ack_with_a_short_offset_is_refused),
		cmocka_unit_test(ack_with_a_positive_error_is_refused),
		cmocka_unit_test(ack_with_a_truncated_tlv_is_refused),
		cmocka_unit_test(mcast_group_id_is_found_by_name),
		cmocka_unit_test(mcast_group_missing_is_enoent),
		cmocka_unit_test(mcast_group_malformed_is_refused),
		cmocka_unit_test(client_reply_is_parsed),
		cmocka_unit_test(client_reply_skips_unknown_and_pad_attributes),
		cmocka_unit_test(client_reply_without_a_promised_field_is_refused),
		cmocka_unit_test(client_with_wrong_lengths_is_refused),
		cmocka_unit_test(client_with_bad_addresses_is_refused),
		cmocka_unit_test(truncated_client_nests_are_refused),
		cmocka_unit_test(events_are_parsed),
		cmocka_unit_test(closed_event_without_its_counters_is_refused),
		cmocka_unit_test(ports_are_parsed),
		cmocka_unit_test(garden_is_parsed),
		cmocka_unit_test(config_is_parsed),
		cmocka_unit_test(config_malformed_is_refused),
		cmocka_unit_test(stats_are_parsed),
		cmocka_unit_test(stats_malformed_are_refused),
		cmocka_unit_test(addresses_are_parsed),
		cmocka_unit_test(prefixes_are_parsed),
		cmocka_unit_test(macs_are_parsed),
	};

	return cmocka_run_group_tests_name("kernel_msgs", tests, NULL, NULL);
}
