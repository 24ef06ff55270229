/*
 * Reconcile: the store is the truth, the kernel's table a cache of it that
 * may have outlived the daemon (kept serving paid guests to their
 * deadlines) or not (the module was reloaded). Run at start and whenever
 * the kernel's events were lost.
 *
 * - A session whose time ran out while the daemon was away (its deadline,
 *   or its keepalives) is ended, with the kernel's counters when its entry
 *   still has them; so is one whose gate the kernel closed (its cap, its
 *   deadline), which an update would open again.
 * - Live sessions are put back, or brought up to date, with the time they
 *   have left; clients the store blocks are held blocked, never left open.
 * - Kernel entries the store wants nothing of: deleted when they hold an
 *   address a wanted client needs (wicket.ko refuses a whole batch for one
 *   address bound to another entry; discovery makes captive entries again),
 *   closed (captive) when they let traffic through, else left alone.
 *
 * Both sides are sorted by (port, MAC) and matched by binary search, and
 * the kernel is written in full messages (as many clients as one holds):
 * for 100,000 sessions the matching costs tens of milliseconds, less than
 * reading the store. A message the kernel still refuses is sent again one
 * client at a time, so that one bad client never keeps the others out.
 * The sessions it ends are ended in one store transaction (one fsync).
 */
#include "reconcile.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "session.h"
#include "store.h"
#include "uapi/wicket.h"

/* What the store asks of the kernel for one client; sorted by (port, MAC), then kind. */
enum want_kind {
	WANT_BLOCKED, /* kept out; sorts first, so a block wins over a session of the same client */
	WANT_LIVE, /* an active or provisional session: open */
	WANT_ENDED, /* a session to end; the kernel only closes its gate */
	WANT_NOTHING, /* a row another row of the same client overrides */
};

/*
 * A client as reconcile holds it: a kernel_client without its room for
 * WICKET_MAX_ADDRS addresses (320 bytes, where a guest has one to four);
 * its addresses are in a pool of the run, from addr_at on. With that room
 * in every row, 100,000 sessions took 109 MB at a restart that found the
 * kernel's table full.
 */
struct entry {
	uint32_t port; /* ifindex */
	uint8_t mac[6];
	uint8_t state; /* enum wicket_client_state */
	unsigned int naddrs;
	size_t addr_at; /* in the run's pool of this side */
	uint32_t has; /* enum kernel_client_has */
	uint32_t flags; /* the kernel's entries only: enum wicket_client_flag */
	uint64_t session, timeout_ms, byte_cap;
};

struct addr_pool {
	struct kernel_addr *v;
	size_t n, cap;
};

struct want {
	struct entry k; /* as the kernel should hold it */
	enum want_kind kind;
	const char *why; /* live and ended sessions: why it ends, or ended */
	long present; /* its kernel entry (index in run.present), or -1 */
	int64_t closes_at; /* a live session's deadline (wall-clock ms), 0 if none */
};

/* What is done to a kernel entry. */
enum present_plan {
	P_LEAVE,
	P_DELETE, /* wanted by nobody, holds an address a wanted client needs */
	P_SHRINK, /* wanted, but holds an address another wanted client needs: dropped first */
	P_CLOSE, /* wanted by nobody and open */
};

/* An address a wanted client needs: family then bytes (a key for memcmp), and who. */
struct needed {
	uint8_t key[17];
	size_t owner; /* index in run.want */
};

/* Port names to ifindex: one if_nametoindex() (three syscalls) per session would cost more than the rest. */
struct port_index {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
};

struct run {
	struct gateway *gw;
	struct reconcile_stats *stats;
	int64_t now;
	struct want *want;
	size_t nwant, want_cap;
	struct addr_pool want_addrs;
	struct entry *present; /* the kernel's table */
	size_t npresent, present_cap;
	struct addr_pool present_addrs;
	long *owner; /* per kernel entry: the want it is, or -1 */
	uint8_t *plan; /* per kernel entry: enum present_plan */
	struct needed *needed;
	size_t nneeded, needed_cap;
	struct port_index *ports;
	size_t nports, ports_cap;
};

static int grow(void **array, size_t *cap, size_t size)
{
	size_t more = *cap ? *cap * 2 : 256;
	void *bigger = realloc(*array, more * size);

	if (!bigger)
		return -ENOMEM;
	*array = bigger;
	*cap = more;
	return 0;
}

static int pool_add(struct addr_pool *p, const struct kernel_addr *a)
{
	if (p->n == p->cap && grow((void **)&p->v, &p->cap, sizeof(*p->v)))
		return -ENOMEM;
	p->v[p->n++] = *a;
	return 0;
}

static const struct kernel_addr *addrs_of(const struct addr_pool *p, const struct entry *e)
{
	return p->v + e->addr_at;
}

/* A row as the kernel's API takes it. */
static void to_client(const struct addr_pool *p, const struct entry *e, struct kernel_client *c)
{
	memset(c, 0, sizeof(*c));
	c->port = e->port;
	memcpy(c->mac, e->mac, 6);
	c->naddrs = e->naddrs;
	memcpy(c->addrs, addrs_of(p, e), e->naddrs * sizeof(*c->addrs));
	c->has = e->has;
	c->state = e->state;
	c->flags = e->flags;
	c->session = e->session;
	c->timeout_ms = e->timeout_ms;
	c->byte_cap = e->byte_cap;
}

static int key_cmp(const struct entry *a, const struct entry *b)
{
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return memcmp(a->mac, b->mac, 6);
}

static int want_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;
	int c = key_cmp(&x->k, &y->k);

	return c ? c : (int)x->kind - (int)y->kind;
}

static int present_cmp(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static long find_present(const struct run *r, const struct entry *c)
{
	const struct entry *p = bsearch(c, r->present, r->npresent, sizeof(*p), present_cmp);

	return p ? p - r->present : -1;
}

static void addr_key(const struct kernel_addr *a, uint8_t key[17])
{
	memset(key, 0, 17);
	key[0] = (uint8_t)a->family;
	if (a->family == AF_INET)
		memcpy(key + 1, &a->v4, 4);
	else
		memcpy(key + 1, &a->v6, 16);
}

static int needed_cmp(const void *a, const void *b)
{
	return memcmp(((const struct needed *)a)->key, ((const struct needed *)b)->key, 17);
}

static const struct needed *find_needed(const struct run *r, const struct kernel_addr *a)
{
	struct needed probe;

	addr_key(a, probe.key);
	return bsearch(&probe, r->needed, r->nneeded, sizeof(probe), needed_cmp);
}

/* --- what the store wants */

static unsigned int port_ifindex(struct run *r, const char *name)
{
	struct port_index *p;

	for (size_t i = 0; i < r->nports; i++)
		if (strcmp(r->ports[i].name, name) == 0)
			return r->ports[i].ifindex;
	if (r->nports == r->ports_cap && grow((void **)&r->ports, &r->ports_cap, sizeof(*r->ports)))
		return if_nametoindex(name);
	p = &r->ports[r->nports++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifindex = if_nametoindex(name);
	return p->ifindex;
}

/* A new row for the client (port, mac); its port is 0 when the interface has gone. */
static struct want *new_want(struct run *r, const char *port, const char *mac)
{
	struct want *w;

	if (r->nwant == r->want_cap && grow((void **)&r->want, &r->want_cap, sizeof(*r->want)))
		return NULL;
	w = &r->want[r->nwant++];
	memset(w, 0, sizeof(*w));
	w->present = -1;
	w->k.addr_at = r->want_addrs.n;
	w->k.port = port_ifindex(r, port);
	if (kernel_mac_parse(mac, w->k.mac))
		w->k.port = 0;
	return w;
}

/* An address of the want made last (its addresses follow each other in the pool). */
static int want_addr(struct run *r, const char *text)
{
	struct entry *k = &r->want[r->nwant - 1].k;
	struct kernel_addr a;

	if (k->naddrs == WICKET_MAX_ADDRS || kernel_addr_parse(text, &a))
		return 0;
	if (pool_add(&r->want_addrs, &a))
		return -ENOMEM;
	k->naddrs++;
	return 0;
}

/* A live session's entry: its addresses, state, and the time and bytes it has left. */
static int want_open(struct run *r, struct want *w, const struct store_active *a, int64_t closes_at)
{
	const struct store_session *s = &a->session;

	w->kind = WANT_LIVE;
	for (unsigned int i = 0; i < a->naddrs; i++)
		if (want_addr(r, a->addrs[i]))
			return -ENOMEM;
	w->k.has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION |
		   KERNEL_CLIENT_HAS_TIMEOUT | KERNEL_CLIENT_HAS_BYTE_CAP;
	w->k.state = strcmp(s->state, "active") == 0 ? WICKET_STATE_AUTHORIZED : WICKET_STATE_PROVISIONAL;
	w->closes_at = closes_at;
	w->k.timeout_ms = closes_at ? (uint64_t)(closes_at - r->now) : 0;
	/* The kernel's cap is what is left of it: a full one would give the used bytes again. */
	w->k.byte_cap = s->byte_cap ? s->byte_cap - (s->up_bytes + s->down_bytes) : 0;
	return 0;
}

static int want_session(const struct store_active *a, void *arg)
{
	struct run *r = arg;
	const struct store_session *s = &a->session;
	int64_t closes_at = session_closes_at(r->gw->config, s);
	int ran_out = closes_at && closes_at <= r->now;
	int live = strcmp(s->state, "active") == 0 || strcmp(s->state, "provisional") == 0;
	struct want *w;

	/* New, pending and rejected sessions have no gate to open, only time that may run out. */
	if (!live && !ran_out)
		return 0;
	w = new_want(r, a->port, a->mac);
	if (!w)
		return -ENOMEM;
	w->kind = WANT_ENDED;
	w->k.session = s->id;
	w->why = session_timeout_reason(r->gw->config, s);
	if (ran_out)
		return 0;
	if (s->byte_cap && s->up_bytes + s->down_bytes >= s->byte_cap) {
		w->why = "byte-cap";
		return 0;
	}
	if (!w->k.port) {
		log_warn("session %llu: port %s has gone; its guest stays out", (unsigned long long)s->id,
			 a->port);
		r->nwant--;
		return 0;
	}
	return want_open(r, w, a, closes_at);
}

static int collect_addr(const struct store_addr *a, void *arg)
{
	return want_addr(arg, a->addr);
}

static int want_blocked(const struct store_client *c, void *arg)
{
	struct run *r = arg;
	struct want *w = new_want(r, c->port, c->mac);

	if (!w)
		return -ENOMEM;
	if (!w->k.port) {
		r->nwant--;
		return 0; /* no port, no entry: nothing passes */
	}
	w->kind = WANT_BLOCKED;
	w->k.has = KERNEL_CLIENT_HAS_ADDRS | KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION |
		   KERNEL_CLIENT_HAS_TIMEOUT | KERNEL_CLIENT_HAS_BYTE_CAP;
	w->k.state = WICKET_STATE_BLOCKED;
	return store_client_addrs(r->gw->store, c->id, collect_addr, r);
}

/*
 * One row per client. The store has at most one live session per client
 * and none for a blocked one; should it disagree, the block wins (and the
 * session is ended) and a second live session is left out.
 */
static void one_per_client(struct run *r)
{
	const struct want *first = NULL;
	char mac[18];

	for (size_t i = 0; i < r->nwant; i++) {
		struct want *w = &r->want[i];

		if (first && key_cmp(&first->k, &w->k) != 0)
			first = NULL;
		if (w->kind == WANT_ENDED)
			continue;
		if (!first) {
			first = w;
			continue;
		}
		log_warn("session %llu of %s (ifindex %u): its client is %s: %s",
			 (unsigned long long)w->k.session, kernel_mac_format(w->k.mac, mac, sizeof(mac)),
			 w->k.port, first->kind == WANT_BLOCKED ? "blocked" : "in another live session",
			 first->kind == WANT_BLOCKED ? "ended" : "left out");
		w->kind = first->kind == WANT_BLOCKED ? WANT_ENDED : WANT_NOTHING;
		w->why = "block"; /* as session_block() ends it */
	}
}

static int read_store(struct run *r)
{
	int ret = store_sessions_active(r->gw->store, want_session, r);

	if (!ret)
		ret = store_clients_blocked(r->gw->store, want_blocked, r);
	if (ret) {
		log_err("reconcile: reading the store: %s",
			ret == -ENOMEM ? "out of memory" : store_error(r->gw->store));
		return ret;
	}
	qsort(r->want, r->nwant, sizeof(*r->want), want_cmp);
	one_per_client(r);
	return 0;
}

/* --- what the kernel has */

static int note_present(const struct kernel_client *c, void *arg)
{
	struct run *r = arg;
	struct entry *e;

	if (r->npresent == r->present_cap && grow((void **)&r->present, &r->present_cap, sizeof(*r->present)))
		return -ENOMEM;
	e = &r->present[r->npresent];
	*e = (struct entry){
		.port = c->port,
		.state = c->state,
		.naddrs = c->naddrs,
		.addr_at = r->present_addrs.n,
		.has = c->has,
		.flags = c->flags,
		.session = c->session,
		.timeout_ms = c->timeout_ms,
		.byte_cap = c->byte_cap,
	};
	memcpy(e->mac, c->mac, 6);
	for (unsigned int a = 0; a < c->naddrs; a++)
		if (pool_add(&r->present_addrs, &c->addrs[a]))
			return -ENOMEM;
	r->npresent++;
	return 0;
}

/* The kernel's table, whole (a torn dump is taken again), sorted. */
static int dump_kernel(struct run *r)
{
	int torn = 1, ret = 0;

	for (int try = 0; torn && try < 10; try++) {
		r->npresent = 0;
		r->present_addrs.n = 0;
		ret = kernel_client_dump(r->gw->kernel, 0, note_present, r, &torn);
		if (ret) {
			log_err("reconcile: wicket.ko: %s",
				ret == -ENOMEM ? "out of memory" : kernel_error(r->gw->kernel));
			return ret;
		}
	}
	if (torn) {
		log_err("reconcile: wicket.ko's table kept changing during ten dumps");
		return -EAGAIN;
	}
	qsort(r->present, r->npresent, sizeof(*r->present), present_cmp);
	r->owner = malloc((r->npresent + 1) * sizeof(*r->owner));
	r->plan = calloc(r->npresent + 1, sizeof(*r->plan));
	if (!r->owner || !r->plan)
		return -ENOMEM;
	for (size_t j = 0; j < r->npresent; j++)
		r->owner[j] = -1;
	return 0;
}

/* --- sessions the daemon missed the end of */

/* Its kernel entry, if the kernel still holds that session. */
static const struct entry *entry_of(const struct run *r, const struct want *w)
{
	long j = find_present(r, &w->k);

	return j >= 0 && r->present[j].session == w->k.session ? &r->present[j] : NULL;
}

static int closed_by_kernel(const struct run *r, const struct want *w)
{
	const struct entry *c = entry_of(r, w);

	return c && (c->flags & WICKET_CLIENT_F_CLOSED);
}

/* End a session with the kernel's counters if it has them (read and reset at once: none twice). */
static void end_missed(struct run *r, const struct want *w)
{
	struct gateway *gw = r->gw;
	const struct entry *e = entry_of(r, w);
	unsigned long long id = w->k.session;
	const char *why = w->why;

	if (e) {
		struct kernel_client c;

		to_client(&r->present_addrs, e, &c);
		if ((c.flags & WICKET_CLIENT_F_CLOSED) && (c.has & KERNEL_CLIENT_HAS_BYTE_CAP) &&
		    c.byte_cap == 0)
			why = "byte-cap";
		if (kernel_client_get(gw->kernel, &c, WICKET_F_RESET_COUNTERS) == 0 &&
		    store_session_add_counters(gw->store, id, c.up_bytes, c.down_bytes, c.up_packets,
					       c.down_packets))
			log_warn("session %llu: store: %s", id, store_error(gw->store));
	}
	if (store_session_end(gw->store, id, why, session_now_ms())) {
		log_warn("session %llu: store: %s", id, store_error(gw->store));
		r->stats->failed++;
		return;
	}
	log_info("session %llu ended while wicketd was away: %s", id, why);
	r->stats->ended++;
}

/* One transaction for them all: one fsync, not one per session. */
static int end_missed_sessions(struct run *r)
{
	struct store *store = r->gw->store;
	int batch = store_begin(store) == 0, ret;

	for (size_t i = 0; i < r->nwant; i++) {
		struct want *w = &r->want[i];

		if (w->kind == WANT_LIVE && closed_by_kernel(r, w))
			w->kind = WANT_ENDED;
		if (w->kind == WANT_ENDED)
			end_missed(r, w);
	}
	if (!batch)
		return 0;
	ret = store_commit(store);
	if (ret) {
		log_err("reconcile: store: %s", store_error(store));
		store_rollback(store);
	}
	return ret;
}

/* --- the plan */

static int need_addrs(struct run *r, size_t i)
{
	const struct entry *k = &r->want[i].k;

	for (unsigned int a = 0; a < k->naddrs; a++) {
		if (r->nneeded == r->needed_cap &&
		    grow((void **)&r->needed, &r->needed_cap, sizeof(*r->needed)))
			return -ENOMEM;
		addr_key(&addrs_of(&r->want_addrs, k)[a], r->needed[r->nneeded].key);
		r->needed[r->nneeded++].owner = i;
	}
	return 0;
}

/* Whether addr is needed by a wanted client other than self (-1: by any). */
static int needed_by_other(const struct run *r, const struct kernel_addr *addr, long self)
{
	const struct needed *n = find_needed(r, addr);

	return n && (long)n->owner != self;
}

static int holds_other(const struct run *r, const struct entry *c, long self)
{
	const struct kernel_addr *addrs = addrs_of(&r->present_addrs, c);

	for (unsigned int a = 0; a < c->naddrs; a++)
		if (needed_by_other(r, &addrs[a], self))
			return 1;
	return 0;
}

static enum present_plan plan_present(const struct run *r, size_t j)
{
	const struct entry *c = &r->present[j];

	if (r->owner[j] >= 0)
		return holds_other(r, c, r->owner[j]) ? P_SHRINK : P_LEAVE;
	if (holds_other(r, c, -1))
		return P_DELETE;
	/*
	 * Not in the store: made captive, whatever it was. Open gates close;
	 * a block the store does not hold (lifted while wicketd was away) is
	 * lifted here too, and captive is still closed.
	 */
	if (c->state != WICKET_STATE_CAPTIVE)
		return P_CLOSE;
	return P_LEAVE;
}

/* Match wanted clients with kernel entries, and decide what happens to every entry. */
static int plan(struct run *r)
{
	for (size_t i = 0; i < r->nwant; i++) {
		struct want *w = &r->want[i];

		if (w->kind != WANT_LIVE && w->kind != WANT_BLOCKED)
			continue;
		w->present = find_present(r, &w->k);
		if (w->present >= 0) {
			r->owner[w->present] = (long)i;
			/* Same session: the kernel's cap left is exact; the store lacks its latest counts. */
			if (w->kind == WANT_LIVE && r->present[w->present].session == w->k.session)
				w->k.has &= ~KERNEL_CLIENT_HAS_BYTE_CAP;
		}
		if (need_addrs(r, i))
			return -ENOMEM;
	}
	qsort(r->needed, r->nneeded, sizeof(*r->needed), needed_cmp);
	for (size_t j = 0; j < r->npresent; j++)
		r->plan[j] = (uint8_t)plan_present(r, j);
	return 0;
}

/* --- writing the kernel */

/*
 * Clients go out in messages of what one message holds (sized as
 * kernel.c sizes them), each all or nothing in the kernel; a refused one
 * is sent again client by client.
 */
struct sender {
	struct run *r;
	uint8_t cmd; /* WICKET_CMD_CLIENT_ADD, _UPDATE or _DEL */
	struct kernel_client *buf; /* WICKET_MAX_BATCH of them */
	size_t n;
	size_t done; /* clients the kernel accepted */
	void *msg; /* KERNEL_BATCH_BYTES, to size messages in */
};

static int send_clients(struct sender *s, const struct kernel_client *c, size_t n)
{
	struct kernel *k = s->r->gw->kernel;

	if (s->cmd == WICKET_CMD_CLIENT_ADD)
		return kernel_client_add(k, c, n);
	if (s->cmd == WICKET_CMD_CLIENT_UPDATE)
		return kernel_client_update(k, c, n);
	return kernel_client_del(k, c, n);
}

static const char *cmd_name(uint8_t cmd)
{
	return cmd == WICKET_CMD_CLIENT_ADD ? "add" : cmd == WICKET_CMD_CLIENT_UPDATE ? "update" : "delete";
}

/* A block the kernel refused: no entry at all lets nothing through either. */
static void keep_out(struct sender *s, const struct kernel_client *c)
{
	struct kernel *k = s->r->gw->kernel;
	char mac[18];

	kernel_mac_format(c->mac, mac, sizeof(mac));
	if (kernel_client_del(k, c, 1))
		log_warn("reconcile: blocked %s: wicket.ko: delete: %s", mac, kernel_error(k));
	else
		log_warn("reconcile: blocked %s: its entry deleted instead; it stays out", mac);
}

static void send_one_by_one(struct sender *s, const struct kernel_client *c, size_t n)
{
	struct kernel *k = s->r->gw->kernel;

	for (size_t i = 0; i < n; i++) {
		if (send_clients(s, &c[i], 1) == 0) {
			s->done++;
			continue;
		}
		log_warn("reconcile: wicket.ko refused %s: %s", cmd_name(s->cmd), kernel_error(k));
		s->r->stats->failed++;
		if (s->cmd == WICKET_CMD_CLIENT_UPDATE && (c[i].has & KERNEL_CLIENT_HAS_STATE) &&
		    c[i].state == WICKET_STATE_BLOCKED)
			keep_out(s, &c[i]);
	}
}

static void flush(struct sender *s)
{
	for (size_t off = 0, n; off < s->n; off += n) {
		int fit = kernel_build_clients(s->msg, KERNEL_BATCH_BYTES, WICKET_MAX_BATCH, 0, s->cmd,
					       s->buf + off, s->n - off);

		/* A client that is invalid or fits nowhere goes alone, to be refused alone. */
		n = fit > 0 ? (size_t)fit : 1;
		if (send_clients(s, s->buf + off, n) == 0)
			s->done += n;
		else
			send_one_by_one(s, s->buf + off, n);
	}
	s->n = 0;
}

static void push(struct sender *s, const struct kernel_client *c)
{
	if (s->n == WICKET_MAX_BATCH)
		flush(s);
	s->buf[s->n++] = *c;
}

static void begin(struct sender *s, uint8_t cmd)
{
	s->cmd = cmd;
	s->n = 0;
	s->done = 0;
}

/* Flush, and how many clients the kernel took. */
static size_t finish(struct sender *s)
{
	flush(s);
	return s->done;
}

/* A kernel entry as plan p changes it. */
static void changed(const struct run *r, size_t j, enum present_plan p, struct kernel_client *c)
{
	unsigned int kept = 0;

	to_client(&r->present_addrs, &r->present[j], c);
	if (p == P_SHRINK) {
		for (unsigned int a = 0; a < c->naddrs; a++)
			if (!needed_by_other(r, &c->addrs[a], r->owner[j]))
				c->addrs[kept++] = c->addrs[a];
		c->naddrs = kept;
		c->has = KERNEL_CLIENT_HAS_ADDRS;
	} else if (p == P_CLOSE) {
		c->has = KERNEL_CLIENT_HAS_STATE | KERNEL_CLIENT_HAS_SESSION | KERNEL_CLIENT_HAS_TIMEOUT;
		c->state = WICKET_STATE_CAPTIVE;
		c->session = 0;
		c->timeout_ms = 0;
	}
}

static size_t send_present(struct run *r, struct sender *s, uint8_t cmd, enum present_plan p)
{
	begin(s, cmd);
	for (size_t j = 0; j < r->npresent; j++) {
		if (r->plan[j] == p) {
			struct kernel_client c;

			changed(r, j, p, &c);
			push(s, &c);
		}
	}
	return finish(s);
}

/*
 * A live session's time left as of now, not as of the start: reading and
 * ending many sessions takes a while (seconds for thousands after lost
 * events), and a timeout computed at the start would give every session
 * that much more. Worse, one whose deadline passed meanwhile, and whose
 * gate the kernel has closed, would be opened again: a new deadline clears
 * the CLOSED flag. Returns 0 to send the entry, -1 to leave the kernel's
 * entry as it is: the same session, past its deadline, which the kernel
 * closes (or has closed) by itself, its CLOSED event ending it here.
 */
static int time_left_now(const struct run *r, struct want *w)
{
	int64_t now;

	if (w->kind != WANT_LIVE || !w->closes_at)
		return 0;
	now = session_now_ms();
	if (w->closes_at > now) {
		w->k.timeout_ms = (uint64_t)(w->closes_at - now);
		return 0;
	}
	if (w->present >= 0 && r->present[w->present].session == w->k.session)
		return -1;
	/* Not the kernel's yet: an entry that closes at once, and says so in an event. */
	w->k.timeout_ms = 1;
	return 0;
}

/* Wanted clients of kind: those the kernel lacks (ADD) or has (UPDATE). */
static size_t send_wanted(struct run *r, struct sender *s, uint8_t cmd, enum want_kind kind)
{
	int add = cmd == WICKET_CMD_CLIENT_ADD;
	struct kernel_client c;

	begin(s, cmd);
	for (size_t i = 0; i < r->nwant; i++)
		if (r->want[i].kind == kind && (r->want[i].present < 0) == add &&
		    time_left_now(r, &r->want[i]) == 0) {
			to_client(&r->want_addrs, &r->want[i].k, &c);
			push(s, &c);
		}
	return finish(s);
}

static int apply(struct run *r)
{
	struct reconcile_stats *st = r->stats;
	struct sender s = { .r = r };

	s.buf = malloc(WICKET_MAX_BATCH * sizeof(*s.buf));
	s.msg = malloc(KERNEL_BATCH_BYTES);
	if (!s.buf || !s.msg) {
		free(s.buf);
		free(s.msg);
		return -ENOMEM;
	}
	/* Addresses out of the way first, then closes and blocks, then the open gates. */
	st->removed = send_present(r, &s, WICKET_CMD_CLIENT_DEL, P_DELETE);
	send_present(r, &s, WICKET_CMD_CLIENT_UPDATE, P_SHRINK);
	st->closed = send_present(r, &s, WICKET_CMD_CLIENT_UPDATE, P_CLOSE);
	st->blocked = send_wanted(r, &s, WICKET_CMD_CLIENT_ADD, WANT_BLOCKED);
	st->blocked += send_wanted(r, &s, WICKET_CMD_CLIENT_UPDATE, WANT_BLOCKED);
	st->restored = send_wanted(r, &s, WICKET_CMD_CLIENT_ADD, WANT_LIVE);
	st->kept = send_wanted(r, &s, WICKET_CMD_CLIENT_UPDATE, WANT_LIVE);
	free(s.buf);
	free(s.msg);
	return 0;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int reconcile(struct gateway *gw, struct reconcile_stats *stats)
{
	struct run r = { .gw = gw, .stats = stats, .now = session_now_ms() };
	struct timespec t0;
	int ret;

	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = read_store(&r);
	if (!ret)
		ret = dump_kernel(&r);
	if (!ret)
		ret = end_missed_sessions(&r);
	if (!ret)
		ret = plan(&r);
	if (!ret)
		ret = apply(&r);
	stats->elapsed_ms = ms_since(&t0);
	if (!ret)
		log_info("reconciled: %zu sessions restored, %zu sessions kept, %zu ended while away, "
			 "%zu gates closed, %zu clients blocked, %zu stale entries removed, %zu refused, "
			 "in %.1f ms",
			 stats->restored, stats->kept, stats->ended, stats->closed, stats->blocked,
			 stats->removed, stats->failed, stats->elapsed_ms);
	free(r.want);
	free(r.want_addrs.v);
	free(r.present);
	free(r.present_addrs.v);
	free(r.owner);
	free(r.plan);
	free(r.needed);
	free(r.ports);
	return ret;
}
