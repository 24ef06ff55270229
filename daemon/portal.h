/*
 * The portal (portal.c and portal_api.c): wicketd's web server for guests,
 * on the portal address only (the firewall keeps it off the WAN).
 *
 * - Plain HTTP on [gateway] portal's port, where the firewall sends the
 *   web traffic of captive guests: every request is answered with a
 *   redirect to the portal page over HTTPS, so that an operating system's
 *   captive-portal probe (a connectivity-check URL) sees the redirect and
 *   opens the page.
 * - HTTPS on [gateway] portal_tls_port: the page (/), the RFC 8908 Captive
 *   Portal API (/api/captive) and the client API (/api/v1/...) that the
 *   page and wicket-helper speak.
 *
 * A request's client is the guest that sends it: its source address is
 * looked up in the kernel's table, which gives its access port and MAC.
 * Requests from addresses the gateway does not know as guests get 403.
 *
 * The client API (JSON; errors are {"error": "what to do"} with a 4xx or
 * 5xx status):
 *   GET  /api/captive        RFC 8908, application/captive+json:
 *        {"captive": bool, "user-portal-url": str, "venue-info-url": str
 *        (when configured), "can-extend-session": bool,
 *        "seconds-remaining": int, "bytes-remaining": int (when limited)}
 *   GET  /api/v1/network     the settings the client should use:
 *        {"ipv4": {"method": "dhcp", "gateway": str, "dns": [str]},
 *        "ipv6": {"method": "slaac", "dns": [str]}, "proxy": "none",
 *        "mtu": int, "portal": str, "keepalive": {"port": int,
 *        "interval_s": int}}
 *   GET  /api/v1/plans       the plans offered on the client's port:
 *        [{"name", "kind", "price", "currency", "per_minute", "per_mb",
 *        "duration_s", "bytes", "methods": [str]}]
 *   POST /api/v1/login       {"plan", "method", and "voucher" | "room" and
 *        "surname" | "account" and "secret"} → the status below plus
 *        "token": str (64 hex digits) and "keepalive": {"port",
 *        "interval_s", "key": 64 hex digits}; the token is also set as
 *        the cookie wicket_token (HttpOnly, Secure, SameSite=Strict)
 *   GET  /api/v1/status      → {"session": int | null, "state": "none" (no
 *        session) | "pending" | "provisional" | "active" | "rejected" |
 *        "ended", "reason": str | null (why it was rejected or ended:
 *        the end reason, e.g. deadline, logout, kick), "plan": str | null, "seconds_remaining": int | null,
 *        "bytes_remaining": int | null, "charge": int, "currency": str |
 *        null, "paid_seconds_remaining": int | null}: seconds_remaining is
 *        until the gate closes by time (for a session held to keepalives,
 *        the next keepalive's deadline); paid_seconds_remaining until the
 *        end of what was bought
 *   POST /api/v1/extend      {"method", credentials as for login; "plan"
 *        optional: the session's own} → the status: the running session
 *        bought again (its time from its current deadline, its bytes on
 *        top, its price on the charge); RFC 8908's can-extend-session
 *        says whether the session can be
 *   POST /api/v1/logout      {} → the status, state "ended" (a JSON body,
 *        even an empty object, as for every POST)
 * The token (Authorization: Bearer TOKEN, or the cookie) names the
 * session; it is bound to the MAC and port it was given to, so a token
 * used from another device is refused (403). POSTs must carry
 * Content-Type: application/json (which a cross-site form cannot send
 * without the browser asking first) and, when the browser sends Origin,
 * the portal's own origin: the API is CSRF-safe for the page.
 */
#ifndef WICKET_PORTAL_H
#define WICKET_PORTAL_H

#include <stddef.h>

struct gateway;
struct portal;

int portal_open(struct gateway *gw, struct portal **out, char *err, size_t errlen);
void portal_close(struct portal *p);
/* SHA-256 fingerprint of the portal's certificate, "AB:CD:...": what guests' browsers show. */
const char *portal_fingerprint(struct portal *p);

#endif
