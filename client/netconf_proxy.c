/*
 * The proxies the guest has configured (see netconf.h): the environment,
 * /etc/environment, and apt's configuration.
 */
#include "netconf_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const proxy_vars[] = { "http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy" };

/* name is one of proxy_vars, all in lower or all in upper case. */
static int proxy_var(const char *name)
{
	for (size_t k = 0; k < sizeof(proxy_vars) / sizeof(proxy_vars[0]); k++) {
		size_t i;

		if (strcmp(name, proxy_vars[k]) == 0)
			return 1;
		for (i = 0; proxy_vars[k][i] && name[i] == toupper((unsigned char)proxy_vars[k][i]); i++)
			;
		if (!proxy_vars[k][i] && !name[i])
			return 1;
	}
	return 0;
}

struct proxies {
	struct netconf_proxy *out;
	size_t max, n;
};

static void add(struct proxies *p, const char *source, const char *name, const char *value)
{
	if (!value || !*value || p->n >= p->max)
		return;
	snprintf(p->out[p->n].source, sizeof(p->out[p->n].source), "%s", source);
	snprintf(p->out[p->n].name, sizeof(p->out[p->n].name), "%s", name);
	snprintf(p->out[p->n].value, sizeof(p->out[p->n].value), "%s", value);
	p->n++;
}

/* root + rel into buf; 0 if it does not fit. */
static int under_root(char *buf, size_t len, const char *rel)
{
	const char *root = getenv("WICKET_HELPER_ROOT");
	int n = snprintf(buf, len, "%s%s", root ? root : "", rel);

	return n > 0 && (size_t)n < len;
}

/* /etc/environment: KEY=VALUE lines (pam_env), values optionally quoted. */
static void from_environment_file(struct proxies *p)
{
	char path[PATH_MAX], *line = NULL, *key, *val, *end;
	size_t cap = 0, klen, vlen;
	FILE *f;

	if (!under_root(path, sizeof(path), "/etc/environment") || !(f = fopen(path, "re")))
		return;
	while (getline(&line, &cap, f) > 0) {
		key = line + strspn(line, " \t");
		if (strncmp(key, "export", 6) == 0 && (key[6] == ' ' || key[6] == '\t'))
			key += 6 + strspn(key + 6, " \t");
		klen = strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
		if (!klen || key[klen] != '=')
			continue;
		key[klen] = '\0';
		val = key + klen + 1;
		end = val + strlen(val);
		while (end > val && strchr(" \t\r\n", end[-1]))
			*--end = '\0';
		vlen = (size_t)(end - val);
		if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
			val[vlen - 1] = '\0';
			val++;
		}
		if (proxy_var(key))
			add(p, "/etc/environment", key, val);
	}
	free(line);
	fclose(f);
}

/* The apt options that name a proxy, as apt spells them. */
static const char *apt_option(const char *key)
{
	static const char *const opts[] = { "Acquire::http::Proxy", "Acquire::https::Proxy",
					    "Acquire::ftp::Proxy" };

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
		if (strcasecmp(key, opts[k]) == 0) /* apt's option names ignore case */
			return opts[k];
	return NULL;
}

/*
 * apt.conf(5): `A::B::C "value";`, also as nested blocks `A { B::C "v"; };`,
 * with comments (// ... , / * ... * /, # ...).
 */
static void parse_apt(struct proxies *p, const char *source, const char *s)
{
	char scope[512] = "", key[256] = "", full[800];
	size_t depth_len[16], depth = 0, n;
	const char *opt;

	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
		} else if (s[0] == '/' && s[1] == '/') {
			s += strcspn(s, "\n");
		} else if (s[0] == '#') {
			s += strcspn(s, "\n");
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e ? e + 2 : s + strlen(s);
		} else if (*s == '{') {
			if (depth < sizeof(depth_len) / sizeof(depth_len[0])) {
				depth_len[depth++] = strlen(scope);
				n = strlen(scope);
				snprintf(scope + n, sizeof(scope) - n, "%s%s", n ? "::" : "", key);
			}
			key[0] = '\0';
			s++;
		} else if (*s == '}') {
			if (depth)
				scope[depth_len[--depth]] = '\0';
			key[0] = '\0';
			s++;
		} else if (*s == ';') {
			key[0] = '\0';
			s++;
		} else {
			/* A word or a quoted string: the option's name, then its value. */
			char word[256];
			size_t len;

			if (*s == '"') {
				len = strcspn(s + 1, "\"");
				snprintf(word, sizeof(word), "%.*s", (int)len, s + 1);
				s += 1 + len + (s[1 + len] == '"');
			} else {
				len = strcspn(s, " \t\r\n{};\"");
				snprintf(word, sizeof(word), "%.*s", (int)len, s);
				s += len;
			}
			if (!key[0]) {
				snprintf(key, sizeof(key), "%s", word);
				continue;
			}
			snprintf(full, sizeof(full), "%s%s%s", scope, scope[0] ? "::" : "", key);
			if ((opt = apt_option(full)) != NULL)
				add(p, source, opt, word);
			key[0] = '\0';
		}
	}
}

static void from_apt_file(struct proxies *p, const char *rel)
{
	char path[PATH_MAX];
	unsigned char *text;
	size_t len;

	if (!under_root(path, sizeof(path), rel) || nc_read_bytes(path, NC_RESOLV_MAX, &text, &len))
		return;
	parse_apt(p, rel, (const char *)text);
	free(text);
}

/* The files apt reads from apt.conf.d: [A-Za-z0-9_.-] names, no extension or .conf. */
static int apt_part(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');

	if (d->d_name[0] == '.' || strspn(d->d_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						     "0123456789_.-") != strlen(d->d_name))
		return 0;
	return !dot || strcmp(dot, ".conf") == 0;
}

static int bytewise(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

size_t netconf_proxies(struct netconf_proxy *out, size_t max)
{
	struct proxies p = { .out = out, .max = max };
	struct dirent **names = NULL;
	char dir[PATH_MAX], rel[PATH_MAX];
	int n;

	for (size_t k = 0; k < sizeof(proxy_vars) / sizeof(proxy_vars[0]); k++) {
		char upper[16];
		size_t i;

		add(&p, "environment", proxy_vars[k], getenv(proxy_vars[k]));
		for (i = 0; proxy_vars[k][i] && i + 1 < sizeof(upper); i++)
			upper[i] = (char)toupper((unsigned char)proxy_vars[k][i]);
		upper[i] = '\0';
		add(&p, "environment", upper, getenv(upper));
	}
	from_environment_file(&p);
	from_apt_file(&p, "/etc/apt/apt.conf");
	if (!under_root(dir, sizeof(dir), "/etc/apt/apt.conf.d"))
		return p.n;
	n = scandir(dir, &names, apt_part, bytewise);
	for (int k = 0; k < n; k++) {
		if (snprintf(rel, sizeof(rel), "/etc/apt/apt.conf.d/%s", names[k]->d_name) < (int)sizeof(rel))
			from_apt_file(&p, rel);
		free(names[k]);
	}
	free(names);
	return p.n;
}
