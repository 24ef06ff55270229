/*
 * The helper's configuration (helper_conf.c): INI, read from
 * /etc/wicket-helper.conf (or WICKET_HELPER_CONF) and then from the
 * gateway's helper.conf component once `update` installed it, so that a
 * venue configures its guests' helpers by publishing one file:
 *
 *   api = https://10.0.1.1:8443/api/v1   ; the venue's API, when no DHCP
 *                                        ; lease names it
 *   keepalive_interval = 30              ; informative: login gives the real one
 *   [update]
 *   local_dir = /media/usb/wicket        ; may be given several times
 *
 * Unknown keys are ignored (a newer gateway may publish more).
 */
#ifndef WICKET_HELPER_CONF_H
#define WICKET_HELPER_CONF_H

#include <stddef.h>

struct helper_paths;

#define HELPER_CONF_MAX_DIRS 16

struct helper_conf {
	char api[256];
	size_t ndirs;
	char *dirs[HELPER_CONF_MAX_DIRS];
};

/* Both files, the component's values after the system's; missing files are no error. */
void helper_conf_load(const struct helper_paths *p, struct helper_conf *c);
void helper_conf_free(struct helper_conf *c);

#endif
