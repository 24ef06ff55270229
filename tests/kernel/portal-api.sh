#!/bin/bash
# The portal's APIs with the real module and wicketd, spoken with curl
# from guest namespaces: captive web traffic redirected to the page over
# HTTPS (self-signed, its fingerprint in wicketctl status), RFC 8908's
# /api/captive before and after payment, the network settings, the port's
# plans, login by voucher with a token and a keepalive key, status,
# logout; a token used from another device, a cross-site POST and a form
# POST refused; the portal closed to the WAN.
. "$(dirname "$0")/../lib.sh"
checktool "curl --version" curl
checktool "jq --version" jq

load_wicket || exit 1
setup_gateway || exit 1
add_guest g1 1 02:00:00:00:01:01 || exit 1
add_guest g2 2 02:00:00:00:02:02 || exit 1
wicketd_ports="r2" wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
portal=https://10.0.1.1:8443
# curl as a guest: g1 or g2, then curl's arguments.
gcurl() { local ns=${!1}; shift; ip netns exec "$ns" curl -sS -k --max-time 10 "$@"; }
api() { gcurl "$1" "$portal$2" "${@:3}"; }
post() { gcurl "$1" "$portal$2" -H 'Content-Type: application/json' --data "$3" "${@:4}"; }

ping_ok "$g1" 10.0.1.1
ping_ok "$g2" 10.0.2.1
ctl plan add "Day pass" --kind time --duration 24h --price 5 --currency EUR --methods voucher > /dev/null || exit 1
codes=$(ctl vouchers create --plan "Day pass" --count 2 --csv)
code=$(sed -n 2p <<< "$codes" | cut -d, -f1)
code2=$(sed -n 3p <<< "$codes" | cut -d, -f1)

# A captive guest's web request to anywhere lands on the portal.
headers=$(gcurl g1 -o /dev/null -D - http://10.99.0.2/generate_204)
echo "$headers"
check "captive HTTP is redirected to the HTTPS portal page" \
	grep -qi "^location: $portal/" <<< "$headers"
check "... with a 302" grep -q "^HTTP/1.1 302" <<< "$headers"
page=$(api g1 /)
check "the page is served" grep -qi "<html" <<< "$page"

fp=$(ip netns exec "$g1" openssl s_client -connect 10.0.1.1:8443 < /dev/null 2> /dev/null |
	openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
check "the certificate the guest sees is the one wicketctl status names" \
	test -n "$fp" -a "$fp" = "$(ctl --json status | jq -r .portal.fingerprint)"

captive=$(api g1 /api/captive -D "$dir/h")
echo "$captive"
check "RFC 8908: captive, with the portal's URL" \
	test "$(jq -r '.captive, ."user-portal-url"' <<< "$captive" | tr '\n' ' ')" = "true $portal/ "
check "RFC 8908: served as application/captive+json" grep -qi "^content-type: application/captive+json" "$dir/h"
net=$(api g1 /api/v1/network)
echo "$net"
check "network settings: DHCP, the port's gateway and DNS, no proxy" \
	test "$(jq -r '.ipv4.method, .ipv4.gateway, .ipv4.dns[0], .proxy' <<< "$net" | tr '\n' ' ')" = "dhcp 10.0.1.1 10.0.1.1 none "
plans=$(api g1 /api/v1/plans)
check "the port's plans, with prices" test "$(jq -r '.[0].name, .[0].price, .[0].currency' <<< "$plans" | tr '\n' ' ')" = "Day pass 500 EUR "

# CSRF and shape checks change nothing.
out=$(gcurl g1 "$portal/api/v1/login" --data "plan=Day+pass&method=voucher&voucher=$code")
check "a form POST is refused (415)" grep -q "application/json" <<< "$out"
out=$(post g1 /api/v1/login "{\"plan\":\"Day pass\",\"method\":\"voucher\",\"voucher\":\"$code\"}" -H "Origin: https://evil.example")
check "a cross-site POST is refused" grep -q "portal's own page" <<< "$out"
out=$(post g1 /api/v1/login '{"plan": "Day pass", "method": "voucher", ')
check "malformed JSON gets an error" grep -q '"error"' <<< "$out"
check_fails "none of that let the guest in" ping_ok "$g1" 10.99.0.2

login=$(post g1 /api/v1/login "{\"plan\":\"Day pass\",\"method\":\"voucher\",\"voucher\":\"$code\"}" -D "$dir/h")
echo "$login"
token=$(jq -r .token <<< "$login")
session=$(jq -r .session <<< "$login")
check "login by voucher: active" test "$(jq -r .state <<< "$login")" = active
check "... a 64-hex-digit token, also as a secure cookie" \
	grep -qiE "^set-cookie: wicket_token=$token; Path=/; Secure; HttpOnly; SameSite=Strict" "$dir/h"
check "... and the session's keepalive key, the one the gateway verifies" \
	test "$(jq -r .keepalive.key <<< "$login")" = "$(wicket-ka key "$dir/keepalive.key" "$session")"
check "the guest passes" ping_ok "$g1" 10.99.0.2
captive=$(api g1 /api/captive)
check "RFC 8908: not captive, with seconds remaining" \
	test "$(jq -r .captive <<< "$captive")" = false -a "$(jq -r '."seconds-remaining"' <<< "$captive")" -gt 86000
check "RFC 8908: the session can be extended" test "$(jq -r '."can-extend-session"' <<< "$captive")" = true
status=$(api g1 /api/v1/status -H "Authorization: Bearer $token")
echo "$status"
check "status: active, the plan, the charge" \
	test "$(jq -r '.state, .plan, .charge, .currency' <<< "$status" | tr '\n' ' ')" = "active Day pass 500 EUR "

# Another day on the same session, with a second voucher.
out=$(post g1 /api/v1/extend "{\"method\":\"voucher\",\"voucher\":\"$code2\"}" -H "Authorization: Bearer $token")
echo "$out"
check "extend: two days left, charged twice" \
	test "$(jq -r '.seconds_remaining > 172000, .charge' <<< "$out" | tr '\n' ' ')" = "true 1000 "
check "... and the kernel's deadline moved too" \
	test "$(wnl client get r1 02:00:00:00:01:01 | sed -n 's/.* timeout_ms=\([0-9]*\).*/\1/p')" -gt 172000000
out=$(post g1 /api/v1/extend "{\"method\":\"voucher\",\"voucher\":\"$code2\"}" -H "Authorization: Bearer $token")
check "a used voucher does not extend again: the session goes on as it was" \
	test "$(jq -r .state <<< "$out")" = active -a "$(jq -r .charge <<< "$out")" = 1000

out=$(api g2 /api/v1/status -H "Authorization: Bearer $token")
check "the token from another device is refused" grep -q "another device" <<< "$out"
out=$(post g2 /api/v1/logout '{}' -H "Authorization: Bearer $token")
check "... also for logout" grep -q "another device" <<< "$out"
check "... and g1 still passes" ping_ok "$g1" 10.99.0.2

out=$(post g1 /api/v1/logout '{}' -H "Authorization: Bearer $token")
echo "$out"
check "logout: ended" test "$(jq -r .state <<< "$out")" = ended
check_fails "logged out: cut" ping_ok "$g1" 10.99.0.2
check "the store says logout" test "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions WHERE id = $session")" = logout

# The WAN side never reaches the portal, even with a route to its address.
ip -n "$upstream" route add 10.0.1.0/24 via 10.99.0.1 2> /dev/null
check "the WAN reaches the gateway's portal address (so the next checks mean something)" \
	ip netns exec "$upstream" ping -c 1 -W 2 10.0.1.1
check_fails "the portal is closed to the WAN (HTTPS)" \
	ip netns exec "$upstream" curl -sS -k --max-time 3 -o /dev/null https://10.0.1.1:8443/
check_fails "... and its plain port" ip netns exec "$upstream" curl -sS --max-time 3 -o /dev/null http://10.0.1.1:8080/
check "the daemon lives on" kill -0 "$wicketd_pid"
cat "$dir/log"
lib_exit
