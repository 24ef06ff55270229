/*
 * Userspace side of wicket.ko's generic netlink family (libmnl): the one
 * place that builds requests for the module and parses its answers. It
 * covers the whole of kmod/uapi/wicket.h; read that header for what each
 * command means.
 */
#ifndef WICKET_KERNEL_H
#define WICKET_KERNEL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/wicket.h"

struct nlattr;
struct nlmsghdr;
struct kernel;
struct kernel_events;

/* A batch message (CLIENT_ADD/UPDATE/DEL) never exceeds this many bytes. */
#define KERNEL_BATCH_BYTES 65536

struct kernel_version {
	uint32_t protocol;
	uint32_t protocol_min;
	char release[64];
};

struct kernel_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* Which of a kernel_client's optional fields are set (request) or present (reply). */
enum kernel_client_has {
	KERNEL_CLIENT_HAS_ADDRS = 1U << 0,
	KERNEL_CLIENT_HAS_STATE = 1U << 1,
	KERNEL_CLIENT_HAS_SESSION = 1U << 2,
	KERNEL_CLIENT_HAS_TIMEOUT = 1U << 3,
	KERNEL_CLIENT_HAS_BYTE_CAP = 1U << 4,
	/* Only ever in replies and events: */
	KERNEL_CLIENT_HAS_PORT = 1U << 5,
	KERNEL_CLIENT_HAS_MAC = 1U << 6,
	KERNEL_CLIENT_HAS_FLAGS = 1U << 7,
	KERNEL_CLIENT_HAS_IDLE = 1U << 8,
	KERNEL_CLIENT_HAS_UP_PACKETS = 1U << 9,
	KERNEL_CLIENT_HAS_UP_BYTES = 1U << 10,
	KERNEL_CLIENT_HAS_DOWN_PACKETS = 1U << 11,
	KERNEL_CLIENT_HAS_DOWN_BYTES = 1U << 12,
	KERNEL_CLIENT_HAS_REASON = 1U << 13,
};
#define KERNEL_CLIENT_HAS_COUNTERS                                                                           \
	(KERNEL_CLIENT_HAS_UP_PACKETS | KERNEL_CLIENT_HAS_UP_BYTES | KERNEL_CLIENT_HAS_DOWN_PACKETS |        \
	 KERNEL_CLIENT_HAS_DOWN_BYTES)

/*
 * One client, as sent (port, MAC and the fields named in `has`) and as
 * received (every field the kernel sent is named in `has`). An empty
 * address set with KERNEL_CLIENT_HAS_ADDRS sends an empty ADDRS nest.
 */
struct kernel_client {
	uint32_t port; /* ifindex of the access port */
	uint8_t mac[6];
	unsigned int naddrs;
	struct kernel_addr addrs[WICKET_MAX_ADDRS];
	uint32_t has; /* enum kernel_client_has */
	uint8_t state; /* enum wicket_client_state */
	uint64_t session, timeout_ms, byte_cap;
	/* Replies and events only: */
	uint32_t flags; /* enum wicket_client_flag */
	uint64_t idle_ms, up_packets, up_bytes, down_packets, down_bytes;
	uint8_t reason; /* enum wicket_close_reason */
};

struct kernel_port {
	uint32_t ifindex;
	uint8_t mode; /* enum wicket_port_mode */
};

struct kernel_prefix {
	struct kernel_addr addr;
	uint8_t prefixlen;
};

enum kernel_config_has {
	KERNEL_CONFIG_HAS_MARK = 1U << 0, /* mark and mark_mask, always together */
	KERNEL_CONFIG_HAS_SEEN_PER_SEC = 1U << 1,
	KERNEL_CONFIG_HAS_MAX_CLIENTS = 1U << 2,
	KERNEL_CONFIG_HAS_CLIENTS = 1U << 3, /* replies only */
};
#define KERNEL_CONFIG_HAS_ALL                                                                                \
	(KERNEL_CONFIG_HAS_MARK | KERNEL_CONFIG_HAS_SEEN_PER_SEC | KERNEL_CONFIG_HAS_MAX_CLIENTS |           \
	 KERNEL_CONFIG_HAS_CLIENTS)

struct kernel_config {
	uint32_t has; /* enum kernel_config_has */
	uint32_t mark, mark_mask, seen_per_sec, max_clients, clients;
};

/* The gate's counters (WICKET_CMD_STATS_GET), since the module was loaded. */
struct kernel_stats {
	/* Packets dropped, indexed by WICKET_STATS_A_DROP_*; [0] unused. */
	uint64_t drops[WICKET_STATS_A_DROP_PORT_BLOCKED + 1];
};

/*
 * Every call returns 0 or -errno. After a failure, kernel_error() gives the
 * module's own extended-ACK message, or a description of what failed. The
 * wicket family is resolved on first use: -ENOENT then means wicket.ko is
 * not loaded; -EPERM means no CAP_NET_ADMIN. Calls block until the kernel
 * answers (at most 30 s per message).
 */
int kernel_open(struct kernel **out);
void kernel_close(struct kernel *k);
const char *kernel_error(const struct kernel *k);
/*
 * After a failed batch call: the index, in the caller's array, of the
 * client the kernel's error names, or -1 when the error names none.
 * kernel_error() then starts with that client, counted from 1 like the
 * lines of a batch file: clients[16] is "client 17 (port 5, mac ...): ".
 */
long kernel_error_index(const struct kernel *k);

int kernel_get_version(struct kernel *k, struct kernel_version *v);

/* Ports. mode: enum wicket_port_mode. The callback's non-zero return stops the dump and is returned. */
int kernel_port_set(struct kernel *k, uint32_t ifindex, uint8_t mode);
int kernel_port_del(struct kernel *k, uint32_t ifindex);
int kernel_port_dump(struct kernel *k, int (*cb)(const struct kernel_port *p, void *arg), void *arg);

/*
 * Clients, batched: as few messages as possible, each with at most
 * WICKET_MAX_BATCH clients and KERNEL_BATCH_BYTES bytes, sent one after the
 * other. Each message is all or nothing in the kernel, but when a later
 * message of a big batch fails the earlier ones stay applied. DEL sends port
 * and MAC only. n == 0 sends nothing.
 */
int kernel_client_add(struct kernel *k, const struct kernel_client *clients, size_t n);
int kernel_client_update(struct kernel *k, const struct kernel_client *clients, size_t n);
int kernel_client_del(struct kernel *k, const struct kernel_client *clients, size_t n);
/*
 * One client by port and MAC, or, when port is 0 and naddrs is 1, by that
 * address; *inout is replaced by the kernel's answer. request_flags: enum
 * wicket_request_flag (WICKET_F_RESET_COUNTERS).
 */
int kernel_client_get(struct kernel *k, struct kernel_client *inout, uint32_t request_flags);
/*
 * Every client. *interrupted (may be NULL) is set to 1 when the dump raced
 * with a change (NLM_F_DUMP_INTR): the caller should dump again.
 */
int kernel_client_dump(struct kernel *k, uint32_t request_flags,
		       int (*cb)(const struct kernel_client *c, void *arg), void *arg, int *interrupted);

/* Walled garden. */
int kernel_garden_add(struct kernel *k, const struct kernel_addr *addr, uint8_t prefixlen);
int kernel_garden_del(struct kernel *k, const struct kernel_addr *addr, uint8_t prefixlen);
int kernel_garden_dump(struct kernel *k, int (*cb)(const struct kernel_prefix *p, void *arg), void *arg);

/* Config: set sends the fields named in c->has; get fills every field. */
int kernel_config_get(struct kernel *k, struct kernel_config *c);
int kernel_config_set(struct kernel *k, const struct kernel_config *c);

/* Stats: every drop reason of this header's uapi must be in the reply. */
int kernel_stats_get(struct kernel *k, struct kernel_stats *s);

/* This socket holds wicket.ko loaded until kernel_close(): rmmod fails
 * with "in use" meanwhile (WICKET_CMD_HOLD). */
int kernel_hold(struct kernel *k);
/* The name of drop reason r in metrics and wicketctl ("unknown", "captive", ...); NULL if none. */
const char *kernel_drop_reason_name(unsigned int r);

/* Remove every client; flush_flags (enum wicket_flush_flag), if not 0, is sent as WICKET_A_FLUSH. */
int kernel_flush(struct kernel *k, uint32_t flush_flags);

/*
 * For tests: a request of cmd to the wicket family carrying exactly the
 * given attribute bytes (no WICKET_A_PROTOCOL added). nlmsg_flags is or-ed
 * with NLM_F_REQUEST, and with NLM_F_ACK unless it has NLM_F_DUMP. Replies
 * are read and ignored.
 */
int kernel_raw(struct kernel *k, uint8_t cmd, uint16_t nlmsg_flags, const void *attrs, size_t len);

/*
 * Events: a socket of its own that joins WICKET_GENL_MCGRP_EVENTS (the
 * family and group are resolved with k; failures are described by
 * kernel_error(k)). kernel_events_fd() is for poll(); kernel_events_read()
 * never blocks: it reads what is there and calls cb(WICKET_CMD_EVENT_SEEN
 * or WICKET_CMD_EVENT_CLOSED, client, arg) for each event. It returns 0,
 * cb's non-zero return (which stops reading), -ENOBUFS when the socket
 * overflowed and events were lost (dump the clients again: the events
 * still queued then, older than that dump, are dropped), -EBADMSG after
 * skipping malformed events, or another -errno.
 */
int kernel_events_open(struct kernel *k, struct kernel_events **out);
int kernel_events_fd(const struct kernel_events *ev);
int kernel_events_read(struct kernel_events *ev,
		       int (*cb)(uint8_t cmd, const struct kernel_client *c, void *arg), void *arg);
void kernel_events_close(struct kernel_events *ev);

/*
 * Text forms. Parsers return 0 or -EINVAL. A prefix is ADDR/LEN or a bare
 * address (/32, /128); host bits are left as given.
 */
int kernel_addr_parse(const char *s, struct kernel_addr *a);
int kernel_prefix_parse(const char *s, struct kernel_addr *a, uint8_t *prefixlen);
/* buf needs INET6_ADDRSTRLEN bytes; returns buf. */
const char *kernel_addr_format(const struct kernel_addr *a, char *buf, size_t len);
int kernel_mac_parse(const char *s, uint8_t mac[6]);
/* buf needs 18 bytes; returns buf. */
const char *kernel_mac_format(const uint8_t mac[6], char *buf, size_t len);

/*
 * Builders and parsers, exposed for the unit tests. Parsers validate the
 * type and length of every attribute they use, skip unknown types, never
 * read past the message, and return 0 or -EBADMSG.
 */

/* An extended ACK (NLMSG_ERROR, or the TLVs of a failed dump's NLMSG_DONE). */
enum kernel_ack_has {
	KERNEL_ACK_HAS_OFFS = 1U << 0,
	KERNEL_ACK_HAS_MISS_TYPE = 1U << 1,
	KERNEL_ACK_HAS_MISS_NEST = 1U << 2,
};
struct kernel_ack {
	int error; /* 0 or -errno */
	char msg[200]; /* NLMSGERR_ATTR_MSG, "" if none */
	uint32_t has; /* enum kernel_ack_has */
	uint32_t offs; /* of the offending attribute, from the start of our request */
	uint32_t miss_type; /* type of a missing attribute ... */
	uint32_t miss_nest; /* ... in the nest at this offset */
};
int kernel_parse_ack(const struct nlmsghdr *nlh, struct kernel_ack *ack);
/* The error (0 or -errno) and its message, or -EBADMSG. */
int kernel_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen);
/*
 * Which WICKET_A_CLIENT nest of the request's WICKET_A_CLIENTS holds the
 * byte at offset (from the start of the request): 0 and *index, or -ENOENT.
 */
int kernel_request_client_at(const struct nlmsghdr *req, uint32_t offset, size_t *index);
/*
 * One batch request of cmd (WICKET_CMD_CLIENT_ADD/UPDATE/DEL) in buf:
 * WICKET_A_PROTOCOL and a WICKET_A_CLIENTS nest with as many of clients[0..n)
 * as fit in size bytes (and in the nest's 16-bit length), at most max of
 * them. Returns how many it took (> 0 when n > 0), -EMSGSIZE when not even
 * one fits, -EINVAL for an invalid client (bad address family, more than
 * WICKET_MAX_ADDRS addresses).
 */
int kernel_build_clients(void *buf, size_t size, size_t max, uint16_t family, uint8_t cmd,
			 const struct kernel_client *clients, size_t n);

int kernel_parse_family_id(const struct nlmsghdr *nlh, uint16_t *id);
/* The id of multicast group name in a CTRL_CMD_GETFAMILY reply; -ENOENT if it has none. */
int kernel_parse_mcast_group(const struct nlmsghdr *nlh, const char *name, uint32_t *id);
int kernel_parse_version(const struct nlmsghdr *nlh, struct kernel_version *v);
/* A WICKET_A_CLIENT nest: needs PORT and MAC, at most WICKET_MAX_ADDRS addresses. */
int kernel_parse_client(const struct nlattr *nest, struct kernel_client *c);
/* A CLIENT_GET reply: exactly one WICKET_A_CLIENT with every field the uapi promises. */
int kernel_parse_client_reply(const struct nlmsghdr *nlh, struct kernel_client *c);
/* An event: *cmd and its client (with every field the uapi promises); -ENOENT if not an event. */
int kernel_parse_event(const struct nlmsghdr *nlh, uint8_t *cmd, struct kernel_client *c);
int kernel_parse_port(const struct nlmsghdr *nlh, struct kernel_port *p);
int kernel_parse_garden(const struct nlmsghdr *nlh, struct kernel_prefix *p);
/* Sets c->has for what is there; does not require every field. */
int kernel_parse_config(const struct nlmsghdr *nlh, struct kernel_config *c);
/* A STATS_GET reply: every drop reason present; unknown attributes (a newer module's) are skipped. */
int kernel_parse_stats(const struct nlmsghdr *nlh, struct kernel_stats *s);

#endif
