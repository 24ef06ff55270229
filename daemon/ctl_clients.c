/* wicketctl status, clients, client, kick, block, allow: the guests. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_table.h"

/* A key and its value, as status and client print them. */
static void field(struct ctl *ctl, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void field(struct ctl *ctl, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctl->out, "%-10s ", key);
	va_start(ap, fmt);
	vfprintf(ctl->out, fmt, ap);
	va_end(ap);
	fputc('\n', ctl->out);
}

/* "keepalives 12 taken on port 4444/udp, 3 refused (replay 2, bad-tag 1)" */
static void keepalive_field(struct ctl *ctl, json_t *k)
{
	long long refused = 0;
	const char *key;
	char why[256] = "";
	size_t len = 0;
	json_t *v;

	if (!json_is_object(k))
		return;
	json_object_foreach(k, key, v)
	{
		if (!strcmp(key, "port") || !strcmp(key, "ok") || !json_integer_value(v))
			continue;
		refused += json_integer_value(v);
		if (len < sizeof(why))
			len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s %lld", len ? ", " : "",
						key, (long long)json_integer_value(v));
	}
	if (refused)
		field(ctl, "keepalives", "%lld taken on port %lld/udp, %lld refused (%s)", ctl_int(k, "ok"),
		      ctl_int(k, "port"), refused, why);
	else
		field(ctl, "keepalives", "%lld taken on port %lld/udp", ctl_int(k, "ok"), ctl_int(k, "port"));
}

/* "accounting 3 records waiting for the RADIUS server (oldest 2024-05-01 08:30), 120 sent" */
static void accounting_field(struct ctl *ctl, json_t *a)
{
	char when[CTL_FMT_LEN];

	if (!json_is_object(a))
		return;
	if (!json_is_true(json_object_get(a, "server")))
		field(ctl, "accounting", "%lld records kept: no [radius] server configured",
		      ctl_int(a, "unacked"));
	else if (ctl_int(a, "unacked"))
		field(ctl, "accounting",
		      "%lld records waiting for the RADIUS server (oldest %s), %lld acknowledged",
		      ctl_int(a, "unacked"), ctl_fmt_time(when, json_object_get(a, "oldest")),
		      ctl_int(a, "acked"));
	else
		field(ctl, "accounting", "all delivered, %lld acknowledged since start", ctl_int(a, "acked"));
}

int ctl_status(struct ctl *ctl, int argc, char **argv)
{
	json_t *r, *module, *clients;
	char up[CTL_FMT_LEN];
	int ret;

	if (ctl_no_args(ctl, argc, argv, &ret))
		return ret;
	ret = ctl_call(ctl, "status", json_object(), &r);
	if (ret)
		return ret;
	if (ctl->json) {
		ret = ctl_print_json(ctl, r);
		goto out;
	}
	module = json_object_get(r, "module");
	clients = json_object_get(r, "clients");
	if (!json_is_object(r) || !json_is_object(clients)) {
		ret = ctl_bad_answer(ctl, "status");
		goto out;
	}
	field(ctl, "wicketd", "%s, up %s", ctl_str(r, "version"),
	      ctl_fmt_duration(up, json_object_get(r, "uptime_s")));
	if (json_is_object(module))
		field(ctl, "wicket.ko", "%s (protocol %lld)", ctl_str(module, "release"),
		      ctl_int(module, "protocol"));
	else
		field(ctl, "wicket.ko", "not loaded");
	field(ctl, "clients", "%lld: %lld authorized, %lld provisional, %lld captive, %lld blocked",
	      ctl_int(clients, "total"), ctl_int(clients, "authorized"), ctl_int(clients, "provisional"),
	      ctl_int(clients, "captive"), ctl_int(clients, "blocked"));
	field(ctl, "sessions", "%lld active", ctl_int(r, "sessions_active"));
	field(ctl, "ports", "%lld", ctl_int(r, "ports"));
	field(ctl, "firewall", "%s", ctl_str(r, "firewall"));
	keepalive_field(ctl, json_object_get(r, "keepalives"));
	accounting_field(ctl, json_object_get(r, "accounting"));
	if (json_is_object(json_object_get(r, "portal")))
		field(ctl, "portal", "certificate %s", ctl_str(json_object_get(r, "portal"), "fingerprint"));
out:
	json_decref(r);
	return ret;
}

/* "10.0.1.23, fe80::1" */
static char *join_addrs(const json_t *addrs)
{
	size_t len = 1, i;
	json_t *a;
	char *s;

	json_array_foreach(addrs, i, a) len += strlen(json_string_value(a) ? json_string_value(a) : "") + 2;
	s = calloc(1, len);
	if (!s)
		return NULL;
	json_array_foreach(addrs, i, a)
	{
		if (i)
			strcat(s, ", ");
		strcat(s, json_string_value(a) ? json_string_value(a) : "");
	}
	return s;
}

int ctl_clients(struct ctl *ctl, int argc, char **argv)
{
	static const struct table_col cols[] = {
		{ "ID", 1 },    { "MAC", 0 },     { "PORT", 0 },      { "ROOM", 0 },
		{ "STATE", 0 }, { "SESSION", 1 }, { "LEFT", 1 },      { "IDLE", 1 },
		{ "UP", 1 },    { "DOWN", 1 },    { "ADDRESSES", 0 },
	};
	char b[6][CTL_FMT_LEN];
	struct table *t;
	json_t *r, *c;
	size_t i;
	int ret;

	if (ctl_no_args(ctl, argc, argv, &ret))
		return ret;
	if (!ctl_request(ctl, "clients", json_object(), JSON_ARRAY, &r, &ret))
		return ret;
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(r, i, c)
	{
		char *addrs = join_addrs(json_object_get(c, "addrs"));

		table_cell(t, "%s", ctl_fmt_int(b[0], json_object_get(c, "id")));
		table_cell(t, "%s", ctl_str(c, "mac"));
		table_cell(t, "%s", ctl_str(c, "port"));
		table_cell(t, "%s", ctl_str(c, "room"));
		table_cell(t, "%s", ctl_str(c, "state"));
		table_cell(t, "%s", ctl_fmt_int(b[1], json_object_get(c, "session")));
		table_cell(t, "%s", ctl_fmt_duration(b[2], json_object_get(c, "remaining_s")));
		table_cell(t, "%s", ctl_fmt_duration(b[3], json_object_get(c, "idle_s")));
		table_cell(t, "%s", ctl_fmt_bytes(b[4], json_object_get(c, "up_bytes")));
		table_cell(t, "%s", ctl_fmt_bytes(b[5], json_object_get(c, "down_bytes")));
		table_cell(t, "%s", addrs && addrs[0] ? addrs : "-");
		free(addrs);
	}
	ret = ctl_print_table(ctl, t);
	json_decref(r);
	return ret;
}

/* "charged 12.50 EUR, 3.00 USD": the client's sessions summed per currency. */
static void charged_field(struct ctl *ctl, json_t *charged)
{
	char line[256] = "", b[CTL_FMT_LEN];
	size_t len = 0, i;
	json_t *c;

	if (!json_array_size(charged))
		return;
	json_array_foreach(charged, i, c)
	{
		if (len < sizeof(line))
			len += (size_t)snprintf(
				line + len, sizeof(line) - len, "%s%s", i ? ", " : "",
				ctl_fmt_money(b, json_object_get(c, "charge"), ctl_str(c, "currency")));
	}
	field(ctl, "charged", "%s", line);
}

int ctl_client(struct ctl *ctl, int argc, char **argv)
{
	char mac[18], b[4][CTL_FMT_LEN], *addrs;
	const char *room;
	json_t *r;
	int ret;

	/* `client show MAC` reads as staff say it; `client MAC` is the same. */
	if (argc > 1 && !strcmp(argv[1], "show")) {
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (ctl_one_mac(ctl, argc, argv, mac, &ret))
		return ret;
	if (!ctl_request(ctl, "client", json_pack("{s:s}", "mac", mac), JSON_OBJECT, &r, &ret))
		return ret;
	room = json_string_value(json_object_get(r, "room"));
	addrs = join_addrs(json_object_get(r, "addrs"));
	field(ctl, "client", "%s (id %s)", ctl_str(r, "mac"), ctl_fmt_int(b[0], json_object_get(r, "id")));
	field(ctl, "port", "%s%s%s%s", ctl_str(r, "port"), room ? " (room " : "", room ? room : "",
	      room ? ")" : "");
	field(ctl, "addresses", "%s", addrs && addrs[0] ? addrs : "-");
	free(addrs);
	if (json_is_integer(json_object_get(r, "session")))
		field(ctl, "state", "%s, session %lld, %s left", ctl_str(r, "state"), ctl_int(r, "session"),
		      ctl_fmt_duration(b[1], json_object_get(r, "remaining_s")));
	else
		field(ctl, "state", "%s", ctl_str(r, "state"));
	field(ctl, "traffic", "%s up, %s down", ctl_fmt_bytes(b[2], json_object_get(r, "up_bytes")),
	      ctl_fmt_bytes(b[3], json_object_get(r, "down_bytes")));
	field(ctl, "idle", "%s", ctl_fmt_duration(b[0], json_object_get(r, "idle_s")));
	charged_field(ctl, json_object_get(r, "charged"));
	fputc('\n', ctl->out);
	ret = ctl_print_sessions(ctl, json_object_get(r, "sessions"), 0);
	json_decref(r);
	return ret;
}

int ctl_kick(struct ctl *ctl, int argc, char **argv)
{
	char mac[18];
	json_t *r;
	int ret;

	if (ctl_one_mac(ctl, argc, argv, mac, &ret))
		return ret;
	ret = ctl_call(ctl, "kick", json_pack("{s:s}", "mac", mac), &r);
	if (ret)
		return ret;
	if (ctl->json)
		ret = ctl_print_json(ctl, r);
	else if (!json_is_object(r))
		ret = ctl_bad_answer(ctl, "kick");
	else if (json_is_integer(json_object_get(r, "session")))
		fprintf(ctl->out, "kicked %s (session %lld ended)\n", ctl_str(r, "mac"),
			ctl_int(r, "session"));
	else
		fprintf(ctl->out, "kicked %s (it had no session)\n", ctl_str(r, "mac"));
	json_decref(r);
	return ret;
}

/* block and unblock: the same request but for its name. */
static int block_command(struct ctl *ctl, int argc, char **argv, const char *cmd, const char *done)
{
	char mac[18];
	json_t *r;
	int ret;

	if (ctl_one_mac(ctl, argc, argv, mac, &ret))
		return ret;
	if (!ctl_request(ctl, cmd, json_pack("{s:s}", "mac", mac), JSON_OBJECT, &r, &ret))
		return ret;
	if (json_is_integer(json_object_get(r, "session")))
		fprintf(ctl->out, "%s %s (session %lld ended)\n", done, ctl_str(r, "mac"),
			ctl_int(r, "session"));
	else
		fprintf(ctl->out, "%s %s\n", done, ctl_str(r, "mac"));
	json_decref(r);
	return ret;
}

int ctl_block(struct ctl *ctl, int argc, char **argv)
{
	return block_command(ctl, argc, argv, "block", "blocked");
}

int ctl_unblock(struct ctl *ctl, int argc, char **argv)
{
	return block_command(ctl, argc, argv, "unblock", "unblocked");
}

/* Up to 366 days. */
#define ALLOW_MAX_MINUTES (366 * 24 * 60)

int ctl_allow(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "minutes", required_argument, NULL, 'm' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	long long minutes = 0;
	char mac[18];
	json_t *r;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'm' && ctl_parse_int(optarg, 1, ALLOW_MAX_MINUTES, &minutes))
			return ctl_usage_error(ctl,
					       "--minutes '%s' is not a whole number of minutes from 1 to %d",
					       optarg, ALLOW_MAX_MINUTES);
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind == argc)
		return ctl_usage_error(ctl, "MAC address missing");
	if (argc - optind > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind + 1]);
	if (ctl_parse_mac(argv[optind], mac))
		return ctl_usage_error(
			ctl, "MAC '%s' is not a MAC address (six hex pairs, like 02:00:5e:00:53:01)",
			argv[optind]);
	if (!minutes)
		return ctl_usage_error(ctl, "--minutes missing: for how long?");
	ret = ctl_call(ctl, "allow", json_pack("{s:s, s:I}", "mac", mac, "minutes", (json_int_t)minutes), &r);
	if (ret)
		return ret;
	if (ctl->json)
		ret = ctl_print_json(ctl, r);
	else if (!json_is_object(r))
		ret = ctl_bad_answer(ctl, "allow");
	else
		fprintf(ctl->out, "allowed %s for %lld minute%s (session %lld)\n", ctl_str(r, "mac"), minutes,
			minutes == 1 ? "" : "s", ctl_int(r, "session"));
	json_decref(r);
	return ret;
}
