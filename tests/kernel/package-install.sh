#!/bin/bash
# The Debian packages of `make deb` (build/deb/, built on the host before
# the VM: make check builds them) installed with dpkg in the VM, whose root
# is thrown away at shutdown. dpkg -i installs wicket and wicket-helper;
# every file is in its FHS place with its mode, root's; the programs run
# from /usr/sbin and /usr/bin; postinst made the user wicket, registered
# the module with DKMS and left systemctl alone (systemd does not run
# here); the man pages render; systemd accepts the units. The installed
# wicketd then runs as the gateway from the installed config (edited as an
# admin would: ports and upstream) with its defaults (store in
# /var/lib/wicket, socket in /run/wicket, the installed portal page), as
# user wicket; wicketctl answers; the installed wicket-dnsmasq configures
# dnsmasq for the port. dpkg -r removes every file but the edited conffile
# (stopping the units, when systemd runs); dpkg -P takes that too, and the
# units' enablement links. dkms and systemctl are shims that record their
# calls: dkms would build for minutes in the VM, and systemd is not PID 1.
. "$(dirname "$0")/../lib.sh"
checktool "dpkg-deb --version" dpkg
checktool "man -V" man-db
checktool "curl --version" curl
checktool "dnsmasq --version" dnsmasq

# dpkg -i changes the system: only in the test VM, whose root is an overlay
# on a tmpfs (tests/vm/guest-run) that goes at shutdown.
if [ "$(findmnt -no FSTYPE /)" != overlay ] || [ "$(findmnt -no FSTYPE /results)" != 9p ]; then
	echo "SKIP: dpkg -i only in the test VM (tests/vm/run), never on the host"
	exit $ksft_skip
fi

version=$(cat "$WICKET_TOP/VERSION")
arch=$(dpkg --print-architecture)
deb=$WICKET_TOP/build/deb/wicket_${version}_$arch.deb
helper_deb=$WICKET_TOP/build/deb/wicket-helper_${version}_$arch.deb
for f in "$deb" "$helper_deb"; do
	[ -f "$f" ] || { echo "FAIL: $f not built (make deb)"; exit 1; }
	# A package older than the programs would test something else.
	[ ! "$WICKET_BIN/wicketd" -nt "$f" ] || { echo "FAIL: $f older than build/bin (make deb)"; exit 1; }
done

tmp=$(mktemp -d)
on_exit "rm -rf $tmp"
mkdir "$tmp/shims"
for t in dkms systemctl; do
	cat > "$tmp/shims/$t" <<-SHIM
		#!/bin/sh
		echo "\$*" >> $tmp/$t.log
		# dkms status: what was added and not removed since.
		[ "$t \$1" != "dkms status" ] || ! grep -q '^add ' $tmp/dkms.log || grep -q '^remove ' $tmp/dkms.log ||
			echo "wicket/$version, $(uname -r), $(uname -m): installed"
		exit 0
	SHIM
	chmod 755 "$tmp/shims/$t"
	: > "$tmp/$t.log"
done
pkg() { PATH="$tmp/shims:$PATH" "$@" > "$tmp/dpkg.out" 2>&1 || { sed 's/^/    | /' "$tmp/dpkg.out"; return 1; }; }
status_of() { dpkg-query -W -f='${Status}' "$1" 2> /dev/null; }

# A clean system as far as wicket goes: no package, no user, no state.
if [ -n "$(status_of wicket)" ] && [ "$(status_of wicket)" != "unknown ok not-installed" ]; then
	echo "FAIL: the package wicket is on this system already ($(status_of wicket))"
	exit 1
fi
if getent passwd wicket > /dev/null; then userdel wicket || exit 1; fi
if getent group wicket > /dev/null; then groupdel wicket || exit 1; fi
rm -rf /var/lib/wicket /run/wicket /run/wicket-dnsmasq /etc/wicket /run/systemd/system
# Later tests of the same boot find none of it (the last cleanup first):
# the packages purged when a failure left them, what wicketd and the
# package made, the user.
on_exit 'rm -rf /var/lib/wicket /run/wicket /run/wicket-dnsmasq /etc/wicket /run/systemd/system
	userdel wicket; groupdel wicket'
on_exit "dpkg-query -W -f='\${Status}\\n' wicket wicket-helper 2> /dev/null | grep -qv not-installed &&
	PATH=$tmp/shims:\$PATH dpkg -P wicket wicket-helper"
quiet_man_db

# --- install. dpkg reads its whole database (over 9p here) meanwhile the
# --- gateway's network is made: the VM's two CPUs share the wait.
pkg dpkg -i "$deb" "$helper_deb" &
dpkg_pid=$!
load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 02:00:00:00:01:01 || exit 1
# The second port, lan.900 in the shipped config: a dummy is enough.
ip -n "$router" link add r2 type dummy && ip -n "$router" link set r2 up && addr "$router" r2 10.0.2.1/24 || exit 1
wait "$dpkg_pid"
check "dpkg -i wicket wicket-helper" test $? = 0
check "dpkg -s: wicket is installed" test "$(status_of wicket)" = "install ok installed"
check "dpkg -s: wicket-helper is installed" test "$(status_of wicket-helper)" = "install ok installed"

# MODE PATH of every file, as make install lays them out (tests/style/install.sh),
# with the man pages gzipped, the conffile, and the helper's in its own package.
expected_helper() {
	echo "755 /usr/bin/wicket-helper"
	echo "644 /usr/share/man/man1/wicket-helper.1.gz"
	echo "644 /usr/share/bash-completion/completions/wicket-helper"
	echo "644 /usr/lib/systemd/user/wicket-helper-keepalive.service"
}
expected_wicket() {
	echo "755 /usr/sbin/wicketd"
	echo "755 /usr/sbin/wicketctl"
	echo "755 /usr/sbin/wicket-dnsmasq"
	echo "755 /usr/sbin/wicket-dnsmasq-conf"
	echo "644 /usr/share/man/man5/wicketd.conf.5.gz"
	echo "644 /usr/share/man/man8/wicketd.8.gz"
	echo "644 /usr/share/man/man8/wicketctl.8.gz"
	echo "644 /usr/share/bash-completion/completions/wicketctl"
	echo "644 /usr/lib/systemd/system/wicketd.service"
	echo "644 /usr/lib/systemd/system/wicket-dnsmasq.service"
	echo "644 /usr/lib/sysusers.d/wicket.conf"
	echo "644 /usr/share/doc/wicket/wicketd.conf.example"
	echo "644 /usr/share/wicket/radius/dictionary.radcli"
	echo "644 /usr/share/wicket/radius/dictionary.wicket"
	(cd "$WICKET_TOP" && for f in portal/*; do echo "644 /usr/share/wicket/$f"; done)
	echo "644 /usr/src/wicket-$version/dkms.conf"
	echo "644 /usr/src/wicket-$version/Kbuild"
	echo "644 /usr/src/wicket-$version/VERSION"
	(cd "$WICKET_TOP" && git ls-files -co --exclude-standard 'kmod/*.[ch]' 'kmod/uapi/*.h' kmod/Kbuild) |
		sed "s|^|644 /usr/src/wicket-$version/|"
	echo "644 /etc/wicket/wicketd.conf"
}
# What dpkg says the package holds, as MODE PATH of the files on disk.
installed_files() {
	dpkg -L "$1" | xargs -d '\n' stat -c '%F|%a %n' 2>&1 | sed -n '/^directory|/d; s/^[^|]*|//p'
}
same_files() { # PKG EXPECTED_FUNCTION
	"$2" | sort > "$tmp/expected"
	installed_files "$1" | sort > "$tmp/got"
	cmp -s "$tmp/expected" "$tmp/got" && return 0
	diff -u "$tmp/expected" "$tmp/got" | sed -n 's/^\([-+][0-9a-z]\)/    | \1/p'
	return 1
}
check "wicket's files in their FHS places with their modes ($(expected_wicket | wc -l))" \
	same_files wicket expected_wicket
check "wicket-helper's files in their FHS places with their modes" same_files wicket-helper expected_helper
root_owned() { ! dpkg -L wicket wicket-helper | grep . | xargs -d '\n' stat -c '%U:%G %n' 2>&1 | grep -v '^root:root '; }
check "every installed file and directory is root's" root_owned
check "/etc/wicket/dnsmasq.d (the venue's dnsmasq settings) is there" test -d /etc/wicket/dnsmasq.d
check "the conffile is /etc/wicket/wicketd.conf" \
	test "$(dpkg-query -W -f='${Conffiles}' wicket | awk 'NF {print $1}')" = /etc/wicket/wicketd.conf

check "/usr/sbin/wicketd --version names version $version" \
	grep -q "^wicketd $version " <<< "$(/usr/sbin/wicketd --version 2>&1)"
check "/usr/sbin/wicketctl --help" grep -q '^usage: wicketctl' <<< "$(/usr/sbin/wicketctl --help 2>&1)"
check "/usr/bin/wicket-helper --help" grep -qi 'usage' <<< "$(/usr/bin/wicket-helper --help 2>&1)"
check "/usr/sbin/wicket-dnsmasq --help" grep -q 'wicket-dnsmasq \[-c' <<< "$(/usr/sbin/wicket-dnsmasq --help 2>&1)"
check "the installed wicketd takes the installed /etc/wicket/wicketd.conf" \
	eval '/usr/sbin/wicketd --check-config -c /etc/wicket/wicketd.conf > /dev/null'

user=$(getent passwd wicket)
check "postinst made the system user wicket, home /var/lib/wicket ($user)" \
	grep -qE '^wicket:x:[0-9]{1,3}:[0-9]+:[^:]*:/var/lib/wicket:' <<< "$user"
check "... and its group" eval 'getent group wicket > /dev/null'
check "postinst registered the module with DKMS and installed it for the running kernel" \
	test "$(cat "$tmp/dkms.log")" = "$(printf 'status -m wicket -v %s\nadd -m wicket -v %s\ninstall -m wicket -v %s -k %s' \
		"$version" "$version" "$version" "$(uname -r)")"
check "postinst left systemctl alone: systemd does not run here" test ! -s "$tmp/systemctl.log"

# man -l renders the four pages, in the background (groff takes seconds
# in the VM): checked after the gateway's run.
pages=(man1/wicket-helper.1 man5/wicketd.conf.5 man8/wicketd.8 man8/wicketctl.8)
MANPAGER=cat MANWIDTH=80 man -l $(printf '/usr/share/man/%s.gz ' "${pages[@]}") > "$tmp/man.out" 2> "$tmp/man.err" &
man_pid=$!

# --- the installed gateway. The admin's edit of the conffile: the access
# --- ports, the upstream and the portal's address of this test's network,
# --- and the user wicket; every other setting is the shipped default.
conf=/etc/wicket/wicketd.conf
sed -i -e 's/^portal = 10\.0\.0\.1:8080$/portal = 10.0.1.1:8080/' -e 's/^upstream = wan0$/upstream = r-up/' \
	-e 's/^\[port lan\.101\]$/[port r1]/' -e 's/^\[port lan\.900\]$/[port r2]/' \
	-e 's/^#user = wicket$/user = wicket/' "$conf"
edited=$(grep -cxE 'portal = 10\.0\.1\.1:8080|upstream = r-up|\[port r[12]\]|user = wicket' "$conf")
check "the conffile edited as an admin would (5 lines)" test "$edited" = 5
# What wicketd.service's StateDirectory= and RuntimeDirectory= make.
install -d -o wicket -g wicket -m 700 /var/lib/wicket
install -d -o wicket -g wicket -m 755 /run/wicket
ip netns exec "$router" /usr/sbin/wicketd > "$tmp/wicketd.log" 2>&1 &
pid=$!
on_exit "kill $pid"
# (A first start makes the store, the portal's TLS key, the components'
# signing key: long in a VM on a busy host.) Without wicketd the checks
# below fail one by one; the removal is tested all the same.
started=no
wait_until 120 test -S /run/wicket/control.sock && started=yes
sed 's/^/    | /' "$tmp/wicketd.log"
check "the installed wicketd starts with no option: /etc/wicket/wicketd.conf, its default socket" \
	test "$started" = yes
status=$(ip netns exec "$router" /usr/sbin/wicketctl --json status 2>&1)
echo "$status" | jq -c . 2> /dev/null | cut -c1-300 | sed 's/^/    | /'
check "the installed wicketctl gets the installed wicketd's status on the default socket (version, firewall)" \
	test "$(jq -r '"\(.version) \(.firewall)"' <<< "$status" 2> /dev/null)" = "$version installed"
check "wicketd runs as the user wicket" test "$(ps -o user= -p "$pid" | tr -d ' ')" = wicket
check "its store is the default /var/lib/wicket/wicket.db, owned by wicket" \
	test "$(stat -c %U /var/lib/wicket/wicket.db 2> /dev/null)" = wicket
portal_file() { # PATH FILE: the portal serves the installed file as it is
	ip netns exec "$guest" curl -sk --max-time 5 "https://10.0.1.1:8443$1" > "$tmp/served" &&
		cmp -s "$tmp/served" "/usr/share/wicket/portal/$2"
}
check "the portal serves the installed index.html to a guest" portal_file / index.html

# wicket-dnsmasq as wicket-dnsmasq.service runs it, with the installed
# wicket-dnsmasq-conf (not build/bin's) and the installed config.
ip netns exec "$router" env PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/wicket-dnsmasq -d /run/wicket-dnsmasq \
	> "$tmp/dnsmasq.log" 2>&1 &
dnsmasq_pid=$!
on_exit "kill $dnsmasq_pid"
wait_until 30 test -s /run/wicket-dnsmasq/dnsmasq.pid
check "wicket-dnsmasq runs dnsmasq with the configuration it made" \
	test "$(cat /run/wicket-dnsmasq/dnsmasq.pid 2> /dev/null)" = "$dnsmasq_pid"
check "... a DHCP range on each access port of the installed config, leases beside the store" \
	test "$(grep -cE '^dhcp-range=10\.0\.[12]\.10,|^dhcp-leasefile=/var/lib/wicket/dnsmasq\.leases$' \
		/run/wicket-dnsmasq/dnsmasq.conf 2> /dev/null)" = 3
kill "$dnsmasq_pid" "$pid" 2> /dev/null
wait "$dnsmasq_pid" "$pid" 2> /dev/null

wait "$man_pid"
man_rc=$?
sed 's/^/    | /' "$tmp/man.err"
check "man -l renders the installed man pages without a warning" test "$man_rc" = 0 -a ! -s "$tmp/man.err"
for m in "${pages[@]}"; do
	name=${m#*/}
	name=${name%.*}
	check "... $m.gz: its NAME section names $name" \
		grep -qE "^ +${name//./\\.} " <<< "$(grep -A1 -x NAME "$tmp/man.out")"
done

# --- remove, as on a machine where systemd runs (the maintainer scripts
# --- look for /run/systemd/system; systemctl is the shim).
mkdir -p /run/systemd/system
check "dpkg -r wicket wicket-helper" pkg dpkg -r wicket wicket-helper
check "dpkg -s: wicket removed, its configuration files kept (config-files)" test "$(status_of wicket)" = "deinstall ok config-files"
check "dpkg -s: wicket-helper removed" test "$(status_of wicket-helper)" != "install ok installed"
leftover() {
	local mode f left=""
	while read -r mode f; do
		[ "$f" = /etc/wicket/wicketd.conf ] || [ ! -e "$f" ] || left="$left $f"
	done < <(expected_wicket; expected_helper)
	[ ! -e "/usr/src/wicket-$version" ] || left="$left /usr/src/wicket-$version"
	[ -z "$left" ] || { echo "    | left:$left"; return 1; }
}
check "every file is gone but the conffile" leftover
check "the conffile is kept with the admin's edit" grep -qx 'upstream = r-up' /etc/wicket/wicketd.conf
check "prerm stopped the units, postrm reloaded systemd" \
	test "$(cat "$tmp/systemctl.log")" = "$(printf 'stop wicketd.service wicket-dnsmasq.service\ndaemon-reload')"
check "prerm took the module out of DKMS" grep -qx "remove -m wicket -v $version --all" "$tmp/dkms.log"
check "the store is kept (the venue's records)" test -s /var/lib/wicket/wicket.db

# --- purge, with wicketd.service enabled meanwhile (systemctl enable's link).
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /usr/lib/systemd/system/wicketd.service /etc/systemd/system/multi-user.target.wants/wicketd.service
check "dpkg -P wicket" pkg dpkg -P wicket
check "dpkg -s: wicket is not installed any more" test "$(status_of wicket)" != "deinstall ok config-files" -a \
	"$(status_of wicket)" != "install ok installed"
check "the conffile and /etc/wicket are gone" test ! -e /etc/wicket/wicketd.conf -a ! -e /etc/wicket
check "the unit's enablement link is gone" test ! -L /etc/systemd/system/multi-user.target.wants/wicketd.service
lib_exit
