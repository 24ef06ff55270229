/*
 * The helper's HTTPS client: see api.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "api.h"
#include "paths.h"

#define API_TIMEOUT_S 10L
#define API_MAX_JSON (1024 * 1024)
/* "sha256//" + base64 of 32 bytes (44) + NUL */
#define PIN_LEN (8 + 44 + 1)

struct api {
	CURL *curl;
	char origin[256];
	char ca_file[HELPER_PATH_MAX];
	char pin_file[HELPER_PATH_MAX];
	char pin[PIN_LEN];
	char bearer[128]; /* "Authorization: Bearer TOKEN" or "" */
	long timeout_s; /* to connect; a whole request may take 6 times as long */
};

struct sink {
	char *buf;
	size_t len, max;
	int too_long;
};

static size_t sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = size * n;
	char *nb;

	if (s->len + add > s->max) {
		s->too_long = 1;
		return 0;
	}
	nb = realloc(s->buf, s->len + add + 1);
	if (!nb)
		return 0;
	memcpy(nb + s->len, data, add);
	s->buf = nb;
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

/* "https://host:port" → "host_port", a file name for the pin. */
static void pin_name(const char *origin, char *out, size_t len)
{
	const char *s = strstr(origin, "://");
	size_t i = 0;

	for (s = s ? s + 3 : origin; *s && *s != '/' && i + 1 < len; s++)
		out[i++] = (*s == ':' || *s == '[' || *s == ']') ? '_' : *s;
	out[i] = '\0';
}

/* The pin ("sha256//BASE64") of a PEM certificate's public key. */
static int pin_of_pem(const char *pem, char out[PIN_LEN])
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1;
	int ret = -EPROTO;

	if (n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32) {
		memcpy(out, "sha256//", 8);
		EVP_EncodeBlock((unsigned char *)out + 8, md, 32);
		ret = 0;
	}
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return ret;
}

static void common_options(struct api *a, CURL *c)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, a->timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 6 * a->timeout_s);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* The gateway is on the link: a proxy would be wrong, whatever the environment says. */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wicket-helper/" WICKET_RELEASE);
	if (a->ca_file[0]) {
		curl_easy_setopt(c, CURLOPT_CAINFO, a->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	} else {
		/* A venue's portal certificate is its own: the pin is the trust. */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* Connect once without a pin and read the certificate the gateway presents. */
static int presented_pin(struct api *a, char out[PIN_LEN], char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	struct curl_certinfo *ci = NULL;
	char url[300];
	CURLcode rc;
	int ret = -EPROTO;

	if (!c)
		return -ENOMEM;
	common_options(a, c);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	snprintf(url, sizeof(url), "%s/", a->origin);
	curl_easy_setopt(c, CURLOPT_URL, url);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "cannot reach the gateway at %s: %s", a->origin,
			 curl_easy_strerror(rc));
		curl_easy_cleanup(c);
		return -EHOSTUNREACH;
	}
	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci && ci->num_of_certs > 0)
		for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next)
			if (!strncmp(s->data, "Cert:", 5))
				ret = pin_of_pem(s->data + 5, out);
	if (ret)
		snprintf(err, errlen, "the gateway at %s presented no readable certificate", a->origin);
	curl_easy_cleanup(c);
	return ret;
}

static int read_pin(const char *file, char out[PIN_LEN])
{
	FILE *f = fopen(file, "re");
	char line[128];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "sha256//", 8) && strlen(line) == PIN_LEN - 1) {
			memcpy(out, line, PIN_LEN);
			ret = 0;
		} else {
			ret = -EINVAL;
		}
	}
	fclose(f);
	return ret;
}

static int write_pin(const char *file, const char *pin)
{
	char tmp[HELPER_PATH_MAX + 8];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (dprintf(fd, "%s\n", pin) < 0 || fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && rename(tmp, file))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/* The pin to hold the gateway to: the stored one, or the presented one, stored now. */
static int establish_pin(struct api *a, char *err, size_t errlen)
{
	int ret = read_pin(a->pin_file, a->pin);

	if (ret == 0)
		return 0;
	if (ret != -ENOENT) {
		snprintf(err, errlen, "the pinned certificate %s is unreadable: remove it to pin anew",
			 a->pin_file);
		return ret;
	}
	ret = presented_pin(a, a->pin, err, errlen);
	if (ret)
		return ret;
	ret = write_pin(a->pin_file, a->pin);
	if (ret) {
		snprintf(err, errlen, "cannot store the gateway's certificate pin in %s: %s", a->pin_file,
			 strerror(-ret));
		return ret;
	}
	fprintf(stderr, "wicket-helper: trusting %s's certificate from now on (key %s)\n", a->origin,
		a->pin + 8);
	return 0;
}

int api_open(struct api **out, const struct helper_paths *paths, const char *origin, const char *ca_file,
	     char *err, size_t errlen)
{
	struct api *a;
	char dir[HELPER_PATH_MAX], name[128];
	int ret;

	if (strncmp(origin, "https://", 8) != 0 || strlen(origin) >= sizeof(a->origin)) {
		snprintf(err, errlen, "the gateway's API must be an https:// URL, not '%s'", origin);
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	snprintf(a->origin, sizeof(a->origin), "%s", origin);
	a->timeout_s = API_TIMEOUT_S;
	if (ca_file)
		snprintf(a->ca_file, sizeof(a->ca_file), "%s", ca_file);
	pin_name(origin, name, sizeof(name));
	if (paths_join(dir, sizeof(dir), paths->state_dir, "pins") ||
	    paths_join(a->pin_file, sizeof(a->pin_file), dir, name)) {
		snprintf(err, errlen, "the state directory's path is too long");
		free(a);
		return -ENAMETOOLONG;
	}
	a->curl = curl_easy_init();
	if (!a->curl) {
		free(a);
		return -ENOMEM;
	}
	if (!a->ca_file[0]) {
		ret = paths_mkdir(dir);
		if (ret) {
			snprintf(err, errlen, "cannot make %s: %s", dir, strerror(-ret));
			api_close(a);
			return ret;
		}
		ret = establish_pin(a, err, errlen);
		if (ret) {
			api_close(a);
			return ret;
		}
	}
	*out = a;
	return 0;
}

void api_set_timeout(struct api *a, long seconds)
{
	a->timeout_s = seconds > 0 ? seconds : API_TIMEOUT_S;
}

void api_set_token(struct api *a, const char *token)
{
	snprintf(a->bearer, sizeof(a->bearer), "Authorization: Bearer %s", token);
}

void api_close(struct api *a)
{
	if (!a)
		return;
	OPENSSL_cleanse(a->bearer, sizeof(a->bearer));
	curl_easy_cleanup(a->curl);
	free(a);
}

const char *api_origin(const struct api *a)
{
	return a->origin;
}

static int perform(struct api *a, const char *path, const char *post, size_t max_len, struct api_response *r,
		   char *err, size_t errlen)
{
	struct sink s = { .max = max_len };
	struct curl_slist *hdr = NULL;
	char url[512], presented[PIN_LEN];
	const char *ct = NULL;
	CURLcode rc;
	CURL *c = a->curl;

	memset(r, 0, sizeof(*r));
	if (path[0] != '/' || snprintf(url, sizeof(url), "%s%s", a->origin, path) >= (int)sizeof(url)) {
		snprintf(err, errlen, "bad API path '%s'", path);
		return -EINVAL;
	}
	curl_easy_reset(c);
	common_options(a, c);
	if (!a->ca_file[0])
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, a->pin);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	if (a->bearer[0])
		hdr = curl_slist_append(hdr, a->bearer);
	if (post) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
	}
	if (hdr)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		free(s.buf);
		if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
			if (presented_pin(a, presented, err, errlen))
				snprintf(presented, sizeof(presented), "unknown");
			snprintf(err, errlen,
				 "the gateway at %s presents a different certificate (key %s) from the one "
				 "trusted before (key %s): refusing it; if the venue really changed it, "
				 "remove %s",
				 a->origin, presented + (presented[0] == 's' ? 8 : 0), a->pin + 8,
				 a->pin_file);
			return -EPERM;
		}
		if (s.too_long)
			snprintf(err, errlen, "the gateway's answer to %s is longer than %zu bytes", path,
				 max_len);
		else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
			snprintf(err, errlen, "the gateway's certificate is not the venue's (%s): %s",
				 a->ca_file, curl_easy_strerror(rc));
		else
			snprintf(err, errlen, "cannot reach the gateway at %s: %s", a->origin,
				 curl_easy_strerror(rc));
		return rc == CURLE_PEER_FAILED_VERIFICATION ? -EPERM : -EHOSTUNREACH;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
	r->body = s.buf ? s.buf : strdup("");
	r->len = s.len;
	return r->body ? 0 : -ENOMEM;
}

int api_get(struct api *a, const char *path, size_t max_len, struct api_response *r, char *err, size_t errlen)
{
	return perform(a, path, NULL, max_len, r, err, errlen);
}

int api_post_json(struct api *a, const char *path, json_t *body, struct api_response *r, char *err,
		  size_t errlen)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int ret;

	if (!text)
		return -ENOMEM;
	ret = perform(a, path, text, API_MAX_JSON, r, err, errlen);
	free(text);
	return ret;
}

json_t *api_json(const struct api_response *r, const char *what, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *o = r->body ? json_loadb(r->body, r->len, 0, &jerr) : NULL;
	const char *msg;

	if (o && !json_is_object(o) && !json_is_array(o)) {
		json_decref(o);
		o = NULL;
	}
	if (r->status < 200 || r->status > 299) {
		msg = o ? json_string_value(json_object_get(o, "error")) : NULL;
		snprintf(err, errlen, "%s: the gateway answered %ld%s%s", what, r->status, msg ? ": " : "",
			 msg ? msg : "");
		json_decref(o);
		return NULL;
	}
	if (!o)
		snprintf(err, errlen, "%s: the gateway's answer is not JSON", what);
	return o;
}

void api_response_free(struct api_response *r)
{
	free(r->body);
	r->body = NULL;
}
