/*
 * Reading a save back (see netconf.h): the whole file is read and every
 * field checked before restore may change anything.
 */
#include "netconf_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"

struct check {
	char *why;
	size_t len;
};

static int bad(struct check *c, const char *fmt, const char *where, const char *key)
{
	snprintf(c->why, c->len, fmt, where, key);
	return -EINVAL;
}

static int get_str(struct check *c, json_t *o, const char *where, const char *key, char *out, size_t len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return bad(c, "%s has no text \"%s\"", where, key);
	if (json_string_length(v) >= len || strlen(json_string_value(v)) != json_string_length(v))
		return bad(c, "%s has too long a \"%s\"", where, key);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int get_int(struct check *c, json_t *o, const char *where, const char *key, long long min,
		   long long max, long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return bad(c, "%s has no number \"%s\"", where, key);
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(c, "%s has \"%s\" out of range", where, key);
	*out = json_integer_value(v);
	return 0;
}

static int get_bool(struct check *c, json_t *o, const char *where, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return bad(c, "%s has no true/false \"%s\"", where, key);
	*out = json_is_true(v);
	return 0;
}

static int get_family(struct check *c, json_t *o, const char *where, int *family)
{
	char f[8];

	if (get_str(c, o, where, "family", f, sizeof(f)))
		return -EINVAL;
	if (strcmp(f, "inet") && strcmp(f, "inet6"))
		return bad(c, "%s has an unknown \"%s\"", where, "family");
	*family = strcmp(f, "inet") == 0 ? AF_INET : AF_INET6;
	return 0;
}

/* An address of family in key ("" allowed if optional). */
static int get_ip(struct check *c, json_t *o, const char *where, const char *key, int family, int optional,
		  char *out)
{
	unsigned char buf[16];

	if (get_str(c, o, where, key, out, INET6_ADDRSTRLEN))
		return -EINVAL;
	if ((optional && !out[0]) || inet_pton(family, out, buf) == 1)
		return 0;
	return bad(c, "%s: \"%s\" is not an address", where, key);
}

static int load_addr(struct check *c, json_t *o, const char *where, struct netconf_addr *a)
{
	long long v[5];

	if (!json_is_object(o))
		return bad(c, "%s is not an object%s", where, "");
	if (get_family(c, o, where, &a->family) || get_ip(c, o, where, "address", a->family, 0, a->addr) ||
	    get_ip(c, o, where, "peer", a->family, 1, a->peer) ||
	    get_ip(c, o, where, "broadcast", a->family, 1, a->broadcast) ||
	    get_int(c, o, where, "prefixlen", 0, a->family == AF_INET ? 32 : 128, &v[0]) ||
	    get_int(c, o, where, "flags", 0, UINT32_MAX, &v[1]) ||
	    get_int(c, o, where, "valid_lft", 1, UINT32_MAX, &v[2]) ||
	    get_int(c, o, where, "preferred_lft", 0, UINT32_MAX, &v[3]) ||
	    get_int(c, o, where, "scope", 0, 255, &v[4]) ||
	    get_str(c, o, where, "label", a->label, sizeof(a->label)))
		return -EINVAL;
	if (v[3] > v[2])
		return bad(c, "%s is preferred for longer than it is valid%s", where, "");
	if (a->family == AF_INET6 && (a->label[0] || a->broadcast[0]))
		return bad(c, "%s is IPv6 with IPv4's %s", where, "label or broadcast");
	a->prefixlen = (int)v[0];
	a->flags = (uint32_t)v[1];
	a->valid_lft = (uint32_t)v[2];
	a->preferred_lft = (uint32_t)v[3];
	a->scope = (int)v[4];
	return 0;
}

static int load_route(struct check *c, json_t *o, const char *where, struct netconf_route *r)
{
	long long v[7];

	if (!json_is_object(o))
		return bad(c, "%s is not an object%s", where, "");
	if (get_family(c, o, where, &r->family) || get_ip(c, o, where, "dst", r->family, 0, r->dst) ||
	    get_ip(c, o, where, "gateway", r->family, 1, r->gateway) ||
	    get_ip(c, o, where, "prefsrc", r->family, 1, r->prefsrc) ||
	    get_int(c, o, where, "dst_len", 0, r->family == AF_INET ? 32 : 128, &v[0]) ||
	    get_int(c, o, where, "metric", 0, UINT32_MAX, &v[1]) ||
	    get_int(c, o, where, "protocol", 0, 255, &v[2]) || get_int(c, o, where, "scope", 0, 255, &v[3]) ||
	    get_int(c, o, where, "type", 1, RTN_MAX, &v[4]) ||
	    get_int(c, o, where, "table", 1, UINT32_MAX, &v[5]) ||
	    get_int(c, o, where, "flags", 0, RTNH_F_ONLINK, &v[6]))
		return -EINVAL;
	if (v[6] & ~(long long)RTNH_F_ONLINK)
		return bad(c, "%s has unknown %s", where, "flags");
	r->dst_len = (int)v[0];
	r->metric = (uint32_t)v[1];
	r->protocol = (int)v[2];
	r->scope = (int)v[3];
	r->type = (int)v[4];
	r->table = (uint32_t)v[5];
	r->flags = (uint32_t)v[6];
	return 0;
}

static int load_resolv(struct check *c, json_t *o, struct nc_resolv *r)
{
	const char *where = "resolv_conf";
	char kind[16];
	json_t *content = json_object_get(o, "content_base64");
	int ret;

	if (!json_is_object(o))
		return bad(c, "%s is missing or not an object%s", where, "");
	if (get_str(c, o, where, "path", r->path, sizeof(r->path)) ||
	    get_str(c, o, where, "kind", kind, sizeof(kind)) ||
	    get_str(c, o, where, "target", r->target, sizeof(r->target)))
		return -EINVAL;
	if (r->path[0] != '/')
		return bad(c, "%s: \"%s\" is not an absolute path", where, "path");
	if (strcmp(kind, "missing") == 0)
		r->kind = NC_RESOLV_MISSING;
	else if (strcmp(kind, "file") == 0)
		r->kind = NC_RESOLV_FILE;
	else if (strcmp(kind, "symlink") == 0 && r->target[0])
		r->kind = NC_RESOLV_SYMLINK;
	else
		return bad(c, "%s has an unknown \"%s\"", where, "kind");
	if (json_is_null(content) && r->kind != NC_RESOLV_FILE)
		return 0;
	if (!json_is_string(content) || r->kind == NC_RESOLV_MISSING)
		return bad(c, "%s has a wrong \"%s\"", where, "content_base64");
	ret = nc_b64_decode(json_string_value(content), json_string_length(content), &r->content, &r->len);
	if (ret == -ENOMEM)
		return bad(c, "out of memory%s%s", "", "");
	if (ret || r->len > NC_RESOLV_MAX) {
		nc_resolv_free(r);
		return bad(c, "%s: \"%s\" is not base64", where, "content_base64");
	}
	r->has_content = 1;
	return 0;
}

static int load(struct check *c, json_t *root, struct nc_saved *s)
{
	struct netconf_iface *i = &s->iface;
	json_t *link = json_object_get(root, "link"), *addrs = json_object_get(root, "addresses"),
	       *routes = json_object_get(root, "routes");
	char where[32];
	long long v;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(root))
		return bad(c, "it is %s%s", "not a JSON object", "");
	if (get_int(c, root, "the file", "version", NC_SAVE_VERSION, NC_SAVE_VERSION, &v) ||
	    get_str(c, root, "the file", "interface", i->name, sizeof(i->name)) ||
	    get_int(c, root, "the file", "ifindex", 1, INT32_MAX, &v))
		return -EINVAL;
	i->ifindex = (int)v;
	if (!i->name[0] || strchr(i->name, '/') || strchr(i->name, ' '))
		return bad(c, "%s has a wrong \"%s\"", "the file", "interface");
	if (get_int(c, root, "the file", "saved_at_boottime", 0, INT64_MAX, &s->saved_at))
		return -EINVAL;
	if (!json_is_object(link))
		return bad(c, "%s has no object \"%s\"", "the file", "link");
	if (get_bool(c, link, "link", "up", &i->up) || get_bool(c, link, "link", "carrier", &i->carrier) ||
	    get_int(c, link, "link", "mtu", 0, 1 << 20, &v) ||
	    get_str(c, link, "link", "mac", i->mac, sizeof(i->mac)))
		return -EINVAL;
	i->mtu = (int)v;
	if (!json_is_array(addrs) || json_array_size(addrs) > sizeof(i->addrs) / sizeof(i->addrs[0]))
		return bad(c, "%s has no list \"%s\" (or too long a one)", "the file", "addresses");
	if (!json_is_array(routes) || json_array_size(routes) > sizeof(i->routes) / sizeof(i->routes[0]))
		return bad(c, "%s has no list \"%s\" (or too long a one)", "the file", "routes");
	for (i->naddrs = 0; i->naddrs < json_array_size(addrs); i->naddrs++) {
		snprintf(where, sizeof(where), "address %zu", i->naddrs + 1);
		if (load_addr(c, json_array_get(addrs, i->naddrs), where, &i->addrs[i->naddrs]))
			return -EINVAL;
	}
	for (i->nroutes = 0; i->nroutes < json_array_size(routes); i->nroutes++) {
		snprintf(where, sizeof(where), "route %zu", i->nroutes + 1);
		if (load_route(c, json_array_get(routes, i->nroutes), where, &i->routes[i->nroutes]))
			return -EINVAL;
	}
	return load_resolv(c, json_object_get(root, "resolv_conf"), &s->resolv);
}

int nc_save_read(const char *path, struct nc_saved *s, char *err, size_t errlen)
{
	unsigned char *text = NULL;
	char why[256] = "";
	struct check c = { why, sizeof(why) };
	json_error_t jerr;
	json_t *root;
	size_t len;
	int ret = nc_read_bytes(path, NC_SAVE_MAX, &text, &len);

	memset(s, 0, sizeof(*s));
	if (ret == -ENOENT) {
		nc_err(err, errlen, "No network settings were saved, so there is nothing to restore.");
		return 1;
	}
	if (ret) {
		nc_err(err, errlen,
		       "The saved network settings (%s) cannot be read (%s); nothing was changed.", path,
		       strerror(-ret));
		return -EINVAL;
	}
	root = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!root) {
		nc_err(err, errlen,
		       "The saved network settings (%s) are damaged (%s, line %d); nothing was changed.",
		       path, jerr.text, jerr.line);
		return -EINVAL;
	}
	ret = load(&c, root, s);
	json_decref(root);
	if (ret) {
		nc_resolv_free(&s->resolv);
		nc_err(err, errlen, "The saved network settings (%s) are damaged (%s); nothing was changed.",
		       path, why);
	}
	return ret;
}

int netconf_saved(const struct helper_paths *p, char *ifname_out, size_t len)
{
	char path[HELPER_PATH_MAX + 32];
	struct nc_saved *s = malloc(sizeof(*s));
	struct stat st;
	int ret;

	if (ifname_out && len)
		ifname_out[0] = '\0';
	if (!s)
		return -ENOMEM;
	ret = nc_save_path(p, path, sizeof(path), NULL, 0);
	if (!ret && lstat(path, &st))
		ret = errno == ENOENT ? 0 : -errno;
	else if (!ret) {
		if (nc_save_read(path, s, NULL, 0) == 0 && ifname_out && len)
			snprintf(ifname_out, len, "%s", s->iface.name);
		nc_resolv_free(&s->resolv);
		ret = 1;
	}
	free(s);
	return ret;
}
