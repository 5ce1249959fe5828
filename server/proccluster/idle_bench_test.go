//go:build linux

package proccluster

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envIdleWindow sets BenchmarkIdleCluster's measuring window (default 10s).
const envIdleWindow = "NORIKV_IDLE_WINDOW"

// BenchmarkIdleCluster reports the CPU an idle 3-node serve cluster uses
// (serve's default groups, no clients), in cores, from the processes' utime+stime in
// /proc over a window after leadership has settled. Run with -benchtime=1x.
func BenchmarkIdleCluster(b *testing.B) {
	window := 10 * time.Second
	if d, err := time.ParseDuration(os.Getenv(envIdleWindow)); err == nil && d > 0 {
		window = d
	}
	c := Start(b, Options{})
	waitAllLed(b, c)
	time.Sleep(3 * time.Second) // leadership spreads after the start
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := clusterTicks(b, c)
		start := time.Now()
		time.Sleep(window)
		used := float64(clusterTicks(b, c)-before) / clockTicks / time.Since(start).Seconds()
		b.ReportMetric(used, "cores")
	}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times (100 on Linux).
const clockTicks = 100

// clusterTicks sums utime+stime of every running node.
func clusterTicks(tb testing.TB, c *Cluster) int64 {
	tb.Helper()
	var sum int64
	for _, id := range c.IDs() {
		p := c.Proc(id)
		if p == nil {
			continue
		}
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/stat")
		if err != nil {
			tb.Fatal(err)
		}
		// Fields after the command name (which may hold spaces) start at ")".
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14 overall
		st, _ := strconv.ParseInt(f[12], 10, 64) // field 15
		sum += ut + st
	}
	return sum
}
