/* wicketctl plans, plan add, plan set, plan retire: what guests can choose and pay for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_table.h"

static const char *const kinds[] = { "time", "data", "time+data", "until-checkout", "free", NULL };
static const char *const methods[] = { "free", "remote", "room", "staff", "voucher", NULL };

static int in_list(const char *const *list, const char *s, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, s, len))
			return 1;
	return 0;
}

/* --- the table */

static void put_list(FILE *f, const json_t *strings, const char *sep)
{
	size_t i;
	json_t *s;

	json_array_foreach(strings, i, s)
		fprintf(f, "%s%s", i ? sep : "", json_string_value(s) ? json_string_value(s) : "?");
}

/* "4.50 EUR +0.10/min +0.02/MB"; "free" when nothing is charged. */
static void put_price(FILE *f, const json_t *plan)
{
	const char *currency = json_string_value(json_object_get(plan, "currency"));
	long long per_minute = ctl_int(plan, "per_minute"), per_mb = ctl_int(plan, "per_mb");
	char b[CTL_FMT_LEN];

	if (!ctl_int(plan, "price") && !per_minute && !per_mb) {
		fputs("free", f);
		return;
	}
	fputs(ctl_fmt_money(b, json_object_get(plan, "price"), currency), f);
	if (per_minute)
		fprintf(f, " +%s/min", ctl_fmt_amount(b, per_minute, currency));
	if (per_mb)
		fprintf(f, " +%s/MB", ctl_fmt_amount(b, per_mb, currency));
}

/* "24h, 1.0 GB, idle 15m, keepalive 1m"; "until checkout"; "-" for none. */
static void put_limits(FILE *f, const json_t *plan)
{
	static const struct {
		const char *key, *label;
		int is_size;
	} limits[] = {
		{ "duration_s", "", 0 },
		{ "bytes", "", 1 },
		{ "idle_timeout_s", "idle ", 0 },
		{ "keepalive_s", "keepalive ", 0 },
	};
	const char *sep = "";
	char b[CTL_FMT_LEN];

	if (!strcmp(ctl_str(plan, "kind"), "until-checkout")) {
		fputs("until checkout", f);
		sep = ", ";
	}
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		long long v = ctl_int(plan, limits[i].key);

		if (v <= 0)
			continue;
		fprintf(f, "%s%s%s", sep, limits[i].label,
			limits[i].is_size ? ctl_fmt_size(b, v) : ctl_fmt_duration_arg(b, v));
		sep = ", ";
	}
	if (!*sep)
		fputs("-", f);
}

/* "everywhere", "lan.101, room 102", "nowhere"; "retired 2024-05-01 08:30". */
static void put_offered(FILE *f, const json_t *plan)
{
	const json_t *offered = json_object_get(plan, "offered"), *retired = json_object_get(plan, "retired");
	char b[CTL_FMT_LEN];
	size_t i, n = 0;
	json_t *o;

	if (json_is_integer(retired)) {
		fprintf(f, "retired %s", ctl_fmt_time(b, retired));
		return;
	}
	json_array_foreach(offered, i, o)
	{
		if (!json_is_string(json_object_get(o, "port")) &&
		    !json_is_string(json_object_get(o, "room"))) {
			fputs("everywhere", f);
			return;
		}
	}
	json_array_foreach(offered, i, o)
	{
		if (json_is_string(json_object_get(o, "port")))
			fprintf(f, "%s%s", n++ ? ", " : "", ctl_str(o, "port"));
		if (json_is_string(json_object_get(o, "room")))
			fprintf(f, "%sroom %s", n++ ? ", " : "", ctl_str(o, "room"));
	}
	if (!n)
		fputs("nowhere", f);
}

/* One cell written by put(f, plan). */
static void cell(struct table *t, void (*put)(FILE *f, const json_t *plan), const json_t *plan)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f) {
		put(f, plan);
		fclose(f);
	}
	table_cell(t, "%s", text ? text : "?");
	free(text);
}

static void put_methods(FILE *f, const json_t *plan)
{
	put_list(f, json_object_get(plan, "methods"), ",");
}

static int print_plans(struct ctl *ctl, const json_t *plans)
{
	static const struct table_col cols[] = {
		{ "NAME", 0 },    { "KIND", 0 },   { "PRICE", 0 },
		{ "METHODS", 0 }, { "LIMITS", 0 }, { "OFFERED", 0 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_t *p;
	size_t i;

	json_array_foreach(plans, i, p)
	{
		table_cell(t, "%s", ctl_str(p, "name"));
		table_cell(t, "%s", ctl_str(p, "kind"));
		cell(t, put_price, p);
		cell(t, put_methods, p);
		cell(t, put_limits, p);
		cell(t, put_offered, p);
	}
	return ctl_print_table(ctl, t);
}

int ctl_plans(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, all = 0, ret;
	json_t *r;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0)
		all |= c == 'a';
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	if (!ctl_request(ctl, "plans", all ? json_pack("{s:b}", "all", 1) : json_object(), JSON_ARRAY, &r,
			 &ret))
		return ret;
	ret = print_plans(ctl, r);
	json_decref(r);
	return ret;
}

/* --- plan add, plan set */

/* The one NAME after the options: CTL_OK, or the usage error's code. */
static int one_name(struct ctl *ctl, int argc, char **argv)
{
	if (optind == argc)
		return ctl_usage_error(ctl, "NAME missing: which plan?");
	if (argc - optind > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s' (a NAME with blanks needs quotes)",
				       argv[optind + 1]);
	if (ctl_parse_text(argv[optind], CTL_NAME_MAX))
		return ctl_usage_error(ctl, "plan name '%s': 1 to %d characters, no control characters",
				       argv[optind], CTL_NAME_MAX);
	return CTL_OK;
}

/* What the options said, as typed; offered is NULL when none of --port, --room, --everywhere came. */
struct plan_opts {
	const char *kind, *price, *currency, *methods, *per_minute, *per_mb;
	const char *duration, *data, *idle, *keepalive;
	json_t *offered;
	int everywhere;
};

static const struct option plan_options[] = {
	{ "kind", required_argument, NULL, 'k' },
	{ "price", required_argument, NULL, 'p' },
	{ "currency", required_argument, NULL, 'c' },
	{ "methods", required_argument, NULL, 'M' },
	{ "per-minute", required_argument, NULL, 'u' },
	{ "per-mb", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 'd' },
	{ "data", required_argument, NULL, 'D' },
	{ "idle", required_argument, NULL, 'i' },
	{ "keepalive", required_argument, NULL, 'K' },
	{ "port", required_argument, NULL, 'P' },
	{ "room", required_argument, NULL, 'r' },
	{ "everywhere", no_argument, NULL, 'e' },
	CTL_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* An offer from --port (c is 'P'), --room ('r') or --everywhere ('e'): CTL_OK, or the usage error's code. */
static int add_offer(struct ctl *ctl, struct plan_opts *o, int c, const char *arg)
{
	if (c == 'P' && ctl_parse_ifname(arg))
		return ctl_usage_error(ctl, "--port '%s' is not an interface name (like lan.101)", arg);
	if (c == 'r' && ctl_parse_text(arg, CTL_ROOM_MAX))
		return ctl_usage_error(ctl, "--room: 1 to %d characters, no control characters",
				       CTL_ROOM_MAX);
	if (!o->offered)
		o->offered = json_array();
	if (c == 'e')
		o->everywhere = 1;
	else
		json_array_append_new(o->offered, json_pack("{s:s}", c == 'P' ? "port" : "room", arg));
	return CTL_OK;
}

/* Read the options: 0 with optind at NAME, or -1 with *ret the exit code (CTL_OK after --help). */
static int read_plan_opts(struct ctl *ctl, int argc, char **argv, struct plan_opts *o, int *ret)
{
	const char **slots[128] = {
		['k'] = &o->kind,       ['p'] = &o->price,     ['c'] = &o->currency, ['M'] = &o->methods,
		['u'] = &o->per_minute, ['b'] = &o->per_mb,    ['d'] = &o->duration, ['D'] = &o->data,
		['i'] = &o->idle,       ['K'] = &o->keepalive,
	};
	int c;

	*ret = CTL_OK;
	while ((c = ctl_getopt(ctl, argc, argv, plan_options)) > 0) {
		if (c < 128 && slots[c])
			*slots[c] = optarg;
		else if ((*ret = add_offer(ctl, o, c, optarg)))
			return -1;
	}
	if (c < 0)
		*ret = ctl_opt_exit(c);
	else if (!(*ret = one_name(ctl, argc, argv)) && o->everywhere && json_array_size(o->offered))
		*ret = ctl_usage_error(ctl, "--everywhere or --port/--room: choose one");
	return c < 0 || *ret ? -1 : 0;
}

static int check_methods(struct ctl *ctl, const char *list, json_t *out)
{
	const char *s = list;

	for (;;) {
		size_t len = strcspn(s, ",");
		size_t i;
		json_t *m;

		if (!in_list(methods, s, len))
			return ctl_usage_error(
				ctl,
				"--methods '%s': '%.*s' is not a way to pay (free, remote, room, "
				"staff, voucher; comma-separated, like room,voucher)",
				list, (int)len, s);
		json_array_foreach(out, i, m)
		{
			if (strlen(json_string_value(m)) == len && !strncmp(json_string_value(m), s, len))
				return ctl_usage_error(ctl, "--methods '%s': %.*s twice", list, (int)len, s);
		}
		json_array_append_new(out, json_stringn(s, len));
		if (!s[len])
			return CTL_OK;
		s += len + 1;
	}
}

static int add_money(struct ctl *ctl, json_t *args, const char *key, const char *opt, const char *arg,
		     const char *currency)
{
	long long minor;
	int err;

	if (!arg)
		return CTL_OK;
	err = ctl_parse_money(arg, currency, &minor);
	if (err == -EDOM && ctl_currency_exponent(currency) == 0)
		return ctl_usage_error(ctl, "--%s '%s': %s amounts have no decimals", opt, arg, currency);
	if (err == -EDOM)
		return ctl_usage_error(ctl, "--%s '%s': %s amounts have at most %d decimals", opt, arg,
				       currency, ctl_currency_exponent(currency));
	if (err == -ERANGE)
		return ctl_usage_error(ctl, "--%s '%s' is too large (at most %lld)", opt, arg,
				       CTL_MONEY_MAX_MAJOR);
	if (err)
		return ctl_usage_error(ctl,
				       "--%s '%s' is not an amount (digits, and a point before the decimals: "
				       "like 4.50)",
				       opt, arg);
	json_object_set_new(args, key, json_integer(minor));
	return CTL_OK;
}

static int add_duration(struct ctl *ctl, json_t *args, const char *key, const char *opt, const char *arg)
{
	long long secs;
	int err;

	if (!arg)
		return CTL_OK;
	err = ctl_parse_duration(arg, &secs);
	if (err == -ERANGE)
		return ctl_usage_error(ctl, "--%s '%s' is too long (at most %lldd)", opt, arg,
				       CTL_DURATION_MAX / 86400);
	if (err)
		return ctl_usage_error(ctl, "--%s '%s' is not a duration (like 45s, 90m, 24h, 2d or 1h30m)",
				       opt, arg);
	json_object_set_new(args, key, json_integer(secs));
	return CTL_OK;
}

static int add_size(struct ctl *ctl, json_t *args, const char *key, const char *opt, const char *arg)
{
	long long bytes;
	int err;

	if (!arg)
		return CTL_OK;
	err = ctl_parse_size(arg, &bytes);
	if (err == -ERANGE)
		return ctl_usage_error(ctl, "--%s '%s' is too large (at most 1000TB)", opt, arg);
	if (err)
		return ctl_usage_error(ctl, "--%s '%s' is not a size (like 500MB, 1.5GB or 1GiB)", opt, arg);
	json_object_set_new(args, key, json_integer(bytes));
	return CTL_OK;
}

/* Check the options and put them in args: CTL_OK, or the usage error's code. */
static int plan_args(struct ctl *ctl, const struct plan_opts *o, json_t *args)
{
	char currency[4] = "";
	json_t *list;
	int ret;

	if (o->kind && !in_list(kinds, o->kind, strlen(o->kind)))
		return ctl_usage_error(
			ctl, "--kind '%s' is not one of time, data, time+data, until-checkout, free",
			o->kind);
	if (o->kind)
		json_object_set_new(args, "kind", json_string(o->kind));
	if (o->currency && ctl_parse_currency(o->currency, currency))
		return ctl_usage_error(
			ctl, "--currency '%s' is not a currency code (three letters, like EUR)", o->currency);
	if (o->currency)
		json_object_set_new(args, "currency", json_string(currency));
	if (o->methods) {
		list = json_array();
		json_object_set_new(args, "methods", list);
		if ((ret = check_methods(ctl, o->methods, list)))
			return ret;
	}
	/* An amount's decimals depend on the currency: no guessing with money. */
	if ((o->price || o->per_minute || o->per_mb) && !o->currency)
		return ctl_usage_error(
			ctl, "--%s needs --currency too: the currency says how many decimals the amount has",
			o->price        ? "price"
			: o->per_minute ? "per-minute"
					: "per-mb");
	if ((ret = add_money(ctl, args, "price", "price", o->price, currency)) ||
	    (ret = add_money(ctl, args, "per_minute", "per-minute", o->per_minute, currency)) ||
	    (ret = add_money(ctl, args, "per_mb", "per-mb", o->per_mb, currency)) ||
	    (ret = add_duration(ctl, args, "duration_s", "duration", o->duration)) ||
	    (ret = add_size(ctl, args, "bytes", "data", o->data)) ||
	    (ret = add_duration(ctl, args, "idle_timeout_s", "idle", o->idle)) ||
	    (ret = add_duration(ctl, args, "keepalive_s", "keepalive", o->keepalive)))
		return ret;
	if (o->everywhere)
		json_object_set_new(args, "offered", json_pack("[{}]"));
	else if (o->offered)
		json_object_set(args, "offered", o->offered);
	return CTL_OK;
}

/* Send a plan request; print the plan as it is now. */
static int plan_request(struct ctl *ctl, const char *cmd, json_t *args)
{
	json_t *r, *one;
	int ret;

	if (!ctl_request(ctl, cmd, args, JSON_OBJECT, &r, &ret))
		return ret;
	one = json_pack("[o]", r);
	ret = print_plans(ctl, one);
	json_decref(one);
	return ret;
}

static int plan_add(struct ctl *ctl, int argc, char **argv)
{
	struct plan_opts o = { 0 };
	char missing[64] = "";
	json_t *args = NULL;
	int ret;

	if (read_plan_opts(ctl, argc, argv, &o, &ret))
		goto out;
	snprintf(missing, sizeof(missing), "%s%s%s%s", o.kind ? "" : ", --kind", o.price ? "" : ", --price",
		 o.currency ? "" : ", --currency", o.methods ? "" : ", --methods");
	if (missing[0]) {
		ret = ctl_usage_error(
			ctl, "missing %s (a new plan needs --kind, --price, --currency and --methods)",
			missing + 2);
		goto out;
	}
	args = json_pack("{s:s}", "name", argv[optind]);
	ret = plan_args(ctl, &o, args);
	if (ret)
		goto out;
	/* What each kind is limited by (the rest the daemon checks). */
	if (!o.duration && (!strcmp(o.kind, "time") || !strcmp(o.kind, "time+data"))) {
		ret = ctl_usage_error(ctl, "--kind %s needs --duration: how long (like 24h)", o.kind);
		goto out;
	}
	if (!o.data && (!strcmp(o.kind, "data") || !strcmp(o.kind, "time+data"))) {
		ret = ctl_usage_error(ctl, "--kind %s needs --data: how much (like 1GB)", o.kind);
		goto out;
	}
	if (!json_object_get(args, "offered"))
		json_object_set_new(args, "offered", json_pack("[{}]"));
	ret = plan_request(ctl, "plan_add", args);
	args = NULL;
out:
	json_decref(args);
	json_decref(o.offered);
	return ret;
}

static int plan_set(struct ctl *ctl, int argc, char **argv)
{
	struct plan_opts o = { 0 };
	json_t *args = NULL;
	int ret;

	if (read_plan_opts(ctl, argc, argv, &o, &ret))
		goto out;
	args = json_pack("{s:s}", "name", argv[optind]);
	ret = plan_args(ctl, &o, args);
	if (ret)
		goto out;
	if (json_object_size(args) == 1) {
		ret = ctl_usage_error(
			ctl, "nothing to set: give what changes (wicketctl plan set --help lists it)");
		goto out;
	}
	ret = plan_request(ctl, "plan_set", args);
	args = NULL;
out:
	json_decref(args);
	json_decref(o.offered);
	return ret;
}

static int plan_retire(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	json_t *r;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0)
		;
	if (c < 0)
		return ctl_opt_exit(c);
	if ((ret = one_name(ctl, argc, argv)))
		return ret;
	if (!ctl_request(ctl, "plan_retire", json_pack("{s:s}", "name", argv[optind]), JSON_OBJECT, &r, &ret))
		return ret;
	fprintf(ctl->out, "retired plan %s: guests can no longer choose it\n", ctl_str(r, "name"));
	json_decref(r);
	return ret;
}

#define PLAN_OPTIONS                                                                                         \
	"[--per-minute AMOUNT] [--per-mb AMOUNT] [--duration D] [--data SIZE] [--idle D] [--keepalive D] "   \
	"[--port IFACE]... [--room ROOM]... [--everywhere]"

/* plan VERB ...: add, set or retire; prefixes of them will do. */
int ctl_plan(struct ctl *ctl, int argc, char **argv)
{
	static const char *const verbs[] = { "add", "set", "retire", NULL };
	static const struct {
		const char *name, *synopsis;
		int (*run)(struct ctl *ctl, int argc, char **argv);
	} run[] = {
		{ "plan add",
		  "plan add NAME --kind KIND --price AMOUNT --currency CUR --methods LIST " PLAN_OPTIONS,
		  plan_add },
		{ "plan set",
		  "plan set NAME [--kind KIND] [--price AMOUNT] [--currency CUR] [--methods "
		  "LIST] " PLAN_OPTIONS " (an AMOUNT needs --currency)",
		  plan_set },
		{ "plan retire", "plan retire NAME", plan_retire },
	};
	int v = ctl_verb(ctl, argc, argv, verbs, "plan");

	if (v < 0)
		return ctl_opt_exit(v);
	ctl->name = run[v].name;
	ctl->synopsis = run[v].synopsis;
	return run[v].run(ctl, argc - 1, argv + 1);
}
