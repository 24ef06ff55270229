#!/bin/bash
# wicket.ko under traffic with wicketd running: a paid guest (voucher,
# through the client API) and an unpaid one ping the internet all along.
# wicketd holds the module (WICKET_CMD_HOLD), so rmmod is refused and
# nothing changes; a killed wicketd's hold ends with it; then the
# documented reload (wicketd stopped, module out and in, wicketd started)
# lets nobody through until wicketd has put the store's sessions back,
# and the paid guest passes again in the same session, charged once. The
# unpaid guest never passes while the module is loaded: the guest ports
# are in its port_group (between rmmod and insmod nothing gates: the
# operator guide says so).
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "jq --version" jq

# The guest ports are in the module's port_group: closed whenever the
# module is in and wicketd has not made them ports (the operator guide).
group=7
load_wicket port_group=$group || exit 1
setup_gateway || exit 1
add_guest paid 1 02:00:00:00:01:01 || exit 1
add_guest unpaid 2 02:00:00:00:02:02 || exit 1
ip -n "$router" link set r1 group $group || exit 1
ip -n "$router" link set r2 group $group || exit 1
wicketd_ports="r2" wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 -cmd '.timeout 5000' "$dir/wicket.db" "$1"; }
runs() { grep -c 'running: .* access ports' "$dir/log"; }
started() { [ "$(runs)" -gt "$1" ]; }
wait_until 20 started 0 || { echo "wicketd's portal did not open"; cat "$dir/log"; exit 1; }

ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || exit 1
code=$(ctl vouchers create --plan Hour --count 1 --csv | sed -n 2p | cut -d, -f1)
ping_ok "$paid" 10.0.1.1
ping_ok "$unpaid" 10.0.2.1
out=$(ip netns exec "$paid" curl -sS -k --max-time 10 -H 'Content-Type: application/json' \
	--data "{\"plan\":\"Hour\",\"method\":\"voucher\",\"voucher\":\"$code\"}" https://10.0.1.1:8443/api/v1/login)
session=$(jq -r .session <<< "$out")
check "the paid guest logs in" test "$(jq -r .state <<< "$out")" = active
check "... and passes" ping_ok "$paid" 10.99.0.2
check_fails "the unpaid guest does not" ping_ok "$unpaid" 10.99.0.2
sold() { sql "SELECT count(*) || ' ' || sum(charge) FROM sessions; SELECT count(*) FROM billing_requests WHERE state = 'approved'; SELECT count(*) FROM outbox" | tr '\n' ' '; }
before=$(sold)

# Echo requests reaching the internet, by guest.
ip netns exec "$upstream" nft -f - <<-'NFT' || exit 1
table inet arrivals {
	counter paid { }
	counter unpaid { }
	chain input {
		type filter hook input priority 0;
		ip saddr 10.0.1.2 icmp type echo-request counter name paid
		ip saddr 10.0.2.2 icmp type echo-request counter name unpaid
	}
}
NFT
arrived() { ip netns exec "$upstream" nft list counter inet arrivals "$1" | awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }
# Traffic all along: five echo requests a second from each guest.
for g in paid unpaid; do
	ip netns exec "${!g}" ping -q -n -i 0.2 -W 1 10.99.0.2 > /dev/null 2>&1 &
	on_exit "kill $!"
done
sleep 1
check "traffic flows: the paid guest's requests arrive" test "$(arrived paid)" -gt 0
back_in_kernel() { wnl client get r1 02:00:00:00:01:01 2> /dev/null | grep -q "state=authorized session=$session "; }

refcnt() { cat /sys/module/wicket/refcnt; }
refcnt_is() { [ "$(refcnt)" = "$1" ]; }
check "wicketd holds the module: use count 1" refcnt_is 1
check_error "rmmod is refused while wicketd runs" "in use" rmmod wicket
paid_at=$(arrived paid)
sleep 1
check "... the paid guest's traffic goes on" test "$(arrived paid)" -gt "$paid_at"
check "... and its gate is still in the kernel" \
	back_in_kernel
check "wicketd lives on" kill -0 "$wicketd_pid"

# A wicketd that dies lets go of the module: its socket is closed.
kill -KILL "$wicketd_pid"
wait "$wicketd_pid" 2> /dev/null
check "wicketd killed: its hold ended (use count 0)" wait_until 5 refcnt_is 0
paid_at=$(arrived paid)
sleep 1
check "... the paid guest still passes (the kernel keeps the gate)" test "$(arrived paid)" -gt "$paid_at"

# The documented reload. Between rmmod and insmod nothing gates: that
# window is left out of the unpaid guest's count below. Once the module
# is back its port_group closes the guest ports until wicketd starts.
unpaid_before=$(arrived unpaid)
check "rmmod succeeds with wicketd stopped" rmmod wicket
insmod "$(wicket_module)" port_group=$group || exit 1
# What was forwarded before the module came back has arrived by now.
sleep 0.3
unpaid_window=$(($(arrived unpaid) - unpaid_before))
echo "unpaid echo requests that arrived while no module was loaded: $unpaid_window"
unpaid_after=$(arrived unpaid) paid_at=$(arrived paid)
sleep 1
check "reloaded, wicketd not yet back: the paid guest is out" test "$(arrived paid)" = "$paid_at"
check "... no gate open at all" test "$(wnl client list | grep -c 'state=authorized')" = 0
n=$(runs)
wicketd_start && wait_until 20 started "$n"
check "wicketd started: the paid guest's session is back in the kernel" wait_until 5 back_in_kernel
check "... and wicketd holds the new module" refcnt_is 1
check "the paid guest passes again" ping_ok "$paid" 10.99.0.2
check "... in the same session" test "$(sql "SELECT state FROM sessions WHERE id = $session")" = active
check "... not charged again (sessions, charges, approvals, accounting as before)" test "$(sold)" = "$before"
check "the unpaid guest never passed while a module was loaded" \
	test "$(($(arrived unpaid) - unpaid_window))" = 0
check "... nor since the reload" test "$(arrived unpaid)" = "$unpaid_after"
check_fails "... and does not now" ping_ok "$unpaid" 10.99.0.2
check "the store is sound" test "$(sql 'PRAGMA integrity_check')" = ok
grep -iE 'wicket.ko|reconcil|error|warn' "$dir/log" | tail -n 20
lib_exit
