/*
 * Userspace side of wicket.ko's generic netlink family (libmnl): the one
 * place that builds requests for the module and parses its answers.
 */
#ifndef WICKET_KERNEL_H
#define WICKET_KERNEL_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct kernel;

struct kernel_version {
	uint32_t protocol;
	uint32_t protocol_min;
	char release[64];
};

/*
 * Every call returns 0 or -errno. After a failure, kernel_error() gives the
 * module's own extended-ACK message, or a description of what failed.
 */
int kernel_open(struct kernel **out);
void kernel_close(struct kernel *k);
const char *kernel_error(const struct kernel *k);

/* -ENOENT: wicket.ko is not loaded. -EPERM: no CAP_NET_ADMIN. */
int kernel_get_version(struct kernel *k, struct kernel_version *v);

/* Parsers, exposed for the unit tests. */
int kernel_parse_family_id(const struct nlmsghdr *nlh, uint16_t *id);
int kernel_parse_version(const struct nlmsghdr *nlh, struct kernel_version *v);
int kernel_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen);

#endif
