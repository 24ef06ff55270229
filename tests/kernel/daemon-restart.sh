#!/bin/bash
# vm: every kernel
# The store is the truth: after wicketd is killed (SIGKILL) the kernel
# keeps serving paid guests; a restart makes the kernel equal to the store
# even after the module was reloaded (table lost), closes gates the store
# knows nothing of, and ends sessions whose deadline passed meanwhile; a
# stale entry holding a paid guest's address does not keep the guest out,
# and blocks in the store come back blocked.
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
wait_until 10 eval 'wnl client get r1 $mac 2> /dev/null | grep -q 10.0.1.2'
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

# The figures of the newest reconcile: last_reconcile 'stale entries removed'.
last_reconcile() { grep "$1" "$dir/log" | tail -n 1 | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+'; }

# A stale captive entry (discovery's, say) holds the address of a paid
# guest whose entry the kernel lost: wicket.ko refuses an address bound to
# another entry, so reconcile must take the stale entry out of the way.
ctl allow $mac --minutes 10 > /dev/null || exit 1
session=$(sqlite3 "$dir/wicket.db" "SELECT id FROM sessions WHERE state = 'active'")
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
stale=02:00:00:00:08:08
wnl client del r1 $mac || exit 1
wnl client add r1 $stale addr 10.0.1.2 || exit 1
check_fails "a stale entry holds the paid guest's address: the guest is out" ping_ok "$guest" 10.99.0.2
start
check "restart: the paid guest passes despite the stale entry" ping_ok "$guest" 10.99.0.2
check "... in its session" grep -q "state=authorized session=$session " <<< "$(wnl client get r1 $mac 2>&1)"
check_fails "... and the stale entry is gone" wnl client get r1 $stale
check "the log says one stale entry was removed" test "$(last_reconcile 'stale entries removed')" = 1

# A block in the store that the kernel missed (wicketd died between the
# two): an open gate of a blocked client is made blocked, not left open
# nor merely closed, with the addresses the store binds to the client.
blocked=02:00:00:00:09:09
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
sqlite3 "$dir/wicket.db" "INSERT INTO clients (port, mac, first_seen, last_seen, blocked_at)
	VALUES ('r1', '$blocked', 1, 1, 1);
	INSERT INTO client_addrs (client_id, addr, first_seen, last_seen)
	VALUES (last_insert_rowid(), '10.0.1.99', 1, 1)" || exit 1
wnl client add r1 $blocked addr 10.0.1.98 state authorized session 4242 || exit 1
start
entry=$(wnl client get r1 $blocked 2>&1)
check "a client blocked in the store is blocked in the kernel after a restart" \
	grep -q 'state=blocked session=0 ' <<< "$entry"
check "... with the store's addresses" grep -q 'addrs=10.0.1.99 ' <<< "$entry"
check "the paid guest still passes" ping_ok "$guest" 10.99.0.2

# Staff's blocks outlive a module reload: the kernel's table is lost, the
# store puts the blocks back (not captive entries that could pay again).
# The guest talks, so discovery would find it again; a client that sends
# nothing only the store knows of.
silent=02:00:00:00:0a:0a
wnl client add r1 $silent addr 10.0.1.97 || exit 1
ctl block $mac > /dev/null || exit 1
ctl block $silent > /dev/null || exit 1
check_fails "blocked by staff: the guest is out" ping_ok "$guest" 10.99.0.2
check "the blocks are in the store" test "$(sqlite3 "$dir/wicket.db" \
	"SELECT count(*) FROM clients WHERE blocked_at > 0 AND mac IN ('$mac', '$silent')")" = 2
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
rmmod wicket
insmod "$(wicket_module)" || exit 1
start
check "module reloaded: a blocked client that sends nothing is back in the kernel, blocked" \
	grep -q 'state=blocked session=0 ' <<< "$(wnl client get r1 $silent 2>&1)"
check "... and so is the blocked guest" grep -q 'state=blocked session=0 ' <<< "$(wnl client get r1 $mac 2>&1)"
check_fails "... who stays out" ping_ok "$guest" 10.99.0.2
check "the log says three clients are held blocked" test "$(last_reconcile 'clients blocked')" = 3

# A block lifted in the store while wicketd was away is lifted in the
# kernel too: the store is the truth, and captive is still closed.
kill -KILL "$daemon"
wait "$daemon" 2> /dev/null
sqlite3 "$dir/wicket.db" "UPDATE clients SET blocked_at = NULL WHERE mac = '$silent'"
start
check "a block the store no longer holds is lifted: captive" \
	grep -q 'state=captive session=0 ' <<< "$(wnl client get r1 $silent 2>&1)"
check "... while the others stay blocked" grep -q 'state=blocked' <<< "$(wnl client get r1 $mac 2>&1)"
check "the store is sound" test "$(sqlite3 "$dir/wicket.db" 'PRAGMA integrity_check')" = ok
cat "$dir/log"
lib_exit
