/*
 * `wicket-helper keepalive`: the guest's side of the keepalive protocol
 * (daemon/keepalive_proto.h). One authenticated datagram every interval
 * the gateway gave at login, and a look at the session's status after
 * each, so that the helper says so and exits when the session ends.
 *
 * Short outages are ridden out: a datagram that cannot leave, or a status
 * request that fails, is reported once and retried at the next interval.
 * The helper gives up only when the gateway has been out of reach for
 * longer than the session could have lasted on its last known deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "helper.h"
#include "session.h"

#define PID_FILE "keepalive.pid"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep until the monotonic time until, but wake for a signal. */
static void pause_until(double until)
{
	while (!stop_signal && now_s() < until) {
		double left = until - now_s();
		struct timespec ts = { .tv_sec = (time_t)left,
				       .tv_nsec = (long)((left - (double)(time_t)left) * 1e9) };

		if (left <= 0)
			break;
		nanosleep(&ts, NULL);
	}
}

static long read_pid(const char *path)
{
	FILE *f = fopen(path, "re");
	long pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

int keepalive_stop(const struct helper_paths *p)
{
	char path[HELPER_PATH_MAX];
	long pid;

	if (paths_join(path, sizeof(path), p->run_dir, PID_FILE))
		return 1;
	pid = read_pid(path);
	if (pid <= 1 || pid == (long)getpid() || kill((pid_t)pid, SIGTERM)) {
		unlink(path);
		return 1;
	}
	for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
		usleep(20000);
	unlink(path);
	return 0;
}

static int claim_pid_file(const struct helper_paths *p, char *path, size_t len)
{
	long other;
	int fd;

	if (paths_join(path, len, p->run_dir, PID_FILE))
		return -ENAMETOOLONG;
	other = read_pid(path);
	if (other > 1 && kill((pid_t)other, 0) == 0)
		return -EEXIST;
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	dprintf(fd, "%ld\n", (long)getpid());
	close(fd);
	return 0;
}

static int gateway_socket(const struct helper_session *s, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
	char port[8];
	int fd, rc;

	snprintf(port, sizeof(port), "%d", s->ka_port);
	rc = getaddrinfo(s->ka_host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "the gateway's keepalive address %s is not an address: %s", s->ka_host,
			 gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(err, errlen, "cannot open a socket to %s:%d: %s", s->ka_host, s->ka_port,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* One keepalive; 0, or -errno (the datagram did not leave). */
static int send_one(const struct helper_paths *p, const struct helper_session *s, int fd)
{
	uint8_t dgram[KEEPALIVE_LEN];
	int err;
	uint64_t counter = session_next_counter(p, &err);

	if (!counter)
		return err ? err : -EIO;
	if (keepalive_build(s->ka_key, s->id, counter, dgram))
		return -EIO;
	return send(fd, dgram, sizeof(dgram), 0) == (ssize_t)sizeof(dgram) ? 0 : -errno;
}

/* 1 when the status says the session is over (printed), 0 while it runs, -1 if unknown. */
static int session_over(struct helper *h, const struct helper_session *s, double *deadline, char *err,
			size_t errlen)
{
	json_t *st;
	const char *state, *reason;
	int over;

	/* Well inside the interval, so that a gateway slow to answer does not delay the next keepalive much.
	 */
	if (login_status(h, s, s->ka_interval_s > 2 ? s->ka_interval_s / 2 : 1, &st, err, errlen))
		return -1;
	state = json_string_value(json_object_get(st, "state"));
	reason = json_string_value(json_object_get(st, "reason"));
	over = !state || !strcmp(state, "ended") || !strcmp(state, "rejected") || !strcmp(state, "none");
	if (over)
		printf("the session has ended%s%s\n", reason ? ": " : "", reason ? reason : "");
	else if (json_is_integer(json_object_get(st, "seconds_remaining")))
		*deadline = now_s() + (double)json_integer_value(json_object_get(st, "seconds_remaining"));
	json_decref(st);
	return over;
}

int cmd_keepalive(struct helper *h, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct helper_session s;
	char err[512], pidfile[HELPER_PATH_MAX];
	double deadline, last_contact, next;
	int fd, ret, sending_ok = 1, status_ok = 1, result = 0;

	(void)argv;
	if (argc > 1)
		return helper_fail("keepalive takes no arguments");
	ret = session_load(&h->paths, &s);
	if (ret == -ENOENT)
		return helper_fail("no session to keep alive: log in first");
	if (ret)
		return helper_fail("the session file in %s is damaged: log in again", h->paths.run_dir);
	ret = claim_pid_file(&h->paths, pidfile, sizeof(pidfile));
	if (ret)
		return helper_fail(ret == -EEXIST ? "keepalives are already being sent for this session"
						  : "cannot write %s: %s",
				   pidfile, strerror(-ret));
	fd = gateway_socket(&s, err, sizeof(err));
	if (fd < 0) {
		unlink(pidfile);
		return helper_fail("%s", err);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	printf("keeping session %llu alive: a keepalive every %d s to %s:%d\n", (unsigned long long)s.id,
	       s.ka_interval_s, s.ka_host, s.ka_port);
	fflush(stdout);
	last_contact = now_s();
	deadline = last_contact + s.ka_interval_s;
	next = last_contact;
	while (!stop_signal) {
		ret = send_one(&h->paths, &s, fd);
		if (ret && sending_ok)
			fprintf(stderr, "wicket-helper: a keepalive could not be sent (%s): retrying\n",
				strerror(-ret));
		else if (!ret && !sending_ok)
			fprintf(stderr, "wicket-helper: keepalives are getting through again\n");
		sending_ok = !ret;
		/* The keepalives keep their cadence whatever the status request costs. */
		next += s.ka_interval_s;
		ret = session_over(h, &s, &deadline, err, sizeof(err));
		if (ret == 1) {
			result = 1;
			break;
		}
		if (ret == 0) {
			if (!status_ok)
				fprintf(stderr, "wicket-helper: the gateway answers again\n");
			last_contact = now_s();
		} else if (status_ok) {
			fprintf(stderr, "wicket-helper: %s: retrying\n", err);
		}
		status_ok = ret == 0;
		if (!status_ok && now_s() > deadline + s.ka_interval_s) {
			printf("the session has ended: the gateway has not answered for %.0f s, past the "
			       "session's deadline\n",
			       now_s() - last_contact);
			result = 1;
			break;
		}
		fflush(stdout);
		if (now_s() > next)
			next = now_s(); /* late (a slow gateway): send now, count on from here */
		pause_until(next);
	}
	if (stop_signal)
		printf("stopped sending keepalives: the gateway ends the session at its keepalive "
		       "deadline unless you log out\n");
	OPENSSL_cleanse(&s, sizeof(s));
	close(fd);
	unlink(pidfile);
	return result;
}
