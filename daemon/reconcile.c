/*
 * Reconcile at start: the store is the truth, the kernel's table a cache
 * of it that may have outlived the daemon (kept serving paid guests to
 * their deadlines) or not (the module was reloaded). Sessions that ended
 * while the daemon was away are closed with the kernel's counters when it
 * still has them; live ones are put back with the time they have left;
 * a kernel entry that lets traffic through without a live session in the
 * store is made captive.
 */
#include "reconcile.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "store.h"
#include "uapi/wicket.h"

struct wanted {
	struct kernel_client *clients; /* live sessions, as the kernel should hold them */
	size_t n, cap;
	uint64_t *ended; /* sessions whose deadline passed while we were away */
	size_t nended, ended_cap;
	int64_t now;
};

static int grow(void **array, size_t *cap, size_t size)
{
	void *bigger = realloc(*array, (*cap ? *cap * 2 : 256) * size);

	if (!bigger)
		return -ENOMEM;
	*array = bigger;
	*cap = *cap ? *cap * 2 : 256;
	return 0;
}

static int want_session(const struct store_active *a, void *arg)
{
	struct wanted *w = arg;
	const struct store_session *s = &a->session;
	struct kernel_client *c;
	unsigned int ifindex = if_nametoindex(a->port);

	if (s->deadline_at && s->deadline_at <= w->now) {
		if (w->nended == w->ended_cap && grow((void **)&w->ended, &w->ended_cap, sizeof(*w->ended)))
			return -ENOMEM;
		w->ended[w->nended++] = s->id;
		return 0;
	}
	/* Only sessions that let traffic through have a place in the kernel. */
	if (strcmp(s->state, "active") != 0 && strcmp(s->state, "provisional") != 0)
		return 0;
	if (!ifindex) {
		log_warn("session %llu: port %s has gone; its guest stays out", (unsigned long long)s->id,
			 a->port);
		return 0;
	}
	if (w->n == w->cap && grow((void **)&w->clients, &w->cap, sizeof(*w->clients)))
		return -ENOMEM;
	c = &w->clients[w->n++];
	memset(c, 0, sizeof(*c));
	c->port = ifindex;
	kernel_mac_parse(a->mac, c->mac);
	for (unsigned int i = 0; i < a->naddrs && c->naddrs < WICKET_MAX_ADDRS; i++)
		if (kernel_addr_parse(a->addrs[i], &c->addrs[c->naddrs]) == 0)
			c->naddrs++;
	c->has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION |
		 KERNEL_CLIENT_HAS_TIMEOUT | KERNEL_CLIENT_HAS_BYTE_CAP;
	c->state = strcmp(s->state, "active") == 0 ? WICKET_STATE_AUTHORIZED : WICKET_STATE_PROVISIONAL;
	c->session = s->id;
	c->timeout_ms = s->deadline_at ? (uint64_t)(s->deadline_at - w->now) : 0;
	c->byte_cap = s->byte_cap;
	return 0;
}

struct present {
	struct kernel_client *clients;
	size_t n, cap;
};

static int note_present(const struct kernel_client *c, void *arg)
{
	struct present *p = arg;

	if (p->n == p->cap && grow((void **)&p->clients, &p->cap, sizeof(*p->clients)))
		return -ENOMEM;
	p->clients[p->n++] = *c;
	return 0;
}

static const struct kernel_client *find(const struct kernel_client *list, size_t n,
					const struct kernel_client *c)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].port == c->port && memcmp(list[i].mac, c->mac, 6) == 0)
			return &list[i];
	return NULL;
}

/* The kernel's table, whole (a torn dump is taken again). */
static int dump_kernel(struct gateway *gw, struct present *p)
{
	int torn = 1, ret = 0;

	for (int try = 0; torn && try < 10; try++) {
		p->n = 0;
		ret = kernel_client_dump(gw->kernel, 0, note_present, p, &torn);
		if (ret)
			return ret;
	}
	return torn ? -EAGAIN : 0;
}

/* End a session the daemon missed; the kernel's counters if it has them. */
static void end_missed(struct gateway *gw, const struct present *p, uint64_t id, const char *why)
{
	for (size_t i = 0; i < p->n; i++) {
		struct kernel_client c = p->clients[i];

		if (c.session != id)
			continue;
		if (kernel_client_get(gw->kernel, &c, WICKET_F_RESET_COUNTERS) == 0)
			store_session_add_counters(gw->store, id, c.up_bytes, c.down_bytes, c.up_packets,
						   c.down_packets);
		if (c.flags & WICKET_CLIENT_F_CLOSED)
			why = c.has & KERNEL_CLIENT_HAS_BYTE_CAP && c.byte_cap == 0 ? "byte-cap" : "deadline";
		break;
	}
	if (store_session_end(gw->store, id, why, session_now_ms()))
		log_warn("session %llu: %s", (unsigned long long)id, store_error(gw->store));
	else
		log_info("session %llu ended while wicketd was away: %s", (unsigned long long)id, why);
}

int reconcile(struct gateway *gw, struct reconcile_stats *stats)
{
	struct wanted w = { .now = session_now_ms() };
	struct present p = { 0 };
	struct kernel_client *add = NULL, *update = NULL;
	size_t nadd = 0, nupdate = 0;
	int ret;

	memset(stats, 0, sizeof(*stats));
	ret = store_sessions_active(gw->store, want_session, &w);
	if (!ret)
		ret = dump_kernel(gw, &p);
	if (ret)
		goto out;
	for (size_t i = 0; i < w.nended; i++)
		end_missed(gw, &p, w.ended[i], "deadline");
	stats->ended = w.nended;

	add = calloc(w.n + 1, sizeof(*add));
	update = calloc(w.n + p.n + 1, sizeof(*update));
	if (!add || !update) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * Live sessions: restored, or brought up to date; but one whose gate
	 * the kernel closed (its cap, its deadline) ended: an update would
	 * open it again.
	 */
	for (size_t i = 0; i < w.n; i++) {
		const struct kernel_client *k = find(p.clients, p.n, &w.clients[i]);

		if (k && k->session == w.clients[i].session && (k->flags & WICKET_CLIENT_F_CLOSED)) {
			end_missed(gw, &p, k->session, "deadline");
			stats->ended++;
			w.clients[i].state = WICKET_STATE_CAPTIVE; /* not open: closed below if need be */
		} else if (k) {
			update[nupdate++] = w.clients[i];
		} else {
			add[nadd++] = w.clients[i];
		}
	}
	stats->restored = nadd;
	stats->kept = nupdate;
	/* Open gates the store knows nothing of: closed. */
	for (size_t i = 0; i < p.n; i++) {
		struct kernel_client *c = &p.clients[i];

		const struct kernel_client *wanted = find(w.clients, w.n, c);

		if ((wanted && wanted->state != WICKET_STATE_CAPTIVE) ||
		    (c->state != WICKET_STATE_AUTHORIZED && c->state != WICKET_STATE_PROVISIONAL))
			continue;
		c->has = KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_TIMEOUT;
		c->state = WICKET_STATE_CAPTIVE;
		c->session = 0;
		c->timeout_ms = 0;
		update[nupdate++] = *c;
		stats->closed++;
	}
	ret = nadd ? kernel_client_add(gw->kernel, add, nadd) : 0;
	if (!ret && nupdate)
		ret = kernel_client_update(gw->kernel, update, nupdate);
	if (ret)
		log_err("reconcile: wicket.ko: %s", kernel_error(gw->kernel));
out:
	free(add);
	free(update);
	free(w.clients);
	free(w.ended);
	free(p.clients);
	return ret;
}
