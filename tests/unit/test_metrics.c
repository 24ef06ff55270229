/*
 * Unit tests of the metrics (daemon/metrics.c, metrics_http.c,
 * store_counts.c): the Prometheus text of a snapshot, line by line, as the
 * exposition format wants it; the JSON form; the allow list; and the
 * session counts of a real store, which count only what commits.
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "metrics_http.h"
#include "store_counts.h"
#include "store_fixture.h"

static char *render(const struct metrics_snapshot *m)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;
	char *text;

	assert_non_null(b);
	assert_int_equal(metrics_prometheus(m, b), 0);
	n = evbuffer_get_length(b);
	text = calloc(1, n + 1);
	assert_non_null(text);
	evbuffer_remove(b, text, n);
	evbuffer_free(b);
	return text;
}

/* The line of the text that starts with prefix and a space: its value, or -1. */
static long long value_of(const char *text, const char *sample)
{
	size_t n = strlen(sample);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, sample, n) && l[n] == ' ')
			return atoll(l + n + 1);
	return -1;
}

static struct metrics_snapshot sample_snapshot(void)
{
	struct metrics_snapshot m = { 0 };

	m.now = 1800000000;
	m.started = m.now - 3600;
	strcpy(m.module_release, "0.9.0");
	m.clients.by_state[WICKET_STATE_CAPTIVE] = 7;
	m.clients.by_state[WICKET_STATE_AUTHORIZED] = 3;
	m.clients.total = 10;
	m.sessions_active = 3;
	m.sessions.started = 12;
	store_counts_end(&m.sessions, "logout", 4);
	store_counts_end(&m.sessions, "keepalive-timeout", 5);
	m.keepalive_open = 1;
	m.keepalives[KEEPALIVE_OK] = 1000;
	m.keepalives[KEEPALIVE_BAD_TAG] = 2;
	m.approvals.answers[4][BILLING_APPROVED] = 9; /* voucher */
	m.approvals.answers[1][BILLING_PROVISIONAL] = 1; /* remote */
	m.outbox_records = 5;
	m.outbox_oldest_ms = (m.now - 90) * 1000;
	m.acct_sent = 20;
	m.acct_acked = 15;
	m.kernel.drops[WICKET_STATS_A_DROP_UNKNOWN] = 123456789012ULL;
	m.kernel.drops[WICKET_STATS_A_DROP_PORT_BLOCKED] = 3;
	return m;
}

/* Every line is a HELP, a TYPE, or a sample of the family its TYPE named last. */
static void exposition_is_well_formed(void **state)
{
	struct metrics_snapshot m = sample_snapshot();
	char *text = render(&m), *save = NULL, family[64] = "", *line;
	regex_t help, type, sample;
	int families = 0, samples = 0;

	(void)state;
	assert_int_equal(regcomp(&help, "^# HELP wicket_[a-z_]+ [[:print:]]+$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&type, "^# TYPE (wicket_[a-z_]+) (gauge|counter)$", REG_EXTENDED), 0);
	assert_int_equal(regcomp(&sample,
				 "^(wicket_[a-z_]+)(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? [0-9]+$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(text[strlen(text) - 1], '\n');
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t g[2];

		if (!regexec(&help, line, 0, NULL, 0))
			continue;
		if (!regexec(&type, line, 2, g, 0)) {
			snprintf(family, sizeof(family), "%.*s", (int)(g[1].rm_eo - g[1].rm_so),
				 line + g[1].rm_so);
			families++;
			continue;
		}
		if (regexec(&sample, line, 2, g, 0))
			fail_msg("not a sample line: %s", line);
		if ((size_t)(g[1].rm_eo - g[1].rm_so) != strlen(family) ||
		    strncmp(line, family, strlen(family)))
			fail_msg("sample outside its family %s: %s", family, line);
		samples++;
	}
	assert_int_equal(families, 15);
	/* up, build, start; 4 states; forgotten; active, started; 2 reasons; accepted; 9 refusals; 5
	 * methods x 3 results; outbox and its age; 3 outcomes; 5 drop reasons */
	assert_int_equal(samples, 3 + 4 + 1 + 2 + 2 + 1 + 9 + 15 + 2 + 3 + 5);
	regfree(&help);
	regfree(&type);
	regfree(&sample);
	free(text);
}

static void exposition_values(void **state)
{
	struct metrics_snapshot m = sample_snapshot();
	char *text = render(&m);

	(void)state;
	assert_int_equal(value_of(text, "wicket_up"), 1);
	assert_non_null(
		strstr(text, "wicket_build_info{version=\"" WICKET_RELEASE "\",module=\"0.9.0\"} 1\n"));
	assert_int_equal(value_of(text, "wicket_start_time_seconds"), 1800000000 - 3600);
	assert_int_equal(value_of(text, "wicket_clients{state=\"captive\"}"), 7);
	assert_int_equal(value_of(text, "wicket_clients{state=\"authorized\"}"), 3);
	assert_int_equal(value_of(text, "wicket_clients{state=\"provisional\"}"), 0);
	assert_int_equal(value_of(text, "wicket_sessions_active"), 3);
	assert_int_equal(value_of(text, "wicket_sessions_started_total"), 12);
	assert_int_equal(value_of(text, "wicket_sessions_ended_total{reason=\"logout\"}"), 4);
	assert_int_equal(value_of(text, "wicket_sessions_ended_total{reason=\"keepalive-timeout\"}"), 5);
	assert_int_equal(value_of(text, "wicket_keepalives_accepted_total"), 1000);
	assert_int_equal(value_of(text, "wicket_keepalives_rejected_total{reason=\"bad-tag\"}"), 2);
	assert_int_equal(value_of(text, "wicket_keepalives_rejected_total{reason=\"replay\"}"), 0);
	assert_int_equal(value_of(text, "wicket_keepalives_rejected_total{reason=\"ok\"}"), -1);
	assert_int_equal(value_of(text, "wicket_approvals_total{method=\"voucher\",result=\"approved\"}"), 9);
	assert_int_equal(value_of(text, "wicket_approvals_total{method=\"remote\",result=\"provisional\"}"),
			 1);
	assert_int_equal(value_of(text, "wicket_approvals_total{method=\"room\",result=\"rejected\"}"), 0);
	assert_int_equal(value_of(text, "wicket_accounting_outbox_records"), 5);
	assert_int_equal(value_of(text, "wicket_accounting_outbox_oldest_seconds"), 90);
	assert_int_equal(value_of(text, "wicket_accounting_records_total{outcome=\"acked\"}"), 15);
	assert_int_equal(value_of(text, "wicket_kernel_drops_total{reason=\"unknown\"}"), 123456789012LL);
	assert_int_equal(value_of(text, "wicket_kernel_drops_total{reason=\"port-blocked\"}"), 3);
	assert_int_equal(value_of(text, "wicket_kernel_drops_total{reason=\"byte-cap\"}"), 0);
	free(text);

	/* Nothing waiting: the oldest's age is 0, not now minus the epoch. */
	m.outbox_records = 0;
	m.outbox_oldest_ms = 0;
	text = render(&m);
	assert_int_equal(value_of(text, "wicket_accounting_outbox_oldest_seconds"), 0);
	free(text);
}

/* Label values are escaped as the format says: backslash, quote, newline. */
static void label_values_are_escaped(void **state)
{
	struct metrics_snapshot m = { 0 };
	char *text;

	(void)state;
	strcpy(m.module_release, "a\"b\\c\nd");
	text = render(&m);
	assert_non_null(strstr(text, "module=\"a\\\"b\\\\c\\nd\"} 1\n"));
	free(text);
}

static void json_form(void **state)
{
	struct metrics_snapshot m = sample_snapshot();
	json_t *j = metrics_json(&m);

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "uptime_s")), 3600);
	assert_string_equal(json_string_value(json_object_get(j, "module")), "0.9.0");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "clients"), "total")), 10);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(j, "sessions"), "ended"), "logout")),
			 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "keepalives"), "ok")), 1000);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(j, "approvals"), "voucher"), "approved")),
			 9);
	assert_int_equal(json_object_size(json_object_get(j, "approvals")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "accounting"), "oldest_s")),
			 90);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "kernel_drops"), "unknown")),
			 123456789012LL);
	json_decref(j);

	/* Without a keepalive socket its counts are null, not zeros. */
	m.keepalive_open = 0;
	m.outbox_oldest_ms = 0;
	j = metrics_json(&m);
	assert_true(json_is_null(json_object_get(j, "keepalives")));
	assert_true(json_is_null(json_object_get(json_object_get(j, "accounting"), "oldest_s")));
	json_decref(j);
}

static struct sockaddr_storage ip(const char *text)
{
	struct sockaddr_storage ss = { 0 };

	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		fail_msg("bad address %s", text);
	return ss;
}

static int allowed(const struct config_prefix *allow, size_t n, const char *addr)
{
	struct sockaddr_storage ss = ip(addr);

	return metrics_allowed(allow, n, (struct sockaddr *)&ss);
}

static void allow_list(void **state)
{
	struct config_prefix allow[4] = {
		{ .family = AF_INET, .addr = { 10, 9, 0, 0 }, .len = 23 },
		{ .family = AF_INET, .addr = { 192, 0, 2, 7 }, .len = 32 },
		{ .family = AF_INET6, .addr = { 0xfd, 0, 0, 9 }, .len = 33 },
	};

	(void)state;
	assert_true(allowed(allow, 3, "10.9.0.1"));
	assert_true(allowed(allow, 3, "10.9.1.254"));
	assert_false(allowed(allow, 3, "10.9.2.1"));
	assert_false(allowed(allow, 3, "10.8.255.255"));
	assert_true(allowed(allow, 3, "192.0.2.7"));
	assert_false(allowed(allow, 3, "192.0.2.6"));
	/* An IPv4 client on a dual-stack socket arrives mapped into IPv6. */
	assert_true(allowed(allow, 3, "::ffff:10.9.1.2"));
	assert_false(allowed(allow, 3, "::ffff:10.10.0.1"));
	assert_true(allowed(allow, 3, "fd00:9::1"));
	assert_true(allowed(allow, 3, "fd00:9:7fff::1"));
	assert_false(allowed(allow, 3, "fd00:9:8000::1"));
	assert_false(allowed(allow, 3, "fd00:a::1"));
	/* An empty list allows nobody; /0 allows everybody of its family. */
	assert_false(allowed(allow, 0, "10.9.0.1"));
	allow[3] = (struct config_prefix){ .family = AF_INET, .len = 0 };
	assert_true(allowed(allow + 3, 1, "203.0.113.5"));
	assert_false(allowed(allow + 3, 1, "2001:db8::5"));
	assert_false(metrics_allowed(allow, 3, NULL));
}

static void counts_table(void **state)
{
	struct store_counts c = { 0 }, d = { 0 };
	char name[16];

	(void)state;
	store_counts_end(&c, "logout", 1);
	store_counts_end(&c, "logout", 2);
	store_counts_end(&c, "deadline", 1);
	assert_int_equal(c.nreasons, 2);
	assert_int_equal(c.ended[0].n, 3);
	/* Past the table's size, the rest count as "other". */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		store_counts_end(&c, name, 1);
	}
	assert_int_equal(c.nreasons, STORE_COUNTED_REASONS);
	assert_string_equal(c.ended[STORE_COUNTED_REASONS - 1].reason, "other");
	assert_int_equal(c.ended[STORE_COUNTED_REASONS - 1].n, 40 - (STORE_COUNTED_REASONS - 3));
	d.started = 5;
	store_counts_end(&d, "deadline", 4);
	store_counts_end(&d, "brand-new", 1);
	store_counts_merge(&c, &d);
	assert_int_equal(c.started, 5);
	assert_int_equal(c.ended[1].n, 5);
	assert_int_equal(c.ended[STORE_COUNTED_REASONS - 1].n, 40 - (STORE_COUNTED_REASONS - 3) + 1);
}

static uint64_t ended(const struct store *s, const char *reason)
{
	const struct store_counts *c = store_counts(s);

	for (size_t i = 0; i < c->nreasons; i++)
		if (!strcmp(c->ended[i].reason, reason))
			return c->ended[i].n;
	return 0;
}

/* A real store: starts and ends count when they commit, never when rolled back, never twice. */
static void store_counts_what_commits(void **state)
{
	struct fixture *f = *state;
	struct store *s = f->s;
	int64_t a, b, c;
	uint64_t sa, sb, sc;

	assert_int_equal(store_port_set(s, "lan.101", "101", 1, 1000), 0);
	assert_int_equal(store_client_get_or_add(s, "lan.101", "02:00:00:00:00:0a", 1000, &a), 0);
	assert_int_equal(store_client_get_or_add(s, "lan.101", "02:00:00:00:00:0b", 1000, &b), 0);
	assert_int_equal(store_client_get_or_add(s, "lan.101", "02:00:00:00:00:0c", 1000, &c), 0);

	/* On their own: each call commits. */
	assert_int_equal(store_session_start(s, a, "active", 0, 0, NULL, 0, 2000, &sa), 0);
	assert_int_equal(store_counts(s)->started, 1);
	assert_int_equal(store_session_end(s, sa, "logout", 3000), 0);
	assert_int_equal(ended(s, "logout"), 1);
	assert_int_equal(store_session_end(s, sa, "logout", 3001), -EALREADY);
	assert_int_equal(ended(s, "logout"), 1);

	/* In a batch: nothing until the commit. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_session_start(s, b, "active", 0, 0, NULL, 0, 4000, &sb), 0);
	assert_int_equal(store_session_end(s, sb, "kick", 4500), 0);
	assert_int_equal(store_counts(s)->started, 1);
	assert_int_equal(ended(s, "kick"), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_counts(s)->started, 2);
	assert_int_equal(ended(s, "kick"), 1);

	/* A batch rolled back counts nothing. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_session_start(s, c, "active", 0, 0, NULL, 0, 5000, &sc), 0);
	assert_int_equal(store_session_end(s, sc, "deadline", 5500), 0);
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(store_counts(s)->started, 2);
	assert_int_equal(ended(s, "deadline"), 0);
	/* ... and the next batch starts from nothing either. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_session_start(s, c, "active", 0, 0, NULL, 0, 6000, &sc), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_counts(s)->started, 3);
	assert_int_equal(ended(s, "deadline"), 0);
	/* Active: c's session (a's and b's ended), as one count. */
	{
		unsigned int n = 99;

		assert_int_equal(store_sessions_active_count(s, &n), 0);
		assert_int_equal(n, 1);
	}
	/* A refused call in a batch counts nothing: a second session for a client that has one. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_session_start(s, c, "active", 0, 0, NULL, 0, 7000, &sb), -EBUSY);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_counts(s)->started, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exposition_is_well_formed),
		cmocka_unit_test(exposition_values),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(json_form),
		cmocka_unit_test(allow_list),
		cmocka_unit_test(counts_table),
		cmocka_unit_test_setup_teardown(store_counts_what_commits, store_fixture_setup,
						store_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
