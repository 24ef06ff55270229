#!/bin/bash
# vm: every kernel
# wicketd against the real module: it configures the access ports and the
# captive mark from its config, keeps its nftables table (and puts it back
# after a flush, the gate staying closed meanwhile), reloads on SIGHUP
# (keeping the old config when the new one is wrong), answers wicketctl,
# and stops cleanly.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
wicketd_config charge
dir=$wicketd_dir
check "the config checks out" ip netns exec "$router" wicketd -c "$dir/wicketd.conf" --check-config
wicketd_start
daemon=$wicketd_pid
check "wicketd is up (control socket)" test -S "$dir/control.sock"

ifindex=$(ip netns exec "$router" cat /sys/class/net/r1/ifindex)
check "the access port is in the kernel" test "$(wnl port list)" = "port=r1 ifindex=$ifindex mode=charge"
check "so is the captive mark" grep -q 'mark=0x800000 mark_mask=0x800000' <<< "$(wnl config get)"
check "the firewall table is in place" \
	grep -q 'redirect to :8080' <<< "$(ip netns exec "$router" nft list table inet wicket)"
check_fails "an unknown guest is captive" ping_ok "$guest" 10.99.0.2

status=$(ctl --json status)
echo "$status"
check "wicketctl status: version, module, firewall" \
	grep -q '"firewall": "installed"' <<< "$status"
check "wicketctl ports: room and mode" \
	grep -qE '"room": "101"' <<< "$(ctl --json ports)"

# A firewall reload flushes everything: the table comes back, and the gate
# never opened in between.
ip netns exec "$router" nft flush ruleset
check_fails "with the ruleset flushed, the guest is still captive" ping_ok "$guest" 10.99.0.2
back=0
for _ in $(seq 20); do
	ip netns exec "$router" nft list table inet wicket > /dev/null 2>&1 && { back=1; break; }
	sleep 0.1
done
check "the table is back within 2 s of a flush" test "$back" = 1
sleep 1
check "put back once, not in a loop on its own replace" test "$(grep -c 'put back' "$dir/log")" = 1

# SIGHUP with a broken config: kept as it was.
echo "[nonsense" >> "$dir/wicketd.conf"
wicketd_reload
check "a broken config on SIGHUP is refused with its line" grep -q 'keeping the running configuration' "$dir/log"
check "... and the daemon runs on" kill -0 "$daemon"
wicketd_config free
wicketd_reload
check "a good config on SIGHUP applies (port now free)" \
	test "$(wnl port list)" = "port=r1 ifindex=$ifindex mode=free"
check "the free port lets the guest through" ping_ok "$guest" 10.99.0.2

kill -TERM "$daemon"
wait "$daemon"
rc=$?
check "SIGTERM stops it cleanly" test "$rc" = 0
check "the firewall table goes with it" bash -c "! ip netns exec $router nft list table inet wicket > /dev/null 2>&1"
check "the store is sound" test "$(sqlite3 "$dir/wicket.db" 'PRAGMA integrity_check')" = ok

# A config naming a missing interface: refused at start, with the line.
sed -i 's/^\[port r1\]/[port r9]/' "$dir/wicketd.conf"
check_error "a missing interface is refused with its config line" "wicketd.conf:[0-9]+: \[port r9\]: no such interface" \
	ip netns exec "$router" wicketd -c "$dir/wicketd.conf"
cat "$dir/log"
lib_exit
