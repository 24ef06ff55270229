#!/bin/bash
# vm: every kernel
# wicketd as its own user ([gateway] user): started as root, it becomes
# the user before it opens anything and keeps CAP_NET_ADMIN and
# CAP_NET_BIND_SERVICE only, in every thread, with no_new_privs and a
# bounding set that cannot give anything back. It still drives wicket.ko
# and nftables (a comp lets a guest through, a kick cuts it, a reload
# works). A user that does not exist, and a store directory the user
# cannot write, are refused at start with what to do.
. "$(dirname "$0")/../lib.sh"
checktool "useradd --help" useradd
checktool "setpriv --help" setpriv

load_wicket || exit 1
setup_gateway || exit 1
add_guest g1 1 02:00:00:00:01:01 || exit 1
user=wicketd-t$$
useradd --system --no-create-home --user-group "$user" || exit 1
on_exit "userdel $user"
wicketd_config
dir=$wicketd_dir
sed -i "/^\[gateway\]/a user = $user\nstaff_group = $user" "$dir/wicketd.conf"
chown -R "$user:$user" "$dir"

# Refusals first: each leaves nothing running.
sed "s/^user = .*/user = nosuch$$/" "$dir/wicketd.conf" > "$dir/nouser.conf"
check_error "a user that does not exist is refused, with the useradd to run" "there is no user nosuch$$: create it" \
	ip netns exec "$router" wicketd -c "$dir/nouser.conf"
mkdir -p "$dir/rootonly"
chmod 755 "$dir/rootonly"
chown root:root "$dir/rootonly"
sed "s|^store = .*|store = $dir/rootonly/wicket.db|" "$dir/wicketd.conf" > "$dir/rootstore.conf"
check_error "a store directory the user cannot write is refused, with the chown to run" \
	"cannot write $dir/rootonly.*chown $user $dir/rootonly" \
	ip netns exec "$router" wicketd -c "$dir/rootstore.conf"
check "... and nothing was created there" test -z "$(ls -A "$dir/rootonly")"

wicketd_start || exit 1
uid=$(id -u "$user")
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$wicketd_pid/status" | tr -s '\t ' ' '; }
check "wicketd runs as the user (real, effective, saved, fs)" test "$(status Uid)" = "$uid $uid $uid $uid"
check "... and its group" test "$(status Gid)" = "$(id -g "$user") $(id -g "$user") $(id -g "$user") $(id -g "$user")"
# CAP_NET_ADMIN (12) and CAP_NET_BIND_SERVICE (10): 0x1400.
check "with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only" \
	test "$(status CapEff) $(status CapPrm)" = "0000000000001400 0000000000001400"
check "... none inheritable or ambient" test "$(status CapInh) $(status CapAmb)" = "0000000000000000 0000000000000000"
check "... a bounding set of those two" test "$(status CapBnd)" = "0000000000001400"
check "... and no_new_privs" test "$(status NoNewPrivs)" = 1
threads=0 bad=0
for t in /proc/$wicketd_pid/task/*/status; do
	threads=$((threads + 1))
	grep -q "^Uid:[[:space:]]*$uid[[:space:]]" "$t" || bad=$((bad + 1))
	grep -qE "^CapEff:[[:space:]]*00000000000014|^CapEff:[[:space:]]*0000000000000000" "$t" || bad=$((bad + 1))
done
check "every one of its $threads threads likewise" test "$threads" -gt 1 -a "$bad" = 0
check "the store is the user's" test "$(stat -c %U "$dir/wicket.db")" = "$user"

check "wicketctl (root) reaches it" ctl status
check "the portal answers guests" \
	sh -c "ip netns exec $g1 curl -sk --max-time 5 https://10.0.1.1:8443/api/captive | grep -q user-portal-url"
check "it installed its nftables table" ip netns exec "$router" nft list table inet wicket
check_fails "the guest is captive" ping_ok "$g1" 10.99.0.2
check "a comp goes through to wicket.ko" ctl allow 02:00:00:00:01:01 --minutes 10
check "... and the guest passes" ping_ok "$g1" 10.99.0.2
kill -HUP "$wicketd_pid"
check "a reload works as the user" wait_until 5 grep -q "reload" "$dir/log"
check "... and wicketd answers after it" ctl status
check "a kick goes through to wicket.ko" ctl kick 02:00:00:00:01:01
check_fails "... and cuts the guest" ping_ok "$g1" 10.99.0.2
check "wicketd lives on" kill -0 "$wicketd_pid"
cat "$dir/log"
lib_exit
