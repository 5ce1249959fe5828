#!/usr/bin/env bash
# Compare vectorindex's HNSW with hnswlib on the same data, queries, M,
# efConstruction, ef values and search threads: hnswlib's C++ headers
# (Debian's libhnswlib-dev) compiled here with -O3 -march=native by a small
# driver (hnswlib_driver.cpp; the fair anchor: it uses AVX-512/AVX where the
# machine has them), and Debian's python3-hnswlib (built for baseline SSE).
#
#   server/internal/vectorindex/bench/compare_hnswlib.sh [euclid100k|cosine20k|small|all]
#
# Environment: THREADS (search threads, default 1), M (16), EFC (200),
# ROUNDS (timing rounds, default 3; indexes are built once), KEEP_INDEX
# (non-empty: reuse the index files a previous run left in OUT),
# EFS (ef sweep), OUT (work directory, default a temporary one), PYTHON
# (interpreter that sees the Debian packages, default /usr/bin/python3).
# CXX (C++ compiler, default g++). Besides queries per wall second, both
# ours and the C++ driver report queries per CPU second of their process
# (cpu_qps; anchor "C++ cpu-qps" in the summary), which a busy machine
# disturbs far less: quote wall figures from quiet runs only. CI does not run this; it installs
# python3-hnswlib, python3-numpy, libhnswlib-dev and g++ with apt-get when
# they are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
which=${1:-all}
THREADS=${THREADS:-1}
M=${M:-16}
EFC=${EFC:-200}
EFS=${EFS:-10,16,24,32,48,64,96,128}
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-$(mktemp -d -t vecbench.XXXXXX)}

# Debian's packages install for Debian's interpreter, which a pyenv or venv
# python3 earlier in PATH would not see.
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
need=()
"$PY" -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
"$PY" -c 'import hnswlib' 2>/dev/null || need+=(python3-hnswlib)
[ -f /usr/include/hnswlib/hnswlib.h ] || need+=(libhnswlib-dev)
CXX=${CXX:-g++}
command -v "$CXX" >/dev/null || need+=(g++)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "installing ${need[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

bin="$OUT/vecbench"
(cd "$root" && go build -o "$bin" ./server/internal/vectorindex/cmd/vecbench)
driver="$OUT/hnswlib_driver"
"$CXX" -O3 -march=native -std=c++17 -pthread -o "$driver" "$here/hnswlib_driver.cpp"

# run builds each engine's index once (the first round; later rounds load
# it) and times all three ROUNDS times, ours and the C++ driver in
# alternating order (ours first in odd rounds, which also write the data),
# then python3-hnswlib; the ratios of every round go to $OUT/ratios.jsonl.
run() {
  local name=$1; shift
  local dir="$OUT/$name"
  mkdir -p "$dir"
  [ -n "${KEEP_INDEX:-}" ] || rm -f "$dir/ours.idx" "$dir/cpp.idx" "$dir/py.idx"
  echo "== $name (threads=$THREADS M=$M efC=$EFC ef=$EFS, $ROUNDS rounds) in $dir"
  ours() { "$bin" "$@" -M "$M" -efc "$EFC" -ef "$EFS" -threads "$THREADS" -out "$dir" -index "$dir/ours.idx"; }
  cpp() {
    local distance
    distance=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["distance"])' "$dir/ours.json")
    [ "$distance" = l2 ] && distance=euclidean
    [ "$distance" = inner_product ] && distance=ip
    # Same k, search threads and timing windows (1 s, best of 3) as vecbench.
    "$driver" "$dir" "$distance" "$M" "$EFC" 10 "$THREADS" 1 3 "$EFS" "$dir/cpp.idx"
  }
  for ((r = 1; r <= ROUNDS; r++)); do
    echo "-- $name round $r of $ROUNDS, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    if ((r % 2)); then ours "$@"; cpp; else cpp; ours "$@"; fi
    "$PY" "$here/compare_hnswlib.py" --dir "$dir" --index "$dir/py.idx" --record "$OUT/ratios.jsonl" --label "$name"
  done
}

rm -f "$OUT/ratios.jsonl"
case $which in
  small) run small -n 5000 -dims 32 -queries 200 -distance euclidean ;;
  euclid100k) run euclid100k -n 100000 -dims 128 -queries 1000 -distance euclidean ;;
  cosine20k) run cosine20k -n 20000 -dims 768 -queries 1000 -distance cosine ;;
  all)
    run euclid100k -n 100000 -dims 128 -queries 1000 -distance euclidean
    run cosine20k -n 20000 -dims 768 -queries 1000 -distance cosine ;;
  *) echo "usage: $0 [euclid100k|cosine20k|small|all]" >&2; exit 2 ;;
esac
"$PY" "$here/compare_hnswlib.py" --summarize "$OUT/ratios.jsonl"
