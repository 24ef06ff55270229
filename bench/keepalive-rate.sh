#!/bin/bash
# Keepalives taken per second by wicketd's keepalive server on the host:
# a fresh store (on disk, synchronous=FULL) with N active sessions, a
# sender on one core, the daemon's code on another (bench/tools/
# keepalive-rate.c says what is measured and what is left out).
#   BENCH_KA_SESSIONS="10000 100000"  BENCH_KA_SECONDS=5
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
[ -x "$bin/keepalive-rate" ] && [ -x "$bin/store-fill" ] || { echo "keepalive-rate: run make first" >&2; exit 1; }
cpus=$(nproc)
[ "$cpus" -ge 2 ] || echo "keepalive-rate: one CPU only: sender and receiver share it" >&2
echo "# keepalives on the host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
for n in ${BENCH_KA_SESSIONS:-10000 100000}; do
	dir=$(mktemp -d -p "$top/build" keepalive-rate.XXXXXX)
	trap 'rm -rf "$dir"' EXIT
	"$bin/store-fill" "$dir/wicket.db" bench0 "$n" > /dev/null 2>&1
	echo "## $n sessions"
	"$bin/keepalive-rate" "$dir" --sessions "$n" --seconds "${BENCH_KA_SECONDS:-5}" \
		--receiver-cpu 0 --sender-cpu $((cpus > 1 ? 1 : 0)) 2> /dev/null
	rm -rf "$dir"
done
