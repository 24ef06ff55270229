#!/bin/bash
# vm: every kernel
# The kernel enforces deadlines and byte caps on its own: with no daemon
# running the gate closes within a second of the deadline, at the cap, and
# one event with the final counters says so.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
mac=$(mac_of "$guest" eth0)
wnl port set r1 charge || exit 1
events=$(mktemp)
on_exit "rm -f $events"

# Listen for events (a bystander: nothing acts on them).
listen() {
	ip netns exec "$router" wicket-nl events count "$1" timeout "$2" > "$events" 2> "$events.err" &
	listener=$!
	wait_until 10 grep -q ready "$events.err"
}

# Deadline, with traffic flowing: the packet path notices.
listen 1 10
wnl client add r1 "$mac" addr 10.0.1.2 state provisional timeout 2000 session 7 || exit 1
t0=$(date +%s%N)
check "provisional: passes before its deadline" ping_ok "$guest" 10.99.0.2
ip netns exec "$guest" ping -n -D -i 0.05 -w 4 10.99.0.2 > "$events.ping" 2>&1
last=$(awk '/bytes from/ { gsub(/[\[\]]/, "", $1); t = $1 } END { print t }' "$events.ping")
last_ms=$(awk -v t="$last" -v t0="$t0" 'BEGIN { printf "%d", t * 1000 - t0 / 1000000 }')
echo "last answer ${last_ms} ms after the grant"
# Under TCG on a loaded host a ping answer can be late by a couple of
# intervals: 1.5 s of a 2 s grant still tells "until the deadline" from
# "cut early".
check "traffic passes until the deadline" test "$last_ms" -ge 1500
check "traffic stops within 1 s of the deadline" test "$last_ms" -le 3000
wait "$listener"
check "one closed event, reason deadline, with the session" \
	grep -qE "^closed port=r1 mac=$mac session=7 reason=deadline up_packets=[1-9]" "$events"
check "exactly one event" test "$(wc -l < "$events")" = 1
check "the client shows as closed" grep -q 'flags=closed' <<< "$(wnl client get r1 "$mac")"

# Deadline with no traffic at all: the timer closes it and reports.
listen 1 10
# (3 s: a loaded host once took over a second to get the echo out.)
wnl client update r1 "$mac" state authorized timeout 3000 session 8 || exit 1
check "reopened by a new deadline" ping_ok "$guest" 10.99.0.2
wait "$listener"
check "idle client: closed by the timer, reported" \
	grep -qE "^closed port=r1 mac=$mac session=8 reason=deadline" "$events"
check_fails "... and closed" ping_ok "$guest" 10.99.0.2

# Byte cap: 1000-byte echoes, 2000 bytes a round trip, 20000 allowed.
listen 1 10
wnl client update r1 "$mac" state authorized timeout 0 cap 20000 session 9 || exit 1
wnl client get r1 "$mac" reset > /dev/null
ip netns exec "$guest" ping -q -n -c 30 -i 0.02 -s 972 10.99.0.2 > /dev/null
out=$(wnl client get r1 "$mac")
used=$(( $(field up_bytes <<< "$out") + $(field down_bytes <<< "$out") ))
echo "$used bytes passed under a 20000-byte cap"
check "never more than the cap" test "$used" -le 20000
# Each CPU may hold back a slice (cap / 16 per CPU) and one packet is lost.
check "the cap is used up to its slices" test "$used" -ge $((20000 - 20000 / 16 * $(nproc) - 2000))
wait "$listener"
check "one closed event, reason byte_cap" grep -qE "^closed port=r1 mac=$mac session=9 reason=byte_cap" "$events"
check_fails "closed at the cap" ping_ok "$guest" 10.99.0.2
wnl client update r1 "$mac" cap 0 || exit 1
check "a lifted cap reopens" ping_ok "$guest" 10.99.0.2
check_error "provisional without a deadline is refused" "needs a deadline" \
	wnl client update r1 "$mac" state provisional

lib_exit
