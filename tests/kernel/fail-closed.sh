#!/bin/bash
# Fail-closed: whatever happens to the software around it, the gate in
# wicket.ko lets no unpaid guest reach the upstream network, and lets a
# paid guest run to its deadline and no further. wicketd is killed (no
# clean stop), then the whole nftables ruleset is flushed: the unpaid
# guest still reaches nothing upstream (ICMP, UDP, DNS to a foreign
# resolver, HTTP, IPv4 and IPv6), the paid one still passes, and is cut by
# the kernel alone at its deadline. wicketd started again puts its
# nftables table back and records how the session ended.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest paid 1 02:00:00:00:01:01 || exit 1
add_guest unpaid 2 02:00:00:00:02:02 || exit 1
count_init "$upstream"
wicketd_ports="r2" wicketd_config
dir=$wicketd_dir
wicketd_start || exit 1

ping_ok "$paid" 10.0.1.1
ping_ok "$unpaid" 10.0.2.1
check "the paid guest is comped for one minute" ctl allow 02:00:00:00:01:01 --minutes 1
allowed_ms=$(now_ms)
session=$(sqlite3 "$dir/wicket.db" "SELECT id FROM sessions ORDER BY id DESC LIMIT 1")

# unpaid_reaches_nothing WHEN: every kind of packet from the unpaid guest,
# and none of it arrives upstream.
# The two echoes and the connection attempt (its SYN and their retries)
# go at once: each waits out its own timeout, side by side.
unpaid_reaches_nothing() {
	local pids=()
	count_reset "$upstream"
	ping_ok "$unpaid" 10.99.0.2 &
	pids+=($!)
	ping_ok "$unpaid" fd00:99::2 &
	pids+=($!)
	ip netns exec "$unpaid" timeout 3 bash -c "exec 3<> /dev/tcp/10.99.0.2/80" 2> /dev/null &
	pids+=($!)
	udp_send "$unpaid" 10.99.0.2 9
	udp_send "$unpaid" 10.99.0.2 53
	wait "${pids[@]}"
	sleep 0.5
	check "$1: nothing from the unpaid guest arrives upstream (echo4 echo6 udp9 dns http)" \
		test "$(for c in echo4 echo6 udp9 dns http; do count_get "$upstream" $c; done | tr '\n' ' ')" = "0 0 0 0 0 "
}

unpaid_reaches_nothing "with wicketd running"
count_reset "$upstream"
check "with wicketd running: the paid guest passes" ping_ok "$paid" 10.99.0.2
check "... and the upstream counts what arrives (so zeros above mean something)" \
	test "$(count_get "$upstream" echo4)" = 1

kill -9 "$wicketd_pid"
wait "$wicketd_pid" 2> /dev/null
check "wicketd is gone" sh -c "! kill -0 $wicketd_pid 2> /dev/null"
unpaid_reaches_nothing "wicketd killed"
check "wicketd killed: the paid guest still passes" ping_ok "$paid" 10.99.0.2

ip netns exec "$router" nft flush ruleset
check "the nftables ruleset is empty" test -z "$(ip netns exec "$router" nft list ruleset)"
unpaid_reaches_nothing "wicketd killed and nftables flushed"
check "wicketd killed and nftables flushed: the paid guest still passes" ping_ok "$paid" 10.99.0.2

# The minute runs out with nobody but the kernel watching.
wait_until 90 sh -c "! ip netns exec $paid ping -q -n -c 1 -W 1 10.99.0.2 > /dev/null 2>&1"
cut_ms=$(($(now_ms) - allowed_ms))
check "the kernel alone cuts the paid guest at its deadline (after ${cut_ms} ms of 60000)" \
	test "$cut_ms" -ge 59000 -a "$cut_ms" -le 66000
unpaid_reaches_nothing "after the deadline"
check_fails "... and the paid guest no longer passes" ping_ok "$paid" 10.99.0.2

wicketd_start || exit 1
check "wicketd started again puts its nftables table back" ip netns exec "$router" nft list table inet wicket
wait_until 10 sh -c "sqlite3 $dir/wicket.db 'SELECT end_reason FROM sessions WHERE id = $session' | grep -qx deadline"
check "... and records the session as ended at its deadline" \
	test "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions WHERE id = $session")" = deadline
unpaid_reaches_nothing "wicketd back"
lib_exit
