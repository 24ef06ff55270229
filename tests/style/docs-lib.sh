#!/bin/bash
# The runnable blocks of docs/*.md, for the tests that run them
# (tests/kernel/docs-*.sh, tests/style/docs-blocks.sh). Not a test itself:
# source it after tests/lib.sh.
#
# A runnable block is a ```sh fence right after a line
#   <!-- test: LABEL -->
# (labels unique across docs/). Shown output goes in ```text fences.
# tests/style/docs-blocks.sh fails when a ```sh block has no label, when
# no test runs a label, or when a test runs a label no doc has.
#
# docs_block FILE LABEL
#     Prints the block's commands; fails when there is no such block.
# doc_run NS LABEL [FROM=TO]...
#     Runs the block of $doc with bash -e (a failing command fails it; a
#     pipeline is judged by its last command, as in a shell), in network
#     namespace NS ("-": this one), in directory $doc_dir (default: the
#     top of the tree), with $doc_path as PATH. Each FROM=TO replaces an
#     example value the doc shows by the one of this run (a voucher code,
#     a kernel version): nothing else is changed. Its output (stdout and
#     stderr) is in $doc_out; one PASS/FAIL line: the block ran and exited 0.
# doc_bg NS LABEL [FROM=TO]...
#     The same in the background: $doc_bg_pid, output in $doc_bg_file.
#     doc_bg_wait [SECONDS] waits for it (30 s at most, then kills it) and
#     sets $doc_out (PASS/FAIL: exit 0).

docs_block() {
	awk -v want="$2" '
		on && /^```/ { exit }
		on { print; next }
		/^```sh$/ && label == want { on = 1; found = 1; next }
		{ label = "" }
		/^<!-- test: [a-z0-9-]+ -->$/ { label = $3 }
		END { exit !found }' "$1"
}

doc_dir=${doc_dir:-$WICKET_TOP}
doc_path=${doc_path:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}

# The block, with its example values replaced: doc_body LABEL [FROM=TO]...
doc_body() {
	local label=$1 body s
	shift
	body=$(docs_block "$WICKET_TOP/$doc" "$label") || { echo "no block '$label' in $doc" >&2; return 1; }
	for s in "$@"; do
		grep -qF -- "${s%%=*}" <<< "$body" || { echo "block '$label' has no '${s%%=*}'" >&2; return 1; }
		body=${body//"${s%%=*}"/"${s#*=}"}
	done
	printf '%s\n' "$body"
}

doc_exec() {
	local ns=$1
	shift
	if [ "$ns" = - ]; then
		(cd "$doc_dir" && env PATH="$doc_path" "$@")
	else
		ip netns exec "$ns" bash -c 'cd "$1" && shift && exec env PATH="$0" "$@"' "$doc_path" "$doc_dir" "$@"
	fi
}

doc_run() {
	local ns=$1 label=$2 body rc
	shift 2
	body=$(doc_body "$label" "$@") || { log_fail "$doc: block $label"; return 1; }
	echo "--- $doc: $label"
	sed 's/^/    $ /' <<< "$body"
	local t0=$SECONDS
	doc_out=$(doc_exec "$ns" bash -e -c "$body" 2>&1)
	rc=$?
	# shellcheck disable=SC2001
	[ -z "$doc_out" ] || sed 's/^/    | /' <<< "$doc_out"
	echo "    ($((SECONDS - t0)) s)"
	if [ "$rc" = 0 ]; then
		log_pass "$doc: block $label runs as written"
	else
		log_fail "$doc: block $label runs as written (exit $rc)"
	fi
	return "$rc"
}

doc_bg() {
	local ns=$1 label=$2 body
	shift 2
	body=$(doc_body "$label" "$@") || { log_fail "$doc: block $label"; return 1; }
	echo "--- $doc: $label (in the background)"
	sed 's/^/    $ /' <<< "$body"
	doc_bg_label=$label
	doc_bg_file=$(mktemp)
	on_exit "rm -f $doc_bg_file"
	doc_exec "$ns" bash -e -c "$body" > "$doc_bg_file" 2>&1 &
	doc_bg_pid=$!
}
# A process and all of its descendants.
doc_tree() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do doc_tree "$c"; done
	echo "$1"
}
# Exited (a zombie until waited for, which kill -0 still finds).
doc_gone() { case $(ps -o stat= -p "$1") in '' | Z*) return 0 ;; esac; return 1; }
doc_bg_wait() {
	local rc
	# A block that hangs fails (and is killed) rather than hang the test.
	if ! wait_until "${1:-30}" doc_gone "$doc_bg_pid"; then
		kill $(doc_tree "$doc_bg_pid") 2> /dev/null
		echo "    (killed after ${1:-30} s)"
	fi
	wait "$doc_bg_pid"
	rc=$?
	doc_out=$(cat "$doc_bg_file")
	[ -z "$doc_out" ] || sed 's/^/    | /' <<< "$doc_out"
	if [ "$rc" = 0 ]; then
		log_pass "$doc: block $doc_bg_label runs as written"
	else
		log_fail "$doc: block $doc_bg_label runs as written (exit $rc)"
	fi
	return "$rc"
}

# The venue of the docs, in namespaces: docs_venue VLAN... builds
#   $router  wan0 198.51.100.2/24 (default route via .1), lan: a trunk
#   $switch  trunk (lan's peer); per VLAN V a bridge brV of trunk.V and the
#            guests' ports, untagged (a switch's access ports)
#   $isp     eth0 198.51.100.1/24 ("the internet" and the NMS), a route
#            to the rooms' 10.1.0.0/16 via the router
# The router's VLAN sub-interfaces are the doc's to make (or docs_vlan's).
docs_venue() {
	local v
	setup_ns router switch isp || return 1
	ip link add lan netns "$router" type veth peer name trunk netns "$switch" || return 1
	ip link add wan0 netns "$router" type veth peer name eth0 netns "$isp" || return 1
	ip -n "$switch" link set trunk up
	ip -n "$router" link set wan0 up
	ip -n "$isp" link set eth0 up
	addr "$router" wan0 198.51.100.2/24
	addr "$isp" eth0 198.51.100.1/24
	ip -n "$router" route add default via 198.51.100.1
	ip -n "$isp" route add 10.1.0.0/16 via 198.51.100.2
	for v in "$@"; do
		ip -n "$switch" link add link trunk name "trunk.$v" type vlan id "$v" || return 1
		ip -n "$switch" link add "br$v" type bridge || return 1
		ip -n "$switch" link set "trunk.$v" master "br$v" up
		ip -n "$switch" link set "br$v" up
	done
}
# docs_vlan V: the router's lan.V at 10.1.V.1/24, forwarding on (when the
# doc does not do it).
docs_vlan() {
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$router" link set lan up
	ip -n "$router" link add link lan name "lan.$1" type vlan id "$1" || return 1
	addr "$router" "lan.$1" "10.1.$1.1/24"
	ip -n "$router" link set "lan.$1" up
}
# docs_guest VAR VLAN MAC [ADDR]: a guest namespace on VLAN's switch port,
# eth0 with MAC; with ADDR, a static address and the router as gateway.
docs_guest() {
	local var=$1 v=$2 mac=$3 a=${4:-} ns
	setup_ns "$var" || return 1
	ns=${!var}
	ip link add eth0 netns "$ns" address "$mac" type veth peer name "s-$var" netns "$switch" || return 1
	ip -n "$switch" link set "s-$var" master "br$v" up
	# IPv4 only: no IPv6 link-local chatter to show up as unknown sources.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set eth0 up
	if [ -n "$a" ]; then
		addr "$ns" eth0 "$a/24"
		ip -n "$ns" route add default via "10.1.$v.1"
	fi
}

# docs_systemctl DIR: a systemctl in DIR for the VM, which boots busybox,
# not systemd. It runs a unit's own lines as systemd would, and nothing
# else: enable --now/start (StateDirectory= and RuntimeDirectory= made
# for User=, ExecStartPre=, then ExecStart= in the background as User=
# with AmbientCapabilities= and NoNewPrivileges=, up to 10 s until it
# has put something in its RuntimeDirectory=), stop (SIGTERM, wait,
# RuntimeDirectory= removed), restart, reload (ExecReload= with $MAINPID),
# is-active. Output of the services: $DIR/UNIT.log. Units from
# /etc/systemd/system, /usr/lib/systemd/system, /lib/systemd/system.
docs_systemctl() {
	cat > "$1/systemctl" <<-'SHIM'
		#!/bin/bash
		set -u
		dir=$(dirname "$0")
		unit_file() {
			local d
			for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
				[ -f "$d/$1.service" ] && { echo "$d/$1.service"; return 0; }
			done
			echo "systemctl: Unit $1.service not found." >&2
			return 1
		}
		key() { sed -n "s/^$2=//p" "$1"; }
		pid_of() { cat "$dir/$1.pid" 2> /dev/null; }
		running() { local p; p=$(pid_of "$1") && kill -0 "$p" 2> /dev/null; }
		# as UNITFILE CMD...: the command with the unit's user and capabilities.
		# as [exec] UNITFILE CMD...
		as() {
			local ex="" f user caps=() c
			[ "$1" = exec ] && { ex=exec; shift; }
			f=$1
			shift
			user=$(key "$f" User)
			for c in $(key "$f" AmbientCapabilities); do
				c=${c#CAP_}
				caps+=("+${c,,}")
			done
			if [ -z "$user" ]; then
				$ex "$@"
				return
			fi
			local list
			list=$(IFS=,; echo "${caps[*]}")
			$ex setpriv --reuid="$user" --regid="$(key "$f" Group || echo "$user")" --init-groups \
				${list:+--inh-caps="$list" --ambient-caps="$list" --bounding-set="-all,$list"} \
				$([ "$(key "$f" NoNewPrivileges)" = yes ] && echo --no-new-privs) "$@"
		}
		start() {
			local name=$1 f d line user
			f=$(unit_file "$name") || return 5
			running "$name" && return 0
			user=$(key "$f" User)
			for d in $(key "$f" StateDirectory); do
				install -d -m "$(key "$f" StateDirectoryMode || echo 0755)" ${user:+-o "$user" -g "$user"} "/var/lib/$d"
			done
			for d in $(key "$f" RuntimeDirectory); do
				install -d -m "$(key "$f" RuntimeDirectoryMode || echo 0755)" ${user:+-o "$user" -g "$user"} "/run/$d"
			done
			while read -r line; do
				[ -n "$line" ] || continue
				# shellcheck disable=SC2086
				as "$f" ${line#-} >> "$dir/$name.log" 2>&1 || { echo "systemctl: $name: ExecStartPre failed" >&2; return 1; }
			done <<< "$(key "$f" ExecStartPre)"
			line=$(key "$f" ExecStart)
			(
				exec >> "$dir/$name.log" 2>&1 < /dev/null
				echo "$BASHPID" > "$dir/$name.pid"
				# shellcheck disable=SC2086
				as exec "$f" $line
			) &
			# Type=simple: systemd does not wait; a person typing the
			# next command takes a moment, which this stands for: until
			# the service has put something in its RuntimeDirectory.
			local i
			for i in $(seq 100); do
				kill -0 $! 2> /dev/null || { echo "systemctl: $name exited:" >&2; tail -n 5 "$dir/$name.log" >&2; return 1; }
				for d in $(key "$f" RuntimeDirectory); do
					[ -z "$(ls -A "/run/$d" 2> /dev/null)" ] || return 0
				done
				sleep 0.1
			done
			return 0
		}
		stop() {
			local name=$1 f p i d
			f=$(unit_file "$name") || return 5
			p=$(pid_of "$name") || return 0
			kill "$p" 2> /dev/null
			for i in $(seq 100); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
			rm -f "$dir/$name.pid"
			for d in $(key "$f" RuntimeDirectory); do rm -rf "/run/$d"; done
		}
		reload() {
			local name=$1 f line
			f=$(unit_file "$name") || return 5
			running "$name" || { echo "systemctl: $name is not active" >&2; return 1; }
			line=$(key "$f" ExecReload)
			line=${line//\$MAINPID/$(pid_of "$name")}
			# shellcheck disable=SC2086
			$line
		}
		verb=${1:-}
		shift
		[ "${1:-}" = --now ] && shift
		rc=0
		for u in "$@"; do
			u=${u%.service}
			case $verb in
			enable) start "$u" || rc=$? ;;
			start) start "$u" || rc=$? ;;
			stop) stop "$u" || rc=$? ;;
			restart) { stop "$u" && start "$u"; } || rc=$? ;;
			reload) reload "$u" || rc=$? ;;
			is-active) running "$u" || rc=3 ;;
			*) echo "systemctl (docs tests): $verb is not supported" >&2; exit 1 ;;
			esac
		done
		exit $rc
	SHIM
	chmod 755 "$1/systemctl"
}
