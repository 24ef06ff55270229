#!/bin/bash
# The VM harness tests itself: on one installed kernel it must report a
# passing, a failing, a skipped and a timed-out test as such, fail a run
# whose guest kernel WARNs (naming the test), fail a run whose guest
# panics, boot again (once) a guest that crashed before its test runner,
# and fail a run whose guest hangs. Runs on the host.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/selftest-lib.sh"

run=$WICKET_TOP/tests/vm/run
st=$WICKET_TOP/tests/vm/selftest
kver=${1:-$(ls /lib/modules | sort -V | head -n 1)}
# In the patterns: Debian's newer kernels have a '+' in their name.
k=$(quote_re "$kver")
out=$(mktemp -d)
on_exit "rm -rf $out"

# The first boot's stock kernel crashes in its own boot (before the test
# runner: nothing of ours has run): the harness boots once more, says so,
# and the run goes on.
WICKET_VM_CRASH_BOOTS=1 "$run" -k "$kver" -t 5 -o "$out/a" "$st/pass.sh" "$st/fail.sh" "$st/skip.sh" \
	"$st/hang.sh" "$st/warn.sh" > "$out/a.log" 2>&1
expect "reports pass, fail, skip, per-test timeout and a WARN" "$out/a.log" $? 1 \
	"^# guest: uname -r = $k;" \
	"^PASS: tests/vm/selftest/pass.sh \[$k\]" \
	"^FAIL: tests/vm/selftest/fail.sh \[$k\]: exit 1" \
	"^SKIP: tests/vm/selftest/skip.sh \[$k\]" \
	"^FAIL: tests/vm/selftest/hang.sh \[$k\]: killed after the 5 s test timeout" \
	"^FAIL: kernel log of $k is not clean" \
	"during tests/vm/selftest/warn.sh: .*WARNING: .*warn_on_load" \
	"^2 passed, 3 failed, 1 skipped$"
check "... after booting again, once, a guest that crashed before its test runner" \
	grep -qE "^# guest $k crashed in its own boot, before the test runner started; booting again" "$out/a.log"
check "... showing the crash" grep -qE '^#    \| .*Kernel panic' "$out/a.log"
check "... and keeping that boot's console" grep -q "Kernel panic" "$out/a/$kver/console.boot1.log"
check_fails "... the crash not taken for a test's" grep -q "during .*Kernel panic" "$out/a.log"

"$run" -k "$kver" -o "$out/b" "$st/crash.sh" "$st/pass.sh" > "$out/b.log" 2>&1
expect "reports a guest kernel panic" "$out/b.log" $? 1 \
	"^FAIL: tests/vm/selftest/crash.sh \[$k\]: did not finish" \
	"^FAIL: tests/vm/selftest/pass.sh \[$k\]: did not finish" \
	"^FAIL: guest $k stopped before the end of its plan" \
	"Kernel panic" \
	"^0 passed, 4 failed, 0 skipped$"

# Twice in a row is a failure.
WICKET_VM_CRASH_BOOTS=2 "$run" -k "$kver" -o "$out/e" "$st/pass.sh" > "$out/e.log" 2>&1
expect "fails a guest that crashes before its test runner twice" "$out/e.log" $? 1 \
	"^# guest $k never reached its test runner" \
	"^FAIL: tests/vm/selftest/pass.sh \[$k\]: did not finish" \
	"^FAIL: kernel log of $k is not clean"

"$run" -k "$kver" -T 2 -o "$out/c" "$st/pass.sh" > "$out/c.log" 2>&1
expect "reports a guest that hangs" "$out/c.log" $? 1 \
	"^FAIL: guest $k hung: killed after the 2 s VM timeout" \
	"^FAIL: tests/vm/selftest/pass.sh \[$k\]: did not finish"

lib_exit
