/*
 * Configuration into the kernel, the store and the firewall.
 */
#include "gateway.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "components.h"
#include "log.h"
#include "radius.h"
#include "store.h"
#include "tls.h"

struct firewall_params gateway_firewall_params(const struct wicket_config *cfg)
{
	struct firewall_params p = {
		.portal_port = cfg->gateway.portal.port,
		.portal_tls_port = cfg->gateway.portal_tls_port,
		.dns_port = cfg->gateway.dns_port,
		.keepalive_port = cfg->keepalive.port,
		.mark = cfg->gateway.mark,
		.mark_mask = cfg->gateway.mark_mask,
	};

	snprintf(p.upstream, sizeof(p.upstream), "%s", cfg->gateway.upstream);
	snprintf(p.portal_addr, sizeof(p.portal_addr), "%s", cfg->gateway.portal.host);
	return p;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct stale_ports {
	const struct wicket_config *cfg;
	uint32_t ifindex[CONFIG_MAX_PORTS];
	size_t n;
};

/* Kernel ports that the configuration no longer names. */
static int collect_stale(const struct kernel_port *p, void *arg)
{
	struct stale_ports *stale = arg;
	char name[IF_NAMESIZE];

	if (!if_indextoname(p->ifindex, name) || !config_port(stale->cfg, name))
		if (stale->n < CONFIG_MAX_PORTS)
			stale->ifindex[stale->n++] = p->ifindex;
	return 0;
}

int gateway_port_apply(struct gateway *gw, const struct wicket_config_port *port, unsigned int ifindex,
		       char *err, size_t errlen)
{
	struct store_port now;
	int ret;

	/* The store first: it says whether staff changed the port since. */
	ret = store_port_configure(gw->store, port->ifname, port->room, port->mode, now_ms());
	if (!ret)
		ret = store_port_get(gw->store, port->ifname, &now);
	if (ret) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return ret;
	}
	ret = kernel_port_set(gw->kernel, ifindex, (uint8_t)now.mode);
	if (ret)
		snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
	return ret;
}

int gateway_apply(struct gateway *gw, const struct wicket_config *cfg, char *err, size_t errlen)
{
	static struct stale_ports stale;
	struct kernel_config kc = { .has = KERNEL_CONFIG_HAS_MARK };
	unsigned int ifindex[CONFIG_MAX_PORTS];
	int ret;

	/* Every interface first: a missing one changes nothing. */
	for (size_t i = 0; i < cfg->nports; i++) {
		ifindex[i] = if_nametoindex(cfg->ports[i].ifname);
		if (!ifindex[i]) {
			snprintf(err, errlen, "%s:%u: [port %s]: no such interface", gw->config_path,
				 cfg->ports[i].line, cfg->ports[i].ifname);
			return -ENODEV;
		}
	}
	if (!if_nametoindex(cfg->gateway.upstream)) {
		snprintf(err, errlen, "%s: [gateway] upstream: no such interface \"%s\"", gw->config_path,
			 cfg->gateway.upstream);
		return -ENODEV;
	}

	kc.mark = cfg->gateway.mark;
	kc.mark_mask = cfg->gateway.mark_mask;
	ret = kernel_config_set(gw->kernel, &kc);
	if (ret) {
		snprintf(err, errlen, "setting the captive mark: %s", kernel_error(gw->kernel));
		return ret;
	}
	for (size_t i = 0; i < cfg->nports; i++) {
		char why[256];

		ret = gateway_port_apply(gw, &cfg->ports[i], ifindex[i], why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "%s:%u: [port %s]: %s", gw->config_path, cfg->ports[i].line,
				 cfg->ports[i].ifname, why);
			return ret;
		}
	}
	stale.cfg = cfg;
	stale.n = 0;
	ret = kernel_port_dump(gw->kernel, collect_stale, &stale);
	for (size_t i = 0; !ret && i < stale.n; i++) {
		log_info("interface %u is no access port any more", stale.ifindex[i]);
		ret = kernel_port_del(gw->kernel, stale.ifindex[i]);
	}
	if (ret)
		snprintf(err, errlen, "removing old access ports: %s", kernel_error(gw->kernel));
	return ret;
}

int gateway_radius_open(struct gateway *gw, char *err, size_t errlen)
{
	const struct wicket_config *cfg = gw->config;
	struct radius_params p = { 0 };
	char secret[RADIUS_SECRET_MAX + 3], host[64] = "";
	ssize_t n;
	int fd, ret;

	if (!cfg->radius.host[0])
		return 0;
	fd = open(cfg->radius.secret_file, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, secret, sizeof(secret));
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "RADIUS secret %s: %s", cfg->radius.secret_file,
			 n == 0 ? "empty" : strerror(errno));
		return n == 0 ? -EINVAL : -errno;
	}
	gethostname(host, sizeof(host) - 1);
	p.auth_host = cfg->radius.host;
	p.auth_port = cfg->radius.port;
	p.acct_host = cfg->radius.acct_host[0] ? cfg->radius.acct_host : cfg->radius.host;
	p.acct_port = cfg->radius.acct_port;
	p.secret = secret;
	p.secret_len = (size_t)n;
	p.nas_identifier = cfg->radius.nas_identifier[0] ? cfg->radius.nas_identifier : host;
	p.timeout_ms = cfg->radius.timeout * 1000;
	p.retries = cfg->radius.retries;
	p.dictionary = cfg->radius.dictionary;
	ret = radius_open(&p, &gw->radius, err, errlen);
	OPENSSL_cleanse(secret, sizeof(secret));
	return ret;
}

/* The MTU of the interface that holds the portal's address: the same for every guest (1500 when unknown). */
static unsigned int portal_mtu(const struct wicket_config *cfg)
{
	const struct sockaddr_storage *want = &cfg->gateway.portal.addr;
	struct ifreq ifr = { 0 };
	struct ifaddrs *ifa, *i;
	unsigned int mtu = 1500;
	int fd;

	if (getifaddrs(&ifa))
		return mtu;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != want->ss_family)
			continue;
		if (sa->sa_family == AF_INET
			    ? !memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
				      &((const struct sockaddr_in *)want)->sin_addr, sizeof(struct in_addr))
			    : !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
				      &((const struct sockaddr_in6 *)want)->sin6_addr,
				      sizeof(struct in6_addr))) {
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->ifa_name);
			break;
		}
	}
	freeifaddrs(ifa);
	fd = ifr.ifr_name[0] ? socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = (unsigned int)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu;
}

int gateway_components_open(struct gateway *gw, const struct wicket_config *cfg, char *err, size_t errlen)
{
	int v6 = strchr(cfg->gateway.portal.host, ':') != NULL, ret;
	char origin[128], cert[CONFIG_PATH_MAX + sizeof("/" TLS_CERT_NAME)];
	struct components_params p = {
		.state_dir = cfg->gateway.tls_dir,
		.cert_file = cert,
		.components_dir = cfg->gateway.components_dir,
		.origin = origin,
		.portal_host = cfg->gateway.portal.host,
		.mtu = portal_mtu(cfg),
		.keepalive_port = cfg->keepalive.port,
		.keepalive_interval = cfg->keepalive.interval,
	};
	struct components *c;
	size_t len;

	/* As the portal has them (portal.c, tls.c). */
	snprintf(origin, sizeof(origin), "https://%s%s%s:%u", v6 ? "[" : "", cfg->gateway.portal.host,
		 v6 ? "]" : "", cfg->gateway.portal_tls_port);
	if (cfg->gateway.tls_cert[0])
		snprintf(cert, sizeof(cert), "%s", cfg->gateway.tls_cert);
	else
		snprintf(cert, sizeof(cert), "%s/%s", cfg->gateway.tls_dir, TLS_CERT_NAME);
	ret = components_open(&p, &c, err, errlen);
	if (ret)
		return ret;
	components_unref(gw->components);
	gw->components = c;
	log_info("components: %zu, signed with key %.64s", components_count(c), components_key(c, &len));
	return 0;
}
