/*
 * The helper's components (see components.h): the Ed25519 signing key,
 * the stock components, the venue's own, and their signed manifest, read
 * once and then served from memory.
 */
#include "components.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define KEY_FILE_MAX (64 << 10)
#define CERT_FILE_MAX (1 << 20) /* as tls.c's PEM files */
#define PUBLIC_KEY_LEN 32
#define SIGNATURE_LEN 64

struct component {
	char name[COMPONENTS_NAME_MAX + 1];
	int64_t version; /* mtime, Unix seconds */
	size_t size;
	unsigned char sha256[SHA256_DIGEST_LENGTH];
	unsigned char *data;
};

struct components {
	unsigned int refs;
	struct component *items; /* sorted by name */
	size_t n;
	char *manifest;
	size_t manifest_len;
	char key[2 * PUBLIC_KEY_LEN + 2]; /* hex and "\n" */
	char sig[2 * SIGNATURE_LEN + 2];
};

/* A file found in one of the two directories, before it is read. */
struct candidate {
	char name[COMPONENTS_NAME_MAX + 1];
	int dirfd;
	const char *dir; /* for messages */
	int venue; /* from components_dir */
};

/* OpenSSL's reason for its last failure, and its error queue emptied. */
static const char *openssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return reason ? reason : "unknown error";
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

bool components_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || name[0] == '.')
		return false;
	for (; name[n]; n++) {
		char c = name[n];

		if (n >= COMPONENTS_NAME_MAX || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
						  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

/* ---- files */

/*
 * The whole of an open regular file of at most max bytes, NUL-terminated,
 * in a buffer to free (OPENSSL_clear_free when secret). *sb is its fstat.
 * -EINVAL: not a regular file; -EFBIG: over max; -EAGAIN: it changed size
 * while being read.
 */
static int read_fd(int fd, size_t max, bool secret, unsigned char **data, size_t *len, struct stat *sb)
{
	unsigned char *buf, extra;
	size_t size, got = 0;
	ssize_t n;

	if (fstat(fd, sb))
		return -errno;
	if (!S_ISREG(sb->st_mode))
		return -EINVAL;
	if (sb->st_size < 0 || (uint64_t)sb->st_size > max)
		return -EFBIG;
	size = (size_t)sb->st_size;
	buf = secret ? OPENSSL_zalloc(size + 1) : malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == size) {
		do
			n = read(fd, &extra, 1);
		while (n < 0 && errno == EINTR);
	}
	if (got != size || n != 0) {
		int ret = n < 0 ? -errno : -EAGAIN;

		if (secret)
			OPENSSL_clear_free(buf, size + 1);
		else
			free(buf);
		return ret;
	}
	buf[size] = '\0';
	*data = buf;
	*len = size;
	return 0;
}

/* read_fd() of dir/name; symbolic links followed only when follow. */
static int read_file_at(int dirfd, const char *name, bool follow, size_t max, bool secret,
			unsigned char **data, size_t *len, struct stat *sb)
{
	/* O_NONBLOCK: a FIFO must not block the open (it is refused after). */
	int ret, fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));

	if (fd < 0)
		return errno == ELOOP && !follow ? -EINVAL : -errno;
	ret = read_fd(fd, max, secret, data, len, sb);
	close(fd);
	return ret;
}

static int fsync_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0 || fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * dir/name := data, with mode: a temporary file (".NAME.new", never a
 * component's name), fsync, rename, fsync of the directory; a crash
 * leaves the old file or the new one.
 */
static int write_atomic(int dirfd, const char *dir, const char *name, const void *data, size_t len,
			mode_t mode, char *err, size_t errlen)
{
	char tmp[COMPONENTS_NAME_MAX + 32];
	size_t done = 0;
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), ".%s.new", name);
	/* Not O_TRUNC: a file left over from a crash keeps its mode, and a key must have 0600. */
	if (unlinkat(dirfd, tmp, 0) && errno != ENOENT)
		ret = -errno;
	fd = ret ? -1 : openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 && !ret)
		ret = -errno;
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	while (!ret && done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name))
		ret = -errno;
	if (ret) {
		unlinkat(dirfd, tmp, 0);
		snprintf(err, errlen, "components: cannot write %s/%s: %s (wicketd needs to write in %s)",
			 dir, name, strerror(-ret), dir);
		return ret;
	}
	ret = fsync_dir(dirfd);
	if (ret)
		snprintf(err, errlen, "components: cannot sync directory %s: %s", dir, strerror(-ret));
	return ret;
}

/* dir, made with mode when missing (its parent must exist); an open descriptor of it, or -errno. */
static int open_dir(const char *dir, mode_t mode, bool create, char *err, size_t errlen)
{
	int fd;

	if (create && mkdir(dir, mode) == 0) {
		/* Exactly mode, whatever the umask. */
		if (chmod(dir, mode))
			log_warn("components: cannot set mode %04o on %s: %s", (unsigned int)mode, dir,
				 strerror(errno));
	} else if (create && errno != EEXIST) {
		int ret = -errno;

		snprintf(err, errlen, "components: cannot create directory %s: %s", dir, strerror(errno));
		return ret;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int ret = -errno;

		snprintf(err, errlen, "components: cannot open directory %s: %s", dir, strerror(errno));
		return ret;
	}
	return fd;
}

/* ---- the signing key */

static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)asked = 1;
	return -1;
}

/* The key of an existing file; -ENOENT when there is none. */
static int read_key(int dirfd, const char *path, EVP_PKEY **key, char *err, size_t errlen)
{
	unsigned char *data;
	struct stat sb;
	size_t len;
	int asked = 0, ret,
	    fd = openat(dirfd, COMPONENTS_KEY_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	BIO *bio;

	if (fd < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			snprintf(err, errlen, "components key %s: cannot open it: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "components key %s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* As tls.c: a private key is its owner's only. */
	if (sb.st_mode & 0077) {
		snprintf(
			err, errlen,
			"components key %s: others than its owner may read or change it (mode %04o): make it "
			"the owner's only with: chmod 600 %s",
			path, (unsigned int)(sb.st_mode & 07777), path);
		close(fd);
		return -EPERM;
	}
	ret = read_fd(fd, KEY_FILE_MAX, true, &data, &len, &sb);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "components key %s: cannot read it: %s", path,
			 ret == -EFBIG ? "too large for a key" : strerror(-ret));
		return ret;
	}
	bio = BIO_new_mem_buf(data, (int)len);
	*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &asked) : NULL;
	BIO_free(bio);
	OPENSSL_clear_free(data, len + 1);
	if (*key && EVP_PKEY_get_id(*key) == EVP_PKEY_ED25519) {
		ERR_clear_error();
		return 0;
	}
	if (*key)
		snprintf(err, errlen,
			 "components key %s: a %s key, not Ed25519: give wicketd its own key back, or move "
			 "this file away and it makes a new one (helpers that trust the old key must then be "
			 "given the new one)",
			 path, EVP_PKEY_get0_type_name(*key) ? EVP_PKEY_get0_type_name(*key) : "foreign");
	else
		snprintf(err, errlen,
			 "components key %s: no private key in it (%s): expected an unencrypted PEM "
			 "\"-----BEGIN PRIVATE KEY-----\"; move the file away and wicketd makes a new one "
			 "(helpers that trust the old key must then be given the new one)",
			 path, asked ? "it is protected by a passphrase" : openssl_reason());
	EVP_PKEY_free(*key);
	*key = NULL;
	ERR_clear_error();
	return -EINVAL;
}

static int make_key(int dirfd, const char *dir, EVP_PKEY **key, char *err, size_t errlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	BIO *pem = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long len = 0;
	int ret = -EIO;

	*key = NULL;
	if (!ctx || !pem || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, key) <= 0 ||
	    !PEM_write_bio_PrivateKey(pem, *key, NULL, NULL, 0, NULL, NULL) ||
	    (len = BIO_get_mem_data(pem, &data)) <= 0) {
		snprintf(err, errlen, "components: cannot make an Ed25519 key: %s", openssl_reason());
		goto out;
	}
	ret = write_atomic(dirfd, dir, COMPONENTS_KEY_NAME, data, (size_t)len, 0600, err, errlen);
out:
	if (ret) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	BIO_free(pem);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/* ---- the stock components */

/* dir/name := data, unless it holds that already (so its mtime, the version, stays). */
static int put_stock(int dirfd, const char *dir, const char *name, const void *data, size_t len, char *err,
		     size_t errlen)
{
	unsigned char *old = NULL;
	size_t old_len = 0;
	struct stat sb;
	int ret = read_file_at(dirfd, name, false, len, false, &old, &old_len, &sb);
	bool same = !ret && old_len == len && !memcmp(old, data, len);

	free(old);
	if (same)
		return 0;
	ret = write_atomic(dirfd, dir, name, data, len, 0644, err, errlen);
	if (!ret)
		log_info("components: wrote %s/%s (%zu bytes)", dir, name, len);
	return ret;
}

/* Every certificate of the file, in order, as PEM. */
static int cert_pem(const char *path, char **out, size_t *out_len, char *err, size_t errlen)
{
	unsigned char *data;
	struct stat sb;
	size_t len, n = 0;
	int ret = read_file_at(AT_FDCWD, path, true, CERT_FILE_MAX, false, &data, &len, &sb);
	BIO *in, *pem;
	X509 *x;
	char *mem;
	long mem_len;

	if (ret) {
		snprintf(err, errlen, "components: portal certificate %s: cannot read it: %s", path,
			 ret == -EINVAL ? "not a regular file" : strerror(-ret));
		return ret;
	}
	in = BIO_new_mem_buf(data, (int)len);
	pem = BIO_new(BIO_s_mem());
	ret = -ENOMEM;
	if (!in || !pem) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (; (x = PEM_read_bio_X509(in, NULL, NULL, NULL)); n++) {
		int ok = PEM_write_bio_X509(pem, x);

		X509_free(x);
		if (!ok) {
			snprintf(err, errlen, "components: cannot encode certificate: %s", openssl_reason());
			ret = -EIO;
			goto out;
		}
	}
	ERR_clear_error();
	mem_len = BIO_get_mem_data(pem, &mem);
	if (!n || mem_len <= 0) {
		snprintf(err, errlen,
			 "components: portal certificate %s: no certificate in it: expected PEM, "
			 "\"-----BEGIN CERTIFICATE-----\"",
			 path);
		ret = -EINVAL;
		goto out;
	}
	*out = malloc((size_t)mem_len);
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(*out, mem, (size_t)mem_len);
	*out_len = (size_t)mem_len;
	ret = 0;
out:
	BIO_free(in);
	BIO_free(pem);
	free(data);
	return ret;
}

/* network.json: the same bytes for the same settings (sorted keys, fixed indentation). */
static char *network_json(const struct components_params *p)
{
	char api[256], *text, *out = NULL;
	json_t *o;

	snprintf(api, sizeof(api), "%s/api/v1", p->origin);
	o = json_pack("{s:s, s:s, s:[s], s:I, s:{s:i, s:I}}", "portal", p->origin, "api", api, "dns",
		      p->portal_host, "mtu", (json_int_t)p->mtu, "keepalive", "port", (int)p->keepalive_port,
		      "interval_s", (json_int_t)p->keepalive_interval);
	text = o ? json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
	if (text && asprintf(&out, "%s\n", text) < 0)
		out = NULL;
	free(text);
	json_decref(o);
	return out;
}

static int write_stock(const struct components_params *p, int dirfd, const char *dir, char *err,
		       size_t errlen)
{
	char *ca = NULL, *network = network_json(p), *conf = NULL;
	size_t ca_len = 0;
	int ret;

	if (!network || asprintf(&conf, "api = %s/api/v1\nkeepalive_interval = %u\n", p->origin,
				 p->keepalive_interval) < 0) {
		conf = NULL;
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	ret = cert_pem(p->cert_file, &ca, &ca_len, err, errlen);
	if (!ret)
		ret = put_stock(dirfd, dir, "ca.crt", ca, ca_len, err, errlen);
	if (!ret)
		ret = put_stock(dirfd, dir, "network.json", network, strlen(network), err, errlen);
	if (!ret)
		ret = put_stock(dirfd, dir, "helper.conf", conf, strlen(conf), err, errlen);
out:
	free(ca);
	free(network);
	free(conf);
	return ret;
}

/* ---- reading the components */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct candidate *)a)->name, ((const struct candidate *)b)->name);
}

static int component_by_name(const void *a, const void *b)
{
	return strcmp(((const struct component *)a)->name, ((const struct component *)b)->name);
}

/* Stock ones first (they are few and small): the venue's large files meet the caps, not ca.crt. */
static int stock_first(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->venue != y->venue)
		return x->venue - y->venue;
	return by_name(a, b);
}

struct scan {
	struct candidate *list;
	size_t n, size;
};

/* Adds the regular files of dir that can be components; a venue file replaces a stock one of its name. */
static int scan_dir(struct scan *s, int dirfd, const char *dir, int venue, char *err, size_t errlen)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int ret = 0;

	if (!d) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "components: cannot read directory %s: %s", dir, strerror(-ret));
		return ret;
	}
	while ((errno = 0, e = readdir(d))) {
		const char *name = e->d_name;
		struct candidate *c = NULL;
		struct stat sb;
		size_t len = strlen(name);

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		/* Our own temporary files (write_atomic) are no news. */
		if (!venue && name[0] == '.' && len > 5 && !strcmp(name + len - 4, ".new"))
			continue;
		if (!components_name_valid(name)) {
			log_warn("components: skipping %s/%s: a component's name is 1 to %d of A-Z a-z 0-9 . "
				 "_ -, not starting with '.'",
				 dir, name, COMPONENTS_NAME_MAX);
			continue;
		}
		if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW)) {
			log_warn("components: skipping %s/%s: %s", dir, name, strerror(errno));
			continue;
		}
		if (!S_ISREG(sb.st_mode)) {
			log_warn("components: skipping %s/%s: not a regular file", dir, name);
			continue;
		}
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->list[i].name, name))
				c = &s->list[i];
		if (!c) {
			if (s->n == s->size) {
				size_t size = s->size ? 2 * s->size : 16;
				struct candidate *list = realloc(s->list, size * sizeof(*list));

				if (!list) {
					ret = -ENOMEM;
					snprintf(err, errlen, "out of memory");
					break;
				}
				s->list = list;
				s->size = size;
			}
			c = &s->list[s->n++];
		}
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->dirfd = dirfd;
		c->dir = dir;
		c->venue = venue;
	}
	if (!ret && errno) {
		ret = -errno;
		snprintf(err, errlen, "components: cannot read directory %s: %s", dir, strerror(-ret));
	}
	closedir(d);
	return ret;
}

/* The candidates' bytes into c->items, within the caps; -ENOMEM is the only failure. */
static int read_components(struct components *c, struct scan *s)
{
	uint64_t total = 0;

	qsort(s->list, s->n, sizeof(*s->list), stock_first);
	c->items = calloc(s->n ? s->n : 1, sizeof(*c->items));
	if (!c->items)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct candidate *f = &s->list[i];
		struct component *item = &c->items[c->n];
		struct stat sb;
		int ret;

		if (c->n == COMPONENTS_COUNT_MAX) {
			log_warn("components: skipping %s/%s: there are more than %d components", f->dir,
				 f->name, COMPONENTS_COUNT_MAX);
			continue;
		}
		ret = read_file_at(f->dirfd, f->name, false, COMPONENTS_FILE_MAX, false, &item->data,
				   &item->size, &sb);
		if (ret == -ENOMEM)
			return ret;
		if (ret) {
			log_warn("components: skipping %s/%s: %s", f->dir, f->name,
				 ret == -EFBIG    ? "larger than 32 MiB"
				 : ret == -EINVAL ? "not a regular file"
				 : ret == -EAGAIN ? "it changed while it was read"
						  : strerror(-ret));
			continue;
		}
		if (total + item->size > COMPONENTS_TOTAL_MAX) {
			log_warn(
				"components: skipping %s/%s (%zu bytes): the components would be larger than "
				"64 MiB in all",
				f->dir, f->name, item->size);
			free(item->data);
			item->data = NULL;
			continue;
		}
		total += item->size;
		snprintf(item->name, sizeof(item->name), "%s", f->name);
		item->version = (int64_t)sb.st_mtime;
		SHA256(item->data, item->size, item->sha256);
		c->n++;
	}
	qsort(c->items, c->n, sizeof(*c->items), component_by_name);
	return 0;
}

/* ---- the manifest */

static int make_manifest(struct components *c, const char *origin, char *err, size_t errlen)
{
	json_t *list = json_array(), *m;
	char sha[2 * SHA256_DIGEST_LENGTH + 1], url[sizeof(COMPONENTS_URL_PREFIX) + COMPONENTS_NAME_MAX];
	int ok = list != NULL;

	for (size_t i = 0; ok && i < c->n; i++) {
		const struct component *item = &c->items[i];

		hex(item->sha256, sizeof(item->sha256), sha);
		snprintf(url, sizeof(url), "%s%s", COMPONENTS_URL_PREFIX, item->name);
		ok = !json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:I, s:s}", "name", item->name,
							    "version", (json_int_t)item->version, "sha256",
							    sha, "size", (json_int_t)item->size, "url", url));
	}
	m = ok ? json_pack("{s:i, s:s, s:I, s:O}", "format", COMPONENTS_FORMAT, "gateway", origin, "issued",
			   (json_int_t)time(NULL), "components", list)
	       : NULL;
	c->manifest = m ? json_dumps(m, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	json_decref(m);
	json_decref(list);
	if (!c->manifest) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->manifest_len = strlen(c->manifest);
	return 0;
}

static int sign(struct components *c, EVP_PKEY *key, char *err, size_t errlen)
{
	unsigned char pub[PUBLIC_KEY_LEN], sig[SIGNATURE_LEN];
	size_t pub_len = sizeof(pub), sig_len = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	/* Ed25519 hashes by itself: no digest, the whole message at once. */
	ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
	     EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)c->manifest, c->manifest_len) == 1 &&
	     sig_len == SIGNATURE_LEN && EVP_PKEY_get_raw_public_key(key, pub, &pub_len) == 1 &&
	     pub_len == PUBLIC_KEY_LEN;
	EVP_MD_CTX_free(md);
	if (!ok) {
		snprintf(err, errlen, "components: cannot sign the manifest: %s", openssl_reason());
		return -EIO;
	}
	hex(pub, sizeof(pub), c->key);
	strcat(c->key, "\n");
	hex(sig, sizeof(sig), c->sig);
	strcat(c->sig, "\n");
	return 0;
}

/* ---- the whole */

static int check_params(const struct components_params *p, char *err, size_t errlen)
{
	if (!p->state_dir || p->state_dir[0] != '/') {
		snprintf(err, errlen, "components: the state directory must be an absolute path");
		return -EINVAL;
	}
	if (!p->cert_file || !p->cert_file[0] || !p->origin || !p->origin[0] || !p->portal_host ||
	    !p->portal_host[0]) {
		snprintf(err, errlen, "components: the portal's certificate, origin and address are needed");
		return -EINVAL;
	}
	if (strlen(p->state_dir) + sizeof("/" COMPONENTS_DIR_NAME) > PATH_MAX) {
		snprintf(err, errlen, "components: state directory %s: path too long", p->state_dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

int components_open(const struct components_params *p, struct components **out, char *err, size_t errlen)
{
	char key_path[PATH_MAX + 32], stock_path[PATH_MAX + 32];
	int state_fd = -1, stock_fd = -1, venue_fd = -1, ret;
	struct scan scan = { 0 };
	struct components *c = NULL;
	EVP_PKEY *key = NULL;

	*out = NULL;
	ERR_clear_error();
	ret = check_params(p, err, errlen);
	if (ret)
		return ret;
	snprintf(key_path, sizeof(key_path), "%s/%s", p->state_dir, COMPONENTS_KEY_NAME);
	snprintf(stock_path, sizeof(stock_path), "%s/%s", p->state_dir, COMPONENTS_DIR_NAME);

	state_fd = ret = open_dir(p->state_dir, 0700, true, err, errlen);
	if (ret < 0)
		goto out;
	ret = read_key(state_fd, key_path, &key, err, errlen);
	if (ret == -ENOENT) {
		ret = make_key(state_fd, p->state_dir, &key, err, errlen);
		if (!ret)
			log_info("components: made the signing key %s (Ed25519)", key_path);
	}
	if (ret)
		goto out;

	stock_fd = ret = open_dir(stock_path, 0755, true, err, errlen);
	if (ret < 0)
		goto out;
	ret = write_stock(p, stock_fd, stock_path, err, errlen);
	if (ret)
		goto out;
	if (p->components_dir && p->components_dir[0]) {
		venue_fd = ret = open_dir(p->components_dir, 0, false, err, errlen);
		if (ret < 0) {
			snprintf(err, errlen, "components_dir %s: cannot open it: %s", p->components_dir,
				 strerror(-ret));
			goto out;
		}
	}

	ret = scan_dir(&scan, stock_fd, stock_path, 0, err, errlen);
	if (!ret && venue_fd >= 0)
		ret = scan_dir(&scan, venue_fd, p->components_dir, 1, err, errlen);
	if (ret)
		goto out;
	c = calloc(1, sizeof(*c));
	ret = c ? read_components(c, &scan) : -ENOMEM;
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = make_manifest(c, p->origin, err, errlen);
	if (!ret)
		ret = sign(c, key, err, errlen);
out:
	if (ret) {
		components_unref(c);
		c = NULL;
	} else {
		c->refs = 1;
		*out = c;
	}
	free(scan.list);
	EVP_PKEY_free(key);
	if (state_fd >= 0)
		close(state_fd);
	if (stock_fd >= 0)
		close(stock_fd);
	if (venue_fd >= 0)
		close(venue_fd);
	ERR_clear_error();
	return ret;
}

struct components *components_ref(struct components *c)
{
	c->refs++;
	return c;
}

void components_unref(struct components *c)
{
	if (!c || (c->refs && --c->refs))
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].data);
	free(c->items);
	free(c->manifest);
	free(c);
}

const char *components_key(const struct components *c, size_t *len)
{
	*len = strlen(c->key);
	return c->key;
}

const char *components_manifest(const struct components *c, size_t *len)
{
	*len = c->manifest_len;
	return c->manifest;
}

const char *components_signature(const struct components *c, size_t *len)
{
	*len = strlen(c->sig);
	return c->sig;
}

const unsigned char *components_file(const struct components *c, const char *name, size_t *len)
{
	struct component want, *item;

	if (!components_name_valid(name))
		return NULL;
	snprintf(want.name, sizeof(want.name), "%s", name);
	item = bsearch(&want, c->items, c->n, sizeof(*c->items), component_by_name);
	if (!item)
		return NULL;
	*len = item->size;
	return item->data;
}

size_t components_count(const struct components *c)
{
	return c->n;
}
