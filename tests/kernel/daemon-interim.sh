#!/bin/bash
# Interim-Updates through wicketd with the real module and a real
# FreeRADIUS 3 (tests/radius/lib.sh) on the WAN side, as in
# daemon-radius.sh: with [radius] interim = 60 (the least allowed), a
# session approved by the server gets an Interim-Update within about
# 100 s (the counter sweep runs every 30 s) carrying the octets the
# guest sent and received, as the store has them; the kernel's counters
# read and reset by that sweep are not lost: the Stop after more traffic
# carries the store's totals, the interim's octets and the later ones.
# Meanwhile a second guest on a plan with a 30 s idle timeout sends
# nothing and is ended as idle by the same sweep.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../radius/lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "jq --version" jq
checktool "socat -V" socat
checktool "perl -v" perl
checktool "test -x /usr/sbin/freeradius -o -x /usr/sbin/radiusd" freeradius

nas=gw-vm-interim
mac=02:00:00:00:01:01
load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 $mac || exit 1
add_guest quiet 2 02:00:00:00:02:02 || exit 1
radius_start -n "$upstream" -a 10.99.0.2 -c 10.99.0.1 || exit 1
wicketd_extra_config="[radius]
server = 10.99.0.2:$radius_auth_port
accounting_server = 10.99.0.2:$radius_acct_port
secret_file = $radius_secret_file
nas_identifier = $nas
interim = 60
dictionary = $WICKET_TOP/packaging/radius/dictionary.radcli"
wicketd_ports=r2 wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 "$dir/wicket.db" "$1"; }
hex() { printf '%016x' "$1"; }
state_is() { [ "$(sql "SELECT state FROM sessions WHERE id = $1")" = "$2" ]; }
# The server's records of the session: COLUMNS of TYPE, oldest first.
records() { radius_sql "SELECT $2 FROM wicket_acct WHERE nasidentifier = '$nas' AND acctsessionid = '$(hex "$session")' AND statustype = '$1' ORDER BY eventtime"; }
has_record() { [ -n "$(records "$1" id)" ]; }
traffic() { ip netns exec "$guest" ping -q -n -c "$1" -i 0.05 -s 1000 10.99.0.2 > /dev/null; }

ping_ok "$guest" 10.0.1.1
wait_until 3 wnl client get r1 $mac > /dev/null 2>&1
ctl plan add "Card day" --kind time --duration 24h --price 5 --currency EUR --methods remote > /dev/null || exit 1
out=$(control_request submit "{\"mac\": \"$mac\", \"plan\": \"Card day\", \"method\": \"remote\", \"account\": \"tok_4242\", \"secret\": \"1234\"}")
echo "$out"
session=$(jq -r .result.session <<< "$out")
check "a card approved by the server: active" wait_until 10 state_is "$session" active
check "... its Start reaches the server" wait_until 10 has_record Start
ping_ok "$quiet" 10.0.2.1
wait_until 3 wnl client get r2 02:00:00:00:02:02 > /dev/null 2>&1
ctl plan add "Quiet" --kind time --duration 1h --price 1 --currency EUR --idle 30s --methods voucher > /dev/null || exit 1
code=$(ctl vouchers create --plan Quiet --count 1 --csv | sed -n 2p | cut -d, -f1)
out=$(control_request submit "{\"mac\": \"02:00:00:00:02:02\", \"plan\": \"Quiet\", \"method\": \"voucher\", \"voucher\": \"$code\"}")
quiet_session=$(jq -r .result.session <<< "$out")
check "the quiet guest is approved" ping_ok "$quiet" 10.99.0.2
t0=$(now_ms)
traffic 20
check "the guest's traffic passes" ping_ok "$guest" 10.99.0.2

check "an Interim-Update reaches the server within 100 s" wait_until 100 has_record Interim-Update
echo "after $((($(now_ms) - t0) / 1000)) s"
interim=$(records Interim-Update "inputoctets, outputoctets, inputpackets, outputpackets" | head -1)
store=$(sql "SELECT up_bytes, down_bytes, up_packets, down_packets FROM sessions WHERE id = $session")
echo "interim: $interim, store: $store"
check "... with octets, both ways" test "$(cut -d'|' -f1 <<< "$interim")" -gt 20000 -a "$(cut -d'|' -f2 <<< "$interim")" -gt 20000
check "... the store's counters at that time" test "$interim" = "$store"
check "... the session's time, charge and plan" \
	test "$(records Interim-Update "sessiontime > 0, charge, currency, plan" | head -1)" = "1|500|EUR|Card day"
check "... and the server took it once" test "$(radius_arrivals "$(hex "$session")" Interim-Update)" = "$(records Interim-Update id | wc -l)"

check "the quiet guest, idle for 30 s, was ended as idle by a sweep" \
	wait_until 40 eval '[ "$(sql "SELECT end_reason FROM sessions WHERE id = $quiet_session")" = idle ]'
check_fails "... and is out" ping_ok "$quiet" 10.99.0.2

traffic 10
check "wicketctl kick" ctl kick $mac
check "the Stop reaches the server" wait_until 10 has_record Stop
stop=$(records Stop "inputoctets, outputoctets, inputpackets, outputpackets")
store=$(sql "SELECT up_bytes, down_bytes, up_packets, down_packets FROM sessions WHERE id = $session")
echo "stop: $stop, store: $store"
check "... with the store's totals" test "$stop" = "$store"
check "... the interim's octets and the 10 kB sent since" \
	test "$(cut -d'|' -f1 <<< "$stop")" -ge $(($(cut -d'|' -f1 <<< "$interim") + 10280)) -a \
	"$(cut -d'|' -f2 <<< "$stop")" -ge $(($(cut -d'|' -f2 <<< "$interim") + 10280))
check "every Interim-Update the gateway queued was delivered" \
	test "$(sql "SELECT count(*) FROM outbox WHERE session_id = $session AND kind = 'interim' AND acked_at IS NOT NULL")" = "$(records Interim-Update id | wc -l)"
check "the store is sound" test "$(sql 'PRAGMA integrity_check')" = ok
check "the daemon lives on" kill -0 "$wicketd_pid"
cat "$dir/log"
[ "$lib_failures" = 0 ] || radius_log | tail -40
lib_exit
