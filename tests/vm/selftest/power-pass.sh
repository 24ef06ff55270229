#!/bin/sh
# vm: power cut
# Harness self-test: a power-cut test that asks for its cut at boot 1 and
# passes at boot 2, finding what boot 1 left on the disk and the host.
modprobe virtio_blk && modprobe ext4 || exit 1
for _ in 1 2 3 4 5 6 7 8 9 10; do
	dev=/dev/$(grep -lx wicket-power /sys/block/vd*/serial 2> /dev/null | cut -d/ -f4)
	[ -b "$dev" ] && break
	sleep 0.5
done
mkdir -p /mnt/power && mount -t ext4 "$dev" /mnt/power || exit 1
if [ "$WICKET_BOOT" = 1 ]; then
	echo on-disk > /mnt/power/mark && sync
	echo on-host > "$WICKET_POWER_STATE/mark"
	echo 0 > "$WICKET_POWER_CUT.tmp" && mv "$WICKET_POWER_CUT.tmp" "$WICKET_POWER_CUT"
	exec sleep 60
fi
[ "$(cat /mnt/power/mark)" = on-disk ] && [ "$(cat "$WICKET_POWER_STATE/mark")" = on-host ] &&
	echo "PASS: boot $WICKET_BOOT finds boot 1's marks" && exit 0
echo "FAIL: boot $WICKET_BOOT does not find boot 1's marks"
exit 1
