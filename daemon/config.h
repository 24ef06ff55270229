/*
 * wicketd's configuration: one INI file, /etc/wicket/wicketd.conf by
 * default, parsed with libinih into a struct wicket_config and validated
 * value by value. This comment is the reference for the file; the example
 * config and the man page follow it.
 *
 *   [gateway]
 *   store = /var/lib/wicket/wicket.db
 *       SQLite store. Absolute path. Default as shown.
 *   control_socket = /run/wicket/control.sock
 *       UNIX socket of wicketctl. Absolute path of at most 107 characters
 *       (sun_path). Default as shown.
 *   staff_group = wicket
 *       Group allowed on the control socket besides root: 1 to 32 of
 *       A-Z a-z 0-9 . _ -, not starting with '-'. Default "wicket".
 *   portal = 10.0.0.1:8080
 *       Address and TCP port where the portal listens: IPV4:PORT or
 *       [IPV6]:PORT, numeric only, port 1-65535. Required.
 *   portal_tls_port = 8443
 *       The portal's HTTPS port (the page, RFC 8908 API and the client
 *       API) on the portal address, 1-65535. Default 8443. The portal
 *       port above is plain HTTP: captive web traffic is sent there and
 *       redirected to the HTTPS page.
 *   tls_cert = /etc/wicket/portal.crt
 *   tls_key = /etc/wicket/portal.key
 *       The portal's certificate and key (PEM), both or neither; the key
 *       readable by its owner only. Without them, a self-signed pair is
 *       made at first start in tls_dir; wicketctl status shows its
 *       fingerprint.
 *   tls_dir = /var/lib/wicket/tls
 *       Where the generated pair is kept. Default as shown.
 *   portal_dir = /usr/share/wicket/portal
 *       The portal page's files (index.html, style.css, app.js). Default
 *       as shown.
 *   venue_url = https://hotel.example/wifi
 *       The venue's information page (RFC 8908 venue-info-url). Optional.
 *   components_dir = /etc/wicket/components
 *       The venue's own components for wicket-helper (say, a newer
 *       helper), published and signed with the stock ones (components.h).
 *       Absolute path of a directory; its regular files whose names are
 *       1 to 64 of A-Z a-z 0-9 . _ - (not starting with '.') are served,
 *       and one named like a stock component (ca.crt, network.json,
 *       helper.conf) replaces it; other entries are skipped with a
 *       warning. Read at start and at every SIGHUP. Optional (default
 *       none).
 *   user = wicket
 *       The user wicketd runs as (privileges.h). Started as root, it
 *       becomes this user before it opens anything, keeping only
 *       CAP_NET_ADMIN and CAP_NET_BIND_SERVICE; the store's directory,
 *       tls_dir and the control socket's directory must then be that
 *       user's, and the files it reads readable by it. Same name rules
 *       as staff_group. Optional (default: stay the user it was started
 *       as, with the same two capabilities at most).
 *   dns_port = 53
 *       Port of the gateway's resolver that captive DNS is sent to,
 *       1-65535. Default 53.
 *   forget_after = 600
 *       Seconds after which a guest that has gone quiet (no session, not
 *       blocked, no packet heard) is forgotten: its entry leaves the
 *       kernel's table and its addresses are released, so that the table
 *       does not fill with departed devices and a recycled DHCP address
 *       can be used by the next one. A forgotten guest that comes back is
 *       seen again from its first packet. 0 (never) or 10-604800. Default
 *       600.
 *   sweep_interval = 30
 *       Seconds between two reads of the kernel's counters (accounting.h):
 *       the granularity of the sessions' byte counts in the store, of idle
 *       timeouts, of Interim-Updates and of forget_after. Each read dumps
 *       the whole table: shorter costs more on a large venue. 5-300.
 *       Default 30; a SIGHUP's new value applies from the next read.
 *   mark = 0x800000/0x800000
 *       Captive mark VALUE/MASK for the kernel and nftables: two 32-bit
 *       numbers, decimal or 0x-hex; MASK non-zero, VALUE non-zero and
 *       within MASK. Default as shown.
 *   upstream = wan0
 *       Upstream (WAN) interface name; never an access port. Required.
 *
 *   [keepalive]
 *   port = 4444
 *       UDP port of the keepalives, 1-65535. Default 4444.
 *   secret_file = /etc/wicket/keepalive.key
 *       File holding the keepalive HMAC key. Absolute path. Required. Only
 *       the name is checked here; the daemon reads the file.
 *   interval = 30
 *       Seconds between a client's keepalives, 5-3600. Default 30.
 *   misses = 3
 *       Missed keepalives after which the session ends, 1-100. Default 3.
 *
 *   [billing]
 *       Optional; the defaults below apply without it.
 *   provisional_after = 5
 *       Seconds a remote approver (RADIUS) may take before the guest gets
 *       a temporary approval, 1-120. Default 5.
 *   provisional_minutes = 10
 *       How long a temporary approval lasts at most, 1-240 minutes.
 *       Default 10.
 *   provisional_mb = 50
 *       Megabytes (10^6 bytes, both ways) a temporary approval allows,
 *       1-100000. Default 50.
 *
 *   [radius]
 *       Optional: the remote approver (Access-Request) and the network
 *       management system (accounting). Without it the remote payment
 *       method is refused and accounting records wait in the store.
 *   server = radius.example.net:1812
 *       HOST, HOST:PORT or [IPV6]:PORT of the RADIUS server. Required in
 *       [radius]. Port default 1812.
 *   accounting_server = radius.example.net:1813
 *       Where accounting goes. Default: server's host, port 1813.
 *   secret_file = /etc/wicket/radius.secret
 *       File holding the shared secret. Absolute path. Required in
 *       [radius]; the daemon reads it.
 *   nas_identifier = lobby-gw
 *       NAS-Identifier of this gateway: 1 to 63 printable ASCII characters
 *       without spaces; tells this gateway's records from those of the
 *       others reporting to the same server. Default: the host name.
 *   timeout = 3
 *       Seconds to wait for an answer, 1-60. Default 3.
 *   retries = 2
 *       Retransmissions after the first try, 0-10. Default 2.
 *   interim = 300
 *       Seconds between Interim-Updates of a session, 0 (none) or
 *       60-86400. Default 300.
 *   dictionary = /usr/share/wicket/radius/dictionary.radcli
 *       The radcli dictionary with wicket's vendor attributes (shipped in
 *       packaging/radius/). Absolute path. Default as shown.
 *
 *   [metrics]
 *       Optional: the Prometheus endpoint for staff (metrics.h), on by
 *       default on the loopback address.
 *   listen = 127.0.0.1:9188
 *       Where GET /metrics answers in Prometheus text format: IPV4:PORT or
 *       [IPV6]:PORT, numeric only, or "off" for no endpoint. Default as
 *       shown. Put it on the management network, never on an access
 *       port's address.
 *   allow = 127.0.0.0/8 ::1/128
 *       Who may ask: up to 16 addresses or prefixes (ADDRESS or
 *       ADDRESS/LEN), separated by spaces or commas. Anyone else gets 403
 *       and nothing else. Default as shown.
 *
 *   [port lan.101]
 *       One section per access port, 1 to 4096 of them. The name after
 *       "port" is the interface name: 1 to 15 printable ASCII characters,
 *       no whitespace, '/' or ':', not "." or "..". Only the syntax is
 *       checked; the daemon checks that the interface exists.
 *   mode = charge
 *       charge (the gate applies), free (everyone passes, counted) or
 *       blocked (nothing is forwarded). Default charge.
 *   room = 101
 *       Room or location label: 1 to 64 bytes of printable UTF-8.
 *       Optional (empty when absent).
 *
 * Syntax: "key = value" (or "key: value"), one per line; leading and
 * trailing whitespace is ignored, so keys may be indented; comments are
 * lines starting with ';' or '#', and a ';' preceded by whitespace starts
 * a comment at the end of a line. Values are not quoted and do not
 * continue on the next line. Lines are at most 199 characters. Section and
 * key names are lower case, exactly as above.
 *
 * Errors: unknown sections and keys, a section or key given twice, a
 * missing required key, the upstream interface named as a port, and any
 * value out of its range are refused with a message naming the file, the
 * line, the section and key, what is wrong and what is expected:
 *   wicketd.conf:12: [keepalive] port: expected a number from 1 to 65535, got "abc"
 * A missing key is reported at its section's line, or without a line when
 * the section itself is missing. Secrets are never in this file, only the
 * names of the files that hold them.
 */
#ifndef WICKET_CONFIG_H
#define WICKET_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WICKET_CONFIG_PATH "/etc/wicket/wicketd.conf"

#define CONFIG_PATH_MAX 256 /* file paths, with their NUL */
#define CONFIG_SOCKET_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path), with its NUL */
#define CONFIG_GROUP_MAX 33 /* group names, with their NUL */
#define CONFIG_IFNAME_MAX 16 /* IFNAMSIZ, with its NUL */
#define CONFIG_ROOM_MAX 65 /* room labels, with their NUL */
#define CONFIG_MAX_PORTS 4096

struct wicket_config_port {
	char ifname[CONFIG_IFNAME_MAX];
	uint8_t mode; /* enum wicket_port_mode: WICKET_PORT_CHARGE, _FREE, _BLOCKED */
	char room[CONFIG_ROOM_MAX]; /* "" when not given */
	unsigned int line; /* line of its [port ...] section, for messages */
};

/* A listening address: as written (without brackets), its port, and both ready for bind(). */
struct config_listen {
	char host[64];
	uint16_t port;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* An address prefix of an allow list. */
struct config_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t len; /* prefix length in bits */
};

#define CONFIG_MAX_ALLOW 16

struct wicket_config {
	struct {
		char store[CONFIG_PATH_MAX];
		char control_socket[CONFIG_SOCKET_PATH_MAX];
		char staff_group[CONFIG_GROUP_MAX];
		char user[CONFIG_GROUP_MAX]; /* "": stay the user wicketd was started as */
		struct config_listen portal;
		uint16_t dns_port;
		unsigned int forget_after; /* seconds; 0: never */
		unsigned int sweep_interval; /* seconds */
		uint32_t mark;
		uint32_t mark_mask;
		char upstream[CONFIG_IFNAME_MAX];
		uint16_t portal_tls_port;
		char tls_cert[CONFIG_PATH_MAX], tls_key[CONFIG_PATH_MAX]; /* "": generated in tls_dir */
		char tls_dir[CONFIG_PATH_MAX];
		char portal_dir[CONFIG_PATH_MAX];
		char venue_url[256]; /* "": none */
		char components_dir[CONFIG_PATH_MAX]; /* "": none */
	} gateway;
	struct {
		uint16_t port;
		char secret_file[CONFIG_PATH_MAX];
		unsigned int interval; /* seconds */
		unsigned int misses;
	} keepalive;
	struct {
		unsigned int provisional_after; /* seconds */
		unsigned int provisional_minutes;
		uint64_t provisional_bytes;
	} billing;
	struct {
		char host[256]; /* "" when there is no [radius] */
		uint16_t port;
		char acct_host[256]; /* "": host's */
		uint16_t acct_port;
		char secret_file[CONFIG_PATH_MAX];
		char nas_identifier[64]; /* "": the host name */
		unsigned int timeout, retries, interim; /* seconds, tries, seconds (0: none) */
		char dictionary[CONFIG_PATH_MAX];
	} radius;
	struct {
		int enabled; /* 0: listen = off */
		struct config_listen listen;
		struct config_prefix allow[CONFIG_MAX_ALLOW];
		size_t nallow;
	} metrics;
	/* The access ports, sorted by ifname (strcmp), names unique. */
	struct wicket_config_port *ports;
	size_t nports;
};

/*
 * Parse and validate the file at path. On success returns 0 and stores a
 * new config in *out (the caller frees the one it replaces: that is how a
 * reload swaps configs). On failure returns -EINVAL for bad content, the
 * -errno of opening or reading the file, -EFBIG for a file over 8 MiB or
 * -ENOMEM, writes a one-line message to err (when errlen > 0) and leaves
 * *out untouched.
 */
int config_load_file(const char *path, struct wicket_config **out, char *err, size_t errlen);

/* The same for a NUL-terminated text; name stands for the file in messages. */
int config_load_string(const char *text, const char *name, struct wicket_config **out, char *err,
		       size_t errlen);

/* Frees a config from config_load_*(); NULL is allowed. */
void config_free(struct wicket_config *config);

/*
 * For a reload: [radius] is opened once (its client and the requests in
 * flight), so cfg takes running's section back, all but interim (read at
 * each accounting sweep). 1 when cfg asked for a different one (the
 * caller says that a restart applies it), 0 when not.
 */
int config_keep_radius(const struct wicket_config *running, struct wicket_config *cfg);

/* The access port named ifname, or NULL when it is not one. */
const struct wicket_config_port *config_port(const struct wicket_config *config, const char *ifname);

/* "charge", "free" or "blocked" for a WICKET_PORT_* mode, "?" for others. */
const char *config_port_mode_name(uint8_t mode);

#endif
