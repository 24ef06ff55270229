/*
 * wicketctl: the venue staff's command line. A dispatcher over a table of
 * subcommands; every subcommand takes --json for machines.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "log.h"
#include "uapi/wicket.h"

struct options {
	int json;
};

struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct options *opt);
	const char *help;
};

static int print_json(json_t *obj)
{
	int ret = json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) ? 1 : 0;

	putchar('\n');
	json_decref(obj);
	return ret;
}

static int cmd_version(int argc, char **argv, const struct options *opt)
{
	struct kernel_version v;
	struct kernel *k;
	int err;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "wicketctl: version takes no arguments\n");
		return 2;
	}
	err = kernel_open(&k);
	if (err) {
		fprintf(stderr, "wicketctl: cannot open a netlink socket: %s\n", strerror(-err));
		return 1;
	}
	err = kernel_get_version(k, &v);
	if (opt->json) {
		json_t *o = json_pack("{s:s}", "wicketctl", WICKET_RELEASE);

		if (err)
			json_object_set_new(o, "module", json_pack("{s:s}", "error", kernel_error(k)));
		else
			json_object_set_new(o, "module",
					    json_pack("{s:s, s:I, s:I}", "release", v.release, "protocol",
						      (json_int_t)v.protocol, "protocol_min",
						      (json_int_t)v.protocol_min));
		print_json(o);
	} else {
		printf("wicketctl %s (protocol %d)\n", WICKET_RELEASE, WICKET_PROTOCOL);
		if (!err)
			printf("wicket.ko %s (protocol %u, accepts %u..%u)\n", v.release, v.protocol,
			       v.protocol_min, v.protocol);
	}
	if (err)
		fprintf(stderr, "wicketctl: %s\n", kernel_error(k));
	else if (WICKET_PROTOCOL < v.protocol_min || WICKET_PROTOCOL > v.protocol) {
		fprintf(stderr, "wicketctl: wicket.ko does not accept this wicketctl's protocol %d\n",
			WICKET_PROTOCOL);
		err = -EPROTO;
	}
	kernel_close(k);
	return err ? 1 : 0;
}

static const struct command commands[] = {
	{ "version", cmd_version, "show the versions of wicketctl and the loaded wicket.ko" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: wicketctl [--json] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options opt = { 0 };
	int c;

	log_init("wicketctl", 0, 0);
	while ((c = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt.json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(argc, argv, &opt);
	fprintf(stderr, "wicketctl: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}
