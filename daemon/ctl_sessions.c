/* wicketctl sessions, events: the history. */
#include "ctl.h"
#include "ctl_table.h"

int ctl_print_sessions(struct ctl *ctl, const json_t *sessions, int with_mac)
{
	/* CHARGE last: only when wicketd bills sessions (it sends "charge"). */
	static const struct table_col all[] = {
		{ "ID", 1 },    { "MAC", 0 },    { "PORT", 0 }, { "STATE", 0 }, { "STARTED", 0 },
		{ "ENDED", 0 }, { "REASON", 0 }, { "UP", 1 },   { "DOWN", 1 },  { "CHARGE", 1 },
	};
	/* Under one client's details: its MAC is said above the table. */
	static const struct table_col one[] = {
		{ "SESSION", 1 }, { "PORT", 0 }, { "STATE", 0 }, { "STARTED", 0 }, { "ENDED", 0 },
		{ "REASON", 0 },  { "UP", 1 },   { "DOWN", 1 },  { "CHARGE", 1 },
	};
	int charged = ctl_any_charge(sessions);
	struct table *t = with_mac ? table_new(all, sizeof(all) / sizeof(all[0]) - !charged)
				   : table_new(one, sizeof(one) / sizeof(one[0]) - !charged);
	char b[6][CTL_FMT_LEN];
	json_t *s;
	size_t i;

	json_array_foreach(sessions, i, s)
	{
		table_cell(t, "%s", ctl_fmt_int(b[0], json_object_get(s, "id")));
		if (with_mac)
			table_cell(t, "%s", ctl_str(s, "mac"));
		table_cell(t, "%s", ctl_str(s, "port"));
		table_cell(t, "%s", ctl_str(s, "state"));
		table_cell(t, "%s", ctl_fmt_time(b[1], json_object_get(s, "started")));
		table_cell(t, "%s", ctl_fmt_time(b[2], json_object_get(s, "ended")));
		table_cell(t, "%s", ctl_str(s, "end_reason"));
		table_cell(t, "%s", ctl_fmt_bytes(b[3], json_object_get(s, "up_bytes")));
		table_cell(t, "%s", ctl_fmt_bytes(b[4], json_object_get(s, "down_bytes")));
		if (charged)
			table_cell(t, "%s", ctl_fmt_charge(b[5], s));
	}
	return ctl_print_table(ctl, t);
}

int ctl_sessions(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "active", no_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	json_t *args, *r;
	time_t since;
	int c, ret;

	args = json_object();
	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'a') {
			json_object_set_new(args, "active", json_true());
		} else if (c == 's') {
			if (ctl_parse_time(optarg, &since)) {
				json_decref(args);
				return ctl_usage_error(
					ctl,
					"--since '%s' is not a time: unix seconds, YYYY-MM-DD or "
					"YYYY-MM-DDTHH:MM (local time)",
					optarg);
			}
			json_object_set_new(args, "since", json_integer((json_int_t)since));
		}
	}
	if (c < 0 || optind < argc) {
		json_decref(args);
		if (c < 0)
			return ctl_opt_exit(c);
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	}
	if (!ctl_request(ctl, "sessions", args, JSON_ARRAY, &r, &ret))
		return ret;
	ret = ctl_print_sessions(ctl, r, 1);
	json_decref(r);
	return ret;
}

#define EVENTS_MAX 10000

int ctl_events(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct table_col cols[] = {
		{ "AT", 0 },
		{ "SESSION", 1 },
		{ "EVENT", 0 },
		{ "DETAIL", 0 },
	};
	char b[2][CTL_FMT_LEN];
	json_t *args, *r, *e;
	long long limit = 0;
	struct table *t;
	size_t i;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'l' && ctl_parse_int(optarg, 1, EVENTS_MAX, &limit))
			return ctl_usage_error(ctl, "--limit '%s' is not a number from 1 to %d", optarg,
					       EVENTS_MAX);
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	args = limit ? json_pack("{s:I}", "limit", (json_int_t)limit) : json_object();
	if (!ctl_request(ctl, "events", args, JSON_ARRAY, &r, &ret))
		return ret;
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(r, i, e)
	{
		table_cell(t, "%s", ctl_fmt_time(b[0], json_object_get(e, "at")));
		table_cell(t, "%s", ctl_fmt_int(b[1], json_object_get(e, "session")));
		table_cell(t, "%s", ctl_str(e, "event"));
		table_cell(t, "%s", ctl_str(e, "detail"));
	}
	ret = ctl_print_table(ctl, t);
	json_decref(r);
	return ret;
}
