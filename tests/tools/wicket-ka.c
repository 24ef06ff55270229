/*
 * wicket-ka: keepalive datagrams made by hand, for the daemon's tests. It
 * plays a guest's helper (the key derived from the gateway's secret, as
 * the portal will hand it out), a forger (a key of its own) and a replayer
 * (the bytes of an earlier datagram, sent again).
 *
 *   wicket-ka send SECRET_FILE SESSION COUNTER HOST PORT [--save FILE]
 *   wicket-ka forge SESSION COUNTER HOST PORT
 *   wicket-ka replay FILE HOST PORT
 *   wicket-ka key SECRET_FILE SESSION      (prints the session's key, hex)
 *
 * HOST is a numeric IPv4 or IPv6 address. Exit 0 when the datagram was
 * sent (the gateway answers nothing), 1 on failure, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "keepalive_proto.h"

static int usage(void)
{
	fprintf(stderr, "usage: wicket-ka send SECRET_FILE SESSION COUNTER HOST PORT [--save FILE]\n"
			"       wicket-ka forge SESSION COUNTER HOST PORT\n"
			"       wicket-ka replay FILE HOST PORT\n"
			"       wicket-ka key SECRET_FILE SESSION\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || !*s || *end || *s == '-';
}

/* Whole file into buf; its length, or -1. */
static ssize_t read_file(const char *path, uint8_t *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		perror(path);
		return -1;
	}
	n = read(fd, buf, size);
	close(fd);
	if (n < 0)
		perror(path);
	return n;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int send_to(const char *host, const char *port, const uint8_t *buf, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, ret = getaddrinfo(host, port, &hints, &ai);

	if (ret) {
		fprintf(stderr, "wicket-ka: %s port %s: %s\n", host, port, gai_strerror(ret));
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ret = fd < 0 || sendto(fd, buf, len, 0, ai->ai_addr, ai->ai_addrlen) != (ssize_t)len;
	if (ret)
		perror("wicket-ka: send");
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return ret;
}

/* A datagram for (session, counter) signed with key. */
static int build(const uint8_t key[KEEPALIVE_KEY_LEN], const char *session, const char *counter,
		 uint8_t out[KEEPALIVE_LEN])
{
	uint64_t id, n;

	if (parse_u64(session, &id) || parse_u64(counter, &n) || n == 0) {
		fprintf(stderr, "wicket-ka: SESSION and COUNTER are positive whole numbers\n");
		return 2;
	}
	if (keepalive_build(key, id, n, out)) {
		fprintf(stderr, "wicket-ka: cannot build the datagram\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t master[4096], key[KEEPALIVE_KEY_LEN], dgram[KEEPALIVE_LEN + 64];
	uint64_t id;
	ssize_t n;
	int ret;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "send") && (argc == 7 || (argc == 9 && !strcmp(argv[7], "--save")))) {
		n = read_file(argv[2], master, sizeof(master));
		if (n < 0)
			return 1;
		if (parse_u64(argv[3], &id) || keepalive_derive_key(master, (size_t)n, id, key)) {
			fprintf(stderr, "wicket-ka: cannot derive the key of session %s\n", argv[3]);
			return 1;
		}
		if ((ret = build(key, argv[3], argv[4], dgram)))
			return ret;
		if (argc == 9 && write_file(argv[8], dgram, KEEPALIVE_LEN))
			return 1;
		return send_to(argv[5], argv[6], dgram, KEEPALIVE_LEN);
	}
	if (argc == 6 && !strcmp(argv[1], "forge")) {
		if (RAND_bytes(key, sizeof(key)) != 1)
			return 1;
		if ((ret = build(key, argv[2], argv[3], dgram)))
			return ret;
		return send_to(argv[4], argv[5], dgram, KEEPALIVE_LEN);
	}
	if (argc == 4 && !strcmp(argv[1], "key")) {
		n = read_file(argv[2], master, sizeof(master));
		if (n < 0 || parse_u64(argv[3], &id) || keepalive_derive_key(master, (size_t)n, id, key))
			return 1;
		for (int i = 0; i < KEEPALIVE_KEY_LEN; i++)
			printf("%02x", key[i]);
		printf("\n");
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "replay")) {
		n = read_file(argv[2], dgram, sizeof(dgram));
		if (n < 0)
			return 1;
		return send_to(argv[3], argv[4], dgram, (size_t)n);
	}
	return usage();
}
