#!/bin/bash
# docs/integration-guide.md, run block by block as written (the blocks
# come out of the markdown: tests/style/docs-lib.sh), on the venue it
# describes: a router namespace with room 101's VLAN sub-interface lan.101
# on a trunk to a switch, guests on the switch's VLAN 101 ports, wan0 to
# an upstream at 198.51.100.1. After each block, what the guide says:
# the module loads with its family and events group; wicket-nl's port,
# garden and client make 02:11:22:33:44:55 pass and an unknown guest not;
# the events listener prints the unknown guest as seen; a client with a
# 5 s deadline passes, and after it, with nothing running, does not and
# is flagged closed; the libmnl example prints the version, its client and
# the dump with counters, and an EVENT_SEEN for a guest that sends while
# it listens, and its client passes. The builds (make KVER=, Kbuild, the
# example's cc line) run on the build machine: tests/style/docs-blocks.sh.
. "$(dirname "$0")/../lib.sh"
. "$WICKET_TOP/tests/style/docs-lib.sh"
checktool "genl -V" "genl (iproute2)"
doc=docs/integration-guide.md
# The guide's commands as a vendor has them: wicket-nl on the PATH.
doc_path=$WICKET_BIN:$doc_path
[ -f "$(wicket_module)" ] || { echo "FAIL: $(wicket_module) not built (make)"; exit 1; }
lsmod | grep -q '^wicket ' && { echo "SKIP: wicket.ko is loaded already"; exit $ksft_skip; }

docs_venue 101 || exit 1
docs_vlan 101 || exit 1
docs_guest g55 101 02:11:22:33:44:55 10.1.101.50 || exit 1
docs_guest g66 101 02:11:22:33:44:66 10.1.101.66 || exit 1
docs_guest g77 101 02:11:22:33:44:77 10.1.101.77 || exit 1
docs_guest g88 101 02:11:22:33:44:88 10.1.101.88 || exit 1
internet() { ping_ok "$1" 198.51.100.1; }
check "the venue works without the gate: guest .50 reaches the internet" internet "$g55"

# Loading, in the VM itself (the module is global; its state per namespace).
on_exit "unload_wicket"
doc_run - in-load
check "... wicket.ko is loaded" grep -q '^wicket ' /proc/modules
check "... dmesg has its release" grep -q "wicket: release $(cat "$WICKET_TOP/VERSION") loaded" <<< "$doc_out"
check "... genl shows the family and its events group" \
	grep -qE 'Name: wicket' <<< "$doc_out"
check "... with the multicast group events" grep -qE "name: events" <<< "$doc_out"

doc_run "$router" in-nl
check "... version: the module's release and protocol" grep -q "$(cat "$WICKET_TOP/VERSION")" <<< "$doc_out"
check "... client list shows 02:11:22:33:44:55 authorized at 10.1.101.50, session 7" \
	grep -qE '02:11:22:33:44:55.*10\.1\.101\.50.*state=authorized.*session=7' <<< "$doc_out"
check "... lan.101 is an access port in charge mode" grep -qE "lan\.101.*charge" <<< "$(wnl port list)"
check "... the authorized guest reaches the internet" internet "$g55"
check_fails "... an unknown guest on lan.101 does not" internet "$g66"
check "... the unknown guest still reaches the router" ping_ok "$g66" 10.1.101.1

doc_bg "$router" in-nl-events
# wicket-nl says "ready" (stderr) once it listens.
wait_until 10 grep -q '^ready' "$doc_bg_file"
ip netns exec "$g66" ping -q -n -c 3 -i 0.3 -W 1 198.51.100.1 > /dev/null 2>&1
doc_bg_wait
check "... the unknown guest is seen on lan.101 at 10.1.101.66" \
	grep -qE 'seen.*lan\.101.*02:11:22:33:44:66.*10\.1\.101\.66' <<< "$doc_out"

doc_run "$router" in-failclosed-add
check "... the guest with a 5 s deadline passes" internet "$g66"
doc_run "$router" in-failclosed-after
check "... after its deadline its flags say closed" test "$(field flags <<< "$doc_out")" = closed
check "... and no time is left (timeout_ms=0)" test "$(field timeout_ms <<< "$doc_out")" = 0
check_fails "... and it no longer passes, with nothing but the kernel running" internet "$g66"

# The example as the Makefile builds it (build/bin/wicket-gate-example,
# -Wall -Wextra -Werror); the guide's cc line runs in
# tests/style/docs-blocks.sh, a compiler in the VM being slow.
doc_dir=$(mktemp -d)
on_exit "rm -rf $doc_dir"
check "the example is built (make)" cp "$WICKET_BIN/wicket-gate-example" "$doc_dir/wicket-gate"

doc_bg "$router" in-example-run
wait_until 10 grep -q '^listening for events' "$doc_bg_file"
ip netns exec "$g88" ping -q -n -c 3 -i 0.3 -W 1 198.51.100.1 > /dev/null 2>&1
doc_bg_wait
out=$doc_out
proto=$(awk '$2 == "WICKET_PROTOCOL" { print $3 }' "$WICKET_TOP/kmod/uapi/wicket.h")
proto_min=$(awk '$2 == "WICKET_PROTOCOL_MIN" { print $3 }' "$WICKET_TOP/kmod/uapi/wicket.h")
check "... GET_VERSION: the release and protocol" \
	grep -qx "wicket.ko $(cat "$WICKET_TOP/VERSION"), protocol $proto (accepts $proto_min..$proto)" <<< "$out"
check "... PORT_SET" grep -qx "port lan.101: charge" <<< "$out"
check "... CLIENT_ADD" grep -qx "client 02:11:22:33:44:77 on lan.101: authorized for 3600 s" <<< "$out"
line=$(grep '^client 02:11:22:33:44:55 on lan.101: authorized, 10.1.101.50, session 7,' <<< "$out")
up=$(sed -n 's/.* up \([0-9]*\) packets.*/\1/p' <<< "$line")
check "... the dump has the earlier client with its counters (up ${up:-?} packets)" test "${up:-0}" -gt 0
check "... and the new one, 10.1.101.77, an hour left" \
	grep -qE '^client 02:11:22:33:44:77 on lan.101: authorized, 10.1.101.77, session 1, 3(599|600) s left' <<< "$out"
check "... and the client whose deadline passed, closed, 0 s left" \
	grep -qE '^client 02:11:22:33:44:66 on lan.101: authorized \(closed\), 10.1.101.66, session 8, 0 s left' <<< "$out"
check "... EVENT_SEEN for the guest that sent while it listened" \
	grep -qx 'seen 02:11:22:33:44:88 on lan.101 from 10.1.101.88' <<< "$out"
check "... the example's client passes" internet "$g77"

lib_exit
