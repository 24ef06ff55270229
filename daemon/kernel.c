/*
 * Talking to wicket.ko over generic netlink with libmnl. Requests carry
 * WICKET_A_PROTOCOL; errors carry the module's extended-ACK message, which
 * is kept for kernel_error() so the user sees the kernel's own words.
 */
#include "kernel.h"

#include <errno.h>
#include <stdarg.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uapi/wicket.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct kernel {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	char error[256];
	char buf[65536];
};

/* One request/answer exchange: the caller's parser plus our error state. */
struct transaction {
	struct kernel *k;
	mnl_cb_t parse;
	void *data;
};

const char *kernel_error(const struct kernel *k)
{
	return k->error;
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

int kernel_open(struct kernel **out)
{
	struct kernel *k;
	int on = 1;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!k->nl) {
		int err = -errno;

		free(k);
		return err;
	}
	/* Errors that name the offending attribute, without echoing our request. */
	mnl_socket_setsockopt(k->nl, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(k->nl, NETLINK_CAP_ACK, &on, sizeof(on));
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(k->nl);
		free(k);
		return err;
	}
	k->portid = mnl_socket_get_portid(k->nl);
	k->seq = (uint32_t)time(NULL);
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

static int parse_error_attr(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

int kernel_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	const struct nlmsgerr *err;
	const char *text = NULL;
	size_t offset;

	if (msglen)
		msg[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
		return -EBADMSG;
	err = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err->error;
	/* The TLVs follow the echoed request, or its header alone when capped. */
	offset = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return -EBADMSG;
	mnl_attr_parse(nlh, offset, parse_error_attr, &text);
	if (text && msglen)
		snprintf(msg, msglen, "%s", text);
	return err->error;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct transaction *t = data;
	char msg[200];
	int err = kernel_parse_error(nlh, msg, sizeof(msg));

	if (err == 0)
		return MNL_CB_STOP;
	if (err > 0 || err == -EBADMSG) {
		errno = EBADMSG;
		fail(t->k, -EBADMSG, "malformed netlink error message");
		return MNL_CB_ERROR;
	}
	errno = -err;
	if (msg[0])
		fail(t->k, err, "%s (%s)", msg, strerror(-err));
	else
		fail(t->k, err, "%s", strerror(-err));
	return MNL_CB_ERROR;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

static int on_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct transaction *t = data;
	int ret = t->parse ? t->parse(nlh, t->data) : MNL_CB_OK;

	if (ret == MNL_CB_ERROR) {
		errno = EBADMSG;
		fail(t->k, -EBADMSG, "malformed answer from the kernel");
	}
	return ret;
}

static int transact(struct kernel *k, struct nlmsghdr *nlh, mnl_cb_t parse, void *data)
{
	static mnl_cb_t control[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = on_noop,
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
	};
	struct transaction t = { .k = k, .parse = parse, .data = data };
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	k->error[0] = '\0';
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return fail(k, -errno, "netlink send: %s", strerror(errno));
	do {
		n = mnl_socket_recvfrom(k->nl, k->buf, sizeof(k->buf));
		if (n < 0)
			return fail(k, -errno, "netlink receive: %s", strerror(errno));
		errno = 0;
		ret = mnl_cb_run2(k->buf, (size_t)n, seq, k->portid, on_data, &t, control, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	if (ret == MNL_CB_ERROR) {
		int err = errno ? -errno : -EIO;

		if (!k->error[0])
			fail(k, err, "%s", strerror(-err));
		return err;
	}
	return 0;
}

static struct nlmsghdr *put_request(struct kernel *k, uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(k->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++k->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static int parse_family_attr(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID && mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

int kernel_parse_family_id(const struct nlmsghdr *nlh, uint16_t *id)
{
	*id = 0;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_family_attr, id) < 0 || *id == 0)
		return -EBADMSG;
	return 0;
}

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_family_id(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

static int resolve_family(struct kernel *k)
{
	struct nlmsghdr *nlh;
	int err;

	if (k->family)
		return 0;
	nlh = put_request(k, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WICKET_GENL_NAME);
	err = transact(k, nlh, on_family, &k->family);
	if (err == -ENOENT)
		return fail(k, err, "wicket.ko is not loaded (no generic netlink family \"%s\")",
			    WICKET_GENL_NAME);
	return err;
}

static int parse_version_attr(const struct nlattr *attr, void *data)
{
	struct kernel_version *v = data;

	/* Unknown attributes come from a newer module: skip them. */
	switch (mnl_attr_get_type(attr)) {
	case WICKET_A_PROTOCOL:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		v->protocol = mnl_attr_get_u32(attr);
		break;
	case WICKET_A_PROTOCOL_MIN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		v->protocol_min = mnl_attr_get_u32(attr);
		break;
	case WICKET_A_RELEASE:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(v->release, sizeof(v->release), "%s", mnl_attr_get_str(attr));
		break;
	}
	return MNL_CB_OK;
}

int kernel_parse_version(const struct nlmsghdr *nlh, struct kernel_version *v)
{
	memset(v, 0, sizeof(*v));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_version_attr, v) < 0)
		return -EBADMSG;
	if (v->protocol == 0 || v->protocol_min == 0 || v->protocol_min > v->protocol || !v->release[0])
		return -EBADMSG;
	return 0;
}

static int on_version(const struct nlmsghdr *nlh, void *data)
{
	return kernel_parse_version(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
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
	err = transact(k, nlh, on_version, v);
	if (err == -EPERM)
		return fail(k, err, "talking to wicket.ko needs CAP_NET_ADMIN (%s)", strerror(EPERM));
	if (err == 0 && v->protocol == 0)
		return fail(k, -EBADMSG, "wicket.ko sent no version");
	return err;
}
