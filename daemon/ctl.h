/*
 * wicketctl's insides, shared by its subcommand files (ctl_*.c): the
 * context of one invocation, the request to wicketd, argument parsers and
 * the formatters of the human output. The grammar, the --json shapes and
 * the exit codes are documented at the top of wicketctl.c.
 */
#ifndef WICKET_CTL_H
#define WICKET_CTL_H

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

/* Exit codes. */
enum {
	CTL_OK = 0,
	CTL_FAILED = 1, /* wicketd refused or failed the request */
	CTL_USAGE = 2, /* bad command line; nothing was sent */
	CTL_UNREACHABLE = 3, /* wicketd not running, no permission, no answer */
};

#define CTL_DEFAULT_SOCKET "/run/wicket/control.sock"
#define CTL_SOCKET_ENV "WICKET_CONTROL_SOCKET"
#define CTL_DEFAULT_TIMEOUT_MS 5000

/* One invocation of wicketctl. */
struct ctl {
	FILE *out, *err;
	int json;
	const char *socket;
	int timeout_ms;
	const char *name; /* the subcommand, for messages ("port set") */
	const char *synopsis; /* its usage line, without "wicketctl " */
};

/* wicketctl as a function: argv as main() gets it, output to out and err. */
int wicketctl_run(int argc, char **argv, FILE *out, FILE *err);
int wicketctl_main(int argc, char **argv);

/* The subcommands: argv[0] is the subcommand's own name. */
int ctl_status(struct ctl *ctl, int argc, char **argv);
int ctl_clients(struct ctl *ctl, int argc, char **argv);
int ctl_client(struct ctl *ctl, int argc, char **argv);
int ctl_kick(struct ctl *ctl, int argc, char **argv);
int ctl_block(struct ctl *ctl, int argc, char **argv);
int ctl_unblock(struct ctl *ctl, int argc, char **argv);
int ctl_allow(struct ctl *ctl, int argc, char **argv);
int ctl_ports(struct ctl *ctl, int argc, char **argv);
int ctl_port(struct ctl *ctl, int argc, char **argv);
int ctl_sessions(struct ctl *ctl, int argc, char **argv);
int ctl_events(struct ctl *ctl, int argc, char **argv);
int ctl_version(struct ctl *ctl, int argc, char **argv);
int ctl_plans(struct ctl *ctl, int argc, char **argv);
int ctl_plan(struct ctl *ctl, int argc, char **argv);
int ctl_vouchers(struct ctl *ctl, int argc, char **argv);
int ctl_guests(struct ctl *ctl, int argc, char **argv);
int ctl_pending(struct ctl *ctl, int argc, char **argv);
int ctl_approve(struct ctl *ctl, int argc, char **argv);
int ctl_reject(struct ctl *ctl, int argc, char **argv);
int ctl_report(struct ctl *ctl, int argc, char **argv);
int ctl_top(struct ctl *ctl, int argc, char **argv);

/*
 * Options of a subcommand: its own, then CTL_COMMON_OPTS, then { 0 }.
 * ctl_getopt() returns the next option's val, CTL_OPT_END when the
 * positional arguments start (at optind), CTL_OPT_HELP_SHOWN after it
 * printed the subcommand's help, or CTL_OPT_BAD after a usage error: for
 * those two, return ctl_opt_exit(c). The dispatcher resets getopt
 * (optind = 0) before each subcommand.
 */
#define CTL_OPT_JSON 0x100
#define CTL_OPT_HELP 0x101
/* clang-format off */
#define CTL_COMMON_OPTS { "json", no_argument, NULL, CTL_OPT_JSON }, { "help", no_argument, NULL, CTL_OPT_HELP }
/* clang-format on */
enum { CTL_OPT_END = 0, CTL_OPT_HELP_SHOWN = -1, CTL_OPT_BAD = -2 };
int ctl_getopt(struct ctl *ctl, int argc, char **argv, const struct option *opts);
/* What a subcommand returns after ctl_getopt() gave a negative value. */
int ctl_opt_exit(int c);
/*
 * Subcommands with only the common options and no argument, or exactly
 * one MAC (normalised into mac): 0 to go on, else the exit code is in
 * *exit_code.
 */
int ctl_no_args(struct ctl *ctl, int argc, char **argv, int *exit_code);
int ctl_one_mac(struct ctl *ctl, int argc, char **argv, char mac[18], int *exit_code);

/* "wicketctl: NAME: what\nusage: wicketctl SYNOPSIS\n" on err; CTL_USAGE. */
int ctl_usage_error(struct ctl *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Argument parsers: 0, or -EINVAL. */
int ctl_parse_mac(const char *s, char out[18]);
int ctl_parse_time(const char *s, time_t *out);
int ctl_parse_int(const char *s, long long min, long long max, long long *out);
int ctl_parse_ifname(const char *s);
/* The end of a range: like ctl_parse_time(), but a date alone means the end of that day. */
int ctl_parse_time_end(const char *s, time_t *out);
/*
 * Text of 1 to max bytes of UTF-8 without control characters (names,
 * rooms, reasons): 0, -EILSEQ when it is not UTF-8, else -EINVAL.
 */
int ctl_parse_text(const char *s, size_t max);
#define CTL_ROOM_MAX 63 /* bytes of a room name, as the store keeps it */
#define CTL_NAME_MAX 64 /* bytes of a plan's name, a surname, a folio */

/*
 * Choose a verb (argv[1], or any unambiguous prefix of it) from verbs,
 * a NULL-terminated list: its index, or CTL_OPT_HELP_SHOWN after
 * --help, or CTL_OPT_BAD after the usage error (what names what the verb
 * acts on: "plan"). For those two, return ctl_opt_exit().
 */
int ctl_verb(struct ctl *ctl, int argc, char **argv, const char *const *verbs, const char *what);

/*
 * One request to wicketd (args is stolen). CTL_OK with *result (a new
 * reference), or the exit code after the error went to ctl->err.
 */
int ctl_call(struct ctl *ctl, const char *cmd, json_t *args, json_t **result);
/* --json: the result, pretty, and nothing else. */
int ctl_print_json(struct ctl *ctl, const json_t *result);
/* A result of the wrong shape (the daemon of another release?): CTL_FAILED. */
int ctl_bad_answer(struct ctl *ctl, const char *cmd);
/*
 * Send cmd and take an answer of the type the human output needs. Returns
 * 1 with *result to print (the caller frees it), or 0 with *ret the exit
 * status when nothing is left to do: an error, or --json printed it.
 */
int ctl_request(struct ctl *ctl, const char *cmd, json_t *args, json_type want, json_t **result, int *ret);

/* Print the table (ctl_table.h) and free it: CTL_OK, or CTL_FAILED. */
struct table;
int ctl_print_table(struct ctl *ctl, struct table *t);

/* Fields of an answer; a missing field or JSON null formats as "-". */
const char *ctl_str(const json_t *obj, const char *key);
long long ctl_int(const json_t *obj, const char *key);
#define CTL_FMT_LEN 32
const char *ctl_fmt_bytes(char buf[CTL_FMT_LEN], const json_t *v);
const char *ctl_fmt_duration(char buf[CTL_FMT_LEN], const json_t *v);
const char *ctl_fmt_time(char buf[CTL_FMT_LEN], const json_t *v);
const char *ctl_fmt_int(char buf[CTL_FMT_LEN], const json_t *v);
/* How long ago unix time v was: "just now", "3 min ago", "2 h 05 min ago", "3 days ago". */
const char *ctl_fmt_age(char buf[CTL_FMT_LEN], const json_t *v, time_t now);
/* A session's "charge" and "currency" as "4.50 EUR"; "-" when it has none. */
const char *ctl_fmt_charge(char buf[CTL_FMT_LEN], const json_t *session);
/* Whether any of the sessions has a "charge" (a wicketd that bills): show the CHARGE column. */
int ctl_any_charge(const json_t *sessions);
/* Sessions as a table; with_mac for the listing of all, without under one client. */
int ctl_print_sessions(struct ctl *ctl, const json_t *sessions, int with_mac);

/*
 * Units (ctl_units.c): amounts of money, durations and sizes as staff
 * type them and read them. Parsers return 0, -EINVAL for what is not one,
 * -ERANGE for too large, and -EDOM for an amount with more decimals than
 * its currency has. No floating point touches money.
 */
/* An ISO 4217 code: three letters, any case (made upper case in out). */
int ctl_parse_currency(const char *s, char out[4]);
/* The currency's decimals (ISO 4217 minor unit): 2 unless it is one of the few with 0 or 3. */
int ctl_currency_exponent(const char *currency);
/* At most 10^9 - 1 major units: far beyond any price, far below overflow. */
#define CTL_MONEY_MAX_MAJOR 999999999LL
/* "4.50", "4", "0.5" in major units to minor units of currency. */
int ctl_parse_money(const char *s, const char *currency, long long *minor);
/* 450 EUR as "4.50", 1500 KWD as "1.500", 500 JPY as "500". */
const char *ctl_fmt_amount(char buf[CTL_FMT_LEN], long long minor, const char *currency);
/* "4.50 EUR" (without a currency: "4.50"); "-" when amount is not an integer. */
const char *ctl_fmt_money(char buf[CTL_FMT_LEN], const json_t *amount, const char *currency);
/* Up to ten years. */
#define CTL_DURATION_MAX (3660LL * 86400)
/* "45s", "90m", "24h", "2d", "1h30m" (units in that order, each once), or "0": seconds. */
int ctl_parse_duration(const char *s, long long *secs);
/* Seconds as they would be typed: "45s", "15m", "1h30m", "24h", "3d12h"; days from two of them. */
const char *ctl_fmt_duration_arg(char buf[CTL_FMT_LEN], long long secs);
/* Up to 1000 TB. */
#define CTL_SIZE_MAX 1000000000000000LL
/* "500MB", "1.5GB", "1 GiB" (B, KB..TB decimal, KiB..TiB binary, any case), or "0": bytes. */
int ctl_parse_size(const char *s, long long *bytes);
/* "1.0 GB", "500.0 MB", "1.5 GiB" (binary units for what is a whole number of KiB, not of kB). */
const char *ctl_fmt_size(char buf[CTL_FMT_LEN], long long bytes);

#endif
