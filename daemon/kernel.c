/*
 * Talking to wicket.ko over generic netlink with libmnl. Requests carry
 * WICKET_A_PROTOCOL; errors carry the module's extended-ACK message, which
 * is kept for kernel_error() so the user sees the kernel's own words, and
 * the offset of the offending attribute, which is resolved against the
 * request we sent (kept in its own buffer) to name the client at fault.
 */
#include "kernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "uapi/wicket.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Room for the biggest request (kernel_raw) and the biggest answer. */
#define SEND_BUF_SIZE (2 * KERNEL_BATCH_BYTES)
#define RECV_BUF_SIZE (2 * KERNEL_BATCH_BYTES)
/* Socket buffers, so that big batches and dumps never starve. */
#define SOCKET_BUF_BYTES (4 << 20)
/* How long a request waits for each answer. */
#define ANSWER_TIMEOUT_S 30
/* Datagrams kernel_events_read() takes at most per call, to stay fair. */
#define EVENTS_PER_READ 256
/* Datagrams dropped at most after an overflow (a full 8 MiB buffer holds about 10,000). */
#define EVENTS_DROP_MAX 65536

struct kernel {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t events_group;
	long error_index;
	char error[320];
	char sbuf[SEND_BUF_SIZE] __attribute__((aligned(4)));
	char rbuf[RECV_BUF_SIZE] __attribute__((aligned(4)));
};

struct kernel_events {
	struct mnl_socket *nl;
	uint16_t family;
	char rbuf[RECV_BUF_SIZE] __attribute__((aligned(4)));
};

/*
 * One request/answer exchange: the request is in k->sbuf; parse (if any)
 * gets every answer message and returns 0, -EBADMSG for a malformed one,
 * or another error that stops it (the rest of the answer is drained).
 */
struct transaction {
	struct kernel *k;
	int (*parse)(const struct nlmsghdr *nlh, void *data);
	void *data;
	int interrupted;
	/* A batch: the clients of this message, and their index in the caller's array. */
	const struct kernel_client *clients;
	size_t nclients, base;
};

/* --- errors */

const char *kernel_error(const struct kernel *k)
{
	return k->error;
}

long kernel_error_index(const struct kernel *k)
{
	return k->error_index;
}

static int fail(struct kernel *k, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct kernel *k, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->error, sizeof(k->error), fmt, ap);
	va_end(ap);
	return err;
}

/* --- attribute walking: strict about lengths, lenient about unknown types */

typedef int (*attr_cb)(const struct nlattr *attr, void *data);

/* Every attribute in [start, start + len): each must fit, nothing may be left over. */
static int walk(const void *start, size_t len, attr_cb cb, void *data)
{
	const char *p = start;

	while (len >= sizeof(struct nlattr)) {
		const struct nlattr *attr = (const struct nlattr *)p;
		size_t step;
		int err;

		if (attr->nla_len < sizeof(*attr) || attr->nla_len > len)
			return -EBADMSG;
		err = cb(attr, data);
		if (err)
			return err;
		step = MNL_ALIGN(attr->nla_len);
		if (step > len)
			step = len;
		p += step;
		len -= step;
	}
	return len ? -EBADMSG : 0;
}

static int walk_nest(const struct nlattr *nest, attr_cb cb, void *data)
{
	return walk(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), cb, data);
}

/* The attributes of a message after its hdrlen-byte family header. */
static int walk_msg(const struct nlmsghdr *nlh, size_t hdrlen, attr_cb cb, void *data)
{
	size_t start = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);

	if (nlh->nlmsg_len < start)
		return -EBADMSG;
	return walk((const char *)nlh + start, nlh->nlmsg_len - start, cb, data);
}

static int get_u8(const struct nlattr *attr, uint8_t *v)
{
	if (mnl_attr_get_payload_len(attr) != sizeof(*v))
		return -EBADMSG;
	*v = mnl_attr_get_u8(attr);
	return 0;
}

static int get_u16(const struct nlattr *attr, uint16_t *v)
{
	if (mnl_attr_get_payload_len(attr) != sizeof(*v))
		return -EBADMSG;
	*v = mnl_attr_get_u16(attr);
	return 0;
}

static int get_u32(const struct nlattr *attr, uint32_t *v)
{
	if (mnl_attr_get_payload_len(attr) != sizeof(*v))
		return -EBADMSG;
	*v = mnl_attr_get_u32(attr);
	return 0;
}

static int get_u64(const struct nlattr *attr, uint64_t *v)
{
	if (mnl_attr_get_payload_len(attr) != sizeof(*v))
		return -EBADMSG;
	*v = mnl_attr_get_u64(attr);
	return 0;
}

static int get_bytes(const struct nlattr *attr, void *v, size_t len)
{
	if (mnl_attr_get_payload_len(attr) != len)
		return -EBADMSG;
	memcpy(v, mnl_attr_get_payload(attr), len);
	return 0;
}

/* A NUL-terminated string, cut to fit out. */
static int get_string(const struct nlattr *attr, char *out, size_t outlen)
{
	size_t len = mnl_attr_get_payload_len(attr);
	const char *s = mnl_attr_get_payload(attr);

	if (len == 0 || s[len - 1] != '\0')
		return -EBADMSG;
	snprintf(out, outlen, "%s", s);
	return 0;
}

/* --- extended ACKs */

static int parse_ack_attr(const struct nlattr *attr, void *data)
{
	struct kernel_ack *ack = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		return get_string(attr, ack->msg, sizeof(ack->msg));
	case NLMSGERR_ATTR_OFFS:
		ack->has |= KERNEL_ACK_HAS_OFFS;
		return get_u32(attr, &ack->offs);
	case NLMSGERR_ATTR_MISS_TYPE:
		ack->has |= KERNEL_ACK_HAS_MISS_TYPE;
		return get_u32(attr, &ack->miss_type);
	case NLMSGERR_ATTR_MISS_NEST:
		ack->has |= KERNEL_ACK_HAS_MISS_NEST;
		return get_u32(attr, &ack->miss_nest);
	}
	return 0;
}

int kernel_parse_ack(const struct nlmsghdr *nlh, struct kernel_ack *ack)
{
	const struct nlmsgerr *err;
	size_t offset, len;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
		return -EBADMSG;
	err = mnl_nlmsg_get_payload(nlh);
	if (err->error > 0)
		return -EBADMSG;
	ack->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* The TLVs follow the echoed request, or its header alone when capped. */
	offset = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return -EBADMSG;
		offset += MNL_ALIGN(err->msg.nlmsg_len - sizeof(struct nlmsghdr));
	}
	len = mnl_nlmsg_get_payload_len(nlh);
	if (offset > len)
		return -EBADMSG;
	if (walk((const char *)err + offset, len - offset, parse_ack_attr, ack))
		return -EBADMSG;
	return 0;
}

int kernel_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	struct kernel_ack ack;

	if (msglen)
		msg[0] = '\0';
	if (kernel_parse_ack(nlh, &ack))
		return -EBADMSG;
	if (msglen)
		snprintf(msg, msglen, "%s", ack.msg);
	return ack.error;
}

/* The N-th WICKET_A_CLIENT nest of a request's WICKET_A_CLIENTS. */
struct client_at {
	const char *base;
	uint32_t offset;
	size_t count;
	int found;
	size_t index;
};

static int contains(const struct client_at *at, const struct nlattr *attr)
{
	size_t start = (size_t)((const char *)attr - at->base);

	return at->offset >= start && at->offset < start + attr->nla_len;
}

static int client_at_inner(const struct nlattr *attr, void *data)
{
	struct client_at *at = data;

	if (mnl_attr_get_type(attr) != WICKET_A_CLIENT)
		return 0;
	if (contains(at, attr)) {
		at->found = 1;
		at->index = at->count;
	}
	at->count++;
	return 0;
}

static int client_at_outer(const struct nlattr *attr, void *data)
{
	struct client_at *at = data;

	if (mnl_attr_get_type(attr) == WICKET_A_CLIENTS && contains(at, attr))
		return walk_nest(attr, client_at_inner, at);
	return 0;
}

int kernel_request_client_at(const struct nlmsghdr *req, uint32_t offset, size_t *index)
{
	struct client_at at = { .base = (const char *)req, .offset = offset };

	if (walk_msg(req, sizeof(struct genlmsghdr), client_at_outer, &at) || !at.found)
		return -ENOENT;
	*index = at.index;
	return 0;
}

/* --- sockets */

static void grow_buffers(struct mnl_socket *nl)
{
	int fd = mnl_socket_get_fd(nl);
	int size = SOCKET_BUF_BYTES;

	/* The FORCE variants pass net.core.[rw]mem_max, as root. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static int socket_open(struct mnl_socket **out)
{
	struct mnl_socket *nl;
	int on = 1;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	/* Errors that name the offending attribute, without echoing our request. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &on, sizeof(on));
	grow_buffers(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl);
		return err;
	}
	*out = nl;
	return 0;
}

int kernel_open(struct kernel **out)
{
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT_S };
	struct kernel *k;
	int err;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	err = socket_open(&k->nl);
	if (err) {
		free(k);
		return err;
	}
	setsockopt(mnl_socket_get_fd(k->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	k->portid = mnl_socket_get_portid(k->nl);
	k->seq = (uint32_t)time(NULL);
	k->error_index = -1;
	*out = k;
	return 0;
}

void kernel_close(struct kernel *k)
{
	if (!k)
		return;
	mnl_socket_close(k->nl);
	free(k);
}

/* One datagram: its length, or -errno (-ENOSPC if it did not fit). */
static ssize_t receive(struct mnl_socket *nl, void *buf, size_t len, int flags)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	do
		n = recvmsg(mnl_socket_get_fd(nl), &msg, flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -ENOSPC;
	return n;
}

/* --- request/answer */

static void describe(struct transaction *t, const struct kernel_ack *ack)
{
	struct kernel *k = t->k;
	const struct nlmsghdr *req = (const struct nlmsghdr *)k->sbuf;
	char prefix[96] = "", body[sizeof(ack->msg) + 64];
	const char *why = strerror(-ack->error);
	size_t i;

	if (ack->msg[0])
		snprintf(body, sizeof(body), "%s (%s)", ack->msg, why);
	else if (ack->has & KERNEL_ACK_HAS_MISS_TYPE)
		snprintf(body, sizeof(body), "missing attribute %u (%s)", ack->miss_type, why);
	else if (ack->error == -EPERM)
		snprintf(body, sizeof(body), "talking to wicket.ko needs CAP_NET_ADMIN (%s)", why);
	else
		snprintf(body, sizeof(body), "%s", why);
	if (t->clients &&
	    (((ack->has & KERNEL_ACK_HAS_OFFS) && kernel_request_client_at(req, ack->offs, &i) == 0) ||
	     ((ack->has & KERNEL_ACK_HAS_MISS_NEST) &&
	      kernel_request_client_at(req, ack->miss_nest, &i) == 0)) &&
	    i < t->nclients) {
		char mac[18];

		kernel_mac_format(t->clients[i].mac, mac, sizeof(mac));
		/* Counted from 1, as a person counts the lines of a batch. */
		snprintf(prefix, sizeof(prefix), "client %zu (port %u, mac %s): ", t->base + i + 1,
			 t->clients[i].port, mac);
		k->error_index = (long)(t->base + i);
	}
	fail(k, ack->error, "%s%s", prefix, body);
}

static int on_error(struct transaction *t, const struct nlmsghdr *nlh)
{
	struct kernel_ack ack;

	if (kernel_parse_ack(nlh, &ack))
		return fail(t->k, -EBADMSG, "malformed netlink error message");
	if (ack.error)
		describe(t, &ack);
	return ack.error;
}

/* The end of a dump: it may carry the dump's error, and TLVs after it. */
static int on_done(struct transaction *t, const struct nlmsghdr *nlh)
{
	struct kernel_ack ack;
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	int error;

	if (len < sizeof(error))
		return 0;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return 0;
	memset(&ack, 0, sizeof(ack));
	ack.error = error;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    walk((const char *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(sizeof(error)),
		 len > MNL_ALIGN(sizeof(error)) ? len - MNL_ALIGN(sizeof(error)) : 0, parse_ack_attr, &ack))
		return fail(t->k, -EBADMSG, "malformed netlink done message");
	describe(t, &ack);
	return error;
}

static int transact(struct transaction *t)
{
	struct kernel *k = t->k;
	const struct nlmsghdr *req = (const struct nlmsghdr *)k->sbuf;
	int err = 0, done = 0;

	k->error[0] = '\0';
	k->error_index = -1;
	if (mnl_socket_sendto(k->nl, req, req->nlmsg_len) < 0)
		return fail(k, -errno, "netlink send: %s", strerror(errno));
	while (!done) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)k->rbuf;
		ssize_t n = receive(k->nl, k->rbuf, sizeof(k->rbuf), 0);
		int len;

		if (n == -EAGAIN)
			return fail(k, -ETIMEDOUT, "no answer from wicket.ko in %d s", ANSWER_TIMEOUT_S);
		if (n < 0)
			return fail(k, (int)n, "netlink receive: %s", strerror((int)-n));
		for (len = (int)n; !done && mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			int ret = 0;

			/* Skip what answers an earlier request we gave up on. */
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    (nlh->nlmsg_pid && nlh->nlmsg_pid != k->portid))
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				t->interrupted = 1;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				break;
			case NLMSG_ERROR:
				done = 1;
				ret = on_error(t, nlh);
				break;
			case NLMSG_DONE:
				done = 1;
				ret = on_done(t, nlh);
				break;
			case NLMSG_OVERRUN:
				done = 1;
				ret = fail(k, -EIO, "netlink overrun");
				break;
			default:
				/* After a failed parse, drain the rest of the answer. */
				if (err || !t->parse)
					break;
				ret = t->parse(nlh, t->data);
				if (ret == -EBADMSG)
					fail(k, ret, "malformed answer from wicket.ko");
				else if (ret && !k->error[0])
					fail(k, ret, "stopped: %s", strerror(ret < 0 ? -ret : ret));
				break;
			}
			if (ret && !err)
				err = ret;
		}
	}
	return err;
}

static struct nlmsghdr *put_header(void *buf, uint16_t type, uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static struct nlmsghdr *put_request(struct kernel *k, uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = put_header(k->sbuf, type, cmd, version, NLM_F_REQUEST | NLM_F_ACK);

	nlh->nlmsg_seq = ++k->seq;
	return nlh;
}

/* --- the family */

static int parse_family_attr(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		return get_u16(attr, id);
	return 0;
}

int kernel_parse_family_id(const struct nlmsghdr *nlh, uint16_t *id)
{
	*id = 0;
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_family_attr, id) || *id == 0)
		return -EBADMSG;
	return 0;
}

struct mcast_group {
	const char *want;
	char name[GENL_NAMSIZ];
	uint32_t id;
	int has_id;
	int found;
};

static int parse_mcast_group_attr(const struct nlattr *attr, void *data)
{
	struct mcast_group *g = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		return get_string(attr, g->name, sizeof(g->name));
	case CTRL_ATTR_MCAST_GRP_ID:
		g->has_id = 1;
		return get_u32(attr, &g->id);
	}
	return 0;
}

/* One entry of CTRL_ATTR_MCAST_GROUPS: a nest whose type is its index. */
static int parse_mcast_group(const struct nlattr *attr, void *data)
{
	struct mcast_group *want = data;
	struct mcast_group g = { 0 };
	int err = walk_nest(attr, parse_mcast_group_attr, &g);

	if (err)
		return err;
	if (!g.name[0] || !g.has_id)
		return -EBADMSG;
	if (!want->found && strcmp(g.name, want->want) == 0) {
		want->found = 1;
		want->id = g.id;
	}
	return 0;
}

static int parse_mcast_groups_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
		return walk_nest(attr, parse_mcast_group, data);
	return 0;
}

int kernel_parse_mcast_group(const struct nlmsghdr *nlh, const char *name, uint32_t *id)
{
	struct mcast_group g = { .want = name };

	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_mcast_groups_attr, &g))
		return -EBADMSG;
	if (!g.found)
		return -ENOENT;
	*id = g.id;
	return 0;
}

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	struct kernel *k = data;
	uint32_t group;
	int err;

	err = kernel_parse_family_id(nlh, &k->family);
	if (err)
		return err;
	err = kernel_parse_mcast_group(nlh, WICKET_GENL_MCGRP_EVENTS, &group);
	if (err == -EBADMSG)
		return err;
	k->events_group = err ? 0 : group;
	return 0;
}

static int resolve_family(struct kernel *k)
{
	struct transaction t = { .k = k, .parse = on_family, .data = k };
	struct nlmsghdr *nlh;
	int err;

	if (k->family)
		return 0;
	nlh = put_request(k, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	err = transact(&t);
	if (err == -ENOENT)
		return fail(k, err, "wicket.ko is not loaded (no generic netlink family \"%s\")",
			    WICKET_GENL_NAME);
	if (err == 0 && k->family == 0)
		return fail(k, -EBADMSG, "the kernel did not answer with the family \"%s\"",
			    WICKET_GENL_NAME);
	return err;
}

/* A request to wicket.ko, with WICKET_A_PROTOCOL. */
static int start(struct kernel *k, uint8_t cmd, struct nlmsghdr **out)
{
	int err = resolve_family(k);

	if (err)
		return err;
	*out = put_request(k, k->family, cmd, WICKET_GENL_VERSION);
	mnl_attr_put_u32(*out, WICKET_A_PROTOCOL, WICKET_PROTOCOL);
	return 0;
}

static int simple(struct kernel *k, int (*parse)(const struct nlmsghdr *, void *), void *data)
{
	struct transaction t = { .k = k, .parse = parse, .data = data };

	return transact(&t);
}

/* --- version */

static int parse_version_attr(const struct nlattr *attr, void *data)
{
	struct kernel_version *v = data;

	/* Unknown attributes come from a newer module: skip them. */
	switch (mnl_attr_get_type(attr)) {
	case WICKET_A_PROTOCOL:
		return get_u32(attr, &v->protocol);
	case WICKET_A_PROTOCOL_MIN:
		return get_u32(attr, &v->protocol_min);
	case WICKET_A_RELEASE:
		return get_string(attr, v->release, sizeof(v->release));
	}
	return 0;
}

int kernel_parse_version(const struct nlmsghdr *nlh, struct kernel_version *v)
{
	memset(v, 0, sizeof(*v));
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_version_attr, v))
		return -EBADMSG;
	if (v->protocol == 0 || v->protocol_min == 0 || v->protocol_min > v->protocol || !v->release[0])
		return -EBADMSG;
	return 0;
}

static int on_version(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_version(nlh, data);
}

int kernel_get_version(struct kernel *k, struct kernel_version *v)
{
	struct nlmsghdr *nlh;
	int err;

	err = resolve_family(k);
	if (err)
		return err;
	nlh = put_request(k, k->family, WICKET_CMD_GET_VERSION, WICKET_GENL_VERSION);
	mnl_attr_put_u32(nlh, WICKET_A_PROTOCOL, WICKET_PROTOCOL);
	memset(v, 0, sizeof(*v));
	err = simple(k, on_version, v);
	if (err == 0 && v->protocol == 0)
		return fail(k, -EBADMSG, "wicket.ko sent no version");
	return err;
}

/* --- text forms */

int kernel_addr_parse(const char *s, struct kernel_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int kernel_prefix_parse(const char *s, struct kernel_addr *a, uint8_t *prefixlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long bits = 0;
	unsigned int max;

	if (len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (kernel_addr_parse(addr, a))
		return -EINVAL;
	max = a->family == AF_INET ? 32 : 128;
	if (!slash) {
		*prefixlen = (uint8_t)max;
		return 0;
	}
	/* One to three digits, no sign, no space, nothing after. */
	s = slash + 1;
	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		bits = bits * 10 + (unsigned long)(*s - '0');
	}
	if (bits > max)
		return -EINVAL;
	*prefixlen = (uint8_t)bits;
	return 0;
}

const char *kernel_addr_format(const struct kernel_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int kernel_mac_parse(const char *s, uint8_t mac[6])
{
	int i;

	/* Exactly six pairs of hex digits separated by colons. */
	for (i = 0; i < 6; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

const char *kernel_mac_format(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/* --- clients */

static int valid_client(const struct kernel_client *c)
{
	unsigned int i;

	if ((c->has & KERNEL_CLIENT_HAS_ADDRS) && c->naddrs > WICKET_MAX_ADDRS)
		return 0;
	for (i = 0; (c->has & KERNEL_CLIENT_HAS_ADDRS) && i < c->naddrs; i++)
		if (c->addrs[i].family != AF_INET && c->addrs[i].family != AF_INET6)
			return 0;
	return 1;
}

static int put_addrs(struct nlmsghdr *nlh, size_t size, const struct kernel_addr *addrs, unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, WICKET_CLIENT_A_ADDRS);
	unsigned int i;

	if (!nest)
		return 0;
	for (i = 0; i < n; i++) {
		int ok = addrs[i].family == AF_INET
				 ? mnl_attr_put_check(nlh, size, WICKET_ADDR_A_IPV4, 4, &addrs[i].v4)
				 : mnl_attr_put_check(nlh, size, WICKET_ADDR_A_IPV6, 16, &addrs[i].v6);

		if (!ok)
			return 0;
	}
	mnl_attr_nest_end(nlh, nest);
	return 1;
}

/* One WICKET_A_CLIENT nest; 0 if it does not fit in size. */
static int put_client(struct nlmsghdr *nlh, size_t size, uint8_t cmd, const struct kernel_client *c)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, WICKET_A_CLIENT);
	uint32_t has = cmd == WICKET_CMD_CLIENT_DEL ? 0 : c->has;

	if (!nest || !mnl_attr_put_u32_check(nlh, size, WICKET_CLIENT_A_PORT, c->port) ||
	    !mnl_attr_put_check(nlh, size, WICKET_CLIENT_A_MAC, 6, c->mac))
		return 0;
	if ((has & KERNEL_CLIENT_HAS_ADDRS) && !put_addrs(nlh, size, c->addrs, c->naddrs))
		return 0;
	if ((has & KERNEL_CLIENT_HAS_STATE) &&
	    !mnl_attr_put_u8_check(nlh, size, WICKET_CLIENT_A_STATE, c->state))
		return 0;
	if ((has & KERNEL_CLIENT_HAS_SESSION) &&
	    !mnl_attr_put_u64_check(nlh, size, WICKET_CLIENT_A_SESSION, c->session))
		return 0;
	if ((has & KERNEL_CLIENT_HAS_TIMEOUT) &&
	    !mnl_attr_put_u64_check(nlh, size, WICKET_CLIENT_A_TIMEOUT_MS, c->timeout_ms))
		return 0;
	if ((has & KERNEL_CLIENT_HAS_BYTE_CAP) &&
	    !mnl_attr_put_u64_check(nlh, size, WICKET_CLIENT_A_BYTE_CAP, c->byte_cap))
		return 0;
	mnl_attr_nest_end(nlh, nest);
	return 1;
}

int kernel_build_clients(void *buf, size_t size, size_t max, uint16_t family, uint8_t cmd,
			 const struct kernel_client *clients, size_t n)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	size_t i, limit;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)))
		return -EMSGSIZE;
	nlh = put_header(buf, family, cmd, WICKET_GENL_VERSION, NLM_F_REQUEST | NLM_F_ACK);
	if (!mnl_attr_put_u32_check(nlh, size, WICKET_A_PROTOCOL, WICKET_PROTOCOL))
		return -EMSGSIZE;
	nest = mnl_attr_nest_start_check(nlh, size, WICKET_A_CLIENTS);
	if (!nest)
		return -EMSGSIZE;
	/* The nest's length is 16 bits wide. */
	limit = (size_t)((char *)nest - (char *)buf) + UINT16_MAX;
	if (limit > size)
		limit = size;
	for (i = 0; i < n && i < max; i++) {
		uint32_t before = nlh->nlmsg_len;

		if (!valid_client(&clients[i]))
			return -EINVAL;
		if (!put_client(nlh, limit, cmd, &clients[i])) {
			nlh->nlmsg_len = before;
			break;
		}
	}
	if (i == 0 && n > 0)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return (int)i;
}

static int client_batch(struct kernel *k, uint8_t cmd, const struct kernel_client *clients, size_t n)
{
	struct transaction t = { .k = k };
	size_t i, done;
	int err;

	for (i = 0; i < n; i++)
		if (!valid_client(&clients[i]))
			return fail(k, -EINVAL,
				    "client %zu: more than %d addresses or an unknown address family", i + 1,
				    WICKET_MAX_ADDRS);
	if (n == 0)
		return 0;
	err = resolve_family(k);
	if (err)
		return err;
	for (done = 0; done < n; done += t.nclients) {
		int taken = kernel_build_clients(k->sbuf, KERNEL_BATCH_BYTES, WICKET_MAX_BATCH, k->family,
						 cmd, clients + done, n - done);

		if (taken < 0)
			return fail(k, taken, "client %zu does not fit in a message", done + 1);
		((struct nlmsghdr *)k->sbuf)->nlmsg_seq = ++k->seq;
		t = (struct transaction){
			.k = k, .clients = clients + done, .nclients = (size_t)taken, .base = done
		};
		err = transact(&t);
		if (err)
			return err;
	}
	return 0;
}

int kernel_client_add(struct kernel *k, const struct kernel_client *clients, size_t n)
{
	return client_batch(k, WICKET_CMD_CLIENT_ADD, clients, n);
}

int kernel_client_update(struct kernel *k, const struct kernel_client *clients, size_t n)
{
	return client_batch(k, WICKET_CMD_CLIENT_UPDATE, clients, n);
}

int kernel_client_del(struct kernel *k, const struct kernel_client *clients, size_t n)
{
	return client_batch(k, WICKET_CMD_CLIENT_DEL, clients, n);
}

static int parse_addr_attr(const struct nlattr *attr, void *data)
{
	struct kernel_client *c = data;
	struct kernel_addr *a;
	int family;
	size_t len;

	switch (mnl_attr_get_type(attr)) {
	case WICKET_ADDR_A_IPV4:
		family = AF_INET;
		len = 4;
		break;
	case WICKET_ADDR_A_IPV6:
		family = AF_INET6;
		len = 16;
		break;
	default:
		return 0;
	}
	if (c->naddrs >= WICKET_MAX_ADDRS)
		return -EBADMSG;
	a = &c->addrs[c->naddrs];
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (get_bytes(attr, family == AF_INET ? (void *)&a->v4 : (void *)&a->v6, len))
		return -EBADMSG;
	c->naddrs++;
	return 0;
}

static int parse_client_attr(const struct nlattr *attr, void *data)
{
	struct kernel_client *c = data;
	uint32_t bit;
	int err;

	switch (mnl_attr_get_type(attr)) {
	case WICKET_CLIENT_A_PORT:
		bit = KERNEL_CLIENT_HAS_PORT;
		err = get_u32(attr, &c->port);
		break;
	case WICKET_CLIENT_A_MAC:
		bit = KERNEL_CLIENT_HAS_MAC;
		err = get_bytes(attr, c->mac, sizeof(c->mac));
		break;
	case WICKET_CLIENT_A_ADDRS:
		bit = KERNEL_CLIENT_HAS_ADDRS;
		/* One address set only. */
		err = c->has & bit ? -EBADMSG : walk_nest(attr, parse_addr_attr, c);
		break;
	case WICKET_CLIENT_A_STATE:
		bit = KERNEL_CLIENT_HAS_STATE;
		err = get_u8(attr, &c->state);
		break;
	case WICKET_CLIENT_A_SESSION:
		bit = KERNEL_CLIENT_HAS_SESSION;
		err = get_u64(attr, &c->session);
		break;
	case WICKET_CLIENT_A_TIMEOUT_MS:
		bit = KERNEL_CLIENT_HAS_TIMEOUT;
		err = get_u64(attr, &c->timeout_ms);
		break;
	case WICKET_CLIENT_A_BYTE_CAP:
		bit = KERNEL_CLIENT_HAS_BYTE_CAP;
		err = get_u64(attr, &c->byte_cap);
		break;
	case WICKET_CLIENT_A_FLAGS:
		bit = KERNEL_CLIENT_HAS_FLAGS;
		err = get_u32(attr, &c->flags);
		break;
	case WICKET_CLIENT_A_IDLE_MS:
		bit = KERNEL_CLIENT_HAS_IDLE;
		err = get_u64(attr, &c->idle_ms);
		break;
	case WICKET_CLIENT_A_UP_PACKETS:
		bit = KERNEL_CLIENT_HAS_UP_PACKETS;
		err = get_u64(attr, &c->up_packets);
		break;
	case WICKET_CLIENT_A_UP_BYTES:
		bit = KERNEL_CLIENT_HAS_UP_BYTES;
		err = get_u64(attr, &c->up_bytes);
		break;
	case WICKET_CLIENT_A_DOWN_PACKETS:
		bit = KERNEL_CLIENT_HAS_DOWN_PACKETS;
		err = get_u64(attr, &c->down_packets);
		break;
	case WICKET_CLIENT_A_DOWN_BYTES:
		bit = KERNEL_CLIENT_HAS_DOWN_BYTES;
		err = get_u64(attr, &c->down_bytes);
		break;
	case WICKET_CLIENT_A_REASON:
		bit = KERNEL_CLIENT_HAS_REASON;
		err = get_u8(attr, &c->reason);
		break;
	default: /* WICKET_CLIENT_A_PAD, or from a newer module */
		return 0;
	}
	c->has |= bit;
	return err;
}

int kernel_parse_client(const struct nlattr *nest, struct kernel_client *c)
{
	uint32_t need = KERNEL_CLIENT_HAS_PORT | KERNEL_CLIENT_HAS_MAC;

	memset(c, 0, sizeof(*c));
	if (walk_nest(nest, parse_client_attr, c) || (c->has & need) != need)
		return -EBADMSG;
	return 0;
}

/* The one WICKET_A_CLIENT of a reply or event. */
struct client_msg {
	struct kernel_client *c;
	int seen;
};

static int parse_client_msg_attr(const struct nlattr *attr, void *data)
{
	struct client_msg *m = data;

	if (mnl_attr_get_type(attr) != WICKET_A_CLIENT)
		return 0;
	if (m->seen++)
		return -EBADMSG;
	return kernel_parse_client(attr, m->c);
}

static int parse_client_msg(const struct nlmsghdr *nlh, struct kernel_client *c, uint32_t need)
{
	struct client_msg m = { .c = c };

	memset(c, 0, sizeof(*c));
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_client_msg_attr, &m) || !m.seen ||
	    (c->has & need) != need)
		return -EBADMSG;
	return 0;
}

int kernel_parse_client_reply(const struct nlmsghdr *nlh, struct kernel_client *c)
{
	return parse_client_msg(nlh, c,
				KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION |
					KERNEL_CLIENT_HAS_FLAGS | KERNEL_CLIENT_HAS_IDLE |
					KERNEL_CLIENT_HAS_COUNTERS);
}

int kernel_parse_event(const struct nlmsghdr *nlh, uint8_t *cmd, struct kernel_client *c)
{
	const struct genlmsghdr *genl;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	*cmd = genl->cmd;
	switch (genl->cmd) {
	case WICKET_CMD_EVENT_SEEN:
		return parse_client_msg(nlh, c, 0);
	case WICKET_CMD_EVENT_CLOSED:
		return parse_client_msg(nlh, c,
					KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_REASON |
						KERNEL_CLIENT_HAS_COUNTERS);
	}
	return -ENOENT;
}

static int on_client(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_client_reply(nlh, data);
}

int kernel_client_get(struct kernel *k, struct kernel_client *inout, uint32_t request_flags)
{
	struct kernel_client reply;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err;

	if (inout->port == 0 && inout->naddrs != 1)
		return fail(k, -EINVAL, "a client is found by port and MAC, or by one address");
	if (inout->port == 0 && inout->addrs[0].family != AF_INET && inout->addrs[0].family != AF_INET6)
		return fail(k, -EINVAL, "unknown address family %d", inout->addrs[0].family);
	err = start(k, WICKET_CMD_CLIENT_GET, &nlh);
	if (err)
		return err;
	if (request_flags)
		mnl_attr_put_u32(nlh, WICKET_A_FLAGS, request_flags);
	nest = mnl_attr_nest_start(nlh, WICKET_A_CLIENT);
	if (inout->port) {
		mnl_attr_put_u32(nlh, WICKET_CLIENT_A_PORT, inout->port);
		mnl_attr_put(nlh, WICKET_CLIENT_A_MAC, 6, inout->mac);
	} else {
		put_addrs(nlh, SEND_BUF_SIZE, inout->addrs, 1);
	}
	mnl_attr_nest_end(nlh, nest);
	memset(&reply, 0, sizeof(reply));
	err = simple(k, on_client, &reply);
	if (err)
		return err;
	if (!(reply.has & KERNEL_CLIENT_HAS_PORT))
		return fail(k, -EBADMSG, "wicket.ko sent no client");
	*inout = reply;
	return 0;
}

struct client_dump {
	int (*cb)(const struct kernel_client *c, void *arg);
	void *arg;
};

static int on_client_dump(const struct nlmsghdr *nlh, void *data)
{
	struct client_dump *d = data;
	struct kernel_client c;
	int err = kernel_parse_client_reply(nlh, &c);

	return err ? err : d->cb(&c, d->arg);
}

int kernel_client_dump(struct kernel *k, uint32_t request_flags,
		       int (*cb)(const struct kernel_client *c, void *arg), void *arg, int *interrupted)
{
	struct client_dump d = { .cb = cb, .arg = arg };
	struct transaction t = { .k = k, .parse = on_client_dump, .data = &d };
	struct nlmsghdr *nlh;
	int err;

	if (interrupted)
		*interrupted = 0;
	err = start(k, WICKET_CMD_CLIENT_GET, &nlh);
	if (err)
		return err;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (request_flags)
		mnl_attr_put_u32(nlh, WICKET_A_FLAGS, request_flags);
	err = transact(&t);
	if (interrupted)
		*interrupted = t.interrupted;
	return err;
}

/* --- ports */

static int parse_port_attr(const struct nlattr *attr, void *data)
{
	struct kernel_port *p = data;

	switch (mnl_attr_get_type(attr)) {
	case WICKET_PORT_A_IFINDEX:
		return get_u32(attr, &p->ifindex);
	case WICKET_PORT_A_MODE:
		return get_u8(attr, &p->mode);
	}
	return 0;
}

static int parse_port_msg_attr(const struct nlattr *attr, void *data)
{
	struct kernel_port *p = data;

	if (mnl_attr_get_type(attr) != WICKET_A_PORT)
		return 0;
	if (p->ifindex)
		return -EBADMSG;
	return walk_nest(attr, parse_port_attr, p);
}

int kernel_parse_port(const struct nlmsghdr *nlh, struct kernel_port *p)
{
	memset(p, 0, sizeof(*p));
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_port_msg_attr, p) || !p->ifindex || !p->mode)
		return -EBADMSG;
	return 0;
}

static int port_request(struct kernel *k, uint8_t cmd, uint32_t ifindex, uint8_t mode)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err = start(k, cmd, &nlh);

	if (err)
		return err;
	nest = mnl_attr_nest_start(nlh, WICKET_A_PORT);
	mnl_attr_put_u32(nlh, WICKET_PORT_A_IFINDEX, ifindex);
	if (mode)
		mnl_attr_put_u8(nlh, WICKET_PORT_A_MODE, mode);
	mnl_attr_nest_end(nlh, nest);
	return simple(k, NULL, NULL);
}

int kernel_port_set(struct kernel *k, uint32_t ifindex, uint8_t mode)
{
	return port_request(k, WICKET_CMD_PORT_SET, ifindex, mode);
}

int kernel_port_del(struct kernel *k, uint32_t ifindex)
{
	return port_request(k, WICKET_CMD_PORT_DEL, ifindex, 0);
}

struct port_dump {
	int (*cb)(const struct kernel_port *p, void *arg);
	void *arg;
};

static int on_port(const struct nlmsghdr *nlh, void *data)
{
	struct port_dump *d = data;
	struct kernel_port p;
	int err = kernel_parse_port(nlh, &p);

	return err ? err : d->cb(&p, d->arg);
}

static int dump(struct kernel *k, uint8_t cmd, int (*parse)(const struct nlmsghdr *, void *), void *data)
{
	struct nlmsghdr *nlh;
	int err = start(k, cmd, &nlh);

	if (err)
		return err;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return simple(k, parse, data);
}

int kernel_port_dump(struct kernel *k, int (*cb)(const struct kernel_port *p, void *arg), void *arg)
{
	struct port_dump d = { .cb = cb, .arg = arg };

	return dump(k, WICKET_CMD_PORT_GET, on_port, &d);
}

/* --- walled garden */

struct garden_msg {
	struct kernel_prefix *p;
	int seen;
	int has_len;
};

static int parse_garden_attr(const struct nlattr *attr, void *data)
{
	struct garden_msg *m = data;
	struct kernel_addr *a = &m->p->addr;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case WICKET_GARDEN_A_IPV4:
	case WICKET_GARDEN_A_IPV6:
		/* One address per prefix. */
		if (a->family)
			return -EBADMSG;
		a->family = type == WICKET_GARDEN_A_IPV4 ? AF_INET : AF_INET6;
		return type == WICKET_GARDEN_A_IPV4 ? get_bytes(attr, &a->v4, 4)
						    : get_bytes(attr, &a->v6, 16);
	case WICKET_GARDEN_A_PREFIXLEN:
		m->has_len = 1;
		return get_u8(attr, &m->p->prefixlen);
	}
	return 0;
}

static int parse_garden_msg_attr(const struct nlattr *attr, void *data)
{
	struct garden_msg *m = data;

	if (mnl_attr_get_type(attr) != WICKET_A_GARDEN)
		return 0;
	if (m->seen++)
		return -EBADMSG;
	return walk_nest(attr, parse_garden_attr, m);
}

int kernel_parse_garden(const struct nlmsghdr *nlh, struct kernel_prefix *p)
{
	struct garden_msg m = { .p = p };

	memset(p, 0, sizeof(*p));
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_garden_msg_attr, &m) || !p->addr.family ||
	    !m.has_len)
		return -EBADMSG;
	if (p->prefixlen > (p->addr.family == AF_INET ? 32 : 128))
		return -EBADMSG;
	return 0;
}

static int garden_request(struct kernel *k, uint8_t cmd, const struct kernel_addr *addr, uint8_t prefixlen)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err;

	if (addr->family != AF_INET && addr->family != AF_INET6)
		return fail(k, -EINVAL, "unknown address family %d", addr->family);
	err = start(k, cmd, &nlh);
	if (err)
		return err;
	nest = mnl_attr_nest_start(nlh, WICKET_A_GARDEN);
	if (addr->family == AF_INET)
		mnl_attr_put(nlh, WICKET_GARDEN_A_IPV4, 4, &addr->v4);
	else
		mnl_attr_put(nlh, WICKET_GARDEN_A_IPV6, 16, &addr->v6);
	mnl_attr_put_u8(nlh, WICKET_GARDEN_A_PREFIXLEN, prefixlen);
	mnl_attr_nest_end(nlh, nest);
	return simple(k, NULL, NULL);
}

int kernel_garden_add(struct kernel *k, const struct kernel_addr *addr, uint8_t prefixlen)
{
	return garden_request(k, WICKET_CMD_GARDEN_ADD, addr, prefixlen);
}

int kernel_garden_del(struct kernel *k, const struct kernel_addr *addr, uint8_t prefixlen)
{
	return garden_request(k, WICKET_CMD_GARDEN_DEL, addr, prefixlen);
}

struct garden_dump {
	int (*cb)(const struct kernel_prefix *p, void *arg);
	void *arg;
};

static int on_garden(const struct nlmsghdr *nlh, void *data)
{
	struct garden_dump *d = data;
	struct kernel_prefix p;
	int err = kernel_parse_garden(nlh, &p);

	return err ? err : d->cb(&p, d->arg);
}

int kernel_garden_dump(struct kernel *k, int (*cb)(const struct kernel_prefix *p, void *arg), void *arg)
{
	struct garden_dump d = { .cb = cb, .arg = arg };

	return dump(k, WICKET_CMD_GARDEN_GET, on_garden, &d);
}

/* --- config */

static int parse_config_attr(const struct nlattr *attr, void *data)
{
	struct kernel_config *c = data;
	uint32_t bit;
	int err;

	switch (mnl_attr_get_type(attr)) {
	case WICKET_CONFIG_A_MARK:
		err = get_u32(attr, &c->mark);
		bit = 1U << 31; /* until its mask is seen too */
		break;
	case WICKET_CONFIG_A_MARK_MASK:
		err = get_u32(attr, &c->mark_mask);
		bit = 1U << 30;
		break;
	case WICKET_CONFIG_A_SEEN_PER_SEC:
		err = get_u32(attr, &c->seen_per_sec);
		bit = KERNEL_CONFIG_HAS_SEEN_PER_SEC;
		break;
	case WICKET_CONFIG_A_MAX_CLIENTS:
		err = get_u32(attr, &c->max_clients);
		bit = KERNEL_CONFIG_HAS_MAX_CLIENTS;
		break;
	case WICKET_CONFIG_A_CLIENTS:
		err = get_u32(attr, &c->clients);
		bit = KERNEL_CONFIG_HAS_CLIENTS;
		break;
	default:
		return 0;
	}
	c->has |= bit;
	return err;
}

static int parse_config_msg_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != WICKET_A_CONFIG)
		return 0;
	return walk_nest(attr, parse_config_attr, data);
}

int kernel_parse_config(const struct nlmsghdr *nlh, struct kernel_config *c)
{
	const uint32_t mark = 1U << 31, mask = 1U << 30;

	memset(c, 0, sizeof(*c));
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_config_msg_attr, c))
		return -EBADMSG;
	/* A mark comes with its mask. */
	if (!(c->has & mark) != !(c->has & mask))
		return -EBADMSG;
	if (c->has & mark)
		c->has |= KERNEL_CONFIG_HAS_MARK;
	c->has &= ~(mark | mask);
	return 0;
}

static int on_config(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_config(nlh, data);
}

int kernel_config_get(struct kernel *k, struct kernel_config *c)
{
	struct nlmsghdr *nlh;
	int err = start(k, WICKET_CMD_CONFIG_GET, &nlh);

	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	err = simple(k, on_config, c);
	if (err == 0 && c->has != KERNEL_CONFIG_HAS_ALL)
		return fail(k, -EBADMSG, "wicket.ko sent an incomplete config");
	return err;
}

int kernel_config_set(struct kernel *k, const struct kernel_config *c)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err = start(k, WICKET_CMD_CONFIG_SET, &nlh);

	if (err)
		return err;
	nest = mnl_attr_nest_start(nlh, WICKET_A_CONFIG);
	if (c->has & KERNEL_CONFIG_HAS_MARK) {
		mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MARK, c->mark);
		mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MARK_MASK, c->mark_mask);
	}
	if (c->has & KERNEL_CONFIG_HAS_SEEN_PER_SEC)
		mnl_attr_put_u32(nlh, WICKET_CONFIG_A_SEEN_PER_SEC, c->seen_per_sec);
	if (c->has & KERNEL_CONFIG_HAS_MAX_CLIENTS)
		mnl_attr_put_u32(nlh, WICKET_CONFIG_A_MAX_CLIENTS, c->max_clients);
	mnl_attr_nest_end(nlh, nest);
	return simple(k, NULL, NULL);
}

/* --- stats */

static const char *const drop_reason_names[] = {
	[WICKET_STATS_A_DROP_UNKNOWN] = "unknown",
	[WICKET_STATS_A_DROP_CAPTIVE] = "captive",
	[WICKET_STATS_A_DROP_BYTE_CAP] = "byte-cap",
	[WICKET_STATS_A_DROP_CLIENT_BLOCKED] = "client-blocked",
	[WICKET_STATS_A_DROP_PORT_BLOCKED] = "port-blocked",
};

const char *kernel_drop_reason_name(unsigned int r)
{
	return r < sizeof(drop_reason_names) / sizeof(drop_reason_names[0]) ? drop_reason_names[r] : NULL;
}

struct stats_parse {
	struct kernel_stats *s;
	uint32_t seen; /* bit r: drop reason r was in the reply */
	int nests;
};

static int parse_stats_attr(const struct nlattr *attr, void *data)
{
	struct stats_parse *p = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (!kernel_drop_reason_name(type))
		return 0;
	if (p->seen & (1U << type))
		return -EBADMSG;
	p->seen |= 1U << type;
	return get_u64(attr, &p->s->drops[type]);
}

static int parse_stats_msg_attr(const struct nlattr *attr, void *data)
{
	struct stats_parse *p = data;

	if (mnl_attr_get_type(attr) != WICKET_A_STATS)
		return 0;
	p->nests++;
	return walk_nest(attr, parse_stats_attr, data);
}

int kernel_parse_stats(const struct nlmsghdr *nlh, struct kernel_stats *s)
{
	struct stats_parse p = { .s = s };
	uint32_t all = 0;

	memset(s, 0, sizeof(*s));
	for (unsigned int r = 0; r < sizeof(drop_reason_names) / sizeof(drop_reason_names[0]); r++)
		if (drop_reason_names[r])
			all |= 1U << r;
	if (walk_msg(nlh, sizeof(struct genlmsghdr), parse_stats_msg_attr, &p) || p.nests != 1 ||
	    p.seen != all) {
		memset(s, 0, sizeof(*s));
		return -EBADMSG;
	}
	return 0;
}

static int on_stats(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_stats(nlh, data);
}

int kernel_stats_get(struct kernel *k, struct kernel_stats *s)
{
	struct nlmsghdr *nlh;
	int err = start(k, WICKET_CMD_STATS_GET, &nlh);

	if (err)
		return err;
	return simple(k, on_stats, s);
}

int kernel_hold(struct kernel *k)
{
	struct nlmsghdr *nlh;
	int err = start(k, WICKET_CMD_HOLD, &nlh);

	return err ? err : simple(k, NULL, NULL);
}

/* --- flush, raw */

int kernel_flush(struct kernel *k, uint32_t flush_flags)
{
	struct nlmsghdr *nlh;
	int err = start(k, WICKET_CMD_FLUSH, &nlh);

	if (err)
		return err;
	if (flush_flags)
		mnl_attr_put_u32(nlh, WICKET_A_FLUSH, flush_flags);
	return simple(k, NULL, NULL);
}

int kernel_raw(struct kernel *k, uint8_t cmd, uint16_t nlmsg_flags, const void *attrs, size_t len)
{
	struct nlmsghdr *nlh;
	int err;

	if (MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)) + MNL_ALIGN(len) > SEND_BUF_SIZE)
		return fail(k, -EMSGSIZE, "request of %zu bytes of attributes is too long", len);
	err = resolve_family(k);
	if (err)
		return err;
	nlh = put_request(k, k->family, cmd, WICKET_GENL_VERSION);
	nlh->nlmsg_flags = NLM_F_REQUEST | nlmsg_flags;
	if (!(nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	memset(mnl_nlmsg_get_payload_tail(nlh), 0, MNL_ALIGN(len));
	if (len)
		memcpy(mnl_nlmsg_get_payload_tail(nlh), attrs, len);
	nlh->nlmsg_len += MNL_ALIGN(len);
	return simple(k, NULL, NULL);
}

/* --- events */

int kernel_events_open(struct kernel *k, struct kernel_events **out)
{
	struct kernel_events *ev;
	int err, group;

	err = resolve_family(k);
	if (err)
		return err;
	if (!k->events_group)
		return fail(k, -ENOENT, "wicket.ko has no multicast group \"%s\"", WICKET_GENL_MCGRP_EVENTS);
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return fail(k, -ENOMEM, "%s", strerror(ENOMEM));
	err = socket_open(&ev->nl);
	if (err) {
		free(ev);
		return fail(k, err, "netlink socket: %s", strerror(-err));
	}
	group = (int)k->events_group;
	if (mnl_socket_setsockopt(ev->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		err = -errno;
		mnl_socket_close(ev->nl);
		free(ev);
		if (err == -EPERM)
			return fail(k, err, "joining wicket.ko's events needs CAP_NET_ADMIN (%s)",
				    strerror(EPERM));
		return fail(k, err, "joining wicket.ko's events group: %s", strerror(-err));
	}
	ev->family = k->family;
	*out = ev;
	return 0;
}

int kernel_events_fd(const struct kernel_events *ev)
{
	return mnl_socket_get_fd(ev->nl);
}

/*
 * After an overflow the caller reads the kernel's whole table again: the
 * events still queued are older than that read, and applied after it
 * they would be stale news (a CLOSED event would close again a gate the
 * daemon has opened since, and thousands of them cost the daemon many
 * seconds). They go, a bounded number so that a flood cannot hold us;
 * a source whose SEEN event goes is reported again on its next packet.
 */
static void drop_queued(struct kernel_events *ev)
{
	for (int i = 0; i < EVENTS_DROP_MAX; i++) {
		ssize_t n = receive(ev->nl, ev->rbuf, sizeof(ev->rbuf), MSG_DONTWAIT);

		if (n < 0 && n != -ENOBUFS && n != -ENOSPC)
			break;
	}
}

int kernel_events_read(struct kernel_events *ev,
		       int (*cb)(uint8_t cmd, const struct kernel_client *c, void *arg), void *arg)
{
	int malformed = 0, i;

	for (i = 0; i < EVENTS_PER_READ; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)ev->rbuf;
		ssize_t n = receive(ev->nl, ev->rbuf, sizeof(ev->rbuf), MSG_DONTWAIT);
		int len;

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -ENOSPC) {
			malformed = 1;
			continue;
		}
		if (n == -ENOBUFS) {
			drop_queued(ev);
			return -ENOBUFS;
		}
		if (n < 0)
			return (int)n;
		for (len = (int)n; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct kernel_client c;
			uint8_t cmd;
			int err;

			if (nlh->nlmsg_type != ev->family)
				continue;
			err = kernel_parse_event(nlh, &cmd, &c);
			if (err == -ENOENT)
				continue;
			if (err) {
				malformed = 1;
				continue;
			}
			err = cb(cmd, &c, arg);
			if (err)
				return err;
		}
	}
	return malformed ? -EBADMSG : 0;
}

void kernel_events_close(struct kernel_events *ev)
{
	if (!ev)
		return;
	mnl_socket_close(ev->nl);
	free(ev);
}
