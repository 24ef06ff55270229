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

#endif
