#!/bin/bash
# wicketd's metrics: the Prometheus endpoint on the management side
# ([metrics] listen, allow) and wicketctl top. Each counter is driven by
# real traffic and real logins and read back: clients by state, sessions
# started and ended by reason, keepalives accepted and rejected,
# approvals by method and result, the accounting outbox, the kernel's
# drops by reason. The exposition is checked with the Prometheus project's
# own parser; other addresses get 403, guests get nothing; a reload moves
# the endpoint.
. "$(dirname "$0")/../lib.sh"
checktool "curl --version" curl
checktool "jq --version" jq
checktool "/usr/bin/python3 -c 'import prometheus_client.parser'" python3-prometheus-client

load_wicket || exit 1
setup_gateway || exit 1
add_guest g1 1 02:00:00:00:01:01 || exit 1
add_guest g2 2 02:00:00:00:02:02 || exit 1
# The monitoring host: the upstream namespace's 10.99.0.2; 10.99.0.3 is another host there.
ip -n "$upstream" addr add 10.99.0.3/24 dev u0
wicketd_ports="r2" wicketd_extra_config="[metrics]
listen = 10.99.0.1:9188
allow = 10.99.0.2, 127.0.0.0/8" wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
url=http://10.99.0.1:9188/metrics
portal=https://10.0.1.1:8443

scrape() { ip netns exec "$upstream" curl -sS --max-time 5 "$@" "$url"; }
# metric 'NAME{LABELS}': its value in a fresh scrape (empty when absent).
metric() { scrape | awk -v m="$1" '$1 == m { print $2 }'; }
post() { ip netns exec "${!1}" curl -sS -k --max-time 10 "$portal$2" -H 'Content-Type: application/json' --data "$3"; }

out=$(scrape -D "$dir/h")
check "the monitoring host gets the metrics" grep -q '^wicket_up 1$' <<< "$out"
check "... as Prometheus text 0.0.4" grep -qi '^content-type: text/plain; version=0.0.4' "$dir/h"
check "... with the releases of wicketd and wicket.ko" \
	grep -q "^wicket_build_info{version=\"$(cat "$WICKET_TOP/VERSION")\",module=\"$(cat "$WICKET_TOP/VERSION")\"} 1$" <<< "$out"
check "a fresh gateway: no session started" test "$(metric wicket_sessions_started_total)" = 0

# The Prometheus project's parser reads every family, and each has HELP and TYPE.
families=$(/usr/bin/python3 - "$out" <<-'PY'
	import sys
	from prometheus_client.parser import text_string_to_metric_families
	names = []
	for f in text_string_to_metric_families(sys.argv[1]):
	    assert f.documentation, f.name
	    assert f.type in ("gauge", "counter"), (f.name, f.type)
	    names.append(f.name)
	print(" ".join(sorted(names)))
	PY
)
echo "families: $families"
check "the parser reads the 15 families" test "$(wc -w <<< "$families")" = 15
check "... the forgotten guests' counter among them, at 0" \
	grep -qx 'wicket_clients_forgotten_total 0' <<< "$out"

# Who may ask.
check "another host of the management network: 403" \
	test "$(scrape --interface 10.99.0.3 -o /dev/null -w '%{http_code}')" = 403
check "a path other than /metrics: 404" \
	test "$(ip netns exec "$upstream" curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://10.99.0.1:9188/)" = 404
check "a POST: refused (405)" test "$(scrape -o /dev/null -w '%{http_code}' --data x -D "$dir/h")" = 405
check "... saying what is allowed" grep -qi '^allow: GET, HEAD' "$dir/h"
code=$(ip netns exec "$g1" curl -sS --max-time 3 -o /dev/null -w '%{http_code}' "$url" 2> /dev/null)
check "a guest gets no metrics (HTTP code '$code')" test "$code" != 200
code=$(ip netns exec "$g1" curl -sS --max-time 3 -o /dev/null -w '%{http_code}' http://10.0.1.1:9188/metrics 2> /dev/null)
check "... nor on its own port's address ('$code')" test "$code" != 200

# Clients by state and the kernel's drops: g1 knocks, is seen, stays captive.
ip netns exec "$g1" ping -q -n -c 3 -i 0.1 -W 1 10.99.0.2 > /dev/null 2>&1
wait_until 5 eval "ctl clients | grep -q '02:00:00:00:01:01 .* captive'"
captive=$(metric 'wicket_clients{state="captive"}')
check "captive guests are counted ($captive), as wicketctl status counts them" \
	test "${captive:-0}" -ge 1 -a "$captive" = "$(ctl --json status | jq .clients.captive)"
drops=$(($(metric 'wicket_kernel_drops_total{reason="unknown"}') + $(metric 'wicket_kernel_drops_total{reason="captive"}')))
check "its 3 echoes are counted as dropped (unknown, then captive)" test "$drops" = 3
check "... as wicket-nl stats counts them" \
	test "$drops" = $(($(wnl stats | field drop_unknown) + $(wnl stats | field drop_captive)))

# Sessions: a comp, then a kick.
ctl allow 02:00:00:00:01:01 --minutes 30 > /dev/null || exit 1
check "a comp: one session started" test "$(metric wicket_sessions_started_total)" = 1
check "... active" test "$(metric wicket_sessions_active)" = 1
check "... its client authorized" test "$(metric 'wicket_clients{state="authorized"}')" = 1
ctl kick 02:00:00:00:01:01 > /dev/null || exit 1
check "a kick: one session ended for reason kick" \
	test "$(metric 'wicket_sessions_ended_total{reason="kick"}')" = 1
check "... none active" test "$(metric wicket_sessions_active)" = 0

# Approvals: a voucher taken, a wrong one refused.
ctl plan add "Day pass" --kind time --duration 24h --price 5 --currency EUR --methods voucher > /dev/null || exit 1
code=$(ctl vouchers create --plan "Day pass" --count 1 --csv | sed -n 2p | cut -d, -f1)
ping_ok "$g2" 10.0.2.1
login=$(post g2 /api/v1/login "{\"plan\":\"Day pass\",\"method\":\"voucher\",\"voucher\":\"$code\"}")
check "g2 logs in with a voucher" test "$(jq -r .state <<< "$login")" = active
# The same voucher from g1: it pays for one device only.
refused=$(post g1 /api/v1/login "{\"plan\":\"Day pass\",\"method\":\"voucher\",\"voucher\":\"$code\"}")
check "g1 is refused the voucher g2 used" test "$(jq -r .state <<< "$refused")" = rejected
check "approvals: voucher approved 1" test "$(metric 'wicket_approvals_total{method="voucher",result="approved"}')" = 1
check "approvals: voucher rejected 1" test "$(metric 'wicket_approvals_total{method="voucher",result="rejected"}')" = 1
check "approvals: nothing by room" test "$(metric 'wicket_approvals_total{method="room",result="approved"}')" = 0
# g1's refused try opened a session of its own (rejected: it may pay otherwise).
check "three sessions started in all: the comp, g2's and g1's refused try" \
	test "$(metric wicket_sessions_started_total)" = 3
# No RADIUS server here: the accounting records wait in the outbox.
waiting=$(metric wicket_accounting_outbox_records)
check "the accounting records wait in the outbox ($waiting)" test "${waiting:-0}" -ge 1
check "... as wicketctl status counts them" test "$waiting" = "$(ctl --json status | jq .accounting.unacked)"

# Keepalives: one good from the session's key, two refused.
session=$(jq -r .session <<< "$login")
key=$(jq -r .keepalive.key <<< "$login")
ip netns exec "$g2" wicket-ka send "$dir/keepalive.key" "$session" 1 10.0.2.1 4444 > /dev/null
ip netns exec "$g2" wicket-ka forge "$session" 100 10.0.2.1 4444
ip netns exec "$g2" bash -c 'echo -n hello > /dev/udp/10.0.2.1/4444'
wait_until 3 eval '[ "$(metric wicket_keepalives_accepted_total)" = 1 ]'
check "keepalives: one accepted (key $key)" test "$(metric wicket_keepalives_accepted_total)" = 1
check "keepalives: a forgery rejected as bad-tag" \
	test "$(metric 'wicket_keepalives_rejected_total{reason="bad-tag"}')" = 1
check "keepalives: garbage rejected as too-short or bad-magic" \
	test $(($(metric 'wicket_keepalives_rejected_total{reason="too-short"}') + \
		$(metric 'wicket_keepalives_rejected_total{reason="bad-magic"}'))) = 1

# wicketctl top: two frames a second apart, as text and as JSON.
ip netns exec "$g2" ping -q -n -c 20 -i 0.05 10.99.0.2 > /dev/null 2>&1 &
pinger=$!
out=$(ctl top --count 2 --interval 1)
wait $pinger
echo "$out"
status=$(ctl --json status)
check "top: a header of clients by state, as status counts them" grep -qE \
	"^clients +1 authorized, 0 provisional, $(jq .clients.captive <<< "$status") captive, 0 blocked \\($(jq .clients.total <<< "$status")\\)\$" <<< "$out"
check "top: sessions, with reasons" \
	grep -qE "^sessions +$(metric wicket_sessions_active) active, 3 started .*kick 1" <<< "$out"
check "top: the kernel's drops" grep -qE '^drops +.*unknown [0-9]+ \(' <<< "$out"
check "top: two frames" test "$(grep -c '^clients ' <<< "$out")" = 2
check "top: g2 is the busiest client, with a rate in the second frame" \
	grep -qE '^02:00:00:00:02:02 +r2 +102 +authorized +[0-9.]+ (B|kB)/s' <<< "$(tail -n 4 <<< "$out")"
json=$(ctl --json top --count 2 --interval 1)
check "top --json: one object a frame" test "$(jq -c . <<< "$json" | wc -l)" = 2
check "top --json: rates in the second frame only" \
	test "$(jq -c '.rates.sessions_started' <<< "$json" | tr '\n' ' ')" = "null 0 "
check "top --json: the metrics as the control command gives them" \
	test "$(tail -n 1 <<< "$json" | jq .metrics.sessions.started)" = 3
check_error "top: a bad interval is a usage error" "interval" ctl top --interval 0

# A reload moves the endpoint; a wrong [metrics] line is refused and the old one kept.
sed -i 's/^listen = 10.99.0.1:9188$/listen = 10.99.0.1:9189/' "$dir/wicketd.conf"
wicketd_reload
url=http://10.99.0.1:9189/metrics
wait_until 5 scrape -o /dev/null
check "after SIGHUP the metrics answer on the new port" test "$(metric wicket_up)" = 1
check_fails "... and not on the old one" ip netns exec "$upstream" curl -sS --max-time 2 -o /dev/null http://10.99.0.1:9188/metrics
check "the counters went on across the reload" test "$(metric wicket_sessions_started_total)" = 3
sed -i 's/^allow = .*/allow = 10.99.0.0\/33/' "$dir/wicketd.conf"
check_error "a bad allow list is refused by --check-config" "allow.*ADDRESS/LEN" \
	wicketd --check-config -c "$dir/wicketd.conf"
wicketd_reload
check "... and by a reload, which keeps the running one" test "$(metric wicket_up)" = 1
check "wicketd is still running" kill -0 "$wicketd_pid"

lib_exit
