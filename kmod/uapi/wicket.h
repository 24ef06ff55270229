/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * wicket.ko's generic netlink interface: the one header that both the
 * module and every userspace program (wicketd, wicketctl, tests) include.
 *
 * Family WICKET_GENL_NAME ("wicket"), genl header version
 * WICKET_GENL_VERSION, multicast group WICKET_GENL_MCGRP_EVENTS. Every
 * command, and joining the group, needs CAP_NET_ADMIN in the network
 * namespace's owning user namespace (the table lists guests' MACs). All
 * state is per network namespace: a command acts on the sender's.
 *
 * Every request carries WICKET_A_PROTOCOL, the protocol revision the
 * sender speaks; every command but WICKET_CMD_GET_VERSION requires it and
 * is refused with -EPROTO unless it lies in [WICKET_PROTOCOL_MIN,
 * WICKET_PROTOCOL]. Bump WICKET_PROTOCOL whenever a command, attribute or
 * flag is added; values are only ever appended.
 *
 * Attributes are validated strictly: an attribute a command does not take,
 * a wrong length or an out-of-range value is refused (-EINVAL), unknown
 * flag bits are refused (-EOPNOTSUPP), and every error comes back with an
 * extended ACK message naming the offending attribute. A refused request
 * changes nothing.
 *
 * Clients. A client is identified by its access port and MAC; it owns up
 * to WICKET_MAX_ADDRS IPv4/IPv6 addresses, each bound to one client only.
 * Upstream traffic passes only when port, source MAC and source address
 * all belong to one client whose state lets it through (PROVISIONAL or
 * AUTHORIZED), before its deadline and within its byte cap; downstream
 * traffic is matched by destination address. At the deadline or the cap
 * the kernel closes the gate on its own and multicasts one
 * WICKET_CMD_EVENT_CLOSED with the final counters.
 *
 * Commands and their attributes ("[...]" = optional):
 *
 * WICKET_CMD_GET_VERSION
 *   request: [WICKET_A_PROTOCOL]
 *   reply:   WICKET_A_PROTOCOL, WICKET_A_PROTOCOL_MIN, WICKET_A_RELEASE
 *
 * WICKET_CMD_PORT_SET: make an interface an access port, or change its mode
 *   request: WICKET_A_PROTOCOL, WICKET_A_PORT: { IFINDEX, MODE }
 * WICKET_CMD_PORT_DEL: the interface is no longer an access port
 *   request: WICKET_A_PROTOCOL, WICKET_A_PORT: { IFINDEX }
 * WICKET_CMD_PORT_GET (dump)
 *   request: WICKET_A_PROTOCOL
 *   reply, one message per port: WICKET_A_PORT: { IFINDEX, MODE }
 *
 * WICKET_CMD_CLIENT_ADD: add clients (fails with -EEXIST for a known one)
 *   request: WICKET_A_PROTOCOL, WICKET_A_CLIENTS: [ WICKET_A_CLIENT... ]
 *     each: { PORT, MAC, [ADDRS: { [IPV4...] [IPV6...] }], [STATE],
 *             [SESSION], [TIMEOUT_MS], [BYTE_CAP] }
 *     defaults: no address, CAPTIVE, session 0, no deadline, no cap
 * WICKET_CMD_CLIENT_UPDATE: change known clients (-ENOENT otherwise)
 *   request: as ADD; given fields are replaced, ADDRS replaces the whole
 *   address set, TIMEOUT_MS 0 removes the deadline, BYTE_CAP 0 the cap.
 *   A new deadline or cap, or a new state, clears the CLOSED flag.
 *   Batches: the whole batch is validated before anything changes; up to
 *   WICKET_MAX_BATCH clients per message, and no more than the 64 KiB that
 *   the WICKET_A_CLIENTS nest's 16-bit length holds. An error points at
 *   the entry (NLMSGERR_ATTR_OFFS).
 * WICKET_CMD_CLIENT_DEL: remove clients
 *   request: WICKET_A_PROTOCOL, WICKET_A_CLIENTS: [ { PORT, MAC }... ]
 * WICKET_CMD_CLIENT_GET: one client (do) or all of them (dump)
 *   request: WICKET_A_PROTOCOL, [WICKET_A_FLAGS],
 *            do: WICKET_A_CLIENT: { PORT, MAC } or { ADDRS: one address }
 *   reply, one message per client: WICKET_A_CLIENT: { PORT, MAC, ADDRS,
 *            STATE, SESSION, FLAGS, [TIMEOUT_MS], [BYTE_CAP], IDLE_MS,
 *            UP_PACKETS, UP_BYTES, DOWN_PACKETS, DOWN_BYTES }
 *   In replies TIMEOUT_MS and BYTE_CAP are what is left (0: used up) and
 *   are absent when the client has no deadline or no cap.
 *   With WICKET_F_RESET_COUNTERS the counters returned are those since the
 *   previous reset, and the next reset starts after exactly them: no
 *   packet is ever counted twice or lost. A dump that raced with a change
 *   carries NLM_F_DUMP_INTR.
 *
 * WICKET_CMD_GARDEN_ADD / WICKET_CMD_GARDEN_DEL: walled garden prefixes,
 *   reachable both ways by clients that have not paid
 *   request: WICKET_A_PROTOCOL, WICKET_A_GARDEN: { IPV4 | IPV6, PREFIXLEN }
 * WICKET_CMD_GARDEN_GET (dump)
 *   reply, one message per prefix: WICKET_A_GARDEN: { IPV4 | IPV6, PREFIXLEN }
 *
 * WICKET_CMD_CONFIG_SET: [MARK, MARK_MASK], [SEEN_PER_SEC], [MAX_CLIENTS]
 *   MARK and MARK_MASK go together; MARK_MASK 0 (the default) marks
 *   nothing. The mark goes on captive clients' packets to TCP port 80 and
 *   TCP/UDP port 53: the ones nftables redirects to the gateway.
 *   request: WICKET_A_PROTOCOL, WICKET_A_CONFIG: { ... }
 * WICKET_CMD_CONFIG_GET
 *   reply: WICKET_A_CONFIG: { MARK, MARK_MASK, SEEN_PER_SEC, MAX_CLIENTS,
 *          CLIENTS }
 *
 * WICKET_CMD_FLUSH: remove every client, and with WICKET_A_FLUSH flags
 *   also the garden and the ports
 *   request: WICKET_A_PROTOCOL, [WICKET_A_FLUSH]
 *
 * WICKET_CMD_STATS_GET (protocol 2): the gate's packet counters in this
 *   namespace since the module was loaded, for monitoring
 *   reply: WICKET_A_STATS: { DROP_UNKNOWN, DROP_CAPTIVE, DROP_BYTE_CAP,
 *          DROP_CLIENT_BLOCKED, DROP_PORT_BLOCKED } (u64 packets each)
 *
 * WICKET_CMD_HOLD (protocol 3): the sending socket holds the module loaded
 *   until it is closed, however its owner ends: meanwhile rmmod fails with
 *   EBUSY ("in use") instead of taking the gate away, which would leave
 *   every access port open. A socket holding twice holds once; at most
 *   WICKET_MAX_HOLDERS sockets hold at once (-ENOSPC).
 *   request: WICKET_A_PROTOCOL
 *
 * Events, multicast on WICKET_GENL_MCGRP_EVENTS:
 * WICKET_CMD_EVENT_SEEN: traffic on a charge or free access port from a
 *   (port, MAC, address) that is not a client's; at most one per source a
 *   second and SEEN_PER_SEC in all
 *   WICKET_A_CLIENT: { PORT, MAC, [ADDRS: one address] }
 * WICKET_CMD_EVENT_CLOSED: the kernel closed a client's gate
 *   WICKET_A_CLIENT: { PORT, MAC, SESSION, REASON, UP_PACKETS, UP_BYTES,
 *          DOWN_PACKETS, DOWN_BYTES } (counters since the last reset)
 */
#ifndef _UAPI_LINUX_WICKET_H
#define _UAPI_LINUX_WICKET_H

#define WICKET_GENL_NAME "wicket"
#define WICKET_GENL_VERSION 1
#define WICKET_GENL_MCGRP_EVENTS "events"

#define WICKET_PROTOCOL 3
#define WICKET_PROTOCOL_MIN 1

#define WICKET_MAX_ADDRS 16
#define WICKET_MAX_BATCH 1024
#define WICKET_MAX_GARDEN 1024
#define WICKET_MAX_HOLDERS 64

enum wicket_cmd {
	WICKET_CMD_UNSPEC,
	WICKET_CMD_GET_VERSION,
	WICKET_CMD_PORT_SET,
	WICKET_CMD_PORT_DEL,
	WICKET_CMD_PORT_GET,
	WICKET_CMD_CLIENT_ADD,
	WICKET_CMD_CLIENT_UPDATE,
	WICKET_CMD_CLIENT_DEL,
	WICKET_CMD_CLIENT_GET,
	WICKET_CMD_GARDEN_ADD,
	WICKET_CMD_GARDEN_DEL,
	WICKET_CMD_GARDEN_GET,
	WICKET_CMD_CONFIG_SET,
	WICKET_CMD_CONFIG_GET,
	WICKET_CMD_FLUSH,
	WICKET_CMD_EVENT_SEEN,
	WICKET_CMD_EVENT_CLOSED,
	WICKET_CMD_STATS_GET,
	WICKET_CMD_HOLD,
	__WICKET_CMD_MAX
};
#define WICKET_CMD_MAX (__WICKET_CMD_MAX - 1)

enum wicket_attr {
	WICKET_A_UNSPEC,
	WICKET_A_PROTOCOL,	/* u32 */
	WICKET_A_PROTOCOL_MIN,	/* u32 */
	WICKET_A_RELEASE,	/* NUL-terminated string */
	WICKET_A_PORT,		/* nest: enum wicket_port_attr */
	WICKET_A_CLIENTS,	/* nest of WICKET_A_CLIENT nests */
	WICKET_A_CLIENT,	/* nest: enum wicket_client_attr */
	WICKET_A_GARDEN,	/* nest: enum wicket_garden_attr */
	WICKET_A_CONFIG,	/* nest: enum wicket_config_attr */
	WICKET_A_FLAGS,		/* u32: enum wicket_request_flag */
	WICKET_A_FLUSH,		/* u32: enum wicket_flush_flag */
	WICKET_A_STATS,		/* nest: enum wicket_stats_attr */
	__WICKET_A_MAX
};
#define WICKET_A_MAX (__WICKET_A_MAX - 1)

enum wicket_request_flag {
	WICKET_F_RESET_COUNTERS = 1U << 0,
	__WICKET_F_ALL = WICKET_F_RESET_COUNTERS
};

enum wicket_flush_flag {
	WICKET_FLUSH_CLIENTS = 1U << 0,
	WICKET_FLUSH_GARDEN = 1U << 1,
	WICKET_FLUSH_PORTS = 1U << 2,
	__WICKET_FLUSH_ALL = WICKET_FLUSH_CLIENTS | WICKET_FLUSH_GARDEN |
			     WICKET_FLUSH_PORTS
};

enum wicket_port_mode {
	WICKET_PORT_CHARGE = 1,	/* the gate applies */
	WICKET_PORT_FREE,	/* everyone passes; clients are counted */
	WICKET_PORT_BLOCKED,	/* nothing is forwarded to or from it */
	__WICKET_PORT_MODE_MAX
};
#define WICKET_PORT_MODE_MAX (__WICKET_PORT_MODE_MAX - 1)

enum wicket_port_attr {
	WICKET_PORT_A_UNSPEC,
	WICKET_PORT_A_IFINDEX,	/* u32 */
	WICKET_PORT_A_MODE,	/* u8: enum wicket_port_mode */
	__WICKET_PORT_A_MAX
};
#define WICKET_PORT_A_MAX (__WICKET_PORT_A_MAX - 1)

enum wicket_client_state {
	WICKET_STATE_CAPTIVE = 1,	/* gateway and garden only */
	WICKET_STATE_PROVISIONAL,	/* temporary approval: needs a deadline */
	WICKET_STATE_AUTHORIZED,	/* passes until deadline and cap */
	WICKET_STATE_BLOCKED,		/* not even the garden */
	__WICKET_STATE_MAX
};
#define WICKET_STATE_MAX (__WICKET_STATE_MAX - 1)

/* Client flags, in replies and events. */
enum wicket_client_flag {
	WICKET_CLIENT_F_CLOSED = 1U << 0,	/* the kernel closed the gate */
	__WICKET_CLIENT_F_ALL = WICKET_CLIENT_F_CLOSED
};

enum wicket_close_reason {
	WICKET_CLOSE_DEADLINE = 1,
	WICKET_CLOSE_BYTE_CAP,
	__WICKET_CLOSE_MAX
};

enum wicket_client_attr {
	WICKET_CLIENT_A_UNSPEC,
	WICKET_CLIENT_A_PORT,		/* u32: ifindex of the access port */
	WICKET_CLIENT_A_MAC,		/* binary, 6 bytes */
	WICKET_CLIENT_A_ADDRS,		/* nest: enum wicket_addr_attr, repeated */
	WICKET_CLIENT_A_STATE,		/* u8: enum wicket_client_state */
	WICKET_CLIENT_A_SESSION,	/* u64: the daemon's session id */
	WICKET_CLIENT_A_TIMEOUT_MS,	/* u64: deadline, ms from now; 0 = none */
	WICKET_CLIENT_A_BYTE_CAP,	/* u64: bytes left, both ways; 0 = none */
	WICKET_CLIENT_A_FLAGS,		/* u32: enum wicket_client_flag */
	WICKET_CLIENT_A_IDLE_MS,	/* u64: ms since its last packet */
	WICKET_CLIENT_A_UP_PACKETS,	/* u64 */
	WICKET_CLIENT_A_UP_BYTES,	/* u64 */
	WICKET_CLIENT_A_DOWN_PACKETS,	/* u64 */
	WICKET_CLIENT_A_DOWN_BYTES,	/* u64 */
	WICKET_CLIENT_A_REASON,		/* u8: enum wicket_close_reason */
	WICKET_CLIENT_A_PAD,		/* alignment of u64s only: skip it */
	__WICKET_CLIENT_A_MAX
};
#define WICKET_CLIENT_A_MAX (__WICKET_CLIENT_A_MAX - 1)

enum wicket_addr_attr {
	WICKET_ADDR_A_UNSPEC,
	WICKET_ADDR_A_IPV4,	/* binary, 4 bytes, network order */
	WICKET_ADDR_A_IPV6,	/* binary, 16 bytes */
	__WICKET_ADDR_A_MAX
};
#define WICKET_ADDR_A_MAX (__WICKET_ADDR_A_MAX - 1)

enum wicket_garden_attr {
	WICKET_GARDEN_A_UNSPEC,
	WICKET_GARDEN_A_IPV4,		/* binary, 4 bytes */
	WICKET_GARDEN_A_IPV6,		/* binary, 16 bytes */
	WICKET_GARDEN_A_PREFIXLEN,	/* u8 */
	__WICKET_GARDEN_A_MAX
};
#define WICKET_GARDEN_A_MAX (__WICKET_GARDEN_A_MAX - 1)

enum wicket_config_attr {
	WICKET_CONFIG_A_UNSPEC,
	WICKET_CONFIG_A_MARK,		/* u32: set on captive clients' packets */
	WICKET_CONFIG_A_MARK_MASK,	/* u32: the bits of skb->mark it owns */
	WICKET_CONFIG_A_SEEN_PER_SEC,	/* u32: SEEN events per second, all */
	WICKET_CONFIG_A_MAX_CLIENTS,	/* u32: table limit in this namespace */
	WICKET_CONFIG_A_CLIENTS,	/* u32: clients now (reply only) */
	__WICKET_CONFIG_A_MAX
};
#define WICKET_CONFIG_A_MAX (__WICKET_CONFIG_A_MAX - 1)

/* Packets the gate dropped, by why: each attribute is one reason's count. */
enum wicket_stats_attr {
	WICKET_STATS_A_UNSPEC,
	/* no client has this port, source MAC and address (or destination) */
	WICKET_STATS_A_DROP_UNKNOWN,		/* u64 */
	/* a client that may not pass: captive, or its deadline passed */
	WICKET_STATS_A_DROP_CAPTIVE,		/* u64 */
	WICKET_STATS_A_DROP_BYTE_CAP,		/* u64: its byte cap is used up */
	WICKET_STATS_A_DROP_CLIENT_BLOCKED,	/* u64 */
	WICKET_STATS_A_DROP_PORT_BLOCKED,	/* u64: to or from a blocked port */
	WICKET_STATS_A_PAD,			/* alignment of u64s only */
	__WICKET_STATS_A_MAX
};
#define WICKET_STATS_A_MAX (__WICKET_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_WICKET_H */
