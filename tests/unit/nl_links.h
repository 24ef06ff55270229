/*
 * Links for the unit tests that build a private network namespace
 * (nl_links.c, libnl-route): a veth pair, and a link brought up.
 */
#ifndef WICKET_TEST_NL_LINKS_H
#define WICKET_TEST_NL_LINKS_H

#include <netlink/socket.h>

/* A veth pair name <-> peer; a libnl error code. */
int nl_links_veth(struct nl_sock *sock, const char *name, const char *peer);
/* Set the link up; a libnl error code. */
int nl_links_up(struct nl_sock *sock, const char *name);

#endif
