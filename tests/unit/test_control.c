/*
 * Unit tests of daemon/control.c: a real control socket on a libevent loop
 * (in a thread), real clients, and peers of other users (forked children
 * that drop to other uids: the tests need root).
 */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <cmocka.h>

#include "control.h"

#define STAFF_GID 4242
#define NOBODY 65534

static char dir[64], path[100];
static struct event_base *base;
static struct control *ctl;
static pthread_t loop_thread;

static json_t *cmd_echo(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	return json_pack("{s:O, s:i}", "args", args, "uid", (int)peer->uid);
}

static json_t *cmd_fail(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			size_t errlen)
{
	(void)args;
	(void)peer;
	(void)arg;
	snprintf(err, errlen, "no such client: try wicketctl clients");
	return NULL;
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
	if (geteuid() != 0) {
		print_message("needs root: the tests connect as other users\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/wicket-control-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	evthread_use_pthreads();
	base = event_base_new();
	if (!base || control_open(base, path, STAFF_GID, &ctl) != 0 ||
	    control_register(ctl, "echo", cmd_echo, NULL) != 0 ||
	    control_register(ctl, "fail", cmd_fail, NULL) != 0)
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
	return 0;
}

static void echo_round_trip(void **state)
{
	json_t *args = json_pack("{s:s, s:i}", "mac", "02:00:00:00:00:01", "minutes", 30), *result = NULL;
	char err[256];

	(void)state;
	assert_int_equal(control_call(path, "echo", args, 2000, &result, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(result, "args"), "mac")),
			    "02:00:00:00:00:01");
	assert_int_equal(json_integer_value(json_object_get(result, "uid")), 0);
	json_decref(result);
	json_decref(args);
}

static void errors_come_back_in_words(void **state)
{
	json_t *result = NULL;
	char err[256];

	(void)state;
	assert_int_equal(control_call(path, "fail", NULL, 2000, &result, err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "no such client: try wicketctl clients");
	assert_int_equal(control_call(path, "nonsense", NULL, 2000, &result, err, sizeof(err)), -EREMOTEIO);
	assert_non_null(strstr(err, "unknown command \"nonsense\""));
}

/* A raw connection: send bytes, read the answer lines. */
static int raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void raw_exchange(int fd, const char *request, char *answer, size_t len)
{
	size_t got = 0;

	assert_int_equal(send(fd, request, strlen(request), MSG_NOSIGNAL), (ssize_t)strlen(request));
	while (got < len - 1) {
		ssize_t n = recv(fd, answer + got, len - 1 - got, 0);

		assert_true(n > 0);
		got += (size_t)n;
		answer[got] = '\0';
		if (strchr(answer, '\n'))
			break;
	}
}

static void malformed_requests_get_errors_and_the_connection_lives(void **state)
{
	char answer[1024];
	int fd = raw_connect();

	(void)state;
	raw_exchange(fd, "this is not json\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "\"ok\":false"));
	assert_non_null(strstr(answer, "malformed request"));
	raw_exchange(fd, "[1,2]\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "not a JSON object"));
	raw_exchange(fd, "{\"v\":1}\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "no \\\"cmd\\\""));
	raw_exchange(fd, "{\"v\":1,\"cmd\":\"echo\",\"args\":[]}\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "\\\"args\\\" is not an object"));
	raw_exchange(fd, "{\"v\":1,\"cmd\":\"echo\",\"cmd\":\"fail\"}\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "malformed request"));
	raw_exchange(fd, "{\"v\":2,\"cmd\":\"echo\"}\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "control protocol 2 is not spoken here"));
	/*
	 * A bad escape before a non-ASCII character: jansson's error quotes
	 * half of that character, and the answer once could not be built at
	 * all (the fuzzer's find). An answer must come, in time.
	 */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 5 },
				    sizeof(struct timeval)),
			 0);
	raw_exchange(fd, "{\"v\":1,\"cmd\":\"\\\xc3\xa9\xc3\xa9\xc3\xa9\"}\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "\"ok\":false"));
	assert_non_null(strstr(answer, "malformed request"));
	/* Still usable after all that. */
	raw_exchange(fd, "{\"v\":1,\"cmd\":\"echo\",\"args\":{\"x\":1}}\n", answer, sizeof(answer));
	assert_non_null(strstr(answer, "\"ok\":true"));
	close(fd);
}

static void an_oversized_request_is_refused_and_hung_up(void **state)
{
	size_t len = CONTROL_MAX_REQUEST + 4096;
	char *big = malloc(len + 2), answer[1024];
	int fd = raw_connect();

	(void)state;
	memset(big, 'x', len);
	big[len] = '\n';
	big[len + 1] = '\0';
	raw_exchange(fd, big, answer, sizeof(answer));
	assert_non_null(strstr(answer, "request too large"));
	/* Then the daemon hangs up. */
	for (int i = 0; i < 100; i++) {
		ssize_t n = recv(fd, answer, sizeof(answer), 0);

		if (n == 0)
			break;
		assert_true(n > 0 || errno == EINTR);
	}
	close(fd);
	free(big);
}

/* Run control_call() as another user in a child; its exit code is the answer. */
static int call_as(uid_t uid, gid_t gid, gid_t *groups, int ngroups, char *err, size_t errlen)
{
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		json_t *result = NULL;
		char msg[256] = "";
		int ret;

		close(pipefd[0]);
		if (setgroups((size_t)ngroups, groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
			_exit(100);
		ret = control_call(path, "echo", NULL, 2000, &result, msg, sizeof(msg));
		if (write(pipefd[1], msg, strlen(msg)) < 0)
			_exit(101);
		_exit(-ret);
	}
	close(pipefd[1]);
	n = read(pipefd[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -999;
}

static void a_stranger_is_refused(void **state)
{
	char err[256];

	(void)state;
	/* The socket is 0660 root:staff: a stranger cannot even connect... */
	assert_int_equal(call_as(NOBODY, NOBODY, NULL, 0, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "permission denied"));
	/* ...and when the file mode lets it in, SO_PEERCRED still does not. */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(call_as(NOBODY, NOBODY, NULL, 0, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "permission denied: wicketctl needs root or the staff group"));
	assert_int_equal(chmod(path, 0660), 0);
}

static void staff_by_primary_or_supplementary_group_is_let_in(void **state)
{
	gid_t staff = STAFF_GID;
	char err[256];

	(void)state;
	assert_int_equal(call_as(NOBODY, STAFF_GID, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(call_as(NOBODY, NOBODY, &staff, 1, err, sizeof(err)), 0);
}

static void no_daemon_says_so(void **state)
{
	json_t *result = NULL;
	char err[256];

	(void)state;
	assert_int_equal(
		control_call("/nonexistent/control.sock", "echo", NULL, 500, &result, err, sizeof(err)),
		-ENOENT);
	assert_non_null(strstr(err, "wicketd is not running"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_round_trip),
		cmocka_unit_test(errors_come_back_in_words),
		cmocka_unit_test(malformed_requests_get_errors_and_the_connection_lives),
		cmocka_unit_test(an_oversized_request_is_refused_and_hung_up),
		cmocka_unit_test(a_stranger_is_refused),
		cmocka_unit_test(staff_by_primary_or_supplementary_group_is_let_in),
		cmocka_unit_test(no_daemon_says_so),
	};

	return cmocka_run_group_tests_name("control", tests, setup, teardown);
}
