#!/bin/bash
# The portal page in a real browser: headless Chromium (Debian's, driven by
# tests/browser/browse.js through playwright-core) runs in a guest's
# namespace on a phone-sized screen, with the real module and wicketd. Its
# plain web request to the internet is redirected to the page over HTTPS
# (the certificate it sees is the one wicketctl status names); the port's
# plans are listed with their prices; a wrong voucher shows the gateway's
# reason and leaves the form to retry; the right one brings the status
# view with a running countdown, and the guest is through; Logout brings
# the plans back and cuts it. Nothing but the portal's own origin is
# fetched, and the page logs no error. Screenshots (360x740) are kept and
# their paths printed.
. "$(dirname "$0")/../lib.sh"
checktool "jq --version" jq
checktool "sqlite3 -version" sqlite3
checktool "node --version" node
checktool "test -x ${CHROMIUM:-/usr/bin/chromium}" "Debian's chromium (scripts/deps)"
checktool "test -f $WICKET_TOP/tests/browser/node_modules/playwright-core/package.json" \
	"playwright-core (scripts/deps runs npm ci in tests/browser)"

load_wicket || exit 1
setup_gateway || exit 1
add_guest g1 1 02:00:00:00:01:01 || exit 1
wicketd_config || exit 1
dir=$wicketd_dir

# The browser, in the guest's namespace, one command per line (browse.js).
# Generous waits: under TCG, Chromium takes its time. Started first: it
# comes up while wicketd starts and the plans are made (it fetches
# nothing until the first goto).
coproc BROWSER { DEBUG=pw:browser ip netns exec "$g1" node "$WICKET_TOP/tests/browser/browse.js" \
	--viewport 360x740 --timeout 120 2> "$dir/browser.log"; }
browser_pid=$BROWSER_PID
on_exit "kill $browser_pid"
# Plain descriptors, unlike the coproc's, reach subshells (pipes, $(...)).
exec {to_browser}>&"${BROWSER[1]}" {from_browser}<&"${BROWSER[0]}"

wicketd_start || exit 1
portal=https://10.0.1.1:8443
# Kept after the test (the rest of $dir is not): what the guest saw.
shots=$(mktemp -d /tmp/portal-page.XXXXXX)
chmod 755 "$shots"

ping_ok "$g1" 10.0.1.1
wait_until 10 wnl client get r1 02:00:00:00:01:01 > /dev/null 2>&1

ctl plan add "Day pass" --kind time --duration 24h --price 5 --currency EUR --methods voucher,room,staff \
	> /dev/null &&
	ctl plan add "Metered" --kind time --duration 2h --price 0.50 --per-minute 0.10 --currency EUR \
		--methods room > /dev/null &&
	ctl plan add "Lounge" --kind data --data 1GB --price 500 --currency JPY --methods voucher > /dev/null ||
	exit 1
code=$(ctl vouchers create --plan "Day pass" --count 1 --csv | sed -n 2p | cut -d, -f1)
[ -n "$code" ] || { echo "FAIL: no voucher code"; exit 1; }

# browse CMD [ARG...]: its answer's value on stdout (strings raw, the rest
# as JSON); fails with the browser's error on stderr.
browse() {
	local line
	jq -cn '$ARGS.positional' --args "$@" >&"$to_browser" || return 1
	if ! IFS= read -r -t 600 line <&"$from_browser"; then
		echo "browser: no answer to $1" >&2
		return 1
	fi
	if ! jq -e .ok > /dev/null <<< "$line"; then
		echo "browser: $1: $(jq -r .error <<< "$line")" >&2
		return 1
	fi
	jq -r 'if (.value | type) == "string" then .value else (.value | tojson) end' <<< "$line"
}
shot() {
	browse screenshot "$shots/$1.png" > /dev/null && echo "screenshot: $shots/$1.png"
}
# The seconds the countdown shows (its <time datetime="PT...S">).
remaining() { browse attr "#remaining" datetime | sed -n 's/^PT\([0-9]*\)S$/\1/p'; }
contains() { grep -qF -- "$2" <<< "$1"; }

# A captive guest's request to anywhere on the web ends on the portal page.
t0=$(now_ms)
nav=$(browse goto http://10.99.0.2/)
echo "navigation ($(($(now_ms) - t0)) ms with Chromium's start): $nav"
check "Chromium opens http://10.99.0.2/ from the guest's namespace" test -n "$nav"
check "... redirected by the captive path to the portal over HTTPS" \
	test "$(jq -r '.chain | join(" ")' <<< "$nav")" = "http://10.99.0.2/ $portal/"
check "... which serves the page" test "$(jq -r '.url, .status' <<< "$nav" | tr '\n' ' ')" = "$portal/ 200 "
plans=$(browse visible "#plans")
echo "$plans"
check "the plan list appears" contains "$plans" "Day pass"
check "... with prices in each currency's decimals" \
	eval 'contains "$plans" "5.00 EUR" && contains "$plans" "500 JPY"'
check "... metered parts and limits" \
	eval 'contains "$plans" "0.50 EUR +0.10 EUR/min" && contains "$plans" "24 h" && contains "$plans" "1 GB"'
cert=$(browse certificate "$portal")
fingerprint=$(jq -r .sha256 <<< "$cert")
echo "the browser's certificate: $cert"
check "the certificate Chromium got is the one wicketctl status names" \
	test -n "$fingerprint" -a "$fingerprint" = "$(ctl --json status | jq -r .portal.fingerprint)"
layout=$(browse layout)
check "readable at 360 px: nothing wider than the screen ($layout)" \
	test "$(jq '.scrollWidth <= .viewport and .viewport == 360' <<< "$layout")" = true
shot plans

# A wrong voucher: the gateway's reason, and the form to try again.
browse check "label=Day pass" > /dev/null
ways=$(browse visible "#method-set")
check "a plan with several ways to pay offers them" \
	eval 'contains "$ways" "Voucher" && contains "$ways" "Room charge" && contains "$ways" "Front desk"'
browse check "role=radio[name='Voucher']" > /dev/null
browse fill "label=Voucher code" "WRONG-0000" > /dev/null
browse click "role=button[name='Connect']" > /dev/null
reason=$(browse visible "#form-error")
echo "shown: $reason"
check "a wrong voucher: the gateway's reason is shown" contains "$reason" "unknown voucher code"
check "... the form is still there, the code in it to correct" \
	test "$(browse value "label=Voucher code")/$(browse text "#pay-submit")" = "WRONG-0000/Connect"
check "... and the voucher field has the focus, to correct it" \
	test "$(browse focused | jq -r .id)" = voucher
check_fails "... the guest is still captive" ping_ok "$g1" 10.99.0.2
shot rejected

# The right one, on the same session: the status view, counting down.
browse fill "label=Voucher code" "$code" > /dev/null
browse click "role=button[name='Connect']" > /dev/null
status=$(browse visible "#view-status")
echo "$status"
check "the right voucher: the status view" contains "$status" "You are online"
check "... with the plan and what it cost" \
	eval 'contains "$status" "Day pass" && contains "$status" "5.00 EUR"'
check "... no temporary-access banner for a voucher" eval 'browse hidden "#provisional" 1 > /dev/null'
left1=$(remaining)
# The next second shown (5 s at most): the page counts down by itself.
wait_until 5 eval 'left2=$(remaining) && [ "${left2:-0}" -gt 0 ] && [ "$left2" -lt "${left1:-0}" ]'
echo "countdown: $left1 s, then $left2 s"
check "the countdown starts near the plan's 24 h" test "${left1:-0}" -gt 86000 -a "${left1:-0}" -le 86400
check "... and decreases" test "${left2:-0}" -gt 0 -a "${left2:-0}" -lt "${left1:-0}"
check "the guest now reaches the internet" ping_ok "$g1" 10.99.0.2
session=$(sqlite3 "$dir/wicket.db" "SELECT s.id FROM sessions s JOIN clients c ON c.id = s.client_id
	WHERE c.mac = '02:00:00:00:01:01' ORDER BY s.id DESC LIMIT 1")
check "the gateway's session is active, paid by the voucher" \
	test "$(sqlite3 "$dir/wicket.db" "SELECT state, method FROM sessions WHERE id = ${session:-0}")" = "active|voucher"
shot status

# Logout: the plans again, and the guest is cut.
browse click "role=button[name='Log out']" > /dev/null
again=$(browse visible "#view-plans")
check "Logout: back to the plan list" contains "$again" "Day pass"
check "... saying so" contains "$(browse text "#notice")" "logged out"
check_fails "... and the guest is cut" ping_ok "$g1" 10.99.0.2
check "the gateway ended the session as a logout" \
	test "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions WHERE id = ${session:-0}")" = logout
shot logged-out
check "... and the used code is not left in the form" \
	eval 'typed=$(browse value "label=Voucher code") && test -z "$typed"'

# The front desk: the page waits, and goes online when a clerk approves.
browse check "label=Day pass" > /dev/null
browse check "role=radio[name='Front desk']" > /dev/null
browse click "role=button[name='Ask the front desk']" > /dev/null
wait_view=$(browse visible "#view-wait")
check "asking the front desk: the page waits for it" contains "$wait_view" "Waiting for the front desk"
check_fails "... still captive meanwhile" ping_ok "$g1" 10.99.0.2
shot front-desk
request=$(ctl --json pending | jq -r '.[] | select(.mac == "02:00:00:00:01:01") | .id')
check "the clerk sees the request and approves it" ctl approve "${request:-0}"
status=$(browse visible "#view-status" 30)
check "... and the waiting page goes online by itself" contains "$status" "You are online"
check "... the guest passes" ping_ok "$g1" 10.99.0.2
browse click "role=button[name='Log out']" > /dev/null
browse visible "#view-plans" > /dev/null
check_fails "... until it logs out" ping_ok "$g1" 10.99.0.2

# Nothing but the portal's own origin, and no error on the page.
report=$(browse report)
echo "$report" | jq .
check "nothing was fetched but the captive URL and the portal's origin" \
	test "$(jq -r --arg p "$portal/" '[.requests[] | select((split(" ")[1] | startswith($p)) | not)
		| select(. != "GET http://10.99.0.2/")] | length' <<< "$report")" = 0
check "the page logged no error or warning (CSP included; the favicon's 204 is none)" \
	test "$(jq '.console | length' <<< "$report")" = 0
check "... and threw nothing" test "$(jq '.errors | length' <<< "$report")" = 0
browse quit > /dev/null
wait "$browser_pid" 2> /dev/null

# The VM harness's results share outlives the guest: a copy goes there.
if grep -qs ' /results 9p ' /proc/mounts; then
	mkdir -p /results/portal-page && cp "$shots"/*.png /results/portal-page/ &&
		echo "screenshots copied to the harness's results: portal-page/"
fi
check "the daemon lives on" kill -0 "$wicketd_pid"
if [ "$lib_failures" -gt 0 ]; then
	echo "--- the browser's log (Chromium's own lines too)"
	tail -n 60 "$dir/browser.log"
	echo "--- wicketd's log"
	cat "$dir/log"
fi
lib_exit
