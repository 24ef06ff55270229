#!/bin/bash
# wicket-helper end to end, with the real module, wicketd and dnsmasq: a
# guest laptop that arrives with a foreign static configuration (home
# office address, routes and DNS) is checked (the problem is reported),
# prepared (its settings saved, a DHCP lease from the venue with option
# 114), updated (the gateway's signed components installed; a tampered
# manifest or component, a wrong certificate, a gateway answering garbage
# and a full disk are each refused with nothing installed; a component on
# a local medium is not downloaded), logs in with a voucher, passes, is
# kept alive past several keepalive windows, is cut at the keepalive
# deadline when the helper is killed, logs in again and logs out, and gets
# its own configuration back byte for byte. A second guest does the same
# with busybox udhcpc instead of stock Debian's dhclient.
. "$(dirname "$0")/../lib.sh"
checktool "dnsmasq --version" dnsmasq
checktool "dhclient --version" dhclient
checktool "busybox udhcpc --help" "busybox udhcpc"
checktool "openssl version" openssl
checktool "jq --version" jq

load_wicket || exit 1
setup_gateway || exit 1

# add_foreign_guest VAR N MAC: a guest on access port r<N> set up for
# another network: 192.168.77.<N>0/24, its router and a second route
# there, MTU 1400, and its own resolv.conf (ip netns exec mounts it).
add_foreign_guest() {
	local var=$1 n=$2 mac=$3 ns
	setup_ns "$var" || return 1
	ns=${!var}
	ip link add eth0 netns "$ns" address "$mac" mtu 1400 type veth peer name "r$n" netns "$router" || return 1
	# A static home-office setup takes no router advertisements.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=0
	addr "$router" "r$n" "10.0.$n.1/24" "fd00:$n::1/64"
	ip -n "$router" link set "r$n" up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" addr add "192.168.77.${n}0/24" dev eth0
	ip -n "$ns" route add default via 192.168.77.1
	ip -n "$ns" route add 10.200.0.0/16 via 192.168.77.254
	mkdir -p "/etc/netns/$ns"
	on_exit "rm -rf /etc/netns/$ns"
	printf '# the home office\nnameserver 192.0.2.53\nsearch home.example\n' > "/etc/netns/$ns/resolv.conf"
}
add_foreign_guest guest1 1 02:00:00:00:01:01 || exit 1
add_foreign_guest guest2 2 02:00:00:00:02:02 || exit 1
wicketd_ka_interval=5 wicketd_ka_misses=3 wicketd_ports="r2" wicketd_config
dir=$wicketd_dir
wicketd_start || exit 1
ip netns exec "$router" "$WICKET_TOP/scripts/wicket-dnsmasq" -c "$dir/wicketd.conf" -d "$dir/run" \
	-- --log-facility="$dir/dnsmasq.log" > "$dir/dnsmasq.out" 2>&1 &
dnsmasq_pid=$!
on_exit "kill $dnsmasq_pid"
wait_until 10 grep -qs "DHCP, IP range 10.0.1" "$dir/dnsmasq.log" || { cat "$dir/dnsmasq.out"; exit 1; }

# helper N ARGS: wicket-helper as guest N, with its own run and state directories.
helper() {
	local g=guest$1
	ip netns exec "${!g}" wicket-helper --run-dir "$dir/h$1/run" --state-dir "$dir/h$1/state" "${@:2}"
}
# snapshot N: the guest's configuration as a person would look at it.
snapshot() {
	local g=guest$1
	ip -n "${!g}" addr show dev eth0
	ip -n "${!g}" -4 route show table main
	ip -n "${!g}" -6 route show table main
	cat "/etc/netns/${!g}/resolv.conf"
}
snapshot 1 > "$dir/before.1"
snapshot 2 > "$dir/before.2"
cp "/etc/netns/$guest1/resolv.conf" "$dir/resolv.before"

ctl plan add "Day pass" --kind time --duration 24h --price 5 --currency EUR --methods voucher > /dev/null || exit 1
codes=$(ctl vouchers create --plan "Day pass" --count 3 --csv)
code1=$(sed -n 2p <<< "$codes" | cut -d, -f1)
code2=$(sed -n 3p <<< "$codes" | cut -d, -f1)

# --- check: the foreign configuration is reported, nothing is changed.
out=$(helper 1 --json check)
rc=$?
echo "$out" | head -40
check "check fails on the foreign configuration" test $rc = 1
check "... and says the address is static and the gateway unreachable" \
	test "$(jq -r '.fits, .interface.ipv4, (.venue == null)' <<< "$out" | tr '\n' ' ')" = "false static true "
check "... naming the home DNS server it found" test "$(jq -r '.dns[0]' <<< "$out")" = 192.0.2.53
snapshot 1 > "$dir/after-check.1"
check "check changed nothing" cmp -s "$dir/before.1" "$dir/after-check.1"

# --- prepare: saved, and the venue's DHCP (dhclient) gives the rest.
out=$(helper 1 prepare 2>&1)
rc=$?
echo "$out"
check "prepare succeeds" test $rc = 0
check "... with a lease from the venue's port" ip -n "$guest1" -4 addr show dev eth0 scope global
check "... in the venue's network" grep -q "inet 10\.0\.1\." <<< "$(ip -n "$guest1" -4 addr show dev eth0)"
check_fails "... the old address gone" grep -q "192.168.77.10" <<< "$(ip -n "$guest1" addr show dev eth0)"
check "... the default route via the gateway" grep -q "default via 10.0.1.1" <<< "$(ip -n "$guest1" route)"
check "... the venue's DNS in resolv.conf" grep -q "^nameserver 10.0.1.1" "/etc/netns/$guest1/resolv.conf"
check "... the portal found from option 114" grep -q "portal: https://10.0.1.1:8443/" <<< "$out"
cp "$dir/h1/run/saved-network.json" "$dir/saved.first"
out=$(helper 1 prepare 2>&1)
check "a second prepare is harmless" test $? = 0
check "... and keeps the first save of the originals" cmp -s "$dir/h1/run/saved-network.json" "$dir/saved.first"
out=$(helper 1 --json discover)
echo "$out"
check "discover: the portal and its API, from DHCP option 114" \
	test "$(jq -r '.portal, .api, (.source | test("option 114"))' <<< "$out" | tr '\n' ' ')" = \
	"https://10.0.1.1:8443/ https://10.0.1.1:8443/api/captive true "
out=$(helper 1 --json check)
echo "$out" | jq -c '{fits, problems, components}'
check "check now reaches the venue, addressing by DHCP" \
	test "$(jq -r '.interface.ipv4, .venue.ipv4.gateway, .default_gateway' <<< "$out" | tr '\n' ' ')" = "dhcp 10.0.1.1 10.0.1.1 "
check "... and reports the components as missing" \
	test "$(jq -r '[.components[] | select(.state == "missing")] | length' <<< "$out")" -ge 3

# --- update. The real key, manifest and files, fetched as a guest would.
gcurl() { ip netns exec "$guest1" curl -sS -k --max-time 10 "$@"; }
www=$dir/www
mkdir -p "$www/api/v1/components/files"
for f in key manifest manifest.sig; do
	gcurl -o "$www/api/v1/components/$f" "https://10.0.1.1:8443/api/v1/components/$f"
done
key=$(tr -d '\n' < "$www/api/v1/components/key")
for f in $(jq -r '.components[].name' "$www/api/v1/components/manifest"); do
	gcurl -o "$www/api/v1/components/files/$f" "https://10.0.1.1:8443/api/v1/components/files/$f"
done
check "the gateway publishes ca.crt, network.json and helper.conf" \
	test "$(jq -r '[.components[].name] | join(" ")' "$www/api/v1/components/manifest")" = "ca.crt helper.conf network.json"
printf '{"captive": true, "user-portal-url": "https://10.0.1.1:9443/"}' > "$www/api/captive"
# fake_gateway CERT KEY: a web server on 10.0.1.1:9443 serving $www, as a
# gateway (or someone in its way) would.
fake_gateway() {
	[ -z "${fake_pid:-}" ] || { kill "$fake_pid"; wait "$fake_pid" 2> /dev/null; }
	(cd "$www" && exec ip netns exec "$router" openssl s_server -quiet -WWW -accept 10.0.1.1:9443 \
		-cert "$1" -key "$2" > /dev/null 2>&1) &
	fake_pid=$!
	on_exit 'kill $fake_pid 2> /dev/null'
	wait_until 5 sh -c "ip netns exec $router ss -ltn 'sport = :9443' | grep -q LISTEN"
}
# Runs against it keep their own run directory: what they find is not the venue's gateway.
fake="--run-dir $dir/h1/fake --api https://10.0.1.1:9443/api/captive"
fake_gateway "$dir/tls/portal.crt" "$dir/tls/portal.key"
# One byte of the manifest changed, its signature kept.
sed -i 's/"format":1/"format": 1/' "$www/api/v1/components/manifest"
out=$(helper 1 $fake update --key "$key" 2>&1)
echo "$out"
check "a tampered manifest is refused" grep -qi "not signed by" <<< "$out"
check "... nothing installed, no key pinned" test ! -e "$dir/h1/state/components/ca.crt/current" -a ! -e "$dir/h1/state/manifest.key"
gcurl -o "$www/api/v1/components/manifest" https://10.0.1.1:8443/api/v1/components/manifest
cp "$www/api/v1/components/files/network.json" "$dir/network.json"
printf '{"portal": "https://evil.example/"}' > "$www/api/v1/components/files/network.json"
out=$(helper 1 $fake update --key "$key" 2>&1)
echo "$out"
check "a tampered component is refused" grep -q "network.json" <<< "$out"
check "... and none of the components is installed" test -z "$(ls "$dir/h1/state/components"/*/current 2> /dev/null)"
cp "$dir/network.json" "$www/api/v1/components/files/network.json"
printf 'garbage\r\n\x00\xff' > "$www/api/captive"
out=$(helper 1 $fake discover 2>&1)
rc=$?
echo "$out"
check "a gateway answering garbage is refused, with what is wrong" test $rc = 1 -a -n "$out"
printf '{"captive": true, "user-portal-url": "https://10.0.1.1:9443/"}' > "$www/api/captive"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=10.0.1.1 -days 1 \
	-keyout "$dir/other.key" -out "$dir/other.crt" 2> /dev/null
fake_gateway "$dir/other.crt" "$dir/other.key"
out=$(helper 1 $fake update --key "$key" 2>&1)
echo "$out"
check "a gateway with another certificate than the pinned one is refused" \
	grep -q "different certificate" <<< "$out"
kill "$fake_pid"

# The venue's CA on a local medium, under another name: not downloaded.
mkdir -p "$dir/media"
cp "$www/api/v1/components/files/ca.crt" "$dir/media/venue-ca.pem"
# A full disk first: a state directory of 8 KiB.
mkdir -p "$dir/small"
mount -t tmpfs -o size=8k tmpfs "$dir/small"
on_exit "umount $dir/small"
cp -a "$dir/h1/state/pins" "$dir/small/"
out=$(ip netns exec "$guest1" wicket-helper --run-dir "$dir/h1/run" --state-dir "$dir/small" update 2>&1)
rc=$?
echo "$out"
check "a full disk during install is reported" test $rc = 1 -a -n "$(grep -i "space" <<< "$out")"
check "... with nothing installed and nothing left behind" \
	test -z "$(find "$dir/small/components" -name 'current' -o -name '.new*' 2> /dev/null)"
out=$(helper 1 --json update --local-dir "$dir/media")
rc=$?
echo "$out"
check "update installs the components" test $rc = 0
check "... pinning the gateway's key on first use" test "$(jq -r .key_pinned_now <<< "$out")" = true
check "... ca.crt taken from the local medium, not downloaded" \
	test "$(jq -r '.components[] | select(.name == "ca.crt") | .from' <<< "$out")" = local
check "... the rest from the gateway" \
	test "$(jq -r '[.components[] | select(.from == "gateway")] | length' <<< "$out")" = 2
for f in ca.crt helper.conf network.json; do
	check "... $f installed as published" cmp -s "$dir/h1/state/components/$f/current" "$www/api/v1/components/files/$f"
done
out=$(helper 1 --json update)
check "a second update finds everything current" \
	test "$(jq -r '[.components[] | select(.state == "current")] | length' <<< "$out")" = 3
out=$(helper 1 update --rollback 2>&1)
check "nothing to roll back after a first install" test $? = 1 -a -n "$out"
# The venue publishes a new helper.conf of its own: a newer version.
mkdir -p "$dir/venue-components"
printf '[update]\nlocal_dir = /media/venue\n' > "$dir/venue-components/helper.conf"
sed -i "/^\[gateway\]/a components_dir = $dir/venue-components" "$dir/wicketd.conf"
kill -HUP "$wicketd_pid"
wait_until 10 sh -c "ip netns exec $guest1 curl -sk https://10.0.1.1:8443/api/v1/components/files/helper.conf | grep -q media"
out=$(helper 1 --json check)
check "check sees the venue's new helper.conf as outdated" \
	test "$(jq -r '.components[] | select(.name == "helper.conf") | .state' <<< "$out")" = outdated
out=$(helper 1 update)
echo "$out"
check "update installs the new version" cmp -s "$dir/h1/state/components/helper.conf/current" "$dir/venue-components/helper.conf"
check "... keeping the previous one" cmp -s "$dir/h1/state/components/helper.conf/previous" "$www/api/v1/components/files/helper.conf"
out=$(helper 1 update --rollback helper.conf)
echo "$out"
check "update --rollback puts the previous version back" \
	cmp -s "$dir/h1/state/components/helper.conf/current" "$www/api/v1/components/files/helper.conf"
check "... and the next update installs the new one again" helper 1 update
check "... so that it is current" cmp -s "$dir/h1/state/components/helper.conf/current" "$dir/venue-components/helper.conf"
out=$(helper 1 --json check)
echo "$out" | jq -c '{fits, problems}'
check "check: this machine now fits the venue" test "$(jq -r .fits <<< "$out")" = true

# --- plans, login, keepalives.
out=$(helper 1 plans)
echo "$out"
check "plans lists the day pass with its price" grep -q "^Day pass .*5.00 EUR" <<< "$out"
check_fails "captive before login" ping_ok "$guest1" 10.99.0.2
out=$(helper 1 login --plan "Day pass" --method voucher --voucher "WRONG-CODE" 2>&1)
rc=$?
echo "$out"
check "a wrong voucher is refused, with the gateway's reason" test $rc != 0 -a -n "$out"
check_fails "... and the gate stays shut" ping_ok "$guest1" 10.99.0.2
out=$(helper 1 login --plan "Day pass" --method voucher --voucher "$code1")
echo "$out"
check "login with a voucher: approved" grep -q "^approved" <<< "$out"
check "the guest passes" ping_ok "$guest1" 10.99.0.2
session=$(jq -r .session "$dir/h1/run/session.json")
helper 1 keepalive > "$dir/ka.out" 2>&1 &
ka_pid=$!
ka_started=$(now_ms)
on_exit "kill $ka_pid 2> /dev/null"
# Two keepalive windows and more (interval 5 s x 3 misses), seven intervals,
# with a 6 s outage in the middle: the guest's packets to the gateway dropped.
# The first 12 s of them serve the second guest meanwhile (another port,
# no keepalives): busybox udhcpc, then restore by itself.
out=$(helper 2 prepare --dhcp-client udhcpc 2>&1)
echo "$out"
check "prepare with udhcpc: a lease in the venue's network" \
	grep -q "inet 10\.0\.2\." <<< "$(ip -n "$guest2" -4 addr show dev eth0)"
check "... and option 114 recorded" grep -q "^captive_url=https://10.0.1.1:8443/api/captive" "$dir/h2/run/lease"
out=$(helper 2 restore 2>&1)
echo "$out"
snapshot 2 > "$dir/after.2"
diff "$dir/before.2" "$dir/after.2"
check "restore puts the second guest's configuration back exactly" cmp -s "$dir/before.2" "$dir/after.2"
out=$(helper 2 restore 2>&1)
check "a second restore has nothing to do" grep -q "nothing to restore" <<< "$out"
left=$((ka_started + 12000 - $(now_ms)))
echo "the second guest took $((12000 - left)) ms of the first 12 s"
[ "$left" -le 0 ] || lib_sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
ip netns exec "$guest1" nft -f - <<-'NFT'
	table ip outage {
		chain out { type filter hook output priority 0; ip daddr 10.0.1.1 drop; }
	}
NFT
sleep 6
ip netns exec "$guest1" nft delete table ip outage
sleep 16
check "kept alive past two keepalive windows" ping_ok "$guest1" 10.99.0.2
cat "$dir/ka.out"
check "... riding out a short outage, and saying so" \
	sh -c "grep -q retrying $dir/ka.out && grep -q 'again' $dir/ka.out"
accepted=$(sqlite3 "$dir/wicket.db" "SELECT keepalive_at IS NOT NULL FROM sessions WHERE id = $session")
check "... by keepalives the gateway accepted" test "$accepted" = 1 -a "$(ctl --json status | jq '.keepalives.ok')" -ge 5
out=$(helper 1 status)
echo "$out"
check "status: approved, with the paid time left (not the keepalive window)" \
	grep -q "time left: 14[0-9][0-9] min" <<< "$out"
# The helper itself, not the shell that started it.
kill -9 "$(cat "$dir/h1/run/keepalive.pid")"
t0=$(now_ms)
wait_until 25 sh -c "! ip netns exec $guest1 ping -c 1 -W 1 10.99.0.2 > /dev/null"
cut_ms=$(($(now_ms) - t0))
check "killing the helper cuts the guest at the keepalive deadline (${cut_ms} ms, window 15000)" \
	test "$cut_ms" -le 18000
wait_until 10 sh -c "sqlite3 $dir/wicket.db 'SELECT end_reason FROM sessions WHERE id = $session' | grep -qx keepalive-timeout"
check "... recorded as keepalive-timeout" \
	test "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions WHERE id = $session")" = keepalive-timeout
out=$(helper 1 status)
echo "$out"
check "status says the session ended" grep -q "keepalive-timeout" <<< "$out"

out=$(helper 1 login --plan "Day pass" --method voucher --voucher "$code2" --stay > "$dir/stay.out" 2>&1 &
	echo $!)
stay_pid=$out
on_exit "kill $stay_pid 2> /dev/null"
wait_until 10 grep -q "keeping session" "$dir/stay.out"
check "login --stay: approved and keeping alive" grep -q "^approved" "$dir/stay.out"
check "the guest passes again" ping_ok "$guest1" 10.99.0.2
out=$(helper 1 logout 2>&1)
rc=$?
echo "$out"
check "logout succeeds" test $rc = 0
check "... and stops the keepalive sender" wait_until 5 sh -c "! kill -0 $stay_pid 2> /dev/null"
check_fails "... the guest is cut" ping_ok "$guest1" 10.99.0.2
check "... the store says logout" \
	test "$(sqlite3 "$dir/wicket.db" "SELECT end_reason FROM sessions ORDER BY id DESC LIMIT 1")" = logout
snapshot 1 > "$dir/after.1"
diff "$dir/before.1" "$dir/after.1"
check "logout restored the original static configuration exactly" cmp -s "$dir/before.1" "$dir/after.1"
check "... resolv.conf byte for byte" cmp -s "$dir/resolv.before" "/etc/netns/$guest1/resolv.conf"
check "... and no DHCP client is left running" \
	sh -c "! pgrep -f '^dhclient .*$dir/h1/run' > /dev/null"

check "wicketd lives on" kill -0 "$wicketd_pid"
lib_exit
