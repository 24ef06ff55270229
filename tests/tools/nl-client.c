/*
 * wicket-nl client ...: one client, a whole table, generated batches for
 * benchmarks, and bulk loads from a file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wicket-nl.h"

#define USAGE_CLIENT                                                                                         \
	"client add|update DEV MAC [addr ADDR]... [noaddrs] [state S] [session N] [timeout MS] [cap "        \
	"BYTES]\n"                                                                                           \
	"       wicket-nl client del DEV MAC\n"                                                              \
	"       wicket-nl client get DEV MAC [reset] | client get addr ADDR [reset]\n"                       \
	"       wicket-nl client list [reset] [--count]\n"                                                   \
	"       wicket-nl client gen add|update|del DEV COUNT [mac-base MAC] [ip-base IPV4] [ip6-base "      \
	"IPV6]\n"                                                                                            \
	"                 [state S] [timeout MS] [cap BYTES] [session-base N]\n"                             \
	"       wicket-nl client bulk add|update|del FILE"

/* Most words on one line of a bulk file. */
#define MAX_WORDS (2 + 2 * (WICKET_MAX_ADDRS + 8))

/* Remembers the last interface looked up: bulk files name a few ports many times. */
static int parse_dev_cached(const char *s, uint32_t *ifindex, char *why)
{
	static char last[IF_NAMESIZE + 1];
	static uint32_t last_index;

	if (last_index && strcmp(s, last) == 0) {
		*ifindex = last_index;
		return 0;
	}
	if (nl_parse_dev(s, ifindex, why))
		return -1;
	if (strlen(s) < sizeof(last)) {
		strcpy(last, s);
		last_index = *ifindex;
	}
	return 0;
}

static int parse_dev_mac(char **words, struct kernel_client *c, char *why)
{
	if (parse_dev_cached(words[0], &c->port, why))
		return -1;
	if (kernel_mac_parse(words[1], c->mac)) {
		snprintf(why, WHY_LEN, "bad MAC '%s'", words[1]);
		return -1;
	}
	return 0;
}

static int parse_u64_option(const char *name, const char *value, uint64_t *v, char *why)
{
	if (nl_parse_u64(value, UINT64_MAX, v) == 0)
		return 0;
	snprintf(why, WHY_LEN, "bad %s '%s'", name, value);
	return -1;
}

/* [addr ADDR]... [noaddrs] [state S] [session N] [timeout MS] [cap BYTES] */
static int parse_client_options(int n, char **words, struct kernel_client *c, char *why)
{
	int i, noaddrs = 0;

	for (i = 0; i < n; i++) {
		const char *opt = words[i], *value = i + 1 < n ? words[i + 1] : NULL;

		if (strcmp(opt, "noaddrs") == 0) {
			noaddrs = 1;
			c->has |= KERNEL_CLIENT_HAS_ADDRS;
			continue;
		}
		if (!value) {
			snprintf(why, WHY_LEN, "'%s' needs a value or is unknown", opt);
			return -1;
		}
		i++;
		if (strcmp(opt, "addr") == 0) {
			if (c->naddrs == WICKET_MAX_ADDRS) {
				snprintf(why, WHY_LEN, "more than %d addresses", WICKET_MAX_ADDRS);
				return -1;
			}
			if (kernel_addr_parse(value, &c->addrs[c->naddrs])) {
				snprintf(why, WHY_LEN, "bad address '%s'", value);
				return -1;
			}
			c->naddrs++;
			c->has |= KERNEL_CLIENT_HAS_ADDRS;
		} else if (strcmp(opt, "state") == 0) {
			if (nl_parse_state(value, &c->state)) {
				snprintf(why, WHY_LEN, "unknown state '%s'", value);
				return -1;
			}
			c->has |= KERNEL_CLIENT_HAS_STATE;
		} else if (strcmp(opt, "session") == 0) {
			if (parse_u64_option(opt, value, &c->session, why))
				return -1;
			c->has |= KERNEL_CLIENT_HAS_SESSION;
		} else if (strcmp(opt, "timeout") == 0) {
			if (parse_u64_option(opt, value, &c->timeout_ms, why))
				return -1;
			c->has |= KERNEL_CLIENT_HAS_TIMEOUT;
		} else if (strcmp(opt, "cap") == 0) {
			if (parse_u64_option(opt, value, &c->byte_cap, why))
				return -1;
			c->has |= KERNEL_CLIENT_HAS_BYTE_CAP;
		} else {
			snprintf(why, WHY_LEN, "unknown client option '%s'", opt);
			return -1;
		}
	}
	if (noaddrs && c->naddrs) {
		snprintf(why, WHY_LEN, "both addr and noaddrs");
		return -1;
	}
	return 0;
}

/* DEV MAC [options], or DEV MAC alone for del. */
static int parse_client(int n, char **words, uint8_t cmd, struct kernel_client *c, char *why)
{
	memset(c, 0, sizeof(*c));
	if (n < 2) {
		snprintf(why, WHY_LEN, "needs DEV MAC");
		return -1;
	}
	if (parse_dev_mac(words, c, why))
		return -1;
	if (cmd == WICKET_CMD_CLIENT_DEL && n > 2) {
		snprintf(why, WHY_LEN, "del takes DEV MAC only");
		return -1;
	}
	return parse_client_options(n - 2, words + 2, c, why);
}

static int batch(uint8_t cmd, const struct kernel_client *c, size_t n)
{
	struct kernel *k = nl_kernel();

	switch (cmd) {
	case WICKET_CMD_CLIENT_ADD:
		return kernel_client_add(k, c, n);
	case WICKET_CMD_CLIENT_UPDATE:
		return kernel_client_update(k, c, n);
	default:
		return kernel_client_del(k, c, n);
	}
}

static int batch_cmd(const char *s, uint8_t *cmd)
{
	if (strcmp(s, "add") == 0)
		*cmd = WICKET_CMD_CLIENT_ADD;
	else if (strcmp(s, "update") == 0)
		*cmd = WICKET_CMD_CLIENT_UPDATE;
	else if (strcmp(s, "del") == 0)
		*cmd = WICKET_CMD_CLIENT_DEL;
	else
		return -1;
	return 0;
}

/* --- output */

/* Port names, looked up once per command: a dump names a few ports many times. */
static const char *port_name(uint32_t ifindex)
{
	static struct {
		uint32_t ifindex;
		char name[IF_NAMESIZE + 16];
	} cache[64];
	static size_t used;
	size_t i;

	for (i = 0; i < used; i++)
		if (cache[i].ifindex == ifindex)
			return cache[i].name;
	i = used < 64 ? used++ : ifindex % 64;
	cache[i].ifindex = ifindex;
	return nl_port_name(ifindex, cache[i].name, sizeof(cache[i].name));
}

static void print_client(const struct kernel_client *c)
{
	char mac[18], addr[INET6_ADDRSTRLEN], state[8], timeout[24] = "-", cap[24] = "-", flags[32] = "-";
	unsigned int i;

	printf("port=%s mac=%s addrs=", port_name(c->port), kernel_mac_format(c->mac, mac, sizeof(mac)));
	for (i = 0; i < c->naddrs; i++)
		printf("%s%s", i ? "," : "", kernel_addr_format(&c->addrs[i], addr, sizeof(addr)));
	if (c->naddrs == 0)
		putchar('-');
	if (c->has & KERNEL_CLIENT_HAS_TIMEOUT)
		snprintf(timeout, sizeof(timeout), "%" PRIu64, c->timeout_ms);
	if (c->has & KERNEL_CLIENT_HAS_BYTE_CAP)
		snprintf(cap, sizeof(cap), "%" PRIu64, c->byte_cap);
	if (c->flags == WICKET_CLIENT_F_CLOSED)
		snprintf(flags, sizeof(flags), "closed");
	else if (c->flags & WICKET_CLIENT_F_CLOSED)
		snprintf(flags, sizeof(flags), "closed,0x%x", c->flags & ~(uint32_t)WICKET_CLIENT_F_CLOSED);
	else if (c->flags)
		snprintf(flags, sizeof(flags), "0x%x", c->flags);
	printf(" state=%s session=%" PRIu64 " flags=%s timeout_ms=%s cap=%s idle_ms=%" PRIu64
	       " up_packets=%" PRIu64 " up_bytes=%" PRIu64 " down_packets=%" PRIu64 " down_bytes=%" PRIu64
	       "\n",
	       nl_state_name(c->state, state, sizeof(state)), c->session, flags, timeout, cap, c->idle_ms,
	       c->up_packets, c->up_bytes, c->down_packets, c->down_bytes);
}

/* --- add, update, del, get, list */

static int client_one(int argc, char **argv, uint8_t cmd)
{
	struct kernel_client c;
	char why[WHY_LEN];

	if (parse_client(argc - 1, argv + 1, cmd, &c, why))
		return nl_usage(USAGE_CLIENT, "%s", why);
	return batch(cmd, &c, 1) ? nl_kernel_failed() : 0;
}

static int client_get(int argc, char **argv)
{
	struct kernel_client c;
	char why[WHY_LEN];
	uint32_t flags = 0;

	if (argc == 4 && strcmp(argv[3], "reset") == 0) {
		flags = WICKET_F_RESET_COUNTERS;
		argc--;
	}
	if (argc != 3)
		return nl_usage(USAGE_CLIENT, "client get takes DEV MAC or addr ADDR, then maybe reset");
	memset(&c, 0, sizeof(c));
	if (strcmp(argv[1], "addr") == 0) {
		if (kernel_addr_parse(argv[2], &c.addrs[0]))
			return nl_usage(USAGE_CLIENT, "bad address '%s'", argv[2]);
		c.naddrs = 1;
	} else if (parse_dev_mac(argv + 1, &c, why)) {
		return nl_usage(USAGE_CLIENT, "%s", why);
	}
	if (kernel_client_get(nl_kernel(), &c, flags))
		return nl_kernel_failed();
	print_client(&c);
	return 0;
}

static int print_listed(const struct kernel_client *c, void *arg)
{
	size_t *count = arg;

	if (count)
		(*count)++;
	else
		print_client(c);
	return 0;
}

static int client_list(int argc, char **argv)
{
	uint32_t flags = 0;
	int i, count_only = 0, interrupted = 0;
	size_t count = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "reset") == 0)
			flags = WICKET_F_RESET_COUNTERS;
		else if (strcmp(argv[i], "--count") == 0)
			count_only = 1;
		else
			return nl_usage(USAGE_CLIENT, "unknown list option '%s'", argv[i]);
	}
	if (kernel_client_dump(nl_kernel(), flags, print_listed, count_only ? &count : NULL, &interrupted))
		return nl_kernel_failed();
	if (count_only)
		printf("%zu\n", count);
	if (interrupted) {
		fflush(stdout);
		fprintf(stderr, "dump: interrupted\n");
		return EXIT_INTERRUPTED;
	}
	return 0;
}

/* --- gen */

struct gen {
	uint8_t mac[6];
	uint32_t ip;
	struct kernel_addr ip6;
	int has_ip6;
	struct kernel_client tmpl; /* state, timeout, cap */
	uint64_t session;
	int has_session;
};

static int parse_gen_options(int n, char **words, struct gen *g, char *why)
{
	struct kernel_addr a;
	int i;

	for (i = 0; i < n; i += 2) {
		const char *opt = words[i], *value;

		if (i + 1 >= n) {
			snprintf(why, WHY_LEN, "'%s' needs a value", opt);
			return -1;
		}
		value = words[i + 1];
		if (strcmp(opt, "mac-base") == 0) {
			if (kernel_mac_parse(value, g->mac)) {
				snprintf(why, WHY_LEN, "bad MAC '%s'", value);
				return -1;
			}
		} else if (strcmp(opt, "ip-base") == 0) {
			if (kernel_addr_parse(value, &a) || a.family != AF_INET) {
				snprintf(why, WHY_LEN, "bad IPv4 address '%s'", value);
				return -1;
			}
			g->ip = ntohl(a.v4.s_addr);
		} else if (strcmp(opt, "ip6-base") == 0) {
			if (kernel_addr_parse(value, &g->ip6) || g->ip6.family != AF_INET6) {
				snprintf(why, WHY_LEN, "bad IPv6 address '%s'", value);
				return -1;
			}
			g->has_ip6 = 1;
		} else if (strcmp(opt, "session-base") == 0) {
			if (parse_u64_option(opt, value, &g->session, why))
				return -1;
			g->has_session = 1;
		} else if (strcmp(opt, "state") == 0 || strcmp(opt, "timeout") == 0 ||
			   strcmp(opt, "cap") == 0) {
			if (parse_client_options(2, words + i, &g->tmpl, why))
				return -1;
		} else {
			snprintf(why, WHY_LEN, "unknown gen option '%s'", opt);
			return -1;
		}
	}
	return 0;
}

static void gen_client(const struct gen *g, uint32_t i, struct kernel_client *c)
{
	uint32_t low = ((uint32_t)g->mac[3] << 16 | (uint32_t)g->mac[4] << 8 | g->mac[5]) + i;
	uint32_t v6low;

	*c = g->tmpl;
	memcpy(c->mac, g->mac, 3);
	c->mac[3] = (uint8_t)(low >> 16);
	c->mac[4] = (uint8_t)(low >> 8);
	c->mac[5] = (uint8_t)low;
	c->has |= KERNEL_CLIENT_HAS_ADDRS;
	c->naddrs = 1;
	c->addrs[0].family = AF_INET;
	c->addrs[0].v4.s_addr = htonl(g->ip + i);
	if (g->has_ip6) {
		c->addrs[1] = g->ip6;
		memcpy(&v6low, &g->ip6.v6.s6_addr[12], 4);
		v6low = htonl(ntohl(v6low) + i);
		memcpy(&c->addrs[1].v6.s6_addr[12], &v6low, 4);
		c->naddrs = 2;
	}
	if (g->has_session) {
		c->session = g->session + i;
		c->has |= KERNEL_CLIENT_HAS_SESSION;
	}
}

static int client_gen(int argc, char **argv)
{
	struct gen g = { .mac = { 0x02 }, .ip = 0x0a800000 };
	struct kernel_client *clients;
	struct timespec t0, t1;
	char why[WHY_LEN];
	uint64_t count, i;
	uint8_t cmd;
	int err;

	if (argc < 4 || batch_cmd(argv[1], &cmd))
		return nl_usage(USAGE_CLIENT, "client gen add|update|del DEV COUNT [options]");
	if (parse_dev_cached(argv[2], &g.tmpl.port, why))
		return nl_usage(USAGE_CLIENT, "%s", why);
	/* MACs differ in their low 24 bits. */
	if (nl_parse_u64(argv[3], 1U << 24, &count))
		return nl_usage(USAGE_CLIENT, "bad count '%s' (at most %u)", argv[3], 1U << 24);
	if (parse_gen_options(argc - 4, argv + 4, &g, why))
		return nl_usage(USAGE_CLIENT, "%s", why);
	clients = calloc(count ? count : 1, sizeof(*clients));
	if (!clients) {
		fprintf(stderr, "wicket-nl: %s\n", strerror(ENOMEM));
		return EXIT_KERNEL;
	}
	for (i = 0; i < count; i++)
		gen_client(&g, (uint32_t)i, &clients[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = batch(cmd, clients, count);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(clients);
	if (err)
		return nl_kernel_failed();
	fprintf(stderr, "%" PRIu64 " clients in %lld ms\n", count,
		(long long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}

/* --- bulk */

/* Splits a line into words; a '#' starts a comment. Returns the count, or -1 if too many. */
static int split_words(char *line, char **words, int max)
{
	char *hash = strchr(line, '#'), *save = NULL, *w;
	int n = 0;

	if (hash)
		*hash = '\0';
	for (w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

static int client_bulk(int argc, char **argv)
{
	struct kernel_client *clients = NULL;
	size_t n = 0, room = 0, lineno = 0, linecap = 0;
	char *line = NULL, why[WHY_LEN];
	int bad = 0, err;
	uint8_t cmd;
	FILE *in;

	if (argc != 3 || batch_cmd(argv[1], &cmd))
		return nl_usage(USAGE_CLIENT, "client bulk add|update|del FILE");
	in = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "r");
	if (!in) {
		fprintf(stderr, "wicket-nl: %s: %s\n", argv[2], strerror(errno));
		return EXIT_USAGE;
	}
	while (getline(&line, &linecap, in) >= 0) {
		char *words[MAX_WORDS];
		int nwords = split_words(line, words, MAX_WORDS);

		lineno++;
		if (nwords == 0)
			continue;
		if (n == room) {
			struct kernel_client *more;

			room = room ? 2 * room : 1024;
			more = realloc(clients, room * sizeof(*clients));
			if (!more) {
				fprintf(stderr, "wicket-nl: %s\n", strerror(ENOMEM));
				free(clients);
				free(line);
				return EXIT_KERNEL;
			}
			clients = more;
		}
		if (nwords < 0) {
			snprintf(why, sizeof(why), "too many words");
		} else if (parse_client(nwords, words, cmd, &clients[n], why) == 0) {
			n++;
			continue;
		}
		fprintf(stderr, "line %zu: %s\n", lineno, why);
		bad = 1;
	}
	if (ferror(in)) {
		fprintf(stderr, "wicket-nl: %s: %s\n", argv[2], strerror(errno));
		bad = 1;
	}
	if (in != stdin)
		fclose(in);
	free(line);
	err = bad ? 0 : batch(cmd, clients, n);
	free(clients);
	if (bad)
		return EXIT_USAGE;
	return err ? nl_kernel_failed() : 0;
}

int nl_client(int argc, char **argv)
{
	uint8_t cmd;

	if (argc < 2)
		return nl_usage(USAGE_CLIENT, "client needs a command");
	if (batch_cmd(argv[1], &cmd) == 0)
		return client_one(argc - 1, argv + 1, cmd);
	if (strcmp(argv[1], "get") == 0)
		return client_get(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return client_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "gen") == 0)
		return client_gen(argc - 1, argv + 1);
	if (strcmp(argv[1], "bulk") == 0)
		return client_bulk(argc - 1, argv + 1);
	return nl_usage(USAGE_CLIENT, "unknown client command '%s'", argv[1]);
}
