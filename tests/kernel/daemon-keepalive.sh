#!/bin/bash
# Keepalives through wicketd with the real module: a comped guest that
# sends them passes past the keepalive window, and is cut as
# keepalive-timeout when they stop; forged, replayed, unknown and
# malformed datagrams are counted and move nothing; a replay is refused
# after a restart too; a guest whose keepalives stop while wicketd is
# down is cut by the kernel alone and recorded as keepalive-timeout.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 02:00:00:00:01:01 || exit 1
mac=02:00:00:00:01:01
# The shortest window the config allows: a keepalive every 5 s, none missed.
wicketd_ka_interval=5 wicketd_ka_misses=1 wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
db=$dir/wicket.db

ka() { ip netns exec "$guest" wicket-ka "$@"; }
send() { ka send "$dir/keepalive.key" "$1" "$2" 10.0.1.1 4444 "${@:3}"; }
counter() { ctl --json status | sed -n "s/.*\"$1\": \\([0-9]*\\).*/\\1/p"; }
sql() { sqlite3 "$db" "$1"; }
counter_is() { [ "$(counter "$1")" = "$2" ]; }
# The keepalive counter the store holds for a session: stored_counter_is SESSION N.
stored_counter_is() { [ "$(sql "SELECT keepalive_counter FROM sessions WHERE id = $1")" = "$2" ]; }

ping_ok "$guest" 10.0.1.1
wait_until 10 wnl client get r1 $mac > /dev/null 2>&1
ctl allow $mac --minutes 60 > /dev/null || exit 1
session=$(sql "SELECT id FROM sessions WHERE state = 'active'")
check "a comped session" test -n "$session"
check "before any keepalive the gate runs to the comp's hour" \
	test "$(wnl client get r1 $mac | sed -n 's/.* timeout_ms=\([0-9]*\).*/\1/p')" -gt 3000000

check "a keepalive is sent" send "$session" 1 --save "$dir/ka1"
wait_until 3 counter_is ok 1
check "wicketctl status counts it" test "$(counter ok)" = 1
check "the store has its counter and time" test "$(sql "SELECT keepalive_counter, keepalive_at > 0 FROM sessions WHERE id = $session")" = "1|1"
timeout=$(wnl client get r1 $mac | sed -n 's/.* timeout_ms=\([0-9]*\).*/\1/p')
check "the kernel's deadline is now the keepalive window (5 s), not the hour" \
	test "${timeout:-0}" -gt 0 -a "${timeout:-0}" -le 5000

# Ten seconds of keepalives: twice the window.
for n in $(seq 2 11); do send "$session" "$n" || break; lib_sleep 1; done
check "kept alive past the window: IPv4 passes" ping_ok "$guest" 10.99.0.2
check "all eleven taken" test "$(counter ok)" = 11

# Refused, and none of them keeps the session alive.
check "replay sent" ka replay "$dir/ka1" 10.0.1.1 4444
check "forgery sent" ka forge "$session" 100 10.0.1.1 4444
check "unknown session sent" ka forge 987654 1 10.0.1.1 4444
ip netns exec "$guest" bash -c 'echo -n hello > /dev/udp/10.0.1.1/4444'
head -c 72 /dev/zero > "$dir/zeros"
ka replay "$dir/zeros" 10.0.1.1 4444
wait_until 3 eval 'counter_is replay 1 && counter_is bad-tag 1 && counter_is unknown-session 1 &&
	[ $(($(counter too-short) + $(counter bad-magic))) = 2 ]'
check "the replay is counted as such" test "$(counter replay)" = 1
check "the forgery is counted as bad-tag" test "$(counter bad-tag)" = 1
check "the unknown session is counted" test "$(counter unknown-session)" = 1
check "the malformed ones are counted" test "$(($(counter too-short) + $(counter bad-magic)))" = 2
check "refused keepalives move no counter in the store" test "$(sql "SELECT keepalive_counter FROM sessions WHERE id = $session")" = 11
ctl status

# Only replays and forgeries from now on: the window runs out.
for _ in $(seq 7); do
	ka replay "$dir/ka1" 10.0.1.1 4444
	ka forge "$session" 200 10.0.1.1 4444
	sleep 1
done
check_fails "keepalives stopped: the guest is cut" ping_ok "$guest" 10.99.0.2
check "the store says keepalive-timeout" test "$(sql "SELECT end_reason FROM sessions WHERE id = $session")" = keepalive-timeout
check "wicketctl sessions shows the reason" grep -q '"end_reason": "keepalive-timeout"' <<< "$(ctl --json sessions)"

# A replay stays refused after a restart: the counter is in the store.
# (A 15 s window, so that a slow restart does not end the session.)
wicketd_ka_interval=5 wicketd_ka_misses=3 wicketd_config || exit 1
kill -HUP "$wicketd_pid"
ctl allow $mac --minutes 60 > /dev/null || exit 1
session2=$(sql "SELECT id FROM sessions WHERE state = 'active'")
send "$session2" 1 && send "$session2" 2 --save "$dir/ka2" || exit 1
wait_until 3 stored_counter_is "$session2" 2
kill -9 "$wicketd_pid"
wait "$wicketd_pid" 2> /dev/null
wicketd_start || exit 1
ka replay "$dir/ka2" 10.0.1.1 4444
wait_until 3 counter_is replay 1
check "after a restart the replay is refused" test "$(counter replay)/$(counter ok)" = 1/0
check "... and the next keepalive is taken" send "$session2" 3
wait_until 3 counter_is ok 1
check "... counted" test "$(counter ok)" = 1
check "the session still passes" ping_ok "$guest" 10.99.0.2

# Keepalives stop while wicketd is down: the kernel cuts by itself (the
# 5 s window again, in force from the next keepalive on).
wicketd_ka_interval=5 wicketd_ka_misses=1 wicketd_config || exit 1
wicketd_reload
check "a keepalive under the reloaded config" send "$session2" 4
wait_until 3 stored_counter_is "$session2" 4
kill "$wicketd_pid"
wait "$wicketd_pid" 2> /dev/null
sleep 6
check_fails "wicketd down, keepalives stopped: cut by the kernel alone" ping_ok "$guest" 10.99.0.2
wicketd_start || exit 1
check "back up: the session is recorded as keepalive-timeout" \
	test "$(sql "SELECT end_reason FROM sessions WHERE id = $session2")" = keepalive-timeout
check "the daemon lives on" kill -0 "$wicketd_pid"
check "integrity_check" test "$(sql 'PRAGMA integrity_check')" = ok
cat "$dir/log"
lib_exit
