#!/bin/sh
# vm: power cut
# Harness self-test: a power-cut test that fails after its cut (boot 2).
if [ "$WICKET_BOOT" = 1 ]; then
	echo 100 > "$WICKET_POWER_CUT.tmp" && mv "$WICKET_POWER_CUT.tmp" "$WICKET_POWER_CUT"
	exec sleep 60
fi
exit 1
