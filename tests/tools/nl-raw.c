/*
 * wicket-nl raw CMD [flags dump|ack] ATTR...: a request with exactly the
 * attributes described, for testing how the module refuses what no honest
 * sender would build.
 *
 *   TYPE:KIND:VALUE   KIND u8|u16|u32|u64 (decimal or 0x...), str (no NUL),
 *                     strz (with NUL), hex (pairs of hex digits, may be empty)
 *   TYPE:nest{ ... }  a nest (NLA_F_NESTED is set), closed by the word "}"
 *   hexrep:TYPE:BYTE:COUNT   COUNT copies of the hex byte BYTE
 *
 * TYPE and CMD are numbers; TYPE may carry the NLA_F_* bits itself.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wicket-nl.h"

#define USAGE_RAW                                                                                            \
	"raw CMD [flags dump|ack] ATTR...\n"                                                                 \
	"  ATTR: TYPE:u8|u16|u32|u64|str|strz|hex:VALUE, TYPE:nest{ ... }, hexrep:TYPE:BYTE:COUNT"

#define RAW_MAX (2 * KERNEL_BATCH_BYTES - 64)
#define RAW_DEPTH 16

struct raw {
	uint8_t data[RAW_MAX] __attribute__((aligned(4)));
	size_t len;
	size_t open[RAW_DEPTH];
	int depth;
};

/* Room for an attribute of len payload bytes; NULL (with why) if none. */
static uint8_t *raw_reserve(struct raw *r, uint16_t type, size_t len, char *why)
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

static int raw_put(struct raw *r, uint16_t type, const void *data, size_t len, char *why)
{
	uint8_t *p = raw_reserve(r, type, len, why);

	if (!p)
		return -1;
	if (len)
		memcpy(p, data, len);
	return 0;
}

static int raw_open(struct raw *r, uint16_t type, char *why)
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

static int raw_close(struct raw *r, char *why)
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

static int raw_put_hex(struct raw *r, uint16_t type, const char *hex, char *why)
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

static int raw_put_int(struct raw *r, uint16_t type, const char *kind, const char *value, char *why)
{
	static const struct {
		const char *name;
		size_t size;
		uint64_t max;
	} kinds[] = {
		{ "u8", 1, UINT8_MAX },
		{ "u16", 2, UINT16_MAX },
		{ "u32", 4, UINT32_MAX },
		{ "u64", 8, UINT64_MAX },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kind, kinds[i].name))
			continue;
		if (nl_parse_number(value, kinds[i].max, &v)) {
			snprintf(why, WHY_LEN, "bad %s value '%s'", kind, value);
			return -1;
		}
		/* Host byte order, as netlink integers are. */
		switch (kinds[i].size) {
		case 1: {
			uint8_t x = (uint8_t)v;

			return raw_put(r, type, &x, 1, why);
		}
		case 2: {
			uint16_t x = (uint16_t)v;

			return raw_put(r, type, &x, 2, why);
		}
		case 4: {
			uint32_t x = (uint32_t)v;

			return raw_put(r, type, &x, 4, why);
		}
		default:
			return raw_put(r, type, &v, 8, why);
		}
	}
	snprintf(why, WHY_LEN, "unknown attribute kind '%s'", kind);
	return -1;
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
static int raw_put_hexrep(struct raw *r, const char *word, char *why)
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

static int raw_word(struct raw *r, const char *word, char *why)
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

static int parse_flags(const char *s, uint16_t *flags)
{
	char copy[32], *save = NULL, *w;

	if (strlen(s) >= sizeof(copy))
		return -1;
	strcpy(copy, s);
	for (w = strtok_r(copy, ",|", &save); w; w = strtok_r(NULL, ",|", &save)) {
		if (strcmp(w, "dump") == 0)
			*flags |= NLM_F_DUMP;
		else if (strcmp(w, "ack") == 0)
			*flags |= NLM_F_ACK;
		else
			return -1;
	}
	return 0;
}

int nl_raw(int argc, char **argv)
{
	struct raw *r;
	char why[WHY_LEN];
	uint16_t flags = 0;
	uint64_t cmd;
	int i = 2, ret;

	if (argc < 2 || nl_parse_number(argv[1], UINT8_MAX, &cmd))
		return nl_usage(USAGE_RAW, "raw needs a command number");
	if (argc > 3 && strcmp(argv[2], "flags") == 0) {
		if (parse_flags(argv[3], &flags))
			return nl_usage(USAGE_RAW, "bad flags '%s' (dump, ack)", argv[3]);
		i = 4;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "wicket-nl: %s\n", strerror(ENOMEM));
		return EXIT_KERNEL;
	}
	for (; i < argc; i++) {
		if (raw_word(r, argv[i], why)) {
			free(r);
			return nl_usage(USAGE_RAW, "%s", why);
		}
	}
	if (r->depth) {
		int open = r->depth;

		free(r);
		return nl_usage(USAGE_RAW, "%d nest%s not closed", open, open > 1 ? "s" : "");
	}
	ret = kernel_raw(nl_kernel(), (uint8_t)cmd, flags, r->data, r->len) ? nl_kernel_failed() : 0;
	free(r);
	return ret;
}
