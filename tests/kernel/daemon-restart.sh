#!/bin/bash
# The store is the truth: after wicketd is killed (SIGKILL) the kernel
# keeps serving paid guests; a restart makes the kernel equal to the store
# even after the module was reloaded (table lost), closes gates the store
# knows nothing of, and ends sessions whose deadline passed meanwhile.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 02:00:00:00:01:01 || exit 1
mac=02:00:00:00:01:01
start() { wicketd_start; daemon=$wicketd_pid; }
start || exit 1
dir=$wicketd_dir
ping_ok "$guest" 10.0.1.1
for _ in $(seq 30); do wnl client get r1 $mac 2> /dev/null | grep -q 10.0.1.2 && break; sleep 0.1; done
ctl allow $mac --minutes 10 > /dev/null || exit 1
check "comped guest passes" ping_ok "$guest" 10.99.0.2

kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
check "wicketd killed: the paid guest still passes (the kernel keeps the gate)" ping_ok "$guest" 10.99.0.2
# A gate the store knows nothing of, opened behind the daemon's back.
wnl client add r1 02:00:00:00:07:07 addr 10.0.1.77 state authorized session 999 || exit 1
start
check "restart: the paid guest passes" ping_ok "$guest" 10.99.0.2
check "an open gate without a session in the store is closed" \
	grep -q 'state=captive session=0' <<< "$(wnl client get r1 02:00:00:00:07:07)"
left=$(wnl client get r1 $mac | tr ' ' '\n' | sed -n 's/^timeout_ms=//p')
check "the kernel has the session's time left (about 10 minutes)" test "$left" -gt 500000 -a "$left" -le 600000

# Module reloaded under a dead daemon: the table is gone.
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
rmmod wicket
insmod "$(wicket_module)" || exit 1
start
check "module reloaded: the paid guest passes again after the restart" ping_ok "$guest" 10.99.0.2
check "restored with its session" grep -q 'state=authorized session=1 ' <<< "$(wnl client get r1 $mac)"
grep reconciled "$dir/log"
check "the log says what was restored" grep -q 'reconciled: 1 sessions restored' "$dir/log"

# The deadline passes while the daemon is away.
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
sqlite3 "$dir/wicket.db" "UPDATE sessions SET deadline_at = 1000 WHERE id = 1" || exit 1
start
check "a session that expired while wicketd was away is ended" \
	test "$(sqlite3 "$dir/wicket.db" 'SELECT state, end_reason FROM sessions WHERE id = 1')" = "ended|deadline"
check_fails "... and its guest is out" ping_ok "$guest" 10.99.0.2
# The kernel closes a gate at its cap while the daemon is away: the
# restart ends that session instead of opening the gate again.
ctl allow $mac --minutes 10 > /dev/null || exit 1
session=$(sqlite3 "$dir/wicket.db" "SELECT id FROM sessions WHERE state = 'active'")
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
wnl client update r1 $mac cap 3000 || exit 1
ip netns exec "$guest" ping -q -n -c 10 -i 0.05 -s 972 10.99.0.2 > /dev/null
check "the kernel closed it at its cap" grep -q 'flags=closed' <<< "$(wnl client get r1 $mac)"
start
check "a session the kernel closed while wicketd was away is ended, not reopened" \
	test "$(sqlite3 "$dir/wicket.db" "SELECT state, end_reason, up_bytes > 0 FROM sessions WHERE id = $session")" = "ended|byte-cap|1"
check_fails "... and its guest stays out" ping_ok "$guest" 10.99.0.2
check "the store is sound after four SIGKILLs" test "$(sqlite3 "$dir/wicket.db" 'PRAGMA integrity_check')" = ok
cat "$dir/log"
lib_exit
