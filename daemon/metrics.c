/* Metrics (metrics.h): the snapshot, its Prometheus and JSON forms, the control command. */
#include "metrics.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounting.h"
#include "control.h"
#include "gateway.h"
#include "session.h"
#include "store.h"
#include "store_billing.h"
#include "store_outbox.h"

static const char *const state_names[WICKET_STATE_MAX + 1] = {
	[WICKET_STATE_CAPTIVE] = "captive",
	[WICKET_STATE_PROVISIONAL] = "provisional",
	[WICKET_STATE_AUTHORIZED] = "authorized",
	[WICKET_STATE_BLOCKED] = "blocked",
};

static int count_client(const struct kernel_client *c, void *arg)
{
	struct client_counts *n = arg;

	n->total++;
	if (c->state <= WICKET_STATE_MAX)
		n->by_state[c->state]++;
	if (n->port && c->port == n->port)
		n->on_port++;
	return 0;
}

int metrics_count_clients(struct gateway *gw, struct client_counts *n, char *err, size_t errlen)
{
	for (int try = 0; try < 5; try++) {
		uint32_t port = n->port;
		int torn = 0, ret;

		memset(n, 0, sizeof(*n));
		n->port = port;
		ret = kernel_client_dump(gw->kernel, 0, count_client, n, &torn);
		if (ret) {
			snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
			return ret;
		}
		if (!torn)
			return 0;
	}
	snprintf(err, errlen, "the client table kept changing: try again");
	return -EAGAIN;
}

int metrics_take(struct gateway *gw, struct metrics_snapshot *m, char *err, size_t errlen)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->now = time(NULL);
	m->started = gw->started;
	snprintf(m->module_release, sizeof(m->module_release), "%s", gw->module.release);
	if ((ret = metrics_count_clients(gw, &m->clients, err, errlen)))
		return ret;
	if ((ret = kernel_stats_get(gw->kernel, &m->kernel))) {
		snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
		return ret;
	}
	if ((ret = store_sessions_active_count(gw->store, &m->sessions_active)) ||
	    (ret = store_outbox_depth(gw->store, &m->outbox_records, &m->outbox_oldest_ms))) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return ret;
	}
	m->sessions = *store_counts(gw->store);
	if (gw->keepalive) {
		m->keepalive_open = 1;
		memcpy(m->keepalives, keepalive_stats(gw->keepalive)->results, sizeof(m->keepalives));
	}
	if (gw->billing)
		m->approvals = *billing_stats(gw->billing);
	if (gw->accounting) {
		const struct accounting_stats *a = accounting_stats(gw->accounting);

		m->acct_sent = a->sent;
		m->acct_acked = a->acked;
		m->acct_failed = a->failed;
		m->forgotten = a->forgotten;
	}
	return 0;
}

/* --- Prometheus text */

static void help(struct evbuffer *out, const char *name, const char *type, const char *text)
{
	evbuffer_add_printf(out, "# HELP wicket_%s %s\n# TYPE wicket_%s %s\n", name, text, name, type);
}

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void label_value(struct evbuffer *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(out, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, v, 1);
	}
}

static void sample(struct evbuffer *out, const char *name, const char *label, const char *value, uint64_t n)
{
	evbuffer_add_printf(out, "wicket_%s", name);
	if (label) {
		evbuffer_add_printf(out, "{%s=\"", label);
		label_value(out, value);
		evbuffer_add(out, "\"}", 2);
	}
	evbuffer_add_printf(out, " %llu\n", (unsigned long long)n);
}

static const char *method_name(unsigned int i)
{
	return store_method_name(1U << i);
}

int metrics_prometheus(const struct metrics_snapshot *m, struct evbuffer *out)
{
	int64_t age = m->outbox_oldest_ms ? m->now - m->outbox_oldest_ms / 1000 : 0;

	help(out, "up", "gauge", "1 while wicketd answers.");
	sample(out, "up", NULL, NULL, 1);
	help(out, "build_info", "gauge", "wicketd's release and the loaded module's, as labels.");
	evbuffer_add_printf(out, "wicket_build_info{version=\"");
	label_value(out, WICKET_RELEASE);
	evbuffer_add_printf(out, "\",module=\"");
	label_value(out, m->module_release);
	evbuffer_add_printf(out, "\"} 1\n");
	help(out, "start_time_seconds", "gauge", "When wicketd started, in unix seconds.");
	sample(out, "start_time_seconds", NULL, NULL, (uint64_t)m->started);

	help(out, "clients", "gauge", "Clients in the kernel's table, by state.");
	for (int s = 1; s <= WICKET_STATE_MAX; s++)
		sample(out, "clients", "state", state_names[s], m->clients.by_state[s]);
	help(out, "clients_forgotten_total", "counter",
	     "Departed guests forgotten: quiet for forget_after with no session, their entries removed "
	     "from the kernel's table and their addresses released.");
	sample(out, "clients_forgotten_total", NULL, NULL, m->forgotten);
	help(out, "sessions_active", "gauge", "Sessions that have not ended.");
	sample(out, "sessions_active", NULL, NULL, m->sessions_active);
	help(out, "sessions_started_total", "counter", "Sessions started since wicketd started.");
	sample(out, "sessions_started_total", NULL, NULL, m->sessions.started);
	help(out, "sessions_ended_total", "counter", "Sessions ended since wicketd started, by reason.");
	for (size_t i = 0; i < m->sessions.nreasons; i++)
		sample(out, "sessions_ended_total", "reason", m->sessions.ended[i].reason,
		       m->sessions.ended[i].n);

	help(out, "keepalives_accepted_total", "counter", "Keepalives verified and taken.");
	sample(out, "keepalives_accepted_total", NULL, NULL, m->keepalives[KEEPALIVE_OK]);
	help(out, "keepalives_rejected_total", "counter", "Keepalives refused, by reason.");
	for (int r = 0; r < KEEPALIVE_RESULT_COUNT; r++)
		if (r != KEEPALIVE_OK)
			sample(out, "keepalives_rejected_total", "reason", keepalive_result_name(r),
			       m->keepalives[r]);

	help(out, "approvals_total", "counter",
	     "Approvers' answers to billing requests, by method and result (provisional: a temporary "
	     "approval while a remote approver is slow).");
	for (unsigned int i = 0; i < BILLING_METHOD_COUNT; i++)
		for (int r = 0; r < BILLING_RESULT_COUNT; r++)
			evbuffer_add_printf(out, "wicket_approvals_total{method=\"%s\",result=\"%s\"} %llu\n",
					    method_name(i), billing_result_name(r),
					    (unsigned long long)m->approvals.answers[i][r]);

	help(out, "accounting_outbox_records", "gauge",
	     "Accounting records waiting for the network management system.");
	sample(out, "accounting_outbox_records", NULL, NULL, (uint64_t)m->outbox_records);
	help(out, "accounting_outbox_oldest_seconds", "gauge",
	     "Age of the oldest waiting accounting record (0: none waits).");
	sample(out, "accounting_outbox_oldest_seconds", NULL, NULL, age > 0 ? (uint64_t)age : 0);
	help(out, "accounting_records_total", "counter", "Accounting records sent, acknowledged and failed.");
	sample(out, "accounting_records_total", "outcome", "sent", m->acct_sent);
	sample(out, "accounting_records_total", "outcome", "acked", m->acct_acked);
	sample(out, "accounting_records_total", "outcome", "failed", m->acct_failed);

	help(out, "kernel_drops_total", "counter",
	     "Packets the gate dropped since wicket.ko was loaded, by reason.");
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		sample(out, "kernel_drops_total", "reason", kernel_drop_reason_name(r), m->kernel.drops[r]);
	return 0;
}

/* --- JSON */

json_t *metrics_json(const struct metrics_snapshot *m)
{
	json_t *clients = json_pack("{s:i}", "total", m->clients.total), *ended = json_object(),
	       *keepalives = m->keepalive_open ? json_object() : json_null(), *approvals = json_object(),
	       *drops = json_object();

	for (int s = 1; s <= WICKET_STATE_MAX; s++)
		json_object_set_new(clients, state_names[s], json_integer(m->clients.by_state[s]));
	for (size_t i = 0; i < m->sessions.nreasons; i++)
		json_object_set_new(ended, m->sessions.ended[i].reason,
				    json_integer((json_int_t)m->sessions.ended[i].n));
	for (int r = 0; m->keepalive_open && r < KEEPALIVE_RESULT_COUNT; r++)
		json_object_set_new(keepalives, keepalive_result_name(r),
				    json_integer((json_int_t)m->keepalives[r]));
	for (unsigned int i = 0; i < BILLING_METHOD_COUNT; i++) {
		json_t *one = json_object();

		for (int r = 0; r < BILLING_RESULT_COUNT; r++)
			json_object_set_new(one, billing_result_name(r),
					    json_integer((json_int_t)m->approvals.answers[i][r]));
		json_object_set_new(approvals, method_name(i), one);
	}
	for (unsigned int r = WICKET_STATS_A_DROP_UNKNOWN; r <= WICKET_STATS_A_DROP_PORT_BLOCKED; r++)
		json_object_set_new(drops, kernel_drop_reason_name(r),
				    json_integer((json_int_t)m->kernel.drops[r]));
	return json_pack(
		"{s:I, s:I, s:s, s:o, s:I, s:{s:i, s:I, s:o}, s:o, s:o, s:{s:I, s:o, s:I, s:I, s:I}, s:o}",
		"now", (json_int_t)m->now, "uptime_s", (json_int_t)(m->now - m->started), "module",
		m->module_release, "clients", clients, "clients_forgotten", (json_int_t)m->forgotten,
		"sessions", "active", m->sessions_active, "started", (json_int_t)m->sessions.started, "ended",
		ended, "keepalives", keepalives, "approvals", approvals, "accounting", "outbox",
		(json_int_t)m->outbox_records, "oldest_s",
		m->outbox_oldest_ms ? json_integer(m->now - m->outbox_oldest_ms / 1000) : json_null(), "sent",
		(json_int_t)m->acct_sent, "acked", (json_int_t)m->acct_acked, "failed",
		(json_int_t)m->acct_failed, "kernel_drops", drops);
}

/* --- the control command */

static json_t *cmd_metrics(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			   size_t errlen)
{
	struct metrics_snapshot m;

	(void)args;
	(void)peer;
	if (metrics_take(arg, &m, err, errlen))
		return NULL;
	return metrics_json(&m);
}

int metrics_register(struct gateway *gw)
{
	return control_register(gw->control, "metrics", cmd_metrics, gw);
}
