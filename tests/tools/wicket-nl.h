/*
 * wicket-nl: the low-level command line over daemon/kernel.c, for the
 * kernel tests and for vendors. Shared by its few source files.
 */
#ifndef WICKET_NL_H
#define WICKET_NL_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

/* Exit codes. */
#define EXIT_KERNEL 1 /* the kernel (or the system) refused */
#define EXIT_USAGE 2 /* bad command line or input file */
#define EXIT_INTERRUPTED 3 /* a dump raced with a change */

/* The open netlink handle; exits with EXIT_KERNEL if there is none. */
struct kernel *nl_kernel(void);
/* Prints "wicket-nl: <kernel_error()>" and returns EXIT_KERNEL. */
int nl_kernel_failed(void);
/* Prints "wicket-nl: <why>" and the usage line; returns EXIT_USAGE. */
int nl_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text forms (nl-text.c); parsers return 0 or -1 (nl_parse_dev with a reason in why, WHY_LEN bytes). */
#define WHY_LEN 160
int nl_parse_u64(const char *s, uint64_t max, uint64_t *v); /* decimal */
int nl_parse_number(const char *s, uint64_t max, uint64_t *v); /* decimal or 0x... */
int nl_parse_dev(const char *s, uint32_t *ifindex, char *why);
int nl_parse_state(const char *s, uint8_t *state); /* captive, provisional, ... */
int nl_parse_mode(const char *s, uint8_t *mode); /* charge, free, blocked */
/* The interface's name, or its number when it has gone; buf of IF_NAMESIZE or more. */
const char *nl_port_name(uint32_t ifindex, char *buf, size_t len);
/* Names, or the number when it has none. */
const char *nl_state_name(uint8_t state, char *buf, size_t len);
const char *nl_mode_name(uint8_t mode, char *buf, size_t len);

/* Subcommands: argv[0] is the subcommand's first word after its group. */
int nl_client(int argc, char **argv);
int nl_raw(int argc, char **argv);

#endif
