/*
 * wicketd: the gateway's billing daemon. One libevent loop in one process:
 * SIGTERM and SIGINT stop it cleanly, SIGHUP reloads the configuration
 * (kept as it was if the new one is wrong), and the firewall table is put
 * back whenever a firewall reload takes it away.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <net/if.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounting.h"
#include "billing.h"
#include "components.h"
#include "config.h"
#include "control.h"
#include "firewall.h"
#include "gateway.h"
#include "keepalive.h"
#include "kernel.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "neigh.h"
#include "portal.h"
#include "privileges.h"
#include "radius.h"
#include "reconcile.h"
#include "session.h"
#include "store.h"
#include "uapi/wicket.h"
#include "workers.h"

/* The module must speak our protocol, or every later request would fail. */
static int check_module(struct gateway *gw)
{
	struct kernel_version *v = &gw->module;
	int err = kernel_get_version(gw->kernel, v);

	if (err) {
		log_err("%s", kernel_error(gw->kernel));
		return err;
	}
	if (WICKET_PROTOCOL < v->protocol_min || WICKET_PROTOCOL > v->protocol) {
		log_err("wicket.ko %s speaks protocol %u..%u, wicketd speaks %d: upgrade the older one",
			v->release, v->protocol_min, v->protocol, WICKET_PROTOCOL);
		return -EPROTO;
	}
	log_info("wicket.ko %s, protocol %u", v->release, v->protocol);
	return 0;
}

static gid_t staff_gid(const struct wicket_config *cfg)
{
	struct group *g = getgrnam(cfg->gateway.staff_group);

	if (!g) {
		log_warn("no group \"%s\": only root may use wicketctl", cfg->gateway.staff_group);
		return (gid_t)-1;
	}
	return g->gr_gid;
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct gateway *gw = arg;

	(void)what;
	log_info("%s: stopping", strsignal(sig));
	event_base_loopexit(gw->base, NULL);
}

/*
 * SIGHUP's part for the metrics endpoint: a new address is listened on
 * before the old one closes; when it cannot be, the old one stays. The
 * allow list needs nothing: it is read from the config at each request.
 */
static void metrics_reload(struct gateway *gw, struct wicket_config *cfg)
{
	struct wicket_config *old = gw->config;
	struct metrics_http *mh;
	char err[256];

	if (cfg->metrics.enabled == old->metrics.enabled &&
	    (!cfg->metrics.enabled || (!strcmp(cfg->metrics.listen.host, old->metrics.listen.host) &&
				       cfg->metrics.listen.port == old->metrics.listen.port)))
		return;
	/* metrics_http_open reads gw->config: the new one, for this call. */
	gw->config = cfg;
	metrics_http_close(gw->metrics);
	gw->metrics = NULL;
	if (metrics_http_open(gw, &mh, err, sizeof(err))) {
		log_err("SIGHUP: %s; the metrics endpoint is off until it can listen", err);
		mh = NULL;
	}
	gw->metrics = mh;
	gw->config = old;
}

/* SIGHUP: a new configuration, applied whole, or the old one kept. */
static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct gateway *gw = arg;
	struct firewall_params old_fw, new_fw;
	struct wicket_config *cfg = NULL;
	char err[512];

	(void)sig;
	(void)what;
	if (config_load_file(gw->config_path, &cfg, err, sizeof(err))) {
		log_err("SIGHUP: %s; keeping the running configuration", err);
		return;
	}
	if (config_keep_radius(gw->config, cfg))
		log_warn("SIGHUP: [radius] changed: a restart applies it (systemctl restart wicketd); "
			 "until then the running one stays");
	if (gateway_apply(gw, cfg, err, sizeof(err))) {
		log_err("SIGHUP: %s; keeping the running configuration", err);
		gateway_apply(gw, gw->config, err, sizeof(err));
		config_free(cfg);
		return;
	}
	if (cfg->keepalive.port != gw->config->keepalive.port ||
	    strcmp(cfg->keepalive.secret_file, gw->config->keepalive.secret_file) != 0) {
		struct keepalive_server *ks;

		/* The old socket goes first: the new one may want its port. */
		keepalive_close(gw->keepalive);
		gw->keepalive = NULL;
		if (keepalive_open(gw, cfg, &ks, err, sizeof(err))) {
			log_err("SIGHUP: %s; keeping the running configuration", err);
			gateway_apply(gw, gw->config, err, sizeof(err));
			if (keepalive_open(gw, gw->config, &gw->keepalive, err, sizeof(err)))
				log_err("keepalives are not received: %s", err);
			config_free(cfg);
			return;
		}
		gw->keepalive = ks;
		log_warn("SIGHUP: keepalives now on port %u with the secret in %s", cfg->keepalive.port,
			 cfg->keepalive.secret_file);
	}
	old_fw = gateway_firewall_params(gw->config);
	new_fw = gateway_firewall_params(cfg);
	if (memcmp(&old_fw, &new_fw, sizeof(old_fw)) != 0) {
		struct firewall *fw;

		if (firewall_open(&new_fw, &fw) == 0) {
			firewall_close(gw->firewall);
			gw->firewall = fw;
		}
		if (firewall_install(gw->firewall))
			log_err("SIGHUP: firewall: %s", firewall_error(gw->firewall));
	}
	metrics_reload(gw, cfg);
	config_free(gw->config);
	gw->config = cfg;
	/* Made anew (the venue's files may have changed too); the old ones serve on if that fails. */
	if (gateway_components_open(gw, cfg, err, sizeof(err)))
		log_err("SIGHUP: %s; keeping the previous components", err);
	log_info("SIGHUP: configuration reloaded (%zu access ports)", cfg->nports);
}

/* Someone reloaded the firewall: our table goes back at once. */
static void on_firewall_event(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;
	int ret = firewall_watch_read(gw->firewall);

	(void)fd;
	(void)what;
	/*
	 * Our own replace deletes the table inside its transaction too: only
	 * a table that is really gone now is put back.
	 */
	if (ret == 0 || ((ret == 1 || ret == -ENOBUFS) && firewall_present(gw->firewall) == 1))
		return;
	if (ret < 0 && ret != -ENOBUFS) {
		log_warn("firewall watch: %s", strerror(-ret));
		return;
	}
	if (firewall_install(gw->firewall))
		log_err("table inet wicket was removed and cannot be put back: %s",
			firewall_error(gw->firewall));
	else
		log_warn("table inet wicket was removed (a firewall reload?): put back");
}

/* The store is the truth: the kernel's table is made equal to it (at start, after lost events). */
static int reconcile_with_store(struct gateway *gw)
{
	struct reconcile_stats rs;
	int ret = reconcile(gw, &rs);

	/* reconcile() logs its own figures. */
	if (ret)
		log_err("cannot make the kernel's table equal to the store: %s", strerror(-ret));
	return ret;
}

static void on_kernel_events(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;
	int ret = kernel_events_read(gw->events, session_kernel_event, gw);

	(void)fd;
	(void)what;
	if (ret == -ENOBUFS) {
		/* Events were lost: what they said is in the kernel's table. */
		log_warn("wicket.ko events were lost: reading the kernel's table again");
		reconcile_with_store(gw);
	} else if (ret < 0 && ret != -EBADMSG && ret != -EAGAIN)
		log_warn("wicket.ko events: %s", strerror(-ret));
}

static int is_access_port(int ifindex, void *arg)
{
	struct gateway *gw = arg;
	char name[IF_NAMESIZE];

	return if_indextoname((unsigned int)ifindex, name) && config_port(gw->config, name);
}

static void on_neighbour(const struct neigh_sighting *s, void *arg)
{
	struct kernel_addr a = { .family = s->family };

	if (s->gone)
		return;
	if (s->family == AF_INET)
		a.v4 = s->v4;
	else
		a.v6 = s->v6;
	session_sighting(arg, (uint32_t)s->ifindex, s->mac, &a);
}

static void on_neighbours(evutil_socket_t fd, short what, void *arg)
{
	struct gateway *gw = arg;
	int ret = neigh_watch_read(gw->neigh);

	(void)fd;
	(void)what;
	if (ret < 0 && ret != -ENOBUFS)
		log_warn("neighbour watch: %s", strerror(-ret));
}

static void usage(FILE *out)
{
	fprintf(out, "usage: wicketd [-c FILE] [--check-config] [--syslog] [--verbose] [--version]\n"
		     "  -c, --config FILE  the configuration (default " WICKET_CONFIG_PATH ")\n"
		     "  --check-config     check the configuration and exit\n"
		     "  -s, --syslog       log to syslog instead of stderr\n"
		     "  -v, --verbose      log debugging detail too\n"
		     "  -V, --version      print the version and exit\n"
		     "  -h, --help         this help\n"
		     "exit status: 0 stopped by SIGTERM or SIGINT, or the check passed; 1 error;\n"
		     "2 usage error\n");
}

/* Threads for blocking work, and how many jobs may wait for one before new ones are refused. */
#define WORKER_THREADS 4
#define WORKER_QUEUE 1024

static void gateway_close(struct gateway *gw)
{
	/* First: the jobs' done() callbacks run here and may still use everything below. */
	workers_close(gw->workers);
	metrics_http_close(gw->metrics);
	portal_close(gw->portal);
	components_unref(gw->components);
	accounting_close(gw->accounting);
	billing_close(gw->billing);
	radius_close(gw->radius);
	control_close(gw->control);
	keepalive_close(gw->keepalive);
	neigh_watch_close(gw->neigh);
	kernel_events_close(gw->events);
	if (gw->firewall && firewall_remove(gw->firewall))
		log_warn("removing table inet wicket: %s", firewall_error(gw->firewall));
	firewall_close(gw->firewall);
	kernel_close(gw->kernel);
	store_close(gw->store);
	config_free(gw->config);
	if (gw->base)
		event_base_free(gw->base);
}

/* Everything up in order; a failure says what and returns non-zero. */
static int gateway_open(struct gateway *gw)
{
	struct firewall_params fwp = gateway_firewall_params(gw->config);
	char err[512];
	int ret;

	ret = workers_open(gw->base, WORKER_THREADS, WORKER_QUEUE, &gw->workers);
	if (ret) {
		log_err("cannot start the worker threads: %s", strerror(-ret));
		return ret;
	}
	ret = store_open(gw->config->gateway.store, &gw->store);
	if (ret) {
		log_err("store %s: %s", gw->config->gateway.store, store_error(NULL));
		return ret;
	}
	ret = kernel_open(&gw->kernel);
	if (ret) {
		log_err("cannot open a netlink socket: %s", strerror(-ret));
		return ret;
	}
	ret = check_module(gw);
	if (ret)
		return ret;
	/*
	 * Unloading wicket.ko under a running wicketd would leave every
	 * access port open: our socket holds it until we exit.
	 */
	ret = kernel_hold(gw->kernel);
	if (ret) {
		log_err("cannot hold wicket.ko loaded: %s", kernel_error(gw->kernel));
		return ret;
	}
	ret = gateway_apply(gw, gw->config, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	ret = firewall_open(&fwp, &gw->firewall);
	if (!ret && firewall_install(gw->firewall)) {
		log_err("installing table inet wicket: %s", firewall_error(gw->firewall));
		return -EIO;
	}
	if (ret) {
		log_err("cannot open nftables: %s", strerror(-ret));
		return ret;
	}
	ret = reconcile_with_store(gw);
	if (ret)
		return ret;
	ret = kernel_events_open(gw->kernel, &gw->events);
	if (ret) {
		log_err("wicket.ko events: %s", kernel_error(gw->kernel));
		return ret;
	}
	ret = keepalive_open(gw, gw->config, &gw->keepalive, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	ret = neigh_watch_open(is_access_port, on_neighbour, gw, &gw->neigh);
	if (ret) {
		log_err("neighbour watch: %s", strerror(-ret));
		return ret;
	}
	ret = control_open(gw->base, gw->config->gateway.control_socket, staff_gid(gw->config), &gw->control);
	if (ret) {
		log_err("control socket %s: %s", gw->config->gateway.control_socket, strerror(-ret));
		return ret;
	}
	ret = gateway_radius_open(gw, err, sizeof(err));
	if (!ret)
		ret = billing_open(gw, &gw->billing, err, sizeof(err));
	if (!ret)
		ret = accounting_open(gw, &gw->accounting, err, sizeof(err));
	if (!ret)
		ret = portal_open(gw, &gw->portal, err, sizeof(err));
	if (!ret)
		ret = gateway_components_open(gw, gw->config, err, sizeof(err));
	if (!ret)
		ret = metrics_http_open(gw, &gw->metrics, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	ret = commands_register(gw);
	if (!ret)
		ret = commands_billing_register(gw);
	if (!ret)
		ret = metrics_register(gw);
	if (!ret)
		billing_resume(gw->billing);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct event *sigs[3] = { NULL }, *fw_event = NULL, *k_event = NULL, *n_event = NULL;
	struct gateway gw = { .started = time(NULL) };
	int use_syslog = 0, verbose = 0, check_only = 0, c, ret = 1;
	char err[512];

	snprintf(gw.config_path, sizeof(gw.config_path), "%s", WICKET_CONFIG_PATH);
	while ((c = getopt_long(argc, argv, "c:svVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			snprintf(gw.config_path, sizeof(gw.config_path), "%s", optarg);
			break;
		case 'k':
			check_only = 1;
			break;
		case 's':
			use_syslog = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("wicketd %s (protocol %d)\n", WICKET_RELEASE, WICKET_PROTOCOL);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("wicketd", use_syslog, verbose);
	/* A wicketctl that hangs up early must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (config_load_file(gw.config_path, &gw.config, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (check_only) {
		printf("%s: ok (%zu access ports)\n", gw.config_path, gw.config->nports);
		config_free(gw.config);
		return 0;
	}

	/* Before anything is opened, so that every thread and file is the unprivileged user's. */
	if (privileges_drop(gw.config, err, sizeof(err))) {
		log_err("%s", err);
		config_free(gw.config);
		return 1;
	}
	if (gw.config->gateway.user[0])
		log_info("running as user %s with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only",
			 gw.config->gateway.user);
	/*
	 * The signals before anything is opened: one that comes while the
	 * rest opens (the control socket is there early) waits for the loop,
	 * instead of killing wicketd half-open with its nftables table left.
	 */
	gw.base = event_base_new();
	if (!gw.base) {
		log_err("cannot create the event loop");
		goto out;
	}
	sigs[0] = evsignal_new(gw.base, SIGTERM, on_stop, &gw);
	sigs[1] = evsignal_new(gw.base, SIGINT, on_stop, &gw);
	sigs[2] = evsignal_new(gw.base, SIGHUP, on_reload, &gw);
	if (!sigs[0] || !sigs[1] || !sigs[2] || evsignal_add(sigs[0], NULL) || evsignal_add(sigs[1], NULL) ||
	    evsignal_add(sigs[2], NULL)) {
		log_err("cannot set up the signals");
		goto out;
	}
	if (gateway_open(&gw))
		goto out;
	fw_event = event_new(gw.base, firewall_watch_fd(gw.firewall), EV_READ | EV_PERSIST, on_firewall_event,
			     &gw);
	k_event =
		event_new(gw.base, kernel_events_fd(gw.events), EV_READ | EV_PERSIST, on_kernel_events, &gw);
	n_event = event_new(gw.base, neigh_watch_fd(gw.neigh), EV_READ | EV_PERSIST, on_neighbours, &gw);
	if (!fw_event || !k_event || !n_event || event_add(fw_event, NULL) || event_add(k_event, NULL) ||
	    event_add(n_event, NULL)) {
		log_err("cannot set up the event loop");
		goto out;
	}
	log_info("wicketd %s running: %zu access ports, control socket %s", WICKET_RELEASE, gw.config->nports,
		 gw.config->gateway.control_socket);
	ret = event_base_dispatch(gw.base) < 0 ? 1 : 0;
	log_info("stopped");
out:
	for (size_t i = 0; i < 3; i++)
		if (sigs[i])
			event_free(sigs[i]);
	if (fw_event)
		event_free(fw_event);
	if (k_event)
		event_free(k_event);
	if (n_event)
		event_free(n_event);
	gateway_close(&gw);
	return ret;
}
