/*
 * Accounting: the outbox sender, the interim counter sweep and idle
 * timeouts (see accounting.h). Runs on the loop thread; only the RADIUS
 * exchange itself is on a worker thread.
 */
#include "accounting.h"

#include <errno.h>
#include <event2/event.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing.h"
#include "gateway.h"
#include "kernel.h"
#include "log.h"
#include "radius.h"
#include "session.h"
#include "store.h"
#include "store_billing.h"
#include "store_outbox.h"
#include "uapi/wicket.h"
#include "workers.h"

#define SEND_BATCH 32 /* records in flight at most */
#define SEND_THREADS 2
#define BACKOFF_MAX_MS (300 * 1000)

struct in_flight {
	struct accounting *a;
	struct store_acct rec;
	int ret;
	char error[STORE_ACCT_ERROR_LEN];
};

struct accounting {
	struct gateway *gw;
	struct radius *radius; /* NULL without [radius]: records wait */
	/*
	 * Its own threads: with the server unreachable each send blocks for
	 * timeout * (retries + 1), and a guest's payment must not wait behind.
	 */
	struct workers *workers;
	struct event *send_timer, *sweep_timer;
	int64_t last_interim;
	int64_t flying[SEND_BATCH]; /* ids of the records being sent; 0: free slot */
	struct accounting_stats stats;
};

const struct accounting_stats *accounting_stats(const struct accounting *a)
{
	return &a->stats;
}

/* --- the interim sweep and idle timeouts */

struct sweep {
	struct accounting *a;
	int64_t now;
	int interim; /* queue Interim-Updates this time */
	int any_idle; /* some plan has an idle timeout: worth looking up each session's */
	uint64_t *idle; /* sessions to end as idle */
	size_t nidle, idle_cap;
	uint64_t forget_ms; /* forget_after in ms; 0: never */
	struct kernel_client *gone; /* departed guests to forget */
	size_t ngone, gone_cap;
};

/* Grow *v (elements of size) to hold one more than *n; 0 or -ENOMEM. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t bigger = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, bigger * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = bigger;
	return 0;
}

/*
 * A guest with nothing open whose device has sent nothing for forget_after
 * (its gate closed, so nothing it sent passed or was counted; the kernel
 * still hears it): gone, as far as the gateway can tell. Blocked guests
 * stay, whatever their age: their entry is what keeps them out.
 */
static void note_departed(struct sweep *sw, const struct kernel_client *k)
{
	if (!sw->forget_ms || k->session || k->state != WICKET_STATE_CAPTIVE || k->idle_ms < sw->forget_ms)
		return;
	if (grow((void **)&sw->gone, &sw->gone_cap, sw->ngone, sizeof(*sw->gone)))
		return;
	sw->gone[sw->ngone] = (struct kernel_client){ .port = k->port };
	memcpy(sw->gone[sw->ngone].mac, k->mac, 6);
	sw->ngone++;
}

/* One open gate's counters, read and reset by the dump: into its session. */
static int sweep_client(const struct kernel_client *k, void *arg)
{
	struct sweep *sw = arg;
	struct store *st = sw->a->gw->store;
	struct store_session_bill bill;
	struct store_plan plan;
	int ret;

	if (!k->session) {
		note_departed(sw, k);
		return 0;
	}
	/* A client that sent nothing since the last sweep has nothing to add (the common case at scale). */
	if ((k->up_packets || k->down_packets) &&
	    store_session_add_counters(st, k->session, k->up_bytes, k->down_bytes, k->up_packets,
				       k->down_packets)) {
		log_warn("session %llu: store: %s", (unsigned long long)k->session, store_error(st));
		return 0;
	}
	if (k->up_packets || k->down_packets || sw->interim)
		store_session_settle(st, k->session, sw->now);
	if (sw->interim && k->state == WICKET_STATE_AUTHORIZED) {
		ret = store_outbox_add(st, k->session, "interim", sw->now, NULL);
		if (!ret)
			sw->a->stats.interims++;
	}
	if (!sw->any_idle || store_session_bill_get(st, k->session, &bill) || !bill.plan_id ||
	    store_plan_get(st, bill.plan_id, &plan) || !plan.idle_timeout_s ||
	    k->idle_ms < (uint64_t)plan.idle_timeout_s * 1000)
		return 0;
	if (grow((void **)&sw->idle, &sw->idle_cap, sw->nidle, sizeof(*sw->idle)))
		return 0;
	sw->idle[sw->nidle++] = k->session;
	return 0;
}

/* End an idle session: the store first, then the gate. */
static void end_idle(struct accounting *a, uint64_t session_id)
{
	char err[256];
	struct session_client c;
	struct store_session_row row;

	if (store_session_row_get(a->gw->store, session_id, &row) || strcmp(row.session.state, "active"))
		return;
	if (session_find(a->gw, row.mac, &c, err, sizeof(err)) || c.session_id != session_id ||
	    session_end(a->gw, &c, "idle", err, sizeof(err))) {
		log_warn("session %llu: idle, but not ended: %s", (unsigned long long)session_id, err);
		return;
	}
	a->stats.idle_ends++;
	log_info("session %llu ended: idle", (unsigned long long)session_id);
}

/*
 * Forget departed guests: their addresses are released in the store first
 * (one transaction), then their entries leave the kernel's table. A store
 * that cannot be written forgets nothing this time: an entry gone from the
 * kernel with its addresses still bound would keep them from the next
 * device for good. Nor does a guest the store says has not departed: one
 * whose remote payment is pending (its only traffic, to the portal, is not
 * the gate's to hear), or blocked since the dump. A forgotten guest that
 * comes back is seen again from its first packet, like a new one; its
 * history stays in the store.
 */
static void forget_departed(struct accounting *a, struct kernel_client *gone, size_t n, int64_t now)
{
	struct gateway *gw = a->gw;
	char port[IF_NAMESIZE], mac[18];
	unsigned int released = 0, one;
	size_t forgotten = 0, kept = 0;
	int ret;

	if (!n)
		return;
	if (store_begin(gw->store)) {
		log_warn("forgetting departed guests: store: %s", store_error(gw->store));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!if_indextoname(gone[i].port, port))
			continue;
		kernel_mac_format(gone[i].mac, mac, sizeof(mac));
		ret = store_client_release(gw->store, port, mac, now, &one);
		if (ret) {
			if (ret != -EBUSY)
				log_warn("forgetting a departed guest: store: %s", store_error(gw->store));
			continue;
		}
		released += one;
		gone[kept++] = gone[i];
	}
	n = kept;
	if (store_commit(gw->store)) {
		log_warn("forgetting departed guests: store: %s", store_error(gw->store));
		store_rollback(gw->store);
		return;
	}
	if (!n)
		return;
	if (kernel_client_del(gw->kernel, gone, n) == 0) {
		forgotten = n;
	} else {
		/* One of them went meanwhile (a batch is all or nothing): one at a time. */
		for (size_t i = 0; i < n; i++) {
			int ret = kernel_client_del(gw->kernel, &gone[i], 1);

			if (!ret)
				forgotten++;
			else if (ret != -ENOENT)
				log_warn("forgetting a departed guest: wicket.ko: %s",
					 kernel_error(gw->kernel));
		}
	}
	a->stats.forgotten += forgotten;
	if (forgotten)
		log_info("forgot %zu departed guests, quiet for %u s or more (%u addresses released)",
			 forgotten, gw->config->gateway.forget_after, released);
}

static int note_idle_plan(const struct store_plan *p, void *arg)
{
	*(int *)arg |= p->idle_timeout_s != 0;
	return 0;
}

/*
 * The next sweep, [gateway] sweep_interval from now: read from the running
 * configuration each time, so that a SIGHUP's value applies from the next.
 */
static int sweep_schedule(struct accounting *a)
{
	struct timeval in = { .tv_sec = a->gw->config->gateway.sweep_interval };

	return event_add(a->sweep_timer, &in);
}

static void sweep(evutil_socket_t fd, short what, void *arg)
{
	struct accounting *a = arg;
	const struct wicket_config *cfg = a->gw->config;
	struct sweep sw = {
		.a = a,
		.now = session_now_ms(),
		.forget_ms = (uint64_t)cfg->gateway.forget_after * 1000,
	};
	int ret, torn = 0;

	(void)fd;
	(void)what;
	if (sweep_schedule(a))
		log_err("accounting sweep: cannot schedule the next one");
	sw.interim = cfg->radius.interim && sw.now - a->last_interim >= (int64_t)cfg->radius.interim * 1000;
	/* Retired plans too: their sessions may still run. */
	store_plan_list(a->gw->store, 1, note_idle_plan, &sw.any_idle);
	/*
	 * Counters read and reset go into the store in the same breath: one
	 * transaction. Those it cannot commit (a full disk) the store holds
	 * and adds to the next sweep's: first thing here, before the new ones.
	 */
	if (store_begin(a->gw->store)) {
		log_err("accounting sweep: store: %s", store_error(a->gw->store));
		return;
	}
	if (store_counters_flush(a->gw->store, sw.now))
		log_warn("accounting sweep: counters held from before: store: %s", store_error(a->gw->store));
	ret = kernel_client_dump(a->gw->kernel, WICKET_F_RESET_COUNTERS, sweep_client, &sw, &torn);
	if (ret)
		log_warn("accounting sweep: wicket.ko: %s", kernel_error(a->gw->kernel));
	if (store_commit(a->gw->store)) {
		size_t n;
		uint64_t held;

		log_err("accounting sweep: store: %s", store_error(a->gw->store));
		store_rollback(a->gw->store);
		held = store_counters_held(a->gw->store, &n);
		log_warn("accounting sweep: %llu bytes of %zu sessions held until the store can be written",
			 (unsigned long long)held, n);
	}
	if (sw.interim)
		a->last_interim = sw.now;
	for (size_t i = 0; i < sw.nidle; i++)
		end_idle(a, sw.idle[i]);
	free(sw.idle);
	/* Only from a whole dump: a torn one may have seen an entry in a state it has left. */
	if (!ret && !torn)
		forget_departed(a, sw.gone, sw.ngone, sw.now);
	free(sw.gone);
	if (a->gw->billing)
		billing_expire(a->gw->billing, sw.now);
	accounting_kick(a);
}

/* --- the outbox sender */

static int flying_slot(struct accounting *a, int64_t id)
{
	for (int i = 0; i < SEND_BATCH; i++)
		if (a->flying[i] == id)
			return i;
	return -1;
}

/* Worker thread: one record to the server; the store is not touched here. */
static void send_record(void *arg)
{
	struct in_flight *f = arg;
	const struct store_acct *r = &f->rec;
	struct radius_acct_record rec = {
		.kind = !strcmp(r->kind, "start")  ? RADIUS_ACCT_START
			: !strcmp(r->kind, "stop") ? RADIUS_ACCT_STOP
						   : RADIUS_ACCT_INTERIM,
		.session_id = r->session_id,
		.event_ms = r->event_at,
		.session_time_s = r->session_time_s > 0 ? (uint64_t)r->session_time_s : 0,
		.input_octets = r->up_bytes,
		.output_octets = r->down_bytes,
		.input_packets = r->up_packets,
		.output_packets = r->down_packets,
		.end_reason = r->terminate_cause,
		.mac = r->mac,
		.port = r->port,
		.charge = r->charge,
		.currency = r->currency,
		.plan = r->plan,
		.room = r->room,
		.class_ = r->class_len ? r->class_ : NULL,
		.class_len = r->class_len,
	};

	f->ret = radius_acct(f->a->radius, &rec, session_now_ms(), f->error, sizeof(f->error));
}

/* Loop thread: acknowledged, or tried again later. */
static void sent_record(void *arg, int cancelled)
{
	struct in_flight *f = arg;
	struct accounting *a = f->a;
	int slot = flying_slot(a, f->rec.id);
	int64_t backoff = 1000LL << (f->rec.attempts < 8 ? f->rec.attempts : 8);

	if (slot >= 0)
		a->flying[slot] = 0;
	if (!cancelled && f->ret == 0) {
		a->stats.acked++;
		if (store_outbox_acked(a->gw->store, f->rec.id, session_now_ms()))
			log_err("accounting record %lld: acknowledged, but the store says: %s",
				(long long)f->rec.id, store_error(a->gw->store));
	} else if (!cancelled) {
		a->stats.failed++;
		if (backoff > BACKOFF_MAX_MS)
			backoff = BACKOFF_MAX_MS;
		if (f->rec.attempts == 0 || f->rec.attempts % 10 == 9)
			log_warn("accounting record %lld (%s of session %llu): %s; trying again",
				 (long long)f->rec.id, f->rec.kind, (unsigned long long)f->rec.session_id,
				 f->error);
		store_outbox_failed(a->gw->store, f->rec.id, f->error, session_now_ms() + backoff);
	}
	free(f);
	if (!cancelled)
		accounting_kick(a);
}

static int send_due(const struct store_acct *r, void *arg)
{
	struct accounting *a = arg;
	struct in_flight *f;
	int slot;

	if (flying_slot(a, r->id) >= 0)
		return 0;
	slot = flying_slot(a, 0);
	if (slot < 0)
		return 1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return 1;
	f->a = a;
	f->rec = *r;
	if (workers_submit(a->workers, send_record, sent_record, f)) {
		free(f);
		return 1; /* the pool is full: the next look will do */
	}
	a->flying[slot] = r->id;
	a->stats.sent++;
	return 0;
}

void accounting_kick(struct accounting *a)
{
	if (!a->radius)
		return;
	if (store_outbox_due(a->gw->store, session_now_ms(), SEND_BATCH, send_due, a) < 0)
		log_err("accounting: store: %s", store_error(a->gw->store));
}

static void on_send_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	accounting_kick(arg);
}

int accounting_open(struct gateway *gw, struct accounting **out, char *err, size_t errlen)
{
	struct accounting *a = calloc(1, sizeof(*a));
	struct timeval every_second = { .tv_sec = 1 };

	*out = NULL;
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->gw = gw;
	a->radius = gw->radius;
	a->last_interim = session_now_ms();
	if (gw->radius && workers_open(gw->base, SEND_THREADS, SEND_BATCH, &a->workers)) {
		free(a);
		snprintf(err, errlen, "accounting: cannot start its threads");
		return -ENOMEM;
	}
	a->send_timer = event_new(gw->base, -1, EV_PERSIST, on_send_timer, a);
	a->sweep_timer = event_new(gw->base, -1, 0, sweep, a);
	if (!a->send_timer || !a->sweep_timer || event_add(a->send_timer, &every_second) ||
	    sweep_schedule(a)) {
		accounting_close(a);
		snprintf(err, errlen, "accounting: cannot start its timers");
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

void accounting_close(struct accounting *a)
{
	if (!a)
		return;
	/* First: the sends' done() callbacks run here and use what follows. */
	workers_close(a->workers);
	if (a->send_timer)
		event_free(a->send_timer);
	if (a->sweep_timer)
		event_free(a->sweep_timer);
	free(a);
}
