/*
 * wicketctl's common parts (ctl.h): the request to wicketd and what its
 * errors mean as exit codes, option and argument parsing, formatting.
 */
#include "ctl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "ctl_table.h"

int ctl_usage_error(struct ctl *ctl, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctl->err, "wicketctl: %s: ", ctl->name);
	va_start(ap, fmt);
	vfprintf(ctl->err, fmt, ap);
	va_end(ap);
	fprintf(ctl->err, "\nusage: wicketctl %s\n", ctl->synopsis);
	return CTL_USAGE;
}

/* The option getopt just refused, as the user typed it. */
static const char *bad_option(char **argv, char *buf, size_t len)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (strncmp(arg, "--", 2) == 0 || !optopt || optopt >= 0x100)
		return arg;
	snprintf(buf, len, "-%c", optopt);
	return buf;
}

int ctl_getopt(struct ctl *ctl, int argc, char **argv, const struct option *opts)
{
	char buf[8];
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":", opts, NULL);
		switch (c) {
		case -1:
			return CTL_OPT_END;
		case CTL_OPT_JSON:
			ctl->json = 1;
			continue;
		case CTL_OPT_HELP:
			fprintf(ctl->out, "usage: wicketctl %s\n", ctl->synopsis);
			return CTL_OPT_HELP_SHOWN;
		case ':':
			ctl_usage_error(ctl, "option '%s' needs a value", bad_option(argv, buf, sizeof(buf)));
			return CTL_OPT_BAD;
		case '?':
			ctl_usage_error(ctl, "unknown or ambiguous option '%s'",
					bad_option(argv, buf, sizeof(buf)));
			return CTL_OPT_BAD;
		default:
			return c;
		}
	}
}

int ctl_opt_exit(int c)
{
	return c == CTL_OPT_HELP_SHOWN ? CTL_OK : CTL_USAGE;
}

static const struct option common_opts[] = {
	CTL_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* The common options, then exactly want positional arguments. */
static int only_common(struct ctl *ctl, int argc, char **argv, int want, const char *what, int *exit_code)
{
	int c = ctl_getopt(ctl, argc, argv, common_opts);

	if (c < 0) {
		*exit_code = ctl_opt_exit(c);
		return -1;
	}
	if (c != CTL_OPT_END) {
		*exit_code = ctl_usage_error(ctl, "unexpected option");
		return -1;
	}
	if (argc - optind < want) {
		*exit_code = ctl_usage_error(ctl, "%s missing", what);
		return -1;
	}
	if (argc - optind > want) {
		*exit_code = ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind + want]);
		return -1;
	}
	return 0;
}

int ctl_no_args(struct ctl *ctl, int argc, char **argv, int *exit_code)
{
	return only_common(ctl, argc, argv, 0, "", exit_code);
}

int ctl_one_mac(struct ctl *ctl, int argc, char **argv, char mac[18], int *exit_code)
{
	if (only_common(ctl, argc, argv, 1, "MAC address", exit_code))
		return -1;
	if (ctl_parse_mac(argv[optind], mac)) {
		*exit_code = ctl_usage_error(
			ctl, "MAC '%s' is not a MAC address (six hex pairs, like 02:00:5e:00:53:01)",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* --- arguments */

int ctl_parse_mac(const char *s, char out[18])
{
	char sep;

	if (strlen(s) != 17 || (s[2] != ':' && s[2] != '-'))
		return -EINVAL;
	sep = s[2];
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != sep : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
		out[i] = i % 3 == 2 ? ':' : (char)tolower((unsigned char)s[i]);
	}
	out[17] = '\0';
	return 0;
}

int ctl_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Unix seconds, YYYY-MM-DD, or YYYY-MM-DDTHH:MM (or with a space) in local time. */
int ctl_parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 }, check;
	char sep = 0;
	int n = 0;
	time_t t;

	if (strspn(s, "0123456789") == strlen(s)) {
		long long v;

		if (ctl_parse_int(s, 0, LLONG_MAX, &v))
			return -EINVAL;
		*out = (time_t)v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		return -EINVAL;
	if (s[10] && (sscanf(s + 10, "%c%2d:%2d%n", &sep, &tm.tm_hour, &tm.tm_min, &n) != 3 || n != 6 ||
		      s[16] || (sep != 'T' && sep != ' ')))
		return -EINVAL;
	/* sscanf takes signs and blanks: the digits must be where they belong. */
	for (int i = 0; s[i]; i++)
		if ((i == 4 || i == 7 || i == 10 || i == 13) != !isdigit((unsigned char)s[i]))
			return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	check = tm;
	t = mktime(&tm);
	/* mktime() would take 2024-02-30 as March 1st: refuse what it moved. */
	if (t == (time_t)-1 || tm.tm_year != check.tm_year || tm.tm_mon != check.tm_mon ||
	    tm.tm_mday != check.tm_mday || tm.tm_hour != check.tm_hour || tm.tm_min != check.tm_min)
		return -EINVAL;
	*out = t;
	return 0;
}

/* An interface name as the kernel takes it (IFNAMSIZ 16 with the NUL). */
int ctl_parse_ifname(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -EINVAL;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || !isgraph((unsigned char)*s))
			return -EINVAL;
	return 0;
}

/* A date alone (YYYY-MM-DD) ends at the next midnight: the start of the day after, DST and all. */
int ctl_parse_time_end(const char *s, time_t *out)
{
	struct tm tm;
	time_t t;

	if (ctl_parse_time(s, &t))
		return -EINVAL;
	if (strlen(s) == 10 && s[4] == '-') {
		if (!localtime_r(&t, &tm))
			return -EINVAL;
		tm.tm_mday++;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1)
			return -EINVAL;
	}
	*out = t;
	return 0;
}

/* The length of the UTF-8 sequence at s (1 to 4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned int c;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond Unicode. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	/* C1 control characters. */
	if (c >= 0x80 && c <= 0x9f)
		return 0;
	return n;
}

int ctl_parse_text(const char *s, size_t max)
{
	size_t len = strlen(s), n;

	if (len == 0 || len > max)
		return -EINVAL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p += n) {
		if (*p < 0x20 || *p == 0x7f)
			return -EINVAL;
		n = utf8_len(p);
		if (!n)
			return -EILSEQ;
	}
	return 0;
}

int ctl_verb(struct ctl *ctl, int argc, char **argv, const char *const *verbs, const char *what)
{
	char list[128] = "";
	size_t n = argc < 2 ? 0 : strlen(argv[1]), len = 0;
	int found = -1, matches = 0;

	for (int i = 0; verbs[i]; i++) {
		len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, "%s%s",
					i ? ", " : "", verbs[i]);
		if (len >= sizeof(list))
			len = sizeof(list) - 1;
		if (n && !strcmp(argv[1], verbs[i])) {
			found = i;
			matches = 1;
			n = 0; /* an exact name: no more prefix matching */
		} else if (n && !strncmp(argv[1], verbs[i], n)) {
			found = i;
			matches++;
		}
	}
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		fprintf(ctl->out, "usage: wicketctl %s\n", ctl->synopsis);
		return CTL_OPT_HELP_SHOWN;
	}
	if (argc < 2 || argv[1][0] == '-')
		ctl_usage_error(ctl, "what to do with the %s? (%s)", what, list);
	else if (matches == 1)
		return found;
	else if (matches == 0)
		ctl_usage_error(ctl, "unknown verb '%s' (%s)", argv[1], list);
	else
		ctl_usage_error(ctl, "'%s' is ambiguous (%s)", argv[1], list);
	return CTL_OPT_BAD;
}

/* --- the request */

int ctl_call(struct ctl *ctl, const char *cmd, json_t *args, json_t **result)
{
	char err[512];
	int ret;

	if (!args) {
		fprintf(ctl->err, "wicketctl: out of memory\n");
		return CTL_FAILED;
	}
	ret = control_call(ctl->socket, cmd, args, ctl->timeout_ms, result, err, sizeof(err));
	json_decref(args);
	if (ret == 0)
		return CTL_OK;
	fprintf(ctl->err, "wicketctl: %s\n", err);
	switch (ret) {
	case -EREMOTEIO: /* the daemon's own error */
	case -EBADMSG: /* an answer that is not one */
	case -EMSGSIZE: /* an answer too long to take */
	case -ENOMEM:
		return CTL_FAILED;
	default: /* not running, no socket, not staff, no answer in time */
		return CTL_UNREACHABLE;
	}
}

int ctl_print_json(struct ctl *ctl, const json_t *result)
{
	int ret = json_dumpf(result, ctl->out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	fputc('\n', ctl->out);
	return ret ? CTL_FAILED : CTL_OK;
}

int ctl_bad_answer(struct ctl *ctl, const char *cmd)
{
	fprintf(ctl->err,
		"wicketctl: wicketd's answer to %s is not what this wicketctl expects: are wicketd and "
		"wicketctl of the same release? (wicketctl --json %s shows the answer)\n",
		cmd, cmd);
	return CTL_FAILED;
}

int ctl_request(struct ctl *ctl, const char *cmd, json_t *args, json_type want, json_t **result, int *ret)
{
	*ret = ctl_call(ctl, cmd, args, result);
	if (*ret)
		return 0;
	if (ctl->json)
		*ret = ctl_print_json(ctl, *result);
	else if (json_typeof(*result) != want)
		*ret = ctl_bad_answer(ctl, cmd);
	else
		return 1;
	json_decref(*result);
	return 0;
}

/* --- formatting */

int ctl_print_table(struct ctl *ctl, struct table *t)
{
	int ret = table_print(t, ctl->out);

	table_free(t);
	if (ret)
		fprintf(ctl->err, "wicketctl: out of memory\n");
	return ret ? CTL_FAILED : CTL_OK;
}

const char *ctl_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "-";
}

long long ctl_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

const char *ctl_fmt_int(char buf[CTL_FMT_LEN], const json_t *v)
{
	if (!json_is_integer(v))
		return "-";
	snprintf(buf, CTL_FMT_LEN, "%lld", (long long)json_integer_value(v));
	return buf;
}

const char *ctl_fmt_bytes(char buf[CTL_FMT_LEN], const json_t *v)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	long long n = json_integer_value(v);
	double d;
	size_t u;

	if (!json_is_integer(v))
		return "-";
	if (n < 1024) {
		snprintf(buf, CTL_FMT_LEN, "%lld B", n);
		return buf;
	}
	d = (double)n / 1024;
	/* Whatever would print as 1024.0 is the next unit already. */
	for (u = 0; d >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0]); u++)
		d /= 1024;
	snprintf(buf, CTL_FMT_LEN, "%.1f %s", d, units[u]);
	return buf;
}

/* 45s, 12m05s, 1h02m, 3d04h; "-" for null. */
const char *ctl_fmt_duration(char buf[CTL_FMT_LEN], const json_t *v)
{
	long long s = json_integer_value(v);

	if (!json_is_integer(v))
		return "-";
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, CTL_FMT_LEN, "%llds", s);
	else if (s < 3600)
		snprintf(buf, CTL_FMT_LEN, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, CTL_FMT_LEN, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, CTL_FMT_LEN, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

const char *ctl_fmt_age(char buf[CTL_FMT_LEN], const json_t *v, time_t now)
{
	long long age;

	if (!json_is_integer(v))
		return "-";
	age = (long long)now - (long long)json_integer_value(v);
	if (age < 60)
		return "just now";
	if (age < 3600)
		snprintf(buf, CTL_FMT_LEN, "%lld min ago", age / 60);
	else if (age < 86400)
		snprintf(buf, CTL_FMT_LEN, "%lld h %02lld min ago", age / 3600, age % 3600 / 60);
	else
		snprintf(buf, CTL_FMT_LEN, "%lld day%s ago", age / 86400, age < 2 * 86400 ? "" : "s");
	return buf;
}

const char *ctl_fmt_charge(char buf[CTL_FMT_LEN], const json_t *session)
{
	const char *currency = json_string_value(json_object_get(session, "currency"));

	if (!currency)
		return "-";
	return ctl_fmt_money(buf, json_object_get(session, "charge"), currency);
}

int ctl_any_charge(const json_t *sessions)
{
	const json_t *s;
	size_t i;

	json_array_foreach(sessions, i, s)
	{
		if (json_object_get(s, "charge"))
			return 1;
	}
	return 0;
}

/* Unix seconds as local YYYY-MM-DD HH:MM; "-" for null. */
const char *ctl_fmt_time(char buf[CTL_FMT_LEN], const json_t *v)
{
	time_t t = (time_t)json_integer_value(v);
	struct tm tm;

	if (!json_is_integer(v) || !localtime_r(&t, &tm) ||
	    !strftime(buf, CTL_FMT_LEN, "%Y-%m-%d %H:%M", &tm))
		return "-";
	return buf;
}
