#!/bin/bash
# PENDING (not run by make check): it fails today on two known bugs of
# issue 9: with wicket.ko unloaded nothing gates forwarding (the unpaid
# guest reaches the internet), and wicketd does not notice the module
# coming back (paid guests stay out until it restarts). Move it back to
# tests/kernel/ with their fix. Run it by hand:
#   tests/vm/run -v -k newest tests/pending/fault-module-reload.sh
# wicket.ko unloaded and loaded again under traffic, wicketd running: a
# paid guest (voucher, through the client API) and an unpaid one ping the
# internet all along. wicket.ko holds no reference for wicketd's netlink
# sockets, so rmmod succeeds (the design: the kernel's table is a cache
# the daemon rebuilds, DESIGN.md); with the module out nothing forwards a
# guest; a freshly loaded module lets nobody through until wicketd has put
# the store's sessions back; then the paid guest passes again in the same
# session, charged once, and the unpaid guest never passed at any time.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "jq --version" jq

load_wicket || exit 1
setup_gateway || exit 1
add_guest paid 1 02:00:00:00:01:01 || exit 1
add_guest unpaid 2 02:00:00:00:02:02 || exit 1
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

rmmod_out=$(rmmod wicket 2>&1)
rmmod_rc=$?
check "rmmod succeeds while wicketd runs (its sockets hold no reference; the store rebuilds the table)" \
	test "$rmmod_rc" = 0
[ "$rmmod_rc" = 0 ] || { echo "rmmod: $rmmod_out"; lib_exit; }
sleep 1
out_paid=$(arrived paid) out_unpaid=$(arrived unpaid)
sleep 2
check "module out: nothing forwards the unpaid guest (fail closed)" test "$(arrived unpaid)" = "$out_unpaid"
check "... nor the paid one: the gate is gone, not open" test "$(arrived paid)" = "$out_paid"
check "wicketd lives on without the module" kill -0 "$wicketd_pid"

insmod "$(wicket_module)" || exit 1
check "reloaded: no gate open but what wicketd put back from the store" \
	test "$(wnl client list | grep 'state=authorized' | grep -vc "session=$session ")" = 0
# wicketd notices the module came back and reconciles with the store.
back() { wnl client get r1 02:00:00:00:01:01 2> /dev/null | grep -q "state=authorized session=$session "; }
if wait_until 10 back; then
	log_pass "wicketd put the paid guest's session back in the reloaded module by itself"
else
	log_fail "wicketd did not put the paid guest's session back in the reloaded module within 10 s"
	echo "kernel: $(wnl client list)"
	# A restart reconciles at start: the documented way back.
	kill "$wicketd_pid"
	wait "$wicketd_pid" 2> /dev/null
	n=$(runs)
	wicketd_start && wait_until 20 started "$n"
	check "... a restart of wicketd puts it back" back
fi
check "the paid guest passes again" ping_ok "$paid" 10.99.0.2
check "... in the same session" test "$(sql "SELECT state FROM sessions WHERE id = $session")" = active
check "... not charged again (sessions, charges, approvals, accounting as before)" test "$(sold)" = "$before"
check "the unpaid guest never passed, before, during or after the reload" test "$(arrived unpaid)" = 0
check_fails "... and does not now" ping_ok "$unpaid" 10.99.0.2
check "wicketd lives on" kill -0 "$wicketd_pid"
check "the store is sound" test "$(sql 'PRAGMA integrity_check')" = ok
grep -iE 'wicket.ko|reconcil|error|warn' "$dir/log" | tail -n 20
lib_exit
