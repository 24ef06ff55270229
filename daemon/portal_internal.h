/*
 * What portal.c (the server) and portal_api.c (the client API) share.
 */
#ifndef WICKET_PORTAL_INTERNAL_H
#define WICKET_PORTAL_INTERNAL_H

#include <event2/http.h>
#include <jansson.h>

#include "portal.h"
#include "session.h"

struct billing_preference;
struct tls;

struct portal {
	struct gateway *gw;
	struct evhttp *http; /* plain: redirects to the page */
	struct evhttp *https;
	struct tls *tls;
	char origin[128]; /* "https://10.0.1.1:8443": the page's and the API's */
};

/* The guest that sent req (its kernel entry and store client); 0, or -errno with err for the guest. */
int portal_client(struct portal *p, struct evhttp_request *req, struct session_client *c, char *err,
		  size_t errlen);
/* Answer with JSON (reference stolen), status code, and no caching. */
void portal_reply_json(struct evhttp_request *req, int code, json_t *body, const char *content_type);
void portal_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A POST's JSON object, at most 16 KiB; NULL after answering the request with 4xx. */
json_t *portal_request_json(struct portal *p, struct evhttp_request *req);

/*
 * A login's or an extension's billing preference from its JSON body (an
 * object, as portal_request_json() gives it): each field a string of the
 * body's, "" when absent or not a string, cut to its size. 0, or -EINVAL
 * with err when body is not an object (pref is zeroed either way).
 */
int portal_preference_from_json(const json_t *body, struct billing_preference *pref, char *err,
				size_t errlen);

/* The API's handlers (portal_api.c): 1 when path was theirs (and answered). */
int portal_api(struct portal *p, struct evhttp_request *req, const char *path);

#endif
