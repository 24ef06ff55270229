#!/bin/bash
# Departed guests are forgotten ([gateway] forget_after): a guest with no
# session, not blocked, that has sent nothing for that long leaves the
# kernel's table at the next counter sweep, and its addresses are released
# in the store. Without it the table fills with every device that ever
# passed (towards max_clients: then nobody new is seen), and a DHCP
# address given to the next device stays bound to the old one, which
# keeps the new one from being a guest at all.
#
# Six guests, each on its own port; forget_after is 10 s, and a sweep
# runs every 5 s ([gateway] sweep_interval; the first 5 s after wicketd's
# start): the two silent ones are gone within 20 s, not at 30 s as with the
# default interval.
#   leaver   r1  learnt, then silent: forgotten; comes back straight to
#                the portal's API (HTTPS to the gateway, which the gate
#                never sees) and logs in by voucher
#   recycled r2  learnt, then silent: forgotten; a new device (another
#                MAC) gets its address and logs in with it
#   talker   r3  captive, keeps sending (dropped at the gate): stays
#   paid     r4  a staff comp, silent: stays, and passes
#   blocked  r5  blocked by staff, silent: stays, and stays out
#   waiting  r6  asked for the clerk's approval, silent meanwhile (its
#                browser talks only to the portal): has not departed,
#                stays with its addresses, and passes once approved
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "jq --version" jq
checktool "socat -V" socat

load_wicket || exit 1
setup_gateway || exit 1
for n in 1 2 3 4 5 6; do add_guest "g$n" "$n" || exit 1; done
wicketd_ports="r2 r3 r4 r5 r6" wicketd_gateway_extra="forget_after = 10
sweep_interval = 5"
wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 -cmd '.timeout 5000' "$dir/wicket.db" "$1"; }
entry() { wnl client get "r$1" "$2" 2> /dev/null; }
declare -a mac
for n in 1 2 3 4 5 6; do
	ns=g$n
	mac[n]=$(mac_of "${!ns}" eth0)
done

ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher,staff > /dev/null || exit 1

# Each is learnt from its first packets (with its address). Guests 4 to 6
# keep sending until staff have dealt with them: with a sweep every 5 s,
# a slow moment of the host must not see them forgotten before that.
pings=()
for n in 1 2 3 4 5 6; do ns=g$n; ping_ok "${!ns}" 10.0.$n.1 & pings+=($!); done
wait "${pings[@]}"
# The talker keeps trying the internet, as a captive device does.
ip netns exec "$g3" ping -q -n -i 2 -W 1 10.99.0.2 > /dev/null 2>&1 &
talker=$!
on_exit "kill $talker"
busy=()
for n in 4 5 6; do ns=g$n; ip netns exec "${!ns}" ping -q -n -i 1 -W 1 10.99.0.2 > /dev/null 2>&1 & busy+=($!); done
learnt() { local n; for n in 1 2 3 4 5 6; do grep -q "10.0.$n.2" <<< "$(entry "$n" "${mac[n]}")" || return 1; done; }
wait_until 10 learnt || { echo "wicketd did not learn the guests"; wnl client list; exit 1; }
ctl allow "${mac[4]}" --minutes 30 > /dev/null || exit 1
ctl block "${mac[5]}" > /dev/null || exit 1
waiting=$(control_request submit "{\"mac\": \"${mac[6]}\", \"plan\": \"Hour\", \"method\": \"staff\"}")
[ "$(jq -r .result.state <<< "$waiting")" = pending ] || { echo "the clerk's request: $waiting"; exit 1; }
kill "${busy[@]}"
wait "${busy[@]}" 2> /dev/null
mapfile -t codes < <(ctl vouchers create --plan Hour --count 2 --csv | tail -n +2 | cut -d, -f1)
[ "${#codes[@]}" = 2 ] || { echo "vouchers not made"; exit 1; }

forgot() { grep -q 'forgot 2 departed guests, quiet for 10 s or more (4 addresses released)' "$dir/log"; }
wait_until 20 forgot
grep -E 'forg' "$dir/log"
check "a sweep within 20 s forgot the two silent captive guests, and released their addresses" forgot
check "... the leaver's entry left the kernel's table" test -z "$(entry 1 "${mac[1]}")"
check "... so did the recycled one's" test -z "$(entry 2 "${mac[2]}")"
# Their addresses: IPv4, and the IPv6 link-local ones their neighbour entries showed.
of_12="(SELECT id FROM clients WHERE port IN ('r1', 'r2'))"
released() {
	test "$(sql "SELECT count(*) FROM client_addrs WHERE client_id IN $of_12 AND bound = 1")" = 0 -a \
		"$(sql "SELECT count(*) FROM client_addrs WHERE client_id IN $of_12 AND bound = 0")" = 4 -a \
		"$(sql "SELECT count(*) FROM client_addrs WHERE addr IN ('10.0.1.2', '10.0.2.2') AND bound = 0")" = 2
}
check "... both stay in the store's history, none of their 4 addresses bound any more" released
released || sql "SELECT c.port, a.* FROM client_addrs a JOIN clients c ON c.id = a.client_id"
check "the talker, captive and still sending, is not forgotten" grep -q 'state=captive' <<< "$(entry 3 "${mac[3]}")"
check "the paid guest, silent, is not forgotten" grep -q 'state=authorized' <<< "$(entry 4 "${mac[4]}")"
check "... and passes" ping_ok "$g4" 10.99.0.2
check "the blocked guest, silent, is not forgotten" grep -q 'state=blocked' <<< "$(entry 5 "${mac[5]}")"
check_fails "... and stays out" ping_ok "$g5" 10.99.0.2
check "... and keeps its address in the store" \
	test "$(sql "SELECT count(*) FROM client_addrs WHERE addr = '10.0.5.2' AND bound = 1")" = 1
check "the guest waiting for the clerk, silent, is not forgotten" grep -q 'state=captive' <<< "$(entry 6 "${mac[6]}")"
check "... and keeps its address in the store" \
	test "$(sql "SELECT count(*) FROM client_addrs WHERE addr = '10.0.6.2' AND bound = 1")" = 1
id=$(ctl --json pending | jq -r '.[0].id')
check "... the clerk approves it" ctl approve "$id"
check "... and it passes" ping_ok "$g6" 10.99.0.2
check "the metrics count them (clients_forgotten 2)" \
	test "$(control_request metrics '{}' | jq .result.clients_forgotten)" = 2

# login G N CODE: guest N logs in by voucher through the client API; prints the session's state.
login() {
	local ns=g$1 body
	body=$(ip netns exec "${!ns}" curl -sS -k --max-time 10 https://10.0.1.1:8443/api/v1/login \
		-H 'Content-Type: application/json' --data "{\"plan\":\"Hour\",\"method\":\"voucher\",\"voucher\":\"$2\"}")
	[[ $body =~ \"state\":\ ?\"([a-z]+)\" ]] && echo "${BASH_REMATCH[1]}" || echo "$body"
}
# The leaver comes back, straight to the API: the gate sees none of it.
check "the leaver, back, logs in through the API at once (active)" test "$(login 1 "${codes[0]}")" = active
e=$(entry 1 "${mac[1]}")
check "... its entry is back, authorized" grep -q "state=authorized" <<< "$e"
check "... with its address" grep -q "10.0.1.2" <<< "$e"
check "... and it passes" ping_ok "$g1" 10.99.0.2

# A new device is given the recycled address: another MAC, an empty ARP cache.
newmac=02:00:00:00:2e:02
ip -n "$g2" link set eth0 address "$newmac" && ip -n "$g2" neigh flush all || exit 1
ping_ok "$g2" 10.99.0.2
check "the new device with the recycled address logs in (active)" test "$(login 2 "${codes[1]}")" = active
check "... its session is its own (its MAC's), not the old device's" \
	test "$(sql "SELECT c.mac FROM sessions s JOIN clients c ON c.id = s.client_id
		WHERE s.state = 'active' AND c.port = 'r2'")" = "$newmac"
check "... the address is bound to it" \
	test "$(sql "SELECT c.mac FROM client_addrs a JOIN clients c ON c.id = a.client_id
		WHERE a.addr = '10.0.2.2' AND a.bound = 1")" = "$newmac"
check "... and it passes" ping_ok "$g2" 10.99.0.2
check "wicketd lives on" kill -0 "$wicketd_pid"
lib_exit
