/*
 * Unit tests of daemon/config.c: wicketd.conf, good, defaulted and broken.
 * Every error is checked with its whole message, the line number included.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "uapi/wicket.h"

static char text[16384];
static char err[512];

/*
 * A config of three fixed parts around the line under test:
 *   1 [gateway]
 *   2 <gw: one line>
 *   3 portal = 10.0.0.1:8080
 *   4 upstream = wan0
 *   5 [keepalive]
 *   6 <ka: one line>
 *   7 secret_file = /etc/wicket/keepalive.key
 *   8 <ports: [port ...] sections>
 */
#define GW_LINE 2
#define KA_LINE 6
#define PORTS_LINE 8

static const char *build(const char *gw, const char *ka, const char *ports)
{
	snprintf(text, sizeof(text),
		 "[gateway]\n%s\nportal = 10.0.0.1:8080\nupstream = wan0\n[keepalive]\n%s\n"
		 "secret_file = /etc/wicket/keepalive.key\n%s",
		 gw, ka, ports);
	return text;
}

static struct wicket_config *load_ok(const char *conf)
{
	struct wicket_config *cfg = NULL;
	int rc = config_load_string(conf, "t.conf", &cfg, err, sizeof(err));

	if (rc != 0)
		print_error("unexpected error %d: %s\n", rc, err);
	assert_int_equal(rc, 0);
	assert_non_null(cfg);
	return cfg;
}

/* The load fails with -EINVAL and exactly this message; *out stays NULL. */
static void expect_error(const char *conf, const char *message)
{
	struct wicket_config *cfg = NULL;

	memset(err, 'x', sizeof(err));
	assert_int_equal(config_load_string(conf, "t.conf", &cfg, err, sizeof(err)), -EINVAL);
	assert_null(cfg);
	assert_string_equal(err, message);
}

static void complete_config_with_two_ports(void **state)
{
	struct wicket_config *cfg;
	const struct wicket_config_port *port;
	const struct sockaddr_in *sin;

	(void)state;
	cfg = load_ok("; wicketd.conf\n"
		      "[gateway]\n"
		      "store = /srv/wicket/store.db\n"
		      "control_socket = /run/wicketd/ctl.sock\n"
		      "staff_group = front-desk\n"
		      "portal = 192.168.7.1:8443\n"
		      "portal_tls_port = 443\n"
		      "dns_port = 5353\n"
		      "mark = 0x10/0xf0\n"
		      "upstream = eth0\n"
		      "\n"
		      "[keepalive]\n"
		      "port = 5555\n"
		      "secret_file = /etc/wicket/ka.key\n"
		      "interval = 60\n"
		      "misses = 5\n"
		      "\n"
		      "[port lan.102]\n"
		      "mode = free\n"
		      "room = Lobby\n"
		      "[port lan.101]\n"
		      "mode = blocked\n"
		      "room = 101\n");
	assert_string_equal(cfg->gateway.store, "/srv/wicket/store.db");
	assert_string_equal(cfg->gateway.control_socket, "/run/wicketd/ctl.sock");
	assert_string_equal(cfg->gateway.staff_group, "front-desk");
	assert_string_equal(cfg->gateway.portal.host, "192.168.7.1");
	assert_int_equal(cfg->gateway.portal.port, 8443);
	sin = (const struct sockaddr_in *)&cfg->gateway.portal.addr;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 8443);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0a80701);
	assert_int_equal(cfg->gateway.portal.addrlen, sizeof(struct sockaddr_in));
	assert_int_equal(cfg->gateway.dns_port, 5353);
	assert_int_equal(cfg->gateway.mark, 0x10);
	assert_int_equal(cfg->gateway.mark_mask, 0xf0);
	assert_string_equal(cfg->gateway.upstream, "eth0");
	assert_int_equal(cfg->keepalive.port, 5555);
	assert_string_equal(cfg->keepalive.secret_file, "/etc/wicket/ka.key");
	assert_int_equal(cfg->keepalive.interval, 60);
	assert_int_equal(cfg->keepalive.misses, 5);

	assert_int_equal(cfg->nports, 2);
	/* sorted by name, whatever the file's order */
	assert_string_equal(cfg->ports[0].ifname, "lan.101");
	assert_string_equal(cfg->ports[1].ifname, "lan.102");
	port = config_port(cfg, "lan.102");
	assert_ptr_equal(port, &cfg->ports[1]);
	assert_int_equal(port->mode, WICKET_PORT_FREE);
	assert_string_equal(port->room, "Lobby");
	assert_int_equal(port->line, 18);
	port = config_port(cfg, "lan.101");
	assert_ptr_equal(port, &cfg->ports[0]);
	assert_int_equal(port->mode, WICKET_PORT_BLOCKED);
	assert_string_equal(port->room, "101");
	assert_int_equal(port->line, 21);
	assert_null(config_port(cfg, "lan.103"));
	assert_null(config_port(cfg, "eth0"));
	assert_null(config_port(cfg, "lan.10"));
	config_free(cfg);
}

static void defaults_fill_optional_keys(void **state)
{
	struct wicket_config *cfg;

	(void)state;
	cfg = load_ok("[gateway]\nportal = 10.0.0.1:8080\nupstream = wan0\n"
		      "[keepalive]\nsecret_file = /etc/wicket/keepalive.key\n"
		      "[port lan.101]\n");
	assert_string_equal(cfg->gateway.store, "/var/lib/wicket/wicket.db");
	assert_string_equal(cfg->gateway.control_socket, "/run/wicket/control.sock");
	assert_string_equal(cfg->gateway.staff_group, "wicket");
	assert_int_equal(cfg->gateway.dns_port, 53);
	assert_int_equal(cfg->gateway.forget_after, 600);
	assert_int_equal(cfg->gateway.sweep_interval, 30);
	assert_int_equal(cfg->gateway.mark, 0x800000);
	assert_int_equal(cfg->gateway.mark_mask, 0x800000);
	assert_int_equal(cfg->keepalive.port, 4444);
	assert_int_equal(cfg->keepalive.interval, 30);
	assert_int_equal(cfg->keepalive.misses, 3);
	assert_int_equal(cfg->billing.provisional_after, 5);
	assert_int_equal(cfg->billing.provisional_minutes, 10);
	assert_int_equal(cfg->billing.provisional_bytes, 50000000);
	assert_string_equal(cfg->radius.host, "");
	/* a section without keys is still a port, in charge mode, no room */
	assert_int_equal(cfg->nports, 1);
	assert_string_equal(cfg->ports[0].ifname, "lan.101");
	assert_int_equal(cfg->ports[0].mode, WICKET_PORT_CHARGE);
	assert_string_equal(cfg->ports[0].room, "");
	config_free(cfg);
}

static void layout_comments_and_crlf_are_accepted(void **state)
{
	struct wicket_config *cfg;

	(void)state;
	cfg = load_ok("\xef\xbb\xbf# wicketd.conf\r\n"
		      "  [ gateway ]  ; the gateway\r\n"
		      "\tportal: [fd00::1]:80 ; inline comment\r\n"
		      "    upstream = wan0\r\n"
		      "    dns_port = 53\r\n"
		      "[keepalive]\n"
		      "    secret_file = /k\n"
		      "[port\tlan.101]\n"
		      "    room = Suite \xc3\x89lys\xc3\xa9\x65;2\n"
		      "    mode = charge\n"
		      "[port lan.102] # second\n");
	assert_string_equal(cfg->gateway.portal.host, "fd00::1");
	assert_int_equal(cfg->gateway.portal.addr.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&cfg->gateway.portal.addr)->sin6_port), 80);
	assert_int_equal(cfg->gateway.portal.addrlen, sizeof(struct sockaddr_in6));
	assert_int_equal(cfg->gateway.dns_port, 53);
	assert_string_equal(cfg->keepalive.secret_file, "/k");
	assert_int_equal(cfg->nports, 2);
	/* indented keys are keys, not continuations of the previous value */
	assert_string_equal(config_port(cfg, "lan.101")->room, "Suite \xc3\x89lys\xc3\xa9\x65;2");
	assert_int_equal(config_port(cfg, "lan.101")->mode, WICKET_PORT_CHARGE);
	assert_non_null(config_port(cfg, "lan.102"));
	config_free(cfg);
}

static void mode_names(void **state)
{
	(void)state;
	assert_string_equal(config_port_mode_name(WICKET_PORT_CHARGE), "charge");
	assert_string_equal(config_port_mode_name(WICKET_PORT_FREE), "free");
	assert_string_equal(config_port_mode_name(WICKET_PORT_BLOCKED), "blocked");
	assert_string_equal(config_port_mode_name(0), "?");
	assert_string_equal(config_port_mode_name(WICKET_PORT_MODE_MAX + 1), "?");
}

static void bad_number(void **state)
{
	(void)state;
	expect_error(build("#", "port = abc", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] port: expected a number from 1 to 65535, got \"abc\"");
	expect_error(build("#", "interval = 30s", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] interval: expected a number from 5 to 3600, got \"30s\"");
	expect_error(build("#", "interval = -30", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] interval: expected a number from 5 to 3600, got \"-30\"");
	expect_error(build("#", "interval = +30", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] interval: expected a number from 5 to 3600, got \"+30\"");
	expect_error(build("#", "misses = 0x3", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] misses: expected a number from 1 to 100, got \"0x3\"");
	expect_error(build("#", "misses =", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] misses: expected a number from 1 to 100, got \"\"");
	expect_error(build("dns_port = 5 3", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] dns_port: expected a number from 1 to 65535, got \"5 3\"");
}

static void number_out_of_range(void **state)
{
	(void)state;
	expect_error(build("#", "port = 0", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] port: expected a number from 1 to 65535, got \"0\"");
	expect_error(build("#", "port = 65536", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] port: expected a number from 1 to 65535, got \"65536\"");
	expect_error(build("#", "port = 18446744073709551617", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] port: expected a number from 1 to 65535, got "
		     "\"18446744073709551617\"");
	expect_error(build("#", "interval = 4", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] interval: expected a number from 5 to 3600, got \"4\"");
	expect_error(build("#", "interval = 3601", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] interval: expected a number from 5 to 3600, got \"3601\"");
	expect_error(build("#", "misses = 101", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] misses: expected a number from 1 to 100, got \"101\"");
	expect_error(build("dns_port = 0", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] dns_port: expected a number from 1 to 65535, got \"0\"");
	expect_error(
		build("forget_after = 9", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] forget_after: expected 0 (never) or 10 to 604800 seconds, got \"9\"");
	expect_error(build("forget_after = 604801", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] forget_after: expected a number from 0 to 604800, got \"604801\"");
	expect_error(build("forget_after = 10m", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] forget_after: expected a number from 0 to 604800, got \"10m\"");
	expect_error(build("sweep_interval = 4", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] sweep_interval: expected a number from 5 to 300, got \"4\"");
	expect_error(build("sweep_interval = 301", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] sweep_interval: expected a number from 5 to 300, got \"301\"");
	expect_error(build("sweep_interval = 0", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] sweep_interval: expected a number from 5 to 300, got \"0\"");
}

static void limits_of_ranges_are_accepted(void **state)
{
	struct wicket_config *cfg;

	(void)state;
	cfg = load_ok(build("dns_port = 65535", "interval = 5", "[port lan.101]\n"));
	assert_int_equal(cfg->gateway.dns_port, 65535);
	assert_int_equal(cfg->keepalive.interval, 5);
	config_free(cfg);
	cfg = load_ok(build("dns_port = 1", "interval = 3600", "[port lan.101]\nmode = free\n"));
	assert_int_equal(cfg->gateway.dns_port, 1);
	assert_int_equal(cfg->keepalive.interval, 3600);
	config_free(cfg);
	cfg = load_ok(build("#", "misses = 100", "[port lan.101]\n"));
	assert_int_equal(cfg->keepalive.misses, 100);
	config_free(cfg);
	cfg = load_ok(build("#", "misses = 1", "[port lan.101]\n"));
	assert_int_equal(cfg->keepalive.misses, 1);
	config_free(cfg);
	/* forget_after: 0 (never), and its range's ends. */
	for (unsigned int i = 0, ok[] = { 0, 10, 604800 }; i < 3; i++) {
		char line[32];

		snprintf(line, sizeof(line), "forget_after = %u", ok[i]);
		cfg = load_ok(build(line, "#", "[port lan.101]\n"));
		assert_int_equal(cfg->gateway.forget_after, ok[i]);
		config_free(cfg);
	}
	for (unsigned int i = 0, ok[] = { 5, 300 }; i < 2; i++) {
		char line[32];

		snprintf(line, sizeof(line), "sweep_interval = %u", ok[i]);
		cfg = load_ok(build(line, "#", "[port lan.101]\n"));
		assert_int_equal(cfg->gateway.sweep_interval, ok[i]);
		config_free(cfg);
	}
}

static void unknown_key(void **state)
{
	(void)state;
	expect_error(build("stor = /x.db", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] stor: unknown key; expected store, control_socket, staff_group, "
		     "portal, dns_port, forget_after, sweep_interval, mark, upstream, portal_tls_port, "
		     "tls_cert, tls_key, "
		     "tls_dir, "
		     "portal_dir, "
		     "venue_url, components_dir or user");
	expect_error(
		build("#", "Port = 4444", "[port lan.101]\n"),
		"t.conf:6: [keepalive] Port: unknown key; expected port, secret_file, interval or misses");
	expect_error(build("#", "#", "[port lan.101]\nmode = free\nrooms = 1\n"),
		     "t.conf:10: [port lan.101] rooms: unknown key; expected mode or room");
	/* a key of another section is unknown here */
	expect_error(build("mode = free", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mode: unknown key; expected store, control_socket, staff_group, "
		     "portal, dns_port, forget_after, sweep_interval, mark, upstream, portal_tls_port, "
		     "tls_cert, tls_key, "
		     "tls_dir, "
		     "portal_dir, "
		     "venue_url, components_dir or user");
	expect_error("portal = 10.0.0.1:80\n[gateway]\n",
		     "t.conf:1: portal: key outside any section; expected [gateway], [keepalive], [billing], "
		     "[radius], [metrics] or [port IFNAME]");
	expect_error(build("= 5", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway]: expected a key name before '='");
}

#define SECTIONS "expected [gateway], [keepalive], [billing], [radius], [metrics] or [port IFNAME]"

static void unknown_section(void **state)
{
	(void)state;
	expect_error(build("#", "#", "[port lan.101]\n[keep-alive]\nport = 1\n"),
		     "t.conf:9: unknown section \"keep-alive\"; " SECTIONS);
	expect_error(build("#", "#", "[ports lan.101]\n"),
		     "t.conf:8: unknown section \"ports lan.101\"; " SECTIONS);
	expect_error("[Gateway]\n", "t.conf:1: unknown section \"Gateway\"; " SECTIONS);
	expect_error(build("#", "#", "[port lan.101\n"),
		     "t.conf:8: expected ']' at the end of the section name, got \"[port lan.101\"");
	expect_error(build("#", "#", "[port lan.101] mode = free\n"),
		     "t.conf:8: expected nothing but a comment after ']', got \"mode = free\"");
}

static void billing_and_radius_sections(void **state)
{
	struct wicket_config *cfg;
	static char conf[sizeof(text) + 512];

	(void)state;
	snprintf(conf, sizeof(conf),
		 "%s[billing]\nprovisional_after = 3\nprovisional_minutes = 15\n"
		 "provisional_mb = 20\n[radius]\nserver = radius.example.net\n"
		 "accounting_server = [2001:db8::1]:1646\nsecret_file = /etc/wicket/radius.secret\n"
		 "nas_identifier = lobby-gw\ntimeout = 4\nretries = 0\ninterim = 600\n",
		 build("#", "#", "[port lan.101]\n"));
	cfg = load_ok(conf);
	assert_int_equal(cfg->billing.provisional_after, 3);
	assert_int_equal(cfg->billing.provisional_minutes, 15);
	assert_int_equal(cfg->billing.provisional_bytes, 20000000);
	assert_string_equal(cfg->radius.host, "radius.example.net");
	assert_int_equal(cfg->radius.port, 1812);
	assert_string_equal(cfg->radius.acct_host, "2001:db8::1");
	assert_int_equal(cfg->radius.acct_port, 1646);
	assert_string_equal(cfg->radius.secret_file, "/etc/wicket/radius.secret");
	assert_string_equal(cfg->radius.nas_identifier, "lobby-gw");
	assert_int_equal(cfg->radius.timeout, 4);
	assert_int_equal(cfg->radius.retries, 0);
	assert_int_equal(cfg->radius.interim, 600);
	assert_string_equal(cfg->radius.dictionary, "/usr/share/wicket/radius/dictionary.radcli");
	config_free(cfg);

	/* [radius] needs its server and secret; [billing] alone needs nothing. */
	expect_error(build("#", "#", "[port lan.101]\n[radius]\nserver = 10.0.0.9:1812\n"),
		     "t.conf:9: [radius] secret_file: required key is missing; expected the absolute path of "
		     "the file holding the RADIUS shared secret");
	cfg = load_ok(build("#", "#", "[port lan.101]\n[billing]\n"));
	config_free(cfg);
	expect_error(
		build("#", "#", "[port lan.101]\n[radius]\nserver = 10.0.0.9:0\n"),
		"t.conf:10: [radius] server: expected HOST, HOST:PORT or [IPV6]:PORT (a name or a numeric "
		"address), got \"10.0.0.9:0\"");
	expect_error(
		build("#", "#", "[port lan.101]\n[radius]\nserver = radius_1\n"),
		"t.conf:10: [radius] server: expected HOST, HOST:PORT or [IPV6]:PORT (a name or a numeric "
		"address), got \"radius_1\"");
	expect_error(
		build("#", "#", "[port lan.101]\n[radius]\nserver = [2001:db8::1\n"),
		"t.conf:10: [radius] server: expected HOST, HOST:PORT or [IPV6]:PORT (a name or a numeric "
		"address), got \"[2001:db8::1\"");
	expect_error(build("#", "#", "[port lan.101]\n[radius]\ninterim = 30\n"),
		     "t.conf:10: [radius] interim: expected 0 (none) or 60 to 86400 seconds, got \"30\"");
	expect_error(
		build("#", "#", "[port lan.101]\n[radius]\nnas_identifier = lobby gw\n"),
		"t.conf:10: [radius] nas_identifier: expected 1 to 63 printable ASCII characters without "
		"spaces, got \"lobby gw\"");
	expect_error(build("#", "#", "[port lan.101]\n[billing]\nprovisional_after = 0\n"),
		     "t.conf:10: [billing] provisional_after: expected a number from 1 to 120, got \"0\"");
	expect_error(
		build("#", "#", "[port lan.101]\n[billing]\nprovisional_mb = 100001\n"),
		"t.conf:10: [billing] provisional_mb: expected a number from 1 to 100000, got \"100001\"");
	expect_error(build("#", "#", "[port lan.101]\n[billing]\n[billing]\n"),
		     "t.conf:10: [billing]: duplicated section, first on line 9");
}

/* [metrics]: on at 127.0.0.1:9188 for loopback by default; listen, off, allow lists. */
static void metrics_section(void **state)
{
	struct wicket_config *cfg;
	const struct sockaddr_in6 *sin6;
	static const uint8_t v6[16] = { 0xfd, 0, 0, 0x09 };

	(void)state;
	cfg = load_ok(build("#", "#", "[port lan.101]\n"));
	assert_true(cfg->metrics.enabled);
	assert_string_equal(cfg->metrics.listen.host, "127.0.0.1");
	assert_int_equal(cfg->metrics.listen.port, 9188);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&cfg->metrics.listen.addr)->sin_port), 9188);
	assert_int_equal(cfg->metrics.nallow, 2);
	assert_int_equal(cfg->metrics.allow[0].family, AF_INET);
	assert_int_equal(cfg->metrics.allow[0].addr[0], 127);
	assert_int_equal(cfg->metrics.allow[0].len, 8);
	assert_int_equal(cfg->metrics.allow[1].family, AF_INET6);
	assert_int_equal(cfg->metrics.allow[1].addr[15], 1);
	assert_int_equal(cfg->metrics.allow[1].len, 128);
	config_free(cfg);

	cfg = load_ok(build("#", "#",
			    "[port lan.101]\n[metrics]\nlisten = [fd00:9::1]:9100\n"
			    "allow = 10.9.0.0/24,fd00:9::/48  192.0.2.7\n"));
	assert_true(cfg->metrics.enabled);
	assert_string_equal(cfg->metrics.listen.host, "fd00:9::1");
	sin6 = (const struct sockaddr_in6 *)&cfg->metrics.listen.addr;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 9100);
	assert_int_equal(cfg->metrics.nallow, 3);
	assert_int_equal(cfg->metrics.allow[0].len, 24);
	assert_int_equal(cfg->metrics.allow[1].family, AF_INET6);
	assert_memory_equal(cfg->metrics.allow[1].addr, v6, 16);
	assert_int_equal(cfg->metrics.allow[1].len, 48);
	assert_int_equal(cfg->metrics.allow[2].len, 32);
	config_free(cfg);

	cfg = load_ok(build("#", "#", "[port lan.101]\n[metrics]\nlisten = off\n"));
	assert_false(cfg->metrics.enabled);
	config_free(cfg);

	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nlisten = localhost:9188\n"),
		     "t.conf:10: [metrics] listen: expected a numeric IPV4:PORT or [IPV6]:PORT (e.g. "
		     "10.0.0.1:8080), got \"localhost:9188\"");
	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nlisten = 10.0.0.1:0\n"),
		     "t.conf:10: [metrics] listen: expected a port from 1 to 65535 after the address, got "
		     "\"10.0.0.1:0\"");
	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nallow = 10.9.0.1/24\n"),
		     "t.conf:10: [metrics] allow: expected ADDRESS or ADDRESS/LEN with no bits set past LEN "
		     "(e.g. 10.9.0.0/24), got \"10.9.0.1/24\"");
	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nallow = 10.9.0.0/33\n"),
		     "t.conf:10: [metrics] allow: expected ADDRESS or ADDRESS/LEN with no bits set past LEN "
		     "(e.g. 10.9.0.0/24), got \"10.9.0.0/33\"");
	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nallow = 10.9.0.0/\n"),
		     "t.conf:10: [metrics] allow: expected ADDRESS or ADDRESS/LEN with no bits set past LEN "
		     "(e.g. 10.9.0.0/24), got \"10.9.0.0/\"");
	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nallow = , ,\n"),
		     "t.conf:10: [metrics] allow: expected at least one address or prefix");
	expect_error(
		build("#", "#",
		      "[port lan.101]\n[metrics]\nallow = 1.0.0.1 1.0.0.2 1.0.0.3 1.0.0.4 1.0.0.5 1.0.0.6 "
		      "1.0.0.7 1.0.0.8 1.0.0.9 1.0.0.10 1.0.0.11 1.0.0.12 1.0.0.13 1.0.0.14 1.0.0.15 "
		      "1.0.0.16 1.0.0.17\n"),
		"t.conf:10: [metrics] allow: expected at most 16 addresses or prefixes");
	expect_error(build("#", "#", "[port lan.101]\n[metrics]\nport = 9188\n"),
		     "t.conf:10: [metrics] port: unknown key; expected listen or allow");
}

static void portal_keys(void **state)
{
	struct wicket_config *cfg;

	(void)state;
	cfg = load_ok(build("#", "#", "[port lan.101]\n"));
	assert_int_equal(cfg->gateway.portal_tls_port, 8443);
	assert_string_equal(cfg->gateway.tls_cert, "");
	assert_string_equal(cfg->gateway.tls_dir, "/var/lib/wicket/tls");
	assert_string_equal(cfg->gateway.portal_dir, "/usr/share/wicket/portal");
	assert_string_equal(cfg->gateway.venue_url, "");
	assert_string_equal(cfg->gateway.components_dir, "");
	config_free(cfg);
	cfg = load_ok(build("portal_tls_port = 443\ntls_cert = /etc/w/p.crt\ntls_key = /etc/w/p.key\n"
			    "portal_dir = /srv/portal\nvenue_url = https://hotel.example/wifi\n"
			    "components_dir = /etc/wicket/components",
			    "#", "[port lan.101]\n"));
	assert_int_equal(cfg->gateway.portal_tls_port, 443);
	assert_string_equal(cfg->gateway.tls_cert, "/etc/w/p.crt");
	assert_string_equal(cfg->gateway.tls_key, "/etc/w/p.key");
	assert_string_equal(cfg->gateway.portal_dir, "/srv/portal");
	assert_string_equal(cfg->gateway.venue_url, "https://hotel.example/wifi");
	assert_string_equal(cfg->gateway.components_dir, "/etc/wicket/components");
	config_free(cfg);
	expect_error(
		build("tls_cert = /etc/w/p.crt", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] tls_cert: give tls_cert and tls_key together, or neither (a pair is "
		"then made in tls_dir)");
	expect_error(
		build("portal_tls_port = 8080", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] portal_tls_port: must differ from the portal's plain HTTP port 8080");
	expect_error(build("components_dir = components", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] components_dir: expected an absolute path (starting with '/'), got "
		     "\"components\"");
	expect_error(build("components_dir = /a\ncomponents_dir = /b", "#", "[port lan.101]\n"),
		     "t.conf:3: [gateway] components_dir: duplicated key, first set on line 2");
	expect_error(build("venue_url = ftp://x", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] venue_url: expected an http:// or https:// URL of at most 255 "
		     "characters "
		     "without spaces or quotes, got \"ftp://x\"");
}

static void syntax_error_names_its_line(void **state)
{
	(void)state;
	expect_error(build("#", "interval 30", "[port lan.101]\n"),
		     "t.conf:6: expected \"key = value\", \"[section]\" or a comment, got \"interval 30\"");
	/* the first error wins, whether it is inih's or ours */
	expect_error(build("nonsense", "interval = 1", "[port lan.101]\n"),
		     "t.conf:2: expected \"key = value\", \"[section]\" or a comment, got \"nonsense\"");
	expect_error(build("dns_port = 0", "nonsense", "[port lan.101]\n"),
		     "t.conf:2: [gateway] dns_port: expected a number from 1 to 65535, got \"0\"");
}

static void duplicated_key(void **state)
{
	(void)state;
	expect_error(build("upstream = wan1", "#", "[port lan.101]\n"),
		     "t.conf:4: [gateway] upstream: duplicated key, first set on line 2");
	expect_error(build("#", "secret_file = /a", "[port lan.101]\n"),
		     "t.conf:7: [keepalive] secret_file: duplicated key, first set on line 6");
	expect_error(build("#", "#", "[port lan.101]\nroom = 1\nmode = free\nroom = 2\n"),
		     "t.conf:11: [port lan.101] room: duplicated key, first set on line 9");
	/* the same key in two ports is no duplicate */
	config_free(load_ok(build("#", "#", "[port lan.101]\nroom = 1\n[port lan.102]\nroom = 1\n")));
}

static void duplicated_section(void **state)
{
	(void)state;
	expect_error(build("#", "#", "[port lan.101]\n[gateway]\ndns_port = 54\n"),
		     "t.conf:9: [gateway]: duplicated section, first on line 1");
	expect_error(build("#", "#", "[keepalive]\n"),
		     "t.conf:8: [keepalive]: duplicated section, first on line 5");
}

static void duplicated_port(void **state)
{
	(void)state;
	expect_error(build("#", "#", "[port lan.101]\n[port lan.102]\n[port lan.101]\nmode = free\n"),
		     "t.conf:10: [port lan.101]: duplicated port, first on line 8");
}

static void missing_required_key(void **state)
{
	(void)state;
	expect_error(
		"[gateway]\nupstream = wan0\n[keepalive]\nsecret_file = /k\n[port lan.101]\n",
		"t.conf:1: [gateway] portal: required key is missing; expected the address:port where the "
		"portal listens, e.g. 10.0.0.1:8080");
	expect_error(
		"[keepalive]\nsecret_file = /k\n[gateway]\nportal = 10.0.0.1:80\n[port lan.101]\n",
		"t.conf:3: [gateway] upstream: required key is missing; expected the name of the upstream "
		"(WAN) interface");
	expect_error(
		"[gateway]\nportal = 10.0.0.1:80\nupstream = wan0\n[keepalive]\n[port lan.101]\n",
		"t.conf:4: [keepalive] secret_file: required key is missing; expected the absolute path of "
		"the file holding the keepalive key");
	expect_error("[gateway]\nportal = 10.0.0.1:80\nupstream = wan0\n[port lan.101]\n",
		     "t.conf: [keepalive] secret_file: required key is missing (there is no [keepalive] "
		     "section); expected the absolute path of the file holding the keepalive key");
	expect_error("", "t.conf: [gateway] portal: required key is missing (there is no [gateway] section); "
			 "expected the address:port where the portal listens, e.g. 10.0.0.1:8080");
}

static void no_ports_at_all(void **state)
{
	(void)state;
	expect_error(build("#", "#", ""),
		     "t.conf: no [port IFNAME] section; expected at least one access port");
	expect_error(build("#", "#", "; [port lan.101]\n"),
		     "t.conf: no [port IFNAME] section; expected at least one access port");
}

static void upstream_may_not_be_a_port(void **state)
{
	(void)state;
	/* the port after the upstream key */
	expect_error(build("#", "#", "[port lan.101]\n[port wan0]\n"),
		     "t.conf:9: [port wan0]: wan0 is the upstream interface ([gateway] upstream, line 4); an "
		     "access port must be on the guests' side");
	/* the upstream key after the port */
	expect_error("[port eth1]\n[port eth2]\n[gateway]\nportal = 10.0.0.1:80\nupstream = eth2\n",
		     "t.conf:5: [gateway] upstream: eth2 is also an access port ([port eth2], line 2); the "
		     "upstream interface may not be one");
}

static void bad_mode(void **state)
{
	(void)state;
	expect_error(build("#", "#", "[port lan.101]\nmode = paid\n"),
		     "t.conf:9: [port lan.101] mode: expected charge, free or blocked, got \"paid\"");
	expect_error(build("#", "#", "[port lan.101]\nmode = Charge\n"),
		     "t.conf:9: [port lan.101] mode: expected charge, free or blocked, got \"Charge\"");
	expect_error(build("#", "#", "[port lan.101]\nmode =\n"),
		     "t.conf:9: [port lan.101] mode: expected charge, free or blocked, got \"\"");
}

static void bad_mark(void **state)
{
	struct wicket_config *cfg;

	(void)state;
	expect_error(build("mark = 0x1000000/0x800000", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: value 0x1000000 has bits outside mask 0x800000; expected a "
		     "VALUE within MASK");
	expect_error(build("mark = 0x1/0", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: the mask is zero; expected a non-zero MASK, got \"0x1/0\"");
	expect_error(
		build("mark = 0/0xff", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] mark: the value is zero, which every unmarked packet has; expected a "
		"non-zero VALUE within MASK, got \"0/0xff\"");
	expect_error(build("mark = captive", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: expected VALUE/MASK, two 32-bit numbers in decimal or 0x-hex "
		     "(e.g. 0x800000/0x800000), got \"captive\"");
	expect_error(build("mark = 0x800000", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: expected VALUE/MASK, two 32-bit numbers in decimal or 0x-hex "
		     "(e.g. 0x800000/0x800000), got \"0x800000\"");
	expect_error(build("mark = 0x1/0x100000000", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: expected VALUE/MASK, two 32-bit numbers in decimal or 0x-hex "
		     "(e.g. 0x800000/0x800000), got \"0x1/0x100000000\"");
	expect_error(build("mark = 0x/0x1", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: expected VALUE/MASK, two 32-bit numbers in decimal or 0x-hex "
		     "(e.g. 0x800000/0x800000), got \"0x/0x1\"");
	expect_error(build("mark = 1/-1", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] mark: expected VALUE/MASK, two 32-bit numbers in decimal or 0x-hex "
		     "(e.g. 0x800000/0x800000), got \"1/-1\"");
	cfg = load_ok(build("mark = 256/0xFFFFFFFF", "#", "[port lan.101]\n"));
	assert_int_equal(cfg->gateway.mark, 256);
	assert_int_equal(cfg->gateway.mark_mask, 0xffffffff);
	config_free(cfg);
}

static void relative_and_bad_paths(void **state)
{
	char gw[200];

	(void)state;
	expect_error(build("store = wicket.db", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] store: expected an absolute path (starting with '/'), got "
		     "\"wicket.db\"");
	expect_error(build("control_socket = run/ctl.sock", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] control_socket: expected an absolute path (starting with '/'), got "
		     "\"run/ctl.sock\"");
	expect_error(build("#", "secret_file = ./keepalive.key", "[port lan.101]\n"),
		     "t.conf:6: [keepalive] secret_file: expected an absolute path (starting with '/'), got "
		     "\"./keepalive.key\"");
	expect_error(build("store =", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] store: expected an absolute path (starting with '/'), got \"\"");
	expect_error(build("store = /var/lib/wicket/", "#", "[port lan.101]\n"),
		     "t.conf:2: [gateway] store: expected the path of a file, not of a directory, got "
		     "\"/var/lib/wicket/\"");
	/* a UNIX socket's path fits in sun_path: 107 characters */
	snprintf(gw, sizeof(gw), "control_socket = /%0107d", 0);
	expect_error(
		build(gw, "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] control_socket: expected a path of at most 107 characters, got 108");
	snprintf(gw, sizeof(gw), "control_socket = /%0106d", 0);
	config_free(load_ok(build(gw, "#", "[port lan.101]\n")));
}

static void bad_interface_names(void **state)
{
	(void)state;
	expect_error(
		build("#", "#", "[port lan.0123456789ab]\n"),
		"t.conf:8: [port IFNAME]: interface name \"lan.0123456789ab\" is longer than 15 characters; "
		"expected 1 to 15 printable ASCII characters without whitespace, '/' or ':'");
	expect_error(build("#", "#", "[port lan/101]\n"),
		     "t.conf:8: [port IFNAME]: interface name \"lan/101\" contains '/'; expected 1 to 15 "
		     "printable "
		     "ASCII characters without whitespace, '/' or ':'");
	expect_error(
		build("#", "#", "[port lan:1]\n"),
		"t.conf:8: [port IFNAME]: interface name \"lan:1\" contains ':'; expected 1 to 15 printable "
		"ASCII characters without whitespace, '/' or ':'");
	expect_error(
		build("#", "#", "[port lan 101]\n"),
		"t.conf:8: [port IFNAME]: interface name \"lan 101\" contains whitespace; expected 1 to 15 "
		"printable ASCII characters without whitespace, '/' or ':'");
	expect_error(
		build("#", "#", "[port ..]\n"),
		"t.conf:8: [port IFNAME]: interface name \"..\" may not be \".\" or \"..\"; expected 1 to 15 "
		"printable ASCII characters without whitespace, '/' or ':'");
	expect_error(
		build("#", "#", "[port]\n"),
		"t.conf:8: [port IFNAME]: interface name \"\" is empty; expected 1 to 15 printable ASCII "
		"characters without whitespace, '/' or ':'");
	expect_error(build("#", "#", "[port lan.\xc3\xa9]\n"),
		     "t.conf:8: [port IFNAME]: interface name \"lan.\\xc3\\xa9\" contains a byte that is not "
		     "printable ASCII; expected 1 to 15 printable ASCII characters without whitespace, '/' "
		     "or ':'");
	expect_error(
		"[gateway]\nupstream = wan0.0123456789a\n",
		"t.conf:2: [gateway] upstream: interface name \"wan0.0123456789a\" is longer than 15 "
		"characters; expected 1 to 15 printable ASCII characters without whitespace, '/' or ':'");
	expect_error("[gateway]\nupstream = ../wan\n",
		     "t.conf:2: [gateway] upstream: interface name \"../wan\" contains '/'; expected 1 to 15 "
		     "printable ASCII characters without whitespace, '/' or ':'");
	/* 15 characters is the longest name */
	config_free(load_ok(build("#", "#", "[port lan.0123456789a]\n")));
}

static void bad_portal(void **state)
{
	(void)state;
	expect_error("[gateway]\nportal = 10.0.0.1\n",
		     "t.conf:2: [gateway] portal: expected a numeric IPV4:PORT or "
		     "[IPV6]:PORT (e.g. 10.0.0.1:8080), got \"10.0.0.1\"");
	expect_error("[gateway]\nportal = gateway.local:80\n",
		     "t.conf:2: [gateway] portal: expected a numeric IPV4:PORT or [IPV6]:PORT (e.g. "
		     "10.0.0.1:8080), got \"gateway.local:80\"");
	expect_error("[gateway]\nportal = 10.0.0.256:80\n",
		     "t.conf:2: [gateway] portal: expected a numeric IPV4:PORT or [IPV6]:PORT (e.g. "
		     "10.0.0.1:8080), got \"10.0.0.256:80\"");
	expect_error("[gateway]\nportal = fd00::1:80\n",
		     "t.conf:2: [gateway] portal: expected an IPv6 address in brackets, [ADDRESS]:PORT (e.g. "
		     "[fd00::1]:8080), got \"fd00::1:80\"");
	expect_error("[gateway]\nportal = [10.0.0.1]:80\n",
		     "t.conf:2: [gateway] portal: expected a numeric IPV4:PORT or [IPV6]:PORT (e.g. "
		     "10.0.0.1:8080), got \"[10.0.0.1]:80\"");
	expect_error("[gateway]\nportal = 10.0.0.1:0\n",
		     "t.conf:2: [gateway] portal: expected a port from 1 to 65535 after the address, got "
		     "\"10.0.0.1:0\"");
	expect_error("[gateway]\nportal = [::1]:http\n",
		     "t.conf:2: [gateway] portal: expected a port from 1 to 65535 after the address, got "
		     "\"[::1]:http\"");
	expect_error("[gateway]\nportal = :80\n",
		     "t.conf:2: [gateway] portal: expected a numeric IPV4:PORT or "
		     "[IPV6]:PORT (e.g. 10.0.0.1:8080), got \":80\"");
}

static void bad_staff_group(void **state)
{
	(void)state;
	expect_error(
		build("staff_group = -staff", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] staff_group: expected a group name of 1 to 32 letters, digits, '.', "
		"'_' or '-', not starting with '-', got \"-staff\"");
	expect_error(
		build("staff_group = front desk", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] staff_group: expected a group name of 1 to 32 letters, digits, '.', "
		"'_' or '-', not starting with '-', got \"front desk\"");
	expect_error(
		build("staff_group = abcdefghijabcdefghijabcdefghijabc", "#", "[port lan.101]\n"),
		"t.conf:2: [gateway] staff_group: expected a group name of 1 to 32 letters, digits, '.', "
		"'_' or '-', not starting with '-', got \"abcdefghijabcdefghijabcdefghijabc\"");
}

static void bad_room(void **state)
{
	char ports[128];

	(void)state;
	snprintf(ports, sizeof(ports), "[port lan.101]\nroom = %065d\n", 0);
	expect_error(build("#", "#", ports),
		     "t.conf:9: [port lan.101] room: expected a label of 1 to 64 bytes, got 65 bytes");
	snprintf(ports, sizeof(ports), "[port lan.101]\nroom = %064d\n", 0);
	config_free(load_ok(build("#", "#", ports)));
	expect_error(build("#", "#", "[port lan.101]\nroom =\n"),
		     "t.conf:9: [port lan.101] room: expected a label of 1 to 64 bytes, got 0 bytes");
	expect_error(build("#", "#", "[port lan.101]\nroom = a\x01z\n"),
		     "t.conf:9: [port lan.101] room: expected printable UTF-8 text, got \"a\\x01z\"");
	/* Latin-1, not UTF-8 */
	expect_error(build("#", "#", "[port lan.101]\nroom = caf\xe9\n"),
		     "t.conf:9: [port lan.101] room: expected printable UTF-8 text, got \"caf\\xe9\"");
	/* an overlong '/' */
	expect_error(build("#", "#", "[port lan.101]\nroom = \xc0\xaf\n"),
		     "t.conf:9: [port lan.101] room: expected printable UTF-8 text, got \"\\xc0\\xaf\"");
}

static void long_line_is_refused_not_split(void **state)
{
	char gw[300];

	(void)state;
	snprintf(gw, sizeof(gw), "store = /%0250d", 0);
	expect_error(build(gw, "#", "[port lan.101]\n"),
		     "t.conf:2: line too long: 259 characters, expected at most 199");
}

static void nul_byte_in_a_file_is_refused(void **state)
{
	char path[] = "/tmp/test_config.XXXXXX";
	static const char conf[] = "[gateway]\nportal = 10.0.0.1:80\0junk\n";
	struct wicket_config *cfg = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, conf, sizeof(conf) - 1), sizeof(conf) - 1);
	close(fd);
	assert_int_equal(config_load_file(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_null(cfg);
	unlink(path);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_string_equal(err + strlen(path), ":2: expected text, got a NUL byte");
}

static void too_many_ports(void **state)
{
	size_t size = 512 + (CONFIG_MAX_PORTS + 1) * 16, n, i;
	char *conf = malloc(size);
	struct wicket_config *cfg = NULL;
	char expected[128];

	(void)state;
	assert_non_null(conf);
	n = (size_t)snprintf(conf, size, "%s", build("#", "#", ""));
	/* in reverse order, so that sorting has work to do */
	for (i = CONFIG_MAX_PORTS; i > 0; i--)
		n += (size_t)snprintf(conf + n, size - n, "[port p%zu]\n", i);
	cfg = load_ok(conf);
	assert_int_equal(cfg->nports, CONFIG_MAX_PORTS);
	for (i = 1; i < cfg->nports; i++)
		assert_true(strcmp(cfg->ports[i - 1].ifname, cfg->ports[i].ifname) < 0);
	assert_int_equal(config_port(cfg, "p1")->line, PORTS_LINE + CONFIG_MAX_PORTS - 1);
	assert_int_equal(config_port(cfg, "p4096")->line, PORTS_LINE);
	assert_null(config_port(cfg, "p4097"));
	config_free(cfg);
	cfg = NULL;

	snprintf(conf + n, size - n, "[port p0]\n");
	snprintf(expected, sizeof(expected),
		 "t.conf:%d: [port p0]: too many ports; expected at most 4096 [port ...] sections",
		 PORTS_LINE + CONFIG_MAX_PORTS);
	expect_error(conf, expected);
	free(conf);
}

static void file_that_cannot_be_opened(void **state)
{
	struct wicket_config *cfg = NULL;

	(void)state;
	assert_int_equal(config_load_file("/nonexistent/wicketd.conf", &cfg, err, sizeof(err)), -ENOENT);
	assert_null(cfg);
	assert_string_equal(err, "/nonexistent/wicketd.conf: cannot open: No such file or directory");
	assert_int_equal(config_load_file("/tmp", &cfg, err, sizeof(err)), -EISDIR);
	assert_null(cfg);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
}

static void file_is_loaded_and_named_in_errors(void **state)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct wicket_config *cfg = NULL;
	const char *conf = build("#", "misses = 7", "[port lan.101]\n");
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(conf, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(config_load_file(path, &cfg, err, sizeof(err)), 0);
	assert_non_null(cfg);
	assert_int_equal(cfg->keepalive.misses, 7);
	config_free(cfg);

	f = fopen(path, "a");
	assert_non_null(f);
	fputs("mode = sometimes\n", f);
	assert_int_equal(fclose(f), 0);
	cfg = NULL;
	assert_int_equal(config_load_file(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_null(cfg);
	unlink(path);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_string_equal(err + strlen(path),
			    ":9: [port lan.101] mode: expected charge, free or blocked, got "
			    "\"sometimes\"");
}

/* A reload that fails keeps the running config: *out is only written on success. */
static void failed_load_leaves_out_untouched(void **state)
{
	struct wicket_config *running, *cfg;

	(void)state;
	running = load_ok(build("#", "misses = 9", "[port lan.101]\n"));
	cfg = running;
	assert_int_equal(config_load_string(build("#", "misses = 900", "[port lan.101]\n"), "t.conf", &cfg,
					    err, sizeof(err)),
			 -EINVAL);
	assert_ptr_equal(cfg, running);
	assert_int_equal(cfg->keepalive.misses, 9);
	assert_int_equal(config_load_file("/nonexistent/wicketd.conf", &cfg, err, sizeof(err)), -ENOENT);
	assert_ptr_equal(cfg, running);
	/* an error late in the file, after values that parsed */
	assert_int_equal(
		config_load_string(build("dns_port = 99", "misses = 4", "[port lan.101]\nmode = x\n"),
				   "t.conf", &cfg, err, sizeof(err)),
		-EINVAL);
	assert_ptr_equal(cfg, running);
	assert_int_equal(cfg->gateway.dns_port, 53);
	assert_int_equal(cfg->keepalive.misses, 9);

	/* success swaps */
	assert_int_equal(config_load_string(build("#", "misses = 4", "[port lan.101]\n"), "t.conf", &cfg, err,
					    sizeof(err)),
			 0);
	assert_ptr_not_equal(cfg, running);
	assert_int_equal(cfg->keepalive.misses, 4);
	assert_int_equal(running->keepalive.misses, 9);
	config_free(running);
	config_free(cfg);
}

/* A reload keeps the running [radius], all but interim, and says whether it differed. */
static void reload_keeps_radius(void **state)
{
	static char with[sizeof(text) + 256];
	struct wicket_config *running, *same, *other, *none;

	(void)state;
	snprintf(with, sizeof(with), "%s[radius]\nserver = radius.example.net\nsecret_file = /etc/r.secret\n",
		 build("#", "#", "[port lan.101]\n"));
	running = load_ok(with);
	snprintf(with, sizeof(with),
		 "%s[radius]\nserver = radius.example.net\nsecret_file = /etc/r.secret\ninterim = 300\n",
		 build("#", "#", "[port lan.101]\n"));
	same = load_ok(with);
	assert_int_equal(config_keep_radius(running, same), 0);
	assert_int_equal(same->radius.interim, 300);
	snprintf(with, sizeof(with),
		 "%s[radius]\nserver = other.example.net:1645\nsecret_file = /etc/r.secret\n",
		 build("#", "#", "[port lan.101]\n"));
	other = load_ok(with);
	assert_int_equal(config_keep_radius(running, other), 1);
	assert_string_equal(other->radius.host, "radius.example.net");
	assert_int_equal(other->radius.port, 1812);
	/* A [radius] removed by the reload stays too, and one added waits. */
	none = load_ok(build("#", "#", "[port lan.101]\n"));
	assert_int_equal(config_keep_radius(running, none), 1);
	assert_string_equal(none->radius.host, "radius.example.net");
	config_free(none);
	none = load_ok(build("#", "#", "[port lan.101]\n"));
	assert_int_equal(config_keep_radius(none, running), 1);
	assert_string_equal(running->radius.host, "");
	config_free(running);
	config_free(same);
	config_free(other);
	config_free(none);
}

static void small_or_no_error_buffer(void **state)
{
	struct wicket_config *cfg = NULL;
	char small[12];

	(void)state;
	assert_int_equal(config_load_string("[x]\n", "t.conf", &cfg, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "t.conf:1: u");
	assert_int_equal(config_load_string("[x]\n", "t.conf", &cfg, NULL, 0), -EINVAL);
	assert_null(cfg);
	config_free(NULL);
}

static void long_values_are_cut_in_messages(void **state)
{
	char gw[200], expected[256];
	int n;

	(void)state;
	snprintf(gw, sizeof(gw), "dns_port = %0150d", 70000);
	/* the first 87 characters of the value, then "..." */
	n = snprintf(expected, sizeof(expected),
		     "t.conf:2: [gateway] dns_port: expected a number from 1 to 65535, got \"");
	memset(expected + n, '0', 87);
	strcpy(expected + n + 87, "...\"");
	expect_error(build(gw, "#", "[port lan.101]\n"), expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(complete_config_with_two_ports),
		cmocka_unit_test(defaults_fill_optional_keys),
		cmocka_unit_test(layout_comments_and_crlf_are_accepted),
		cmocka_unit_test(mode_names),
		cmocka_unit_test(bad_number),
		cmocka_unit_test(number_out_of_range),
		cmocka_unit_test(limits_of_ranges_are_accepted),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(unknown_section),
		cmocka_unit_test(billing_and_radius_sections),
		cmocka_unit_test(portal_keys),
		cmocka_unit_test(metrics_section),
		cmocka_unit_test(syntax_error_names_its_line),
		cmocka_unit_test(duplicated_key),
		cmocka_unit_test(duplicated_section),
		cmocka_unit_test(duplicated_port),
		cmocka_unit_test(missing_required_key),
		cmocka_unit_test(no_ports_at_all),
		cmocka_unit_test(upstream_may_not_be_a_port),
		cmocka_unit_test(bad_mode),
		cmocka_unit_test(bad_mark),
		cmocka_unit_test(relative_and_bad_paths),
		cmocka_unit_test(bad_interface_names),
		cmocka_unit_test(bad_portal),
		cmocka_unit_test(bad_staff_group),
		cmocka_unit_test(bad_room),
		cmocka_unit_test(long_line_is_refused_not_split),
		cmocka_unit_test(nul_byte_in_a_file_is_refused),
		cmocka_unit_test(too_many_ports),
		cmocka_unit_test(file_that_cannot_be_opened),
		cmocka_unit_test(file_is_loaded_and_named_in_errors),
		cmocka_unit_test(failed_load_leaves_out_untouched),
		cmocka_unit_test(reload_keeps_radius),
		cmocka_unit_test(small_or_no_error_buffer),
		cmocka_unit_test(long_values_are_cut_in_messages),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
