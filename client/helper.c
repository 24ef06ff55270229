/*
 * wicket-helper: the guest's captive helper. A dispatcher over a table of
 * subcommands, in the style of wg(8).
 */
#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "wicket-helper: version takes no arguments\n");
		return 2;
	}
	printf("wicket-helper %s\n", WICKET_RELEASE);
	return 0;
}

static const struct command commands[] = {
	{ "version", cmd_version, "show the helper's version" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: wicket-helper COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "wicket-helper: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
