/*
 * The portal's TLS: a key and certificate from the venue's files, or a
 * self-signed pair made and kept in the state directory; and the server
 * SSL_CTX built on them. See tls.h for what is refused and when a new
 * pair is made.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define DAY 86400
/* A certificate closer than this to its end is renewed (generated) or warned about (given). */
#define RENEW_DAYS 30
/* The most a PEM file may hold: a key, or a certificate and its chain. */
#define PEM_MAX (1 << 20)
#define SERIAL_LEN 16
#define TICKET_KEYS_LEN 80 /* OpenSSL's: name 16, HMAC 32, AES 32 */
#define SUBJECT_CN "wicket portal"
/* TLS 1.2's AEAD suites with forward secrecy, Mozilla's "intermediate" order without DHE. */
#define CIPHERS_TLS12                                                                                        \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"           \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

struct tls {
	SSL_CTX *ctx;
	X509 *cert;
	char fingerprint[TLS_FINGERPRINT_LEN];
	int64_t not_after;
	int self_signed;
	int generated;
	char cert_path[PATH_MAX];
};

/* A key, its certificate and the certificates above it (given files only). */
struct pair {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) * chain;
};

static void pair_free(struct pair *pair)
{
	EVP_PKEY_free(pair->key);
	X509_free(pair->cert);
	sk_X509_pop_free(pair->chain, X509_free);
	memset(pair, 0, sizeof(*pair));
}

/* OpenSSL's reason for its last failure, and its error queue emptied. */
static const char *openssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return reason ? reason : "unknown error";
}

static bool is_empty(const char *s)
{
	return !s || !*s;
}

/* SHA-256 of cert's DER as "AB:CD:...", into buf of TLS_FINGERPRINT_LEN. */
static int fingerprint(X509 *cert, char *buf)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (X509_digest(cert, EVP_sha256(), md, &len) != 1 || len != 32)
		return -1;
	for (unsigned int i = 0; i < len; i++)
		snprintf(buf + 3 * i, 4, "%02X%s", md[i], i + 1 < len ? ":" : "");
	return 0;
}

/* ---- names and times */

static bool is_ip(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/*
 * A host name as RFC 1123 has it: dot-separated labels of letters, digits
 * and inner hyphens, the last one not all digits (that would be a mistyped
 * address).
 */
static bool is_dns_name(const char *name)
{
	size_t len = strlen(name), label = 0;
	bool digits = true;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || name[i - 1] == '-' || (c == '\0' && digits))
				return false;
			label = 0;
			digits = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   (c == '-' && label > 0)) {
			label++;
			digits = digits && c >= '0' && c <= '9';
		} else {
			return false;
		}
	}
	return true;
}

static int check_params(const struct tls_params *p, char *err, size_t errlen)
{
	bool given_cert = !is_empty(p->cert_file), given_key = !is_empty(p->key_file);

	if (given_cert != given_key) {
		snprintf(err, errlen,
			 "TLS: a certificate needs its key and a key its certificate: give both "
			 "files, or neither and wicketd makes a self-signed pair");
		return -EINVAL;
	}
	if (!given_cert && (is_empty(p->state_dir) || p->state_dir[0] != '/')) {
		snprintf(err, errlen,
			 "TLS: no certificate given and no absolute state directory to keep a "
			 "generated one in");
		return -EINVAL;
	}
	if (p->nnames == 0 || p->nnames > TLS_MAX_NAMES || !p->names) {
		snprintf(err, errlen, "TLS: the certificate needs 1 to %d names, got %zu", TLS_MAX_NAMES,
			 p->nnames);
		return -EINVAL;
	}
	for (size_t i = 0; i < p->nnames; i++) {
		if (!p->names[i] || (!is_ip(p->names[i]) && !is_dns_name(p->names[i]))) {
			snprintf(
				err, errlen,
				"TLS: certificate name \"%s\" is neither a numeric IP address nor a DNS name "
				"(letters, digits, '-' and '.')",
				p->names[i] ? p->names[i] : "(null)");
			return -EINVAL;
		}
	}
	if (p->valid_days && (p->valid_days < TLS_VALID_DAYS_MIN || p->valid_days > TLS_VALID_DAYS_MAX)) {
		snprintf(err, errlen, "TLS: validity of %u days: expected %d to %d", p->valid_days,
			 TLS_VALID_DAYS_MIN, TLS_VALID_DAYS_MAX);
		return -EINVAL;
	}
	return 0;
}

/* The first of p's names that cert does not cover, or NULL when it covers them all. */
static const char *uncovered_name(X509 *cert, const struct tls_params *p)
{
	for (size_t i = 0; i < p->nnames; i++) {
		const char *name = p->names[i];
		int ok = is_ip(name)
				 ? X509_check_ip_asc(cert, name, 0)
				 : X509_check_host(cert, name, 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);

		if (ok != 1)
			return name;
	}
	ERR_clear_error();
	return NULL;
}

static int64_t asn1_seconds(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

/* "2035-06-01 12:00:00 UTC" */
static const char *format_time(int64_t seconds, char *buf, size_t len)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "@%lld", (long long)seconds);
	return buf;
}

/* ---- reading PEM files */

/*
 * The whole of a file of at most PEM_MAX bytes, in a buffer to be freed
 * with OPENSSL_clear_free(). A key file must be one only its owner can
 * read or change. Symbolic links are followed for the venue's files (a
 * certbot directory is made of them), not for the generated ones.
 */
static int read_pem_file(const char *what, const char *path, bool is_key, bool follow, char **data,
			 size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	size_t got = 0;
	char *buf;
	int ret, fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));

	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s %s: cannot open it: %s", what, path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
		close(fd);
		return -EINVAL;
	}
	if (is_key && (sb.st_mode & 0077)) {
		snprintf(err, errlen,
			 "%s %s: others than its owner may read or change it (mode %04o): make it the "
			 "owner's only with: chmod 600 %s",
			 what, path, (unsigned int)(sb.st_mode & 07777), path);
		close(fd);
		return -EPERM;
	}
	if (sb.st_size > PEM_MAX) {
		snprintf(err, errlen, "%s %s: %lld bytes is too large for a PEM file (at most %d)", what,
			 path, (long long)sb.st_size, PEM_MAX);
		close(fd);
		return -EFBIG;
	}
	buf = OPENSSL_zalloc((size_t)sb.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s %s: cannot read it: %s", what, path,
				 n < 0 ? strerror(errno) : "it became shorter");
			OPENSSL_clear_free(buf, (size_t)sb.st_size + 1);
			close(fd);
			return ret;
		}
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = got;
	return 0;
}

static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)asked = 1;
	return -1;
}

static int read_key(const char *path, bool follow, EVP_PKEY **key, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int asked = 0, ret = read_pem_file("TLS key", path, true, follow, &data, &len, err, errlen);
	BIO *bio;

	if (ret)
		return ret;
	bio = BIO_new_mem_buf(data, (int)len);
	*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &asked) : NULL;
	BIO_free(bio);
	OPENSSL_clear_free(data, len + 1);
	if (*key)
		return 0;
	if (asked)
		snprintf(err, errlen,
			 "TLS key %s: it is protected by a passphrase, which wicketd cannot type: store it "
			 "without (openssl pkey -in %s -out NEWFILE)",
			 path, path);
	else
		snprintf(err, errlen,
			 "TLS key %s: no private key in it (%s): expected PEM, \"-----BEGIN PRIVATE "
			 "KEY-----\"",
			 path, openssl_reason());
	ERR_clear_error();
	return -EINVAL;
}

/* The first certificate of the file, and the others, if any, as its chain. */
static int read_cert(const char *path, bool follow, struct pair *pair, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int ret = read_pem_file("TLS certificate", path, false, follow, &data, &len, err, errlen);
	BIO *bio;
	X509 *x;

	if (ret)
		return ret;
	ret = -ENOMEM;
	bio = BIO_new_mem_buf(data, (int)len);
	pair->chain = sk_X509_new_null();
	if (!bio || !pair->chain) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	pair->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!pair->cert) {
		snprintf(err, errlen,
			 "TLS certificate %s: no certificate in it (%s): expected PEM, \"-----BEGIN "
			 "CERTIFICATE-----\"",
			 path, openssl_reason());
		ret = -EINVAL;
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(pair->chain, x)) {
			X509_free(x);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	/* The end of the file, or a block that is not a certificate: the chain ends there. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
		snprintf(err, errlen, "TLS certificate %s: a certificate after the first is damaged: %s",
			 path, openssl_reason());
		ret = -EINVAL;
		goto out;
	}
	ERR_clear_error();
	ret = 0;
out:
	BIO_free(bio);
	OPENSSL_free(data);
	return ret;
}

static bool pair_matches(const struct pair *pair)
{
	bool ok = X509_check_private_key(pair->cert, pair->key) == 1;

	ERR_clear_error();
	return ok;
}

/* ---- the venue's pair */

static int load_given(const struct tls_params *p, struct pair *pair, char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL), from, until;
	char a[40], b[40], c[40];
	const char *missing;
	int ret;

	ret = read_key(p->key_file, true, &pair->key, err, errlen);
	if (!ret)
		ret = read_cert(p->cert_file, true, pair, err, errlen);
	if (ret)
		return ret;
	if (!pair_matches(pair)) {
		snprintf(err, errlen,
			 "TLS key %s does not belong to certificate %s (their public keys differ): give the "
			 "key the certificate was made for",
			 p->key_file, p->cert_file);
		return -EINVAL;
	}
	from = asn1_seconds(X509_get0_notBefore(pair->cert));
	until = asn1_seconds(X509_get0_notAfter(pair->cert));
	if (until <= now) {
		snprintf(err, errlen,
			 "TLS certificate %s expired on %s (valid from %s, now is %s): renew it, or give "
			 "none and wicketd makes a self-signed one",
			 p->cert_file, format_time(until, a, sizeof(a)), format_time(from, b, sizeof(b)),
			 format_time(now, c, sizeof(c)));
		return -EKEYEXPIRED;
	}
	if (from > now) {
		snprintf(err, errlen,
			 "TLS certificate %s is not valid before %s (now is %s): check the system clock, or "
			 "give a certificate valid now",
			 p->cert_file, format_time(from, a, sizeof(a)), format_time(now, b, sizeof(b)));
		return -EKEYEXPIRED;
	}
	if (until - now < RENEW_DAYS * DAY)
		log_warn("TLS certificate %s expires on %s: renew it soon", p->cert_file,
			 format_time(until, a, sizeof(a)));
	missing = uncovered_name(pair->cert, p);
	if (missing)
		log_warn("TLS certificate %s is not valid for %s: browsers reaching the portal by that "
			 "name will warn",
			 p->cert_file, missing);
	if (X509_check_purpose(pair->cert, X509_PURPOSE_SSL_SERVER, 0) != 1)
		log_warn("TLS certificate %s is not meant for a TLS server (its key usage): browsers may "
			 "refuse it",
			 p->cert_file);
	ERR_clear_error();
	return 0;
}

/* ---- the generated pair */

static int make_key(EVP_PKEY **key, char *err, size_t errlen)
{
	*key = EVP_EC_gen("P-256");
	if (!*key) {
		snprintf(err, errlen, "TLS: cannot make an ECDSA P-256 key: %s", openssl_reason());
		return -EIO;
	}
	return 0;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = ext && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A self-signed X.509v3 server certificate for key and p's names, from a day ago for days. */
static int make_cert(const struct tls_params *p, unsigned int days, EVP_PKEY *key, X509 **out, char *err,
		     size_t errlen)
{
	unsigned char serial[SERIAL_LEN];
	char san[TLS_MAX_NAMES * 260] = "";
	time_t now = time(NULL);
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *bn = NULL;
	size_t used = 0;
	int ok;

	for (size_t i = 0; i < p->nnames; i++)
		used += (size_t)snprintf(san + used, sizeof(san) - used, "%s%s:%s", i ? "," : "",
					 is_ip(p->names[i]) ? "IP" : "DNS", p->names[i]);
	/* Random, positive, never zero. */
	ok = RAND_bytes(serial, sizeof(serial)) == 1;
	serial[0] = (serial[0] & 0x7f) | 0x01;
	ok = ok && x && name && (bn = BN_bin2bn(serial, sizeof(serial), NULL)) &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, X509_VERSION_3) &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)SUBJECT_CN, -1, -1,
					0) &&
	     X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
	     X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, &now) &&
	     X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &now) && X509_set_pubkey(x, key) &&
	     !add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
	     !add_ext(x, NID_key_usage, "critical,digitalSignature") &&
	     !add_ext(x, NID_ext_key_usage, "serverAuth") &&
	     !add_ext(x, NID_subject_key_identifier, "hash") && !add_ext(x, NID_subject_alt_name, san) &&
	     X509_sign(x, key, EVP_sha256()) > 0;
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		snprintf(err, errlen, "TLS: cannot make a self-signed certificate: %s", openssl_reason());
		X509_free(x);
		return -EIO;
	}
	*out = x;
	return 0;
}

/* dir/name from a memory BIO: a temporary file, fsync, rename, so a crash leaves the old or the new. */
static int write_atomic(const char *dir, const char *name, BIO *bio, mode_t mode, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	char *data;
	long len = BIO_get_mem_data(bio, &data);
	size_t done = 0;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, name);
	/* Not O_TRUNC: a file left over from a crash keeps its mode, and a key must have 0600. */
	if (unlink(tmp) && errno != ENOENT)
		ret = -errno;
	fd = ret ? -1 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 && !ret)
		ret = -errno;
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	while (!ret && done < (size_t)len) {
		ssize_t n = write(fd, data + done, (size_t)len - done);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		snprintf(err, errlen, "TLS: cannot write %s: %s (wicketd needs to write in %s)", path,
			 strerror(-ret), dir);
	}
	return ret;
}

static int fsync_dir(const char *dir)
{
	int ret = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Key first: a crash between the renames leaves a pair that does not match, which is made anew. */
static int store_pair(const char *dir, const struct pair *pair, char *err, size_t errlen)
{
	BIO *key = BIO_new(BIO_s_secmem()), *cert = BIO_new(BIO_s_mem());
	int ret = -ENOMEM;

	if (!key || !cert || !PEM_write_bio_PrivateKey(key, pair->key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cert, pair->cert)) {
		snprintf(err, errlen, "TLS: cannot encode the new key and certificate: %s", openssl_reason());
		goto out;
	}
	ret = write_atomic(dir, TLS_KEY_NAME, key, 0600, err, errlen);
	if (!ret)
		ret = write_atomic(dir, TLS_CERT_NAME, cert, 0644, err, errlen);
	if (!ret && (ret = fsync_dir(dir)))
		snprintf(err, errlen, "TLS: cannot sync directory %s: %s", dir, strerror(-ret));
out:
	BIO_free(key);
	BIO_free(cert);
	return ret;
}

/*
 * Why the pair in the state directory cannot serve (a phrase for the log),
 * NULL when it can; or an error (key readable by others, a file that
 * cannot be opened for another reason than its absence) in *ret.
 */
static const char *stale_reason(const struct tls_params *p, const char *key_path, const char *cert_path,
				struct pair *pair, char *why, size_t whylen, int *ret, char *err,
				size_t errlen)
{
	int64_t now = (int64_t)time(NULL), from, until;
	const char *missing;
	char cert_err[512];

	*ret = read_key(key_path, false, &pair->key, err, errlen);
	if (*ret == -ENOENT) {
		*ret = 0;
		return "there was none";
	}
	if (*ret == -EINVAL) {
		log_warn("%s", err);
		*ret = 0;
		return "the key was unreadable";
	}
	if (*ret)
		return NULL;
	*ret = read_cert(cert_path, false, pair, cert_err, sizeof(cert_err));
	if (*ret == -ENOENT || *ret == -EINVAL) {
		bool absent = *ret == -ENOENT;

		*ret = 0;
		return absent ? "the certificate was missing" : "the certificate was unreadable";
	}
	if (*ret) {
		snprintf(err, errlen, "%s", cert_err);
		return NULL;
	}
	if (!pair_matches(pair))
		return "the key and certificate did not match";
	from = asn1_seconds(X509_get0_notBefore(pair->cert));
	until = asn1_seconds(X509_get0_notAfter(pair->cert));
	if (until - now < RENEW_DAYS * DAY)
		return until <= now ? "the old one expired" : "the old one was about to expire";
	if (from > now)
		return "the old one was not valid yet (the clock went back)";
	missing = uncovered_name(pair->cert, p);
	if (missing) {
		snprintf(why, whylen, "the old one did not cover %s", missing);
		return why;
	}
	return NULL;
}

static int load_generated(const struct tls_params *p, struct pair *pair, char *cert_path, size_t cert_pathlen,
			  char *err, size_t errlen)
{
	char key_path[PATH_MAX], why[320], until_text[40], fp[TLS_FINGERPRINT_LEN];
	unsigned int days = p->valid_days ? p->valid_days : TLS_VALID_DAYS;
	const char *reason;
	int ret;

	if ((size_t)snprintf(key_path, sizeof(key_path), "%s/%s", p->state_dir, TLS_KEY_NAME) >=
		    sizeof(key_path) - 4 ||
	    (size_t)snprintf(cert_path, cert_pathlen, "%s/%s", p->state_dir, TLS_CERT_NAME) >=
		    cert_pathlen - 4) {
		snprintf(err, errlen, "TLS: state directory %s: path too long", p->state_dir);
		return -ENAMETOOLONG;
	}
	if (mkdir(p->state_dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "TLS: cannot create state directory %s: %s", p->state_dir,
			 strerror(errno));
		return ret;
	}
	reason = stale_reason(p, key_path, cert_path, pair, why, sizeof(why), &ret, err, errlen);
	if (ret || !reason)
		return ret;

	pair_free(pair);
	ret = make_key(&pair->key, err, errlen);
	if (!ret)
		ret = make_cert(p, days, pair->key, &pair->cert, err, errlen);
	if (!ret)
		ret = store_pair(p->state_dir, pair, err, errlen);
	if (ret)
		return ret;
	if (fingerprint(pair->cert, fp))
		snprintf(fp, sizeof(fp), "unknown");
	log_info("TLS: made a self-signed certificate %s (%s), valid until %s, SHA-256 fingerprint %s",
		 cert_path, reason,
		 format_time(asn1_seconds(X509_get0_notAfter(pair->cert)), until_text, sizeof(until_text)),
		 fp);
	return 0;
}

/* ---- the context */

static int build_ctx(const struct pair *pair, const char *cert_path, SSL_CTX **out, char *err, size_t errlen)
{
	unsigned char ticket_keys[TICKET_KEYS_LEN];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int ok;

	if (!ctx) {
		snprintf(err, errlen, "TLS: cannot make a server context: %s", openssl_reason());
		return -ENOMEM;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
					 SSL_OP_NO_RENEGOTIATION);
	ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
	     SSL_CTX_set_cipher_list(ctx, CIPHERS_TLS12) &&
	     SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"wicket", 6);
	if (ok) {
		ok = RAND_priv_bytes(ticket_keys, sizeof(ticket_keys)) == 1 &&
		     SSL_CTX_set_tlsext_ticket_keys(ctx, ticket_keys, sizeof(ticket_keys)) == 1;
		OPENSSL_cleanse(ticket_keys, sizeof(ticket_keys));
	}
	if (!ok) {
		snprintf(err, errlen, "TLS: cannot set up the server context: %s", openssl_reason());
		SSL_CTX_free(ctx);
		return -EIO;
	}
	/* OpenSSL's security level may refuse a weak key or signature here (say, RSA under 2048 bits). */
	if (SSL_CTX_use_certificate(ctx, pair->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, pair->key) != 1 ||
	    (pair->chain && SSL_CTX_set1_chain(ctx, pair->chain) != 1) ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen,
			 "TLS certificate %s: OpenSSL will not serve it: %s (use an ECDSA P-256 or RSA "
			 "2048-bit key and a SHA-256 signature)",
			 cert_path, openssl_reason());
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	*out = ctx;
	return 0;
}

int tls_open(const struct tls_params *p, struct tls **out, char *err, size_t errlen)
{
	struct pair pair = { 0 };
	struct tls *t;
	int ret;

	*out = NULL;
	ERR_clear_error();
	ret = check_params(p, err, errlen);
	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->generated = is_empty(p->cert_file);
	if (t->generated) {
		ret = load_generated(p, &pair, t->cert_path, sizeof(t->cert_path), err, errlen);
	} else {
		snprintf(t->cert_path, sizeof(t->cert_path), "%s", p->cert_file);
		ret = load_given(p, &pair, err, errlen);
	}
	if (!ret)
		ret = build_ctx(&pair, t->cert_path, &t->ctx, err, errlen);
	if (!ret && fingerprint(pair.cert, t->fingerprint)) {
		snprintf(err, errlen, "TLS: cannot hash the certificate: %s", openssl_reason());
		ret = -EIO;
	}
	if (ret) {
		pair_free(&pair);
		tls_close(t);
		return ret;
	}
	t->not_after = asn1_seconds(X509_get0_notAfter(pair.cert));
	t->self_signed = X509_self_signed(pair.cert, 0) == 1;
	t->cert = pair.cert;
	pair.cert = NULL;
	pair_free(&pair);
	ERR_clear_error();
	*out = t;
	return 0;
}

void tls_close(struct tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	X509_free(t->cert);
	free(t);
}

SSL_CTX *tls_ctx(struct tls *t)
{
	return t->ctx;
}

const char *tls_fingerprint(struct tls *t)
{
	return t->fingerprint;
}

int64_t tls_not_after(struct tls *t)
{
	return t->not_after;
}

int tls_self_signed(struct tls *t)
{
	return t->self_signed;
}

int tls_generated(struct tls *t)
{
	return t->generated;
}

const char *tls_cert_path(struct tls *t)
{
	return t->cert_path;
}
