/*
 * RADIUS client: see radius.h for the API and why the exchange is ours.
 *
 * A call builds its attributes as a radcli list (rc_avpair_add, typed by
 * the dictionary), packs them into one datagram (RFC 2865 section 3 and 5,
 * RFC 2866 section 3 and 5), sends it on its own connected UDP socket and
 * waits for an answer that proves the shared secret, sending the same
 * datagram again after each timeout. The answer's attributes are decoded
 * by radcli (rc_avpair_gen) once the answer has been checked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <radcli/radcli.h>

#include "radius.h"

#define PACKET_MAX 4096 /* RFC 2865 section 3 */
#define HDR_LEN 20
#define AUTH_LEN 16
#define PASSWORD_MAX 128 /* RFC 2865 section 5.2 */
#define VSA_VALUE_MAX (255 - 2 - 4 - 2)

#define CODE_ACCESS_REQUEST 1
#define CODE_ACCESS_ACCEPT 2
#define CODE_ACCESS_REJECT 3
#define CODE_ACCOUNTING_REQUEST 4
#define CODE_ACCOUNTING_RESPONSE 5
#define CODE_ACCESS_CHALLENGE 11

#define ATTR_VENDOR_SPECIFIC 26
#define ATTR_MESSAGE_AUTHENTICATOR 80
#define NAS_PORT_TYPE_ETHERNET 15

/* wicket's vendor attributes, looked up by name in the dictionary. */
enum wicket_attr { W_CHARGE, W_CURRENCY, W_PLAN, W_ROOM, W_PRICE, W_COUNT };

static const struct {
	const char *name;
	rc_attr_type type;
} wicket_attrs[W_COUNT] = {
	[W_CHARGE] = { "Wicket-Charge", PW_TYPE_INTEGER },
	[W_CURRENCY] = { "Wicket-Currency", PW_TYPE_STRING },
	[W_PLAN] = { "Wicket-Plan", PW_TYPE_STRING },
	[W_ROOM] = { "Wicket-Room", PW_TYPE_STRING },
	[W_PRICE] = { "Wicket-Price", PW_TYPE_INTEGER },
};

/* The standard attributes this file sends or reads, which the dictionary must define. */
static const struct {
	uint32_t attr;
	rc_attr_type type;
} standard_attrs[] = {
	{ PW_USER_NAME, PW_TYPE_STRING },
	{ PW_USER_PASSWORD, PW_TYPE_STRING },
	{ PW_NAS_IP_ADDRESS, PW_TYPE_IPADDR },
	{ PW_REPLY_MESSAGE, PW_TYPE_STRING },
	{ PW_CLASS, PW_TYPE_STRING },
	{ PW_SESSION_TIMEOUT, PW_TYPE_INTEGER },
	{ PW_CALLING_STATION_ID, PW_TYPE_STRING },
	{ PW_NAS_IDENTIFIER, PW_TYPE_STRING },
	{ PW_ACCT_STATUS_TYPE, PW_TYPE_INTEGER },
	{ PW_ACCT_DELAY_TIME, PW_TYPE_INTEGER },
	{ PW_ACCT_INPUT_OCTETS, PW_TYPE_INTEGER },
	{ PW_ACCT_OUTPUT_OCTETS, PW_TYPE_INTEGER },
	{ PW_ACCT_SESSION_ID, PW_TYPE_STRING },
	{ PW_ACCT_SESSION_TIME, PW_TYPE_INTEGER },
	{ PW_ACCT_INPUT_PACKETS, PW_TYPE_INTEGER },
	{ PW_ACCT_OUTPUT_PACKETS, PW_TYPE_INTEGER },
	{ PW_ACCT_TERMINATE_CAUSE, PW_TYPE_INTEGER },
	{ PW_ACCT_INPUT_GIGAWORDS, PW_TYPE_INTEGER },
	{ PW_ACCT_OUTPUT_GIGAWORDS, PW_TYPE_INTEGER },
	{ PW_EVENT_TIMESTAMP, PW_TYPE_INTEGER },
	{ PW_NAS_PORT_TYPE, PW_TYPE_INTEGER },
	{ PW_NAS_PORT_ID_STRING, PW_TYPE_STRING },
	{ PW_NAS_IPV6_ADDRESS, PW_TYPE_IPV6ADDR },
};

struct endpoint {
	char host[256]; /* "": none */
	char port[8];
};

struct radius {
	rc_handle *rh; /* the dictionary; read only after radius_open() */
	struct endpoint auth, acct;
	unsigned char secret[RADIUS_SECRET_MAX];
	size_t secret_len;
	char nas_identifier[RADIUS_STRING_MAX + 1];
	int nas_ip_family; /* 0: not sent */
	unsigned char nas_ip[16];
	unsigned int timeout_ms, retries;
	uint32_t vendor;
	uint32_t wicket[W_COUNT]; /* attribute numbers within the vendor */
};

/* radcli's rc_new() counts handles in a global without a lock. */
static pthread_mutex_t radcli_lock = PTHREAD_MUTEX_INITIALIZER;

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static int64_t now_ms_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- crypto: MD5 (RFC 2865 authenticators) and HMAC-MD5 (RFC 3579 Message-Authenticator) */

static int md5(uint8_t out[AUTH_LEN], const struct iovec *v, int n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, v[i].iov_base, v[i].iov_len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) && len == AUTH_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

static int hmac_md5(const struct radius *r, const uint8_t *data, size_t len, uint8_t out[AUTH_LEN])
{
	unsigned int n = 0;

	if (!HMAC(EVP_md5(), r->secret, (int)r->secret_len, data, len, out, &n) || n != AUTH_LEN)
		return -EIO;
	return 0;
}

static int random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* --- opening */

static int set_server(struct endpoint *s, const char *host, uint16_t port, uint16_t default_port,
		      const char *what, char *err, size_t errlen)
{
	size_t n;

	if (empty(host))
		return 0;
	n = strlen(host);
	if (host[0] == '[' && host[n - 1] == ']') { /* [v6addr] */
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(s->host))
		return fail(err, errlen, -EINVAL, "%s server: expected a host name or address, got \"%.64s\"",
			    what, host);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)host[i] <= ' ' || (unsigned char)host[i] > '~' || host[i] == '[' ||
		    host[i] == ']')
			return fail(err, errlen, -EINVAL,
				    "%s server: \"%.64s\" is not a host name or address", what, host);
	memcpy(s->host, host, n);
	s->host[n] = '\0';
	snprintf(s->port, sizeof(s->port), "%u", port ? port : default_port);
	return 0;
}

static int set_secret(struct radius *r, const void *secret, size_t len, char *err, size_t errlen)
{
	const unsigned char *s = secret;

	if (!s)
		len = 0;
	if (len && s[len - 1] == '\n') {
		len--;
		if (len && s[len - 1] == '\r')
			len--;
	}
	if (len == 0)
		return fail(err, errlen, -EINVAL, "the shared secret is empty");
	if (len > RADIUS_SECRET_MAX)
		return fail(err, errlen, -EINVAL, "the shared secret is %zu bytes, more than %d", len,
			    RADIUS_SECRET_MAX);
	if (memchr(s, '\0', len) || memchr(s, '\n', len))
		return fail(err, errlen, -EINVAL,
			    "the shared secret holds a NUL or a newline, which no server configuration can");
	memcpy(r->secret, s, len);
	r->secret_len = len;
	return 0;
}

static int set_nas(struct radius *r, const struct radius_params *p, char *err, size_t errlen)
{
	size_t n = p->nas_identifier ? strlen(p->nas_identifier) : 0;

	if (n == 0 || n > RADIUS_STRING_MAX)
		return fail(err, errlen, -EINVAL, "NAS-Identifier: expected 1 to %d bytes",
			    RADIUS_STRING_MAX);
	memcpy(r->nas_identifier, p->nas_identifier, n + 1);
	if (empty(p->nas_ip))
		return 0;
	if (inet_pton(AF_INET, p->nas_ip, r->nas_ip) == 1)
		r->nas_ip_family = AF_INET;
	else if (inet_pton(AF_INET6, p->nas_ip, r->nas_ip) == 1)
		r->nas_ip_family = AF_INET6;
	else
		return fail(err, errlen, -EINVAL, "NAS IP: \"%.64s\" is not an IPv4 or IPv6 address",
			    p->nas_ip);
	return 0;
}

static const char *type_name(rc_attr_type t)
{
	switch (t) {
	case PW_TYPE_STRING:
		return "string";
	case PW_TYPE_INTEGER:
		return "integer";
	case PW_TYPE_IPADDR:
		return "ipaddr";
	case PW_TYPE_IPV6ADDR:
		return "ipv6addr";
	default:
		return "another type";
	}
}

/* The dictionary defines what this file sends, with the types it sends. */
static int check_dictionary(struct radius *r, const char *path, char *err, size_t errlen)
{
	DICT_VENDOR *v = rc_dict_findvend(r->rh, "Wicket");

	for (size_t i = 0; i < sizeof(standard_attrs) / sizeof(standard_attrs[0]); i++) {
		DICT_ATTR *a = rc_dict_getattr(r->rh, (int)standard_attrs[i].attr);

		if (!a || a->type != standard_attrs[i].type)
			return fail(
				err, errlen, -ENOENT,
				"dictionary %s: %s attribute %u (%s): include radcli's standard dictionary",
				path, a ? "wrong type for" : "no", standard_attrs[i].attr,
				type_name(standard_attrs[i].type));
	}
	if (!v)
		return fail(err, errlen, -ENOENT,
			    "dictionary %s: no VENDOR Wicket: include dictionary.wicket", path);
	/* radcli 1.2 keeps a vendor number in 16 bits (VENDOR(), ATTRID()). */
	if (v->vendorpec <= 0 || v->vendorpec > 0xffff)
		return fail(err, errlen, -EINVAL,
			    "dictionary %s: vendor Wicket is %d: radcli takes 1 to 65535", path,
			    v->vendorpec);
	r->vendor = (uint32_t)v->vendorpec;
	for (int i = 0; i < W_COUNT; i++) {
		DICT_ATTR *a = rc_dict_findattr(r->rh, wicket_attrs[i].name);

		if (!a || VENDOR((unsigned)a->value) != r->vendor || a->type != wicket_attrs[i].type)
			return fail(err, errlen, -ENOENT, "dictionary %s: %s: expected a Wicket %s attribute",
				    path, wicket_attrs[i].name, type_name(wicket_attrs[i].type));
		r->wicket[i] = ATTRID((unsigned)a->value);
	}
	return 0;
}

static int load_dictionary(struct radius *r, const char *path, char *err, size_t errlen)
{
	char *copy;
	FILE *f;
	int ret;

	/* radcli says why it failed in syslog only: say what can be said here. */
	f = fopen(path, "r");
	if (!f)
		return fail(err, errlen, -ENOENT, "dictionary %s: %s", path, strerror(errno));
	fclose(f);

	/* Without rc_config_init()'s option table, rc_destroy() leaks the dictionary's name. */
	pthread_mutex_lock(&radcli_lock);
	r->rh = rc_new();
	if (r->rh && !rc_config_init(r->rh))
		r->rh = NULL; /* freed by rc_config_init() */
	pthread_mutex_unlock(&radcli_lock);
	if (!r->rh)
		return fail(err, errlen, -ENOMEM, "out of memory");
	/* rc_read_dictionary() writes into the name it is given ($INCLUDE of a relative name). */
	copy = strdup(path);
	if (!copy)
		return fail(err, errlen, -ENOMEM, "out of memory");
	ret = rc_read_dictionary(r->rh, copy);
	free(copy);
	if (ret)
		return fail(err, errlen, -ENOENT,
			    "dictionary %s: radcli cannot read it (its reason is in syslog)", path);
	return check_dictionary(r, path, err, errlen);
}

int radius_open(const struct radius_params *p, struct radius **out, char *err, size_t errlen)
{
	struct radius *r;
	int ret;

	*out = NULL;
	if (p->timeout_ms == 0)
		return fail(err, errlen, -EINVAL, "timeout: expected at least 1 ms");
	if (p->retries > 100)
		return fail(err, errlen, -EINVAL, "retries: expected 0 to 100");
	r = calloc(1, sizeof(*r));
	if (!r)
		return fail(err, errlen, -ENOMEM, "out of memory");
	r->timeout_ms = p->timeout_ms;
	r->retries = p->retries;
	ret = set_server(&r->auth, p->auth_host, p->auth_port, RADIUS_AUTH_PORT, "authentication", err,
			 errlen);
	if (!ret)
		ret = set_server(&r->acct, p->acct_host, p->acct_port, RADIUS_ACCT_PORT, "accounting", err,
				 errlen);
	if (!ret)
		ret = set_secret(r, p->secret, p->secret_len, err, errlen);
	if (!ret)
		ret = set_nas(r, p, err, errlen);
	if (!ret)
		ret = load_dictionary(r, !empty(p->dictionary) ? p->dictionary : RADIUS_DEFAULT_DICTIONARY,
				      err, errlen);
	if (ret) {
		radius_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

void radius_close(struct radius *r)
{
	if (!r)
		return;
	if (r->rh) {
		pthread_mutex_lock(&radcli_lock);
		rc_destroy(r->rh);
		pthread_mutex_unlock(&radcli_lock);
	}
	OPENSSL_cleanse(r->secret, sizeof(r->secret));
	free(r);
}

/* --- building a request's attributes */

struct attrs {
	const struct radius *r;
	VALUE_PAIR *list;
	int ret;
	char *err;
	size_t errlen;
};

static void add(struct attrs *a, uint32_t attr, uint32_t vendor, const void *value, int len, const char *what)
{
	if (a->ret)
		return;
	if (!rc_avpair_add(a->r->rh, &a->list, attr, value, len, vendor))
		a->ret = fail(a->err, a->errlen, -EINVAL, "%s: radcli refused it", what);
}

static void add_u32(struct attrs *a, uint32_t attr, uint32_t value, const char *what)
{
	add(a, attr, 0, &value, 0, what);
}

static void add_bytes(struct attrs *a, uint32_t attr, const void *value, size_t len, const char *what)
{
	if (!a->ret && len > RADIUS_STRING_MAX)
		a->ret = fail(a->err, a->errlen, -EINVAL, "%s: %zu bytes, more than %d", what, len,
			      RADIUS_STRING_MAX);
	add(a, attr, 0, value, (int)len, what);
}

/* Optional: nothing when s is NULL or "". */
static void add_string(struct attrs *a, uint32_t attr, const char *s, const char *what)
{
	if (!empty(s))
		add_bytes(a, attr, s, strlen(s), what);
}

static void add_wicket_string(struct attrs *a, enum wicket_attr w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return;
	if (!a->ret && n > VSA_VALUE_MAX)
		a->ret = fail(a->err, a->errlen, -EINVAL, "%s: %zu bytes, more than %d", wicket_attrs[w].name,
			      n, VSA_VALUE_MAX);
	add(a, a->r->wicket[w], a->r->vendor, s, (int)n, wicket_attrs[w].name);
}

static void add_wicket_amount(struct attrs *a, enum wicket_attr w, int64_t value)
{
	uint32_t v = (uint32_t)value;

	if (!a->ret && (value < 0 || value > UINT32_MAX))
		a->ret = fail(a->err, a->errlen, -ERANGE, "%s: %" PRId64 " is outside 0 to %" PRIu32,
			      wicket_attrs[w].name, value, UINT32_MAX);
	add(a, a->r->wicket[w], a->r->vendor, &v, 0, wicket_attrs[w].name);
}

/* 12 hex digits; ':', '-' and '.' between them are ignored. Out: AA-BB-CC-DD-EE-FF. */
static int format_mac(const char *in, char out[18])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char mac[6] = { 0 };
	int digits = 0;

	for (const char *c = in ? in : ""; *c; c++) {
		int v;

		if (*c == ':' || *c == '-' || *c == '.')
			continue;
		if (*c >= '0' && *c <= '9')
			v = *c - '0';
		else if ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'f')
			v = (*c | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		if (digits == 12)
			return -EINVAL;
		mac[digits / 2] = (unsigned char)(mac[digits / 2] << 4 | v);
		digits++;
	}
	if (digits != 12)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		out[i * 3] = hex[mac[i] >> 4];
		out[i * 3 + 1] = hex[mac[i] & 15];
		out[i * 3 + 2] = i < 5 ? '-' : '\0';
	}
	return 0;
}

/* What both kinds of request say about the gateway, the port and the client. */
static void add_common(struct attrs *a, uint64_t session_id, const char *mac, const char *port)
{
	const struct radius *r = a->r;
	char sid[17], station[18];

	if (!a->ret && format_mac(mac, station))
		a->ret = fail(a->err, a->errlen, -EINVAL, "client MAC: \"%.32s\" is not a MAC address",
			      mac ? mac : "");
	if (!a->ret && empty(port))
		a->ret = fail(a->err, a->errlen, -EINVAL, "NAS-Port-Id: no port");
	snprintf(sid, sizeof(sid), "%016" PRIx64, session_id);
	add_string(a, PW_NAS_IDENTIFIER, r->nas_identifier, "NAS-Identifier");
	if (r->nas_ip_family == AF_INET) {
		uint32_t ip = (uint32_t)r->nas_ip[0] << 24 | (uint32_t)r->nas_ip[1] << 16 |
			      (uint32_t)r->nas_ip[2] << 8 | r->nas_ip[3];

		add(a, PW_NAS_IP_ADDRESS, 0, &ip, 0, "NAS-IP-Address");
	} else if (r->nas_ip_family == AF_INET6) {
		add(a, PW_NAS_IPV6_ADDRESS, 0, r->nas_ip, 16, "NAS-IPv6-Address");
	}
	add_string(a, PW_NAS_PORT_ID_STRING, port, "NAS-Port-Id");
	/* Access ports are Ethernet (VLAN) interfaces; an access point behind one is its own business. */
	add_u32(a, PW_NAS_PORT_TYPE, NAS_PORT_TYPE_ETHERNET, "NAS-Port-Type");
	if (!a->ret)
		add_string(a, PW_CALLING_STATION_ID, station, "Calling-Station-Id");
	add_string(a, PW_ACCT_SESSION_ID, sid, "Acct-Session-Id");
}

/* --- the datagram */

struct packet {
	uint8_t buf[PACKET_MAX];
	size_t len;
	uint8_t authenticator[AUTH_LEN]; /* the request's, to check the answer with */
};

static int put_attr(struct packet *p, uint32_t vendor, uint8_t type, const uint8_t *value, size_t len)
{
	size_t head = vendor ? 6 : 0, total = head + 2 + len;
	uint8_t *a = p->buf + p->len;

	if (total > 255 || p->len + total > PACKET_MAX)
		return -EMSGSIZE;
	if (vendor) { /* RFC 2865 5.26: type, length, vendor id, then the vendor's attribute */
		a[0] = ATTR_VENDOR_SPECIFIC;
		a[1] = (uint8_t)total;
		put_be32(a + 2, vendor);
	}
	a[head] = type;
	a[head + 1] = (uint8_t)(2 + len);
	memcpy(a + head + 2, value, len);
	p->len += total;
	return 0;
}

/* RFC 2865 5.2: c(i) = p(i) xor MD5(secret + c(i-1)), c(0) the Request Authenticator. */
static int put_password(struct packet *p, const struct radius *r, const VALUE_PAIR *vp)
{
	uint8_t plain[PASSWORD_MAX] = { 0 }, hidden[PASSWORD_MAX], b[AUTH_LEN];
	size_t len = vp->lvalue, padded = (len + AUTH_LEN - 1) / AUTH_LEN * AUTH_LEN;
	const uint8_t *prev = p->authenticator;
	int ret = 0;

	if (len == 0 || len > PASSWORD_MAX)
		return -EINVAL;
	memcpy(plain, vp->strvalue, len);
	for (size_t i = 0; !ret && i < padded; i += AUTH_LEN) {
		struct iovec v[] = { { (void *)r->secret, r->secret_len }, { (void *)prev, AUTH_LEN } };

		ret = md5(b, v, 2);
		for (size_t j = 0; j < AUTH_LEN; j++)
			hidden[i + j] = plain[i + j] ^ b[j];
		prev = hidden + i;
	}
	if (!ret)
		ret = put_attr(p, 0, PW_USER_PASSWORD, hidden, padded);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret;
}

static int put_pair(struct packet *p, const struct radius *r, const VALUE_PAIR *vp)
{
	uint32_t vendor = VENDOR(vp->attribute);
	uint8_t type = (uint8_t)ATTRID(vp->attribute), num[4];

	if (!vendor && type == PW_USER_PASSWORD)
		return put_password(p, r, vp);
	switch (vp->type) {
	case PW_TYPE_STRING:
	case PW_TYPE_IPV6PREFIX:
		return put_attr(p, vendor, type, (const uint8_t *)vp->strvalue, vp->lvalue);
	case PW_TYPE_IPV6ADDR:
		return put_attr(p, vendor, type, (const uint8_t *)vp->strvalue, 16);
	case PW_TYPE_INTEGER:
	case PW_TYPE_IPADDR:
	case PW_TYPE_DATE:
		put_be32(num, vp->lvalue);
		return put_attr(p, vendor, type, num, 4);
	}
	return -EINVAL;
}

/*
 * An Access-Request gets a random Request Authenticator and a
 * Message-Authenticator as its first attribute (RFC 3579 3.2, and
 * draft-ietf-radext-deprecating-radius against BlastRADIUS); an
 * Accounting-Request the MD5 of itself and the secret (RFC 2866 3).
 */
static int pack(struct packet *p, const struct radius *r, uint8_t code, const VALUE_PAIR *list)
{
	static const uint8_t zero[AUTH_LEN];
	uint8_t id;
	int ret;

	p->len = HDR_LEN;
	ret = random_bytes(&id, 1);
	if (!ret && code == CODE_ACCESS_REQUEST) {
		ret = random_bytes(p->authenticator, AUTH_LEN);
		if (!ret)
			ret = put_attr(p, 0, ATTR_MESSAGE_AUTHENTICATOR, zero, AUTH_LEN);
	} else {
		memset(p->authenticator, 0, AUTH_LEN);
	}
	for (const VALUE_PAIR *vp = list; !ret && vp; vp = vp->next)
		ret = put_pair(p, r, vp);
	if (ret)
		return ret;
	p->buf[0] = code;
	p->buf[1] = id;
	put_be16(p->buf + 2, (uint16_t)p->len);
	memcpy(p->buf + 4, p->authenticator, AUTH_LEN);
	if (code == CODE_ACCESS_REQUEST)
		return hmac_md5(r, p->buf, p->len, p->buf + HDR_LEN + 2);
	struct iovec v[] = { { p->buf, p->len }, { (void *)r->secret, r->secret_len } };

	ret = md5(p->authenticator, v, 2);
	memcpy(p->buf + 4, p->authenticator, AUTH_LEN);
	return ret;
}

static bool answers(uint8_t request, uint8_t code)
{
	if (request == CODE_ACCESS_REQUEST)
		return code == CODE_ACCESS_ACCEPT || code == CODE_ACCESS_REJECT ||
		       code == CODE_ACCESS_CHALLENGE;
	return code == CODE_ACCOUNTING_RESPONSE;
}

/*
 * An answer to request q, proving the secret: well formed (RFC 2865 3),
 * our Identifier, a code that answers q, the Response Authenticator
 * MD5(code, id, length, Request Authenticator, attributes, secret), and a
 * Message-Authenticator, if it has one, computed over the answer with the
 * Request Authenticator in place (RFC 3579 3.2). 0, -EAGAIN for a stray
 * datagram (another Identifier), -EBADMSG for a bad one.
 */
static int check_answer(const struct radius *r, const struct packet *q, uint8_t *a, size_t n)
{
	uint8_t digest[AUTH_LEN], copy[PACKET_MAX];
	size_t len, ma = 0;

	if (n < HDR_LEN)
		return -EBADMSG;
	len = get_be16(a + 2);
	if (len < HDR_LEN || len > n || len > PACKET_MAX)
		return -EBADMSG;
	if (a[1] != q->buf[1])
		return -EAGAIN;
	if (!answers(q->buf[0], a[0]))
		return -EBADMSG;
	struct iovec v[] = { { a, 4 },
			     { (void *)q->authenticator, AUTH_LEN },
			     { a + HDR_LEN, len - HDR_LEN },
			     { (void *)r->secret, r->secret_len } };
	if (md5(digest, v, 4) || CRYPTO_memcmp(digest, a + 4, AUTH_LEN))
		return -EBADMSG;
	for (size_t off = HDR_LEN; off < len; off += a[off + 1]) {
		if (len - off < 2 || a[off + 1] < 2 || a[off + 1] > len - off)
			return -EBADMSG;
		if (a[off] == ATTR_MESSAGE_AUTHENTICATOR) {
			if (a[off + 1] != 2 + AUTH_LEN || ma)
				return -EBADMSG;
			ma = off;
		}
	}
	if (ma) {
		memcpy(copy, a, len);
		memcpy(copy + 4, q->authenticator, AUTH_LEN);
		memset(copy + ma + 2, 0, AUTH_LEN);
		if (hmac_md5(r, copy, len, digest) || CRYPTO_memcmp(digest, a + ma + 2, AUTH_LEN))
			return -EBADMSG;
	}
	return 0;
}

struct tally {
	unsigned int tries, bad, refused;
	int send_errno, recv_errno;
};

/* Wait for the answer to the try that was just sent, until deadline. */
static int await(const struct radius *r, int fd, const struct packet *q, int64_t deadline, uint8_t *a,
		 size_t *alen, struct tally *t)
{
	for (;;) {
		int64_t left = deadline - now_ms_monotonic();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int ret;

		if (left <= 0)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		n = recv(fd, a, PACKET_MAX, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == ECONNREFUSED) /* ICMP port unreachable for a try */
				t->refused++;
			else if (errno != EAGAIN && errno != EINTR)
				t->recv_errno = errno;
			continue;
		}
		if (n > PACKET_MAX) {
			t->bad++;
			continue;
		}
		ret = check_answer(r, q, a, (size_t)n);
		if (ret == 0) {
			*alen = get_be16(a + 2);
			return 0;
		}
		if (ret != -EAGAIN) /* an answer to another request is no news */
			t->bad++;
	}
}

static int connect_to(const struct endpoint *s, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	int fd = -1, ret, saved = 0;

	ret = getaddrinfo(s->host, s->port, &hints, &res);
	if (ret)
		return fail(err, errlen, -EHOSTUNREACH, "%s: %s", s->host,
			    ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		/* Connected: only the server's address and port can answer, and ICMP errors come back. */
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fail(err, errlen, -saved, "%s port %s: %s", s->host, s->port, strerror(saved));
	return fd;
}

/*
 * Send q to s and wait for its answer, 1 + retries tries of timeout_ms,
 * the same datagram each time. 0 with the answer in a, -ETIMEDOUT
 * without one, -EIO when every answer failed its checks.
 */
static int exchange(const struct radius *r, const struct endpoint *s, const struct packet *q, uint8_t *a,
		    size_t *alen, char *err, size_t errlen)
{
	struct tally t = { 0 };
	int fd, ret = -ETIMEDOUT;
	char why[96] = "";

	fd = connect_to(s, err, errlen);
	if (fd < 0)
		return fd;
	for (unsigned int i = 0; i <= r->retries && ret == -ETIMEDOUT; i++) {
		int64_t deadline = now_ms_monotonic() + r->timeout_ms;

		t.tries++;
		if (send(fd, q->buf, q->len, 0) < 0) {
			if (errno == ECONNREFUSED)
				t.refused++;
			else
				t.send_errno = errno;
		}
		ret = await(r, fd, q, deadline, a, alen, &t);
	}
	close(fd);
	if (ret == 0)
		return 0;
	if (ret != -ETIMEDOUT)
		return fail(err, errlen, ret, "%s port %s: poll: %s", s->host, s->port, strerror(-ret));
	if (t.refused)
		snprintf(why, sizeof(why), " (port unreachable)");
	else if (t.send_errno || t.recv_errno)
		snprintf(why, sizeof(why), " (%s)", strerror(t.send_errno ? t.send_errno : t.recv_errno));
	if (t.bad)
		return fail(err, errlen, -EIO,
			    "%s port %s: %u answer%s failed the authenticator check and none passed: is the "
			    "shared secret the server's?",
			    s->host, s->port, t.bad, t.bad == 1 ? "" : "s");
	return fail(err, errlen, -ETIMEDOUT, "%s port %s: no answer to %u tr%s of %u ms%s", s->host, s->port,
		    t.tries, t.tries == 1 ? "y" : "ies", r->timeout_ms, why);
}

/* --- the remote approver */

static void read_answer(const struct radius *r, const uint8_t *a, size_t len, struct radius_auth_result *out)
{
	VALUE_PAIR *list =
		len > HDR_LEN ? rc_avpair_gen(r->rh, NULL, a + HDR_LEN, (int)(len - HDR_LEN), 0) : NULL;
	size_t used = 0;

	for (VALUE_PAIR *vp = list; vp; vp = vp->next) {
		if (vp->attribute == PW_REPLY_MESSAGE) {
			int n = snprintf(out->reply_message + used, sizeof(out->reply_message) - used, "%s%s",
					 used ? "\n" : "", vp->strvalue);

			if (n > 0)
				used += (size_t)n < sizeof(out->reply_message) - used
						? (size_t)n
						: sizeof(out->reply_message) - used - 1;
		} else if (vp->attribute == PW_SESSION_TIMEOUT) {
			out->session_timeout_s = vp->lvalue;
		} else if (vp->attribute == PW_CLASS && !out->class_len) {
			out->class_len = vp->lvalue < sizeof(out->class_) ? vp->lvalue : sizeof(out->class_);
			memcpy(out->class_, vp->strvalue, out->class_len);
		}
	}
	rc_avpair_free(list);
}

enum radius_verdict radius_auth(struct radius *r, const struct radius_auth_request *q,
				struct radius_auth_result *out, char *err, size_t errlen)
{
	struct attrs at = { .r = r, .err = err, .errlen = errlen };
	struct packet p;
	uint8_t answer[PACKET_MAX];
	size_t alen = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	out->verdict = RADIUS_ERROR;
	if (!r->auth.host[0]) {
		fail(err, errlen, -EOPNOTSUPP, "no RADIUS authentication server");
		return out->verdict;
	}
	if (empty(q->user_name))
		at.ret = fail(err, errlen, -EINVAL, "User-Name: empty");
	add_string(&at, PW_USER_NAME, q->user_name, "User-Name");
	if (!at.ret && !empty(q->password) && strlen(q->password) > PASSWORD_MAX)
		at.ret = fail(err, errlen, -EINVAL, "User-Password: more than %d bytes", PASSWORD_MAX);
	add_string(&at, PW_USER_PASSWORD, q->password, "User-Password");
	add_common(&at, q->session_id, q->mac, q->port);
	add_wicket_string(&at, W_PLAN, q->plan);
	add_wicket_amount(&at, W_PRICE, q->price);
	add_wicket_string(&at, W_CURRENCY, q->currency);
	add_wicket_string(&at, W_ROOM, q->room);
	ret = at.ret;
	if (!ret) {
		ret = pack(&p, r, CODE_ACCESS_REQUEST, at.list);
		if (ret)
			fail(err, errlen, ret, "Access-Request: %s",
			     ret == -EMSGSIZE ? "too large" : strerror(-ret));
	}
	rc_avpair_free(at.list);
	if (!ret)
		ret = exchange(r, &r->auth, &p, answer, &alen, err, errlen);
	OPENSSL_cleanse(&p, sizeof(p));
	if (ret == -ETIMEDOUT)
		out->verdict = RADIUS_TIMEOUT;
	if (ret)
		return out->verdict;
	read_answer(r, answer, alen, out);
	switch (answer[0]) {
	case CODE_ACCESS_ACCEPT:
		out->verdict = RADIUS_ACCEPT;
		break;
	case CODE_ACCESS_REJECT:
		out->verdict = RADIUS_REJECT;
		break;
	default:
		fail(err, errlen, -EPROTO, "the server sent an Access-Challenge, which wicket cannot answer");
		break;
	}
	return out->verdict;
}

/* --- the network management system */

static const struct {
	const char *reason;
	uint32_t cause;
} causes[] = {
	{ "logout", PW_USER_REQUEST },
	{ "keepalive-timeout", PW_LOST_CARRIER },
	{ "idle", PW_ACCT_IDLE_TIMEOUT },
	{ "idle-timeout", PW_ACCT_IDLE_TIMEOUT },
	{ "deadline", PW_ACCT_SESSION_TIMEOUT },
	{ "byte-cap", PW_ACCT_SESSION_TIMEOUT },
	{ "kick", PW_ADMIN_RESET },
	{ "block", PW_ADMIN_RESET },
	{ "staff", PW_ADMIN_RESET },
	{ "shutdown", PW_ADMIN_REBOOT },
	{ "expired-while-down", PW_NAS_REBOOT },
	{ "rejected", PW_USER_ERROR },
};

static const char *const cause_names[] = {
	[PW_USER_REQUEST] = "User-Request",
	[PW_LOST_CARRIER] = "Lost-Carrier",
	[PW_LOST_SERVICE] = "Lost-Service",
	[PW_ACCT_IDLE_TIMEOUT] = "Idle-Timeout",
	[PW_ACCT_SESSION_TIMEOUT] = "Session-Timeout",
	[PW_ADMIN_RESET] = "Admin-Reset",
	[PW_ADMIN_REBOOT] = "Admin-Reboot",
	[PW_PORT_ERROR] = "Port-Error",
	[PW_NAS_ERROR] = "NAS-Error",
	[PW_NAS_REQUEST] = "NAS-Request",
	[PW_NAS_REBOOT] = "NAS-Reboot",
	[PW_PORT_UNNEEDED] = "Port-Unneeded",
	[PW_PORT_PREEMPTED] = "Port-Preempted",
	[PW_PORT_SUSPENDED] = "Port-Suspended",
	[PW_SERVICE_UNAVAILABLE] = "Service-Unavailable",
	[PW_CALLBACK] = "Callback",
	[PW_USER_ERROR] = "User-Error",
	[PW_HOST_REQUEST] = "Host-Request",
};

uint32_t radius_terminate_cause(const char *end_reason)
{
	for (size_t i = 0; end_reason && i < sizeof(causes) / sizeof(causes[0]); i++)
		if (!strcmp(end_reason, causes[i].reason))
			return causes[i].cause;
	return PW_NAS_REQUEST;
}

const char *radius_terminate_cause_name(uint32_t cause)
{
	if (cause >= sizeof(cause_names) / sizeof(cause_names[0]) || !cause_names[cause])
		return "";
	return cause_names[cause];
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int radius_acct(struct radius *r, const struct radius_acct_record *a, int64_t now_ms, char *err,
		size_t errlen)
{
	struct attrs at = { .r = r, .err = err, .errlen = errlen };
	char station[18];
	int64_t event_s = a->event_ms >= 0 ? a->event_ms / 1000 : -1;
	int64_t delay_s = (now_ms - a->event_ms) / 1000;
	struct packet p;
	uint8_t answer[PACKET_MAX];
	size_t alen;
	int ret;

	if (!r->acct.host[0])
		return fail(err, errlen, -EOPNOTSUPP, "no RADIUS accounting server");
	if (a->kind != RADIUS_ACCT_START && a->kind != RADIUS_ACCT_STOP && a->kind != RADIUS_ACCT_INTERIM)
		return fail(err, errlen, -EINVAL, "Acct-Status-Type: %d is not start, interim or stop",
			    a->kind);
	if (event_s < 0 || event_s > UINT32_MAX)
		return fail(err, errlen, -ERANGE, "Event-Timestamp: %" PRId64 " ms is outside 1970 to 2106",
			    a->event_ms);
	add_u32(&at, PW_ACCT_STATUS_TYPE, (uint32_t)a->kind, "Acct-Status-Type");
	add_common(&at, a->session_id, a->mac, a->port);
	if (!empty(a->user_name))
		add_string(&at, PW_USER_NAME, a->user_name, "User-Name");
	else if (!format_mac(a->mac, station))
		add_string(&at, PW_USER_NAME, station, "User-Name");
	add_u32(&at, PW_EVENT_TIMESTAMP, (uint32_t)event_s, "Event-Timestamp");
	add_u32(&at, PW_ACCT_DELAY_TIME, delay_s > 0 ? clamp32((uint64_t)delay_s) : 0, "Acct-Delay-Time");
	add_u32(&at, PW_ACCT_SESSION_TIME, clamp32(a->session_time_s), "Acct-Session-Time");
	add_u32(&at, PW_ACCT_INPUT_OCTETS, (uint32_t)a->input_octets, "Acct-Input-Octets");
	add_u32(&at, PW_ACCT_INPUT_GIGAWORDS, (uint32_t)(a->input_octets >> 32), "Acct-Input-Gigawords");
	add_u32(&at, PW_ACCT_OUTPUT_OCTETS, (uint32_t)a->output_octets, "Acct-Output-Octets");
	add_u32(&at, PW_ACCT_OUTPUT_GIGAWORDS, (uint32_t)(a->output_octets >> 32), "Acct-Output-Gigawords");
	add_u32(&at, PW_ACCT_INPUT_PACKETS, clamp32(a->input_packets), "Acct-Input-Packets");
	add_u32(&at, PW_ACCT_OUTPUT_PACKETS, clamp32(a->output_packets), "Acct-Output-Packets");
	if (a->kind == RADIUS_ACCT_STOP) /* RFC 2866 5.10: in Stop only */
		add_u32(&at, PW_ACCT_TERMINATE_CAUSE, radius_terminate_cause(a->end_reason),
			"Acct-Terminate-Cause");
	if (a->class_ && a->class_len)
		add_bytes(&at, PW_CLASS, a->class_, a->class_len, "Class");
	add_wicket_amount(&at, W_CHARGE, a->charge);
	add_wicket_string(&at, W_CURRENCY, a->currency);
	add_wicket_string(&at, W_PLAN, a->plan);
	add_wicket_string(&at, W_ROOM, a->room);
	ret = at.ret;
	if (!ret) {
		ret = pack(&p, r, CODE_ACCOUNTING_REQUEST, at.list);
		if (ret)
			fail(err, errlen, ret, "Accounting-Request: %s",
			     ret == -EMSGSIZE ? "too large" : strerror(-ret));
	}
	rc_avpair_free(at.list);
	if (!ret)
		ret = exchange(r, &r->acct, &p, answer, &alen, err, errlen);
	return ret;
}
