/*
 * `table inet wicket` through libnftables, and a libmnl watch on the
 * nftables netlink group to notice when a reload takes it away.
 */
#include "firewall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WICKET_TABLE "wicket"

struct firewall {
	struct firewall_params params;
	struct nft_ctx *nft;
	struct mnl_socket *watch;
	char error[512];
	char buf[65536];
};

static int ifname_is_safe(const char *name)
{
	size_t n = strnlen(name, 16);

	if (n == 0 || n >= 16)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Captive HTTP goes to the portal's own address: `redirect` alone sends
 * it to the address of the port the guest is on, where the portal does
 * not listen (unless that is the portal's port). The rule is written
 * before the `redirect`, which is left to the other family's HTTP
 * (refused there: no portal listens on it). Empty without an address.
 */
static int portal_rule(const struct firewall_params *p, char *buf, size_t len)
{
	const char *fmt;
	struct in6_addr a6;
	struct in_addr a4;
	int n;

	if (!p->portal_addr[0]) {
		buf[0] = '\0';
		return 0;
	}
	if (inet_pton(AF_INET, p->portal_addr, &a4) == 1)
		fmt = "\t\tmeta mark & 0x%08x == 0x%08x tcp dport 80 dnat ip to %s:%u\n";
	else if (inet_pton(AF_INET6, p->portal_addr, &a6) == 1)
		fmt = "\t\tmeta mark & 0x%08x == 0x%08x tcp dport 80 dnat ip6 to [%s]:%u\n";
	else
		return -EINVAL;
	n = snprintf(buf, len, fmt, p->mark_mask, p->mark, p->portal_addr, p->portal_port);
	return n < 0 || (size_t)n >= len ? -EINVAL : 0;
}

int firewall_ruleset(const struct firewall_params *p, char *buf, size_t len)
{
	char portal[160];
	int n;

	if (!ifname_is_safe(p->upstream) || !p->portal_port || !p->portal_tls_port || !p->dns_port ||
	    !p->keepalive_port || !p->mark_mask || (p->mark & ~p->mark_mask) ||
	    portal_rule(p, portal, sizeof(portal)))
		return -EINVAL;
	/*
	 * The first line makes the delete succeed when there is no table
	 * yet; all of it is one transaction, so there is never a moment
	 * without the table once it was there.
	 *
	 * Captive DNS is the one way out a captive guest has (the resolver
	 * forwards its queries), so it is rate limited per source MAC (a
	 * guest picks its IPv6 source addresses at will, not its MAC that the
	 * gate binds): a tunnel over DNS gets 20 queries a second, while a
	 * browser's burst of lookups fits in the 40 packets of the burst.
	 * The limit is in the input hook, so that it counts every packet, not
	 * only those that start a connection as the nat hook sees them.
	 */
	n = snprintf(
		buf, len,
		"table inet " WICKET_TABLE "\n"
		"delete table inet " WICKET_TABLE "\n"
		"table inet " WICKET_TABLE " {\n"
		"\tset captive_dns {\n"
		"\t\ttype ether_addr\n"
		"\t\tsize 65536\n"
		"\t\tflags dynamic,timeout\n"
		"\t\ttimeout 1m\n"
		"\t}\n"
		"\tchain captive_redirect {\n"
		"\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		"%s"
		"\t\tmeta mark & 0x%08x == 0x%08x tcp dport 80 redirect to :%u\n"
		"\t\tmeta mark & 0x%08x == 0x%08x meta l4proto { tcp, udp } th dport 53 redirect to :%u\n"
		"\t}\n"
		"\tchain wan_guard {\n"
		"\t\ttype filter hook input priority filter; policy accept;\n"
		"\t\tiifname \"%s\" tcp dport { %u, %u } drop\n"
		"\t\tiifname \"%s\" udp dport %u drop\n"
		"\t\tiifname \"%s\" meta l4proto { tcp, udp } th dport %u drop\n"
		"\t\tmeta mark & 0x%08x == 0x%08x meta l4proto { tcp, udp } th dport %u "
		"update @captive_dns { ether saddr limit rate over 20/second burst 40 packets } drop\n"
		"\t}\n"
		"}\n",
		portal, p->mark_mask, p->mark, p->portal_port, p->mark_mask, p->mark, p->dns_port,
		p->upstream, p->portal_port, p->portal_tls_port, p->upstream, p->keepalive_port, p->upstream,
		p->dns_port, p->mark_mask, p->mark, p->dns_port);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

const char *firewall_error(const struct firewall *fw)
{
	return fw->error;
}

/* Run nft commands: 0, or nft's error text (the buffers start afresh). */
static int nft(struct firewall *fw, const char *cmd, const char **err)
{
	int rc = nft_run_cmd_from_buffer(fw->nft, cmd);

	nft_ctx_get_output_buffer(fw->nft);
	*err = nft_ctx_get_error_buffer(fw->nft);
	return rc;
}

static int run(struct firewall *fw, const char *cmd)
{
	const char *err;

	fw->error[0] = '\0';
	if (nft(fw, cmd, &err) == 0)
		return 0;
	snprintf(fw->error, sizeof(fw->error), "nft: %s", err && *err ? err : "failed");
	/* nft's messages end in newlines; one line reads better in a log. */
	for (char *c = fw->error; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return -EIO;
}

int firewall_open(const struct firewall_params *p, struct firewall **out)
{
	struct firewall *fw;
	char probe[4096];
	unsigned int groups = 1U << (NFNLGRP_NFTABLES - 1);

	if (firewall_ruleset(p, probe, sizeof(probe)))
		return -EINVAL;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	fw->params = *p;
	fw->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!fw->nft) {
		free(fw);
		return -ENOMEM;
	}
	nft_ctx_buffer_output(fw->nft);
	nft_ctx_buffer_error(fw->nft);

	fw->watch = mnl_socket_open(NETLINK_NETFILTER);
	if (!fw->watch || mnl_socket_bind(fw->watch, groups, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		if (fw->watch)
			mnl_socket_close(fw->watch);
		nft_ctx_free(fw->nft);
		free(fw);
		return err;
	}
	*out = fw;
	return 0;
}

void firewall_close(struct firewall *fw)
{
	if (!fw)
		return;
	mnl_socket_close(fw->watch);
	nft_ctx_free(fw->nft);
	free(fw);
}

int firewall_install(struct firewall *fw)
{
	char rules[4096];
	int err = firewall_ruleset(&fw->params, rules, sizeof(rules));

	return err ? err : run(fw, rules);
}

int firewall_remove(struct firewall *fw)
{
	return run(fw, "table inet " WICKET_TABLE "\ndelete table inet " WICKET_TABLE "\n");
}

int firewall_present(struct firewall *fw)
{
	const char *err;

	if (nft(fw, "list table inet " WICKET_TABLE, &err) == 0)
		return 1;
	if (err && strstr(err, "No such file or directory"))
		return 0;
	snprintf(fw->error, sizeof(fw->error), "nft: %s", err && *err ? err : "failed");
	return -EIO;
}

int firewall_watch_fd(const struct firewall *fw)
{
	return mnl_socket_get_fd(fw->watch);
}

static int table_name_attr(const struct nlattr *attr, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(attr) == NFTA_TABLE_NAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*name = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

int firewall_event_deletes_table(const void *msg, size_t size)
{
	const struct nlmsghdr *nlh = msg;
	int len = size > INT32_MAX ? INT32_MAX : (int)size;
	int deleted = 0;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		const struct nfgenmsg *nfg;
		const char *name = NULL;

		if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE))
			continue;
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg))
			continue;
		nfg = mnl_nlmsg_get_payload(nlh);
		if (nfg->nfgen_family != NFPROTO_INET)
			continue;
		mnl_attr_parse(nlh, sizeof(*nfg), table_name_attr, &name);
		if (name && strcmp(name, WICKET_TABLE) == 0)
			deleted = 1;
	}
	return deleted;
}

int firewall_watch_read(struct firewall *fw)
{
	ssize_t n = mnl_socket_recvfrom(fw->watch, fw->buf, sizeof(fw->buf));

	if (n < 0)
		return -errno;
	return firewall_event_deletes_table(fw->buf, (size_t)n);
}
