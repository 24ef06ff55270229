#!/bin/bash
# docs/operator-guide.md, run block by block as written (the blocks come
# out of the markdown: tests/style/docs-lib.sh) on the venue it describes:
# a router namespace with wan0 to the internet line (and the NMS, a real
# FreeRADIUS at 198.51.100.1), lan a trunk to a switch whose VLAN 101, 102
# and 103 ports hold the rooms' guests. The blocks install wicket (the
# package `make deb` built, when there is one; `make install`), load the
# module, make the rooms' VLANs, write the config, start wicketd and
# wicket-dnsmasq, and so on to the backup, the restore and a reload.
# After each block, what the guide says happens: the files and the user
# are there; the module is loaded at boot; the VLANs; --check-config's
# "ok (2 access ports)"; wicketd runs as wicket and answers; guests get
# DHCP leases; plans, 20 vouchers, the guest list; a voucher gets a
# laptop online; the NMS answers radclient and stores the session's
# accounting Start and, after a kick, its Stop; a comp lets a guest in and
# a kick puts one out; the report; ports set and reset; the backup passes
# PRAGMA integrity_check and the restore brings back exactly its store;
# the reload adds room 103 without a restart.
#
# The VM is not the router the guide has in mind in three ways, each
# made up for here: it boots busybox, not systemd, so systemctl runs the
# installed unit's own lines (docs_systemctl); it has no dkms (the DKMS
# block runs on the build machine, tests/style/docs-blocks.sh), so the
# module this tree built is put where dkms installs it, indexed in a
# module root of its own (depmod over all of the kernel's modules takes
# minutes in the VM), and the guide's modprobe is pointed there; and the
# voucher code the guide shows is replaced by one the run made.
. "$(dirname "$0")/../lib.sh"
. "$WICKET_TOP/tests/style/docs-lib.sh"
. "$WICKET_TOP/tests/radius/lib.sh"
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "jq --version" jq
checktool "dnsmasq --version" dnsmasq
checktool "busybox udhcpc --help" "busybox udhcpc"
checktool "radclient -h; test \$? -le 1" radclient
checktool "test -x /usr/sbin/freeradius -o -x /usr/sbin/radiusd" freeradius
checktool "systemd-sysusers --version" systemd-sysusers
doc=docs/operator-guide.md
kver=$(uname -r)
[ -f "$(wicket_module)" ] || { echo "FAIL: $(wicket_module) not built (make)"; exit 1; }
lsmod | grep -q '^wicket ' && { echo "SKIP: wicket.ko is loaded already"; exit $ksft_skip; }
# The guide installs into the system (the VM's, on its throwaway overlay).
# Later tests of the same boot must not find any of it: all of it goes at
# the end, and a system that had it before is not this test's.
for p in /etc/wicket /var/lib/wicket /run/wicket /var/backups/wicket /usr/sbin/wicketd \
	/etc/modules-load.d/wicket.conf /usr/lib/systemd/system/wicketd.service; do
	[ ! -e "$p" ] || { echo "SKIP: $p exists already: not a clean machine"; exit $ksft_skip; }
done
getent passwd wicket > /dev/null && { echo "SKIP: a user wicket exists already"; exit $ksft_skip; }

shim=$(mktemp -d)
chmod 755 "$shim"
docs_systemctl "$shim"
doc_path=$shim:$doc_path
home=$(mktemp -d)
on_exit "rm -rf $shim $home"
on_exit 'rm -rf /etc/wicket /var/lib/wicket /run/wicket /run/wicket-dnsmasq /var/backups/wicket \
	/etc/modules-load.d/wicket.conf; userdel wicket; groupdel wicket'
on_exit "cd $WICKET_TOP && make -s uninstall PREFIX=/usr"
on_exit "unload_wicket"
on_exit "for u in wicket-dnsmasq wicketd; do PATH=$doc_path systemctl stop \$u; done"

docs_venue 101 102 103 || exit 1
docs_guest g101 101 02:11:22:33:44:55 || exit 1
docs_guest g102 102 02:11:22:33:44:66 || exit 1
docs_guest g103 103 02:11:22:33:44:77 || exit 1
internet() { ping_ok "$1" 198.51.100.1; }
offline() { ! internet "$1"; }
ctl() { ip netns exec "$router" wicketctl "$@"; }
sql() { sqlite3 -readonly /var/lib/wicket/wicket.db "$1"; }
wicketd_up() { pgrep -u wicket -x wicketd > /dev/null; }
dnsmasq_up() { pgrep -x dnsmasq > /dev/null; }

# --- 1. Install
# The package make deb built (tests/style/docs-blocks.sh makes it in make
# check's style suite: dpkg-shlibdeps takes minutes in the VM).
deb=$(ls "$WICKET_TOP"/build/deb/wicket_"$(cat "$WICKET_TOP/VERSION")"_"$(dpkg --print-architecture)".deb 2> /dev/null)
if [ -n "$deb" ]; then
	quiet_man_db
	doc_dir=$(dirname "$deb")
	doc_run - op-install-deb
	check "... the package is installed, wicketd in /usr/sbin" \
		bash -c 'dpkg -s wicket | grep -q "^Status: install ok installed" && test -x /usr/sbin/wicketd'
	check "... the module's source for DKMS" test -f "/usr/src/wicket-$(cat "$WICKET_TOP/VERSION")/dkms.conf"
	# Out again: the rest of the guide from the source tree.
	check "... and removed again (dpkg --purge)" dpkg --purge wicket > /dev/null
	userdel wicket 2> /dev/null
	groupdel wicket 2> /dev/null
	doc_dir=$WICKET_TOP
else
	echo "SKIP: $doc: block op-install-deb: no package built (make deb)"
fi
doc_run - op-install-source
check "... wicketd, wicketctl and wicket-dnsmasq in /usr/sbin" \
	test -x /usr/sbin/wicketd -a -x /usr/sbin/wicketctl -a -x /usr/sbin/wicket-dnsmasq
check "... the units" test -f /usr/lib/systemd/system/wicketd.service -a \
	-f /usr/lib/systemd/system/wicket-dnsmasq.service
check "... the user and group wicket" bash -c 'getent passwd wicket > /dev/null && getent group wicket > /dev/null'
check "... the module's source for DKMS" test -f "/usr/src/wicket-$(cat "$WICKET_TOP/VERSION")/dkms.conf"

# What dkms install leaves: the module in updates/dkms, indexed.
modroot=$(mktemp -d)
on_exit "rm -rf $modroot"
install -D -m 644 "$(wicket_module)" "$modroot/lib/modules/$kver/updates/dkms/wicket.ko"
cp /lib/modules/"$kver"/modules.builtin* /lib/modules/"$kver"/modules.order "$modroot/lib/modules/$kver/"
depmod -b "$modroot" "$kver"
doc_dir=$home
doc_run - op-load "modprobe wicket=modprobe -d $modroot wicket"
check "... wicket.ko is loaded" grep -q '^wicket ' /proc/modules
check "... and loaded at boot (modules-load.d)" test "$(cat /etc/modules-load.d/wicket.conf)" = wicket
check "... dmesg: wicket: release $(cat "$WICKET_TOP/VERSION") loaded" \
	bash -c "dmesg | grep -q 'wicket: release $(cat "$WICKET_TOP/VERSION") loaded'"

# --- 2. Rooms
doc_run "$router" op-vlans
check "... lan.101 and lan.102: VLANs 101 and 102 on lan" \
	bash -c "ip -n $router -d link show lan.101 | grep -q 'vlan protocol 802.1Q id 101' &&
		ip -n $router -d link show lan.102 | grep -q 'vlan protocol 802.1Q id 102'"

# --- 3. Config and start
doc_run "$router" op-config
check "... --check-config: ok (2 access ports)" grep -q "ok (2 access ports)" <<< "$doc_out"
doc_run "$router" op-start
check "... wicketd runs as the user wicket" wait_until 5 wicketd_up
check "... status shows the module's release" grep -q "$(cat "$WICKET_TOP/VERSION")" <<< "$doc_out"
check "... and the ports lan.101 and lan.102" grep -q "lan.101" <<< "$(ctl ports)"

# --- 4. DHCP
doc_run "$router" op-dnsmasq
check "... dnsmasq runs" wait_until 5 dnsmasq_up
# busybox udhcpc's script: apply the lease, as a guest's DHCP client does.
cat > "$home/udhcpc.sh" <<-'SCRIPT'
	#!/bin/sh
	case $1 in
	bound | renew)
		ip addr add "$ip/$mask" dev "$interface"
		ip route add default via "$router" dev "$interface"
		;;
	esac
SCRIPT
chmod 755 "$home/udhcpc.sh"
lease() { ip netns exec "$1" busybox udhcpc -i eth0 -f -q -n -t 10 -T 1 -s "$home/udhcpc.sh" > /dev/null 2>&1; }
for g in g101 g102; do
	check "guest in room ${g#g} gets a DHCP lease in 10.1.${g#g}.10-254" lease "${!g}"
	check "... and its address is in 10.1.${g#g}.0/24" \
		bash -c "ip -n ${!g} -4 addr show eth0 | grep -qE 'inet 10\.1\.${g#g}\.([1-9][0-9]|[12][0-9][0-9])/24'"
done
check_fails "room 101's guest is captive: no internet" internet "$g101"
check "... but the gateway answers it" ping_ok "$g101" 10.1.101.1

# --- 5. Plans, vouchers, guests
doc_run "$router" op-plans
check "... plans lists Day pass and Lobby" grep -q "Day pass" <<< "$doc_out"
check "... Lobby" grep -q "Lobby" <<< "$doc_out"
doc_run "$router" op-vouchers
check "... 20 vouchers and a header in vouchers.csv" test "$(wc -l < "$home/vouchers.csv")" = 21
code=$(sed -n 2p "$home/vouchers.csv" | cut -d, -f1)
doc_run "$router" op-guests
check "... the guest list has Smith in 101 and Jones in 102" \
	bash -c "grep -q 'Smith' <<< '$doc_out' && grep -q 'Jones' <<< '$doc_out'"
doc_run "$g101" op-voucher-try "K7QX94MDZR=$code"
check "... the voucher's session is active" test "$(jq -r .state <<< "$doc_out" 2> /dev/null)" = active
check "... and room 101's laptop is online" wait_until 5 internet "$g101"

# --- 6. RADIUS: the NMS on the internet side, with the secret the guide wrote.
radius_secret=
doc_run "$router" op-radius
radius_secret=$(cat /etc/wicket/radius.secret)
radius_dir=$(mktemp -d "${TMPDIR:-/tmp}/wicket-radius-XXXXXX") && chmod 755 "$radius_dir"
on_exit 'radius_stop; rm -rf "$radius_dir"'
radius_secret_file=$radius_dir/secret
printf '%s\n' "$radius_secret" > "$radius_secret_file"
radius_auth_port=1812 radius_acct_port=1813
radius_start -n "$isp" -a 198.51.100.1 -c 198.51.100.2 || exit 1
check "... --check-config takes the [radius] section" grep -q "ok (2 access ports)" <<< "$doc_out"
check "... wicketd runs again after the restart" wait_until 10 wicketd_up
doc_run "$router" op-radius-check
check "... the NMS answers with that secret" grep -qE "Received Access-(Reject|Accept)" <<< "$doc_out"
s1=$(sql "SELECT id FROM sessions WHERE state = 'active' ORDER BY id LIMIT 1")
acct() { radius_sql "SELECT count(*) FROM wicket_acct WHERE nasidentifier = 'lobby-gw' AND acctsessionid = '$(printf %016x "$1")' AND statustype = '$2'"; }
acct_is() { [ "$(acct "$1" "$2")" = "$3" ]; }
check "... the voucher session's accounting Start reaches the NMS (it waited in the store)" \
	wait_until 20 acct_is "$s1" Start 1

# --- 7. The front desk
check "room 102's guest is on (it reaches the gateway)" ping_ok "$g102" 10.1.102.1
check_fails "room 102's guest is captive before the comp" internet "$g102"
doc_run "$router" op-desk
check "... clients lists both guests" \
	bash -c "grep -q 02:11:22:33:44:55 <<< '$doc_out' && grep -q 02:11:22:33:44:66 <<< '$doc_out'"
check "... the comped guest in room 102 is online" wait_until 5 internet "$g102"
check "... two active sessions (sessions --active lists them)" \
	test "$(sql "SELECT count(*) FROM sessions WHERE state = 'active'")" = 2
check "... both in the block's output" test "$(grep -c ' active ' <<< "$doc_out")" -ge 2
doc_run "$router" op-kick
check "... the kicked guest in room 101 is captive again: no internet" wait_until 5 offline "$g101"
check "... its accounting Stop reaches the NMS" wait_until 20 acct_is "$s1" Stop 1
doc_run "$router" op-report
check "... the report has the Day pass's 5.00 EUR" grep -qE '^Day pass +1 .*5\.00 EUR' <<< "$doc_out"
check "... which is the voucher session's charge in the store" \
	test "$(ctl --json report --from "$(date +%Y-%m-01)" --by plan | jq -r '.[] | select(.key == "Day pass") | .charge')" = \
	"$(sql "SELECT charge FROM sessions WHERE id = $s1")"

doc_run "$router" op-ports
check "... ports lists lan.101 in room 101, lan.102 in room 102" \
	bash -c "grep -qE 'lan.101 .*101' <<< '$doc_out' && grep -qE 'lan.102 .*102' <<< '$doc_out'"
check "... port set made lan.102 free for the Pool bar, then reset back to charge in room 102" \
	test "$(ctl --json ports | jq -r '.. | objects | select(.ifname? == "lan.102") | "\(.mode) \(.room)"')" = "charge 102"

doc_run "$router" op-monitor
check "... top shows one authorized guest (room 102's) as status counts it" \
	grep -qE "^clients +1 authorized, 0 provisional, $(ctl --json status | jq .clients.captive) captive" <<< "$doc_out"
check "... and room 102's laptop among the clients" grep -qE '^02:11:22:33:44:66 +lan.102 +102 +authorized' <<< "$doc_out"
check "... the metrics endpoint counts it too" grep -qx 'wicket_clients{state="authorized"} 1' <<< "$doc_out"

# --- 8. Backup and restore
doc_run "$router" op-backup
backup=/var/backups/wicket/wicket-$(date +%F).db
check "... the check says ok" test "$(tail -n 1 <<< "$doc_out")" = ok
check "... the backup passes PRAGMA integrity_check" test "$(sqlite3 "$backup" 'PRAGMA integrity_check')" = ok
check "... and has every session of the store" \
	test "$(sqlite3 "$backup" 'SELECT count(*) FROM sessions')" = "$(sql 'SELECT count(*) FROM sessions')"
# A change after the backup, which the restore must take back.
ctl plan add "After the backup" --kind free --price 0 --currency EUR --methods free > /dev/null
check "a plan added after the backup" grep -q "After the backup" <<< "$(ctl plans)"
sessions_before=$(sqlite3 "$backup" 'SELECT count(*) FROM sessions')
doc_run "$router" op-restore
check "... wicketd runs again, as wicket" wait_until 5 wicketd_up
check "... the store is the backup's: its sessions" test "$(sql 'SELECT count(*) FROM sessions')" = "$sessions_before"
check_fails "... and not the plan added after it" grep -q "After the backup" <<< "$(ctl plans)"
check "... the restored store passes integrity_check" test "$(sql 'PRAGMA integrity_check')" = ok
check "... the old store is kept aside, with the plan added after the backup" \
	test "$(sqlite3 -readonly /var/lib/wicket/before-restore-*/wicket.db \
		"SELECT count(*) FROM plans WHERE name = 'After the backup'")" = 1

# --- 9. Reload
pid=$(pgrep -u wicket -x wicketd)
doc_run "$router" op-reload
check "... room 103's port is there" grep -qE 'lan.103 .*103' <<< "$doc_out"
check "... without a restart (same wicketd)" test "$(pgrep -u wicket -x wicketd)" = "$pid"
check "... and its guest gets a lease from the restarted wicket-dnsmasq" lease "$g103"

lib_exit
