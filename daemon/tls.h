/*
 * The portal's TLS (tls.c): its key and certificate, and the OpenSSL
 * server context that the portal's bufferevents are made from.
 *
 * Either the venue gives a key and a certificate (PEM files, both or
 * neither), or wicketd makes its own: an ECDSA P-256 key and a self-signed
 * certificate for the portal's names, kept in the state directory as
 *   STATE_DIR/portal.key   mode 0600
 *   STATE_DIR/portal.crt   mode 0644
 * and made anew only when they are missing, unreadable as PEM, no longer
 * a pair, expired (or within 30 days of it), not valid yet, or when they
 * do not cover every name asked for now (say, the portal's address
 * changed). Otherwise the same pair, and so the same fingerprint, serves
 * start after start. Names dropped from the list do not cause a new pair.
 *
 * A given pair is refused when the key does not match the certificate,
 * when the certificate has expired or is not valid yet, and when anyone
 * but the key file's owner may read it. A certificate that does not cover
 * the names only draws a warning: the venue may reach its portal by names
 * wicketd is not told about.
 *
 * The context speaks TLS 1.2 and 1.3, AEAD ciphers with forward secrecy
 * only (the server's order), no compression, no renegotiation, session
 * tickets under a random key made at tls_open() (tickets do not survive
 * a restart).
 */
#ifndef WICKET_TLS_H
#define WICKET_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct tls;

#define TLS_VALID_DAYS 3650 /* a generated certificate's validity by default: 10 years */
#define TLS_VALID_DAYS_MIN 90
#define TLS_VALID_DAYS_MAX 36500
#define TLS_MAX_NAMES 16
#define TLS_KEY_NAME "portal.key" /* in the state directory */
#define TLS_CERT_NAME "portal.crt"
/* "AB:CD:...": SHA-256, 32 bytes as upper-case hex pairs and colons, with its NUL. */
#define TLS_FINGERPRINT_LEN (32 * 3)

struct tls_params {
	/* The venue's PEM certificate (the server's first, then any
	 * intermediates) and its PEM private key (unencrypted, RSA or EC;
	 * may be the same file). Both or neither: NULL or "" for none. */
	const char *cert_file;
	const char *key_file;
	/* Where the generated pair lives when none is given; created (0700)
	 * when missing, its parent must exist. Absolute path. */
	const char *state_dir;
	/* The names the certificate is for, 1 to TLS_MAX_NAMES: numeric
	 * IPv4 or IPv6 addresses (the portal's address: an IP SAN) and DNS
	 * names (a DNS SAN; letters, digits, '-' and '.', no wildcard). */
	const char *const *names;
	size_t nnames;
	/* Days a generated certificate is valid, TLS_VALID_DAYS_MIN to _MAX;
	 * 0: TLS_VALID_DAYS. Its notBefore is one day back, for guests whose
	 * clock is a little behind. */
	unsigned int valid_days;
};

/*
 * Load or make the key and certificate that p describes and build the
 * server context. On success returns 0 and stores a new struct tls in
 * *out. On failure returns -EINVAL (bad parameters, a file that is not
 * PEM, a key that does not match its certificate, a key with a
 * passphrase), -EKEYEXPIRED (a given certificate expired or not valid
 * yet), -EPERM (a key file others may read), -errno of a file operation,
 * -EIO (OpenSSL failed) or -ENOMEM; err (when errlen > 0) says which file,
 * what is wrong and what to do, and *out is left NULL. Making a new pair
 * is logged (one line, with the fingerprint).
 */
int tls_open(const struct tls_params *p, struct tls **out, char *err, size_t errlen);

/* Frees t and its context (SSL objects made from it hold their own reference); NULL is allowed. */
void tls_close(struct tls *t);

/* The server context, for SSL_new() per connection. Owned by t. */
SSL_CTX *tls_ctx(struct tls *t);

/* SHA-256 of the certificate (DER), "AB:CD:...": what browsers show. */
const char *tls_fingerprint(struct tls *t);

/* The certificate's notAfter, seconds since the epoch (UTC). */
int64_t tls_not_after(struct tls *t);

/* 1 when the certificate is self-signed (always so when wicketd made it), else 0. */
int tls_self_signed(struct tls *t);

/* 1 when wicketd made the pair (it is in the state directory), 0 when the venue gave it. */
int tls_generated(struct tls *t);

/* The file the certificate was read from or written to. */
const char *tls_cert_path(struct tls *t);

#endif
