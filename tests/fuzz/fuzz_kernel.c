/*
 * libFuzzer: wicketd's and wicketctl's parsers of what the kernel sends
 * back on generic netlink (daemon/kernel.c): extended ACKs and errors,
 * the controller's family reply, and wicket.ko's version, client, event,
 * port, garden and config messages; and kernel_request_client_at(),
 * which maps an error's offset back to a client of the batch request
 * that was sent.
 *
 * Input: one datagram as recv() gives it. Its messages are taken as
 * libmnl's mnl_nlmsg_ok()/mnl_nlmsg_next() walk them, as the receive loops
 * of kernel.c do, each copied to a buffer of exactly its length (so ASan
 * sees a read past it), and given to every parser.
 *
 * Checked, besides what ASan and UBSan see: what a parser accepts keeps
 * the promises of kernel.h (strings terminated, at most WICKET_MAX_ADDRS
 * addresses of a known family, prefix lengths in range, a mark with its
 * mask, the fields the uapi promises present); an error offset maps to a
 * client that was sent, or to none.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kernel.h"

#define NCLIENTS 3

/* A batch request with NCLIENTS clients, as kernel_client_add() sends. */
static char request[8192] __attribute__((aligned(4)));

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kernel_client c[NCLIENTS];

	(void)argc;
	(void)argv;
	memset(c, 0, sizeof(c));
	for (int i = 0; i < NCLIENTS; i++) {
		c[i].port = 7 + (uint32_t)i;
		c[i].mac[0] = 0x02;
		c[i].mac[5] = (uint8_t)i;
		c[i].naddrs = 1;
		c[i].addrs[0].family = AF_INET;
		c[i].addrs[0].v4.s_addr = htonl(0x0a000164 + (uint32_t)i);
		c[i].has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE;
		c[i].state = WICKET_STATE_AUTHORIZED;
	}
	if (kernel_build_clients(request, sizeof(request), NCLIENTS, 0x20, WICKET_CMD_CLIENT_ADD, c,
				 NCLIENTS) != NCLIENTS)
		abort();
	return 0;
}

static void check_terminated(const char *s, size_t size)
{
	if (strnlen(s, size) == size)
		abort();
}

static void check_client(const struct kernel_client *c)
{
	if (c->naddrs > WICKET_MAX_ADDRS || !(c->has & KERNEL_CLIENT_HAS_PORT) ||
	    !(c->has & KERNEL_CLIENT_HAS_MAC))
		abort();
	for (unsigned int i = 0; i < c->naddrs; i++)
		if (c->addrs[i].family != AF_INET && c->addrs[i].family != AF_INET6)
			abort();
}

static void parse_all(const struct nlmsghdr *nlh)
{
	struct kernel_ack ack;
	struct kernel_version v;
	struct kernel_client c;
	struct kernel_port port;
	struct kernel_prefix prefix;
	struct kernel_config cfg;
	char msg[64];
	uint16_t family;
	uint32_t group;
	uint8_t cmd;
	size_t index;
	int ret;

	if (kernel_parse_ack(nlh, &ack) == 0) {
		check_terminated(ack.msg, sizeof(ack.msg));
		if (ack.error > 0)
			abort();
		/* describe(): which client of the request the error is about. */
		if ((ack.has & KERNEL_ACK_HAS_OFFS) &&
		    kernel_request_client_at((const struct nlmsghdr *)request, ack.offs, &index) == 0 &&
		    index >= NCLIENTS)
			abort();
		if ((ack.has & KERNEL_ACK_HAS_MISS_NEST) &&
		    kernel_request_client_at((const struct nlmsghdr *)request, ack.miss_nest, &index) == 0 &&
		    index >= NCLIENTS)
			abort();
	}
	ret = kernel_parse_error(nlh, msg, sizeof(msg));
	if (ret > 0)
		abort();
	check_terminated(msg, sizeof(msg));

	if (kernel_parse_family_id(nlh, &family) == 0 && family == 0)
		abort();
	ret = kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &group);
	if (ret && ret != -ENOENT && ret != -EBADMSG)
		abort();
	if (kernel_parse_version(nlh, &v) == 0) {
		check_terminated(v.release, sizeof(v.release));
		if (!v.protocol || !v.protocol_min || v.protocol_min > v.protocol || !v.release[0])
			abort();
	}
	if (kernel_parse_client_reply(nlh, &c) == 0) {
		check_client(&c);
		if ((c.has &
		     (KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_COUNTERS)) !=
		    (KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_COUNTERS))
			abort();
	}
	ret = kernel_parse_event(nlh, &cmd, &c);
	if (ret == 0) {
		check_client(&c);
		if (cmd != WICKET_CMD_EVENT_SEEN && cmd != WICKET_CMD_EVENT_CLOSED)
			abort();
	} else if (ret != -ENOENT && ret != -EBADMSG) {
		abort();
	}
	if (kernel_parse_port(nlh, &port) == 0 && (!port.ifindex || !port.mode))
		abort();
	if (kernel_parse_garden(nlh, &prefix) == 0 &&
	    ((prefix.addr.family != AF_INET && prefix.addr.family != AF_INET6) ||
	     prefix.prefixlen > (prefix.addr.family == AF_INET ? 32 : 128)))
		abort();
	if (kernel_parse_config(nlh, &cfg) == 0 && (cfg.has & ~KERNEL_CONFIG_HAS_ALL))
		abort();

	/* The message as a request of ours, an offset into it from its own bytes. */
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + 4) {
		uint32_t off;

		memcpy(&off, (const char *)nlh + nlh->nlmsg_len - 4, sizeof(off));
		kernel_request_client_at(nlh, off % (nlh->nlmsg_len + 8), &index);
	}
	/*
	 * Every top-level attribute as a WICKET_A_CLIENT nest, each within the
	 * message as kernel.c's walk takes them (not libmnl's
	 * mnl_attr_for_each(), which lets the last one reach into the
	 * message's alignment padding).
	 */
	for (size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));
	     off + sizeof(struct nlattr) <= nlh->nlmsg_len;) {
		const struct nlattr *attr = (const struct nlattr *)((const char *)nlh + off);

		if (attr->nla_len < sizeof(*attr) || attr->nla_len > nlh->nlmsg_len - off)
			break;
		if (kernel_parse_client(attr, &c) == 0)
			check_client(&c);
		off += MNL_ALIGN(attr->nla_len);
	}
}

/*
 * mnl_nlmsg_ok() with a length that fits in an int: libmnl 1.0.4 compares
 * (int)nlmsg_len with the bytes left, so it takes a length of 2 GiB or more
 * (negative as an int) for a short one. The kernel, the only sender on
 * these sockets, never sends such a length; kernel.c's loops rely on that.
 */
static int msg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	int len = (int)size;
	uint8_t *buf;

	if (size > 2 * KERNEL_BATCH_BYTES) /* more than kernel.c receives at once */
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	for (nlh = (const struct nlmsghdr *)buf; msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		struct nlmsghdr *copy = malloc(nlh->nlmsg_len);

		if (!copy)
			abort();
		memcpy(copy, nlh, nlh->nlmsg_len);
		parse_all(copy);
		free(copy);
	}
	free(buf);
	return 0;
}
