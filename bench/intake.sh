#!/bin/sh
# bench/intake.sh: 20,000 notifications over the local API from 8 concurrent
# clients onto a real bbolt file with fsync on; prints throughput and p50/p99
# latency. Targets: >= 5,000/s and p99 <= 20 ms on a 2-core machine.
#
#   sh bench/intake.sh [N] [CLIENTS]
set -eu
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-8}
tmp=$(mktemp -d)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
go build -o "$tmp/server" ./bench/intakeload/server
go build -o "$tmp/intakeload" ./bench/intakeload
token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
"$tmp/server" -db "$tmp/lull.db" -token "$token" >"$tmp/port" &
server_pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "server did not start" >&2; exit 1; }
	sleep 0.1
done
echo "intake: $N notifications, $C clients, fsync on, $(nproc) cores"
"$tmp/intakeload" -url "http://127.0.0.1:$(cat "$tmp/port")" -token "$token" -n "$N" -c "$C"
