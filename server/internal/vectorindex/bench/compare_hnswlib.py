#!/usr/bin/env python3
"""Compare vectorindex's HNSW with hnswlib on the same vectors and queries.

Reads the directory written by `vecbench` (base.npy, queries.npy, ours.json
and ours_ef*.npy), computes an exact ground truth with numpy, builds hnswlib
with the same M and efConstruction, times hnswlib's searches at the same ef
values and thread count, and prints recall and QPS for both engines plus
our QPS / hnswlib QPS at matched recall. When the directory also holds
hnswlib_cpp.json (written by hnswlib_driver, hnswlib's C++ headers compiled
with -O3 -march=native: the fair anchor, since Debian's Python module is
built for baseline SSE), it prints the same table and ratios against it.
"""
import argparse
import json
import os
import time

import hnswlib
import numpy as np


def ground_truth(base, queries, distance, k):
    """Exact top-k row numbers, computed in float64 chunks."""
    b = base.astype(np.float64)
    q = queries.astype(np.float64)
    if distance == "cosine":
        bn = np.linalg.norm(b, axis=1, keepdims=True)
        qn = np.linalg.norm(q, axis=1, keepdims=True)
        b = np.divide(b, bn, out=np.zeros_like(b), where=bn > 0)
        q = np.divide(q, qn, out=np.zeros_like(q), where=qn > 0)
    sq = (b * b).sum(axis=1)
    out = np.empty((len(q), k), dtype=np.int64)
    for lo in range(0, len(q), 100):
        dots = q[lo:lo + 100] @ b.T
        if distance == "euclidean":
            score = sq[None, :] - 2 * dots  # |b|^2 - 2 q.b orders like |q-b|^2
        else:
            score = -dots
        part = np.argpartition(score, k, axis=1)[:, :k]
        rows = np.take_along_axis(score, part, axis=1)
        out[lo:lo + 100] = np.take_along_axis(part, np.argsort(rows, axis=1, kind="stable"), axis=1)
    return out


def recall(gt, got):
    hits = 0
    for want, have in zip(gt, got):
        hits += len(set(want.tolist()) & set(have.tolist()))
    return hits / gt.size


def qps_at(points, target):
    """QPS at a target recall from (recall, qps) points in ef order, by
    linear interpolation between the two points that bracket the target."""
    prev = None
    for r, q in points:
        if r >= target:
            if prev is None or prev[0] >= r:
                return q
            pr, pq = prev
            t = (target - pr) / (r - pr)
            return pq + t * (q - pq)
        prev = (r, q)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", help="directory vecbench wrote (required unless --summarize)")
    ap.add_argument("--build-threads", type=int, default=1,
                    help="hnswlib build threads (ours builds on one goroutine)")
    ap.add_argument("--min-time", type=float, default=1.0, help="seconds per timed window")
    ap.add_argument("--reps", type=int, default=3, help="timed windows per ef; the best counts")
    ap.add_argument("--targets", default="0.90,0.95,0.99")
    ap.add_argument("--index", help="hnswlib index file: loaded when it exists, else built and saved")
    ap.add_argument("--record", help="append the matched-recall ratios to this JSON-lines file")
    ap.add_argument("--label", default="", help="data set name for --record")
    ap.add_argument("--summarize", help="print min/median ratios of a --record file and exit")
    args = ap.parse_args()
    if args.summarize:
        summarize(args.summarize)
        return
    if not args.dir:
        ap.error("--dir is required: the directory vecbench wrote")

    ours = json.load(open(os.path.join(args.dir, "ours.json")))
    base = np.load(os.path.join(args.dir, "base.npy"))
    queries = np.load(os.path.join(args.dir, "queries.npy"))
    k = np.load(os.path.join(args.dir, ours["runs"][0]["neighbours"])).shape[1]
    distance, threads = ours["distance"], ours["threads"]
    if distance in ("l2",):
        distance = "euclidean"
    if distance in ("inner_product",):
        distance = "ip"
    gt = ground_truth(base, queries, distance, k)

    space = {"euclidean": "l2", "cosine": "cosine", "ip": "ip"}[distance]
    index = hnswlib.Index(space=space, dim=base.shape[1])
    build = 0.0
    if args.index and os.path.exists(args.index):
        index.load_index(args.index, max_elements=len(base))
    else:
        index.init_index(max_elements=len(base), ef_construction=ours["ef_construction"],
                         M=ours["m"], random_seed=100)
        index.set_num_threads(args.build_threads)
        t0 = time.perf_counter()
        index.add_items(base, np.arange(len(base)))
        build = time.perf_counter() - t0
        if args.index:
            index.save_index(args.index)
    index.set_num_threads(threads)

    print(f"\n{len(base)} x {base.shape[1]} {distance}, {len(queries)} queries, k={k}, "
          f"M={ours['m']} efC={ours['ef_construction']}, search threads={threads}")
    print(f"build: ours {ours['build_s']:.1f}s (1 goroutine, kernels {ours['kernels']}), "
          f"hnswlib {build:.1f}s ({args.build_threads} thread(s))")
    print(f"exact search (ours): {ours['exact_qps']:.1f} qps")
    print(f"{'ef':>5} {'ours recall':>12} {'ours qps':>10} {'hnswlib recall':>15} {'hnswlib qps':>12} {'ratio':>6}")
    ours_pts, theirs_pts = [], []
    for run in ours["runs"]:
        ef = run["ef"]
        r_ours = recall(gt, np.load(os.path.join(args.dir, run["neighbours"])))
        index.set_ef(ef)
        labels, _ = index.knn_query(queries, k=k, num_threads=threads)
        r_theirs = recall(gt, labels)
        q_theirs = 0.0
        for _ in range(args.reps):  # best window, as vecbench does
            done, t0 = 0, time.perf_counter()
            while True:
                index.knn_query(queries, k=k, num_threads=threads)
                done += len(queries)
                elapsed = time.perf_counter() - t0
                if elapsed >= args.min_time:
                    break
            q_theirs = max(q_theirs, done / elapsed)
        ours_pts.append((r_ours, run["qps"]))
        theirs_pts.append((r_theirs, q_theirs))
        print(f"{ef:>5} {r_ours:>12.4f} {run['qps']:>10.1f} {r_theirs:>15.4f} {q_theirs:>12.1f} "
              f"{run['qps'] / q_theirs:>6.2f}")
    print("at matched recall (interpolated over ef), against python3-hnswlib:")
    rec = []
    rec += matched(ours_pts, theirs_pts, args.targets, "hnswlib")

    cpp_path = os.path.join(args.dir, "hnswlib_cpp.json")
    if not os.path.exists(cpp_path):
        return
    cpp = json.load(open(cpp_path))
    print(f"\n{cpp['engine']} (SIMD {cpp['simd']}), build {cpp['build_s']:.1f}s (1 thread), "
          f"search threads={cpp['threads']}")
    if ours.get("build_cpu_s") and cpp.get("build_cpu_s"):
        # CPU seconds: a busy machine inflates them far less than wall seconds.
        print(f"build CPU: ours {ours['build_cpu_s']:.2f}s, C++ {cpp['build_cpu_s']:.2f}s, "
              f"ours/C++ {ours['build_cpu_s'] / cpp['build_cpu_s']:.2f}x")
    print(f"{'ef':>5} {'ours recall':>12} {'ours qps':>10} {'C++ recall':>11} {'C++ qps':>10} {'ratio':>6}")
    cpp_pts = []
    by_ef = {r["ef"]: r for r in cpp["runs"]}
    for run, (r_ours, q_ours) in zip(ours["runs"], ours_pts):
        c = by_ef.get(run["ef"])
        if c is None:
            continue
        r_cpp = recall(gt, np.load(os.path.join(args.dir, c["neighbours"])))
        cpp_pts.append((r_cpp, c["qps"]))
        print(f"{run['ef']:>5} {r_ours:>12.4f} {q_ours:>10.1f} {r_cpp:>11.4f} {c['qps']:>10.1f} {q_ours / c['qps']:>6.2f}")
    print("at matched recall (interpolated over ef), against hnswlib C++ -march=native:")
    rec += matched(ours_pts, cpp_pts, args.targets, "hnswlib C++")
    # The same by queries per CPU second of each process, which a busy
    # machine disturbs far less than queries per wall second.
    ours_cpu = [(r, run.get("cpu_qps", 0)) for (r, _), run in zip(ours_pts, ours["runs"])]
    cpp_cpu = [(r, c.get("cpu_qps", 0)) for (r, _), c in zip(cpp_pts, (by_ef[run["ef"]] for run in ours["runs"] if run["ef"] in by_ef))]
    if all(q > 0 for _, q in ours_cpu + cpp_cpu):
        print("the same by queries per CPU second (cpu_qps):")
        rec += matched(ours_cpu, cpp_cpu, args.targets, "C++ cpu-qps")
    if args.record:
        with open(args.record, "a") as f:
            for anchor, target, a, b in rec:
                f.write(json.dumps({"data": args.label, "anchor": anchor, "target": target,
                                    "ours": a, "theirs": b, "ratio": a / b,
                                    "load1": os.getloadavg()[0]}) + "\n")


def matched(ours_pts, theirs_pts, targets, name):
    out = []
    for target in (float(t) for t in targets.split(",")):
        a, b = qps_at(ours_pts, target), qps_at(theirs_pts, target)
        if a is None or b is None:
            print(f"  recall {target:.2f}: not reached by {'ours' if a is None else name} in this ef range")
            continue
        print(f"  recall {target:.2f}: ours {a:.0f} qps, {name} {b:.0f} qps, ours/{name} = {a / b:.2f}")
        out.append((name, target, a, b))
    return out


def summarize(path):
    """Prints, per data set, anchor and recall target, the rounds' median
    QPS of both engines and the min / median of the per-round ratios."""
    rows = {}
    for line in open(path):
        r = json.loads(line)
        rows.setdefault((r["data"], r["anchor"], r["target"]), []).append(r)
    print(f"\n{'data':<12} {'anchor':<12} {'recall':>6} {'rounds':>6} {'ours qps':>9} {'their qps':>9} "
          f"{'ratio min / median':>19} {'load1':>10}")
    for (data, anchor, target), rs in sorted(rows.items()):
        med = lambda v: sorted(v)[len(v) // 2]
        ratios = sorted(r["ratio"] for r in rs)
        loads = [r["load1"] for r in rs]
        print(f"{data:<12} {anchor:<12} {target:>6.2f} {len(rs):>6} {med([r['ours'] for r in rs]):>9.0f} "
              f"{med([r['theirs'] for r in rs]):>9.0f} {ratios[0]:>8.2f} / {med(ratios):.2f}x "
              f"{min(loads):>4.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
