/*
 * wicketd: the gateway's billing daemon. One libevent loop in one process;
 * SIGTERM and SIGINT stop it cleanly, SIGHUP re-reads what can change.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "log.h"
#include "uapi/wicket.h"

struct daemon {
	struct event_base *base;
	struct kernel *kernel;
};

/* The module must speak our protocol, or every later request would fail. */
static int check_module(struct daemon *d)
{
	struct kernel_version v;
	int err = kernel_get_version(d->kernel, &v);

	if (err) {
		log_err("%s", kernel_error(d->kernel));
		return err;
	}
	if (WICKET_PROTOCOL < v.protocol_min || WICKET_PROTOCOL > v.protocol) {
		log_err("wicket.ko %s speaks protocol %u..%u, wicketd speaks %d: upgrade the older one",
			v.release, v.protocol_min, v.protocol, WICKET_PROTOCOL);
		return -EPROTO;
	}
	log_info("wicket.ko %s, protocol %u", v.release, v.protocol);
	return 0;
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	log_info("%s: stopping", strsignal(sig));
	event_base_loopexit(d->base, NULL);
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)sig;
	(void)what;
	log_info("SIGHUP: checking wicket.ko again");
	if (check_module(d))
		event_base_loopexit(d->base, NULL);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: wicketd [--syslog] [--verbose] [--version]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct event *sigterm, *sigint, *sighup;
	struct daemon d = { 0 };
	int use_syslog = 0, verbose = 0, c, err, ret = 1;

	while ((c = getopt_long(argc, argv, "svVh", longopts, NULL)) != -1) {
		switch (c) {
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

	d.base = event_base_new();
	if (!d.base) {
		log_err("cannot create the event loop");
		return 1;
	}
	err = kernel_open(&d.kernel);
	if (err) {
		log_err("cannot open a netlink socket: %s", strerror(-err));
		goto out_base;
	}
	if (check_module(&d))
		goto out_kernel;

	sigterm = evsignal_new(d.base, SIGTERM, on_stop, &d);
	sigint = evsignal_new(d.base, SIGINT, on_stop, &d);
	sighup = evsignal_new(d.base, SIGHUP, on_reload, &d);
	if (!sigterm || !sigint || !sighup || evsignal_add(sigterm, NULL) || evsignal_add(sigint, NULL) ||
	    evsignal_add(sighup, NULL)) {
		log_err("cannot install signal handlers");
		goto out_signals;
	}
	log_info("wicketd %s running", WICKET_RELEASE);
	ret = event_base_dispatch(d.base) < 0 ? 1 : 0;
	log_info("stopped");

out_signals:
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (sighup)
		event_free(sighup);
out_kernel:
	kernel_close(d.kernel);
out_base:
	event_base_free(d.base);
	return ret;
}
