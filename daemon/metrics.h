/*
 * Metrics: what the venue's monitoring and its staff see of a running
 * gateway. One snapshot, two forms: Prometheus text on a staff-only HTTP
 * endpoint ([metrics] in wicketd.conf, metrics_http.c) and JSON on the
 * control socket (the "metrics" command, for wicketctl top).
 *
 * Gauges are read when the snapshot is taken: clients by state from the
 * kernel's table, active sessions and the accounting outbox from the
 * store. Counters count since wicketd started (Prometheus handles the
 * reset of a restart), except the kernel's drops, which count since the
 * module was loaded.
 *
 * Prometheus names (all prefixed wicket_):
 *   up, build_info{version,module}, start_time_seconds
 *   clients{state}                          gauge
 *   sessions_active                         gauge
 *   sessions_started_total                  counter
 *   sessions_ended_total{reason}            counter
 *   keepalives_accepted_total               counter
 *   keepalives_rejected_total{reason}       counter
 *   approvals_total{method,result}          counter
 *   accounting_outbox_records               gauge (waiting for the server)
 *   accounting_outbox_oldest_seconds        gauge (age of the oldest; 0: none)
 *   accounting_records_total{outcome}       counter (sent, acked, failed)
 *   kernel_drops_total{reason}              counter
 */
#ifndef WICKET_METRICS_H
#define WICKET_METRICS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "billing.h"
#include "kernel.h"
#include "keepalive.h"
#include "store_counts.h"
#include "uapi/wicket.h"

struct gateway;
struct evbuffer;

/* The kernel's clients by state; with port set, also how many are on it. */
struct client_counts {
	unsigned int by_state[WICKET_STATE_MAX + 1];
	unsigned int total;
	uint32_t port; /* count only this port's clients, if not 0 */
	unsigned int on_port;
};

/* Count the kernel's clients (a torn dump is taken again). 0 or -errno with err. */
int metrics_count_clients(struct gateway *gw, struct client_counts *n, char *err, size_t errlen);

struct metrics_snapshot {
	int64_t now; /* unix seconds */
	int64_t started; /* wicketd's start, unix seconds */
	char module_release[64];
	struct client_counts clients;
	unsigned int sessions_active;
	struct store_counts sessions;
	int keepalive_open; /* 0: no keepalive socket (its counters are zero) */
	uint64_t keepalives[KEEPALIVE_RESULT_COUNT];
	struct billing_stats approvals;
	int64_t outbox_records, outbox_oldest_ms; /* oldest: 0 when none */
	uint64_t acct_sent, acct_acked, acct_failed;
	uint64_t forgotten; /* departed guests forgotten ([gateway] forget_after) */
	struct kernel_stats kernel;
};

/* Take a snapshot. 0, or -errno with err saying what could not be read. */
int metrics_take(struct gateway *gw, struct metrics_snapshot *m, char *err, size_t errlen);
/* Its Prometheus text exposition (format 0.0.4), appended to out. */
int metrics_prometheus(const struct metrics_snapshot *m, struct evbuffer *out);
/* Its JSON form (a new reference), as the control command answers. */
json_t *metrics_json(const struct metrics_snapshot *m);

/* The control command "metrics". */
int metrics_register(struct gateway *gw);

#endif
