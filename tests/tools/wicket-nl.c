/*
 * wicket-nl: every command of wicket.ko's generic netlink family from the
 * command line, one line of "key=value" output per object, for the kernel
 * tests (which grep it) and for vendors bringing the module up. A
 * dispatcher over one small function per command; clients are in
 * nl-client.c, raw requests in nl-raw.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "wicket-nl.h"

#define USAGE_VERSION "version"
#define USAGE_PORT "port set DEV charge|free|blocked | port del DEV | port list"
#define USAGE_GARDEN "garden add|del PREFIX | garden list"
#define USAGE_CONFIG "config get | config set [mark VALUE/MASK] [seen-per-sec N] [max-clients N]"
#define USAGE_STATS "stats"
#define USAGE_HOLD "hold [count N] [sockets N]"
#define USAGE_FLUSH "flush [clients] [garden] [ports]"
#define USAGE_EVENTS "events [count N] [timeout SECONDS]"

static struct kernel *kernel;

struct kernel *nl_kernel(void)
{
	int err;

	if (kernel)
		return kernel;
	err = kernel_open(&kernel);
	if (err) {
		fprintf(stderr, "wicket-nl: cannot open a netlink socket: %s\n", strerror(-err));
		exit(EXIT_KERNEL);
	}
	return kernel;
}

int nl_kernel_failed(void)
{
	fprintf(stderr, "wicket-nl: %s\n", kernel_error(nl_kernel()));
	return EXIT_KERNEL;
}

int nl_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wicket-nl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: wicket-nl %s\n", usage);
	return EXIT_USAGE;
}

/* --- version */

static int cmd_version(int argc, char **argv)
{
	struct kernel_version v;

	(void)argv;
	if (argc != 1)
		return nl_usage(USAGE_VERSION, "version takes no arguments");
	if (kernel_get_version(nl_kernel(), &v))
		return nl_kernel_failed();
	printf("release=%s protocol=%u protocol_min=%u\n", v.release, v.protocol, v.protocol_min);
	return 0;
}

/* --- ports */

static int print_port(const struct kernel_port *p, void *arg)
{
	char name[IF_NAMESIZE + 16], mode[16];

	(void)arg;
	printf("port=%s ifindex=%u mode=%s\n", nl_port_name(p->ifindex, name, sizeof(name)), p->ifindex,
	       nl_mode_name(p->mode, mode, sizeof(mode)));
	return 0;
}

static int cmd_port(int argc, char **argv)
{
	char why[WHY_LEN];
	uint32_t ifindex;
	uint8_t mode;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return kernel_port_dump(nl_kernel(), print_port, NULL) ? nl_kernel_failed() : 0;
	if (argc == 4 && strcmp(argv[1], "set") == 0) {
		if (nl_parse_dev(argv[2], &ifindex, why))
			return nl_usage(USAGE_PORT, "%s", why);
		if (nl_parse_mode(argv[3], &mode))
			return nl_usage(USAGE_PORT, "unknown port mode '%s'", argv[3]);
		return kernel_port_set(nl_kernel(), ifindex, mode) ? nl_kernel_failed() : 0;
	}
	if (argc == 3 && strcmp(argv[1], "del") == 0) {
		if (nl_parse_dev(argv[2], &ifindex, why))
			return nl_usage(USAGE_PORT, "%s", why);
		return kernel_port_del(nl_kernel(), ifindex) ? nl_kernel_failed() : 0;
	}
	return nl_usage(USAGE_PORT, "bad port command");
}

/* --- walled garden */

static int print_prefix(const struct kernel_prefix *p, void *arg)
{
	char addr[INET6_ADDRSTRLEN];

	(void)arg;
	printf("%s/%u\n", kernel_addr_format(&p->addr, addr, sizeof(addr)), p->prefixlen);
	return 0;
}

static int cmd_garden(int argc, char **argv)
{
	struct kernel_addr addr;
	uint8_t len;
	int add;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return kernel_garden_dump(nl_kernel(), print_prefix, NULL) ? nl_kernel_failed() : 0;
	if (argc != 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		return nl_usage(USAGE_GARDEN, "bad garden command");
	add = strcmp(argv[1], "add") == 0;
	if (kernel_prefix_parse(argv[2], &addr, &len))
		return nl_usage(USAGE_GARDEN, "bad prefix '%s'", argv[2]);
	if (add ? kernel_garden_add(nl_kernel(), &addr, len) : kernel_garden_del(nl_kernel(), &addr, len))
		return nl_kernel_failed();
	return 0;
}

/* --- config */

static int parse_mark(const char *s, struct kernel_config *c)
{
	const char *slash = strchr(s, '/');
	char value[32];
	uint64_t mark, mask;

	if (!slash || (size_t)(slash - s) >= sizeof(value))
		return -1;
	memcpy(value, s, (size_t)(slash - s));
	value[slash - s] = '\0';
	if (nl_parse_number(value, UINT32_MAX, &mark) || nl_parse_number(slash + 1, UINT32_MAX, &mask))
		return -1;
	c->mark = (uint32_t)mark;
	c->mark_mask = (uint32_t)mask;
	c->has |= KERNEL_CONFIG_HAS_MARK;
	return 0;
}

static int cmd_config(int argc, char **argv)
{
	struct kernel_config c = { 0 };
	uint64_t n;
	int i;

	if (argc == 2 && strcmp(argv[1], "get") == 0) {
		if (kernel_config_get(nl_kernel(), &c))
			return nl_kernel_failed();
		printf("mark=0x%x mark_mask=0x%x seen_per_sec=%u max_clients=%u clients=%u\n", c.mark,
		       c.mark_mask, c.seen_per_sec, c.max_clients, c.clients);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "set"))
		return nl_usage(USAGE_CONFIG, "bad config command");
	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return nl_usage(USAGE_CONFIG, "'%s' needs a value", argv[i]);
		if (strcmp(argv[i], "mark") == 0) {
			if (parse_mark(argv[i + 1], &c))
				return nl_usage(USAGE_CONFIG, "bad mark '%s' (VALUE/MASK)", argv[i + 1]);
		} else if (strcmp(argv[i], "seen-per-sec") == 0) {
			if (nl_parse_u64(argv[i + 1], UINT32_MAX, &n))
				return nl_usage(USAGE_CONFIG, "bad number '%s'", argv[i + 1]);
			c.seen_per_sec = (uint32_t)n;
			c.has |= KERNEL_CONFIG_HAS_SEEN_PER_SEC;
		} else if (strcmp(argv[i], "max-clients") == 0) {
			if (nl_parse_u64(argv[i + 1], UINT32_MAX, &n))
				return nl_usage(USAGE_CONFIG, "bad number '%s'", argv[i + 1]);
			c.max_clients = (uint32_t)n;
			c.has |= KERNEL_CONFIG_HAS_MAX_CLIENTS;
		} else {
			return nl_usage(USAGE_CONFIG, "unknown config option '%s'", argv[i]);
		}
	}
	return kernel_config_set(nl_kernel(), &c) ? nl_kernel_failed() : 0;
}

/* --- stats: "drop_unknown=N drop_captive=N ..." (reason names with '-' as '_') */

static int cmd_stats(int argc, char **argv)
{
	struct kernel_stats s;
	const char *sep = "";

	(void)argv;
	if (argc != 1)
		return nl_usage(USAGE_STATS, "stats takes no argument");
	if (kernel_stats_get(nl_kernel(), &s))
		return nl_kernel_failed();
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++) {
		printf("%sdrop_", sep);
		for (const char *c = kernel_drop_reason_name(r); *c; c++)
			putchar(*c == '-' ? '_' : *c);
		printf("=%" PRIu64, s.drops[r]);
		sep = " ";
	}
	printf("\n");
	return 0;
}

/* --- hold */

/*
 * Hold the module loaded until this process ends (killed, or EOF on
 * stdin): "count N" asks N times on each socket (a socket holds once),
 * "sockets N" holds with N sockets.
 */
static int hold_option(const char *name, const char *value, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(value, &end, 10);
	if (errno || *end || !*out || *out > 1000)
		return nl_usage(USAGE_HOLD, "%s wants 1..1000, not '%s'", name, value);
	return 0;
}

static int cmd_hold(int argc, char **argv)
{
	unsigned long count = 1, sockets = 1;
	struct kernel *extra[1000];
	size_t opened = 0;
	char buf[256];
	int ret = 0;

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return nl_usage(USAGE_HOLD, "%s needs a value", argv[i]);
		if (strcmp(argv[i], "count") == 0)
			ret = hold_option("count", argv[i + 1], &count);
		else if (strcmp(argv[i], "sockets") == 0)
			ret = hold_option("sockets", argv[i + 1], &sockets);
		else
			return nl_usage(USAGE_HOLD, "unknown option '%s'", argv[i]);
		if (ret)
			return ret;
	}
	for (unsigned long s = 0; s < sockets; s++) {
		struct kernel *k = nl_kernel();

		if (s > 0) {
			ret = kernel_open(&k);
			if (ret) {
				fprintf(stderr, "wicket-nl: cannot open a netlink socket: %s\n",
					strerror(-ret));
				ret = EXIT_KERNEL;
				goto out;
			}
			extra[opened++] = k;
		}
		for (unsigned long i = 0; i < count; i++)
			if (kernel_hold(k)) {
				fprintf(stderr, "wicket-nl: socket %lu: %s\n", s + 1, kernel_error(k));
				ret = EXIT_KERNEL;
				goto out;
			}
	}
	printf("held\n");
	fflush(stdout);
	while (fread(buf, 1, sizeof(buf), stdin) > 0)
		;
out:
	while (opened)
		kernel_close(extra[--opened]);
	return ret;
}

/* --- flush */

static int cmd_flush(int argc, char **argv)
{
	uint32_t flags = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "clients") == 0)
			flags |= WICKET_FLUSH_CLIENTS;
		else if (strcmp(argv[i], "garden") == 0)
			flags |= WICKET_FLUSH_GARDEN;
		else if (strcmp(argv[i], "ports") == 0)
			flags |= WICKET_FLUSH_PORTS;
		else
			return nl_usage(USAGE_FLUSH, "unknown flush target '%s'", argv[i]);
	}
	return kernel_flush(nl_kernel(), flags) ? nl_kernel_failed() : 0;
}

/* --- events */

struct events {
	uint64_t count; /* stop after this many, if has_count */
	int has_count;
	uint64_t seen;
};

static const char *reason_name(uint8_t reason, char *buf, size_t len)
{
	switch (reason) {
	case WICKET_CLOSE_DEADLINE:
		return "deadline";
	case WICKET_CLOSE_BYTE_CAP:
		return "byte_cap";
	}
	snprintf(buf, len, "%u", reason);
	return buf;
}

static int print_event(uint8_t cmd, const struct kernel_client *c, void *arg)
{
	struct events *e = arg;
	char port[IF_NAMESIZE + 16], mac[18], addr[INET6_ADDRSTRLEN], reason[8];

	nl_port_name(c->port, port, sizeof(port));
	kernel_mac_format(c->mac, mac, sizeof(mac));
	if (cmd == WICKET_CMD_EVENT_SEEN)
		printf("seen port=%s mac=%s addr=%s\n", port, mac,
		       c->naddrs ? kernel_addr_format(&c->addrs[0], addr, sizeof(addr)) : "-");
	else
		printf("closed port=%s mac=%s session=%" PRIu64 " reason=%s up_packets=%" PRIu64
		       " up_bytes=%" PRIu64 " down_packets=%" PRIu64 " down_bytes=%" PRIu64 "\n",
		       port, mac, c->session, reason_name(c->reason, reason, sizeof(reason)), c->up_packets,
		       c->up_bytes, c->down_packets, c->down_bytes);
	fflush(stdout);
	e->seen++;
	return e->has_count && e->seen >= e->count;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_events(int argc, char **argv)
{
	struct events e = { 0 };
	struct kernel_events *ev;
	struct pollfd pfd;
	int64_t deadline = -1;
	int i, err;

	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return nl_usage(USAGE_EVENTS, "'%s' needs a value", argv[i]);
		if (strcmp(argv[i], "count") == 0) {
			if (nl_parse_u64(argv[i + 1], UINT64_MAX, &e.count))
				return nl_usage(USAGE_EVENTS, "bad count '%s'", argv[i + 1]);
			e.has_count = 1;
		} else if (strcmp(argv[i], "timeout") == 0) {
			char *end;
			double s = strtod(argv[i + 1], &end);

			if (*end || !(s >= 0 && s < 1e9) || argv[i + 1][0] < '0' || argv[i + 1][0] > '9')
				return nl_usage(USAGE_EVENTS, "bad timeout '%s'", argv[i + 1]);
			deadline = (int64_t)(s * 1000);
		} else {
			return nl_usage(USAGE_EVENTS, "unknown events option '%s'", argv[i]);
		}
	}
	if (kernel_events_open(nl_kernel(), &ev))
		return nl_kernel_failed();
	fprintf(stderr, "ready\n");
	if (deadline >= 0)
		deadline += now_ms();
	pfd.fd = kernel_events_fd(ev);
	pfd.events = POLLIN;
	for (;;) {
		int wait = -1;

		if (e.has_count && e.seen >= e.count)
			break;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				kernel_events_close(ev);
				return e.has_count ? 1 : 0;
			}
			wait = left > 60000 ? 60000 : (int)left;
		}
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		err = kernel_events_read(ev, print_event, &e);
		if (err == -ENOBUFS)
			fprintf(stderr, "events: overflow\n");
		else if (err == -EBADMSG)
			fprintf(stderr, "wicket-nl: malformed event from wicket.ko\n");
		else if (err < 0) {
			fprintf(stderr, "wicket-nl: events: %s\n", strerror(-err));
			kernel_events_close(ev);
			return EXIT_KERNEL;
		}
	}
	kernel_events_close(ev);
	return 0;
}

/* --- dispatch */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "version", cmd_version, USAGE_VERSION },
	{ "port", cmd_port, USAGE_PORT },
	{ "client", nl_client, "client add|update|del|get|list|gen|bulk ... (see wicket-nl client)" },
	{ "garden", cmd_garden, USAGE_GARDEN },
	{ "config", cmd_config, USAGE_CONFIG },
	{ "stats", cmd_stats, USAGE_STATS },
	{ "hold", cmd_hold, USAGE_HOLD },
	{ "flush", cmd_flush, USAGE_FLUSH },
	{ "events", cmd_events, USAGE_EVENTS },
	{ "raw", nl_raw, "raw CMD [flags dump|ack] ATTR..." },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage:\n");
	for (i = 0; i < COUNT(commands); i++)
		fprintf(out, "  wicket-nl %s\n", commands[i].usage);
}

int main(int argc, char **argv)
{
	size_t i;
	int ret;

	log_init("wicket-nl", 0, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < COUNT(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			ret = commands[i].run(argc - 1, argv + 1);
			if (fflush(stdout) && !ret) {
				fprintf(stderr, "wicket-nl: writing the output: %s\n", strerror(errno));
				ret = EXIT_KERNEL;
			}
			kernel_close(kernel);
			return ret;
		}
	}
	fprintf(stderr, "wicket-nl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
