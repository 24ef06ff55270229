#!/bin/bash
# vm: power cut
# The guest's power cut (QEMU SIGKILLed by the host) in the middle of a
# storm of logins (client API, by voucher), comps (wicketctl allow),
# keepalives, logouts and kicks from two guests, with wicketd's store on
# a persistent disk (ext4 on virtio-blk, tests/vm/run). Each operation
# wicketd acknowledged is logged on the host (the results share), so the
# log outlives the guest. After each cut the guest boots again on the same
# disk: the file system checks clean after its journal replay, PRAGMA
# integrity_check says ok, wicketd starts on the store, every acknowledged
# operation is in it (a login the API answered active, an allow that said
# ok, a logout or kick that said ended), nothing is charged twice (one
# approved request and one voucher use per voucher, a session's charge
# the sum of what it was sold, one accounting start and, once ended, one
# stop per sold session), and the kernel's open gates equal the store's
# open sessions within 2 s of the start.
# Cuts: 1, or 10 with WICKET_TORTURE=1 (make torture), each after a random
# number of answers (1 to 4; 1 to 12 in the torture) once every kind of
# operation has been acknowledged, and a random 0 to 500 ms more. The
# seed is random and printed; WICKET_SEED=N replays a run's choices (not
# the guest's timing).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../vm/power.sh"
power_require
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "e2fsck -V" e2fsprogs

cuts=1
[ "${WICKET_TORTURE:-0}" = 1 ] && cuts=10
boot=$WICKET_BOOT
state=$power_state
[ "$boot" = 1 ] && echo "${WICKET_SEED:-$((($(date +%s%N) / 1000) % 32768))}" > "$state/seed"
seed=$(< "$state/seed")
echo "boot $boot of $((cuts + 1)); seed: $seed (rerun: WICKET_SEED=$seed)"
RANDOM=$((seed + 7919 * boot))

# Where the time of a boot goes.
test0=$(now_ms)
stamp() { echo "[$(($(now_ms) - test0)) ms] $*"; }

# A fresh boot loads the modules of the gateway (veth) and of wicketd's
# firewall (nf_tables, conntrack, nat) from the host over 9p, slowly:
# they load while the disk is checked and mounted.
modprobe -a veth nft_chain_nat nft_redir nft_nat nft_limit &
mods=$!

mnt=/mnt/power
power_disk "$mnt" || exit 1
stamp "disk mounted"
load_wicket || exit 1
setup_gateway || exit 1
guests=(1 2)
for n in "${guests[@]}"; do add_guest "g$n" "$n" "02:00:00:00:0$n:0$n" || exit 1; done
stamp "gateway and guests made"
wait "$mods"

# wicketd's files on the disk; its log on the host, one for every boot.
wicketd_dir=$mnt/wicketd
dir=$wicketd_dir
db=$dir/wicket.db
sql() { sqlite3 -cmd '.timeout 5000' "$db" "$1"; }
# A keepalive every 5 s, one miss allowed: a guest whose keepalives stop
# (its worker picks other things, the power is off) is cut within 10 s.
wicketd_ka_interval=5 wicketd_ka_misses=2 wicketd_ports="r2"
if [ "$boot" = 1 ]; then
	mkdir -p "$dir" && chmod 755 "$dir" || exit 1
	(umask 077 && head -c 32 /dev/urandom > "$dir/keepalive.key")
	wicketd_config || exit 1
fi
ln -sfn "$state/wicketd.log" "$dir/log"
echo "wicketd: boot $boot" >> "$state/wicketd.log"

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

# What the guests were told, all boots: lines "OP SESSION [VOUCHER | MINUTES MS]".
acks() { cat "$state"/acks.* 2> /dev/null; }

# Every acknowledged operation is in the store: the ones that are not,
# printed (one query over them all).
acks_missing() {
	{
		echo "CREATE TEMP TABLE acks (op TEXT, session INTEGER, a TEXT, b INTEGER);"
		# b is milliseconds since 1970: printed as text, which awk's %d
		# (mawk: 32 bits) would cut to 2147483647.
		acks | awk '{ printf "INSERT INTO acks VALUES (\x27%s\x27, %d, \x27%s\x27, %s);\n", $1, $2, $3, $4 ~ /^[0-9]+$/ ? $4 : 0 }'
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
	} | sqlite3 -cmd '.timeout 5000' "$db" 2>&1
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
		GROUP BY client_id HAVING count(*) > 1" 2>&1
}
count() { acks | grep -c "^$1 "; }

# After a cut: the disk and the store as the power left them.
if [ "$boot" -gt 1 ]; then
	echo "e2fsck: exit $power_fsck_rc: $power_fsck_out"
	check "boot $boot: the file system is clean after the power cut and its journal's replay (e2fsck -fn)" \
		test "$power_fsck_rc" = 0
	ic=$(sql 'PRAGMA integrity_check')
	check "boot $boot: PRAGMA integrity_check of the store as the cut left it says ok ($ic)" test "$ic" = ok
fi

# wicketd is ready for guests once it says it runs (the portal opens after the control socket).
runs() { grep -c 'running: .* access ports' "$state/wicketd.log"; }
before=$(runs)
started() { [ "$(runs)" -gt "$before" ]; }
# wicketd's start in a fresh boot, slow on a loaded host, is given a
# minute, not lib.sh's 10 s.
t0=$(now_ms)
rm -f "$dir/control.sock"
ip netns exec "$router" wicketd -c "$dir/wicketd.conf" >> "$dir/log" 2>&1 &
wicketd_pid=$!
on_exit 'kill $wicketd_pid'
wait_until 60 started || { log_fail "boot $boot: wicketd does not start on the store"; exit 1; }
stamp "wicketd running, $(($(now_ms) - t0)) ms after its start"

if [ "$boot" -gt 1 ]; then
	if wait_until 2 same_open; then
		log_pass "boot $boot: the kernel's open gates equal the store's open sessions ($(store_open | wc -l)) within 2 s"
	else
		log_fail "boot $boot: the kernel's open gates (<) differ from the store's open sessions (>) 2 s after the start"
		diff <(kernel_open) <(store_open)
		wnl client list
	fi
	missing=$(acks_missing)
	check "boot $boot: each of the $(acks | wc -l) acknowledged operations is in the store" test -z "$missing"
	[ -z "$missing" ] || echo "acknowledged, not in the store:"$'\n'"$missing"
	twice=$(charged_twice)
	check "boot $boot: nothing charged twice, one accounting start and stop per sold session" test -z "$twice"
	[ -z "$twice" ] || echo "$twice"
	ic=$(sql 'PRAGMA integrity_check')
	check "boot $boot: PRAGMA integrity_check says ok with wicketd running ($ic)" test "$ic" = ok
	echo "store: $(sql "SELECT count(*) FROM sessions") sessions ($(store_open | wc -l) open)," \
		"ends: $(sql "SELECT end_reason || ' ' || count(*) FROM sessions WHERE state = 'ended' GROUP BY end_reason" | tr '\n' ' ')"
fi

if [ "$boot" -gt "$cuts" ]; then
	echo "acknowledged in all: $(count login) logins, $(count allow) allows, $(count logout) logouts, $(count kick) kicks"
	check "the storms had logins, allows and ends (logout, kick) acknowledged before their cuts" \
		test "$(count login)" -gt 0 -a "$(count allow)" -gt 0 -a "$(($(count logout) + $(count kick)))" -gt 0
	grep -viE 'reconciled|session [0-9]+:' "$state/wicketd.log" | tail -n 40
	stamp "end"
	lib_exit
fi

# The storm, up to the cut.
if [ "$boot" = 1 ]; then
	ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || exit 1
	# Sessions that end at their plan's deadline while the storm goes on.
	ctl plan add Blink --kind time --duration 3s --price 1 --currency EUR --methods voucher > /dev/null || exit 1
	per_guest=$((cuts * 6 + 6))
	all=$((per_guest * ${#guests[@]}))
	ctl vouchers create --plan Hour --count "$all" --csv | tail -n +2 | sed 's/,.*/ Hour/' > "$state/hour" &&
		ctl vouchers create --plan Blink --count "$all" --csv | tail -n +2 | sed 's/,.*/ Blink/' > "$state/blink" || exit 1
	for n in "${guests[@]}"; do
		# Hour and Blink vouchers in turn; the guests' bookkeeping on the host.
		lines=$(((n - 1) * per_guest + 1)),$((n * per_guest))p
		paste -d '\n' <(sed -n "$lines" "$state/hour") <(sed -n "$lines" "$state/blink") > "$state/codes$n"
		test "$(wc -l < "$state/codes$n")" = $((2 * per_guest)) || { echo "vouchers for g$n not made"; exit 1; }
		echo 0 > "$state/used$n"
	done
fi
for n in "${guests[@]}"; do
	ns=g$n
	ping_ok "${!ns}" "10.0.$n.1"
	wait_until 3 eval "wnl client get r$n 02:00:00:00:0$n:0$n > /dev/null 2>&1" || { echo "g$n not seen"; exit 1; }
done
# What the first boot set up (the config, wicketd's TLS key, the plans and
# vouchers) is not what is under test: on the disk before the storm.
sync
stamp "storm starts"

# One guest's storm, in its namespace, until the power goes (or
# $stop exists): random operations, each acknowledged one appended to
# $state/acks.N, every answer to $state/answers.N; the vouchers it used
# and its last session in $state too: all on the host, never lost.
stop=$(mktemp -u)
# Its first operations are those of $3 (numbers as in the case below),
# then random ones.
worker() {
	local n=$1 mac=02:00:00:00:0$1:0$1 r out sess="" token="" minutes used codes plans ms
	local api=https://10.0.1.1:8443/api/v1 first
	RANDOM=$2
	read -ra first <<< "$3"
	mapfile -t codes < <(cut -d' ' -f1 "$state/codes$n")
	mapfile -t plans < <(cut -d' ' -f2 "$state/codes$n")
	used=$(< "$state/used$n")
	[ -s "$state/token$n" ] && read -r sess token < "$state/token$n"
	# The value of a JSON answer's key: "key":"text" or "key": number.
	val() { [[ $out =~ \"$1\":\ ?\"?([a-z0-9]+) ]] && [ "${BASH_REMATCH[1]}" != null ] && echo "${BASH_REMATCH[1]}"; }
	while [ ! -e "$stop" ]; do
		r=$((RANDOM % 10))
		[ ${#first[@]} = 0 ] || { r=${first[0]}; first=("${first[@]:1}"); }
		case $r in
		0 | 1 | 2)
			[ "$used" -lt ${#codes[@]} ] || continue
			used=$((used + 1))
			echo "$used" > "$state/used$n"
			out=$(curl -sS -k --max-time 10 -H 'Content-Type: application/json' --data \
				"{\"plan\":\"${plans[used - 1]}\",\"method\":\"voucher\",\"voucher\":\"${codes[used - 1]}\"}" \
				"$api/login" 2>&1)
			echo "boot $boot login ${codes[used - 1]}: $out" >> "$state/answers.$n"
			if [ "$(val state)" = active ] && [ -n "$(val session)" ]; then
				sess=$(val session) token=$(val token)
				echo "login $sess ${codes[used - 1]}" >> "$state/acks.$n"
				echo "$sess $token" > "$state/token$n"
			fi ;;
		3)
			minutes=$((RANDOM % 3 + 1))
			out=$(wicketctl --socket "$dir/control.sock" --json allow "$mac" --minutes "$minutes" 2>&1)
			ms=${EPOCHREALTIME/./}
			echo "boot $boot allow: $out" >> "$state/answers.$n"
			[ -n "$(val session)" ] && echo "allow $(val session) $minutes $((ms / 1000))" >> "$state/acks.$n" ;;
		4)
			[ -n "$token" ] || continue
			out=$(curl -sS -k --max-time 10 -H 'Content-Type: application/json' \
				-H "Authorization: Bearer $token" --data '{}' "$api/logout" 2>&1)
			echo "boot $boot logout: $out" >> "$state/answers.$n"
			[ "$(val state)" = ended ] && [ -n "$(val session)" ] && echo "logout $(val session)" >> "$state/acks.$n" ;;
		5)
			out=$(wicketctl --socket "$dir/control.sock" --json kick "$mac" 2>&1)
			echo "boot $boot kick: $out" >> "$state/answers.$n"
			[ -n "$(val session)" ] && echo "kick $(val session)" >> "$state/acks.$n" ;;
		*)
			# A keepalive of the session this guest last logged in to; the
			# counter is the clock's microseconds: it only grows, cuts or not.
			[ -n "$sess" ] && wicket-ka send "$dir/keepalive.key" "$sess" "${EPOCHREALTIME/./}" \
				10.0.1.1 4444 2> /dev/null ;;
		esac
	done
}
export -f worker
export dir state stop boot

# Every kind of operation at stake from the start: g1 logs in and out,
# g2 is comped.
first=("0 4" "3")
for n in "${guests[@]}"; do
	ns=g$n
	ip netns exec "${!ns}" bash -c 'worker "$@"' worker "$n" "$((RANDOM + n))" "${first[n - 1]}" &
done
on_exit "touch $stop"
answers() { cat "$state"/answers.* 2> /dev/null | wc -l; }
answered() { [ "$(answers)" -ge "$1" ]; }
# Every kind of operation acknowledged (in this boot or an earlier one);
# then a random number of answers
# (1 to 4 or 12: a point of the storm, not of the wall clock, however slow the
# guest) and a random 0 to 500 ms more, which the host waits.
every_kind() { [ "$(count login)" -gt 0 ] && [ "$(count allow)" -gt 0 ] && [ "$(($(count logout) + $(count kick)))" -gt 0 ]; }
storm0=$(now_ms)
wait_until 60 every_kind || echo "boot $boot: not every kind of operation acknowledged in 60 s"
steps=$((RANDOM % (cuts > 1 ? 12 : 4) + 1))
wait_until 60 answered $(($(answers) + steps)) || echo "boot $boot: fewer than $steps answers in 60 s"
delay=$((RANDOM % 500))
stamp "power cut $delay ms after answer $steps, $(($(now_ms) - storm0)) ms into the storm;" \
	"$(acks | wc -l) acks so far"
power_cut "$delay"
# The storm goes on until the power goes; still here a minute later, the
# harness did not cut it.
sleep 60
log_fail "boot $boot: no power cut came 60 s after it was asked for"
lib_exit
