#!/bin/bash
# vm: every kernel
# 100000 clients: a bulk load, a dump that is complete and consistent
# (every client once), a reset dump, and a bulk delete; then the module
# unloads with them in the table and traffic flowing, cleanly.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
wnl port set r1 charge || exit 1
N=100000
tmp=$(mktemp -d)
on_exit "rm -rf $tmp"

wnl client gen add r1 $N state authorized ip6-base fd00:1:1::0 || exit 1
check "$N clients in the table" grep -q "clients=$N" <<< "$(wnl config get)"

# The table grows behind the load; a dump that meets the resize is
# flagged torn (exit 3) and taken again, as wicketd does.
for try in 1 2 3 4 5; do
	wnl client list > "$tmp/dump"
	rc=$?
	[ "$rc" = 3 ] || break
	echo "dump $try: flagged torn, again"
done
check "a whole dump comes (torn ones are flagged)" test "$rc" = 0
check "the dump lists every client" test "$(wc -l < "$tmp/dump")" = $N
check "... each once" test "$(cut -d' ' -f2 "$tmp/dump" | sort -u | wc -l)" = $N
check "... with its IPv4 and IPv6 address" \
	test "$(grep -cE 'addrs=10\.(128|129)\.[0-9]+\.[0-9]+,fd00:1:1::[0-9a-f:]* state=authorized' "$tmp/dump")" = $N
check "the first and last generated clients are there" \
	grep -q 'mac=02:00:00:00:00:00 addrs=10.128.0.0,' "$tmp/dump"
last_mac=$(printf '02:00:00:%02x:%02x:%02x' $(((N - 1) >> 16)) $(((N - 1) >> 8 & 255)) $(((N - 1) & 255)))
check "... and the last one" grep -q "mac=$last_mac " "$tmp/dump"
check "a reset dump is complete too" test "$(wnl client list reset --count)" = $N
check "a torn dump never passes for a whole one" test "$(grep -c . "$tmp/dump")" = $N

# A dump that races with changes says so (NLM_F_DUMP_INTR, exit 3), or is
# complete: never silently torn.
(for i in $(seq 20); do wnl client gen add r1 100 mac-base 02:aa:00:00:00:00 ip-base 10.200.0.0 session-base $i > /dev/null 2>&1; wnl client gen del r1 100 mac-base 02:aa:00:00:00:00 > /dev/null 2>&1; done) &
churn=$!
torn=0 whole=0 other=0
for i in 1 2 3; do
	n=$(wnl client list --count 2> /dev/null)
	case $? in
	3) torn=$((torn + 1)) ;;
	0) [ "$n" = $N ] || [ "$n" = $((N + 100)) ] && whole=$((whole + 1)) || other=$((other + 1)) ;;
	*) other=$((other + 1)) ;;
	esac
done
wait "$churn"
echo "racing dumps: $torn flagged torn, $whole whole, $other neither"
check "a racing dump is flagged torn or is whole, never silently wrong" test "$other" = 0

# Unload with the table full and traffic flowing.
gmac=$(mac_of "$guest" eth0)
wnl client add r1 "$gmac" addr 10.0.1.2 state authorized || exit 1
check "the real client passes among $N others" ping_ok "$guest" 10.99.0.2
ip netns exec "$guest" ping -q -n -i 0.002 -w 3 10.99.0.2 > /dev/null 2>&1 &
pinger=$!
sleep 1
check "unload with $N clients and traffic flowing" rmmod wicket
wait "$pinger"
check "module is gone" test ! -d /sys/module/wicket
insmod "$(wicket_module)" || exit 1
check "and loads again, empty" test "$(wicket-nl client list --count)" = 0
lib_exit
