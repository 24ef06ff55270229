#!/bin/bash
# The store's disk fills up under a running wicketd (a 2 MB tmpfs): a
# login of a client the store knows (client API: 503) and a comp
# (wicketctl allow) are refused with an error saying the store cannot be
# written, nobody new passes, the paid guest keeps passing, its status
# answers (a read) and its logout is refused the same way (an end that
# cannot be recorded leaves the session running), an unrecorded voucher
# stays unused and nothing committed is lost; a kick that cannot be
# recorded is refused too and leaves the session as it was. When space
# comes back, the same voucher logs in, comps work, and the accounting
# Start and Stop go out to the network management system (FreeRADIUS),
# each once and acknowledged; the paid guest's session bills exactly the
# bytes that reached the upstream and came back from it (nftables
# counters there), those the kernel counted on a full disk included.
# Then a read-only store (its tmpfs remounted read-only, wicketd
# restarted): wicketd either runs and refuses logins the same way, or
# refuses to start saying why; the kernel keeps enforcing (the paid
# guest passes, the others do not).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../radius/lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "jq --version" jq
checktool "perl -v" perl
checktool "nft --version" nftables
checktool "test -x /usr/sbin/freeradius -o -x /usr/sbin/radiusd" freeradius

load_wicket || exit 1
setup_gateway || exit 1
for n in 1 2 3; do add_guest "g$n" "$n" "02:00:00:00:0$n:0$n" || exit 1; done
radius_start -n "$upstream" -a 10.99.0.2 -c 10.99.0.1 || exit 1

# The store alone on a 2 MB tmpfs.
mnt=$(mktemp -d)
mount -t tmpfs -o size=2m,mode=755 wicket-store "$mnt" || { echo "SKIP: no tmpfs"; exit 4; }
on_exit "umount -l $mnt; rmdir $mnt"
wicketd_ports="r2 r3"
# timeout = 3: on a loaded VM an answer can take more than a second, and a
# Start sent again reaches the server twice.
wicketd_extra_config="[radius]
server = 10.99.0.2:$radius_auth_port
accounting_server = 10.99.0.2:$radius_acct_port
secret_file = $radius_secret_file
nas_identifier = gw-vm-store
timeout = 3
retries = 1
interim = 0
dictionary = $WICKET_TOP/packaging/radius/dictionary.radcli"
wicketd_config || exit 1
sed -i "s|^store = .*|store = $mnt/wicket.db|" "$wicketd_dir/wicketd.conf"
wicketd_start || exit 1
dir=$wicketd_dir
db=$mnt/wicket.db
sql() { sqlite3 -cmd '.timeout 5000' "$db" "$1"; }
hex() { printf '%016x' "$1"; }
# The client API as guest N: login N PLAN CODE prints the answer and the
# HTTP status on its last line.
login() {
	local ns=g$1
	ip netns exec "${!ns}" curl -sS -k --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' \
		--data "{\"plan\":\"$2\",\"method\":\"voucher\",\"voucher\":\"$3\"}" https://10.0.1.1:8443/api/v1/login
}
# The client API as guest 1 with its token: api1 METHOD PATH prints the answer and the HTTP status.
api1() {
	ip netns exec "$g1" curl -sS -k --max-time 10 -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $token1" \
		${3:+-H 'Content-Type: application/json' --data "$3"} "https://10.0.1.1:8443/api/v1/$2"
}
runs() { grep -c 'running: .* access ports' "$dir/log"; }
started() { [ "$(runs)" -gt "$1" ]; }
wait_until 20 started 0 || { echo "wicketd's portal did not open"; cat "$dir/log"; exit 1; }

# What g1 sends to the upstream and gets back from it, as the upstream counts it.
ip netns exec "$upstream" nft -f - <<-'NFT' || exit 1
	table inet watch {
		counter up { }
		counter down { }
		chain input {
			type filter hook input priority -10;
			ip saddr 10.0.1.2 counter name up
			ip6 saddr fd00:1::2 counter name up
		}
		chain output {
			type filter hook output priority -10;
			ip daddr 10.0.1.2 counter name down
			ip6 daddr fd00:1::2 counter name down
		}
	}
NFT
arrived() {
	ip netns exec "$upstream" nft list counter inet watch "$1" |
		awk '/bytes/ { for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }'
}

ctl plan add Hour --kind time --duration 1h --price 3 --currency EUR --methods voucher > /dev/null || exit 1
mapfile -t codes < <(ctl vouchers create --plan Hour --count 4 --csv | tail -n +2 | cut -d, -f1)
for n in 1 2 3; do
	ns=g$n
	ping_ok "${!ns}" "10.0.$n.1"
done

out=$(login 1 Hour "${codes[0]}")
s1=$(head -n 1 <<< "$out" | jq -r .session)
token1=$(head -n 1 <<< "$out" | jq -r .token)
check "g1 logs in before the disk fills" test "$(tail -n 1 <<< "$out")/$(head -n 1 <<< "$out" | jq -r .state)" = 200/active
check "... and passes" ping_ok "$g1" 10.99.0.2
acked() { [ "$(sql "SELECT count(*) FROM outbox WHERE session_id = $1 AND acked_at IS NOT NULL")" = "$2" ]; }
check "... its accounting Start is acknowledged" wait_until 10 acked "$s1" 1

# The disk fills up.
before=$(sql "SELECT count(*) || ' ' || sum(charge) FROM sessions")
check "g2 is a client the store knows (seen before)" \
	test "$(sql "SELECT count(*) FROM clients WHERE mac = '02:00:00:00:02:02'")" = 1
dd if=/dev/zero of="$mnt/fill" bs=64k > /dev/null 2>&1
echo "store's disk: $(df -h "$mnt" | tail -n 1)"
out=$(login 2 Hour "${codes[1]}")
echo "login on a full disk: $out"
check "disk full: g2's login is refused with 503" test "$(tail -n 1 <<< "$out")" = 503
check "... saying the store cannot be written" grep -q "cannot be written" <<< "$(head -n 1 <<< "$out")"
check_fails "... and g2 does not pass" ping_ok "$g2" 10.99.0.2
check_error "disk full: wicketctl allow is refused, saying the store cannot be written" \
	"cannot be written" ctl allow 02:00:00:00:03:03 --minutes 5
check_fails "... and g3 does not pass" ping_ok "$g3" 10.99.0.2
check "the paid guest keeps passing" ping_ok "$g1" 10.99.0.2
out=$(api1 GET status)
echo "status on a full disk: $out"
check "disk full: the paid guest's status answers 200, its session active" \
	test "$(tail -n 1 <<< "$out")/$(head -n 1 <<< "$out" | jq -r '"\(.session)/\(.state)"')" = "200/$s1/active"
out=$(api1 POST logout '{}')
echo "logout on a full disk: $out"
check "disk full: its logout is refused with 503, saying the store cannot be written" \
	test "$(tail -n 1 <<< "$out")/$(head -n 1 <<< "$out" | jq -r .error | grep -c 'cannot be written')" = 503/1
check "... its session still open in the store" test "$(sql "SELECT state FROM sessions WHERE id = $s1")" = active
check "... and g1 still passes" ping_ok "$g1" 10.99.0.2
check "the voucher refused was not used" test "$(sql "SELECT count(*) FROM voucher_uses WHERE code = '${codes[1]}'")" = 0
check "wicketd lives on" kill -0 "$wicketd_pid"

# Space comes back.
rm -f "$mnt/fill"
out=$(login 2 Hour "${codes[1]}")
check "space back: the same voucher logs g2 in" test "$(tail -n 1 <<< "$out")/$(head -n 1 <<< "$out" | jq -r .state)" = 200/active
s2=$(head -n 1 <<< "$out" | jq -r .session)
check "... g2 passes" ping_ok "$g2" 10.99.0.2
check "... wicketctl allow works again" ctl allow 02:00:00:00:03:03 --minutes 5
check "... g3 passes" ping_ok "$g3" 10.99.0.2
check "... g2's Start goes out and is acknowledged" wait_until 10 acked "$s2" 1
check "... and reached the server once" test "$(radius_arrivals "$(hex "$s2")" Start)" = 1
check "nothing committed before the disk filled was lost" \
	test "$(sql "SELECT count(*) || ' ' || sum(charge) FROM sessions WHERE id <= $s1")" = "$before"

# The disk fills again: a kick's end of session and its accounting Stop
# cannot be written, so the kick is refused and g1 keeps its session
# (nothing half-done).
dd if=/dev/zero of="$mnt/fill" bs=64k > /dev/null 2>&1
check_error "disk full: a kick is refused, saying the store cannot be written" \
	"cannot be written" ctl kick 02:00:00:00:01:01
check "... and g1 still passes, its session open in the store" \
	test "$(sql "SELECT state FROM sessions WHERE id = $s1")" = active
check "... g1 passes" ping_ok "$g1" 10.99.0.2
rm -f "$mnt/fill"
check "space back: the kick goes through" ctl kick 02:00:00:00:01:01
check "... g1's Stop goes out and is acknowledged" wait_until 10 acked "$s1" 2
check "... reached the server once" test "$(radius_arrivals "$(hex "$s1")" Stop)" = 1
check_fails "... and g1 is out" ping_ok "$g1" 10.99.0.2
# The logout and the kick refused read (and reset) the kernel's counters
# on a full disk, and a sweep may have: the session has every byte all the same.
billed=$(sql "SELECT up_bytes || ' ' || down_bytes FROM sessions WHERE id = $s1")
echo "g1's session billed up/down: $billed; arrived upstream/back: $(arrived up) $(arrived down)"
check "g1's session billed exactly the bytes that arrived upstream and back" \
	test "$billed" = "$(arrived up) $(arrived down)" -a "$(arrived up)" -gt 0

# A store that cannot be written at all: read-only under a restarted wicketd.
kill "$wicketd_pid"
wait "$wicketd_pid" 2> /dev/null
mount -o remount,ro "$mnt" || { log_fail "remount read-only"; lib_exit; }
before=$(runs)
wicketd_start
if wait_until 20 started "$before"; then
	check "read-only store: g2's session is still enforced" ping_ok "$g2" 10.99.0.2
	out=$(login 1 Hour "${codes[3]}")
	echo "login on a read-only store: $out"
	check "read-only store: a new login is refused with 503, saying the store cannot be written" \
		test "$(tail -n 1 <<< "$out")" = 503 -a "$(grep -c 'cannot be written' <<< "$out")" = 1
	check_fails "... and g1 does not pass" ping_ok "$g1" 10.99.0.2
else
	grep -i store "$dir/log" | tail -n 3
	check "read-only store: wicketd refuses to start, saying why" grep -qiE 'read-only|readonly' "$dir/log"
	check "... and the kernel keeps enforcing: g2 passes" ping_ok "$g2" 10.99.0.2
	check_fails "... g1 does not" ping_ok "$g1" 10.99.0.2
fi
mount -o remount,rw "$mnt"
check "the store is sound" test "$(sql 'PRAGMA integrity_check')" = ok
cat "$dir/log"
lib_exit
