# shellcheck shell=bash
# A storm of guests' operations against wicketd, and the checks of the
# store after wicketd was cut short (SIGKILL, power cut). Source it after
# tests/lib.sh, once $wicketd_dir is set:
#   . "$(dirname "$0")/../storm.sh"
#
# $storm_dir      the storm's bookkeeping, one file a guest N: codesN
#                 ("VOUCHER PLAN" lines), usedN (vouchers used), tokenN
#                 (its last session and token), acks.N (each acknowledged
#                 operation: "OP SESSION [VOUCHER | MINUTES MS]"),
#                 answers.N (every answer)
# $storm_stop     the workers stop once this file exists
# $storm_tag      what each answer is marked with (default: gN)
# $storm_api      the client API (default: the gateway's first address)
# $storm_ka       where keepalives go, "ADDRESS PORT"
# sql QUERY       the answer of the store ($wicketd_dir/wicket.db)
# storm_vouchers COUNT GUEST...  plans Hour (1 h) and Blink (3 s) and
#                 COUNT vouchers of each for every guest, in turn in codesN
# storm_seen GUEST...  each guest's gate knows it
# storm_guest N SEED [OPS]  guest N's storm, in the background ($! its
#                 pid), in namespace gN, until $storm_stop exists; OPS its
#                 first operations (as numbered in storm_worker's case)
# acks, count OP, answers   all guests' acks, the acks of OP, the answers
# kernel_open, store_open   the kernel's open gates, the store's open
#                 sessions, as sorted "MAC SESSION" lines; same_open: they
#                 agree, but for the sessions changing while they are read
# acks_missing    the acknowledged operations not in the store
# charged_twice   what was charged twice (or its accounting is not once)

storm_api=${storm_api:-https://10.0.1.1:8443/api/v1}
storm_ka=${storm_ka:-10.0.1.1 4444}

sql() { sqlite3 -cmd '.timeout 5000' "$wicketd_dir/wicket.db" "$1"; }

storm_vouchers() {
	local count=$1 n all lines
	shift
	all=$((count * $#))
	ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || return 1
	# Sessions that end at their plan's deadline while the storm goes on.
	ctl plan add Blink --kind time --duration 3s --price 1 --currency EUR --methods voucher > /dev/null || return 1
	ctl vouchers create --plan Hour --count "$all" --csv | tail -n +2 | sed 's/,.*/ Hour/' > "$storm_dir/hour" &&
		ctl vouchers create --plan Blink --count "$all" --csv | tail -n +2 | sed 's/,.*/ Blink/' > "$storm_dir/blink" || return 1
	for n in "$@"; do
		lines=$(((n - 1) * count + 1)),$((n * count))p
		paste -d '\n' <(sed -n "$lines" "$storm_dir/hour") <(sed -n "$lines" "$storm_dir/blink") > "$storm_dir/codes$n"
		test "$(wc -l < "$storm_dir/codes$n")" = $((2 * count)) || { echo "vouchers for g$n not made"; return 1; }
		echo 0 > "$storm_dir/used$n"
	done
}

storm_seen() {
	local n ns
	for n in "$@"; do
		ns=g$n
		ping_ok "${!ns}" "10.0.$n.1"
		wait_until 3 eval "wnl client get r$n 02:00:00:00:0$n:0$n > /dev/null 2>&1" || { echo "g$n not seen"; return 1; }
	done
}

# One guest's storm: random operations, each answer and acknowledged one
# written down at once. While $storm_dir/pause exists it waits (after its
# operation in flight), saying so in $storm_dir/paused.N. Bash builtins
# wherever they do (one new process an operation: the guest's own tool),
# for a loaded TCG guest spawns processes slowly.
storm_worker() {
	local n=$1 mac=02:00:00:00:0$1:0$1 r out sess="" token="" minutes used codes plans ms first
	local tag=${storm_tag:-g$1} acks=$storm_dir/acks.$1 answers=$storm_dir/answers.$1 ka
	RANDOM=$2
	read -ra first <<< "${3:-}"
	read -ra ka <<< "$storm_ka"
	mapfile -t codes < <(cut -d' ' -f1 "$storm_dir/codes$n")
	mapfile -t plans < <(cut -d' ' -f2 "$storm_dir/codes$n")
	used=$(< "$storm_dir/used$n")
	[ -s "$storm_dir/token$n" ] && read -r sess token < "$storm_dir/token$n"
	# The value of a JSON answer's key: "key":"text" or "key": number.
	val() { [[ $out =~ \"$1\":\ ?\"?([a-z0-9]+) ]] && [ "${BASH_REMATCH[1]}" != null ] && echo "${BASH_REMATCH[1]}"; }
	while [ ! -e "$storm_stop" ]; do
		if [ -e "$storm_dir/pause" ]; then
			: > "$storm_dir/paused.$n"
			sleep 0.1
			continue
		fi
		r=$((RANDOM % 10))
		[ ${#first[@]} = 0 ] || { r=${first[0]}; first=("${first[@]:1}"); }
		case $r in
		0 | 1 | 2)
			[ "$used" -lt ${#codes[@]} ] || continue
			used=$((used + 1))
			echo "$used" > "$storm_dir/used$n"
			out=$(curl -sS -k --max-time 10 -H 'Content-Type: application/json' --data \
				"{\"plan\":\"${plans[used - 1]}\",\"method\":\"voucher\",\"voucher\":\"${codes[used - 1]}\"}" \
				"$storm_api/login" 2>&1)
			echo "$tag login ${codes[used - 1]}: $out" >> "$answers"
			if [ "$(val state)" = active ] && [ -n "$(val session)" ]; then
				sess=$(val session) token=$(val token)
				echo "login $sess ${codes[used - 1]}" >> "$acks"
				echo "$sess $token" > "$storm_dir/token$n"
			fi ;;
		3)
			minutes=$((RANDOM % 3 + 1))
			out=$(wicketctl --socket "$wicketd_dir/control.sock" --json allow "$mac" --minutes "$minutes" 2>&1)
			ms=${EPOCHREALTIME/./}
			echo "$tag allow: $out" >> "$answers"
			[ -n "$(val session)" ] && echo "allow $(val session) $minutes $((ms / 1000))" >> "$acks" ;;
		4)
			[ -n "$token" ] || continue
			out=$(curl -sS -k --max-time 10 -H 'Content-Type: application/json' \
				-H "Authorization: Bearer $token" --data '{}' "$storm_api/logout" 2>&1)
			echo "$tag logout: $out" >> "$answers"
			[ "$(val state)" = ended ] && [ -n "$(val session)" ] && echo "logout $(val session)" >> "$acks" ;;
		5)
			out=$(wicketctl --socket "$wicketd_dir/control.sock" --json kick "$mac" 2>&1)
			echo "$tag kick: $out" >> "$answers"
			[ -n "$(val session)" ] && echo "kick $(val session)" >> "$acks" ;;
		*)
			# A keepalive of the session this guest last logged in to; the
			# counter is the clock's microseconds: it only grows, whatever
			# cut wicketd short.
			[ -n "$sess" ] && wicket-ka send "$wicketd_dir/keepalive.key" "$sess" "${EPOCHREALTIME/./}" \
				"${ka[@]}" 2> /dev/null ;;
		esac
	done
}

storm_guest() {
	local ns=g$1
	export -f storm_worker
	export wicketd_dir storm_dir storm_stop storm_tag storm_api storm_ka
	ip netns exec "${!ns}" bash -c 'storm_worker "$@"' storm_worker "$@" &
}

acks() { cat "$storm_dir"/acks.* 2> /dev/null; }
count() { acks | grep -c "^$1 "; }
answers() { cat "$storm_dir"/answers.* 2> /dev/null; }

# The kernel's table (a dump that met a change, exit 3, is taken again).
kernel_list() {
	local out rc
	for _ in 1 2 3 4 5; do
		out=$(wnl client list)
		rc=$?
		[ "$rc" = 3 ] || break
	done
	[ "$rc" = 0 ] && printf '%s\n' "$out"
}
# "MAC SESSION" of the gates in a dump (stdin) that are open, or (closed) closed by the kernel.
gates_of() {
	awk -v want="$1" '/state=(authorized|provisional)/ {
		if ((want == "closed") != /flags=closed/) next
		m = s = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^mac=/) m = substr($i, 5)
			if ($i ~ /^session=/) s = substr($i, 9)
		}
		print m, s }' | sort
}
kernel_open() { kernel_list | gates_of open; }
store_open() {
	sql "SELECT c.mac, s.id FROM sessions s JOIN clients c ON c.id = s.client_id
		WHERE s.state IN ('active', 'provisional')" | tr '|' ' ' | sort
}
# The kernel's open gates against the store's open sessions. The two are
# read one after the other (each can take a second in a loaded guest)
# while the guests' sessions go on starting and ending: left out are the
# sessions with an event from a second before the reading on, and those
# whose time is up (or is within a second) by the store's reckoning: the
# kernel closes their gates on its own, and wicketd records the end a
# moment later. A gate the kernel closed early, or a session the two
# disagree on for longer, is still caught.
same_open() {
	local t0 list k s moving
	t0=$(now_ms)
	list=$(kernel_list) || return 1
	s=$(store_open)
	moving=$(sql "SELECT DISTINCT session_id FROM session_events WHERE at >= $((t0 - 1000))
		UNION SELECT id FROM sessions WHERE state IN ('active', 'provisional')
			AND min(ifnull(deadline_at, 9e18), ifnull(keepalive_at + 1000 * ${wicketd_ka_misses:-3} *
				ifnull(keepalive_s, ${wicketd_ka_interval:-30}), 9e18)) <= $(($(now_ms) + 1000))" | tr '\n' ' ')
	k=$(gates_of open <<< "$list" | leave_out "$moving")
	s=$(leave_out "$moving" <<< "$s")
	[ "$k" = "$s" ]
}
# The "MAC SESSION" lines of stdin but those of the sessions listed in $1 (space-separated).
leave_out() { awk -v m=" $1" '{ if (index(m, " " $2 " ") == 0) print }'; }

# One query over all the acks; sqlite3's errors are printed too, so that
# a store it cannot read fails the check.
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
	} | sqlite3 -cmd '.timeout 5000' "$wicketd_dir/wicket.db" 2>&1
}

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
