/*
 * wicket-dnsmasq-conf: dnsmasq's configuration for wicketd's access ports,
 * on stdout (scripts/wicket-dnsmasq runs dnsmasq with it). It reads
 * wicketd's configuration and the ports' addresses from the kernel of the
 * network namespace it runs in; it needs neither wicketd nor wicket.ko.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "dnsmasq.h"
#include "log.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: wicket-dnsmasq-conf [-c FILE]\n"
		     "  -c, --config FILE  wicketd's configuration (default " WICKET_CONFIG_PATH ")\n"
		     "Prints dnsmasq's configuration for the access ports of FILE, with the\n"
		     "addresses the ports have now.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = WICKET_CONFIG_PATH;
	struct wicket_config *cfg = NULL;
	char err[512];
	int c, ret;

	log_init("wicket-dnsmasq-conf", 0, 0);
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (config_load_file(path, &cfg, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	ret = dnsmasq_print_config(cfg, stdout, err, sizeof(err));
	if (ret)
		log_err("%s", err);
	config_free(cfg);
	return ret ? 1 : 0;
}
