/*
 * Unit tests of wicketctl (daemon/wicketctl.c, daemon/ctl_*.c): a real
 * control socket on a libevent loop in a thread, with handlers that record
 * what they were sent and answer fixed results of the documented shapes;
 * wicketctl_run() with its output captured.
 */
#include <errno.h>
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

static char dir[64], path[100];
static struct event_base *base;
static struct control *ctl;
static pthread_t loop_thread;

/* What the handlers saw, and how they answer. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int calls;
static char last_cmd[32];
static json_t *last_args;
static const char *fail_with; /* answer the next requests with this error */
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
	" \"up_bytes\": 1258291, \"down_bytes\": 52428800, \"idle_s\": 45, \"sessions\": [{\"id\": 17,"
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

static const struct fixture {
	const char *cmd;
	const char *result;
} fixtures[] = {
	{ "status", status_json }, { "clients", clients_json }, { "client", client_json },
	{ "kick", kick_json },     { "block", block_json },     { "allow", allow_json },
	{ "ports", ports_json },   { "port_set", port_json },   { "sessions", sessions_json },
	{ "events", events_json }, { "unblock", unblock_json }, { "port_reset", port_reset_json },
};

static json_t *handler(const json_t *args, const struct control_peer *peer, void *arg, char *err,
		       size_t errlen)
{
	const struct fixture *f = arg;
	json_t *result = NULL;
	int stall;

	(void)peer;
	pthread_mutex_lock(&lock);
	calls++;
	snprintf(last_cmd, sizeof(last_cmd), "%s", f->cmd);
	json_decref(last_args);
	last_args = json_deep_copy(args);
	stall = stall_s;
	if (fail_with)
		snprintf(err, errlen, "%s", fail_with);
	else
		result = json_loads(f->result, 0, NULL);
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
	fail_with = NULL;
	stall_s = 0;
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
	};

	return cmocka_run_group_tests_name("wicketctl", tests, setup, teardown);
}
