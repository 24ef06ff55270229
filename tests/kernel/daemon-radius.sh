#!/bin/bash
# Remote approval and accounting through wicketd with the real module and
# a real FreeRADIUS 3 (tests/radius/lib.sh: the shipped dictionary,
# policy and SQLite records table), as the venue's network management
# system on the WAN side: in the upstream namespace at 10.99.0.2, which
# wicketd reaches over r-up from 10.99.0.1, as a gateway reaches its NMS.
#
# A card approved at once (active, never provisional, within the
# server's Session-Timeout; a Start for the session's 16 hex digit
# Acct-Session-Id with the gateway's NAS-Identifier and the Accept's
# Class); a declined card (rejected with the server's Reply-Message,
# still captive, then a good card on the same session); a slow server
# (temporary approval within about 2 s: provisional in the kernel with a
# deadline and a byte cap, passing; then the accept: the plan's grant; a
# slow reject closes the gate at once); a staff kick (one Stop,
# Admin-Reset, the store's octets and charge); a block during a
# temporary approval that the late accept must not undo; the server down
# while a session ends (unacked in wicketctl status, then delivered once
# when the server is back) and while a guest pays (the temporary approval
# stands); and wicketd killed with a Stop unsent (sent once after the
# restart, never twice). Interim-Updates: daemon-interim.sh.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../radius/lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "jq --version" jq
checktool "socat -V" socat
checktool "perl -v" perl
checktool "test -x /usr/sbin/freeradius -o -x /usr/sbin/radiusd" freeradius

nas=gw-vm-radius
load_wicket || exit 1
setup_gateway || exit 1
for n in 1 2 3 4; do add_guest "g$n" "$n" "02:00:00:00:0$n:0$n" || exit 1; done
radius_start -n "$upstream" -a 10.99.0.2 -c 10.99.0.1 || exit 1

wicketd_ports="r2 r3 r4"
wicketd_extra_config="[billing]
provisional_after = 1
provisional_minutes = 10
provisional_mb = 50

[radius]
server = 10.99.0.2:$radius_auth_port
accounting_server = 10.99.0.2:$radius_acct_port
secret_file = $radius_secret_file
nas_identifier = $nas
timeout = 2
retries = 2
interim = 0
dictionary = $WICKET_TOP/packaging/radius/dictionary.radcli"
wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 "$dir/wicket.db" "$1"; }
# submit MAC ACCOUNT SECRET: a guest pays by card, as the portal will send it.
submit() {
	control_request submit "$(jq -cn --arg mac "$1" --arg account "$2" --arg secret "$3" \
		'{mac: $mac, plan: "Card day", method: "remote", account: $account, secret: $secret}')"
}
state_is() { [ "$(sql "SELECT state FROM sessions WHERE id = $1")" = "$2" ]; }
kernel() { wnl client get "r$1" "02:00:00:00:0$1:0$1"; }
kstate_is() { [ "$(kernel "$1" | field state)" = "$2" ]; }
hex() { printf '%016x' "$1"; }
# Records of a session the server stored, of one type.
stored() { radius_sql "SELECT count(*) FROM wicket_acct WHERE nasidentifier = '$nas' AND acctsessionid = '$(hex "$1")' AND statustype = '$2'"; }
stored_is() { [ "$(stored "$1" "$2")" = "$3" ]; }
unacked() { ctl --json status | jq -r .accounting.unacked; }
unacked_is() { [ "$(unacked)" = "$1" ]; }
reason_of() { sql "SELECT reason FROM billing_requests WHERE session_id = $1 ORDER BY id DESC LIMIT 1"; }
traffic() { ip netns exec "$1" ping -q -n -c "$2" -i 0.05 -s 1000 10.99.0.2 > /dev/null; }
# The server's record of a session carries tok_4242's Class, "wicket-test-class".
has_class() {
	grep -q "^[[:space:]]*Class = 0x$(printf wicket-test-class | od -An -tx1 | tr -d ' \n')\$" <<< "$(radius_detail "$(hex "$1")" "$2")"
}
# How many of tok_slow's Access-Requests the server has answered, by its log.
slow_answers() { grep -c 'Login OK: \[tok_slow\]' "$radius_dir/radius.log"; }
slow_answers_are() { [ "$(slow_answers)" = "$1" ]; }
# The sender has tried a session's Stop, and failed.
stop_tried() { [ "$(sql "SELECT attempts > 0 AND acked_at IS NULL FROM outbox WHERE session_id = $1 AND kind = 'stop'")" = 1 ]; }
# The server's Stop for a session against the store's row: octets, packets, charge.
stop_matches() {
	local store server
	store=$(sql "SELECT up_bytes, down_bytes, up_packets, down_packets, charge FROM sessions WHERE id = $1")
	server=$(radius_sql "SELECT inputoctets, outputoctets, inputpackets, outputpackets, charge FROM wicket_acct WHERE nasidentifier = '$nas' AND acctsessionid = '$(hex "$1")' AND statustype = 'Stop'")
	echo "session $1: store $store, server $server"
	[ -n "$store" ] && [ "$store" = "$server" ]
}

for n in 1 2 3 4; do
	g=g$n
	ping_ok "${!g}" "10.0.$n.1"
	wait_until 3 kernel "$n" > /dev/null 2>&1
done

check "plan add: a day pass paid by card (remote)" \
	ctl plan add "Card day" --kind time --duration 24h --price 5 --currency EUR --methods remote

# 1. A card approved at once.
t0=$(now_ms)
out=$(submit 02:00:00:00:01:01 tok_4242 1234)
echo "$out"
s1=$(jq -r .result.session <<< "$out")
check "remote: the preference is taken (pending or active)" grep -qE '"state":"(pending|active)"' <<< "$out"
check "a fast server's accept: active" wait_until 10 state_is "$s1" active
echo "active after $(($(now_ms) - t0)) ms"
check "... never a temporary approval" \
	test "$(sql "SELECT count(*) FROM session_events WHERE session_id = $s1 AND event = 'provisional'")" = 0
check "... decided by the RADIUS server" \
	test "$(sql "SELECT decided_by FROM billing_requests WHERE session_id = $s1")" = radius
check "the kernel has it authorized" kstate_is 1 authorized
k=$(kernel 1)
echo "$k"
# tests/radius/users: tok_4242's Access-Accept has Session-Timeout 3600,
# which packaging/radius/README.md says wicket reads from the answer.
check "... no longer than the server's Session-Timeout (1 h) allows" test "$(field timeout_ms <<< "$k")" -le 3600000
check "approved: IPv4 passes" ping_ok "$g1" 10.99.0.2
check "the server stores a Start: Acct-Session-Id $(hex "$s1"), NAS-Identifier $nas" \
	wait_until 10 stored_is "$s1" Start 1
row=$(radius_sql "SELECT acctuniqueid, callingstationid, nasportid, plan, charge, currency, room FROM wicket_acct WHERE acctsessionid = '$(hex "$s1")' AND statustype = 'Start'")
echo "Start: $row"
check "... for the guest's MAC on r1, the plan, its price and the port's room, one session by the policy" \
	test "$row" = "$(printf '%s,%s' "$nas" "$(hex "$s1")" | md5sum | cut -d' ' -f1)|02-00-00-00-01-01|r1|Card day|500|EUR|101"
# packaging/radius/README.md, Accounting: User-Name is the guest's MAC
# (what it paid with, a card token, is never kept or reported).
check "... in the name of the guest's device, not of the card" \
	test "$(radius_sql "SELECT username FROM wicket_acct WHERE acctsessionid = '$(hex "$s1")' AND statustype = 'Start'")" = 02-00-00-00-01-01
radius_detail "$(hex "$s1")" Start
# RFC 2865 5.25, radius.h and the packaging README: the Class of the
# Access-Accept goes back unchanged in the session's accounting.
check "... with the Class of the server's Access-Accept" has_class "$s1" Start

# 2. Declined cards, then a good one on the same session.
out=$(submit 02:00:00:00:02:02 tok_echo 0000)
echo "$out"
s2=$(jq -r .result.session <<< "$out")
check "a declined card: rejected" wait_until 10 state_is "$s2" rejected
echo "reason: $(reason_of "$s2")"
check "... the Access-Request named the session as its accounting will, the gateway, the guest, its port and the plan" \
	grep -q "^Declined tok_echo session $(hex "$s2") at $nas for 02-00-00-00-02-02 on r2: Card day 500 EUR room" <<< "$(reason_of "$s2")"
# Wicket-Room: "the room charged (room charge), else the port's room" (dictionary.wicket).
check "... and Wicket-Room, the port's room" test "$(reason_of "$s2" | sed 's/.* room //')" = 102
out=$(submit 02:00:00:00:02:02 tok_0002 0000)
check "another declined card, same session" test "$(jq -r .result.session <<< "$out")" = "$s2"
check "... rejected" wait_until 10 state_is "$s2" rejected
check "... with the server's Reply-Message as the reason" \
	test "$(reason_of "$s2")" = "Card declined: insufficient funds"
check "rejected: the kernel keeps it captive" kstate_is 2 captive
check_fails "rejected: the guest stays out" ping_ok "$g2" 10.99.0.2
check "no Start for a declined card" stored_is "$s2" Start 0
out=$(submit 02:00:00:00:02:02 tok_4242 1234)
echo "$out"
check "another card on the same session" test "$(jq -r .result.session <<< "$out")" = "$s2"
check "... active" wait_until 10 state_is "$s2" active
check "... passes" ping_ok "$g2" 10.99.0.2
check "... and its Start reaches the server" wait_until 10 stored_is "$s2" Start 1

# 3. A slow server: a temporary approval, then the answer.
t0=$(now_ms)
out=$(submit 02:00:00:00:03:03 tok_slow 1234)
echo "$out"
s3=$(jq -r .result.session <<< "$out")
wait_until 10 state_is "$s3" provisional
t=$(($(now_ms) - t0))
check "a slow server: a temporary approval within about 2 s ($t ms)" test "$t" -le 3000
k=$(kernel 3)
echo "$k"
check "... the kernel has it provisional" test "$(field state <<< "$k")" = provisional
check "... the store has the temporary approval" \
	test "$(sql "SELECT count(*) FROM session_events WHERE session_id = $s3 AND event = 'provisional'")" = 1
check "... with the temporary deadline (10 min)" \
	test "$(field timeout_ms <<< "$k")" -gt 0 -a "$(field timeout_ms <<< "$k")" -le 600000
check "... and the temporary byte cap (50 MB)" test "$(field cap <<< "$k")" = 50000000
check "temporary approval: the guest passes" ping_ok "$g3" 10.99.0.2
check "the server's accept arrives: active" wait_until 10 state_is "$s3" active
t=$(($(now_ms) - t0))
check "... after the server's 4 s ($t ms)" test "$t" -ge 3500
k=$(kernel 3)
echo "$k"
check "... the kernel has it authorized" test "$(field state <<< "$k")" = authorized
check "... for the plan's day" test "$(field timeout_ms <<< "$k")" -gt 86000000
check "... without the temporary cap" grep -qE '^(-|0)$' <<< "$(field cap <<< "$k")"
check "... passes" ping_ok "$g3" 10.99.0.2

out=$(submit 02:00:00:00:04:04 tok_slow_declined 0000)
echo "$out"
s4=$(jq -r .result.session <<< "$out")
check "a slow decline: first a temporary approval" wait_until 3 state_is "$s4" provisional
check "... the guest passes meanwhile" ping_ok "$g4" 10.99.0.2
check "then the server's reject: rejected" wait_until 10 state_is "$s4" rejected
check "... the kernel closes the gate at once" wait_until 1 kstate_is 4 captive
check_fails "... the guest is cut" ping_ok "$g4" 10.99.0.2
check "... with the server's Reply-Message as the reason" \
	test "$(reason_of "$s4")" = "Card declined after a wait"

# 4. Staff end a session: one Stop with the store's totals.
traffic "$g1" 20
check "wicketctl kick" ctl kick 02:00:00:00:01:01
check "the server stores a Stop" wait_until 10 stored_is "$s1" Stop 1
check "... Acct-Terminate-Cause Admin-Reset" \
	test "$(radius_sql "SELECT terminatecause FROM wicket_acct WHERE acctsessionid = '$(hex "$s1")' AND statustype = 'Stop'")" = Admin-Reset
check "... octets, packets and Wicket-Charge as the store has them" stop_matches "$s1"
check "... and the Class of the Access-Accept" has_class "$s1" Stop
check "... the guest's 20 kB each way counted" \
	test "$(sql "SELECT min(up_bytes, down_bytes) FROM sessions WHERE id = $s1")" -ge 20560
check "... sent once" test "$(radius_arrivals "$(hex "$s1")" Stop)" = 1
check "... and acknowledged" wait_until 5 unacked_is 0

# A temporary approval that staff end stays ended when the server's
# accept comes afterwards: a blocked guest stays out.
n=$(slow_answers)
out=$(submit 02:00:00:00:01:01 tok_slow 1234)
echo "$out"
s5=$(jq -r .result.session <<< "$out")
check "a new session, a slow server: a temporary approval" wait_until 3 state_is "$s5" provisional
check "... passes" ping_ok "$g1" 10.99.0.2
check "staff block the guest meanwhile" ctl block 02:00:00:00:01:01
check "... the kernel blocks it" kstate_is 1 blocked
check "the server's accept comes afterwards" wait_until 10 slow_answers_are $((n + 1))
sleep 1
kernel 1
check "... the block holds in the kernel" kstate_is 1 blocked
check_fails "... the blocked guest stays out" ping_ok "$g1" 10.99.0.2
check "... the session stays ended by the block" \
	test "$(sql "SELECT state, end_reason FROM sessions WHERE id = $s5")" = "ended|block"
sleep 1
check "... and the server has no Start without its Stop" test "$(stored "$s5" Start)" = "$(stored "$s5" Stop)"
check "... and its payment no longer waits in wicketctl pending" \
	test "$(ctl --json pending | jq "[.[] | select(.session == $s5)] | length")" = 0

# 5. The server is down when a session ends: the Stop waits, then goes once.
radius_stop
traffic "$g3" 10
check "server down: kick" ctl kick 02:00:00:00:03:03
# Meanwhile a guest pays by card: nobody answers. packaging/radius/README.md:
# "A server that does not answer within timeout x (1 + retries) leaves the
# guest on the temporary approval of [billing]" (here 2 s x 3).
t4=$(now_ms)
out=$(submit 02:00:00:00:04:04 tok_4242 1234)
echo "$out"
check "server down: a card payment gets a temporary approval" wait_until 3 state_is "$s4" provisional
status=$(ctl --json status)
echo "$status" | jq -c .accounting
check "wicketctl status: the Stop is unacknowledged" test "$(jq .accounting.unacked <<< "$status")" -ge 1
check "... and the sender has failed to deliver it" wait_until 15 stop_tried "$s3"
check "... still unacknowledged" test "$(unacked)" -ge 1
while [ "$(now_ms)" -lt $((t4 + 8000)) ]; do sleep 0.2; done
check "no answer within timeout x (1 + retries): the temporary approval stands" state_is "$s4" provisional
check "... in the kernel" kstate_is 4 provisional
check "... the guest passes" ping_ok "$g4" 10.99.0.2
radius_start || exit 1
t0=$(now_ms)
check "server back: everything acknowledged within 20 s" wait_until 20 unacked_is 0
echo "acknowledged after $(($(now_ms) - t0)) ms"
check "... the server has the Stop once" stored_is "$s3" Stop 1
check "... it arrived once" test "$(radius_arrivals "$(hex "$s3")" Stop)" = 1
check "... with the store's totals" stop_matches "$s3"

# 6. wicketd killed with a Stop unsent: sent once after the restart.
radius_stop
traffic "$g2" 10
check "server down: kick" ctl kick 02:00:00:00:02:02
check "the Stop is in the outbox, unacknowledged" \
	test "$(sql "SELECT count(*) FROM outbox WHERE session_id = $s2 AND kind = 'stop' AND acked_at IS NULL")" = 1
sleep 1
kill -9 "$wicketd_pid"
wait "$wicketd_pid" 2> /dev/null
check "wicketd is back after SIGKILL" wicketd_start
radius_start || exit 1
check "... everything acknowledged within 20 s" wait_until 20 unacked_is 0
check "the server has the Stop once" stored_is "$s2" Stop 1
check "... with the store's totals" stop_matches "$s2"
sleep 3
check "... it arrived once, not again after the restart" test "$(radius_arrivals "$(hex "$s2")" Stop)" = 1
check "... and the Start was not sent again" test "$(radius_arrivals "$(hex "$s2")" Start)" = 1

# Everything the gateway queued, the server has, once.
check "the server holds exactly the gateway's records" \
	test "$(radius_sql "SELECT count(*) FROM wicket_acct WHERE nasidentifier = '$nas'")" = "$(sql 'SELECT count(*) FROM outbox WHERE acked_at IS NOT NULL')"
check "every record reached it once" \
	test "$(grep -c '^[[:space:]]*Acct-Status-Type = ' "$radius_dir/detail")" = "$(sql 'SELECT count(*) FROM outbox')"
check "the store is sound" test "$(sql 'PRAGMA integrity_check')" = ok
check "the daemon lives on" kill -0 "$wicketd_pid"
ctl sessions
cat "$dir/log"
[ "$lib_failures" = 0 ] || radius_log | tail -40
lib_exit
