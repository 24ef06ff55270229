#!/bin/bash
# vm: power cut
# The guest's power cut (QEMU SIGKILLed by the host) in the middle of a
# storm of logins (client API, by voucher), comps (wicketctl allow),
# keepalives, logouts and kicks from two guests, with wicketd's store on
# a persistent disk (ext4 on virtio-blk, tests/vm/run). Each operation
# wicketd acknowledged is logged on the host (the results share), so the
# log outlives the guest. After each cut the guest boots again on the same
# disk: the file system checks clean after its journal replay, PRAGMA
# integrity_check says ok, wicketd starts on the store, every acknowledged
# operation is in it (a login the API answered active, an allow that said
# ok, a logout or kick that said ended), nothing is charged twice (one
# approved request and one voucher use per voucher, a session's charge
# the sum of what it was sold, one accounting start and, once ended, one
# stop per sold session), and the kernel's open gates equal the store's
# open sessions within 2 s of the start.
# Cuts: 1, or 10 with WICKET_TORTURE=1 (make torture), each after a random
# number of answers (1 to 4; 1 to 12 in the torture) once every kind of
# operation has been acknowledged, and a random 0 to 500 ms more. The
# seed is random and printed; WICKET_SEED=N replays a run's choices (not
# the guest's timing).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../vm/power.sh"
. "$(dirname "$0")/../storm.sh"
power_require
checktool "sqlite3 -version" sqlite3
checktool "curl --version" curl
checktool "e2fsck -V" e2fsprogs

cuts=1
[ "${WICKET_TORTURE:-0}" = 1 ] && cuts=10
boot=$WICKET_BOOT
state=$power_state
[ "$boot" = 1 ] && echo "${WICKET_SEED:-$((($(date +%s%N) / 1000) % 32768))}" > "$state/seed"
seed=$(< "$state/seed")
echo "boot $boot of $((cuts + 1)); seed: $seed (rerun: WICKET_SEED=$seed)"
RANDOM=$((seed + 7919 * boot))

# Where the time of a boot goes.
test0=$(now_ms)
stamp() { echo "[$(($(now_ms) - test0)) ms] $*"; }

# A fresh boot loads the modules of the gateway (veth) and of wicketd's
# firewall (nf_tables, conntrack, nat) from the host over 9p, slowly:
# they load while the disk is checked and mounted.
modprobe -a veth nft_chain_nat nft_redir nft_nat nft_limit &
mods=$!

mnt=/mnt/power
power_disk "$mnt" || exit 1
stamp "disk mounted"
load_wicket || exit 1
setup_gateway || exit 1
guests=(1 2)
for n in "${guests[@]}"; do add_guest "g$n" "$n" "02:00:00:00:0$n:0$n" || exit 1; done
stamp "gateway and guests made"
wait "$mods"

# wicketd's files on the disk; its log on the host, one for every boot.
wicketd_dir=$mnt/wicketd
dir=$wicketd_dir
# The storm (tests/storm.sh): its bookkeeping, acks and answers on the
# host, never lost; each answer marked with its boot.
storm_dir=$state storm_tag="boot $boot"
# A keepalive every 5 s, one miss allowed: a guest whose keepalives stop
# (its worker picks other things, the power is off) is cut within 10 s.
wicketd_ka_interval=5 wicketd_ka_misses=2 wicketd_ports="r2"
if [ "$boot" = 1 ]; then
	mkdir -p "$dir" && chmod 755 "$dir" || exit 1
	(umask 077 && head -c 32 /dev/urandom > "$dir/keepalive.key")
	wicketd_config || exit 1
fi
ln -sfn "$state/wicketd.log" "$dir/log"
echo "wicketd: boot $boot" >> "$state/wicketd.log"

# After a cut: the disk and the store as the power left them.
if [ "$boot" -gt 1 ]; then
	echo "e2fsck: exit $power_fsck_rc: $power_fsck_out"
	check "boot $boot: the file system is clean after the power cut and its journal's replay (e2fsck -fn)" \
		test "$power_fsck_rc" = 0
	ic=$(sql 'PRAGMA integrity_check')
	check "boot $boot: PRAGMA integrity_check of the store as the cut left it says ok ($ic)" test "$ic" = ok
fi

# wicketd is ready for guests once it says it runs (the portal opens after the control socket).
runs() { grep -c 'running: .* access ports' "$state/wicketd.log"; }
before=$(runs)
started() { [ "$(runs)" -gt "$before" ]; }
# wicketd's start in a fresh boot, slow on a loaded host, is given a
# minute, not lib.sh's 10 s.
t0=$(now_ms)
rm -f "$dir/control.sock"
ip netns exec "$router" wicketd -c "$dir/wicketd.conf" >> "$dir/log" 2>&1 &
wicketd_pid=$!
on_exit 'kill $wicketd_pid'
wait_until 60 started || { log_fail "boot $boot: wicketd does not start on the store"; exit 1; }
stamp "wicketd running, $(($(now_ms) - t0)) ms after its start"

if [ "$boot" -gt 1 ]; then
	if wait_until 2 same_open; then
		log_pass "boot $boot: the kernel's open gates equal the store's open sessions ($(store_open | wc -l)) within 2 s"
	else
		log_fail "boot $boot: the kernel's open gates (<) differ from the store's open sessions (>) 2 s after the start"
		diff <(kernel_open) <(store_open)
		wnl client list
	fi
	missing=$(acks_missing)
	check "boot $boot: each of the $(acks | wc -l) acknowledged operations is in the store" test -z "$missing"
	[ -z "$missing" ] || echo "acknowledged, not in the store:"$'\n'"$missing"
	twice=$(charged_twice)
	check "boot $boot: nothing charged twice, one accounting start and stop per sold session" test -z "$twice"
	[ -z "$twice" ] || echo "$twice"
	ic=$(sql 'PRAGMA integrity_check')
	check "boot $boot: PRAGMA integrity_check says ok with wicketd running ($ic)" test "$ic" = ok
	echo "store: $(sql "SELECT count(*) FROM sessions") sessions ($(store_open | wc -l) open)," \
		"ends: $(sql "SELECT end_reason || ' ' || count(*) FROM sessions WHERE state = 'ended' GROUP BY end_reason" | tr '\n' ' ')"
fi

if [ "$boot" -gt "$cuts" ]; then
	echo "acknowledged in all: $(count login) logins, $(count allow) allows, $(count logout) logouts, $(count kick) kicks"
	check "the storms had logins, allows and ends (logout, kick) acknowledged before their cuts" \
		test "$(count login)" -gt 0 -a "$(count allow)" -gt 0 -a "$(($(count logout) + $(count kick)))" -gt 0
	grep -viE 'reconciled|session [0-9]+:' "$state/wicketd.log" | tail -n 40
	stamp "end"
	lib_exit
fi

# The storm, up to the cut.
if [ "$boot" = 1 ]; then
	storm_vouchers $((cuts * 6 + 6)) "${guests[@]}" || exit 1
fi
storm_seen "${guests[@]}" || exit 1
# What the first boot set up (the config, wicketd's TLS key, the plans and
# vouchers) is not what is under test: on the disk before the storm.
sync
stamp "storm starts"

# The guests' storm, until the power goes (or $storm_stop exists).
storm_stop=$(mktemp -u)
# Every kind of operation at stake from the start: g1 logs in and out,
# g2 is comped.
first=("0 4" "3")
for n in "${guests[@]}"; do
	storm_guest "$n" "$((RANDOM + n))" "${first[n - 1]}"
done
on_exit "touch $storm_stop"
answered() { [ "$(answers | wc -l)" -ge "$1" ]; }
# Every kind of operation acknowledged (in this boot or an earlier one);
# then a random number of answers
# (1 to 4 or 12: a point of the storm, not of the wall clock, however slow the
# guest) and a random 0 to 500 ms more, which the host waits.
every_kind() { [ "$(count login)" -gt 0 ] && [ "$(count allow)" -gt 0 ] && [ "$(($(count logout) + $(count kick)))" -gt 0 ]; }
storm0=$(now_ms)
wait_until 60 every_kind || echo "boot $boot: not every kind of operation acknowledged in 60 s"
steps=$((RANDOM % (cuts > 1 ? 12 : 4) + 1))
wait_until 60 answered $(($(answers | wc -l) + steps)) || echo "boot $boot: fewer than $steps answers in 60 s"
delay=$((RANDOM % 500))
stamp "power cut $delay ms after answer $steps, $(($(now_ms) - storm0)) ms into the storm;" \
	"$(acks | wc -l) acks so far"
power_cut "$delay"
# The storm goes on until the power goes; still here a minute later, the
# harness did not cut it.
sleep 60
log_fail "boot $boot: no power cut came 60 s after it was asked for"
lib_exit
