/*
 * wicketd as its own user (privileges.c).
 *
 * With [gateway] user set, wicketd started as root becomes that user
 * before it opens anything: its bounding set is cut to CAP_NET_ADMIN
 * (wicket.ko's generic netlink family and nftables) and
 * CAP_NET_BIND_SERVICE (a portal on port 80 or 443), its groups become
 * the user's (initgroups: the staff group must be one of them for the
 * control socket to be given to it), it keeps those two capabilities and
 * nothing else, and no_new_privs is set. Every thread wicketd starts
 * afterwards inherits exactly that. Started as that user already (systemd's
 * User= with AmbientCapabilities=), the same capabilities are all it keeps.
 *
 * Afterwards the store's directory, tls_dir and the control socket's
 * directory must be writable by the user, and the config and secret files
 * readable by it: privileges_drop() checks the directories and says which
 * chown to run.
 */
#ifndef WICKET_PRIVILEGES_H
#define WICKET_PRIVILEGES_H

#include <stddef.h>

struct wicket_config;

/* Nothing to do when cfg names no user. 0, or -errno with err saying what to do. */
int privileges_drop(const struct wicket_config *cfg, char *err, size_t errlen);

#endif
