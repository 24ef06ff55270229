/* wicketctl pending, approve, reject: billing requests that wait for the staff's word. */
#include <limits.h>
#include <string.h>

#include "ctl.h"
#include "ctl_table.h"

#define REASON_MAX 127

int ctl_pending(struct ctl *ctl, int argc, char **argv)
{
	static const struct table_col cols[] = {
		{ "ID", 1 },   { "ASKED", 0 },  { "STATE", 0 }, { "PLAN", 0 }, { "METHOD", 0 },
		{ "ROOM", 0 }, { "DETAIL", 0 }, { "PORT", 0 },  { "MAC", 0 },  { "SESSION", 1 },
	};
	char b[3][CTL_FMT_LEN];
	time_t now = time(NULL);
	struct table *t;
	json_t *r, *q;
	size_t i;
	int ret;

	if (ctl_no_args(ctl, argc, argv, &ret))
		return ret;
	if (!ctl_request(ctl, "pending", json_object(), JSON_ARRAY, &r, &ret))
		return ret;
	if (!json_array_size(r)) {
		fprintf(ctl->out, "no request is waiting for approval\n");
		json_decref(r);
		return CTL_OK;
	}
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(r, i, q)
	{
		table_cell(t, "%s", ctl_fmt_int(b[0], json_object_get(q, "id")));
		table_cell(t, "%s", ctl_fmt_age(b[1], json_object_get(q, "created"), now));
		table_cell(t, "%s", ctl_str(q, "state"));
		table_cell(t, "%s", ctl_str(q, "plan"));
		table_cell(t, "%s", ctl_str(q, "method"));
		table_cell(t, "%s", ctl_str(q, "room"));
		table_cell(t, "%s", ctl_str(q, "detail"));
		table_cell(t, "%s", ctl_str(q, "port"));
		table_cell(t, "%s", ctl_str(q, "mac"));
		table_cell(t, "%s", ctl_fmt_int(b[2], json_object_get(q, "session")));
	}
	ret = ctl_print_table(ctl, t);
	json_decref(r);
	return ret;
}

/* approve and reject: the same request but for its name and the reason. */
static int decide(struct ctl *ctl, int argc, char **argv, const char *cmd, const char *done)
{
	static const struct option approve_opts[] = {
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct option reject_opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL;
	long long id;
	json_t *args, *r;
	int c, ret;

	while ((c = ctl_getopt(ctl, argc, argv, strcmp(cmd, "reject") ? approve_opts : reject_opts)) > 0)
		reason = optarg;
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind == argc)
		return ctl_usage_error(ctl, "ID missing: which request? (wicketctl pending lists them)");
	if (argc - optind > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind + 1]);
	if (ctl_parse_int(argv[optind], 1, LLONG_MAX, &id))
		return ctl_usage_error(ctl, "ID '%s' is not a request number (wicketctl pending lists them)",
				       argv[optind]);
	if (reason && ctl_parse_text(reason, REASON_MAX))
		return ctl_usage_error(ctl, "--reason: 1 to %d characters, no control characters",
				       REASON_MAX);
	args = json_pack("{s:I}", "id", (json_int_t)id);
	if (args && reason)
		json_object_set_new(args, "reason", json_string(reason));
	if (!ctl_request(ctl, cmd, args, JSON_OBJECT, &r, &ret))
		return ret;
	reason = json_string_value(json_object_get(r, "reason"));
	fprintf(ctl->out, "%s request %lld (session %lld, %s)%s%s\n", done, ctl_int(r, "id"),
		ctl_int(r, "session"), ctl_str(r, "mac"), reason ? ": " : "", reason ? reason : "");
	json_decref(r);
	return ret;
}

int ctl_approve(struct ctl *ctl, int argc, char **argv)
{
	return decide(ctl, argc, argv, "approve", "approved");
}

int ctl_reject(struct ctl *ctl, int argc, char **argv)
{
	return decide(ctl, argc, argv, "reject", "rejected");
}
