#!/bin/bash
# A guest's way through wicketd with the real module: discovered from the
# neighbour table (IPv4 and IPv6) and held captive, comped by staff with
# `wicketctl allow`, kicked, comped again and cut by the kernel's own
# deadline (recorded as such, with its bytes), blocked; and a stranger
# refused by the control socket.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 02:00:00:00:01:01 || exit 1
mac=02:00:00:00:01:01
t0=$SECONDS
wicketd_start || exit 1
dir=$wicketd_dir

# Talking to the gateway puts the guest in its neighbour table.
ping_ok "$guest" 10.0.1.1
ping_ok "$guest" fd00:1::1
found=""
wait_until 10 eval 'found=$(wnl client get r1 $mac 2> /dev/null) &&
	grep -q "addrs=.*10.0.1.2" <<< "$found" && grep -q "addrs=.*fd00:1::2" <<< "$found"'
echo "$found"
echo "discovered after $((SECONDS - t0)) s"
check "the guest is discovered with its IPv4 and IPv6 addresses, captive" \
	grep -qE 'addrs=[^ ]*10\.0\.1\.2[, ][^ ]*fd00:1::2[ ,].*state=captive|addrs=[^ ]*fd00:1::2[, ][^ ]*10\.0\.1\.2[ ,].*state=captive' <<< "$found"
check "wicketctl clients lists it, captive, in room 101" \
	grep -qE "\"mac\": \"$mac\"" <<< "$(ctl --json clients)"
check_fails "a captive guest does not reach the internet" ping_ok "$guest" 10.99.0.2

out=$(ctl allow $mac --minutes 5)
echo "$out"
check "wicketctl allow comps the guest" grep -q "allowed $mac" <<< "$out"
check "comped: IPv4 passes" ping_ok "$guest" 10.99.0.2
check "comped: IPv6 passes" ping_ok "$guest" fd00:99::2
clients=$(ctl --json clients)
check "wicketctl clients shows it authorized with time left" \
	grep -q '"state": "authorized"' <<< "$clients"
session=$(sqlite3 "$dir/wicket.db" "SELECT id FROM sessions WHERE state = 'active'")
check "the session is in the store before anything else" test -n "$session"

# A comp gives time, never takes it: 5 minutes comped on top of 5 left stays 5, not 1.
ctl allow $mac --minutes 1 > /dev/null || exit 1
left=$(ctl --json clients | jq --arg m "$mac" '.[] | select(.mac == $m) | .remaining_s')
check "a shorter comp keeps the longer time already given ($left s left)" test "${left:-0}" -gt 240
check "... in the same session" test "$(sqlite3 "$dir/wicket.db" "SELECT id FROM sessions WHERE state = 'active'")" = "$session"
ctl allow $mac --minutes 10 > /dev/null || exit 1
left=$(ctl --json clients | jq --arg m "$mac" '.[] | select(.mac == $m) | .remaining_s')
check "a longer comp extends it ($left s left)" test "${left:-0}" -gt 540

check "wicketctl kick" ctl kick $mac
check_fails "kicked: cut at once" ping_ok "$guest" 10.99.0.2
check "the store says kick" test "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions WHERE id = $session")" = kick

# Comped again, then the kernel's own deadline ends it (shortened here to
# a second behind the daemon's back, as a clock would).
ctl allow $mac --minutes 5 > /dev/null || exit 1
ip netns exec "$guest" ping -q -n -c 5 -i 0.05 -s 100 10.99.0.2 > /dev/null
session2=$(sqlite3 "$dir/wicket.db" "SELECT id FROM sessions WHERE state = 'active'")
wnl client update r1 $mac timeout 1000 || exit 1
# Until wicketd has the kernel's close in the store (5 s at most).
wait_until 5 eval '[ "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions WHERE id = $session2")" = deadline ]'
check_fails "past the deadline: cut by the kernel" ping_ok "$guest" 10.99.0.2
row=$(sqlite3 "$dir/wicket.db" "SELECT end_reason, up_bytes >= 640, down_bytes >= 640 FROM sessions WHERE id = $session2")
check "the kernel's close is recorded as deadline, with its bytes" test "$row" = "deadline|1|1"
check "... and the guest is captive again, without a session" \
	grep -q 'state=captive session=0 ' <<< "$(wnl client get r1 $mac)"

sessions=$(ctl --json sessions)
check "wicketctl sessions: the kicked and the expired one, with reasons" \
	test "$(grep -c '"end_reason": "kick"' <<< "$sessions")/$(grep -c '"end_reason": "deadline"' <<< "$sessions")" = 1/1
ctl sessions
check "wicketctl events: the session's transitions, newest first" \
	grep -q '"event": "ended"' <<< "$(ctl --json events --limit 3)"
one=$(ctl --json client $mac)
check "wicketctl client: the guest and its two sessions" \
	test "$(grep -c '"end_reason"' <<< "$one")/$(grep -c "\"mac\": \"$mac\"" <<< "$one")" = 2/3
ctl client $mac
check "wicketctl block" ctl block $mac
check "blocked in the kernel" grep -q 'state=blocked' <<< "$(wnl client get r1 $mac)"
check "the block is in the store" test "$(sqlite3 "$dir/wicket.db" "SELECT blocked_at > 0 FROM clients WHERE mac = '$mac'")" = 1
check_error "a blocked guest cannot be comped" "is blocked" ctl allow $mac --minutes 5
check "still blocked" grep -q 'state=blocked' <<< "$(wnl client get r1 $mac)"
check "wicketctl unblock" ctl unblock $mac
check "unblocked: captive" grep -q 'state=captive' <<< "$(wnl client get r1 $mac)"
check "... and not blocked in the store" test "$(sqlite3 "$dir/wicket.db" "SELECT blocked_at IS NULL FROM clients WHERE mac = '$mac'")" = 1

# Staff change a port; the change outlives a reload until it is reset.
check "wicketctl port set --mode free" ctl port set r1 --mode free --room "Pool bar"
check "free port: the captive guest passes" ping_ok "$guest" 10.99.0.2
ports=$(ctl --json ports)
check "wicketctl ports: the staff's room and mode" \
	test "$(grep -c -e '"room": "Pool bar"' -e '"set_by": "staff"' -e '"mode": "free"' <<< "$ports")" = 3
wicketd_reload
check "after a reload the staff's mode stays" grep -q '"mode": "free"' <<< "$(ctl --json ports)"
check "... in the kernel too" grep -q 'port=r1 .*mode=free' <<< "$(wnl port list)"
check "wicketctl port reset" ctl port reset r1
check "reset: the config's room and charge mode" \
	test "$(grep -c -e '"room": "101"' -e '"set_by": "config"' -e '"mode": "charge"' <<< "$(ctl --json ports)")" = 3
check "... in the kernel too" grep -q 'port=r1 .*mode=charge' <<< "$(wnl port list)"
check_fails "charge again: the captive guest is out" ping_ok "$guest" 10.99.0.2
check_error "a port not in the config is refused with advice" "not an access port" ctl port set r-up --mode free

check_error "a stranger is refused by the control socket" "permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups wicketctl --socket "$dir/control.sock" status
check_error "a MAC nobody has seen: said so" "no client 02:00:00:00:09:09" ctl allow 02:00:00:00:09:09 --minutes 5
check "the daemon lives on" kill -0 "$wicketd_pid"
cat "$dir/log"
lib_exit
