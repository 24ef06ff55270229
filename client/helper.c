/*
 * wicket-helper: the guest's captive helper. A dispatcher over a table of
 * subcommands, in the style of wg(8); each command lives in the file of
 * its concern (check.c, prepare.c, update_cmd.c, login.c,
 * keepalive_loop.c).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "api.h"
#include "dhcp.h"
#include "discover.h"
#include "helper.h"
#include "netconf.h"
#include "update.h"

struct command {
	const char *name;
	int (*run)(struct helper *h, int argc, char **argv);
	const char *help;
};

int helper_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wicket-helper: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 1;
}

int helper_api(struct helper *h, struct api **a, struct gateway_info *g, char *err, size_t errlen)
{
	char ca[HELPER_PATH_MAX];
	const char *ca_file = h->ca_file;
	int ret = discover_cached(&h->paths, h->api_url, h->ca_file, g, err, errlen);

	if (ret)
		return ret;
	/* The venue's CA, once `update` installed it, is a firmer trust than a pin. */
	if (!ca_file && update_installed_path(&h->paths, "ca.crt", ca, sizeof(ca)) == 0)
		ca_file = ca;
	return api_open(a, &h->paths, g->origin, ca_file, err, errlen);
}

int helper_iface(struct helper *h, char *ifname, size_t len, char *err, size_t errlen)
{
	char gw[64];
	struct if_nameindex *all, *i;

	if (h->iface) {
		if (!if_nametoindex(h->iface)) {
			snprintf(err, errlen, "there is no interface '%s'", h->iface);
			return -ENODEV;
		}
		snprintf(ifname, len, "%s", h->iface);
		return 0;
	}
	if (netconf_default_route(AF_INET, ifname, len, gw, sizeof(gw)) == 0)
		return 0;
	/* No default route: the one interface that is not loopback, if there is only one. */
	all = if_nameindex();
	ifname[0] = '\0';
	for (i = all; i && i->if_index; i++) {
		if (!strcmp(i->if_name, "lo"))
			continue;
		if (ifname[0]) {
			snprintf(err, errlen,
				 "several interfaces and no default route: say which with "
				 "--iface");
			if_freenameindex(all);
			return -EINVAL;
		}
		snprintf(ifname, len, "%s", i->if_name);
	}
	if (all)
		if_freenameindex(all);
	if (!ifname[0]) {
		snprintf(err, errlen, "no network interface to use");
		return -ENODEV;
	}
	return 0;
}

static int cmd_version(struct helper *h, int argc, char **argv)
{
	(void)h;
	(void)argv;
	if (argc > 1)
		return helper_fail("version takes no arguments");
	printf("wicket-helper %s\n", WICKET_RELEASE);
	return 0;
}

int cmd_discover(struct helper *h, int argc, char **argv)
{
	struct gateway_info g;
	char err[512];

	(void)argv;
	if (argc > 1)
		return helper_fail("discover takes no arguments");
	if (discover(&h->paths, h->api_url, h->ca_file, &g, err, sizeof(err)))
		return helper_fail("%s", err);
	if (h->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "portal", g.portal, "api", g.captive_url,
				      "origin", g.origin, "source", g.source, "captive", g.captive);

		json_dumpf(o, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(o);
	} else {
		printf("portal: %s\napi: %s\nfound by: %s\n%s\n", g.portal, g.captive_url, g.source,
		       g.captive ? "this device is captive: `wicket-helper plans` shows how to get online"
				 : "this device is online");
	}
	return 0;
}

static const struct command commands[] = {
	{ "discover", cmd_discover, "find the venue's gateway and portal" },
	{ "check", cmd_check, "tell whether this machine's network settings fit the venue" },
	{ "prepare", cmd_prepare, "save the network settings and take the venue's" },
	{ "restore", cmd_restore, "put the saved network settings back" },
	{ "update", cmd_update, "install the gateway's signed components (--rollback: undo)" },
	{ "plans", cmd_plans, "list the ways to get online here" },
	{ "login", cmd_login, "buy a plan: --plan P --method M [credentials] [--stay]" },
	{ "status", cmd_status, "show the session: state, time and data left, charge" },
	{ "keepalive", cmd_keepalive, "keep the session alive until it ends (foreground)" },
	{ "logout", cmd_logout, "end the session and restore the network settings" },
	{ "version", cmd_version, "show the helper's version" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: wicket-helper [--iface IF] [--api URL] [--ca FILE] [--json]\n"
		     "                     [--run-dir DIR] [--state-dir DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\noptions (before the command):\n"
		     "  --iface IF       the interface to work on (default: the default route's)\n"
		     "  --api URL        the portal API's https:// URL, skipping discovery\n"
		     "  --ca FILE        verify the gateway against this CA instead of a pinned key\n"
		     "  --json           machine-readable output\n"
		     "  --run-dir DIR    volatile state: saved settings, lease, session\n"
		     "  --state-dir DIR  persistent state: pins, installed components\n"
		     "  -h, --help       this help\n"
		     "\ncommand options:\n"
		     "  prepare [--dhcp-client dhclient|udhcpc]\n"
		     "  update [--key KEY|FILE] [--local-dir DIR]... [--dry-run]\n"
		     "  update --rollback [COMPONENT]\n"
		     "  login --plan PLAN --method METHOD [--stay]\n"
		     "        [--voucher CODE | --room ROOM --surname NAME |\n"
		     "         --account ID --secret-file FILE]\n"
		     "\nexit status: 0 done; 1 failed or a command's arguments were wrong (check: the\n"
		     "machine does not fit; keepalive: the session ended); 2 no or unknown command or\n"
		     "global option; 3 login rejected.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },   { "api", required_argument, NULL, 'a' },
		{ "ca", required_argument, NULL, 'c' },      { "json", no_argument, NULL, 'j' },
		{ "run-dir", required_argument, NULL, 'r' }, { "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct helper h = { 0 };
	int c, ret;

	/* The DHCP client's script is this program (dhcp.c), called through a wrapper. */
	if (argc > 1 && !strcmp(argv[1], "dhcp-script"))
		return dhcp_script_main(argc - 1, argv + 1);
	paths_init(&h.paths);
	/* Global options stop at the command: its own options follow it. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			h.iface = optarg;
			break;
		case 'a':
			h.api_url = optarg;
			break;
		case 'c':
			h.ca_file = optarg;
			break;
		case 'j':
			h.json = 1;
			break;
		case 'r':
			snprintf(h.paths.run_dir, sizeof(h.paths.run_dir), "%s", optarg);
			break;
		case 's':
			snprintf(h.paths.state_dir, sizeof(h.paths.state_dir), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (setenv("WICKET_HELPER_RUN_DIR", h.paths.run_dir, 1) ||
	    setenv("WICKET_HELPER_STATE_DIR", h.paths.state_dir, 1))
		return helper_fail("out of memory");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		curl_global_init(CURL_GLOBAL_DEFAULT);
		ret = commands[i].run(&h, argc - optind, argv + optind);
		curl_global_cleanup();
		return ret;
	}
	fprintf(stderr, "wicket-helper: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
