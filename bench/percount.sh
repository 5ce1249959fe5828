#!/usr/bin/env bash
# Per-operation counts of our side only, for comparing builds: 3
# `norikv-console serve --fsync` processes on loopback, a fill, then one
# block of the load generator, with the servers' Go runtime counters read
# before and after the block (/debug/pprof/heap?debug=1 on --debug-addr)
# and perf stat over the 3 processes. Counts per operation do not depend
# much on the machine's load the way latencies do; run builds alternated:
#
#   bench/percount.sh /tmp/old /tmp/new /tmp/new /tmp/old
#
# One line per build run: ops/s, p99, and per Put over the 3 nodes bytes
# allocated, allocations, GC cycles per 100k ops, context switches and CPU
# ms, and the 3 processes' RSS summed after the block. Environment: OP (put), WORKERS (64), DURATION (8s), FILL (20000),
# SERVE_GROUPS (6, serve's default; always passed, so builds from before
# that default compare alike), PORT_BASE (24000), GODEBUG_SERVE (passed to the servers
# as GODEBUG, e.g. gctrace=1), SERVE_ENV (more VAR=value for the servers),
# PROFILE (a directory: also save each node's alloc profile over the block),
# KEEP (1: keep data dirs and logs).
set -euo pipefail

OP=${OP:-put}
WORKERS=${WORKERS:-64}
DURATION=${DURATION:-8s}
FILL=${FILL:-20000}
SERVE_GROUPS=${SERVE_GROUPS:-6}
PORT_BASE=${PORT_BASE:-24000}
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
	echo "usage: $0 BINARY [BINARY...] (norikv-console builds, run in the order given)" >&2
	exit 2
fi
work=$(mktemp -d /tmp/norikv-percount.XXXXXX)
lg=$work/loadgen
(cd "$here" && go build -o "$lg" ./loadgen)

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${KEEP:-}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# memstat FIELD: the sum of FIELD over the 3 nodes' runtime.MemStats.
memstat() {
	local sum=0 v i
	for i in 1 2 3; do
		v=$(curl -s "http://127.0.0.1:$((PORT_BASE + 40 + i))/debug/pprof/heap?debug=1" | awk -v f="$1" '$1=="#" && $2==f && $3=="=" {print $4; exit}')
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

run=0
for bin in "$@"; do
	run=$((run + 1))
	dir=$work/run$run
	mkdir -p "$dir"
	peers="" eps=""
	for i in 1 2 3; do
		peers+="${peers:+,}n$i=127.0.0.1:$((PORT_BASE + 20 + i))/127.0.0.1:$((PORT_BASE + 30 + i))"
		eps+="${eps:+,}127.0.0.1:$((PORT_BASE + 20 + i))"
	done
	pids=()
	for i in 1 2 3; do
		mkdir -p "$dir/n$i"
		env ${GODEBUG_SERVE:+GODEBUG=$GODEBUG_SERVE} ${SERVE_ENV:-} "$bin" serve --id "n$i" \
			--addr "127.0.0.1:$((PORT_BASE + 20 + i))" --raft-addr "127.0.0.1:$((PORT_BASE + 30 + i))" \
			--debug-addr "127.0.0.1:$((PORT_BASE + 40 + i))" --data-dir "$dir/n$i" --peers "$peers" \
			--fsync=true --groups "$SERVE_GROUPS" >"$dir/n$i.log" 2>&1 &
		pids+=($!)
	done
	spids=$(
		IFS=,
		echo "${pids[*]}"
	)
	"$lg" wait --system norikv --endpoints "$eps" --out /dev/null
	sleep 3
	"$lg" fill --system norikv --endpoints "$eps" --count "$FILL" 2>/dev/null
	sleep 2
	a0=$(memstat TotalAlloc) m0=$(memstat Mallocs) g0=$(memstat NumGC)
	if [ -n "${PROFILE:-}" ]; then
		mkdir -p "$PROFILE"
		for i in 1 2 3; do curl -s -o "$PROFILE/run$run-n$i-before.pb.gz" "http://127.0.0.1:$((PORT_BASE + 40 + i))/debug/pprof/allocs"; done
	fi
	load0=$(cut -d' ' -f1 /proc/loadavg)
	perf stat -x, -e context-switches,task-clock -p "$spids" -o "$dir/perf.csv" -- \
		"$lg" run --system norikv --endpoints "$eps" --op "$OP" --workers "$WORKERS" --duration "$DURATION" \
		--warmup 0 --keys "$FILL" --out "$dir/rec.json" 2>/dev/null
	a1=$(memstat TotalAlloc) m1=$(memstat Mallocs) g1=$(memstat NumGC)
	load1=$(cut -d' ' -f1 /proc/loadavg)
	rss=0
	for p in "${pids[@]}"; do rss=$((rss + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status"))); done
	if [ -n "${PROFILE:-}" ]; then
		for i in 1 2 3; do curl -s -o "$PROFILE/run$run-n$i-after.pb.gz" "http://127.0.0.1:$((PORT_BASE + 40 + i))/debug/pprof/allocs"; done
	fi
	ops=$(sed -n 's/.*"ops":\([0-9]*\).*/\1/p' "$dir/rec.json")
	opsps=$(sed -n 's/.*"ops_per_s":\([0-9.]*\).*/\1/p' "$dir/rec.json")
	p99=$(sed -n 's/.*"p99_ms":\([0-9.]*\).*/\1/p' "$dir/rec.json")
	cs=$(awk -F, '$3=="context-switches" {print $1}' "$dir/perf.csv")
	tc=$(awk -F, '$3=="task-clock" {print $1}' "$dir/perf.csv")
	awk -v bin="$bin" -v run="$run" -v ops="$ops" -v opsps="$opsps" -v p99="$p99" -v da=$((a1 - a0)) -v dm=$((m1 - m0)) \
		-v dg=$((g1 - g0)) -v cs="$cs" -v tc="$tc" -v l0="$load0" -v l1="$load1" -v rss="$rss" 'BEGIN {
		printf "run %d %s: %.0f ops/s p99 %.1f ms | per op over 3 nodes: %.2f KB alloc, %.1f allocs, %.2f GC/100k ops, %.2f ctx switches, %.3f CPU ms | RSS after %.0f MiB | load %s-%s\n",
			run, bin, opsps, p99, da / ops / 1000, dm / ops, dg * 100000 / ops, cs / ops, tc / ops, rss / 1024, l0, l1
	}'
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait "${pids[@]}" 2>/dev/null || true
	pids=()
	if [ "${KEEP:-}" != 1 ]; then rm -rf "$dir/n1" "$dir/n2" "$dir/n3"; fi
done
