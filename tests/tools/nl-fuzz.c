/*
 * nl-fuzz: random and mutated requests to wicket.ko's generic netlink
 * family, each answer read and checked, for the kernel tests.
 *
 *   nl-fuzz [-n COUNT] [-s SEED] [-r] [-p IFINDEX]... [-o INDEX] [-q]
 *
 * Every request is built from a model of kmod/uapi/wicket.h (each command,
 * the event commands and unknown numbers; plausible and random
 * attributes, nests, batches at and over their limits) and then, often,
 * damaged: a byte flipped, an attribute length set to an edge, the message
 * cut short, garbage appended. Flags are random too (NLM_F_ACK,
 * NLM_F_DUMP, its halves, others).
 *
 * Checks: an answer that names our sequence number is an error, a
 * NLMSG_DONE or a message of the family; a request with NLM_F_ACK gets its
 * ack (or the end of its dump), never silence; a request without it is
 * followed by a GET_VERSION barrier whose ack must come. With -r
 * ("reject only") each request carries one defect the module must refuse
 * (unknown command, no or a wrong WICKET_A_PROTOCOL, an attribute type past
 * the last, a truncated attribute, a cut generic netlink header), and any
 * success is a failure: run against a known table, nothing may change.
 *
 * The same SEED gives the same requests: a failure names the seed and the
 * message's index; -o INDEX sends that message alone (the others are still
 * generated, not sent) and prints it in hex. Exit 0, 1 on a failed check,
 * 2 on a usage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "kernel.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Room for the biggest request (a nlmsg may exceed one attribute's 64 KiB) and any answer. */
#define MSG_MAX (160 * 1024)
#define RECV_MAX (256 * 1024)
#define ANSWER_TIMEOUT_S 10
#define MAX_PORTS 16
#define MAX_FAILURES 20

struct fuzz {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t portid, seq;
	uint64_t rng;
	int reject_only, quiet;
	uint32_t ports[MAX_PORTS];
	int nports;
	/* Statistics. */
	unsigned long sent, acked, errors, dumps, replies, barriers, failures;
	unsigned long by_errno[135];
	unsigned long by_cmd[256];
};

static uint8_t msgbuf[MSG_MAX] __attribute__((aligned(4)));
static uint8_t rbuf[RECV_MAX] __attribute__((aligned(4)));

/* --- randomness: xorshift64*, the same sequence for the same seed everywhere */

static uint64_t rnd(struct fuzz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ULL;
}

/* 0 .. n-1 */
static uint32_t below(struct fuzz *f, uint32_t n)
{
	return n ? (uint32_t)(rnd(f) % n) : 0;
}

/* True with probability pct percent. */
static int chance(struct fuzz *f, unsigned int pct)
{
	return below(f, 100) < pct;
}

static void fill(struct fuzz *f, void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(f);
}

/* --- building blocks: plausible values, and numbers at the edges */

static uint64_t edge_u64(struct fuzz *f)
{
	static const uint64_t edges[] = {
		0,         1,       2,          0x7f,       0x80,       0xff,           0x100,
		0xffff,    0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		UINT64_MAX
	};

	return chance(f, 60) ? edges[below(f, sizeof(edges) / sizeof(edges[0]))] : rnd(f);
}

static uint32_t some_port(struct fuzz *f)
{
	if (f->nports && chance(f, 80))
		return f->ports[below(f, (uint32_t)f->nports)];
	return chance(f, 50) ? below(f, 64) : (uint32_t)edge_u64(f);
}

static void some_mac(struct fuzz *f, uint8_t mac[6])
{
	static const uint8_t pool[][6] = {
		{ 0x02, 0, 0, 0, 0x0f, 0x01 },          { 0x02, 0, 0, 0, 0x0f, 0x02 },
		{ 0x02, 0, 0, 0, 0x0f, 0x03 },          { 0x01, 0, 0x5e, 0, 0, 1 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0, 0, 0, 0 },
	};

	if (chance(f, 70)) {
		memcpy(mac, pool[below(f, sizeof(pool) / sizeof(pool[0]))], 6);
		return;
	}
	fill(f, mac, 6);
	if (chance(f, 70))
		mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, local */
}

static void put_addr(struct fuzz *f, struct nlmsghdr *nlh, uint16_t v4type, uint16_t v6type)
{
	uint8_t a[16];

	if (chance(f, 50)) {
		/* 10.0.x.y mostly: the test's guest nets; sometimes anything. */
		a[0] = 10;
		a[1] = 0;
		a[2] = (uint8_t)below(f, 4);
		a[3] = (uint8_t)below(f, 256);
		if (chance(f, 20))
			fill(f, a, 4);
		mnl_attr_put(nlh, v4type, chance(f, 95) ? 4 : below(f, 9), a);
		return;
	}
	memset(a, 0, 16);
	a[0] = 0xfd;
	a[15] = (uint8_t)below(f, 256);
	if (chance(f, 20))
		fill(f, a, 16);
	if (chance(f, 5)) /* a v4-mapped address in an IPV6 attribute */
		memcpy(a, (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 2 }, 16);
	mnl_attr_put(nlh, v6type, chance(f, 95) ? 16 : below(f, 20), a);
}

/* An integer attribute of the expected size mostly, of another one sometimes. */
static void put_int(struct fuzz *f, struct nlmsghdr *nlh, uint16_t type, size_t size, uint64_t v)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 8, 12 };

	if (chance(f, 8))
		size = sizes[below(f, sizeof(sizes) / sizeof(sizes[0]))];
	mnl_attr_put(nlh, type, size, &v); /* little-endian hosts: the low bytes */
}

static int room(const struct nlmsghdr *nlh, size_t need)
{
	return nlh->nlmsg_len + need + 64 < MSG_MAX;
}

/* Random attributes (types around the valid range), nests among them. */
static void put_random_attrs(struct fuzz *f, struct nlmsghdr *nlh, int depth, unsigned int n)
{
	uint8_t payload[64];

	for (unsigned int i = 0; i < n && room(nlh, 128); i++) {
		uint16_t type = (uint16_t)(chance(f, 80) ? below(f, WICKET_A_MAX + 4) : rnd(f));

		if (depth < 40 && chance(f, 20)) {
			struct nlattr *nest = mnl_attr_nest_start(nlh, type & ~NLA_F_NESTED);

			put_random_attrs(f, nlh, depth + 1, below(f, 4));
			mnl_attr_nest_end(nlh, nest);
			continue;
		}
		{
			size_t len = below(f, chance(f, 80) ? 17 : sizeof(payload) + 1);

			fill(f, payload, len);
			mnl_attr_put(nlh, type, len, payload);
		}
	}
}

static void put_protocol(struct fuzz *f, struct nlmsghdr *nlh, uint8_t cmd)
{
	if (cmd == WICKET_CMD_GET_VERSION && chance(f, 50))
		return;
	if (chance(f, 95))
		mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, WICKET_PROTOCOL);
	else if (chance(f, 50))
		put_int(f, nlh, WICKET_A_PROTOCOL, 4, edge_u64(f));
	/* else none */
}

static void put_client(struct fuzz *f, struct nlmsghdr *nlh, uint16_t type, uint8_t cmd)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	uint8_t mac[6];

	if (chance(f, 95))
		put_int(f, nlh, WICKET_CLIENT_A_PORT, 4, some_port(f));
	if (chance(f, 95)) {
		some_mac(f, mac);
		mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, chance(f, 95) ? 6 : below(f, 9), mac);
	}
	if (cmd != WICKET_CMD_CLIENT_DEL || chance(f, 10)) {
		if (chance(f, 50)) {
			struct nlattr *addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);
			/* 0..3 mostly; 16 and 17 (the limit and one past it) now and then. */
			unsigned int n = chance(f, 90) ? below(f, 4) : WICKET_MAX_ADDRS + below(f, 2);

			for (unsigned int i = 0; i < n; i++)
				put_addr(f, nlh, WICKET_ADDR_A_IPV4, WICKET_ADDR_A_IPV6);
			if (chance(f, 3))
				put_random_attrs(f, nlh, 2, 1);
			mnl_attr_nest_end(nlh, addrs);
		}
		if (chance(f, 40))
			put_int(f, nlh, WICKET_CLIENT_A_STATE, 1, below(f, WICKET_STATE_MAX + 3));
		if (chance(f, 30))
			put_int(f, nlh, WICKET_CLIENT_A_SESSION, 8, edge_u64(f));
		if (chance(f, 30))
			put_int(f, nlh, WICKET_CLIENT_A_TIMEOUT_MS, 8,
				chance(f, 50) ? below(f, 100000) : edge_u64(f));
		if (chance(f, 20))
			put_int(f, nlh, WICKET_CLIENT_A_BYTE_CAP, 8, edge_u64(f));
	}
	/* Reply-only and unknown attributes, in a request. */
	if (chance(f, 5)) {
		uint16_t t = (uint16_t)(WICKET_CLIENT_A_FLAGS +
					below(f, WICKET_CLIENT_A_MAX - WICKET_CLIENT_A_FLAGS + 3));

		put_int(f, nlh, t,
			t == WICKET_CLIENT_A_FLAGS    ? 4
			: t == WICKET_CLIENT_A_REASON ? 1
						      : 8,
			edge_u64(f));
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_clients(struct fuzz *f, struct nlmsghdr *nlh, uint8_t cmd)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENTS);
	unsigned int n;

	/* Mostly small batches; the limits (heavy for the module: rarer) now and then. */
	switch (below(f, 100)) {
	case 0:
	case 1:
	case 2:
		n = 0;
		break;
	case 3:
		n = WICKET_MAX_BATCH;
		break;
	case 4:
		n = WICKET_MAX_BATCH + 1;
		break;
	case 5:
		n = 3000; /* more than the nest's 16-bit length holds: it wraps */
		break;
	default:
		n = 1 + below(f, 8);
	}
	for (unsigned int i = 0; i < n && room(nlh, 512); i++)
		put_client(f, nlh, chance(f, 98) ? WICKET_A_CLIENT : (uint16_t)below(f, 10), cmd);
	mnl_attr_nest_end(nlh, nest);
}

/* The attributes of a plausible request of cmd (a known command or not). */
static void put_body(struct fuzz *f, struct nlmsghdr *nlh, uint8_t cmd)
{
	struct nlattr *nest;

	put_protocol(f, nlh, cmd);
	switch (cmd) {
	case WICKET_CMD_PORT_SET:
	case WICKET_CMD_PORT_DEL:
		nest = mnl_attr_nest_start(nlh, WICKET_A_PORT);
		if (chance(f, 95))
			put_int(f, nlh, WICKET_PORT_A_IFINDEX, 4, some_port(f));
		if (cmd == WICKET_CMD_PORT_SET ? chance(f, 95) : chance(f, 10))
			put_int(f, nlh, WICKET_PORT_A_MODE, 1, below(f, WICKET_PORT_MODE_MAX + 3));
		mnl_attr_nest_end(nlh, nest);
		break;
	case WICKET_CMD_CLIENT_ADD:
	case WICKET_CMD_CLIENT_UPDATE:
	case WICKET_CMD_CLIENT_DEL:
		put_clients(f, nlh, cmd);
		break;
	case WICKET_CMD_CLIENT_GET:
		if (chance(f, 30))
			put_int(f, nlh, WICKET_A_FLAGS, 4, chance(f, 70) ? below(f, 3) : edge_u64(f));
		if (chance(f, 60)) {
			if (chance(f, 70)) {
				put_client(f, nlh, WICKET_A_CLIENT, WICKET_CMD_CLIENT_DEL);
			} else {
				nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
				struct nlattr *addrs = mnl_attr_nest_start(nlh, WICKET_CLIENT_A_ADDRS);

				for (unsigned int i = chance(f, 90) ? 1 : below(f, 4); i > 0; i--)
					put_addr(f, nlh, WICKET_ADDR_A_IPV4, WICKET_ADDR_A_IPV6);
				mnl_attr_nest_end(nlh, addrs);
				mnl_attr_nest_end(nlh, nest);
			}
		}
		break;
	case WICKET_CMD_GARDEN_ADD:
	case WICKET_CMD_GARDEN_DEL:
		nest = mnl_attr_nest_start(nlh, WICKET_A_GARDEN);
		if (chance(f, 95))
			put_addr(f, nlh, WICKET_GARDEN_A_IPV4, WICKET_GARDEN_A_IPV6);
		if (chance(f, 5))
			put_addr(f, nlh, WICKET_GARDEN_A_IPV4, WICKET_GARDEN_A_IPV6);
		if (chance(f, 95))
			put_int(f, nlh, WICKET_GARDEN_A_PREFIXLEN, 1,
				chance(f, 80) ? below(f, 130) : edge_u64(f));
		mnl_attr_nest_end(nlh, nest);
		break;
	case WICKET_CMD_CONFIG_SET:
		nest = mnl_attr_nest_start(nlh, WICKET_A_CONFIG);
		for (uint16_t t = WICKET_CONFIG_A_MARK; t <= WICKET_CONFIG_A_MAX + 1; t++)
			if (chance(f, 40))
				put_int(f, nlh, t, 4, chance(f, 50) ? below(f, 70000) : edge_u64(f));
		mnl_attr_nest_end(nlh, nest);
		break;
	case WICKET_CMD_FLUSH:
		if (chance(f, 60))
			put_int(f, nlh, WICKET_A_FLUSH, 4, chance(f, 80) ? below(f, 16) : edge_u64(f));
		break;
	case WICKET_CMD_EVENT_SEEN:
	case WICKET_CMD_EVENT_CLOSED:
		/* What the module multicasts, sent to it as a request. */
		put_client(f, nlh, WICKET_A_CLIENT, WICKET_CMD_CLIENT_ADD);
		break;
	default:
		break;
	}
	if (chance(f, 15))
		put_random_attrs(f, nlh, 0, 1 + below(f, 4));
	if (chance(f, 1))
		put_random_attrs(f, nlh, 0, 2000); /* a huge count of attributes */
}

/* --- damage */

/* Offsets of every attribute header in [start, end), nests walked (strictly well-formed ones only). */
static size_t collect_attrs(const uint8_t *base, size_t start, size_t end, size_t *out, size_t n, size_t max)
{
	size_t off = start;

	while (off + NLA_HDRLEN <= end && n < max) {
		const struct nlattr *a = (const struct nlattr *)(base + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		out[n++] = off;
		if ((a->nla_type & NLA_F_NESTED) || a->nla_len >= 2 * NLA_HDRLEN)
			n = collect_attrs(base, off + NLA_HDRLEN, off + a->nla_len, out, n, max);
		off += NLA_ALIGN(a->nla_len);
	}
	return n;
}

static void mutate(struct fuzz *f, struct nlmsghdr *nlh)
{
	const size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	uint8_t *base = (uint8_t *)nlh;
	size_t offs[4096], n = collect_attrs(base, hdr, nlh->nlmsg_len, offs, 0, 4096);

	switch (below(f, 7)) {
	case 0: /* one byte of the attributes */
		if (nlh->nlmsg_len > hdr)
			base[hdr + below(f, nlh->nlmsg_len - (uint32_t)hdr)] ^= (uint8_t)(1 + below(f, 255));
		break;
	case 1: /* one attribute's length at an edge */
		if (n) {
			struct nlattr *a = (struct nlattr *)(base + offs[below(f, (uint32_t)n)]);
			static const int deltas[] = { -1, 1, -4, 4, 8 };

			switch (below(f, 4)) {
			case 0:
				a->nla_len = (uint16_t)below(f, NLA_HDRLEN + 1);
				break;
			case 1:
				a->nla_len = 0xffff;
				break;
			default:
				a->nla_len = (uint16_t)(a->nla_len + deltas[below(f, 5)]);
			}
		}
		break;
	case 2: /* one attribute's type */
		if (n) {
			struct nlattr *a = (struct nlattr *)(base + offs[below(f, (uint32_t)n)]);

			a->nla_type =
				(uint16_t)(chance(f, 50) ? a->nla_type ^ (1u << below(f, 16)) : below(f, 20));
		}
		break;
	case 3: /* the message cut anywhere after the nlmsghdr (attributes truncated) */
		nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + below(f, nlh->nlmsg_len - NLMSG_HDRLEN + 1));
		break;
	case 4: /* garbage after the last attribute */
		if (room(nlh, 64)) {
			uint32_t extra = 1 + below(f, 40);

			fill(f, base + nlh->nlmsg_len, extra);
			nlh->nlmsg_len += extra;
		}
		break;
	case 5: /* the generic netlink header: version and reserved */
		base[NLMSG_HDRLEN + 1 + below(f, 3)] = (uint8_t)rnd(f);
		break;
	default: /* several bytes */
		for (int i = 0; i < 8 && nlh->nlmsg_len > hdr; i++)
			base[hdr + below(f, nlh->nlmsg_len - (uint32_t)hdr)] = (uint8_t)rnd(f);
	}
}

/*
 * -r: one defect the module must refuse whatever the rest says, made last.
 * The attribute defects go first in the message, where the strict parser
 * meets them before anything a mutation may have left behind.
 */
enum defect { D_UNKNOWN_CMD, D_PROTOCOL, D_TYPE_PAST_LAST, D_TRUNCATED_ATTR, D_SHORT_GENL, D_COUNT };

static void add_defect(struct fuzz *f, struct nlmsghdr *nlh, enum defect d)
{
	const size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	uint8_t *first = (uint8_t *)nlh + hdr;
	struct nlattr *a = (struct nlattr *)first;
	size_t rest;

	if (nlh->nlmsg_len < hdr)
		nlh->nlmsg_len = hdr;
	/* A truncated attribute's length must fit its 16 bits. */
	if (nlh->nlmsg_len > hdr + 0xff00)
		nlh->nlmsg_len = (uint32_t)(hdr + 0xff00);
	rest = nlh->nlmsg_len - hdr;
	switch (d) {
	case D_TYPE_PAST_LAST:
		memmove(first + NLA_HDRLEN + 4, first, rest);
		a->nla_type = (uint16_t)(WICKET_A_MAX + 1 + below(f, 200));
		a->nla_len = NLA_HDRLEN + 4;
		fill(f, first + NLA_HDRLEN, 4);
		nlh->nlmsg_len += NLA_HDRLEN + 4;
		break;
	case D_TRUNCATED_ATTR:
		/* A header that claims more than the whole message holds. */
		if (rest < NLA_HDRLEN) {
			nlh->nlmsg_len = (uint32_t)(hdr + NLA_HDRLEN);
			rest = NLA_HDRLEN;
		}
		a->nla_type = (uint16_t)below(f, WICKET_A_MAX + 1);
		a->nla_len = (uint16_t)(rest + 1 + below(f, 64));
		break;
	case D_SHORT_GENL:
		nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + below(f, GENL_HDRLEN));
		break;
	default:
		break; /* made when the message was: see build() */
	}
}

/* --- one request */

static const uint8_t dump_cmds[] = { WICKET_CMD_PORT_GET, WICKET_CMD_CLIENT_GET, WICKET_CMD_GARDEN_GET };

static int has_dumpit(uint8_t cmd)
{
	return memchr(dump_cmds, cmd, sizeof(dump_cmds)) != NULL;
}

static uint8_t pick_cmd(struct fuzz *f)
{
	if (chance(f, 90))
		return (uint8_t)below(f, WICKET_CMD_MAX + 1); /* UNSPEC, every command, both events */
	return (uint8_t)(WICKET_CMD_MAX + 1 + below(f, 255 - WICKET_CMD_MAX));
}

static uint16_t pick_flags(struct fuzz *f)
{
	uint16_t flags = NLM_F_REQUEST;

	if (chance(f, 70))
		flags |= NLM_F_ACK;
	if (chance(f, 20))
		flags |= NLM_F_DUMP;
	else if (chance(f, 5))
		flags |= chance(f, 50) ? NLM_F_ROOT : NLM_F_MATCH;
	if (chance(f, 5))
		flags |= (uint16_t)(rnd(f) & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP));
	if (chance(f, 2))
		flags &= (uint16_t)~NLM_F_REQUEST; /* not a request: ignored, acked if asked */
	return flags;
}

static struct nlmsghdr *build(struct fuzz *f)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	enum defect d = D_COUNT;
	uint8_t cmd = pick_cmd(f);

	memset(msgbuf, 0, sizeof(msgbuf));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = f->family;
	nlh->nlmsg_flags = pick_flags(f);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->version = WICKET_GENL_VERSION;
	if (f->reject_only) {
		/* Every request is a request, so that it reaches the family's checks. */
		nlh->nlmsg_flags |= NLM_F_REQUEST;
		d = (enum defect)below(f, D_COUNT);
		if (d == D_UNKNOWN_CMD) {
			/* UNSPEC, an event (the module sends them, it takes none), or past the last. */
			if (chance(f, 30))
				cmd = WICKET_CMD_UNSPEC;
			else if (chance(f, 40))
				cmd = chance(f, 50) ? WICKET_CMD_EVENT_SEEN : WICKET_CMD_EVENT_CLOSED;
			else
				cmd = (uint8_t)(WICKET_CMD_MAX + 1 + below(f, 255 - WICKET_CMD_MAX));
		} else if (d == D_PROTOCOL && cmd == WICKET_CMD_GET_VERSION) {
			/* The one command that takes no protocol. */
			cmd = WICKET_CMD_PORT_SET;
		}
	}
	genl->cmd = cmd;
	f->by_cmd[cmd]++;
	if (d == D_PROTOCOL) {
		/* No protocol attribute, an unsupported revision, or the wrong size. */
		uint32_t bad[] = { 0, WICKET_PROTOCOL + 1, 99, UINT32_MAX };
		uint64_t good = WICKET_PROTOCOL;

		switch (below(f, 3)) {
		case 0:
			break;
		case 1:
			mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, bad[below(f, 4)]);
			break;
		default:
			mnl_attr_put(nlh, WICKET_A_PROTOCOL, chance(f, 50) ? 2 : 8, &good);
		}
		if (chance(f, 70)) {
			/* The rest of a plausible request, without its protocol. */
			size_t before = nlh->nlmsg_len;

			put_body(f, nlh, cmd);
			/* put_body's own protocol attribute comes first: drop it. */
			struct nlattr *first = (struct nlattr *)((uint8_t *)nlh + before);

			if (nlh->nlmsg_len > before && first->nla_type == WICKET_A_PROTOCOL) {
				size_t skip = NLA_ALIGN(first->nla_len);

				memmove(first, (uint8_t *)first + skip, nlh->nlmsg_len - before - skip);
				nlh->nlmsg_len -= (uint32_t)skip;
			}
		}
	} else {
		put_body(f, nlh, cmd);
	}
	/* In -r mode a damaged message only gets worse: the defect comes last. */
	if (chance(f, f->reject_only ? 30 : 50)) {
		mutate(f, nlh);
		if (chance(f, 20))
			mutate(f, nlh);
	}
	if (f->reject_only && d == D_PROTOCOL) {
		/* A mutation may have made a good protocol attribute: the check walks the top level. */
		size_t offs[8192], n = collect_attrs((uint8_t *)nlh, NLMSG_HDRLEN + GENL_HDRLEN,
						     nlh->nlmsg_len, offs, 0, 8192);

		for (size_t i = 0; i < n; i++) {
			struct nlattr *a = (struct nlattr *)((uint8_t *)nlh + offs[i]);

			if ((a->nla_type & NLA_TYPE_MASK) == WICKET_A_PROTOCOL &&
			    a->nla_len == NLA_HDRLEN + 4)
				*(uint32_t *)mnl_attr_get_payload(a) = 0;
		}
	}
	if (f->reject_only)
		add_defect(f, nlh, d);
	return nlh;
}

/* --- sending and checking */

static void failure(struct fuzz *f, unsigned long index, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void failure(struct fuzz *f, unsigned long index, const char *fmt, ...)
{
	va_list ap;

	f->failures++;
	if (f->failures > MAX_FAILURES)
		return;
	fprintf(stderr, "nl-fuzz: FAILED: message %lu: ", index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_hex(FILE *out, const struct nlmsghdr *nlh, size_t len)
{
	const uint8_t *b = (const uint8_t *)nlh;

	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x%s", b[i], (i + 1) % 32 ? "" : "\n");
	fputc('\n', out);
}

static int send_msg(struct fuzz *f, struct nlmsghdr *nlh, size_t len)
{
	nlh->nlmsg_seq = ++f->seq;
	nlh->nlmsg_pid = 0;
	if (mnl_socket_sendto(f->nl, nlh, len) < 0)
		return -errno;
	return 0;
}

/* The barrier: a GET_VERSION with an ack; everything the kernel owes comes before it. */
static int send_barrier(struct fuzz *f, uint32_t *seq)
{
	uint8_t buf[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = f->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = WICKET_CMD_GET_VERSION;
	genl->version = WICKET_GENL_VERSION;
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, WICKET_PROTOCOL);
	f->barriers++;
	if (send_msg(f, nlh, nlh->nlmsg_len))
		return -errno;
	*seq = f->seq;
	return 0;
}

struct exchange {
	uint32_t seq, barrier; /* barrier 0: none */
	int want_end; /* an ack, or a dump's end, is owed */
	int ended, barrier_done, dumping;
	int error; /* of the end: 0 or -errno */
};

static int attr_ok(const struct nlattr *attr, void *data)
{
	(void)attr;
	(void)data;
	return MNL_CB_OK;
}

/* One answer message; 0 or -1 (a failed check, reported). */
static int check_answer(struct fuzz *f, unsigned long index, struct exchange *x, const struct nlmsghdr *nlh)
{
	struct kernel_ack ack;
	int error;

	if (nlh->nlmsg_seq == x->barrier && x->barrier) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (kernel_parse_ack(nlh, &ack) || ack.error) {
				failure(f, index, "the barrier GET_VERSION failed (%s)",
					strerror(-ack.error));
				return -1;
			}
			x->barrier_done = 1;
		}
		return 0;
	}
	if (nlh->nlmsg_seq != x->seq) {
		failure(f, index, "an answer with sequence %u (type %u), expected %u", nlh->nlmsg_seq,
			nlh->nlmsg_type, x->seq);
		return -1;
	}
	if (x->ended) {
		failure(f, index, "a message (type %u) after the end of the answer", nlh->nlmsg_type);
		return -1;
	}
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		if (kernel_parse_ack(nlh, &ack)) {
			failure(f, index, "a malformed error message");
			return -1;
		}
		x->ended = 1;
		x->error = ack.error;
		break;
	case NLMSG_DONE:
		if (!x->dumping && !(nlh->nlmsg_flags & NLM_F_MULTI)) {
			failure(f, index, "NLMSG_DONE without a dump");
			return -1;
		}
		error = 0;
		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
			memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
		x->ended = 1;
		x->error = error;
		f->dumps++;
		break;
	default:
		if (nlh->nlmsg_type != f->family) {
			failure(f, index, "an answer of type %u", nlh->nlmsg_type);
			return -1;
		}
		if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
			failure(f, index, "an answer without a generic netlink header");
			return -1;
		}
		if (mnl_attr_parse(nlh, GENL_HDRLEN, attr_ok, NULL) < 0) {
			failure(f, index, "an answer with malformed attributes");
			return -1;
		}
		if (nlh->nlmsg_flags & NLM_F_MULTI)
			x->dumping = 1;
		f->replies++;
	}
	return 0;
}

static int answered(const struct exchange *x)
{
	if (x->dumping || x->want_end)
		return x->ended && (!x->barrier || x->barrier_done);
	return x->barrier_done;
}

static void exchange(struct fuzz *f, unsigned long index, struct nlmsghdr *nlh)
{
	struct exchange x = { 0 };
	uint16_t flags = nlh->nlmsg_flags;
	uint8_t cmd = nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN
			      ? ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd
			      : 0;
	int err;

	/* Owed for sure: an ack when asked (a refused request is acked anyway), a dump's end. */
	x.want_end = (flags & NLM_F_ACK) || ((flags & NLM_F_REQUEST) && (flags & NLM_F_DUMP) == NLM_F_DUMP &&
					     has_dumpit(cmd) && nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN);
	err = send_msg(f, nlh, nlh->nlmsg_len);
	if (err) {
		failure(f, index, "send: %s", strerror(-err));
		return;
	}
	f->sent++;
	x.seq = f->seq;
	if (!x.want_end && send_barrier(f, &x.barrier)) {
		failure(f, index, "send barrier: %s", strerror(errno));
		return;
	}
	while (!answered(&x)) {
		const struct nlmsghdr *a = (const struct nlmsghdr *)rbuf;
		ssize_t n = recv(mnl_socket_get_fd(f->nl), rbuf, sizeof(rbuf), 0);
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			failure(f, index, errno == EAGAIN ? "no answer in %d s (%s%s)" : "receive: %d %s",
				ANSWER_TIMEOUT_S, x.want_end ? "ack or dump end owed" : "barrier",
				errno == EAGAIN ? "" : strerror(errno));
			return;
		}
		for (len = (int)n; mnl_nlmsg_ok(a, len); a = mnl_nlmsg_next(a, &len))
			if (check_answer(f, index, &x, a))
				return;
		if (len) {
			failure(f, index, "%d stray bytes after the answers", len);
			return;
		}
		/* A dump whose end came before the barrier's answer: keep reading for the barrier. */
	}
	if (x.ended) {
		if (x.error == 0)
			f->acked++;
		else
			f->errors++;
		if (x.error < 0 && -x.error < (int)(sizeof(f->by_errno) / sizeof(f->by_errno[0])))
			f->by_errno[-x.error]++;
	}
	/* -r: a refusal, always, never a success, never silence. */
	if (f->reject_only && (flags & NLM_F_ACK) && !x.ended)
		failure(f, index, "a request it must refuse got no answer");
	if (f->reject_only && x.ended && x.error == 0)
		failure(f, index, "a request it must refuse (cmd %u) was accepted", cmd);
	if (f->reject_only && !x.ended && !(flags & NLM_F_ACK))
		failure(f, index, "a request it must refuse (cmd %u) got no error", cmd);
	if (f->reject_only && x.dumping)
		failure(f, index, "a dump it must refuse (cmd %u) answered", cmd);
}

/* --- the family */

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_family_id(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

static int resolve_family(struct fuzz *f)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	int n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++f->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	if (mnl_socket_sendto(f->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = (int)mnl_socket_recvfrom(f->nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return -errno;
		n = mnl_cb_run(rbuf, (size_t)n, f->seq, f->portid, on_family, &f->family);
	} while (n > MNL_CB_STOP);
	return n < 0 ? -errno : f->family ? 0 : -ENOENT;
}

static int open_socket(struct fuzz *f)
{
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT_S };
	int on = 1, size = 4 << 20;

	f->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!f->nl)
		return -errno;
	mnl_socket_setsockopt(f->nl, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(f->nl, NETLINK_CAP_ACK, &on, sizeof(on));
	setsockopt(mnl_socket_get_fd(f->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(mnl_socket_get_fd(f->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(f->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	f->portid = mnl_socket_get_portid(f->nl);
	return 0;
}

/* --- main */

static void usage(FILE *out)
{
	fprintf(out, "usage: nl-fuzz [-n COUNT] [-s SEED] [-r] [-p IFINDEX]... [-o INDEX] [-q]\n"
		     "  -n COUNT    requests to send (default 100000)\n"
		     "  -s SEED     the random sequence (default: from the clock; printed)\n"
		     "  -r          reject only: each request has a defect the module must refuse\n"
		     "  -p IFINDEX  an access port for plausible clients (repeatable)\n"
		     "  -o INDEX    send only request INDEX of the sequence, and print it in hex\n"
		     "  -q          no summary unless a check failed\n");
}

static int parse_ul(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static void summary(const struct fuzz *f, FILE *out)
{
	fprintf(out,
		"nl-fuzz: %lu requests, %lu acked, %lu refused, %lu dumps ended, %lu answer messages, %lu "
		"barriers, "
		"%lu failed checks\n",
		f->sent, f->acked, f->errors, f->dumps, f->replies, f->barriers, f->failures);
	fprintf(out, "nl-fuzz: refusals by errno:");
	for (size_t e = 1; e < sizeof(f->by_errno) / sizeof(f->by_errno[0]); e++)
		if (f->by_errno[e])
			fprintf(out, " %s=%lu", strerrorname_np((int)e) ? strerrorname_np((int)e) : "?",
				f->by_errno[e]);
	fputc('\n', out);
}

int main(int argc, char **argv)
{
	static struct fuzz f;
	unsigned long long count = 100000, seed = (unsigned long long)time(NULL), only = 0, v;
	int opt, has_only = 0, err;

	while ((opt = getopt(argc, argv, "n:s:rp:o:qh")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_ul(optarg, &count))
				goto bad;
			break;
		case 's':
			if (parse_ul(optarg, &seed))
				goto bad;
			break;
		case 'r':
			f.reject_only = 1;
			break;
		case 'p':
			if (parse_ul(optarg, &v) || v == 0 || v > UINT32_MAX || f.nports == MAX_PORTS)
				goto bad;
			f.ports[f.nports++] = (uint32_t)v;
			break;
		case 'o':
			if (parse_ul(optarg, &only))
				goto bad;
			has_only = 1;
			break;
		case 'q':
			f.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	/* xorshift needs a state that is not 0. */
	f.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	err = open_socket(&f);
	if (!err)
		err = resolve_family(&f);
	if (err) {
		fprintf(stderr, "nl-fuzz: the wicket family: %s%s\n", strerror(-err),
			err == -ENOENT ? " (is wicket.ko loaded?)" : "");
		return 1;
	}
	fprintf(stderr, "nl-fuzz: seed %llu, %llu requests%s\n", seed, has_only ? 1 : count,
		f.reject_only ? ", reject only" : "");
	for (unsigned long long i = 0; i < count && (!has_only || i <= only); i++) {
		struct nlmsghdr *nlh = build(&f);

		if (has_only && i != only)
			continue;
		if (has_only)
			print_hex(stdout, nlh, nlh->nlmsg_len);
		exchange(&f, (unsigned long)i, nlh);
		if (f.failures > MAX_FAILURES)
			break;
	}
	if (f.failures || !f.quiet)
		summary(&f, f.failures ? stderr : stdout);
	if (f.failures)
		fprintf(stderr,
			"nl-fuzz: reproduce with: nl-fuzz -s %llu -n %llu%s (-o INDEX for one message)\n",
			seed, count, f.reject_only ? " -r" : "");
	return f.failures ? 1 : 0;
bad:
	usage(stderr);
	return 2;
}
