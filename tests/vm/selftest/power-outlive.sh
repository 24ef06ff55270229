#!/bin/sh
# vm: power cut
# Harness self-test: a power-cut test that asks for a cut in 20 s and
# ends at once, passing: the cut never comes, a failure.
echo 20000 > "$WICKET_POWER_CUT.tmp" && mv "$WICKET_POWER_CUT.tmp" "$WICKET_POWER_CUT"
echo "PASS: nothing to see"
exit 0
