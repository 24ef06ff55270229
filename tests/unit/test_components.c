/*
 * Unit tests of daemon/components.c: the signing key (made 0600, kept,
 * refused when others may read it), the stock components (rewritten only
 * when their content changes, so their versions stay), the venue's
 * components_dir (overrides, names, non-regular files, caps), and the
 * manifest and its signature, checked as a helper would. Every case works
 * in its own temporary directory (WICKET_KEEP_TMP=1 keeps it).
 */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <cmocka.h>

#include "components.h"
#include "tmp_tree.h"

#define OLD_TIME 1000000000 /* 2001-09-09: an mtime no write can give */

struct fixture {
	char dir[64];
	char state[128]; /* dir/tls, not created: components_open makes it */
	char stock[160]; /* dir/tls/components */
	char key[160]; /* dir/tls/components.key */
	char cert[128]; /* dir/portal.crt */
	char venue[128]; /* dir/venue, created */
	struct components_params p;
};

static char err[1024];

/* ---- helpers: files */

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text), 0644);
}

/* The whole file, NUL-terminated, to free. */
static char *read_all(const char *path, size_t *len)
{
	struct stat sb;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	buf[sb.st_size] = '\0';
	close(fd);
	if (len)
		*len = (size_t)sb.st_size;
	return buf;
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", dir, name) < len);
}

static time_t mtime_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mtime;
}

static mode_t mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static void set_old_mtime(const char *dir, const char *name)
{
	struct timespec t[2] = { { .tv_sec = OLD_TIME }, { .tv_sec = OLD_TIME } };
	char path[PATH_MAX];

	path_in(path, sizeof(path), dir, name);
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* ---- helpers: a certificate */

static X509 *make_cert(EVP_PKEY *key, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_non_null(name);
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
	assert_true(X509_set_subject_name(x, name) && X509_set_issuer_name(x, name));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -86400));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30));
	assert_true(X509_set_pubkey(x, key));
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	X509_NAME_free(name);
	return x;
}

/*
 * path := ncerts certificates (PEM), with the private key after the first
 * when with_key; what ca.crt must then be (the certificates alone) into
 * want, to free.
 */
static void write_cert_file(const char *path, int ncerts, bool with_key, char **want)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	BIO *file = BIO_new(BIO_s_mem()), *certs = BIO_new(BIO_s_mem());
	char *data;
	long len;

	assert_non_null(key);
	assert_non_null(file);
	assert_non_null(certs);
	assert_true(BIO_puts(file, "subject=CN = wicket portal\n") > 0);
	for (int i = 0; i < ncerts; i++) {
		X509 *x = make_cert(key, i ? "intermediate" : "wicket portal");

		assert_true(PEM_write_bio_X509(file, x));
		assert_true(PEM_write_bio_X509(certs, x));
		if (i == 0 && with_key)
			assert_true(PEM_write_bio_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL));
		X509_free(x);
	}
	len = BIO_get_mem_data(file, &data);
	write_file(path, data, (size_t)len, 0644);
	len = BIO_get_mem_data(certs, &data);
	*want = strndup(data, (size_t)len);
	assert_non_null(*want);
	BIO_free(file);
	BIO_free(certs);
	EVP_PKEY_free(key);
}

/* ---- the fixture */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *want;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/wicket-components-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->state, sizeof(f->state), "%s/tls", f->dir);
	snprintf(f->stock, sizeof(f->stock), "%s/%s", f->state, COMPONENTS_DIR_NAME);
	snprintf(f->key, sizeof(f->key), "%s/%s", f->state, COMPONENTS_KEY_NAME);
	snprintf(f->cert, sizeof(f->cert), "%s/portal.crt", f->dir);
	snprintf(f->venue, sizeof(f->venue), "%s/venue", f->dir);
	if (mkdir(f->venue, 0755))
		return -1;
	write_cert_file(f->cert, 1, false, &want);
	free(want);
	f->p = (struct components_params){
		.state_dir = f->state,
		.cert_file = f->cert,
		.origin = "https://10.0.1.1:8443",
		.portal_host = "10.0.1.1",
		.mtu = 1500,
		.keepalive_port = 4444,
		.keepalive_interval = 30,
	};
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

static struct components *open_ok(const struct components_params *p)
{
	struct components *c = NULL;
	int rc = components_open(p, &c, err, sizeof(err));

	if (rc)
		print_error("components_open: %d: %s\n", rc, err);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	return c;
}

/* components_open fails with want, and err holds each of the NULL-terminated fragments. */
static void open_fails(const struct components_params *p, int want, ...)
{
	struct components *c = (struct components *)&c;
	const char *fragment;
	va_list ap;

	err[0] = '\0';
	assert_int_equal(components_open(p, &c, err, sizeof(err)), want);
	assert_null(c);
	va_start(ap, want);
	while ((fragment = va_arg(ap, const char *))) {
		if (!strstr(err, fragment))
			print_error("message \"%s\" lacks \"%s\"\n", err, fragment);
		assert_non_null(strstr(err, fragment));
	}
	va_end(ap);
}

static json_t *manifest_of(const struct components *c)
{
	json_error_t jerr;
	size_t len;
	const char *m = components_manifest(c, &len);
	json_t *o = json_loadb(m, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!o)
		print_error("manifest is not JSON: %s\n", jerr.text);
	assert_non_null(o);
	return o;
}

/* The manifest's entry for name, or NULL. */
static json_t *entry_of(json_t *manifest, const char *name)
{
	json_t *list = json_object_get(manifest, "components"), *e;
	size_t i;

	json_array_foreach(list, i,
			   e) if (!strcmp(json_string_value(json_object_get(e, "name")), name)) return e;
	return NULL;
}

/* "a b c": the manifest's names in order, into buf. */
static const char *names_of(json_t *manifest, char *buf, size_t len)
{
	json_t *list = json_object_get(manifest, "components"), *e;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(list, i, e) used += (size_t)snprintf(
		buf + used, len - used, "%s%s", i ? " " : "", json_string_value(json_object_get(e, "name")));
	return buf;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void unhex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sscanf(s + 2 * i, "%2hhx", &out[i]), 1);
}

/* 1: the signature verifies for msg, 0: it does not; as a helper checks it. */
static int verifies(const char *key_hex, const char *sig_hex, const void *msg, size_t len)
{
	unsigned char pub[32], sig[64];
	EVP_PKEY *key;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	unhex(key_hex, pub, sizeof(pub));
	unhex(sig_hex, sig, sizeof(sig));
	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, sizeof(pub));
	assert_non_null(key);
	assert_non_null(md);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL, key), 1);
	ok = EVP_DigestVerify(md, sig, sizeof(sig), msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ok;
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

/* What was written since capture_stderr(), to free. */
static char *release_stderr(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	return read_all(captured, NULL);
}

/* ---- the key */

static void key_is_made_0600_and_kept(void **state)
{
	struct fixture *f = *state;
	struct components *c = open_ok(&f->p), *again;
	char first[80], *pem;
	const char *key;
	size_t len;

	key = components_key(c, &len);
	assert_int_equal(len, 65);
	assert_true(is_lower_hex(key, 64));
	assert_int_equal(key[64], '\n');
	snprintf(first, sizeof(first), "%s", key);
	assert_int_equal(mode_of(f->key), 0600);
	assert_int_equal(mode_of(f->state), 0700);
	assert_int_equal(mode_of(f->stock), 0755);
	pem = read_all(f->key, NULL);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
	free(pem);
	components_unref(c);

	/* The second start: the same key, so a helper that pinned it keeps trusting the gateway. */
	again = open_ok(&f->p);
	key = components_key(again, &len);
	assert_string_equal(key, first);
	assert_int_equal(mode_of(f->key), 0600);
	/* A reference keeps the bodies alive; the last one frees them (valgrind/ASan tell). */
	assert_ptr_equal(components_ref(again), again);
	components_unref(again);
	assert_string_equal(components_key(again, &len), first);
	components_unref(again);
	components_unref(NULL);
}

static void key_others_may_read_is_refused(void **state)
{
	struct fixture *f = *state;
	char want[300];

	components_unref(open_ok(&f->p));
	assert_int_equal(chmod(f->key, 0640), 0);
	snprintf(want, sizeof(want), "chmod 600 %s", f->key);
	open_fails(&f->p, -EPERM, f->key, "mode 0640", want, NULL);
	assert_int_equal(chmod(f->key, 0604), 0);
	open_fails(&f->p, -EPERM, want, NULL);
	/* Not replaced behind the venue's back: the same file, as it was. */
	assert_int_equal(mode_of(f->key), 0604);
	assert_int_equal(chmod(f->key, 0600), 0);
	components_unref(open_ok(&f->p));
}

static void unusable_key_files_are_refused(void **state)
{
	struct fixture *f = *state;
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;

	assert_int_equal(mkdir(f->state, 0700), 0);
	write_file(f->key, "not a key\n", 10, 0600);
	open_fails(&f->p, -EINVAL, f->key, "no private key", "move the file away", NULL);
	/* A key, but not one that can sign the manifest for the helpers. */
	assert_true(PEM_write_bio_PrivateKey(bio, ec, NULL, NULL, 0, NULL, NULL));
	len = BIO_get_mem_data(bio, &data);
	write_file(f->key, data, (size_t)len, 0600);
	open_fails(&f->p, -EINVAL, f->key, "not Ed25519", NULL);
	BIO_free(bio);
	EVP_PKEY_free(ec);
	/* A directory in its place. */
	assert_int_equal(unlink(f->key), 0);
	assert_int_equal(mkdir(f->key, 0700), 0);
	open_fails(&f->p, -EINVAL, f->key, "not a regular file", NULL);
}

/* ---- the stock components */

static void stock_components_are_written(void **state)
{
	struct fixture *f = *state;
	struct components *c = open_ok(&f->p);
	char path[PATH_MAX], *ca, *text;
	const unsigned char *data;
	size_t len, ca_len;
	json_t *net;

	/* ca.crt: the portal's certificate as PEM; served as it is on disk. */
	path_in(path, sizeof(path), f->stock, "ca.crt");
	ca = read_all(path, &ca_len);
	assert_non_null(strstr(ca, "-----BEGIN CERTIFICATE-----"));
	text = read_all(f->cert, NULL);
	assert_non_null(
		strstr(text, ca)); /* the certificate block of the file, without its "subject=" line */
	free(text);
	data = components_file(c, "ca.crt", &len);
	assert_non_null(data);
	assert_int_equal(len, ca_len);
	assert_memory_equal(data, ca, len);
	free(ca);
	assert_int_equal(mode_of(path), 0644);

	path_in(path, sizeof(path), f->stock, "helper.conf");
	text = read_all(path, NULL);
	assert_string_equal(text, "api = https://10.0.1.1:8443/api/v1\nkeepalive_interval = 30\n");
	free(text);

	path_in(path, sizeof(path), f->stock, "network.json");
	text = read_all(path, NULL);
	net = json_loads(text, 0, NULL);
	assert_non_null(net);
	assert_string_equal(json_string_value(json_object_get(net, "portal")), "https://10.0.1.1:8443");
	assert_string_equal(json_string_value(json_object_get(net, "api")), "https://10.0.1.1:8443/api/v1");
	assert_int_equal(json_array_size(json_object_get(net, "dns")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(net, "dns"), 0)), "10.0.1.1");
	assert_int_equal(json_integer_value(json_object_get(net, "mtu")), 1500);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(net, "keepalive"), "port")),
			 4444);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(net, "keepalive"), "interval_s")),
			 30);
	/* Deterministic bytes: sorted keys, two-space indentation. */
	assert_non_null(strstr(text, "{\n  \"api\": "));
	assert_true(strstr(text, "\"api\"") < strstr(text, "\"dns\"") &&
		    strstr(text, "\"dns\"") < strstr(text, "\"keepalive\"") &&
		    strstr(text, "\"mtu\"") < strstr(text, "\"portal\""));
	json_decref(net);
	free(text);
	components_unref(c);
}

static void stock_components_are_rewritten_only_when_they_change(void **state)
{
	struct fixture *f = *state;
	static const char *const stock[] = { "ca.crt", "network.json", "helper.conf" };
	char path[PATH_MAX], names[256], *want;
	struct components *c = open_ok(&f->p);
	json_t *m;

	components_unref(c);
	for (size_t i = 0; i < 3; i++)
		set_old_mtime(f->stock, stock[i]);

	/* The next start with the same settings: nothing written, the versions stay. */
	c = open_ok(&f->p);
	m = manifest_of(c);
	assert_string_equal(names_of(m, names, sizeof(names)), "ca.crt helper.conf network.json");
	for (size_t i = 0; i < 3; i++) {
		path_in(path, sizeof(path), f->stock, stock[i]);
		assert_int_equal(mtime_of(path), OLD_TIME);
		assert_int_equal(json_integer_value(json_object_get(entry_of(m, stock[i]), "version")),
				 OLD_TIME);
	}
	json_decref(m);
	components_unref(c);

	/* A new keepalive interval: helper.conf and network.json are new versions, ca.crt is not. */
	f->p.keepalive_interval = 45;
	c = open_ok(&f->p);
	m = manifest_of(c);
	path_in(path, sizeof(path), f->stock, "ca.crt");
	assert_int_equal(mtime_of(path), OLD_TIME);
	path_in(path, sizeof(path), f->stock, "helper.conf");
	assert_true(mtime_of(path) > OLD_TIME);
	assert_int_equal(json_integer_value(json_object_get(entry_of(m, "helper.conf"), "version")),
			 mtime_of(path));
	path_in(path, sizeof(path), f->stock, "network.json");
	assert_true(mtime_of(path) > OLD_TIME);
	json_decref(m);
	components_unref(c);

	/* A new certificate (a chain, and its key in the same file): ca.crt changes, to certificates only. */
	write_cert_file(f->cert, 2, true, &want);
	c = open_ok(&f->p);
	path_in(path, sizeof(path), f->stock, "ca.crt");
	assert_true(mtime_of(path) > OLD_TIME);
	{
		char *ca = read_all(path, NULL);

		assert_string_equal(ca, want);
		assert_null(strstr(ca, "PRIVATE KEY"));
		free(ca);
	}
	free(want);
	components_unref(c);

	/* A stock file edited by hand is put back as it should be. */
	path_in(path, sizeof(path), f->stock, "helper.conf");
	write_text(path, "api = https://evil.example/api/v1\n");
	c = open_ok(&f->p);
	want = read_all(path, NULL);
	assert_string_equal(want, "api = https://10.0.1.1:8443/api/v1\nkeepalive_interval = 45\n");
	free(want);
	components_unref(c);
}

static void missing_certificate_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unlink(f->cert), 0);
	open_fails(&f->p, -ENOENT, f->cert, "cannot read it", NULL);
	write_text(f->cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
	open_fails(&f->p, -EINVAL, f->cert, "no certificate in it", NULL);
}

/* ---- the venue's components */

static void components_dir_overrides_and_skips(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], names[512], *log;
	struct components *c;
	const unsigned char *data;
	size_t len;
	json_t *m;
	char name64[COMPONENTS_NAME_MAX + 1], name65[COMPONENTS_NAME_MAX + 2];

	memset(name64, 'a', COMPONENTS_NAME_MAX);
	name64[COMPONENTS_NAME_MAX] = '\0';
	memset(name65, 'b', COMPONENTS_NAME_MAX + 1);
	name65[COMPONENTS_NAME_MAX + 1] = '\0';

	f->p.components_dir = f->venue;
	path_in(path, sizeof(path), f->venue, "helper.conf");
	write_text(path, "api = https://portal.hotel.example/api/v1\nkeepalive_interval = 30\n");
	path_in(path, sizeof(path), f->venue, "wicket-helper_1.2.3-amd64.deb");
	write_text(path, "a newer helper");
	path_in(path, sizeof(path), f->venue, name64);
	write_text(path, "x");
	path_in(path, sizeof(path), f->venue, "empty");
	write_text(path, "");
	/* Not components: bad names, a directory, a symbolic link, a FIFO. */
	path_in(path, sizeof(path), f->venue, ".hidden");
	write_text(path, "x");
	path_in(path, sizeof(path), f->venue, "with space");
	write_text(path, "x");
	path_in(path, sizeof(path), f->venue, "caf\xc3\xa9");
	write_text(path, "x");
	path_in(path, sizeof(path), f->venue, name65);
	write_text(path, "x");
	path_in(path, sizeof(path), f->venue, "subdir");
	assert_int_equal(mkdir(path, 0755), 0);
	path_in(path, sizeof(path), f->venue, "link");
	assert_int_equal(symlink("helper.conf", path), 0);
	path_in(path, sizeof(path), f->venue, "network.json"); /* a link does not override either */
	assert_int_equal(symlink("/etc/passwd", path), 0);
	path_in(path, sizeof(path), f->venue, "fifo");
	assert_int_equal(mkfifo(path, 0644), 0);

	capture_stderr(f);
	c = open_ok(&f->p);
	log = release_stderr();
	m = manifest_of(c);
	snprintf(path, sizeof(path), "%s ca.crt empty helper.conf network.json wicket-helper_1.2.3-amd64.deb",
		 name64);
	assert_string_equal(names_of(m, names, sizeof(names)), path);
	for (const char *const *s = (const char *const[]){ ".hidden", "with space", "caf\xc3\xa9", name65,
							   "subdir", "link", "network.json", "fifo", NULL };
	     *s; s++) {
		char want[PATH_MAX];

		snprintf(want, sizeof(want), "skipping %s/%s", f->venue, *s);
		if (!strstr(log, want))
			print_error("no warning \"%s\" in:\n%s\n", want, log);
		assert_non_null(strstr(log, want));
	}
	free(log);

	/* The venue's helper.conf, not the stock one; the stock one stays on disk. */
	data = components_file(c, "helper.conf", &len);
	assert_non_null(data);
	assert_int_equal(len, strlen("api = https://portal.hotel.example/api/v1\nkeepalive_interval = 30\n"));
	assert_memory_equal(data, "api = https://portal.hotel.example/api/v1", 41);
	path_in(path, sizeof(path), f->stock, "helper.conf");
	assert_int_equal(access(path, F_OK), 0);
	data = components_file(c, "empty", &len);
	assert_non_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(json_integer_value(json_object_get(entry_of(m, "empty"), "size")), 0);
	assert_null(components_file(c, "subdir", &len));
	assert_null(components_file(c, ".hidden", &len));
	assert_null(components_file(c, "../components.key", &len));
	assert_null(components_file(c, "nothing", &len));
	json_decref(m);
	components_unref(c);

	/* A components_dir that is not there is an error: the venue's config names it. */
	path_in(path, sizeof(path), f->dir, "nowhere");
	f->p.components_dir = path;
	open_fails(&f->p, -ENOENT, "components_dir", path, NULL);
}

static void caps_skip_large_files(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], names[256], *log;
	struct components *c;
	json_t *m;
	int fd;

	f->p.components_dir = f->venue;
	/* Sparse files: sizes without the disk. */
	path_in(path, sizeof(path), f->venue, "a-too-large");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, COMPONENTS_FILE_MAX + 1), 0);
	close(fd);
	path_in(path, sizeof(path), f->venue, "b-32mib");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, COMPONENTS_FILE_MAX), 0);
	close(fd);
	/* With the stock files and b, this one would pass 64 MiB in all. */
	path_in(path, sizeof(path), f->venue, "c-32mib");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, COMPONENTS_FILE_MAX), 0);
	close(fd);
	path_in(path, sizeof(path), f->venue, "d-small");
	write_text(path, "small");

	capture_stderr(f);
	c = open_ok(&f->p);
	log = release_stderr();
	m = manifest_of(c);
	assert_string_equal(names_of(m, names, sizeof(names)),
			    "b-32mib ca.crt d-small helper.conf network.json");
	assert_int_equal(json_integer_value(json_object_get(entry_of(m, "b-32mib"), "size")),
			 COMPONENTS_FILE_MAX);
	assert_non_null(strstr(log, "a-too-large: larger than 32 MiB"));
	assert_non_null(strstr(log, "c-32mib"));
	assert_non_null(strstr(log, "64 MiB in all"));
	free(log);
	json_decref(m);
	components_unref(c);
}

static void count_cap_skips_the_last_files(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], name[32], *log;
	struct components *c;

	f->p.components_dir = f->venue;
	for (int i = 0; i < COMPONENTS_COUNT_MAX; i++) {
		snprintf(name, sizeof(name), "file-%03d", i);
		path_in(path, sizeof(path), f->venue, name);
		write_text(path, name);
	}
	capture_stderr(f);
	c = open_ok(&f->p);
	log = release_stderr();
	/* The stock ones first, then the venue's by name: the last three venue files do not fit. */
	assert_int_equal(components_count(c), COMPONENTS_COUNT_MAX);
	assert_non_null(components_file(c, "ca.crt", &(size_t){ 0 }));
	snprintf(name, sizeof(name), "file-%03d", COMPONENTS_COUNT_MAX - 4);
	assert_non_null(components_file(c, name, &(size_t){ 0 }));
	snprintf(name, sizeof(name), "file-%03d", COMPONENTS_COUNT_MAX - 3);
	assert_null(components_file(c, name, &(size_t){ 0 }));
	assert_non_null(strstr(log, name));
	assert_non_null(strstr(log, "more than 64 components"));
	free(log);
	components_unref(c);
}

/* ---- the manifest and its signature */

static void manifest_lists_every_component(void **state)
{
	struct fixture *f = *state;
	time_t before = time(NULL), after;
	char path[PATH_MAX], sha[65], url[128], names[256];
	const char *prev = "";
	struct components *c;
	json_t *m, *list, *e;
	size_t i, len;

	f->p.components_dir = f->venue;
	path_in(path, sizeof(path), f->venue, "Zebra.bin");
	write_file(path, "\x00\x01\x02\xff", 4, 0644);
	path_in(path, sizeof(path), f->venue, "apple-1.0.tar.gz");
	write_text(path, "an apple");
	c = open_ok(&f->p);
	after = time(NULL);
	m = manifest_of(c);

	assert_int_equal(json_object_size(m), 4);
	assert_int_equal(json_integer_value(json_object_get(m, "format")), 1);
	assert_string_equal(json_string_value(json_object_get(m, "gateway")), "https://10.0.1.1:8443");
	assert_true(json_integer_value(json_object_get(m, "issued")) >= before);
	assert_true(json_integer_value(json_object_get(m, "issued")) <= after);
	list = json_object_get(m, "components");
	assert_int_equal(json_array_size(list), 5);
	assert_int_equal(components_count(c), 5);
	/* Sorted by name, bytewise. */
	assert_string_equal(names_of(m, names, sizeof(names)),
			    "Zebra.bin apple-1.0.tar.gz ca.crt helper.conf network.json");
	json_array_foreach(list, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name"));
		const unsigned char *data = components_file(c, name, &len);
		char *disk;
		size_t disk_len;

		assert_int_equal(json_object_size(e), 5);
		assert_true(strcmp(prev, name) < 0);
		prev = name;
		path_in(path, sizeof(path), i < 2 ? f->venue : f->stock, name);
		disk = read_all(path, &disk_len);
		assert_non_null(data);
		assert_int_equal(len, disk_len);
		assert_memory_equal(data, disk, len);
		sha256_hex(disk, disk_len, sha);
		free(disk);
		assert_string_equal(json_string_value(json_object_get(e, "sha256")), sha);
		assert_int_equal(json_integer_value(json_object_get(e, "size")), disk_len);
		assert_int_equal(json_integer_value(json_object_get(e, "version")), mtime_of(path));
		snprintf(url, sizeof(url), "/api/v1/components/files/%s", name);
		assert_string_equal(json_string_value(json_object_get(e, "url")), url);
	}
	json_decref(m);
	components_unref(c);
}

static void signature_verifies_with_the_public_key(void **state)
{
	struct fixture *f = *state;
	struct components *c = open_ok(&f->p), *other;
	size_t key_len, sig_len, len;
	const char *key = components_key(c, &key_len), *sig = components_signature(c, &sig_len);
	const char *manifest = components_manifest(c, &len);
	char *copy;

	assert_int_equal(sig_len, 129);
	assert_true(is_lower_hex(sig, 128));
	assert_int_equal(sig[128], '\n');
	assert_true(len > 0);
	assert_int_equal(strlen(manifest), len);
	assert_true(verifies(key, sig, manifest, len));

	/* One byte changed anywhere, one byte more or less: no longer. */
	copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, manifest, len);
	copy[len / 2] ^= 0x01;
	assert_false(verifies(key, sig, copy, len));
	copy[len / 2] ^= 0x01;
	assert_true(verifies(key, sig, copy, len));
	copy[len] = ' ';
	assert_false(verifies(key, sig, copy, len + 1));
	assert_false(verifies(key, sig, copy, len - 1));
	free(copy);

	/* Another gateway's key does not verify this gateway's manifest. */
	f->p.state_dir = f->venue;
	other = open_ok(&f->p);
	assert_false(verifies(components_key(other, &key_len), sig, manifest, len));
	components_unref(other);
	components_unref(c);
}

static void names(void **state)
{
	char name64[COMPONENTS_NAME_MAX + 2];

	(void)state;
	assert_true(components_name_valid("ca.crt"));
	assert_true(components_name_valid("wicket-helper_1.2.3.tar.gz"));
	assert_true(components_name_valid("A"));
	assert_true(components_name_valid("a."));
	assert_true(components_name_valid("-a"));
	memset(name64, 'x', COMPONENTS_NAME_MAX);
	name64[COMPONENTS_NAME_MAX] = '\0';
	assert_true(components_name_valid(name64));
	name64[COMPONENTS_NAME_MAX] = 'x';
	name64[COMPONENTS_NAME_MAX + 1] = '\0';
	assert_false(components_name_valid(name64));
	assert_false(components_name_valid(""));
	assert_false(components_name_valid(NULL));
	assert_false(components_name_valid(".profile"));
	assert_false(components_name_valid("."));
	assert_false(components_name_valid(".."));
	assert_false(components_name_valid("a/b"));
	assert_false(components_name_valid("../key"));
	assert_false(components_name_valid("a b"));
	assert_false(components_name_valid("a%2fb"));
	assert_false(components_name_valid("caf\xc3\xa9"));
	assert_false(components_name_valid("a\n"));
}

static void bad_parameters_are_refused(void **state)
{
	struct fixture *f = *state;
	struct components_params p = f->p;

	p.state_dir = "relative/tls";
	open_fails(&p, -EINVAL, "absolute", NULL);
	p = f->p;
	p.origin = "";
	open_fails(&p, -EINVAL, "origin", NULL);
	/* The state directory's parent must exist. */
	p = f->p;
	p.state_dir = "/nonexistent-wicket-dir/tls";
	open_fails(&p, -ENOENT, "/nonexistent-wicket-dir/tls", NULL);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(key_is_made_0600_and_kept),
		CASE(key_others_may_read_is_refused),
		CASE(unusable_key_files_are_refused),
		CASE(stock_components_are_written),
		CASE(stock_components_are_rewritten_only_when_they_change),
		CASE(missing_certificate_is_refused),
		CASE(components_dir_overrides_and_skips),
		CASE(caps_skip_large_files),
		CASE(count_cap_skips_the_last_files),
		CASE(manifest_lists_every_component),
		CASE(signature_verifies_with_the_public_key),
		CASE(names),
		CASE(bad_parameters_are_refused),
	};

	return cmocka_run_group_tests_name("components", tests, NULL, NULL);
}
