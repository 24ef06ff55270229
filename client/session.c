/*
 * The helper's session file: see session.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "paths.h"
#include "session.h"

#define SESSION_FILE "session.json"
#define COUNTER_FILE "keepalive.counter"

int session_unhex(const char *hex, uint8_t *out, size_t n)
{
	if (!hex || strlen(hex) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		if (!strchr("0123456789abcdefABCDEF", hex[2 * i]) || !hex[2 * i] ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]) || !hex[2 * i + 1] ||
		    sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static int write_private(const char *path, const char *text)
{
	char tmp[HELPER_PATH_MAX + 8];
	size_t len = strlen(text);
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		ret = errno ? -errno : -EIO;
	close(fd);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int session_token_valid(const char *token)
{
	return token && strlen(token) == 64 && strspn(token, "0123456789abcdefABCDEF") == 64;
}

int session_save(const struct helper_paths *p, const struct helper_session *s)
{
	char path[HELPER_PATH_MAX], key[2 * KEEPALIVE_KEY_LEN + 1];
	char *text;
	json_t *o;
	int ret = paths_mkdir(p->run_dir);

	if (ret)
		return ret;
	if (paths_join(path, sizeof(path), p->run_dir, SESSION_FILE))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < KEEPALIVE_KEY_LEN; i++)
		snprintf(key + 2 * i, 3, "%02x", s->ka_key[i]);
	o = json_pack("{s:s, s:I, s:s, s:{s:s, s:i, s:i, s:s}}", "origin", s->origin, "session",
		      (json_int_t)s->id, "token", s->token, "keepalive", "host", s->ka_host, "port",
		      s->ka_port, "interval_s", s->ka_interval_s, "key", key);
	text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	OPENSSL_cleanse(key, sizeof(key));
	if (!text)
		return -ENOMEM;
	ret = write_private(path, text);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	if (!ret) {
		/* A new session counts from 1. */
		if (!paths_join(path, sizeof(path), p->run_dir, COUNTER_FILE))
			unlink(path);
	}
	return ret;
}

int session_load(const struct helper_paths *p, struct helper_session *s)
{
	char path[HELPER_PATH_MAX];
	json_error_t jerr;
	json_t *o, *ka;
	const char *origin, *token, *host, *key;
	json_int_t id = 0;
	int port = 0, interval = 0, ret = -EINVAL;

	memset(s, 0, sizeof(*s));
	if (paths_join(path, sizeof(path), p->run_dir, SESSION_FILE))
		return -ENAMETOOLONG;
	if (access(path, F_OK))
		return -ENOENT;
	o = json_load_file(path, 0, &jerr);
	if (!o)
		return -EINVAL;
	if (json_unpack(o, "{s:s, s:I, s:s, s:o}", "origin", &origin, "session", &id, "token", &token,
			"keepalive", &ka) == 0 &&
	    json_unpack(ka, "{s:s, s:i, s:i, s:s}", "host", &host, "port", &port, "interval_s", &interval,
			"key", &key) == 0 &&
	    id > 0 && port > 0 && port < 65536 && interval > 0 && session_token_valid(token) &&
	    strlen(origin) < sizeof(s->origin) && strlen(host) < sizeof(s->ka_host) &&
	    session_unhex(key, s->ka_key, KEEPALIVE_KEY_LEN) == 0) {
		snprintf(s->origin, sizeof(s->origin), "%s", origin);
		snprintf(s->token, sizeof(s->token), "%s", token);
		snprintf(s->ka_host, sizeof(s->ka_host), "%s", host);
		s->id = (uint64_t)id;
		s->ka_port = port;
		s->ka_interval_s = interval;
		ret = 0;
	}
	json_decref(o);
	return ret;
}

void session_forget(const struct helper_paths *p)
{
	char path[HELPER_PATH_MAX];

	if (!paths_join(path, sizeof(path), p->run_dir, SESSION_FILE))
		unlink(path);
	if (!paths_join(path, sizeof(path), p->run_dir, COUNTER_FILE))
		unlink(path);
}

uint64_t session_next_counter(const struct helper_paths *p, int *err)
{
	char path[HELPER_PATH_MAX], text[32];
	unsigned long long last = 0, next;
	struct timespec now;
	FILE *f;

	*err = 0;
	if (paths_join(path, sizeof(path), p->run_dir, COUNTER_FILE)) {
		*err = -ENAMETOOLONG;
		return 0;
	}
	f = fopen(path, "re");
	if (f) {
		/* Digits only and in range; anything else counts as lost (the clock below takes over). */
		if (fgets(text, sizeof(text), f) && text[0] >= '0' && text[0] <= '9') {
			char *end;

			errno = 0;
			last = strtoull(text, &end, 10);
			/* Above the gateway's range (signed 64-bit): never accepted, so as good as lost. */
			if (errno || (*end && *end != '\n') || last > (unsigned long long)INT64_MAX)
				last = 0;
		}
		fclose(f);
	}
	/*
	 * Never below the clock in microseconds: a lost or damaged counter
	 * file then still gives counters the gateway has not seen.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	next = (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_nsec / 1000;
	if (next <= last)
		next = last + 1;
	/* The gateway keeps counters as signed 64-bit numbers: a session that ran out of them logs in again.
	 */
	if (next > (unsigned long long)INT64_MAX) {
		*err = -EOVERFLOW;
		return 0;
	}
	snprintf(text, sizeof(text), "%llu\n", next);
	*err = write_private(path, text);
	return *err ? 0 : next;
}
