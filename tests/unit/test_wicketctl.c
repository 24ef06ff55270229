/*
 * Unit tests of wicketctl (daemon/wicketctl.c, daemon/ctl_*.c): a real
 * control socket on a libevent loop in a thread, with handlers that record
 * what they were sent and answer fixed results of the documented shapes;
 * wicketctl_run() with its output captured.
 */
#include <errno.h>
#include <limits.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control.h"
#include "ctl.h"
#include "ctl_csv.h"

static char dir[64], path[100];
static struct event_base *base;
static struct control *ctl;
static pthread_t loop_thread;

/* What the handlers saw, and how they answer. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int calls;
static char last_cmd[32];
static json_t *last_args;
static json_t *history; /* every request since reset(): [{"cmd", "args"}] */
static const char *fail_with; /* answer the next requests with this error */
static const char *answer_with; /* or with this result (JSON) instead of the fixture's */
static int stall_s; /* or sleep this long first */

static const char status_json[] =
	"{\"version\": \"0.1.0\", \"module\": null, \"uptime_s\": 183600,"
	" \"clients\": {\"total\": 3, \"captive\": 1, \"provisional\": 0,"
	" \"authorized\": 2, \"blocked\": 0}, \"sessions_active\": 2, \"ports\": 24,"
	" \"firewall\": \"installed\"}";
static const char clients_json[] =
	"[{\"id\": 7, \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"room\": \"101\","
	" \"addrs\": [\"10.0.1.23\", \"fe80::1\"], \"state\": \"authorized\", \"session\": 17,"
	" \"remaining_s\": 3720, \"up_bytes\": 1258291, \"down_bytes\": 52428800, \"idle_s\": 45},"
	" {\"id\": 12, \"mac\": \"02:00:5e:00:53:0b\", \"port\": \"lan.2\", \"room\": null,"
	" \"addrs\": [], \"state\": \"captive\", \"session\": null, \"remaining_s\": null,"
	" \"up_bytes\": 512, \"down_bytes\": 0, \"idle_s\": null}]";
static const char client_json[] =
	"{\"id\": 7, \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"room\": \"101\","
	" \"addrs\": [\"10.0.1.23\"], \"state\": \"authorized\", \"session\": 17, \"remaining_s\": 3720,"
	" \"up_bytes\": 1258291, \"down_bytes\": 52428800, \"idle_s\": 45, \"charged\": [{\"currency\":"
	" \"EUR\", \"charge\": 1250}, {\"currency\": \"JPY\", \"charge\": 300}], \"sessions\": [{\"id\": 17,"
	" \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"state\": \"active\", \"started\":"
	" 1714552200, \"ended\": null, \"end_reason\": null, \"up_bytes\": 1258291, \"down_bytes\": "
	"52428800}]}";
static const char kick_json[] = "{\"mac\": \"02:00:5e:00:53:0a\", \"session\": 17}";
static const char block_json[] = "{\"mac\": \"02:00:5e:00:53:0a\"}";
static const char allow_json[] = "{\"mac\": \"02:00:5e:00:53:0a\", \"session\": 17, \"remaining_s\": 1800}";
static const char ports_json[] =
	"[{\"ifname\": \"lan.101\", \"ifindex\": 5, \"room\": \"101\", \"mode\": "
	"\"charge\", \"clients\": 1}, {\"ifname\": \"lan.lobby\", \"ifindex\": null, "
	"\"room\": null, \"mode\": \"free\", \"clients\": 0}]";
static const char port_json[] = "{\"ifname\": \"lan.101\", \"ifindex\": 5, \"room\": \"101\", \"mode\": "
				"\"free\", \"set_by\": \"staff\", \"clients\": 1}";
static const char port_reset_json[] = "{\"ifname\": \"lan.101\", \"ifindex\": 5, \"room\": null, "
				      "\"mode\": \"charge\", \"set_by\": \"config\", \"clients\": 1}";
static const char unblock_json[] = "{\"mac\": \"02:00:5e:00:53:0a\", \"session\": null, \"blocked\": false}";
static const char sessions_json[] =
	"[{\"id\": 16, \"mac\": \"02:00:5e:00:53:0b\", \"port\": \"lan.2\", \"state\": \"ended\", "
	"\"started\":"
	" 1714521600, \"ended\": 1714525200, \"end_reason\": \"idle\", \"up_bytes\": 2048, \"down_bytes\":"
	" 3221225472}]";
static const char events_json[] = "[{\"at\": 1714552200, \"session\": 17, \"event\": \"allowed\", \"detail\":"
				  " \"by staff, 30 minutes\"}]";

static const char plans_json[] =
	"[{\"id\": 1, \"name\": \"Day pass\", \"kind\": \"time\", \"price\": 450, \"currency\": \"EUR\","
	" \"per_minute\": 0, \"per_mb\": 0, \"duration_s\": 86400, \"bytes\": null, \"idle_timeout_s\": 900,"
	" \"keepalive_s\": null, \"methods\": [\"room\", \"voucher\"], \"offered\": [{\"port\": null,"
	" \"room\": null}], \"retired\": null},"
	" {\"id\": 2, \"name\": \"Metered\", \"kind\": \"time+data\", \"price\": 0, \"currency\": \"EUR\","
	" \"per_minute\": 10, \"per_mb\": 2, \"duration_s\": 5400, \"bytes\": 1000000000, \"idle_timeout_s\":"
	" null, \"keepalive_s\": 60, \"methods\": [\"remote\"], \"offered\": [{\"port\": \"lan.101\","
	" \"room\": null}, {\"port\": null, \"room\": \"102\"}], \"retired\": null},"
	" {\"id\": 3, \"name\": \"Lobby\", \"kind\": \"free\", \"price\": 0, \"currency\": \"JPY\","
	" \"per_minute\": 0, \"per_mb\": 0, \"duration_s\": null, \"bytes\": null, \"idle_timeout_s\": null,"
	" \"keepalive_s\": null, \"methods\": [\"free\"], \"offered\": [], \"retired\": null},"
	" {\"id\": 4, \"name\": \"Stay\", \"kind\": \"until-checkout\", \"price\": 1500, \"currency\":"
	" \"KWD\", \"per_minute\": 0, \"per_mb\": 0, \"duration_s\": null, \"bytes\": 1073741824,"
	" \"idle_timeout_s\": null, \"keepalive_s\": null, \"methods\": [\"room\"], \"offered\": [],"
	" \"retired\": 1714552200}]";
static const char plan_json[] =
	"{\"id\": 1, \"name\": \"Day pass\", \"kind\": \"time\", \"price\": 450, \"currency\": \"EUR\","
	" \"per_minute\": 0, \"per_mb\": 0, \"duration_s\": 86400, \"bytes\": null, \"idle_timeout_s\": 900,"
	" \"keepalive_s\": null, \"methods\": [\"room\", \"voucher\"], \"offered\": [{\"port\": null,"
	" \"room\": null}], \"retired\": null}";
static const char plan_retired_json[] =
	"{\"id\": 1, \"name\": \"Day pass\", \"kind\": \"time\", \"price\": 450, \"currency\": \"EUR\","
	" \"per_minute\": 0, \"per_mb\": 0, \"duration_s\": 86400, \"bytes\": null, \"idle_timeout_s\": 900,"
	" \"keepalive_s\": null, \"methods\": [\"room\", \"voucher\"], \"offered\": [], \"retired\":"
	" 1714552200}";
static const char vouchers_create_json[] =
	"{\"batch\": \"20240501-0830\", \"plan\": \"Day pass\", \"vouchers\": [{\"code\": \"ABCDEFGH23\","
	" \"devices\": 2}, {\"code\": \"JKLMNPQR45\", \"devices\": 2}]}";
static const char vouchers_json[] =
	"[{\"code\": \"ABCDEFGH23\", \"plan\": \"Day pass\", \"devices\": 2, \"used\": 1, \"batch\":"
	" \"20240501-0830\", \"created\": 1714552200, \"revoked\": null},"
	" {\"code\": \"JKLMNPQR45\", \"plan\": \"Day, Night\", \"devices\": 1, \"used\": 0, \"batch\":"
	" \"20240501-0830\", \"created\": 1714552200, \"revoked\": 1714555800}]";
static const char guests_import_json[] = "{\"imported\": 3}";
static const char guests_json[] =
	"[{\"room\": \"101\", \"surname\": \"Müller\", \"arrival\": 1714521600, \"departure\": 1714780800,"
	" \"folio\": \"F-1001\"}, {\"room\": \"102\", \"surname\": \"O'Brien, Jr\", \"arrival\": null,"
	" \"departure\": null, \"folio\": null}]";
/* Asked three minutes before the test starts (setup() fills it in). */
static char pending_json[1024];
static const char request_json[] =
	"{\"id\": 12, \"session\": 34, \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"plan\":"
	" \"Day pass\", \"method\": \"staff\", \"detail\": null, \"room\": null, \"state\": \"approved\","
	" \"reason\": null, \"created\": 1714552200, \"decided\": 1714552260, \"decided_by\": \"root\"}";
/* report answers by its "by": see report_handler(). */
static const char report_plan_json[] =
	"[{\"key\": \"Day pass\", \"currency\": \"EUR\", \"sessions\": 3, \"charge\": 1350, \"seconds\":"
	" 172800, \"bytes\": 3221225472}, {\"key\": \"Metered\", \"currency\": \"EUR\", \"sessions\": 2,"
	" \"charge\": 77, \"seconds\": 5400, \"bytes\": 52428800}, {\"key\": \"Stay\", \"currency\":"
	" \"KWD\", \"sessions\": 1, \"charge\": 1500, \"seconds\": 3600, \"bytes\": 1048576}]";
static const char report_method_json[] =
	"[{\"key\": \"remote\", \"currency\": \"EUR\", \"sessions\": 2, \"charge\": 77, \"seconds\": 5400,"
	" \"bytes\": 52428800}, {\"key\": \"room\", \"currency\": \"EUR\", \"sessions\": 3, \"charge\":"
	" 1350, \"seconds\": 172800, \"bytes\": 3221225472}, {\"key\": \"room\", \"currency\": \"KWD\","
	" \"sessions\": 1, \"charge\": 1500, \"seconds\": 3600, \"bytes\": 1048576}]";
static const char report_room_json[] =
	"[{\"key\": \"\", \"currency\": \"EUR\", \"sessions\": 2, \"charge\": 77, \"seconds\": 5400,"
	" \"bytes\": 52428800}, {\"key\": \"101\", \"currency\": \"EUR\", \"sessions\": 3, \"charge\":"
	" 1350, \"seconds\": 172800, \"bytes\": 3221225472}, {\"key\": \"101\", \"currency\": \"KWD\","
	" \"sessions\": 1, \"charge\": 1500, \"seconds\": 3600, \"bytes\": 1048576}]";

static const struct fixture {
	const char *cmd;
	const char *result;
} fixtures[] = {
	{ "status", status_json },
	{ "clients", clients_json },
	{ "client", client_json },
	{ "kick", kick_json },
	{ "block", block_json },
	{ "allow", allow_json },
	{ "ports", ports_json },
	{ "port_set", port_json },
	{ "sessions", sessions_json },
	{ "events", events_json },
	{ "unblock", unblock_json },
	{ "port_reset", port_reset_json },
	{ "plans", plans_json },
	{ "plan_add", plan_json },
	{ "plan_set", plan_json },
	{ "plan_retire", plan_retired_json },
	{ "vouchers_create", vouchers_create_json },
	{ "vouchers", vouchers_json },
	{ "guests_import", guests_import_json },
	{ "guests", guests_json },
	{ "pending", pending_json },
	{ "approve", request_json },
	{ "reject", request_json },
	{ "report", NULL },
	{ "metrics", NULL },
};

/* top's fixtures grow at each call, as a running gateway's counters do. */
static int metrics_calls, clients_calls, growing_clients;

static void metrics_answer(char *buf, size_t len)
{
	int n = metrics_calls++;

	snprintf(buf, len,
		 "{\"now\": 1800000000, \"uptime_s\": %d, \"module\": \"0.9.0\", \"clients\": {\"total\": 6,"
		 " \"captive\": 2, \"provisional\": 1, \"authorized\": 3, \"blocked\": 0}, \"sessions\":"
		 " {\"active\": 4, \"started\": %d, \"ended\": {\"logout\": %d, \"deadline\": 2}},"
		 " \"keepalives\": {\"ok\": %d, \"bad-tag\": 1, \"replay\": 0}, \"approvals\": {\"voucher\":"
		 " {\"approved\": 7, \"rejected\": 1, \"provisional\": 0}, \"room\": {\"approved\": 0,"
		 " \"rejected\": 0, \"provisional\": 0}}, \"accounting\": {\"outbox\": 3, \"oldest_s\": 75,"
		 " \"sent\": 20, \"acked\": 18, \"failed\": 0}, \"kernel_drops\": {\"unknown\": %d,"
		 " \"captive\": 40, \"byte-cap\": 0, \"client-blocked\": 0, \"port-blocked\": 0}}",
		 3600 + n, 10 + 5 * n, 3 + n, 100 + 30 * n, 1000 + 200 * n);
}

static void clients_answer(char *buf, size_t len)
{
	int n = clients_calls++;

	snprintf(buf, len,
		 "[{\"mac\": \"02:00:5e:00:53:0b\", \"port\": \"lan.2\", \"room\": null, \"state\": "
		 "\"captive\","
		 " \"remaining_s\": null, \"up_bytes\": 9000000, \"down_bytes\": 0},"
		 " {\"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"room\": \"101\", \"state\":"
		 " \"authorized\", \"remaining_s\": 3720, \"up_bytes\": %d, \"down_bytes\": %d}]",
		 1000 + 2000 * n, 5000000 * n);
}

static json_t *handler(const json_t *args, const struct control_peer *peer, void *arg, char *err,
		       size_t errlen)
{
	const struct fixture *f = arg;
	const char *answer = f->result;
	static char grown[2048];
	json_t *result = NULL;
	int stall;

	(void)peer;
	/* report: the rows of the grouping asked for. */
	if (!answer) {
		const char *by = json_string_value(json_object_get(args, "by"));

		answer = !by                     ? "null"
			 : !strcmp(by, "plan")   ? report_plan_json
			 : !strcmp(by, "method") ? report_method_json
			 : !strcmp(by, "room")   ? report_room_json
						 : "null";
	}
	pthread_mutex_lock(&lock);
	if (!strcmp(f->cmd, "metrics")) {
		metrics_answer(grown, sizeof(grown));
		answer = grown;
	} else if (!strcmp(f->cmd, "clients") && growing_clients) {
		clients_answer(grown, sizeof(grown));
		answer = grown;
	}
	calls++;
	snprintf(last_cmd, sizeof(last_cmd), "%s", f->cmd);
	json_decref(last_args);
	last_args = json_deep_copy(args);
	json_array_append_new(history, json_pack("{s:s, s:O}", "cmd", f->cmd, "args", args));
	stall = stall_s;
	if (fail_with)
		snprintf(err, errlen, "%s", fail_with);
	else
		result = json_loads(answer_with ? answer_with : answer, JSON_DECODE_ANY, NULL);
	pthread_mutex_unlock(&lock);
	if (stall)
		sleep((unsigned)stall);
	return result;
}

static void *loop(void *arg)
{
	(void)arg;
	event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	/* A client that gave up must not kill the daemon's side by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* Times print and parse in local time: make that UTC here. */
	setenv("TZ", "UTC", 1);
	tzset();
	unsetenv(CTL_SOCKET_ENV);
	snprintf(
		pending_json, sizeof(pending_json),
		"[{\"id\": 12, \"session\": 34, \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", "
		"\"plan\":"
		" \"Day pass\", \"method\": \"staff\", \"detail\": null, \"room\": null, \"state\": "
		"\"pending\","
		" \"created\": %lld}, {\"id\": 13, \"session\": 35, \"mac\": \"02:00:5e:00:53:0b\", \"port\":"
		" \"lan.102\", \"plan\": \"Metered\", \"method\": \"remote\", \"detail\": \"card ending "
		"4242\","
		" \"room\": \"102\", \"state\": \"provisional\", \"created\": %lld}]",
		(long long)time(NULL) - 180, (long long)time(NULL) - 7500);
	snprintf(dir, sizeof(dir), "/tmp/wicketctl-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	evthread_use_pthreads();
	base = event_base_new();
	if (!base || control_open(base, path, getegid(), &ctl) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		if (control_register(ctl, fixtures[i].cmd, handler, (void *)&fixtures[i]) != 0)
			return -1;
	return pthread_create(&loop_thread, NULL, loop, NULL);
}

static int teardown(void **state)
{
	(void)state;
	event_base_loopbreak(base);
	pthread_join(loop_thread, NULL);
	control_close(ctl);
	event_base_free(base);
	rmdir(dir);
	json_decref(last_args);
	json_decref(history);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	pthread_mutex_lock(&lock);
	calls = 0;
	last_cmd[0] = '\0';
	json_decref(last_args);
	last_args = NULL;
	json_decref(history);
	history = json_array();
	fail_with = NULL;
	answer_with = NULL;
	stall_s = 0;
	metrics_calls = clients_calls = growing_clients = 0;
	pthread_mutex_unlock(&lock);
	unsetenv(CTL_SOCKET_ENV);
	return 0;
}

/* What the last run printed. */
static char out[16384], err[4096];

/* wicketctl ARGS... (NULL-terminated), as is: its exit code. */
static int run_argv(int argc, char **argv)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	FILE *o = open_memstream(&obuf, &olen), *e = open_memstream(&ebuf, &elen);
	int rc;

	assert_non_null(o);
	assert_non_null(e);
	rc = wicketctl_run(argc, argv, o, e);
	fclose(o);
	fclose(e);
	snprintf(out, sizeof(out), "%s", obuf);
	snprintf(err, sizeof(err), "%s", ebuf);
	free(obuf);
	free(ebuf);
	return rc;
}

static int run_raw(const char *first, ...)
{
	char *argv[32] = { "wicketctl" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < 31);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;
	return run_argv(argc, argv);
}

/* wicketctl --socket OUR-SOCKET ARGS... */
#define run(...) run_raw("--socket", path, __VA_ARGS__, NULL)

static int ncalls(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = calls;
	pthread_mutex_unlock(&lock);
	return n;
}

/* The last request was cmd with exactly the args in expected (JSON). */
static void assert_sent(const char *cmd, const char *expected)
{
	json_t *want = json_loads(expected, 0, NULL);

	assert_non_null(want);
	pthread_mutex_lock(&lock);
	assert_string_equal(last_cmd, cmd);
	if (!json_equal(last_args, want)) {
		char *got = json_dumps(last_args, JSON_COMPACT | JSON_SORT_KEYS);

		print_error("sent %s, expected %s\n", got, expected);
		free(got);
		fail();
	}
	pthread_mutex_unlock(&lock);
	json_decref(want);
}

static void allow_sends_the_normalised_mac_and_minutes(void **state)
{
	(void)state;
	assert_int_equal(run("allow", "02-00-5E-00-53-0A", "--minutes", "30"), 0);
	assert_sent("allow", "{\"mac\": \"02:00:5e:00:53:0a\", \"minutes\": 30}");
	assert_string_equal(out, "allowed 02:00:5e:00:53:0a for 30 minutes (session 17)\n");
	assert_string_equal(err, "");
	/* Options before the MAC, --opt=value, and prefixes of options. */
	assert_int_equal(run("allow", "--min=1", "02:00:5e:00:53:0A"), 0);
	assert_sent("allow", "{\"mac\": \"02:00:5e:00:53:0a\", \"minutes\": 1}");
	assert_int_equal(ncalls(), 2);
}

static void mac_taking_commands_normalise_it(void **state)
{
	(void)state;
	assert_int_equal(run("kick", "02:00:5E:00:53:0A"), 0);
	assert_sent("kick", "{\"mac\": \"02:00:5e:00:53:0a\"}");
	assert_string_equal(out, "kicked 02:00:5e:00:53:0a (session 17 ended)\n");
	assert_int_equal(run("block", "02-00-5e-00-53-0a"), 0);
	assert_sent("block", "{\"mac\": \"02:00:5e:00:53:0a\"}");
	assert_string_equal(out, "blocked 02:00:5e:00:53:0a\n");
	assert_int_equal(run("unb", "02-00-5e-00-53-0a"), 0);
	assert_sent("unblock", "{\"mac\": \"02:00:5e:00:53:0a\"}");
	assert_string_equal(out, "unblocked 02:00:5e:00:53:0a\n");
	assert_int_equal(run("client", "show", "02:00:5E:00:53:0a"), 0);
	assert_sent("client", "{\"mac\": \"02:00:5e:00:53:0a\"}");
	assert_int_equal(run("client", "02:00:5E:00:53:0a"), 0);
	assert_sent("client", "{\"mac\": \"02:00:5e:00:53:0a\"}");
	assert_non_null(strstr(out, "client     02:00:5e:00:53:0a (id 7)\n"));
	assert_non_null(strstr(out, "port       lan.101 (room 101)\n"));
	assert_non_null(strstr(out, "state      authorized, session 17, 1h02m left\n"));
	assert_non_null(strstr(out, "traffic    1.2 MiB up, 50.0 MiB down\n"));
	assert_non_null(strstr(out, "charged    12.50 EUR, 300 JPY\n"));
	/* Its sessions, as a table under the details. */
	assert_non_null(strstr(
		out, "\nSESSION  PORT     STATE   STARTED           ENDED  REASON       UP      DOWN\n"
		     "     17  lan.101  active  2024-05-01 08:30  -      -       1.2 MiB  50.0 MiB\n"));
}

static void port_set_sends_only_what_was_given(void **state)
{
	(void)state;
	assert_int_equal(run("port", "set", "lan.101", "--room", "101"), 0);
	assert_sent("port_set", "{\"ifname\": \"lan.101\", \"room\": \"101\"}");
	assert_int_equal(run("port", "s", "lan.101", "--mode", "free"), 0);
	assert_sent("port_set", "{\"ifname\": \"lan.101\", \"mode\": \"free\"}");
	assert_string_equal(out, "port lan.101: room 101, mode free (set by staff)\n");
	assert_int_equal(run("port", "set", "--mode", "blocked", "--room", "Suite Élysée", "lan.101"), 0);
	assert_sent("port_set",
		    "{\"ifname\": \"lan.101\", \"room\": \"Suite Élysée\", \"mode\": \"blocked\"}");
	assert_int_equal(run("port", "reset", "lan.101"), 0);
	assert_sent("port_reset", "{\"ifname\": \"lan.101\"}");
	assert_string_equal(out, "port lan.101: room none, mode charge (set by config)\n");
	assert_int_equal(run("port", "r", "lan.101"), 0);
	assert_sent("port_reset", "{\"ifname\": \"lan.101\"}");
	assert_int_equal(ncalls(), 5);
}

static void sessions_since_takes_dates_and_unix_seconds(void **state)
{
	(void)state;
	assert_int_equal(run("sessions"), 0);
	assert_sent("sessions", "{}");
	assert_int_equal(run("sessions", "--since", "2024-05-01"), 0);
	assert_sent("sessions", "{\"since\": 1714521600}");
	assert_int_equal(run("sessions", "--since", "2024-05-01T08:30"), 0);
	assert_sent("sessions", "{\"since\": 1714552200}");
	assert_int_equal(run("sessions", "--since", "2024-05-01 08:30", "--active"), 0);
	assert_sent("sessions", "{\"since\": 1714552200, \"active\": true}");
	assert_int_equal(run("sessions", "--active", "--since", "1714521600"), 0);
	assert_sent("sessions", "{\"since\": 1714521600, \"active\": true}");
	/* Dates that are not, and formats that are not taken: nothing sent. */
	static const char *const bad[] = { "2024-02-30", "2024-13-01",      "2024-05-01T25:00",
					   "2024-5-1",   "yesterday",       "2024-05-01T08:30:00",
					   "-1",         "2024-05-01T8:30", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run("sessions", "--since", bad[i]), 2);
		assert_non_null(strstr(err, "--since"));
	}
	assert_int_equal(ncalls(), 5);
}

static void sessions_table_shows_local_times_and_sizes(void **state)
{
	(void)state;
	assert_int_equal(run("sessions"), 0);
	assert_string_equal(
		out,
		"ID  MAC                PORT   STATE  STARTED           ENDED             REASON       UP"
		"     DOWN\n"
		"16  02:00:5e:00:53:0b  lan.2  ended  2024-05-01 00:00  2024-05-01 01:00  idle    "
		"2.0 KiB  3.0 GiB\n");
}

static void events_limit_is_sent(void **state)
{
	(void)state;
	assert_int_equal(run("events"), 0);
	assert_sent("events", "{}");
	assert_string_equal(out, "AT                SESSION  EVENT    DETAIL\n"
				 "2024-05-01 08:30       17  allowed  by staff, 30 minutes\n");
	assert_int_equal(run("events", "--limit", "10"), 0);
	assert_sent("events", "{\"limit\": 10}");
	assert_int_equal(run("events", "--limit", "0"), 2);
	assert_non_null(strstr(err, "--limit '0'"));
	assert_int_equal(run("events", "--limit", "ten"), 2);
	assert_int_equal(ncalls(), 2);
}

static void usage_errors_exit_2_and_send_nothing(void **state)
{
	static const struct {
		const char *argv[8];
		const char *says;
	} cases[] = {
		{ { "allow", "02:00:5e:00:53:0a" }, "--minutes missing" },
		{ { "allow", "--minutes", "30" }, "MAC address missing" },
		{ { "allow", "02:00:5e:00:53", "--minutes", "30" }, "MAC '02:00:5e:00:53'" },
		{ { "allow", "02:00:5e:00:53:0a", "--minutes", "0" }, "--minutes '0'" },
		{ { "allow", "02:00:5e:00:53:0a", "--minutes", "half" }, "--minutes 'half'" },
		{ { "allow", "02:00:5e:00:53:0a", "--minutes", "-5" }, "--minutes '-5'" },
		{ { "allow", "02:00:5e:00:53:0a", "--minutes" }, "'--minutes' needs a value" },
		{ { "client" }, "MAC address missing" },
		{ { "client", "02:00:5e:00:53:0a", "extra" }, "unexpected argument 'extra'" },
		{ { "kick", "02:00:5e:00:53:0g" }, "MAC '02:00:5e:00:53:0g'" },
		{ { "kick", "02:00-5e:00:53:0a" }, "MAC '02:00-5e:00:53:0a'" },
		{ { "block", "2:0:5e:0:53:a" }, "MAC '2:0:5e:0:53:a'" },
		{ { "block", "02:00:5e:00:53:0a:" }, "MAC '02:00:5e:00:53:0a:'" },
		{ { "clients", "now" }, "unexpected argument 'now'" },
		{ { "ports", "--bogus" }, "unknown or ambiguous option '--bogus'" },
		{ { "port" }, "what to do with the port" },
		{ { "port", "frob", "lan.101" }, "unknown verb 'frob'" },
		{ { "port", "reset" }, "IFACE missing" },
		{ { "port", "reset", "lan.101", "lan.102" }, "unexpected argument 'lan.102'" },
		{ { "unblock" }, "MAC" },
		{ { "port", "set", "lan.101" }, "nothing to set" },
		{ { "port", "set", "--mode", "free" }, "IFACE missing" },
		{ { "port", "set", "lan.101", "--mode", "paid" }, "--mode 'paid'" },
		{ { "port", "set", "much.too.long.ifname", "--mode", "free" },
		  "IFACE 'much.too.long.ifname'" },
		{ { "port", "set", "lan/101", "--mode", "free" }, "IFACE 'lan/101'" },
		{ { "port", "set", "lan.101", "--room", "a\nb" }, "--room" },
		{ { "sessions", "--since" }, "'--since' needs a value" },
		{ { "--timeout", "0", "status" }, "--timeout" },
		{ { "--timeout", "soon", "status" }, "--timeout" },
		{ { "--frobnicate", "status" }, "'--frobnicate'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[12] = { "wicketctl", "--socket", path };
		int argc = 3;

		for (const char *const *a = cases[i].argv; *a; a++)
			argv[argc++] = (char *)*a;
		assert_int_equal(run_argv(argc, argv), 2);
		if (!strstr(err, cases[i].says)) {
			print_error("case %zu: stderr is \"%s\", wanted \"%s\" in it\n", i, err,
				    cases[i].says);
			fail();
		}
		assert_string_equal(out, "");
	}
	assert_int_equal(ncalls(), 0);
}

/* The column starting at col in the header line holds text on line n. */
static const char *line_at(const char *text, int n)
{
	for (; n > 0 && text; n--) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	return text;
}

static void clients_table_is_aligned_and_human(void **state)
{
	const char *header, *row1, *row2;

	(void)state;
	assert_int_equal(run("clients"), 0);
	assert_sent("clients", "{}");
	header = line_at(out, 0);
	row1 = line_at(out, 1);
	row2 = line_at(out, 2);
	assert_non_null(row2);
	assert_string_equal(
		out,
		"ID  MAC                PORT     ROOM  STATE       SESSION   LEFT  IDLE       UP      "
		"DOWN  ADDRESSES\n"
		" 7  02:00:5e:00:53:0a  lan.101  101   authorized       17  1h02m   45s  1.2 MiB  50.0 "
		"MiB  10.0.1.23, fe80::1\n"
		"12  02:00:5e:00:53:0b  lan.2    -     captive           -      -     -    512 B       0 "
		"B  -\n");
	/* Left-aligned columns start where their header starts... */
	assert_int_equal(strstr(row1, "lan.101") - row1, strstr(header, "PORT") - header);
	assert_int_equal(strstr(row2, "captive") - row2, strstr(header, "STATE") - header);
	/* ...right-aligned ones end where it ends. */
	assert_int_equal(strstr(row1, "1h02m") - row1 + 5, strstr(header, "LEFT") - header + 4);
	assert_int_equal(strstr(row2, "512 B") - row2 + 5, strstr(header, " UP") - header + 3);
}

static void json_prints_the_result_and_nothing_else(void **state)
{
	static const struct {
		const char *cmd[4];
		const char *result;
	} cases[] = {
		{ { "clients" }, clients_json },
		{ { "status" }, status_json },
		{ { "ports" }, ports_json },
		{ { "allow", "02:00:5e:00:53:0a", "--minutes", "30" }, allow_json },
		{ { "events", "--json" }, events_json }, /* --json after the command too */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[10] = { "wicketctl", "--json", "--socket", path };
		int argc = 4;
		json_t *got, *want = json_loads(cases[i].result, 0, NULL);

		for (const char *const *a = cases[i].cmd; a < cases[i].cmd + 4 && *a; a++)
			argv[argc++] = (char *)*a;
		assert_int_equal(run_argv(argc, argv), 0);
		got = json_loads(out, 0, NULL);
		assert_non_null(got);
		assert_true(json_equal(got, want));
		assert_string_equal(err, "");
		json_decref(got);
		json_decref(want);
	}
	/* Pretty: indented, one field per line. */
	assert_int_equal(run("--json", "block", "02:00:5e:00:53:0a"), 0);
	assert_string_equal(out, "{\n  \"mac\": \"02:00:5e:00:53:0a\"\n}\n");
}

static void bare_wicketctl_is_status(void **state)
{
	(void)state;
	assert_int_equal(run_raw("--socket", path, NULL), 0);
	assert_sent("status", "{}");
	assert_string_equal(out, "wicketd    0.1.0, up 2d03h\n"
				 "wicket.ko  not loaded\n"
				 "clients    3: 2 authorized, 0 provisional, 1 captive, 0 blocked\n"
				 "sessions   2 active\n"
				 "ports      24\n"
				 "firewall   installed\n");
}

static void the_daemons_error_exits_1_on_stderr(void **state)
{
	(void)state;
	pthread_mutex_lock(&lock);
	fail_with = "no client 02:00:5e:00:53:99: wicketctl clients lists them";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("kick", "02:00:5E:00:53:99"), 1);
	assert_sent("kick", "{\"mac\": \"02:00:5e:00:53:99\"}");
	assert_string_equal(err, "wicketctl: no client 02:00:5e:00:53:99: wicketctl clients lists them\n");
	assert_string_equal(out, "");
	assert_int_equal(run("--json", "clients"), 1);
	assert_string_equal(out, "");
}

static void no_daemon_exits_3(void **state)
{
	char missing[160];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/nothing.sock", dir);
	assert_int_equal(run_raw("--socket", missing, "clients", NULL), 3);
	assert_non_null(strstr(err, "wicketd is not running"));
	assert_string_equal(out, "");
	/* The socket from the environment... */
	setenv(CTL_SOCKET_ENV, missing, 1);
	assert_int_equal(run_raw("ports", NULL), 3);
	assert_non_null(strstr(err, missing));
	setenv(CTL_SOCKET_ENV, path, 1);
	assert_int_equal(run_raw("ports", NULL), 0);
	/* ...and --socket before it. */
	assert_int_equal(run_raw("--socket", missing, "ports", NULL), 3);
	assert_int_equal(ncalls(), 1);
}

static void no_answer_in_time_exits_3(void **state)
{
	(void)state;
	pthread_mutex_lock(&lock);
	stall_s = 1;
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("--timeout", "0.2", "events"), 3);
	assert_non_null(strstr(err, "no answer from wicketd"));
	/* Let the stalled handler finish before the next test. */
	sleep(1);
}

static void prefixes_must_be_unambiguous(void **state)
{
	(void)state;
	assert_int_equal(run("cl"), 2);
	assert_string_equal(err, "wicketctl: 'cl' is ambiguous: clients, client\n");
	assert_int_equal(run("por", "set", "lan.101", "--mode", "free"), 2);
	assert_string_equal(err, "wicketctl: 'por' is ambiguous: ports, port\n");
	assert_int_equal(run("frob"), 2);
	assert_non_null(strstr(err, "unknown command 'frob'"));
	assert_int_equal(ncalls(), 0);
	/* A unique prefix; an exact name that is also a prefix of another. */
	assert_int_equal(run("sess"), 0);
	assert_sent("sessions", "{}");
	assert_int_equal(run("client", "02:00:5e:00:53:0a"), 0);
	assert_sent("client", "{\"mac\": \"02:00:5e:00:53:0a\"}");
	assert_int_equal(run("st"), 0);
	assert_sent("status", "{}");
	assert_int_equal(run("port", "se", "lan.101", "--mode", "free"), 0);
	assert_sent("port_set", "{\"ifname\": \"lan.101\", \"mode\": \"free\"}");
}

static void help_documents_the_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(run("--help"), 0);
	assert_non_null(strstr(out, "port set IFACE [--room ROOM] [--mode charge|free|blocked]"));
	assert_non_null(
		strstr(out, "exit status: 0 done, 1 wicketd refused or failed the request, 2 usage error"));
	assert_non_null(strstr(out, "3 wicketd not reachable"));
	assert_int_equal(run("allow", "--help"), 0);
	assert_string_equal(out, "usage: wicketctl allow MAC --minutes N\n");
	assert_int_equal(run("help"), 0);
	assert_non_null(strstr(out, "sessions [--active] [--since TIME]"));
	assert_int_equal(ncalls(), 0);
}

static void version_does_not_need_wicketd(void **state)
{
	int rc;

	(void)state;
	/* No module on a test host: 1 and its reason, never "not reachable". */
	rc = run_raw("--socket", "/nonexistent/control.sock", "version", NULL);
	assert_true(rc == 0 || rc == 1);
	assert_null(strstr(err, "wicketd"));
	assert_int_equal(ncalls(), 0);
}

/* --- plans */

/* The request number i (from 0) since reset() was cmd with exactly the args in expected. */
static void assert_sent_nth(size_t i, const char *cmd, const char *expected)
{
	json_t *want = json_loads(expected, 0, NULL), *req;

	assert_non_null(want);
	pthread_mutex_lock(&lock);
	req = json_array_get(history, i);
	assert_non_null(req);
	assert_string_equal(json_string_value(json_object_get(req, "cmd")), cmd);
	if (!json_equal(json_object_get(req, "args"), want)) {
		char *got = json_dumps(json_object_get(req, "args"), JSON_COMPACT | JSON_SORT_KEYS);

		print_error("request %zu: sent %s, expected %s\n", i, got, expected);
		free(got);
		fail();
	}
	pthread_mutex_unlock(&lock);
	json_decref(want);
}

/* Each argv (NULL-terminated, at most 23 words) exits 2, sends nothing and says what in err. */
struct usage_case {
	const char *argv[24];
	const char *says;
};

static void assert_usage_errors(const struct usage_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *argv[32] = { "wicketctl", "--socket", path };
		int argc = 3, rc;

		for (const char *const *a = cases[i].argv; *a; a++)
			argv[argc++] = (char *)*a;
		rc = run_argv(argc, argv);
		if (rc != 2 || !strstr(err, cases[i].says) || out[0]) {
			print_error("case %zu (%s %s): exit %d, stdout \"%s\", stderr \"%s\", wanted \"%s\" "
				    "in it\n",
				    i, cases[i].argv[0], cases[i].argv[1] ? cases[i].argv[1] : "", rc, out,
				    err, cases[i].says);
			fail();
		}
	}
	assert_int_equal(ncalls(), 0);
}

static void plans_table_shows_prices_limits_and_offers(void **state)
{
	(void)state;
	assert_int_equal(run("plans"), 0);
	assert_sent("plans", "{}");
	assert_string_equal(
		out, "NAME      KIND            PRICE                        METHODS       LIMITS           "
		     "            OFFERED\n"
		     "Day pass  time            4.50 EUR                     room,voucher  24h, idle 15m    "
		     "            everywhere\n"
		     "Metered   time+data       0.00 EUR +0.10/min +0.02/MB  remote        1h30m, 1.0 GB, "
		     "keepalive 1m  lan.101, room 102\n"
		     "Lobby     free            free                         free          -                "
		     "            nowhere\n"
		     "Stay      until-checkout  1.500 KWD                    room          until checkout, "
		     "1.0 GiB      retired 2024-05-01 08:30\n");
	assert_string_equal(err, "");
	assert_int_equal(run("plans", "--all"), 0);
	assert_sent("plans", "{\"all\": true}");
	assert_int_equal(ncalls(), 2);
}

static void plan_add_sends_minor_units_seconds_and_bytes(void **state)
{
	(void)state;
	assert_int_equal(run("plan", "add", "Day pass", "--kind", "time", "--price", "4.50", "--currency",
			     "EUR", "--methods", "room,voucher", "--duration", "24h", "--idle", "15m"),
			 0);
	assert_sent("plan_add",
		    "{\"name\": \"Day pass\", \"kind\": \"time\", \"price\": 450, \"currency\": \"EUR\","
		    " \"methods\": [\"room\", \"voucher\"], \"duration_s\": 86400, \"idle_timeout_s\": 900,"
		    " \"offered\": [{}]}");
	assert_string_equal(out, "NAME      KIND  PRICE     METHODS       LIMITS         OFFERED\n"
				 "Day pass  time  4.50 EUR  room,voucher  24h, idle 15m  everywhere\n");
	/* Offers, metered parts, sizes; a lower-case currency; prefixes of the verb and options. */
	assert_int_equal(run("plan", "a", "Metered", "--kind", "time+data", "--price", "0", "--currency",
			     "eur", "--methods", "remote", "--per-minute", "0.10", "--per-mb", "0.02",
			     "--dur", "1h30m", "--data", "1GB", "--keepalive", "1m", "--port", "lan.101",
			     "--room", "102"),
			 0);
	assert_sent("plan_add",
		    "{\"name\": \"Metered\", \"kind\": \"time+data\", \"price\": 0, \"currency\": \"EUR\", "
		    "\"methods\":"
		    " [\"remote\"], \"per_minute\": 10, \"per_mb\": 2, \"duration_s\": 5400, \"bytes\": "
		    "1000000000,"
		    " \"keepalive_s\": 60, \"offered\": [{\"port\": \"lan.101\"}, {\"room\": \"102\"}]}");
	/* The currency's decimals: none for JPY, three for KWD. */
	assert_int_equal(run("plan", "add", "Lobby", "--kind", "free", "--price", "500", "--currency", "JPY",
			     "--methods", "free", "--everywhere"),
			 0);
	assert_sent("plan_add",
		    "{\"name\": \"Lobby\", \"kind\": \"free\", \"price\": 500, \"currency\": \"JPY\","
		    " \"methods\": [\"free\"], \"offered\": [{}]}");
	assert_int_equal(run("plan", "add", "Stay", "--kind", "until-checkout", "--price", "1.5",
			     "--currency", "KWD", "--methods", "room,staff", "--data", "1.5GiB"),
			 0);
	assert_sent(
		"plan_add",
		"{\"name\": \"Stay\", \"kind\": \"until-checkout\", \"price\": 1500, \"currency\":"
		" \"KWD\", \"methods\": [\"room\", \"staff\"], \"bytes\": 1610612736, \"offered\": [{}]}");
	assert_int_equal(run("plan", "add", "Hour", "--kind", "data", "--price", "4.5", "--currency", "USD",
			     "--methods", "voucher", "--data", "500MB", "--room", "Suite Élysée", "--room",
			     "101"),
			 0);
	assert_sent("plan_add",
		    "{\"name\": \"Hour\", \"kind\": \"data\", \"price\": 450, \"currency\": \"USD\","
		    " \"methods\": [\"voucher\"], \"bytes\": 500000000, \"offered\": [{\"room\":"
		    " \"Suite Élysée\"}, {\"room\": \"101\"}]}");
	assert_int_equal(ncalls(), 5);
}

static void plan_set_sends_only_what_was_given(void **state)
{
	(void)state;
	assert_int_equal(run("plan", "set", "Day pass", "--idle", "0"), 0);
	assert_sent("plan_set", "{\"name\": \"Day pass\", \"idle_timeout_s\": 0}");
	assert_int_equal(run("plan", "s", "Day pass", "--price", "5", "--currency", "EUR"), 0);
	assert_sent("plan_set", "{\"name\": \"Day pass\", \"price\": 500, \"currency\": \"EUR\"}");
	assert_int_equal(
		run("plan", "set", "Day pass", "--methods", "voucher", "--kind", "data", "--data", "2GB"), 0);
	assert_sent("plan_set", "{\"name\": \"Day pass\", \"methods\": [\"voucher\"], \"kind\": \"data\","
				" \"bytes\": 2000000000}");
	/* Any of --port, --room, --everywhere replaces the offers. */
	assert_int_equal(run("plan", "set", "--port", "lan.101", "Day pass", "--port", "lan.102"), 0);
	assert_sent("plan_set", "{\"name\": \"Day pass\", \"offered\": [{\"port\": \"lan.101\"}, {\"port\":"
				" \"lan.102\"}]}");
	assert_int_equal(run("plan", "set", "Day pass", "--everywhere"), 0);
	assert_sent("plan_set", "{\"name\": \"Day pass\", \"offered\": [{}]}");
	assert_string_equal(out, "NAME      KIND  PRICE     METHODS       LIMITS         OFFERED\n"
				 "Day pass  time  4.50 EUR  room,voucher  24h, idle 15m  everywhere\n");
	assert_int_equal(run("plan", "retire", "Day pass"), 0);
	assert_sent("plan_retire", "{\"name\": \"Day pass\"}");
	assert_string_equal(out, "retired plan Day pass: guests can no longer choose it\n");
	assert_int_equal(run("plan", "ret", "Day pass"), 0);
	assert_sent("plan_retire", "{\"name\": \"Day pass\"}");
	assert_int_equal(ncalls(), 7);
}

static void plan_usage_errors_send_nothing(void **state)
{
#define ADD "plan", "add", "P", "--kind", "time", "--duration", "1h", "--methods", "room"
	static const struct usage_case cases[] = {
		{ { "plan" }, "what to do with the plan? (add, set, retire)" },
		{ { "plan", "frob", "P" }, "unknown verb 'frob' (add, set, retire)" },
		{ { "plan", "--kind", "time" }, "what to do with the plan? (add, set, retire)" },
		{ { "plan", "add" }, "NAME missing" },
		{ { "plan", "add", "P" }, "missing --kind, --price, --currency, --methods" },
		{ { "plan", "add", "P", "--kind", "time", "--methods", "room", "--currency", "EUR" },
		  "missing --price" },
		{ { "plan", "add", "P", "Q", "--kind", "time" }, "unexpected argument 'Q'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--kind", "hourly" },
		  "--kind 'hourly' is not one of" },
		{ { ADD, "--price", "1", "--currency", "EURO" }, "--currency 'EURO' is not a currency code" },
		{ { ADD, "--price", "1", "--currency", "E1R" }, "--currency 'E1R'" },
		{ { ADD, "--price", "1", "--currency", "" }, "--currency ''" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--methods", "card" },
		  "'card' is not a way to pay" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--methods", "room,room" }, "room twice" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--methods", "room," },
		  "'' is not a way to pay" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--methods", "" }, "'' is not a way to pay" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--methods", "Room" },
		  "'Room' is not a way to pay" },
		/* Money: too many decimals for the currency, not an amount, too large. */
		{ { ADD, "--price", "4.505", "--currency", "EUR" },
		  "--price '4.505': EUR amounts have at most 2 decimals" },
		{ { ADD, "--price", "4.500", "--currency", "EUR" }, "EUR amounts have at most 2 decimals" },
		{ { ADD, "--price", "1.5", "--currency", "JPY" },
		  "--price '1.5': JPY amounts have no decimals" },
		{ { ADD, "--price", "1.2345", "--currency", "KWD" }, "KWD amounts have at most 3 decimals" },
		{ { ADD, "--price", "4,50", "--currency", "EUR" }, "--price '4,50' is not an amount" },
		{ { ADD, "--price", "-1", "--currency", "EUR" }, "--price '-1' is not an amount" },
		{ { ADD, "--price", "+1", "--currency", "EUR" }, "--price '+1' is not an amount" },
		{ { ADD, "--price", ".5", "--currency", "EUR" }, "--price '.5' is not an amount" },
		{ { ADD, "--price", "4.", "--currency", "EUR" }, "--price '4.' is not an amount" },
		{ { ADD, "--price", "1e3", "--currency", "EUR" }, "--price '1e3' is not an amount" },
		{ { ADD, "--price", "4.50 EUR", "--currency", "EUR" }, "is not an amount" },
		{ { ADD, "--price", "", "--currency", "EUR" }, "--price '' is not an amount" },
		{ { ADD, "--price", "1000000000", "--currency", "EUR" },
		  "--price '1000000000' is too large" },
		{ { ADD, "--price", "99999999999999999999999", "--currency", "JPY" }, "is too large" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--per-minute", "0.001" },
		  "--per-minute '0.001'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--per-mb", "x" },
		  "--per-mb 'x' is not an amount" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--per", "1" },
		  "unknown or ambiguous option '--per'" },
		/* Durations. */
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "24" },
		  "--duration '24' is not a duration" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "h" }, "--duration 'h'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "30m1h" }, "--duration '30m1h'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "1h1h" }, "--duration '1h1h'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "-5m" }, "--duration '-5m'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "1.5h" }, "--duration '1.5h'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--duration", "1w" }, "--duration '1w'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--idle", "" }, "--idle '' is not a duration" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--keepalive", "3661d" },
		  "--keepalive '3661d' is too long" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--idle", "9999999999s" },
		  "--idle '9999999999s' is too long" },
		/* Sizes. */
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "500" },
		  "--data '500' is not a size" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "1.5B" },
		  "--data '1.5B' is not a size" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "1XB" }, "--data '1XB'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "-1GB" }, "--data '-1GB'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "1  GB" }, "--data '1  GB'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "GB" }, "--data 'GB'" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "1001TB" },
		  "--data '1001TB' is too large" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--data", "99999999999999999GB" },
		  "is too large" },
		/* Offers. */
		{ { ADD, "--price", "1", "--currency", "EUR", "--port", "lan/101" },
		  "--port 'lan/101' is not an interface" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--room", "a\tb" },
		  "--room: 1 to 63 characters" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--room", "" }, "--room: 1 to 63 characters" },
		{ { ADD, "--price", "1", "--currency", "EUR", "--room", "101", "--everywhere" },
		  "--everywhere or --port/--room: choose one" },
		/* What a kind needs. */
		{ { "plan", "add", "P", "--kind", "time", "--price", "1", "--currency", "EUR", "--methods",
		    "room" },
		  "--kind time needs --duration" },
		{ { "plan", "add", "P", "--kind", "time+data", "--price", "1", "--currency", "EUR",
		    "--methods", "room", "--duration", "1h" },
		  "--kind time+data needs --data" },
		{ { "plan", "add", "P", "--kind", "data", "--price", "1", "--currency", "EUR", "--methods",
		    "room" },
		  "--kind data needs --data" },
		{ { "plan", "add", "A name that is longer than the sixty-four bytes a plan's name may have",
		    "--kind", "free", "--price", "0", "--currency", "EUR", "--methods", "free" },
		  "1 to 64 characters" },
		{ { "plan", "add", "", "--kind", "free", "--price", "0", "--currency", "EUR", "--methods",
		    "free" },
		  "plan name ''" },
		/* plan set: something to set, and a currency for amounts. */
		{ { "plan", "set", "P" }, "nothing to set" },
		{ { "plan", "set", "P", "--price", "5" }, "--price needs --currency too" },
		{ { "plan", "set", "P", "--per-mb", "0.01" }, "--per-mb needs --currency too" },
		{ { "plan", "set", "--idle", "5m" }, "NAME missing" },
		{ { "plan", "set", "P", "--idle", "5" }, "--idle '5' is not a duration" },
		{ { "plan", "retire" }, "NAME missing" },
		{ { "plan", "retire", "P", "Q" }, "unexpected argument 'Q'" },
		{ { "plan", "retire", "P", "--kind", "time" }, "unknown or ambiguous option '--kind'" },
		{ { "plans", "all" }, "unexpected argument 'all'" },
		{ { "plans", "--retired" }, "unknown or ambiguous option '--retired'" },
	};
#undef ADD

	(void)state;
	assert_usage_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* --- money, durations, sizes */

static void money_is_exact_in_the_currencys_decimals(void **state)
{
	static const struct {
		const char *amount, *currency;
		int err;
		long long minor;
	} cases[] = {
		{ "4.50", "EUR", 0, 450 },
		{ "4.5", "EUR", 0, 450 },
		{ "4", "EUR", 0, 400 },
		{ "0.5", "EUR", 0, 50 },
		{ "0.01", "EUR", 0, 1 },
		{ "0", "EUR", 0, 0 },
		{ "007.10", "EUR", 0, 710 },
		/* 0.29 is no double: 28.999... cents where floating point touches it. */
		{ "0.29", "USD", 0, 29 },
		{ "19.99", "GBP", 0, 1999 },
		{ "999999999.99", "EUR", 0, 99999999999LL },
		{ "500", "JPY", 0, 500 },
		{ "500", "jpy", 0, 500 },
		{ "1.5", "KWD", 0, 1500 },
		{ "1.234", "TND", 0, 1234 },
		{ "0.001", "BHD", 0, 1 },
		{ "4.505", "EUR", -EDOM, 0 },
		{ "4.500", "EUR", -EDOM, 0 },
		{ "1.5", "JPY", -EDOM, 0 },
		{ "1.0", "XOF", -EDOM, 0 },
		{ "1.2345", "KWD", -EDOM, 0 },
		{ "1000000000", "EUR", -ERANGE, 0 },
		{ "1000000000", "JPY", -ERANGE, 0 },
		{ "99999999999999999999999", "EUR", -ERANGE, 0 },
		{ "4,50", "EUR", -EINVAL, 0 },
		{ "-1", "EUR", -EINVAL, 0 },
		{ " 1", "EUR", -EINVAL, 0 },
		{ "1 ", "EUR", -EINVAL, 0 },
		{ ".5", "EUR", -EINVAL, 0 },
		{ "5.", "EUR", -EINVAL, 0 },
		{ "1e2", "EUR", -EINVAL, 0 },
		{ "0x10", "EUR", -EINVAL, 0 },
		{ "", "EUR", -EINVAL, 0 },
	};
	char b[CTL_FMT_LEN], code[4];
	json_t *v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long minor = -1;
		int err = ctl_parse_money(cases[i].amount, cases[i].currency, &minor);

		if (err != cases[i].err || (!err && minor != cases[i].minor)) {
			print_error("'%s' %s: %d %lld, wanted %d %lld\n", cases[i].amount, cases[i].currency,
				    err, minor, cases[i].err, cases[i].minor);
			fail();
		}
	}
	assert_int_equal(ctl_currency_exponent("EUR"), 2);
	assert_int_equal(ctl_currency_exponent("JPY"), 0);
	assert_int_equal(ctl_currency_exponent("VUV"), 0);
	assert_int_equal(ctl_currency_exponent("OMR"), 3);
	assert_int_equal(ctl_currency_exponent("XYZ"), 2);
	/* Not a code: no part of the list may match ("F C" is in "BIF CLP"). */
	assert_int_equal(ctl_currency_exponent("F C"), 2);
	assert_int_equal(ctl_currency_exponent(NULL), 2);
	assert_int_equal(ctl_parse_currency("eur", code), 0);
	assert_string_equal(code, "EUR");
	assert_int_equal(ctl_parse_currency("EU", code), -EINVAL);
	assert_int_equal(ctl_parse_currency("EUR ", code), -EINVAL);
	assert_int_equal(ctl_parse_currency("€UR", code), -EINVAL);

	assert_string_equal(ctl_fmt_amount(b, 450, "EUR"), "4.50");
	assert_string_equal(ctl_fmt_amount(b, 5, "EUR"), "0.05");
	assert_string_equal(ctl_fmt_amount(b, 0, "EUR"), "0.00");
	assert_string_equal(ctl_fmt_amount(b, -1999, "EUR"), "-19.99");
	assert_string_equal(ctl_fmt_amount(b, 500, "JPY"), "500");
	assert_string_equal(ctl_fmt_amount(b, 1500, "KWD"), "1.500");
	assert_string_equal(ctl_fmt_amount(b, 7, "KWD"), "0.007");
	assert_string_equal(ctl_fmt_amount(b, LLONG_MIN, "KWD"), "-9223372036854775.808");
	v = json_integer(123456);
	assert_string_equal(ctl_fmt_money(b, v, "EUR"), "1234.56 EUR");
	assert_string_equal(ctl_fmt_money(b, v, "ISK"), "123456 ISK");
	assert_string_equal(ctl_fmt_money(b, v, NULL), "1234.56");
	assert_string_equal(ctl_fmt_money(b, NULL, "EUR"), "-");
	json_decref(v);
}

static void durations_and_sizes_read_as_typed(void **state)
{
	static const struct {
		const char *s;
		int err;
		long long secs;
	} durations[] = {
		{ "45s", 0, 45 },        { "90m", 0, 5400 },
		{ "24h", 0, 86400 },     { "2d", 0, 172800 },
		{ "1h30m", 0, 5400 },    { "1d2h3m4s", 0, 93784 },
		{ "0", 0, 0 },           { "0s", 0, 0 },
		{ "24H", 0, 86400 },     { "3660d", 0, 3660LL * 86400 },
		{ "3661d", -ERANGE, 0 }, { "1234567890s", -ERANGE, 0 },
		{ "24", -EINVAL, 0 },    { "", -EINVAL, 0 },
		{ "h", -EINVAL, 0 },     { "30m1h", -EINVAL, 0 },
		{ "1h1h", -EINVAL, 0 },  { "1h 30m", -EINVAL, 0 },
		{ "-1h", -EINVAL, 0 },   { "1.5h", -EINVAL, 0 },
		{ "1w", -EINVAL, 0 },    { "1hh", -EINVAL, 0 },
	};
	static const struct {
		const char *s;
		int err;
		long long bytes;
	} sizes[] = {
		{ "500MB", 0, 500000000 },
		{ "1GB", 0, 1000000000 },
		{ "1.5GB", 0, 1500000000 },
		{ "1.5 GB", 0, 1500000000 },
		{ "2kb", 0, 2000 },
		{ "1TB", 0, 1000000000000LL },
		{ "1000TB", 0, 1000000000000000LL },
		{ "1GiB", 0, 1073741824 },
		{ "512MiB", 0, 536870912 },
		{ "1.5GiB", 0, 1610612736 },
		{ "1.1KiB", 0, 1126 }, /* 1126.4: to the nearest byte */
		{ "0.000001GB", 0, 1000 },
		{ "100B", 0, 100 },
		{ "0", 0, 0 },
		{ "0MB", 0, 0 },
		{ "1001TB", -ERANGE, 0 },
		{ "1024TiB", -ERANGE, 0 },
		{ "99999999999999999GB", -ERANGE, 0 },
		{ "500", -EINVAL, 0 },
		{ "1.5B", -EINVAL, 0 },
		{ "1.0000001GB", -EINVAL, 0 },
		{ "1PB", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1GB ", -EINVAL, 0 },
		{ "-1GB", -EINVAL, 0 },
		{ ".5GB", -EINVAL, 0 },
		{ "5.GB", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};
	char b[CTL_FMT_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		long long secs = -1;
		int err = ctl_parse_duration(durations[i].s, &secs);

		if (err != durations[i].err || (!err && secs != durations[i].secs)) {
			print_error("duration '%s': %d %lld\n", durations[i].s, err, secs);
			fail();
		}
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long long bytes = -1;
		int err = ctl_parse_size(sizes[i].s, &bytes);

		if (err != sizes[i].err || (!err && bytes != sizes[i].bytes)) {
			print_error("size '%s': %d %lld\n", sizes[i].s, err, bytes);
			fail();
		}
	}
	/* Formatted as they would be typed, so that they read back the same. */
	assert_string_equal(ctl_fmt_duration_arg(b, 45), "45s");
	assert_string_equal(ctl_fmt_duration_arg(b, 900), "15m");
	assert_string_equal(ctl_fmt_duration_arg(b, 5400), "1h30m");
	assert_string_equal(ctl_fmt_duration_arg(b, 86400), "24h");
	assert_string_equal(ctl_fmt_duration_arg(b, 129600), "36h");
	assert_string_equal(ctl_fmt_duration_arg(b, 172800), "2d");
	assert_string_equal(ctl_fmt_duration_arg(b, 93784 + 86400), "2d2h3m4s");
	assert_string_equal(ctl_fmt_duration_arg(b, 0), "0");
	assert_string_equal(ctl_fmt_size(b, 999), "999 B");
	assert_string_equal(ctl_fmt_size(b, 1000), "1.0 KB");
	assert_string_equal(ctl_fmt_size(b, 500000000), "500.0 MB");
	assert_string_equal(ctl_fmt_size(b, 1000000000), "1.0 GB");
	assert_string_equal(ctl_fmt_size(b, 1500000000), "1.5 GB");
	assert_string_equal(ctl_fmt_size(b, 999999999), "1.0 GB");
	assert_string_equal(ctl_fmt_size(b, 1073741824), "1.0 GiB");
	assert_string_equal(ctl_fmt_size(b, 536870912), "512.0 MiB");
	assert_string_equal(ctl_fmt_size(b, 1000000000000000LL), "1.0 PB");
}

/* --- vouchers */

static void vouchers_create_prints_codes_to_read_out(void **state)
{
	(void)state;
	assert_int_equal(run("vouchers", "create", "--plan", "Day pass", "--count", "2", "--devices", "2"),
			 0);
	assert_sent("vouchers_create", "{\"plan\": \"Day pass\", \"count\": 2, \"devices\": 2}");
	assert_string_equal(
		out, "CODE         PLAN      DEVICES\n"
		     "ABCDE-FGH23  Day pass        2\n"
		     "JKLMN-PQR45  Day pass        2\n"
		     "\n"
		     "2 vouchers in batch 20240501-0830 (wicketctl vouchers --batch 20240501-0830 lists them "
		     "again)\n");
	/* One device unless told; CSV with the raw codes. */
	assert_int_equal(run("vouchers", "cr", "--count=2", "--plan=Day pass", "--csv"), 0);
	assert_sent("vouchers_create", "{\"plan\": \"Day pass\", \"count\": 2, \"devices\": 1}");
	assert_string_equal(out, "code,plan,devices,batch\n"
				 "ABCDEFGH23,Day pass,2,20240501-0830\n"
				 "JKLMNPQR45,Day pass,2,20240501-0830\n");
	assert_int_equal(run("vouchers", "create", "--plan", "P", "--count", "10000", "--devices", "1000"),
			 0);
	assert_sent("vouchers_create", "{\"plan\": \"P\", \"count\": 10000, \"devices\": 1000}");
	assert_int_equal(ncalls(), 3);
}

static void vouchers_list_by_batch_and_as_csv(void **state)
{
	(void)state;
	assert_int_equal(run("vouchers"), 0);
	assert_sent("vouchers", "{}");
	assert_string_equal(
		out, "CODE         PLAN        DEVICES  USED  BATCH          CREATED           REVOKED\n"
		     "ABCDE-FGH23  Day pass          2     1  20240501-0830  2024-05-01 08:30  -\n"
		     "JKLMN-PQR45  Day, Night        1     0  20240501-0830  2024-05-01 08:30  2024-05-01 "
		     "09:30\n");
	assert_int_equal(run("vo", "--batch", "20240501-0830", "--csv"), 0);
	assert_sent("vouchers", "{\"batch\": \"20240501-0830\"}");
	/* A field with a comma is quoted. */
	assert_string_equal(
		out, "code,plan,devices,batch,used,created,revoked\n"
		     "ABCDEFGH23,Day pass,2,20240501-0830,1,2024-05-01 08:30,\n"
		     "JKLMNPQR45,\"Day, Night\",1,20240501-0830,0,2024-05-01 08:30,2024-05-01 09:30\n");
	assert_int_equal(ncalls(), 2);
}

static void voucher_usage_errors_send_nothing(void **state)
{
	static const struct usage_case cases[] = {
		{ { "vouchers", "create", "--count", "5" }, "--plan missing" },
		{ { "vouchers", "create", "--plan", "P" }, "--count missing" },
		{ { "vouchers", "create", "--plan", "P", "--count", "0" },
		  "--count '0' is not a number from 1 to 10000" },
		{ { "vouchers", "create", "--plan", "P", "--count", "10001" }, "--count '10001'" },
		{ { "vouchers", "create", "--plan", "P", "--count", "ten" }, "--count 'ten'" },
		{ { "vouchers", "create", "--plan", "P", "--count", "1", "--devices", "0" },
		  "--devices '0' is not a number from 1 to 1000" },
		{ { "vouchers", "create", "--plan", "P", "--count", "1", "--devices", "1001" },
		  "--devices '1001'" },
		{ { "vouchers", "create", "--plan", "", "--count", "1" }, "--plan ''" },
		{ { "vouchers", "create", "--plan", "P", "--count", "1", "extra" },
		  "unexpected argument 'extra'" },
		{ { "--json", "vouchers", "create", "--plan", "P", "--count", "1", "--csv" },
		  "--csv or --json" },
		{ { "vouchers", "--csv", "--json" }, "--csv or --json" },
		{ { "vouchers", "frob" }, "unknown verb 'frob' (create)" },
		{ { "vouchers", "--batch", "a b" }, "--batch 'a b' is not a batch name" },
		{ { "vouchers", "--batch", "" }, "--batch ''" },
		{ { "vouchers", "--plan", "P" }, "unknown or ambiguous option '--plan'" },
	};

	(void)state;
	assert_usage_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* --- the CSV reader */

/* Parse text; the records as "a|b|c@line\n" each. */
static int parse_csv(const char *text, size_t len, char *got, size_t gotlen, char *why, size_t whylen)
{
	struct csv csv;
	size_t n = 0;
	int ret = csv_parse(text, len, &csv, why, whylen);

	got[0] = '\0';
	for (size_t r = 0; !ret && r < csv.nrecords; r++) {
		for (size_t f = 0; f < csv.records[r].nfields; f++)
			n += (size_t)snprintf(got + n, gotlen - n, "%s%s", f ? "|" : "",
					      csv.records[r].fields[f]);
		n += (size_t)snprintf(got + n, gotlen - n, "@%lu\n", csv.records[r].line);
	}
	csv_free(&csv);
	return ret;
}

static void csv_reader_takes_rfc4180(void **state)
{
	static const struct {
		const char *text;
		const char *records;
	} good[] = {
		{ "a,b,c\n1,2,3\n", "a|b|c@1\n1|2|3@2\n" },
		{ "a,b\r\n1,2\r\n", "a|b@1\n1|2@2\n" }, /* CRLF */
		{ "a,b\n1,2", "a|b@1\n1|2@2\n" }, /* no line break at the end */
		{ "\xef\xbb\xbf"
		  "a,b\n1,2\n",
		  "a|b@1\n1|2@2\n" }, /* a byte order mark */
		{ "a,b\n\n1,2\n\r\n\n", "a|b@1\n1|2@3\n" }, /* empty lines */
		{ "a,,\n,,\n", "a||@1\n||@2\n" }, /* empty fields */
		{ "\"a,b\",c\n", "a,b|c@1\n" }, /* a comma inside quotes */
		{ "\"say \"\"hi\"\"\",x\n", "say \"hi\"|x@1\n" }, /* doubled quotes */
		{ "\"\"\"\",\"\"\n", "\"|@1\n" }, /* a field that is one quote, and a quoted empty one */
		{ "\"two\nlines\",x\ny,z\n", "two\nlines|x@1\ny|z@3\n" }, /* a line break inside quotes */
		{ "\"crlf\r\ninside\",x\r\n", "crlf\r\ninside|x@1\n" },
		{ " a , b \n", " a | b @1\n" }, /* blanks are kept: the caller trims */
		{ "Müller,Ørsted\n", "Müller|Ørsted@1\n" },
		{ "", "" },
		{ "\xef\xbb\xbf", "" },
		{ "x", "x@1\n" },
		{ "\"x\"", "x@1\n" },
		{ "a,\"\"", "a|@1\n" },
	};
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "a,b\nab\"c,d\n", "line 2: a quote inside a field" },
		{ "a,b\n\"ab\"c,d\n", "line 2: text after a closing quote" },
		{ "a,b\n\"ab\" ,d\n", "line 2: text after a closing quote" },
		{ "a,b\n1,2\n\"open,\n3,4\n", "line 3: a quoted field is never closed" },
		{ "a,b\r1,2\r", "line 1: a carriage return without a line feed" },
		{ "a,b\n1,2\r", "line 2: a carriage return" },
		{ "a,b\n\"x\r\ny\"\r\n\"a\rb\"\rc", "line 4: a carriage return" },
	};
	char got[512], why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (parse_csv(good[i].text, strlen(good[i].text), got, sizeof(got), why, sizeof(why)) ||
		    strcmp(got, good[i].records)) {
			print_error("case %zu: got \"%s\" (%s), wanted \"%s\"\n", i, got, why,
				    good[i].records);
			fail();
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (parse_csv(bad[i].text, strlen(bad[i].text), got, sizeof(got), why, sizeof(why)) !=
			    -EINVAL ||
		    strncmp(why, bad[i].why, strlen(bad[i].why))) {
			print_error("case %zu: \"%s\", wanted \"%s\"\n", i, why, bad[i].why);
			fail();
		}
	}
	/* A NUL byte: not a text file. */
	assert_int_equal(parse_csv("a,b\n1,\0002\n", 9, got, sizeof(got), why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "line 2: a NUL byte: this is not a text file");
}

static void csv_writer_quotes_what_needs_it(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	csv_put(f, "plain", 0);
	csv_put(f, "a,b", 0);
	csv_put(f, "say \"hi\"", 0);
	csv_put(f, "two\nlines", 0);
	csv_put(f, "", 1);
	fclose(f);
	assert_string_equal(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
	free(buf);
}

/* --- guests */

static char csv_path[128];

/* Write the guest list file (len bytes of text) for guests import. */
static const char *guest_file(const char *text, size_t len)
{
	FILE *f;

	snprintf(csv_path, sizeof(csv_path), "%s/guests.csv", dir);
	f = fopen(csv_path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return csv_path;
}
#define GUESTS(text) guest_file(text, sizeof(text) - 1)

static void guests_import_sends_the_whole_list(void **state)
{
	(void)state;
	/* Columns in any order and any case, a BOM, CRLF, quotes, blanks, empty optional fields. */
	assert_int_equal(run("guests", "import",
			     GUESTS("\xef\xbb\xbf"
				    "Surname,room, Departure ,arrival,FOLIO\r\n"
				    "Müller,101,2024-05-03,2024-05-01,F-1001\r\n"
				    "\"O'Brien, Jr\",\" 102 \",,,\r\n"
				    "\"Dupont \"\"Jo\"\"\",Suite Élysée,2024-05-03T11:00,1714521600,\r\n")),
			 0);
	/* A departure date alone ends with that day; an arrival date begins with it. */
	assert_sent("guests_import",
		    "{\"guests\": [{\"room\": \"101\", \"surname\": \"Müller\", \"arrival\": 1714521600, "
		    "\"departure\":"
		    " 1714780800, \"folio\": \"F-1001\"}, {\"room\": \"102\", \"surname\": \"O'Brien, Jr\", "
		    "\"arrival\":"
		    " null, \"departure\": null, \"folio\": null}, {\"room\": \"Suite Élysée\", \"surname\": "
		    "\"Dupont "
		    "\\\"Jo\\\"\", \"arrival\": 1714521600, \"departure\": 1714734000, \"folio\": null}]}");
	assert_true(!strncmp(out, "imported 3 guests from /tmp/", 28));
	assert_non_null(strstr(out, "/guests.csv (they replace the list there was)\n"));
	assert_string_equal(err, "");
	/* Only the two columns it needs; LF; no line break at the end. */
	assert_int_equal(run("gu", "imp", GUESTS("room,surname\n101,Smith")), 0);
	assert_sent("guests_import",
		    "{\"guests\": [{\"room\": \"101\", \"surname\": \"Smith\", \"arrival\": null,"
		    " \"departure\": null, \"folio\": null}]}");
	/* A header and no guest: an empty list (the property is empty). */
	assert_int_equal(run("guests", "import", GUESTS("room,surname\r\n")), 0);
	assert_sent("guests_import", "{\"guests\": []}");
	assert_int_equal(ncalls(), 3);
}

static void guests_import_refuses_a_bad_file_whole(void **state)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
		{ "room,surname,departure\n101,Smith,2024-05-03\n102,Jones,2024-13-01\n",
		  "guests.csv:3: departure: '2024-13-01' is not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM or unix "
		  "seconds)\n" },
		{ "room,surname,arrival\n101,Smith,tomorrow\n",
		  "guests.csv:2: arrival: 'tomorrow' is not a date" },
		{ "room,surname,arrival\n101,Smith,2024-02-30\n",
		  "guests.csv:2: arrival: '2024-02-30' is not a date" },
		{ "room,surname,arrival,departure\n101,Smith,2024-05-03,2024-05-01T10:00\n",
		  "guests.csv:2: departure '2024-05-01T10:00' is not after arrival '2024-05-03'" },
		{ "room\n101\n", "guests.csv:1: no 'surname' column" },
		{ "surname,name\nSmith,John\n", "guests.csv:1: unknown column 'name'" },
		{ "surname,name\nSmith,John\n", "guests.csv:1: no 'room' column" },
		{ "room,surname,room\n1,a,2\n", "guests.csv:1: column 'room' twice" },
		{ "room,surname\n101,Smith,extra\n",
		  "guests.csv:2: 3 fields, but the first line names 2 columns" },
		{ "room,surname\n101\n", "guests.csv:2: 1 field, but the first line names 2 columns" },
		{ "room,surname\n,Smith\n", "guests.csv:2: room: empty" },
		{ "room,surname\n101,  \n", "guests.csv:2: surname: empty" },
		{ "room,surname\n101,M\xfcller\n",
		  "guests.csv:2: surname: not UTF-8 text (save the file as \"CSV UTF-8\")" },
		{ "room,surname\n101,\"Smith\nJones\"\n", "guests.csv:2: surname: has a control character" },
		{ "room,surname\n0123456789012345678901234567890123456789012345678901234567890123,Smith\n",
		  "guests.csv:2: room: '0123456789012345678901234567890123456789012345678901234567890123' is "
		  "longer than "
		  "63 bytes" },
		{ "room,surname\n101,\"Smith\n", "guests.csv: line 2: a quoted field is never closed" },
		{ "room,surname\n101,Sm\"ith\n", "guests.csv: line 2: a quote inside a field" },
		{ "", "guests.csv: empty: the first line names the columns, room, surname and optionally "
		      "arrival, "
		      "departure, folio" },
		{ "\n\n", "guests.csv: empty" },
		/* Every bad line is named, and nothing is sent. */
		{ "room,surname,departure\n,Smith,\n102,Jones,soon\n103,Ok,\n104,,\n",
		  "guests.csv:2: room: empty\nwicketctl: /" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		guest_file(cases[i].text, strlen(cases[i].text));
		assert_int_equal(run("guests", "import", csv_path), 2);
		if (!strstr(err, cases[i].says)) {
			print_error("case %zu: stderr is \"%s\", wanted \"%s\" in it\n", i, err,
				    cases[i].says);
			fail();
		}
		assert_non_null(strstr(err, "nothing was imported: the guest list is as it was"));
		assert_string_equal(out, "");
	}
	assert_non_null(strstr(err, "guests.csv:3: departure: 'soon' is not a date"));
	assert_non_null(strstr(err, "guests.csv:5: surname: empty"));
	assert_null(strstr(err, "guests.csv:4"));
	/* More than ten problems: the first ten, and how many more. */
	{
		char many[2048] = "room,surname\n";

		for (int i = 0; i < 25; i++)
			strcat(many, ",Smith\n");
		guest_file(many, strlen(many));
		assert_int_equal(run("guests", "import", csv_path), 2);
		assert_non_null(strstr(err, "guests.csv:11: room: empty\n"));
		assert_null(strstr(err, "guests.csv:12:"));
		assert_non_null(strstr(err, "guests.csv: and 15 more problems\n"));
	}
	/* A NUL byte. */
	guest_file("room,surname\n101,a\0b\n", 20);
	assert_int_equal(run("guests", "import", csv_path), 2);
	assert_non_null(strstr(err, "guests.csv: line 2: a NUL byte"));
	/* No such file. */
	assert_int_equal(run("guests", "import", "/nonexistent/guests.csv"), 2);
	assert_string_equal(err,
			    "wicketctl: cannot read /nonexistent/guests.csv: No such file or directory\n");
	unlink(csv_path);
	assert_int_equal(ncalls(), 0);
}

static void guests_import_too_large_for_one_request_says_so(void **state)
{
	size_t cap = 12 << 20, len = 0;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "room,surname,arrival,departure,folio\n");
	for (int i = 0; i < 80000; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%d,Guest number %d,2024-05-01,2024-05-08,F-%06d\n", i, i, i);
	guest_file(text, len);
	free(text);
	assert_int_equal(run("guests", "import", csv_path), 1);
	assert_non_null(strstr(err, "80000 guests are more than wicketd takes in one import"));
	assert_non_null(strstr(err, "nothing was imported"));
	unlink(csv_path);
	assert_int_equal(ncalls(), 0);
}

static void guests_table_and_usage_errors(void **state)
{
	static const struct usage_case cases[] = {
		{ { "guests", "import" }, "FILE missing" },
		{ { "guests", "import", "a.csv", "b.csv" }, "unexpected argument 'b.csv'" },
		{ { "guests", "import", "--replace", "a.csv" }, "unknown or ambiguous option '--replace'" },
		{ { "guests", "frob" }, "unknown verb 'frob' (import)" },
		{ { "guests", "--all" }, "unknown or ambiguous option '--all'" },
	};

	(void)state;
	assert_usage_errors(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(run("guests"), 0);
	assert_sent("guests", "{}");
	assert_string_equal(out, "ROOM  SURNAME      ARRIVAL           DEPARTURE         FOLIO\n"
				 "101   Müller       2024-05-01 00:00  2024-05-04 00:00  F-1001\n"
				 "102   O'Brien, Jr  -                 -                 -\n");
}

/* --- pending, approve, reject */

static void pending_shows_how_long_each_has_waited(void **state)
{
	(void)state;
	assert_int_equal(run("pending"), 0);
	assert_sent("pending", "{}");
	assert_string_equal(
		out, "ID  ASKED           STATE        PLAN      METHOD  ROOM  DETAIL            PORT     "
		     "MAC                SESSION\n"
		     "12  3 min ago       pending      Day pass  staff   -     -                 lan.101  "
		     "02:00:5e:00:53:0a       34\n"
		     "13  2 h 05 min ago  provisional  Metered   remote  102   card ending 4242  lan.102  "
		     "02:00:5e:00:53:0b       35\n");
	pthread_mutex_lock(&lock);
	answer_with = "[]";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("pending"), 0);
	assert_string_equal(out, "no request is waiting for approval\n");
}

static void ages_read_like_a_clerk_says_them(void **state)
{
	static const struct {
		long long ago;
		const char *says;
	} cases[] = {
		{ -30, "just now" },          { 0, "just now" },      { 59, "just now" },
		{ 60, "1 min ago" },          { 3599, "59 min ago" }, { 3600, "1 h 00 min ago" },
		{ 86399, "23 h 59 min ago" }, { 86400, "1 day ago" }, { 3 * 86400 + 5, "3 days ago" },
	};
	char b[CTL_FMT_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = json_integer(1714552200 - cases[i].ago);

		assert_string_equal(ctl_fmt_age(b, v, 1714552200), cases[i].says);
		json_decref(v);
	}
	assert_string_equal(ctl_fmt_age(b, NULL, 1714552200), "-");
}

static void approve_and_reject_name_the_request(void **state)
{
	static const struct usage_case cases[] = {
		{ { "approve" }, "ID missing: which request? (wicketctl pending lists them)" },
		{ { "approve", "twelve" }, "ID 'twelve' is not a request number" },
		{ { "approve", "0" }, "ID '0'" },
		{ { "approve", "-12" }, "unknown or ambiguous option '-1'" },
		{ { "approve", "12", "13" }, "unexpected argument '13'" },
		{ { "approve", "12", "--reason", "ok" }, "unknown or ambiguous option '--reason'" },
		{ { "approve", "99999999999999999999" }, "ID '99999999999999999999'" },
		{ { "reject", "12", "--reason" }, "'--reason' needs a value" },
		{ { "reject", "12", "--reason", "" }, "--reason: 1 to 127 characters" },
		{ { "reject", "12", "--reason", "line\nbreak" }, "--reason: 1 to 127 characters" },
		{ { "reject", "--reason", "no" }, "ID missing" },
	};

	(void)state;
	assert_usage_errors(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(run("approve", "12"), 0);
	assert_sent("approve", "{\"id\": 12}");
	assert_string_equal(out, "approved request 12 (session 34, 02:00:5e:00:53:0a)\n");
	assert_int_equal(run("reject", "12"), 0);
	assert_sent("reject", "{\"id\": 12}");
	assert_int_equal(run("rej", "--reason", "no such guest in room 101", "12"), 0);
	assert_sent("reject", "{\"id\": 12, \"reason\": \"no such guest in room 101\"}");
	pthread_mutex_lock(&lock);
	answer_with = "{\"id\": 12, \"session\": 34, \"mac\": \"02:00:5e:00:53:0a\", \"state\": \"rejected\","
		      " \"reason\": \"no such guest in room 101\"}";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("reject", "12", "--reason", "no such guest in room 101"), 0);
	assert_string_equal(
		out, "rejected request 12 (session 34, 02:00:5e:00:53:0a): no such guest in room 101\n");
	assert_int_equal(ncalls(), 4);
}

/* --- report */

static void report_by_one_grouping_totals_each_currency(void **state)
{
	(void)state;
	assert_int_equal(run("report", "--from", "2024-05-01", "--to", "2024-05-31", "--by", "plan"), 0);
	/* --to a date: the whole of that day. */
	assert_sent("report", "{\"from\": 1714521600, \"to\": 1717200000, \"by\": \"plan\"}");
	assert_string_equal(out, "sessions that ended from 2024-05-01 00:00 until 2024-06-01 00:00\n"
				 "\n"
				 "PLAN      SESSIONS   TIME      DATA     CHARGE\n"
				 "Day pass         3  2d00h   3.0 GiB  13.50 EUR\n"
				 "Metered          2  1h30m  50.0 MiB   0.77 EUR\n"
				 "Stay             1  1h00m   1.0 MiB  1.500 KWD\n"
				 "total            5  2d01h   3.0 GiB  14.27 EUR\n"
				 "total            1  1h00m   1.0 MiB  1.500 KWD\n");
	assert_int_equal(ncalls(), 1);
	assert_int_equal(run("report", "--from", "1714521600", "--to", "2024-05-01T12:00", "--by", "room"),
			 0);
	assert_sent("report", "{\"from\": 1714521600, \"to\": 1714564800, \"by\": \"room\"}");
	assert_non_null(strstr(out, "ROOM    SESSIONS   TIME      DATA     CHARGE\n"
				    "(none)         2  1h30m  50.0 MiB   0.77 EUR\n"));
	/* Nothing ended then. */
	pthread_mutex_lock(&lock);
	answer_with = "[]";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("report", "--from", "2024-05-01", "--by", "method"), 0);
	assert_non_null(strstr(out, "METHOD  SESSIONS  TIME  DATA  CHARGE\n"
				    "total          0    0s   0 B       -\n"));
}

static void report_without_by_asks_three_times(void **state)
{
	time_t before = time(NULL), after;
	json_t *req;

	(void)state;
	assert_int_equal(run("report", "--from", "2024-05-01"), 0);
	after = time(NULL);
	assert_int_equal(ncalls(), 3);
	/* --to defaults to now. */
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < 3; i++) {
		long long to;

		req = json_object_get(json_array_get(history, i), "args");
		to = json_integer_value(json_object_get(req, "to"));
		assert_true(to >= before && to <= after);
		assert_int_equal(json_integer_value(json_object_get(req, "from")), 1714521600);
		assert_string_equal(json_string_value(json_object_get(req, "by")), i == 0   ? "plan"
										   : i == 1 ? "method"
											    : "room");
	}
	pthread_mutex_unlock(&lock);
	assert_non_null(strstr(out, "\nPLAN      SESSIONS"));
	assert_non_null(strstr(out, "\nMETHOD  SESSIONS"));
	assert_non_null(strstr(out, "\nROOM    SESSIONS"));
	assert_non_null(strstr(out, "room           1  1h00m   1.0 MiB  1.500 KWD\n"
				    "total          5  2d01h   3.0 GiB  14.27 EUR\n"));

	/* CSV: one header, every grouping, amounts in major units. */
	assert_int_equal(run("report", "--from", "2024-05-01", "--to", "2024-06-01", "--csv"), 0);
	assert_sent_nth(3, "report", "{\"from\": 1714521600, \"to\": 1717286400, \"by\": \"plan\"}");
	assert_sent_nth(5, "report", "{\"from\": 1714521600, \"to\": 1717286400, \"by\": \"room\"}");
	assert_string_equal(out, "by,key,currency,sessions,charge,seconds,bytes\n"
				 "plan,Day pass,EUR,3,13.50,172800,3221225472\n"
				 "plan,Metered,EUR,2,0.77,5400,52428800\n"
				 "plan,Stay,KWD,1,1.500,3600,1048576\n"
				 "method,remote,EUR,2,0.77,5400,52428800\n"
				 "method,room,EUR,3,13.50,172800,3221225472\n"
				 "method,room,KWD,1,1.500,3600,1048576\n"
				 "room,,EUR,2,0.77,5400,52428800\n"
				 "room,101,EUR,3,13.50,172800,3221225472\n"
				 "room,101,KWD,1,1.500,3600,1048576\n");
	assert_int_equal(
		run("report", "--from", "2024-05-01", "--to", "2024-06-01", "--csv", "--by", "method"), 0);
	assert_string_equal(out, "by,key,currency,sessions,charge,seconds,bytes\n"
				 "method,remote,EUR,2,0.77,5400,52428800\n"
				 "method,room,EUR,3,13.50,172800,3221225472\n"
				 "method,room,KWD,1,1.500,3600,1048576\n");
	/* A failure on the way prints nothing but the error. */
	pthread_mutex_lock(&lock);
	fail_with = "the store is busy: try again";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("report", "--from", "2024-05-01"), 1);
	assert_string_equal(out, "");
	assert_string_equal(err, "wicketctl: the store is busy: try again\n");
}

static void report_usage_errors_send_nothing(void **state)
{
	static const struct usage_case cases[] = {
		{ { "report" }, "--from missing" },
		{ { "report", "--to", "2024-05-01" }, "--from missing" },
		{ { "report", "--from", "May" }, "--from 'May' is not a time" },
		{ { "report", "--from", "2024-05-01", "--to", "2024-05-32" },
		  "--to '2024-05-32' is not a time" },
		{ { "report", "--from", "2024-05-02", "--to", "2024-05-01T12:00" },
		  "--from 2024-05-02 is not before --to 2024-05-01T12:00" },
		{ { "report", "--from", "2024-05-01T12:00", "--to", "2024-05-01T12:00" }, "is not before" },
		{ { "report", "--from", "4102444800" }, "--from 4102444800 is not before --to now" },
		{ { "report", "--from", "2024-05-01", "--by", "day" },
		  "--by 'day' is not one of plan, method, room" },
		{ { "report", "--from", "2024-05-01", "--by", "" }, "--by ''" },
		{ { "report", "--from", "2024-05-01", "--json", "--csv" }, "--csv or --json: choose one" },
		{ { "report", "--from", "2024-05-01", "May" }, "unexpected argument 'May'" },
		{ { "report", "--from" }, "'--from' needs a value" },
	};

	(void)state;
	assert_usage_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* --- all of them */

static void json_prints_the_new_answers_as_they_are(void **state)
{
	static const struct {
		const char *cmd[8];
		const char *result;
	} cases[] = {
		{ { "plans", "--all" }, plans_json },
		{ { "plan", "retire", "Day pass" }, plan_retired_json },
		{ { "vouchers" }, vouchers_json },
		{ { "vouchers", "create", "--plan", "Day pass", "--count", "2" }, vouchers_create_json },
		{ { "guests" }, guests_json },
		{ { "pending" }, pending_json },
		{ { "approve", "12" }, request_json },
		{ { "reject", "12", "--json" }, request_json },
		{ { "report", "--from", "2024-05-01", "--by", "room" }, report_room_json },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[16] = { "wicketctl", "--json", "--socket", path };
		int argc = 4;
		json_t *got, *want;

		want = json_loads(cases[i].result, 0, NULL);
		for (const char *const *a = cases[i].cmd; a < cases[i].cmd + 8 && *a; a++)
			argv[argc++] = (char *)*a;
		assert_int_equal(run_argv(argc, argv), 0);
		got = json_loads(out, 0, NULL);
		assert_non_null(got);
		if (!json_equal(got, want)) {
			print_error("case %zu: printed %s\n", i, out);
			fail();
		}
		assert_string_equal(err, "");
		json_decref(got);
		json_decref(want);
	}
	assert_int_equal(run("--json", "plan", "set", "Day pass", "--idle", "5m"), 0);
	assert_non_null(strstr(out, "\n  \"idle_timeout_s\": 900,\n"));
	/* Three reports: one object of the three answers. */
	assert_int_equal(run("--json", "report", "--from", "2024-05-01"), 0);
	{
		json_t *got = json_loads(out, 0, NULL);
		json_t *want = json_pack("{s:o, s:o, s:o}", "plan", json_loads(report_plan_json, 0, NULL),
					 "method", json_loads(report_method_json, 0, NULL), "room",
					 json_loads(report_room_json, 0, NULL));

		assert_true(json_equal(got, want));
		json_decref(got);
		json_decref(want);
	}
}

static void new_commands_are_in_help_and_take_prefixes(void **state)
{
	(void)state;
	assert_int_equal(run("help"), 0);
	assert_non_null(strstr(out, "  pending "));
	assert_non_null(strstr(out, "  approve ID "));
	assert_non_null(strstr(out, "  reject ID [--reason TEXT] "));
	assert_non_null(strstr(out, "  plans [--all] "));
	assert_non_null(strstr(out, "  plan add|set|retire NAME [PLAN OPTIONS]\n"));
	assert_non_null(strstr(
		out, "  vouchers [--batch B] | vouchers create --plan NAME --count N [--devices D]\n"));
	assert_non_null(strstr(out, "  guests | guests import FILE.csv "));
	assert_non_null(strstr(out, "  report --from TIME [--to TIME] [--by plan|method|room] [--csv]\n"));
	assert_non_null(strstr(out, "--per-minute AMOUNT"));
	assert_int_equal(run("plan", "add", "--help"), 0);
	assert_non_null(strstr(out,
			       "usage: wicketctl plan add NAME --kind KIND --price AMOUNT --currency CUR "
			       "--methods LIST [--per-minute AMOUNT]"));
	assert_string_equal(err, "");
	assert_int_equal(run("plan", "--help"), 0);
	assert_string_equal(out, "usage: wicketctl plan add|set|retire NAME [PLAN OPTIONS]\n");
	assert_int_equal(run("vouchers", "create", "--help"), 0);
	assert_string_equal(out,
			    "usage: wicketctl vouchers create --plan NAME --count N [--devices D] [--csv]\n");
	assert_int_equal(ncalls(), 0);

	assert_int_equal(run("pl"), 2);
	assert_string_equal(err, "wicketctl: 'pl' is ambiguous: plans, plan\n");
	assert_int_equal(run("re", "12"), 2);
	assert_string_equal(err, "wicketctl: 're' is ambiguous: reject, report\n");
	assert_int_equal(run("a", "12"), 2);
	assert_string_equal(err, "wicketctl: 'a' is ambiguous: allow, approve\n");
	assert_int_equal(run("v"), 2);
	assert_int_equal(ncalls(), 0);
	assert_int_equal(run("pe"), 0);
	assert_sent("pending", "{}");
	assert_int_equal(run("plan", "r", "Day pass"), 0);
	assert_sent("plan_retire", "{\"name\": \"Day pass\"}");
	assert_int_equal(run("app", "12"), 0);
	assert_sent("approve", "{\"id\": 12}");
	assert_int_equal(run("rep", "--from", "2024-05-01", "--to", "2024-05-31", "--by", "plan"), 0);
	assert_sent("report", "{\"from\": 1714521600, \"to\": 1717200000, \"by\": \"plan\"}");
}

static void sessions_show_their_charge_when_billed(void **state)
{
	(void)state;
	pthread_mutex_lock(&lock);
	answer_with =
		"[{\"id\": 17, \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"state\": \"active\","
		" \"started\": 1714552200, \"ended\": null, \"end_reason\": null, \"up_bytes\": 2048,"
		" \"down_bytes\": 3221225472, \"plan\": \"Day pass\", \"charge\": 450, \"currency\": "
		"\"EUR\"},"
		" {\"id\": 16, \"mac\": \"02:00:5e:00:53:0b\", \"port\": \"lan.2\", \"state\": \"ended\","
		" \"started\": 1714521600, \"ended\": 1714525200, \"end_reason\": \"idle\", \"up_bytes\": "
		"2048,"
		" \"down_bytes\": 0, \"plan\": null, \"charge\": 0, \"currency\": null}]";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("sessions"), 0);
	assert_string_equal(
		out, "ID  MAC                PORT     STATE   STARTED           ENDED             REASON    "
		     "   UP     DOWN    CHARGE\n"
		     "17  02:00:5e:00:53:0a  lan.101  active  2024-05-01 08:30  -                 -       "
		     "2.0 KiB  3.0 GiB  4.50 EUR\n"
		     "16  02:00:5e:00:53:0b  lan.2    ended   2024-05-01 00:00  2024-05-01 01:00  idle    "
		     "2.0 KiB      0 B         -\n");
	pthread_mutex_lock(&lock);
	answer_with =
		"{\"id\": 7, \"mac\": \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"room\": \"101\","
		" \"addrs\": [], \"state\": \"authorized\", \"session\": 17, \"remaining_s\": 3720,"
		" \"up_bytes\": 0, \"down_bytes\": 0, \"idle_s\": 45, \"sessions\": [{\"id\": 17, \"mac\":"
		" \"02:00:5e:00:53:0a\", \"port\": \"lan.101\", \"state\": \"active\", \"started\": "
		"1714552200,"
		" \"ended\": null, \"end_reason\": null, \"up_bytes\": 0, \"down_bytes\": 0, \"plan\": "
		"\"Stay\","
		" \"charge\": 1500, \"currency\": \"KWD\"}]}";
	pthread_mutex_unlock(&lock);
	assert_int_equal(run("client", "02:00:5e:00:53:0a"), 0);
	assert_non_null(strstr(
		out, "\nSESSION  PORT     STATE   STARTED           ENDED  REASON   UP  DOWN     CHARGE\n"
		     "     17  lan.101  active  2024-05-01 08:30  -      -       0 B   0 B  1.500 KWD\n"));
}

/* --- top */

static void top_prints_frames_with_rates(void **state)
{
	char *second;

	(void)state;
	growing_clients = 1;
	assert_int_equal(run("top", "--count", "2", "--interval", "1"), 0);
	print_message("%s", out);
	assert_int_equal(ncalls(), 4);
	second = strstr(out, "\n\nwicket.ko");
	assert_non_null(second);
	/* The first frame has no rates; the second has them, a second's worth. */
	assert_non_null(strstr(out, "wicket.ko 0.9.0, wicketd up 1h00m, every 1s, "));
	assert_non_null(strstr(out, "clients     3 authorized, 1 provisional, 2 captive, 0 blocked (6)\n"));
	assert_non_null(
		strstr(out, "sessions    4 active, 10 started (-); ended: logout 3 (-), deadline 2 (-)\n"));
	assert_true(strstr(second, "sessions    4 active, 15 started (5.0/s)") ||
		    strstr(second, "sessions    4 active, 15 started (4.9/s)") ||
		    strstr(second, "sessions    4 active, 15 started (4.8/s)"));
	assert_non_null(strstr(second, "keepalives  ok 130 ("));
	assert_non_null(strstr(second, "; rejected: bad-tag 1 (0.0/s)\n"));
	assert_non_null(strstr(out, "approvals   voucher: 7 approved, 1 rejected, 0 temporary\n"));
	assert_non_null(strstr(out, "accounting  3 waiting (oldest 1m15s), 20 sent, 18 acked, 0 failed\n"));
	assert_non_null(strstr(second, "drops       unknown 1200 ("));
	/* Busiest first: in the first frame by bytes, in the second by rate. */
	assert_non_null(strstr(out, "MAC                PORT     ROOM  STATE       UP/S  DOWN/S"));
	assert_true(strstr(out, "02:00:5e:00:53:0b") < strstr(out, "02:00:5e:00:53:0a"));
	assert_true(strstr(second, "02:00:5e:00:53:0a") < strstr(second, "02:00:5e:00:53:0b"));
	assert_non_null(strstr(second, " 5.0 MB/s") ? strstr(second, " 5.0 MB/s")
						    : strstr(second, " 4.9 MB/s"));
	assert_string_equal(err, "");
}

static void top_json_is_one_line_a_frame(void **state)
{
	json_t *first, *second;
	char *nl;

	(void)state;
	growing_clients = 1;
	assert_int_equal(run("--json", "top", "--count", "2", "--interval", "1", "--limit", "1"), 0);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_int_equal(strchr(nl + 1, '\n') - nl - 1 > 0, 1);
	assert_int_equal(out[strlen(out) - 1], '\n');
	first = json_loadb(out, (size_t)(nl - out), 0, NULL);
	second = json_loads(nl + 1, 0, NULL);
	assert_non_null(first);
	assert_non_null(second);
	assert_true(json_is_null(json_object_get(json_object_get(first, "rates"), "sessions_started")));
	assert_true(json_real_value(json_object_get(json_object_get(second, "rates"), "sessions_started")) >
		    4.5);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(second, "metrics"), "sessions"), "started")),
			 15);
	/* Every client is there in JSON (--limit is for the table), with its rates. */
	assert_int_equal(json_array_size(json_object_get(second, "clients")), 2);
	assert_true(json_real_value(json_object_get(json_array_get(json_object_get(second, "clients"), 1),
						    "up_bps")) > 1900);
	json_decref(first);
	json_decref(second);
}

static void top_limit_and_errors(void **state)
{
	(void)state;
	assert_int_equal(run("top", "--count", "1", "--limit", "1"), 0);
	assert_non_null(strstr(out, "... and 1 more clients\n"));
	assert_int_equal(run("top", "--interval", "0"), 2);
	assert_non_null(strstr(err, "--interval '0': expected seconds from 1 to 3600"));
	assert_int_equal(run("top", "--count", "x"), 2);
	assert_int_equal(run("top", "--limit", "-1"), 2);
	assert_int_equal(run("top", "now"), 2);
	assert_non_null(strstr(err, "unexpected argument 'now'"));
	/* The usage errors sent nothing: the two requests are the first frame's. */
	assert_int_equal(ncalls(), 2);
	fail_with = "wicket.ko: not loaded";
	assert_int_equal(run("top", "--count", "3"), 1);
	assert_non_null(strstr(err, "wicket.ko: not loaded"));
	/* Stops at the first failure: one request, not three frames of them. */
	assert_int_equal(ncalls(), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(allow_sends_the_normalised_mac_and_minutes, reset),
		cmocka_unit_test_setup(mac_taking_commands_normalise_it, reset),
		cmocka_unit_test_setup(port_set_sends_only_what_was_given, reset),
		cmocka_unit_test_setup(sessions_since_takes_dates_and_unix_seconds, reset),
		cmocka_unit_test_setup(sessions_table_shows_local_times_and_sizes, reset),
		cmocka_unit_test_setup(events_limit_is_sent, reset),
		cmocka_unit_test_setup(usage_errors_exit_2_and_send_nothing, reset),
		cmocka_unit_test_setup(clients_table_is_aligned_and_human, reset),
		cmocka_unit_test_setup(json_prints_the_result_and_nothing_else, reset),
		cmocka_unit_test_setup(bare_wicketctl_is_status, reset),
		cmocka_unit_test_setup(the_daemons_error_exits_1_on_stderr, reset),
		cmocka_unit_test_setup(no_daemon_exits_3, reset),
		cmocka_unit_test_setup(no_answer_in_time_exits_3, reset),
		cmocka_unit_test_setup(prefixes_must_be_unambiguous, reset),
		cmocka_unit_test_setup(help_documents_the_exit_codes, reset),
		cmocka_unit_test_setup(version_does_not_need_wicketd, reset),
		cmocka_unit_test_setup(plans_table_shows_prices_limits_and_offers, reset),
		cmocka_unit_test_setup(plan_add_sends_minor_units_seconds_and_bytes, reset),
		cmocka_unit_test_setup(plan_set_sends_only_what_was_given, reset),
		cmocka_unit_test_setup(plan_usage_errors_send_nothing, reset),
		cmocka_unit_test_setup(money_is_exact_in_the_currencys_decimals, reset),
		cmocka_unit_test_setup(durations_and_sizes_read_as_typed, reset),
		cmocka_unit_test_setup(vouchers_create_prints_codes_to_read_out, reset),
		cmocka_unit_test_setup(vouchers_list_by_batch_and_as_csv, reset),
		cmocka_unit_test_setup(voucher_usage_errors_send_nothing, reset),
		cmocka_unit_test_setup(csv_reader_takes_rfc4180, reset),
		cmocka_unit_test_setup(csv_writer_quotes_what_needs_it, reset),
		cmocka_unit_test_setup(guests_import_sends_the_whole_list, reset),
		cmocka_unit_test_setup(guests_import_refuses_a_bad_file_whole, reset),
		cmocka_unit_test_setup(guests_import_too_large_for_one_request_says_so, reset),
		cmocka_unit_test_setup(guests_table_and_usage_errors, reset),
		cmocka_unit_test_setup(pending_shows_how_long_each_has_waited, reset),
		cmocka_unit_test_setup(ages_read_like_a_clerk_says_them, reset),
		cmocka_unit_test_setup(approve_and_reject_name_the_request, reset),
		cmocka_unit_test_setup(report_by_one_grouping_totals_each_currency, reset),
		cmocka_unit_test_setup(report_without_by_asks_three_times, reset),
		cmocka_unit_test_setup(report_usage_errors_send_nothing, reset),
		cmocka_unit_test_setup(json_prints_the_new_answers_as_they_are, reset),
		cmocka_unit_test_setup(new_commands_are_in_help_and_take_prefixes, reset),
		cmocka_unit_test_setup(sessions_show_their_charge_when_billed, reset),
		cmocka_unit_test_setup(top_prints_frames_with_rates, reset),
		cmocka_unit_test_setup(top_json_is_one_line_a_frame, reset),
		cmocka_unit_test_setup(top_limit_and_errors, reset),
	};

	return cmocka_run_group_tests_name("wicketctl", tests, setup, teardown);
}
