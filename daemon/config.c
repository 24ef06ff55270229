/*
 * wicketd.conf: libinih splits lines into sections and key = value pairs;
 * everything else is here. config.h documents the file.
 *
 * inih is fed through our own line reader, which counts lines (the handler
 * of Debian's inih gets no line number), strips leading whitespace (so that
 * an indented key is never glued to the previous value as a "continuation
 * line"), refuses over-long lines (inih would cut them in two and parse the
 * rest as a line of its own) and handles [section] lines itself, so that a
 * section without keys still counts. The whole file is parsed into a fresh
 * struct; the first error stops the parse and the caller's config is never
 * touched.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/wicket.h"

/* A config file bigger than this is refused: a file of 4096 ports with
 * comments is well under 1 MiB. */
#define CONFIG_FILE_MAX (8 << 20)

enum section {
	SECT_NONE,
	SECT_GATEWAY,
	SECT_KEEPALIVE,
	SECT_BILLING,
	SECT_RADIUS,
	SECT_METRICS,
	SECT_PORT,
	SECT_COUNT
};

/* The sections with one instance; [port IFNAME] is handled apart. */
static const struct {
	const char *name;
	bool optional; /* its required keys are required only when it is there */
} sections[SECT_COUNT] = {
	/* One a line: tests/style/docs-sync.sh reads them. */
	/* clang-format off */
	[SECT_GATEWAY] = { "gateway", false },
	[SECT_KEEPALIVE] = { "keepalive", false },
	[SECT_BILLING] = { "billing", true },
	[SECT_RADIUS] = { "radius", true },
	[SECT_METRICS] = { "metrics", true },
	/* clang-format on */
};

#define SECTIONS_EXPECTED "expected [gateway], [keepalive], [billing], [radius], [metrics] or [port IFNAME]"

enum key_id {
	K_STORE,
	K_CONTROL_SOCKET,
	K_STAFF_GROUP,
	K_PORTAL,
	K_DNS_PORT,
	K_FORGET_AFTER,
	K_SWEEP_INTERVAL,
	K_MARK,
	K_UPSTREAM,
	K_PORTAL_TLS_PORT,
	K_TLS_CERT,
	K_TLS_KEY,
	K_TLS_DIR,
	K_PORTAL_DIR,
	K_VENUE_URL,
	K_COMPONENTS_DIR,
	K_USER,
	K_KA_PORT,
	K_SECRET_FILE,
	K_INTERVAL,
	K_MISSES,
	K_PROVISIONAL_AFTER,
	K_PROVISIONAL_MINUTES,
	K_PROVISIONAL_BYTES,
	K_RADIUS_SERVER,
	K_RADIUS_ACCT_SERVER,
	K_RADIUS_SECRET_FILE,
	K_NAS_IDENTIFIER,
	K_RADIUS_TIMEOUT,
	K_RADIUS_RETRIES,
	K_INTERIM,
	K_RADIUS_DICTIONARY,
	K_METRICS_LISTEN,
	K_METRICS_ALLOW,
	K_MODE,
	K_ROOM,
	K_COUNT
};

struct parser;

struct key {
	enum section section;
	const char *name;
	bool required;
	const char *expect; /* what a missing required key should be */
	int (*parse)(struct parser *p, const struct key *k, const char *value);
};

struct parser {
	const char *name; /* the file, in messages */
	const char *text;
	size_t len;
	size_t pos;
	unsigned int line; /* the line being parsed, from 1 */
	struct wicket_config *cfg;
	enum section section;
	char label[32]; /* "[gateway]", "[port lan.101]" */
	size_t port; /* the current port, an index in cfg->ports */
	size_t *order; /* indices of cfg->ports, sorted by ifname */
	size_t ports_size; /* room in cfg->ports and order */
	unsigned int section_line[SECT_COUNT]; /* where each single section began; 0: not there */
	unsigned int key_line[K_COUNT]; /* where each key of the current section was set */
	bool failed;
	unsigned int error_line;
	int rc;
	char *err;
	size_t errlen;
	char quoted[96];
};

static void fail(struct parser *p, unsigned int line, const char *label, const char *key, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));

/* The first error wins: "NAME:LINE: [section] key: what is wrong". */
static void fail(struct parser *p, unsigned int line, const char *label, const char *key, const char *fmt,
		 ...)
{
	char msg[512];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->error_line = line;
	p->rc = -EINVAL;
	if (!p->err || !p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(p->err, p->errlen, "%s:%u: %s%s%s%s%s", p->name, line, label ? label : "",
			 label && key ? " " : "", key ? key : "", label || key ? ": " : "", msg);
	else
		snprintf(p->err, p->errlen, "%s: %s%s%s%s%s", p->name, label ? label : "",
			 label && key ? " " : "", key ? key : "", label || key ? ": " : "", msg);
}

static void fail_nomem(struct parser *p)
{
	fail(p, 0, NULL, NULL, "out of memory");
	p->rc = -ENOMEM;
}

/* A value in double quotes for a message, unprintable bytes as \xNN, long
 * ones cut with "...". One at a time: the buffer is the parser's. */
static const char *quote(struct parser *p, const char *s)
{
	char *q = p->quoted;
	size_t n = 0, size = sizeof(p->quoted);

	q[n++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n + 9 > size) {
			strcpy(q + n, "...\"");
			return q;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			q[n++] = (char)c;
		else
			n += (size_t)snprintf(q + n, size - n, "\\x%02x", c);
	}
	q[n++] = '"';
	q[n] = '\0';
	return q;
}

/* A whole string of decimal digits (or 0x-hex when hex_ok) that fits in 32
 * bits: no sign, no whitespace, nothing after it. */
static bool parse_u32(const char *s, bool hex_ok, uint32_t *out)
{
	unsigned long v;
	char *end;
	int base = 10;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return false;
		base = 16;
	} else if (!isdigit((unsigned char)s[0])) {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int parse_range(struct parser *p, const struct key *k, const char *v, uint32_t min, uint32_t max,
		       uint32_t *out)
{
	uint32_t n;

	if (!parse_u32(v, false, &n) || n < min || n > max) {
		fail(p, p->line, p->label, k->name, "expected a number from %u to %u, got %s", min, max,
		     quote(p, v));
		return -1;
	}
	*out = n;
	return 0;
}

static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int parse_path(struct parser *p, const struct key *k, const char *v, char *dst, size_t size)
{
	size_t n = strlen(v);

	if (v[0] != '/')
		fail(p, p->line, p->label, k->name, "expected an absolute path (starting with '/'), got %s",
		     quote(p, v));
	else if (v[n - 1] == '/')
		fail(p, p->line, p->label, k->name, "expected the path of a file, not of a directory, got %s",
		     quote(p, v));
	else if (has_control_chars(v))
		fail(p, p->line, p->label, k->name, "expected a path without control characters, got %s",
		     quote(p, v));
	else if (n >= size)
		fail(p, p->line, p->label, k->name, "expected a path of at most %zu characters, got %zu",
		     size - 1, n);
	else
		memcpy(dst, v, n + 1);
	return p->failed ? -1 : 0;
}

/* NULL when s can be an interface name (the kernel's dev_valid_name(),
 * restricted to printable ASCII), else what is wrong with it. */
static const char *ifname_problem(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "is empty";
	if (n >= CONFIG_IFNAME_MAX)
		return "is longer than 15 characters";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "may not be \".\" or \"..\"";
	for (; *s; s++) {
		if (*s == '/')
			return "contains '/'";
		if (*s == ':')
			return "contains ':'";
		if (isspace((unsigned char)*s))
			return "contains whitespace";
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return "contains a byte that is not printable ASCII";
	}
	return NULL;
}

#define IFNAME_EXPECTED "expected 1 to 15 printable ASCII characters without whitespace, '/' or ':'"

/* Index in p->order where ifname is, or would go; *found tells which. */
static size_t port_slot(const struct parser *p, const char *ifname, bool *found)
{
	size_t lo = 0, hi = p->cfg->nports;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ifname, p->cfg->ports[p->order[mid]].ifname);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* --- [gateway] */

static int parse_store(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.store, sizeof(p->cfg->gateway.store));
}

static int parse_control_socket(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.control_socket, sizeof(p->cfg->gateway.control_socket));
}

/* A user or group name: 1 to 32 of A-Z a-z 0-9 . _ -, not starting with '-'. */
static int parse_account(struct parser *p, const struct key *k, const char *v, const char *what, char *dst)
{
	size_t n = strlen(v), i;
	bool ok = n > 0 && n < CONFIG_GROUP_MAX && v[0] != '-';

	for (i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)v[i]) || v[i] == '.' || v[i] == '_' || v[i] == '-';
	if (!ok) {
		fail(p, p->line, p->label, k->name,
		     "expected a %s name of 1 to 32 letters, digits, '.', '_' or '-', not starting with '-', "
		     "got %s",
		     what, quote(p, v));
		return -1;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

static int parse_staff_group(struct parser *p, const struct key *k, const char *v)
{
	return parse_account(p, k, v, "group", p->cfg->gateway.staff_group);
}

static int parse_user(struct parser *p, const struct key *k, const char *v)
{
	return parse_account(p, k, v, "user", p->cfg->gateway.user);
}

/* IPV4:PORT or [IPV6]:PORT, numeric, into a listening address; 0 or -1 after fail(). */
static int parse_listen(struct parser *p, const struct key *k, const char *v, struct config_listen *out)
{
	const char *host, *port;
	size_t hostlen;
	int family;
	uint32_t n;
	char addr[sizeof(out->host)];

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || close[1] != ':')
			goto bad;
		host = v + 1;
		hostlen = (size_t)(close - host);
		port = close + 2;
		family = AF_INET6;
	} else {
		const char *colon = strrchr(v, ':');

		if (!colon)
			goto bad;
		if (memchr(v, ':', (size_t)(colon - v))) {
			fail(p, p->line, p->label, k->name,
			     "expected an IPv6 address in brackets, [ADDRESS]:PORT (e.g. [fd00::1]:8080), "
			     "got %s",
			     quote(p, v));
			return -1;
		}
		host = v;
		hostlen = (size_t)(colon - v);
		port = colon + 1;
		family = AF_INET;
	}
	if (hostlen == 0 || hostlen >= sizeof(addr))
		goto bad;
	memcpy(addr, host, hostlen);
	addr[hostlen] = '\0';
	memset(&out->addr, 0, sizeof(out->addr));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr;

		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			goto bad;
		sin->sin_family = AF_INET;
		out->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->addr;

		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		out->addrlen = sizeof(*sin6);
	}
	if (!parse_u32(port, false, &n) || n < 1 || n > 65535) {
		fail(p, p->line, p->label, k->name,
		     "expected a port from 1 to 65535 after the address, got %s", quote(p, v));
		return -1;
	}
	if (family == AF_INET)
		((struct sockaddr_in *)&out->addr)->sin_port = htons((uint16_t)n);
	else
		((struct sockaddr_in6 *)&out->addr)->sin6_port = htons((uint16_t)n);
	memcpy(out->host, addr, hostlen + 1);
	out->port = (uint16_t)n;
	return 0;
bad:
	fail(p, p->line, p->label, k->name,
	     "expected a numeric IPV4:PORT or [IPV6]:PORT (e.g. 10.0.0.1:8080), got %s", quote(p, v));
	return -1;
}

static int parse_portal(struct parser *p, const struct key *k, const char *v)
{
	return parse_listen(p, k, v, &p->cfg->gateway.portal);
}

static int parse_portal_tls_port(struct parser *p, const struct key *k, const char *v)
{
	uint32_t n;

	if (parse_range(p, k, v, 1, 65535, &n) < 0)
		return -1;
	p->cfg->gateway.portal_tls_port = (uint16_t)n;
	return 0;
}

static int parse_tls_cert(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.tls_cert, sizeof(p->cfg->gateway.tls_cert));
}

static int parse_tls_key(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.tls_key, sizeof(p->cfg->gateway.tls_key));
}

static int parse_tls_dir(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.tls_dir, sizeof(p->cfg->gateway.tls_dir));
}

static int parse_portal_dir(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.portal_dir, sizeof(p->cfg->gateway.portal_dir));
}

static int parse_venue_url(struct parser *p, const struct key *k, const char *v)
{
	size_t n = strlen(v);

	if ((strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) || has_control_chars(v) ||
	    strchr(v, ' ') || strchr(v, '"') || n >= sizeof(p->cfg->gateway.venue_url)) {
		fail(p, p->line, p->label, k->name,
		     "expected an http:// or https:// URL of at most %zu characters without spaces or "
		     "quotes, got %s",
		     sizeof(p->cfg->gateway.venue_url) - 1, quote(p, v));
		return -1;
	}
	memcpy(p->cfg->gateway.venue_url, v, n + 1);
	return 0;
}

static int parse_components_dir(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->gateway.components_dir, sizeof(p->cfg->gateway.components_dir));
}

static int parse_dns_port(struct parser *p, const struct key *k, const char *v)
{
	uint32_t n;

	if (parse_range(p, k, v, 1, 65535, &n) < 0)
		return -1;
	p->cfg->gateway.dns_port = (uint16_t)n;
	return 0;
}

static int parse_forget_after(struct parser *p, const struct key *k, const char *v)
{
	uint32_t n;

	if (parse_range(p, k, v, 0, 604800, &n) < 0)
		return -1;
	/* Below 10 s a guest between two clicks of the portal would be forgotten. */
	if (n && n < 10) {
		fail(p, p->line, p->label, k->name, "expected 0 (never) or 10 to 604800 seconds, got %s",
		     quote(p, v));
		return -1;
	}
	p->cfg->gateway.forget_after = n;
	return 0;
}

static int parse_sweep_interval(struct parser *p, const struct key *k, const char *v)
{
	uint32_t n;

	if (parse_range(p, k, v, 5, 300, &n) < 0)
		return -1;
	p->cfg->gateway.sweep_interval = n;
	return 0;
}

static int parse_mark(struct parser *p, const struct key *k, const char *v)
{
	const char *slash = strchr(v, '/');
	uint32_t value, mask;
	char buf[16];

	if (!slash || (size_t)(slash - v) >= sizeof(buf))
		goto bad;
	memcpy(buf, v, (size_t)(slash - v));
	buf[slash - v] = '\0';
	if (!parse_u32(buf, true, &value) || !parse_u32(slash + 1, true, &mask))
		goto bad;
	if (mask == 0) {
		fail(p, p->line, p->label, k->name, "the mask is zero; expected a non-zero MASK, got %s",
		     quote(p, v));
		return -1;
	}
	if (value & ~mask) {
		fail(p, p->line, p->label, k->name,
		     "value 0x%x has bits outside mask 0x%x; expected a VALUE within MASK", value, mask);
		return -1;
	}
	if (value == 0) {
		fail(p, p->line, p->label, k->name,
		     "the value is zero, which every unmarked packet has; expected a non-zero VALUE within "
		     "MASK, got %s",
		     quote(p, v));
		return -1;
	}
	p->cfg->gateway.mark = value;
	p->cfg->gateway.mark_mask = mask;
	return 0;
bad:
	fail(p, p->line, p->label, k->name,
	     "expected VALUE/MASK, two 32-bit numbers in decimal or 0x-hex (e.g. 0x800000/0x800000), got %s",
	     quote(p, v));
	return -1;
}

static int parse_upstream(struct parser *p, const struct key *k, const char *v)
{
	const char *problem = ifname_problem(v);
	bool found;
	size_t i;

	if (problem) {
		fail(p, p->line, p->label, k->name, "interface name %s %s; " IFNAME_EXPECTED, quote(p, v),
		     problem);
		return -1;
	}
	i = port_slot(p, v, &found);
	if (found) {
		fail(p, p->line, p->label, k->name,
		     "%s is also an access port ([port %s], line %u); the upstream interface may not be one",
		     v, v, p->cfg->ports[p->order[i]].line);
		return -1;
	}
	memcpy(p->cfg->gateway.upstream, v, strlen(v) + 1);
	return 0;
}

/* --- [keepalive] */

static int parse_ka_port(struct parser *p, const struct key *k, const char *v)
{
	uint32_t n;

	if (parse_range(p, k, v, 1, 65535, &n) < 0)
		return -1;
	p->cfg->keepalive.port = (uint16_t)n;
	return 0;
}

static int parse_secret_file(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->keepalive.secret_file, sizeof(p->cfg->keepalive.secret_file));
}

static int parse_interval(struct parser *p, const struct key *k, const char *v)
{
	return parse_range(p, k, v, 5, 3600, &p->cfg->keepalive.interval);
}

static int parse_misses(struct parser *p, const struct key *k, const char *v)
{
	return parse_range(p, k, v, 1, 100, &p->cfg->keepalive.misses);
}

/* --- [billing] */

static int parse_provisional_after(struct parser *p, const struct key *k, const char *v)
{
	return parse_range(p, k, v, 1, 120, &p->cfg->billing.provisional_after);
}

static int parse_provisional_minutes(struct parser *p, const struct key *k, const char *v)
{
	return parse_range(p, k, v, 1, 240, &p->cfg->billing.provisional_minutes);
}

static int parse_provisional_bytes(struct parser *p, const struct key *k, const char *v)
{
	uint32_t mb;

	/* In MB: a byte count this size is easier to read and write in millions. */
	if (parse_range(p, k, v, 1, 100000, &mb))
		return -1;
	p->cfg->billing.provisional_bytes = (uint64_t)mb * 1000000;
	return 0;
}

/* --- [radius] */

/* host, [v6]:port or host:port; host a name or a numeric address. */
static int parse_server(struct parser *p, const struct key *k, const char *v, char *host, size_t hostlen,
			uint16_t *port)
{
	const char *colon, *h = v, *end;
	size_t n;
	uint32_t num = 0;

	if (v[0] == '[') {
		end = strchr(v, ']');
		h = v + 1;
		colon = end && end[1] == ':' ? end + 1 : NULL;
		if (!end || (end[1] && !colon))
			goto bad;
	} else {
		colon = strchr(v, ':');
		end = colon ? colon : v + strlen(v);
		for (const char *c = v; c < end; c++)
			if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-')
				goto bad;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostlen || (colon && (!parse_u32(colon + 1, false, &num) || !num || num > 65535)))
		goto bad;
	memcpy(host, h, n);
	host[n] = '\0';
	if (colon)
		*port = (uint16_t)num;
	return 0;
bad:
	fail(p, p->line, p->label, k->name,
	     "expected HOST, HOST:PORT or [IPV6]:PORT (a name or a numeric address), got %s", quote(p, v));
	return -1;
}

static int parse_radius_server(struct parser *p, const struct key *k, const char *v)
{
	return parse_server(p, k, v, p->cfg->radius.host, sizeof(p->cfg->radius.host), &p->cfg->radius.port);
}

static int parse_radius_acct_server(struct parser *p, const struct key *k, const char *v)
{
	return parse_server(p, k, v, p->cfg->radius.acct_host, sizeof(p->cfg->radius.acct_host),
			    &p->cfg->radius.acct_port);
}

static int parse_radius_secret_file(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->radius.secret_file, sizeof(p->cfg->radius.secret_file));
}

static int parse_nas_identifier(struct parser *p, const struct key *k, const char *v)
{
	size_t n = strlen(v);

	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
			n = 0;
	if (n == 0 || n >= sizeof(p->cfg->radius.nas_identifier)) {
		fail(p, p->line, p->label, k->name,
		     "expected 1 to %zu printable ASCII characters without spaces, got %s",
		     sizeof(p->cfg->radius.nas_identifier) - 1, quote(p, v));
		return -1;
	}
	memcpy(p->cfg->radius.nas_identifier, v, n + 1);
	return 0;
}

static int parse_radius_timeout(struct parser *p, const struct key *k, const char *v)
{
	return parse_range(p, k, v, 1, 60, &p->cfg->radius.timeout);
}

static int parse_radius_retries(struct parser *p, const struct key *k, const char *v)
{
	return parse_range(p, k, v, 0, 10, &p->cfg->radius.retries);
}

static int parse_radius_dictionary(struct parser *p, const struct key *k, const char *v)
{
	return parse_path(p, k, v, p->cfg->radius.dictionary, sizeof(p->cfg->radius.dictionary));
}

static int parse_interim(struct parser *p, const struct key *k, const char *v)
{
	if (parse_range(p, k, v, 0, 86400, &p->cfg->radius.interim))
		return -1;
	if (p->cfg->radius.interim && p->cfg->radius.interim < 60) {
		fail(p, p->line, p->label, k->name, "expected 0 (none) or 60 to 86400 seconds, got %s",
		     quote(p, v));
		return -1;
	}
	return 0;
}

/* --- [port IFNAME] */

static const char *const mode_names[] = {
	[WICKET_PORT_CHARGE] = "charge",
	[WICKET_PORT_FREE] = "free",
	[WICKET_PORT_BLOCKED] = "blocked",
};

const char *config_port_mode_name(uint8_t mode)
{
	if (mode < sizeof(mode_names) / sizeof(mode_names[0]) && mode_names[mode])
		return mode_names[mode];
	return "?";
}

static int parse_mode(struct parser *p, const struct key *k, const char *v)
{
	uint8_t m;

	for (m = 1; m <= WICKET_PORT_MODE_MAX; m++) {
		if (!strcmp(v, mode_names[m])) {
			p->cfg->ports[p->port].mode = m;
			return 0;
		}
	}
	fail(p, p->line, p->label, k->name, "expected charge, free or blocked, got %s", quote(p, v));
	return -1;
}

/* Valid UTF-8 (shortest forms, no surrogates) without control characters. */
static bool printable_utf8(const char *s)
{
	static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		uint32_t c;
		int n, i;

		if (*u < 0x80) {
			if (*u < 0x20 || *u == 0x7f)
				return false;
			u++;
			continue;
		}
		if ((*u & 0xe0) == 0xc0) {
			c = *u & 0x1f;
			n = 1;
		} else if ((*u & 0xf0) == 0xe0) {
			c = *u & 0x0f;
			n = 2;
		} else if ((*u & 0xf8) == 0xf0) {
			c = *u & 0x07;
			n = 3;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (u[i] & 0x3f);
		}
		if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c < 0xa0))
			return false;
		u += n + 1;
	}
	return true;
}

static int parse_metrics_listen(struct parser *p, const struct key *k, const char *v)
{
	p->cfg->metrics.enabled = strcmp(v, "off") != 0;
	return p->cfg->metrics.enabled ? parse_listen(p, k, v, &p->cfg->metrics.listen) : 0;
}

/* ADDRESS or ADDRESS/LEN into out; the bits past LEN must be 0. */
static bool parse_prefix(const char *s, struct config_prefix *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t len;
	unsigned int max;

	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	len = max;
	if (slash && (!parse_u32(slash + 1, false, &len) || len > max))
		return false;
	out->len = (uint8_t)len;
	for (unsigned int bit = len; bit < max; bit++)
		if (out->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static int parse_metrics_allow(struct parser *p, const struct key *k, const char *v)
{
	char copy[256], *save = NULL, *tok;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", v);
	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (n == CONFIG_MAX_ALLOW) {
			fail(p, p->line, p->label, k->name, "expected at most %d addresses or prefixes",
			     CONFIG_MAX_ALLOW);
			return -1;
		}
		if (!parse_prefix(tok, &p->cfg->metrics.allow[n])) {
			fail(p, p->line, p->label, k->name,
			     "expected ADDRESS or ADDRESS/LEN with no bits set past LEN (e.g. 10.9.0.0/24), "
			     "got %s",
			     quote(p, tok));
			return -1;
		}
		n++;
	}
	if (n == 0) {
		fail(p, p->line, p->label, k->name, "expected at least one address or prefix");
		return -1;
	}
	p->cfg->metrics.nallow = n;
	return 0;
}

static int parse_room(struct parser *p, const struct key *k, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= CONFIG_ROOM_MAX) {
		fail(p, p->line, p->label, k->name, "expected a label of 1 to %d bytes, got %zu bytes",
		     CONFIG_ROOM_MAX - 1, n);
		return -1;
	}
	if (!printable_utf8(v)) {
		fail(p, p->line, p->label, k->name, "expected printable UTF-8 text, got %s", quote(p, v));
		return -1;
	}
	memcpy(p->cfg->ports[p->port].room, v, n + 1);
	return 0;
}

static const struct key keys[K_COUNT] = {
	[K_STORE] = { SECT_GATEWAY, "store", false, NULL, parse_store },
	[K_CONTROL_SOCKET] = { SECT_GATEWAY, "control_socket", false, NULL, parse_control_socket },
	[K_STAFF_GROUP] = { SECT_GATEWAY, "staff_group", false, NULL, parse_staff_group },
	[K_PORTAL] = { SECT_GATEWAY, "portal", true,
		       "the address:port where the portal listens, e.g. 10.0.0.1:8080", parse_portal },
	[K_DNS_PORT] = { SECT_GATEWAY, "dns_port", false, NULL, parse_dns_port },
	[K_FORGET_AFTER] = { SECT_GATEWAY, "forget_after", false, NULL, parse_forget_after },
	[K_SWEEP_INTERVAL] = { SECT_GATEWAY, "sweep_interval", false, NULL, parse_sweep_interval },
	[K_PORTAL_TLS_PORT] = { SECT_GATEWAY, "portal_tls_port", false, NULL, parse_portal_tls_port },
	[K_TLS_CERT] = { SECT_GATEWAY, "tls_cert", false, NULL, parse_tls_cert },
	[K_TLS_KEY] = { SECT_GATEWAY, "tls_key", false, NULL, parse_tls_key },
	[K_TLS_DIR] = { SECT_GATEWAY, "tls_dir", false, NULL, parse_tls_dir },
	[K_PORTAL_DIR] = { SECT_GATEWAY, "portal_dir", false, NULL, parse_portal_dir },
	[K_VENUE_URL] = { SECT_GATEWAY, "venue_url", false, NULL, parse_venue_url },
	[K_COMPONENTS_DIR] = { SECT_GATEWAY, "components_dir", false, NULL, parse_components_dir },
	[K_USER] = { SECT_GATEWAY, "user", false, NULL, parse_user },
	[K_MARK] = { SECT_GATEWAY, "mark", false, NULL, parse_mark },
	[K_UPSTREAM] = { SECT_GATEWAY, "upstream", true, "the name of the upstream (WAN) interface",
			 parse_upstream },
	[K_KA_PORT] = { SECT_KEEPALIVE, "port", false, NULL, parse_ka_port },
	[K_SECRET_FILE] = { SECT_KEEPALIVE, "secret_file", true,
			    "the absolute path of the file holding the keepalive key", parse_secret_file },
	[K_INTERVAL] = { SECT_KEEPALIVE, "interval", false, NULL, parse_interval },
	[K_MISSES] = { SECT_KEEPALIVE, "misses", false, NULL, parse_misses },
	[K_PROVISIONAL_AFTER] = { SECT_BILLING, "provisional_after", false, NULL, parse_provisional_after },
	[K_PROVISIONAL_MINUTES] = { SECT_BILLING, "provisional_minutes", false, NULL,
				    parse_provisional_minutes },
	[K_PROVISIONAL_BYTES] = { SECT_BILLING, "provisional_mb", false, NULL, parse_provisional_bytes },
	[K_RADIUS_SERVER] = { SECT_RADIUS, "server", true, "the RADIUS server, HOST or HOST:PORT",
			      parse_radius_server },
	[K_RADIUS_ACCT_SERVER] = { SECT_RADIUS, "accounting_server", false, NULL, parse_radius_acct_server },
	[K_RADIUS_SECRET_FILE] = { SECT_RADIUS, "secret_file", true,
				   "the absolute path of the file holding the RADIUS shared secret",
				   parse_radius_secret_file },
	[K_NAS_IDENTIFIER] = { SECT_RADIUS, "nas_identifier", false, NULL, parse_nas_identifier },
	[K_RADIUS_TIMEOUT] = { SECT_RADIUS, "timeout", false, NULL, parse_radius_timeout },
	[K_RADIUS_RETRIES] = { SECT_RADIUS, "retries", false, NULL, parse_radius_retries },
	[K_INTERIM] = { SECT_RADIUS, "interim", false, NULL, parse_interim },
	[K_RADIUS_DICTIONARY] = { SECT_RADIUS, "dictionary", false, NULL, parse_radius_dictionary },
	[K_METRICS_LISTEN] = { SECT_METRICS, "listen", false, NULL, parse_metrics_listen },
	[K_METRICS_ALLOW] = { SECT_METRICS, "allow", false, NULL, parse_metrics_allow },
	[K_MODE] = { SECT_PORT, "mode", false, NULL, parse_mode },
	[K_ROOM] = { SECT_PORT, "room", false, NULL, parse_room },
};

/* "a, b or c": the keys of a section, for an unknown key's message. */
static void section_keys(enum section s, char *buf, size_t size)
{
	size_t n = 0, total = 0, i, seen = 0;

	for (i = 0; i < K_COUNT; i++)
		total += keys[i].section == s;
	buf[0] = '\0';
	for (i = 0; i < K_COUNT && n < size; i++) {
		if (keys[i].section != s)
			continue;
		seen++;
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      seen == 1       ? ""
				      : seen == total ? " or "
						      : ", ",
				      keys[i].name);
	}
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	char expected[320];
	size_t i;

	(void)section; /* ours, from the reader, is the one we trust */
	if (p->failed)
		return 1;
	if (!*name) {
		fail(p, p->line, p->section == SECT_NONE ? NULL : p->label, NULL,
		     "expected a key name before '='");
		return 0;
	}
	if (p->section == SECT_NONE) {
		fail(p, p->line, NULL, name, "key outside any section; " SECTIONS_EXPECTED);
		return 0;
	}
	for (i = 0; i < K_COUNT; i++)
		if (keys[i].section == p->section && !strcmp(keys[i].name, name))
			break;
	if (i == K_COUNT) {
		section_keys(p->section, expected, sizeof(expected));
		fail(p, p->line, p->label, name, "unknown key; expected %s", expected);
		return 0;
	}
	if (p->key_line[i]) {
		fail(p, p->line, p->label, name, "duplicated key, first set on line %u", p->key_line[i]);
		return 0;
	}
	p->key_line[i] = p->line;
	return keys[i].parse(p, &keys[i], value) < 0 ? 0 : 1;
}

static int add_port(struct parser *p, const char *ifname)
{
	struct wicket_config *cfg = p->cfg;
	const char *problem = ifname_problem(ifname);
	struct wicket_config_port *port;
	bool found;
	size_t slot;

	if (problem) {
		fail(p, p->line, NULL, NULL, "[port IFNAME]: interface name %s %s; " IFNAME_EXPECTED,
		     quote(p, ifname), problem);
		return -1;
	}
	slot = port_slot(p, ifname, &found);
	if (found) {
		fail(p, p->line, NULL, NULL, "[port %s]: duplicated port, first on line %u", ifname,
		     cfg->ports[p->order[slot]].line);
		return -1;
	}
	if (p->key_line[K_UPSTREAM] && !strcmp(ifname, cfg->gateway.upstream)) {
		fail(p, p->line, NULL, NULL,
		     "[port %s]: %s is the upstream interface ([gateway] upstream, line %u); an access port "
		     "must be on the guests' side",
		     ifname, ifname, p->key_line[K_UPSTREAM]);
		return -1;
	}
	if (cfg->nports == CONFIG_MAX_PORTS) {
		fail(p, p->line, NULL, NULL,
		     "[port %s]: too many ports; expected at most %d [port ...] sections", ifname,
		     CONFIG_MAX_PORTS);
		return -1;
	}
	if (cfg->nports == p->ports_size) {
		size_t size = p->ports_size ? 2 * p->ports_size : 16;
		struct wicket_config_port *ports = realloc(cfg->ports, size * sizeof(*ports));
		size_t *order;

		if (!ports) {
			fail_nomem(p);
			return -1;
		}
		cfg->ports = ports;
		order = realloc(p->order, size * sizeof(*order));
		if (!order) {
			fail_nomem(p);
			return -1;
		}
		p->order = order;
		p->ports_size = size;
	}
	port = &cfg->ports[cfg->nports];
	memset(port, 0, sizeof(*port));
	memcpy(port->ifname, ifname, strlen(ifname) + 1);
	port->mode = WICKET_PORT_CHARGE;
	port->line = p->line;
	memmove(&p->order[slot + 1], &p->order[slot], (cfg->nports - slot) * sizeof(*p->order));
	p->order[slot] = cfg->nports;
	p->port = cfg->nports++;
	p->key_line[K_MODE] = 0;
	p->key_line[K_ROOM] = 0;
	p->section = SECT_PORT;
	snprintf(p->label, sizeof(p->label), "[port %s]", port->ifname);
	return 0;
}

/* A "[...]" line (trimmed), which inih sees next and must see unchanged. */
static int begin_section(struct parser *p, const char *line)
{
	const char *start = line + 1, *end, *rest;
	char buf[64], *name;
	size_t n;

	/* Like inih: the name ends at ']' or at a ';' comment after whitespace. */
	for (end = start; *end && *end != ']'; end++)
		if (*end == ';' && end > start && isspace((unsigned char)end[-1]))
			break;
	if (*end != ']') {
		fail(p, p->line, NULL, NULL, "expected ']' at the end of the section name, got %s",
		     quote(p, line));
		return -1;
	}
	for (rest = end + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';' && *rest != '#') {
		fail(p, p->line, NULL, NULL, "expected nothing but a comment after ']', got %s",
		     quote(p, rest));
		return -1;
	}
	while (isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - start);
	if (n >= sizeof(buf)) {
		fail(p, p->line, NULL, NULL, "unknown section %s; " SECTIONS_EXPECTED, quote(p, line));
		return -1;
	}
	memcpy(buf, start, n);
	buf[n] = '\0';
	name = buf;

	for (int sect = 0; sect < SECT_COUNT; sect++) {
		if (!sections[sect].name || strcmp(name, sections[sect].name))
			continue;
		if (p->section_line[sect]) {
			fail(p, p->line, NULL, NULL, "[%s]: duplicated section, first on line %u", name,
			     p->section_line[sect]);
			return -1;
		}
		p->section_line[sect] = p->line;
		p->section = (enum section)sect;
		snprintf(p->label, sizeof(p->label), "[%s]", sections[sect].name);
		return 0;
	}
	if (!strncmp(name, "port", 4) && (name[4] == '\0' || isspace((unsigned char)name[4]))) {
		name += 4;
		while (isspace((unsigned char)*name))
			name++;
		return add_port(p, name);
	}
	fail(p, p->line, NULL, NULL, "unknown section %s; " SECTIONS_EXPECTED, quote(p, name));
	return -1;
}

/* inih's fgets: one line per call, trimmed, counted, sections handled. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *s, *nl;
	size_t n;

	if (p->failed || p->pos >= p->len)
		return NULL;
	s = p->text + p->pos;
	nl = memchr(s, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - s) : p->len - p->pos;
	p->pos += n + (nl ? 1 : 0);
	p->line++;
	if (p->line == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		n -= 3;
	}
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (memchr(s, '\0', n)) {
		fail(p, p->line, NULL, NULL, "expected text, got a NUL byte");
		return NULL;
	}
	if (num <= 0 || n >= (size_t)num) {
		fail(p, p->line, NULL, NULL, "line too long: %zu characters, expected at most %d", n,
		     num - 1);
		return NULL;
	}
	memcpy(str, s, n);
	str[n] = '\0';
	if (str[0] == '[' && begin_section(p, str) < 0)
		return NULL;
	return str;
}

/* The trimmed text of a line, for inih's syntax errors. */
static void line_text(const struct parser *p, unsigned int line, char *buf, size_t size)
{
	const char *s = p->text, *end = p->text + p->len, *nl;
	size_t n;

	while (--line && (nl = memchr(s, '\n', (size_t)(end - s))))
		s = nl + 1;
	nl = memchr(s, '\n', (size_t)(end - s));
	n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void check_required(struct parser *p)
{
	size_t i;

	for (i = 0; i < K_COUNT && !p->failed; i++) {
		const struct key *k = &keys[i];
		unsigned int sline = p->section_line[k->section];
		char label[32];

		snprintf(label, sizeof(label), "[%s]", sections[k->section].name);
		if (!k->required || p->key_line[i] || (sections[k->section].optional && !sline))
			continue;
		if (sline)
			fail(p, sline, label, k->name, "required key is missing; expected %s", k->expect);
		else
			fail(p, 0, label, k->name,
			     "required key is missing (there is no %s section); expected %s", label,
			     k->expect);
	}
	if (!p->failed && !p->cfg->gateway.tls_cert[0] != !p->cfg->gateway.tls_key[0])
		fail(p, p->key_line[p->cfg->gateway.tls_cert[0] ? K_TLS_CERT : K_TLS_KEY], "[gateway]",
		     p->cfg->gateway.tls_cert[0] ? "tls_cert" : "tls_key",
		     "give tls_cert and tls_key together, or neither (a pair is then made in tls_dir)");
	if (!p->failed && p->cfg->gateway.portal_tls_port == p->cfg->gateway.portal.port)
		fail(p,
		     p->key_line[K_PORTAL_TLS_PORT] ? p->key_line[K_PORTAL_TLS_PORT] : p->key_line[K_PORTAL],
		     "[gateway]", "portal_tls_port", "must differ from the portal's plain HTTP port %u",
		     p->cfg->gateway.portal.port);
	if (!p->failed && p->cfg->nports == 0)
		fail(p, 0, NULL, NULL, "no [port IFNAME] section; expected at least one access port");
}

/* The metrics endpoint on 127.0.0.1:9188, for the loopback addresses only. */
static void set_metrics_defaults(struct wicket_config *cfg)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&cfg->metrics.listen.addr;

	cfg->metrics.enabled = 1;
	strcpy(cfg->metrics.listen.host, "127.0.0.1");
	cfg->metrics.listen.port = 9188;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(9188);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfg->metrics.listen.addrlen = sizeof(*sin);
	cfg->metrics.allow[0] = (struct config_prefix){ .family = AF_INET, .addr = { 127 }, .len = 8 };
	cfg->metrics.allow[1] =
		(struct config_prefix){ .family = AF_INET6, .addr = { [15] = 1 }, .len = 128 };
	cfg->metrics.nallow = 2;
}

static void set_defaults(struct wicket_config *cfg)
{
	strcpy(cfg->gateway.store, "/var/lib/wicket/wicket.db");
	strcpy(cfg->gateway.control_socket, "/run/wicket/control.sock");
	strcpy(cfg->gateway.staff_group, "wicket");
	cfg->gateway.dns_port = 53;
	cfg->gateway.forget_after = 600;
	cfg->gateway.sweep_interval = 30;
	cfg->gateway.portal_tls_port = 8443;
	strcpy(cfg->gateway.tls_dir, "/var/lib/wicket/tls");
	strcpy(cfg->gateway.portal_dir, "/usr/share/wicket/portal");
	cfg->gateway.mark = 0x800000;
	cfg->gateway.mark_mask = 0x800000;
	cfg->keepalive.port = 4444;
	cfg->keepalive.interval = 30;
	cfg->keepalive.misses = 3;
	cfg->billing.provisional_after = 5;
	cfg->billing.provisional_minutes = 10;
	cfg->billing.provisional_bytes = 50 * 1000000ULL;
	cfg->radius.port = 1812;
	cfg->radius.acct_port = 1813;
	cfg->radius.timeout = 3;
	cfg->radius.retries = 2;
	cfg->radius.interim = 300;
	strcpy(cfg->radius.dictionary, "/usr/share/wicket/radius/dictionary.radcli");
	set_metrics_defaults(cfg);
}

static int parse(const char *text, size_t len, const char *name, struct wicket_config **out, char *err,
		 size_t errlen)
{
	struct parser p = { .name = name, .text = text, .len = len, .err = err, .errlen = errlen };
	int ret;

	if (err && errlen)
		err[0] = '\0';
	p.cfg = calloc(1, sizeof(*p.cfg));
	if (!p.cfg) {
		fail_nomem(&p);
		return p.rc;
	}
	set_defaults(p.cfg);
	ret = ini_parse_stream(reader, &p, handler, &p);
	if (ret == -2) {
		p.failed = false;
		fail_nomem(&p);
	} else if (ret > 0 && (!p.failed || (unsigned int)ret < p.error_line)) {
		/* inih's own syntax error, on a line before ours */
		char text_line[256];

		line_text(&p, (unsigned int)ret, text_line, sizeof(text_line));
		p.failed = false;
		fail(&p, (unsigned int)ret, NULL, NULL,
		     "expected \"key = value\", \"[section]\" or a comment, got %s", quote(&p, text_line));
	}
	if (!p.failed)
		check_required(&p);
	if (!p.failed && p.cfg->nports) {
		/* The ports in ifname order, for config_port(). */
		struct wicket_config_port *sorted = malloc(p.cfg->nports * sizeof(*sorted));
		size_t i;

		if (!sorted) {
			fail_nomem(&p);
		} else {
			for (i = 0; i < p.cfg->nports; i++)
				sorted[i] = p.cfg->ports[p.order[i]];
			free(p.cfg->ports);
			p.cfg->ports = sorted;
		}
	}
	free(p.order);
	if (p.failed) {
		config_free(p.cfg);
		return p.rc;
	}
	*out = p.cfg;
	return 0;
}

int config_load_string(const char *text, const char *name, struct wicket_config **out, char *err,
		       size_t errlen)
{
	return parse(text, strlen(text), name, out, err, errlen);
}

int config_load_file(const char *path, struct wicket_config **out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, size = 0;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	for (;;) {
		size_t n;

		if (size - len < 4096) {
			char *more = realloc(buf, size ? 2 * size : 65536);

			if (!more) {
				rc = -ENOMEM;
				if (err && errlen)
					snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			buf = more;
			size = size ? 2 * size : 65536;
		}
		errno = 0;
		n = fread(buf + len, 1, size - len, f);
		len += n;
		if (len > CONFIG_FILE_MAX) {
			rc = -EFBIG;
			if (err && errlen)
				snprintf(err, errlen, "%s: too big; expected at most %d MiB", path,
					 CONFIG_FILE_MAX >> 20);
			goto out;
		}
		if (n == 0) {
			if (ferror(f)) {
				rc = errno ? -errno : -EIO;
				if (err && errlen)
					snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
				goto out;
			}
			break;
		}
	}
	rc = parse(buf, len, path, out, err, errlen);
out:
	free(buf);
	fclose(f);
	return rc;
}

int config_keep_radius(const struct wicket_config *running, struct wicket_config *cfg)
{
	const typeof(cfg->radius) *a = &running->radius, *b = &cfg->radius;
	unsigned int interim = b->interim;
	int changed = strcmp(a->host, b->host) || a->port != b->port || strcmp(a->acct_host, b->acct_host) ||
		      a->acct_port != b->acct_port || strcmp(a->secret_file, b->secret_file) ||
		      strcmp(a->nas_identifier, b->nas_identifier) || a->timeout != b->timeout ||
		      a->retries != b->retries || strcmp(a->dictionary, b->dictionary);

	cfg->radius = running->radius;
	cfg->radius.interim = interim;
	return changed;
}

void config_free(struct wicket_config *config)
{
	if (!config)
		return;
	free(config->ports);
	free(config);
}

const struct wicket_config_port *config_port(const struct wicket_config *config, const char *ifname)
{
	size_t lo = 0, hi = config->nports;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ifname, config->ports[mid].ifname);

		if (c == 0)
			return &config->ports[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
