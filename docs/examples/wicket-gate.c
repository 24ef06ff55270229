/*
 * wicket-gate: the smallest complete user of wicket.ko's generic netlink
 * API (kmod/uapi/wicket.h), for router vendors who drive the gate from
 * their own software instead of wicketd. Self-contained: libmnl and the
 * uapi header, nothing of wicket's own code.
 *
 *   wicket-gate PORT MAC ADDR SECONDS [LISTEN_SECONDS]
 *
 * 1. GET_VERSION: the module's release and protocol range;
 * 2. PORT_SET: PORT becomes an access port in charge mode;
 * 3. CLIENT_ADD: MAC with address ADDR (IPv4 or IPv6) on PORT,
 *    authorized for SECONDS by the kernel's clock (the kernel closes the
 *    gate at the deadline by itself, whoever is running);
 * 4. CLIENT_GET dump: every client with its counters;
 * 5. joins the "events" multicast group and prints EVENT_SEEN (unknown
 *    sources on access ports) and EVENT_CLOSED (gates the kernel closed)
 *    for LISTEN_SECONDS (default 10).
 *
 * Needs CAP_NET_ADMIN. Acts on the network namespace it runs in.
 * Build: cc -Wall -Wextra -Werror -I kmod wicket-gate.c -lmnl
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/ether.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uapi/wicket.h"

/* Room for any reply (a dump fills messages up to a page or so). */
#define BUF_SIZE 32768

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static uint16_t family_id;
static uint32_t events_group;
static unsigned int seq;

/* A request to the wicket family, with the protocol we speak. */
static struct nlmsghdr *request(char *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = WICKET_GENL_VERSION;
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, WICKET_PROTOCOL);
	return nlh;
}

/* One exchange: the caller's callback and data, and the kernel's extended
 * ACK message when it refuses (it names the attribute at fault, which
 * errno alone does not). */
struct exchange {
	mnl_cb_t cb;
	void *data;
	const char *msg;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *x = data;

	return x->cb ? x->cb(nlh, x->data) : MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct exchange *x = data;
	size_t off = sizeof(*err);
	const struct nlattr *attr;

	if (err->error == 0)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* The TLVs follow the error header (and the request, unless capped). */
		for (attr = (const struct nlattr *)((const char *)err + MNL_ALIGN(off));
		     mnl_attr_ok(attr, (const char *)mnl_nlmsg_get_payload_tail(nlh) - (const char *)attr);
		     attr = mnl_attr_next(attr)) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				x->msg = mnl_attr_get_str(attr);
		}
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; it carries an error when the dump failed midway. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int) && *(const int *)mnl_nlmsg_get_payload(nlh) < 0) {
		errno = -*(const int *)mnl_nlmsg_get_payload(nlh);
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* Send a request and run cb on every reply until the ACK or the dump's end. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what)
{
	static char buf[BUF_SIZE];
	/* With a table of its own, libmnl runs no default for control
	 * messages: NLMSG_DONE needs its callback here too. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb };
	struct exchange x = { .cb = cb, .data = data };
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror(what);
		return -1;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run2(buf, ret, nlh->nlmsg_seq, portid, data_cb, &x, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		/* x.msg points into buf, which is still intact. */
		fprintf(stderr, "%s: %s%s%s\n", what, strerror(errno), x.msg ? ": " : "", x.msg ? x.msg : "");
		return -1;
	}
	return 0;
}

/* --- the family and its events group, from the generic netlink controller */

static int group_cb(const struct nlattr *grp)
{
	const struct nlattr *attr;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(attr, grp)
	{
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(attr);
		else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(attr);
	}
	if (name && strcmp(name, WICKET_GENL_MCGRP_EVENTS) == 0)
		events_group = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *grp;

	(void)data;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			family_id = mnl_attr_get_u16(attr);
		else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
			mnl_attr_for_each_nested(grp, attr) group_cb(grp);
	}
	return MNL_CB_OK;
}

static int resolve_family(struct mnl_socket *nl)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	if (talk(nl, nlh, family_cb, NULL, "family " WICKET_GENL_NAME " (is wicket.ko loaded?)") < 0)
		return -1;
	return family_id && events_group ? 0 : -1;
}

/* --- 1. GET_VERSION */

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	uint32_t proto = 0, min = 0;
	const char *release = "?";

	(void)data;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
	{
		switch (mnl_attr_get_type(attr)) {
		case WICKET_A_PROTOCOL:
			proto = mnl_attr_get_u32(attr);
			break;
		case WICKET_A_PROTOCOL_MIN:
			min = mnl_attr_get_u32(attr);
			break;
		case WICKET_A_RELEASE:
			release = mnl_attr_get_str(attr);
			break;
		}
	}
	printf("wicket.ko %s, protocol %" PRIu32 " (accepts %" PRIu32 "..%" PRIu32 ")\n", release, proto, min,
	       proto);
	/* A module too old or too new for what we speak refuses every other
	 * command with EPROTO: say so now, plainly. */
	if (WICKET_PROTOCOL < min || WICKET_PROTOCOL > proto)
		fprintf(stderr, "this program speaks protocol %d\n", WICKET_PROTOCOL);
	return MNL_CB_OK;
}

/* --- 4. CLIENT_GET dump */

static const char *state_name(uint8_t s)
{
	static const char *const names[] = {
		[WICKET_STATE_CAPTIVE] = "captive",
		[WICKET_STATE_PROVISIONAL] = "provisional",
		[WICKET_STATE_AUTHORIZED] = "authorized",
		[WICKET_STATE_BLOCKED] = "blocked",
	};

	return s <= WICKET_STATE_MAX && names[s] ? names[s] : "?";
}

/* An address nest: "10.0.101.50" (one) or "10.0.101.50,fd00:101::50". */
static void format_addrs(const struct nlattr *nest, char *out, size_t len)
{
	const struct nlattr *attr;
	char one[INET6_ADDRSTRLEN];
	size_t used = 0;

	out[0] = '\0';
	mnl_attr_for_each_nested(attr, nest)
	{
		int af = mnl_attr_get_type(attr) == WICKET_ADDR_A_IPV4 ? AF_INET : AF_INET6;

		if (!inet_ntop(af, mnl_attr_get_payload(attr), one, sizeof(one)))
			continue;
		used += snprintf(out + used, used < len ? len - used : 0, "%s%s", used ? "," : "", one);
	}
}

struct client {
	uint32_t port;
	char mac[18];
	char addrs[256];
	uint8_t state, reason;
	uint32_t flags;
	uint64_t session, timeout_ms, up_packets, up_bytes, down_packets, down_bytes;
	int has_timeout;
};

static void parse_client(const struct nlattr *nest, struct client *c)
{
	const struct nlattr *attr;

	memset(c, 0, sizeof(*c));
	strcpy(c->addrs, "-");
	mnl_attr_for_each_nested(attr, nest)
	{
		switch (mnl_attr_get_type(attr)) {
		case WICKET_CLIENT_A_PORT:
			c->port = mnl_attr_get_u32(attr);
			break;
		case WICKET_CLIENT_A_MAC:
			if (mnl_attr_get_payload_len(attr) == ETH_ALEN) {
				const unsigned char *m = mnl_attr_get_payload(attr);

				snprintf(c->mac, sizeof(c->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
					 m[2], m[3], m[4], m[5]);
			}
			break;
		case WICKET_CLIENT_A_ADDRS:
			format_addrs(attr, c->addrs, sizeof(c->addrs));
			break;
		case WICKET_CLIENT_A_STATE:
			c->state = mnl_attr_get_u8(attr);
			break;
		case WICKET_CLIENT_A_FLAGS:
			c->flags = mnl_attr_get_u32(attr);
			break;
		case WICKET_CLIENT_A_REASON:
			c->reason = mnl_attr_get_u8(attr);
			break;
		case WICKET_CLIENT_A_SESSION:
			c->session = mnl_attr_get_u64(attr);
			break;
		case WICKET_CLIENT_A_TIMEOUT_MS:
			c->timeout_ms = mnl_attr_get_u64(attr);
			c->has_timeout = 1;
			break;
		case WICKET_CLIENT_A_UP_PACKETS:
			c->up_packets = mnl_attr_get_u64(attr);
			break;
		case WICKET_CLIENT_A_UP_BYTES:
			c->up_bytes = mnl_attr_get_u64(attr);
			break;
		case WICKET_CLIENT_A_DOWN_PACKETS:
			c->down_packets = mnl_attr_get_u64(attr);
			break;
		case WICKET_CLIENT_A_DOWN_BYTES:
			c->down_bytes = mnl_attr_get_u64(attr);
			break;
		}
	}
}

static const char *ifname(uint32_t ifindex, char *buf)
{
	return if_indextoname(ifindex, buf) ? buf : "?";
}

static int client_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	char name[IF_NAMESIZE];
	struct client c;

	(void)data;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(attr) != WICKET_A_CLIENT)
			continue;
		parse_client(attr, &c);
		/* CLOSED: the kernel closed the gate (deadline or cap); the
		 * state stays what was set until the owner changes it. */
		printf("client %s on %s: %s%s, %s, session %" PRIu64, c.mac, ifname(c.port, name),
		       state_name(c.state), c.flags & WICKET_CLIENT_F_CLOSED ? " (closed)" : "", c.addrs,
		       c.session);
		if (c.has_timeout)
			printf(", %" PRIu64 " s left", c.timeout_ms / 1000);
		printf(", up %" PRIu64 " packets %" PRIu64 " bytes, down %" PRIu64 " packets %" PRIu64
		       " bytes\n",
		       c.up_packets, c.up_bytes, c.down_packets, c.down_bytes);
	}
	return MNL_CB_OK;
}

/* --- 5. events */

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	char name[IF_NAMESIZE];
	struct client c;

	(void)data;
	if (nlh->nlmsg_type != family_id)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*genl))
	{
		if (mnl_attr_get_type(attr) != WICKET_A_CLIENT)
			continue;
		parse_client(attr, &c);
		if (genl->cmd == WICKET_CMD_EVENT_SEEN)
			printf("seen %s on %s from %s\n", c.mac, ifname(c.port, name), c.addrs);
		else if (genl->cmd == WICKET_CMD_EVENT_CLOSED)
			printf("closed %s on %s, session %" PRIu64 ", %s, up %" PRIu64 " bytes, down %" PRIu64
			       " bytes\n",
			       c.mac, ifname(c.port, name), c.session,
			       c.reason == WICKET_CLOSE_DEADLINE ? "deadline" : "byte cap", c.up_bytes,
			       c.down_bytes);
	}
	fflush(stdout);
	return MNL_CB_OK;
}

static int listen_events(unsigned int seconds)
{
	static char buf[BUF_SIZE];
	struct mnl_socket *ev = mnl_socket_open(NETLINK_GENERIC);
	time_t end = time(NULL) + seconds;
	struct pollfd pfd;

	/* Its own socket: events never mix with the replies to requests. */
	if (!ev || mnl_socket_bind(ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(ev, NETLINK_ADD_MEMBERSHIP, &events_group, sizeof(events_group)) < 0) {
		perror("events");
		return -1;
	}
	printf("listening for events for %u s\n", seconds);
	fflush(stdout);
	pfd.fd = mnl_socket_get_fd(ev);
	pfd.events = POLLIN;
	while (time(NULL) < end) {
		int ret = poll(&pfd, 1, 200);

		if (ret <= 0)
			continue;
		ret = mnl_socket_recvfrom(ev, buf, sizeof(buf));
		/* ENOBUFS: events were lost (a burst); the table is still
		 * the truth, so a real program dumps it again here. */
		if (ret < 0 && errno == ENOBUFS) {
			printf("events lost: dump the table again\n");
			continue;
		}
		if (ret < 0)
			break;
		mnl_cb_run(buf, ret, 0, 0, event_cb, NULL);
	}
	mnl_socket_close(ev);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct nlattr *clients, *client, *addrs, *port;
	unsigned char addr[sizeof(struct in6_addr)];
	struct mnl_socket *nl;
	struct ether_addr mac;
	struct nlmsghdr *nlh;
	uint32_t ifindex;
	unsigned long secs, listen_secs = 10;
	int af, on = 1;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: %s PORT MAC ADDR SECONDS [LISTEN_SECONDS]\n", argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	af = strchr(argv[3], ':') ? AF_INET6 : AF_INET;
	secs = strtoul(argv[4], NULL, 10);
	if (argc == 6)
		listen_secs = strtoul(argv[5], NULL, 10);
	if (!ifindex || !ether_aton_r(argv[2], &mac) || inet_pton(af, argv[3], addr) != 1 || !secs) {
		fprintf(stderr, "%s: bad PORT, MAC, ADDR or SECONDS\n", argv[0]);
		return 2;
	}

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	/* Errors come back with a message naming the attribute at fault. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &on, sizeof(on));
	if (resolve_family(nl) < 0)
		return 1;

	/* 1. GET_VERSION */
	nlh = request(buf, WICKET_CMD_GET_VERSION, NLM_F_ACK);
	if (talk(nl, nlh, version_cb, NULL, "GET_VERSION") < 0)
		return 1;

	/* 2. PORT_SET: the interface becomes an access port, gate applied. */
	nlh = request(buf, WICKET_CMD_PORT_SET, NLM_F_ACK);
	port = mnl_attr_nest_start(nlh, WICKET_A_PORT);
	mnl_attr_put_u32(nlh, WICKET_PORT_A_IFINDEX, ifindex);
	mnl_attr_put_u8(nlh, WICKET_PORT_A_MODE, WICKET_PORT_CHARGE);
	mnl_attr_nest_end(nlh, port);
	if (talk(nl, nlh, NULL, NULL, "PORT_SET") < 0)
		return 1;
	printf("port %s: charge\n", argv[1]);

	/* 3. CLIENT_ADD: a batch of one. The deadline is relative, by the
	 * kernel's clock: no wall clock to agree on. */
	nlh = request(buf, WICKET_CMD_CLIENT_ADD, NLM_F_ACK);
	clients = mnl_attr_nest_start(nlh, WICKET_A_CLIENTS);
	client = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, ifindex);
	mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, ETH_ALEN, &mac);
	addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
	if (af == AF_INET)
		mnl_attr_put(nlh, WICKET_ADDR_A_IPV4, sizeof(struct in_addr), addr);
	else
		mnl_attr_put(nlh, WICKET_ADDR_A_IPV6, sizeof(struct in6_addr), addr);
	mnl_attr_nest_end(nlh, addrs);
	mnl_attr_put_u8(nlh, WICKET_CLIENT_A_STATE, WICKET_STATE_AUTHORIZED);
	mnl_attr_put_u64(nlh, WICKET_CLIENT_A_SESSION, 1);
	mnl_attr_put_u64(nlh, WICKET_CLIENT_A_TIMEOUT_MS, (uint64_t)secs * 1000);
	mnl_attr_nest_end(nlh, client);
	mnl_attr_nest_end(nlh, clients);
	if (talk(nl, nlh, NULL, NULL, "CLIENT_ADD") < 0)
		return 1;
	printf("client %s on %s: authorized for %lu s\n", argv[2], argv[1], secs);

	/* 4. CLIENT_GET dump: every client, with its counters. */
	nlh = request(buf, WICKET_CMD_CLIENT_GET, NLM_F_DUMP);
	if (talk(nl, nlh, client_cb, NULL, "CLIENT_GET") < 0)
		return 1;

	mnl_socket_close(nl);
	/* 5. What the kernel tells on its own. */
	return listen_events(listen_secs) < 0 ? 1 : 0;
}
