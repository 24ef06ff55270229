#!/bin/bash
# The module's generic netlink family under random and mutated requests
# (tests/tools/nl-fuzz.c: every command, the events and unknown numbers,
# random flags, nests, batches past their limits, lengths at the edges,
# truncated attributes, valid requests damaged by a byte or a length).
#   1. Requests it must refuse, against a known table (ports, clients with
#      addresses, deadline and cap, garden, config): each one is refused,
#      and the whole table (dump, CLIENT_GET by MAC and by address, ports,
#      garden, config) is the same afterwards.
#   2. Random requests of every kind: each is answered (an ack or an error
#      when one was asked for, never silence), no oops or WARN in the
#      kernel log, the module still answers.
#   3. No leak: after a full flush the module counts no client, and its
#      client caches, the kernel's Slab and Percpu are back to what they
#      were after a warm-up (the Debian kernels have no kmemleak); then the
#      module unloads (its reference count is 0) without "objects
#      remaining" from its caches.
# The seed is printed; WICKET_FUZZ_SEED=N runs the same requests again.
# make check sends 10000 refused and 30000 random requests, on the newest
# kernel (100000 do not fit in its budget); WICKET_TORTURE=1 sends 100000
# of each.
. "$(dirname "$0")/../lib.sh"

checktool "nl-fuzz -h" nl-fuzz
seed=${WICKET_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
n_reject=10000 n_random=30000
[ "${WICKET_TORTURE:-0}" = 1 ] && n_reject=100000 n_random=100000
echo "# seed $seed (WICKET_FUZZ_SEED=$seed reproduces), $n_reject refused + $n_random random requests"

dmesg_start=$(dmesg | wc -l)
test_start=$(now_ms)
load_wicket || exit 1
setup_gateway || exit 1
add_guest g1 1 02:00:00:00:0f:01 || exit 1
add_guest g2 2 02:00:00:00:0f:03 || exit 1
r1=$(ip netns exec "$router" cat /sys/class/net/r1/ifindex)
r2=$(ip netns exec "$router" cat /sys/class/net/r2/ifindex)
fuzz() { ip netns exec "$router" nl-fuzz -p "$r1" -p "$r2" "$@"; }

# The known table.
wnl port set r1 charge &&
	wnl port set r2 free &&
	wnl client add r1 02:00:00:00:0f:01 addr 10.0.1.2 addr fd00:1::2 state authorized session 7 cap 5000000 &&
	wnl client add r1 02:00:00:00:0f:02 addr 10.0.1.3 state provisional session 8 timeout 3600000 &&
	wnl client add r2 02:00:00:00:0f:03 addr 10.0.2.2 addr fd00:2::2 &&
	wnl client add r1 02:00:00:00:0f:04 state blocked &&
	wnl garden add 10.98.0.0/24 &&
	wnl garden add fd00:98::/64 &&
	wnl config set mark 0x800000/0x800000 seen-per-sec 77 max-clients 4096 || exit 1
# Some traffic, so that counters are not all zero.
ping_ok "$g1" 10.99.0.2
ping_ok "$g2" 10.99.0.2

# The whole table as the module reports it; the time left of a deadline
# goes down by itself and is compared apart (deadline_ms), idle time too.
clients_of() { sed -e 's/ idle_ms=[0-9]*//' -e 's/ timeout_ms=[0-9][0-9]*/ timeout_ms=SET/' | sort; }
state() {
	local m
	wnl client list | clients_of
	for m in 01 02 04; do wnl client get r1 02:00:00:00:0f:$m | clients_of; done
	wnl client get r2 02:00:00:00:0f:03 | clients_of
	for a in 10.0.1.2 fd00:1::2 10.0.1.3 10.0.2.2 fd00:2::2; do wnl client get addr $a | clients_of; done
	wnl port list
	wnl garden list
	wnl config get
}
# The absolute deadline of the provisional client, in ms of the wall clock.
deadline_ms() {
	local t
	t=$(wnl client get r1 02:00:00:00:0f:02 | field timeout_ms)
	echo $(($(now_ms) + t))
}

echo "# setup: $(($(now_ms) - test_start)) ms"
before=$(state)
deadline_before=$(deadline_ms)
check "the known table is there (4 clients, 2 ports, 2 prefixes)" \
	test "$(wnl client list | wc -l) $(wnl port list | wc -l) $(wnl garden list | wc -l)" = "4 2 2"

# 1. Refused requests change nothing.
t0=$(now_ms)
check "$n_reject requests with a defect (seed $seed): every one refused, every answer checked" \
	fuzz -r -n "$n_reject" -s "$seed"
echo "# refused requests: $(($(now_ms) - t0)) ms"
after=$(state)
if [ "$after" = "$before" ]; then
	log_pass "the table is unchanged after the refused requests"
else
	log_fail "the table changed after the refused requests"
	diff <(echo "$before") <(echo "$after")
fi
drift=$(($(deadline_ms) - deadline_before))
check "the provisional client's deadline is unchanged (drift ${drift} ms)" test "${drift#-}" -le 2000

# 2. Random requests of every kind. A warm-up first: caches and per-CPU
# blocks the module keeps on purpose are made before the baseline.
check "warm-up: 2000 random requests" fuzz -q -n 2000 -s $((seed + 1))
wnl flush clients garden ports > /dev/null
wnl config set max-clients 65536 > /dev/null
sleep 1
slab_objects() { [ -r "/sys/kernel/slab/$1/objects" ] && awk '{print $1}' "/sys/kernel/slab/$1/objects" || echo 0; }
meminfo() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }
slab0=$(meminfo Slab) percpu0=$(meminfo Percpu)
clients0=$(slab_objects wicket_client) addrs0=$(slab_objects wicket_addr)

t0=$(now_ms)
check "$n_random random requests (seed $seed): every answer checked, never silence" \
	fuzz -n "$n_random" -s "$seed"
echo "# random requests: $(($(now_ms) - t0)) ms"
check "the module still answers" wnl version
check "... and dumps its table" wnl client list --count
# Whatever the random requests left (ports gone, a low max-clients), a clean
# slate takes a port and a client again.
works_again() {
	wnl flush clients garden ports && wnl config set max-clients 4096 && wnl port set r1 charge &&
		wnl client add r1 02:00:00:00:0f:01 addr 10.0.1.2 state captive &&
		wnl client get r1 02:00:00:00:0f:01 | grep -q "state=captive"
}
check "... and, flushed, takes a port and a client again" works_again

# 3. Leaks: everything out, and the memory back.
check "a full flush" wnl flush clients garden ports
check "the module counts no client afterwards" test "$(wnl config get | field clients)" = 0
check "... and lists none, no port, no prefix" \
	test "$(wnl client list | wc -l) $(wnl port list | wc -l) $(wnl garden list | wc -l)" = "0 0 0"
# Freed objects go back after an RCU grace period; slab pages when shrunk.
sleep 2
for c in wicket_client wicket_addr; do
	[ -w "/sys/kernel/slab/$c/shrink" ] && echo 1 > "/sys/kernel/slab/$c/shrink"
done
echo 3 > /proc/sys/vm/drop_caches
slab1=$(meminfo Slab) percpu1=$(meminfo Percpu)
clients1=$(slab_objects wicket_client) addrs1=$(slab_objects wicket_addr)
echo "# Slab ${slab0} -> ${slab1} kB, Percpu ${percpu0} -> ${percpu1} kB," \
	"wicket_client objects ${clients0} -> ${clients1}, wicket_addr ${addrs0} -> ${addrs1}" \
	"(aliases: $(cat /sys/kernel/slab/wicket_client/aliases 2> /dev/null || echo none))"
# A cache's objects count whole per-CPU slabs: allow one slab per CPU.
ncpu=$(nproc)
check "the wicket_client cache holds no more objects than before (${clients0} -> ${clients1})" \
	test "$clients1" -le $((clients0 + 64 * ncpu))
check "the wicket_addr cache holds no more objects than before (${addrs0} -> ${addrs1})" \
	test "$addrs1" -le $((addrs0 + 128 * ncpu))
check "Slab is back within 2 MiB (${slab0} -> ${slab1} kB)" test "$slab1" -le $((slab0 + 2048))
check "Percpu is back within 64 KiB (${percpu0} -> ${percpu1} kB)" test "$percpu1" -le $((percpu0 + 64))

check "the module's reference count is 0" test "$(cat /sys/module/wicket/refcnt)" = 0
check "rmmod wicket succeeds" rmmod wicket
check "the module is gone" test ! -d /sys/module/wicket
echo "# whole test: $(($(now_ms) - test_start)) ms"
log=$(dmesg | tail -n +$((dmesg_start + 1)))
if grep -qE "Oops|BUG|WARNING|Call Trace|still has objects|Objects remaining|kmemleak|general protection" <<< "$log"; then
	log_fail "the kernel log has an oops, WARN, BUG or leftover objects"
	grep -E -B2 -A20 "Oops|BUG|WARNING|Call Trace|still has objects|Objects remaining" <<< "$log" | head -60
else
	log_pass "the kernel log has no oops, WARN, BUG or leftover objects"
fi
lib_exit
