/*
 * `wicket-helper prepare` and `restore`: borrow the venue's network
 * settings and give the guest's own back.
 *
 * prepare saves the interface's settings and resolv.conf to RUN_DIR
 * (netconf_save; a second prepare keeps the first save), clears the
 * interface, takes a lease from the venue's DHCP with the system's own
 * client (dhcp.c), and checks the result against what the gateway's API
 * says the client should use. Any failure puts the originals back.
 * restore stops the DHCP client and puts the saved settings back exactly.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "dhcp.h"
#include "discover.h"
#include "helper.h"
#include "netconf.h"

static void forget_gateway(const struct helper_paths *p)
{
	char path[HELPER_PATH_MAX];

	if (!paths_join(path, sizeof(path), p->run_dir, "gateway"))
		unlink(path);
	if (!paths_join(path, sizeof(path), p->run_dir, DHCP_LEASE_FILE))
		unlink(path);
}

int cmd_prepare(struct helper *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dhcp-client", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *client = NULL;
	char ifname[32], saved_if[32], err[512], rerr[256];
	struct dhcp_lease_info li;
	struct gateway_info g;
	int c, ret, already;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			return helper_fail("usage: prepare [--dhcp-client dhclient|udhcpc]");
		client = optarg;
	}
	if (optind < argc)
		return helper_fail("prepare: unexpected argument '%s'", argv[optind]);
	if (client && strcmp(client, "dhclient") && strcmp(client, "udhcpc"))
		return helper_fail("--dhcp-client is dhclient or udhcpc, not '%s'", client);
	already = netconf_saved(&h->paths, saved_if, sizeof(saved_if)) == 1;
	if (already && !saved_if[0])
		return helper_fail("the saved network settings in %s are damaged: `wicket-helper restore` "
				   "says what is wrong",
				   h->paths.run_dir);
	if (already) {
		snprintf(ifname, sizeof(ifname), "%s", saved_if);
	} else if (helper_iface(h, ifname, sizeof(ifname), err, sizeof(err))) {
		return helper_fail("%s", err);
	}
	if (already && dhcp_lease_read(&h->paths, &li) == 0 && !strcmp(li.iface, ifname)) {
		printf("%s is already prepared (address %s from the venue); `wicket-helper restore` "
		       "gives back its own settings\n",
		       ifname, li.addr);
		return 0;
	}
	if (!already) {
		ret = netconf_save(&h->paths, ifname, err, sizeof(err));
		if (ret < 0)
			return helper_fail("%s", err);
		printf("saved the settings of %s in %s\n", ifname, h->paths.run_dir);
		ret = netconf_clear(ifname, err, sizeof(err));
		if (ret)
			goto undo;
	}
	ret = dhcp_obtain(&h->paths, ifname, client, err, sizeof(err));
	if (ret)
		goto undo;
	dhcp_lease_read(&h->paths, &li);
	printf("%s: address %s/%d from the venue's DHCP, router %s, DNS %s\n", ifname, li.addr, li.prefixlen,
	       li.router, li.dns);
	ret = discover(&h->paths, h->api_url, h->ca_file, &g, err, sizeof(err));
	if (ret) {
		/* The address is the venue's; the portal may still be reached by its page. */
		fprintf(stderr, "wicket-helper: prepared, but the portal was not found: %s\n", err);
		return 0;
	}
	printf("portal: %s\n", g.portal);
	return 0;
undo:
	dhcp_stop(&h->paths);
	if (!already && netconf_restore(&h->paths, rerr, sizeof(rerr)) < 0)
		fprintf(stderr, "wicket-helper: and the original settings could not be put back: %s\n", rerr);
	forget_gateway(&h->paths);
	return helper_fail("%s%s", err, already ? "" : " (the original settings are back)");
}

int cmd_restore(struct helper *h, int argc, char **argv)
{
	char ifname[32], err[512];
	int ret;

	(void)argv;
	if (argc > 1)
		return helper_fail("restore takes no arguments");
	if (netconf_saved(&h->paths, ifname, sizeof(ifname)) != 1) {
		if (!h->json)
			printf("nothing to restore: the network settings were not changed by the helper\n");
		return 0;
	}
	dhcp_stop(&h->paths);
	ret = netconf_restore(&h->paths, err, sizeof(err));
	if (ret < 0)
		return helper_fail("%s", err);
	forget_gateway(&h->paths);
	printf("restored the original settings of %s\n", ifname);
	return 0;
}
