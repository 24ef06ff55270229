/*
 * The staff-only metrics endpoint (metrics_http.c): plain HTTP on
 * [metrics] listen, answering GET /metrics with the Prometheus text of
 * metrics.h to the addresses of [metrics] allow, and 403 to anyone else.
 * It is for the management network: guests never reach it (the firewall
 * takes only the portal, DNS, DHCP and keepalives from access ports, and
 * the allow list is checked again here).
 */
#ifndef WICKET_METRICS_HTTP_H
#define WICKET_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#include "config.h"

struct gateway;
struct metrics_http;

/*
 * Listen on gw->config's [metrics] listen (nothing when it is off: *out
 * NULL). The allow list is read from gw->config at each request, so a
 * reload applies to the next one. 0 or -errno with err saying what to do.
 */
int metrics_http_open(struct gateway *gw, struct metrics_http **out, char *err, size_t errlen);
void metrics_http_close(struct metrics_http *mh);

/* Whether addr is in one of the prefixes of allow. */
int metrics_allowed(const struct config_prefix *allow, size_t nallow, const struct sockaddr *addr);

#endif
