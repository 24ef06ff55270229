#!/bin/bash
# A gate-closed event that wicketd reads late, after the client's entry
# has moved on to a newer session, ends its own session in the store and
# leaves the newer one alone. The kernel closes session A while wicketd is
# stopped (SIGSTOP), the entry is given session B, and wicketd wakes to
# the event about A: B must keep passing.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
mac=$(mac_of "$guest" eth0)
wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 -cmd '.timeout 5000' "$dir/wicket.db" "$1"; }
entry() { wnl client get r1 "$mac" 2> /dev/null; }

# wicketd learns the guest (and its address) from its first packets.
ping_ok "$guest" 10.0.1.1
learnt() { grep -q 10.0.1.2 <<< "$(entry)"; }
wait_until 10 learnt || { echo "wicketd did not learn the guest: $(entry)"; exit 1; }
ctl allow "$mac" --minutes 30 > /dev/null || exit 1
a=$(sql "SELECT id FROM sessions WHERE state = 'active'")
check "session A is open in the kernel" grep -q "state=authorized session=$a " <<< "$(entry)"
check "... and the guest passes" ping_ok "$guest" 10.99.0.2

kill -STOP "$wicketd_pid"
on_exit "kill -CONT $wicketd_pid"
# The kernel closes A on its own (its deadline moved to now) and queues
# the event; then the entry gets session B, as a new sale would give it.
wnl client update r1 "$mac" timeout 1 || exit 1
closed() { grep -q ' flags=closed' <<< "$(entry)"; }
check "the kernel closed A's gate by itself" wait_until 5 closed
b=$((a + 1000))
wnl client update r1 "$mac" state authorized session "$b" timeout 600000 || exit 1
kill -CONT "$wicketd_pid"
ended() { test "$(sql "SELECT state FROM sessions WHERE id = $a")" = ended; }
check "wicketd read the late event: session A ended in the store" wait_until 10 ended
check "... as a deadline" test "$(sql "SELECT end_reason FROM sessions WHERE id = $a")" = deadline
check "the entry still holds session B, open" grep -q "state=authorized session=$b " <<< "$(entry)"
check "... and the guest passes on B" ping_ok "$guest" 10.99.0.2
check "wicketd lives on" kill -0 "$wicketd_pid"
lib_exit
