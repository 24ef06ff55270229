/* wicketctl ports, port set: the access ports. */
#include <string.h>

#include "ctl.h"
#include "ctl_table.h"

int ctl_ports(struct ctl *ctl, int argc, char **argv)
{
	static const struct table_col cols[] = {
		{ "PORT", 0 }, { "IFINDEX", 1 }, { "ROOM", 0 }, { "MODE", 0 }, { "CLIENTS", 1 },
	};
	char b[2][CTL_FMT_LEN];
	struct table *t;
	json_t *r, *p;
	size_t i;
	int ret;

	if (ctl_no_args(ctl, argc, argv, &ret))
		return ret;
	if (!ctl_request(ctl, "ports", json_object(), JSON_ARRAY, &r, &ret))
		return ret;
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(r, i, p)
	{
		table_cell(t, "%s", ctl_str(p, "ifname"));
		table_cell(t, "%s", ctl_fmt_int(b[0], json_object_get(p, "ifindex")));
		table_cell(t, "%s", ctl_str(p, "room"));
		table_cell(t, "%s", ctl_str(p, "mode"));
		table_cell(t, "%s", ctl_fmt_int(b[1], json_object_get(p, "clients")));
	}
	ret = ctl_print_table(ctl, t);
	json_decref(r);
	return ret;
}

#define ROOM_MAX 64

static int valid_room(const char *room)
{
	if (strlen(room) > ROOM_MAX)
		return 0;
	for (; *room; room++)
		if ((unsigned char)*room < 0x20 || *room == 0x7f)
			return 0;
	return 1;
}

static int port_set(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "room", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'm' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *room = NULL, *mode = NULL;
	json_t *args, *r;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'r')
			room = optarg;
		else if (c == 'm')
			mode = optarg;
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind == argc)
		return ctl_usage_error(ctl, "IFACE missing: which port?");
	if (argc - optind > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind + 1]);
	if (ctl_parse_ifname(argv[optind]))
		return ctl_usage_error(ctl, "IFACE '%s' is not an interface name", argv[optind]);
	if (room && !valid_room(room))
		return ctl_usage_error(ctl, "--room: at most %d characters, no control characters", ROOM_MAX);
	if (mode && strcmp(mode, "charge") && strcmp(mode, "free") && strcmp(mode, "blocked"))
		return ctl_usage_error(ctl, "--mode '%s' is not one of charge, free, blocked", mode);
	if (!room && !mode)
		return ctl_usage_error(ctl, "nothing to set: give --room, --mode or both");

	args = json_pack("{s:s}", "ifname", argv[optind]);
	if (args && room)
		json_object_set_new(args, "room", json_string(room));
	if (args && mode)
		json_object_set_new(args, "mode", json_string(mode));
	ret = ctl_call(ctl, "port_set", args, &r);
	if (ret)
		return ret;
	if (ctl->json)
		ret = ctl_print_json(ctl, r);
	else if (!json_is_object(r))
		ret = ctl_bad_answer(ctl, "port_set");
	else
		fprintf(ctl->out, "port %s: room %s, mode %s\n", ctl_str(r, "ifname"), ctl_str(r, "room"),
			ctl_str(r, "mode"));
	json_decref(r);
	return ret;
}

/* port VERB ...: only `set` so far; prefixes of it will do. */
int ctl_port(struct ctl *ctl, int argc, char **argv)
{
	static const char set_synopsis[] = "port set IFACE [--room ROOM] [--mode charge|free|blocked]";

	ctl->synopsis = set_synopsis;
	if (argc < 2)
		return ctl_usage_error(ctl, "what to do with the port? (set)");
	if (!argv[1][0] || strncmp(argv[1], "set", strlen(argv[1])))
		return ctl_usage_error(ctl, "unknown verb '%s' (set)", argv[1]);
	ctl->name = "port set";
	return port_set(ctl, argc - 1, argv + 1);
}
