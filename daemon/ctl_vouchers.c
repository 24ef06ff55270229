/* wicketctl vouchers, vouchers create: codes the front desk hands out. */
#include <ctype.h>
#include <string.h>

#include "ctl.h"
#include "ctl_csv.h"
#include "ctl_table.h"

#define COUNT_MAX 10000
#define DEVICES_MAX 1000
#define BATCH_MAX 32

/* "ABCDEFGH23" as "ABCDE-FGH23": groups of five are easier to read out and type. */
static const char *fmt_code(char buf[CTL_FMT_LEN], const char *code)
{
	size_t len = 0;

	for (size_t i = 0; code[i] && len + 2 < CTL_FMT_LEN; i++) {
		if (i && i % 5 == 0)
			buf[len++] = '-';
		buf[len++] = code[i];
	}
	buf[len] = '\0';
	return buf;
}

static int valid_batch(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > BATCH_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

static int csv_and_json(struct ctl *ctl, int csv)
{
	if (csv && ctl->json)
		return ctl_usage_error(ctl, "--csv or --json: choose one");
	return CTL_OK;
}

static int vouchers_create(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "devices", required_argument, NULL, 'd' },
		{ "csv", no_argument, NULL, 'C' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct table_col cols[] = { { "CODE", 0 }, { "PLAN", 0 }, { "DEVICES", 1 } };
	long long count = 0, devices = 1;
	const char *plan = NULL, *batch;
	char b[2][CTL_FMT_LEN];
	int c, csv = 0, ret;
	json_t *r, *vouchers, *v;
	struct table *t;
	size_t i;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'p')
			plan = optarg;
		else if (c == 'C')
			csv = 1;
		else if (c == 'n' && ctl_parse_int(optarg, 1, COUNT_MAX, &count))
			return ctl_usage_error(ctl, "--count '%s' is not a number from 1 to %d", optarg,
					       COUNT_MAX);
		else if (c == 'd' && ctl_parse_int(optarg, 1, DEVICES_MAX, &devices))
			return ctl_usage_error(ctl, "--devices '%s' is not a number from 1 to %d", optarg,
					       DEVICES_MAX);
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	if (!plan)
		return ctl_usage_error(
			ctl, "--plan missing: vouchers for which plan? (wicketctl plans lists them)");
	if (ctl_parse_text(plan, CTL_NAME_MAX))
		return ctl_usage_error(ctl, "--plan '%s': 1 to %d characters, no control characters", plan,
				       CTL_NAME_MAX);
	if (!count)
		return ctl_usage_error(ctl, "--count missing: how many vouchers?");
	if ((ret = csv_and_json(ctl, csv)))
		return ret;
	if (!ctl_request(ctl, "vouchers_create",
			 json_pack("{s:s, s:I, s:I}", "plan", plan, "count", (json_int_t)count, "devices",
				   (json_int_t)devices),
			 JSON_OBJECT, &r, &ret))
		return ret;
	vouchers = json_object_get(r, "vouchers");
	batch = ctl_str(r, "batch");
	if (!json_is_array(vouchers)) {
		ret = ctl_bad_answer(ctl, "vouchers_create");
		goto out;
	}
	if (csv) {
		fputs("code,plan,devices,batch\n", ctl->out);
		json_array_foreach(vouchers, i, v)
		{
			csv_put(ctl->out, ctl_str(v, "code"), 0);
			csv_put(ctl->out, ctl_str(r, "plan"), 0);
			csv_put(ctl->out, ctl_fmt_int(b[0], json_object_get(v, "devices")), 0);
			csv_put(ctl->out, batch, 1);
		}
		goto out;
	}
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(vouchers, i, v)
	{
		table_cell(t, "%s", fmt_code(b[0], ctl_str(v, "code")));
		table_cell(t, "%s", ctl_str(r, "plan"));
		table_cell(t, "%s", ctl_fmt_int(b[1], json_object_get(v, "devices")));
	}
	ret = ctl_print_table(ctl, t);
	if (!ret)
		fprintf(ctl->out,
			"\n%zu voucher%s in batch %s (wicketctl vouchers --batch %s lists %s again)\n",
			json_array_size(vouchers), json_array_size(vouchers) == 1 ? "" : "s", batch, batch,
			json_array_size(vouchers) == 1 ? "it" : "them");
out:
	json_decref(r);
	return ret;
}

static int vouchers_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "csv", no_argument, NULL, 'C' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct table_col cols[] = {
		{ "CODE", 0 },  { "PLAN", 0 },    { "DEVICES", 1 }, { "USED", 1 },
		{ "BATCH", 0 }, { "CREATED", 0 }, { "REVOKED", 0 },
	};
	const char *batch = NULL;
	char b[5][CTL_FMT_LEN];
	int c, csv = 0, ret;
	struct table *t;
	json_t *r, *v;
	size_t i;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'b')
			batch = optarg;
		else if (c == 'C')
			csv = 1;
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	if (batch && !valid_batch(batch))
		return ctl_usage_error(ctl, "--batch '%s' is not a batch name (1 to %d of A-Z a-z 0-9 . _ -)",
				       batch, BATCH_MAX);
	if ((ret = csv_and_json(ctl, csv)))
		return ret;
	if (!ctl_request(ctl, "vouchers", batch ? json_pack("{s:s}", "batch", batch) : json_object(),
			 JSON_ARRAY, &r, &ret))
		return ret;
	if (csv) {
		fputs("code,plan,devices,batch,used,created,revoked\n", ctl->out);
		json_array_foreach(r, i, v)
		{
			const json_t *revoked = json_object_get(v, "revoked");

			csv_put(ctl->out, ctl_str(v, "code"), 0);
			csv_put(ctl->out, ctl_str(v, "plan"), 0);
			csv_put(ctl->out, ctl_fmt_int(b[0], json_object_get(v, "devices")), 0);
			csv_put(ctl->out, ctl_str(v, "batch"), 0);
			csv_put(ctl->out, ctl_fmt_int(b[1], json_object_get(v, "used")), 0);
			csv_put(ctl->out, ctl_fmt_time(b[2], json_object_get(v, "created")), 0);
			csv_put(ctl->out, json_is_integer(revoked) ? ctl_fmt_time(b[3], revoked) : "", 1);
		}
		json_decref(r);
		return CTL_OK;
	}
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(r, i, v)
	{
		table_cell(t, "%s", fmt_code(b[0], ctl_str(v, "code")));
		table_cell(t, "%s", ctl_str(v, "plan"));
		table_cell(t, "%s", ctl_fmt_int(b[1], json_object_get(v, "devices")));
		table_cell(t, "%s", ctl_fmt_int(b[2], json_object_get(v, "used")));
		table_cell(t, "%s", ctl_str(v, "batch"));
		table_cell(t, "%s", ctl_fmt_time(b[3], json_object_get(v, "created")));
		table_cell(t, "%s", ctl_fmt_time(b[4], json_object_get(v, "revoked")));
	}
	ret = ctl_print_table(ctl, t);
	json_decref(r);
	return ret;
}

/* vouchers [--batch B] [--csv] lists them; vouchers create ... makes new ones. */
int ctl_vouchers(struct ctl *ctl, int argc, char **argv)
{
	static const char *const verbs[] = { "create", NULL };
	int v;

	if (argc < 2 || argv[1][0] == '-') {
		ctl->synopsis =
			"vouchers [--batch B] [--csv] | vouchers create --plan NAME --count N [--devices D] "
			"[--csv]";
		return vouchers_list(ctl, argc, argv);
	}
	v = ctl_verb(ctl, argc, argv, verbs, "vouchers");
	if (v < 0)
		return ctl_opt_exit(v);
	ctl->name = "vouchers create";
	ctl->synopsis = "vouchers create --plan NAME --count N [--devices D] [--csv]";
	return vouchers_create(ctl, argc - 1, argv + 1);
}
