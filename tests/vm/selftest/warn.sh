#!/bin/sh
# Harness self-test: loads a module that WARNs; the test itself passes, the
# kernel log must fail the run.
insmod "$WICKET_TOP/build/$(uname -r)/tests/vm/selftest/warn_on_load.ko" || exit 1
rmmod warn_on_load
exit 0
