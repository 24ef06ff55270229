#!/bin/bash
# The VM harness tests its power-cut tests ("# vm: power cut"), on one
# installed kernel: it must pass a test that asks for its cut and passes
# at boot 2, and fail one that fails at boot 2, hangs at boot 1 (the test
# timeout), hangs at boot 2 (the test timeout, and the watchdog, which is
# one for all the boots), never asks for a cut, or asks for one and
# outlives it. Runs on the host; nine boots and more: make torture, not
# make check.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/selftest-lib.sh"

run=$WICKET_TOP/tests/vm/run
st=$WICKET_TOP/tests/vm/selftest
kver=${1:-$(ls /lib/modules | sort -V | head -n 1)}
out=$(mktemp -d)
on_exit "rm -rf $out"

# power RUN FIXTURE OPTION...: run tests/vm/selftest/power-FIXTURE.sh
# alone; its output in $out/RUN.log, its exit in $rc.
power() {
	local r=$1 f=$2
	shift 2
	"$run" -k "$kver" "$@" -o "$out/$r" "$st/power-$f.sh" > "$out/$r.log" 2>&1
	rc=$?
}
p=tests/vm/selftest/power

power pass pass -t 60 -T 600
expect "passes a test that asks for its cut and passes after it" "$out/pass.log" "$rc" 0 \
	"$(begins "# guest: $p-pass.sh: 2 boot(s), 1 power cut(s) in ")" \
	"$(line "    boot 2: PASS: boot 2 finds boot 1's marks")" \
	"$(line "PASS: $p-pass.sh [$kver] (2 boots, 1 power cuts)")" \
	"$(line "1 passed, 0 failed, 0 skipped")"

power fail fail -t 60 -T 600
expect "fails a test that fails at boot 2, after its cut" "$out/fail.log" "$rc" 1 \
	"$(begins "# guest: $p-fail.sh: 2 boot(s), 1 power cut(s) in ")" \
	"$(line "FAIL: $p-fail.sh [$kver]: boot 2: exit 1")" \
	"$(line "0 passed, 1 failed, 0 skipped")"

power hang hang -t 5 -T 600
expect "fails a test that hangs at boot 1 (test timeout)" "$out/hang.log" "$rc" 1 \
	"$(begins "# guest: $p-hang.sh: 1 boot(s), 0 power cut(s) in ")" \
	"$(line "FAIL: $p-hang.sh [$kver]: boot 1 killed after the 5 s test timeout")" \
	"$(line "0 passed, 1 failed, 0 skipped")"

power hang2 hang2 -t 5 -T 600
expect "fails a test that hangs at boot 2 (test timeout)" "$out/hang2.log" "$rc" 1 \
	"$(begins "# guest: $p-hang2.sh: 2 boot(s), 1 power cut(s) in ")" \
	"$(line "FAIL: $p-hang2.sh [$kver]: boot 2 killed after the 5 s test timeout")" \
	"$(line "0 passed, 1 failed, 0 skipped")"

# The watchdog is one for all the boots of a kernel: boot 2 gets only what
# boot 1 left of it, and the two boots take no longer than it together
# (a watchdog started again at each boot would let them take boot 1's
# time longer). 150 s: boot 1 (a boot and a cut at once) fits in it.
vm=150
power hang2-watchdog hang2 -t 600 -T $vm
expect "fails a test that hangs at boot 2 (the watchdog of both boots)" \
	"$out/hang2-watchdog.log" "$rc" 1 \
	"$(line "FAIL: $p-hang2.sh [$kver]: boot 2 hung: killed at the end of the $vm s VM timeout")" \
	"$(line "0 passed, 1 failed, 0 skipped")"
secs=$(sed -n "s|^# guest: $p-hang2.sh: 2 boot(s), 1 power cut(s) in \([0-9]*\)\.[0-9]* s host time$|\1|p" \
	"$out/hang2-watchdog.log")
if [ -z "$secs" ]; then
	log_fail "the watchdog covers both boots: no host time for 2 boots and 1 cut"
	sed 's/^/    | /' "$out/hang2-watchdog.log"
elif [ "$secs" -gt $((vm + 5)) ]; then
	log_fail "the watchdog covers both boots: they took $secs s, more than its $vm s"
else
	log_pass "the watchdog covers both boots ($secs s of its $vm s)"
fi

power nocut nocut -t 60 -T 600
expect "fails a test that never asks for a cut" "$out/nocut.log" "$rc" 1 \
	"$(begins "# guest: $p-nocut.sh: 1 boot(s), 0 power cut(s) in ")" \
	"$(line "FAIL: $p-nocut.sh [$kver]: ended without asking for a power cut")" \
	"$(line "0 passed, 1 failed, 0 skipped")"

power outlive outlive -t 60 -T 600
expect "fails a test that asks for a cut and outlives it" "$out/outlive.log" "$rc" 1 \
	"$(begins "# guest: $p-outlive.sh: 1 boot(s), 0 power cut(s) in ")" \
	"$(line "FAIL: $p-outlive.sh [$kver]: boot 1 asked for a power cut but the guest stopped first (exit 0)")" \
	"$(line "0 passed, 1 failed, 0 skipped")"

lib_exit
