/*
 * Unit tests of daemon/neigh.c against the real neighbour table of a
 * private network namespace (the test unshares one: it needs root), with
 * entries written through libnl as the kernel would learn them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
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

#include "neigh.h"
#include "nl_links.h"

#define MAX_SEEN 64

static struct nl_sock *sock;
static int port_ifindex, wan_ifindex;
static struct neigh_sighting seen[MAX_SEEN];
static int nseen;

static int is_port(int ifindex, void *arg)
{
	(void)arg;
	return ifindex == port_ifindex;
}

static void on_seen(const struct neigh_sighting *s, void *arg)
{
	(void)arg;
	if (nseen < MAX_SEEN)
		seen[nseen++] = *s;
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		print_message("needs root to make a network namespace\n");
		return -1;
	}
	sock = nl_socket_alloc();
	if (!sock || nl_connect(sock, NETLINK_ROUTE) || nl_links_veth(sock, "acc0", "acc0p") ||
	    nl_links_veth(sock, "wan0", "wan0p") || nl_links_up(sock, "acc0") || nl_links_up(sock, "acc0p") ||
	    nl_links_up(sock, "wan0") || nl_links_up(sock, "wan0p"))
		return -1;
	port_ifindex = (int)if_nametoindex("acc0");
	wan_ifindex = (int)if_nametoindex("wan0");
	return port_ifindex && wan_ifindex ? 0 : -1;
}

/* Write a neighbour entry as if the kernel had learned it. */
static int neigh(int ifindex, const char *addr, const char *mac, int state, int add)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst, *ll;
	int err;

	assert_int_equal(nl_addr_parse(addr, AF_UNSPEC, &dst), 0);
	assert_int_equal(nl_addr_parse(mac, AF_LLC, &ll), 0);
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_state(n, state);
	err = add ? rtnl_neigh_add(sock, n, NLM_F_CREATE | NLM_F_REPLACE) : rtnl_neigh_delete(sock, n, 0);
	nl_addr_put(dst);
	nl_addr_put(ll);
	rtnl_neigh_put(n);
	return err;
}

/* Read events until a quiet half second. */
static void drain(struct neigh_watch *w)
{
	struct pollfd pfd = { .fd = neigh_watch_fd(w), .events = POLLIN };

	while (poll(&pfd, 1, 500) == 1)
		assert_true(neigh_watch_read(w) >= 0);
}

static int sighted(const char *addr, const char *mac, int gone)
{
	uint8_t want_mac[6];
	struct in6_addr a6;
	struct in_addr a4;
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET, n = 0;

	sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &want_mac[0], &want_mac[1], &want_mac[2], &want_mac[3],
	       &want_mac[4], &want_mac[5]);
	inet_pton(family, addr, family == AF_INET ? (void *)&a4 : (void *)&a6);
	for (int i = 0; i < nseen; i++) {
		if (seen[i].family != family || seen[i].gone != gone ||
		    (!gone && memcmp(seen[i].mac, want_mac, 6)) || seen[i].ifindex != port_ifindex)
			continue;
		if (family == AF_INET ? seen[i].v4.s_addr == a4.s_addr
				      : !memcmp(&seen[i].v6, &a6, sizeof(a6)))
			n++;
	}
	return n;
}

static void existing_entries_are_reported_at_open(void **state)
{
	struct neigh_watch *w;

	(void)state;
	nseen = 0;
	assert_int_equal(neigh(port_ifindex, "10.9.0.4", "02:00:00:00:00:04", NUD_REACHABLE, 1), 0);
	assert_int_equal(neigh_watch_open(is_port, on_seen, NULL, &w), 0);
	assert_int_equal(sighted("10.9.0.4", "02:00:00:00:00:04", 0), 1);
	neigh_watch_close(w);
}

static void every_address_of_a_guest_is_reported(void **state)
{
	struct neigh_watch *w;

	(void)state;
	assert_int_equal(neigh_watch_open(is_port, on_seen, NULL, &w), 0);
	nseen = 0;
	assert_int_equal(neigh(port_ifindex, "10.9.0.5", "02:00:00:00:00:05", NUD_REACHABLE, 1), 0);
	assert_int_equal(neigh(port_ifindex, "fd00:9::5", "02:00:00:00:00:05", NUD_REACHABLE, 1), 0);
	assert_int_equal(
		neigh(port_ifindex, "fd00:9::a1b2:c3d4:e5f6:1234", "02:00:00:00:00:05", NUD_STALE, 1), 0);
	assert_int_equal(neigh(port_ifindex, "fe80::5", "02:00:00:00:00:05", NUD_REACHABLE, 1), 0);
	drain(w);
	assert_int_equal(sighted("10.9.0.5", "02:00:00:00:00:05", 0), 1);
	assert_int_equal(sighted("fd00:9::5", "02:00:00:00:00:05", 0), 1);
	assert_int_equal(sighted("fd00:9::a1b2:c3d4:e5f6:1234", "02:00:00:00:00:05", 0), 1);
	assert_int_equal(sighted("fe80::5", "02:00:00:00:00:05", 0), 1);

	nseen = 0;
	assert_int_equal(neigh(port_ifindex, "fd00:9::5", "02:00:00:00:00:05", NUD_REACHABLE, 0), 0);
	drain(w);
	assert_true(sighted("fd00:9::5", "02:00:00:00:00:05", 1) >= 1);
	assert_int_equal(sighted("10.9.0.5", "02:00:00:00:00:05", 1), 0);
	neigh_watch_close(w);
}

static void other_interfaces_and_unproven_entries_are_not(void **state)
{
	struct neigh_watch *w;

	(void)state;
	assert_int_equal(neigh_watch_open(is_port, on_seen, NULL, &w), 0);
	nseen = 0;
	assert_int_equal(neigh(wan_ifindex, "10.8.0.5", "02:00:00:00:00:99", NUD_REACHABLE, 1), 0);
	assert_int_equal(neigh(port_ifindex, "10.9.0.6", "02:00:00:00:00:06", NUD_NOARP, 1), 0);
	drain(w);
	assert_int_equal(nseen, 0);
	neigh_watch_close(w);
}

/*
 * An entry that only ages (REACHABLE to STALE, as the kernel's timers move
 * it) is no news of the guest: reported, it would bring a guest the daemon
 * forgot back into the gate's table. Fresh proof is: REACHABLE again, or
 * another device's MAC on the address.
 */
static void ageing_is_not_news_but_an_answer_or_a_new_mac_is(void **state)
{
	struct neigh_watch *w;

	(void)state;
	assert_int_equal(neigh(port_ifindex, "10.9.0.7", "02:00:00:00:00:07", NUD_REACHABLE, 1), 0);
	assert_int_equal(neigh_watch_open(is_port, on_seen, NULL, &w), 0);
	drain(w);
	nseen = 0;
	assert_int_equal(neigh(port_ifindex, "10.9.0.7", "02:00:00:00:00:07", NUD_STALE, 1), 0);
	drain(w);
	assert_int_equal(nseen, 0);
	assert_int_equal(neigh(port_ifindex, "10.9.0.7", "02:00:00:00:00:07", NUD_REACHABLE, 1), 0);
	drain(w);
	assert_int_equal(sighted("10.9.0.7", "02:00:00:00:00:07", 0), 1);
	nseen = 0;
	assert_int_equal(neigh(port_ifindex, "10.9.0.7", "02:00:00:00:00:77", NUD_STALE, 1), 0);
	drain(w);
	assert_int_equal(sighted("10.9.0.7", "02:00:00:00:00:77", 0), 1);
	assert_int_equal(nseen, 1);
	neigh_watch_close(w);
}

/* An address looked up in the table, reported lately or not: for a guest that talks only to the gateway. */
static void an_address_is_found_on_an_access_port_only(void **state)
{
	struct neigh_watch *w;
	struct neigh_sighting want = { .family = AF_INET }, found;

	(void)state;
	assert_int_equal(neigh(port_ifindex, "10.9.0.8", "02:00:00:00:00:08", NUD_STALE, 1), 0);
	assert_int_equal(neigh(wan_ifindex, "10.8.0.8", "02:00:00:00:00:98", NUD_REACHABLE, 1), 0);
	assert_int_equal(neigh(port_ifindex, "10.9.0.9", "02:00:00:00:00:09", NUD_NOARP, 1), 0);
	assert_int_equal(neigh_watch_open(is_port, on_seen, NULL, &w), 0);
	drain(w);
	inet_pton(AF_INET, "10.9.0.8", &want.v4);
	assert_int_equal(neigh_watch_find(w, &want, &found), 0);
	assert_int_equal(found.ifindex, port_ifindex);
	assert_memory_equal(found.mac, "\x02\x00\x00\x00\x00\x08", 6);
	assert_int_equal(found.family, AF_INET);
	assert_int_equal(found.v4.s_addr, want.v4.s_addr);
	inet_pton(AF_INET, "10.8.0.8", &want.v4);
	assert_int_equal(neigh_watch_find(w, &want, &found), -ENOENT);
	inet_pton(AF_INET, "10.9.0.9", &want.v4);
	assert_int_equal(neigh_watch_find(w, &want, &found), -ENOENT);
	inet_pton(AF_INET, "10.9.0.10", &want.v4);
	assert_int_equal(neigh_watch_find(w, &want, &found), -ENOENT);
	want.family = AF_INET6;
	inet_pton(AF_INET6, "fd00:9::8", &want.v6);
	assert_int_equal(neigh_watch_find(w, &want, &found), -ENOENT);
	neigh_watch_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(existing_entries_are_reported_at_open),
		cmocka_unit_test(every_address_of_a_guest_is_reported),
		cmocka_unit_test(other_interfaces_and_unproven_entries_are_not),
		cmocka_unit_test(ageing_is_not_news_but_an_answer_or_a_new_mac_is),
		cmocka_unit_test(an_address_is_found_on_an_access_port_only),
	};

	return cmocka_run_group_tests_name("neigh", tests, setup, NULL);
}
