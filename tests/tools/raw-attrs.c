/*
 * The attribute language of wicket-nl raw: words in, netlink attribute
 * bytes out, exactly as written (see raw-attrs.h).
 */
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>

#include "raw-attrs.h"

/* Room for an attribute of len payload bytes; NULL (with why) if none. */
static uint8_t *raw_reserve(struct raw_attrs *r, uint16_t type, size_t len, char *why)
{
	struct nlattr *attr;
	size_t total = NLA_HDRLEN + len;

	if (total > UINT16_MAX) {
		snprintf(why, WHY_LEN, "attribute of %zu bytes: an attribute holds at most %d", len,
			 UINT16_MAX - NLA_HDRLEN);
		return NULL;
	}
	if (r->len + NLA_ALIGN(total) > RAW_MAX) {
		snprintf(why, WHY_LEN, "request longer than %d bytes", RAW_MAX);
		return NULL;
	}
	attr = (struct nlattr *)(r->data + r->len);
	attr->nla_type = type;
	attr->nla_len = (uint16_t)total;
	memset(r->data + r->len + NLA_HDRLEN, 0, NLA_ALIGN(total) - NLA_HDRLEN);
	r->len += NLA_ALIGN(total);
	return (uint8_t *)attr + NLA_HDRLEN;
}

static int raw_put(struct raw_attrs *r, uint16_t type, const void *data, size_t len, char *why)
{
	uint8_t *p = raw_reserve(r, type, len, why);

	if (!p)
		return -1;
	if (len)
		memcpy(p, data, len);
	return 0;
}

static int raw_open(struct raw_attrs *r, uint16_t type, char *why)
{
	if (r->depth == RAW_DEPTH) {
		snprintf(why, WHY_LEN, "nests deeper than %d", RAW_DEPTH);
		return -1;
	}
	r->open[r->depth] = r->len;
	if (!raw_reserve(r, type | NLA_F_NESTED, 0, why))
		return -1;
	r->depth++;
	return 0;
}

static int raw_close(struct raw_attrs *r, char *why)
{
	struct nlattr *attr;
	size_t len;

	if (r->depth == 0) {
		snprintf(why, WHY_LEN, "'}' without a nest");
		return -1;
	}
	r->depth--;
	attr = (struct nlattr *)(r->data + r->open[r->depth]);
	len = r->len - r->open[r->depth];
	if (len > UINT16_MAX) {
		snprintf(why, WHY_LEN, "nest of %zu bytes: an attribute holds at most %d", len, UINT16_MAX);
		return -1;
	}
	attr->nla_len = (uint16_t)len;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int raw_put_hex(struct raw_attrs *r, uint16_t type, const char *hex, char *why)
{
	size_t n = strlen(hex), i;
	uint8_t *p;

	if (n % 2) {
		snprintf(why, WHY_LEN, "odd number of hex digits in '%s'", hex);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (hex_value(hex[i]) < 0) {
			snprintf(why, WHY_LEN, "not a hex digit in '%s'", hex);
			return -1;
		}
	}
	p = raw_reserve(r, type, n / 2, why);
	if (!p)
		return -1;
	for (i = 0; i < n / 2; i++)
		p[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
	return 0;
}

/*
 * u8..u64: exactly 2 * size hex digits, the payload's bytes in order (so
 * host order is spelled out: 1:u32:01000000 is 1 on a little-endian
 * host), or a 0x-prefixed number, put in host order.
 */
static int raw_put_int(struct raw_attrs *r, uint16_t type, const char *kind, const char *value, char *why)
{
	static const struct {
		const char *name;
		size_t size;
	} kinds[] = {
		{ "u8", 1 },
		{ "u16", 2 },
		{ "u32", 4 },
		{ "u64", 8 },
	};
	union {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
	} x;
	uint64_t v;
	size_t i, size;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kind, kinds[i].name); i++)
		;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		snprintf(why, WHY_LEN, "unknown attribute kind '%s'", kind);
		return -1;
	}
	size = kinds[i].size;
	if (strlen(value) == 2 * size && value[1] != 'x' && value[1] != 'X')
		return raw_put_hex(r, type, value, why);
	if (value[0] != '0' || (value[1] != 'x' && value[1] != 'X') ||
	    nl_parse_number(value, size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1, &v)) {
		snprintf(why, WHY_LEN, "bad %s value '%s' (%zu hex digits, or 0x...)", kind, value, 2 * size);
		return -1;
	}
	switch (size) {
	case 1:
		x.u8 = (uint8_t)v;
		break;
	case 2:
		x.u16 = (uint16_t)v;
		break;
	case 4:
		x.u32 = (uint32_t)v;
		break;
	default:
		x.u64 = v;
	}
	return raw_put(r, type, &x, size, why);
}

static int parse_type(const char *s, size_t len, uint16_t *type, char *why)
{
	char text[16];
	uint64_t v;

	if (len < sizeof(text)) {
		memcpy(text, s, len);
		text[len] = '\0';
		if (nl_parse_number(text, UINT16_MAX, &v) == 0) {
			*type = (uint16_t)v;
			return 0;
		}
	}
	snprintf(why, WHY_LEN, "bad attribute type in '%s'", s);
	return -1;
}

/* hexrep:TYPE:BYTE:COUNT */
static int raw_put_hexrep(struct raw_attrs *r, const char *word, char *why)
{
	const char *spec = word + strlen("hexrep:"), *c1 = strchr(spec, ':'),
		   *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	uint64_t count;
	uint16_t type;
	uint8_t *p;
	int hi, lo;

	if (!c2 || parse_type(spec, (size_t)(c1 - spec), &type, why))
		goto bad;
	/* BYTE: one or two hex digits. */
	hi = hex_value(c1[1]);
	lo = c1 + 2 == c2 ? -2 : hex_value(c1[2]);
	if (hi < 0 || lo == -1 || (lo >= 0 && c1 + 3 != c2))
		goto bad;
	if (nl_parse_u64(c2 + 1, UINT32_MAX, &count))
		goto bad;
	p = raw_reserve(r, type, (size_t)count, why);
	if (!p)
		return -1;
	memset(p, lo < 0 ? hi : hi << 4 | lo, (size_t)count);
	return 0;
bad:
	snprintf(why, WHY_LEN, "bad '%s' (hexrep:TYPE:BYTE:COUNT)", word);
	return -1;
}

int raw_attrs_add(struct raw_attrs *r, const char *word, char *why)
{
	const char *c1, *c2, *kind;
	char kindbuf[8];
	uint16_t type;

	if (strcmp(word, "}") == 0)
		return raw_close(r, why);
	if (strncmp(word, "hexrep:", 7) == 0)
		return raw_put_hexrep(r, word, why);
	c1 = strchr(word, ':');
	if (!c1 || parse_type(word, (size_t)(c1 - word), &type, why)) {
		snprintf(why, WHY_LEN, "bad attribute '%s'", word);
		return -1;
	}
	if (strcmp(c1 + 1, "nest{") == 0)
		return raw_open(r, type, why);
	c2 = strchr(c1 + 1, ':');
	if (!c2 || (size_t)(c2 - c1 - 1) >= sizeof(kindbuf)) {
		snprintf(why, WHY_LEN, "bad attribute '%s' (TYPE:KIND:VALUE)", word);
		return -1;
	}
	memcpy(kindbuf, c1 + 1, (size_t)(c2 - c1 - 1));
	kindbuf[c2 - c1 - 1] = '\0';
	kind = kindbuf;
	if (strcmp(kind, "str") == 0)
		return raw_put(r, type, c2 + 1, strlen(c2 + 1), why);
	if (strcmp(kind, "strz") == 0)
		return raw_put(r, type, c2 + 1, strlen(c2 + 1) + 1, why);
	if (strcmp(kind, "hex") == 0)
		return raw_put_hex(r, type, c2 + 1, why);
	return raw_put_int(r, type, kind, c2 + 1, why);
}

int raw_attrs_finish(struct raw_attrs *r, char *why)
{
	if (r->depth) {
		snprintf(why, WHY_LEN, "%d nest%s not closed", r->depth, r->depth > 1 ? "s" : "");
		return -1;
	}
	return 0;
}
