// Command loadgen drives etcd and a NoriKV cluster the same way (one
// client shared by N workers doing Put or linearizable Get for a fixed
// time), measures idle CPU and RSS of their processes from /proc, and
// prints a side-by-side table of the results. bench/run.sh runs it.
//
//	loadgen run    --system etcd|norikv --endpoints A,B,C --op put|get --workers N --duration 10s --round R --out results.jsonl
//	loadgen fill   --system etcd|norikv --endpoints A,B,C --count 100000 --value-size 100
//	loadgen idle   --etcd-pids P,P,P --norikv-pids P,P,P --duration 30s --out results.jsonl
//	loadgen rss    --system etcd|norikv --pids P,P,P --out results.jsonl
//	loadgen report results.jsonl
//	loadgen wait   --system etcd|norikv --endpoints A,B,C --timeout 60s
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = cmdRun(os.Args[2:])
	case "fill":
		err = cmdFill(os.Args[2:])
	case "idle":
		err = cmdIdle(os.Args[2:])
	case "rss":
		err = cmdRSS(os.Args[2:])
	case "report":
		err = cmdReport(os.Args[2:])
	case "wait":
		err = cmdWait(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen run|fill|idle|rss|report|wait [flags] (see the package doc or loadgen CMD -h)")
	os.Exit(2)
}

// record is one line of the results file.
type record struct {
	Kind    string  `json:"kind"` // "block", "idle", "rss"
	System  string  `json:"system"`
	Block   string  `json:"block,omitempty"` // e.g. "put/64"
	Round   int     `json:"round,omitempty"`
	Order   int     `json:"order,omitempty"` // 1: ran first in its pair, 2: second
	Ops     int64   `json:"ops,omitempty"`
	Errors  int64   `json:"errors,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	OpsPerS float64 `json:"ops_per_s,omitempty"`
	P50Ms   float64 `json:"p50_ms,omitempty"`
	P99Ms   float64 `json:"p99_ms,omitempty"`
	Load1   float64 `json:"load1,omitempty"`    // 1-minute load average at the block's end
	BusyPct float64 `json:"busy_pct,omitempty"` // machine CPU busy during the block
	Cores   float64 `json:"cores,omitempty"`    // idle: CPU cores used by the 3 processes together
	// SyncsPerOp is fsync+fdatasync calls of the 3 processes per operation.
	SyncsPerOp float64 `json:"syncs_per_op,omitempty"`
	// CPUMsPerOp: CPU time of the system's own processes per operation
	// (--own-pids); OtherCores: CPU cores the other system's processes,
	// idle meanwhile, used during the block (--other-pids).
	CPUMsPerOp float64 `json:"cpu_ms_per_op,omitempty"`
	OtherCores float64 `json:"other_cores,omitempty"`
	RSSMiB     float64 `json:"rss_mib,omitempty"` // rss: sum over the 3 processes
	MaxMiB     float64 `json:"max_rss_mib,omitempty"`
}

func appendRecord(path string, r record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if path == "" || path == "-" {
		_, err = fmt.Println(string(b))
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open results file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func parsePIDs(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("pid %q is not a number", p)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no pids given")
	}
	return out, nil
}
