package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on Linux).
const clockTicks = 100

func cmdIdle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	etcdPIDs := fs.String("etcd-pids", "", "pids of the etcd members")
	ourPIDs := fs.String("norikv-pids", "", "pids of the serve processes")
	dur := fs.Duration("duration", 30*time.Second, "measurement window (both systems at once)")
	out := fs.String("out", "-", "results file to append to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	groups := map[string][]int{}
	for sys, s := range map[string]string{"etcd": *etcdPIDs, "norikv": *ourPIDs} {
		pids, err := parsePIDs(s)
		if err != nil {
			return fmt.Errorf("--%s-pids: %w", sys, err)
		}
		groups[sys] = pids
	}
	before := map[string]float64{}
	for sys, pids := range groups {
		t, err := cpuSeconds(pids)
		if err != nil {
			return err
		}
		before[sys] = t
	}
	start := time.Now()
	time.Sleep(*dur)
	elapsed := time.Since(start).Seconds()
	for _, sys := range []string{"norikv", "etcd"} {
		t, err := cpuSeconds(groups[sys])
		if err != nil {
			return err
		}
		r := record{Kind: "idle", System: sys, Seconds: elapsed, Cores: (t - before[sys]) / elapsed, Load1: loadAvg1()}
		fmt.Fprintf(os.Stderr, "idle %-6s: %.3f cores over %.0f s\n", sys, r.Cores, elapsed)
		if err := appendRecord(*out, r); err != nil {
			return err
		}
	}
	return nil
}

// procCPU is the CPU time pids had used at a start (none when no pids
// were given: since then reads 0).
type procCPU struct {
	pids  []int
	start float64
}

func startProcCPU(list string) (procCPU, error) {
	if list == "" {
		return procCPU{}, nil
	}
	pids, err := parsePIDs(list)
	if err != nil {
		return procCPU{}, err
	}
	t, err := cpuSeconds(pids)
	return procCPU{pids: pids, start: t}, err
}

// since returns the CPU seconds the pids used since the start.
func (p procCPU) since() (float64, error) {
	if len(p.pids) == 0 {
		return 0, nil
	}
	t, err := cpuSeconds(p.pids)
	return t - p.start, err
}

// cpuSeconds sums user and system time of pids (fields 14 and 15 of
// /proc/PID/stat, after the parenthesised command name).
func cpuSeconds(pids []int) (float64, error) {
	total := 0.0
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, fmt.Errorf("process %d: %w (did it exit?)", pid, err)
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 13 {
			return 0, fmt.Errorf("process %d: short /proc stat line", pid)
		}
		utime, _ := strconv.ParseFloat(fields[11], 64)
		stime, _ := strconv.ParseFloat(fields[12], 64)
		total += (utime + stime) / clockTicks
	}
	return total, nil
}

func cmdRSS(args []string) error {
	fs := flag.NewFlagSet("rss", flag.ContinueOnError)
	system := fs.String("system", "", "etcd or norikv (a label)")
	pidList := fs.String("pids", "", "pids to measure")
	out := fs.String("out", "-", "results file to append to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pids, err := parsePIDs(*pidList)
	if err != nil {
		return fmt.Errorf("--pids: %w", err)
	}
	sum, max := 0.0, 0.0
	for _, pid := range pids {
		kb, err := vmRSSKiB(pid)
		if err != nil {
			return err
		}
		mib := kb / 1024
		sum += mib
		if mib > max {
			max = mib
		}
	}
	fmt.Fprintf(os.Stderr, "rss %-6s: %.0f MiB in %d processes (largest %.0f MiB)\n", *system, sum, len(pids), max)
	return appendRecord(*out, record{Kind: "rss", System: *system, RSSMiB: sum, MaxMiB: max})
}

func vmRSSKiB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("process %d: %w (did it exit?)", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		}
	}
	return 0, fmt.Errorf("process %d: no VmRSS", pid)
}

func loadAvg1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}

// cpuStat is the machine's CPU time from /proc/stat's first line.
type cpuStat struct{ busy, total float64 }

func readCPUStat() cpuStat {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuStat{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var s cpuStat
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		s.total += v
		if i != 3 && i != 4 { // idle and iowait
			s.busy += v
		}
	}
	return s
}

func (s cpuStat) busyPctSince(prev cpuStat) float64 {
	if s.total <= prev.total {
		return 0
	}
	return 100 * (s.busy - prev.busy) / (s.total - prev.total)
}
