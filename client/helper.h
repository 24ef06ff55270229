/*
 * What wicket-helper's commands share (helper.c is the dispatcher; each
 * command lives in the file of its concern).
 */
#ifndef WICKET_HELPER_H
#define WICKET_HELPER_H

#include <stddef.h>

#include <jansson.h>

#include "paths.h"

struct api;
struct gateway_info;

/* The global options, before the command. */
struct helper {
	struct helper_paths paths;
	const char *api_url; /* --api: the portal API's URL, skipping discovery */
	const char *ca_file; /* --ca: verify the gateway against this CA instead of a pin */
	const char *iface; /* --iface: the interface to check and prepare */
	int json; /* --json: machine-readable output */
};

/* The gateway (found before, or now) and a client for its API; 0 or -errno with err. */
int helper_api(struct helper *h, struct api **a, struct gateway_info *g, char *err, size_t errlen);
/* The interface to work on: --iface, the default route's, or the first that is up. */
int helper_iface(struct helper *h, char *ifname, size_t len, char *err, size_t errlen);
/* Print "wicket-helper: err" and return the exit status for it (1). */
int helper_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct helper_session;
struct update_report;
/* The components' state (a dry-run update): what is missing or outdated. */
int helper_components(struct helper *h, struct update_report *rep, char *err, size_t errlen);
/*
 * GET /api/v1/status with the session's token, giving up after timeout_s
 * (0: the default): 0 with *out (an object), or -errno with err.
 */
int login_status(struct helper *h, const struct helper_session *s, long timeout_s, json_t **out, char *err,
		 size_t errlen);
/* Stop a keepalive sender running in the background (RUN_DIR/keepalive.pid); 1 if none ran. */
int keepalive_stop(const struct helper_paths *p);

int cmd_discover(struct helper *h, int argc, char **argv);
int cmd_check(struct helper *h, int argc, char **argv);
int cmd_prepare(struct helper *h, int argc, char **argv);
int cmd_restore(struct helper *h, int argc, char **argv);
int cmd_update(struct helper *h, int argc, char **argv);
int cmd_plans(struct helper *h, int argc, char **argv);
int cmd_login(struct helper *h, int argc, char **argv);
int cmd_status(struct helper *h, int argc, char **argv);
int cmd_logout(struct helper *h, int argc, char **argv);
int cmd_keepalive(struct helper *h, int argc, char **argv);

#endif
