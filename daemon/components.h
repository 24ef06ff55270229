/*
 * The helper's components (components.c): what wicketd publishes for
 * wicket-helper's `update`, signed with the gateway's Ed25519 key.
 *
 * The signing key: Ed25519, STATE_DIR/components.key (PEM, PKCS#8, mode
 * 0600; STATE_DIR is [gateway] tls_dir), made at first start when missing
 * and kept across restarts, so that a helper that pinned it keeps trusting
 * the gateway. A key file that others may read is refused, as tls.c does.
 *
 * The components: every regular file of STATE_DIR/components/ and of
 * [gateway] components_dir (optional; the venue's own files, e.g. a newer
 * helper). wicketd writes the stock ones into STATE_DIR/components/ at
 * start, rewriting a file only when its content changes, so that a
 * component's version stays the same start after start:
 *   ca.crt        the portal's certificate (PEM): the CA a helper trusts
 *   network.json  the network profile: {"portal": origin, "api": origin +
 *                 "/api/v1", "dns": [portal address], "mtu": int,
 *                 "keepalive": {"port": int, "interval_s": int}}
 *   helper.conf   the helper's configuration (ini): api = origin/api/v1,
 *                 keepalive_interval = N
 * A component's name is its file name: 1 to 64 of [A-Za-z0-9._-], not
 * starting with '.'. Its version is the file's modification time (Unix
 * seconds), so a changed file is a newer version. A components_dir file
 * with the name of a stock component replaces it.
 *
 * The client API (HTTPS, guests only, as the rest of /api/v1):
 *   GET /api/v1/components/key           text/plain: the public key, 64
 *        lower-case hex digits (the raw 32 bytes) and "\n"
 *   GET /api/v1/components/manifest      application/json, exactly the
 *        bytes that were signed:
 *        {"format": 1, "gateway": origin, "issued": unix seconds,
 *         "components": [{"name": str, "version": int, "sha256": 64 hex,
 *         "size": int, "url": "/api/v1/components/files/NAME"}, ...]}
 *        sorted by name
 *   GET /api/v1/components/manifest.sig  text/plain: the Ed25519
 *        signature of the manifest's bytes, 128 lower-case hex digits, "\n"
 *   GET /api/v1/components/files/NAME    application/octet-stream: the
 *        component's bytes
 * The manifest, its signature and the files are read and made at start
 * and at every reload (SIGHUP), and served from memory: what is served is
 * always what was hashed and signed.
 */
#ifndef WICKET_COMPONENTS_H
#define WICKET_COMPONENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMPONENTS_KEY_NAME "components.key" /* in the state directory */
#define COMPONENTS_DIR_NAME "components" /* the stock components, in the state directory */
#define COMPONENTS_FORMAT 1
#define COMPONENTS_NAME_MAX 64
#define COMPONENTS_FILE_MAX (32 << 20) /* a larger file is skipped (logged) */
#define COMPONENTS_TOTAL_MAX (64 << 20) /* a file that would pass this in all is skipped (logged) */
#define COMPONENTS_COUNT_MAX 64 /* files past this many are skipped (logged); the helper takes no more */
#define COMPONENTS_URL_PREFIX "/api/v1/components/files/"

struct components;

struct components_params {
	/* [gateway] tls_dir: the key and STATE_DIR/components/. Absolute;
	 * created (0700) when missing, its parent must exist. */
	const char *state_dir;
	/* The portal's certificate file (PEM): tls_cert, or the generated
	 * STATE_DIR/portal.crt. Every certificate in it, in order, becomes
	 * ca.crt (re-encoded as PEM: anything else in the file, such as a
	 * private key kept with the certificate, is left out). */
	const char *cert_file;
	/* [gateway] components_dir: NULL or "" for none. */
	const char *components_dir;
	/* The portal's origin ("https://10.0.1.1:8443") and address ("10.0.1.1"). */
	const char *origin;
	const char *portal_host;
	/* network.json's mtu and keepalive; helper.conf's keepalive_interval. */
	unsigned int mtu;
	uint16_t keepalive_port;
	unsigned int keepalive_interval;
};

/*
 * Load or make the signing key, write the stock components, read every
 * component and sign their manifest, as the comment above says. On
 * success returns 0 and stores in *out a new struct components holding
 * one reference. On failure returns -EPERM (a key file others may read
 * or change), -EINVAL (bad parameters, a key file that is not an Ed25519
 * private key in PEM, a certificate file without a certificate), -errno
 * of a file or directory operation (a components_dir that cannot be
 * opened included), -EIO (OpenSSL failed) or -ENOMEM; err (when errlen >
 * 0) says which file, what is wrong and what to do, and *out is left
 * NULL. Files that cannot be components (a bad name, not a regular file,
 * over a cap, unreadable) are skipped with a warning in the log.
 */
int components_open(const struct components_params *p, struct components **out, char *err, size_t errlen);

/* Another reference to c (say, for a reply still being sent); returns c. */
struct components *components_ref(struct components *c);
/* Drops a reference; the last one frees c. NULL is allowed. */
void components_unref(struct components *c);

/* 1 to COMPONENTS_NAME_MAX of [A-Za-z0-9._-], not starting with '.'. */
bool components_name_valid(const char *name);

/*
 * The bodies the client API serves, owned by c and valid while a
 * reference is held; *len is their length (no NUL counted):
 *   the public key: 64 lower-case hex digits and "\n"
 *   the manifest: the signed JSON bytes
 *   the signature: 128 lower-case hex digits and "\n"
 */
const char *components_key(const struct components *c, size_t *len);
const char *components_manifest(const struct components *c, size_t *len);
const char *components_signature(const struct components *c, size_t *len);

/* The bytes of the component called name, or NULL when there is none. */
const unsigned char *components_file(const struct components *c, const char *name, size_t *len);

/* How many components the manifest lists. */
size_t components_count(const struct components *c);

#endif
