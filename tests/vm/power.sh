# Helpers for a test marked "# vm: power cut" (see tests/vm/run), in the
# guest. Source it after tests/lib.sh:
#   . "$(dirname "$0")/../vm/power.sh"
#
# $WICKET_BOOT       1 on the first boot (a fresh disk), N after N-1 cuts
# $power_state       a directory on the host that outlives every cut
# power_require      skip (exit 4) unless run by tests/vm/run as such a test
# power_disk DIR     mount the persistent disk on DIR (after a cut: its
#                    journal replayed and e2fsck -fn, its exit in
#                    $power_fsck_rc, 0 when clean, output in $power_fsck_out)
# power_cut MS       ask the host to SIGKILL QEMU MS ms from now; the guest
#                    goes on meanwhile (returns at once)

power_state=${WICKET_POWER_STATE:-}

power_require() {
	if [ -z "${WICKET_BOOT:-}" ] || [ -z "$power_state" ] || [ -z "${WICKET_POWER_CUT:-}" ]; then
		echo "SKIP: a power-cut test runs only in tests/vm/run's VM (# vm: power cut)"
		exit "$ksft_skip"
	fi
}

# The harness's disk, by the serial it gives it; its driver and ext4 come
# from the host's /lib/modules (the initramfs has only what reaches 9p).
power_device() {
	local s
	for s in /sys/block/vd*/serial; do
		[ "$(cat "$s" 2> /dev/null)" = wicket-power ] || continue
		s=${s%/serial}
		echo "/dev/${s##*/}"
		return 0
	done
	return 1
}

power_disk() {
	local dir=$1 dev
	modprobe -a virtio_blk ext4 || { echo "power_disk: cannot load virtio_blk and ext4"; return 1; }
	wait_until 10 power_device > /dev/null || { echo "power_disk: no disk with serial wicket-power"; return 1; }
	dev=$(power_device)
	power_fsck_rc=0
	power_fsck_out=""
	if [ "$WICKET_BOOT" -gt 1 ]; then
		# After a cut: the journal replayed (what a mount would do), then
		# the whole file system checked without a change: 0 is clean.
		power_fsck_out=$(e2fsck -E journal_only -p "$dev" 2>&1 && e2fsck -f -n "$dev" 2>&1)
		power_fsck_rc=$?
	fi
	mkdir -p "$dir"
	mount -t ext4 "$dev" "$dir" || { echo "power_disk: cannot mount $dev"; return 1; }
	on_exit "umount -l $dir"
}

power_cut() {
	# Renamed into place: the host never reads half a request.
	echo "$1" > "$WICKET_POWER_CUT.tmp" && mv "$WICKET_POWER_CUT.tmp" "$WICKET_POWER_CUT"
}
