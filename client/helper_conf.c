/*
 * The helper's configuration: see helper_conf.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "helper_conf.h"
#include "paths.h"
#include "update.h"

static int entry(void *arg, const char *section, const char *name, const char *value)
{
	struct helper_conf *c = arg;

	if (!section[0] && !strcmp(name, "api"))
		snprintf(c->api, sizeof(c->api), "%s", value);
	else if (!strcmp(section, "update") && !strcmp(name, "local_dir") && value[0] &&
		 c->ndirs < HELPER_CONF_MAX_DIRS && (c->dirs[c->ndirs] = strdup(value)))
		c->ndirs++;
	return 1;
}

static void load(const char *file, struct helper_conf *c)
{
	int line = ini_parse(file, entry, c);

	if (line > 0)
		fprintf(stderr, "wicket-helper: %s: line %d is not understood; ignored\n", file, line);
}

void helper_conf_load(const struct helper_paths *p, struct helper_conf *c)
{
	const char *file = getenv("WICKET_HELPER_CONF");
	char component[HELPER_PATH_MAX];

	memset(c, 0, sizeof(*c));
	load(file && *file ? file : "/etc/wicket-helper.conf", c);
	if (update_installed_path(p, "helper.conf", component, sizeof(component)) == 0)
		load(component, c);
}

void helper_conf_free(struct helper_conf *c)
{
	for (size_t i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	c->ndirs = 0;
}
