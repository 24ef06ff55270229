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
. "$(dirname "$0")/../storm.sh"
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
# (Kept for the whole test: same_open reckons keepalive windows with them.)
wicketd_ka_interval=5 wicketd_ka_misses=2 wicketd_ports="r2 r3"
wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir
# The storm (tests/storm.sh), its bookkeeping in wicketd's directory.
storm_dir=$dir storm_stop=$dir/stop
storm_vouchers $((rounds * 8)) "${guests[@]}" || exit 1
storm_seen "${guests[@]}" || exit 1

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
	storm_guest "$n" "$((RANDOM + n))"
	pids+=($!)
done
on_exit "touch $dir/stop"
answered() { [ "$(answers | wc -l)" -ge "$1" ]; }
paused() { local n; for n in "${guests[@]}"; do [ -e "$dir/paused.$n" ] || return 1; done; }
for round in $(seq "$rounds"); do
	rm -f "$dir/pause"
	sleep 0.2
	rm -f "$dir"/paused.*
	steps=$((RANDOM % 8 + 1))
	wait_until 60 answered $(($(answers | wc -l) + steps)) || echo "round $round: fewer than $steps answers in 60 s"
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
	echo "round $round: killed $delay ms after answer $steps, $(($(now_ms) - t0)) ms in; $(acks | wc -l) acks," \
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

echo "answers (first 40 of $(answers | wc -l)):"
answers | head -n 40
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
