#!/usr/bin/env bash
# Side-by-side benchmark: 3 etcd members (Debian's etcd-server, fsync as
# always) and 3 `norikv-console serve --fsync` processes on loopback, driven
# by the same load generator (bench/loadgen). Prints one markdown table.
#
#   bench/run.sh                       # 3 rounds of 10 s blocks, 30 s idle window
#   ROUNDS=1 DURATION=2s IDLE=5s FILL=5000 bench/run.sh   # smoke test
#
# Environment: ROUNDS (3), DURATION (10s), WARMUP (1s), IDLE (30s),
# FILL (100000 puts of 100 B before the RSS reading; the Get blocks read
# these keys), BLOCKS ("put:1 put:16 put:64 get:1 get:64"; get is
# linearizable), OUT (results directory, default a new temp dir),
# PORT_BASE (23000), RAFT_LOG (pebble, the default for new data dirs, or
# bolt: one bbolt file per group, recorded in each new data dir's
# raft-log-store marker before the first start), SERVE_FSYNC (true; false
# runs our side without fsync, as devcluster does, against etcd with it),
# NORIKV_BIN (a norikv-console binary to run instead of building this tree),
# SERVE_GROUPS (replication groups of our side; unset: --groups is not
# passed and serve uses its default, 6), ETCD_TIMER_SLACK_NS (run the etcd
# members with this timer slack, as serve's --timer-slack gives itself,
# through timerslack.py; unset: the system's), SERVE_TIMER_SLACK (serve's
# --timer-slack; unset: not passed, serve's default).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-1s}
IDLE=${IDLE:-30s}
FILL=${FILL:-100000}
BLOCKS=${BLOCKS:-"put:1 put:16 put:64 get:1 get:64"}
PORT_BASE=${PORT_BASE:-23000}
RAFT_LOG=${RAFT_LOG:-pebble}
SERVE_FSYNC=${SERVE_FSYNC:-true}
SERVE_GROUPS=${SERVE_GROUPS:-}
here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d /tmp/norikv-bench.XXXXXX)}
mkdir -p "$OUT"
results=$OUT/results.jsonl
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$results"

if ! command -v etcd >/dev/null; then
	echo "installing Debian's etcd-server" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
fi

echo "building into $OUT/bin" >&2
mkdir -p "$OUT/bin"
if [ -n "${NORIKV_BIN:-}" ]; then # a given build, e.g. HEAD's, to compare two builds' ratios
	cp "$NORIKV_BIN" "$OUT/bin/norikv-console"
else
	(cd "$here/.." && go build -o "$OUT/bin/norikv-console" .)
fi
(cd "$here" && go build -o "$OUT/bin/loadgen" ./loadgen)
lg=$OUT/bin/loadgen

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

ecluster=""
eps_etcd=""
for i in 1 2 3; do
	ecluster+="${ecluster:+,}e$i=http://127.0.0.1:$((PORT_BASE + 10 + i))"
	eps_etcd+="${eps_etcd:+,}127.0.0.1:$((PORT_BASE + i))"
done
etcd_pids=""
etcd_wrap=()
if [ -n "${ETCD_TIMER_SLACK_NS:-}" ]; then
	etcd_wrap=(python3 "$here/timerslack.py" "$ETCD_TIMER_SLACK_NS")
fi
t0=$(date +%s%N)
for i in 1 2 3; do
	"${etcd_wrap[@]}" etcd --name "e$i" --data-dir "$OUT/etcd$i" \
		--listen-client-urls "http://127.0.0.1:$((PORT_BASE + i))" --advertise-client-urls "http://127.0.0.1:$((PORT_BASE + i))" \
		--listen-peer-urls "http://127.0.0.1:$((PORT_BASE + 10 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((PORT_BASE + 10 + i))" \
		--initial-cluster "$ecluster" --initial-cluster-token norikv-bench --initial-cluster-state new \
		>"$OUT/etcd$i.log" 2>&1 &
	pids+=($!)
	etcd_pids+="${etcd_pids:+,}$!"
done

peers=""
eps_ours=""
for i in 1 2 3; do
	peers+="${peers:+,}n$i=127.0.0.1:$((PORT_BASE + 20 + i))/127.0.0.1:$((PORT_BASE + 30 + i))"
	eps_ours+="${eps_ours:+,}127.0.0.1:$((PORT_BASE + 20 + i))"
done
# Each side starts alone (etcd first, then ours), timed from launch to its
# first acknowledged Put.
"$lg" wait --system etcd --endpoints "$eps_etcd" --since "$t0" --out "$results"
our_pids=""
t0=$(date +%s%N)
for i in 1 2 3; do
	mkdir -p "$OUT/n$i"
	echo "$RAFT_LOG" >"$OUT/n$i/raft-log-store"
	"$OUT/bin/norikv-console" serve --id "n$i" --addr "127.0.0.1:$((PORT_BASE + 20 + i))" --raft-addr "127.0.0.1:$((PORT_BASE + 30 + i))" \
		--data-dir "$OUT/n$i" --peers "$peers" --fsync="$SERVE_FSYNC" ${SERVE_GROUPS:+--groups "$SERVE_GROUPS"} ${SERVE_TIMER_SLACK:+--timer-slack "$SERVE_TIMER_SLACK"} >"$OUT/n$i.log" 2>&1 &
	pids+=($!)
	our_pids+="${our_pids:+,}$!"
done

"$lg" wait --system norikv --endpoints "$eps_ours" --since "$t0" --out "$results"
sleep 5 # let elections, balancing and start-up work settle before the idle window
echo "idle window of $IDLE" >&2
"$lg" idle --etcd-pids "$etcd_pids" --norikv-pids "$our_pids" --duration "$IDLE" --out "$results"

"$lg" fill --system norikv --endpoints "$eps_ours" --count "$FILL"
"$lg" fill --system etcd --endpoints "$eps_etcd" --count "$FILL"
"$lg" rss --system norikv --pids "$our_pids" --out "$results"
"$lg" rss --system etcd --pids "$etcd_pids" --out "$results"

# fsync calls per operation are counted with perf's syscall tracepoints
# when they can be read (root, linux-perf installed).
perf_ok=""
if command -v perf >/dev/null && perf stat -e syscalls:sys_enter_fdatasync -p "${our_pids%%,*}" -o /dev/null -- sleep 0.1 2>/dev/null; then
	perf_ok=1
fi

read -r -a blocks <<<"$BLOCKS"
n=${#blocks[@]}
for ((r = 1; r <= ROUNDS; r++)); do
	for ((k = 0; k < n; k++)); do
		j=$(((k + r - 1) % n)) # rotate the block order every round
		op=${blocks[$j]%%:*}
		workers=${blocks[$j]##*:}
		if (((r + j) % 2)); then order="etcd norikv"; else order="norikv etcd"; fi
		pos=1
		for sys in $order; do
			if [ "$sys" = etcd ]; then eps=$eps_etcd sp=$etcd_pids xp=$our_pids; else eps=$eps_ours sp=$our_pids xp=$etcd_pids; fi
			count=()
			if [ -n "$perf_ok" ]; then count=(--count-syncs "$sp"); fi
			"$lg" run --system "$sys" --endpoints "$eps" --op "$op" --workers "$workers" --duration "$DURATION" \
				--warmup "$WARMUP" --keys "$FILL" --round "$r" --order "$pos" --own-pids "$sp" --other-pids "$xp" --out "$results" "${count[@]}"
			pos=2
		done
	done
done

echo
echo "## $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), etcd $(etcd --version | head -1 | awk '{print $3}')"
echo "ROUNDS=$ROUNDS DURATION=$DURATION IDLE=$IDLE FILL=$FILL BLOCKS=\"$BLOCKS\" RAFT_LOG=$RAFT_LOG SERVE_FSYNC=$SERVE_FSYNC SERVE_GROUPS=${SERVE_GROUPS:-default}; results in $results"
tree="$(cd "$here" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$here" && git diff --quiet HEAD -- .. 2>/dev/null || echo ' + uncommitted changes')"
if [ -n "${NORIKV_BIN:-}" ]; then # the tree then built only the load generator: name the binary run
	built="ours: the given binary $NORIKV_BIN (sha256 $(sha256sum "$OUT/bin/norikv-console" | cut -c1-12)); load generator built from $tree"
else
	built="built from $tree"
fi
echo "$built; load average at the start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$lg" report "$results"
