/*
 * wicket-pump: the datagrams of many simulated guests from one process,
 * for the soak test (tests/kernel/soak.sh). Each guest is a macvlan of
 * its own (its MAC and IPv4 address); a process per keepalive would cost
 * more than the whole gateway in a TCG guest, and a driver that stalls
 * would let its guests' keepalives lapse, so one pump keeps every guest
 * alive on its own clock, told what to do one line at a time on stdin:
 *
 *   live IFNAME KEYHEX SESSION MS   keep a session alive: a keepalive now
 *                                   and every MS milliseconds (counters
 *                                   1, 2, ...), signed with the session's
 *                                   key as the login answer gave it (hex),
 *                                   to GATEWAY:KA_PORT
 *   stop SESSION                    no more keepalives for it
 *   udp IFNAME BYTES                one UDP datagram of BYTES payload
 *                                   bytes to SINK:SINK_PORT (through the
 *                                   gate: forwarded, counted)
 *
 *   usage: wicket-pump GATEWAY KA_PORT SINK SINK_PORT
 *
 * Every datagram leaves from IFNAME (SO_BINDTODEVICE): the gateway sees
 * the guest's own MAC and address. A line that cannot be done is reported
 * on stderr with its number; at the end of input one line on stdout says
 * "ka=N udp=N udp_bytes=N errors=N" (udp_bytes: payload bytes sent).
 * Exit 0 when everything was sent, 1 otherwise, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "keepalive_proto.h"

#define MAX_UDP 1400

struct totals {
	unsigned long long ka, udp, udp_bytes, errors;
};

/* A session kept alive; a free entry has session 0. */
struct live {
	char ifname[IF_NAMESIZE];
	uint8_t key[KEEPALIVE_KEY_LEN];
	uint64_t session, counter;
	int64_t every_ms, next_ms;
};

static struct live *lives;
static size_t nlives;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || !*s || *end || *s == '-';
}

static int parse_key(const char *hex, uint8_t key[KEEPALIVE_KEY_LEN])
{
	if (strlen(hex) != 2 * KEEPALIVE_KEY_LEN)
		return -1;
	for (int i = 0; i < KEEPALIVE_KEY_LEN; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &key[i]) != 1)
			return -1;
	return 0;
}

/* One datagram from the device ifname; 0 or an errno. */
static int send_from(const char *ifname, const struct sockaddr_in *to, const void *buf, size_t len)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) ||
	    sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) != (ssize_t)len)
		err = errno;
	close(fd);
	return err;
}

/* The entry of a session, or a free one (NULL when none is left and none can be made). */
static struct live *find(uint64_t session, int make)
{
	struct live *free_one = NULL;

	for (size_t i = 0; i < nlives; i++) {
		if (lives[i].session == session)
			return &lives[i];
		if (!lives[i].session && !free_one)
			free_one = &lives[i];
	}
	if (!make || free_one)
		return free_one;
	struct live *more = realloc(lives, (nlives + 64) * sizeof(*lives));

	if (!more)
		return NULL;
	lives = more;
	memset(lives + nlives, 0, 64 * sizeof(*lives));
	nlives += 64;
	return &lives[nlives - 64];
}

/* The keepalives that are due; the milliseconds until the next one (-1: none). */
static int send_due(const struct sockaddr_in *gw, struct totals *t)
{
	uint8_t dgram[KEEPALIVE_LEN];
	int64_t now = now_ms(), next = -1;
	int err;

	for (size_t i = 0; i < nlives; i++) {
		struct live *l = &lives[i];

		if (!l->session)
			continue;
		if (l->next_ms <= now) {
			l->counter++;
			err = keepalive_build(l->key, l->session, l->counter, dgram)
				      ? EINVAL
				      : send_from(l->ifname, gw, dgram, sizeof(dgram));
			if (err) {
				fprintf(stderr, "wicket-pump: keepalive %llu of session %llu from %s: %s\n",
					(unsigned long long)l->counter, (unsigned long long)l->session,
					l->ifname, strerror(err));
				t->errors++;
			} else {
				t->ka++;
			}
			l->next_ms = now + l->every_ms;
		}
		if (next < 0 || l->next_ms - now < next)
			next = l->next_ms - now;
	}
	return (int)next;
}

/* One line of input; 0, or -1 with its error printed. */
static int do_line(char *line, unsigned long n, const struct sockaddr_in *sink, struct totals *t)
{
	static const uint8_t payload[MAX_UDP];
	char *w[6] = { NULL }, *save = NULL;
	uint64_t session, every, bytes;
	struct live *l;
	int nw = 0, err;

	for (char *tok = strtok_r(line, " \t\n", &save); tok && nw < 6; tok = strtok_r(NULL, " \t\n", &save))
		w[nw++] = tok;
	if (nw == 5 && !strcmp(w[0], "live")) {
		if (strlen(w[1]) >= IF_NAMESIZE || parse_u64(w[3], &session) || !session ||
		    parse_u64(w[4], &every) || every < 100 || every > 3600000) {
			fprintf(stderr, "wicket-pump: line %lu: not 'live IFNAME KEYHEX SESSION MS'\n", n);
			return -1;
		}
		l = find(session, 1);
		if (!l || parse_key(w[2], l->key)) {
			fprintf(stderr, "wicket-pump: line %lu: %s\n", n,
				l ? "KEYHEX is 64 hex digits" : "out of memory");
			return -1;
		}
		snprintf(l->ifname, sizeof(l->ifname), "%s", w[1]);
		l->session = session;
		l->counter = 0;
		l->every_ms = (int64_t)every;
		l->next_ms = now_ms();
		return 0;
	}
	if (nw == 2 && !strcmp(w[0], "stop")) {
		if (parse_u64(w[1], &session) || !session || !(l = find(session, 0)) ||
		    l->session != session) {
			fprintf(stderr, "wicket-pump: line %lu: no session %s kept alive\n", n, w[1]);
			return -1;
		}
		l->session = 0;
		return 0;
	}
	if (nw == 3 && !strcmp(w[0], "udp")) {
		if (parse_u64(w[2], &bytes) || bytes > MAX_UDP) {
			fprintf(stderr, "wicket-pump: line %lu: BYTES is 0 to %d\n", n, MAX_UDP);
			return -1;
		}
		err = send_from(w[1], sink, payload, (size_t)bytes);
		if (err) {
			fprintf(stderr, "wicket-pump: line %lu: %s: %s\n", n, w[1], strerror(err));
			return -1;
		}
		t->udp++;
		t->udp_bytes += bytes;
		return 0;
	}
	fprintf(stderr,
		"wicket-pump: line %lu: not 'live IFNAME KEYHEX SESSION MS', 'stop SESSION' or 'udp IFNAME "
		"BYTES'\n",
		n);
	return -1;
}

static int parse_addr(const char *host, const char *port, struct sockaddr_in *out)
{
	uint64_t p;

	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1 || parse_u64(port, &p) || p == 0 || p > 65535)
		return -1;
	out->sin_port = htons((uint16_t)p);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in gw, sink;
	struct totals t = { 0 };
	struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[8192];
	size_t len = 0;
	unsigned long n = 0;
	ssize_t got = 1;

	if (argc != 5 || parse_addr(argv[1], argv[2], &gw) || parse_addr(argv[3], argv[4], &sink)) {
		fprintf(stderr,
			"usage: wicket-pump GATEWAY KA_PORT SINK SINK_PORT (numeric IPv4 addresses)\n");
		return 2;
	}
	/* Lines as they come from the pipe, between the keepalives that fall due. */
	while (got > 0) {
		char *start = buf, *nl;

		if (poll(&in, 1, send_due(&gw, &t)) < 0 && errno != EINTR)
			break;
		if (!(in.revents & (POLLIN | POLLHUP)))
			continue;
		got = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (got < 0 && errno == EINTR)
			got = 1;
		if (got > 0)
			len += (size_t)got;
		/* At the end of input, a last line without its newline counts too. */
		if (got <= 0 && len && len < sizeof(buf) - 1)
			buf[len++] = '\n';
		while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
			*nl = 0;
			if (do_line(start, ++n, &sink, &t))
				t.errors++;
			start = nl + 1;
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1) {
			fprintf(stderr, "wicket-pump: line %lu: too long\n", n + 1);
			t.errors++;
			len = 0;
		}
	}
	printf("ka=%llu udp=%llu udp_bytes=%llu errors=%llu\n", t.ka, t.udp, t.udp_bytes, t.errors);
	free(lives);
	return t.errors ? 1 : 0;
}
