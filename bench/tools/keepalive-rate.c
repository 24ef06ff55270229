/*
 * keepalive-rate: how many keepalives wicketd's keepalive server takes per
 * second on one core, on the host, over loopback. Everything but the
 * kernel is the daemon's own code: the UDP socket and its batches
 * (daemon/keepalive.c), HMAC verification and key derivation
 * (keepalive_proto.c), and the store with synchronous=FULL on a real
 * disk (one commit, one fsync, per batch). The kernel's deadline updates
 * are left out (there is no wicket.ko on the host; they are one netlink
 * request per batch, measured by the kernel benchmarks).
 *
 *   keepalive-rate STORE_DIR [--sessions N] [--seconds S] [--receiver-cpu A] [--sender-cpu B]
 *
 * STORE_DIR must hold a store made by store-fill (N active sessions) and
 * is where the master secret is written. A sender process, pinned to CPU
 * B, sends valid keepalives (round robin over the sessions, counters
 * rising) for S seconds (default 5), faster than one core can take them;
 * the receiver, pinned to CPU A, runs the daemon's event loop until the
 * line has been quiet for a second. What the receiver cannot take in time
 * loopback drops, as a real line would. Printed: keepalives offered,
 * received and taken, wall and CPU time of the receiver, taken per CPU
 * second and per wall second, datagrams per batch. Exit 1 when any
 * keepalive was refused (a refusal would mean the figure measures errors).
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "gateway.h"
#include "keepalive.h"
#include "log.h"
#include "store.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "keepalive-rate: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
}

/* A UDP port nobody uses now. */
static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	close(fd);
	return ntohs(a.sin_port);
}

/* The sender: valid keepalives for `seconds`, as fast as it can make them. */
static int send_for(const struct keepalive_server *ks, uint16_t port, unsigned int sessions, double seconds)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t(*keys)[KEEPALIVE_KEY_LEN] = malloc((size_t)sessions * KEEPALIVE_KEY_LEN);
	uint8_t dgram[64][KEEPALIVE_LEN];
	struct mmsghdr msgs[64];
	struct iovec iov[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	double end = now_s() + seconds;
	uint64_t i = 0;

	if (!keys || fd < 0)
		return 1;
	for (unsigned int s = 0; s < sessions; s++)
		if (keepalive_session_key(ks, s + 1, keys[s]))
			return 1;
	while (now_s() < end) {
		for (unsigned int j = 0; j < 64; j++, i++) {
			if (keepalive_build(keys[i % sessions], i % sessions + 1, i / sessions + 1, dgram[j]))
				return 1;
			iov[j] = (struct iovec){ .iov_base = dgram[j], .iov_len = KEEPALIVE_LEN };
			msgs[j] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to,
								 .msg_namelen = sizeof(to),
								 .msg_iov = &iov[j],
								 .msg_iovlen = 1 } };
		}
		/* What loopback drops is the receiver's lost keepalives: counters skip, as on a real line. */
		if (sendmmsg(fd, msgs, 64, 0) < 0 && errno != ENOBUFS && errno != EAGAIN)
			return 1;
	}
	printf("sender: %llu keepalives offered in %.1f s\n", (unsigned long long)i, seconds);
	return 0;
}

struct run {
	struct gateway *gw;
	uint64_t last_total;
	double last_change;
	struct event *tick;
};

static uint64_t seen(const struct keepalive_stats *st)
{
	uint64_t n = 0;

	for (int r = 0; r < KEEPALIVE_RESULT_COUNT; r++)
		n += st->results[r];
	return n;
}

/* Every 10 ms: done when nothing came for a second. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	uint64_t total = seen(keepalive_stats(r->gw->keepalive));

	(void)fd;
	(void)what;
	if (total != r->last_total) {
		r->last_total = total;
		r->last_change = now_s();
	}
	if (now_s() - r->last_change > 1.0)
		event_base_loopbreak(r->gw->base);
}

/* argv[i] is option name with a whole number of at least min after it. */
static int parse_opt(int argc, char **argv, int i, const char *name, long min, long *v)
{
	char *end;

	if (i + 1 >= argc || strcmp(argv[i], name) != 0)
		return 0;
	*v = strtol(argv[i + 1], &end, 10);
	return *argv[i + 1] && !*end && *v >= min;
}

int main(int argc, char **argv)
{
	long sessions = 10000, seconds = 5, rcpu = 0, scpu = 1;
	struct timeval every = { .tv_usec = 10000 };
	char conf[1024], err[512], path[512];
	struct wicket_config *cfg = NULL;
	struct gateway gw = { 0 };
	struct run r = { .gw = &gw };
	const struct keepalive_stats *st;
	double t0, c0, wall, cpu;
	uint16_t port = free_port();
	pid_t sender;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: keepalive-rate STORE_DIR [--sessions N] [--seconds S] "
				"[--receiver-cpu A] [--sender-cpu B]\n");
		return 2;
	}
	for (int i = 2; i < argc; i += 2)
		if (!parse_opt(argc, argv, i, "--sessions", 1, &sessions) &&
		    !parse_opt(argc, argv, i, "--seconds", 1, &seconds) &&
		    !parse_opt(argc, argv, i, "--receiver-cpu", 0, &rcpu) &&
		    !parse_opt(argc, argv, i, "--sender-cpu", 0, &scpu)) {
			fprintf(stderr, "keepalive-rate: bad option %s\n", argv[i]);
			return 2;
		}
	log_init("keepalive-rate", 0, 0);
	snprintf(conf, sizeof(conf),
		 "[gateway]\nstore = %s/wicket.db\nportal = 127.0.0.1:8080\nupstream = lo\n"
		 "[keepalive]\nport = %u\nsecret_file = %s/keepalive.key\n[port bench0]\n",
		 argv[1], port, argv[1]);
	snprintf(path, sizeof(path), "%s/wicket.db", argv[1]);
	if (!port || config_load_string(conf, "keepalive-rate.conf", &cfg, err, sizeof(err)) ||
	    store_open(path, &gw.store)) {
		fprintf(stderr, "keepalive-rate: %s\n", port ? err : "no free port");
		return 1;
	}
	gw.config = cfg;
	gw.base = event_base_new();
	if (keepalive_open(&gw, cfg, &gw.keepalive, err, sizeof(err))) {
		fprintf(stderr, "keepalive-rate: %s\n", err);
		return 1;
	}
	sender = fork();
	if (sender == 0) {
		pin((int)scpu);
		status = send_for(gw.keepalive, port, (unsigned int)sessions, (double)seconds);
		fflush(stdout);
		_exit(status);
	}
	pin((int)rcpu);
	r.tick = event_new(gw.base, -1, EV_PERSIST, on_tick, &r);
	event_add(r.tick, &every);
	t0 = now_s();
	c0 = cpu_s();
	r.last_change = t0;
	event_base_dispatch(gw.base);
	/* The last second of silence is not work. */
	wall = r.last_change - t0;
	cpu = cpu_s() - c0;
	waitpid(sender, &status, 0);
	st = keepalive_stats(gw.keepalive);
	printf("sessions %ld, received %llu, taken %llu, refused %llu, store failures %llu\n", sessions,
	       (unsigned long long)seen(st), (unsigned long long)st->results[KEEPALIVE_OK],
	       (unsigned long long)(seen(st) - st->results[KEEPALIVE_OK]),
	       (unsigned long long)st->store_failures);
	printf("receiver: %.3f s wall, %.3f s CPU, %llu batches (%.1f datagrams each)\n", wall, cpu,
	       (unsigned long long)st->batches, st->batches ? (double)seen(st) / (double)st->batches : 0.0);
	printf("keepalives taken per CPU second: %.0f\n", (double)st->results[KEEPALIVE_OK] / cpu);
	printf("keepalives taken per wall second: %.0f\n", (double)st->results[KEEPALIVE_OK] / wall);
	return !WIFEXITED(status) || WEXITSTATUS(status) || seen(st) != st->results[KEEPALIVE_OK] ||
	       st->store_failures;
}
