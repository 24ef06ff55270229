/*
 * RADIUS client (radius.c): the remote approver's Access-Request and the
 * network management system's accounting (Start, Interim-Update, Stop),
 * as blocking calls for the worker threads (workers.h).
 *
 * Every call is bounded: timeout_ms per try, 1 + retries tries, so at most
 * timeout_ms * (retries + 1) plus a name lookup. A try sends the very same
 * packet again (RFC 5080), so a server answers a retransmission from its
 * duplicate cache instead of counting it twice.
 *
 * radcli 1.2 reads the dictionary (wicket's vendor attributes are looked
 * up by name, so their numbers live in packaging/radius/dictionary.wicket
 * alone), builds the attribute lists and decodes answers. The exchange
 * itself is radius.c's own, because radcli 1.2.11's:
 *   - takes an Access-Accept whose Response Authenticator is wrong (a
 *     forged answer, or one from a server with another secret) as an
 *     accept, with whatever Session-Timeout it carries;
 *   - takes answers from any address, to its unconnected socket;
 *   - sends no Message-Authenticator, so a server cannot require one
 *     (BlastRADIUS, CVE-2024-3596).
 * Here every Access-Request carries a Message-Authenticator first, the
 * socket is connected to the server, and an answer counts only when its
 * Response Authenticator (and its Message-Authenticator, when it has one)
 * proves the shared secret. Other datagrams are dropped, as RFC 2865 says.
 *
 * Threads: radius_auth() and radius_acct() may run at once on any number
 * of threads with one struct radius. Each call has its own socket and
 * buffers; the radcli handle (the dictionary) is only read after
 * radius_open(). radius_open() and radius_close() are not concurrent with
 * anything using the same struct radius.
 *
 * Strings are C strings (NUL-terminated); attribute values are at most
 * RADIUS_STRING_MAX bytes. Errors: a message in err (errlen bytes, may be
 * NULL), never a log line of this file's (radcli writes a few to syslog):
 * the caller decides what to log.
 */
#ifndef WICKET_RADIUS_H
#define WICKET_RADIUS_H

#include <stddef.h>
#include <stdint.h>

#define RADIUS_AUTH_PORT 1812
#define RADIUS_ACCT_PORT 1813
/* radcli's standard dictionary with wicket's vendor attributes, as installed. */
#define RADIUS_DEFAULT_DICTIONARY "/usr/share/wicket/radius/dictionary.radcli"
#define RADIUS_STRING_MAX 253
#define RADIUS_SECRET_MAX 128
#define RADIUS_REPLY_MESSAGE_MAX 1024
#define RADIUS_CLASS_MAX 253

struct radius;

struct radius_params {
	/*
	 * A name, an IPv4 or an IPv6 address (brackets allowed), resolved at
	 * each call (getaddrinfo), so a name follows DNS; port 0 is the
	 * default one. NULL or "": no such server, and its calls answer
	 * RADIUS_ERROR or -EOPNOTSUPP. Both may be the same host.
	 */
	const char *auth_host;
	uint16_t auth_port; /* 0: 1812 */
	const char *acct_host;
	uint16_t acct_port; /* 0: 1813 */
	/*
	 * The shared secret's bytes, as read from its file: 1 to
	 * RADIUS_SECRET_MAX, no NUL. One trailing "\n" or "\r\n" is dropped
	 * (no server's configuration can hold a newline in a secret).
	 */
	const void *secret;
	size_t secret_len;
	/* NAS-Identifier: this gateway, unique among those reporting to one server. */
	const char *nas_identifier;
	/* Optional NAS-IP-Address or NAS-IPv6-Address (text); NULL: not sent. */
	const char *nas_ip;
	unsigned int timeout_ms; /* per try, >= 1 */
	unsigned int retries; /* tries after the first */
	const char *dictionary; /* a radcli dictionary; NULL: RADIUS_DEFAULT_DICTIONARY */
};

/* 0, or -errno with a message: -EINVAL (params), -ENOENT (dictionary), -ENOMEM. */
int radius_open(const struct radius_params *p, struct radius **out, char *err, size_t errlen);
/* No call may be running. NULL is fine. */
void radius_close(struct radius *r);

/* --- the remote approver */

struct radius_auth_request {
	uint64_t session_id; /* also sent as Acct-Session-Id, to match its accounting */
	const char *mac; /* "aa:bb:cc:dd:ee:ff" or with '-'; sent as AA-BB-CC-DD-EE-FF (RFC 3580) */
	const char *port; /* NAS-Port-Id: the access port, "lan.101" */
	const char *user_name; /* what the guest typed: card token, PMS account, room/surname */
	const char *password; /* User-Password (PIN); NULL or "": not sent */
	const char *plan; /* Wicket-Plan; NULL or "": not sent */
	int64_t price; /* Wicket-Price, minor units, 0 to UINT32_MAX */
	const char *currency; /* Wicket-Currency; NULL or "": not sent */
	const char *room; /* Wicket-Room; NULL or "": not sent */
};

enum radius_verdict {
	RADIUS_ACCEPT,
	RADIUS_REJECT,
	RADIUS_TIMEOUT, /* no valid answer after every try: the daemon's temporary approval stands */
	RADIUS_ERROR, /* anything else: bad request, no server, forged or garbled answers only */
};

struct radius_auth_result {
	enum radius_verdict verdict;
	/* Reply-Message(s), joined by "\n": the server's words for the guest (untrusted text). */
	char reply_message[RADIUS_REPLY_MESSAGE_MAX];
	uint32_t session_timeout_s; /* Session-Timeout; 0: the server set none */
	/* Class: to be sent back unchanged in the session's accounting (RFC 2865 5.25). */
	unsigned char class_[RADIUS_CLASS_MAX];
	size_t class_len;
};

/* Blocks for at most timeout_ms * (retries + 1). out is always filled. */
enum radius_verdict radius_auth(struct radius *r, const struct radius_auth_request *q,
				struct radius_auth_result *out, char *err, size_t errlen);

/* --- the network management system */

enum radius_acct_kind { /* the Acct-Status-Type values */
			RADIUS_ACCT_START = 1,
			RADIUS_ACCT_STOP = 2,
			RADIUS_ACCT_INTERIM = 3,
};

struct radius_acct_record {
	enum radius_acct_kind kind;
	uint64_t session_id; /* Acct-Session-Id: 16 lower-case hex digits */
	/*
	 * When it happened (Event-Timestamp, whole seconds): the same on
	 * every resend, so the server can tell a record it already has.
	 */
	int64_t event_ms;
	uint64_t session_time_s; /* Acct-Session-Time */
	/* RFC 2866 counts from the NAS's side: input is what the client sent (its upload). */
	uint64_t input_octets, output_octets; /* sent as Octets + Gigawords */
	uint64_t input_packets, output_packets; /* 32 bits: larger counts are sent as 4294967295 */
	const char *end_reason; /* stop: the daemon's end reason, see radius_terminate_cause() */
	const char *mac;
	const char *port;
	const char *user_name; /* NULL or "": the MAC, as Calling-Station-Id */
	int64_t charge; /* Wicket-Charge, minor units, 0 to UINT32_MAX */
	const char *currency, *plan, *room; /* NULL or "": not sent */
	const void *class_; /* from the session's Access-Accept; NULL: none */
	size_t class_len;
};

/*
 * Send one record; now_ms gives Acct-Delay-Time (now - event, seconds).
 * 0: the server acknowledged it (Accounting-Response). -ETIMEDOUT: no
 * valid answer; -EIO: only invalid answers (wrong secret?); -EINVAL or
 * -ERANGE: the record cannot be sent as it is; -EOPNOTSUPP: no accounting
 * server; -errno of a socket.
 */
int radius_acct(struct radius *r, const struct radius_acct_record *a, int64_t now_ms, char *err,
		size_t errlen);

/*
 * The Acct-Terminate-Cause (RFC 2866 5.10) for a daemon end reason:
 *   logout                        1 User-Request
 *   keepalive-timeout             2 Lost-Carrier    the helper stopped answering
 *   idle, idle-timeout            4 Idle-Timeout    no traffic
 *   deadline                      5 Session-Timeout the plan's time is up
 *   byte-cap                      5 Session-Timeout the plan's volume is used up
 *   kick, block, staff            6 Admin-Reset
 *   shutdown                      7 Admin-Reboot    staff stopped the gateway
 *   expired-while-down           11 NAS-Reboot      ended while wicketd was down
 *   rejected                     17 User-Error      payment declined after a temporary approval
 *   anything else, NULL          10 NAS-Request     "a non-error reason not otherwise listed"
 */
uint32_t radius_terminate_cause(const char *end_reason);
/* The RFC 2866 name of a cause ("Lost-Carrier"), "" when unknown. */
const char *radius_terminate_cause_name(uint32_t cause);

#endif
