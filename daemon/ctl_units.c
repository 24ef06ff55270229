/*
 * wicketctl's units (ctl.h): amounts of money, durations and sizes, as
 * staff type them on the command line and read them in tables. Money is
 * integers of minor units all the way: "4.50" EUR is 450, never 4.4999.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "ctl.h"

/* ISO 4217 currencies whose minor unit is not the hundredth. */
static const char zero_decimals[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
static const char three_decimals[] = "BHD IQD JOD KWD LYD OMR TND";

int ctl_parse_currency(const char *s, char out[4])
{
	if (strlen(s) != 3)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (!isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return -EINVAL;
		out[i] = (char)toupper((unsigned char)s[i]);
	}
	out[3] = '\0';
	return 0;
}

int ctl_currency_exponent(const char *currency)
{
	char code[4];

	/* Three letters and no blank: a match in the lists is a whole code. */
	if (!currency || ctl_parse_currency(currency, code))
		return 2;
	if (strstr(zero_decimals, code))
		return 0;
	if (strstr(three_decimals, code))
		return 3;
	return 2;
}

int ctl_parse_money(const char *s, const char *currency, long long *minor)
{
	int exp = ctl_currency_exponent(currency), decimals = 0, too_large = 0;
	long long major = 0, frac = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		major = major * 10 + (*p - '0');
		if (major > CTL_MONEY_MAX_MAJOR) {
			too_large = 1;
			major = CTL_MONEY_MAX_MAJOR;
		}
	}
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return -EINVAL;
		for (p++; isdigit((unsigned char)*p); p++)
			if (++decimals <= exp)
				frac = frac * 10 + (*p - '0');
	}
	if (*p)
		return -EINVAL;
	if (decimals > exp)
		return -EDOM;
	if (too_large)
		return -ERANGE;
	for (; decimals < exp; decimals++)
		frac *= 10;
	for (int i = 0; i < exp; i++)
		major *= 10;
	*minor = major + frac;
	return 0;
}

const char *ctl_fmt_amount(char buf[CTL_FMT_LEN], long long minor, const char *currency)
{
	int exp = ctl_currency_exponent(currency);
	unsigned long long a = minor < 0 ? 0ULL - (unsigned long long)minor : (unsigned long long)minor;
	unsigned long long scale = 1;

	for (int i = 0; i < exp; i++)
		scale *= 10;
	if (exp)
		snprintf(buf, CTL_FMT_LEN, "%s%llu.%0*llu", minor < 0 ? "-" : "", a / scale, exp, a % scale);
	else
		snprintf(buf, CTL_FMT_LEN, "%s%llu", minor < 0 ? "-" : "", a);
	return buf;
}

const char *ctl_fmt_money(char buf[CTL_FMT_LEN], const json_t *amount, const char *currency)
{
	char a[CTL_FMT_LEN];

	if (!json_is_integer(amount))
		return "-";
	ctl_fmt_amount(a, json_integer_value(amount), currency);
	/* 21 characters at most for a long long with its point, 3 for the code. */
	snprintf(buf, CTL_FMT_LEN, "%.24s%s%.3s", a, currency ? " " : "", currency ? currency : "");
	return buf;
}

static const struct {
	char unit;
	long long secs;
} duration_units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
#define NDURATION_UNITS (sizeof(duration_units) / sizeof(duration_units[0]))

int ctl_parse_duration(const char *s, long long *secs)
{
	long long total = 0;
	size_t next = 0;

	if (!strcmp(s, "0")) {
		*secs = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		long long n = 0;
		int digits = 0;
		size_t u;

		for (; isdigit((unsigned char)*s); s++) {
			if (++digits > 9)
				return -ERANGE;
			n = n * 10 + (*s - '0');
		}
		if (!digits || !*s)
			return -EINVAL;
		/* Each unit once, the larger first: "1h30m", not "30m1h". */
		for (u = next; u < NDURATION_UNITS; u++)
			if (duration_units[u].unit == tolower((unsigned char)*s))
				break;
		if (u == NDURATION_UNITS)
			return -EINVAL;
		s++;
		next = u + 1;
		total += n * duration_units[u].secs;
	}
	if (total > CTL_DURATION_MAX)
		return -ERANGE;
	*secs = total;
	return 0;
}

const char *ctl_fmt_duration_arg(char buf[CTL_FMT_LEN], long long secs)
{
	size_t len = 0;

	if (secs <= 0) {
		snprintf(buf, CTL_FMT_LEN, "0");
		return buf;
	}
	/* "24h" and "36h" read better than "1d" and "1d12h"; a week is "7d". */
	for (size_t u = secs < 2 * 86400 ? 1 : 0; u < NDURATION_UNITS && len < CTL_FMT_LEN; u++) {
		long long n = secs / duration_units[u].secs;

		secs %= duration_units[u].secs;
		if (n)
			len += (size_t)snprintf(buf + len, CTL_FMT_LEN - len, "%lld%c", n,
						duration_units[u].unit);
	}
	return buf;
}

static const struct {
	const char *name;
	long long bytes;
} size_units[] = {
	{ "B", 1 },
	{ "KB", 1000LL },
	{ "MB", 1000LL * 1000 },
	{ "GB", 1000LL * 1000 * 1000 },
	{ "TB", 1000LL * 1000 * 1000 * 1000 },
	{ "KiB", 1LL << 10 },
	{ "MiB", 1LL << 20 },
	{ "GiB", 1LL << 30 },
	{ "TiB", 1LL << 40 },
};

/* Six decimals at most, so that the fraction times a unit stays far from overflow. */
#define SIZE_MAX_DECIMALS 6

int ctl_parse_size(const char *s, long long *bytes)
{
	long long whole = 0, frac = 0, scale = 1, unit = 0;
	int digits = 0, decimals = 0;

	if (!strcmp(s, "0")) {
		*bytes = 0;
		return 0;
	}
	for (; isdigit((unsigned char)*s); s++) {
		if (++digits > 16)
			return -ERANGE;
		whole = whole * 10 + (*s - '0');
	}
	if (!digits)
		return -EINVAL;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return -EINVAL;
		for (s++; isdigit((unsigned char)*s); s++) {
			if (++decimals > SIZE_MAX_DECIMALS)
				return -EINVAL;
			frac = frac * 10 + (*s - '0');
			scale *= 10;
		}
	}
	if (*s == ' ')
		s++;
	for (size_t i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++)
		if (!strcasecmp(s, size_units[i].name))
			unit = size_units[i].bytes;
	/* A size needs its unit: is "500" bytes or megabytes? */
	if (!unit || (unit == 1 && decimals))
		return -EINVAL;
	if (whole > CTL_SIZE_MAX / unit)
		return -ERANGE;
	/* To the nearest byte: 1.1 GiB is not a whole number of them. */
	whole = whole * unit + (frac * unit + scale / 2) / scale;
	if (whole > CTL_SIZE_MAX)
		return -ERANGE;
	*bytes = whole;
	return 0;
}

const char *ctl_fmt_size(char buf[CTL_FMT_LEN], long long bytes)
{
	static const char *const si[] = { "KB", "MB", "GB", "TB", "PB", "EB" };
	static const char *const binary[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int is_binary = bytes % 1000 != 0 && bytes % 1024 == 0;
	double base = is_binary ? 1024 : 1000, d;
	size_t u;

	if (bytes < 1000) {
		snprintf(buf, CTL_FMT_LEN, "%lld B", bytes);
		return buf;
	}
	d = (double)bytes / base;
	/* What would print as 1000.0 is the next unit already. */
	for (u = 0; d >= base - 0.05 && u + 1 < sizeof(si) / sizeof(si[0]); u++)
		d /= base;
	snprintf(buf, CTL_FMT_LEN, "%.1f %s", d, is_binary ? binary[u] : si[u]);
	return buf;
}
