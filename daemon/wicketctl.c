/*
 * wicketctl: the venue staff's command line over wicketd's control socket
 * (control.h). This file is the dispatcher; the subcommands live in
 * ctl_*.c, one file per group. `version` alone needs no wicketd: it asks
 * wicket.ko directly.
 *
 *   wicketctl [--json] [--socket PATH] [--timeout SECONDS] [COMMAND [ARGS]]
 *
 *   status                         (also: no command at all)
 *   clients
 *   client [show] MAC
 *   kick MAC
 *   block MAC
 *   unblock MAC
 *   allow MAC --minutes N
 *   pending
 *   approve ID
 *   reject ID [--reason TEXT]
 *   ports
 *   port set IFACE [--room ROOM] [--mode charge|free|blocked]
 *   port reset IFACE
 *   plans [--all]
 *   plan add NAME --kind KIND --price AMOUNT --currency CUR --methods LIST
 *       [--per-minute AMOUNT] [--per-mb AMOUNT] [--duration D] [--data SIZE]
 *       [--idle D] [--keepalive D] [--port IFACE]... [--room ROOM]...
 *       [--everywhere]
 *   plan set NAME [any of plan add's options]
 *   plan retire NAME
 *   vouchers [--batch B] [--csv]
 *   vouchers create --plan NAME --count N [--devices D] [--csv]
 *   guests
 *   guests import FILE.csv
 *   sessions [--active] [--since TIME]
 *   events [--limit N]
 *   report --from TIME [--to TIME] [--by plan|method|room] [--csv]
 *   top [--interval SECONDS] [--count N] [--limit N]
 *   version
 *   help
 *
 * Any unambiguous prefix of a command (or of `set`) will do: `wicketctl
 * sess`; `wicketctl cl` is refused as ambiguous. MAC: six hex pairs
 * separated by ':' or '-', any case; sent in lower case with ':'. TIME:
 * unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM, in local time. --socket
 * defaults to $WICKET_CONTROL_SOCKET, else /run/wicket/control.sock;
 * --timeout to 5 seconds. --json may also follow the command.
 *
 * Plans: KIND is time, data, time+data, until-checkout or free; a new
 * plan of kind time needs --duration, data needs --data, time+data both.
 * LIST is ways to pay, comma-separated: free, remote, room, staff,
 * voucher. AMOUNT is in major units with a decimal point ("4.50", "4",
 * "0.5"), sent as an integer of minor units with CUR's decimals (ISO 4217:
 * 2, or 0 for BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF
 * XOF XPF, 3 for BHD IQD JOD KWD LYD OMR TND); more decimals than that is
 * a usage error, and so is an AMOUNT on plan set without --currency. D
 * is a duration: "45s", "90m", "24h", "2d", "1h30m" (or "0": none). SIZE
 * is "500MB", "1.5GB", "1TB" (10^3 steps) or "512MiB", "1GiB" (2^10
 * steps), any case (or "0": none). The plan is offered where --port and
 * --room say, or everywhere (--everywhere, or none of them on plan add);
 * on plan set any of them replaces the plan's offers.
 *
 * guests import reads CSV (RFC 4180: quoted fields, "" inside them, LF or
 * CRLF, a UTF-8 byte order mark skipped, empty lines skipped): a first
 * line naming the columns in any order, room and surname, optionally
 * arrival, departure and folio; dates are TIME as above, and a departure
 * date alone means the end of that day. Any bad line sends nothing (the
 * import replaces the whole list); every one is named ("guests.csv:12:
 * departure: '2024-13-01' is not a date").
 *
 * report: TIME for --from and --to (default now), where a --to date alone
 * means the end of that day. Without --by, three tables (per plan, per
 * method, per room) from three requests, each with a total per currency.
 * --csv on vouchers and report prints CSV with a header line; amounts in
 * it are in major units ("4.50").
 *
 * Exit codes: 0 done; 1 wicketd refused or failed the request; 2 usage
 * error (nothing was sent); 3 wicketd not reachable (not running, no
 * socket, permission denied on it, no answer in time).
 *
 * The requests, and the results that --json prints as they are (pretty,
 * keys sorted): the stable interface for scripts. "cmd" {args} → result.
 *
 *   status {} → {"version": str, "module": {"release": str, "protocol": int}
 *       or null, "uptime_s": int, "clients": {"total", "captive",
 *       "provisional", "authorized", "blocked": int}, "sessions_active": int,
 *       "ports": int, "firewall": "installed" | "missing", "keepalives":
 *       {"port": int, and a count per outcome since start: "ok",
 *       "too-short", "too-long", "bad-magic", "bad-version", "bad-flags",
 *       "unknown-session", "bad-tag", "replay", "error"} or null,
 *       "accounting": {"server": bool ([radius] configured), "unacked":
 *       int (records not yet acknowledged), "oldest": unix s | null,
 *       "sent", "acked", "failed": int (since start)}, "portal":
 *       {"fingerprint": str (SHA-256 of its certificate, AB:CD:...)} or
 *       null}
 *   clients {} → [client], client = {"id": int, "mac": str, "port": str,
 *       "room": str | null, "addrs": [str], "state": "captive" |
 *       "provisional" | "authorized" | "blocked", "session": int | null,
 *       "remaining_s": int | null, "up_bytes": int, "down_bytes": int,
 *       "idle_s": int | null}
 *   client {"mac": str} → client and "sessions": [session], "charged":
 *       [{"currency": str, "charge": int}] (its sessions' charges summed)
 *   kick {"mac": str} → {"mac": str, "session": int | null}
 *   block {"mac": str} → {"mac": str, "session": int | null (the one
 *       ended), "blocked": true}; the block is kept in the store
 *   unblock {"mac": str} → {"mac": str, "session": null, "blocked": false}
 *   allow {"mac": str, "minutes": int} → {"mac": str, "session": int,
 *       "remaining_s": int}
 *   ports {} → [port], port = {"ifname": str, "ifindex": int | null,
 *       "room": str | null, "mode": "charge" | "free" | "blocked",
 *       "set_by": "config" | "staff", "clients": int}
 *   port_set {"ifname": str, "room": str (optional; "" for none), "mode":
 *       str (optional)} → port; set_by becomes "staff"
 *   port_reset {"ifname": str} → port; the config file's room and mode
 *   sessions {"active": true (optional), "since": int unix s (optional)}
 *       → [session], session = {"id": int, "mac": str, "port": str,
 *       "state": str, "started": int unix s, "ended": int | null,
 *       "end_reason": str | null, "up_bytes": int, "down_bytes": int,
 *       "plan": str | null, "charge": int (minor units), "currency": str |
 *       null}
 *   events {"limit": int (optional; wicketd's default 50)} → [{"at": int
 *       unix s, "session": int, "event": str, "detail": str | null}]
 *
 *   plans {"all": true (optional: retired plans too)} → [plan], plan =
 *       {"id": int, "name": str, "kind": "time" | "data" | "time+data" |
 *       "until-checkout" | "free", "price": int (minor units), "currency":
 *       str, "per_minute": int, "per_mb": int, "duration_s": int | null,
 *       "bytes": int | null, "idle_timeout_s": int | null, "keepalive_s":
 *       int | null, "methods": [str] (of "free", "remote", "room",
 *       "staff", "voucher"), "offered": [{"port": str | null, "room": str
 *       | null}] (both null: everywhere; no offer: nowhere), "retired":
 *       int unix s | null}
 *   plan_add {"name": str, "kind": str, "price": int, "currency": str,
 *       "methods": [str], "per_minute", "per_mb", "duration_s", "bytes",
 *       "idle_timeout_s", "keepalive_s": int (each optional), "offered":
 *       [{"port": str} | {"room": str} | {} (everywhere)]} → plan
 *   plan_set {"name": str, and only the fields of plan_add given} → plan
 *   plan_retire {"name": str} → plan
 *   vouchers_create {"plan": str, "count": int 1..10000, "devices": int
 *       1..1000 (1 unless given)} → {"batch": str, "plan": str,
 *       "vouchers": [{"code": str, "devices": int}]}
 *   vouchers {"batch": str (optional)} → [{"code": str, "plan": str,
 *       "devices": int, "used": int, "batch": str, "created": int unix s,
 *       "revoked": int unix s | null}]
 *   guests_import {"guests": [{"room": str, "surname": str, "arrival": int
 *       unix s | null, "departure": int unix s | null, "folio": str |
 *       null}]} → {"imported": int}; the list replaces the one there was
 *   guests {} → [{"room", "surname", "arrival", "departure", "folio"}] as
 *       in guests_import
 *   pending {} → [request], request = {"id": int, "session": int, "mac":
 *       str, "port": str, "plan": str, "method": str, "detail": str |
 *       null, "room": str | null, "state": "pending" | "provisional",
 *       "created": int unix s}, oldest first
 *   approve {"id": int} → request
 *   reject {"id": int, "reason": str (optional)} → request, with
 *       "reason": str | null
 *   report {"from": int unix s, "to": int unix s, "by": "plan" | "method"
 *       | "room"} → [{"key": str ("" for none), "currency": str,
 *       "sessions": int, "charge": int (minor units), "seconds": int,
 *       "bytes": int}] for the sessions that ended in [from, to); without
 *       --by, --json prints {"plan": [...], "method": [...], "room": [...]}
 *       from the three requests
 *
 *   submit {"mac": str, "plan": str, "method": str, and what the method
 *       needs: "voucher", or "room" and "surname", or "account" and
 *       "secret"} → {"session": int, "request": int | null, "state":
 *       "pending" | "provisional" | "active" | "rejected", "reason": str |
 *       null, "deadline": unix s | null, "byte_cap": int | null,
 *       "keepalive_s": int}: a guest's billing preference, as the portal
 *       sends it (no wicketctl command: scripts and the front desk's own
 *       tools).
 *   metrics {} → {"now": unix s, "uptime_s": int, "module": str (wicket.ko's
 *       release), "clients": {"total", "captive", "provisional",
 *       "authorized", "blocked": int}, "sessions": {"active": int,
 *       "started": int, "ended": {REASON: int}}, "keepalives": {OUTCOME:
 *       int, as in status} or null, "approvals": {METHOD: {"approved",
 *       "rejected", "provisional": int}} for each of free, remote, room,
 *       staff, voucher, "accounting": {"outbox": int, "oldest_s": int
 *       (age of the oldest waiting record) | null, "sent", "acked",
 *       "failed": int}, "kernel_drops": {"unknown", "captive", "byte-cap",
 *       "client-blocked", "port-blocked": int (packets, since wicket.ko
 *       was loaded)}}; counters since wicketd started (metrics.h). `top`
 *       asks for it and for clients once a frame.
 *   version (no request) → {"wicketctl": str, "module": {"release": str,
 *       "protocol": int, "protocol_min": int} or {"error": str}}
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "ctl.h"

struct command {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const char *synopsis;
	const char *help;
};

static int cmd_help(struct ctl *ctl, int argc, char **argv);

static const struct command commands[] = {
	{ "status", ctl_status, "status", "wicketd, wicket.ko, clients, ports and firewall at a glance" },
	{ "clients", ctl_clients, "clients", "every client wicketd knows, online or not" },
	{ "client", ctl_client, "client [show] MAC", "one client and its sessions" },
	{ "kick", ctl_kick, "kick MAC", "end the client's session: it is captive again" },
	{ "block", ctl_block, "block MAC", "end the client's session and keep it off, also after restarts" },
	{ "unblock", ctl_unblock, "unblock MAC", "lift a block: the client is captive again" },
	{ "allow", ctl_allow, "allow MAC --minutes N", "let the client in for N minutes, free of charge" },
	{ "pending", ctl_pending, "pending", "billing requests waiting for staff approval, oldest first" },
	{ "approve", ctl_approve, "approve ID", "approve a waiting request (ID from pending)" },
	{ "reject", ctl_reject, "reject ID [--reason TEXT]", "reject a waiting request" },
	{ "ports", ctl_ports, "ports", "the access ports, their rooms and modes" },
	{ "port", ctl_port, "port set IFACE [--room ROOM] [--mode charge|free|blocked] | port reset IFACE",
	  "change a port's room or mode (kept until reset to the config file's)" },
	{ "plans", ctl_plans, "plans [--all]", "the plans guests choose from (--all: retired ones too)" },
	{ "plan", ctl_plan, "plan add|set|retire NAME [PLAN OPTIONS]",
	  "add a plan (PLAN OPTIONS below), change one, or stop offering it" },
	{ "vouchers", ctl_vouchers,
	  "vouchers [--batch B] | vouchers create --plan NAME --count N [--devices D]",
	  "list vouchers, or make new ones to hand out (--csv: as CSV)" },
	{ "guests", ctl_guests, "guests | guests import FILE.csv",
	  "the guest list for room charges; import replaces it with the file's" },
	{ "sessions", ctl_sessions, "sessions [--active] [--since TIME]", "sessions, newest first" },
	{ "events", ctl_events, "events [--limit N]", "the latest session events (default 50)" },
	{ "report", ctl_report, "report --from TIME [--to TIME] [--by plan|method|room] [--csv]",
	  "revenue of the sessions that ended in that time" },
	{ "top", ctl_top, "top [--interval S] [--count N] [--limit N]",
	  "the gateway live: clients, sessions, keepalives, approvals, drops, busiest clients" },
	{ "version", ctl_version, "version", "the versions of wicketctl and the loaded wicket.ko" },
	{ "help", cmd_help, "help", "this help" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: wicketctl [--json] [--socket PATH] [--timeout SECONDS] [COMMAND [ARGS]]\n\n"
		     "commands (any unambiguous prefix will do; none means status):\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		/* A long synopsis gets a line of its own. */
		if (strlen(commands[i].synopsis) > 36)
			fprintf(out, "  %s\n  %-36s %s\n", commands[i].synopsis, "", commands[i].help);
		else
			fprintf(out, "  %-36s %s\n", commands[i].synopsis, commands[i].help);
	}
	fprintf(out,
		"\noptions:\n"
		"  -j, --json         print wicketd's answer as JSON, for scripts\n"
		"  --socket PATH      wicketd's control socket (default $%s,\n"
		"                     else %s)\n"
		"  --timeout SECONDS  how long to wait for wicketd's answer (default %d)\n"
		"  -h, --help         this help (COMMAND --help: the command's usage)\n"
		"\nMAC: six hex pairs separated by ':' or '-'. TIME: unix seconds, YYYY-MM-DD or\n"
		"YYYY-MM-DDTHH:MM, in local time (a date alone as report --to or a guest's\n"
		"departure: the whole of that day).\n"
		"\nPLAN OPTIONS (plan add needs the first four): --kind KIND --price AMOUNT\n"
		"  --currency CUR --methods LIST\n"
		"  [--per-minute AMOUNT] [--per-mb AMOUNT] [--duration D] [--data SIZE] [--idle D]\n"
		"  [--keepalive D] [--port IFACE]... [--room ROOM]... [--everywhere]\n"
		"KIND: time (needs --duration), data (needs --data), time+data, until-checkout,\n"
		"free. LIST: ways to pay, comma-separated: free,remote,room,staff,voucher.\n"
		"AMOUNT: like 4.50, in CUR (EUR, JPY, KWD...; plan set needs --currency with an\n"
		"AMOUNT). D: like 45s, 90m, 24h, 2d, 1h30m. SIZE: like 500MB, 1.5GB, 1GiB. The plan\n"
		"is offered on each --port and in each --room, or everywhere.\n"
		"guests import: CSV with a first line naming the columns room, surname and\n"
		"optionally arrival, departure, folio.\n"
		"\nexit status: 0 done, 1 wicketd refused or failed the request, 2 usage error\n"
		"(nothing was sent), 3 wicketd not reachable (not running, permission denied on\n"
		"its socket, no answer in time).\n",
		CTL_SOCKET_ENV, CTL_DEFAULT_SOCKET, CTL_DEFAULT_TIMEOUT_MS / 1000);
}

static int cmd_help(struct ctl *ctl, int argc, char **argv)
{
	int code;

	if (ctl_no_args(ctl, argc, argv, &code))
		return code;
	usage(ctl->out);
	return CTL_OK;
}

/* The command named word exactly, or the only one it is a prefix of. */
static const struct command *find_command(struct ctl *ctl, const char *word)
{
	const struct command *found = NULL;
	size_t len = strlen(word), matches = 0;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(word, commands[i].name) == 0)
			return &commands[i];
		if (len && strncmp(word, commands[i].name, len) == 0) {
			found = &commands[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	if (matches == 0) {
		fprintf(ctl->err, "wicketctl: unknown command '%s' (wicketctl --help lists them)\n", word);
		return NULL;
	}
	fprintf(ctl->err, "wicketctl: '%s' is ambiguous:", word);
	for (size_t i = 0, n = 0; i < NCOMMANDS; i++)
		if (strncmp(word, commands[i].name, len) == 0)
			fprintf(ctl->err, "%s %s", n++ ? "," : "", commands[i].name);
	fputc('\n', ctl->err);
	return NULL;
}

static int global_usage_error(struct ctl *ctl, const char *what, const char *arg)
{
	fprintf(ctl->err, "wicketctl: %s '%s'\n", what, arg);
	fprintf(ctl->err, "usage: wicketctl [--json] [--socket PATH] [--timeout SECONDS] [COMMAND [ARGS]] "
			  "(wicketctl --help says more)\n");
	return CTL_USAGE;
}

/* The global options: CTL_OK with optind at the command (*done after --help), or the exit code. */
static int global_options(struct ctl *ctl, int argc, char **argv, int *done)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, shortopt[3] = "-?";
	double secs;
	int c;

	*done = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl->json = 1;
			break;
		case 's':
			if (!optarg[0] || strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				return global_usage_error(ctl, "--socket: not a usable socket path:", optarg);
			ctl->socket = optarg;
			break;
		case 't':
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs > 0 && secs <= 3600))
				return global_usage_error(
					ctl, "--timeout: want seconds, more than 0 and at most 3600, not",
					optarg);
			ctl->timeout_ms = secs * 1000 < 1 ? 1 : (int)(secs * 1000);
			break;
		case 'h':
			usage(ctl->out);
			*done = 1;
			return CTL_OK;
		case ':':
			return global_usage_error(ctl, "this option needs a value:", argv[optind - 1]);
		default:
			shortopt[1] = (char)optopt;
			return global_usage_error(
				ctl, "unknown or ambiguous option",
				optopt && strncmp(argv[optind - 1], "--", 2) ? shortopt : argv[optind - 1]);
		}
	}
	return CTL_OK;
}

int wicketctl_run(int argc, char **argv, FILE *out, FILE *err)
{
	static char *status_argv[] = { "status", NULL };
	const char *env = getenv(CTL_SOCKET_ENV);
	struct ctl ctl = {
		.out = out,
		.err = err,
		.socket = env && env[0] ? env : CTL_DEFAULT_SOCKET,
		.timeout_ms = CTL_DEFAULT_TIMEOUT_MS,
	};
	const struct command *cmd;
	int ret, done;

	ret = global_options(&ctl, argc, argv, &done);
	if (ret || done)
		goto out;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = status_argv;
	}
	cmd = find_command(&ctl, argv[0]);
	if (!cmd) {
		ret = CTL_USAGE;
		goto out;
	}
	ctl.name = cmd->name;
	ctl.synopsis = cmd->synopsis;
	optind = 0; /* the subcommand's own options, from argv[1] */
	ret = cmd->run(&ctl, argc, argv);
out:
	fflush(out);
	fflush(err);
	return ret;
}

int wicketctl_main(int argc, char **argv)
{
	return wicketctl_run(argc, argv, stdout, stderr);
}
