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
	grep -qE "^wicket.ko $(cat "$WICKET_TOP/VERSION") \(protocol 3, accepts 1..3\)$" <<< "$out"
json=$(wicketctl --json version)
check "wicketctl --json version carries the module's protocol" \
	grep -q '"protocol": 3' <<< "$json"
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

# Every command of the family (read from the uapi header, so a new one is
# covered too), and each dump, is refused without CAP_NET_ADMIN before
# its attributes are even read.
mapfile -t cmd_names < <(sed -n '/^enum wicket_cmd {/,/^};/s/^[[:space:]]*\(WICKET_CMD_[A-Z_]*\),.*/\1/p' \
	"$WICKET_TOP/kmod/uapi/wicket.h")
refused_all() {
	local i name bad="" n=0
	for i in "${!cmd_names[@]}"; do
		name=${cmd_names[$i]}
		case $name in WICKET_CMD_UNSPEC | WICKET_CMD_EVENT_*) continue ;; esac
		# PORT_GET and GARDEN_GET only dump (a "do" is not supported at all).
		case $name in
		WICKET_CMD_PORT_GET | WICKET_CMD_GARDEN_GET) ;;
		*)
			"$@" wicket-nl raw "$i" 2>&1 | grep -q "Operation not permitted" || bad+=" $name"
			n=$((n + 1)) ;;
		esac
		case $name in
		WICKET_CMD_PORT_GET | WICKET_CMD_CLIENT_GET | WICKET_CMD_GARDEN_GET)
			"$@" wicket-nl raw "$i" flags dump 2>&1 | grep -q "Operation not permitted" || bad+=" $name(dump)"
			n=$((n + 1)) ;;
		esac
	done
	echo "$n requests"
	[ "$n" -ge 17 ] && [ -z "$bad" ] || { echo "not refused:$bad"; return 1; }
}
check "every command and dump refused to an unprivileged user" \
	refused_all setpriv --reuid=65534 --regid=65534 --clear-groups
check "... and to root without CAP_NET_ADMIN" \
	refused_all setpriv --inh-caps=-net_admin --bounding-set=-net_admin
check "still answers root afterwards" wicketctl version

# Holds (WICKET_CMD_HOLD): a socket keeps the module loaded until it is
# closed. Holders read a FIFO that this shell keeps open (fd 9, not
# inherited), so closing fd 9 lets all of them go at once.
refcnt() { cat /sys/module/wicket/refcnt; }
refcnt_is() { [ "$(refcnt)" = "$1" ]; }
hold_dir=$(mktemp -d)
on_exit "rm -rf $hold_dir"
mkfifo "$hold_dir/fifo"
exec 9<> "$hold_dir/fifo"
on_exit "exec 9>&-"
# hold NAME [PREFIX...]: a holder in the background, run through PREFIX
# (a namespace, a user) with $hold_args; $! is its pid.
hold() {
	local name=$1
	shift
	# shellcheck disable=SC2086 # hold_args are words
	"$@" wicket-nl hold ${hold_args:-} < "$hold_dir/fifo" > "$hold_dir/$name" 2>&1 9>&- &
}
held() { grep -q '^held$' "$hold_dir/$1"; }
check "nothing holds the module to begin with" refcnt_is 0
hold first
first=$!
check "a socket holds it" wait_until 5 held first
check "... and the module's use count says so" refcnt_is 1
check_error "rmmod refuses while it is held" "in use" rmmod wicket
check "... and the family is still registered" family_listed
hold_args="count 3" hold again
check "the same socket holding three times holds once" wait_until 5 held again
check "... use count 2 with the first holder" refcnt_is 2
ns=$(mktemp -u holdns.XXXX)
ip netns add "$ns" && on_exit "ip netns del $ns"
hold netns ip netns exec "$ns"
check "a socket of another namespace holds too" wait_until 5 held netns
check "... use count 3" refcnt_is 3
hold nobody setpriv --reuid=65534 --regid=65534 --clear-groups
nobody=$!
wait "$nobody"
check "an unprivileged user may not hold it" grep -q "Operation not permitted" "$hold_dir/nobody"
check "... use count still 3" refcnt_is 3
kill -KILL "$first"
wait "$first" 2> /dev/null
check "a killed holder's hold ends with its socket" wait_until 5 refcnt_is 2
# The limit: WICKET_MAX_HOLDERS (64) sockets at once.
hold_args="sockets 62" hold many
check "64 sockets hold it at once" wait_until 10 held many
check "... use count 64" refcnt_is 64
hold over
over=$!
wait "$over"
check "the 65th is refused with a reason" grep -q "too many sockets hold the module" "$hold_dir/over"
check "... and holds nothing" refcnt_is 64
exec 9>&-
check "all holders gone: use count 0" wait_until 10 refcnt_is 0
check "rmmod works again" rmmod wicket
check "... and the module is out" bash -c '! grep -q "^wicket " /proc/modules'

lib_exit
