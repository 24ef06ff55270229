#!/bin/bash
# vm: torture only
# The soak (make torture; never in make check, whose kernel suite skips
# the "torture only" mark): 10000 simulated guests, each with a MAC and an
# IPv4 address of its own, pass through the gateway in 30 minutes of guest
# time, a few hundred of them at once. Each one appears (the gateway learns
# it from its first packet), pays (a voucher through the client API at
# https://10.0.1.1:8443/api/v1/login, or a staff comp with wicketctl
# allow), sends keepalives (signed with the key the login gave it) and
# traffic through the gate, and leaves: by logout through the API, by
# stopping its keepalives (keepalive-timeout), at its plan's deadline, at
# its comp's deadline, or kicked by staff. Accounting goes to a real
# FreeRADIUS on the WAN side.
#
# Asserted: every guest got through (all its operations answered); the
# kernel's open gates equal the store's open sessions while the load runs
# and at the end (none); every session ended the way its guest left, with
# exactly the bytes and packets it sent (the sink upstream counted the
# same in all, and nothing a captive guest sent passed); every paid
# session has one accounting Start and one Stop in the outbox, acknowledged,
# and one each in the server's records with the store's octets, packets
# and charge; wicketd's memory stays flat (RSS of the last third of the
# run within 10% or 4 MB of the first third's highest) and its file
# descriptors do not grow (none more after the run than before it);
# PRAGMA integrity_check says ok. RSS and descriptors are sampled 30 times
# (every minute of a 30-minute run) and printed.
#
# Each guest is a macvlan of one namespace ("hub") on the access port r1,
# re-addressed (MAC and IPv4) for each new guest. The driver works in
# rounds (one a second at most): the round's logins and logouts go to
# wicket-api (one process for the whole run: each request from its
# guest's interface, TLS sessions resumed, the portal's certificate
# checked), and while they are in flight one control connection sends the
# round's comps and kicks and one ip -batch addresses its new guests;
# then the round collects the answers. wicket-pump keeps every paid guest
# alive on its own clock (a keepalive every 10 s, from the guest's
# interface) and sends the datagrams, so a slow round never starves a
# keepalive.
#
# Length: WICKET_TORTURE=1 (make torture) runs 30 minutes and 10000
# guests; otherwise 3 minutes and 300 (a run for development). Set
# WICKET_TORTURE_SOAK_MINUTES, _CLIENTS, _SLOTS (guests at once) to choose
# (tests/vm/run passes WICKET_TORTURE* to the guest).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../radius/lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "perl -v" perl
checktool "socat -V" socat
checktool "test -x /usr/sbin/freeradius -o -x /usr/sbin/radiusd" freeradius

if [ "${WICKET_TORTURE:-0}" = 1 ]; then minutes=30 clients=10000; else minutes=3 clients=300; fi
minutes=${WICKET_TORTURE_SOAK_MINUTES:-$minutes}
clients=${WICKET_TORTURE_SOAK_CLIENTS:-$clients}
# Joins spread over all but the last minute, which lets the last guests live their lives.
join_ms=$(((minutes * 60 - 60) * 1000))
[ "$join_ms" -gt 0 ] && [ "$clients" -gt 0 ] || { log_fail "soak: at least 2 minutes and 1 client"; exit 1; }
# Guests at once: a guest holds its slot 30 to 65 s (its life, or a
# deadline of 45 or 65 s), and a round or two more (its login, its leaving).
slots=${WICKET_TORTURE_SOAK_SLOTS:-$((clients * 70000 / join_ms + 50))}
[ "$slots" -le 1000 ] || slots=1000
echo "soak: $clients guests in $minutes minutes, $slots at once"

nas=gw-vm-soak
load_wicket || exit 1
setup_gateway || exit 1
setup_ns hub || exit 1
# The access port r1 and its /16: 10.0.1.1 the gateway, 10.0.2.1 onwards the guests.
ip link add eth0 netns "$hub" type veth peer name r1 netns "$router" || exit 1
ip -n "$router" -batch - <<-EOF || exit 1
link set r1 up
addr add 10.0.1.1/16 dev r1
EOF
# Many interfaces of one namespace on one link: each answers ARP for its
# own address only, asks with it, keeps its routes when its address is
# swapped (the new one is promoted), and says nothing over IPv6.
ip netns exec "$hub" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
	net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1 \
	net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.default.arp_announce=2 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.default.promote_secondaries=1 || exit 1
{
	echo "link set eth0 up"
	for ((s = 0; s < slots; s++)); do
		echo "link add mv$s link eth0 type macvlan mode private"
		echo "link set mv$s up"
	done
} | ip -n "$hub" -batch - || exit 1

# The sink upstream: what passes the gate to UDP port 9, counted and dropped.
ip netns exec "$upstream" nft -f - <<-'NFT' || exit 1
table inet soak {
	counter sink { }
	chain input {
		type filter hook input priority 0;
		udp dport 9 counter name sink drop
	}
}
NFT
radius_start -n "$upstream" -a 10.99.0.2 -c 10.99.0.1 || exit 1

# A keepalive every 15 s, two missed: a guest that stops is cut within 30 s.
wicketd_ka_interval=15 wicketd_ka_misses=2
wicketd_extra_config="[radius]
server = 10.99.0.2:$radius_auth_port
accounting_server = 10.99.0.2:$radius_acct_port
secret_file = $radius_secret_file
nas_identifier = $nas
timeout = 2
retries = 3
interim = 0
dictionary = $WICKET_TOP/packaging/radius/dictionary.radcli"
wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
db=$dir/wicket.db
sql() { sqlite3 -cmd '.timeout 10000' "$db" "$1"; }
runs() { grep -c 'running: .* access ports' "$dir/log"; }

# The guests' ways to leave, by their number: mode_of I sets mode.
#   logout  (50%) Hour voucher, keepalives, logs out through the API
#   timeout (25%) Hour voucher, keepalives that stop: keepalive-timeout
#   short   (15%) Short voucher (40 s), keepalives until past its deadline
#   comp     (5%) wicketctl allow --minutes 1, no keepalives: deadline
#   kick     (5%) wicketctl allow --minutes 5, then wicketctl kick
mode_of() {
	local m=$(($1 % 20))
	if [ $m -lt 10 ]; then mode=logout
	elif [ $m -lt 15 ]; then mode=timeout
	elif [ $m -lt 18 ]; then mode=short
	elif [ $m = 18 ]; then mode=comp
	else mode=kick; fi
}
n_hour=0 n_short=0
for ((i = 0; i < clients; i++)); do
	mode_of $i
	case $mode in logout | timeout) n_hour=$((n_hour + 1)) ;; short) n_short=$((n_short + 1)) ;; esac
done
ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || exit 1
ctl plan add Short --kind time --duration 40s --price 1 --currency EUR --methods voucher > /dev/null || exit 1
# Voucher codes, one a line, for a plan: make_codes PLAN N FILE (10000 at most a call).
make_codes() {
	local left=$2 n
	: > "$3"
	while [ "$left" -gt 0 ]; do
		n=$((left > 10000 ? 10000 : left))
		ctl vouchers create --plan "$1" --count "$n" --csv | tail -n +2 | cut -d, -f1 >> "$3" || return 1
		left=$((left - n))
	done
	[ "$(grep -c . "$3")" = "$2" ]
}
t=$(now_ms)
make_codes Hour "$n_hour" "$dir/codes.hour" && make_codes Short "$n_short" "$dir/codes.short" ||
	{ echo "vouchers not made"; exit 1; }
mapfile -t hour_codes < "$dir/codes.hour"
mapfile -t short_codes < "$dir/codes.short"
echo "vouchers: $n_hour Hour, $n_short Short in $(($(now_ms) - t)) ms"

# wicketd's resident memory (kB) and open descriptors, into rss and fds.
sample_daemon() {
	local k v _
	rss=0
	while read -r k v _; do [ "$k" = VmRSS: ] && rss=$v; done < "/proc/$wicketd_pid/status"
	local f=("/proc/$wicketd_pid/fd/"*)
	fds=${#f[@]}
}
sample_daemon
rss0=$rss fds0=$fds
echo "wicketd before the load: VmRSS $rss0 kB, $fds0 descriptors"

# kernel_open, store_open, same_open: tests/storm.sh's (the kill storm's).
. "$(dirname "$0")/../storm.sh"

# Every API call of every guest: wicket-api in the hub, fed a line a
# call ("SLOT IFNAME PATH JSON [TOKEN]"), answering a line each ("SLOT
# STATUS BODY") and "sync" once all before the sync are answered.
mkfifo "$dir/api.out" || exit 1
exec {api}> >(exec ip netns exec "$hub" wicket-api -c "$dir/tls/portal.crt" https://10.0.1.1:8443 \
	> "$dir/api.out" 2> "$dir/api.err")
api_pid=$!
on_exit "kill $api_pid"
exec {api_ans}< "$dir/api.out"
# Every datagram of every guest: wicket-pump in the hub, fed line by line
# (without the API's descriptors: its end of input must be the pump's own).
exec {pump}> >(exec {api}>&- {api_ans}<&- ip netns exec "$hub" wicket-pump 10.0.1.1 4444 10.99.0.2 9 \
	> "$dir/pump.out" 2> "$dir/pump.err")
pump_pid=$!
on_exit "kill $pump_pid"

# Per slot: the guest in it (-1: none), its stage (hello: addressed, not
# yet logged in; live), and what it did.
declare -a g_client g_stage g_mode g_mac g_ip g_sess g_key g_tok g_born g_life g_nextka g_dg g_size g_tries \
	g_plan g_code
for ((s = 0; s < slots; s++)); do g_client[s]=-1; g_ip[s]=""; done
joined=0 done_ok=0 failed=0 retries=0 logins=0 logouts=0 comps=0 kicks=0 used_hour=0 used_short=0
# Milliseconds of the clock, into now (no subshell: every fork counts in a TCG guest).
clock() { now=$((${EPOCHREALTIME/[!0-9]/} / 1000)); }
echo "BEGIN;" > "$dir/expected.sql"
declare -a samples_rss samples_fds samples_t
sample_ms=$((minutes * 2000))

# One guest leaves its slot for good: its record, what it was owed.
leave() {
	local s=$1 outcome=$2
	echo "INSERT INTO expected VALUES (${g_client[s]}, '${g_mac[s]}', '${g_mode[s]}', ${g_sess[s]:-0}," \
		"$((g_dg[s] * (g_size[s] + 28))), ${g_dg[s]}, '$outcome');" >> "$dir/expected.sql"
	[ "$outcome" = ok ] && done_ok=$((done_ok + 1)) || failed=$((failed + 1))
	g_client[s]=-1
}
# The value of a key of a JSON answer in $body (a number, or a string of letters and digits).
val() { [[ $body =~ \"$1\":\ ?\"?([A-Za-z0-9-]+) ]] && printf -v "$2" '%s' "${BASH_REMATCH[1]}"; }

# The round's API calls: api_req SLOT PATH JSON [TOKEN] sends one to
# wicket-api (it starts at once, from the slot's interface); api_collect
# waits for the round's sync and puts the answer of each slot's call in
# api_body[SLOT] (the JSON answer, or why none came).
api_req() {
	echo "$1 mv$1 /api/v1/$2 $3${4:+ $4}" >&"$api"
	api_n=$((api_n + 1))
}
api_collect() {
	local id code rest
	[ "$api_n" -gt 0 ] || return 0
	echo sync >&"$api"
	# A call lasts 30 s at most, 16 at once: a sync later than this means wicket-api is gone.
	while read -r -t $((60 + api_n * 2)) -u "$api_ans" id code rest; do
		[ "$id" != sync ] || return 0
		api_body[id]=$rest
	done
	echo "wicket-api: no sync after $api_n calls"
	return 1
}
# The round's staff commands (allow, kick), one control connection: ctl_req
# SLOT CMD ARGS adds one; ctl_batch sends them and puts the answer of each
# slot's in ctl_ans[SLOT].
ctl_req() {
	ctl_slots+=("$1")
	ctl_lines+=("{\"v\":1,\"cmd\":\"$2\",\"args\":$3}")
}
ctl_batch() {
	local k answers=()
	[ ${#ctl_lines[@]} -gt 0 ] || return 0
	mapfile -t answers < <(printf '%s\n' "${ctl_lines[@]}" | socat -t 30 - "UNIX-CONNECT:$dir/control.sock")
	for ((k = 0; k < ${#ctl_slots[@]}; k++)); do ctl_ans[${ctl_slots[k]}]=${answers[k]:-no answer}; done
}

clock
t0=$now
next_sample=$t0
checked_mid=0 rounds=0 tm_api=0 tm_ctl=0 tm_ip=0 tm_work=0
while :; do
	clock
	r0=$now
	rounds=$((rounds + 1))
	el=$((now - t0))
	busy=0 api_n=0
	outs=() ins=() free=() ctl_slots=() ctl_lines=() ctl_ans=() api_body=()

	# 1. Once over the slots (every loop over them costs in a TCG guest).
	# The free ones, in their order. Those whose time is up leave: logout
	# and kick ask (the answers below), the others stop. Traffic: a
	# datagram every 5 s in the first 20 s of a session (all sent well
	# before any guest leaves; the pump keeps the keepalives). Logins (or
	# comps) of the guests addressed before this round.
	for ((s = 0; s < slots; s++)); do
		if ((g_client[s] < 0)); then
			free+=("$s")
			continue
		fi
		busy=$((busy + 1))
		if [ "${g_stage[s]}" = hello ]; then
			((g_born[s] < now)) || continue
			case ${g_mode[s]} in
			comp) ctl_req "$s" allow "{\"mac\":\"${g_mac[s]}\",\"minutes\":1}" ;;
			kick) ctl_req "$s" allow "{\"mac\":\"${g_mac[s]}\",\"minutes\":5}" ;;
			*) api_req "$s" login "{\"plan\":\"${g_plan[s]}\",\"method\":\"voucher\",\"voucher\":\"${g_code[s]}\"}" ;;
			esac
			ins+=("$s")
		elif ((now >= g_born[s] + g_life[s])); then
			# Its keepalives stop first: a logout or a kick must not race them.
			[ -z "${g_key[s]}" ] || echo "stop ${g_sess[s]}" >&"$pump"
			case ${g_mode[s]} in
			logout) api_req "$s" logout '{}' "${g_tok[s]}"; outs+=("$s") ;;
			kick) ctl_req "$s" kick "{\"mac\":\"${g_mac[s]}\"}"; outs+=("$s") ;;
			*) leave "$s" ok; free+=("$s") ;;
			esac
		elif ((now >= g_nextka[s] && now < g_born[s] + 20000)); then
			echo "udp mv$s ${g_size[s]}" >&"$pump"
			g_dg[s]=$((g_dg[s] + 1))
			g_nextka[s]=$((now + 5000))
		fi
	done

	# 2. While the API calls are in flight: new guests in the free slots,
	# as many as the pace allows: a new MAC and address, and a first
	# datagram (the gate drops it; the gateway learns the guest from it,
	# its ARP request first). A slot freed by an answer of this round
	# takes its new guest next round.
	due=$((el >= join_ms ? clients : clients * el / join_ms + 1))
	[ "$due" -le "$clients" ] || due=$clients
	batch=() hello=()
	for s in "${free[@]}"; do
		[ "$joined" -lt "$due" ] || break
		i=$joined
		joined=$((joined + 1))
		mode_of $i
		printf -v mac '02:50:%02x:%02x:%02x:%02x' $((s & 255)) $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255))
		ip=10.0.$((2 + i / 250)).$((1 + i % 250))
		batch+=("link set mv$s address $mac" "addr add $ip/16 dev mv$s")
		[ -z "${g_ip[s]}" ] || batch+=("addr del ${g_ip[s]}/16 dev mv$s")
		[ -n "${g_ip[s]}" ] || batch+=("route replace 10.99.0.0/24 via 10.0.1.1 dev mv$s metric $((100 + s)) onlink")
		g_client[s]=$i g_stage[s]=hello g_mode[s]=$mode g_mac[s]=$mac g_ip[s]=$ip g_born[s]=$now
		g_sess[s]='' g_key[s]='' g_tok[s]='' g_dg[s]=0 g_size[s]=$((64 + i % 900)) g_tries[s]=0
		case $mode in
		logout | timeout) g_plan[s]=Hour g_code[s]=${hour_codes[used_hour++]} g_life[s]=$((30000 + i * 7919 % 25000)) ;;
		short) g_plan[s]=Short g_code[s]=${short_codes[used_short++]} g_life[s]=45000 ;;
		comp) g_life[s]=65000 ;;
		kick) g_life[s]=$((30000 + i * 7919 % 25000)) ;;
		esac
		hello+=("$s")
		busy=$((busy + 1))
	done
	if [ ${#batch[@]} -gt 0 ]; then
		clock; ts=$now
		printf '%s\n' "${batch[@]}" | ip -n "$hub" -force -batch - || echo "ip -batch failed at $el ms"
		clock; tm_ip=$((tm_ip + now - ts))
		for s in "${hello[@]}"; do echo "udp mv$s 32" >&"$pump"; done
	fi

	# 3. Still while the API calls are in flight: the staff commands. Then
	# the API's answers, and what each answer means for its guest.
	clock; ts=$now
	ctl_batch
	clock; tm_ctl=$((tm_ctl + now - ts)); ts=$now
	api_collect
	clock; tm_api=$((tm_api + now - ts))
	for s in "${outs[@]}"; do
		body='' st='' sid=''
		if [ "${g_mode[s]}" = kick ]; then
			body=${ctl_ans[s]}
			st=ended
		else
			body=${api_body[s]:-no answer}
			val state st
		fi
		val session sid
		if [ "$st" = ended ] && [ "$sid" = "${g_sess[s]}" ]; then
			[ "${g_mode[s]}" = kick ] && kicks=$((kicks + 1)) || logouts=$((logouts + 1))
			leave "$s" ok
		else
			echo "guest ${g_client[s]} (${g_mac[s]}, session ${g_sess[s]}): ${g_mode[s]} answered: $body"
			leave "$s" "${g_mode[s]} failed"
		fi
	done
	for s in "${ins[@]}"; do
		body='' st='' sid='' key='' tok=''
		if [ "${g_mode[s]}" = comp ] || [ "${g_mode[s]}" = kick ]; then
			body=${ctl_ans[s]}
			[[ $body != *'"ok":true'* ]] || st=active
		else
			body=${api_body[s]:-no answer}
			val state st
		fi
		val session sid
		val key key
		val token tok
		if [ "$st" = active ] && [ -n "$sid" ]; then
			g_stage[s]=live g_sess[s]=$sid g_key[s]=$key g_tok[s]=$tok g_born[s]=$now g_nextka[s]=$now
			# Keepalives every 10 s for the paid (a comp's guest is a browser: none).
			case ${g_mode[s]} in
			comp | kick) g_key[s]='' comps=$((comps + 1)) ;;
			*) echo "live mv$s $key $sid 10000" >&"$pump"; logins=$((logins + 1)) ;;
			esac
		elif [[ $body == *"not a guest"* || $body == *"no client"* ]] && [ "${g_tries[s]}" -lt 20 ]; then
			# Not known yet (its first packet on its way): again next round.
			g_tries[s]=$((g_tries[s] + 1))
			retries=$((retries + 1))
		else
			echo "guest ${g_client[s]} (${g_mac[s]} ${g_ip[s]}, ${g_mode[s]}): login answered: $body"
			g_sess[s]=${sid:-0}
			leave "$s" "login failed"
		fi
	done
	clock
	tm_work=$((tm_work + now - r0))

	# 4. wicketd's memory and descriptors, 30 times in the run.
	if [ "$now" -ge "$next_sample" ] && [ "$el" -lt $((minutes * 60000)) ]; then
		sample_daemon
		samples_rss+=("$rss") samples_fds+=("$fds") samples_t+=("$((el / 1000))")
		echo "sample $((el / 1000)) s: VmRSS $rss kB, $fds fds;" \
			"kernel table $(wnl config get | sed -n 's/.*clients=\([0-9]*\).*/\1/p') clients;" \
			"$rounds rounds (ms in all $tm_work: control $tm_ctl, ip $tm_ip, then waiting for the API $tm_api);" \
			"guests $joined joined, $busy in slots, $done_ok done, $failed failed;" \
			"$logins logins, $comps comps, $logouts logouts, $kicks kicks, $retries retries"
		next_sample=$((next_sample + sample_ms))
	fi

	# 5. Once every guest has joined, with the load still on: the kernel's
	# open gates against the store's open sessions.
	if [ "$checked_mid" = 0 ] && [ "$joined" -ge "$clients" ]; then
		checked_mid=1
		open_mid=$(store_open | wc -l)
		if wait_until 10 same_open; then mid_sync=ok; else
			mid_sync=differ
			diff <(kernel_open) <(store_open) | head -n 20
		fi
	fi

	[ "$joined" -lt "$clients" ] || [ "$busy" -gt 0 ] || break
	# Past the run's length and a margin: the guests still in are stuck.
	if [ "$el" -gt $(((minutes * 60 + 300) * 1000)) ]; then
		echo "soak: still $busy guests in their slots (of $joined joined) 5 minutes after the run's end"
		break
	fi
	# One round a second at most.
	clock
	left=$((1000 - (now - r0)))
	printf -v frac '0.%03d' "$left"
	[ "$left" -le 0 ] || lib_sleep "$frac"
done
secs=$((($(now_ms) - t0) / 1000))
echo "load over after $secs s: $joined joined, $done_ok done, $failed failed"

# The pump's account of what it sent, wicket-api's of its calls.
exec {pump}>&- {api}>&-
wait_until 30 eval '! kill -0 $pump_pid 2> /dev/null && ! kill -0 $api_pid 2> /dev/null'
exec {api_ans}<&-
pump_out=$(cat "$dir/pump.out")
echo "wicket-pump: $pump_out"
head -n 20 "$dir/pump.err"
head -n 20 "$dir/api.err"

# The last guests' sessions end by the kernel's clocks: keepalive windows
# of 30 s after the last keepalive, deadlines already past.
none_open() {
	local k
	k=$(kernel_open) || return 1
	[ -z "$k" ] && [ -z "$(store_open)" ]
}
wait_until 60 none_open
unacked() { ctl --json status | sed -n 's/.*"unacked": *\([0-9]*\).*/\1/p'; }
wait_until 120 eval '[ "$(unacked)" = 0 ]'
lib_sleep 2
sample_daemon
rss1=$rss fds1=$fds
echo "wicketd after the load: VmRSS $rss1 kB, $fds1 descriptors"

check "$clients distinct guests (MAC and IPv4) passed through in $secs s, every operation answered" \
	test "$joined" = "$clients" -a "$done_ok" = "$clients" -a "$failed" = 0
check "wicket-pump sent every keepalive and datagram" grep -q 'errors=0$' <<< "$pump_out"
if [ "$checked_mid" = 1 ]; then
	check "with the load on ($open_mid sessions open): the kernel's open gates equal the store's open sessions" \
		test "$mid_sync" = ok
else
	log_fail "the load never had every guest joined: no comparison of kernel and store under load"
fi
check "at the end: no gate open in the kernel, no session open in the store" none_open
check "wicketd ran throughout, never restarted" test "$(runs)" = 1 -a -n "$(kill -0 "$wicketd_pid" && echo y)"

# Every guest's session against what it did.
echo "COMMIT;" >> "$dir/expected.sql"
sqlite3 -cmd '.timeout 10000' "$db" > "$dir/verdict" <<-SQL
CREATE TEMP TABLE expected (client INTEGER, mac TEXT, mode TEXT, session INTEGER, bytes INTEGER, packets INTEGER, outcome TEXT);
.read $dir/expected.sql
ATTACH '$radius_dir/acct.db' AS r;
CREATE TEMP VIEW x AS SELECT e.*, s.state, s.end_reason, s.up_bytes, s.down_bytes, s.up_packets, s.down_packets,
	s.client_id, c.mac AS smac,
	CASE e.mode WHEN 'logout' THEN 'logout' WHEN 'timeout' THEN 'keepalive-timeout' WHEN 'kick' THEN 'kick'
		ELSE 'deadline' END AS want,
	e.mode IN ('logout', 'timeout', 'short') AS paid
	FROM expected e LEFT JOIN sessions s ON s.id = e.session LEFT JOIN clients c ON c.id = s.client_id;
SELECT 'guests ' || count(*) FROM expected;
SELECT 'sessions ' || count(*) FROM sessions;
SELECT 'distinct ' || count(DISTINCT mac) || ' ' || count(DISTINCT session) FROM expected;
SELECT 'ends ' || ifnull(end_reason, state) || ' ' || count(*) FROM sessions GROUP BY ifnull(end_reason, state);
SELECT 'bad-end ' || client || ' ' || mode || ' session ' || session || ': ' || ifnull(state || ' ' || end_reason, 'no session')
	FROM x WHERE ifnull(state, '') != 'ended' OR end_reason != want OR smac != mac;
SELECT 'bad-bytes ' || client || ' ' || mode || ' session ' || session || ': sent ' || packets || ' packets ' || bytes
	|| ' bytes, store ' || up_packets || ' ' || up_bytes || ' up, ' || down_packets || ' ' || down_bytes || ' down'
	FROM x WHERE up_bytes != bytes OR up_packets != packets OR down_bytes != 0;
SELECT 'bad-outbox ' || session || ': ' || (SELECT group_concat(kind || (acked_at IS NOT NULL), ',') FROM outbox o WHERE o.session_id = x.session)
	FROM x WHERE paid AND ((SELECT count(*) FROM outbox o WHERE o.session_id = x.session AND kind = 'start' AND acked_at IS NOT NULL) != 1
		OR (SELECT count(*) FROM outbox o WHERE o.session_id = x.session AND kind = 'stop' AND acked_at IS NOT NULL) != 1
		OR (SELECT count(*) FROM outbox o WHERE o.session_id = x.session) != 2);
SELECT 'bad-outbox ' || session_id || ': a comp in the outbox' FROM outbox WHERE session_id IN (SELECT session FROM x WHERE NOT paid);
SELECT 'unacked ' || count(*) FROM outbox WHERE acked_at IS NULL;
SELECT 'bad-radius ' || session || ': ' || (SELECT count(*) FROM r.wicket_acct a WHERE a.nasidentifier = '$nas'
		AND a.acctsessionid = printf('%016x', x.session) AND statustype = 'Start') || ' starts, '
	|| (SELECT count(*) FROM r.wicket_acct a WHERE a.nasidentifier = '$nas'
		AND a.acctsessionid = printf('%016x', x.session) AND statustype = 'Stop') || ' stops'
	FROM x WHERE paid AND ((SELECT count(*) FROM r.wicket_acct a WHERE a.nasidentifier = '$nas'
		AND a.acctsessionid = printf('%016x', x.session) AND statustype = 'Start') != 1
		OR (SELECT count(*) FROM r.wicket_acct a WHERE a.nasidentifier = '$nas'
		AND a.acctsessionid = printf('%016x', x.session) AND statustype = 'Stop') != 1);
SELECT 'bad-stop ' || x.session || ': store ' || x.up_bytes || '/' || x.down_bytes || '/' || x.up_packets || '/' || x.down_packets
	|| '/' || s.charge || ', server ' || a.inputoctets || '/' || a.outputoctets || '/' || a.inputpackets || '/' || a.outputpackets
	|| '/' || a.charge
	FROM x JOIN sessions s ON s.id = x.session JOIN r.wicket_acct a ON a.nasidentifier = '$nas'
		AND a.acctsessionid = printf('%016x', x.session) AND a.statustype = 'Stop'
	WHERE x.paid AND (a.inputoctets != x.up_bytes OR a.outputoctets != x.down_bytes OR a.inputpackets != x.up_packets
		OR a.outputpackets != x.down_packets OR a.charge != s.charge);
SELECT 'radius-records ' || statustype || ' ' || count(*) FROM r.wicket_acct WHERE nasidentifier = '$nas' GROUP BY statustype;
SELECT 'sum ' || sum(up_bytes) || ' ' || sum(up_packets) FROM sessions;
SQL
grep -vE '^bad-' "$dir/verdict"
for k in bad-end bad-bytes bad-outbox bad-radius bad-stop; do
	n=$(grep -c "^$k " "$dir/verdict")
	[ "$n" = 0 ] || { echo "$k: $n (first 10):"; grep "^$k " "$dir/verdict" | head -n 10; }
done
vv() { sed -n "s/^$1 //p" "$dir/verdict"; }
bad() { [ "$(grep -c "^$1 " "$dir/verdict")" = 0 ]; }
check "one session per guest: $(vv guests) guests, $(vv sessions) sessions, distinct MACs and sessions" \
	test "$(vv guests)" = "$clients" -a "$(vv sessions)" = "$clients" -a "$(vv distinct)" = "$clients $clients"
check "every session ended as its guest left (logout, keepalive-timeout, deadline, kick)" bad bad-end
check "every session has exactly the bytes and packets its guest sent, none down" bad bad-bytes
sink=$(ip netns exec "$upstream" nft list counter inet soak sink)
[[ $sink =~ packets\ ([0-9]+)\ bytes\ ([0-9]+) ]] && sink="${BASH_REMATCH[2]} ${BASH_REMATCH[1]}"
echo "sink upstream: $sink (bytes packets); sessions: $(vv sum)"
check "the sink upstream got what the sessions counted, no more (nothing of a captive guest passed)" \
	test "$sink" = "$(vv sum)"
check "every paid session: one Start and one Stop in the outbox, acknowledged; no comp in it" bad bad-outbox
check "... nothing left unacknowledged" test "$(vv unacked)" = 0
check "every paid session: one Start and one Stop in the server's records" bad bad-radius
check "... every Stop with the store's octets, packets and charge" bad bad-stop

# Memory and descriptors: the samples, then the thirds compared.
n=${#samples_rss[@]}
echo "samples (s: VmRSS kB, fds):"
for ((k = 0; k < n; k++)); do printf '  %5s: %6s %4s\n' "${samples_t[k]}" "${samples_rss[k]}" "${samples_fds[k]}"; done
max_of() { local m=0 v; for v in "$@"; do [ "$v" -le "$m" ] || m=$v; done; echo "$m"; }
third=$((n / 3))
if [ "$third" -ge 1 ]; then
	first_rss=$(max_of "${samples_rss[@]:0:third}")
	last_rss=$(max_of "${samples_rss[@]:n-third}")
	first_fds=$(max_of "${samples_fds[@]:0:third}")
	last_fds=$(max_of "${samples_fds[@]:n-third}")
	slack=$((first_rss / 10 > 4096 ? first_rss / 10 : 4096))
	echo "VmRSS: first third's highest $first_rss kB, last third's $last_rss kB (allowed +$slack kB);" \
		"fds: $first_fds, $last_fds"
	check "wicketd's memory is flat: the last third's highest VmRSS within 10% or 4 MB of the first third's" \
		test "$last_rss" -le $((first_rss + slack))
	# Descriptors under load vary with the connections in flight (8 at once from a batch).
	check "wicketd's descriptors do not grow under load (last third's highest within 8 of the first's)" \
		test "$last_fds" -le $((first_fds + 8))
else
	log_fail "too few samples of wicketd ($n)"
fi
check "no descriptor more after the run than before it ($fds0 before, $fds1 after)" test "$fds1" -le "$fds0"
check "integrity_check" test "$(sql 'PRAGMA integrity_check')" = ok
echo "wicketd's log, without the sessions' lines (first 40):"
grep -viE 'session [0-9]+|reconciled' "$dir/log" | head -n 40
lib_exit
