/* wicketctl report: the revenue of the sessions that ended in a time range. */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_csv.h"
#include "ctl_table.h"

static const char *const groupings[] = { "plan", "method", "room" };
#define NGROUPINGS (sizeof(groupings) / sizeof(groupings[0]))

/* The sums of one currency. */
struct total {
	const char *currency;
	long long sessions, charge, seconds, bytes;
};

static void put_row(struct table *t, const char *key, const char *currency, const json_t *sessions,
		    const json_t *seconds, const json_t *bytes, const json_t *charge)
{
	char b[4][CTL_FMT_LEN];

	table_cell(t, "%s", key);
	table_cell(t, "%s", ctl_fmt_int(b[0], sessions));
	table_cell(t, "%s", ctl_fmt_duration(b[1], seconds));
	table_cell(t, "%s", ctl_fmt_bytes(b[2], bytes));
	table_cell(t, "%s", ctl_fmt_money(b[3], charge, currency));
}

/* One grouping's table, with a total per currency under it. */
static int print_grouping(struct ctl *ctl, const char *by, const json_t *rows)
{
	static const char *const titles[] = { "PLAN", "METHOD", "ROOM" };
	struct table_col cols[] = {
		{ "", 0 }, { "SESSIONS", 1 }, { "TIME", 1 }, { "DATA", 1 }, { "CHARGE", 1 },
	};
	struct total *totals = calloc(json_array_size(rows) + 1, sizeof(*totals));
	size_t ntotals = 0, i, k;
	struct table *t;
	json_t *row;

	for (size_t g = 0; g < NGROUPINGS; g++)
		if (!strcmp(by, groupings[g]))
			cols[0].name = titles[g];
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	if (!totals) {
		table_free(t);
		fprintf(ctl->err, "wicketctl: out of memory\n");
		return CTL_FAILED;
	}
	json_array_foreach(rows, i, row)
	{
		const char *key = ctl_str(row, "key"), *currency = ctl_str(row, "currency");

		put_row(t, key[0] ? key : "(none)", currency, json_object_get(row, "sessions"),
			json_object_get(row, "seconds"), json_object_get(row, "bytes"),
			json_object_get(row, "charge"));
		for (k = 0; k < ntotals && strcmp(totals[k].currency, currency); k++)
			;
		if (k == ntotals)
			totals[ntotals++].currency = currency;
		totals[k].sessions += ctl_int(row, "sessions");
		totals[k].charge += ctl_int(row, "charge");
		totals[k].seconds += ctl_int(row, "seconds");
		totals[k].bytes += ctl_int(row, "bytes");
	}
	for (k = 0; k < ntotals; k++) {
		json_t *n[4] = { json_integer(totals[k].sessions), json_integer(totals[k].seconds),
				 json_integer(totals[k].bytes), json_integer(totals[k].charge) };

		put_row(t, "total", totals[k].currency, n[0], n[1], n[2], n[3]);
		for (i = 0; i < 4; i++)
			json_decref(n[i]);
	}
	if (!ntotals) {
		json_t *zero = json_integer(0);

		put_row(t, "total", NULL, zero, zero, zero, NULL);
		json_decref(zero);
	}
	free(totals);
	return ctl_print_table(ctl, t);
}

static void print_csv(struct ctl *ctl, const char *by, const json_t *rows)
{
	char b[CTL_FMT_LEN];
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		csv_put(ctl->out, by, 0);
		csv_put(ctl->out, ctl_str(row, "key"), 0);
		csv_put(ctl->out, ctl_str(row, "currency"), 0);
		csv_put(ctl->out, ctl_fmt_int(b, json_object_get(row, "sessions")), 0);
		csv_put(ctl->out, ctl_fmt_amount(b, ctl_int(row, "charge"), ctl_str(row, "currency")), 0);
		csv_put(ctl->out, ctl_fmt_int(b, json_object_get(row, "seconds")), 0);
		csv_put(ctl->out, ctl_fmt_int(b, json_object_get(row, "bytes")), 1);
	}
}

int ctl_report(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ "csv", no_argument, NULL, 'C' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *from_arg = NULL, *to_arg = NULL;
	json_t *results[NGROUPINGS] = { NULL };
	size_t first = 0, last = NGROUPINGS;
	time_t from, to = time(NULL);
	char b[2][CTL_FMT_LEN];
	int c, csv = 0, ret = CTL_OK;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'f')
			from_arg = optarg;
		else if (c == 't')
			to_arg = optarg;
		else if (c == 'C')
			csv = 1;
		else if (c == 'b') {
			for (first = 0; first < NGROUPINGS && strcmp(optarg, groupings[first]); first++)
				;
			if (first == NGROUPINGS)
				return ctl_usage_error(ctl, "--by '%s' is not one of plan, method, room",
						       optarg);
			last = first + 1;
		}
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	if (!from_arg)
		return ctl_usage_error(ctl, "--from missing: since when? (like --from 2024-05-01)");
	if (ctl_parse_time(from_arg, &from))
		return ctl_usage_error(
			ctl,
			"--from '%s' is not a time: unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM "
			"(local time)",
			from_arg);
	if (to_arg && ctl_parse_time_end(to_arg, &to))
		return ctl_usage_error(ctl,
				       "--to '%s' is not a time: unix seconds, YYYY-MM-DD (the whole day) or "
				       "YYYY-MM-DDTHH:MM (local time)",
				       to_arg);
	if (from >= to)
		return ctl_usage_error(ctl, "--from %s is not before --to %s", from_arg,
				       to_arg ? to_arg : "now");
	if (csv && ctl->json)
		return ctl_usage_error(ctl, "--csv or --json: choose one");

	/* Every answer first: a failure prints nothing but the error. */
	for (size_t g = first; g < last && !ret; g++) {
		ret = ctl_call(ctl, "report",
			       json_pack("{s:I, s:I, s:s}", "from", (json_int_t)from, "to", (json_int_t)to,
					 "by", groupings[g]),
			       &results[g]);
		if (!ret && !ctl->json && !json_is_array(results[g]))
			ret = ctl_bad_answer(ctl, "report");
	}
	if (ret)
		goto out;
	if (ctl->json && last - first == 1) {
		ret = ctl_print_json(ctl, results[first]);
	} else if (ctl->json) {
		json_t *all = json_object();

		for (size_t g = first; g < last; g++)
			json_object_set(all, groupings[g], results[g]);
		ret = ctl_print_json(ctl, all);
		json_decref(all);
	} else if (csv) {
		fputs("by,key,currency,sessions,charge,seconds,bytes\n", ctl->out);
		for (size_t g = first; g < last; g++)
			print_csv(ctl, groupings[g], results[g]);
	} else {
		json_t *f = json_integer((json_int_t)from), *t = json_integer((json_int_t)to);

		fprintf(ctl->out, "sessions that ended from %s until %s\n", ctl_fmt_time(b[0], f),
			ctl_fmt_time(b[1], t));
		json_decref(f);
		json_decref(t);
		for (size_t g = first; g < last && !ret; g++) {
			fputc('\n', ctl->out);
			ret = print_grouping(ctl, groupings[g], results[g]);
		}
	}
out:
	for (size_t g = 0; g < NGROUPINGS; g++)
		json_decref(results[g]);
	return ret;
}
