/*
 * The helper's HTTPS client for the gateway's client API (api.c), over
 * libcurl with OpenSSL.
 *
 * Trust: the helper pins the gateway's certificate. With a CA file
 * (--ca, or the installed ca.crt component) the certificate is verified
 * against it; otherwise the SHA-256 of the certificate's public key is
 * pinned on first use (STATE_DIR/pins/HOST_PORT) and every later
 * connection must present the same key: a changed certificate is refused
 * with both fingerprints, never silently trusted.
 */
#ifndef WICKET_HELPER_API_H
#define WICKET_HELPER_API_H

#include <stddef.h>

#include <jansson.h>

struct api;
struct helper_paths;

struct api_response {
	long status; /* HTTP status */
	char *body; /* NUL-terminated, malloc'd */
	size_t len;
	char content_type[96];
};

/*
 * A client for origin ("https://10.0.1.1:8443"). ca_file: NULL or a PEM
 * CA file to verify against instead of pinning. 0 or -errno with err.
 */
int api_open(struct api **out, const struct helper_paths *paths, const char *origin, const char *ca_file,
	     char *err, size_t errlen);
void api_close(struct api *a);
const char *api_origin(const struct api *a);
/* Give up connecting after seconds (a whole request after 6 times that); <= 0: 10 s. */
void api_set_timeout(struct api *a, long seconds);
/* Send the session's token (64 hex digits) with every request from now on. */
void api_set_token(struct api *a, const char *token);

/* GET origin + path (path starts with '/'); at most max_len bytes of body. */
int api_get(struct api *a, const char *path, size_t max_len, struct api_response *r, char *err,
	    size_t errlen);
/* POST a JSON object (not stolen) to origin + path. */
int api_post_json(struct api *a, const char *path, json_t *body, struct api_response *r, char *err,
		  size_t errlen);
/*
 * The response's body as JSON (an object or an array): NULL with err
 * saying what is wrong ("the gateway answered 403: <its error>", "the
 * gateway's answer is not JSON") when the status is not 2xx or the body is
 * neither. The caller checks the shape it expects.
 */
json_t *api_json(const struct api_response *r, const char *what, char *err, size_t errlen);
void api_response_free(struct api_response *r);

#endif
