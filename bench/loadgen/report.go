package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

func cmdReport(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: loadgen report RESULTS.jsonl")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	printReport(os.Stdout, recs)
	return nil
}

// printReport prints one markdown table: per block the median of each
// system over its rounds, and the min and median of the per-round ratios
// (ours/etcd for throughput, etcd/ours for latency and cost, so > 1 is
// better for us throughout).
func printReport(w *os.File, recs []record) {
	type pair struct{ ours, etcd *record }
	rounds := map[string]map[int]*pair{}
	var blocks []string
	for i := range recs {
		r := &recs[i]
		if r.Kind != "block" {
			continue
		}
		if rounds[r.Block] == nil {
			rounds[r.Block] = map[int]*pair{}
			blocks = append(blocks, r.Block)
		}
		p := rounds[r.Block][r.Round]
		if p == nil {
			p = &pair{}
			rounds[r.Block][r.Round] = p
		}
		if r.System == "etcd" {
			p.etcd = r
		} else {
			p.ours = r
		}
	}
	fmt.Fprintln(w, "| block | rounds | ours ops/s | etcd ops/s | throughput ratio min / median | ours p50 / p99 ms | etcd p50 / p99 ms | p99 ratio (etcd/ours) min / median | fsyncs per op ours / etcd | CPU ms per op ours / etcd | idle side's cores during the block: ours / etcd | load1 | machine busy % | errors ours / etcd |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, b := range blocks {
		var oOps, eOps, ratio, p99r, oP50, oP99, eP50, eP99, loads, busy, oSync, eSync, oCPU, eCPU, oIdle, eIdle []float64
		var oErr, eErr int64
		for _, p := range rounds[b] {
			if p.ours == nil || p.etcd == nil {
				continue
			}
			oOps, eOps = append(oOps, p.ours.OpsPerS), append(eOps, p.etcd.OpsPerS)
			ratio = append(ratio, p.ours.OpsPerS/p.etcd.OpsPerS)
			p99r = append(p99r, p.etcd.P99Ms/p.ours.P99Ms)
			oP50, oP99 = append(oP50, p.ours.P50Ms), append(oP99, p.ours.P99Ms)
			eP50, eP99 = append(eP50, p.etcd.P50Ms), append(eP99, p.etcd.P99Ms)
			loads = append(loads, p.ours.Load1, p.etcd.Load1)
			busy = append(busy, p.ours.BusyPct, p.etcd.BusyPct)
			oSync, eSync = append(oSync, p.ours.SyncsPerOp), append(eSync, p.etcd.SyncsPerOp)
			oCPU, eCPU = append(oCPU, p.ours.CPUMsPerOp), append(eCPU, p.etcd.CPUMsPerOp)
			oIdle, eIdle = append(oIdle, p.etcd.OtherCores), append(eIdle, p.ours.OtherCores) // ours idle while etcd ran, and back
			oErr, eErr = oErr+p.ours.Errors, eErr+p.etcd.Errors
		}
		if len(ratio) == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.2f / %.2fx | %.2f / %.1f | %.2f / %.1f | %.2f / %.2fx | %.2f / %.2f | %.3f / %.3f | %.3f / %.3f | %s | %s | %d / %d |\n",
			b, len(ratio), med(oOps), med(eOps), slices.Min(ratio), med(ratio), med(oP50), med(oP99), med(eP50), med(eP99),
			slices.Min(p99r), med(p99r), med(oSync), med(eSync), med(oCPU), med(eCPU), med(oIdle), med(eIdle), span(loads), span(busy), oErr, eErr)
	}
	byKind := func(kind, sys string) *record {
		for i := range recs {
			if recs[i].Kind == kind && recs[i].System == sys {
				return &recs[i]
			}
		}
		return nil
	}
	if o, e := byKind("idle", "norikv"), byKind("idle", "etcd"); o != nil && e != nil {
		fmt.Fprintf(w, "\nIdle CPU over %.0f s (3 processes each, measured at the same time, load1 %.2f): ours %.3f cores, etcd %.3f cores, ours/etcd %.1fx\n",
			o.Seconds, o.Load1, o.Cores, e.Cores, o.Cores/e.Cores)
	}
	if o, e := byKind("start", "norikv"), byKind("start", "etcd"); o != nil && e != nil {
		fmt.Fprintf(w, "Launch to first acknowledged Put (3 processes, each side started alone; load1 %.2f / %.2f): ours %.2f s, etcd %.2f s, ours/etcd %.1fx\n",
			o.Load1, e.Load1, o.Seconds, e.Seconds, o.Seconds/e.Seconds)
	}
	if o, e := byKind("rss", "norikv"), byKind("rss", "etcd"); o != nil && e != nil {
		fmt.Fprintf(w, "RSS after the fill (3 processes summed): ours %.0f MiB (largest %.0f), etcd %.0f MiB (largest %.0f), ours/etcd %.2fx\n",
			o.RSSMiB, o.MaxMiB, e.RSSMiB, e.MaxMiB, o.RSSMiB/e.RSSMiB)
	}
}

func med(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func span(v []float64) string {
	lo, hi := slices.Min(v), slices.Max(v)
	if strings.TrimSpace(fmt.Sprintf("%.1f", lo)) == fmt.Sprintf("%.1f", hi) {
		return fmt.Sprintf("%.1f", lo)
	}
	return fmt.Sprintf("%.1f-%.1f", lo, hi)
}
