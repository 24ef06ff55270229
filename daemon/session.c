/*
 * Clients and their sessions: what discovery finds, what staff decide
 * (comp, kick, block), and what the kernel closed on its own. The store
 * is the truth and is written first; the kernel follows it.
 */
#include "session.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "uapi/wicket.h"

int64_t session_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* When a session held to keepalives is overdue: its plan's interval, or the config's, times the misses
 * allowed. */
static int64_t keepalive_due(const struct wicket_config *cfg, const struct store_session *s)
{
	int64_t interval = s->keepalive_s ? s->keepalive_s : (int64_t)cfg->keepalive.interval;

	if (!s->keepalive_at)
		return 0;
	return s->keepalive_at + interval * cfg->keepalive.misses * 1000;
}

int64_t session_closes_at(const struct wicket_config *cfg, const struct store_session *s)
{
	int64_t due = keepalive_due(cfg, s);

	if (!due || (s->deadline_at && s->deadline_at < due))
		return s->deadline_at;
	return due;
}

const char *session_timeout_reason(const struct wicket_config *cfg, const struct store_session *s)
{
	int64_t due = keepalive_due(cfg, s);

	return due && (!s->deadline_at || due < s->deadline_at) ? "keepalive-timeout" : "deadline";
}

static int collect_addr(const struct store_addr *a, void *arg)
{
	struct kernel_client *c = arg;

	if (c->naddrs < WICKET_MAX_ADDRS && kernel_addr_parse(a->addr, &c->addrs[c->naddrs]) == 0)
		c->naddrs++;
	return 0;
}

/* Make the kernel's entry for a client hold every address the store binds to it. */
static int push_addresses(struct gateway *gw, int64_t client_id, uint32_t ifindex, const uint8_t mac[6])
{
	struct kernel_client c = { .port = ifindex, .has = KERNEL_CLIENT_HAS_ADDRS };
	struct kernel_client probe = { .port = ifindex };
	int ret;

	memcpy(c.mac, mac, 6);
	memcpy(probe.mac, mac, 6);
	ret = store_client_addrs(gw->store, client_id, collect_addr, &c);
	if (ret)
		return ret;
	if (kernel_client_get(gw->kernel, &probe, 0) == -ENOENT) {
		struct store_client sc;

		c.has |= KERNEL_CLIENT_HAS_STATE;
		c.state = store_client_get(gw->store, client_id, &sc) == 0 && sc.blocked_at
				  ? WICKET_STATE_BLOCKED
				  : WICKET_STATE_CAPTIVE;
		ret = kernel_client_add(gw->kernel, &c, 1);
	} else {
		ret = kernel_client_update(gw->kernel, &c, 1);
	}
	if (ret)
		log_warn("wicket.ko: %s", kernel_error(gw->kernel));
	return ret;
}

int session_sighting(struct gateway *gw, uint32_t ifindex, const uint8_t mac[6],
		     const struct kernel_addr *addr)
{
	char port[IF_NAMESIZE], mactext[18], addrtext[64];
	int64_t client_id;
	int ret;

	if (!if_indextoname(ifindex, port) || !config_port(gw->config, port))
		return -ENODEV;
	kernel_mac_format(mac, mactext, sizeof(mactext));
	ret = store_client_get_or_add(gw->store, port, mactext, session_now_ms(), &client_id);
	if (ret) {
		log_warn("store: %s", store_error(gw->store));
		return ret;
	}
	if (addr) {
		kernel_addr_format(addr, addrtext, sizeof(addrtext));
		ret = store_client_bind_addr(gw->store, client_id, addrtext, session_now_ms());
		if (ret == -EADDRINUSE) {
			log_warn("%s on %s uses %s, which is bound to another client: not moved", mactext,
				 port, addrtext);
			return ret;
		}
		if (ret) {
			log_warn("store: %s", store_error(gw->store));
			return ret;
		}
	}
	return push_addresses(gw, client_id, ifindex, mac);
}

struct find_mac {
	uint8_t mac[6];
	struct kernel_client found;
	int n;
};

static int match_mac(const struct kernel_client *c, void *arg)
{
	struct find_mac *f = arg;

	if (memcmp(c->mac, f->mac, 6) == 0) {
		f->found = *c;
		f->n++;
	}
	return 0;
}

/* A client by MAC, wherever it is: the kernel knows its port. */
int session_find(struct gateway *gw, const char *mactext, struct session_client *out, char *err,
		 size_t errlen)
{
	struct find_mac f = { 0 };
	int torn = 1, ret = 0;

	if (kernel_mac_parse(mactext, f.mac)) {
		snprintf(err, errlen, "\"%s\" is not a MAC address", mactext);
		return -EINVAL;
	}
	for (int try = 0; torn && try < 5; try++) {
		f.n = 0;
		ret = kernel_client_dump(gw->kernel, 0, match_mac, &f, &torn);
		if (ret) {
			snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
			return ret;
		}
	}
	if (f.n == 0) {
		snprintf(err, errlen,
			 "no client %s: a guest is known once it was seen on an access port "
			 "(wicketctl clients)",
			 mactext);
		return -ENOENT;
	}
	return session_client_of(gw, &f.found, out, err, errlen);
}

int session_client_of(struct gateway *gw, const struct kernel_client *k, struct session_client *out,
		      char *err, size_t errlen)
{
	struct store_client sc;
	char port[IF_NAMESIZE];
	int ret;

	memset(out, 0, sizeof(*out));
	kernel_mac_format(k->mac, out->mac, sizeof(out->mac));
	if (!if_indextoname(k->port, port)) {
		snprintf(err, errlen, "the port of %s has gone", out->mac);
		return -ENODEV;
	}
	out->kernel = *k;
	snprintf(out->port, sizeof(out->port), "%s", port);
	ret = store_client_get_or_add(gw->store, port, out->mac, session_now_ms(), &out->client_id);
	if (!ret) {
		ret = store_client_session(gw->store, out->client_id, &out->session_id);
		if (ret == -ENOENT)
			ret = 0;
	}
	if (!ret)
		ret = store_client_get(gw->store, out->client_id, &sc);
	if (ret) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return ret;
	}
	out->blocked = sc.blocked_at != 0;
	return 0;
}

int session_allow(struct gateway *gw, struct session_client *c, unsigned int minutes, char *err,
		  size_t errlen)
{
	int64_t now = session_now_ms(), deadline = now + (int64_t)minutes * 60000;
	struct kernel_client k = c->kernel;
	struct store_session s;
	int ret;

	if (c->blocked) {
		snprintf(err, errlen, "%s is blocked: lift the block first (wicketctl unblock %s)", c->mac,
			 c->mac);
		return -EPERM;
	}
	if (c->session_id) {
		/* A comp gives time, never takes it: a later deadline (or none) already sold stays. */
		ret = store_session_get(gw->store, c->session_id, &s);
		if (!ret && (!strcmp(s.state, "active") || !strcmp(s.state, "provisional")) &&
		    (s.deadline_at == 0 || s.deadline_at > deadline))
			deadline = s.deadline_at;
		if (!ret)
			ret = store_session_extend(gw->store, c->session_id, deadline, now);
		if (!ret)
			ret = store_session_set_state(gw->store, c->session_id, "active", "comped by staff",
						      now);
	} else {
		ret = store_session_start(gw->store, c->client_id, "active", deadline, 0, NULL, 0, now,
					  &c->session_id);
	}
	if (!ret)
		ret = store_session_get(gw->store, c->session_id, &s);
	if (ret) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return ret;
	}
	/* A session held to keepalives stays held: the sooner of the two closes it. */
	deadline = session_closes_at(gw->config, &s);
	k.has = KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_TIMEOUT;
	k.state = WICKET_STATE_AUTHORIZED;
	k.session = c->session_id;
	k.timeout_ms = deadline > now ? (uint64_t)(deadline - now) : 1;
	ret = kernel_client_update(gw->kernel, &k, 1);
	if (ret)
		snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
	return ret;
}

/*
 * Move the kernel's counters for a client into its session: read and
 * reset them in one request, so none is counted twice or lost. Without a
 * kernel entry, @fallback's counters (an event's) are what there is.
 */
static void collect_counters(struct gateway *gw, const struct kernel_client *fallback, uint64_t session_id)
{
	struct kernel_client c = { .port = fallback->port };

	memcpy(c.mac, fallback->mac, 6);
	if (kernel_client_get(gw->kernel, &c, WICKET_F_RESET_COUNTERS) != 0)
		c = *fallback;
	if (store_session_add_counters(gw->store, session_id, c.up_bytes, c.down_bytes, c.up_packets,
				       c.down_packets))
		log_warn("session %llu: store: %s", (unsigned long long)session_id, store_error(gw->store));
}

/* The client's kernel entry: state, no session, no deadline. */
static int close_gate(struct gateway *gw, const struct session_client *c, uint8_t state, char *err,
		      size_t errlen)
{
	struct kernel_client k = c->kernel;
	int ret;

	k.has = KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_TIMEOUT | KERNEL_CLIENT_HAS_SESSION;
	k.state = state;
	k.timeout_ms = 0;
	k.session = 0;
	ret = kernel_client_update(gw->kernel, &k, 1);
	if (ret)
		snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
	return ret;
}

/* The running session (if any) ended in the store, with the kernel's counters. */
static int end_in_store(struct gateway *gw, const struct session_client *c, const char *reason)
{
	int ret;

	if (!c->session_id)
		return 0;
	collect_counters(gw, &c->kernel, c->session_id);
	ret = store_session_end(gw->store, c->session_id, reason, session_now_ms());
	return ret == -EALREADY ? 0 : ret;
}

int session_end(struct gateway *gw, struct session_client *c, const char *reason, char *err, size_t errlen)
{
	int ret = end_in_store(gw, c, reason);

	if (ret) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return ret;
	}
	return close_gate(gw, c, c->blocked ? WICKET_STATE_BLOCKED : WICKET_STATE_CAPTIVE, err, errlen);
}

int session_block(struct gateway *gw, struct session_client *c, int block, char *err, size_t errlen)
{
	int ret = store_begin(gw->store);

	/* The block and the session's end in one transaction: both or neither. */
	if (!ret)
		ret = store_client_block(gw->store, c->client_id, block ? session_now_ms() : 0);
	if (!ret && block)
		ret = end_in_store(gw, c, "block");
	if (!ret)
		ret = store_commit(gw->store);
	if (ret) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		store_rollback(gw->store);
		return ret;
	}
	c->blocked = block;
	return close_gate(gw, c, block ? WICKET_STATE_BLOCKED : WICKET_STATE_CAPTIVE, err, errlen);
}

int session_kernel_event(uint8_t cmd, const struct kernel_client *k, void *arg)
{
	struct gateway *gw = arg;
	struct store_session s;
	struct kernel_client c;
	const char *reason;
	char port[IF_NAMESIZE];

	if (cmd == WICKET_CMD_EVENT_SEEN) {
		if (if_indextoname(k->port, port) && config_port(gw->config, port))
			session_sighting(gw, k->port, k->mac, k->naddrs ? &k->addrs[0] : NULL);
		return 0;
	}
	if (cmd != WICKET_CMD_EVENT_CLOSED || !k->session)
		return 0;
	/* The kernel closed the gate: record what was used, and why. */
	if (k->reason == WICKET_CLOSE_BYTE_CAP)
		reason = "byte-cap";
	else if (store_session_get(gw->store, k->session, &s) == 0)
		reason = session_timeout_reason(gw->config, &s);
	else
		reason = "deadline";
	collect_counters(gw, k, k->session);
	if (store_session_end(gw->store, k->session, reason, session_now_ms()))
		log_warn("session %llu closed by the kernel (%s): store: %s", (unsigned long long)k->session,
			 reason, store_error(gw->store));
	else
		log_info("session %llu ended: %s", (unsigned long long)k->session, reason);
	/*
	 * The gate is closed already; the entry says so too: captive, no
	 * session. Unless the entry has moved on to a newer session since the
	 * kernel sent this event (events wait in the socket while the loop
	 * works): that one is not ours to close.
	 */
	memset(&c, 0, sizeof(c));
	c.port = k->port;
	memcpy(c.mac, k->mac, sizeof(c.mac));
	if (kernel_client_get(gw->kernel, &c, 0) || c.session != k->session)
		return 0;
	c = *k;
	c.has = KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_TIMEOUT;
	c.state = WICKET_STATE_CAPTIVE;
	c.session = 0;
	c.timeout_ms = 0;
	if (kernel_client_update(gw->kernel, &c, 1))
		log_warn("wicket.ko: %s", kernel_error(gw->kernel));
	return 0;
}
