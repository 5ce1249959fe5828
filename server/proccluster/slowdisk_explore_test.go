//go:build linux

package proccluster

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/slowfs"
)

// TestExploreSlowDisk is not a check but a record of what a cluster does
// when one node's syncs are slow (NORIKV_SLOWDISK_EXPLORE=1 runs it): n1's
// fsyncs take 0, 200 ms and 2 s longer in turn while one writer per group
// puts increasing values to its own key through whichever node accepts
// and reads them back with lease reads from the same node
// (NORIKV_SLOWDISK_EXPLORE_GROUP0=1: group 0's writer only).
func TestExploreSlowDisk(t *testing.T) {
	if os.Getenv("NORIKV_SLOWDISK_EXPLORE") == "" {
		t.Skip("a record, not a check: NORIKV_SLOWDISK_EXPLORE=1 runs it")
	}
	delay := slowfs.NewDelay(0)
	const shards, groups = 48, 3
	c := Start(t, Options{Shards: shards, Groups: groups, Fsync: true, HTTP: true, SlowDisk: map[string]*slowfs.Delay{"n1": delay}})
	conns := dialAll(t, c)
	waitFor(t, "n1 leading group 0", func() bool { return c.LeaderOf(t, 0) == "n1" })
	for _, d := range []time.Duration{0, 200 * time.Millisecond, 2 * time.Second} {
		delay.Set(d)
		type stat struct {
			lat         []time.Duration
			errs, stale int
			acceptedBy  map[string]int
		}
		stats := make([]stat, groups)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var wg sync.WaitGroup
		for g := 0; g < groups; g++ {
			stats[g].acceptedBy = map[string]int{}
			if g > 0 && os.Getenv("NORIKV_SLOWDISK_EXPLORE_GROUP0") != "" {
				continue // only group 0's writer: n1's log then syncs for it alone
			}
			key := keyInGroup(t, g, shards, groups, fmt.Sprintf("explore-%v", d))
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := &stats[g]
				for i := 1; ctx.Err() == nil; i++ {
					start := time.Now()
					var by string
					for by == "" && ctx.Err() == nil {
						for _, id := range c.IDs() {
							cctx, cc := context.WithTimeout(ctx, 5*time.Second)
							_, err := conns[id].Put(cctx, &norikvpb.PutRequest{Key: key, Value: []byte(strconv.Itoa(i))})
							cc()
							if err == nil {
								by = id
								break
							}
							st.errs++
						}
					}
					if by == "" {
						return
					}
					st.lat = append(st.lat, time.Since(start))
					st.acceptedBy[by]++
					cctx, cc := context.WithTimeout(ctx, 5*time.Second)
					res, err := conns[by].Get(cctx, &norikvpb.GetRequest{Key: key, Consistency: "lease"})
					cc()
					if err == nil {
						if v, _ := strconv.Atoi(string(res.GetValue())); v < i {
							st.stale++
						}
					}
				}
			}()
		}
		wg.Wait()
		cancel()
		for g, st := range stats {
			sort.Slice(st.lat, func(a, b int) bool { return st.lat[a] < st.lat[b] })
			p := func(q float64) time.Duration {
				if len(st.lat) == 0 {
					return 0
				}
				return st.lat[int(q*float64(len(st.lat)-1))].Round(time.Millisecond)
			}
			t.Logf("delay %v group %d: %d puts acked in 20 s, p50 %v p99 %v max %v, %d failed attempts, %d stale lease reads, accepted by %v, leader now %s",
				d, g, len(st.lat), p(0.5), p(0.99), p(1), st.errs, st.stale, st.acceptedBy, c.LeaderOf(t, g*shards/groups))
		}
		_, m := httpGet(c.HTTPAddr("n1"), "/metrics")
		for _, l := range strings.Split(m, "\n") {
			if strings.Contains(l, "sync") || strings.Contains(l, "is_leader") {
				t.Logf("n1 /metrics: %s", l)
			}
		}
	}
	delay.Set(0)
	t.Logf("n1's log:\n%s", c.logTail("n1", 40))
	t.Logf("syncs served on n1's disk: %d", delay.Syncs())
}
