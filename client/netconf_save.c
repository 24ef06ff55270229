/*
 * Saving the guest's original settings in run_dir/saved-network.json (see
 * netconf.h): written once, atomically, never over an existing save. The
 * bytes of resolv.conf go in base64.
 */
#include "netconf_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"

long long nc_boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec;
}

/* --- base64 (resolv.conf's bytes, whatever they are) */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < len ? in[i + 2] : 0);

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int nc_b64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *o;
	size_t n = 0;

	if (len % 4)
		return -EINVAL;
	o = malloc(len / 4 * 3 + 1);
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			const char *c = in[i + k] ? strchr(b64, in[i + k]) : NULL;

			if (in[i + k] == '=' && i + 4 == len && k >= 2 && (k == 3 || in[i + 3] == '=')) {
				pad++;
				v <<= 6;
			} else if (c && !pad) {
				v = v << 6 | (uint32_t)(c - b64);
			} else {
				free(o);
				return -EINVAL;
			}
		}
		o[n++] = (unsigned char)(v >> 16);
		if (pad < 2)
			o[n++] = (unsigned char)(v >> 8);
		if (pad < 1)
			o[n++] = (unsigned char)v;
	}
	*out = o;
	*outlen = n;
	return 0;
}

/* --- writing */

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : "inet6";
}

static json_t *save_json(const struct netconf_iface *i, const struct nc_resolv *r)
{
	json_t *addrs = json_array(), *routes = json_array(), *resolv, *root;
	char *content = NULL;
	static const char *const kinds[] = { "missing", "file", "symlink" };

	for (size_t k = 0; k < i->naddrs; k++) {
		const struct netconf_addr *a = &i->addrs[k];

		json_array_append_new(
			addrs,
			json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:i, s:s}", "family",
				  family_name(a->family), "address", a->addr, "prefixlen", a->prefixlen,
				  "peer", a->peer, "broadcast", a->broadcast, "flags", (json_int_t)a->flags,
				  "valid_lft", (json_int_t)a->valid_lft, "preferred_lft",
				  (json_int_t)a->preferred_lft, "scope", a->scope, "label", a->label));
	}
	for (size_t k = 0; k < i->nroutes; k++) {
		const struct netconf_route *rt = &i->routes[k];

		json_array_append_new(routes,
				      json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:i, s:i, s:i, s:I, s:I}",
						"family", family_name(rt->family), "dst", rt->dst, "dst_len",
						rt->dst_len, "gateway", rt->gateway, "prefsrc", rt->prefsrc,
						"metric", (json_int_t)rt->metric, "protocol", rt->protocol,
						"scope", rt->scope, "type", rt->type, "table",
						(json_int_t)rt->table, "flags", (json_int_t)rt->flags));
	}
	if (r->has_content && !(content = b64_encode(r->content, r->len))) {
		json_decref(addrs);
		json_decref(routes);
		return NULL;
	}
	resolv = json_pack("{s:s, s:s, s:s, s:o}", "path", r->path, "kind", kinds[r->kind], "target",
			   r->target, "content_base64", content ? json_string(content) : json_null());
	free(content);
	root = json_pack("{s:i, s:s, s:s, s:i, s:I, s:{s:b, s:b, s:i, s:s}, s:o, s:o, s:o}", "version",
			 NC_SAVE_VERSION, "helper", WICKET_RELEASE, "interface", i->name, "ifindex",
			 i->ifindex, "saved_at_boottime", (json_int_t)nc_boottime(), "link", "up", i->up,
			 "carrier", i->carrier, "mtu", i->mtu, "mac", i->mac, "addresses", addrs, "routes",
			 routes, "resolv_conf", resolv);
	return root;
}

int nc_save_path(const struct helper_paths *p, char *out, size_t len, char *err, size_t errlen)
{
	if (paths_join(out, len, p->run_dir, NC_SAVE_NAME)) {
		nc_err(err, errlen, "The directory %s has too long a name.", p->run_dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* text into a new file at path, atomically; 1 if path exists already (left as it is). */
static int write_once(const char *dir, const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text), off = 0;
	ssize_t put;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, NC_SAVE_NAME) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp); /* 0600 */
	if (fd < 0) {
		ret = -errno;
		nc_err(err, errlen, "Could not save the network settings in %s: %s.", dir, strerror(-ret));
		return ret;
	}
	while (!ret && off < len) {
		put = write(fd, text + off, len - off);
		if (put < 0 && errno != EINTR)
			ret = -errno;
		else if (put > 0)
			off += (size_t)put;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	/* Never over an existing save: RENAME_NOREPLACE, or link() where that is missing. */
	if (!ret && renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)) {
		ret = -errno;
		if (ret == -EINVAL || ret == -ENOSYS)
			ret = link(tmp, path) ? -errno : 0;
	}
	unlink(tmp); /* still there unless renamed */
	if (ret == -EEXIST)
		return 1;
	if (ret)
		nc_err(err, errlen, "Could not save the network settings in %s: %s.", path, strerror(-ret));
	return ret;
}

int netconf_save(const struct helper_paths *p, const char *ifname, char *err, size_t errlen)
{
	struct netconf_iface *i = malloc(sizeof(*i));
	struct nc_resolv r = { 0 };
	char path[HELPER_PATH_MAX + 32], *text = NULL, *line = NULL;
	json_t *root = NULL;
	struct stat st;
	int ret;

	if (!i) {
		nc_err(err, errlen, "Out of memory.");
		return -ENOMEM;
	}
	ret = nc_save_path(p, path, sizeof(path), err, errlen);
	if (!ret && lstat(path, &st) == 0) {
		nc_err(err, errlen, "The original network settings are saved already (%s); they are kept.",
		       path);
		ret = 1;
	}
	if (!ret && (ret = paths_mkdir(p->run_dir)) != 0)
		nc_err(err, errlen, "Could not make the directory %s: %s.", p->run_dir, strerror(-ret));
	if (!ret)
		ret = netconf_read(ifname, i, err, errlen);
	if (!ret)
		ret = nc_resolv_snapshot(p->resolv_conf, &r, err, errlen);
	if (!ret && (!(root = save_json(i, &r)) || !(text = json_dumps(root, JSON_INDENT(1))))) {
		nc_err(err, errlen, "Out of memory.");
		ret = -ENOMEM;
	}
	if (!ret && (line = malloc(strlen(text) + 2)) == NULL) {
		nc_err(err, errlen, "Out of memory.");
		ret = -ENOMEM;
	}
	if (!ret)
		ret = write_once(p->run_dir, path, strcat(strcpy(line, text), "\n"), err, errlen);
	if (ret == 1)
		nc_err(err, errlen, "The original network settings are saved already (%s); they are kept.",
		       path);
	free(line);
	free(text);
	json_decref(root);
	nc_resolv_free(&r);
	free(i);
	return ret;
}
