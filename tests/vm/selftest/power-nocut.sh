#!/bin/sh
# vm: power cut
# Harness self-test: a power-cut test that passes without asking for a cut.
echo "PASS: nothing to see"
exit 0
