/*
 * wicketctl top: the gateway live, refreshed every --interval seconds
 * until interrupted (or --count frames): the metrics (metrics.h) with
 * their rates since the previous frame, then the busiest clients by
 * traffic. On a terminal each frame replaces the last; otherwise frames
 * follow each other, separated by a blank line. --json prints one line of
 * JSON per frame: {"metrics": ..., "rates": ..., "clients": [...]} with
 * per-client "up_bps" and "down_bps" (bytes per second; null in the
 * first frame).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_table.h"

#define TOP_DEFAULT_LIMIT 20

struct top {
	struct ctl *ctl;
	double interval;
	long long count; /* frames; 0: until interrupted */
	long long limit; /* client rows */
	int tty;
	json_t *prev_metrics; /* the previous frame's, or NULL */
	json_t *prev_bytes; /* MAC|port → [up, down] of the previous frame */
	double prev_at, at; /* CLOCK_MONOTONIC seconds */
};

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counter at path (keys, NULL-terminated) in m: -1 when absent. */
static long long counter(const json_t *m, const char *const *path)
{
	for (; m && *path; path++)
		m = json_object_get(m, *path);
	return json_is_integer(m) ? (long long)json_integer_value(m) : -1;
}

/* The rate of the counter at path since the previous frame; NAN in the first frame. */
static double rate(struct top *t, const json_t *m, const char *const *path)
{
	long long now = counter(m, path), before = t->prev_metrics ? counter(t->prev_metrics, path) : -1;

	if (now < 0 || before < 0 || t->at <= t->prev_at)
		return NAN;
	/* A restarted wicketd counts from 0 again. */
	return (double)(now >= before ? now - before : now) / (t->at - t->prev_at);
}

static const char *fmt_rate(char buf[CTL_FMT_LEN], double r)
{
	if (isnan(r))
		snprintf(buf, CTL_FMT_LEN, "-");
	else
		snprintf(buf, CTL_FMT_LEN, "%.1f/s", r);
	return buf;
}

/* Bytes per second in decimal units, as link speeds are given: "850 B/s", "1.2 MB/s". */
static const char *fmt_byte_rate(char buf[CTL_FMT_LEN], double r)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB" };
	size_t u = 0;

	if (isnan(r)) {
		snprintf(buf, CTL_FMT_LEN, "-");
		return buf;
	}
	if (r < 999.5) {
		snprintf(buf, CTL_FMT_LEN, "%.0f B/s", r);
		return buf;
	}
	r /= 1000;
	for (; r >= 999.95 && u + 1 < sizeof(units) / sizeof(units[0]); u++)
		r /= 1000;
	snprintf(buf, CTL_FMT_LEN, "%.1f %s/s", r, units[u]);
	return buf;
}

/* "name count (rate)" for each key of the object at path, skipping zeros when skip_zero. */
static void print_counts(struct top *t, const json_t *m, const char *key, const char *sub, int skip_zero,
			 const char *leave_out)
{
	const json_t *obj = json_object_get(m, key);
	const char *name;
	json_t *v;
	int any = 0;

	if (sub)
		obj = json_object_get(obj, sub);
	json_object_foreach((json_t *)obj, name, v)
	{
		const char *path[] = { key, sub ? sub : name, sub ? name : NULL, NULL };
		char r[CTL_FMT_LEN];

		if ((skip_zero && json_integer_value(v) == 0) || (leave_out && !strcmp(name, leave_out)))
			continue;
		fprintf(t->ctl->out, "%s%s %lld (%s)", any ? ", " : " ", name,
			(long long)json_integer_value(v), fmt_rate(r, rate(t, m, path)));
		any = 1;
	}
	if (!any)
		fprintf(t->ctl->out, " none");
}

static void print_header(struct top *t, const json_t *m)
{
	FILE *out = t->ctl->out;
	const json_t *c = json_object_get(m, "clients"), *a = json_object_get(m, "accounting");
	json_t *uptime = json_object_get(m, "uptime_s"), *oldest = json_object_get(a, "oldest_s");
	static const char *const started[] = { "sessions", "started", NULL };
	static const char *const ka_ok[] = { "keepalives", "ok", NULL };
	char b[3][CTL_FMT_LEN];
	time_t now = time(NULL);
	struct tm tm;
	const char *method;
	json_t *results;
	int any = 0;

	localtime_r(&now, &tm);
	strftime(b[0], sizeof(b[0]), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "wicket.ko %s, wicketd up %s, every %gs, %s\n", ctl_str(m, "module"),
		ctl_fmt_duration(b[1], uptime), t->interval, b[0]);
	fprintf(out, "clients     %lld authorized, %lld provisional, %lld captive, %lld blocked (%lld)\n",
		ctl_int(c, "authorized"), ctl_int(c, "provisional"), ctl_int(c, "captive"),
		ctl_int(c, "blocked"), ctl_int(c, "total"));
	fprintf(out, "sessions    %lld active, %lld started (%s); ended:",
		ctl_int(json_object_get(m, "sessions"), "active"),
		ctl_int(json_object_get(m, "sessions"), "started"), fmt_rate(b[1], rate(t, m, started)));
	print_counts(t, m, "sessions", "ended", 0, NULL);
	fprintf(out, "\nkeepalives  ok %lld (%s); rejected:", counter(m, ka_ok),
		fmt_rate(b[1], rate(t, m, ka_ok)));
	/* The refusals that happened, by reason. */
	print_counts(t, m, "keepalives", NULL, 1, "ok");
	fprintf(out, "\napprovals  ");
	json_object_foreach(json_object_get(m, "approvals"), method, results)
	{
		long long ok = ctl_int(results, "approved"), no = ctl_int(results, "rejected"),
			  temp = ctl_int(results, "provisional");

		if (ok + no + temp == 0)
			continue;
		fprintf(out, "%s %s: %lld approved, %lld rejected, %lld temporary", any ? ";" : "", method,
			ok, no, temp);
		any = 1;
	}
	fprintf(out, "%s\naccounting  %lld waiting (oldest %s), %lld sent, %lld acked, %lld failed\n",
		any ? "" : " none", ctl_int(a, "outbox"),
		json_is_integer(oldest) ? ctl_fmt_duration(b[2], oldest) : "-", ctl_int(a, "sent"),
		ctl_int(a, "acked"), ctl_int(a, "failed"));
	fprintf(out, "drops      ");
	print_counts(t, m, "kernel_drops", NULL, 0, NULL);
	fprintf(out, "\n\n");
}

/* Each client's byte rates since the previous frame (null in the first), set on it; and remembered. */
static json_t *add_rates(struct top *t, json_t *clients)
{
	json_t *bytes = json_object(), *c;
	size_t i;

	json_array_foreach(clients, i, c)
	{
		long long up = ctl_int(c, "up_bytes"), down = ctl_int(c, "down_bytes");
		json_t *was;
		char key[64];

		snprintf(key, sizeof(key), "%s|%s", ctl_str(c, "mac"), ctl_str(c, "port"));
		was = t->prev_bytes ? json_object_get(t->prev_bytes, key) : NULL;
		if (was && t->at > t->prev_at) {
			long long up0 = json_integer_value(json_array_get(was, 0)),
				  down0 = json_integer_value(json_array_get(was, 1));
			/* A new session counts from 0: its rate is what it did since. */
			double dt = t->at - t->prev_at;

			json_object_set_new(c, "up_bps", json_real((double)(up >= up0 ? up - up0 : up) / dt));
			json_object_set_new(c, "down_bps",
					    json_real((double)(down >= down0 ? down - down0 : down) / dt));
		} else {
			json_object_set_new(c, "up_bps", json_null());
			json_object_set_new(c, "down_bps", json_null());
		}
		json_object_set_new(bytes, key, json_pack("[I, I]", (json_int_t)up, (json_int_t)down));
	}
	json_decref(t->prev_bytes);
	t->prev_bytes = bytes;
	return clients;
}

static double busy(const json_t *c)
{
	const json_t *up = json_object_get(c, "up_bps"), *down = json_object_get(c, "down_bps");

	return (json_is_real(up) ? json_real_value(up) : 0) +
	       (json_is_real(down) ? json_real_value(down) : 0);
}

/* Busiest first; then most bytes; then by MAC, so that rows stay put. */
static int by_busy(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double bx = busy(x), by = busy(y);
	long long tx = ctl_int(x, "up_bytes") + ctl_int(x, "down_bytes"),
		  ty = ctl_int(y, "up_bytes") + ctl_int(y, "down_bytes");

	if (bx != by)
		return bx < by ? 1 : -1;
	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(ctl_str(x, "mac"), ctl_str(y, "mac"));
}

static double bps(const json_t *c, const char *key)
{
	const json_t *v = json_object_get(c, key);

	return json_is_real(v) ? json_real_value(v) : NAN;
}

static int print_clients(struct top *t, json_t *clients)
{
	static const struct table_col cols[] = {
		{ "MAC", 0 },    { "PORT", 0 }, { "ROOM", 0 }, { "STATE", 0 }, { "UP/S", 1 },
		{ "DOWN/S", 1 }, { "UP", 1 },   { "DOWN", 1 }, { "LEFT", 1 },
	};
	size_t n = json_array_size(clients), shown;
	json_t **rows = calloc(n ? n : 1, sizeof(*rows));
	struct table *tab;
	char b[5][CTL_FMT_LEN];

	if (!rows)
		return CTL_FAILED;
	for (size_t i = 0; i < n; i++)
		rows[i] = json_array_get(clients, i);
	qsort(rows, n, sizeof(*rows), by_busy);
	shown = t->limit > 0 && (size_t)t->limit < n ? (size_t)t->limit : n;
	tab = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < shown; i++) {
		const json_t *c = rows[i];

		table_cell(tab, "%s", ctl_str(c, "mac"));
		table_cell(tab, "%s", ctl_str(c, "port"));
		table_cell(tab, "%s", ctl_str(c, "room"));
		table_cell(tab, "%s", ctl_str(c, "state"));
		table_cell(tab, "%s", fmt_byte_rate(b[0], bps(c, "up_bps")));
		table_cell(tab, "%s", fmt_byte_rate(b[1], bps(c, "down_bps")));
		table_cell(tab, "%s", ctl_fmt_bytes(b[2], json_object_get(c, "up_bytes")));
		table_cell(tab, "%s", ctl_fmt_bytes(b[3], json_object_get(c, "down_bytes")));
		table_cell(tab, "%s", ctl_fmt_duration(b[4], json_object_get(c, "remaining_s")));
	}
	free(rows);
	if (ctl_print_table(t->ctl, tab) != CTL_OK)
		return CTL_FAILED;
	if (shown < n)
		fprintf(t->ctl->out, "... and %zu more clients\n", n - shown);
	return CTL_OK;
}

/* The rates of the metrics' counters, for --json. */
static json_t *rates_json(struct top *t, const json_t *m)
{
	static const char *const groups[][2] = { { "sessions", "ended" },
						 { "keepalives", NULL },
						 { "kernel_drops", NULL } };
	static const char *const started[] = { "sessions", "started", NULL };
	json_t *r = json_object();
	double v = rate(t, m, started);

	json_object_set_new(r, "sessions_started", isnan(v) ? json_null() : json_real(v));
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const json_t *obj = json_object_get(json_object_get(m, groups[g][0]), groups[g][1]);
		json_t *out = json_object(), *val;
		const char *name;

		if (!groups[g][1])
			obj = json_object_get(m, groups[g][0]);
		json_object_foreach((json_t *)obj, name, val)
		{
			const char *path[] = { groups[g][0], groups[g][1] ? groups[g][1] : name,
					       groups[g][1] ? name : NULL, NULL };

			v = rate(t, m, path);
			json_object_set_new(out, name, isnan(v) ? json_null() : json_real(v));
		}
		json_object_set_new(r, groups[g][0], out);
	}
	return r;
}

static int frame(struct top *t)
{
	json_t *m = NULL, *clients = NULL;
	int ret;

	ret = ctl_call(t->ctl, "metrics", json_object(), &m);
	if (ret == CTL_OK && !json_is_object(m))
		ret = ctl_bad_answer(t->ctl, "metrics");
	if (ret == CTL_OK)
		ret = ctl_call(t->ctl, "clients", json_object(), &clients);
	if (ret == CTL_OK && !json_is_array(clients))
		ret = ctl_bad_answer(t->ctl, "clients");
	if (ret != CTL_OK)
		goto out;
	t->prev_at = t->at;
	t->at = monotonic_s();
	add_rates(t, clients);
	if (t->ctl->json) {
		json_t *f = json_pack("{s:O, s:o, s:O}", "metrics", m, "rates", rates_json(t, m), "clients",
				      clients);

		json_dumpf(f, t->ctl->out, JSON_COMPACT | JSON_SORT_KEYS);
		fputc('\n', t->ctl->out);
		json_decref(f);
	} else {
		if (t->tty)
			fputs("\033[H\033[2J", t->ctl->out);
		print_header(t, m);
		ret = print_clients(t, clients);
	}
	fflush(t->ctl->out);
	json_decref(t->prev_metrics);
	t->prev_metrics = json_incref(m);
out:
	json_decref(m);
	json_decref(clients);
	return ret;
}

/* Rows left for clients on the terminal, or the default elsewhere. */
static long long fit_rows(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 14)
		return ws.ws_row - 12;
	return TOP_DEFAULT_LIMIT;
}

int ctl_top(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "limit", required_argument, NULL, 'l' },
		CTL_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct top t = { .ctl = ctl, .interval = 2 };
	long long v;
	int c, ret = CTL_OK;

	while ((c = ctl_getopt(ctl, argc, argv, opts)) > 0) {
		if (c == 'i') {
			if (ctl_parse_int(optarg, 1, 3600, &v))
				return ctl_usage_error(
					ctl, "--interval '%s': expected seconds from 1 to 3600", optarg);
			t.interval = (double)v;
		} else if (c == 'n') {
			if (ctl_parse_int(optarg, 1, 1000000000LL, &t.count))
				return ctl_usage_error(
					ctl, "--count '%s': expected a number of frames, at least 1", optarg);
		} else if (c == 'l') {
			if (ctl_parse_int(optarg, 0, 1000000000LL, &v))
				return ctl_usage_error(
					ctl, "--limit '%s': expected a number of rows (0: all)", optarg);
			t.limit = v ? v : -1;
		}
	}
	if (c < 0)
		return ctl_opt_exit(c);
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[optind]);
	t.tty = !ctl->json && isatty(fileno(ctl->out));
	if (!t.limit)
		t.limit = t.tty ? fit_rows(fileno(ctl->out)) : TOP_DEFAULT_LIMIT;
	for (long long i = 0; !t.count || i < t.count; i++) {
		struct timespec pause = { (time_t)t.interval, 0 };

		if (i && !t.tty && !ctl->json)
			fputc('\n', ctl->out);
		ret = frame(&t);
		if (ret != CTL_OK || (t.count && i + 1 == t.count))
			break;
		while (nanosleep(&pause, &pause) && errno == EINTR)
			;
	}
	json_decref(t.prev_metrics);
	json_decref(t.prev_bytes);
	return ret;
}
