#!/bin/bash
# `make install DESTDIR=TMP PREFIX=/usr` (run by tests/style/run): exactly
# the expected files land, in FHS places, with their modes; the units name
# the installed binaries; dkms.conf has the version; and install never runs
# depmod, dkms, systemctl or ldconfig (they are shims here that would say
# so). Needs no root. One PASS/FAIL line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
version=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/shims" "$tmp/root"
for t in depmod dkms systemctl ldconfig; do
	printf '#!/bin/sh\necho "%s $*" >> "%s/ran"\n' "$t" "$tmp" > "$tmp/shims/$t"
	chmod +x "$tmp/shims/$t"
done

fail() {
	echo "FAIL: install: $*"
	exit 1
}

if ! out=$(PATH="$tmp/shims:$PATH" make --no-print-directory -s install DESTDIR="$tmp/root" PREFIX=/usr 2>&1); then
	fail "make install DESTDIR=... PREFIX=/usr failed: $(tail -n 5 <<< "$out")"
fi
[ -e "$tmp/ran" ] && fail "make install ran: $(tr '\n' ';' < "$tmp/ran")"

# MODE PATH, what should be there and nothing else.
{
	echo "755 /usr/sbin/wicketd"
	echo "755 /usr/sbin/wicketctl"
	echo "755 /usr/bin/wicket-helper"
	echo "755 /usr/sbin/wicket-dnsmasq"
	echo "755 /usr/sbin/wicket-dnsmasq-conf"
	echo "644 /usr/share/man/man1/wicket-helper.1"
	echo "644 /usr/share/man/man5/wicketd.conf.5"
	echo "644 /usr/share/man/man8/wicketd.8"
	echo "644 /usr/share/man/man8/wicketctl.8"
	echo "644 /usr/share/bash-completion/completions/wicketctl"
	echo "644 /usr/share/bash-completion/completions/wicket-helper"
	echo "644 /usr/lib/systemd/system/wicketd.service"
	echo "644 /usr/lib/systemd/system/wicket-dnsmasq.service"
	echo "644 /usr/lib/systemd/user/wicket-helper-keepalive.service"
	[ -e packaging/wicket.sysusers ] && echo "644 /usr/lib/sysusers.d/wicket.conf"
	echo "644 /usr/share/doc/wicket/wicketd.conf.example"
	echo "644 /usr/share/wicket/radius/dictionary.radcli"
	echo "644 /usr/share/wicket/radius/dictionary.wicket"
	for f in portal/*; do echo "644 /usr/share/wicket/$f"; done
	echo "644 /usr/src/wicket-$version/dkms.conf"
	echo "644 /usr/src/wicket-$version/Kbuild"
	echo "644 /usr/src/wicket-$version/VERSION"
	git ls-files -co --exclude-standard 'kmod/*.[ch]' 'kmod/uapi/*.h' kmod/Kbuild |
		sed "s|^|644 /usr/src/wicket-$version/|"
} | sort > "$tmp/expected"
(cd "$tmp/root" && find . ! -type d -printf '%m /%P\n') | sort > "$tmp/got"
if ! cmp -s "$tmp/expected" "$tmp/got"; then
	echo "FAIL: install: the installed files differ (- expected, + installed):"
	diff -u "$tmp/expected" "$tmp/got" | sed -n 's/^\([-+][0-9]\)/    | \1/p'
	exit 1
fi

root=$tmp/root
grep -q '^ExecStart=/usr/sbin/wicketd ' "$root/usr/lib/systemd/system/wicketd.service" ||
	fail "wicketd.service does not run /usr/sbin/wicketd"
grep -q '^ExecStart=/usr/sbin/wicket-dnsmasq ' "$root/usr/lib/systemd/system/wicket-dnsmasq.service" ||
	fail "wicket-dnsmasq.service does not run /usr/sbin/wicket-dnsmasq"
grep -q '^ExecStart=/usr/bin/wicket-helper keepalive$' \
	"$root/usr/lib/systemd/user/wicket-helper-keepalive.service" ||
	fail "wicket-helper-keepalive.service does not run /usr/bin/wicket-helper"
dkms=$root/usr/src/wicket-$version/dkms.conf
for want in 'PACKAGE_NAME="wicket"' "PACKAGE_VERSION=\"$version\"" 'BUILT_MODULE_NAME[0]="wicket"' \
	'BUILT_MODULE_LOCATION[0]="kmod/"'; do
	grep -qxF "$want" "$dkms" || fail "dkms.conf lacks $want"
done
# The installed example is the one wicketd takes.
"$root/usr/sbin/wicketd" --check-config -c "$root/usr/share/doc/wicket/wicketd.conf.example" > /dev/null 2>&1 ||
	fail "the installed wicketd refuses the installed wicketd.conf.example"
echo "PASS: install: make install DESTDIR=... PREFIX=/usr: $(wc -l < "$tmp/got") files in FHS places, units and dkms.conf filled in, no depmod/dkms/systemctl"
