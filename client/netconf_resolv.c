/*
 * resolv.conf (see netconf.h): read, written in place, snapshotted and put
 * back byte for byte, as a file, as missing, or as a symbolic link.
 */
#include "netconf_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- bytes */

int nc_read_bytes(const char *path, size_t max, unsigned char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	unsigned char *b = malloc(cap), *nb;
	int fd, ret = 0;
	ssize_t got;

	*buf = NULL;
	*len = 0;
	if (!b)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(b);
		return ret;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max + 1) {
				ret = -EFBIG;
				break;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		got = read(fd, b + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (!ret && n > max)
		ret = -EFBIG;
	if (ret) {
		free(b);
		return ret;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int nc_write_in_place(const char *path, const void *buf, size_t len)
{
	const char *p = buf;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644), ret = 0;
	ssize_t put;

	if (fd < 0)
		return -errno;
	while (len > 0) {
		put = write(fd, p, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0) {
			ret = -errno;
			break;
		}
		p += put;
		len -= (size_t)put;
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* 1 if path holds exactly these bytes. */
static int holds(const char *path, const unsigned char *bytes, size_t len)
{
	unsigned char *now = NULL;
	size_t nowlen = 0;
	int same = nc_read_bytes(path, NC_RESOLV_MAX, &now, &nowlen) == 0 && nowlen == len &&
		   (len == 0 || memcmp(now, bytes, len) == 0);

	free(now);
	return same;
}

/* --- resolv.conf */

/* A name server's address, with a zone for a link-local IPv6 one ("fe80::1%eth0"). */
static int server_ok(const char *s)
{
	char a[INET6_ADDRSTRLEN + IFNAMSIZ + 1];
	unsigned char buf[16];
	char *zone;

	if (strlen(s) >= sizeof(a))
		return 0;
	strcpy(a, s);
	if (inet_pton(AF_INET, a, buf) == 1)
		return 1;
	zone = strchr(a, '%');
	if (zone) {
		*zone++ = '\0';
		if (!*zone)
			return 0;
		for (const char *z = zone; *z; z++)
			if (!isalnum((unsigned char)*z) && !strchr("._-", *z))
				return 0;
	}
	return inet_pton(AF_INET6, a, buf) == 1;
}

int nc_resolv_format(const char *const *servers, size_t n, const char *search, char **out, size_t *len)
{
	FILE *f;
	int bad = 0;

	*out = NULL;
	*len = 0;
	for (size_t k = 0; k < n; k++)
		if (!servers[k] || !server_ok(servers[k]))
			return -EINVAL;
	for (const char *s = search ? search : ""; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return -EINVAL;
	f = open_memstream(out, len);
	if (!f)
		return -ENOMEM;
	bad |= fprintf(f, "# Written by wicket-helper for the venue's network.\n"
			  "# Your own settings come back when you log out (wicket-helper restore).\n") < 0;
	for (size_t k = 0; k < n; k++)
		bad |= fprintf(f, "nameserver %s\n", servers[k]) < 0;
	if (search && *search)
		bad |= fprintf(f, "search %s\n", search) < 0;
	if (fclose(f) || bad) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int netconf_resolv_write(const char *path, const char *const *servers, size_t n, const char *search_or_null)
{
	char *text;
	size_t len;
	int ret = nc_resolv_format(servers, n, search_or_null, &text, &len);

	if (ret)
		return ret;
	ret = nc_write_in_place(path, text, len);
	free(text);
	return ret;
}

int netconf_resolv_servers(const char *path, char servers[][INET6_ADDRSTRLEN], size_t max, size_t *n)
{
	unsigned char *buf;
	size_t len;
	char *line, *save = NULL, *word;
	int ret = nc_read_bytes(path, NC_RESOLV_MAX, &buf, &len);

	*n = 0;
	if (ret)
		return ret;
	for (line = strtok_r((char *)buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (strncmp(line, "nameserver", 10) != 0 || !strchr(" \t", line[10]) || !line[10])
			continue;
		word = line + 10 + strspn(line + 10, " \t");
		word[strcspn(word, " \t\r#;")] = '\0';
		if (*n >= max || !server_ok(word) || strlen(word) >= INET6_ADDRSTRLEN)
			continue;
		strcpy(servers[(*n)++], word);
	}
	free(buf);
	return 0;
}

void nc_resolv_free(struct nc_resolv *r)
{
	free(r->content);
	r->content = NULL;
}

int nc_resolv_snapshot(const char *path, struct nc_resolv *r, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int ret;

	memset(r, 0, sizeof(*r));
	if (snprintf(r->path, sizeof(r->path), "%s", path) >= (int)sizeof(r->path)) {
		nc_err(err, errlen, "The path %s is too long.", path);
		return -ENAMETOOLONG;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT) {
			r->kind = NC_RESOLV_MISSING;
			return 0;
		}
		ret = -errno;
		nc_err(err, errlen, "Could not look at %s: %s.", path, strerror(-ret));
		return ret;
	}
	if (S_ISLNK(st.st_mode)) {
		r->kind = NC_RESOLV_SYMLINK;
		n = readlink(path, r->target, sizeof(r->target));
		if (n < 0 || (size_t)n >= sizeof(r->target)) {
			ret = n < 0 ? -errno : -ENAMETOOLONG;
			nc_err(err, errlen, "Could not read where %s points to: %s.", path, strerror(-ret));
			return ret;
		}
		r->target[n] = '\0';
	} else if (S_ISREG(st.st_mode)) {
		r->kind = NC_RESOLV_FILE;
	} else {
		nc_err(err, errlen, "%s is neither a file nor a symbolic link.", path);
		return -EINVAL;
	}
	ret = nc_read_bytes(path, NC_RESOLV_MAX, &r->content, &r->len);
	if (ret == -ENOENT && r->kind == NC_RESOLV_SYMLINK)
		return 0; /* a dangling link: that is all there is to remember */
	if (ret) {
		nc_err(err, errlen, "Could not read %s: %s.", path, strerror(-ret));
		return ret;
	}
	r->has_content = 1;
	return 0;
}

/* 1 if path is a symbolic link to target. */
static int links_to(const char *path, const char *target)
{
	char now[PATH_MAX];
	ssize_t n = readlink(path, now, sizeof(now));

	return n >= 0 && (size_t)n < sizeof(now) && strncmp(now, target, (size_t)n) == 0 && target[n] == '\0';
}

int nc_resolv_put_back(const struct nc_resolv *r, char *err, size_t errlen)
{
	struct stat st;
	int exists, wrong, ret;

	exists = lstat(r->path, &st) == 0;
	if (!exists && errno != ENOENT) {
		ret = -errno;
		nc_err(err, errlen, "Could not look at %s: %s.", r->path, strerror(-ret));
		return ret;
	}
	/* Something else than what was there goes (never the case after the helper's own writes). */
	switch (r->kind) {
	case NC_RESOLV_MISSING:
		wrong = exists;
		break;
	case NC_RESOLV_SYMLINK:
		wrong = exists && !(S_ISLNK(st.st_mode) && links_to(r->path, r->target));
		break;
	default:
		wrong = exists && S_ISLNK(st.st_mode);
		break;
	}
	if (wrong && unlink(r->path)) {
		ret = -errno;
		nc_err(err, errlen, "Could not remove %s to put the original back: %s.", r->path,
		       strerror(-ret));
		return ret;
	}
	if (r->kind == NC_RESOLV_SYMLINK && (wrong || !exists) && symlink(r->target, r->path)) {
		ret = -errno;
		nc_err(err, errlen, "Could not link %s to %s again: %s.", r->path, r->target, strerror(-ret));
		return ret;
	}
	if (r->kind == NC_RESOLV_MISSING || !r->has_content || holds(r->path, r->content, r->len))
		return 0;
	/* In place: through the link to its target, into a bind-mounted file. */
	ret = nc_write_in_place(r->path, r->content, r->len);
	if (ret)
		nc_err(err, errlen, "Could not put back the original %s: %s.", r->path, strerror(-ret));
	return ret;
}
