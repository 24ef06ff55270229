#!/bin/bash
# wicketd SIGKILLed at random points of a storm of logins (client API, by
# voucher), comps (wicketctl allow), keepalives, logouts, kicks, plan
# deadlines and keepalive timeouts from three guests at once, and
# restarted each time. After every restart: every acknowledged operation
# is in the store (a login the API answered active, an allow that said ok,
# a logout or kick that said ended); nothing is charged twice (one approved
# request and one voucher use per voucher, a session's charge the sum of
# what it was sold, one accounting start and, once ended, one stop per
# sold session); the kernel's open gates equal the store's open sessions
# within 2 s; PRAGMA integrity_check says ok.
# Kill points: 10, or 100 with WICKET_TORTURE=1 (make torture). The seed
# is random and printed; WICKET_SEED=N replays a run's kill points.
. "$(dirname "$0")/../lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "jq --version" jq

rounds=10
[ "${WICKET_TORTURE:-0}" = 1 ] && rounds=100
seed=${WICKET_SEED:-$((($(date +%s%N) / 1000) % 32768))}
echo "seed: $seed (rerun: WICKET_SEED=$seed), $rounds kill points"
RANDOM=$seed

load_wicket || exit 1
setup_gateway || exit 1
guests=(1 2 3)
for n in "${guests[@]}"; do add_guest "g$n" "$n" "02:00:00:00:0$n:0$n" || exit 1; done
# A keepalive every 5 s, one miss allowed: a guest whose keepalives stop
# (its worker picks other things, wicketd is down) is cut within 10 s.
wicketd_ka_interval=5 wicketd_ka_misses=2 wicketd_ports="r2 r3" wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
db=$dir/wicket.db
sql() { sqlite3 -cmd '.timeout 5000' "$db" "$1"; }

ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || exit 1
# Sessions that end at their plan's deadline while the storm goes on.
ctl plan add Blink --kind time --duration 3s --price 1 --currency EUR --methods voucher > /dev/null || exit 1
per_guest=$((rounds * 8))
for n in "${guests[@]}"; do
	# Hour and Blink vouchers in turn.
	paste -d '\n' <(ctl vouchers create --plan Hour --count "$per_guest" --csv | tail -n +2 | sed 's/,.*/ Hour/') \
		<(ctl vouchers create --plan Blink --count "$per_guest" --csv | tail -n +2 | sed 's/,.*/ Blink/') \
		> "$dir/codes$n"
	test "$(wc -l < "$dir/codes$n")" = $((2 * per_guest)) || { echo "vouchers for g$n not made"; exit 1; }
done
for n in "${guests[@]}"; do
	ns=g$n
	ping_ok "${!ns}" "10.0.$n.1"
	wait_until 3 eval "wnl client get r$n 02:00:00:00:0$n:0$n > /dev/null 2>&1" || { echo "g$n not seen"; exit 1; }
done

# One guest's storm, run in its namespace until $dir/stop exists: random
# operations, each acknowledged one appended to $dir/acks as "OP SESSION
# [VOUCHER | MINUTES MS]", every answer to $dir/answers. While $dir/pause
# exists it waits (after its operation in flight), saying so in
# $dir/paused.N. Bash builtins wherever they do (one new process an
# operation: the guest's own tool), for a loaded TCG guest spawns
# processes slowly.
worker() {
	local n=$1 mac=02:00:00:00:0$1:0$1 r out sess="" token="" minutes used codes plans ms
	local api=https://10.0.1.1:8443/api/v1
	RANDOM=$2
	mapfile -t codes < <(cut -d' ' -f1 "$dir/codes$n")
	mapfile -t plans < <(cut -d' ' -f2 "$dir/codes$n")
	used=$(< "$dir/used$n")
	[ -s "$dir/token$n" ] && read -r sess token < "$dir/token$n"
	# The value of a JSON answer's key: "key":"text" or "key": number.
	val() { [[ $out =~ \"$1\":\ ?\"?([a-z0-9]+) ]] && [ "${BASH_REMATCH[1]}" != null ] && echo "${BASH_REMATCH[1]}"; }
	while [ ! -e "$dir/stop" ]; do
		if [ -e "$dir/pause" ]; then
			: > "$dir/paused.$n"
			sleep 0.1
			continue
		fi
		r=$((RANDOM % 10))
		case $r in
		0 | 1 | 2)
			[ "$used" -lt ${#codes[@]} ] || continue
			used=$((used + 1))
			echo "$used" > "$dir/used$n"
			out=$(curl -sS -k --max-time 10 -H 'Content-Type: application/json' --data \
				"{\"plan\":\"${plans[used - 1]}\",\"method\":\"voucher\",\"voucher\":\"${codes[used - 1]}\"}" \
				"$api/login" 2>&1)
			echo "g$n login ${codes[used - 1]}: $out" >> "$dir/answers"
			if [ "$(val state)" = active ] && [ -n "$(val session)" ]; then
				sess=$(val session) token=$(val token)
				echo "login $sess ${codes[used - 1]}" >> "$dir/acks"
				echo "$sess $token" > "$dir/token$n"
			fi ;;
		3)
			minutes=$((RANDOM % 3 + 1))
			out=$(wicketctl --socket "$dir/control.sock" --json allow "$mac" --minutes "$minutes" 2>&1)
			ms=${EPOCHREALTIME/./}
			echo "g$n allow: $out" >> "$dir/answers"
			[ -n "$(val session)" ] && echo "allow $(val session) $minutes $((ms / 1000))" >> "$dir/acks" ;;
		4)
			[ -n "$token" ] || continue
			out=$(curl -sS -k --max-time 10 -H 'Content-Type: application/json' \
				-H "Authorization: Bearer $token" --data '{}' "$api/logout" 2>&1)
			echo "g$n logout: $out" >> "$dir/answers"
			[ "$(val state)" = ended ] && [ -n "$(val session)" ] && echo "logout $(val session)" >> "$dir/acks" ;;
		5)
			out=$(wicketctl --socket "$dir/control.sock" --json kick "$mac" 2>&1)
			echo "g$n kick: $out" >> "$dir/answers"
			[ -n "$(val session)" ] && echo "kick $(val session)" >> "$dir/acks" ;;
		*)
			# A keepalive of the session this guest last logged in to; the
			# counter is the clock's microseconds: it only grows, restarts or not.
			[ -n "$sess" ] && wicket-ka send "$dir/keepalive.key" "$sess" "${EPOCHREALTIME/./}" \
				10.0.1.1 4444 2> /dev/null ;;
		esac
	done
}
export -f worker
export dir

# The kernel's open gates and the store's open sessions, as "MAC SESSION" lines.
kernel_open() {
	wnl client list | awk '/state=(authorized|provisional)/ && !/flags=closed/ {
		m = s = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^mac=/) m = substr($i, 5)
			if ($i ~ /^session=/) s = substr($i, 9)
		}
		print m, s }' | sort
}
store_open() {
	sql "SELECT c.mac, s.id FROM sessions s JOIN clients c ON c.id = s.client_id
		WHERE s.state IN ('active', 'provisional')" | tr '|' ' ' | sort
}
same_open() { [ "$(kernel_open)" = "$(store_open)" ]; }

# Every acknowledged operation is in the store: the lines of $dir/acks
# that are not, printed (one query over them all).
acks_missing() {
	{
		echo "CREATE TEMP TABLE acks (op TEXT, session INTEGER, a TEXT, b INTEGER);"
		awk '{ printf "INSERT INTO acks VALUES (\x27%s\x27, %d, \x27%s\x27, %s);\n", $1, $2, $3, ($4 == "" ? 0 : $4) }' "$dir/acks"
		cat <<-'SQL'
		SELECT 'login: ' || session || ' ' || a FROM acks WHERE op = 'login' AND (
			(SELECT count(*) FROM billing_requests WHERE session_id = acks.session AND method = 'voucher'
				AND state = 'approved' AND detail = 'voucher ' || acks.a) != 1
			OR (SELECT count(*) FROM voucher_uses WHERE code = acks.a) != 1);
		-- A comp's deadline: a minute or more after it was acknowledged (less
		-- 5 s of latency; a later comp may give less than this one did).
		SELECT 'allow: ' || session || ' acknowledged at ' || b || ', deadline ' || ifnull(deadline_at, 'none')
			FROM acks LEFT JOIN sessions s ON s.id = acks.session
			WHERE op = 'allow' AND ifnull(deadline_at, 0) < b + 55000;
		SELECT op || ': ' || session || ' ' || ifnull(s.state || ' ' || s.end_reason, 'not ended')
			FROM acks LEFT JOIN sessions s ON s.id = acks.session
			WHERE op IN ('logout', 'kick') AND ifnull(s.state || ' ' || s.end_reason, '') != 'ended ' || op;
		SQL
	} | sqlite3 -cmd '.timeout 5000' "$db"
}

# Nothing charged twice; the lines that show it, printed.
charged_twice() {
	sql "SELECT 'voucher approved twice: ' || detail FROM billing_requests WHERE state = 'approved'
		GROUP BY detail HAVING count(*) > 1;
	SELECT 'voucher used twice: ' || code FROM voucher_uses GROUP BY code HAVING count(*) > 1;
	SELECT 'session ' || s.id || ' charged ' || s.charge || ', sold ' || ifnull(sum(p.price), 0)
		FROM sessions s LEFT JOIN billing_requests b ON b.session_id = s.id AND b.state = 'approved'
		LEFT JOIN plans p ON p.id = b.plan_id
		GROUP BY s.id HAVING s.charge != ifnull(sum(p.price), 0);
	CREATE TEMP VIEW sold AS SELECT DISTINCT session_id AS id FROM billing_requests WHERE state = 'approved';
	SELECT 'sold session ' || id || ' without one accounting start' FROM sold s
		WHERE (SELECT count(*) FROM outbox o WHERE o.session_id = s.id AND kind = 'start') != 1;
	SELECT 'ended sold session ' || s.id || ' without one accounting stop' FROM sold s
		JOIN sessions USING (id) WHERE state = 'ended'
		AND (SELECT count(*) FROM outbox o WHERE o.session_id = s.id AND kind = 'stop') != 1;
	SELECT 'unsold session ' || session_id || ' in the outbox' FROM outbox o
		WHERE session_id NOT IN (SELECT id FROM sold);
	SELECT 'client ' || client_id || ' has two open sessions' FROM sessions WHERE state != 'ended'
		GROUP BY client_id HAVING count(*) > 1"
}

touch "$dir/acks" "$dir/answers"
for n in "${guests[@]}"; do echo 0 > "$dir/used$n"; done
# wicketd is ready for guests once it says it runs (the portal opens after the control socket).
runs() { grep -c 'running: .* access ports' "$dir/log"; }
started() { [ "$(runs)" -gt "$1" ]; }
wait_until 20 started 0 || { echo "wicketd's portal did not open"; exit 1; }
t0=$(now_ms)
pids=()
bad_acks=0 bad_charges=0 bad_sync=0 bad_integrity=0
# The guests' storm runs throughout; a kill point comes after a random
# number of answers (1 to 8: the kill lands at a point of the storm, not
# of the wall clock, however slow the guest) and a random 0 to 500 ms more.
touch "$dir/pause"
for n in "${guests[@]}"; do
	ns=g$n
	ip netns exec "${!ns}" bash -c 'worker "$@"' worker "$n" "$((RANDOM + n))" &
	pids+=($!)
done
on_exit "touch $dir/stop"
answers() { wc -l < "$dir/answers"; }
answered() { [ "$(answers)" -ge "$1" ]; }
paused() { local n; for n in "${guests[@]}"; do [ -e "$dir/paused.$n" ] || return 1; done; }
for round in $(seq "$rounds"); do
	rm -f "$dir/pause"
	sleep 0.2
	rm -f "$dir"/paused.*
	steps=$((RANDOM % 8 + 1))
	wait_until 60 answered $(($(answers) + steps)) || echo "round $round: fewer than $steps answers in 60 s"
	delay=$((RANDOM % 500))
	sleep "0.$(printf '%03d' "$delay")"
	kill -KILL "$wicketd_pid"
	wait "$wicketd_pid" 2> /dev/null
	touch "$dir/pause"
	wait_until 60 paused || echo "round $round: the guests did not pause"
	before=$(runs)
	restarted=$(now_ms)
	wicketd_start && wait_until 20 started "$before" ||
		{ log_fail "round $round: wicketd does not start again"; break; }
	if ! wait_until 2 same_open; then
		bad_sync=$((bad_sync + 1))
		echo "round $round: the kernel's open gates (<) differ from the store's open sessions (>):"
		diff <(kernel_open) <(store_open)
		wnl client list
		sql "SELECT id, client_id, state, deadline_at - $(now_ms), keepalive_at, end_reason FROM sessions WHERE state != 'ended' OR ended_at > $(now_ms) - 30000"
		wait_until 10 same_open && echo "... equal $(($(now_ms) - restarted)) ms after the restart"
	fi
	missing=$(acks_missing)
	[ -z "$missing" ] || { bad_acks=$((bad_acks + 1)); echo "round $round: acknowledged, not in the store:"; echo "$missing"; }
	twice=$(charged_twice)
	[ -z "$twice" ] || { bad_charges=$((bad_charges + 1)); echo "round $round:"; echo "$twice"; }
	ic=$(sql 'PRAGMA integrity_check')
	[ "$ic" = ok ] || { bad_integrity=$((bad_integrity + 1)); echo "round $round: integrity_check: $ic"; }
	echo "round $round: killed $delay ms after answer $steps, $(($(now_ms) - t0)) ms in; $(wc -l < "$dir/acks") acks," \
		"$(sql "SELECT count(*) FROM sessions") sessions ($(store_open | wc -l) open)"
done
secs=$((($(now_ms) - t0) / 1000))
touch "$dir/stop"
stopped() { ! kill -0 "${pids[@]}" 2> /dev/null; }
if ! wait_until 15 stopped; then
	echo "guests still busy 15 s after the storm ended:"
	ps -ef --forest | grep -A3 -E "worker|curl|wicketctl|wicket-ka" | grep -v grep
	kill "${pids[@]}" 2> /dev/null
fi
wait "${pids[@]}" 2> /dev/null

count() { grep -c "^$1 " "$dir/acks"; }
echo "answers (first 40 of $(wc -l < "$dir/answers")):"
head -n 40 "$dir/answers"
echo "acknowledged: $(count login) logins, $(count allow) allows, $(count logout) logouts, $(count kick) kicks"
echo "sessions (id, plan, seconds sold, kept alive, how they ended):"
sql "SELECT s.id, ifnull(p.name, 'comp'), (s.deadline_at - s.started_at) / 1000, s.keepalive_at IS NOT NULL,
	ifnull(s.end_reason, s.state) FROM sessions s LEFT JOIN plans p ON p.id = s.plan_id" | tr '\n' ' '
echo
echo "ends: $(sql "SELECT end_reason || ' ' || count(*) FROM sessions WHERE state = 'ended' GROUP BY end_reason" | tr '\n' ' ')"
check "the storm exercised logins, allows, logouts and kicks that were acknowledged" \
	test "$(count login)" -gt 0 -a "$(count allow)" -gt 0 -a "$(count logout)" -gt 0 -a "$(count kick)" -gt 0
check "sessions ended by the kernel's timeouts too (their deadline or keepalives)" \
	test "$(sql "SELECT count(*) FROM sessions WHERE end_reason IN ('deadline', 'keepalive-timeout')")" -gt 0
check "$rounds kill points in $secs s: every acknowledged operation is in the store after each restart" \
	test "$bad_acks" = 0
check "... nothing charged twice, one accounting start and stop per sold session" test "$bad_charges" = 0
check "... the kernel's open gates equal the store's open sessions within 2 s of each restart" test "$bad_sync" = 0
check "... PRAGMA integrity_check says ok each time" test "$bad_integrity" = 0
check "wicketd runs after the last restart" kill -0 "$wicketd_pid"
grep -viE 'reconciled|session [0-9]+:' "$dir/log" | head -n 60
lib_exit
