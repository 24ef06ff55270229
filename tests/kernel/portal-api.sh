#!/bin/bash
# The portal's APIs with the real module and wicketd, spoken with curl
# from guest namespaces: captive web traffic redirected to the page over
# HTTPS (self-signed, its fingerprint in wicketctl status), RFC 8908's
# /api/captive before and after payment, the network settings, the port's
# plans, the helper's signed components (key, manifest, signature checked
# with openssl, files), login by voucher with a token and a keepalive key,
# status, logout; a token used from another device, a cross-site POST and
# a form POST refused; the portal closed to the WAN.
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

# The helper's components, as wicket-helper's update fetches and checks them.
# bytes HEX: the bytes that the hex digits spell.
bytes() { printf "$(sed 's/../\\x&/g' <<< "$1")"; }
key=$(api g1 /api/v1/components/key -D "$dir/h")
echo "components key: $key"
check "components: the key is 64 lower-case hex digits, as text/plain" \
	test "$(grep -cxE '[0-9a-f]{64}' <<< "$key")" = 1 -a "$(grep -ci '^content-type: text/plain' "$dir/h")" = 1
api g1 /api/v1/components/manifest -o "$dir/manifest" -D "$dir/h"
cat "$dir/manifest"; echo
check "components: the manifest is application/json, its length said" \
	test "$(grep -ci '^content-type: application/json' "$dir/h")" = 1 -a \
	"$(sed -n 's/^content-length: \([0-9]*\).*/\1/ip' "$dir/h")" = "$(stat -c %s "$dir/manifest")"
check "components: format 1, this gateway, the stock components sorted" \
	test "$(jq -r '.format, .gateway, ([.components[].name] | join(","))' "$dir/manifest" | tr '\n' ' ')" = \
	"1 $portal ca.crt,helper.conf,network.json "
api g1 /api/v1/components/manifest.sig -o "$dir/sig.hex"
check "components: the signature is 128 hex digits" grep -qxE '[0-9a-f]{128}' "$dir/sig.hex"
bytes "$(cat "$dir/sig.hex")" > "$dir/sig.bin"
# The raw key in an X.509 SubjectPublicKeyInfo: Ed25519's DER prefix, then the 32 bytes.
{
	echo "-----BEGIN PUBLIC KEY-----"
	bytes "302a300506032b6570032100$key" | base64
	echo "-----END PUBLIC KEY-----"
} > "$dir/components.pem"
verify() { openssl pkeyutl -verify -pubin -inkey "$dir/components.pem" -rawin -in "$1" -sigfile "$dir/sig.bin"; }
check "components: the manifest's signature verifies with the gateway's key (openssl)" verify "$dir/manifest"
sed 's/"format":1/"format":2/' "$dir/manifest" > "$dir/manifest.tampered"
check_fails "... the tampered copy differs" cmp -s "$dir/manifest" "$dir/manifest.tampered"
check_fails "... and does not verify" verify "$dir/manifest.tampered"
api g1 /api/v1/components/files/ca.crt -o "$dir/ca.crt" -D "$dir/h"
check "components: ca.crt is served as application/octet-stream" grep -qi '^content-type: application/octet-stream' "$dir/h"
check "components: ca.crt's SHA-256 and size are the manifest's" \
	test "$(sha256sum < "$dir/ca.crt" | cut -d' ' -f1) $(stat -c %s "$dir/ca.crt")" = \
	"$(jq -r '.components[] | select(.name == "ca.crt") | "\(.sha256) \(.size)"' "$dir/manifest")"
check "components: ca.crt is the certificate the portal serves" \
	test "$(openssl x509 -in "$dir/ca.crt" -noout -fingerprint -sha256 | sed 's/.*=//')" = "$fp"
network=$(api g1 /api/v1/components/files/network.json)
check "components: network.json names the portal, its API and its address for DNS" \
	test "$(jq -r '.portal, .api, .dns[0], .keepalive.interval_s' <<< "$network" | tr '\n' ' ')" = \
	"$portal $portal/api/v1 10.0.1.1 30 "
network2=$(api g2 /api/v1/components/files/network.json)
check "... the same for a guest on another port" test "$network" = "$network2"
status_of() { api "$1" "$2" -o /dev/null -w '%{http_code}' "${@:3}"; }
check "components: an unknown name gets 404" test "$(status_of g1 /api/v1/components/files/nothing)" = 404
check "components: an invalid name gets 404" test "$(status_of g1 /api/v1/components/files/.hidden)" = 404
check "components: no way out of the directory" \
	test "$(status_of g1 /api/v1/components/files/..%2Fcomponents.key --path-as-is)" = 404
check "components: POST gets 405" test "$(status_of g1 /api/v1/components/manifest --data '{}')" = 405
check "components: not for who is not a guest (403)" test "$(ip netns exec "$router" curl -sS -k --max-time 10 \
	-o /dev/null -w '%{http_code}' "$portal/api/v1/components/key")" = 403

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

# A reload (SIGHUP) publishes the venue's components_dir, signed anew with the same key.
mkdir "$dir/venue"
echo "a newer helper" > "$dir/venue/wicket-helper.tar.gz"
sed -i "/^\[gateway\]/a components_dir = $dir/venue" "$dir/wicketd.conf"
kill -HUP "$wicketd_pid"
has_venue_file() {
	api g1 /api/v1/components/manifest | jq -e '.components[] | select(.name == "wicket-helper.tar.gz")' > /dev/null
}
check "SIGHUP: the venue's component is in the manifest" wait_until 10 has_venue_file
api g1 /api/v1/components/manifest -o "$dir/manifest"
api g1 /api/v1/components/manifest.sig -o "$dir/sig.hex"
bytes "$(cat "$dir/sig.hex")" > "$dir/sig.bin"
check "... signed anew with the same key" \
	test "$(api g1 /api/v1/components/key)" = "$key" -a "$(jq '.components | length' "$dir/manifest")" = 4
check "... and the signature verifies" verify "$dir/manifest"
check "... its bytes are served" test "$(api g1 /api/v1/components/files/wicket-helper.tar.gz)" = "a newer helper"

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
