#!/bin/bash
# vm: every kernel
# wicket.ko loads and unloads cleanly, registers the generic netlink family
# "wicket", answers the version command through wicketctl (libmnl, the
# daemon's own kernel.c) and refuses it to processes without CAP_NET_ADMIN.
. "$(dirname "$0")/../lib.sh"

checktool "setpriv --version" setpriv
checktool "genl -V" "genl (iproute2)"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit $ksft_skip; }
ko=$(wicket_module)

family_listed() { genl ctrl get name wicket > /dev/null 2>&1; }

ok=1
for i in $(seq 20); do
	if ! insmod "$ko"; then ok=0; echo "insmod $i failed"; break; fi
	if ! family_listed; then ok=0; echo "family missing after load $i"; break; fi
	if ! rmmod wicket; then ok=0; echo "rmmod $i failed"; break; fi
	if family_listed; then ok=0; echo "family still there after unload $i"; break; fi
done
check "load, register family, unload: 20 times" test "$ok" = 1
check "wicketctl version fails while the module is not loaded" \
	bash -c '! wicketctl version 2> /dev/null'
check_error "... and says the module is not loaded" "not loaded" wicketctl version

load_wicket || exit 1
check "family 'wicket' registered" family_listed
out=$(wicketctl version)
check "wicketctl version shows the module's release and protocol" \
	grep -qE "^wicket.ko $(cat "$WICKET_TOP/VERSION") \(protocol 2, accepts 1..2\)$" <<< "$out"
json=$(wicketctl --json version)
check "wicketctl --json version carries the module's protocol" \
	grep -q '"protocol": 2' <<< "$json"
check "modinfo shows the release" \
	test "$(modinfo -F version "$ko")" = "$(cat "$WICKET_TOP/VERSION")"

# Without CAP_NET_ADMIN: as root with the capability dropped, and as nobody.
check_error "refused to root without CAP_NET_ADMIN" "CAP_NET_ADMIN.*Operation not permitted" \
	setpriv --inh-caps=-net_admin --bounding-set=-net_admin wicketctl version
check_error "refused to an unprivileged user" "Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups wicketctl version
check_error "an unprivileged user cannot change the gate" "Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups wicket-nl flush
check_error "nor list its clients" "Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups wicket-nl client list
check_error "nor listen to its events (they name guests' MACs)" "Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups wicket-nl events timeout 1
check "root may listen" wicket-nl events timeout 1
check "still answers root afterwards" wicketctl version

lib_exit
