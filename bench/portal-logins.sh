#!/bin/bash
# Portal logins per second end to end, run by bench/run inside the VM
# (tests/vm/run, plain TCG): G guests (BENCH_LOGIN_GUESTS, default 400),
# each a macvlan of its own (its MAC and IPv4 address) on the access port
# r1, known to the gateway from a first packet, log in by voucher through
# the client API (POST https://10.0.1.1:8443/api/v1/login): TLS, the
# request, the voucher's approval (a local approver), the store's commit
# (synchronous=FULL) and the kernel's gate opening, for each one, before
# its answer. tests/tools/wicket-api sends them, P at once (for each P of
# BENCH_LOGIN_PARALLEL, default "1 16"), with TLS sessions resumed as a
# browser would after its first visit; then every guest logs out (the
# same figures for logouts), so that the next P starts from captive.
#
# A figure counts only if every answer was 200 with the session active
# (ended, for logouts), the kernel then holds exactly G authorized
# clients with the store's sessions (none after the logouts), and the
# store has G sessions open (none after).
#
# Figures: logins (logouts) per second of wall time, from the first
# request written until the last answer; with one request at a time, its
# inverse is a login's time end to end. Times are emulated wall time
# (plain TCG, 2 vCPUs): the cost of emulation is in them, +-20% from run
# to run, so they say how wicketd's login path scales with parallel
# guests more than what a real router does.
#
# Prints "logins P at once ..." and "logouts P at once ..." lines, then a Markdown table
# under "portal logins"; a P whose checks failed prints FAIL and no figure.
. "$(dirname "$0")/../tests/lib.sh"

GUESTS=${BENCH_LOGIN_GUESTS:-400}
PARALLEL=${BENCH_LOGIN_PARALLEL:-"1 16"}
checktool "wicket-api -h 2>&1 | grep -q usage" wicket-api
checktool "sqlite3 -version" sqlite3
echo "portal-logins on $(uname -r), normal TCG mode ($(nproc) vCPUs; emulated wall time, +-20% run to run)"

load_wicket || exit 1
setup_gateway || exit 1
setup_ns hub || exit 1
ip link add eth0 netns "$hub" type veth peer name r1 netns "$router" || exit 1
ip -n "$router" -batch - <<-EOF || exit 1
link set r1 up
addr add 10.0.1.1/16 dev r1
EOF
# Many interfaces of one namespace on one link, each answering ARP for its
# own address only (as in tests/kernel/soak.sh).
ip netns exec "$hub" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
	net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1 \
	net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.default.arp_announce=2 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || exit 1
{
	echo "link set eth0 up"
	for ((i = 0; i < GUESTS; i++)); do
		printf 'link add mv%d link eth0 address 02:60:00:00:%02x:%02x type macvlan mode private\n' \
			"$i" $((i >> 8)) $((i & 255))
		echo "link set mv$i up"
		echo "addr add 10.0.$((2 + i / 250)).$((1 + i % 250))/16 dev mv$i"
		echo "route add 10.99.0.0/24 via 10.0.1.1 dev mv$i metric $((100 + i)) onlink"
	done
} | ip -n "$hub" -batch - || exit 1

wicketd_start || exit 1
dir=$wicketd_dir
sql() { sqlite3 -cmd '.timeout 10000' "$dir/wicket.db" "$1"; }
ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || exit 1

# Every guest's first packet, from its own interface: the gateway learns
# it (and its address). The kernel reports a limited number of unknown
# sources a second: those not known yet send again, until all are.
unknown() {
	local i
	for ((i = 0; i < GUESTS; i++)); do printf 'mac=02:60:00:00:%02x:%02x mv%d\n' $((i >> 8)) $((i & 255)) "$i"; done |
		awk 'NR == FNR { known[$1] = 1; next } !($1 in known) { print "udp " $2 " 8" }' \
			<(wnl client list 2> /dev/null | grep -o 'mac=02:60:00:00:[0-9a-f:]*') -
}
for try in $(seq 30); do
	unseen=$(unknown)
	[ -n "$unseen" ] || break
	ip netns exec "$hub" wicket-pump 10.0.1.1 4444 10.99.0.2 9 <<< "$unseen" > /dev/null || exit 1
	sleep 2
done
[ -z "$(unknown)" ] || { echo "FAIL: the gateway did not learn the $GUESTS guests ($(unknown | wc -l) unknown)"; exit 1; }
echo "the gateway knows the $GUESTS guests (datagrams sent $try times)"

# The kernel's authorized clients of the hub with a session, and the store's open sessions, as counts.
kernel_authorized() { wnl client list 2> /dev/null | grep 'mac=02:60:00:00:' | grep -c 'state=authorized session=[1-9]'; }
store_open() { sql "SELECT count(*) FROM sessions WHERE state IN ('active', 'provisional')"; }

# run_round KIND P FILE: the requests of FILE through wicket-api, P at
# once; sets ms (first request to last answer), and answers in $dir/KIND.P.
# (libcurl counts a request's time from when it is queued, and all are
# queued at once: -t is the whole round's.)
run_round() {
	local kind=$1 p=$2 t0
	t0=$(now_ms)
	{ cat "$3"; echo sync; } | ip netns exec "$hub" wicket-api -c "$dir/tls/portal.crt" -p "$p" -t 1800 \
		https://10.0.1.1:8443 > "$dir/$kind.$p" 2> "$dir/$kind.$p.err"
	ms=$(($(now_ms) - t0))
}
# rate N MS: N a second over MS, two decimals.
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.2f", n * 1000 / ms }'; }
# Answers of FILE that are 200 with the state STATE.
answered() { grep -c "^[0-9]* 200 .*\"state\": *\"$2\"" "$1"; }

declare -A fig
for p in $PARALLEL; do
	mapfile -t codes < <(ctl vouchers create --plan Hour --count "$GUESTS" --csv | tail -n +2 | cut -d, -f1)
	[ "${#codes[@]}" = "$GUESTS" ] || { echo "FAIL: P=$p: vouchers not made"; break; }
	for ((i = 0; i < GUESTS; i++)); do
		echo "$i mv$i /api/v1/login {\"plan\":\"Hour\",\"method\":\"voucher\",\"voucher\":\"${codes[i]}\"}"
	done > "$dir/login.req"
	run_round login "$p" "$dir/login.req"
	ok=$(answered "$dir/login.$p" active) k=$(kernel_authorized) s=$(store_open)
	if [ "$ok" != "$GUESTS" ] || [ "$k" != "$GUESTS" ] || [ "$s" != "$GUESTS" ]; then
		echo "FAIL: P=$p: $ok of $GUESTS logins answered active; kernel $k authorized, store $s open"
		grep -v ' 200 ' "$dir/login.$p" | head -n 5
		break
	fi
	fig[login,$p]=$(rate "$GUESTS" "$ms")
	echo "logins $p at once: $GUESTS in $ms ms: ${fig[login,$p]}/s (one every $((ms / GUESTS)) ms)"

	# Every guest logs out with its token.
	while read -r id _ body; do
		[[ $body =~ \"token\":\ ?\"([A-Za-z0-9_-]+)\" ]] && echo "$id mv$id /api/v1/logout {} ${BASH_REMATCH[1]}"
	done < "$dir/login.$p" > "$dir/logout.req"
	run_round logout "$p" "$dir/logout.req"
	ok=$(answered "$dir/logout.$p" ended) k=$(kernel_authorized) s=$(store_open)
	if [ "$ok" != "$GUESTS" ] || [ "$k" != 0 ] || [ "$s" != 0 ]; then
		echo "FAIL: P=$p: $ok of $GUESTS logouts answered ended; kernel $k authorized, store $s open"
		break
	fi
	fig[logout,$p]=$(rate "$GUESTS" "$ms")
	echo "logouts $p at once: $GUESTS in $ms ms: ${fig[logout,$p]}/s (one every $((ms / GUESTS)) ms)"
done

echo "portal logins ($(uname -r), $GUESTS guests, plain TCG: emulated wall time):"
echo
echo "| requests at once | logins/s | logouts/s |"
echo "|---|---|---|"
status=0
for p in $PARALLEL; do
	echo "| $p | ${fig[login,$p]:-—} | ${fig[logout,$p]:-—} |"
	[ -n "${fig[login,$p]:-}" ] && [ -n "${fig[logout,$p]:-}" ] || status=1
done
exit $status
