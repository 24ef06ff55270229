/*
 * Unit tests of daemon/tls.c: the generated pair (made once, kept, made
 * anew when it no longer serves), the venue's files (loaded or refused
 * with a message that says why), and real handshakes over a socketpair
 * between tls_ctx() and an OpenSSL client that checks what a browser
 * checks. Every case works in its own temporary directory
 * (WICKET_KEEP_TMP=1 keeps it, and says where it is).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cmocka.h>

#include "tls.h"
#include "tmp_tree.h"

#define DAY 86400

struct fixture {
	char dir[64];
	char state[128]; /* dir/tls, not created: tls_open makes it */
	char key[128]; /* dir/venue.key and dir/venue.crt, for given pairs */
	char crt[128];
};

static char err[1024];

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/wicket-tls-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->state, sizeof(f->state), "%s/tls", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/venue.key", f->dir);
	snprintf(f->crt, sizeof(f->crt), "%s/venue.crt", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tmp_tree_remove(f->dir);
	free(f);
	return 0;
}

/* ---- helpers: the module */

static struct tls *open_ok(const struct tls_params *p)
{
	struct tls *t = NULL;
	int rc = tls_open(p, &t, err, sizeof(err));

	if (rc)
		print_error("tls_open: %d: %s\n", rc, err);
	assert_int_equal(rc, 0);
	assert_non_null(t);
	return t;
}

/* tls_open fails with want, and err holds each of the NULL-terminated fragments. */
static void open_fails(const struct tls_params *p, int want, ...)
{
	struct tls *t = (struct tls *)&t;
	const char *fragment;
	va_list ap;

	err[0] = '\0';
	assert_int_equal(tls_open(p, &t, err, sizeof(err)), want);
	assert_null(t);
	va_start(ap, want);
	while ((fragment = va_arg(ap, const char *))) {
		if (!strstr(err, fragment))
			print_error("message \"%s\" lacks \"%s\"\n", err, fragment);
		assert_non_null(strstr(err, fragment));
	}
	va_end(ap);
}

static struct tls_params generated(const struct fixture *f, const char *const *names, size_t nnames)
{
	return (struct tls_params){ .state_dir = f->state, .names = names, .nnames = nnames };
}

static struct tls_params given(const struct fixture *f, const char *const *names, size_t nnames)
{
	return (struct tls_params){ .cert_file = f->crt,
				    .key_file = f->key,
				    .state_dir = f->state,
				    .names = names,
				    .nnames = nnames };
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

static X509 *read_cert_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	return x;
}

/* What tls_fingerprint() should say, worked out here by other means. */
static void fingerprint_of(X509 *x, char out[TLS_FINGERPRINT_LEN])
{
	unsigned char der[4096], *p = der, md[32];
	int len = i2d_X509(x, NULL);
	size_t o = 0;

	assert_true(len > 0 && len <= (int)sizeof(der));
	assert_int_equal(i2d_X509(x, &p), len);
	assert_int_equal(EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL), 1);
	for (int i = 0; i < 32; i++)
		o += (size_t)sprintf(out + o, i ? ":%02X" : "%02X", md[i]);
}

static size_t file_bytes(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, len, fp);
	fclose(fp);
	return n;
}

static mode_t file_mode(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

/* ---- helpers: keys and certificates made here, as a venue or a CA would */

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-384");

	assert_non_null(k);
	return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/*
 * A certificate for key with the SANs san, valid from..until (GeneralizedTime
 * strings, or NULL: a day ago and a year on), signed by issuer/issuer_key
 * or self-signed when issuer is NULL; a CA when san is NULL.
 */
static X509 *new_cert(EVP_PKEY *key, const char *cn, const char *san, const char *from, const char *until,
		      X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	static long serial = 1000;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
	assert_int_equal(
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
		1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name), 1);
	X509_NAME_free(name);
	if (from)
		assert_int_equal(ASN1_TIME_set_string(X509_getm_notBefore(x), from), 1);
	else
		assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, NULL));
	if (until)
		assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x), until), 1);
	else
		assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 365, 0, NULL));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	if (san) {
		add_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer ? issuer : x, NID_ext_key_usage, "serverAuth");
		add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	} else {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
		add_ext(x, x, NID_subject_key_identifier, "hash");
	}
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

static void write_key(const char *path, EVP_PKEY *key, mode_t mode, const char *passphrase)
{
	FILE *fp;

	unlink(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(PEM_write_PrivateKey(fp, key, passphrase ? EVP_aes_256_cbc() : NULL, NULL, 0, NULL,
					      (void *)passphrase),
			 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The certificates, first to last, into one PEM file. */
static void write_certs(const char *path, X509 *first, X509 *second)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(PEM_write_X509(fp, first), 1);
	if (second)
		assert_int_equal(PEM_write_X509(fp, second), 1);
	assert_int_equal(fclose(fp), 0);
}

/* A venue's self-signed pair for 10.0.0.1 in f->key (0600) and f->crt. */
static void write_venue_pair(const struct fixture *f, const char *from, const char *until)
{
	EVP_PKEY *key = new_key();
	X509 *x = new_cert(key, "venue", "IP:10.0.0.1,DNS:portal.hotel.example", from, until, NULL, NULL);

	write_key(f->key, key, 0600, NULL);
	write_certs(f->crt, x, NULL);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* ---- helpers: handshakes over a socketpair, client and server stepped in turn */

struct conn {
	SSL *client, *server;
	int fds[2];
	unsigned long client_error, server_error; /* OpenSSL's, when a side failed */
};

static SSL_CTX *client_ctx_trusting(X509 *anchor)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	assert_non_null(ctx);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (anchor)
		assert_int_equal(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), anchor), 1);
	return ctx;
}

/* Connect as a browser going to https://name/ would (an IP literal or a host name); 0 when both sides
 * finished. */
static int handshake(SSL_CTX *server_ctx, SSL_CTX *client_ctx, const char *name, struct conn *c)
{
	bool client_done = false, server_done = false;
	unsigned char probe[sizeof(struct in6_addr)];

	memset(c, 0, sizeof(*c));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, c->fds), 0);
	c->client = SSL_new(client_ctx);
	c->server = SSL_new(server_ctx);
	assert_non_null(c->client);
	assert_non_null(c->server);
	assert_int_equal(SSL_set_fd(c->client, c->fds[0]), 1);
	assert_int_equal(SSL_set_fd(c->server, c->fds[1]), 1);
	if (inet_pton(AF_INET, name, probe) == 1 || inet_pton(AF_INET6, name, probe) == 1) {
		assert_int_equal(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->client), name), 1);
	} else {
		assert_int_equal(SSL_set_tlsext_host_name(c->client, name), 1);
		assert_int_equal(SSL_set1_host(c->client, name), 1);
	}
	ERR_clear_error();
	for (int round = 0; round < 100 && !(client_done && server_done); round++) {
		if (!client_done) {
			int rc = SSL_connect(c->client);

			if (rc == 1) {
				client_done = true;
			} else if (SSL_get_error(c->client, rc) != SSL_ERROR_WANT_READ) {
				c->client_error = ERR_peek_last_error();
				ERR_clear_error();
				return -1;
			}
		}
		if (!server_done) {
			int rc = SSL_accept(c->server);

			if (rc == 1) {
				server_done = true;
			} else if (SSL_get_error(c->server, rc) != SSL_ERROR_WANT_READ) {
				c->server_error = ERR_peek_last_error();
				ERR_clear_error();
				return -1;
			}
		}
	}
	return client_done && server_done ? 0 : -1;
}

static void conn_close(struct conn *c)
{
	/* A session closed without close_notify could not be resumed. */
	SSL_shutdown(c->client);
	SSL_shutdown(c->server);
	ERR_clear_error();
	SSL_free(c->client);
	SSL_free(c->server);
	close(c->fds[0]);
	close(c->fds[1]);
}

/* A few bytes each way through the finished connection. */
static void exchange(struct conn *c)
{
	char buf[16] = "";

	assert_int_equal(SSL_write(c->client, "GET /", 5), 5);
	assert_int_equal(SSL_read(c->server, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "GET /", 5);
	assert_int_equal(SSL_write(c->server, "200", 3), 3);
	assert_int_equal(SSL_read(c->client, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "200", 3);
}

/* ---- helpers: stderr, where log.c writes */

static int saved_stderr = -1;
static char captured[PATH_MAX];

static void capture_stderr(const struct fixture *f)
{
	int fd;

	snprintf(captured, sizeof(captured), "%s/stderr", f->dir);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(captured, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(saved_stderr >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
}

/* What was written since capture_stderr(), into buf. */
static void release_stderr(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = file_bytes(captured, buf, len - 1);
	buf[n] = '\0';
}

static int count(const char *haystack, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- the generated pair */

static const char *const portal_names[] = { "10.0.0.1", "portal.example" };

static void generated_at_first_start_and_reused_after(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 2);
	char key_path[PATH_MAX], crt_path[PATH_MAX], tmp_path[PATH_MAX], want[TLS_FINGERPRINT_LEN];
	char key1[4096], crt1[4096], key2[4096], crt2[4096], log[4096];
	size_t key1_len, crt1_len;
	time_t now = time(NULL);
	struct tls *t;
	X509 *x;
	EVP_PKEY *pub;
	const ASN1_INTEGER *serial;
	BIGNUM *bn;
	char curve[32];
	int64_t not_after;

	path_in(key_path, sizeof(key_path), f->state, TLS_KEY_NAME);
	path_in(crt_path, sizeof(crt_path), f->state, TLS_CERT_NAME);
	capture_stderr(f);
	t = open_ok(&p);

	/* The files: where they should be, with their modes, no temporary left. */
	assert_int_equal(file_mode(f->state), 0700);
	assert_int_equal(file_mode(key_path), 0600);
	assert_int_equal(file_mode(crt_path), 0644);
	path_in(tmp_path, sizeof(tmp_path), f->state, TLS_KEY_NAME ".new");
	assert_int_equal(access(tmp_path, F_OK), -1);
	path_in(tmp_path, sizeof(tmp_path), f->state, TLS_CERT_NAME ".new");
	assert_int_equal(access(tmp_path, F_OK), -1);
	assert_string_equal(tls_cert_path(t), crt_path);
	assert_int_equal(tls_generated(t), 1);
	assert_int_equal(tls_self_signed(t), 1);
	assert_non_null(tls_ctx(t));

	/* The certificate on disk is the one served, and is what was asked for. */
	x = read_cert_file(crt_path);
	fingerprint_of(x, want);
	assert_int_equal(strlen(tls_fingerprint(t)), 95);
	assert_string_equal(tls_fingerprint(t), want);
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(
		X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, curve, sizeof(curve)),
		13);
	assert_string_equal(curve, "wicket portal");
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	pub = X509_get0_pubkey(x);
	assert_int_equal(X509_verify(x, pub), 1);
	assert_int_equal(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_utf8_string_param(pub, "group", curve, sizeof(curve), NULL), 1);
	assert_string_equal(curve, "prime256v1");
	serial = X509_get0_serialNumber(x);
	bn = ASN1_INTEGER_to_BN(serial, NULL);
	assert_false(BN_is_negative(bn));
	assert_true(BN_num_bits(bn) > 64);
	BN_free(bn);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.1", 0), 1);
	assert_int_equal(X509_check_host(x, "portal.example", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL),
			 1);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.2", 0), 0);
	assert_int_equal(X509_check_host(x, "wicket portal", 0, 0, NULL), 0);
	assert_int_equal(X509_check_ca(x), 0);
	assert_true(X509_get_extension_flags(x) & EXFLAG_BCONS);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
	/* Ten years from a day ago to ten years on; tls_not_after() says the same. */
	not_after = tls_not_after(t);
	assert_true(not_after >= now + (int64_t)TLS_VALID_DAYS * DAY - 60);
	assert_true(not_after <= now + (int64_t)TLS_VALID_DAYS * DAY + 60);
	assert_int_equal(X509_cmp_time(X509_get0_notAfter(x), &(time_t){ (time_t)not_after + 1 }), -1);
	assert_int_equal(X509_cmp_time(X509_get0_notBefore(x), &(time_t){ now - DAY + 60 }), -1);
	assert_int_equal(X509_cmp_time(X509_get0_notBefore(x), &(time_t){ now - DAY - 60 }), 1);
	X509_free(x);
	key1_len = file_bytes(key_path, key1, sizeof(key1));
	crt1_len = file_bytes(crt_path, crt1, sizeof(crt1));
	assert_non_null(strstr(key1, "-----BEGIN PRIVATE KEY-----"));
	strcpy(want, tls_fingerprint(t));
	tls_close(t);

	/* Second start: the same pair, untouched, the same fingerprint, and nothing logged. */
	t = open_ok(&p);
	assert_string_equal(tls_fingerprint(t), want);
	assert_true(tls_not_after(t) == not_after);
	assert_int_equal(file_bytes(key_path, key2, sizeof(key2)), key1_len);
	assert_int_equal(file_bytes(crt_path, crt2, sizeof(crt2)), crt1_len);
	assert_memory_equal(key1, key2, key1_len);
	assert_memory_equal(crt1, crt2, crt1_len);
	tls_close(t);
	release_stderr(log, sizeof(log));
	assert_int_equal(count(log, "made a self-signed certificate"), 1);
	assert_non_null(strstr(log, want));
}

static void two_gateways_get_different_keys_and_serials(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 1);
	char crt_path[PATH_MAX], other[PATH_MAX], first[TLS_FINGERPRINT_LEN];
	struct tls *t;
	X509 *a, *b;

	t = open_ok(&p);
	strcpy(first, tls_fingerprint(t));
	tls_close(t);
	snprintf(other, sizeof(other), "%s/other", f->dir);
	p.state_dir = other;
	t = open_ok(&p);
	assert_string_not_equal(tls_fingerprint(t), first);
	tls_close(t);
	path_in(crt_path, sizeof(crt_path), f->state, TLS_CERT_NAME);
	a = read_cert_file(crt_path);
	path_in(crt_path, sizeof(crt_path), other, TLS_CERT_NAME);
	b = read_cert_file(crt_path);
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)), 0);
	assert_int_not_equal(EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(b)), 1);
	X509_free(a);
	X509_free(b);
}

static void regenerated_when_the_portal_address_changes(void **state)
{
	struct fixture *f = *state;
	static const char *const moved[] = { "10.0.0.2" };
	static const char *const moved_v6[] = { "10.0.0.2", "fd00::1" };
	char crt_path[PATH_MAX], first[TLS_FINGERPRINT_LEN], second[TLS_FINGERPRINT_LEN];
	struct tls_params p = generated(f, portal_names, 1);
	struct tls *t;
	X509 *x;

	path_in(crt_path, sizeof(crt_path), f->state, TLS_CERT_NAME);
	t = open_ok(&p);
	strcpy(first, tls_fingerprint(t));
	tls_close(t);

	p.names = moved;
	t = open_ok(&p);
	strcpy(second, tls_fingerprint(t));
	assert_string_not_equal(second, first);
	tls_close(t);
	x = read_cert_file(crt_path);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.2", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.1", 0), 0);
	X509_free(x);

	/* Stable again at the new address. */
	t = open_ok(&p);
	assert_string_equal(tls_fingerprint(t), second);
	tls_close(t);

	/* An address added: a new one that covers both; one dropped again: kept. */
	p.names = moved_v6;
	p.nnames = 2;
	t = open_ok(&p);
	assert_string_not_equal(tls_fingerprint(t), second);
	strcpy(second, tls_fingerprint(t));
	tls_close(t);
	x = read_cert_file(crt_path);
	assert_int_equal(X509_check_ip_asc(x, "fd00::1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.2", 0), 1);
	X509_free(x);
	p.nnames = 1;
	t = open_ok(&p);
	assert_string_equal(tls_fingerprint(t), second);
	tls_close(t);
}

/* A pair left in the state directory that no longer serves is replaced, not refused. */
static void stale_generated_pairs_are_replaced(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 1);
	char key_path[PATH_MAX], crt_path[PATH_MAX], stale[TLS_FINGERPRINT_LEN];
	EVP_PKEY *key = new_key(), *other = new_key();
	struct tls *t;
	X509 *x;

	path_in(key_path, sizeof(key_path), f->state, TLS_KEY_NAME);
	path_in(crt_path, sizeof(crt_path), f->state, TLS_CERT_NAME);
	assert_int_equal(mkdir(f->state, 0700), 0);

	/* Expired. */
	x = new_cert(key, "wicket portal", "IP:10.0.0.1", "20150101000000Z", "20200101000000Z", NULL, NULL);
	write_key(key_path, key, 0600, NULL);
	write_certs(crt_path, x, NULL);
	fingerprint_of(x, stale);
	X509_free(x);
	t = open_ok(&p);
	assert_string_not_equal(tls_fingerprint(t), stale);
	assert_true(tls_not_after(t) > (int64_t)time(NULL) + 365 * DAY);
	tls_close(t);

	/* A crash between the two renames: a key that is not the certificate's. */
	x = read_cert_file(crt_path);
	fingerprint_of(x, stale);
	X509_free(x);
	write_key(key_path, other, 0600, NULL);
	t = open_ok(&p);
	assert_string_not_equal(tls_fingerprint(t), stale);
	tls_close(t);

	/* A certificate file cut short. */
	assert_int_equal(truncate(crt_path, 40), 0);
	t = open_ok(&p);
	tls_close(t);
	x = read_cert_file(crt_path);
	assert_int_equal(X509_check_ip_asc(x, "10.0.0.1", 0), 1);
	X509_free(x);

	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void generated_key_readable_by_others_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 1);
	char key_path[PATH_MAX], cmd[PATH_MAX + 16];

	tls_close(open_ok(&p));
	path_in(key_path, sizeof(key_path), f->state, TLS_KEY_NAME);
	assert_int_equal(chmod(key_path, 0640), 0);
	snprintf(cmd, sizeof(cmd), "chmod 600 %s", key_path);
	open_fails(&p, -EPERM, key_path, cmd, NULL);
}

/* ---- the venue's files */

static void given_pair_is_loaded(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);
	char want[TLS_FINGERPRINT_LEN], log[4096];
	struct tls *t;
	X509 *x;

	write_venue_pair(f, NULL, NULL);
	capture_stderr(f);
	t = open_ok(&p);
	release_stderr(log, sizeof(log));
	x = read_cert_file(f->crt);
	fingerprint_of(x, want);
	assert_string_equal(tls_fingerprint(t), want);
	assert_string_equal(tls_cert_path(t), f->crt);
	assert_int_equal(tls_generated(t), 0);
	assert_int_equal(tls_self_signed(t), 1);
	assert_int_equal(X509_cmp_time(X509_get0_notAfter(x), &(time_t){ (time_t)tls_not_after(t) }), -1);
	assert_int_equal(X509_cmp_time(X509_get0_notAfter(x), &(time_t){ (time_t)tls_not_after(t) - 1 }), 1);
	X509_free(x);
	tls_close(t);
	/* Nothing generated, nothing to warn about. */
	assert_int_equal(access(f->state, F_OK), -1);
	assert_string_equal(log, "");

	/* Valid for other names than the portal's: served, with a warning. */
	p.names = (const char *const[]){ "10.9.9.9" };
	capture_stderr(f);
	t = open_ok(&p);
	release_stderr(log, sizeof(log));
	assert_non_null(strstr(log, "is not valid for 10.9.9.9"));
	tls_close(t);
}

/* An RSA pair, the other kind a venue may have: served over TLS 1.2 and 1.3. */
static void given_rsa_pair_is_served(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x;
	SSL_CTX *client;
	struct conn c;
	struct tls *t;

	assert_non_null(key);
	x = new_cert(key, "venue", "IP:10.0.0.1", NULL, NULL, NULL, NULL);
	write_key(f->key, key, 0600, NULL);
	write_certs(f->crt, x, NULL);
	t = open_ok(&p);
	client = client_ctx_trusting(x);
	assert_int_equal(handshake(tls_ctx(t), client, "10.0.0.1", &c), 0);
	assert_int_equal(SSL_version(c.client), TLS1_3_VERSION);
	exchange(&c);
	conn_close(&c);
	assert_int_equal(SSL_CTX_set_max_proto_version(client, TLS1_2_VERSION), 1);
	assert_int_equal(handshake(tls_ctx(t), client, "10.0.0.1", &c), 0);
	assert_string_equal(SSL_get_cipher_name(c.server), "ECDHE-RSA-AES128-GCM-SHA256");
	exchange(&c);
	conn_close(&c);
	SSL_CTX_free(client);
	tls_close(t);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* A CA's certificate with its chain in one file: served whole, and not self-signed. */
static void given_chain_is_served(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 2);
	EVP_PKEY *ca_key = new_key(), *key = new_key();
	X509 *ca = new_cert(ca_key, "Venue CA", NULL, NULL, NULL, NULL, NULL);
	X509 *leaf = new_cert(key, "portal", "IP:10.0.0.1,DNS:portal.example", NULL, NULL, ca, ca_key);
	SSL_CTX *client = client_ctx_trusting(ca);
	char want[TLS_FINGERPRINT_LEN];
	struct conn c;
	struct tls *t;

	write_key(f->key, key, 0600, NULL);
	write_certs(f->crt, leaf, ca);
	t = open_ok(&p);
	fingerprint_of(leaf, want);
	assert_string_equal(tls_fingerprint(t), want);
	assert_int_equal(tls_self_signed(t), 0);
	assert_int_equal(handshake(tls_ctx(t), client, "portal.example", &c), 0);
	assert_int_equal(SSL_get_verify_result(c.client), X509_V_OK);
	assert_int_equal(sk_X509_num(SSL_get_peer_cert_chain(c.client)), 2);
	exchange(&c);
	conn_close(&c);
	SSL_CTX_free(client);
	tls_close(t);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
}

static void mismatched_key_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);
	EVP_PKEY *other = new_key();

	write_venue_pair(f, NULL, NULL);
	write_key(f->key, other, 0600, NULL);
	open_fails(&p, -EINVAL, f->key, f->crt, "does not belong to certificate", NULL);
	EVP_PKEY_free(other);
}

static void expired_certificate_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);

	write_venue_pair(f, "20190304050607Z", "20240102030405Z");
	open_fails(&p, -EKEYEXPIRED, f->crt, "expired on 2024-01-02 03:04:05 UTC",
		   "valid from 2019-03-04 05:06:07 UTC", "renew it", NULL);
	/* Nothing is generated in its place. */
	assert_int_equal(access(f->state, F_OK), -1);
}

static void future_certificate_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);

	write_venue_pair(f, "20990101000000Z", "21000101000000Z");
	open_fails(&p, -EKEYEXPIRED, f->crt, "not valid before 2099-01-01 00:00:00 UTC", "system clock",
		   NULL);
}

static void key_readable_by_others_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0620 };
	char cmd[PATH_MAX + 16];

	write_venue_pair(f, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "chmod 600 %s", f->key);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(f->key, modes[i]), 0);
		open_fails(&p, -EPERM, f->key, cmd, NULL);
	}
	assert_int_equal(chmod(f->key, 0400), 0);
	tls_close(open_ok(&p));
}

static void unusable_given_files_are_refused_with_reasons(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = given(f, portal_names, 1);
	EVP_PKEY *key = new_key();
	char missing[PATH_MAX];
	FILE *fp;

	/* No such key file. */
	write_venue_pair(f, NULL, NULL);
	snprintf(missing, sizeof(missing), "%s/nowhere.key", f->dir);
	p.key_file = missing;
	open_fails(&p, -ENOENT, missing, "cannot open it", NULL);
	p.key_file = f->key;

	/* A key under a passphrase: never prompted for on the terminal. */
	write_key(f->key, key, 0600, "secret");
	open_fails(&p, -EINVAL, f->key, "passphrase", "openssl pkey", NULL);

	/* A certificate file that is not PEM. */
	write_venue_pair(f, NULL, NULL);
	fp = fopen(f->crt, "w");
	assert_non_null(fp);
	fputs("not a certificate\n", fp);
	fclose(fp);
	open_fails(&p, -EINVAL, f->crt, "BEGIN CERTIFICATE", NULL);
	EVP_PKEY_free(key);
}

static void bad_parameters_are_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const bad_name[] = { "10.0.0.1", "*.example" };
	static const char *const scoped[] = { "fe80::1%lan0" };
	static const char *const short_address[] = { "10.0.0" };
	struct tls_params p = given(f, portal_names, 1);

	p.key_file = "";
	open_fails(&p, -EINVAL, "give both", NULL);
	p = given(f, portal_names, 1);
	p.cert_file = NULL;
	open_fails(&p, -EINVAL, "give both", NULL);
	p = generated(f, portal_names, 0);
	open_fails(&p, -EINVAL, "1 to 16 names", NULL);
	p = generated(f, bad_name, 2);
	open_fails(&p, -EINVAL, "\"*.example\"", NULL);
	p = generated(f, scoped, 1);
	open_fails(&p, -EINVAL, "\"fe80::1%lan0\"", NULL);
	p = generated(f, short_address, 1);
	open_fails(&p, -EINVAL, "\"10.0.0\" is neither", NULL);
	p = generated(f, portal_names, 1);
	p.state_dir = "relative/tls";
	open_fails(&p, -EINVAL, "state directory", NULL);
	p = generated(f, portal_names, 1);
	p.valid_days = 36501;
	open_fails(&p, -EINVAL, "36501 days", NULL);
	p.state_dir = "/nonexistent-wicket-parent/tls";
	p.valid_days = 825;
	open_fails(&p, -ENOENT, "/nonexistent-wicket-parent/tls", NULL);
	assert_int_equal(access(f->state, F_OK), -1);
}

/* ---- handshakes */

static void handshake_verifies_address_name_and_fingerprint(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 2);
	char crt_path[PATH_MAX], seen[TLS_FINGERPRINT_LEN];
	SSL_CTX *client;
	struct conn c;
	struct tls *t;
	X509 *anchor, *peer;

	t = open_ok(&p);
	/* The client trusts the certificate as a guest who accepted it would: from the file. */
	path_in(crt_path, sizeof(crt_path), f->state, TLS_CERT_NAME);
	anchor = read_cert_file(crt_path);
	client = client_ctx_trusting(anchor);

	assert_int_equal(handshake(tls_ctx(t), client, "10.0.0.1", &c), 0);
	assert_int_equal(SSL_get_verify_result(c.client), X509_V_OK);
	peer = SSL_get1_peer_certificate(c.client);
	assert_non_null(peer);
	fingerprint_of(peer, seen);
	assert_string_equal(seen, tls_fingerprint(t));
	X509_free(peer);
	assert_int_equal(SSL_version(c.client), TLS1_3_VERSION);
	exchange(&c);
	conn_close(&c);

	assert_int_equal(handshake(tls_ctx(t), client, "portal.example", &c), 0);
	assert_int_equal(SSL_get_verify_result(c.client), X509_V_OK);
	exchange(&c);
	conn_close(&c);

	/* Another address, or another name, is not this certificate's. */
	assert_int_equal(handshake(tls_ctx(t), client, "10.0.0.9", &c), -1);
	assert_int_equal(SSL_get_verify_result(c.client), X509_V_ERR_IP_ADDRESS_MISMATCH);
	conn_close(&c);
	assert_int_equal(handshake(tls_ctx(t), client, "other.example", &c), -1);
	assert_int_equal(SSL_get_verify_result(c.client), X509_V_ERR_HOSTNAME_MISMATCH);
	conn_close(&c);
	SSL_CTX_free(client);

	/* A client that does not trust it (a guest's browser before accepting it) stops. */
	client = client_ctx_trusting(NULL);
	assert_int_equal(handshake(tls_ctx(t), client, "10.0.0.1", &c), -1);
	assert_int_equal(SSL_get_verify_result(c.client), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	conn_close(&c);
	SSL_CTX_free(client);
	X509_free(anchor);
	tls_close(t);
}

static void tls12_is_the_floor(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 1);
	SSL_CTX *client, *server;
	struct conn c;
	struct tls *t;
	uint64_t opts;

	t = open_ok(&p);
	server = tls_ctx(t);
	assert_int_equal(SSL_CTX_get_min_proto_version(server), TLS1_2_VERSION);
	opts = SSL_CTX_get_options(server);
	assert_true(opts & SSL_OP_CIPHER_SERVER_PREFERENCE);
	assert_true(opts & SSL_OP_NO_COMPRESSION);
	assert_true(opts & SSL_OP_NO_RENEGOTIATION);
	assert_false(opts & SSL_OP_NO_TICKET);

	/* A TLS 1.2 client gets through, with an AEAD suite and forward secrecy, the server's first choice.
	 */
	client = client_ctx_trusting(NULL);
	SSL_CTX_set_verify(client, SSL_VERIFY_NONE, NULL);
	assert_int_equal(SSL_CTX_set_max_proto_version(client, TLS1_2_VERSION), 1);
	assert_int_equal(SSL_CTX_set_cipher_list(
				 client, "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"),
			 1);
	assert_int_equal(handshake(server, client, "10.0.0.1", &c), 0);
	assert_int_equal(SSL_version(c.server), TLS1_2_VERSION);
	assert_string_equal(SSL_get_cipher_name(c.server), "ECDHE-ECDSA-AES128-GCM-SHA256");
	exchange(&c);
	conn_close(&c);

	/*
	 * A TLS 1.1 client, with OpenSSL's security level lowered on both
	 * sides so that only the server's minimum version can refuse it.
	 */
	SSL_CTX_set_security_level(server, 0);
	assert_int_equal(SSL_CTX_set_cipher_list(client, "ALL:@SECLEVEL=0"), 1);
	assert_int_equal(SSL_CTX_set_min_proto_version(client, TLS1_1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(client, TLS1_1_VERSION), 1);
	assert_int_equal(handshake(server, client, "10.0.0.1", &c), -1);
	assert_int_equal(ERR_GET_REASON(c.server_error), SSL_R_UNSUPPORTED_PROTOCOL);
	assert_null(SSL_get0_peer_certificate(c.client));
	conn_close(&c);
	SSL_CTX_free(client);
	tls_close(t);
}

/* A TLS 1.2 session resumed by its ticket: tickets are on, under the context's key. */
static void sessions_resume_by_ticket(void **state)
{
	struct fixture *f = *state;
	struct tls_params p = generated(f, portal_names, 1);
	SSL_CTX *client = client_ctx_trusting(NULL);
	SSL_SESSION *session;
	struct conn c;
	struct tls *t = open_ok(&p);

	SSL_CTX_set_verify(client, SSL_VERIFY_NONE, NULL);
	assert_int_equal(SSL_CTX_set_max_proto_version(client, TLS1_2_VERSION), 1);
	assert_int_equal(handshake(tls_ctx(t), client, "10.0.0.1", &c), 0);
	session = SSL_get1_session(c.client);
	assert_non_null(session);
	assert_int_equal(SSL_SESSION_has_ticket(session), 1);
	conn_close(&c);

	memset(&c, 0, sizeof(c));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, c.fds), 0);
	c.client = SSL_new(client);
	c.server = SSL_new(tls_ctx(t));
	SSL_set_fd(c.client, c.fds[0]);
	SSL_set_fd(c.server, c.fds[1]);
	assert_int_equal(SSL_set_session(c.client, session), 1);
	for (int round = 0;
	     round < 100 && (!SSL_is_init_finished(c.client) || !SSL_is_init_finished(c.server)); round++) {
		if (!SSL_is_init_finished(c.client))
			SSL_connect(c.client);
		if (!SSL_is_init_finished(c.server))
			SSL_accept(c.server);
	}
	assert_int_equal(SSL_session_reused(c.client), 1);
	conn_close(&c);
	SSL_SESSION_free(session);
	SSL_CTX_free(client);
	tls_close(t);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(generated_at_first_start_and_reused_after),
		CASE(two_gateways_get_different_keys_and_serials),
		CASE(regenerated_when_the_portal_address_changes),
		CASE(stale_generated_pairs_are_replaced),
		CASE(generated_key_readable_by_others_is_refused),
		CASE(given_pair_is_loaded),
		CASE(given_rsa_pair_is_served),
		CASE(given_chain_is_served),
		CASE(mismatched_key_is_refused),
		CASE(expired_certificate_is_refused),
		CASE(future_certificate_is_refused),
		CASE(key_readable_by_others_is_refused),
		CASE(unusable_given_files_are_refused_with_reasons),
		CASE(bad_parameters_are_refused),
		CASE(handshake_verifies_address_name_and_fingerprint),
		CASE(tls12_is_the_floor),
		CASE(sessions_resume_by_ticket),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
