#!/bin/bash
# The VM harness tests itself: on one installed kernel it must report a
# passing, a failing, a skipped and a timed-out test as such, fail a run
# whose guest kernel WARNs (naming the test), fail a run whose guest
# panics, and fail a run whose guest hangs. Runs on the host.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/selftest-lib.sh"

run=$WICKET_TOP/tests/vm/run
st=$WICKET_TOP/tests/vm/selftest
kver=${1:-$(ls /lib/modules | sort -V | head -n 1)}
out=$(mktemp -d)
on_exit "rm -rf $out"

"$run" -k "$kver" -t 5 -o "$out/a" "$st/pass.sh" "$st/fail.sh" "$st/skip.sh" \
	"$st/hang.sh" "$st/warn.sh" > "$out/a.log" 2>&1
expect "reports pass, fail, skip, per-test timeout and a WARN" "$out/a.log" $? 1 \
	"^# guest: uname -r = $kver;" \
	"^PASS: tests/vm/selftest/pass.sh \[$kver\]" \
	"^FAIL: tests/vm/selftest/fail.sh \[$kver\]: exit 1" \
	"^SKIP: tests/vm/selftest/skip.sh \[$kver\]" \
	"^FAIL: tests/vm/selftest/hang.sh \[$kver\]: killed after the 5 s test timeout" \
	"^FAIL: kernel log of $kver is not clean" \
	"during tests/vm/selftest/warn.sh: .*WARNING: .*warn_on_load" \
	"^2 passed, 3 failed, 1 skipped$"

"$run" -k "$kver" -o "$out/b" "$st/crash.sh" "$st/pass.sh" > "$out/b.log" 2>&1
expect "reports a guest kernel panic" "$out/b.log" $? 1 \
	"^FAIL: tests/vm/selftest/crash.sh \[$kver\]: did not finish" \
	"^FAIL: tests/vm/selftest/pass.sh \[$kver\]: did not finish" \
	"^FAIL: guest $kver stopped before the end of its plan" \
	"Kernel panic" \
	"^0 passed, 4 failed, 0 skipped$"

"$run" -k "$kver" -T 2 -o "$out/c" "$st/pass.sh" > "$out/c.log" 2>&1
expect "reports a guest that hangs" "$out/c.log" $? 1 \
	"^FAIL: guest $kver hung: killed after the 2 s VM timeout" \
	"^FAIL: tests/vm/selftest/pass.sh \[$kver\]: did not finish"

lib_exit
