#!/bin/bash
# wicketd at scale, run by bench/run inside the VM (tests/vm/run): for a
# store of N active sessions (BENCH_SESSIONS, default 100000; several
# sizes allowed, e.g. "10000 20000 100000", each on a fresh store and an
# empty kernel table), on one access port (r1, a veth into a guest
# namespace):
#
#   - reconcile at start: wicketd starts on the full store with wicket.ko's
#     table empty (after a module reload or a reboot) and puts every
#     session's client into the kernel with its time left. Figures: the
#     elapsed time in wicketd's "reconciled" log line, when it gives one
#     ("... in 1234 ms"); the wall time from launch until the control
#     socket is there (wicketd opens it right after the reconcile); and
#     until `wicketctl status` answers. They count only if the kernel
#     then holds exactly N authorized clients, all on r1 with a session
#     and a timeout within the sessions' time left, and `wicketctl status`
#     says N authorized and N sessions active (the log's "N restored" is
#     checked too, but its wording may change: a mismatch is only noted).
#   - restart with the table kept (BENCH_RESTART=0 to skip): wicketd is
#     stopped (SIGTERM) and started again while the kernel keeps its N
#     clients (a daemon crash or upgrade); the same figures and checks.
#   - wicketd's memory once up (read as soon as the control socket is
#     there): VmRSS, VmHWM and RssAnon of /proc/PID/status, in KiB and per
#     session above wicketd on an empty store; again after the checks.
#   - the store's size on disk (database and WAL).
#
# The kernel's own memory for N clients is measured by bench/gate-cost.sh.
# Times are guest time under -b (tests/vm/run -b: -icount shift=0, one
# instruction per ns, repeatable) and emulated wall time otherwise (plain
# TCG, +-20% from run to run): the output says which.
#
# Prints "reconcile N ...", "memory N ..." and "restart N ..." lines per
# size, then a Markdown table; a size whose check failed prints FAIL and
# no figure.
. "$(dirname "$0")/../tests/lib.sh"

SIZES=${BENCH_SESSIONS:-100000}
MINUTES=${BENCH_MINUTES:-120}
RESTART=${BENCH_RESTART:-1}
# How long a start may take before it is given up (seconds).
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}

checktool "store-fill 2>&1 | grep -q usage" store-fill
checktool "wicketd --version" wicketd

if [ "${WICKET_BENCH:-0}" = 1 ]; then
	mode="benchmark mode (-b: -icount shift=0, 1 vCPU; guest time, repeatable)"
	unit="guest ms"
else
	mode="normal TCG mode ($(nproc) vCPUs; emulated wall time, +-20% run to run)"
	unit="ms, plain TCG"
fi
echo "daemon-scale on $(uname -r), $mode"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1

now_us() { echo "${EPOCHREALTIME/./}"; }
proc_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# A wicketd of our own (lib.sh's wicketd_start waits 10 s at most):
# daemon_start launches it on $wicketd_dir and waits for its control
# socket (opened right after the reconcile), reads its memory there, then
# waits for `wicketctl status` to answer (which reads the whole store and
# dumps the kernel's table). Sets $daemon, $sock_ms (launch until the
# socket is there, polled every 50 ms), $start_ms (launch until status
# answered), $rss_up, $hwm_up and $anon_up (VmRSS, VmHWM, RssAnon in KiB,
# at the socket), $status_json.
daemon=
on_exit '[ -z "$daemon" ] || { kill $daemon; wait $daemon; }'
daemon_start() {
	local t0 t1 deadline
	rm -f "$wicketd_dir/control.sock"
	log_from=1
	[ ! -f "$wicketd_dir/log" ] || log_from=$(($(wc -l < "$wicketd_dir/log") + 1))
	t0=$(now_us)
	ip netns exec "$router" wicketd -c "$wicketd_dir/wicketd.conf" >> "$wicketd_dir/log" 2>&1 &
	daemon=$!
	deadline=$((t0 + START_TIMEOUT * 1000000))
	until [ -S "$wicketd_dir/control.sock" ]; do
		if ! kill -0 "$daemon" 2> /dev/null; then
			echo "FAIL: wicketd exited during its start:"
			sed 's/^/  /' "$wicketd_dir/log"
			daemon=
			return 1
		fi
		if [ "$(now_us)" -gt "$deadline" ]; then
			echo "FAIL: wicketd did not open its control socket within $START_TIMEOUT s:"
			tail -n 5 "$wicketd_dir/log" | sed 's/^/  /'
			return 1
		fi
		sleep 0.05
	done
	sock_ms=$((($(now_us) - t0) / 1000))
	rss_up=$(proc_kib "$daemon" VmRSS) hwm_up=$(proc_kib "$daemon" VmHWM) anon_up=$(proc_kib "$daemon" RssAnon)
	status_json=$(ctl --json status) || { echo "FAIL: wicketctl status"; return 1; }
	t1=$(now_us)
	start_ms=$(((t1 - t0) / 1000))
	[ "$(cat "/proc/$daemon/comm")" = wicketd ] || { echo "FAIL: pid $daemon is not wicketd"; return 1; }
}
daemon_stop() {
	kill "$daemon" && wait "$daemon"
	daemon=
}
# The number after "KEY": in wicketctl's JSON.
json_num() { grep -o "\"$1\": *[0-9]*" <<< "$status_json" | head -n 1 | grep -o '[0-9]*$'; }

# The "reconciled" log lines of the last start; the elapsed ms the last
# of them gives, if one does ("... in 1234.5 ms", "1234ms"); empty otherwise.
reconcile_lines() { tail -n "+$log_from" "$wicketd_dir/log" | grep 'reconciled'; }
reconcile_ms() { reconcile_lines | grep -oE '[0-9]+(\.[0-9]+)? ?ms' | tail -n 1 | grep -oE '^[0-9.]+'; }

# check_kernel N WHAT: the kernel holds exactly N authorized clients, all
# on r1 with a session and a timeout within the sessions' time left
# (others, e.g. the guest namespace's own interface that wicketd learnt
# from the neighbour table, may be there captive), and wicketd's log says
# N WHAT ("restored", "kept"). A dump torn by the table's growth is taken
# again.
check_kernel() {
	local n=$1 what=$2 out rc try counts total auth ok
	for try in 1 2 3 4 5; do
		out=$(wnl client list 2> /dev/null)
		rc=$?
		[ "$rc" = 3 ] || break
		echo "dump $try was torn (the table was resizing): again"
		sleep 1
	done
	[ "$rc" = 0 ] || { echo "FAIL: N=$n: wicket-nl client list: exit $rc"; return 1; }
	# total, authorized, authorized on r1 with a session and time left
	counts=$(awk -v max=$((MINUTES * 60000)) '
		NF { total++
		     delete f
		     for (i = 1; i <= NF; i++) { j = index($i, "="); f[substr($i, 1, j - 1)] = substr($i, j + 1) }
		     if (f["state"] != "authorized")
			     next
		     auth++
		     if (f["port"] == "r1" && f["session"] + 0 > 0 && f["timeout_ms"] ~ /^[0-9]+$/ &&
			 f["timeout_ms"] + 0 > 0 && f["timeout_ms"] + 0 <= max)
			     ok++ }
		END { print total + 0, auth + 0, ok + 0 }' <<< "$out")
	read -r total auth ok <<< "$counts"
	if [ "$auth" != "$n" ] || [ "$ok" != "$n" ]; then
		echo "FAIL: N=$n: the kernel holds $total clients, $auth authorized, $ok of them on r1 with a session and time left"
		grep 'state=authorized' <<< "$out" | head -n 3
		return 1
	fi
	[ "$total" = "$n" ] || echo "note: N=$n: the kernel also holds $((total - n)) client(s) not authorized: $(grep -v 'state=authorized' <<< "$out" | head -n 2 | cut -d ' ' -f 1-5)"
	if [ "$(json_num authorized)" != "$n" ] || [ "$(json_num sessions_active)" != "$n" ]; then
		echo "FAIL: N=$n: wicketctl status says $(json_num authorized) authorized, $(json_num sessions_active) sessions active"
		return 1
	fi
	# The log's wording is wicketd's to change: a mismatch is only noted.
	reconcile_lines | grep -qE "(^|[^0-9])$n (sessions )?$what" ||
		echo "note: N=$n: wicketd's log does not say $n $what: $(reconcile_lines)"
	echo "check N=$n: the kernel holds $n authorized clients on r1 with their time left; log:"
	reconcile_lines | sed 's/^/  /'
}

# wicketd_config as lib.sh writes it; the keepalive key made private
# (wicketd refuses a key others can read).
config() {
	wicketd_config charge
	chmod 600 "$wicketd_dir/keepalive.key"
}

store_bytes() { cat "$wicketd_dir"/wicket.db "$wicketd_dir"/wicket.db-wal 2> /dev/null | wc -c; }

# Baseline: wicketd on an empty store.
config
daemon_start || exit 1
rss0=$rss_up hwm0=$hwm_up anon0=$anon_up
echo "baseline: wicketd on an empty store: VmRSS $rss0 KiB, VmHWM $hwm0 KiB, RssAnon $anon0 KiB, up in $start_ms ms ($unit)"
daemon_stop

declare -A fig
failed=0
for n in $SIZES; do
	# A fresh store and an empty kernel table.
	wicketd_dir=
	config
	wnl flush clients || exit 1
	fill=$(store-fill "$wicketd_dir/wicket.db" r1 "$n" --minutes "$MINUTES" 2>&1) || {
		echo "FAIL: N=$n: $fill"
		exit 1
	}
	grep -v 'schema migrated' <<< "$fill"
	fig[store,$n]=$(store_bytes)

	# 1. Reconcile at start, the kernel's table empty.
	if ! daemon_start; then
		failed=1
		[ -z "$daemon" ] || daemon_stop
		continue
	fi
	if ! check_kernel "$n" restored; then
		failed=1
		daemon_stop
		continue
	fi
	fig[rec,$n]=$(reconcile_ms)
	fig[sock,$n]=$sock_ms
	fig[start,$n]=$start_ms
	fig[rss,$n]=$rss_up
	fig[hwm,$n]=$hwm_up
	fig[anon,$n]=$anon_up
	fig[rss2,$n]=$(proc_kib "$daemon" VmRSS)
	fig[hwm2,$n]=$(proc_kib "$daemon" VmHWM)
	echo "reconcile $n log=${fig[rec,$n]:-n/a} socket=${fig[sock,$n]} status=${fig[start,$n]} ($unit)"
	echo "memory $n up: rss=${fig[rss,$n]} hwm=${fig[hwm,$n]} anon=${fig[anon,$n]} after status and checks: rss=${fig[rss2,$n]} hwm=${fig[hwm2,$n]} (KiB)"

	# 2. Restart with the kernel's table kept.
	if [ "$RESTART" = 1 ]; then
		daemon_stop
		if daemon_start && check_kernel "$n" kept; then
			fig[rrec,$n]=$(reconcile_ms)
			fig[rsock,$n]=$sock_ms
			fig[rstart,$n]=$start_ms
			fig[rhwm,$n]=$hwm_up
			echo "restart $n log=${fig[rrec,$n]:-n/a} socket=${fig[rsock,$n]} status=${fig[rstart,$n]} ($unit) up: rss=$rss_up hwm=$hwm_up (KiB)"
		else
			failed=1
		fi
	fi
	fig[store_up,$n]=$(store_bytes)
	[ -z "$daemon" ] || daemon_stop
	fig[ok,$n]=1
done

echo
echo "times in $unit; wicketd's memory in KiB, and in bytes per session above wicketd on an empty store (VmRSS $rss0, VmHWM $hwm0, RssAnon $anon0 KiB)"
echo "| wicketd ($(uname -r)) | $(for n in $SIZES; do printf 'N=%s | ' "$n"; done)"
echo "|---|$(for n in $SIZES; do printf -- '---|'; done)"
# row LABEL FUNCTION: one table row, FUNCTION N printing each cell.
row() {
	local n
	printf '| %s | ' "$1"
	for n in $SIZES; do
		if [ -n "${fig[ok,$n]:-}" ]; then printf '%s | ' "$("$2" "$n")"; else printf 'FAIL | '; fi
	done
	echo
}
# shellcheck disable=SC2317 # called through row
{
val() { echo "${fig[$1]:-n/a}"; }
rec() { val "rec,$1"; }
sock() { val "sock,$1"; }
start() { val "start,$1"; }
rrec() { val "rrec,$1"; }
rsock() { val "rsock,$1"; }
rstart() { val "rstart,$1"; }
rss() { val "rss,$1"; }
hwm() { val "hwm,$1"; }
rss2() { val "rss2,$1"; }
hwm2() { val "hwm2,$1"; }
rhwm() { val "rhwm,$1"; }
rss_hwm2() { echo "$(rss2 "$1") / $(hwm2 "$1")"; }
rss_per() { echo $(((fig[rss,$1] - rss0) * 1024 / $1)); }
hwm_per() { echo $(((fig[hwm,$1] - hwm0) * 1024 / $1)); }
anon() { val "anon,$1"; }
anon_per() { echo $(((fig[anon,$1] - anon0) * 1024 / $1)); }
store() { val "store,$1"; }
store_per() { echo $((fig[store,$1] / $1)); }
store_up() { val "store_up,$1"; }
}
row "reconcile at start, kernel table empty ($unit, from wicketd's log)" rec
row "launch to control socket, i.e. through the reconcile ($unit)" sock
row "launch to \`wicketctl status\` answered ($unit)" start
if [ "$RESTART" = 1 ]; then
	row "restart, kernel table kept: reconcile ($unit, from wicketd's log)" rrec
	row "restart, kernel table kept: launch to control socket ($unit)" rsock
	row "restart, kernel table kept: launch to status answered ($unit)" rstart
fi
row "wicketd VmRSS once up (KiB)" rss
row "wicketd VmHWM once up (KiB)" hwm
row "VmRSS per session (bytes)" rss_per
row "VmHWM per session (bytes)" hwm_per
row "RssAnon once up (KiB; the heap, without the libraries' pages)" anon
row "RssAnon per session (bytes)" anon_per
row "VmRSS / VmHWM after status and the checks (KiB)" rss_hwm2
[ "$RESTART" = 1 ] && row "VmHWM once up after the restart (KiB)" rhwm
row "store on disk after the fill (bytes)" store
row "store per session (bytes)" store_per
row "store after wicketd's runs (bytes, database + WAL)" store_up
[ "$failed" = 0 ] || exit 1
exit 0
