/*
 * wicket-nl's text forms: numbers, interfaces, states and modes.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wicket-nl.h"

static int parse_digits(const char *s, int base, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long n;

	/* strtoull takes signs and spaces: a number here has none. */
	if (!s[0] || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno || *end || n > max)
		return -1;
	*v = n;
	return 0;
}

int nl_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	return parse_digits(s, 10, max, v);
}

int nl_parse_number(const char *s, uint64_t max, uint64_t *v)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return s[2] && s[2] != '-' && s[2] != '+' ? parse_digits(s, 16, max, v) : -1;
	return parse_digits(s, 10, max, v);
}

int nl_parse_dev(const char *s, uint32_t *ifindex, char *why)
{
	uint64_t n;

	if (nl_parse_u64(s, UINT32_MAX, &n) == 0) {
		*ifindex = (uint32_t)n;
		return 0;
	}
	*ifindex = if_nametoindex(s);
	if (*ifindex == 0) {
		snprintf(why, WHY_LEN, "no interface '%s'", s);
		return -1;
	}
	return 0;
}

static const char *const state_names[] = {
	[WICKET_STATE_CAPTIVE] = "captive",
	[WICKET_STATE_PROVISIONAL] = "provisional",
	[WICKET_STATE_AUTHORIZED] = "authorized",
	[WICKET_STATE_BLOCKED] = "blocked",
};

static const char *const mode_names[] = {
	[WICKET_PORT_CHARGE] = "charge",
	[WICKET_PORT_FREE] = "free",
	[WICKET_PORT_BLOCKED] = "blocked",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int name_lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static const char *name_of(const char *const *names, size_t n, unsigned int v, char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

int nl_parse_state(const char *s, uint8_t *state)
{
	int v = name_lookup(state_names, COUNT(state_names), s);

	if (v < 0)
		return -1;
	*state = (uint8_t)v;
	return 0;
}

const char *nl_state_name(uint8_t state, char *buf, size_t len)
{
	return name_of(state_names, COUNT(state_names), state, buf, len);
}

const char *nl_port_name(uint32_t ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", ifindex);
	return buf;
}

int nl_parse_mode(const char *s, uint8_t *mode)
{
	int v = name_lookup(mode_names, COUNT(mode_names), s);

	if (v < 0)
		return -1;
	*mode = (uint8_t)v;
	return 0;
}

const char *nl_mode_name(uint8_t mode, char *buf, size_t len)
{
	return name_of(mode_names, COUNT(mode_names), mode, buf, len);
}
