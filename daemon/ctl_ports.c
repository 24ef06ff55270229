/* wicketctl ports, port set, port reset: the access ports. */
#include <string.h>

#include "ctl.h"
#include "ctl_table.h"

int ctl_ports(struct ctl *ctl, int argc, char **argv)
{
	static const struct table_col cols[] = {
		{ "PORT", 0 }, { "IFINDEX", 1 }, { "ROOM", 0 },
		{ "MODE", 0 }, { "SET BY", 0 },  { "CLIENTS", 1 },
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
		table_cell(t, "%s", ctl_str(p, "set_by"));
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

/* Send a port request; print the port as it is now. */
static int port_request(struct ctl *ctl, const char *cmd, json_t *args)
{
	json_t *r;
	int ret;

	if (!ctl_request(ctl, cmd, args, JSON_OBJECT, &r, &ret))
		return ret;
	fprintf(ctl->out, "port %s: room %s, mode %s (set by %s)\n", ctl_str(r, "ifname"),
		json_is_string(json_object_get(r, "room")) ? ctl_str(r, "room") : "none", ctl_str(r, "mode"),
		ctl_str(r, "set_by"));
	json_decref(r);
	return ret;
}

/* The one IFACE operand after the options, or NULL with *ret the usage error. */
static const char *one_ifname(struct ctl *ctl, int argc, char **argv, int *ret)
{
	*ret = CTL_OK;
	if (optind == argc)
		*ret = ctl_usage_error(ctl, "IFACE missing: which port?");
	else if (argc - optind > 1)
		*ret = ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind + 1]);
	else if (ctl_parse_ifname(argv[optind]))
		*ret = ctl_usage_error(ctl, "IFACE '%s' is not an interface name", argv[optind]);
	return *ret == CTL_OK ? argv[optind] : NULL;
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
	const char *ifname;
	json_t *args;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'r')
			room = optarg;
		else if (c == 'm')
			mode = optarg;
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (!(ifname = one_ifname(ctl, argc, argv, &ret)))
		return ret;
	if (room && !valid_room(room))
		return ctl_usage_error(ctl, "--room: at most %d characters, no control characters", ROOM_MAX);
	if (mode && strcmp(mode, "charge") && strcmp(mode, "free") && strcmp(mode, "blocked"))
		return ctl_usage_error(ctl, "--mode '%s' is not one of charge, free, blocked", mode);
	if (!room && !mode)
		return ctl_usage_error(ctl, "nothing to set: give --room, --mode or both");

	args = json_pack("{s:s}", "ifname", ifname);
	if (args && room)
		json_object_set_new(args, "room", json_string(room));
	if (args && mode)
		json_object_set_new(args, "mode", json_string(mode));
	return port_request(ctl, "port_set", args);
}

static int port_reset(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0)
		;
	if (c < 0)
		return ctl_opt_exit(c);
	if (!(ifname = one_ifname(ctl, argc, argv, &ret)))
		return ret;
	return port_request(ctl, "port_reset", json_pack("{s:s}", "ifname", ifname));
}

/* port VERB ...: set or reset; prefixes of them will do. */
int ctl_port(struct ctl *ctl, int argc, char **argv)
{
	static const char *const verbs[] = { "set", "reset", NULL };
	static const struct {
		const char *name, *synopsis;
		int (*run)(struct ctl *ctl, int argc, char **argv);
	} run[] = {
		{ "port set", "port set IFACE [--room ROOM] [--mode charge|free|blocked]", port_set },
		{ "port reset", "port reset IFACE", port_reset },
	};
	int v;

	ctl->synopsis = "port set|reset IFACE ...";
	v = ctl_verb(ctl, argc, argv, verbs, "port");
	if (v < 0)
		return ctl_opt_exit(v);
	ctl->name = run[v].name;
	ctl->synopsis = run[v].synopsis;
	return run[v].run(ctl, argc - 1, argv + 1);
}
