/*
 * Where wicket-helper keeps things (paths.c). Two places, on purpose:
 *   run_dir    volatile (/run/wicket-helper): the saved original network
 *              settings, the DHCP lease it took, the session (token and
 *              keepalive key). Gone at reboot, as a borrowed network
 *              configuration should be.
 *   state_dir  persistent (/var/lib/wicket-helper): the pinned
 *              certificates and manifest key, the installed components.
 * Both are made (0755: what is secret in them, the session, is 0600) on
 * first use. For an account other than root they are
 * $XDG_RUNTIME_DIR/wicket-helper and ~/.local/state/wicket-helper, so
 * that a guest's own keepalive unit needs no privileges; such a run still
 * reads the lease root's `prepare` recorded in HELPER_SYSTEM_RUN_DIR.
 * --run-dir and --state-dir, or WICKET_HELPER_RUN_DIR and
 * WICKET_HELPER_STATE_DIR, move them (tests run several guests on one
 * machine).
 */
#ifndef WICKET_HELPER_PATHS_H
#define WICKET_HELPER_PATHS_H

#include <stddef.h>

#define HELPER_PATH_MAX 512
#define HELPER_SYSTEM_RUN_DIR "/run/wicket-helper"

struct helper_paths {
	char run_dir[HELPER_PATH_MAX];
	char state_dir[HELPER_PATH_MAX];
	char resolv_conf[HELPER_PATH_MAX]; /* /etc/resolv.conf */
};

/* Defaults, then the environment. */
void paths_init(struct helper_paths *p);
/* dir/name into out; -ENAMETOOLONG if it does not fit. */
int paths_join(char *out, size_t len, const char *dir, const char *name);
/* Make dir (and its parents) with mode 0755 if missing. 0 or -errno. */
int paths_mkdir(const char *dir);

#endif
