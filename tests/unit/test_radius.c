/*
 * Unit tests of daemon/radius.c against a real FreeRADIUS 3.
 *
 * The group setup writes tests/radius/ (radiusd.conf, users, dictionary)
 * into a fresh temporary directory with its @WORDS@ replaced, and starts
 *   freeradius -f -d DIR -l DIR/radius.log
 * as the user running the test: no user or group switch, raddb, pid file,
 * log, detail file and SQLite database all in DIR, listening on 127.0.0.1
 * and two free high ports. It is the venue's server as packaging/radius
 * ships it: wicket's dictionary, the wicket_acct_unique policy and the
 * records table with its queries. The teardown stops it and removes DIR
 * (WICKET_KEEP_TMP=1 keeps DIR, and says where it is).
 *
 * Cases that wait for no answer use timeouts of a few hundred ms, so the
 * whole run takes a few seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include <cmocka.h>

#include "radius.h"
#include "tmp_tree.h"

#define SECRET "wicket test secret: 42"
#define NAS "gw-test-1"
#define START_WAIT_MS 10000

static struct {
	char top[PATH_MAX]; /* this tree */
	char dir[PATH_MAX]; /* the server's */
	char dictionary[PATH_MAX + 64]; /* packaging/radius/dictionary.radcli */
	pid_t pid;
	uint16_t auth_port, acct_port;
	struct radius *r; /* NAS, the right secret */
} srv;

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			if (!buf)
				break;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static int count_in(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* How often the server's log says needle. */
static int server_log_count(const char *needle)
{
	char path[PATH_MAX + 16];
	char *log;
	int n;

	snprintf(path, sizeof(path), "%s/radius.log", srv.dir);
	log = read_file(path);
	n = count_in(log, needle);
	free(log);
	return n;
}

static void print_server_log(void)
{
	char path[PATH_MAX + 16];
	char *log;

	snprintf(path, sizeof(path), "%s/radius.log", srv.dir);
	log = read_file(path);
	print_error("--- %s\n%s---\n", path, log ? log : "(none)\n");
	free(log);
}

/* --- the server */

/* This tree: WICKET_TOP, else three levels above build/bin/test_radius, else the working directory. */
static int find_top(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	const char *env = getenv("WICKET_TOP");
	ssize_t n;

	if (env) {
		snprintf(srv.top, sizeof(srv.top), "%s", env);
	} else if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		for (int i = 0; i < 3; i++) {
			char *slash = strrchr(exe, '/');

			if (slash)
				*slash = '\0';
		}
		snprintf(srv.top, sizeof(srv.top), "%s", exe);
	}
	snprintf(probe, sizeof(probe), "%s/tests/radius/radiusd.conf", srv.top);
	if (access(probe, R_OK) != 0 && getcwd(srv.top, sizeof(srv.top)))
		snprintf(probe, sizeof(probe), "%s/tests/radius/radiusd.conf", srv.top);
	if (access(probe, R_OK) != 0) {
		print_error("no tests/radius/radiusd.conf under %s: set WICKET_TOP\n", srv.top);
		return -1;
	}
	snprintf(srv.dictionary, sizeof(srv.dictionary), "%s/packaging/radius/dictionary.radcli", srv.top);
	return 0;
}

/* A UDP port on 127.0.0.1 that nothing uses now; fd keeps it so until closed. */
static uint16_t free_port(int *fd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	*fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&sa, &len) != 0)
		return 0;
	return ntohs(sa.sin_port);
}

/* tests/radius/name into the server's directory, @WORDS@ replaced. */
static int write_template(const char *name)
{
	char in[PATH_MAX + 64], out[PATH_MAX + 64], auth[8], acct[8], packaging[PATH_MAX + 32];
	const char *words[][2] = { { "@DIR@", srv.dir },
				   { "@PACKAGING@", packaging },
				   { "@AUTH_PORT@", auth },
				   { "@ACCT_PORT@", acct },
				   { "@SECRET@", SECRET } };
	char *text, *p;
	FILE *f;

	snprintf(in, sizeof(in), "%s/tests/radius/%s", srv.top, name);
	snprintf(out, sizeof(out), "%s/%s", srv.dir, name);
	snprintf(packaging, sizeof(packaging), "%s/packaging/radius", srv.top);
	snprintf(auth, sizeof(auth), "%u", srv.auth_port);
	snprintf(acct, sizeof(acct), "%u", srv.acct_port);
	text = read_file(in);
	f = fopen(out, "w");
	if (!text || !f) {
		print_error("%s: %s\n", text ? out : in, strerror(errno));
		free(text);
		if (f)
			fclose(f);
		return -1;
	}
	for (p = text; *p;) {
		size_t i, n = sizeof(words) / sizeof(words[0]);

		for (i = 0; i < n; i++)
			if (!strncmp(p, words[i][0], strlen(words[i][0])))
				break;
		if (i < n) {
			fputs(words[i][1], f);
			p += strlen(words[i][0]);
		} else {
			fputc(*p++, f);
		}
	}
	free(text);
	return fclose(f);
}

static const char *freeradius_binary(void)
{
	static const char *const candidates[] = { "/usr/sbin/freeradius", "/usr/sbin/radiusd",
						  "/usr/local/sbin/radiusd" };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

static void stop_server(void)
{
	int status;

	if (srv.pid <= 0)
		return;
	kill(srv.pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(srv.pid, &status, WNOHANG) == srv.pid) {
			srv.pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(srv.pid, SIGKILL);
	waitpid(srv.pid, &status, 0);
	srv.pid = 0;
}

/* Start freeradius on two fresh ports; 0 once it said it is ready, 1 to try other ports, -1. */
static int start_server_once(const char *binary)
{
	char log[PATH_MAX + 16], out[PATH_MAX + 16];
	int fd_auth, fd_acct, status;
	int64_t until;

	srv.auth_port = free_port(&fd_auth);
	srv.acct_port = free_port(&fd_acct);
	close(fd_auth);
	close(fd_acct);
	if (!srv.auth_port || !srv.acct_port)
		return -1;
	snprintf(log, sizeof(log), "%s/radius.log", srv.dir);
	snprintf(out, sizeof(out), "%s/stdout.log", srv.dir);
	unlink(log);
	if (write_template("radiusd.conf") || write_template("users") || write_template("dictionary"))
		return -1;

	srv.pid = fork();
	if (srv.pid < 0)
		return -1;
	if (srv.pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(binary, "freeradius", "-f", "-d", srv.dir, "-l", log, (char *)NULL);
		_exit(127);
	}
	for (until = monotonic_ms() + START_WAIT_MS; monotonic_ms() < until; usleep(20000)) {
		if (server_log_count("Ready to process requests"))
			return 0;
		if (waitpid(srv.pid, &status, WNOHANG) == srv.pid) {
			srv.pid = 0;
			return server_log_count("Address already in use") ? 1 : -1;
		}
	}
	stop_server();
	return -1;
}

static int open_handle(const char *nas, const char *secret, uint16_t auth_port, uint16_t acct_port,
		       unsigned int timeout_ms, unsigned int retries, struct radius **out)
{
	const struct radius_params p = {
		.auth_host = "127.0.0.1",
		.auth_port = auth_port,
		.acct_host = "127.0.0.1",
		.acct_port = acct_port,
		.secret = secret,
		.secret_len = strlen(secret),
		.nas_identifier = nas,
		.timeout_ms = timeout_ms,
		.retries = retries,
		.dictionary = srv.dictionary,
	};
	char err[256] = "";
	int ret = radius_open(&p, out, err, sizeof(err));

	if (ret)
		print_error("radius_open: %d %s\n", ret, err);
	return ret;
}

static int setup(void **state)
{
	const char *binary = freeradius_binary();
	const char *tmp = getenv("TMPDIR");
	int ret = 1;

	if (!tmp || !*tmp)
		tmp = "/tmp"; /* not /dev/shm: rlm_detail will not create a file under /dev/ */

	(void)state;
	if (!binary) {
		print_error("no freeradius binary (Debian's freeradius package: scripts/deps installs it)\n");
		return -1;
	}
	if (find_top())
		return -1;
	snprintf(srv.dir, sizeof(srv.dir), "%s/wicket-radius-XXXXXX", tmp);
	if (!mkdtemp(srv.dir)) {
		print_error("mkdtemp %s: %s\n", srv.dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < 3 && ret == 1; i++)
		ret = start_server_once(binary);
	if (ret) {
		print_error("freeradius did not start\n");
		print_server_log();
		return -1;
	}
	/* The secret as a file holds it: with its newline, which radius_open() drops. */
	return open_handle(NAS, SECRET "\n", srv.auth_port, srv.acct_port, 1000, 2, &srv.r);
}

static int teardown(void **state)
{
	(void)state;
	radius_close(srv.r);
	stop_server();
	tmp_tree_remove(srv.dir);
	return 0;
}

/* --- what the server stored (the records table of packaging/radius) */

static sqlite3 *db_open(void)
{
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/acct.db", srv.dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fail_msg("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* The first column of the first row of a query (sqlite3_mprintf format), as text; "" without rows. */
static void db_text(char *out, size_t len, const char *fmt, ...)
{
	sqlite3 *db = db_open();
	sqlite3_stmt *st = NULL;
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_free(sql);
	sqlite3_close(db);
}

#define db_int(...)                                                                                          \
	({                                                                                                   \
		char db_buf_[64];                                                                            \
		db_text(db_buf_, sizeof(db_buf_), __VA_ARGS__);                                              \
		strtoll(db_buf_, NULL, 10);                                                                  \
	})

/* The detail file's record of one session and kind, as FreeRADIUS decoded it; "" if none. */
static void detail_record(char *out, size_t len, const char *nas, uint64_t session, const char *kind)
{
	char path[PATH_MAX + 16], sid[64], status[64], who[96];
	char *text, *rec, *end, *next;

	snprintf(path, sizeof(path), "%s/detail", srv.dir);
	snprintf(sid, sizeof(sid), "Acct-Session-Id = \"%016" PRIx64 "\"", session);
	snprintf(status, sizeof(status), "Acct-Status-Type = %s\n", kind);
	snprintf(who, sizeof(who), "NAS-Identifier = \"%s\"", nas);
	text = read_file(path);
	out[0] = '\0';
	for (rec = text; rec && *rec; rec = next) {
		end = strstr(rec, "\n\n");
		next = end ? end + 2 : rec + strlen(rec);
		if (end)
			*end = '\0';
		if (strstr(rec, sid) && strstr(rec, status) && strstr(rec, who)) {
			snprintf(out, len, "%s", rec);
			break;
		}
	}
	free(text);
}

/* --- opening */

static void open_checks_its_params(void **state)
{
	struct radius_params p = {
		.auth_host = "127.0.0.1",
		.secret = "s",
		.secret_len = 1,
		.nas_identifier = NAS,
		.timeout_ms = 100,
		.dictionary = srv.dictionary,
	};
	char err[256], dict[PATH_MAX + 64];
	struct radius *r = NULL;
	FILE *f;

	(void)state;
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), 0);
	radius_close(r);

	p.secret = "\n";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty"));
	p.secret = "a\0b";
	p.secret_len = 3;
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	p.secret = "s";
	p.secret_len = 1;

	p.nas_identifier = "";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	p.nas_identifier = NAS;
	p.timeout_ms = 0;
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	p.timeout_ms = 100;
	p.auth_host = "radius example";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	p.auth_host = "[::1]";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), 0);
	radius_close(r);
	p.auth_host = "127.0.0.1";
	p.nas_ip = "10.0.0.300";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	p.nas_ip = NULL;

	/* radcli's own dictionary has no Wicket vendor; wicket's alone has no standard attributes. */
	p.dictionary = "/etc/radcli/dictionary";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "Wicket"));
	snprintf(dict, sizeof(dict), "%s/packaging/radius/dictionary.wicket", srv.top);
	p.dictionary = dict;
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "standard dictionary"));
	p.dictionary = "/nonexistent/dictionary";
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file"));

	/* A registered PEN above 65535 would be cut to 16 bits by radcli: refused. */
	snprintf(dict, sizeof(dict), "%s/dictionary.bigpen", srv.dir);
	f = fopen(dict, "w");
	assert_non_null(f);
	fprintf(f, "$INCLUDE /etc/radcli/dictionary\nVENDOR Wicket 70000\nBEGIN-VENDOR Wicket\n"
		   "ATTRIBUTE Wicket-Charge 1 integer\nEND-VENDOR Wicket\n");
	fclose(f);
	p.dictionary = dict;
	assert_int_equal(radius_open(&p, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "65535"));
	assert_null(r);
}

static void terminate_causes_follow_rfc2866(void **state)
{
	static const struct {
		const char *reason, *cause;
	} table[] = {
		{ "logout", "User-Request" },
		{ "keepalive-timeout", "Lost-Carrier" },
		{ "idle", "Idle-Timeout" },
		{ "deadline", "Session-Timeout" },
		{ "byte-cap", "Session-Timeout" },
		{ "kick", "Admin-Reset" },
		{ "block", "Admin-Reset" },
		{ "shutdown", "Admin-Reboot" },
		{ "expired-while-down", "NAS-Reboot" },
		{ "rejected", "User-Error" },
		{ "something-new", "NAS-Request" },
		{ NULL, "NAS-Request" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_string_equal(radius_terminate_cause_name(radius_terminate_cause(table[i].reason)),
				    table[i].cause);
	assert_int_equal(radius_terminate_cause("keepalive-timeout"), 2);
	assert_int_equal(radius_terminate_cause("expired-while-down"), 11);
	assert_string_equal(radius_terminate_cause_name(0), "");
	assert_string_equal(radius_terminate_cause_name(99), "");
}

/* --- the remote approver */

static const struct radius_auth_request card = {
	.session_id = 0x4d2,
	.mac = "aa:bb:cc:00:11:22",
	.port = "lan.101",
	.user_name = "tok_4242",
	.password = "1234",
	.plan = "Day",
	.price = 500,
	.currency = "EUR",
};

static void accept_with_reply_message(void **state)
{
	struct radius_auth_result out;
	char err[256] = "";

	(void)state;
	assert_int_equal(radius_auth(srv.r, &card, &out, err, sizeof(err)), RADIUS_ACCEPT);
	/* The users file echoes what arrived: every attribute, the vendor ones decoded by name. */
	assert_string_equal(out.reply_message, "Approved Day 500 EUR for AA-BB-CC-00-11-22 on lan.101 at " NAS
					       " session 00000000000004d2");
	assert_int_equal(out.session_timeout_s, 3600);
	assert_int_equal(out.class_len, strlen("wicket-test-class"));
	assert_memory_equal(out.class_, "wicket-test-class", out.class_len);

	/* Nothing to say: no message, no timeout. */
	struct radius_auth_request room = card;

	room.user_name = "101/Smith";
	room.password = "pin";
	room.room = "101";
	assert_int_equal(radius_auth(srv.r, &room, &out, err, sizeof(err)), RADIUS_ACCEPT);
	assert_string_equal(out.reply_message, "");
	assert_int_equal(out.session_timeout_s, 0);
	assert_int_equal(out.class_len, 0);
}

static void reject_with_reply_message(void **state)
{
	struct radius_auth_request q = card;
	struct radius_auth_result out;
	char err[256] = "";

	(void)state;
	q.user_name = "tok_0002";
	assert_int_equal(radius_auth(srv.r, &q, &out, err, sizeof(err)), RADIUS_REJECT);
	assert_string_equal(out.reply_message, "Card declined: insufficient funds");

	/* A wrong PIN: the server's PAP says no. */
	q.user_name = "tok_4242";
	q.password = "9999";
	assert_int_equal(radius_auth(srv.r, &q, &out, err, sizeof(err)), RADIUS_REJECT);
	assert_string_equal(out.reply_message, "Wrong PIN");
	assert_int_equal(out.session_timeout_s, 0);
	assert_int_equal(out.class_len, 0);
}

/*
 * A wrong secret is TIMEOUT, not ERROR: FreeRADIUS drops a request whose
 * Message-Authenticator (Access-Request) or Request Authenticator
 * (Accounting-Request) it cannot verify, without a word (RFC 2865 3, RFC
 * 3579 3.2), so the gateway sees exactly what a dead server looks like.
 * The server's log says why; the gateway's message says it saw no answer.
 */
static void wrong_secret_times_out(void **state)
{
	struct radius_acct_record rec = {
		.kind = RADIUS_ACCT_START,
		.session_id = 0xbad5ec,
		.event_ms = wall_ms(),
		.mac = "aa:bb:cc:00:00:01",
		.port = "lan.102",
	};
	struct radius_auth_result out;
	struct radius *r;
	int before = server_log_count("(Shared secret is incorrect.)");
	char err[256] = "";
	int64_t t0;

	(void)state;
	assert_int_equal(open_handle(NAS, "not the secret", srv.auth_port, srv.acct_port, 200, 1, &r), 0);
	t0 = monotonic_ms();
	assert_int_equal(radius_auth(r, &card, &out, err, sizeof(err)), RADIUS_TIMEOUT);
	assert_in_range(monotonic_ms() - t0, 380, 1000);
	assert_non_null(strstr(err, "no answer to 2 tries of 200 ms"));
	assert_int_equal(radius_acct(r, &rec, wall_ms(), err, sizeof(err)), -ETIMEDOUT);
	radius_close(r);
	/* Dropped by the server for the secret (it says so once a second at most). */
	assert_true(server_log_count("(Shared secret is incorrect.)") > before);
}

/* No server: TIMEOUT after timeout * (retries + 1), neither sooner nor much later. */
static void server_down_times_out(void **state)
{
	struct radius_acct_record rec = {
		.kind = RADIUS_ACCT_STOP,
		.session_id = 0xdead,
		.event_ms = wall_ms(),
		.mac = "aa:bb:cc:00:00:02",
		.port = "lan.103",
	};
	struct radius_auth_result out;
	struct radius *r;
	char err[256] = "";
	int fd_a, fd_b;
	uint16_t port_a = free_port(&fd_a), port_b = free_port(&fd_b);
	int64_t t0, took;

	(void)state;
	close(fd_a);
	close(fd_b);
	assert_int_equal(open_handle(NAS, SECRET, port_a, port_b, 250, 1, &r), 0);
	t0 = monotonic_ms();
	assert_int_equal(radius_auth(r, &card, &out, err, sizeof(err)), RADIUS_TIMEOUT);
	took = monotonic_ms() - t0;
	assert_in_range(took, 490, 750);
	assert_non_null(strstr(err, "no answer to 2 tries of 250 ms (port unreachable)"));
	t0 = monotonic_ms();
	assert_int_equal(radius_acct(r, &rec, wall_ms(), err, sizeof(err)), -ETIMEDOUT);
	assert_in_range(monotonic_ms() - t0, 490, 750);
	radius_close(r);
}

/* --- forged answers: what radcli 1.2.11's rc_aaa() would take as an accept */

struct forger {
	int fd;
	uint16_t port;
	int stop; /* __atomic */
	int answered;
	pthread_t thread;
};

/*
 * Answers every request at once, as a server with another secret would:
 * an Access-Accept with Session-Timeout 1000000, or an Accounting-Response,
 * whose Response Authenticator is computed with "another secret".
 */
static void *forge(void *arg)
{
	static const char other[] = "another secret";
	struct forger *fg = arg;

	while (!__atomic_load_n(&fg->stop, __ATOMIC_RELAXED)) {
		struct pollfd pfd = { .fd = fg->fd, .events = POLLIN };
		uint8_t q[4096], a[26];
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		unsigned int len;
		ssize_t n;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recvfrom(fg->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 20)
			continue;
		a[0] = q[0] == 1 ? 2 : 5;
		a[1] = q[1];
		len = q[0] == 1 ? 26 : 20;
		a[2] = 0;
		a[3] = (uint8_t)len;
		memcpy(a + 4, q + 4, 16);
		a[20] = 27; /* Session-Timeout */
		a[21] = 6;
		a[22] = 0x00;
		a[23] = 0x0f;
		a[24] = 0x42;
		a[25] = 0x40;
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		unsigned int dlen;

		EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
		EVP_DigestUpdate(ctx, a, len);
		EVP_DigestUpdate(ctx, other, strlen(other));
		EVP_DigestFinal_ex(ctx, a + 4, &dlen);
		EVP_MD_CTX_free(ctx);
		sendto(fg->fd, a, len, 0, (struct sockaddr *)&from, fromlen);
		fg->answered++;
	}
	return NULL;
}

static void forged_answers_are_refused(void **state)
{
	struct radius_acct_record rec = {
		.kind = RADIUS_ACCT_STOP,
		.session_id = 0xf0f0,
		.event_ms = wall_ms(),
		.mac = "aa:bb:cc:00:00:03",
		.port = "lan.104",
	};
	struct forger fg = { 0 };
	struct radius_auth_result out;
	struct radius *r;
	char err[256] = "";

	(void)state;
	fg.port = free_port(&fg.fd);
	assert_true(fg.port);
	assert_int_equal(pthread_create(&fg.thread, NULL, forge, &fg), 0);
	assert_int_equal(open_handle(NAS, SECRET, fg.port, fg.port, 200, 0, &r), 0);

	assert_int_equal(radius_auth(r, &card, &out, err, sizeof(err)), RADIUS_ERROR);
	assert_non_null(strstr(err, "failed the authenticator check"));
	assert_int_equal(out.session_timeout_s, 0);
	assert_int_equal(radius_acct(r, &rec, wall_ms(), err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "is the shared secret the server's?"));

	__atomic_store_n(&fg.stop, 1, __ATOMIC_RELAXED);
	pthread_join(fg.thread, NULL);
	close(fg.fd);
	radius_close(r);
	assert_int_equal(fg.answered, 2);
}

/* --- the network management system */

#define GIB (1024ULL * 1024 * 1024)

static struct radius_acct_record session_record(enum radius_acct_kind kind, uint64_t id, int64_t start_ms,
						int64_t at_s)
{
	struct radius_acct_record rec = {
		.kind = kind,
		.session_id = id,
		.event_ms = start_ms + at_s * 1000,
		.session_time_s = (uint64_t)at_s,
		.input_octets = at_s ? 5 * GIB + 7 : 0,
		.output_octets = at_s ? 9 * GIB + 1 : 0,
		.input_packets = (uint64_t)at_s * 1000,
		.output_packets = (uint64_t)at_s * 2000,
		.end_reason = "keepalive-timeout",
		.mac = "aa:bb:cc:00:00:10",
		.port = "lan.101",
		.user_name = "101/Smith",
		.charge = at_s ? 250 : 0,
		.currency = "EUR",
		.plan = "Day",
		.room = "101",
	};

	return rec;
}

static void accounting_start_interim_stop(void **state)
{
	const uint64_t id = 0x00c0ffee12345678ULL;
	const int64_t start_ms = (wall_ms() / 1000 - 3600) * 1000; /* an hour ago, whole seconds */
	const int64_t at[] = { 0, 300, 600 };
	const enum radius_acct_kind kinds[] = { RADIUS_ACCT_START, RADIUS_ACCT_INTERIM, RADIUS_ACCT_STOP };
	char err[256] = "", text[4096], sid[17];

	(void)state;
	snprintf(sid, sizeof(sid), "%016" PRIx64, id);
	for (int i = 0; i < 3; i++) {
		struct radius_acct_record rec = session_record(kinds[i], id, start_ms, at[i]);

		/* Sent 2 s after the event: Acct-Delay-Time 2. */
		if (radius_acct(srv.r, &rec, rec.event_ms + 2000, err, sizeof(err)))
			fail_msg("record %d: %s", i, err);
	}
	assert_int_equal(
		db_int("SELECT count(*) FROM wicket_acct WHERE nasidentifier = %Q AND acctsessionid = %Q",
		       NAS, sid),
		3);
	assert_int_equal(
		db_int("SELECT count(DISTINCT acctuniqueid) FROM wicket_acct WHERE acctsessionid = %Q", sid),
		1);
	db_text(text, sizeof(text),
		"SELECT statustype || ' ' || eventtime || ' ' || delaytime || ' ' || sessiontime || ' ' || "
		"inputoctets || ' ' || outputoctets || ' ' || inputpackets || ' ' || outputpackets || ' ' || "
		"terminatecause || ' ' || username || ' ' || callingstationid || ' ' || nasportid || ' ' || "
		"charge || ' ' || currency || ' ' || plan || ' ' || room "
		"FROM wicket_acct WHERE acctsessionid = %Q AND statustype = 'Stop'",
		sid);
	char want[512];

	/* 5 GiB + 7 up, 9 GiB + 1 down: Gigawords and Octets made the 64-bit totals again. */
	snprintf(want, sizeof(want),
		 "Stop %" PRId64 " 2 600 5368709127 9663676417 600000 1200000 Lost-Carrier 101/Smith "
		 "AA-BB-CC-00-00-10 lan.101 250 EUR Day 101",
		 start_ms / 1000 + 600);
	assert_string_equal(text, want);
	db_text(text, sizeof(text),
		"SELECT group_concat(statustype || ':' || eventtime || ':' || terminatecause, ' ') FROM "
		"(SELECT * FROM wicket_acct WHERE acctsessionid = %Q ORDER BY eventtime)",
		sid);
	snprintf(want, sizeof(want),
		 "Start:%" PRId64 ": Interim-Update:%" PRId64 ": Stop:%" PRId64 ":Lost-Carrier",
		 start_ms / 1000, start_ms / 1000 + 300, start_ms / 1000 + 600);
	assert_string_equal(text, want);

	/* The attributes themselves, as the server decoded them. */
	detail_record(text, sizeof(text), NAS, id, "Stop");
	assert_non_null(strstr(text, "\tAcct-Input-Octets = 1073741831\n"));
	assert_non_null(strstr(text, "\tAcct-Input-Gigawords = 1\n"));
	assert_non_null(strstr(text, "\tAcct-Output-Octets = 1073741825\n"));
	assert_non_null(strstr(text, "\tAcct-Output-Gigawords = 2\n"));
	assert_non_null(strstr(text, "\tAcct-Terminate-Cause = Lost-Carrier\n"));
	assert_non_null(strstr(text, "\tWicket-Charge = 250\n"));
	assert_non_null(strstr(text, "\tWicket-Currency = \"EUR\"\n"));
	assert_non_null(strstr(text, "\tNAS-Port-Type = Ethernet\n"));
	detail_record(text, sizeof(text), NAS, id, "Start");
	assert_null(strstr(text, "Acct-Terminate-Cause"));
}

/* A record sent again (lost answer, crash before the ack was stored) is acknowledged and counted once. */
static void resent_record_counts_once(void **state)
{
	const uint64_t id = 0x00000000abcdef01ULL;
	const int64_t start_ms = (wall_ms() / 1000 - 7200) * 1000;
	struct radius_acct_record stop = session_record(RADIUS_ACCT_STOP, id, start_ms, 600);
	char err[256] = "", sid[17], path[PATH_MAX + 16], *detail;

	(void)state;
	snprintf(sid, sizeof(sid), "%016" PRIx64, id);
	stop.end_reason = "logout";
	assert_int_equal(radius_acct(srv.r, &stop, stop.event_ms + 2000, err, sizeof(err)), 0);
	/* An hour later, from a restarted wicketd: same record, later Acct-Delay-Time. */
	assert_int_equal(radius_acct(srv.r, &stop, stop.event_ms + 3602000, err, sizeof(err)), 0);

	snprintf(path, sizeof(path), "%s/detail", srv.dir);
	detail = read_file(path);
	char needle[64];

	snprintf(needle, sizeof(needle), "Acct-Session-Id = \"%s\"", sid);
	assert_int_equal(count_in(detail, needle), 2); /* the server got it twice */
	free(detail);
	assert_int_equal(
		db_int("SELECT count(*) FROM wicket_acct WHERE acctsessionid = %Q AND statustype = 'Stop'",
		       sid),
		1);
	assert_int_equal(db_int("SELECT delaytime FROM wicket_acct WHERE acctsessionid = %Q", sid), 2);
	assert_int_equal(db_int("SELECT eventtime FROM wicket_acct WHERE acctsessionid = %Q", sid),
			 start_ms / 1000 + 600);
	char cause[64];

	db_text(cause, sizeof(cause), "SELECT terminatecause FROM wicket_acct WHERE acctsessionid = %Q", sid);
	assert_string_equal(cause, "User-Request");
}

/* Two gateways, one session id each: two sessions on the server. */
static void two_gateways_two_sessions(void **state)
{
	const uint64_t id = 0x42;
	struct radius_acct_record rec = session_record(RADIUS_ACCT_START, id, wall_ms(), 0);
	struct radius *a, *b;
	char err[256] = "";

	(void)state;
	assert_int_equal(open_handle("gw-lobby", SECRET, srv.auth_port, srv.acct_port, 1000, 2, &a), 0);
	assert_int_equal(open_handle("gw-pool", SECRET, srv.auth_port, srv.acct_port, 1000, 2, &b), 0);
	assert_int_equal(radius_acct(a, &rec, rec.event_ms, err, sizeof(err)), 0);
	assert_int_equal(radius_acct(b, &rec, rec.event_ms, err, sizeof(err)), 0);
	radius_close(a);
	radius_close(b);
	assert_int_equal(db_int("SELECT count(*) FROM wicket_acct WHERE acctsessionid = '0000000000000042'"),
			 2);
	assert_int_equal(db_int("SELECT count(DISTINCT acctuniqueid) FROM wicket_acct WHERE acctsessionid = "
				"'0000000000000042'"),
			 2);
	assert_int_equal(db_int("SELECT count(DISTINCT nasidentifier) FROM wicket_acct WHERE acctsessionid = "
				"'0000000000000042'"),
			 2);
}

#define THREADS 8
#define PER_THREAD 50

struct sender {
	pthread_t thread;
	int index;
	int64_t start_ms;
	int acked;
	char err[256];
};

static void *send_records(void *arg)
{
	struct sender *s = arg;

	for (int i = 0; i < PER_THREAD; i++) {
		uint64_t id = 0x7000000000000000ULL | (uint64_t)s->index << 16 | (uint64_t)i;
		struct radius_acct_record rec = session_record(RADIUS_ACCT_START, id, s->start_ms, 0);

		if (radius_acct(srv.r, &rec, rec.event_ms, s->err, sizeof(s->err)) == 0)
			s->acked++;
	}
	return NULL;
}

/* Worker threads share one struct radius. */
static void threads_send_at_once(void **state)
{
	struct sender s[THREADS];
	int64_t t0 = monotonic_ms(), took;
	int acked = 0;

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		s[i] = (struct sender){ .index = i, .start_ms = wall_ms() };
		assert_int_equal(pthread_create(&s[i].thread, NULL, send_records, &s[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(s[i].thread, NULL);
		if (s[i].acked != PER_THREAD)
			print_error("thread %d: %d acknowledged, last error: %s\n", i, s[i].acked, s[i].err);
		acked += s[i].acked;
	}
	took = monotonic_ms() - t0;
	print_message("%d threads x %d records acknowledged in %" PRId64 " ms\n", THREADS, PER_THREAD, took);
	assert_int_equal(acked, THREADS * PER_THREAD);
	assert_int_equal(db_int("SELECT count(DISTINCT acctsessionid) FROM wicket_acct WHERE acctsessionid "
				"LIKE '7%%'"),
			 THREADS * PER_THREAD);
}

/* Records that cannot go out as they are say so at once, and send nothing. */
static void bad_records_are_refused(void **state)
{
	struct radius_acct_record rec = session_record(RADIUS_ACCT_STOP, 0x99, wall_ms(), 60);
	struct radius_auth_request q = card;
	struct radius_auth_result out;
	struct radius *none;
	char err[256] = "";
	int64_t t0 = monotonic_ms();

	(void)state;
	rec.charge = -1;
	assert_int_equal(radius_acct(srv.r, &rec, wall_ms(), err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "Wicket-Charge"));
	rec.charge = (int64_t)UINT32_MAX + 1;
	assert_int_equal(radius_acct(srv.r, &rec, wall_ms(), err, sizeof(err)), -ERANGE);
	rec.charge = 1;
	rec.mac = "aa:bb:cc:00:00";
	assert_int_equal(radius_acct(srv.r, &rec, wall_ms(), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "MAC"));
	rec.mac = "aa:bb:cc:00:00:99";
	rec.kind = 7;
	assert_int_equal(radius_acct(srv.r, &rec, wall_ms(), err, sizeof(err)), -EINVAL);
	rec.kind = RADIUS_ACCT_STOP;
	rec.event_ms = -1000;
	assert_int_equal(radius_acct(srv.r, &rec, wall_ms(), err, sizeof(err)), -ERANGE);

	q.price = -5;
	assert_int_equal(radius_auth(srv.r, &q, &out, err, sizeof(err)), RADIUS_ERROR);
	assert_non_null(strstr(err, "Wicket-Price"));
	q.price = 500;
	q.user_name = "";
	assert_int_equal(radius_auth(srv.r, &q, &out, err, sizeof(err)), RADIUS_ERROR);
	assert_in_range(monotonic_ms() - t0, 0, 100);
	assert_int_equal(db_int("SELECT count(*) FROM wicket_acct WHERE acctsessionid = '0000000000000099'"),
			 0);

	/* A gateway with an approver but no accounting server. */
	const struct radius_params p = {
		.auth_host = "127.0.0.1",
		.auth_port = srv.auth_port,
		.secret = SECRET,
		.secret_len = strlen(SECRET),
		.nas_identifier = NAS,
		.timeout_ms = 1000,
		.dictionary = srv.dictionary,
	};
	assert_int_equal(radius_open(&p, &none, err, sizeof(err)), 0);
	assert_int_equal(radius_acct(none, &rec, wall_ms(), err, sizeof(err)), -EOPNOTSUPP);
	assert_int_equal(radius_auth(none, &card, &out, err, sizeof(err)), RADIUS_ACCEPT);
	radius_close(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_checks_its_params),
		cmocka_unit_test(terminate_causes_follow_rfc2866),
		cmocka_unit_test(accept_with_reply_message),
		cmocka_unit_test(reject_with_reply_message),
		cmocka_unit_test(wrong_secret_times_out),
		cmocka_unit_test(server_down_times_out),
		cmocka_unit_test(forged_answers_are_refused),
		cmocka_unit_test(accounting_start_interim_stop),
		cmocka_unit_test(resent_record_counts_once),
		cmocka_unit_test(two_gateways_two_sessions),
		cmocka_unit_test(threads_send_at_once),
		cmocka_unit_test(bad_records_are_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("radius", tests, setup, teardown);
}
