/*
 * wicket-helper's directories: see paths.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static void set(char *dst, const char *env, const char *def)
{
	const char *v = getenv(env);

	snprintf(dst, HELPER_PATH_MAX, "%s", v && *v ? v : def);
}

void paths_init(struct helper_paths *p)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR"), *home = getenv("HOME");
	char run[HELPER_PATH_MAX] = HELPER_SYSTEM_RUN_DIR, state[HELPER_PATH_MAX] = "/var/lib/wicket-helper";

	/* A guest's own account (the keepalive user unit) keeps its session in its own places. */
	if (geteuid() != 0) {
		if (runtime && *runtime)
			snprintf(run, sizeof(run), "%s/wicket-helper", runtime);
		if (home && *home)
			snprintf(state, sizeof(state), "%s/.local/state/wicket-helper", home);
	}
	set(p->run_dir, "WICKET_HELPER_RUN_DIR", run);
	set(p->state_dir, "WICKET_HELPER_STATE_DIR", state);
	set(p->resolv_conf, "WICKET_HELPER_RESOLV_CONF", "/etc/resolv.conf");
}

int paths_join(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int paths_mkdir(const char *dir)
{
	char buf[HELPER_PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}
