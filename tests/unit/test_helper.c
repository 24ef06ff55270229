/*
 * Unit tests of wicket-helper's session file (client/session.c), the
 * gateway origin (discover_origin in client/discover.c) and the DHCP
 * client's script (client/dhcp.c).
 *
 * The session cases work in a temporary RUN_DIR under /tmp. The script
 * cases run dhcp_script_main as udhcpc and dhclient call it, with the
 * client's environment, in a fresh network namespace (root) where a veth
 * pair was made with libnl directly: wk0 (peer wk0p), up, mtu 1400,
 * 192.168.77.10/24 and a default route via 192.168.77.1. Its RUN_DIR is a
 * mkdtemp directory and its resolv.conf a temporary file
 * (WICKET_HELPER_RUN_DIR, WICKET_HELPER_RESOLV_CONF).
 */
#include <errno.h>
#include <ftw.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <setjmp.h>
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
#include <jansson.h>

#include "dhcp.h"
#include "discover.h"
#include "netconf.h"
#include "paths.h"
#include "../../client/session.h" /* not the daemon's (-Idaemon comes first) */

#define IF "wk0"
#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define KEYHEX "00ff7f80a55a0102030405060708090a0b0c0d0e0f10111213141516171819fe"
#define RESOLV_BYTES "nameserver 192.0.2.53\nsearch home.example\n"

static char dir[64];
static char resolv[64];
static struct helper_paths paths;
static struct nl_sock *sock;
static char err[512];

/* --- what went wrong in a test that goes through all its cases before it fails */

static char faults[16384];

static void fault(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fault(const char *fmt, ...)
{
	size_t n = strlen(faults);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(faults + n, sizeof(faults) - n, fmt, ap);
	va_end(ap);
	n = strlen(faults);
	snprintf(faults + n, sizeof(faults) - n, "\n");
}

static void no_faults(void)
{
	if (faults[0]) {
		print_error("%s", faults);
		faults[0] = '\0';
		fail();
	}
}

/* --- files */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* path's text, malloc'd; NULL if it cannot be read. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void run_path(char *out, size_t len, const char *name)
{
	assert_int_equal(paths_join(out, len, paths.run_dir, name), 0);
}

static int exists(const char *name)
{
	char path[HELPER_PATH_MAX];

	run_path(path, sizeof(path), name);
	return access(path, F_OK) == 0;
}

static int tmp_setup(void **state)
{
	(void)state;
	faults[0] = '\0';
	snprintf(dir, sizeof(dir), "/tmp/test_helper.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&paths, 0, sizeof(paths));
	snprintf(paths.run_dir, sizeof(paths.run_dir), "%s", dir);
	snprintf(paths.state_dir, sizeof(paths.state_dir), "%s/state", dir);
	snprintf(paths.resolv_conf, sizeof(paths.resolv_conf), "%s/resolv.conf", dir);
	return 0;
}

static int tmp_teardown(void **state)
{
	(void)state;
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
	return 0;
}

/* --- session.c */

static void good_session(struct helper_session *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->origin, sizeof(s->origin), "https://10.0.1.1:8443");
	s->id = 4242;
	snprintf(s->token, sizeof(s->token), "%s", TOKEN);
	snprintf(s->ka_host, sizeof(s->ka_host), "10.0.1.1");
	s->ka_port = 8444;
	s->ka_interval_s = 30;
	assert_int_equal(session_unhex(KEYHEX, s->ka_key, sizeof(s->ka_key)), 0);
}

static void session_round_trip(void **state)
{
	static const uint8_t key[KEEPALIVE_KEY_LEN] = { 0x00, 0xff, 0x7f, 0x80, 0xa5, 0x5a, 0x01, 0x02,
							0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
							0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
							0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xfe };
	struct helper_session s, back;
	char path[HELPER_PATH_MAX], *text;
	struct stat st;

	(void)state;
	good_session(&s);
	assert_memory_equal(s.ka_key, key, sizeof(key));
	/* A counter of the session before: a new session counts from scratch. */
	run_path(path, sizeof(path), "keepalive.counter");
	write_file(path, "99\n");

	assert_int_equal(session_save(&paths, &s), 0);
	run_path(path, sizeof(path), "session.json");
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_false(exists("session.json.tmp"));
	assert_false(exists("keepalive.counter"));
	text = slurp(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"" KEYHEX "\""));
	assert_non_null(strstr(text, "\"" TOKEN "\""));
	free(text);

	memset(&back, 0xa5, sizeof(back));
	assert_int_equal(session_load(&paths, &back), 0);
	assert_string_equal(back.origin, "https://10.0.1.1:8443");
	assert_int_equal(back.id, 4242);
	assert_string_equal(back.token, TOKEN);
	assert_string_equal(back.ka_host, "10.0.1.1");
	assert_int_equal(back.ka_port, 8444);
	assert_int_equal(back.ka_interval_s, 30);
	assert_memory_equal(back.ka_key, key, sizeof(key));

	/* A second save replaces the first, still 0600. */
	s.id = 7;
	s.ka_key[31] = 0x00;
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(session_save(&paths, &s), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(session_load(&paths, &back), 0);
	assert_int_equal(back.id, 7);
	assert_int_equal(back.ka_key[31], 0x00);
	assert_memory_equal(back.ka_key, key, 31);
}

static void session_load_missing(void **state)
{
	struct helper_session s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(session_load(&paths, &s), -ENOENT);
	assert_int_equal(s.id, 0);
	assert_string_equal(s.token, "");
	/* RUN_DIR itself missing. */
	snprintf(paths.run_dir, sizeof(paths.run_dir), "%s/none", dir);
	assert_int_equal(session_load(&paths, &s), -ENOENT);
}

#define KA(host, port, interval, key)                                                                        \
	"\"keepalive\": {\"host\": " host ", \"port\": " port ", \"interval_s\": " interval                  \
	", \"key\": " key "}"
#define SESSION(origin, id, token, ka)                                                                       \
	"{\"origin\": " origin ", \"session\": " id ", \"token\": " token ", " ka "}"
#define GOOD_KA KA("\"10.0.1.1\"", "8444", "30", "\"" KEYHEX "\"")
#define GOOD_SESSION SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"", GOOD_KA)

static void session_load_damaged(void **state)
{
	static const char *const damaged[] = {
		"",
		"not json at all",
		"{\"origin\": \"https://10.0.1.1:8443\", \"session\": 4242,",
		"[]",
		"42",
		"{}",
		/* wrong types */
		SESSION("42", "4242", "\"" TOKEN "\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "\"4242\"", "\"" TOKEN "\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "4242.5", "\"" TOKEN "\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "42", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"", "\"keepalive\": \"10.0.1.1\""),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("1", "8444", "30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "\"8444\"", "30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "true", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "30", "null")),
		/* a field missing */
		"{\"origin\": \"https://10.0.1.1:8443\", \"token\": \"" TOKEN "\", " GOOD_KA "}",
		"{\"origin\": \"https://10.0.1.1:8443\", \"session\": 4242, \"token\": \"" TOKEN "\"}",
		/* the token not 64 characters */
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "0\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "4242",
			"\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"0123456789abcdef\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"\"", GOOD_KA),
		/* the key not 64 hex digits */
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "30",
			   "\"g0ff7f80a55a0102030405060708090a0b0c0d0e0f10111213141516171819fe\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "30",
			   "\"00ff7f80a55a0102030405060708090a0b0c0d0e0f10111213141516171819f\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "30", "\"" KEYHEX "00\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "30",
			   "\"00ff7f80a55a0102030405060708090a0b0c0d0e0f1011121314151617 819fe\"")),
		/* out of range */
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "0", "30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "70000", "30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "65536", "30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "-1", "30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "0", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "4242", "\"" TOKEN "\"",
			KA("\"10.0.1.1\"", "8444", "-30", "\"" KEYHEX "\"")),
		SESSION("\"https://10.0.1.1:8443\"", "0", "\"" TOKEN "\"", GOOD_KA),
		SESSION("\"https://10.0.1.1:8443\"", "-4242", "\"" TOKEN "\"", GOOD_KA),
	};
	char path[HELPER_PATH_MAX];
	struct helper_session s;

	(void)state;
	run_path(path, sizeof(path), "session.json");
	/* The file as the cases change it, whole, loads. */
	write_file(path, GOOD_SESSION);
	assert_int_equal(session_load(&paths, &s), 0);
	assert_int_equal(s.id, 4242);
	assert_int_equal(s.ka_port, 8444);

	for (size_t k = 0; k < sizeof(damaged) / sizeof(damaged[0]); k++) {
		int ret;

		write_file(path, damaged[k]);
		memset(&s, 0xa5, sizeof(s));
		ret = session_load(&paths, &s);
		if (ret != -EINVAL)
			fail_msg("case %zu: session_load gave %d, not -EINVAL, for\n%s", k, ret, damaged[k]);
		assert_int_equal(s.id, 0);
		assert_string_equal(s.token, "");
	}
}

/* session.h: the token is 64 hex digits (it goes into an HTTP header). */
static void session_load_rejects_a_token_that_is_not_hex(void **state)
{
	static const struct {
		size_t at;
		const char *put;
	} damage[] = { { 63, "g" }, { 62, "\r\n" }, { 30, " " }, { 0, "Z" } };
	char path[HELPER_PATH_MAX], token[65];
	struct helper_session s;

	(void)state;
	run_path(path, sizeof(path), "session.json");
	for (size_t k = 0; k < sizeof(damage) / sizeof(damage[0]); k++) {
		json_t *o;
		int ret;

		snprintf(token, sizeof(token), "%s", TOKEN);
		memcpy(token + damage[k].at, damage[k].put, strlen(damage[k].put));
		assert_int_equal(strlen(token), 64);
		o = json_pack("{s:s, s:i, s:s, s:{s:s, s:i, s:i, s:s}}", "origin", "https://10.0.1.1:8443",
			      "session", 4242, "token", token, "keepalive", "host", "10.0.1.1", "port", 8444,
			      "interval_s", 30, "key", KEYHEX);
		assert_non_null(o);
		assert_int_equal(json_dump_file(o, path, 0), 0);
		json_decref(o);
		ret = session_load(&paths, &s);
		if (ret != -EINVAL)
			fault("a token with '%s' at %zu: session_load gave %d, not -EINVAL",
			      damage[k].at == 62 ? "\\r\\n" : damage[k].put, damage[k].at, ret);
	}
	no_faults();
}

static void session_forget_removes_both(void **state)
{
	struct helper_session s;
	int e;

	(void)state;
	session_forget(&paths); /* nothing there: no harm */
	good_session(&s);
	assert_int_equal(session_save(&paths, &s), 0);
	assert_true(session_next_counter(&paths, &e) > 0);
	assert_int_equal(e, 0);
	assert_true(exists("session.json"));
	assert_true(exists("keepalive.counter"));
	session_forget(&paths);
	assert_false(exists("session.json"));
	assert_false(exists("keepalive.counter"));
	assert_int_equal(session_load(&paths, &s), -ENOENT);
}

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* The counter, checked against the clock and what the file says. */
static uint64_t next_ok(uint64_t prev)
{
	char path[HELPER_PATH_MAX], *text;
	uint64_t before = now_us(), c, after;
	int e = 12345;

	c = session_next_counter(&paths, &e);
	after = now_us();
	if (e != 0 || c == 0)
		fail_msg("session_next_counter gave %llu, err %d", (unsigned long long)c, e);
	if (c <= prev)
		fail_msg("counter %llu after %llu", (unsigned long long)c, (unsigned long long)prev);
	if (c < before)
		fail_msg("counter %llu below the clock %llu", (unsigned long long)c,
			 (unsigned long long)before);
	(void)after;
	run_path(path, sizeof(path), "keepalive.counter");
	text = slurp(path);
	assert_non_null(text);
	assert_int_equal(strtoull(text, NULL, 10), c);
	free(text);
	return c;
}

static void counter_increases(void **state)
{
	char path[HELPER_PATH_MAX];
	struct stat st;
	uint64_t c = 0, first, t0 = now_us();

	(void)state;
	first = c = next_ok(0);
	/* It is the clock when nothing was sent before: not far from it. */
	assert_true(first >= t0 && first < now_us() + 1);
	for (int i = 0; i < 300; i++)
		c = next_ok(c);
	run_path(path, sizeof(path), "keepalive.counter");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* The file lost. */
	assert_int_equal(unlink(path), 0);
	c = next_ok(c);
	/* The file damaged. */
	write_file(path, "garbage\n");
	c = next_ok(c);
	write_file(path, "");
	c = next_ok(c);
	write_file(path, "\x01\x02\xff");
	c = next_ok(c);
	/* Ahead of the clock (a counter from a clock that was fast): counted on from it. */
	{
		char ahead[32];
		uint64_t a = now_us() + 3600ull * 1000000ull;

		snprintf(ahead, sizeof(ahead), "%llu\n", (unsigned long long)a);
		write_file(path, ahead);
		c = next_ok(c);
		assert_int_equal(c, a + 1);
		c = next_ok(c);
		assert_int_equal(c, a + 2);
	}
	/* Above what the gateway keeps (signed 64-bit): as good as lost, the clock takes over. */
	write_file(path, "10000000000000000000\n");
	c = next_ok(0);
	assert_true(c < 10000000000000000000ull);
	c = next_ok(c);
}

/*
 * The contract at the top of the counter's range: strictly increasing, or
 * 0 with an error. Never 0 with no error (send_keepalive takes that for
 * success without sending), never back below what was sent.
 */
static void counter_at_the_top_of_its_range(void **state)
{
	/* Out of range or not a number: lost, so the clock takes over and counting goes on. */
	static const char *const lost[] = { "18446744073709551614\n",
					    "18446744073709551615\n",
					    "99999999999999999999\n",
					    "9223372036854775808\n",
					    "-1\n",
					    "-2\n",
					    "+5\n",
					    "12abc\n" };
	char path[HELPER_PATH_MAX];
	uint64_t c;
	int e = 0;

	(void)state;
	run_path(path, sizeof(path), "keepalive.counter");
	for (size_t k = 0; k < sizeof(lost) / sizeof(lost[0]); k++) {
		write_file(path, lost[k]);
		c = next_ok(0);
		assert_true(c <= (uint64_t)INT64_MAX);
		next_ok(c);
	}
	/* The last counter the gateway can keep, then an error: never 0 without one. */
	write_file(path, "9223372036854775806\n");
	assert_int_equal(next_ok(0), (uint64_t)INT64_MAX);
	c = session_next_counter(&paths, &e);
	assert_int_equal(c, 0);
	assert_int_equal(e, -EOVERFLOW);
}

static void counter_without_run_dir_is_an_error(void **state)
{
	int e = 0;

	(void)state;
	snprintf(paths.run_dir, sizeof(paths.run_dir), "%s/none", dir);
	assert_int_equal(session_next_counter(&paths, &e), 0);
	assert_int_equal(e, -ENOENT);
}

static void unhex_edges(void **state)
{
	uint8_t out[32], want[32];

	(void)state;
	for (size_t i = 0; i < 32; i++)
		want[i] = (uint8_t)(i * 8 + 7);
	assert_int_equal(
		session_unhex("070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff", out, 32),
		0);
	assert_memory_equal(out, want, 32);
	assert_int_equal(
		session_unhex("070F171F272F373F474F575F676F777F878F979FA7AFB7BFC7CFD7DFE7EFF7FF", out, 32),
		0);
	assert_memory_equal(out, want, 32);
	assert_int_equal(
		session_unhex("00000000000000000000000000000000000000000000000000000000000000ff", out, 32),
		0);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[31], 0xff);
	assert_int_equal(session_unhex("a5", out, 1), 0);
	assert_int_equal(out[0], 0xa5);
	assert_int_equal(session_unhex("", out, 0), 0);

	assert_int_equal(session_unhex(NULL, out, 32), -EINVAL);
	assert_int_equal(session_unhex("", out, 32), -EINVAL);
	assert_int_equal(session_unhex("a", out, 1), -EINVAL);
	assert_int_equal(session_unhex("a5a", out, 1), -EINVAL);
	assert_int_equal(session_unhex("a5", out, 0), -EINVAL);
	/* 63 and 65 digits */
	assert_int_equal(session_unhex(KEYHEX + 1, out, 32), -EINVAL);
	assert_int_equal(session_unhex(KEYHEX "0", out, 32), -EINVAL);
	/* not hex, first, middle and last */
	assert_int_equal(
		session_unhex("g0ff7f80a55a0102030405060708090a0b0c0d0e0f10111213141516171819fe", out, 32),
		-EINVAL);
	assert_int_equal(
		session_unhex("00ff7f80a55a0102030405060708090a0b0c0d0e0f10111213141516171819fg", out, 32),
		-EINVAL);
	assert_int_equal(
		session_unhex("00ff7f80a55a01020304050607080z0a0b0c0d0e0f10111213141516171819fe", out, 32),
		-EINVAL);
	/* what sscanf's %x would take */
	assert_int_equal(session_unhex(" a", out, 1), -EINVAL);
	assert_int_equal(session_unhex("+a", out, 1), -EINVAL);
	assert_int_equal(session_unhex("-1", out, 1), -EINVAL);
	assert_int_equal(session_unhex("0x", out, 1), -EINVAL);
	assert_int_equal(session_unhex("0xa5", out, 2), -EINVAL);
	assert_int_equal(session_unhex("a\n", out, 1), -EINVAL);
}

/* --- discover_origin */

static void origin_ok(const char *url, const char *want)
{
	char origin[256];
	int ret;

	memset(origin, 'x', sizeof(origin));
	ret = discover_origin(url, origin, sizeof(origin));
	if (ret != 0)
		fail_msg("discover_origin(\"%s\") gave %d", url, ret);
	if (strcmp(origin, want))
		fail_msg("discover_origin(\"%s\") gave \"%s\", not \"%s\"", url, origin, want);
}

static void origin_bad(const char *url)
{
	char origin[256];
	int ret = discover_origin(url, origin, sizeof(origin));

	if (ret != -EINVAL)
		fail_msg("discover_origin(\"%s\") gave %d, not -EINVAL", url, ret);
}

static void origin_cuts_and_refuses(void **state)
{
	char origin[64], url[400];

	(void)state;
	origin_ok("https://10.0.1.1:8443/api/captive", "https://10.0.1.1:8443");
	origin_ok("https://10.0.1.1:8443", "https://10.0.1.1:8443");
	origin_ok("https://gw.venue.example", "https://gw.venue.example");
	origin_ok("https://gw.venue.example/", "https://gw.venue.example");
	origin_ok("https://gw.venue.example?next=/x", "https://gw.venue.example");
	origin_ok("https://gw.venue.example:443#top", "https://gw.venue.example:443");
	origin_ok("https://gw.venue.example/portal?a=b#c", "https://gw.venue.example");
	origin_ok("https://[2001:db8::1]:8443/api/captive", "https://[2001:db8::1]:8443");

	origin_bad("http://10.0.1.1:8443/api/captive");
	origin_bad("ftp://10.0.1.1/");
	origin_bad("https:/10.0.1.1/");
	origin_bad("10.0.1.1:8443");
	origin_bad("");
	origin_bad("https://");
	origin_bad("https:///api/captive");
	origin_bad("https://?x");
	origin_bad("https://#x");
	origin_bad("https://user@10.0.1.1/");
	origin_bad("https://user:pass@10.0.1.1:8443/api");
	origin_bad("https://evil.example@10.0.1.1");
	origin_bad("https://10.0.1.1 :8443/");
	origin_bad("https:// 10.0.1.1/");
	origin_bad("https://10.0.1.1\t/");
	origin_bad("https://10.0.1.1\r\nX-Evil: 1/");
	origin_bad("https://10.0.1.1\x01/");
	origin_bad("https://10.0.1.1\x7f/");
	origin_bad("https://g\xc3\xa9.example/");
	origin_bad("https://evil.example\\@10.0.1.1/");

	/* Too long for the buffer: by one, and by far. */
	assert_int_equal(discover_origin("https://gw.venue.example/x", origin, 24), -EINVAL);
	assert_int_equal(discover_origin("https://gw.venue.example/x", origin, 25), 0);
	assert_string_equal(origin, "https://gw.venue.example");
	memset(url, 0, sizeof(url));
	memcpy(url, "https://", 8);
	memset(url + 8, 'a', 300);
	assert_int_equal(discover_origin(url, origin, sizeof(origin)), -EINVAL);
	{
		char big[512];

		assert_int_equal(discover_origin(url, big, sizeof(big)), 0);
		assert_int_equal(strlen(big), 308);
	}
}

/* An authority with a port but no host has an empty host. */
static void origin_refuses_an_empty_host_before_a_port(void **state)
{
	static const char *const urls[] = { "https://:8443/api/captive", "https://:8443", "https://:/" };
	char origin[256];

	(void)state;
	for (size_t k = 0; k < sizeof(urls) / sizeof(urls[0]); k++) {
		int ret;

		origin[0] = '\0';
		ret = discover_origin(urls[k], origin, sizeof(origin));
		if (ret != -EINVAL)
			fault("discover_origin(\"%s\") gave %d (\"%s\"), not -EINVAL", urls[k], ret, origin);
	}
	no_faults();
}

/* --- the DHCP script, in a network namespace */

static void nl_ok(int ret, const char *what)
{
	if (ret < 0)
		fail_msg("%s: %s", what, nl_geterror(ret));
}

static struct nl_addr *parse(const char *text)
{
	struct nl_addr *a = NULL;

	nl_ok(nl_addr_parse(text, AF_UNSPEC, &a), text);
	return a;
}

static void set_link(const char *name, int mtu)
{
	struct rtnl_link *link = NULL, *change = rtnl_link_alloc();

	nl_ok(rtnl_link_get_kernel(sock, 0, name, &link), "get link");
	rtnl_link_set_flags(change, IFF_UP);
	if (mtu)
		rtnl_link_set_mtu(change, (unsigned int)mtu);
	nl_ok(rtnl_link_change(sock, link, change, 0), "change link");
	rtnl_link_put(link);
	rtnl_link_put(change);
}

static void addr_add(const char *cidr, const char *brd)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = parse(cidr), *b = parse(brd);

	rtnl_addr_set_ifindex(a, (int)if_nametoindex(IF));
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_broadcast(a, b);
	nl_ok(rtnl_addr_add(sock, a, 0), cidr);
	nl_addr_put(local);
	nl_addr_put(b);
	rtnl_addr_put(a);
}

static void route_add(const char *dst, const char *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = parse(dst), *g = parse(gw);

	rtnl_route_set_family(r, (uint8_t)nl_addr_get_family(d));
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_dst(r, d);
	rtnl_route_nh_set_ifindex(nh, (int)if_nametoindex(IF));
	rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(r, nh);
	nl_ok(rtnl_route_add(sock, r, NLM_F_EXCL), dst);
	nl_addr_put(d);
	nl_addr_put(g);
	rtnl_route_put(r);
}

static const char *const env_names[] = {
	"interface",
	"ip",
	"subnet",
	"router",
	"dns",
	"mtu",
	"lease",
	"search",
	"opt114",
	"reason",
	"new_ip_address",
	"new_subnet_mask",
	"new_routers",
	"new_domain_name_servers",
	"new_interface_mtu",
	"new_dhcp_lease_time",
	"new_domain_search",
	"new_wicket_captive_portal",
};

static void clear_env(void)
{
	for (size_t k = 0; k < sizeof(env_names) / sizeof(env_names[0]); k++)
		unsetenv(env_names[k]);
}

static int ns_setup(void **state)
{
	struct rtnl_link *link, *peer;
	int fd;

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		print_message("needs root to make a network namespace\n");
		return -1;
	}
	sock = nl_socket_alloc();
	nl_ok(nl_connect(sock, NETLINK_ROUTE), "connect");
	link = rtnl_link_veth_alloc();
	rtnl_link_set_name(link, IF);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, IF "p");
	rtnl_link_put(peer);
	nl_ok(rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL), "veth");
	rtnl_link_veth_release(link);
	set_link(IF "p", 0);
	set_link(IF, 1400);
	addr_add("192.168.77.10/24", "192.168.77.255");
	route_add("0.0.0.0/0", "192.168.77.1");

	tmp_setup(state);
	snprintf(resolv, sizeof(resolv), "/tmp/test_helper_resolv.XXXXXX");
	fd = mkstemp(resolv);
	assert_true(fd >= 0);
	close(fd);
	write_file(resolv, RESOLV_BYTES);
	snprintf(paths.resolv_conf, sizeof(paths.resolv_conf), "%s", resolv);
	clear_env();
	setenv("WICKET_HELPER_RUN_DIR", paths.run_dir, 1);
	setenv("WICKET_HELPER_RESOLV_CONF", resolv, 1);
	err[0] = '\0';
	return 0;
}

static int ns_teardown(void **state)
{
	if (sock)
		nl_socket_free(sock);
	sock = NULL;
	clear_env();
	unsetenv("WICKET_HELPER_RUN_DIR");
	unsetenv("WICKET_HELPER_RESOLV_CONF");
	if (resolv[0])
		unlink(resolv);
	resolv[0] = '\0';
	return tmp_teardown(state);
}

static void read_ok(struct netconf_iface *i)
{
	int ret = netconf_read(IF, i, err, sizeof(err));

	if (ret)
		fail_msg("netconf_read: %d %s", ret, err);
}

static int addr_eq(const struct netconf_addr *a, const struct netconf_addr *b)
{
	return a->family == b->family && !strcmp(a->addr, b->addr) && a->prefixlen == b->prefixlen &&
	       a->flags == b->flags && a->scope == b->scope && !strcmp(a->label, b->label) &&
	       !strcmp(a->peer, b->peer) && !strcmp(a->broadcast, b->broadcast) &&
	       a->valid_lft == b->valid_lft && a->preferred_lft == b->preferred_lft;
}

static int route_eq(const struct netconf_route *a, const struct netconf_route *b)
{
	return a->family == b->family && !strcmp(a->dst, b->dst) && a->dst_len == b->dst_len &&
	       !strcmp(a->gateway, b->gateway) && !strcmp(a->prefsrc, b->prefsrc) && a->metric == b->metric &&
	       a->protocol == b->protocol && a->scope == b->scope && a->type == b->type &&
	       a->table == b->table && a->flags == b->flags;
}

/* Field by field, addresses and routes in any order (the ones there are permanent: lifetimes too). */
static void assert_same_iface(const struct netconf_iface *a, const struct netconf_iface *b, const char *what)
{
	if (a->up != b->up || a->mtu != b->mtu || a->ifindex != b->ifindex || a->naddrs != b->naddrs ||
	    a->nroutes != b->nroutes)
		fail_msg("%s: the interface changed: up %d->%d mtu %d->%d %zu->%zu addresses %zu->%zu routes",
			 what, a->up, b->up, a->mtu, b->mtu, a->naddrs, b->naddrs, a->nroutes, b->nroutes);
	for (size_t k = 0; k < a->naddrs; k++) {
		size_t j;

		for (j = 0; j < b->naddrs && !addr_eq(&a->addrs[k], &b->addrs[j]); j++)
			;
		if (j == b->naddrs)
			fail_msg("%s: address %s/%d changed or went", what, a->addrs[k].addr,
				 a->addrs[k].prefixlen);
	}
	for (size_t k = 0; k < a->nroutes; k++) {
		size_t j;

		for (j = 0; j < b->nroutes && !route_eq(&a->routes[k], &b->routes[j]); j++)
			;
		if (j == b->nroutes)
			fail_msg("%s: route %s/%d via '%s' changed or went", what, a->routes[k].dst,
				 a->routes[k].dst_len, a->routes[k].gateway);
	}
}

static size_t count_v4(const struct netconf_iface *i)
{
	size_t n = 0;

	for (size_t k = 0; k < i->naddrs; k++)
		n += i->addrs[k].family == AF_INET;
	return n;
}

static const struct netconf_addr *find_addr(const struct netconf_iface *i, const char *addr)
{
	for (size_t k = 0; k < i->naddrs; k++)
		if (!strcmp(i->addrs[k].addr, addr))
			return &i->addrs[k];
	return NULL;
}

static void hex(const char *text, char *out, size_t len)
{
	size_t n = strlen(text);

	assert_true(2 * n < len);
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)text[i]);
	out[2 * n] = '\0';
}

#define CAPTIVE "https://10.0.1.1:8443/api/captive"

static void udhcpc_env(void)
{
	char h[256];

	clear_env();
	setenv("interface", IF, 1);
	setenv("ip", "10.0.1.57", 1);
	setenv("subnet", "255.255.255.0", 1);
	setenv("router", "10.0.1.1", 1);
	setenv("dns", "10.0.1.1 10.0.1.2", 1);
	setenv("mtu", "1500", 1);
	setenv("lease", "3600", 1);
	setenv("search", "venue.example", 1);
	hex(CAPTIVE, h, sizeof(h));
	setenv("opt114", h, 1);
}

static void dhclient_env(const char *reason)
{
	clear_env();
	setenv("interface", IF, 1);
	setenv("reason", reason, 1);
	setenv("new_ip_address", "172.16.5.9", 1);
	setenv("new_subnet_mask", "255.255.240.0", 1);
	setenv("new_routers", "172.16.0.1 172.16.0.2", 1);
	setenv("new_domain_name_servers", "172.16.0.53", 1);
	setenv("new_interface_mtu", "1420", 1);
	setenv("new_dhcp_lease_time", "7200", 1);
	setenv("new_domain_search", "venue.example. guests.venue.example.", 1);
	setenv("new_wicket_captive_portal", "https://portal.venue.example/api/captive", 1);
}

/* dhcp_script_main as `wicket-helper dhcp-script CLIENT [EVENT]` hands it over. */
static int script(const char *client, const char *event)
{
	char *argv[] = { "dhcp-script", (char *)client, (char *)event, NULL };
	int argc = !client ? 1 : !event ? 2 : 3;

	return dhcp_script_main(argc, argv);
}

/* RUN_DIR/lease as key=value pairs: the value of key, "" if none; fails if the line is missing. */
static void lease_has(const char *text, const char *key, const char *want)
{
	char needle[64];
	const char *s;
	size_t n;

	snprintf(needle, sizeof(needle), "%s=", key);
	if (!strncmp(text, needle, strlen(needle)))
		s = text;
	else {
		snprintf(needle, sizeof(needle), "\n%s=", key);
		s = strstr(text, needle);
		if (!s)
			fail_msg("the lease has no %s line:\n%s", key, text);
		s++;
	}
	s += strlen(key) + 1;
	n = strcspn(s, "\n");
	if (n != strlen(want) || strncmp(s, want, n))
		fail_msg("the lease's %s is '%.*s', not '%s'", key, (int)n, s, want);
}

static char *lease_text(void)
{
	char path[HELPER_PATH_MAX];
	char *text;

	run_path(path, sizeof(path), DHCP_LEASE_FILE);
	text = slurp(path);
	if (!text)
		fail_msg("no lease file %s", path);
	return text;
}

static long long lease_at(const char *text)
{
	const char *s = strstr(text, "\nat=");

	assert_non_null(s);
	return atoll(s + 4);
}

static void resolv_is(const char *want)
{
	char *text = slurp(resolv);

	assert_non_null(text);
	if (strcmp(text, want))
		fail_msg("resolv.conf holds\n[%s]\ninstead of\n[%s]", text, want);
	free(text);
}

static void default_route_is(const char *gw)
{
	char name[IFNAMSIZ], g[INET6_ADDRSTRLEN];

	assert_int_equal(netconf_default_route(AF_INET, name, sizeof(name), g, sizeof(g)), 0);
	assert_string_equal(name, IF);
	assert_string_equal(g, gw);
}

static void udhcpc_bound_applies_and_records(void **state)
{
	struct netconf_iface i;
	const struct netconf_addr *a;
	struct dhcp_lease_info li;
	long long t0 = (long long)time(NULL), at;
	char *text, *rc;

	(void)state;
	udhcpc_env();
	assert_int_equal(script("udhcpc", "bound"), 0);

	read_ok(&i);
	assert_int_equal(i.mtu, 1500);
	assert_true(i.up);
	assert_int_equal(count_v4(&i), 1);
	assert_null(find_addr(&i, "192.168.77.10"));
	a = find_addr(&i, "10.0.1.57");
	assert_non_null(a);
	assert_int_equal(a->prefixlen, 24);
	assert_string_equal(a->broadcast, "10.0.1.255");
	assert_true(a->valid_lft <= 3600 && a->valid_lft > 3590);
	default_route_is("10.0.1.1");
	rc = slurp(resolv);
	assert_non_null(rc);
	assert_non_null(strstr(rc, "nameserver 10.0.1.1\nnameserver 10.0.1.2\n"));
	assert_non_null(strstr(rc, "search venue.example\n"));
	assert_null(strstr(rc, "192.0.2.53"));
	free(rc);

	text = lease_text();
	lease_has(text, "iface", IF);
	lease_has(text, "client", "udhcpc");
	lease_has(text, "addr", "10.0.1.57");
	lease_has(text, "prefixlen", "24");
	lease_has(text, "router", "10.0.1.1");
	lease_has(text, "mtu", "1500");
	lease_has(text, "lease_s", "3600");
	lease_has(text, "dns", "10.0.1.1 10.0.1.2");
	lease_has(text, "search", "venue.example");
	lease_has(text, "captive_url", CAPTIVE);
	at = lease_at(text);
	assert_true(at >= t0 && at <= (long long)time(NULL));
	free(text);
	assert_false(exists(DHCP_LEASE_FILE ".tmp"));

	assert_int_equal(dhcp_lease_read(&paths, &li), 0);
	assert_string_equal(li.iface, IF);
	assert_string_equal(li.addr, "10.0.1.57");
	assert_int_equal(li.prefixlen, 24);
	assert_string_equal(li.router, "10.0.1.1");
	assert_string_equal(li.dns, "10.0.1.1 10.0.1.2");
	assert_string_equal(li.captive_url, CAPTIVE);
	assert_string_equal(li.client, "udhcpc");

	/* A renew with a new address and MTU: taken, the old address gone. */
	setenv("ip", "10.0.1.58", 1);
	setenv("mtu", "1492", 1);
	assert_int_equal(script("udhcpc", "renew"), 0);
	read_ok(&i);
	assert_int_equal(i.mtu, 1492);
	assert_int_equal(count_v4(&i), 1);
	assert_non_null(find_addr(&i, "10.0.1.58"));
	assert_int_equal(dhcp_lease_read(&paths, &li), 0);
	assert_string_equal(li.addr, "10.0.1.58");
}

static void dhclient_bound_applies_and_records(void **state)
{
	static const char *const reasons[] = { "BOUND", "RENEW", "REBIND", "REBOOT" };
	struct netconf_iface i;
	const struct netconf_addr *a;
	struct dhcp_lease_info li;
	char *text, *rc;

	(void)state;
	dhclient_env("BOUND");
	assert_int_equal(script("dhclient", NULL), 0);

	read_ok(&i);
	assert_int_equal(i.mtu, 1420);
	assert_int_equal(count_v4(&i), 1);
	a = find_addr(&i, "172.16.5.9");
	assert_non_null(a);
	assert_int_equal(a->prefixlen, 20);
	assert_string_equal(a->broadcast, "172.16.15.255");
	assert_true(a->valid_lft <= 7200 && a->valid_lft > 7190);
	default_route_is("172.16.0.1");
	rc = slurp(resolv);
	assert_non_null(rc);
	assert_non_null(strstr(rc, "nameserver 172.16.0.53\n"));
	assert_null(strstr(rc, "nameserver 192.0.2.53"));
	assert_non_null(strstr(rc, "search venue.example. guests.venue.example.\n"));
	free(rc);

	text = lease_text();
	lease_has(text, "iface", IF);
	lease_has(text, "client", "dhclient");
	lease_has(text, "addr", "172.16.5.9");
	lease_has(text, "prefixlen", "20");
	lease_has(text, "router", "172.16.0.1");
	lease_has(text, "mtu", "1420");
	lease_has(text, "lease_s", "7200");
	lease_has(text, "dns", "172.16.0.53");
	lease_has(text, "search", "venue.example. guests.venue.example.");
	lease_has(text, "captive_url", "https://portal.venue.example/api/captive");
	free(text);
	assert_int_equal(dhcp_lease_read(&paths, &li), 0);
	assert_string_equal(li.client, "dhclient");
	assert_string_equal(li.addr, "172.16.5.9");
	assert_int_equal(li.prefixlen, 20);
	assert_string_equal(li.captive_url, "https://portal.venue.example/api/captive");

	/* The other reasons that carry a lease: each one taken (a new address each time). */
	for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++) {
		char ip[16];

		snprintf(ip, sizeof(ip), "172.16.5.%zu", 20 + k);
		dhclient_env(reasons[k]);
		setenv("new_ip_address", ip, 1);
		if (script("dhclient", NULL) != 0)
			fail_msg("reason %s: not 0", reasons[k]);
		read_ok(&i);
		if (!find_addr(&i, ip) || count_v4(&i) != 1)
			fail_msg("reason %s: %s not the one address", reasons[k], ip);
		assert_int_equal(dhcp_lease_read(&paths, &li), 0);
		assert_string_equal(li.addr, ip);
	}
}

struct bad_case {
	const char *client; /* "udhcpc" or "dhclient" */
	const char *name, *value; /* value NULL: unset */
};

static void bad_leases_change_nothing(void **state)
{
	static const struct bad_case cases[] = {
		{ "udhcpc", "ip", "not-an-address" },
		{ "udhcpc", "ip", "10.0.1.300" },
		{ "udhcpc", "ip", "10.0.1.57 " },
		{ "udhcpc", "ip", "" },
		{ "udhcpc", "ip", NULL },
		{ "udhcpc", "ip", "0.0.0.0" },
		{ "udhcpc", "ip", "255.255.255.255" },
		{ "udhcpc", "ip", "224.0.0.5" },
		{ "udhcpc", "subnet", "255.0.255.0" },
		{ "udhcpc", "subnet", "255.255.255.1" },
		{ "udhcpc", "subnet", "0.0.0.0" },
		{ "udhcpc", "subnet", "24" },
		{ "udhcpc", "subnet", NULL },
		{ "udhcpc", "router", "garbage" },
		{ "udhcpc", "router", "10.0.1.1.1" },
		{ "udhcpc", "dns", "10.0.1.1 nameserver.example" },
		{ "udhcpc", "dns", "x" },
		{ "udhcpc", "mtu", "100" },
		{ "udhcpc", "mtu", "575" },
		{ "udhcpc", "mtu", "70000" },
		{ "udhcpc", "mtu", "65536" },
		{ "udhcpc", "mtu", "-1500" },
		{ "udhcpc", "mtu", "big" },
		{ "udhcpc", "lease", "0" },
		{ "udhcpc", "interface", NULL },
		{ "udhcpc", "interface", "" },
		{ "udhcpc", "interface", "abcdefghijklmnopqrst" },
		{ "udhcpc", "interface", "wk0wk0wk0wk0wk0w" },
		{ "dhclient", "new_ip_address", "not-an-address" },
		{ "dhclient", "new_subnet_mask", "255.0.255.0" },
		{ "dhclient", "new_routers", "garbage" },
		{ "dhclient", "new_domain_name_servers", "172.16.0.53 ::1:zz" },
		{ "dhclient", "new_interface_mtu", "100" },
		{ "dhclient", "new_interface_mtu", "70000" },
		{ "dhclient", "interface", NULL },
		{ "dhclient", "interface", "abcdefghijklmnopqrst" },
	};
	struct netconf_iface before, after;
	char what[128];

	(void)state;
	read_ok(&before);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct bad_case *c = &cases[k];
		int dh = !strcmp(c->client, "dhclient"), ret;

		snprintf(what, sizeof(what), "%s %s='%s'", c->client, c->name,
			 c->value ? c->value : "(unset)");
		if (dh)
			dhclient_env("BOUND");
		else
			udhcpc_env();
		if (c->value)
			setenv(c->name, c->value, 1);
		else
			unsetenv(c->name);
		ret = script(c->client, dh ? NULL : "bound");
		if (ret != 1)
			fail_msg("%s: exit %d, not 1", what, ret);
		if (exists(DHCP_LEASE_FILE) || exists(DHCP_LEASE_FILE ".tmp"))
			fail_msg("%s: a lease file was written", what);
		read_ok(&after);
		assert_same_iface(&before, &after, what);
		resolv_is(RESOLV_BYTES);
	}
	/* The same environments, good: taken (the cases failed on their one bad value). */
	udhcpc_env();
	assert_int_equal(script("udhcpc", "bound"), 0);
	dhclient_env("BOUND");
	assert_int_equal(script("dhclient", NULL), 0);
	assert_true(exists(DHCP_LEASE_FILE));
}

static void bad_captive_url_is_ignored(void **state)
{
	static const char *const urls[] = {
		"http://10.0.1.1/api/captive",
		"https://10.0.1.1/api/\"captive",
		"https://10.0.1.1/api/'captive",
		"https://10.0.1.1/api captive",
		"https://10.0.1.1/api/captive\n",
		"ftp://10.0.1.1/",
		"10.0.1.1",
	};
	struct netconf_iface i;
	struct dhcp_lease_info li;
	char h[256], ip[16], *text;
	int n = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(urls) / sizeof(urls[0]); k++) {
		for (int dh = 0; dh < 2; dh++) {
			snprintf(ip, sizeof(ip), "%s.%d", dh ? "172.16.5" : "10.0.1", 100 + n++);
			if (dh) {
				dhclient_env("BOUND");
				setenv("new_ip_address", ip, 1);
				setenv("new_wicket_captive_portal", urls[k], 1);
			} else {
				udhcpc_env();
				setenv("ip", ip, 1);
				hex(urls[k], h, sizeof(h));
				setenv("opt114", h, 1);
			}
			if (script(dh ? "dhclient" : "udhcpc", dh ? NULL : "bound") != 0)
				fail_msg("%s with option 114 '%s': not 0", dh ? "dhclient" : "udhcpc",
					 urls[k]);
			read_ok(&i);
			if (!find_addr(&i, ip))
				fail_msg("option 114 '%s': the lease (%s) was not applied", urls[k], ip);
			text = lease_text();
			lease_has(text, "addr", ip);
			lease_has(text, "captive_url", "");
			free(text);
		}
	}
	/* udhcpc's hex that is not hex. */
	{
		static const char *const hexes[] = { "zz", "6", "68747470733a2f2f782fzz",
						     "6874747073 3a2f2f782f" };

		for (size_t k = 0; k < sizeof(hexes) / sizeof(hexes[0]); k++) {
			udhcpc_env();
			snprintf(ip, sizeof(ip), "10.0.1.%d", 200 + (int)k);
			setenv("ip", ip, 1);
			setenv("opt114", hexes[k], 1);
			if (script("udhcpc", "bound") != 0)
				fail_msg("opt114 '%s': not 0", hexes[k]);
			assert_int_equal(dhcp_lease_read(&paths, &li), 0);
			assert_string_equal(li.addr, ip);
			if (li.captive_url[0])
				fail_msg("opt114 '%s' gave the captive URL '%s'", hexes[k], li.captive_url);
		}
	}
	/* And none at all. */
	udhcpc_env();
	unsetenv("opt114");
	assert_int_equal(script("udhcpc", "bound"), 0);
	assert_int_equal(dhcp_lease_read(&paths, &li), 0);
	assert_string_equal(li.captive_url, "");
}

/*
 * What the lease keeps as the portal API's URL is one discovery can use:
 * discover() takes RUN_DIR/lease's captive_url before anything else, and
 * gives up (no fall back to the default gateway) when discover_origin
 * refuses it. dhcp.c says of a bad one "ignored, not fatal: discovery
 * falls back".
 */
static void captive_url_recorded_is_one_discovery_takes(void **state)
{
	static const char *const urls[] = {
		"https://",
		"https:///api/captive",
		"https://user@10.0.1.1/api/captive",
		"https://evil.example\\@10.0.1.1/api/captive",
		"https://:8443/api/captive",
	};
	struct dhcp_lease_info li;
	char h[256], origin[256];

	(void)state;
	for (size_t k = 0; k < sizeof(urls) / sizeof(urls[0]); k++) {
		for (int dh = 0; dh < 2; dh++) {
			if (dh) {
				dhclient_env("BOUND");
				setenv("new_wicket_captive_portal", urls[k], 1);
			} else {
				udhcpc_env();
				hex(urls[k], h, sizeof(h));
				setenv("opt114", h, 1);
			}
			if (script(dh ? "dhclient" : "udhcpc", dh ? NULL : "bound") != 0) {
				fault("%s with option 114 '%s': not 0", dh ? "dhclient" : "udhcpc", urls[k]);
				continue;
			}
			assert_int_equal(dhcp_lease_read(&paths, &li), 0);
			if (li.captive_url[0] && discover_origin(li.captive_url, origin, sizeof(origin)) != 0)
				fault("%s: option 114 '%s' kept as captive_url '%s', which discover_origin "
				      "refuses",
				      dh ? "dhclient" : "udhcpc", urls[k], li.captive_url);
		}
	}
	no_faults();
}

static void other_events_change_nothing(void **state)
{
	static const char *const udhcpc_events[] = { "deconfig", "leasefail", "nak", "Bound", "" };
	static const char *const dhclient_reasons[] = { "PREINIT", "EXPIRE", "FAIL", "RELEASE", "STOP", "" };
	struct netconf_iface before, after;
	char what[64];

	(void)state;
	read_ok(&before);
	for (size_t k = 0; k < sizeof(udhcpc_events) / sizeof(udhcpc_events[0]); k++) {
		snprintf(what, sizeof(what), "udhcpc %s", udhcpc_events[k]);
		udhcpc_env();
		if (script("udhcpc", udhcpc_events[k]) != 0)
			fail_msg("%s: not 0", what);
		assert_false(exists(DHCP_LEASE_FILE));
		read_ok(&after);
		assert_same_iface(&before, &after, what);
		resolv_is(RESOLV_BYTES);
	}
	udhcpc_env();
	assert_int_equal(script("udhcpc", NULL), 0);
	for (size_t k = 0; k < sizeof(dhclient_reasons) / sizeof(dhclient_reasons[0]); k++) {
		snprintf(what, sizeof(what), "dhclient %s", dhclient_reasons[k]);
		dhclient_env(dhclient_reasons[k]);
		if (script("dhclient", "BOUND") != 0) /* the reason is the environment's, not argv's */
			fail_msg("%s: not 0", what);
		assert_false(exists(DHCP_LEASE_FILE));
		read_ok(&after);
		assert_same_iface(&before, &after, what);
		resolv_is(RESOLV_BYTES);
	}
	dhclient_env("BOUND");
	unsetenv("reason");
	assert_int_equal(script("dhclient", NULL), 0);
	read_ok(&after);
	assert_same_iface(&before, &after, "dhclient without a reason");
	assert_false(exists(DHCP_LEASE_FILE));
}

static void unknown_client_is_2(void **state)
{
	static const char *const names[] = { "dhcpcd", "", "UDHCPC", "udhcpc6", "dhclient " };
	struct netconf_iface before, after;

	(void)state;
	read_ok(&before);
	udhcpc_env();
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (script(names[k], "bound") != 2)
			fail_msg("client '%s': not 2", names[k]);
	assert_int_equal(script(NULL, NULL), 2);
	assert_false(exists(DHCP_LEASE_FILE));
	read_ok(&after);
	assert_same_iface(&before, &after, "unknown clients");
	resolv_is(RESOLV_BYTES);
}

static void lease_read_missing_and_damaged(void **state)
{
	struct dhcp_lease_info li;
	char path[HELPER_PATH_MAX];

	(void)state;
	memset(&li, 0xa5, sizeof(li));
	assert_int_equal(dhcp_lease_read(&paths, &li), -ENOENT);
	assert_string_equal(li.iface, "");
	assert_string_equal(li.addr, "");
	run_path(path, sizeof(path), DHCP_LEASE_FILE);
	write_file(path, "iface=eth1\nclient=udhcpc\nprefixlen=24\n");
	assert_int_equal(dhcp_lease_read(&paths, &li), -EINVAL);
	write_file(path, "iface=eth1\nclient=udhcpc\naddr=10.9.8.7\nprefixlen=22\nrouter=10.9.8.1\nmtu=0\n"
			 "lease_s=60\ndns=\nsearch=\ncaptive_url=https://10.9.8.1/api/captive\nat=1\n");
	assert_int_equal(dhcp_lease_read(&paths, &li), 0);
	assert_string_equal(li.iface, "eth1");
	assert_string_equal(li.addr, "10.9.8.7");
	assert_int_equal(li.prefixlen, 22);
	assert_string_equal(li.router, "10.9.8.1");
	assert_string_equal(li.dns, "");
	assert_string_equal(li.captive_url, "https://10.9.8.1/api/captive");
	assert_string_equal(li.client, "udhcpc");
	snprintf(paths.run_dir, sizeof(paths.run_dir), "%s/none", dir);
	assert_int_equal(dhcp_lease_read(&paths, &li), -ENOENT);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
#define NS_TEST(f) cmocka_unit_test_setup_teardown(f, ns_setup, ns_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMP_TEST(session_round_trip),
		TMP_TEST(session_load_missing),
		TMP_TEST(session_load_damaged),
		TMP_TEST(session_load_rejects_a_token_that_is_not_hex),
		TMP_TEST(session_forget_removes_both),
		TMP_TEST(counter_increases),
		TMP_TEST(counter_at_the_top_of_its_range),
		TMP_TEST(counter_without_run_dir_is_an_error),
		cmocka_unit_test(unhex_edges),
		cmocka_unit_test(origin_cuts_and_refuses),
		cmocka_unit_test(origin_refuses_an_empty_host_before_a_port),
		TMP_TEST(lease_read_missing_and_damaged),
		NS_TEST(udhcpc_bound_applies_and_records),
		NS_TEST(dhclient_bound_applies_and_records),
		NS_TEST(bad_leases_change_nothing),
		NS_TEST(bad_captive_url_is_ignored),
		NS_TEST(captive_url_recorded_is_one_discovery_takes),
		NS_TEST(other_events_change_nothing),
		NS_TEST(unknown_client_is_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
