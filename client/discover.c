/*
 * Finding the gateway: see discover.h.
 */
#include <dirent.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api.h"
#include "dhcp.h"
#include "helper_conf.h"
#include "discover.h"
#include "netconf.h"
#include "paths.h"

#define GATEWAY_FILE "gateway"

int discover_origin(const char *url, char *origin, size_t len)
{
	const char *host, *end;

	if (strncmp(url, "https://", 8) != 0)
		return -EINVAL;
	host = url + 8;
	end = host + strcspn(host, "/?#");
	/* A host before any port: not "https://:8443", not "https://h:". */
	if (end == host || *host == ':' || end[-1] == ':' || (size_t)(end - url) >= len)
		return -EINVAL;
	for (const char *s = host; s < end; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == '@' || *s == '\\')
			return -EINVAL;
	snprintf(origin, len, "%.*s", (int)(end - url), url);
	return 0;
}

/* The last `option NAME "value";` of a dhclient lease file. */
static int dhclient_lease_url(const char *file, char *url, size_t len)
{
	static const char *const names[] = { "option wicket-captive-portal \"", "option default-url \"" };
	FILE *f = fopen(file, "re");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " \t");

		for (size_t i = 0; i < 2; i++) {
			size_t n = strlen(names[i]);

			if (!strncmp(s, names[i], n)) {
				snprintf(url, len, "%.*s", (int)strcspn(s + n, "\""), s + n);
				found = 1;
			}
		}
	}
	fclose(f);
	return found;
}

/* systemd-networkd: CAPTIVE_PORTAL=... in /run/systemd/netif/leases/IFINDEX. */
static int networkd_lease_url(const char *file, char *url, size_t len)
{
	FILE *f = fopen(file, "re");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CAPTIVE_PORTAL=", 15)) {
			snprintf(url, len, "%.*s", (int)strcspn(line + 15, "\n"), line + 15);
			found = 1;
		}
	fclose(f);
	return found;
}

static int scan_dir(const char *dir, const char *suffix, int (*read)(const char *, char *, size_t), char *url,
		    size_t len, char *source, size_t slen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char file[HELPER_PATH_MAX];
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name), s = strlen(suffix);

		if (e->d_name[0] == '.' || n < s || strcmp(e->d_name + n - s, suffix))
			continue;
		if (paths_join(file, sizeof(file), dir, e->d_name))
			continue;
		found = read(file, url, len) && discover_origin(url, (char[256]){ 0 }, 256) == 0;
		if (found)
			snprintf(source, slen, "DHCP option 114 in %s", file);
	}
	closedir(d);
	return found;
}

static int from_leases(const struct helper_paths *p, char *url, size_t len, char *source, size_t slen)
{
	struct helper_paths system = *p;
	struct dhcp_lease_info li;

	/* The helper's own lease, then the one root's `prepare` took for the machine. */
	snprintf(system.run_dir, sizeof(system.run_dir), "%s", HELPER_SYSTEM_RUN_DIR);
	if ((dhcp_lease_read(p, &li) == 0 || dhcp_lease_read(&system, &li) == 0) &&
	    discover_origin(li.captive_url, (char[200]){ 0 }, 200) == 0) {
		snprintf(url, len, "%s", li.captive_url);
		snprintf(source, slen, "DHCP option 114 (the helper's lease on %s)", li.iface);
		return 1;
	}
	return scan_dir("/var/lib/dhcp", ".leases", dhclient_lease_url, url, len, source, slen) ||
	       scan_dir("/run/systemd/netif/leases", "", networkd_lease_url, url, len, source, slen);
}

/* The venue's API as the helper's configuration names it (helper_conf.h). */
static int from_conf(const struct helper_paths *p, char *url, size_t len, char *source, size_t slen)
{
	struct helper_conf c;
	int found;

	helper_conf_load(p, &c);
	helper_conf_free(&c);
	found = c.api[0] && discover_origin(c.api, (char[200]){ 0 }, 200) == 0;
	if (found) {
		snprintf(url, len, "%s", c.api);
		snprintf(source, slen, "the helper's configuration (api = %s)", c.api);
	}
	return found;
}

/* The default gateway's plain-HTTP answer: a captive portal redirects to its page. */
static int from_default_gateway(char *url, size_t len, char *source, size_t slen, char *err, size_t errlen)
{
	char ifname[32], gw[64], probe[128];
	char *location = NULL;
	CURL *c;
	CURLcode rc;
	int ret = -ENOENT;

	if (netconf_default_route(AF_INET, ifname, sizeof(ifname), gw, sizeof(gw))) {
		snprintf(err, errlen,
			 "no DHCP lease names a portal and there is no default gateway to "
			 "ask: run `wicket-helper prepare` to take the venue's settings");
		return -ENOENT;
	}
	c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	snprintf(probe, sizeof(probe), "http://%s/", gw);
	curl_easy_setopt(c, CURLOPT_URL, probe);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
	    location && discover_origin(location, (char[256]){ 0 }, 256) == 0) {
		char origin[200];

		discover_origin(location, origin, sizeof(origin));
		snprintf(url, len, "%s/api/captive", origin);
		snprintf(source, slen, "the redirect of the default gateway %s (on %s)", gw, ifname);
		ret = 0;
	} else {
		snprintf(err, errlen,
			 "the default gateway %s (on %s) does not redirect to a portal (%s): is this the "
			 "venue's network? `wicket-helper prepare` takes the venue's settings",
			 gw, ifname, rc == CURLE_OK ? "no redirect to https" : curl_easy_strerror(rc));
	}
	curl_easy_cleanup(c);
	return ret;
}

static int save_gateway(const struct helper_paths *p, const struct gateway_info *g)
{
	char path[HELPER_PATH_MAX], tmp[HELPER_PATH_MAX + 8];
	FILE *f;
	int ret = paths_mkdir(p->run_dir);

	if (ret)
		return ret;
	if (paths_join(path, sizeof(path), p->run_dir, GATEWAY_FILE))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "origin=%s\ncaptive_url=%s\nportal=%s\nsource=%s\n", g->origin, g->captive_url, g->portal,
		g->source);
	if (fclose(f) || rename(tmp, path))
		return -errno;
	return 0;
}

static void value(const char *line, const char *key, char *out, size_t len)
{
	size_t n = strlen(key);

	if (!strncmp(line, key, n) && line[n] == '=')
		snprintf(out, len, "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
}

static int load_gateway(const struct helper_paths *p, struct gateway_info *g)
{
	char path[HELPER_PATH_MAX], line[512];
	FILE *f;

	memset(g, 0, sizeof(*g));
	if (paths_join(path, sizeof(path), p->run_dir, GATEWAY_FILE))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		value(line, "origin", g->origin, sizeof(g->origin));
		value(line, "captive_url", g->captive_url, sizeof(g->captive_url));
		value(line, "portal", g->portal, sizeof(g->portal));
		value(line, "source", g->source, sizeof(g->source));
	}
	fclose(f);
	return discover_origin(g->origin, (char[256]){ 0 }, 256);
}

int discover(const struct helper_paths *p, const char *api_url, const char *ca_file, struct gateway_info *g,
	     char *err, size_t errlen)
{
	struct api_response r;
	struct api *a;
	json_t *o;
	const char *portal;
	char path[256];
	int ret;

	memset(g, 0, sizeof(*g));
	if (api_url) {
		snprintf(g->captive_url, sizeof(g->captive_url), "%s", api_url);
		snprintf(g->source, sizeof(g->source), "--api");
	} else if (!from_leases(p, g->captive_url, sizeof(g->captive_url), g->source, sizeof(g->source)) &&
		   !from_conf(p, g->captive_url, sizeof(g->captive_url), g->source, sizeof(g->source))) {
		ret = from_default_gateway(g->captive_url, sizeof(g->captive_url), g->source,
					   sizeof(g->source), err, errlen);
		if (ret)
			return ret;
	}
	if (discover_origin(g->captive_url, g->origin, sizeof(g->origin))) {
		snprintf(err, errlen, "the portal API's URL '%s' (from %s) is not an https:// URL",
			 g->captive_url, g->source);
		return -EINVAL;
	}
	/* The RFC 8908 API itself, whatever path the URL gave. */
	snprintf(path, sizeof(path), "/api/captive");
	ret = api_open(&a, p, g->origin, ca_file, err, errlen);
	if (ret)
		return ret;
	ret = api_get(a, path, 64 * 1024, &r, err, errlen);
	api_close(a);
	if (ret)
		return ret;
	o = api_json(&r, "the portal's API", err, errlen);
	api_response_free(&r);
	if (!o)
		return -EPROTO;
	portal = json_string_value(json_object_get(o, "user-portal-url"));
	if (!portal || !json_is_boolean(json_object_get(o, "captive"))) {
		snprintf(err, errlen, "%s does not answer as a captive portal API (RFC 8908)", g->origin);
		json_decref(o);
		return -EPROTO;
	}
	snprintf(g->portal, sizeof(g->portal), "%s", portal);
	g->captive = json_is_true(json_object_get(o, "captive"));
	json_decref(o);
	snprintf(g->captive_url, sizeof(g->captive_url), "%s/api/captive", g->origin);
	ret = save_gateway(p, g);
	if (ret)
		fprintf(stderr, "wicket-helper: cannot keep what was found in %s: %s\n", p->run_dir,
			strerror(-ret));
	return 0;
}

int discover_cached(const struct helper_paths *p, const char *api_url, const char *ca_file,
		    struct gateway_info *g, char *err, size_t errlen)
{
	if (!api_url && load_gateway(p, g) == 0)
		return 0;
	return discover(p, api_url, ca_file, g, err, errlen);
}
