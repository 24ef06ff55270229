#!/bin/sh
# vm: power cut
# Harness self-test: a power-cut test that asks for its cut at boot 1 and
# hangs at boot 2; the per-test timeout (or the watchdog) stops it.
if [ "$WICKET_BOOT" = 1 ]; then
	echo 0 > "$WICKET_POWER_CUT.tmp" && mv "$WICKET_POWER_CUT.tmp" "$WICKET_POWER_CUT"
	exec sleep 60
fi
exec sleep 100000
