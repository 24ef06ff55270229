/*
 * The helper's DHCP: see dhcp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dhcp.h"
#include "discover.h"
#include "netconf.h"
#include "paths.h"

#define SCRIPT_NAME "dhcp-script"
#define PID_NAME "dhcp.pid"

struct dhcp_client {
	const char *name;
	const char *path;
};

/* In order of preference: stock Debian's client first. */
static const struct dhcp_client clients[] = {
	{ "dhclient", "/sbin/dhclient" },
	{ "udhcpc", "/bin/busybox" },
};

static const struct dhcp_client *find_client(const char *name)
{
	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
		if (name && strcmp(name, clients[i].name))
			continue;
		if (access(clients[i].path, X_OK) == 0)
			return &clients[i];
	}
	return NULL;
}

/*
 * The client runs a script by path, with no arguments of ours and (for
 * dhclient) none of our environment: a two-line wrapper in RUN_DIR hands
 * the run directory and the client's name to this program.
 */
static int write_wrapper(const struct helper_paths *p, const char *client, char *path, size_t len)
{
	char self[HELPER_PATH_MAX], tmp[HELPER_PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f;

	if (n <= 0)
		return -errno;
	self[n] = '\0';
	if (strchr(self, '\'') || strchr(p->run_dir, '\''))
		return -EINVAL;
	if (paths_join(path, len, p->run_dir, SCRIPT_NAME))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "#!/bin/sh\nWICKET_HELPER_RUN_DIR='%s' exec '%s' dhcp-script %s \"$@\"\n", p->run_dir,
		self, client);
	if (fclose(f) || chmod(tmp, 0700) || rename(tmp, path))
		return -errno;
	return 0;
}

static int write_dhclient_conf(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	/* Option 114 by our own name: dhclient's tables call it default-url, an older meaning. */
	fputs("option wicket-captive-portal code 114 = text;\n"
	      "request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers,\n"
	      "\tdomain-search, interface-mtu, dhcp-lease-time, wicket-captive-portal;\n"
	      "timeout 20;\nretry 5;\n",
	      f);
	return fclose(f) ? -errno : 0;
}

int dhcp_obtain(const struct helper_paths *p, const char *ifname, const char *name, char *err, size_t errlen)
{
	const struct dhcp_client *c = find_client(name);
	char script[HELPER_PATH_MAX], pid[HELPER_PATH_MAX], conf[HELPER_PATH_MAX], leases[HELPER_PATH_MAX],
		lease[HELPER_PATH_MAX];
	struct dhcp_lease_info li;
	int ret, status;
	pid_t child;

	if (!c) {
		snprintf(err, errlen, "no DHCP client found (%s): install isc-dhcp-client",
			 name ? name : "dhclient or busybox udhcpc");
		return -ENOENT;
	}
	ret = paths_mkdir(p->run_dir);
	if (!ret)
		ret = write_wrapper(p, c->name, script, sizeof(script));
	if (ret || paths_join(pid, sizeof(pid), p->run_dir, PID_NAME) ||
	    paths_join(conf, sizeof(conf), p->run_dir, "dhclient.conf") ||
	    paths_join(leases, sizeof(leases), p->run_dir, "dhclient.leases") ||
	    paths_join(lease, sizeof(lease), p->run_dir, DHCP_LEASE_FILE)) {
		snprintf(err, errlen, "cannot prepare the DHCP client in %s: %s", p->run_dir,
			 strerror(ret ? -ret : ENAMETOOLONG));
		return ret ? ret : -ENAMETOOLONG;
	}
	if (!strcmp(c->name, "dhclient") && (ret = write_dhclient_conf(conf))) {
		snprintf(err, errlen, "cannot write %s: %s", conf, strerror(-ret));
		return ret;
	}
	dhcp_stop(p);
	unlink(lease);
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		if (!strcmp(c->name, "dhclient"))
			execl(c->path, "dhclient", "-1", "-4", "-q", "-cf", conf, "-lf", leases, "-pf", pid,
			      "-sf", script, ifname, (char *)NULL);
		else
			execl(c->path, "udhcpc", "-i", ifname, "-n", "-t", "5", "-T", "3", "-O", "114", "-p",
			      pid, "-s", script, (char *)NULL);
		_exit(127);
	}
	/* Both clients return once they hold a lease (and go on renewing in the background). */
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s got no lease on %s: is the venue's network plugged in?", c->name,
			 ifname);
		dhcp_stop(p);
		return -ETIMEDOUT;
	}
	if (dhcp_lease_read(p, &li) || strcmp(li.iface, ifname)) {
		snprintf(err, errlen, "%s ran but recorded no usable lease on %s", c->name, ifname);
		dhcp_stop(p);
		return -EPROTO;
	}
	return 0;
}

int dhcp_stop(const struct helper_paths *p)
{
	char path[HELPER_PATH_MAX];
	FILE *f;
	long pid = 0;

	if (paths_join(path, sizeof(path), p->run_dir, PID_NAME))
		return 1;
	f = fopen(path, "re");
	if (!f)
		return 1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	unlink(path);
	if (pid <= 1 || kill((pid_t)pid, SIGTERM))
		return 1;
	for (int i = 0; i < 50 && kill((pid_t)pid, 0) == 0; i++)
		usleep(20000);
	return 0;
}

static void lease_value(const char *line, const char *key, char *out, size_t len)
{
	size_t n = strlen(key);

	if (!strncmp(line, key, n) && line[n] == '=')
		snprintf(out, len, "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
}

int dhcp_lease_read(const struct helper_paths *p, struct dhcp_lease_info *out)
{
	char path[HELPER_PATH_MAX], line[512], prefix[8] = "";
	FILE *f;

	memset(out, 0, sizeof(*out));
	if (paths_join(path, sizeof(path), p->run_dir, DHCP_LEASE_FILE))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		lease_value(line, "iface", out->iface, sizeof(out->iface));
		lease_value(line, "addr", out->addr, sizeof(out->addr));
		lease_value(line, "prefixlen", prefix, sizeof(prefix));
		lease_value(line, "router", out->router, sizeof(out->router));
		lease_value(line, "dns", out->dns, sizeof(out->dns));
		lease_value(line, "captive_url", out->captive_url, sizeof(out->captive_url));
		lease_value(line, "client", out->client, sizeof(out->client));
	}
	fclose(f);
	out->prefixlen = atoi(prefix);
	return out->iface[0] && out->addr[0] ? 0 : -EINVAL;
}

/* --- the script side: values from the client's environment, checked. --- */

static int ipv4_ok(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1;
}

static int mask_to_prefix(const char *mask)
{
	struct in_addr a;
	uint32_t m;
	int n = 0;

	if (!mask || inet_pton(AF_INET, mask, &a) != 1)
		return -1;
	m = ntohl(a.s_addr);
	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return m ? -1 : n; /* a mask with holes is no mask */
}

/* udhcpc hands unknown options over as hex. */
static int unhex(const char *hex, char *out, size_t len)
{
	size_t n = strlen(hex), i;

	if (n % 2 || n / 2 >= len)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (char)b;
	}
	out[i] = '\0';
	return 0;
}

/* An API URL discovery can use (discover_origin's rules), and nothing a lease file line could not hold. */
static int url_ok(const char *s)
{
	char origin[200];

	for (const char *c = s; *c; c++)
		if (*c <= ' ' || *c >= 0x7f || *c == '"' || *c == '\'')
			return 0;
	return discover_origin(s, origin, sizeof(origin)) == 0;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

/* The lease as the client reported it, checked: 0, or -EINVAL naming the bad value. */
static int lease_from_env(const char *client, struct netconf_lease *l, char *captive, size_t clen, char *err,
			  size_t errlen)
{
	int dh = !strcmp(client, "dhclient");
	const char *ip = env(dh ? "new_ip_address" : "ip");
	const char *routers = env(dh ? "new_routers" : "router");
	const char *dns = env(dh ? "new_domain_name_servers" : "dns");
	const char *mtu = env(dh ? "new_interface_mtu" : "mtu");
	const char *lease = env(dh ? "new_dhcp_lease_time" : "lease");
	const char *search = env(dh ? "new_domain_search" : "search");
	const char *url = env(dh ? "new_wicket_captive_portal" : "opt114");
	char buf[256], *tok, *save = NULL;

	memset(l, 0, sizeof(*l));
	captive[0] = '\0';
	if (!ipv4_ok(ip)) {
		snprintf(err, errlen, "the DHCP server offered no valid address ('%s')", ip);
		return -EINVAL;
	}
	snprintf(l->addr, sizeof(l->addr), "%s", ip);
	l->prefixlen = mask_to_prefix(env(dh ? "new_subnet_mask" : "subnet"));
	if (l->prefixlen < 1 || l->prefixlen > 32) {
		snprintf(err, errlen, "the DHCP server's subnet mask is not a mask");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", routers);
	tok = strtok_r(buf, " ", &save);
	if (tok && !ipv4_ok(tok)) {
		snprintf(err, errlen, "the DHCP server's router '%s' is not an address", tok);
		return -EINVAL;
	}
	if (tok)
		snprintf(l->router, sizeof(l->router), "%s", tok);
	snprintf(buf, sizeof(buf), "%s", dns);
	for (tok = strtok_r(buf, " ", &save); tok && l->ndns < 4; tok = strtok_r(NULL, " ", &save)) {
		if (!ipv4_ok(tok)) {
			snprintf(err, errlen, "the DHCP server's DNS server '%s' is not an address", tok);
			return -EINVAL;
		}
		snprintf(l->dns[l->ndns++], sizeof(l->dns[0]), "%s", tok);
	}
	l->mtu = *mtu ? atoi(mtu) : 0;
	if (*mtu && (l->mtu < 576 || l->mtu > 65535)) {
		snprintf(err, errlen, "the DHCP server's MTU '%s' is out of range", mtu);
		return -EINVAL;
	}
	l->lease_s = *lease ? (uint32_t)strtoul(lease, NULL, 10) : 0;
	for (const char *s = search; *s; s++)
		if (!(*s == '.' || *s == '-' || *s == ' ' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) {
			search = "";
			break;
		}
	snprintf(l->search, sizeof(l->search), "%s", search);
	if (*url) {
		if (dh)
			snprintf(captive, clen, "%s", url);
		else if (unhex(url, captive, clen))
			captive[0] = '\0';
		if (!url_ok(captive))
			captive[0] = '\0'; /* ignored, not fatal: discovery falls back */
	}
	return 0;
}

static int write_lease(const struct helper_paths *p, const char *ifname, const char *client,
		       const struct netconf_lease *l, const char *captive)
{
	char path[HELPER_PATH_MAX], tmp[HELPER_PATH_MAX + 8];
	FILE *f;

	if (paths_join(path, sizeof(path), p->run_dir, DHCP_LEASE_FILE))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "iface=%s\nclient=%s\naddr=%s\nprefixlen=%d\nrouter=%s\nmtu=%d\nlease_s=%u\ndns=", ifname,
		client, l->addr, l->prefixlen, l->router, l->mtu, l->lease_s);
	for (size_t i = 0; i < l->ndns; i++)
		fprintf(f, "%s%s", i ? " " : "", l->dns[i]);
	fprintf(f, "\nsearch=%s\ncaptive_url=%s\nat=%lld\n", l->search, captive, (long long)time(NULL));
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, path))
		return -errno;
	return 0;
}

int dhcp_script_main(int argc, char **argv)
{
	struct helper_paths p;
	struct netconf_lease l;
	const char *client = argc > 1 ? argv[1] : "";
	const char *event = !strcmp(client, "dhclient") ? env("reason") : (argc > 2 ? argv[2] : "");
	const char *ifname = env("interface");
	char captive[256], err[1024];
	int ret;

	paths_init(&p);
	if (strcmp(client, "dhclient") && strcmp(client, "udhcpc")) {
		fprintf(stderr, "wicket-helper dhcp-script: run by the DHCP client, not by hand\n");
		return 2;
	}
	if (!*ifname || strlen(ifname) >= 16) {
		fprintf(stderr, "wicket-helper dhcp-script: no interface from %s\n", client);
		return 1;
	}
	if (strcmp(event, "bound") && strcmp(event, "renew") && strcmp(event, "BOUND") &&
	    strcmp(event, "RENEW") && strcmp(event, "REBIND") && strcmp(event, "REBOOT"))
		return 0; /* PREINIT, deconfig, release...: restore owns the interface's way back */
	ret = lease_from_env(client, &l, captive, sizeof(captive), err, sizeof(err));
	if (!ret)
		ret = netconf_apply_lease(ifname, &l, &p, err, sizeof(err));
	if (!ret && (ret = write_lease(&p, ifname, client, &l, captive)))
		snprintf(err, sizeof(err), "cannot record the lease in %s: %s", p.run_dir, strerror(-ret));
	if (ret) {
		fprintf(stderr, "wicket-helper: lease on %s not applied: %s\n", ifname, err);
		return 1;
	}
	return 0;
}
