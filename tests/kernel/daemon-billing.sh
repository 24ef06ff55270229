#!/bin/bash
# Billing through wicketd with the real module: plans offered per port,
# vouchers (a wrong code rejected, then the right one on the same session;
# a voucher's devices limit), room charges against an imported guest
# list, a clerk's approval from `wicketctl pending`, a plan not offered on
# the guest's port refused, metered charges from the kernel's counters,
# and the revenue report; every approval in the store before the gate
# opens, with an accounting Start queued in the outbox, and a Stop queued
# when the session ends.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "jq --version" jq

load_wicket || exit 1
setup_gateway || exit 1
add_guest g1 1 02:00:00:00:01:01 || exit 1
add_guest g2 2 02:00:00:00:02:02 || exit 1
add_guest g3 3 02:00:00:00:03:03 || exit 1
wicketd_ports="r2 r3" wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 "$dir/wicket.db" "$1"; }
# A guest's billing preference, as the portal will send it: submit MAC PLAN METHOD [KEY VALUE]...
submit() {
	local args
	args=$(jq -cn --arg mac "$1" --arg plan "$2" --arg method "$3" '{mac: $mac, plan: $plan, method: $method}')
	shift 3
	while [ $# -ge 2 ]; do
		args=$(jq -c --arg k "$1" --arg v "$2" '. + {($k): $v}' <<< "$args")
		shift 2
	done
	control_request submit "$args"
}
state_of() { jq -r '.result.state // .error' <<< "$1"; }

for g in g1 g2 g3; do ping_ok "${!g}" "10.0.${g#g}.1"; done
# Each guest known to the kernel on its port (r1..r3) before it pays.
for n in 1 2 3; do wait_until 10 wnl client get "r$n" "02:00:00:00:0$n:0$n" > /dev/null 2>&1; done

check "plan add: a day pass by voucher, room or clerk" \
	ctl plan add "Day pass" --kind time --duration 24h --price 5 --currency EUR --methods voucher,room,staff
check "plan add: metered by the MB, room charge" \
	ctl plan add "Metered" --kind time --duration 2h --price 0.50 --per-mb 0.10 --currency EUR --methods room
check "plan add: a free lobby plan on r3 only" \
	ctl plan add "Lobby" --kind free --duration 30m --price 0 --currency EUR --methods free --port r3
ctl plans
check "wicketctl plans lists three" test "$(ctl --json plans | jq length)" = 3

vouchers=$(ctl vouchers create --plan "Day pass" --count 2 --devices 1 --csv)
echo "$vouchers"
code1=$(sed -n 2p <<< "$vouchers" | cut -d, -f1)
code2=$(sed -n 3p <<< "$vouchers" | cut -d, -f1)
check "two voucher codes, different" test -n "$code1" -a -n "$code2" -a "$code1" != "$code2"
printf 'room,surname,departure\n102,Smith,2099-01-01\n' > "$dir/guests.csv"
check "guests import" ctl guests import "$dir/guests.csv"

# Voucher: a wrong code is an answer, and the same session tries again.
out=$(submit 02:00:00:00:01:01 "Day pass" voucher voucher NOPE-NOPE-1)
echo "$out"
check "a wrong voucher is rejected, with a reason for the guest" \
	test "$(state_of "$out")/$(jq -r .result.reason <<< "$out")" = "rejected/unknown voucher code: check it, or ask the front desk"
check_fails "rejected: still captive" ping_ok "$g1" 10.99.0.2
session1=$(jq -r .result.session <<< "$out")
out=$(submit 02:00:00:00:01:01 "Day pass" voucher voucher "$(tr A-Z a-z <<< "$code1" | sed 's/./&-/5')")
echo "$out"
check "the right voucher, typed in lower case with a hyphen: active" test "$(state_of "$out")" = active
check "... on the same session" test "$(jq -r .result.session <<< "$out")" = "$session1"
check "approved: IPv4 passes" ping_ok "$g1" 10.99.0.2
check "the session's plan, method and charge are in the store" \
	test "$(sql "SELECT s.method, s.charge, s.currency, p.name FROM sessions s JOIN plans p ON p.id = s.plan_id WHERE s.id = $session1")" = "voucher|500|EUR|Day pass"
check "an accounting Start is queued" test "$(sql "SELECT count(*) FROM outbox WHERE session_id = $session1 AND kind = 'start'")" = 1
check "the kernel's deadline is the plan's day" \
	test "$(wnl client get r1 02:00:00:00:01:01 | sed -n 's/.* timeout_ms=\([0-9]*\).*/\1/p')" -gt 86000000
out=$(submit 02:00:00:00:01:01 "Day pass" voucher voucher "$code2")
check "a connected device is told so" grep -q "connected already" <<< "$out"

# A voucher for one device does not let a second one in.
out=$(submit 02:00:00:00:02:02 "Day pass" voucher voucher "$code1")
check "a one-device voucher used elsewhere is rejected" grep -q "as many devices as it allows" <<< "$out"

# Room charge: the guest list decides; then metered charges.
out=$(submit 02:00:00:00:02:02 Metered room room 102 surname Jones)
check "a surname not on the room's list is rejected" test "$(state_of "$out")" = rejected
out=$(submit 02:00:00:00:02:02 Metered room room 102 surname "  smith ")
check "the right room and surname, in any case: active" test "$(state_of "$out")" = active
session2=$(jq -r .result.session <<< "$out")
check "metered: passes" ping_ok "$g2" 10.99.0.2
ip netns exec "$g2" ping -q -n -c 25 -i 0.02 -s 60000 10.99.0.2 > /dev/null
check "wicketctl kick ends it" ctl kick 02:00:00:00:02:02
row=$(sql "SELECT up_bytes + down_bytes, charge, room FROM sessions WHERE id = $session2")
bytes=${row%%|*}
echo "session 2: $row"
check "metered charge: 0.50 + 0.10 per started MB of the kernel's bytes" \
	test "$(cut -d'|' -f2 <<< "$row")" = $((50 + 10 * ((bytes + 999999) / 1000000)))
check "... at least 3 MB were counted" test "$bytes" -gt 3000000
check "... charged to room 102" test "$(cut -d'|' -f3 <<< "$row")" = 102
check "the session's Stop is queued with its totals" \
	test "$(sql "SELECT kind, terminate_cause, charge FROM outbox WHERE session_id = $session2 ORDER BY id DESC LIMIT 1")" = "stop|kick|$(cut -d'|' -f2 <<< "$row")"

# A clerk approves.
out=$(submit 02:00:00:00:03:03 "Day pass" staff)
check "staff method: pending" test "$(state_of "$out")" = pending
check_fails "pending: captive" ping_ok "$g3" 10.99.0.2
pending=$(ctl --json pending)
echo "$pending"
id=$(jq -r '.[0].id' <<< "$pending")
check "wicketctl pending lists it, with the guest's MAC" test "$(jq -r '.[0].mac' <<< "$pending")" = 02:00:00:00:03:03
check "wicketctl approve" ctl approve "$id"
check "approved by the clerk: passes" ping_ok "$g3" 10.99.0.2
check_error "a request decided already is said so" "decided already" ctl approve "$id"

# Offers follow ports.
out=$(submit 02:00:00:00:01:01 Lobby free)
check "a plan not offered on the guest's port is refused" grep -q "is offered here" <<< "$out"
check "the lobby's free plan is offered on r3" \
	test "$(sql "SELECT count(*) FROM plan_offers o JOIN plans p ON p.id = o.plan_id WHERE p.name = 'Lobby' AND o.port = 'r3'")" = 1

report=$(ctl --json report --from 2000-01-01 --by room)
echo "$report"
check "the report charges room 102 what session 2 cost" \
	test "$(jq -r '.[] | select(.key == "102") | .charge' <<< "$report")" = "$(cut -d'|' -f2 <<< "$row")"
ctl sessions
check "the store is sound" test "$(sql 'PRAGMA integrity_check')" = ok
check "the daemon lives on" kill -0 "$wicketd_pid"
cat "$dir/log"
lib_exit
