/*
 * Unit tests of daemon/firewall.c against the real nftables of a private
 * network namespace (the test process unshares one: it needs root).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "firewall.h"

static const struct firewall_params params = {
	.upstream = "wan0",
	.portal_addr = "10.0.0.1",
	.portal_port = 8080,
	.portal_tls_port = 8443,
	.dns_port = 5353,
	.keepalive_port = 4444,
	.mark = 0x800000,
	.mark_mask = 0x800000,
};

/* What `nft list table inet wicket` prints, from a context of our own. */
static const char *listing(void)
{
	static char copy[8192];
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	copy[0] = '\0';
	if (nft_run_cmd_from_buffer(nft, "list table inet wicket") == 0)
		snprintf(copy, sizeof(copy), "%s", nft_ctx_get_output_buffer(nft));
	nft_ctx_free(nft);
	return copy;
}

static int nft_cmd(const char *cmd)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, cmd);
	nft_ctx_free(nft);
	return rc;
}

static int private_netns(void **state)
{
	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		print_message("needs root to make a network namespace: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void ruleset_says_what_it_does(void **state)
{
	struct firewall_params p = params;
	char buf[4096];

	(void)state;
	assert_int_equal(firewall_ruleset(&params, buf, sizeof(buf)), 0);
	/* Captive HTTP to the portal's address, before the port's own. */
	assert_non_null(
		strstr(buf, "meta mark & 0x00800000 == 0x00800000 tcp dport 80 dnat ip to 10.0.0.1:8080"));
	assert_true(strstr(buf, "dnat ip to") < strstr(buf, "tcp dport 80 redirect to :8080"));
	assert_non_null(strstr(buf, "th dport 53 redirect to :5353"));
	assert_non_null(strstr(buf, "iifname \"wan0\" tcp dport { 8080, 8443 } drop"));
	assert_non_null(strstr(buf, "iifname \"wan0\" udp dport 4444 drop"));
	assert_non_null(strstr(buf, "iifname \"wan0\" meta l4proto { tcp, udp } th dport 5353 drop"));
	/* Captive DNS per source MAC, after the redirect (its port). */
	assert_non_null(strstr(
		buf, "meta mark & 0x00800000 == 0x00800000 meta l4proto { tcp, udp } th dport 5353 "
		     "update @captive_dns { ether saddr limit rate over 20/second burst 40 packets } drop"));

	strcpy(p.portal_addr, "fd00::1");
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "tcp dport 80 dnat ip6 to [fd00::1]:8080"));
	p.portal_addr[0] = '\0';
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), 0);
	assert_null(strstr(buf, "dnat"));
	assert_non_null(strstr(buf, "tcp dport 80 redirect to :8080"));
}

static void unsafe_parameters_are_refused(void **state)
{
	struct firewall_params p = params;
	struct firewall *fw;
	char buf[2048];

	(void)state;
	strcpy(p.upstream, "wan0\" accept");
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(firewall_open(&p, &fw), -EINVAL);
	p = params;
	p.upstream[0] = '\0';
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), -EINVAL);
	p = params;
	p.mark = 0x1;
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), -EINVAL);
	p = params;
	strcpy(p.portal_addr, "10.0.0.1:80");
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), -EINVAL);
	strcpy(p.portal_addr, "portal.example");
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), -EINVAL);
	p = params;
	p.portal_port = 0;
	assert_int_equal(firewall_ruleset(&p, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(firewall_ruleset(&params, buf, 100), -ENOSPC);
}

static void install_replace_remove(void **state)
{
	struct firewall *fw;

	(void)state;
	assert_int_equal(firewall_open(&params, &fw), 0);
	assert_int_equal(firewall_present(fw), 0);
	assert_int_equal(firewall_install(fw), 0);
	assert_int_equal(firewall_present(fw), 1);
	assert_non_null(strstr(listing(), "redirect to :8080"));
	/* What the kernel took: nft lists it back as it was written. */
	assert_non_null(strstr(listing(), "dnat ip to 10.0.0.1:8080"));
	assert_non_null(strstr(
		listing(),
		"update @captive_dns { ether saddr limit rate over 20/second burst 40 packets } drop"));
	assert_non_null(strstr(listing(), "iifname \"wan0\" meta l4proto { tcp, udp } th dport 5353 drop"));
	/* Again: replaced in one transaction, not doubled. */
	assert_int_equal(firewall_install(fw), 0);
	assert_null(strstr(strstr(listing(), "redirect to :8080") + 1, "tcp dport 80 redirect to :8080"));
	assert_int_equal(firewall_remove(fw), 0);
	assert_int_equal(firewall_present(fw), 0);
	assert_string_equal(listing(), "");
	/* Removing what is not there is no error: stop after a flush. */
	assert_int_equal(firewall_remove(fw), 0);
	firewall_close(fw);
}

/* Wait for the watch to report; -ETIMEDOUT after a second. */
static int watch(struct firewall *fw)
{
	struct pollfd pfd = { .fd = firewall_watch_fd(fw), .events = POLLIN };
	int ret;

	for (;;) {
		if (poll(&pfd, 1, 1000) != 1)
			return -ETIMEDOUT;
		ret = firewall_watch_read(fw);
		if (ret)
			return ret;
	}
}

static void a_flush_is_noticed(void **state)
{
	struct firewall *fw;

	(void)state;
	assert_int_equal(firewall_open(&params, &fw), 0);
	assert_int_equal(firewall_install(fw), 0);
	assert_int_equal(nft_cmd("add table inet other"), 0);
	assert_int_equal(nft_cmd("delete table inet other"), 0);
	assert_int_equal(nft_cmd("flush ruleset"), 0);
	assert_int_equal(watch(fw), 1);
	assert_int_equal(firewall_present(fw), 0);
	assert_int_equal(firewall_install(fw), 0);
	assert_int_equal(nft_cmd("delete table inet wicket"), 0);
	assert_int_equal(watch(fw), 1);
	firewall_close(fw);
}

static void other_tables_are_not_ours(void **state)
{
	struct firewall *fw;

	(void)state;
	assert_int_equal(firewall_open(&params, &fw), 0);
	assert_int_equal(nft_cmd("add table ip wicket"), 0);
	assert_int_equal(nft_cmd("delete table ip wicket"), 0);
	assert_int_equal(nft_cmd("add table inet wicketx"), 0);
	assert_int_equal(nft_cmd("delete table inet wicketx"), 0);
	assert_int_equal(watch(fw), -ETIMEDOUT);
	firewall_close(fw);
}

static void malformed_events_are_not_deletions(void **state)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	(void)state;
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_INET;
	mnl_attr_put(nlh, NFTA_TABLE_NAME, 6, "wicket"); /* not NUL-terminated */
	assert_int_equal(firewall_event_deletes_table(buf, nlh->nlmsg_len), 0);
	nlh->nlmsg_len = sizeof(*nlh) + 2; /* truncated header */
	assert_int_equal(firewall_event_deletes_table(buf, nlh->nlmsg_len), 0);
	assert_int_equal(firewall_event_deletes_table(buf, 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ruleset_says_what_it_does),
		cmocka_unit_test(unsafe_parameters_are_refused),
		cmocka_unit_test(malformed_events_are_not_deletions),
		cmocka_unit_test(install_replace_remove),
		cmocka_unit_test(a_flush_is_noticed),
		cmocka_unit_test(other_tables_are_not_ours),
	};

	return cmocka_run_group_tests_name("firewall", tests, private_netns, NULL);
}
